//! The analyzer against fake providers, on paused tokio time: exact and instantaneous.
//!
//! A fake's behaviour is named by its metric: the `web.url` (type `Web`) or the
//! `prometheus.query` (type `Prometheus`), e.g. `fake://sleep/45` (see [`Behaviour::parse`]).
//! Every wait is bounded by [`finish`], so a run that never completes fails the test instead of
//! hanging it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use augur_analysis_core::engine::EventKind;
use augur_analysis_core::spec::{AnalysisRun, Measurement, Metric, Time};
use augur_analysis_core::template::StaticSecrets;
use augur_providers::{Analyzer, AnalyzerOptions, Clock, Phase, Provider, ProviderError, ProviderFactory, RunContext};
use augur_providers::{RunEvent, RunHandle};
use serde_json::{Value as Json, json};
use tokio::time::Instant;

/// 2026-01-01T00:00:00Z, where every test's clock starts.
fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

fn at(secs: u64) -> Time {
    Time::from_system(t0() + Duration::from_secs(secs))
}

/// What the fakes saw, shared by every provider a factory builds.
#[derive(Default)]
struct Stats {
    constructions: AtomicUsize,
    runs: AtomicUsize,
    resumes: AtomicUsize,
    terminates: AtomicUsize,
    gcs: Mutex<Vec<(String, usize)>>,
    in_progress: AtomicUsize,
    max_in_progress: AtomicUsize,
    /// Calls whose future was dropped before completing (timed out or aborted).
    cancelled: AtomicUsize,
    /// Panics so far, across providers.
    panics: AtomicUsize,
    /// The behaviour strings providers were built with (secrets substituted).
    seen: Mutex<Vec<String>>,
    /// In-flight fakes without `resumeAt` complete on the next resume (a Job finished).
    job_done: AtomicBool,
}

/// What a fake does, from its metric's URL or query.
#[derive(Debug, Clone, PartialEq)]
enum Behaviour {
    /// `fake://instant[/Phase]`: a completed measurement (Successful by default).
    Instant(Phase),
    /// `fake://sleep/<secs>`: Successful after sleeping.
    Sleep(u64),
    /// `fake://panic/<n>`: panics on the first `n` calls (of all panicking fakes), then
    /// Successful.
    Panic(usize),
    /// `fake://hang`: never returns.
    Hang,
    /// `fake://inflight[/<secs>]`: Running, with `resumeAt` `secs` later when given; `resume`
    /// completes it Successful once `resumeAt` has passed (without one: once
    /// [`Stats::job_done`] is set); `terminate` returns Inconclusive, like Argo's Job provider.
    InFlight(Option<u64>),
    /// `fake://echo/<text>`: an Error measurement whose message is `<text>`.
    Echo(String),
    /// `fake://broken`: construction fails.
    Broken,
    /// `fake://broken-after/<n>`: construction fails after `n` constructions; an in-flight
    /// fake otherwise.
    BrokenAfter(usize),
    /// `fake://gc-fails`: instant Successful; garbage collection fails.
    GcFails,
}

impl Behaviour {
    fn parse(spec: &str) -> Behaviour {
        let rest = spec.strip_prefix("fake://").unwrap_or(spec);
        let (kind, arg) = rest.split_once('/').unwrap_or((rest, ""));
        let num = || arg.parse::<u64>().unwrap_or(0);
        match kind {
            "instant" => Behaviour::Instant(if arg.is_empty() { Phase::Successful } else { arg.parse().unwrap() }),
            "sleep" => Behaviour::Sleep(num()),
            "panic" => Behaviour::Panic(num() as usize),
            "hang" => Behaviour::Hang,
            "inflight" => Behaviour::InFlight((!arg.is_empty()).then(num)),
            "echo" => Behaviour::Echo(arg.to_owned()),
            "broken" => Behaviour::Broken,
            "broken-after" => Behaviour::BrokenAfter(num() as usize),
            "gc-fails" => Behaviour::GcFails,
            other => panic!("unknown fake {other}"),
        }
    }
}

struct Fake {
    type_name: &'static str,
    behaviour: Behaviour,
    stats: Arc<Stats>,
}

/// Counts a call in progress; a call dropped before `done` counts as cancelled.
struct InProgress<'a> {
    stats: &'a Stats,
    done: bool,
}

