//! The blue-green strategy (`rollout/bluegreen.go`, `rollout/service.go`).

use super::Ctx;
use crate::replicas;
use crate::rollout::PauseReason;

impl Ctx<'_> {
    fn active_selector(&self) -> Option<String> {
        let bg = self.ro.blue_green()?;
        self.services.get(&bg.active_service).and_then(|s| s.selector.clone())
    }

    fn preview_selector(&self) -> Option<String> {
        let bg = self.ro.blue_green()?;
        if bg.preview_service.is_empty() {
            return None;
        }
        self.services.get(&bg.preview_service).and_then(|s| s.selector.clone())
    }

    /// `CheckPodSpecChange`.
    fn pod_spec_changed(&self) -> bool {
        let st = &self.ro.status;
        !st.current_pod_hash.is_empty() && st.current_pod_hash != self.template_hash
    }

    /// `rolloutBlueGreen`.
    pub(crate) fn rollout_blue_green(&mut self) {
        self.sync_revision();
        self.reconcile_preview_service();
        if self.pod_spec_changed() {
            self.sync_status_blue_green();
            return;
        }
        self.reconcile_blue_green_rss();
        self.reconcile_blue_green_pause();
        self.reconcile_active_service();
        self.reconcile_analysis_runs();
        self.sync_status_blue_green();
    }

    /// `reconcileBlueGreenReplicaSets`.
    pub(crate) fn reconcile_blue_green_rss(&mut self) {
        self.remove_scale_down_deadlines();
        if let Some(s) = self.stable_idx {
            let r = self.ro.replicas();
            self.scale_rs(s, r);
        }
        self.reconcile_new_rs();
        self.reconcile_other_rss();
    }

    fn reconcile_preview_service(&mut self) {
        let Some(bg) = self.ro.blue_green() else { return };
        if bg.preview_service.is_empty() || self.halt_progress().is_some() {
            return;
        }
        let svc = bg.preview_service.clone();
        let hash = self.new_hash();
        if self.services.contains_key(&svc) {
            self.switch_service(&svc, &hash);
        }
    }

    /// `isBlueGreenFastTracked`.
    fn fast_tracked(&self) -> bool {
        if self.is_fast_rollback() || self.ro.status.promote_full {
            return true;
        }
        match self.active_selector() {
            None => true,
            Some(a) => a == self.new_hash_str(),
        }
    }

    /// `ReadyForPause`.
    fn ready_for_pause(&self) -> bool {
        let Some(new) = self.new_rs() else { return false };
        let count = replicas::new_rs_replicas(self.ro, &self.rss, new, None);
        new.replicas == count && new.available == count
    }

    fn completed_pre_promotion(&self) -> bool {
        self.ro.blue_green().is_none_or(|b| b.pre_promotion_analysis.is_none())
            || self.current.pre.as_ref().is_some_and(|r| r.phase == Some(augur_analysis_core::Phase::Successful))
    }

    /// `reconcileBlueGreenPause`.
    fn reconcile_blue_green_pause(&mut self) {
        if self.ro.status.abort || !self.ready_for_pause() || self.halt_progress().is_some() {
            return;
        }
        let Some(bg) = self.ro.blue_green().cloned() else { return };
        if self.fast_tracked() || self.ro.status.blue_green.scale_up_preview_check_point {
            self.pause.remove_pause(PauseReason::BlueGreenPause);
            return;
        }
        let needs_pause = bg.auto_promotion_enabled == Some(false) || bg.auto_promotion_seconds > 0;
        if !needs_pause {
            self.pause.remove_pause(PauseReason::BlueGreenPause);
            return;
        }
        if !self.completed_pre_promotion() {
            return;
        }
        match self.ro.status.pause_condition(PauseReason::BlueGreenPause) {
            Some(cond) => {
                if !self.pause.completed_blue_green_pause(self.ro, self.now) {
                    if bg.auto_promotion_seconds > 0 {
                        let at = cond.start_time.to_system()
                            + std::time::Duration::from_secs(bg.auto_promotion_seconds as u64);
                        self.requeue_at(at + std::time::Duration::from_nanos(1));
                    }
                } else {
                    self.pause.remove_pause(PauseReason::BlueGreenPause);
                }
            }
            None => {
                if !self.ro.status.controller_pause {
                    self.pause.add_pause(PauseReason::BlueGreenPause);
                }
            }
        }
    }

    /// `reconcileActiveService`.
    fn reconcile_active_service(&mut self) {
        if self.halt_progress().is_some() {
            return;
        }
        let r = self.ro.replicas();
        if !self.ready_for_pause() || !self.new_rs().is_some_and(|n| n.is_saturated(r)) {
            return;
        }
        let Some(bg) = self.ro.blue_green().cloned() else { return };
        let mut hash = self.active_selector().unwrap_or_default();
        if self.fast_tracked() {
            hash = self.new_hash();
        }
        if self.pause.completed_blue_green_pause(self.ro, self.now) && self.completed_pre_promotion() {
            hash = self.new_hash();
        }
        if self.ro.status.abort {
            hash = self.ro.status.stable_rs.to_string();
        }
        if self.services.contains_key(&bg.active_service) {
            self.switch_service(&bg.active_service, &hash);
        }
    }

    /// `syncRolloutStatusBlueGreen`.
    fn sync_status_blue_green(&mut self) {
        let mut st = self.base_status();
        st.stable_rs = self.ro.status.stable_rs.clone();
        if self.pod_spec_changed() {
            self.reset_status(&mut st);
        }
        if self.ro.status.promote_full || self.is_rollback_within_window() {
            self.pause.clear();
            self.pause.remove_abort();
        }
        st.blue_green.preview_selector = self.preview_selector().unwrap_or_default().into();
        st.blue_green.active_selector = self.active_selector().unwrap_or_default().into();
        if let Some(reason) = self.should_full_promote(&st) {
            self.promote_stable(&mut st, &reason);
        } else {
            st.blue_green.scale_up_preview_check_point = self.scale_up_preview_check_point();
        }
        match replicas::find(&self.rss, &st.blue_green.active_selector) {
            Some(a) => {
                st.hpa_replicas = a.status_replicas;
                st.available_replicas = a.available;
                st.ready_replicas = a.ready;
                st.selector = format!("{},rollouts-pod-template-hash={}", self.prepared.selector, a.hash)
                    .trim_start_matches(',')
                    .to_string()
                    .into();
            }
            None => {
                st.hpa_replicas = self.rss.iter().map(|rs| rs.status_replicas).sum();
                st.available_replicas = self.rss.iter().map(|rs| rs.available).sum();
                st.selector = self.prepared.selector.clone();
            }
        }
        self.persist(st);
    }

    /// `calculateScaleUpPreviewCheckPoint`.
    fn scale_up_preview_check_point(&self) -> bool {
        let Some(preview) = self.ro.blue_green().and_then(|b| b.preview_replica_count) else { return false };
        if self.ro.status.blue_green.scale_up_preview_check_point {
            return true;
        }
        if !self.completed_pre_promotion() || !self.pause.completed_blue_green_pause(self.ro, self.now) {
            return false;
        }
        self.new_rs().is_some_and(|n| n.available == preview)
    }
}
