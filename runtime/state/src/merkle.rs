//! The merkle commitment over contract state: a BLAKE2b-256 **sparse merkle tree** with
//! shortcut leaves.
//!
//! # The tree
//!
//! Every entry of the state is a *leaf*: a 256-bit [`LeafKey`] and a 32-byte value hash. Keys are
//! read as paths, most significant bit first: bit `i` of a key is
//! `(key[i / 8] >> (7 - i % 8)) & 1`, `0` going left and `1` going right. The tree is the
//! 256-level binary trie over those paths, *compressed*: a subtree holding exactly one leaf is
//! represented by that leaf itself, at the highest position where it is alone (so it costs no
//! hashes below it), and an empty subtree by [`EMPTY_HASH`]. Its shape depends only on the set
//! of keys, never on the order of insertion or on past deletions, and its depth is the length of
//! the longest prefix two keys share plus one: about `log2(n)` for `n` hashed keys, at most 256.
//!
//! # Exact hashing (enough to re-implement the root)
//!
//! `H(x ‖ y ‖ …)` is BLAKE2b with a 32-byte digest (RFC 7693 parameters, no key) over the
//! concatenation; tags are ASCII, with no length prefix or terminator (no tag is a prefix of
//! another, and every input after a tag has a fixed length, except the last field).
//!
//! - storage leaf key: `H("leaf-key-v1" ‖ contract id (32) ‖ storage key)`;
//! - storage value hash: `H("leaf-v1" ‖ leaf key (32) ‖ value)`;
//! - contract-record leaf key: `H("record-key-v1" ‖ contract id (32))`;
//! - contract-record value hash: `H("record-v1" ‖ leaf key (32) ‖ owner (32) ‖ code hash (32))`
//!   (the record's borsh encoding), so the root also commits to which code every contract runs;
//! - the hash of a subtree `S` whose keys share their first `d` bits:
//!   - `S` empty: [`EMPTY_HASH`], 32 zero bytes (no node, no preimage);
//!   - `S = {(k, v)}`: `H("smt-leaf-v1" ‖ k (32) ‖ v (32))`, whatever `d` is;
//!   - otherwise: `H("smt-node-v1" ‖ hash(S₀, d+1) ‖ hash(S₁, d+1))`, where `Sᵦ` holds the keys of
//!     `S` whose bit `d` is `b` (one of them may be empty: two keys sharing a long prefix hang
//!     under a chain of such nodes);
//! - the [`Root`] is `hash(all leaves, 0)`.
//!
//! [`root_of`] is this definition, written out as the reference implementation.
//!
//! # Storage and cost
//!
//! Nodes are stored **content-addressed** by their hash in a [`NodeStore`] and never change once
//! written; only their reference counts do. A parent refers to a child by a [`NodeRef`]: the
//! hash, plus the child's leaf count and locality, functions of its content that are never hashed
//! and let a persistent store place nodes near the keys they cover. [`update`] applies a batch of `k` changes in one
//! descent that splits the sorted batch at every level, creating each new node once: it costs
//! `O(k · depth)` hashes and node reads/writes and touches nothing off the updated paths, however
//! large the state is. A leaf node also carries a *payload* (the raw value, for the persistent
//! store) so an old root can answer reads as well as proofs; the payload is not hashed (the value
//! hash already commits to it).
//!
//! # Reference counting
//!
//! The reference count of a node is the number of stored internal nodes that point to it plus
//! the number of references the caller holds to it as a root: [`update`] returns its new root
//! with one reference for the caller, [`release`] drops one and deletes every node whose count
//! falls to zero, recursively. A node created by an update starts at one (its new parent, or the
//! caller); a new internal node adds one to each child that existed before. Old roots thus stay
//! readable until released, with their nodes shared with newer roots, and releasing one deletes
//! exactly the nodes no other retained root reaches, at a cost proportional to those nodes.
//!
//! # In memory
//!
//! A store that keeps a single version in memory needs neither content addressing nor
//! reference counts: [`MemoryTree`] holds the same tree as linked nodes with their children's
//! hashes inline and rewrites the changed paths in place, so a commit touches one node per level
//! of each changed path and nothing else.
//!
//! # Before a commit
//!
//! [`root_after`] gives the root an [`update`] would return without writing: it runs the same
//! update over an overlay that reads the store and keeps the new nodes in memory, so it costs
//! what the update costs. [`MemoryTree::root_after`] walks the changed paths of the linked tree
//! read-only. Either way nothing is copied but the changed paths.
//!
//! Proofs of inclusion and non-inclusion are in [`proof`].

