//! Plugin test support: an HTTP/1.1 server on 127.0.0.1 that plugin hosts call, and helpers
//! to load the example and fixture plugins.

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
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub method: String,
    pub target: String,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

/// A handler: request → (status, JSON body).
pub type Handler = Arc<dyn Fn(&Received) -> (u16, String) + Send + Sync>;

/// An HTTP/1.1 server on 127.0.0.1 (one request per connection), answering with `handler`
/// and recording every request.
pub struct Server {
    pub addr: SocketAddr,
    pub received: Arc<std::sync::Mutex<Vec<Received>>>,
}

impl Server {
    pub async fn start(handler: impl Fn(&Received) -> (u16, String) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let received = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (log, handler): (_, Handler) = (received.clone(), Arc::new(handler));
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (log, handler) = (log.clone(), handler.clone());
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut socket).await else { return };
                    log.lock().unwrap().push(request.clone());
                    let (status, body) = handler(&request);
                    let head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.write_all(body.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Server { addr, received }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = tokio::time::timeout_at(deadline, socket.read(&mut chunk)).await.ok()?.ok()?;
        if n == 0 || buf.len() > 1 << 20 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buf.len() < head_end + len {
        let n = tokio::time::timeout_at(deadline, socket.read(&mut chunk)).await.ok()?.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + len]).into_owned();
    Some(Received { method, target, headers, body })
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
