//! The static shape a provider gives its result, as the conformance vectors, `augur eval` and
//! replay data name it. The shape decides how expr type-checks `result`.

use std::sync::Arc;

use crate::expr::{ElemType, List, Value};

/// How a provider types its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultType {
    /// One `float64` (Prometheus scalar, Datadog single value).
    Number,
    /// `[]float64` (Prometheus vector or matrix, Datadog groups).
    NumberList,
    /// A value decoded from JSON: objects and arrays hold dynamically typed members.
    Json,
    /// A raw string (a web body that is not JSON).
    String,
    /// A bool.
    Bool,
    /// A Go `int` (only upstream unit tests produce it).
    Int,
    /// No value.
    Null,
}

impl ResultType {
    /// The names accepted on the command line and in data files.
    pub const NAMES: &'static [&'static str] = &["number", "number_list", "json", "string", "bool", "int", "null"];

    /// Parses a name (`number_list`).
    pub fn from_name(s: &str) -> Option<ResultType> {
        Some(match s {
            "number" => ResultType::Number,
            "number_list" => ResultType::NumberList,
            "json" => ResultType::Json,
            "string" => ResultType::String,
            "bool" => ResultType::Bool,
            "int" => ResultType::Int,
            "null" => ResultType::Null,
            _ => return None,
        })
    }

    /// The type a provider would give `v` (decoded generically): numbers are `number`, lists
    /// of numbers (including the empty list) `number_list`, everything else `json`, null
    /// `null`.
    pub fn infer(v: &Value) -> ResultType {
        match v {
            Value::Float(_) | Value::Int(_) | Value::Int64(_) => ResultType::Number,
            Value::List(l) if l.items.iter().all(|i| matches!(i, Value::Float(_) | Value::Int(_))) => {
                ResultType::NumberList
            }
            Value::Nil => ResultType::Null,
            Value::Bool(_) => ResultType::Bool,
            Value::String(_) => ResultType::String,
            _ => ResultType::Json,
        }
    }

    /// Types a generically decoded value, or says why it does not fit.
    pub fn apply(self, v: Value) -> Result<Value, String> {
        let mismatch = |v: &Value| format!("a {} result cannot hold {}", self.name(), describe(v));
        Ok(match (self, v) {
            (ResultType::Json, v) => v,
            // Every provider can answer "no data".
            (_, Value::Nil) => Value::Nil,
            (ResultType::Number, Value::Float(f)) => Value::Float(f),
            (ResultType::Number, Value::Int(i)) => Value::Float(i as f64),
            (ResultType::Int, Value::Float(f)) if f.fract() == 0.0 && f.is_finite() => Value::Int(f as i64),
            (ResultType::Int, v @ Value::Int(_)) => v,
            (ResultType::Bool, v @ Value::Bool(_)) => v,
            (ResultType::String, v @ Value::String(_)) => v,
            (ResultType::NumberList, Value::List(l)) if l.elem == ElemType::Float => Value::List(l),
            (ResultType::NumberList, Value::List(l)) => {
                let mut items = Vec::with_capacity(l.items.len());
                for item in &l.items {
                    match item.as_f64() {
                        Some(f) => items.push(Value::Float(f)),
                        None => return Err(format!("a number_list result cannot hold the element {}", describe(item))),
                    }
                }
                Value::List(Arc::new(List { elem: ElemType::Float, items }))
            }
            (_, v) => return Err(mismatch(&v)),
        })
    }

    /// The name (`number_list`).
    pub fn name(self) -> &'static str {
        match self {
            ResultType::Number => "number",
            ResultType::NumberList => "number_list",
            ResultType::Json => "json",
            ResultType::String => "string",
            ResultType::Bool => "bool",
            ResultType::Int => "int",
            ResultType::Null => "null",
        }
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the string {}", crate::go::gofmt::quote(s)),
        Value::Nil => "null".into(),
        Value::List(_) => "a list".into(),
        Value::Map(_) => "an object".into(),
        other => format!("the value {other}"),
    }
}
