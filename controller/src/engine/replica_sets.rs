//! Scaling ReplicaSets (`rollout/replicaset.go`, `rollout/sync.go:scaleReplicaSet`,
//! `rollout/canary.go:scaleDownOldReplicaSetsForCanary`, `rollout/bluegreen.go`).

use std::time::Duration;

use augur_analysis_core::spec::Time;

use super::Ctx;
use crate::action::Action;
use crate::replicas;

impl Ctx<'_> {
    /// `scaleReplicaSetAndRecordEvent`: true when the size changed. (Argo does not update its
    /// in-memory object, so neither does the engine.)
    pub(crate) fn scale_rs(&mut self, idx: usize, new_scale: i32) -> bool {
        let r = self.ro.replicas();
        let rs = &self.rss[idx];
        let size_changed = rs.replicas != new_scale;
        if !size_changed && rs.desired_replicas == Some(r) {
            return false;
        }
        let clear_deadline = new_scale == 0 && !self.should_delay_scale_down_on_abort();
        let (hash, old, revision) = (rs.hash.clone(), rs.replicas, rs.revision);
        self.actions.push(Action::ScaleReplicaSet {
            hash: hash.clone(),
            replicas: new_scale,
            rollout_replicas: r,
            clear_deadline,
        });
        if size_changed {
            let dir = if old < new_scale { "up" } else { "down" };
            // The ReplicaSet's name (`<rollout>-<hash>`) written in place.
            let rollout = self.ro.name();
            self.event(
                "ScalingReplicaSet",
                format!("Scaled {dir} ReplicaSet {rollout}-{hash} (revision {revision}) from {old} to {new_scale}"),
                false,
            );
        }
        size_changed
    }

    fn remove_deadline(&mut self, idx: usize) {
        if self.rss[idx].scale_down_deadline.is_some() {
            self.rss.to_mut()[idx].scale_down_deadline = None;
            self.actions.push(Action::SetScaleDownDeadline { hash: self.rss[idx].hash.clone(), at: None });
        }
    }

    fn add_deadline(&mut self, idx: usize, seconds: i32) {
        if seconds == 0 {
            self.remove_deadline(idx);
            return;
        }
        let at = Time::from_unix(self.now_t.unix() + i64::from(seconds));
        self.actions.push(Action::SetScaleDownDeadline { hash: self.rss[idx].hash.clone(), at: Some(at) });
    }

    /// `removeScaleDownDeadlines`: from the new RS (unless delaying on abort) and the stable.
    pub(crate) fn remove_scale_down_deadlines(&mut self) {
        let mut first = None;
        if let Some(n) = self.new_idx
            && !self.should_delay_scale_down_on_abort()
        {
            first = Some(n);
            self.remove_deadline(n);
        }
        if let Some(s) = self.stable_idx
            && (first.is_none() || Some(s) != self.new_idx)
        {
            self.remove_deadline(s);
        }
    }

    /// `shouldDelayScaleDownOnAbort`.
    pub(crate) fn should_delay_scale_down_on_abort(&self) -> bool {
        if !self.pause.is_aborted(self.ro) || self.stable_idx.is_none() {
            return false;
        }
        if self.ro.canary().is_some() && self.ro.traffic_routing().is_none() {
            return false;
        }
        if self.ro.abort_scale_down_delay_seconds().is_none() {
            return false;
        }
        !self.ro.dynamic_stable_scale() || self.ro.has_explicit_abort_scale_down_delay()
    }

    /// `reconcileNewReplicaSet`: true when it scaled.
    pub(crate) fn reconcile_new_rs(&mut self) -> bool {
        let Some(n) = self.new_idx else { return false };
        let weights = self.new_status.canary.weights.clone();
        let mut count = replicas::new_rs_replicas(self.ro, &self.rss, &self.rss[n], weights.as_ref());
        if self.should_delay_scale_down_on_abort() {
            let delay = self.ro.abort_scale_down_delay_seconds();
            if let Some(deadline) = self.rss[n].scale_down_deadline {
                let at = deadline.to_system();
                if at > self.now {
                    let remaining = at.duration_since(self.now).unwrap_or(Duration::ZERO);
                    if remaining < self.options.resync_period {
                        self.requeue_at(at);
                        let keep = self.rss[n].replicas;
                        self.scale_rs(n, keep);
                        return false;
                    }
                } else {
                    count = 0;
                }
            } else if let Some(delay) = delay {
                let keep = self.rss[n].replicas;
                self.scale_rs(n, keep);
                if self.stable_rs().is_some_and(|s| s.available >= self.ro.replicas()) {
                    self.add_deadline(n, delay);
                    self.requeue_after(Duration::from_secs(delay.max(0) as u64));
                }
                return false;
            }
        }
        self.scale_rs(n, count)
    }

    /// `scaleDownDelayHelper`: `(annotated, desired)`.
    fn scale_down_delay_helper(&mut self, idx: usize, mut annotated: i32, keep: i32) -> (i32, i32) {
        let limit = self.ro.scale_down_revision_limit();
        let rs = &self.rss[idx];
        let mut desired = 0;
        match rs.scale_down_deadline {
            None if rs.replicas > 0 && annotated < limit => {
                annotated += 1;
                desired = rs.replicas;
                let delay = self.ro.scale_down_delay_seconds();
                self.add_deadline(idx, delay);
                self.requeue_after(Duration::from_secs(delay.max(0) as u64));
            }
            None => {}
            Some(deadline) => {
                annotated += 1;
                if annotated <= limit {
                    let at = deadline.to_system();
                    if at > self.now {
                        self.requeue_at(at);
                        desired = keep;
                    }
                }
            }
        }
        (annotated, desired)
    }

    /// `isReplicaSetReferenced`.
    fn is_referenced(&self, idx: usize) -> bool {
        let hash = &self.rss[idx].hash;
        if hash.is_empty() {
            return false;
        }
        let st = &self.ro.status;
        let mut refs = vec![
            st.stable_rs.as_str(),
            st.current_pod_hash.as_str(),
            st.blue_green.active_selector.as_str(),
            st.blue_green.preview_selector.as_str(),
        ];
        if let Some(w) = &st.canary.weights {
            refs.push(&w.canary.pod_template_hash);
            refs.push(&w.stable.pod_template_hash);
        }
        if refs.contains(&hash.as_str()) {
            return true;
        }
        let services: Vec<&String> = match (self.ro.canary(), self.ro.blue_green()) {
            (Some(c), _) => vec![&c.canary_service, &c.stable_service],
            (None, Some(b)) => vec![&b.active_service, &b.preview_service],
            _ => vec![],
        };
        services
            .into_iter()
            .filter(|s| !s.is_empty())
            .any(|s| self.services.get(s).is_some_and(|svc| svc.selector.as_deref() == Some(hash.as_str())))
    }

    /// `reconcileOtherReplicaSets`: true when it scaled.
    pub(crate) fn reconcile_other_rss(&mut self) -> bool {
        let others: Vec<usize> = self.other_indices().into_iter().filter(|&i| self.rss[i].replicas > 0).collect();
        if others.is_empty() {
            return false;
        }
        if self.ro.canary().is_some() {
            self.scale_down_old_canary(others) > 0
        } else {
            self.scale_down_old_blue_green(others)
        }
    }

    /// `scaleDownOldReplicaSetsForCanary`: the number of pods scaled down.
    fn scale_down_old_canary(&mut self, mut others: Vec<usize>) -> i32 {
        // cleanupUnhealthyReplicas: oldest first, down to what is available.
        others.sort_by_key(|&i| self.rss[i].created);
        let mut total = 0;
        for &i in &others {
            let rs = &self.rss[i];
            if rs.replicas == 0 || rs.replicas == rs.available {
                continue;
            }
            if rs.available > rs.replicas {
                return 0;
            }
            let (down, to) = (rs.replicas - rs.available, rs.available);
            self.scale_rs(i, to);
            self.rss.to_mut()[i].replicas = to;
            total += down;
        }
        let available: i32 = self.rss.iter().map(|rs| rs.available).sum();
        let min_available = self.ro.replicas() - replicas::max_unavailable(self.ro);
        let mut max_scale_down = available - min_available;
        if max_scale_down <= 0 {
            return 0;
        }
        others.sort_by_key(|&i| std::cmp::Reverse(self.rss[i].revision));
        let routed = self.ro.traffic_routing().is_some();
        let mut annotated = 0;
        for i in others {
            if routed && self.is_referenced(i) {
                continue;
            }
            if max_scale_down <= 0 {
                break;
            }
            let replicas = self.rss[i].replicas;
            if replicas == 0 {
                continue;
            }
            let mut desired = 0;
            if !routed {
                if replicas > max_scale_down {
                    desired = replicas - max_scale_down;
                }
            } else if (self.ro.is_fully_promoted() || self.rss[i].scale_down_deadline.is_some())
                && !self.ro.dynamic_stable_scale()
            {
                (annotated, desired) = self.scale_down_delay_helper(i, annotated, replicas);
            }
            if replicas == desired {
                continue;
            }
            self.scale_rs(i, desired);
            max_scale_down -= replicas - desired;
            total += replicas - desired;
        }
        total
    }

    /// `scaleDownOldReplicaSetsForBlueGreen`.
    fn scale_down_old_blue_green(&mut self, mut others: Vec<usize>) -> bool {
        if self.ro.status.pause_condition(crate::rollout::PauseReason::InconclusiveAnalysis).is_some() {
            return false;
        }
        let bg = self.ro.blue_green().cloned().unwrap_or_default();
        if bg.post_promotion_analysis.is_some()
            && bg.scale_down_delay_seconds.is_none()
            && !self.skip_post_promotion_analysis()
            && !self.current.post.as_ref().is_some_and(|r| r.phase == Some(augur_analysis_core::Phase::Successful))
        {
            return false;
        }
        others.sort_by_key(|&i| std::cmp::Reverse(self.rss[i].revision));
        let mut scaled = false;
        let mut annotated = 0;
        let r = self.ro.replicas();
        for i in others {
            if self.is_referenced(i) || self.rss[i].replicas == 0 {
                continue;
            }
            let desired;
            (annotated, desired) = self.scale_down_delay_helper(i, annotated, r);
            if self.rss[i].replicas == desired {
                continue;
            }
            self.scale_rs(i, desired);
            scaled = true;
        }
        scaled
    }

    /// `isScalingEvent`: the new or stable RS was last scaled for another rollout size.
    pub(crate) fn is_scaling_event(&self) -> bool {
        let r = self.ro.replicas();
        [self.new_idx, self.stable_idx]
            .into_iter()
            .flatten()
            .map(|i| &self.rss[i])
            .filter(|rs| rs.replicas > 0)
            .any(|rs| rs.desired_replicas.is_some_and(|d| d != r))
    }

    /// `syncReplicasOnly`.
    pub(crate) fn sync_replicas_only(&mut self) {
        let mut st = self.ro.status.clone();
        if self.ro.blue_green().is_some() {
            self.reconcile_blue_green_rss();
            match replicas::find(&self.rss, &st.blue_green.active_selector) {
                Some(a) => {
                    st.hpa_replicas = a.status_replicas;
                    st.available_replicas = a.available;
                }
                None => {
                    st.hpa_replicas = self.rss.iter().map(|rs| rs.status_replicas).sum();
                    st.available_replicas = self.rss.iter().map(|rs| rs.available).sum();
                }
            }
        } else {
            self.reconcile_canary_rss();
            st.available_replicas = self.rss.iter().map(|rs| rs.available).sum();
            st.hpa_replicas = self.rss.iter().map(|rs| rs.status_replicas).sum();
        }
        self.persist(st);
    }
}
