//! Loading analysis objects from YAML: dispatch, source maps, YAML resolution, error locations.

use augur_analysis_core::Phase;
use augur_analysis_core::spec::{
    AnalysisRun, AnalysisTemplate, Document, IntOrString, LoadError, Located, ValueStyle, join_key, load_documents,
    load_yaml, parent_path,
};
use serde_json::json;

fn err(yaml: &str) -> LoadError {
    match load_documents("t.yaml", yaml) {
        Ok(docs) => panic!("expected an error, loaded {docs:#?}"),
        Err(e) => e,
    }
}

#[track_caller]
fn assert_err(yaml: &str, line: usize, column: usize, message: &str) {
    let e = err(yaml);
    assert_eq!((e.line, e.column, e.message.as_str()), (line, column, message), "{e}");
    assert_eq!(e.to_string(), format!("t.yaml:{line}:{column}: {message}"));
}

fn template(yaml: &str) -> Located<AnalysisTemplate> {
    let docs = load_documents("t.yaml", yaml).unwrap_or_else(|e| panic!("{e}"));
    match docs.into_iter().next() {
        Some(Document::AnalysisTemplate(t)) => t,
        other => panic!("expected an AnalysisTemplate, got {other:?}"),
    }
}

fn run(yaml: &str) -> Located<AnalysisRun> {
    let docs = load_documents("t.yaml", yaml).unwrap_or_else(|e| panic!("{e}"));
    match docs.into_iter().next() {
        Some(Document::AnalysisRun(t)) => t,
        other => panic!("expected an AnalysisRun, got {other:?}"),
    }
}

const HEAD: &str = "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: t\n";

#[test]
fn multi_document_stream_dispatches_on_kind() {
    let yaml = r#"# leading comment
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: a
spec:
  metrics:
  - name: m
    provider:
      prometheus:
        query: up
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: guestbook
spec:
  replicas: 5
  strategy:
    canary:
      steps:
      - setWeight: 20
      - analysis:
          templates:
          - templateName: a
---
# an empty document
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterAnalysisTemplate
metadata:
  name: c
spec:
  metrics:
  - name: m
    provider:
      web:
        url: http://x
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata:
  name: r
spec:
  metrics: []
---
apiVersion: v1
kind: ConfigMap
data:
  key: value
---
just: a mapping without kind
...
"#;
    let docs = load_documents("stream.yaml", yaml).unwrap();
    let kinds: Vec<(&str, usize)> = docs.iter().map(|d| (d.kind(), d.index())).collect();
    assert_eq!(
        kinds,
        [
            ("AnalysisTemplate", 0),
            ("Rollout", 1),
            ("ClusterAnalysisTemplate", 3),
            ("AnalysisRun", 4),
            ("ConfigMap", 5),
            ("", 6)
        ]
    );
    let Document::AnalysisTemplate(t) = &docs[0] else { panic!() };
    assert_eq!(t.origin, "stream.yaml");
    assert_eq!(t.value.spec.metrics[0].provider.prometheus.as_ref().unwrap().query, "up");
    assert_eq!(t.source_map.locate("spec.metrics[0].provider.prometheus.query"), Some((11, 9)));
    let Document::Other { kind, api_version, index, value } = &docs[1] else { panic!() };
    assert_eq!((kind.as_str(), api_version.as_str(), *index), ("Rollout", "argoproj.io/v1alpha1", 1));
    assert_eq!(value["spec"]["replicas"], json!(5));
    assert_eq!(value["spec"]["strategy"]["canary"]["steps"][1]["analysis"]["templates"][0]["templateName"], json!("a"));
    let Document::ClusterAnalysisTemplate(c) = &docs[2] else { panic!() };
    assert_eq!(c.value.metadata.name.as_deref(), Some("c"));
    // Lines count from the start of the stream.
    assert_eq!(c.source_map.locate("spec.metrics[0].provider.web.url"), Some((38, 9)));
    let Document::AnalysisRun(r) = &docs[3] else { panic!() };
    assert!(r.value.spec.metrics.is_empty());
    assert_eq!(r.value.status.phase, None);
    let Document::Other { value, .. } = &docs[5] else { panic!() };
    assert_eq!(value, &json!({"just": "a mapping without kind"}));

    assert!(load_documents("empty.yaml", "").unwrap().is_empty());
    assert!(load_documents("empty.yaml", "# nothing\n---\n---\n").unwrap().is_empty());
}

