//! Backtesting: what would this analysis have decided during last Tuesday's release?
//!
//! A backtest runs the state machine on virtual time from a past instant, exactly as
//! `augur replay` does, but each measurement is a real provider call made *as of* the
//! measurement's virtual time: providers take the time of a call from
//! [`RunContext::now`], and a history-aware provider asks its backend for that instant (the
//! Prometheus provider sends it as the instant query's `time`, and range expressions such
//! as `now() - duration("1h")` are evaluated at it). The schedule is the template's own:
//! `initialDelay`, `interval`, `count`, the 10 s retry after an error, and the limits.
//!
//! Only providers whose answers depend on nothing but the query and the time can be asked
//! about the past ([`HISTORICAL_PROVIDERS`]); anything else (a web endpoint, a Job) would
//! answer about the present, so [`check_historical`] rejects it up front.

use std::time::{Duration, SystemTime};

use augur_analysis_core::Phase;
use augur_analysis_core::engine::{self, Prepared, ResolvedSpec, TaskKind, TaskOutcome};
use augur_analysis_core::replay::{self, Phases, ReplayEnd, Step};
use augur_analysis_core::spec::{AnalysisRun, Measurement, Time};
use augur_analysis_core::template::{SecretResolver, resolve_args_with_secrets};

use crate::provider::{Provider, ProviderFactory, RunContext};

/// Provider types that can answer for a past instant.
pub const HISTORICAL_PROVIDERS: [&str; 2] = ["Prometheus", "Datadog"];

/// The most reconciles one backtest performs (a guard against a template that never ends).
pub const MAX_RECONCILES: usize = 1_000_000;

/// How a backtest ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BacktestEnd {
    /// The run completed (its phase says how).
    Completed,
    /// The window ended before the run completed.
    WindowEnded,
    /// The run waits for something that will not happen on virtual time (an in-flight
    /// measurement without a resume time).
    Stalled,
}

/// The outcome of [`backtest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backtest {
    /// How it ended.
    pub end: BacktestEnd,
    /// The virtual time it ended at.
    pub at: SystemTime,
    /// Provider calls made.
    pub calls: usize,
}

/// Checks that every metric of `run` uses a provider that can answer about the past.
pub fn check_historical(run: &AnalysisRun) -> Result<(), String> {
    for m in &run.spec.metrics {
        match m.provider.type_name() {
            Some(t) if HISTORICAL_PROVIDERS.contains(&t) => {}
            other => {
                return Err(format!(
                    "metric {:?} uses the {} provider, which cannot be asked about the past; backtest supports {}",
                    m.name,
                    other.unwrap_or("unknown"),
                    HISTORICAL_PROVIDERS.join(" and ")
                ));
            }
        }
    }
    Ok(())
}

/// Runs `run` on virtual time from `from` until it completes or the virtual time passes
/// `to`, measuring through `factory` at each virtual instant. Each provider call is bounded
/// by `call_timeout` (real time). `Err` is an argument that cannot be resolved.
pub async fn backtest(
    run: &mut AnalysisRun,
    factory: &dyn ProviderFactory,
    secrets: &dyn SecretResolver,
    from: SystemTime,
    to: SystemTime,
    call_timeout: Duration,
) -> Result<Backtest, String> {
    let spec = ResolvedSpec::new(run);
    let args = resolve_args_with_secrets(run, secrets)?;
    let base = RunContext::new(run, from);
    let mut now = from;
    let mut calls = 0;
    for _ in 0..MAX_RECONCILES {
        if now > to {
            return Ok(Backtest { end: BacktestEnd::WindowEnded, at: now, calls });
        }
        let tasks = match engine::prepare_with(&spec, run, now) {
            Prepared::Completed { .. } | Prepared::Invalid(_) => {
                return Ok(Backtest { end: BacktestEnd::Completed, at: now, calls });
            }
            Prepared::Measure(tasks) => tasks,
        };
        let before = Phases::of(run);
        let cx = base.at(now);
        let mut outcomes = Vec::with_capacity(tasks.len());
        for task in tasks {
            let name = task.resolved(&spec).name.clone();
            let via = task.via();
            let metric = args.resolve_metric(task.metric(run))?;
            let (measurement, provider_metadata) = match factory.new_provider(&cx, &metric) {
                Ok(provider) => {
                    calls += 1;
                    let metadata = provider.metadata(&metric);
                    (call(provider.as_ref(), &cx, &metric, task.kind, call_timeout).await, Some(metadata))
                }
                Err(e) => (error_measurement(now, e.to_string()), None),
            };
            let mut outcome = TaskOutcome { metric: name, measurement, provider_metadata, via };
            crate::analyzer::redact_outcome(&mut outcome, &args);
            outcomes.push(outcome);
        }
        let recorded = engine::record_with(&spec, run, outcomes, &args.secrets, now);
        now = match replay::settle(run, &before, &recorded, now) {
            Step::Again => now,
            Step::At(t) => t,
            Step::Done(ReplayEnd::Completed) => return Ok(Backtest { end: BacktestEnd::Completed, at: now, calls }),
            Step::Done(_) => return Ok(Backtest { end: BacktestEnd::Stalled, at: now, calls }),
        };
    }
    Ok(Backtest { end: BacktestEnd::Stalled, at: now, calls })
}

async fn call(
    provider: &dyn Provider,
    cx: &RunContext,
    metric: &augur_analysis_core::spec::Metric,
    kind: TaskKind,
    limit: Duration,
) -> Measurement {
    let started = cx.now;
    let call = async {
        match kind {
            TaskKind::Measure => provider.run(cx, metric).await,
            TaskKind::Resume(m) => provider.resume(cx, metric, m).await,
            TaskKind::Terminate(m) => provider.terminate(cx, metric, m).await,
        }
    };
    match tokio::time::timeout(limit, call).await {
        Ok(m) => m,
        Err(_) => error_measurement(started, crate::provider::ProviderError::Timeout(limit).to_string()),
    }
}

fn error_measurement(now: SystemTime, message: String) -> Measurement {
    Measurement { phase: Phase::Error, message, started_at: Some(Time::from_system(now)), ..Measurement::default() }
}
