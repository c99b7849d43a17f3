//! `metav1.ObjectMeta`.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::time::Time;

/// Kubernetes object metadata (`metav1.ObjectMeta`): the fields the engine reads, every other
/// key kept verbatim in [`ObjectMeta::extra`].
///
/// Serialization follows Go: keys in `ObjectMeta`'s field order (keys of `extra` that are
/// `ObjectMeta` fields, such as `generation` or `ownerReferences`, in their Go position, any
/// other after them, sorted), empty strings and maps omitted, but `creationTimestamp` — a
/// non-pointer struct in Go — always written (`null` when unset).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `generateName`.
    #[serde(default)]
    pub generate_name: Option<String>,
    /// `namespace`.
    #[serde(default)]
    pub namespace: Option<String>,
    /// `uid`.
    #[serde(default)]
    pub uid: Option<String>,
    /// `resourceVersion`.
    #[serde(default)]
    pub resource_version: Option<String>,
    /// `creationTimestamp`.
    #[serde(default)]
    pub creation_timestamp: Option<Time>,
    /// `labels`.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `annotations`.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Every other key (`ownerReferences`, `generation`, `finalizers`, `managedFields`, ...).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// `metav1.ObjectMeta`'s JSON keys in Go's field order.
const GO_ORDER: [&str; 15] = [
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// Keys of the typed fields (never taken from `extra`).
const TYPED: [&str; 8] =
    ["name", "generateName", "namespace", "uid", "resourceVersion", "creationTimestamp", "labels", "annotations"];

impl Serialize for ObjectMeta {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        let strings = [
            ("name", &self.name),
            ("generateName", &self.generate_name),
            ("namespace", &self.namespace),
            ("uid", &self.uid),
            ("resourceVersion", &self.resource_version),
        ];
        for key in GO_ORDER {
            if let Some((_, value)) = strings.iter().find(|(k, _)| *k == key) {
                if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                    map.serialize_entry(key, v)?;
                }
                continue;
            }
            match key {
                "creationTimestamp" => map.serialize_entry(key, &self.creation_timestamp)?,
                "labels" if !self.labels.is_empty() => map.serialize_entry(key, &self.labels)?,
                "annotations" if !self.annotations.is_empty() => map.serialize_entry(key, &self.annotations)?,
                "labels" | "annotations" => {}
                other => {
                    if let Some(v) = self.extra.get(other) {
                        map.serialize_entry(other, v)?;
                    }
                }
            }
        }
        for (k, v) in &self.extra {
            if !GO_ORDER.contains(&k.as_str()) && !TYPED.contains(&k.as_str()) {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}
