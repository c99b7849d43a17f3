//! Run-time values, modelled on the Go values expr manipulates.
//!
//! Go's dynamic type of a value shows through in expr's messages (`cannot fetch y from
//! float64`, `expected bool, but got []float64`) and in a few semantics (`int` and `int64`
//! differ for the checker; a `[]float64` and a `[]interface {}` compare element-wise). Values
//! therefore keep the Go type they would have had, while staying cheap to clone: collections
//! and strings are reference-counted.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::go::gofmt;
use crate::go::time::{GoTime, Location};

/// A value of the condition language.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// Go `nil`.
    #[default]
    Nil,
    /// `bool`.
    Bool(bool),
    /// Go `int` (integer literals, `len`, ranges).
    Int(i64),
    /// Go `int64` (what Argo's `asInt` returns).
    Int64(i64),
    /// Go `uint8` (an element of a bytes literal).
    Uint8(u8),
    /// `float64`.
    Float(f64),
    /// `string`.
    String(Arc<str>),
    /// `[]byte`.
    Bytes(Arc<[u8]>),
    /// `time.Time`.
    Time(Arc<GoTime>),
    /// `time.Duration` in nanoseconds.
    Duration(i64),
    /// `time.Month` (1 = January).
    Month(u8),
    /// `time.Weekday` (0 = Sunday).
    Weekday(u8),
    /// `*time.Location`.
    Location(Arc<Location>),
    /// A slice.
    List(Arc<List>),
    /// A map.
    Map(Arc<Map>),
    /// A function value (an environment function or built-in named without calling it).
    Func(Arc<str>),
}

/// A Go slice: its element type and its elements.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    /// The Go element type, which decides the slice's type name and a few semantics.
    pub elem: ElemType,
    /// The elements.
    pub items: Vec<Value>,
}

/// The element type of a Go slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElemType {
    /// `[]interface {}`: JSON arrays, array literals, results of `filter`, `map`, ...
    Any,
    /// `[]float64`: Prometheus vectors, Datadog groups.
    Float,
    /// `[]int`: ranges.
    Int,
    /// `[]string`: `split`.
    String,
    /// `[][2]interface {}`: `toPairs`.
    Pair,
}

/// A Go map. Entries are kept sorted by key, a valid order for Go's unordered maps that keeps
/// output deterministic.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    /// The Go map type.
    pub kind: MapKind,
    /// The entries.
    pub entries: BTreeMap<MapKey, Value>,
}

/// The Go type of a map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    /// `map[string]interface {}`: JSON objects and map literals.
    StringAny,
    /// `map[interface {}]interface {}`: `fromPairs`.
    AnyAny,
    /// `map[interface {}][]interface {}`: `groupBy`.
    AnyList,
}

/// A map key: the comparable Go values.
#[derive(Debug, Clone, PartialEq)]
pub enum MapKey {
    /// nil
    Nil,
    /// bool
    Bool(bool),
    /// int
    Int(i64),
    /// float64
    Float(f64),
    /// string
    Str(Arc<str>),
}

impl Eq for MapKey {}

