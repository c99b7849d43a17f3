//! A located YAML tree and a serde `Deserializer` over it that reports the path and position
//! of every error.
//!
//! Scalars are resolved the way `kubectl` sends them to the API server (go-yaml v2 through
//! `sigs.k8s.io/yaml`), with one deliberate difference: only `true`/`false` (any case form of
//! the YAML 1.2 core schema) are booleans where the target type is not known; the YAML 1.1
//! spellings `yes`/`no`/`on`/`off`/`y`/`n` are booleans only for `bool` fields and stay strings
//! everywhere else.
//!
//! * null: empty, `~`, `null`, `Null`, `NULL`; a null mapping value is treated as absent for
//!   typed fields, as the API server prunes nulls of non-nullable fields;
//! * integers: go-yaml's rules — `_` separators are dropped, then Go's `strconv.ParseInt(s, 0,
//!   64)` (decimal, `0x`, `0o`, `0b`, and a leading `0` for octal), then `ParseUint`;
//! * floats: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `.inf`, `-.inf`, `.nan`;
//!   an integral float is handed to serde as an integer, as kubectl writes it to JSON;
//! * quoted and block scalars, and scalars tagged `!!str` or with a custom tag, are strings.
//!
//! A plain scalar that resolves to a number, a boolean or null is *not* accepted where a string
//! is expected (`value: 1` for an argument is `invalid type: integer `1`, expected a string`),
//! because the API server rejects it too.
//!
//! Anchors and aliases are expanded, `<<` merge keys are applied (explicit keys win; in a list
//! of merged maps the earlier wins), duplicate keys are an error.

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle as PScalarStyle, ScanError, Span};

use super::source_map::{join_index, join_key};

/// Maximum nesting of collections in a document.
pub(crate) const MAX_DEPTH: usize = 128;
/// Maximum number of nodes in one document after alias expansion.
pub(crate) const MAX_NODES: usize = 1_000_000;

/// A 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    fn from_marker(m: &serde_saphyr::granit_parser::Marker) -> Pos {
        Pos { line: m.line().max(1), column: m.col() + 1 }
    }
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueStyle {
    /// An unquoted scalar.
    Plain,
    /// `'...'`.
    SingleQuoted,
    /// `"..."`.
    DoubleQuoted,
    /// `|` block scalar.
    Literal,
    /// `>` block scalar.
    Folded,
    /// A mapping (block or flow).
    Mapping,
    /// A sequence (block or flow).
    Sequence,
}

/// The tag of a scalar, as far as resolution cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScalarTag {
    None,
    Str,
    Int,
    Float,
    Bool,
    Null,
    /// Any other tag: the scalar is a string.
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Where the node starts (for quoted scalars: the quote).
    pub start: Pos,
    /// Where its text starts (after the opening quote; first content line of a block scalar).
    pub text_start: Pos,
    pub kind: NodeKind,
}

#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    Scalar { value: String, style: ValueStyle, tag: ScalarTag },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl Node {
    pub fn style(&self) -> ValueStyle {
        match &self.kind {
            NodeKind::Scalar { style, .. } => *style,
            NodeKind::Seq(_) => ValueStyle::Sequence,
            NodeKind::Map(_) => ValueStyle::Mapping,
        }
    }

    fn count(&self) -> usize {
        1 + match &self.kind {
            NodeKind::Scalar { .. } => 0,
            NodeKind::Seq(items) => items.iter().map(Node::count).sum(),
            NodeKind::Map(entries) => entries.iter().map(|e| e.value.count()).sum(),
        }
    }

    /// True for a scalar that resolves to null.
    pub fn is_null(&self) -> bool {
        matches!(self.resolve(), Some(Resolved::Null))
    }

    /// A scalar's resolved value (`None` for collections).
    pub fn resolve(&self) -> Option<Resolved<'_>> {
        let NodeKind::Scalar { value, style, tag } = &self.kind else { return None };
        Some(match tag {
            ScalarTag::Str | ScalarTag::Other => Resolved::Str(value),
            ScalarTag::None if *style != ValueStyle::Plain => Resolved::Str(value),
            ScalarTag::None => resolve_plain(value),
            ScalarTag::Null => Resolved::Null,
            ScalarTag::Bool => match yaml11_bool(value) {
                Some(b) => Resolved::Bool(b),
                None => Resolved::Invalid("!!bool"),
            },
            ScalarTag::Int => match resolve_number(value) {
                Some(r @ (Resolved::Int(_) | Resolved::Uint(_))) => r,
                _ => Resolved::Invalid("!!int"),
            },
            ScalarTag::Float => match resolve_number(value).or_else(|| special_float(value)) {
                Some(Resolved::Int(i)) => Resolved::Float(i as f64),
                Some(Resolved::Uint(u)) => Resolved::Float(u as f64),
                Some(r @ Resolved::Float(_)) => r,
                _ => Resolved::Invalid("!!float"),
            },
        })
    }
}

