//! The rehearsal backend reads and writes as a file would, never writes the file; a refused
//! file is left byte for byte; a file a crash left unrepaired is still repaired.

use super::*;
use crate::merkle::Root;
use crate::redb_store::RedbOptions;
use crate::store::{ChangeSet, StateStore};
use crate::{RedbStore, WalStore};
use host_api::ContractId;
use redb::{ReadOnlyDatabase, TableDefinition};

/// The damaged redb file the `state_files` fuzz target found (its first byte picks the redb
/// kind): redb panics on it, and a writable open used to change it before the refusal.
fn fuzz_finding() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fuzz/seeds/state_files/redb-double-panic"
    );
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(bytes[0] % 4, 2, "the seed is a redb file");
    bytes[1..].to_vec()
}

fn one_write(round: u8) -> ChangeSet {
    let mut changes = ChangeSet::default();
    changes.storage.insert(
        ContractId([3; 32]),
        [(vec![round], Some(vec![round; 4]))].into(),
    );
    changes
}

#[test]
fn the_rehearsal_reads_its_writes_and_zeros_and_never_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let original: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8 + 1).collect();
    std::fs::write(&path, &original).unwrap();
    let r = Rehearsal::open(path.to_str().unwrap()).unwrap();
    assert_eq!(r.len().unwrap(), 10_000);
    // A write across a block boundary, read back with the file's bytes around it.
    r.write(4090, &[0xAA; 12]).unwrap();
    let mut out = vec![0; 20];
    r.read(4085, &mut out).unwrap();
    assert_eq!(&out[..5], &original[4085..4090]);
    assert_eq!(&out[5..17], &[0xAA; 12]);
    assert_eq!(&out[17..], &original[4102..4105]);
    // Shrink, then grow: the bytes cut off read as zeros, in a written block and in the file.
    r.set_len(4092).unwrap();
    r.set_len(12_000).unwrap();
    let mut out = vec![1; 12_000 - 4088];
    r.read(4088, &mut out).unwrap();
    assert_eq!(&out[..2], &original[4088..4090]);
    assert_eq!(&out[2..4], &[0xAA; 2]);
    assert!(out[4..].iter().all(|&b| b == 0));
    // Past the end is an error, as for a file.
    assert!(r.read(11_999, &mut [0; 2]).is_err());
    // A write past the end extends it.
    r.write(13_000, &[7]).unwrap();
    assert_eq!(r.len().unwrap(), 13_001);
    let mut out = [1; 2];
    r.read(12_999, &mut out).unwrap();
    assert_eq!(out, [0, 7]);
    r.sync_data().unwrap();
    r.close().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), original);
}

#[test]
fn a_sound_file_opened_in_rehearsal_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.redb");
    let store = RedbStore::open(&path).unwrap();
    let root = store.commit(one_write(1)).unwrap();
    drop(store);
    let before = std::fs::read(&path).unwrap();
    let target = OpenTarget {
        path: path.to_str().unwrap(),
        rehearsal: true,
    };
    let rehearsed =
        RedbStore::open_file(path.display().to_string(), RedbOptions::default(), &target).unwrap();
    assert_eq!(rehearsed.root().unwrap(), root);
    drop(rehearsed);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn the_fuzz_finding_is_refused_by_both_stores_and_left_byte_for_byte() {
    let bytes = fuzz_finding();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    for store in ["redb", "wal"] {
        std::fs::write(&path, &bytes).unwrap();
        let refused = match store {
            "redb" => RedbStore::open(&path).err(),
            _ => WalStore::open(&path).err(),
        };
        match refused {
            Some(StoreError::Corrupt { message, .. }) => {
                assert!(message.contains("damaged"), "{store}: {message}");
            }
            other => panic!("{store}: {other:?}"),
        }
        assert!(
            std::fs::read(&path).unwrap() == bytes,
            "{store} changed the file"
        );
    }
}

#[test]
fn a_file_of_another_format_is_refused_and_left_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.redb");
    {
        let db = Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(TableDefinition::<u64, u64>::new("theirs"))
            .unwrap()
            .insert(1, 2)
            .unwrap();
        txn.commit().unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    for store in ["redb", "wal"] {
        let refused = match store {
            "redb" => RedbStore::open(&path).err(),
            _ => WalStore::open(&path).err(),
        };
        assert!(
            matches!(refused, Some(StoreError::Corrupt { .. })),
            "{store}: {refused:?}"
        );
        assert!(
            std::fs::read(&path).unwrap() == before,
            "{store} changed the file"
        );
    }
}

/// Opens one kind of store.
type Opener = fn(&std::path::Path) -> Box<dyn StateStore>;

/// The bytes of a store's file as a kill -9 right after its last commit leaves them: copied
/// while the store is open, so redb's header still says a writer had it.
fn crashed_copy(open: Opener) -> (Vec<u8>, Vec<Root>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live");
    let store = open(&path);
    let roots = (1..=3)
        .map(|r| store.commit(one_write(r)).unwrap())
        .collect();
    let bytes = std::fs::read(&path).unwrap();
    drop(store);
    (bytes, roots)
}

#[test]
fn a_sound_file_a_crash_left_unrepaired_is_repaired_and_opens() {
    let stores: [(&str, Opener); 2] = [
        ("redb", |p| Box::new(RedbStore::open(p).unwrap())),
        ("wal", |p| Box::new(WalStore::open(p).unwrap())),
    ];
    for (name, open) in stores {
        let (bytes, roots) = crashed_copy(open);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crashed");
        std::fs::write(&path, &bytes).unwrap();
        // The file does need redb's repair: a read-only open refuses it.
        assert!(
            matches!(
                ReadOnlyDatabase::open(&path),
                Err(redb::DatabaseError::RepairAborted)
            ),
            "{name}: the copy is not a crashed file"
        );
        let reopened = open(&path);
        assert_eq!(reopened.root().unwrap(), roots[2], "{name}");
        drop(reopened);
        // Repaired for real: it now opens read-only.
        assert!(ReadOnlyDatabase::open(&path).is_ok(), "{name}");
    }
}
