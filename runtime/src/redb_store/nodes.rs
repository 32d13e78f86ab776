//! The merkle nodes in redb: the `merkle_nodes` table read and written as a
//! [`NodeStore`]/[`NodeStoreMut`], keyed by `locality ‖ hash`, each record `refs ‖ node`.

use super::{NODES, corrupt, db_error};
use crate::error::StoreError;
use crate::merkle::{self, Node, NodeRef, NodeStore, NodeStoreMut};
use redb::{ReadOnlyTable, ReadTransaction, ReadableTable, Table};

/// The key of a node in `merkle_nodes`: locality (u64 BE) ‖ hash.
pub(super) type NodeKey = [u8; 40];

pub(super) fn node_key(at: &NodeRef) -> NodeKey {
    let mut key = [0u8; 40];
    key[..8].copy_from_slice(&at.loc.to_be_bytes());
    key[8..].copy_from_slice(&at.hash);
    key
}
/// Split a `merkle_nodes` value into the reference count and the node's encoding.
fn split_record<'b>(
    bytes: &'b [u8],
    at: &NodeRef,
    path: &str,
) -> Result<(u64, &'b [u8]), StoreError> {
    let bad = || {
        corrupt(
            path,
            format!(
                "merkle node {} has no reference count",
                merkle::hex(&at.hash)
            ),
        )
    };
    let count: [u8; 8] = bytes
        .get(..8)
        .ok_or_else(bad)?
        .try_into()
        .map_err(|_| bad())?;
    Ok((u64::from_le_bytes(count), &bytes[8..]))
}

/// A `merkle_nodes` value: `refs ‖ encoding`.
fn node_record(refs: u64, encoded: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + encoded.len());
    out.extend_from_slice(&refs.to_le_bytes());
    out.extend_from_slice(encoded);
    out
}

fn decode_node(record: &[u8], at: &NodeRef, path: &str) -> Result<Node, StoreError> {
    let (_, bytes) = split_record(record, at, path)?;
    let node = Node::decode(bytes).map_err(|m| corrupt(path, m))?;
    if node.node_ref() != *at {
        return Err(corrupt(
            path,
            format!(
                "merkle node {} does not match its key",
                merkle::hex(&at.hash)
            ),
        ));
    }
    Ok(node)
}

/// Nodes read in a read transaction.
pub(super) struct ReadNodes<'p> {
    pub(super) nodes: ReadOnlyTable<NodeKey, &'static [u8]>,
    path: &'p str,
}

impl<'p> ReadNodes<'p> {
    pub(super) fn open(txn: &ReadTransaction, path: &'p str) -> Result<Self, StoreError> {
        Ok(Self {
            nodes: txn.open_table(NODES).map_err(|e| db_error(path, e))?,
            path,
        })
    }
}

impl NodeStore for ReadNodes<'_> {
    fn node(&self, at: &NodeRef) -> Result<Option<Node>, StoreError> {
        match self
            .nodes
            .get(node_key(at))
            .map_err(|e| db_error(self.path, e))?
        {
            Some(bytes) => decode_node(bytes.value(), at, self.path).map(Some),
            None => Ok(None),
        }
    }

    fn location(&self) -> String {
        self.path.to_string()
    }
}

/// Nodes and their counts written in a write transaction.
pub(super) struct WriteNodes<'t, 'p> {
    pub(super) nodes: Table<'t, NodeKey, &'static [u8]>,
    pub(super) path: &'p str,
}

impl NodeStore for WriteNodes<'_, '_> {
    fn node(&self, at: &NodeRef) -> Result<Option<Node>, StoreError> {
        match self
            .nodes
            .get(node_key(at))
            .map_err(|e| db_error(self.path, e))?
        {
            Some(bytes) => decode_node(bytes.value(), at, self.path).map(Some),
            None => Ok(None),
        }
    }

    fn location(&self) -> String {
        self.path.to_string()
    }
}

impl NodeStoreMut for WriteNodes<'_, '_> {
    fn refs(&self, at: &NodeRef) -> Result<Option<u64>, StoreError> {
        match self
            .nodes
            .get(node_key(at))
            .map_err(|e| db_error(self.path, e))?
        {
            Some(record) => Ok(Some(split_record(record.value(), at, self.path)?.0)),
            None => Ok(None),
        }
    }

    fn insert(&mut self, at: NodeRef, node: Node, refs: u64) -> Result<(), StoreError> {
        let record = node_record(refs, &node.encode());
        self.nodes
            .insert(node_key(&at), record.as_slice())
            .map_err(|e| db_error(self.path, e))?;
        Ok(())
    }

    fn set_refs(&mut self, at: &NodeRef, refs: u64) -> Result<(), StoreError> {
        let key = node_key(at);
        let record = match self.nodes.get(key).map_err(|e| db_error(self.path, e))? {
            Some(old) => node_record(refs, split_record(old.value(), at, self.path)?.1),
            None => return Ok(()),
        };
        self.nodes
            .insert(key, record.as_slice())
            .map_err(|e| db_error(self.path, e))?;
        Ok(())
    }

    fn remove(&mut self, at: &NodeRef) -> Result<Option<Node>, StoreError> {
        let path = self.path;
        let key = node_key(at);
        match self.nodes.remove(key).map_err(|e| db_error(path, e))? {
            Some(bytes) => decode_node(bytes.value(), at, path).map(Some),
            None => Ok(None),
        }
    }
}
