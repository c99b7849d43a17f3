//! AnalysisRuns of a Rollout (`rollout/analysis.go`): which runs are current, when to create
//! one, and what their phases mean for the rollout — Successful advances, Failed or Error
//! aborts, Inconclusive pauses.

use std::collections::BTreeMap;

use augur_analysis_core::Phase;
use augur_analysis_core::spec::Argument;

use super::Ctx;
use crate::action::{Action, AnalysisRunRequest};
use crate::rollout::{PauseReason, RolloutAnalysis, RolloutAnalysisRunStatus};
use crate::world::{ObservedRun, RunKind};

impl Ctx<'_> {
    /// `reconcileAnalysisRuns`.
    pub(crate) fn reconcile_analysis_runs(&mut self) {
        let aborted = self.pause.is_aborted(self.ro);
        let cancel_all = self.ro.is_fully_promoted()
            || aborted
            || self.ro.status.promote_full
            || self.is_fast_rollback()
            || self.ro.status.stable_rs.is_empty();
        let mut current = super::CurrentRuns::default();
        if cancel_all {
            let runs: Vec<ObservedRun> =
                [&self.current.step, &self.current.background, &self.current.pre, &self.current.post]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect();
            for r in &runs {
                self.cancel(Some(r));
            }
            current.pre = self.current.pre.clone();
            current.post = self.current.post.clone();
        } else if self.ro.canary().is_some() {
            current.step = self.reconcile_step_run();
            current.background = self.reconcile_background_run();
        } else if self.ro.blue_green().is_some() {
            current.pre = self.reconcile_pre_promotion_run();
            self.pause_or_abort_blue_green(current.pre.as_ref(), false);
            current.post = self.reconcile_post_promotion_run();
            self.pause_or_abort_blue_green(current.post.as_ref(), true);
        }
        self.set_current_runs(&current);
        let current_names = [&current.step, &current.background, &current.pre, &current.post];
        let is_current = |name: &str| current_names.iter().any(|r| r.as_ref().is_some_and(|r| r.name == name));
        let others: Vec<&ObservedRun> = self.other_runs.iter().copied().filter(|r| !is_current(&r.name)).collect();
        for r in others {
            self.cancel(Some(r));
        }
        self.emit_run_status_changes(&current);
        self.current = current;
    }

    /// `SetCurrentAnalysisRuns`.
    fn set_current_runs(&mut self, current: &super::CurrentRuns) {
        let status = |r: &Option<ObservedRun>| {
            r.as_ref().map(|r| RolloutAnalysisRunStatus {
                name: r.name.clone(),
                status: r.phase,
                message: r.message.clone(),
            })
        };
        if self.ro.canary().is_some() {
            if current.background.is_some() {
                self.new_status.canary.current_background_analysis_run_status = status(&current.background);
            }
            if current.step.is_some() {
                self.new_status.canary.current_step_analysis_run_status = status(&current.step);
            }
        } else {
            if current.pre.is_some() {
                self.new_status.blue_green.pre_promotion_analysis_run_status = status(&current.pre);
            }
            if current.post.is_some() {
                self.new_status.blue_green.post_promotion_analysis_run_status = status(&current.post);
            }
        }
    }

    /// `emitAnalysisRunStatusChanges`.
    fn emit_run_status_changes(&mut self, current: &super::CurrentRuns) {
        let ro = self.ro;
        let st = &ro.status;
        let pairs = [
            (&st.blue_green.post_promotion_analysis_run_status, &current.post, "PostPromotion"),
            (&st.blue_green.pre_promotion_analysis_run_status, &current.pre, "PrePromotion"),
            (&st.canary.current_step_analysis_run_status, &current.step, "Step"),
            (&st.canary.current_background_analysis_run_status, &current.background, "Background"),
        ];
        for (prev, run, kind) in pairs {
            let Some(run) = run else { continue };
            let Some(phase) = run.phase else { continue };
            let changed = match prev {
                None => true,
                Some(p) => p.name == run.name && p.status != Some(phase),
            };
            if changed {
                let prev_text = prev.as_ref().and_then(|p| p.status).map_or("NoPreviousStatus", |p| p.as_str());
                let warning = matches!(phase, Phase::Failed | Phase::Error);
                let msg = format!(
                    "{kind} Analysis Run '{}' Status New: '{}' Previous: '{prev_text}'",
                    run.name,
                    phase.as_str()
                );
                self.event(&format!("AnalysisRun{}", phase.as_str()), msg, warning);
            }
        }
    }

    /// `cancelAnalysisRuns` for one run.
    fn cancel(&mut self, run: Option<&ObservedRun>) {
        if let Some(r) = run
            && !r.terminated
            && !r.phase.is_some_and(Phase::is_completed)
        {
            self.actions.push(Action::TerminateAnalysisRun { name: r.name.clone() });
        }
    }

    /// `needsNewAnalysisRun`.
    fn needs_new_run(&self, current: Option<&ObservedRun>) -> bool {
        let Some(current) = current else { return true };
        let st = &self.ro.status;
        if st.controller_pause
            && st.pause_condition(PauseReason::CanaryPauseStep).is_none()
            && st.pause_condition(PauseReason::BlueGreenPause).is_none()
        {
            return current.phase == Some(Phase::Inconclusive);
        }
        st.aborted_at.is_some()
    }

    /// `reconcileStepBasedAnalysisRun`.
    fn reconcile_step_run(&mut self) -> Option<ObservedRun> {
        let current = self.current.step.clone();
        if !self.ro.status.pause_conditions.is_empty() || self.ro.status.abort {
            return current;
        }
        let ro = self.ro;
        let (index, step) = match crate::replicas::current_step(ro) {
            Some((i, Some(s))) => (i, s),
            _ => {
                self.cancel(current.as_ref());
                return None;
            }
        };
        let from_previous = step.analysis.is_some() && current.as_ref().is_some_and(|r| r.step_index != Some(index));
        let Some(analysis) = step.analysis.as_ref().filter(|a| !a.templates.is_empty()) else {
            self.cancel(current.as_ref());
            return None;
        };
        if from_previous {
            self.cancel(current.as_ref());
            return None;
        }
        if self.needs_new_run(current.as_ref()) {
            return Some(self.create_run(analysis, RunKind::Step, Some(index)));
        }
        let current = current?;
        match current.phase {
            Some(Phase::Inconclusive) => self.pause.add_pause(PauseReason::InconclusiveAnalysis),
            Some(Phase::Error | Phase::Failed) => {
                let mut m = "Step-based analysis phase error/failed".to_string();
                if !current.message.is_empty() {
                    m = format!("{m}: {}", current.message);
                }
                self.pause.add_abort(m);
            }
            _ => {}
        }
        Some(current)
    }

    /// `reconcileBackgroundAnalysisRun`.
    fn reconcile_background_run(&mut self) -> Option<ObservedRun> {
        let current = self.current.background.clone();
        let ro = self.ro;
        let Some(bg) = ro.canary().and_then(|c| c.analysis.as_ref()).filter(|a| !a.analysis.templates.is_empty())
        else {
            self.cancel(current.as_ref());
            return None;
        };
        let st = &self.ro.status;
        let before_start = match (bg.starting_step, crate::replicas::current_step(self.ro)) {
            (Some(start), Some((index, _))) => index < start,
            _ => false,
        };
        if self.ro.is_fully_promoted() || st.stable_rs.is_empty() || st.current_pod_hash.is_empty() || before_start {
            return None;
        }
        if st.pause_condition(PauseReason::InconclusiveAnalysis).is_some() {
            return current;
        }
        if self.needs_new_run(current.as_ref()) {
            return Some(self.create_run(&bg.analysis, RunKind::Background, None));
        }
        let current = current?;
        match current.phase {
            Some(Phase::Inconclusive) => self.pause.add_pause(PauseReason::InconclusiveAnalysis),
            Some(Phase::Error | Phase::Failed) => {
                let mut m = "Background analysis phase error/failed".to_string();
                if !current.message.is_empty() {
                    m = format!("{m}: {}", current.message);
                }
                self.pause.add_abort(m);
            }
            _ => {}
        }
        Some(current)
    }

    /// `skipPrePromotionAnalysisRun`.
    fn skip_pre_promotion(&self, current: Option<&ObservedRun>) -> bool {
        let hash = self.new_hash();
        let active = &self.ro.status.blue_green.active_selector;
        if self.ro.status.stable_rs == hash || active.is_empty() || *active == hash || hash.is_empty() {
            return true;
        }
        if current.is_some() {
            return false;
        }
        let Some(new) = self.new_rs() else { return true };
        match self.ro.blue_green().and_then(|b| b.preview_replica_count) {
            Some(p) => new.replicas != p || new.available != p,
            None => !new.is_saturated(self.ro.replicas()),
        }
    }

    /// `skipPostPromotionAnalysisRun`.
    pub(crate) fn skip_post_promotion_analysis(&self) -> bool {
        let hash = self.new_hash();
        let active = &self.ro.status.blue_green.active_selector;
        if self.ro.status.stable_rs == hash || *active != hash || hash.is_empty() {
            return true;
        }
        if self.current.post.is_some() {
            return false;
        }
        !self.new_rs().is_some_and(|n| n.is_saturated(self.ro.replicas()))
    }

    fn reconcile_pre_promotion_run(&mut self) -> Option<ObservedRun> {
        let current = self.current.pre.clone();
        let Some(analysis) =
            self.ro.blue_green().and_then(|b| b.pre_promotion_analysis.clone()).filter(|a| !a.templates.is_empty())
        else {
            self.cancel(current.as_ref());
            return None;
        };
        if self.skip_pre_promotion(current.as_ref()) {
            self.cancel(current.as_ref());
            return current;
        }
        if self.ro.status.pause_condition(PauseReason::InconclusiveAnalysis).is_some() {
            return current;
        }
        if self.needs_new_run(current.as_ref()) {
            return Some(self.create_run(&analysis, RunKind::PrePromotion, None));
        }
        current
    }

    fn reconcile_post_promotion_run(&mut self) -> Option<ObservedRun> {
        let current = self.current.post.clone();
        let Some(analysis) =
            self.ro.blue_green().and_then(|b| b.post_promotion_analysis.clone()).filter(|a| !a.templates.is_empty())
        else {
            self.cancel(current.as_ref());
            return None;
        };
        if self.skip_post_promotion_analysis() {
            self.cancel(current.as_ref());
            return current;
        }
        if self.ro.status.pause_condition(PauseReason::InconclusiveAnalysis).is_some() {
            return current;
        }
        if self.needs_new_run(current.as_ref()) {
            return Some(self.create_run(&analysis, RunKind::PostPromotion, None));
        }
        current
    }

    /// `setPauseOrAbortForBlueGreen`.
    fn pause_or_abort_blue_green(&mut self, run: Option<&ObservedRun>, post: bool) {
        let Some(run) = run else { return };
        match run.phase {
            Some(Phase::Inconclusive) => self.pause.add_pause(PauseReason::InconclusiveAnalysis),
            Some(Phase::Error | Phase::Failed) => {
                let which = if post { "post" } else { "pre" };
                let mut m = format!("Blue/green {which}-promotion analysis phase error/failed");
                if !run.message.is_empty() {
                    m = format!("{m}: {}", run.message);
                }
                self.pause.add_abort(m);
            }
            _ => {}
        }
    }

    /// `createAnalysisRun` + `newAnalysisRunFromRollout`: `<rollout>-<hash>-<revision>[-<infix>]`,
    /// with a collision suffix when that name is taken.
    fn create_run(&mut self, analysis: &RolloutAnalysis, kind: RunKind, step_index: Option<i32>) -> ObservedRun {
        let hash = self.new_hash();
        let infix = match kind {
            RunKind::Step => step_index.map(|i| i.to_string()).unwrap_or_default(),
            RunKind::Background => String::new(),
            RunKind::PrePromotion => "pre".into(),
            RunKind::PostPromotion => "post".into(),
        };
        let mut name = format!("{}-{}-{}", self.ro.name(), hash, self.revision());
        if !infix.is_empty() {
            name = format!("{name}-{infix}");
        }
        if super::run_exists(self.all_runs, &name) {
            let base = name.clone();
            let mut n = 1;
            while super::run_exists(self.all_runs, &name) {
                name = format!("{base}.{n}");
                n += 1;
            }
        }
        let mut labels = BTreeMap::new();
        labels.insert("rollouts-pod-template-hash".to_string(), hash);
        labels.insert("rollout-type".to_string(), super::kind_name(kind).to_string());
        if let Some(i) = step_index {
            labels.insert("step-index".to_string(), i.to_string());
        }
        if let Some(meta) = &analysis.analysis_run_metadata {
            labels.extend(meta.labels.clone());
        }
        if let Some(matches) =
            self.ro.spec.selector.as_ref().and_then(|s| s.get("matchLabels")).and_then(|m| m.as_object())
        {
            for (k, v) in matches {
                labels.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
            }
        }
        let args = self.build_args(analysis);
        self.actions.push(Action::CreateAnalysisRun(AnalysisRunRequest {
            name: name.clone(),
            kind,
            step_index,
            labels,
            templates: analysis.templates.clone(),
            args,
            dry_run: analysis.dry_run.clone(),
            measurement_retention: analysis.measurement_retention.clone(),
        }));
        ObservedRun { name, phase: None, message: String::new(), step_index, terminated: false }
    }

    /// `BuildArgumentsForRolloutAnalysisRun`.
    fn build_args(&self, analysis: &RolloutAnalysis) -> Vec<Argument> {
        // The Rollout as JSON, only when a `fieldRef` needs it.
        let mut json: Option<serde_json::Value> = None;
        analysis
            .args
            .iter()
            .map(|a| {
                let mut value = a.value.clone().unwrap_or_default();
                if let Some(from) = &a.value_from {
                    if let Some(which) = &from.pod_template_hash_value {
                        value = match which.as_str() {
                            "Latest" => self.new_hash(),
                            "Stable" => self.stable_rs().map(|s| s.hash.clone()).unwrap_or_default(),
                            _ => value,
                        };
                    } else if let Some(field) = &from.field_ref {
                        let json = json.get_or_insert_with(|| serde_json::to_value(self.ro).unwrap_or_default());
                        value = field_path_value(json, &field.field_path);
                    }
                }
                Argument { name: a.name.clone(), value: Some(value), value_from: None }
            })
            .collect()
    }
}

/// A `fieldRef.fieldPath` into the Rollout (`metadata.name`, `metadata.labels['app']`,
/// `spec.replicas`); "" when absent.
pub(crate) fn field_path_value(json: &serde_json::Value, path: &str) -> String {
    let mut cur = json;
    for part in path.split('.') {
        let (key, sub) = match part.find("['") {
            Some(i) => (&part[..i], part[i + 2..].strip_suffix("']")),
            None => (part, None),
        };
        let Some(next) = cur.get(key) else { return String::new() };
        cur = next;
        if let Some(sub) = sub {
            let Some(next) = cur.get(sub) else { return String::new() };
            cur = next;
        }
    }
    match cur {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}
