//! Test support shared by the provider tests.

pub mod http_server;
pub mod prometheus_server;
