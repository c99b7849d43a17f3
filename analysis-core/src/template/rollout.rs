//! What the Rollout controller rejects about referenced templates before it creates a run
//! (`pkg/apis/rollouts/validation/validation_references.go`: `ValidateAnalysisTemplateWithType`,
//! `validateAnalysisMetrics`, `setArgValuePlaceHolder`; semantics §2 end).

use super::TemplateError;
use crate::engine::args::{self, ArgValue};
use crate::engine::metric_rules::effective_count;
use crate::spec::{AnalysisTemplate, AnalysisTemplateSpec, ClusterAnalysisTemplate};

/// The value Argo's Rollout validation gives every template argument that has no value (or
/// only a `valueFrom`) before substituting placeholders.
pub const DUMMY_VALUE: &str = "dummy-value";

/// Which kind of Rollout analysis references the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalysisKind<'a> {
    /// A canary step analysis, or a blue-green pre- or post-promotion analysis: the Rollout
    /// waits for it, so every metric must terminate.
    Step,
    /// The canary background analysis: template arguments without value must be supplied by
    /// the Rollout.
    Background {
        /// Names of the Rollout's `spec.strategy.canary.analysis.args`; `None` when that list
        /// is absent (`nil` in Go), which Argo distinguishes from an empty list.
        rollout_args: Option<&'a [String]>,
    },
}

/// `ValidateAnalysisTemplateWithType` for one template: every problem found (Argo reports each
/// as a field error `<path>: Invalid value: "<template>": <message>`, and the Rollout shows the
/// first).
///
/// * [`AnalysisKind::Step`]: the template's own args are given placeholder values — an arg
///   with neither `value` nor `valueFrom` gets `dummy-value`; an arg with `valueFrom` fails
///   with `AnalysisTemplate <t>: arg '<a>' has both Value and ValueFrom fields` when it also
///   has a `value`, and otherwise gets `dummy-value` — then every metric is substituted (the
///   first failure is `AnalysisTemplate <t>: <error>` and ends the check), and every metric
///   whose effective count is "indefinite" (an interval, and a count that is unset or
///   converts to 0 — `"0"`, `"abc"`, `dummy-value`) yields
///   `AnalysisTemplate <t> has metric <m> which runs indefinitely. Invalid value for count: <count>`
///   (`<nil>` when unset), with the metric name and count after substitution.
/// * [`AnalysisKind::Background`]: each template arg with neither `value` nor `valueFrom` must
///   be named in the Rollout's args: `missing analysis arguments in rollout spec` when the
///   Rollout has no args list, else the bare arg name when it is not in the list. Nothing else
///   is checked (in particular neither `value`+`valueFrom` nor indefinite metrics).
///
/// The template arguments checked are the template's own, before any merging.
pub fn validate_template_for_rollout(
    template_name: &str,
    spec: &AnalysisTemplateSpec,
    kind: AnalysisKind<'_>,
) -> Vec<TemplateError> {
    match kind {
        AnalysisKind::Step => validate_step(template_name, spec),
        AnalysisKind::Background { rollout_args } => spec
            .args
            .iter()
            .filter(|a| a.value.is_none() && a.value_from.is_none())
            .filter_map(|a| match rollout_args {
                None => Some(TemplateError::MissingRolloutArguments { template: template_name.to_owned() }),
                Some(names) if !names.contains(&a.name) => {
                    Some(TemplateError::ArgumentNotSupplied { template: template_name.to_owned(), arg: a.name.clone() })
                }
                Some(_) => None,
            })
            .collect(),
    }
}

/// [`validate_template_for_rollout`] over collected templates, namespaced ones first, as
/// `ValidateAnalysisTemplatesWithType` loops over them (after it has checked that
/// [`super::new_analysis_run`] succeeds for the set).
pub fn validate_templates_for_rollout(
    templates: &[AnalysisTemplate],
    cluster_templates: &[ClusterAnalysisTemplate],
    kind: AnalysisKind<'_>,
) -> Vec<TemplateError> {
    let named = templates
        .iter()
        .map(|t| (&t.metadata.name, &t.spec))
        .chain(cluster_templates.iter().map(|t| (&t.metadata.name, &t.spec)));
    named.flat_map(|(name, spec)| validate_template_for_rollout(name.as_deref().unwrap_or(""), spec, kind)).collect()
}

