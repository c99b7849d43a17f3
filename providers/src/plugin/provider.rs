//! Plugins as [`Provider`]s: [`PluginHost`] is the [`ProviderFactory`] for metrics with
//! `provider.plugin: {"org/name": {...}}`, and [`PluginProvider`] turns a plugin's answer
//! into a [`Measurement`].
//!
//! The engine, not the plugin, decides the phase: a `done` value goes through the same
//! typing, rendering and condition evaluation as a recorded result
//! ([`augur_analysis_core::replay::measure_with`]), so plugins share the NaN, empty-result and
//! limit semantics of the built-in providers. A `pending` answer is an in-flight measurement
//! (phase Running, `resumeAt`) whose resume point is kept in its metadata under
//! [`RESUME_KEY`]. Failures are Error measurements with Argo's plugin prefixes
//! (`failed to run via plugin: `, `failed to resume via plugin: `).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use augur_analysis_core::expr::{ElemType, List, Value};
use augur_analysis_core::replay::{RecordedMeasurement, measure_with};
use augur_analysis_core::spec::{Measurement, Metric, Time};
use augur_analysis_core::{Conditions, Phase, ResultType};
use augur_plugin_sdk::{Call, Json, RawJson, RunInfo, StepInput};

use super::driver::{Outcome, ResumeState, StepRecord, drive};
use super::error::PluginError;
use super::http::HttpExecutor;
use super::loaded::LoadedPlugin;
use super::registry::Registry;
use super::runtime::PluginRuntime;
use crate::provider::{Provider, ProviderError, ProviderFactory, RunContext};
use crate::record::Recorder;

/// The metadata key of a pending measurement's resume point (JSON [`ResumeState`]).
pub const RESUME_KEY: &str = "augur.dev/plugin-resume";

/// Argo's provider type of plugins (concurrency limits are per type).
pub const PLUGIN_TYPE: &str = "RPCPlugin";

/// The loaded plugins and the HTTP executor they share: the factory of plugin providers.
pub struct PluginHost {
    plugins: BTreeMap<String, Arc<LoadedPlugin>>,
    /// Plugins of the registry that failed to load: their metrics get Error measurements
    /// naming the cause, and the other plugins keep working.
    failed: BTreeMap<String, PluginError>,
    http: Arc<dyn HttpExecutor>,
}

impl std::fmt::Debug for PluginHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginHost").field("plugins", &self.plugins.keys()).finish_non_exhaustive()
    }
}

impl PluginHost {
    /// Loads every plugin of `registry` (verifying checksums). A plugin that fails to load
    /// is kept as its error ([`PluginHost::load_errors`]): unlike Argo, whose controller stops
    /// when a plugin cannot be installed, one bad module does not take the others down.
    pub fn new(runtime: &PluginRuntime, registry: &Registry, http: Arc<dyn HttpExecutor>) -> PluginHost {
        let (mut plugins, mut failed) = (BTreeMap::new(), BTreeMap::new());
        for entry in &registry.plugins {
            match LoadedPlugin::load(runtime, entry) {
                Ok(p) => {
                    plugins.insert(entry.name.clone(), Arc::new(p));
                }
                Err(e) => {
                    tracing::error!(plugin = %entry.name, "{e}");
                    failed.insert(entry.name.clone(), e);
                }
            }
        }
        PluginHost { plugins, failed, http }
    }

    /// A host of already loaded plugins.
    pub fn from_plugins(
        plugins: impl IntoIterator<Item = Arc<LoadedPlugin>>,
        http: Arc<dyn HttpExecutor>,
    ) -> PluginHost {
        let plugins = plugins.into_iter().map(|p| (p.name().to_string(), p)).collect();
        PluginHost { plugins, failed: BTreeMap::new(), http }
    }

    /// The plugins that failed to load, by name.
    pub fn load_errors(&self) -> &BTreeMap<String, PluginError> {
        &self.failed
    }

    /// A plugin by name.
    pub fn plugin(&self, name: &str) -> Option<&Arc<LoadedPlugin>> {
        self.plugins.get(name)
    }

    /// The provider for the plugin named in `metric` (`provider.plugin`, exactly one key).
    pub fn provider(&self, metric: &Metric) -> Result<PluginProvider, ProviderError> {
        let Some(map) = metric.provider.plugin.as_ref().filter(|m| m.len() == 1) else {
            return Err(ProviderError::NoValidProvider { metric: metric.name.clone() });
        };
        let (name, config) =
            map.iter().next().ok_or_else(|| ProviderError::NoValidProvider { metric: metric.name.clone() })?;
        let Some(plugin) = self.plugins.get(name) else {
            let e = self.failed.get(name).cloned().unwrap_or(PluginError::NotConfigured { plugin: name.clone() });
            return Err(ProviderError::Plugin(e.to_string()));
        };
        Ok(PluginProvider::new(plugin.clone(), self.http.clone(), config.clone(), metric))
    }
}

