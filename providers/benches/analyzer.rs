//! Measurement start lag of the analyzer under load, in real time.
//!
//! 10,000 runs, each one metric with `interval: 1s, count: 10`, against a provider that
//! answers at once, on a multi-threaded runtime with 2 workers. A measurement's lag is the
//! time its provider call started minus the time it was due: the previous measurement's
//! `finishedAt` (whole seconds, as Argo stores it) plus the interval. Argo's second-precision
//! timestamps line every run up on the same second, so each second 10,000 measurements fall due
//! at once: the lag is how long the analyzer takes to get through that burst. The first
//! measurement of each run (started by `Analyzer::start`) is not counted.
//!
//! Each sample drives all 10,000 runs to completion (about 10 s) and reports the p99 lag as
//! its time, so criterion's estimate is the p99; p50, p99 and max of each sample and of all
//! samples together are printed. Target: p99 <= 20 ms.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use augur_analysis_core::spec::{AnalysisRun, Measurement, Metric, Time};
use augur_analysis_core::template::StaticSecrets;
use augur_providers::{Analyzer, AnalyzerOptions, Clock, Phase, Provider, ProviderError, RunContext};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

const RUNS: usize = 10_000;
const COUNT: usize = 10;

/// The number of runs: `RUNS`, or `AUGUR_BENCH_RUNS` for a smaller profile (callgrind).
fn run_count() -> usize {
    std::env::var("AUGUR_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(RUNS)
}

/// Provider call start times, per run (indexed by the run's name `run-<i>`).
struct Starts {
    clock: Clock,
    per_run: Vec<Mutex<Vec<SystemTime>>>,
    calls: AtomicUsize,
}

struct Instant {
    starts: Arc<Starts>,
}

#[async_trait]
impl Provider for Instant {
    fn type_name(&self) -> &str {
        "Prometheus"
    }

    async fn run(&self, cx: &RunContext, _metric: &Metric) -> Measurement {
        let started = self.starts.clock.now();
        self.starts.calls.fetch_add(1, Ordering::Relaxed);
        if let Some(slot) = cx.name.strip_prefix("run-").and_then(|i| i.parse::<usize>().ok()) {
            self.starts.per_run[slot].lock().unwrap().push(started);
        }
        let now = Some(Time::from_system(cx.now));
        Measurement {
            phase: Phase::Successful,
            started_at: now,
            finished_at: now,
            value: "[0.99]".into(),
            ..Default::default()
        }
    }
}

fn run(i: usize) -> AnalysisRun {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": format!("run-{i}"), "namespace": "bench", "uid": format!("uid-{i}")},
        "spec": {"metrics": [{
            "name": "success-rate", "interval": "1s", "count": COUNT,
            "successCondition": "result[0] >= 0.95",
            "provider": {"prometheus": {"address": "http://prometheus:9090", "query": "sum(rate(http_requests_total[5m]))"}},
        }]}
    }))
    .expect("the bench run deserializes")
}

/// CPU time of the process so far (user + system), where `/proc` tells it.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// Drives every run to completion; returns the start lags of measurements 2..=COUNT.
fn sample(rt: &tokio::runtime::Runtime) -> Vec<Duration> {
    rt.block_on(async {
        let clock = Clock::system();
        let starts = Arc::new(Starts {
            clock,
            per_run: (0..run_count()).map(|_| Mutex::new(Vec::with_capacity(COUNT))).collect(),
            calls: AtomicUsize::new(0),
        });
        // One provider for every call, as a factory sharing its client would.
        let provider: Arc<dyn Provider> = Arc::new(Instant { starts: Arc::clone(&starts) });
        let factory =
            move |_: &RunContext, _: &Metric| -> Result<Arc<dyn Provider>, ProviderError> { Ok(Arc::clone(&provider)) };
        let analyzer = Analyzer::new(
            Arc::new(factory),
            Arc::new(StaticSecrets::new()),
            AnalyzerOptions::default().with_clock(clock),
        );
        let runs: Vec<AnalysisRun> = (0..run_count()).map(run).collect();
        let cpu_before = cpu_time();
        let handles: Vec<_> = runs.into_iter().map(|r| analyzer.start(r)).collect();
        for h in &handles {
            h.wait().await;
        }
        if let (Some(before), Some(after)) = (cpu_before, cpu_time()) {
            eprintln!(
                "cpu per measurement (reconcile included): {:.2?}",
                (after - before) / (run_count() * COUNT) as u32
            );
        }
        let mut lags = Vec::with_capacity(run_count() * (COUNT - 1));
        for (i, h) in handles.iter().enumerate() {
            let done = h.wait().await;
            assert_eq!(done.status.phase, Some(Phase::Successful), "run {i}: {:?}", done.status);
            let measurements = &done.status.metric_results[0].measurements;
            let started = starts.per_run[i].lock().unwrap();
            assert_eq!(started.len(), COUNT);
            for k in 1..COUNT {
                let due = measurements[k - 1].finished_at.expect("finished").to_system() + Duration::from_secs(1);
                lags.push(started[k].duration_since(due).unwrap_or(Duration::ZERO));
            }
        }
        assert_eq!(starts.calls.load(Ordering::Relaxed), run_count() * COUNT);
        lags
    })
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn report(label: &str, lags: &mut [Duration]) -> Duration {
    lags.sort_unstable();
    let (p50, p99, max) = (quantile(lags, 0.50), quantile(lags, 0.99), lags[lags.len() - 1]);
    eprintln!("{label}: start lag p50 {p50:.2?}, p99 {p99:.2?}, max {max:.2?} over {} measurements", lags.len());
    p99
}

fn start_lag(c: &mut Criterion) {
    // `AUGUR_BENCH_WORKERS` overrides the 2 workers (to see how the burst scales).
    let workers = std::env::var("AUGUR_BENCH_WORKERS").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build().expect("runtime");
    let all = Mutex::new(Vec::new());
    let mut group = c.benchmark_group("analyzer");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(60));
    group.bench_function("10k_runs_1s_interval_start_lag_p99", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut lags = sample(&rt);
                total += report("sample", &mut lags);
                all.lock().unwrap().extend(lags);
            }
            total
        })
    });
    group.finish();
    let mut all = all.into_inner().unwrap();
    let p99 = report("analyzer/10k_runs_1s_interval (all samples)", &mut all);
    println!("analyzer/start_lag: p99 {p99:.2?} (target <= 20ms)");
}

criterion_group!(benches, start_lag);
criterion_main!(benches);
