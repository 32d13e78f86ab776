//! [`WalStore`]: the state held in memory, made durable by a write-ahead log in redb.
//!
//! # Why
//!
//! [`RedbStore`](crate::RedbStore) writes every merkle node a commit creates into a B-tree, and
//! a B-tree's random writes cost more as it grows: a commit of 1,000 random keys takes several
//! times longer over 1 M keys than over 10 k (BENCHMARKS.md §4), and so does a plain redb table's
//! 1,000 writes. A `WalStore` keeps the whole state and its tree in memory (a
//! [`MemoryStore`]) and writes to disk, per commit, only **one log record holding the change
//! set**, appended at the end of the log: what a commit writes grows with the keys it changes,
//! not with the state. The price:
//! - the state must fit in memory: a few hundred bytes per key (the tree alone takes about 235
//!   at 1 M keys; the maps hold the keys and values besides);
//! - a checkpoint is built in memory, off the commit path: while one is written, a decoded copy
//!   of the content (its maps, no tree) and its encoding are held besides the state;
//! - opening replays the log since the checkpoint;
//! - only the current version is held in memory: an older one, back to the last checkpoint, is
//!   rebuilt on demand by [`WalStore::snapshot`] at the cost of a load of the whole state (a
//!   [`RedbStore`](crate::RedbStore) reads its retained versions in place), and
//!   [`WalStore::revert_to`] returns to one the same way (`wal_store/fork.rs`), never to one
//!   before the checkpoint.
//!
//! # Tables (one redb file)
//!
//! | table | key | value |
//! |---|---|---|
//! | `meta` | `"format"` | `sandbox-state-wal-v2` |
//! | `log` | version (u64) | `checksum (32) ‖ record` |
//! | `checkpoint` | version (u64) | `checksum (32) ‖ root (32) ‖ content length (u64) ‖ chunks (u32)` |
//! | `checkpoint_chunks` | (version (u64), index (u32)) | the content's bytes from `index` × 256 KiB |
//! | `records` | key (bytes) | value (bytes): the caller's [records](crate::records) |
//!
//! - A **record** is the borsh encoding of `(base root, change set)`: the root the changes were
//!   made over and the changes themselves (code, contract records, storage writes and deletes,
//!   in key order). Version `n`'s record holds the changes from version `n - 1` to `n`.
//! - The **checkpoint** (at most one) is the whole content at its version, encoded as
//!   [`MemoryStore::save`] encodes it, with the root of that content; the content is stored in
//!   chunks of [`CHECKPOINT_CHUNK_BYTES`], and its head's checksum covers the head and the whole
//!   content. Format v1 held the content in the head's value, and had no records table.
//! - Every other checksum is BLAKE2b-256 of the bytes after it.
//!
//! # Commit, checkpoint, open
//!
//! A commit checks the base root, appends its record in **one durable redb transaction**, and
//! only then applies the changes in memory (which cannot fail): a failed or interrupted commit
//! leaves nothing behind, in memory or on disk. Readers never see changes that are not durable.
//!
//! When the log written since the last checkpoint outgrows [`WalOptions::checkpoint_bytes`]
//! (by default the last checkpoint's size, at least 8 MiB), the commit that crossed it starts a
//! checkpoint of its version **in the background** and returns: a thread builds it from the
//! last checkpoint and the log (never from the live state, so commits continue without waiting
//! for it), writes it in chunks, then seals it and deletes the records it covers in one durable
//! transaction (`wal_store/checkpoint.rs` says why, and what a crash at each point leaves). A
//! checkpoint costs a write of the whole state, but comes only after at least as many bytes of
//! log: the disk writes per commit stay proportional to the change set. A checkpoint that fails
//! leaves the log as it was and does not fail its commit, which is durable already; it is tried
//! again once the log has grown by another threshold ([`WalStats::checkpoint_failures`] counts
//! them). [`WalStore::checkpoint`] writes one in the caller's thread.
//!
//! Opening loads the checkpoint (its root is checked against the tree rebuilt from it) and
//! replays the records after it in order: each must be the next version and name the current
//! root as its base. A checksum that does not match, a gap, a record over another root, a
//! record the checkpoint covers or content that does not decode is [`StoreError::Corrupt`]
//! naming the version; nothing is repaired or skipped silently.

