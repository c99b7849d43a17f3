//! The web provider against a real HTTP server on 127.0.0.1.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use augur_analysis_core::Phase;
use augur_analysis_core::spec::{AnalysisRun, Measurement, Metric};
use augur_providers::{BuiltinProviders, DataRecorder, ProviderFactory, RunContext};
use serde_json::json;
use support::http_server::{Reply, TestServer as Server};
use support::prometheus_server::free_port as closed_port;

/// A 200 JSON reply.
fn ok_json(v: serde_json::Value) -> Reply {
    Reply::json(200, v.to_string())
}

fn metric(web: serde_json::Value, success: &str) -> Metric {
    serde_json::from_value(json!({"name": "m", "successCondition": success, "provider": {"web": web}})).unwrap()
}

fn cx() -> RunContext {
    RunContext::new(&AnalysisRun::default(), SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
}

async fn measure_with(factory: &BuiltinProviders, m: &Metric) -> Measurement {
    let provider = factory.new_provider(&cx(), m).expect("provider");
    assert_eq!(provider.type_name(), "Web");
    provider.run(&cx(), m).await
}

async fn measure(m: &Metric) -> Measurement {
    measure_with(&BuiltinProviders::new().unwrap(), m).await
}

/// A server answering by path.
async fn server() -> Server {
    Server::start(|req| match req.path() {
        "/ok" => ok_json(json!({
            "data": {"ok": true, "rate": 0.995, "status": "ok", "html": "<b>&"},
            "items": [{"name": "a", "v": 3}, {"name": "b", "v": 5}, {"name": "c", "v": 7}],
        })),
        "/text" => Reply::text(200, "OK"),
        "/empty" => Reply::text(200, ""),
        "/malformed" => Reply::text(200, "{\"a\": 1,").header("Content-Type", "application/json"),
        "/500" => Reply::text(500, "{\"error\":\"boom\"}"),
        "/404" => Reply::text(404, "not here"),
        "/slow" => ok_json(json!({"ok": true})).after(Duration::from_secs(3)),
        "/redirect" => Reply::text(302, "").header("Location", "/ok"),
        "/echo" => ok_json(json!({
            "method": req.method,
            "body": req.body.clone(),
            "contentType": req.header("content-type"),
        })),
        "/token" => ok_json(json!({"access_token": "t0k3n-from-server", "token_type": "bearer"})),
        "/token-rejected" => Reply::text(
            401,
            format!("{{\"error\":\"invalid_client\",\"error_description\":\"unknown secret {}\"}}", req.body.clone()),
        ),
        "/needs-token" => {
            if req.header("authorization") == Some("Bearer t0k3n-from-server") {
                ok_json(json!({"ok": true}))
            } else {
                Reply::text(401, "")
            }
        }
        _ => Reply::text(404, ""),
    })
    .await
}

#[tokio::test]
async fn get_with_json_path_and_headers() {
    let s = server().await;
    let m = metric(
        json!({"url": s.url("/ok"), "jsonPath": "{$.data.ok}", "headers": [
            {"key": "X-Scope-OrgID", "value": "team-a"},
            {"key": "X-Dup", "value": "first"}, {"key": "x-dup", "value": "last"},
        ]}),
        "result == true",
    );
    let got = measure(&m).await;
    assert_eq!((got.phase, got.value.as_str(), got.message.as_str()), (Phase::Successful, "true", ""));
    assert!(got.finished_at.is_some());
    let seen = &s.requests()[0];
    assert_eq!((seen.method.as_str(), seen.path()), ("GET", "/ok"));
    assert_eq!(seen.header("x-scope-orgid"), Some("team-a"));
    // "Set" semantics: the last duplicate wins and is sent once.
    assert_eq!(seen.header_values("x-dup"), ["last"]);
}

#[tokio::test]
async fn json_path_cases() {
    let s = server().await;
    let cases: &[(&str, &str, Phase, &str)] = &[
        // Default `{$}`: the whole document, re-encoded compactly with sorted keys and Go's
        // HTML escaping.
        ("", "result.data.rate > 0.99", Phase::Successful, ""),
        ("{.data.rate}", "result > 0.99", Phase::Successful, "0.995"),
        // A string keeps its JSON quotes in `value`.
        ("{.data.status}", "result == 'ok'", Phase::Successful, "\"ok\""),
        ("{.data.html}", "", Phase::Successful, "\"\\u003cb\\u003e\\u0026\""),
        // First match only.
        ("{.items[*].v}", "result == 3", Phase::Successful, "3"),
        ("{.items[?(@.v > 4)].name}", "result == 'b'", Phase::Successful, "\"b\""),
        ("{.items[-1]}", "result.v == 7", Phase::Successful, "{\"name\":\"c\",\"v\":7}"),
        ("{$.items[1].v}", "result < 5", Phase::Failed, "5"),
    ];
    for (path, cond, phase, value) in cases {
        let m = metric(json!({"url": s.url("/ok"), "jsonPath": path}), cond);
        let got = measure(&m).await;
        assert_eq!(got.phase, *phase, "{path}: {got:?}");
        if !value.is_empty() {
            assert_eq!(got.value, *value, "{path}");
        }
    }
    let whole = measure(&metric(json!({"url": s.url("/ok")}), "")).await;
    assert!(whole.value.starts_with("{\"data\":{\"html\":\"\\u003cb\\u003e\\u0026\",\"ok\":true"), "{}", whole.value);

    let url = s.url("/ok");
    let errors = [
        ("{.data.missing}", format!("Could not find JSONPath in body: missing is not found (GET {url})")),
        (
            "{.items[9]}",
            format!("Could not find JSONPath in body: array index out of bounds: index 9, length 3 (GET {url})"),
        ),
        ("{.items[?(@.v > 100)]}", format!("result of web metric produced no value (GET {url})")),
    ];
    for (path, message) in errors {
        let got = measure(&metric(json!({"url": url, "jsonPath": path}), "result == 1")).await;
        assert_eq!((got.phase, got.message.as_str(), got.value.as_str()), (Phase::Error, message.as_str(), ""));
    }
}

#[tokio::test]
async fn non_json_bodies_are_strings() {
    let s = server().await;
    // jsonPath is ignored for a body that is not JSON.
    let got = measure(&metric(json!({"url": s.url("/text"), "jsonPath": "{$.x}"}), "result == 'OK'")).await;
    assert_eq!((got.phase, got.value.as_str()), (Phase::Successful, "OK"));
    let got = measure(&metric(json!({"url": s.url("/empty")}), "result == ''")).await;
    assert_eq!((got.phase, got.value.as_str()), (Phase::Successful, ""));
    // Malformed JSON is not JSON: the raw text is the result, never auto-converted.
    let got = measure(&metric(json!({"url": s.url("/malformed")}), "result == '{\"a\": 1,'")).await;
    assert_eq!((got.phase, got.value.as_str()), (Phase::Successful, "{\"a\": 1,"));
    let got = measure(&metric(json!({"url": s.url("/malformed")}), "result.a == 1")).await;
    assert_eq!(got.phase, Phase::Error, "{got:?}");
}

#[tokio::test]
async fn post_and_put_bodies() {
    let s = server().await;
    let post = metric(
        json!({"method": "POST", "url": s.url("/echo"), "body": "a=1&b=2",
               "headers": [{"key": "Content-Type", "value": "application/x-www-form-urlencoded"}]}),
        "result.method == 'POST' && result.body == 'a=1&b=2'",
    );
    let got = measure(&post).await;
    assert_eq!(got.phase, Phase::Successful, "{got:?}");
    assert_eq!(s.requests()[0].header("content-type"), Some("application/x-www-form-urlencoded"));

    // jsonBody is sent compactly, and Content-Type is forced to application/json.
    let put = metric(
        json!({"method": "PUT", "url": s.url("/echo"), "jsonBody": {"q": [1, 2], "s": "x"},
               "headers": [{"key": "Content-Type", "value": "text/plain"}]}),
        "result.method == 'PUT' && result.contentType == 'application/json'",
    );
    let got = measure(&put).await;
    assert_eq!(got.phase, Phase::Successful, "{got:?}");
    assert_eq!(s.requests()[1].body, r#"{"q":[1,2],"s":"x"}"#);

    // Any method string is passed through.
    let patch = metric(json!({"method": "PATCH", "url": s.url("/echo"), "body": "p"}), "result.method == 'PATCH'");
    assert_eq!(measure(&patch).await.phase, Phase::Successful);

    let url = s.url("/echo");
    let both = metric(json!({"method": "POST", "url": url, "body": "x", "jsonBody": {}}), "");
    let got = measure(&both).await;
    assert_eq!(
        (got.phase, got.message),
        (Phase::Error, format!("use either Body or JSONBody; both cannot exists for WebMetric payload (POST {url})"))
    );
    let get_body = metric(json!({"url": url, "body": "x"}), "");
    assert_eq!(
        measure(&get_body).await.message,
        format!("Body/JSONBody can only be used with POST or PUT WebMetric Method types (GET {url})")
    );
    assert_eq!(s.requests().len(), 3, "invalid requests are not sent");
}

#[tokio::test]
async fn failures_are_error_measurements_with_the_url() {
    let s = server().await;
    let url = s.url("/500");
    let got = measure(&metric(json!({"url": url}), "true")).await;
    assert_eq!((got.phase, got.message), (Phase::Error, format!("received non 2xx response code: 500 (GET {url})")));
    let got = measure(&metric(json!({"url": s.url("/404")}), "true")).await;
    assert!(got.message.starts_with("received non 2xx response code: 404"), "{}", got.message);

    // Redirects are followed.
    let got = measure(&metric(json!({"url": s.url("/redirect"), "jsonPath": "{.data.ok}"}), "result")).await;
    assert_eq!(got.phase, Phase::Successful, "{got:?}");

    let down = format!("http://127.0.0.1:{}/x", closed_port());
    let got = measure(&metric(json!({"url": down}), "true")).await;
    assert_eq!(got.phase, Phase::Error);
    assert!(got.message.ends_with(&format!("(GET {down})")), "{}", got.message);
    assert!(got.message.contains("onnect"), "{}", got.message);
}

#[tokio::test]
async fn slow_backend_times_out() {
    let s = server().await;
    let url = s.url("/slow");
    let started = Instant::now();
    let got = measure(&metric(json!({"url": url, "timeoutSeconds": 1}), "true")).await;
    let took = started.elapsed();
    assert_eq!((got.phase, got.message), (Phase::Error, format!("context deadline exceeded (GET {url})")));
    assert!(took >= Duration::from_millis(900) && took < Duration::from_millis(2500), "{took:?}");
}

#[tokio::test]
async fn huge_response() {
    // About 10 MB of JSON; the value sits after the big array.
    let items: Vec<serde_json::Value> =
        (0..120_000).map(|i| json!({"id": i, "name": format!("item-{i:06}"), "pad": "x".repeat(48)})).collect();
    let body = json!({"items": items, "summary": {"errors": 0.01}}).to_string();
    assert!(body.len() > 10_000_000, "{}", body.len());
    let s = Server::start(move |_| Reply::text(200, body.clone())).await;
    let got = measure(&metric(json!({"url": s.url("/big"), "jsonPath": "{.summary.errors}"}), "result < 0.05")).await;
    assert_eq!((got.phase, got.value.as_str()), (Phase::Successful, "0.01"));
    let got =
        measure(&metric(json!({"url": s.url("/big"), "jsonPath": "{.items[119999].id}"}), "result == 119999")).await;
    assert_eq!(got.phase, Phase::Successful, "{}", got.message);
}

#[tokio::test]
async fn oauth2_client_credentials() {
    let s = server().await;
    let m = metric(
        json!({"url": s.url("/needs-token"), "jsonPath": "{.ok}", "authentication": {"oauth2": {
            "tokenUrl": s.url("/token"), "clientId": "id", "clientSecret": "cl!ent-s3cret", "scopes": ["read", "write"]}}}),
        "result == true",
    );
    let got = measure(&m).await;
    assert_eq!(got.phase, Phase::Successful, "{got:?}");
    let token_request = &s.requests()[0];
    assert_eq!((token_request.method.as_str(), token_request.path()), ("POST", "/token"));
    assert_eq!(token_request.body, "grant_type=client_credentials&scope=read+write");
    assert!(token_request.header("authorization").is_some_and(|a| a.starts_with("Basic ")));

    // A rejected token request: Go's oauth2 text, the request and the token URL; the client
    // secret is scrubbed even when the server echoes it.
    let rejected = metric(
        json!({"url": s.url("/needs-token"), "authentication": {"oauth2": {
            "tokenUrl": s.url("/token-rejected"), "clientId": "id", "clientSecret": "cl!ent-s3cret"}}}),
        "true",
    );
    let got = measure(&rejected).await;
    assert_eq!(
        (got.phase, got.message),
        (
            Phase::Error,
            format!(
                "oauth2: \"invalid_client\" \"unknown secret client_id=id&client_secret=*****&grant_type=client_credentials\" (GET {}, token request to {})",
                s.url("/needs-token"),
                s.url("/token-rejected")
            )
        )
    );

    // Incomplete OAuth2 is a construction error, as in Argo.
    let incomplete =
        metric(json!({"url": s.url("/ok"), "authentication": {"oauth2": {"tokenUrl": s.url("/token")}}}), "");
    let err = BuiltinProviders::new().unwrap().new_provider(&cx(), &incomplete).err().unwrap();
    assert!(err.to_string().starts_with("missing mandatory parameter in metric for OAuth2 setup"), "{err}");
}

#[tokio::test]
async fn invalid_json_path_is_a_construction_error() {
    let m = metric(json!({"url": "http://127.0.0.1:1/", "jsonPath": "{.a"}), "");
    let err = BuiltinProviders::new().unwrap().new_provider(&cx(), &m).err().unwrap();
    assert_eq!(err.to_string(), "unclosed action (jsonPath \"{.a\")");
}

#[tokio::test]
async fn credentials_never_appear_in_output() {
    const TOKEN: &str = "Bearer sup3r-s3cret-t0ken";
    const PASSWORD: &str = "p4ssw0rd-in-url";
    let s = server().await;
    let recorder = Arc::new(DataRecorder::default());
    let factory = BuiltinProviders::new().unwrap().with_recorder(recorder.clone());
    let mut outputs = Vec::new();
    for path in ["/ok", "/500", "/text", "/slow", "/malformed"] {
        let url = format!("http://admin:{PASSWORD}@{}{path}", s.host());
        let m = metric(
            json!({"url": url, "timeoutSeconds": 1, "jsonPath": "{.nope}",
                   "headers": [{"key": "Authorization", "value": TOKEN}]}),
            "result == 1",
        );
        let got = measure_with(&factory, &m).await;
        outputs.push(format!("{} {} {:?}", got.message, got.value, got.metadata));
    }
    // The header did reach the server.
    assert_eq!(s.requests()[0].header("authorization"), Some(TOKEN));
    outputs.push(serde_json::to_string(&recorder.data()).unwrap());
    for out in &outputs {
        assert!(!out.contains("sup3r-s3cret"), "{out}");
        assert!(!out.contains(PASSWORD), "{out}");
    }
    assert!(outputs[1].contains(&format!("(GET http://{}/500)", s.host())), "{}", outputs[1]);
}

/// A run of one web metric whose `Authorization` header and URL carry a secret argument.
fn run_of(name: &str, url: &str) -> AnalysisRun {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {
            "args": [{"name": "token", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}}],
            "metrics": [{"name": "web", "successCondition": "result == true", "provider": {"web": {
                "url": url, "jsonPath": "{.ok}", "timeoutSeconds": 5,
                "headers": [{"key": "Authorization", "value": "Bearer {{args.token}}"}]}}}]
        }
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analyzer_runs_web_metrics_and_a_slow_backend_blocks_no_other_run() {
    use augur_analysis_core::template::StaticSecrets;
    use augur_providers::{Analyzer, AnalyzerOptions};

    const SECRET: &str = "s3cr3t-arg-t0ken";
    let s = Server::start(|req| match req.path() {
        "/slow" => ok_json(json!({"ok": true})).after(Duration::from_secs(3)),
        "/bearer" if req.header("authorization") == Some("Bearer s3cr3t-arg-t0ken") => ok_json(json!({"ok": true})),
        _ => Reply::text(500, ""),
    })
    .await;
    let secrets = Arc::new(StaticSecrets::new().with("ns", "creds", "token", SECRET));
    let factory = Arc::new(BuiltinProviders::new().unwrap());
    // One Web call at a time would serialise the runs; the limit is per provider type.
    let analyzer = Analyzer::new(factory, secrets, AnalyzerOptions::default().with_concurrency_limit("Web", 8));

    let started = Instant::now();
    let slow = analyzer.start(run_of("slow", &s.url("/slow")));
    let fast = analyzer.start(run_of("fast", &s.url("/bearer")));
    let failing = analyzer.start(run_of("failing", &format!("{}?token={{{{args.token}}}}", s.url("/500"))));
    let fast = tokio::time::timeout(Duration::from_secs(2), fast.wait()).await.expect("the fast run waits for nobody");
    assert_eq!(fast.status.phase, Some(Phase::Successful), "{:?}", fast.status);
    assert!(started.elapsed() < Duration::from_secs(2));
    let failing = tokio::time::timeout(Duration::from_secs(30), async {
        // An Error measurement is retried after 10 s; the first one is enough here.
        let mut status = failing.status();
        loop {
            let run = status.borrow_and_update().clone();
            if run.status.metric_results.first().is_some_and(|r| !r.measurements.is_empty()) {
                failing.terminate();
                return run;
            }
            status.changed().await.unwrap();
        }
    })
    .await
    .expect("a measurement within the bound");
    let message = &failing.status.metric_results[0].measurements[0].message;
    assert!(message.starts_with("received non 2xx response code: 500 (GET http://127.0.0.1:"), "{message}");
    assert!(message.contains("token=*****"), "{message}");
    let slow = tokio::time::timeout(Duration::from_secs(10), slow.wait()).await.expect("slow run ends");
    assert_eq!(slow.status.phase, Some(Phase::Successful), "{:?}", slow.status);
    for run in [&fast, &failing, &slow] {
        let text = serde_json::to_string(run).unwrap();
        assert!(!text.contains(SECRET), "{text}");
    }
}

#[tokio::test]
async fn insecure_skips_certificate_verification() {
    let s = Server::start_tls(|_| ok_json(json!({"ok": true}))).await;
    let url = s.url("/health");
    let refused = measure(&metric(json!({"url": url, "jsonPath": "{$.ok}"}), "result == true")).await;
    assert_eq!(refused.phase, Phase::Error, "a self-signed certificate is refused: {refused:?}");
    assert!(refused.message.to_lowercase().contains("certificate"), "{}", refused.message);
    let accepted =
        measure(&metric(json!({"url": url, "jsonPath": "{$.ok}", "insecure": true}), "result == true")).await;
    assert_eq!((accepted.phase, accepted.value.as_str()), (Phase::Successful, "true"), "{accepted:?}");
}

/// Runs due together through the analyzer: the burst's timer starts the real HTTP calls at
/// the deadline and hands them, still in progress, to their runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_runs_due_together_measure_through_the_analyzer() {
    use augur_analysis_core::template::StaticSecrets;
    use augur_providers::{Analyzer, AnalyzerOptions};

    const RUNS: usize = 200;
    let server = server().await;
    let analyzer = Analyzer::new(
        Arc::new(BuiltinProviders::new().unwrap()),
        Arc::new(StaticSecrets::new()),
        AnalyzerOptions::default(),
    );
    let handles: Vec<_> = (0..RUNS)
        .map(|i| {
            let run: AnalysisRun = serde_json::from_value(json!({
                "metadata": {"name": format!("run-{i}"), "namespace": "default", "uid": format!("uid-{i}")},
                "spec": {"metrics": [{
                    "name": "ok", "interval": "1s", "count": 3, "successCondition": "result == true",
                    "provider": {"web": {"url": server.url("/ok"), "jsonPath": "{$.data.ok}"}},
                }]},
            }))
            .unwrap();
            analyzer.start(run)
        })
        .collect();
    let all = async {
        for h in &handles {
            let run = h.wait().await;
            assert_eq!(run.status.phase, Some(Phase::Successful), "{:?}", run.status);
            let r = &run.status.metric_results[0];
            assert_eq!((r.count, r.successful), (3, 3));
            let finished: Vec<_> = r.measurements.iter().map(|m| m.finished_at.unwrap().to_system()).collect();
            for pair in finished.windows(2) {
                assert!(pair[1] >= pair[0] + Duration::from_secs(1), "{finished:?}");
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), all).await.expect("every run completes");
    assert_eq!(server.requests().len(), RUNS * 3);
}
