//! The mempool: signed transactions waiting for a block, checked on the way in and handed out
//! by fee.
//!
//! # What gets in
//!
//! [`Mempool::insert`] refuses, with a typed [`MempoolRefusal`] (a refused transaction is never
//! kept, so it never reaches a block from here):
//! - a transaction over [`MAX_TX_BYTES`] or with a field over its bound;
//! - one for another chain, or whose signature does not verify;
//! - a gas limit under the pool's minimum (by default the transaction's own intrinsic gas,
//!   which every included transaction pays, so that nothing waits here that no block can take)
//!   or over the block gas limit; a gas price under the pool's minimum;
//! - a nonce below the sender's next nonce (already used: a replay), one already waiting here,
//!   or one more than [`MempoolConfig::max_nonce_gap`] ahead of the next nonce. Transactions
//!   ahead of the next nonce wait until the ones before them arrive; the gap bounds how much of
//!   the pool one sender can fill with transactions that cannot run yet;
//! - a sender whose balance does not cover the maximum fee (gas limit × gas price) of this
//!   transaction plus those of its transactions already waiting;
//! - a transaction already here;
//! - when the pool holds [`MempoolConfig::capacity`] transactions: one whose gas price is not
//!   above the cheapest waiting one. Otherwise the cheapest (the lowest gas price; among equals
//!   the highest nonce, so a sender's earlier transactions stay; then the hash) is evicted to
//!   make room.
//!
//! # What goes out
//!
//! [`Mempool::take_block`] removes and returns a block's worth: the highest gas price first
//! among the transactions that can run next (each sender's transaction at its next nonce), then
//! that sender's following nonce joins the candidates; a transaction that does not fit the gas
//! left is passed over with its sender's later ones. Ties in gas price go to the lower sender
//! address, so the order is the same on every node given the same pool.
//!
//! Balances and nonces come from an [`AccountView`] of the state the block builds on.

use super::accounts::{AccountView, AccountViewError};
use super::key_cache::KeyCache;
use super::tx::{MAX_TX_BYTES, Transaction, TxDecodeError, TxHash, TxSignatureError};
use super::verified::VerifiedSignatures;
use host_api::Address;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Most transactions a pool holds by default.
pub const DEFAULT_MEMPOOL_CAPACITY: usize = 10_000;
/// How far ahead of its next nonce a sender's transaction may be by default: nonces
/// `next ..= next + DEFAULT_MAX_NONCE_GAP` are accepted.
pub const DEFAULT_MAX_NONCE_GAP: u64 = 16;

/// A pool's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MempoolConfig {
    /// The chain transactions must be signed for.
    pub chain_id: u64,
    /// The block gas limit: no transaction may ask for more.
    pub block_gas_limit: u64,
    /// Most transactions held ([`DEFAULT_MEMPOOL_CAPACITY`]).
    pub capacity: usize,
    /// How far ahead of the next nonce a transaction may be ([`DEFAULT_MAX_NONCE_GAP`]).
    pub max_nonce_gap: u64,
    /// The lowest gas price accepted (0 by default).
    pub min_gas_price: u64,
    /// The lowest gas limit accepted: `None` (the default) is each transaction's own
    /// [intrinsic gas](Transaction::intrinsic_gas) — less could never be included — and
    /// `Some(n)` a fixed floor instead (tests use small ones).
    pub min_gas_limit: Option<u64>,
}

impl MempoolConfig {
    /// The rules of a chain with the default capacity, gap and minimum price.
    pub fn new(chain_id: u64, block_gas_limit: u64) -> Self {
        MempoolConfig {
            chain_id,
            block_gas_limit,
            capacity: DEFAULT_MEMPOOL_CAPACITY,
            max_nonce_gap: DEFAULT_MAX_NONCE_GAP,
            min_gas_price: 0,
            min_gas_limit: None,
        }
    }
}

