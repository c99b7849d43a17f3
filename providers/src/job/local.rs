//! Job metrics run on the local machine (`augur run --local-jobs`), for CI pipelines that
//! have no cluster: the pod's first container's `command` and `args` run as a local process
//! with its `env`. **This runs commands from the template on the machine running Augur.**
//!
//! The measurement is asynchronous, exactly like a cluster Job's: `run` starts the process
//! and returns Running (resume at once), `resume` reports the outcome once the process has
//! ended — exit status 0 Successful, anything else Failed — and otherwise keeps it Running
//! with the same growing delay. Completing inside `run` instead would hold the provider call
//! for the whole test suite: the analyzer's per-call timeout would turn a long suite into an
//! Error, a terminating run could not stop it, and other metrics' calls in the same reconcile
//! would wait for it. The processes live in [`LocalJobs`], which the factory shares with every
//! provider it builds (as the cluster holds Jobs between calls).
//!
//! * `activeDeadlineSeconds` is honoured: the process group is killed when it expires and the
//!   measurement is Failed (`DeadlineExceeded`, as the Job controller words it).
//! * `terminate` kills the process group → Inconclusive.
//! * The last 4 KiB of stdout and stderr, and the exit code, land in the measurement's
//!   metadata (`stdout`, `stderr`, `exit-code`).
//! * A process that cannot be started (no such program) is Failed, as the Job's pod would fail.
//! * What the API server would reject is an Error naming the metric and the field
//!   (`restartPolicy` other than `Never`/`OnFailure`, a container without name or image), so
//!   that a template that passes in CI is also accepted by a cluster.
//! * Not emulated: the image (the command must exist locally), retries (`backoffLimit`; the
//!   process runs once), `parallelism`/`completions`, init and sidecar containers, volumes.
//!   The process inherits Augur's environment, with the container's env added.
//! * Processes do not survive Augur: resuming a measurement this process did not start is an
//!   Error, like a Job missing from the cluster.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use augur_analysis_core::Phase;
use augur_analysis_core::spec::{Measurement, Metric};

use super::command::LocalCommand;
use super::naming::job_name;
use super::object::{JobSpecError, JobTemplate};
use super::outcome::{self, failed_to_start, finish, job_of, keep_running, started};
use super::process::{Ending, Finished, Process};
use crate::provider::{Provider, RunContext};
use crate::record::Recorder;

/// How long `terminate` waits for a killed process to be reaped.
const KILL_WAIT: Duration = Duration::from_secs(5);

/// The local Job processes of every run, by `namespace/name`.
#[derive(Debug, Default)]
pub struct LocalJobs {
    running: Mutex<HashMap<String, Process>>,
}

impl LocalJobs {
    /// No processes yet.
    pub fn new() -> LocalJobs {
        LocalJobs::default()
    }

    fn key(namespace: &str, name: &str) -> String {
        format!("{namespace}/{name}")
    }

    fn get(&self, key: &str) -> Option<Process> {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned()
    }

