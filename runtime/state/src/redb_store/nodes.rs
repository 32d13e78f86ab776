//! The merkle nodes in redb: the `merkle_nodes` table read and written as a
//! [`NodeStore`]/[`NodeStoreMut`].
//!
//! # Key: `class (1) ‖ locality (u64 BE) ‖ hash (32)`
//!
//! `class` is `⌊log2(leaves)⌋ / 3` ([`class`]): leaves and nodes over fewer than 8 leaves are
//! class 0, nodes over 8–63 leaves class 1, over 64–511 class 2, and so on. Within a class, nodes
//! sort by locality (the first 8 bytes of their leftmost leaf key, see [`NodeRef`]), so the
//! nodes of one class inside one subtree are contiguous. The path to a changed key crosses each
//! class once, over a range of about 8 times fewer keys at every class down, so its nodes fall
//! on about one page per class — `log8` of the keys per changed key, not one page per node.
//! Keyed by hash, or by locality alone, every node a commit creates, re-counts or deletes on the
//! upper half of a path lands on a page of its own (see `benches/benches/state_commit.rs`).
//!
//! # Value: `refs (LEB128) ‖ tag (1) ‖ body`
//!
//! - tag 0, an internal node: `left hash (32) ‖ right hash (32) ‖ left leaves (LEB128) ‖ right
//!   leaves (LEB128)`, then `right locality (u64 BE)` only when both children are non-empty (the
//!   first non-empty child has the node's own locality, which the key holds).
//! - tags 1–3, a leaf: `key[8..32] (24) ‖ …` (the first 8 bytes of the key are its locality):
//!   tag 1 `‖ value hash (32) ‖ payload`; tag 2 `‖ payload`, the value hash being
//!   [`storage_value_hash`](merkle::storage_value_hash)`(key, payload)`; tag 3 `‖ payload`, the
//!   value hash being [`record_value_hash`](merkle::record_value_hash)`(key, payload)`. A leaf
//!   is written with tag 2 or 3 only when that hash is its value hash, so nothing changes but
//!   32 bytes saved, and its payload is then checked by its hash on every read.
//!
//! Every node read is checked against the reference it was looked up by: a record that does
//! not decode, or decodes to another hash or leaf count, is [`StoreError::Corrupt`].

use super::{NODES, corrupt, db_error};
use crate::error::StoreError;
use crate::merkle::{self, EMPTY_HASH, Hash, LeafKey, Node, NodeRef, NodeStore, NodeStoreMut};
use redb::{ReadOnlyTable, ReadTransaction, ReadableTable, Table};

/// Leaf-count bits per storage class.
const CLASS_BITS: u32 = 3;

/// Bytes of a node key: class, locality, hash.
pub(super) const NODE_KEY_LEN: usize = 41;

const INTERNAL: u8 = 0;
const LEAF: u8 = 1;
const STORAGE_LEAF: u8 = 2;
const RECORD_LEAF: u8 = 3;

/// The storage class of a node over `leaves` leaves: `⌊log2(leaves)⌋ / 3` (0 for none).
pub(super) fn class(leaves: u64) -> u8 {
    // At most 63 / 3 = 21: the cast cannot truncate.
    (leaves.checked_ilog2().unwrap_or(0) / CLASS_BITS) as u8
}

