//! The Job provider against a fake Kubernetes API server on 127.0.0.1 (see `job/fake_kube.rs`),
//! and local Job execution running real commands.
//!
//! Every wait is bounded: [`settle`] resumes at most 200 times, 50 ms apart, and analyzer
//! runs are wrapped in a timeout.

#[path = "job/fake_kube.rs"]
mod fake_kube;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use augur_analysis_core::replay;
use augur_analysis_core::spec::{AnalysisRun, Measurement, Metric, Time};
use augur_analysis_core::template::StaticSecrets;
use augur_providers::job::{JobKubeconfig, JobSettings, RUN_UID_LABEL};
use augur_providers::{
    Analyzer, AnalyzerOptions, BuiltinProviders, DataRecorder, Phase, Provider, ProviderFactory, RunContext,
};
use fake_kube::{FakeKube, kubeconfig_for};
use k8s_openapi::api::batch::v1::Job;
use serde_json::{Value as Json, json};

const UID: &str = "6f0c3b8e-1d2a-4c5b-9e7f-0a1b2c3d4e5f";

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

fn run(namespace: &str) -> AnalysisRun {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": "canary-7", "namespace": namespace, "uid": UID},
        "spec": {"metrics": []}
    }))
    .unwrap()
}

fn cx(n: i64) -> RunContext {
    RunContext::new(&run("apps"), t0()).with_measurement_number(n)
}

fn metric(name: &str, job: Json) -> Metric {
    serde_json::from_value(json!({"name": name, "provider": {"job": job}})).unwrap()
}

/// A Job metric whose container runs `command`.
fn job_metric(name: &str, command: &[&str]) -> Metric {
    metric(
        name,
        json!({
            "metadata": {"labels": {"team": "payments"}, "annotations": {"runbook": "r1"}},
            "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never",
                "containers": [{"name": "test", "image": "busybox:1.36", "command": command}]}}}
        }),
    )
}

fn providers(fake: &FakeKube) -> BuiltinProviders {
    BuiltinProviders::new().unwrap().with_kube_client(fake.client("fallback"))
}

fn provider(factory: &BuiltinProviders, cx: &RunContext, metric: &Metric) -> Arc<dyn Provider> {
    factory.new_provider(cx, metric).unwrap()
}

fn job_name(n: i64, metric: &str) -> String {
    format!("{UID}.{metric}.{n}")
}

// ----- Kubernetes -----

#[tokio::test]
async fn run_creates_the_job_with_argo_names_labels_annotations_and_owner() {
    let fake = FakeKube::start().await;
    let factory = providers(&fake);
    let m = job_metric("smoke", &["true"]);
    let measurement = provider(&factory, &cx(1), &m).run(&cx(1), &m).await;

    let now = Some(Time::from_system(t0()));
    assert_eq!(measurement.phase, Phase::Running, "{measurement:?}");
    assert_eq!((measurement.started_at, measurement.resume_at, measurement.finished_at), (now, now, None));
    assert_eq!(measurement.metadata["job-name"], job_name(1, "smoke"));
    assert_eq!(measurement.metadata["job-namespace"], "apps");

    let job = fake.job("apps", &job_name(1, "smoke")).expect("the Job was created");
    let meta = &job.metadata;
    let labels = meta.labels.as_ref().unwrap();
    assert_eq!((labels["team"].as_str(), labels[RUN_UID_LABEL].as_str()), ("payments", UID));
    let annotations = meta.annotations.as_ref().unwrap();
    assert_eq!(annotations["runbook"], "r1");
    assert_eq!(annotations["analysisrun.argoproj.io/name"], "canary-7");
    assert_eq!(annotations["analysisrun.argoproj.io/namespace"], "apps");
    assert_eq!(annotations["analysisrun.argoproj.io/metric-name"], "smoke");
    let owner = &meta.owner_references.as_ref().unwrap()[0];
    assert_eq!(
        (owner.api_version.as_str(), owner.kind.as_str(), owner.name.as_str(), owner.uid.as_str()),
        ("argoproj.io/v1alpha1", "AnalysisRun", "canary-7", UID)
    );
    assert_eq!((owner.controller, owner.block_owner_deletion), (Some(true), Some(true)));
    let pod_labels = job.spec.as_ref().unwrap().template.metadata.as_ref().unwrap().labels.clone().unwrap();
    assert_eq!(pod_labels[RUN_UID_LABEL], UID);
    let requests = fake.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(requests[0].starts_with("POST /apis/batch/v1/namespaces/apps/jobs"), "{requests:?}");
}

