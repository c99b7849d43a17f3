//! `MetricProvider` and the configuration types of the built-in providers Augur implements.
//!
//! Providers Augur does not implement (Kayenta, Wavefront, NewRelic, CloudWatch, Graphite,
//! InfluxDB, SkyWalking) are kept as free-form JSON so that they survive a round trip.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::meta::ObjectMeta;

/// Which external system measures a metric (`MetricProvider`). Argo expects exactly one
/// provider; the struct keeps whatever the document said so that validation can report
/// `no provider specified` / `multiple providers specified`.
///
/// Fields are declared in Go's order, which is the JSON field order of a serialized metric.
/// The typed providers are boxed: a metric carries one of them, and the others cost a pointer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricProvider {
    /// `prometheus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<Box<PrometheusMetric>>,
    /// `kayenta` (not implemented by Augur; kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kayenta: Option<Box<serde_json::Value>>,
    /// `web`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<Box<WebMetric>>,
    /// `datadog`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadog: Option<Box<DatadogMetric>>,
    /// `wavefront` (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wavefront: Option<Box<serde_json::Value>>,
    /// `newRelic` (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_relic: Option<Box<serde_json::Value>>,
    /// `job`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<Box<JobMetric>>,
    /// `cloudWatch` (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_watch: Option<Box<serde_json::Value>>,
    /// `graphite` (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graphite: Option<Box<serde_json::Value>>,
    /// `influxdb` (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub influxdb: Option<Box<serde_json::Value>>,
    /// `skywalking` (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skywalking: Option<Box<serde_json::Value>>,
    /// `plugin`: plugin name (`<namespace>/<name>`) → free-form configuration. Every key counts
    /// as one provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<BTreeMap<String, serde_json::Value>>,
    /// Keys that are not providers Argo knows (typos, providers of newer Argo versions). Argo
    /// drops them; they are kept so that lint can report them.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// (JSON key, Argo `Type()` string) of the non-plugin providers, in Argo's selection order
/// (`metricproviders.Type`).
const SELECTION_ORDER: [(&str, &str); 11] = [
    ("prometheus", "Prometheus"),
    ("job", "Job"),
    ("kayenta", "Kayenta"),
    ("web", "Web"),
    ("datadog", "Datadog"),
    ("wavefront", "Wavefront"),
    ("newRelic", "NewRelic"),
    ("cloudWatch", "CloudWatch"),
    ("graphite", "Graphite"),
    ("influxdb", "Influxdb"),
    // Argo's `skywalking.ProviderType` really is lower case.
    ("skywalking", "skywalking"),
];

impl MetricProvider {
    fn present(&self, key: &str) -> bool {
        match key {
            "prometheus" => self.prometheus.is_some(),
            "job" => self.job.is_some(),
            "kayenta" => self.kayenta.is_some(),
            "web" => self.web.is_some(),
            "datadog" => self.datadog.is_some(),
            "wavefront" => self.wavefront.is_some(),
            "newRelic" => self.new_relic.is_some(),
            "cloudWatch" => self.cloud_watch.is_some(),
            "graphite" => self.graphite.is_some(),
            "influxdb" => self.influxdb.is_some(),
            "skywalking" => self.skywalking.is_some(),
            _ => false,
        }
    }

    /// The providers present, in Argo's selection order (prometheus, job, kayenta, web,
    /// datadog, wavefront, newRelic, cloudWatch, graphite, influxdb, skywalking, plugin), by
    /// JSON key. Each plugin counts once, as `plugin:<name>`; unknown keys come last, by name.
    /// Argo's validation counts exactly these (`no provider specified` when empty,
    /// `multiple providers specified` when longer than one), except that unknown keys do not
    /// exist for Argo.
    pub fn kinds(&self) -> Vec<String> {
        let mut out: Vec<String> =
            SELECTION_ORDER.iter().filter(|(key, _)| self.present(key)).map(|(key, _)| (*key).to_owned()).collect();
        if let Some(plugins) = &self.plugin {
            out.extend(plugins.keys().map(|name| format!("plugin:{name}")));
        }
        out.extend(self.unknown.keys().cloned());
        out
    }

    /// Argo's provider `Type()` of the provider that would be used: the first present in
    /// selection order — `Prometheus`, `Job`, `Kayenta`, `Web`, `Datadog`, `Wavefront`,
    /// `NewRelic`, `CloudWatch`, `Graphite`, `Influxdb`, `skywalking` (lower case in Argo's
    /// code), `RPCPlugin`. A `plugin` map counts even when empty (Go tests it against nil).
    /// `None` is Argo's `"Unknown Provider"`.
    pub fn type_name(&self) -> Option<&'static str> {
        SELECTION_ORDER
            .iter()
            .find(|(key, _)| self.present(key))
            .map(|(_, ty)| *ty)
            .or_else(|| self.plugin.as_ref().map(|_| "RPCPlugin"))
    }
}

/// `prometheus`: a PromQL query (`PrometheusMetric`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrometheusMetric {
    /// `address`: server URL (empty: env `ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    /// `query`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// `authentication` (always serialized: a non-pointer struct in Go).
    #[serde(default)]
    pub authentication: Authentication,
    /// `timeout` in seconds (unset: 30 s; `0` is an already expired deadline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    /// `insecure`: skip TLS verification.
    #[serde(default, skip_serializing_if = "is_false")]
    pub insecure: bool,
    /// `headers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<WebMetricHeader>,
    /// `rangeQuery`: makes it a range query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range_query: Option<PrometheusRangeQueryArgs>,
}

