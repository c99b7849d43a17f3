//! The host side of plugin HTTP: the policy every request passes (allowed hosts, auth
//! injection, caps) and the [`HttpExecutor`] that performs it.
//!
//! The executor is a small trait so that the transport can be swapped: [`ReqwestExecutor`]
//! for live runs (reqwest with rustls and the ring provider), [`ReplayExecutor`] for
//! `augur plugin test` and tests (recorded responses, no network).

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use augur_plugin_sdk::recording::{Recording, Replay};
use augur_plugin_sdk::{HttpRequest, HttpResponse};
use base64::Engine as _;

use super::limits::Limits;
use super::registry::{AuthProfile, PluginEntry};

/// A request that passed the policy: what the executor sends.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// The method.
    pub method: String,
    /// The URL.
    pub url: reqwest::Url,
    /// Headers, the injected authentication included.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
    /// The timeout.
    pub timeout: Duration,
    /// The largest body to read; a larger one is a transport error.
    pub max_body_bytes: usize,
    /// The request as the plugin made it (for replay matching and records: no secrets).
    pub original: HttpRequest,
}

impl std::fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Headers may hold injected secrets: show the plugin's request only.
        f.debug_struct("PreparedRequest").field("original", &self.original).finish_non_exhaustive()
    }
}

/// Performs plugin requests. A failure to get a response (connection refused, timeout, a
/// body over the cap) is reported in [`HttpResponse::error`] for the plugin to handle.
#[async_trait]
pub trait HttpExecutor: Send + Sync {
    /// Performs `request`.
    async fn execute(&self, request: PreparedRequest) -> HttpResponse;
}

/// Does `host:port` match an allowed-hosts entry (`*`, `host` or `host:port`)?
fn host_allowed(allowed: &[String], host: &str, port: u16) -> bool {
    allowed.iter().any(|a| {
        a == "*"
            || match a.rsplit_once(':') {
                Some((h, p)) if p.parse::<u16>().is_ok() => h.eq_ignore_ascii_case(host) && p.parse() == Ok(port),
                _ => a.eq_ignore_ascii_case(host),
            }
    })
}

/// Checks a plugin's request against its registry entry and injects authentication. The
/// error is the reason for refusing it.
pub fn prepare(entry: &PluginEntry, limits: &Limits, request: &HttpRequest) -> Result<PreparedRequest, String> {
    let url = reqwest::Url::parse(&request.url).map_err(|e| format!("invalid URL {:?}: {e}", request.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("URL {:?}: only http and https are allowed", request.url));
    }
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_string();
    let port = url.port_or_known_default().unwrap_or(0);
    if !host_allowed(&entry.allowed_hosts, &host, port) {
        return Err(format!(
            "host {host}:{port} is not allowed for this plugin (allowed: {})",
            if entry.allowed_hosts.is_empty() { "none".to_string() } else { entry.allowed_hosts.join(", ") }
        ));
    }
    let method = request.method_or_default().to_ascii_uppercase();
    if reqwest::Method::from_bytes(method.as_bytes()).is_err() {
        return Err(format!("invalid method {method:?}"));
    }
    let mut headers = Vec::with_capacity(request.headers.len() + 1);
    for (name, value) in &request.headers {
        if name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("proxy-authorization") {
            return Err(format!("the {name} header is set by the host: name an auth profile instead"));
        }
        headers.push((name.clone(), value.clone()));
    }
    if let Some(profile) = &request.auth {
        let auth = entry.auth.get(profile).ok_or_else(|| {
            let known: Vec<&str> = entry.auth.keys().map(String::as_str).collect();
            format!(
                "unknown auth profile {profile:?} (configured: {})",
                if known.is_empty() { "none".into() } else { known.join(", ") }
            )
        })?;
        let secret = |s: &super::registry::Secret| s.resolve().map_err(|e| format!("auth profile {profile:?}: {e}"));
        match auth {
            AuthProfile::Bearer { token } => {
                headers.push(("authorization".into(), format!("Bearer {}", secret(token)?)))
            }
            AuthProfile::Basic { username, password } => {
                let pair = format!("{}:{}", secret(username)?, secret(password)?);
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                headers.push(("authorization".into(), format!("Basic {encoded}")));
            }
            AuthProfile::Header { name, value } => {
                headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                headers.push((name.clone(), secret(value)?));
            }
        }
    }
    let cap = Duration::from_millis(limits.http_timeout_ms);
    let timeout = request.timeout_ms.map_or(cap, |ms| Duration::from_millis(ms).min(cap));
    Ok(PreparedRequest {
        method,
        url,
        headers,
        body: request.body.clone(),
        timeout,
        max_body_bytes: limits.max_response_bytes,
        original: request.clone(),
    })
}

/// Live HTTP through reqwest (rustls with the ring provider). Redirects are not followed: a
/// redirect could leave the allowed hosts.
#[derive(Debug, Clone)]
pub struct ReqwestExecutor {
    client: reqwest::Client,
}