#[test]
fn source_map_locates_keys_and_values() {
    let t = template(&format!(
        r#"{HEAD}  labels:
    app.kubernetes.io/name: guestbook
spec:
  metrics:
  - name: first
    provider: {{prometheus: {{query: up}}}}
  - name: second
    successCondition: result[0] >= 0.95
    failureCondition: "result[0] < 0.9"
    provider:
      prometheus:
        query: |
          sum(rate(x[5m]))
"#
    ));
    let sm = &t.source_map;
    assert_eq!(sm.locate(""), Some((1, 1)));
    assert_eq!(sm.locate("spec.metrics[1]"), Some((11, 5)));
    assert_eq!(sm.locate("spec.metrics[1].successCondition"), Some((12, 5)));
    assert_eq!(sm.locate_value("spec.metrics[1].successCondition"), Some((12, 23)));
    assert_eq!(sm.value_style("spec.metrics[1].successCondition"), Some(ValueStyle::Plain));
    // Quoted: the text starts after the quote.
    assert_eq!(sm.locate_value("spec.metrics[1].failureCondition"), Some((13, 24)));
    assert_eq!(sm.value_style("spec.metrics[1].failureCondition"), Some(ValueStyle::DoubleQuoted));
    // Block scalar: its first content line.
    assert_eq!(sm.locate("spec.metrics[1].provider.prometheus.query"), Some((16, 9)));
    assert_eq!(sm.locate_value("spec.metrics[1].provider.prometheus.query"), Some((17, 11)));
    assert_eq!(sm.value_style("spec.metrics[1].provider.prometheus.query"), Some(ValueStyle::Literal));
    // Flow mappings.
    assert_eq!(sm.locate("spec.metrics[0].provider.prometheus.query"), Some((10, 29)));
    assert_eq!(sm.locate_value("spec.metrics[0].provider"), Some((10, 15)));
    assert_eq!(sm.value_style("spec.metrics[0].provider"), Some(ValueStyle::Mapping));
    // Keys with dots are bracketed.
    assert_eq!(join_key("metadata.labels", "app.kubernetes.io/name"), r#"metadata.labels["app.kubernetes.io/name"]"#);
    assert_eq!(sm.locate(r#"metadata.labels["app.kubernetes.io/name"]"#), Some((6, 5)));
    // Absent paths fall back to the nearest ancestor.
    assert_eq!(sm.locate("spec.metrics[1].count"), None);
    assert_eq!(sm.locate_or_parent("spec.metrics[1].count"), Some((11, 5)));
    assert_eq!(sm.locate_or_parent("spec.metrics[7].provider"), Some((8, 3)));
    assert_eq!(sm.locate_or_parent(r#"metadata.annotations["a.b"]"#), Some((3, 1)));
    assert_eq!(sm.locate_value_or_parent("spec.dryRun"), Some((7, 1)));
    assert_eq!(t.error_at("spec.metrics[1].interval", "boom").to_string(), "t.yaml:11:5: boom");

    assert_eq!(parent_path("a.b[2].c"), Some("a.b[2]"));
    assert_eq!(parent_path("a.b[2]"), Some("a.b"));
    assert_eq!(parent_path(r#"a["x.y]z"].c"#), Some(r#"a["x.y]z"]"#));
    assert_eq!(parent_path(r#"a["x.y]z"]"#), Some("a"));
    assert_eq!(parent_path("a"), Some(""));
    assert_eq!(parent_path(""), None);
}

#[test]
fn error_locations() {
    // 1. A count of 1.5.
    assert_err(
        &format!("{HEAD}spec:\n  metrics:\n  - name: m\n    count: 1.5\n    provider: {{web: {{url: x}}}}\n"),
        8,
        12,
        "spec.metrics[0].count: invalid type: floating point `1.5`, expected an integer or a string",
    );
    // 2. Malformed YAML: an unclosed flow sequence.
    assert_err(
        &format!("{HEAD}spec:\n  metrics: [\n  - name: m\n"),
        7,
        3,
        r#"YAML syntax error: "-" is only valid inside a block"#,
    );
    // 3. A list where a string is expected.
    assert_err(
        &format!("{HEAD}spec:\n  metrics:\n  - name: m\n    successCondition: [result > 1]\n    provider: {{}}\n"),
        8,
        23,
        "spec.metrics[0].successCondition: invalid type: sequence, expected a string",
    );
    // 4. A limit beyond Go's int32.
    assert_err(
        &format!("{HEAD}spec:\n  measurementRetention:\n  - metricName: m\n    limit: 3000000000\n"),
        8,
        12,
        "spec.measurementRetention[0].limit: invalid value: integer `3000000000`, expected i32",
    );
    // 5. A metric without a provider: reported at the metric.
    assert_err(
        &format!(
            "{HEAD}spec:\n  metrics:\n  - name: ok\n    provider: {{job: {{spec: {{}}}}}}\n  - name: broken\n    interval: 5m\n"
        ),
        9,
        5,
        "spec.metrics[1]: missing field `provider`",
    );
    // 6. A wrong apiVersion.
    assert_err(
        "kind: AnalysisRun\napiVersion: argoproj.io/v1beta1\nspec: {metrics: []}\n",
        2,
        13,
        r#"apiVersion: unsupported apiVersion "argoproj.io/v1beta1" for kind AnalysisRun, expected "argoproj.io/v1alpha1""#,
    );
    assert_err(
        "kind: AnalysisTemplate\nspec: {}\n",
        1,
        7,
        r#"apiVersion: missing; kind AnalysisTemplate requires apiVersion "argoproj.io/v1alpha1""#,
    );
    // 7. An unquoted number where a string is expected (the API server rejects it too).
    assert_err(
        &format!("{HEAD}spec:\n  args:\n  - name: replicas\n    value: 3\n"),
        8,
        12,
        "spec.args[0].value: invalid type: integer `3`, expected a string",
    );
    // 8. An unknown phase.
    assert_err(
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisRun\nspec:\n  metrics: []\nstatus:\n  metricResults:\n  - name: m\n    phase: Done\n",
        8,
        12,
        "status.metricResults[0].phase: unknown variant `Done`, expected one of `Pending`, `Running`, `Successful`, `Failed`, `Error`, `Inconclusive`",
    );
    // 9. A bad timestamp.
    assert_err(
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisRun\nspec:\n  metrics: []\nstatus:\n  startedAt: yesterday\n",
        6,
        14,
        r#"status.startedAt: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006""#,
    );
    // 10. A duplicate key, reported at the second occurrence.
    assert_err(
        &format!("{HEAD}spec:\n  metrics:\n  - name: m\n    interval: 1m\n    interval: 2m\n"),
        9,
        5,
        "duplicate key `interval` (first defined at line 8)",
    );
    // 11. An error in a later document: lines count from the start of the stream.
    assert_err(
        &format!("kind: ConfigMap\n---\n{HEAD}spec:\n  dryRun:\n  - metricName: 5\n"),
        9,
        17,
        "spec.dryRun[0].metricName: invalid type: integer `5`, expected a string",
    );
    // 12. Something that is not a boolean.
    assert_err(
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisRun\nspec:\n  metrics: []\n  terminate: maybe\n",
        5,
        14,
        r#"spec.terminate: invalid type: string "maybe", expected a boolean"#,
    );
    // 13. A quoted boolean is a string.
    assert_err(
        &format!(
            "{HEAD}spec:\n  metrics:\n  - name: m\n    provider:\n      prometheus:\n        insecure: \"true\"\n"
        ),
        10,
        19,
        r#"spec.metrics[0].provider.prometheus.insecure: invalid type: string "true", expected a boolean"#,
    );
    // 14. A document that is not a mapping.
    assert_err("- a\n- b\n", 1, 1, "document 0 is a sequence, expected a Kubernetes object (a mapping)");
    // 15. A bad indentation.
    assert_err(
        &format!("{HEAD}spec:\n  metrics:\n  - name: m\n     provider: {{}}\n"),
        8,
        14,
        "YAML syntax error: mapping values are not allowed in this context",
    );
    // 16. A negative TTL beyond int32, nested in an Option.
    assert_err(
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisRun\nspec:\n  metrics: []\n  ttlStrategy:\n    secondsAfterSuccess: -9999999999\n",
        6,
        26,
        "spec.ttlStrategy.secondsAfterSuccess: invalid value: integer `-9999999999`, expected i32",
    );
    // 17. A missing spec.
    assert_err(HEAD, 1, 1, "missing field `spec`");
    // 18. kind is not a string.
    assert_err("kind: [a]\n", 1, 7, "kind: expected a string");
    // 19. An alias to an unknown anchor.
    let e = err(&format!("{HEAD}spec: *nope\n"));
    assert_eq!((e.line, e.column), (5, 7), "{e}");
}

#[test]
fn yaml_resolution_follows_kubectl() {
    let r = run(r#"apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata:
  name: r
  annotations:
    note: yes
spec:
  terminate: yes
  args:
  - name: a
    value: "3"
  - name: b
    value: on
  - name: c
    value:
  - name: d
    value: !!str 12
  measurementRetention:
  - metricName: m
    limit: 08
  - metricName: n
    limit: 2.0e1
  metrics:
  - name: m
    count: 0x10
    failureLimit: 1_0
    inconclusiveLimit: "010"
    consecutiveErrorLimit: 010
    consecutiveSuccessLimit: 2.0
    successCondition: ~
    provider:
      web:
        url: http://x
        insecure: on
        jsonBody: {a: yes, b: 1.5e3, c: 0o17, d: ~, e: .inf, f: "1", g: [true, False, 1_000], h: 0.5, i: 1.0}
      prometheus:
status:
  phase: Running
  runSummary: {}
"#);
    let v = &r.value;
    assert!(v.spec.terminate);
    assert_eq!(v.metadata.annotations["note"], "yes");
    assert_eq!(v.spec.args[0].value.as_deref(), Some("3"));
    assert_eq!(v.spec.args[1].value.as_deref(), Some("on"));
    assert_eq!(v.spec.args[2].value, None);
    assert_eq!(v.spec.args[3].value.as_deref(), Some("12"));
    let m = &v.spec.metrics[0];
    assert_eq!(m.count, Some(IntOrString::Int(16)));
    // `08` is not octal, so go-yaml reads the float 8, which kubectl writes as the integer 8.
    assert_eq!(v.spec.measurement_retention[0].limit, 8);
    assert_eq!(v.spec.measurement_retention[1].limit, 20);
    assert_eq!(m.failure_limit, Some(IntOrString::Int(10)));
    assert_eq!(m.inconclusive_limit, Some(IntOrString::String("010".into())));
    assert_eq!(m.consecutive_error_limit, Some(IntOrString::Int(8)));
    assert_eq!(m.consecutive_success_limit, Some(IntOrString::Int(2)));
    assert_eq!(m.success_condition, "");
    let web = m.provider.web.as_ref().unwrap();
    assert!(web.insecure);
    assert_eq!(
        web.json_body.as_ref().unwrap(),
        &json!({"a": "yes", "b": 1500, "c": 15, "d": null, "e": null, "f": "1", "g": [true, false, 1000], "h": 0.5, "i": 1})
    );
    // `prometheus:` with no value is absent, as after the API server's null pruning.
    assert!(m.provider.prometheus.is_none());
    assert_eq!(m.provider.kinds(), ["web"]);
    assert_eq!(v.status.phase, Some(Phase::Running));
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let t = template(&format!(
        r#"{HEAD}spec:
  metrics:
  - &base
    name: a
    interval: 1m
    failureLimit: 2
    provider: &prom
      prometheus:
        query: up
  - <<: *base
    name: b
    successCondition: result[0] > 1
  - name: c
    provider: *prom
"#
    ));
    let m = &t.value.spec.metrics;
    assert_eq!(m[1].name, "b");
    assert_eq!(m[1].interval, "1m");
    assert_eq!(m[1].failure_limit, Some(IntOrString::Int(2)));
    assert_eq!(m[1].success_condition, "result[0] > 1");
    assert_eq!(m[2].provider, m[0].provider);
    // Merged keys point at their definition.
    assert_eq!(t.source_map.locate("spec.metrics[1].interval"), Some((9, 5)));
    assert_eq!(t.source_map.locate("spec.metrics[1].name"), Some((15, 5)));

    let e = err(&format!("{HEAD}spec: &a\n  x: *a\n"));
    assert_eq!((e.line, e.column), (6, 6), "{e}");
}

#[test]
fn unknown_fields_are_kept_for_lint_with_locations() {
    let t = template(&format!(
        "{HEAD}  creationTimestamp: 2026-01-01T00:00:00Z\nspec:\n  metric: []\n  metrics:\n  - name: m\n    sucessCondition: result > 1\n    provider:\n      prometheus: {{query: up}}\n      promethues: {{query: up}}\n"
    ));
    let v = &t.value;
    assert_eq!(v.metadata.creation_timestamp.map(|t| t.unix()), Some(1_767_225_600));
    assert_eq!(v.spec.unknown_fields.keys().collect::<Vec<_>>(), ["metric"]);
    assert_eq!(t.source_map.locate("spec.metric"), Some((7, 3)));
    let m = &v.spec.metrics[0];
    assert_eq!(m.unknown_fields["sucessCondition"], json!("result > 1"));
    assert_eq!(t.source_map.locate("spec.metrics[0].sucessCondition"), Some((10, 5)));
    assert_eq!(m.provider.unknown.keys().collect::<Vec<_>>(), ["promethues"]);
    assert_eq!(m.provider.kinds(), ["prometheus", "promethues"]);
}

#[test]
fn raw_documents_deserialize_any_type_with_locations() {
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Rollout {
        spec: RolloutSpec,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct RolloutSpec {
        replicas: i32,
    }
    let docs = load_yaml("r.yaml", "kind: Rollout\nspec:\n  replicas: five\n").unwrap();
    assert_eq!(docs[0].top_level_str("kind"), Some("Rollout"));
    let e = docs[0].deserialize::<Rollout>().unwrap_err();
    assert_eq!(e.to_string(), r#"r.yaml:3:13: spec.replicas: invalid type: string "five", expected i32"#);
    let replicas = docs[0].deserialize_at::<String>("spec.replicas").unwrap().unwrap();
    assert_eq!(replicas, "five");
    assert!(docs[0].deserialize_at::<String>("spec.nope").is_none());
}

#[test]
fn hostile_yaml_is_an_error_not_a_hang() {
    // Exponential alias expansion.
    let mut y = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        y.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    let e = err(&y);
    assert!(e.message.contains("more than 1000000 nodes"), "{e}");
    // Deep nesting.
    let deep = format!("kind: X\nv: {}{}\n", "[".repeat(200), "]".repeat(200));
    let e = err(&deep);
    assert!(e.message.contains("nesting"), "{e}");
    // Non-scalar keys.
    let e = err("? [a]\n: b\n");
    assert_eq!((e.line, e.column, e.message.as_str()), (1, 3, "unsupported mapping key: keys must be scalars"));
}
