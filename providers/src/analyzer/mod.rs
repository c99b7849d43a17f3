//! The analyzer: drives many AnalysisRuns concurrently on tokio, with real providers.
//!
//! ## The model
//!
//! Argo's analysis controller reconciles an AnalysisRun whenever it changes or a timer it set
//! fires. The [`Analyzer`] does the same for each run it is given, in one tokio task per run
//! ([`Analyzer::start`]), around the sans-I/O engine of `augur-analysis-core`:
//!
//! ```text
//! ResolvedSpec::new(run)                       once: the spec does not change
//! loop {
//!   prepare_with(now)                          Completed / Invalid -> publish, end
//!     (or tasks_due(deadline) ahead of time, started by the burst's timer: below)
//!   Measure(tasks):
//!     resolve_args_with_secrets                error -> fail_arguments, publish, end
//!     ResolvedArgs::resolve_metric per task    error -> fail_arguments (redacted), end
//!     ProviderFactory::new_provider per task   error -> Error measurement (no metadata)
//!     run / resume / terminate, all tasks concurrently, each under its provider type's
//!       concurrency limit, the call timeout and panic isolation
//!   record_with(outcomes, secrets, now)        bookkeeping, assessment, events, next wake-up
//!   garbage_collect per Recorded::gc -> trim
//!   publish status (watch) and events (broadcast)
//!   a run or metric phase changed -> again at once (Argo's status write re-triggers it)
//!   else sleep until next_reconcile, a terminate or a notify
//! }
//! ```
//!
//! The run's status is the loop's only state: a run handed over with a status (a controller
//! restart) continues where it was, exactly as Argo's would.
//!
//! ## Faults are measurements
//!
//! Whatever goes wrong with one provider call affects only that metric's measurement, as an
//! Error measurement with the reason as its message, and Argo's rules take it from there
//! (retry after 10 s, `consecutiveErrorLimit`):
//!
//! * the provider cannot be constructed: the factory's error text (an in-flight measurement
//!   being resumed is turned into that Error);
//! * the call takes longer than [`AnalyzerOptions::call_timeout`]: `provider call timed out
//!   after 30s` (the call's future is dropped);
//! * the provider panics: `provider panicked: <message>` (the panic is caught; the run, the
//!   other runs and the concurrency slots are unaffected).
//!
//! Messages and measurement metadata are redacted: every secret value read for the run (and
//! its quoted and JSON-escaped forms) is replaced by `*****`.
//!
//! ## Time
//!
//! All time comes from the [`Clock`] in the options: the engine's `now`, the
//! [`RunContext::now`](crate::provider::RunContext::now) providers stamp measurements with,
//! and the timers. Under `tokio::time::pause()` runs are exact and instantaneous: a metric
//! with `interval: 1m, count: 3` completes two virtual minutes after it starts. The loop wakes
//! 1 ms after the engine's wake-up time (Argo's interval test is strict, tokio's timers tick
//! in milliseconds).
//!
//! ## Runs due together
//!
//! Argo's second-precision timestamps make many runs due on the same second. Runs waiting for
//! the same instant share one timer, and each prepares its next reconcile's provider calls
//! right after recording the last one (what will be due depends only on the status, which does
//! not change until then, and on the time): when the timer fires, it starts every run's calls
//! at once and only then wakes the runs to record their results. A run woken early (a notify,
//! a terminate) drops what it prepared and reconciles on its own. See `burst.rs`.
//!
//! ## What the caller does
//!
//! TTL deletion of completed runs (§4.9, `engine::ttl_expired`), persisting the published
//! status, and turning [`RunEvent`]s into Kubernetes events are the caller's.

mod burst;
mod call;
mod clock;
mod events;
mod handle;
mod options;
mod reconcile;

use std::sync::Arc;

use augur_analysis_core::spec::AnalysisRun;
use augur_analysis_core::template::SecretResolver;
use tokio::sync::{broadcast, watch};

pub use clock::Clock;
pub use events::RunEvent;
pub use handle::RunHandle;
pub use options::{AnalyzerOptions, DEFAULT_CALL_TIMEOUT, DEFAULT_EVENT_CAPACITY};

use crate::provider::ProviderFactory;
use call::Limits;
use handle::Control;
pub(crate) use reconcile::redact_outcome;
use reconcile::{RunLoop, Shared};

/// Drives AnalysisRuns with real providers, many at once. Cloning is cheap and clones share
/// the concurrency limits and the event channel.
#[derive(Clone)]
pub struct Analyzer {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer").field("limits", &self.shared.limits).field("clock", &self.shared.clock).finish()
    }
}

impl Analyzer {
    /// An analyzer building providers with `factory` and reading secret-backed arguments with
    /// `secrets`.
    pub fn new(
        factory: Arc<dyn ProviderFactory>,
        secrets: Arc<dyn SecretResolver + Send + Sync>,
        options: AnalyzerOptions,
    ) -> Analyzer {
        let (events, _) = broadcast::channel(options.event_capacity.max(1));
        let shared = Shared {
            factory,
            secrets,
            limits: Limits::new(&options),
            clock: options.clock,
            events,
            bursts: Arc::default(),
        };
        Analyzer { shared: Arc::new(shared) }
    }

    /// Starts driving `run` in a new tokio task. The run may be new or carry the status of an
    /// earlier reconcile.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn start(&self, run: AnalysisRun) -> RunHandle {
        let control = Arc::new(Control::default());
        let (status, receiver) = watch::channel(run);
        let task = tokio::spawn(RunLoop::new(Arc::clone(&self.shared), Arc::clone(&control), status).drive());
        RunHandle::new(control, receiver, task)
    }

    /// Drives `run` until it completes and returns it.
    pub async fn run_to_completion(&self, run: AnalysisRun) -> AnalysisRun {
        self.start(run).wait().await
    }

    /// A receiver of the events every run emits from now on, in order per run.
    pub fn events(&self) -> broadcast::Receiver<RunEvent> {
        self.shared.events.subscribe()
    }

    /// The analyzer's clock.
    pub fn clock(&self) -> Clock {
        self.shared.clock
    }
}
