//! `augur replay` and `augur lint` through the binary, on the shipped examples.

mod support;

use support::{augur, scratch, write};

const TEMPLATE: &str = "examples/analysis/success-rate.yaml";

fn replay(data: &str, extra: &[&str]) -> std::process::Output {
    augur()
        .args(["replay", TEMPLATE, "--data", data, "--arg", "service-name=payments", "--start", "2026-11-26T10:00:00Z"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn healthy_release_is_successful() {
    let out = replay("examples/analysis/healthy.data.yaml", &[]);
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("success-rate  Successful  3/3"), "{table}");
    assert!(table.contains("run: Successful  (2m0s of virtual time)"), "{table}");
}

#[test]
fn degrading_release_fails_with_argo_message() {
    let out = replay("examples/analysis/degrading.data.yaml", &["--output", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["phase"], "Failed");
    assert_eq!(status["message"], "Metric \"p99-latency\" assessed Failed due to failed (1) > failureLimit (0)");
    assert_eq!(status["runSummary"], serde_json::json!({"count": 2, "successful": 1, "failed": 1}));
    let rate = &status["metricResults"][0];
    assert_eq!(rate["name"], "success-rate");
    assert_eq!(rate["metadata"]["ResolvedPrometheusQuery"].as_str().map(|q| q.contains("payments")), Some(true));
}

#[test]
fn junit_has_one_case_per_metric() {
    let out = replay("examples/analysis/degrading.data.yaml", &["--output", "junit"]);
    let xml = String::from_utf8_lossy(&out.stdout);
    assert_eq!(xml.matches("<testcase ").count(), 2, "{xml}");
    assert!(xml.contains(r#"<failure message="Failed: failed (1) &gt; failureLimit (0)""#), "{xml}");
}

#[test]
fn data_running_out_exits_5() {
    let dir = scratch();
    let data = write(
        dir.path(),
        "short.yaml",
        "metrics:\n  success-rate:\n    measurements:\n    - value: [0.99]\n  p99-latency:\n    measurements:\n    - value: 0.1\n",
    );
    let out = replay(data.to_str().unwrap(), &[]);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ran out"));
}

#[test]
fn input_errors_exit_2() {
    // A template argument without a value.
    let out = augur().args(["replay", TEMPLATE, "--data", "examples/analysis/healthy.data.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("args.service-name was not resolved"));
    // Bad data.
    let dir = scratch();
    let data =
        write(dir.path(), "bad.yaml", "metrics:\n  success-rate:\n    measurements:\n    - value: 1\n      error: x\n");
    let out = replay(data.to_str().unwrap(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exactly one of value, error or phase"));
}

#[test]
fn lint_reports_every_problem_with_locations() {
    let dir = scratch();
    let file = write(
        dir.path(),
        "t.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: t\nspec:\n  dryRun:\n  - metricName: '*'\n  metrics:\n  - name: a\n    count: -1\n    interval: 5x\n    successCondition: result >\n    provider:\n      prometheus:\n        query: q\n  - name: a\n    provider:\n      web:\n        url: http://x\n",
    );
    let out = augur().args(["lint", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let path = file.to_str().unwrap();
    for needle in [
        format!("{path}:7:5: error: spec.dryRun[0].metricName: dryRun[0]: Rule didn't match any metric name(s)"),
        format!(
            "{path}:11:5: error: spec.metrics[0].interval: metrics[0]: invalid interval string: time: unknown unit \"x\" in duration \"5x\""
        ),
        format!("{path}:12:30: error: spec.metrics[0].successCondition: unexpected token EOF"),
        format!("{path}:16:5: error: spec.metrics[1].name: metrics[1]: duplicate name 'a'"),
    ] {
        assert!(text.contains(&needle), "missing {needle:?} in\n{text}");
    }
    // The examples lint clean.
    let out = augur().args(["lint", TEMPLATE]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    // Usage errors.
    assert_eq!(augur().args(["lint"]).output().unwrap().status.code(), Some(2));
    assert_eq!(augur().args(["lint", "/nonexistent.yaml"]).output().unwrap().status.code(), Some(2));
}

#[test]
fn malformed_yaml_is_located() {
    let dir = scratch();
    let file = write(
        dir.path(),
        "m.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: t\nspec:\n  metrics:\n  - name: a\n    count: 1.5\n    provider:\n      web: {url: x}\n",
    );
    let out = augur().args(["lint", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(":8:") && text.contains("count"), "{text}");
}
