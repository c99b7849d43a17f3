//! `augur lint` for Rollouts: Argo's validation, references the analyses need, and Argo's
//! traps, each located at `file:line:column`.
//!
//! Errors are what Argo rejects or what can never run: validation failures, an analysis naming
//! a template that is not among the files given, a template argument without a value that the
//! Rollout does not pass (the AnalysisRun cannot be created), a blue-green strategy without
//! an active Service. Warnings are fields Argo ignores (a misspelt `setWieght`) and settings
//! whose effect surprises people.

use augur_analysis_core::lint::{Diagnostic, Severity, from_load_error, suggestion};
use augur_analysis_core::spec::{IntOrString, YamlDocument};
use augur_analysis_core::template::TemplateSet;
use serde_json::Value;

use crate::rollout::{Rollout, validate::validate};

struct Findings<'a> {
    doc: &'a YamlDocument,
    origin: &'a str,
    out: Vec<Diagnostic>,
}

impl Findings<'_> {
    fn push(&mut self, severity: Severity, path: &str, message: String) {
        self.out.push(Diagnostic::at_path(severity, self.origin, self.doc.source_map(), path, message));
    }
}

/// The keys Argo reads in each kind of object of a Rollout.
mod schema {
    pub const ROOT: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];
    pub const SPEC: &[&str] = &[
        "replicas",
        "selector",
        "template",
        "workloadRef",
        "minReadySeconds",
        "revisionHistoryLimit",
        "paused",
        "progressDeadlineSeconds",
        "progressDeadlineAbort",
        "restartAt",
        "rollbackWindow",
        "analysis",
        "strategy",
    ];
    pub const STRATEGY: &[&str] = &["canary", "blueGreen"];
    pub const CANARY: &[&str] = &[
        "canaryService",
        "stableService",
        "steps",
        "trafficRouting",
        "maxUnavailable",
        "maxSurge",
        "analysis",
        "antiAffinity",
        "canaryMetadata",
        "stableMetadata",
        "scaleDownDelaySeconds",
        "scaleDownDelayRevisionLimit",
        "abortScaleDownDelaySeconds",
        "dynamicStableScale",
        "pingPong",
        "minPodsPerReplicaSet",
        "replicaProgressThreshold",
    ];
    pub const BLUE_GREEN: &[&str] = &[
        "activeService",
        "previewService",
        "previewReplicaCount",
        "autoPromotionEnabled",
        "autoPromotionSeconds",
        "maxUnavailable",
        "scaleDownDelaySeconds",
        "scaleDownDelayRevisionLimit",
        "abortScaleDownDelaySeconds",
        "prePromotionAnalysis",
        "postPromotionAnalysis",
        "antiAffinity",
        "previewMetadata",
        "activeMetadata",
    ];
    pub const STEP: &[&str] = &[
        "setWeight",
        "pause",
        "experiment",
        "analysis",
        "setCanaryScale",
        "setHeaderRoute",
        "setMirrorRoute",
        "plugin",
    ];
    pub const PAUSE: &[&str] = &["duration"];
    pub const ANALYSIS: &[&str] = &["templates", "args", "dryRun", "measurementRetention", "analysisRunMetadata"];
    pub const BACKGROUND: &[&str] =
        &["templates", "args", "dryRun", "measurementRetention", "analysisRunMetadata", "startingStep"];
    pub const TEMPLATE_REF: &[&str] = &["templateName", "clusterScope"];
    pub const ARG: &[&str] = &["name", "value", "valueFrom"];
    pub const VALUE_FROM: &[&str] = &["podTemplateHashValue", "fieldRef"];
    pub const CANARY_SCALE: &[&str] = &["weight", "replicas", "matchTrafficWeight"];
    pub const TRAFFIC: &[&str] = &[
        "istio",
        "nginx",
        "alb",
        "smi",
        "ambassador",
        "appMesh",
        "traefik",
        "apisix",
        "plugins",
        "managedRoutes",
        "maxTrafficWeight",
    ];
    pub const NGINX: &[&str] = &[
        "annotationPrefix",
        "stableIngress",
        "stableIngresses",
        "additionalIngressAnnotations",
        "canaryIngressAnnotations",
    ];
    pub const SMI: &[&str] = &["rootService", "trafficSplitName"];
}