impl ReqwestExecutor {
    /// A client; installs ring as the process's rustls provider if none is installed.
    pub fn new() -> Result<ReqwestExecutor, String> {
        crate::http::install_crypto_provider();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the plugin HTTP client: {e}"))?;
        Ok(ReqwestExecutor { client })
    }
}

fn failure(message: String) -> HttpResponse {
    HttpResponse { status: 0, error: Some(message), ..Default::default() }
}

#[async_trait]
impl HttpExecutor for ReqwestExecutor {
    async fn execute(&self, request: PreparedRequest) -> HttpResponse {
        let Ok(method) = reqwest::Method::from_bytes(request.method.as_bytes()) else {
            return failure(format!("invalid method {:?}", request.method));
        };
        let verb = method.to_string();
        let shown = request.original.url.clone();
        let mut builder = self.client.request(method, request.url).timeout(request.timeout);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if !request.body.is_empty() {
            builder = builder.body(request.body);
        }
        // Go-style texts (`Post "<url>": ...`), the form Argo's providers report.
        let go_verb = format!("{}{}", &verb[..1], verb[1..].to_ascii_lowercase());
        let mut response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return failure(format!("{go_verb} \"{shown}\": {}", describe_error(&e))),
        };
        let status = response.status().as_u16();
        let mut headers = std::collections::BTreeMap::new();
        for (name, value) in response.headers() {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            headers
                .entry(name.as_str().to_string())
                .and_modify(|v: &mut String| {
                    v.push_str(", ");
                    v.push_str(&value)
                })
                .or_insert(value);
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > request.max_body_bytes {
                        return failure(format!(
                            "{go_verb} \"{shown}\": the response body exceeds the limit of {} bytes",
                            request.max_body_bytes
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return failure(format!("{go_verb} \"{shown}\": {}", describe_error(&e))),
            }
        }
        HttpResponse { status, headers, body: String::from_utf8_lossy(&body).into_owned(), error: None }
    }
}

/// The error with its causes (reqwest's top-level text alone says little).
fn describe_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "context deadline exceeded".into();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Recorded responses, in order ([`Replay`]); a request the recording does not expect gets
/// a transport error saying so.
#[derive(Debug, Default)]
pub struct ReplayExecutor {
    replay: Mutex<Replay>,
}

impl ReplayExecutor {
    /// Replays `recording`.
    pub fn new(recording: Recording) -> ReplayExecutor {
        ReplayExecutor { replay: Mutex::new(Replay::new(recording)) }
    }

    /// How many recorded exchanges were not used.
    pub fn remaining(&self) -> usize {
        self.replay.lock().map(|r| r.remaining()).unwrap_or(0)
    }
}

#[async_trait]
impl HttpExecutor for ReplayExecutor {
    async fn execute(&self, request: PreparedRequest) -> HttpResponse {
        let answer = match self.replay.lock() {
            Ok(mut replay) => replay.respond(&request.original),
            Err(_) => Err("the replay is poisoned".to_string()),
        };
        answer.unwrap_or_else(|e| failure(format!("replay: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::registry::Secret;

    fn entry() -> PluginEntry {
        let mut e = PluginEntry {
            name: "a/b".into(),
            allowed_hosts: vec!["127.0.0.1:9090".into(), "prom".into()],
            ..Default::default()
        };
        e.auth.insert("t".into(), AuthProfile::Bearer { token: Secret::Value("s3cret".into()) });
        e
    }

    #[test]
    fn allowed_hosts_and_auth() {
        let limits = Limits::default();
        let ok = prepare(
            &entry(),
            &limits,
            &HttpRequest { auth: Some("t".into()), ..HttpRequest::get("http://127.0.0.1:9090/x") },
        )
        .unwrap();
        assert_eq!(ok.headers, vec![("authorization".to_string(), "Bearer s3cret".to_string())]);
        assert!(!format!("{ok:?}").contains("s3cret"));
        assert!(prepare(&entry(), &limits, &HttpRequest::get("https://prom/api")).is_ok());
        assert_eq!(
            prepare(&entry(), &limits, &HttpRequest::get("http://127.0.0.1:9091/x")).unwrap_err(),
            "host 127.0.0.1:9091 is not allowed for this plugin (allowed: 127.0.0.1:9090, prom)"
        );
        assert!(prepare(&entry(), &limits, &HttpRequest::get("file:///etc/passwd")).is_err());
        let mut r = HttpRequest::get("http://prom/");
        r.headers.insert("Authorization".into(), "x".into());
        assert!(prepare(&entry(), &limits, &r).unwrap_err().contains("set by the host"));
        r.headers.clear();
        r.auth = Some("nope".into());
        assert_eq!(prepare(&entry(), &limits, &r).unwrap_err(), "unknown auth profile \"nope\" (configured: t)");
    }
}
