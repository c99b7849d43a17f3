//! OAuth2 client credentials for the web provider (Argo wraps its client in
//! `golang.org/x/oauth2/clientcredentials`).
//!
//! As Go's token source with `AuthStyleAutoDetect`: the token request is a form POST with
//! `grant_type=client_credentials` (and `scope`, space-separated), authenticated with HTTP
//! basic auth of the URL-escaped client id and secret; when that fails, it is retried once
//! with the id and secret in the form instead. A token is fetched per measurement, as Argo
//! builds its client per measurement.

use std::time::Duration;

use augur_analysis_core::go::gofmt::quote;
use augur_analysis_core::spec::OAuth2Config;
use augur_analysis_core::template::redact;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};

use crate::error::{FetchError, FetchErrorKind, redact_url};
use crate::form;

/// The `Authorization` header value (`Bearer <token>`) for `config`. Errors carry Go's
/// `oauth2: …` texts and the token URL as target; never the client secret.
pub(super) async fn fetch_token(
    client: &reqwest::Client,
    config: &OAuth2Config,
    timeout: Duration,
) -> Result<String, FetchError> {
    let url = reqwest::Url::parse(&config.token_url).map_err(|e| {
        FetchError::new(FetchErrorKind::Config, format!("parse {:?}: {e}", config.token_url), "oauth2 token URL")
    })?;
    let target = redact_url(&url);
    // As Go: when the header style fails, the form style is tried, and its outcome stands.
    let result = match request(client, config, &url, &target, timeout, false).await {
        Ok(token) => Ok(token),
        Err(_) => request(client, config, &url, &target, timeout, true).await,
    };
    // The token server's answer is quoted in errors; it must not carry the client secret, as
    // sent (form-encoded) or as configured.
    let mut escaped = String::new();
    form::query_escape(&mut escaped, &config.client_secret);
    let secrets = [config.client_secret.clone(), escaped];
    result.map_err(|mut e| {
        e.message = redact(&e.message, &secrets);
        e
    })
}

async fn request(
    client: &reqwest::Client,
    config: &OAuth2Config,
    url: &reqwest::Url,
    target: &str,
    timeout: Duration,
    in_params: bool,
) -> Result<String, FetchError> {
    let scopes = config.scopes.join(" ");
    let mut pairs = vec![("grant_type", "client_credentials")];
    if !scopes.is_empty() {
        pairs.push(("scope", scopes.as_str()));
    }
    if in_params {
        pairs.push(("client_id", config.client_id.as_str()));
        pairs.push(("client_secret", config.client_secret.as_str()));
    }
    let mut req = client
        .post(url.clone())
        .header(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"))
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .timeout(timeout)
        .body(form::encode(&pairs));
    if !in_params {
        let (mut id, mut secret) = (String::new(), String::new());
        form::query_escape(&mut id, &config.client_id);
        form::query_escape(&mut secret, &config.client_secret);
        req = req.basic_auth(id, Some(secret));
    }
    let fail = |kind, message: String| FetchError::new(kind, message, target.to_owned());
    let response = req.send().await.map_err(|e| FetchError::from_transport(e, target.to_owned()))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| FetchError::from_transport(e, target.to_owned()))?;
    if !status.is_success() {
        return Err(fail(FetchErrorKind::Status(status.as_u16()), retrieve_error(status, &body)));
    }
    let token: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| fail(FetchErrorKind::Decode, format!("oauth2: cannot parse json: {e}")))?;
    let access = token.get("access_token").and_then(|v| v.as_str()).unwrap_or_default();
    if access.is_empty() {
        return Err(fail(FetchErrorKind::Decode, "oauth2: server response missing access_token".into()));
    }
    let kind = token.get("token_type").and_then(|v| v.as_str()).unwrap_or_default();
    Ok(format!("{} {access}", token_type(kind)))
}

/// Go's `RetrieveError` text: the OAuth2 error code (and description and URI) when the
/// server sent one, else the status and body.
fn retrieve_error(status: reqwest::StatusCode, body: &[u8]) -> String {
    let parsed: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let field = |k: &str| parsed.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let code = field("error");
    if code.is_empty() {
        return format!("oauth2: cannot fetch token: {status}\nResponse: {}", String::from_utf8_lossy(body));
    }
    let mut text = format!("oauth2: {}", quote(&code));
    for extra in [field("error_description"), field("error_uri")] {
        if !extra.is_empty() {
            text.push(' ');
            text.push_str(&quote(&extra));
        }
    }
    text
}

/// Go's `Token.Type()`: the canonical spelling of the token type.
fn token_type(t: &str) -> &str {
    match t.to_ascii_lowercase().as_str() {
        "" | "bearer" => "Bearer",
        "mac" => "MAC",
        "basic" => "Basic",
        _ => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retrieve_error_texts() {
        let bad = reqwest::StatusCode::BAD_REQUEST;
        assert_eq!(
            retrieve_error(bad, br#"{"error":"invalid_client","error_description":"bad secret"}"#),
            "oauth2: \"invalid_client\" \"bad secret\""
        );
        assert_eq!(retrieve_error(bad, b"nope"), "oauth2: cannot fetch token: 400 Bad Request\nResponse: nope");
        assert_eq!(token_type("bearer"), "Bearer");
        assert_eq!(token_type("MAC"), "MAC");
        assert_eq!(token_type("DPoP"), "DPoP");
    }
}