impl PartialOrd for MapKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for MapKey {
    fn cmp(&self, other: &Self) -> Ordering {
        fn rank(k: &MapKey) -> u8 {
            match k {
                MapKey::Nil => 0,
                MapKey::Bool(_) => 1,
                MapKey::Int(_) => 2,
                MapKey::Float(_) => 3,
                MapKey::Str(_) => 4,
            }
        }
        match (self, other) {
            (MapKey::Bool(a), MapKey::Bool(b)) => a.cmp(b),
            (MapKey::Int(a), MapKey::Int(b)) => a.cmp(b),
            (MapKey::Float(a), MapKey::Float(b)) => a.total_cmp(b),
            (MapKey::Str(a), MapKey::Str(b)) => a.cmp(b),
            // fmt prints numeric keys of mixed types in numeric order.
            (MapKey::Int(a), MapKey::Float(b)) => (*a as f64).total_cmp(b).then(Ordering::Less),
            (MapKey::Float(a), MapKey::Int(b)) => a.total_cmp(&(*b as f64)).then(Ordering::Greater),
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

impl MapKey {
    /// The key as a value.
    pub fn to_value(&self) -> Value {
        match self {
            MapKey::Nil => Value::Nil,
            MapKey::Bool(b) => Value::Bool(*b),
            MapKey::Int(i) => Value::Int(*i),
            MapKey::Float(f) => Value::Float(*f),
            MapKey::Str(s) => Value::String(s.clone()),
        }
    }

    /// A value as a key, when it is of a hashable kind modelled here.
    pub fn from_value(v: &Value) -> Option<MapKey> {
        Some(match v {
            Value::Nil => MapKey::Nil,
            Value::Bool(b) => MapKey::Bool(*b),
            Value::Int(i) | Value::Int64(i) => MapKey::Int(*i),
            Value::Float(f) => MapKey::Float(*f),
            Value::String(s) => MapKey::Str(s.clone()),
            _ => return None,
        })
    }
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    /// A `[]interface {}` value.
    pub fn any_list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(List { elem: ElemType::Any, items }))
    }

    /// A `[]float64` value.
    pub fn float_list(items: impl IntoIterator<Item = f64>) -> Value {
        Value::List(Arc::new(List { elem: ElemType::Float, items: items.into_iter().map(Value::Float).collect() }))
    }

    /// Go's `%T`: the dynamic type's name, `<nil>` for nil.
    pub fn go_type(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Int64(_) => "int64".into(),
            Value::Uint8(_) => "uint8".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::Bytes(_) => "[]uint8".into(),
            Value::Time(_) => "time.Time".into(),
            Value::Duration(_) => "time.Duration".into(),
            Value::Month(_) => "time.Month".into(),
            Value::Weekday(_) => "time.Weekday".into(),
            Value::Location(_) => "*time.Location".into(),
            Value::List(l) => match l.elem {
                ElemType::Any => "[]interface {}".into(),
                ElemType::Float => "[]float64".into(),
                ElemType::Int => "[]int".into(),
                ElemType::String => "[]string".into(),
                ElemType::Pair => "[][2]interface {}".into(),
            },
            Value::Map(m) => match m.kind {
                MapKind::StringAny => "map[string]interface {}".into(),
                MapKind::AnyAny => "map[interface {}]interface {}".into(),
                MapKind::AnyList => "map[interface {}][]interface {}".into(),
            },
            Value::Func(name) => match super::env::EnvFn::lookup(name) {
                Some(f) => f.signature().go_name(),
                None => "func(...interface {}) (interface {}, error)".into(),
            },
        }
    }

    /// Go's `runtime.IsNil`: nil, or a nil slice or map (never produced here).
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// The numeric value of an integer or float, as `float64`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(*i as f64),
            Value::Uint8(u) => Some(f64::from(*u)),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The value of an integer (not a float), as Go's `int`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(*i),
            Value::Uint8(u) => Some(i64::from(*u)),
            _ => None,
        }
    }

    /// Converts a JSON value as Go's `encoding/json` decodes into `interface {}`: numbers are
    /// `float64`, objects `map[string]interface {}`, arrays `[]interface {}`.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::string(s.as_str()),
            serde_json::Value::Array(a) => Value::any_list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Map(Arc::new(Map {
                kind: MapKind::StringAny,
                entries: o.iter().map(|(k, v)| (MapKey::Str(k.as_str().into()), Value::from_json(v))).collect(),
            })),
        }
    }

    /// Encodes the value as JSON the way Go's `encoding/json` would (used by `toJSON`).
    /// NaN and infinities are not representable; Go fails with `json: unsupported value`.
    pub fn to_json(&self) -> Result<serde_json::Value, String> {
        Ok(match self {
            Value::Nil => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) | Value::Int64(i) => serde_json::Value::from(*i),
            Value::Uint8(u) => serde_json::Value::from(*u),
            Value::Float(f) => {
                if !f.is_finite() {
                    return Err(format!("json: unsupported value: {}", gofmt::fmt_v_float(*f)));
                }
                serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Bytes(b) => serde_json::Value::String(base64_std(b)),
            Value::Time(t) => serde_json::Value::String(t.format(crate::go::time::RFC3339_NANO)),
            Value::Duration(d) => serde_json::Value::from(*d),
            Value::Month(m) | Value::Weekday(m) => serde_json::Value::from(*m),
            Value::Location(_) | Value::Func(_) => {
                return Err(format!("json: unsupported type: {}", self.go_type()));
            }
            Value::List(l) => serde_json::Value::Array(l.items.iter().map(Value::to_json).collect::<Result<_, _>>()?),
            Value::Map(m) if m.kind != MapKind::StringAny => {
                return Err(format!("json: unsupported type: {}", self.go_type()));
            }
            Value::Map(m) => {
                let mut obj = serde_json::Map::new();
                for (k, v) in &m.entries {
                    let key = match k {
                        MapKey::Str(s) => s.to_string(),
                        MapKey::Int(i) => i.to_string(),
                        other => {
                            return Err(format!(
                                "json: unsupported type: map[{}]interface {{}}",
                                other.to_value().go_type()
                            ));
                        }
                    };
                    obj.insert(key, v.to_json()?);
                }
                serde_json::Value::Object(obj)
            }
        })
    }
}

