//! The canary strategy (`rollout/canary.go`, `rollout/service.go`).

use super::Ctx;
use super::pause::PauseContext;
use crate::action::Action;
use crate::replicas;
use crate::rollout::{CanaryStep, PauseReason};

/// `CanaryStepString`: how events name a step.
pub fn step_string(step: &CanaryStep) -> String {
    if let Some(w) = step.set_weight {
        return format!("setWeight: {w}");
    }
    if let Some(p) = &step.pause {
        return match p.duration_text() {
            Some(d) => format!("pause: {d}"),
            None => "pause".into(),
        };
    }
    if step.experiment.is_some() {
        return "experiment".into();
    }
    if step.analysis.is_some() {
        return "analysis".into();
    }
    if let Some(s) = &step.set_canary_scale {
        if let Some(w) = s.weight {
            return format!("setCanaryScale{{weight: {w}}}");
        } else if s.match_traffic_weight {
            return "setCanaryScale{matchTrafficWeight: true}".into();
        } else if let Some(r) = s.replicas {
            return format!("setCanaryScale{{replicas: {r}}}");
        }
    }
    if let Some(h) = &step.set_header_route {
        return format!("setHeaderRoute: {}", h.name);
    }
    if let Some(m) = &step.set_mirror_route {
        return format!("setMirrorRoute: {}", m.name);
    }
    String::new()
}

