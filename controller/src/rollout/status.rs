//! `Rollout.status` with Argo's field names. The persisted status is the engine's only state:
//! a run resumes from it alone, so it round-trips through serde unchanged.

use std::borrow::Cow;

use augur_analysis_core::Phase;
use augur_analysis_core::spec::Time;
use serde::{Deserialize, Serialize};

use super::SharedStr;

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// `status` of a Rollout.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutStatus {
    /// `abort`: set by the user or by a failed analysis.
    #[serde(default, skip_serializing_if = "is_false")]
    pub abort: bool,
    /// `pauseConditions`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pause_conditions: Vec<PauseCondition>,
    /// `controllerPause`: the controller added a pause condition (removing it = promote).
    #[serde(default, skip_serializing_if = "is_false")]
    pub controller_pause: bool,
    /// `abortedAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aborted_at: Option<Time>,
    /// `currentPodHash`: the hash of the new ReplicaSet.
    #[serde(default, skip_serializing_if = "SharedStr::is_empty")]
    pub current_pod_hash: SharedStr,
    /// `currentStepHash`: a hash of `canary.steps`.
    #[serde(default, skip_serializing_if = "SharedStr::is_empty")]
    pub current_step_hash: SharedStr,
    /// `replicas`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub replicas: i32,
    /// `updatedReplicas`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub updated_replicas: i32,
    /// `readyReplicas`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ready_replicas: i32,
    /// `availableReplicas`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub available_replicas: i32,
    /// `currentStepIndex`: nil without steps; `len(steps)` when all are done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step_index: Option<i32>,
    /// `collisionCount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collision_count: Option<i32>,
    /// `observedGeneration` (a string in Argo).
    #[serde(default, skip_serializing_if = "SharedStr::is_empty")]
    pub observed_generation: SharedStr,
    /// `conditions`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<RolloutCondition>,
    /// `canary`.
    #[serde(default, skip_serializing_if = "CanaryStatus::is_empty")]
    pub canary: CanaryStatus,
    /// `blueGreen`.
    #[serde(default, skip_serializing_if = "BlueGreenStatus::is_empty")]
    pub blue_green: BlueGreenStatus,
    /// `HPAReplicas`.
    #[serde(default, rename = "HPAReplicas", skip_serializing_if = "is_zero")]
    pub hpa_replicas: i32,
    /// `selector`.
    #[serde(default, skip_serializing_if = "SharedStr::is_empty")]
    pub selector: SharedStr,
    /// `stableRS`: the hash of the stable ReplicaSet.
    #[serde(default, rename = "stableRS", skip_serializing_if = "SharedStr::is_empty")]
    pub stable_rs: SharedStr,
    /// `restartedAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restarted_at: Option<Time>,
    /// `promoteFull`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub promote_full: bool,
    /// `phase`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<RolloutPhase>,
    /// `message` (borrowed for Argo's fixed texts).
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub message: Cow<'static, str>,
}

impl RolloutStatus {
    /// The pause condition with this reason.
    pub fn pause_condition(&self, reason: PauseReason) -> Option<&PauseCondition> {
        self.pause_conditions.iter().find(|c| c.reason == reason)
    }

    /// The condition of this type.
    pub fn condition(&self, kind: &str) -> Option<&RolloutCondition> {
        self.conditions.iter().find(|c| c.kind == kind)
    }
}

/// A Rollout's phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RolloutPhase {
    /// Fully promoted and available.
    Healthy,
    /// Moving towards the desired state.
    Progressing,
    /// Waiting: a pause step, a blue-green pause, an inconclusive analysis or the user.
    Paused,
    /// Aborted, timed out or invalid.
    Degraded,
}

impl RolloutPhase {
    /// The phase's name.
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutPhase::Healthy => "Healthy",
            RolloutPhase::Progressing => "Progressing",
            RolloutPhase::Paused => "Paused",
            RolloutPhase::Degraded => "Degraded",
        }
    }
}

