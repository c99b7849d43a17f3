//! `augur rollout simulate`: steps a Rollout's new revision through Argo's step engine on
//! virtual time, with its analyses run against recorded data.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use augur_analysis_core::go::duration::{format_duration, parse_duration};
use augur_analysis_core::spec::{AnalysisTemplateRef, Document, Located, load_yaml};
use augur_analysis_core::template::TemplateSet;
use augur_controller::rollout::{Rollout, pod_template_hash, validate::validate};
use augur_controller::sim::{AnalysisMode, Cluster, Outcome, Plan, SimConfig, TimelineEntry};
use clap::{Args, Subcommand, ValueEnum};

use super::replay::{load_data, start_time};
use super::report::exit;

#[derive(Args)]
pub struct RolloutArgs {
    #[command(subcommand)]
    command: RolloutCommand,
}

#[derive(Subcommand)]
enum RolloutCommand {
    /// Simulate a Rollout's update on virtual time: steps, replicas, traffic and analysis.
    Simulate(SimulateArgs),
}

/// Output formats of `augur rollout simulate`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SimOutput {
    /// A timeline table.
    Table,
    /// `{"status": <final Rollout status>, "timeline": [...]}`.
    Json,
}

#[derive(Args)]
pub struct SimulateArgs {
    /// The Rollout (its file may also hold AnalysisTemplates: multi-document YAML).
    #[arg(value_name = "ROLLOUT.yaml")]
    rollout: PathBuf,
    /// Files with the AnalysisTemplates / ClusterAnalysisTemplates the Rollout uses.
    #[arg(value_name = "TEMPLATE.yaml")]
    templates: Vec<PathBuf>,
    /// Recorded provider results for the analyses (see `augur replay`); needed only when the
    /// Rollout runs analysis.
    #[arg(long, value_name = "DATA.yaml")]
    data: Option<PathBuf>,
    /// Play the human: promote every pause that waits for a promotion after this long
    /// (a Go duration: `30s`, `5m`).
    #[arg(long, value_name = "DURATION")]
    promote_after: Option<String>,
    /// How long new pods take to become available (a Go duration).
    #[arg(long, value_name = "DURATION", default_value = "0s")]
    pod_ready: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SimOutput::Table)]
    output: SimOutput,
    /// The virtual start time (RFC 3339); the current time by default.
    #[arg(long, value_name = "TIME")]
    start: Option<String>,
}

pub fn run(args: RolloutArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        RolloutCommand::Simulate(a) => simulate(a),
    }
}

/// A Go duration flag.
pub fn duration_flag(flag: &str, s: &str) -> anyhow::Result<Duration> {
    let ns = parse_duration(s).map_err(|e| anyhow::anyhow!("--{flag} {s:?}: {e}"))?;
    if ns < 0 {
        bail!("--{flag} {s:?}: must not be negative");
    }
    Ok(Duration::from_nanos(ns as u64))
}

/// The Rollout and the templates found in `files` (the Rollout's own file first).
pub struct Inputs {
    /// The Rollout with its source map.
    pub rollout: Located<Rollout>,
    /// Every template given.
    pub templates: TemplateSet,
}

/// Reads the Rollout and the templates.
pub fn load_inputs(rollout_file: &Path, template_files: &[PathBuf]) -> anyhow::Result<Inputs> {
    let mut set = TemplateSet::new("default");
    let mut rollouts = Vec::new();
    for file in std::iter::once(&rollout_file.to_path_buf()).chain(template_files) {
        let origin = file.display().to_string();
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {origin}"))?;
        load_text(&origin, &text, &mut set, &mut rollouts)?;
    }
    let rollout = match rollouts.len() {
        1 => rollouts.remove(0),
        0 => bail!("no Rollout (argoproj.io/v1alpha1) in {}", rollout_file.display()),
        n => bail!("{n} Rollouts in the files given; simulate one at a time"),
    };
    Ok(Inputs { rollout, templates: set })
}

/// Adds the documents of one YAML text: Rollouts to `rollouts`, templates to `set`.
pub fn load_text(
    origin: &str,
    text: &str,
    set: &mut TemplateSet,
    rollouts: &mut Vec<Located<Rollout>>,
) -> anyhow::Result<()> {
    for doc in load_yaml(origin, text)? {
        if doc.top_level_str("kind") == Some("Rollout") {
            rollouts.push(doc.into_located::<Rollout>()?);
        } else {
            let d = doc.into_document()?;
            if matches!(d, Document::AnalysisTemplate(_) | Document::ClusterAnalysisTemplate(_)) {
                set.insert_document(d);
            }
        }
    }
    Ok(())
}

/// Every template reference of a Rollout with its field path.
pub fn template_refs(ro: &Rollout) -> Vec<(String, AnalysisTemplateRef)> {
    ro.analyses()
        .into_iter()
        .flat_map(|(path, a)| {
            a.templates.iter().enumerate().map(move |(j, t)| (format!("{path}.templates[{j}]"), t.clone()))
        })
        .collect()
}

/// Argo's validation and the references the simulation needs, as `file:line:col` errors.
pub fn check_inputs(inputs: &Inputs) -> anyhow::Result<()> {
    let ro = &inputs.rollout;
    if let Some(e) = validate(&ro.value).first() {
        let (line, col) = ro.position(&e.path);
        bail!("{}:{line}:{col}: {e}", ro.origin);
    }
    for (path, r) in template_refs(&ro.value) {
        let found = if r.cluster_scope {
            inputs.templates.cluster_template(&r.template_name).is_some()
        } else {
            inputs.templates.template(inputs.templates.namespace(), &r.template_name).is_some()
        };
        if !found {
            let (line, col) = ro.position(&path);
            let kind = if r.cluster_scope { "ClusterAnalysisTemplate" } else { "AnalysisTemplate" };
            bail!(
                "{}:{line}:{col}: {path}: {kind} {:?} was not given (pass the file that defines it)",
                ro.origin,
                r.template_name
            );
        }
    }
    Ok(())
}

