//! Command-line interface: one module per subcommand.

mod diagnostics;
mod eval;
mod lint;
#[cfg(feature = "providers")]
mod plugin;
mod replay;
mod report;

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
