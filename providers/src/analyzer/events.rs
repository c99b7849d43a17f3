//! Events the analyzer emits, as Argo's controller records Kubernetes events.

use augur_analysis_core::engine::Event;

/// An engine [`Event`] (`MetricSuccessful`, `AnalysisRunFailed`, ...) and the run it is about.
/// Delivered in order per run on [`Analyzer::events`](super::Analyzer::events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEvent {
    /// The run's namespace.
    pub namespace: String,
    /// The run's name.
    pub name: String,
    /// The run's uid.
    pub uid: String,
    /// The event.
    pub event: Event,
}
