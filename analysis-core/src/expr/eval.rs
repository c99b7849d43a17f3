//! The evaluator: a direct walk over the checked program.
//!
//! Work is bounded: expr's memory budget (elements allocated by literals, ranges and list
//! built-ins) applies as in Go, and a step budget caps loop iterations, which Go leaves
//! unbounded. Recursion is bounded by the parser's depth limit.

use std::sync::Arc;

use super::builtins::{self, CallContext, conversion};
use super::error::RuntimeError;
use super::ir::{BinOp, Expr, Loop, LoopKind, Pointer};
use super::ops;
use super::value::{ElemType, List, Map, MapKey, MapKind, Value};
use std::borrow::Cow;
use std::time::SystemTime;

/// expr's `conf.DefaultMemoryBudget`.
pub(crate) const MEMORY_BUDGET: usize = 1_000_000;
/// Loop iterations one evaluation may perform.
pub(crate) const STEP_BUDGET: u64 = 10_000_000;

/// How evaluation left an expression: an error, or a nil met by `?.` unwinding to its chain.
enum Flow {
    Error(RuntimeError),
    ChainNil,
}

impl From<RuntimeError> for Flow {
    fn from(e: RuntimeError) -> Self {
        Flow::Error(e)
    }
}

type R = Result<Value, Flow>;

struct Scope {
    items: Arc<List>,
    index: usize,
    acc: Value,
}

pub(crate) struct Evaluator<'a> {
    result: &'a Value,
    now: SystemTime,
    vars: Vec<Value>,
    scopes: Vec<Scope>,
    memory: usize,
    steps: u64,
}

/// Evaluates a checked program.
pub(crate) fn evaluate(expr: &Expr, slots: usize, result: &Value, now: SystemTime) -> Result<Value, RuntimeError> {
    let vars = if slots == 0 { Vec::new() } else { vec![Value::Nil; slots] };
    let mut ev = Evaluator { result, now, vars, scopes: Vec::new(), memory: 0, steps: 0 };
    match ev.eval(expr) {
        Ok(v) => Ok(v),
        Err(Flow::ChainNil) => Ok(Value::Nil),
        Err(Flow::Error(e)) => Err(e),
    }
}

/// `eval` handles these itself before delegating to `eval_rare`.
fn unreachable_hot() -> Value {
    Value::Nil
}

fn truth(v: &Value) -> Result<bool, RuntimeError> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(conversion(other, "bool")),
    }
}

impl<'a> Evaluator<'a> {
    fn grow(&mut self, n: usize) -> Result<(), RuntimeError> {
        self.memory = self.memory.saturating_add(n);
        if self.memory >= MEMORY_BUDGET {
            return Err(RuntimeError::new("memory budget exceeded"));
        }
        Ok(())
    }

    fn step(&mut self) -> Result<(), RuntimeError> {
        self.steps += 1;
        if self.steps > STEP_BUDGET {
            return Err(RuntimeError::new(format!("evaluation exceeded {STEP_BUDGET} steps")));
        }
        Ok(())
    }

    #[inline]
    fn eval(&mut self, e: &Expr) -> R {
        Ok(match e {
            Expr::Const(v) => v.clone(),
            Expr::Result => self.result.clone(),
            Expr::Pointer(p) => {
                let scope = self.scopes.last().ok_or_else(|| RuntimeError::new("no predicate scope"))?;
                match p {
                    Pointer::Item => scope.items.items.get(scope.index).cloned().unwrap_or(Value::Nil),
                    Pointer::Index => Value::Int(scope.index as i64),
                    Pointer::Acc => scope.acc.clone(),
                }
            }
            Expr::Not(inner) => {
                let v = self.eval(inner)?;
                Value::Bool(!truth(&v)?)
            }
            Expr::And(l, r) => {
                let lv = self.eval(l)?;
                if !truth(&lv)? {
                    return Ok(lv);
                }
                self.eval(r)?
            }
            Expr::Or(l, r) => {
                let lv = self.eval(l)?;
                if truth(&lv)? {
                    return Ok(lv);
                }
                self.eval(r)?
            }
            Expr::Cond(c, a, b) => {
                let cv = self.eval(c)?;
                if truth(&cv)? { self.eval(a)? } else { self.eval(b)? }
            }
            Expr::Binary(op, l, r) => {
                let lv = self.eval_cow(l)?;
                let rv = self.eval_cow(r)?;
                self.binary(*op, &lv, &rv)?
            }
            Expr::Fetch { base, prop, optional } => {
                let b = self.eval_cow(base)?;
                if *optional && b.is_nil() {
                    return Err(Flow::ChainNil);
                }
                let p = self.eval_cow(prop)?;
                ops::fetch(&b, &p)?
            }
            _ => self.eval_rare(e)?,
        })
    }

