//! The analysis CRD types: round trips, Go-compatible serialization, IntOrString, Time.

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use augur_analysis_core::Phase;
use augur_analysis_core::spec::{
    AnalysisRun, AnalysisRunStatus, AnalysisTemplate, Document, IntOrString, Measurement, Metric, MetricProvider,
    MetricResult, ObjectMeta, RunSummary, Time, load_documents, to_go_json,
};
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/spec/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn load_template(name: &str) -> AnalysisTemplate {
    let docs = load_documents(name, &fixture(name)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(docs.len(), 1);
    match docs.into_iter().next().unwrap() {
        Document::AnalysisTemplate(t) => t.value,
        other => panic!("expected an AnalysisTemplate, got {other:?}"),
    }
}

#[test]
fn template_with_every_implemented_provider_round_trips_as_go_would_write_it() {
    let template = load_template("template-all-providers.yaml");
    let expected: Value = serde_json::from_str(&fixture("template-all-providers.expected.json")).unwrap();
    let actual = serde_json::to_value(&template).unwrap();
    if actual != expected {
        panic!(
            "serialized template differs\n--- actual\n{}\n--- expected\n{}",
            serde_json::to_string_pretty(&actual).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap()
        );
    }
    // And back: the serialized form deserializes to the same value.
    let again: AnalysisTemplate = serde_json::from_value(actual).unwrap();
    assert_eq!(again, template);
}

#[test]
fn template_fields_are_typed() {
    let t = load_template("template-all-providers.yaml");
    assert_eq!(t.metadata.name.as_deref(), Some("success-rate"));
    assert_eq!(t.metadata.labels["app.kubernetes.io/name"], "guestbook");
    let m = &t.spec.metrics;
    assert_eq!(m.len(), 5);

    let prom = m[0].provider.prometheus.as_ref().unwrap();
    assert_eq!(prom.timeout, Some(40));
    assert!(prom.insecure);
    assert_eq!(prom.authentication.sigv4.region, "us-east-1");
    assert!(prom.query.starts_with("sum(irate(\n  istio_requests_total{"));
    assert_eq!(m[0].failure_limit, Some(IntOrString::Int(3)));
    assert_eq!(m[0].provider.kinds(), ["prometheus"]);
    assert_eq!(m[0].provider.type_name(), Some("Prometheus"));

    let web = m[1].provider.web.as_ref().unwrap();
    assert_eq!(web.method_or_default(), "POST");
    assert_eq!(web.timeout_seconds, 20);
    assert_eq!(web.json_body.as_ref().unwrap()["limits"]["ratio"], json!(0.25));
    assert_eq!(web.json_body.as_ref().unwrap()["nothing"], Value::Null);
    assert_eq!(m[1].count, Some(IntOrString::String("{{args.count}}".into())));
    assert_eq!(m[1].provider.type_name(), Some("Web"));

    let dd = m[2].provider.datadog.as_ref().unwrap();
    assert_eq!(dd.api_version_or_default(), "v2");
    assert_eq!(dd.queries.len(), 2);
    assert!(dd.secret_ref.namespaced);
    assert_eq!(m[2].failure_limit.as_ref().map(IntOrString::value), Some(-1));
    assert_eq!(m[2].consecutive_success_limit.as_ref().map(IntOrString::value), Some(3));
    assert_eq!(m[2].initial_delay, "30s");

    let job = m[3].provider.job.as_ref().unwrap();
    assert_eq!(job.metadata.labels["foo"], "bar");
    assert_eq!(job.spec["backoffLimit"], json!(1));
    assert_eq!(m[3].provider.type_name(), Some("Job"));

    assert_eq!(m[4].provider.kinds(), ["plugin:argoproj-labs/sample-prometheus"]);
    assert_eq!(m[4].provider.type_name(), Some("RPCPlugin"));

    assert_eq!(t.spec.args[0].value, None);
    assert_eq!(t.spec.args[1].value.as_deref(), Some("default"));
    assert_eq!(t.spec.args[2].value_from.as_ref().unwrap().secret_key_ref.as_ref().unwrap().key, "apiToken");
    assert_eq!(t.spec.measurement_retention[0].limit, 20);
    assert!(!t.spec.templates[0].cluster_scope);
    assert!(t.spec.templates[1].cluster_scope);
    assert!(t.spec.unknown_fields.is_empty());
    assert!(m.iter().all(|m| m.unknown_fields.is_empty()));
}

#[test]
fn metric_serializes_in_go_field_order() {
    let t = load_template("template-all-providers.yaml");
    // consecutiveSuccessLimit comes after provider in Go's struct; placeholder substitution
    // (which works on this JSON) depends on the order.
    assert_eq!(
        to_go_json(&t.spec.metrics[2]).unwrap(),
        concat!(
            r#"{"name":"error-rate","interval":"5m","initialDelay":"30s","count":10,"#,
            r#""successCondition":"default(result, 0) \u003c 0.05","failureCondition":"result \u003e= 0.1","#,
            r#""failureLimit":-1,"inconclusiveLimit":2,"provider":{"datadog":{"interval":"5m","#,
            r#""queries":{"a":"sum:requests.error.rate{service:{{args.service-name}}}","#,
            r#""b":"sum:requests.request.rate{service:{{args.service-name}}}"},"formula":"a / b","#,
            r#""apiVersion":"v2","aggregator":"avg","secretRef":{"name":"datadog-creds","namespaced":true}}},"#,
            r#""consecutiveSuccessLimit":3}"#
        )
    );
}

#[test]
fn analysis_run_status_serializes_byte_for_byte_like_go() {
    let go = fixture("analysisrun-failed.go.json");
    let go = go.trim_end();
    let run: AnalysisRun = serde_json::from_str(go).unwrap();

    // The status, compared byte for byte with what Go's json.Marshal writes.
    let go_value: Value = serde_json::from_str(go).unwrap();
    let status_start = go.find(r#","status":"#).unwrap() + r#","status":"#.len();
    let go_status = &go[status_start..go.len() - 1];
    assert_eq!(to_go_json(&run.status).unwrap(), go_status);
    assert_eq!(serde_json::to_value(&run.status).unwrap(), go_value["status"]);

    // Metrics without free-form JSON, byte for byte as well.
    let metrics_start = go.find(r#""metrics":["#).unwrap();
    let first = to_go_json(&run.spec.metrics[0]).unwrap();
    assert_eq!(&go[metrics_start + r#""metrics":["#.len()..][..first.len()], first);
    let web = to_go_json(&run.spec.metrics[2]).unwrap();
    assert!(go.contains(&web), "{web}");

    // The whole object, as JSON values (free-form JSON such as a Job spec has sorted keys
    // here, Go's struct order there).
    assert_eq!(serde_json::to_value(&run).unwrap(), go_value);
    assert!(to_go_json(&run).unwrap().starts_with(
        r#"{"kind":"AnalysisRun","apiVersion":"argoproj.io/v1alpha1","metadata":{"name":"guestbook-6c54544bd8-2-1","namespace":"default","uid":"4b5c1a36-7f1e-4d0e-9a55-0c0e2f3e6a11","resourceVersion":"918273","generation":7,"creationTimestamp":"2026-01-01T00:00:00Z","labels":"#
    ));

    // Typed values.
    let s = &run.status;
    assert_eq!(s.phase, Some(Phase::Failed));
    assert_eq!(s.started_at, Some(Time::parse_rfc3339("2026-01-01T00:00:05Z").unwrap()));
    assert_eq!(s.run_summary, RunSummary { count: 2, failed: 1, ..RunSummary::default() });
    assert_eq!(s.dry_run_summary, Some(RunSummary { count: 1, ..RunSummary::default() }));
    assert_eq!(s.metric_results[0].measurements.len(), 3);
    assert_eq!(s.metric_results[1].measurements[0].finished_at, None);
    assert!(s.metric_results[1].dry_run);
    assert_eq!(s.metric_results[2].consecutive_success, 1);
    assert_eq!(run.spec.ttl_strategy.as_ref().unwrap().seconds_after_failure, Some(86400));
    assert_eq!(run.spec.ttl_strategy.as_ref().unwrap().seconds_after_success, None);
    assert_eq!(run.metadata.extra["generation"], json!(7));
}

#[test]
fn empty_status_is_written_as_go_writes_it() {
    // A fresh run: Go writes `"phase":""` and `"runSummary":{}` (no omitempty / a struct).
    assert_eq!(to_go_json(&AnalysisRunStatus::default()).unwrap(), r#"{"phase":"","runSummary":{}}"#);
    let parsed: AnalysisRunStatus = serde_json::from_str(r#"{"phase":"","runSummary":{}}"#).unwrap();
    assert_eq!(parsed, AnalysisRunStatus::default());
    let parsed: AnalysisRunStatus = serde_json::from_str(r#"{}"#).unwrap();
    assert_eq!(parsed.phase, None);

    // Zero counters and empty maps are omitted; name and phase are not.
    let r = MetricResult { name: "m".into(), phase: Phase::Pending, ..MetricResult::default() };
    assert_eq!(to_go_json(&r).unwrap(), r#"{"name":"m","phase":"Pending"}"#);
    let m = Measurement { phase: Phase::Running, started_at: Some(Time::from_unix(0)), ..Measurement::default() };
    assert_eq!(to_go_json(&m).unwrap(), r#"{"phase":"Running","startedAt":"1970-01-01T00:00:00Z"}"#);
    let full = MetricResult {
        name: "m".into(),
        phase: Phase::Successful,
        count: 1,
        successful: 1,
        consecutive_success: 1,
        dry_run: true,
        metadata: BTreeMap::from([("b".to_owned(), "2".to_owned()), ("a".to_owned(), "1".to_owned())]).into(),
        ..MetricResult::default()
    };
    assert_eq!(
        to_go_json(&full).unwrap(),
        r#"{"name":"m","phase":"Successful","count":1,"successful":1,"dryRun":true,"metadata":{"a":"1","b":"2"},"consecutiveSuccess":1}"#
    );
}

#[test]
fn object_meta_is_written_in_go_order_with_null_creation_timestamp() {
    assert_eq!(to_go_json(&ObjectMeta::default()).unwrap(), r#"{"creationTimestamp":null}"#);
    let meta: ObjectMeta = serde_json::from_value(json!({
        "finalizers": ["x"], "zzz": 1, "generation": 2, "name": "n", "labels": {"a": "b"},
        "uid": "", "creationTimestamp": "2026-01-01T00:00:00.5+01:00"
    }))
    .unwrap();
    assert_eq!(meta.uid.as_deref(), Some(""));
    assert_eq!(
        to_go_json(&meta).unwrap(),
        r#"{"name":"n","generation":2,"creationTimestamp":"2025-12-31T23:00:00Z","labels":{"a":"b"},"finalizers":["x"],"zzz":1}"#
    );
}

#[test]
fn metric_provider_kinds_follow_argo_selection_order() {
    let p: MetricProvider = serde_json::from_value(json!({
        "web": {"url": "http://x"},
        "prometheus": {"query": "up"},
        "plugin": {"b/two": {}, "a/one": {"x": 1}},
        "skywalking": {},
        "newRelic": {"query": "q"},
        "promethus": {"query": "typo"}
    }))
    .unwrap();
    assert_eq!(p.kinds(), ["prometheus", "web", "newRelic", "skywalking", "plugin:a/one", "plugin:b/two", "promethus"]);
    assert_eq!(p.type_name(), Some("Prometheus"));
    assert_eq!(p.unknown.keys().collect::<Vec<_>>(), ["promethus"]);

    let none = MetricProvider::default();
    assert!(none.kinds().is_empty());
    assert_eq!(none.type_name(), None);

    // An empty plugin map selects the plugin provider (Go tests the map against nil) but
    // counts as no provider.
    let empty_plugin: MetricProvider = serde_json::from_value(json!({"plugin": {}})).unwrap();
    assert!(empty_plugin.kinds().is_empty());
    assert_eq!(empty_plugin.type_name(), Some("RPCPlugin"));

    for (key, ty) in [
        ("job", "Job"),
        ("kayenta", "Kayenta"),
        ("datadog", "Datadog"),
        ("wavefront", "Wavefront"),
        ("newRelic", "NewRelic"),
        ("cloudWatch", "CloudWatch"),
        ("graphite", "Graphite"),
        ("influxdb", "Influxdb"),
        ("skywalking", "skywalking"),
    ] {
        let body = if key == "job" { json!({"spec": {}}) } else { json!({}) };
        let p: MetricProvider = serde_json::from_value(json!({ key: body })).unwrap();
        assert_eq!(p.kinds(), [key]);
        assert_eq!(p.type_name(), Some(ty), "{key}");
    }
}

#[test]
fn metric_keeps_unknown_fields_and_serializes_them_back() {
    let m: Metric = serde_json::from_value(json!({
        "name": "m", "sucessCondition": "result > 1", "provider": {"prometheus": {"query": "up"}}
    }))
    .unwrap();
    assert_eq!(m.success_condition, "");
    assert_eq!(m.unknown_fields["sucessCondition"], json!("result > 1"));
    assert_eq!(serde_json::to_value(&m).unwrap()["sucessCondition"], json!("result > 1"));
}

#[test]
fn int_or_string_conversion_follows_argo() {
    let cases: [(IntOrString, i64); 17] = [
        (IntOrString::Int(3), 3),
        (IntOrString::Int(-1), -1),
        (IntOrString::Int(0), 0),
        ("3".into(), 3),
        ("-1".into(), -1),
        ("+7".into(), 7),
        ("007".into(), 7),
        ("abc".into(), 0),
        (" 3".into(), 0),
        ("3 ".into(), 0),
        ("3.5".into(), 0),
        ("".into(), 0),
        ("-".into(), 0),
        ("1_000".into(), 0),
        ("temp-for-secret".into(), 0),
        // Go's Atoi returns the clamped value together with its range error.
        ("99999999999999999999".into(), i64::MAX),
        ("-99999999999999999999".into(), i64::MIN),
    ];
    for (v, want) in cases {
        assert_eq!(v.value(), want, "{v:?}");
    }
    assert!(IntOrString::from("5").is_string());
    assert!(!IntOrString::from(5).is_string());
    assert_eq!(IntOrString::from("x").to_string(), "x");
    assert_eq!(IntOrString::Int(-4).to_string(), "-4");
}

#[test]
fn int_or_string_serde() {
    let de = |v: Value| serde_json::from_value::<IntOrString>(v);
    assert_eq!(de(json!(5)).unwrap(), IntOrString::Int(5));
    assert_eq!(de(json!("5")).unwrap(), IntOrString::String("5".into()));
    assert_eq!(de(json!(-2147483648i64)).unwrap(), IntOrString::Int(-2147483648));
    // kubectl turns YAML `2.0` into JSON `2`.
    assert_eq!(de(json!(2.0)).unwrap(), IntOrString::Int(2));
    assert_eq!(
        de(json!(1.5)).unwrap_err().to_string(),
        "invalid type: floating point `1.5`, expected an integer or a string"
    );
    assert!(de(json!(2147483648i64)).unwrap_err().to_string().contains("32-bit range"));
    assert_eq!(
        de(json!(true)).unwrap_err().to_string(),
        "invalid type: boolean `true`, expected an integer or a string"
    );
    assert_eq!(de(json!(null)).unwrap_err().to_string(), "invalid type: null, expected an integer or a string");
    // Written back in the form it was read.
    assert_eq!(serde_json::to_string(&IntOrString::Int(3)).unwrap(), "3");
    assert_eq!(serde_json::to_string(&IntOrString::String("3".into())).unwrap(), r#""3""#);
}

#[test]
fn time_formats_and_parses_like_metav1() {
    let t = Time::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
    assert_eq!(t.unix(), 1_767_225_600);
    assert_eq!(t.to_string(), "2026-01-01T00:00:00Z");
    assert_eq!(serde_json::to_string(&t).unwrap(), r#""2026-01-01T00:00:00Z""#);
    // Fractions are dropped, offsets converted to UTC.
    assert_eq!(Time::parse_rfc3339("2026-01-01T00:00:00.999999999Z").unwrap(), t);
    assert_eq!(Time::parse_rfc3339("2026-01-01T02:30:00+02:30").unwrap(), t);
    assert_eq!(Time::parse_rfc3339("2025-12-31T19:00:00-05:00").unwrap(), t);
    assert_eq!(Time::from_unix(0).to_string(), "1970-01-01T00:00:00Z");
    assert_eq!(Time::from_unix(-1).to_string(), "1969-12-31T23:59:59Z");
    assert_eq!(Time::parse_rfc3339("1969-12-31T23:59:59.5Z").unwrap(), Time::from_unix(-1));
    assert_eq!(Time::from_unix(253_402_300_799).to_string(), "9999-12-31T23:59:59Z");

    // Go's errors.
    assert_eq!(
        Time::parse_rfc3339("2026-01-01").unwrap_err(),
        r#"parsing time "2026-01-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T""#
    );
    assert!(Time::parse_rfc3339("2026-01-01 00:00:00Z").is_err());
    assert!(serde_json::from_str::<Time>("1767225600").is_err());

    // SystemTime conversions truncate to whole seconds.
    let st = UNIX_EPOCH + Duration::new(1_767_225_600, 999_000_000);
    assert_eq!(Time::from_system(st), t);
    assert_eq!(t.to_system(), UNIX_EPOCH + Duration::from_secs(1_767_225_600));
    assert_eq!(Time::from_system(UNIX_EPOCH - Duration::from_millis(500)), Time::from_unix(-1));
    assert_eq!(Time::from_system(UNIX_EPOCH - Duration::from_secs(2)), Time::from_unix(-2));
    assert_eq!(Time::from_unix(-2).to_system(), UNIX_EPOCH - Duration::from_secs(2));
    assert!(Time::from_unix(1) > Time::from_unix(0));
}

#[test]
fn time_is_a_niche_so_optional_times_are_eight_bytes_and_ordering_is_by_seconds() {
    assert_eq!(std::mem::size_of::<Option<Time>>(), 8);
    let secs = [i64::MIN + 1, -2, -1, 0, 1, 1_767_225_600, i64::MAX];
    for pair in secs.windows(2) {
        assert!(Time::from_unix(pair[0]) < Time::from_unix(pair[1]), "{pair:?}");
    }
    for s in secs {
        assert_eq!(Time::from_unix(s).unix(), s);
    }
    // The one unrepresentable second is clamped, never a panic.
    assert_eq!(Time::from_unix(i64::MIN).unix(), i64::MIN + 1);
    assert_eq!(Time::default(), Time::from_unix(0));
}
