//! expr's optimizer passes that change what a user can observe, applied to the checked
//! program (`optimizer/fold.go`, `in_range.go`, `sum_range.go`).
//!
//! Folding is not only faster: `result.x.y && false` never evaluates `result.x.y` in expr,
//! `x || true` is `true` whatever `x` is, `1 % 0` is a compile error, and literal arrays and
//! `sum(a..b)` cost nothing against the memory budget. Folding repeats until nothing changes,
//! as in Go.

use std::sync::Arc;

use super::error::{CompileError, CompileStage, Span};
use super::ir::{BinOp, Expr, Loop, LoopKind};
use super::value::{ElemType, List, Value};

/// Folds `e` in place; `Err` for expr's compile-time folding errors.
pub(crate) fn fold(e: &mut Expr, span: Span) -> Result<(), CompileError> {
    for _ in 0..1000 {
        let mut changed = false;
        fold_once(e, &mut changed, span)?;
        if !changed {
            break;
        }
    }
    Ok(())
}

fn int(e: &Expr) -> Option<i64> {
    match e {
        Expr::Const(Value::Int(i)) => Some(*i),
        _ => None,
    }
}

fn float(e: &Expr) -> Option<f64> {
    match e {
        Expr::Const(Value::Float(f)) => Some(*f),
        _ => None,
    }
}

