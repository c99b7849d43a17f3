//! Per-metric rules: effective count, validation, limit checks and metric assessment
//! (`analysis/analysis.go`, `utils/analysis/factory.go`; semantics §2, §4.3, §6).

use crate::go::duration::parse_duration;
use crate::phase::Phase;
use crate::spec::{IntOrString, Metric, MetricResult};

/// Argo's default `consecutiveErrorLimit`.
pub const DEFAULT_CONSECUTIVE_ERROR_LIMIT: i64 = 4;

fn limit(v: &Option<IntOrString>) -> i64 {
    v.as_ref().map_or(0, IntOrString::value)
}

/// The metric's limits after Argo's int-or-string conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `failureLimit` (0 when unset; -1 disables the failure check).
    pub failure: i64,
    /// `inconclusiveLimit` (0 when unset).
    pub inconclusive: i64,
    /// `consecutiveErrorLimit` (4 when unset).
    pub consecutive_error: i64,
    /// `consecutiveSuccessLimit` (0 = disabled).
    pub consecutive_success: i64,
    /// Whether `failureLimit` is set at all.
    pub failure_set: bool,
}

impl Limits {
    /// Reads a metric's limits.
    pub fn of(metric: &Metric) -> Limits {
        Limits {
            failure: limit(&metric.failure_limit),
            inconclusive: limit(&metric.inconclusive_limit),
            consecutive_error: metric
                .consecutive_error_limit
                .as_ref()
                .map_or(DEFAULT_CONSECUTIVE_ERROR_LIMIT, IntOrString::value),
            consecutive_success: limit(&metric.consecutive_success_limit),
            failure_set: metric.failure_limit.is_some(),
        }
    }
}

/// `Metric.EffectiveCount`: `Some(1)` for "run once" (no count, no interval), `None` for
/// "run indefinitely" (interval, no count), else the count (which may be negative).
pub fn effective_count(metric: &Metric) -> Option<i64> {
    let count = limit(&metric.count);
    if metric.count.is_none() || count == 0 {
        if metric.interval.is_empty() { Some(1) } else { None }
    } else {
        Some(count)
    }
}

/// `ValidateMetric`: the first rule a metric breaks, worded as Argo words it.
pub fn validate_metric(metric: &Metric) -> Result<(), String> {
    let count = limit(&metric.count);
    let l = Limits::of(metric);
    let (f, s, i) = (l.failure, l.consecutive_success, l.inconclusive);
    if s < 0 {
        return Err("consecutiveSuccessLimit must be >= 0".into());
    }
    if f < -1 {
        return Err("failureLimit must be >= 0, or -1 to be disabled".into());
    }
    if s == 0 && f == -1 {
        return Err("failureLimit and consecutiveSuccessLimit cannot both be disabled".into());
    }
    if i < 0 {
        return Err("inconclusiveLimit must be >= 0".into());
    }
    if metric.consecutive_error_limit.as_ref().is_some_and(|c| c.value() < 0) {
        return Err("consecutiveErrorLimit must be >= 0".into());
    }
    if count > 0 {
        if f >= 0 {
            if count < f + s {
                return Err(format!(
                    "count ({count}) must be >= failureLimit + consecutiveSuccessLimit ({f} + {s}) if both >= 0"
                ));
            }
        } else if count < s {
            return Err("count must be >= consecutiveSuccessLimit".into());
        }
        if count < i {
            return Err("count must be >= inconclusiveLimit".into());
        }
    }
    if count > 1 && metric.interval.is_empty() {
        return Err("interval must be specified when count > 1".into());
    }
    if !metric.interval.is_empty() {
        parse_duration(&metric.interval).map_err(|e| format!("invalid interval string: {e}"))?;
    }
    if !metric.initial_delay.is_empty() {
        parse_duration(&metric.initial_delay).map_err(|e| format!("invalid startDelay string: {e}"))?;
    }
    match known_provider_count(metric) {
        0 => Err("no provider specified".into()),
        1 => Ok(()),
        _ => Err("multiple providers specified".into()),
    }
}

/// How many providers Argo sees: the known provider fields, plus one per plugin key. Keys Argo
/// does not know are dropped by its JSON decoding and do not count.
fn known_provider_count(metric: &Metric) -> usize {
    let p = &metric.provider;
    [
        p.prometheus.is_some(),
        p.job.is_some(),
        p.web.is_some(),
        p.wavefront.is_some(),
        p.kayenta.is_some(),
        p.datadog.is_some(),
        p.new_relic.is_some(),
        p.cloud_watch.is_some(),
        p.graphite.is_some(),
        p.influxdb.is_some(),
        p.skywalking.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count()
        + p.plugin.as_ref().map_or(0, |m| m.len())
}

/// `ValidateMetrics`: an empty list, duplicate names, then each metric's rules, in order.
pub fn validate_metrics(metrics: &[Metric]) -> Result<(), String> {
    if metrics.is_empty() {
        return Err("no metrics specified".into());
    }
    let mut seen = std::collections::HashSet::new();
    for (i, m) in metrics.iter().enumerate() {
        if !seen.insert(m.name.as_str()) {
            return Err(format!("metrics[{i}]: duplicate name '{}'", m.name));
        }
        validate_metric(m).map_err(|e| format!("metrics[{i}]: {e}"))?;
    }
    Ok(())
}

/// `assessMetricFailureInconclusiveOrError`: the limit a metric's counters breach, if any,
/// with Argo's reason text. Later checks overwrite earlier ones, so the precedence is
/// Error > Inconclusive > Failed.
pub fn limit_check(metric: &Metric, result: &MetricResult) -> Option<(Phase, String)> {
    let l = Limits::of(metric);
    let mut hit = None;
    // Go converts the limits to int32 before comparing.
    let (failure, inconclusive, errors) = (l.failure as i32, l.inconclusive as i32, l.consecutive_error as i32);
    if failure >= 0 && result.failed > failure {
        hit = Some((Phase::Failed, format!("failed ({}) > failureLimit ({failure})", result.failed)));
    }
    if result.inconclusive > inconclusive {
        hit = Some((
            Phase::Inconclusive,
            format!("inconclusive ({}) > inconclusiveLimit ({inconclusive})", result.inconclusive),
        ));
    }
    if result.consecutive_error > errors {
        hit = Some((
            Phase::Error,
            format!("consecutiveErrors ({}) > consecutiveErrorLimit ({errors})", result.consecutive_error),
        ));
    }
    hit
}

/// `assessMetricStatus`: a metric's phase from its counters.
pub fn assess_metric(metric: &Metric, result: &MetricResult, terminating: bool) -> Phase {
    if result.phase.is_completed() {
        return result.phase;
    }
    let Some(last) = result.measurements.last() else {
        return if terminating { Phase::Successful } else { Phase::Pending };
    };
    if !last.phase.is_completed() {
        return Phase::Running;
    }
    if let Some((phase, _)) = limit_check(metric, result) {
        return phase;
    }
    let l = Limits::of(metric);
    if l.consecutive_success > 0 && i64::from(result.consecutive_success) >= l.consecutive_success {
        return Phase::Successful;
    }
    if let Some(count) = effective_count(metric)
        && i64::from(result.count) >= count
    {
        let failure_applicable = !l.failure_set || l.failure >= 0;
        let success_applicable = l.consecutive_success > 0;
        return match (failure_applicable, success_applicable) {
            (true, true) => Phase::Inconclusive,
            (false, true) => Phase::Failed,
            _ => Phase::Successful,
        };
    }
    if terminating { Phase::Successful } else { Phase::Running }
}
