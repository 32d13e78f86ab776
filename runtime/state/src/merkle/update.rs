//! The incremental update of the tree: one descent that splits the sorted batch at every level
//! and creates each new node once (see [`update`](super::update)).

use super::{
    KEY_BITS, LeafKey, LeafUpdate, LeafValue, Node, NodeRef, NodeStoreMut, UpdateStats, corrupt,
    read_node,
};
use crate::error::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Empty,
    Leaf,
    Internal,
    /// An existing subtree the update did not open: a leaf or an internal node.
    Unknown,
}

/// The result of updating a subtree.
#[derive(Clone, Copy, Debug)]
pub(super) struct Sub {
    pub(super) at: NodeRef,
    pub(super) kind: Kind,
    /// Created by this update with one reference reserved for its (new) parent or the caller.
    pub(super) fresh: bool,
}

impl Sub {
    const EMPTY: Sub = Sub {
        at: NodeRef::EMPTY,
        kind: Kind::Empty,
        fresh: false,
    };

    fn existing(at: NodeRef) -> Sub {
        Sub {
            at,
            kind: if at.is_empty() {
                Kind::Empty
            } else {
                Kind::Unknown
            },
            fresh: false,
        }
    }
}

/// A leaf of a subtree rebuilt from scratch: a new value, or an existing leaf node kept.
enum Item<'a> {
    New(&'a LeafKey, &'a LeafValue),
    Old(LeafKey, NodeRef),
}

impl Item<'_> {
    fn key(&self) -> &LeafKey {
        match self {
            Item::New(k, _) => k,
            Item::Old(k, _) => k,
        }
    }
}

pub(super) struct Updater<'s, S: ?Sized> {
    pub(super) store: &'s mut S,
    pub(super) stats: UpdateStats,
}

impl<S: NodeStoreMut + ?Sized> Updater<'_, S> {
    /// Apply the sorted, deduplicated `updates` (all sharing the first `depth` bits) to the
    /// subtree `current`.
    pub(super) fn update(
        &mut self,
        current: NodeRef,
        depth: usize,
        updates: &[LeafUpdate],
    ) -> Result<Sub, StoreError> {
        if updates.is_empty() {
            return Ok(Sub::existing(current));
        }
        if current.is_empty() {
            let items: Vec<Item<'_>> = updates
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| Item::New(k, v)))
                .collect();
            self.stats.leaves_added += items.len() as u64;
            return self.build(&items, depth);
        }
        match read_node(&*self.store, &current)? {
            Node::Leaf { key: old, .. } => {
                let mut items = Vec::with_capacity(updates.len() + 1);
                let mut keep_old = true;
                for (k, v) in updates {
                    match v {
                        Some(v) => {
                            if *k == old {
                                keep_old = false;
                            } else {
                                self.stats.leaves_added += 1;
                            }
                            items.push(Item::New(k, v));
                        }
                        None if *k == old => {
                            keep_old = false;
                            self.stats.leaves_removed += 1;
                        }
                        None => {}
                    }
                }
                if keep_old {
                    let at = items.partition_point(|i| *i.key() < old);
                    items.insert(at, Item::Old(old, current));
                }
                self.build(&items, depth)
            }
            Node::Internal { left, right } => {
                if depth >= KEY_BITS {
                    return Err(corrupt(
                        &*self.store,
                        "merkle path deeper than 256 levels".into(),
                    ));
                }
                let split = updates.partition_point(|(k, _)| !k.bit(depth));
                let l = self.update(left, depth + 1, &updates[..split])?;
                let r = self.update(right, depth + 1, &updates[split..])?;
                self.combine(Some(current), l, r)
            }
        }
    }

    /// Build the subtree of `items` (sorted, sharing the first `depth` bits) from scratch.
    fn build(&mut self, items: &[Item<'_>], depth: usize) -> Result<Sub, StoreError> {
        match items {
            [] => Ok(Sub::EMPTY),
            [Item::Old(_, at)] => Ok(Sub {
                at: *at,
                kind: Kind::Leaf,
                fresh: false,
            }),
            [Item::New(key, value)] => self.leaf(key, value),
            _ => {
                if depth >= KEY_BITS {
                    return Err(corrupt(&*self.store, "duplicate leaf key".into()));
                }
                let split = items.partition_point(|i| !i.key().bit(depth));
                let l = self.build(&items[..split], depth + 1)?;
                let r = self.build(&items[split..], depth + 1)?;
                self.combine(None, l, r)
            }
        }
    }

    /// The node over subtrees `l` and `r`, `current` being the node there before (if any).
    fn combine(&mut self, current: Option<NodeRef>, l: Sub, r: Sub) -> Result<Sub, StoreError> {
        let lone = match (l.kind, r.kind) {
            (Kind::Empty, Kind::Empty) => return Ok(Sub::EMPTY),
            (Kind::Empty, _) => Some(r),
            (_, Kind::Empty) => Some(l),
            _ => None,
        };
        if let Some(only) = lone
            && self.kind(&only)? == Kind::Leaf
        {
            // A single leaf moves up to where it is alone.
            return Ok(Sub {
                kind: Kind::Leaf,
                ..only
            });
        }
        let at = NodeRef::internal(&l.at, &r.at);
        if current == Some(at) {
            debug_assert!(!l.fresh && !r.fresh, "an unchanged node has new children");
            return Ok(Sub {
                at,
                kind: Kind::Internal,
                fresh: false,
            });
        }
        let internal = Sub {
            at,
            kind: Kind::Internal,
            fresh: false,
        };
        if self.store.refs(&at)?.is_some() {
            return Ok(internal);
        }
        self.store.insert(
            at,
            Node::Internal {
                left: l.at,
                right: r.at,
            },
            1,
        )?;
        self.stats.nodes_created += 1;
        for child in [l, r] {
            if child.kind != Kind::Empty && !child.fresh {
                self.incref(&child.at)?;
            }
        }
        Ok(Sub {
            fresh: true,
            ..internal
        })
    }

    /// The leaf node of `key` = `value`, created unless it exists.
    fn leaf(&mut self, key: &LeafKey, value: &LeafValue) -> Result<Sub, StoreError> {
        let at = NodeRef::leaf(key, &value.hash);
        let mut sub = Sub {
            at,
            kind: Kind::Leaf,
            fresh: false,
        };
        if self.store.refs(&at)?.is_none() {
            let node = Node::Leaf {
                key: *key,
                value_hash: value.hash,
                payload: value.payload.clone(),
            };
            self.store.insert(at, node, 1)?;
            self.stats.nodes_created += 1;
            sub.fresh = true;
        }
        Ok(sub)
    }

    fn kind(&self, sub: &Sub) -> Result<Kind, StoreError> {
        if sub.kind != Kind::Unknown {
            return Ok(sub.kind);
        }
        Ok(match read_node(&*self.store, &sub.at)? {
            Node::Leaf { .. } => Kind::Leaf,
            Node::Internal { .. } => Kind::Internal,
        })
    }

    pub(super) fn incref(&mut self, at: &NodeRef) -> Result<(), StoreError> {
        self.store.add_ref(at)
    }
}
