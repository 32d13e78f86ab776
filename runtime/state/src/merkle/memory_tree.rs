//! [`MemoryTree`]: the merkle tree of one state held in memory as linked nodes, updated in
//! place. The in-memory [`MemoryStore`](crate::MemoryStore) keeps its tree this way.

use super::{
    EMPTY_HASH, Hash, KEY_BITS, LeafKey, LeafUpdate, Proof, Root, Terminal, UpdateStats,
    internal_hash, leaf_hash, sorted_last_wins,
};
use std::fmt;

/// A link to a subtree: its hash, and the subtree (`None` when it is empty).
#[derive(Default)]
struct Child {
    hash: Hash,
    node: Option<Box<TreeNode>>,
}

impl Child {
    const EMPTY: Child = Child {
        hash: EMPTY_HASH,
        node: None,
    };

    fn leaf(key: LeafKey, value_hash: Hash) -> Child {
        Child {
            hash: leaf_hash(&key, &value_hash),
            node: Some(Box::new(TreeNode::Leaf { key, value_hash })),
        }
    }

    fn is_leaf(&self) -> bool {
        matches!(self.node.as_deref(), Some(TreeNode::Leaf { .. }))
    }
}

enum TreeNode {
    Leaf { key: LeafKey, value_hash: Hash },
    Internal { left: Child, right: Child },
}

/// A leaf of a subtree rebuilt from scratch.
struct Item {
    key: LeafKey,
    value_hash: Hash,
}

/// The merkle tree of one state, in memory.
///
/// It is the tree of [`merkle`](super) — same shape, same hashes, same [`Root`] and
/// [`Proof`]s — laid out for a commit's memory traffic rather than for storage:
///
/// - a parent holds its children's **hashes inline**, next to the links to them, so hashing a
///   node on an updated path reads only that node, never its untouched sibling;
/// - nodes on an updated path are **rewritten in place** (their allocation is kept), and only
///   one version is held, so there are no reference counts to adjust on siblings and nothing to
///   look up by hash.
///
/// A commit of `k` changed keys thus reads and writes each node of the `k` paths once and
/// touches nothing else, whatever the size of the state. The content-addressed
/// [`MemoryNodes`](super::MemoryNodes) also looks up a random slot of its hash map for every node
/// it creates and for every sibling whose reference count changes; on a 1 M-key state its
/// commits took 20.8 ms or more against this tree's 8.1 ms (BENCHMARKS.md §4). It holds no
/// older version: for retained versions and snapshots use [`update`](super::update) over a
/// [`NodeStoreMut`](super::NodeStoreMut).
#[derive(Default)]
pub struct MemoryTree {
    root: Child,
    leaves: u64,
}

impl fmt::Debug for MemoryTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTree")
            .field("root", &self.root())
            .field("leaves", &self.leaves)
            .finish()
    }
}

impl MemoryTree {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Its root.
    pub fn root(&self) -> Root {
        Root(self.root.hash)
    }

    /// How many leaves it holds.
    pub fn leaves(&self) -> u64 {
        self.leaves
    }

    /// Apply a batch of changes: a key and its new value hash, or `None` to delete it. The batch
    /// is sorted here; when a key appears more than once, its last change wins; deleting an
    /// absent key does nothing. Costs `O(k · depth)` hashes for `k` changes and touches no node
    /// off their paths. Cannot fail: keys are distinct once the batch is deduplicated, so every
    /// path ends before [`KEY_BITS`] levels. The returned [`UpdateStats::nodes_created`] counts
    /// every node written, built or rewritten in place (one BLAKE2b each).
    pub fn update(&mut self, updates: Vec<LeafUpdate>) -> UpdateStats {
        let deduped = sorted_last_wins(updates);
        let mut stats = UpdateStats::default();
        update_child(&mut self.root, 0, &deduped, &mut stats);
        self.leaves = (self.leaves + stats.leaves_added).saturating_sub(stats.leaves_removed);
        stats
    }

    /// The root [`update`](Self::update) with `updates` would give, the tree left as it is:
    /// the changed paths are walked and rehashed without building a node (see
    /// [`root_after_child`]). Costs the update's `O(k · depth)` hashes; reads only.
    pub fn root_after(&self, updates: Vec<LeafUpdate>) -> Root {
        let deduped = sorted_last_wins(updates);
        Root(root_after_child(&self.root, 0, &deduped).hash())
    }

