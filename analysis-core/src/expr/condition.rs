//! [`Condition`]: a compiled condition, reusable across measurements and threads.

use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use super::ast::Node;
use super::checker::{self, Checked};
use super::error::{CompileError, RuntimeError};
use super::eval;
use super::parser;
use super::types::Type;
use super::value::{ElemType, MapKind, Value};

/// The shapes of `result` whose checked programs a [`Condition`] caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Nil,
    Bool,
    Int,
    Int64,
    Float,
    String,
    FloatList,
    AnyList,
    IntList,
    StringList,
    StringMap,
}

const SHAPES: usize = 11;

impl Shape {
    fn of(v: &Value) -> Option<Shape> {
        Some(match v {
            Value::Nil => Shape::Nil,
            Value::Bool(_) => Shape::Bool,
            Value::Int(_) => Shape::Int,
            Value::Int64(_) => Shape::Int64,
            Value::Float(_) => Shape::Float,
            Value::String(_) => Shape::String,
            Value::List(l) => match l.elem {
                ElemType::Float => Shape::FloatList,
                ElemType::Any => Shape::AnyList,
                ElemType::Int => Shape::IntList,
                ElemType::String => Shape::StringList,
                ElemType::Pair => return None,
            },
            Value::Map(m) if m.kind == MapKind::StringAny => Shape::StringMap,
            _ => return None,
        })
    }
}

/// The static type expr's checker gives a value (`NatureOf`).
fn static_type(v: &Value) -> Type {
    match v {
        Value::Nil => Type::Nil,
        Value::Bool(_) => Type::Bool,
        Value::Int(_) => Type::Int,
        Value::Int64(_) => Type::Int64,
        Value::Uint8(_) => Type::Uint8,
        Value::Float(_) => Type::Float,
        Value::String(_) => Type::String,
        Value::Bytes(_) => Type::slice(Type::Uint8),
        Value::Time(_) => Type::Time,
        Value::Duration(_) => Type::Duration,
        Value::Month(_) => Type::Month,
        Value::Weekday(_) => Type::Weekday,
        Value::Location(_) => Type::Location,
        Value::List(l) => Type::slice(match l.elem {
            ElemType::Any => Type::Any,
            ElemType::Float => Type::Float,
            ElemType::Int => Type::Int,
            ElemType::String => Type::String,
            ElemType::Pair => Type::slice(Type::Any),
        }),
        Value::Map(m) => match m.kind {
            MapKind::StringAny => Type::map_string_any(),
            MapKind::AnyAny => Type::Map { key: Box::new(Type::Any), elem: Box::new(Type::Any), refined: None },
            MapKind::AnyList => {
                Type::Map { key: Box::new(Type::Any), elem: Box::new(Type::slice(Type::Any)), refined: None }
            }
        },
        Value::Func(_) => Type::func(vec![Type::Any], Type::Any),
    }
}

/// Why a condition could not be evaluated. The `Display` text is exactly what expr (through
/// Argo's wrapper) reports.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// The condition does not compile for this result (syntax or static type error).
    #[error("{0}")]
    Compile(CompileError),
    /// Evaluation failed (expr's run-time panics and errors).
    #[error("{0}")]
    Runtime(RuntimeError),
    /// The condition produced something other than a bool.
    #[error("expected bool, but got {0}")]
    NotBool(String),
    /// A time expression produced something other than a time.
    #[error("expected time.Time, but got {0}")]
    NotTime(String),
}

/// A compiled condition.
///
/// Parsing happens once, in [`Condition::new`]; type checking happens once per shape of
/// `result` (a number, a list of numbers, a JSON object, ...) and is cached, so a condition
/// evaluated on every measurement of a metric is compiled once. `Condition` is `Send + Sync`:
/// share it across runs behind an `Arc`.
pub struct Condition {
    source: Arc<str>,
    parsed: Result<Node, CompileError>,
    checked: [OnceLock<Result<Checked, CompileError>>; SHAPES],
}

impl std::fmt::Debug for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Condition").field("source", &self.source).finish_non_exhaustive()
    }
}

impl Clone for Condition {
    fn clone(&self) -> Self {
        Condition { source: self.source.clone(), parsed: self.parsed.clone(), checked: Default::default() }
    }
}

impl Condition {
    /// Parses `source`. A syntax error is kept and reported by every evaluation, as Argo
    /// reports it per measurement; [`Condition::syntax_error`] exposes it up front.
    pub fn new(source: &str) -> Condition {
        Condition { source: source.into(), parsed: parser::parse(source), checked: Default::default() }
    }

    /// Parses `source`, failing on a syntax error.
    pub fn parse(source: &str) -> Result<Condition, CompileError> {
        let c = Condition::new(source);
        match &c.parsed {
            Ok(_) => Ok(c),
            Err(e) => Err(e.clone()),
        }
    }