impl Ctx<'_> {
    /// `haltProgress`.
    pub(crate) fn halt_progress(&self) -> Option<&'static str> {
        if self.ro.spec.paused {
            return Some("user paused");
        }
        if self.ro.status.pause_condition(PauseReason::InconclusiveAnalysis).is_some() {
            return Some("inconclusive analysis");
        }
        None
    }

    /// `PodTemplateOrStepsChanged`.
    fn pod_template_or_steps_changed(&self) -> bool {
        let st = &self.ro.status;
        if st.current_step_hash.is_empty() || st.current_step_hash != self.prepared.step_hash {
            return true;
        }
        !st.current_pod_hash.is_empty() && st.current_pod_hash != self.template_hash
    }

    /// `rolloutCanary`.
    pub(crate) fn rollout_canary(&mut self) {
        if self.pod_template_or_steps_changed() {
            self.sync_revision();
            self.sync_status_canary();
            return;
        }
        self.sync_revision();
        self.reconcile_stable_and_canary_service();
        self.reconcile_traffic_routing();
        self.reconcile_analysis_runs();
        if self.pause.has_add_pause() {
            self.sync_status_canary();
            return;
        }
        if self.reconcile_canary_rss() {
            self.sync_status_canary();
            return;
        }
        self.reconcile_canary_pause();
        self.sync_status_canary();
    }

    /// `syncReplicaSetRevision`: a reused (rolled-back-to) ReplicaSet gets the next revision.
    pub(crate) fn sync_revision(&mut self) {
        let Some(n) = self.new_idx else { return };
        let max_old =
            self.rss.iter().enumerate().filter(|(i, _)| *i != n).map(|(_, rs)| rs.revision).max().unwrap_or(0);
        if self.rss[n].revision <= max_old {
            let revision = max_old + 1;
            self.rss.to_mut()[n].revision = revision;
            self.actions.push(Action::SetRevision { hash: self.rss[n].hash.clone(), revision });
        }
    }

    /// `reconcileCanaryReplicaSets`: true when something was scaled.
    pub(crate) fn reconcile_canary_rss(&mut self) -> bool {
        if self.halt_progress().is_some() {
            return false;
        }
        self.remove_scale_down_deadlines();
        if self.reconcile_canary_stable_rs() {
            return true;
        }
        if self.reconcile_new_rs() {
            return true;
        }
        self.reconcile_other_rss()
    }

    /// `reconcileCanaryStableReplicaSet`: the stable sized with the *previous* weights.
    fn reconcile_canary_stable_rs(&mut self) -> bool {
        if !replicas::stable_distinct(self.new_rs(), self.stable_rs()) {
            return false;
        }
        let Some(s) = self.stable_idx else { return false };
        let others = self.other_rss();
        let desired = if self.ro.traffic_routing().is_none() {
            replicas::basic_canary_counts(self.ro, self.new_rs(), self.stable_rs(), &others).1
        } else {
            replicas::traffic_routed_counts(
                self.ro,
                self.new_rs(),
                self.stable_rs(),
                self.ro.status.canary.weights.as_ref(),
            )
            .1
        };
        self.scale_rs(s, desired)
    }

    /// `reconcileCanaryPause`.
    fn reconcile_canary_pause(&mut self) {
        if self.ro.spec.paused || self.ro.status.promote_full {
            return;
        }
        let Some((_, Some(step))) = replicas::current_step(self.ro) else { return };
        let Some(pause) = &step.pause else { return };
        match self.ro.status.pause_condition(PauseReason::CanaryPauseStep) {
            None => {
                if !self.ro.status.controller_pause {
                    self.pause.add_pause(PauseReason::CanaryPauseStep);
                }
            }
            Some(cond) => {
                if pause.duration.is_some() {
                    let at = cond.start_time.to_system()
                        + std::time::Duration::from_secs(pause.duration_seconds().max(0) as u64);
                    // Completion needs `now` strictly after the deadline.
                    self.requeue_at(at + std::time::Duration::from_nanos(1));
                }
            }
        }
    }

    /// `completedCurrentCanaryStep`.
    fn completed_current_step(&self) -> bool {
        if self.ro.spec.paused {
            return false;
        }
        let Some((_, Some(step))) = replicas::current_step(self.ro) else { return false };
        let others = self.other_rss();
        let weights = self.new_status.canary.weights.as_ref();
        if let Some(pause) = &step.pause {
            return PauseContext::completed_canary_pause(self.ro, pause, self.now);
        }
        if step.set_canary_scale.is_some() {
            return replicas::at_desired_counts(self.ro, self.new_rs(), self.stable_rs(), &others, weights);
        }
        if step.set_weight.is_some() {
            if !replicas::at_desired_counts(self.ro, self.new_rs(), self.stable_rs(), &others, weights) {
                return false;
            }
            return weights.is_none_or(|w| w.verified != Some(false));
        }
        if step.experiment.is_some() {
            return false;
        }
        if step.analysis.is_some() {
            return self.current.step.as_ref().is_some_and(|r| r.phase == Some(augur_analysis_core::Phase::Successful));
        }
        step.set_header_route.is_some() || step.set_mirror_route.is_some()
    }

    /// `syncRolloutStatusCanary`: where the step index moves.
    fn sync_status_canary(&mut self) {
        let mut st = self.base_status();
        st.available_replicas = self.rss.iter().map(|rs| rs.available).sum();
        st.hpa_replicas = self.rss.iter().map(|rs| rs.status_replicas).sum();
        st.selector = self.prepared.selector.clone();
        st.stable_rs = self.ro.status.stable_rs.clone();
        st.current_step_hash = self.prepared.step_hash.clone();
        let step_count = self.ro.steps().len() as i32;
        let ro = self.ro;
        let current_step = replicas::current_step(ro).and_then(|(_, s)| s);
        let mut index = replicas::current_step(self.ro).map(|(i, _)| i);

        if self.pod_template_or_steps_changed() {
            self.reset_status(&mut st);
            if self.new_idx.is_some() && step_count > 0 {
                let new_hash = self.new_hash();
                if self.ro.status.stable_rs == new_hash {
                    self.event("SkipSteps", "Rollback to stable ReplicaSets".into(), false);
                    st.current_step_index = Some(step_count);
                } else if self.is_rollback_within_window() && self.new_rs().is_some_and(|rs| rs.replicas > 0) {
                    self.event("SkipSteps", "Rollback to active ReplicaSets within RollbackWindow".into(), false);
                    st.current_step_index = Some(step_count);
                }
            }
            self.persist(st);
            return;
        }
        if self.ro.status.promote_full || self.is_rollback_within_window() {
            self.pause.clear();
            self.pause.remove_abort();
            if step_count > 0 {
                index = Some(step_count);
            }
        }
        if let Some(reason) = self.should_full_promote(&st) {
            self.promote_stable(&mut st, &reason);
            self.persist(st);
            return;
        }
        if self.pause.is_aborted(self.ro) {
            if step_count > 0 {
                st.current_step_index = Some(if st.stable_rs == st.current_pod_hash { step_count } else { 0 });
            }
            self.persist(st);
            return;
        }
        if self.completed_current_step()
            && let (Some(step), Some(i)) = (current_step, index)
        {
            // Go increments the index variable, which a full promotion has already pointed
            // at the step count.
            let text = step_string(step);
            let next = i + 1;
            index = Some(next);
            st.canary.current_step_analysis_run_status = None;
            self.event("RolloutStepCompleted", format!("Rollout step {next}/{step_count} completed ({text})"), false);
            self.pause.remove_pause(PauseReason::CanaryPauseStep);
        }
        st.current_step_index = index;
        self.persist(st);
    }

    /// `reconcileStableAndCanaryService`.
    fn reconcile_stable_and_canary_service(&mut self) {
        let ro = self.ro;
        let Some(c) = ro.canary() else { return };
        let (stable_svc, canary_svc) = (&c.stable_service, &c.canary_service);
        self.ensure_svc_targets(stable_svc, self.stable_idx, true);
        if self.pause.is_aborted(self.ro) && self.ro.traffic_routing().is_none() {
            self.ensure_svc_targets(canary_svc, self.stable_idx, true);
            return;
        }
        if self.dynamically_rolling_back_to_stable().is_some() {
            return;
        }
        self.ensure_svc_targets(canary_svc, self.new_idx, true);
    }

    /// `IsDynamicallyRollingBackToStable`: the previously recorded canary hash.
    pub(crate) fn dynamically_rolling_back_to_stable(&self) -> Option<String> {
        if !self.ro.is_fully_promoted() || self.ro.traffic_routing().is_none() || !self.ro.dynamic_stable_scale() {
            return None;
        }
        let w = self.ro.status.canary.weights.as_ref()?;
        let new = self.new_rs()?;
        if w.canary.pod_template_hash == new.hash || new.available >= self.ro.replicas() {
            return None;
        }
        Some(w.canary.pod_template_hash.clone())
    }

    /// `ensureSVCTargets`.
    pub(crate) fn ensure_svc_targets(&mut self, service: &str, rs: Option<usize>, check_availability: bool) {
        let Some(i) = rs else { return };
        if service.is_empty() {
            return;
        }
        let Some(svc) = self.services.get(service) else { return };
        let rs = &self.rss[i];
        if svc.selector.as_deref() == Some(rs.hash.as_str()) {
            return;
        }
        if !svc.managed && check_availability && !(rs.replicas != 0 && rs.available != 0 && rs.replicas <= rs.available)
        {
            return;
        }
        if check_availability && rs.available == 0 {
            return;
        }
        let hash = rs.hash.clone();
        self.switch_service(service, &hash);
    }

    /// `switchServiceSelector`.
    pub(crate) fn switch_service(&mut self, service: &str, hash: &str) {
        let Some(svc) = self.services.get(service) else { return };
        if svc.selector.as_deref() == Some(hash) && svc.managed {
            return;
        }
        let old = svc.selector.clone().unwrap_or_default();
        let Some(svc) = self.services.to_mut().get_mut(service) else { return };
        svc.selector = Some(hash.to_string());
        svc.managed = true;
        self.actions.push(Action::SwitchService { service: service.to_string(), hash: hash.to_string() });
        self.event(
            "SwitchService",
            format!("Switched selector for service '{service}' from '{old}' to '{hash}'"),
            false,
        );
    }
}

/// `metav1.FormatLabelSelector` for a selector with matchLabels only.
pub(crate) fn selector_string(selector: Option<&serde_json::Value>) -> String {
    let Some(labels) = selector.and_then(|s| s.get("matchLabels")).and_then(|m| m.as_object()) else {
        return String::new();
    };
    let mut pairs: Vec<String> =
        labels.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect();
    pairs.sort();
    pairs.join(",")
}
