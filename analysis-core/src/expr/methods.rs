//! Methods of the Go values a condition can hold: `time.Time`, `time.Duration`, `time.Month`
//! and `time.Weekday` (`now().Hour() < 18`, `duration(result).Hours() > 1`).
//!
//! expr reaches them through reflection; here each method has its Go signature (checked like
//! any function) and its Go behaviour.

use std::sync::Arc;

use super::error::RuntimeError;
use super::types::{FuncType, Type};
use super::value::Value;
use crate::go::duration::format_duration;
use crate::go::time::GoTime;

const NANOS_PER_SECOND: i128 = 1_000_000_000;
/// Seconds from January 1, year 1 (Go's zero time) to the Unix epoch.
const ZERO_TIME_UNIX: i128 = -62_135_596_800;

/// The Go signature of `recv.name`, when `recv`'s type has that method.
pub(crate) fn signature(recv: &Type, name: &str) -> Option<FuncType> {
    let f = |params: Vec<Type>, out: Type| FuncType { params, variadic: false, out: vec![out] };
    Some(match (recv, name) {
        (Type::Time, "Year" | "Day" | "Hour" | "Minute" | "Second" | "Nanosecond" | "YearDay") => f(vec![], Type::Int),
        (Type::Time, "Month") => f(vec![], Type::Month),
        (Type::Time, "Weekday") => f(vec![], Type::Weekday),
        (Type::Time, "Unix" | "UnixMilli" | "UnixMicro" | "UnixNano") => f(vec![], Type::Int64),
        (Type::Time, "String") => f(vec![], Type::String),
        (Type::Time, "Format") => f(vec![Type::String], Type::String),
        (Type::Time, "IsZero") => f(vec![], Type::Bool),
        (Type::Time, "Before" | "After" | "Equal") => f(vec![Type::Time], Type::Bool),
        (Type::Time, "Add") => f(vec![Type::Duration], Type::Time),
        (Type::Time, "Sub") => f(vec![Type::Time], Type::Duration),
        (Type::Time, "AddDate") => f(vec![Type::Int, Type::Int, Type::Int], Type::Time),
        (Type::Time, "Truncate" | "Round") => f(vec![Type::Duration], Type::Time),
        (Type::Time, "UTC" | "Local") => f(vec![], Type::Time),
        (Type::Time, "In") => f(vec![Type::Location], Type::Time),
        (Type::Time, "Location") => f(vec![], Type::Location),
        (Type::Duration, "Hours" | "Minutes" | "Seconds") => f(vec![], Type::Float),
        (Type::Duration, "Milliseconds" | "Microseconds" | "Nanoseconds") => f(vec![], Type::Int64),
        (Type::Duration, "Round" | "Truncate") => f(vec![Type::Duration], Type::Duration),
        (Type::Duration, "Abs") => f(vec![], Type::Duration),
        (Type::Duration | Type::Month | Type::Weekday, "String") => f(vec![], Type::String),
        _ => return None,
    })
}

fn time_arg(args: &[Value], i: usize) -> Result<&GoTime, RuntimeError> {
    match args.get(i) {
        Some(Value::Time(t)) => Ok(t),
        other => Err(super::builtins::conversion(other.unwrap_or(&Value::Nil), "time.Time")),
    }
}

fn duration_arg(args: &[Value], i: usize) -> Result<i64, RuntimeError> {
    match args.get(i) {
        Some(Value::Duration(d)) => Ok(*d),
        other => Err(super::builtins::conversion(other.unwrap_or(&Value::Nil), "time.Duration")),
    }
}

fn int_arg(args: &[Value], i: usize) -> Result<i64, RuntimeError> {
    args.get(i).and_then(Value::as_int).ok_or_else(|| RuntimeError::new("reflect: Call using argument of wrong type"))
}

/// Nanoseconds since Go's zero time (January 1, year 1, UTC).
fn since_zero(t: &GoTime) -> i128 {
    t.unix_nanos() - ZERO_TIME_UNIX * NANOS_PER_SECOND
}

fn from_since_zero(ns: i128, like: &GoTime) -> GoTime {
    GoTime::from_unix_nanos(ns + ZERO_TIME_UNIX * NANOS_PER_SECOND, like.location().clone())
}

