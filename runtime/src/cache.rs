//! The module cache: compiled contracts in memory and on disk, keyed by code hash.
//!
//! Lookup order: memory → disk → compile. A disk entry is a file named
//! `<code hash>.cwasm` holding `magic ‖ engine fingerprint ‖ code hash ‖ blake2b-256(artifact) ‖
//! artifact length ‖ artifact`. Loading a compiled artifact is `unsafe` in wasmtime (it is machine
//! code), so an entry is deserialized **only** when its magic, fingerprint (wasmtime version,
//! target, compiler settings, our format), code hash, length and checksum all match; anything
//! else — a truncated file, a flipped bit, a file from another build — is counted as rejected,
//! recompiled from the bytecode and rewritten. Disk writes go through a temporary file and a
//! rename, so a crash never leaves a half-written entry under the real name.

use crate::engine::engine_fingerprint;
use crate::store_data::HostState;
use crate::{CodeHash, blake2b_256};
use parking_lot::{Mutex, RwLock};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wasmtime::{Engine, InstancePre, Linker, Module};

const MAGIC: &[u8; 8] = b"SBXCWSM1";
const HEADER_BYTES: usize = 8 + 32 + 32 + 32 + 8;

/// A contract ready to instantiate.
pub(crate) struct CompiledContract {
    pub pre: InstancePre<HostState>,
    pub entry_points: BTreeSet<String>,
}

/// Counters of where compiled modules came from.
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
}

pub(crate) struct ModuleCache {
    engine: Engine,
    linker: Linker<HostState>,
    fingerprint: [u8; 32],
    dir: Option<PathBuf>,
    memory: RwLock<HashMap<CodeHash, Arc<CompiledContract>>>,
    stats: Mutex<CacheStats>,
}

impl ModuleCache {
    pub fn new(
        engine: Engine,
        linker: Linker<HostState>,
        dir: Option<PathBuf>,
        gas_schedule: &[u8; 32],
    ) -> Self {
        let fingerprint = engine_fingerprint(&engine, gas_schedule);
        Self {
            engine,
            linker,
            fingerprint,
            dir,
            memory: RwLock::new(HashMap::new()),
            stats: Mutex::new(CacheStats::default()),
        }
    }

    pub fn stats(&self) -> CacheStats {
        *self.stats.lock()
    }

    /// Drop the in-memory entries (the disk cache stays).
    pub fn clear_memory(&self) {
        self.memory.write().clear();
    }

    /// The compiled contract for `hash`; `bytecode` is asked for only on a miss.
    ///
    /// # Errors
    /// When the bytecode is unavailable or does not compile (a message for the caller's error).
    pub fn get(
        &self,
        hash: CodeHash,
        bytecode: impl FnOnce() -> Result<Arc<[u8]>, String>,
    ) -> Result<Arc<CompiledContract>, String> {
        if let Some(hit) = self.memory.read().get(&hash) {
            self.stats.lock().memory_hits += 1;
            return Ok(hit.clone());
        }
        let module = match self.load_from_disk(&hash) {
            Some(m) => m,
            None => {
                let code = bytecode()?;
                self.compile_and_store(hash, &code)?
            }
        };
        self.insert(hash, &module)
    }

    fn insert(&self, hash: CodeHash, module: &Module) -> Result<Arc<CompiledContract>, String> {
        let pre = self
            .linker
            .instantiate_pre(module)
            .map_err(|e| format!("{e:#}"))?;
        let entry_points = module
            .exports()
            .filter(|e| e.ty().func().is_some())
            .map(|e| e.name().to_string())
            .collect();
        let compiled = Arc::new(CompiledContract { pre, entry_points });
        self.memory.write().insert(hash, compiled.clone());
        Ok(compiled)
    }

    fn compile_and_store(&self, hash: CodeHash, code: &[u8]) -> Result<Module, String> {
        let module = Module::new(&self.engine, code).map_err(|e| format!("{e:#}"))?;
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
