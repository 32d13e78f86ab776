//! Forks: [`WalStore::revert_to`] moves the current version back to one the log still holds,
//! so a node that committed the losing candidate of a fork can return to the parent and commit
//! the other.
//!
//! The log holds every version since the checkpoint, so going back is: rebuild the version (the
//! checkpoint loaded, the log replayed up to it, as [`WalStore::snapshot`] does), delete the
//! later records in one durable transaction, then swap the rebuilt state in. A crash before the
//! transaction leaves the later versions in place; after it, reopening replays the shorter log
//! to the same state. The cost is a load of the whole state (about as long as opening the
//! store), paid only when a fork is lost.
//!
//! Going back **before the checkpoint is refused** ([`StoreError::RevertPastCheckpoint`]): a
//! checkpoint deletes the records it covers, so nothing on disk holds the versions before it.
//! A node keeps the checkpoint behind the versions it may have to leave by checkpointing no
//! later than its last final block (or with a threshold large enough for its fork depth).

use super::{LogState, WalStore, corrupt};
use crate::error::StoreError;
use crate::records::RecordTables;

impl WalStore {
    /// Move the current version back to `version`, dropping the versions after it (their log
    /// records are deleted): the state, its root and its proofs are then those of `version`,
    /// and the next commit builds on it. The [records](crate::records) written after `version`
    /// are taken back in the same transaction; `version` being the current one changes nothing
    /// else.
    ///
    /// # Errors
    /// [`StoreError::RevertPastCheckpoint`] when `version` is before the checkpoint;
    /// [`StoreError::UnknownSnapshot`] when it is later than the current version;
    /// [`StoreError::Corrupt`] when the checkpoint or a record is damaged; when the database
    /// fails. Nothing is changed then, in memory or on disk.
    pub fn revert_to(&self, version: u64) -> Result<(), StoreError> {
        // A background checkpoint covers a version this revert may drop: let it finish first.
        self.wait_for_checkpoint();
        let mut log = self.log.lock();
        if log.checkpoint_running {
            return Err(StoreError::Backend {
                path: self.path.clone(),
                message: "a checkpoint started meanwhile: revert again once it is written".into(),
            });
        }
        let head = log.stats.version;
        if version == head {
            // The state stays; records written alone since it are taken back.
            let txn = self.db.begin_write().map_err(|e| self.db_error(e))?;
            crate::records::undo_records_after(
                &mut RecordTables::open(&txn, &self.path)?,
                version,
                &self.path,
            )?;
            return txn.commit().map_err(|e| self.db_error(e));
        }
        if version > head {
            return Err(StoreError::UnknownSnapshot(format!(
                "version {version} (the store is at {head})"
            )));
        }
        if let Some(checkpoint) = log.stats.checkpoint_version
            && version < checkpoint
        {
            return Err(StoreError::RevertPastCheckpoint {
                version,
                checkpoint,
            });
        }
        let (memory, rebuilt) = Self::replay(&self.db, &self.path, version)?;
        if rebuilt.stats.version != version {
            return Err(corrupt(
                &self.path,
                format!(
                    "the log ends at version {} before version {version}",
                    rebuilt.stats.version
                ),
            ));
        }
        let txn = self.db.begin_write().map_err(|e| self.db_error(e))?;
        {
            let mut records = txn.open_table(super::LOG).map_err(|e| self.db_error(e))?;
            records
                .retain_in(version + 1.., |_, _| false)
                .map_err(|e| self.db_error(e))?;
            drop(records);
            crate::records::undo_records_after(
                &mut RecordTables::open(&txn, &self.path)?,
                version,
                &self.path,
            )?;
        }
        txn.commit().map_err(|e| self.db_error(e))?;
        // The log on disk now ends at `version`: the memory follows, rebuilt from it (which
        // also ends a divergence between the two, if there was one).
        self.memory.replace_with(memory);
        *log = LogState {
            stats: crate::WalStats {
                checkpoint_failures: log.stats.checkpoint_failures,
                ..rebuilt.stats
            },
            retry_at_bytes: 0,
            diverged: false,
            checkpoint_running: false,
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ChangeSet, StateStore};
    use host_api::ContractId;

    fn write(key: u8, value: u8) -> ChangeSet {
        let mut changes = ChangeSet::default();
        changes
            .storage
            .entry(ContractId([1; 32]))
            .or_default()
            .insert(vec![key], Some(vec![value]));
        changes
    }

    /// Reverting to the current version changes nothing; to a later one or to one before the
    /// checkpoint is refused with its typed error, the store unchanged.
    #[test]
    fn revert_limits() {
        let dir = tempfile::tempdir().unwrap();
        let store = WalStore::open(dir.path().join("s.wal")).unwrap();
        for i in 0..3 {
            store.commit(write(i, i)).unwrap();
        }
        store.checkpoint().unwrap();
        store.commit(write(9, 9)).unwrap();
        let root = store.root().unwrap();
        store.revert_to(4).unwrap();
        assert_eq!(store.root().unwrap(), root);
        assert!(matches!(
            store.revert_to(5),
            Err(StoreError::UnknownSnapshot(_))
        ));
        assert_eq!(
            store.revert_to(2),
            Err(StoreError::RevertPastCheckpoint {
                version: 2,
                checkpoint: 3
            })
        );
        assert_eq!(store.root().unwrap(), root);
        // The checkpoint's own version is the oldest one it can return to.
        let at_checkpoint = store.snapshot(3).unwrap().root().unwrap();
        store.revert_to(3).unwrap();
        assert_eq!(store.root().unwrap(), at_checkpoint);
        assert_eq!(store.stats().version, 3);
        assert_eq!(store.stats().log_records, 0);
    }
}
