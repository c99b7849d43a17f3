//! The Kubernetes Job provider (Argo's `job` metric, semantics §9.4), and local execution of
//! Job metrics for CI.
//!
//! A Job metric's measurement is the outcome of a Kubernetes Job built from the metric's
//! `job.metadata` and `job.spec`: the Job completing is Successful, the Job failing is Failed.
//! It is Argo's one asynchronous built-in provider, and the model is Argo's:
//!
//! ```text
//! run        create Job <run UID>.<metric>.<n>           -> Running, resumeAt = now
//! resume     Job Complete / Failed                      -> Successful / Failed
//!            a pod cannot pull its image                -> Inconclusive
//!            otherwise                                  -> Running, resumeAt = now + sqrt(2 × elapsed)
//!                                                          (at least 1 s: see MIN_RESUME_DELAY)
//! terminate  delete the Job (foreground)                -> Inconclusive ("Metric Terminated")
//! gc         delete the run's oldest Jobs beyond the measurement retention limit
//! ```
//!
//! Conditions are not evaluated and `value` stays empty. Measurements carry `job-name` and
//! `job-namespace` metadata; everything a later call needs is in the measurement, so a
//! provider built for one call (as Argo builds them) resumes a Job created by another.
//!
//! Two backends implement it:
//!
//! * [`KubeJobProvider`] (module `kube`) against an API server, through kube-rs and the
//!   k8s-openapi types; cluster and namespace come from [`JobSettings`] (Argo's
//!   `ARGO_ROLLOUTS_ANALYSIS_JOB_*` variables) and the usual kubeconfig ([`JobCluster`]).
//! * [`LocalJobProvider`] (module `local`, opt-in with
//!   [`BuiltinProviders::with_local_jobs`](crate::BuiltinProviders::with_local_jobs)) runs the
//!   pod's first container's command as a local process: **commands from the template run on
//!   the local machine**.
//!
//! Both record a measurement's outcome for `augur run --record` when the Job completes, as a
//! `phase:` entry with its message, so `augur replay` reproduces the Job's verdict (not when
//! the measurement is terminated: see `outcome::record`).
//!
//! Files: `naming` (Job names), `object` (the Job object from the template), `outcome` (how a
//! measurement moves, shared by both backends), `cluster` (settings and client), `pods`
//! (selectors and image-pull failures), `kube` (the API-server backend), `command` and
//! `process` (a container as a local process), `local` (the local backend).

mod cluster;
mod command;
mod kube;
mod local;
mod naming;
mod object;
mod outcome;
mod pods;
mod process;

pub use self::kube::KubeJobProvider;
pub use cluster::{JOB_KUBECONFIG_ENV, JOB_NAMESPACE_ENV, JobCluster, JobKubeconfig, JobSettings};
pub use command::LocalCommand;
pub use local::{LocalJobProvider, LocalJobs};
pub use naming::{MAX_JOB_NAME, job_name};
pub use object::{
    JobSpecError, JobTemplate, METRIC_NAME_ANNOTATION, RUN_NAME_ANNOTATION, RUN_NAMESPACE_ANNOTATION, RUN_UID_LABEL,
};
pub use outcome::{JOB_NAME_KEY, JOB_NAMESPACE_KEY, MIN_RESUME_DELAY};
pub use process::TAIL_BYTES;
