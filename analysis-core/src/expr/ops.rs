//! expr's run-time operators (`vm/runtime`): equality, ordering, arithmetic, membership,
//! indexing and slicing over dynamically typed values, with Go's panics as errors.

use std::sync::Arc;

use super::error::RuntimeError;
use super::value::{ElemType, List, MapKey, Value};

/// `a == b` (`runtime.Equal`).
pub(crate) fn equal(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (Int(_) | Int64(_) | Uint8(_), Int(_) | Int64(_) | Uint8(_)) => a.as_int() == b.as_int(),
        (Int(_) | Int64(_) | Uint8(_) | Float(_), Int(_) | Int64(_) | Uint8(_) | Float(_)) => a.as_f64() == b.as_f64(),
        (String(x), String(y)) => x == y,
        (Bool(x), Bool(y)) => x == y,
        (Time(x), Time(y)) => x.unix_nanos() == y.unix_nanos(),
        (Duration(x), Duration(y)) => x == y,
        (List(x), List(y)) => {
            if x.elem == ElemType::Any || y.elem == ElemType::Any {
                x.items.len() == y.items.len() && x.items.iter().zip(&y.items).all(|(p, q)| equal(p, q))
            } else if x.elem == y.elem {
                // Typed slices compare their elements with Go's `==` (NaN is unequal).
                x.items.len() == y.items.len() && x.items.iter().zip(&y.items).all(|(p, q)| equal(p, q))
            } else {
                false
            }
        }
        (Nil, Nil) => true,
        _ => deep_equal(a, b),
    }
}

/// `reflect.DeepEqual`: same dynamic type and deeply equal, floats by `==`.
fn deep_equal(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (Nil, Nil) => true,
        (Bool(x), Bool(y)) => x == y,
        (Int(x), Int(y)) | (Int64(x), Int64(y)) | (Duration(x), Duration(y)) => x == y,
        (Uint8(x), Uint8(y)) => x == y,
        (Float(x), Float(y)) => x == y,
        (String(x), String(y)) => x == y,
        (Bytes(x), Bytes(y)) => x == y,
        (Time(x), Time(y)) => x.unix_nanos() == y.unix_nanos() && x.location().name() == y.location().name(),
        (List(x), List(y)) => {
            x.elem == y.elem
                && x.items.len() == y.items.len()
                && x.items.iter().zip(&y.items).all(|(p, q)| deep_equal(p, q))
        }
        (Map(x), Map(y)) => {
            x.kind == y.kind
                && x.entries.len() == y.entries.len()
                && x.entries.iter().all(|(k, v)| y.entries.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        _ => false,
    }
}

fn ordering_error(a: &Value, op: &str, b: &Value) -> RuntimeError {
    RuntimeError::new(format!("invalid operation: {} {op} {}", a.go_type(), b.go_type()))
}

/// Compares two values the way expr's ordering operators do; `None` when not comparable.
fn compare(a: &Value, b: &Value) -> Option<Option<std::cmp::Ordering>> {
    use Value::*;
    Some(match (a, b) {
        (Int(_) | Int64(_) | Uint8(_), Int(_) | Int64(_) | Uint8(_)) => a.as_int().partial_cmp(&b.as_int()),
        (Int(_) | Int64(_) | Uint8(_) | Float(_), Int(_) | Int64(_) | Uint8(_) | Float(_)) => {
            a.as_f64().partial_cmp(&b.as_f64())
        }
        (String(x), String(y)) => Some(x.cmp(y)),
        (Time(x), Time(y)) => Some(x.unix_nanos().cmp(&y.unix_nanos())),
        (Duration(x), Duration(y)) => Some(x.cmp(y)),
        _ => return None,
    })
}

macro_rules! ordering_op {
    ($name:ident, $op:literal, $test:expr) => {
        #[doc = concat!("`a ", $op, " b`.")]
        pub(crate) fn $name(a: &Value, b: &Value) -> Result<bool, RuntimeError> {
            match compare(a, b) {
                // NaN compares false with everything.
                Some(ord) => Ok(ord.is_some_and($test)),
                None => Err(ordering_error(a, $op, b)),
            }
        }
    };
}

ordering_op!(less, "<", |o: std::cmp::Ordering| o.is_lt());
ordering_op!(more, ">", |o: std::cmp::Ordering| o.is_gt());
ordering_op!(less_or_equal, "<=", |o: std::cmp::Ordering| o.is_le());
ordering_op!(more_or_equal, ">=", |o: std::cmp::Ordering| o.is_ge());

fn is_int(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Int64(_) | Value::Uint8(_))
}