/// The value of a scalar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(&'a str),
    /// A tagged scalar whose text does not fit its tag.
    Invalid(&'static str),
}

fn resolve_plain(s: &str) -> Resolved<'_> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        _ => {}
    }
    if let Some(r) = special_float(s) {
        return r;
    }
    match s.as_bytes()[0] {
        b'0'..=b'9' | b'+' | b'-' | b'.' => resolve_number(s).unwrap_or(Resolved::Str(s)),
        _ => Resolved::Str(s),
    }
}

fn special_float(s: &str) -> Option<Resolved<'static>> {
    Some(Resolved::Float(match s {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => f64::INFINITY,
        "-.inf" | "-.Inf" | "-.INF" => f64::NEG_INFINITY,
        ".nan" | ".NaN" | ".NAN" => f64::NAN,
        _ => return None,
    }))
}

/// YAML 1.1 booleans (go-yaml v2), used for `bool` fields and `!!bool`.
pub(crate) fn yaml11_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// go-yaml v2's number resolution of a plain scalar.
fn resolve_number(s: &str) -> Option<Resolved<'static>> {
    if s.starts_with('.') {
        return is_yaml_float(s).then(|| s.parse().ok().map(Resolved::Float)).flatten();
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(i) = go_parse_int_base0(&plain) {
        return Some(Resolved::Int(i));
    }
    if let Some(u) = go_parse_uint_base0(&plain) {
        return Some(Resolved::Uint(u));
    }
    if is_yaml_float(&plain) {
        return plain.parse().ok().map(Resolved::Float);
    }
    None
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseUint(s, 0, 64)` (without underscores); `None` on any error.
fn go_parse_uint_base0(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let (base, digits) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &s[2..]),
            Some(b'o') if b.len() >= 3 => (8, &s[2..]),
            Some(b'x') if b.len() >= 3 => (16, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    let mut n: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(base)?;
        n = n.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, 0, 64)` (without underscores); `None` on any error.
fn go_parse_int_base0(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = go_parse_uint_base0(rest)?;
    if neg {
        if u == 1 << 63 { Some(i64::MIN) } else { i64::try_from(u).ok().map(|v| -v) }
    } else {
        i64::try_from(u).ok()
    }
}

/// A YAML document of a stream.
#[derive(Debug, Clone)]
pub(crate) struct RawDocument {
    /// Position in the stream, counting empty documents.
    pub index: usize,
    /// `None` for an empty document.
    pub root: Option<Node>,
}

/// A syntax or structure error while reading YAML.
#[derive(Debug, Clone)]
pub(crate) struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

impl SyntaxError {
    fn scan(e: &ScanError) -> SyntaxError {
        SyntaxError { pos: Pos::from_marker(e.marker()), message: format!("YAML syntax error: {}", e.kind()) }
    }
}

enum Frame {
    Seq { start: Pos, anchor: usize, items: Vec<Node> },
    Map(MapFrame),
}

struct MapFrame {
    start: Pos,
    anchor: usize,
    entries: Vec<Entry>,
    seen: HashMap<String, Pos>,
    /// The key waiting for its value; `None` key text means a merge key.
    pending: Option<(Option<String>, Pos)>,
    merges: Vec<Node>,
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    root: Option<Node>,
}

/// The start of a scalar's text: the parser's start is already past any tag/anchor; a quoted
/// scalar's text starts one column after the quote; block scalars start on their first content
/// line already.
fn text_start(start: Pos, style: ValueStyle) -> Pos {
    match style {
        ValueStyle::SingleQuoted | ValueStyle::DoubleQuoted => Pos { line: start.line, column: start.column + 1 },
        _ => start,
    }
}

fn scalar_tag(tag: Option<&serde_saphyr::granit_parser::Tag>) -> ScalarTag {
    let Some(tag) = tag else { return ScalarTag::None };
    match tag.core_suffix() {
        Some("str") => ScalarTag::Str,
        Some("int") => ScalarTag::Int,
        Some("float") => ScalarTag::Float,
        Some("bool") => ScalarTag::Bool,
        Some("null") => ScalarTag::Null,
        _ => ScalarTag::Other,
    }
}

fn is_merge_tag(tag: Option<&serde_saphyr::granit_parser::Tag>) -> bool {
    tag.is_some_and(|t| t.is_yaml_core_schema_tag("merge"))
}

impl Builder {
    fn new() -> Builder {
        Builder { stack: Vec::new(), anchors: HashMap::new(), nodes: 0, root: None }
    }

    fn count(&mut self, n: usize, pos: Pos) -> Result<(), SyntaxError> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(SyntaxError {
                pos,
                message: format!("document too large: more than {MAX_NODES} nodes after expanding aliases"),
            });
        }
        Ok(())
    }

    fn push_frame(&mut self, frame: Frame, pos: Pos) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(SyntaxError { pos, message: format!("YAML nesting deeper than {MAX_DEPTH} levels") });
        }
        self.count(1, pos)?;
        self.stack.push(frame);
        Ok(())
    }

    /// A finished node (with its anchor id, 0 for none) goes into its parent.
    /// `merge_key` is `Some(is_merge)` for scalars, `None` for collections (invalid keys).
    fn finish(&mut self, node: Node, anchor: usize, merge_key: Option<bool>) -> Result<(), SyntaxError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map(m)) => match m.pending.take() {
                None => {
                    // This node is a key.
                    let (Some(is_merge), NodeKind::Scalar { value, .. }) = (merge_key, node.kind) else {
                        return Err(SyntaxError {
                            pos: node.start,
                            message: "unsupported mapping key: keys must be scalars".to_owned(),
                        });
                    };
                    m.pending = Some((if is_merge { None } else { Some(value) }, node.start));
                    Ok(())
                }
                Some((None, _)) => {
                    m.merges.push(node);
                    Ok(())
                }
                Some((Some(key), key_pos)) => {
                    if let Some(first) = m.seen.get(&key) {
                        return Err(SyntaxError {
                            pos: key_pos,
                            message: format!("duplicate key `{key}` (first defined at line {})", first.line),
                        });
                    }
                    m.seen.insert(key.clone(), key_pos);
                    m.entries.push(Entry { key, key_pos, value: node });
                    Ok(())
                }
            },
        }
    }

    fn end_map(&mut self, m: MapFrame) -> Result<Node, SyntaxError> {
        let MapFrame { start, mut entries, mut seen, merges, .. } = m;
        for merge in merges {
            let sources: Vec<Node> = match merge.kind {
                NodeKind::Map(_) => vec![merge],
                NodeKind::Seq(items) if items.iter().all(|n| matches!(n.kind, NodeKind::Map(_))) => items,
                _ => {
                    return Err(SyntaxError {
                        pos: merge.start,
                        message: "the value of a merge key `<<` must be a mapping or a sequence of mappings".to_owned(),
                    });
                }
            };
            for source in sources {
                let NodeKind::Map(source_entries) = source.kind else { continue };
                for e in source_entries {
                    if !seen.contains_key(&e.key) {
                        seen.insert(e.key.clone(), e.key_pos);
                        entries.push(e);
                    }
                }
            }
        }
        Ok(Node { start, text_start: start, kind: NodeKind::Map(entries) })
    }

    fn event(&mut self, event: Event<'_>, span: &Span) -> Result<(), SyntaxError> {
        let pos = Pos::from_marker(&span.start);
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                self.count(1, pos)?;
                let style = match style {
                    PScalarStyle::Plain => ValueStyle::Plain,
                    PScalarStyle::SingleQuoted => ValueStyle::SingleQuoted,
                    PScalarStyle::DoubleQuoted => ValueStyle::DoubleQuoted,
                    PScalarStyle::Literal => ValueStyle::Literal,
                    PScalarStyle::Folded => ValueStyle::Folded,
                };
                let tag_ref = tag.as_deref();
                let is_merge =
                    (style == ValueStyle::Plain && tag_ref.is_none() && value == "<<") || is_merge_tag(tag_ref);
                let node = Node {
                    start: pos,
                    text_start: text_start(pos, style),
                    kind: NodeKind::Scalar { value: value.into_owned(), style, tag: scalar_tag(tag_ref) },
                };
                self.finish(node, anchor, Some(is_merge))
            }
            Event::Alias(id) => {
                let Some(node) = self.anchors.get(&id) else {
                    return Err(SyntaxError {
                        pos,
                        message: "alias refers to an anchor that is not complete (recursive alias)".to_owned(),
                    });
                };
                let n = node.count();
                self.count(n, pos)?;
                let node = self.anchors[&id].clone();
                let merge_key = matches!(node.kind, NodeKind::Scalar { .. }).then_some(false);
                self.finish(node, 0, merge_key)
            }
            Event::SequenceStart(_, anchor, _) => {
                self.push_frame(Frame::Seq { start: pos, anchor, items: Vec::new() }, pos)
            }
            Event::MappingStart(_, anchor, _) => self.push_frame(
                Frame::Map(MapFrame {
                    start: pos,
                    anchor,
                    entries: Vec::new(),
                    seen: HashMap::new(),
                    pending: None,
                    merges: Vec::new(),
                }),
                pos,
            ),
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq { start, anchor, items }) => {
                    self.finish(Node { start, text_start: start, kind: NodeKind::Seq(items) }, anchor, None)
                }
                _ => Err(SyntaxError { pos, message: "unbalanced sequence end".to_owned() }),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map(m)) => {
                    let anchor = m.anchor;
                    let node = self.end_map(m)?;
                    self.finish(node, anchor, None)
                }
                _ => Err(SyntaxError { pos, message: "unbalanced mapping end".to_owned() }),
            },
            _ => Ok(()),
        }
    }
}

