//! `rollout/trafficrouting.go:reconcileTrafficRouting`: the canary's traffic weight, header and
//! mirror routes, and `status.canary.weights`.

use super::Ctx;
use crate::action::Action;
use crate::replicas;
use crate::rollout::{TrafficWeights, WeightDestination};

impl Ctx<'_> {
    /// Whether a router is configured (`trafficRouting: {}` or only `managedRoutes` is none).
    pub(crate) fn has_router(&self) -> bool {
        self.ro.traffic_routing().is_some_and(|t| {
            t.nginx.is_some()
                || t.istio.is_some()
                || t.smi.is_some()
                || t.alb.is_some()
                || t.ambassador.is_some()
                || t.app_mesh.is_some()
                || t.traefik.is_some()
                || t.apisix.is_some()
                || t.plugins.is_some()
        })
    }

    /// `reconcileTrafficRouting`.
    pub(crate) fn reconcile_traffic_routing(&mut self) {
        if !self.has_router() {
            self.new_status.canary.weights = None;
            return;
        }
        let max = self.ro.max_traffic_weight();
        let ro = self.ro;
        let current = replicas::current_step(ro);
        let index = current.map(|(i, _)| i);
        let current_step = current.and_then(|(_, s)| s);
        let mut desired = 0;
        let stable_hash = self.stable_rs().map(|rs| rs.hash.clone()).unwrap_or_default();
        let mut canary_hash = self.new_hash();
        if let Some(prev) = self.dynamically_rolling_back_to_stable() {
            desired = self.desired_weight_on_abort_or_rollback();
            canary_hash = prev;
        } else if self.ro.is_fully_promoted() {
            self.actions.push(Action::RemoveManagedRoutes);
        } else if self.pause.is_aborted(self.ro) {
            desired = self.desired_weight_on_abort_or_rollback();
            if !self.ro.dynamic_stable_scale() || desired == 0 {
                let svc = self.ro.canary().map(|c| c.canary_service.clone()).unwrap_or_default();
                self.ensure_svc_targets(&svc, self.stable_idx, false);
            }
            self.actions.push(Action::RemoveManagedRoutes);
        } else if self.new_rs().is_none_or(|rs| rs.available == 0) {
            self.actions.push(Action::RemoveManagedRoutes);
        } else if self.ro.status.promote_full {
            if self.ro.dynamic_stable_scale() {
                let available = self.new_rs().map_or(0, |rs| rs.available);
                desired = max * available / self.ro.replicas().max(1);
            } else if let Some(w) = &self.ro.status.canary.weights {
                desired = w.canary.weight;
            }
            self.actions.push(Action::RemoveManagedRoutes);
        } else if let Some(index) = index {
            let others = self.other_rss();
            let at_desired = replicas::at_desired_counts(self.ro, self.new_rs(), self.stable_rs(), &others, None);
            if !at_desired {
                let steps = self.ro.steps();
                desired =
                    (0..index.max(0) as usize).rev().find_map(|i| steps.get(i).and_then(|s| s.set_weight)).unwrap_or(0);
            } else if index != self.ro.steps().len() as i32 {
                desired = replicas::current_set_weight(self.ro);
            } else {
                desired = max;
            }
        }

        // checkReplicasAvailable: the stable must be able to carry the rest.
        let Some(stable) = self.stable_rs() else { return };
        let needed = (max - desired).wrapping_mul(self.ro.replicas()) / max;
        if stable.available < needed && !replicas::progress_threshold_met(self.ro, Some(stable), needed) {
            return;
        }
        if let Some(step) = current_step
            && self.revision() > 1
        {
            if let Some(h) = &step.set_header_route {
                self.actions.push(Action::SetHeaderRoute((**h).clone()));
            }
            if let Some(m) = &step.set_mirror_route {
                self.actions.push(Action::SetMirrorRoute((**m).clone()));
            }
        }
        if self.new_rs().is_none_or(|rs| rs.available == 0)
            && self.ro.status.canary.weights.as_ref().is_some_and(|w| w.canary.weight > 0)
        {
            self.actions.push(Action::SetWeight { weight: desired, additional: Vec::new() });
        }
        self.actions.push(Action::UpdateHash { canary: canary_hash.clone(), stable: stable_hash.clone() });
        self.actions.push(Action::SetWeight { weight: desired, additional: Vec::new() });

        let service = |name: fn(&crate::rollout::CanaryStrategy) -> &String| ro.canary().map(name).cloned();
        let weights = TrafficWeights {
            canary: WeightDestination {
                weight: desired,
                service_name: service(|c| &c.canary_service).unwrap_or_default(),
                pod_template_hash: canary_hash,
            },
            stable: WeightDestination {
                weight: max - desired,
                service_name: service(|c| &c.stable_service).unwrap_or_default(),
                pod_template_hash: stable_hash,
            },
            additional: Vec::new(),
            verified: None,
        };
        let prev = self.ro.status.canary.weights.as_ref();
        let modified = prev.is_none_or(|p| {
            p.canary != weights.canary || p.stable != weights.stable || p.additional != weights.additional
        });
        if modified {
            let detail = match prev {
                None => format!("to {desired}"),
                Some(p) if p.canary.weight != desired => format!("from {} to {desired}", p.canary.weight),
                Some(_) => String::new(),
            };
            self.event("TrafficWeightUpdated", format!("Traffic weight updated {detail}"), false);
            self.new_status.canary.weights = Some(weights);
        }
        if let Some(w) = &mut self.new_status.canary.weights {
            w.verified = None;
        }
    }

    /// `calculateDesiredWeightOnAbortOrStableRollback`.
    fn desired_weight_on_abort_or_rollback(&self) -> i32 {
        let r = self.ro.spec.replicas.unwrap_or(0);
        let (Some(stable), Some(new)) = (self.stable_rs(), self.new_rs()) else { return 0 };
        if !self.ro.dynamic_stable_scale() || r == 0 {
            return 0;
        }
        let max = self.ro.max_traffic_weight();
        let desired = replicas::desired_canary_weight(self.ro, Some(new), Some(stable));
        let stable_weight = max * stable.available / r;
        let expected = 0.max(max - stable_weight);
        let Some(w) = &self.ro.status.canary.weights else { return expected.max(desired) };
        let current = w.canary.weight;
        if desired <= 0 {
            return expected.min(current);
        }
        if stable_weight < max - desired {
            return current;
        }
        desired.min(current)
    }
}
