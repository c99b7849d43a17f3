//! Loading Argo analysis objects from (multi-document) YAML with precise error locations.

use std::fmt;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::analysis::{API_VERSION, AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate};
use super::source_map::SourceMap;
use super::yaml::{DeError, Node, NodeDe, NodeKind, Pos, Resolved, parse_stream};

/// A loading error: where (`origin:line:column`, 1-based) and what. The message names the
/// field path when the error is about a field, e.g.
/// ``spec.metrics[0].count: invalid type: floating point `1.5`, expected an integer or a string``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file name (or other origin) given to the loader.
    pub origin: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.origin, self.line, self.column, self.message)
    }
}

impl std::error::Error for LoadError {}

impl LoadError {
    fn at(origin: &str, pos: Pos, message: String) -> LoadError {
        LoadError { origin: origin.to_owned(), line: pos.line, column: pos.column, message }
    }

    fn from_de(origin: &str, fallback: Pos, e: DeError) -> LoadError {
        let message = match e.path.as_deref() {
            Some(path) if !path.is_empty() => format!("{path}: {}", e.message),
            _ => e.message,
        };
        LoadError::at(origin, e.pos.unwrap_or(fallback), message)
    }
}

/// A deserialized object together with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The object.
    pub value: T,
    /// The origin given to the loader (usually a file name).
    pub origin: String,
    /// The document's index in the YAML stream (0-based, counting empty documents).
    pub index: usize,
    /// Field paths of the document → source positions.
    pub source_map: SourceMap,
}

impl<T> Located<T> {
    /// The position of `path` ([`SourceMap::locate_or_parent`]), or 1:1 for an empty document.
    pub fn position(&self, path: &str) -> (usize, usize) {
        self.source_map.locate_or_parent(path).unwrap_or((1, 1))
    }

    /// A [`LoadError`]-shaped diagnostic at `path` (at its nearest existing ancestor when the
    /// path is absent), for validation and lint messages.
    pub fn error_at(&self, path: &str, message: impl Into<String>) -> LoadError {
        let (line, column) = self.position(path);
        LoadError { origin: self.origin.clone(), line, column, message: message.into() }
    }

    /// Transforms the value, keeping the location information.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Located<U> {
        Located { value: f(self.value), origin: self.origin, index: self.index, source_map: self.source_map }
    }
}

/// One document of a YAML stream, dispatched on its `kind`.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// `kind: AnalysisTemplate`.
    AnalysisTemplate(Located<AnalysisTemplate>),
    /// `kind: ClusterAnalysisTemplate`.
    ClusterAnalysisTemplate(Located<ClusterAnalysisTemplate>),
    /// `kind: AnalysisRun`.
    AnalysisRun(Located<AnalysisRun>),
    /// Any other kind (a Rollout, a Service, ...), or a mapping without `kind` (`kind` is then
    /// empty). Parse it yourself, or with [`YamlDocument::deserialize`] for located errors.
    Other {
        /// `kind` (empty when absent).
        kind: String,
        /// `apiVersion` (empty when absent).
        api_version: String,
        /// The document's index in the YAML stream.
        index: usize,
        /// The whole document as JSON.
        value: serde_json::Value,
    },
}

impl Document {
    /// The document's `kind`.
    pub fn kind(&self) -> &str {
        match self {
            Document::AnalysisTemplate(_) => "AnalysisTemplate",
            Document::ClusterAnalysisTemplate(_) => "ClusterAnalysisTemplate",
            Document::AnalysisRun(_) => "AnalysisRun",
            Document::Other { kind, .. } => kind,
        }
    }

    /// The document's index in the YAML stream.
    pub fn index(&self) -> usize {
        match self {
            Document::AnalysisTemplate(l) => l.index,
            Document::ClusterAnalysisTemplate(l) => l.index,
            Document::AnalysisRun(l) => l.index,
            Document::Other { index, .. } => *index,
        }
    }
}

/// A parsed, not yet typed, YAML document: deserialize it into any type with located errors.
#[derive(Debug, Clone)]
pub struct YamlDocument {
    origin: String,
    index: usize,
    root: Node,
    source_map: SourceMap,
}

impl YamlDocument {
    /// The document's index in the YAML stream (0-based, counting empty documents).
    pub fn index(&self) -> usize {
        self.index
    }

