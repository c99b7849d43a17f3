//! One error taxonomy for every provider that talks to a backend.
//!
//! Argo records a failed measurement as phase Error with a `message`; its texts say *what*
//! failed (`received non 2xx response code: 500`) but not *which* request. Users ask for the
//! query or URL that failed, so a [`FetchError`] keeps Argo's text as its `message` and adds
//! the request's `target`: the resolved query and the server, or the method and URL. The
//! target never carries a credential: URLs lose their user-info ([`redact_url`]), and headers,
//! tokens and keys are never part of it.

use std::fmt;

/// What kind of failure a [`FetchError`] is; lets callers (and the progress display) tell a
/// backend that is down from a query that is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchErrorKind {
    /// The provider's configuration is invalid (found when the provider is built or a
    /// request is prepared).
    Config,
    /// No connection could be made (refused, DNS, TLS handshake).
    Connect,
    /// The call did not complete within its deadline.
    Timeout,
    /// The server answered with an HTTP status the provider treats as a failure.
    Status(u16),
    /// The response could not be read or decoded.
    Decode,
    /// The backend understood the request and rejected the query (a PromQL syntax error, a
    /// Datadog query error).
    Query,
}

impl fmt::Display for FetchErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchErrorKind::Config => f.write_str("configuration"),
            FetchErrorKind::Connect => f.write_str("connect"),
            FetchErrorKind::Timeout => f.write_str("timeout"),
            FetchErrorKind::Status(code) => write!(f, "HTTP status {code}"),
            FetchErrorKind::Decode => f.write_str("decode"),
            FetchErrorKind::Query => f.write_str("query"),
        }
    }
}

/// A failed provider request. `Display` is the Error measurement's message: Argo's text,
/// then the request in parentheses (`server_error: server error: 503 (query "up" at
/// http://prometheus:9090)`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} ({target})")]
pub struct FetchError {
    /// The kind of failure.
    pub kind: FetchErrorKind,
    /// Argo's message for this failure.
    pub message: String,
    /// The request: the resolved query and server, or the method and URL, without
    /// credentials.
    pub target: String,
}

/// A provider that cannot be built for this reason (an invalid configuration, a client that
/// cannot be built): the error's text as the Error measurement's message.
impl From<FetchError> for crate::provider::ProviderError {
    fn from(e: FetchError) -> Self {
        crate::provider::ProviderError::Other(e.to_string())
    }
}

impl FetchError {
    /// An error of `kind` with Argo's `message`, for the request described by `target`.
    pub fn new(kind: FetchErrorKind, message: impl Into<String>, target: impl Into<String>) -> FetchError {
        FetchError { kind, message: message.into(), target: target.into() }
    }

    /// Classifies a transport error from reqwest. The error's own URL is dropped (it may
    /// carry user-info); `target` describes the request instead.
    pub fn from_transport(e: reqwest::Error, target: impl Into<String>) -> FetchError {
        let kind = if e.is_timeout() {
            FetchErrorKind::Timeout
        } else if e.is_connect() {
            FetchErrorKind::Connect
        } else if e.is_decode() || e.is_body() {
            FetchErrorKind::Decode
        } else if let Some(status) = e.status() {
            FetchErrorKind::Status(status.as_u16())
        } else {
            FetchErrorKind::Connect
        };
        let message = if kind == FetchErrorKind::Timeout {
            "context deadline exceeded".to_string()
        } else {
            error_chain(&e.without_url())
        };
        FetchError { kind, message, target: target.into() }
    }
}

/// `e` and its sources joined by `": "`, as Go prints wrapped errors (`error sending request:
/// client error (Connect): tcp connect error: Connection refused (os error 111)`).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}

/// `url` without user-info (`https://user:pass@host/p` → `https://host/p`), for messages.
pub fn redact_url(url: &reqwest::Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut clean = url.clone();
    // Both setters only fail for URLs that cannot have user-info, which then has none.
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    clean.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_carries_message_and_target() {
        let e = FetchError::new(
            FetchErrorKind::Status(503),
            "server_error: server error: 503",
            "query \"up\" at http://p:9090",
        );
        assert_eq!(e.to_string(), "server_error: server error: 503 (query \"up\" at http://p:9090)");
        assert_eq!(FetchErrorKind::Status(503).to_string(), "HTTP status 503");
    }

    #[test]
    fn user_info_is_removed_from_urls() {
        let url = reqwest::Url::parse("https://admin:s3cret@example.com:8443/api?q=1").unwrap();
        assert_eq!(redact_url(&url), "https://example.com:8443/api?q=1");
        let plain = reqwest::Url::parse("http://example.com/").unwrap();
        assert_eq!(redact_url(&plain), "http://example.com/");
    }
}
