//! Replica arithmetic exactly as Argo's (`utils/replicaset/{replicaset,canary}.go`): surge and
//! unavailability fenceposts, the weight-to-replicas approximation, the basic and
//! traffic-routed canary formulas and the "at desired counts" test that completes a step.
//!
//! Go computes in `int32`; the products that wrap in Go wrap here too
//! (`approximateWeightedCanaryStableReplicaCounts` multiplies `replicas * weight` in `int32`),
//! while `trafficWeightToReplicas` uses `float64`, so the two disagree for huge weights exactly
//! as Argo's do.

use augur_analysis_core::spec::IntOrString;

use crate::rollout::{Rollout, SetCanaryScale, TrafficWeights};
use crate::world::ReplicaSet;

/// Why a `maxSurge` / `maxUnavailable` value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value for IntOrString: invalid value {value:?}: {reason}")]
pub struct FencepostError {
    /// The value as written.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

/// `intstr.GetValueFromIntOrPercent` (the deprecated variant Argo uses): an int as is; *any*
/// string is a percentage once every `%` is removed (`"3"` is 3 %).
pub fn value_from_int_or_percent(v: &IntOrString, total: i32, round_up: bool) -> Result<i32, FencepostError> {
    match v {
        IntOrString::Int(i) => Ok(i32::try_from(*i).unwrap_or(if *i < 0 { i32::MIN } else { i32::MAX })),
        IntOrString::String(s) => {
            let pct = atoi_without_percent(s).ok_or_else(|| FencepostError {
                value: s.clone(),
                reason: format!("strconv.Atoi: parsing {:?}: invalid syntax", s.replace('%', "")),
            })?;
            Ok(percent_of(pct, total, round_up))
        }
    }
}

/// `pct` % of `total`, rounded up or down, in `float64` as Go computes it.
fn percent_of(pct: i64, total: i32, round_up: bool) -> i32 {
    let f = pct as f64 * f64::from(total) / 100.0;
    (if round_up { f.ceil() } else { f.floor() }) as i32
}

/// A rollout's `maxSurge` / `maxUnavailable`, absent meaning Argo's default `"25"` (25 %).
fn value_or_default(v: Option<&IntOrString>, total: i32, round_up: bool) -> Result<i32, FencepostError> {
    match v {
        Some(v) => value_from_int_or_percent(v, total, round_up),
        None => Ok(percent_of(25, total, round_up)),
    }
}

/// The canary's fenceposts with Argo's defaults applied (`resolveFenceposts` of
/// `GetMaxSurgeOrDefault` and `GetMaxUnavailableOrDefault`).
fn canary_fenceposts(ro: &Rollout) -> Result<(i32, i32), FencepostError> {
    let c = ro.canary();
    let replicas = ro.replicas();
    let surge = value_or_default(c.and_then(|c| c.max_surge.as_ref()), replicas, true)?;
    let mut unavailable = value_or_default(c.and_then(|c| c.max_unavailable.as_ref()), replicas, false)?;
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Ok((surge, unavailable))
}

/// Go's `strconv.Atoi` of `s` with every `%` removed (without allocating).
fn atoi_without_percent(s: &str) -> Option<i64> {
    let mut digits = s.bytes().filter(|b| *b != b'%').peekable();
    let neg = match digits.peek() {
        Some(b'-') => {
            digits.next();
            true
        }
        Some(b'+') => {
            digits.next();
            false
        }
        _ => false,
    };
    let mut n: i64 = 0;
    let mut any = false;
    for b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
        any = true;
    }
    any.then_some(if neg { -n } else { n })
}

/// `resolveFenceposts`: `(surge, unavailable)`; when both resolve to 0, unavailable is 1.
pub fn resolve_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    desired: i32,
) -> Result<(i32, i32), FencepostError> {
    let zero = IntOrString::Int(0);
    let surge = value_from_int_or_percent(max_surge.unwrap_or(&zero), desired, true)?;
    let mut unavailable = value_from_int_or_percent(max_unavailable.unwrap_or(&zero), desired, false)?;
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Ok((surge, unavailable))
}

/// `MaxSurge`: 0 for blue-green; the resolved canary surge (0 if a value is invalid).
pub fn max_surge(ro: &Rollout) -> i32 {
    if ro.canary().is_none() {
        return 0;
    }
    canary_fenceposts(ro).map(|(s, _)| s).unwrap_or(0)
}

