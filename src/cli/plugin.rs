//! `augur plugin`: for plugin authors and their CI.
//!
//! * `augur plugin describe PLUGIN.wasm`: loads a module as the host would (ABI version,
//!   imports, exports) and prints what it says about itself.
//! * `augur plugin test PLUGIN.wasm --config CFG.yaml --responses FILE`: runs one measurement
//!   offline, answering the plugin's requests from recorded responses, and prints each step's
//!   requests and the final value and phase. A pending answer is resumed at once, with the
//!   clock moved on by the delay it asked for.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use augur_analysis_core::Phase;
use augur_analysis_core::spec::{Measurement, Metric, MetricProvider};
use augur_plugin_sdk::StepOutput;
use augur_plugin_sdk::recording::Recording;
use augur_providers::RunContext;
use augur_providers::plugin::{LoadedPlugin, PluginProvider, PluginRuntime, ReplayExecutor, StepRecord, sha256_hex};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value as Json, json};

use super::report::exit;

#[derive(Args)]
pub struct PluginArgs {
    #[command(subcommand)]
    command: PluginCommand,
}

#[derive(Subcommand)]
enum PluginCommand {
    /// Load a plugin module and print its description (name, version, ABI, needs).
    Describe(DescribeArgs),
    /// Run one measurement of a plugin offline against recorded responses.
    Test(TestArgs),
}

#[derive(Args)]
struct DescribeArgs {
    /// The plugin module (.wasm).
    plugin: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
}

#[derive(Args)]
struct TestArgs {
    /// The plugin module (.wasm).
    plugin: PathBuf,
    /// The metric's plugin configuration (YAML or JSON): what goes under
    /// `provider.plugin.<name>`, or a whole metric (with `provider.plugin` and its conditions).
    #[arg(long, value_name = "CFG.yaml")]
    config: PathBuf,
    /// Recorded responses (YAML or JSON): `exchanges: [{request: {method, url}, response:
    /// {status, body | json | error}}]`, answered in order.
    #[arg(long, value_name = "FILE")]
    responses: PathBuf,
    /// A successCondition (overrides the metric's).
    #[arg(long, value_name = "EXPR")]
    success: Option<String>,
    /// A failureCondition (overrides the metric's).
    #[arg(long, value_name = "EXPR")]
    failure: Option<String>,
    /// The time of the measurement, Unix seconds (default: now).
    #[arg(long, value_name = "SECONDS")]
    now: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Output {
    Text,
    Json,
}

pub fn run(args: PluginArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        PluginCommand::Describe(a) => describe(a),
        PluginCommand::Test(a) => test(a),
    }
}

fn load(path: &Path) -> anyhow::Result<(PluginRuntime, Arc<LoadedPlugin>)> {
    let runtime = PluginRuntime::new().map_err(anyhow::Error::msg)?;
    let plugin = LoadedPlugin::load_unregistered(&runtime, path)?;
    Ok((runtime, Arc::new(plugin)))
}

