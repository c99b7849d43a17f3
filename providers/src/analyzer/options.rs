//! How an [`Analyzer`](super::Analyzer) runs provider calls.

use std::collections::BTreeMap;
use std::time::Duration;

use super::clock::Clock;

/// The default per-call timeout.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The default capacity of the event channel ([`Analyzer::events`](super::Analyzer::events)).
pub const DEFAULT_EVENT_CAPACITY: usize = 1024;

/// Settings of an [`Analyzer`](super::Analyzer).
#[derive(Debug, Clone)]
pub struct AnalyzerOptions {
    /// The most provider calls of one provider type (by [`Provider::type_name`]) in progress
    /// at once, across all runs; types not listed are unlimited. Calls beyond the limit wait
    /// for a slot, and the wait does not count against [`AnalyzerOptions::call_timeout`].
    /// A limit of 0 is treated as 1.
    ///
    /// [`Provider::type_name`]: crate::provider::Provider::type_name
    pub concurrency: BTreeMap<String, usize>,
    /// How long one provider call may take (default 30 s). A call that takes longer is
    /// abandoned (its future dropped) and that metric's measurement becomes an Error
    /// `provider call timed out after 30s`; the run's other metrics are unaffected.
    pub call_timeout: Duration,
    /// Where time comes from (default: [`Clock::system`]).
    pub clock: Clock,
    /// Capacity of the event broadcast channel (default 1024); a receiver that falls further
    /// behind loses the oldest events.
    pub event_capacity: usize,
}

impl Default for AnalyzerOptions {
    fn default() -> AnalyzerOptions {
        AnalyzerOptions {
            concurrency: BTreeMap::new(),
            call_timeout: DEFAULT_CALL_TIMEOUT,
            clock: Clock::system(),
            event_capacity: DEFAULT_EVENT_CAPACITY,
        }
    }
}

impl AnalyzerOptions {
    /// Limits the calls of provider type `type_name` in progress at once to `max`.
    pub fn with_concurrency_limit(mut self, type_name: impl Into<String>, max: usize) -> AnalyzerOptions {
        self.concurrency.insert(type_name.into(), max);
        self
    }

    /// Sets the per-call timeout.
    pub fn with_call_timeout(mut self, timeout: Duration) -> AnalyzerOptions {
        self.call_timeout = timeout;
        self
    }

    /// Sets the clock.
    pub fn with_clock(mut self, clock: Clock) -> AnalyzerOptions {
        self.clock = clock;
        self
    }

    /// Sets the event channel's capacity (at least 1).
    pub fn with_event_capacity(mut self, capacity: usize) -> AnalyzerOptions {
        self.event_capacity = capacity;
        self
    }
}
