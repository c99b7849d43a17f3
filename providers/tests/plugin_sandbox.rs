//! The sandbox: a misbehaving plugin ends its own measurement as a clear Error and leaves the
//! host healthy (the next measurement through the same loaded plugin succeeds).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use augur_providers::plugin::{LoadedPlugin, PluginEntry, PluginHost, PluginRuntime, Registry, testing};
use augur_providers::{Phase, Provider, ProviderFactory};
use serde_json::{Value as Json, json};
use support::*;

const FAULTY: &str = "test/faulty";

fn faulty(runtime: &PluginRuntime, allowed: &[&str]) -> Arc<LoadedPlugin> {
    load(runtime, &entry(FAULTY, "faulty", allowed))
}

async fn measure(plugin: &Arc<LoadedPlugin>, config: Json) -> augur_analysis_core::spec::Measurement {
    let metric = metric(FAULTY, config, "result == 1", "");
    provider(plugin, &metric).run(&cx(t0()), &metric).await
}

/// The host is healthy: the same plugin answers a normal measurement.
async fn assert_healthy(plugin: &Arc<LoadedPlugin>) {
    let m = measure(plugin, json!({"payload": 1})).await;
    assert_eq!((m.phase, m.value.as_str()), (Phase::Successful, "1"), "{}", m.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_infinite_loop_is_stopped_at_the_deadline() {
    let runtime = PluginRuntime::new().unwrap();
    let plugin = faulty(&runtime, &[]);
    let started = Instant::now();
    let m = measure(&plugin, json!({"behave": "loop"})).await;
    let took = started.elapsed();
    assert_eq!(m.phase, Phase::Error);
    assert_eq!(m.message, "failed to run via plugin: plugin test/faulty: step 0 exceeded its deadline of 1000 ms");
    assert!(took >= Duration::from_millis(990) && took < Duration::from_secs(10), "took {took:?}");
    assert_healthy(&plugin).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_memory_bomb_is_trapped_at_the_cap() {
    let runtime = PluginRuntime::new().unwrap();
    let plugin = faulty(&runtime, &[]);
    let m = measure(&plugin, json!({"behave": "bomb"})).await;
    assert_eq!(m.phase, Phase::Error);
    assert!(
        m.message.starts_with(
            "failed to run via plugin: plugin test/faulty: step 0 exceeded the memory limit of 67108864 bytes (it asked for "
        ),
        "{}",
        m.message
    );
    assert_healthy(&plugin).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_to_a_host_not_allowed_is_refused_before_it_is_sent() {
    let server = Server::start(|_| (200, "{}".into())).await;
    let runtime = PluginRuntime::new().unwrap();
    let plugin = faulty(&runtime, &["127.0.0.1:1", "prometheus.monitoring"]);
    let m = measure(&plugin, json!({"behave": "fetch", "url": format!("{}/steal", server.url())})).await;
    assert_eq!(m.phase, Phase::Error);
    assert_eq!(
        m.message,
        format!(
            "failed to run via plugin: plugin test/faulty: request refused: host 127.0.0.1:{} is not allowed for this plugin (allowed: 127.0.0.1:1, prometheus.monitoring)",
            server.addr.port()
        )
    );
    // An unknown auth profile and a hand-made Authorization header are refused too.
    let m = measure(&plugin, json!({"behave": "fetch", "url": "http://prometheus.monitoring/", "auth": "admin"})).await;
    assert!(m.message.ends_with("request refused: unknown auth profile \"admin\" (configured: none)"), "{}", m.message);
    assert!(server.requests().is_empty(), "the server was reached");
    assert_healthy(&plugin).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_answers_and_traps_are_error_measurements() {
    let runtime = PluginRuntime::new().unwrap();
    let plugin = faulty(&runtime, &[]);
    let cases = [
        (
            "malformed",
            "failed to run via plugin: plugin test/faulty: step 0 returned a malformed answer: EOF while parsing a list at line 1 column 33",
        ),
        (
            "trap",
            "failed to run via plugin: plugin test/faulty: step 0 trapped: wasm trap: wasm `unreachable` instruction executed",
        ),
    ];
    for (behave, message) in cases {
        let m = measure(&plugin, json!({"behave": behave})).await;
        assert_eq!((m.phase, m.message.as_str()), (Phase::Error, message));
        assert!(m.finished_at.is_some() && m.value.is_empty());
    }
    let m = measure(&plugin, json!({"behave": "bad-pointer"})).await;
    assert!(
        m.message.contains("step 0 returned a malformed answer: the answer at 2147418112..2147418128 lies outside"),
        "{}",
        m.message
    );
    assert_healthy(&plugin).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_abi_version_or_checksum_is_a_clear_error_measurement() {
    let runtime = PluginRuntime::new().unwrap();
    let wrong = entry("test/wrong-abi", "wrong_abi", &[]);
    let mut tampered = entry(FAULTY, "faulty", &[]);
    tampered.sha256 = "0".repeat(64);
    let good = PluginEntry { name: "augur/two-step".into(), ..entry("augur/two-step", "two_step", &[]) };
    let registry = Registry { plugins: vec![wrong, tampered.clone(), good] };
    let host = PluginHost::new(&runtime, &registry, live_http());
    let expect = [
        (
            "test/wrong-abi",
            "failed to run via plugin: plugin test/wrong-abi: speaks plugin ABI version 2; this host speaks version 1"
                .to_string(),
        ),
        (
            FAULTY,
            format!(
                "failed to create plugin: plugin test/faulty: sha256 mismatch for {}: the registry expects {}, the file is {}",
                tampered.file.display(),
                "0".repeat(64),
                entry(FAULTY, "faulty", &[]).sha256
            ),
        ),
    ];
    for (name, message) in expect {
        let metric = metric(name, json!({}), "", "");
        let e = host.new_provider(&cx(t0()), &metric).err().expect("construction fails");
        // The analyzer records a construction error as an Error measurement with this text.
        assert_eq!(e.to_string(), message.replace("failed to run via plugin: ", "failed to create plugin: "));
    }
    // The good plugin of the same registry still works.
    assert!(host.plugin("augur/two-step").is_some());
    assert_eq!(host.load_errors().len(), 2);
    let direct = LoadedPlugin::load(&runtime, &registry.plugins[0]).unwrap_err();
    assert_eq!(direct.to_string(), "plugin test/wrong-abi: speaks plugin ABI version 2; this host speaks version 1");
    // A version-2 module that also speaks version 1 (augur_abi_supports) is loaded as v1.
    let dual = LoadedPlugin::load(&runtime, &entry("test/dual-abi", "dual_abi", &[])).unwrap();
    assert_eq!(dual.describe().version, "2.0.0");
}

/// VmRSS of this process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_faulty_measurements_leave_memory_flat() {
    let runtime = PluginRuntime::new().unwrap();
    let plugin = faulty(&runtime, &[]);
    let configs: Vec<Json> = ["trap", "malformed", "bad-pointer"].iter().map(|b| json!({ "behave": b })).collect();
    let run = |n: usize| {
        let (plugin, configs) = (plugin.clone(), configs.clone());
        async move {
            for i in 0..n {
                let m = measure(&plugin, configs[i % configs.len()].clone()).await;
                assert_eq!(m.phase, Phase::Error);
            }
        }
    };
    run(200).await; // warm-up: allocator pools, lazily initialized state
    let before = rss_kib();
    let started = Instant::now();
    run(10_000).await;
    let after = rss_kib();
    eprintln!(
        "10,000 faulty measurements in {:?}: RSS before {before} KiB, after {after} KiB ({:+} KiB); built in {}",
        started.elapsed(),
        after as i64 - before as i64,
        testing::example_plugins().display()
    );
    assert!(after < before + 16 * 1024, "RSS grew from {before} KiB to {after} KiB");
    assert_healthy(&plugin).await;
}