/// The key of a node in `merkle_nodes`: class ‖ locality (u64 BE) ‖ hash.
pub(super) fn node_key(at: &NodeRef) -> [u8; NODE_KEY_LEN] {
    let mut key = [0u8; NODE_KEY_LEN];
    key[0] = class(at.leaves);
    key[1..9].copy_from_slice(&at.loc.to_be_bytes());
    key[9..].copy_from_slice(&at.hash);
    key
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A LEB128 number at the start of `bytes` and its length in bytes.
fn get_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        let bits = u64::from(b & 0x7f);
        if i == 9 && bits > 1 {
            return None;
        }
        v |= bits << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// The stored value of `node` (found at `at`) with `refs` references.
pub(super) fn encode_record(refs: u64, at: &NodeRef, node: &Node) -> Vec<u8> {
    let mut out = Vec::with_capacity(96);
    put_varint(&mut out, refs);
    match node {
        Node::Internal { left, right } => {
            out.push(INTERNAL);
            out.extend_from_slice(&left.hash);
            out.extend_from_slice(&right.hash);
            put_varint(&mut out, left.leaves);
            put_varint(&mut out, right.leaves);
            if !left.is_empty() && !right.is_empty() {
                out.extend_from_slice(&right.loc.to_be_bytes());
            }
        }
        Node::Leaf {
            key,
            value_hash,
            payload,
        } => {
            let tag = if merkle::storage_value_hash(key, payload) == *value_hash {
                STORAGE_LEAF
            } else if merkle::record_value_hash(key, payload) == *value_hash {
                RECORD_LEAF
            } else {
                LEAF
            };
            out.push(tag);
            out.extend_from_slice(&key.0[8..]);
            if tag == LEAF {
                out.extend_from_slice(value_hash);
            }
            out.extend_from_slice(payload);
        }
    }
    debug_assert_eq!(node.node_ref(), *at);
    out
}

fn missing(path: &str, at: &NodeRef) -> StoreError {
    corrupt(
        path,
        format!("merkle node {} is missing", merkle::hex(&at.hash)),
    )
}

/// The reference count at the start of a record, and the length of its encoding.
fn split_refs(record: &[u8], at: &NodeRef, path: &str) -> Result<(u64, usize), StoreError> {
    match get_varint(record) {
        Some((refs, len)) if refs > 0 => Ok((refs, len)),
        _ => Err(corrupt(
            path,
            format!("merkle node {}: bad reference count", merkle::hex(&at.hash)),
        )),
    }
}

/// `record` with its reference count replaced by `refs`.
fn with_refs(record: &[u8], refs: u64, at: &NodeRef, path: &str) -> Result<Vec<u8>, StoreError> {
    let (_, len) = split_refs(record, at, path)?;
    let mut out = Vec::with_capacity(record.len() + 1);
    put_varint(&mut out, refs);
    out.extend_from_slice(&record[len..]);
    Ok(out)
}

/// Decode the node of `record`, found at `at`, and check it is that node.
fn decode_record(record: &[u8], at: &NodeRef, path: &str) -> Result<(u64, Node), StoreError> {
    let (refs, len) = split_refs(record, at, path)?;
    let bad = |what: &str| {
        corrupt(
            path,
            format!("merkle node {}: {what}", merkle::hex(&at.hash)),
        )
    };
    let (&tag, body) = record[len..]
        .split_first()
        .ok_or_else(|| bad("empty record"))?;
    let hash_at = |at: usize| -> Option<Hash> { body.get(at..at + 32)?.try_into().ok() };
    let node = match tag {
        INTERNAL => {
            let (Some(left), Some(right)) = (hash_at(0), hash_at(32)) else {
                return Err(bad("short internal node"));
            };
            let (left_leaves, n) = get_varint(&body[64..]).ok_or_else(|| bad("bad leaf count"))?;
            let (right_leaves, m) =
                get_varint(&body[64 + n..]).ok_or_else(|| bad("bad leaf count"))?;
            let rest = &body[64 + n + m..];
            let (left_empty, right_empty) = (left == EMPTY_HASH, right == EMPTY_HASH);
            let right_loc = match (left_empty, right_empty) {
                (false, false) => {
                    let loc: [u8; 8] = rest.try_into().map_err(|_| bad("bad right locality"))?;
                    u64::from_be_bytes(loc)
                }
                (true, false) if rest.is_empty() => at.loc,
                (false, true) if rest.is_empty() => 0,
                _ => return Err(bad("bad internal node")),
            };
            if (left_empty != (left_leaves == 0)) || (right_empty != (right_leaves == 0)) {
                return Err(bad("leaf counts do not match the children"));
            }
            if left_leaves.saturating_add(right_leaves) < 2 {
                return Err(bad("an internal node over fewer than two leaves"));
            }
            Node::Internal {
                left: NodeRef {
                    hash: left,
                    loc: if left_empty { 0 } else { at.loc },
                    leaves: left_leaves,
                },
                right: NodeRef {
                    hash: right,
                    loc: right_loc,
                    leaves: right_leaves,
                },
            }
        }
        LEAF | STORAGE_LEAF | RECORD_LEAF => {
            let tail = body.get(..24).ok_or_else(|| bad("short leaf"))?;
            let mut key = LeafKey::default();
            key.0[..8].copy_from_slice(&at.loc.to_be_bytes());
            key.0[8..].copy_from_slice(tail);
            let (value_hash, payload) = match tag {
                LEAF => (hash_at(24).ok_or_else(|| bad("short leaf"))?, &body[56..]),
                STORAGE_LEAF => (merkle::storage_value_hash(&key, &body[24..]), &body[24..]),
                _ => (merkle::record_value_hash(&key, &body[24..]), &body[24..]),
            };
            Node::Leaf {
                key,
                value_hash,
                payload: payload.to_vec(),
            }
        }
        _ => return Err(bad(&format!("unknown node tag {tag}"))),
    };
    if node.node_ref() != *at {
        return Err(bad("the record does not match its key"));
    }
    Ok((refs, node))
}

fn get_node(
    table: &impl ReadableTable<&'static [u8], &'static [u8]>,
    at: &NodeRef,
    path: &str,
) -> Result<Option<(u64, Node)>, StoreError> {
    match table
        .get(node_key(at).as_slice())
        .map_err(|e| db_error(path, e))?
    {
        Some(record) => decode_record(record.value(), at, path).map(Some),
        None => Ok(None),
    }
}

/// Nodes read in a read transaction.
pub(super) struct ReadNodes<'p> {
    pub(super) nodes: ReadOnlyTable<&'static [u8], &'static [u8]>,
    path: &'p str,
}

