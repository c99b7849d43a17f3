//! Checks of `successCondition` / `failureCondition` against the results the metric's provider
//! can produce.

use crate::engine::args::{Piece, pieces};
use crate::expr::{CompileError, Condition, Value};
use crate::spec::{AnalysisTemplateSpec, Metric, ValueStyle, join_key};

use super::{Severity, Sink};

/// Result shapes a provider can hand to the conditions. `None`: conditions are not used
/// (Job) or are decided elsewhere (plugins), so only syntax is checked.
fn result_samples(m: &Metric) -> Option<Vec<Value>> {
    let p = &m.provider;
    let scalar = Value::Float(1.0);
    let vector = Value::float_list([1.0]);
    if p.prometheus.is_some() {
        return Some(vec![scalar, vector]);
    }
    if let Some(d) = &p.datadog {
        return Some(if d.api_version_or_default() == "v1" { vec![scalar] } else { vec![scalar, vector] });
    }
    if p.web.is_some() {
        let object: Value = serde_json::from_str(r#"{"a": 1}"#).unwrap_or_default();
        return Some(vec![object, Value::any_list(vec![]), Value::string("s"), scalar, Value::Bool(true)]);
    }
    if p.job.is_some() || p.plugin.is_some() {
        return None;
    }
    Some(vec![scalar, vector])
}

/// The condition with placeholders replaced by argument defaults (`0` when none), as Argo
/// would see it at run time.
fn substituted(text: &str, spec: &AnalysisTemplateSpec) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in pieces(text) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Unclosed(t) => {
                out.push_str("{{");
                out.push_str(t);
            }
            Piece::Tag(tag) => out.push_str(
                tag.trim()
                    .strip_prefix("args.")
                    .and_then(|n| spec.args.iter().find(|a| a.name == n))
                    .and_then(|a| a.value.as_deref())
                    .unwrap_or("0"),
            ),
        }
    }
    out
}

/// Where in the file byte `offset` of a condition's text is, when the text maps one-to-one
/// onto the source.
fn position(sink: &Sink<'_>, path: &str, text: &str, offset: usize) -> Option<(usize, usize)> {
    let (line, column) = sink.map().locate_value(path)?;
    let before = &text[..offset.min(text.len())];
    let lines = before.matches('\n').count();
    let last = before.rsplit('\n').next().unwrap_or("").chars().count();
    match sink.map().value_style(path)? {
        ValueStyle::Plain | ValueStyle::SingleQuoted | ValueStyle::DoubleQuoted if lines == 0 => {
            Some((line, column + last))
        }
        // Block lines all start at the block's indentation.
        ValueStyle::Literal => Some((line + lines, column + last)),
        _ => Some((line, column)),
    }
}

fn report(sink: &mut Sink<'_>, path: &str, text: &str, raw: &str, e: &CompileError, severity: Severity, note: &str) {
    // Offsets only map back onto the file when no placeholder changed the text.
    let at = if text == raw { position(sink, path, text, e.span.start) } else { None };
    let message = format!("{}{note}", e.message);
    match at {
        Some(at) => sink.at(severity, path, at, message),
        None => {
            if severity == Severity::Error {
                sink.error(path, message)
            } else {
                sink.warning(path, message)
            }
        }
    }
}

pub(super) fn lint_conditions(sink: &mut Sink<'_>, path: &str, m: &Metric, spec: &AnalysisTemplateSpec) {
    let samples = result_samples(m);
    let conditions = [("successCondition", &m.success_condition), ("failureCondition", &m.failure_condition)];
    if m.success_condition.is_empty()
        && m.failure_condition.is_empty()
        && m.provider.job.is_none()
        && m.provider.plugin.is_none()
    {
        sink.warning(
            path,
            "metric has neither successCondition nor failureCondition: every measurement that does not error is Successful",
        );
    }
    for (field, raw) in conditions {
        if raw.is_empty() {
            continue;
        }
        let cpath = join_key(path, field);
        if m.provider.job.is_some() {
            sink.warning(&cpath, "the Job provider ignores conditions: a Job that completes is Successful");
            continue;
        }
        let text = substituted(raw, spec);
        let condition = Condition::new(&text);
        if let Some(e) = condition.syntax_error() {
            report(sink, &cpath, &text, raw, e, Severity::Error, "");
            continue;
        }
        let Some(samples) = samples.as_ref() else { continue };
        let errors: Vec<CompileError> = samples.iter().filter_map(|s| condition.check(s).err()).collect();
        if errors.len() == samples.len() {
            let e = &errors[0];
            let note =
                if e.message.starts_with("unknown name") { "" } else { " (for every result this provider can return)" };
            report(sink, &cpath, &text, raw, e, Severity::Error, note);
            continue;
        }
        lint_traps(sink, &cpath, &text, &condition);
    }
}

/// Argo's condition traps (§11).
fn lint_traps(sink: &mut Sink<'_>, path: &str, text: &str, condition: &Condition) {
    for helper in ["isNil(", "default("] {
        let mut rest = text;
        while let Some(i) = rest.find(helper) {
            let preceded = rest[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
            let args = &rest[i + helper.len()..];
            let first = args.split([',', ')']).next().unwrap_or("").trim();
            if !preceded && first != "result" && !first.is_empty() {
                let name = &helper[..helper.len() - 1];
                sink.warning(
                    path,
                    format!(
                        "{name}({first}...) ignores its first argument: Argo's {name} looks at the whole result, not at {first}"
                    ),
                );
            }
            rest = args;
        }
    }
    if text.contains("isNil(") && condition.check(&Value::Nil).is_err() {
        sink.warning(
            path,
            "on a null result this condition is an Error, not a guard: expr rejects ordering on nil at compile time even behind `isNil(result) ||`; use default(result, x) or (result ?? x)",
        );
    }
}
