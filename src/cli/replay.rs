//! `augur replay`: runs templates on virtual time against recorded provider results.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use augur_analysis_core::replay::{self, DataCursor, ReplayData, ReplayEnd};
use augur_analysis_core::spec::{AnalysisRun, Argument, Document, Time, load_documents};
use augur_analysis_core::template::{TemplateSet, new_analysis_run};
use clap::Args;

use super::report::{self, Output, exit};

#[derive(Args)]
pub struct ReplayArgs {
    /// Files with AnalysisTemplates / ClusterAnalysisTemplates (all of them form one run, as a
    /// Rollout's analysis with several templates does) or one AnalysisRun.
    #[arg(required = true, value_name = "TEMPLATE.yaml")]
    templates: Vec<PathBuf>,
    /// Recorded provider results (see the README).
    #[arg(long, value_name = "DATA.yaml")]
    data: PathBuf,
    /// A template argument, `name=value` (repeatable).
    #[arg(long = "arg", value_name = "NAME=VALUE")]
    args: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Table)]
    output: Output,
    /// The virtual start time (RFC 3339); the current time by default.
    #[arg(long, value_name = "TIME")]
    start: Option<String>,
}

/// `--arg name=value` into an Argument.
pub fn parse_args(args: &[String]) -> anyhow::Result<Vec<Argument>> {
    args.iter()
        .map(|a| match a.split_once('=') {
            Some((name, value)) if !name.is_empty() => {
                Ok(Argument { name: name.to_string(), value: Some(value.to_string()), value_from: None })
            }
            _ => bail!("--arg {a:?}: expected NAME=VALUE"),
        })
        .collect()
}

/// Builds the run the files describe: an AnalysisRun given as is, or one run named `name`
/// made from every template given (in file order), with `args`.
pub fn build_run(files: &[PathBuf], args: Vec<Argument>, name: &str) -> anyhow::Result<AnalysisRun> {
    let mut set = TemplateSet::new("default");
    let mut templates = Vec::new();
    let mut cluster_templates = Vec::new();
    let mut runs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
        for doc in load_documents(&file.display().to_string(), &text)? {
            match doc {
                Document::AnalysisTemplate(t) => templates.push(t.value),
                Document::ClusterAnalysisTemplate(t) => cluster_templates.push(t.value),
                Document::AnalysisRun(r) => runs.push(r.value),
                Document::Other { .. } => {}
            }
        }
    }
    match (runs.len(), templates.len() + cluster_templates.len()) {
        (1, 0) => {
            let mut run = runs.remove(0);
            if !args.is_empty() {
                for a in args {
                    match run.spec.args.iter_mut().find(|x| x.name == a.name) {
                        Some(x) => x.value = a.value,
                        None => bail!("--arg {}: the AnalysisRun has no such argument", a.name),
                    }
                }
            }
            Ok(run)
        }
        (0, 0) => bail!("no AnalysisTemplate, ClusterAnalysisTemplate or AnalysisRun in the files given"),
        (0, _) => {
            set.extend(templates.iter().cloned());
            set.extend(cluster_templates.iter().cloned());
            // Templates referenced through `spec.templates` come from the same files.
            let refs: Vec<_> = templates
                .iter()
                .map(|t| augur_analysis_core::spec::AnalysisTemplateRef {
                    template_name: t.metadata.name.clone().unwrap_or_default(),
                    cluster_scope: false,
                })
                .chain(cluster_templates.iter().map(|t| augur_analysis_core::spec::AnalysisTemplateRef {
                    template_name: t.metadata.name.clone().unwrap_or_default(),
                    cluster_scope: true,
                }))
                .collect();
            let (templates, cluster_templates) = set.collect(&refs)?;
            let run = new_analysis_run(
                &templates,
                &cluster_templates,
                args,
                Vec::new(),
                Vec::new(),
                Default::default(),
                Default::default(),
                name,
                "",
                "default",
            )?;
            Ok(run)
        }
        _ => bail!("give either one AnalysisRun or templates, not both"),
    }
}

/// Reads a replay data file (YAML 1.2, `.nan`/`.inf` allowed).
pub fn load_data(path: &PathBuf) -> anyhow::Result<ReplayData> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let options = serde_saphyr::options! {
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
        strict_booleans: true,
    };
    let data: ReplayData =
        serde_saphyr::from_str_with_options(&text, options).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    data.validate().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(data)
}

/// The start time: `--start`, or now.
pub fn start_time(start: Option<&str>) -> anyhow::Result<SystemTime> {
    match start {
        Some(s) => Time::parse_rfc3339(s).map(Time::to_system).map_err(|e| anyhow::anyhow!("--start {s:?}: {e}")),
        None => Ok(Time::from_system(SystemTime::now()).to_system()),
    }
}

pub fn run(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let arguments = parse_args(&args.args)?;
    let mut run = build_run(&args.templates, arguments, "augur-replay")?;
    let data = load_data(&args.data)?;
    let start = start_time(args.start.as_deref())?;
    let (end, at) = replay::replay(&mut run, &data, &mut DataCursor::default(), start);
    // Whole seconds: the driver steps a nanosecond past a due time, as Argo's clock would.
    let elapsed = Duration::from_secs(at.duration_since(start).unwrap_or(Duration::ZERO).as_secs());
    let note = match &end {
        ReplayEnd::Completed => {
            format!("{} of virtual time", augur_analysis_core::go::duration::format_duration(elapsed.as_nanos() as i64))
        }
        ReplayEnd::DataRanOut { metric } => format!("the data for metric {metric:?} ran out"),
        ReplayEnd::Stalled => "stalled: waiting for an in-flight measurement with no resume time".into(),
    };
    println!("{}", report::render(&run, args.output, &note)?);
    match end {
        ReplayEnd::Completed => Ok(report::exit_code(&run)),
        _ => {
            if args.output != Output::Table {
                eprintln!("{note}");
            }
            Ok(ExitCode::from(exit::DATA_RAN_OUT))
        }
    }
}
