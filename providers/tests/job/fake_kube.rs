//! A fake Kubernetes API server on 127.0.0.1 serving what the Job provider uses, following
//! the real API's contract: the `batch/v1` Job endpoints (create, get, list with
//! `labelSelector`, delete with `propagationPolicy`) and the pod list, with `resourceVersion`s,
//! k8s-openapi objects as JSON, and `Status` bodies for errors (404 NotFound, 409
//! AlreadyExists, 422 Invalid for a Job the API server rejects, 400 BadRequest).
//!
//! Like the real server it fills in what the Job controller and API server add on create:
//! `uid`, `creationTimestamp`, `generation`, the `controller-uid` selector and pod labels.
//! Tests play the Job controller by flipping conditions ([`FakeKube::set_condition`]) and
//! adding pods.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use k8s_openapi::api::batch::v1::{Job, JobCondition, JobStatus};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, Time};
use serde_json::{Value as Json, json};

/// The most connections one fake server accepts.
const MAX_CONNECTIONS: usize = 1000;

/// What the fake holds and saw.
#[derive(Default)]
pub struct State {
    /// Jobs by (namespace, name).
    pub jobs: BTreeMap<(String, String), Job>,
    /// Pods by namespace.
    pub pods: Vec<(String, Pod)>,
    /// The last `resourceVersion` handed out.
    pub resource_version: u64,
    /// Every request, as `METHOD path?query`.
    pub requests: Vec<String>,
    /// Every delete: (name, `propagationPolicy`).
    pub deletes: Vec<(String, Option<String>)>,
}

impl State {
    fn next_version(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }
}

/// The running fake server.
pub struct FakeKube {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
}

