//! The trait a Rust plugin implements, and the macro that exports it with ABI v1.

use crate::message::{Describe, StepInput, StepOutput};

/// A metric provider written as a plugin: a pure translation from [`StepInput`] to
/// [`StepOutput`]. It performs no I/O: it asks the host for HTTP requests and gets their
/// responses on its next step, and it keeps whatever it needs between steps in `state`.
///
/// A fresh value (`Default`) handles every step, so nothing survives in `self` between steps;
/// that is what makes a measurement replayable from its recorded exchanges.
pub trait Plugin: Default {
    /// Who the plugin is and what it needs (`augur_describe`).
    fn describe(&self) -> Describe;

    /// One step of a measurement (`augur_step`).
    fn step(&self, input: StepInput) -> StepOutput;
}

/// Exports a [`Plugin`] implementation as an ABI v1 module: `augur_abi_version`,
/// `augur_alloc`, `augur_dealloc`, `augur_describe` and `augur_step` (see `ABI.md`). The
/// exports exist only when compiling for `wasm32`, so the same crate builds natively for
/// unit tests with the [`harness`](crate::harness).
///
/// ```ignore
/// #[derive(Default)]
/// struct MyPlugin;
/// impl augur_plugin_sdk::Plugin for MyPlugin { /* describe, step */ }
/// augur_plugin_sdk::export_plugin!(MyPlugin);
/// ```
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        // An anonymous const block: names resolve in the caller's scope, and the
        // `no_mangle` functions are exported all the same.
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            #[unsafe(no_mangle)]
            pub extern "C" fn augur_abi_version() -> i32 {
                $crate::ABI_VERSION as i32
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn augur_alloc(len: i32) -> i32 {
                $crate::guest::alloc(len)
            }

            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn augur_dealloc(ptr: i32, len: i32) {
                // SAFETY: the ABI lets the host free only what `augur_alloc` returned, once.
                unsafe { $crate::guest::dealloc(ptr, len) }
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn augur_describe() -> i64 {
                $crate::guest::describe::<$plugin>()
            }

            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn augur_step(ptr: i32, len: i32) -> i64 {
                // SAFETY: the ABI hands over a buffer from `augur_alloc(len)` filled by the host.
                unsafe { $crate::guest::step::<$plugin>(ptr, len) }
            }
        };
    };
}