/// `MaxUnavailable`: 0 with 0 replicas; canary through the fenceposts; blue-green the floor of
/// its own value (no both-zero rule); capped at `spec.replicas`.
pub fn max_unavailable(ro: &Rollout) -> i32 {
    max_unavailable_of(ro, || canary_fenceposts(ro))
}

/// [`max_unavailable`] with the canary's fenceposts resolved by `canary` (a caller that has
/// them already need not resolve them again).
fn max_unavailable_of(ro: &Rollout, canary: impl FnOnce() -> Result<(i32, i32), FencepostError>) -> i32 {
    let replicas = ro.replicas();
    if replicas == 0 {
        return 0;
    }
    let unavailable = if ro.canary().is_some() {
        canary().map(|(_, u)| u).unwrap_or(0)
    } else {
        value_or_default(ro.blue_green().and_then(|b| b.max_unavailable.as_ref()), replicas, false).unwrap_or(0)
    };
    unavailable.min(replicas)
}

/// `trafficWeightToReplicas`: `ceil(weight * replicas / maxWeight)` in `float64`.
pub fn traffic_weight_to_replicas(replicas: i32, weight: i32, max_weight: i32) -> i32 {
    (f64::from(weight) * f64::from(replicas) / f64::from(max_weight)).ceil() as i32
}

/// `approximateWeightedCanaryStableReplicaCounts`: the `(canary, stable)` pair closest to the
/// weight, allowed to sum to `replicas + 1` when surge is allowed; a weight strictly between
/// 0 and max never rounds either side to 0 when there are two or more pods; an exact .5 tie
/// rounds the canary up.
pub fn approximate(spec_replicas: i32, desired_weight: i32, max_weight: i32, max_surge: i32) -> (i32, i32) {
    if spec_replicas == 0 {
        return (0, 0);
    }
    let product = f64::from(spec_replicas.wrapping_mul(desired_weight));
    let ceil = (product / f64::from(max_weight)).ceil() as i32;
    let floor = (product / f64::from(max_weight)).floor() as i32;
    let tied = |total: i32| (f64::from(total) * (f64::from(desired_weight) / f64::from(max_weight))).fract() == 0.5;
    let zero_allowed = desired_weight == max_weight || desired_weight == 0 || (spec_replicas == 1 && max_surge == 0);
    // At most four candidates, in Go's order (the first of equally close ones wins).
    let mut candidates = [(0, 0); 4];
    let mut len = 0;
    let mut push = |o: (i32, i32)| {
        candidates[len] = o;
        len += 1;
    };
    if ceil < spec_replicas || zero_allowed {
        push((ceil, spec_replicas));
    }
    if !tied(spec_replicas) && (floor != 0 || zero_allowed) {
        push((floor, spec_replicas));
    }
    if max_surge > 0 {
        push((ceil, spec_replicas + 1));
        if !tied(spec_replicas + 1) && (floor != 0 || zero_allowed) {
            push((floor, spec_replicas + 1));
        }
    }
    let options = &candidates[..len];
    let delta = |(canary, total): (i32, i32)| {
        (f64::from(canary.wrapping_mul(max_weight)) / f64::from(total) - f64::from(desired_weight)).abs()
    };
    let Some(&first) = options.first() else { return (0, spec_replicas) };
    let mut best = first;
    let mut best_delta = delta(first);
    for &o in &options[1..] {
        let d = delta(o);
        if d < best_delta {
            best = o;
            best_delta = d;
        }
    }
    (best.0, best.1 - best.0)
}

/// `GetCurrentCanaryStep`: the current step index and the step (None past the end); `None`
/// overall when there are no steps.
pub fn current_step(ro: &Rollout) -> Option<(i32, Option<&crate::rollout::CanaryStep>)> {
    let steps = ro.steps();
    if ro.canary().is_none() || steps.is_empty() {
        return None;
    }
    let index = ro.status.current_step_index.unwrap_or(0);
    let step = usize::try_from(index).ok().and_then(|i| steps.get(i));
    Some((index, step))
}

/// `GetCurrentSetWeight`: 0 when aborted; max past the last step or without steps; else the
/// nearest `setWeight` at or before the current step (0 if none).
pub fn current_set_weight(ro: &Rollout) -> i32 {
    if ro.status.abort {
        return 0;
    }
    match current_step(ro) {
        Some((index, Some(_))) => {
            let steps = ro.steps();
            (0..=index as usize).rev().find_map(|i| steps[i].set_weight).unwrap_or(0)
        }
        _ => ro.max_traffic_weight(),
    }
}

