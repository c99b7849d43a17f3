//! [`BuiltinProviders`]: the [`ProviderFactory`] that builds Augur's providers by the metric's
//! provider field, in Argo's selection order (semantics §9.0).
//!
//! It owns what providers share across measurements — the HTTP clients (connection pools),
//! the recorder for `--record` — and hands it to each provider it builds, so building a
//! provider per measurement (as Argo does) costs no connection set-up.

use std::sync::Arc;

use augur_analysis_core::spec::Metric;
use augur_analysis_core::template::SecretResolver;

use crate::datadog::{DatadogContext, DatadogProvider, Environment, ProcessEnvironment, RetryPolicy};
use crate::error::FetchError;
use crate::http::HttpClients;
use crate::provider::{Provider, ProviderError, ProviderFactory, RunContext};
use crate::record::Recorder;

/// Builds the built-in provider a metric names.
#[derive(Clone)]
pub struct BuiltinProviders {
    http: HttpClients,
    recorder: Option<Arc<dyn Recorder>>,
    secrets: Option<Arc<dyn SecretResolver + Send + Sync>>,
    env: Arc<dyn Environment>,
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
            recorder: None,
            secrets: None,
            env: Arc::new(ProcessEnvironment),
            datadog_retry: RetryPolicy::default(),
        })
    }

    /// Reads Kubernetes Secrets (Datadog credentials) with `secrets`. Without it, Secret
    /// lookups find nothing.
    pub fn with_secrets(mut self, secrets: Arc<dyn SecretResolver + Send + Sync>) -> BuiltinProviders {
        self.secrets = Some(secrets);
        self
    }

    /// Reads environment variables (`DD_API_KEY`, ...) from `env` instead of the process.
    pub fn with_environment(mut self, env: Arc<dyn Environment>) -> BuiltinProviders {
        self.env = env;
        self
    }

    /// The Datadog provider's 429 policy (default: 3 attempts, 10 s of waiting).
    pub fn with_datadog_retry(mut self, policy: RetryPolicy) -> BuiltinProviders {
        self.datadog_retry = policy;
        self
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
        match metric.provider.type_name() {
            Some(crate::datadog::PROVIDER_TYPE) => {
                let ctx = DatadogContext {
                    http: &self.http,
                    secrets: self.secrets.as_deref(),
                    env: &*self.env,
                    retry: self.datadog_retry,
                    recorder: self.recorder.clone(),
                };
                Ok(Arc::new(DatadogProvider::new(cx, metric, ctx)?))
            }
            Some(crate::web::PROVIDER_TYPE) => {
                Ok(Arc::new(crate::web::WebProvider::new(metric, &self.http, self.recorder.clone())?))
            }
            None => Err(ProviderError::NoValidProvider { metric: metric.name.clone() }),
            Some(other) => Err(ProviderError::Other(format!("the {other} provider is not supported by augur"))),
        }
    }
}
