//! `rollout/pause.go`: pause conditions and abort, collected during a reconcile and applied
//! to the new status at the end (`CalculatePauseStatus`).

use std::time::Duration;

use augur_analysis_core::spec::Time;

use crate::rollout::{PauseCondition, PauseReason, Rollout, RolloutPause, RolloutStatus};

/// What a reconcile decided about pauses and abort.
#[derive(Debug, Clone, Default)]
pub struct PauseContext {
    add: Vec<PauseReason>,
    remove: Vec<PauseReason>,
    clear: bool,
    add_abort: bool,
    remove_abort: bool,
    /// The abort message (`Step-based analysis phase error/failed`, ...).
    pub abort_message: String,
}

impl PauseContext {
    /// A pause was added in this reconcile.
    pub fn has_add_pause(&self) -> bool {
        !self.add.is_empty()
    }

    /// `IsAborted`.
    pub fn is_aborted(&self, ro: &Rollout) -> bool {
        !self.remove_abort && (self.add_abort || ro.status.abort)
    }

    /// `AddAbort`.
    pub fn add_abort(&mut self, message: String) {
        self.add_abort = true;
        self.abort_message = message;
    }

    /// `RemoveAbort`.
    pub fn remove_abort(&mut self) {
        self.remove_abort = true;
    }

    /// `AddPauseCondition`.
    pub fn add_pause(&mut self, reason: PauseReason) {
        self.add.push(reason);
    }

    /// `RemovePauseCondition`.
    pub fn remove_pause(&mut self, reason: PauseReason) {
        self.remove.push(reason);
    }

    /// `ClearPauseConditions`.
    pub fn clear(&mut self) {
        self.clear = true;
    }

    /// `CalculatePauseStatus`: abort first (which leaves the pause conditions empty), then the
    /// pause conditions.
    pub fn apply(&self, ro: &Rollout, new_status: &mut RolloutStatus, now: Time) {
        if self.add_abort || (!self.remove_abort && ro.status.abort) {
            new_status.abort = true;
            new_status.aborted_at = Some(ro.status.aborted_at.unwrap_or(now));
            return;
        }
        new_status.abort = false;
        new_status.aborted_at = None;
        if self.clear {
            return;
        }
        let mut controller_pause = ro.status.controller_pause;
        let mut conditions: Vec<PauseCondition> = Vec::new();
        for c in &ro.status.pause_conditions {
            if !self.remove.contains(&c.reason) {
                conditions.push(c.clone());
            }
        }
        for reason in &self.add {
            if !ro.status.pause_conditions.iter().any(|c| c.reason == *reason)
                && !conditions.iter().any(|c| c.reason == *reason)
            {
                conditions.push(PauseCondition { reason: *reason, start_time: now });
                controller_pause = true;
            }
        }
        if conditions.is_empty() {
            return;
        }
        new_status.controller_pause = controller_pause;
        new_status.pause_conditions = conditions;
    }

    /// `CompletedCanaryPauseStep`: promoted by the user, or the duration has passed (strictly).
    pub fn completed_canary_pause(ro: &Rollout, pause: &RolloutPause, now: std::time::SystemTime) -> bool {
        let cond = ro.status.pause_condition(PauseReason::CanaryPauseStep);
        if ro.status.controller_pause && cond.is_none() {
            return true;
        }
        if let (Some(_), Some(cond)) = (&pause.duration, cond) {
            let secs = pause.duration_seconds().max(0) as u64;
            return now > cond.start_time.to_system() + Duration::from_secs(secs);
        }
        false
    }

    /// `CompletedBlueGreenPause`.
    pub fn completed_blue_green_pause(&self, ro: &Rollout, now: std::time::SystemTime) -> bool {
        let Some(bg) = ro.blue_green() else { return false };
        let cond = ro.status.pause_condition(PauseReason::BlueGreenPause);
        if self.has_add_pause() {
            false
        } else if ro.status.blue_green.scale_up_preview_check_point {
            true
        } else if bg.auto_promotion_enabled.unwrap_or(true) {
            if bg.auto_promotion_seconds == 0 {
                true
            } else if let Some(cond) = cond {
                now > cond.start_time.to_system() + Duration::from_secs(bg.auto_promotion_seconds.max(0) as u64)
            } else {
                false
            }
        } else {
            ro.status.controller_pause && cond.is_none()
        }
    }
}
