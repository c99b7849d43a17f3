//! The Job object a measurement creates: the metric's `job.spec` and `job.metadata` with
//! Argo's labels, annotations and owner reference (`newMetricJob`).
//!
//! The spec is kept verbatim (JSON) in the AnalysisTemplate types; here it becomes a typed
//! [`JobSpec`]. Augur checks what makes a Job meaningless before any API call — no `spec`,
//! a spec that does not parse, no pod spec, no containers — and reports it naming the
//! metric and the field. Everything else Kubernetes validates itself (a rejected Job is a
//! `422 Invalid` answer, recorded as the Error measurement's message).

use std::collections::BTreeMap;

use augur_analysis_core::spec::Metric;
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::Container;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::naming::job_name;
use crate::provider::RunContext;

/// Label on every Job (and its pods) with the UID of the AnalysisRun that created it; the
/// garbage collector lists Jobs by it.
pub const RUN_UID_LABEL: &str = "analysisrun.argoproj.io/uid";
/// Annotation with the AnalysisRun's name.
pub const RUN_NAME_ANNOTATION: &str = "analysisrun.argoproj.io/name";
/// Annotation with the AnalysisRun's namespace.
pub const RUN_NAMESPACE_ANNOTATION: &str = "analysisrun.argoproj.io/namespace";
/// Annotation with the metric's name.
pub const METRIC_NAME_ANNOTATION: &str = "analysisrun.argoproj.io/metric-name";

/// Why a metric's Job cannot be built. `Display` names the metric and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobSpecError {
    /// The metric has no `job` provider.
    #[error("metric \"{metric}\" has no job provider")]
    NotAJob {
        /// The metric's name.
        metric: String,
    },
    /// `job.spec` is absent or null.
    #[error("metric \"{metric}\": job spec is missing (provider.job.spec)")]
    MissingSpec {
        /// The metric's name.
        metric: String,
    },
    /// `job.spec` is not a valid `batch/v1` JobSpec.
    #[error("metric \"{metric}\": invalid job spec (provider.job.spec): {reason}")]
    Invalid {
        /// The metric's name.
        metric: String,
        /// The decoder's reason (`missing field \`template\``, `invalid type: ...`).
        reason: String,
    },
    /// The pod template has no `spec` or no container.
    #[error("metric \"{metric}\": job spec has no containers (provider.job.spec.template.spec.containers)")]
    NoContainers {
        /// The metric's name.
        metric: String,
    },
    /// A field the API server would reject (checked for local Jobs, which have no API
    /// server to do it).
    #[error("metric \"{metric}\": {field}: {reason} (Kubernetes rejects this Job)")]
    Rejected {
        /// The metric's name.
        metric: String,
        /// The field, from `provider.job.spec`.
        field: String,
        /// Why.
        reason: String,
    },
    /// The AnalysisRun has no UID, which Job names and labels are made of.
    #[error("metric \"{metric}\": the AnalysisRun has no metadata.uid, which the Job's name and labels need")]
    NoRunUid {
        /// The metric's name.
        metric: String,
    },
}

/// A metric's Job, parsed and checked: what the template says, before a run's labels are
/// added.
#[derive(Debug, Clone, PartialEq)]
pub struct JobTemplate {
    /// `job.metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `job.metadata.annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `job.spec`, with at least one container.
    pub spec: JobSpec,
}

impl JobTemplate {
    /// Parses and checks `metric`'s `job` provider.
    pub fn from_metric(metric: &Metric) -> Result<JobTemplate, JobSpecError> {
        let name = || metric.name.clone();
        let job = metric.provider.job.as_deref().ok_or_else(|| JobSpecError::NotAJob { metric: name() })?;
        if job.spec.is_null() {
            return Err(JobSpecError::MissingSpec { metric: name() });
        }
        let spec: JobSpec = serde_json::from_value(job.spec.clone())
            .map_err(|e| JobSpecError::Invalid { metric: name(), reason: e.to_string() })?;
        if spec.template.spec.as_ref().is_none_or(|p| p.containers.is_empty()) {
            return Err(JobSpecError::NoContainers { metric: name() });
        }
        Ok(JobTemplate { labels: job.metadata.labels.clone(), annotations: job.metadata.annotations.clone(), spec })
    }