impl FakeKube {
    /// Starts the server on an ephemeral port of 127.0.0.1, in the current runtime.
    pub async fn start() -> FakeKube {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        tokio::spawn(async move {
            // Bounded like every loop in the tests: no test opens this many connections (kube
            // keeps one alive), and the task ends with the test's runtime anyway.
            for _ in 0..MAX_CONNECTIONS {
                let Ok((stream, _)) = listener.accept().await else { break };
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let state = Arc::clone(&state);
                        async move { Ok::<_, std::convert::Infallible>(handle(&state, req).await) }
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        FakeKube { addr, state }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client for the fake, with `default_namespace`.
    pub fn client(&self, default_namespace: &str) -> kube::Client {
        let mut config = kube::Config::new(self.url().parse().unwrap());
        config.default_namespace = default_namespace.to_string();
        kube::Client::try_from(config).unwrap()
    }

    /// Writes a kubeconfig for the fake (context namespace `namespace`) into `dir`.
    pub fn kubeconfig(&self, dir: &Path, namespace: &str) -> PathBuf {
        kubeconfig_for(&self.url(), dir, namespace)
    }

    /// The Job `namespace/name`.
    pub fn job(&self, namespace: &str, name: &str) -> Option<Job> {
        self.state.lock().unwrap().jobs.get(&(namespace.to_string(), name.to_string())).cloned()
    }

    /// The names of the Jobs in `namespace`.
    pub fn job_names(&self, namespace: &str) -> Vec<String> {
        let state = self.state.lock().unwrap();
        state.jobs.keys().filter(|(ns, _)| ns == namespace).map(|(_, n)| n.clone()).collect()
    }

    /// Stores `job` as if created earlier (by someone else).
    pub fn insert_job(&self, mut job: Job) {
        let mut state = self.state.lock().unwrap();
        job.metadata.resource_version = Some(state.next_version());
        let key = (job.metadata.namespace.clone().unwrap(), job.metadata.name.clone().unwrap());
        state.jobs.insert(key, job);
    }

    /// The Job controller's part: adds condition `type_` (`Complete`, `Failed`) with status
    /// True to the Job, as a status update (new `resourceVersion`).
    pub fn set_condition(&self, namespace: &str, name: &str, type_: &str, reason: &str, message: &str) {
        let mut state = self.state.lock().unwrap();
        let version = state.next_version();
        let now = fake_time(state.resource_version);
        let job = state.jobs.get_mut(&(namespace.to_string(), name.to_string())).expect("the job exists");
        let status = job.status.get_or_insert_with(JobStatus::default);
        status.conditions.get_or_insert_with(Vec::new).push(JobCondition {
            type_: type_.to_string(),
            status: "True".to_string(),
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            last_probe_time: Some(now.clone()),
            last_transition_time: Some(now),
        });
        match type_ {
            "Complete" => status.succeeded = Some(1),
            "Failed" => status.failed = Some(1),
            _ => {}
        }
        status.active = Some(0);
        job.metadata.resource_version = Some(version);
    }

    /// Adds a pod of the Job `namespace/name` (labelled as the Job controller labels them)
    /// whose container `container` waits with `reason`.
    pub fn add_waiting_pod(&self, namespace: &str, job: &str, container: &str, reason: &str, message: &str) {
        let uid = self.job(namespace, job).and_then(|j| j.metadata.uid).expect("the job exists");
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": format!("{job}-x7k2p"), "namespace": namespace,
                "labels": {"batch.kubernetes.io/controller-uid": uid, "controller-uid": uid,
                    "batch.kubernetes.io/job-name": job, "job-name": job}},
            "status": {"phase": "Pending", "containerStatuses": [{"name": container, "image": "registry.invalid/x",
                "imageID": "", "ready": false, "restartCount": 0,
                "state": {"waiting": {"reason": reason, "message": message}}}]}
        }))
        .unwrap();
        let mut state = self.state.lock().unwrap();
        let mut pod = pod;
        pod.metadata.resource_version = Some(state.next_version());
        state.pods.push((namespace.to_string(), pod));
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Every delete so far: (name, propagationPolicy).
    pub fn deletes(&self) -> Vec<(String, Option<String>)> {
        self.state.lock().unwrap().deletes.clone()
    }
}

/// Writes a kubeconfig pointing at `server` into `dir`.
pub fn kubeconfig_for(server: &str, dir: &Path, namespace: &str) -> PathBuf {
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster:\n    server: {server}\n\
         contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: tester\n    namespace: {namespace}\n\
         users:\n- name: tester\n  user:\n    token: not-a-secret\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// The fake's clock: one second per resource version from 2026-01-01, so objects created one
/// after the other have increasing `creationTimestamp`s (second precision, as on the wire).
fn fake_time(version: u64) -> Time {
    let secs = 1_767_225_600 + i64::try_from(version).unwrap();
    Time(k8s_openapi::jiff::Timestamp::from_second(secs).unwrap())
}

fn respond(code: StatusCode, body: &Json) -> Response<Full<Bytes>> {
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(serde_json::to_vec(body).unwrap())))
        .unwrap()
}

/// A `metav1.Status` failure, as the API server sends it.
fn status(code: StatusCode, reason: &str, message: &str, details: Json) -> Response<Full<Bytes>> {
    let mut body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code.as_u16()});
    if !details.is_null() {
        body["details"] = details;
    }
    respond(code, &body)
}

fn not_found(name: &str) -> Response<Full<Bytes>> {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("jobs.batch \"{name}\" not found"),
        json!({"name": name, "group": "batch", "kind": "jobs"}),
    )
}

