//! # augur
//!
//! Augur is Argo Rollouts' analysis decision engine as a Rust library, and the `augur` CLI
//! around it. This facade re-exports the focused crates, the way `kube` re-exports
//! `kube-client` and `kube-runtime`:
//!
//! * [`core`] (`augur-analysis-core`): the sans-I/O engine: expr conditions, templates, the
//!   measurement state machine.
//! * [`providers`] (`augur-providers`, feature `providers`): built-in metric providers and the
//!   WASM plugin host.
//! * [`controller`] (`augur-controller`, feature `controller`): the rollout step engine.
//! * [`plugin_sdk`] (`augur-plugin-sdk`, feature `plugin-sdk`): the plugin ABI types.

#![deny(missing_docs)]

pub use augur_analysis_core as core;
#[cfg(feature = "controller")]
pub use augur_controller as controller;
#[cfg(feature = "plugin-sdk")]
pub use augur_plugin_sdk as plugin_sdk;
#[cfg(feature = "providers")]
pub use augur_providers as providers;

pub use augur_analysis_core::{Condition, Phase, Value, evaluate_measurement};