impl<'p> ReadNodes<'p> {
    pub(super) fn open(txn: &ReadTransaction, path: &'p str) -> Result<Self, StoreError> {
        Ok(Self {
            nodes: txn.open_table(NODES).map_err(|e| db_error(path, e))?,
            path,
        })
    }

    /// The node at `at` and its reference count.
    pub(super) fn node_and_refs(&self, at: &NodeRef) -> Result<Option<(u64, Node)>, StoreError> {
        get_node(&self.nodes, at, self.path)
    }
}

impl NodeStore for ReadNodes<'_> {
    fn node(&self, at: &NodeRef) -> Result<Option<Node>, StoreError> {
        Ok(self.node_and_refs(at)?.map(|(_, n)| n))
    }

    /// A lookup of the key, without decoding the record.
    fn contains(&self, at: &NodeRef) -> Result<bool, StoreError> {
        let record = self.nodes.get(node_key(at).as_slice());
        Ok(record.map_err(|e| db_error(self.path, e))?.is_some())
    }

    fn location(&self) -> String {
        self.path.to_string()
    }
}

/// Nodes and their counts written in a write transaction.
pub(super) struct WriteNodes<'t, 'p> {
    pub(super) nodes: Table<'t, &'static [u8], &'static [u8]>,
    pub(super) path: &'p str,
}

impl NodeStore for WriteNodes<'_, '_> {
    fn node(&self, at: &NodeRef) -> Result<Option<Node>, StoreError> {
        Ok(get_node(&self.nodes, at, self.path)?.map(|(_, n)| n))
    }

    fn location(&self) -> String {
        self.path.to_string()
    }
}

impl NodeStoreMut for WriteNodes<'_, '_> {
    fn refs(&self, at: &NodeRef) -> Result<Option<u64>, StoreError> {
        match self
            .nodes
            .get(node_key(at).as_slice())
            .map_err(|e| db_error(self.path, e))?
        {
            Some(record) => Ok(Some(split_refs(record.value(), at, self.path)?.0)),
            None => Ok(None),
        }
    }

    fn insert(&mut self, at: NodeRef, node: Node, refs: u64) -> Result<(), StoreError> {
        let record = encode_record(refs, &at, &node);
        self.nodes
            .insert(node_key(&at).as_slice(), record.as_slice())
            .map_err(|e| db_error(self.path, e))?;
        Ok(())
    }

    fn add_ref(&mut self, at: &NodeRef) -> Result<(), StoreError> {
        let path = self.path;
        let e = |e| db_error(path, e);
        let key = node_key(at);
        let mut record = self
            .nodes
            .get_mut(key.as_slice())
            .map_err(e)?
            .ok_or_else(|| missing(path, at))?;
        let (refs, _) = split_refs(record.value(), at, path)?;
        let new = with_refs(record.value(), refs.saturating_add(1), at, path)?;
        record.insert(new.as_slice()).map_err(e)
    }

