//! # augur-plugin-sdk
//!
//! What a plugin author uses to write an Augur metric provider as a WebAssembly module: the
//! ABI's message types and the guest-side glue. A plugin translates (configuration and
//! responses in, requests or a value out); the host performs all I/O, so a plugin cannot
//! reach the network or see a credential on its own.
//!
//! This crate is being built up issue by issue; the ABI is not defined yet.

#![deny(missing_docs)]

/// The ABI version this SDK speaks.
pub const ABI_VERSION: u32 = 1;
