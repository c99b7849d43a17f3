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
//! * [`job`]: the Kubernetes Job provider (Argo's `job` metric) and local execution of Job
//!   metrics for CI.
//!
//! The built-in providers (Prometheus, Datadog, web, Kubernetes Job) and the host for
//! sandboxed WebAssembly provider plugins are being built on this contract.

#![deny(missing_docs)]

pub mod analyzer;
pub mod answer;
pub mod backtest;
pub mod builtin;
pub mod error;
pub mod http;
pub mod job;
pub mod oauth2;
pub mod prometheus;
pub mod provider;
pub mod record;

pub use analyzer::{Analyzer, AnalyzerOptions, Clock, RunEvent, RunHandle};
pub use answer::Answer;
pub use augur_analysis_core::{Phase, Value};
pub use builtin::BuiltinProviders;
pub use error::{FetchError, FetchErrorKind};
pub use provider::{EnvLookup, Provider, ProviderError, ProviderFactory, RunContext};
pub use record::{DataRecorder, Recorder};