fn validate_step(template: &str, spec: &AnalysisTemplateSpec) -> Vec<TemplateError> {
    // setArgValuePlaceHolder, then validateAnalysisMetrics' pass over valueFrom args.
    let mut values: Vec<ArgValue> = Vec::with_capacity(spec.args.len());
    for a in &spec.args {
        let value = match (&a.value, &a.value_from) {
            (None, None) => DUMMY_VALUE.to_owned(),
            (Some(_), Some(_)) => {
                return vec![TemplateError::ValueAndValueFrom { template: template.to_owned(), arg: a.name.clone() }];
            }
            (None, Some(_)) => DUMMY_VALUE.to_owned(),
            (Some(v), None) => v.clone(),
        };
        values.push((a.name.clone(), Some(value)));
    }
    let mut resolved = Vec::with_capacity(spec.metrics.len());
    for m in &spec.metrics {
        match args::resolve_metric(m, &values) {
            Ok(r) => resolved.push(r),
            Err(message) => return vec![TemplateError::MetricArguments { template: template.to_owned(), message }],
        }
    }
    resolved
        .into_iter()
        .filter(|m| effective_count(m).is_none())
        .map(|m| TemplateError::RunsIndefinitely {
            template: template.to_owned(),
            count: m.count.as_ref().map_or_else(|| "<nil>".to_owned(), ToString::to_string),
            metric: m.name,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Argument, FieldRef, IntOrString, Metric, ObjectMeta, SecretKeyRef, ValueFrom};

    fn metric(name: &str, interval: &str, count: Option<IntOrString>) -> Metric {
        let mut m: Metric =
            serde_json::from_value(serde_json::json!({"name": name, "provider": {"web": {"url": "u"}}})).unwrap();
        m.interval = interval.into();
        m.count = count;
        m
    }

    fn arg(name: &str, value: Option<&str>) -> Argument {
        Argument { name: name.into(), value: value.map(Into::into), value_from: None }
    }

    fn secret(name: &str, value: Option<&str>) -> Argument {
        Argument {
            name: name.into(),
            value: value.map(Into::into),
            value_from: Some(ValueFrom {
                secret_key_ref: Some(SecretKeyRef { name: "s".into(), key: "k".into() }),
                field_ref: None,
            }),
        }
    }

    fn spec(metrics: Vec<Metric>, args: Vec<Argument>) -> AnalysisTemplateSpec {
        AnalysisTemplateSpec { metrics, args, ..AnalysisTemplateSpec::default() }
    }

    fn messages(errors: &[TemplateError]) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn finite_metrics_pass() {
        // TestValidateAnalysisTemplateWithType "validate analysisTemplate - success".
        let s = spec(
            vec![
                metric("once", "", None),
                metric("counted", "1m", Some(3.into())),
                metric("string-count", "1m", Some("2".into())),
                metric("negative", "1m", Some((-1).into())),
            ],
            vec![],
        );
        assert!(validate_template_for_rollout("t", &s, AnalysisKind::Step).is_empty());
    }

    #[test]
    fn indefinite_metrics_fail() {
        // TestValidateAnalysisTemplateWithType "validate inline clusterAnalysisTemplate - failure"
        // (count 0 prints as "0").
        let s = spec(
            vec![
                metric("metric2-name", "1m", Some(0.into())),
                metric("unset", "1m", None),
                metric("text", "1m", Some("abc".into())),
                metric("fine", "", Some(0.into())),
            ],
            vec![],
        );
        let errs = validate_template_for_rollout("cluster-analysis-template-name", &s, AnalysisKind::Step);
        assert_eq!(
            messages(&errs),
            [
                "AnalysisTemplate cluster-analysis-template-name has metric metric2-name which runs indefinitely. Invalid value for count: 0",
                "AnalysisTemplate cluster-analysis-template-name has metric unset which runs indefinitely. Invalid value for count: <nil>",
                "AnalysisTemplate cluster-analysis-template-name has metric text which runs indefinitely. Invalid value for count: abc",
            ]
        );
        // Background analyses may run indefinitely.
        let bg = AnalysisKind::Background { rollout_args: None };
        assert!(validate_template_for_rollout("t", &s, bg).is_empty());
    }

    #[test]
    fn placeholders_are_resolved_with_dummy_values_first() {
        // count from an arg without value -> "dummy-value" -> 0 -> indefinite.
        let s = spec(
            vec![
                metric("{{args.name}}", "{{args.interval}}", Some("{{args.count}}".into())),
                metric("defaulted", "1m", Some("{{args.n}}".into())),
                metric("secret", "1m", Some("{{args.secret}}".into())),
            ],
            vec![
                arg("name", Some("m")),
                arg("interval", None),
                arg("count", None),
                arg("n", Some("5")),
                secret("secret", None),
            ],
        );
        let errs = validate_template_for_rollout("t", &s, AnalysisKind::Step);
        assert_eq!(
            messages(&errs),
            [
                "AnalysisTemplate t has metric m which runs indefinitely. Invalid value for count: dummy-value",
                "AnalysisTemplate t has metric secret which runs indefinitely. Invalid value for count: dummy-value",
            ]
        );
        // A fieldRef valueFrom is a valueFrom too.
        let field_ref = Argument {
            name: "f".into(),
            value: None,
            value_from: Some(ValueFrom { secret_key_ref: None, field_ref: Some(FieldRef { field_path: "x".into() }) }),
        };
        let s = spec(vec![metric("m", "", Some("{{args.f}}".into()))], vec![field_ref]);
        assert!(validate_template_for_rollout("t", &s, AnalysisKind::Step).is_empty());
    }

    #[test]
    fn value_and_value_from() {
        let s = spec(
            vec![metric("m", "1m", None)],
            vec![arg("ok", None), secret("both", Some("v")), secret("both-2", Some("v"))],
        );
        let errs = validate_template_for_rollout("tmpl", &s, AnalysisKind::Step);
        // The first such arg is the only error: metrics are not checked.
        assert_eq!(messages(&errs), ["AnalysisTemplate tmpl: arg 'both' has both Value and ValueFrom fields"]);
        // Not checked for background analyses.
        let names = ["ok".to_string()];
        let bg = AnalysisKind::Background { rollout_args: Some(&names) };
        assert!(validate_template_for_rollout("tmpl", &s, bg).is_empty());
    }

    #[test]
    fn substitution_failure_is_reported_once() {
        let s = spec(vec![metric("a", "1m", None), metric("b", "", None)], vec![]);
        let mut s2 = s.clone();
        s2.metrics[1].success_condition = "result == {{args.missing}}".into();
        let errs = validate_template_for_rollout("t", &s2, AnalysisKind::Step);
        assert_eq!(messages(&errs), ["AnalysisTemplate t: failed to resolve {{args.missing}}"]);
        s2.metrics[1].success_condition = "{{args.open".into();
        let errs = validate_template_for_rollout("t", &s2, AnalysisKind::Step);
        assert_eq!(errs.len(), 1);
        assert!(errs[0].to_string().starts_with("AnalysisTemplate t: Cannot find end tag=\"}}\""), "{}", errs[0]);
    }

    #[test]
    fn background_arguments() {
        // TestValidateAnalysisTemplateWithType "validate background analysisTemplate - failure"
        // and "... argument - success".
        let s = spec(
            vec![metric("m", "1m", None)],
            vec![arg("service-name", None), arg("d", Some("1")), secret("s", None)],
        );
        let none = AnalysisKind::Background { rollout_args: None };
        assert_eq!(
            messages(&validate_template_for_rollout("t", &s, none)),
            ["missing analysis arguments in rollout spec"]
        );
        let empty: [String; 0] = [];
        let errs = validate_template_for_rollout("t", &s, AnalysisKind::Background { rollout_args: Some(&empty) });
        assert_eq!(messages(&errs), ["service-name"]);
        assert_eq!(errs[0], TemplateError::ArgumentNotSupplied { template: "t".into(), arg: "service-name".into() });
        let given = ["service-name".to_string()];
        assert!(
            validate_template_for_rollout("t", &s, AnalysisKind::Background { rollout_args: Some(&given) }).is_empty()
        );
        // One error per missing arg.
        let two = spec(vec![], vec![arg("a", None), arg("b", None)]);
        assert_eq!(validate_template_for_rollout("t", &two, none).len(), 2);
    }

    #[test]
    fn over_collected_templates() {
        let t = AnalysisTemplate {
            metadata: ObjectMeta { name: Some("ns-t".into()), ..Default::default() },
            spec: spec(vec![metric("m", "1m", None)], vec![]),
            ..Default::default()
        };
        let c = ClusterAnalysisTemplate {
            metadata: ObjectMeta { name: Some("c-t".into()), ..Default::default() },
            spec: spec(vec![metric("n", "1m", None)], vec![]),
            ..Default::default()
        };
        let errs = validate_templates_for_rollout(&[t], &[c], AnalysisKind::Step);
        let templates: Vec<_> = errs
            .iter()
            .map(|e| match e {
                TemplateError::RunsIndefinitely { template, .. } => template.as_str(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(templates, ["ns-t", "c-t"]);
    }

    #[test]
    fn inputs_are_not_mutated() {
        let s = spec(vec![metric("{{args.x}}", "", None)], vec![arg("x", None), secret("y", None)]);
        let before = s.clone();
        let _ = validate_template_for_rollout("t", &s, AnalysisKind::Step);
        assert_eq!(s, before);
    }
}
