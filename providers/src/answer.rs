//! From a backend's answer to a measurement: the path every synchronous provider shares.
//!
//! A synchronous provider (Prometheus, Datadog, web, a plugin) fetches a result and Argo's
//! code then applies the metric's conditions to it. Augur splits the two: the provider
//! produces an [`Answer`] (a typed value or an error, in the vocabulary of `augur replay`'s
//! DATA), and [`complete`] records it (for `--record`) and turns it into the measurement with
//! exactly the code path `augur replay` uses, so a live run and its replay cannot disagree.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use augur_analysis_core::Conditions;
use augur_analysis_core::replay::{RecordedMeasurement, measure_with};
use augur_analysis_core::spec::{Measurement, Metric};
use augur_analysis_core::{ResultType, Value};

use crate::provider::RunContext;
use crate::record::Recorder;

/// What a provider's backend answered for one measurement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    /// How the provider types its results (`None`: inferred from the value).
    pub result_type: Option<ResultType>,
    /// The value or the error.
    pub entry: RecordedMeasurement,
    /// Measurement metadata the provider adds (Prometheus `warnings`, Datadog `groups`).
    pub metadata: BTreeMap<String, String>,
}

impl Answer {
    /// A result of type `result_type`.
    pub fn value(result_type: ResultType, value: Value) -> Answer {
        Answer {
            result_type: Some(result_type),
            entry: RecordedMeasurement { value: Some(value), ..Default::default() },
            metadata: BTreeMap::new(),
        }
    }

    /// A failure; its text becomes the Error measurement's message.
    pub fn error(error: impl std::fmt::Display) -> Answer {
        Answer {
            entry: RecordedMeasurement { error: Some(error.to_string()), ..Default::default() },
            ..Default::default()
        }
    }

    /// Adds measurement metadata.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Answer {
        self.metadata.insert(key.into(), value.into());
        self
    }
}

/// Compiled conditions shared across measurements. Providers are built per measurement, as
/// in Argo, but a metric's conditions do not change between its measurements: parsing them
/// once saves a few microseconds per measurement, a tenth of a local query's cost.
#[derive(Debug, Clone, Default)]
pub struct ConditionCache {
    compiled: Arc<Mutex<Compiled>>,
}

/// successCondition → failureCondition → compiled: looked up by `&str`, so a hit allocates
/// nothing.
#[derive(Debug, Default)]
struct Compiled {
    by_success: HashMap<String, HashMap<String, Arc<Conditions>>>,
    len: usize,
}

impl ConditionCache {
    /// At most this many distinct condition pairs are kept; the cache starts over when full.
    pub const CAPACITY: usize = 4096;

    /// The metric's conditions, compiled.
    pub fn get(&self, metric: &Metric) -> Arc<Conditions> {
        let (success, failure) = (metric.success_condition.as_str(), metric.failure_condition.as_str());
        let mut compiled = self.compiled.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(hit) = compiled.by_success.get(success).and_then(|f| f.get(failure)) {
            return Arc::clone(hit);
        }
        if compiled.len >= Self::CAPACITY {
            *compiled = Compiled::default();
        }
        let c = Arc::new(Conditions::new(success, failure));
        compiled.by_success.entry(success.to_owned()).or_default().insert(failure.to_owned(), Arc::clone(&c));
        compiled.len += 1;
        c
    }
}

/// Records `answer` (when recording) and turns it into the completed measurement, stamped
/// with `cx.now`: conditions applied to a value, an error as phase Error.
pub fn complete(cx: &RunContext, metric: &Metric, answer: Answer, recorder: Option<&dyn Recorder>) -> Measurement {
    complete_with(&Conditions::new(&metric.success_condition, &metric.failure_condition), cx, metric, answer, recorder)
}

/// [`complete`] with the metric's conditions compiled beforehand (see [`ConditionCache`]).
pub fn complete_with(
    conditions: &Conditions,
    cx: &RunContext,
    metric: &Metric,
    answer: Answer,
    recorder: Option<&dyn Recorder>,
) -> Measurement {
    if let Some(r) = recorder {
        r.record(cx, &metric.name, answer.result_type, answer.entry.clone());
    }
    let mut m = measure_with(conditions, answer.result_type, &answer.entry, cx.now);
    m.metadata.extend(answer.metadata);
    m
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use augur_analysis_core::Phase;
    use augur_analysis_core::spec::AnalysisRun;

    use super::*;
    use crate::record::DataRecorder;

    #[test]
    fn a_value_is_judged_and_recorded() {
        let metric = Metric { name: "rate".into(), success_condition: "result[0] > 0.9".into(), ..Default::default() };
        let cx = RunContext::new(&AnalysisRun::default(), SystemTime::UNIX_EPOCH);
        let rec = DataRecorder::default();
        let answer =
            Answer::value(ResultType::NumberList, Value::float_list(vec![0.95])).with_metadata("warnings", "\"w\"");
        let m = complete(&cx, &metric, answer, Some(&rec));
        assert_eq!((m.phase, m.value.as_str()), (Phase::Successful, "[0.95]"));
        assert_eq!(m.metadata.get("warnings").map(String::as_str), Some("\"w\""));
        assert_eq!(rec.data().metrics["rate"].measurements.len(), 1);

        let m = complete(&cx, &metric, Answer::error("boom"), None);
        assert_eq!((m.phase, m.message.as_str(), m.value.as_str()), (Phase::Error, "boom", ""));
    }
}