#[tokio::test]
async fn resume_follows_the_job_conditions() {
    let fake = FakeKube::start().await;
    let factory = providers(&fake);
    let m = job_metric("smoke", &["true"]);
    let p = provider(&factory, &cx(1), &m);
    let started = p.run(&cx(1), &m).await;

    // Still running 50 s later: resumed after sqrt(2 × 50) = 10 s.
    let later = cx(1).at(t0() + Duration::from_secs(50));
    let running = p.resume(&later, &m, started.clone()).await;
    assert_eq!(running.phase, Phase::Running);
    assert_eq!(running.resume_at, Some(Time::from_system(t0() + Duration::from_secs(60))));

    fake.set_condition(
        "apps",
        &job_name(1, "smoke"),
        "Complete",
        "CompletionsReached",
        "Reached expected number of succeeded pods",
    );
    let done = p.resume(&later, &m, running).await;
    assert_eq!((done.phase, done.message.as_str()), (Phase::Successful, ""));
    assert_eq!(done.finished_at, Some(Time::from_system(t0() + Duration::from_secs(50))));
    assert_eq!(done.value, "", "conditions are not evaluated");

    // The second measurement gets a Job of its own, which exceeds its deadline.
    let second = p.run(&cx(2), &m).await;
    assert_eq!(second.metadata["job-name"], job_name(2, "smoke"));
    fake.set_condition(
        "apps",
        &job_name(2, "smoke"),
        "Failed",
        "DeadlineExceeded",
        "Job was active longer than specified deadline",
    );
    let failed = p.resume(&cx(2), &m, second).await;
    assert_eq!(failed.phase, Phase::Failed);
    assert_eq!(
        failed.message,
        format!(
            "Job apps/{} failed: DeadlineExceeded: Job was active longer than specified deadline",
            job_name(2, "smoke")
        )
    );

    // BackoffLimitExceeded is Failed too.
    let third = p.run(&cx(3), &m).await;
    fake.set_condition(
        "apps",
        &job_name(3, "smoke"),
        "Failed",
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
    );
    assert_eq!(p.resume(&cx(3), &m, third).await.phase, Phase::Failed);
}

#[tokio::test]
async fn an_image_that_cannot_be_pulled_is_inconclusive() {
    let fake = FakeKube::start().await;
    let factory = providers(&fake);
    let m = job_metric("smoke", &["true"]);
    let p = provider(&factory, &cx(1), &m);
    let started = p.run(&cx(1), &m).await;
    let name = job_name(1, "smoke");
    fake.add_waiting_pod("apps", &name, "test", "ContainerCreating", "");
    assert_eq!(p.resume(&cx(1), &m, started.clone()).await.phase, Phase::Running);

    fake.add_waiting_pod("apps", &name, "test", "ImagePullBackOff", "Back-off pulling image \"busybox:1.36\"");
    let m2 = p.resume(&cx(1), &m, started).await;
    assert_eq!(m2.phase, Phase::Inconclusive);
    assert_eq!(
        m2.message,
        format!(
            "Pod {name}-x7k2p, container test has terminal error (ImagePullBackOff): Back-off pulling image \"busybox:1.36\"\n"
        )
    );
    let pod_list = fake.requests().into_iter().filter(|r| r.starts_with("GET /api/v1/namespaces/apps/pods")).count();
    assert_eq!(pod_list, 2, "pods are listed by the Job's selector: {:?}", fake.requests());
}

