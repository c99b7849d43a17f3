//! Flattening templates and merging arguments (`utils/analysis/helpers.go`:
//! `NewAnalysisRunFromTemplates`, `FlattenTemplates`, `MergeArgs`, `ResolveArgs`; semantics
//! §3.2, §3.3).

use std::collections::{BTreeMap, HashSet};

use super::TemplateError;
use crate::spec::{
    API_VERSION, AnalysisRun, AnalysisRunSpec, AnalysisTemplate, AnalysisTemplateSpec, Argument,
    ClusterAnalysisTemplate, DryRun, MeasurementRetention, ObjectMeta,
};

/// `NewAnalysisRunFromTemplates`: the run a caller (Rollout, Experiment) creates from the
/// collected templates, its own argument values and its own dry-run / retention rules.
///
/// Steps and the first failure reported, in Argo's order:
/// 1. [`flatten_templates`] (duplicate metric, duplicate template dry-run rule, duplicate
///    template retention rule, conflicting argument values);
/// 2. [`merge_args`] of `args` into the template arguments (`args.<n> was not resolved`);
/// 3. [`merge_dry_run`]: the caller's rules first, then the templates' (duplicates rejected);
/// 4. [`merge_measurement_retention`], likewise.
///
/// The run has `apiVersion`/`kind` set, the given metadata (empty strings are left unset),
/// the flattened metrics with placeholders unresolved, and an empty status. An empty metric
/// list is not an error here: the analysis controller rejects it (`no metrics specified`).
#[allow(clippy::too_many_arguments)]
pub fn new_analysis_run(
    templates: &[AnalysisTemplate],
    cluster_templates: &[ClusterAnalysisTemplate],
    args: Vec<Argument>,
    dry_run: Vec<DryRun>,
    measurement_retention: Vec<MeasurementRetention>,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    name: &str,
    generate_name: &str,
    namespace: &str,
) -> Result<AnalysisRun, TemplateError> {
    let template = flatten_templates(templates, cluster_templates)?;
    let args = merge_args(&args, &template.args)?;
    let dry_run = merge_dry_run(dry_run, &template.dry_run)?;
    let measurement_retention = merge_measurement_retention(measurement_retention, &template.measurement_retention)?;
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Ok(AnalysisRun {
        kind: "AnalysisRun".into(),
        api_version: API_VERSION.into(),
        metadata: ObjectMeta {
            name: non_empty(name),
            generate_name: non_empty(generate_name),
            namespace: non_empty(namespace),
            labels,
            annotations,
            ..ObjectMeta::default()
        },
        spec: AnalysisRunSpec {
            metrics: template.metrics,
            args,
            dry_run,
            measurement_retention,
            ..AnalysisRunSpec::default()
        },
        status: Default::default(),
    })
}

