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
use crate::merkle::Root;
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
            versions: rebuilt.versions,
        };
        Ok(())
    }

    /// [`revert_to`](Self::revert_to) the latest version the log holds whose root is `root`
    /// (the current one, if it has that root), returning that version. A node that knows a
    /// block's state root, not the store's version numbers, goes back this way.
    ///
    /// # Errors
    /// [`StoreError::UnknownSnapshot`] when no version since the checkpoint has `root` (the
    /// store unchanged), else [`revert_to`](Self::revert_to)'s.
    pub fn revert_to_root(&self, root: Root) -> Result<u64, StoreError> {
        let version = self
            .log
            .lock()
            .versions
            .iter()
            .rev()
            .find(|l| l.root == root)
            .map(|l| l.version)
            .ok_or_else(|| StoreError::UnknownSnapshot(format!("root {root}")))?;
        self.revert_to(version)?;
        Ok(version)
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

    /// `revert_to_root` returns to the latest version with the root (the current one for the
    /// current root), refuses a root the log does not hold with the store unchanged, and finds
    /// the roots again after a reopen (rebuilt by the replay).
    #[test]
    fn revert_to_root_goes_to_the_latest_version_with_that_root() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.wal");
        let mut roots = vec![];
        {
            let store = WalStore::open(&path).unwrap();
            roots.push(store.root().unwrap());
            for i in 0..4 {
                roots.push(store.commit(write(i, i)).unwrap());
            }
            // Version 5 writes key 3 back to what version 3 had: root 3 again, at version 5.
            store.commit(write(3, 9)).unwrap();
            let again = store.commit(write(3, 3)).unwrap();
            assert_eq!(again, roots[4]);
            assert_eq!(store.revert_to_root(again).unwrap(), 6);
            let unknown = Root([7; 32]);
            assert!(matches!(
                store.revert_to_root(unknown),
                Err(StoreError::UnknownSnapshot(_))
            ));
            assert_eq!(store.root().unwrap(), again);
            assert_eq!(store.revert_to_root(roots[2]).unwrap(), 2);
            assert_eq!(store.stats().version, 2);
        }
        let store = WalStore::open(&path).unwrap();
        assert_eq!(store.root().unwrap(), roots[2]);
        assert_eq!(store.revert_to_root(roots[1]).unwrap(), 1);
        assert_eq!(store.revert_to_root(Root::EMPTY).unwrap(), 0);
        assert_eq!(store.root().unwrap(), roots[0]);
    }

    /// With `keep_versions`, background checkpoints stay that many versions behind the current
    /// one: a revert to the oldest kept version works (by root, after a reopen too), one version
    /// further is refused as past the checkpoint.
    #[test]
    fn kept_versions_stay_revertible_across_checkpoints() {
        const KEEP: u64 = 4;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.wal");
        let options = crate::WalOptions {
            checkpoint_bytes: Some(1),
            keep_versions: Some(KEEP),
            ..crate::WalOptions::default()
        };
        let mut roots = vec![Root::EMPTY];
        {
            let store = WalStore::open_with(&path, options.clone()).unwrap();
            for i in 0..20 {
                roots.push(store.commit(write(i, i)).unwrap());
                store.wait_for_checkpoint();
            }
            let stats = store.stats();
            assert_eq!(stats.version, 20);
            assert_eq!(stats.checkpoint_version, Some(20 - KEEP));
            assert_eq!(stats.log_records, KEEP);
        }
        let store = WalStore::open_with(&path, options).unwrap();
        assert_eq!(store.root().unwrap(), roots[20]);
        assert_eq!(
            store.revert_to(20 - KEEP - 1),
            Err(StoreError::RevertPastCheckpoint {
                version: 20 - KEEP - 1,
                checkpoint: 20 - KEEP
            })
        );
        assert!(matches!(
            store.revert_to_root(roots[20 - KEEP as usize - 1]),
            Err(StoreError::UnknownSnapshot(_))
        ));
        assert_eq!(
            store.revert_to_root(roots[20 - KEEP as usize]).unwrap(),
            20 - KEEP
        );
        assert_eq!(store.root().unwrap(), roots[20 - KEEP as usize]);
        // Commits go on from there, and the checkpoint stays behind them.
        for i in 30..40 {
            store.commit(write(i, i)).unwrap();
            store.wait_for_checkpoint();
        }
        let stats = store.stats();
        assert_eq!(stats.checkpoint_version, Some(stats.version - KEEP));
    }
}