#[tokio::test]
async fn an_existing_job_of_the_same_run_is_adopted_and_another_runs_is_an_error() {
    let fake = FakeKube::start().await;
    let factory = providers(&fake);
    let m = job_metric("smoke", &["true"]);
    let p = provider(&factory, &cx(1), &m);
    let first = p.run(&cx(1), &m).await;
    let again = p.run(&cx(1), &m).await;
    assert_eq!(again.phase, Phase::Running, "{again:?}");
    assert_eq!(again.metadata, first.metadata);
    assert_eq!(fake.job_names("apps").len(), 1);

    // A Job of that name owned by another run: a conflict, reported as the create error.
    let mut foreign: Job = fake.job("apps", &job_name(1, "smoke")).unwrap();
    foreign.metadata.name = Some(job_name(2, "smoke"));
    foreign.metadata.owner_references.as_mut().unwrap()[0].uid = "someone-else".into();
    fake.insert_job(foreign);
    let conflict = p.run(&cx(2), &m).await;
    assert_eq!(conflict.phase, Phase::Error);
    assert_eq!(
        conflict.message,
        format!("jobs.batch \"{0}\" already exists (creating Job apps/{0} for metric \"smoke\")", job_name(2, "smoke"))
    );
    assert!(conflict.finished_at.is_some());
}

#[tokio::test]
async fn a_job_kubernetes_rejects_is_an_error_with_the_api_servers_reason() {
    let fake = FakeKube::start().await;
    let factory = providers(&fake);
    let mut m = job_metric("smoke", &["true"]);
    let spec = &mut m.provider.job.as_mut().unwrap().spec;
    spec["template"]["spec"]["restartPolicy"] = json!("Always");
    let measurement = provider(&factory, &cx(1), &m).run(&cx(1), &m).await;
    assert_eq!(measurement.phase, Phase::Error);
    assert_eq!(
        measurement.message,
        format!(
            "Job.batch \"{0}\" is invalid: [spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \
             \"OnFailure\", \"Never\"] (creating Job apps/{0} for metric \"smoke\")",
            job_name(1, "smoke")
        )
    );
    assert!(fake.job_names("apps").is_empty());
}