/// Why the pool refused a transaction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MempoolRefusal {
    /// Over a size bound.
    #[error(transparent)]
    Size(#[from] TxDecodeError),
    /// Another chain's, or a signature that does not verify.
    #[error(transparent)]
    Signature(#[from] TxSignatureError),
    /// A gas limit under the pool's minimum (the transaction's intrinsic gas by default).
    #[error("gas limit {gas_limit} under the minimum {minimum}")]
    GasLimitTooLow {
        /// The transaction's.
        gas_limit: u64,
        /// The pool's.
        minimum: u64,
    },
    /// A gas limit over the block gas limit: it could never be included.
    #[error("gas limit {gas_limit} over the block gas limit {block_gas_limit}")]
    GasLimitOverBlock {
        /// The transaction's.
        gas_limit: u64,
        /// The chain's.
        block_gas_limit: u64,
    },
    /// A gas price under the pool's minimum.
    #[error("gas price {gas_price} under the minimum {minimum}")]
    GasPriceTooLow {
        /// The transaction's.
        gas_price: u64,
        /// The pool's.
        minimum: u64,
    },
    /// The nonce was already used (a replay, or a transaction already included).
    #[error("nonce {nonce} already used: the sender's next nonce is {next}")]
    StaleNonce {
        /// The transaction's.
        nonce: u64,
        /// The sender's next.
        next: u64,
    },
    /// The nonce is too far ahead of the sender's next.
    #[error("nonce {nonce} is more than {max_gap} ahead of the sender's next nonce {next}")]
    NonceTooFarAhead {
        /// The transaction's.
        nonce: u64,
        /// The sender's next.
        next: u64,
        /// The pool's gap.
        max_gap: u64,
    },
    /// Another transaction of the sender with this nonce is waiting.
    #[error("a transaction with nonce {nonce} from this sender is already waiting")]
    NonceTaken {
        /// The nonce.
        nonce: u64,
    },
    /// The sender cannot pay the maximum fees of its waiting transactions and this one.
    #[error("balance {balance} cannot pay the maximum fees {needed}")]
    Unpayable {
        /// This transaction's maximum fee plus those of the sender's waiting ones.
        needed: u128,
        /// The sender's balance.
        balance: u128,
    },
    /// Already in the pool.
    #[error("transaction {0} is already waiting")]
    Duplicate(TxHash),
    /// The pool is full of transactions paying at least as much.
    #[error(
        "the pool is full and its cheapest transaction pays {cheapest} per gas, not less than {gas_price}"
    )]
    PoolFull {
        /// The transaction's.
        gas_price: u64,
        /// The cheapest waiting.
        cheapest: u64,
    },
    /// The state could not be read.
    #[error(transparent)]
    View(#[from] AccountViewError),
}

/// Eviction order: lowest price first; among equals the highest nonce, then the hash.
type EvictionKey = (u64, Reverse<u64>, TxHash);

/// Signed transactions waiting for a block. See the [module docs](self).
#[derive(Debug)]
pub struct Mempool {
    config: MempoolConfig,
    by_sender: BTreeMap<Address, BTreeMap<u64, (TxHash, Transaction)>>,
    hashes: BTreeMap<TxHash, (Address, u64)>,
    eviction: BTreeSet<EvictionKey>,
    /// Signatures other pools of this process verified (`with_verified`).
    verified: Option<Arc<VerifiedSignatures>>,
    /// The senders' keys, decoded once (bounded).
    keys: KeyCache,
}

impl Mempool {
    /// An empty pool with `config`'s rules.
    pub fn new(config: MempoolConfig) -> Self {
        Mempool {
            config,
            by_sender: BTreeMap::new(),
            hashes: BTreeMap::new(),
            eviction: BTreeSet::new(),
            verified: None,
            keys: KeyCache::default(),
        }
    }

    /// This pool keeps at most `capacity` decoded sender keys ([`KeyCache`]; the default is
    /// [`DEFAULT_KEY_CACHE_CAPACITY`](super::key_cache::DEFAULT_KEY_CACHE_CAPACITY)).
    pub fn with_key_cache(mut self, capacity: usize) -> Self {
        self.keys = KeyCache::new(capacity);
        self
    }

    /// The decoded sender keys this pool keeps.
    pub fn key_cache(&self) -> &KeyCache {
        &self.keys
    }

    /// This pool skips the signature check of a transaction whose hash is in `verified`, and
    /// records there each signature it verifies (see [`VerifiedSignatures`]: the pools of one
    /// process share one).
    pub fn with_verified(mut self, verified: Arc<VerifiedSignatures>) -> Self {
        self.verified = Some(verified);
        self
    }

    /// How many transactions wait.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Every waiting transaction, in sender then nonce order.
    pub fn transactions(&self) -> Vec<Transaction> {
        self.by_sender
            .values()
            .flat_map(|by_nonce| by_nonce.values().map(|(_, tx)| tx.clone()))
            .collect()
    }

    /// Whether `hash` waits.
    pub fn contains(&self, hash: &TxHash) -> bool {
        self.hashes.contains_key(hash)
    }

    /// Whether `hash`'s signature is known to verify: it waits here (checked on the way in), or
    /// the pool's shared [`VerifiedSignatures`] holds it.
    pub fn signature_known(&self, hash: &TxHash) -> bool {
        self.contains(hash) || self.verified.as_ref().is_some_and(|v| v.contains(hash))
    }