fn describe(args: DescribeArgs) -> anyhow::Result<ExitCode> {
    let (_runtime, plugin) = load(&args.plugin)?;
    let d = plugin.describe();
    let bytes = std::fs::read(&args.plugin).with_context(|| format!("reading {}", args.plugin.display()))?;
    let sha256 = sha256_hex(&bytes);
    if args.output == Output::Json {
        let mut v = serde_json::to_value(d)?;
        v["sha256"] = json!(sha256);
        v["bytes"] = json!(bytes.len());
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("name:        {}", d.name);
    println!("version:     {}", d.version);
    println!("abi:         {}", d.abi);
    if !d.description.is_empty() {
        println!("description: {}", d.description);
    }
    println!("hosts:       {}", if d.hosts.is_empty() { "none".to_string() } else { d.hosts.join(", ") });
    let auth: Vec<String> = d.auth.iter().map(|k| format!("{k:?}").to_lowercase()).collect();
    println!("auth:        {}", if auth.is_empty() { "none".to_string() } else { auth.join(", ") });
    println!("sha256:      {sha256}");
    println!("size:        {} bytes", bytes.len());
    if !d.config_schema.is_null() {
        println!("config schema:\n{}", serde_json::to_string_pretty(&d.config_schema)?);
    }
    Ok(ExitCode::SUCCESS)
}

fn read_yaml<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_saphyr::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The metric to measure: the file's metric, or a metric around the file's configuration.
fn metric_for(plugin: &str, config: Json, args: &TestArgs) -> anyhow::Result<Metric> {
    let mut metric = match config.get("provider").and_then(|p| p.get("plugin")) {
        Some(_) => {
            let mut m: Metric =
                serde_json::from_value(config).with_context(|| format!("{}: not a metric", args.config.display()))?;
            let named = m.provider.plugin.as_ref().is_some_and(|p| p.len() == 1 && p.contains_key(plugin));
            if !named {
                bail!("{}: provider.plugin must name exactly the plugin {plugin}", args.config.display());
            }
            m.name = if m.name.is_empty() { "metric".into() } else { m.name };
            m
        }
        None => Metric {
            name: "metric".into(),
            provider: MetricProvider {
                plugin: Some([(plugin.to_string(), config)].into_iter().collect()),
                ..Default::default()
            },
            ..Default::default()
        },
    };
    if let Some(s) = &args.success {
        metric.success_condition = s.clone();
    }
    if let Some(f) = &args.failure {
        metric.failure_condition = f.clone();
    }
    Ok(metric)
}

fn test(args: TestArgs) -> anyhow::Result<ExitCode> {
    let (_runtime, plugin) = load(&args.plugin)?;
    let config: Json = read_yaml(&args.config)?;
    let recording: Recording = read_yaml(&args.responses)?;
    let metric = metric_for(plugin.name(), config, &args)?;
    let plugin_config = metric.provider.plugin.as_ref().and_then(|p| p.values().next().cloned()).unwrap_or_default();
    let replay = Arc::new(ReplayExecutor::new(recording));
    let provider = PluginProvider::new(plugin.clone(), replay.clone(), plugin_config, &metric);
    let mut now = match args.now {
        Some(s) if s.is_finite() && s >= 0.0 => SystemTime::UNIX_EPOCH + Duration::from_secs_f64(s),
        Some(s) => bail!("--now: {s} is not a Unix time"),
        None => SystemTime::now(),
    };
    let tokio = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
    let mut steps: Vec<StepRecord> = Vec::new();
    let mut previous: Option<Measurement> = None;
    // Each call takes at least one step and the host bounds steps per measurement.
    let m = loop {
        let cx = RunContext {
            name: "plugin-test".into(),
            namespace: "default".into(),
            uid: String::new().into(),
            now,
            measurement_number: 1,
        };
        let (m, records) = tokio.block_on(provider.measure_recorded(&cx, &metric, previous.take()));
        let progressed = !records.is_empty();
        steps.extend(records);
        if m.phase.is_completed() || !progressed {
            break m;
        }
        now = m.resume_at.map_or(now, |t| t.to_system()).max(now);
        previous = Some(m);
    };
    let unused = replay.remaining();
    if args.output == Output::Json {
        let out = json!({
            "plugin": plugin.name(),
            "steps": steps.iter().map(step_json).collect::<Vec<_>>(),
            "measurement": m,
            "unusedResponses": unused,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_steps(&steps);
        println!("phase:   {}", m.phase);
        if !m.value.is_empty() {
            println!("value:   {}", m.value);
        }
        if !m.message.is_empty() {
            println!("message: {}", m.message);
        }
        for (k, v) in &m.metadata {
            println!("metadata {k}: {v}");
        }
        if unused > 0 {
            println!("warning: {unused} recorded response(s) were not used");
        }
    }
    Ok(ExitCode::from(match m.phase {
        Phase::Successful => exit::SUCCESSFUL,
        Phase::Failed => exit::FAILED,
        Phase::Inconclusive => exit::INCONCLUSIVE,
        _ => exit::ERROR,
    }))
}

fn step_json(s: &StepRecord) -> Json {
    json!({
        "step": s.step,
        "output": s.output,
        "exchanges": s.exchanges.iter().map(|(req, resp)| json!({"request": req, "response": resp})).collect::<Vec<_>>(),
    })
}

fn print_steps(steps: &[StepRecord]) {
    for s in steps {
        let what = match &s.output {
            None => "failed".to_string(),
            Some(StepOutput::Requests { requests, .. }) => format!("{} request(s)", requests.len()),
            Some(StepOutput::Pending { resume_after_ms, .. }) => format!("pending, resume after {resume_after_ms} ms"),
            Some(StepOutput::Done { value, result_type, .. }) => {
                format!("done: {value}{}", result_type.as_deref().map(|t| format!(" ({t})")).unwrap_or_default())
            }
            Some(StepOutput::Error { message }) => format!("error: {message}"),
        };
        println!("step {}: {what}", s.step);
        for (req, resp) in &s.exchanges {
            println!("  {} {}", req.method_or_default(), req.url);
            if !req.body.is_empty() {
                println!("    body: {}", req.body);
            }
            match &resp.error {
                Some(e) => println!("    -> error: {e}"),
                None => println!("    -> {} ({} bytes)", resp.status, resp.body.len()),
            }
        }
    }
}