#[tokio::test]
async fn bad_input_is_an_error_naming_the_metric_without_calling_the_api() {
    let fake = FakeKube::start().await;
    let factory = providers(&fake);
    let cases = [
        (
            json!({"spec": {"template": {"spec": {"containers": []}}}}),
            "metric \"smoke\": job spec has no containers (provider.job.spec.template.spec.containers)",
        ),
        (
            json!({"spec": {"template": {"metadata": {"labels": {"a": "b"}}}}}),
            "metric \"smoke\": job spec has no containers (provider.job.spec.template.spec.containers)",
        ),
        (json!({"spec": null}), "metric \"smoke\": job spec is missing (provider.job.spec)"),
    ];
    for (job, message) in cases {
        let m = metric("smoke", job);
        let measurement = provider(&factory, &cx(1), &m).run(&cx(1), &m).await;
        assert_eq!((measurement.phase, measurement.message.as_str()), (Phase::Error, message));
    }
    let wrong_type = metric("smoke", json!({"spec": {"activeDeadlineSeconds": "soon", "template": {}}}));
    let measurement = provider(&factory, &cx(1), &wrong_type).run(&cx(1), &wrong_type).await;
    assert!(
        measurement
            .message
            .starts_with("metric \"smoke\": invalid job spec (provider.job.spec): invalid type: string \"soon\""),
        "{}",
        measurement.message
    );

    // A run without a UID cannot name its Jobs.
    let no_uid = RunContext::new(&AnalysisRun::default(), t0());
    let m = job_metric("smoke", &["true"]);
    let measurement = provider(&factory, &no_uid, &m).run(&no_uid, &m).await;
    assert_eq!(
        measurement.message,
        "metric \"smoke\": the AnalysisRun has no metadata.uid, which the Job's name and labels need"
    );
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

#[tokio::test]
async fn terminate_deletes_the_job_in_the_foreground_and_is_inconclusive() {
    let fake = FakeKube::start().await;
    let factory = providers(&fake);
    let m = job_metric("smoke", &["sleep", "3600"]);
    let p = provider(&factory, &cx(1), &m);
    let started = p.run(&cx(1), &m).await;
    let stopped = p.terminate(&cx(1), &m, started.clone()).await;
    assert_eq!((stopped.phase, stopped.finished_at.is_some()), (Phase::Inconclusive, true));
    assert_eq!(fake.deletes(), [(job_name(1, "smoke"), Some("Foreground".to_string()))]);
    assert!(fake.job_names("apps").is_empty());

    // Gone already: NotFound is ignored.
    assert_eq!(p.terminate(&cx(1), &m, started.clone()).await.phase, Phase::Inconclusive);
    // Resuming a Job that is gone is an Error (Argo's cache miss).
    let lost = p.resume(&cx(1), &m, started).await;
    assert_eq!(
        (lost.phase, lost.message.clone()),
        (Phase::Error, format!("jobs.batch \"{0}\" not found (reading Job apps/{0})", job_name(1, "smoke")))
    );
    // A measurement that lost its metadata.
    let orphan = p.resume(&cx(1), &m, Measurement { phase: Phase::Running, ..Measurement::default() }).await;
    assert_eq!((orphan.phase, orphan.message.as_str()), (Phase::Error, "job metadata reference missing"));
}

#[tokio::test]
async fn garbage_collection_deletes_the_runs_oldest_jobs_beyond_the_limit() {
    let fake = FakeKube::start().await;
    let factory = providers(&fake);
    let smoke = job_metric("smoke", &["true"]);
    let load = job_metric("load", &["true"]);
    let p = provider(&factory, &cx(1), &smoke);
    for n in 1..=3 {
        assert_eq!(p.run(&cx(n), &smoke).await.phase, Phase::Running);
    }
    assert_eq!(p.run(&cx(1), &load).await.phase, Phase::Running);
    // Another run's Job in the namespace is not touched.
    let mut other: Job = fake.job("apps", &job_name(1, "smoke")).unwrap();
    other.metadata.name = Some("other-run.smoke.1".into());
    other.metadata.labels.as_mut().unwrap().insert(RUN_UID_LABEL.into(), "other-run".into());
    other.metadata.creation_timestamp = None;
    fake.insert_job(other);

    p.garbage_collect(&cx(4), &smoke, 2).await.unwrap();
    let mut left = fake.job_names("apps");
    left.sort();
    let mut want = vec![job_name(3, "smoke"), job_name(1, "load"), "other-run.smoke.1".to_string()];
    want.sort();
    assert_eq!(left, want, "Argo counts every Job of the run, of any metric");
    assert!(fake.deletes().iter().all(|(_, policy)| policy.as_deref() == Some("Foreground")));
    assert!(
        fake.requests().iter().any(|r| r.contains("labelSelector=analysisrun.argoproj.io%2Fuid%3D")),
        "{:?}",
        fake.requests()
    );
    // Under the limit: nothing to do.
    p.garbage_collect(&cx(4), &smoke, 10).await.unwrap();
    assert_eq!(fake.job_names("apps").len(), 3);
}

#[tokio::test]
async fn a_custom_kubeconfig_and_namespace_as_argos_environment_sets_them() {
    let fake = FakeKube::start().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = JobSettings {
        namespace: Some("analysis-jobs".into()),
        kubeconfig: Some(JobKubeconfig::Path(fake.kubeconfig(dir.path(), "ignored"))),
        ..JobSettings::default()
    };
    let factory = BuiltinProviders::new().unwrap().with_job_settings(settings);
    let m = job_metric("smoke", &["true"]);
    let p = provider(&factory, &cx(1), &m);
    let started = p.run(&cx(1), &m).await;
    assert_eq!(started.metadata["job-namespace"], "analysis-jobs", "{started:?}");
    let job = fake.job("analysis-jobs", &job_name(1, "smoke")).unwrap();
    assert!(job.metadata.owner_references.is_none(), "no owner reference in another cluster");
    // Adopted without an owner reference: Argo checks the label of the Job it built.
    assert_eq!(p.run(&cx(1), &m).await.phase, Phase::Running);

    // A run with no namespace uses the kubeconfig context's namespace.
    let settings = JobSettings {
        kubeconfig: Some(JobKubeconfig::Path(fake.kubeconfig(dir.path(), "ctx-ns"))),
        ..JobSettings::default()
    };
    let factory = BuiltinProviders::new().unwrap().with_job_settings(settings);
    let nameless = RunContext::new(&run(""), t0());
    let measurement = provider(&factory, &nameless, &m).run(&nameless, &m).await;
    assert_eq!(measurement.metadata["job-namespace"], "ctx-ns");
}

#[tokio::test]
async fn an_unreachable_api_server_is_an_error_measurement() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = kubeconfig_for(&format!("http://127.0.0.1:{port}"), dir.path(), "default");
    let settings = JobSettings { kubeconfig: Some(JobKubeconfig::Path(kubeconfig)), ..JobSettings::default() };
    let factory = BuiltinProviders::new().unwrap().with_job_settings(settings);
    let m = job_metric("smoke", &["true"]);
    let p = provider(&factory, &cx(1), &m);
    let started = Instant::now();
    let measurement = p.run(&cx(1), &m).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(measurement.phase, Phase::Error);
    assert!(measurement.message.contains("Connection refused"), "{}", measurement.message);
    assert!(
        measurement.message.ends_with(&format!("(creating Job apps/{} for metric \"smoke\")", job_name(1, "smoke")))
    );
    assert!(!measurement.message.contains("not-a-secret"));
    let gc = p.garbage_collect(&cx(1), &m, 1).await.unwrap_err();
    assert!(gc.to_string().contains("Connection refused"), "{gc}");

    // A kubeconfig that does not exist is a configuration error naming it.
    let settings =
        JobSettings { kubeconfig: Some(JobKubeconfig::Path(dir.path().join("missing"))), ..JobSettings::default() };
    let factory = BuiltinProviders::new().unwrap().with_job_settings(settings);
    let measurement = provider(&factory, &cx(1), &m).run(&cx(1), &m).await;
    assert_eq!(measurement.phase, Phase::Error);
    assert!(measurement.message.contains("ARGO_ROLLOUTS_ANALYSIS_JOB_KUBECONFIG="), "{}", measurement.message);
}

