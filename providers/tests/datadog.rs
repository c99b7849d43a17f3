//! The Datadog provider against a fake Datadog API on 127.0.0.1.
//!
//! The fake checks what Datadog checks — the route and method, the `DD-API-KEY` and
//! `DD-APPLICATION-KEY` headers (403 `{"errors":["Forbidden"]}` otherwise), the v1 query
//! parameters and the v2 `scalar_request` body schema (400 with Datadog's error shape
//! otherwise) — and answers with bodies shaped like Datadog's documented responses. Which
//! answer is chosen by the query text.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use augur_analysis_core::Phase;
use augur_analysis_core::spec::{AnalysisRun, Measurement, Metric};
use augur_analysis_core::template::StaticSecrets;
use augur_providers::EnvLookup;
use augur_providers::datadog::RetryPolicy;
use augur_providers::{BuiltinProviders, DataRecorder, ProviderFactory, RunContext};
use serde_json::{Value, json};
use support::http_server::{Reply, SeenRequest as Seen, TestServer as Server};

/// A 200 JSON reply.
fn ok_json(v: serde_json::Value) -> Reply {
    Reply::json(200, v.to_string())
}

/// An environment holding exactly `pairs`.
fn vars(pairs: &[(&str, &str)]) -> EnvLookup {
    let map: std::collections::BTreeMap<String, String> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Arc::new(move |k: &str| map.get(k).cloned())
}

const API_KEY: &str = "dd-api-k3y-0123456789";
const APP_KEY: &str = "dd-app-k3y-9876543210";
const NOW: u64 = 1_700_000_000;

fn cx() -> RunContext {
    let mut run = AnalysisRun::default();
    run.metadata.namespace = Some("team".into());
    RunContext::new(&run, SystemTime::UNIX_EPOCH + Duration::from_secs(NOW))
}

fn metric(datadog: Value, success: &str) -> Metric {
    serde_json::from_value(json!({"name": "dd", "successCondition": success, "provider": {"datadog": datadog}}))
        .unwrap()
}

fn env_for(server: &Server) -> EnvLookup {
    vars(&[("DD_API_KEY", API_KEY), ("DD_APP_KEY", APP_KEY), ("DD_ADDRESS", &server.address)])
}

fn factory(server: &Server) -> BuiltinProviders {
    BuiltinProviders::new().unwrap().with_env(env_for(server))
}

async fn measure_with(factory: &BuiltinProviders, m: &Metric) -> Measurement {
    let provider = factory.new_provider(&cx(), m).expect("provider");
    assert_eq!(provider.type_name(), "Datadog");
    provider.run(&cx(), m).await
}

fn errors(text: &str) -> Reply {
    Reply::text(400, json!({"errors": [text]}).to_string()).header("Content-Type", "application/json")
}

