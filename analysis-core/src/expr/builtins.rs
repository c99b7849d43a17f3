//! expr's non-predicate built-in functions: their static checks and their run-time behaviour.
//!
//! Each built-in is checked the way expr checks it: either by a validation function over the
//! argument types (`Validate` in Go) or against a list of Go signatures tried in order
//! (`Types`). The run-time side reproduces Go's results and error texts.

use std::cmp::Ordering;
use std::sync::Arc;

use base64::Engine as _;

use super::error::RuntimeError;
use super::ops;
use super::types::{FuncType, Kind, Type};
use super::value::{ElemType, List, Map, MapKey, MapKind, Value};
use crate::go::{duration, time as gotime};

/// A non-predicate built-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    Len,
    TypeOf,
    Abs,
    Ceil,
    Floor,
    Round,
    Int,
    Float,
    ToStr,
    Trim,
    TrimPrefix,
    TrimSuffix,
    Upper,
    Lower,
    Split,
    SplitAfter,
    Replace,
    Repeat,
    Join,
    IndexOf,
    LastIndexOf,
    HasPrefix,
    HasSuffix,
    Max,
    Min,
    Mean,
    Median,
    ToJson,
    FromJson,
    ToBase64,
    FromBase64,
    Now,
    Duration,
    Date,
    Timezone,
    First,
    Last,
    Get,
    Take,
    Keys,
    Values,
    ToPairs,
    FromPairs,
    Reverse,
    Uniq,
    Concat,
    Flatten,
    Sort,
    BitAnd,
    BitOr,
    BitXor,
    BitNand,
    BitNot,
    BitShl,
    BitShr,
    BitUshr,
}

/// The largest string a condition may build, in bytes (Go's `repeat` limit, applied to every
/// string-building function so that no condition can exhaust memory).
pub(crate) const MAX_STRING_BYTES: usize = 1_000_000;

impl Builtin {
    pub fn lookup(name: &str) -> Option<Builtin> {
        use Builtin::*;
        Some(match name {
            "len" => Len,
            "type" => TypeOf,
            "abs" => Abs,
            "ceil" => Ceil,
            "floor" => Floor,
            "round" => Round,
            "int" => Int,
            "float" => Float,
            "string" => ToStr,
            "trim" => Trim,
            "trimPrefix" => TrimPrefix,
            "trimSuffix" => TrimSuffix,
            "upper" => Upper,
            "lower" => Lower,
            "split" => Split,
            "splitAfter" => SplitAfter,
            "replace" => Replace,
            "repeat" => Repeat,
            "join" => Join,
            "indexOf" => IndexOf,
            "lastIndexOf" => LastIndexOf,
            "hasPrefix" => HasPrefix,
            "hasSuffix" => HasSuffix,
            "max" => Max,
            "min" => Min,
            "mean" => Mean,
            "median" => Median,
            "toJSON" => ToJson,
            "fromJSON" => FromJson,
            "toBase64" => ToBase64,
            "fromBase64" => FromBase64,
            "now" => Now,
            "duration" => Duration,
            "date" => Date,
            "timezone" => Timezone,
            "first" => First,
            "last" => Last,
            "get" => Get,
            "take" => Take,
            "keys" => Keys,
            "values" => Values,
            "toPairs" => ToPairs,
            "fromPairs" => FromPairs,
            "reverse" => Reverse,
            "uniq" => Uniq,
            "concat" => Concat,
            "flatten" => Flatten,
            "sort" => Sort,
            "bitand" => BitAnd,
            "bitor" => BitOr,
            "bitxor" => BitXor,
            "bitnand" => BitNand,
            "bitnot" => BitNot,
            "bitshl" => BitShl,
            "bitshr" => BitShr,
            "bitushr" => BitUshr,
            _ => return None,
        })
    }