/// `UseSetCanaryScale`: the setCanaryScale in force (traffic routing only), found scanning
/// back from the current step; `matchTrafficWeight` ends it.
pub fn use_set_canary_scale(ro: &Rollout) -> Option<&SetCanaryScale> {
    ro.traffic_routing()?;
    if ro.status.abort && ro.abort_scale_down_delay_seconds().is_some() {
        return None;
    }
    let (index, step) = current_step(ro)?;
    step?;
    let steps = ro.steps();
    for i in (0..=index as usize).rev() {
        if let Some(scs) = &steps[i].set_canary_scale {
            if scs.match_traffic_weight {
                return None;
            }
            return Some(scs);
        }
    }
    None
}

/// `GetCanaryReplicasOrWeight`: an explicit canary replica count (setCanaryScale replicas), or
/// the weight the canary is sized for.
pub fn canary_replicas_or_weight(
    ro: &Rollout,
    new_rs: Option<&ReplicaSet>,
    stable_rs: Option<&ReplicaSet>,
) -> (Option<i32>, i32) {
    let st = &ro.status;
    if st.promote_full || st.stable_rs.is_empty() || st.current_pod_hash == st.stable_rs {
        return (None, ro.max_traffic_weight());
    }
    if let Some(scs) = use_set_canary_scale(ro) {
        if let Some(r) = scs.replicas {
            return (Some(r), 0);
        } else if let Some(w) = scs.weight {
            return (None, w);
        }
    }
    (None, desired_canary_weight(ro, new_rs, stable_rs))
}

/// `GetDesiredCanaryWeight`: the current setWeight, except during an abort with dynamic stable
/// scaling, where the weight walks back down the setWeight steps as the stable scales up.
pub fn desired_canary_weight(ro: &Rollout, new_rs: Option<&ReplicaSet>, stable_rs: Option<&ReplicaSet>) -> i32 {
    if let (true, true, Some(new_rs), Some(stable_rs)) = (ro.status.abort, ro.dynamic_stable_scale(), new_rs, stable_rs)
    {
        let max_weight = ro.max_traffic_weight();
        let replicas = ro.replicas();
        let expected = replicas - stable_rs.available;
        let mut canary = expected.max(new_rs.available);
        if ro.has_explicit_abort_scale_down_delay() {
            canary = expected;
        }
        for step in ro.steps().iter().rev() {
            if let Some(w) = step.set_weight
                && traffic_weight_to_replicas(replicas, w, max_weight) < canary
            {
                return w;
            }
        }
        return 0;
    }
    current_set_weight(ro)
}

/// `CheckMinPodsPerReplicaSet`: a non-zero count is at least `minPodsPerReplicaSet` (capped at
/// `spec.replicas`), traffic routing only.
pub fn check_min_pods(ro: &Rollout, count: i32) -> i32 {
    if count == 0 {
        return 0;
    }
    match (ro.canary().and_then(|c| c.min_pods_per_replica_set), ro.traffic_routing()) {
        (Some(min), Some(_)) => count.max(min.min(ro.replicas())),
        _ => count,
    }
}

/// `CheckStableRSExists`: a stable ReplicaSet that is not the new one.
pub fn stable_distinct(new_rs: Option<&ReplicaSet>, stable_rs: Option<&ReplicaSet>) -> bool {
    match (stable_rs, new_rs) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(s), Some(n)) => s.hash != n.hash,
    }
}

/// `GetReplicasForScaleDown`.
fn replicas_for_scale_down(rs: Option<&ReplicaSet>, ignore_availability: bool) -> i32 {
    match rs {
        None => 0,
        Some(rs) if rs.replicas < rs.available => rs.replicas,
        Some(rs) if ignore_availability => rs.replicas,
        Some(rs) => rs.available,
    }
}

