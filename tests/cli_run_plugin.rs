//! `augur run --plugins`: a metric measured by the prometheus-lite WebAssembly plugin and the
//! same query through the built-in Prometheus provider, against a real Prometheus (Debian's
//! package) on 127.0.0.1: same values, same phases; the run's recording replays offline.

#[path = "../providers/tests/support/prometheus_server.rs"]
mod prometheus_server;
mod support;

use augur_providers::plugin::sha256_hex;
use augur_providers::plugin::testing::example_plugin;
use prometheus_server::{PrometheusServer, standard_series, temp_dir};
use support::{augur, replay, write};

const TEMPLATE: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: side-by-side}
spec:
  args:
  - name: prometheus
  metrics:
  - name: builtin
    count: 2
    interval: 1s
    successCondition: result[0] >= 0.95
    provider:
      prometheus:
        address: "{{args.prometheus}}"
        query: vector(0.97)
  - name: plugin
    count: 2
    interval: 1s
    successCondition: result[0] >= 0.95
    provider:
      plugin:
        augur/prometheus-lite:
          address: "{{args.prometheus}}"
          query: vector(0.97)
"#;

#[test]
fn a_plugin_metric_measures_like_the_builtin_provider_and_replays() {
    let Some(prom) = PrometheusServer::start(&standard_series()) else { return };
    let dir = temp_dir("cli-run-plugin");
    let module = example_plugin("prometheus_lite");
    let bytes = std::fs::read(&module).expect("the plugin module");
    let registry = write(
        dir.path(),
        "plugins.yaml",
        format!(
            "plugins:\n- name: augur/prometheus-lite\n  file: {}\n  sha256: {}\n  allowedHosts: [\"127.0.0.1\"]\n",
            module.display(),
            sha256_hex(&bytes)
        ),
    );
    let template = write(dir.path(), "t.yaml", TEMPLATE);
    let data = dir.path().join("recorded.yaml");
    let out = augur()
        .arg("run")
        .arg(&template)
        .args(["--arg", &format!("prometheus={}", prom.address), "--output", "json", "--plugins"])
        .arg(&registry)
        .arg("--record")
        .arg(&data)
        .output()
        .expect("run augur");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    let (builtin, plugin) = (&status["metricResults"][0], &status["metricResults"][1]);
    assert_eq!((builtin["name"].as_str(), plugin["name"].as_str()), (Some("builtin"), Some("plugin")));
    for m in [builtin, plugin] {
        assert_eq!(m["phase"], "Successful", "{m}");
        assert_eq!(m["count"], 2);
    }
    for i in 0..2 {
        assert_eq!(builtin["measurements"][i]["value"], "[0.97]");
        assert_eq!(plugin["measurements"][i]["value"], builtin["measurements"][i]["value"]);
    }

    // The plugin's answers were recorded like the built-in provider's: the replay agrees.
    let recorded = std::fs::read_to_string(&data).expect("recorded data");
    assert!(recorded.contains("plugin:"), "{recorded}");
    let replayed = replay(&template, &data, &["--arg", "prometheus=http://unused", "--output", "json"]);
    assert_eq!(replayed.status.code(), Some(0), "{}", String::from_utf8_lossy(&replayed.stdout));
    let again: serde_json::Value = serde_json::from_slice(&replayed.stdout).expect("status JSON");
    assert_eq!(again["metricResults"][1]["measurements"][1]["value"], "[0.97]");
}

#[test]
fn a_plugin_metric_without_a_registry_is_an_error_naming_the_plugin() {
    let dir = temp_dir("cli-run-plugin-none");
    let template = write(
        dir.path(),
        "t.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: p}\nspec:\n  metrics:\n  - name: m\n    consecutiveErrorLimit: 0\n    provider:\n      plugin:\n        acme/thing: {}\n",
    );
    let out = augur().arg("run").arg(&template).args(["--output", "json"]).output().expect("run");
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("failed to create plugin: plugin acme/thing not configured"), "{stdout}");
}