/// Why the rollout is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PauseReason {
    /// A canary `pause` step.
    CanaryPauseStep,
    /// The blue-green pause before promotion.
    BlueGreenPause,
    /// An Inconclusive AnalysisRun.
    #[serde(rename = "InconclusiveAnalysisRun")]
    InconclusiveAnalysis,
    /// An Inconclusive Experiment.
    InconclusiveExperiment,
}

impl PauseReason {
    /// Argo's name of the reason.
    pub fn as_str(self) -> &'static str {
        match self {
            PauseReason::CanaryPauseStep => "CanaryPauseStep",
            PauseReason::BlueGreenPause => "BlueGreenPause",
            PauseReason::InconclusiveAnalysis => "InconclusiveAnalysisRun",
            PauseReason::InconclusiveExperiment => "InconclusiveExperiment",
        }
    }
}

/// One `pauseConditions` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PauseCondition {
    /// `reason`.
    pub reason: PauseReason,
    /// `startTime`.
    pub start_time: Time,
}

/// One `conditions` entry (`Progressing`, `Available`, `Healthy`, `Paused`, `Completed`,
/// `ReplicaFailure`, `InvalidSpec`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutCondition {
    /// `type`. (Conditions the engine writes borrow their fixed texts, so a reconcile that
    /// changes nothing allocates nothing for them.)
    #[serde(rename = "type")]
    pub kind: Cow<'static, str>,
    /// `status`: `True`, `False` or `Unknown`.
    pub status: Cow<'static, str>,
    /// `lastUpdateTime`.
    pub last_update_time: Time,
    /// `lastTransitionTime`.
    pub last_transition_time: Time,
    /// `reason`.
    pub reason: Cow<'static, str>,
    /// `message` (shared: Argo's fixed texts are static, and a reconcile that keeps a
    /// condition copies no text).
    pub message: SharedStr,
}

/// `status.canary`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStatus {
    /// `currentStepAnalysisRunStatus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step_analysis_run_status: Option<RolloutAnalysisRunStatus>,
    /// `currentBackgroundAnalysisRunStatus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_background_analysis_run_status: Option<RolloutAnalysisRunStatus>,
    /// `weights`: only with a traffic router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<TrafficWeights>,
}

impl CanaryStatus {
    fn is_empty(&self) -> bool {
        self == &CanaryStatus::default()
    }
}

/// `status.blueGreen`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlueGreenStatus {
    /// `previewSelector`.
    #[serde(default, skip_serializing_if = "SharedStr::is_empty")]
    pub preview_selector: SharedStr,
    /// `activeSelector`.
    #[serde(default, skip_serializing_if = "SharedStr::is_empty")]
    pub active_selector: SharedStr,
    /// `scaleUpPreviewCheckPoint`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub scale_up_preview_check_point: bool,
    /// `prePromotionAnalysisRunStatus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_promotion_analysis_run_status: Option<RolloutAnalysisRunStatus>,
    /// `postPromotionAnalysisRunStatus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_promotion_analysis_run_status: Option<RolloutAnalysisRunStatus>,
}

impl BlueGreenStatus {
    fn is_empty(&self) -> bool {
        self == &BlueGreenStatus::default()
    }
}

/// The name and phase of a current AnalysisRun.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RolloutAnalysisRunStatus {
    /// `name`.
    pub name: String,
    /// `status`: the run's phase (absent right after creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Phase>,
    /// `message`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// `status.canary.weights`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrafficWeights {
    /// `canary`.
    pub canary: WeightDestination,
    /// `stable`.
    pub stable: WeightDestination,
    /// `additional` (experiments; always empty here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additional: Vec<WeightDestination>,
    /// `verified`: nil for routers that do not verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

/// One weight destination.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightDestination {
    /// `weight`.
    #[serde(default)]
    pub weight: i32,
    /// `serviceName`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub service_name: String,
    /// `podTemplateHash`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pod_template_hash: String,
}