    /// How expr checks a call: a validation function or a list of Go signatures.
    pub fn check(self) -> Check {
        use Builtin::*;
        use Type as T;
        let s = || T::String;
        let f =
            |params: Vec<Type>, out: Type| Type::Func(Box::new(FuncType { params, variadic: false, out: vec![out] }));
        let f2 = |params: Vec<Type>, out: Type| {
            Type::Func(Box::new(FuncType { params, variadic: false, out: vec![out, T::Any] }))
        };
        match self {
            TypeOf | ToStr | ToJson => Check::Overloads(vec![f(vec![T::Any], s())]),
            Trim => Check::Overloads(vec![f(vec![s()], s()), f(vec![s(), s()], s())]),
            TrimPrefix | TrimSuffix => Check::Overloads(vec![f(vec![s(), s()], s()), f(vec![s()], s())]),
            Upper | Lower | ToBase64 | FromBase64 => Check::Overloads(vec![f(vec![s()], s())]),
            Split | SplitAfter => {
                Check::Overloads(vec![f(vec![s(), s()], T::slice(s())), f(vec![s(), s(), T::Int], T::slice(s()))])
            }
            Replace => Check::Overloads(vec![f(vec![s(), s(), s(), T::Int], s()), f(vec![s(), s(), s()], s())]),
            Repeat => Check::Overloads(vec![f(vec![s(), T::Int], s())]),
            Join => Check::Overloads(vec![
                f(vec![T::slice(s()), s()], s()),
                f(vec![T::slice(T::Any), s()], s()),
                f(vec![T::slice(T::Any)], s()),
                f(vec![T::slice(s()), s()], s()),
                f(vec![T::slice(s())], s()),
            ]),
            IndexOf | LastIndexOf => Check::Overloads(vec![f(vec![s(), s()], T::Int)]),
            HasPrefix | HasSuffix => Check::Overloads(vec![f(vec![s(), s()], T::Bool)]),
            FromJson => Check::Overloads(vec![f(vec![s()], T::Any)]),
            Duration => Check::Overloads(vec![f2(vec![s()], T::Duration)]),
            Timezone => Check::Overloads(vec![f2(vec![s()], T::Location)]),
            Sort => {
                let any = || T::slice(T::Any);
                Check::Overloads(vec![
                    f(vec![any(), s()], any()),
                    f(vec![T::slice(T::Int), s()], any()),
                    f(vec![T::slice(T::Float), s()], any()),
                    f(vec![T::slice(s()), s()], any()),
                    f(vec![any()], any()),
                    f(vec![T::slice(T::Float)], any()),
                    f(vec![T::slice(s())], any()),
                    f(vec![T::slice(T::Int)], any()),
                ])
            }
            BitAnd | BitOr | BitXor | BitNand | BitShl | BitShr | BitUshr => {
                Check::Overloads(vec![f(vec![T::Int, T::Int], T::Int)])
            }
            BitNot => Check::Overloads(vec![f(vec![T::Int], T::Int)]),
            Get => Check::Get,
            _ => Check::Validate,
        }
    }

    /// expr's `Validate` functions. `args` has unknown types already replaced by `interface {}`.
    pub fn validate(self, name: &str, args: &[Type]) -> Result<Type, String> {
        use Builtin::*;
        let count = |n: usize| -> Result<(), String> {
            if args.len() != n {
                Err(format!("invalid number of arguments (expected {n}, got {})", args.len()))
            } else {
                Ok(())
            }
        };
        let k = |i: usize| args.get(i).map_or(Kind::Invalid, Type::kind);
        let name_of = |i: usize| args.get(i).map_or("%!s(<nil>)".to_string(), reflect_name);
        let numeric = |kind: Kind| matches!(kind, Kind::Int | Kind::Int64 | Kind::Uint8 | Kind::Float64);
        match self {
            Len => {
                count(1)?;
                match k(0) {
                    Kind::Slice | Kind::Map | Kind::String | Kind::Interface => Ok(Type::Int),
                    _ => Err(format!("invalid argument for len (type {})", name_of(0))),
                }
            }
            Abs => {
                count(1)?;
                if numeric(k(0)) || k(0) == Kind::Interface {
                    Ok(args[0].clone())
                } else {
                    Err(format!("invalid argument for abs (type {})", name_of(0)))
                }
            }
            Ceil | Floor | Round => {
                count(1)?;
                if numeric(k(0)) || k(0) == Kind::Interface {
                    Ok(Type::Float)
                } else {
                    Err(format!("invalid argument for {name} (type {})", name_of(0)))
                }
            }
            Int | Float => {
                count(1)?;
                if numeric(k(0)) || matches!(k(0), Kind::Interface | Kind::String) {
                    Ok(if self == Int { Type::Int } else { Type::Float })
                } else {
                    Err(format!("invalid argument for {name} (type {})", name_of(0)))
                }
            }
            Max | Min | Mean | Median => {
                if args.is_empty() {
                    return Err(format!("not enough arguments to call {name}"));
                }
                for (i, a) in args.iter().enumerate() {
                    match a.kind() {
                        Kind::Interface | Kind::Slice => return Ok(Type::Any),
                        kind if numeric(kind) => {}
                        _ => return Err(format!("invalid argument for {name} (type {})", name_of(i))),
                    }
                }
                Ok(args[0].plain())
            }
            Now => {
                if args.is_empty() || (args.len() == 1 && args[0].assignable_to(&Type::Location)) {
                    Ok(Type::Time)
                } else {
                    Err(format!("invalid number of arguments (expected 0, got {})", args.len()))
                }
            }
            Date => {
                if args.is_empty() {
                    return Err("invalid number of arguments (expected at least 1, got 0)".into());
                }
                let rest = if args[0].assignable_to(&Type::Location) { &args[1..] } else { args };
                if rest.len() > 3 {
                    return Err(format!("invalid number of arguments (expected at most 3, got {})", rest.len()));
                }
                Ok(Type::Time)
            }
            First | Last => {
                count(1)?;
                match k(0) {
                    Kind::Interface => Ok(Type::Any),
                    Kind::Slice => Ok(match &args[0] {
                        Type::Slice { elem, .. } => elem.plain(),
                        _ => Type::Any,
                    }),
                    _ => Err(format!(
                        "cannot get {} element from {}",
                        if self == First { "first" } else { "last" },
                        name_of(0)
                    )),
                }
            }
            Take => {
                count(2)?;
                if !matches!(k(0), Kind::Interface | Kind::Slice) {
                    return Err(format!("cannot take from {}", name_of(0)));
                }
                if !matches!(k(1), Kind::Interface | Kind::Int | Kind::Int64) {
                    return Err(format!("cannot take {} elements", name_of(1)));
                }
                Ok(args[0].plain())
            }
            Keys | Values => {
                count(1)?;
                match k(0) {
                    Kind::Interface | Kind::Map => Ok(Type::slice(Type::Any)),
                    _ => {
                        Err(format!("cannot get {} from {}", if self == Keys { "keys" } else { "values" }, name_of(0)))
                    }
                }
            }
            ToPairs => {
                count(1)?;
                match k(0) {
                    Kind::Interface | Kind::Map => Ok(Type::slice(Type::Any)),
                    _ => Err(format!("cannot transform {} to pairs", name_of(0))),
                }
            }
            FromPairs => {
                count(1)?;
                match k(0) {
                    Kind::Interface | Kind::Slice => {
                        Ok(Type::Map { key: Box::new(Type::Any), elem: Box::new(Type::Any), refined: None })
                    }
                    _ => Err(format!("cannot transform {} from pairs", name_of(0))),
                }
            }
            Reverse | Uniq | Flatten => {
                count(1)?;
                match k(0) {
                    Kind::Interface | Kind::Slice => Ok(Type::slice(Type::Any)),
                    _ => Err(format!("cannot {} {}", name, name_of(0))),
                }
            }
            Concat => {
                if args.is_empty() {
                    return Err("invalid number of arguments (expected at least 1, got 0)".into());
                }
                for (i, a) in args.iter().enumerate() {
                    if !matches!(a.kind(), Kind::Interface | Kind::Slice) {
                        return Err(format!("cannot concat {}", name_of(i)));
                    }
                }
                Ok(Type::slice(Type::Any))
            }
            _ => Ok(Type::Any),
        }
    }
}

