//! The simulator: a virtual cluster on virtual time where the step engine runs unchanged.
//!
//! * ReplicaSets: pods are created (and deleted) at once and become available
//!   [`SimConfig::ready_after`] later; revisions in [`SimConfig::never_available`] never do.
//! * Services and the traffic router ([`router`]) follow the engine's actions.
//! * AnalysisRuns ([`analysis`]) are scripted, or executed by `augur-analysis-core` against
//!   replay DATA (runs measuring the same metric draw its answers in the order taken).
//!
//! At any time the cluster is *settled* the way Argo's level-triggered controller settles:
//! reconcile, perform the actions, and repeat until neither the status nor the world changes.
//! Time then jumps to the next thing that can happen (a pod becoming available, a pause or a
//! scale-down deadline, a measurement), so a 40-minute rollout takes milliseconds.

pub mod analysis;
mod release;
pub mod router;
mod timeline;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use augur_analysis_core::spec::Time;

use crate::action::Action;
use crate::engine::{self, Options};
use crate::rollout::Rollout;
use crate::traits::{DriverError, Workload, block_on_ready, perform};
use crate::world::{Observed, ObservedRun, ObservedView, ReplicaSet, Service};

pub use analysis::{AnalysisMode, SimAnalysis, SimRun};
pub use release::{HORIZON, MAX_INSTANTS, Outcome, Plan};
pub use router::{RouterState, SimRouter, TrafficSplit};
pub use timeline::{Snapshot, TimelineEntry};

/// How the simulated cluster behaves.
#[derive(Debug, Clone, Default)]
pub struct SimConfig {
    /// How long a new pod takes to become available.
    pub ready_after: Duration,
    /// Revisions whose pods never become available.
    pub never_available: BTreeSet<String>,
    /// Engine options.
    pub options: Options,
    /// Keep no timeline (bulk simulations that only want outcomes).
    pub skip_timeline: bool,
}

/// Why the simulation stopped with an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// An action could not be performed (for example an AnalysisRun that cannot be built).
    #[error("{0}")]
    Driver(#[from] DriverError),
    /// The controller kept changing the status without settling.
    #[error("the rollout did not settle after {0} reconciles at one instant")]
    NoSettle(usize),
}

/// The most reconciles at one instant before [`SimError::NoSettle`].
pub const MAX_RECONCILES_PER_INSTANT: usize = 10_000;

/// ReplicaSets and Services of the simulated cluster.
#[derive(Debug, Clone)]
pub struct SimWorkload {
    /// The ReplicaSets.
    pub replica_sets: Vec<ReplicaSet>,
    /// The Services.
    pub services: BTreeMap<String, Service>,
    /// Per ReplicaSet, when each not-yet-available pod becomes available.
    pending: BTreeMap<String, Vec<SystemTime>>,
    ready_after: Duration,
    never: BTreeSet<String>,
    now: SystemTime,
    created: i64,
    /// Whether the last call changed anything.
    pub changed: bool,
}

impl SimWorkload {
    fn rs(&mut self, hash: &str) -> Result<&mut ReplicaSet, DriverError> {
        self.replica_sets
            .iter_mut()
            .find(|r| r.hash == hash)
            .ok_or_else(|| DriverError(format!("ReplicaSet with hash {hash:?} not found")))
    }

    /// Pods whose time has come become available; returns whether any did.
    fn tick(&mut self, now: SystemTime) -> bool {
        self.now = now;
        let mut changed = false;
        for rs in &mut self.replica_sets {
            if let Some(p) = self.pending.get_mut(&rs.hash) {
                let before = p.len();
                p.retain(|t| *t > now);
                let ready = (before - p.len()) as i32;
                if ready > 0 {
                    rs.available += ready;
                    rs.ready += ready;
                    changed = true;
                }
            }
        }
        changed
    }

    fn next_ready(&self) -> Option<SystemTime> {
        self.pending.values().flatten().copied().filter(|t| *t > self.now).min()
    }
}