/// Parses a YAML stream into located documents.
pub(crate) fn parse_stream(text: &str) -> Result<Vec<RawDocument>, SyntaxError> {
    let mut options = Options::default();
    options.set_emit_comments(false);
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut docs = Vec::new();
    let mut builder: Option<Builder> = None;
    while let Some(ev) = parser.next_event() {
        let (event, span) = ev.map_err(|e| SyntaxError::scan(&e))?;
        match event {
            Event::DocumentStart(..) => builder = Some(Builder::new()),
            Event::DocumentEnd => {
                let b = builder.take().unwrap_or_else(Builder::new);
                let root = b.root.filter(|n| !n.is_null());
                docs.push(RawDocument { index: docs.len(), root });
            }
            Event::StreamStart | Event::StreamEnd => {}
            other => {
                let b = builder.get_or_insert_with(Builder::new);
                b.event(other, &span)?;
            }
        }
    }
    Ok(docs)
}

/// A deserialization error with the path and position of the node it happened at.
#[derive(Debug, Clone)]
pub(crate) struct DeError {
    pub message: String,
    pub path: Option<Rc<str>>,
    pub pos: Option<Pos>,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError { message: msg.to_string(), path: None, pos: None }
    }
}

/// A serde `Deserializer` over a located node.
pub(crate) struct NodeDe<'a> {
    pub node: &'a Node,
    pub path: Rc<str>,
}

