//! The live display of `augur run` (indicatif): one line per metric with the measurements
//! taken of `count`, the last value and the phase, redrawn whenever the run's status changes.
//! indicatif draws only on a terminal, so piped output and CI logs stay clean.

use augur_analysis_core::spec::AnalysisRun;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One line per metric, in spec order.
pub struct Progress {
    _multi: MultiProgress,
    lines: Vec<(String, Option<i64>, ProgressBar)>,
}

impl Progress {
    /// Lines for `run`'s metrics (drawn on stderr when it is a terminal).
    pub fn new(run: &AnalysisRun) -> Progress {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {prefix:.bold} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let width = run.spec.metrics.iter().map(|m| m.name.chars().count()).max().unwrap_or(0);
        let lines = run
            .spec
            .metrics
            .iter()
            .map(|m| {
                let bar = multi.add(ProgressBar::new_spinner().with_style(style.clone()));
                bar.set_prefix(format!("{:<width$}", m.name));
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
                let count = m.count.as_ref().map(|c| c.value()).filter(|c| *c > 0);
                (m.name.clone(), count, bar)
            })
            .collect();
        let progress = Progress { _multi: multi, lines };
        progress.update(run);
        progress
    }

    /// Redraws every line from `run`'s status.
    pub fn update(&self, run: &AnalysisRun) {
        for (name, count, bar) in &self.lines {
            let result = run.status.metric_results.iter().find(|r| &r.name == name);
            let taken = result.map_or(0, |r| r.count);
            let of = count.map_or_else(String::new, |c| format!("/{c}"));
            let phase = result.map_or_else(|| "Pending".to_string(), |r| r.phase.to_string());
            let last = result.and_then(|r| r.measurements.last());
            let value =
                last.map(|m| if m.value.is_empty() { m.message.as_str() } else { m.value.as_str() }).unwrap_or("");
            bar.set_message(format!("{taken}{of} measured  {phase:<12} {value}"));
            if result.is_some_and(|r| r.phase.is_completed()) && !bar.is_finished() {
                bar.finish();
            }
        }
    }

    /// Stops the spinners, leaving the final lines.
    pub fn finish(&self, run: &AnalysisRun) {
        self.update(run);
        for (_, _, bar) in &self.lines {
            bar.finish();
        }
    }
}
