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

/// Apply `records` to the records table of a write transaction.
pub(crate) fn write_records(
    table: &mut Table<'_, &'static [u8], &'static [u8]>,
    records: &RecordWrites,
    path: &str,
) -> Result<(), StoreError> {
    for (key, value) in records {
        match value {
            Some(v) => table.insert(key.as_slice(), v.as_slice()).map(drop),
            None => table.remove(key.as_slice()).map(drop),
        }
        .map_err(|e| db_error(path, e))?;
    }
    Ok(())
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

    #[test]
    fn prefix_ranges_end_past_the_last_key_with_the_prefix() {
        let end = |p: &[u8]| prefix_range(p).1;
        assert_eq!(end(b"ab"), Bound::Excluded(b"ac".to_vec()));
        assert_eq!(end(&[1, 0xff, 0xff]), Bound::Excluded(vec![2]));
        assert_eq!(end(&[0xff, 0xff]), Bound::Unbounded);
        assert_eq!(end(b""), Bound::Unbounded);
    }
}
