//! The shared Argo vectors that carry a raw provider response (`provider_response`), run
//! end to end: the body is served over HTTP on 127.0.0.1 and measured by the real web or
//! Datadog provider; phase, error text, `value` and metadata must be Argo's.

#[path = "../../analysis-core/tests/support/shared_dir.rs"]
mod shared_dir;
mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use augur_analysis_core::spec::{AnalysisRun, Metric};
use augur_providers::EnvLookup;
use augur_providers::{BuiltinProviders, ProviderFactory, RunContext};
use serde::Deserialize;
use serde_json::{Value, json};
use shared_dir::shared_dir;
use support::http_server::{Reply, TestServer as Server};

/// The fields of a condition vector this test reads (others, such as `result`, are skipped).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vector {
    id: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    success_condition: String,
    #[serde(default)]
    failure_condition: String,
    expected: String,
    #[serde(default, rename = "error_contains")]
    error_contains: Option<String>,
    #[serde(default, rename = "measurement_value")]
    measurement_value: Option<String>,
    #[serde(default, rename = "measurement_metadata")]
    measurement_metadata: Option<BTreeMap<String, String>>,
    #[serde(default, rename = "provider_response")]
    provider_response: Option<ProviderResponse>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProviderResponse {
    body: String,
    #[serde(default)]
    json_path: Option<String>,
}

#[derive(Deserialize)]
struct Vectors {
    conditions: Vec<Vector>,
}

/// An environment holding exactly `pairs`.
fn vars(pairs: &[(&str, &str)]) -> EnvLookup {
    let map: std::collections::BTreeMap<String, String> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Arc::new(move |k: &str| map.get(k).cloned())
}

#[tokio::test]
async fn provider_response_vectors() {
    let path = shared_dir().join("conformance/argo-analysis.yaml");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}; set AUGUR_SHARED_DIR", path.display()));
    // The file holds `.inf` results elsewhere; they must not stop the parse.
    let options = serde_saphyr::options! {
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
        strict_booleans: true,
    };
    let doc: Vectors = serde_saphyr::from_str_with_options(&text, options).unwrap();
    let vectors: Vec<Vector> = doc
        .conditions
        .into_iter()
        .filter(|c| c.provider_response.is_some() && matches!(c.provider.as_str(), "web" | "datadog-v1" | "datadog-v2"))
        .collect();
    assert!(vectors.len() >= 20, "only {} vectors", vectors.len());

    // Bodies by vector id: web at /<id>, Datadog by the query text, which is the id.
    let bodies: BTreeMap<String, String> =
        vectors.iter().filter_map(|c| Some((c.id.clone(), c.provider_response.as_ref()?.body.clone()))).collect();
    let bodies = Arc::new(bodies);
    let served = Arc::clone(&bodies);
    let server = Server::start(move |req| {
        let id = if req.path() == "/api/v2/query/scalar" {
            let body: Value = serde_json::from_str(&req.body).unwrap_or_default();
            body["data"]["attributes"]["queries"][0]["query"].as_str().unwrap_or_default().to_owned()
        } else if req.path() == "/api/v1/query" {
            let url = reqwest::Url::parse(&format!("http://x{}", req.uri)).unwrap();
            url.query_pairs().find(|(k, _)| k == "query").map(|(_, v)| v.into_owned()).unwrap_or_default()
        } else {
            req.path().trim_start_matches('/').to_owned()
        };
        served.get(&id).map_or_else(|| Reply::text(404, ""), |b| Reply::text(200, b.clone()))
    })
    .await;
    let env = vars(&[("DD_API_KEY", "a"), ("DD_APP_KEY", "b"), ("DD_ADDRESS", &server.address)]);
    let factory = BuiltinProviders::new().unwrap().with_env(env);
    let cx = RunContext::new(&AnalysisRun::default(), SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));

    let mut failures = Vec::new();
    for c in &vectors {
        let id = c.id.as_str();
        let json_path = c.provider_response.as_ref().and_then(|r| r.json_path.clone()).unwrap_or_default();
        let provider = match c.provider.as_str() {
            "web" => json!({"web": {"url": server.url(&format!("/{id}")), "jsonPath": json_path}}),
            "datadog-v1" => json!({"datadog": {"query": id}}),
            _ => json!({"datadog": {"query": id, "apiVersion": "v2"}}),
        };
        let metric: Metric = serde_json::from_value(json!({
            "name": "m", "provider": provider,
            "successCondition": c.success_condition, "failureCondition": c.failure_condition,
        }))
        .unwrap();
        let m = factory.new_provider(&cx, &metric).unwrap().run(&cx, &metric).await;
        let mut problems = Vec::new();
        if format!("{:?}", m.phase) != c.expected {
            problems.push(format!("phase {:?}, expected {}", m.phase, c.expected));
        }
        if let Some(want) = &c.error_contains
            && !m.message.contains(want.as_str())
        {
            problems.push(format!("message {:?} lacks {want:?}", m.message));
        }
        if let Some(want) = &c.measurement_value
            && &m.value != want
        {
            problems.push(format!("value {:?}, expected {want:?}", m.value));
        }
        for (k, v) in c.measurement_metadata.iter().flatten() {
            if m.metadata.get(k) != Some(v) {
                problems.push(format!("metadata {k} = {:?}, expected {v}", m.metadata.get(k)));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{id}: {}", problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{} of {} vectors differ:\n{}", failures.len(), vectors.len(), failures.join("\n"));
}
