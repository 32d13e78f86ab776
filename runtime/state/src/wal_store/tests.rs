use super::*;
use crate::merkle;
use redb::ReadableTable;

pub(super) const A: ContractId = ContractId([1; 32]);
pub(super) const B: ContractId = ContractId([2; 32]);

/// Writes `round` into keys `keys` of contract `id`, deleting key 0 on odd rounds.
pub(super) fn writes(id: ContractId, keys: std::ops::Range<u32>, round: u8) -> ChangeSet {
    let mut changes = ChangeSet::default();
    let mut w: BTreeMap<Vec<u8>, Option<Vec<u8>>> = keys
        .map(|k| {
            (
                k.to_be_bytes().to_vec(),
                Some(vec![round; 1 + k as usize % 40]),
            )
        })
        .collect();
    if round % 2 == 1 {
        w.insert(0u32.to_be_bytes().to_vec(), None);
    }
    changes.storage.insert(id, w);
    changes
}

/// A deploy: code and a record for `id`.
pub(super) fn deploy(id: ContractId, code: &[u8]) -> ChangeSet {
    let mut changes = ChangeSet::default();
    let hash = CodeHash(blake2b_256(&[code]));
    changes.code.insert(hash, Arc::from(code));
    changes.contracts.insert(
        id,
        ContractRecord {
            owner: host_api::Address([9; 32]),
            code_hash: hash.0,
        },
    );
    changes
}

/// A sequence of change sets touching records, code and storage of two contracts.
pub(super) fn history() -> Vec<ChangeSet> {
    let mut out = vec![deploy(A, b"code a"), deploy(B, b"code b")];
    for round in 0..12u8 {
        let id = if round % 3 == 0 { B } else { A };
        out.push(writes(id, u32::from(round)..u32::from(round) + 30, round));
    }
    out
}

pub(super) fn tmp() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.wal");
    (dir, path)
}

/// `body` behind its checksum, as the store writes values.
fn sealed(body: &[u8]) -> Vec<u8> {
    let mut value = vec![0; CHECKSUM_LEN];
    value.extend_from_slice(body);
    seal(&mut value);
    value
}

/// A store at `path` that checkpoints once its log passes `bytes`.
pub(super) fn with_threshold(path: &Path, bytes: u64) -> WalStore {
    let options = WalOptions {
        checkpoint_bytes: Some(bytes),
        ..WalOptions::default()
    };
    WalStore::open_with(path, options).unwrap()
}

/// Every storage value and record the history could have touched, as read from `store`.
pub(super) fn content(store: &dyn StateStore) -> Vec<Option<Vec<u8>>> {
    let mut out = vec![];
    for id in [A, B] {
        for k in 0u32..45 {
            out.push(store.storage(&id, &k.to_be_bytes()).unwrap());
        }
        out.push(store.contract(&id).unwrap().map(|r| r.to_bytes().to_vec()));
    }
    for code in [&b"code a"[..], b"code b"] {
        let hash = CodeHash(blake2b_256(&[code]));
        out.push(store.code(&hash).unwrap().map(|c| c.to_vec()));
    }
    out
}

/// The same history gives the in-memory store's root after every commit, and the same root and
/// content after a reopen: replayed from the log alone, from a checkpoint alone (one after every
/// commit), and from a checkpoint taken half-way plus the log after it.
#[test]
fn commits_survive_a_reopen_with_the_memory_stores_roots() {
    const HALF_WAY: usize = 7;
    for (checkpoint_bytes, half_way) in [(None, false), (Some(1), false), (None, true)] {
        let (_dir, path) = tmp();
        let options = WalOptions {
            checkpoint_bytes,
            ..WalOptions::default()
        };
        let reference = MemoryStore::new();
        let mut roots = vec![];
        {
            let store = WalStore::open_with(&path, options.clone()).unwrap();
            for (i, changes) in history().into_iter().enumerate() {
                let expected = reference.commit(changes.clone()).unwrap();
                assert_eq!(store.commit(changes).unwrap(), expected, "commit {i}");
                store.wait_for_checkpoint();
                roots.push(expected);
                if half_way && i + 1 == HALF_WAY {
                    store.checkpoint().unwrap();
                }
            }
            assert_eq!(content(&store), content(&reference));
            assert_eq!(store.stats().version, history().len() as u64);
        }
        let reopened = WalStore::open_with(&path, options).unwrap();
        assert_eq!(reopened.root().unwrap(), *roots.last().unwrap());
        assert_eq!(content(&reopened), content(&reference));
        let stats = reopened.stats();
        assert_eq!(stats.version, history().len() as u64);
        let (checkpoint, records) = match (checkpoint_bytes, half_way) {
            (None, false) => (None, history().len()),
            (Some(_), _) => (Some(stats.version), 0),
            (None, true) => (Some(HALF_WAY as u64), history().len() - HALF_WAY),
        };
        assert_eq!(stats.checkpoint_version, checkpoint, "{stats:?}");
        assert_eq!(stats.log_records, records as u64, "{stats:?}");
    }
}

