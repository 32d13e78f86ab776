//! Background checkpoints: commits continue while one is under way, one interrupted before its
//! seal loses nothing, and a store reopens from one (its content byte for byte the live state's).

use super::super::tests::{A, content, deploy, history, tmp, with_threshold, writes};
use super::*;
use crate::records::{RecordStore, RecordWrites};
use crate::store::{ChangeSet, MemoryStore, StateStore};
use crate::wal_store::{WalOptions, WalStore};
use redb::ReadableTableMetadata;

/// The chunks in a closed store's file, by (version, index).
fn chunks_in(path: &std::path::Path) -> Vec<(u64, u32)> {
    let db = Database::create(path).unwrap();
    let txn = db.begin_read().unwrap();
    let table = txn.open_table(CHUNKS).unwrap();
    table
        .iter()
        .unwrap()
        .map(|entry| entry.unwrap().0.value())
        .collect()
}

/// The checkpoint's content as the file holds it.
fn checkpoint_content(store: &WalStore) -> Vec<u8> {
    let txn = store.db.begin_read().unwrap();
    read_checkpoint(&txn, "test").unwrap().unwrap().content
}

/// With a checkpoint stopped half-way (held after building its content), commits go on: they
/// are durable, visible, and neither wait for it nor start another. Released, it seals the
/// version it was started for, and the log keeps the records after it.
#[test]
fn commits_continue_while_a_checkpoint_is_under_way() {
    let (_dir, path) = tmp();
    let store = with_threshold(&path, 3_000);
    let reference = MemoryStore::new();
    let held = store.hold_checkpoints();
    let mut started_at = None;
    for changes in history() {
        reference.commit(changes.clone()).unwrap();
        assert_eq!(store.commit(changes).unwrap(), reference.root().unwrap());
        let log = store.log.lock();
        if started_at.is_none() && log.checkpoint_running {
            started_at = Some(log.stats.version);
        }
    }
    let started_at = started_at.expect("a checkpoint was started");
    let head = history().len() as u64;
    assert!(started_at < head, "commits after the checkpoint started");
    let stats = store.stats();
    assert_eq!(stats.checkpoint_version, None, "{stats:?}");
    assert_eq!(stats.log_records, head);
    assert_eq!(content(&store), content(&reference));
    drop(held);
    store.wait_for_checkpoint();
    let stats = store.stats();
    assert_eq!(stats.checkpoint_version, Some(started_at), "{stats:?}");
    assert_eq!(stats.log_records, head - started_at);
    assert_eq!(stats.checkpoint_failures, 0);
    drop(store);
    let reopened = with_threshold(&path, 3_000);
    assert_eq!(reopened.root().unwrap(), reference.root().unwrap());
    assert_eq!(content(&reopened), content(&reference));
    assert_eq!(reopened.stats().log_records, head - started_at);
}

/// A checkpoint that fails after writing its chunks, before its seal — what a crash there
/// leaves — loses nothing: the file keeps its previous checkpoint and the whole log, the next
/// open removes the stray chunks, and the state is the last commit's.
#[test]
fn a_checkpoint_interrupted_before_its_seal_loses_nothing() {
    let (_dir, path) = tmp();
    let options = WalOptions {
        checkpoint_bytes: Some(1),
        ..WalOptions::default()
    };
    let reference = MemoryStore::new();
    {
        let store = WalStore::open_with(&path, options.clone()).unwrap();
        let first = deploy(A, b"code a");
        reference.commit(first.clone()).unwrap();
        store.commit(first).unwrap();
        store.wait_for_checkpoint();
        assert_eq!(store.stats().checkpoint_version, Some(1));
        store.fail_next_checkpoint();
        let second = writes(A, 0..10, 2);
        reference.commit(second.clone()).unwrap();
        store.commit(second).unwrap();
        store.wait_for_checkpoint();
        let stats = store.stats();
        assert_eq!(stats.checkpoint_failures, 1, "{stats:?}");
        assert_eq!(stats.checkpoint_version, Some(1));
        // The failed one's chunk is in the file (durable by itself), and stays there through
        // the next commit: one of records alone, which adds no log and so starts no checkpoint.
        let records: RecordWrites = [(b"r".to_vec(), Some(b"1".to_vec()))].into();
        store
            .commit_with_records(store.root().unwrap(), ChangeSet::default(), &records)
            .unwrap();
        store.wait_for_checkpoint();
        assert_eq!(store.stats().checkpoint_version, Some(1));
    }
    assert_eq!(chunks_in(&path), vec![(1, 0), (2, 0)]);
    let reopened = WalStore::open_with(&path, options).unwrap();
    assert_eq!(reopened.root().unwrap(), reference.root().unwrap());
    assert_eq!(content(&reopened), content(&reference));
    assert_eq!(reopened.record(b"r").unwrap(), Some(b"1".to_vec()));
    let stats = reopened.stats();
    assert_eq!((stats.checkpoint_version, stats.log_records), (Some(1), 1));
    drop(reopened);
    assert_eq!(chunks_in(&path), vec![(1, 0)]);
}

