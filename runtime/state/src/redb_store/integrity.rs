//! [`RedbStore::check_integrity`]: the whole database checked against itself.

use super::nodes::ReadNodes;
use super::{
    CONTRACTS, ROOTS, RedbStore, STORAGE, corrupt, db_error, decode_record, head_of, versions_of,
};
use crate::error::StoreError;
use crate::merkle::{self, Hash, LeafKey, Node, NodeRef};
use host_api::ContractId;
use redb::{ReadableTable, ReadableTableMetadata};
use std::collections::{BTreeMap, BTreeSet};

impl RedbStore {
    /// Check the whole database (reads all of it): the node table holds exactly the nodes the
    /// retained versions reach, each with its count, every version's leaf count is right, and the
    /// head root is the root of the `contracts` and `storage` tables rebuilt from scratch.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] naming the first problem found.
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        let path = self.path.as_str();
        let e = |e: redb::StorageError| db_error(path, e);
        let txn = self.read()?;
        let roots = self.read_table(&txn, ROOTS)?;
        let nodes = ReadNodes::open(&txn, path)?;
        // Every node reachable from a retained root, with the references it should have: one per
        // retained version whose root it is, one per stored internal node over it.
        let mut versions = Vec::new();
        let mut all = BTreeSet::new();
        let mut expected = BTreeMap::<NodeRef, u64>::new();
        for info in versions_of(&roots, path)? {
            let root = info.root_ref();
            if !root.is_empty() {
                *expected.entry(root).or_default() += 1;
            }
            let mut mine = BTreeSet::new();
            merkle::reachable(&nodes, root, &mut mine)?;
            all.extend(mine.iter().copied());
            versions.push((info, mine));
        }
        let mut stored_refs = BTreeMap::new();
        let mut leaf_nodes = BTreeSet::new();
        for at in &all {
            // Reading checks the node against `at`, its leaf count included.
            let (refs, node) = nodes
                .node_and_refs(at)?
                .ok_or_else(|| merkle::missing(&nodes, at))?;
            stored_refs.insert(*at, refs);
            match node {
                Node::Leaf { .. } => {
                    leaf_nodes.insert(*at);
                }
                Node::Internal { left, right } => {
                    for child in [left, right].iter().filter(|c| !c.is_empty()) {
                        *expected.entry(*child).or_default() += 1;
                    }
                }
            }
        }
        if let Some((at, refs)) = stored_refs
            .iter()
            .find(|(at, refs)| expected.get(at) != Some(refs))
        {
            let want = expected.get(at).copied().unwrap_or(0);
            return Err(corrupt(
                path,
                format!(
                    "merkle node {}: {refs} references stored, {want} held",
                    merkle::hex(&at.hash)
                ),
            ));
        }
        for (info, mine) in &versions {
            let leaves = mine.intersection(&leaf_nodes).count() as u64;
            if leaves != info.leaves {
                let v = info.version;
                return Err(corrupt(
                    path,
                    format!("version {v}: {leaves} leaves, recorded {}", info.leaves),
                ));
            }
        }
        let stored = nodes.nodes.len().map_err(e)?;
        if stored != all.len() as u64 {
            return Err(corrupt(
                path,
                format!("{stored} nodes stored, {} reachable", all.len()),
            ));
        }
        let mut leaves = BTreeMap::<LeafKey, Hash>::new();
        for entry in self.read_table(&txn, CONTRACTS)?.iter().map_err(e)? {
            let (id, record) = entry.map_err(e)?;
            let record = decode_record(record.value(), path)?;
            let leaf = merkle::record_leaf_key(&ContractId(id.value()));
            leaves.insert(leaf, merkle::record_value_hash(&leaf, &record.to_bytes()));
        }
        for entry in self.read_table(&txn, STORAGE)?.iter().map_err(e)? {
            let (key, value) = entry.map_err(e)?;
            let key = key.value();
            let id: [u8; 32] = key
                .get(..32)
                .and_then(|k| k.try_into().ok())
                .ok_or_else(|| corrupt(path, "storage key shorter than a contract id".into()))?;
            let leaf = merkle::storage_leaf_key(&ContractId(id), &key[32..]);
            leaves.insert(leaf, merkle::storage_value_hash(&leaf, value.value()));
        }
        let head = head_of(&roots, path)?;
        if merkle::root_of(&leaves) != head.root {
            return Err(corrupt(
                path,
                "the head root does not match the stored state".into(),
            ));
        }
        Ok(())
    }
}