    /// The API server's checks that a template written for local Jobs most easily fails: a
    /// Job's pods must not restart (`restartPolicy` `Never` or `OnFailure`; unset means
    /// `Always`) and every container needs a name and an image. Local Jobs make them so that
    /// a template that passes in CI is not rejected by the cluster.
    pub fn check_like_api_server(&self, metric: &str) -> Result<(), JobSpecError> {
        let reject =
            |field: String, reason: String| JobSpecError::Rejected { metric: metric.to_string(), field, reason };
        let Some(pod) = self.spec.template.spec.as_ref() else {
            return Err(JobSpecError::NoContainers { metric: metric.to_string() });
        };
        match pod.restart_policy.as_deref() {
            Some("Never" | "OnFailure") => {}
            other => {
                return Err(reject(
                    "provider.job.spec.template.spec.restartPolicy".into(),
                    format!(
                        "\"{}\" is not supported: a Job needs \"Never\" or \"OnFailure\"",
                        other.unwrap_or("Always")
                    ),
                ));
            }
        }
        for (i, c) in pod.containers.iter().enumerate() {
            let field = |f: &str| format!("provider.job.spec.template.spec.containers[{i}].{f}");
            if c.name.is_empty() {
                return Err(reject(field("name"), "required value".into()));
            }
            if c.image.as_deref().is_none_or(str::is_empty) {
                return Err(reject(field("image"), "required value".into()));
            }
        }
        Ok(())
    }

    /// The pod's first container (there is one: checked when parsed).
    pub fn first_container(&self) -> Option<&Container> {
        self.spec.template.spec.as_ref().and_then(|p| p.containers.first())
    }

