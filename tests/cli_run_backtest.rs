//! `augur run` and `augur backtest` end to end, against a real Prometheus (Debian's
//! package) on 127.0.0.1 loaded with known series.

#[path = "../providers/tests/support/prometheus_server.rs"]
mod prometheus_server;
mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use prometheus_server::{PrometheusServer, T0, temp_dir};
use support::{augur, replay, write};

/// `augur_error_rate{service="payments"}`: 0.01 for the first 30 minutes after T0, then 0.2.
fn release_series() -> String {
    let mut om = String::from("# TYPE augur_error_rate gauge\n");
    for i in 0..240 {
        let v = if i < 120 { "0.01" } else { "0.2" };
        om.push_str(&format!("augur_error_rate{{service=\"payments\"}} {v} {}\n", T0 + i * 15));
    }
    om.push_str(&prometheus_server::standard_series());
    om
}

const LIVE: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: live
spec:
  args:
  - name: prometheus
  - name: count
    value: "2"
  - name: token
    valueFrom:
      secretKeyRef: {name: prom-auth, key: token}
  dryRun:
  - metricName: leaky
  metrics:
  - name: up
    interval: 1s
    count: "{{args.count}}"
    successCondition: result[0] >= 1
    provider:
      prometheus:
        address: "{{args.prometheus}}"
        query: vector(1)
        headers:
        - key: Authorization
          value: "Bearer {{args.token}}"
  - name: leaky
    count: 1
    consecutiveErrorLimit: 0
    successCondition: "true"
    provider:
      prometheus:
        address: "{{args.prometheus}}"
        query: 'rate(x{token="{{args.token}}"}'
"#;

const SECRETS: &str = r#"
apiVersion: v1
kind: Secret
metadata:
  name: prom-auth
data:
  token: c3VwZXItc2VjcmV0LXRva2Vu
"#;

#[test]
fn run_records_what_replay_reproduces_and_never_shows_a_secret() {
    let Some(prom) = PrometheusServer::start(&release_series()) else { return };
    let dir = temp_dir("cli-run");
    let template = write(dir.path(), "live.yaml", LIVE);
    let secrets = write(dir.path(), "secrets.yaml", SECRETS);
    let data = dir.path().join("recorded.yaml");
    let out = augur()
        .arg("run")
        .arg(&template)
        .args(["--arg", &format!("prometheus={}", prom.address), "--secrets"])
        .arg(&secrets)
        .arg("--record")
        .arg(&data)
        .args(["--output", "json"])
        .output()
        .expect("run augur");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // `leaky` (dry-run) fails with a PromQL syntax error whose text quotes the query.
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let status: serde_json::Value = serde_json::from_str(&stdout).expect("status JSON");
    assert_eq!(status["phase"], "Successful");
    assert_eq!(status["dryRunSummary"]["error"], 1);
    let results = status["metricResults"].as_array().expect("results");
    assert_eq!(results[0]["name"], "up");
    assert_eq!(results[0]["phase"], "Successful");
    assert_eq!(results[0]["count"], 2);
    assert_eq!(results[0]["measurements"][0]["value"], "[1]");
    assert_eq!(results[0]["metadata"]["ResolvedPrometheusQuery"], "vector(1)");
    let leaky = results[1]["measurements"][0]["message"].as_str().expect("message");
    assert!(leaky.contains("*****"), "{leaky}");
    let recorded = std::fs::read_to_string(&data).expect("recorded data");
    for text in [&*stdout, &*stderr, &recorded] {
        assert!(!text.contains("super-secret-token"), "the secret leaked: {text}");
    }
    assert!(recorded.contains("resultType: number_list"), "{recorded}");

    // The recording replays to the same decision, offline.
    let replayed = replay(&template, &data, &["--arg", "prometheus=http://unused", "--output", "json"]);
    assert_eq!(replayed.status.code(), Some(0));
    let again: serde_json::Value = serde_json::from_slice(&replayed.stdout).expect("status JSON");
    assert_eq!(again["phase"], status["phase"]);
    assert_eq!(again["metricResults"][0]["measurements"][1]["value"], "[1]");
}

