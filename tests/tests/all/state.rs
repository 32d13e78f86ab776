//! Persistent, merkle-committed state: the redb store through sessions — roots, restarts,
//! snapshots, proofs, failed commits, damaged files, commit cost and concurrent readers.

use borsh::{from_slice, to_vec};
use host_api::ContractId;
use integration_tests::{ALICE, GAS, OWNER, contract_wasm, runtime};
use runtime::merkle::{self, Root};
use runtime::{
    BlockInfo, ChangeSet, MemoryStore, RedbOptions, RedbStore, Session, StateStore, StoreError,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

const BLOCK: BlockInfo = BlockInfo {
    height: 1,
    timestamp_ms: 1_000,
};

/// The counter contract's storage key (`Item::new(b"count")`).
const COUNT_KEY: &[u8] = b"count";

fn open(path: &Path) -> Arc<RedbStore> {
    Arc::new(RedbStore::open(path).expect("open state database"))
}

fn session_over(store: Arc<dyn StateStore>) -> Session {
    runtime().session(store, BLOCK)
}

fn increment(s: &mut Session, id: ContractId, by: u64) -> u64 {
    let r = s
        .call(ALICE, id, "increment", &to_vec(&by).unwrap(), GAS)
        .expect("no host error");
    from_slice(r.result.as_ref().expect("increment succeeds")).unwrap()
}

fn count(s: &mut Session, id: ContractId) -> u64 {
    let r = s.call(ALICE, id, "get", &[], GAS).expect("no host error");
    from_slice(r.result.as_ref().expect("get succeeds")).unwrap()
}

/// Deploy the counter in a new session over `store`, increment it by `by` and commit.
fn counter_at(store: Arc<dyn StateStore>, by: u64) -> (ContractId, Root) {
    let mut s = session_over(store);
    let id = s
        .deploy(OWNER, &contract_wasm("counter"), 0)
        .expect("deploy");
    increment(&mut s, id, by);
    let root = s.commit().expect("commit");
    (id, root)
}

#[test]
fn commit_returns_the_root_and_a_restart_yields_the_same_root_and_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let store = open(&path);
    assert_eq!(store.root().unwrap(), Root::EMPTY);
    let (id, root) = counter_at(store.clone(), 41);
    assert_ne!(root, Root::EMPTY);
    assert_eq!(store.root().unwrap(), root);
    assert_eq!(store.head().unwrap().version, 1);
    drop(store);

    let store = open(&path);
    assert_eq!(store.root().unwrap(), root, "same root after reopening");
    store.check_integrity().expect("consistent after reopening");
    let mut s = session_over(store.clone());
    assert_eq!(count(&mut s, id), 41);
    increment(&mut s, id, 1);
    let next = s.commit().unwrap();
    assert_ne!(next, root);
    assert_eq!(store.head().unwrap().version, 2);
}

#[test]
fn the_same_content_has_the_same_root_in_memory_and_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let on_disk = open(&dir.path().join("state.redb"));
    let in_memory = Arc::new(MemoryStore::new());
    let (a, disk_root) = counter_at(on_disk, 5);
    let (b, memory_root) = counter_at(in_memory.clone(), 5);
    assert_eq!(a, b);
    assert_eq!(disk_root, memory_root);
    // And the root is exactly the documented one, rebuilt from the raw content.
    let record = in_memory.contract(&a).unwrap().expect("record");
    let mut leaves = BTreeMap::new();
    let record_leaf = merkle::record_leaf_key(&a);
    leaves.insert(
        record_leaf,
        merkle::record_value_hash(&record_leaf, &record.to_bytes()),
    );
    let value = in_memory
        .storage(&a, COUNT_KEY)
        .unwrap()
        .expect("count stored");
    let leaf = merkle::storage_leaf_key(&a, COUNT_KEY);
    leaves.insert(leaf, merkle::storage_value_hash(&leaf, &value));
    assert_eq!(merkle::root_of(&leaves), disk_root);
}

