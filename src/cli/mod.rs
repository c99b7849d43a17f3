//! Command-line interface: one module per subcommand.

#[cfg(feature = "providers")]
mod backtest;
#[cfg(feature = "controller")]
mod demo;
mod diagnostics;
mod eval;
mod lint;
#[cfg(feature = "providers")]
mod plugin;
#[cfg(feature = "providers")]
mod progress;
mod replay;
mod report;
#[cfg(feature = "controller")]
mod rollout;
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
    /// Rollouts: `augur rollout simulate`.
    #[cfg(feature = "controller")]
    Rollout(rollout::RolloutArgs),
    /// Two releases of a payment service through a canary with analysis, offline, in seconds.
    #[cfg(feature = "controller")]
    Demo(demo::DemoArgs),
    /// Describe a WebAssembly provider plugin, or test it offline against recorded responses.
    #[cfg(feature = "providers")]
    Plugin(plugin::PluginArgs),
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
        #[cfg(feature = "controller")]
        Command::Rollout(args) => rollout::run(args),
        #[cfg(feature = "controller")]
        Command::Demo(args) => demo::run(args),
        #[cfg(feature = "providers")]
        Command::Plugin(args) => plugin::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(report::exit::USAGE)
        }
    }
}
