//! OAuth2 client-credentials tokens (`authentication.oauth2` of the Prometheus and web
//! providers), as Go's `golang.org/x/oauth2/clientcredentials` fetches them.
//!
//! Argo builds a new HTTP client per measurement, so it fetches a token per measurement.
//! Augur caches each token until ten seconds before it expires (Go's `expiryDelta`), keyed
//! by everything that identifies it, so a run measuring every few seconds does not hammer
//! the identity provider.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use augur_analysis_core::go::gofmt::quote;
use augur_analysis_core::spec::OAuth2Config;
use augur_analysis_core::template::redact;
use serde::Deserialize;

use crate::error::{FetchError, FetchErrorKind, error_chain};
use crate::form;

/// Go's `oauth2.expiryDelta`: a token is refreshed this long before it expires.
const EXPIRY_DELTA: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    token_url: String,
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
}

#[derive(Debug, Clone)]
struct Token {
    access_token: String,
    expires: Option<Instant>,
}

/// A shared cache of client-credentials tokens.
#[derive(Debug, Clone, Default)]
pub struct TokenCache {
    tokens: Arc<Mutex<HashMap<Key, Token>>>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl TokenCache {
    /// A valid access token for `config`, from the cache or fetched with `client`.
    pub async fn token(&self, client: &reqwest::Client, config: &OAuth2Config) -> Result<String, FetchError> {
        let key = Key {
            token_url: config.token_url.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            scopes: config.scopes.clone(),
        };
        let now = Instant::now();
        if let Some(t) = self.lock().get(&key)
            && t.expires.is_none_or(|e| now + EXPIRY_DELTA < e)
        {
            return Ok(t.access_token.clone());
        }
        let token = fetch(client, config).await.map_err(|e| scrub(e, config))?;
        self.lock().insert(key, token.clone());
        Ok(token.access_token)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Token>> {
        self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Go's `AuthStyleAutoDetect`: credentials in an HTTP Basic header first; when the server
/// rejects that, again as form parameters.
async fn fetch(client: &reqwest::Client, config: &OAuth2Config) -> Result<Token, FetchError> {
    let target = format!("token request to {}", config.token_url);
    let mut form: Vec<(&str, String)> = vec![("grant_type", "client_credentials".into())];
    if !config.scopes.is_empty() {
        form.push(("scope", config.scopes.join(" ")));
    }
    let in_header = client
        .post(&config.token_url)
        .basic_auth(form_escape(&config.client_id), Some(form_escape(&config.client_secret)))
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form_body(&form));
    let response = send(in_header, &target).await?;
    let response = if response.status().is_success() {
        response
    } else {
        let mut with_params = form.clone();
        with_params.push(("client_id", config.client_id.clone()));
        with_params.push(("client_secret", config.client_secret.clone()));
        send(
            client.post(&config.token_url).header(reqwest::header::CONTENT_TYPE, FORM).body(form_body(&with_params)),
            &target,
        )
        .await?
    };
    let status = response.status();
    let body = response.bytes().await.map_err(|e| FetchError::from_transport(e, target.clone()))?;
    if !status.is_success() {
        return Err(FetchError::new(FetchErrorKind::Status(status.as_u16()), retrieve_error(status, &body), target));
    }
    let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
        FetchError::new(
            FetchErrorKind::Decode,
            format!("oauth2: cannot parse json: {}", error_chain(&e)),
            target.clone(),
        )
    })?;
    if parsed.access_token.is_empty() {
        return Err(FetchError::new(FetchErrorKind::Decode, "oauth2: server response missing access_token", target));
    }
    Ok(Token {
        access_token: parsed.access_token,
        expires: parsed.expires_in.filter(|s| *s > 0).map(|s| Instant::now() + Duration::from_secs(s)),
    })
}

/// The longest a token request may take. Callers bound the whole measurement too (the
/// Prometheus deadline, the web timeout); this keeps a hung identity provider from holding
/// a call that has no deadline of its own.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

async fn send(request: reqwest::RequestBuilder, target: &str) -> Result<reqwest::Response, FetchError> {
    request.timeout(TOKEN_TIMEOUT).send().await.map_err(|e| FetchError::from_transport(e, target))
}

const FORM: &str = "application/x-www-form-urlencoded";

/// The form as Go's `url.Values.Encode` writes it (keys sorted).
fn form_body(pairs: &[(&str, String)]) -> String {
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form::encode(&borrowed)
}

/// `url.QueryEscape`, which Go's oauth2 applies to the id and secret in the Basic header.
fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    form::query_escape(&mut out, s);
    out
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

/// The token server's answer is quoted in errors: remove the client secret from it, as
/// configured and as sent (form-encoded).
fn scrub(mut e: FetchError, config: &OAuth2Config) -> FetchError {
    e.message = redact(&e.message, &[config.client_secret.clone(), form_escape(&config.client_secret)]);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_escape_matches_go() {
        assert_eq!(form_escape("a b&c/d~"), "a+b%26c%2Fd~");
    }

    #[test]
    fn retrieve_error_texts() {
        let bad = reqwest::StatusCode::BAD_REQUEST;
        assert_eq!(
            retrieve_error(bad, br#"{"error":"invalid_client","error_description":"bad secret"}"#),
            "oauth2: \"invalid_client\" \"bad secret\""
        );
        assert_eq!(retrieve_error(bad, b"nope"), "oauth2: cannot fetch token: 400 Bad Request\nResponse: nope");
        let e = FetchError::new(FetchErrorKind::Status(401), "echo s3cr%26t s3cr&t", "t");
        let config = OAuth2Config { client_secret: "s3cr&t".into(), ..Default::default() };
        assert_eq!(scrub(e, &config).message, "echo ***** *****");
    }
}
