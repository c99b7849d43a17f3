//! A Job's pods: finding them by the Job's selector, and recognising the pod states that
//! never resolve by themselves (an image that cannot be pulled).

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// Container waiting reasons that never resolve without a person (Argo's
/// `terminalWaitingReasons`): the measurement becomes Inconclusive, which pauses a rollout
/// rather than failing it.
const TERMINAL_WAITING_REASONS: [&str; 3] = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName"];

/// `selector` as a `labelSelector` query (`metav1.LabelSelectorAsSelector`): `k=v` for
/// `matchLabels`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k` for `matchExpressions`, joined
/// by commas. `None` when it selects nothing (no selector, or an unknown operator); an empty
/// selector (`""`) selects everything.
pub fn selector_query(selector: Option<&LabelSelector>) -> Option<String> {
    let selector = selector?;
    let mut parts: Vec<String> = Vec::new();
    for (k, v) in selector.match_labels.iter().flatten() {
        parts.push(format!("{k}={v}"));
    }
    for e in selector.match_expressions.iter().flatten() {
        let values = e.values.as_deref().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            _ => return None,
        });
    }
    Some(parts.join(","))
}

/// The first (init) container waiting for a reason that never resolves, as Argo words it
/// (`Pod p, container c has terminal error (ErrImagePull): message`, with Argo's trailing
/// newline).
pub fn terminal_error(pods: &[Pod]) -> Option<String> {
    pods.iter().find_map(|pod| {
        let status = pod.status.as_ref()?;
        let statuses =
            status.init_container_statuses.iter().flatten().chain(status.container_statuses.iter().flatten());
        statuses.filter_map(|cs| waiting_terminal(cs)).next().map(|(container, reason, message)| {
            let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
            format!("Pod {pod_name}, container {container} has terminal error ({reason}): {message}\n")
        })
    })
}

fn waiting_terminal(cs: &ContainerStatus) -> Option<(&str, &str, &str)> {
    let waiting = cs.state.as_ref()?.waiting.as_ref()?;
    let reason = waiting.reason.as_deref()?;
    TERMINAL_WAITING_REASONS
        .contains(&reason)
        .then(|| (cs.name.as_str(), reason, waiting.message.as_deref().unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn selectors_render_as_queries() {
        let s: LabelSelector = serde_json::from_value(json!({
            "matchLabels": {"batch.kubernetes.io/controller-uid": "u1"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["a", "b"]},
                {"key": "x", "operator": "NotIn", "values": ["c"]},
                {"key": "y", "operator": "Exists"},
                {"key": "z", "operator": "DoesNotExist"}]
        }))
        .unwrap();
        assert_eq!(
            selector_query(Some(&s)).as_deref(),
            Some("batch.kubernetes.io/controller-uid=u1,tier in (a,b),x notin (c),y,!z")
        );
        assert_eq!(selector_query(None), None);
        assert_eq!(selector_query(Some(&LabelSelector::default())).as_deref(), Some(""));
    }

    #[test]
    fn image_pull_errors_are_terminal() {
        let pod = |reason: &str, init: bool| -> Pod {
            let cs = json!([{"name": "c", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
                "state": {"waiting": {"reason": reason, "message": "pull failed"}}}]);
            let key = if init { "initContainerStatuses" } else { "containerStatuses" };
            serde_json::from_value(json!({"metadata": {"name": "p1"}, "status": {key: cs}})).unwrap()
        };
        assert_eq!(
            terminal_error(&[pod("ContainerCreating", false), pod("ImagePullBackOff", false)]).as_deref(),
            Some("Pod p1, container c has terminal error (ImagePullBackOff): pull failed\n")
        );
        assert!(terminal_error(&[pod("ErrImagePull", true)]).is_some());
        assert!(terminal_error(&[pod("InvalidImageName", false)]).is_some());
        assert_eq!(terminal_error(&[pod("ContainerCreating", false)]), None);
        assert_eq!(terminal_error(&[]), None);
    }
}
