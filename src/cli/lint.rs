//! `augur lint FILE...`: compiler-style findings for analysis YAML.

use std::process::ExitCode;

use anyhow::Context;
use augur_analysis_core::lint::{Severity, lint_text};
use clap::Args;

#[derive(Args)]
pub struct LintArgs {
    /// YAML files with AnalysisTemplates, ClusterAnalysisTemplates or AnalysisRuns
    /// (multi-document files are fine; other kinds are skipped). `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Treat warnings as errors (exit 1 when there is any finding).
    #[arg(long)]
    deny_warnings: bool,
}

pub fn run(args: LintArgs) -> anyhow::Result<ExitCode> {
    let mut errors = 0;
    let mut warnings = 0;
    for file in &args.files {
        let text = if file == "-" {
            std::io::read_to_string(std::io::stdin()).context("reading standard input")?
        } else {
            std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?
        };
        for d in lint_text(file, &text) {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
            println!("{d}");
        }
    }
    if errors + warnings > 0 {
        eprintln!("{errors} error(s), {warnings} warning(s)");
    }
    Ok(if errors > 0 || (args.deny_warnings && warnings > 0) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
