//! The `Rollout` resource (argoproj.io/v1alpha1): spec, status, Argo's defaults and
//! validation.

mod shared_str;
mod spec;
mod status;
pub mod validate;

use augur_analysis_core::spec::{IntOrString, ObjectMeta};
use serde::{Deserialize, Serialize};

pub use shared_str::SharedStr;
pub use spec::*;
pub use status::*;

/// A Rollout: read verbatim from Argo YAML; unknown fields are ignored here (Kubernetes
/// prunes them) and reported by `augur lint`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rollout {
    /// `apiVersion` (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// `kind` (`Rollout`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// `metadata`.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// `spec`.
    #[serde(default)]
    pub spec: RolloutSpec,
    /// `status`.
    #[serde(default)]
    pub status: RolloutStatus,
}

/// Argo's default for `maxSurge` and `maxUnavailable`: the *string* `"25"`, a percentage.
pub const DEFAULT_MAX_SURGE_UNAVAILABLE: &str = "25";
/// Default `progressDeadlineSeconds`.
pub const DEFAULT_PROGRESS_DEADLINE_SECONDS: i32 = 600;
/// Default `scaleDownDelaySeconds` (blue-green, and canary with traffic routing).
pub const DEFAULT_SCALE_DOWN_DELAY_SECONDS: i32 = 30;
/// Default `abortScaleDownDelaySeconds`.
pub const DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS: i32 = 30;
/// Default `maxTrafficWeight`.
pub const DEFAULT_MAX_TRAFFIC_WEIGHT: i32 = 100;

