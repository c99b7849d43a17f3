//! `augur run` with the web and Datadog providers against HTTP servers on 127.0.0.1 (the
//! Datadog one a fake of its API), recording what `augur replay` then reproduces offline;
//! neither the bearer token nor the Datadog keys show anywhere.

#[path = "../providers/tests/support/http_server.rs"]
mod http_server;
mod support;

use http_server::{Reply, TestServer};
use support::{augur, replay, scratch, write};

const TEMPLATE: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: saas
spec:
  args:
  - name: base
  - name: token
    valueFrom:
      secretKeyRef: {name: web-auth, key: token}
  metrics:
  - name: health
    successCondition: result.ok == true && result.latency < 0.5
    provider:
      web:
        url: "{{args.base}}/health"
        headers:
        - key: Authorization
          value: "Bearer {{args.token}}"
  - name: status
    successCondition: result == "green"
    provider:
      web:
        url: "{{args.base}}/health"
        jsonPath: "{$.status}"
        headers:
        - key: Authorization
          value: "Bearer {{args.token}}"
  - name: errors
    successCondition: result < 0.05
    provider:
      datadog:
        apiVersion: v2
        query: "sum:errors{service:payments}.as_count()"
        secretRef: {name: dd, namespaced: true}
"#;

const SECRETS: &str = r#"
apiVersion: v1
kind: Secret
metadata:
  name: web-auth
stringData:
  token: web-t0ken-s3cret
---
apiVersion: v1
kind: Secret
metadata:
  name: dd
stringData:
  api-key: dd-api-k3y-s3cret
  app-key: dd-app-k3y-s3cret
  address: ADDRESS
"#;

#[test]
fn run_web_and_datadog_then_replay_the_recording() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(TestServer::start(|req| match (req.method.as_str(), req.path()) {
        ("GET", "/health") if req.header("authorization") == Some("Bearer web-t0ken-s3cret") => {
            Reply::json(200, r#"{"ok": true, "latency": 0.12, "status": "green"}"#)
        }
        ("POST", "/api/v2/query/scalar")
            if req.header("dd-api-key") == Some("dd-api-k3y-s3cret")
                && req.header("dd-application-key") == Some("dd-app-k3y-s3cret") =>
        {
            Reply::json(200, r#"{"data":{"type":"scalar_response","attributes":{"columns":[{"name":"query","type":"number","values":[0.01]}]}}}"#)
        }
        _ => Reply::json(403, r#"{"errors":["Forbidden"]}"#),
    }));
    let dir = scratch();
    let template = write(dir.path(), "saas.yaml", TEMPLATE);
    let secrets = write(dir.path(), "secrets.yaml", SECRETS.replace("ADDRESS", &server.address));
    let data = dir.path().join("recorded.yaml");

    let out = augur()
        .arg("run")
        .arg(&template)
        .args(["--arg", &format!("base={}", server.address), "--secrets"])
        .arg(&secrets)
        .arg("--record")
        .arg(&data)
        .args(["--output", "json"])
        .output()
        .expect("run augur");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let status: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    assert_eq!(status["phase"], "Successful", "{stdout}\n{stderr}");
    let values: Vec<&str> = status["metricResults"]
        .as_array()
        .expect("metric results")
        .iter()
        .map(|r| r["measurements"][0]["value"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(values, [r#"{"latency":0.12,"ok":true,"status":"green"}"#, r#""green""#, "0.01"]);

    let recorded = std::fs::read_to_string(&data).expect("recorded data");
    for text in [&stdout, &stderr, &recorded] {
        for secret in ["web-t0ken-s3cret", "dd-api-k3y-s3cret", "dd-app-k3y-s3cret"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    // The recording replays to the same decisions and values, offline.
    let replayed = replay(&template, &data, &["--arg", "base=http://unused", "--output", "json"]);
    let again: serde_json::Value = serde_json::from_slice(&replayed.stdout).expect("status JSON");
    assert_eq!(again["phase"], status["phase"]);
    for (live, offline) in
        status["metricResults"].as_array().unwrap().iter().zip(again["metricResults"].as_array().unwrap())
    {
        assert_eq!(live["measurements"][0]["value"], offline["measurements"][0]["value"], "{again}");
    }
}