fn is_num(v: &Value) -> bool {
    is_int(v) || matches!(v, Value::Float(_))
}

/// `a + b`.
pub(crate) fn add(a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    use Value::*;
    Ok(match (a, b) {
        _ if is_int(a) && is_int(b) => Int(a.as_int().unwrap_or(0).wrapping_add(b.as_int().unwrap_or(0))),
        _ if is_num(a) && is_num(b) => Float(a.as_f64().unwrap_or(0.0) + b.as_f64().unwrap_or(0.0)),
        (String(x), String(y)) => {
            if x.len() + y.len() > super::builtins::MAX_STRING_BYTES {
                return Err(RuntimeError::new("memory budget exceeded"));
            }
            let mut s = std::string::String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            Value::string(s)
        }
        (Time(t), Duration(d)) | (Duration(d), Time(t)) => Time(Arc::new(t.add(*d))),
        (Duration(x), Duration(y)) => Duration(x.wrapping_add(*y)),
        _ => return Err(RuntimeError::new(format!("invalid operation: {} + {}", a.go_type(), b.go_type()))),
    })
}

/// `a - b`.
pub(crate) fn subtract(a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    use Value::*;
    Ok(match (a, b) {
        _ if is_int(a) && is_int(b) => Int(a.as_int().unwrap_or(0).wrapping_sub(b.as_int().unwrap_or(0))),
        _ if is_num(a) && is_num(b) => Float(a.as_f64().unwrap_or(0.0) - b.as_f64().unwrap_or(0.0)),
        (Time(x), Time(y)) => Duration(x.sub(y)),
        (Time(t), Duration(d)) => Time(Arc::new(t.add(d.wrapping_neg()))),
        (Duration(x), Duration(y)) => Duration(x.wrapping_sub(*y)),
        _ => return Err(RuntimeError::new(format!("invalid operation: {} - {}", a.go_type(), b.go_type()))),
    })
}

/// `a * b`.
pub(crate) fn multiply(a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    use Value::*;
    Ok(match (a, b) {
        _ if is_int(a) && is_int(b) => Int(a.as_int().unwrap_or(0).wrapping_mul(b.as_int().unwrap_or(0))),
        _ if is_num(a) && is_num(b) => Float(a.as_f64().unwrap_or(0.0) * b.as_f64().unwrap_or(0.0)),
        (x, Duration(d)) if is_int(x) => Duration(x.as_int().unwrap_or(0).wrapping_mul(*d)),
        (Duration(d), y) if is_int(y) => Duration(d.wrapping_mul(y.as_int().unwrap_or(0))),
        (Float(x), Duration(d)) | (Duration(d), Float(x)) => Float(x * *d as f64),
        (Duration(x), Duration(y)) => Duration(x.wrapping_mul(*y)),
        _ => return Err(RuntimeError::new(format!("invalid operation: {} * {}", a.go_type(), b.go_type()))),
    })
}

/// `a / b`: always a float.
pub(crate) fn divide(a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => Ok(Value::Float(x / y)),
        _ => Err(RuntimeError::new(format!("invalid operation: {} / {}", a.go_type(), b.go_type()))),
    }
}

/// `a % b`: integers only.
pub(crate) fn modulo(a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    match (a.as_int(), b.as_int()) {
        (Some(_), Some(0)) => Err(RuntimeError::new("runtime error: integer divide by zero")),
        (Some(x), Some(y)) => Ok(Value::Int(x.wrapping_rem(y))),
        _ => Err(RuntimeError::new(format!("invalid operation: {} % {}", a.go_type(), b.go_type()))),
    }
}

/// `a ** b`.
pub(crate) fn exponent(a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    Ok(Value::Float(to_float(a)?.powf(to_float(b)?)))
}

/// `-a`.
pub(crate) fn negate(a: &Value) -> Result<Value, RuntimeError> {
    match a {
        Value::Float(f) => Ok(Value::Float(-f)),
        Value::Int(i) => Ok(Value::Int(i.wrapping_neg())),
        Value::Int64(i) => Ok(Value::Int64(i.wrapping_neg())),
        Value::Uint8(u) => Ok(Value::Uint8(u.wrapping_neg())),
        other => Err(RuntimeError::new(format!("invalid operation: - {}", other.go_type()))),
    }
}