    /// Field paths of the document → source positions.
    pub fn source_map(&self) -> &SourceMap {
        &self.source_map
    }

    /// The value of a top-level string field (`kind`, `apiVersion`), if it is a string.
    pub fn top_level_str(&self, key: &str) -> Option<&str> {
        let NodeKind::Map(entries) = &self.root.kind else { return None };
        match entries.iter().find(|e| e.key == key)?.value.resolve()? {
            Resolved::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The document as JSON (YAML-only values: `.nan` and `.inf` become `null`).
    pub fn to_json(&self) -> serde_json::Value {
        // Any YAML tree fits serde_json::Value; a failure would be a bug, reported as null.
        serde_json::Value::deserialize(NodeDe::new(&self.root, "")).unwrap_or(serde_json::Value::Null)
    }

    /// Deserializes the document into `T`. Errors carry the origin, line, column and field
    /// path of the offending node.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<Located<T>, LoadError> {
        let value = self.deserialize_value()?;
        Ok(Located { value, origin: self.origin.clone(), index: self.index, source_map: self.source_map.clone() })
    }

    /// [`deserialize`](Self::deserialize), consuming the document (no copy of the source map).
    pub fn into_located<T: DeserializeOwned>(self) -> Result<Located<T>, LoadError> {
        let value = self.deserialize_value()?;
        Ok(Located { value, origin: self.origin, index: self.index, source_map: self.source_map })
    }

    fn deserialize_value<T: DeserializeOwned>(&self) -> Result<T, LoadError> {
        T::deserialize(NodeDe::new(&self.root, "")).map_err(|e| LoadError::from_de(&self.origin, self.root.start, e))
    }

    /// Deserializes the value at `path` (as [`SourceMap`] spells it) into `T`, with errors
    /// located in this document. `None` when the path is absent.
    pub fn deserialize_at<T: DeserializeOwned>(&self, path: &str) -> Option<Result<T, LoadError>> {
        let node = find(&self.root, "", path)?;
        Some(T::deserialize(NodeDe::new(node, path)).map_err(|e| LoadError::from_de(&self.origin, node.start, e)))
    }
}

fn find<'a>(node: &'a Node, here: &str, path: &str) -> Option<&'a Node> {
    if here == path {
        return Some(node);
    }
    match &node.kind {
        NodeKind::Scalar { .. } => None,
        NodeKind::Seq(items) => items.iter().enumerate().find_map(|(i, item)| {
            let p = super::source_map::join_index(here, i);
            path.starts_with(p.as_str()).then(|| find(item, &p, path)).flatten()
        }),
        NodeKind::Map(entries) => entries.iter().find_map(|e| {
            let p = super::source_map::join_key(here, &e.key);
            path.starts_with(p.as_str()).then(|| find(&e.value, &p, path)).flatten()
        }),
    }
}

/// Parses a (multi-document) YAML stream without interpreting it. Empty documents are
/// skipped; syntax errors are located.
pub fn load_yaml(origin: &str, text: &str) -> Result<Vec<YamlDocument>, LoadError> {
    let docs = parse_stream(text).map_err(|e| LoadError::at(origin, e.pos, e.message))?;
    Ok(docs
        .into_iter()
        .filter_map(|d| {
            let root = d.root?;
            let source_map = SourceMap::build(&root);
            Some(YamlDocument { origin: origin.to_owned(), index: d.index, root, source_map })
        })
        .collect())
}

