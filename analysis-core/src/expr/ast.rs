//! The syntax tree produced by the parser and consumed by the type checker.
//!
//! Node kinds mirror expr's `ast` package one for one, so that the checker can follow expr's
//! checker rule by rule.

use super::error::Span;

/// One syntax node with its source span and its depth (the longest path to a leaf).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub span: Span,
    pub depth: u32,
}

/// The node kinds of expr's AST.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeKind {
    Nil,
    Bool(bool),
    Integer(i64),
    Float(f64),
    Str(String),
    Bytes(String),
    Identifier(String),
    /// `#` (name ""), `#index`, `#acc`, or the `.field` shorthand's implicit `#`.
    Pointer(String),
    Unary {
        op: String,
        node: Box<Node>,
    },
    Binary {
        op: String,
        left: Box<Node>,
        right: Box<Node>,
    },
    /// The extent of an optional chain (`a?.b.c`): a nil met by `?.` ends here as nil.
    Chain(Box<Node>),
    Member {
        node: Box<Node>,
        property: Box<Node>,
        optional: bool,
        method: bool,
    },
    Slice {
        node: Box<Node>,
        from: Option<Box<Node>>,
        to: Option<Box<Node>>,
    },
    Call {
        callee: Box<Node>,
        args: Vec<Node>,
    },
    Builtin {
        name: String,
        args: Vec<Node>,
    },
    Predicate(Box<Node>),
    Let {
        name: String,
        value: Box<Node>,
        body: Box<Node>,
    },
    Sequence(Vec<Node>),
    Conditional {
        cond: Box<Node>,
        then: Box<Node>,
        otherwise: Box<Node>,
    },
    Array(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl NodeKind {
    /// Depth of the deepest child, so that construction can bound the tree's depth (every later
    /// pass, including `Drop`, recurses over it).
    pub fn child_depth(&self) -> u32 {
        fn d(n: &Node) -> u32 {
            n.depth
        }
        fn od(n: &Option<Box<Node>>) -> u32 {
            n.as_deref().map_or(0, d)
        }
        fn vd(v: &[Node]) -> u32 {
            v.iter().map(d).max().unwrap_or(0)
        }
        match self {
            NodeKind::Nil
            | NodeKind::Bool(_)
            | NodeKind::Integer(_)
            | NodeKind::Float(_)
            | NodeKind::Str(_)
            | NodeKind::Bytes(_)
            | NodeKind::Identifier(_)
            | NodeKind::Pointer(_) => 0,
            NodeKind::Unary { node, .. } | NodeKind::Chain(node) | NodeKind::Predicate(node) => d(node),
            NodeKind::Binary { left, right, .. } => d(left).max(d(right)),
            NodeKind::Member { node, property, .. } => d(node).max(d(property)),
            NodeKind::Slice { node, from, to } => d(node).max(od(from)).max(od(to)),
            NodeKind::Call { callee, args } => d(callee).max(vd(args)),
            NodeKind::Builtin { args, .. } | NodeKind::Sequence(args) | NodeKind::Array(args) => vd(args),
            NodeKind::Let { value, body, .. } => d(value).max(d(body)),
            NodeKind::Conditional { cond, then, otherwise } => d(cond).max(d(then)).max(d(otherwise)),
            NodeKind::Map(pairs) => pairs.iter().map(|(k, v)| d(k).max(d(v))).max().unwrap_or(0),
        }
    }
}