    /// The less common expressions, kept out of `eval` so that its frame stays small.
    #[inline(never)]
    fn eval_rare(&mut self, e: &Expr) -> R {
        Ok(match e {
            Expr::Env => {
                let mut entries = std::collections::BTreeMap::new();
                entries.insert(MapKey::Str("result".into()), self.result.clone());
                for name in ["asInt", "asFloat", "isNaN", "isInf", "isNil", "default"] {
                    entries.insert(MapKey::Str(name.into()), Value::Func(name.into()));
                }
                Value::Map(Arc::new(Map { kind: MapKind::StringAny, entries }))
            }
            Expr::FuncValue(name) => Value::Func(name.clone()),
            Expr::Var(slot) => self.vars.get(*slot).cloned().unwrap_or(Value::Nil),
            Expr::Negate(inner) => {
                let v = self.eval(inner)?;
                ops::negate(&v)?
            }
            Expr::Coalesce(l, r) => {
                let lv = match self.eval(l) {
                    Ok(v) => v,
                    // `a?.b ?? c`: the chain's nil falls through to the default.
                    Err(Flow::ChainNil) => Value::Nil,
                    Err(e) => return Err(e),
                };
                if lv.is_nil() { self.eval(r)? } else { lv }
            }
            Expr::Chain(inner) => match self.eval(inner) {
                Err(Flow::ChainNil) => Value::Nil,
                other => other?,
            },
            Expr::Slice { base, from, to } => {
                let b = self.eval(base)?;
                let t = match to {
                    Some(t) => Some(self.eval(t)?),
                    // Go pushes `len(base)` as the missing bound, failing like `len`.
                    None => match &b {
                        Value::List(_) | Value::String(_) | Value::Bytes(_) | Value::Map(_) => None,
                        other => {
                            return Err(RuntimeError::new(format!(
                                "invalid argument for len (type {})",
                                other.go_type()
                            ))
                            .into());
                        }
                    },
                };
                let f = match from {
                    Some(f) => Some(self.eval(f)?),
                    None => None,
                };
                ops::slice(&b, f.as_ref(), t.as_ref())?
            }
            Expr::MatchesConst(subject, re) => match self.eval(subject)? {
                Value::Nil => Value::Bool(false),
                Value::String(s) => Value::Bool(re.is_match(&s)),
                Value::Bytes(b) => Value::Bool(re.is_match(&String::from_utf8_lossy(&b))),
                other => return Err(conversion(&other, "[]uint8").into()),
            },
            Expr::Method(recv, name, args) => {
                let recv = self.eval(recv)?;
                let args = self.eval_all(args)?;
                super::methods::call(&recv, name, &args)?
            }
            Expr::CallEnv(f, args) => {
                let args = self.eval_all(args)?;
                f.call(&args, self.result)?
            }
            Expr::CallDynamic(callee, args) => {
                let callee = self.eval(callee)?;
                let args = self.eval_all(args)?;
                match callee {
                    Value::Func(name) => match super::env::EnvFn::lookup(&name) {
                        Some(f) => f.call(&args, self.result)?,
                        None => match builtins::Builtin::lookup(&name) {
                            Some(b) => self.call_builtin(b, args)?,
                            None => return Err(RuntimeError::new(format!("{name} is not callable")).into()),
                        },
                    },
                    Value::Nil => {
                        return Err(RuntimeError::new("reflect: call of reflect.Value.Call on zero Value").into());
                    }
                    other => {
                        return Err(RuntimeError::new(format!(
                            "reflect: call of reflect.Value.Call on {} Value",
                            other.go_type()
                        ))
                        .into());
                    }
                }
            }
            Expr::Builtin(b, args) => {
                let args = self.eval_all(args)?;
                self.call_builtin(*b, args)?
            }
            Expr::Loop(l) => self.eval_loop(l)?,
            Expr::Array(items) => {
                let values = self.eval_all(items)?;
                self.grow(values.len())?;
                Value::any_list(values)
            }
            Expr::Map(pairs) => {
                let mut entries = std::collections::BTreeMap::new();
                for (k, v) in pairs {
                    let key = match self.eval(k)? {
                        Value::String(s) => s,
                        other => return Err(conversion(&other, "string").into()),
                    };
                    let value = self.eval(v)?;
                    // Go fills the map from the last pair back, so the first duplicate wins.
                    entries.entry(MapKey::Str(key)).or_insert(value);
                }
                self.grow(pairs.len())?;
                Value::Map(Arc::new(Map { kind: MapKind::StringAny, entries }))
            }
            Expr::Let(slot, value, body) => {
                let v = self.eval(value)?;
                if let Some(s) = self.vars.get_mut(*slot) {
                    *s = v;
                }
                self.eval(body)?
            }
            Expr::Sequence(items) => {
                let mut last = Value::Nil;
                for item in items {
                    last = self.eval(item)?;
                }
                last
            }
            _ => unreachable_hot(),
        })
    }

