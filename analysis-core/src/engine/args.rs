//! `{{args.x}}` substitution into metrics (`utils/template`, semantics §3.5).
//!
//! Argo substitutes into the JSON text of a whole metric, so every string is reachable: names,
//! durations, limits in string form, conditions and every provider field, map keys included.
//! Values are inserted Go-quoted (`strconv.Quote` without the quotes) and the JSON is parsed
//! back; the walk below does the same string by string.

use serde_json::Value as Json;

use crate::go::gofmt::quote;
use crate::spec::{Argument, Metric};

/// The placeholder value secret-backed arguments take while scheduling and assessing.
pub const SECRET_PLACEHOLDER: &str = "temp-for-secret";

/// An argument's name and the value to substitute (`None`: no value, which is an error at
/// substitution time even when no placeholder uses it).
pub type ArgValue = (String, Option<String>);

/// The argument values for scheduling and assessment: secret-backed arguments become
/// `temp-for-secret` (`getResolvedMetricsWithoutSecrets`).
pub fn values_without_secrets(args: &[Argument]) -> Vec<ArgValue> {
    args.iter()
        .map(|a| {
            let secret = a.value_from.as_ref().is_some_and(|v| v.secret_key_ref.is_some());
            let value = if secret { Some(SECRET_PLACEHOLDER.to_string()) } else { a.value.clone() };
            (a.name.clone(), value)
        })
        .collect()
}

/// The argument values for measuring: secret-backed arguments take the resolved secret
/// (`secretKeyRef` wins over `value` when both are set), looked up by `(secret name, key)`.
pub fn values_with_secrets(args: &[Argument], mut secret: impl FnMut(&str, &str) -> Option<String>) -> Vec<ArgValue> {
    args.iter()
        .map(|a| {
            let value = match a.value_from.as_ref().and_then(|v| v.secret_key_ref.as_ref()) {
                Some(r) => secret(&r.name, &r.key).or_else(|| a.value.clone()),
                None => a.value.clone(),
            };
            (a.name.clone(), value)
        })
        .collect()
}

/// `ResolveMetricArgs`: the metric with every `{{args.x}}` replaced.
pub fn resolve_metric(metric: &Metric, args: &[ArgValue]) -> Result<Metric, String> {
    for (name, value) in args {
        if value.is_none() {
            return Err(format!("argument \"{name}\" was not supplied"));
        }
    }
    // Most metrics have no placeholder: check the JSON text before walking a tree.
    let text = serde_json::to_string(metric).map_err(|e| e.to_string())?;
    if !text.contains("{{") {
        return Ok(metric.clone());
    }
    // Go never sees keys it does not know: substitute only into what Argo decoded.
    let mut known = metric.clone();
    known.unknown_fields.clear();
    known.provider.unknown.clear();
    let json = serde_json::to_value(&known).map_err(|e| e.to_string())?;
    let mut last_error = None;
    let resolved = substitute(&json, args, &mut last_error)?;
    if let Some(e) = last_error {
        return Err(e);
    }
    serde_json::from_value(resolved).map_err(|e| format!("json: {e}"))
}

/// Walks a JSON value in Argo's field order for a metric (Go struct order at the top level).
fn substitute(v: &Json, args: &[ArgValue], last_error: &mut Option<String>) -> Result<Json, String> {
    Ok(match v {
        Json::String(s) => Json::String(substitute_string(s, args, last_error)?),
        Json::Array(items) => {
            Json::Array(items.iter().map(|i| substitute(i, args, last_error)).collect::<Result<_, _>>()?)
        }
        Json::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| (metric_field_rank(k), (*k).clone()));
            let mut out = serde_json::Map::new();
            for k in keys {
                let new_key = substitute_string(k, args, last_error)?;
                out.insert(new_key, substitute(&map[k.as_str()], args, last_error)?);
            }
            Json::Object(out)
        }
        other => other.clone(),
    })
}