/// A checkpoint is written exactly when a commit takes the log past the threshold: never
/// before, never later; it drops the records it covers.
#[test]
fn checkpoint_comes_when_the_log_outgrows_its_threshold() {
    const THRESHOLD: u64 = 3_000;
    let (_dir, path) = tmp();
    let store = with_threshold(&path, THRESHOLD);
    let mut previous = store.stats();
    let (mut checkpoints, mut appends) = (0, 0);
    for changes in history() {
        let record = encode_record(store.root().unwrap(), &changes).unwrap();
        let grown = previous.log_bytes + record.len() as u64;
        store.commit(changes).unwrap();
        store.wait_for_checkpoint();
        let now = store.stats();
        if grown > THRESHOLD {
            assert_eq!(now.checkpoint_version, Some(now.version), "{now:?}");
            assert_eq!((now.log_records, now.log_bytes), (0, 0));
            assert!(now.checkpoint_bytes > 0);
            checkpoints += 1;
        } else {
            assert_eq!(
                now.checkpoint_version, previous.checkpoint_version,
                "{now:?}"
            );
            assert_eq!(now.log_records, previous.log_records + 1);
            assert_eq!(now.log_bytes, grown);
            appends += 1;
        }
        previous = now;
    }
    assert!(
        checkpoints >= 2 && appends >= 2,
        "{checkpoints} checkpoints, {appends} appends"
    );
}

/// A commit whose transaction fails leaves nothing: not in memory, not on disk.
#[test]
fn a_failed_commit_changes_nothing() {
    let (_dir, path) = tmp();
    let store = WalStore::open(&path).unwrap();
    store.commit(deploy(A, b"code a")).unwrap();
    let root = store.root().unwrap();
    let before = content(&store);
    store.fail_next_commit();
    let err = store.commit(writes(A, 0..10, 2)).unwrap_err();
    assert!(matches!(err, StoreError::Backend { .. }), "{err}");
    assert_eq!(store.root().unwrap(), root);
    assert_eq!(content(&store), before);
    assert_eq!(store.stats().version, 1);
    // The next commit gets the version the failed one would have had.
    store.commit(writes(A, 0..10, 2)).unwrap();
    assert_eq!(store.stats().version, 2);
    drop(store);
    let reopened = WalStore::open(&path).unwrap();
    assert_eq!(reopened.stats().version, 2);
}

/// A checkpoint that fails does not fail the commit that triggered it: the commit is durable,
/// the log keeps its records, and the next commit checkpoints.
#[test]
fn a_failed_checkpoint_keeps_the_commit_and_the_log() {
    let (_dir, path) = tmp();
    let options = WalOptions {
        checkpoint_bytes: Some(1),
        ..WalOptions::default()
    };
    let store = WalStore::open_with(&path, options.clone()).unwrap();
    store.commit(deploy(A, b"code a")).unwrap();
    store.wait_for_checkpoint();
    assert_eq!(store.stats().checkpoint_version, Some(1));
    store.fail_next_checkpoint();
    let root = store.commit(writes(A, 0..10, 2)).unwrap();
    store.wait_for_checkpoint();
    let stats = store.stats();
    assert_eq!(stats.checkpoint_failures, 1);
    assert_eq!((stats.version, stats.checkpoint_version), (2, Some(1)));
    assert_eq!(stats.log_records, 1);
    drop(store);
    let reopened = WalStore::open_with(&path, options).unwrap();
    assert_eq!(reopened.root().unwrap(), root);
    reopened.commit(writes(A, 0..10, 3)).unwrap();
    reopened.wait_for_checkpoint();
    let stats = reopened.stats();
    assert_eq!((stats.checkpoint_version, stats.log_records), (Some(3), 0));
}