/// A store reopens from a background checkpoint of several chunks and the log after it; the
/// checkpoint, built from the previous one and the log, is byte for byte the live state's own
/// encoding; records are kept across it.
#[test]
fn a_store_reopens_from_a_background_checkpoint() {
    let (_dir, path) = tmp();
    let store = with_threshold(&path, 1 << 20);
    let reference = MemoryStore::new();
    // More than one chunk of content: 40,000 keys of 32-byte values (≈ 1.9 MB).
    let mut big = ChangeSet::default();
    big.storage.insert(
        A,
        (0u32..40_000)
            .map(|k| (k.to_be_bytes().to_vec(), Some(vec![k as u8; 32])))
            .collect(),
    );
    let at_two = MemoryStore::new();
    let mut height = 0u64;
    for changes in [deploy(A, b"code a"), big].into_iter().chain(history()) {
        height += 1;
        if height <= 2 {
            at_two.commit(changes.clone()).unwrap();
        }
        reference.commit(changes.clone()).unwrap();
        let records: RecordWrites = [(height.to_be_bytes().to_vec(), Some(vec![1]))].into();
        store
            .commit_with_records(store.root().unwrap(), changes, &records)
            .unwrap();
        store.wait_for_checkpoint();
    }
    let stats = store.stats();
    assert_eq!(stats.checkpoint_version, Some(2), "{stats:?}");
    // The checkpoint of version 2 (built from the log) is the encoding of a store that
    // committed the same two change sets.
    let mut expected = vec![];
    at_two.encode_content_into(&mut expected, "test").unwrap();
    assert_eq!(checkpoint_content(&store), expected);
    assert!(expected.len() > CHECKPOINT_CHUNK_BYTES);
    // The content of version 2 was kept: the next checkpoint starts from it, not from the file.
    let kept = store.background.retained.lock().as_ref().map(|r| r.version);
    assert_eq!(kept, Some(2));
    // A checkpoint written now covers the log; its content is the live state's, byte for byte.
    store.checkpoint().unwrap();
    let mut live = vec![];
    store.memory.encode_content_into(&mut live, "test").unwrap();
    assert_eq!(checkpoint_content(&store), live);
    let version = store.stats().version;
    let kept = store.background.retained.lock().as_ref().map(|r| r.version);
    assert_eq!(kept, Some(version));
    drop(store);
    let chunks = chunks_in(&path);
    assert_eq!(chunks.len(), live.len().div_ceil(CHECKPOINT_CHUNK_BYTES));
    assert!(chunks.iter().all(|&(v, _)| v == version), "{chunks:?}");
    let reopened = with_threshold(&path, 1 << 20);
    assert_eq!(reopened.root().unwrap(), reference.root().unwrap());
    assert_eq!(content(&reopened), content(&reference));
    assert_eq!(reopened.stats().checkpoint_version, Some(version));
    assert_eq!(reopened.stats().log_records, 0);
    for h in 1..=height {
        assert_eq!(reopened.record(&h.to_be_bytes()).unwrap(), Some(vec![1]));
    }
    let txn = reopened.db.begin_read().unwrap();
    assert_eq!(txn.open_table(LOG).unwrap().len().unwrap(), 0);
}

