//! Forks: [`RedbStore::revert_to`] moves the head back to a retained version, dropping the
//! versions after it, so a node that committed the losing candidate of a fork can return to
//! the parent and commit the other.
//!
//! # The `changed_keys` table
//!
//! | table | key | value |
//! |---|---|---|
//! | `changed_keys` | version (u64) | borsh `(contract ids, [(contract id, storage keys)])` |
//!
//! A version's tree alone cannot restore the `contracts` and `storage` tables (the current
//! state, kept for fast reads): its leaves are keyed by hashes of the contract ids and storage
//! keys, which cannot be inverted. So every commit also records, in its own transaction, which
//! contract records and storage keys it changed (the keys only: their values at any retained
//! version are in that version's tree). Going back from the head to version `v` rewrites exactly
//! the keys the versions after `v` changed, each to its value in `v`'s tree, or removes it —
//! `O(changed keys × depth)`, never a scan of the state.
//!
//! A record is kept while a version at or before it is retained, and deleted with the version
//! dropped last, so the table holds about as many records as there are retained versions. A
//! file written before this table existed has no records for its versions: going back across
//! one is refused ([`StoreError::ChangedKeysMissing`]), never guessed; the format is unchanged
//! (a build without the table ignores it, and the versions it writes have no record, so they
//! are refused the same way).

use super::{PruneStats, RedbStore, WriteTables, db_error, decode_record, head_of, storage_key};
use crate::error::StoreError;
use crate::merkle::{self, Root};
use crate::store::ChangeSet;
use borsh::{BorshDeserialize, BorshSerialize};
use host_api::ContractId;
use redb::{ReadableTable, TableDefinition};
use std::collections::BTreeSet;

/// Version → the keys its commit changed.
pub(super) const CHANGED_KEYS: TableDefinition<u64, &[u8]> = TableDefinition::new("changed_keys");

/// The keys one commit changed: contract records and storage keys, without their values.
#[derive(Default, BorshSerialize, BorshDeserialize)]
struct ChangedKeys {
    contracts: Vec<[u8; 32]>,
    storage: Vec<([u8; 32], Vec<Vec<u8>>)>,
}

impl ChangedKeys {
    fn of(changes: &ChangeSet) -> Self {
        Self {
            contracts: changes.contracts.keys().map(|id| id.0).collect(),
            storage: changes
                .storage
                .iter()
                .map(|(id, writes)| (id.0, writes.keys().cloned().collect()))
                .collect(),
        }
    }
}

