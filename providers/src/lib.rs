//! # augur-providers
//!
//! Metric providers for Augur: the built-in ones (Prometheus, Datadog, web, Kubernetes Job)
//! and the host for sandboxed WebAssembly provider plugins. Providers perform I/O and hand
//! their results to the sans-I/O engine in `augur-analysis-core`, which applies the
//! conditions and the measurement state machine.
//!
//! This crate is being built up issue by issue; today it only re-exports the engine types a
//! provider produces.

#![deny(missing_docs)]

pub use augur_analysis_core::{Phase, Value};
