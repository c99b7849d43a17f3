//! The environment Argo Rollouts compiles every condition against: `result` plus six helper
//! functions (`utils/evaluate/evaluate.go`).
//!
//! Two of them are traps that Argo users rely on: `isNil(x)` and `default(x, d)` ignore `x`
//! and look at the whole `result`. They are reproduced, and `augur lint` warns about them.

use super::error::RuntimeError;
use super::types::Type;
use super::value::Value;
use crate::go::gofmt::quote;

/// A function of Argo's condition environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnvFn {
    AsInt,
    AsFloat,
    IsNaN,
    IsInf,
    IsNil,
    Default,
}

impl EnvFn {
    pub fn lookup(name: &str) -> Option<EnvFn> {
        Some(match name {
            "asInt" => EnvFn::AsInt,
            "asFloat" => EnvFn::AsFloat,
            "isNaN" => EnvFn::IsNaN,
            "isInf" => EnvFn::IsInf,
            "isNil" => EnvFn::IsNil,
            "default" => EnvFn::Default,
            _ => return None,
        })
    }

    /// The Go signature expr's checker sees.
    pub fn signature(self) -> Type {
        match self {
            EnvFn::AsInt => Type::func(vec![Type::Any], Type::Int64),
            EnvFn::AsFloat => Type::func(vec![Type::Any], Type::Float),
            EnvFn::IsNaN | EnvFn::IsInf => Type::func(vec![Type::Float], Type::Bool),
            EnvFn::IsNil => Type::func(vec![Type::Any], Type::Bool),
            EnvFn::Default => Type::func(vec![Type::Any, Type::Any], Type::Any),
        }
    }

    /// Calls the function; `result` is the measurement's whole result.
    pub fn call(self, args: &[Value], result: &Value) -> Result<Value, RuntimeError> {
        let arg = |i: usize| args.get(i).unwrap_or(&Value::Nil);
        match self {
            EnvFn::AsInt => as_int(arg(0)).map(Value::Int64),
            EnvFn::AsFloat => as_float(arg(0)).map(Value::Float),
            EnvFn::IsNaN => expect_float(arg(0)).map(|f| Value::Bool(f.is_nan())),
            EnvFn::IsInf => expect_float(arg(0)).map(|f| Value::Bool(f.is_infinite())),
            EnvFn::IsNil => Ok(Value::Bool(result.is_nil())),
            EnvFn::Default => Ok(if result.is_nil() { arg(1).clone() } else { result.clone() }),
        }
    }
}

/// A typed Go call's argument conversion (`arg.(float64)`), which panics on any other type.
fn expect_float(v: &Value) -> Result<f64, RuntimeError> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Nil => Err(RuntimeError::new("interface conversion: interface {} is nil, not float64")),
        other => {
            Err(RuntimeError::new(format!("interface conversion: interface {{}} is {}, not float64", other.go_type())))
        }
    }
}

/// Go's `int64(f)` on amd64: truncation, and the "indefinite integer" for NaN and overflow.
pub(crate) fn go_f64_to_i64(f: f64) -> i64 {
    if f.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

fn as_int(v: &Value) -> Result<i64, RuntimeError> {
    match v {
        Value::Float(f) => Ok(go_f64_to_i64(*f)),
        Value::Int(i) | Value::Int64(i) => Ok(*i),
        Value::Uint8(u) => Ok(i64::from(*u)),
        Value::String(s) => parse_int(s).map_err(RuntimeError::new),
        other => Err(RuntimeError::new(format!("asInt() not supported on {} {other}", other.go_type()))),
    }
}

fn as_float(v: &Value) -> Result<f64, RuntimeError> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) | Value::Int64(i) => Ok(*i as f64),
        Value::Uint8(u) => Ok(f64::from(*u)),
        Value::String(s) => parse_float(s).map_err(RuntimeError::new),
        other => Err(RuntimeError::new(format!("asFloat() not supported on {} {other}", other.go_type()))),
    }
}

/// Go's `strconv.ParseInt(s, 10, 64)`, with its error text.
pub(crate) fn parse_int(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let fail = |why: &str| format!("strconv.ParseInt: parsing {}: {why}", quote(s));
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail("invalid syntax"));
    }
    s.parse::<i64>().map_err(|_| fail("value out of range"))
}

