//! The loop that drives one AnalysisRun: Argo's `reconcileAnalysisRun` around the engine's
//! [`prepare_with`](engine::prepare_with), [`record_with`](engine::record_with) and
//! [`trim`](engine::trim), with the providers' I/O in between.
//!
//! The run lives in its status channel: the loop mutates the published value in place
//! (`watch::Sender::send_if_modified`) in the synchronous steps, so that a reconcile copies no
//! run. Readers only ever see a run between two engine steps that Argo would have written:
//! before `prepare` and after `record` + `trim` (when garbage collection has to run between
//! those two, the loop works on a copy and publishes it once trimmed).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use augur_analysis_core::Phase;
use augur_analysis_core::engine::{
    self, DEFAULT_MEASUREMENT_HISTORY_LIMIT, Event, GcRequest, Prepared, Recorded, ResolvedSpec, Task, TaskKind,
    TaskOutcome, Via,
};
use augur_analysis_core::spec::{AnalysisRun, AnalysisRunSpec, Measurement, Metric, ObjectMeta, Time};
use augur_analysis_core::template::{ResolvedArgs, SecretResolver, resolve_args_with_secrets};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::burst::{Bursts, Deferred, Member, Taken};
use super::call::{Limits, catch_sync, panic_message};
use super::clock::Clock;
use super::events::RunEvent;
use super::handle::Control;
use crate::provider::{Provider, ProviderError, ProviderFactory, RunContext};

/// How long after the engine's wake-up time the loop reconciles. Argo's "interval elapsed"
/// test is strict (`now > finishedAt + interval`) and tokio's timers tick in milliseconds, so
/// waking exactly at the wake-up time would find nothing due.
const WAKE_MARGIN: Duration = Duration::from_millis(1);

/// What every run's loop shares: the analyzer itself.
pub(crate) struct Shared {
    pub(crate) factory: Arc<dyn ProviderFactory>,
    pub(crate) secrets: Arc<dyn SecretResolver + Send + Sync>,
    pub(crate) limits: Limits,
    pub(crate) clock: Clock,
    pub(crate) events: broadcast::Sender<RunEvent>,
    pub(crate) bursts: Arc<Bursts<Measured>>,
}

/// A task's metric: as stored in the run (placeholders unresolved, to substitute the secrets
/// into) and resolved without secrets (the engine's view, whose name keys the results).
///
/// The one place that knows how a [`Task`] designates its metric.
fn task_metric<'a>(task: &Task, run: &'a AnalysisRun, spec: &'a ResolvedSpec) -> (&'a Metric, &'a Metric) {
    (task.metric(run), task.resolved(spec))
}

/// Whether an argument takes its value from a Secret.
fn has_secret_args(run: &AnalysisRun) -> bool {
    run.spec.args.iter().any(|a| a.value_from.as_ref().is_some_and(|v| v.secret_key_ref.is_some()))
}

/// The phases whose change makes Argo reconcile again at once (its status write triggers a
/// watch event), into a reused buffer.
fn phases(run: &AnalysisRun, into: &mut Vec<Phase>) -> Option<Phase> {
    into.clear();
    into.extend(run.status.metric_results.iter().map(|r| r.phase));
    run.status.phase
}

/// The metric a provider gets for a task.
enum ProviderMetric {
    /// Resolved already: the run has no secret-backed argument, so the engine's resolution is
    /// the provider's.
    Ready(Arc<Metric>),
    /// As stored in the run: substitute the argument values with secrets.
    WithSecrets(Box<Metric>),
}

/// A task taken out of the run: everything its provider call needs.
struct Job {
    /// The metric's name, keying its result.
    name: String,
    /// [`RunContext::measurement_number`] for the call: the result's `count + error + 1`.
    number: i64,
    via: Via,
    kind: TaskKind,
    metric: ProviderMetric,
}

/// What a run needs on every reconcile and that never changes: the spec does not (but for
/// `terminate`, which the engine reads from the run).
struct RunSpec {
    spec: ResolvedSpec,
    /// The resolved metrics, shared with the provider calls (when there are no secrets).
    metrics: Vec<Arc<Metric>>,
    /// The run's namespace and arguments, for secret resolution (`None`: no secret-backed
    /// argument).
    secret_args: Option<Arc<AnalysisRun>>,
    /// The run's identity for provider calls.
    cx: RunContext,
    /// `namespace/name`, for logs.
    label: String,
}