    /// The condition's text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The syntax error, if the text does not parse.
    pub fn syntax_error(&self) -> Option<&CompileError> {
        self.parsed.as_ref().err()
    }

    /// Type-checks the condition for a `result` shaped like `sample` (only its type matters),
    /// as expr's compiler would before running it.
    pub fn check(&self, sample: &Value) -> Result<(), CompileError> {
        self.with_program(sample, |_| ())
    }

    /// Runs `f` on the program checked for `result`'s shape (cached for common shapes).
    fn with_program<R>(&self, result: &Value, f: impl FnOnce(&Checked) -> R) -> Result<R, CompileError> {
        let node = self.parsed.as_ref().map_err(Clone::clone)?;
        let compile = || checker::check(node, &static_type(result));
        match Shape::of(result) {
            Some(shape) => match self.checked[shape as usize].get_or_init(compile) {
                Ok(program) => Ok(f(program)),
                Err(e) => Err(e.clone()),
            },
            None => compile().map(|p| f(&p)),
        }
    }

    /// Evaluates the condition and returns whatever value it produces. `now` is what `now()`
    /// returns: the engine reads no clock.
    pub fn evaluate_value(&self, result: &Value, now: SystemTime) -> Result<Value, EvalError> {
        self.with_program(result, |p| eval::evaluate(&p.expr, p.slots, result, now))
            .map_err(EvalError::Compile)?
            .map_err(EvalError::Runtime)
    }

    /// Evaluates the condition to a bool, as Argo's `EvalCondition` does.
    pub fn evaluate(&self, result: &Value, now: SystemTime) -> Result<bool, EvalError> {
        let fast = self.with_program(result, |p| p.fast.as_ref().and_then(|f| f.eval(result)));
        if let Ok(Some(b)) = fast {
            return Ok(b);
        }
        self.evaluate_general(result, now)
    }

    /// [`Condition::evaluate`] without the fast path (the reference the fast path is tested
    /// against).
    #[doc(hidden)]
    pub fn evaluate_general(&self, result: &Value, now: SystemTime) -> Result<bool, EvalError> {
        match self.evaluate_value(result, now)? {
            Value::Bool(b) => Ok(b),
            other => Err(EvalError::NotBool(other.go_type())),
        }
    }
}

/// A time expression, as Argo evaluates `rangeQuery.start` and `rangeQuery.end` of the
/// Prometheus provider: an expr program with no `result`, which must produce a time.
#[derive(Debug, Clone)]
pub struct TimeExpression {
    condition: Condition,
}

impl TimeExpression {
    /// Parses the expression.
    pub fn new(source: &str) -> TimeExpression {
        TimeExpression { condition: Condition::new(source) }
    }

    /// Evaluates it to Unix nanoseconds, or Go's error (`expected time.Time, but got int`).
    pub fn evaluate(&self, now: SystemTime) -> Result<i128, EvalError> {
        let node = self.condition.parsed.as_ref().map_err(|e| EvalError::Compile(e.clone()))?;
        let checked = checker::check_without_result(node).map_err(EvalError::Compile)?;
        match eval::evaluate(&checked.expr, checked.slots, &Value::Nil, now).map_err(EvalError::Runtime)? {
            Value::Time(t) => Ok(t.unix_nanos()),
            other => Err(EvalError::NotTime(other.go_type())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000)
    }

    fn eval(src: &str, result: Value) -> Result<bool, String> {
        Condition::new(src).evaluate(&result, now()).map_err(|e| e.to_string())
    }

    #[test]
    fn basic_conditions() {
        assert_eq!(eval("result[0] >= 0.95", Value::float_list([0.97])), Ok(true));
        assert_eq!(eval("result > 0.9 && result < 5", Value::Float(1.0)), Ok(true));
        assert_eq!(eval("all(result, {# < 500})", Value::float_list([1.0, 2.0])), Ok(true));
        assert_eq!(
            eval("result > 1", Value::float_list([1.0])).unwrap_err(),
            "invalid operation: > (mismatched types []float64 and int)"
        );
        assert_eq!(eval("1", Value::Nil).unwrap_err(), "expected bool, but got int");
    }

    #[test]
    fn time_expressions() {
        let t = TimeExpression::new(r#"date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")"#);
        assert_eq!(t.evaluate(now()).unwrap(), 1_691_967_600_000_000_000);
        assert!(TimeExpression::new("hello").evaluate(now()).is_err());
        assert!(TimeExpression::new("now() -- ?").evaluate(now()).is_err());
        assert_eq!(
            TimeExpression::new("1").evaluate(now()).unwrap_err().to_string(),
            "expected time.Time, but got int"
        );
    }

    #[test]
    fn condition_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Condition>();
    }
}
