//! The simulation's timeline: what an operator would watch, recorded whenever it changes.

use std::time::Duration;

use serde::Serialize;

use super::Cluster;
use crate::rollout::RolloutPhase;

/// What the rollout looks like at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// `currentStepIndex` (None without steps).
    pub step: Option<i32>,
    /// The number of canary steps.
    pub steps: i32,
    /// The step's name (`setWeight: 20`), if one is current.
    pub step_name: String,
    /// Pods of the new revision: spec and available.
    pub canary_replicas: i32,
    /// Available pods of the new revision.
    pub canary_available: i32,
    /// Pods of the stable revision (when different from the new one).
    pub stable_replicas: i32,
    /// Pods of other revisions.
    pub other_replicas: i32,
    /// The canary weight in status (traffic routing only).
    pub canary_weight: Option<i32>,
    /// The stable weight in status.
    pub stable_weight: Option<i32>,
    /// Header and mirror routes installed.
    pub routes: Vec<String>,
    /// Analysis phases shown in status, `kind=phase`.
    pub analysis: Vec<String>,
    /// Phase.
    pub phase: Option<RolloutPhase>,
    /// Message.
    pub message: String,
    /// Aborted.
    pub abort: bool,
}

/// One entry: when, the snapshot, and the controller's events since the previous entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    /// Virtual time since the start.
    #[serde(serialize_with = "seconds")]
    pub at: Duration,
    /// The state.
    #[serde(flatten)]
    pub snapshot: Snapshot,
    /// Event messages since the previous entry.
    pub events: Vec<String>,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

impl Cluster {
    /// The rollout as it is now.
    pub fn snapshot(&self) -> Snapshot {
        let st = &self.rollout.status;
        let new = self.replica_set(&self.template_hash);
        let stable = if st.stable_rs != self.template_hash { self.replica_set(&st.stable_rs) } else { None };
        let other: i32 = self
            .workload
            .replica_sets
            .iter()
            .filter(|r| r.hash != self.template_hash && r.hash != st.stable_rs)
            .map(|r| r.replicas)
            .sum();
        let steps = self.rollout.steps();
        let step_name = st
            .current_step_index
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| steps.get(i))
            .map(crate::engine::step_string)
            .unwrap_or_default();
        let mut analysis = Vec::new();
        let kinds = [
            ("step", &st.canary.current_step_analysis_run_status),
            ("background", &st.canary.current_background_analysis_run_status),
            ("prePromotion", &st.blue_green.pre_promotion_analysis_run_status),
            ("postPromotion", &st.blue_green.post_promotion_analysis_run_status),
        ];
        for (kind, s) in kinds {
            if let Some(s) = s {
                analysis.push(format!("{kind}={}", s.status.map_or("Pending", |p| p.as_str())));
            }
        }
        Snapshot {
            step: st.current_step_index,
            steps: steps.len() as i32,
            step_name,
            canary_replicas: new.map_or(0, |r| r.replicas),
            canary_available: new.map_or(0, |r| r.available),
            stable_replicas: stable.map_or(0, |r| r.replicas),
            other_replicas: other,
            canary_weight: st.canary.weights.as_ref().map(|w| w.canary.weight),
            stable_weight: st.canary.weights.as_ref().map(|w| w.stable.weight),
            routes: self.router.state.managed_routes.clone(),
            analysis,
            phase: st.phase,
            message: st.message.to_string(),
            abort: st.abort,
        }
    }

    /// Appends a timeline entry when the snapshot changed.
    pub(crate) fn record(&mut self) {
        let snapshot = self.snapshot();
        if self.timeline.last().is_some_and(|e| e.snapshot == snapshot) {
            return;
        }
        let events = self.events[self.recorded_events.min(self.events.len())..]
            .iter()
            .map(|e| format!("{}: {}", e.reason, e.message))
            .collect();
        self.recorded_events = self.events.len();
        self.timeline.push(TimelineEntry { at: self.elapsed(), snapshot, events });
    }
}
