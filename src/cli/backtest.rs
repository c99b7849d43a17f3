//! `augur backtest`: what would these templates have decided between two past instants?

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use augur_analysis_core::go::duration::format_duration;
use augur_providers::BuiltinProviders;
use augur_providers::backtest::{self, BacktestEnd};
use clap::Args;

use super::replay::start_time;
use super::report::{self, Output, exit};

#[derive(Args)]
pub struct BacktestArgs {
    /// Files with AnalysisTemplates / ClusterAnalysisTemplates (one run from all of them) or
    /// one AnalysisRun.
    #[arg(required = true, value_name = "TEMPLATE.yaml")]
    templates: Vec<PathBuf>,
    /// When the run starts (RFC 3339, e.g. 2026-11-17T14:00:00Z).
    #[arg(long, value_name = "TIME")]
    from: String,
    /// The end of the window (RFC 3339): measurements due after it are not taken.
    #[arg(long, value_name = "TIME")]
    to: String,
    /// A template argument, `name=value` (repeatable).
    #[arg(long = "arg", value_name = "NAME=VALUE")]
    args: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Table)]
    output: Output,
    /// Kubernetes Secret manifests for secret-backed arguments.
    #[arg(long, value_name = "SECRETS.yaml")]
    secrets: Option<PathBuf>,
    /// The run's namespace (where secrets are looked up).
    #[arg(long, short = 'n', default_value = "default")]
    namespace: String,
    /// How long one provider query may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    query_timeout: u64,
}

pub fn run(args: BacktestArgs) -> anyhow::Result<ExitCode> {
    let from = start_time(Some(&args.from)).context("--from")?;
    let to = start_time(Some(&args.to)).context("--to")?;
    if to < from {
        bail!("--to {:?} is before --from {:?}", args.to, args.from);
    }
    let (mut run, secrets) =
        super::run::prepare(&args.templates, &args.args, args.secrets.as_deref(), &args.namespace, "augur-backtest")?;
    backtest::check_historical(&run).map_err(anyhow::Error::msg)?;
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")?;
    let outcome = runtime.block_on(async {
        let factory = Arc::new(BuiltinProviders::new()?);
        backtest::backtest(&mut run, factory.as_ref(), &secrets, from, to, Duration::from_secs(args.query_timeout))
            .await
            .map_err(|e| anyhow::anyhow!("Unable to resolve metric arguments: {e}"))
    })?;
    let span = outcome.at.duration_since(from).unwrap_or(Duration::ZERO);
    let span = format_duration(i64::try_from(span.as_secs()).unwrap_or(i64::MAX).saturating_mul(1_000_000_000));
    let note = match outcome.end {
        BacktestEnd::Completed => {
            format!("backtest: {} queries over {span} of history from {}", outcome.calls, args.from)
        }
        BacktestEnd::WindowEnded => {
            format!("backtest: the window ended at {} before the run completed ({} queries)", args.to, outcome.calls)
        }
        BacktestEnd::Stalled => "backtest stalled: a measurement is waiting with no resume time".to_string(),
    };
    println!("{}", report::render(&run, args.output, &note)?);
    match outcome.end {
        BacktestEnd::Completed => Ok(report::exit_code(&run)),
        _ => {
            if args.output != Output::Table {
                eprintln!("{note}");
            }
            Ok(ExitCode::from(exit::DATA_RAN_OUT))
        }
    }
}
