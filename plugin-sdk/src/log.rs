//! The optional `augur.log` import: messages a plugin wants in the host's log.

/// Log levels, as the import's first argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Level {
    /// Errors.
    Error = 0,
    /// Warnings.
    Warn = 1,
    /// Information.
    Info = 2,
    /// Debugging detail.
    Debug = 3,
}

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "augur")]
unsafe extern "C" {
    #[link_name = "log"]
    fn host_log(level: i32, ptr: i32, len: i32);
}

/// Logs `message` through the host (truncated by the host past its cap). Natively (in tests)
/// it prints to standard error.
pub fn log(level: Level, message: &str) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: the pointer and length describe a live string; the host only reads them.
    unsafe {
        host_log(level as i32, message.as_ptr() as i32, message.len() as i32)
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[plugin {level:?}] {message}");
}