#[async_trait::async_trait]
impl Workload for SimWorkload {
    async fn create_replica_set(&mut self, hash: &str, revision: i64) -> Result<(), DriverError> {
        self.created += 1;
        self.replica_sets.push(ReplicaSet {
            hash: hash.to_string(),
            revision,
            created: self.created,
            ..Default::default()
        });
        self.changed = true;
        Ok(())
    }

    async fn set_revision(&mut self, hash: &str, revision: i64) -> Result<(), DriverError> {
        let rs = self.rs(hash)?;
        if rs.revision != revision {
            rs.revision = revision;
            self.changed = true;
        }
        Ok(())
    }

    async fn scale(
        &mut self,
        hash: &str,
        replicas: i32,
        rollout_replicas: i32,
        clear_deadline: bool,
    ) -> Result<(), DriverError> {
        let (now, ready_after, never) = (self.now, self.ready_after, self.never.contains(hash));
        let pending_len = self.pending.get(hash).map_or(0, |p| p.len()) as i32;
        let rs = self.rs(hash)?;
        let old = rs.replicas;
        let mut changed = rs.replicas != replicas || rs.desired_replicas != Some(rollout_replicas);
        rs.replicas = replicas;
        rs.status_replicas = replicas;
        rs.desired_replicas = Some(rollout_replicas);
        if clear_deadline && rs.scale_down_deadline.is_some() {
            rs.scale_down_deadline = None;
            changed = true;
        }
        let mut add_pending = 0;
        let mut keep_pending = pending_len;
        if replicas > old {
            let new = replicas - old;
            if never {
            } else if ready_after.is_zero() {
                rs.available += new;
                rs.ready += new;
            } else {
                add_pending = new;
            }
        } else if replicas < old {
            // Unavailable pods go first.
            let unavailable = old - rs.available;
            let remove = old - replicas;
            let from_unavailable = remove.min(unavailable);
            keep_pending = (pending_len - from_unavailable).max(0);
            rs.available = rs.available.min(replicas);
            rs.ready = rs.ready.min(replicas);
        }
        let p = self.pending.entry(hash.to_string()).or_default();
        p.truncate(keep_pending as usize);
        p.extend(std::iter::repeat_n(now + ready_after, add_pending as usize));
        self.changed |= changed;
        Ok(())
    }

    async fn set_scale_down_deadline(&mut self, hash: &str, at: Option<Time>) -> Result<(), DriverError> {
        let rs = self.rs(hash)?;
        if rs.scale_down_deadline != at {
            rs.scale_down_deadline = at;
            self.changed = true;
        }
        Ok(())
    }

    async fn switch_service(&mut self, service: &str, hash: &str) -> Result<(), DriverError> {
        let svc = self.services.entry(service.to_string()).or_default();
        // Whether this changed anything is judged on the net effect of a reconcile's actions
        // (`Cluster::perform`): during an abort with traffic routing Argo points the canary
        // Service at the canary and back at the stable within every reconcile.
        svc.selector = Some(hash.to_string());
        svc.managed = true;
        Ok(())
    }
}

/// An event the controller emitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimEvent {
    /// When.
    pub at: SystemTime,
    /// `reason`.
    pub reason: String,
    /// `message`.
    pub message: String,
    /// Warning or Normal.
    pub warning: bool,
}

/// The simulated cluster with one Rollout.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// The Rollout (spec and the status the engine persisted).
    pub rollout: Rollout,
    /// The hash of the Rollout's current template.
    pub template_hash: String,
    /// ReplicaSets and Services.
    pub workload: SimWorkload,
    /// The traffic router.
    pub router: SimRouter,
    /// AnalysisRuns.
    pub analysis: SimAnalysis,
    /// Virtual time.
    pub now: SystemTime,
    /// When the simulation started.
    pub start: SystemTime,
    config: SimConfig,
    wakes: BTreeSet<SystemTime>,
    /// Events emitted.
    pub events: Vec<SimEvent>,
    /// The timeline: one entry per observable change.
    pub timeline: Vec<TimelineEntry>,
    /// Reconciles performed.
    pub reconciles: u64,
    prepared: engine::Prepared,
    recorded_events: usize,
    /// The runs as the engine last observed them (see [`sync_runs`]).
    observed_runs: Vec<ObservedRun>,
}

