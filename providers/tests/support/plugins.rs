//! Plugin test support: the shared test HTTP server as the plugin tests use it, and helpers to
//! load the example and fixture plugins.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use augur_analysis_core::spec::{Metric, MetricProvider};
use augur_providers::RunContext;
use augur_providers::plugin::{
    HttpExecutor, LoadedPlugin, PluginEntry, PluginProvider, PluginRuntime, ReqwestExecutor, sha256_hex, testing,
};
use serde_json::Value as Json;

use super::http_server::{Reply, SeenRequest, TestServer};

/// A request the server received, as the plugin tests look at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub method: String,
    /// Path and query string.
    pub target: String,
    /// Lower-case names.
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl From<&SeenRequest> for Received {
    fn from(seen: &SeenRequest) -> Received {
        Received {
            method: seen.method.clone(),
            target: seen.uri.clone(),
            headers: seen.headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect(),
            body: seen.body.clone(),
        }
    }
}

/// The shared test HTTP server ([`TestServer`]) answering JSON with `handler`: request →
/// (status, JSON body).
pub struct Server {
    inner: TestServer,
    pub addr: SocketAddr,
}

impl Server {
    pub async fn start(handler: impl Fn(&Received) -> (u16, String) + Send + Sync + 'static) -> Server {
        let inner = TestServer::start(move |seen| {
            let (status, body) = handler(&Received::from(seen));
            Reply::json(status, body)
        })
        .await;
        let addr = inner.address.trim_start_matches("http://").parse().expect("the server's address");
        Server { inner, addr }
    }

    pub fn url(&self) -> String {
        self.inner.address.clone()
    }

    pub fn requests(&self) -> Vec<Received> {
        self.inner.requests().iter().map(Received::from).collect()
    }
}

/// 2026-01-01T00:00:00Z.
pub fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

pub fn cx(now: SystemTime) -> RunContext {
    RunContext { name: "run".into(), namespace: "default".into(), uid: "uid-1".into(), now, measurement_number: 1 }
}

/// A registry entry for a built example module (its checksum computed).
pub fn entry(name: &str, module: &str, allowed_hosts: &[&str]) -> PluginEntry {
    let file = testing::example_plugin(module);
    let bytes = std::fs::read(&file).expect("built plugin");
    PluginEntry {
        name: name.into(),
        file,
        sha256: sha256_hex(&bytes),
        allowed_hosts: allowed_hosts.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

pub fn load(runtime: &PluginRuntime, entry: &PluginEntry) -> Arc<LoadedPlugin> {
    Arc::new(LoadedPlugin::load(runtime, entry).unwrap_or_else(|e| panic!("{e}")))
}

/// A metric measured by `plugin` with `config`.
pub fn metric(plugin: &str, config: Json, success: &str, failure: &str) -> Metric {
    let provider =
        MetricProvider { plugin: Some(BTreeMap::from([(plugin.to_string(), config)])), ..Default::default() };
    Metric {
        name: "m".into(),
        success_condition: success.into(),
        failure_condition: failure.into(),
        provider,
        ..Default::default()
    }
}

/// One client per test binary (building one loads the TLS roots: tens of milliseconds).
pub fn live_http() -> Arc<dyn HttpExecutor> {
    static CLIENT: std::sync::OnceLock<Arc<dyn HttpExecutor>> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| Arc::new(ReqwestExecutor::new().expect("http client"))).clone()
}

pub fn provider(plugin: &Arc<LoadedPlugin>, metric: &Metric) -> PluginProvider {
    let config = metric.provider.plugin.as_ref().and_then(|m| m.values().next().cloned()).unwrap_or_default();
    PluginProvider::new(plugin.clone(), live_http(), config, metric)
}
