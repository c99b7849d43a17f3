//! The step engine: one reconcile of a Rollout, as Argo's controller performs it
//! (`rollout/context.go:reconcile`), as a pure function.
//!
//! [`reconcile`] takes the Rollout (spec and the status persisted so far), what is observed
//! of the world, and the time; it returns the new status, the actions to perform and when to
//! be called again. It reads no clock and performs no I/O. Argo's controller is
//! level-triggered and makes *at most a few writes per reconcile* (one ReplicaSet scaled,
//! one step advanced), and the engine keeps that granularity, because observable behaviour
//! (traffic lagging replicas by one reconcile, a pause step taking two) depends on it. A
//! driver therefore calls it repeatedly, applying the actions in between, until the status
//! and the world stop changing.

mod analysis;
mod bluegreen;
mod canary;
mod pause;
mod replica_sets;
mod status;
mod traffic;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use augur_analysis_core::spec::Time;

use crate::action::Action;
use crate::rollout::{Rollout, RolloutStatus, SharedStr};
use crate::world::{Observed, ObservedRun, ObservedView, ReplicaSet, RunKind, Service};

pub use canary::step_string;
pub use pause::PauseContext;
pub use status::{calculate_phase, set_condition};

/// Engine settings that Argo takes from the controller's flags.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The controller's resync period (Argo's default 900 s). Long abort scale-down delays
    /// interact with it (see the semantics, §7.9).
    pub resync_period: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options { resync_period: Duration::from_secs(900) }
    }
}

/// The outcome of one reconcile.
#[derive(Debug, Clone, PartialEq)]
pub struct Reconciled {
    /// The status to persist.
    pub status: RolloutStatus,
    /// Whether it differs from the Rollout's status (a driver patches only then).
    pub status_changed: bool,
    /// What to do, in order.
    pub actions: Vec<Action>,
    /// When to reconcile again at the latest (a pause, a scale-down deadline or the progress
    /// deadline); `None` when only an outside change can move the rollout.
    pub requeue_at: Option<SystemTime>,
}

/// What the engine derives from a Rollout's spec alone (its steps' hash, Argo's validation),
/// computed once per spec, as analysis-core's `ResolvedSpec` is per run. A driver keeps it
/// while `metadata.generation` is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// `ComputeStepHash` of the steps.
    pub step_hash: SharedStr,
    /// The first validation error (Argo's `InvalidSpec` message), if any.
    pub invalid: Option<String>,
    /// The generation it was computed for.
    pub generation: i64,
    /// `metav1.FormatLabelSelector(spec.selector)`, as `status.selector` shows it.
    pub selector: SharedStr,
}

impl Prepared {
    /// Derives it from `rollout`'s spec.
    pub fn new(rollout: &Rollout) -> Prepared {
        Prepared {
            step_hash: crate::rollout::step_hash(rollout).into(),
            invalid: crate::rollout::validate::validate(rollout).first().map(ToString::to_string),
            generation: rollout.generation(),
            selector: canary::selector_string(rollout.spec.selector.as_ref()).into(),
        }
    }
}

/// One reconcile of `rollout` against `observed` at `now`.
pub fn reconcile(rollout: &Rollout, observed: &Observed, now: SystemTime, options: &Options) -> Reconciled {
    reconcile_prepared(&Prepared::new(rollout), rollout, observed, now, options)
}

/// [`reconcile`] with the spec's [`Prepared`] computed beforehand (it must be `rollout`'s).
pub fn reconcile_prepared(
    prepared: &Prepared,
    rollout: &Rollout,
    observed: &Observed,
    now: SystemTime,
    options: &Options,
) -> Reconciled {
    reconcile_view(prepared, rollout, observed.view(), now, options)
}

/// [`reconcile_prepared`] against a borrowed view of the world (what a driver that keeps its
/// objects in place, such as the simulator, hands the engine).
pub fn reconcile_view(
    prepared: &Prepared,
    rollout: &Rollout,
    observed: ObservedView<'_>,
    now: SystemTime,
    options: &Options,
) -> Reconciled {
    let mut ctx = Ctx::new(rollout, observed, now, options, prepared);
    ctx.run();
    let status_changed = match (&ctx.unchanged, &ctx.out) {
        (Some(unchanged), _) => !unchanged,
        (None, Some(out)) => *out != rollout.status,
        (None, None) => false,
    };
    Reconciled {
        status: ctx.out.unwrap_or_else(|| rollout.status.clone()),
        status_changed,
        actions: ctx.actions,
        requeue_at: ctx.requeue,
    }
}

