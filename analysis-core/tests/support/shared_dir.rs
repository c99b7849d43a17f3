//! Where the shared specification and conformance vectors are, for the conformance tests of
//! every crate (included with `#[path]`).

use std::path::{Path, PathBuf};

/// `shared/` sits beside the repository (in CI as on a developer's machine); `AUGUR_SHARED_DIR`
/// overrides that. Every crate of the workspace sits one directory below the repository.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("AUGUR_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
}
