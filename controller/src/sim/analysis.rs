//! AnalysisRuns in the simulator: either scripted (they stay Running until told their
//! outcome) or executed by `augur-analysis-core` against recorded provider answers (replay
//! DATA), on the simulator's clock.

use std::collections::BTreeMap;
use std::time::SystemTime;

use augur_analysis_core::Phase;
use augur_analysis_core::replay::{DataCursor, Driver, ReplayData, ReplayEnd, Step};
use augur_analysis_core::spec::AnalysisRun;
use augur_analysis_core::template::{TemplateSet, new_analysis_run};

use crate::action::AnalysisRunRequest;
use crate::traits::{AnalysisLauncher, DriverError};
use crate::world::{ObservedRun, RunKind};

/// How runs decide their outcome.
#[derive(Debug, Clone)]
pub enum AnalysisMode {
    /// Runs stay Running until [`SimAnalysis::set_outcome`].
    Scripted {
        /// Declared args per template name (`MergeArgs` drops the others); a template not
        /// listed declares none.
        declared_args: BTreeMap<String, Vec<String>>,
    },
    /// Every run ends with `phase` `after` it is created (scripted outcomes on the clock).
    Outcome {
        /// The phase every run ends in.
        phase: Phase,
        /// How long a run takes.
        after: std::time::Duration,
    },
    /// Runs execute through analysis-core against recorded answers.
    Replay {
        /// The templates the cluster holds.
        templates: Box<TemplateSet>,
        /// The recorded answers.
        data: Box<ReplayData>,
    },
}

/// One AnalysisRun of the simulation.
#[derive(Debug, Clone)]
pub struct SimRun {
    /// What the engine asked for.
    pub request: AnalysisRunRequest,
    /// The args after `MergeArgs` (name → value).
    pub args: BTreeMap<String, String>,
    /// The run as analysis-core drives it (replay mode).
    pub run: Option<AnalysisRun>,
    driver: Option<Driver>,
    /// When it next needs a reconcile (replay mode).
    pub next: Option<SystemTime>,
    /// Its phase, message and termination, as the Rollout controller sees them.
    pub observed: ObservedRun,
}

/// The analysis side of the simulated cluster.
#[derive(Debug, Clone)]
pub struct SimAnalysis {
    mode: AnalysisMode,
    cursor: DataCursor,
    /// Every run created, in order.
    pub runs: Vec<SimRun>,
    /// A metric whose recorded answers ran out.
    pub data_ran_out: Option<String>,
    /// Whether the last call changed anything.
    pub changed: bool,
    now: SystemTime,
}

impl SimAnalysis {
    /// An analysis world in `mode`.
    pub fn new(mode: AnalysisMode) -> SimAnalysis {
        SimAnalysis {
            mode,
            cursor: DataCursor::default(),
            runs: Vec::new(),
            data_ran_out: None,
            changed: false,
            now: SystemTime::UNIX_EPOCH,
        }
    }

    /// The simulator's clock, for runs created next.
    pub fn set_now(&mut self, now: SystemTime) {
        self.now = now;
    }

    /// Replaces the recorded answers (a new release measured afresh); the cursor restarts.
    pub fn set_data(&mut self, new: ReplayData) {
        if let AnalysisMode::Replay { data, .. } = &mut self.mode {
            **data = new;
            self.cursor = DataCursor::default();
            self.data_ran_out = None;
        }
    }

    /// The runs as the Rollout controller observes them.
    pub fn observed(&self) -> Vec<ObservedRun> {
        self.runs.iter().map(|r| r.observed.clone()).collect()
    }

    /// How many runs of `kind` were created.
    pub fn created(&self, kind: RunKind) -> usize {
        self.runs.iter().filter(|r| r.request.kind == kind).count()
    }

    /// Sets the phase of the run named `name` (scripted mode).
    pub fn set_outcome(&mut self, name: &str, phase: Phase) {
        if let Some(r) = self.runs.iter_mut().find(|r| r.request.name == name) {
            r.observed.phase = Some(phase);
        }
    }

