//! The plugin registry: which plugins the operator installed, and what each may do. The
//! counterpart of Argo's `metricProviderPlugins` ConfigMap entry, with what a sandbox needs
//! on top: allowed hosts, auth profiles and limits.
//!
//! ```yaml
//! plugins:
//! - name: augur/prometheus-lite          # <namespace>/<name>, as metrics name it
//!   file: plugins/prometheus_lite.wasm    # relative to this file
//!   sha256: 3f1c...                       # required: checked at load
//!   allowedHosts: ["prometheus.monitoring:9090", "127.0.0.1"]   # host or host:port
//!   auth:                                 # profiles a request names with `auth: <profile>`
//!     prometheus: {bearer: {token: {env: PROM_TOKEN}}}
//!     grafana: {basic: {username: {value: augur}, password: {file: /secrets/grafana}}}
//!     datadog: {header: {name: DD-API-KEY, value: {env: DD_API_KEY}}}
//!   limits: {stepTimeoutMs: 1000, memoryBytes: 67108864}
//! ```
//!
//! Secrets are read when a request is made (so a rotated secret is picked up) and are never
//! shown to the plugin, recorded or printed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::PluginError;
use super::limits::Limits;

/// The registry file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// The plugins.
    #[serde(default)]
    pub plugins: Vec<PluginEntry>,
}

/// One installed plugin.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PluginEntry {
    /// `<namespace>/<name>` (Argo's rule: `^[a-zA-Z0-9-]+/[a-zA-Z0-9_.-]+$`).
    pub name: String,
    /// The module file; a relative path is relative to the registry file.
    pub file: PathBuf,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    /// Hosts requests may go to: `host` (any port) or `host:port`.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Auth profiles by name.
    #[serde(default)]
    pub auth: BTreeMap<String, AuthProfile>,
    /// Limits (defaults for missing fields).
    #[serde(default)]
    pub limits: Limits,
}

/// How the host authenticates a request that names this profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum AuthProfile {
    /// `Authorization: Bearer <token>`.
    Bearer {
        /// The token.
        token: Secret,
    },
    /// `Authorization: Basic ...`.
    Basic {
        /// The user name.
        username: Secret,
        /// The password.
        password: Secret,
    },
    /// A header whose value is a secret.
    Header {
        /// The header name.
        name: String,
        /// Its value.
        value: Secret,
    },
}

/// Where a secret comes from.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Secret {
    /// Written in the registry.
    Value(String),
    /// An environment variable of the host.
    Env(String),
    /// A file (trailing newline trimmed), e.g. a mounted Kubernetes Secret.
    File(PathBuf),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Value(_) => f.write_str("Secret::Value(<redacted>)"),
            Secret::Env(name) => write!(f, "Secret::Env({name})"),
            Secret::File(path) => write!(f, "Secret::File({})", path.display()),
        }
    }
}

impl Secret {
    /// The secret's value, or why it cannot be read (never containing the value).
    pub fn resolve(&self) -> Result<String, String> {
        match self {
            Secret::Value(v) => Ok(v.clone()),
            Secret::Env(name) => std::env::var(name).map_err(|_| format!("environment variable {name} is not set")),
            Secret::File(path) => std::fs::read_to_string(path)
                .map(|s| s.trim_end_matches(['\r', '\n']).to_string())
                .map_err(|e| format!("cannot read secret file {}: {e}", path.display())),
        }
    }
}

/// Argo's plugin name rule: `<namespace>/<name>`.
pub fn valid_name(name: &str) -> bool {
    let Some((ns, n)) = name.split_once('/') else { return false };
    !ns.is_empty()
        && !n.is_empty()
        && ns.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && n.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

impl Registry {
    /// Reads and validates a registry file (YAML or JSON); relative `file`s are resolved
    /// against its directory.
    pub fn load(path: &Path) -> Result<Registry, PluginError> {
        let error = |message: String| PluginError::Registry { path: path.to_path_buf(), message };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        let mut registry: Registry = serde_saphyr::from_str(&text).map_err(|e| error(e.to_string()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        for entry in &mut registry.plugins {
            if entry.file.is_relative() {
                entry.file = dir.join(&entry.file);
            }
        }
        registry.validate().map_err(error)?;
        Ok(registry)
    }

    /// Checks names (format, uniqueness), checksums and limits.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        for (i, p) in self.plugins.iter().enumerate() {
            let at = format!("plugins[{i}] ({})", p.name);
            if !valid_name(&p.name) {
                return Err(format!(
                    "plugins[{i}].name: plugin repository ({}) must be in the format of <namespace>/<name>",
                    p.name
                ));
            }
            if !seen.insert(&p.name) {
                return Err(format!("{at}: the name appears twice"));
            }
            if p.sha256.len() != 64 || !p.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("{at}.sha256: expected 64 hex digits, got {:?}", p.sha256));
            }
            if p.limits.step_timeout_ms == 0 || p.limits.max_steps == 0 {
                return Err(format!("{at}.limits: stepTimeoutMs and maxSteps must be positive"));
            }
            if p.limits.memory_bytes > super::runtime::POOL_MAX_MEMORY {
                return Err(format!(
                    "{at}.limits.memoryBytes: {} is above the host's ceiling of {} bytes",
                    p.limits.memory_bytes,
                    super::runtime::POOL_MAX_MEMORY
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(valid_name("argoproj-labs/sample-prometheus"));
        assert!(valid_name("a/b_c.d"));
        assert!(!valid_name("nobody"));
        assert!(!valid_name("a/b/c"));
        assert!(!valid_name("a_b/c"));
    }

    #[test]
    fn parses_auth_profiles_and_limit_defaults() {
        let r: Registry = serde_saphyr::from_str(
            "plugins:\n- name: a/b\n  file: b.wasm\n  sha256: x\n  auth:\n    p: {bearer: {token: {env: T}}}\n  limits: {stepTimeoutMs: 5}\n",
        )
        .unwrap();
        let p = &r.plugins[0];
        assert_eq!(p.auth["p"], AuthProfile::Bearer { token: Secret::Env("T".into()) });
        assert_eq!((p.limits.step_timeout_ms, p.limits.memory_bytes), (5, 64 << 20));
        assert!(r.validate().unwrap_err().contains("sha256: expected 64 hex digits"));
        assert_eq!(format!("{:?}", Secret::Value("hunter2".into())), "Secret::Value(<redacted>)");
    }
}