/// `CalculateReplicaCountsForBasicCanary`: `(new, stable)` spec.replicas for a canary whose
/// traffic split is the pod ratio, within maxSurge and maxUnavailable.
pub fn basic_canary_counts(
    ro: &Rollout,
    new_rs: Option<&ReplicaSet>,
    stable_rs: Option<&ReplicaSet>,
    others: &[&ReplicaSet],
) -> (i32, i32) {
    let r = ro.replicas();
    let (_, weight) = canary_replicas_or_weight(ro, new_rs, stable_rs);
    // MaxSurge and MaxUnavailable from one resolution of the fenceposts.
    let fenceposts = canary_fenceposts(ro);
    let surge = if ro.canary().is_none() { 0 } else { fenceposts.as_ref().map_or(0, |(s, _)| *s) };
    let (mut desired_new, mut desired_stable) = approximate(r, weight, ro.max_traffic_weight(), surge);

    let mut new_count = new_rs.map_or(0, |rs| rs.replicas);
    let scale_stable = stable_distinct(new_rs, stable_rs);
    let mut stable_count = 0;
    if scale_stable {
        stable_count = stable_rs.map_or(0, |rs| rs.replicas);
    } else {
        desired_new = r;
        desired_stable = 0;
    }
    let max_allowed = r + surge;
    let others_total: i32 = others.iter().map(|rs| rs.replicas).sum();
    let total = others_total
        + new_rs.map_or(0, |rs| rs.replicas)
        + if scale_stable { stable_rs.map_or(0, |rs| rs.replicas) } else { 0 };
    let mut scale_up = max_allowed - total;

    if let (true, Some(stable)) = (scale_stable, stable_rs)
        && stable.replicas < desired_stable
        && scale_up > 0
    {
        if stable.replicas + scale_up < desired_stable {
            stable_count = stable.replicas + scale_up;
            scale_up = 0;
        } else {
            stable_count = desired_stable;
            scale_up -= desired_stable - stable.replicas;
        }
    }
    if let Some(new) = new_rs
        && new.replicas < desired_new
        && scale_up > 0
    {
        new_count = (new.replicas + scale_up).min(desired_new);
    }
    if others_total > 0 {
        return (new_count, stable_count);
    }

    let min_available = r - max_unavailable_of(ro, || fenceposts.clone());
    let increasing = new_rs.is_none_or(|n| desired_new >= n.replicas);
    let to_scale_down = replicas_for_scale_down(new_rs, !increasing) + replicas_for_scale_down(stable_rs, increasing);
    if to_scale_down <= min_available {
        return (new_count, stable_count);
    }
    let scale_down = to_scale_down - min_available;
    if !increasing {
        new_count = scale_down_count(new_rs, desired_new, scale_down, new_count);
        (new_count, stable_count) =
            adjust_within_limits(new_rs, stable_rs, new_count, stable_count, max_allowed, min_available);
    } else if scale_stable {
        stable_count = scale_down_count(stable_rs, desired_stable, scale_down, stable_count);
        (stable_count, new_count) =
            adjust_within_limits(stable_rs, new_rs, stable_count, new_count, max_allowed, min_available);
    }
    (new_count, stable_count)
}

/// `calculateScaleDownReplicaCount`.
fn scale_down_count(drain: Option<&ReplicaSet>, desired: i32, scale_down: i32, count: i32) -> i32 {
    match drain {
        Some(rs) if rs.replicas > desired => desired.max(rs.replicas - scale_down),
        _ => count,
    }
}

/// `adjustReplicaWithinLimits`.
fn adjust_within_limits(
    drain: Option<&ReplicaSet>,
    adjust: Option<&ReplicaSet>,
    mut drain_count: i32,
    mut adjust_count: i32,
    max_allowed: i32,
    min_available: i32,
) -> (i32, i32) {
    let mut over = 0.max(adjust_count + drain_count - max_allowed);
    let mut available = drain.map_or(0, |rs| rs.available.min(drain_count));
    if let Some(adjust) = adjust {
        adjust_count -= over;
        available += adjust.available.min(adjust_count);
        let extra = 0.max(adjust.available - adjust_count);
        let need = 0.max(min_available - available);
        adjust_count += extra.min(need);
        over = 0.max(adjust_count + drain_count - max_allowed);
        drain_count -= over;
    }
    (drain_count, adjust_count)
}

/// `CalculateReplicaCountsForTrafficRoutedCanary`: the canary sized for the weight (rounded
/// up, at least minPodsPerReplicaSet) or setCanaryScale; the stable stays at `spec.replicas`
/// unless dynamicStableScale.
pub fn traffic_routed_counts(
    ro: &Rollout,
    new_rs: Option<&ReplicaSet>,
    stable_rs: Option<&ReplicaSet>,
    weights: Option<&TrafficWeights>,
) -> (i32, i32) {
    let r = ro.replicas();
    let (explicit, weight) = canary_replicas_or_weight(ro, new_rs, stable_rs);
    let max_weight = ro.max_traffic_weight();
    let mut canary = match explicit {
        Some(c) => c,
        None => check_min_pods(ro, traffic_weight_to_replicas(r, weight, max_weight)),
    };
    if !ro.dynamic_stable_scale() {
        return (canary, r);
    }
    let mut stable = traffic_weight_to_replicas(r, max_weight - weight, max_weight);
    if let Some(w) = weights {
        stable = stable.max(traffic_weight_to_replicas(r, w.stable.weight, max_weight));
        if ro.status.abort {
            canary = canary.max(traffic_weight_to_replicas(r, w.canary.weight, max_weight));
        }
    }
    (check_min_pods(ro, canary), check_min_pods(ro, stable))
}