    /// Check `tx` against the rules and the state `view`, and keep it (evicting the cheapest
    /// transaction if the pool is full). Returns its hash.
    ///
    /// # Errors
    /// Why it was refused; the pool is unchanged then.
    pub fn insert(
        &mut self,
        tx: Transaction,
        view: &mut dyn AccountView,
    ) -> Result<TxHash, MempoolRefusal> {
        let size = tx.encoded_len();
        if size > MAX_TX_BYTES {
            return Err(TxDecodeError::TooLarge {
                size,
                max: MAX_TX_BYTES,
            }
            .into());
        }
        tx.check_bounds()?;
        let hash = tx.hash();
        if self.hashes.contains_key(&hash) {
            return Err(MempoolRefusal::Duplicate(hash));
        }
        let body = &tx.body;
        let minimum = self
            .config
            .min_gas_limit
            .unwrap_or_else(|| tx.intrinsic_gas())
            .max(1);
        if body.gas_limit < minimum {
            return Err(MempoolRefusal::GasLimitTooLow {
                gas_limit: body.gas_limit,
                minimum,
            });
        }
        if body.gas_limit > self.config.block_gas_limit {
            return Err(MempoolRefusal::GasLimitOverBlock {
                gas_limit: body.gas_limit,
                block_gas_limit: self.config.block_gas_limit,
            });
        }
        if body.gas_price < self.config.min_gas_price {
            return Err(MempoolRefusal::GasPriceTooLow {
                gas_price: body.gas_price,
                minimum: self.config.min_gas_price,
            });
        }
        if body.chain_id != self.config.chain_id {
            return Err(TxSignatureError::WrongChain {
                expected: self.config.chain_id,
                found: body.chain_id,
            }
            .into());
        }
        // The nonce checks before the signature: they are cheap, the signature is not, and a
        // gossiped transaction a block already included is refused without checking it again.
        let sender = tx.sender();
        let next = view.next_nonce(&sender)?;
        if body.nonce < next {
            return Err(MempoolRefusal::StaleNonce {
                nonce: body.nonce,
                next,
            });
        }
        if body.nonce - next > self.config.max_nonce_gap {
            return Err(MempoolRefusal::NonceTooFarAhead {
                nonce: body.nonce,
                next,
                max_gap: self.config.max_nonce_gap,
            });
        }
        let waiting = self.by_sender.get(&sender);
        if waiting.is_some_and(|w| w.contains_key(&body.nonce)) {
            return Err(MempoolRefusal::NonceTaken { nonce: body.nonce });
        }
        match &self.verified {
            Some(v) if v.contains(&hash) => {}
            Some(v) => {
                tx.verify_with(self.config.chain_id, &mut self.keys)?;
                v.insert(hash);
            }
            None => tx.verify_with(self.config.chain_id, &mut self.keys)?,
        }
        let pending: u128 = waiting.map_or(0, |w| {
            w.range(next..)
                .map(|(_, (_, t))| t.max_fee())
                .fold(0u128, u128::saturating_add)
        });
        let needed = pending.saturating_add(tx.max_fee());
        let balance = view.balance(&sender)?;
        if needed > balance {
            return Err(MempoolRefusal::Unpayable { needed, balance });
        }
        if self.hashes.len() >= self.config.capacity {
            let cheapest = self.eviction.first().copied();
            match cheapest {
                Some((price, _, victim)) if price < body.gas_price => self.remove(&victim),
                Some((price, ..)) => {
                    return Err(MempoolRefusal::PoolFull {
                        gas_price: body.gas_price,
                        cheapest: price,
                    });
                }
                // A capacity of zero.
                None => {
                    return Err(MempoolRefusal::PoolFull {
                        gas_price: body.gas_price,
                        cheapest: 0,
                    });
                }
            };
        }
        self.eviction
            .insert((body.gas_price, Reverse(body.nonce), hash));
        self.hashes.insert(hash, (sender, body.nonce));
        self.by_sender
            .entry(sender)
            .or_default()
            .insert(body.nonce, (hash, tx));
        Ok(hash)
    }

    /// Remove `hash` if it waits; returns the transaction.
    pub fn remove(&mut self, hash: &TxHash) -> Option<Transaction> {
        let (sender, nonce) = self.hashes.remove(hash)?;
        let waiting = self.by_sender.get_mut(&sender)?;
        let (_, tx) = waiting.remove(&nonce)?;
        if waiting.is_empty() {
            self.by_sender.remove(&sender);
        }
        self.eviction
            .remove(&(tx.body.gas_price, Reverse(nonce), *hash));
        Some(tx)
    }

    /// Drop every transaction whose nonce the state `view` says is used (after a block).
    ///
    /// # Errors
    /// When the state cannot be read; the pool keeps what it had not dropped yet.
    pub fn prune(&mut self, view: &mut dyn AccountView) -> Result<usize, AccountViewError> {
        let next_nonces = self.next_nonces(view)?;
        Ok(self.prune_with(&next_nonces))
    }

