//! Keeps the shared Argo conformance vectors, and Augur's own vector files, green.

#[path = "../examples/conformance.rs"]
#[allow(dead_code)]
mod runner;
#[path = "support/shared_dir.rs"]
mod shared_dir;

use std::path::{Path, PathBuf};

use shared_dir::shared_dir;

fn assert_clean(path: &Path, allowed_skips: usize) {
    let summary = runner::run_file(path).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        summary.failures.is_empty(),
        "{} conformance failures in {}:\n{}",
        summary.failed,
        path.display(),
        summary.failures.join("\n")
    );
    assert!(summary.passed > 0, "no case ran in {}", path.display());
    assert!(summary.skipped <= allowed_skips, "{} cases skipped in {}", summary.skipped, path.display());
}

#[test]
fn shared_argo_vectors_pass() {
    let path = shared_dir().join("conformance/argo-analysis.yaml");
    assert!(path.exists(), "{} is missing; set AUGUR_SHARED_DIR", path.display());
    assert_clean(&path, 0);
}

#[test]
fn augur_vector_files_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml") && !p.to_string_lossy().ends_with(".deviations.yaml"));
    files.sort();
    for f in files {
        // Only the cases listed in a `.deviations.yaml` beside the file may be skipped.
        let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let listed = std::fs::read_to_string(f.with_file_name(format!("{stem}.deviations.yaml")))
            .map(|t| t.lines().filter(|l| l.starts_with("D-") || l.starts_with("A-")).count())
            .unwrap_or(0);
        assert_clean(&f, listed);
    }
}