/// `runtime.ToInt`: integers and (truncated) floats.
pub(crate) fn to_int(a: &Value) -> Result<i64, RuntimeError> {
    match a {
        Value::Float(f) => Ok(super::env::go_f64_to_i64(*f)),
        v => v.as_int().ok_or_else(|| RuntimeError::new(format!("invalid operation: int({})", v.go_type()))),
    }
}

/// `runtime.ToFloat64`.
pub(crate) fn to_float(a: &Value) -> Result<f64, RuntimeError> {
    a.as_f64().ok_or_else(|| RuntimeError::new(format!("invalid operation: float({})", a.go_type())))
}

/// `needle in haystack`.
pub(crate) fn contains_element(needle: &Value, haystack: &Value) -> Result<bool, RuntimeError> {
    match haystack {
        Value::Nil => Ok(false),
        Value::List(l) => Ok(l.items.iter().any(|v| equal(v, needle))),
        Value::Bytes(b) => Ok(b.iter().any(|x| equal(&Value::Uint8(*x), needle))),
        Value::Map(m) => map_key(m, needle).map(|k| k.is_some_and(|k| m.entries.contains_key(&k))),
        Value::Time(_) => match needle {
            Value::String(_) => Ok(false),
            other => Err(RuntimeError::new(format!("cannot use {} as field name of time.Time", other.go_type()))),
        },
        other => Err(RuntimeError::new(format!("operator \"in\" not defined on {}", other.go_type()))),
    }
}

/// The key to look `v` up with in `m`, as `reflect.Value.MapIndex` accepts it.
fn map_key(m: &super::value::Map, v: &Value) -> Result<Option<MapKey>, RuntimeError> {
    use super::value::MapKind;
    if m.kind == MapKind::StringAny {
        return match v {
            Value::String(s) => Ok(Some(MapKey::Str(s.clone()))),
            Value::Nil => Ok(Some(MapKey::Str("".into()))),
            other => Err(RuntimeError::new(format!(
                "reflect.Value.MapIndex: value of type {} is not assignable to type string",
                other.go_type()
            ))),
        };
    }
    Ok(MapKey::from_value(v))
}

/// `from[i]` / `from.i` (`runtime.Fetch`).
pub(crate) fn fetch(from: &Value, i: &Value) -> Result<Value, RuntimeError> {
    let index = |len: usize| -> Result<usize, RuntimeError> {
        let raw = to_int(i)?;
        let idx = if raw < 0 { raw + len as i64 } else { raw };
        if idx < 0 || idx >= len as i64 {
            return Err(RuntimeError::new(format!("index out of range: {idx} (array length is {len})")));
        }
        Ok(idx as usize)
    };
    match from {
        Value::List(l) => Ok(l.items[index(l.items.len())?].clone()),
        Value::String(s) => Ok(Value::Uint8(s.as_bytes()[index(s.len())?])),
        Value::Bytes(b) => Ok(Value::Uint8(b[index(b.len())?])),
        Value::Map(m) => {
            let found = map_key(m, i)?.and_then(|k| m.entries.get(&k).cloned());
            Ok(found.unwrap_or_else(|| match m.kind {
                // The zero value of the map's element type: `[]interface {}` for groupBy.
                super::value::MapKind::AnyList => Value::any_list(Vec::new()),
                _ => Value::Nil,
            }))
        }
        other => Err(RuntimeError::new(format!("cannot fetch {i} from {}", other.go_type()))),
    }
}

/// `a[from:to]` (`runtime.Slice`); missing bounds default to 0 and the length.
pub(crate) fn slice(base: &Value, from: Option<&Value>, to: Option<&Value>) -> Result<Value, RuntimeError> {
    let bounds = |len: usize| -> Result<(usize, usize), RuntimeError> {
        let len = len as i64;
        let mut a = from.map(to_int).transpose()?.unwrap_or(0);
        let mut b = to.map(to_int).transpose()?.unwrap_or(len);
        if a < 0 {
            a += len;
        }
        a = a.max(0);
        if b < 0 {
            b += len;
        }
        b = b.clamp(0, len);
        a = a.min(b);
        Ok((a as usize, b as usize))
    };
    match base {
        Value::List(l) => {
            let (a, b) = bounds(l.items.len())?;
            Ok(Value::List(Arc::new(List { elem: l.elem, items: l.items[a..b].to_vec() })))
        }
        Value::String(s) => {
            let (a, b) = bounds(s.len())?;
            // Go slices bytes; a cut inside a UTF-8 sequence yields replacement characters here.
            Ok(Value::string(String::from_utf8_lossy(&s.as_bytes()[a..b]).into_owned()))
        }
        Value::Bytes(bytes) => {
            let (a, b) = bounds(bytes.len())?;
            Ok(Value::Bytes(bytes[a..b].into()))
        }
        _ => Err(RuntimeError::new(format!("cannot slice {}", from.map_or("<nil>".to_string(), |f| f.to_string())))),
    }
}