    /// Reconciles every replayed run that is due at `now`; returns whether a phase changed.
    pub fn step(&mut self, now: SystemTime) -> bool {
        self.now = now;
        if let AnalysisMode::Outcome { phase, .. } = self.mode {
            let mut changed = false;
            for r in &mut self.runs {
                if !r.observed.terminated
                    && r.observed.phase == Some(Phase::Running)
                    && r.next.is_some_and(|t| t <= now)
                {
                    r.observed.phase = Some(phase);
                    r.next = None;
                    changed = true;
                }
            }
            return changed;
        }
        let AnalysisMode::Replay { data, .. } = &self.mode else { return false };
        let mut changed = false;
        for r in &mut self.runs {
            if r.observed.terminated || r.observed.phase.is_some_and(Phase::is_completed) {
                continue;
            }
            let (Some(run), Some(driver)) = (&mut r.run, &r.driver) else { continue };
            if r.next.is_some_and(|t| t > now) {
                continue;
            }
            r.next = None;
            for _ in 0..10_000 {
                match driver.step(run, data, &mut self.cursor, now) {
                    Step::Again => continue,
                    Step::At(t) => {
                        r.next = Some(t);
                        break;
                    }
                    Step::Done(ReplayEnd::DataRanOut { metric }) => {
                        self.data_ran_out.get_or_insert(metric);
                        break;
                    }
                    Step::Done(_) => break,
                }
            }
            let phase = run.status.phase.or(Some(Phase::Running));
            let message = run.status.message.clone();
            if r.observed.phase != phase || r.observed.message != message {
                r.observed.phase = phase;
                r.observed.message = message;
                changed = true;
            }
        }
        changed
    }

    /// The earliest time a replayed run needs a reconcile.
    pub fn next_wake(&self) -> Option<SystemTime> {
        self.runs
            .iter()
            .filter(|r| !r.observed.terminated && !r.observed.phase.is_some_and(Phase::is_completed))
            .filter_map(|r| r.next)
            .min()
    }
}

#[async_trait::async_trait]
impl AnalysisLauncher for SimAnalysis {
    async fn create(&mut self, request: &AnalysisRunRequest) -> Result<(), DriverError> {
        let observed = ObservedRun {
            name: request.name.clone(),
            phase: Some(Phase::Running),
            message: String::new(),
            step_index: request.step_index,
            terminated: false,
        };
        let mut next = None;
        let (args, run, driver) = match &self.mode {
            AnalysisMode::Outcome { after, .. } => {
                next = Some(self.now + *after);
                let args = request.args.iter().map(|a| (a.name.clone(), a.value.clone().unwrap_or_default())).collect();
                (args, None, None)
            }
            AnalysisMode::Scripted { declared_args } => {
                let mut declared = Vec::new();
                for t in &request.templates {
                    declared.extend(declared_args.get(&t.template_name).cloned().unwrap_or_default());
                }
                let args = request
                    .args
                    .iter()
                    .filter(|a| declared.contains(&a.name))
                    .map(|a| (a.name.clone(), a.value.clone().unwrap_or_default()))
                    .collect();
                (args, None, None)
            }
            AnalysisMode::Replay { templates, .. } => {
                let (t, ct) = templates.collect(&request.templates).map_err(|e| DriverError(e.to_string()))?;
                let run = new_analysis_run(
                    &t,
                    &ct,
                    request.args.clone(),
                    request.dry_run.clone(),
                    request.measurement_retention.clone(),
                    request.labels.clone(),
                    Default::default(),
                    &request.name,
                    "",
                    templates.namespace(),
                )
                .map_err(|e| DriverError(format!("AnalysisRun {}: {e}", request.name)))?;
                let args =
                    run.spec.args.iter().map(|a| (a.name.clone(), a.value.clone().unwrap_or_default())).collect();
                let driver = Driver::new(&run);
                (args, Some(run), Some(driver))
            }
        };
        self.runs.push(SimRun { request: request.clone(), args, run, driver, next, observed });
        self.changed = true;
        Ok(())
    }

    async fn terminate(&mut self, name: &str) -> Result<(), DriverError> {
        if let Some(r) = self.runs.iter_mut().find(|r| r.request.name == name)
            && !r.observed.terminated
        {
            r.observed.terminated = true;
            if !r.observed.phase.is_some_and(Phase::is_completed) {
                r.observed.phase = Some(Phase::Successful);
                r.observed.message = "Run Terminated".into();
            }
            self.changed = true;
        }
        Ok(())
    }
}
