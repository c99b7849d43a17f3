//! AnalysisTemplate, ClusterAnalysisTemplate, AnalysisRun and their specs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::int_or_string::IntOrString;
use super::meta::ObjectMeta;
use super::provider::{MetricProvider, is_false};
use super::status::AnalysisRunStatus;

/// The `apiVersion` of Argo's analysis kinds.
pub const API_VERSION: &str = "argoproj.io/v1alpha1";

/// A namespaced `AnalysisTemplate`. (`kind` is declared before `apiVersion` because Go's
/// `TypeMeta` serializes it first.)
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisTemplate {
    /// `kind` (`AnalysisTemplate`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// `apiVersion` (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// `metadata` (always serialized, as in Go).
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// `spec`.
    pub spec: AnalysisTemplateSpec,
}

/// A cluster-scoped `ClusterAnalysisTemplate`; same shape as [`AnalysisTemplate`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterAnalysisTemplate {
    /// `kind` (`ClusterAnalysisTemplate`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// `apiVersion` (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// `metadata` (always serialized, as in Go).
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// `spec`.
    pub spec: AnalysisTemplateSpec,
}

/// The `spec` of both template kinds (`AnalysisTemplateSpec`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisTemplateSpec {
    /// `metrics`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Metric>,
    /// `args`: template parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<Argument>,
    /// `dryRun` rules (regular expressions over metric names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dry_run: Vec<DryRun>,
    /// `measurementRetention` rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measurement_retention: Vec<MeasurementRetention>,
    /// `templates`: further templates to merge in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<AnalysisTemplateRef>,
    /// Keys Argo does not know (typos such as `metric:`); Argo drops them, they are kept for
    /// lint.
    #[serde(flatten)]
    pub unknown_fields: BTreeMap<String, serde_json::Value>,
}

/// A reference to another template (`AnalysisTemplateRef`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisTemplateRef {
    /// `templateName`.
    #[serde(default)]
    pub template_name: String,
    /// `clusterScope`: look up a ClusterAnalysisTemplate. (Go has a `*bool`; an explicit
    /// `false` is read as absent and not written back.)
    #[serde(default, skip_serializing_if = "is_false")]
    pub cluster_scope: bool,
}

/// One metric of a template or run (`Metric`).
///
/// Fields are declared — and serialized — in Go's order (`name`, `interval`, `initialDelay`,
/// `count`, `successCondition`, `failureCondition`, `failureLimit`, `inconclusiveLimit`,
/// `consecutiveErrorLimit`, `provider`, `consecutiveSuccessLimit`), which Argo's placeholder
/// substitution observes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    /// `name`: unique within a run.
    pub name: String,
    /// `interval`: a Go duration string; `""` means unset.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub interval: String,
    /// `initialDelay`: a Go duration string; `""` means unset.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub initial_delay: String,
    /// `count`: number of measurements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<IntOrString>,
    /// `successCondition`: an expr expression; `""` means unset.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub success_condition: String,
    /// `failureCondition`: an expr expression; `""` means unset.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub failure_condition: String,
    /// `failureLimit` (unset: 0; `-1` disables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_limit: Option<IntOrString>,
    /// `inconclusiveLimit` (unset: 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inconclusive_limit: Option<IntOrString>,
    /// `consecutiveErrorLimit` (unset: 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_error_limit: Option<IntOrString>,
    /// `provider`.
    pub provider: MetricProvider,
    /// `consecutiveSuccessLimit` (unset: 0, disabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_success_limit: Option<IntOrString>,
    /// Keys Argo does not know (typos such as `sucessCondition`); Argo drops them, they are
    /// kept for lint. They are serialized back (after the known fields), whereas Go's JSON of a
    /// metric has none: clear them before working on the JSON form as Argo does (placeholder
    /// substitution).
    #[serde(flatten)]
    pub unknown_fields: BTreeMap<String, serde_json::Value>,
}

/// A dry-run rule (`DryRun`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRun {
    /// `metricName`: an unanchored regular expression over metric names.
    pub metric_name: String,
}

/// A measurement-retention rule (`MeasurementRetention`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeasurementRetention {
    /// `metricName`: an unanchored regular expression over metric names.
    pub metric_name: String,
    /// `limit`: measurements kept per matching metric (Go `int32`).
    pub limit: i32,
}

/// `ttlStrategy` of a run (`TTLStrategy`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TtlStrategy {
    /// `secondsAfterCompletion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_after_completion: Option<i32>,
    /// `secondsAfterFailure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_after_failure: Option<i32>,
    /// `secondsAfterSuccess`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_after_success: Option<i32>,
}

/// A template or run argument (`Argument`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Argument {
    /// `name`, used as `{{args.<name>}}`.
    pub name: String,
    /// `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `valueFrom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<ValueFrom>,
}

/// `valueFrom` of an argument (`ValueFrom`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueFrom {
    /// `secretKeyRef`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key_ref: Option<SecretKeyRef>,
    /// `fieldRef` (never resolved by the analysis controller).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_ref: Option<FieldRef>,
}

/// `valueFrom.secretKeyRef` (`SecretKeyRef`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SecretKeyRef {
    /// `name` of the Secret.
    pub name: String,
    /// `key` within the Secret.
    pub key: String,
}

/// `valueFrom.fieldRef` (`FieldRef`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldRef {
    /// `fieldPath`.
    pub field_path: String,
}

/// An `AnalysisRun`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRun {
    /// `kind` (`AnalysisRun`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// `apiVersion` (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// `metadata` (always serialized, as in Go).
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// `spec`.
    pub spec: AnalysisRunSpec,
    /// `status` (always serialized, as in Go).
    #[serde(default)]
    pub status: AnalysisRunStatus,
}

/// The `spec` of an `AnalysisRun` (`AnalysisRunSpec`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRunSpec {
    /// `metrics` (placeholders unresolved; always serialized).
    pub metrics: Vec<Metric>,
    /// `args`: the merged arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<Argument>,
    /// `terminate`: stop the run.
    #[serde(default, skip_serializing_if = "is_false")]
    pub terminate: bool,
    /// `dryRun` rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dry_run: Vec<DryRun>,
    /// `measurementRetention` rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measurement_retention: Vec<MeasurementRetention>,
    /// `ttlStrategy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_strategy: Option<TtlStrategy>,
    /// Keys Argo does not know; kept for lint.
    #[serde(flatten)]
    pub unknown_fields: BTreeMap<String, serde_json::Value>,
}
