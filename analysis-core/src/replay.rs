//! Offline replay: an AnalysisRun driven on virtual time, with provider results taken from
//! recorded data instead of live providers.
//!
//! The data file names, per metric, the results its measurements return, in order:
//!
//! ```yaml
//! metrics:
//!   success-rate:
//!     resultType: number_list      # optional; inferred from each value otherwise
//!     measurements:
//!     - value: [0.97]              # a result: the metric's conditions decide the phase
//!     - error: "connection refused"  # a provider error: an Error measurement
//!     - phase: Successful          # a provider that decides the phase itself (Job, plugins)
//! ```
//!
//! The driver reconciles the run as Argo's controller would: immediately again after a status
//! change, otherwise at the engine's next wake-up. Measurements take no time, so a run of
//! `count: 5, interval: 1m` ends four minutes after it starts. The data cursor is shared by all
//! runs that measure the same metric name, in the order the measurements are taken.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::engine::{self, Prepared, TaskKind, TaskOutcome};
use crate::expr::Value;
use crate::go::gofmt::format_float;
use crate::measurement::Conditions;
use crate::phase::Phase;
use crate::result_type::ResultType;
use crate::spec::{AnalysisRun, Measurement, Metric, Time};

/// Recorded provider results, per metric name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayData {
    /// Results per metric name.
    #[serde(default)]
    pub metrics: BTreeMap<String, MetricData>,
}

/// The recorded results of one metric.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricData {
    /// How the provider types its results; inferred from each value when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The results, one per measurement, in order.
    #[serde(default)]
    pub measurements: Vec<RecordedMeasurement>,
}

/// One recorded provider answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedMeasurement {
    /// The result value (`value: [0.97]`; `value: null` is a null result, as Datadog gives
    /// when it has no data).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub value: Option<Value>,
    /// A provider error (`error: "connection refused"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// A phase decided by the provider itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// The measurement message that goes with `phase`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A present field is `Some`, even when its value is null.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// How far each metric's recorded results have been consumed.
#[derive(Debug, Clone, Default)]
pub struct DataCursor {
    taken: BTreeMap<String, usize>,
}

/// Why a replay stopped before the run completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayEnd {
    /// The run completed (its phase says how).
    Completed,
    /// A metric needed another measurement and the data had none.
    DataRanOut {
        /// The metric.
        metric: String,
    },
    /// The run is waiting for something outside the data (an in-flight measurement with no
    /// resume time), or stopped after too many reconciles.
    Stalled,
}

impl ReplayData {
    /// Validates the file's values against their declared result types.
    pub fn validate(&self) -> Result<(), String> {
        for (name, m) in &self.metrics {
            for (i, entry) in m.measurements.iter().enumerate() {
                let set = [entry.value.is_some(), entry.error.is_some(), entry.phase.is_some()];
                if set.iter().filter(|b| **b).count() != 1 {
                    return Err(format!("metrics.{name}.measurements[{i}]: give exactly one of value, error or phase"));
                }
                if let (Some(t), Some(v)) = (m.result_type, &entry.value) {
                    t.apply(v.clone()).map_err(|e| format!("metrics.{name}.measurements[{i}].value: {e}"))?;
                }
            }
        }
        Ok(())
    }

    /// The next recorded answer for `metric`, advancing the cursor.
    pub fn next(&self, metric: &str, cursor: &mut DataCursor) -> Option<(Option<ResultType>, RecordedMeasurement)> {
        let data = self.metrics.get(metric)?;
        let taken = match cursor.taken.get_mut(metric) {
            Some(t) => t,
            None => cursor.taken.entry(metric.to_string()).or_insert(0),
        };
        let entry = data.measurements.get(*taken)?.clone();
        *taken += 1;
        Some((data.result_type, entry))
    }
}

