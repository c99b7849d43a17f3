//! `augur run`: runs templates live, in real time, against the real providers.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use augur_analysis_core::replay::ReplayData;
use augur_analysis_core::spec::AnalysisRun;
use augur_analysis_core::template::{StaticSecrets, resolve_args_with_secrets};
use augur_providers::job::JobSettings;
use augur_providers::plugin::{PluginHost, PluginRuntime, Registry, ReqwestExecutor};
use augur_providers::{Analyzer, AnalyzerOptions, BuiltinProviders, DataRecorder};
use clap::Args;

use super::progress::Progress;
use super::replay::{build_run, parse_args};
use super::report::{self, Output};

#[derive(Args)]
pub struct RunArgs {
    /// Files with AnalysisTemplates / ClusterAnalysisTemplates (one run from all of them) or
    /// one AnalysisRun.
    #[arg(required = true, value_name = "TEMPLATE.yaml")]
    templates: Vec<PathBuf>,
    /// A template argument, `name=value` (repeatable).
    #[arg(long = "arg", value_name = "NAME=VALUE")]
    args: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Table)]
    output: Output,
    /// Write every provider result to this file, in `augur replay`'s DATA format.
    #[arg(long, value_name = "DATA.yaml")]
    record: Option<PathBuf>,
    /// Kubernetes Secret manifests for secret-backed arguments (`valueFrom.secretKeyRef`).
    #[arg(long, value_name = "SECRETS.yaml")]
    secrets: Option<PathBuf>,
    /// The run's namespace (where secrets are looked up and Jobs are created).
    #[arg(long, short = 'n', default_value = "default")]
    namespace: String,
    /// Run Job metrics as local processes (the pod's first container's command, args and
    /// env) instead of Kubernetes Jobs. This runs commands from the template on this machine.
    #[arg(long)]
    local_jobs: bool,
    /// The WebAssembly plugin registry (name -> file, sha256, allowed hosts, auth, limits) for
    /// metrics with `provider.plugin`.
    #[arg(long, value_name = "REGISTRY.yaml")]
    plugins: Option<PathBuf>,
}

/// Loads the plugin registry and its plugins (checksums verified, modules compiled once).
fn plugin_host(path: &Path) -> anyhow::Result<Arc<PluginHost>> {
    let registry = Registry::load(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let runtime = PluginRuntime::new().map_err(anyhow::Error::msg)?;
    let http = ReqwestExecutor::new().map_err(anyhow::Error::msg)?;
    let host = PluginHost::new(&runtime, &registry, Arc::new(http));
    for (name, e) in host.load_errors() {
        eprintln!("warning: plugin {name} is unavailable: {e}");
    }
    Ok(Arc::new(host))
}

/// A run identity for providers that name things after it (the Job provider): a version-4
/// style UUID from the clock and the process id.
fn run_uid() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mix = |mut z: u64| {
        // splitmix64's finalizer: spreads every input bit over the output.
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let (hi, lo) =
        (mix(nanos as u64), mix((nanos >> 64) as u64 ^ u64::from(std::process::id()) ^ 0x9e37_79b9_7f4a_7c15));
    let hex = format!("{hi:016x}{lo:016x}");
    format!("{}-{}-4{}-a{}-{}", &hex[0..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
}

/// Prepares a live run of the files: the run (with its namespace and uid) and the secrets.
pub fn prepare(
    templates: &[PathBuf],
    args: &[String],
    secrets: Option<&Path>,
    namespace: &str,
    name: &str,
) -> anyhow::Result<(AnalysisRun, StaticSecrets)> {
    let mut run = build_run(templates, parse_args(args)?, name)?;
    if run.metadata.namespace.is_none() {
        run.metadata.namespace = Some(namespace.to_string());
    }
    if run.metadata.uid.is_none() {
        run.metadata.uid = Some(run_uid());
    }
    let secrets = match secrets {
        Some(path) => super::secrets::load(path, namespace)?,
        None => StaticSecrets::new(),
    };
    Ok((run, secrets))
}

/// Writes recorded data as YAML.
pub fn write_data(path: &Path, data: &ReplayData) -> anyhow::Result<()> {
    let yaml = serde_saphyr::to_string(data).map_err(|e| anyhow::anyhow!("cannot encode recorded data: {e}"))?;
    std::fs::write(path, yaml).with_context(|| format!("cannot write {}", path.display()))
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let (run, secrets) = prepare(&args.templates, &args.args, args.secrets.as_deref(), &args.namespace, "augur-run")?;
    // Secret values are redacted from what is recorded, as from messages.
    let resolved_args = resolve_args_with_secrets(&run, &secrets).unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let recorder = args.record.as_ref().map(|_| Arc::new(DataRecorder::new(resolved_args)));
    let finished = runtime.block_on(async {
        // The same Secrets serve secret-backed arguments and providers (Datadog's secretRef).
        let secrets = Arc::new(secrets);
        // The run is not an object in the cluster: a Job owned by it would be deleted by
        // Kubernetes' garbage collector at once.
        let mut factory = BuiltinProviders::new()?
            .with_secrets(secrets.clone())
            .with_job_settings(JobSettings { owner_references: false, ..JobSettings::from_env() })
            .with_local_jobs(args.local_jobs);
        if let Some(path) = &args.plugins {
            factory = factory.with_plugins(plugin_host(path)?);
        }
        if let Some(r) = &recorder {
            factory = factory.with_recorder(r.clone());
        }
        let analyzer = Analyzer::new(Arc::new(factory), secrets, AnalyzerOptions::default());
        let progress = Progress::new(&run);
        let handle = analyzer.start(run);
        let mut status = handle.status();
        let mut interrupted = false;
        loop {
            tokio::select! {
                changed = status.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    progress.update(&status.borrow_and_update());
                }
                _ = tokio::signal::ctrl_c(), if !interrupted => {
                    // Ctrl-C is Argo's `terminate`: in-flight measurements are terminated and
                    // the run completes with what it has.
                    interrupted = true;
                    eprintln!("interrupted: terminating the run");
                    handle.terminate();
                }
            }
        }
        let finished = handle.wait().await;
        progress.finish(&finished);
        anyhow::Ok(finished)
    })?;
    if let (Some(path), Some(recorder)) = (&args.record, &recorder) {
        write_data(path, &recorder.data())?;
    }
    println!("{}", report::render(&finished, args.output, "")?);
    Ok(report::exit_code(&finished))
}