mod checkpoint;
mod fork;
mod records;
#[cfg(test)]
mod tests;

pub use checkpoint::CHECKPOINT_CHUNK_BYTES;

use crate::error::StoreError;
use crate::ids::{CodeHash, blake2b_256};
use crate::merkle::{Proof, Root};
use crate::records::{RECORD_UNDO, RECORDS, RecordTables, RecordWrites, write_records};
use crate::redb_store::{check_format_of, db_error};
use crate::store::{ChangeSet, ContractRecord, MemoryStore, StateStore, StorageChanges, borsh_len};
use borsh::{BorshDeserialize, BorshSerialize};
use host_api::ContractId;
use parking_lot::Mutex;
use redb::{Database, ReadableDatabase, TableDefinition};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const LOG: TableDefinition<u64, &[u8]> = TableDefinition::new("log");
const CHECKPOINT: TableDefinition<u64, &[u8]> = TableDefinition::new("checkpoint");
const FORMAT: &[u8] = b"sandbox-state-wal-v2";

/// The least log, in bytes, written between two checkpoints by default.
pub const MIN_CHECKPOINT_BYTES: u64 = 8 << 20;

/// How to open a [`WalStore`].
#[derive(Clone, Debug, Default)]
pub struct WalOptions {
    /// Write a checkpoint once the log since the last one holds more than this many bytes
    /// (counting only the records the checkpoint would cover: see `keep_versions`).
    /// `None`: the size of the last checkpoint, at least [`MIN_CHECKPOINT_BYTES`].
    pub checkpoint_bytes: Option<u64>,
    /// Keep at least this many versions before the current one revertible: a background
    /// checkpoint is written at the version this many behind the current one, never later, so
    /// [`WalStore::revert_to`] can go back that far (a checkpoint drops the versions before
    /// it). The log then holds these versions' records besides the threshold's. `None`: the
    /// checkpoint is at the current version (nothing before it stays revertible).
    /// [`WalStore::checkpoint`], called explicitly, still writes the current version.
    pub keep_versions: Option<u64>,
    /// redb's page cache in bytes (redb's default, 1 GiB, when `None`). The state is in
    /// memory; the cache holds the log's and the records' pages.
    pub cache_bytes: Option<usize>,
}

/// Sizes of a [`WalStore`], for reports and checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WalStats {
    /// The current version: 0 for the empty state, one more per non-empty commit.
    pub version: u64,
    /// The version of the checkpoint, if there is one.
    pub checkpoint_version: Option<u64>,
    /// Bytes of the checkpoint (0 when there is none).
    pub checkpoint_bytes: u64,
    /// Records in the log (the commits since the checkpoint).
    pub log_records: u64,
    /// Bytes of those records.
    pub log_bytes: u64,
    /// Checkpoints that failed since the store was opened. A failed checkpoint does not fail
    /// the commit that triggered it (that commit is durable already): it is tried again once the
    /// log has grown by another threshold, and the log keeps growing meanwhile.
    pub checkpoint_failures: u64,
}

/// One log record, as it is read back: the root the changes were made over, and the changes.
/// [`encode_record`] writes it from a [`ChangeSet`] without copying the changes.
#[derive(BorshDeserialize)]
#[cfg_attr(test, derive(BorshSerialize))]
struct Record {
    base: [u8; 32],
    code: BTreeMap<[u8; 32], Vec<u8>>,
    contracts: BTreeMap<[u8; 32], ContractRecord>,
    storage: BTreeMap<[u8; 32], StorageChanges>,
}

/// The sealed log record of `changes` made over `base`: a checksum, then a [`Record`]'s borsh
/// encoding written straight from the change set (maps in key order, as the record's are).
fn encode_record(base: Root, changes: &ChangeSet) -> std::io::Result<Vec<u8>> {
    let mut out = vec![0u8; CHECKSUM_LEN];
    base.0.serialize(&mut out)?;
    borsh_len(changes.code.len())?.serialize(&mut out)?;
    for (hash, code) in &changes.code {
        hash.0.serialize(&mut out)?;
        code[..].serialize(&mut out)?;
    }
    borsh_len(changes.contracts.len())?.serialize(&mut out)?;
    for (id, record) in &changes.contracts {
        id.0.serialize(&mut out)?;
        record.serialize(&mut out)?;
    }
    borsh_len(changes.storage.len())?.serialize(&mut out)?;
    for (id, writes) in &changes.storage {
        id.0.serialize(&mut out)?;
        writes.serialize(&mut out)?;
    }
    seal(&mut out);
    Ok(out)
}