/// How a built-in is type-checked.
pub(crate) enum Check {
    Validate,
    Overloads(Vec<Type>),
    Get,
}

/// `reflect.Type`'s `%s`: like `Type::go_name`, but a missing type is a nil interface,
/// which Go's fmt prints as `%!s(<nil>)`.
pub(crate) fn reflect_name(t: &Type) -> String {
    match t {
        Type::Nil | Type::Unknown => "%!s(<nil>)".into(),
        t => t.go_name(),
    }
}

/// Go's `reflect.Kind.String()` of a value's kind.
fn reflect_kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Month(_) | Value::Weekday(_) => "int",
        Value::Int64(_) | Value::Duration(_) => "int64",
        Value::Uint8(_) => "uint8",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Bytes(_) | Value::List(_) => "slice",
        Value::Time(_) => "struct",
        Value::Location(_) => "ptr",
        Value::Map(_) => "map",
        Value::Func(_) => "func",
    }
}

/// What a built-in needs from the evaluation besides its arguments.
pub(crate) struct CallContext<'a> {
    /// The time `now()` returns.
    pub now: std::time::SystemTime,
    /// Element budget shared with the evaluator (expr's memory budget).
    pub memory: &'a mut usize,
}

impl CallContext<'_> {
    pub fn grow(&mut self, n: usize) -> Result<(), RuntimeError> {
        *self.memory = self.memory.saturating_add(n);
        if *self.memory >= super::eval::MEMORY_BUDGET {
            return Err(RuntimeError::new("memory budget exceeded"));
        }
        Ok(())
    }
}

fn want_str(v: &Value) -> Result<&str, RuntimeError> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(conversion(other, "string")),
    }
}

pub(crate) fn conversion(v: &Value, want: &str) -> RuntimeError {
    let have = match v {
        Value::Nil => "nil".to_string(),
        v => v.go_type(),
    };
    RuntimeError::new(format!("interface conversion: interface {{}} is {have}, not {want}"))
}

fn check_len(len: usize) -> Result<(), RuntimeError> {
    if len > MAX_STRING_BYTES { Err(RuntimeError::new("memory budget exceeded")) } else { Ok(()) }
}

fn str_value(s: String) -> Result<Value, RuntimeError> {
    check_len(s.len())?;
    Ok(Value::string(s))
}

fn string_list(items: Vec<&str>) -> Value {
    Value::List(Arc::new(List { elem: ElemType::String, items: items.into_iter().map(Value::string).collect() }))
}

