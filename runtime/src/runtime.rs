//! [`Runtime`]: the engine, the linker and the module cache of a process.
//!
//! One `Runtime` per process (cheap to clone, shared by all sessions): it owns the wasmtime
//! Engine and the compiled modules. Execution happens in [`Session`]s, each over a state store.

use crate::CodeHash;
use crate::cache::{CacheStats, ModuleCache};
use crate::config::RuntimeConfig;
use crate::engine::build_engine;
use crate::error::{DeployError, RuntimeError};
use crate::gas::PriceTable;
use crate::host::{BlockInfo, linker};
use crate::session::Session;
use crate::state::StateStore;
use crate::validate::{ModuleInfo, validate};
use std::sync::Arc;

/// The sandbox of a process. See the crate docs for an example.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) inner: Arc<RuntimeInner>,
}

pub(crate) struct RuntimeInner {
    pub config: RuntimeConfig,
    pub prices: Arc<PriceTable>,
    pub engine: wasmtime::Engine,
    pub cache: ModuleCache,
}

impl Runtime {
    /// Build a runtime.
    ///
    /// # Errors
    /// When wasmtime refuses the engine configuration or the cache directory cannot be created.
    pub fn new(config: RuntimeConfig) -> Result<Self, RuntimeError> {
        let engine = build_engine(&config)?;
        let linker = linker(&engine).map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        if let Some(dir) = &config.cache_dir {
            std::fs::create_dir_all(dir).map_err(|e| RuntimeError::CacheDir {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?;
        }
        let cache = ModuleCache::new(
            engine.clone(),
            linker,
            config.cache_dir.clone(),
            config.module_cache,
            &config.gas_schedule_fingerprint(),
        );
        for hash in &config.resident_code {
            cache.pin(*hash);
        }
        let prices = Arc::new(config.prices);
        Ok(Self {
            inner: Arc::new(RuntimeInner {
                config,
                prices,
                engine,
                cache,
            }),
        })
    }

    /// Whether `code_hash` is resident (see [`RuntimeConfig::resident_code`]): a call loads it
    /// for free.
    pub fn is_resident(&self, code_hash: &CodeHash) -> bool {
        self.inner.config.resident_code.contains(code_hash)
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &RuntimeConfig {
        &self.inner.config
    }

    /// The wasmtime engine (for benchmarks comparing against bare wasmtime).
    pub fn engine(&self) -> &wasmtime::Engine {
        &self.inner.engine
    }

    /// The fingerprint of the gas schedule this runtime charges (prices and operator costs):
    /// gas is consensus, so a chain's genesis pins it and a node whose value differs must refuse
    /// the chain. See [`gas_schedule_fingerprint`](crate::gas::gas_schedule_fingerprint).
    pub fn gas_schedule_fingerprint(&self) -> [u8; 32] {
        self.inner.config.gas_schedule_fingerprint()
    }

    /// Run the deploy-time checks on a module without deploying it.
    ///
    /// # Errors
    /// The first problem found.
    pub fn validate(&self, bytecode: &[u8]) -> Result<ModuleInfo, DeployError> {
        validate(bytecode, &self.inner.config.limits)
    }

    /// Open a session over `store`, executing as in block `block`.
    pub fn session(&self, store: Arc<dyn StateStore>, block: BlockInfo) -> Session {
        Session::new(self.clone(), store, block)
    }

    /// Where compiled modules came from so far.
    pub fn cache_stats(&self) -> CacheStats {
        self.inner.cache.stats()
    }

    /// Keep the compiled module of `code_hash` in memory for good: never evicted from the
    /// bounded memory cache. A module not in memory now is kept once it is next loaded. Pinned
    /// modules count toward the bound. Gas does not depend on it: the modules a call loads for
    /// free are the resident ones ([`RuntimeConfig::resident_code`], pinned by [`Runtime::new`]),
    /// a consensus set this local choice does not change.
    pub fn pin_module(&self, code_hash: CodeHash) {
        self.inner.cache.pin(code_hash);
    }

    /// Forget the compiled modules held in memory, pinned ones included (the disk cache and
    /// the pins stay). For tests and benchmarks of the disk path.
    pub fn clear_memory_cache(&self) {
        self.inner.cache.clear_memory();
    }
}
