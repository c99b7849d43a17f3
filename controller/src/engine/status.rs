//! Conditions, phase and status persistence (`rollout/sync.go`, `utils/conditions`,
//! `utils/rollout/rolloututil.go:CalculateRolloutPhase`).

use std::time::Duration;

use std::borrow::Cow;

use augur_analysis_core::spec::Time;

use super::Ctx;
use crate::rollout::{Rollout, RolloutCondition, RolloutPhase, RolloutStatus, SharedStr};

/// `NewRolloutCondition`.
pub(crate) fn new_condition(
    kind: &'static str,
    status: &'static str,
    reason: &'static str,
    message: impl Into<SharedStr>,
    now: Time,
) -> RolloutCondition {
    RolloutCondition {
        kind: Cow::Borrowed(kind),
        status: Cow::Borrowed(status),
        last_update_time: now,
        last_transition_time: now,
        reason: Cow::Borrowed(reason),
        message: message.into(),
    }
}

/// Whether [`set_condition`] with this type, status and reason would change nothing.
fn condition_unchanged(st: &RolloutStatus, kind: &str, status: &str, reason: &str) -> bool {
    st.conditions.iter().any(|c| c.kind == kind && c.status == status && c.reason == reason)
}

/// `SetRolloutCondition`: no change when status and reason are unchanged; the transition
/// time is kept when only the reason changes. Returns whether it changed anything.
pub fn set_condition(status: &mut RolloutStatus, mut cond: RolloutCondition) -> bool {
    if let Some(cur) = status.conditions.iter().find(|c| c.kind == cond.kind) {
        if cur.status == cond.status && cur.reason == cond.reason {
            return false;
        }
        if cur.status == cond.status {
            cond.last_transition_time = cur.last_transition_time;
        }
    }
    status.conditions.retain(|c| c.kind != cond.kind);
    status.conditions.push(cond);
    true
}

fn remove_condition(status: &mut RolloutStatus, kind: &str) {
    status.conditions.retain(|c| c.kind != kind);
}

/// `CalculateRolloutPhase`: first match wins.
pub fn calculate_phase(ro: &Rollout, st: &RolloutStatus) -> (RolloutPhase, Cow<'static, str>) {
    for c in &st.conditions {
        if c.kind == "InvalidSpec" {
            return (RolloutPhase::Degraded, format!("InvalidSpec: {}", c.message).into());
        }
        if c.reason == "RolloutAborted" || c.reason == "ProgressDeadlineExceeded" {
            return (RolloutPhase::Degraded, format!("{}: {}", c.reason, c.message).into());
        }
    }
    if ro.spec.paused {
        return (RolloutPhase::Paused, "manually paused".into());
    }
    if let Some(c) = st.pause_conditions.first() {
        return (RolloutPhase::Paused, c.reason.as_str().into());
    }
    if ro.spec.restart_at.is_some() && ro.spec.restart_at != st.restarted_at {
        return (RolloutPhase::Progressing, "rollout is restarting".into());
    }
    if st.updated_replicas < ro.replicas() {
        return (RolloutPhase::Progressing, "more replicas need to be updated".into());
    }
    if st.available_replicas < st.updated_replicas {
        return (RolloutPhase::Progressing, "updated replicas are still becoming available".into());
    }
    let fully_promoted = st.stable_rs == st.current_pod_hash;
    if let Some(bg) = ro.blue_green() {
        if st.blue_green.active_selector.is_empty() || st.blue_green.active_selector != st.current_pod_hash {
            return (RolloutPhase::Progressing, "active service cutover pending".into());
        }
        if st.stable_rs.is_empty() || !fully_promoted {
            let waiting = bg.post_promotion_analysis.is_some()
                && st
                    .blue_green
                    .post_promotion_analysis_run_status
                    .as_ref()
                    .is_none_or(|s| !s.status.is_some_and(|p| p.is_completed()));
            if waiting {
                return (RolloutPhase::Progressing, "waiting for analysis to complete".into());
            }
            return (RolloutPhase::Progressing, "waiting for post-promotion verification to complete".into());
        }
    } else if let Some(c) = ro.canary() {
        if c.traffic_routing.is_none() && st.replicas > st.updated_replicas {
            return (RolloutPhase::Progressing, "old replicas are pending termination".into());
        }
        if st.stable_rs.is_empty() || !fully_promoted {
            return (RolloutPhase::Progressing, "waiting for all steps to complete".into());
        }
    }
    (RolloutPhase::Healthy, Cow::Borrowed(""))
}