    /// Evaluates `e`, borrowing constants and `result` instead of cloning them (the operands
    /// of most conditions).
    #[inline]
    fn eval_cow<'e>(&mut self, e: &'e Expr) -> Result<Cow<'e, Value>, Flow>
    where
        'a: 'e,
    {
        match e {
            Expr::Const(v) => Ok(Cow::Borrowed(v)),
            Expr::Result => Ok(Cow::Borrowed(self.result)),
            _ => self.eval(e).map(Cow::Owned),
        }
    }

    fn eval_all(&mut self, items: &[Expr]) -> Result<Vec<Value>, Flow> {
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            out.push(self.eval(i)?);
        }
        Ok(out)
    }

    fn call_builtin(&mut self, b: builtins::Builtin, args: Vec<Value>) -> Result<Value, RuntimeError> {
        let mut cx = CallContext { now: self.now, memory: &mut self.memory };
        builtins::call(b, args, &mut cx)
    }

    fn binary(&mut self, op: BinOp, l: &Value, r: &Value) -> Result<Value, RuntimeError> {
        Ok(match op {
            BinOp::Eq => Value::Bool(ops::equal(l, r)),
            BinOp::Ne => Value::Bool(!ops::equal(l, r)),
            BinOp::Lt => Value::Bool(ops::less(l, r)?),
            BinOp::Gt => Value::Bool(ops::more(l, r)?),
            BinOp::Le => Value::Bool(ops::less_or_equal(l, r)?),
            BinOp::Ge => Value::Bool(ops::more_or_equal(l, r)?),
            BinOp::Add => ops::add(l, r)?,
            BinOp::Sub => ops::subtract(l, r)?,
            BinOp::Mul => ops::multiply(l, r)?,
            BinOp::Div => ops::divide(l, r)?,
            BinOp::Mod => ops::modulo(l, r)?,
            BinOp::Pow => ops::exponent(l, r)?,
            BinOp::In => Value::Bool(ops::contains_element(l, r)?),
            BinOp::Matches => Value::Bool(ops::matches(l, r)?),
            BinOp::Contains => Value::Bool(ops::string_op(l, r, |a, b| a.contains(b))?),
            BinOp::StartsWith => Value::Bool(ops::string_op(l, r, |a, b| a.starts_with(b))?),
            BinOp::EndsWith => Value::Bool(ops::string_op(l, r, |a, b| a.ends_with(b))?),
            BinOp::Range => ops::range(l, r, &mut self.memory)?,
        })
    }

    /// The collection a predicate iterates, as Go's `OpBegin` accepts it.
    fn iterable(&self, v: Value) -> Result<Arc<List>, RuntimeError> {
        match v {
            Value::List(l) => Ok(l),
            Value::String(s) => {
                Ok(Arc::new(List { elem: ElemType::Any, items: s.bytes().map(Value::Uint8).collect() }))
            }
            Value::Bytes(b) => {
                Ok(Arc::new(List { elem: ElemType::Any, items: b.iter().map(|x| Value::Uint8(*x)).collect() }))
            }
            Value::Map(m) if m.entries.is_empty() => Ok(Arc::new(List { elem: ElemType::Any, items: Vec::new() })),
            Value::Map(_) => Err(RuntimeError::new("reflect: call of reflect.Value.Index on map Value")),
            Value::Nil => Err(RuntimeError::new("reflect: call of reflect.Value.Len on zero Value")),
            other => Err(RuntimeError::new(format!(
                "reflect: call of reflect.Value.Len on {} Value",
                match other {
                    Value::Float(_) => "float64",
                    Value::Int(_) => "int",
                    Value::Int64(_) | Value::Duration(_) => "int64",
                    Value::Bool(_) => "bool",
                    Value::Time(_) => "struct",
                    Value::Location(_) => "ptr",
                    _ => "func",
                }
            ))),
        }
    }

    fn body(&mut self, l: &Loop) -> R {
        match &l.body {
            Some(b) => self.eval(b),
            None => {
                let scope = self.scopes.last().ok_or_else(|| RuntimeError::new("no predicate scope"))?;
                Ok(scope.items.items.get(scope.index).cloned().unwrap_or(Value::Nil))
            }
        }
    }

    fn eval_loop(&mut self, l: &Loop) -> R {
        let coll = self.eval(&l.collection)?;
        let items = self.iterable(coll)?;
        let len = items.items.len();
        self.scopes.push(Scope { items, index: 0, acc: Value::Nil });
        let out = self.run_loop(l, len);
        self.scopes.pop();
        out
    }

    fn set_index(&mut self, i: usize) -> Result<(), RuntimeError> {
        self.step()?;
        if let Some(s) = self.scopes.last_mut() {
            s.index = i;
        }
        Ok(())
    }

    fn item(&self) -> Value {
        self.scopes.last().and_then(|s| s.items.items.get(s.index).cloned()).unwrap_or(Value::Nil)
    }

    fn run_loop(&mut self, l: &Loop, len: usize) -> R {
        match l.kind {
            LoopKind::All | LoopKind::None | LoopKind::Any => {
                for i in 0..len {
                    self.set_index(i)?;
                    let v = self.body(l)?;
                    let t = truth(&v)?;
                    match l.kind {
                        LoopKind::All if !t => return Ok(Value::Bool(false)),
                        LoopKind::None if t => return Ok(Value::Bool(false)),
                        LoopKind::Any if t => return Ok(Value::Bool(true)),
                        _ => {}
                    }
                }
                Ok(Value::Bool(l.kind != LoopKind::Any))
            }
            LoopKind::One | LoopKind::Count => {
                let mut n = 0i64;
                for i in 0..len {
                    self.set_index(i)?;
                    let v = self.body(l)?;
                    if truth(&v)? {
                        n += 1;
                    }
                }
                Ok(if l.kind == LoopKind::One { Value::Bool(n == 1) } else { Value::Int(n) })
            }
            LoopKind::Filter | LoopKind::Map => {
                let mut out = Vec::new();
                for i in 0..len {
                    self.set_index(i)?;
                    let v = self.body(l)?;
                    if l.kind == LoopKind::Map {
                        out.push(v);
                    } else if truth(&v)? {
                        out.push(self.item());
                    }
                }
                self.grow(out.len())?;
                Ok(Value::any_list(out))
            }
            LoopKind::Sum => {
                let mut acc = Value::Int(0);
                for i in 0..len {
                    self.set_index(i)?;
                    let v = self.body(l)?;
                    acc = ops::add(&v, &acc)?;
                }
                Ok(acc)
            }
            LoopKind::Find | LoopKind::FindIndex | LoopKind::FindLast | LoopKind::FindLastIndex => {
                let backwards = matches!(l.kind, LoopKind::FindLast | LoopKind::FindLastIndex);
                for k in 0..len {
                    let i = if backwards { len - 1 - k } else { k };
                    self.set_index(i)?;
                    let v = self.body(l)?;
                    if truth(&v)? {
                        return Ok(match l.kind {
                            LoopKind::Find | LoopKind::FindLast => self.item(),
                            _ => Value::Int(i as i64),
                        });
                    }
                }
                Ok(Value::Nil)
            }
            LoopKind::GroupBy => {
                let mut groups: std::collections::BTreeMap<MapKey, Vec<Value>> = std::collections::BTreeMap::new();
                for i in 0..len {
                    self.set_index(i)?;
                    let key = self.body(l)?;
                    let key = MapKey::from_value(&key).ok_or_else(|| {
                        RuntimeError::new(format!("runtime error: hash of unhashable type {}", key.go_type()))
                    })?;
                    groups.entry(key).or_default().push(self.item());
                }
                let entries = groups.into_iter().map(|(k, v)| (k, Value::any_list(v))).collect();
                Ok(Value::Map(Arc::new(Map { kind: MapKind::AnyList, entries })))
            }
            LoopKind::SortBy => {
                let desc = match &l.extra {
                    Some(e) => match self.eval(e)? {
                        Value::String(s) => match &*s {
                            "asc" => false,
                            "desc" => true,
                            other => {
                                let _ = other;
                                return Err(RuntimeError::new("unknown order, use asc or desc").into());
                            }
                        },
                        other => return Err(conversion(&other, "string").into()),
                    },
                    None => false,
                };
                let mut items = Vec::with_capacity(len);
                let mut keys = Vec::with_capacity(len);
                for i in 0..len {
                    self.set_index(i)?;
                    keys.push(self.body(l)?);
                    items.push(self.item());
                }
                builtins::sort_by_keys(&mut items, Some(&keys), desc)?;
                self.grow(len)?;
                Ok(Value::any_list(items))
            }
            LoopKind::Reduce => {
                let mut start = 0;
                let acc = match &l.extra {
                    Some(init) => self.eval(init)?,
                    None => {
                        if len == 0 {
                            return Err(RuntimeError::new("reduce of empty array with no initial value").into());
                        }
                        start = 1;
                        self.item()
                    }
                };
                if let Some(s) = self.scopes.last_mut() {
                    s.acc = acc;
                }
                for i in start..len {
                    self.set_index(i)?;
                    let v = self.body(l)?;
                    if let Some(s) = self.scopes.last_mut() {
                        s.acc = v;
                    }
                }
                Ok(self.scopes.last().map(|s| s.acc.clone()).unwrap_or(Value::Nil))
            }
        }
    }
}