/// Loads every document of a YAML stream (`---`-separated), dispatching on `kind`:
/// `AnalysisTemplate`, `ClusterAnalysisTemplate` and `AnalysisRun` are deserialized (their
/// `apiVersion` must be `argoproj.io/v1alpha1`); any other kind comes back as
/// [`Document::Other`]. Empty documents are skipped. A document that is not a mapping, or
/// whose `kind`/`apiVersion` is not a string, is an error.
///
/// Unknown fields are accepted (Kubernetes objects carry more than Argo reads); those of
/// `Metric` and of the specs are kept in their `unknown_fields` for lint.
///
/// # YAML
///
/// Scalars are resolved the way `kubectl` sends them to the API server (go-yaml v2 through
/// `sigs.k8s.io/yaml`), with one deliberate difference: where the target type is not known
/// (free-form JSON such as `jsonBody`), only `true`/`false`/`True`/`TRUE`/... are booleans;
/// the YAML 1.1 spellings `yes`/`no`/`on`/`off`/`y`/`n` are booleans for `bool` fields and
/// strings everywhere else.
///
/// * null: empty, `~`, `null`, `Null`, `NULL`. In typed objects a null value counts as
///   absent, as after the API server's pruning of nulls.
/// * integers: go-yaml's rules — `_` separators dropped, then Go's `strconv.ParseInt(s, 0, 64)`
///   (decimal, `0x`, `0o`, `0b`, a leading `0` for octal), then `ParseUint`.
/// * floats: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `.inf`, `-.inf`, `.nan`.
///   A float without a fractional part (`2.0`, `1e3`, `08`) is an integer, because kubectl
///   writes it to JSON that way (`limit: 2.0` is accepted, `jsonBody: {r: 1.0}` sends `1`).
/// * quoted and block scalars, and scalars tagged `!!str` or with a custom tag, are strings;
///   `!!int`, `!!float`, `!!bool` and `!!null` are honoured.
/// * a plain scalar that resolves to a number, a boolean or null is not a string: `value: 1`
///   for an argument is ``invalid type: integer `1`, expected a string``, as the API server
///   rejects it too. Quote it.
/// * anchors and aliases are expanded; `<<` merge keys are applied (explicit keys win, and
///   in a list of merged mappings the earlier wins); a duplicate key is an error; keys must be
///   scalars; nesting is limited to 128 levels and a document to a million nodes after alias
///   expansion.
pub fn load_documents(origin: &str, text: &str) -> Result<Vec<Document>, LoadError> {
    load_yaml(origin, text)?.into_iter().map(load_document).collect()
}

impl YamlDocument {
    /// The document as one of the analysis kinds (or [`Document::Other`]), so that callers
    /// can go on with the next document after an error in this one.
    pub fn into_document(self) -> Result<Document, LoadError> {
        load_document(self)
    }
}

fn load_document(doc: YamlDocument) -> Result<Document, LoadError> {
    let origin = doc.origin.as_str();
    let NodeKind::Map(entries) = &doc.root.kind else {
        let what = if matches!(doc.root.kind, NodeKind::Seq(_)) { "a sequence" } else { "a scalar" };
        return Err(LoadError::at(
            origin,
            doc.root.start,
            format!("document {} is {what}, expected a Kubernetes object (a mapping)", doc.index),
        ));
    };
    let string_field = |key: &str| -> Result<Option<(&str, Pos)>, LoadError> {
        let Some(entry) = entries.iter().find(|e| e.key == key) else { return Ok(None) };
        match entry.value.resolve() {
            Some(Resolved::Str(s)) => Ok(Some((s, entry.value.start))),
            Some(Resolved::Null) => Ok(None),
            _ => Err(LoadError::at(origin, entry.value.start, format!("{key}: expected a string"))),
        }
    };
    let kind = string_field("kind")?;
    let api_version = string_field("apiVersion")?;
    let (kind_str, kind_pos) = kind.unwrap_or(("", doc.root.start));
    let api_version_str = api_version.map_or("", |(s, _)| s);
    if matches!(kind_str, "AnalysisTemplate" | "ClusterAnalysisTemplate" | "AnalysisRun")
        && api_version_str != API_VERSION
    {
        let (pos, message) = match api_version {
            Some((v, pos)) => {
                (pos, format!("apiVersion: unsupported apiVersion {v:?} for kind {kind_str}, expected {API_VERSION:?}"))
            }
            None => (kind_pos, format!("apiVersion: missing; kind {kind_str} requires apiVersion {API_VERSION:?}")),
        };
        return Err(LoadError::at(origin, pos, message));
    }
    let kind = kind_str.to_owned();
    let api_version = api_version_str.to_owned();
    Ok(match kind.as_str() {
        "AnalysisTemplate" => Document::AnalysisTemplate(doc.into_located()?),
        "ClusterAnalysisTemplate" => Document::ClusterAnalysisTemplate(doc.into_located()?),
        "AnalysisRun" => Document::AnalysisRun(doc.into_located()?),
        _ => Document::Other { kind, api_version, index: doc.index, value: doc.to_json() },
    })
}