#[test]
fn a_failed_call_leaves_the_root_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("state.redb"));
    let (id, root) = counter_at(store.clone(), u64::MAX - 1);
    let mut s = session_over(store.clone());
    // Overflow: the contract returns an error, its write is dropped.
    let r = s
        .call(ALICE, id, "increment", &to_vec(&2u64).unwrap(), GAS)
        .unwrap();
    assert!(!r.is_success());
    assert!(r.gas_spent > 0);
    // Out of gas in the middle of the call (past the call base of 52 000).
    let r = s
        .call(ALICE, id, "increment", &to_vec(&1u64).unwrap(), 60_000)
        .unwrap();
    assert!(!r.is_success(), "{r:?}");
    assert_eq!(s.commit().unwrap(), root);
    assert_eq!(
        store.head().unwrap().version,
        1,
        "nothing to write: no version"
    );
}

#[test]
fn snapshots_read_old_versions_until_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("state.redb"));
    let (id, root1) = counter_at(store.clone(), 1);
    let mut roots = vec![root1];
    let mut s = session_over(store.clone());
    for _ in 0..3 {
        increment(&mut s, id, 10);
        roots.push(s.commit().unwrap());
    }
    assert_eq!(store.head().unwrap().version, 4);
    let versions: Vec<u64> = store
        .versions()
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(versions, [0, 1, 2, 3, 4]);

    // Version 2 (count 11), read directly and through a session's call.
    let v2 = Arc::new(store.snapshot(2).unwrap());
    assert_eq!(v2.root().unwrap(), roots[1]);
    assert_eq!(
        v2.storage(&id, COUNT_KEY).unwrap(),
        Some(to_vec(&11u64).unwrap())
    );
    let mut old = session_over(v2.clone());
    assert_eq!(count(&mut old, id), 11);
    // A session over a snapshot may execute, but not commit.
    increment(&mut old, id, 1);
    assert!(matches!(old.commit(), Err(StoreError::ReadOnly)));
    assert_eq!(store.root().unwrap(), roots[3], "the head is untouched");
    let by_root = store.snapshot_at(roots[1]).unwrap();
    assert_eq!(by_root.version(), 2);

    // Dropping: the head can't be, others can, and then they are gone.
    assert!(matches!(
        store.drop_snapshot(4),
        Err(StoreError::CannotDropHead(4))
    ));
    let dropped = store.drop_snapshot(2).unwrap();
    assert_eq!(dropped.versions_dropped, 1);
    assert!(dropped.nodes_deleted > 0);
    assert!(matches!(
        v2.storage(&id, COUNT_KEY),
        Err(StoreError::UnknownSnapshot(_))
    ));
    assert!(matches!(
        store.snapshot(2),
        Err(StoreError::UnknownSnapshot(_))
    ));
    let pruned = store.prune(1).unwrap();
    assert_eq!(pruned.versions_dropped, 3);
    let versions: Vec<u64> = store
        .versions()
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(versions, [4]);
    store.check_integrity().expect("consistent after pruning");
    let stats = store.stats().unwrap();
    // One contract record and one storage value: two leaves under one internal node (or a
    // chain of them when the keys share a prefix), never the dropped versions' nodes.
    assert!(stats.nodes >= 3 && stats.nodes < 20, "{stats:?}");
}

#[test]
fn keep_versions_prunes_after_every_commit() {
    let dir = tempfile::tempdir().unwrap();
    let options = RedbOptions {
        keep_versions: Some(2),
        ..RedbOptions::default()
    };
    let store = Arc::new(RedbStore::open_with(dir.path().join("s.redb"), options).unwrap());
    let (id, _) = counter_at(store.clone(), 1);
    let mut s = session_over(store.clone());
    for _ in 0..5 {
        increment(&mut s, id, 1);
        s.commit().unwrap();
    }
    let versions: Vec<u64> = store
        .versions()
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(versions, [5, 6]);
    store.check_integrity().unwrap();
}

