//! The example plugins (built by `examples/plugins/build.sh`) loaded by the host and run
//! against a real HTTP server on 127.0.0.1.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use augur_analysis_core::spec::Time;
use augur_providers::plugin::{
    PluginHost, PluginProvider, PluginRuntime, RESUME_KEY, Registry, ReplayExecutor, recording,
};
use augur_providers::{Phase, Provider, ProviderFactory};
use serde_json::json;
use support::*;

/// A Prometheus HTTP API: answers by the form's `query` as Prometheus would.
fn prometheus(r: &Received) -> (u16, String) {
    let params = if r.method == "POST" {
        r.body.clone()
    } else {
        r.target.split_once('?').map(|(_, q)| q.to_string()).unwrap_or_default()
    };
    let query = params.split('&').find_map(|kv| kv.strip_prefix("query=")).unwrap_or_default().to_string();
    let vector = |values: &[&str]| {
        let result: Vec<_> =
            values.iter().map(|v| json!({"metric": {"job": "api"}, "value": [1767225600.0, v]})).collect();
        json!({"status": "success", "data": {"resultType": "vector", "result": result}}).to_string()
    };
    match query.as_str() {
        "scalar" => (
            200,
            json!({"status": "success", "data": {"resultType": "scalar", "result": [1767225600.0, "10"]}}).to_string(),
        ),
        "vector" => (200, vector(&["0.97", "0.5"])),
        "nan" => (200, vector(&["NaN", "+Inf"])),
        "empty" => (200, vector(&[])),
        "warn" => (
            200,
            json!({"status": "success", "warnings": ["w1", "w2"], "data": {"resultType": "vector", "result": []}})
                .to_string(),
        ),
        "matrix" => (
            200,
            json!({"status": "success", "data": {"resultType": "matrix", "result": [
                {"metric": {}, "values": [[1, "1"], [2, "2"]]}, {"metric": {}, "values": [[1, "3"]]}]}})
            .to_string(),
        ),
        "string" => {
            (200, json!({"status": "success", "data": {"resultType": "string", "result": [1, "x"]}}).to_string())
        }
        "bad" => {
            (400, json!({"status": "error", "errorType": "bad_data", "error": "parse error at char 4"}).to_string())
        }
        "down" => (503, String::new()),
        "post-refused" if r.method == "POST" => (405, String::new()),
        "post-refused" => (200, vector(&["1"])),
        _ => (404, String::new()),
    }
}