impl Record {
    fn into_changes(self) -> ChangeSet {
        ChangeSet {
            code: self
                .code
                .into_iter()
                .map(|(h, c)| (CodeHash(h), Arc::from(c)))
                .collect(),
            contracts: self
                .contracts
                .into_iter()
                .map(|(id, r)| (ContractId(id), r))
                .collect(),
            storage: self
                .storage
                .into_iter()
                .map(|(id, w)| (ContractId(id), w))
                .collect(),
        }
    }
}

/// Bytes of the checksum at the start of every stored value.
const CHECKSUM_LEN: usize = 32;

/// Fill the first [`CHECKSUM_LEN`] bytes of `value` (left free for it) with the BLAKE2b-256 of
/// the rest, so the value is written once, never copied behind its checksum.
fn seal(value: &mut [u8]) {
    let sum = blake2b_256(&[&value[CHECKSUM_LEN..]]);
    value[..CHECKSUM_LEN].copy_from_slice(&sum);
}

/// The bytes after the checksum of a sealed value, if the checksum matches.
fn unseal(bytes: &[u8]) -> Option<&[u8]> {
    let (sum, body) = bytes.split_at_checked(CHECKSUM_LEN)?;
    (blake2b_256(&[body]) == sum).then_some(body)
}

/// What the writer knows about the log (guarded by the commit lock).
#[derive(Debug, Default)]
struct LogState {
    /// The sizes [`WalStore::stats`] reports, kept up to date by every commit and checkpoint.
    stats: WalStats,
    /// After a failed checkpoint, the log size at which the next one is tried (0: none failed).
    retry_at_bytes: u64,
    /// Set when a record was made durable but could not be applied in memory (which cannot
    /// happen: the in-memory commit has no failure left once the base is checked); the store
    /// then refuses further commits rather than write records over a state it does not hold.
    diverged: bool,
    /// A checkpoint is being written (in the background or by [`WalStore::checkpoint`]).
    checkpoint_running: bool,
    /// Every version the file can return to, oldest first: the checkpoint's (or the empty
    /// state's, version 0), then one per log record after it. Bounded by the checkpoints: one
    /// drops the entries before its version.
    versions: VecDeque<Logged>,
}

/// A version the log holds: its root, and the bytes of the log record that made it (0 for the
/// checkpoint's version).
#[derive(Clone, Copy, Debug)]
struct Logged {
    version: u64,
    root: Root,
    bytes: u64,
}

impl LogState {
    /// The root of `version`, if the log holds it.
    fn root_of(&self, version: u64) -> Option<Root> {
        let first = self.versions.front()?.version;
        let at = usize::try_from(version.checked_sub(first)?).ok()?;
        self.versions.get(at).map(|l| l.root)
    }

    /// The bytes of the log records a checkpoint at `version` would cover.
    fn bytes_through(&self, version: u64) -> u64 {
        self.versions
            .iter()
            .take_while(|l| l.version <= version)
            .map(|l| l.bytes)
            .sum()
    }

    /// Forget the versions before `checkpoint`, which a sealed checkpoint dropped.
    fn checkpointed(&mut self, checkpoint: u64) {
        while self
            .versions
            .front()
            .is_some_and(|l| l.version < checkpoint)
        {
            self.versions.pop_front();
        }
        if let Some(first) = self.versions.front_mut() {
            first.bytes = 0;
        }
    }
}

/// The persistent state store that keeps its state in memory: see the
/// [module documentation](crate::wal_store).
pub struct WalStore {
    memory: MemoryStore,
    pub(crate) db: Arc<Database>,
    path: String,
    options: WalOptions,
    /// Held by a commit from its base check to its change being visible in memory.
    log: Arc<Mutex<LogState>>,
    fail_next_commit: AtomicBool,
    fail_next_checkpoint: Arc<AtomicBool>,
    background: checkpoint::Background,
}

