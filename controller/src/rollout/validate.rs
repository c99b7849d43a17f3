//! Argo's Rollout validation (`pkg/apis/rollouts/validation/validation.go:ValidateRollout`),
//! the checks that decide what the engine can run. A failure is Argo's `InvalidSpec`
//! condition (phase Degraded) with the first error's text, which names the field.

use std::fmt;

use augur_analysis_core::spec::IntOrString;

use super::Rollout;

/// A Kubernetes field error (`field.Error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field path (`spec.strategy.canary.steps[0].setWeight`).
    pub path: String,
    /// `Invalid value: <value>` or `Required value`.
    pub kind: FieldErrorKind,
    /// The detail.
    pub message: String,
}

/// The type of a [`FieldError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// `field.Invalid` with the value as Go prints it.
    Invalid(String),
    /// `field.Required`.
    Required,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FieldErrorKind::Invalid(v) => write!(f, "{}: Invalid value: {}: {}", self.path, v, self.message),
            FieldErrorKind::Required => write!(f, "{}: Required value: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for FieldError {}

fn invalid(path: impl Into<String>, value: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError { path: path.into(), kind: FieldErrorKind::Invalid(value.into()), message: message.into() }
}

fn required(path: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError { path: path.into(), kind: FieldErrorKind::Required, message: message.into() }
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

/// Every validation error, in Argo's order.
pub fn validate(ro: &Rollout) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let spec = &ro.spec;
    if spec.workload_ref.is_none() {
        match spec.selector.as_ref() {
            None => errs.push(required("spec.selector", "Rollout has missing field '.spec.selector'")),
            Some(sel) => {
                let n = sel.get("matchLabels").and_then(|m| m.as_object()).map_or(0, |m| m.len())
                    + sel.get("matchExpressions").and_then(|m| m.as_array()).map_or(0, |m| m.len());
                if n == 0 {
                    errs.push(invalid("spec.selector", sel.to_string(), "empty selector is invalid for deployment"));
                }
            }
        }
    }
    if spec.replicas.is_some_and(|r| r < 0) {
        errs.push(invalid(
            "spec.replicas",
            spec.replicas.unwrap_or(0).to_string(),
            "must be greater than or equal to 0",
        ));
    }
    if spec.min_ready_seconds < 0 {
        errs.push(invalid(
            "spec.minReadySeconds",
            spec.min_ready_seconds.to_string(),
            "must be greater than or equal to 0",
        ));
    }
    let pds = ro.progress_deadline_seconds();
    if pds < 0 {
        errs.push(invalid("spec.progressDeadlineSeconds", pds.to_string(), "must be greater than or equal to 0"));
    }
    if pds <= spec.min_ready_seconds {
        errs.push(invalid("spec.progressDeadlineSeconds", pds.to_string(), "must be greater than minReadySeconds"));
    }
    let strategy = &spec.strategy;
    match (&strategy.canary, &strategy.blue_green) {
        (None, None) => errs.push(required(
            "spec.strategy.strategy",
            "Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'",
        )),
        (Some(_), Some(_)) => errs.push(invalid(
            "spec.strategy.strategy",
            quoted("blueGreen: true canary: true"),
            "Multiple Strategies can not be listed",
        )),
        (None, Some(bg)) => {
            if bg.active_service == bg.preview_service {
                errs.push(invalid(
                    "spec.strategy.activeService",
                    quoted(&bg.active_service),
                    "This rollout uses the same service for the active and preview services, but two different services are required.",
                ));
            }
            let limit = spec.revision_history_limit.unwrap_or(10);
            if let Some(l) = bg.scale_down_delay_revision_limit
                && limit < l
            {
                errs.push(invalid(
                    "spec.strategy.scaleDownDelayRevisionLimit",
                    l.to_string(),
                    "This rollout's revision history limit can not be smaller than the rollout's scale down limit",
                ));
            }
        }
        (Some(_), None) => validate_canary(ro, &mut errs),
    }
    errs
}

fn is_literal_zero(v: &Option<IntOrString>) -> bool {
    match v {
        Some(IntOrString::Int(0)) => true,
        Some(IntOrString::String(s)) => s == "0%",
        _ => false,
    }
}

fn validate_canary(ro: &Rollout, errs: &mut Vec<FieldError>) {
    let Some(c) = ro.canary() else { return };
    let base = "spec.strategy.canary";
    if is_literal_zero(&c.max_surge) && is_literal_zero(&c.max_unavailable) {
        errs.push(invalid(format!("{base}.maxSurge"), "0", "MaxSurge and MaxUnavailable both can not be zero"));
    }
    if !c.canary_service.is_empty() && c.canary_service == c.stable_service {
        errs.push(invalid(
            format!("{base}.stableService"),
            quoted(&c.stable_service),
            "This rollout uses the same service for the stable and canary services, but two different services are required.",
        ));
    }
    let tr = c.traffic_routing.as_ref();
    let needs_services = tr.is_some_and(|t| {
        t.alb.is_some()
            || t.istio.as_ref().is_some_and(|i| i.get("destinationRule").is_none())
            || t.smi.is_some()
            || t.apisix.is_some()
            || t.ambassador.is_some()
            || t.nginx.is_some()
            || t.app_mesh.is_some()
            || t.traefik.is_some()
    });
    if needs_services {
        let msg = "Canary service and Stable service must to be set to use Traffic Routing";
        if c.stable_service.is_empty() {
            errs.push(invalid(format!("{base}.stableService"), quoted(""), msg));
        }
        if c.canary_service.is_empty() {
            errs.push(invalid(format!("{base}.canaryService"), quoted(""), msg));
        }
    }
    match tr {
        None => {
            if let Some(s) = c.scale_down_delay_seconds {
                errs.push(invalid(
                    format!("{base}.scaleDownDelaySeconds"),
                    s.to_string(),
                    "Canary scaleDownDelaySeconds can only be used with traffic routing",
                ));
            }
            if c.dynamic_stable_scale {
                errs.push(invalid(
                    format!("{base}.dynamicStableScale"),
                    "true",
                    "Canary dynamicStableScale can only be used with traffic routing",
                ));
            }
        }
        Some(t) => {
            if c.scale_down_delay_seconds.is_some() && c.dynamic_stable_scale {
                errs.push(invalid(
                    format!("{base}.dynamicStableScale"),
                    "true",
                    "Canary dynamicStableScale cannot be used with scaleDownDelaySeconds",
                ));
            }
            if let Some(m) = t.max_traffic_weight
                && t.nginx.is_none()
                && t.plugins.is_none()
            {
                errs.push(invalid(
                    format!("{base}.trafficRouting.maxTrafficWeight"),
                    m.to_string(),
                    "Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins",
                ));
            }
        }
    }
    let max_weight = ro.max_traffic_weight();
    for (i, step) in c.steps.iter().enumerate() {
        let path = format!("{base}.steps[{i}]");
        let exclusive =
            [step.set_weight.is_some(), step.pause.is_some(), step.experiment.is_some(), step.analysis.is_some()];
        if exclusive.iter().filter(|b| **b).count() > 1 {
            errs.push(invalid(
                path.clone(),
                quoted(&format!(
                    "SetWeight: {} Pause: {} Experiment: {} Analysis: {}",
                    exclusive[0], exclusive[1], exclusive[2], exclusive[3]
                )),
                "Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause",
            ));
        }
        let any = exclusive.iter().any(|b| *b)
            || step.set_canary_scale.is_some()
            || step.set_header_route.is_some()
            || step.set_mirror_route.is_some()
            || step.plugin.is_some();
        if !any {
            errs.push(invalid(
                path.clone(),
                quoted("step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoute: true step.Plugin: true"),
                "Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause",
            ));
        }
        if let Some(w) = step.set_weight
            && !(0..=max_weight).contains(&w)
        {
            errs.push(invalid(
                format!("{path}.setWeight"),
                w.to_string(),
                format!("SetWeight needs to be between 0 and {max_weight}"),
            ));
        }
        if let Some(p) = &step.pause
            && p.duration.is_some()
            && p.duration_seconds() < 0
        {
            errs.push(invalid(
                format!("{path}.pause.duration"),
                p.duration_seconds().to_string(),
                "Duration needs to be greater than 0",
            ));
        }
        if step.set_canary_scale.is_some() && tr.is_none() {
            errs.push(required(format!("{base}.trafficRouting"), "SetCanaryScale requires TrafficRouting to be set"));
        }
        if step.set_header_route.is_some()
            && !tr.is_some_and(|t| t.istio.is_some() || t.alb.is_some() || t.apisix.is_some() || t.plugins.is_some())
        {
            errs.push(invalid(
                format!("{path}.setHeaderRoute"),
                "{...}",
                "SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix",
            ));
        }
        if step.set_mirror_route.is_some() && !tr.is_some_and(|t| t.istio.is_some() || t.plugins.is_some()) {
            errs.push(invalid(
                format!("{path}.setMirrorRoute"),
                "{...}",
                "SetMirrorRoute requires TrafficRouting, supports Istio and Plugins",
            ));
        }
        if let Some(t) = tr {
            let route_name = step
                .set_header_route
                .as_ref()
                .map(|h| ("setHeaderRoute", &h.name))
                .or_else(|| step.set_mirror_route.as_ref().map(|m| ("setMirrorRoute", &m.name)));
            if let Some((field, name)) = route_name {
                if t.managed_routes.is_empty() {
                    errs.push(required(
                        format!("{base}.trafficRouting.managedRoutes"),
                        "Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'",
                    ));
                } else if !t.managed_routes.iter().any(|r| &r.name == name) {
                    errs.push(invalid(
                        format!("{path}.{field}"),
                        quoted(name),
                        "Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes",
                    ));
                }
            }
        }
    }
}