/// After a failed checkpoint the next try waits for another threshold of log, rather than
/// writing the whole state again at every commit.
#[test]
fn a_failed_checkpoint_is_retried_after_another_threshold() {
    const THRESHOLD: u64 = 3_000;
    let (_dir, path) = tmp();
    let store = with_threshold(&path, THRESHOLD);
    let mut failed_at: Option<u64> = None;
    for changes in history() {
        let record_len = encode_record(store.root().unwrap(), &changes)
            .unwrap()
            .len() as u64;
        let grown = store.stats().log_bytes + record_len;
        if failed_at.is_none() {
            store.fail_next_checkpoint();
        }
        store.commit(changes).unwrap();
        store.wait_for_checkpoint();
        let now = store.stats();
        match failed_at {
            None if now.checkpoint_failures == 1 => failed_at = Some(now.log_bytes),
            None => assert_eq!(now.checkpoint_version, None),
            // No new try until the log has grown by THRESHOLD past the failure, then one.
            Some(bytes) if now.checkpoint_version.is_none() => {
                assert!(grown <= bytes + THRESHOLD, "{now:?}");
                assert_eq!(now.checkpoint_failures, 1);
            }
            Some(bytes) => {
                assert!(grown > bytes + THRESHOLD, "retried too early: {now:?}");
                assert_eq!(now.log_records, 0);
                return;
            }
        }
    }
    panic!("the checkpoint was never retried: failed at {failed_at:?}");
}

/// `commit_over` a root that moved writes nothing; an empty change set writes no record.
#[test]
fn moved_base_and_empty_changes_write_nothing() {
    let (_dir, path) = tmp();
    let store = WalStore::open(&path).unwrap();
    let empty_root = store.root().unwrap();
    let first = store.commit(deploy(A, b"code a")).unwrap();
    let err = store
        .commit_over(empty_root, writes(A, 0..5, 0))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::BaseMoved { base, current } if base == empty_root && current == first)
    );
    assert_eq!(store.commit(ChangeSet::default()).unwrap(), first);
    assert_eq!(store.stats().log_records, 1);
    assert_eq!(
        store.commit_over(first, writes(A, 0..5, 0)).unwrap(),
        store.root().unwrap()
    );
    assert_eq!(store.stats().log_records, 2);
}

/// Proofs are against the current root and verify without the store.
#[test]
fn proofs_verify_against_the_root() {
    let (_dir, path) = tmp();
    let store = WalStore::open(&path).unwrap();
    for changes in history() {
        store.commit(changes).unwrap();
    }
    let root = store.root().unwrap();
    let value = store.storage(&A, &20u32.to_be_bytes()).unwrap();
    assert!(value.is_some());
    let proof = store.prove(&A, &20u32.to_be_bytes()).unwrap();
    assert!(merkle::verify(
        &root,
        &A,
        &20u32.to_be_bytes(),
        value.as_deref(),
        &proof
    ));
    assert!(!merkle::verify(
        &root,
        &A,
        &20u32.to_be_bytes(),
        Some(b"other"),
        &proof
    ));
    let absent = store.prove(&A, b"never written").unwrap();
    assert!(merkle::verify(&root, &A, b"never written", None, &absent));
}

/// Overwrite one table entry of a closed store's file.
fn tamper(
    path: &Path,
    table: TableDefinition<u64, &[u8]>,
    version: u64,
    edit: impl Fn(&mut Vec<u8>),
) {
    let db = Database::create(path).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let mut t = txn.open_table(table).unwrap();
        let mut bytes = t.get(version).unwrap().expect("entry").value().to_vec();
        edit(&mut bytes);
        t.insert(version, bytes.as_slice()).unwrap();
    }
    txn.commit().unwrap();
}

/// Overwrite the first chunk of checkpoint `version` of a closed store's file.
fn tamper_chunk(path: &Path, version: u64, edit: impl Fn(&mut Vec<u8>)) {
    let db = Database::create(path).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let mut t = txn.open_table(checkpoint::CHUNKS).unwrap();
        let mut bytes = t
            .get((version, 0))
            .unwrap()
            .expect("chunk")
            .value()
            .to_vec();
        edit(&mut bytes);
        t.insert((version, 0), bytes.as_slice()).unwrap();
    }
    txn.commit().unwrap();
}

fn open_error(path: &Path) -> String {
    match WalStore::open(path) {
        Err(e @ StoreError::Corrupt { .. }) => e.to_string(),
        other => panic!("expected a corrupt store, got {other:?}"),
    }
}

