//! Runs conformance vector files (the schema of `shared/conformance/argo-analysis.yaml`)
//! through the engine and reports every case that disagrees with Argo.
//!
//! ```text
//! cargo run -p augur-analysis-core --example conformance -- FILE...
//! ```
//!
//! Prints each failure (id, expected, got) and ends with exactly one line
//! `conformance: N passed, M failed, K skipped`; exits non-zero when M > 0.
//!
//! A file `X.deviations.yaml` beside `X.yaml` maps case ids to the reason Augur knowingly
//! differs; those cases are skipped, and one that starts to pass is a failure, so the list
//! stays exact.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use augur_analysis_core::engine::{self, Prepared, TaskKind, TaskOutcome};
use augur_analysis_core::expr::Value;
use augur_analysis_core::spec::{
    AnalysisRun, DryRun, IntOrString, Measurement, MeasurementRetention, Metric, MetricResult, RunSummary, Time,
};
use augur_analysis_core::{Conditions, Phase, ResultType};
use serde::Deserialize;

/// The vector file: the sections this runner understands; everything else is ignored.
#[derive(Deserialize)]
struct VectorFile {
    #[serde(default)]
    conditions: Vec<ConditionCase>,
    #[serde(default)]
    runs: Vec<RunCase>,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum RunCase {
    Sequence(SequenceCase),
    State(StateCase),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VectorMetric {
    name: String,
    interval: Option<String>,
    count: Option<serde_json::Value>,
    failure_limit: Option<serde_json::Value>,
    inconclusive_limit: Option<serde_json::Value>,
    consecutive_error_limit: Option<serde_json::Value>,
    consecutive_success_limit: Option<serde_json::Value>,
    initial_delay: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetentionRule {
    metric_name: String,
    limit: i32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SequenceCase {
    id: String,
    metrics: Vec<VectorMetric>,
    #[serde(default)]
    dry_run_rules: Vec<String>,
    #[serde(default)]
    measurement_retention_rules: Vec<RetentionRule>,
    steps: Vec<Step>,
    #[serde(rename = "final")]
    end: Final,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Step {
    #[serde(default)]
    terminate: bool,
    #[serde(default)]
    initial_delay_elapsed: Vec<String>,
    #[serde(default)]
    measure: BTreeMap<String, String>,
    expect: StepExpect,
}

#[derive(Deserialize)]
struct StepExpect {
    #[serde(default)]
    metrics: BTreeMap<String, Option<String>>,
    run: String,
}

#[derive(Deserialize, Default, PartialEq, Debug)]
#[serde(rename_all = "camelCase")]
struct Counters {
    count: i32,
    successful: i32,
    failed: i32,
    inconclusive: i32,
    error: i32,
    consecutive_error: i32,
    consecutive_success: i32,
}

#[derive(Deserialize, PartialEq, Debug, Clone, Copy)]
struct Summary5 {
    count: i32,
    successful: i32,
    failed: i32,
    inconclusive: i32,
    error: i32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Final {
    run: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    metric_counters: BTreeMap<String, Counters>,
    #[serde(default)]
    metric_messages: BTreeMap<String, String>,
    run_summary: Option<Summary5>,
    dry_run_summary: Option<Summary5>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateCase {
    id: String,
    metric: VectorMetric,
    state: State,
    expect: StateExpect,
    expect_limit_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct State {
    #[serde(flatten)]
    counters: Counters,
    last_measurement: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateExpect {
    not_terminating: String,
    terminating: String,
}

#[derive(Deserialize)]
struct ConditionCase {
    id: String,
    result_type: String,
    #[serde(default)]
    result: Value,
    #[serde(rename = "successCondition", default)]
    success: String,
    #[serde(rename = "failureCondition", default)]
    failure: String,
    expected: String,
    #[serde(default)]
    error_contains: Option<String>,
}

/// Counts of one or more files.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// One line per failing case: id, expected, got.
    pub failures: Vec<String>,
}

/// The time `now()` returns in vectors: fixed, so runs are reproducible.
fn vector_now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600) // 2026-01-01T00:00:00Z
}

/// Runs one condition case; `Err` describes a disagreement.
fn run_condition(case: &ConditionCase) -> Result<(), String> {
    let result_type = ResultType::from_name(&case.result_type)
        .ok_or_else(|| format!("unknown result_type {:?}", case.result_type))?;
    let result = result_type.apply(case.result.clone()).map_err(|e| format!("bad vector: {e}"))?;
    let expected: Phase = case.expected.parse().map_err(|e| format!("bad vector: {e}"))?;
    let outcome = Conditions::new(&case.success, &case.failure).evaluate(&result, vector_now());
    let (phase, message) = match &outcome {
        Ok(p) => (*p, String::new()),
        Err(e) => (Phase::Error, e.to_string()),
    };
    if phase != expected {
        let detail = if message.is_empty() { String::new() } else { format!(" ({message})") };
        return Err(format!("expected {expected}, got {phase}{detail}"));
    }
    if let Some(needle) = &case.error_contains
        && !message.contains(needle.as_str())
    {
        return Err(format!("expected a message containing {needle:?}, got {message:?}"));
    }
    Ok(())
}

/// The known deviations listed beside a vector file, if any.
fn load_deviations(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { return Ok(BTreeMap::new()) };
    let list = path.with_file_name(format!("{stem}.deviations.yaml"));
    if !list.exists() {
        return Ok(BTreeMap::new());
    }
    let text = std::fs::read_to_string(&list).map_err(|e| format!("{}: {e}", list.display()))?;
    serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", list.display()))
}

/// Runs every case of one file.
pub fn run_file(path: &Path) -> Result<Summary, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // `.nan` and `.inf` are results the vectors need; the files are YAML 1.2 (`y` is a string).
    let options = serde_saphyr::options! {
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
        strict_booleans: true,
    };
    let file: VectorFile =
        serde_saphyr::from_str_with_options(&text, options).map_err(|e| format!("{}: {e}", path.display()))?;
    let deviations = load_deviations(path)?;
    let mut summary = Summary::default();
    for case in &file.conditions {
        match (run_condition(case), deviations.get(&case.id)) {
            (Ok(()), None) => summary.passed += 1,
            (Err(_), Some(_)) => summary.skipped += 1,
            (Ok(()), Some(reason)) => {
                summary.failed += 1;
                summary.failures.push(format!("{}: listed as a deviation ({reason}) but passes", case.id));
            }
            (Err(why), None) => {
                summary.failed += 1;
                summary.failures.push(format!("{}: {why}", case.id));
            }
        }
    }
    for case in &file.runs {
        let (id, outcome) = match case {
            RunCase::Sequence(c) => (&c.id, run_sequence(c)),
            RunCase::State(c) => (&c.id, run_state(c)),
        };
        match (outcome, deviations.get(id)) {
            (Ok(()), None) => summary.passed += 1,
            (Err(_), Some(_)) => summary.skipped += 1,
            (Ok(()), Some(reason)) => {
                summary.failed += 1;
                summary.failures.push(format!("{id}: listed as a deviation ({reason}) but passes"));
            }
            (Err(why), None) => {
                summary.failed += 1;
                summary.failures.push(format!("{id}: {why}"));
            }
        }
    }
    Ok(summary)
}

fn int_or_string(v: &Option<serde_json::Value>) -> Option<IntOrString> {
    match v {
        Some(serde_json::Value::Number(n)) => Some(IntOrString::Int(n.as_i64().unwrap_or(0))),
        Some(serde_json::Value::String(s)) => Some(IntOrString::String(s.clone())),
        _ => None,
    }
}

/// A metric of a vector: the limits given, and a provider (vectors assume a valid one).
fn metric(m: &VectorMetric) -> Metric {
    let mut metric: Metric =
        serde_json::from_value(serde_json::json!({"name": m.name, "provider": {"web": {"url": "http://127.0.0.1/"}}}))
            .expect("a minimal metric deserializes");
    metric.interval = m.interval.clone().unwrap_or_default();
    metric.initial_delay = m.initial_delay.clone().unwrap_or_default();
    metric.count = int_or_string(&m.count);
    metric.failure_limit = int_or_string(&m.failure_limit);
    metric.inconclusive_limit = int_or_string(&m.inconclusive_limit);
    metric.consecutive_error_limit = int_or_string(&m.consecutive_error_limit);
    metric.consecutive_success_limit = int_or_string(&m.consecutive_success_limit);
    metric
}

fn phase_name(p: Option<Phase>) -> String {
    p.map(|p| p.to_string()).unwrap_or_default()
}

/// Time between steps: past every interval in the vectors and the 10 s error retry.
const STEP: Duration = Duration::from_secs(61);

fn run_sequence(case: &SequenceCase) -> Result<(), String> {
    let mut run = AnalysisRun::default();
    run.spec.metrics = case.metrics.iter().map(metric).collect();
    run.spec.dry_run = case.dry_run_rules.iter().map(|r| DryRun { metric_name: r.clone() }).collect();
    run.spec.measurement_retention = case
        .measurement_retention_rules
        .iter()
        .map(|r| MeasurementRetention { metric_name: r.metric_name.clone(), limit: r.limit })
        .collect();
    let mut now = vector_now();
    for (i, step) in case.steps.iter().enumerate() {
        now += STEP;
        if step.terminate {
            run.spec.terminate = true;
        }
        for name in &step.initial_delay_elapsed {
            let delay = run.spec.metrics.iter().find(|m| &m.name == name).map(|m| m.initial_delay.clone());
            let delay = augur_analysis_core::go::duration::parse_duration(&delay.unwrap_or_default()).unwrap_or(0);
            if let Some(started) = run.status.started_at {
                let due = started.to_system() + Duration::from_nanos(delay.max(0) as u64) + Duration::from_secs(1);
                now = now.max(due);
            }
        }
        if let Prepared::Measure(tasks) = engine::prepare(&mut run, now) {
            let names: Vec<String> = tasks.iter().map(|t| t.metric(&run).name.clone()).collect();
            let due: Vec<&str> = names.iter().map(String::as_str).collect();
            let wanted: Vec<&str> = step.measure.keys().map(String::as_str).collect();
            let mut sorted_due = due.clone();
            sorted_due.sort();
            if sorted_due != wanted {
                return Err(format!("step {}: engine measures {due:?}, vector measures {wanted:?}", i + 1));
            }
            let outcomes = tasks
                .iter()
                .zip(&names)
                .map(|(t, name)| {
                    let phase: Phase = step.measure[name].parse().unwrap_or(Phase::Error);
                    let mut m = match &t.kind {
                        TaskKind::Measure => {
                            Measurement { started_at: Some(Time::from_system(now)), ..Default::default() }
                        }
                        TaskKind::Resume(m) | TaskKind::Terminate(m) => m.clone(),
                    };
                    m.phase = phase;
                    if !phase.is_completed() {
                        m.finished_at = None;
                        m.resume_at = None;
                    }
                    TaskOutcome { metric: name.clone(), measurement: m, provider_metadata: None, via: t.via() }
                })
                .collect();
            engine::record(&mut run, outcomes, &[], now);
        }
        for (name, want) in &step.expect.metrics {
            let got = run.status.metric_results.iter().find(|r| &r.name == name).map(|r| r.phase.to_string());
            if got.as_deref() != want.as_deref() {
                return Err(format!("step {}: metric {name}: expected {want:?}, got {got:?}", i + 1));
            }
        }
        if phase_name(run.status.phase) != step.expect.run {
            return Err(format!(
                "step {}: run: expected {}, got {} ({:?})",
                i + 1,
                step.expect.run,
                phase_name(run.status.phase),
                run.status.message
            ));
        }
    }
    check_final(&run, &case.end)
}

fn summary5(s: &RunSummary) -> Summary5 {
    Summary5 {
        count: s.count,
        successful: s.successful,
        failed: s.failed,
        inconclusive: s.inconclusive,
        error: s.error,
    }
}

fn check_final(run: &AnalysisRun, end: &Final) -> Result<(), String> {
    if phase_name(run.status.phase) != end.run || run.status.message != end.message {
        return Err(format!(
            "final: expected {} {:?}, got {} {:?}",
            end.run,
            end.message,
            phase_name(run.status.phase),
            run.status.message
        ));
    }
    for (name, want) in &end.metric_counters {
        let r = run.status.metric_results.iter().find(|r| &r.name == name);
        let got = r.map(|r| Counters {
            count: r.count,
            successful: r.successful,
            failed: r.failed,
            inconclusive: r.inconclusive,
            error: r.error,
            consecutive_error: r.consecutive_error,
            consecutive_success: r.consecutive_success,
        });
        if got.as_ref().unwrap_or(&Counters::default()) != want {
            return Err(format!("final: counters of {name}: expected {want:?}, got {got:?}"));
        }
    }
    let messages: BTreeMap<String, String> = run
        .status
        .metric_results
        .iter()
        .filter(|r| !r.message.is_empty())
        .map(|r| (r.name.clone(), r.message.clone()))
        .collect();
    if messages != end.metric_messages {
        return Err(format!("final: metric messages: expected {:?}, got {messages:?}", end.metric_messages));
    }
    if let Some(want) = end.run_summary {
        let got = summary5(&run.status.run_summary);
        if got != want {
            return Err(format!("final: runSummary: expected {want:?}, got {got:?}"));
        }
    }
    let got = run.status.dry_run_summary.as_ref().map(summary5);
    if got != end.dry_run_summary {
        return Err(format!("final: dryRunSummary: expected {:?}, got {got:?}", end.dry_run_summary));
    }
    Ok(())
}

fn run_state(case: &StateCase) -> Result<(), String> {
    let metric = metric(&case.metric);
    let c = &case.state.counters;
    let mut result = MetricResult {
        name: metric.name.clone(),
        phase: Phase::Running,
        count: c.count,
        successful: c.successful,
        failed: c.failed,
        inconclusive: c.inconclusive,
        error: c.error,
        consecutive_error: c.consecutive_error,
        consecutive_success: c.consecutive_success,
        ..Default::default()
    };
    if let Some(last) = &case.state.last_measurement {
        let phase: Phase = last.parse().map_err(|e| format!("bad vector: {e}"))?;
        let finished = phase.is_completed().then(|| Time::from_system(vector_now()));
        result.measurements.push(Measurement { phase, finished_at: finished, ..Default::default() });
    }
    for (terminating, want) in [(false, &case.expect.not_terminating), (true, &case.expect.terminating)] {
        let got = engine::assess_metric(&metric, &result, terminating);
        if got.to_string() != *want {
            return Err(format!("terminating={terminating}: expected {want}, got {got}"));
        }
    }
    if let Some(want) = &case.expect_limit_message {
        let got = engine::limit_check(&metric, &result).map(|(_, m)| m).unwrap_or_default();
        if &got != want {
            return Err(format!("limit message: expected {want:?}, got {got:?}"));
        }
    }
    Ok(())
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: conformance FILE...");
        return ExitCode::from(2);
    }
    let mut total = Summary::default();
    for p in &paths {
        match run_file(Path::new(p)) {
            Ok(s) => {
                for f in &s.failures {
                    println!("FAIL {f}");
                }
                total.passed += s.passed;
                total.failed += s.failed;
                total.skipped += s.skipped;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    println!("conformance: {} passed, {} failed, {} skipped", total.passed, total.failed, total.skipped);
    if total.failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
