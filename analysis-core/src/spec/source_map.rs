//! Field paths of a YAML document mapped to source positions.

use std::collections::HashMap;

use super::yaml::{Node, Pos, ValueStyle, walk};

/// Appends a mapping key to a path (see [`SourceMap`] for the syntax).
pub fn join_key(parent: &str, key: &str) -> String {
    let simple = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if simple {
        if parent.is_empty() { key.to_owned() } else { format!("{parent}.{key}") }
    } else {
        let quoted = serde_json::to_string(key).unwrap_or_default();
        format!("{parent}[{quoted}]")
    }
}

/// Appends a sequence index to a path.
pub fn join_index(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// The parent of a path (`a.b[2].c` → `a.b[2]` → `a.b` → `a` → ``); `None` for the empty path
/// or a path that does not parse.
pub fn parent_path(path: &str) -> Option<&str> {
    let b = path.as_bytes();
    if b.is_empty() {
        return None;
    }
    let mut last_start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'.' => {
                last_start = i;
                i += 1;
                while i < b.len() && b[i] != b'.' && b[i] != b'[' {
                    i += 1;
                }
            }
            b'[' => {
                last_start = i;
                i += 1;
                if b.get(i) == Some(&b'"') {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                } else {
                    while i < b.len() && b[i] != b']' {
                        i += 1;
                    }
                }
                if b.get(i) != Some(&b']') {
                    return None;
                }
                i += 1;
            }
            _ => {
                // The first segment, without a leading dot.
                if i != 0 {
                    return None;
                }
                while i < b.len() && b[i] != b'.' && b[i] != b'[' {
                    i += 1;
                }
            }
        }
    }
    Some(&path[..last_start])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SourceEntry {
    /// The key of a mapping entry.
    key: Option<Pos>,
    /// The value node.
    value: Pos,
    /// The first character of the value's text.
    text: Pos,
    style: ValueStyle,
}

/// Positions of the nodes of one YAML document, by field path. Lines and columns are 1-based;
/// columns count characters.
///
/// # Paths
///
/// A path names a node of a document the way error messages do:
/// `spec.metrics[2].successCondition`. Mapping keys made only of ASCII letters, digits, `_`
/// and `-` are joined with `.`; any other key is written as a JSON string in brackets
/// (`metadata.labels["app.kubernetes.io/name"]`,
/// `spec.metrics[0].provider.plugin["argoproj-labs/metric-plugin"]`); sequence items are
/// `[index]`. The document itself is the empty path. Build paths with [`join_key`] and
/// [`join_index`] to get the same spelling.
///
/// Built from the document as written: an alias maps to the anchored node, a merged (`<<`) key
/// to its definition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceMap {
    entries: HashMap<String, SourceEntry>,
}

impl SourceMap {
    pub(crate) fn build(root: &Node) -> SourceMap {
        let mut entries = HashMap::new();
        walk(root, "", &mut |path, key, node| {
            entries.insert(
                path.to_owned(),
                SourceEntry { key, value: node.start, text: node.text_start, style: node.style() },
            );
        });
        SourceMap { entries }
    }

    /// Where the field starts: the key of a mapping entry (`successCondition:`), the item of a
    /// sequence, the document for the empty path. `None` when the path is absent.
    pub fn locate(&self, path: &str) -> Option<(usize, usize)> {
        self.entries.get(path).map(|e| lc(e.key.unwrap_or(e.value)))
    }

    /// [`locate`](Self::locate), falling back to the nearest ancestor that exists (so a missing
    /// field is reported at its parent). `None` only for an empty map.
    pub fn locate_or_parent(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path;
        loop {
            if let Some(l) = self.locate(p) {
                return Some(l);
            }
            p = parent_path(p)?;
        }
    }

    /// Where the field's value starts. For a scalar this is the first character of its text:
    /// after the opening quote of a quoted scalar, on the first content line of a `|`/`>` block;
    /// so for a condition it is where the expression itself starts. For a mapping or sequence,
    /// its first key or item.
    pub fn locate_value(&self, path: &str) -> Option<(usize, usize)> {
        self.entries.get(path).map(|e| lc(e.text))
    }

    /// [`locate_value`](Self::locate_value), falling back to the nearest existing ancestor's
    /// [`locate`](Self::locate) position.
    pub fn locate_value_or_parent(&self, path: &str) -> Option<(usize, usize)> {
        self.locate_value(path).or_else(|| self.locate_or_parent(path))
    }

    /// How the value at `path` is written. Columns inside a value map one-to-one onto the
    /// source only for single-line plain and quoted scalars without escapes.
    pub fn value_style(&self, path: &str) -> Option<ValueStyle> {
        self.entries.get(path).map(|e| e.style)
    }

    /// True when the document has a node at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.entries.contains_key(path)
    }

    /// Every path of the document, in no particular order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
}

fn lc(p: Pos) -> (usize, usize) {
    (p.line, p.column)
}
