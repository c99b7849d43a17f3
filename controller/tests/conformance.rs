//! Keeps the shared Argo Rollouts conformance vectors green: every case passes, none skipped.

#[path = "../examples/conformance.rs"]
#[allow(dead_code)]
mod runner;
#[path = "../../analysis-core/tests/support/shared_dir.rs"]
mod shared_dir;

use std::path::Path;

use shared_dir::shared_dir;

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