/// Argo's measurement `value` text for a result: numbers as `strconv.FormatFloat(v, 'f', -1)`
/// (`NaN`, `+Inf`), lists as `[a,b]`, JSON re-encoded compactly.
pub fn render_value(v: &Value) -> String {
    match v {
        Value::Float(f) => format_float(*f, 'f', -1),
        Value::List(l) if l.elem == crate::expr::ElemType::Float => {
            let items: Vec<String> =
                l.items.iter().map(|i| i.as_f64().map_or_else(String::new, |f| format_float(f, 'f', -1))).collect();
            format!("[{}]", items.join(","))
        }
        Value::String(s) => s.to_string(),
        other => other.to_json().map(|j| crate::go::json::marshal(&j)).unwrap_or_else(|_| other.to_string()),
    }
}

/// `v` as Go's `json.Marshal` writes it (keys sorted, `<>&` escaped, floats in Go's JSON
/// format); a value JSON cannot hold (NaN) is rendered as [`render_value`] does.
pub fn render_json(v: &Value) -> String {
    v.to_json().map(|j| crate::go::json::marshal(&j)).unwrap_or_else(|_| render_value(v))
}

/// The measurement a recorded answer produces for `metric` at `now`.
pub fn measure(
    metric: &Metric,
    result_type: Option<ResultType>,
    entry: &RecordedMeasurement,
    now: SystemTime,
) -> Measurement {
    let conditions = Conditions::new(&metric.success_condition, &metric.failure_condition);
    measure_with(&conditions, result_type, entry, now)
}

/// [`measure`] with the metric's conditions compiled beforehand.
pub fn measure_with(
    conditions: &Conditions,
    result_type: Option<ResultType>,
    entry: &RecordedMeasurement,
    now: SystemTime,
) -> Measurement {
    let at = Some(Time::from_system(now));
    let mut m = Measurement { started_at: at, finished_at: at, ..Default::default() };
    if let Some(phase) = entry.phase {
        m.phase = phase;
        m.message = entry.message.clone().unwrap_or_default();
        if !phase.is_completed() {
            m.finished_at = None;
        }
        return m;
    }
    if let Some(error) = &entry.error {
        m.phase = Phase::Error;
        m.message = error.clone();
        return m;
    }
    let raw = entry.value.clone().unwrap_or(Value::Nil);
    let typed = match result_type.unwrap_or_else(|| ResultType::infer(&raw)).apply(raw) {
        Ok(v) => v,
        Err(e) => {
            m.phase = Phase::Error;
            m.message = e;
            return m;
        }
    };
    m.value = match result_type {
        // A `json` result is what a provider decoded from JSON and re-encodes for `value`, as
        // Argo's web provider does with `json.Marshal` (`"ok"` keeps its quotes).
        Some(ResultType::Json) => render_json(&typed),
        _ => render_value(&typed),
    };
    match conditions.evaluate(&typed, now) {
        Ok(phase) => m.phase = phase,
        Err(e) => {
            m.phase = Phase::Error;
            m.message = e.to_string();
            m.value.clear();
        }
    }
    m
}

/// The run's and its metrics' phases, to notice a status change (after which Argo reconciles
/// again at once): take it before a reconcile, hand it to [`settle`] after.
#[derive(PartialEq)]
pub enum Phases {
    /// Up to [`Phases::PACKED`] metric phases, three bits each: no allocation on the common path.
    Packed(Option<Phase>, usize, u64),
    /// More metrics than fit in a `u64`.
    Listed(Option<Phase>, Vec<Phase>),
}

impl Phases {
    /// How many metric phases a `u64` holds exactly (a phase is `rank() + 1`, in 1..=6).
    const PACKED: usize = 21;

    /// The phases of `run` now.
    pub fn of(run: &AnalysisRun) -> Phases {
        let results = &run.status.metric_results;
        if results.len() > Phases::PACKED {
            return Phases::Listed(run.status.phase, results.iter().map(|r| r.phase).collect());
        }
        let packed = results.iter().fold(0u64, |h, r| (h << 3) | (r.phase.rank() as u64 + 1));
        Phases::Packed(run.status.phase, results.len(), packed)
    }
}

/// The most reconciles one replay performs (a run measuring every second for a day is
/// 86,400): a guard against a run that never completes.
pub const MAX_RECONCILES: usize = 1_000_000;