impl Cluster {
    /// A cluster at `start` holding the Services the rollout names (and the default
    /// `<name>-canary|stable|active|preview`), with no ReplicaSet yet.
    pub fn new(rollout: Rollout, analysis: AnalysisMode, config: SimConfig, start: SystemTime) -> Cluster {
        let mut services = BTreeMap::new();
        let name = rollout.name().to_string();
        for suffix in ["canary", "stable", "active", "preview"] {
            services.insert(format!("{name}-{suffix}"), Service::default());
        }
        if let Some(c) = rollout.canary() {
            for s in [&c.canary_service, &c.stable_service] {
                if !s.is_empty() {
                    services.entry(s.clone()).or_default();
                }
            }
        }
        if let Some(b) = rollout.blue_green() {
            for s in [&b.active_service, &b.preview_service] {
                if !s.is_empty() {
                    services.entry(s.clone()).or_default();
                }
            }
        }
        let workload = SimWorkload {
            replica_sets: Vec::new(),
            services,
            pending: BTreeMap::new(),
            ready_after: config.ready_after,
            never: config.never_available.clone(),
            now: start,
            created: 0,
            changed: false,
        };
        let router = SimRouter::new(&rollout);
        let prepared = engine::Prepared::new(&rollout);
        Cluster {
            rollout,
            template_hash: String::new(),
            workload,
            router,
            analysis: SimAnalysis::new(analysis),
            now: start,
            start,
            config,
            wakes: BTreeSet::new(),
            events: Vec::new(),
            timeline: Vec::new(),
            reconciles: 0,
            prepared,
            recorded_events: 0,
            observed_runs: Vec::new(),
        }
    }

    /// What the engine observes now.
    pub fn observed(&self) -> Observed {
        Observed {
            template_hash: self.template_hash.clone(),
            replica_sets: self.workload.replica_sets.clone(),
            services: self.workload.services.clone(),
            analysis_runs: self.analysis.observed(),
        }
    }

    /// Applies the template of revision `hash` (the first one is the initial deploy).
    pub fn apply_template(&mut self, hash: &str) -> Result<(), SimError> {
        self.template_hash = hash.to_string();
        // A new template leaves the steps, validation and selector as they were: what was
        // prepared for the spec carries over to the new generation.
        let prepared_current = self.prepared.generation == self.rollout.generation();
        crate::user::bump_generation(&mut self.rollout);
        if prepared_current {
            self.prepared.generation = self.rollout.generation();
        }
        self.settle()
    }

    /// Changes the spec (steps, replicas, ...) as `kubectl apply` would.
    pub fn edit_spec(&mut self, f: impl FnOnce(&mut crate::rollout::RolloutSpec)) -> Result<(), SimError> {
        f(&mut self.rollout.spec);
        crate::user::bump_generation(&mut self.rollout);
        self.router.set_rollout(&self.rollout);
        self.settle()
    }

    /// Applies a user command (`promote`, `abort`, ...) and settles.
    pub fn user(&mut self, f: impl FnOnce(&mut Rollout)) -> Result<(), SimError> {
        f(&mut self.rollout);
        self.settle()
    }

