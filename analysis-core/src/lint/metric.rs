//! Checks of a spec's metrics, arguments and rules (semantics §2, §3.5, §11).

use std::collections::{BTreeSet, HashSet};

use super::{SpecKind, conditions};
use crate::engine::args::{Piece, pieces};
use crate::engine::metric_rules::effective_count;
use crate::go::duration::parse_duration;
use crate::spec::{AnalysisTemplateSpec, IntOrString, Metric, join_index, join_key};

use super::Sink;

const METRIC_FIELDS: &[&str] = &[
    "name",
    "interval",
    "initialDelay",
    "count",
    "successCondition",
    "failureCondition",
    "failureLimit",
    "inconclusiveLimit",
    "consecutiveErrorLimit",
    "provider",
    "consecutiveSuccessLimit",
];

const PROVIDERS: &[&str] = &[
    "prometheus",
    "kayenta",
    "web",
    "datadog",
    "wavefront",
    "newRelic",
    "job",
    "cloudWatch",
    "graphite",
    "influxdb",
    "skywalking",
    "plugin",
];

/// Levenshtein distance, for "did you mean" hints.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// ` (did you mean 'k'?)` for the known name closest to `word` (within 3 edits), or "".
pub fn suggestion(word: &str, known: &[&str]) -> String {
    known
        .iter()
        .map(|k| (distance(&word.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| format!(" (did you mean '{k}'?)"))
        .unwrap_or_default()
}

fn has_placeholder(v: &Option<IntOrString>) -> bool {
    matches!(v, Some(IntOrString::String(s)) if s.contains("{{"))
}

/// Placeholders (`{{args.x}}`) in a text, as the names after `args.` (or the raw tag).
fn placeholders(text: &str) -> Vec<String> {
    pieces(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Tag(t) => Some(t.trim().to_string()),
            Piece::Unclosed(t) => Some(t.to_string()),
            Piece::Text(_) => None,
        })
        .collect()
}

/// Every string in a metric's JSON form with its field path, for placeholder checks.
fn strings(v: &serde_json::Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::String(s) => out.push((path.to_string(), s.clone())),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                strings(x, &join_index(path, i), out);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                if k.contains("{{") {
                    out.push((path.to_string(), k.clone()));
                }
                strings(x, &join_key(path, k), out);
            }
        }
        _ => {}
    }
}

