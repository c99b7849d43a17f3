//! What `kubectl argo rollouts promote | abort | retry | pause | resume` do: they only patch the
//! Rollout (`pkg/kubectl-argo-rollouts/cmd/promote/promote.go:getPatches`); the engine reacts.

use augur_analysis_core::Phase;

use crate::rollout::Rollout;

/// `promote`: unpause; skip an Inconclusive step analysis; clear pause conditions; or, when
/// nothing is paused, skip the current step.
pub fn promote(ro: &mut Rollout) {
    let mut spec_changed = false;
    if ro.spec.paused {
        ro.spec.paused = false;
        spec_changed = true;
    }
    let st = &mut ro.status;
    let steps = ro.spec.strategy.canary.as_ref().map(|c| c.steps.len() as i32);
    let inconclusive =
        st.canary.current_step_analysis_run_status.as_ref().is_some_and(|s| s.status == Some(Phase::Inconclusive));
    match steps {
        Some(n) if inconclusive && !st.pause_conditions.is_empty() && st.controller_pause => {
            st.pause_conditions.clear();
            st.controller_pause = false;
            let idx = st.current_step_index.unwrap_or(0);
            st.current_step_index = Some((idx + 1).min(n));
        }
        _ if !st.pause_conditions.is_empty() => st.pause_conditions.clear(),
        Some(n) if n > 0 => {
            let idx = st.current_step_index.unwrap_or(0);
            st.current_step_index = Some((idx + 1).min(n));
        }
        _ => {}
    }
    if spec_changed {
        bump_generation(ro);
    }
}

/// `promote --full`.
pub fn promote_full(ro: &mut Rollout) {
    if ro.spec.paused {
        ro.spec.paused = false;
        bump_generation(ro);
    }
    if ro.status.current_pod_hash != ro.status.stable_rs {
        ro.status.promote_full = true;
    }
}

/// `abort`.
pub fn abort(ro: &mut Rollout) {
    ro.status.abort = true;
}

/// `retry`.
pub fn retry(ro: &mut Rollout) {
    ro.status.abort = false;
}

/// `pause`: `spec.paused: true`.
pub fn pause(ro: &mut Rollout) {
    ro.spec.paused = true;
    bump_generation(ro);
}

/// `resume`: `spec.paused: false`.
pub fn resume(ro: &mut Rollout) {
    ro.spec.paused = false;
    bump_generation(ro);
}

/// A spec change increments `metadata.generation`, as the API server does.
pub fn bump_generation(ro: &mut Rollout) {
    let g = ro.generation();
    ro.set_generation(g + 1);
}