    fn next_nonces(
        &self,
        view: &mut dyn AccountView,
    ) -> Result<BTreeMap<Address, u64>, AccountViewError> {
        let mut next_nonces = BTreeMap::new();
        for sender in self.by_sender.keys() {
            next_nonces.insert(*sender, view.next_nonce(sender)?);
        }
        Ok(next_nonces)
    }

    /// Remove and return a block's worth of transactions, in execution order, spending at most
    /// `gas_limit` in total gas limits (see the [module docs](self)). Transactions whose nonce
    /// the state `view` says is used are dropped on the way.
    ///
    /// # Errors
    /// When the state cannot be read; nothing is removed then.
    pub fn take_block(
        &mut self,
        gas_limit: u64,
        view: &mut dyn AccountView,
    ) -> Result<Vec<Transaction>, AccountViewError> {
        let chosen = self.choose_block(gas_limit, view)?;
        Ok(chosen.iter().filter_map(|h| self.remove(h)).collect())
    }

    /// [`take_block`](Self::take_block)'s transactions, left in the pool (a generator's
    /// candidate: they leave the pool when a block including them is accepted). Transactions
    /// whose nonce the state `view` says is used are dropped on the way.
    ///
    /// # Errors
    /// When the state cannot be read; nothing is removed then.
    pub fn select_block(
        &mut self,
        gas_limit: u64,
        view: &mut dyn AccountView,
    ) -> Result<Vec<Transaction>, AccountViewError> {
        let chosen = self.choose_block(gas_limit, view)?;
        Ok(chosen
            .iter()
            .filter_map(|h| {
                let (sender, nonce) = self.hashes.get(h)?;
                let (_, tx) = self.by_sender.get(sender)?.get(nonce)?;
                Some(tx.clone())
            })
            .collect())
    }

    /// The hashes of a block's worth, in execution order (see the [module docs](self)).
    fn choose_block(
        &mut self,
        gas_limit: u64,
        view: &mut dyn AccountView,
    ) -> Result<Vec<TxHash>, AccountViewError> {
        let next_nonces = self.next_nonces(view)?;
        self.prune_with(&next_nonces);
        // Candidates: (price, sender, nonce), highest price first, then the lower sender.
        let mut candidates: BTreeSet<(Reverse<u64>, Address, u64)> = BTreeSet::new();
        for (sender, waiting) in &self.by_sender {
            let next = next_nonces.get(sender).copied().unwrap_or(0);
            if let Some((_, tx)) = waiting.get(&next) {
                candidates.insert((Reverse(tx.body.gas_price), *sender, next));
            }
        }
        let mut left = gas_limit;
        let mut chosen = Vec::new();
        while let Some((_, sender, nonce)) = candidates.pop_first() {
            let Some((hash, tx)) = self.by_sender.get(&sender).and_then(|w| w.get(&nonce)) else {
                continue;
            };
            if tx.body.gas_limit > left {
                continue;
            }
            left -= tx.body.gas_limit;
            chosen.push(*hash);
            let following = nonce.saturating_add(1);
            if let Some((_, t)) = self.by_sender.get(&sender).and_then(|w| w.get(&following)) {
                candidates.insert((Reverse(t.body.gas_price), sender, following));
            }
        }
        Ok(chosen)
    }

    /// A block was accepted: remove its transactions (`(hash, sender, nonce)` of each) and
    /// every other waiting transaction of their senders at or below the highest nonce the block
    /// used for them (those nonces are spent). Reads no state: a sender's nonces move only by
    /// the transactions of a block. Returns how many left the pool.
    pub fn remove_included(&mut self, included: &[(TxHash, Address, u64)]) -> usize {
        let mut removed = 0;
        let mut spent: BTreeMap<Address, u64> = BTreeMap::new();
        for (hash, sender, nonce) in included {
            removed += usize::from(self.remove(hash).is_some());
            let max = spent.entry(*sender).or_insert(*nonce);
            *max = (*max).max(*nonce);
        }
        let mut stale = Vec::new();
        for (sender, max) in &spent {
            if let Some(waiting) = self.by_sender.get(sender) {
                stale.extend(waiting.range(..=*max).map(|(_, (hash, _))| *hash));
            }
        }
        for hash in &stale {
            removed += usize::from(self.remove(hash).is_some());
        }
        removed
    }

    fn prune_with(&mut self, next_nonces: &BTreeMap<Address, u64>) -> usize {
        let stale: Vec<TxHash> = self
            .by_sender
            .iter()
            .flat_map(|(sender, waiting)| {
                let next = next_nonces.get(sender).copied().unwrap_or(0);
                waiting.range(..next).map(|(_, (hash, _))| *hash)
            })
            .collect();
        for hash in &stale {
            self.remove(hash);
        }
        stale.len()
    }
}

#[cfg(test)]
#[path = "mempool_tests.rs"]
mod tests;