mod memory_tree;
mod overlay;
pub mod proof;
mod update;

pub use memory_tree::MemoryTree;
pub use overlay::root_after;
pub use proof::{Proof, Terminal, prove, verify, verify_leaf, verify_record};

use crate::error::StoreError;
use crate::ids::blake2b_256;
use borsh::{BorshDeserialize, BorshSerialize};
use host_api::ContractId;
use std::collections::BTreeMap;
use std::fmt;
use update::{Kind, Updater};

/// A 32-byte BLAKE2b-256 digest.
pub type Hash = [u8; 32];

/// The hash of an empty subtree (and the root of the empty state): 32 zero bytes.
pub const EMPTY_HASH: Hash = [0; 32];

/// How a node is found: its hash, plus two numbers that are functions of its content but are
/// **never hashed** (storage metadata, so roots and proofs do not depend on them):
///
/// - `loc`, its **locality**: the first 8 bytes (big-endian) of the leftmost leaf key under it —
///   for a leaf, of its own key; for an internal node, its left child's `loc` when that child is
///   not empty, else its right child's;
/// - `leaves`, how many leaves its subtree holds (1 for a leaf, the sum of its children's for an
///   internal node).
///
/// A parent keeps both for each child, and a version its root's, so a persistent store can key
/// nodes by them: the redb store sorts nodes by a size class of `leaves`, then `loc`, so each
/// class's nodes over one key range share a few pages, and a commit dirties a few pages per
/// changed key rather than one per node (see [`RedbStore`](crate::RedbStore)). The in-memory
/// store ignores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NodeRef {
    /// The node's hash ([`EMPTY_HASH`] for an empty subtree).
    pub hash: Hash,
    /// Its locality (0 for an empty subtree).
    pub loc: u64,
    /// How many leaves its subtree holds (0 for an empty subtree).
    pub leaves: u64,
}

impl NodeRef {
    /// The empty subtree.
    pub const EMPTY: NodeRef = NodeRef {
        hash: EMPTY_HASH,
        loc: 0,
        leaves: 0,
    };

    /// `true` for the empty subtree.
    pub fn is_empty(&self) -> bool {
        self.hash == EMPTY_HASH
    }

    /// The reference of the leaf node `key` = `value_hash`.
    pub fn leaf(key: &LeafKey, value_hash: &Hash) -> NodeRef {
        NodeRef {
            hash: leaf_hash(key, value_hash),
            loc: leaf_loc(key),
            leaves: 1,
        }
    }

    /// The reference of the internal node over `left` and `right`.
    pub fn internal(left: &NodeRef, right: &NodeRef) -> NodeRef {
        NodeRef {
            hash: internal_hash(&left.hash, &right.hash),
            loc: if left.is_empty() { right.loc } else { left.loc },
            leaves: left.leaves.saturating_add(right.leaves),
        }
    }
}

/// The locality of a leaf: the first 8 bytes of its key, big-endian.
pub fn leaf_loc(key: &LeafKey) -> u64 {
    let mut head = [0u8; 8];
    head.copy_from_slice(&key.0[..8]);
    u64::from_be_bytes(head)
}

/// Bits in a key: the tree has at most this many levels below the root.
pub const KEY_BITS: usize = 256;

const LEAF_KEY_TAG: &[u8] = b"leaf-key-v1";
const LEAF_VALUE_TAG: &[u8] = b"leaf-v1";
const RECORD_KEY_TAG: &[u8] = b"record-key-v1";
const RECORD_VALUE_TAG: &[u8] = b"record-v1";
const LEAF_NODE_TAG: &[u8] = b"smt-leaf-v1";
const INTERNAL_NODE_TAG: &[u8] = b"smt-node-v1";

/// The commitment to a whole state: the hash of the tree's root.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, BorshSerialize, BorshDeserialize,
)]
pub struct Root(pub [u8; 32]);

impl Root {
    /// The root of the empty state.
    pub const EMPTY: Root = Root(EMPTY_HASH);

    /// `true` for the root of the empty state.
    pub fn is_empty(&self) -> bool {
        *self == Self::EMPTY
    }
}

impl fmt::Display for Root {
    /// Lower-case hex, 64 characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl fmt::Debug for Root {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Root({self})")
    }
}

fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for b in bytes {
        write!(f, "{b:02x}")?;
    }
    Ok(())
}

/// Lower-case hex of a hash, for messages.
pub(crate) fn hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// A leaf's position in the tree: 256 bits, most significant first.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, BorshSerialize, BorshDeserialize,
)]
pub struct LeafKey(pub [u8; 32]);

