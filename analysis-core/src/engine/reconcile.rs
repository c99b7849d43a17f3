//! One reconcile of an AnalysisRun, split at its I/O (`reconcileAnalysisRun`, semantics §4).
//!
//! ```text
//! prepare(run, now)            validation, argument substitution, which metrics are due
//!   -> caller resolves secrets (fail_arguments on error) and runs the tasks' providers
//! record(run, outcomes, now)   bookkeeping, metric and run assessment, events, next wake-up
//!   -> caller garbage-collects what `record` asks for
//! trim(run, gc_results)        measurement history trimming
//! ```
//!
//! Every function is deterministic in its inputs: `now` is a parameter and the run's status is
//! the only state, so a run persisted between two reconciles continues exactly as if it had not
//! been.

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::args::{self, ArgValue};
use super::metric_rules::{self, limit_check};
use super::schedule;
use crate::phase::Phase;
use crate::spec::{AnalysisRun, Measurement, Metric, MetricResult, RunSummary, Time};
use crate::template::redact;

/// Argo's default number of measurements kept per metric.
pub const DEFAULT_MEASUREMENT_HISTORY_LIMIT: usize = 10;

/// What a measurement task must do.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskKind {
    /// Take a new measurement (provider `Run`).
    Measure,
    /// Resume the in-flight measurement (provider `Resume`).
    Resume(Measurement),
    /// Stop the in-flight measurement, the run is terminating (provider `Terminate`).
    Terminate(Measurement),
}

/// A metric to measure in this reconcile.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// The metric's index in `run.spec.metrics` (placeholders unresolved: substitute the
    /// real argument values, secrets included, before handing it to a provider) and in
    /// [`ResolvedSpec::metrics`] (resolved without secrets).
    pub index: usize,
    /// Run, resume or terminate.
    pub kind: TaskKind,
}

/// Which provider call produced a measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `Run`: a new measurement.
    Run,
    /// `Resume` of the in-flight measurement, which it replaces.
    Resume,
    /// `Terminate` of the in-flight measurement, which it replaces.
    Terminate,
}

/// The result of a provider call for one task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskOutcome {
    /// The metric's name.
    pub metric: String,
    /// The measurement the provider returned (or an Error measurement when the provider
    /// could not be constructed).
    pub measurement: Measurement,
    /// The provider's `GetMetadata`, when the provider was constructed; stored on a metric's
    /// first result only.
    pub provider_metadata: Option<BTreeMap<String, String>>,
    /// The call that produced it.
    pub via: Via,
}

impl Task {
    /// The metric as stored in the run, placeholders unresolved.
    pub fn metric<'r>(&self, run: &'r AnalysisRun) -> &'r Metric {
        &run.spec.metrics[self.index]
    }

    /// The metric resolved without secrets (for names, conditions and display).
    pub fn resolved<'s>(&self, spec: &'s ResolvedSpec) -> &'s Metric {
        &spec.metrics[self.index]
    }

    /// The provider call this task needs.
    pub fn via(&self) -> Via {
        match self.kind {
            TaskKind::Measure => Via::Run,
            TaskKind::Resume(_) => Via::Resume,
            TaskKind::Terminate(_) => Via::Terminate,
        }
    }
}

/// An event Argo would emit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `Normal` or `Warning`.
    pub kind: EventKind,
    /// `AnalysisRunFailed`, `MetricSuccessful`, ...
    pub reason: String,
    /// The event text.
    pub message: String,
}

/// Kubernetes event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// `Normal`.
    Normal,
    /// `Warning`: Failed and Error outcomes.
    Warning,
}

fn completion_event_kind(phase: Phase) -> EventKind {
    if matches!(phase, Phase::Error | Phase::Failed) { EventKind::Warning } else { EventKind::Normal }
}

fn run_completed_event(phase: Phase) -> Event {
    Event {
        kind: completion_event_kind(phase),
        reason: format!("AnalysisRun{phase}"),
        message: format!("Analysis Completed. Result: {phase}"),
    }
}

/// What `prepare` decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Prepared {
    /// The run was already completed: nothing changes. `ttl_expired` says whether Argo would
    /// delete it now (§4.9).
    Completed {
        /// The run's TTL has passed.
        ttl_expired: bool,
    },
    /// The run failed validation or placeholder substitution; its status now says Error.
    Invalid(Event),
    /// The metrics to measure now (possibly none).
    Measure(Vec<Task>),
}