impl<'a> NodeDe<'a> {
    pub fn new(node: &'a Node, path: &str) -> NodeDe<'a> {
        NodeDe { node, path: Rc::from(path) }
    }

    fn locate<T>(pos: Pos, path: &Rc<str>, r: Result<T, DeError>) -> Result<T, DeError> {
        r.map_err(|mut e| {
            if e.pos.is_none() {
                e.pos = Some(pos);
                e.path = Some(path.clone());
            }
            e
        })
    }

    fn any<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            NodeKind::Seq(items) => visitor.visit_seq(SeqDe { items: items.iter(), index: 0, path: &self.path }),
            NodeKind::Map(entries) => visitor.visit_map(MapDe::new(entries, &self.path, false)),
            NodeKind::Scalar { value, .. } => match self.node.resolve() {
                Some(Resolved::Null) => visitor.visit_unit(),
                Some(Resolved::Bool(b)) => visitor.visit_bool(b),
                Some(Resolved::Int(i)) => visitor.visit_i64(i),
                Some(Resolved::Uint(u)) => visitor.visit_u64(u),
                // kubectl's YAML → JSON conversion writes an integral float64 without a
                // fraction, so the API server (and Argo) see an integer.
                Some(Resolved::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e18 => visitor.visit_i64(f as i64),
                Some(Resolved::Float(f)) => visitor.visit_f64(f),
                Some(Resolved::Str(s)) => visitor.visit_str(s),
                Some(Resolved::Invalid(tag)) => Err(de::Error::custom(format!("invalid {tag} value `{value}`"))),
                None => unreachable!("scalar nodes always resolve"),
            },
        }
    }
}