    fn insert(&self, key: String, p: Process) {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).insert(key, p);
    }

    fn remove(&self, key: &str) -> Option<Process> {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).remove(key)
    }

    /// How many processes are being watched (running, or ended and not yet reported).
    pub fn len(&self) -> usize {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether no process is being watched.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The Job provider for one task, running Jobs as local processes.
pub struct LocalJobProvider {
    jobs: Arc<LocalJobs>,
    /// The namespace Jobs would be created in (`ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE`).
    namespace: Option<String>,
    recorder: Option<Arc<dyn Recorder>>,
}

impl LocalJobProvider {
    /// A provider running processes in `jobs`, recording outcomes with `recorder`.
    /// Measurements name `namespace` (else the run's, else `default`) as the Job's namespace.
    pub fn new(
        jobs: Arc<LocalJobs>,
        namespace: Option<String>,
        recorder: Option<Arc<dyn Recorder>>,
    ) -> LocalJobProvider {
        LocalJobProvider { jobs, namespace, recorder }
    }

    fn done(&self, cx: &RunContext, metric: &Metric, m: Measurement) -> Measurement {
        outcome::record(cx, &metric.name, &m, self.recorder.as_deref());
        m
    }
}

/// The completed measurement for a process that ended.
fn report(cx: &RunContext, mut m: Measurement, name: &str, end: &Finished) -> Measurement {
    for (key, text) in [("stdout", &end.stdout), ("stderr", &end.stderr)] {
        if !text.is_empty() {
            m.metadata.insert(key.into(), text.clone());
        }
    }
    let (phase, message) = match &end.ending {
        Ending::Exited(status) => {
            if let Some(code) = status.code() {
                m.metadata.insert("exit-code".into(), code.to_string());
            }
            match (status.success(), status.code()) {
                (true, _) => (Phase::Successful, String::new()),
                (false, Some(code)) => (Phase::Failed, format!("local job {name} failed: exit status {code}")),
                (false, None) => (Phase::Failed, format!("local job {name} failed: {status}")),
            }
        }
        Ending::DeadlineExceeded(limit) => (
            Phase::Failed,
            format!(
                "local job {name} failed: DeadlineExceeded: Job was active longer than specified deadline \
                 (activeDeadlineSeconds: {}); the process was killed",
                limit.as_secs()
            ),
        ),
        Ending::Terminated => (Phase::Inconclusive, String::new()),
        Ending::Lost(e) => (Phase::Error, format!("local job {name}: waiting for the process failed: {e}")),
    };
    finish(cx, m, phase, message)
}

#[async_trait]
impl Provider for LocalJobProvider {
    fn type_name(&self) -> &str {
        "Job"
    }

    async fn run(&self, cx: &RunContext, metric: &Metric) -> Measurement {
        let template = match JobTemplate::from_metric(metric).and_then(|t| {
            t.check_like_api_server(&metric.name)?;
            Ok(t)
        }) {
            Ok(t) => t,
            Err(e) => return self.done(cx, metric, failed_to_start(cx, e.to_string())),
        };
        let command = template
            .first_container()
            .ok_or_else(|| JobSpecError::NoContainers { metric: metric.name.clone() }.to_string())
            .and_then(|c| LocalCommand::from_container(c, &metric.name));
        let command = match command {
            Ok(c) => c,
            Err(message) => return self.done(cx, metric, failed_to_start(cx, message)),
        };
        let name = job_name(&cx.uid, &metric.name, cx.measurement_number);
        let namespace = match (&self.namespace, &*cx.namespace) {
            (Some(ns), _) => ns.clone(),
            (None, "") => "default".to_string(),
            (None, ns) => ns.to_string(),
        };
        let key = LocalJobs::key(&namespace, &name);
        if self.jobs.get(&key).is_some() {
            // The same measurement started again: adopt the process, as a Job that exists.
            return started(cx, &name, &namespace);
        }
        let deadline = template.spec.active_deadline_seconds.map(|s| Duration::from_secs(s.max(0).unsigned_abs()));
        match Process::spawn(&command, deadline) {
            Ok(process) => {
                tracing::info!(job = %name, command = %command.display(), "local job started");
                self.jobs.insert(key, process);
                started(cx, &name, &namespace)
            }
            Err(e) => {
                let m = started(cx, &name, &namespace);
                let message = format!("local job {name} failed: cannot start \"{}\": {e}", command.program);
                self.done(cx, metric, finish(cx, m, Phase::Failed, message))
            }
        }
    }

    async fn resume(&self, cx: &RunContext, metric: &Metric, m: Measurement) -> Measurement {
        let (name, namespace) = match job_of(cx, &m) {
            Ok((name, ns)) => (name.to_string(), ns),
            Err(message) => return self.done(cx, metric, finish(cx, m, Phase::Error, message)),
        };
        let key = LocalJobs::key(&namespace, &name);
        let Some(process) = self.jobs.get(&key) else {
            let message =
                format!("local job {key} is not running in this augur process (local jobs do not survive a restart)");
            return self.done(cx, metric, finish(cx, m, Phase::Error, message));
        };
        match process.finished() {
            Some(end) => {
                self.jobs.remove(&key);
                self.done(cx, metric, report(cx, m, &name, &end))
            }
            None => keep_running(cx, m),
        }
    }

    async fn terminate(&self, cx: &RunContext, _metric: &Metric, m: Measurement) -> Measurement {
        let (name, namespace) = match job_of(cx, &m) {
            Ok((name, ns)) => (name.to_string(), ns),
            Err(message) => return finish(cx, m, Phase::Error, message),
        };
        let key = LocalJobs::key(&namespace, &name);
        let mut m = m;
        if let Some(process) = self.jobs.remove(&key) {
            if let Some(end) = process.kill(KILL_WAIT).await {
                // Keep the output it produced before it was killed.
                let reported = report(cx, m.clone(), &name, &end);
                m.metadata = reported.metadata;
            }
            tracing::info!(job = %name, "local job terminated");
        }
        // Not recorded: see outcome::record.
        finish(cx, m, Phase::Inconclusive, String::new())
    }
}