/// `FlattenTemplates`: one spec from the namespaced templates (in order) then the cluster
/// templates (in order).
///
/// * metrics are concatenated; a repeated name → `two metrics have the same name '<n>'`;
/// * dry-run rules are concatenated; a repeated `metricName` →
///   `two Dry-Run metric rules have the same name '<n>'`;
/// * retention rules likewise (`two Measurement Retention metric rules have the same name '<n>'`);
/// * args are merged by name: when both occurrences have a `value` and the values differ →
///   ``Argument `<n>` specified multiple times with different values: '<a>', '<b>'``; when the
///   earlier one has no value the later one replaces it whole (its `valueFrom` included);
///   otherwise the earlier one is kept. `valueFrom` is never compared. This applies to
///   repeated names within one template too.
///
/// The checks run in that order (metrics, dry-run, retention, args), so the first failing one
/// is reported. `templates` (nested references) are not carried over.
pub fn flatten_templates(
    templates: &[AnalysisTemplate],
    cluster_templates: &[ClusterAnalysisTemplate],
) -> Result<AnalysisTemplateSpec, TemplateError> {
    let specs: Vec<&AnalysisTemplateSpec> =
        templates.iter().map(|t| &t.spec).chain(cluster_templates.iter().map(|t| &t.spec)).collect();

    let metrics: Vec<_> = specs.iter().flat_map(|s| s.metrics.iter().cloned()).collect();
    let mut names = HashSet::new();
    if let Some(m) = metrics.iter().find(|m| !names.insert(m.name.as_str())) {
        return Err(TemplateError::DuplicateMetric(m.name.clone()));
    }

    let dry_run: Vec<_> = specs.iter().flat_map(|s| s.dry_run.iter().cloned()).collect();
    validate_dry_run(&dry_run)?;
    let measurement_retention: Vec<_> = specs.iter().flat_map(|s| s.measurement_retention.iter().cloned()).collect();
    validate_measurement_retention(&measurement_retention)?;

    let mut args: Vec<Argument> = Vec::new();
    for arg in specs.iter().flat_map(|s| s.args.iter()) {
        match args.iter_mut().find(|a| a.name == arg.name) {
            Some(prev) => match (&prev.value, &arg.value) {
                (Some(a), Some(b)) if a != b => {
                    return Err(TemplateError::ConflictingArgument {
                        name: prev.name.clone(),
                        first: a.clone(),
                        second: b.clone(),
                    });
                }
                (None, _) => *prev = arg.clone(),
                _ => {}
            },
            None => args.push(arg.clone()),
        }
    }

    Ok(AnalysisTemplateSpec { metrics, args, dry_run, measurement_retention, ..AnalysisTemplateSpec::default() })
}

/// `MergeArgs`: the caller's arguments (`incoming`) merged into the template arguments.
///
/// The result is `template_args` in order. For each incoming argument whose name is present:
/// an incoming `value` replaces the template arg's `value` (its `valueFrom` is **kept**, and
/// a secret then wins at reconcile time); otherwise an incoming `valueFrom` replaces the
/// template arg's `valueFrom`. Incoming arguments with unknown names are dropped. Then
/// [`resolve_args`].
pub fn merge_args(incoming: &[Argument], template_args: &[Argument]) -> Result<Vec<Argument>, TemplateError> {
    let mut args = template_args.to_vec();
    for arg in incoming {
        if let Some(target) = args.iter_mut().find(|a| a.name == arg.name) {
            if arg.value.is_some() {
                target.value.clone_from(&arg.value);
            } else if arg.value_from.is_some() {
                target.value_from.clone_from(&arg.value_from);
            }
        }
    }
    resolve_args(&args)?;
    Ok(args)
}

/// `ResolveArgs`: every argument must have a `value` or a `valueFrom`; the first that has
/// neither fails with `args.<name> was not resolved`.
pub fn resolve_args(args: &[Argument]) -> Result<(), TemplateError> {
    match args.iter().find(|a| a.value.is_none() && a.value_from.is_none()) {
        Some(a) => Err(TemplateError::UnresolvedArgument(a.name.clone())),
        None => Ok(()),
    }
}

/// `mergeDryRunMetrics`: the caller's rules, then the templates' flattened rules; a repeated
/// `metricName` → `two Dry-Run metric rules have the same name '<n>'`.
pub fn merge_dry_run(caller: Vec<DryRun>, template: &[DryRun]) -> Result<Vec<DryRun>, TemplateError> {
    let mut rules = caller;
    rules.extend_from_slice(template);
    validate_dry_run(&rules)?;
    Ok(rules)
}

/// `mergeMeasurementRetentionMetrics`: the caller's rules, then the templates' flattened
/// rules; a repeated `metricName` →
/// `two Measurement Retention metric rules have the same name '<n>'` (limits are not compared).
pub fn merge_measurement_retention(
    caller: Vec<MeasurementRetention>,
    template: &[MeasurementRetention],
) -> Result<Vec<MeasurementRetention>, TemplateError> {
    let mut rules = caller;
    rules.extend_from_slice(template);
    validate_measurement_retention(&rules)?;
    Ok(rules)
}

