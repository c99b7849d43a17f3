//! What the built-in HTTP providers share across measurements.

use std::sync::Arc;

use crate::answer::ConditionCache;
use crate::http::HttpClients;
use crate::oauth2::TokenCache;
use crate::provider::EnvLookup;
use crate::record::Recorder;

/// The clients, caches and settings every Prometheus, web and Datadog provider uses.
///
/// Argo builds a provider per measurement, and so does Augur; the factory hands each one this
/// struct behind one [`Arc`], so that building a provider costs one reference count rather
/// than one per field.
#[derive(Clone)]
pub struct ProviderShared {
    /// The HTTP clients.
    pub http: HttpClients,
    /// OAuth2 tokens.
    pub tokens: TokenCache,
    /// Where answers are recorded (`augur run --record`).
    pub recorder: Option<Arc<dyn Recorder>>,
    /// Compiled conditions.
    pub conditions: ConditionCache,
    /// Reads an environment variable (`ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`, `DD_API_KEY`, ...).
    pub env: EnvLookup,
}

impl std::fmt::Debug for ProviderShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderShared").field("recording", &self.recorder.is_some()).finish_non_exhaustive()
    }
}
