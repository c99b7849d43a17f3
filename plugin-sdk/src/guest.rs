//! Guest-side glue behind [`export_plugin!`](crate::export_plugin): the byte-level ABI on one
//! side, typed messages on the other. The byte handling ([`step_bytes`], [`describe_bytes`])
//! is target-independent so that the native [`harness`](crate::harness) runs exactly the
//! decoding and encoding a wasm build runs; only the pointer functions are `wasm32`-only.

use crate::message::{StepInput, StepOutput};
use crate::plugin::Plugin;

/// Decodes a step input, runs the plugin and encodes its answer. Input that does not decode
/// becomes an `error` answer naming the decoding error, never a trap.
pub fn step_bytes<P: Plugin>(input: &[u8]) -> Vec<u8> {
    let output = match serde_json::from_slice::<StepInput>(input) {
        Ok(input) => P::default().step(input),
        Err(e) => StepOutput::error(format!("plugin could not decode its step input: {e}")),
    };
    encode(&output)
}

/// The plugin's `describe` answer, encoded.
pub fn describe_bytes<P: Plugin>() -> Vec<u8> {
    serde_json::to_vec(&P::default().describe()).unwrap_or_else(|e| error_bytes(&e))
}

fn encode(output: &StepOutput) -> Vec<u8> {
    serde_json::to_vec(output).unwrap_or_else(|e| error_bytes(&e))
}

fn error_bytes(e: &serde_json::Error) -> Vec<u8> {
    let out = StepOutput::error(format!("plugin could not encode its answer: {e}"));
    serde_json::to_vec(&out).unwrap_or_default()
}

#[cfg(target_arch = "wasm32")]
mod pointers {
    use super::*;

    /// The last answer, kept alive until the next call (the ABI's ownership rule).
    static mut OUTPUT: Vec<u8> = Vec::new();

    fn respond(bytes: Vec<u8>) -> i64 {
        // SAFETY: wasm32 plugins are single-threaded and the host makes one call at a time.
        let out = unsafe { &mut *core::ptr::addr_of_mut!(OUTPUT) };
        *out = bytes;
        (((out.as_ptr() as u32 as u64) << 32) | out.len() as u32 as u64) as i64
    }

    /// `augur_alloc`: a buffer of `len` bytes for the host to write into, or 0.
    pub fn alloc(len: i32) -> i32 {
        let Ok(len) = usize::try_from(len) else { return 0 };
        let mut v: Vec<u8> = Vec::new();
        if v.try_reserve_exact(len).is_err() {
            return 0;
        }
        let p = v.as_mut_ptr();
        core::mem::forget(v);
        p as i32
    }

    /// `augur_dealloc`: frees a buffer from [`alloc`].
    ///
    /// # Safety
    /// `ptr` and `len` must come from one `alloc(len)` call, and be freed once.
    pub unsafe fn dealloc(ptr: i32, len: i32) {
        let len = len.max(0) as usize;
        drop(unsafe { Vec::from_raw_parts(ptr as *mut u8, 0, len) });
    }

    /// `augur_describe`.
    pub fn describe<P: Plugin>() -> i64 {
        respond(describe_bytes::<P>())
    }

    /// `augur_step`: takes ownership of the input buffer.
    ///
    /// # Safety
    /// `ptr` must come from `alloc(len)` and hold `len` initialized bytes.
    pub unsafe fn step<P: Plugin>(ptr: i32, len: i32) -> i64 {
        let len = len.max(0) as usize;
        let input = unsafe { Vec::from_raw_parts(ptr as *mut u8, len, len) };
        let out = step_bytes::<P>(&input);
        drop(input);
        respond(out)
    }
}

#[cfg(target_arch = "wasm32")]
pub use pointers::*;