    /// The Job to create for measurement `cx.measurement_number` of `metric` in `namespace`
    /// (Argo's `newMetricJob`): the template's labels plus the run-UID label (on the pod
    /// template too), its annotations plus the run's name and namespace and the metric's
    /// name, and a controller reference to the run when `owned`.
    pub fn to_job(&self, cx: &RunContext, metric: &str, namespace: &str, owned: bool) -> Job {
        let mut labels = self.labels.clone();
        labels.insert(RUN_UID_LABEL.into(), cx.uid.to_string());
        let mut annotations = self.annotations.clone();
        annotations.insert(RUN_NAME_ANNOTATION.into(), cx.name.to_string());
        annotations.insert(RUN_NAMESPACE_ANNOTATION.into(), cx.namespace.to_string());
        annotations.insert(METRIC_NAME_ANNOTATION.into(), metric.to_string());
        let mut spec = self.spec.clone();
        let pod_meta = spec.template.metadata.get_or_insert_with(ObjectMeta::default);
        pod_meta.labels.get_or_insert_with(BTreeMap::new).insert(RUN_UID_LABEL.into(), cx.uid.to_string());
        let owner = owned.then(|| OwnerReference {
            api_version: "argoproj.io/v1alpha1".into(),
            kind: "AnalysisRun".into(),
            name: cx.name.to_string(),
            uid: cx.uid.to_string(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        });
        Job {
            metadata: ObjectMeta {
                name: Some(job_name(&cx.uid, metric, cx.measurement_number)),
                namespace: Some(namespace.to_string()),
                owner_references: owner.map(|o| vec![o]),
                labels: Some(labels),
                annotations: Some(annotations),
                ..ObjectMeta::default()
            },
            spec: Some(spec),
            status: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use augur_analysis_core::spec::AnalysisRun;
    use serde_json::json;

    use super::*;

    fn metric(job: serde_json::Value) -> Metric {
        serde_json::from_value(json!({"name": "smoke", "provider": {"job": job}})).unwrap()
    }

    fn cx() -> RunContext {
        let mut run = AnalysisRun::default();
        run.metadata.name = Some("run-1".into());
        run.metadata.namespace = Some("apps".into());
        run.metadata.uid = Some("uid-1".into());
        RunContext::new(&run, SystemTime::UNIX_EPOCH).with_measurement_number(2)
    }

    const SPEC: &str = r#"{"backoffLimit": 0, "template": {"metadata": {"labels": {"app": "t"}},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "t", "image": "busybox", "command": ["true"]}]}}}"#;

    #[test]
    fn labels_annotations_and_owner() {
        let m = metric(json!({"metadata": {"labels": {"team": "a"}, "annotations": {"note": "x"}},
            "spec": serde_json::from_str::<serde_json::Value>(SPEC).unwrap()}));
        let t = JobTemplate::from_metric(&m).unwrap();
        assert_eq!(t.check_like_api_server("smoke"), Ok(()));
        let job = t.to_job(&cx(), "smoke", "apps", true);
        let meta = &job.metadata;
        assert_eq!(meta.name.as_deref(), Some("uid-1.smoke.2"));
        assert_eq!(meta.namespace.as_deref(), Some("apps"));
        let labels = meta.labels.as_ref().unwrap();
        assert_eq!((labels["team"].as_str(), labels[RUN_UID_LABEL].as_str()), ("a", "uid-1"));
        let ann = meta.annotations.as_ref().unwrap();
        assert_eq!(ann["note"], "x");
        assert_eq!(ann[RUN_NAME_ANNOTATION], "run-1");
        assert_eq!(ann[RUN_NAMESPACE_ANNOTATION], "apps");
        assert_eq!(ann[METRIC_NAME_ANNOTATION], "smoke");
        let owner = &meta.owner_references.as_ref().unwrap()[0];
        assert_eq!((owner.kind.as_str(), owner.uid.as_str(), owner.controller), ("AnalysisRun", "uid-1", Some(true)));
        let pod_labels = job.spec.as_ref().unwrap().template.metadata.as_ref().unwrap().labels.as_ref().unwrap();
        assert_eq!((pod_labels["app"].as_str(), pod_labels[RUN_UID_LABEL].as_str()), ("t", "uid-1"));
        assert!(t.to_job(&cx(), "smoke", "other", false).metadata.owner_references.is_none());
    }

    #[test]
    fn bad_specs_name_the_metric_and_field() {
        let missing = JobTemplate::from_metric(&metric(json!({"spec": null}))).unwrap_err();
        assert_eq!(missing.to_string(), "metric \"smoke\": job spec is missing (provider.job.spec)");
        // k8s-openapi fills a missing `template` with its default: no containers.
        let no_template = JobTemplate::from_metric(&metric(json!({"spec": {}}))).unwrap_err();
        assert!(matches!(no_template, JobSpecError::NoContainers { .. }), "{no_template}");
        let no_pod = JobTemplate::from_metric(&metric(json!({"spec": {"template": {}}}))).unwrap_err();
        assert!(matches!(no_pod, JobSpecError::NoContainers { .. }), "{no_pod}");
        let empty = metric(json!({"spec": {"template": {"spec": {"containers": []}}}}));
        assert_eq!(
            JobTemplate::from_metric(&empty).unwrap_err().to_string(),
            "metric \"smoke\": job spec has no containers (provider.job.spec.template.spec.containers)"
        );
        let always = metric(json!({"spec": {"template": {"spec": {"containers": [{"name": "t", "image": "i"}]}}}}));
        let always = JobTemplate::from_metric(&always).unwrap().check_like_api_server("smoke").unwrap_err();
        assert_eq!(
            always.to_string(),
            "metric \"smoke\": provider.job.spec.template.spec.restartPolicy: \"Always\" is not supported: \
             a Job needs \"Never\" or \"OnFailure\" (Kubernetes rejects this Job)"
        );
        let no_image = metric(json!({"spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "t", "command": ["true"]}]}}}}));
        let no_image = JobTemplate::from_metric(&no_image).unwrap().check_like_api_server("smoke").unwrap_err();
        assert!(no_image.to_string().contains("containers[0].image: required value"), "{no_image}");
        let wrong = metric(json!({"spec": {"backoffLimit": "six", "template": {}}}));
        let wrong = JobTemplate::from_metric(&wrong).unwrap_err().to_string();
        assert!(wrong.starts_with("metric \"smoke\": invalid job spec (provider.job.spec): invalid type"), "{wrong}");
    }
}
