//! The module cache: compiled contracts in memory (bounded, least recently used first out) and
//! on disk, keyed by code hash.
//!
//! Lookup order: memory → disk → compile. The memory cache holds at most
//! [`ModuleCacheLimits::max_bytes`] of compiled code and [`ModuleCacheLimits::max_modules`]
//! modules; past either bound the least recently used module that is not **pinned** is evicted
//! (it stays on disk and is loaded again when next called). Pinned modules are never evicted;
//! they count toward the bound. The resident modules
//! ([`RuntimeConfig::resident_code`](crate::RuntimeConfig::resident_code), a chain's genesis
//! contracts) are pinned when the runtime is built; an embedder may pin more
//! ([`Runtime::pin_module`](crate::Runtime::pin_module)). A module larger than the whole bound
//! is returned to its caller but not kept.
//!
//! Which modules are in memory is the node's own business, never consensus: gas does not
//! depend on it (a session pays for each distinct non-resident module it loads whether or
//! not it was in memory, and never for a resident one; see `load.rs`). A session holds what it
//! loaded until it ends, whatever this cache evicts meanwhile.
//!
//! A disk entry is a file named `<code hash>.cwasm` holding `magic ‖ engine fingerprint ‖ code
//! hash ‖ blake2b-256(artifact) ‖ artifact length ‖ artifact`. Loading a compiled artifact is
//! `unsafe` in wasmtime (it is machine code), so an entry is deserialized **only** when its
//! magic, fingerprint (wasmtime version, target, compiler settings, our format), code hash,
//! length and checksum all match; anything else — a truncated file, a flipped bit, a file from
//! another build — is counted as rejected, recompiled from the bytecode and rewritten. Disk
//! writes go through a temporary file and a rename, so a crash never leaves a half-written entry
//! under the real name.

use crate::config::ModuleCacheLimits;
use crate::engine::engine_fingerprint;
use crate::error::{DeployError, StoreError};
use crate::shape::{ModuleShape, module_shape};
use crate::store_data::HostState;
use crate::{CodeHash, blake2b_256};
use parking_lot::Mutex;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wasmtime::{Engine, InstancePre, Linker, Module};

const MAGIC: &[u8; 8] = b"SBXCWSM1";

/// The shape of `code` for pricing its loads; a module that does not parse (it can never be
/// compiled: compiling it fails) has the shape of its bytes alone.
pub(crate) fn shape_of(code: &[u8]) -> ModuleShape {
    module_shape(code).unwrap_or(ModuleShape {
        bytes: code.len() as u64,
        ..ModuleShape::default()
    })
}
const HEADER_BYTES: usize = 8 + 32 + 32 + 32 + 8;

/// A contract ready to instantiate.
pub(crate) struct CompiledContract {
    pub pre: InstancePre<HostState>,
    pub entry_points: BTreeSet<String>,
    /// The shape of its bytecode (what loading it is priced by, see
    /// [`load_price`](crate::gas::load_price)).
    pub shape: ModuleShape,
    /// The size of its compiled image in memory (what the memory cache's bound counts).
    pub image_bytes: usize,
    /// The 64 KiB pages of its initial memory (what instantiating it is priced by, see
    /// [`initial_memory_price`](crate::gas::initial_memory_price)).
    pub initial_pages: u64,
}

/// Why a contract's compiled module could not be had. A host failure (not the contract's
/// fault): the store lost the code, or code reached the store without a deploy.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModuleError {
    /// The store has a contract record but not the code it names.
    #[error("the code {0} of a deployed contract is missing from the store")]
    MissingCode(CodeHash),
    /// The store failed while reading the code.
    #[error("reading the code {hash}: {error}")]
    Store {
        /// The module's code hash.
        hash: CodeHash,
        /// The store's error (boxed: it keeps `HostError` small).
        error: Box<StoreError>,
    },
    /// Code read from the store fails the deploy checks (it was written by other means).
    #[error("stored code {hash} fails deploy validation: {error}")]
    Invalid {
        /// The module's code hash.
        hash: CodeHash,
        /// The first check it fails (boxed: it keeps `HostError` small).
        error: Box<DeployError>,
    },
    /// wasmtime refused to compile the module.
    #[error("compiling {hash}: {message}")]
    Compile {
        /// The module's code hash.
        hash: CodeHash,
        /// wasmtime's message.
        message: String,
    },
    /// The module's imports could not be linked to the host functions.
    #[error("linking {hash}: {message}")]
    Link {
        /// The module's code hash.
        hash: CodeHash,
        /// wasmtime's message.
        message: String,
    },
}