/// The environment variable that makes [`chunks_are_durable_without_a_later_commit`] its own
/// child process, writing to the file it names.
const CHUNKS_CHILD: &str = "STATE_TEST_DURABLE_CHUNKS_CHILD";

/// The exit code of that child once its chunks are written.
const CHUNKS_CHILD_EXIT: i32 = 7;

/// 20,000 keys of 32-byte values: a content of four chunks.
fn four_chunks() -> ChangeSet {
    let mut changes = deploy(A, b"code a");
    changes.storage.insert(
        A,
        (0u32..20_000)
            .map(|k| (k.to_be_bytes().to_vec(), Some(vec![k as u8; 32])))
            .collect(),
    );
    changes
}

/// A checkpoint's chunks are in the file as soon as they are written, without a durable commit
/// after them: a child process commits a state of four chunks, writes its checkpoint with the
/// seal made to fail, and exits at once (no drop, no later commit: as a crash there). Read with
/// redb, the file holds the four chunks; the store then opens at the commit and removes them.
/// Written with `Durability::None`, chunks stayed in redb's in-memory write buffer until the
/// next durable commit, which wrote and synced them all in the commit path; a process dying
/// before it left none of them in the file.
#[test]
fn chunks_are_durable_without_a_later_commit() {
    if let Some(path) = std::env::var_os(CHUNKS_CHILD) {
        let options = WalOptions {
            checkpoint_bytes: Some(u64::MAX),
            ..WalOptions::default()
        };
        let store = WalStore::open_with(&path, options).unwrap();
        store.commit(four_chunks()).unwrap();
        store.fail_next_checkpoint();
        assert!(store.checkpoint().is_err(), "the seal was made to fail");
        // No destructor runs: the store is neither dropped nor committed to again.
        std::process::exit(CHUNKS_CHILD_EXIT);
    }
    let (_dir, path) = tmp();
    let name = module_path!()
        .split_once("::")
        .map(|(_, module)| format!("{module}::chunks_are_durable_without_a_later_commit"))
        .unwrap();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name.as_str(), "--exact", "--test-threads=1"])
        .env(CHUNKS_CHILD, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(
        status.code(),
        Some(CHUNKS_CHILD_EXIT),
        "the child ran to its exit"
    );
    let reference = MemoryStore::new();
    reference.commit(four_chunks()).unwrap();
    let mut content_bytes = vec![];
    reference
        .encode_content_into(&mut content_bytes, "test")
        .unwrap();
    let count = content_bytes.len().div_ceil(CHECKPOINT_CHUNK_BYTES) as u32;
    assert_eq!(count, 4);
    assert_eq!(
        chunks_in(&path),
        (0..count).map(|index| (1, index)).collect::<Vec<_>>()
    );
    let reopened = WalStore::open(&path).unwrap();
    assert_eq!(reopened.root().unwrap(), reference.root().unwrap());
    let stats = reopened.stats();
    assert_eq!((stats.checkpoint_version, stats.log_records), (None, 1));
    drop(reopened);
    assert_eq!(chunks_in(&path), vec![]);
}

/// The nice value of the calling thread.
#[cfg(target_os = "linux")]
fn this_threads_nice() -> i32 {
    // SAFETY: `gettid` has no preconditions; `getpriority` only reads the thread's nice value.
    unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
}

/// A background checkpoint's build runs at the lowest priority, in a thread of its own: the
/// caller's priority (the thread that then writes the chunks under the commit lock) is left as
/// it was, and the build's result comes back.
#[cfg(target_os = "linux")]
#[test]
fn the_build_runs_at_the_lowest_priority() {
    let before = this_threads_nice();
    let (nice, name) = build_at_low_priority(|| {
        let name = std::thread::current().name().map(str::to_string);
        (this_threads_nice(), name)
    });
    assert_eq!(nice, 19);
    assert_eq!(name.as_deref(), Some("wal-checkpoint-build"));
    assert_eq!(this_threads_nice(), before);
}
