//! The async boundary: what the engine's [`Action`]s are performed through. A Kubernetes driver
//! implements these with API calls, an NGINX router by patching Ingresses; the simulator with
//! its virtual cluster. [`perform`] dispatches a reconcile's actions in order.

use async_trait::async_trait;

use crate::action::{Action, AnalysisRunRequest};
use crate::rollout::{SetHeaderRoute, SetMirrorRoute, WeightDestination};

/// An error from a driver (an API call that failed); the engine retries on its next reconcile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DriverError(pub String);

/// ReplicaSets and Services.
#[async_trait]
pub trait Workload: Send {
    /// Create the ReplicaSet of a revision with 0 replicas.
    async fn create_replica_set(&mut self, hash: &str, revision: i64) -> Result<(), DriverError>;
    /// Set a ReplicaSet's revision annotation.
    async fn set_revision(&mut self, hash: &str, revision: i64) -> Result<(), DriverError>;
    /// Scale a ReplicaSet and record the rollout size it was scaled for.
    async fn scale(
        &mut self,
        hash: &str,
        replicas: i32,
        rollout_replicas: i32,
        clear_deadline: bool,
    ) -> Result<(), DriverError>;
    /// Set or clear the scale-down-deadline annotation.
    async fn set_scale_down_deadline(
        &mut self,
        hash: &str,
        at: Option<augur_analysis_core::spec::Time>,
    ) -> Result<(), DriverError>;
    /// Point a Service's selector at a revision.
    async fn switch_service(&mut self, service: &str, hash: &str) -> Result<(), DriverError>;
}

/// A traffic router (NGINX, Istio, SMI, ...), with the capabilities Argo gives it.
#[async_trait]
pub trait TrafficRouter: Send {
    /// `UpdateHash`.
    async fn update_hash(&mut self, canary: &str, stable: &str) -> Result<(), DriverError>;
    /// `SetWeight`.
    async fn set_weight(&mut self, weight: i32, additional: &[WeightDestination]) -> Result<(), DriverError>;
    /// `SetHeaderRoute` (a no-op for routers without header routing).
    async fn set_header_route(&mut self, route: &SetHeaderRoute) -> Result<(), DriverError>;
    /// `SetMirrorRoute` (a no-op for routers without mirroring).
    async fn set_mirror_route(&mut self, route: &SetMirrorRoute) -> Result<(), DriverError>;
    /// `RemoveManagedRoutes`.
    async fn remove_managed_routes(&mut self) -> Result<(), DriverError>;
}

/// AnalysisRuns.
#[async_trait]
pub trait AnalysisLauncher: Send {
    /// Create an AnalysisRun from the Rollout's templates and arguments.
    async fn create(&mut self, request: &AnalysisRunRequest) -> Result<(), DriverError>;
    /// Terminate a running AnalysisRun.
    async fn terminate(&mut self, name: &str) -> Result<(), DriverError>;
}

/// Performs `actions` in order; events go to `on_event`. Stops at the first error (the next
/// reconcile retries, as Argo's does).
pub async fn perform(
    actions: &[Action],
    workload: &mut dyn Workload,
    router: &mut dyn TrafficRouter,
    launcher: &mut dyn AnalysisLauncher,
    on_event: &mut (dyn FnMut(&str, &str, bool) + Send),
) -> Result<(), DriverError> {
    for action in actions {
        match action {
            Action::CreateReplicaSet { hash, revision } => workload.create_replica_set(hash, *revision).await?,
            Action::SetRevision { hash, revision } => workload.set_revision(hash, *revision).await?,
            Action::ScaleReplicaSet { hash, replicas, rollout_replicas, clear_deadline } => {
                workload.scale(hash, *replicas, *rollout_replicas, *clear_deadline).await?
            }
            Action::SetScaleDownDeadline { hash, at } => workload.set_scale_down_deadline(hash, *at).await?,
            Action::SwitchService { service, hash } => workload.switch_service(service, hash).await?,
            Action::UpdateHash { canary, stable } => router.update_hash(canary, stable).await?,
            Action::SetWeight { weight, additional } => router.set_weight(*weight, additional).await?,
            Action::SetHeaderRoute(r) => router.set_header_route(r).await?,
            Action::SetMirrorRoute(r) => router.set_mirror_route(r).await?,
            Action::RemoveManagedRoutes => router.remove_managed_routes().await?,
            Action::CreateAnalysisRun(r) => launcher.create(r).await?,
            Action::TerminateAnalysisRun { name } => launcher.terminate(name).await?,
            Action::Event { reason, message, warning } => on_event(reason, message, *warning),
        }
    }
    Ok(())
}

/// Runs a future whose every await is ready at once (the simulator's implementations), on the
/// current thread, without an async runtime; `None` if it is still pending after a bounded
/// number of polls.
pub fn block_on_ready<F: std::future::Future>(f: F) -> Option<F::Output> {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    for _ in 0..1024 {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return Some(v);
        }
    }
    None
}