    fn perform(&mut self, actions: Vec<Action>) -> Result<bool, SimError> {
        self.workload.changed = false;
        let switches = actions.iter().any(|a| matches!(a, Action::SwitchService { .. }));
        let services_before = switches.then(|| self.workload.services.clone());
        self.router.changed = false;
        self.analysis.changed = false;
        let now = self.now;
        self.analysis.set_now(now);
        // Events performed (those before a failing action) are moved out of the actions
        // afterwards rather than copied as they are emitted.
        let mut emitted = 0;
        let mut on_event = |_: &str, _: &str, _: bool| emitted += 1;
        let result =
            block_on_ready(perform(&actions, &mut self.workload, &mut self.router, &mut self.analysis, &mut on_event));
        let events = actions.into_iter().filter_map(|a| match a {
            Action::Event { reason, message, warning } => Some(SimEvent { at: now, reason, message, warning }),
            _ => None,
        });
        self.events.extend(events.take(emitted));
        match result {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(e.into()),
            None => return Err(DriverError("a simulated action did not complete".into()).into()),
        }
        let services_changed = services_before.is_some_and(|b| b != self.workload.services);
        Ok(self.workload.changed || services_changed || self.router.changed || self.analysis.changed)
    }

    /// Reconciles at the current time until nothing changes.
    pub fn settle(&mut self) -> Result<(), SimError> {
        for _ in 0..MAX_RECONCILES_PER_INSTANT {
            let mut changed = self.workload.tick(self.now);
            changed |= self.analysis.step(self.now);
            if self.prepared.generation != self.rollout.generation() {
                self.prepared = engine::Prepared::new(&self.rollout);
            }
            // The engine reads the cluster's objects in place; only the runs' observed
            // halves are gathered, and copied only where they changed.
            sync_runs(&mut self.observed_runs, &self.analysis.runs);
            let view = ObservedView {
                template_hash: &self.template_hash,
                replica_sets: &self.workload.replica_sets,
                services: &self.workload.services,
                analysis_runs: &self.observed_runs,
            };
            let r = engine::reconcile_view(&self.prepared, &self.rollout, view, self.now, &self.config.options);
            self.reconciles += 1;
            changed |= self.perform(r.actions)?;
            if let Some(t) = r.requeue_at {
                self.wakes.insert(t);
            }
            self.rollout.status = r.status;
            if !changed && !r.status_changed {
                if !self.config.skip_timeline {
                    self.record();
                }
                return Ok(());
            }
        }
        Err(SimError::NoSettle(MAX_RECONCILES_PER_INSTANT))
    }

    /// The next instant something can happen by itself.
    pub fn next_wake(&self) -> Option<SystemTime> {
        let now = self.now;
        [self.wakes.iter().copied().find(|t| *t > now), self.workload.next_ready(), self.analysis.next_wake()]
            .into_iter()
            .flatten()
            .filter(|t| *t > now)
            .min()
    }

    /// Lets time pass until `t`, settling at every instant something happens.
    pub fn advance_to(&mut self, t: SystemTime) -> Result<(), SimError> {
        while let Some(w) = self.next_wake() {
            if w > t {
                break;
            }
            self.now = w;
            self.settle()?;
        }
        if t > self.now {
            self.now = t;
            self.settle()?;
        }
        Ok(())
    }

    /// Moves to the next instant something happens; false when nothing will.
    pub fn advance(&mut self) -> Result<bool, SimError> {
        match self.next_wake() {
            Some(w) => {
                self.now = w;
                self.settle()?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Seconds since the start.
    pub fn elapsed(&self) -> Duration {
        self.now.duration_since(self.start).unwrap_or(Duration::ZERO)
    }

    /// The ReplicaSet of a revision.
    pub fn replica_set(&self, hash: &str) -> Option<&ReplicaSet> {
        self.workload.replica_sets.iter().find(|r| r.hash == hash)
    }
}

/// Makes `observed` the runs' observed halves, copying only the runs that changed (a run's
/// phase changes a few times in its life; the engine reads the runs on every reconcile).
fn sync_runs(observed: &mut Vec<ObservedRun>, runs: &[SimRun]) {
    observed.truncate(runs.len());
    for (o, r) in observed.iter_mut().zip(runs) {
        if *o != r.observed {
            o.clone_from(&r.observed);
        }
    }
    let known = observed.len();
    observed.extend(runs[known..].iter().map(|r| r.observed.clone()));
}
