//! Behaviour of the step engine beyond the shared vectors: resuming from persisted status,
//! Argo's validation as a Degraded phase, scaling and retry mid-rollout.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use augur_controller::rollout::{Rollout, RolloutPhase, RolloutStatus};
use augur_controller::sim::{AnalysisMode, Cluster, SimConfig};
use augur_controller::{Phase, user};

fn rollout(yaml: &str) -> Rollout {
    serde_saphyr::from_str(yaml).expect("a valid Rollout")
}

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

fn cluster(ro: Rollout) -> Cluster {
    let mode = AnalysisMode::Scripted { declared_args: BTreeMap::new() };
    Cluster::new(ro, mode, SimConfig { ready_after: Duration::from_secs(5), ..Default::default() }, start())
}

const CANARY: &str = "
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ro}
spec:
  replicas: 5
  selector: {matchLabels: {app: ro}}
  template: {metadata: {labels: {app: ro}}}
  strategy:
    canary:
      maxSurge: 1
      maxUnavailable: 0
      analysis:
        templates: [{templateName: bg}]
      steps:
      - setWeight: 20
      - pause: {duration: 30s}
      - analysis: {templates: [{templateName: step}]}
      - setWeight: 60
      - pause: {}
";

/// Drives a release, persisting the status through `persist` at every settled instant.
fn drive(persist: impl Fn(&RolloutStatus) -> RolloutStatus) -> (RolloutStatus, Vec<String>) {
    let mut c = cluster(rollout(CANARY));
    c.deploy_initial("v1").unwrap();
    c.apply_template("v2").unwrap();
    let mut seen = Vec::new();
    for i in 0..200 {
        c.rollout.status = persist(&c.rollout.status);
        seen.push(serde_json::to_string(&c.snapshot()).unwrap());
        if i == 20 {
            // The step analysis succeeds; later the human promotes the last pause.
            if let Some(s) = c.rollout.status.canary.current_step_analysis_run_status.clone() {
                c.analysis.set_outcome(&s.name, Phase::Successful);
            }
        }
        if i == 40 {
            c.user(user::promote).unwrap();
        }
        if !c.advance().unwrap() {
            c.settle().unwrap();
        }
    }
    (c.rollout.status.clone(), seen)
}

#[test]
fn status_round_trips_and_a_run_resumes_from_it_alone() {
    let (direct, direct_seen) = drive(|s| s.clone());
    let (json, json_seen) = drive(|s| serde_json::from_str(&serde_json::to_string(s).unwrap()).unwrap());
    let (yaml, yaml_seen) = drive(|s| serde_saphyr::from_str(&serde_saphyr::to_string(s).unwrap()).unwrap());
    assert_eq!(direct, json);
    assert_eq!(direct, yaml);
    assert_eq!(direct_seen, json_seen);
    assert_eq!(direct_seen, yaml_seen);
    assert_eq!(direct.phase, Some(RolloutPhase::Healthy), "{direct:?}");
    assert_eq!(direct.stable_rs, "v2");
}

#[test]
fn header_route_without_a_capable_router_is_degraded_with_argos_message() {
    let ro = rollout(
        "
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ro}
spec:
  replicas: 2
  selector: {matchLabels: {app: ro}}
  template: {metadata: {labels: {app: ro}}}
  strategy:
    canary:
      canaryService: ro-canary
      stableService: ro-stable
      trafficRouting:
        nginx: {stableIngress: ing}
        managedRoutes: [{name: hdr}]
      steps:
      - setHeaderRoute:
          name: hdr
          match: [{headerName: x-canary, headerValue: {exact: 'yes'}}]
",
    );
    let mut c = cluster(ro);
    c.apply_template("v1").unwrap();
    let st = &c.rollout.status;
    assert_eq!(st.phase, Some(RolloutPhase::Degraded));
    assert_eq!(
        st.message,
        "InvalidSpec: spec.strategy.canary.steps[0].setHeaderRoute: Invalid value: {...}: SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix"
    );
    assert!(c.workload.replica_sets.is_empty(), "nothing is created for an invalid spec");
}

#[test]
fn scaling_mid_rollout_resizes_both_sides_at_the_same_step() {
    let mut c = cluster(rollout(CANARY));
    c.deploy_initial("v1").unwrap();
    c.apply_template("v2").unwrap();
    c.advance_to(start() + Duration::from_secs(20)).unwrap();
    assert_eq!(c.rollout.status.current_step_index, Some(1));
    c.edit_spec(|s| s.replicas = Some(10)).unwrap();
    c.advance_to(start() + Duration::from_secs(30)).unwrap();
    assert_eq!(c.replica_set("v2").map(|r| r.replicas), Some(2));
    assert_eq!(c.replica_set("v1").map(|r| r.replicas), Some(8));
    assert_eq!(c.rollout.status.current_step_index, Some(1));
}

#[test]
fn failed_step_analysis_aborts_and_retry_restarts_with_fresh_runs() {
    let mut c = cluster(rollout(CANARY));
    c.deploy_initial("v1").unwrap();
    c.apply_template("v2").unwrap();
    c.advance_to(start() + Duration::from_secs(120)).unwrap();
    let step_run = c.rollout.status.canary.current_step_analysis_run_status.clone().expect("a step run");
    c.analysis.set_outcome(&step_run.name, Phase::Failed);
    c.settle().unwrap();
    let st = &c.rollout.status;
    assert!(st.abort);
    assert_eq!(st.current_step_index, Some(0));
    assert_eq!(
        st.message,
        "RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed"
    );
    c.advance_to(start() + Duration::from_secs(200)).unwrap();
    assert_eq!(c.replica_set("v2").map(|r| r.replicas), Some(0));
    assert_eq!(c.replica_set("v1").map(|r| r.available), Some(5));

    c.user(user::retry).unwrap();
    c.advance_to(start() + Duration::from_secs(400)).unwrap();
    let st = &c.rollout.status;
    assert!(!st.abort);
    assert_eq!(st.current_step_index, Some(2), "{st:?}");
    let names: Vec<&str> = c.analysis.runs.iter().map(|r| r.request.name.as_str()).collect();
    assert!(names.contains(&"ro-v2-2-2.1"), "retry creates a fresh step run: {names:?}");
    assert_eq!(c.analysis.created(augur_controller::RunKind::Background), 2, "{names:?}");
}