#[tokio::test]
async fn outcomes_are_recorded_as_phases_for_replay() {
    let fake = FakeKube::start().await;
    let recorder = Arc::new(DataRecorder::default());
    let factory = providers(&fake).with_recorder(recorder.clone());
    let m = job_metric("smoke", &["true"]);
    let p = provider(&factory, &cx(1), &m);
    let started = p.run(&cx(1), &m).await;
    let running = p.resume(&cx(1), &m, started).await;
    assert!(recorder.data().metrics.is_empty(), "nothing is recorded while the Job runs");
    fake.set_condition(
        "apps",
        &job_name(1, "smoke"),
        "Failed",
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
    );
    p.resume(&cx(1), &m, running).await;
    let data = recorder.data();
    let entries = &data.metrics["smoke"].measurements;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].phase, Some(Phase::Failed));
    assert!(entries[0].message.as_deref().unwrap().contains("BackoffLimitExceeded"));

    // A terminated measurement is not the Job's verdict: not recorded.
    let second = p.run(&cx(2), &m).await;
    assert_eq!(p.terminate(&cx(2), &m, second).await.phase, Phase::Inconclusive);
    assert_eq!(recorder.data().metrics["smoke"].measurements.len(), 1);
}

/// Plays the Job controller for the analyzer test: completes every Job of `metric` as it
/// appears, for up to 10 s.
async fn complete_jobs_as_they_appear(fake: &FakeKube, count: usize) {
    let mut done = Vec::new();
    for _ in 0..1000 {
        for name in fake.job_names("apps") {
            if !done.contains(&name) {
                fake.set_condition("apps", &name, "Complete", "CompletionsReached", "");
                done.push(name);
            }
        }
        if done.len() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("only {} of {count} Jobs appeared", done.len());
}

#[tokio::test]
async fn the_analyzer_drives_job_metrics_to_completion() {
    let fake = FakeKube::start().await;
    let factory = Arc::new(providers(&fake));
    let analyzer = Analyzer::new(factory, Arc::new(StaticSecrets::new()), AnalyzerOptions::default());
    let mut analysis = run("apps");
    let m = serde_json::to_value(job_metric("smoke", &["true"])).unwrap();
    let mut m2 = m.clone();
    m2["count"] = json!(2);
    m2["interval"] = json!("1s");
    analysis.spec.metrics = vec![serde_json::from_value(m2).unwrap()];
    let handle = analyzer.start(analysis);
    let (_, done) = tokio::join!(complete_jobs_as_they_appear(&fake, 2), async {
        tokio::time::timeout(Duration::from_secs(30), handle.wait()).await.expect("the run completes")
    });
    assert_eq!(done.status.phase, Some(Phase::Successful), "{:?}", done.status);
    let result = &done.status.metric_results[0];
    assert_eq!((result.count, result.successful), (2, 2));
    // Argo's Job names: count + error + 1.
    let names: Vec<&str> = result.measurements.iter().map(|m| m.metadata["job-name"].as_str()).collect();
    assert_eq!(names, [job_name(1, "smoke"), job_name(2, "smoke")]);
    // Per Job: the create, at most one resume before it completes (GET + pod LIST; the next
    // resume waits at least a second) and the resume that sees it complete.
    let requests = fake.requests();
    assert!(requests.len() <= 8, "{requests:#?}");
}

// ----- Local execution -----

fn local() -> BuiltinProviders {
    BuiltinProviders::new().unwrap().with_local_jobs(true)
}

/// Resumes `m` until it completes: at most 200 times, 50 ms apart (10 s).
async fn settle(p: &dyn Provider, metric: &Metric, mut m: Measurement) -> Measurement {
    for _ in 0..200 {
        if m.phase.is_completed() {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        m = p.resume(&cx(1).at(SystemTime::now()), metric, m).await;
    }
    panic!("the local job did not finish within 10 s: {m:?}");
}

fn shell_metric(name: &str, script: &str, deadline: Option<i64>, env: Json) -> Metric {
    let mut spec = json!({"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never",
        "containers": [{"name": "test", "image": "alpine", "command": ["sh", "-c"], "args": [script], "env": env}]}}});
    if let Some(d) = deadline {
        spec["activeDeadlineSeconds"] = json!(d);
    }
    metric(name, json!({"spec": spec}))
}

