//! The HTTP plumbing every built-in provider shares.
//!
//! Argo builds an HTTP client per provider instance; Augur builds two per process (verifying
//! and, for `insecure: true`, not verifying certificates) and hands them to every provider,
//! so connections are pooled across measurements and runs. Per-request settings (deadlines,
//! headers) are applied on the request.
//!
//! TLS is rustls with the *ring* provider only (kube uses ring too): one crypto provider is
//! compiled, and [`install_crypto_provider`] installs it explicitly, because rustls refuses
//! to guess when a process could have several.

use std::time::Duration;

use crate::error::{FetchError, FetchErrorKind};

/// Installs rustls' ring crypto provider as the process default. Idempotent; call it at
/// start-up, before any TLS client is built ([`HttpClients::new`] calls it too).
pub fn install_crypto_provider() {
    // Err means a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Argo's transport dials with a 30 s timeout and keeps connections alive for 30 s.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The shared HTTP clients (cheap to clone: reqwest clients are reference-counted).
#[derive(Debug, Clone)]
pub struct HttpClients {
    verifying: reqwest::Client,
    insecure: reqwest::Client,
}

impl HttpClients {
    /// Builds the two clients: one that verifies certificates and uses the proxy from the
    /// environment, one for `insecure: true` that skips verification and, as Argo's web
    /// provider does, uses no proxy.
    pub fn new() -> Result<HttpClients, FetchError> {
        install_crypto_provider();
        let base = || {
            reqwest::Client::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .tcp_keepalive(CONNECT_TIMEOUT)
                .user_agent(concat!("augur/", env!("CARGO_PKG_VERSION")))
        };
        let build = |b: reqwest::ClientBuilder| {
            b.build().map_err(|e| FetchError::new(FetchErrorKind::Config, e.to_string(), "building the HTTP client"))
        };
        Ok(HttpClients {
            verifying: build(base())?,
            insecure: build(base().danger_accept_invalid_certs(true).no_proxy())?,
        })
    }

    /// The client for a provider's `insecure` setting.
    pub fn client(&self, insecure: bool) -> &reqwest::Client {
        if insecure { &self.insecure } else { &self.verifying }
    }
}
