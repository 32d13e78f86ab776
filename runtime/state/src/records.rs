//! Records: the caller's own key/value bytes, committed in the same atomic step as the state.
//!
//! A node stores its block log next to the state: height → block hash, block hash → header,
//! height → root. Written in a transaction of its own, a crash between the two writes leaves a
//! root no block explains, or a block whose state is missing. [`RecordStore::commit_with_records`]
//! writes a change set and a batch of records **in one transaction**: after a crash, reopening
//! finds both or neither (`tests/crash.rs` kills a committing process at random points and checks
//! exactly that).
//!
//! Records are opaque bytes in one ordered table (`records`). The state crate gives them no
//! meaning: a caller that keeps several kinds of record gives each kind a prefix, and
//! [`RecordStore::last_record`] finds the greatest key under a prefix (e.g. the last height).
//! They are not part of the merkle root, not versioned (a snapshot of an older version does not
//! see the records as they were then) and never dropped by pruning or checkpoints: a record is
//! what the last commit that wrote its key wrote, until a commit deletes it (`None`).
//!
//! **Reverts take the records back with the state.** A node that leaves the losing side of a
//! fork (`RedbStore::revert_to`, `WalStore::revert_to`) must not keep that side's block log: a
//! height record naming a dropped root is exactly the disagreement this module exists to rule
//! out. So every record write also writes, in the same transaction, what it replaced (the
//! previous value or its absence) to an undo table keyed by the version it belongs to: the
//! version its commit makes, or for records written alone (an empty change set) the next one
//! (the writes that came after the current version). `revert_to(v)` restores, newest first,
//! what every write after version `v` replaced, in the transaction that drops those versions:
//! the records are then exactly as they were when version `v` was committed. An undo entry
//! lives as long as a revert may cross it (the retained versions of a `RedbStore`, the log
//! after a `WalStore`'s checkpoint) and is deleted with them.

use crate::error::StoreError;
use crate::merkle::Root;
use crate::redb_store::db_error;
use crate::store::{ChangeSet, StateStore};
use redb::{ReadableTable, Table, TableDefinition};
use std::collections::BTreeMap;
use std::ops::Bound;

/// Record writes of one commit, applied in key order: `Some` writes the value, `None` deletes
/// the key (deleting an absent key does nothing).
pub type RecordWrites = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// A record with its key: `(key, value)`.
pub type RecordEntry = (Vec<u8>, Vec<u8>);

/// A [`StateStore`] that also keeps the caller's records (see the
/// [module documentation](self)) and commits them atomically with the state.
///
/// `RedbStore` and `WalStore` write them in the redb transaction that makes the change set
/// durable; `MemoryStore` keeps them in memory under the lock of its state (and does not save
/// them with [`MemoryStore::save`](crate::MemoryStore::save), which writes the state alone).
pub trait RecordStore: StateStore {
    /// Commit `changes` over `base` (as [`commit_over`](StateStore::commit_over)) and write
    /// `records`, in one atomic step: after it returns, both are durable (on a persistent store);
    /// after an error or a crash, neither was written. Empty `changes` with records write the
    /// records alone (a block that changes no state) and keep the version; both empty write
    /// nothing. Returns the root after the changes.
    ///
    /// # Errors
    /// [`StoreError::BaseMoved`] when the root is no longer `base` (nothing written); when the
    /// backend fails (nothing written).
    fn commit_with_records(
        &self,
        base: Root,
        changes: ChangeSet,
        records: &RecordWrites,
    ) -> Result<Root, StoreError>;

