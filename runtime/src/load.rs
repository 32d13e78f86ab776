//! Loading a callee's compiled module within a call tree, priced.
//!
//! A **resident** module ([`RuntimeConfig::resident_code`](crate::RuntimeConfig): a chain's
//! genesis contracts, pinned in every node's memory cache from the start) loads for free.
//!
//! Every other module: the first frame of a call tree that runs it (a code hash) pays
//! [`load_price`](crate::gas::load_price) of its bytecode's shape (the formula deploy is priced
//! by, with the load's own coefficients) — the disk load (read, checksum, deserialize, link of
//! the compiled artifact) a node whose memory cache does not hold it performs — whether or not
//! this node's memory cache holds it: which modules
//! a node keeps in memory is its own business, gas is consensus. Compilation was paid at
//! deploy; a node that must compile again (its artifact missing or refused) bears that time
//! itself. The price is known before any work is done (from the memory entry, or the bytecode
//! read from the store), and a frame whose limit cannot pay it is refused with `OutOfGas`
//! before the module is loaded. Later frames of the same tree reuse the module for free: the
//! tree holds it until the top-level call returns, so the memory cache's evictions cannot make
//! a tree load a module twice.

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

/// The modules a call tree has loaded (and paid for) so far.
#[derive(Default)]
pub(crate) struct Loaded(Mutex<HashMap<CodeHash, Arc<CompiledContract>>>);

/// A frame's module, or the load price its limit cannot pay.
pub(crate) enum Load {
    /// The module, and the gas its load costs this frame (0 if the tree loaded it before).
    Ready(Arc<CompiledContract>, u64),
    /// The first load of this module in the tree costs `price`, over the frame's limit: not
    /// loaded.
    Unaffordable(u64),
}

impl Env {
    /// The compiled module of `record` for a frame with `gas_limit`, priced (see the module
    /// docs).
    pub(crate) fn load(&self, record: &ContractRecord, gas_limit: u64) -> Result<Load, HostError> {
        let hash = record.code_hash();
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
        self.loaded.0.lock().insert(hash, compiled.clone());
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
