//! A plugin compiled once: its verified module, pre-linked ([`InstancePre`]) so that a
//! measurement only pays for instantiation, and its `describe` answer.

use std::path::Path;
use std::sync::Arc;

use augur_plugin_sdk::{ABI_VERSION, Describe, exports};
use sha2::{Digest, Sha256};
use wasmtime::{Caller, ExternType, InstancePre, Linker, Module};

use super::error::PluginError;
use super::instance::{HostState, PluginInstance};
use super::registry::PluginEntry;
use super::runtime::PluginRuntime;

/// A loaded plugin. Cheap to share (`Arc`); instances are made per measurement call.
pub struct LoadedPlugin {
    runtime: PluginRuntime,
    pre: InstancePre<HostState>,
    name: Arc<str>,
    entry: PluginEntry,
    describe: Describe,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin").field("name", &self.name).field("describe", &self.describe).finish()
    }
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl LoadedPlugin {
    /// Reads `entry.file`, checks its SHA-256, compiles and links it, and checks its ABI
    /// version and `describe` (whose name must be the entry's).
    pub fn load(runtime: &PluginRuntime, entry: &PluginEntry) -> Result<LoadedPlugin, PluginError> {
        let bytes = std::fs::read(&entry.file).map_err(|e| PluginError::Read {
            plugin: entry.name.clone(),
            path: entry.file.clone(),
            message: e.to_string(),
        })?;
        let actual = sha256_hex(&bytes);
        if !actual.eq_ignore_ascii_case(&entry.sha256) {
            return Err(PluginError::Checksum {
                plugin: entry.name.clone(),
                path: entry.file.clone(),
                expected: entry.sha256.clone(),
                actual,
            });
        }
        let plugin = LoadedPlugin::from_bytes(runtime, entry.clone(), &bytes)?;
        if plugin.describe.name != entry.name {
            return Err(PluginError::Abi {
                plugin: entry.name.clone(),
                message: format!(
                    "the module describes itself as {:?}, not as the registry's name",
                    plugin.describe.name
                ),
            });
        }
        Ok(plugin)
    }

    /// Loads a module file without a registry (for `augur plugin describe` and `test`): no
    /// checksum, no allowed host, default limits. The plugin is named after its `describe`.
    pub fn load_unregistered(runtime: &PluginRuntime, path: &Path) -> Result<LoadedPlugin, PluginError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| PluginError::Read {
            plugin: name.clone(),
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        // Offline use only (replayed responses): any host, since nothing reaches a network.
        let entry = PluginEntry {
            name,
            file: path.to_path_buf(),
            sha256: sha256_hex(&bytes),
            allowed_hosts: vec!["*".into()],
            ..Default::default()
        };
        let mut plugin = LoadedPlugin::from_bytes(runtime, entry, &bytes)?;
        plugin.name = Arc::from(plugin.describe.name.as_str());
        plugin.entry.name = plugin.describe.name.clone();
        Ok(plugin)
    }

    /// Compiles and links module bytes for `entry` (whose file and checksum are not used).
    pub fn from_bytes(runtime: &PluginRuntime, entry: PluginEntry, bytes: &[u8]) -> Result<LoadedPlugin, PluginError> {
        let name: Arc<str> = Arc::from(entry.name.as_str());
        let plugin_name = entry.name.clone();
        let abi = |message: String| PluginError::Abi { plugin: plugin_name.clone(), message };
        let module =
            Module::new(runtime.engine(), bytes).map_err(|e| abi(format!("not a valid WebAssembly module: {e}")))?;
        for import in module.imports() {
            let is_log = import.module() == exports::LOG_MODULE
                && import.name() == exports::LOG
                && matches!(import.ty(), ExternType::Func(_));
            if !is_log {
                return Err(abi(format!(
                    "imports {}.{}, which the host does not provide (ABI v1 offers only {}.{})",
                    import.module(),
                    import.name(),
                    exports::LOG_MODULE,
                    exports::LOG
                )));
            }
        }
        let mut linker: Linker<HostState> = Linker::new(runtime.engine());
        linker
            .func_wrap(
                exports::LOG_MODULE,
                exports::LOG,
                |mut caller: Caller<'_, HostState>, level: i32, ptr: i32, len: i32| {
                    let Some(memory) = caller.get_export(exports::MEMORY).and_then(|e| e.into_memory()) else { return };
                    let (start, len) = (ptr as u32 as usize, (len as u32 as usize).min(4096));
                    let bytes = memory.data(&caller).get(start..start.saturating_add(len)).map(<[u8]>::to_vec);
                    if let Some(bytes) = bytes {
                        caller.data_mut().log(level, &bytes);
                    }
                },
            )
            .map_err(|e| abi(format!("cannot define the log import: {e}")))?;
        let pre = linker.instantiate_pre(&module).map_err(|e| abi(format!("cannot link the module: {e}")))?;
        let mut plugin = LoadedPlugin { runtime: runtime.clone(), pre, name, entry, describe: Describe::default() };
        let mut instance = plugin.instantiate()?;
        let version = instance.abi_version()?;
        if version != ABI_VERSION as i32 && instance.abi_supports(ABI_VERSION as i32)? != Some(true) {
            return Err(abi(format!("speaks plugin ABI version {version}; this host speaks version {ABI_VERSION}")));
        }
        plugin.describe = instance.describe()?;
        Ok(plugin)
    }

    /// A fresh instance.
    pub fn instantiate(&self) -> Result<PluginInstance, PluginError> {
        PluginInstance::new(&self.runtime, &self.pre, self.name.clone(), self.entry.limits)
    }

    /// The plugin's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its registry entry (hosts, auth profiles, limits).
    pub fn entry(&self) -> &PluginEntry {
        &self.entry
    }

    /// Its `describe` answer.
    pub fn describe(&self) -> &Describe {
        &self.describe
    }
}