    /// The value of record `key`, if there is one.
    ///
    /// # Errors
    /// When the backend fails.
    fn record(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// The record with the greatest key that starts with `prefix` (any key for an empty prefix),
    /// with its key: e.g. the last height of keys `prefix ‖ height (u64 big-endian)`.
    ///
    /// # Errors
    /// When the backend fails.
    fn last_record(&self, prefix: &[u8]) -> Result<Option<RecordEntry>, StoreError>;
}

/// The records table of the redb-backed stores.
pub(crate) const RECORDS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("records");

/// The keys that start with `prefix`, as a range: from `prefix` up to (excluded) the least key
/// greater than every key with that prefix, unbounded when there is none (`prefix` empty or
/// all `0xff`).
pub(crate) fn prefix_range(prefix: &[u8]) -> (Bound<&[u8]>, Bound<Vec<u8>>) {
    let end = match prefix.iter().rposition(|&b| b != 0xff) {
        Some(i) => {
            let mut end = prefix[..=i].to_vec();
            end[i] += 1;
            Bound::Excluded(end)
        }
        None => Bound::Unbounded,
    };
    (Bound::Included(prefix), end)
}

/// What record writes replaced, for reverts: (version, sequence within it) → the borsh
/// encoding of `(key, previous value)`.
pub(crate) const RECORD_UNDO: TableDefinition<(u64, u32), &[u8]> =
    TableDefinition::new("record_undo");

/// The records table and its undo table, open in one write transaction.
pub(crate) struct RecordTables<'t> {
    pub(crate) records: Table<'t, &'static [u8], &'static [u8]>,
    pub(crate) undo: Table<'t, (u64, u32), &'static [u8]>,
}

impl<'t> RecordTables<'t> {
    /// Open both tables in `txn` (creating them in a new file).
    pub(crate) fn open(txn: &'t redb::WriteTransaction, path: &str) -> Result<Self, StoreError> {
        let e = |e: redb::TableError| db_error(path, e);
        Ok(Self {
            records: txn.open_table(RECORDS).map_err(e)?,
            undo: txn.open_table(RECORD_UNDO).map_err(e)?,
        })
    }
}

/// Apply `records` to the records table of a write transaction, each write's previous value
/// kept in the undo table under `version` (the version the writes belong to, see the module
/// documentation), after the entries it holds already.
pub(crate) fn write_records(
    tables: &mut RecordTables<'_>,
    version: u64,
    records: &RecordWrites,
    path: &str,
) -> Result<(), StoreError> {
    if records.is_empty() {
        return Ok(());
    }
    let e = |e: redb::StorageError| db_error(path, e);
    let mut sequence = match tables
        .undo
        .range((version, 0)..=(version, u32::MAX))
        .map_err(e)?
        .next_back()
    {
        Some(entry) => entry
            .map_err(e)?
            .0
            .value()
            .1
            .checked_add(1)
            .ok_or_else(|| StoreError::Corrupt {
                path: path.to_string(),
                message: format!("version {version} has u32::MAX record writes"),
            })?,
        None => 0,
    };
    for (key, value) in records {
        let previous = match value {
            Some(v) => tables.records.insert(key.as_slice(), v.as_slice()),
            None => tables.records.remove(key.as_slice()),
        }
        .map_err(e)?
        .map(|old| old.value().to_vec());
        let undo = borsh::to_vec(&(key, previous)).map_err(|err| StoreError::Io {
            path: path.to_string(),
            message: err.to_string(),
        })?;
        tables
            .undo
            .insert((version, sequence), undo.as_slice())
            .map_err(e)?;
        sequence = sequence.wrapping_add(1);
    }
    Ok(())
}

/// Undo every record write that belongs to a version after `version`, newest first, and delete
/// their undo entries: the records are then as they were when `version` was committed.
///
/// # Errors
/// [`StoreError::Corrupt`] when an undo entry does not decode; when the database fails.
pub(crate) fn undo_records_after(
    tables: &mut RecordTables<'_>,
    version: u64,
    path: &str,
) -> Result<(), StoreError> {
    let e = |e: redb::StorageError| db_error(path, e);
    let Some(from) = version.checked_add(1) else {
        return Ok(());
    };
    let entries: Vec<((u64, u32), Vec<u8>)> = tables
        .undo
        .range((from, 0)..)
        .map_err(e)?
        .map(|entry| entry.map(|(k, v)| (k.value(), v.value().to_vec())))
        .collect::<Result<_, _>>()
        .map_err(e)?;
    for ((at, sequence), bytes) in entries.into_iter().rev() {
        let (key, previous): (Vec<u8>, Option<Vec<u8>>) =
            borsh::from_slice(&bytes).map_err(|err| StoreError::Corrupt {
                path: path.to_string(),
                message: format!("record undo entry {at}.{sequence}: {err}"),
            })?;
        match previous {
            Some(v) => tables
                .records
                .insert(key.as_slice(), v.as_slice())
                .map(drop),
            None => tables.records.remove(key.as_slice()).map(drop),
        }
        .map_err(e)?;
    }
    tables.undo.retain_in((from, 0).., |_, _| false).map_err(e)
}