/// A store that keeps two versions reaches a steady size under steady commits: after the state
/// is built, 150 more commits of 100 changed keys leave the file and the node table the size
/// they had after the first 50 (pruning frees nodes, redb reuses their pages). A prune that
/// missed nodes, or pages never reused, would grow both without bound, as a devnet's store
/// must not: with no pruning, this test sees 17.8 MB and 52,593 nodes after 50 commits, 35.7 MB
/// and 173,260 after 200. (At 100 k keys, 1,500 commits of 1,000 keys: the file stays at 136 MB.)
#[test]
fn steady_commits_with_pruning_keep_the_store_at_a_steady_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.redb");
    let options = RedbOptions {
        keep_versions: Some(2),
        ..RedbOptions::default()
    };
    let store = RedbStore::open_with(&path, options).unwrap();
    let id = ContractId([7; 32]);
    let commit = |keys: &mut dyn Iterator<Item = u32>, round: u32| {
        let writes = keys.map(|k| (k.to_le_bytes().to_vec(), Some(round.to_le_bytes().to_vec())));
        let mut changes = ChangeSet::default();
        changes.storage.insert(id, writes.collect());
        store.commit(changes).unwrap();
    };
    let total = 5_000;
    commit(&mut (0..total), 0);
    let mut x = 1u64;
    let mut sizes = vec![];
    for round in 1..=200 {
        let mut keys = (0..100).map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((x >> 33) % u64::from(total)) as u32
        });
        commit(&mut keys, round);
        if round == 50 || round == 200 {
            let file = std::fs::metadata(&path).unwrap().len();
            sizes.push((file, store.stats().unwrap().nodes));
        }
    }
    let [(file_50, nodes_50), (file_200, nodes_200)] = sizes[..] else {
        unreachable!()
    };
    eprintln!(
        "after 50 commits: {file_50} bytes, {nodes_50} nodes; after 200: {file_200}, {nodes_200}"
    );
    assert!(
        file_200 <= file_50 + file_50 / 10,
        "{file_50} -> {file_200} bytes"
    );
    assert!(
        nodes_200 <= nodes_50 + nodes_50 / 10,
        "{nodes_50} -> {nodes_200} nodes"
    );
    // Two versions of a 5,000-leaf tree: about 10,000 nodes plus what the last commit replaced.
    assert!(nodes_200 < 2 * 2 * u64::from(total), "{nodes_200} nodes");
    store.check_integrity().unwrap();
}

#[test]
fn inclusion_and_absence_proofs_verify_without_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("state.redb"));
    let (id, root) = counter_at(store.clone(), 7);
    let value = to_vec(&7u64).unwrap();
    let proof = store.prove(&id, COUNT_KEY).unwrap();
    // The proof travels as bytes; the verifier has only it, the root and the claim.
    let proof: merkle::Proof = from_slice(&to_vec(&proof).unwrap()).unwrap();
    drop(store);
    assert!(merkle::verify(&root, &id, COUNT_KEY, Some(&value), &proof));
    assert!(!merkle::verify(
        &root,
        &id,
        COUNT_KEY,
        Some(&to_vec(&8u64).unwrap()),
        &proof
    ));
    assert!(!merkle::verify(&root, &id, COUNT_KEY, None, &proof));
    assert!(!merkle::verify(
        &Root([9; 32]),
        &id,
        COUNT_KEY,
        Some(&value),
        &proof
    ));
    let other = ContractId([3; 32]);
    assert!(!merkle::verify(
        &root,
        &other,
        COUNT_KEY,
        Some(&value),
        &proof
    ));

    let store = open(&dir.path().join("state.redb"));
    let absent = store.prove(&id, b"no such key").unwrap();
    assert!(merkle::verify(&root, &id, b"no such key", None, &absent));
    assert!(!merkle::verify(
        &root,
        &id,
        b"no such key",
        Some(b"x"),
        &absent
    ));
    let record = store.contract(&id).unwrap();
    let record_proof = store.prove_record(&id).unwrap();
    assert!(merkle::verify_record(
        &root,
        &id,
        record.as_ref(),
        &record_proof
    ));
    assert!(!merkle::verify_record(&root, &id, None, &record_proof));
}

