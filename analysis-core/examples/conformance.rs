//! Runs conformance vector files (the schema of `shared/conformance/argo-analysis.yaml`)
//! through the engine and reports every case that disagrees with Argo.
//!
//! ```text
//! cargo run -p augur-analysis-core --example conformance -- FILE...
//! ```
//!
//! Prints each failure (id, expected, got) and ends with exactly one line
//! `conformance: N passed, M failed, K skipped`; exits non-zero when M > 0.
//!
//! A file `X.deviations.yaml` beside `X.yaml` maps case ids to the reason Augur knowingly
//! differs; those cases are skipped, and one that starts to pass is a failure, so the list
//! stays exact.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use augur_analysis_core::expr::Value;
use augur_analysis_core::{Conditions, Phase, ResultType};
use serde::Deserialize;

/// The vector file: the sections this runner understands; everything else is ignored.
#[derive(Deserialize)]
struct VectorFile {
    #[serde(default)]
    conditions: Vec<ConditionCase>,
    #[serde(default)]
    runs: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct ConditionCase {
    id: String,
    result_type: String,
    #[serde(default)]
    result: Value,
    #[serde(rename = "successCondition", default)]
    success: String,
    #[serde(rename = "failureCondition", default)]
    failure: String,
    expected: String,
    #[serde(default)]
    error_contains: Option<String>,
}

/// Counts of one or more files.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// One line per failing case: id, expected, got.
    pub failures: Vec<String>,
}

/// The time `now()` returns in vectors: fixed, so runs are reproducible.
fn vector_now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600) // 2026-01-01T00:00:00Z
}

/// Runs one condition case; `Err` describes a disagreement.
fn run_condition(case: &ConditionCase) -> Result<(), String> {
    let result_type = ResultType::from_name(&case.result_type)
        .ok_or_else(|| format!("unknown result_type {:?}", case.result_type))?;
    let result = result_type.apply(case.result.clone()).map_err(|e| format!("bad vector: {e}"))?;
    let expected: Phase = case.expected.parse().map_err(|e| format!("bad vector: {e}"))?;
    let outcome = Conditions::new(&case.success, &case.failure).evaluate(&result, vector_now());
    let (phase, message) = match &outcome {
        Ok(p) => (*p, String::new()),
        Err(e) => (Phase::Error, e.to_string()),
    };
    if phase != expected {
        let detail = if message.is_empty() { String::new() } else { format!(" ({message})") };
        return Err(format!("expected {expected}, got {phase}{detail}"));
    }
    if let Some(needle) = &case.error_contains
        && !message.contains(needle.as_str())
    {
        return Err(format!("expected a message containing {needle:?}, got {message:?}"));
    }
    Ok(())
}

/// The known deviations listed beside a vector file, if any.
fn load_deviations(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { return Ok(BTreeMap::new()) };
    let list = path.with_file_name(format!("{stem}.deviations.yaml"));
    if !list.exists() {
        return Ok(BTreeMap::new());
    }
    let text = std::fs::read_to_string(&list).map_err(|e| format!("{}: {e}", list.display()))?;
    serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", list.display()))
}

/// Runs every case of one file.
pub fn run_file(path: &Path) -> Result<Summary, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // `.nan` and `.inf` are results the vectors need; the files are YAML 1.2 (`y` is a string).
    let options = serde_saphyr::options! {
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
        strict_booleans: true,
    };
    let file: VectorFile =
        serde_saphyr::from_str_with_options(&text, options).map_err(|e| format!("{}: {e}", path.display()))?;
    let deviations = load_deviations(path)?;
    let mut summary = Summary::default();
    for case in &file.conditions {
        match (run_condition(case), deviations.get(&case.id)) {
            (Ok(()), None) => summary.passed += 1,
            (Err(_), Some(_)) => summary.skipped += 1,
            (Ok(()), Some(reason)) => {
                summary.failed += 1;
                summary.failures.push(format!("{}: listed as a deviation ({reason}) but passes", case.id));
            }
            (Err(why), None) => {
                summary.failed += 1;
                summary.failures.push(format!("{}: {why}", case.id));
            }
        }
    }
    // Run and state vectors need the measurement state machine, which is not built yet.
    summary.skipped += file.runs.len();
    Ok(summary)
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: conformance FILE...");
        return ExitCode::from(2);
    }
    let mut total = Summary::default();
    for p in &paths {
        match run_file(Path::new(p)) {
            Ok(s) => {
                for f in &s.failures {
                    println!("FAIL {f}");
                }
                total.passed += s.passed;
                total.failed += s.failed;
                total.skipped += s.skipped;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    println!("conformance: {} passed, {} failed, {} skipped", total.passed, total.failed, total.skipped);
    if total.failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
