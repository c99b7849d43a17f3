//! Why a plugin could not be loaded or a step did not produce an answer. Every message names
//! the plugin and the cause.

use std::path::PathBuf;

/// A plugin failure. `Display` starts with `plugin <name>: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PluginError {
    /// The registry file could not be read or parsed.
    #[error("plugin registry {path}: {message}")]
    Registry {
        /// The file.
        path: PathBuf,
        /// What was wrong (with line and column where the parser gave them).
        message: String,
    },
    /// A metric names a plugin the registry does not have (Argo: `plugin <n> not configured in
    /// configmap`).
    #[error("plugin {plugin}: not configured in the plugin registry")]
    NotConfigured {
        /// The name.
        plugin: String,
    },
    /// The module file could not be read.
    #[error("plugin {plugin}: cannot read {path}: {message}")]
    Read {
        /// The plugin.
        plugin: String,
        /// Its file.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// The file's SHA-256 is not the registry's.
    #[error("plugin {plugin}: sha256 mismatch for {path}: the registry expects {expected}, the file is {actual}")]
    Checksum {
        /// The plugin.
        plugin: String,
        /// Its file.
        path: PathBuf,
        /// The registry's value.
        expected: String,
        /// The file's.
        actual: String,
    },
    /// The module does not compile, does not follow the ABI (a missing export, an import the
    /// host does not provide, another ABI version), or its `describe` is unusable.
    #[error("plugin {plugin}: {message}")]
    Abi {
        /// The plugin.
        plugin: String,
        /// What is wrong.
        message: String,
    },
    /// A step ran past its deadline (epoch interruption).
    #[error("plugin {plugin}: step {step} exceeded its deadline of {limit_ms} ms")]
    Deadline {
        /// The plugin.
        plugin: String,
        /// The step.
        step: u32,
        /// The limit.
        limit_ms: u64,
    },
    /// The plugin tried to grow its memory past the cap.
    #[error("plugin {plugin}: step {step} exceeded the memory limit of {limit} bytes (it asked for {requested} bytes)")]
    Memory {
        /// The plugin.
        plugin: String,
        /// The step.
        step: u32,
        /// The cap.
        limit: usize,
        /// What it asked for.
        requested: usize,
    },
    /// The plugin trapped (a panic, `unreachable`, an out-of-bounds access, ...).
    #[error("plugin {plugin}: step {step} trapped: {message}")]
    Trap {
        /// The plugin.
        plugin: String,
        /// The step.
        step: u32,
        /// The trap.
        message: String,
    },
    /// The plugin's answer is not a valid message (bad pointers, bad JSON, an unknown result).
    #[error("plugin {plugin}: step {step} returned a malformed answer: {message}")]
    Malformed {
        /// The plugin.
        plugin: String,
        /// The step.
        step: u32,
        /// What is wrong.
        message: String,
    },
    /// A message exceeded a byte cap (input handed to the guest, or its answer).
    #[error("plugin {plugin}: step {step}: {what} of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The plugin.
        plugin: String,
        /// The step.
        step: u32,
        /// Which message.
        what: &'static str,
        /// Its size.
        size: usize,
        /// The cap.
        limit: usize,
    },
    /// The measurement took more steps than allowed.
    #[error("plugin {plugin}: the measurement did not finish within {limit} steps")]
    TooManySteps {
        /// The plugin.
        plugin: String,
        /// The cap.
        limit: u32,
    },
    /// The plugin asked for a request the host refuses (a host not allowed, an unknown auth
    /// profile, a forbidden header, a bad URL).
    #[error("plugin {plugin}: request refused: {message}")]
    Refused {
        /// The plugin.
        plugin: String,
        /// Why.
        message: String,
    },
    /// The state kept in a pending measurement's metadata is missing or damaged.
    #[error("plugin {plugin}: cannot resume: {message}")]
    Resume {
        /// The plugin.
        plugin: String,
        /// Why.
        message: String,
    },
    /// The plugin answered `error`.
    #[error("plugin {plugin}: {message}")]
    Plugin {
        /// The plugin.
        plugin: String,
        /// Its message.
        message: String,
    },
}
