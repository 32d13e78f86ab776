//! Candidate blocks over one parent: the root a change set would give, computed before (and
//! instead of) committing it, on all three stores; dropping a candidate leaves every byte as it
//! was; and forks — two candidates over the same parent, the wrong one committed, the store
//! moved back to the parent (also across a reopen) and the other committed.

use host_api::{Address, ContractId};
use proptest::prelude::*;
use state::{
    ChangeSet, CodeHash, ContractRecord, MemoryStore, RedbOptions, RedbStore, Root, StateStore,
    StoreError, WalStore,
};
use std::path::Path;
use std::sync::Arc;

/// Contracts the generated changes write to.
const CONTRACTS: [ContractId; 3] = [
    ContractId([1; 32]),
    ContractId([2; 32]),
    ContractId([3; 32]),
];
/// Storage keys a contract's changes pick from: the bases use the first 24, candidates all,
/// so candidates both overwrite (or delete) present keys and insert new ones.
const KEYS: u8 = 32;

/// One storage change: contract index, key index, value (`None`: delete).
type Write = (usize, u8, Option<u8>);

/// A value of 1 to 5 bytes, so values of different lengths meet.
fn value(v: u8) -> Vec<u8> {
    vec![v; 1 + usize::from(v % 5)]
}

/// The change set of `writes` (the last write to a key wins), deploying the contracts of
/// `records` (contract byte, owner byte) with their code.
fn change_set(writes: &[Write], records: &[(u8, u8)]) -> ChangeSet {
    let mut changes = ChangeSet::default();
    for &(contract, key, v) in writes {
        changes
            .storage
            .entry(CONTRACTS[contract])
            .or_default()
            .insert(vec![key], v.map(value));
    }
    for &(contract, owner) in records {
        let code = vec![contract, owner, 0x61, 0x73, 0x6d];
        let hash = CodeHash::of(&code);
        changes.code.insert(hash, Arc::from(code));
        changes.contracts.insert(
            ContractId([contract; 32]),
            ContractRecord {
                owner: Address([owner; 32]),
                code_hash: hash.0,
            },
        );
    }
    changes
}

