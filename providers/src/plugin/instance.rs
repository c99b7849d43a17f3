//! One instance of a plugin, and the byte-level ABI v1 calls on it: every call runs under
//! the step deadline and the memory cap, and every failure becomes a [`PluginError`] naming
//! the plugin, the step and the cause.

use std::sync::Arc;

use augur_plugin_sdk::{Describe, StepOutput, exports};
use wasmtime::{Instance, InstancePre, Memory, ResourceLimiter, Store, Trap, TypedFunc};

use super::error::PluginError;
use super::limits::Limits;
use super::runtime::PluginRuntime;

/// The data of a plugin's store: its memory cap and what it logged.
pub struct HostState {
    plugin: Arc<str>,
    memory_limit: usize,
    /// Set when the guest tried to grow past the cap (the size it asked for).
    memory_refused: Option<usize>,
    /// Bytes of log messages left for this instance.
    log_budget: usize,
}

impl HostState {
    fn new(plugin: Arc<str>, limits: &Limits) -> HostState {
        HostState { plugin, memory_limit: limits.memory_bytes, memory_refused: None, log_budget: 64 << 10 }
    }

    /// The `augur.log` import: a message into the host's log, within a per-instance budget.
    pub(crate) fn log(&mut self, level: i32, message: &[u8]) {
        if self.log_budget == 0 {
            return;
        }
        let message = String::from_utf8_lossy(&message[..message.len().min(self.log_budget)]);
        self.log_budget = self.log_budget.saturating_sub(message.len());
        let plugin = &*self.plugin;
        match level {
            0 => tracing::error!(plugin, "{message}"),
            1 => tracing::warn!(plugin, "{message}"),
            2 => tracing::info!(plugin, "{message}"),
            _ => tracing::debug!(plugin, "{message}"),
        }
    }
}

impl ResourceLimiter for HostState {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.memory_limit {
            self.memory_refused = Some(desired);
            // An error (not `Ok(false)`) traps: a guest that checks `memory.grow` could
            // otherwise loop on failures until its deadline.
            wasmtime::bail!("memory limit exceeded")
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// A live instance: created per measurement call, dropped at its end.
pub struct PluginInstance {
    store: Store<HostState>,
    memory: Memory,
    alloc: TypedFunc<i32, i32>,
    step: TypedFunc<(i32, i32), i64>,
    describe: TypedFunc<(), i64>,
    abi_version: TypedFunc<(), i32>,
    plugin: Arc<str>,
    limits: Limits,
    instance: Instance,
}

/// What a failed call becomes, before the step is known.
fn call_error(
    store: &mut Store<HostState>,
    plugin: &str,
    step: u32,
    limits: &Limits,
    e: wasmtime::Error,
) -> PluginError {
    if let Some(requested) = store.data_mut().memory_refused.take() {
        return PluginError::Memory { plugin: plugin.into(), step, limit: limits.memory_bytes, requested };
    }
    if e.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
        return PluginError::Deadline { plugin: plugin.into(), step, limit_ms: limits.step_timeout_ms };
    }
    let message = match e.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => e.to_string(),
    };
    PluginError::Trap { plugin: plugin.into(), step, message }
}

impl PluginInstance {
    /// Instantiates `pre` in a fresh store (running `_initialize` when the module exports
    /// it, under the step deadline).
    pub fn new(
        runtime: &PluginRuntime,
        pre: &InstancePre<HostState>,
        plugin: Arc<str>,
        limits: Limits,
    ) -> Result<PluginInstance, PluginError> {
        let mut store = Store::new(runtime.engine(), HostState::new(plugin.clone(), &limits));
        store.limiter(|s| s);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(PluginRuntime::ticks(limits.step_timeout_ms));
        let instance: Instance =
            pre.instantiate(&mut store).map_err(|e| call_error(&mut store, &plugin, 0, &limits, e))?;
        let abi = |message: String| PluginError::Abi { plugin: plugin.to_string(), message };
        let memory = instance
            .get_memory(&mut store, exports::MEMORY)
            .ok_or_else(|| abi(format!("the module does not export its memory as `{}`", exports::MEMORY)))?;
        macro_rules! func {
            ($name:expr) => {
                instance
                    .get_typed_func(&mut store, $name)
                    .map_err(|e| abi(format!("the module's export `{}` is missing or mistyped: {e}", $name)))?
            };
        }
        let alloc = func!(exports::ALLOC);
        let step = func!(exports::STEP);
        let describe = func!(exports::DESCRIBE);
        let abi_version = func!(exports::ABI_VERSION);
        if let Ok(init) = instance.get_typed_func::<(), ()>(&mut store, exports::INITIALIZE) {
            init.call(&mut store, ()).map_err(|e| call_error(&mut store, &plugin, 0, &limits, e))?;
        }
        Ok(PluginInstance { store, memory, alloc, step, describe, abi_version, plugin, limits, instance })
    }