/// Counters of where compiled modules came from, and what the memory cache holds now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Served from memory.
    pub memory_hits: u64,
    /// Loaded from a verified disk entry.
    pub disk_hits: u64,
    /// Disk entries refused (corrupt, truncated, foreign) and recompiled.
    pub disk_rejected: u64,
    /// Compiled from bytecode.
    pub compiles: u64,
    /// Disk entries that could not be written (the cache still works from memory).
    pub disk_write_failures: u64,
    /// Modules dropped from memory to keep within [`ModuleCacheLimits`] (a module too large
    /// to keep at all counts once, when it is loaded).
    pub evictions: u64,
    /// Modules in memory now.
    pub in_memory_modules: u64,
    /// Bytes of compiled code in memory now.
    pub in_memory_bytes: u64,
}

impl CacheStats {
    /// Lookups memory could not serve (loaded from disk or compiled).
    pub fn misses(&self) -> u64 {
        self.disk_hits + self.compiles
    }

    /// The counters alone (`in_memory_*` zeroed), for comparing histories.
    pub fn counters(&self) -> Self {
        Self {
            in_memory_modules: 0,
            in_memory_bytes: 0,
            ..*self
        }
    }
}

/// The in-memory modules, least recently used first.
#[derive(Default)]
struct Lru {
    entries: HashMap<CodeHash, (Arc<CompiledContract>, u64)>,
    /// Last use → module; the smallest is the next to go.
    order: BTreeMap<u64, CodeHash>,
    tick: u64,
    bytes: usize,
    pinned: HashSet<CodeHash>,
}

impl Lru {
    fn touch(&mut self, hash: &CodeHash) -> Option<Arc<CompiledContract>> {
        self.tick += 1;
        let tick = self.tick;
        let (compiled, last) = self.entries.get_mut(hash)?;
        self.order.remove(last);
        *last = tick;
        self.order.insert(tick, *hash);
        Some(compiled.clone())
    }

    /// Keep `compiled`, then evict until within `limits`; the number evicted.
    fn insert(
        &mut self,
        hash: CodeHash,
        compiled: Arc<CompiledContract>,
        limits: &ModuleCacheLimits,
    ) -> u64 {
        if compiled.image_bytes > limits.max_bytes && !self.pinned.contains(&hash) {
            return 1;
        }
        self.tick += 1;
        self.bytes += compiled.image_bytes;
        if let Some((old, last)) = self.entries.insert(hash, (compiled, self.tick)) {
            self.bytes -= old.image_bytes;
            self.order.remove(&last);
        }
        self.order.insert(self.tick, hash);
        let mut evicted = 0;
        let mut cursor = 0;
        while self.bytes > limits.max_bytes || self.entries.len() > limits.max_modules {
            let Some((&last, &victim)) = self.order.range(cursor..).next() else {
                break; // only pinned modules left
            };
            cursor = last + 1;
            if self.pinned.contains(&victim) {
                continue;
            }
            self.order.remove(&last);
            if let Some((old, _)) = self.entries.remove(&victim) {
                self.bytes -= old.image_bytes;
            }
            evicted += 1;
        }
        evicted
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
        self.bytes = 0;
    }
}

pub(crate) struct ModuleCache {
    engine: Engine,
    linker: Linker<HostState>,
    fingerprint: [u8; 32],
    dir: Option<PathBuf>,
    limits: ModuleCacheLimits,
    memory: Mutex<Lru>,
    stats: Mutex<CacheStats>,
}

impl ModuleCache {
    pub fn new(
        engine: Engine,
        linker: Linker<HostState>,
        dir: Option<PathBuf>,
        limits: ModuleCacheLimits,
        gas_schedule: &[u8; 32],
    ) -> Self {
        let fingerprint = engine_fingerprint(&engine, gas_schedule);
        Self {
            engine,
            linker,
            fingerprint,
            dir,
            limits,
            memory: Mutex::new(Lru::default()),
            stats: Mutex::new(CacheStats::default()),
        }
    }

    pub fn stats(&self) -> CacheStats {
        let memory = self.memory.lock();
        CacheStats {
            in_memory_modules: memory.entries.len() as u64,
            in_memory_bytes: memory.bytes as u64,
            ..*self.stats.lock()
        }
    }

    /// Never evict `hash` (from now on, and once it is loaded if it is not yet).
    pub fn pin(&self, hash: CodeHash) {
        self.memory.lock().pinned.insert(hash);
    }

    /// Drop the in-memory entries, pinned ones included (the disk cache and the pins stay).
    pub fn clear_memory(&self) {
        self.memory.lock().clear();
    }

    /// The compiled contract for `hash` if it is in memory (a hit is counted and makes it the
    /// most recently used).
    pub fn cached(&self, hash: &CodeHash) -> Option<Arc<CompiledContract>> {
        let hit = self.memory.lock().touch(hash);
        if hit.is_some() {
            self.stats.lock().memory_hits += 1;
        }
        hit
    }

