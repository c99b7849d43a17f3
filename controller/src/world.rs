//! What the engine observes: the Rollout's ReplicaSets, its Services and its AnalysisRuns.
//! A Kubernetes driver fills these from informers; the simulator from its virtual cluster.

use std::collections::BTreeMap;

use augur_analysis_core::Phase;
use augur_analysis_core::spec::Time;
use serde::{Deserialize, Serialize};

/// One ReplicaSet of the Rollout, identified by its pod-template hash.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSet {
    /// The `rollouts-pod-template-hash` label.
    pub hash: String,
    /// The `rollout.argoproj.io/revision` annotation.
    pub revision: i64,
    /// `spec.replicas`.
    pub replicas: i32,
    /// `status.replicas`: pods created.
    pub status_replicas: i32,
    /// `status.readyReplicas`.
    #[serde(default)]
    pub ready: i32,
    /// `status.availableReplicas`.
    pub available: i32,
    /// The `rollout.argoproj.io/desired-replicas` annotation: the rollout size it was last
    /// scaled for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_replicas: Option<i32>,
    /// The `scale-down-deadline` annotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_deadline: Option<Time>,
    /// Creation order (a timestamp or a counter): older ReplicaSets have smaller values.
    #[serde(default)]
    pub created: i64,
}

impl ReplicaSet {
    /// `IsSaturated`: scaled to `replicas` for a rollout of that size and all available.
    pub fn is_saturated(&self, replicas: i32) -> bool {
        self.replicas == replicas && self.desired_replicas == Some(replicas) && self.available == replicas
    }
}

/// A Service the Rollout manages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// The `rollouts-pod-template-hash` in its selector, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// The `argo-rollouts.argoproj.io/managed-by-rollouts` annotation.
    #[serde(default)]
    pub managed: bool,
}

/// Which analysis of the Rollout a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RunKind {
    /// A canary `analysis` step.
    Step,
    /// The canary background analysis.
    Background,
    /// Blue-green pre-promotion analysis.
    PrePromotion,
    /// Blue-green post-promotion analysis.
    PostPromotion,
}

impl RunKind {
    /// The `rollout-type` label value.
    pub fn label(self) -> &'static str {
        match self {
            RunKind::Step => "Step",
            RunKind::Background => "Background",
            RunKind::PrePromotion => "PrePromotion",
            RunKind::PostPromotion => "PostPromotion",
        }
    }
}

/// An AnalysisRun owned by the Rollout.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedRun {
    /// `metadata.name`.
    pub name: String,
    /// `status.phase` (absent before the analysis controller's first reconcile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// `status.message`.
    #[serde(default)]
    pub message: String,
    /// The `step-index` label of a step run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_index: Option<i32>,
    /// `spec.terminate`.
    #[serde(default)]
    pub terminated: bool,
}

/// Everything the engine reads besides the Rollout itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observed {
    /// The pod-template hash of `spec.template` (the revision id).
    pub template_hash: String,
    /// The Rollout's ReplicaSets.
    #[serde(default)]
    pub replica_sets: Vec<ReplicaSet>,
    /// Services by name.
    #[serde(default)]
    pub services: BTreeMap<String, Service>,
    /// The Rollout's AnalysisRuns.
    #[serde(default)]
    pub analysis_runs: Vec<ObservedRun>,
}

/// A borrowed view of what the engine observes: the same four things as [`Observed`], read
/// in place from wherever a driver keeps them (the simulator's cluster, an informer cache), so
/// a reconcile needs no copy of the world.
#[derive(Debug, Clone, Copy)]
pub struct ObservedView<'a> {
    /// The pod-template hash of `spec.template` (the revision id).
    pub template_hash: &'a str,
    /// The Rollout's ReplicaSets.
    pub replica_sets: &'a [ReplicaSet],
    /// Services by name.
    pub services: &'a BTreeMap<String, Service>,
    /// The Rollout's AnalysisRuns.
    pub analysis_runs: &'a [ObservedRun],
}

impl Observed {
    /// A view of it.
    pub fn view(&self) -> ObservedView<'_> {
        ObservedView {
            template_hash: &self.template_hash,
            replica_sets: &self.replica_sets,
            services: &self.services,
            analysis_runs: &self.analysis_runs,
        }
    }
}
