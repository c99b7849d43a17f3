//! How a Job measurement moves: started Running, resumed with a growing delay, completed and
//! recorded — shared by the cluster and the local backends, so they cannot drift apart.

use std::collections::BTreeMap;
use std::time::Duration;

use augur_analysis_core::Phase;
use augur_analysis_core::replay::RecordedMeasurement;
use augur_analysis_core::spec::{Measurement, Time};

use crate::provider::RunContext;
use crate::record::Recorder;

/// Measurement metadata key with the Job's name (Argo's `JobNameKey`).
pub const JOB_NAME_KEY: &str = "job-name";
/// Measurement metadata key with the Job's namespace (Argo's `JobNamespaceKey`).
pub const JOB_NAMESPACE_KEY: &str = "job-namespace";

/// A new in-flight measurement for the Job `name` in `namespace`: Running, started now, with
/// `resumeAt = now` so that a short Job is seen completing at once (Argo's `Run`).
pub fn started(cx: &RunContext, name: &str, namespace: &str) -> Measurement {
    let now = Time::from_system(cx.now);
    let metadata = BTreeMap::from([
        (JOB_NAME_KEY.to_string(), name.to_string()),
        (JOB_NAMESPACE_KEY.to_string(), namespace.to_string()),
    ]);
    Measurement {
        phase: Phase::Running,
        started_at: Some(now),
        resume_at: Some(now),
        metadata,
        ..Measurement::default()
    }
}

/// A new measurement that failed before any Job existed.
pub fn failed_to_start(cx: &RunContext, message: String) -> Measurement {
    let now = Some(Time::from_system(cx.now));
    Measurement { phase: Phase::Error, message, started_at: now, finished_at: now, ..Measurement::default() }
}

/// `m` completed with `phase` and `message` now.
pub fn finish(cx: &RunContext, mut m: Measurement, phase: Phase, message: String) -> Measurement {
    m.phase = phase;
    m.message = message;
    m.finished_at = Some(Time::from_system(cx.now));
    m.resume_at = None;
    m
}

/// The shortest delay between two resumes.
///
/// Argo's delay is below a second while less than half a second has elapsed, and `resumeAt`
/// is stored at second precision, so it can fall in the current second: the run is resumed
/// again at once, in a loop, until the delay grows. Argo's loop reads its informer cache;
/// Augur's resumes are API requests (or process checks), so Augur waits at least a second.
/// Only the first second of a Job is affected: the first resume still comes at once.
pub const MIN_RESUME_DELAY: Duration = Duration::from_secs(1);

/// `m` still running: resumed again after `sqrt(2 × elapsed)` seconds (at least
/// [`MIN_RESUME_DELAY`]), elapsed counted from its `startedAt` (Argo's growing delay: 10 s
/// after 50 s, 60 s after 30 min).
pub fn keep_running(cx: &RunContext, mut m: Measurement) -> Measurement {
    let started = m.started_at.map_or(cx.now, Time::to_system);
    let elapsed = cx.now.duration_since(started).unwrap_or_default();
    let delay = Duration::from_secs_f64((2.0 * elapsed.as_secs_f64()).sqrt()).max(MIN_RESUME_DELAY);
    m.resume_at = Some(Time::from_system(cx.now + delay));
    m
}

/// The Job name and namespace `m` refers to (Argo's `getJobNamespacedName`: the namespace
/// defaults to the run's).
pub fn job_of<'m>(cx: &RunContext, m: &'m Measurement) -> Result<(&'m str, String), String> {
    let name = m.metadata.get(JOB_NAME_KEY).filter(|n| !n.is_empty());
    let Some(name) = name else { return Err("job metadata reference missing".into()) };
    let namespace = m.metadata.get(JOB_NAMESPACE_KEY).filter(|n| !n.is_empty());
    Ok((name, namespace.cloned().unwrap_or_else(|| cx.namespace.to_string())))
}

/// Records a completed measurement for `augur replay` (a `phase:` entry with its message):
/// a Job's outcome is decided by the Job, not by conditions, so replay reproduces the phase.
///
/// `run` and `resume` outcomes are recorded; `terminate`'s are not. A terminated Job's
/// Inconclusive is not the Job's verdict but the consequence of another metric failing (or of
/// an abort), and replay measures instantly: replaying it would make the Job Inconclusive at
/// the start and terminate the run before the metric that really failed did, a different
/// verdict. Without the entry, replay says the data ran out for that metric instead.
pub fn record(cx: &RunContext, metric: &str, m: &Measurement, recorder: Option<&dyn Recorder>) {
    if let Some(r) = recorder.filter(|_| m.phase.is_completed()) {
        let entry =
            RecordedMeasurement { phase: Some(m.phase), message: Some(m.message.clone()), ..Default::default() };
        r.record(cx, metric, None, entry);
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use augur_analysis_core::spec::AnalysisRun;

    use super::*;
    use crate::record::DataRecorder;

    fn cx(secs: u64) -> RunContext {
        RunContext::new(&AnalysisRun::default(), SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    }

    #[test]
    fn resume_delay_grows_with_the_square_root() {
        let m = started(&cx(1000), "j", "ns");
        assert_eq!(m.resume_at, Some(Time::from_unix(1000)));
        // Never in the same second: that would resume it again at once.
        assert_eq!(keep_running(&cx(1000), m.clone()).resume_at, Some(Time::from_unix(1001)));
        assert_eq!(keep_running(&cx(1002), m.clone()).resume_at, Some(Time::from_unix(1004)));
        assert_eq!(keep_running(&cx(1050), m.clone()).resume_at, Some(Time::from_unix(1060)));
        assert_eq!(keep_running(&cx(2800), m).resume_at, Some(Time::from_unix(2860)));
    }

    #[test]
    fn job_reference_and_recording() {
        let m = started(&cx(5), "j", "");
        let mut run = AnalysisRun::default();
        run.metadata.namespace = Some("apps".into());
        let in_apps = RunContext::new(&run, SystemTime::UNIX_EPOCH);
        assert_eq!(job_of(&in_apps, &m), Ok(("j", "apps".to_string())));
        assert_eq!(job_of(&in_apps, &Measurement::default()), Err("job metadata reference missing".into()));

        let rec = DataRecorder::default();
        record(&cx(5), "smoke", &m, Some(&rec));
        assert!(rec.data().metrics.is_empty(), "in-flight measurements are not recorded");
        let done = finish(&cx(9), m, Phase::Failed, "boom".into());
        assert_eq!((done.finished_at, done.resume_at), (Some(Time::from_unix(9)), None));
        record(&cx(9), "smoke", &done, Some(&rec));
        let entry = &rec.data().metrics["smoke"].measurements[0];
        assert_eq!((entry.phase, entry.message.as_deref()), (Some(Phase::Failed), Some("boom")));
    }
}
