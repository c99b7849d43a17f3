//! A traffic router in the simulator: the objects Argo's routers write (NGINX canary Ingress,
//! SMI TrafficSplit, Istio VirtualService weights and managed routes), kept in memory.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::rollout::{Rollout, SetHeaderRoute, SetMirrorRoute, WeightDestination};
use crate::traits::{DriverError, TrafficRouter};

/// An SMI TrafficSplit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TrafficSplit {
    /// `metadata.name`.
    pub name: String,
    /// `spec.service`.
    pub service: String,
    /// `spec.backends`: service and weight.
    pub backends: Vec<(String, i32)>,
}

/// What the router has been told.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RouterState {
    /// The canary weight last set.
    pub weight: Option<i32>,
    /// Canary and stable hashes last given (`UpdateHash`).
    pub hashes: Option<(String, String)>,
    /// NGINX canary Ingresses: name → annotations.
    pub nginx_canary_ingresses: BTreeMap<String, BTreeMap<String, String>>,
    /// The SMI TrafficSplit.
    pub smi_traffic_split: Option<TrafficSplit>,
    /// Header and mirror routes installed, by name.
    pub managed_routes: Vec<String>,
}

/// The router of one Rollout: its configuration and state.
#[derive(Debug, Clone)]
pub struct SimRouter {
    /// Shared: a cloned cluster (a simulation forked from a prepared state) copies no spec.
    rollout: Arc<Rollout>,
    /// The state.
    pub state: RouterState,
    /// Whether the last call changed anything.
    pub changed: bool,
}

impl SimRouter {
    /// A router for `rollout`'s `trafficRouting`.
    pub fn new(rollout: &Rollout) -> SimRouter {
        SimRouter { rollout: Arc::new(rollout.clone()), state: RouterState::default(), changed: false }
    }

    /// Follows spec changes (new steps, a new max weight).
    pub fn set_rollout(&mut self, rollout: &Rollout) {
        self.rollout = Arc::new(rollout.clone());
    }

    fn header_routing(&self) -> bool {
        self.rollout
            .traffic_routing()
            .is_some_and(|t| t.istio.is_some() || t.alb.is_some() || t.apisix.is_some() || t.plugins.is_some())
    }

    fn mirror_routing(&self) -> bool {
        self.rollout.traffic_routing().is_some_and(|t| t.istio.is_some() || t.plugins.is_some())
    }

    fn set_route(&mut self, name: &str, install: bool) {
        let present = self.state.managed_routes.iter().any(|r| r == name);
        if install && !present {
            self.state.managed_routes.push(name.to_string());
            // Keep managedRoutes' precedence order.
            let order: Vec<String> = self
                .rollout
                .traffic_routing()
                .map(|t| t.managed_routes.iter().map(|r| r.name.clone()).collect())
                .unwrap_or_default();
            self.state.managed_routes.sort_by_key(|r| order.iter().position(|o| o == r).unwrap_or(usize::MAX));
            self.changed = true;
        } else if !install && present {
            self.state.managed_routes.retain(|r| r != name);
            self.changed = true;
        }
    }

    fn apply_weight(&mut self, weight: i32) {
        let Some(tr) = self.rollout.traffic_routing().cloned() else { return };
        let canary = self.rollout.canary().cloned().unwrap_or_default();
        if self.state.weight != Some(weight) {
            self.state.weight = Some(weight);
            self.changed = true;
        }
        if let Some(nginx) = &tr.nginx {
            let prefix = if nginx.annotation_prefix.is_empty() {
                "nginx.ingress.kubernetes.io"
            } else {
                &nginx.annotation_prefix
            };
            let mut ingresses = nginx.stable_ingresses.clone();
            if !nginx.stable_ingress.is_empty() {
                ingresses.insert(0, nginx.stable_ingress.clone());
            }
            for ing in ingresses {
                let mut name = format!("{}-{}-canary", self.rollout.name(), ing);
                name.truncate(253);
                let mut desired = BTreeMap::new();
                for (k, v) in &nginx.additional_ingress_annotations {
                    let key = if k.starts_with(prefix) { k.clone() } else { format!("{prefix}/{k}") };
                    desired.insert(key, v.clone());
                }
                desired.extend(nginx.canary_ingress_annotations.clone());
                desired.insert(format!("{prefix}/canary"), "true".into());
                desired.insert(format!("{prefix}/canary-weight"), weight.to_string());
                if let Some(m) = tr.max_traffic_weight {
                    desired.insert(format!("{prefix}/canary-weight-total"), m.to_string());
                }
                let current = self.state.nginx_canary_ingresses.entry(name).or_default();
                for (k, v) in desired {
                    if current.get(&k) != Some(&v) {
                        current.insert(k, v);
                        self.changed = true;
                    }
                }
            }
        }
        if let Some(smi) = &tr.smi {
            let split = TrafficSplit {
                name: if smi.traffic_split_name.is_empty() {
                    self.rollout.name().to_string()
                } else {
                    smi.traffic_split_name.clone()
                },
                service: if smi.root_service.is_empty() {
                    canary.stable_service.clone()
                } else {
                    smi.root_service.clone()
                },
                backends: vec![(canary.canary_service.clone(), weight), (canary.stable_service.clone(), 100 - weight)],
            };
            if self.state.smi_traffic_split.as_ref() != Some(&split) {
                self.state.smi_traffic_split = Some(split);
                self.changed = true;
            }
        }
    }
}

#[async_trait::async_trait]
impl TrafficRouter for SimRouter {
    async fn update_hash(&mut self, canary: &str, stable: &str) -> Result<(), DriverError> {
        let h = Some((canary.to_string(), stable.to_string()));
        if self.state.hashes != h {
            self.state.hashes = h;
            self.changed = true;
        }
        Ok(())
    }

    async fn set_weight(&mut self, weight: i32, _additional: &[WeightDestination]) -> Result<(), DriverError> {
        self.apply_weight(weight);
        Ok(())
    }

    async fn set_header_route(&mut self, route: &SetHeaderRoute) -> Result<(), DriverError> {
        if self.header_routing() {
            self.set_route(&route.name, !route.matches.is_empty());
        }
        Ok(())
    }

    async fn set_mirror_route(&mut self, route: &SetMirrorRoute) -> Result<(), DriverError> {
        if self.mirror_routing() {
            self.set_route(&route.name, !route.matches.is_empty());
        }
        Ok(())
    }

    async fn remove_managed_routes(&mut self) -> Result<(), DriverError> {
        if !self.state.managed_routes.is_empty() {
            self.state.managed_routes.clear();
            self.changed = true;
        }
        Ok(())
    }
}
