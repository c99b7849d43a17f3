//! A run persisted after any reconcile and read back continues exactly as an uninterrupted
//! run: the persisted status is the engine's only state.

use std::time::{Duration, SystemTime};

use augur_analysis_core::engine::{self, Prepared, ResolvedSpec};
use augur_analysis_core::expr::Value;
use augur_analysis_core::replay::{self, DataCursor, MetricData, RecordedMeasurement, ReplayData, Step};
use augur_analysis_core::spec::AnalysisRun;
use proptest::prelude::*;

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

#[derive(Debug, Clone)]
struct MetricCase {
    interval: Option<u32>,
    count: Option<i64>,
    failure_limit: Option<i64>,
    inconclusive_limit: Option<i64>,
    consecutive_error_limit: Option<i64>,
    consecutive_success_limit: Option<i64>,
    initial_delay: Option<u32>,
    dry_run: bool,
    answers: Vec<Option<f64>>,
}

fn metric_case() -> impl Strategy<Value = MetricCase> {
    (
        prop::option::of(1u32..120),
        prop::option::of(0i64..6),
        prop::option::of(-1i64..3),
        prop::option::of(0i64..3),
        prop::option::of(0i64..5),
        prop::option::of(0i64..3),
        prop::option::of(0u32..90),
        any::<bool>(),
        prop::collection::vec(prop::option::of(prop::sample::select(vec![0.95, 0.7, 0.3])), 0..12),
    )
        .prop_map(|(interval, count, f, i, e, s, delay, dry_run, answers)| MetricCase {
            interval,
            count,
            failure_limit: f,
            inconclusive_limit: i,
            consecutive_error_limit: e,
            consecutive_success_limit: s,
            initial_delay: delay,
            dry_run,
            answers,
        })
}

fn build(cases: &[MetricCase], terminate_after: Option<usize>) -> (AnalysisRun, ReplayData, Option<usize>) {
    let mut metrics = Vec::new();
    let mut data = ReplayData::default();
    let mut dry = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let name = format!("m{i}");
        let mut m = serde_json::json!({
            "name": name,
            "successCondition": "result[0] >= 0.9",
            "failureCondition": "result[0] < 0.5",
            "provider": {"prometheus": {"query": "q"}},
        });
        let obj = m.as_object_mut().unwrap();
        if let Some(v) = c.interval {
            obj.insert("interval".into(), format!("{v}s").into());
        }
        if let Some(v) = c.initial_delay {
            obj.insert("initialDelay".into(), format!("{v}s").into());
        }
        for (key, v) in [
            ("count", c.count),
            ("failureLimit", c.failure_limit),
            ("inconclusiveLimit", c.inconclusive_limit),
            ("consecutiveErrorLimit", c.consecutive_error_limit),
            ("consecutiveSuccessLimit", c.consecutive_success_limit),
        ] {
            if let Some(v) = v {
                obj.insert(key.into(), v.into());
            }
        }
        metrics.push(m);
        if c.dry_run {
            dry.push(serde_json::json!({"metricName": format!("^{name}$")}));
        }
        let measurements = c
            .answers
            .iter()
            .map(|a| match a {
                Some(v) => RecordedMeasurement { value: Some(Value::float_list([*v])), ..Default::default() },
                None => RecordedMeasurement { error: Some("connection refused".into()), ..Default::default() },
            })
            .collect();
        data.metrics.insert(name, MetricData { result_type: None, measurements });
    }
    let run: AnalysisRun =
        serde_json::from_value(serde_json::json!({"spec": {"metrics": metrics, "dryRun": dry}})).unwrap();
    (run, data, terminate_after)
}

/// Drives the run step by step, calling `before` with the run and the time before every
/// reconcile. Returns the final run.
fn drive_with(
    mut run: AnalysisRun,
    data: &ReplayData,
    terminate_after: Option<usize>,
    mut before: impl FnMut(&mut AnalysisRun, SystemTime) -> Result<(), TestCaseError>,
) -> Result<AnalysisRun, TestCaseError> {
    let mut cursor = DataCursor::default();
    let mut now = start();
    for i in 0..500 {
        if terminate_after == Some(i) {
            run.spec.terminate = true;
        }
        before(&mut run, now)?;
        match replay::step(&mut run, data, &mut cursor, now) {
            Step::Done(_) => break,
            Step::Again => {}
            Step::At(t) => now = t.max(now),
        }
    }
    Ok(run)
}

/// Drives the run step by step; with `persist`, the run goes through its JSON form between
/// every two reconciles. Returns the final run as JSON.
fn drive(run: AnalysisRun, data: &ReplayData, terminate_after: Option<usize>, persist: bool) -> String {
    let run = drive_with(run, data, terminate_after, |run, _| {
        if persist {
            let json = serde_json::to_string(&*run).unwrap();
            *run = serde_json::from_str(&json).unwrap();
        }
        Ok(())
    });
    serde_json::to_string(&run.expect("persisting never fails")).unwrap()
}

/// Drives the run and checks, before every reconcile, that the tasks `tasks_due` reads ahead
/// are the ones `prepare_with` hands out (also a second later, as a driver preparing its next
/// reconcile sees them when it wakes late).
fn check_tasks_due(run: AnalysisRun, data: &ReplayData, terminate_after: Option<usize>) -> Result<(), TestCaseError> {
    let spec = ResolvedSpec::new(&run);
    drive_with(run, data, terminate_after, |run, now| {
        for at in [now, now + Duration::from_secs(1)] {
            let prepared = match engine::prepare_with(&spec, &mut run.clone(), at) {
                Prepared::Measure(tasks) => Some(tasks),
                _ => None,
            };
            prop_assert_eq!(engine::tasks_due(&spec, run, at), prepared);
        }
        Ok(())
    })
    .map(drop)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn tasks_due_ahead_of_a_reconcile_are_the_ones_it_prepares(
        cases in prop::collection::vec(metric_case(), 1..4),
        terminate_after in prop::option::of(0usize..20),
    ) {
        let (run, data, terminate_after) = build(&cases, terminate_after);
        check_tasks_due(run, &data, terminate_after)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn persisted_runs_continue_identically(
        cases in prop::collection::vec(metric_case(), 1..4),
        terminate_after in prop::option::of(0usize..20),
    ) {
        let (run, data, terminate_after) = build(&cases, terminate_after);
        let straight = drive(run.clone(), &data, terminate_after, false);
        let persisted = drive(run, &data, terminate_after, true);
        prop_assert_eq!(straight, persisted);
    }
}