    fn drop_ref(&mut self, at: &NodeRef) -> Result<Option<Node>, StoreError> {
        let path = self.path;
        let e = |e| db_error(path, e);
        let key = node_key(at);
        let (refs, node) = {
            let mut record = self
                .nodes
                .get_mut(key.as_slice())
                .map_err(e)?
                .ok_or_else(|| missing(path, at))?;
            let (refs, _) = split_refs(record.value(), at, path)?;
            if refs > 1 {
                let new = with_refs(record.value(), refs - 1, at, path)?;
                record.insert(new.as_slice()).map_err(e)?;
                return Ok(None);
            }
            decode_record(record.value(), at, path)?
        };
        debug_assert_eq!(refs, 1);
        self.nodes.remove(key.as_slice()).map_err(e)?;
        Ok(Some(node))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_reject_overlong() {
        for v in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = vec![];
            put_varint(&mut out, v);
            assert_eq!(get_varint(&out), Some((v, out.len())));
        }
        assert_eq!(get_varint(&[0x80; 11]), None);
        assert_eq!(
            get_varint(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]),
            None
        );
        assert_eq!(get_varint(&[]), None);
    }

    #[test]
    fn classes_group_leaf_counts_by_powers_of_eight() {
        let classes: Vec<u8> = [0, 1, 7, 8, 63, 64, 511, 512, u64::MAX]
            .iter()
            .map(|&n| class(n))
            .collect();
        assert_eq!(classes, [0, 0, 0, 1, 1, 2, 2, 3, 21]);
    }

    #[test]
    fn records_round_trip_and_are_checked_against_their_key() {
        let key = merkle::storage_leaf_key(&host_api::ContractId([1; 32]), b"k");
        let storage = Node::Leaf {
            key,
            value_hash: merkle::storage_value_hash(&key, b"value"),
            payload: b"value".to_vec(),
        };
        let opaque = Node::Leaf {
            key,
            value_hash: [5; 32],
            payload: vec![],
        };
        let record_key = merkle::record_leaf_key(&host_api::ContractId([2; 32]));
        let record = Node::Leaf {
            key: record_key,
            value_hash: merkle::record_value_hash(&record_key, &[3; 64]),
            payload: vec![3; 64],
        };
        let (a, b, c) = (storage.node_ref(), opaque.node_ref(), record.node_ref());
        let both = Node::Internal { left: a, right: c };
        let chain = Node::Internal {
            left: NodeRef::EMPTY,
            right: both.node_ref(),
        };
        let end = Node::Internal {
            left: both.node_ref(),
            right: NodeRef::EMPTY,
        };
        // An internal node over a single leaf (that leaf belongs in its place): refused.
        let lone = Node::Internal {
            left: b,
            right: NodeRef::EMPTY,
        };
        let at = lone.node_ref();
        assert!(decode_record(&encode_record(1, &at, &lone), &at, "t").is_err());
        for (refs, node) in [
            (1, storage),
            (2, opaque),
            (300, record),
            (1, both),
            (7, chain),
            (1, end),
        ] {
            let at = node.node_ref();
            let bytes = encode_record(refs, &at, &node);
            assert_eq!(
                decode_record(&bytes, &at, "t").unwrap(),
                (refs, node.clone())
            );
            // Another leaf count or hash for the same record: refused. So is another locality
            // for a leaf (its key starts with it); an internal node takes its first child's
            // locality from its own, so there a wrong one is found missing one level down.
            let mut others = vec![
                NodeRef {
                    leaves: at.leaves + 1,
                    ..at
                },
                NodeRef {
                    hash: [9; 32],
                    ..at
                },
            ];
            if matches!(node, Node::Leaf { .. }) {
                others.push(NodeRef {
                    loc: at.loc ^ 1,
                    ..at
                });
            }
            for other in others {
                let got = decode_record(&bytes, &other, "t");
                assert!(
                    matches!(got, Err(StoreError::Corrupt { .. })),
                    "{node:?} as {other:?}: {got:?}"
                );
            }
            // Any truncation or flipped payload byte: refused.
            for cut in 0..bytes.len() {
                assert!(decode_record(&bytes[..cut], &at, "t").is_err(), "cut {cut}");
            }
            // A flipped last byte (payload, value hash or leaf count): refused. (Of a node with
            // two children it is the right child's locality: found missing when followed.)
            if !matches!(&node, Node::Internal { left, right } if !left.is_empty() && !right.is_empty())
            {
                let mut flipped = bytes.clone();
                *flipped.last_mut().unwrap() ^= 1;
                assert!(decode_record(&flipped, &at, "t").is_err());
            }
        }
    }
}
