//! `augur lint FILE...`: compiler-style findings for analysis YAML and Rollouts.

use std::process::ExitCode;

use anyhow::Context;
use augur_analysis_core::lint::{Diagnostic, Severity, lint_text};
use clap::Args;

#[derive(Args)]
pub struct LintArgs {
    /// YAML files with AnalysisTemplates, ClusterAnalysisTemplates, AnalysisRuns or Rollouts
    /// (multi-document files are fine; other kinds are skipped). `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Treat warnings as errors (exit 1 when there is any finding).
    #[arg(long)]
    deny_warnings: bool,
}

/// The Rollout findings of every file; the templates their analyses name are looked up in
/// all the files given.
#[cfg(feature = "controller")]
fn rollout_findings(texts: &[(String, String)]) -> Vec<Vec<Diagnostic>> {
    let mut templates = augur_analysis_core::template::TemplateSet::new("default");
    for (file, text) in texts {
        // Files that do not load are reported by the analysis lint.
        let _ = super::rollout::load_text(file, text, &mut templates, &mut Vec::new());
    }
    texts.iter().map(|(file, text)| augur_controller::lint::lint_rollouts(file, text, &templates)).collect()
}

#[cfg(not(feature = "controller"))]
fn rollout_findings(texts: &[(String, String)]) -> Vec<Vec<Diagnostic>> {
    texts.iter().map(|_| Vec::new()).collect()
}

pub fn run(args: LintArgs) -> anyhow::Result<ExitCode> {
    let mut texts = Vec::new();
    for file in &args.files {
        let text = if file == "-" {
            std::io::read_to_string(std::io::stdin()).context("reading standard input")?
        } else {
            std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?
        };
        texts.push((file.clone(), text));
    }
    let rollouts = rollout_findings(&texts);
    let mut errors = 0;
    let mut warnings = 0;
    for ((file, text), rollout) in texts.iter().zip(rollouts) {
        let mut findings = lint_text(file, text);
        // A Rollout file that does not parse is reported once.
        let extra: Vec<Diagnostic> =
            rollout.into_iter().filter(|d| !d.path.is_empty() || !findings.contains(d)).collect();
        findings.extend(extra);
        findings.sort_by_key(|d| (d.line, d.column));
        for d in findings {
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
