//! Where the Datadog provider finds its API and application keys (Argo `findCredentials`,
//! semantics §9.2).
//!
//! * `secretRef.namespaced: true` needs a `name`; the Secret is then read from the run's
//!   namespace.
//! * `secretRef.name` set: **only** that Secret is consulted (in the run's namespace when
//!   `namespaced`, else in the controller's namespace). Argo's documentation promises a
//!   fallback; its code has none, and neither has Augur.
//! * no name: the environment first (`DD_API_KEY`, `DD_APP_KEY` and `DD_ADDRESS`, all three
//!   set, `DD_ADDRESS` possibly empty), then Secret `datadog` in the controller's namespace.
//!
//! A Secret qualifies when its `api-key` and `app-key` are non-empty; `address` is optional.
//! Secrets are read through analysis-core's [`SecretResolver`]; the environment through an
//! [`EnvLookup`], so tests never touch the process environment.

use std::fmt;

use augur_analysis_core::spec::SecretRef;
use augur_analysis_core::template::SecretResolver;

use crate::provider::EnvLookup;

/// Argo's default Secret name (`DatadogTokensSecretName`).
pub const DEFAULT_SECRET: &str = "datadog";

/// The namespace Argo's controller uses when nothing says otherwise.
pub const DEFAULT_CONTROLLER_NAMESPACE: &str = "argo-rollouts";

/// Where the Kubernetes service-account namespace is mounted in a pod.
const SERVICE_ACCOUNT_NAMESPACE: &str = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/// The controller's namespace (Argo `defaults.Namespace()`): `POD_NAMESPACE`, else the
/// pod's service-account namespace, else `argo-rollouts`.
pub fn controller_namespace(env: &EnvLookup) -> String {
    if let Some(ns) = env("POD_NAMESPACE") {
        return ns;
    }
    std::fs::read_to_string(SERVICE_ACCOUNT_NAMESPACE)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_CONTROLLER_NAMESPACE.to_owned())
}

/// Datadog credentials. `Debug` never shows the keys.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The API endpoint (`address`; empty: `https://api.datadoghq.com`).
    pub address: String,
    pub(super) api_key: String,
    pub(super) app_key: String,
}

impl Credentials {
    /// Credentials from their parts.
    pub fn new(address: impl Into<String>, api_key: impl Into<String>, app_key: impl Into<String>) -> Credentials {
        Credentials { address: address.into(), api_key: api_key.into(), app_key: app_key.into() }
    }

    /// The keys, for redacting them from any text.
    pub fn secrets(&self) -> Vec<String> {
        vec![self.api_key.clone(), self.app_key.clone()]
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials").field("address", &self.address).finish_non_exhaustive()
    }
}

/// Why no credentials were found: Argo's text, and where Augur looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError {
    /// Argo's message.
    pub message: &'static str,
    /// Where the keys were looked for (names only).
    pub looked: String,
}

/// Finds the credentials for a metric of a run in `run_namespace`.
pub fn find(
    secret_ref: &SecretRef,
    run_namespace: &str,
    secrets: Option<&dyn SecretResolver>,
    env: &EnvLookup,
) -> Result<Credentials, CredentialsError> {
    if secret_ref.namespaced && secret_ref.name.is_empty() {
        return Err(CredentialsError {
            message: "secret name is required for namespaced credentials",
            looked: "secretRef.namespaced is true and secretRef.name is empty".into(),
        });
    }
    let found = if !secret_ref.name.is_empty() {
        let namespace = if secret_ref.namespaced { run_namespace.to_owned() } else { controller_namespace(env) };
        let found = from_secret(secrets, &namespace, &secret_ref.name);
        found.ok_or_else(|| format!("Secret {:?} in namespace {namespace:?}", secret_ref.name))
    } else {
        let namespace = controller_namespace(env);
        from_env(env).or_else(|| from_secret(secrets, &namespace, DEFAULT_SECRET)).ok_or_else(|| {
            format!("DD_API_KEY, DD_APP_KEY and DD_ADDRESS, then Secret {DEFAULT_SECRET:?} in namespace {namespace:?}")
        })
    };
    found.map_err(|looked| CredentialsError {
        message: "failed to find the credentials for datadog metrics provider",
        looked: if secrets.is_none() { format!("{looked}; no Kubernetes access to read Secrets") } else { looked },
    })
}