#[test]
fn a_commit_that_fails_writes_nothing_and_can_be_retried() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let store = open(&path);
    let (id, root) = counter_at(store.clone(), 1);
    let mut s = session_over(store.clone());
    increment(&mut s, id, 1);
    store.fail_next_commit();
    assert!(matches!(s.commit(), Err(StoreError::Backend { .. })));
    assert_eq!(store.root().unwrap(), root);
    assert_eq!(store.head().unwrap().version, 1);
    assert_eq!(count(&mut s, id), 2, "the session keeps its writes");
    drop(s);
    drop(store);
    let store = open(&path);
    assert_eq!(store.root().unwrap(), root, "nothing of it after a restart");
    store.check_integrity().unwrap();
    let mut s = session_over(store.clone());
    increment(&mut s, id, 1);
    assert_ne!(s.commit().unwrap(), root);
}

#[test]
fn damaged_or_foreign_files_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Not a database at all.
    let junk = dir.path().join("junk.redb");
    std::fs::write(&junk, vec![0x5a; 64 * 1024]).unwrap();
    let err = RedbStore::open(&junk).expect_err("junk refused");
    assert!(
        matches!(err, StoreError::Corrupt { .. } | StoreError::Backend { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("junk.redb"), "{err}");

    // A real state database whose pages were overwritten in the middle.
    let path = dir.path().join("state.redb");
    let store = open(&path);
    counter_at(store.clone(), 3);
    drop(store);
    let mut bytes = std::fs::read(&path).unwrap();
    let len = bytes.len();
    for b in &mut bytes[len / 4..len / 2] {
        *b ^= 0xff;
    }
    std::fs::write(&path, &bytes).unwrap();
    let options = RedbOptions {
        check_integrity_on_open: true,
        ..RedbOptions::default()
    };
    match RedbStore::open_with(&path, options) {
        Err(e) => assert!(
            matches!(e, StoreError::Corrupt { .. } | StoreError::Backend { .. }),
            "{e:?}"
        ),
        // redb may repair what it can: then the state must still be consistent.
        Ok(store) => store
            .check_integrity()
            .expect("repaired state is consistent"),
    }
}

/// Commit `dirty` changed keys over a state of `total` keys; return the merkle nodes the
/// commit added (no pruning, so every new node stays).
fn nodes_written(total: u32, dirty: u32) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(dir.path().join("s.redb")).unwrap();
    let id = ContractId([7; 32]);
    let mut writes = BTreeMap::new();
    for i in 0..total {
        writes.insert(i.to_le_bytes().to_vec(), Some(vec![1u8; 8]));
    }
    let mut changes = ChangeSet::default();
    changes.storage.insert(id, writes);
    store.commit(changes).unwrap();
    let before = store.stats().unwrap().nodes;
    let mut writes = BTreeMap::new();
    for i in 0..dirty {
        // Spread over the whole key space: every dirty key on its own path.
        let key = (i * (total / dirty)).to_le_bytes().to_vec();
        writes.insert(key, Some(vec![2u8; 8]));
    }
    let mut changes = ChangeSet::default();
    changes.storage.insert(id, writes);
    store.commit(changes).unwrap();
    store.stats().unwrap().nodes - before
}

#[test]
fn commit_cost_grows_with_the_keys_changed_not_with_the_state() {
    let small = nodes_written(2_000, 100);
    let large = nodes_written(32_000, 100);
    // A path is about log2(n) nodes: 16× the keys adds ~4 levels, not 16× the work.
    assert!(small >= 100 && large >= 100, "{small} {large}");
    assert!(
        large < small * 2,
        "2 k keys: {small} nodes, 32 k keys: {large} nodes"
    );
    assert!(large < 100 * 40, "{large} nodes for 100 keys");
    // And a single key costs one path.
    assert!(nodes_written(32_000, 1) < 40);
}

#[test]
fn many_read_only_sessions_run_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("state.redb"));
    let (id, _) = counter_at(store.clone(), 9);
    let mut writer = session_over(store.clone());
    increment(&mut writer, id, 1);
    writer.commit().unwrap();
    let old = Arc::new(store.snapshot(1).unwrap());
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let base: Arc<dyn StateStore> = if i % 2 == 0 {
                store.clone()
            } else {
                old.clone()
            };
            std::thread::spawn(move || {
                let mut s = session_over(base);
                (0..20).map(|_| count(&mut s, id)).collect::<Vec<_>>()
            })
        })
        .collect();
    for (i, t) in threads.into_iter().enumerate() {
        let want = if i % 2 == 0 { 10 } else { 9 };
        assert!(t.join().unwrap().iter().all(|&c| c == want));
    }
}

