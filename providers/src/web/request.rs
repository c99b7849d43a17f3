//! Building and sending the web provider's request (Argo `webmetric.Run` up to `client.Do`).

use std::time::Duration;

use augur_analysis_core::go::gofmt::quote;
use augur_analysis_core::spec::WebMetric;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::error::{FetchError, FetchErrorKind, redact_url};
use crate::oauth2::TokenCache;

/// A response and the request it answers (`GET https://host/path`, without user-info).
pub(super) struct Sent {
    pub(super) response: reqwest::Response,
    pub(super) target: String,
}

/// Sends the request `config` describes, with `timeout` covering the whole exchange.
pub(super) async fn send(
    client: &reqwest::Client,
    config: &WebMetric,
    timeout: Duration,
    tokens: &TokenCache,
) -> Result<Sent, FetchError> {
    let method = config.method_or_default();
    let parsed = reqwest::Url::parse(&config.url);
    let target = match &parsed {
        Ok(url) => format!("{method} {}", redact_url(url)),
        Err(_) => method.to_owned(),
    };
    let config_error = |message: String| FetchError::new(FetchErrorKind::Config, message, target.clone());

    let body = body(config, method).map_err(|m| config_error(m.into()))?;
    let method_value = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|_| config_error(format!("net/http: invalid method {}", quote(method))))?;
    let url = parsed.map_err(|e| config_error(format!("parse {}: {e}", quote(&config.url))))?;
    let mut headers = headers(config).map_err(config_error)?;

    let oauth = &config.authentication.oauth2;
    if !oauth.token_url.is_empty() {
        let token = tokens.token(client, oauth).await.map_err(|mut e| {
            e.target = format!("{target}, {}", e.target);
            e
        })?;
        let value = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| config_error("oauth2: the token server returned an invalid access token".into()))?;
        headers.insert(AUTHORIZATION, value);
    }

    let mut request = client.request(method_value, url).headers(headers).timeout(timeout);
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await.map_err(|e| FetchError::from_transport(e, target.clone()))?;
    Ok(Sent { response, target })
}

/// The request body: `body` or `jsonBody` (never both, never with GET), with Argo's texts.
fn body(config: &WebMetric, method: &str) -> Result<Option<Vec<u8>>, &'static str> {
    let has_body = !config.body.is_empty();
    let has_json = config.json_body.is_some();
    if has_body && has_json {
        return Err("use either Body or JSONBody; both cannot exists for WebMetric payload");
    }
    if (has_body || has_json) && method == "GET" {
        return Err("Body/JSONBody can only be used with POST or PUT WebMetric Method types");
    }
    Ok(match &config.json_body {
        Some(json) => Some(serde_json::to_vec(json).unwrap_or_default()),
        None if has_body => Some(config.body.clone().into_bytes()),
        None => None,
    })
}

/// The headers with "set" semantics (a later duplicate wins); with `jsonBody`,
/// `Content-Type: application/json` afterwards. Errors never quote a header's value.
fn headers(config: &WebMetric) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for h in &config.headers {
        let name = HeaderName::from_bytes(h.key.as_bytes())
            .map_err(|_| format!("net/http: invalid header field name {}", quote(&h.key)))?;
        let value = HeaderValue::from_str(&h.value)
            .map_err(|_| format!("net/http: invalid header field value for {}", quote(&h.key)))?;
        map.insert(name, value);
    }
    if config.json_body.is_some() {
        map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use augur_analysis_core::spec::WebMetricHeader;

    use super::*;

    #[test]
    fn body_rules() {
        let mut c = WebMetric { body: "x".into(), json_body: Some(serde_json::json!({"a": 1})), ..Default::default() };
        c.method = "POST".into();
        assert_eq!(
            body(&c, "POST").unwrap_err(),
            "use either Body or JSONBody; both cannot exists for WebMetric payload"
        );
        c.json_body = None;
        assert_eq!(
            body(&c, "GET").unwrap_err(),
            "Body/JSONBody can only be used with POST or PUT WebMetric Method types"
        );
        assert_eq!(body(&c, "PUT").unwrap(), Some(b"x".to_vec()));
    }

    #[test]
    fn headers_are_set_and_never_quoted() {
        let h = |k: &str, v: &str| WebMetricHeader { key: k.into(), value: v.into() };
        let c = WebMetric {
            headers: vec![h("X-A", "1"), h("x-a", "2"), h("Content-Type", "text/plain")],
            json_body: Some(serde_json::json!([])),
            ..Default::default()
        };
        let map = headers(&c).unwrap();
        assert_eq!(map.get("x-a").unwrap(), "2");
        assert_eq!(map.get_all("x-a").iter().count(), 1);
        assert_eq!(map.get(CONTENT_TYPE).unwrap(), "application/json");
        let bad = WebMetric { headers: vec![h("Authorization", "Bearer s3cret\n")], ..Default::default() };
        let e = headers(&bad).unwrap_err();
        assert_eq!(e, "net/http: invalid header field value for \"Authorization\"");
    }
}
