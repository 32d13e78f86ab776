//! The state directory's store at its edges: a new directory, one an earlier node-lite made on
//! `RedbStore`, a reopen, and files that are not a state.

use super::*;
use host_api::Address;
use runtime::{BlockInfo, ChangeSet, RedbStore, StateStore};

const COUNTER: &str = r#"(module
  (import "host_v1" "storage_write" (func $write (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "set") (param i32) (result i32)
    (call $write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 8))
    (i32.const 0)))"#;

/// Deploys the counter into `dir` and calls `set`, committed: the root after.
fn deploy_and_write(dir: &StateDir, nonce: u64) -> runtime::Root {
    let runtime = dir.runtime().unwrap();
    let mut session = runtime.session(dir.store.state(), BlockInfo::default());
    let code = wat::parse_str(COUNTER).unwrap();
    let id = session.deploy(Address([1; 32]), &code, nonce).unwrap();
    let receipt = session
        .call(Address([1; 32]), id, "set", &[], 10_000_000)
        .unwrap();
    assert!(receipt.is_success(), "{:?}", receipt.result);
    session.commit().unwrap()
}

/// A new directory gets `state.wal` (no `state.redb`); a reopen finds the same root and
/// version, and the versions listed end at the head with its root.
#[test]
fn a_new_directory_is_on_walstore_and_a_reopen_keeps_the_root() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("st");
    let (root, version) = {
        let dir = StateDir::open_or_create(&path).unwrap();
        assert!(dir.created);
        assert_eq!(dir.store.kind(), StoreKind::Wal);
        let root = deploy_and_write(&dir, 0);
        let (version, head_root) = dir.store.head().unwrap();
        assert_eq!(head_root, root);
        (root, version)
    };
    assert!(path.join(STATE_FILE).exists());
    assert!(!path.join(LEGACY_STATE_FILE).exists());
    let dir = StateDir::open(&path).unwrap();
    assert_eq!(dir.store.kind(), StoreKind::Wal);
    assert_eq!(dir.store.head().unwrap(), (version, root));
    let versions = dir.store.versions().unwrap();
    let last = versions.last().unwrap();
    assert_eq!((last.version, last.root), (version, root));
    assert!(last.leaves.is_some_and(|n| n >= 2), "{versions:?}");
    assert_eq!(dir.store.dump().unwrap().root(), root);
}

/// A directory an earlier node-lite made (`state.redb`) is opened on `RedbStore` as before:
/// same root, same version, and a new commit lands in that file (no `state.wal` appears).
#[test]
fn an_earlier_redb_directory_opens_as_before() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("old");
    std::fs::create_dir(&path).unwrap();
    let (root, version) = {
        let redb =
            RedbStore::open_with(path.join(LEGACY_STATE_FILE), store::redb_options()).unwrap();
        let mut changes = ChangeSet::default();
        changes
            .storage
            .entry(host_api::ContractId([3; 32]))
            .or_default()
            .insert(b"k".to_vec(), Some(b"v".to_vec()));
        let root = redb.commit(changes).unwrap();
        (root, redb.head().unwrap().version)
    };
    let dir = StateDir::open(&path).unwrap();
    assert_eq!(dir.store.kind(), StoreKind::Redb);
    assert_eq!(dir.store.head().unwrap(), (version, root));
    let after = deploy_and_write(&dir, 0);
    assert_ne!(after, root);
    drop(dir);
    assert!(!path.join(STATE_FILE).exists());
    let dir = StateDir::open_or_create(&path).unwrap();
    assert_eq!(dir.store.kind(), StoreKind::Redb);
    assert_eq!(dir.store.head().unwrap().1, after);
}

/// Both files: refused, naming both, nothing opened or changed. A 0-byte `state.wal`: refused
/// as an empty database naming it. A `state.wal` that is not a store: a host error naming it
/// corrupt, the file unchanged.
#[test]
fn two_state_files_an_empty_and_a_foreign_state_wal_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let both = tmp.path().join("both");
    std::fs::create_dir(&both).unwrap();
    std::fs::write(both.join(STATE_FILE), b"x").unwrap();
    std::fs::write(both.join(LEGACY_STATE_FILE), b"y").unwrap();
    for open in [StateDir::open, StateDir::open_or_create] {
        let Err(e) = open(&both) else {
            panic!("a directory with two state files must be refused")
        };
        assert_eq!(e.kind(), "two_state_files");
        let message = e.to_string();
        assert!(
            message.contains("state.wal") && message.contains("state.redb"),
            "{message}"
        );
    }
    assert_eq!(std::fs::read(both.join(STATE_FILE)).unwrap(), b"x");

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join(STATE_FILE), b"").unwrap();
    let Err(e) = StateDir::open_or_create(&empty) else {
        panic!("a 0-byte state.wal must be refused")
    };
    assert_eq!(e.kind(), "empty_state_db");
    assert!(e.to_string().contains("state.wal"), "{e}");

    let foreign = tmp.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join(STATE_FILE), b"not a state file").unwrap();
    let Err(e) = StateDir::open(&foreign) else {
        panic!("a foreign state.wal must be refused")
    };
    assert_eq!(e.exit_code(), 3);
    assert!(e.to_string().contains("corrupt"), "{e}");
    assert_eq!(
        std::fs::read(foreign.join(STATE_FILE)).unwrap(),
        b"not a state file"
    );
}

/// One command after another, each a commit of 512 KiB (34 of them: past the 16 versions kept
/// and the log's 8 MiB threshold): a checkpoint gets written (the store's drop at a command's
/// end waits for it rather than stopping it), so the log a command replays stays bounded.
#[test]
fn commands_in_turn_get_a_checkpoint_written() {
    const ROUNDS: u32 = 34;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("st");
    for round in 0..ROUNDS {
        let dir = StateDir::open_or_create(&path).unwrap();
        let mut changes = ChangeSet::default();
        changes
            .storage
            .entry(host_api::ContractId([3; 32]))
            .or_default()
            .insert(
                round.to_le_bytes().to_vec(),
                Some(vec![round as u8; 1 << 19]),
            );
        dir.store.commit(changes).unwrap();
    }
    let dir = StateDir::open(&path).unwrap();
    let LocalStore::Wal(wal) = &dir.store else {
        panic!("a new directory is on WalStore")
    };
    let stats = wal.stats();
    assert!(stats.checkpoint_version.is_some(), "{stats:?}");
    assert!(stats.log_records < u64::from(ROUNDS), "{stats:?}");
}