/// Drives `run` from `start` until it completes, the data runs out or it stalls. Returns how it
/// ended and the virtual time it ended at.
pub fn replay(
    run: &mut AnalysisRun,
    data: &ReplayData,
    cursor: &mut DataCursor,
    start: SystemTime,
) -> (ReplayEnd, SystemTime) {
    let driver = Driver::new(run);
    let mut now = start;
    for _ in 0..MAX_RECONCILES {
        match driver.step(run, data, cursor, now) {
            Step::Done(end) => return (end, now),
            Step::Again => {}
            Step::At(t) => now = t.max(now),
        }
    }
    (ReplayEnd::Stalled, now)
}

/// What one reconcile asks for next.
pub enum Step {
    /// The replay is over.
    Done(ReplayEnd),
    /// Reconcile again at the same time (the status changed).
    Again,
    /// Reconcile at this time.
    At(SystemTime),
}

/// One reconcile of `run` at `now` against the data.
pub fn step(run: &mut AnalysisRun, data: &ReplayData, cursor: &mut DataCursor, now: SystemTime) -> Step {
    Driver::new(run).step(run, data, cursor, now)
}

/// What a replay computes once per run: the resolved spec and each metric's compiled
/// conditions (the spec does not change during a run).
#[derive(Debug, Clone)]
pub struct Driver {
    spec: engine::ResolvedSpec,
    conditions: BTreeMap<String, Conditions>,
}

impl Driver {
    /// Prepares to drive `run`.
    pub fn new(run: &AnalysisRun) -> Driver {
        let spec = engine::ResolvedSpec::new(run);
        let conditions = spec
            .metrics
            .iter()
            .map(|m| (m.name.clone(), Conditions::new(&m.success_condition, &m.failure_condition)))
            .collect();
        Driver { spec, conditions }
    }

    /// One reconcile of `run` at `now` against the data.
    pub fn step(&self, run: &mut AnalysisRun, data: &ReplayData, cursor: &mut DataCursor, now: SystemTime) -> Step {
        step_with(self, run, data, cursor, now)
    }
}

fn step_with(
    driver: &Driver,
    run: &mut AnalysisRun,
    data: &ReplayData,
    cursor: &mut DataCursor,
    now: SystemTime,
) -> Step {
    let tasks = match engine::prepare_with(&driver.spec, run, now) {
        Prepared::Completed { .. } | Prepared::Invalid(_) => return Step::Done(ReplayEnd::Completed),
        Prepared::Measure(tasks) => tasks,
    };
    let before = Phases::of(run);
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in &tasks {
        let metric = task.resolved(&driver.spec);
        let name = &metric.name;
        let measurement = match &task.kind {
            // Terminating an in-flight measurement asks the provider, not the data.
            TaskKind::Terminate(m) => Measurement { phase: Phase::Successful, ..m.clone() },
            _ => match data.next(name, cursor) {
                Some((t, entry)) => {
                    let mut m = match driver.conditions.get(name) {
                        Some(c) => measure_with(c, t, &entry, now),
                        None => measure(metric, t, &entry, now),
                    };
                    if let TaskKind::Resume(prev) = &task.kind {
                        m.started_at = prev.started_at;
                    }
                    m
                }
                None => return Step::Done(ReplayEnd::DataRanOut { metric: name.clone() }),
            },
        };
        // What the provider's GetMetadata would have said (Prometheus: the resolved query); the
        // engine keeps it from a metric's first measurement only.
        let first = !run.status.metric_results.iter().any(|r| &r.name == name);
        let provider_metadata = metric
            .provider
            .prometheus
            .as_ref()
            .filter(|p| first && !p.query.is_empty())
            .map(|p| [("ResolvedPrometheusQuery".to_string(), p.query.clone())].into_iter().collect());
        outcomes.push(TaskOutcome { metric: name.clone(), measurement, provider_metadata, via: task.via() });
    }
    let recorded = engine::record_with(&driver.spec, run, outcomes, &[], now);
    settle(run, &before, &recorded, now)
}