impl RunSpec {
    fn new(run: &AnalysisRun) -> RunSpec {
        let spec = ResolvedSpec::new(run);
        let metrics = spec.metrics.iter().cloned().map(Arc::new).collect();
        let secret_args = has_secret_args(run).then(|| {
            // Only what resolve_args_with_secrets reads.
            Arc::new(AnalysisRun {
                metadata: ObjectMeta { namespace: run.metadata.namespace.clone(), ..ObjectMeta::default() },
                spec: AnalysisRunSpec { args: run.spec.args.clone(), ..AnalysisRunSpec::default() },
                ..AnalysisRun::default()
            })
        });
        let cx = RunContext::new(run, SystemTime::UNIX_EPOCH);
        let label = format!("{}/{}", cx.namespace, cx.name);
        RunSpec { spec, metrics, secret_args, cx, label }
    }

    /// Whether recording a measurement may ask for garbage collection: some metric's history
    /// is at its retention limit (or over it, after a failed collection).
    fn may_collect_garbage(&self, run: &AnalysisRun) -> bool {
        run.status.metric_results.iter().any(|r| {
            let limit = match self.spec.retention.get(&r.name) {
                Some(l) if *l > 0 => *l as usize,
                _ => DEFAULT_MEASUREMENT_HISTORY_LIMIT,
            };
            r.measurements.len() >= limit
        })
    }

    /// The jobs for `tasks`, read from the run.
    fn jobs(&self, run: &AnalysisRun, tasks: Vec<Task>) -> Vec<Job> {
        tasks
            .into_iter()
            .map(|task| {
                let (stored, resolved) = task_metric(&task, run, &self.spec);
                let metric = if self.secret_args.is_some() {
                    ProviderMetric::WithSecrets(Box::new(stored.clone()))
                } else {
                    let shared = self.metrics.iter().find(|m| m.name == resolved.name);
                    ProviderMetric::Ready(shared.cloned().unwrap_or_else(|| Arc::new(resolved.clone())))
                };
                let number = run
                    .status
                    .metric_results
                    .iter()
                    .find(|r| r.name == resolved.name)
                    .map_or(1, |r| i64::from(r.count) + i64::from(r.error) + 1);
                Job { name: resolved.name.clone(), number, via: task.via(), kind: task.kind, metric }
            })
            .collect()
    }
}

/// A provider call to make: the task's index, its provider, metric and call.
struct Call {
    index: usize,
    number: i64,
    provider: Arc<dyn Provider>,
    metric: Arc<Metric>,
    kind: TaskKind,
}

/// What a reconcile's measuring step produced: the outcomes and the arguments (with the
/// secrets read), or an argument-resolution failure that makes the run Error.
pub(crate) type Measured = Result<(Vec<TaskOutcome>, ResolvedArgs), String>;

/// What the synchronous first step of a reconcile decided.
enum Step {
    /// The run is completed: nothing to do.
    Completed,
    /// The run failed validation: publish the event and stop.
    Invalid(Event),
    /// Measure these (possibly none).
    Measure(Vec<Job>),
}

/// One run's loop and what it publishes to.
pub(crate) struct RunLoop {
    shared: Arc<Shared>,
    control: Arc<Control>,
    status: watch::Sender<AnalysisRun>,
}

impl RunLoop {
    pub(crate) fn new(shared: Arc<Shared>, control: Arc<Control>, status: watch::Sender<AnalysisRun>) -> RunLoop {
        RunLoop { shared, control, status }
    }

