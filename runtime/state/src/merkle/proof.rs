//! Inclusion and non-inclusion proofs.
//!
//! A [`Proof`] for leaf key `K` is the path from the root towards `K`: the sibling hash at every
//! level, from the root down, and what the path ends at ([`Terminal`]):
//!
//! - `Leaf { key: K, value_hash }`: `K` is present with that value hash (**inclusion**);
//! - `Empty`: the subtree where `K` would be is empty (**non-inclusion**);
//! - `Leaf { key: K', .. }` with `K' ≠ K` sharing `K`'s first `d` bits (`d` = number of
//!   siblings): another key is alone in the subtree where `K` would be, so `K` is absent
//!   (**non-inclusion**).
//!
//! Verifying needs no store: hash the terminal (`EMPTY_HASH`, or `leaf_hash(key, value_hash)`),
//! then for `i = d-1` down to `0` combine it with sibling `i` — on the left when bit `i` of `K`
//! is 0, on the right when it is 1 — with `internal_hash`, and compare with the root.

use super::{
    EMPTY_HASH, Hash, KEY_BITS, LeafKey, Node, NodeRef, NodeStore, Root, corrupt, internal_hash,
    leaf_hash, read_node, record_leaf_key, record_value_hash, storage_leaf_key, storage_value_hash,
};
use crate::error::StoreError;
use crate::store::ContractRecord;
use borsh::{BorshDeserialize, BorshSerialize};
use host_api::ContractId;

/// A proof that a key has a value, or has none, under a root.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Proof {
    /// Sibling hashes along the path, from the root down.
    pub siblings: Vec<Hash>,
    /// What the path ends at.
    pub terminal: Terminal,
}

/// The end of a proof's path.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Terminal {
    /// An empty subtree: the key is absent.
    Empty,
    /// A leaf: the key itself (present), or another key alone where it would be (absent).
    Leaf {
        /// The leaf's key.
        key: LeafKey,
        /// The leaf's value hash.
        value_hash: Hash,
    },
}

impl Proof {
    /// The value hash this proof shows for `key`: `Some` for inclusion, `None` for
    /// non-inclusion (the proof still has to be [verified](verify_leaf)).
    pub fn value_hash(&self, key: &LeafKey) -> Option<Hash> {
        match &self.terminal {
            Terminal::Leaf { key: k, value_hash } if k == key => Some(*value_hash),
            _ => None,
        }
    }
}

/// The proof for `key` in the tree of `root`.
///
/// # Errors
/// When the store fails or a node is missing.
pub fn prove<S: NodeStore + ?Sized>(
    store: &S,
    root: NodeRef,
    key: &LeafKey,
) -> Result<Proof, StoreError> {
    let mut siblings = Vec::new();
    let mut at = root;
    loop {
        if at.is_empty() {
            return Ok(Proof {
                siblings,
                terminal: Terminal::Empty,
            });
        }
        match read_node(store, &at)? {
            Node::Leaf {
                key: k, value_hash, ..
            } => {
                return Ok(Proof {
                    siblings,
                    terminal: Terminal::Leaf { key: k, value_hash },
                });
            }
            Node::Internal { left, right } => {
                let depth = siblings.len();
                if depth >= KEY_BITS {
                    return Err(corrupt(store, "merkle path deeper than 256 levels".into()));
                }
                let (next, sibling) = if key.bit(depth) {
                    (right, left)
                } else {
                    (left, right)
                };
                siblings.push(sibling.hash);
                at = next;
            }
        }
    }
}

/// Check `proof` that leaf `key` has value hash `value_hash` (`None`: is absent) under `root`.
pub fn verify_leaf(root: &Root, key: &LeafKey, value_hash: Option<&Hash>, proof: &Proof) -> bool {
    let depth = proof.siblings.len();
    if depth > KEY_BITS {
        return false;
    }
    let mut hash = match (&proof.terminal, value_hash) {
        (Terminal::Empty, None) => EMPTY_HASH,
        (
            Terminal::Leaf {
                key: k,
                value_hash: v,
            },
            Some(expected),
        ) => {
            if k != key || v != expected {
                return false;
            }
            leaf_hash(k, v)
        }
        (
            Terminal::Leaf {
                key: k,
                value_hash: v,
            },
            None,
        ) => {
            // Another key, alone in the subtree where `key` would be.
            if k == key || k.common_prefix(key) < depth {
                return false;
            }
            leaf_hash(k, v)
        }
        (Terminal::Empty, Some(_)) => return false,
    };
    for (i, sibling) in proof.siblings.iter().enumerate().rev() {
        hash = if key.bit(i) {
            internal_hash(sibling, &hash)
        } else {
            internal_hash(&hash, sibling)
        };
    }
    hash == root.0
}

/// Check `proof` that storage `key` of `contract` holds `value` (`None`: is absent) under `root`.
pub fn verify(
    root: &Root,
    contract: &ContractId,
    key: &[u8],
    value: Option<&[u8]>,
    proof: &Proof,
) -> bool {
    let leaf = storage_leaf_key(contract, key);
    let value_hash = value.map(|v| storage_value_hash(&leaf, v));
    verify_leaf(root, &leaf, value_hash.as_ref(), proof)
}

/// Check `proof` that `contract` has `record` (`None`: does not exist) under `root`.
pub fn verify_record(
    root: &Root,
    contract: &ContractId,
    record: Option<&ContractRecord>,
    proof: &Proof,
) -> bool {
    let leaf = record_leaf_key(contract);
    let value_hash = record.map(|r| record_value_hash(&leaf, &r.to_bytes()));
    verify_leaf(root, &leaf, value_hash.as_ref(), proof)
}