impl<'a> InProgress<'a> {
    fn enter(stats: &'a Stats) -> InProgress<'a> {
        let now = stats.in_progress.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_progress.fetch_max(now, Ordering::SeqCst);
        InProgress { stats, done: false }
    }
}

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.stats.in_progress.fetch_sub(1, Ordering::SeqCst);
        if !self.done {
            self.stats.cancelled.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn completed(cx: &RunContext, phase: Phase) -> Measurement {
    let now = Some(Time::from_system(cx.now));
    Measurement { phase, started_at: now, finished_at: now, value: "1".into(), ..Measurement::default() }
}

#[async_trait]
impl Provider for Fake {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn metadata(&self, metric: &Metric) -> std::collections::BTreeMap<String, String> {
        [("fake".to_string(), metric.name.clone())].into()
    }

    async fn run(&self, cx: &RunContext, _metric: &Metric) -> Measurement {
        self.stats.runs.fetch_add(1, Ordering::SeqCst);
        let mut guard = InProgress::enter(&self.stats);
        let m = match &self.behaviour {
            Behaviour::Instant(phase) => completed(cx, *phase),
            Behaviour::GcFails => completed(cx, Phase::Successful),
            Behaviour::Sleep(secs) => {
                tokio::time::sleep(Duration::from_secs(*secs)).await;
                completed(&cx.at(cx.now + Duration::from_secs(*secs)), Phase::Successful)
            }
            Behaviour::Panic(n) => {
                if self.stats.panics.fetch_add(1, Ordering::SeqCst) < *n {
                    panic!("kaboom in {}", cx.name);
                }
                completed(cx, Phase::Successful)
            }
            Behaviour::Hang => std::future::pending().await,
            Behaviour::InFlight(_) | Behaviour::BrokenAfter(_) => {
                let after = if let Behaviour::InFlight(a) = &self.behaviour { *a } else { None };
                Measurement {
                    phase: Phase::Running,
                    started_at: Some(Time::from_system(cx.now)),
                    resume_at: after.map(|s| Time::from_system(cx.now + Duration::from_secs(s))),
                    ..Measurement::default()
                }
            }
            Behaviour::Echo(text) => Measurement {
                phase: Phase::Error,
                message: text.clone(),
                started_at: Some(Time::from_system(cx.now)),
                finished_at: Some(Time::from_system(cx.now)),
                ..Measurement::default()
            },
            Behaviour::Broken => unreachable!("never constructed"),
        };
        guard.done = true;
        m
    }

    async fn resume(&self, cx: &RunContext, _metric: &Metric, mut m: Measurement) -> Measurement {
        self.stats.resumes.fetch_add(1, Ordering::SeqCst);
        let due = match m.resume_at {
            Some(r) => r <= Time::from_system(cx.now),
            None => self.stats.job_done.load(Ordering::SeqCst),
        };
        if due {
            m.phase = Phase::Successful;
            m.value = "done".into();
            m.finished_at = Some(Time::from_system(cx.now));
        }
        m
    }

    async fn terminate(&self, cx: &RunContext, _metric: &Metric, mut m: Measurement) -> Measurement {
        self.stats.terminates.fetch_add(1, Ordering::SeqCst);
        m.phase = Phase::Inconclusive;
        m.finished_at = Some(Time::from_system(cx.now));
        m
    }

    async fn garbage_collect(&self, _cx: &RunContext, metric: &Metric, limit: usize) -> Result<(), ProviderError> {
        self.stats.gcs.lock().unwrap().push((metric.name.clone(), limit));
        if self.behaviour == Behaviour::GcFails {
            return Err(ProviderError::Other("jobs are forbidden".into()));
        }
        Ok(())
    }
}

struct FakeFactory {
    stats: Arc<Stats>,
}

impl ProviderFactory for FakeFactory {
    fn new_provider(&self, _cx: &RunContext, metric: &Metric) -> Result<Arc<dyn Provider>, ProviderError> {
        let constructed = self.stats.constructions.fetch_add(1, Ordering::SeqCst);
        let p = &metric.provider;
        let (type_name, spec) = if let Some(web) = &p.web {
            ("Web", web.url.clone())
        } else if let Some(prom) = &p.prometheus {
            ("Prometheus", prom.query.clone())
        } else {
            return Err(ProviderError::NoValidProvider { metric: metric.name.clone() });
        };
        self.stats.seen.lock().unwrap().push(spec.clone());
        let behaviour = Behaviour::parse(&spec);
        match behaviour {
            Behaviour::Broken => return Err(ProviderError::Other(format!("cannot reach {spec}"))),
            Behaviour::BrokenAfter(n) if constructed >= n => {
                return Err(ProviderError::Other("provider went away".into()));
            }
            _ => {}
        }
        Ok(Arc::new(Fake { type_name, behaviour, stats: Arc::clone(&self.stats) }))
    }
}

fn web(name: &str, url: &str, extra: Json) -> Json {
    let mut m = json!({"name": name, "provider": {"web": {"url": url}}});
    if let Json::Object(extra) = extra {
        m.as_object_mut().unwrap().extend(extra);
    }
    m
}

fn prometheus(name: &str, query: &str, extra: Json) -> Json {
    let mut m = json!({"name": name, "provider": {"prometheus": {"query": query}}});
    if let Json::Object(extra) = extra {
        m.as_object_mut().unwrap().extend(extra);
    }
    m
}

fn run_of(name: &str, spec: Json) -> AnalysisRun {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": name, "namespace": "ns", "uid": format!("uid-{name}")},
        "spec": spec,
    }))
    .unwrap()
}

