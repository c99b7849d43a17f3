//! [`BuiltinProviders`]: the [`ProviderFactory`] that builds Augur's providers by the metric's
//! provider field, in Argo's selection order (semantics §9.0).
//!
//! It owns what providers share across measurements — the HTTP clients (connection pools),
//! OAuth2 tokens, compiled conditions, the recorder for `--record`, Kubernetes Secrets and the
//! environment — and hands it to each provider it builds, so building a provider per
//! measurement (as Argo does) costs no connection set-up.

use std::sync::Arc;

use augur_analysis_core::spec::Metric;
use augur_analysis_core::template::SecretResolver;

use crate::answer::ConditionCache;
use crate::datadog::{DatadogContext, DatadogProvider, RetryPolicy};
use crate::error::FetchError;
use crate::http::HttpClients;
use crate::oauth2::TokenCache;
use crate::prometheus::{self, PrometheusProvider};
use crate::provider::{EnvLookup, Provider, ProviderError, ProviderFactory, RunContext};
use crate::record::Recorder;
use crate::web::{WebProvider, WebShared};

/// Builds the built-in provider a metric names.
#[derive(Clone)]
pub struct BuiltinProviders {
    http: HttpClients,
    tokens: TokenCache,
    conditions: ConditionCache,
    recorder: Option<Arc<dyn Recorder>>,
    env: EnvLookup,
    secrets: Option<Arc<dyn SecretResolver + Send + Sync>>,
    datadog_retry: RetryPolicy,
}

impl std::fmt::Debug for BuiltinProviders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltinProviders")
            .field("recording", &self.recorder.is_some())
            .field("secrets", &self.secrets.is_some())
            .field("datadog_retry", &self.datadog_retry)
            .finish_non_exhaustive()
    }
}

impl BuiltinProviders {
    /// The factory with fresh HTTP clients (installs the TLS crypto provider).
    pub fn new() -> Result<BuiltinProviders, FetchError> {
        Ok(BuiltinProviders {
            http: HttpClients::new()?,
            tokens: TokenCache::default(),
            conditions: ConditionCache::default(),
            recorder: None,
            env: Arc::new(|name| std::env::var(name).ok()),
            secrets: None,
            datadog_retry: RetryPolicy::default(),
        })
    }

    /// Reads environment variables (`ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`, `DD_API_KEY`, ...)
    /// with `env` instead of the process environment.
    pub fn with_env(mut self, env: EnvLookup) -> BuiltinProviders {
        self.env = env;
        self
    }

    /// Reads Kubernetes Secrets (Datadog credentials) with `secrets`. Without it, Secret
    /// lookups find nothing.
    pub fn with_secrets(mut self, secrets: Arc<dyn SecretResolver + Send + Sync>) -> BuiltinProviders {
        self.secrets = Some(secrets);
        self
    }

    /// The Datadog provider's 429 policy (default: 3 attempts, 10 s of waiting).
    pub fn with_datadog_retry(mut self, policy: RetryPolicy) -> BuiltinProviders {
        self.datadog_retry = policy;
        self
    }

    fn prometheus_shared(&self) -> prometheus::Shared {
        prometheus::Shared {
            http: self.http.clone(),
            tokens: self.tokens.clone(),
            recorder: self.recorder.clone(),
            conditions: self.conditions.clone(),
            env: self.env.clone(),
        }
    }

    fn web_shared(&self) -> WebShared {
        WebShared {
            http: self.http.clone(),
            tokens: self.tokens.clone(),
            recorder: self.recorder.clone(),
            conditions: self.conditions.clone(),
        }
    }

    /// Records every provider answer with `recorder` (`augur run --record`).
    pub fn with_recorder(mut self, recorder: Arc<dyn Recorder>) -> BuiltinProviders {
        self.recorder = Some(recorder);
        self
    }

    /// The shared HTTP clients.
    pub fn http(&self) -> &HttpClients {
        &self.http
    }

    /// The recorder, when recording.
    pub fn recorder(&self) -> Option<&Arc<dyn Recorder>> {
        self.recorder.as_ref()
    }
}

impl ProviderFactory for BuiltinProviders {
    fn new_provider(&self, cx: &RunContext, metric: &Metric) -> Result<Arc<dyn Provider>, ProviderError> {
        let p = &metric.provider;
        match p.type_name() {
            Some(prometheus::TYPE_NAME) if let Some(cfg) = p.prometheus.as_deref() => {
                Ok(Arc::new(PrometheusProvider::new(cfg, self.prometheus_shared())?))
            }
            Some(crate::web::PROVIDER_TYPE) => Ok(Arc::new(WebProvider::new(metric, self.web_shared())?)),
            Some(crate::datadog::PROVIDER_TYPE) => {
                let ctx = DatadogContext {
                    http: &self.http,
                    secrets: self.secrets.as_deref(),
                    env: &self.env,
                    retry: self.datadog_retry,
                    recorder: self.recorder.clone(),
                    conditions: &self.conditions,
                };
                Ok(Arc::new(DatadogProvider::new(cx, metric, ctx)?))
            }
            None => Err(ProviderError::NoValidProvider { metric: metric.name.clone() }),
            Some(other) => Err(ProviderError::Other(format!("the {other} provider is not supported by augur"))),
        }
    }
}