fn boolean(e: &Expr) -> Option<bool> {
    match e {
        Expr::Const(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn string(e: &Expr) -> Option<&str> {
    match e {
        Expr::Const(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// A literal operand as a float, when one side is a float and the other an int or a float.
fn numbers(l: &Expr, r: &Expr) -> Option<(f64, f64)> {
    match (l, r) {
        (Expr::Const(Value::Int(_)), Expr::Const(Value::Int(_))) => None,
        _ => Some((float(l).or(int(l).map(|i| i as f64))?, float(r).or(int(r).map(|i| i as f64))?)),
    }
}

fn take(e: &mut Expr) -> Expr {
    std::mem::replace(e, Expr::Const(Value::Nil))
}

fn fold_once(e: &mut Expr, changed: &mut bool, span: Span) -> Result<(), CompileError> {
    // Children first, as Go's walk does.
    match e {
        Expr::Not(a) | Expr::Negate(a) | Expr::Chain(a) => fold_once(a, changed, span)?,
        Expr::Binary(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) | Expr::Coalesce(a, b) => {
            fold_once(a, changed, span)?;
            fold_once(b, changed, span)?;
        }
        Expr::Cond(a, b, c) => {
            fold_once(a, changed, span)?;
            fold_once(b, changed, span)?;
            fold_once(c, changed, span)?;
        }
        Expr::Fetch { base, prop, .. } => {
            fold_once(base, changed, span)?;
            fold_once(prop, changed, span)?;
        }
        Expr::Slice { base, from, to } => {
            fold_once(base, changed, span)?;
            for b in [from, to].into_iter().flatten() {
                fold_once(b, changed, span)?;
            }
        }
        Expr::MatchesConst(a, _) => fold_once(a, changed, span)?,
        Expr::CallEnv(_, args) | Expr::Builtin(_, args) | Expr::Array(args) | Expr::Sequence(args) => {
            for a in args {
                fold_once(a, changed, span)?;
            }
        }
        Expr::Method(c, _, args) | Expr::CallDynamic(c, args) => {
            fold_once(c, changed, span)?;
            for a in args {
                fold_once(a, changed, span)?;
            }
        }
        Expr::Loop(l) => {
            let Loop { collection, body, extra, .. } = &mut **l;
            fold_once(collection, changed, span)?;
            for b in [body, extra].into_iter().flatten() {
                fold_once(b, changed, span)?;
            }
        }
        Expr::Map(pairs) => {
            for (k, v) in pairs {
                fold_once(k, changed, span)?;
                fold_once(v, changed, span)?;
            }
        }
        Expr::Let(_, v, b) => {
            fold_once(v, changed, span)?;
            fold_once(b, changed, span)?;
        }
        _ => {}
    }
    let replacement = match e {
        Expr::Negate(a) => match &**a {
            Expr::Const(Value::Int(i)) => Some(Expr::Const(Value::Int(i.wrapping_neg()))),
            Expr::Const(Value::Float(f)) => Some(Expr::Const(Value::Float(-f))),
            _ => None,
        },
        Expr::Not(a) => boolean(a).map(|b| Expr::Const(Value::Bool(!b))),
        Expr::Binary(op, l, r) => fold_binary(*op, l, r, span)?,
        Expr::And(l, r) => match (boolean(l), boolean(r)) {
            (Some(true), _) => Some(take(r)),
            (_, Some(true)) => Some(take(l)),
            (Some(false), _) | (_, Some(false)) => Some(Expr::Const(Value::Bool(false))),
            _ => None,
        },
        Expr::Or(l, r) => match (boolean(l), boolean(r)) {
            (Some(false), _) => Some(take(r)),
            (_, Some(false)) => Some(take(l)),
            (Some(true), _) | (_, Some(true)) => Some(Expr::Const(Value::Bool(true))),
            _ => None,
        },
        Expr::Array(items)
            if !items.is_empty()
                && items.iter().all(|i| {
                    matches!(i, Expr::Const(Value::Int(_) | Value::Float(_) | Value::String(_) | Value::Bool(_)))
                }) =>
        {
            let values = items.iter().map(|i| if let Expr::Const(v) = i { v.clone() } else { Value::Nil }).collect();
            Some(Expr::Const(Value::List(Arc::new(List { elem: ElemType::Any, items: values }))))
        }
        Expr::Loop(l) if l.kind == LoopKind::Sum && l.body.is_none() => match &l.collection {
            Expr::Binary(BinOp::Range, from, to) => match (int(from), int(to)) {
                (Some(m), Some(n)) if n >= m => {
                    let count = n.wrapping_sub(m).wrapping_add(1);
                    Some(Expr::Const(Value::Int(count.wrapping_mul(m.wrapping_add(n)) / 2)))
                }
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    if let Some(r) = replacement {
        *e = r;
        *changed = true;
    }
    Ok(())
}

fn fold_binary(op: BinOp, l: &Expr, r: &Expr, span: Span) -> Result<Option<Expr>, CompileError> {
    let c = |v: Value| Some(Expr::Const(v));
    if let (Some(a), Some(b)) = (int(l), int(r)) {
        return Ok(match op {
            BinOp::Add => c(Value::Int(a.wrapping_add(b))),
            BinOp::Sub => c(Value::Int(a.wrapping_sub(b))),
            BinOp::Mul => c(Value::Int(a.wrapping_mul(b))),
            BinOp::Div => c(Value::Float(a as f64 / b as f64)),
            BinOp::Mod if b == 0 => {
                return Err(CompileError::new(CompileStage::Type, "integer divide by zero", span));
            }
            BinOp::Mod => c(Value::Int(a.wrapping_rem(b))),
            BinOp::Pow => c(Value::Float((a as f64).powf(b as f64))),
            BinOp::Eq => c(Value::Bool(a == b)),
            _ => None,
        });
    }
    if let Some((a, b)) = numbers(l, r) {
        return Ok(match op {
            BinOp::Add => c(Value::Float(a + b)),
            BinOp::Sub => c(Value::Float(a - b)),
            BinOp::Mul => c(Value::Float(a * b)),
            BinOp::Div => c(Value::Float(a / b)),
            BinOp::Pow => c(Value::Float(a.powf(b))),
            _ => None,
        });
    }
    if op == BinOp::Eq {
        if let (Some(a), Some(b)) = (string(l), string(r)) {
            return Ok(c(Value::Bool(a == b)));
        }
        if let (Some(a), Some(b)) = (boolean(l), boolean(r)) {
            return Ok(c(Value::Bool(a == b)));
        }
    }
    Ok(None)
}
