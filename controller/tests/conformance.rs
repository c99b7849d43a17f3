//! Keeps the shared Argo Rollouts conformance vectors green: every case passes, none skipped.

#[path = "../examples/conformance.rs"]
#[allow(dead_code)]
mod runner;

use std::path::{Path, PathBuf};

/// `shared/` sits beside the repository (in CI as on a developer's machine); `AUGUR_SHARED_DIR`
/// overrides that.
fn shared_dir() -> PathBuf {
    match std::env::var_os("AUGUR_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
}

#[test]
fn shared_rollout_vectors_pass() {
    let path = shared_dir().join("conformance/argo-rollouts.yaml");
    assert!(path.exists(), "{} is missing; set AUGUR_SHARED_DIR", path.display());
    let summary = runner::run_file(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        summary.failures.is_empty(),
        "{} conformance failures in {}:\n{}",
        summary.failed,
        path.display(),
        summary.failures.join("\n")
    );
    assert!(summary.passed > 200, "only {} cases ran in {}", summary.passed, path.display());
    assert_eq!(summary.skipped, 0);
}

#[test]
fn augur_rollout_scenarios_pass() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/scenarios.yaml");
    let summary = runner::run_file(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(summary.failures.is_empty(), "{}", summary.failures.join("\n"));
    assert!(summary.passed >= 5, "only {} cases ran", summary.passed);
}
