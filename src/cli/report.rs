//! How `augur replay` (and later `augur run`) report a finished run: a table for people, the
//! AnalysisRun status as Argo writes it for tools, JUnit XML for CI systems; and the exit code.

use std::process::ExitCode;

use augur_analysis_core::Phase;
use augur_analysis_core::spec::{AnalysisRun, to_go_json};
use clap::ValueEnum;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// Output formats.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Output {
    /// A readable table.
    Table,
    /// The AnalysisRun `status` object exactly as Argo writes it.
    Json,
    /// JUnit XML, one test case per metric.
    Junit,
}

/// Exit codes shared by `augur replay` and `augur run`.
pub mod exit {
    /// The run is Successful.
    pub const SUCCESSFUL: u8 = 0;
    /// The run Failed.
    pub const FAILED: u8 = 1;
    /// Usage or input error.
    pub const USAGE: u8 = 2;
    /// The run ended in Error.
    pub const ERROR: u8 = 3;
    /// The run is Inconclusive.
    pub const INCONCLUSIVE: u8 = 4;
    /// The data ran out before the run completed.
    pub const DATA_RAN_OUT: u8 = 5;
}

/// The exit code for a run's final phase.
pub fn exit_code(run: &AnalysisRun) -> ExitCode {
    ExitCode::from(match run.status.phase {
        Some(Phase::Successful) => exit::SUCCESSFUL,
        Some(Phase::Failed) => exit::FAILED,
        Some(Phase::Error) => exit::ERROR,
        Some(Phase::Inconclusive) => exit::INCONCLUSIVE,
        _ => exit::DATA_RAN_OUT,
    })
}

/// Renders the run; `note` is a line for the table (why the replay stopped, virtual time).
pub fn render(run: &AnalysisRun, output: Output, note: &str) -> anyhow::Result<String> {
    Ok(match output {
        Output::Json => to_go_json(&run.status)?,
        Output::Junit => junit(run)?,
        Output::Table => table(run, note),
    })
}

fn table(run: &AnalysisRun, note: &str) -> String {
    let mut rows =
        vec![["METRIC".to_string(), "PHASE".into(), "MEASURED".into(), "LAST VALUE".into(), "MESSAGE".into()]];
    for metric in &run.spec.metrics {
        let result = run.status.metric_results.iter().find(|r| r.name == metric.name);
        let (phase, measured, value, message) = match result {
            Some(r) => {
                let count = match &metric.count {
                    Some(c) if c.value() > 0 => format!("{}/{}", r.count, c.value()),
                    _ => r.count.to_string(),
                };
                let measured = if r.error > 0 { format!("{count} ({} errors)", r.error) } else { count };
                let last = r.measurements.last();
                let value = last.map(|m| m.value.clone()).unwrap_or_default();
                let message = if r.message.is_empty() {
                    last.map(|m| m.message.clone()).unwrap_or_default()
                } else {
                    r.message.clone()
                };
                (r.phase.to_string(), measured, value, message)
            }
            None => ("Pending".into(), "0".into(), String::new(), String::new()),
        };
        rows.push([metric.name.clone(), phase, measured, value, message]);
    }
    let widths: Vec<usize> = (0..5).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &rows {
        let line: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    let phase = run.status.phase.map_or_else(|| "Running".to_string(), |p| p.to_string());
    out.push_str(&format!("\nrun: {phase}"));
    if !note.is_empty() {
        out.push_str(&format!("  ({note})"));
    }
    if !run.status.message.is_empty() {
        out.push_str(&format!("\nmessage: {}", run.status.message));
    }
    out
}

fn junit(run: &AnalysisRun) -> anyhow::Result<String> {
    let name = run.metadata.name.clone().unwrap_or_else(|| "analysis".into());
    let mut suite = TestSuite::new(name.as_str());
    for metric in &run.spec.metrics {
        let result = run.status.metric_results.iter().find(|r| r.name == metric.name);
        let phase = result.map_or(Phase::Pending, |r| r.phase);
        let reason = result.and_then(|r| augur_analysis_core::engine::limit_check(metric, r)).map(|(_, m)| m);
        let message = match (reason, result.map(|r| r.message.as_str()).filter(|m| !m.is_empty())) {
            (Some(reason), Some(m)) => format!("{reason}: {m}"),
            (Some(reason), None) => reason,
            (None, m) => m.unwrap_or_default().to_string(),
        };
        let status = match phase {
            Phase::Successful => TestCaseStatus::success(),
            Phase::Failed | Phase::Inconclusive => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("{phase}: {message}")).set_type(phase.to_string());
                s
            }
            Phase::Error => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(format!("Error: {message}")).set_type("Error");
                s
            }
            Phase::Pending | Phase::Running => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("{phase}: the metric did not complete"));
                s
            }
        };
        let mut case = TestCase::new(metric.name.as_str(), status);
        if let Some(r) = result {
            let values: Vec<&str> = r.measurements.iter().map(|m| m.value.as_str()).collect();
            case.set_system_out(format!("measurements: {}\nvalues: {}", r.count + r.error, values.join(" ")));
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("augur");
    report.add_test_suite(suite);
    Ok(report.to_string()?)
}