impl LeafKey {
    /// Bit `i` (0 = most significant bit of byte 0): `false` goes left, `true` right.
    pub fn bit(&self, i: usize) -> bool {
        (self.0[i / 8] >> (7 - i % 8)) & 1 == 1
    }

    /// How many leading bits `self` and `other` share (256 when equal).
    pub fn common_prefix(&self, other: &LeafKey) -> usize {
        for (i, (a, b)) in self.0.iter().zip(other.0.iter()).enumerate() {
            let x = a ^ b;
            if x != 0 {
                return i * 8 + x.leading_zeros() as usize;
            }
        }
        KEY_BITS
    }
}

impl fmt::Debug for LeafKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LeafKey(")?;
        write_hex(f, &self.0)?;
        f.write_str(")")
    }
}

/// The leaf key of storage `key` of `contract`: `H("leaf-key-v1" ‖ contract ‖ key)`.
pub fn storage_leaf_key(contract: &ContractId, key: &[u8]) -> LeafKey {
    LeafKey(blake2b_256(&[LEAF_KEY_TAG, &contract.0, key]))
}

/// The value hash of a storage leaf: `H("leaf-v1" ‖ leaf key ‖ value)`.
pub fn storage_value_hash(leaf: &LeafKey, value: &[u8]) -> Hash {
    blake2b_256(&[LEAF_VALUE_TAG, &leaf.0, value])
}

/// The leaf key of a contract's record: `H("record-key-v1" ‖ contract)`.
pub fn record_leaf_key(contract: &ContractId) -> LeafKey {
    LeafKey(blake2b_256(&[RECORD_KEY_TAG, &contract.0]))
}

/// The value hash of a record leaf: `H("record-v1" ‖ leaf key ‖ encoded record)`, the record
/// encoded as `owner (32) ‖ code hash (32)` (its borsh encoding).
pub fn record_value_hash(leaf: &LeafKey, encoded_record: &[u8]) -> Hash {
    blake2b_256(&[RECORD_VALUE_TAG, &leaf.0, encoded_record])
}

/// The hash of a leaf node: `H("smt-leaf-v1" ‖ key ‖ value hash)`.
pub fn leaf_hash(key: &LeafKey, value_hash: &Hash) -> Hash {
    blake2b_256(&[LEAF_NODE_TAG, &key.0, value_hash])
}

/// The hash of an internal node: `H("smt-node-v1" ‖ left ‖ right)`.
pub fn internal_hash(left: &Hash, right: &Hash) -> Hash {
    blake2b_256(&[INTERNAL_NODE_TAG, left, right])
}

/// The root of a set of leaves (key → value hash), computed from scratch by the recursive
/// definition above: the reference the incremental [`update`] must agree with.
pub fn root_of(leaves: &BTreeMap<LeafKey, Hash>) -> Root {
    fn subtree(leaves: &[(LeafKey, Hash)], depth: usize) -> Hash {
        match leaves {
            [] => EMPTY_HASH,
            [(key, value)] => leaf_hash(key, value),
            _ => {
                let split = leaves.partition_point(|(k, _)| !k.bit(depth));
                internal_hash(
                    &subtree(&leaves[..split], depth + 1),
                    &subtree(&leaves[split..], depth + 1),
                )
            }
        }
    }
    let leaves: Vec<(LeafKey, Hash)> = leaves.iter().map(|(k, v)| (*k, *v)).collect();
    Root(subtree(&leaves, 0))
}

/// A stored node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A leaf: its key, its value hash and the raw value (not hashed; may be empty when the
    /// backend keeps values elsewhere).
    Leaf {
        /// The key.
        key: LeafKey,
        /// The value hash.
        value_hash: Hash,
        /// The raw value, or nothing.
        payload: Vec<u8>,
    },
    /// An internal node: its two subtrees (either may be [`NodeRef::EMPTY`]).
    Internal {
        /// Bit 0.
        left: NodeRef,
        /// Bit 1.
        right: NodeRef,
    },
}

impl Node {
    /// The node's hash.
    pub fn hash(&self) -> Hash {
        self.node_ref().hash
    }

    /// How the node is found: its hash, locality and leaf count.
    pub fn node_ref(&self) -> NodeRef {
        match self {
            Node::Leaf {
                key, value_hash, ..
            } => NodeRef::leaf(key, value_hash),
            Node::Internal { left, right } => NodeRef::internal(left, right),
        }
    }
}