#[test]
fn ctrl_c_terminates_the_run_as_argo_terminate_does() {
    let Some(prom) = PrometheusServer::start(&release_series()) else { return };
    let dir = temp_dir("cli-ctrl-c");
    let template = write(dir.path(), "live.yaml", LIVE);
    let secrets = write(dir.path(), "secrets.yaml", SECRETS);
    let mut child = augur()
        .arg("run")
        .arg(&template)
        .args(["--arg", &format!("prometheus={}", prom.address), "--arg", "count=100", "--secrets"])
        .arg(&secrets)
        .args(["--output", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start augur run");
    std::thread::sleep(Duration::from_millis(2500));
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let started = Instant::now();
    let mut status = None;
    for _ in 0..200 {
        if let Some(s) = child.try_wait().expect("wait") {
            status = Some(s);
            break;
        }
        if started.elapsed() > Duration::from_secs(20) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("augur run did not stop after Ctrl-C");
    };
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("interrupted: terminating the run"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    let up = &json["metricResults"][0];
    assert!(up["count"].as_i64().is_some_and(|c| (1..100).contains(&c)), "{json}");
    // The run ended because of the terminate, not the count; it still reports a phase.
    assert!(json["phase"].is_string(), "{json}");
    assert!(status.code().is_some());
}

const ERROR_RATE: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: error-rate
spec:
  args:
  - name: prometheus
  - name: service-name
  metrics:
  - name: error-rate
    initialDelay: 5m
    interval: 5m
    count: 8
    successCondition: result[0] < 0.05
    provider:
      prometheus:
        address: "{{args.prometheus}}"
        query: augur_error_rate{service="{{args.service-name}}"}
"#;

#[test]
fn backtest_replays_history_on_the_templates_schedule() {
    let Some(prom) = PrometheusServer::start(&release_series()) else { return };
    let dir = temp_dir("cli-backtest");
    let template = write(dir.path(), "error-rate.yaml", ERROR_RATE);
    let backtest = |from: &str, to: &str| {
        augur()
            .arg("backtest")
            .arg(&template)
            .args(["--from", from, "--to", to, "--output", "json"])
            .args(["--arg", &format!("prometheus={}", prom.address), "--arg", "service-name=payments"])
            .output()
            .expect("run augur backtest")
    };
    // From T0: measurements at +5m (initialDelay), +10m, ..., the error rate climbs at +30m.
    let out = backtest("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    let m = &json["metricResults"][0];
    assert_eq!(m["phase"], "Failed");
    assert_eq!((m["successful"].as_i64(), m["failed"].as_i64()), (Some(5), Some(1)));
    let times: Vec<&str> =
        m["measurements"].as_array().expect("list").iter().filter_map(|x| x["startedAt"].as_str()).collect();
    assert_eq!(times.first().copied(), Some("2026-01-01T00:05:00Z"));
    assert_eq!(times.last().copied(), Some("2026-01-01T00:30:00Z"));

    // Before the series exists Prometheus has no data: Error measurements, retried every
    // 10 s of virtual time, until consecutiveErrorLimit.
    let out = backtest("2025-12-31T23:50:00Z", "2026-01-01T01:00:00Z");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("no data returned from the metric provider"), "{stdout}");

    // A window that ends first: exit 5, like data running out in a replay.
    let out = backtest("2026-01-01T00:00:00Z", "2026-01-01T00:12:00Z");
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the window ended"));
}

#[test]
fn backtest_refuses_providers_without_history() {
    let dir = temp_dir("cli-backtest-web");
    let template = write(
        dir.path(),
        "web.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: w}\nspec:\n  metrics:\n  - name: health\n    provider:\n      web:\n        url: http://127.0.0.1:9/health\n",
    );
    let out = augur()
        .arg("backtest")
        .arg(&template)
        .args(["--from", "2026-01-01T00:00:00Z", "--to", "2026-01-01T01:00:00Z"])
        .output()
        .expect("run augur backtest");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("metric \"health\" uses the Web provider, which cannot be asked about the past"),
        "{stderr}"
    );
}

const LOCAL_JOB: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: smoke}
spec:
  args:
  - name: exit-code
  metrics:
  - name: smoke-tests
    provider:
      job:
        spec:
          activeDeadlineSeconds: 20
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: test
                image: alpine
                command: [sh, -c]
                args: ["echo testing $(SERVICE); exit {{args.exit-code}}"]
                env:
                - {name: SERVICE, value: payments}
"#;

#[test]
fn local_jobs_run_the_containers_command_and_replay_from_the_recording() {
    let dir = temp_dir("cli-local-job");
    let template = write(dir.path(), "job.yaml", LOCAL_JOB);
    let data = dir.path().join("recorded.yaml");
    let run = |code: &str| {
        augur()
            .arg("run")
            .arg(&template)
            .args(["--local-jobs", "--output", "json", "--arg", &format!("exit-code={code}"), "--record"])
            .arg(&data)
            .output()
            .expect("run augur")
    };
    let out = run("0");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    let m = &json["metricResults"][0]["measurements"][0];
    assert_eq!(m["metadata"]["stdout"], "testing payments\n");
    assert_eq!(m["metadata"]["exit-code"], "0");

    let out = run("3");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let replayed = replay(&template, &data, &["--arg", "exit-code=3"]);
    assert_eq!(replayed.status.code(), Some(1), "{}", String::from_utf8_lossy(&replayed.stdout));
}
