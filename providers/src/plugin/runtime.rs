//! The plugin runtime: one wasmtime [`Engine`] with epoch interruption and the thread that
//! advances its epoch. Wasmtime's layering is kept: Engine (here) → Module and InstancePre
//! (compiled once per plugin, [`LoadedPlugin`](super::LoadedPlugin)) → Store and Instance
//! (one per measurement call, [`PluginInstance`](super::PluginInstance)).
//!
//! Deadlines use epochs rather than fuel: an epoch check is a load and a compare at loop
//! heads and function entries, where fuel accounting slows every block; the price is a
//! deadline granularity of one tick ([`EPOCH_TICK`]).
//!
//! Instances come from wasmtime's pooling allocator: linear memories are reserved once and
//! reset between instances instead of being mapped, faulted in and unmapped for every
//! measurement. With the first [`POOL_KEEP_RESIDENT`] bytes of each slot kept resident (the
//! guest's stack, statics and first heap pages, reset with `memset`), a fresh instance plus its
//! first step costs about a third of what the on-demand allocator costs. The pool bounds the
//! plugin instances alive at once ([`POOL_INSTANCES`], one per measurement call in progress):
//! keep the analyzer's concurrency limit for `RPCPlugin` at or below it, since an instantiation
//! beyond it fails that measurement.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the epoch advances: the granularity of step deadlines.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Plugin instances alive at once.
pub const POOL_INSTANCES: u32 = 512;

/// The largest linear memory any plugin can have, whatever its registry limit says.
pub const POOL_MAX_MEMORY: usize = 1 << 30;

/// Bytes at the start of each memory slot kept resident between instances.
pub const POOL_KEEP_RESIDENT: usize = 512 << 10;

/// The shared engine and its epoch ticker. Cloning shares both; the ticker stops when the
/// last clone is dropped.
#[derive(Clone)]
pub struct PluginRuntime {
    engine: Engine,
    _ticker: Arc<Ticker>,
}

struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for PluginRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginRuntime").finish_non_exhaustive()
    }
}

impl PluginRuntime {
    /// A runtime with its epoch thread started.
    pub fn new() -> Result<PluginRuntime, String> {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_core_instances(POOL_INSTANCES)
            .total_memories(POOL_INSTANCES)
            .total_tables(POOL_INSTANCES)
            .max_memory_size(POOL_MAX_MEMORY)
            .linear_memory_keep_resident(POOL_KEEP_RESIDENT)
            .table_keep_resident(64 << 10);
        let mut config = Config::new();
        config.epoch_interruption(true);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).map_err(|e| format!("cannot create the wasm engine: {e}"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let (ticking, flag) = (engine.clone(), stop.clone());
        std::thread::Builder::new()
            .name("augur-plugin-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    ticking.increment_epoch();
                }
            })
            .map_err(|e| format!("cannot start the plugin epoch thread: {e}"))?;
        Ok(PluginRuntime { engine, _ticker: Arc::new(Ticker { stop }) })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Epoch ticks for a deadline of `ms` milliseconds (at least one).
    pub fn ticks(ms: u64) -> u64 {
        ms.div_ceil(EPOCH_TICK.as_millis() as u64).max(1)
    }
}