fn check_keys(f: &mut Findings<'_>, v: &Value, path: &str, known: &[&str]) {
    let Some(map) = v.as_object() else { return };
    for key in map.keys() {
        if !known.contains(&key.as_str()) {
            let p = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            f.push(
                Severity::Warning,
                &p,
                format!("unknown field '{key}' is ignored by Argo{}", suggestion(key, known)),
            );
        }
    }
}

fn check_analysis_keys(f: &mut Findings<'_>, v: &Value, path: &str, known: &[&str]) {
    check_keys(f, v, path, known);
    for (i, t) in v.get("templates").and_then(Value::as_array).into_iter().flatten().enumerate() {
        check_keys(f, t, &format!("{path}.templates[{i}]"), schema::TEMPLATE_REF);
    }
    for (i, a) in v.get("args").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let p = format!("{path}.args[{i}]");
        check_keys(f, a, &p, schema::ARG);
        if let Some(vf) = a.get("valueFrom") {
            check_keys(f, vf, &format!("{p}.valueFrom"), schema::VALUE_FROM);
        }
    }
}

fn unknown_fields(f: &mut Findings<'_>, root: &Value) {
    check_keys(f, root, "", schema::ROOT);
    let Some(spec) = root.get("spec") else { return };
    check_keys(f, spec, "spec", schema::SPEC);
    let Some(strategy) = spec.get("strategy") else { return };
    check_keys(f, strategy, "spec.strategy", schema::STRATEGY);
    if let Some(c) = strategy.get("canary") {
        let base = "spec.strategy.canary";
        check_keys(f, c, base, schema::CANARY);
        for (i, s) in c.get("steps").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let p = format!("{base}.steps[{i}]");
            check_keys(f, s, &p, schema::STEP);
            if let Some(x) = s.get("pause") {
                check_keys(f, x, &format!("{p}.pause"), schema::PAUSE);
            }
            if let Some(x) = s.get("analysis") {
                check_analysis_keys(f, x, &format!("{p}.analysis"), schema::ANALYSIS);
            }
            if let Some(x) = s.get("setCanaryScale") {
                check_keys(f, x, &format!("{p}.setCanaryScale"), schema::CANARY_SCALE);
            }
        }
        if let Some(a) = c.get("analysis") {
            check_analysis_keys(f, a, &format!("{base}.analysis"), schema::BACKGROUND);
        }
        if let Some(t) = c.get("trafficRouting") {
            let p = format!("{base}.trafficRouting");
            check_keys(f, t, &p, schema::TRAFFIC);
            if let Some(n) = t.get("nginx") {
                check_keys(f, n, &format!("{p}.nginx"), schema::NGINX);
            }
            if let Some(n) = t.get("smi") {
                check_keys(f, n, &format!("{p}.smi"), schema::SMI);
            }
        }
    }
    if let Some(b) = strategy.get("blueGreen") {
        let base = "spec.strategy.blueGreen";
        check_keys(f, b, base, schema::BLUE_GREEN);
        for which in ["prePromotionAnalysis", "postPromotionAnalysis"] {
            if let Some(a) = b.get(which) {
                check_analysis_keys(f, a, &format!("{base}.{which}"), schema::ANALYSIS);
            }
        }
    }
}