macro_rules! forward_to_any {
    ($($name:ident)*) => {
        $(
            fn $name<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                self.deserialize_any(visitor)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let (pos, path) = (self.node.start, self.path.clone());
        NodeDe::locate(pos, &path, self.any(visitor))
    }

    forward_to_any! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_identifier
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if let NodeKind::Scalar { value, style: ValueStyle::Plain, tag: ScalarTag::None } = &self.node.kind
            && let Some(b) = yaml11_bool(value)
        {
            let (pos, path) = (self.node.start, self.path.clone());
            return NodeDe::locate(pos, &path, visitor.visit_bool(b));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let (pos, path) = (self.node.start, self.path.clone());
        let r = if self.node.is_null() { visitor.visit_none() } else { visitor.visit_some(self) };
        NodeDe::locate(pos, &path, r)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        let (pos, path) = (self.node.start, self.path.clone());
        NodeDe::locate(pos, &path, visitor.visit_newtype_struct(self))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let (pos, path) = (self.node.start, self.path.clone());
        let r = match &self.node.kind {
            // Typed maps and structs: null values are absent, as after the API server's pruning.
            NodeKind::Map(entries) => visitor.visit_map(MapDe::new(entries, &self.path, true)),
            _ => self.any(visitor),
        };
        NodeDe::locate(pos, &path, r)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let (pos, path) = (self.node.start, self.path.clone());
        let r = match self.node.resolve() {
            Some(Resolved::Str(s)) => visitor.visit_enum(IntoDeserializer::<DeError>::into_deserializer(s)),
            _ => self.any(visitor),
        };
        NodeDe::locate(pos, &path, r)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqDe<'a, 'p> {
    items: std::slice::Iter<'a, Node>,
    index: usize,
    path: &'p str,
}

impl<'de> SeqAccess<'de> for SeqDe<'_, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        let Some(node) = self.items.next() else { return Ok(None) };
        let path = join_index(self.path, self.index);
        self.index += 1;
        seed.deserialize(NodeDe { node, path: Rc::from(path) }).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe<'a, 'p> {
    entries: std::slice::Iter<'a, Entry>,
    current: Option<&'a Entry>,
    path: &'p str,
    prune_nulls: bool,
}

impl<'a, 'p> MapDe<'a, 'p> {
    fn new(entries: &'a [Entry], path: &'p str, prune_nulls: bool) -> MapDe<'a, 'p> {
        MapDe { entries: entries.iter(), current: None, path, prune_nulls }
    }
}

impl<'de> MapAccess<'de> for MapDe<'_, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        loop {
            let Some(entry) = self.entries.next() else { return Ok(None) };
            if self.prune_nulls && entry.value.is_null() {
                continue;
            }
            self.current = Some(entry);
            let key: de::value::StrDeserializer<'_, DeError> = entry.key.as_str().into_deserializer();
            let r = seed.deserialize(key).map(Some);
            let path: Rc<str> = Rc::from(join_key(self.path, &entry.key));
            return NodeDe::locate(entry.key_pos, &path, r);
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let entry = self.current.take().ok_or_else(|| de::Error::custom("value requested before key"))?;
        seed.deserialize(NodeDe { node: &entry.value, path: Rc::from(join_key(self.path, &entry.key)) })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// Every path → node of a document, for the source map.
pub(crate) fn walk<'a>(node: &'a Node, path: &str, out: &mut dyn FnMut(&str, Option<Pos>, &'a Node)) {
    walk_inner(node, path, None, out);
}

fn walk_inner<'a>(node: &'a Node, path: &str, key_pos: Option<Pos>, out: &mut dyn FnMut(&str, Option<Pos>, &'a Node)) {
    out(path, key_pos, node);
    match &node.kind {
        NodeKind::Scalar { .. } => {}
        NodeKind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_inner(item, &join_index(path, i), None, out);
            }
        }
        NodeKind::Map(entries) => {
            for e in entries {
                walk_inner(&e.value, &join_key(path, &e.key), Some(e.key_pos), out);
            }
        }
    }
}