impl Rollout {
    /// `metadata.name` ("" when absent).
    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or("")
    }

    /// `metadata.generation` (0 when absent).
    pub fn generation(&self) -> i64 {
        self.metadata.extra.get("generation").and_then(|g| g.as_i64()).unwrap_or(0)
    }

    /// Sets `metadata.generation`.
    pub fn set_generation(&mut self, generation: i64) {
        self.metadata.extra.insert("generation".into(), serde_json::Value::from(generation));
    }

    /// `spec.replicas` or 1 (`GetReplicasOrDefault`).
    pub fn replicas(&self) -> i32 {
        self.spec.replicas.unwrap_or(1)
    }

    /// The canary strategy, if that is the strategy.
    pub fn canary(&self) -> Option<&CanaryStrategy> {
        self.spec.strategy.canary.as_ref()
    }

    /// The blue-green strategy, if that is the strategy.
    pub fn blue_green(&self) -> Option<&BlueGreenStrategy> {
        self.spec.strategy.blue_green.as_ref()
    }

    /// The canary steps (empty for blue-green).
    pub fn steps(&self) -> &[CanaryStep] {
        self.canary().map(|c| c.steps.as_slice()).unwrap_or(&[])
    }

    /// The canary's traffic routing, if any.
    pub fn traffic_routing(&self) -> Option<&TrafficRouting> {
        self.canary().and_then(|c| c.traffic_routing.as_ref())
    }

    /// `dynamicStableScale` of a canary.
    pub fn dynamic_stable_scale(&self) -> bool {
        self.canary().is_some_and(|c| c.dynamic_stable_scale)
    }

    /// `weightutil.MaxTrafficWeight`: `trafficRouting.maxTrafficWeight` or 100.
    pub fn max_traffic_weight(&self) -> i32 {
        self.traffic_routing().and_then(|t| t.max_traffic_weight).unwrap_or(DEFAULT_MAX_TRAFFIC_WEIGHT)
    }

    /// `GetMaxSurgeOrDefault`.
    pub fn max_surge_or_default(&self) -> IntOrString {
        self.canary()
            .and_then(|c| c.max_surge.clone())
            .unwrap_or_else(|| IntOrString::String(DEFAULT_MAX_SURGE_UNAVAILABLE.into()))
    }

    /// `GetMaxUnavailableOrDefault` (canary or blue-green).
    pub fn max_unavailable_or_default(&self) -> IntOrString {
        let set = match (self.canary(), self.blue_green()) {
            (Some(c), _) => c.max_unavailable.clone(),
            (None, Some(b)) => b.max_unavailable.clone(),
            (None, None) => None,
        };
        set.unwrap_or_else(|| IntOrString::String(DEFAULT_MAX_SURGE_UNAVAILABLE.into()))
    }

    /// `GetProgressDeadlineSecondsOrDefault`.
    pub fn progress_deadline_seconds(&self) -> i32 {
        self.spec.progress_deadline_seconds.unwrap_or(DEFAULT_PROGRESS_DEADLINE_SECONDS)
    }

    /// `GetScaleDownDelaySecondsOrDefault`: blue-green 30; canary with traffic routing 30;
    /// basic canary 0.
    pub fn scale_down_delay_seconds(&self) -> i32 {
        if let Some(b) = self.blue_green() {
            return b.scale_down_delay_seconds.unwrap_or(DEFAULT_SCALE_DOWN_DELAY_SECONDS);
        }
        match self.canary() {
            Some(c) if c.traffic_routing.is_some() => {
                c.scale_down_delay_seconds.unwrap_or(DEFAULT_SCALE_DOWN_DELAY_SECONDS)
            }
            _ => 0,
        }
    }

    /// `GetAbortScaleDownDelaySecondsOrDefault`: `None` means "never scale down" (an explicit
    /// 0) or "not applicable" (a basic canary).
    pub fn abort_scale_down_delay_seconds(&self) -> Option<i32> {
        if let Some(b) = self.blue_green() {
            return match b.abort_scale_down_delay_seconds {
                Some(0) => None,
                Some(s) => Some(s),
                None => Some(DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS),
            };
        }
        match self.canary() {
            Some(c) if c.traffic_routing.is_some() => match c.abort_scale_down_delay_seconds {
                Some(0) => None,
                Some(s) => Some(s),
                None => Some(DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS),
            },
            _ => None,
        }
    }

    /// `HasExplicitAbortScaleDownDelay`.
    /// An explicit `abortScaleDownDelaySeconds: 0` is not one (it disables the scale-down).
    pub fn has_explicit_abort_scale_down_delay(&self) -> bool {
        let set = match (self.canary(), self.blue_green()) {
            (_, Some(b)) => b.abort_scale_down_delay_seconds,
            (Some(c), None) if c.traffic_routing.is_some() => c.abort_scale_down_delay_seconds,
            _ => None,
        };
        set.is_some_and(|s| s != 0)
    }

    /// `GetScaleDownRevisionLimit`.
    pub fn scale_down_revision_limit(&self) -> i32 {
        let set = match (self.canary(), self.blue_green()) {
            (_, Some(b)) => b.scale_down_delay_revision_limit,
            (Some(c), None) => c.scale_down_delay_revision_limit,
            _ => None,
        };
        set.unwrap_or(i32::MAX)
    }

    /// Every analysis of the Rollout with its field path: the steps', the background one,
    /// blue-green pre- and post-promotion.
    pub fn analyses(&self) -> Vec<(String, &RolloutAnalysis)> {
        let mut out = Vec::new();
        if let Some(c) = self.canary() {
            for (i, s) in c.steps.iter().enumerate() {
                if let Some(a) = &s.analysis {
                    out.push((format!("spec.strategy.canary.steps[{i}].analysis"), &**a));
                }
            }
            if let Some(bg) = &c.analysis {
                out.push(("spec.strategy.canary.analysis".to_string(), &bg.analysis));
            }
        }
        if let Some(b) = self.blue_green() {
            for (field, a) in [
                ("prePromotionAnalysis", &b.pre_promotion_analysis),
                ("postPromotionAnalysis", &b.post_promotion_analysis),
            ] {
                if let Some(a) = a {
                    out.push((format!("spec.strategy.blueGreen.{field}"), a));
                }
            }
        }
        out
    }

    /// `IsFullyPromoted`: `stableRS == currentPodHash`.
    pub fn is_fully_promoted(&self) -> bool {
        self.status.stable_rs == self.status.current_pod_hash
    }
}

/// `ComputeStepHash`: FNV-32a over the JSON of the steps, rendered through Kubernetes'
/// `rand.SafeEncodeString`; "" for blue-green. Only equality matters (it detects step edits).
pub fn step_hash(rollout: &Rollout) -> String {
    let Some(canary) = rollout.canary() else { return String::new() };
    if rollout.blue_green().is_some() {
        return String::new();
    }
    let json = serde_json::to_vec(&canary.steps).unwrap_or_default();
    let mut h: u32 = 0x811c_9dc5;
    for b in json {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    safe_encode(&h.to_string())
}

/// Kubernetes' `rand.SafeEncodeString`: each byte mapped onto an alphabet without vowels.
pub fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes().map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char).collect()
}

/// A pod-template hash for a template: FNV-32a of its JSON, safe-encoded. (Argo hashes the Go
/// struct; Augur takes the revision id as an input where it matters, so any stable hash will
/// do.)
pub fn pod_template_hash(template: Option<&serde_json::Value>) -> String {
    let json = template.map(|t| serde_json::to_vec(t).unwrap_or_default()).unwrap_or_default();
    let mut h: u32 = 0x811c_9dc5;
    for b in json {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    safe_encode(&h.to_string())
}