/// Where nodes are read from: content-addressed by hash (a store may also use the rest of the
/// [`NodeRef`] to find it).
pub trait NodeStore {
    /// The node stored at `at`, if any.
    ///
    /// # Errors
    /// When the backend fails or the record does not decode.
    fn node(&self, at: &NodeRef) -> Result<Option<Node>, StoreError>;

    /// Whether a node is stored at `at`: [`node`](Self::node)`.is_some()`, which a store may
    /// answer without decoding the node.
    ///
    /// # Errors
    /// When the backend fails.
    fn contains(&self, at: &NodeRef) -> Result<bool, StoreError> {
        Ok(self.node(at)?.is_some())
    }

    /// Where the nodes live (a file path), for error messages.
    fn location(&self) -> String {
        "memory".to_string()
    }
}

/// A node store that can be written: nodes with their reference counts.
pub trait NodeStoreMut: NodeStore {
    /// The reference count of the node at `at`, or `None` when no such node is stored.
    ///
    /// # Errors
    /// When the backend fails.
    fn refs(&self, at: &NodeRef) -> Result<Option<u64>, StoreError>;
    /// Store a new node with `refs` references.
    ///
    /// # Errors
    /// When the backend fails.
    fn insert(&mut self, at: NodeRef, node: Node, refs: u64) -> Result<(), StoreError>;
    /// Add one reference to a stored node.
    ///
    /// # Errors
    /// When the backend fails or the node is missing.
    fn add_ref(&mut self, at: &NodeRef) -> Result<(), StoreError>;
    /// Drop one reference to a stored node; when none is left, delete the node and return it.
    ///
    /// # Errors
    /// When the backend fails or the node is missing.
    fn drop_ref(&mut self, at: &NodeRef) -> Result<Option<Node>, StoreError>;
}

/// Nodes in a hash map: the in-memory [`NodeStoreMut`], holding any number of versions with
/// their reference counts (the tests' reference store for [`update`] and [`release`]; the
/// in-memory state store keeps one version, as a [`MemoryTree`]). Only looked up, never
/// iterated, so the map's order cannot leak into a root. The map hashes
/// its keys (node hashes, BLAKE2b digests) with foldhash, seeded per process, rather than std's
/// SipHash: a contract author cannot aim keys at one bucket without knowing the seed, and the
/// hashing costs a fraction of SipHash's.
#[derive(Clone, Debug, Default)]
pub struct MemoryNodes {
    nodes: std::collections::HashMap<Hash, (Node, u64), foldhash::fast::RandomState>,
}

impl MemoryNodes {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many nodes are stored.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// `true` when no node is stored.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

impl NodeStore for MemoryNodes {
    fn node(&self, at: &NodeRef) -> Result<Option<Node>, StoreError> {
        Ok(self.nodes.get(&at.hash).map(|(n, _)| n.clone()))
    }
}

impl NodeStoreMut for MemoryNodes {
    fn refs(&self, at: &NodeRef) -> Result<Option<u64>, StoreError> {
        Ok(self.nodes.get(&at.hash).map(|(_, r)| *r))
    }

    fn insert(&mut self, at: NodeRef, node: Node, refs: u64) -> Result<(), StoreError> {
        self.nodes.insert(at.hash, (node, refs));
        Ok(())
    }

    fn add_ref(&mut self, at: &NodeRef) -> Result<(), StoreError> {
        match self.nodes.get_mut(&at.hash) {
            Some((_, r)) => {
                *r = r.saturating_add(1);
                Ok(())
            }
            None => Err(missing(self, at)),
        }
    }

    fn drop_ref(&mut self, at: &NodeRef) -> Result<Option<Node>, StoreError> {
        match self.nodes.get_mut(&at.hash) {
            Some((_, r)) if *r > 1 => {
                *r -= 1;
                Ok(None)
            }
            Some(_) => Ok(self.nodes.remove(&at.hash).map(|(n, _)| n)),
            None => Err(missing(self, at)),
        }
    }
}

/// The new value of a leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafValue {
    /// The value hash (what the tree commits to).
    pub hash: Hash,
    /// The raw value kept in the leaf node (may be empty).
    pub payload: Vec<u8>,
}

/// One change of a batch: a leaf key and its new value, or `None` to delete it.
pub type LeafUpdate = (LeafKey, Option<LeafValue>);

/// What an [`update`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpdateStats {
    /// Nodes written (leaves and internal nodes).
    pub nodes_created: u64,
    /// Keys that were absent and are now present.
    pub leaves_added: u64,
    /// Keys that were present and are now deleted.
    pub leaves_removed: u64,
}

/// The corruption error of `store`.
pub(crate) fn corrupt<S: NodeStore + ?Sized>(store: &S, message: String) -> StoreError {
    StoreError::Corrupt {
        path: store.location(),
        message,
    }
}