fn run_with(name: &str, metrics: Vec<Json>) -> AnalysisRun {
    run_of(name, json!({"metrics": metrics}))
}

fn analyzer_with(options: AnalyzerOptions, secrets: StaticSecrets) -> (Analyzer, Arc<Stats>) {
    let stats = Arc::new(Stats::default());
    let factory = Arc::new(FakeFactory { stats: Arc::clone(&stats) });
    let options = options.with_clock(Clock::starting_at(t0()));
    (Analyzer::new(factory, Arc::new(secrets), options), stats)
}

fn analyzer() -> (Analyzer, Arc<Stats>) {
    analyzer_with(AnalyzerOptions::default(), StaticSecrets::new())
}

/// The final run, within a day of virtual time.
async fn finish(handle: &RunHandle) -> AnalysisRun {
    tokio::time::timeout(Duration::from_secs(86_400), handle.wait()).await.expect("the run completes within a day")
}

fn result<'r>(run: &'r AnalysisRun, metric: &str) -> &'r augur_analysis_core::spec::MetricResult {
    run.status.metric_results.iter().find(|r| r.name == metric).unwrap_or_else(|| panic!("no result for {metric}"))
}

fn drain(events: &mut tokio::sync::broadcast::Receiver<RunEvent>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    while let Ok(e) = events.try_recv() {
        out.push((e.name, e.event.reason));
    }
    out
}

#[tokio::test(start_paused = true)]
async fn instant_provider_completes_at_once_with_metadata_and_events() {
    let (analyzer, stats) = analyzer();
    let mut events = analyzer.events();
    let start = Instant::now();
    let run = analyzer.run_to_completion(run_with("r", vec![web("m", "fake://instant", json!({}))])).await;
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(run.status.phase, Some(Phase::Successful));
    assert_eq!((run.status.started_at, run.status.completed_at), (Some(at(0)), Some(at(0))));
    let r = result(&run, "m");
    assert_eq!((r.phase, r.count, r.successful), (Phase::Successful, 1, 1));
    assert_eq!(r.metadata.get("fake").map(String::as_str), Some("m"));
    assert_eq!(r.measurements[0].finished_at, Some(at(0)));
    assert_eq!(stats.runs.load(Ordering::SeqCst), 1);
    assert_eq!(
        drain(&mut events),
        [("r".to_string(), "MetricSuccessful".to_string()), ("r".into(), "AnalysisRunSuccessful".into())]
    );
}

#[tokio::test(start_paused = true)]
async fn interval_and_count_are_exact_under_paused_time() {
    let (analyzer, stats) = analyzer();
    let start = Instant::now();
    let handle = analyzer.start(run_with("r", vec![web("m", "fake://instant", json!({"interval": "1m", "count": 3}))]));
    let mut status = handle.status();
    let run = finish(&handle).await;
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_secs(120) && elapsed < Duration::from_millis(120_010), "{elapsed:?}");
    assert_eq!(run.status.phase, Some(Phase::Successful));
    assert_eq!(run.status.completed_at, Some(at(120)));
    let r = result(&run, "m");
    let started: Vec<_> = r.measurements.iter().map(|m| m.started_at.unwrap()).collect();
    assert_eq!(started, [at(0), at(60), at(120)]);
    assert_eq!(stats.runs.load(Ordering::SeqCst), 3);
    // The status receiver saw the end, and the channel is closed.
    assert_eq!(status.borrow_and_update().status.phase, Some(Phase::Successful));
    assert!(status.changed().await.is_err());
}

#[tokio::test(start_paused = true)]
async fn error_measurements_retry_after_ten_seconds() {
    let (analyzer, _) = analyzer();
    let start = Instant::now();
    // A run-once metric errors, retries 10 s later (and 1 ms, the strict test), up to
    // consecutiveErrorLimit 2 + 1 errors.
    let run = analyzer
        .run_to_completion(run_with(
            "r",
            vec![web("m", "fake://echo/connection refused", json!({"consecutiveErrorLimit": 2}))],
        ))
        .await;
    let r = result(&run, "m");
    assert_eq!((r.phase, r.error, r.consecutive_error), (Phase::Error, 3, 3));
    let started: Vec<_> = r.measurements.iter().map(|m| m.started_at.unwrap()).collect();
    assert_eq!(started, [at(0), at(10), at(20)]);
    assert!(start.elapsed() < Duration::from_millis(20_010));
    assert_eq!(run.status.phase, Some(Phase::Error));
    assert_eq!(r.message, "connection refused");
}

