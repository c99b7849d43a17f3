//! `augur plugin describe` and `augur plugin test` on the example plugins (built by
//! `examples/plugins/build.sh`).

mod support;

use augur_providers::plugin::testing::example_plugin;
use support::{augur, scratch};

const PROM_RESPONSES: &str = r#"
exchanges:
- request: {method: POST, url: "http://prometheus:9090/api/v1/query"}
  response:
    status: 200
    json: {status: success, data: {resultType: vector, result: [{metric: {}, value: [1767225600, "0.97"]}]}}
"#;

#[test]
fn describe_prints_what_the_plugin_says_about_itself() {
    let out = augur().args(["plugin", "describe"]).arg(example_plugin("prometheus_lite")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("name:        augur/prometheus-lite\nversion:     0.1.0\nabi:         1\n"), "{text}");
    assert!(text.contains("auth:        bearer, basic\n"), "{text}");
    assert!(text.contains("\"required\": [\n    \"address\",\n    \"query\"\n  ]"), "{text}");

    let out = augur().args(["plugin", "describe", "--output", "json"]).arg(example_plugin("c_web")).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["name"].as_str(), v["abi"].as_u64()), (Some("augur/c-web"), Some(1)));
    assert_eq!(v["sha256"].as_str().map(str::len), Some(64));
}

#[test]
fn describe_names_the_cause_of_a_bad_module() {
    let out = augur().args(["plugin", "describe"]).arg(example_plugin("wrong_abi")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("speaks plugin ABI version 2; this host speaks version 1"), "{err}");
    let tmp = scratch();
    let dir = tmp.path();
    std::fs::write(dir.join("x.wasm"), b"not wasm").unwrap();
    let out = augur().args(["plugin", "describe"]).arg(dir.join("x.wasm")).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid WebAssembly module"));
}

/// `augur plugin test prometheus_lite.wasm` on the files of `dir`, with more arguments.
fn test_prometheus_lite(dir: &std::path::Path, more: &[&str]) -> std::process::Output {
    augur()
        .args(["plugin", "test"])
        .arg(example_plugin("prometheus_lite"))
        .arg("--config")
        .arg(dir.join("cfg.yaml"))
        .arg("--responses")
        .arg(dir.join("responses.yaml"))
        .args(more)
        .output()
        .unwrap()
}

#[test]
fn test_runs_a_measurement_against_recorded_responses() {
    let tmp = scratch();
    let dir = tmp.path();
    std::fs::write(dir.join("cfg.yaml"), "address: http://prometheus:9090\nquery: up\n").unwrap();
    std::fs::write(dir.join("responses.yaml"), PROM_RESPONSES).unwrap();
    let out = test_prometheus_lite(dir, &["--success", "result[0] >= 0.95", "--now", "1767225600"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        text,
        "step 0: 1 request(s)\n  POST http://prometheus:9090/api/v1/query\n    body: query=up&time=1767225600\n    -> 200 (104 bytes)\n\
         step 1: done: [0.97] (number_list)\nphase:   Successful\nvalue:   [0.97]\n"
    );
    // The same measurement failing its condition: exit 1.
    let out = test_prometheus_lite(dir, &["--success", "result[0] >= 0.99", "--output", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["measurement"]["phase"], "Failed");
    assert_eq!(v["steps"][0]["exchanges"][0]["request"]["method"], "POST");
}

#[test]
fn test_follows_pending_and_resume_and_reports_a_wrong_recording() {
    let tmp = scratch();
    let dir = tmp.path();
    std::fs::write(
        dir.join("metric.yaml"),
        "name: job\nsuccessCondition: result == 0.5\nprovider:\n  plugin:\n    augur/two-step: {url: \"http://b\", pollAfterMs: 5000}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("responses.yaml"),
        r#"
exchanges:
- {request: {method: POST, url: "http://b/jobs"}, response: {json: {id: j1}}}
- {request: {method: GET, url: "http://b/jobs/j1"}, response: {json: {status: done, value: 0.5}}}
"#,
    )
    .unwrap();
    let run = |responses: &str| {
        augur()
            .args(["plugin", "test"])
            .arg(example_plugin("two_step"))
            .arg("--config")
            .arg(dir.join("metric.yaml"))
            .arg("--responses")
            .arg(dir.join(responses))
            .output()
            .unwrap()
    };
    let out = run("responses.yaml");
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("step 1: pending, resume after 5000 ms\nstep 2: 1 request(s)\n  GET http://b/jobs/j1\n"),
        "{text}"
    );
    assert!(text.ends_with("phase:   Successful\nvalue:   0.5\n"), "{text}");

    std::fs::write(
        dir.join("wrong.yaml"),
        "exchanges:\n- {request: {url: \"http://elsewhere/jobs\"}, response: {json: {}}}\n",
    )
    .unwrap();
    let out = run("wrong.yaml");
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "message: failed to run via plugin: plugin augur/two-step: replay: request 1 is POST http://b/jobs, but the recording expects any method http://elsewhere/jobs"
        ),
        "{text}"
    );
}