/// Runs a built-in on evaluated arguments.
pub(crate) fn call(b: Builtin, args: Vec<Value>, cx: &mut CallContext<'_>) -> Result<Value, RuntimeError> {
    use Builtin::*;
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    match b {
        Len => match &arg(0) {
            Value::List(l) => Ok(Value::Int(l.items.len() as i64)),
            Value::Map(m) => Ok(Value::Int(m.entries.len() as i64)),
            Value::String(s) => Ok(Value::Int(s.chars().count() as i64)),
            Value::Bytes(b) => Ok(Value::Int(b.len() as i64)),
            other => Err(RuntimeError::new(format!("invalid argument for len (type {})", other.go_type()))),
        },
        TypeOf => Ok(Value::string(type_name(&arg(0)))),
        Abs => match arg(0) {
            Value::Float(f) => Ok(Value::Float(if f < 0.0 { -f } else { f })),
            Value::Int(i) => Ok(Value::Int(i.wrapping_abs())),
            Value::Int64(i) => Ok(Value::Int64(i.wrapping_abs())),
            v @ Value::Uint8(_) => Ok(v),
            other => Err(RuntimeError::new(format!("invalid argument for abs (type {})", other.go_type()))),
        },
        Ceil | Floor | Round => {
            let name = match b {
                Ceil => "ceil",
                Floor => "floor",
                _ => "round",
            };
            match arg(0) {
                Value::Float(f) => Ok(Value::Float(match b {
                    Ceil => f.ceil(),
                    Floor => f.floor(),
                    _ => f.round(),
                })),
                v if v.as_int().is_some() => Ok(Value::Float(v.as_f64().unwrap_or(0.0))),
                other => Err(RuntimeError::new(format!("invalid argument for {name} (type {})", other.go_type()))),
            }
        }
        Int => match arg(0) {
            Value::Float(f) => Ok(Value::Int(super::env::go_f64_to_i64(f))),
            Value::Int(i) | Value::Int64(i) | Value::Duration(i) => Ok(Value::Int(i)),
            Value::Month(m) | Value::Weekday(m) => Ok(Value::Int(i64::from(m))),
            Value::Uint8(u) => Ok(Value::Int(i64::from(u))),
            Value::String(s) => super::env::parse_int(&s)
                .map(Value::Int)
                .map_err(|_| RuntimeError::new(format!("invalid operation: int({s})"))),
            Value::Nil => Err(RuntimeError::new("reflect: call of reflect.Value.Type on zero Value")),
            other => Err(RuntimeError::new(format!("invalid operation: int({})", other.go_type()))),
        },
        Float => match arg(0) {
            Value::Float(f) => Ok(Value::Float(f)),
            v @ (Value::Int(_) | Value::Int64(_) | Value::Uint8(_)) => Ok(Value::Float(v.as_f64().unwrap_or(0.0))),
            Value::String(s) => super::env::parse_float(&s)
                .map(Value::Float)
                .map_err(|_| RuntimeError::new(format!("invalid operation: float({s})"))),
            other => Err(RuntimeError::new(format!("invalid operation: float({})", other.go_type()))),
        },
        ToStr => str_value(arg(0).to_string()),
        Trim => {
            let v = arg(0);
            let s = want_str(&v)?;
            if args.len() == 2 {
                let cut = arg(1);
                let cut = want_str(&cut)?;
                Ok(Value::string(s.trim_matches(|c| cut.contains(c))))
            } else {
                Ok(Value::string(s.trim_matches(is_go_space)))
            }
        }
        TrimPrefix | TrimSuffix => {
            let v = arg(0);
            let s = want_str(&v)?;
            let p = if args.len() == 2 { arg(1) } else { Value::string(" ") };
            let p = want_str(&p)?;
            let out = if b == TrimPrefix { s.strip_prefix(p) } else { s.strip_suffix(p) };
            Ok(Value::string(out.unwrap_or(s)))
        }
        Upper | Lower => {
            let v = arg(0);
            let s = want_str(&v)?;
            str_value(s.chars().map(|c| simple_case(c, b == Upper)).collect())
        }
        Split | SplitAfter => {
            let (v, sep) = (arg(0), arg(1));
            let (s, sep) = (want_str(&v)?, want_str(&sep)?);
            let n = if args.len() == 3 { ops::to_int(&arg(2))? } else { -1 };
            let parts = go_split(s, sep, n, b == SplitAfter);
            cx.grow(parts.len())?;
            Ok(string_list(parts))
        }
        Replace => {
            let (v, old, new) = (arg(0), arg(1), arg(2));
            let (s, old, new) = (want_str(&v)?, want_str(&old)?, want_str(&new)?);
            let n = if args.len() == 4 { ops::to_int(&arg(3))? } else { -1 };
            str_value(go_replace(s, old, new, n)?)
        }
        Repeat => {
            let v = arg(0);
            let s = want_str(&v)?;
            let n = ops::to_int(&arg(1))?;
            if n < 0 {
                return Err(RuntimeError::new(format!(
                    "invalid argument for repeat (expected positive integer, got {n})"
                )));
            }
            let n = n as usize;
            if n > 1_000_000 || s.len().saturating_mul(n) > MAX_STRING_BYTES {
                return Err(RuntimeError::new("memory budget exceeded"));
            }
            cx.grow(s.len() * n)?;
            Ok(Value::string(s.repeat(n)))
        }
        Join => {
            let glue = if args.len() == 2 { arg(1) } else { Value::string("") };
            let glue = want_str(&glue)?;
            match &arg(0) {
                Value::List(l) if matches!(l.elem, ElemType::Any | ElemType::String) => {
                    let mut parts = Vec::with_capacity(l.items.len());
                    for item in &l.items {
                        parts.push(want_str(item)?.to_string());
                    }
                    str_value(parts.join(glue))
                }
                other => Err(RuntimeError::new(format!("invalid argument for join (type {})", other.go_type()))),
            }
        }
        IndexOf | LastIndexOf | HasPrefix | HasSuffix => {
            let (a, p) = (arg(0), arg(1));
            let (s, p) = (want_str(&a)?, want_str(&p)?);
            Ok(match b {
                IndexOf => Value::Int(s.find(p).map_or(-1, |i| i as i64)),
                LastIndexOf => Value::Int(s.rfind(p).map_or(-1, |i| i as i64)),
                HasPrefix => Value::Bool(s.starts_with(p)),
                _ => Value::Bool(s.ends_with(p)),
            })
        }
        Max | Min => {
            let name = if b == Max { "max" } else { "min" };
            min_max(name, b == Max, &args, 0)
        }
        Mean => {
            let mut values = Vec::new();
            collect_numbers("mean", &args, 0, &mut values)?;
            Ok(Value::Float(if values.is_empty() { 0.0 } else { values.iter().sum::<f64>() / values.len() as f64 }))
        }
        Median => {
            let mut values = Vec::new();
            collect_numbers("median", &args, 0, &mut values)?;
            values.sort_by(|a, b| go_float_order(*a, *b));
            let n = values.len();
            Ok(Value::Float(match n {
                0 => 0.0,
                n if n % 2 == 1 => values[n / 2],
                n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
            }))
        }
        ToJson => {
            let json = arg(0).to_json().map_err(RuntimeError::new)?;
            str_value(crate::go::json::marshal_indent(&json))
        }
        FromJson => {
            let v = arg(0);
            let s = want_str(&v)?;
            // Go decodes up to 10,000 levels; Augur's values are trees walked recursively,
            // so documents are capped well below what a stack can hold.
            if json_depth(s) > MAX_JSON_DEPTH {
                return Err(RuntimeError::new(format!("fromJSON: nesting deeper than {MAX_JSON_DEPTH} levels")));
            }
            let parsed: serde_json::Value = crate::go::json::unmarshal(s).map_err(RuntimeError::new)?;
            Ok(Value::from_json(&parsed))
        }
        ToBase64 => {
            let v = arg(0);
            str_value(base64::engine::general_purpose::STANDARD.encode(want_str(&v)?))
        }
        FromBase64 => {
            let v = arg(0);
            let s = want_str(&v)?;
            match crate::go::base64::decode(s.as_bytes()) {
                Ok(bytes) => Ok(Value::string(String::from_utf8_lossy(&bytes).into_owned())),
                Err(e) => Err(RuntimeError::new(e)),
            }
        }
        Now => {
            let now = go_now(cx.now);
            match arg(0) {
                Value::Location(loc) => Ok(Value::Time(Arc::new(now.in_location((*loc).clone())))),
                _ => Ok(Value::Time(Arc::new(now))),
            }
        }
        Duration => {
            let v = arg(0);
            duration::parse_duration(want_str(&v)?).map(Value::Duration).map_err(RuntimeError::new)
        }
        Date => date(&args),
        Timezone => {
            let v = arg(0);
            gotime::load_location(want_str(&v)?).map(|l| Value::Location(Arc::new(l))).map_err(RuntimeError::new)
        }
        First | Last => Ok(match &arg(0) {
            Value::List(l) => {
                let item = if b == First { l.items.first() } else { l.items.last() };
                item.cloned().unwrap_or(Value::Nil)
            }
            v @ (Value::String(_) | Value::Bytes(_)) => {
                ops::fetch(v, &Value::Int(if b == First { 0 } else { -1 })).unwrap_or(Value::Nil)
            }
            _ => Value::Nil,
        }),
        Get => Ok(get(&arg(0), &arg(1))),
        Take => {
            let (v, n) = (arg(0), arg(1));
            let n = match n {
                Value::Int(i) | Value::Int64(i) | Value::Duration(i) => i,
                other => return Err(RuntimeError::new(format!("cannot take {} elements", reflect_kind(&other)))),
            };
            match &v {
                Value::List(l) => {
                    if n < 0 {
                        return Err(RuntimeError::new("reflect.Value.Slice: slice index out of bounds"));
                    }
                    let to = (n as usize).min(l.items.len());
                    Ok(Value::List(Arc::new(List { elem: l.elem, items: l.items[..to].to_vec() })))
                }
                other => Err(RuntimeError::new(format!("cannot take from {}", reflect_kind(other)))),
            }
        }
        Keys | Values | ToPairs => match &arg(0) {
            Value::Map(m) => {
                cx.grow(m.entries.len())?;
                let items = m
                    .entries
                    .iter()
                    .map(|(k, v)| match b {
                        Keys => k.to_value(),
                        Values => v.clone(),
                        _ => Value::any_list(vec![k.to_value(), v.clone()]),
                    })
                    .collect();
                let elem = if b == ToPairs { ElemType::Pair } else { ElemType::Any };
                Ok(Value::List(Arc::new(List { elem, items })))
            }
            other => Err(RuntimeError::new(match b {
                Keys => format!("cannot get keys from {}", reflect_kind(other)),
                Values => format!("cannot get values from {}", reflect_kind(other)),
                _ => format!("cannot transform {} to pairs", reflect_kind(other)),
            })),
        },
        FromPairs => match &arg(0) {
            Value::List(l) => {
                let mut entries = std::collections::BTreeMap::new();
                for pair in &l.items {
                    let Value::List(p) = pair else {
                        return Err(RuntimeError::new(format!("invalid pair {pair}")));
                    };
                    if p.items.len() != 2 {
                        return Err(RuntimeError::new(format!("invalid pair length {pair}")));
                    }
                    let key = MapKey::from_value(&p.items[0]).ok_or_else(|| {
                        RuntimeError::new(format!("runtime error: hash of unhashable type {}", p.items[0].go_type()))
                    })?;
                    entries.insert(key, p.items[1].clone());
                }
                cx.grow(entries.len())?;
                Ok(Value::Map(Arc::new(Map { kind: MapKind::AnyAny, entries })))
            }
            other => Err(RuntimeError::new(format!("cannot transform {other} from pairs"))),
        },
        Reverse | Uniq => match &arg(0) {
            Value::List(l) => {
                cx.grow(l.items.len())?;
                if b == Reverse {
                    return Ok(Value::any_list(l.items.iter().rev().cloned().collect()));
                }
                let mut out: Vec<Value> = Vec::new();
                for item in &l.items {
                    if !out.iter().any(|o| ops::equal(item, o)) {
                        out.push(item.clone());
                    }
                }
                Ok(Value::any_list(out))
            }
            other => Err(RuntimeError::new(format!(
                "cannot {} {}",
                if b == Reverse { "reverse" } else { "uniq" },
                reflect_kind(other)
            ))),
        },
        Concat => {
            let mut out = Vec::new();
            for a in &args {
                match a {
                    Value::List(l) => out.extend(l.items.iter().cloned()),
                    other => return Err(RuntimeError::new(format!("cannot concat {}", reflect_kind(other)))),
                }
            }
            cx.grow(out.len())?;
            Ok(Value::any_list(out))
        }
        Flatten => match &arg(0) {
            Value::List(l) => {
                let mut out = Vec::new();
                flatten(&l.items, &mut out, 0)?;
                cx.grow(out.len())?;
                Ok(Value::any_list(out))
            }
            other => Err(RuntimeError::new(format!("cannot flatten {}", reflect_kind(other)))),
        },
        Sort => {
            let mut items = match &arg(0) {
                Value::List(l) => l.items.clone(),
                _ => Vec::new(),
            };
            let desc = match args.get(1) {
                None => false,
                Some(Value::String(o)) => match &**o {
                    "asc" => false,
                    "desc" => true,
                    o => return Err(RuntimeError::new(format!("invalid order {o}, expected asc or desc"))),
                },
                Some(other) => {
                    return Err(RuntimeError::new(format!(
                        "sort order argument must be a string (got {})",
                        other.go_type()
                    )));
                }
            };
            sort_values(&mut items, desc)?;
            cx.grow(items.len())?;
            Ok(Value::any_list(items))
        }
        BitAnd | BitOr | BitXor | BitNand | BitShl | BitShr | BitUshr => {
            let name = bit_name(b);
            let x = strict_int(&arg(0), name)?;
            let y = strict_int(&arg(1), name)?;
            let shift_err = || RuntimeError::new(format!("invalid operation: negative shift count {y} (type int)"));
            Ok(Value::Int(match b {
                BitAnd => x & y,
                BitOr => x | y,
                BitXor => x ^ y,
                BitNand => x & !y,
                BitShl if y < 0 => return Err(shift_err()),
                BitShl => {
                    if y >= 64 {
                        0
                    } else {
                        x << y
                    }
                }
                BitShr if y < 0 => return Err(shift_err()),
                BitShr => {
                    if y >= 64 {
                        if x < 0 { -1 } else { 0 }
                    } else {
                        x >> y
                    }
                }
                _ if y < 0 => return Err(shift_err()),
                _ => {
                    if y >= 64 {
                        0
                    } else {
                        ((x as u64) >> y) as i64
                    }
                }
            }))
        }
        BitNot => Ok(Value::Int(!strict_int(&arg(0), "bitnot")?)),
    }
}

