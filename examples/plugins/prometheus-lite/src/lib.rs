//! prometheus-lite: Argo's Prometheus provider (instant queries) as an Augur plugin.
//!
//! ```yaml
//! provider:
//!   plugin:
//!     augur/prometheus-lite:
//!       address: http://prometheus:9090
//!       query: sum(rate(http_requests_total{code!~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
//!       timeout: 30        # seconds, optional
//!       auth: prometheus   # an auth profile of the registry entry, optional
//! ```
//!
//! Step 0 POSTs `query` and `time` as a form to `<address>/api/v1/query`; a 403, 405 or 501
//! makes step 1 re-send them as a GET query string, as Argo's client does. The answer follows
//! semantics §9.1: a scalar is a `number`, a vector a `number_list` (one value per sample, in
//! response order), HTTP and API errors get Argo's texts, and warnings go to the `warnings`
//! metadata. NaN and infinities are sent as the strings `"NaN"`, `"+Inf"`, `"-Inf"` (JSON has
//! no such numbers); the host turns them back into floats.

use std::collections::BTreeMap;

use augur_plugin_sdk::{AuthKind, Describe, HttpRequest, HttpResponse, Json, Plugin, StepInput, StepOutput, json};
use serde::Deserialize;

/// The metric configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    address: String,
    query: String,
    #[serde(default)]
    timeout: Option<i64>,
    #[serde(default)]
    auth: Option<String>,
}

/// The plugin.
#[derive(Default)]
pub struct PrometheusLite;

augur_plugin_sdk::export_plugin!(PrometheusLite);

impl Plugin for PrometheusLite {
    fn describe(&self) -> Describe {
        Describe {
            abi: augur_plugin_sdk::ABI_VERSION,
            name: "augur/prometheus-lite".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Prometheus instant queries, with Argo's Prometheus provider semantics".into(),
            config_schema: json!({
                "type": "object",
                "required": ["address", "query"],
                "properties": {
                    "address": {"type": "string"},
                    "query": {"type": "string"},
                    "timeout": {"type": "integer", "minimum": 0},
                    "auth": {"type": "string"}
                }
            }),
            hosts: vec!["*".into()],
            auth: vec![AuthKind::Bearer, AuthKind::Basic],
        }
    }

    fn step(&self, input: StepInput) -> StepOutput {
        match step(&input) {
            Ok(out) => out,
            Err(message) => StepOutput::error(message),
        }
    }
}

fn step(input: &StepInput) -> Result<StepOutput, String> {
    let config: Config = input.config.parse().map_err(|e| format!("invalid prometheus-lite configuration: {e}"))?;
    if config.address.is_empty() {
        return Err("prometheus address is not configured".into());
    }
    if config.timeout.is_some_and(|t| t < 0) {
        return Err("prometheus timeout should not be negative".into());
    }
    let url = format!("{}/api/v1/query", config.address.trim_end_matches('/'));
    let form = format!("query={}&time={}", encode(&config.query), input.now_unix);
    let fallback = input.state.get("fallback").and_then(Json::as_bool).unwrap_or(false);
    let Some(response) = input.responses.first() else {
        if config.timeout == Some(0) {
            // Argo: `timeout: 0` is an already expired deadline.
            return Err(format!("Post \"{url}\": context deadline exceeded"));
        }
        let mut request = HttpRequest::post(&url, "application/x-www-form-urlencoded", form);
        request.auth = config.auth.clone();
        request.timeout_ms = Some(config.timeout.unwrap_or(30).unsigned_abs() * 1000);
        return Ok(StepOutput::Requests { requests: vec![request], state: Json::Null });
    };
    if let Some(e) = &response.error {
        return Err(e.clone());
    }
    if !fallback && matches!(response.status, 403 | 405 | 501) {
        let mut request = HttpRequest::get(format!("{url}?{form}"));
        request.auth = config.auth.clone();
        request.timeout_ms = Some(config.timeout.unwrap_or(30).unsigned_abs() * 1000);
        return Ok(StepOutput::Requests { requests: vec![request], state: json!({"fallback": true}) });
    }
    answer(response)
}

#[derive(Deserialize)]
struct ApiResponse {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: Json,
}

