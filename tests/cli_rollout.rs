//! `augur rollout simulate` and `augur demo` through the binary, on the shipped examples.

mod support;

use support::{TempDir, augur, scratch, text, write};

const ROLLOUT: &str = "examples/rollout/payments.yaml";
const START: &str = "2026-11-26T10:00:00Z";

fn simulate(args: &[&str]) -> std::process::Output {
    augur().args(["rollout", "simulate"]).args(args).args(["--start", START]).output().unwrap()
}

/// A temporary YAML file (removed with its directory on drop).
struct TempFile {
    path: String,
    _dir: TempDir,
}

impl TempFile {
    fn new(name: &str, contents: &str) -> TempFile {
        let dir = scratch();
        let path = write(dir.path(), name, contents).to_str().expect("a UTF-8 temp path").to_owned();
        TempFile { path, _dir: dir }
    }
    fn path(&self) -> &str {
        &self.path
    }
}

#[test]
fn healthy_release_is_promoted() {
    let out = simulate(&[ROLLOUT, "--data", "examples/rollout/release-1.data.yaml"]);
    let table = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{table}{}", text(&out.stderr));
    assert!(table.contains("2/11 pause: 2m"), "{table}");
    assert!(table.contains("40/60"), "{table}");
    assert!(table.contains("rollout: Healthy: fully promoted  (14m30s of virtual time)"), "{table}");
}

#[test]
fn degrading_release_is_aborted_by_analysis_with_traffic_back_on_stable() {
    let out = simulate(&[ROLLOUT, "--data", "examples/rollout/release-2.data.yaml", "--output", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let status = &doc["status"];
    assert_eq!(status["phase"], "Degraded");
    assert_eq!(status["abort"], true);
    assert_eq!(status["currentStepIndex"], 0);
    assert_eq!(status["canary"]["weights"]["canary"]["weight"], 0);
    assert_eq!(status["canary"]["weights"]["stable"]["weight"], 100);
    let msg = status["message"].as_str().unwrap();
    assert!(
        msg.starts_with("RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed"),
        "{msg}"
    );
    let timeline = doc["timeline"].as_array().unwrap();
    assert!(timeline.iter().any(|e| e["canaryWeight"] == 40), "{timeline:?}");
    assert_eq!(timeline.last().unwrap()["canaryReplicas"], 0);
}

#[test]
fn analysis_without_data_or_template_is_a_usage_error_naming_it() {
    let out = simulate(&[ROLLOUT]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("success-rate"), "{}", text(&out.stderr));

    let rollout_only = std::fs::read_to_string(ROLLOUT).unwrap();
    let rollout_only = rollout_only.split("\n---").next().unwrap();
    let f = TempFile::new("no-template.yaml", rollout_only);
    let out = simulate(&[f.path(), "--data", "examples/rollout/release-1.data.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("AnalysisTemplate \"success-rate\" was not given"), "{err}");
    assert!(err.contains("spec.strategy.canary.steps[2].analysis.templates[0]"), "{err}");
}

const PAUSED: &str = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: web:2
  strategy:
    canary:
      steps:
      - setWeight: 25
      - pause: {}
      - setWeight: 50
";

#[test]
fn indefinite_pause_waits_for_a_human_unless_promote_after() {
    let f = TempFile::new("paused.yaml", PAUSED);
    let out = simulate(&[f.path()]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("Paused, waiting for a promotion (CanaryPauseStep)"), "{}", text(&out.stdout));

    let out = simulate(&[f.path(), "--promote-after", "5m"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("5m0s"), "{}", text(&out.stdout));
}

#[test]
fn data_running_out_exits_5() {
    let f = TempFile::new("short.data.yaml", "metrics:\n  success-rate:\n    measurements:\n    - value: [0.999]\n");
    let out = simulate(&[ROLLOUT, "--data", f.path()]);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("the data for metric \"success-rate\" ran out"), "{}", text(&out.stdout));
}

#[test]
fn invalid_rollout_names_the_field_with_line_and_column() {
    let bad = PAUSED.replace("setWeight: 50", "setWeight: 150");
    let f = TempFile::new("bad.yaml", &bad);
    let out = simulate(&[f.path()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("bad.yaml:21:9: spec.strategy.canary.steps[2].setWeight: Invalid value: 150: SetWeight needs to be between 0 and 100"),
        "{err}"
    );
}

#[test]
fn demo_promotes_the_first_release_and_aborts_the_second() {
    let out = augur().args(["demo", "--no-animation"]).output().unwrap();
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{s}{}", text(&out.stderr));
    assert!(s.contains("release 1 (payments:1.5.0): PROMOTED"), "{s}");
    assert!(s.contains("release 2 (payments:1.6.0): ABORTED"), "{s}");
    assert!(s.contains("success-rate=[0.9712]"), "{s}");
    assert!(s.contains("Traffic is back on stable (canary/stable weight 0/100)"), "{s}");
}

const LINTED: &str = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
  strategy:
    canary:
      maxSurge: \"3\"
      steps:
      - setWieght: 25
      - setWeight: 120
      - pause: {duration: 1d}
      - analysis:
          templates:
          - templateName: latency
      - analysis:
          templates:
          - templateName: success-rate
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: bg
spec:
  selector:
    matchLabels: {app: bg}
  template:
    metadata:
      labels: {app: bg}
  strategy:
    blueGreen:
      previewService: bg-preview
";

#[test]
fn lint_checks_rollouts_with_locations() {
    let f = TempFile::new("lint-rollout.yaml", LINTED);
    let out = augur().args(["lint", f.path(), "examples/analysis/success-rate.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    let p = f.path();
    for expected in [
        format!("{p}:14:7: warning: spec.strategy.canary.maxSurge: the string \"3\" is a percentage"),
        format!(
            "{p}:16:9: warning: spec.strategy.canary.steps[0].setWieght: unknown field 'setWieght' is ignored by Argo (did you mean 'setWeight'?)"
        ),
        format!(
            "{p}:17:9: error: spec.strategy.canary.steps[1].setWeight: Invalid value: 120: SetWeight needs to be between 0 and 100"
        ),
        format!(
            "{p}:18:17: error: spec.strategy.canary.steps[2].pause.duration: Invalid value: -1: Duration needs to be greater than 0"
        ),
        format!(
            "{p}:21:13: error: spec.strategy.canary.steps[3].analysis.templates[0].templateName: AnalysisTemplate 'latency' is not in the files given"
        ),
        format!(
            "{p}:22:9: error: spec.strategy.canary.steps[4].analysis.args: AnalysisTemplate 'success-rate' needs argument 'service-name', which is not passed here"
        ),
        format!("{p}:37:5: error: spec.strategy.blueGreen.activeService: Required value"),
    ] {
        assert!(s.contains(&expected), "missing {expected:?} in:\n{s}");
    }
}

#[test]
fn lint_accepts_the_shipped_rollout() {
    let out = augur().args(["lint", ROLLOUT]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(text(&out.stdout), "");
}