/// `a..b`, counting its size against the memory budget first.
pub(crate) fn range(a: &Value, b: &Value, memory: &mut usize) -> Result<Value, RuntimeError> {
    let (min, max) = (to_int(a)?, to_int(b)?);
    let size = max.saturating_sub(min).saturating_add(1).max(0) as u64;
    *memory = memory.saturating_add(size.min(usize::MAX as u64) as usize);
    if *memory >= super::eval::MEMORY_BUDGET {
        return Err(RuntimeError::new("memory budget exceeded"));
    }
    Ok(Value::List(Arc::new(List { elem: ElemType::Int, items: (min..=max).map(Value::Int).collect() })))
}

/// The string operators `contains`, `startsWith`, `endsWith`: false when either side is nil.
pub(crate) fn string_op(a: &Value, b: &Value, op: fn(&str, &str) -> bool) -> Result<bool, RuntimeError> {
    match (a, b) {
        (Value::Nil, _) | (_, Value::Nil) => Ok(false),
        (Value::String(x), Value::String(y)) => Ok(op(x, y)),
        (Value::String(_), other) | (other, _) => Err(super::builtins::conversion(other, "string")),
    }
}

/// `a matches b` with a pattern computed at run time.
pub(crate) fn matches(a: &Value, b: &Value) -> Result<bool, RuntimeError> {
    match (a, b) {
        (Value::Nil, _) | (_, Value::Nil) => Ok(false),
        (subject, Value::String(pattern)) => {
            let re = super::regex::compile(pattern).map_err(RuntimeError::new)?;
            match subject {
                Value::String(s) => Ok(re.is_match(s)),
                Value::Bytes(bytes) => Ok(re.is_match(&String::from_utf8_lossy(bytes))),
                other => Err(super::builtins::conversion(other, "[]uint8")),
            }
        }
        (_, other) => Err(super::builtins::conversion(other, "string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_across_int_and_float() {
        assert!(equal(&Value::Int(10), &Value::Float(10.0)));
        assert!(!equal(&Value::Float(f64::NAN), &Value::Float(f64::NAN)));
        assert!(less(&Value::Int(1), &Value::Float(1.5)).unwrap());
        assert!(!less(&Value::Float(f64::NAN), &Value::Int(1)).unwrap());
    }

    #[test]
    fn ordering_type_errors_read_like_go() {
        assert_eq!(more(&Value::Nil, &Value::Int(0)).unwrap_err().message, "invalid operation: <nil> > int");
        assert_eq!(less(&Value::string("a"), &Value::Int(0)).unwrap_err().message, "invalid operation: string < int");
    }

    #[test]
    fn lists_compare_elementwise() {
        let a = Value::float_list([1.0, 2.0]);
        let b = Value::any_list(vec![Value::Int(1), Value::Int(2)]);
        assert!(equal(&a, &b));
        assert!(equal(&b, &a));
    }

    #[test]
    fn fetch_and_slice() {
        let l = Value::float_list([1.0, 2.0, 3.0]);
        assert!(equal(&fetch(&l, &Value::Int(-1)).unwrap(), &Value::Float(3.0)));
        assert_eq!(fetch(&l, &Value::Int(5)).unwrap_err().message, "index out of range: 5 (array length is 3)");
        assert_eq!(fetch(&Value::Nil, &Value::string("y")).unwrap_err().message, "cannot fetch y from <nil>");
        let s = slice(&l, Some(&Value::Int(0)), Some(&Value::Int(2))).unwrap();
        assert!(equal(&s, &Value::float_list([1.0, 2.0])));
    }

    #[test]
    fn range_is_budgeted() {
        let mut mem = 0;
        assert_eq!(
            range(&Value::Int(1), &Value::Int(1_000_000_000_000), &mut mem).unwrap_err().message,
            "memory budget exceeded"
        );
    }
}