    fn error(&mut self, step: u32, e: wasmtime::Error) -> PluginError {
        call_error(&mut self.store, &self.plugin, step, &self.limits, e)
    }

    fn arm(&mut self) {
        self.store.set_epoch_deadline(PluginRuntime::ticks(self.limits.step_timeout_ms));
    }

    /// `augur_abi_version`.
    pub fn abi_version(&mut self) -> Result<i32, PluginError> {
        self.arm();
        let r = self.abi_version.call(&mut self.store, ());
        r.map_err(|e| self.error(0, e))
    }

    /// `augur_abi_supports(version)` when the module exports it (`None` otherwise).
    pub fn abi_supports(&mut self, version: i32) -> Result<Option<bool>, PluginError> {
        let instance = self.instance;
        let Ok(f) = instance.get_typed_func::<i32, i32>(&mut self.store, exports::ABI_SUPPORTS) else {
            return Ok(None);
        };
        self.arm();
        let r = f.call(&mut self.store, version);
        r.map(|v| Some(v != 0)).map_err(|e| self.error(0, e))
    }

    /// `augur_describe`, decoded.
    pub fn describe(&mut self) -> Result<Describe, PluginError> {
        self.arm();
        let r = self.describe.call(&mut self.store, ());
        let packed = r.map_err(|e| self.error(0, e))?;
        let bytes = self.read(0, packed)?;
        serde_json::from_slice(&bytes).map_err(|e| PluginError::Abi {
            plugin: self.plugin.to_string(),
            message: format!("augur_describe returned a malformed answer: {e}"),
        })
    }

    /// One `augur_step` with the encoded input, decoded.
    pub fn step(&mut self, step: u32, input: &[u8]) -> Result<StepOutput, PluginError> {
        let bytes = self.step_raw(step, input)?;
        serde_json::from_slice(&bytes).map_err(|e| PluginError::Malformed {
            plugin: self.plugin.to_string(),
            step,
            message: e.to_string(),
        })
    }

    /// One `augur_step`, returning the answer's bytes.
    pub fn step_raw(&mut self, step: u32, input: &[u8]) -> Result<Vec<u8>, PluginError> {
        if input.len() > self.limits.max_input_bytes {
            return Err(PluginError::TooLarge {
                plugin: self.plugin.to_string(),
                step,
                what: "the step input",
                size: input.len(),
                limit: self.limits.max_input_bytes,
            });
        }
        self.arm();
        let len = input.len() as i32;
        let r = self.alloc.call(&mut self.store, len);
        let ptr = r.map_err(|e| self.error(step, e))?;
        let malformed = |message: String| PluginError::Malformed { plugin: self.plugin.to_string(), step, message };
        if ptr == 0 && len != 0 {
            return Err(malformed(format!("augur_alloc({len}) returned 0")));
        }
        self.memory
            .write(&mut self.store, ptr as u32 as usize, input)
            .map_err(|_| malformed(format!("augur_alloc({len}) returned {ptr}, outside the plugin's memory")))?;
        let r = self.step.call(&mut self.store, (ptr, len));
        let packed = r.map_err(|e| self.error(step, e))?;
        self.read(step, packed)
    }

    /// The bytes of a packed `ptr << 32 | len` answer.
    fn read(&mut self, step: u32, packed: i64) -> Result<Vec<u8>, PluginError> {
        let (ptr, len) = ((packed as u64 >> 32) as usize, (packed as u64 & 0xffff_ffff) as usize);
        if len > self.limits.max_output_bytes {
            return Err(PluginError::TooLarge {
                plugin: self.plugin.to_string(),
                step,
                what: "the plugin's answer",
                size: len,
                limit: self.limits.max_output_bytes,
            });
        }
        let data = self.memory.data(&self.store);
        data.get(ptr..ptr.saturating_add(len)).map(<[u8]>::to_vec).ok_or_else(|| PluginError::Malformed {
            plugin: self.plugin.to_string(),
            step,
            message: format!(
                "the answer at {ptr}..{} lies outside the plugin's {} bytes of memory",
                ptr + len,
                data.len()
            ),
        })
    }
}