#[tokio::test]
async fn a_local_job_that_exits_zero_is_successful() {
    let factory = local();
    let m = job_metric("smoke", &["true"]);
    let p = provider(&factory, &cx(1), &m);
    let started = p.run(&cx(1), &m).await;
    assert_eq!(started.phase, Phase::Running, "{started:?}");
    assert_eq!(started.metadata["job-name"], job_name(1, "smoke"));
    assert_eq!(started.resume_at, started.started_at);
    let done = settle(p.as_ref(), &m, started).await;
    assert_eq!((done.phase, done.message.as_str()), (Phase::Successful, ""));
    assert_eq!(done.metadata["exit-code"], "0");
    assert!(factory.local_jobs().unwrap().is_empty(), "finished processes are forgotten");
}

#[tokio::test]
async fn a_local_job_that_exits_non_zero_fails_with_its_output() {
    let factory = local();
    let m = shell_metric("smoke", "echo checking; echo 'assertion failed' >&2; exit 3", None, json!([]));
    let p = provider(&factory, &cx(1), &m);
    let done = settle(p.as_ref(), &m, p.run(&cx(1), &m).await).await;
    assert_eq!(done.phase, Phase::Failed);
    assert_eq!(done.message, format!("local job {} failed: exit status 3", job_name(1, "smoke")));
    assert_eq!(done.metadata["stdout"], "checking\n");
    assert_eq!(done.metadata["stderr"], "assertion failed\n");
    assert_eq!(done.metadata["exit-code"], "3");

    let f = job_metric("smoke", &["false"]);
    let done = settle(p.as_ref(), &f, p.run(&cx(2), &f).await).await;
    assert_eq!(done.phase, Phase::Failed);
}