    /// Drives the run in the status channel until it completes (or fails validation or
    /// argument resolution).
    pub(crate) async fn drive(self) {
        let run = Arc::new(RunSpec::new(&self.status.borrow()));
        let mut before = Vec::new();
        let mut after = Vec::new();
        let mut before_phase = None;
        // The next reconcile, prepared in the burst of its deadline.
        let mut next: Option<Member<Measured>> = None;
        loop {
            let taken = next.take().map_or(Taken::NotStarted, Member::take);
            let measured = match taken {
                // The burst's timer started the calls at the deadline.
                Taken::Done(measured) => measured,
                Taken::Started(measuring) => measuring.await,
                // Woken early (a notify, a terminate), or nothing was prepared: reconcile now.
                Taken::NotStarted => {
                    let now = self.shared.clock.now();
                    let (step, phase) = self.start_reconcile(&run, now, &mut before);
                    before_phase = phase;
                    match step {
                        Step::Completed => return,
                        Step::Invalid(event) => {
                            tracing::warn!(run = %run.label, message = %self.status.borrow().status.message, "analysis run invalid");
                            return self.emit(&run, vec![event]);
                        }
                        Step::Measure(jobs) if jobs.is_empty() => Ok((Vec::new(), ResolvedArgs::default())),
                        Step::Measure(jobs) => Arc::clone(&self.shared).measure(Arc::clone(&run), jobs, now).await,
                    }
                }
            };
            let (outcomes, args) = match measured {
                Ok(done) => done,
                Err(message) => {
                    let mut event = None;
                    self.status.send_modify(|r| event = Some(engine::fail_arguments(r, &message)));
                    tracing::warn!(run = %run.label, message = %self.status.borrow().status.message, "analysis run failed");
                    return self.emit(&run, event.into_iter().collect());
                }
            };
            let now = self.shared.clock.now();
            let (recorded, after_phase) = if run.may_collect_garbage(&self.status.borrow()) {
                // Garbage collection comes between record and trim: work on a copy, so that the
                // published run goes from one reconcile's end to the next.
                let mut r = self.status.borrow().clone();
                let recorded = engine::record_with(&run.spec, &mut r, outcomes, &args.secrets, now);
                let gc_results = self.collect_garbage(&run, &recorded.gc).await;
                engine::trim(&mut r, &recorded.gc, &gc_results);
                let after_phase = phases(&r, &mut after);
                self.status.send_replace(r);
                (recorded, after_phase)
            } else {
                let mut recorded = Recorded::default();
                let mut after_phase = None;
                self.status.send_if_modified(|r| {
                    recorded = engine::record_with(&run.spec, r, outcomes, &args.secrets, now);
                    after_phase = phases(r, &mut after);
                    true
                });
                if !recorded.gc.is_empty() {
                    // Not foreseen by `may_collect_garbage`; correct all the same.
                    let gc_results = self.collect_garbage(&run, &recorded.gc).await;
                    self.status.send_modify(|r| engine::trim(r, &recorded.gc, &gc_results));
                }
                (recorded, after_phase)
            };
            self.emit(&run, recorded.events);
            if after_phase.is_some_and(Phase::is_completed) {
                return;
            }
            if after_phase != before_phase || after != before {
                // Argo's status write triggers another reconcile at once.
                tokio::task::yield_now().await;
                continue;
            }
            if self.control.take_wake() {
                // A notify or a terminate came during this reconcile: serve it now.
                continue;
            }
            if let Some(t) = recorded.next_reconcile {
                let deadline = self.shared.clock.instant(t).max(Instant::now()) + WAKE_MARGIN;
                let calls = self.prepare(&run, self.shared.clock.at(deadline));
                next = Some(self.shared.bursts.join(deadline, calls));
            }
            // The status stays as it is until the next reconcile starts.
            std::mem::swap(&mut before, &mut after);
            before_phase = after_phase;
            self.control.wait(next.as_ref()).await;
        }
    }

    /// The first step of a reconcile at `now`: applies a requested terminate, notes the phases
    /// as they were (into `before`; the run's phase is returned) and prepares. The reconcile
    /// serves every wake-up so far.
    fn start_reconcile(&self, run: &RunSpec, now: SystemTime, before: &mut Vec<Phase>) -> (Step, Option<Phase>) {
        self.control.take_wake();
        let terminate = self.control.terminate_requested();
        let mut step = Step::Completed;
        let mut before_phase = None;
        self.status.send_if_modified(|r| {
            let mut modified = false;
            if terminate && !r.spec.terminate {
                r.spec.terminate = true;
                modified = true;
            }
            before_phase = phases(r, before);
            step = match engine::prepare_with(&run.spec, r, now) {
                Prepared::Completed { .. } => Step::Completed,
                Prepared::Invalid(event) => {
                    modified = true;
                    Step::Invalid(event)
                }
                Prepared::Measure(tasks) => Step::Measure(run.jobs(r, tasks)),
            };
            modified
        });
        (step, before_phase)
    }

    /// The next reconcile's measuring step, at `at` (its deadline), ready for the burst's
    /// timer to start (`None`: nothing will be due then). Made now, right after the
    /// bookkeeping, while the run's state is in cache (see [`burst`](super::burst)).
    fn prepare(&self, run: &Arc<RunSpec>, at: SystemTime) -> Option<Deferred<Measured>> {
        let jobs = {
            let r = self.status.borrow();
            run.jobs(&r, engine::tasks_due(&run.spec, &r, at)?)
        };
        if jobs.is_empty() {
            return None;
        }
        Some(Box::pin(Arc::clone(&self.shared).measure(Arc::clone(run), jobs, at)))
    }