/// `now` as Go's `time.Now()`: in the local time zone.
pub(crate) fn go_now(now: std::time::SystemTime) -> gotime::GoTime {
    let nanos = match now.duration_since(std::time::SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    gotime::GoTime::from_unix_nanos(nanos, gotime::Location::local())
}

const MAX_JSON_DEPTH: usize = 500;

/// The deepest bracket nesting of a JSON text, outside strings.
fn json_depth(s: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in s.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn bit_name(b: Builtin) -> &'static str {
    match b {
        Builtin::BitAnd => "bitand",
        Builtin::BitOr => "bitor",
        Builtin::BitXor => "bitxor",
        Builtin::BitNand => "bitnand",
        Builtin::BitShl => "bitshl",
        Builtin::BitShr => "bitshr",
        _ => "bitushr",
    }
}

fn strict_int(v: &Value, name: &str) -> Result<i64, RuntimeError> {
    v.as_int()
        .ok_or_else(|| RuntimeError::new(format!("cannot use {} as argument (type int) to call {name}", v.go_type())))
}

/// Go's `unicode.ToUpper`/`ToLower`: one rune to one rune (a rune whose full mapping has
/// several runes, like `ß`, stays as it is).
fn simple_case(c: char, upper: bool) -> char {
    let mut mapped = if upper { c.to_uppercase().collect::<Vec<_>>() } else { c.to_lowercase().collect::<Vec<_>>() };
    match (mapped.len(), c) {
        (1, _) => mapped.pop().unwrap_or(c),
        // The few runes whose simple mapping differs from the start of the full one.
        (_, '\u{130}') if !upper => 'i',
        _ => c,
    }
}

/// Go's `unicode.IsSpace`, which `strings.TrimSpace` uses.
fn is_go_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{85}' | '\u{A0}')
        || (!c.is_ascii() && c.is_whitespace())
}