fn validate_dry_run(rules: &[DryRun]) -> Result<(), TemplateError> {
    let mut seen = HashSet::new();
    match rules.iter().find(|r| !seen.insert(r.metric_name.as_str())) {
        Some(r) => Err(TemplateError::DuplicateDryRun(r.metric_name.clone())),
        None => Ok(()),
    }
}

fn validate_measurement_retention(rules: &[MeasurementRetention]) -> Result<(), TemplateError> {
    let mut seen = HashSet::new();
    match rules.iter().find(|r| !seen.insert(r.metric_name.as_str())) {
        Some(r) => Err(TemplateError::DuplicateMeasurementRetention(r.metric_name.clone())),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Metric, SecretKeyRef, ValueFrom};

    fn metric(name: &str, success: &str) -> Metric {
        Metric { name: name.into(), success_condition: success.into(), ..Metric::default() }
    }

    fn arg(name: &str, value: Option<&str>) -> Argument {
        Argument { name: name.into(), value: value.map(Into::into), value_from: None }
    }

    fn secret_arg(name: &str, secret: &str, key: &str) -> Argument {
        Argument {
            name: name.into(),
            value: None,
            value_from: Some(ValueFrom {
                secret_key_ref: Some(SecretKeyRef { name: secret.into(), key: key.into() }),
                field_ref: None,
            }),
        }
    }

    fn dry(name: &str) -> DryRun {
        DryRun { metric_name: name.into() }
    }

    fn keep(name: &str, limit: i32) -> MeasurementRetention {
        MeasurementRetention { metric_name: name.into(), limit }
    }

    fn template(spec: AnalysisTemplateSpec) -> AnalysisTemplate {
        AnalysisTemplate { spec, ..AnalysisTemplate::default() }
    }

    fn cluster(spec: AnalysisTemplateSpec) -> ClusterAnalysisTemplate {
        ClusterAnalysisTemplate { spec, ..ClusterAnalysisTemplate::default() }
    }

    fn spec(metrics: Vec<Metric>, args: Vec<Argument>) -> AnalysisTemplateSpec {
        AnalysisTemplateSpec { metrics, args, ..AnalysisTemplateSpec::default() }
    }

    // ---- TestFlattenTemplates ----

    #[test]
    fn flatten_empty_list() {
        // "Handle empty list"
        let t = flatten_templates(&[], &[]).unwrap();
        assert!(t.metrics.is_empty() && t.args.is_empty());
    }

    #[test]
    fn flatten_single_template_unchanged() {
        // "No changes on single template"
        let orig = spec(vec![metric("foo", "{{args.test}}")], vec![arg("test", Some("true"))]);
        assert_eq!(flatten_templates(&[template(orig.clone())], &[]).unwrap(), orig);
    }

    #[test]
    fn flatten_drops_nested_references_and_unknown_fields() {
        let mut s = spec(vec![metric("foo", "true")], vec![]);
        s.templates = vec![crate::spec::AnalysisTemplateRef { template_name: "x".into(), cluster_scope: false }];
        s.unknown_fields.insert("metric".into(), serde_json::json!([]));
        let t = flatten_templates(&[template(s)], &[]).unwrap();
        assert!(t.templates.is_empty() && t.unknown_fields.is_empty());
        assert_eq!(t.metrics.len(), 1);
    }

    #[test]
    fn flatten_multiple_metrics() {
        // "Merge multiple metrics successfully"
        let mut a = spec(vec![metric("foo", "true")], vec![]);
        a.dry_run = vec![dry("foo")];
        a.measurement_retention = vec![keep("foo", 0)];
        let mut b = spec(vec![metric("bar", "true")], vec![]);
        b.dry_run = vec![dry("bar")];
        b.measurement_retention = vec![keep("bar", 0)];
        let t = flatten_templates(&[template(a), template(b)], &[]).unwrap();
        assert!(t.args.is_empty());
        assert_eq!(t.metrics, vec![metric("foo", "true"), metric("bar", "true")]);
        assert_eq!(t.dry_run, vec![dry("foo"), dry("bar")]);
        assert_eq!(t.measurement_retention, vec![keep("foo", 0), keep("bar", 0)]);
    }

    #[test]
    fn flatten_namespaced_then_cluster() {
        // "Merge analysis templates and cluster templates successfully"
        let mut a = spec(vec![metric("foo", "true")], vec![]);
        a.dry_run = vec![dry("foo")];
        let mut c = spec(vec![metric("bar", "true")], vec![]);
        c.dry_run = vec![dry("bar")];
        let t = flatten_templates(&[template(a)], &[cluster(c)]).unwrap();
        assert_eq!(t.metrics, vec![metric("foo", "true"), metric("bar", "true")]);
        assert_eq!(t.dry_run, vec![dry("foo"), dry("bar")]);
    }

    #[test]
    fn flatten_metric_name_collision() {
        // "Merge fail with name collision"
        let a = spec(vec![metric("foo", "true")], vec![]);
        let err = flatten_templates(&[template(a.clone()), template(a.clone())], &[]).unwrap_err();
        assert_eq!(err.to_string(), "two metrics have the same name 'foo'");
        // Across kinds, and within one template (TestFailCreateBackgroundAnalysisRunIfInvalidTemplateRef).
        assert_eq!(
            flatten_templates(&[template(a.clone())], &[cluster(a)]).unwrap_err(),
            TemplateError::DuplicateMetric("foo".into())
        );
        let twice = spec(vec![metric("example", ""), metric("example", "")], vec![]);
        assert_eq!(
            flatten_templates(&[template(twice)], &[]).unwrap_err().to_string(),
            "two metrics have the same name 'example'"
        );
    }

    #[test]
    fn flatten_dry_run_collision() {
        // "Merge fail with dry-run name collision"
        let mut a = spec(vec![metric("foo", "true")], vec![]);
        a.dry_run = vec![dry("foo")];
        let mut b = spec(vec![metric("bar", "true")], vec![]);
        b.dry_run = vec![dry("foo")];
        let err = flatten_templates(&[template(a), template(b)], &[]).unwrap_err();
        assert_eq!(err.to_string(), "two Dry-Run metric rules have the same name 'foo'");
    }

    #[test]
    fn flatten_retention_collision() {
        // "Merge fail with measurement retention metrics name collision"; limits are not compared.
        let mut a = spec(vec![metric("foo", "true")], vec![]);
        a.measurement_retention = vec![keep("foo", 5)];
        let mut b = spec(vec![metric("bar", "true")], vec![]);
        b.measurement_retention = vec![keep("foo", 5)];
        let err = flatten_templates(&[template(a)], &[cluster(b)]).unwrap_err();
        assert_eq!(err.to_string(), "two Measurement Retention metric rules have the same name 'foo'");
    }

    #[test]
    fn flatten_multiple_args() {
        // "Merge multiple args successfully"
        let a = spec(vec![], vec![arg("foo", Some("true"))]);
        let b = spec(vec![], vec![arg("bar", Some("true"))]);
        let t = flatten_templates(&[template(a), template(b)], &[]).unwrap();
        assert_eq!(t.args, vec![arg("foo", Some("true")), arg("bar", Some("true"))]);
    }

    #[test]
    fn flatten_args_with_one_value() {
        // " Merge args with same name but only one has value": the earlier value is kept ...
        let a = spec(vec![], vec![arg("foo", Some("true"))]);
        let b = spec(vec![], vec![arg("foo", None)]);
        let t = flatten_templates(&[template(a.clone()), template(b.clone())], &[]).unwrap();
        assert_eq!(t.args, vec![arg("foo", Some("true"))]);
        // ... and an earlier arg without value is replaced whole by the later one.
        let t = flatten_templates(&[template(b)], &[cluster(a)]).unwrap();
        assert_eq!(t.args, vec![arg("foo", Some("true"))]);
    }

    #[test]
    fn flatten_args_with_different_values() {
        // "Error: merge args with same name and both have values"
        let a = spec(vec![], vec![arg("foo", Some("true"))]);
        let b = spec(vec![], vec![arg("foo", Some("false"))]);
        let err = flatten_templates(&[template(a)], &[cluster(b)]).unwrap_err();
        assert_eq!(err.to_string(), "Argument `foo` specified multiple times with different values: 'true', 'false'");
    }

    #[test]
    fn flatten_args_value_from_rules() {
        // Same values: the first occurrence is kept, valueFrom of the later ignored.
        let mut with_secret = secret_arg("foo", "s", "k");
        with_secret.value = Some("v".into());
        let a = spec(vec![], vec![arg("foo", Some("v"))]);
        let b = spec(vec![], vec![with_secret.clone()]);
        let t = flatten_templates(&[template(a.clone()), template(b.clone())], &[]).unwrap();
        assert_eq!(t.args, vec![arg("foo", Some("v"))]);
        // An earlier secret-only arg is replaced wholesale by a later arg with a value.
        let s = spec(vec![], vec![secret_arg("foo", "s", "k")]);
        let t = flatten_templates(&[template(s.clone()), template(a)], &[]).unwrap();
        assert_eq!(t.args, vec![arg("foo", Some("v"))]);
        // ... and by a later arg without value either (it has no value to protect).
        let t = flatten_templates(&[template(s), template(spec(vec![], vec![arg("foo", None)]))], &[]).unwrap();
        assert_eq!(t.args, vec![arg("foo", None)]);
        // Duplicates within one template follow the same rules.
        let same = spec(vec![], vec![arg("x", None), arg("x", Some("1")), arg("x", Some("1"))]);
        assert_eq!(flatten_templates(&[template(same)], &[]).unwrap().args, vec![arg("x", Some("1"))]);
        let clash = spec(vec![], vec![arg("x", Some("1")), arg("x", Some("2"))]);
        assert!(matches!(flatten_templates(&[template(clash)], &[]), Err(TemplateError::ConflictingArgument { .. })));
    }

    #[test]
    fn flatten_check_order() {
        // Go checks metrics, then dry-run, then retention, then args.
        let mut a = spec(vec![metric("m", "")], vec![arg("x", Some("1"))]);
        a.dry_run = vec![dry("d")];
        a.measurement_retention = vec![keep("r", 1)];
        let mut b = spec(vec![metric("n", "")], vec![arg("x", Some("2"))]);
        b.dry_run = vec![dry("d")];
        b.measurement_retention = vec![keep("r", 1)];
        assert_eq!(
            flatten_templates(&[template(a.clone()), template(b.clone())], &[]).unwrap_err(),
            TemplateError::DuplicateDryRun("d".into())
        );
        b.dry_run.clear();
        assert_eq!(
            flatten_templates(&[template(a.clone()), template(b.clone())], &[]).unwrap_err(),
            TemplateError::DuplicateMeasurementRetention("r".into())
        );
        b.measurement_retention.clear();
        assert!(matches!(
            flatten_templates(&[template(a.clone()), template(b.clone())], &[]),
            Err(TemplateError::ConflictingArgument { .. })
        ));
        b.metrics = vec![metric("m", "")];
        b.dry_run = vec![dry("d")];
        assert_eq!(
            flatten_templates(&[template(a), template(b)], &[]).unwrap_err(),
            TemplateError::DuplicateMetric("m".into())
        );
    }

    // ---- TestMergeArgs ----

    #[test]
    fn merge_args_cases() {
        // nil list / empty list
        assert_eq!(merge_args(&[], &[]).unwrap(), vec![]);
        // use defaults
        let defaults = vec![arg("foo", Some("bar")), secret_arg("my-secret", "name", "key")];
        assert_eq!(merge_args(&[], &defaults).unwrap(), defaults);
        // overwrite defaults
        let r = merge_args(&[arg("foo", Some("overwrite"))], &[arg("foo", Some("bar"))]).unwrap();
        assert_eq!(r, vec![arg("foo", Some("overwrite"))]);
        // not resolved
        let err = merge_args(&[arg("foo", None)], &[arg("foo", None)]).unwrap_err();
        assert_eq!(err.to_string(), "args.foo was not resolved");
        // extra arg
        let r = merge_args(&[arg("foo", Some("my-value")), arg("extra-arg", Some("extra-value"))], &[arg("foo", None)])
            .unwrap();
        assert_eq!(r, vec![arg("foo", Some("my-value"))]);
    }

    #[test]
    fn merge_args_value_keeps_value_from() {
        // A caller value on a secret-backed template arg: both end up set (the secret wins at
        // reconcile time, semantics §3.3).
        let r = merge_args(&[arg("k", Some("plain"))], &[secret_arg("k", "s", "key")]).unwrap();
        assert_eq!(r[0].value.as_deref(), Some("plain"));
        assert_eq!(r[0].value_from, secret_arg("k", "s", "key").value_from);
    }

    #[test]
    fn merge_args_value_from_replaces_value_from_only() {
        let mut template_arg = secret_arg("k", "old", "key");
        template_arg.value = Some("default".into());
        let r = merge_args(&[secret_arg("k", "new", "key2")], &[template_arg]).unwrap();
        assert_eq!(r[0].value.as_deref(), Some("default"));
        assert_eq!(r[0].value_from, secret_arg("k", "new", "key2").value_from);
        // Caller value wins over caller valueFrom when both are set: only the value is copied.
        let mut both = secret_arg("k", "new", "key2");
        both.value = Some("v".into());
        let r = merge_args(&[both], &[arg("k", None)]).unwrap();
        assert_eq!(r, vec![arg("k", Some("v"))]);
        // A caller arg with neither changes nothing.
        assert_eq!(merge_args(&[arg("k", None)], &[arg("k", Some("d"))]).unwrap(), vec![arg("k", Some("d"))]);
    }

    #[test]
    fn merge_args_first_unresolved_reported_and_order_kept() {
        let template_args = vec![arg("a", None), arg("b", None), arg("c", Some("1"))];
        let err = merge_args(&[arg("b", Some("x"))], &template_args).unwrap_err();
        assert_eq!(err, TemplateError::UnresolvedArgument("a".into()));
        let r = merge_args(&[arg("b", Some("x")), arg("a", Some("y"))], &template_args).unwrap();
        assert_eq!(r, vec![arg("a", Some("y")), arg("b", Some("x")), arg("c", Some("1"))]);
        // An empty string is a value.
        assert!(merge_args(&[arg("a", Some("")), arg("b", Some(""))], &template_args).is_ok());
        // A fieldRef-only valueFrom counts as resolved here (it fails at substitution time).
        let field_ref = Argument {
            name: "f".into(),
            value: None,
            value_from: Some(ValueFrom { secret_key_ref: None, field_ref: Some(Default::default()) }),
        };
        assert!(resolve_args(&[field_ref]).is_ok());
    }

    #[test]
    fn merge_rules_caller_first() {
        let r = merge_dry_run(vec![dry("caller")], &[dry("t1"), dry("t2")]).unwrap();
        assert_eq!(r, vec![dry("caller"), dry("t1"), dry("t2")]);
        let err = merge_dry_run(vec![dry("t1")], &[dry("t1")]).unwrap_err();
        assert_eq!(err.to_string(), "two Dry-Run metric rules have the same name 't1'");
        let err = merge_dry_run(vec![dry("x"), dry("x")], &[]).unwrap_err();
        assert_eq!(err, TemplateError::DuplicateDryRun("x".into()));
        let r = merge_measurement_retention(vec![keep("c", 1)], &[keep("t", 2)]).unwrap();
        assert_eq!(r, vec![keep("c", 1), keep("t", 2)]);
        let err = merge_measurement_retention(vec![keep("t", 1)], &[keep("t", 2)]).unwrap_err();
        assert_eq!(err.to_string(), "two Measurement Retention metric rules have the same name 't'");
        // Exact string comparison: the same regular expression spelled differently is no duplicate.
        assert!(merge_dry_run(vec![dry("foo")], &[dry("fo{1}o")]).is_ok());
    }

    // ---- TestNewAnalysisRunFromTemplates and the compatibility tests ----

    fn success_rate_template(args: Vec<Argument>) -> AnalysisTemplate {
        AnalysisTemplate {
            metadata: ObjectMeta { name: Some("foo".into()), namespace: Some("default".into()), ..Default::default() },
            spec: spec(vec![metric("success-rate", "")], args),
            ..AnalysisTemplate::default()
        }
    }

    fn run(
        templates: &[AnalysisTemplate],
        clusters: &[ClusterAnalysisTemplate],
        args: Vec<Argument>,
        labels: BTreeMap<String, String>,
        annotations: BTreeMap<String, String>,
    ) -> Result<AnalysisRun, TemplateError> {
        new_analysis_run(
            templates,
            clusters,
            args,
            vec![],
            vec![],
            labels,
            annotations,
            "foo-run",
            "foo-run-generate-",
            "my-ns",
        )
    }

    #[test]
    fn new_run_from_templates() {
        let mut templates = vec![success_rate_template(vec![arg("my-arg", None), arg("my-secret", None)])];
        let args = vec![arg("my-arg", Some("my-val")), secret_arg("my-secret", "name", "key")];
        let r = run(&templates, &[], args.clone(), BTreeMap::new(), BTreeMap::new()).unwrap();
        assert_eq!(r.metadata.name.as_deref(), Some("foo-run"));
        assert_eq!(r.metadata.generate_name.as_deref(), Some("foo-run-generate-"));
        assert_eq!(r.metadata.namespace.as_deref(), Some("my-ns"));
        assert_eq!(r.spec.args, args);
        assert!(r.metadata.labels.is_empty() && r.metadata.annotations.is_empty());
        assert_eq!((r.kind.as_str(), r.api_version.as_str()), ("AnalysisRun", "argoproj.io/v1alpha1"));
        assert_eq!(r.status, Default::default());
        assert!(!r.spec.terminate && r.spec.ttl_strategy.is_none());

        // With additional labels and annotations.
        let labels = BTreeMap::from([("foo".to_string(), "bar".to_string()), ("foo2".into(), "bar2".into())]);
        let annotations = BTreeMap::from([("bar".to_string(), "foo".to_string()), ("bar2".into(), "foo2".into())]);
        let r = run(&templates, &[], args.clone(), labels.clone(), annotations.clone()).unwrap();
        assert_eq!((r.metadata.labels, r.metadata.annotations), (labels.clone(), annotations.clone()));

        // Fail Merge Args.
        templates[0].spec.args.push(arg("unresolved", None));
        let err = run(&templates, &[], args.clone(), labels.clone(), annotations.clone()).unwrap_err();
        assert_eq!(err.to_string(), "args.unresolved was not resolved");

        // Fail Flatten Templates (checked before the arguments).
        templates.push(template(spec(vec![metric("success-rate", "")], vec![])));
        let err = run(&templates, &[], args, labels, annotations).unwrap_err();
        assert_eq!(err.to_string(), "two metrics have the same name 'success-rate'");
    }

    #[test]
    fn new_run_compatibility() {
        // TestCompatibilityNewAnalysisRunFromTemplate / ...FromClusterTemplate.
        let t = success_rate_template(vec![arg("my-arg", None)]);
        let args = vec![arg("my-arg", Some("my-val"))];
        let r = run(std::slice::from_ref(&t), &[], args.clone(), BTreeMap::new(), BTreeMap::new()).unwrap();
        assert_eq!(r.spec.args, args);
        let c = cluster(t.spec.clone());
        let r = run(&[], &[c], args.clone(), BTreeMap::new(), BTreeMap::new()).unwrap();
        assert_eq!(r.spec.args, args);
        assert_eq!(r.spec.metrics, t.spec.metrics);
    }

    #[test]
    fn new_run_rules_and_errors_in_order() {
        let mut a = spec(vec![metric("m", "")], vec![arg("x", None)]);
        a.dry_run = vec![dry("m")];
        a.measurement_retention = vec![keep("m", 3)];
        let call = |dry_run: Vec<DryRun>, keep_rules: Vec<MeasurementRetention>, args: Vec<Argument>| {
            new_analysis_run(
                &[template(a.clone())],
                &[],
                args,
                dry_run,
                keep_rules,
                BTreeMap::new(),
                BTreeMap::new(),
                "",
                "",
                "",
            )
        };
        let r = call(vec![dry(".*")], vec![keep(".*", 1)], vec![arg("x", Some("1"))]).unwrap();
        assert_eq!(r.spec.dry_run, vec![dry(".*"), dry("m")]);
        assert_eq!(r.spec.measurement_retention, vec![keep(".*", 1), keep("m", 3)]);
        // Empty metadata strings stay unset.
        assert_eq!(r.metadata, ObjectMeta::default());
        // Caller rule duplicating a template rule.
        let err = call(vec![dry("m")], vec![], vec![arg("x", Some("1"))]).unwrap_err();
        assert_eq!(err.to_string(), "two Dry-Run metric rules have the same name 'm'");
        let err = call(vec![], vec![keep("m", 1)], vec![arg("x", Some("1"))]).unwrap_err();
        assert_eq!(err.to_string(), "two Measurement Retention metric rules have the same name 'm'");
        // Unresolved args are reported before the caller's duplicate rules.
        let err = call(vec![dry("m")], vec![keep("m", 1)], vec![]).unwrap_err();
        assert_eq!(err, TemplateError::UnresolvedArgument("x".into()));
        // Dry-run duplicates before retention duplicates.
        let err = call(vec![dry("m")], vec![keep("m", 1)], vec![arg("x", Some("1"))]).unwrap_err();
        assert_eq!(err, TemplateError::DuplicateDryRun("m".into()));
    }

    #[test]
    fn new_run_keeps_placeholders_and_serializes() {
        let mut m = metric("rate", "result[0] >= {{args.threshold}}");
        m.count = Some("{{args.count}}".into());
        let t = template(spec(vec![m.clone()], vec![arg("threshold", Some("0.95")), arg("count", None)]));
        let r = new_analysis_run(
            &[t],
            &[],
            vec![arg("count", Some("3"))],
            vec![],
            vec![],
            BTreeMap::new(),
            BTreeMap::new(),
            "r",
            "",
            "ns",
        )
        .unwrap();
        assert_eq!(r.spec.metrics, vec![m]);
        let json = crate::spec::to_go_json(&r).unwrap();
        assert!(
            json.starts_with(r#"{"kind":"AnalysisRun","apiVersion":"argoproj.io/v1alpha1","metadata":{"name":"r","namespace":"ns","creationTimestamp":null}"#),
            "{json}"
        );
        assert!(
            json.contains(r#""args":[{"name":"threshold","value":"0.95"},{"name":"count","value":"3"}]"#),
            "{json}"
        );
    }
}