/// A garbage-collection request: the provider of `metric` keeps at most `limit` measurements
/// (Job deletes old Jobs) before the history is trimmed.
#[derive(Debug, Clone, PartialEq)]
pub struct GcRequest {
    /// The metric, placeholders resolved without secrets.
    pub metric: Metric,
    /// Measurements to keep.
    pub limit: usize,
}

/// What `record` produced besides the status changes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recorded {
    /// Events to emit, in order.
    pub events: Vec<Event>,
    /// Garbage collection to perform before [`trim`].
    pub gc: Vec<GcRequest>,
    /// When to reconcile next (`None`: no timer; the next event wakes the run).
    pub next_reconcile: Option<SystemTime>,
}

fn nanos(t: SystemTime) -> i128 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

fn set_error(run: &mut AnalysisRun, message: String) -> Event {
    run.status.phase = Some(Phase::Error);
    run.status.message = message;
    run_completed_event(Phase::Error)
}

/// The run's metrics with placeholders resolved without secrets.
pub fn resolved_metrics(run: &AnalysisRun) -> Result<Vec<Metric>, String> {
    let values = args::values_without_secrets(&run.spec.args);
    run.spec.metrics.iter().map(|m| args::resolve_metric(m, &values)).collect()
}

/// Which metrics are dry-run: each rule is an unanchored regular expression that must match
/// at least one metric (`GetDryRunMetrics`).
pub fn dry_run_metrics(run: &AnalysisRun, metrics: &[Metric]) -> Result<BTreeMap<String, bool>, String> {
    let rules = run.spec.dry_run.iter().map(|r| (r.metric_name.as_str(), true));
    apply_rules("dryRun", rules, metrics)
}

/// Which retention rule applies to each metric (the last matching rule wins).
pub fn retention_limits(run: &AnalysisRun, metrics: &[Metric]) -> Result<BTreeMap<String, i32>, String> {
    let rules = run.spec.measurement_retention.iter().map(|r| (r.metric_name.as_str(), r.limit));
    apply_rules("measurementRetention", rules, metrics)
}

/// Applies name-matching rules in order (a later match overwrites an earlier one); each rule
/// must match at least one metric.
fn apply_rules<'r, T: Copy>(
    field: &str,
    rules: impl Iterator<Item = (&'r str, T)>,
    metrics: &[Metric],
) -> Result<BTreeMap<String, T>, String> {
    let mut map = BTreeMap::new();
    for (i, (pattern, value)) in rules.enumerate() {
        let matched = match_rule(pattern, metrics);
        if matched.is_empty() {
            return Err(format!("{field}[{i}]: Rule didn't match any metric name(s)"));
        }
        for name in matched {
            map.insert(name, value);
        }
    }
    Ok(map)
}

/// Metric names an unanchored RE2 pattern matches; an invalid pattern matches nothing.
fn match_rule(pattern: &str, metrics: &[Metric]) -> Vec<String> {
    match regex::Regex::new(pattern) {
        Ok(re) => metrics.iter().filter(|m| re.is_match(&m.name)).map(|m| m.name.clone()).collect(),
        Err(_) => Vec::new(),
    }
}

/// `IsTerminating`: `spec.terminate`, or a non-dry-run metric Failed, Error or Inconclusive.
pub fn is_terminating(run: &AnalysisRun) -> bool {
    run.spec.terminate
        || run
            .status
            .metric_results
            .iter()
            .any(|r| !r.dry_run && matches!(r.phase, Phase::Failed | Phase::Error | Phase::Inconclusive))
}

/// §4.9: whether a completed run's TTL has passed at `now`.
pub fn ttl_expired(run: &AnalysisRun, now: SystemTime) -> bool {
    let (Some(phase), Some(ttl), Some(completed)) =
        (run.status.phase, run.spec.ttl_strategy.as_ref(), run.status.completed_at)
    else {
        return false;
    };
    if !phase.is_completed() {
        return false;
    }
    let seconds = match phase {
        Phase::Successful if ttl.seconds_after_success.is_some() => ttl.seconds_after_success,
        Phase::Failed if ttl.seconds_after_failure.is_some() => ttl.seconds_after_failure,
        _ => ttl.seconds_after_completion,
    };
    let Some(seconds) = seconds else { return false };
    let elapsed = (nanos(now) - i128::from(completed.unix()) * 1_000_000_000) / 1_000_000_000;
    elapsed as i32 > seconds
}