/// The `labelSelector` requirements this fake understands: `k=v`, `k==v`, `k!=v`.
fn matches_selector(labels: Option<&BTreeMap<String, String>>, selector: &str) -> Result<bool, String> {
    let empty = BTreeMap::new();
    let labels = labels.unwrap_or(&empty);
    for req in selector.split(',').filter(|r| !r.is_empty()) {
        let ok = if let Some((k, v)) = req.split_once("!=") {
            labels.get(k).map(String::as_str) != Some(v)
        } else if let Some((k, v)) = req.split_once("==").or_else(|| req.split_once('=')) {
            labels.get(k).map(String::as_str) == Some(v)
        } else {
            return Err(format!("unable to parse requirement: {req}"));
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    let url = reqwest::Url::parse(&format!("http://fake/?{}", query?)).ok()?;
    url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

async fn handle(state: &Mutex<State>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    state.lock().unwrap().requests.push(format!(
        "{} {}{}",
        parts.method,
        path,
        query.as_ref().map(|q| format!("?{q}")).unwrap_or_default()
    ));
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (&parts.method, segments.as_slice()) {
        (&Method::POST, ["apis", "batch", "v1", "namespaces", ns, "jobs"]) => create(state, ns, &body),
        (&Method::GET, ["apis", "batch", "v1", "namespaces", ns, "jobs", name]) => {
            match state.lock().unwrap().jobs.get(&(ns.to_string(), name.to_string())) {
                Some(job) => respond(StatusCode::OK, &serde_json::to_value(job).unwrap()),
                None => not_found(name),
            }
        }
        (&Method::GET, ["apis", "batch", "v1", "namespaces", ns, "jobs"]) => {
            let mut state = state.lock().unwrap();
            let jobs =
                state.jobs.iter().map(|((job_ns, _), job)| (job_ns.as_str(), &job.metadata, serde_json::to_value(job)));
            let items = select(jobs, ns, query.as_deref());
            list(&mut state, "batch/v1", "JobList", items)
        }
        (&Method::DELETE, ["apis", "batch", "v1", "namespaces", ns, "jobs", name]) => {
            let options: Json =
                if body.is_empty() { json!({}) } else { serde_json::from_slice(&body).unwrap_or(Json::Null) };
            let policy = options.get("propagationPolicy").and_then(Json::as_str).map(str::to_string);
            let mut state = state.lock().unwrap();
            state.deletes.push((name.to_string(), policy.clone()));
            match state.jobs.remove(&(ns.to_string(), name.to_string())) {
                // Foreground deletion answers with the object, now carrying a deletion
                // timestamp and the foregroundDeletion finalizer.
                Some(mut job) => {
                    job.metadata.deletion_timestamp = Some(fake_time(state.resource_version));
                    if policy.as_deref() == Some("Foreground") {
                        job.metadata.finalizers = Some(vec!["foregroundDeletion".to_string()]);
                    }
                    job.metadata.resource_version = Some(state.next_version());
                    respond(StatusCode::OK, &serde_json::to_value(&job).unwrap())
                }
                None => not_found(name),
            }
        }
        (&Method::GET, ["api", "v1", "namespaces", ns, "pods"]) => {
            let mut state = state.lock().unwrap();
            let pods =
                state.pods.iter().map(|(pod_ns, pod)| (pod_ns.as_str(), &pod.metadata, serde_json::to_value(pod)));
            let items = select(pods, ns, query.as_deref());
            list(&mut state, "v1", "PodList", items)
        }
        _ => status(StatusCode::NOT_FOUND, "NotFound", "the server could not find the requested resource", Json::Null),
    }
}

/// The objects in namespace `ns` matching the request's `labelSelector`, as JSON (`Err`: the
/// selector's parse error).
fn select<'a>(
    objects: impl Iterator<Item = (&'a str, &'a ObjectMeta, serde_json::Result<Json>)>,
    ns: &str,
    query: Option<&str>,
) -> Result<Vec<Json>, String> {
    let selector = query_param(query, "labelSelector").unwrap_or_default();
    let mut items = Vec::new();
    for (object_ns, meta, json) in objects {
        if object_ns == ns && matches_selector(meta.labels.as_ref(), &selector)? {
            items.push(json.unwrap());
        }
    }
    Ok(items)
}

/// A list answer (`JobList`, `PodList`) with a fresh `resourceVersion`, or 400 for a bad
/// selector.
fn list(state: &mut State, api_version: &str, kind: &str, items: Result<Vec<Json>, String>) -> Response<Full<Bytes>> {
    match items {
        Ok(items) => {
            let version = state.next_version();
            let body = json!({"apiVersion": api_version, "kind": kind, "metadata": {"resourceVersion": version}, "items": items});
            respond(StatusCode::OK, &body)
        }
        Err(e) => status(StatusCode::BAD_REQUEST, "BadRequest", &e, Json::Null),
    }
}

/// The checks the API server makes on a Job this test suite can send, and the fields it
/// fills in.
fn create(state: &Mutex<State>, ns: &str, body: &[u8]) -> Response<Full<Bytes>> {
    let mut job: Job = match serde_json::from_slice(body) {
        Ok(job) => job,
        Err(e) => return status(StatusCode::BAD_REQUEST, "BadRequest", &format!("json: {e}"), Json::Null),
    };
    let name = job.metadata.name.clone().unwrap_or_default();
    if job.metadata.namespace.as_deref().is_some_and(|n| n != ns) {
        return status(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "the namespace of the provided object does not match the namespace sent on the request",
            Json::Null,
        );
    }
    let mut causes = Vec::new();
    let valid_name = !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !valid_name {
        causes.push((
            "metadata.name",
            format!("Invalid value: \"{name}\": must be a valid DNS subdomain of at most 63 characters"),
        ));
    }
    let pod = job.spec.as_ref().and_then(|s| s.template.spec.as_ref());
    match pod {
        Some(pod) if !pod.containers.is_empty() => {
            match pod.restart_policy.as_deref() {
                Some("Never" | "OnFailure") => {}
                other => causes.push((
                    "spec.template.spec.restartPolicy",
                    format!(
                        "Unsupported value: \"{}\": supported values: \"OnFailure\", \"Never\"",
                        other.unwrap_or("Always")
                    ),
                )),
            }
            for (i, c) in pod.containers.iter().enumerate() {
                if c.image.as_deref().unwrap_or("").is_empty() {
                    causes.push(("spec.template.spec.containers[].image", format!("Required value (container {i})")));
                }
            }
        }
        _ => causes.push(("spec.template.spec.containers", "Required value".to_string())),
    }
    if !causes.is_empty() {
        let text = causes.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join(", ");
        let details = json!({"name": name, "group": "batch", "kind": "Job",
            "causes": causes.iter().map(|(f, m)| json!({"reason": "FieldValueInvalid", "message": m, "field": f})).collect::<Vec<_>>()});
        return status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            &format!("Job.batch \"{name}\" is invalid: [{text}]"),
            details,
        );
    }
    let mut state = state.lock().unwrap();
    let key = (ns.to_string(), name.clone());
    if state.jobs.contains_key(&key) {
        return status(
            StatusCode::CONFLICT,
            "AlreadyExists",
            &format!("jobs.batch \"{name}\" already exists"),
            json!({"name": name, "group": "batch", "kind": "jobs"}),
        );
    }
    let uid = format!("00000000-0000-4000-8000-{:012}", state.resource_version + 1);
    let version = state.next_version();
    let meta = &mut job.metadata;
    meta.namespace = Some(ns.to_string());
    meta.uid = Some(uid.clone());
    meta.resource_version = Some(version.clone());
    meta.generation = Some(1);
    meta.creation_timestamp = Some(fake_time(state.resource_version));
    if let Some(spec) = job.spec.as_mut() {
        let labels = BTreeMap::from([("batch.kubernetes.io/controller-uid".to_string(), uid.clone())]);
        spec.selector = Some(LabelSelector { match_labels: Some(labels), ..LabelSelector::default() });
        let pod_labels =
            spec.template.metadata.get_or_insert_with(Default::default).labels.get_or_insert_with(BTreeMap::new);
        pod_labels.insert("batch.kubernetes.io/controller-uid".to_string(), uid.clone());
        pod_labels.insert("controller-uid".to_string(), uid);
        pod_labels.insert("batch.kubernetes.io/job-name".to_string(), name.clone());
        pod_labels.insert("job-name".to_string(), name.clone());
        spec.backoff_limit.get_or_insert(6);
        spec.completions.get_or_insert(1);
        spec.parallelism.get_or_insert(1);
    }
    job.status = Some(JobStatus {
        active: Some(1),
        start_time: Some(fake_time(state.resource_version)),
        ..JobStatus::default()
    });
    state.jobs.insert(key, job.clone());
    respond(StatusCode::CREATED, &serde_json::to_value(&job).unwrap())
}