impl WriteTables<'_, '_> {
    /// Record the keys `changes` (version `version`'s commit) changed.
    pub(super) fn record_changed_keys(
        &mut self,
        version: u64,
        changes: &ChangeSet,
    ) -> Result<(), StoreError> {
        let path = self.path();
        let bytes = borsh::to_vec(&ChangedKeys::of(changes)).map_err(|e| StoreError::Io {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        self.changed_keys
            .insert(version, bytes.as_slice())
            .map_err(|e| db_error(path, e))?;
        Ok(())
    }

    /// Delete the records no revert can need any more: those of the oldest retained version and
    /// before (a revert goes back at most to the oldest retained version, and needs the records
    /// of the versions after it).
    pub(super) fn forget_changed_keys_up_to_oldest(&mut self) -> Result<(), StoreError> {
        let path = self.path();
        let e = |e: redb::StorageError| db_error(path, e);
        let Some((oldest, _)) = self.roots.first().map_err(e)? else {
            return Ok(());
        };
        let oldest = oldest.value();
        crate::records::forget_undo_through(&mut self.records.undo, oldest, path)?;
        self.changed_keys
            .retain_in(..=oldest, |_, _| false)
            .map_err(e)
    }

    /// Make retained `version` the head: restore the current-state tables from its tree, then
    /// drop every version after it and the nodes only they reached.
    fn revert_to(&mut self, version: u64) -> Result<PruneStats, StoreError> {
        let path = self.path();
        let e = |e: redb::StorageError| db_error(path, e);
        let head = head_of(&self.roots, path)?;
        let target = super::version_of(&self.roots, version, path)?
            .ok_or_else(|| StoreError::UnknownSnapshot(format!("version {version}")))?;
        // The records written after the target (by the versions after it, or alone since it).
        crate::records::undo_records_after(&mut self.records, version, path)?;
        if version == head.version {
            return Ok(PruneStats::default());
        }
        // The keys the versions after the target changed, every one of them recorded.
        let mut contracts = BTreeSet::new();
        let mut storage = BTreeSet::new();
        let mut expected = version + 1;
        for entry in self.changed_keys.range(version + 1..).map_err(e)? {
            let (at, bytes) = entry.map_err(e)?;
            let at = at.value();
            if at != expected || at > head.version {
                break;
            }
            let keys = ChangedKeys::try_from_slice(bytes.value()).map_err(|err| {
                super::corrupt(path, format!("changed keys of version {at}: {err}"))
            })?;
            contracts.extend(keys.contracts);
            for (id, keys) in keys.storage {
                storage.extend(keys.into_iter().map(|key| (id, key)));
            }
            expected += 1;
        }
        if expected <= head.version {
            return Err(StoreError::ChangedKeysMissing {
                version,
                missing: expected,
            });
        }
        // The current-state tables: each changed key to its value in the target's tree.
        let root = target.root_ref();
        for id in contracts {
            let leaf = merkle::record_leaf_key(&ContractId(id));
            match merkle::get(&self.nodes, root, &leaf)? {
                Some(value) => {
                    decode_record(&value.payload, path)?;
                    self.contracts.insert(id, value.payload.as_slice())
                }
                None => self.contracts.remove(id),
            }
            .map_err(e)?;
        }
        for (id, key) in storage {
            let id = ContractId(id);
            let leaf = merkle::storage_leaf_key(&id, &key);
            let key = storage_key(&id, &key);
            match merkle::get(&self.nodes, root, &leaf)? {
                Some(value) => self
                    .storage
                    .insert(key.as_slice(), value.payload.as_slice()),
                None => self.storage.remove(key.as_slice()),
            }
            .map_err(e)?;
        }
        // The versions after the target, newest first, and their records.
        let mut stats = PruneStats::default();
        let later = super::versions_of(&self.roots, path)?
            .into_iter()
            .filter(|v| v.version > version);
        for info in later.rev() {
            self.roots.remove(info.version).map_err(e)?;
            stats.versions_dropped += 1;
            stats.nodes_deleted += merkle::release(&mut self.nodes, info.root_ref())?;
        }
        self.changed_keys
            .retain_in(version + 1.., |_, _| false)
            .map_err(e)?;
        Ok(stats)
    }
}

impl RedbStore {
    /// Move the head back to retained `version`, dropping every version after it: the state,
    /// its root and its proofs are then those of `version`, and the next commit builds on it.
    /// This is how a node leaves the losing side of a fork: it returns to the parent of the
    /// block it committed and commits the other candidate (computed over the parent with
    /// [`root_after`](crate::StateStore::root_after), or executed over a
    /// [`snapshot`](Self::snapshot) of it).
    ///
    /// One write transaction: the keys the dropped versions changed are restored from
    /// `version`'s tree (see the module documentation), the dropped versions' roots released
    /// (their nodes deleted unless a retained version reaches them), all or nothing. Code
    /// written by the dropped versions stays in the code table (it is content-addressed and
    /// outside the root). The [records](crate::records) written after `version` are taken back
    /// in the same transaction, so they are as they were when it was committed; `version` being
    /// the head already changes nothing else. Snapshots of the dropped versions answer
    /// [`StoreError::UnknownSnapshot`] from then on.
    ///
    /// # Errors
    /// [`StoreError::UnknownSnapshot`] when `version` is not retained (pruned, or later than the
    /// head); [`StoreError::ChangedKeysMissing`] when a version after it has no record of its
    /// changed keys; when the database fails. Nothing is changed then.
    pub fn revert_to(&self, version: u64) -> Result<PruneStats, StoreError> {
        self.write(|t| t.revert_to(version))
    }

    /// [`revert_to`](Self::revert_to) the latest retained version whose root is `root`, and
    /// return that version.
    ///
    /// # Errors
    /// [`StoreError::UnknownSnapshot`] when no retained version has it; as `revert_to`.
    pub fn revert_to_root(&self, root: Root) -> Result<u64, StoreError> {
        let version = self.snapshot_at(root)?.version();
        self.revert_to(version)?;
        Ok(version)
    }
}