/// The end of a reconcile on virtual time (replay, backtest): trims the history (there is no
/// external state to collect) and says what comes next: done when the run completed, again at
/// once when a phase changed since `before`, else at the engine's next wake-up.
pub fn settle(run: &mut AnalysisRun, before: &Phases, recorded: &engine::Recorded, now: SystemTime) -> Step {
    let gc_results = vec![Ok(()); recorded.gc.len()];
    engine::trim(run, &recorded.gc, &gc_results);
    if run.status.phase.is_some_and(Phase::is_completed) {
        return Step::Done(ReplayEnd::Completed);
    }
    if Phases::of(run) != *before {
        return Step::Again;
    }
    match recorded.next_reconcile {
        Some(t) if t > now => Step::At(t),
        // Due already (a strict "after" comparison): one nanosecond later it is.
        Some(_) => Step::At(now + Duration::from_nanos(1)),
        None => Step::Done(ReplayEnd::Stalled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_from(metrics: serde_json::Value) -> AnalysisRun {
        serde_json::from_value(serde_json::json!({"spec": {"metrics": metrics}})).unwrap()
    }

    fn data(yaml: &str) -> ReplayData {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn json_results_are_rendered_as_go_json() {
        let metric = Metric { name: "m".into(), success_condition: "result == 'ok'".into(), ..Default::default() };
        let entry = |v: Value| RecordedMeasurement { value: Some(v), ..Default::default() };
        let m = measure(&metric, Some(ResultType::Json), &entry(Value::string("ok")), SystemTime::UNIX_EPOCH);
        assert_eq!((m.phase, m.value.as_str()), (Phase::Successful, "\"ok\""));
        let m = measure(&metric, Some(ResultType::String), &entry(Value::string("ok")), SystemTime::UNIX_EPOCH);
        assert_eq!(m.value, "ok");
        assert_eq!(render_json(&Value::Float(1e21)), "1e+21");
        assert_eq!(render_json(&Value::string("<&>")), "\"\\u003c\\u0026\\u003e\"");
    }

    fn start() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
    }

    #[test]
    fn counts_intervals_and_conditions() {
        let mut run = run_from(serde_json::json!([{
            "name": "success-rate", "interval": "1m", "count": 3, "failureLimit": 1,
            "successCondition": "result[0] >= 0.95", "provider": {"prometheus": {"query": "q"}}
        }]));
        let d = data(
            "metrics:\n  success-rate:\n    measurements:\n    - value: [0.97]\n    - value: [0.5]\n    - value: [0.99]\n",
        );
        let (end, at) = replay(&mut run, &d, &mut DataCursor::default(), start());
        assert_eq!(end, ReplayEnd::Completed);
        assert_eq!(run.status.phase, Some(Phase::Successful));
        assert_eq!(at.duration_since(start()).unwrap().as_secs(), 120);
        let r = &run.status.metric_results[0];
        assert_eq!((r.count, r.successful, r.failed), (3, 2, 1));
        assert_eq!(r.measurements[0].value, "[0.97]");
    }

    #[test]
    fn errors_retry_after_ten_seconds_and_data_can_run_out() {
        let mut run = run_from(serde_json::json!([{
            "name": "m", "successCondition": "result > 1", "provider": {"prometheus": {"query": "q"}}
        }]));
        let d = data("metrics:\n  m:\n    measurements:\n    - error: boom\n    - error: boom\n");
        let (end, at) = replay(&mut run, &d, &mut DataCursor::default(), start());
        assert_eq!(end, ReplayEnd::DataRanOut { metric: "m".into() });
        assert_eq!(at.duration_since(start()).unwrap().as_secs(), 20);
        assert_eq!(run.status.metric_results[0].error, 2);
    }

    #[test]
    fn a_phase_change_is_noticed_in_any_metric_of_a_large_run() {
        for metrics in [1, Phases::PACKED, Phases::PACKED + 1, 40] {
            let mut run = AnalysisRun::default();
            run.status.metric_results = (0..metrics)
                .map(|i| crate::spec::MetricResult { name: format!("m{i}"), ..Default::default() })
                .collect();
            let before = Phases::of(&run);
            for i in 0..metrics {
                let mut changed = run.clone();
                changed.status.metric_results[i].phase = Phase::Failed;
                assert!(Phases::of(&changed) != before, "{metrics} metrics, metric {i}");
            }
            assert!(Phases::of(&run) == before);
        }
    }
}