/// Argo's `secretFinder`: `api-key` and `app-key` non-empty, `address` optional.
fn from_secret(secrets: Option<&dyn SecretResolver>, namespace: &str, name: &str) -> Option<Credentials> {
    let secrets = secrets?;
    let api_key = secrets.get(namespace, name, "api-key").ok().filter(|k| !k.is_empty())?;
    let app_key = secrets.get(namespace, name, "app-key").ok().filter(|k| !k.is_empty())?;
    let address = secrets.get(namespace, name, "address").unwrap_or_default();
    Some(Credentials { address, api_key, app_key })
}

/// Argo's `envVariablesFinder`: all three variables must be set.
fn from_env(env: &EnvLookup) -> Option<Credentials> {
    let api_key = env("DD_API_KEY")?;
    let app_key = env("DD_APP_KEY")?;
    let address = env("DD_ADDRESS")?;
    (!api_key.is_empty() && !app_key.is_empty()).then_some(Credentials { address, api_key, app_key })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use augur_analysis_core::template::StaticSecrets;

    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> EnvLookup {
        let map: BTreeMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Arc::new(move |k: &str| map.get(k).cloned())
    }

    fn secret_ref(name: &str, namespaced: bool) -> SecretRef {
        SecretRef { name: name.into(), namespaced }
    }

    fn store() -> StaticSecrets {
        StaticSecrets::new()
            .with("argo-rollouts", "datadog", "api-key", "default-api")
            .with("argo-rollouts", "datadog", "app-key", "default-app")
            .with("team", "dd", "api-key", "team-api")
            .with("team", "dd", "app-key", "team-app")
            .with("team", "dd", "address", "https://api.datadoghq.eu")
            .with("argo-rollouts", "half", "api-key", "only-api")
    }

    #[test]
    fn lookup_order() {
        let s = store();
        let env = vars(&[]);
        let found = find(&secret_ref("", false), "team", Some(&s), &env).unwrap();
        assert_eq!((found.api_key.as_str(), found.address.as_str()), ("default-api", ""));

        let env_keys = vars(&[("DD_API_KEY", "env-api"), ("DD_APP_KEY", "env-app"), ("DD_ADDRESS", "")]);
        assert_eq!(find(&secret_ref("", false), "team", Some(&s), &env_keys).unwrap().api_key, "env-api");
        // DD_ADDRESS missing: the environment does not qualify.
        let partial = vars(&[("DD_API_KEY", "env-api"), ("DD_APP_KEY", "env-app")]);
        assert_eq!(find(&secret_ref("", false), "team", Some(&s), &partial).unwrap().api_key, "default-api");

        let named = find(&secret_ref("dd", true), "team", Some(&s), &env_keys).unwrap();
        assert_eq!((named.api_key.as_str(), named.address.as_str()), ("team-api", "https://api.datadoghq.eu"));
        // A named Secret is the only source, even with keys in the environment.
        let e = find(&secret_ref("dd", false), "team", Some(&s), &env_keys).unwrap_err();
        assert_eq!(e.message, "failed to find the credentials for datadog metrics provider");
        assert_eq!(e.looked, "Secret \"dd\" in namespace \"argo-rollouts\"");
        // POD_NAMESPACE moves the controller's namespace.
        let in_team = vars(&[("POD_NAMESPACE", "team")]);
        assert_eq!(find(&secret_ref("dd", false), "x", Some(&s), &in_team).unwrap().app_key, "team-app");
        // A Secret without app-key does not qualify.
        assert!(find(&secret_ref("half", false), "x", Some(&s), &env).is_err());
        assert_eq!(
            find(&secret_ref("", true), "x", Some(&s), &env).unwrap_err().message,
            "secret name is required for namespaced credentials"
        );
        assert!(
            find(&secret_ref("", false), "x", None, &env)
                .unwrap_err()
                .looked
                .ends_with("no Kubernetes access to read Secrets")
        );
    }

    #[test]
    fn debug_hides_keys() {
        let c = Credentials::new("https://x", "k3y-api", "k3y-app");
        assert!(!format!("{c:?}").contains("k3y"));
    }
}