    /// The value hash of `key`, if it is present.
    pub fn get(&self, key: &LeafKey) -> Option<Hash> {
        let mut at = &self.root;
        for depth in 0..=KEY_BITS {
            match at.node.as_deref()? {
                TreeNode::Leaf {
                    key: k, value_hash, ..
                } => return (k == key).then_some(*value_hash),
                TreeNode::Internal { left, right } => {
                    at = if key.bit(depth) { right } else { left };
                }
            }
        }
        None
    }

    /// The proof for `key` (present or absent) under [`root`](Self::root); check it with
    /// [`verify_leaf`](super::verify_leaf).
    pub fn prove(&self, key: &LeafKey) -> Proof {
        let mut siblings = Vec::new();
        let mut at = &self.root;
        loop {
            match at.node.as_deref() {
                None => {
                    return Proof {
                        siblings,
                        terminal: Terminal::Empty,
                    };
                }
                Some(TreeNode::Leaf { key: k, value_hash }) => {
                    return Proof {
                        siblings,
                        terminal: Terminal::Leaf {
                            key: *k,
                            value_hash: *value_hash,
                        },
                    };
                }
                Some(TreeNode::Internal { left, right }) => {
                    let (next, sibling) = if key.bit(siblings.len()) {
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

    /// How many nodes (leaves and internal nodes) the tree holds; walks the whole tree.
    pub fn node_count(&self) -> usize {
        let mut count = 0;
        let mut pending: Vec<&Child> = vec![&self.root];
        while let Some(child) = pending.pop() {
            match child.node.as_deref() {
                None => {}
                Some(TreeNode::Leaf { .. }) => count += 1,
                Some(TreeNode::Internal { left, right }) => {
                    count += 1;
                    pending.push(left);
                    pending.push(right);
                }
            }
        }
        count
    }
}

/// Apply the sorted, deduplicated `changes` (all sharing the first `depth` bits) to the
/// subtree at `child`, in place.
fn update_child(child: &mut Child, depth: usize, changes: &[LeafUpdate], stats: &mut UpdateStats) {
    if changes.is_empty() {
        return;
    }
    let Some(mut node) = child.node.take() else {
        let items = new_items(changes);
        stats.leaves_added += items.len() as u64;
        *child = build(&items, depth, stats);
        return;
    };
    match &mut *node {
        TreeNode::Leaf {
            key: old,
            value_hash: old_value,
        } => {
            let (old, old_value) = (*old, *old_value);
            let mut items = Vec::with_capacity(changes.len() + 1);
            let mut keep_old = true;
            for (key, v) in changes {
                match v {
                    Some(value) => {
                        if *key == old {
                            keep_old = false;
                        } else {
                            stats.leaves_added += 1;
                        }
                        items.push(Item {
                            key: *key,
                            value_hash: value.hash,
                        });
                    }
                    None if *key == old => {
                        keep_old = false;
                        stats.leaves_removed += 1;
                    }
                    None => {}
                }
            }
            if keep_old {
                if items.is_empty() {
                    // Only deletions of absent keys: nothing changes.
                    child.node = Some(node);
                    return;
                }
                let at = items.partition_point(|i| i.key < old);
                items.insert(
                    at,
                    Item {
                        key: old,
                        value_hash: old_value,
                    },
                );
            }
            *child = build(&items, depth, stats);
        }
        TreeNode::Internal { left, right } => {
            let split = changes.partition_point(|(k, _)| !k.bit(depth));
            update_child(left, depth + 1, &changes[..split], stats);
            update_child(right, depth + 1, &changes[split..], stats);
            // One side became empty and the other is a single leaf: the leaf moves up to where
            // it is alone. Both empty: the subtree is empty. Otherwise the node stays, with its
            // hash recomputed from the children's inline hashes.
            *child = match (left.node.is_none(), right.node.is_none()) {
                (true, true) => Child::EMPTY,
                (true, false) if right.is_leaf() => std::mem::take(right),
                (false, true) if left.is_leaf() => std::mem::take(left),
                _ => {
                    // Rewritten in place: counted as written, like a node built anew.
                    stats.nodes_created += 1;
                    Child {
                        hash: internal_hash(&left.hash, &right.hash),
                        node: Some(node),
                    }
                }
            };
        }
    }
}

/// The leaves `changes` set (its deletions left out), in their order.
fn new_items(changes: &[LeafUpdate]) -> Vec<Item> {
    changes
        .iter()
        .filter_map(|(key, v)| {
            v.as_ref().map(|v| Item {
                key: *key,
                value_hash: v.hash,
            })
        })
        .collect()
}

/// Build the subtree of `items` (sorted, distinct, sharing the first `depth` bits) from scratch.
fn build(items: &[Item], depth: usize, stats: &mut UpdateStats) -> Child {
    match items {
        [] => Child::EMPTY,
        [item] => {
            stats.nodes_created += 1;
            Child::leaf(item.key, item.value_hash)
        }
        _ => {
            // Distinct keys differ at some bit below KEY_BITS, so two or more items never
            // reach depth KEY_BITS.
            let split = items.partition_point(|i| !i.key.bit(depth));
            let left = build(&items[..split], depth + 1, stats);
            let right = build(&items[split..], depth + 1, stats);
            stats.nodes_created += 1;
            Child {
                hash: internal_hash(&left.hash, &right.hash),
                node: Some(Box::new(TreeNode::Internal { left, right })),
            }
        }
    }
}

/// What a subtree becomes under a batch of changes, as its parent needs it: its hash, and
/// whether it is a single leaf (which moves up to where it is alone) or empty.
#[derive(Clone, Copy)]
enum After {
    Empty,
    Leaf(Hash),
    Node(Hash),
}

impl After {
    fn hash(self) -> Hash {
        match self {
            After::Empty => EMPTY_HASH,
            After::Leaf(h) | After::Node(h) => h,
        }
    }

    /// What `child` is, unchanged.
    fn of(child: &Child) -> After {
        match child.node.as_deref() {
            None => After::Empty,
            Some(TreeNode::Leaf { .. }) => After::Leaf(child.hash),
            Some(TreeNode::Internal { .. }) => After::Node(child.hash),
        }
    }

    /// The subtree over `left` and `right`: empty, a lone leaf moved up, or an internal node.
    fn join(left: After, right: After) -> After {
        match (left, right) {
            (After::Empty, After::Empty) => After::Empty,
            (After::Empty, leaf @ After::Leaf(_)) | (leaf @ After::Leaf(_), After::Empty) => leaf,
            _ => After::Node(internal_hash(&left.hash(), &right.hash())),
        }
    }
}

/// What the subtree at `child` becomes once the sorted, deduplicated `changes` (all sharing
/// the first `depth` bits) are applied: [`update_child`] without writing, so the same cases in
/// the same order — an empty subtree is built from the new values, a leaf is rebuilt with the
/// changes around it, an internal node splits the changes between its children.
fn root_after_child(child: &Child, depth: usize, changes: &[LeafUpdate]) -> After {
    if changes.is_empty() {
        return After::of(child);
    }
    match child.node.as_deref() {
        None => root_after_build(&new_items(changes), depth),
        Some(TreeNode::Leaf {
            key: old,
            value_hash,
        }) => {
            // The old leaf stays unless the batch sets or deletes its key.
            let mut items = new_items(changes);
            if !changes.iter().any(|(key, _)| key == old) {
                let at = items.partition_point(|i| i.key < *old);
                items.insert(
                    at,
                    Item {
                        key: *old,
                        value_hash: *value_hash,
                    },
                );
            }
            root_after_build(&items, depth)
        }
        Some(TreeNode::Internal { left, right }) => {
            let split = changes.partition_point(|(k, _)| !k.bit(depth));
            After::join(
                root_after_child(left, depth + 1, &changes[..split]),
                root_after_child(right, depth + 1, &changes[split..]),
            )
        }
    }
}

/// What [`build`] would make of `items` (sorted, distinct, sharing the first `depth` bits),
/// without making it.
fn root_after_build(items: &[Item], depth: usize) -> After {
    match items {
        [] => After::Empty,
        [item] => After::Leaf(leaf_hash(&item.key, &item.value_hash)),
        _ => {
            let split = items.partition_point(|i| !i.key.bit(depth));
            After::join(
                root_after_build(&items[..split], depth + 1),
                root_after_build(&items[split..], depth + 1),
            )
        }
    }
}
