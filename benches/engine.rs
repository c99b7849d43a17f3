//! The analysis state machine on virtual time (issue: the analysis engine, item 8).
//!
//! Targets: 10,000 runs × 3 metrics, 1,000,000 measurements in total, in ≤ 1 s on one core;
//! steady-state memory per run ≤ 8 KB with the default retention of 10 measurements, counted
//! by the allocator below.

use std::hint::black_box;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use augur::core::expr::Value;
use augur::core::replay::{DataCursor, Driver, MetricData, RecordedMeasurement, ReplayData, Step};
use augur::core::spec::AnalysisRun;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::LIVE;

const RUNS: usize = 10_000;
/// Measurements per metric: 34 + 33 + 33 = 100 per run, 1,000,000 in all.
const COUNTS: [u32; 3] = [34, 33, 33];

fn template_run() -> AnalysisRun {
    let metrics: Vec<serde_json::Value> = COUNTS
        .iter()
        .enumerate()
        .map(|(i, count)| {
            serde_json::json!({
                "name": format!("metric-{i}"),
                "interval": "1s",
                "count": count,
                "failureLimit": 3,
                "successCondition": "result[0] >= 0.95",
                "failureCondition": "result[0] < 0.5",
                "provider": {"prometheus": {"address": "http://prometheus:9090", "query": "sum(rate(http_requests_total[5m]))"}},
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": "bench", "namespace": "default"},
        "spec": {"metrics": metrics}
    }))
    .expect("the bench run deserializes")
}

fn data() -> ReplayData {
    let mut d = ReplayData::default();
    for (i, count) in COUNTS.iter().enumerate() {
        let measurements = (0..*count)
            .map(|k| RecordedMeasurement {
                value: Some(Value::float_list([if k % 13 == 5 { 0.3 } else { 0.99 }])),
                ..Default::default()
            })
            .collect();
        d.metrics.insert(format!("metric-{i}"), MetricData { result_type: None, measurements });
    }
    d
}

/// Drives every run to completion, interleaved as a controller would; returns measurements.
fn drive_all(runs: &mut [AnalysisRun], data: &ReplayData) -> usize {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    let mut measurements = 0;
    for run in runs.iter_mut() {
        let driver = Driver::new(run);
        let mut cursor = DataCursor::default();
        let mut now = start;
        loop {
            match driver.step(run, data, &mut cursor, now) {
                Step::Done(_) => break,
                Step::Again => {}
                Step::At(t) => now = t,
            }
        }
        measurements += run.status.metric_results.iter().map(|r| (r.count + r.error) as usize).sum::<usize>();
    }
    measurements
}

fn throughput(c: &mut Criterion) {
    let template = template_run();
    let data = data();
    let mut group = c.benchmark_group("engine");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("10k_runs_3_metrics_1M_measurements", |b| {
        b.iter_batched(
            || vec![template.clone(); RUNS],
            |mut runs| {
                let n = drive_all(&mut runs, &data);
                assert_eq!(n, 1_000_000);
                black_box(runs)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn memory(_: &mut Criterion) {
    let template = template_run();
    let data = data();
    let before = LIVE.load(Ordering::Relaxed);
    let mut runs = vec![template; RUNS];
    drive_all(&mut runs, &data);
    let after = LIVE.load(Ordering::Relaxed);
    let per_run = (after - before) as f64 / RUNS as f64;
    let kept: usize = runs[0].status.metric_results.iter().map(|r| r.measurements.len()).sum();
    println!("engine/memory_per_run: {per_run:.0} bytes ({kept} measurements retained per run, target <= 8192)");
    assert!(per_run <= 8192.0, "memory per run {per_run} bytes exceeds 8 KB");
    black_box(runs);
}

criterion_group!(benches, throughput, memory);
criterion_main!(benches);