/// Go's `strconv.ParseFloat(s, 64)`, with its error text: decimal and hexadecimal forms,
/// `Inf`/`Infinity`/`NaN` in any case, `_` only between digits of a prefixed number.
pub(crate) fn parse_float(s: &str) -> Result<f64, String> {
    let fail = |why: &str| format!("strconv.ParseFloat: parsing {}: {why}", quote(s));
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity") {
        return Ok(if s.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if lower == "nan" {
        // Go accepts a sign only on infinities.
        return if body.len() == s.len() { Ok(f64::NAN) } else { Err(fail("invalid syntax")) };
    }
    if s.contains('_') && !underscore_ok(s) {
        return Err(fail("invalid syntax"));
    }
    if let Some(hex) = lower.strip_prefix("0x") {
        // A hexadecimal mantissa requires a `p` exponent.
        if !hex.contains('p') {
            return Err(fail("invalid syntax"));
        }
        return parse_hex_float(s, hex).ok_or_else(|| fail("invalid syntax"));
    }
    let digits: String = s.chars().filter(|c| *c != '_').collect();
    let body = digits.strip_prefix(['+', '-']).unwrap_or(&digits);
    let valid = !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && body.bytes().any(|b| b.is_ascii_digit());
    if !valid {
        return Err(fail("invalid syntax"));
    }
    match digits.parse::<f64>() {
        Ok(f) if f.is_infinite() => Err(fail("value out of range")),
        Ok(f) => Ok(f),
        Err(_) => Err(fail("invalid syntax")),
    }
}

/// Go's `underscoreOK`: underscores only between digits (or after a base prefix).
fn underscore_ok(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if s.len() >= 2 && s[0] == b'0' && matches!(s[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = s[1].eq_ignore_ascii_case(&b'x');
    }
    while i < s.len() {
        let c = s[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// `0x1.8p3`-style floats (the part after `0x`, lowercased); `None` when malformed.
fn parse_hex_float(original: &str, hex: &str) -> Option<f64> {
    let negative = original.starts_with('-');
    let hex = hex.replace('_', "");
    let (mantissa, exp) = match hex.split_once('p') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().ok()?),
        None => (hex.clone(), 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((&mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int_part.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    let v = value * 2f64.powi(exp);
    Some(if negative { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_int_follows_argo() {
        assert_eq!(as_int(&Value::Float(3.7)).unwrap(), 3);
        assert_eq!(as_int(&Value::Float(-1.9)).unwrap(), -1);
        assert_eq!(as_int(&Value::string("1")).unwrap(), 1);
        assert_eq!(
            as_int(&Value::string("1.1")).unwrap_err().message,
            "strconv.ParseInt: parsing \"1.1\": invalid syntax"
        );
        assert_eq!(as_int(&Value::Bool(true)).unwrap_err().message, "asInt() not supported on bool true");
        assert_eq!(as_int(&Value::Nil).unwrap_err().message, "asInt() not supported on <nil> <nil>");
    }

    #[test]
    fn as_float_follows_go() {
        assert!(as_float(&Value::string("NaN")).unwrap().is_nan());
        assert_eq!(as_float(&Value::string("-Inf")).unwrap(), f64::NEG_INFINITY);
        assert_eq!(as_float(&Value::string("1.5")).unwrap(), 1.5);
        assert_eq!(as_float(&Value::string("0x1p-2")).unwrap(), 0.25);
        assert_eq!(
            as_float(&Value::string("NotANum")).unwrap_err().message,
            "strconv.ParseFloat: parsing \"NotANum\": invalid syntax"
        );
        assert_eq!(
            as_float(&Value::string("1e400")).unwrap_err().message,
            "strconv.ParseFloat: parsing \"1e400\": value out of range"
        );
        assert!(as_float(&Value::string(" 1")).is_err());
    }

    #[test]
    fn typed_calls_reject_other_types() {
        assert_eq!(
            expect_float(&Value::string("x")).unwrap_err().message,
            "interface conversion: interface {} is string, not float64"
        );
    }
}