/// The analysis runs named in the status (Argo's "current" runs).
#[derive(Debug, Clone, Default)]
pub(crate) struct CurrentRuns {
    pub step: Option<ObservedRun>,
    pub background: Option<ObservedRun>,
    pub pre: Option<ObservedRun>,
    pub post: Option<ObservedRun>,
}

/// `rolloutContext`: the state of one reconcile.
pub(crate) struct Ctx<'a> {
    pub ro: &'a Rollout,
    pub prepared: &'a Prepared,
    pub options: &'a Options,
    /// The reconcile's time.
    pub now: SystemTime,
    /// `now` at Kubernetes' one-second precision, as written into status.
    pub now_t: Time,
    /// The ReplicaSets (a working copy: Argo updates its in-memory objects after some writes).
    pub rss: Cow<'a, [ReplicaSet]>,
    pub new_idx: Option<usize>,
    pub stable_idx: Option<usize>,
    pub services: Cow<'a, BTreeMap<String, Service>>,
    pub current: CurrentRuns,
    pub other_runs: Vec<&'a ObservedRun>,
    pub all_runs: &'a [ObservedRun],
    /// The hash of `spec.template`.
    pub template_hash: &'a str,
    pub new_status: RolloutStatus,
    pub pause: PauseContext,
    pub actions: Vec<Action>,
    pub requeue: Option<SystemTime>,
    pub new_rs_within_delay: bool,
    /// The persisted status, once the reconcile has computed it.
    pub out: Option<RolloutStatus>,
    /// Whether `out` equals the previous status, when already compared.
    pub unchanged: Option<bool>,
}

impl<'a> Ctx<'a> {
    fn new(
        ro: &'a Rollout,
        observed: ObservedView<'a>,
        now: SystemTime,
        options: &'a Options,
        prepared: &'a Prepared,
    ) -> Ctx<'a> {
        let now_t = Time::from_system(now);
        let rss = Cow::Borrowed(observed.replica_sets);
        let new_idx = rss.iter().position(|rs| rs.hash == observed.template_hash);
        let stable_idx = if ro.status.stable_rs.is_empty() {
            None
        } else {
            rss.iter().position(|rs| rs.hash == ro.status.stable_rs)
        };
        let mut current = CurrentRuns::default();
        let mut other_runs = Vec::new();
        let st = &ro.status;
        let named = |s: &Option<crate::rollout::RolloutAnalysisRunStatus>, name: &str| {
            s.as_ref().is_some_and(|s| s.name == name)
        };
        for run in observed.analysis_runs {
            if named(&st.canary.current_step_analysis_run_status, &run.name) {
                current.step = Some(run.clone());
            } else if named(&st.canary.current_background_analysis_run_status, &run.name) {
                current.background = Some(run.clone());
            } else if named(&st.blue_green.pre_promotion_analysis_run_status, &run.name) {
                current.pre = Some(run.clone());
            } else if named(&st.blue_green.post_promotion_analysis_run_status, &run.name) {
                current.post = Some(run.clone());
            } else {
                other_runs.push(run);
            }
        }
        let mut new_status = RolloutStatus { restarted_at: st.restarted_at, ..Default::default() };
        new_status.canary.weights = st.canary.weights.clone();
        let new_rs_within_delay =
            new_idx.is_some_and(|i| rss[i].scale_down_deadline.is_some_and(|d| d.to_system() > now));
        Ctx {
            ro,
            prepared,
            options,
            now,
            now_t,
            rss,
            new_idx,
            stable_idx,
            services: Cow::Borrowed(observed.services),
            current,
            other_runs,
            all_runs: observed.analysis_runs,
            template_hash: observed.template_hash,
            new_status,
            pause: PauseContext::default(),
            actions: Vec::new(),
            requeue: None,
            new_rs_within_delay,
            out: None,
            unchanged: None,
        }
    }

    fn run(&mut self) {
        if let Some(message) = &self.prepared.invalid {
            self.invalid_spec(message);
            return;
        }
        if self.new_idx.is_none() {
            self.create_new_replica_set();
            return;
        }
        if self.ro.is_fully_promoted() && self.pause.is_aborted(self.ro) {
            self.pause.remove_abort();
        }
        // checkPausedConditions
        if generation_observed(self.ro) && self.check_paused_conditions() {
            return;
        }
        if self.is_scaling_event() {
            self.sync_replicas_only();
            return;
        }
        if self.ro.blue_green().is_some() {
            self.rollout_blue_green();
        } else {
            self.rollout_canary();
        }
    }

    /// The RS name Argo uses in messages: `<rollout>-<hash>`.
    pub fn rs_name(&self, hash: &str) -> String {
        format!("{}-{}", self.ro.name(), hash)
    }

    pub fn new_rs(&self) -> Option<&ReplicaSet> {
        self.new_idx.map(|i| &self.rss[i])
    }

    /// `GetStableRS`: the new RS when it carries the stable hash.
    pub fn stable_rs(&self) -> Option<&ReplicaSet> {
        self.stable_idx.map(|i| &self.rss[i])
    }

    /// The ReplicaSets that are neither new nor stable.
    pub fn other_rss(&self) -> Vec<&ReplicaSet> {
        self.rss
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != self.new_idx && Some(*i) != self.stable_idx)
            .map(|(_, rs)| rs)
            .collect()
    }

    pub fn other_indices(&self) -> Vec<usize> {
        (0..self.rss.len()).filter(|i| Some(*i) != self.new_idx && Some(*i) != self.stable_idx).collect()
    }

    pub fn new_hash(&self) -> String {
        self.new_hash_str().to_string()
    }

    /// The new ReplicaSet's hash, borrowed ("" without one).
    pub fn new_hash_str(&self) -> &str {
        self.new_rs().map_or("", |rs| rs.hash.as_str())
    }

    /// The rollout's revision (that of the new ReplicaSet).
    pub fn revision(&self) -> i64 {
        self.new_rs().map_or(0, |rs| rs.revision)
    }

    pub fn requeue_after(&mut self, d: Duration) {
        let at = self.now + d;
        self.requeue = Some(match self.requeue {
            Some(t) if t < at => t,
            _ => at,
        });
    }

    pub fn requeue_at(&mut self, at: SystemTime) {
        if at <= self.now {
            return;
        }
        self.requeue = Some(match self.requeue {
            Some(t) if t < at => t,
            _ => at,
        });
    }

    pub fn event(&mut self, reason: &str, message: String, warning: bool) {
        self.actions.push(Action::Event { reason: reason.into(), message, warning });
    }

    /// `createDesiredReplicaSet`: the new revision gets max(revision)+1 and 0 replicas; the
    /// reconcile ends (the next one sees it).
    fn create_new_replica_set(&mut self) {
        let hash = self.ro_template_hash();
        let revision = self.rss.iter().map(|rs| rs.revision).max().unwrap_or(0) + 1;
        self.actions.push(Action::CreateReplicaSet { hash: hash.clone(), revision });
        let name = self.rs_name(&hash);
        self.event("NewReplicaSetCreated", format!("Created ReplicaSet {name} (revision {revision})"), false);
        let mut status = self.ro.status.clone();
        let cond = status::new_condition(
            "Progressing",
            "True",
            "NewReplicaSetCreated",
            format!("Created new replica set {name:?}"),
            self.now_t,
        );
        set_condition(&mut status, cond);
        self.out = Some(status);
    }

    fn ro_template_hash(&self) -> String {
        self.template_hash.to_string()
    }
}