#[tokio::test]
async fn a_local_job_gets_its_env_expanded_and_its_output_capped() {
    let factory = local();
    let env = json!([{"name": "WHO", "value": "canary"}, {"name": "GREETING", "value": "hello-$(WHO)"}]);
    let m = shell_metric("smoke", "echo \"$GREETING\"; head -c 100000 /dev/zero | tr '\\0' x >&2", None, env);
    let p = provider(&factory, &cx(1), &m);
    let done = settle(p.as_ref(), &m, p.run(&cx(1), &m).await).await;
    assert_eq!(done.phase, Phase::Successful, "{done:?}");
    assert_eq!(done.metadata["stdout"], "hello-canary\n");
    assert_eq!(done.metadata["stderr"].len(), 4096);
}

#[tokio::test]
async fn a_local_job_past_its_deadline_is_killed_and_failed() {
    let factory = local();
    // The shell's child holds the output pipe too: the whole process group is killed.
    let m = shell_metric("smoke", "echo started; sleep 30; echo never", Some(1), json!([]));
    let p = provider(&factory, &cx(1), &m);
    let clock = Instant::now();
    let done = settle(p.as_ref(), &m, p.run(&cx(1), &m).await).await;
    assert!(clock.elapsed() < Duration::from_secs(8), "{:?}", clock.elapsed());
    assert_eq!(done.phase, Phase::Failed);
    assert_eq!(
        done.message,
        format!(
            "local job {} failed: DeadlineExceeded: Job was active longer than specified deadline \
             (activeDeadlineSeconds: 1); the process was killed",
            job_name(1, "smoke")
        )
    );
    assert_eq!(done.metadata["stdout"], "started\n");
}

#[tokio::test]
async fn terminating_a_local_job_kills_it_and_is_inconclusive() {
    let factory = local();
    let m = shell_metric("smoke", "echo up; exec sleep 30", None, json!([]));
    let p = provider(&factory, &cx(1), &m);
    let started = p.run(&cx(1), &m).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let clock = Instant::now();
    let stopped = p.terminate(&cx(1), &m, started.clone()).await;
    assert!(clock.elapsed() < Duration::from_secs(5));
    assert_eq!((stopped.phase, stopped.finished_at.is_some()), (Phase::Inconclusive, true));
    assert_eq!(stopped.metadata["stdout"], "up\n");
    // The process is gone: resuming it now is an Error, as for a deleted Job.
    let lost = p.resume(&cx(1), &m, started).await;
    assert_eq!(lost.phase, Phase::Error);
    assert!(lost.message.contains("is not running in this augur process"), "{}", lost.message);
}

