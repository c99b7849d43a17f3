//! # augur-controller
//!
//! Argo Rollouts' step engine (canary and blue-green) as a pure, sans-I/O function, and a
//! simulator that runs it on virtual time.
//!
//! ## The model
//!
//! Argo's controller is level-triggered: each reconcile reads the Rollout, its ReplicaSets,
//! Services and AnalysisRuns, performs at most a few writes and patches the status. Much of
//! what users observe follows from that granularity (one step per reconcile; traffic lagging
//! replicas by one reconcile; a pause step entered in one reconcile and left in a later one).
//! So the engine keeps it: [`engine::reconcile`] is a function of
//! `(rollout spec + persisted status, observed world, now)` that returns the new status, the
//! [`Action`]s to perform and when to be called again. It reads no clock and does no I/O; the
//! persisted status is its only state, so a controller can resume from status alone.
//!
//! * [`rollout`]: the `Rollout` resource, Argo's defaults and validation.
//! * [`replicas`]: Argo's replica arithmetic (fenceposts, weight approximation, the basic and
//!   traffic-routed formulas).
//! * [`engine`]: the reconcile.
//! * [`traits`]: the async traits a driver performs actions through (`Workload`,
//!   `TrafficRouter`, `AnalysisLauncher`), shared by the Kubernetes drivers and the simulator.
//! * [`sim`]: a virtual cluster where ReplicaSets become available after a delay, traffic
//!   follows the router, and AnalysisRuns run through `augur-analysis-core` on recorded data.
//! * [`user`]: what `promote`, `abort`, `retry` patch.
//! * [`lint`]: `augur lint` for Rollouts.
//!
//! Argo's Go source (argoproj/argo-rollouts at 9f8d111) is the reference; each function names
//! the Go function it follows.

#![deny(missing_docs)]

pub mod action;
pub mod engine;
pub mod lint;
pub mod replicas;
pub mod rollout;
pub mod sim;
pub mod traits;
pub mod user;
pub mod world;

pub use action::{Action, AnalysisRunRequest};
pub use augur_analysis_core::Phase;
pub use engine::{Options, Prepared, Reconciled, reconcile, reconcile_prepared, reconcile_view};
pub use rollout::{Rollout, RolloutPhase, RolloutStatus};
pub use world::{Observed, ObservedRun, ObservedView, ReplicaSet, RunKind, Service};
