//! `intstr.IntOrString`: `count` and the metric limits.

use std::fmt;

use serde::de::{self, Unexpected, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Kubernetes' `intstr.IntOrString`: a JSON integer or a JSON string (so that `count` and the
/// limits can be filled from `{{args.x}}`). It serializes back in the form it was read.
///
/// Deserialization follows Go's `IntOrString.UnmarshalJSON`: an integer must fit Go's `int32`
/// (`IntVal`), anything but an integer or a string is an error. One leniency: a float with no
/// fractional part (`1.0`) is read as that integer, because `kubectl` turns YAML `1.0` into the
/// JSON number `1` before the API server sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IntOrString {
    /// The integer form.
    Int(i64),
    /// The string form, kept verbatim.
    String(String),
}

impl IntOrString {
    /// Argo's conversion (`IntOrString.IntValue()`): the integer form as is; the string form
    /// through Go's `strconv.Atoi` of the whole string with the error ignored, so anything
    /// unparsable (`"abc"`, `" 3"`, `"3.5"`, `""`, `"temp-for-secret"`) is silently 0. A
    /// leading `+` or `-` is accepted; a decimal number beyond the 64-bit range saturates to
    /// `i64::MAX` / `i64::MIN`, as Go's `Atoi` returns it together with its range error.
    pub fn value(&self) -> i64 {
        match self {
            IntOrString::Int(i) => *i,
            IntOrString::String(s) => go_atoi(s),
        }
    }

    /// True for the string form.
    pub fn is_string(&self) -> bool {
        matches!(self, IntOrString::String(_))
    }
}

/// Go's `strconv.Atoi(s)` with the error discarded.
fn go_atoi(s: &str) -> i64 {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    let mut n: i128 = 0;
    for b in digits.bytes() {
        n = n * 10 + i128::from(b - b'0');
        if n > i128::from(i64::MAX) + 1 {
            break;
        }
    }
    if neg { i64::try_from(-n).unwrap_or(i64::MIN) } else { i64::try_from(n).unwrap_or(i64::MAX) }
}

impl fmt::Display for IntOrString {
    /// Go's `IntOrString.String()`: the integer in decimal, or the string as is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrString::Int(i) => write!(f, "{i}"),
            IntOrString::String(s) => f.write_str(s),
        }
    }
}

impl From<i32> for IntOrString {
    fn from(i: i32) -> Self {
        IntOrString::Int(i64::from(i))
    }
}

impl From<i64> for IntOrString {
    fn from(i: i64) -> Self {
        IntOrString::Int(i)
    }
}

impl From<&str> for IntOrString {
    fn from(s: &str) -> Self {
        IntOrString::String(s.to_owned())
    }
}

impl From<String> for IntOrString {
    fn from(s: String) -> Self {
        IntOrString::String(s)
    }
}

impl Serialize for IntOrString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            IntOrString::Int(i) => serializer.serialize_i64(*i),
            IntOrString::String(s) => serializer.serialize_str(s),
        }
    }
}

struct IntOrStringVisitor;

const INT32_EXPECTED: &str = "an integer in the 32-bit range (-2147483648 to 2147483647) or a string";

impl Visitor<'_> for IntOrStringVisitor {
    type Value = IntOrString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrString, E> {
        if i32::try_from(v).is_ok() {
            Ok(IntOrString::Int(v))
        } else {
            Err(E::invalid_value(Unexpected::Signed(v), &INT32_EXPECTED))
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrString, E> {
        match i32::try_from(v) {
            Ok(i) => Ok(IntOrString::Int(i64::from(i))),
            Err(_) => Err(E::invalid_value(Unexpected::Unsigned(v), &INT32_EXPECTED)),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<IntOrString, E> {
        if v.is_finite() && v.fract() == 0.0 && v >= f64::from(i32::MIN) && v <= f64::from(i32::MAX) {
            // Exact: the range check above bounds the value.
            Ok(IntOrString::Int(v as i64))
        } else {
            Err(E::invalid_type(Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrString, E> {
        Ok(IntOrString::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<IntOrString, E> {
        Ok(IntOrString::String(v))
    }
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<IntOrString, D::Error> {
        deserializer.deserialize_any(IntOrStringVisitor)
    }
}
