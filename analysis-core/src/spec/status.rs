//! `AnalysisRun` status: what the engine writes.
//!
//! Serialization matches Go's `encoding/json` output for Argo's types field for field:
//! `omitempty` fields are skipped when zero, non-`omitempty` ones (`phase`, `name`) and
//! non-pointer structs (`runSummary`) are always written.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::provider::is_false;
use super::string_map::StringMap;
use super::time::Time;
use crate::phase::Phase;

/// `status` of an `AnalysisRun` (`AnalysisRunStatus`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRunStatus {
    /// `phase`: `None` is Go's `""` (not yet reconciled); always serialized.
    #[serde(default, serialize_with = "serialize_run_phase", deserialize_with = "deserialize_run_phase")]
    pub phase: Option<Phase>,
    /// `message`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// `metricResults`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metric_results: Vec<MetricResult>,
    /// `startedAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// `runSummary` (always serialized: a non-pointer struct in Go).
    #[serde(default)]
    pub run_summary: RunSummary,
    /// `dryRunSummary`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run_summary: Option<RunSummary>,
    /// `completedAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Time>,
}

fn serialize_run_phase<S: Serializer>(phase: &Option<Phase>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(phase.map_or("", Phase::as_str))
}

fn deserialize_run_phase<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Phase>, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = Option<Phase>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a phase (Pending, Running, Successful, Failed, Error, Inconclusive) or \"\"")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Option<Phase>, E> {
            if v.is_empty() {
                return Ok(None);
            }
            v.parse().map(Some).map_err(|_| {
                E::unknown_variant(v, &["", "Pending", "Running", "Successful", "Failed", "Error", "Inconclusive"])
            })
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<Phase>, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Option<Phase>, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// Counts over the metrics of a run (`RunSummary`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    /// `count`: metrics counted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub count: i32,
    /// `successful`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub successful: i32,
    /// `failed`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed: i32,
    /// `inconclusive`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub inconclusive: i32,
    /// `error`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub error: i32,
}

/// The state of one metric within a run (`MetricResult`).
///
/// Fields are declared in Go's order, which is the JSON order Argo writes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricResult {
    /// `name` of the metric.
    pub name: String,
    /// `phase`.
    pub phase: Phase,
    /// `measurements`, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measurements: Vec<Measurement>,
    /// `message`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// `count`: non-error measurements.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub count: i32,
    /// `successful`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub successful: i32,
    /// `failed`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed: i32,
    /// `inconclusive`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub inconclusive: i32,
    /// `error`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub error: i32,
    /// `consecutiveError`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub consecutive_error: i32,
    /// `dryRun`: captured when the result is created.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dry_run: bool,
    /// `metadata` from the provider's `GetMetadata`.
    #[serde(default, skip_serializing_if = "StringMap::is_empty")]
    pub metadata: StringMap,
    /// `consecutiveSuccess`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub consecutive_success: i32,
}

/// One measurement (`Measurement`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Measurement {
    /// `phase`.
    pub phase: Phase,
    /// `message`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// `startedAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// `finishedAt` (unset while in flight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    /// `value`: the provider's rendering of the result.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// `metadata` (provider-specific).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    /// `resumeAt`: earliest time to resume an in-flight measurement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_at: Option<Time>,
}

fn is_zero(i: &i32) -> bool {
    *i == 0
}