/// Go's field order of `Metric`, so that the last unresolved placeholder reported is the one
/// Argo reports.
fn metric_field_rank(key: &str) -> u8 {
    match key {
        "name" => 0,
        "interval" => 1,
        "initialDelay" => 2,
        "count" => 3,
        "successCondition" => 4,
        "failureCondition" => 5,
        "failureLimit" => 6,
        "inconclusiveLimit" => 7,
        "consecutiveErrorLimit" => 8,
        "provider" => 9,
        "consecutiveSuccessLimit" => 10,
        _ => 5,
    }
}

/// A piece of a text with placeholders (fasttemplate's view, `{{` / `}}` delimiters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Literal text.
    Text(&'a str),
    /// A `{{tag}}`: the raw text between the delimiters (Argo trims it before lookup).
    Tag(&'a str),
    /// A `{{` with no closing `}}`: the text after it.
    Unclosed(&'a str),
}

/// Splits a text into literal text and placeholders.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                out.push(Piece::Tag(&after[..end]));
                rest = &after[end + 2..];
            }
            None => {
                out.push(Piece::Unclosed(after));
                return out;
            }
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Substitutes inside one string as Argo does inside its JSON encoding.
fn substitute_string(s: &str, args: &[ArgValue], last_error: &mut Option<String>) -> Result<String, String> {
    if !s.contains("{{") {
        return Ok(s.to_string());
    }
    // The JSON-escaped text is what Go's template engine sees.
    let mut encoded = String::new();
    crate::go::json::write_string(&mut encoded, s);
    let template = &encoded[1..encoded.len() - 1];
    let mut out = String::with_capacity(template.len());
    for piece in pieces(template) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Unclosed(after) => {
                return Err(format!(
                    "Cannot find end tag=\"}}}}\" in the template=\"{template}\" starting from \"{after}\""
                ));
            }
            Piece::Tag(tag) => match args.iter().find(|(n, _)| tag.trim().strip_prefix("args.") == Some(n.as_str())) {
                Some((_, Some(value))) => {
                    let q = quote(value);
                    out.push_str(&q[1..q.len() - 1]);
                }
                _ => *last_error = Some(format!("failed to resolve {{{{{tag}}}}}")),
            },
        }
    }
    crate::go::json::unmarshal(&format!("\"{out}\"")).map_err(|e| format!("json: {e}")).map(|v| match v {
        Json::String(s) => s,
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(json: serde_json::Value) -> Metric {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn substitutes_everywhere() {
        let m = metric(serde_json::json!({
            "name": "rate", "count": "{{args.count}}",
            "successCondition": "result[0] >= {{ args.threshold }}",
            "provider": {"prometheus": {"query": "sum(rate(x{svc=\"{{args.svc}}\"}[5m]))"}}
        }));
        let args = vec![
            ("count".to_string(), Some("3".to_string())),
            ("threshold".to_string(), Some("0.95".to_string())),
            ("svc".to_string(), Some("pay\"ments".to_string())),
        ];
        let r = resolve_metric(&m, &args).unwrap();
        assert_eq!(r.success_condition, "result[0] >= 0.95");
        assert_eq!(r.count.as_ref().map(|c| c.value()), Some(3));
        assert_eq!(
            r.provider.prometheus.unwrap().query,
            "sum(rate(x{svc=\"pay\\\"ments\"}[5m]))".replace("\\\"", "\"")
        );
    }

    #[test]
    fn argo_errors() {
        let m = metric(
            serde_json::json!({"name": "m", "successCondition": "{{args.x}} > {{args.y}}", "provider": {"web": {"url": "u"}}}),
        );
        let none = vec![("x".to_string(), None)];
        assert_eq!(resolve_metric(&m, &none).unwrap_err(), "argument \"x\" was not supplied");
        let x = vec![("x".to_string(), Some("1".to_string()))];
        assert_eq!(resolve_metric(&m, &x).unwrap_err(), "failed to resolve {{args.y}}");
        let open =
            metric(serde_json::json!({"name": "m", "successCondition": "{{args.x", "provider": {"web": {"url": "u"}}}));
        assert!(resolve_metric(&open, &x).unwrap_err().starts_with("Cannot find end tag=\"}}\""));
    }
}