/// expr's `type()`.
fn type_name(v: &Value) -> String {
    match v {
        Value::Nil => "nil",
        Value::Time(_) => "time.Time",
        Value::Duration(_) => "time.Duration",
        Value::Month(_) => "time.Month",
        Value::Weekday(_) => "time.Weekday",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) => "int",
        Value::Uint8(_) => "uint",
        Value::Float(_) => "float",
        Value::String(_) => "string",
        Value::List(_) | Value::Bytes(_) => "array",
        Value::Map(_) => "map",
        Value::Func(_) => "func",
        Value::Location(_) => "time.Location",
    }
    .into()
}

/// `strings.Split`/`SplitN`/`SplitAfter`/`SplitAfterN`.
fn go_split<'a>(s: &'a str, sep: &str, n: i64, after: bool) -> Vec<&'a str> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        // Split into UTF-8 sequences, the last one holding the rest when n runs out.
        let mut out = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            if n > 0 && out.len() as i64 == n - 1 {
                out.push(rest);
                break;
            }
            let len = rest.chars().next().map_or(1, char::len_utf8);
            out.push(&rest[..len]);
            rest = &rest[len..];
        }
        return out;
    }
    let mut out = Vec::new();
    let mut rest = s;
    while n < 0 || (out.len() as i64) < n - 1 {
        match rest.find(sep) {
            Some(i) => {
                let end = if after { i + sep.len() } else { i };
                out.push(&rest[..end]);
                rest = &rest[i + sep.len()..];
            }
            None => break,
        }
    }
    out.push(rest);
    out
}

