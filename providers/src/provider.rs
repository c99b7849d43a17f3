//! The metric-provider contract (semantics §9.0).
//!
//! A [`Provider`] measures one metric of one run: [`Provider::run`] takes a new measurement,
//! [`Provider::resume`] continues one left in flight (phase Running, maybe with a `resumeAt`),
//! [`Provider::terminate`] stops one when the run is terminating, and
//! [`Provider::garbage_collect`] deletes what old measurements left behind (a Job provider's
//! Jobs). As in Argo, a provider instance is constructed **per task** (and per
//! garbage-collection pass) from the metric with its placeholders substituted, by a
//! [`ProviderFactory`]; a construction error becomes an Error measurement whose message is the
//! error's text.
//!
//! Providers never fail with a Rust error: whatever goes wrong inside a call (transport, HTTP
//! status, decoding, evaluation) is reported as an Error measurement carrying the message,
//! with `finishedAt` set and no `value`, exactly as Argo records it. The driver (the
//! [`Analyzer`](crate::analyzer::Analyzer)) adds what Argo cannot express: calls that take too
//! long or panic become Error measurements too ([`ProviderError::Timeout`],
//! [`ProviderError::Panicked`]).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use augur_analysis_core::go::duration::format_duration;
use augur_analysis_core::spec::{AnalysisRun, Measurement, Metric};

/// Reads an environment variable (`ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`, `DD_API_KEY`, ...).
/// Injectable, so that tests need not touch the process environment.
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The run a provider call is made for, and the time of the call.
///
/// The run's identity is shared (`Arc<str>`): a context is made for every call, and cloning
/// it costs three reference-count increments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunContext {
    /// `metadata.name` of the AnalysisRun (empty when unset).
    pub name: Arc<str>,
    /// `metadata.namespace` of the AnalysisRun (empty when unset).
    pub namespace: Arc<str>,
    /// `metadata.uid` of the AnalysisRun (empty when unset).
    pub uid: Arc<str>,
    /// The current time by the driver's clock, when the call starts. Providers stamp their
    /// measurements with it (`startedAt`, `finishedAt`) rather than reading a clock, so that
    /// runs are exact under virtual time.
    pub now: SystemTime,
    /// The number of the measurement the call is for: Argo's `count + error + 1` of the
    /// metric's result when the call is made (1 for a metric's first measurement). The Job
    /// provider names its Jobs with it (`<run UID>.<metric>.<n>`); the analyzer sets it for
    /// every call ([`RunContext::with_measurement_number`]).
    pub measurement_number: i64,
}

impl RunContext {
    /// The context of `run` at `now`.
    pub fn new(run: &AnalysisRun, now: SystemTime) -> RunContext {
        let meta = &run.metadata;
        let text = |s: &Option<String>| Arc::from(s.as_deref().unwrap_or(""));
        RunContext {
            name: text(&meta.name),
            namespace: text(&meta.namespace),
            uid: text(&meta.uid),
            now,
            measurement_number: 1,
        }
    }

    /// The same run at another time.
    pub fn at(&self, now: SystemTime) -> RunContext {
        RunContext { now, ..self.clone() }
    }

    /// The same context for the measurement numbered `n` ([`RunContext::measurement_number`]).
    pub fn with_measurement_number(mut self, n: i64) -> RunContext {
        self.measurement_number = n;
        self
    }
}

/// Why a provider could not be constructed or a call did not produce a measurement. `Display`
/// is the text recorded as the Error measurement's `message` (Argo's, where Argo has one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// No provider implements the metric's provider configuration (Argo's `NewProvider`
    /// default case).
    #[error("no valid provider in metric '{metric}'")]
    NoValidProvider {
        /// The metric's name.
        metric: String,
    },
    /// A plugin provider could not be started (Argo's `failed to create plugin: <error>`).
    #[error("failed to create plugin: {0}")]
    Plugin(String),
    /// Any other failure, with its message as is (an invalid configuration, a client that
    /// could not be built, a garbage-collection failure, ...).
    #[error("{0}")]
    Other(String),
    /// The call did not return within the driver's per-call timeout (Augur only: Argo waits
    /// forever). The duration is printed as Go prints durations (`30s`, `1m30s`, `1.5s`).
    #[error("provider call timed out after {}", format_go_duration(.0))]
    Timeout(Duration),
    /// The provider panicked (Augur only: a panic in Argo's controller crashes it). Carries
    /// the panic's message.
    #[error("provider panicked: {0}")]
    Panicked(String),
}