    /// Sends the run's events.
    fn emit(&self, run: &RunSpec, events: Vec<Event>) {
        for event in events {
            // No receiver is not an error.
            let _ = self.shared.events.send(RunEvent {
                namespace: run.cx.namespace.to_string(),
                name: run.cx.name.to_string(),
                uid: run.cx.uid.to_string(),
                event,
            });
        }
    }

    /// Garbage collection before trimming: one provider per request, in order; a construction
    /// failure skips the metric (`Err(None)`), a collection failure stops there
    /// (`Err(Some(message))`), as in Argo. Failures are only logged.
    async fn collect_garbage(&self, run: &RunSpec, requests: &[GcRequest]) -> Vec<Result<(), Option<String>>> {
        let mut results = Vec::with_capacity(requests.len());
        for request in requests {
            let cx = run.cx.at(self.shared.clock.now());
            let built = catch_sync(|| self.shared.factory.new_provider(&cx, &request.metric))
                .unwrap_or_else(|panic| Err(ProviderError::Panicked(panic)));
            let provider = match built {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(run = %run.label, metric = %request.metric.name, error = %e, "garbage collection: provider construction failed");
                    results.push(Err(None));
                    continue;
                }
            };
            let _permit = self.shared.limits.acquire(provider.type_name()).await;
            let cx = cx.at(self.shared.clock.now());
            let collected = self
                .shared
                .limits
                .bounded(provider.garbage_collect(&cx, &request.metric, request.limit))
                .await
                .and_then(|r| r);
            match collected {
                Ok(()) => results.push(Ok(())),
                Err(e) => {
                    tracing::warn!(run = %run.label, metric = %request.metric.name, error = %e, "garbage collection failed");
                    results.push(Err(Some(e.to_string())));
                    break;
                }
            }
        }
        results
    }
}

