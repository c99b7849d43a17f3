//! The AnalysisRun state machine, sans-I/O.
//!
//! Argo's analysis controller reconciles an AnalysisRun over and over: it validates the spec,
//! decides which metrics are due, measures them in parallel, assesses every metric and the
//! run, trims history and schedules the next wake-up. This module is that reconcile with the
//! I/O cut out (see [`reconcile`] for the three steps): the caller hands in `now` and the
//! providers' measurements; the engine mutates the run's status and says what to do next.
//!
//! The run's persisted status is the engine's only state. Times are stored with second
//! precision, exactly as Kubernetes persists them, so a run serialized between reconciles and
//! read back continues identically.

pub mod args;
pub mod metric_rules;
pub mod reconcile;
mod schedule;

pub use metric_rules::{Limits, assess_metric, effective_count, limit_check, validate_metric, validate_metrics};
pub use reconcile::{
    DEFAULT_MEASUREMENT_HISTORY_LIMIT, Event, EventKind, GcRequest, Prepared, Recorded, ResolvedSpec, Task, TaskKind,
    TaskOutcome, Via, fail_arguments, is_terminating, measurement_args, prepare, prepare_with, record, record_with,
    resolved_metrics, tasks_due, trim, ttl_expired,
};
pub use schedule::ERROR_RETRY_INTERVAL_NS;
