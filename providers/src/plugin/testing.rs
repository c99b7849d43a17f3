//! Test support for this repository: builds the example plugins and the host's test fixtures
//! (with `examples/plugins/build.sh`, once per process) and says where they are. Not part of
//! the stable API.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The directory holding `prometheus_lite.wasm`, `two_step.wasm`, `c_web.wasm`,
/// `faulty.wasm`, `wrong_abi.wasm` and `dual_abi.wasm`: `<target dir>/plugins`, built on first use.
///
/// # Panics
/// When the build fails (the guest toolchain is missing: see the README), since no plugin
/// test can run then.
pub fn example_plugins() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/plugins/build.sh");
        // The test binary is <target>/<profile>/deps/<name>: build beside it.
        let exe = std::env::current_exe().unwrap_or_default();
        let out = exe.ancestors().nth(3).map_or_else(|| PathBuf::from("target"), Path::to_path_buf).join("plugins");
        let status =
            std::process::Command::new("bash").arg(&script).arg(&out).stdout(std::process::Stdio::null()).status();
        match status {
            Ok(s) if s.success() => out,
            other => panic!("{} failed ({other:?}): the example plugins could not be built", script.display()),
        }
    })
}

/// The path of one built module (`example_plugin("prometheus_lite")`).
pub fn example_plugin(name: &str) -> PathBuf {
    example_plugins().join(format!("{name}.wasm"))
}