#[tokio::test]
async fn local_jobs_refuse_what_needs_a_cluster_and_fail_on_missing_programs() {
    let factory = local();
    let secret = shell_metric(
        "smoke",
        "true",
        None,
        json!([{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]),
    );
    let m = provider(&factory, &cx(1), &secret).run(&cx(1), &secret).await;
    assert_eq!(m.phase, Phase::Error);
    assert_eq!(
        m.message,
        "metric \"smoke\": container \"test\": env \"TOKEN\" uses valueFrom, which local jobs do not support (give it a value)"
    );
    let no_containers = metric("smoke", json!({"spec": {"template": {"spec": {"containers": []}}}}));
    let m = provider(&factory, &cx(1), &no_containers).run(&cx(1), &no_containers).await;
    assert_eq!(
        (m.phase, m.message.as_str()),
        (Phase::Error, "metric \"smoke\": job spec has no containers (provider.job.spec.template.spec.containers)")
    );

    // What a cluster would reject is rejected locally too.
    let mut always = job_metric("smoke", &["true"]);
    always.provider.job.as_mut().unwrap().spec["template"]["spec"]["restartPolicy"] = json!("Always");
    let m = provider(&factory, &cx(1), &always).run(&cx(1), &always).await;
    assert_eq!(m.phase, Phase::Error);
    assert!(m.message.starts_with("metric \"smoke\": provider.job.spec.template.spec.restartPolicy"), "{}", m.message);

    let missing = job_metric("smoke", &["/nonexistent/augur-test-runner", "--all"]);
    let m = provider(&factory, &cx(1), &missing).run(&cx(1), &missing).await;
    assert_eq!(m.phase, Phase::Failed);
    assert!(
        m.message.contains("cannot start \"/nonexistent/augur-test-runner\": No such file or directory"),
        "{}",
        m.message
    );
}

#[tokio::test]
async fn the_analyzer_runs_local_jobs_to_completion_and_replay_reproduces_them() {
    let recorder = Arc::new(DataRecorder::default());
    let factory = Arc::new(local().with_recorder(recorder.clone()));
    let analyzer = Analyzer::new(factory, Arc::new(StaticSecrets::new()), AnalyzerOptions::default());
    let mut analysis = run("ci");
    analysis.spec.metrics = vec![
        shell_metric("unit", "exit 0", None, json!([])),
        shell_metric("e2e", "sleep 1; echo e2e failed >&2; exit 1", None, json!([])),
    ];
    let fresh = analysis.clone();
    let done =
        tokio::time::timeout(Duration::from_secs(30), analyzer.run_to_completion(analysis)).await.expect("completes");
    assert_eq!(done.status.phase, Some(Phase::Failed), "{:?}", done.status);
    let phases = |r: &AnalysisRun| -> Vec<(String, Phase)> {
        r.status.metric_results.iter().map(|m| (m.name.clone(), m.phase)).collect()
    };
    assert_eq!(phases(&done), [("unit".to_string(), Phase::Successful), ("e2e".to_string(), Phase::Failed)]);
    let e2e = &done.status.metric_results[1].measurements[0];
    assert_eq!(e2e.metadata["stderr"], "e2e failed\n");

    // `augur run --record` then `augur replay`: the recorded verdicts give the same run.
    let data = recorder.data();
    assert_eq!(data.metrics["e2e"].measurements[0].phase, Some(Phase::Failed));
    let mut replayed = fresh;
    let mut cursor = replay::DataCursor::default();
    let (end, _) = replay::replay(&mut replayed, &data, &mut cursor, t0());
    assert_eq!(end, replay::ReplayEnd::Completed);
    assert_eq!((replayed.status.phase, phases(&replayed)), (done.status.phase, phases(&done)));
    assert_eq!(replayed.status.message, done.status.message);
}

#[tokio::test]
async fn secrets_a_local_job_prints_are_redacted_from_its_metadata() {
    let secrets = StaticSecrets::new().with("ci", "creds", "token", "s3cr3t-t0ken");
    let analyzer = Analyzer::new(Arc::new(local()), Arc::new(secrets), AnalyzerOptions::default());
    let mut analysis = run("ci");
    analysis.spec.args = serde_json::from_value(json!([
        {"name": "token", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}}
    ]))
    .unwrap();
    let env = json!([{"name": "TOKEN", "value": "{{args.token}}"}]);
    analysis.spec.metrics =
        vec![shell_metric("leaky", "echo \"using $TOKEN\"; echo \"bad $TOKEN\" >&2; exit 1", None, env)];
    let done =
        tokio::time::timeout(Duration::from_secs(30), analyzer.run_to_completion(analysis)).await.expect("completes");
    let m = &done.status.metric_results[0].measurements[0];
    assert_eq!(m.phase, Phase::Failed, "{m:?}");
    assert_eq!((m.metadata["stdout"].as_str(), m.metadata["stderr"].as_str()), ("using *****\n", "bad *****\n"));
}
