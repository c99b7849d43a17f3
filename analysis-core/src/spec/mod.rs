//! Argo's analysis CRDs as Rust types, and loading them from YAML with precise error locations.
//!
//! * Types: [`AnalysisTemplate`], [`ClusterAnalysisTemplate`], [`AnalysisRun`] and everything
//!   they contain, with Argo's JSON field names (`argoproj.io/v1alpha1`,
//!   `pkg/apis/rollouts/v1alpha1/analysis_types.go`). Serialization reproduces Go's
//!   `encoding/json` output: `omitempty` fields are skipped when zero, other fields — and
//!   non-pointer structs such as `runSummary` or `authentication`, which Go never omits — are
//!   always written. So a serialized status diffs cleanly against a real AnalysisRun.
//! * Deserialization accepts unknown fields (Kubernetes objects carry more than Argo reads);
//!   those of [`Metric`], [`AnalysisTemplateSpec`], [`AnalysisRunSpec`] and
//!   [`MetricProvider`] are kept (`unknown_fields` / `unknown`) so that lint can report typos.
//!   Fields the CRD marks required (`metrics[].name`, `metrics[].provider`, `spec`, ...) are
//!   required. CRD defaults are not applied (see the `*_or_default` accessors).
//! * Loading: [`load_documents`] reads a multi-document YAML stream and returns located
//!   objects ([`Located`]) with a [`SourceMap`] from field paths to lines and columns; every
//!   error is a [`LoadError`] `origin:line:column: path: message`. YAML scalars are resolved
//!   as `kubectl` would send them to the API server (see [`load_documents`]).
//! * [`to_go_json`]: the byte-exact JSON Go would write for any of these types.

mod analysis;
mod int_or_string;
mod json;
mod load;
mod meta;
mod provider;
mod provider_checks;
mod source_map;
mod status;
mod string_map;
mod time;
mod yaml;

pub use analysis::{
    API_VERSION, AnalysisRun, AnalysisRunSpec, AnalysisTemplate, AnalysisTemplateRef, AnalysisTemplateSpec, Argument,
    ClusterAnalysisTemplate, DryRun, FieldRef, MeasurementRetention, Metric, SecretKeyRef, TtlStrategy, ValueFrom,
};
pub use int_or_string::IntOrString;
pub use json::to_go_json;
pub use load::{Document, LoadError, Located, YamlDocument, load_documents, load_yaml};
pub use meta::ObjectMeta;
pub use provider::{
    Authentication, BasicAuthConfig, DatadogMetric, JobMetric, MetricProvider, OAuth2Config, PrometheusMetric,
    PrometheusRangeQueryArgs, SecretRef, Sigv4Config, WebMetric, WebMetricHeader,
};
pub use provider_checks::{AGGREGATORS, DATADOG_API_VERSIONS};
pub use source_map::{SourceMap, join_index, join_key, parent_path};
pub use status::{AnalysisRunStatus, Measurement, MetricResult, RunSummary};
pub use string_map::StringMap;
pub use time::Time;
pub use yaml::ValueStyle;
