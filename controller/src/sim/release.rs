//! Driving one release through the simulator to its end, as `augur rollout simulate` does:
//! the previous revision fully running and stable, the new template applied, time advanced
//! from event to event, and (optionally) a human promoting every pause that waits for one.

use std::time::{Duration, SystemTime};

use super::{Cluster, SimError, TimelineEntry};
use crate::rollout::{PauseReason, RolloutPhase};

/// How a release ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Fully promoted and Healthy.
    Healthy,
    /// Aborted (by analysis, the progress deadline or a human) or otherwise Degraded.
    Degraded {
        /// The status message.
        message: String,
    },
    /// Paused, waiting for a human to promote or abort.
    WaitingForHuman {
        /// The pause reason.
        reason: String,
    },
    /// An analysis needed a measurement the recorded data does not have.
    DataRanOut {
        /// The metric.
        metric: String,
    },
    /// Nothing more will happen, yet the rollout is neither complete nor paused.
    Stalled {
        /// The status message.
        message: String,
    },
}

/// The human in the loop.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plan {
    /// Promote every pause that waits for a promotion after this long.
    pub promote_after: Option<Duration>,
}

/// The longest a release may take in virtual time before it counts as stalled.
pub const HORIZON: Duration = Duration::from_secs(30 * 24 * 3600);
/// The most instants a release visits.
pub const MAX_INSTANTS: usize = 1_000_000;

impl Cluster {
    /// The start of a pause that only a human can end (`requiresManualAction`): an indefinite
    /// pause step, a blue-green pause without auto-promotion, an Inconclusive analysis.
    pub fn waiting_for_human(&self) -> Option<(PauseReason, SystemTime)> {
        let st = &self.rollout.status;
        st.pause_conditions.iter().find_map(|c| {
            let manual = match c.reason {
                PauseReason::InconclusiveAnalysis | PauseReason::InconclusiveExperiment => true,
                PauseReason::CanaryPauseStep => crate::replicas::current_step(&self.rollout)
                    .and_then(|(_, s)| s)
                    .and_then(|s| s.pause.as_ref())
                    .is_some_and(|p| p.duration.is_none()),
                PauseReason::BlueGreenPause => {
                    self.rollout.blue_green().is_some_and(|b| b.auto_promotion_enabled == Some(false))
                }
            };
            manual.then(|| (c.reason, c.start_time.to_system()))
        })
    }

    /// Deploys revision `hash` as the first one and lets it become fully available.
    pub fn deploy_initial(&mut self, hash: &str) -> Result<(), SimError> {
        self.apply_template(hash)?;
        let horizon = self.now + HORIZON;
        for _ in 0..MAX_INSTANTS {
            if self.is_complete() || !self.advance()? || self.now > horizon {
                break;
            }
        }
        Ok(())
    }

    /// Fully promoted and Healthy.
    pub fn is_complete(&self) -> bool {
        let st = &self.rollout.status;
        st.phase == Some(RolloutPhase::Healthy) && st.stable_rs == self.template_hash && !st.stable_rs.is_empty()
    }

    /// Makes the timeline start now (after an initial deploy).
    pub fn restart_clock(&mut self) {
        self.start = self.now;
        self.timeline.clear();
        self.recorded_events = self.events.len();
    }

    /// Applies revision `hash` and runs the release until it ends; `on_entry` sees each
    /// timeline entry as it is recorded.
    pub fn run_release(
        &mut self,
        hash: &str,
        plan: Plan,
        mut on_entry: impl FnMut(&TimelineEntry),
    ) -> Result<Outcome, SimError> {
        let mut shown = self.timeline.len();
        let mut show = |c: &Cluster, shown: &mut usize| {
            for e in &c.timeline[*shown..] {
                on_entry(e);
            }
            *shown = c.timeline.len();
        };
        self.apply_template(hash)?;
        show(self, &mut shown);
        let horizon = self.now + HORIZON;
        for _ in 0..MAX_INSTANTS {
            let promote_at = match (plan.promote_after, self.waiting_for_human()) {
                (Some(d), Some((_, since))) => Some((since + d).max(self.now)),
                _ => None,
            };
            let next = self.next_wake();
            let promote_first = promote_at.is_some_and(|p| next.is_none_or(|n| p <= n));
            match (next, promote_at) {
                (_, Some(p)) if promote_first => {
                    self.advance_to(p)?;
                    if self.waiting_for_human().is_some() {
                        self.user(crate::user::promote)?;
                    }
                }
                (Some(n), _) if n <= horizon => {
                    self.now = n;
                    self.settle()?;
                }
                _ => break,
            }
            show(self, &mut shown);
            if self.analysis.data_ran_out.is_some() && !self.is_complete() && !self.rollout.status.abort {
                break;
            }
        }
        show(self, &mut shown);
        Ok(self.outcome())
    }

    /// How the release stands.
    pub fn outcome(&self) -> Outcome {
        let st = &self.rollout.status;
        if self.is_complete() {
            return Outcome::Healthy;
        }
        if st.abort || st.phase == Some(RolloutPhase::Degraded) {
            return Outcome::Degraded { message: st.message.to_string() };
        }
        if let Some(metric) = &self.analysis.data_ran_out {
            return Outcome::DataRanOut { metric: metric.clone() };
        }
        if let Some((reason, _)) = self.waiting_for_human() {
            return Outcome::WaitingForHuman { reason: reason.as_str().into() };
        }
        if st.phase == Some(RolloutPhase::Paused) {
            return Outcome::WaitingForHuman { reason: st.message.to_string() };
        }
        Outcome::Stalled { message: st.message.to_string() }
    }
}
