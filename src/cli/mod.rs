//! Command-line interface: one module per subcommand.

#[cfg(feature = "providers")]
mod backtest;
mod diagnostics;
mod eval;
mod lint;
#[cfg(feature = "providers")]
mod progress;
mod replay;
mod report;
#[cfg(feature = "providers")]
mod run;
#[cfg(feature = "providers")]
mod secrets;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Augur: Argo Rollouts-compatible progressive-delivery analysis.
#[derive(Parser)]
#[command(name = "augur", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a success/failure condition against a sample result, as Argo would.
    Eval(eval::EvalArgs),
    /// Check AnalysisTemplates and AnalysisRuns: Argo's validation plus its traps.
    Lint(lint::LintArgs),
    /// Run templates on virtual time against recorded provider results.
    Replay(replay::ReplayArgs),
    /// Run templates live against the real providers, with a progress display.
    #[cfg(feature = "providers")]
    Run(run::RunArgs),
    /// Run templates against history: each measurement queries its provider as of that time.
    #[cfg(feature = "providers")]
    Backtest(backtest::BacktestArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Eval(args) => eval::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Replay(args) => replay::run(args),
        #[cfg(feature = "providers")]
        Command::Run(args) => run::run(args),
        #[cfg(feature = "providers")]
        Command::Backtest(args) => backtest::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(report::exit::USAGE)
        }
    }
}