fn writes(max_key: u8, len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Write>> {
    proptest::collection::vec(
        (
            0..CONTRACTS.len(),
            0..max_key,
            proptest::option::weighted(0.75, any::<u8>()),
        ),
        len,
    )
}

fn records() -> impl Strategy<Value = Vec<(u8, u8)>> {
    proptest::collection::vec((1u8..6, any::<u8>()), 0..3)
}

/// The three stores, empty, in `dir`.
fn stores(dir: &Path) -> (MemoryStore, RedbStore, WalStore) {
    let options = RedbOptions {
        keep_versions: Some(3),
        ..RedbOptions::default()
    };
    (
        MemoryStore::new(),
        RedbStore::open_with(dir.join("state.redb"), options).unwrap(),
        WalStore::open(dir.join("state.wal")).unwrap(),
    )
}

/// Every byte a store holds: the saved file of a `MemoryStore`, the database file of the others.
fn bytes_of(memory: &MemoryStore, dir: &Path) -> [Vec<u8>; 3] {
    let saved = dir.join("memory.bin");
    memory.save(&saved).unwrap();
    [saved, dir.join("state.redb"), dir.join("state.wal")].map(|p| std::fs::read(p).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Over a base built in two commits, a random candidate (inserts, overwrites, deletes of
    /// present and absent keys, new contracts, code) has one root on all three stores;
    /// computing it leaves every store byte for byte as it was; committing the candidate then
    /// yields exactly that root.
    #[test]
    fn the_root_before_commit_is_the_root_of_the_commit(
        first in writes(24, 0..40),
        second in writes(24, 0..20),
        base_records in records(),
        candidate in writes(KEYS, 0..30),
        candidate_records in records(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (memory, redb, wal) = stores(dir.path());
        let all: [&dyn StateStore; 3] = [&memory, &redb, &wal];
        for changes in [change_set(&first, &base_records), change_set(&second, &[])] {
            for store in all {
                store.commit(changes.clone()).unwrap();
            }
        }
        let base = memory.root().unwrap();
        let before = bytes_of(&memory, dir.path());
        let changes = change_set(&candidate, &candidate_records);
        let predicted: Vec<Root> =
            all.iter().map(|s| s.root_after(base, &changes).unwrap()).collect();
        prop_assert!(predicted.iter().all(|r| *r == predicted[0]), "{predicted:?}");
        // Dropped: nothing of the candidate is anywhere.
        prop_assert_eq!(bytes_of(&memory, dir.path()), before);
        for store in all {
            prop_assert_eq!(store.root().unwrap(), base);
        }
        for store in all {
            prop_assert_eq!(store.commit_over(base, changes.clone()).unwrap(), predicted[0]);
        }
        redb.check_integrity().unwrap();
    }
}

#[test]
fn a_base_that_is_gone_is_refused_with_base_moved() {
    let dir = tempfile::tempdir().unwrap();
    let (memory, redb, wal) = stores(dir.path());
    let all: [&dyn StateStore; 3] = [&memory, &redb, &wal];
    let parent = change_set(&[(0, 1, Some(1))], &[]);
    let child = change_set(&[(0, 2, Some(2))], &[]);
    for store in all {
        store.commit(parent.clone()).unwrap();
    }
    let p = memory.root().unwrap();
    for store in all {
        store.commit(child.clone()).unwrap();
    }
    let head = memory.root().unwrap();
    let candidate = change_set(&[(1, 3, Some(3))], &[]);
    let unknown = Root([9; 32]);
    for store in all {
        assert_eq!(
            store.root_after(unknown, &candidate),
            Err(StoreError::BaseMoved {
                base: unknown,
                current: head
            })
        );
    }
    // The parent of the head: the in-memory stores hold one version only; the redb store
    // retains it, and prices the candidate over it as a commit over it would give.
    for store in [&memory as &dyn StateStore, &wal] {
        assert_eq!(
            store.root_after(p, &candidate),
            Err(StoreError::BaseMoved {
                base: p,
                current: head
            })
        );
    }
    let over_parent = redb.root_after(p, &candidate).unwrap();
    let fresh = MemoryStore::new();
    fresh.commit(parent).unwrap();
    assert_eq!(fresh.commit(candidate.clone()).unwrap(), over_parent);
    let snapshot = redb.snapshot(redb.head().unwrap().version - 1).unwrap();
    assert_eq!(snapshot.root_after(p, &candidate).unwrap(), over_parent);
    assert!(matches!(
        snapshot.root_after(head, &candidate),
        Err(StoreError::BaseMoved { .. })
    ));
}

/// Two candidates of one height over the same parent.
fn fork() -> (ChangeSet, ChangeSet, ChangeSet) {
    let parent = change_set(
        &[
            (0, 0, Some(1)),
            (0, 1, Some(2)),
            (1, 5, Some(3)),
            (2, 7, Some(4)),
        ],
        &[(1, 9)],
    );
    // A overwrites, deletes, inserts and deploys; B changes other keys and one of A's.
    let a = change_set(
        &[
            (0, 0, Some(10)),
            (0, 1, None),
            (1, 20, Some(11)),
            (2, 7, None),
        ],
        &[(4, 1)],
    );
    let b = change_set(
        &[
            (0, 0, Some(20)),
            (1, 5, None),
            (2, 21, Some(22)),
            (2, 22, Some(23)),
        ],
        &[(5, 2)],
    );
    (parent, a, b)
}

type Content = Vec<(Option<Vec<u8>>, Option<ContractRecord>)>;

/// Every storage value and record the generated changes can reach, as `store` reads them.
fn content(store: &dyn StateStore) -> Content {
    let mut out = vec![];
    for id in CONTRACTS {
        for key in 0..KEYS {
            out.push((store.storage(&id, &[key]).unwrap(), None));
        }
    }
    for contract in 0..8 {
        out.push((None, store.contract(&ContractId([contract; 32])).unwrap()));
    }
    out
}

/// The root and content the commits of `history` give, computed in memory.
fn expected(history: &[&ChangeSet]) -> (Root, Content) {
    let memory = MemoryStore::new();
    for changes in history {
        memory.commit((*changes).clone()).unwrap();
    }
    (memory.root().unwrap(), content(&memory))
}

#[test]
fn redb_store_returns_to_the_parent_of_a_lost_fork_and_commits_the_other_candidate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let (parent, a, b) = fork();
    let store = RedbStore::open(&path).unwrap();
    let p = store.commit(parent.clone()).unwrap();
    let parent_version = store.head().unwrap().version;
    let parent_content = content(&store);
    // Both candidates executed and priced over the parent.
    let root_a = store.root_after(p, &a).unwrap();
    let root_b = store.root_after(p, &b).unwrap();
    assert_ne!(root_a, root_b);
    // A is committed, then turns out to be the losing side: back to the parent.
    assert_eq!(store.commit_over(p, a.clone()).unwrap(), root_a);
    assert_eq!(content(&store), expected(&[&parent, &a]).1);
    assert_eq!(
        store.root_after(p, &b).unwrap(),
        root_b,
        "the parent is retained"
    );
    let stats = store.revert_to(parent_version).unwrap();
    assert_eq!(stats.versions_dropped, 1);
    assert!(stats.nodes_deleted > 0, "A's nodes are deleted");
    assert_eq!(store.root().unwrap(), p);
    assert_eq!(store.head().unwrap().version, parent_version);
    assert_eq!(content(&store), parent_content);
    store.check_integrity().unwrap();
    assert!(matches!(
        store.snapshot(parent_version + 1),
        Err(StoreError::UnknownSnapshot(_))
    ));
    // Reopened: still the parent; then B commits with the root computed before.
    drop(store);
    let store = RedbStore::open(&path).unwrap();
    assert_eq!(store.root().unwrap(), p);
    assert_eq!(content(&store), parent_content);
    assert_eq!(store.commit_over(p, b.clone()).unwrap(), root_b);
    assert_eq!(
        (store.root().unwrap(), content(&store)),
        expected(&[&parent, &b])
    );
    store.check_integrity().unwrap();
    // The proofs are B's.
    let proof = store.prove(&CONTRACTS[2], &[21]).unwrap();
    assert!(state::merkle::verify(
        &root_b,
        &CONTRACTS[2],
        &[21],
        Some(&value(22)),
        &proof
    ));
}

#[test]
fn redb_store_reverts_across_dropped_versions_and_refuses_what_it_cannot_restore() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let store = RedbStore::open(&path).unwrap();
    let mut roots = vec![];
    let mut contents = vec![];
    for i in 0..6u8 {
        let changes = change_set(
            &[
                (0, i, Some(i)),
                (1, i % 3, Some(i)),
                (0, 0, (i % 2 == 0).then_some(i)),
            ],
            &[(i + 1, i)],
        );
        roots.push(store.commit(changes).unwrap());
        contents.push(content(&store));
    }
    // Version 3 (a middle one) dropped: going back from 6 to 2 still restores every key.
    store.drop_snapshot(3).unwrap();
    store.revert_to(2).unwrap();
    assert_eq!(store.root().unwrap(), roots[1]);
    assert_eq!(content(&store), contents[1]);
    store.check_integrity().unwrap();
    // Not retained, or later than the head: refused, nothing changed.
    store.prune(1).unwrap();
    assert!(matches!(
        store.revert_to(1),
        Err(StoreError::UnknownSnapshot(_))
    ));
    assert!(matches!(
        store.revert_to(3),
        Err(StoreError::UnknownSnapshot(_))
    ));
    assert_eq!(store.revert_to(2), Ok(state::PruneStats::default()));
    // A version written without its record of changed keys (as an older build writes them):
    // going back across it is refused, the store unchanged.
    store.commit(change_set(&[(2, 1, Some(1))], &[])).unwrap();
    store.commit(change_set(&[(2, 2, Some(2))], &[])).unwrap();
    let head = store.root().unwrap();
    drop(store);
    {
        let db = redb::Database::open(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let table: redb::TableDefinition<u64, &[u8]> =
                redb::TableDefinition::new("changed_keys");
            let mut table = txn.open_table(table).unwrap();
            assert!(table.remove(3).unwrap().is_some());
        }
        txn.commit().unwrap();
    }
    let store = RedbStore::open(&path).unwrap();
    assert_eq!(
        store.revert_to(2),
        Err(StoreError::ChangedKeysMissing {
            version: 2,
            missing: 3
        })
    );
    assert_eq!(store.root().unwrap(), head);
    // The version after it still has its record.
    store.revert_to(3).unwrap();
    store.check_integrity().unwrap();
}

#[test]
fn wal_store_returns_to_the_parent_of_a_lost_fork_and_commits_the_other_candidate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.wal");
    let (parent, a, b) = fork();
    let store = WalStore::open(&path).unwrap();
    let first = change_set(&[(2, 30, Some(30))], &[]);
    store.commit(first.clone()).unwrap();
    store.checkpoint().unwrap();
    let p = store.commit(parent.clone()).unwrap();
    let parent_version = store.stats().version;
    let parent_content = content(&store);
    let root_a = store.root_after(p, &a).unwrap();
    let root_b = store.root_after(p, &b).unwrap();
    assert_ne!(root_a, root_b);
    assert_eq!(store.commit_over(p, a.clone()).unwrap(), root_a);
    // B can still be executed over the parent, rebuilt from the log.
    let over_parent = store.snapshot(parent_version).unwrap();
    assert_eq!(over_parent.root_after(p, &b).unwrap(), root_b);
    store.revert_to(parent_version).unwrap();
    assert_eq!(store.root().unwrap(), p);
    assert_eq!(store.stats().version, parent_version);
    assert_eq!(content(&store), parent_content);
    drop(store);
    let store = WalStore::open(&path).unwrap();
    assert_eq!(store.root().unwrap(), p);
    assert_eq!(store.stats().version, parent_version);
    assert_eq!(content(&store), parent_content);
    assert_eq!(store.commit_over(p, b.clone()).unwrap(), root_b);
    assert_eq!(
        (store.root().unwrap(), content(&store)),
        expected(&[&first, &parent, &b])
    );
    drop(store);
    let store = WalStore::open(&path).unwrap();
    assert_eq!(store.root().unwrap(), root_b);
    // Before the checkpoint: refused.
    assert_eq!(
        store.revert_to(0),
        Err(StoreError::RevertPastCheckpoint {
            version: 0,
            checkpoint: 1
        })
    );
}
