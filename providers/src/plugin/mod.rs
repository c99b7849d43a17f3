//! The WebAssembly plugin host: third-party metric providers as sandboxed modules.
//!
//! Argo's metric plugins are Go executables that inherit the controller's network and
//! credentials. Augur's are core WebAssembly modules speaking ABI v1
//! (`plugin-sdk/ABI.md`): a plugin translates, the host does all I/O. It performs only the
//! HTTP requests a plugin asks for, only to the hosts the operator allowed for it, and injects
//! authentication itself, so a plugin never sees a credential.
//!
//! Layers, as in wasmtime:
//! * [`PluginRuntime`]: the engine (one per process) and the epoch thread behind step
//!   deadlines;
//! * [`LoadedPlugin`]: a module verified against its [`Registry`] SHA-256, compiled once and
//!   pre-linked;
//! * [`PluginInstance`]: a fresh store and instance per measurement call, under the
//!   [`Limits`] (deadline per step, memory cap, bytes in and out);
//! * [`drive`](driver::drive): the step loop, with requests checked by
//!   [`prepare`](http::prepare) and performed by an [`HttpExecutor`];
//! * [`PluginHost`] / [`PluginProvider`]: the [`ProviderFactory`](crate::ProviderFactory) and
//!   [`Provider`](crate::Provider) the analyzer uses; the engine applies the metric's
//!   conditions to the plugin's value.
//!
//! Every failure is a [`PluginError`] naming the plugin and the cause, and ends as an Error
//! measurement; the host stays healthy.

pub mod driver;
pub mod error;
pub mod http;
pub mod instance;
pub mod limits;
pub mod loaded;
pub mod provider;
pub mod registry;
pub mod runtime;
#[doc(hidden)]
pub mod testing;

pub use driver::{Outcome, ResumeState, StepRecord, recording};
pub use error::PluginError;
pub use http::{HttpExecutor, PreparedRequest, ReplayExecutor, ReqwestExecutor};
pub use instance::PluginInstance;
pub use limits::Limits;
pub use loaded::{LoadedPlugin, sha256_hex};
pub use provider::{PLUGIN_TYPE, PluginHost, PluginProvider, RESUME_KEY};
pub use registry::{AuthProfile, PluginEntry, Registry, Secret};
pub use runtime::PluginRuntime;
