//! Loading a callee's compiled module within a session, priced.
//!
//! A **resident** module ([`RuntimeConfig::resident_code`](crate::RuntimeConfig): a chain's
//! genesis contracts, pinned in every node's memory cache from the start) loads for free.
//!
//! Every other module: the first frame **of a [`Session`](crate::Session)** that runs it (a code
//! hash) pays [`load_price`](crate::gas::load_price) of its bytecode's shape (the formula deploy
//! is priced by, with the load's own coefficients) — the disk load (read, checksum,
//! deserialize, link of the compiled artifact) a node whose memory cache does not hold it
//! performs — whether or not this node's memory cache holds it: which modules a node keeps in
//! memory is its own business, gas is consensus. Compilation was paid at deploy; a node that
//! must compile again (its artifact missing or refused) bears that time itself. The price is
//! known before any work is done (from the memory entry, or the bytecode read from the store),
//! and a frame whose limit cannot pay it is refused with `OutOfGas` before the module is
//! loaded: nothing is loaded, nothing is kept warm.
//!
//! **Warm modules.** The session keeps every module it paid to load ([`Warm`], an `Arc` of the
//! compiled module) until it is dropped, so later frames of the same call tree *and of every
//! later call tree of the session* run it for free, and the memory cache's evictions can never
//! make a session load a module twice. A node runs one session per block (node-lite's
//! `devnet::executor::execute`: the block's mints, transactions and protocol calls), so a module
//! is paid for once per block, by the first transaction that runs it, in the block's order. A
//! module stays warm whatever its tree's outcome (a trap, `OutOfGas`, a refused entry point, a
//! revert): the load happened and was paid.
//!
//! The warm set is bounded: at most [`MAX_WARM_MODULES`] modules and
//! [`MAX_WARM_BYTECODE_BYTES`] bytes of their bytecode. A module that would take the set past
//! either bound is held by its call tree alone, until its top-level call returns, and paid again
//! by the next tree that runs it (the rule before warm modules). Which modules are warm depends
//! only on the order of the session's loads, never on a node's memory cache, so every node
//! charges the same gas.
//!
//! Gas still bounds time: a warm frame loads nothing (no store read, no disk entry, no
//! deserialization or linking): it clones an `Arc`, then instantiates and runs the module as
//! every frame does, which `call_base`, `memory_initial_per_page` and its own prices cover (they
//! were measured with the module in memory). A dry run runs in a fresh session and pays the
//! load, so its estimate is at least what the call spends anywhere in a block.

use crate::CodeHash;
use crate::cache::{CompiledContract, ModuleError, shape_of};
use crate::call::Env;
use crate::error::{DeployError, HostError};
use crate::gas::load_price;
use crate::state::ContractRecord;
use crate::validate::validate;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

/// Most distinct non-resident modules a session keeps warm. A block's worth of distinct
/// contracts (the devnet's blocks call a handful) that its gas can pay for many times over (a
/// load costs at least 2 M gas: 32 loads are 64 M of a 4 G block), while what a session pins
/// beyond the memory cache's own bound stays small: 32 modules of the bundled contracts' size
/// (9–47 KB of bytecode, 100–400 KiB compiled, see
/// [`DEFAULT_MODULE_CACHE_BYTES`](crate::config::DEFAULT_MODULE_CACHE_BYTES)) are ≈ 13 MiB of
/// compiled code. Past it a module is paid per call tree.
pub const MAX_WARM_MODULES: usize = 32;

/// Most bytes of bytecode (their sum) a session keeps warm: 4 modules of the largest size
/// deploy accepts ([`DEFAULT_MAX_MODULE_BYTES`](crate::config::DEFAULT_MAX_MODULE_BYTES),
/// 1 MiB), or the 32 modules of [`MAX_WARM_MODULES`] at 128 KiB each. It caps the compiled
/// code a session pins when its modules are large: at the bundled contracts' ≈ 10× from
/// bytecode to compiled code, ≈ 40 MiB, beside the memory cache's 256 MiB. Bytecode, not the
/// compiled image, because the bound is consensus and the image's size depends on the node's
/// compiler and target.
pub const MAX_WARM_BYTECODE_BYTES: u64 = 4 * 1024 * 1024;

/// The modules a call tree holds for itself: resident ones, and those the session's warm set
/// had no room for.
#[derive(Default)]
pub(crate) struct Loaded(Mutex<HashMap<CodeHash, Arc<CompiledContract>>>);

