//! `Rollout.spec` (argoproj.io/v1alpha1): the subset the step engine reads, with Argo's
//! defaults applied by getters (the stored object is never defaulted, as in Argo's
//! `utils/defaults`), so a spec read from YAML serializes back as it was written.

use std::collections::BTreeMap;

use augur_analysis_core::spec::{AnalysisTemplateRef, DryRun, FieldRef, IntOrString, MeasurementRetention};
use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// `spec` of a Rollout.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutSpec {
    /// `replicas` (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// `selector` (a LabelSelector, kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<serde_json::Value>,
    /// `template`: the pod template; its hash identifies the revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<serde_json::Value>,
    /// `workloadRef` (out of scope; kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_ref: Option<serde_json::Value>,
    /// `minReadySeconds`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub min_ready_seconds: i32,
    /// `revisionHistoryLimit` (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i32>,
    /// `paused`: the user's pause.
    #[serde(default, skip_serializing_if = "is_false")]
    pub paused: bool,
    /// `progressDeadlineSeconds` (default 600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_deadline_seconds: Option<i32>,
    /// `progressDeadlineAbort`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub progress_deadline_abort: bool,
    /// `restartAt` (pod restarts are out of scope; only the phase reads it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_at: Option<augur_analysis_core::spec::Time>,
    /// `rollbackWindow`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_window: Option<RollbackWindow>,
    /// `analysis`: AnalysisRun history limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<AnalysisRunStrategy>,
    /// `strategy`.
    #[serde(default)]
    pub strategy: Strategy,
}

/// `spec.rollbackWindow`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RollbackWindow {
    /// `revisions`.
    #[serde(default)]
    pub revisions: i32,
}

/// `spec.analysis`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRunStrategy {
    /// `successfulRunHistoryLimit` (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful_run_history_limit: Option<i32>,
    /// `unsuccessfulRunHistoryLimit` (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsuccessful_run_history_limit: Option<i32>,
}

/// `spec.strategy`: exactly one of canary and blueGreen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Strategy {
    /// `canary`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<CanaryStrategy>,
    /// `blueGreen`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blue_green: Option<BlueGreenStrategy>,
}

/// `spec.strategy.canary`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStrategy {
    /// `canaryService`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub canary_service: String,
    /// `stableService`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stable_service: String,
    /// `steps`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<CanaryStep>,
    /// `trafficRouting`: non-nil (even `{}`) switches the replica formula.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_routing: Option<TrafficRouting>,
    /// `maxUnavailable` (default `"25"`, i.e. 25 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    /// `maxSurge` (default `"25"`, i.e. 25 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<IntOrString>,
    /// `analysis`: the background analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<RolloutAnalysisBackground>,
    /// `antiAffinity` (out of scope for decisions; kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_affinity: Option<serde_json::Value>,
    /// `canaryMetadata` (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_metadata: Option<serde_json::Value>,
    /// `stableMetadata` (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stable_metadata: Option<serde_json::Value>,
    /// `scaleDownDelaySeconds` (30 with traffic routing, else 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_seconds: Option<i32>,
    /// `scaleDownDelayRevisionLimit` (unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_revision_limit: Option<i32>,
    /// `abortScaleDownDelaySeconds` (30 with traffic routing; explicit 0 = never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_scale_down_delay_seconds: Option<i32>,
    /// `dynamicStableScale`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dynamic_stable_scale: bool,
    /// `pingPong` (out of scope; kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ping_pong: Option<serde_json::Value>,
    /// `minPodsPerReplicaSet` (traffic-routed only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_pods_per_replica_set: Option<i32>,
    /// `replicaProgressThreshold`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_progress_threshold: Option<ReplicaProgressThreshold>,
}

/// `canary.replicaProgressThreshold`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplicaProgressThreshold {
    /// `type`: `Pod` or `Percent`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// `value`.
    #[serde(default)]
    pub value: i32,
}

/// One canary step. Argo checks the fields in a fixed order (see the engine).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStep {
    /// `setWeight`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_weight: Option<i32>,
    /// `pause`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause: Option<RolloutPause>,
    /// `experiment` (out of scope: never completes in the engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<Box<serde_json::Value>>,
    /// `analysis` (boxed, as the rarer step kinds below: a step stays small).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<Box<RolloutAnalysis>>,
    /// `setCanaryScale`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_canary_scale: Option<SetCanaryScale>,
    /// `setHeaderRoute`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_header_route: Option<Box<SetHeaderRoute>>,
    /// `setMirrorRoute`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_mirror_route: Option<Box<SetMirrorRoute>>,
    /// `plugin` (out of scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<Box<serde_json::Value>>,
}

/// `pause`: absent duration = indefinite.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RolloutPause {
    /// `duration`: seconds (int or numeric string) or a Go duration string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<IntOrString>,
}

impl RolloutPause {
    /// `RolloutPause.DurationSeconds`: int → seconds; a string that parses as a base-10
    /// int32 → seconds; otherwise Go's `time.ParseDuration` truncated to whole seconds; -1
    /// when it cannot be parsed (validation rejects negative durations). Indefinite → -1.
    pub fn duration_seconds(&self) -> i32 {
        match &self.duration {
            None => -1,
            Some(IntOrString::Int(i)) => i32::try_from(*i).unwrap_or(-1),
            Some(IntOrString::String(s)) => {
                if let Ok(n) = s.parse::<i32>() {
                    return n;
                }
                match augur_analysis_core::go::duration::parse_duration(s) {
                    Ok(ns) => i32::try_from(ns / 1_000_000_000).unwrap_or(-1),
                    Err(_) => -1,
                }
            }
        }
    }