/// `prometheus.rangeQuery` (`PrometheusRangeQueryArgs`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrometheusRangeQueryArgs {
    /// `start`: a time expression (`now() - duration("1h")`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub start: String,
    /// `end`: a time expression.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub end: String,
    /// `step`: a duration string.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub step: String,
}

/// `authentication` of Prometheus and Web (`Authentication`). Go serializes every member even
/// when empty (`{"sigv4":{},"oauth2":{},"basicAuth":{}}`), and so does this type.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authentication {
    /// `sigv4`.
    #[serde(default)]
    pub sigv4: Sigv4Config,
    /// `oauth2`.
    #[serde(default)]
    pub oauth2: OAuth2Config,
    /// `basicAuth`.
    #[serde(default)]
    pub basic_auth: BasicAuthConfig,
}

/// `authentication.sigv4` (`Sigv4Config`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sigv4Config {
    /// `region`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// `profile`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub profile: String,
    /// `roleArn`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub role_arn: String,
}

impl Sigv4Config {
    /// True when no member is set.
    pub fn is_empty(&self) -> bool {
        self.region.is_empty() && self.profile.is_empty() && self.role_arn.is_empty()
    }
}

/// `authentication.oauth2` (`OAuth2Config`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2Config {
    /// `tokenUrl`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub token_url: String,
    /// `clientId`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_id: String,
    /// `clientSecret`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_secret: String,
    /// `scopes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
}

/// `authentication.basicAuth` (`BasicAuthConfig`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BasicAuthConfig {
    /// `username`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// `password`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub password: String,
}

/// An HTTP header (`WebMetricHeader`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WebMetricHeader {
    /// `key`.
    pub key: String,
    /// `value`.
    pub value: String,
}

/// `web`: an HTTP request whose JSON answer is the result (`WebMetric`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebMetric {
    /// `method` (empty: `GET`; any string is passed through).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub method: String,
    /// `url`.
    pub url: String,
    /// `headers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<WebMetricHeader>,
    /// `body`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// `timeoutSeconds` (≤ 0: 10).
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub timeout_seconds: i64,
    /// `jsonPath` (empty: `{$}`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub json_path: String,
    /// `insecure`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub insecure: bool,
    /// `jsonBody`: arbitrary JSON sent as the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_body: Option<serde_json::Value>,
    /// `authentication` (only `oauth2` is used by Web; always serialized).
    #[serde(default)]
    pub authentication: Authentication,
}

impl WebMetric {
    /// The method actually used: `GET` when empty.
    pub fn method_or_default(&self) -> &str {
        if self.method.is_empty() { "GET" } else { &self.method }
    }

    /// The client timeout actually used, in seconds: `timeoutSeconds`, or 10 when ≤ 0.
    pub fn timeout_seconds_or_default(&self) -> i64 {
        if self.timeout_seconds <= 0 { 10 } else { self.timeout_seconds }
    }

    /// The JSONPath actually used: `{$}` when empty.
    pub fn json_path_or_default(&self) -> &str {
        if self.json_path.is_empty() { "{$}" } else { &self.json_path }
    }
}

/// `datadog` (`DatadogMetric`). The CRD defaults (`apiVersion: v1`, `interval: 5m`,
/// `requestTimeout: 10s`) are not applied when reading, so that a round trip keeps the
/// document as written; use the `*_or_default` accessors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatadogMetric {
    /// `interval`: the look-back window (CRD default `5m`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub interval: String,
    /// `query` (v1, or a single v2 query).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// `queries`: name → query (v2).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub queries: BTreeMap<String, String>,
    /// `formula` over `queries` (v2).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub formula: String,
    /// `apiVersion`: `v1` or `v2` (CRD default `v1`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// `aggregator` (v2).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub aggregator: String,
    /// `secretRef` (always serialized: a non-pointer struct in Go).
    #[serde(default)]
    pub secret_ref: SecretRef,
    /// `requestTimeout`: a duration string (CRD default `10s`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub request_timeout: String,
}

impl DatadogMetric {
    /// `apiVersion` with the CRD default applied: `v1` when empty.
    pub fn api_version_or_default(&self) -> &str {
        if self.api_version.is_empty() { "v1" } else { &self.api_version }
    }

    /// `interval` with the CRD default applied: `5m` when empty.
    pub fn interval_or_default(&self) -> &str {
        if self.interval.is_empty() { "5m" } else { &self.interval }
    }

    /// `requestTimeout` with the CRD default applied: `10s` when empty.
    pub fn request_timeout_or_default(&self) -> &str {
        if self.request_timeout.is_empty() { "10s" } else { &self.request_timeout }
    }
}

/// `datadog.secretRef` (`SecretRef`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretRef {
    /// `name`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `namespaced`: the Secret lives in the run's namespace.
    #[serde(default, skip_serializing_if = "is_false")]
    pub namespaced: bool,
}

/// `job`: a Kubernetes Job whose completion is the result (`JobMetric`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct JobMetric {
    /// `metadata` of the Job to create (always serialized, as in Go).
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// `spec`: a `batchv1.JobSpec`, kept verbatim.
    pub spec: serde_json::Value,
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero_i64(i: &i64) -> bool {
    *i == 0
}
