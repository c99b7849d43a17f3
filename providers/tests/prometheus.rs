//! The Prometheus provider against a real Prometheus (Debian's package) loaded with known
//! series, and against a real HTTP server on 127.0.0.1 for what Prometheus cannot show
//! (headers, authentication, the GET fallback, warnings, a server that never answers).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use augur_analysis_core::Phase;
use augur_analysis_core::spec::{
    AnalysisRun, Measurement, Metric, MetricProvider, PrometheusMetric, PrometheusRangeQueryArgs, WebMetricHeader,
};
use augur_providers::record::DataRecorder;
use augur_providers::{BuiltinProviders, ProviderFactory, RunContext};
use support::http_server::{Reply, TestServer};
use support::prometheus_server::{PrometheusServer, T0, free_port, standard_series};

fn at(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
}

fn metric(cfg: PrometheusMetric, success: &str) -> Metric {
    Metric {
        name: "m".into(),
        success_condition: success.into(),
        provider: MetricProvider { prometheus: Some(Box::new(cfg)), ..Default::default() },
        ..Default::default()
    }
}

fn query(address: &str, q: &str) -> PrometheusMetric {
    PrometheusMetric { address: address.into(), query: q.into(), ..Default::default() }
}

async fn measure_with(factory: &BuiltinProviders, m: &Metric, now: SystemTime) -> Measurement {
    let cx = RunContext::new(&AnalysisRun::default(), now);
    match factory.new_provider(&cx, m) {
        Ok(p) => p.run(&cx, m).await,
        Err(e) => panic!("provider construction failed: {e}"),
    }
}

