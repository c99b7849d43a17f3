//! The Job provider against a Kubernetes API server (Argo's `metricproviders/job`).
//!
//! * `run` creates the Job and returns a Running measurement pointing at it (`job-name`,
//!   `job-namespace`), to be resumed at once. A Job that already exists is adopted when it
//!   belongs to the same run — the run was measured before and did not get to record it.
//! * `resume` reads the Job: condition `Complete` → Successful, `Failed` → Failed (the
//!   condition's status is not inspected, and with both the last listed wins, as in Argo).
//!   Otherwise a pod waiting on an image it cannot pull makes it Inconclusive; else it stays
//!   Running, resumed after `sqrt(2 × elapsed)` seconds (at least one: Argo's sub-second
//!   delays re-read its cache in a loop, Augur's would be API requests).
//! * `terminate` deletes the Job with foreground propagation (a missing Job is fine) and
//!   returns Inconclusive.
//! * `garbage_collect` lists the run's Jobs (all its metrics, as Argo does) by the run-UID
//!   label and deletes the oldest beyond the limit.
//!
//! Where Argo reads its informer cache (the Job and its pods in `resume`, the Job list in
//! garbage collection), Augur makes a GET or LIST request: it runs no informers, and reading
//! the server answers the same question without the cache's lag. A Job not found is the same
//! Error measurement as Argo's cache miss.
//!
//! Augur adds a message to a Failed measurement (the Job's `Failed` condition reason and
//! message, e.g. `DeadlineExceeded`), where Argo leaves it empty; phases are Argo's.

use std::sync::Arc;

use async_trait::async_trait;
use augur_analysis_core::Phase;
use augur_analysis_core::spec::{Measurement, Metric};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{DeleteParams, ListParams, PostParams};

use super::cluster::JobCluster;
use super::object::{JobTemplate, RUN_UID_LABEL};
use super::outcome::{self, failed_to_start, finish, job_of, keep_running, started};
use super::pods::{selector_query, terminal_error};
use crate::error::{FetchError, FetchErrorKind, error_chain};
use crate::provider::{Provider, ProviderError, RunContext};
use crate::record::Recorder;

/// The Job provider for one task, sharing the cluster's client.
pub struct KubeJobProvider {
    cluster: Arc<JobCluster>,
    recorder: Option<Arc<dyn Recorder>>,
}

impl KubeJobProvider {
    /// A provider creating Jobs in `cluster`, recording outcomes with `recorder`.
    pub fn new(cluster: Arc<JobCluster>, recorder: Option<Arc<dyn Recorder>>) -> KubeJobProvider {
        KubeJobProvider { cluster, recorder }
    }

    fn done(&self, cx: &RunContext, metric: &Metric, m: Measurement) -> Measurement {
        outcome::record(cx, &metric.name, &m, self.recorder.as_deref());
        m
    }

    /// Creates (or adopts) the Job; its name and namespace.
    async fn create(&self, cx: &RunContext, metric: &Metric) -> Result<(String, String), String> {
        let template = JobTemplate::from_metric(metric).map_err(|e| e.to_string())?;
        if cx.uid.is_empty() {
            return Err(super::object::JobSpecError::NoRunUid { metric: metric.name.clone() }.to_string());
        }
        let client = self.cluster.client().await.map_err(|e| e.to_string())?;
        let namespace = self.cluster.namespace(client, &cx.namespace);
        let owned = self.cluster.owns(&namespace, &cx.namespace);
        let job = template.to_job(cx, &metric.name, &namespace, owned);
        let name = job.metadata.name.clone().unwrap_or_default();
        let api: Api<Job> = Api::namespaced(client.clone(), &namespace);
        let target = || format!("creating Job {namespace}/{name} for metric \"{}\"", metric.name);
        let created = match api.create(&PostParams::default(), &job).await {
            Ok(created) => created,
            Err(kube::Error::Api(status)) if status.is_already_exists() => {
                let create_error = api_error(kube::Error::Api(status), target());
                // Argo reports the create error when the existing Job cannot be read or is
                // another run's.
                let existing = api.get(&name).await.map_err(|_| create_error.to_string())?;
                if !belongs_to_run(&existing, owned, &cx.uid) {
                    return Err(create_error.to_string());
                }
                tracing::info!(job = %name, namespace = %namespace, "adopting the Job created earlier for this measurement");
                existing
            }
            Err(e) => return Err(api_error(e, target()).to_string()),
        };
        let created_ns = created.metadata.namespace.unwrap_or(namespace);
        Ok((created.metadata.name.unwrap_or(name), created_ns))
    }

    async fn check(&self, cx: &RunContext, m: Measurement) -> Result<Measurement, String> {
        let (name, namespace) = job_of(cx, &m)?;
        let client = self.cluster.client().await.map_err(|e| e.to_string())?;
        let jobs: Api<Job> = Api::namespaced(client.clone(), &namespace);
        let job =
            jobs.get(name).await.map_err(|e| api_error(e, format!("reading Job {namespace}/{name}")).to_string())?;
        let mut completed: Option<(Phase, String)> = None;
        for c in job.status.iter().flat_map(|s| s.conditions.iter().flatten()) {
            match c.type_.as_str() {
                "Complete" => completed = Some((Phase::Successful, String::new())),
                "Failed" => {
                    let why = [c.reason.as_deref(), c.message.as_deref()].into_iter().flatten().collect::<Vec<_>>();
                    let mut message = format!("Job {namespace}/{name} failed");
                    if !why.is_empty() {
                        message = format!("{message}: {}", why.join(": "));
                    }
                    completed = Some((Phase::Failed, message));
                }
                _ => {}
            }
        }
        if let Some((phase, message)) = completed {
            tracing::info!(job = %name, namespace = %namespace, %phase, "job completed");
            return Ok(finish(cx, m, phase, message));
        }
        if let Some(query) = selector_query(job.spec.as_ref().and_then(|s| s.selector.as_ref())) {
            let pods: Api<Pod> = Api::namespaced(client.clone(), &namespace);
            let list = pods
                .list(&ListParams::default().labels(&query))
                .await
                .map_err(|e| api_error(e, format!("listing the pods of Job {namespace}/{name}")).to_string())?;
            if let Some(message) = terminal_error(&list.items) {
                return Ok(finish(cx, m, Phase::Inconclusive, message));
            }
        }
        Ok(keep_running(cx, m))
    }