/// What a run's spec resolves to without secrets: the metrics Argo schedules and assesses,
/// and its dry-run and retention selections, or the message that makes the run an Error.
///
/// Argo recomputes this on every reconcile; it depends only on the spec (`terminate` aside),
/// so a driver may compute it once per run and reuse it ([`prepare_with`], [`record_with`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSpec {
    /// The metrics with placeholders resolved (secrets as `temp-for-secret`).
    pub metrics: Vec<Metric>,
    /// Dry-run metrics by name.
    pub dry_run: BTreeMap<String, bool>,
    /// Retention limit by metric name.
    pub retention: BTreeMap<String, i32>,
    /// The run's Error message when the spec is invalid.
    pub invalid: Option<String>,
    /// Each metric's parsed `interval` (`None`: unset or unparsable) and `initialDelay`
    /// (`Some(Err(()))`: unparsable, which skips the metric forever).
    pub(crate) timing: Vec<Timing>,
}

/// A metric's durations, parsed once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timing {
    /// `interval` in nanoseconds: `None` unset, `Some(Err)` unparsable.
    pub interval: Option<Result<i64, ()>>,
    /// `initialDelay` in nanoseconds: `None` unset, `Some(Err)` unparsable.
    pub initial_delay: Option<Result<i64, ()>>,
}

impl Timing {
    fn of(m: &Metric) -> Timing {
        let parse = |s: &str| (!s.is_empty()).then(|| crate::go::duration::parse_duration(s).map_err(|_| ()));
        Timing { interval: parse(&m.interval), initial_delay: parse(&m.initial_delay) }
    }
}

impl ResolvedSpec {
    /// Resolves and validates the run's spec as Argo does at the start of a reconcile.
    pub fn new(run: &AnalysisRun) -> ResolvedSpec {
        let mut r = ResolvedSpec {
            metrics: Vec::new(),
            dry_run: BTreeMap::new(),
            retention: BTreeMap::new(),
            invalid: None,
            timing: Vec::new(),
        };
        r.metrics = match resolved_metrics(run) {
            Ok(m) => m,
            Err(e) => {
                r.invalid = Some(format!("Unable to resolve metric arguments: {e}"));
                return r;
            }
        };
        if let Err(e) = metric_rules::validate_metrics(&r.metrics) {
            r.invalid = Some(format!("Analysis spec invalid: {e}"));
            return r;
        }
        r.timing = r.metrics.iter().map(Timing::of).collect();
        match dry_run_metrics(run, &r.metrics).and_then(|d| Ok((d, retention_limits(run, &r.metrics)?))) {
            Ok((d, k)) => {
                r.dry_run = d;
                r.retention = k;
            }
            Err(e) => r.invalid = Some(format!("Analysis spec invalid: {e}")),
        }
        r
    }
}

/// Step 1 of a reconcile: validation, placeholder substitution and task generation.
pub fn prepare(run: &mut AnalysisRun, now: SystemTime) -> Prepared {
    if run.status.phase.is_some_and(Phase::is_completed) {
        return Prepared::Completed { ttl_expired: ttl_expired(run, now) };
    }
    let spec = ResolvedSpec::new(run);
    prepare_with(&spec, run, now)
}

/// [`prepare`] with the spec resolved beforehand.
pub fn prepare_with(spec: &ResolvedSpec, run: &mut AnalysisRun, now: SystemTime) -> Prepared {
    if run.status.phase.is_some_and(Phase::is_completed) {
        return Prepared::Completed { ttl_expired: ttl_expired(run, now) };
    }
    if let Some(message) = &spec.invalid {
        return Prepared::Invalid(set_error(run, message.clone()));
    }
    Prepared::Measure(schedule::tasks(run, spec, now))
}

/// The tasks [`prepare_with`] would hand out at `now`, read without touching the run: `None`
/// when the run is completed or its spec is invalid (then `prepare_with` is the step to call).
///
/// A reconcile's tasks depend only on the status and `now`, and the status does not change
/// between two reconciles, so a driver that knows when it will next reconcile can work out that
/// reconcile's tasks ahead of time and have its provider calls ready to start at the deadline.
pub fn tasks_due(spec: &ResolvedSpec, run: &AnalysisRun, now: SystemTime) -> Option<Vec<Task>> {
    if run.status.phase.is_some_and(Phase::is_completed) || spec.invalid.is_some() {
        return None;
    }
    Some(schedule::tasks(run, spec, now))
}

