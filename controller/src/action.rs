//! What the engine asks the world to do. A driver performs them in order through the
//! [`crate::traits`] (Kubernetes, NGINX, ... or the simulator).

use augur_analysis_core::spec::{Argument, DryRun, MeasurementRetention, Time};
use serde::Serialize;

use crate::rollout::{SetHeaderRoute, SetMirrorRoute, WeightDestination};
use crate::world::RunKind;

/// One action of a reconcile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum Action {
    /// Create the ReplicaSet for the current template with 0 replicas.
    CreateReplicaSet {
        /// Its pod-template hash.
        hash: String,
        /// Its revision.
        revision: i64,
    },
    /// Set a ReplicaSet's revision annotation (a rollback reuses an old ReplicaSet).
    SetRevision {
        /// The ReplicaSet.
        hash: String,
        /// The new revision.
        revision: i64,
    },
    /// Scale a ReplicaSet (and record the rollout size in its desired-replicas annotation).
    ScaleReplicaSet {
        /// The ReplicaSet.
        hash: String,
        /// New `spec.replicas`.
        replicas: i32,
        /// The rollout's `spec.replicas`, for the desired-replicas annotation.
        rollout_replicas: i32,
        /// Also drop the scale-down-deadline annotation (a full scale-down).
        clear_deadline: bool,
    },
    /// Set or remove a ReplicaSet's scale-down-deadline annotation.
    SetScaleDownDeadline {
        /// The ReplicaSet.
        hash: String,
        /// The deadline; `None` removes it.
        at: Option<Time>,
    },
    /// Point a Service's selector at a revision.
    SwitchService {
        /// The Service.
        service: String,
        /// The pod-template hash.
        hash: String,
    },
    /// Tell the traffic router the canary and stable hashes.
    UpdateHash {
        /// Canary hash.
        canary: String,
        /// Stable hash.
        stable: String,
    },
    /// Set the canary's traffic weight.
    SetWeight {
        /// The weight (out of `maxTrafficWeight`).
        weight: i32,
        /// Additional destinations (experiments; empty here).
        additional: Vec<WeightDestination>,
    },
    /// Install (or, without matches, remove) a header route.
    SetHeaderRoute(SetHeaderRoute),
    /// Install (or, without matches, remove) a mirror route.
    SetMirrorRoute(SetMirrorRoute),
    /// Remove every managed route.
    RemoveManagedRoutes,
    /// Create an AnalysisRun.
    CreateAnalysisRun(AnalysisRunRequest),
    /// Terminate a running AnalysisRun (`spec.terminate: true`).
    TerminateAnalysisRun {
        /// The run.
        name: String,
    },
    /// A Kubernetes event on the Rollout.
    Event {
        /// `reason`.
        reason: String,
        /// `message`.
        message: String,
        /// Warning (true) or Normal.
        warning: bool,
    },
}

/// An AnalysisRun to create for the Rollout.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRunRequest {
    /// `metadata.name`.
    pub name: String,
    /// Which analysis it is.
    pub kind: RunKind,
    /// The step index of a step run.
    pub step_index: Option<i32>,
    /// Labels (`rollout-type`, `step-index`, `rollouts-pod-template-hash`, and
    /// `analysisRunMetadata.labels`).
    pub labels: std::collections::BTreeMap<String, String>,
    /// The templates to instantiate.
    pub templates: Vec<augur_analysis_core::spec::AnalysisTemplateRef>,
    /// The Rollout's arguments with `valueFrom` resolved (the templates' own declarations
    /// decide which survive: `MergeArgs`).
    pub args: Vec<Argument>,
    /// `dryRun` rules.
    pub dry_run: Vec<DryRun>,
    /// `measurementRetention` rules.
    pub measurement_retention: Vec<MeasurementRetention>,
}
