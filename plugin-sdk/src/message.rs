//! The JSON messages of ABI v1 (`ABI.md`, "Messages"): what the host hands a plugin and what
//! the plugin answers. Field names are camelCase on the wire.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::raw::RawJson;

/// What `augur_describe` returns: who the plugin is and what it needs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Describe {
    /// The ABI version the plugin speaks (the same number `augur_abi_version` returns).
    pub abi: u32,
    /// `<namespace>/<name>`, as metrics name it under `provider.plugin`.
    pub name: String,
    /// The plugin's own version (free-form, semver by convention).
    pub version: String,
    /// One line for humans.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// A JSON Schema of the metric's configuration (`provider.plugin.<name>`); informative.
    #[serde(default, skip_serializing_if = "Json::is_null")]
    pub config_schema: Json,
    /// The hosts the plugin expects to talk to (`host` or `host:port`; `*` for "whatever the
    /// configuration names"). Informative: the operator's registry entry decides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// The authentication kinds it can use ([`AuthKind`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth: Vec<AuthKind>,
}

/// A kind of authentication the host can inject into a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic <base64(user:password)>`.
    Basic,
    /// An arbitrary header whose value is a secret (`DD-API-KEY: ...`).
    Header,
}

/// The run a measurement is taken for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunInfo {
    /// `metadata.name` of the AnalysisRun.
    #[serde(default)]
    pub name: String,
    /// `metadata.namespace`.
    #[serde(default)]
    pub namespace: String,
    /// `metadata.uid`.
    #[serde(default)]
    pub uid: String,
}

/// Why the host is stepping the plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Call {
    /// A new measurement (Argo's `Run`).
    #[default]
    Run,
    /// A measurement the plugin left pending (Argo's `Resume`).
    Resume,
}

/// What `augur_step` receives.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepInput {
    /// The ABI version of this message (1).
    pub abi: u32,
    /// The plugin's name as the metric spells it.
    pub plugin: String,
    /// The metric's name.
    pub metric: String,
    /// The metric's configuration (`provider.plugin.<name>`), placeholders (args) already
    /// substituted; decode it with [`RawJson::parse`].
    #[serde(default)]
    pub config: RawJson,
    /// The run.
    #[serde(default)]
    pub run: RunInfo,
    /// Whether this measurement is new or resumed.
    #[serde(default)]
    pub call: Call,
    /// The time of the call by the host's clock, RFC 3339 (`2026-11-26T15:07:21Z`).
    pub now: String,
    /// The same time as Unix seconds with a fractional part (Prometheus' `time=`).
    pub now_unix: f64,
    /// Index of this step within the measurement, from 0; it keeps counting across resumes.
    pub step: u32,
    /// The `state` the plugin returned with its previous answer (`null` on the first step).
    #[serde(default)]
    pub state: Json,
    /// The answers to the previous step's requests, in the same order (empty otherwise).
    #[serde(default)]
    pub responses: Vec<HttpResponse>,
}

/// An HTTP request the plugin wants the host to perform.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRequest {
    /// `GET`, `POST`, ... (empty: `GET`).
    #[serde(default)]
    pub method: String,
    /// An absolute `http://` or `https://` URL; its host must be allowed for the plugin.
    pub url: String,
    /// Headers to send (`Authorization` is refused: use `auth`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The body, as text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// The name of an auth profile of the plugin's registry entry, which the host applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<String>,
    /// A timeout for this request in milliseconds (capped by the host's limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

impl HttpRequest {
    /// A `GET` of `url`.
    pub fn get(url: impl Into<String>) -> HttpRequest {
        HttpRequest { method: "GET".into(), url: url.into(), ..Default::default() }
    }

    /// A `POST` of `body` to `url` with the given content type.
    pub fn post(url: impl Into<String>, content_type: &str, body: impl Into<String>) -> HttpRequest {
        let mut headers = BTreeMap::new();
        headers.insert("content-type".to_string(), content_type.to_string());
        HttpRequest { method: "POST".into(), url: url.into(), headers, body: body.into(), ..Default::default() }
    }

    /// The method actually used: `GET` when empty.
    pub fn method_or_default(&self) -> &str {
        if self.method.is_empty() { "GET" } else { &self.method }
    }
}

/// The host's answer to one [`HttpRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpResponse {
    /// The status code (0 when the request failed before a response, see `error`).
    #[serde(default)]
    pub status: u16,
    /// Response headers, names in lower case (repeated headers joined with `, `).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The body as text (invalid UTF-8 replaced by U+FFFD).
    #[serde(default)]
    pub body: String,
    /// A transport failure (connection refused, timeout, body over the size cap), in which
    /// case `status` is 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl HttpResponse {
    /// A response with `status` and `body`.
    pub fn new(status: u16, body: impl Into<String>) -> HttpResponse {
        HttpResponse { status, body: body.into(), ..Default::default() }
    }

    /// The body decoded as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_str(&self.body).map_err(|e| format!("response body is not the expected JSON: {e}"))
    }
}