    /// Argo's text for the duration (`30s`, `1m`, `30`) as `CanaryStepString` shows it.
    pub fn duration_text(&self) -> Option<String> {
        self.duration.as_ref().map(|d| match d {
            IntOrString::Int(i) => i.to_string(),
            IntOrString::String(s) => s.clone(),
        })
    }
}

/// `setCanaryScale`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetCanaryScale {
    /// `weight`: a percentage of `spec.replicas` (pods only, not traffic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i32>,
    /// `replicas`: an explicit count (wins over weight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// `matchTrafficWeight`: ends an earlier setCanaryScale.
    #[serde(default, skip_serializing_if = "is_false")]
    pub match_traffic_weight: bool,
}

/// `setHeaderRoute`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SetHeaderRoute {
    /// `name`: one of `trafficRouting.managedRoutes`.
    #[serde(default)]
    pub name: String,
    /// `match`: absent or empty removes the route.
    #[serde(default, rename = "match", skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<serde_json::Value>,
}

/// `setMirrorRoute`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SetMirrorRoute {
    /// `name`: one of `trafficRouting.managedRoutes`.
    #[serde(default)]
    pub name: String,
    /// `match`: absent or empty removes the route.
    #[serde(default, rename = "match", skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<serde_json::Value>,
    /// `percentage` of matching traffic mirrored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentage: Option<i32>,
}

/// `canary.trafficRouting`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficRouting {
    /// `istio`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub istio: Option<serde_json::Value>,
    /// `nginx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nginx: Option<NginxTrafficRouting>,
    /// `alb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alb: Option<serde_json::Value>,
    /// `smi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smi: Option<SmiTrafficRouting>,
    /// `ambassador`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ambassador: Option<serde_json::Value>,
    /// `appMesh`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_mesh: Option<serde_json::Value>,
    /// `traefik`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traefik: Option<serde_json::Value>,
    /// `apisix`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apisix: Option<serde_json::Value>,
    /// `plugins`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugins: Option<serde_json::Value>,
    /// `managedRoutes`: the names header and mirror steps may use, in precedence order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_routes: Vec<ManagedRoute>,
    /// `maxTrafficWeight` (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_traffic_weight: Option<i32>,
}

/// One `managedRoutes` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManagedRoute {
    /// `name`.
    #[serde(default)]
    pub name: String,
}

/// `trafficRouting.nginx`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NginxTrafficRouting {
    /// `annotationPrefix` (default `nginx.ingress.kubernetes.io`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub annotation_prefix: String,
    /// `stableIngress`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stable_ingress: String,
    /// `stableIngresses`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stable_ingresses: Vec<String>,
    /// `additionalIngressAnnotations` (prefixed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub additional_ingress_annotations: BTreeMap<String, String>,
    /// `canaryIngressAnnotations` (verbatim).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub canary_ingress_annotations: BTreeMap<String, String>,
}

/// `trafficRouting.smi`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmiTrafficRouting {
    /// `rootService` (default: the stable service).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub root_service: String,
    /// `trafficSplitName` (default: the rollout's name).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub traffic_split_name: String,
}

/// `RolloutAnalysis`: templates, args, dry-run and retention rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutAnalysis {
    /// `templates`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<AnalysisTemplateRef>,
    /// `args`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<AnalysisRunArgument>,
    /// `dryRun`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dry_run: Vec<DryRun>,
    /// `measurementRetention`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measurement_retention: Vec<MeasurementRetention>,
    /// `analysisRunMetadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_run_metadata: Option<AnalysisRunMetadata>,
}

/// `analysisRunMetadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalysisRunMetadata {
    /// `labels`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// `annotations`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// The background analysis: a [`RolloutAnalysis`] and the step it starts at.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutAnalysisBackground {
    /// The analysis.
    #[serde(flatten)]
    pub analysis: RolloutAnalysis,
    /// `startingStep`: the background run starts once `currentStepIndex >= startingStep`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_step: Option<i32>,
}

/// An argument a Rollout passes to its AnalysisRuns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRunArgument {
    /// `name`.
    pub name: String,
    /// `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `valueFrom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<ArgumentValueFrom>,
}

/// `valueFrom` of a Rollout analysis argument.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArgumentValueFrom {
    /// `podTemplateHashValue`: `Latest` (the new revision's hash) or `Stable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_template_hash_value: Option<String>,
    /// `fieldRef`: a path into the Rollout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_ref: Option<FieldRef>,
}

/// `spec.strategy.blueGreen`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlueGreenStrategy {
    /// `activeService` (required).
    #[serde(default)]
    pub active_service: String,
    /// `previewService`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub preview_service: String,
    /// `previewReplicaCount` (default: full size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_replica_count: Option<i32>,
    /// `autoPromotionEnabled` (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_promotion_enabled: Option<bool>,
    /// `autoPromotionSeconds`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub auto_promotion_seconds: i32,
    /// `maxUnavailable` (default `"25"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    /// `scaleDownDelaySeconds` (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_seconds: Option<i32>,
    /// `scaleDownDelayRevisionLimit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_revision_limit: Option<i32>,
    /// `abortScaleDownDelaySeconds` (default 30; explicit 0 = never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_scale_down_delay_seconds: Option<i32>,
    /// `prePromotionAnalysis`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_promotion_analysis: Option<RolloutAnalysis>,
    /// `postPromotionAnalysis`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_promotion_analysis: Option<RolloutAnalysis>,
    /// `antiAffinity` (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_affinity: Option<serde_json::Value>,
    /// `previewMetadata` (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_metadata: Option<serde_json::Value>,
    /// `activeMetadata` (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_metadata: Option<serde_json::Value>,
}