/// The revision hashes of a simulation: the previous revision's and the file's.
pub fn revisions(ro: &Rollout) -> (String, String) {
    let new = pod_template_hash(ro.spec.template.as_ref());
    let mut previous = pod_template_hash(Some(&serde_json::json!({ "previous": ro.spec.template })));
    if previous == new {
        previous.push('0');
    }
    (previous, new)
}

/// A cluster running `previous` fully, ready for the update.
pub fn stable_cluster(
    ro: Rollout,
    templates: TemplateSet,
    data: augur_analysis_core::replay::ReplayData,
    pod_ready: Duration,
    start: SystemTime,
    previous: &str,
) -> anyhow::Result<Cluster> {
    let mode = AnalysisMode::Replay { templates: Box::new(templates), data: Box::new(data) };
    let config = SimConfig { ready_after: pod_ready, ..Default::default() };
    let mut cluster = Cluster::new(ro, mode, config, start);
    cluster.deploy_initial(previous)?;
    cluster.restart_clock();
    Ok(cluster)
}

/// Exit code and words for an outcome.
pub fn outcome_code(outcome: &Outcome) -> (u8, String) {
    match outcome {
        Outcome::Healthy => (0, "Healthy: fully promoted".into()),
        Outcome::Degraded { message } => (1, format!("Degraded: {message}")),
        Outcome::WaitingForHuman { reason } => (4, format!("Paused, waiting for a promotion ({reason})")),
        Outcome::DataRanOut { metric } => (exit::DATA_RAN_OUT, format!("the data for metric {metric:?} ran out")),
        Outcome::Stalled { message } => (1, format!("stalled: {message}")),
    }
}

fn simulate(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let promote_after = args.promote_after.as_deref().map(|s| duration_flag("promote-after", s)).transpose()?;
    let pod_ready = duration_flag("pod-ready", &args.pod_ready)?;
    let inputs = load_inputs(&args.rollout, &args.templates)?;
    check_inputs(&inputs)?;
    let refs = template_refs(&inputs.rollout.value);
    let data = match (&args.data, refs.first()) {
        (Some(path), _) => load_data(path)?,
        (None, Some((path, r))) => {
            bail!("{path} runs AnalysisTemplate {:?}: --data DATA.yaml is needed to simulate it", r.template_name)
        }
        (None, None) => Default::default(),
    };
    let start = start_time(args.start.as_deref())?;
    let ro = inputs.rollout.value;
    let (previous, new) = revisions(&ro);
    let mut cluster = stable_cluster(ro, inputs.templates, data, pod_ready, start, &previous)?;
    let table = args.output == SimOutput::Table;
    let mut out = std::io::stdout().lock();
    if table {
        writeln!(out, "{}", header())?;
    }
    let outcome = cluster
        .run_release(&new, Plan { promote_after }, |e| {
            if table {
                let _ = writeln!(out, "{}", row(e));
            }
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (code, words) = outcome_code(&outcome);
    if table {
        writeln!(out, "\nrollout: {words}  ({} of virtual time)", virtual_time(&cluster))?;
    } else {
        #[derive(serde::Serialize)]
        struct Report<'a> {
            status: &'a augur_controller::RolloutStatus,
            timeline: &'a [TimelineEntry],
        }
        let doc = Report { status: &cluster.rollout.status, timeline: &cluster.timeline };
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        if code != 0 {
            eprintln!("rollout: {words}");
        }
    }
    Ok(ExitCode::from(code))
}

/// The virtual time of the release's last change, as a Go duration.
pub fn virtual_time(cluster: &Cluster) -> String {
    let at = cluster.timeline.last().map_or(Duration::ZERO, |e| e.at);
    format_duration(Duration::from_secs(at.as_secs()).as_nanos() as i64)
}

/// The table header.
pub fn header() -> String {
    format!(
        "{:<8} {:<26} {:>7} {:>7} {:>9} {:<18} {:<12} {}",
        "TIME", "STEP", "CANARY", "STABLE", "WEIGHT", "ANALYSIS", "PHASE", "MESSAGE"
    )
}

/// One timeline row.
pub fn row(e: &TimelineEntry) -> String {
    let s = &e.snapshot;
    let step = match s.step {
        Some(i) if s.steps > 0 && i < s.steps => format!("{}/{} {}", i + 1, s.steps, s.step_name),
        Some(i) if s.steps > 0 => format!("{i}/{} done", s.steps),
        _ => "-".into(),
    };
    let canary = if s.canary_available == s.canary_replicas {
        s.canary_replicas.to_string()
    } else {
        format!("{}/{}", s.canary_available, s.canary_replicas)
    };
    let weight = match (s.canary_weight, s.stable_weight) {
        (Some(c), Some(st)) => format!("{c}/{st}"),
        _ => "-".into(),
    };
    let mut analysis = s.analysis.join(",");
    if !s.routes.is_empty() {
        analysis = format!("{analysis} routes={}", s.routes.join("+"));
    }
    if analysis.is_empty() {
        analysis = "-".into();
    }
    let phase = s.phase.map_or("-", |p| p.as_str());
    let time = format_duration(Duration::from_secs(e.at.as_secs()).as_nanos() as i64);
    format!(
        "{:<8} {:<26} {:>7} {:>7} {:>9} {:<18} {:<12} {}",
        time,
        step,
        canary,
        s.stable_replicas + s.other_replicas,
        weight,
        analysis,
        phase,
        s.message
    )
}
