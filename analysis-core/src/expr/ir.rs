//! The checked program: what the type checker lowers a syntax tree into and the evaluator runs.
//!
//! Everything the checker decides statically is resolved here (which built-in, which variable
//! slot, which literals became floats, which regular expressions are constant), so evaluation
//! is a plain walk with no name lookups.

use std::sync::Arc;

use super::builtins::Builtin;
use super::env::EnvFn;
use super::value::Value;

/// A lowered expression.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Const(Value),
    /// The `result` variable.
    Result,
    /// `$env`.
    Env,
    /// An environment function or built-in used as a value, not called.
    FuncValue(Arc<str>),
    /// A `let` variable.
    Var(usize),
    /// `#`, `#index` or `#acc` of the innermost predicate.
    Pointer(Pointer),
    Not(Box<Expr>),
    Negate(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Coalesce(Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `base.prop` / `base[prop]`; with `optional`, a nil base ends the enclosing chain.
    Fetch {
        base: Box<Expr>,
        prop: Box<Expr>,
        optional: bool,
    },
    /// The end of an optional chain.
    Chain(Box<Expr>),
    Slice {
        base: Box<Expr>,
        from: Option<Box<Expr>>,
        to: Option<Box<Expr>>,
    },
    /// `x matches "const"` with the pattern compiled once.
    MatchesConst(Box<Expr>, Arc<regex::Regex>),
    CallEnv(EnvFn, Vec<Expr>),
    /// A method of a Go value (`now().Hour()`).
    Method(Box<Expr>, Arc<str>, Vec<Expr>),
    /// A call of something that is not a known function (checked only at run time).
    CallDynamic(Box<Expr>, Vec<Expr>),
    Builtin(Builtin, Vec<Expr>),
    Loop(Box<Loop>),
    Array(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Let(usize, Box<Expr>, Box<Expr>),
    Sequence(Vec<Expr>),
}

/// A predicate built-in: a loop over a collection.
#[derive(Debug, Clone)]
pub(crate) struct Loop {
    pub kind: LoopKind,
    pub collection: Expr,
    /// The predicate body (`None` for `count(xs)` and `sum(xs)` without one).
    pub body: Option<Expr>,
    /// `sortBy`'s order or `reduce`'s initial value.
    pub extra: Option<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoopKind {
    All,
    None,
    Any,
    One,
    Filter,
    Map,
    Count,
    Sum,
    Find,
    FindIndex,
    FindLast,
    FindLastIndex,
    GroupBy,
    SortBy,
    Reduce,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pointer {
    Item,
    Index,
    Acc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    In,
    Matches,
    Contains,
    StartsWith,
    EndsWith,
    Range,
}

impl BinOp {
    pub fn from_str(op: &str) -> Option<BinOp> {
        Some(match op {
            "==" => BinOp::Eq,
            "!=" => BinOp::Ne,
            "<" => BinOp::Lt,
            ">" => BinOp::Gt,
            "<=" => BinOp::Le,
            ">=" => BinOp::Ge,
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            "%" => BinOp::Mod,
            "**" | "^" => BinOp::Pow,
            "in" => BinOp::In,
            "matches" => BinOp::Matches,
            "contains" => BinOp::Contains,
            "startsWith" => BinOp::StartsWith,
            "endsWith" => BinOp::EndsWith,
            ".." => BinOp::Range,
            _ => return None,
        })
    }
}