/// What `augur_step` answers.
///
/// Decoding goes through a flat struct ([`WireOutput`]): serde buffers the fields of an
/// internally tagged enum, which would lose the raw text of `value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "lowercase", try_from = "WireOutput")]
pub enum StepOutput {
    /// Perform these requests and step again with their responses.
    Requests {
        /// The requests, performed in order.
        requests: Vec<HttpRequest>,
        /// Handed back on the next step.
        #[serde(default)]
        state: Json,
    },
    /// Not done yet: resume the measurement after a while (Argo's in-flight measurement with
    /// `resumeAt`).
    #[serde(rename_all = "camelCase")]
    Pending {
        /// How long to wait before the next step, in milliseconds.
        resume_after_ms: u64,
        /// Handed back on the next step (kept in the measurement's metadata meanwhile).
        #[serde(default)]
        state: Json,
    },
    /// The measurement's result: the engine applies the metric's conditions to `value`.
    #[serde(rename_all = "camelCase")]
    Done {
        /// The result (`0.97`, `[0.97]`, an object, ...).
        value: RawJson,
        /// How to type `value` (`number`, `number_list`, `json`, `string`, `bool`); inferred
        /// from the value when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result_type: Option<String>,
        /// Measurement metadata.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        metadata: BTreeMap<String, String>,
    },
    /// The measurement failed: an Error measurement with this message.
    Error {
        /// The message.
        message: String,
    },
}

/// The wire form of every [`StepOutput`] at once, for decoding.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[doc(hidden)]
pub struct WireOutput {
    result: String,
    #[serde(default)]
    requests: Option<Vec<HttpRequest>>,
    #[serde(default)]
    state: Json,
    #[serde(default)]
    resume_after_ms: Option<u64>,
    #[serde(default)]
    value: Option<RawJson>,
    #[serde(default)]
    result_type: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    #[serde(default)]
    message: Option<String>,
}

impl TryFrom<WireOutput> for StepOutput {
    type Error = String;

    fn try_from(w: WireOutput) -> Result<StepOutput, String> {
        let missing = |field: &str| format!("missing field `{field}` in a `{}` answer", w.result);
        Ok(match w.result.as_str() {
            "requests" => {
                StepOutput::Requests { requests: w.requests.ok_or_else(|| missing("requests"))?, state: w.state }
            }
            "pending" => StepOutput::Pending {
                resume_after_ms: w.resume_after_ms.ok_or_else(|| missing("resumeAfterMs"))?,
                state: w.state,
            },
            "done" => StepOutput::Done {
                // `"value": null` decodes to `None` through the `Option`.
                value: w.value.unwrap_or_default(),
                result_type: w.result_type,
                metadata: w.metadata,
            },
            "error" => StepOutput::Error { message: w.message.ok_or_else(|| missing("message"))? },
            other => return Err(format!("unknown result {other:?} (expected requests, pending, done or error)")),
        })
    }
}

impl StepOutput {
    /// A `done` answer with an inferred result type and no metadata.
    pub fn done(value: impl Into<RawJson>) -> StepOutput {
        StepOutput::Done { value: value.into(), result_type: None, metadata: BTreeMap::new() }
    }

    /// An `error` answer.
    pub fn error(message: impl Into<String>) -> StepOutput {
        StepOutput::Error { message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wire_forms() {
        let out = StepOutput::Pending { resume_after_ms: 2000, state: json!({"id": 7}) };
        assert_eq!(
            serde_json::to_value(&out).unwrap(),
            json!({"result": "pending", "resumeAfterMs": 2000, "state": {"id": 7}})
        );
        let done: StepOutput =
            serde_json::from_str(r#"{"result": "done", "value": [1.5], "resultType": "number_list"}"#).unwrap();
        assert_eq!(
            done,
            StepOutput::Done {
                value: RawJson::from_text("[1.5]".into()).unwrap(),
                result_type: Some("number_list".into()),
                metadata: BTreeMap::new()
            }
        );
        let req = HttpRequest::get("http://a/b");
        assert_eq!(serde_json::to_value(&req).unwrap(), json!({"method": "GET", "url": "http://a/b"}));
        let d: Describe =
            serde_json::from_value(json!({"abi": 1, "name": "a/b", "version": "1", "auth": ["bearer"]})).unwrap();
        assert_eq!(d.auth, vec![AuthKind::Bearer]);
    }
}