#[tokio::test(start_paused = true)]
async fn slow_provider_times_out_for_its_metric_only() {
    let (analyzer, stats) = analyzer();
    let start = Instant::now();
    let run = analyzer
        .run_to_completion(run_with(
            "r",
            vec![
                web("slow", "fake://sleep/45", json!({"consecutiveErrorLimit": 0})),
                web("fast", "fake://instant", json!({"interval": "10s", "count": 2})),
            ],
        ))
        .await;
    // The slow call is abandoned at 30 s: its metric errors and fails the run.
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    let slow = result(&run, "slow");
    assert_eq!(slow.phase, Phase::Error);
    assert_eq!(slow.measurements.len(), 1);
    let m = &slow.measurements[0];
    assert_eq!((m.phase, m.message.as_str()), (Phase::Error, "provider call timed out after 30s"));
    assert_eq!((m.started_at, m.finished_at), (Some(at(0)), Some(at(30))));
    assert!(m.value.is_empty());
    assert_eq!(stats.cancelled.load(Ordering::SeqCst), 1, "the timed-out call was dropped");
    // The fast metric measured at 0 s as if nothing happened; the run, terminating once the
    // slow one errored, completed it.
    let fast = result(&run, "fast");
    assert_eq!(fast.measurements.len(), 1);
    assert_eq!(fast.measurements[0].phase, Phase::Successful);
    assert_eq!(fast.measurements[0].finished_at, Some(at(0)));
    assert_eq!(fast.phase, Phase::Successful);
    assert_eq!(run.status.phase, Some(Phase::Error));
    assert_eq!(
        run.status.message,
        "Metric \"slow\" assessed Error due to consecutiveErrors (1) > consecutiveErrorLimit (0): \"Error Message: provider call timed out after 30s\""
    );
}

#[tokio::test(start_paused = true)]
async fn call_timeout_is_configurable() {
    let (analyzer, _) =
        analyzer_with(AnalyzerOptions::default().with_call_timeout(Duration::from_millis(1500)), StaticSecrets::new());
    let run = analyzer
        .run_to_completion(run_with("r", vec![web("m", "fake://sleep/2", json!({"consecutiveErrorLimit": 0}))]))
        .await;
    assert_eq!(result(&run, "m").measurements[0].message, "provider call timed out after 1.5s");
    // Within the timeout, the same provider succeeds.
    let run = analyzer.run_to_completion(run_with("r2", vec![web("m", "fake://sleep/1", json!({}))])).await;
    assert_eq!(run.status.phase, Some(Phase::Successful));
}

#[tokio::test(start_paused = true)]
async fn panicking_provider_is_an_error_measurement_and_the_host_stays_healthy() {
    // One slot for Web calls: a panic must give it back.
    let (analyzer, stats) =
        analyzer_with(AnalyzerOptions::default().with_concurrency_limit("Web", 1), StaticSecrets::new());
    let run = analyzer
        .run_to_completion(run_with(
            "r",
            vec![
                web("boom", "fake://panic/1", json!({})),
                prometheus("steady", "fake://instant", json!({"interval": "5s", "count": 4})),
            ],
        ))
        .await;
    let boom = result(&run, "boom");
    assert_eq!(boom.measurements[0].phase, Phase::Error);
    assert_eq!(boom.measurements[0].message, "provider panicked: kaboom in r");
    // The run went on: the retry 10 s later succeeded, and the other metric was unaffected.
    assert_eq!(boom.measurements[1].phase, Phase::Successful);
    assert_eq!(boom.measurements[1].started_at, Some(at(10)));
    assert_eq!((boom.phase, boom.error, boom.count), (Phase::Successful, 1, 1));
    let steady = result(&run, "steady");
    assert_eq!((steady.phase, steady.count), (Phase::Successful, 4));
    assert_eq!(run.status.phase, Some(Phase::Successful));
    assert_eq!(run.status.completed_at, Some(at(15)));
    assert_eq!(stats.in_progress.load(Ordering::SeqCst), 0);
    // The host is healthy: the slot is free and other runs proceed.
    let again = analyzer.run_to_completion(run_with("r2", vec![web("m", "fake://instant", json!({}))])).await;
    assert_eq!(again.status.phase, Some(Phase::Successful));
}