fn references(f: &mut Findings<'_>, ro: &Rollout, templates: &TemplateSet) {
    for (path, analysis) in ro.analyses() {
        let mut all_found = true;
        for (j, r) in analysis.templates.iter().enumerate() {
            let found = if r.cluster_scope {
                templates.cluster_template(&r.template_name).is_some()
            } else {
                templates.template(templates.namespace(), &r.template_name).is_some()
            };
            if !found {
                all_found = false;
                let kind = if r.cluster_scope { "ClusterAnalysisTemplate" } else { "AnalysisTemplate" };
                f.push(
                    Severity::Error,
                    &format!("{path}.templates[{j}].templateName"),
                    format!("{kind} '{}' is not in the files given", r.template_name),
                );
            }
        }
        if !all_found {
            continue;
        }
        let Ok((ts, cts)) = templates.collect(&analysis.templates) else { continue };
        let passed: Vec<&str> = analysis.args.iter().map(|a| a.name.as_str()).collect();
        let declared = ts
            .iter()
            .map(|t| (t.metadata.name.clone().unwrap_or_default(), &t.spec.args))
            .chain(cts.iter().map(|t| (t.metadata.name.clone().unwrap_or_default(), &t.spec.args)));
        for (name, args) in declared {
            for a in args.iter().filter(|a| a.value.is_none() && a.value_from.is_none()) {
                if !passed.contains(&a.name.as_str()) {
                    f.push(
                        Severity::Error,
                        &format!("{path}.args"),
                        format!(
                            "AnalysisTemplate '{name}' needs argument '{}', which is not passed here: the AnalysisRun cannot be created",
                            a.name
                        ),
                    );
                }
            }
        }
    }
}

fn traps(f: &mut Findings<'_>, ro: &Rollout) {
    if let Some(c) = ro.canary() {
        for (field, v) in [("maxSurge", &c.max_surge), ("maxUnavailable", &c.max_unavailable)] {
            if let Some(IntOrString::String(s)) = v
                && !s.contains('%')
            {
                f.push(
                    Severity::Warning,
                    &format!("spec.strategy.canary.{field}"),
                    format!("the string {s:?} is a percentage ({s} %), not {s} pods: write {s} without quotes for a pod count"),
                );
            }
        }
        if c.traffic_routing.is_some() {
            if c.abort_scale_down_delay_seconds == Some(0) {
                f.push(
                    Severity::Warning,
                    "spec.strategy.canary.abortScaleDownDelaySeconds",
                    "0 means the canary is never scaled down after an abort (not \"immediately\")".into(),
                );
            }
            if c.scale_down_delay_seconds == Some(0) && !c.dynamic_stable_scale {
                f.push(
                    Severity::Warning,
                    "spec.strategy.canary.scaleDownDelaySeconds",
                    "with 0 Argo never annotates the previous stable ReplicaSet for scale-down, so it keeps its pods after promotion".into(),
                );
            }
        }
    }
    if let Some(b) = ro.blue_green() {
        if b.active_service.is_empty() {
            f.push(
                Severity::Error,
                "spec.strategy.blueGreen.activeService",
                "Required value: a blue-green Rollout needs the Service it switches (activeService)".into(),
            );
        }
        if b.abort_scale_down_delay_seconds == Some(0) {
            f.push(
                Severity::Warning,
                "spec.strategy.blueGreen.abortScaleDownDelaySeconds",
                "0 means the preview ReplicaSet is never scaled down after an abort (not \"immediately\")".into(),
            );
        }
    }
}

/// Lints every Rollout in `text`; templates the analyses name are looked up in `templates`
/// (those of all the files given). Other kinds are skipped.
pub fn lint_rollouts(origin: &str, text: &str, templates: &TemplateSet) -> Vec<Diagnostic> {
    let docs = match augur_analysis_core::spec::load_yaml(origin, text) {
        Ok(d) => d,
        Err(e) => return vec![from_load_error(e)],
    };
    let mut out = Vec::new();
    for doc in docs.iter().filter(|d| d.top_level_str("kind") == Some("Rollout")) {
        let mut f = Findings { doc, origin, out: Vec::new() };
        unknown_fields(&mut f, &doc.to_json());
        match doc.deserialize::<Rollout>() {
            Err(e) => f.out.push(from_load_error(e)),
            Ok(ro) => {
                for e in validate(&ro.value) {
                    f.push(
                        Severity::Error,
                        &e.path,
                        e.to_string().split_once(": ").map_or(e.message.clone(), |(_, m)| m.to_string()),
                    );
                }
                references(&mut f, &ro.value, templates);
                traps(&mut f, &ro.value);
            }
        }
        out.extend(f.out);
    }
    out.sort_by_key(|d| (d.line, d.column));
    out
}