/// Calls `recv.name(args...)`.
pub(crate) fn call(recv: &Value, name: &str, args: &[Value]) -> Result<Value, RuntimeError> {
    let time = |t: GoTime| Value::Time(Arc::new(t));
    Ok(match (recv, name) {
        (Value::Time(t), _) => match name {
            "Year" => Value::Int(t.year()),
            "Month" => Value::Month(t.month()),
            "Day" => Value::Int(i64::from(t.day())),
            "Hour" => Value::Int(i64::from(t.hour())),
            "Minute" => Value::Int(i64::from(t.minute())),
            "Second" => Value::Int(i64::from(t.second())),
            "Nanosecond" => Value::Int(i64::from(t.nanosecond())),
            "YearDay" => Value::Int(i64::from(t.year_day())),
            "Weekday" => Value::Weekday(t.weekday()),
            "Unix" => Value::Int64(t.unix_nanos().div_euclid(NANOS_PER_SECOND) as i64),
            "UnixMilli" => Value::Int64(t.unix_nanos().div_euclid(1_000_000) as i64),
            "UnixMicro" => Value::Int64(t.unix_nanos().div_euclid(1_000) as i64),
            "UnixNano" => Value::Int64(t.unix_nanos() as i64),
            "String" => Value::string(t.to_string()),
            "Format" => match args.first() {
                Some(Value::String(layout)) => Value::string(t.format(layout)),
                other => return Err(super::builtins::conversion(other.unwrap_or(&Value::Nil), "string")),
            },
            "IsZero" => Value::Bool(since_zero(t) == 0),
            "Before" => Value::Bool(t.unix_nanos() < time_arg(args, 0)?.unix_nanos()),
            "After" => Value::Bool(t.unix_nanos() > time_arg(args, 0)?.unix_nanos()),
            "Equal" => Value::Bool(t.unix_nanos() == time_arg(args, 0)?.unix_nanos()),
            "Add" => time(t.add(duration_arg(args, 0)?)),
            "Sub" => Value::Duration(t.sub(time_arg(args, 0)?)),
            "AddDate" => {
                let (y, m, d) = (int_arg(args, 0)?, int_arg(args, 1)?, int_arg(args, 2)?);
                time(GoTime::date(
                    t.year() + y,
                    i64::from(t.month()) + m,
                    i64::from(t.day()) + d,
                    i64::from(t.hour()),
                    i64::from(t.minute()),
                    i64::from(t.second()),
                    i64::from(t.nanosecond()),
                    t.location().clone(),
                ))
            }
            "Truncate" | "Round" => {
                let d = i128::from(duration_arg(args, 0)?);
                if d <= 0 {
                    time((**t).clone())
                } else {
                    let ns = since_zero(t);
                    let r = ns.rem_euclid(d);
                    let down = ns - r;
                    let rounded = if name == "Round" && r + r >= d { down + d } else { down };
                    time(from_since_zero(rounded, t))
                }
            }
            "UTC" => time(t.in_location(crate::go::time::Location::utc())),
            "Local" => time(t.in_location(crate::go::time::Location::local())),
            "In" => match args.first() {
                Some(Value::Location(l)) => time(t.in_location((**l).clone())),
                _ => return Err(RuntimeError::new("time: missing Location in call to Time.In")),
            },
            "Location" => Value::Location(Arc::new(t.location().clone())),
            _ => return Err(no_method(recv, name)),
        },
        (Value::Duration(d), _) => {
            let d = *d;
            match name {
                "Hours" => Value::Float((d / 3_600_000_000_000) as f64 + (d % 3_600_000_000_000) as f64 / 3.6e12),
                "Minutes" => Value::Float((d / 60_000_000_000) as f64 + (d % 60_000_000_000) as f64 / 6e10),
                "Seconds" => Value::Float((d / 1_000_000_000) as f64 + (d % 1_000_000_000) as f64 / 1e9),
                "Milliseconds" => Value::Int64(d / 1_000_000),
                "Microseconds" => Value::Int64(d / 1_000),
                "Nanoseconds" => Value::Int64(d),
                "String" => Value::string(format_duration(d)),
                "Abs" => Value::Duration(if d >= 0 {
                    d
                } else if d == i64::MIN {
                    i64::MAX
                } else {
                    -d
                }),
                "Truncate" => {
                    let m = duration_arg(args, 0)?;
                    Value::Duration(if m <= 0 { d } else { d - d % m })
                }
                "Round" => Value::Duration(round_duration(d, duration_arg(args, 0)?)),
                _ => return Err(no_method(recv, name)),
            }
        }
        (Value::Month(_) | Value::Weekday(_), "String") => Value::string(recv.to_string()),
        _ => return Err(no_method(recv, name)),
    })
}

/// Go's `Duration.Round`.
fn round_duration(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let mut r = d % m;
    if d < 0 {
        r = -r;
        if r + r < m {
            return d + r;
        }
        return d.checked_sub(m - r).unwrap_or(i64::MIN);
    }
    if r + r < m {
        return d - r;
    }
    d.checked_add(m - r).unwrap_or(i64::MAX)
}

fn no_method(recv: &Value, name: &str) -> RuntimeError {
    RuntimeError::new(format!("type {} has no method {name}", recv.go_type()))
}

/// Go's names of months and weekdays (`time.Month.String`, `time.Weekday.String`).
pub(crate) fn month_name(m: u8) -> String {
    crate::go::time::LONG_MONTH_NAMES
        .get(usize::from(m).wrapping_sub(1))
        .map_or_else(|| format!("%!Month({m})"), |n| (*n).to_string())
}

/// See [`month_name`].
pub(crate) fn weekday_name(d: u8) -> String {
    crate::go::time::LONG_DAY_NAMES.get(usize::from(d)).map_or_else(|| format!("%!Weekday({d})"), |n| (*n).to_string())
}
