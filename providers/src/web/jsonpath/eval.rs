//! client-go's JSONPath evaluation (`util/jsonpath/jsonpath.go`) over a decoded JSON body.
//!
//! Every step maps the current list of values to the next one. JSON `null` inputs are
//! skipped by field, index, wildcard and recursive steps (client-go's `template.Indirect`
//! reports them as nil).

use jsonpath_rust::query::js_path_process;
use serde_json::Value;

use super::parse::{Node, Param, Step};

/// JSON `null`: the document a range body is evaluated on when the range selects nothing.
static NULL: Value = Value::Null;

/// The values one top-level node produces from `doc`.
pub(super) fn node<'a>(n: &'a Node, doc: &'a Value) -> Result<Vec<&'a Value>, String> {
    match n {
        Node::Text(text) => Ok(vec![text]),
        Node::Action(steps) => action(steps, doc),
        Node::Range(steps, body) => {
            let values = action(steps, doc)?;
            if values.is_empty() {
                // client-go evaluates the body on nil when the range selects nothing, so its
                // errors are reported then too.
                for b in body {
                    node(b, &NULL)?;
                }
                return Ok(Vec::new());
            }
            let mut out = Vec::new();
            for d in values {
                for b in body {
                    out.extend(node(b, d)?);
                }
            }
            Ok(out)
        }
    }
}

fn action<'a>(steps: &'a [Step], doc: &'a Value) -> Result<Vec<&'a Value>, String> {
    let mut current = vec![doc];
    for s in steps {
        current = step(s, current)?;
    }
    Ok(current)
}

fn step<'a>(step: &'a Step, input: Vec<&'a Value>) -> Result<Vec<&'a Value>, String> {
    match step {
        Step::Field(name) => field(name, &input),
        Step::Wildcard => Ok(input.iter().flat_map(|v| children(v)).collect()),
        Step::Recursive => Ok(recursive(&input)),
        Step::Slice(params) => slice(*params, &input),
        Step::Filter(query) => {
            let mut out = Vec::new();
            for v in input {
                if !v.is_array() {
                    return Err(format!("{} is not array or slice and cannot be filtered", go_print(v)));
                }
                out.extend(rfc(query, v)?);
            }
            Ok(out)
        }
        Step::Union(query) => {
            let mut out = Vec::new();
            for v in input.into_iter().filter(|v| !v.is_null()) {
                out.extend(rfc(query, v)?);
            }
            Ok(out)
        }
        Step::Literal(value) => Ok(vec![value; input.len()]),
        Step::Identifier(name) if name == "end" => Err("not in range, nothing to end".into()),
        Step::Identifier(name) => Err(format!("unrecognized identifier {name}")),
    }
}

/// Runs a compiled RFC 9535 query on `v`.
fn rfc<'a>(query: &jsonpath_rust::parser::model::JpQuery, v: &'a Value) -> Result<Vec<&'a Value>, String> {
    js_path_process(query, v).map(|refs| refs.into_iter().map(|r| r.val()).collect()).map_err(|e| e.to_string())
}

/// client-go `evalField`: a field that no input has is an error, unless there is no input.
fn field<'a>(name: &str, input: &[&'a Value]) -> Result<Vec<&'a Value>, String> {
    if input.is_empty() {
        return Ok(Vec::new());
    }
    let out: Vec<&Value> = input.iter().filter_map(|v| v.as_object().and_then(|o| o.get(name))).collect();
    if out.is_empty() {
        return Err(format!("{name} is not found"));
    }
    Ok(out)
}

/// The members of an object or the elements of an array (nothing for anything else).
fn children(v: &Value) -> Vec<&Value> {
    match v {
        Value::Object(o) => o.values().collect(),
        Value::Array(a) => a.iter().collect(),
        _ => Vec::new(),
    }
}

/// client-go `evalRecursive`: every input that has children, then its descendants that have
/// children, depth first (iteratively: documents may nest 10,000 deep).
fn recursive<'a>(input: &[&'a Value]) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = input.iter().rev().copied().collect();
    while let Some(v) = stack.pop() {
        let kids = children(v);
        if kids.is_empty() {
            continue;
        }
        out.push(v);
        stack.extend(kids.into_iter().rev());
    }
    out
}

/// client-go `evalArray`: indexes and slices, with its bounds errors.
fn slice<'a>(node: [Param; 3], input: &[&'a Value]) -> Result<Vec<&'a Value>, String> {
    let mut out = Vec::new();
    for v in input {
        let items = match v {
            Value::Null => continue,
            Value::Array(a) => a,
            other => return Err(format!("{} is not array or slice", go_type(other))),
        };
        let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let mut p = node;
        if !p[0].known {
            p[0].value = 0;
        }
        if p[0].value < 0 {
            p[0].value += len;
        }
        if !p[1].known {
            p[1].value = len;
        }
        if p[1].value < 0 || (p[1].value == 0 && p[1].derived) {
            p[1].value += len;
        }
        if p[1].value == p[0].value {
            // Zero elements requested: client-go returns what it has so far.
            return Ok(out);
        }
        if p[0].value >= len || p[0].value < 0 {
            return Err(format!("array index out of bounds: index {}, length {len}", p[0].value));
        }
        if p[1].value > len || p[1].value < 0 {
            return Err(format!("array index out of bounds: index {}, length {len}", p[1].value - 1));
        }
        if p[0].value > p[1].value {
            return Err(format!("starting index {} is greater than ending index {}", p[0].value, p[1].value));
        }
        let step = if p[2].known {
            if p[2].value <= 0 {
                return Err("step must be > 0".into());
            }
            p[2].value
        } else {
            1
        };
        // The bounds were checked above, so the conversions are exact.
        let (from, to) = (p[0].value as usize, p[1].value as usize);
        out.extend(items[from..to].iter().step_by(step as usize));
    }
    Ok(out)
}

/// The Go type of a decoded JSON value, as client-go's errors print it.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// A short stand-in for Go's `%v` of a value in filter errors: scalars as Go prints them,
/// containers by type (their full `%v` could be megabytes).
fn go_print(v: &Value) -> String {
    match v {
        Value::Null => "<invalid reflect.Value>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => go_type(other).into(),
    }
}
