//! A measurement through a WebAssembly plugin, beside the same measurement through native
//! code. Targets (issue 6): instantiate + one step with 1 KB in and out, p50 <= 50 us; a warm
//! step (an existing instance), p50 <= 10 us.
//!
//! The plugin is the `faulty` test fixture in its default `echo` behaviour: it decodes its
//! step input (about 1 KB, most of it `config.payload`) and answers `done` with the payload as
//! its value (about 1 KB). The native side runs the very same Rust plugin code through the
//! SDK's byte-level entry point (`guest::step_bytes`), so the difference is the sandbox:
//! instantiation, copying in and out of linear memory, and wasm instead of native code.
//!
//! * `plugin/instantiate`: `LoadedPlugin::instantiate` alone (a fresh store and instance);
//! * `plugin/instantiate+step`: `LoadedPlugin::instantiate` + `PluginInstance::step`;
//! * `plugin/warm step`: `PluginInstance::step` on one instance;
//! * `native/step`: `guest::step_bytes` + decoding the answer, as the host decodes it;
//! * `provider/run (plugin)`: `PluginProvider::run` on a tokio runtime, the whole measurement
//!   as the analyzer makes it (step input built, blocking pool, conditions evaluated).
//!
//! Criterion's median is the p50.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use augur_analysis_core::spec::{Metric, MetricProvider};
use augur_plugin_sdk::recording::Recording;
use augur_plugin_sdk::{Describe, Json, Plugin, StepInput, StepOutput, guest, json};
use augur_providers::plugin::{
    LoadedPlugin, PluginEntry, PluginProvider, PluginRuntime, ReplayExecutor, sha256_hex, testing,
};
use augur_providers::{Phase, Provider, RunContext};
use criterion::{Criterion, criterion_group, criterion_main};

/// The native twin of the fixture's `echo`.
#[derive(Default)]
struct Echo;

impl Plugin for Echo {
    fn describe(&self) -> Describe {
        Describe::default()
    }

    fn step(&self, input: StepInput) -> StepOutput {
        #[derive(serde::Deserialize)]
        struct Config {
            payload: Box<serde_json::value::RawValue>,
        }
        match input.config.parse::<Config>() {
            Ok(c) => StepOutput::Done {
                value: augur_plugin_sdk::RawJson::from_text(c.payload.get().to_string()).unwrap_or_default(),
                result_type: None,
                metadata: Default::default(),
            },
            Err(e) => StepOutput::error(e.to_string()),
        }
    }
}

/// About 900 bytes of JSON: 30 labelled samples.
fn payload() -> Json {
    let samples: Vec<Json> =
        (0..30).map(|i| json!({"pod": format!("api-{i:02}"), "rate": 0.9 + i as f64 / 1000.0})).collect();
    Json::Array(samples)
}

fn input(config: Json) -> Vec<u8> {
    let input = StepInput {
        abi: 1,
        plugin: "test/faulty".into(),
        metric: "m".into(),
        config: config.into(),
        now: "2026-01-01T00:00:00Z".into(),
        now_unix: 1_767_225_600.0,
        ..Default::default()
    };
    serde_json::to_vec(&input).expect("encodes")
}

fn bench(c: &mut Criterion) {
    let runtime = PluginRuntime::new().expect("runtime");
    let file = testing::example_plugin("faulty");
    let bytes = std::fs::read(&file).expect("built fixture");
    let entry = PluginEntry { name: "test/faulty".into(), file, sha256: sha256_hex(&bytes), ..Default::default() };
    let plugin = Arc::new(LoadedPlugin::load(&runtime, &entry).expect("loads"));
    let config = json!({ "payload": payload() });
    let input = input(config.clone());
    let answer = guest::step_bytes::<Echo>(&input);
    eprintln!("step input {} bytes, answer {} bytes", input.len(), answer.len());

    let mut g = c.benchmark_group("plugin");
    g.bench_function("instantiate", |b| b.iter(|| black_box(plugin.instantiate().expect("instantiates"))));
    g.bench_function("instantiate+step 1KB", |b| {
        b.iter(|| {
            let mut instance = plugin.instantiate().expect("instantiates");
            black_box(instance.step(0, black_box(&input)).expect("steps"))
        })
    });
    let mut warm = plugin.instantiate().expect("instantiates");
    g.bench_function("warm step 1KB", |b| b.iter(|| black_box(warm.step(0, black_box(&input)).expect("steps"))));
    g.finish();

    c.bench_function("native/step 1KB", |b| {
        b.iter(|| {
            let out = guest::step_bytes::<Echo>(black_box(&input));
            black_box(serde_json::from_slice::<StepOutput>(&out).expect("decodes"))
        })
    });

    let metric = Metric {
        name: "m".into(),
        success_condition: "len(result) == 30".into(),
        provider: MetricProvider {
            plugin: Some([("test/faulty".to_string(), config.clone())].into_iter().collect()),
            ..Default::default()
        },
        ..Default::default()
    };
    let provider =
        PluginProvider::new(plugin.clone(), Arc::new(ReplayExecutor::new(Recording::default())), config, &metric);
    let cx = RunContext {
        name: "run".into(),
        namespace: "default".into(),
        uid: "".into(),
        now: SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600),
        measurement_number: 1,
    };
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().expect("tokio");
    assert_eq!(tokio.block_on(provider.run(&cx, &metric)).phase, Phase::Successful);
    c.bench_function("provider/run (plugin) 1KB", |b| b.iter(|| black_box(tokio.block_on(provider.run(&cx, &metric)))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
