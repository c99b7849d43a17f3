//! What the CLI tests share: the binary, its output as text, scratch files.

// Each test binary uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
pub use tempfile::TempDir;

/// The `augur` binary of this build.
pub fn augur() -> Command {
    Command::cargo_bin("augur").expect("the augur binary is built")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch directory, removed on drop.
pub fn scratch() -> TempDir {
    tempfile::Builder::new().prefix("augur-cli-").tempdir().expect("create a scratch directory")
}

/// Writes `contents` to `dir/name`; returns the path.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write a test file");
    path
}

/// `augur replay TEMPLATE --data DATA ARGS...`, to replay what a run recorded.
pub fn replay(template: &Path, data: &Path, args: &[&str]) -> std::process::Output {
    augur().arg("replay").arg(template).arg("--data").arg(data).args(args).output().expect("run augur replay")
}
