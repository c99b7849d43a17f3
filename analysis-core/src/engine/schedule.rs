//! Which metrics are due, and when to look again (`generateMetricTasks`,
//! `calculateNextReconcileTime`; semantics §4.2, §4.5).

use std::time::{Duration, SystemTime};

use super::metric_rules::effective_count;
use super::reconcile::{ResolvedSpec, Task, TaskKind, Timing, is_terminating};
use crate::phase::Phase;
use crate::spec::{AnalysisRun, Measurement, MetricResult, Time};

/// The wait after an Error measurement, whatever the interval (and without an interval).
pub const ERROR_RETRY_INTERVAL_NS: i64 = 10_000_000_000;

fn nanos(t: SystemTime) -> i128 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

fn time_nanos(t: Time) -> i128 {
    i128::from(t.unix()) * 1_000_000_000
}

fn system(ns: i128) -> SystemTime {
    if ns >= 0 {
        SystemTime::UNIX_EPOCH + Duration::from_nanos(ns.min(u64::MAX as i128) as u64)
    } else {
        SystemTime::UNIX_EPOCH - Duration::from_nanos((-ns).min(u64::MAX as i128) as u64)
    }
}

fn result<'r>(run: &'r AnalysisRun, name: &str) -> Option<&'r MetricResult> {
    run.status.metric_results.iter().find(|r| r.name == name)
}

fn last_measurement<'r>(run: &'r AnalysisRun, name: &str) -> Option<&'r Measurement> {
    result(run, name).and_then(|r| r.measurements.last())
}

/// The wait before the next measurement after `last`: 10 s after an Error, else the interval,
/// else (no interval) `None` when `for_timer`, 10 s otherwise. `Err` when the interval does
/// not parse (the metric is skipped).
fn wait_after(timing: &Timing, last: &Measurement, for_timer: bool) -> Result<Option<i64>, ()> {
    if last.phase == Phase::Error {
        return Ok(Some(ERROR_RETRY_INTERVAL_NS));
    }
    match timing.interval {
        Some(parsed) => parsed.map(Some),
        None => Ok(if for_timer { None } else { Some(ERROR_RETRY_INTERVAL_NS) }),
    }
}

/// The metrics to measure now, in spec order.
pub(crate) fn tasks(run: &AnalysisRun, spec: &ResolvedSpec, now: SystemTime) -> Vec<Task> {
    let terminating = is_terminating(run);
    let now_ns = nanos(now);
    let mut tasks = Vec::new();
    for (i, (metric, timing)) in spec.metrics.iter().zip(&spec.timing).enumerate() {
        let make = |kind| Task { index: i, kind };
        if result(run, &metric.name).is_some_and(|r| r.phase.is_completed()) {
            continue;
        }
        let last = last_measurement(run, &metric.name);
        if let Some(last) = last.filter(|m| m.finished_at.is_none()) {
            if !terminating && last.resume_at.is_some_and(|r| time_nanos(r) > now_ns) {
                continue;
            }
            let kind = if terminating { TaskKind::Terminate(last.clone()) } else { TaskKind::Resume(last.clone()) };
            tasks.push(make(kind));
            continue;
        }
        if terminating {
            continue;
        }
        let Some(last) = last else {
            if let Some(delay) = timing.initial_delay {
                let Some(started) = run.status.started_at else { continue };
                let Ok(delay) = delay else { continue };
                if time_nanos(started) + i128::from(delay) > now_ns {
                    continue;
                }
            }
            tasks.push(make(TaskKind::Measure));
            continue;
        };
        if let (Some(count), Some(r)) = (effective_count(metric), result(run, &metric.name))
            && i64::from(r.count) >= count
        {
            continue;
        }
        let Ok(Some(wait)) = wait_after(timing, last, false) else { continue };
        let Some(finished) = last.finished_at else { continue };
        if now_ns > time_nanos(finished) + i128::from(wait) {
            tasks.push(make(TaskKind::Measure));
        }
    }
    tasks
}

/// The earliest time a metric needs attention, or `None` (no timer).
pub(crate) fn next_reconcile(run: &AnalysisRun, spec: &ResolvedSpec, now: SystemTime) -> Option<SystemTime> {
    let mut next: Option<i128> = None;
    let mut consider = |t: i128| next = Some(next.map_or(t, |n| n.min(t)));
    for (metric, timing) in spec.metrics.iter().zip(&spec.timing) {
        if result(run, &metric.name).is_some_and(|r| r.phase.is_completed()) {
            continue;
        }
        let Some(last) = last_measurement(run, &metric.name) else {
            if let Some(Ok(delay)) = timing.initial_delay {
                let start = run.status.started_at.map_or(nanos(now), time_nanos);
                consider(start + i128::from(delay));
            }
            continue;
        };
        let Some(finished) = last.finished_at else {
            if let Some(resume) = last.resume_at {
                consider(time_nanos(resume));
            }
            continue;
        };
        if let (Some(count), Some(r)) = (effective_count(metric), result(run, &metric.name))
            && i64::from(r.count) >= count
        {
            continue;
        }
        if let Ok(Some(wait)) = wait_after(timing, last, true) {
            consider(time_nanos(finished) + i128::from(wait));
        }
    }
    next.map(system)
}