impl ProviderFactory for PluginHost {
    fn new_provider(&self, _cx: &RunContext, metric: &Metric) -> Result<Arc<dyn Provider>, ProviderError> {
        Ok(Arc::new(self.provider(metric)?))
    }
}

/// One plugin measuring one metric.
pub struct PluginProvider {
    plugin: Arc<LoadedPlugin>,
    http: Arc<dyn HttpExecutor>,
    /// Encoded once: every step hands it to the plugin as text.
    config: RawJson,
    conditions: Conditions,
    /// Receives the plugin's final answers (`augur run --record`).
    recorder: Option<Arc<dyn Recorder>>,
}

impl PluginProvider {
    /// The provider of `metric` through `plugin`, with the metric's plugin configuration.
    pub fn new(
        plugin: Arc<LoadedPlugin>,
        http: Arc<dyn HttpExecutor>,
        config: Json,
        metric: &Metric,
    ) -> PluginProvider {
        let conditions = Conditions::new(&metric.success_condition, &metric.failure_condition);
        PluginProvider { plugin, http, config: RawJson::from_value(&config), conditions, recorder: None }
    }

    /// Records every final answer (a value or an error) with `recorder`, in replay's DATA
    /// format; a replay then measures the value with the metric's conditions as the plugin
    /// host does.
    pub fn with_recorder(mut self, recorder: Option<Arc<dyn Recorder>>) -> PluginProvider {
        self.recorder = recorder;
        self
    }

    fn record(&self, cx: &RunContext, metric: &Metric, result_type: Option<ResultType>, entry: RecordedMeasurement) {
        if let Some(r) = &self.recorder {
            r.record(cx, &metric.name, result_type, entry);
        }
    }