/// The error for a node that should be stored and is not.
pub(crate) fn missing<S: NodeStore + ?Sized>(store: &S, at: &NodeRef) -> StoreError {
    corrupt(store, format!("merkle node {} is missing", hex(&at.hash)))
}

/// Read a node that must exist.
pub(crate) fn read_node<S: NodeStore + ?Sized>(
    store: &S,
    at: &NodeRef,
) -> Result<Node, StoreError> {
    store.node(at)?.ok_or_else(|| missing(store, at))
}

/// A batch sorted by key with one change per key, the last one the batch gives it (a stable
/// sort keeps a key's changes in batch order): what [`update`] and [`MemoryTree::update`] apply.
pub(crate) fn sorted_last_wins(mut updates: Vec<LeafUpdate>) -> Vec<LeafUpdate> {
    updates.sort_by_key(|(k, _)| *k);
    let mut deduped: Vec<LeafUpdate> = Vec::with_capacity(updates.len());
    for u in updates {
        match deduped.last_mut() {
            Some(last) if last.0 == u.0 => *last = u,
            _ => deduped.push(u),
        }
    }
    deduped
}

/// Apply a batch of changes to the tree under `root` and return the new root, holding one
/// reference for the caller (the old root keeps its own until [`release`]d). The root is a
/// [`NodeRef`]: its hash is the [`Root`], its locality says where it is stored.
///
/// The batch is sorted here; when a key appears more than once, its last change wins. Deleting
/// an absent key does nothing. Costs `O(k · depth)` hashes and node accesses for `k` changes.
///
/// # Errors
/// When the store fails or a node is missing (the store is then left with unreferenced new
/// nodes at worst, never with a changed old root).
pub fn update<S: NodeStoreMut + ?Sized>(
    store: &mut S,
    root: NodeRef,
    updates: Vec<LeafUpdate>,
) -> Result<(NodeRef, UpdateStats), StoreError> {
    let deduped = sorted_last_wins(updates);
    let mut updater = Updater {
        store,
        stats: UpdateStats::default(),
    };
    let sub = updater.update(root, 0, &deduped)?;
    if !sub.fresh && sub.kind != Kind::Empty {
        updater.incref(&sub.at)?;
    }
    Ok((sub.at, updater.stats))
}

/// Drop the caller's reference to `root`, deleting every node no longer referenced. Returns the
/// number of nodes deleted.
///
/// # Errors
/// When the store fails or a node or its count is missing.
pub fn release<S: NodeStoreMut + ?Sized>(store: &mut S, root: NodeRef) -> Result<u64, StoreError> {
    let mut deleted = 0;
    let mut pending = vec![root];
    while let Some(at) = pending.pop() {
        if at.is_empty() {
            continue;
        }
        if let Some(node) = store.drop_ref(&at)? {
            deleted += 1;
            if let Node::Internal { left, right } = node {
                pending.push(left);
                pending.push(right);
            }
        }
    }
    Ok(deleted)
}

/// The leaf stored under `key` in the tree of `root`, if any.
///
/// # Errors
/// When the store fails or a node is missing.
pub fn get<S: NodeStore + ?Sized>(
    store: &S,
    root: NodeRef,
    key: &LeafKey,
) -> Result<Option<LeafValue>, StoreError> {
    let mut at = root;
    for depth in 0..=KEY_BITS {
        if at.is_empty() {
            return Ok(None);
        }
        match read_node(store, &at)? {
            Node::Leaf {
                key: k,
                value_hash,
                payload,
            } => {
                return Ok((k == *key).then_some(LeafValue {
                    hash: value_hash,
                    payload,
                }));
            }
            Node::Internal { left, right } if depth < KEY_BITS => {
                at = if key.bit(depth) { right } else { left };
            }
            Node::Internal { .. } => break,
        }
    }
    Err(corrupt(store, "merkle path deeper than 256 levels".into()))
}

/// Every node reachable from `root` (for checks and statistics; reads the whole tree).
///
/// # Errors
/// When the store fails or a node is missing.
pub fn reachable<S: NodeStore + ?Sized>(
    store: &S,
    root: NodeRef,
    into: &mut std::collections::BTreeSet<NodeRef>,
) -> Result<(), StoreError> {
    let mut pending = vec![root];
    while let Some(at) = pending.pop() {
        if at.is_empty() || !into.insert(at) {
            continue;
        }
        if let Node::Internal { left, right } = read_node(store, &at)? {
            pending.push(left);
            pending.push(right);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
