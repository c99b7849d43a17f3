//! The Prometheus provider's overhead over a raw HTTP request for the same query, against
//! a real Prometheus (Debian's package) on 127.0.0.1.
//!
//! * `raw_get`: one `GET /api/v1/query?query=…&time=…` with reqwest, body read: the least
//!   a client can do.
//! * `raw_post`: the same parameters as a form `POST`, which is what Argo (client_golang)
//!   sends and so what the provider sends.
//! * `provider_measurement`: what Augur does per measurement, as Argo does: build the
//!   provider from the metric (`ProviderFactory::new_provider`), `POST` the query under its
//!   deadline, decode the response, apply the success condition, produce the measurement.
//!
//! Before criterion's runs, 1,000 queries of each kind, interleaved, give p50s and the ratio
//! the target is about (provider measurement / raw GET ≤ 1.2).

#[path = "../tests/support/prometheus_server.rs"]
mod prometheus_server;

use std::time::{Duration, Instant, UNIX_EPOCH};

use augur_analysis_core::spec::{AnalysisRun, Metric, MetricProvider, PrometheusMetric};
use augur_providers::{BuiltinProviders, ProviderFactory, RunContext};
use criterion::{Criterion, criterion_group, criterion_main};
use prometheus_server::{PrometheusServer, T0, standard_series};

const QUERY: &str = r#"augur_success_rate{service="payments"}"#;
const QUERY_ENCODED: &str = "augur_success_rate%7Bservice%3D%22payments%22%7D";

struct Setup {
    runtime: tokio::runtime::Runtime,
    factory: BuiltinProviders,
    client: reqwest::Client,
    metric: Metric,
    url: String,
    params: String,
    cx: RunContext,
    _server: PrometheusServer,
}

impl Setup {
    fn new() -> Option<Setup> {
        let server = PrometheusServer::start(&standard_series())?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
        let factory = BuiltinProviders::new().ok()?;
        let client = factory.http().client(false).clone();
        let at = T0 + 600;
        let metric = Metric {
            name: "success-rate".into(),
            success_condition: "result[0] >= 0.95".into(),
            provider: MetricProvider {
                prometheus: Some(Box::new(PrometheusMetric {
                    address: server.address.clone(),
                    query: QUERY.into(),
                    ..Default::default()
                })),
                ..Default::default()
            },
            ..Default::default()
        };
        let cx = RunContext::new(&AnalysisRun::default(), UNIX_EPOCH + Duration::from_secs(at.unsigned_abs()));
        Some(Setup {
            runtime,
            factory,
            client,
            metric,
            url: format!("{}/api/v1/query", server.address),
            params: format!("query={QUERY_ENCODED}&time={at}"),
            cx,
            _server: server,
        })
    }

    fn raw_get(&self) -> usize {
        self.runtime.block_on(async {
            let response = self.client.get(format!("{}?{}", self.url, self.params)).send().await.expect("raw GET");
            response.bytes().await.expect("body").len()
        })
    }

    fn raw_post(&self) -> usize {
        self.runtime.block_on(async {
            let response = self
                .client
                .post(&self.url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(self.params.clone())
                .send()
                .await
                .expect("raw POST");
            response.bytes().await.expect("body").len()
        })
    }

    fn measurement(&self) -> String {
        self.runtime.block_on(async {
            let Ok(p) = self.factory.new_provider(&self.cx, &self.metric) else { panic!("provider") };
            p.run(&self.cx, &self.metric).await.value
        })
    }
}

fn p50(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn bench(c: &mut Criterion) {
    let Some(setup) = Setup::new() else {
        eprintln!("prometheus is not installed: skipping the Prometheus provider benchmark");
        return;
    };
    assert_eq!(setup.measurement(), "[0.97]");
    // Warm the connection pool and Prometheus.
    for _ in 0..100 {
        setup.raw_get();
        setup.raw_post();
        setup.measurement();
    }
    let (mut get, mut post, mut provider) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..1000 {
        let t = Instant::now();
        setup.raw_get();
        get.push(t.elapsed());
        let t = Instant::now();
        setup.raw_post();
        post.push(t.elapsed());
        let t = Instant::now();
        setup.measurement();
        provider.push(t.elapsed());
    }
    let (get, post, provider) = (p50(get), p50(post), p50(provider));
    eprintln!(
        "1,000 queries each, p50: raw GET {get:?}, raw POST {post:?}, provider measurement {provider:?}; \
         provider/GET {:.3} (target <= 1.2), provider/POST {:.3}",
        provider.as_secs_f64() / get.as_secs_f64(),
        provider.as_secs_f64() / post.as_secs_f64()
    );

    let mut group = c.benchmark_group("prometheus");
    group.bench_function("raw_get", |b| b.iter(|| setup.raw_get()));
    group.bench_function("raw_post", |b| b.iter(|| setup.raw_post()));
    group.bench_function("provider_measurement", |b| b.iter(|| setup.measurement()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
