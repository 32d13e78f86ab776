//! [`KeyCache`]: senders' ed25519 public keys, decoded once.
//!
//! Checking a transaction's signature starts by decoding its sender's 32-byte public key into a
//! curve point (`VerifyingKey::from_bytes`, a point decompression: ≈ 4 µs of the ≈ 41 µs check
//! on the benchmark machine, `examples/submit_timing.rs`). A chain's senders repeat, so a pool
//! keeps the decoded keys of the senders it saw. Decoding is a pure function of the 32 bytes,
//! so a key taken from here is the key decoding would give: the signature check
//! (`verify_strict`: canonical S, no small-order key or R) runs on it in full every time, and
//! whether a transaction is accepted does not depend on what the cache holds. Only keys that
//! decode are kept; bytes that do not are refused again at each check.
//!
//! **Bounded:** at most [`KeyCache::capacity`] keys; past it the oldest leaves first (its
//! sender's next check decodes the key again).

use ed25519_dalek::VerifyingKey;
use std::collections::{HashMap, VecDeque};

/// Keys a pool keeps by default: the senders of a busy devnet (the benchmark signs with up to
/// 4,096), ≈ 1 MiB.
pub const DEFAULT_KEY_CACHE_CAPACITY: usize = 4_096;

/// Decoded ed25519 keys by their bytes, oldest out first (see the [module docs](self)).
#[derive(Debug)]
pub struct KeyCache {
    keys: HashMap<[u8; 32], VerifyingKey>,
    order: VecDeque<[u8; 32]>,
    capacity: usize,
}

impl Default for KeyCache {
    fn default() -> Self {
        Self::new(DEFAULT_KEY_CACHE_CAPACITY)
    }
}

impl KeyCache {
    /// An empty cache holding at most `capacity` keys (0: decode every time).
    pub fn new(capacity: usize) -> Self {
        KeyCache {
            keys: HashMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// Most keys held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether the key of `bytes` is held.
    pub fn contains(&self, bytes: &[u8; 32]) -> bool {
        self.keys.contains_key(bytes)
    }

    /// The key `bytes` encode: the one held, else decoded (and kept; the oldest leaves when
    /// full). `None` when `bytes` are not an ed25519 public key (nothing is kept then).
    pub fn get(&mut self, bytes: &[u8; 32]) -> Option<VerifyingKey> {
        if let Some(key) = self.keys.get(bytes) {
            return Some(*key);
        }
        let key = VerifyingKey::from_bytes(bytes).ok()?;
        if self.capacity > 0 {
            if self.order.len() >= self.capacity
                && let Some(old) = self.order.pop_front()
            {
                self.keys.remove(&old);
            }
            self.keys.insert(*bytes, key);
            self.order.push_back(*bytes);
        }
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::keys::AccountKey;

    fn public(i: usize) -> [u8; 32] {
        AccountKey::from_seed(&format!("key-cache-{i}")).public()
    }

    #[test]
    fn a_cached_key_is_the_decoded_key() {
        let mut cache = KeyCache::new(4);
        let bytes = public(0);
        let first = cache.get(&bytes).expect("a key");
        assert!(cache.contains(&bytes));
        assert_eq!(cache.get(&bytes), Some(first), "from the cache");
        assert_eq!(VerifyingKey::from_bytes(&bytes).ok(), Some(first));
    }

    #[test]
    fn bytes_that_are_no_key_are_never_kept() {
        let mut cache = KeyCache::new(4);
        // Not the y-coordinate of a curve point (y = 2 has no x).
        let mut bad = [0u8; 32];
        bad[0] = 2;
        assert!(VerifyingKey::from_bytes(&bad).is_err());
        assert_eq!(cache.get(&bad), None);
        assert_eq!(cache.get(&bad), None, "refused again");
        assert!(cache.is_empty());
    }

    #[test]
    fn at_capacity_every_key_stays_and_past_it_the_oldest_leaves() {
        let mut cache = KeyCache::new(3);
        for i in 0..3 {
            cache.get(&public(i));
        }
        cache.get(&public(1)); // held: nothing moves
        assert_eq!(cache.len(), 3);
        assert!((0..3).all(|i| cache.contains(&public(i))));
        cache.get(&public(3));
        assert_eq!(cache.len(), 3, "bounded");
        assert!(!cache.contains(&public(0)), "the oldest left");
        assert!((1..4).all(|i| cache.contains(&public(i))));
        // A key that left decodes again, to the same key.
        assert_eq!(
            cache.get(&public(0)),
            VerifyingKey::from_bytes(&public(0)).ok()
        );
        assert_eq!(cache.len(), 3);
        let mut none = KeyCache::new(0);
        assert!(none.get(&public(0)).is_some());
        assert!(none.is_empty());
    }
}