pub(super) fn lint_spec(sink: &mut Sink<'_>, spec: &AnalysisTemplateSpec, kind: SpecKind) {
    let prefix = "spec";
    for key in spec.unknown_fields.keys() {
        let path = join_key(prefix, key);
        let hint = suggestion(key, &["metrics", "args", "dryRun", "measurementRetention", "templates"]);
        sink.warning(&path, format!("unknown field '{key}' is ignored by Argo{hint}"));
    }
    lint_args(sink, spec, kind);
    if spec.metrics.is_empty() && spec.templates.is_empty() {
        sink.error(&join_key(prefix, "metrics"), "no metrics specified");
    }
    let mut seen = HashSet::new();
    for (i, m) in spec.metrics.iter().enumerate() {
        let path = join_index(&join_key(prefix, "metrics"), i);
        if !seen.insert(m.name.clone()) {
            sink.error(&join_key(&path, "name"), format!("metrics[{i}]: duplicate name '{}'", m.name));
        }
        lint_metric(sink, &path, i, m, spec);
    }
    let dry_run: Vec<&str> = spec.dry_run.iter().map(|r| r.metric_name.as_str()).collect();
    let retention: Vec<&str> = spec.measurement_retention.iter().map(|r| r.metric_name.as_str()).collect();
    for (name, patterns) in [("dryRun", dry_run), ("measurementRetention", retention)] {
        for (k, pattern) in patterns.iter().enumerate() {
            let path = join_key(&join_index(&join_key(prefix, name), k), "metricName");
            match regex::Regex::new(pattern) {
                Err(_) => sink.error(
                    &path,
                    format!(
                        "{name}[{k}]: Rule didn't match any metric name(s): {pattern:?} is not a valid regular expression{}",
                        if pattern.trim() == "*" { " (match every metric with '.*')" } else { "" }
                    ),
                ),
                Ok(re) => {
                    if !spec.metrics.is_empty() && !spec.metrics.iter().any(|m| re.is_match(&m.name)) {
                        sink.error(&path, format!("{name}[{k}]: Rule didn't match any metric name(s)"));
                    } else if !pattern.starts_with('^') && !spec.metrics.is_empty() {
                        let names: Vec<&str> =
                            spec.metrics.iter().filter(|m| re.is_match(&m.name)).map(|m| m.name.as_str()).collect();
                        if names.len() > 1 && !pattern.contains(".*") {
                            sink.warning(
                                &path,
                                format!(
                                    "the rule is an unanchored regular expression and matches {} metrics ({}); anchor it (^name$) to select one",
                                    names.len(),
                                    names.join(", ")
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
}

fn lint_args(sink: &mut Sink<'_>, spec: &AnalysisTemplateSpec, kind: SpecKind) {
    let mut names = BTreeSet::new();
    for (i, a) in spec.args.iter().enumerate() {
        let path = join_index("spec.args", i);
        if !names.insert(a.name.clone()) {
            sink.error(&join_key(&path, "name"), format!("argument '{}' is declared twice", a.name));
        }
        let from = a.value_from.as_ref();
        if a.value.is_some() && from.is_some() {
            sink.error(&path, format!("argument '{}' has both value and valueFrom; Argo rejects this", a.name));
        }
        if from.is_some_and(|f| f.field_ref.is_some() && f.secret_key_ref.is_none()) {
            sink.warning(
                &join_key(&path, "valueFrom.fieldRef"),
                format!(
                    "argument '{}': the analysis controller never resolves fieldRef; only a Rollout's own args can use it",
                    a.name
                ),
            );
        }
        if a.value.is_none() && from.is_none() {
            match kind {
                SpecKind::Run => sink.error(&path, format!("argument \"{}\" was not supplied", a.name)),
                SpecKind::Template => {}
            }
        }
    }
    // Every placeholder must name a declared argument (Argo fails the run otherwise).
    for (i, m) in spec.metrics.iter().enumerate() {
        let mut json = serde_json::to_value(m).unwrap_or_default();
        if let Some(o) = json.as_object_mut() {
            for k in m.unknown_fields.keys() {
                o.remove(k);
            }
        }
        let mut found = Vec::new();
        strings(&json, &join_index("spec.metrics", i), &mut found);
        for (path, text) in found {
            for tag in placeholders(&text) {
                match tag.strip_prefix("args.") {
                    Some(name) if names.contains(name) => {}
                    Some(name) => sink.error(
                        &path,
                        format!("failed to resolve {{{{{tag}}}}}: no argument named '{name}' is declared"),
                    ),
                    None => sink.error(
                        &path,
                        format!("failed to resolve {{{{{tag}}}}}: only {{{{args.<name>}}}} placeholders are allowed"),
                    ),
                }
            }
        }
    }
}

fn lint_metric(sink: &mut Sink<'_>, path: &str, i: usize, m: &Metric, spec: &AnalysisTemplateSpec) {
    let at = |field: &str| join_key(path, field);
    let prefix = format!("metrics[{i}]: ");
    for key in m.unknown_fields.keys() {
        sink.warning(&at(key), format!("unknown field '{key}' is ignored by Argo{}", suggestion(key, METRIC_FIELDS)));
    }
    if m.name.is_empty() {
        sink.error(&at("name"), format!("{prefix}a metric needs a name"));
    }
    let value = |v: &Option<IntOrString>| v.as_ref().map_or(0, IntOrString::value);
    for (field, v) in [
        ("count", &m.count),
        ("failureLimit", &m.failure_limit),
        ("inconclusiveLimit", &m.inconclusive_limit),
        ("consecutiveErrorLimit", &m.consecutive_error_limit),
        ("consecutiveSuccessLimit", &m.consecutive_success_limit),
    ] {
        if let Some(IntOrString::String(s)) = v
            && !s.contains("{{")
            && s.parse::<i64>().is_err()
        {
            sink.warning(&at(field), format!("{s:?} is not an integer: Argo silently reads it as 0"));
        }
    }
    let templated =
        [&m.count, &m.failure_limit, &m.inconclusive_limit, &m.consecutive_error_limit, &m.consecutive_success_limit]
            .iter()
            .any(|v| has_placeholder(v));
    let (count, f, s, inc) =
        (value(&m.count), value(&m.failure_limit), value(&m.consecutive_success_limit), value(&m.inconclusive_limit));
    if !templated {
        if s < 0 {
            sink.error(&at("consecutiveSuccessLimit"), format!("{prefix}consecutiveSuccessLimit must be >= 0"));
        }
        if f < -1 {
            sink.error(&at("failureLimit"), format!("{prefix}failureLimit must be >= 0, or -1 to be disabled"));
        }
        if s == 0 && f == -1 {
            sink.error(
                &at("failureLimit"),
                format!("{prefix}failureLimit and consecutiveSuccessLimit cannot both be disabled"),
            );
        }
        if inc < 0 {
            sink.error(&at("inconclusiveLimit"), format!("{prefix}inconclusiveLimit must be >= 0"));
        }
        if m.consecutive_error_limit.as_ref().is_some_and(|c| c.value() < 0) {
            sink.error(&at("consecutiveErrorLimit"), format!("{prefix}consecutiveErrorLimit must be >= 0"));
        }
        if count > 0 {
            if f >= 0 && count < f + s {
                sink.error(
                    &at("count"),
                    format!(
                        "{prefix}count ({count}) must be >= failureLimit + consecutiveSuccessLimit ({f} + {s}) if both >= 0"
                    ),
                );
            } else if f < 0 && count < s {
                sink.error(&at("count"), format!("{prefix}count must be >= consecutiveSuccessLimit"));
            }
            if count < inc {
                sink.error(&at("count"), format!("{prefix}count must be >= inconclusiveLimit"));
            }
            if f >= count && s == 0 {
                sink.warning(
                    &at("failureLimit"),
                    format!(
                        "failureLimit ({f}) >= count ({count}): failureLimit counts tolerated failures, so this metric can never fail"
                    ),
                );
            }
        }
        if count < 0 {
            sink.warning(
                &at("count"),
                format!("count ({count}) is negative: Argo passes it and takes exactly one measurement"),
            );
        }
        if count > 1 && m.interval.is_empty() {
            sink.error(&at("count"), format!("{prefix}interval must be specified when count > 1"));
        }
    }
    for (field, text, what) in [("interval", &m.interval, "interval"), ("initialDelay", &m.initial_delay, "startDelay")]
    {
        if !text.is_empty()
            && !text.contains("{{")
            && let Err(e) = parse_duration(text)
        {
            sink.error(&at(field), format!("{prefix}invalid {what} string: {e}"));
        }
    }
    if !templated && !m.interval.is_empty() && effective_count(m).is_none() {
        sink.warning(
            &at("interval"),
            "interval without count runs indefinitely, until the run is terminated or a limit is hit; Rollout step and pre/post-promotion analyses reject it",
        );
    }
    let providers = m.provider.kinds();
    for key in m.provider.unknown.keys() {
        sink.error(
            &join_key(&at("provider"), key),
            format!("unknown provider '{key}': Argo ignores it{}", suggestion(key, PROVIDERS)),
        );
    }
    let known = providers.len() - m.provider.unknown.len();
    match known {
        0 => sink.error(&at("provider"), format!("{prefix}no provider specified")),
        1 => {}
        _ => sink.error(&at("provider"), format!("{prefix}multiple providers specified")),
    }
    if let Some(p) = &m.provider.prometheus
        && p.timeout == Some(0)
    {
        sink.warning(
            &join_key(&join_key(&at("provider"), "prometheus"), "timeout"),
            "timeout: 0 gives every query an already-expired deadline, so every measurement is an Error (omit it for the 30 s default)",
        );
    }
    if let Some(p) = &m.provider.prometheus {
        for arg in secret_args_in(&p.query, spec) {
            sink.warning(
                &join_key(&join_key(&at("provider"), "prometheus"), "query"),
                format!(
                    "the query uses secret-backed argument '{arg}': Argo stores the resolved query, secret included, in the AnalysisRun's status (metadata.ResolvedPrometheusQuery), readable by anyone who can read AnalysisRuns (augur redacts it); pass secrets in headers instead"
                ),
            );
        }
    }
    if let Some(job) = &m.provider.job
        && job.spec.get("activeDeadlineSeconds").is_none()
    {
        sink.warning(
            &join_key(&at("provider"), "job"),
            "the Job has no spec.activeDeadlineSeconds: a Job that never finishes keeps its measurement Running for ever (no limit applies to it); set a deadline",
        );
    }
    lint_provider_config(sink, &at("provider"), &prefix, m);
    conditions::lint_conditions(sink, path, m, spec);
}

/// The configuration errors Argo's Datadog and web providers report when they are built
/// (every measurement would be an Error), unless placeholders make them unknowable here.
fn lint_provider_config(sink: &mut Sink<'_>, path: &str, prefix: &str, m: &Metric) {
    if let Some(dd) = &m.provider.datadog
        && !has_placeholders(&**dd)
        && let Err(e) = dd.check()
    {
        sink.error(&join_key(path, "datadog"), format!("{prefix}{e}"));
    }
    if let Some(web) = &m.provider.web
        && !has_placeholders(&web.authentication)
        && let Err(e) = web.check()
    {
        sink.error(&join_key(path, "web.authentication.oauth2"), format!("{prefix}{e}"));
    }
}

/// Whether any string in `v` holds a placeholder (its checks then wait for the run).
fn has_placeholders<T: serde::Serialize>(v: &T) -> bool {
    serde_json::to_string(v).is_ok_and(|j| j.contains("{{"))
}

/// The secret-backed arguments (`valueFrom.secretKeyRef`) whose placeholder appears in `text`.
fn secret_args_in<'a>(text: &str, spec: &'a AnalysisTemplateSpec) -> Vec<&'a str> {
    spec.args
        .iter()
        .filter(|a| a.value_from.as_ref().is_some_and(|v| v.secret_key_ref.is_some()))
        .filter(|a| {
            text.contains(&format!("{{{{args.{}}}}}", a.name)) || text.contains(&format!("{{{{ args.{} }}}}", a.name))
        })
        .map(|a| a.name.as_str())
        .collect()
}