/// `strings.Replace`, refusing results beyond the string limit before building them.
fn go_replace(s: &str, old: &str, new: &str, n: i64) -> Result<String, RuntimeError> {
    if old == new || n == 0 {
        return Ok(s.to_string());
    }
    let matches = if old.is_empty() { s.chars().count() + 1 } else { s.matches(old).count() };
    let m = if n < 0 { matches } else { matches.min(n as usize) };
    if s.len().saturating_add(m.saturating_mul(new.len())) > MAX_STRING_BYTES {
        return Err(RuntimeError::new("memory budget exceeded"));
    }
    if old.is_empty() {
        let mut out = String::new();
        let mut done = 0;
        for (i, c) in s.char_indices() {
            if done < m {
                out.push_str(new);
                done += 1;
            }
            out.push(c);
            let _ = i;
        }
        if done < m {
            out.push_str(new);
        }
        return Ok(out);
    }
    Ok(if n < 0 { s.replace(old, new) } else { s.replacen(old, new, n as usize) })
}

/// `sort.Float64s` order: NaN first, then ascending.
fn go_float_order(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

const MAX_RECURSION: usize = 10_000;

/// expr's `minMax`.
fn min_max(name: &str, max: bool, args: &[Value], depth: usize) -> Result<Value, RuntimeError> {
    if depth > MAX_RECURSION {
        return Err(RuntimeError::new("recursion depth exceeded"));
    }
    // `fn(val, e)` in Go: Less for max (e is bigger), More for min (e is smaller).
    let better = |val: &Value, e: &Value| -> Result<bool, RuntimeError> {
        if max { ops::less(val, e) } else { ops::more(val, e) }
    };
    let mut val = Value::Nil;
    for arg in args {
        match arg {
            Value::List(l) => {
                for e in &l.items {
                    match e {
                        Value::Int(_) | Value::Int64(_) | Value::Uint8(_) | Value::Float(_) => {
                            if val.is_nil() || better(&val, e)? {
                                val = e.clone();
                            }
                        }
                        Value::List(_) => {
                            let nested = min_max(name, max, std::slice::from_ref(e), depth + 1)?;
                            if !nested.is_nil() && (val.is_nil() || better(&val, &nested)?) {
                                val = nested;
                            }
                        }
                        other => {
                            return Err(RuntimeError::new(format!(
                                "invalid argument for {name} (type {})",
                                other.go_type()
                            )));
                        }
                    }
                }
            }
            Value::Int(_) | Value::Int64(_) | Value::Uint8(_) | Value::Float(_) => {
                if val.is_nil() || better(&val, arg)? {
                    val = arg.clone();
                }
            }
            other => {
                if args.len() == 1 {
                    return Ok(other.clone());
                }
                return Err(RuntimeError::new(format!("invalid argument for {name} (type {})", other.go_type())));
            }
        }
    }
    Ok(val)
}

/// The numbers of `mean`/`median`'s arguments, flattened.
fn collect_numbers(name: &str, args: &[Value], depth: usize, out: &mut Vec<f64>) -> Result<(), RuntimeError> {
    if depth > MAX_RECURSION {
        return Err(RuntimeError::new("recursion depth exceeded"));
    }
    for arg in args {
        match arg {
            Value::List(l) => {
                for e in &l.items {
                    match e {
                        Value::List(_) => collect_numbers(name, std::slice::from_ref(e), depth + 1, out)?,
                        e => match e.as_f64() {
                            Some(f) => out.push(f),
                            None => {
                                return Err(RuntimeError::new(format!(
                                    "invalid argument for {name} (type {})",
                                    e.go_type()
                                )));
                            }
                        },
                    }
                }
            }
            e => match e.as_f64() {
                Some(f) => out.push(f),
                None => return Err(RuntimeError::new(format!("invalid argument for {name} (type {})", e.go_type()))),
            },
        }
    }
    Ok(())
}

fn flatten(items: &[Value], out: &mut Vec<Value>, depth: usize) -> Result<(), RuntimeError> {
    if depth > MAX_RECURSION {
        return Err(RuntimeError::new("recursion depth exceeded"));
    }
    for item in items {
        match item {
            Value::List(l) => flatten(&l.items, out, depth + 1)?,
            other => out.push(other.clone()),
        }
    }
    Ok(())
}

/// Sorts with expr's `runtime.Less`, failing as Go panics on incomparable elements.
pub(crate) fn sort_values(items: &mut [Value], desc: bool) -> Result<(), RuntimeError> {
    sort_by_keys(items, None, desc)
}

/// Sorts `items` by `keys` (or by themselves), ascending or descending, with `runtime.Less`.
pub(crate) fn sort_by_keys(items: &mut [Value], keys: Option<&[Value]>, desc: bool) -> Result<(), RuntimeError> {
    let mut error: Option<RuntimeError> = None;
    let mut order: Vec<usize> = (0..items.len()).collect();
    let key = |i: usize| -> &Value { keys.map_or(&items[i], |k| &k[i]) };
    order.sort_by(|&a, &b| {
        if error.is_some() {
            return Ordering::Equal;
        }
        let (x, y) = if desc { (key(b), key(a)) } else { (key(a), key(b)) };
        match ops::less(x, y) {
            Ok(true) => Ordering::Less,
            Ok(false) => match ops::less(y, x) {
                Ok(true) => Ordering::Greater,
                Ok(false) => Ordering::Equal,
                Err(e) => {
                    error = Some(e);
                    Ordering::Equal
                }
            },
            Err(e) => {
                error = Some(e);
                Ordering::Equal
            }
        }
    });
    if let Some(e) = error {
        return Err(e);
    }
    let sorted: Vec<Value> = order.iter().map(|&i| items[i].clone()).collect();
    items.clone_from_slice(&sorted);
    Ok(())
}

/// expr's `get`: like indexing, but nil instead of an error.
fn get(from: &Value, i: &Value) -> Value {
    match from {
        Value::List(_) | Value::String(_) | Value::Bytes(_) | Value::Map(_) => {
            ops::fetch(from, i).unwrap_or(Value::Nil)
        }
        _ => Value::Nil,
    }
}

fn date(args: &[Value]) -> Result<Value, RuntimeError> {
    let (tz, rest) = match args.first() {
        Some(Value::Location(l)) => (Some((**l).clone()), &args[1..]),
        _ => (None, args),
    };
    let first = rest.first().cloned().unwrap_or(Value::Nil);
    let text = want_str(&first)?;
    let parsed = match rest.len() {
        2 => {
            let layout = want_str(&rest[1])?;
            match &tz {
                Some(loc) => gotime::parse_in_location(layout, text, loc),
                None => gotime::parse(layout, text),
            }
        }
        3 => {
            let layout = want_str(&rest[1])?;
            let zone = want_str(&rest[2])?;
            let loc = gotime::load_location(zone).map_err(RuntimeError::new)?;
            gotime::parse_in_location(layout, text, &loc)
        }
        _ => {
            let layouts = [
                "2006-01-02",
                "15:04:05",
                "2006-01-02 15:04:05",
                gotime::RFC3339,
                gotime::RFC822,
                gotime::RFC850,
                gotime::RFC1123,
            ];
            let found = layouts.iter().find_map(|layout| match &tz {
                Some(loc) => gotime::parse_in_location(layout, text, loc).ok(),
                None => gotime::parse(layout, text).ok(),
            });
            return found
                .map(|t| Value::Time(Arc::new(t)))
                .ok_or_else(|| RuntimeError::new(format!("invalid date {text}")));
        }
    };
    parsed.map(|t| Value::Time(Arc::new(t))).map_err(RuntimeError::new)
}
