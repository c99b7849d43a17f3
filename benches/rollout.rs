//! The rollout step engine (issue: the rollout step engine, item 7).
//!
//! Targets, for a 10-step canary (setWeight / pause / analysis, three analysis steps):
//! * one engine step (one reconcile of a settled rollout mid-update) ≤ 2 µs median;
//! * 100,000 rollouts simulated to completion on one core in ≤ 10 s (measured here in
//!   batches of 1,000 rollouts: ≤ 100 ms per batch);
//! * engine state ≤ 4 KB per rollout: the persisted status, the only state the engine keeps
//!   between reconciles (the spec is the user's object, held by whoever stores the Rollout);
//!   counted by the allocator below, with the whole Rollout (spec + status) reported beside it.

use std::hint::black_box;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use augur::controller::rollout::Rollout;
use augur::controller::sim::{AnalysisMode, Cluster, Plan, SimConfig};
use augur::controller::{Options, Phase, Prepared, reconcile_prepared};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::LIVE;

const ROLLOUT: &str = "
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: checkout}
spec:
  replicas: 10
  selector: {matchLabels: {app: checkout}}
  template:
    metadata: {labels: {app: checkout}}
    spec:
      containers: [{name: checkout, image: 'checkout:2'}]
  strategy:
    canary:
      steps:
      - setWeight: 10
      - pause: {duration: 1m}
      - analysis: {templates: [{templateName: success-rate}], args: [{name: service, value: checkout}]}
      - setWeight: 30
      - pause: {duration: 1m}
      - analysis: {templates: [{templateName: success-rate}], args: [{name: service, value: checkout}]}
      - setWeight: 60
      - pause: {duration: 1m}
      - analysis: {templates: [{templateName: success-rate}], args: [{name: service, value: checkout}]}
      - setWeight: 90
";

fn rollout() -> Rollout {
    serde_saphyr::from_str(ROLLOUT).expect("the benchmark Rollout parses")
}

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

/// A cluster with `v1` stable; each analysis run succeeds two minutes after it starts; pods
/// are ready ten seconds after they are created. Bulk simulation keeps no timeline.
fn cluster() -> Cluster {
    let mode = AnalysisMode::Outcome { phase: Phase::Successful, after: Duration::from_secs(120) };
    let config = SimConfig { ready_after: Duration::from_secs(10), skip_timeline: true, ..Default::default() };
    let mut c = Cluster::new(rollout(), mode, config, start());
    c.deploy_initial("v1").expect("initial deploy");
    c
}

/// One release of `v2` to completion; the number of analysis runs it created.
fn release(mut c: Cluster) -> usize {
    let outcome = c.run_release("v2", Plan::default(), |_| {}).expect("the release runs");
    assert!(c.is_complete(), "{outcome:?}");
    c.analysis.runs.len()
}

fn engine_step(c: &mut Criterion) {
    // Mid-update: at the second setWeight, settled.
    let mut cl = cluster();
    cl.apply_template("v2").expect("update");
    while cl.rollout.status.current_step_index.unwrap_or(0) < 4 {
        assert!(cl.advance().expect("advance"), "the rollout stalled");
    }
    let observed = cl.observed();
    let now = cl.now;
    let options = Options::default();
    // A controller derives this once per spec generation.
    let prepared = Prepared::new(&cl.rollout);
    let settled = reconcile_prepared(&prepared, &cl.rollout, &observed, now, &options);
    assert_eq!(settled.status, cl.rollout.status, "the state is settled");
    c.bench_function("rollout/engine_step_10_step_canary", |b| {
        b.iter(|| black_box(reconcile_prepared(&prepared, black_box(&cl.rollout), black_box(&observed), now, &options)))
    });
}

fn simulate(c: &mut Criterion) {
    let base = cluster();
    assert_eq!(release(base.clone()), 3);
    let mut g = c.benchmark_group("rollout");
    g.sample_size(10);
    g.bench_function("simulate_1000_rollouts_to_completion", |b| {
        b.iter(|| {
            for _ in 0..1000 {
                black_box(release(black_box(base.clone())));
            }
        })
    });
    g.finish();
}

fn memory(_: &mut Criterion) {
    // Rollouts mid-update: the persisted status, and the whole object beside it.
    let mut cl = cluster();
    cl.apply_template("v2").expect("update");
    for _ in 0..12 {
        cl.advance().expect("advance");
    }
    let one = cl.rollout.clone();
    const N: usize = 10_000;
    let before = LIVE.load(Ordering::Relaxed);
    let kept: Vec<Rollout> = (0..N).map(|_| one.clone()).collect();
    let after = LIVE.load(Ordering::Relaxed);
    let per_rollout = (after - before) as f64 / N as f64;
    let status_before = LIVE.load(Ordering::Relaxed);
    let statuses: Vec<_> = (0..N).map(|_| one.status.clone()).collect();
    let per_status = (LIVE.load(Ordering::Relaxed) - status_before) as f64 / N as f64;
    black_box((&kept, &statuses));
    let size = std::mem::size_of::<augur::controller::RolloutStatus>();
    let state = per_status + size as f64;
    let whole = per_rollout + std::mem::size_of::<Rollout>() as f64;
    println!(
        "rollout/engine_state_per_rollout: {state:.0} bytes (status: {size} inline + {per_status:.0} heap; target <= 4096); the whole Rollout object (spec + status): {whole:.0} bytes"
    );
    assert!(state <= 4096.0, "engine state per rollout {state} bytes exceeds 4 KB");
}

criterion_group!(benches, engine_step, simulate, memory);
criterion_main!(benches);