/// Standard base64 with padding (Go's `base64.StdEncoding`).
pub(crate) fn base64_std(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl fmt::Display for Value {
    /// Go's `%v`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("<nil>"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) | Value::Int64(i) => write!(f, "{i}"),
            Value::Uint8(u) => write!(f, "{u}"),
            Value::Float(x) => f.write_str(&gofmt::fmt_v_float(*x)),
            Value::String(s) => f.write_str(s),
            Value::Bytes(b) => {
                f.write_str("[")?;
                for (i, x) in b.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{x}")?;
                }
                f.write_str("]")
            }
            Value::Time(t) => write!(f, "{t}"),
            Value::Duration(d) => f.write_str(&crate::go::duration::format_duration(*d)),
            Value::Month(m) => f.write_str(&super::methods::month_name(*m)),
            Value::Weekday(d) => f.write_str(&super::methods::weekday_name(*d)),
            Value::Location(l) => f.write_str(l.name()),
            Value::Func(_) => f.write_str("0x0"),
            Value::List(l) => {
                f.write_str("[")?;
                for (i, x) in l.items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{x}")?;
                }
                f.write_str("]")
            }
            Value::Map(m) => {
                f.write_str("map[")?;
                for (i, (k, v)) in m.entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{}:{v}", k.to_value())?;
                }
                f.write_str("]")
            }
        }
    }
}

impl PartialEq for Value {
    /// Structural equality (not expr's `==`, which is `ops::equal`).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) | (Value::Int64(a), Value::Int64(b)) => a == b,
            (Value::Uint8(a), Value::Uint8(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::Time(a), Value::Time(b)) => a.unix_nanos() == b.unix_nanos(),
            (Value::Duration(a), Value::Duration(b)) => a == b,
            (Value::Month(a), Value::Month(b)) | (Value::Weekday(a), Value::Weekday(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            (Value::Func(a), Value::Func(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_type_names() {
        assert_eq!(Value::float_list([1.0]).go_type(), "[]float64");
        assert_eq!(Value::from_json(&serde_json::json!({"a": 1})).go_type(), "map[string]interface {}");
        assert_eq!(Value::Nil.go_type(), "<nil>");
    }

    #[test]
    fn percent_v() {
        let v = Value::from_json(&serde_json::json!({"b": [1, 2.5], "a": "x"}));
        assert_eq!(v.to_string(), "map[a:x b:[1 2.5]]");
        assert_eq!(Value::Float(1e21).to_string(), "1e+21");
    }

    #[test]
    fn base64() {
        assert_eq!(base64_std(b"hello"), "aGVsbG8=");
        assert_eq!(base64_std(b""), "");
        assert_eq!(base64_std(b"ab"), "YWI=");
    }
}