/// A damaged record, a damaged checkpoint, a record over another root and a gap in the log
/// are each refused at open with a message naming what is wrong.
#[test]
fn damaged_logs_and_checkpoints_are_refused() {
    let build = |checkpoint_bytes| {
        let (dir, path) = tmp();
        let store = WalStore::open_with(
            &path,
            WalOptions {
                checkpoint_bytes,
                ..WalOptions::default()
            },
        )
        .unwrap();
        for changes in history().into_iter().take(6) {
            store.commit(changes).unwrap();
            store.wait_for_checkpoint();
        }
        (dir, path)
    };

    // A flipped byte in a record.
    let (_d, path) = build(None);
    tamper(&path, LOG, 4, |b| *b.last_mut().unwrap() ^= 1);
    let msg = open_error(&path);
    assert!(msg.contains("log record 4: checksum mismatch"), "{msg}");

    // A record resealed over another base root: its checksum is right, its base is not.
    let (_d, path) = build(None);
    tamper(&path, LOG, 3, |b| {
        let mut record = Record::try_from_slice(&b[32..]).unwrap();
        record.base = [0xab; 32];
        *b = sealed(&borsh::to_vec(&record).unwrap());
    });
    let msg = open_error(&path);
    assert!(msg.contains("log record 3: made over root abab"), "{msg}");

    // A gap: record 5 removed.
    let (_d, path) = build(None);
    {
        let db = Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(LOG).unwrap().remove(5).unwrap();
        txn.commit().unwrap();
    }
    let msg = open_error(&path);
    assert!(msg.contains("log record 6: expected version 5"), "{msg}");

    // A flipped byte in the checkpoint's content, and a checkpoint resealed with another root.
    let (_d, path) = build(Some(1));
    tamper_chunk(&path, 6, |b| *b.last_mut().unwrap() ^= 1);
    let msg = open_error(&path);
    assert!(msg.contains("checkpoint 6: checksum mismatch"), "{msg}");
    let (_d, path) = build(Some(1));
    let content = {
        let db = Database::create(&path).unwrap();
        let txn = db.begin_read().unwrap();
        checkpoint::read_checkpoint(&txn, "test")
            .unwrap()
            .unwrap()
            .content
    };
    tamper(&path, CHECKPOINT, 6, |b| {
        b[CHECKSUM_LEN] ^= 1;
        let sum = blake2b_256(&[&b[CHECKSUM_LEN..], &content]);
        b[..CHECKSUM_LEN].copy_from_slice(&sum);
    });
    let msg = open_error(&path);
    assert!(
        msg.contains("checkpoint 6: its content does not have its root"),
        "{msg}"
    );
}

/// A record the checkpoint covers, left in the log (its checkpoint deletes such records after its
/// seal, so a crash can leave some), is not replayed, and the next open deletes it.
#[test]
fn records_a_checkpoint_covers_are_deleted_at_open() {
    let (_dir, path) = tmp();
    let root = {
        let store = with_threshold(&path, 1);
        for changes in history().into_iter().take(6) {
            store.commit(changes).unwrap();
            store.wait_for_checkpoint();
        }
        assert_eq!(store.stats().checkpoint_version, Some(6));
        store.root().unwrap()
    };
    {
        let db = Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(LOG)
            .unwrap()
            .insert(5, &b"covered, not even a record"[..])
            .unwrap();
        txn.commit().unwrap();
    }
    let reopened = with_threshold(&path, 1);
    assert_eq!(reopened.root().unwrap(), root);
    assert_eq!(reopened.stats().log_records, 0);
    let txn = reopened.db.begin_read().unwrap();
    assert_eq!(
        txn.open_table(LOG).unwrap().get(5).unwrap().map(|_| ()),
        None
    );
}

/// A redb state file is not a WAL state file, and the other way round.
#[test]
fn files_of_the_other_store_are_refused() {
    let (_dir, path) = tmp();
    drop(crate::RedbStore::open(&path).unwrap());
    let msg = open_error(&path);
    assert!(
        msg.contains("unknown state format \"sandbox-state-redb-v3\""),
        "{msg}"
    );

    let (_dir, path) = tmp();
    WalStore::open(&path)
        .unwrap()
        .commit(deploy(A, b"code a"))
        .unwrap();
    match crate::RedbStore::open(&path) {
        Err(StoreError::Corrupt { message, .. }) => {
            assert!(message.contains("sandbox-state-wal-v2"), "{message}");
        }
        other => panic!("expected a corrupt store, got {other:?}"),
    }
}

