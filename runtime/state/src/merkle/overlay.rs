//! [`root_after`]: the root a batch of changes would give over a stored tree, computed without
//! writing to the store.
//!
//! The batch goes through the very [`update`](super::update) a commit runs, over an
//! [`Overlay`]: a [`NodeStoreMut`] that reads the base store and keeps every node the update
//! creates in memory, with no reference counts. The root is thus the commit's root by
//! construction (one algorithm, not two that must agree), the update costs what a commit's does
//! — `O(k · depth)` node reads and hashes for `k` changes — and the base store is only read.

use super::{Hash, LeafUpdate, Node, NodeRef, NodeStore, NodeStoreMut, update};
use crate::error::StoreError;
use std::collections::HashMap;

/// A base [`NodeStore`] read-only, with the nodes an update creates held in memory beside it.
///
/// Reference counts are not tracked: they decide which nodes a commit stores or deletes, never
/// a hash. `refs` says whether a node exists (here or in the base: the update reuses an
/// existing node rather than create it, as over the real store), and `add_ref` and `drop_ref`
/// change nothing.
struct Overlay<'s, S: ?Sized> {
    base: &'s S,
    created: HashMap<Hash, Node, foldhash::fast::RandomState>,
}

impl<S: NodeStore + ?Sized> NodeStore for Overlay<'_, S> {
    fn node(&self, at: &NodeRef) -> Result<Option<Node>, StoreError> {
        match self.created.get(&at.hash) {
            Some(node) => Ok(Some(node.clone())),
            None => self.base.node(at),
        }
    }

    fn location(&self) -> String {
        self.base.location()
    }
}

impl<S: NodeStore + ?Sized> NodeStoreMut for Overlay<'_, S> {
    fn refs(&self, at: &NodeRef) -> Result<Option<u64>, StoreError> {
        let exists = self.created.contains_key(&at.hash) || self.base.contains(at)?;
        Ok(exists.then_some(1))
    }

    fn insert(&mut self, at: NodeRef, node: Node, _refs: u64) -> Result<(), StoreError> {
        self.created.insert(at.hash, node);
        Ok(())
    }

    fn add_ref(&mut self, _at: &NodeRef) -> Result<(), StoreError> {
        Ok(())
    }

    fn drop_ref(&mut self, _at: &NodeRef) -> Result<Option<Node>, StoreError> {
        Ok(None)
    }
}

/// The root (with its leaf count and locality) that applying `updates` to the tree of `root`
/// in `store` would give, the store left untouched: what [`update`] would return, computed over
/// an overlay that holds the new nodes in memory and drops them on return. Costs what the
/// update costs (`O(k · depth)` for `k` changes) plus the memory of the nodes it creates.
///
/// # Errors
/// When the store fails or a node is missing.
pub fn root_after<S: NodeStore + ?Sized>(
    store: &S,
    root: NodeRef,
    updates: Vec<LeafUpdate>,
) -> Result<NodeRef, StoreError> {
    let mut overlay = Overlay {
        base: store,
        created: HashMap::default(),
    };
    Ok(update(&mut overlay, root, updates)?.0)
}