/// `RolloutHealthy`.
fn rollout_healthy(ro: &Rollout, st: &RolloutStatus) -> bool {
    let replicas = ro.replicas();
    let mut completed = true;
    if let Some(bg) = ro.blue_green() {
        let active = st.blue_green.active_selector == st.current_pod_hash;
        let preview = bg.preview_service.is_empty() || st.blue_green.preview_selector == st.current_pod_hash;
        completed = active && preview;
    }
    if ro.canary().is_some() {
        let steps = ro.steps().len() as i32;
        let executed = steps == 0 || st.current_step_index.is_none_or(|i| i == steps);
        let stable = !st.stable_rs.is_empty() && st.stable_rs == st.current_pod_hash;
        completed = executed && stable && st.replicas == replicas;
    }
    st.updated_replicas == replicas && st.available_replicas == replicas && super::generation_observed(ro) && completed
}

/// `RolloutProgressing`.
fn rollout_progressing(ro: &Rollout, new: &RolloutStatus) -> bool {
    let old = &ro.status;
    let mut specific = false;
    if ro.blue_green().is_some() {
        specific = old.blue_green.active_selector != new.blue_green.active_selector
            || old.blue_green.preview_selector != new.blue_green.preview_selector;
    }
    if ro.canary().is_some() {
        let step_changed = matches!((new.current_step_index, old.current_step_index), (Some(a), Some(b)) if a != b);
        specific = new.stable_rs != old.stable_rs || step_changed || new.current_step_hash != old.current_step_hash;
    }
    new.updated_replicas != old.updated_replicas
        || (new.replicas - new.updated_replicas) < (old.replicas - old.updated_replicas)
        || new.ready_replicas > old.ready_replicas
        || new.available_replicas > old.available_replicas
        || specific
}

/// `RolloutTimedOut`.
fn rollout_timed_out(ro: &Rollout, st: &RolloutStatus, now: std::time::SystemTime) -> bool {
    let Some(c) = st.condition("Progressing") else { return false };
    if c.reason == "RolloutAborted" || c.reason == "RolloutPaused" {
        return false;
    }
    if c.reason == "ProgressDeadlineExceeded" {
        return true;
    }
    let deadline = c.last_update_time.to_system() + Duration::from_secs(ro.progress_deadline_seconds().max(0) as u64);
    deadline < now
}

