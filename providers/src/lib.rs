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
//! * [`answer`]: the path every synchronous provider shares: a backend's answer becomes an
//!   [`Answer`] (a typed value or an error), recorded for `--record` and judged by exactly the
//!   code `augur replay` uses. [`error`] is the one error taxonomy ([`FetchError`]: Argo's
//!   text plus the query or URL, never a credential).
//! * [`prometheus`]: the Prometheus provider; [`backtest`]: the state machine on virtual time
//!   with providers queried as of each measurement (`augur backtest`); [`record`]: provider
//!   answers in replay's DATA format (`augur run --record`).
//! * [`web`]: the web provider (HTTP + Kubernetes JSONPath templates).
//! * [`datadog`]: the Datadog provider (API v1 and v2), its credential lookup and 429 policy.
//! * [`builtin`]: [`BuiltinProviders`], the factory that builds them with shared HTTP
//!   clients ([`http`]), OAuth2 tokens ([`oauth2`]), Secrets and the environment.
//! * [`job`]: the Kubernetes Job provider (Argo's `job` metric) and local execution of Job
//!   metrics for CI.
//! * [`plugin`]: the host of sandboxed WebAssembly provider plugins ([`plugin::PluginHost`]).

#![deny(missing_docs)]

pub mod analyzer;
pub mod answer;
pub mod backtest;
pub mod body;
pub mod builtin;
pub mod datadog;
pub mod error;
pub mod form;
pub mod http;
pub mod job;
pub mod oauth2;
pub mod plugin;
pub mod prometheus;
pub mod provider;
pub mod record;
pub mod shared;
pub mod web;

pub use analyzer::{Analyzer, AnalyzerOptions, Clock, RunEvent, RunHandle};
pub use answer::Answer;
pub use augur_analysis_core::{Phase, Value};
pub use builtin::BuiltinProviders;
pub use error::{FetchError, FetchErrorKind};
pub use provider::{EnvLookup, Provider, ProviderError, ProviderFactory, RunContext};
pub use record::{DataRecorder, Recorder};