impl Ctx<'_> {
    /// The InvalidSpec condition (`createInvalidRolloutCondition`): phase Degraded.
    fn invalid_spec(&mut self, message: &str) {
        let mut status = self.ro.status.clone();
        let prev = status.condition("InvalidSpec").cloned();
        if prev.as_ref().is_none_or(|c| c.message != message) {
            let cond = status::new_condition("InvalidSpec", "True", "InvalidSpec", message.to_string(), self.now_t);
            set_condition(&mut status, cond);
        }
        status.observed_generation = status::observed_generation(self.ro);
        let (phase, msg) = calculate_phase(self.ro, &status);
        status.phase = Some(phase);
        status.message = msg;
        self.out = Some(status);
    }
}

/// `strconv.Itoa(generation) == status.observedGeneration`, the decimal written on the stack.
pub(crate) fn generation_observed(ro: &Rollout) -> bool {
    let mut buf = [0u8; 20];
    ro.status.observed_generation.as_bytes() == decimal(ro.generation(), &mut buf)
}

/// `n` in decimal as `strconv.Itoa` writes it (`-` and digits; i64::MIN takes all 20 bytes).
fn decimal(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let mut u = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if n < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Whether the runs list holds a run of this name.
pub(crate) fn run_exists(runs: &[ObservedRun], name: &str) -> bool {
    runs.iter().any(|r| r.name == name)
}

/// The kind a status entry belongs to.
pub(crate) fn kind_name(kind: RunKind) -> &'static str {
    kind.label()
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn decimal_is_itoa() {
        for n in [0, 1, 9, 10, -1, -10, 1_234_567, i64::MAX, i64::MIN] {
            let mut buf = [0u8; 20];
            assert_eq!(decimal(n, &mut buf), n.to_string().as_bytes());
        }
    }
}
