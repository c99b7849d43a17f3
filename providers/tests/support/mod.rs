//! Test support shared by the provider tests.

#![allow(dead_code, unused_imports)]

pub mod http_server;
pub mod plugins;
pub mod prometheus_server;

pub use plugins::*;