#[test]
fn a_store_refuses_a_redb_file_of_another_program() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.redb");
    let db = redb::Database::create(&path).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let table: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("storage");
        let mut t = txn.open_table(table).unwrap();
        t.insert("k", b"v".as_slice()).unwrap();
    }
    txn.commit().unwrap();
    drop(db);
    match RedbStore::open(&path) {
        Err(StoreError::Corrupt { .. } | StoreError::Backend { .. }) => {}
        other => panic!("expected a typed refusal, got {other:?}"),
    }
    // Refusing it wrote nothing: the other program's data is intact.
    let db = redb::Database::open(&path).unwrap();
    let txn = redb::ReadableDatabase::begin_read(&db).unwrap();
    let table: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("storage");
    let t = txn.open_table(table).unwrap();
    assert_eq!(t.get("k").unwrap().unwrap().value(), b"v");
}

#[test]
fn of_two_sessions_over_the_same_root_the_first_to_commit_wins() {
    let dir = tempfile::tempdir().unwrap();
    for store in [
        open(&dir.path().join("state.redb")) as Arc<dyn StateStore>,
        Arc::new(MemoryStore::new()),
    ] {
        let (id, root) = counter_at(store.clone(), 1);
        let mut first = session_over(store.clone());
        let mut second = session_over(store.clone());
        assert_eq!(first.base_root().unwrap(), root);
        assert_eq!(second.base_root().unwrap(), root);
        increment(&mut first, id, 10);
        increment(&mut second, id, 100);
        let next = first.commit().unwrap();
        assert_eq!(first.base_root().unwrap(), next);
        match second.commit() {
            Err(StoreError::BaseMoved { base, current }) => {
                assert_eq!((base, current), (root, next));
            }
            other => panic!("expected BaseMoved, got {other:?}"),
        }
        assert_eq!(store.root().unwrap(), next, "the loser wrote nothing");
        let mut third = session_over(store.clone());
        assert_eq!(count(&mut third, id), 11);
        // The winner goes on from its own commit.
        increment(&mut first, id, 1);
        assert_ne!(first.commit().unwrap(), next);
    }
}

/// A state database as an older build wrote it: format v1 kept nodes by hash with their counts
/// in `merkle_refs`, v2 by locality ‖ hash with the count in the node's record.
fn write_old_format(path: &Path, version: u8) {
    use redb::TableDefinition;
    let db = redb::Database::create(path).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let format = format!("sandbox-state-redb-v{version}");
        let meta: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
        txn.open_table(meta)
            .unwrap()
            .insert("format", format.as_bytes())
            .unwrap();
        let storage: TableDefinition<&[u8], &[u8]> = TableDefinition::new("storage");
        let mut key = vec![7u8; 32];
        key.extend_from_slice(b"count");
        txn.open_table(storage)
            .unwrap()
            .insert(key.as_slice(), [1u8; 8].as_slice())
            .unwrap();
        let roots: TableDefinition<u64, &[u8]> = TableDefinition::new("roots");
        let mut roots = txn.open_table(roots).unwrap();
        let node = [1u8; 1 + 32 + 32 + 8];
        if version == 1 {
            let nodes: TableDefinition<[u8; 32], &[u8]> = TableDefinition::new("merkle_nodes");
            txn.open_table(nodes)
                .unwrap()
                .insert([3; 32], node.as_slice())
                .unwrap();
            let refs: TableDefinition<[u8; 32], u64> = TableDefinition::new("merkle_refs");
            txn.open_table(refs).unwrap().insert([3; 32], 1).unwrap();
            roots.insert(1, [3u8; 40].as_slice()).unwrap();
        } else {
            let nodes: TableDefinition<[u8; 40], &[u8]> = TableDefinition::new("merkle_nodes");
            txn.open_table(nodes)
                .unwrap()
                .insert([3; 40], node.as_slice())
                .unwrap();
            roots.insert(1, [3u8; 48].as_slice()).unwrap();
        }
    }
    txn.commit().unwrap();
}