/// The fake Datadog API. `rate_limited` counts the requests of the `rate_limited` query.
fn datadog(req: &Seen, rate_limited: &AtomicUsize) -> Reply {
    if req.header("dd-api-key") != Some(API_KEY) || req.header("dd-application-key") != Some(APP_KEY) {
        return Reply::text(403, r#"{"errors":["Forbidden"]}"#).header("Content-Type", "application/json");
    }
    match (req.method.as_str(), req.path()) {
        ("GET", "/api/v1/query") => v1(req, rate_limited),
        ("POST", "/api/v2/query/scalar") => v2(req),
        (_, "/api/v1/query" | "/api/v2/query/scalar") => Reply::text(405, r#"{"errors":["Method Not Allowed"]}"#),
        _ => Reply::text(404, r#"{"errors":["Not found"]}"#),
    }
}

fn v1(req: &Seen, rate_limited: &AtomicUsize) -> Reply {
    let url = reqwest::Url::parse(&format!("http://x{}", req.uri)).unwrap();
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let (Some(from), Some(to), Some(query)) = (param("from"), param("to"), param("query")) else {
        return errors("The 'from', 'to' and 'query' parameters are required");
    };
    let (Ok(from), Ok(to)) = (from.parse::<i64>(), to.parse::<i64>()) else {
        return errors("'from' and 'to' must be Unix seconds");
    };
    if from >= to {
        return errors("'from' must be before 'to'");
    }
    let series = |points: Value| {
        json!({"metric": "trace.http.request.errors", "display_name": "trace.http.request.errors",
               "aggr": "avg", "scope": "service:web", "tag_set": ["service:web"], "expression": query,
               "unit": null, "interval": 20, "length": 2, "query_index": 0,
               "start": from * 1000, "end": to * 1000, "pointlist": points})
    };
    let body = |series: Value| {
        ok_json(json!({"status": "ok", "res_type": "time_series", "resp_version": 1, "query": query,
                           "from_date": from * 1000, "to_date": to * 1000, "series": series,
                           "values": [], "times": [], "message": "", "group_by": []}))
    };
    match query.as_str() {
        "avg:errors{service:web}" => body(json!([
            series(json!([[1_699_999_700_000.0_f64, 0.012], [1_699_999_720_000.0_f64, 0.0003332881882246533]])),
            series(json!([[1_699_999_700_000.0_f64, 99.0]])),
        ])),
        "avg:none{*}" => body(json!([])),
        "avg:nulls{*}" => {
            body(json!([series(json!([[1_699_999_700_000.0_f64, 0.5], [1_699_999_720_000.0_f64, null]]))]))
        }
        "avg:boom{*}" => Reply::text(503, r#"{"errors":["Service Unavailable"]}"#),
        "avg:slow{*}" => body(json!([])).after(Duration::from_secs(3)),
        "avg:echo{*}" => errors(&format!("invalid key {API_KEY}")),
        "avg:rate_limited{*}" => {
            if rate_limited.fetch_add(1, Ordering::SeqCst) == 0 {
                Reply::text(429, r#"{"errors":["Rate limit exceeded"]}"#)
                    .header("Retry-After", "1")
                    .header("X-RateLimit-Limit", "100")
                    .header("X-RateLimit-Period", "10")
                    .header("X-RateLimit-Remaining", "0")
                    .header("X-RateLimit-Reset", "1")
            } else {
                body(json!([series(json!([[1_699_999_700_000.0_f64, 0.01]]))]))
            }
        }
        "avg:always_limited{*}" => {
            rate_limited.fetch_add(1, Ordering::SeqCst);
            Reply::text(429, r#"{"errors":["Rate limit exceeded"]}"#).header("X-RateLimit-Reset", "60")
        }
        "avg:limited_briefly{*}" => {
            rate_limited.fetch_add(1, Ordering::SeqCst);
            Reply::text(429, r#"{"errors":["Rate limit exceeded"]}"#).header("Retry-After", "0")
        }
        _ => errors(&format!("Error parsing query: unknown metric in {query}")),
    }
}

/// Checks a v2 `scalar_request` as Datadog's schema does; the error says what is wrong.
fn check_scalar_request(body: &Value) -> Result<Vec<String>, String> {
    let data = body.get("data").ok_or("data is required")?;
    if data.get("type") != Some(&json!("scalar_request")) {
        return Err("data.type must be scalar_request".into());
    }
    let attrs = data.get("attributes").ok_or("data.attributes is required")?;
    let (from, to) = (
        attrs["from"].as_i64().ok_or("from must be an integer")?,
        attrs["to"].as_i64().ok_or("to must be an integer")?,
    );
    if from >= to {
        return Err("from must be before to".into());
    }
    let queries = attrs["queries"].as_array().filter(|q| !q.is_empty()).ok_or("queries must be a non-empty array")?;
    let mut texts = Vec::new();
    for q in queries {
        if q["data_source"] != "metrics" {
            return Err("queries[].data_source must be metrics".into());
        }
        if !["avg", "min", "max", "sum", "last", "percentile", "mean", "l2norm", "area"]
            .contains(&q["aggregator"].as_str().unwrap_or(""))
        {
            return Err("queries[].aggregator is invalid".into());
        }
        if q["name"].as_str().is_none_or(str::is_empty) {
            return Err("queries[].name is required".into());
        }
        texts.push(q["query"].as_str().filter(|s| !s.is_empty()).ok_or("queries[].query is required")?.to_owned());
    }
    let formulas = attrs["formulas"].as_array().ok_or("formulas must be an array")?;
    if formulas.iter().any(|f| f["formula"].as_str().is_none()) {
        return Err("formulas[].formula must be a string".into());
    }
    Ok(texts)
}

fn v2(req: &Seen) -> Reply {
    if req.header("content-type") != Some("application/json") {
        return Reply::text(415, r#"{"errors":["Unsupported Media Type"]}"#);
    }
    let Ok(body) = serde_json::from_str::<Value>(&req.body) else { return errors("Invalid JSON") };
    let queries = match check_scalar_request(&body) {
        Ok(q) => q,
        Err(e) => return errors(&e),
    };
    let response =
        |columns: Value| ok_json(json!({"data": {"type": "scalar_response", "attributes": {"columns": columns}}}));
    let number = |name: &str, values: Value| json!({"name": name, "type": "number", "values": values, "meta": {"unit": [{"family": "percentage", "name": "percent", "plural": "percent", "scale_factor": 1.0, "short_name": "%"}, null]}});
    match queries[0].as_str() {
        "sum:errors{service:web}.as_count()" => response(json!([number("a", json!([0.0125]))])),
        "sum:errors{*} by {service}" => response(json!([
            {"name": "service", "type": "group", "values": [["web"], ["api"], ["db"]]},
            number("a", json!([0.5, null, 2.0])),
        ])),
        "sum:none{*}" => response(json!([number("a", json!([null]))])),
        other => errors(&format!("Error parsing query: {other}")),
    }
}

async fn fake() -> (Server, Arc<AtomicUsize>) {
    let counter = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&counter);
    (Server::start(move |req| datadog(req, &c)).await, counter)
}

#[tokio::test]
async fn v1_last_point_of_first_series() {
    let (s, _) = fake().await;
    let m = metric(json!({"query": "avg:errors{service:web}"}), "result < 0.01");
    let got = measure_with(&factory(&s), &m).await;
    assert_eq!((got.phase, got.value.as_str()), (Phase::Successful, "0.0003332881882246533"), "{got:?}");
    let seen = &s.requests()[0];
    // The CRD defaults: apiVersion v1, interval 5m.
    assert_eq!(seen.uri, format!("/api/v1/query?from={}&query=avg%3Aerrors%7Bservice%3Aweb%7D&to={NOW}", NOW - 300));
    assert_eq!(seen.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn v1_no_data_and_null_points() {
    let (s, _) = fake().await;
    let f = factory(&s);
    let got = measure_with(&f, &metric(json!({"query": "avg:none{*}", "interval": "1m"}), "result < 0.05")).await;
    assert_eq!(got.phase, Phase::Error, "{got:?}");
    assert!(got.message.contains("no data"), "{}", got.message);
    assert!(s.requests()[0].uri.starts_with(&format!("/api/v1/query?from={}&", NOW - 60)));
    let got = measure_with(&f, &metric(json!({"query": "avg:none{*}"}), "default(result, 0) < 0.05")).await;
    assert_eq!((got.phase, got.value.as_str()), (Phase::Successful, "[]"));
    // A null point value is 0, as Go decodes it.
    let got = measure_with(&f, &metric(json!({"query": "avg:nulls{*}"}), "result == 0")).await;
    assert_eq!((got.phase, got.value.as_str()), (Phase::Successful, "0"));
}

#[tokio::test]
async fn v2_scalar_grouped_and_empty() {
    let (s, _) = fake().await;
    let f = factory(&s);
    let got = measure_with(
        &f,
        &metric(json!({"apiVersion": "v2", "query": "sum:errors{service:web}.as_count()"}), "result < 0.05"),
    )
    .await;
    assert_eq!((got.phase, got.value.as_str()), (Phase::Successful, "0.0125"), "{got:?}");
    let sent: Value = serde_json::from_str(&s.requests()[0].body).unwrap();
    assert_eq!(sent["data"]["attributes"]["queries"][0]["aggregator"], "last");
    assert_eq!(sent["data"]["attributes"]["from"], json!((NOW - 300) * 1000));

    let grouped = metric(
        json!({"apiVersion": "v2", "queries": {"a": "sum:errors{*} by {service}"}, "formula": "a", "aggregator": "sum"}),
        "max(result) < 1",
    );
    let got = measure_with(&f, &grouped).await;
    assert_eq!((got.phase, got.value.as_str()), (Phase::Failed, "[0.5,2]"), "{got:?}");
    assert_eq!(got.metadata["groups"], r#"[{"name":"web","value":0.5},{"name":"db","value":2}]"#);
    let sent: Value = serde_json::from_str(&s.requests()[1].body).unwrap();
    assert_eq!(sent["data"]["attributes"]["formulas"], json!([{"formula": "a"}]));

    let got = measure_with(&f, &metric(json!({"apiVersion": "v2", "query": "sum:none{*}"}), "isNil(result)")).await;
    assert_eq!((got.phase, got.value.as_str()), (Phase::Successful, "[]"));
    // A query Datadog rejects: its error text and the query.
    let got = measure_with(&f, &metric(json!({"apiVersion": "v2", "query": "sum:bad{"}), "true")).await;
    assert_eq!(got.phase, Phase::Error);
    assert!(
        got.message.starts_with(r#"received non 2xx response code: 400 {"errors":["Error parsing query: sum:bad{"]} (queries query="sum:bad{" at http://127.0.0.1:"#),
        "{}",
        got.message
    );
}

#[tokio::test]
async fn statuses_are_errors() {
    let (s, _) = fake().await;
    let wrong_keys = vars(&[("DD_API_KEY", "wrong"), ("DD_APP_KEY", "wrong-too"), ("DD_ADDRESS", &s.address)]);
    let f = BuiltinProviders::new().unwrap().with_env(wrong_keys);
    let got = measure_with(&f, &metric(json!({"query": "avg:errors{service:web}"}), "true")).await;
    assert_eq!(
        (got.phase, got.message),
        (
            Phase::Error,
            format!(
                r#"received authentication error response code: 403 {{"errors":["Forbidden"]}} (query "avg:errors{{service:web}}" at http://{}/api/v1/query)"#,
                s.host()
            )
        )
    );
    let got = measure_with(&factory(&s), &metric(json!({"query": "avg:boom{*}"}), "true")).await;
    assert!(
        got.message.starts_with(r#"received non 2xx response code: 503 {"errors":["Service Unavailable"]}"#),
        "{}",
        got.message
    );

    let got =
        measure_with(&factory(&s), &metric(json!({"query": "avg:slow{*}", "requestTimeout": "1s"}), "true")).await;
    assert!(got.message.starts_with("context deadline exceeded (query"), "{}", got.message);
}

#[tokio::test]
async fn rate_limits_are_honoured() {
    let (s, count) = fake().await;
    let started = Instant::now();
    let got = measure_with(&factory(&s), &metric(json!({"query": "avg:rate_limited{*}"}), "result < 0.05")).await;
    assert_eq!((got.phase, got.value.as_str()), (Phase::Successful, "0.01"), "{got:?}");
    assert_eq!(count.load(Ordering::SeqCst), 2);
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(1) && took < Duration::from_secs(5), "{took:?}");

    // Advice beyond the wait budget: the 429 is the measurement, at once.
    let (s, count) = fake().await;
    let started = Instant::now();
    let got = measure_with(&factory(&s), &metric(json!({"query": "avg:always_limited{*}"}), "true")).await;
    assert!(got.message.starts_with("received non 2xx response code: 429"), "{}", got.message);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(started.elapsed() < Duration::from_secs(2));

    // Attempts are bounded.
    let (s, count) = fake().await;
    let f = factory(&s).with_datadog_retry(RetryPolicy { max_attempts: 3, max_total_wait: Duration::from_secs(10) });
    let got = measure_with(&f, &metric(json!({"query": "avg:limited_briefly{*}"}), "true")).await;
    assert_eq!(got.phase, Phase::Error);
    assert!(got.message.contains("attempt 3 after 0s of waiting on 429s"), "{}", got.message);
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn credentials_from_secrets() {
    let (s, _) = fake().await;
    let address = s.address.clone();
    let secrets = StaticSecrets::new()
        .with("team", "dd-creds", "api-key", API_KEY)
        .with("team", "dd-creds", "app-key", APP_KEY)
        .with("team", "dd-creds", "address", &address)
        .with("argo-rollouts", "datadog", "api-key", API_KEY)
        .with("argo-rollouts", "datadog", "app-key", APP_KEY)
        .with("argo-rollouts", "datadog", "address", &address);
    let f = BuiltinProviders::new().unwrap().with_env(vars(&[])).with_secrets(Arc::new(secrets));
    let namespaced = metric(
        json!({"query": "avg:errors{service:web}", "secretRef": {"name": "dd-creds", "namespaced": true}}),
        "true",
    );
    assert_eq!(measure_with(&f, &namespaced).await.phase, Phase::Successful);
    let default = metric(json!({"query": "avg:errors{service:web}"}), "true");
    assert_eq!(measure_with(&f, &default).await.phase, Phase::Successful);
    // A named Secret that is not in the controller's namespace: no fallback.
    let named = metric(json!({"query": "avg:errors{service:web}", "secretRef": {"name": "dd-creds"}}), "true");
    let err = f.new_provider(&cx(), &named).err().unwrap().to_string();
    assert_eq!(
        err,
        "failed to find the credentials for datadog metrics provider (looked in Secret \"dd-creds\" in namespace \"argo-rollouts\")"
    );
}

#[tokio::test]
async fn bad_configuration_is_a_construction_error() {
    let f = BuiltinProviders::new().unwrap().with_env(vars(&[
        ("DD_API_KEY", "a"),
        ("DD_APP_KEY", "b"),
        ("DD_ADDRESS", ""),
    ]));
    let err = |m: Metric| f.new_provider(&cx(), &m).err().unwrap().to_string();
    assert_eq!(
        err(metric(json!({"query": "q", "apiVersion": "v3"}), "")),
        "Unsupported value: \"v3\": supported values: \"v1\", \"v2\" (datadog.apiVersion) (datadog provider of metric \"dd\")"
    );
    assert!(err(metric(json!({"apiVersion": "v2"}), "")).starts_with("Must have either a query or queries."));
    let none = BuiltinProviders::new().unwrap().with_env(vars(&[]));
    assert!(
        none.new_provider(&cx(), &metric(json!({"query": "q"}), ""))
            .err()
            .unwrap()
            .to_string()
            .starts_with("failed to find the credentials")
    );
}

#[tokio::test]
async fn keys_never_appear_in_output() {
    let (s, _) = fake().await;
    let recorder = Arc::new(DataRecorder::default());
    let f = factory(&s).with_recorder(recorder.clone());
    let mut outputs = Vec::new();
    for (version, query) in [
        ("v1", "avg:echo{*}"),
        ("v1", "avg:errors{service:web}"),
        ("v1", "avg:boom{*}"),
        ("v2", "sum:errors{*} by {service}"),
        ("v2", "nope"),
    ] {
        let got = measure_with(&f, &metric(json!({"apiVersion": version, "query": query}), "true")).await;
        outputs.push(format!("{} | {} | {:?} | {:?}", got.message, got.value, got.metadata, got));
    }
    // The echoed key was scrubbed from the message.
    assert!(outputs[0].contains("invalid key *****"), "{}", outputs[0]);
    outputs.push(serde_json::to_string(&recorder.data()).unwrap());
    outputs.push(format!("{f:?}"));
    for out in &outputs {
        assert!(!out.contains(API_KEY) && !out.contains(APP_KEY), "{out}");
    }
}

/// `augur backtest` with a Datadog metric: each measurement asks for the window that ends at
/// its own virtual time, on the template's schedule.
#[tokio::test]
async fn backtest_queries_each_window_as_of_its_measurement() {
    let (s, _) = fake().await;
    let run: AnalysisRun = serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": "bt", "namespace": "default", "uid": "u"},
        "spec": {"metrics": [{
            "name": "errors", "interval": "1m", "count": 3, "successCondition": "result < 0.01",
            "provider": {"datadog": {"query": "avg:errors{service:web}", "interval": "5m"}},
        }]}
    }))
    .unwrap();
    let mut run = run;
    let from = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW);
    let to = from + Duration::from_secs(3600);
    let outcome = augur_providers::backtest::backtest(
        &mut run,
        &factory(&s),
        &StaticSecrets::new(),
        from,
        to,
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!((outcome.end, outcome.calls), (augur_providers::backtest::BacktestEnd::Completed, 3));
    assert_eq!(run.status.phase, Some(Phase::Successful), "{:?}", run.status);
    let windows: Vec<String> =
        s.requests().iter().map(|r| r.uri.rsplit("&to=").next().unwrap_or("").to_string()).collect();
    // Argo measures again once `interval` has passed since the last measurement finished
    // (strictly after), on second-precision timestamps.
    let ends: Vec<u64> = windows.iter().filter_map(|w| w.parse().ok()).collect();
    assert_eq!(ends.len(), 3, "{windows:?}");
    assert_eq!(ends[0], NOW);
    assert!(ends[1] - ends[0] >= 60 && ends[1] - ends[0] <= 61, "{ends:?}");
    assert!(ends[2] - ends[1] >= 60 && ends[2] - ends[1] <= 61, "{ends:?}");
}
