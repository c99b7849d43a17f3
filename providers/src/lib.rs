//! # augur-providers
//!
//! Everything in Augur that talks to the world: metric providers and the analyzer that drives
//! AnalysisRuns with them. Providers perform I/O and hand their measurements to the sans-I/O
//! engine in `augur-analysis-core`, which applies the conditions, the measurement state
//! machine and Argo's scheduling.
//!
//! * [`provider`]: the provider contract (Argo's `metricproviders.Provider`, semantics §9.0):
//!   [`Provider`], [`ProviderFactory`], [`RunContext`], [`ProviderError`].
//! * [`analyzer`]: [`Analyzer`], Argo's reconcile loop on tokio, driving many runs
//!   concurrently with per-provider-type concurrency limits, a per-call timeout and panic
//!   isolation; exact under `tokio::time::pause()`.
//!
//! * [`plugin`]: the host of sandboxed WebAssembly provider plugins ([`plugin::PluginHost`]).
//!
//! The built-in providers (Prometheus, Datadog, web, Kubernetes Job) are being built on this
//! contract.

#![deny(missing_docs)]

pub mod analyzer;
pub mod plugin;
pub mod provider;

pub use analyzer::{Analyzer, AnalyzerOptions, Clock, RunEvent, RunHandle};
pub use augur_analysis_core::{Phase, Value};
pub use provider::{Provider, ProviderError, ProviderFactory, RunContext};
