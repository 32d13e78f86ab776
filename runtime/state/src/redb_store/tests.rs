//! The node table's page locality, counted on the keys themselves (not timed): a commit's nodes
//! must fall into few runs of the table's key order, whatever the size of the state.

use super::nodes::{NODE_KEY_LEN, class};
use super::*;
use std::collections::{BTreeMap, BTreeSet};

const CONTRACT: ContractId = ContractId([7; 32]);

/// Records a 4 KiB redb leaf page holds: about 20 of ours (~110 bytes each, pages half full).
const PER_PAGE: usize = 20;

fn writes(keys: impl Iterator<Item = u32>, round: u8) -> ChangeSet {
    let mut changes = ChangeSet::default();
    let writes = keys.map(|k| (k.to_be_bytes().to_vec(), Some(vec![round; 8])));
    changes.storage.insert(CONTRACT, writes.collect());
    changes
}

fn node_keys(store: &RedbStore) -> BTreeSet<[u8; NODE_KEY_LEN]> {
    let txn = store.read().unwrap();
    let table = store.read_table(&txn, NODES).unwrap();
    let mut out = BTreeSet::new();
    for entry in table.iter().unwrap() {
        let (key, _) = entry.unwrap();
        out.insert(key.value().try_into().expect("41-byte node key"));
    }
    out
}

/// How many pages of `PER_PAGE` records the keys `touched` fall on when the table's keys
/// `all` are sorted by `order`.
fn pages<T: Ord>(
    all: &BTreeSet<[u8; NODE_KEY_LEN]>,
    touched: &BTreeSet<[u8; NODE_KEY_LEN]>,
    order: impl Fn(&[u8; NODE_KEY_LEN]) -> T,
) -> usize {
    let mut sorted: Vec<(T, bool)> = all
        .iter()
        .map(|k| (order(k), touched.contains(k)))
        .collect();
    sorted.sort();
    let pages: BTreeSet<usize> = sorted
        .iter()
        .enumerate()
        .filter(|(_, (_, t))| *t)
        .map(|(rank, _)| rank / PER_PAGE)
        .collect();
    pages.len()
}

/// `total` keys, then a commit of `dirty` keys spread over them (every old version kept); the
/// node keys before and after that commit.
fn commit_over(
    total: u32,
    dirty: u32,
) -> (BTreeSet<[u8; NODE_KEY_LEN]>, BTreeSet<[u8; NODE_KEY_LEN]>) {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(dir.path().join("s.redb")).unwrap();
    store.commit(writes(0..total, 1)).unwrap();
    let before = node_keys(&store);
    store
        .commit(writes((0..dirty).map(|i| i * (total / dirty)), 2))
        .unwrap();
    store.check_integrity().unwrap();
    (before, node_keys(&store))
}

/// The nodes a commit creates fall on a few pages per changed key: about one per storage class
/// the changed paths cross, where keyed by hash (format v1) nearly every node had a page of its
/// own and keyed by locality alone (v2) the upper half of every path did.
#[test]
fn a_commit_writes_few_pages_per_changed_key() {
    let (dirty, total) = (40, 16_000);
    let (before, after) = commit_over(total, dirty);
    let created: BTreeSet<_> = after.difference(&before).copied().collect();
    let ours = pages(&after, &created, |k| *k);
    let by_locality = pages(&after, &created, |k| k[1..].to_vec());
    let by_hash = pages(&after, &created, |k| k[9..].to_vec());
    eprintln!(
        "{} nodes created for {dirty} keys over {total}: {ours} pages (by locality {by_locality}, by hash {by_hash})",
        created.len()
    );
    // 40 paths of ~15 nodes, ~9 below the level where the paths part.
    assert!(created.len() > 300, "{}", created.len());
    assert!(
        ours <= 4 * dirty as usize,
        "{ours} pages for {dirty} changed keys"
    );
    // Measured: 128 pages, 171 by locality alone, 411 by hash. The gaps widen with the state:
    // replaying the bench's 1 M-key commits (creations, count changes and the prune's
    // deletions), 3.7 pages per changed key against 6.5 by locality and 17.6 by hash.
    assert!(
        ours * 5 < by_locality * 4,
        "{ours} vs {by_locality} by locality"
    );
    assert!(ours * 3 < by_hash, "{ours} vs {by_hash} by hash");
}