/// For the caller: secret resolution or substitution with secrets failed (§2 step 5). The
/// run becomes Error, without `startedAt`/`completedAt`.
pub fn fail_arguments(run: &mut AnalysisRun, error: &str) -> Event {
    set_error(run, format!("Unable to resolve metric arguments: {error}"))
}

/// The argument values to resolve a task's metric with for its provider, given the secrets.
pub fn measurement_args(run: &AnalysisRun, secret: impl FnMut(&str, &str) -> Option<String>) -> Vec<ArgValue> {
    args::values_with_secrets(&run.spec.args, secret)
}

/// Step 2: records the task outcomes, assesses metrics and the run, and computes the next
/// wake-up. `secrets` are replaced by `*****` in measurement messages.
pub fn record(run: &mut AnalysisRun, outcomes: Vec<TaskOutcome>, secrets: &[String], now: SystemTime) -> Recorded {
    let spec = ResolvedSpec::new(run);
    record_with(&spec, run, outcomes, secrets, now)
}

/// [`record`] with the spec resolved beforehand.
pub fn record_with(
    spec: &ResolvedSpec,
    run: &mut AnalysisRun,
    outcomes: Vec<TaskOutcome>,
    secrets: &[String],
    now: SystemTime,
) -> Recorded {
    let mut recorded = Recorded::default();
    if spec.invalid.is_some() {
        return recorded;
    }
    let (metrics, dry_run) = (&spec.metrics, &spec.dry_run);
    let now_time = Time::from_system(now);
    for outcome in outcomes {
        let limit = match spec.retention.get(&outcome.metric) {
            Some(l) if *l > 0 => *l as usize,
            _ => DEFAULT_MEASUREMENT_HISTORY_LIMIT,
        };
        record_measurement(run, outcome, dry_run, limit + 1, secrets, now_time);
    }
    let (phase, message, events) = assess_run(run, metrics, dry_run, now_time);
    recorded.events.extend(events);
    if Some(phase) != run.status.phase {
        run.status.phase = Some(phase);
        run.status.message = message;
        if phase.is_completed() {
            recorded.events.push(run_completed_event(phase));
            if run.status.completed_at.is_none() {
                run.status.completed_at = Some(now_time);
            }
        }
    }
    let retention = &spec.retention;
    for result in &run.status.metric_results {
        let limit = match retention.get(&result.name) {
            Some(l) if *l > 0 => *l as usize,
            _ => DEFAULT_MEASUREMENT_HISTORY_LIMIT,
        };
        if result.measurements.len() > limit
            && let Some(metric) = metrics.iter().find(|m| m.name == result.name)
        {
            recorded.gc.push(GcRequest { metric: metric.clone(), limit });
        }
    }
    recorded.next_reconcile = schedule::next_reconcile(run, spec, now);
    recorded
}

/// Step 3: trims measurement histories after garbage collection. `gc_results[i]` answers
/// `Recorded::gc[i]`: a provider that could not be constructed (`Err(None)`) leaves its metric
/// untrimmed; a garbage-collection error (`Err(Some(e))`) stops trimming there, as in Argo.
pub fn trim(run: &mut AnalysisRun, requests: &[GcRequest], gc_results: &[Result<(), Option<String>>]) {
    for (req, res) in requests.iter().zip(gc_results) {
        match res {
            Ok(()) => {
                if let Some(result) = run.status.metric_results.iter_mut().find(|r| r.name == req.metric.name) {
                    let len = result.measurements.len();
                    if len > req.limit {
                        result.measurements.drain(..len - req.limit);
                    }
                }
            }
            Err(None) => continue,
            Err(Some(_)) => return,
        }
    }
}

