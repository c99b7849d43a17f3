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

use augur_analysis_core::spec::OAuth2Config;
use serde::Deserialize;

use crate::error::{FetchError, FetchErrorKind, error_chain};

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
        let token = fetch(client, config).await?;
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
        .form(&form);
    let response = send(in_header, &target).await?;
    let response = if response.status().is_success() {
        response
    } else {
        let mut with_params = form.clone();
        with_params.push(("client_id", config.client_id.clone()));
        with_params.push(("client_secret", config.client_secret.clone()));
        send(client.post(&config.token_url).form(&with_params), &target).await?
    };
    let status = response.status();
    let body = response.bytes().await.map_err(|e| FetchError::from_transport(e, target.clone()))?;
    if !status.is_success() {
        return Err(FetchError::new(
            FetchErrorKind::Status(status.as_u16()),
            format!("oauth2: cannot fetch token: {status}\nResponse: {}", String::from_utf8_lossy(&body)),
            target,
        ));
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

async fn send(request: reqwest::RequestBuilder, target: &str) -> Result<reqwest::Response, FetchError> {
    request.send().await.map_err(|e| FetchError::from_transport(e, target))
}

/// `url.QueryEscape`, which Go's oauth2 applies to the id and secret in the Basic header.
fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
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

    #[test]
    fn query_escape_matches_go() {
        assert_eq!(form_escape("a b&c/d~"), "a+b%26c%2Fd~");
    }
}
