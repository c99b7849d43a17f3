//! # augur-plugin-sdk
//!
//! What a plugin author uses to write an Augur metric provider as a WebAssembly module, and
//! what the host uses to talk to one.
//!
//! ## The model
//! A plugin **translates; the host does all I/O**. Given the metric's configuration (args
//! already substituted), the run, the time, its own `state` and the responses to its previous
//! requests, a plugin answers one of four things ([`StepOutput`]):
//!
//! * `requests`: HTTP requests for the host to perform, after which it is stepped again with
//!   their responses;
//! * `pending`: not done, resume after a delay (Argo's in-flight measurement with `resumeAt`);
//! * `done`: a JSON value (and metadata), to which the engine applies the metric's
//!   conditions, so a plugin gets the same NaN, empty-result and limit semantics as every
//!   built-in provider;
//! * `error`: an Error measurement with a message.
//!
//! Because every exchange is a request/response pair, a measurement can be recorded and
//! replayed ([`recording`]), and a plugin never holds a socket or a credential: the host only
//! calls hosts the operator allowed for it and injects authentication itself.
//!
//! The wire format, ABI v1, is specified in `ABI.md` beside this crate, precisely enough to
//! write a plugin in any language that compiles to a core WebAssembly module.
//!
//! ## Writing a plugin in Rust
//! Implement [`Plugin`] and export it with [`export_plugin!`]; build for
//! `wasm32-unknown-unknown` (see the README). Unit-test it natively with [`harness::Harness`]
//! against recorded responses.
//!
//! The metric's configuration and a result's value are carried as JSON text ([`RawJson`]):
//! decode the configuration straight into your own type with [`RawJson::parse`], so that no
//! step pays for building a generic JSON tree it does not need.
//!
//! The crate depends on serde and serde_json only, and compiles both natively and for wasm32.

#![deny(missing_docs)]

pub mod guest;
pub mod harness;
pub mod log;
pub mod message;
mod plugin;
mod raw;
pub mod recording;

pub use message::{AuthKind, Call, Describe, HttpRequest, HttpResponse, RunInfo, StepInput, StepOutput};
pub use plugin::Plugin;
pub use raw::RawJson;
pub use serde_json::{self, Value as Json, json};

/// The ABI version this SDK speaks (`augur_abi_version`).
pub const ABI_VERSION: u32 = 1;

/// The export names of ABI v1.
pub mod exports {
    /// `() -> i32`: the ABI version.
    pub const ABI_VERSION: &str = "augur_abi_version";
    /// `(version: i32) -> i32`: optional; non-zero for each version the module speaks.
    pub const ABI_SUPPORTS: &str = "augur_abi_supports";
    /// `(len: i32) -> i32`: a buffer for the host to write into.
    pub const ALLOC: &str = "augur_alloc";
    /// `(ptr: i32, len: i32)`: frees a buffer (optional).
    pub const DEALLOC: &str = "augur_dealloc";
    /// `() -> i64`: the [`Describe`](crate::Describe) message, packed `ptr << 32 | len`.
    pub const DESCRIBE: &str = "augur_describe";
    /// `(ptr: i32, len: i32) -> i64`: one step, packed `ptr << 32 | len`.
    pub const STEP: &str = "augur_step";
    /// The linear memory.
    pub const MEMORY: &str = "memory";
    /// `()`: a WASI reactor's initializer, called once per instance when exported.
    pub const INITIALIZE: &str = "_initialize";
    /// The module of the optional `log(level: i32, ptr: i32, len: i32)` import.
    pub const LOG_MODULE: &str = "augur";
    /// The name of the optional log import.
    pub const LOG: &str = "log";
}