/// The modules a session has paid to load and keeps until it is dropped (see the module
/// docs), within [`MAX_WARM_MODULES`] and [`MAX_WARM_BYTECODE_BYTES`].
#[derive(Default)]
pub(crate) struct Warm(Mutex<WarmSet>);

#[derive(Default)]
struct WarmSet {
    modules: HashMap<CodeHash, Arc<CompiledContract>>,
    /// The sum of their bytecode's bytes.
    bytecode_bytes: u64,
}

impl Warm {
    fn get(&self, hash: &CodeHash) -> Option<Arc<CompiledContract>> {
        self.0.lock().modules.get(hash).cloned()
    }

    /// Keep `compiled` warm if the set has room for it; `false` if not.
    fn admit(&self, hash: CodeHash, compiled: &Arc<CompiledContract>) -> bool {
        let mut set = self.0.lock();
        let bytes = set.bytecode_bytes.saturating_add(compiled.shape.bytes);
        if set.modules.len() >= MAX_WARM_MODULES || bytes > MAX_WARM_BYTECODE_BYTES {
            return false;
        }
        set.bytecode_bytes = bytes;
        set.modules.insert(hash, compiled.clone());
        true
    }
}

/// A frame's module, or the load price its limit cannot pay.
pub(crate) enum Load {
    /// The module, and the gas its load costs this frame (0 if it is warm in the session, or
    /// held by the tree).
    Ready(Arc<CompiledContract>, u64),
    /// Loading this module costs `price`, over the frame's limit: not loaded.
    Unaffordable(u64),
}

impl Env {
    /// The compiled module of `record` for a frame with `gas_limit`, priced (see the module
    /// docs).
    pub(crate) fn load(&self, record: &ContractRecord, gas_limit: u64) -> Result<Load, HostError> {
        let hash = record.code_hash();
        if let Some(compiled) = self.warm.get(&hash) {
            return Ok(Load::Ready(compiled, 0));
        }
        if let Some(compiled) = self.loaded.0.lock().get(&hash) {
            return Ok(Load::Ready(compiled.clone(), 0));
        }
        let cache = &self.runtime.cache;
        let prices = &self.runtime.prices;
        let resident = self.runtime.config.resident_code.contains(&hash);
        let price_of = |shape: &crate::shape::ModuleShape| match resident {
            true => 0,
            false => load_price(prices, shape),
        };
        let compiled = match cache.cached(&hash) {
            Some(compiled) => {
                let price = price_of(&compiled.shape);
                if price > gas_limit {
                    return Ok(Load::Unaffordable(price));
                }
                compiled
            }
            None => {
                let code = self.code(hash)?;
                let limits = &self.runtime.config.limits;
                if code.len() > limits.max_module_bytes {
                    // Stored by other means (deploy refuses it): refused before it is priced.
                    let (size, max) = (code.len(), limits.max_module_bytes);
                    let error = DeployError::TooLarge { size, max };
                    return Err(ModuleError::Invalid {
                        hash,
                        error: Box::new(error),
                    }
                    .into());
                }
                let shape = shape_of(&code);
                let price = price_of(&shape);
                if price > gas_limit {
                    return Ok(Load::Unaffordable(price));
                }
                // Code read from a store is validated again before it reaches the compiler:
                // a store written by other means never compiles a module deploy refuses.
                cache.load(hash, &code, shape, |code| {
                    validate(code, limits)
                        .map(|_| ())
                        .map_err(|error| ModuleError::Invalid {
                            hash,
                            error: Box::new(error),
                        })
                })?
            }
        };
        let price = price_of(&compiled.shape);
        // A resident module is pinned in the memory cache: it needs no room in the warm set.
        if resident || !self.warm.admit(hash, &compiled) {
            self.loaded.0.lock().insert(hash, compiled.clone());
        }
        Ok(Load::Ready(compiled, price))
    }

    /// The bytecode of `hash`: deployed in this session, or read from the store.
    fn code(&self, hash: CodeHash) -> Result<Arc<[u8]>, ModuleError> {
        if let Some(code) = self.deployed.code.get(&hash) {
            return Ok(code.clone());
        }
        self.base
            .code(&hash)
            .map_err(|error| ModuleError::Store {
                hash,
                error: Box::new(error),
            })?
            .ok_or(ModuleError::MissingCode(hash))
    }
}

#[cfg(test)]
mod tests;