/// Every version since the checkpoint can be opened as a snapshot with that version's root,
/// content and proofs; versions before the checkpoint, or after the head, cannot.
#[test]
fn snapshots_rebuild_every_version_since_the_checkpoint() {
    let (_dir, path) = tmp();
    let store = WalStore::open(&path).unwrap();
    let reference = MemoryStore::new();
    let mut states = vec![(reference.root().unwrap(), content(&reference))];
    for (i, changes) in history().into_iter().enumerate() {
        reference.commit(changes.clone()).unwrap();
        store.commit(changes).unwrap();
        states.push((reference.root().unwrap(), content(&reference)));
        if i + 1 == 5 {
            store.checkpoint().unwrap();
        }
    }
    let head = history().len() as u64;
    assert_eq!(store.retained(), 5..=head);
    for version in store.retained() {
        let snapshot = store.snapshot(version).unwrap();
        let (root, expected) = &states[version as usize];
        assert_eq!(snapshot.root().unwrap(), *root, "version {version}");
        assert_eq!(&content(&snapshot), expected, "version {version}");
        let key = 20u32.to_be_bytes();
        let value = snapshot.storage(&A, &key).unwrap();
        let proof = snapshot.prove(&A, &key).unwrap();
        assert!(merkle::verify(root, &A, &key, value.as_deref(), &proof));
    }
    for version in [0, 4, head + 1] {
        assert!(
            matches!(store.snapshot(version), Err(StoreError::UnknownSnapshot(_))),
            "version {version}"
        );
    }
    // The head is unchanged by the snapshots taken from it.
    assert_eq!(store.root().unwrap(), states[head as usize].0);
}

/// A file that is not a redb database at all, and a store file cut short, are refused with an
/// error naming the file; a directory where the file should be is an I/O error.
#[test]
fn foreign_truncated_and_unopenable_files_are_refused() {
    let (dir, path) = tmp();
    std::fs::write(
        &path,
        b"not a database, just some bytes of text in a file".repeat(100),
    )
    .unwrap();
    let msg = open_error(&path);
    assert!(msg.contains(&path.display().to_string()), "{msg}");

    let store = WalStore::open(path.with_extension("cut")).unwrap();
    for changes in history() {
        store.commit(changes).unwrap();
    }
    drop(store);
    let bytes = std::fs::read(path.with_extension("cut")).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
    match WalStore::open(&path) {
        Err(StoreError::Corrupt { path: p, .. } | StoreError::Io { path: p, .. }) => {
            assert_eq!(p, path.display().to_string());
        }
        other => panic!("expected a corrupt or unreadable store, got {other:?}"),
    }

    match WalStore::open(dir.path()) {
        Err(StoreError::Io { path: p, .. } | StoreError::Backend { path: p, .. }) => {
            assert_eq!(p, dir.path().display().to_string());
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

/// `versions` lists the checkpoint's version and one per log record after it, each with the
/// root that commit returned (the versions a checkpoint drops leave the list), and `dump` is
/// the current content with its version, the content's root the store's.
#[test]
fn versions_and_dump_follow_the_commits_and_the_checkpoint() {
    let (_dir, path) = tmp();
    let store = WalStore::open(&path).unwrap();
    assert_eq!(
        store.versions(),
        vec![(0, MemoryStore::new().root().unwrap())]
    );
    let mut roots = vec![store.root().unwrap()];
    for changes in history() {
        roots.push(store.commit(changes).unwrap());
    }
    let listed: Vec<(u64, Root)> = roots
        .iter()
        .copied()
        .enumerate()
        .map(|(v, r)| (v as u64, r))
        .collect();
    assert_eq!(store.versions(), listed);
    let (version, dump) = store.dump().unwrap();
    assert_eq!(version, history().len() as u64);
    assert_eq!(dump.root(), store.root().unwrap());
    assert_eq!(dump.contracts.len(), 2);
    store.checkpoint().unwrap();
    assert_eq!(store.versions(), listed[listed.len() - 1..].to_vec());
    drop(store);
    let reopened = WalStore::open(&path).unwrap();
    assert_eq!(reopened.versions(), listed[listed.len() - 1..].to_vec());
    assert_eq!(reopened.dump().unwrap().1, dump);
}
