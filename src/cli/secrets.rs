//! `--secrets FILE`: Kubernetes Secret manifests (`kind: Secret`, `data` in base64 or
//! `stringData`) that secret-backed arguments (`valueFrom.secretKeyRef`) and providers read,
//! for running templates outside a cluster. The manifests `kubectl get secret -o yaml`
//! prints work as they are.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use augur_analysis_core::template::StaticSecrets;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecretManifest {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    data: BTreeMap<String, String>,
    #[serde(default)]
    string_data: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
struct Metadata {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

/// Loads every Secret in `path`; a Secret without a namespace belongs to `namespace`.
pub fn load(path: &Path, namespace: &str) -> anyhow::Result<StaticSecrets> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let docs: Vec<SecretManifest> =
        serde_saphyr::from_multiple(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut secrets = StaticSecrets::new();
    for (i, doc) in docs.into_iter().enumerate() {
        if doc.kind != "Secret" {
            bail!("{}: document {}: expected kind: Secret, found {:?}", path.display(), i + 1, doc.kind);
        }
        if doc.metadata.name.is_empty() {
            bail!("{}: document {}: metadata.name is required", path.display(), i + 1);
        }
        let ns = doc.metadata.namespace.as_deref().unwrap_or(namespace);
        for (key, encoded) in doc.data {
            let bytes = augur_analysis_core::go::base64::decode(encoded.as_bytes())
                .map_err(|e| anyhow::anyhow!("{}: secret {:?}: data.{key}: {e}", path.display(), doc.metadata.name))?;
            secrets.insert(ns, &doc.metadata.name, key, String::from_utf8_lossy(&bytes).into_owned());
        }
        // As in Kubernetes, stringData wins over data for the same key.
        for (key, value) in doc.string_data {
            secrets.insert(ns, &doc.metadata.name, key, value);
        }
    }
    Ok(secrets)
}