impl fmt::Debug for WalStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WalStore")
            .field("path", &self.path)
            .field("log", &*self.log.lock())
            .finish_non_exhaustive()
    }
}

fn corrupt(path: &str, message: String) -> StoreError {
    StoreError::Corrupt {
        path: path.to_string(),
        message,
    }
}

impl WalStore {
    /// Open the store at `path`, creating it (empty) when the file does not exist or is empty,
    /// and replay its log.
    ///
    /// # Errors
    /// [`StoreError::Io`] when the file cannot be read or written, [`StoreError::Corrupt`] when
    /// it is not a WAL state file or its checkpoint or log is damaged, [`StoreError::Backend`]
    /// when redb refuses it (e.g. it is open elsewhere).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, WalOptions::default())
    }

    /// [`open`](Self::open) with options.
    ///
    /// # Errors
    /// As [`open`](Self::open).
    pub fn open_with(path: impl AsRef<Path>, options: WalOptions) -> Result<Self, StoreError> {
        let path = path.as_ref().display().to_string();
        // A file refused is left as it was: see `redb_store/rehearsal.rs`.
        crate::redb_store::open_rehearsed(&path, |target| {
            Self::open_file(path.clone(), options.clone(), &target)
        })
    }

    /// One run of [`open_with`](Self::open_with), at `target`.
    fn open_file(
        path: String,
        options: WalOptions,
        target: &crate::redb_store::OpenTarget<'_>,
    ) -> Result<Self, StoreError> {
        let mut builder = Database::builder();
        if let Some(bytes) = options.cache_bytes {
            builder.set_cache_size(bytes);
        }
        let db = target.create(builder)?;
        let txn = db.begin_write().map_err(|e| db_error(&path, e))?;
        check_format_of(&txn, &path, FORMAT)?;
        // Create the tables of a new file (a no-op for an existing one).
        txn.open_table(LOG).map_err(|e| db_error(&path, e))?;
        txn.open_table(CHECKPOINT).map_err(|e| db_error(&path, e))?;
        txn.open_table(RECORDS).map_err(|e| db_error(&path, e))?;
        txn.open_table(RECORD_UNDO)
            .map_err(|e| db_error(&path, e))?;
        txn.open_table(checkpoint::CHUNKS)
            .map_err(|e| db_error(&path, e))?;
        checkpoint::tidy(&txn, &path)?;
        txn.commit().map_err(|e| db_error(&path, e))?;
        let (memory, log) = Self::replay(&db, &path, u64::MAX)?;
        Ok(Self {
            memory,
            db: Arc::new(db),
            path,
            options,
            log: Arc::new(Mutex::new(log)),
            fail_next_commit: AtomicBool::new(false),
            fail_next_checkpoint: Arc::default(),
            background: checkpoint::Background::default(),
        })
    }

    /// The state of the file at version `upto` (or its last, if that is earlier): its
    /// checkpoint, then the records after it up to `upto`, checked as they are applied.
    fn replay(db: &Database, path: &str, upto: u64) -> Result<(MemoryStore, LogState), StoreError> {
        let e = |e: redb::StorageError| db_error(path, e);
        let txn = db.begin_read().map_err(|e| db_error(path, e))?;
        let mut log = LogState::default();
        let memory = match checkpoint::read_checkpoint(&txn, path)? {
            None => MemoryStore::new(),
            Some(loaded) => {
                let version = loaded.version;
                let memory = MemoryStore::decode_content(&loaded.content, path)?;
                if memory.root()? != loaded.root {
                    return Err(corrupt(
                        path,
                        format!("checkpoint {version}: its content does not have its root"),
                    ));
                }
                log.stats.version = version;
                log.stats.checkpoint_version = Some(version);
                log.stats.checkpoint_bytes = loaded.bytes;
                memory
            }
        };
        log.versions.push_back(Logged {
            version: log.stats.version,
            root: memory.root()?,
            bytes: 0,
        });
        // Records the checkpoint covers may be left after it (deleted after its seal, and by
        // the next open): replay starts after it.
        let records = txn.open_table(LOG).map_err(|e| db_error(path, e))?;
        if log.stats.version > upto {
            return Err(StoreError::UnknownSnapshot(format!(
                "version {upto} (the checkpoint is at {})",
                log.stats.version
            )));
        }
        for entry in records.range(log.stats.version + 1..=upto).map_err(e)? {
            let (version, bytes) = entry.map_err(e)?;
            let version = version.value();
            let bad = |what: String| corrupt(path, format!("log record {version}: {what}"));
            if version != log.stats.version + 1 {
                return Err(bad(format!("expected version {}", log.stats.version + 1)));
            }
            let body = unseal(bytes.value()).ok_or_else(|| bad("checksum mismatch".into()))?;
            let record =
                Record::try_from_slice(body).map_err(|e| bad(format!("does not decode: {e}")))?;
            let current = memory.root()?;
            if record.base != current.0 {
                return Err(bad(format!(
                    "made over root {}, the state is at {current}",
                    Root(record.base)
                )));
            }
            let root = memory.commit(record.into_changes())?;
            log.stats.version = version;
            log.stats.log_records += 1;
            log.stats.log_bytes += bytes.value().len() as u64;
            log.versions.push_back(Logged {
                version,
                root,
                bytes: bytes.value().len() as u64,
            });
        }
        Ok((memory, log))
    }

    /// The database file.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Sizes of the log and checkpoint, and the current version.
    pub fn stats(&self) -> WalStats {
        self.log.lock().stats
    }

    /// The proof of storage `key` of `contract` (present or absent) under the current root;
    /// check it with [`merkle::verify`](crate::merkle::verify).
    ///
    /// # Errors
    /// None in practice: the state is in memory (see [`MemoryStore::prove`]).
    pub fn prove(&self, contract: &ContractId, key: &[u8]) -> Result<Proof, StoreError> {
        self.memory.prove(contract, key)
    }

    /// The versions [`snapshot`](Self::snapshot) can open: from the checkpoint's (0 without
    /// one) to the current one. A checkpoint drops the versions before it.
    pub fn retained(&self) -> std::ops::RangeInclusive<u64> {
        let log = self.log.lock();
        log.stats.checkpoint_version.unwrap_or(0)..=log.stats.version
    }

    /// Every version [`snapshot`](Self::snapshot) can open, oldest first, with its root (the
    /// last is the current one).
    pub fn versions(&self) -> Vec<(u64, Root)> {
        let log = self.log.lock();
        log.versions.iter().map(|l| (l.version, l.root)).collect()
    }

    /// The content of the current version, and its number: read under the commit lock, so no
    /// commit lands halfway through.
    ///
    /// # Errors
    /// [`StoreError::MissingCode`] when a contract's code is missing (a broken store).
    pub fn dump(&self) -> Result<(u64, crate::StateDump), StoreError> {
        let log = self.log.lock();
        Ok((
            log.stats.version,
            crate::StateDump::of_memory(&self.memory)?,
        ))
    }

    /// A detached in-memory copy of retained `version`: the checkpoint loaded and the log
    /// replayed up to it, every record checked as on open. Its reads and proofs are those of
    /// that version; it costs a load of the whole state, and later commits here do not reach it.
    ///
    /// # Errors
    /// [`StoreError::UnknownSnapshot`] when `version` is not [`retained`](Self::retained) (a
    /// checkpoint dropped it, or it does not exist yet); [`StoreError::Corrupt`] when the
    /// checkpoint or a record is damaged.
    pub fn snapshot(&self, version: u64) -> Result<MemoryStore, StoreError> {
        let head = self.log.lock().stats.version;
        if version > head {
            return Err(StoreError::UnknownSnapshot(format!(
                "version {version} (the store is at {head})"
            )));
        }
        let (memory, log) = Self::replay(&self.db, &self.path, version)?;
        if log.stats.version != version {
            return Err(corrupt(
                &self.path,
                format!(
                    "the log ends at version {} before version {version}",
                    log.stats.version
                ),
            ));
        }
        Ok(memory)
    }

    /// Write a checkpoint of the current version now, in this thread, and drop the log records
    /// it covers; first wait for a checkpoint running in the background. Commits continue
    /// meanwhile (from other threads). Nothing to do when the checkpoint is at the current
    /// version already.
    ///
    /// # Errors
    /// When the database fails or the checkpoint or log is damaged; then the log is left as it
    /// was.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let job = loop {
            self.wait_for_checkpoint();
            let mut log = self.log.lock();
            if log.checkpoint_running {
                // A commit started another one meanwhile: wait for it too.
                continue;
            }
            if log.stats.checkpoint_version == Some(log.stats.version) {
                return Ok(());
            }
            log.checkpoint_running = true;
            break self.job(log.stats.version, self.memory.root()?);
        };
        let result = job.write(false);
        checkpoint::Job::finish(&mut self.log.lock(), result, None)
    }

    /// Wait until the checkpoint being written in the background, if any, is sealed (or has
    /// failed: [`WalStats::checkpoint_failures`] counts it).
    pub fn wait_for_checkpoint(&self) {
        let thread = self.background.thread.lock().take();
        if let Some(thread) = thread {
            // The thread catches nothing: a panic in it is a bug, reported here.
            thread.join().expect("the checkpoint thread panicked");
        }
    }

    /// The checkpoint of `version`, whose root is `root`, to write.
    fn job(&self, version: u64, root: Root) -> checkpoint::Job {
        checkpoint::Job {
            db: self.db.clone(),
            log: self.log.clone(),
            path: self.path.clone(),
            version,
            root,
            fail: self.fail_next_checkpoint.clone(),
            cancel: self.background.cancel.clone(),
            gate: self.background.gate.clone(),
            retained: self.background.retained.clone(),
        }
    }

    /// Start writing the checkpoint of `version` (whose root is `root`) in a thread of its
    /// own; its end is recorded in the log state (`threshold`: when to retry after a failure).
    fn start_checkpoint(&self, log: &mut LogState, version: u64, root: Root, threshold: u64) {
        log.checkpoint_running = true;
        let job = self.job(version, root);
        let shared = self.log.clone();
        let spawned = std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || {
                let result = job.write(true);
                // Counted in the stats; the commits that follow do not depend on it.
                let _ = checkpoint::Job::finish(&mut shared.lock(), result, Some(threshold));
            });
        match spawned {
            Ok(thread) => {
                if let Some(previous) = self.background.thread.lock().replace(thread) {
                    // Finished: it cleared `checkpoint_running` before this one could start.
                    let _ = previous.join();
                }
            }
            Err(_) => {
                // No thread to be had: a failed checkpoint, retried after another threshold.
                log.checkpoint_running = false;
                log.stats.checkpoint_failures += 1;
                log.retry_at_bytes = log.stats.log_bytes.saturating_add(threshold);
            }
        }
    }

    /// Test hook: while the returned guard is held, a checkpoint stops after building its
    /// content, before its first write (so a test can commit while one is under way).
    #[cfg(any(test, feature = "test-utils"))]
    pub fn hold_checkpoints(&self) -> parking_lot::MutexGuard<'_, ()> {
        self.background.gate.lock()
    }

    /// Test hook: the next commit encodes its record and opens its transaction, then aborts it
    /// instead of committing and reports [`StoreError::Backend`], as a crash before the commit
    /// would.
    #[cfg(any(test, feature = "test-utils"))]
    pub fn fail_next_commit(&self) {
        self.fail_next_commit.store(true, Ordering::SeqCst);
    }

    /// Test hook: the next checkpoint does all its work, then aborts its transaction instead of
    /// committing it.
    #[cfg(any(test, feature = "test-utils"))]
    pub fn fail_next_checkpoint(&self) {
        self.fail_next_checkpoint.store(true, Ordering::SeqCst);
    }

    fn commit_checked(
        &self,
        base: Option<Root>,
        changes: ChangeSet,
        records: &RecordWrites,
    ) -> Result<Root, StoreError> {
        let mut log = self.log.lock();
        if log.diverged {
            return Err(StoreError::Backend {
                path: self.path.clone(),
                message: "a logged commit could not be applied in memory: reopen the store".into(),
            });
        }
        let current = self.memory.root()?;
        if let Some(base) = base
            && base != current
        {
            return Err(StoreError::BaseMoved { base, current });
        }
        let version = log.stats.version + 1;
        if changes.is_empty() {
            self.write_records_alone(version, records)?;
            return Ok(current);
        }
        let sealed = encode_record(current, &changes).map_err(|e| StoreError::Io {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        let txn = self.db.begin_write().map_err(|e| self.db_error(e))?;
        {
            let mut table = txn.open_table(LOG).map_err(|e| self.db_error(e))?;
            table
                .insert(version, sealed.as_slice())
                .map_err(|e| self.db_error(e))?;
            write_records(
                &mut RecordTables::open(&txn, &self.path)?,
                version,
                records,
                &self.path,
            )?;
        }
        self.finish(txn, &self.fail_next_commit, "commit")?;
        // Durable: now visible. The in-memory commit cannot fail (its tree's update cannot, and
        // the base was checked under the same lock); if it ever did, the log would be ahead of
        // the memory, so the store stops taking commits until it is reopened (and replayed).
        let root = match self.memory.commit_over(current, changes) {
            Ok(root) => root,
            Err(e) => {
                log.diverged = true;
                return Err(e);
            }
        };
        log.stats.version = version;
        log.stats.log_records += 1;
        log.stats.log_bytes += sealed.len() as u64;
        log.versions.push_back(Logged {
            version,
            root,
            bytes: sealed.len() as u64,
        });
        let threshold = self
            .options
            .checkpoint_bytes
            .unwrap_or(log.stats.checkpoint_bytes.max(MIN_CHECKPOINT_BYTES));
        // The commit is durable already: the checkpoint is written in the background, and one
        // that fails leaves the log as it was; it is tried again once the log has grown by
        // another threshold, so a checkpoint that keeps failing does not cost a write of the
        // whole state per commit. With versions kept, it is written that many versions back
        // and counts only the records it would cover.
        let target = version.saturating_sub(self.options.keep_versions.unwrap_or(0));
        if !log.checkpoint_running
            && log.bytes_through(target) > threshold.max(log.retry_at_bytes)
            && let Some(target_root) = log.root_of(target)
        {
            self.start_checkpoint(&mut log, target, target_root, threshold);
        }
        Ok(root)
    }

    /// Commit `txn` durably, or abort it when the test hook `fail` is set (as a crash before the
    /// commit would), reporting [`StoreError::Backend`] for `what`.
    fn finish(
        &self,
        txn: redb::WriteTransaction,
        fail: &AtomicBool,
        what: &str,
    ) -> Result<(), StoreError> {
        if fail.swap(false, Ordering::SeqCst) {
            txn.abort().map_err(|e| self.db_error(e))?;
            return Err(StoreError::Backend {
                path: self.path.clone(),
                message: format!("injected failure before {what}"),
            });
        }
        txn.commit().map_err(|e| self.db_error(e))
    }

    /// A redb error on this store's file.
    fn db_error(&self, e: impl Into<redb::Error>) -> StoreError {
        db_error(&self.path, e)
    }
}

impl Drop for WalStore {
    /// A checkpoint under way stops before its next write (the file keeps the previous one and
    /// the log), so dropping the store does not wait for a whole checkpoint; its thread is
    /// joined, so the file is closed when the drop returns.
    fn drop(&mut self) {
        self.background.cancel.store(true, Ordering::SeqCst);
        if let Some(thread) = self.background.thread.get_mut().take() {
            let _ = thread.join();
        }
    }
}

impl StateStore for WalStore {
    fn contract(&self, id: &ContractId) -> Result<Option<ContractRecord>, StoreError> {
        self.memory.contract(id)
    }

    fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError> {
        self.memory.code(hash)
    }

    fn storage(&self, id: &ContractId, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.memory.storage(id, key)
    }

    fn apply(&self, changes: ChangeSet) -> Result<(), StoreError> {
        self.commit(changes).map(|_| ())
    }

    fn root(&self) -> Result<Root, StoreError> {
        self.memory.root()
    }

    fn commit(&self, changes: ChangeSet) -> Result<Root, StoreError> {
        self.commit_checked(None, changes, &RecordWrites::new())
    }

    fn commit_over(&self, base: Root, changes: ChangeSet) -> Result<Root, StoreError> {
        self.commit_checked(Some(base), changes, &RecordWrites::new())
    }

    /// Over the in-memory tree (see [`MemoryStore`]'s).
    fn root_after(&self, base: Root, changes: &ChangeSet) -> Result<Root, StoreError> {
        self.memory.root_after(base, changes)
    }
}
