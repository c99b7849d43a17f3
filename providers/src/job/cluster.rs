//! Which cluster and namespace Job metrics run in, and the Kubernetes client for it.
//!
//! As in Argo, two environment variables steer the Job provider:
//!
//! * `ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE`: create Jobs there instead of the run's namespace;
//! * `ARGO_ROLLOUTS_ANALYSIS_JOB_KUBECONFIG`: `in-cluster`, or the path of a kubeconfig, for
//!   a cluster other than the default one. Jobs in another cluster get no owner reference.
//!
//! Without them the client comes from the usual places (`KUBECONFIG`, `~/.kube/config`, then
//! the in-cluster service account), or is handed over with
//! [`BuiltinProviders::with_kube_client`](crate::BuiltinProviders::with_kube_client).
//!
//! Building a client needs the tokio runtime and may read files, so it is built on the first
//! Job call, not when the factory is made; a failure is that measurement's Error and the next
//! call tries again.

use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use tokio::sync::OnceCell;

use crate::error::{FetchError, FetchErrorKind, error_chain};

/// Argo's environment variable naming the namespace for metric Jobs.
pub const JOB_NAMESPACE_ENV: &str = "ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE";
/// Argo's environment variable naming the cluster for metric Jobs (`in-cluster` or a path).
pub const JOB_KUBECONFIG_ENV: &str = "ARGO_ROLLOUTS_ANALYSIS_JOB_KUBECONFIG";

/// Where a custom cluster's configuration comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKubeconfig {
    /// The pod's service account (`in-cluster`).
    InCluster,
    /// A kubeconfig file (its current context).
    Path(PathBuf),
}

/// Where Job metrics run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSettings {
    /// Create Jobs in this namespace rather than the run's.
    pub namespace: Option<String>,
    /// A cluster other than the default one (Argo's "custom kubeconfig": no owner references).
    pub kubeconfig: Option<JobKubeconfig>,
    /// Give Jobs in the run's namespace and cluster a controller reference to the run, as Argo
    /// does. Turn it off when the AnalysisRun is not an object in that cluster (a run started
    /// from a file): Kubernetes' garbage collector deletes objects whose owner does not exist.
    pub owner_references: bool,
}

impl Default for JobSettings {
    fn default() -> JobSettings {
        JobSettings { namespace: None, kubeconfig: None, owner_references: true }
    }
}

impl JobSettings {
    /// The settings from Argo's environment variables (empty values count as unset).
    pub fn from_env() -> JobSettings {
        JobSettings::from_vars(|name| std::env::var(name).ok())
    }

    /// The settings from the variables `var` looks up.
    fn from_vars(var: impl Fn(&str) -> Option<String>) -> JobSettings {
        let var = |name| var(name).filter(|v| !v.is_empty());
        let kubeconfig = var(JOB_KUBECONFIG_ENV)
            .map(|v| if v == "in-cluster" { JobKubeconfig::InCluster } else { JobKubeconfig::Path(PathBuf::from(v)) });
        JobSettings { namespace: var(JOB_NAMESPACE_ENV), kubeconfig, owner_references: true }
    }
}

/// The cluster Job metrics run in: its settings and its client, built once on first use.
pub struct JobCluster {
    settings: JobSettings,
    client: OnceCell<Client>,
}

impl std::fmt::Debug for JobCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobCluster")
            .field("settings", &self.settings)
            .field("client", &self.client.initialized())
            .finish()
    }
}

impl JobCluster {
    /// The cluster `settings` describe; the client is built on first use.
    pub fn new(settings: JobSettings) -> JobCluster {
        JobCluster { settings, client: OnceCell::new() }
    }

    /// The cluster of `client`, with `settings` for namespaces and owner references.
    pub fn with_client(settings: JobSettings, client: Client) -> JobCluster {
        JobCluster { settings, client: OnceCell::new_with(Some(client)) }
    }

    /// The settings.
    pub fn settings(&self) -> &JobSettings {
        &self.settings
    }

    /// The client, built now if it was not yet.
    pub async fn client(&self) -> Result<&Client, FetchError> {
        self.client.get_or_try_init(|| build_client(self.settings.kubeconfig.as_ref())).await
    }

    /// The namespace for a run's Jobs: the configured one, else the run's, else the client's
    /// default namespace (a run read from a file may have none).
    pub fn namespace(&self, client: &Client, run_namespace: &str) -> String {
        match (&self.settings.namespace, run_namespace) {
            (Some(ns), _) => ns.clone(),
            (None, "") => client.default_namespace().to_string(),
            (None, ns) => ns.to_string(),
        }
    }

    /// Whether a Job in `namespace` gets a controller reference to the run in `run_namespace`
    /// (Argo: only in the run's own namespace and cluster).
    pub fn owns(&self, namespace: &str, run_namespace: &str) -> bool {
        self.settings.owner_references && self.settings.kubeconfig.is_none() && namespace == run_namespace
    }
}

async fn build_client(kubeconfig: Option<&JobKubeconfig>) -> Result<Client, FetchError> {
    let config_error = |target: &str, e: &dyn std::error::Error| {
        FetchError::new(FetchErrorKind::Config, error_chain(e), format!("Kubernetes configuration from {target}"))
    };
    let config = match kubeconfig {
        None => Config::infer().await.map_err(|e| config_error("kubeconfig or in-cluster environment", &e))?,
        Some(JobKubeconfig::InCluster) => {
            Config::incluster().map_err(|e| config_error(&format!("{JOB_KUBECONFIG_ENV}=in-cluster"), &e))?
        }
        Some(JobKubeconfig::Path(path)) => {
            let target = format!("{JOB_KUBECONFIG_ENV}={}", path.display());
            let file = Kubeconfig::read_from(path).map_err(|e| config_error(&target, &e))?;
            Config::from_custom_kubeconfig(file, &KubeConfigOptions::default())
                .await
                .map_err(|e| config_error(&target, &e))?
        }
    };
    crate::http::install_crypto_provider();
    let url = config.cluster_url.to_string();
    Client::try_from(config).map_err(|e| config_error(&format!("the client for {url}"), &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_from_argos_variables() {
        let vars = |ns: &'static str, kc: &'static str| {
            move |name: &str| match name {
                JOB_NAMESPACE_ENV => Some(ns.to_string()),
                JOB_KUBECONFIG_ENV => Some(kc.to_string()),
                _ => None,
            }
        };
        assert_eq!(JobSettings::from_vars(vars("", "")), JobSettings::default());
        let s = JobSettings::from_vars(vars("jobs", "in-cluster"));
        assert_eq!((s.namespace.as_deref(), s.kubeconfig), (Some("jobs"), Some(JobKubeconfig::InCluster)));
        let s = JobSettings::from_vars(vars("", "/etc/other.yaml"));
        assert_eq!(s.kubeconfig, Some(JobKubeconfig::Path("/etc/other.yaml".into())));
        assert!(s.owner_references);
    }

    #[test]
    fn owner_reference_rule() {
        let default = JobCluster::new(JobSettings::default());
        assert!(default.owns("apps", "apps"));
        assert!(!default.owns("jobs", "apps"));
        let custom =
            JobCluster::new(JobSettings { kubeconfig: Some(JobKubeconfig::InCluster), ..JobSettings::default() });
        assert!(!custom.owns("apps", "apps"));
        let off = JobCluster::new(JobSettings { owner_references: false, ..JobSettings::default() });
        assert!(!off.owns("apps", "apps"));
    }
}