    /// The compiled contract for `hash`: from memory, else `load` with the bytecode, which is
    /// asked for only on a miss.
    ///
    /// # Errors
    /// When the bytecode is unavailable or does not compile.
    pub fn get(
        &self,
        hash: CodeHash,
        bytecode: impl FnOnce() -> Result<Arc<[u8]>, ModuleError>,
    ) -> Result<Arc<CompiledContract>, ModuleError> {
        match self.cached(&hash) {
            Some(hit) => Ok(hit),
            None => {
                let code = bytecode()?;
                self.load(hash, &code, shape_of(&code), |_| Ok(()))
            }
        }
    }

    /// Load `code` (whose hash is `hash`) from its disk entry, or check it with
    /// `before_compile` and compile it, and keep it in memory (evicting as needed). A disk
    /// entry needs no check: it was compiled from these very bytes (the code hash is in its
    /// verified header), after they passed.
    ///
    /// # Errors
    /// When the code fails `before_compile`, does not compile or does not link.
    pub fn load(
        &self,
        hash: CodeHash,
        code: &[u8],
        shape: ModuleShape,
        before_compile: impl FnOnce(&[u8]) -> Result<(), ModuleError>,
    ) -> Result<Arc<CompiledContract>, ModuleError> {
        let module = match self.load_from_disk(&hash) {
            Some(m) => m,
            None => {
                before_compile(code)?;
                self.compile_and_store(hash, code)?
            }
        };
        let pre = self
            .linker
            .instantiate_pre(&module)
            .map_err(|e| ModuleError::Link {
                hash,
                message: format!("{e:#}"),
            })?;
        let entry_points = module
            .exports()
            .filter(|e| e.ty().func().is_some())
            .map(|e| e.name().to_string())
            .collect();
        let range = module.image_range();
        let compiled = Arc::new(CompiledContract {
            pre,
            entry_points,
            shape,
            image_bytes: (range.end as usize - range.start as usize).max(1),
            initial_pages: module
                .resources_required()
                .max_initial_memory_size
                .unwrap_or(0),
        });
        let evicted = self
            .memory
            .lock()
            .insert(hash, compiled.clone(), &self.limits);
        self.stats.lock().evictions += evicted;
        Ok(compiled)
    }

    fn compile_and_store(&self, hash: CodeHash, code: &[u8]) -> Result<Module, ModuleError> {
        let module = Module::new(&self.engine, code).map_err(|e| ModuleError::Compile {
            hash,
            message: format!("{e:#}"),
        })?;
        self.stats.lock().compiles += 1;
        if let Some(path) = self.path(&hash)
            && self.write_entry(&path, &hash, &module).is_err()
        {
            self.stats.lock().disk_write_failures += 1;
        }
        Ok(module)
    }

    fn path(&self, hash: &CodeHash) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(format!("{hash}.cwasm")))
    }

    fn write_entry(&self, path: &Path, hash: &CodeHash, module: &Module) -> std::io::Result<()> {
        let artifact = module.serialize().map_err(std::io::Error::other)?;
        let mut file = Vec::with_capacity(HEADER_BYTES + artifact.len());
        file.extend_from_slice(MAGIC);
        file.extend_from_slice(&self.fingerprint);
        file.extend_from_slice(&hash.0);
        file.extend_from_slice(&blake2b_256(&[&artifact]));
        file.extend_from_slice(&(artifact.len() as u64).to_le_bytes());
        file.extend_from_slice(&artifact);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, &file)?;
        std::fs::rename(&tmp, path)
    }

    /// A verified disk entry, or `None` (missing, or rejected and counted).
    fn load_from_disk(&self, hash: &CodeHash) -> Option<Module> {
        let path = self.path(hash)?;
        let bytes = std::fs::read(&path).ok()?;
        let module = self.verify_and_load(hash, &bytes);
        let mut stats = self.stats.lock();
        match module {
            Some(_) => stats.disk_hits += 1,
            None => stats.disk_rejected += 1,
        }
        module
    }

    fn verify_and_load(&self, hash: &CodeHash, bytes: &[u8]) -> Option<Module> {
        if bytes.len() < HEADER_BYTES {
            return None;
        }
        let (header, artifact) = bytes.split_at(HEADER_BYTES);
        let ok = &header[..8] == MAGIC
            && header[8..40] == self.fingerprint
            && header[40..72] == hash.0
            && header[104..112] == (artifact.len() as u64).to_le_bytes()
            && header[72..104] == blake2b_256(&[artifact]);
        if !ok {
            return None;
        }
        // SAFETY: the artifact was written by `write_entry` of a runtime with the same engine
        // fingerprint (same wasmtime, target and settings) for this code hash, and its checksum
        // matches, so these are the exact bytes `Module::serialize` produced. wasmtime checks its
        // own version and configuration header again inside `deserialize`.
        unsafe { Module::deserialize(&self.engine, artifact) }.ok()
    }
}