#[tokio::test(start_paused = true)]
async fn hanging_provider_with_terminate() {
    let (analyzer, stats) = analyzer();
    let start = Instant::now();
    let handle = analyzer.start(run_with("r", vec![web("m", "fake://hang", json!({}))]));
    tokio::time::sleep(Duration::from_secs(5)).await;
    handle.terminate();
    // The call in progress is not interrupted: the request takes effect when it times out.
    let run = finish(&handle).await;
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    assert!(run.spec.terminate);
    assert_eq!(run.status.phase, Some(Phase::Successful));
    assert_eq!(run.status.message, "Run Terminated");
    let m = &result(&run, "m").measurements[0];
    assert_eq!((m.phase, m.message.as_str()), (Phase::Error, "provider call timed out after 30s"));
    assert_eq!(stats.runs.load(Ordering::SeqCst), 1);
    assert_eq!(stats.cancelled.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn terminate_while_idle_completes_at_once() {
    let (analyzer, stats) = analyzer();
    let start = Instant::now();
    let handle = analyzer.start(run_with("r", vec![web("m", "fake://instant", json!({"interval": "1m"}))]));
    tokio::time::sleep(Duration::from_secs(90)).await;
    handle.terminate();
    let run = finish(&handle).await;
    assert_eq!(start.elapsed(), Duration::from_secs(90));
    assert_eq!(run.status.phase, Some(Phase::Successful));
    assert_eq!(run.status.message, "Run Terminated");
    assert_eq!(run.status.completed_at, Some(at(90)));
    assert_eq!(result(&run, "m").count, 2);
    assert_eq!(stats.runs.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_notify_before_the_deadline_measures_nothing_early_and_the_deadline_once() {
    let (analyzer, stats) = analyzer();
    let handle = analyzer.start(run_with("r", vec![web("m", "fake://instant", json!({"interval": "1m", "count": 3}))]));
    tokio::time::sleep(Duration::from_secs(30)).await;
    // The run reconciles at once (nothing is due) and drops the calls it had prepared for
    // 60 s; it prepares them again, and they start at 60 s, once.
    handle.notify();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(stats.runs.load(Ordering::SeqCst), 1);
    handle.notify();
    let run = finish(&handle).await;
    let started: Vec<_> = result(&run, "m").measurements.iter().map(|m| m.started_at.unwrap()).collect();
    assert_eq!(started, [at(0), at(60), at(120)]);
    assert_eq!(stats.runs.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn an_aborted_run_never_starts_the_calls_it_prepared() {
    let (analyzer, stats) = analyzer();
    let handle = analyzer.start(run_with("r", vec![web("m", "fake://instant", json!({"interval": "1m"}))]));
    tokio::time::sleep(Duration::from_secs(30)).await;
    handle.abort();
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(stats.runs.load(Ordering::SeqCst), 1);
    assert_eq!(stats.constructions.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn calls_started_at_the_deadline_that_take_time_are_driven_by_their_run() {
    let (analyzer, stats) = analyzer();
    let handles: Vec<_> = (0..3)
        .map(|i| {
            analyzer.start(run_with(
                &format!("r{i}"),
                vec![
                    web("a", "fake://sleep/5", json!({"interval": "1m", "count": 2})),
                    prometheus("b", "fake://sleep/5", json!({"interval": "1m", "count": 2})),
                ],
            ))
        })
        .collect();
    for h in &handles {
        let run = finish(h).await;
        assert_eq!(run.status.phase, Some(Phase::Successful));
        for metric in ["a", "b"] {
            let finished: Vec<_> = result(&run, metric).measurements.iter().map(|m| m.finished_at.unwrap()).collect();
            // Due 1 m after the first finished (at 65 s), both metrics' calls started by the
            // timer, each taking its 5 s.
            assert_eq!(finished, [at(5), at(70)]);
        }
        assert_eq!(run.status.completed_at, Some(at(70)));
    }
    assert_eq!(stats.runs.load(Ordering::SeqCst), 12);
    assert_eq!(stats.cancelled.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn abort_stops_driving_the_run() {
    let (analyzer, stats) = analyzer();
    let handle = analyzer.start(run_with("r", vec![web("m", "fake://hang", json!({}))]));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(stats.in_progress.load(Ordering::SeqCst), 1);
    handle.abort();
    let run = finish(&handle).await;
    assert_eq!(run.status.phase, None);
    assert_eq!(stats.in_progress.load(Ordering::SeqCst), 0, "the call in progress was dropped");
    assert_eq!(stats.cancelled.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn concurrency_limit_is_respected_per_provider_type() {
    let (analyzer, stats) =
        analyzer_with(AnalyzerOptions::default().with_concurrency_limit("Prometheus", 3), StaticSecrets::new());
    let start = Instant::now();
    let handles: Vec<_> = (0..20)
        .map(|i| {
            analyzer.start(run_with(
                &format!("r{i}"),
                vec![prometheus("a", "fake://sleep/1", json!({})), prometheus("b", "fake://sleep/1", json!({}))],
            ))
        })
        .collect();
    for h in &handles {
        let run = finish(h).await;
        // Waiting for a slot does not count against the 30 s call timeout.
        assert_eq!(run.status.phase, Some(Phase::Successful), "{:?}", run.status);
    }
    assert_eq!(stats.max_in_progress.load(Ordering::SeqCst), 3);
    assert_eq!(stats.runs.load(Ordering::SeqCst), 40);
    // 40 one-second calls, three at a time.
    assert_eq!(start.elapsed(), Duration::from_secs(14));

    // Unlimited types are not held back.
    let (analyzer, stats) =
        analyzer_with(AnalyzerOptions::default().with_concurrency_limit("Prometheus", 3), StaticSecrets::new());
    let handles: Vec<_> = (0..20)
        .map(|i| analyzer.start(run_with(&format!("w{i}"), vec![web("a", "fake://sleep/1", json!({}))])))
        .collect();
    for h in &handles {
        finish(h).await;
    }
    assert_eq!(stats.max_in_progress.load(Ordering::SeqCst), 20);
}

#[tokio::test(start_paused = true)]
async fn thousand_concurrent_runs_complete() {
    let (analyzer, stats) = analyzer();
    let mut events = analyzer.events();
    let start = Instant::now();
    let handles: Vec<_> = (0..1000)
        .map(|i| {
            analyzer.start(run_with(
                &format!("r{i}"),
                vec![
                    web("a", "fake://instant", json!({"interval": "10s", "count": 3})),
                    prometheus("b", "fake://sleep/2", json!({"interval": "10s", "count": 2})),
                ],
            ))
        })
        .collect();
    for h in &handles {
        let run = finish(h).await;
        assert_eq!(run.status.phase, Some(Phase::Successful));
        assert_eq!(run.status.completed_at, Some(at(20)));
        assert_eq!((result(&run, "a").count, result(&run, "b").count), (3, 2));
    }
    assert!(start.elapsed() < Duration::from_millis(20_010), "{:?}", start.elapsed());
    assert_eq!(stats.runs.load(Ordering::SeqCst), 5000);
    // Events beyond the channel's capacity are dropped for a slow receiver, not queued.
    assert!(matches!(events.try_recv(), Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_))));
}

#[tokio::test(start_paused = true)]
async fn in_flight_measurement_is_resumed_at_resume_at() {
    let (analyzer, stats) = analyzer();
    let handle = analyzer.start(run_with("r", vec![web("m", "fake://inflight/30", json!({}))]));
    let mut status = handle.status();
    // The measurement is published while in flight.
    let running = status
        .wait_for(|r| r.status.metric_results.first().is_some_and(|m| m.measurements.len() == 1))
        .await
        .unwrap()
        .clone();
    let m = &running.status.metric_results[0].measurements[0];
    assert_eq!((m.phase, m.finished_at, m.resume_at), (Phase::Running, None, Some(at(30))));
    let run = finish(&handle).await;
    let r = result(&run, "m");
    assert_eq!(r.measurements.len(), 1);
    let m = &r.measurements[0];
    assert_eq!((m.phase, m.value.as_str()), (Phase::Successful, "done"));
    assert_eq!((m.started_at, m.finished_at), (Some(at(0)), Some(at(30))));
    assert_eq!(run.status.completed_at, Some(at(30)));
    assert_eq!((stats.runs.load(Ordering::SeqCst), stats.resumes.load(Ordering::SeqCst)), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn in_flight_measurement_without_resume_at_waits_for_a_notify() {
    let (analyzer, stats) = analyzer();
    let start = Instant::now();
    let handle = analyzer.start(run_with("r", vec![web("m", "fake://inflight", json!({}))]));
    tokio::time::sleep(Duration::from_secs(3600)).await;
    // Resumed once by the reconcile that follows the status change, then no timer: nothing
    // happened in an hour.
    assert_eq!(stats.resumes.load(Ordering::SeqCst), 1);
    assert!(!handle.is_finished());
    // The Job completes; its watch event reconciles the run.
    stats.job_done.store(true, Ordering::SeqCst);
    handle.notify();
    let run = finish(&handle).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
    assert_eq!(result(&run, "m").measurements[0].finished_at, Some(at(3600)));
    assert_eq!(run.status.phase, Some(Phase::Successful));
    assert_eq!(stats.resumes.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn terminate_while_in_flight_records_the_terminate_result() {
    let (analyzer, stats) = analyzer();
    let mut events = analyzer.events();
    let handle = analyzer.start(run_with("r", vec![web("m", "fake://inflight/60", json!({}))]));
    tokio::time::sleep(Duration::from_secs(10)).await;
    handle.terminate();
    let run = finish(&handle).await;
    let r = result(&run, "m");
    assert_eq!(r.measurements.len(), 1);
    let m = &r.measurements[0];
    assert_eq!((m.phase, m.message.as_str()), (Phase::Inconclusive, "Metric Terminated"));
    assert_eq!((m.started_at, m.finished_at), (Some(at(0)), Some(at(10))));
    assert_eq!(r.phase, Phase::Inconclusive);
    assert_eq!(run.status.phase, Some(Phase::Inconclusive));
    assert_eq!(
        run.status.message,
        "Metric \"m\" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0): \"Error Message: Metric Terminated\""
    );
    assert_eq!(run.status.completed_at, Some(at(10)));
    assert_eq!((stats.resumes.load(Ordering::SeqCst), stats.terminates.load(Ordering::SeqCst)), (0, 1));
    let kinds: Vec<_> = std::iter::from_fn(|| events.try_recv().ok()).map(|e| e.event.kind).collect();
    assert_eq!(kinds, [EventKind::Normal, EventKind::Normal]);
}

fn secret_run(name: &str, url: &str) -> AnalysisRun {
    run_of(
        name,
        json!({
            "args": [
                {"name": "token", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}},
                {"name": "svc", "value": "api"},
            ],
            "metrics": [web("m", url, json!({"consecutiveErrorLimit": 0}))],
        }),
    )
}

#[tokio::test(start_paused = true)]
async fn secrets_reach_providers_and_are_redacted_in_measurement_messages() {
    let secrets = StaticSecrets::new().with("ns", "creds", "token", "s3cr3t-t0ken");
    let (analyzer, stats) = analyzer_with(AnalyzerOptions::default(), secrets);
    let run = analyzer
        .run_to_completion(secret_run(
            "r",
            "fake://echo/GET https://{{args.svc}}/?token={{args.token}} failed: token {{args.token}} rejected",
        ))
        .await;
    // The provider was built with the secret substituted...
    assert_eq!(
        stats.seen.lock().unwrap().as_slice(),
        ["fake://echo/GET https://api/?token=s3cr3t-t0ken failed: token s3cr3t-t0ken rejected"]
    );
    // ...and nothing the run records shows it.
    let m = &result(&run, "m").measurements[0];
    assert_eq!(m.message, "GET https://api/?token=***** failed: token ***** rejected");
    assert_eq!(result(&run, "m").message, m.message);
    assert!(!serde_json::to_string(&run).unwrap().contains("s3cr3t"));
    // The run's spec still says where the secret comes from, not what it is.
    assert!(run.spec.metrics[0].provider.web.as_ref().unwrap().url.contains("{{args.token}}"));
}

#[tokio::test(start_paused = true)]
async fn secret_errors_make_the_run_error() {
    let secrets = StaticSecrets::new().with("ns", "creds", "other", "x");
    let (analyzer, stats) = analyzer_with(AnalyzerOptions::default(), secrets);
    let mut events = analyzer.events();
    let run = analyzer.run_to_completion(secret_run("r", "fake://instant/{{args.token}}")).await;
    assert_eq!(run.status.phase, Some(Phase::Error));
    assert_eq!(run.status.message, "Unable to resolve metric arguments: key 'token' does not exist in secret 'creds'");
    assert_eq!((run.status.started_at, run.status.completed_at), (None, None));
    assert_eq!(stats.constructions.load(Ordering::SeqCst), 0);
    assert_eq!(drain(&mut events), [("r".to_string(), "AnalysisRunError".to_string())]);

    // A substitution that fails only with the secret's value: the error quotes no secret.
    let secret = "bell\u{7}-s3cr3t";
    let secrets = StaticSecrets::new().with("ns", "creds", "token", secret);
    let (analyzer, _) = analyzer_with(AnalyzerOptions::default(), secrets);
    let run = analyzer.run_to_completion(secret_run("r", "fake://instant/{{args.token}}")).await;
    assert_eq!(run.status.phase, Some(Phase::Error));
    assert!(run.status.message.starts_with("Unable to resolve metric arguments: "), "{}", run.status.message);
    assert!(!run.status.message.contains("s3cr3t"), "{}", run.status.message);
}

#[tokio::test(start_paused = true)]
async fn construction_errors_are_error_measurements_without_metadata() {
    let (analyzer, stats) = analyzer();
    let run = analyzer
        .run_to_completion(run_with(
            "r",
            vec![
                web("broken", "fake://broken", json!({"consecutiveErrorLimit": 1})),
                web("ok", "fake://instant", json!({})),
            ],
        ))
        .await;
    let broken = result(&run, "broken");
    assert!(broken.metadata.is_empty());
    assert_eq!(broken.measurements.len(), 2);
    for (m, secs) in broken.measurements.iter().zip([0, 10]) {
        assert_eq!((m.phase, m.message.as_str()), (Phase::Error, "cannot reach fake://broken"));
        assert_eq!((m.started_at, m.finished_at), (Some(at(secs)), Some(at(secs))));
    }
    assert_eq!(run.status.phase, Some(Phase::Error));
    assert_eq!(result(&run, "ok").metadata.get("fake").map(String::as_str), Some("ok"));
    assert_eq!(stats.runs.load(Ordering::SeqCst), 1);

    // A provider whose configuration no provider implements.
    let run = analyzer
        .run_to_completion(run_with(
            "r2",
            vec![json!({"name": "dd", "consecutiveErrorLimit": 0, "provider": {"datadog": {"query": "q"}}})],
        ))
        .await;
    assert_eq!(result(&run, "dd").measurements[0].message, "no valid provider in metric 'dd'");
}

#[tokio::test(start_paused = true)]
async fn construction_error_while_resuming_turns_the_in_flight_measurement_into_error() {
    let (analyzer, stats) = analyzer();
    // Built once (Running, no resumeAt, so resumed by the next reconcile), then construction
    // fails.
    let handle =
        analyzer.start(run_with("r", vec![web("m", "fake://broken-after/1", json!({"consecutiveErrorLimit": 0}))]));
    let run = finish(&handle).await;
    let r = result(&run, "m");
    assert_eq!(r.measurements.len(), 1);
    let m = &r.measurements[0];
    assert_eq!((m.phase, m.message.as_str()), (Phase::Error, "provider went away"));
    assert_eq!((m.started_at, m.finished_at), (Some(at(0)), Some(at(0))));
    assert_eq!(run.status.phase, Some(Phase::Error));
    // Metadata is from the first (successful) construction.
    assert_eq!(r.metadata.get("fake").map(String::as_str), Some("m"));
    assert_eq!(stats.constructions.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn garbage_collection_before_trimming() {
    let (analyzer, stats) = analyzer();
    let run = analyzer
        .run_to_completion(run_of(
            "r",
            json!({
                "metrics": [
                    web("kept", "fake://instant", json!({"interval": "1s", "count": 5})),
                    web("stuck", "fake://gc-fails", json!({"interval": "1s", "count": 5})),
                ],
                "measurementRetention": [{"metricName": ".*", "limit": 2}],
            }),
        ))
        .await;
    assert_eq!(run.status.phase, Some(Phase::Successful));
    // "kept" is collected then trimmed; "stuck"'s collection fails, so it keeps everything.
    assert_eq!(result(&run, "kept").measurements.len(), 2);
    assert_eq!(result(&run, "stuck").measurements.len(), 5);
    let gcs = stats.gcs.lock().unwrap();
    assert!(gcs.contains(&("kept".to_string(), 2)) && gcs.contains(&("stuck".to_string(), 2)), "{gcs:?}");
}

#[tokio::test(start_paused = true)]
async fn invalid_and_completed_runs_end_at_once() {
    let (analyzer, stats) = analyzer();
    let mut events = analyzer.events();
    let run = analyzer.run_to_completion(run_with("bad", vec![web("m", "fake://instant", json!({"count": 2}))])).await;
    assert_eq!(run.status.phase, Some(Phase::Error));
    assert_eq!(run.status.message, "Analysis spec invalid: metrics[0]: interval must be specified when count > 1");
    assert_eq!(drain(&mut events), [("bad".to_string(), "AnalysisRunError".to_string())]);
    // A completed run is left as it is.
    let again = analyzer.run_to_completion(run.clone()).await;
    assert_eq!(again, run);
    assert_eq!(stats.constructions.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn a_run_with_status_continues_where_it_was() {
    let (analyzer, stats) = analyzer();
    let handle = analyzer.start(run_with("r", vec![web("m", "fake://instant", json!({"interval": "1m", "count": 3}))]));
    let mut status = handle.status();
    let partial =
        status.wait_for(|r| r.status.metric_results.first().is_some_and(|m| m.count == 2)).await.unwrap().clone();
    handle.abort();
    assert_eq!(stats.runs.load(Ordering::SeqCst), 2);
    // A restarted controller picks it up five minutes in: the third measurement is overdue.
    let stats = Arc::new(Stats::default());
    let factory = Arc::new(FakeFactory { stats: Arc::clone(&stats) });
    let clock = Clock::starting_at(t0() + Duration::from_secs(300));
    let analyzer = Analyzer::new(factory, Arc::new(StaticSecrets::new()), AnalyzerOptions::default().with_clock(clock));
    let run = analyzer.run_to_completion(partial).await;
    assert_eq!(stats.runs.load(Ordering::SeqCst), 1);
    let r = result(&run, "m");
    let started: Vec<_> = r.measurements.iter().map(|m| m.started_at.unwrap()).collect();
    assert_eq!(started, [at(0), at(60), at(300)]);
    assert_eq!(run.status.completed_at, Some(at(300)));
}
