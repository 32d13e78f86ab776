//! [`Snapshot`]: a read-only view of one retained version of a [`RedbStore`].

use super::{CODE, ROOTS, ReadNodes, db_error, decode_record, version_of};
use crate::error::StoreError;
use crate::ids::CodeHash;
use crate::merkle::{self, LeafKey, NodeRef, Proof, Root};
use crate::store::{ChangeSet, ContractRecord, StateStore};
use host_api::ContractId;
use redb::{Database, ReadTransaction, ReadableDatabase};
use std::fmt;
use std::sync::Arc;

#[cfg(doc)]
use super::RedbStore;

/// A read-only view of a retained version of a [`RedbStore`]: its storage and records are read
/// from that version's merkle tree (the leaves' payloads), code from the code table (never
/// deleted). Once the version is dropped every read answers [`StoreError::UnknownSnapshot`].
pub struct Snapshot {
    pub(super) db: Arc<Database>,
    pub(super) path: String,
    pub(super) version: u64,
    /// The version's root node.
    pub(super) root: NodeRef,
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("path", &self.path)
            .field("version", &self.version)
            .field("root", &Root(self.root.hash))
            .finish_non_exhaustive()
    }
}

impl Snapshot {
    /// The version this snapshot reads.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// A read transaction in which the version is still retained.
    fn begin(&self) -> Result<ReadTransaction, StoreError> {
        let txn = self.db.begin_read().map_err(|e| db_error(&self.path, e))?;
        let roots = txn.open_table(ROOTS).map_err(|e| db_error(&self.path, e))?;
        match version_of(&roots, self.version, &self.path)? {
            Some(info) if info.root_ref() == self.root => Ok(txn),
            _ => Err(StoreError::UnknownSnapshot(format!(
                "version {} (dropped)",
                self.version
            ))),
        }
    }

    fn leaf(&self, key: &LeafKey) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.begin()?;
        let nodes = ReadNodes::open(&txn, &self.path)?;
        Ok(merkle::get(&nodes, self.root, key)?.map(|v| v.payload))
    }

    /// The proof of storage `key` of `contract` under this version's root.
    ///
    /// # Errors
    /// [`StoreError::UnknownSnapshot`] once the version is dropped; when the database fails.
    pub fn prove(&self, contract: &ContractId, key: &[u8]) -> Result<Proof, StoreError> {
        let txn = self.begin()?;
        let leaf = merkle::storage_leaf_key(contract, key);
        merkle::prove(&ReadNodes::open(&txn, &self.path)?, self.root, &leaf)
    }
}

impl StateStore for Snapshot {
    fn contract(&self, id: &ContractId) -> Result<Option<ContractRecord>, StoreError> {
        match self.leaf(&merkle::record_leaf_key(id))? {
            Some(bytes) => decode_record(&bytes, &self.path).map(Some),
            None => Ok(None),
        }
    }

    fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError> {
        let txn = self.begin()?;
        let table = txn.open_table(CODE).map_err(|e| db_error(&self.path, e))?;
        let code = table.get(hash.0).map_err(|e| db_error(&self.path, e))?;
        Ok(code.map(|c| Arc::from(c.value())))
    }

    fn storage(&self, id: &ContractId, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.leaf(&merkle::storage_leaf_key(id, key))
    }

    fn apply(&self, _changes: ChangeSet) -> Result<(), StoreError> {
        Err(StoreError::ReadOnly)
    }

    fn root(&self) -> Result<Root, StoreError> {
        Ok(Root(self.root.hash))
    }

    fn commit(&self, _changes: ChangeSet) -> Result<Root, StoreError> {
        Err(StoreError::ReadOnly)
    }

    fn commit_over(&self, _base: Root, _changes: ChangeSet) -> Result<Root, StoreError> {
        Err(StoreError::ReadOnly)
    }

    /// Over this version's tree, read in place (the snapshot itself cannot commit: the
    /// changes are committed to the store, over this version once it is the head again).
    fn root_after(&self, base: Root, changes: &ChangeSet) -> Result<Root, StoreError> {
        let current = Root(self.root.hash);
        if base != current {
            return Err(StoreError::BaseMoved { base, current });
        }
        let txn = self.begin()?;
        let nodes = ReadNodes::open(&txn, &self.path)?;
        let root = merkle::root_after(&nodes, self.root, changes.leaf_updates(false))?;
        Ok(Root(root.hash))
    }
}
