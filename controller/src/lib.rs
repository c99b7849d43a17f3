//! # augur-controller
//!
//! The rollout step engine: a pure function of a Rollout's spec, its persisted status, the
//! observed world and the current time, returning the new status and the actions to perform
//! (scale, set weight, start analysis, promote, abort) through traffic-router and workload
//! traits. It drives analysis through `augur-analysis-core`.
//!
//! This crate is being built up issue by issue.

#![deny(missing_docs)]

pub use augur_analysis_core::Phase;
