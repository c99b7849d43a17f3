//! Recording provider answers in `augur replay`'s DATA format.
//!
//! `augur run --record DATA.yaml` keeps every answer a provider gave, so the run can be
//! replayed offline with the same decisions. Providers report an answer in the replay
//! vocabulary ([`RecordedMeasurement`]: a value, an error, or a phase the provider decided)
//! through a [`Recorder`], *before* conditions are applied: the replay applies them again,
//! so a template edited afterwards is judged on the recorded data.

use std::sync::Mutex;

use augur_analysis_core::ResultType;
use augur_analysis_core::replay::{RecordedMeasurement, ReplayData};
use augur_analysis_core::template::ResolvedArgs;

use crate::provider::RunContext;

/// Receives every answer a provider gave, in the order given.
pub trait Recorder: Send + Sync {
    /// Records `answer` for the metric named `metric` of the run in `cx`. `result_type` is
    /// how the provider types its results (`None`: inferred from the value on replay).
    fn record(&self, cx: &RunContext, metric: &str, result_type: Option<ResultType>, answer: RecordedMeasurement);
}

/// A [`Recorder`] that collects answers into [`ReplayData`], redacting secret values from
/// errors and messages (a URL or query in an error text may carry one).
#[derive(Default)]
pub struct DataRecorder {
    args: ResolvedArgs,
    data: Mutex<ReplayData>,
}

impl std::fmt::Debug for DataRecorder {
    /// Without the argument values: they include the secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataRecorder").field("data", &self.data).finish_non_exhaustive()
    }
}

impl DataRecorder {
    /// A recorder that removes the secret values of `args` from recorded texts, with the
    /// analyzer's own redaction (quoted and JSON-escaped forms included).
    pub fn new(args: ResolvedArgs) -> DataRecorder {
        DataRecorder { args, data: Mutex::default() }
    }

    /// What has been recorded so far.
    pub fn data(&self) -> ReplayData {
        self.data.lock().map(|d| d.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }
}

impl Recorder for DataRecorder {
    fn record(&self, _cx: &RunContext, metric: &str, result_type: Option<ResultType>, mut answer: RecordedMeasurement) {
        for text in [&mut answer.error, &mut answer.message].into_iter().flatten() {
            *text = self.args.redact(text);
        }
        let mut data = self.data.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = data.metrics.entry(metric.to_string()).or_default();
        if entry.result_type.is_none() {
            entry.result_type = result_type;
        }
        entry.measurements.push(answer);
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use augur_analysis_core::Value;
    use augur_analysis_core::spec::AnalysisRun;

    use super::*;

    #[test]
    fn answers_are_kept_in_order_and_secrets_redacted() {
        let rec = DataRecorder::new(ResolvedArgs { secrets: vec!["tok3n".into()], ..Default::default() });
        let cx = RunContext::new(&AnalysisRun::default(), SystemTime::UNIX_EPOCH);
        let value = RecordedMeasurement { value: Some(Value::Float(0.5)), ..Default::default() };
        rec.record(&cx, "m", Some(ResultType::Number), value.clone());
        let error = RecordedMeasurement { error: Some("GET http://x/?key=tok3n failed".into()), ..Default::default() };
        rec.record(&cx, "m", None, error);
        let data = rec.data();
        let m = &data.metrics["m"];
        assert_eq!(m.result_type, Some(ResultType::Number));
        assert_eq!(m.measurements[0], value);
        assert_eq!(m.measurements[1].error.as_deref(), Some("GET http://x/?key=***** failed"));
    }
}