impl Ctx<'_> {
    /// `isIndefiniteStep`.
    fn is_indefinite_step(&self) -> bool {
        if let Some((_, Some(step))) = crate::replicas::current_step(self.ro)
            && (step.experiment.is_some() || step.analysis.is_some() || step.pause.is_some())
        {
            return true;
        }
        self.ro.status.condition("Paused").is_some_and(|c| c.status == "True")
    }

    /// `isWaitingForReplicaSetScaleDown`.
    fn waiting_for_scale_down(&self) -> bool {
        self.other_rss().iter().any(|rs| rs.scale_down_deadline.is_some())
    }

    /// `checkPausedConditions`: true when it patched (the reconcile ends there).
    pub(crate) fn check_paused_conditions(&mut self) -> bool {
        let st = &self.ro.status;
        let prog = st.condition("Progressing");
        let prog_paused = prog.is_some_and(|c| c.reason == "RolloutPaused");
        let paused = !st.pause_conditions.is_empty() || self.ro.spec.paused;
        let abort_cond = prog.is_some_and(|c| c.reason == "RolloutAborted");
        let completed = !st.stable_rs.is_empty() && st.stable_rs == st.current_pod_hash;
        let mut updates = Vec::new();
        if paused != prog_paused && !abort_cond && !completed {
            updates.push(if paused {
                new_condition("Progressing", "Unknown", "RolloutPaused", "Rollout is paused", self.now_t)
            } else {
                new_condition("Progressing", "Unknown", "RolloutResumed", "Rollout is resumed", self.now_t)
            });
        }
        if !st.abort && abort_cond {
            updates.push(new_condition(
                "Progressing",
                "Unknown",
                "RolloutRetry",
                "Retrying Rollout after abort",
                self.now_t,
            ));
        }
        let paused_true = st.condition("Paused").is_some_and(|c| c.status == "True");
        if paused != paused_true && !abort_cond {
            let s = if paused { "True" } else { "False" };
            updates.push(new_condition("Paused", s, "RolloutPaused", "Rollout is paused", self.now_t));
        }
        if updates.is_empty() {
            return false;
        }
        let mut status = st.clone();
        for c in updates {
            set_condition(&mut status, c);
        }
        status.observed_generation = observed_generation(self.ro);
        let (phase, msg) = calculate_phase(self.ro, &status);
        status.phase = Some(phase);
        status.message = msg;
        if status == self.ro.status {
            return false;
        }
        self.out = Some(status);
        true
    }

    /// `calculateBaseStatus`.
    pub(crate) fn base_status(&self) -> crate::rollout::RolloutStatus {
        let mut st = self.new_status.clone();
        st.current_pod_hash = shared(&self.ro.status.current_pod_hash, self.template_hash);
        st.replicas = self.rss.iter().map(|rs| rs.status_replicas).sum();
        st.updated_replicas = self.new_rs().map_or(0, |rs| rs.status_replicas);
        st.ready_replicas = self.rss.iter().map(|rs| rs.ready).sum();
        st.collision_count = self.ro.status.collision_count;
        st.conditions = self.ro.status.conditions.clone();
        st.conditions.retain(|c| c.kind != "InvalidSpec");
        st.promote_full = st.current_pod_hash != st.stable_rs && self.ro.status.promote_full;
        st
    }

    /// `persistRolloutStatus`.
    pub(crate) fn persist(&mut self, mut st: RolloutStatus) {
        st.observed_generation = observed_generation(self.ro);
        self.evaluate_progress_deadline_abort(&st);
        self.pause.apply(self.ro, &mut st, self.now_t);
        self.calculate_conditions(&mut st);
        let (phase, msg) = calculate_phase(self.ro, &st);
        st.phase = Some(phase);
        st.message = msg;
        let unchanged = st == self.ro.status;
        self.unchanged = Some(unchanged);
        if unchanged {
            self.requeue_stuck(&st);
        } else {
            let prev_paused = !self.ro.status.pause_conditions.is_empty();
            let paused = !st.pause_conditions.is_empty();
            if prev_paused != paused {
                if paused {
                    let reason = st.pause_conditions[0].reason.as_str();
                    self.event("RolloutPaused", format!("Rollout is paused ({reason})"), false);
                } else if st.aborted_at.is_none() {
                    self.event("RolloutResumed", "Rollout is resumed".into(), false);
                }
            }
        }
        self.out = Some(st);
    }

    /// `requeueStuckRollout`: wake when the progress deadline would pass.
    fn requeue_stuck(&mut self, st: &RolloutStatus) {
        let Some(c) = self.ro.status.condition("Progressing") else { return };
        let paused = !self.ro.status.pause_conditions.is_empty() || self.ro.spec.paused;
        if rollout_healthy(self.ro, st)
            || c.reason == "ProgressDeadlineExceeded"
            || paused
            || self.ro.status.abort
            || self.is_indefinite_step()
        {
            return;
        }
        let deadline =
            c.last_update_time.to_system() + Duration::from_secs(self.ro.progress_deadline_seconds().max(0) as u64);
        self.requeue_at(deadline + Duration::from_secs(1));
    }

    /// `evaluateProgressDeadlineAbort`.
    fn evaluate_progress_deadline_abort(&mut self, st: &RolloutStatus) {
        if !self.ro.spec.progress_deadline_abort || self.pause.is_aborted(self.ro) {
            return;
        }
        if !st.stable_rs.is_empty() && st.stable_rs == st.current_pod_hash {
            return;
        }
        if rollout_progressing(self.ro, st) || self.is_indefinite_step() || self.waiting_for_scale_down() {
            return;
        }
        if !rollout_timed_out(self.ro, &self.ro.status, self.now) {
            return;
        }
        let msg = format!("ReplicaSet {:?} has timed out progressing.", self.rs_name(self.new_hash_str()));
        self.pause.add_abort(msg.clone());
        self.event("RolloutAborted", msg, true);
    }

    /// `calculateRolloutConditions`.
    fn calculate_conditions(&mut self, st: &mut RolloutStatus) {
        let paused = !st.pause_conditions.is_empty() || self.ro.spec.paused;
        let aborted = self.pause.is_aborted(self.ro);
        let mut became_unhealthy = false;
        let had_healthy = self.ro.status.condition("Healthy").is_some();
        if !paused && rollout_healthy(self.ro, st) {
            set_condition(st, new_condition("Healthy", "True", "RolloutHealthy", "Rollout is healthy", self.now_t));
        } else if had_healthy {
            became_unhealthy = set_condition(
                st,
                new_condition("Healthy", "False", "RolloutHealthy", "Rollout is not healthy", self.now_t),
            );
        }
        if aborted && !condition_unchanged(st, "Progressing", "False", "RolloutAborted") {
            let mut message = format!("Rollout aborted update to revision {}", self.revision());
            if !self.pause.abort_message.is_empty() {
                message = format!("{message}: {}", self.pause.abort_message);
            }
            if set_condition(st, new_condition("Progressing", "False", "RolloutAborted", message.clone(), self.now_t)) {
                self.event("RolloutAborted", message, true);
            }
        }
        if !aborted {
            let rs_name = || self.rs_name(self.new_hash_str());
            if rollout_healthy(self.ro, st) {
                if condition_unchanged(st, "Progressing", "True", "NewReplicaSetAvailable") {
                    return self.set_available_and_completed(st);
                }
                let msg = format!("ReplicaSet {:?} has successfully progressed.", rs_name());
                set_condition(st, new_condition("Progressing", "True", "NewReplicaSetAvailable", msg, self.now_t));
            } else if rollout_progressing(self.ro, st) || became_unhealthy {
                let mut msg = format!("ReplicaSet {:?} is progressing.", rs_name());
                let reason = if st.stable_rs == st.current_pod_hash && became_unhealthy {
                    msg = "Rollout does not have minimum availability".into();
                    "ReplicaSetNotAvailable"
                } else {
                    "ReplicaSetUpdated"
                };
                let mut cond = new_condition("Progressing", "True", reason, msg, self.now_t);
                if let Some(cur) = self.ro.status.condition("Progressing") {
                    if cur.status == "True" {
                        cond.last_transition_time = cur.last_transition_time;
                    }
                    remove_condition(st, "Progressing");
                }
                set_condition(st, cond);
            } else if !self.is_indefinite_step()
                && !self.waiting_for_scale_down()
                && rollout_timed_out(self.ro, st, self.now)
                && !condition_unchanged(st, "Progressing", "False", "ProgressDeadlineExceeded")
            {
                let msg = format!("ReplicaSet {:?} has timed out progressing.", rs_name());
                set_condition(st, new_condition("Progressing", "False", "ProgressDeadlineExceeded", msg, self.now_t));
            }
        }
        self.set_available_and_completed(st);
    }

    /// The Available and Completed conditions.
    fn set_available_and_completed(&mut self, st: &mut RolloutStatus) {
        let available = if self.ro.blue_green().is_some() {
            crate::replicas::find(&self.rss, &st.blue_green.active_selector)
                .is_some_and(|rs| rs.is_saturated(self.ro.replicas()))
        } else {
            self.rss.iter().map(|rs| rs.available).sum::<i32>() >= self.ro.replicas()
        };
        let s = if available { "True" } else { "False" };
        if !condition_unchanged(st, "Available", s, "AvailableReason") {
            let message = if available {
                "Rollout has minimum availability"
            } else {
                "Rollout does not have minimum availability"
            };
            set_condition(st, new_condition("Available", s, "AvailableReason", message, self.now_t));
        }
        let completed = !st.stable_rs.is_empty() && st.stable_rs == st.current_pod_hash;
        let s = if completed { "True" } else { "False" };
        if !condition_unchanged(st, "Completed", s, "RolloutCompleted")
            && set_condition(st, new_condition("Completed", s, "RolloutCompleted", "RolloutCompleted", self.now_t))
            && !completed
        {
            let revision = self.revision();
            let hash = st.current_pod_hash.clone();
            self.event(
                "RolloutNotCompleted",
                format!("Rollout went to not completed state started update to revision {revision} ({hash})"),
                false,
            );
        }
    }

    /// `resetRolloutStatus`.
    pub(crate) fn reset_status(&mut self, st: &mut RolloutStatus) {
        self.pause.clear();
        self.pause.remove_abort();
        st.restarted_at = self.ro.spec.restart_at;
        st.promote_full = false;
        st.blue_green.pre_promotion_analysis_run_status = None;
        st.blue_green.post_promotion_analysis_run_status = None;
        st.blue_green.scale_up_preview_check_point = false;
        st.canary.current_step_analysis_run_status = None;
        st.canary.current_background_analysis_run_status = None;
        st.current_step_index = if self.ro.steps().is_empty() || self.ro.canary().is_none() { None } else { Some(0) };
    }

    /// `isRollback`.
    pub(crate) fn is_rollback(&self) -> bool {
        let (Some(new), Some(stable)) = (self.new_rs(), self.stable_rs()) else { return false };
        self.ro.status.stable_rs == new.hash || new.created < stable.created
    }

    /// `isRollbackWithinWindow`.
    pub(crate) fn is_rollback_within_window(&self) -> bool {
        let (Some(new), Some(stable)) = (self.new_rs(), self.stable_rs()) else { return false };
        if new.created >= stable.created {
            return false;
        }
        let Some(window) = &self.ro.spec.rollback_window else { return false };
        if window.revisions <= 0 {
            return false;
        }
        let between = self.rss.iter().filter(|rs| rs.created < stable.created && new.created < rs.created).count();
        (between as i32) < window.revisions
    }

    /// `isFastRollback`.
    pub(crate) fn is_fast_rollback(&self) -> bool {
        if !self.is_rollback() {
            return false;
        }
        let new_hash = self.new_hash_str();
        let within_delay = self.new_rs_within_delay && self.ro.blue_green().is_some();
        self.is_rollback_within_window() || within_delay || self.ro.status.stable_rs == new_hash
    }

    /// `shouldFullPromote`: the reason, or None.
    pub(crate) fn should_full_promote(&self, st: &RolloutStatus) -> Option<String> {
        if self.stable_rs().is_none() {
            return Some("Initial deploy".into());
        }
        if self.ro.canary().is_some() {
            if self.pause.is_aborted(self.ro) {
                return None;
            }
            let r = self.ro.replicas();
            let new = self.new_rs()?;
            if new.available < r && !crate::replicas::progress_threshold_met(self.ro, Some(new), r) {
                return None;
            }
            if let Some(reason) = self.requested_or_rollback() {
                return Some(reason);
            }
            let steps = self.ro.steps().len() as i32;
            let index = crate::replicas::current_step(self.ro).map(|(i, _)| i);
            if steps == 0 || index == Some(steps) {
                return Some(format!("Completed all {steps} canary steps"));
            }
            None
        } else {
            if st.blue_green.active_selector.is_empty() {
                return Some("Initial deploy".into());
            }
            if st.blue_green.active_selector != st.current_pod_hash {
                return None;
            }
            if let Some(reason) = self.requested_or_rollback() {
                return Some(reason);
            }
            if self.pause.is_aborted(self.ro) {
                return None;
            }
            if self.ro.blue_green().is_some_and(|b| b.post_promotion_analysis.is_some())
                && !self.current.post.as_ref().is_some_and(|r| r.phase == Some(augur_analysis_core::Phase::Successful))
            {
                return None;
            }
            Some("Completed blue-green update".into())
        }
    }

    /// The promotion reasons both strategies share: a requested full promotion, then a fast
    /// rollback.
    fn requested_or_rollback(&self) -> Option<String> {
        if self.ro.status.promote_full {
            return Some("Full promotion requested".into());
        }
        if self.is_fast_rollback() {
            let reason = if self.is_rollback_within_window() { "Rollback within window" } else { "Fast rollback" };
            return Some(reason.into());
        }
        None
    }

    /// `promoteStable`.
    pub(crate) fn promote_stable(&mut self, st: &mut RolloutStatus, reason: &str) {
        self.pause.clear();
        self.pause.remove_abort();
        st.promote_full = false;
        st.blue_green.scale_up_preview_check_point = false;
        if self.ro.canary().is_some() {
            let steps = self.ro.steps().len() as i32;
            st.current_step_index = if steps > 0 { Some(steps) } else { None };
        }
        if st.stable_rs != st.current_pod_hash {
            st.stable_rs = st.current_pod_hash.clone();
            let revision = self.revision();
            let hash = st.current_pod_hash.clone();
            self.event(
                "RolloutCompleted",
                format!("Rollout completed update to revision {revision} ({hash}): {reason}"),
                false,
            );
        }
    }
}

/// `strconv.Itoa(generation)` for `status.observedGeneration`: the persisted text, shared,
/// when it already says this generation.
pub(crate) fn observed_generation(ro: &Rollout) -> SharedStr {
    if super::generation_observed(ro) {
        ro.status.observed_generation.clone()
    } else {
        ro.generation().to_string().into()
    }
}

/// `text` as a [`SharedStr`]: `previous` (shared, no copy) when it holds the same text.
pub(crate) fn shared(previous: &SharedStr, text: &str) -> SharedStr {
    if previous == text { previous.clone() } else { SharedStr::from(text.to_string()) }
}