#[test]
fn a_database_of_an_older_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for version in [1, 2] {
        let path = dir.path().join(format!("v{version}.redb"));
        write_old_format(&path, version);
        let format = format!("sandbox-state-redb-v{version}");
        match RedbStore::open(&path) {
            Err(StoreError::Corrupt { message, .. }) => {
                assert!(message.contains(&format), "{message}");
                assert!(message.contains("sandbox-state-redb-v3"), "{message}");
            }
            other => panic!("v{version}: expected Corrupt, got {other:?}"),
        }
        // Refused before anything was read as the new layout or written: the old tables are
        // as they were, with their old types.
        let db = redb::Database::open(&path).unwrap();
        let txn = redb::ReadableDatabase::begin_read(&db).unwrap();
        let meta: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
        let meta = txn.open_table(meta).unwrap();
        assert_eq!(
            meta.get("format").unwrap().unwrap().value(),
            format.as_bytes()
        );
        let nodes = if version == 1 {
            let t: redb::TableDefinition<[u8; 32], &[u8]> =
                redb::TableDefinition::new("merkle_nodes");
            redb::ReadableTableMetadata::len(&txn.open_table(t).unwrap()).unwrap()
        } else {
            let t: redb::TableDefinition<[u8; 40], &[u8]> =
                redb::TableDefinition::new("merkle_nodes");
            redb::ReadableTableMetadata::len(&txn.open_table(t).unwrap()).unwrap()
        };
        assert_eq!(nodes, 1, "v{version}");
    }
}

/// Two candidate blocks over one parent, executed in sessions over `store` (its file at
/// `path`): each publishes its root before anything is written (the file keeps its bytes, and
/// a third candidate executed and dropped leaves none either), A is committed with its
/// published root, then `back_to_parent` moves the store back and B commits with its own.
fn fork_through_sessions(store: Arc<dyn StateStore>, path: &Path, back_to_parent: impl Fn(u64)) {
    let (id, parent) = counter_at(store.clone(), 1);
    let bytes = std::fs::read(path).unwrap();
    let mut a = session_over(store.clone());
    let mut b = session_over(store.clone());
    increment(&mut a, id, 10);
    increment(&mut b, id, 100);
    let root_a = a.pending_root().unwrap();
    let root_b = b.pending_root().unwrap();
    assert_ne!(root_a, root_b);
    let changes = a.changes();
    assert_eq!(a.changes(), changes, "reading the changes keeps them");
    assert!(changes.storage[&id].contains_key(COUNT_KEY));
    {
        let mut dropped = session_over(store.clone());
        increment(&mut dropped, id, 1_000);
        dropped.pending_root().unwrap();
    }
    assert_eq!(
        std::fs::read(path).unwrap(),
        bytes,
        "candidates wrote nothing"
    );
    assert_eq!(store.root().unwrap(), parent);
    assert_eq!(a.commit().unwrap(), root_a);
    // The parent is the store's first commit: version 1.
    back_to_parent(1);
    assert_eq!(store.root().unwrap(), parent);
    assert_eq!(b.commit().unwrap(), root_b);
    assert_eq!(count(&mut session_over(store), id), 101);
}

#[test]
fn candidates_publish_their_roots_before_commit_and_a_lost_fork_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let redb = open(&path);
    let reverting = redb.clone();
    fork_through_sessions(redb, &path, |version| {
        reverting.revert_to(version).unwrap();
    });
    let path = dir.path().join("state.wal");
    let wal = Arc::new(runtime::WalStore::open(&path).unwrap());
    let reverting = wal.clone();
    fork_through_sessions(wal, &path, |version| {
        reverting.revert_to(version).unwrap();
    });
}

/// The redb file of fuzz seed `state_files/<name>` (its first byte, which picks the redb kind,
/// removed).
fn redb_seed(name: &str) -> Vec<u8> {
    let seed = integration_tests::repo_root()
        .join("tests/fuzz/seeds/state_files")
        .join(name);
    let bytes = std::fs::read(seed).unwrap();
    assert_eq!(bytes[0] % 4, 2, "the seed is a redb file");
    bytes[1..].to_vec()
}