fn answer(response: &HttpResponse) -> Result<StepOutput, String> {
    let code = response.status;
    if !(200..300).contains(&code) && code != 400 && code != 422 {
        return Err(match code {
            400..=499 => format!("client_error: client error: {code}"),
            500..=599 => format!("server_error: server error: {code}"),
            _ => format!("bad_response: bad response code {code}"),
        });
    }
    let api: ApiResponse = response.json().map_err(|e| format!("bad_data: {e}"))?;
    if api.status == "error" {
        return Err(format!("{}: {}", api.error_type, api.error));
    }
    let data = api.data.ok_or("bad_data: the response has no data")?;
    let (value, result_type) = match data.result_type.as_str() {
        "scalar" => (sample_value(&data.result)?, "number"),
        "vector" => {
            let samples = data.result.as_array().ok_or("bad_data: a vector result is not a list")?;
            let values: Result<Vec<Json>, String> =
                samples.iter().map(|s| sample_value(s.get("value").unwrap_or(&Json::Null))).collect();
            (Json::Array(values?), "number_list")
        }
        "matrix" => {
            let series = data.result.as_array().ok_or("bad_data: a matrix result is not a list")?;
            let mut values = Vec::new();
            for s in series {
                for point in s.get("values").and_then(Json::as_array).into_iter().flatten() {
                    values.push(sample_value(point)?);
                }
            }
            (Json::Array(values), "number_list")
        }
        other => return Err(format!("unexpected value type \"{other}\"")),
    };
    let mut metadata = BTreeMap::new();
    if !api.warnings.is_empty() {
        let quoted: Vec<String> = api.warnings.iter().map(|w| format!("\"{w}\"")).collect();
        metadata.insert("warnings".to_string(), quoted.join(", "));
    }
    Ok(StepOutput::Done { value: value.into(), result_type: Some(result_type.into()), metadata })
}

/// `[<time>, "<value>"]` → the value as a JSON number, or `"NaN"`/`"+Inf"`/`"-Inf"`.
fn sample_value(sample: &Json) -> Result<Json, String> {
    let text = sample.get(1).and_then(Json::as_str).ok_or_else(|| format!("bad_data: malformed sample {sample}"))?;
    let f: f64 = text.parse().map_err(|_| format!("bad_data: sample value {text:?} is not a number"))?;
    Ok(if f.is_nan() {
        json!("NaN")
    } else if f.is_infinite() {
        json!(if f > 0.0 { "+Inf" } else { "-Inf" })
    } else {
        json!(f)
    })
}

/// `application/x-www-form-urlencoded` encoding of a value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use augur_plugin_sdk::harness::Harness;
    use augur_plugin_sdk::recording::Recording;
    use augur_plugin_sdk::serde_json;

    fn recording(exchanges: Json) -> Recording {
        serde_json::from_value(json!({ "exchanges": exchanges })).unwrap()
    }

    #[test]
    fn vector_with_nan_and_warnings() {
        let rec = recording(json!([{
            "request": {"method": "POST", "url": "http://prom:9090/api/v1/query"},
            "response": {"json": {"status": "success", "warnings": ["w1"], "data": {"resultType": "vector", "result": [
                {"metric": {}, "value": [1, "0.97"]}, {"metric": {}, "value": [1, "NaN"]}]}}}
        }]));
        let mut h = Harness::new("augur/prometheus-lite", json!({"address": "http://prom:9090", "query": "up"}), rec);
        let steps = h.measure::<PrometheusLite>().unwrap();
        assert_eq!(steps[0].exchanges[0].0.body, "query=up&time=1700000000");
        let StepOutput::Done { value, result_type, metadata } = &steps[1].output else { panic!("{:?}", steps[1].output) };
        assert_eq!(value.value(), json!([0.97, "NaN"]));
        assert_eq!(result_type.as_deref(), Some("number_list"));
        assert_eq!(metadata["warnings"], "\"w1\"");
    }

    #[test]
    fn falls_back_to_get_and_reports_http_errors() {
        let rec = recording(json!([
            {"request": {"method": "POST", "url": "http://p/api/v1/query"}, "response": {"status": 405}},
            {"request": {"method": "GET", "url": "http://p/api/v1/query"}, "response": {"status": 503}},
        ]));
        let mut h = Harness::new("augur/prometheus-lite", json!({"address": "http://p", "query": "a b"}), rec);
        let steps = h.measure::<PrometheusLite>().unwrap();
        assert_eq!(steps[1].exchanges[0].0.url, "http://p/api/v1/query?query=a+b&time=1700000000");
        assert_eq!(steps[2].output, StepOutput::error("server_error: server error: 503"));
    }
}