impl Shared {
    /// The argument values with secrets read (`Err`: the run's Error message detail). The
    /// resolver may block (a cluster client), so it runs on the blocking pool; a run without
    /// secret-backed arguments reads nothing.
    async fn resolve_secrets(&self, run: &RunSpec) -> Result<ResolvedArgs, String> {
        let Some(args_only) = &run.secret_args else { return Ok(ResolvedArgs::default()) };
        let (args_only, secrets) = (Arc::clone(args_only), Arc::clone(&self.secrets));
        match tokio::task::spawn_blocking(move || resolve_args_with_secrets(&args_only, &*secrets)).await {
            Ok(resolved) => resolved,
            Err(e) if e.is_panic() => Err(format!("secret resolver panicked: {}", panic_message(&*e.into_panic()))),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Secret resolution, provider construction and the provider calls of one reconcile at
    /// `now`, all tasks concurrently. Owns what it uses, so that a burst's timer can start it
    /// (see [`burst`](super::burst)).
    async fn measure(self: Arc<Self>, run: Arc<RunSpec>, mut jobs: Vec<Job>, now: SystemTime) -> Measured {
        let args = self.resolve_secrets(&run).await?;
        // Argo substitutes every task's metric before running any.
        for job in &mut jobs {
            if let ProviderMetric::WithSecrets(stored) = &job.metric {
                job.metric = ProviderMetric::Ready(Arc::new(args.resolve_metric(stored)?));
            }
        }
        let cx = run.cx.at(now);
        let mut outcomes = Vec::with_capacity(jobs.len());
        let mut calls = Vec::with_capacity(jobs.len());
        for (index, job) in jobs.into_iter().enumerate() {
            let ProviderMetric::Ready(metric) = job.metric else { unreachable!("substituted above") };
            let built = catch_sync(|| {
                self.factory.new_provider(&cx, &metric).map(|p| {
                    let metadata = p.metadata(&metric);
                    (p, metadata)
                })
            })
            .unwrap_or_else(|panic| Err(ProviderError::Panicked(panic)));
            let (measurement, provider_metadata) = match built {
                Ok((provider, metadata)) => {
                    calls.push(Call { index, number: job.number, provider, metric, kind: job.kind });
                    (Measurement::default(), Some(metadata))
                }
                Err(e) => {
                    let message = args.redact(&e.to_string());
                    tracing::warn!(run = %run.label, metric = %job.name, error = %message, "provider construction failed");
                    (failed(in_flight(job.kind), now, message), None)
                }
            };
            outcomes.push(TaskOutcome { metric: job.name, measurement, provider_metadata, via: job.via });
        }
        if calls.len() == 1 {
            // The common case, on the loop's own task.
            if let Some(Call { index, number, provider, metric, kind }) = calls.pop() {
                let cx = cx.clone().with_measurement_number(number);
                outcomes[index].measurement = call(&self, provider.as_ref(), &cx, &metric, kind).await;
            }
        } else {
            for (index, measurement) in self.call_all(&cx, calls).await {
                outcomes[index].measurement = measurement;
            }
        }
        if !args.secrets.is_empty() {
            // Metadata too: a provider may put what the backend said there (a local Job's
            // output, which can echo a secret argument it was given).
            for outcome in &mut outcomes {
                redact_outcome(outcome, &args);
            }
        }
        Ok((outcomes, args))
    }

    /// Runs the provider calls concurrently, each in a task of its own.
    async fn call_all(self: &Arc<Self>, cx: &RunContext, calls: Vec<Call>) -> Vec<(usize, Measurement)> {
        let mut set = JoinSet::new();
        let mut ids = HashMap::with_capacity(calls.len());
        for Call { index, number, provider, metric, kind } in calls {
            let (shared, cx) = (Arc::clone(self), cx.clone().with_measurement_number(number));
            let handle = set.spawn(async move { (index, call(&shared, provider.as_ref(), &cx, &metric, kind).await) });
            ids.insert(handle.id(), index);
        }
        let mut done = Vec::with_capacity(ids.len());
        while let Some(joined) = set.join_next_with_id().await {
            match joined {
                Ok((_, result)) => done.push(result),
                // Panics are caught inside the call: this is a cancellation (runtime shutdown).
                Err(e) => {
                    if let Some(&index) = ids.get(&e.id()) {
                        done.push((index, failed(None, self.clock.now(), format!("provider call failed: {e}"))));
                    }
                }
            }
        }
        done
    }
}

/// Removes secret values from what a provider call left in the status: the message, and
/// (unlike Argo, which stores them as they are) measurement metadata and the provider's
/// `GetMetadata`, such as a resolved query a secret was substituted into.
pub(crate) fn redact_outcome(outcome: &mut TaskOutcome, args: &ResolvedArgs) {
    outcome.measurement.message = args.redact(&outcome.measurement.message);
    for value in outcome.measurement.metadata.values_mut() {
        *value = args.redact(value);
    }
    for value in outcome.provider_metadata.iter_mut().flat_map(|m| m.values_mut()) {
        *value = args.redact(value);
    }
}

/// The in-flight measurement a task resumes or terminates.
fn in_flight(kind: TaskKind) -> Option<Measurement> {
    match kind {
        TaskKind::Measure => None,
        TaskKind::Resume(m) | TaskKind::Terminate(m) => Some(m),
    }
}

/// An Error measurement with `message`: the in-flight measurement turned into it, or a new one
/// started at `started` (`finishedAt` is filled in when it is recorded).
fn failed(in_flight: Option<Measurement>, started: SystemTime, message: String) -> Measurement {
    let mut m = in_flight
        .unwrap_or_else(|| Measurement { started_at: Some(Time::from_system(started)), ..Measurement::default() });
    m.phase = Phase::Error;
    m.message = message;
    m
}

/// One provider call for a task, under the type's concurrency limit and the timeout, with
/// panics caught; whatever goes wrong is an Error measurement.
async fn call(
    shared: &Shared,
    provider: &dyn Provider,
    cx: &RunContext,
    metric: &Metric,
    kind: TaskKind,
) -> Measurement {
    let _permit = shared.limits.acquire(provider.type_name()).await;
    let started = shared.clock.now();
    let cx = cx.at(started);
    let result = match &kind {
        TaskKind::Measure => shared.limits.bounded(provider.run(&cx, metric)).await,
        TaskKind::Resume(m) => shared.limits.bounded(provider.resume(&cx, metric, m.clone())).await,
        TaskKind::Terminate(m) => shared.limits.bounded(provider.terminate(&cx, metric, m.clone())).await,
    };
    match result {
        Ok(m) => m,
        Err(e) => failed(in_flight(kind), started, e.to_string()),
    }
}