    async fn delete(&self, cx: &RunContext, m: &Measurement) -> Result<(), String> {
        let (name, namespace) = job_of(cx, m)?;
        let client = self.cluster.client().await.map_err(|e| e.to_string())?;
        delete_job(client, &namespace, name).await.map_err(|e| e.to_string())
    }
}

/// Whether an existing Job with our name is this run's (Argo's adoption check). Argo reads
/// the controller reference of the existing Job; without one (custom cluster or namespace)
/// it reads the run-UID label of the Job *it built* — always this run's — so such a Job is
/// always adopted. Augur keeps that. A missing controller reference (where Argo would
/// dereference nil) is not this run's.
fn belongs_to_run(existing: &Job, owned: bool, uid: &str) -> bool {
    if !owned {
        return true;
    }
    existing.metadata.owner_references.iter().flatten().any(|r| r.controller == Some(true) && r.uid == uid)
}

/// Deletes a Job with foreground propagation; a Job already gone is not an error.
async fn delete_job(client: &kube::Client, namespace: &str, name: &str) -> Result<(), FetchError> {
    let api: Api<Job> = Api::namespaced(client.clone(), namespace);
    match api.delete(name, &DeleteParams::foreground()).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.is_not_found() => Ok(()),
        Err(e) => Err(api_error(e, format!("deleting Job {namespace}/{name}"))),
    }
}

/// A kube error as a [`FetchError`]: the API server's own message for a `Status` answer
/// (what Argo records, e.g. `jobs.batch "x" not found`), the error chain otherwise.
pub(crate) fn api_error(e: kube::Error, target: String) -> FetchError {
    match e {
        kube::Error::Api(status) => {
            let message = if status.message.is_empty() {
                format!("{} {}", status.code, status.reason)
            } else {
                status.message.clone()
            };
            FetchError::new(FetchErrorKind::Status(status.code), message, target)
        }
        kube::Error::SerdeError(e) => FetchError::new(FetchErrorKind::Decode, error_chain(&e), target),
        other => {
            let message = error_chain(&other);
            let kind = if message.contains("timed out") || message.contains("deadline") {
                FetchErrorKind::Timeout
            } else {
                FetchErrorKind::Connect
            };
            FetchError::new(kind, message, target)
        }
    }
}

#[async_trait]
impl Provider for KubeJobProvider {
    fn type_name(&self) -> &str {
        "Job"
    }

    async fn run(&self, cx: &RunContext, metric: &Metric) -> Measurement {
        match self.create(cx, metric).await {
            Ok((name, namespace)) => {
                tracing::info!(job = %name, namespace = %namespace, "job created");
                started(cx, &name, &namespace)
            }
            Err(message) => self.done(cx, metric, failed_to_start(cx, message)),
        }
    }

    async fn resume(&self, cx: &RunContext, metric: &Metric, m: Measurement) -> Measurement {
        let keep = m.clone();
        let next = match self.check(cx, m).await {
            Ok(next) => next,
            Err(message) => finish(cx, keep, Phase::Error, message),
        };
        self.done(cx, metric, next)
    }

    async fn terminate(&self, cx: &RunContext, _metric: &Metric, m: Measurement) -> Measurement {
        // Not recorded: see outcome::record.
        match self.delete(cx, &m).await {
            Ok(()) => finish(cx, m, Phase::Inconclusive, String::new()),
            Err(message) => finish(cx, m, Phase::Error, message),
        }
    }

    async fn garbage_collect(&self, cx: &RunContext, _metric: &Metric, limit: usize) -> Result<(), ProviderError> {
        let other = |e: FetchError| ProviderError::Other(e.to_string());
        let client = self.cluster.client().await.map_err(other)?;
        let namespace = self.cluster.namespace(client, &cx.namespace);
        let api: Api<Job> = Api::namespaced(client.clone(), &namespace);
        let query = format!("{RUN_UID_LABEL}={}", cx.uid);
        let mut jobs = api
            .list(&ListParams::default().labels(&query))
            .await
            .map_err(|e| other(api_error(e, format!("listing Jobs in {namespace} with {query}"))))?
            .items;
        // Oldest first; ties by name, so the order is deterministic (Go's sort is not stable).
        jobs.sort_by(|a, b| {
            let key = |j: &Job| (j.metadata.creation_timestamp.clone(), j.metadata.name.clone());
            key(a).cmp(&key(b))
        });
        let excess = jobs.len().saturating_sub(limit);
        for job in &jobs[..excess] {
            let name = job.metadata.name.as_deref().unwrap_or_default();
            let ns = job.metadata.namespace.as_deref().unwrap_or(&namespace);
            delete_job(client, ns, name).await.map_err(other)?;
            tracing::info!(job = %name, namespace = %ns, "job garbage collected");
        }
        Ok(())
    }
}