fn format_go_duration(d: &Duration) -> String {
    format_duration(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// A metric provider (Argo's `metricproviders.Provider`, semantics §9.0).
///
/// Calls receive the metric with every placeholder substituted, secrets included. A call
/// must not block its thread: perform I/O asynchronously (or through
/// `tokio::task::spawn_blocking`). The driver bounds every call with a timeout and isolates
/// panics, but a call that blocks a runtime thread delays every run scheduled on it.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Argo's provider `Type()`: `Prometheus`, `Web`, `Datadog`, `Job`, `RPCPlugin`, ...
    /// Concurrency limits are per type name.
    fn type_name(&self) -> &str;

    /// `GetMetadata`: stored on the metric's result when its first measurement is recorded.
    fn metadata(&self, metric: &Metric) -> BTreeMap<String, String> {
        let _ = metric;
        BTreeMap::new()
    }

    /// `Run`: takes a new measurement. A synchronous provider returns it completed (with
    /// `finishedAt`); an asynchronous one returns it Running, with `resumeAt` when it wants to
    /// be resumed at a given time (without, it is resumed when the run is notified).
    async fn run(&self, cx: &RunContext, metric: &Metric) -> Measurement;

    /// `Resume`: continues the in-flight measurement `m` (returned by an earlier `run` or
    /// `resume`). The default returns it unchanged, as Argo's synchronous providers do.
    async fn resume(&self, cx: &RunContext, metric: &Metric, m: Measurement) -> Measurement {
        let _ = (cx, metric);
        m
    }

    /// `Terminate`: stops the in-flight measurement `m` because the run is terminating. A
    /// Successful or Inconclusive result gets the message `Metric Terminated`. The default
    /// returns `m` unchanged.
    async fn terminate(&self, cx: &RunContext, metric: &Metric, m: Measurement) -> Measurement {
        let _ = (cx, metric);
        m
    }

    /// `GarbageCollect`: keeps at most `limit` measurements' worth of external state (the Job
    /// provider deletes older Jobs), before the run's history is trimmed to `limit`. An error
    /// stops the trimming of this and the following metrics in this reconcile (it is only
    /// logged). The default does nothing.
    async fn garbage_collect(&self, cx: &RunContext, metric: &Metric, limit: usize) -> Result<(), ProviderError> {
        let _ = (cx, metric, limit);
        Ok(())
    }
}

/// Builds a provider for one task (`ProviderFactory.NewProvider`): called once per measured
/// metric per reconcile and once per garbage-collection request, with the metric's
/// placeholders substituted (secrets included for measurements).
///
/// Construction should be cheap and must not block: share clients (HTTP connection pools,
/// Kubernetes clients) in the factory and hand them to the providers it builds.
pub trait ProviderFactory: Send + Sync {
    /// The provider for `metric` of the run in `cx`, or the error recorded as the
    /// measurement's message.
    fn new_provider(&self, cx: &RunContext, metric: &Metric) -> Result<Arc<dyn Provider>, ProviderError>;
}

impl<F> ProviderFactory for F
where
    F: Fn(&RunContext, &Metric) -> Result<Arc<dyn Provider>, ProviderError> + Send + Sync,
{
    fn new_provider(&self, cx: &RunContext, metric: &Metric) -> Result<Arc<dyn Provider>, ProviderError> {
        self(cx, metric)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_texts() {
        assert_eq!(
            ProviderError::NoValidProvider { metric: "m".into() }.to_string(),
            "no valid provider in metric 'm'"
        );
        assert_eq!(ProviderError::Plugin("boom".into()).to_string(), "failed to create plugin: boom");
        assert_eq!(ProviderError::Other("x".into()).to_string(), "x");
        assert_eq!(ProviderError::Timeout(Duration::from_secs(30)).to_string(), "provider call timed out after 30s");
        assert_eq!(ProviderError::Timeout(Duration::from_secs(90)).to_string(), "provider call timed out after 1m30s");
        assert_eq!(
            ProviderError::Timeout(Duration::from_millis(1500)).to_string(),
            "provider call timed out after 1.5s"
        );
        assert_eq!(ProviderError::Panicked("kaboom".into()).to_string(), "provider panicked: kaboom");
    }

    #[test]
    fn context_of_a_run() {
        let mut run = AnalysisRun::default();
        run.metadata.name = Some("r".into());
        run.metadata.namespace = Some("ns".into());
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(7);
        let cx = RunContext::new(&run, t);
        assert_eq!((&*cx.name, &*cx.namespace, &*cx.uid, cx.now), ("r", "ns", "", t));
        assert_eq!(cx.at(SystemTime::UNIX_EPOCH).now, SystemTime::UNIX_EPOCH);
        assert_eq!(cx.measurement_number, 1);
        assert_eq!(cx.with_measurement_number(4).measurement_number, 4);
    }
}