/// Argo's Prometheus provider (semantics §9.1, §8.4) gives these phases, values and messages;
/// the plugin's come with the plugin prefix on errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_lite_matches_the_prometheus_provider() {
    let server = Server::start(prometheus).await;
    let runtime = PluginRuntime::new().unwrap();
    let plugin = load(&runtime, &entry("augur/prometheus-lite", "prometheus_lite", &[&server.addr.to_string()]));
    let cases: &[(&str, &str, Phase, &str, &str)] = &[
        // (query, successCondition, phase, value, message)
        ("scalar", "result == 10", Phase::Successful, "10", ""),
        ("vector", "result[0] >= 0.95", Phase::Successful, "[0.97,0.5]", ""),
        ("vector", "all(result, {# >= 0.95})", Phase::Failed, "[0.97,0.5]", ""),
        ("nan", "isNaN(result[0])", Phase::Successful, "[NaN,+Inf]", ""),
        ("matrix", "len(result) == 3", Phase::Successful, "[1,2,3]", ""),
        ("empty", "", Phase::Successful, "[]", ""),
        (
            "empty",
            "result[0] >= 0.95",
            Phase::Error,
            "",
            "failed to run via plugin: plugin augur/prometheus-lite: could not evaluate successCondition \"result[0] >= 0.95\": metric result is nil or empty: no data returned from the metric provider",
        ),
        (
            "string",
            "",
            Phase::Error,
            "",
            "failed to run via plugin: plugin augur/prometheus-lite: unexpected value type \"string\"",
        ),
        (
            "bad",
            "",
            Phase::Error,
            "",
            "failed to run via plugin: plugin augur/prometheus-lite: bad_data: parse error at char 4",
        ),
        (
            "down",
            "",
            Phase::Error,
            "",
            "failed to run via plugin: plugin augur/prometheus-lite: server_error: server error: 503",
        ),
        ("post-refused", "result[0] == 1", Phase::Successful, "[1]", ""),
    ];
    for (query, success, phase, value, message) in cases {
        let metric = metric("augur/prometheus-lite", json!({"address": server.url(), "query": query}), success, "");
        let m = provider(&plugin, &metric).run(&cx(t0()), &metric).await;
        assert_eq!((m.phase, m.value.as_str(), m.message.as_str()), (*phase, *value, *message), "query {query}");
        assert_eq!(m.started_at, Some(Time::from_system(t0())));
        assert_eq!(m.finished_at, Some(Time::from_system(t0())));
    }
    let metric = metric("augur/prometheus-lite", json!({"address": server.url(), "query": "warn"}), "", "");
    let m = provider(&plugin, &metric).run(&cx(t0()), &metric).await;
    assert_eq!(m.metadata.get("warnings").map(String::as_str), Some("\"w1\", \"w2\""));
    // The request is Argo's: a form POST to /api/v1/query with the time in Unix seconds.
    let first = &server.requests()[0];
    assert_eq!((first.method.as_str(), first.target.as_str()), ("POST", "/api/v1/query"));
    assert_eq!(first.body, "query=scalar&time=1767225600");
    assert_eq!(first.headers["content-type"], "application/x-www-form-urlencoded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_lite_gets_a_bearer_token_it_never_sees() {
    let server = Server::start(prometheus).await;
    let dir = std::env::temp_dir().join(format!("augur-registry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let e = entry("augur/prometheus-lite", "prometheus_lite", &[]);
    let registry = format!(
        "plugins:\n- name: augur/prometheus-lite\n  file: {}\n  sha256: {}\n  allowedHosts: [\"127.0.0.1\"]\n  auth:\n    prom: {{bearer: {{token: {{value: s3cret}}}}}}\n",
        e.file.display(),
        e.sha256
    );
    std::fs::write(dir.join("plugins.yaml"), registry).unwrap();
    let registry = Registry::load(&dir.join("plugins.yaml")).unwrap();
    let host = PluginHost::new(&PluginRuntime::new().unwrap(), &registry, live_http());
    assert!(host.load_errors().is_empty());
    let metric =
        metric("augur/prometheus-lite", json!({"address": server.url(), "query": "scalar", "auth": "prom"}), "", "");
    let p = host.new_provider(&cx(t0()), &metric).unwrap();
    assert_eq!(p.type_name(), "RPCPlugin");
    let m = p.run(&cx(t0()), &metric).await;
    assert_eq!((m.phase, m.value.as_str()), (Phase::Successful, "10"), "{}", m.message);
    assert_eq!(server.requests()[0].headers["authorization"], "Bearer s3cret");
    // A metric naming a plugin the registry lacks: Argo's construction error.
    let other = support::metric("acme/nope", json!({}), "", "");
    let e = host.new_provider(&cx(t0()), &other).err().unwrap();
    assert_eq!(e.to_string(), "failed to create plugin: plugin acme/nope: not configured in the plugin registry");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_step_submits_then_resumes_until_done() {
    let polls = Arc::new(AtomicUsize::new(0));
    let seen = polls.clone();
    let server = Server::start(move |r| match (r.method.as_str(), r.target.as_str()) {
        ("POST", "/jobs") => (201, json!({"id": "j1"}).to_string()),
        ("GET", "/jobs/j1") if seen.fetch_add(1, Ordering::SeqCst) == 0 => {
            (200, json!({"status": "running"}).to_string())
        }
        ("GET", "/jobs/j1") => (200, json!({"status": "done", "value": {"errors": 2}}).to_string()),
        _ => (404, String::new()),
    })
    .await;
    let runtime = PluginRuntime::new().unwrap();
    let plugin = load(&runtime, &entry("augur/two-step", "two_step", &["127.0.0.1"]));
    let metric = metric(
        "augur/two-step",
        json!({"url": server.url(), "job": {"q": "errors"}, "pollAfterMs": 2000}),
        "result.errors < 5",
        "",
    );
    let p = provider(&plugin, &metric);
    let m = p.run(&cx(t0()), &metric).await;
    assert_eq!(m.phase, Phase::Running, "{}", m.message);
    assert_eq!(m.resume_at, Some(Time::from_system(t0() + Duration::from_secs(2))));
    assert_eq!(m.finished_at, None);
    assert_eq!(m.metadata[RESUME_KEY], r#"{"step":2,"state":{"id":"j1"}}"#);
    let m = p.resume(&cx(t0() + Duration::from_secs(2)), &metric, m).await;
    assert_eq!((m.phase, m.resume_at), (Phase::Running, Some(Time::from_system(t0() + Duration::from_secs(4)))));
    let m = p.resume(&cx(t0() + Duration::from_secs(4)), &metric, m).await;
    assert_eq!((m.phase, m.value.as_str()), (Phase::Successful, r#"{"errors":2}"#), "{}", m.message);
    assert_eq!(m.started_at, Some(Time::from_system(t0())));
    assert_eq!(m.finished_at, Some(Time::from_system(t0() + Duration::from_secs(4))));
    assert!(!m.metadata.contains_key(RESUME_KEY));
    let bodies: Vec<_> =
        server.requests().iter().map(|r| (r.method.clone(), r.target.clone(), r.body.clone())).collect();
    assert_eq!(bodies[0], ("POST".into(), "/jobs".into(), r#"{"q":"errors"}"#.into()));
    assert_eq!(bodies.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_c_plugin_speaks_the_same_abi() {
    let server = Server::start(|r| match r.target.as_str() {
        "/stats" => (200, json!({"rate": 0.99, "name": "caf\u{e9} \"x\""}).to_string()),
        _ => (500, String::new()),
    })
    .await;
    let runtime = PluginRuntime::new().unwrap();
    let plugin = load(&runtime, &entry("augur/c-web", "c_web", &["127.0.0.1"]));
    assert_eq!(plugin.describe().version, "0.1.0");
    let metric = metric("augur/c-web", json!({"url": format!("{}/stats", server.url())}), "result.rate > 0.95", "");
    let m = provider(&plugin, &metric).run(&cx(t0()), &metric).await;
    assert_eq!(
        (m.phase, m.value.as_str()),
        (Phase::Successful, r#"{"name":"café \"x\"","rate":0.99}"#),
        "{}",
        m.message
    );
    let metric = support::metric("augur/c-web", json!({"url": format!("{}/other", server.url())}), "", "");
    let m = provider(&plugin, &metric).run(&cx(t0()), &metric).await;
    assert_eq!(m.phase, Phase::Error);
    assert_eq!(m.message, "failed to run via plugin: plugin augur/c-web: c-web: the server did not answer 2xx");
}

/// A live measurement, recorded, replays to the same measurement without the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_measurement_replays_identically() {
    let server = Server::start(prometheus).await;
    let runtime = PluginRuntime::new().unwrap();
    let plugin = load(&runtime, &entry("augur/prometheus-lite", "prometheus_lite", &["127.0.0.1"]));
    let metric = metric(
        "augur/prometheus-lite",
        json!({"address": server.url(), "query": "post-refused"}),
        "result[0] == 1",
        "",
    );
    let (live, steps) = provider(&plugin, &metric).measure_recorded(&cx(t0()), &metric, None).await;
    assert_eq!((live.phase, steps.len()), (Phase::Successful, 3), "{}", live.message);
    let config = json!({"address": server.url(), "query": "post-refused"});
    let replay = Arc::new(ReplayExecutor::new(recording(&steps)));
    let replayed = PluginProvider::new(plugin.clone(), replay.clone(), config, &metric).run(&cx(t0()), &metric).await;
    assert_eq!(replayed, live);
    assert_eq!((replay.remaining(), server.requests().len()), (0, 2));
}

/// The whole path: an AnalysisRun whose metric names a plugin with an `{{args.url}}`
/// placeholder, driven by the `Analyzer` in real time; the pending measurement is resumed at
/// its `resumeAt`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_analyzer_drives_a_plugin_metric_with_args_through_pending_and_resume() {
    use augur_analysis_core::template::StaticSecrets;
    use augur_providers::{Analyzer, AnalyzerOptions};
    let polls = Arc::new(AtomicUsize::new(0));
    let seen = polls.clone();
    let server = Server::start(move |r| match (r.method.as_str(), r.target.as_str()) {
        ("POST", "/jobs") => (201, json!({"id": "j9"}).to_string()),
        ("GET", "/jobs/j9") if seen.fetch_add(1, Ordering::SeqCst) == 0 => {
            (200, json!({"status": "running"}).to_string())
        }
        ("GET", "/jobs/j9") => (200, json!({"status": "done", "value": {"errors": 1}}).to_string()),
        _ => (404, String::new()),
    })
    .await;
    let runtime = PluginRuntime::new().unwrap();
    let plugin = load(&runtime, &entry("augur/two-step", "two_step", &["127.0.0.1"]));
    let host = Arc::new(PluginHost::from_plugins([plugin], live_http()));
    let analyzer = Analyzer::new(host, Arc::new(StaticSecrets::new()), AnalyzerOptions::default());
    let run: augur_analysis_core::spec::AnalysisRun = serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": "r", "namespace": "ns", "uid": "u"},
        "spec": {
            "args": [{"name": "url", "value": server.url()}],
            "metrics": [{
                "name": "errors", "successCondition": "result.errors < 5",
                "provider": {"plugin": {"augur/two-step": {"url": "{{args.url}}", "pollAfterMs": 1000}}}
            }]
        }
    }))
    .unwrap();
    let done = tokio::time::timeout(Duration::from_secs(30), analyzer.run_to_completion(run)).await.expect("completes");
    assert_eq!(done.status.phase, Some(Phase::Successful), "{:?}", done.status);
    let m = &done.status.metric_results[0].measurements;
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].phase, m[0].value.as_str()), (Phase::Successful, r#"{"errors":1}"#));
    assert_eq!(polls.load(Ordering::SeqCst), 2);
}
