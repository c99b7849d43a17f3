//! The plugin runtime: one wasmtime [`Engine`] with epoch interruption and the thread that
//! advances its epoch. Wasmtime's layering is kept: Engine (here) → Module and InstancePre
//! (compiled once per plugin, [`LoadedPlugin`](super::LoadedPlugin)) → Store and Instance
//! (one per measurement call, [`PluginInstance`](super::PluginInstance)).
//!
//! Deadlines use epochs rather than fuel: an epoch check is a load and a compare at loop
//! heads and function entries, where fuel accounting slows every block; the price is a
//! deadline granularity of one tick ([`EPOCH_TICK`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::{Config, Engine};

/// How often the epoch advances: the granularity of step deadlines.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

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
        let mut config = Config::new();
        config.epoch_interruption(true);
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
