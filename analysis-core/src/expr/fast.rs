//! A fast path for the shape most Argo conditions have: comparisons of a numeric `result`
//! (or `result[i]` of a Prometheus vector) with number literals, joined by `&&`, `||`, `!`,
//! `isNaN` and `isInf`.
//!
//! Such a condition is compiled a second time into a small float-only tree that runs without
//! building values. The fast tree gives up (returns `None`) whenever the general evaluator
//! could do anything but return a bool, such as an index out of range or a result of another
//! shape, and the general evaluator then runs and reports exactly what expr reports.

use super::env::EnvFn;
use super::ir::{BinOp, Expr};
use super::types::Type;
use super::value::Value;

/// A numeric operand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Num {
    /// `result`, statically a float.
    Result,
    /// `result[i]`, `result` statically a `[]float64`.
    ResultAt(i64),
    Const(f64),
}

/// A boolean predicate over numeric operands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pred {
    Cmp(BinOp, Num, Num),
    And(Box<Pred>, Box<Pred>),
    Or(Box<Pred>, Box<Pred>),
    Not(Box<Pred>),
    IsNaN(Num),
    IsInf(Num),
    Const(bool),
}

/// Builds the fast tree for `expr` when every part of it qualifies.
pub(crate) fn compile(expr: &Expr, result_type: &Type) -> Option<Pred> {
    let pred = pred(expr, result_type)?;
    // A bare constant gains nothing and keeps the general path honest.
    if matches!(pred, Pred::Const(_)) { None } else { Some(pred) }
}

fn num(e: &Expr, result_type: &Type) -> Option<Num> {
    match e {
        Expr::Result if *result_type == Type::Float => Some(Num::Result),
        Expr::Fetch { base, prop, optional: false } if matches!(**base, Expr::Result) => match (result_type, &**prop) {
            (Type::Slice { elem, .. }, Expr::Const(Value::Int(i))) if **elem == Type::Float => Some(Num::ResultAt(*i)),
            _ => None,
        },
        Expr::Const(Value::Float(f)) => Some(Num::Const(*f)),
        // An integer literal compares with a float as float64 in Go; keep literals within
        // the range where that conversion is exact.
        Expr::Const(Value::Int(i)) if i.unsigned_abs() <= (1u64 << 53) => Some(Num::Const(*i as f64)),
        _ => None,
    }
}

fn pred(e: &Expr, result_type: &Type) -> Option<Pred> {
    Some(match e {
        Expr::Const(Value::Bool(b)) => Pred::Const(*b),
        Expr::Binary(op @ (BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge | BinOp::Eq | BinOp::Ne), l, r) => {
            let (l, r) = (num(l, result_type)?, num(r, result_type)?);
            // Two literals would compare as integers in Go; leave that to the general path.
            if matches!((&l, &r), (Num::Const(_), Num::Const(_))) {
                return None;
            }
            Pred::Cmp(*op, l, r)
        }
        Expr::And(l, r) => Pred::And(Box::new(pred(l, result_type)?), Box::new(pred(r, result_type)?)),
        Expr::Or(l, r) => Pred::Or(Box::new(pred(l, result_type)?), Box::new(pred(r, result_type)?)),
        Expr::Not(inner) => Pred::Not(Box::new(pred(inner, result_type)?)),
        Expr::CallEnv(f @ (EnvFn::IsNaN | EnvFn::IsInf), args) if args.len() == 1 => {
            let n = num(&args[0], result_type)?;
            if *f == EnvFn::IsNaN { Pred::IsNaN(n) } else { Pred::IsInf(n) }
        }
        _ => return None,
    })
}

impl Num {
    #[inline]
    fn eval(&self, result: &Value) -> Option<f64> {
        match self {
            Num::Const(f) => Some(*f),
            Num::Result => match result {
                Value::Float(f) => Some(*f),
                _ => None,
            },
            Num::ResultAt(i) => match result {
                Value::List(l) => {
                    let len = l.items.len() as i64;
                    let idx = if *i < 0 { i + len } else { *i };
                    if idx < 0 || idx >= len {
                        return None;
                    }
                    match l.items[idx as usize] {
                        Value::Float(f) => Some(f),
                        _ => None,
                    }
                }
                _ => None,
            },
        }
    }
}

impl Pred {
    /// The predicate's value, or `None` when the general evaluator must decide.
    pub(crate) fn eval(&self, result: &Value) -> Option<bool> {
        Some(match self {
            Pred::Const(b) => *b,
            Pred::Cmp(op, l, r) => {
                let (a, b) = (l.eval(result)?, r.eval(result)?);
                match op {
                    BinOp::Lt => a < b,
                    BinOp::Gt => a > b,
                    BinOp::Le => a <= b,
                    BinOp::Ge => a >= b,
                    BinOp::Eq => a == b,
                    _ => a != b,
                }
            }
            Pred::And(l, r) => l.eval(result)? && r.eval(result)?,
            Pred::Or(l, r) => l.eval(result)? || r.eval(result)?,
            Pred::Not(inner) => !inner.eval(result)?,
            Pred::IsNaN(n) => n.eval(result)?.is_nan(),
            Pred::IsInf(n) => n.eval(result)?.is_infinite(),
        })
    }
}