async fn measure(m: &Metric, now: SystemTime) -> Measurement {
    let factory = BuiltinProviders::new().expect("clients");
    measure_with(&factory, m, now).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_a_real_prometheus() {
    let Some(prom) = tokio::task::spawn_blocking(|| PrometheusServer::start(&standard_series())).await.expect("start")
    else {
        return;
    };
    let a = prom.address.as_str();
    let now = at(T0 + 600);

    // Instant vector, one series.
    let m = metric(query(a, r#"augur_success_rate{service="payments"}"#), "result[0] >= 0.95");
    let r = measure(&m, now).await;
    assert_eq!((r.phase, r.value.as_str(), r.message.as_str()), (Phase::Successful, "[0.97]", ""));
    assert_eq!(r.started_at, r.finished_at);

    // Several series: every sample, in the server's order.
    let r = measure(&metric(query(a, "augur_success_rate"), "all(result, {# > 0.9})"), now).await;
    assert_eq!((r.phase, r.value.as_str()), (Phase::Failed, "[0.5,0.97]"));

    // Scalar.
    let r = measure(&metric(query(a, r#"scalar(augur_success_rate{service="payments"})"#), "result > 0.9"), now).await;
    assert_eq!((r.phase, r.value.as_str()), (Phase::Successful, "0.97"));

    // Empty vector: an empty list reaches the conditions.
    let r = measure(&metric(query(a, "augur_missing_metric"), "len(result) == 0"), now).await;
    assert_eq!((r.phase, r.value.as_str()), (Phase::Successful, "[]"));

    // NaN and +Inf pass through.
    let r = measure(&metric(query(a, "augur_nan"), "isNaN(result[0])"), now).await;
    assert_eq!((r.phase, r.value.as_str()), (Phase::Successful, "[NaN]"));
    let r = measure(&metric(query(a, "augur_inf"), "isInf(result[0])"), now).await;
    assert_eq!((r.phase, r.value.as_str()), (Phase::Successful, "[+Inf]"));

    // The evaluation time is the measurement's time: ramp is minutes since T0.
    let r = measure(&metric(query(a, "augur_ramp"), "result[0] == 7"), at(T0 + 7 * 60 + 20)).await;
    assert_eq!((r.phase, r.value.as_str()), (Phase::Successful, "[7]"));

    // Range query: every point of every series.
    let mut cfg = query(a, "augur_ramp");
    cfg.range_query = Some(PrometheusRangeQueryArgs {
        start: r#"date("2026-01-01 00:01:00", "2006-01-02 15:04:05", "UTC")"#.into(),
        end: r#"date("2026-01-01 00:01:00", "2006-01-02 15:04:05", "UTC") + duration("3m")"#.into(),
        step: "1m".into(),
    });
    let r = measure(&metric(cfg, "len(result) == 4"), now).await;
    assert_eq!((r.phase, r.value.as_str()), (Phase::Successful, "[1,2,3,4]"));

    // A PromQL syntax error: Prometheus's own text, and the query.
    let r = measure(&metric(query(a, "rate(augur_ramp[5m]"), "true"), now).await;
    assert_eq!(r.phase, Phase::Error);
    assert!(r.message.starts_with("bad_data: "), "{}", r.message);
    assert!(r.message.contains(r#"(query "rate(augur_ramp[5m]" at http://127.0.0.1:"#), "{}", r.message);
    assert_eq!(r.value, "");

    // The resolved query is the metric's metadata.
    let cx = RunContext::new(&AnalysisRun::default(), now);
    let factory = BuiltinProviders::new().expect("clients");
    let m = metric(query(a, "augur_ramp"), "true");
    let Ok(p) = factory.new_provider(&cx, &m) else { panic!("provider construction failed") };
    assert_eq!(p.metadata(&m).get("ResolvedPrometheusQuery").map(String::as_str), Some("augur_ramp"));
    assert_eq!(p.type_name(), "Prometheus");
}

#[tokio::test]
async fn a_server_that_is_down_is_an_error_naming_the_query() {
    let address = format!("http://127.0.0.1:{}", free_port());
    let r = measure(&metric(query(&address, "up"), "true"), at(T0)).await;
    assert_eq!(r.phase, Phase::Error);
    assert!(r.message.contains("error sending request"), "{}", r.message);
    assert!(r.message.ends_with(&format!("(query \"up\" at {address})")), "{}", r.message);
}

#[tokio::test]
async fn deadlines_bound_the_whole_call() {
    let server = TestServer::start(|_| Reply::json(200, "{}").after(Duration::from_secs(30))).await;
    let mut cfg = query(&server.address, "up");
    cfg.timeout = Some(1);
    let started = Instant::now();
    let r = measure(&metric(cfg.clone(), "true"), at(T0)).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(r.phase, Phase::Error);
    assert!(r.message.starts_with("context deadline exceeded (query \"up\" at http://127.0.0.1:"), "{}", r.message);

    // `timeout: 0` is an already expired deadline, as in Argo: nothing is sent.
    cfg.timeout = Some(0);
    let before = server.requests().len();
    let r = measure(&metric(cfg, "true"), at(T0)).await;
    assert_eq!(r.phase, Phase::Error);
    assert!(r.message.starts_with("context deadline exceeded"), "{}", r.message);
    assert_eq!(server.requests().len(), before);
}

const SCALAR_OK: &str = r#"{"status":"success","data":{"resultType":"scalar","result":[1767225600,"1"]}}"#;

#[tokio::test]
async fn request_shape_headers_and_basic_auth() {
    let server = TestServer::start(|_| Reply::json(200, SCALAR_OK)).await;
    let mut cfg = query(&format!("{}/prefix", server.address), "sum(up)");
    cfg.authentication.basic_auth.username = "user".into();
    cfg.authentication.basic_auth.password = "pa55word".into();
    cfg.headers = vec![WebMetricHeader { key: "X-Scope-OrgID".into(), value: "tenant-1".into() }];
    let r = measure(&metric(cfg, "result == 1"), UNIX_EPOCH + Duration::from_millis(1_767_225_600_250)).await;
    assert_eq!((r.phase, r.value.as_str()), (Phase::Successful, "1"));
    let req = &server.requests()[0];
    assert_eq!((req.method.as_str(), req.uri.as_str()), ("POST", "/prefix/api/v1/query"));
    assert_eq!(req.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(req.body, "query=sum%28up%29&time=1767225600.25");
    assert_eq!(req.header("x-scope-orgid"), Some("tenant-1"));
    assert_eq!(req.header("authorization"), Some("Basic dXNlcjpwYTU1d29yZA=="));
}

#[tokio::test]
async fn falls_back_to_get_when_post_is_not_allowed() {
    let server =
        TestServer::start(|req| if req.method == "POST" { Reply::json(405, "") } else { Reply::json(200, SCALAR_OK) })
            .await;
    let r = measure(&metric(query(&server.address, "up"), "result == 1"), at(T0)).await;
    assert_eq!(r.phase, Phase::Successful);
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!((seen[1].method.as_str(), seen[1].uri.as_str()), ("GET", "/api/v1/query?query=up&time=1767225600"));
}

#[tokio::test]
async fn warnings_go_to_metadata_and_http_errors_keep_argo_texts() {
    let server = TestServer::start(|req| {
        if req.body.contains("warn") {
            Reply::json(
                200,
                r#"{"status":"success","warnings":["partial data"],"data":{"resultType":"vector","result":[]}}"#,
            )
        } else {
            Reply::json(503, "overloaded")
        }
    })
    .await;
    let r = measure(&metric(query(&server.address, "warn"), "true"), at(T0)).await;
    assert_eq!(r.metadata.get("warnings").map(String::as_str), Some("\"partial data\""));
    let r = measure(&metric(query(&server.address, "x"), "true"), at(T0)).await;
    assert_eq!(r.phase, Phase::Error);
    assert!(r.message.starts_with("server_error: server error: 503 (query \"x\" at "), "{}", r.message);
}

#[tokio::test]
async fn oauth2_tokens_are_fetched_cached_and_never_shown() {
    let server = TestServer::start(|req| {
        if req.uri == "/token" {
            Reply::json(200, r#"{"access_token":"t0k3n-very-secret","token_type":"bearer","expires_in":3600}"#)
        } else if req.uri.starts_with("/fail") {
            Reply::json(500, "t0k3n-very-secret is not welcome")
        } else {
            Reply::json(200, SCALAR_OK)
        }
    })
    .await;
    let mut cfg = query(&server.address, "up");
    cfg.authentication.oauth2.token_url = format!("{}/token", server.address);
    cfg.authentication.oauth2.client_id = "augur".into();
    cfg.authentication.oauth2.client_secret = "client-s3cret".into();
    cfg.authentication.oauth2.scopes = vec!["read".into(), "metrics".into()];
    let recorder = Arc::new(DataRecorder::default());
    let factory = BuiltinProviders::new().expect("clients").with_recorder(recorder.clone());
    for _ in 0..2 {
        let r = measure_with(&factory, &metric(cfg.clone(), "result == 1"), at(T0)).await;
        assert_eq!(r.phase, Phase::Successful);
    }
    let seen = server.requests();
    let tokens: Vec<_> = seen.iter().filter(|r| r.uri == "/token").collect();
    assert_eq!(tokens.len(), 1, "the token is cached");
    assert_eq!(tokens[0].body, "grant_type=client_credentials&scope=read+metrics");
    assert_eq!(tokens[0].header("authorization"), Some("Basic YXVndXI6Y2xpZW50LXMzY3JldA=="));
    let query = seen.iter().find(|r| r.uri == "/api/v1/query").expect("query sent");
    assert_eq!(query.header("authorization"), Some("Bearer t0k3n-very-secret"));

    // A failing query's message names the query, not the token or the client secret.
    let mut failing = cfg.clone();
    failing.address = format!("{}/fail", server.address);
    let r = measure_with(&factory, &metric(failing, "true"), at(T0)).await;
    assert_eq!(r.phase, Phase::Error);
    let everything = format!("{r:?} {:?}", recorder.data());
    for secret in ["t0k3n-very-secret", "client-s3cret"] {
        assert!(!everything.contains(secret), "{secret} leaked: {everything}");
    }
}

#[tokio::test]
async fn construction_errors_are_error_measurements() {
    let factory = BuiltinProviders::new().expect("clients").with_env(Arc::new(|_| None));
    let cx = RunContext::new(&AnalysisRun::default(), at(T0));
    let err = |cfg: PrometheusMetric| factory.new_provider(&cx, &metric(cfg, "true")).err().map(|e| e.to_string());
    assert_eq!(err(query("", "up")).as_deref(), Some("prometheus address is not configured"));
    assert_eq!(err(query("localhost", "up")).as_deref(), Some("prometheus address is not is url format"));
    let with_env = BuiltinProviders::new()
        .expect("clients")
        .with_env(Arc::new(|k| (k == "ARGO_ROLLOUTS_PROMETHEUS_ADDRESS").then(|| "http://127.0.0.1:9".to_string())));
    assert!(with_env.new_provider(&cx, &metric(query("", "up"), "true")).is_ok());
}

#[tokio::test]
async fn insecure_skips_certificate_verification() {
    let server = TestServer::start_tls(|_| Reply::json(200, SCALAR_OK)).await;
    let cfg = query(&server.address, "up");
    let r = measure(&metric(cfg.clone(), "result == 1"), at(T0)).await;
    assert_eq!(r.phase, Phase::Error, "a self-signed certificate is refused: {r:?}");
    assert!(r.message.to_lowercase().contains("certificate"), "{}", r.message);
    let r = measure(&metric(PrometheusMetric { insecure: true, ..cfg }, "result == 1"), at(T0)).await;
    assert_eq!((r.phase, r.value.as_str()), (Phase::Successful, "1"), "{r:?}");
}