/// Bookkeeping for one measurement (§4.4).
fn record_measurement(
    run: &mut AnalysisRun,
    outcome: TaskOutcome,
    dry_run: &BTreeMap<String, bool>,
    history_capacity: usize,
    secrets: &[String],
    now: Time,
) {
    let TaskOutcome { metric, measurement: mut m, provider_metadata, via } = outcome;
    let index = match run.status.metric_results.iter().position(|r| r.name == metric) {
        Some(i) => i,
        None => {
            if run.status.metric_results.capacity() == 0 {
                run.status.metric_results.reserve_exact(run.spec.metrics.len());
            }
            run.status.metric_results.push(MetricResult {
                phase: Phase::Running,
                dry_run: dry_run.get(&metric).copied().unwrap_or(false),
                metadata: provider_metadata.map(Into::into).unwrap_or_default(),
                // Room for the history limit plus the one appended before trimming.
                measurements: Vec::with_capacity(history_capacity),
                name: metric,
                ..MetricResult::default()
            });
            run.status.metric_results.len() - 1
        }
    };
    let result = &mut run.status.metric_results[index];
    if via == Via::Terminate && matches!(m.phase, Phase::Successful | Phase::Inconclusive) {
        m.message = "Metric Terminated".to_string();
    }
    if m.phase.is_completed() {
        if m.finished_at.is_none() {
            m.finished_at = Some(now);
        }
        match m.phase {
            Phase::Successful => {
                result.successful += 1;
                result.count += 1;
                result.consecutive_error = 0;
                result.consecutive_success += 1;
            }
            Phase::Failed => {
                result.failed += 1;
                result.count += 1;
                result.consecutive_error = 0;
                result.consecutive_success = 0;
            }
            Phase::Inconclusive => {
                result.inconclusive += 1;
                result.count += 1;
                result.consecutive_error = 0;
                result.consecutive_success = 0;
            }
            _ => {
                result.error += 1;
                result.consecutive_error += 1;
                result.consecutive_success = 0;
            }
        }
    }
    if !secrets.is_empty() {
        m.message = redact(&m.message, secrets);
    }
    if via != Via::Run && !result.measurements.is_empty() {
        let last = result.measurements.len() - 1;
        result.measurements[last] = m;
    } else {
        result.measurements.push(m);
    }
}

/// `assessRunStatus` (§7.1): updates each metric's stored phase and message, the summaries,
/// and returns the run's phase and message plus the metric events.
fn assess_run(
    run: &mut AnalysisRun,
    metrics: &[Metric],
    dry_run: &BTreeMap<String, bool>,
    now: Time,
) -> (Phase, String, Vec<Event>) {
    let terminating = is_terminating(run);
    if run.status.started_at.is_none() {
        run.status.started_at = Some(now);
    }
    let mut events = Vec::new();
    let mut worst: Option<Phase> = None;
    let mut message = if run.spec.terminate { "Run Terminated".to_string() } else { String::new() };
    let mut all_done = true;
    let mut summary = RunSummary::default();
    let mut dry_summary = RunSummary::default();
    for metric in metrics {
        let is_dry = dry_run.get(&metric.name).copied().unwrap_or(false);
        if is_dry {
            dry_summary.count += 1;
        } else {
            summary.count += 1;
        }
        let Some(index) = run.status.metric_results.iter().position(|r| r.name == metric.name) else {
            all_done = false;
            continue;
        };
        let phase = metric_rules::assess_metric(metric, &run.status.metric_results[index], terminating);
        let result = &mut run.status.metric_results[index];
        if result.phase != phase {
            if phase.is_completed() {
                events.push(Event {
                    kind: completion_event_kind(phase),
                    reason: format!("Metric{phase}"),
                    message: format!("Metric '{}' Completed. Result: {phase}", metric.name),
                });
            }
            if let Some(last) = result.measurements.last() {
                result.message = last.message.clone();
            }
            result.phase = phase;
        }
        if !phase.is_completed() {
            all_done = false;
            continue;
        }
        let (limit_phase, reason) = match limit_check(metric, result) {
            Some((p, r)) => (Some(p), r),
            None => (None, String::new()),
        };
        let bucket = if is_dry { &mut dry_summary } else { &mut summary };
        match limit_phase {
            Some(Phase::Error) => bucket.error += 1,
            Some(Phase::Failed) => bucket.failed += 1,
            Some(Phase::Inconclusive) => bucket.inconclusive += 1,
            _ => bucket.successful += 1,
        }
        if is_dry {
            if worst.is_none() {
                worst = Some(Phase::Successful);
            }
            if !reason.is_empty() {
                result.message = format!("Metric assessed {phase} due to {reason}");
            }
        } else if worst.is_none_or(|w| phase.rank() > w.rank()) {
            worst = Some(phase);
            if !reason.is_empty() {
                message = format!("Metric \"{}\" assessed {phase} due to {reason}", metric.name);
                if !result.message.is_empty() {
                    message.push_str(&format!(": \"Error Message: {}\"", result.message));
                }
            }
        }
    }
    let message = message.trim().to_string();
    run.status.run_summary = summary;
    run.status.dry_run_summary = Some(dry_summary);
    let phase = if terminating {
        worst.unwrap_or(Phase::Successful)
    } else if !all_done || worst.is_none() {
        return (Phase::Running, String::new(), events);
    } else {
        worst.unwrap_or(Phase::Running)
    };
    (phase, message, events)
}