/// Delete the undo entries of versions up to `version` included: no revert can cross them any
/// more (`version` is the oldest one a revert may return to).
pub(crate) fn forget_undo_through(
    undo: &mut Table<'_, (u64, u32), &'static [u8]>,
    version: u64,
    path: &str,
) -> Result<(), StoreError> {
    undo.retain_in(..=(version, u32::MAX), |_, _| false)
        .map_err(|e| db_error(path, e))
}

/// Record `key` of a records table.
pub(crate) fn read_record(
    table: &impl ReadableTable<&'static [u8], &'static [u8]>,
    key: &[u8],
    path: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    let value = table.get(key).map_err(|e| db_error(path, e))?;
    Ok(value.map(|v| v.value().to_vec()))
}

/// The last record under `prefix` of a records table.
pub(crate) fn read_last_record(
    table: &impl ReadableTable<&'static [u8], &'static [u8]>,
    prefix: &[u8],
    path: &str,
) -> Result<Option<RecordEntry>, StoreError> {
    let (start, end) = prefix_range(prefix);
    let end = match &end {
        Bound::Excluded(e) => Bound::Excluded(e.as_slice()),
        _ => Bound::Unbounded,
    };
    let e = |e: redb::StorageError| db_error(path, e);
    let last = table.range::<&[u8]>((start, end)).map_err(e)?.next_back();
    match last {
        Some(entry) => {
            let (key, value) = entry.map_err(e)?;
            Ok(Some((key.value().to_vec(), value.value().to_vec())))
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemoryStore, RedbStore, WalStore};
    use host_api::ContractId;

    fn prefixed(prefix: &[u8], n: u64) -> Vec<u8> {
        [prefix, &n.to_be_bytes()].concat()
    }

    fn one(key: Vec<u8>, value: Option<&[u8]>) -> RecordWrites {
        [(key, value.map(<[u8]>::to_vec))].into()
    }

    fn writes(round: u8) -> ChangeSet {
        let mut changes = ChangeSet::default();
        changes
            .storage
            .entry(ContractId([3; 32]))
            .or_default()
            .insert(vec![round % 4], Some(vec![round]));
        changes
    }

    /// What every store must do with records: written with the changes, read back, found last
    /// under a prefix, deleted; written alone by an empty change set; and nothing of either
    /// when the base moved.
    fn exercise(store: &dyn RecordStore) {
        let mut roots = vec![store.root().unwrap()];
        for height in 1..=5u64 {
            let mut records = one(prefixed(b"h", height), Some(&[height as u8; 32]));
            records.insert(prefixed(b"b", height), Some(b"block".to_vec()));
            let base = *roots.last().unwrap();
            let root = store
                .commit_with_records(base, writes(height as u8), &records)
                .unwrap();
            assert_eq!(store.root().unwrap(), root);
            roots.push(root);
        }
        assert_eq!(store.record(&prefixed(b"h", 3)).unwrap(), Some(vec![3; 32]));
        assert_eq!(store.record(&prefixed(b"h", 6)).unwrap(), None);
        let (key, value) = store.last_record(b"h").unwrap().unwrap();
        assert_eq!((key, value), (prefixed(b"h", 5), vec![5; 32]));
        assert_eq!(
            store.last_record(b"b").unwrap().unwrap().0,
            prefixed(b"b", 5)
        );
        assert_eq!(store.last_record(b"x").unwrap(), None);
        // The greatest key of all ("h" > "b").
        assert_eq!(
            store.last_record(b"").unwrap().unwrap().0,
            prefixed(b"h", 5)
        );

        // A moved base writes neither the changes nor the records.
        let head = *roots.last().unwrap();
        let err = store
            .commit_with_records(roots[0], writes(9), &one(b"moved".to_vec(), Some(b"x")))
            .unwrap_err();
        assert!(matches!(err, StoreError::BaseMoved { .. }), "{err}");
        assert_eq!(store.record(b"moved").unwrap(), None);
        assert_eq!(store.root().unwrap(), head);

        // Records alone: the state and its root stay.
        let records = one(prefixed(b"h", 5), None);
        let root = store
            .commit_with_records(head, ChangeSet::default(), &records)
            .unwrap();
        assert_eq!(root, head);
        assert_eq!(
            store.last_record(b"h").unwrap().unwrap().0,
            prefixed(b"h", 4)
        );
    }

    #[test]
    fn memory_store_keeps_records_with_its_commits() {
        exercise(&MemoryStore::new());
    }

    /// What [`exercise`] left, as a reopened store must still hold it.
    fn assert_reopened_records(reopened: &impl RecordStore) {
        assert_eq!(
            reopened.last_record(b"h").unwrap().unwrap().0,
            prefixed(b"h", 4)
        );
        assert_eq!(
            reopened.record(&prefixed(b"b", 5)).unwrap(),
            Some(b"block".to_vec())
        );
    }

    #[test]
    fn redb_store_keeps_records_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.redb");
        exercise(&RedbStore::open(&path).unwrap());
        let reopened = RedbStore::open(&path).unwrap();
        assert_reopened_records(&reopened);
    }

    #[test]
    fn wal_store_keeps_records_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.wal");
        exercise(&WalStore::open(&path).unwrap());
        let reopened = WalStore::open(&path).unwrap();
        assert_reopened_records(&reopened);
    }

    /// A commit that fails in its transaction writes no record either.
    #[test]
    fn a_failed_commit_writes_no_record() {
        let dir = tempfile::tempdir().unwrap();
        let redb = RedbStore::open(dir.path().join("state.redb")).unwrap();
        let wal = WalStore::open(dir.path().join("state.wal")).unwrap();
        let records = one(b"h".to_vec(), Some(b"v"));
        redb.fail_next_commit();
        wal.fail_next_commit();
        for store in [&redb as &dyn RecordStore, &wal] {
            let base = store.root().unwrap();
            assert!(
                store
                    .commit_with_records(base, writes(1), &records)
                    .is_err()
            );
            assert_eq!(store.record(b"h").unwrap(), None);
            assert_eq!(store.root().unwrap(), base);
        }
        // A records-only commit goes through the same transaction.
        redb.fail_next_commit();
        wal.fail_next_commit();
        for store in [&redb as &dyn RecordStore, &wal] {
            let base = store.root().unwrap();
            let empty = ChangeSet::default();
            assert!(store.commit_with_records(base, empty, &records).is_err());
            assert_eq!(store.record(b"h").unwrap(), None);
        }
    }

    /// Heights 1..=4, each with its height record and `tip` overwritten; then at height 4 a
    /// record written alone. Returns the roots by version.
    fn block_log(store: &dyn RecordStore) -> Vec<Root> {
        let mut roots = vec![store.root().unwrap()];
        for height in 1..=4u64 {
            let mut records = one(prefixed(b"h", height), Some(&[height as u8; 32]));
            records.insert(b"tip".to_vec(), Some(vec![height as u8]));
            let base = *roots.last().unwrap();
            roots.push(
                store
                    .commit_with_records(base, writes(height as u8), &records)
                    .unwrap(),
            );
        }
        let alone = one(b"alone".to_vec(), Some(b"after 4"));
        let head = *roots.last().unwrap();
        store
            .commit_with_records(head, ChangeSet::default(), &alone)
            .unwrap();
        roots
    }

    /// The records as they were when version 2 was committed.
    fn assert_records_of_version_2(store: &dyn RecordStore) {
        assert_eq!(
            store.last_record(b"h").unwrap().unwrap(),
            (prefixed(b"h", 2), vec![2; 32])
        );
        assert_eq!(store.record(&prefixed(b"h", 3)).unwrap(), None);
        assert_eq!(store.record(b"tip").unwrap(), Some(vec![2]));
        assert_eq!(store.record(b"alone").unwrap(), None);
    }

    /// A revert takes back the records written after the version it returns to, the state's
    /// and the records' (overwritten ones get their old value back, new ones go); a revert to
    /// the head takes back only what was written alone since it; both survive a reopen.
    #[test]
    fn reverts_take_the_records_back_with_the_state() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.redb");
        let redb = RedbStore::open(&path).unwrap();
        let roots = block_log(&redb);
        redb.revert_to(4).unwrap();
        assert_eq!(redb.record(b"alone").unwrap(), None);
        assert_eq!(redb.record(b"tip").unwrap(), Some(vec![4]));
        redb.revert_to(2).unwrap();
        assert_eq!(redb.root().unwrap(), roots[2]);
        assert_records_of_version_2(&redb);
        drop(redb);
        assert_records_of_version_2(&RedbStore::open(&path).unwrap());

        let path = dir.path().join("state.wal");
        let wal = WalStore::open(&path).unwrap();
        let roots = block_log(&wal);
        wal.revert_to(2).unwrap();
        assert_eq!(wal.root().unwrap(), roots[2]);
        assert_records_of_version_2(&wal);
        drop(wal);
        let wal = WalStore::open(&path).unwrap();
        assert_records_of_version_2(&wal);
        // The next commits build on version 2's records again.
        let mut records = one(prefixed(b"h", 3), Some(&[33; 32]));
        records.insert(b"tip".to_vec(), Some(vec![33]));
        wal.commit_with_records(roots[2], writes(33), &records)
            .unwrap();
        assert_eq!(wal.record(b"tip").unwrap(), Some(vec![33]));
        wal.revert_to(2).unwrap();
        assert_records_of_version_2(&wal);
    }

    /// Undo entries live as long as a revert can cross them: a checkpoint drops those up to its
    /// version (a `WalStore` cannot go back past it), pruning those up to the oldest retained
    /// version, and a revert to that version still takes back what came after it.
    #[test]
    fn undo_entries_go_with_the_versions_a_revert_can_reach() {
        let count = |db: &redb::Database| {
            use redb::{ReadableDatabase, ReadableTableMetadata};
            let txn = db.begin_read().unwrap();
            txn.open_table(RECORD_UNDO).unwrap().len().unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let wal = WalStore::open(dir.path().join("state.wal")).unwrap();
        block_log(&wal);
        assert_eq!(count(&wal.db), 9, "two writes per height, one alone");
        wal.checkpoint().unwrap();
        assert_eq!(count(&wal.db), 1, "the write alone belongs to version 5");
        wal.revert_to(4).unwrap();
        assert_eq!(count(&wal.db), 0);
        assert_eq!(wal.record(b"alone").unwrap(), None);

        let redb = RedbStore::open(dir.path().join("state.redb")).unwrap();
        block_log(&redb);
        redb.prune(2).unwrap();
        assert_eq!(
            count(&redb.db),
            3,
            "versions 4 (kept) and 5 (alone) have theirs"
        );
        redb.revert_to(3).unwrap();
        assert_eq!(redb.record(b"tip").unwrap(), Some(vec![3]));
        assert_eq!(redb.record(&prefixed(b"h", 4)).unwrap(), None);
    }

    #[test]
    fn prefix_ranges_end_past_the_last_key_with_the_prefix() {
        let end = |p: &[u8]| prefix_range(p).1;
        assert_eq!(end(b"ab"), Bound::Excluded(b"ac".to_vec()));
        assert_eq!(end(&[1, 0xff, 0xff]), Bound::Excluded(vec![2]));
        assert_eq!(end(&[0xff, 0xff]), Bound::Unbounded);
        assert_eq!(end(b""), Bound::Unbounded);
    }
}