    fn input(&self, cx: &RunContext, metric: &Metric, call: Call, resume: ResumeState) -> StepInput {
        StepInput {
            abi: augur_plugin_sdk::ABI_VERSION,
            plugin: self.plugin.name().to_string(),
            metric: metric.name.clone(),
            config: self.config.clone(),
            run: RunInfo { name: cx.name.to_string(), namespace: cx.namespace.to_string(), uid: cx.uid.to_string() },
            call,
            now: Time::from_system(cx.now).to_string(),
            now_unix: cx.now.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64()),
            step: resume.step,
            state: resume.state,
            responses: Vec::new(),
        }
    }

    /// Runs one call and also returns its steps (for `augur plugin test`).
    pub async fn measure_recorded(
        &self,
        cx: &RunContext,
        metric: &Metric,
        previous: Option<Measurement>,
    ) -> (Measurement, Vec<StepRecord>) {
        let mut records = Vec::new();
        let m = self.call(cx, metric, previous, Some(&mut records)).await;
        (m, records)
    }

    async fn call(
        &self,
        cx: &RunContext,
        metric: &Metric,
        previous: Option<Measurement>,
        records: Option<&mut Vec<StepRecord>>,
    ) -> Measurement {
        let now = Some(Time::from_system(cx.now));
        let (call, verb, mut m) = match previous {
            None => (Call::Run, "run", Measurement { started_at: now, ..Default::default() }),
            Some(m) => (Call::Resume, "resume", m),
        };
        let resume = if call == Call::Resume {
            match m.metadata.get(RESUME_KEY).map(|s| serde_json::from_str::<ResumeState>(s)) {
                Some(Ok(r)) => r,
                Some(Err(e)) => {
                    let e = PluginError::Resume {
                        plugin: self.plugin.name().into(),
                        message: format!("{RESUME_KEY}: {e}"),
                    };
                    return failed(m, verb, &e, cx.now);
                }
                None => {
                    let message = format!("the measurement has no {RESUME_KEY} metadata");
                    return failed(
                        m,
                        verb,
                        &PluginError::Resume { plugin: self.plugin.name().into(), message },
                        cx.now,
                    );
                }
            }
        } else {
            ResumeState::default()
        };
        let input = self.input(cx, metric, call, resume);
        match drive(&self.plugin, &*self.http, input, records).await {
            Outcome::Done { value, result_type, metadata } => {
                m.metadata.remove(RESUME_KEY);
                let started = m.started_at;
                let mut done = match self.answer(value, result_type.as_deref(), cx.now) {
                    Ok((result_type, entry)) => {
                        let done = measure_with(&self.conditions, result_type, &entry, cx.now);
                        self.record(cx, metric, result_type, entry);
                        done
                    }
                    Err(unknown_type) => unknown_type,
                };
                done.started_at = started.or(done.started_at);
                let mut all = std::mem::take(&mut m.metadata);
                all.extend(metadata);
                all.extend(std::mem::take(&mut done.metadata));
                done.metadata = all;
                if done.phase == Phase::Error {
                    done.message =
                        format!("failed to {verb} via plugin: plugin {}: {}", self.plugin.name(), done.message);
                }
                done
            }
            Outcome::Pending { resume_after, resume } => {
                m.phase = Phase::Running;
                m.finished_at = None;
                m.resume_at = Some(Time::from_system(cx.now + resume_after));
                let text = serde_json::to_string(&resume).unwrap_or_default();
                m.metadata.insert(RESUME_KEY.to_string(), text);
                m
            }
            Outcome::Failed(e) => {
                let m = failed(m, verb, &e, cx.now);
                self.record(
                    cx,
                    metric,
                    None,
                    RecordedMeasurement { error: Some(m.message.clone()), ..Default::default() },
                );
                m
            }
        }
    }

    /// The measurement the engine makes of a `done` value.
    pub fn evaluate(&self, value: RawJson, result_type: Option<&str>, now: SystemTime) -> Measurement {
        match self.answer(value, result_type, now) {
            Ok((result_type, entry)) => measure_with(&self.conditions, result_type, &entry, now),
            Err(unknown_type) => unknown_type,
        }
    }

    /// A `done` value as the engine's answer (`Err`: the Error measurement of an unknown
    /// result type).
    fn answer(
        &self,
        value: RawJson,
        result_type: Option<&str>,
        now: SystemTime,
    ) -> Result<(Option<ResultType>, RecordedMeasurement), Measurement> {
        let result_type = match result_type.map(|n| (n, ResultType::from_name(n))) {
            None => None,
            Some((_, Some(t))) => Some(t),
            Some((n, None)) => {
                let at = Some(Time::from_system(now));
                return Err(Measurement {
                    phase: Phase::Error,
                    message: format!("unknown resultType {n:?} (expected one of {})", ResultType::NAMES.join(", ")),
                    started_at: at,
                    finished_at: at,
                    ..Default::default()
                });
            }
        };
        // Straight from the text into the engine's value (Go's `interface {}` decoding).
        let mut value = serde_json::from_str::<Value>(value.get()).unwrap_or(Value::Nil);
        if matches!(result_type, Some(ResultType::Number | ResultType::NumberList)) {
            value = special_floats(value);
        }
        Ok((result_type, RecordedMeasurement { value: Some(value), ..Default::default() }))
    }
}

fn failed(mut m: Measurement, verb: &str, e: &PluginError, now: SystemTime) -> Measurement {
    m.phase = Phase::Error;
    m.message = format!("failed to {verb} via plugin: {e}");
    m.finished_at = Some(Time::from_system(now));
    m.resume_at = None;
    m.value.clear();
    m.metadata.remove(RESUME_KEY);
    m
}

/// JSON has no NaN or infinities: ABI v1 sends them as the strings `"NaN"`, `"+Inf"`,
/// `"-Inf"` (`"Inf"` too) in `number` and `number_list` results.
fn special_floats(v: Value) -> Value {
    let special = |v: &Value| match v {
        Value::String(s) => match &**s {
            "NaN" => Some(f64::NAN),
            "+Inf" | "Inf" => Some(f64::INFINITY),
            "-Inf" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    };
    match v {
        Value::String(_) => special(&v).map_or(v, Value::Float),
        Value::List(l) if l.items.iter().any(|i| special(i).is_some()) => {
            let items = l.items.iter().map(|i| special(i).map_or_else(|| i.clone(), Value::Float)).collect();
            Value::List(Arc::new(List { elem: ElemType::Any, items }))
        }
        other => other,
    }
}

#[async_trait]
impl Provider for PluginProvider {
    fn type_name(&self) -> &str {
        PLUGIN_TYPE
    }

    async fn run(&self, cx: &RunContext, metric: &Metric) -> Measurement {
        self.call(cx, metric, None, None).await
    }

    async fn resume(&self, cx: &RunContext, metric: &Metric, m: Measurement) -> Measurement {
        if m.phase.is_completed() || !m.metadata.contains_key(RESUME_KEY) {
            return m;
        }
        self.call(cx, metric, Some(m), None).await
    }
}