/// A damaged redb file on which redb 4 itself panics (found by the `state_files` fuzz target;
/// the seed `state_files/redb-allocator-panic`, whose first byte picks the redb kind) is refused
/// by both stores as [`StoreError::Corrupt`] naming the file, and the process goes on.
#[test]
fn a_redb_file_that_makes_redb_panic_is_refused_as_corrupt() {
    let bytes = redb_seed("redb-allocator-panic");
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("state.redb");
    for store in ["redb", "wal"] {
        std::fs::write(&path, &bytes).unwrap();
        let refused = match store {
            "redb" => RedbStore::open(&path).err(),
            _ => runtime::WalStore::open(&path).err(),
        };
        match refused {
            Some(StoreError::Corrupt {
                path: named,
                message,
            }) => {
                assert!(named.ends_with("state.redb"), "{named}");
                assert!(message.contains("damaged"), "{message}");
            }
            other => panic!("{store}: {other:?}"),
        }
    }
}

/// A damaged redb file on which redb panicked twice (aborting a fuzz build) and which a release
/// build wrote to before refusing it (found by the `state_files` fuzz target; seed
/// `state_files/redb-double-panic`) is refused by both stores as [`StoreError::Corrupt`], and
/// left byte for byte as it was (`redb_store/rehearsal.rs`).
#[test]
fn a_damaged_redb_file_is_refused_and_left_byte_for_byte() {
    let bytes = redb_seed("redb-double-panic");
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("state.redb");
    std::fs::write(&path, &bytes).unwrap();
    let before = runtime::blake2b_256(&[&std::fs::read(&path).unwrap()]);
    for store in ["redb", "wal"] {
        let refused = match store {
            "redb" => RedbStore::open(&path).err(),
            _ => runtime::WalStore::open(&path).err(),
        };
        match refused {
            Some(StoreError::Corrupt { message, .. }) => {
                assert!(message.contains("damaged"), "{store}: {message}");
            }
            other => panic!("{store}: {other:?}"),
        }
        let after = runtime::blake2b_256(&[&std::fs::read(&path).unwrap()]);
        assert_eq!(after, before, "{store} changed the file");
    }
}

/// A redb state file whose content does not hash to the root it records (found by the
/// `state_files` fuzz target; seed `state_files/redb-root-mismatch`): its damage breaks redb's
/// page checksums, so the open's rehearsal (`redb_store/rehearsal.rs`) refuses it as damaged,
/// leaving it as it was. A file whose pages are sound but whose storage table was rewritten
/// behind the store (redb's checksums agree, the merkle tree does not) opens, and its dump —
/// how a state leaves a store — is refused as corrupt, naming both roots.
#[test]
fn a_redb_file_whose_content_is_not_its_recorded_root_does_not_dump() {
    let bytes = redb_seed("redb-root-mismatch");
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("state.redb");
    std::fs::write(&path, &bytes).unwrap();
    match RedbStore::open(&path) {
        Err(StoreError::Corrupt { message, .. }) => {
            assert!(message.contains("damaged"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        std::fs::read(&path).unwrap() == bytes,
        "the refused file was changed"
    );

    let path = tmp.path().join("rewritten.redb");
    let mut changes = ChangeSet::default();
    changes.storage.insert(
        ContractId([9; 32]),
        [(b"k".to_vec(), Some(b"v".to_vec()))].into(),
    );
    let recorded = open(&path).commit(changes).unwrap();
    {
        let db = redb::Database::open(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let table: redb::TableDefinition<&[u8], &[u8]> = redb::TableDefinition::new("storage");
            let mut t = txn.open_table(table).unwrap();
            let key = [&[9u8; 32][..], b"k"].concat();
            t.insert(key.as_slice(), b"not v".as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let store = RedbStore::open(&path).unwrap();
    assert_eq!(store.root().unwrap(), recorded);
    match store.dump() {
        Err(StoreError::Corrupt { message, .. }) => {
            assert!(message.contains(&recorded.to_string()), "{message}");
            assert!(message.contains("content hashes to"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