/// The nodes one changed key's path creates sort into one short run per storage class: each
/// run spans a few pages of the table at most, in a state of 16,000 keys.
#[test]
fn one_path_sorts_into_one_short_run_per_class() {
    let (before, after) = commit_over(16_000, 1);
    let created: BTreeSet<_> = after.difference(&before).copied().collect();
    let rank: BTreeMap<_, usize> = after.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let mut runs = BTreeMap::<u8, (usize, usize, usize)>::new();
    for key in &created {
        let r = rank[key];
        let run = runs.entry(key[0]).or_insert((r, r, 0));
        run.0 = run.0.min(r);
        run.1 = run.1.max(r);
        run.2 += 1;
    }
    eprintln!("runs by class (first rank, last rank, nodes): {runs:?}");
    assert!(created.len() >= 14, "{}", created.len());
    // 16,000 leaves: classes 0 to 4 (8^4 = 4,096), a run in each.
    assert_eq!(runs.keys().copied().collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    for (c, (first, last, _)) in &runs {
        assert!(
            last - first < 3 * PER_PAGE,
            "class {c}: ranks {first}..={last}"
        );
    }
    assert_eq!(class(16_000), 4);
}

/// Rewrite the record of node `key` through redb, bypassing the store.
fn rewrite(store: &RedbStore, key: &[u8; NODE_KEY_LEN], f: impl FnOnce(&mut Vec<u8>)) {
    let txn = store.db.begin_write().unwrap();
    {
        let mut table = txn.open_table(NODES).unwrap();
        let mut record = table.get(key.as_slice()).unwrap().unwrap().value().to_vec();
        f(&mut record);
        table.insert(key.as_slice(), record.as_slice()).unwrap();
    }
    txn.commit().unwrap();
}

/// A reference count that is off, or a leaf's payload changed on disk, is found: the first by
/// `check_integrity`, the second by any read of that leaf (its value hash is derived from it).
#[test]
fn a_wrong_count_or_a_damaged_payload_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(dir.path().join("s.redb")).unwrap();
    store.commit(writes(0..50, 1)).unwrap();
    store.commit(writes(0..10, 2)).unwrap();
    store.check_integrity().unwrap();
    // A leaf of version 2 (record: refs varint, then tag 2 for a storage leaf).
    let leaf_key = merkle::storage_leaf_key(&CONTRACT, &20u32.to_be_bytes());
    let (_, value) = writes(20..21, 1).storage[&CONTRACT]
        .clone()
        .pop_first()
        .unwrap();
    let at = NodeRef::leaf(
        &leaf_key,
        &merkle::storage_value_hash(&leaf_key, &value.unwrap()),
    );
    let key = nodes::node_key(&at);
    assert!(node_keys(&store).contains(&key));

    rewrite(&store, &key, |r| r[0] += 1);
    match store.check_integrity() {
        Err(StoreError::Corrupt { message, .. }) => assert!(message.contains("references")),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    rewrite(&store, &key, |r| r[0] -= 1);
    store.check_integrity().unwrap();

    rewrite(&store, &key, |r| *r.last_mut().unwrap() ^= 1);
    let read = store
        .snapshot(2)
        .unwrap()
        .storage(&CONTRACT, &20u32.to_be_bytes());
    assert!(matches!(read, Err(StoreError::Corrupt { .. })), "{read:?}");
    assert!(matches!(
        store.check_integrity(),
        Err(StoreError::Corrupt { .. })
    ));
}
