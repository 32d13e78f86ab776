//! [`VerifiedSignatures`]: transactions whose signature one of a process's pools already checked,
//! so the other pools of the same process skip the check.
//!
//! A transaction's hash covers its signed body and its signature, and checking a signature is a
//! pure function of those bytes: every node that checks the same bytes gets the same answer. A
//! devnet runs its N nodes in one process, and without this set each of them checked every
//! gossiped transaction's ed25519 signature again (≈ 60 µs each on the benchmark machine, N
//! times per transaction). Only successes are recorded; a hash that is not in the set is checked
//! as before. The set is shared like the runtime's compiled-module cache is: a shortcut of nodes
//! that share a process, never something that crosses a network.
//!
//! **Bounded:** at most [`VerifiedSet::capacity`] hashes; past it the oldest leaves first
//! (a transaction whose hash left is checked again, nothing else changes).
//!
//! The same bounded set ([`VerifiedSet`], generic over what it records) keeps the consensus's
//! verified BLS signatures (`consensus_crypto::BlsCrypto`).

use super::tx::TxHash;
use parking_lot::Mutex;
use std::collections::{HashSet, VecDeque};
use std::hash::Hash;

/// Hashes a devnet's set holds by default: four full default pools.
pub const DEFAULT_VERIFIED_CAPACITY: usize = 4 * super::mempool::DEFAULT_MEMPOOL_CAPACITY;

/// The transactions whose signature a pool of the process verified (see the
/// [module docs](self)).
pub type VerifiedSignatures = VerifiedSet<TxHash>;

/// A bounded set of successful checks, oldest out first (see the [module docs](self)).
#[derive(Debug)]
pub struct VerifiedSet<K> {
    inner: Mutex<Inner<K>>,
    capacity: usize,
}

#[derive(Debug)]
struct Inner<K> {
    set: HashSet<K>,
    order: VecDeque<K>,
}

impl Default for VerifiedSet<TxHash> {
    fn default() -> Self {
        Self::new(DEFAULT_VERIFIED_CAPACITY)
    }
}

impl<K: Hash + Eq + Copy> VerifiedSet<K> {
    /// An empty set holding at most `capacity` records.
    pub fn new(capacity: usize) -> Self {
        VerifiedSet {
            inner: Mutex::new(Inner {
                set: HashSet::new(),
                order: VecDeque::new(),
            }),
            capacity,
        }
    }

    /// Most records held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many records are held.
    pub fn len(&self) -> usize {
        self.inner.lock().set.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `hash` (a transaction's, for [`VerifiedSignatures`]) was checked and verified.
    pub fn contains(&self, hash: &K) -> bool {
        self.inner.lock().set.contains(hash)
    }

    /// Records that `hash` verified (the oldest record leaves when full).
    pub fn insert(&self, hash: K) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.inner.lock();
        if !inner.set.insert(hash) {
            return;
        }
        inner.order.push_back(hash);
        while inner.order.len() > self.capacity {
            if let Some(old) = inner.order.pop_front() {
                inner.set.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(i: u32) -> TxHash {
        let mut bytes = [0u8; 32];
        bytes[..4].copy_from_slice(&i.to_be_bytes());
        TxHash(bytes)
    }

    #[test]
    fn at_capacity_every_hash_stays() {
        let set = VerifiedSignatures::new(3);
        for i in 0..3 {
            set.insert(hash(i));
        }
        set.insert(hash(1)); // already there: nothing moves
        assert_eq!(set.len(), 3);
        assert!((0..3).all(|i| set.contains(&hash(i))));
        assert!(!set.contains(&hash(3)));
    }

    #[test]
    fn past_capacity_the_oldest_leaves_first() {
        let set = VerifiedSignatures::new(3);
        for i in 0..5 {
            set.insert(hash(i));
        }
        assert_eq!(set.len(), 3);
        assert!(!set.contains(&hash(0)) && !set.contains(&hash(1)));
        assert!((2..5).all(|i| set.contains(&hash(i))));
        let none = VerifiedSignatures::new(0);
        none.insert(hash(0));
        assert!(none.is_empty());
    }
}