/// The canary formula the rollout uses: traffic-routed when `trafficRouting` is set.
pub fn canary_counts(
    ro: &Rollout,
    new_rs: Option<&ReplicaSet>,
    stable_rs: Option<&ReplicaSet>,
    others: &[&ReplicaSet],
    weights: Option<&TrafficWeights>,
) -> (i32, i32) {
    if ro.traffic_routing().is_some() {
        traffic_routed_counts(ro, new_rs, stable_rs, weights)
    } else {
        basic_canary_counts(ro, new_rs, stable_rs, others)
    }
}

/// `ReplicaProgressThresholdMet`.
pub fn progress_threshold_met(ro: &Rollout, rs: Option<&ReplicaSet>, desired: i32) -> bool {
    let threshold = ro.canary().and_then(|c| c.replica_progress_threshold.as_ref());
    match (threshold, rs) {
        (Some(t), Some(rs)) if t.value >= 0 => {
            if t.kind == "Percent" {
                if desired == 0 {
                    return true;
                }
                let pct = f64::from(rs.available) / f64::from(desired) * 100.0;
                pct >= f64::from(t.value) || (pct - f64::from(t.value)).abs() <= 1e-10
            } else {
                rs.available >= t.value
            }
        }
        _ => rs.is_some_and(|rs| rs.replicas == desired && rs.available == desired),
    }
}

/// `AtDesiredReplicaCountsForCanary`: the counts a setWeight / setCanaryScale step waits for.
pub fn at_desired_counts(
    ro: &Rollout,
    new_rs: Option<&ReplicaSet>,
    stable_rs: Option<&ReplicaSet>,
    others: &[&ReplicaSet],
    weights: Option<&TrafficWeights>,
) -> bool {
    let routed = ro.traffic_routing().is_some();
    let (desired_new, desired_stable) = canary_counts(ro, new_rs, stable_rs, others, weights);
    if !progress_threshold_met(ro, new_rs, desired_new) {
        return false;
    }
    if (!routed || !ro.dynamic_stable_scale())
        && !stable_rs.is_some_and(|s| s.replicas == desired_stable && s.status_replicas == desired_stable)
    {
        return false;
    }
    if !routed && others.iter().map(|rs| rs.available).sum::<i32>() != 0 {
        return false;
    }
    true
}

/// `NewRSNewReplicas`: the size of the new ReplicaSet.
pub fn new_rs_replicas(ro: &Rollout, all: &[ReplicaSet], new_rs: &ReplicaSet, weights: Option<&TrafficWeights>) -> i32 {
    if let Some(bg) = ro.blue_green() {
        let desired = ro.replicas();
        let Some(preview) = bg.preview_replica_count else { return desired };
        let active = find(all, &ro.status.blue_green.active_selector);
        if active.is_none_or(|a| a.hash == new_rs.hash) || ro.status.promote_full {
            return desired;
        }
        if new_rs.hash != ro.status.current_pod_hash {
            return preview;
        }
        let not_paused = !ro.spec.paused && ro.status.pause_conditions.is_empty();
        if not_paused && ro.status.blue_green.scale_up_preview_check_point {
            return desired;
        }
        return preview;
    }
    let stable = find(all, &ro.status.stable_rs);
    let others: Vec<&ReplicaSet> = all
        .iter()
        .filter(|rs| rs.hash != new_rs.hash && Some(rs.hash.as_str()) != stable.map(|s| s.hash.as_str()))
        .collect();
    canary_counts(ro, Some(new_rs), stable, &others, weights).0
}

/// The ReplicaSet with this hash ("" finds nothing).
pub fn find<'a>(all: &'a [ReplicaSet], hash: &str) -> Option<&'a ReplicaSet> {
    if hash.is_empty() {
        return None;
    }
    all.iter().find(|rs| rs.hash == hash)
}
