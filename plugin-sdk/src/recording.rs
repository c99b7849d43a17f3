//! Recorded HTTP exchanges: the responses file of `augur plugin test --responses FILE` and of
//! the native [`harness`](crate::harness). A plugin run is a sequence of request/response
//! pairs, so replaying the responses in order reproduces it without a network.
//!
//! ```yaml
//! exchanges:
//! - request: {method: POST, url: "http://prometheus:9090/api/v1/query"}
//!   response: {status: 200, json: {status: success, data: {resultType: scalar, result: [0, "0.97"]}}}
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::message::{HttpRequest, HttpResponse};

/// The exchanges of one or more measurements, in the order the plugin makes its requests.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recording {
    /// The exchanges.
    #[serde(default)]
    pub exchanges: Vec<Exchange>,
}

/// One request and the response it got.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// What the plugin must ask for.
    pub request: RecordedRequest,
    /// What it gets.
    pub response: RecordedResponse,
}

/// The part of a request a replay checks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedRequest {
    /// The method (empty: any).
    #[serde(default)]
    pub method: String,
    /// The URL: equal to the request's, or to the request's without its query string.
    pub url: String,
}

/// A recorded response; `json` is a convenience for a JSON `body`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedResponse {
    /// The status (default 200).
    #[serde(default = "ok")]
    pub status: u16,
    /// Headers.
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// The body as text.
    #[serde(default)]
    pub body: String,
    /// The body as JSON (wins over `body`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<Json>,
    /// A transport error instead of a response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn ok() -> u16 {
    200
}

impl RecordedResponse {
    /// The response the plugin sees.
    pub fn to_response(&self) -> HttpResponse {
        let body = match &self.json {
            Some(j) => j.to_string(),
            None => self.body.clone(),
        };
        let headers = self.headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect();
        match &self.error {
            Some(e) => HttpResponse { status: 0, headers, body: String::new(), error: Some(e.clone()) },
            None => HttpResponse { status: self.status, headers, body, error: None },
        }
    }
}

/// Replays a [`Recording`] in order.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    recording: Recording,
    next: usize,
}

impl Replay {
    /// A replay from the first exchange.
    pub fn new(recording: Recording) -> Replay {
        Replay { recording, next: 0 }
    }

    /// The response to `request`: the next exchange, which must match it.
    pub fn respond(&mut self, request: &HttpRequest) -> Result<HttpResponse, String> {
        let method = request.method_or_default();
        let Some(exchange) = self.recording.exchanges.get(self.next) else {
            return Err(format!(
                "no recorded response left for request {} of {method} {} ({} recorded)",
                self.next + 1,
                request.url,
                self.recording.exchanges.len()
            ));
        };
        let want = &exchange.request;
        let url_matches = want.url == request.url || request.url.split('?').next() == Some(want.url.as_str());
        let method_matches = want.method.is_empty() || want.method.eq_ignore_ascii_case(method);
        if !url_matches || !method_matches {
            return Err(format!(
                "request {} is {method} {}, but the recording expects {} {}",
                self.next + 1,
                request.url,
                if want.method.is_empty() { "any method" } else { &want.method },
                want.url
            ));
        }
        self.next += 1;
        Ok(exchange.response.to_response())
    }

    /// How many exchanges were not used.
    pub fn remaining(&self) -> usize {
        self.recording.exchanges.len() - self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_in_order_and_checks_requests() {
        let rec: Recording = serde_json::from_value(serde_json::json!({"exchanges": [
            {"request": {"method": "GET", "url": "http://a/x"}, "response": {"json": {"v": 1}}},
            {"request": {"url": "http://a/y"}, "response": {"error": "connection refused"}},
        ]}))
        .unwrap();
        let mut r = Replay::new(rec);
        let first = r.respond(&HttpRequest::get("http://a/x?q=1")).unwrap();
        assert_eq!((first.status, first.body.as_str()), (200, "{\"v\":1}"));
        let err = r.respond(&HttpRequest::get("http://a/z")).unwrap_err();
        assert_eq!(err, "request 2 is GET http://a/z, but the recording expects any method http://a/y");
        assert_eq!(r.respond(&HttpRequest::get("http://a/y")).unwrap().error.as_deref(), Some("connection refused"));
        assert!(r.respond(&HttpRequest::get("http://a/y")).unwrap_err().starts_with("no recorded response left"));
    }
}
