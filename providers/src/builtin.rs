//! [`BuiltinProviders`]: the [`ProviderFactory`] that builds Augur's providers by the metric's
//! provider field, in Argo's selection order (semantics §9.0).
//!
//! It owns what providers share across measurements — the HTTP clients (connection pools),
//! OAuth2 tokens, compiled conditions, Kubernetes Secrets and the environment, the
//! Kubernetes client for Job metrics, the local Job processes, the recorder for
//! `--record` — and hands it to each provider it builds, so building a provider per
//! measurement (as Argo does) costs no connection set-up.

use std::sync::Arc;

use augur_analysis_core::spec::Metric;
use augur_analysis_core::template::SecretResolver;

use crate::answer::ConditionCache;
use crate::datadog::{DatadogContext, DatadogProvider, RetryPolicy};
use crate::error::FetchError;
use crate::http::HttpClients;
use crate::job::{JobCluster, JobSettings, KubeJobProvider, LocalJobProvider, LocalJobs};
use crate::oauth2::TokenCache;
use crate::plugin::{PLUGIN_TYPE, PluginHost};
use crate::prometheus::{self, PrometheusProvider};
use crate::provider::{EnvLookup, Provider, ProviderError, ProviderFactory, RunContext};
use crate::record::Recorder;
use crate::shared::ProviderShared;
use crate::web::WebProvider;

/// Builds the built-in provider a metric names.
#[derive(Clone)]
pub struct BuiltinProviders {
    /// What the HTTP providers share; the builder methods change it before any is built.
    shared: Arc<ProviderShared>,
    secrets: Option<Arc<dyn SecretResolver + Send + Sync>>,
    datadog_retry: RetryPolicy,
    /// The cluster Job metrics run in.
    jobs: Arc<JobCluster>,
    /// Job metrics run as local processes instead (`--local-jobs`).
    local_jobs: Option<Arc<LocalJobs>>,
    /// The WebAssembly plugins `provider.plugin` metrics use (`--plugins`).
    plugins: Option<Arc<PluginHost>>,
}

impl std::fmt::Debug for BuiltinProviders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltinProviders")
            .field("recording", &self.shared.recorder.is_some())
            .field("secrets", &self.secrets.is_some())
            .field("datadog_retry", &self.datadog_retry)
            .field("jobs", self.jobs.settings())
            .field("local_jobs", &self.local_jobs.is_some())
            .finish_non_exhaustive()
    }
}

impl BuiltinProviders {
    /// The factory with fresh HTTP clients (installs the TLS crypto provider). Job metrics run
    /// in the cluster of the usual kubeconfig (or in-cluster configuration), steered by Argo's
    /// `ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE` / `ARGO_ROLLOUTS_ANALYSIS_JOB_KUBECONFIG`; the
    /// client is built on the first Job measurement.
    pub fn new() -> Result<BuiltinProviders, FetchError> {
        Ok(BuiltinProviders {
            shared: Arc::new(ProviderShared {
                http: HttpClients::new()?,
                tokens: TokenCache::default(),
                conditions: ConditionCache::default(),
                recorder: None,
                env: Arc::new(|name| std::env::var(name).ok()),
            }),
            secrets: None,
            datadog_retry: RetryPolicy::default(),
            jobs: Arc::new(JobCluster::new(JobSettings::from_env())),
            local_jobs: None,
            plugins: None,
        })
    }

    /// Reads environment variables (`ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`, `DD_API_KEY`, ...)
    /// with `env` instead of the process environment.
    pub fn with_env(mut self, env: EnvLookup) -> BuiltinProviders {
        Arc::make_mut(&mut self.shared).env = env;
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

    /// Records every provider answer with `recorder` (`augur run --record`).
    pub fn with_recorder(mut self, recorder: Arc<dyn Recorder>) -> BuiltinProviders {
        Arc::make_mut(&mut self.shared).recorder = Some(recorder);
        self
    }

    /// Job metrics run in the cluster `client` talks to (namespace and owner references as
    /// the current [`JobSettings`] say).
    pub fn with_kube_client(mut self, client: kube::Client) -> BuiltinProviders {
        self.jobs = Arc::new(JobCluster::with_client(self.jobs.settings().clone(), client));
        self
    }

    /// Where Job metrics run (replaces the settings read from the environment; the client is
    /// built from them on the first Job measurement).
    pub fn with_job_settings(mut self, settings: JobSettings) -> BuiltinProviders {
        self.jobs = Arc::new(JobCluster::new(settings));
        self
    }

    /// With `true`, Job metrics run as local processes: the pod's first container's command
    /// and args, with its env, on this machine (`augur run --local-jobs`, for CI). **This runs
    /// commands from the template on the local machine.** See [`crate::job`].
    pub fn with_local_jobs(mut self, local: bool) -> BuiltinProviders {
        self.local_jobs = local.then(|| Arc::new(LocalJobs::new()));
        self
    }

    /// The local Job processes, when Job metrics run locally.
    pub fn local_jobs(&self) -> Option<&Arc<LocalJobs>> {
        self.local_jobs.as_ref()
    }

    /// Metrics with `provider.plugin` run through `host`'s WebAssembly plugins.
    pub fn with_plugins(mut self, host: Arc<PluginHost>) -> BuiltinProviders {
        self.plugins = Some(host);
        self
    }

    /// The shared HTTP clients.
    pub fn http(&self) -> &HttpClients {
        &self.shared.http
    }

    /// The recorder, when recording.
    pub fn recorder(&self) -> Option<&Arc<dyn Recorder>> {
        self.shared.recorder.as_ref()
    }
}

impl ProviderFactory for BuiltinProviders {
    fn new_provider(&self, cx: &RunContext, metric: &Metric) -> Result<Arc<dyn Provider>, ProviderError> {
        let p = &metric.provider;
        match p.type_name() {
            Some(prometheus::TYPE_NAME) if let Some(cfg) = p.prometheus.as_deref() => {
                Ok(Arc::new(PrometheusProvider::new(cfg, Arc::clone(&self.shared))?))
            }
            Some(crate::web::PROVIDER_TYPE) => Ok(Arc::new(WebProvider::new(metric, Arc::clone(&self.shared))?)),
            Some(crate::datadog::PROVIDER_TYPE) => {
                let ctx = DatadogContext {
                    shared: &self.shared,
                    secrets: self.secrets.as_deref(),
                    retry: self.datadog_retry,
                };
                Ok(Arc::new(DatadogProvider::new(cx, metric, ctx)?))
            }
            Some("Job") => Ok(match &self.local_jobs {
                Some(local) => Arc::new(LocalJobProvider::new(
                    Arc::clone(local),
                    self.jobs.settings().namespace.clone(),
                    self.shared.recorder.clone(),
                )),
                None => Arc::new(KubeJobProvider::new(Arc::clone(&self.jobs), self.shared.recorder.clone())),
            }),
            Some(PLUGIN_TYPE) => match &self.plugins {
                Some(host) => Ok(Arc::new(host.provider(metric)?.with_recorder(self.shared.recorder.clone()))),
                None => {
                    let names: Vec<&str> = p.plugin.iter().flat_map(|m| m.keys().map(String::as_str)).collect();
                    Err(ProviderError::Plugin(format!(
                        "plugin {} not configured: no plugin registry was given (augur run --plugins REGISTRY.yaml)",
                        names.join(", ")
                    )))
                }
            },
            None => Err(ProviderError::NoValidProvider { metric: metric.name.clone() }),
            Some(other) => Err(ProviderError::Other(format!("the {other} provider is not supported by augur"))),
        }
    }
}
