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
//! - the checkpoint must fit in one redb value (redb's limit: 3 GiB of encoded content);
//! - opening replays the log since the checkpoint;
//! - only the current version is held in memory: an older one, back to the last checkpoint, is
//!   rebuilt on demand by [`WalStore::snapshot`] at the cost of a load of the whole state (a
//!   [`RedbStore`](crate::RedbStore) reads its retained versions in place).
//!
//! # Tables (one redb file)
//!
//! | table | key | value |
//! |---|---|---|
//! | `meta` | `"format"` | `sandbox-state-wal-v1` |
//! | `log` | version (u64) | `checksum (32) ‖ record` |
//! | `checkpoint` | version (u64) | `checksum (32) ‖ root (32) ‖ content` |
//!
//! - A **record** is the borsh encoding of `(base root, change set)`: the root the changes were
//!   made over and the changes themselves (code, contract records, storage writes and deletes,
//!   in key order). Version `n`'s record holds the changes from version `n - 1` to `n`.
//! - The **checkpoint** (at most one) is the whole content at its version, encoded as
//!   [`MemoryStore::save`] encodes it, with the root of that content.
//! - Every checksum is BLAKE2b-256 of the bytes after it.
//!
//! # Commit, checkpoint, open
//!
//! A commit checks the base root, appends its record in **one durable redb transaction**, and
//! only then applies the changes in memory (which cannot fail): a failed or interrupted commit
//! leaves nothing behind, in memory or on disk. Readers never see changes that are not durable.
//!
//! When the log written since the last checkpoint outgrows [`WalOptions::checkpoint_bytes`]
//! (by default the last checkpoint's size, at least 8 MiB), the commit that crossed it also
//! writes a new checkpoint and deletes the records it covers, in one transaction. A checkpoint
//! costs a write of the whole state, but comes only after at least as many bytes of log: the
//! disk writes per commit stay proportional to the change set. A checkpoint that fails leaves
//! the log as it was and does not fail its commit, which is durable already; it is tried again
//! once the log has grown by another threshold ([`WalStats::checkpoint_failures`] counts them).
//!
//! Opening loads the checkpoint (its root is checked against the tree rebuilt from it) and
//! replays the records after it in order: each must be the next version and name the current
//! root as its base. A checksum that does not match, a gap, a record over another root, a
//! record the checkpoint covers or content that does not decode is [`StoreError::Corrupt`]
//! naming the version; nothing is repaired or skipped silently.

#[cfg(test)]
mod tests;

use crate::error::StoreError;
use crate::ids::{CodeHash, blake2b_256};
use crate::merkle::{Proof, Root};
use crate::redb_store::{check_format_of, db_error};
use crate::state::{ChangeSet, ContractRecord, MemoryStore, StateStore, StorageChanges};
use borsh::{BorshDeserialize, BorshSerialize};
use host_api::ContractId;
use parking_lot::Mutex;
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const LOG: TableDefinition<u64, &[u8]> = TableDefinition::new("log");
const CHECKPOINT: TableDefinition<u64, &[u8]> = TableDefinition::new("checkpoint");
const FORMAT: &[u8] = b"sandbox-state-wal-v1";

/// The least log, in bytes, written between two checkpoints by default.
pub const MIN_CHECKPOINT_BYTES: u64 = 8 << 20;

/// How to open a [`WalStore`].
#[derive(Clone, Debug, Default)]
pub struct WalOptions {
    /// Write a checkpoint once the log since the last one holds more than this many bytes.
    /// `None`: the size of the last checkpoint, at least [`MIN_CHECKPOINT_BYTES`].
    pub checkpoint_bytes: Option<u64>,
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

/// One log record: the root the changes were made over, and the changes.
#[derive(BorshSerialize, BorshDeserialize)]
struct Record {
    base: [u8; 32],
    code: BTreeMap<[u8; 32], Vec<u8>>,
    contracts: BTreeMap<[u8; 32], ContractRecord>,
    storage: BTreeMap<[u8; 32], StorageChanges>,
}

impl Record {
    fn new(base: Root, changes: &ChangeSet) -> Self {
        Self {
            base: base.0,
            code: changes
                .code
                .iter()
                .map(|(h, c)| (h.0, c.to_vec()))
                .collect(),
            contracts: changes
                .contracts
                .iter()
                .map(|(id, r)| (id.0, r.clone()))
                .collect(),
            storage: changes
                .storage
                .iter()
                .map(|(id, w)| (id.0, w.clone()))
                .collect(),
        }
    }

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

/// `checksum ‖ parts…`, the checksum being BLAKE2b-256 of the parts.
fn sealed(parts: &[&[u8]]) -> Vec<u8> {
    let len = parts.iter().map(|p| p.len()).sum::<usize>();
    let mut out = Vec::with_capacity(32 + len);
    out.extend_from_slice(&blake2b_256(parts));
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

/// The bytes after the checksum of a sealed value, if the checksum matches.
fn unseal(bytes: &[u8]) -> Option<&[u8]> {
    let (sum, body) = bytes.split_at_checked(32)?;
    (blake2b_256(&[body]) == sum).then_some(body)
}

/// What the writer knows about the log (guarded by the commit lock).
#[derive(Debug, Default)]
struct LogState {
    version: u64,
    checkpoint_version: Option<u64>,
    checkpoint_bytes: u64,
    log_records: u64,
    log_bytes: u64,
    checkpoint_failures: u64,
    /// After a failed checkpoint, the log size at which the next one is tried (0: none failed).
    retry_at_bytes: u64,
    /// Set when a record was made durable but could not be applied in memory (which cannot
    /// happen: the in-memory commit has no failure left once the base is checked); the store
    /// then refuses further commits rather than write records over a state it does not hold.
    diverged: bool,
}

/// The persistent state store that keeps its state in memory: see the
/// [module documentation](crate::wal_store).
pub struct WalStore {
    memory: MemoryStore,
    db: Database,
    path: String,
    options: WalOptions,
    /// Held by a commit from its base check to its change being visible in memory.
    log: Mutex<LogState>,
    fail_next_commit: AtomicBool,
    fail_next_checkpoint: AtomicBool,
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
        let db = Database::create(&path).map_err(|e| db_error(&path, e))?;
        let txn = db.begin_write().map_err(|e| db_error(&path, e))?;
        check_format_of(&txn, &path, FORMAT)?;
        // Create the tables of a new file (a no-op for an existing one).
        txn.open_table(LOG).map_err(|e| db_error(&path, e))?;
        txn.open_table(CHECKPOINT).map_err(|e| db_error(&path, e))?;
        txn.commit().map_err(|e| db_error(&path, e))?;
        let (memory, log) = Self::replay(&db, &path, u64::MAX)?;
        Ok(Self {
            memory,
            db,
            path,
            options,
            log: Mutex::new(log),
            fail_next_commit: AtomicBool::new(false),
            fail_next_checkpoint: AtomicBool::new(false),
        })
    }

    /// The state of the file at version `upto` (or its last, if that is earlier): its
    /// checkpoint, then the records after it up to `upto`, checked as they are applied.
    fn replay(db: &Database, path: &str, upto: u64) -> Result<(MemoryStore, LogState), StoreError> {
        let e = |e: redb::StorageError| db_error(path, e);
        let txn = db.begin_read().map_err(|e| db_error(path, e))?;
        let checkpoints = txn.open_table(CHECKPOINT).map_err(|e| db_error(path, e))?;
        let mut log = LogState::default();
        let memory = match checkpoints.last().map_err(e)? {
            None => MemoryStore::new(),
            Some((version, bytes)) => {
                let version = version.value();
                let bad = |what: &str| corrupt(path, format!("checkpoint {version}: {what}"));
                let body = unseal(bytes.value()).ok_or_else(|| bad("checksum mismatch"))?;
                let (root, content) = body.split_at_checked(32).ok_or_else(|| bad("too short"))?;
                let memory = MemoryStore::decode_content(content, path)?;
                if memory.root()?.0 != root {
                    return Err(bad("its content does not have its root"));
                }
                log.version = version;
                log.checkpoint_version = Some(version);
                log.checkpoint_bytes = bytes.value().len() as u64;
                memory
            }
        };
        let records = txn.open_table(LOG).map_err(|e| db_error(path, e))?;
        // A checkpoint deletes the records it covers in its own transaction: one left behind
        // means the file was changed by something else.
        if let Some(checkpoint) = log.checkpoint_version
            && let Some((stale, _)) = records
                .range(..=checkpoint)
                .map_err(e)?
                .next()
                .transpose()
                .map_err(e)?
        {
            return Err(corrupt(
                path,
                format!(
                    "log record {} is covered by checkpoint {checkpoint} and should not exist",
                    stale.value()
                ),
            ));
        }
        if log.version > upto {
            return Err(StoreError::UnknownSnapshot(format!(
                "version {upto} (the checkpoint is at {})",
                log.version
            )));
        }
        for entry in records.range(log.version + 1..=upto).map_err(e)? {
            let (version, bytes) = entry.map_err(e)?;
            let version = version.value();
            let bad = |what: String| corrupt(path, format!("log record {version}: {what}"));
            if version != log.version + 1 {
                return Err(bad(format!("expected version {}", log.version + 1)));
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
            memory.commit(record.into_changes())?;
            log.version = version;
            log.log_records += 1;
            log.log_bytes += bytes.value().len() as u64;
        }
        Ok((memory, log))
    }

    /// The database file.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Sizes of the log and checkpoint, and the current version.
    pub fn stats(&self) -> WalStats {
        let log = self.log.lock();
        WalStats {
            version: log.version,
            checkpoint_version: log.checkpoint_version,
            checkpoint_bytes: log.checkpoint_bytes,
            log_records: log.log_records,
            log_bytes: log.log_bytes,
            checkpoint_failures: log.checkpoint_failures,
        }
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
        log.checkpoint_version.unwrap_or(0)..=log.version
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
        let head = self.log.lock().version;
        if version > head {
            return Err(StoreError::UnknownSnapshot(format!(
                "version {version} (the store is at {head})"
            )));
        }
        let (memory, log) = Self::replay(&self.db, &self.path, version)?;
        debug_assert_eq!(log.version, version);
        Ok(memory)
    }

    /// Write a checkpoint of the current state now and drop the log records it covers.
    ///
    /// # Errors
    /// When the database fails; then the log is left as it was.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let mut log = self.log.lock();
        self.write_checkpoint(&mut log)
    }

    /// Test hook: the next commit encodes its record and opens its transaction, then aborts it
    /// instead of committing and reports [`StoreError::Backend`], as a crash before the commit
    /// would.
    #[doc(hidden)]
    pub fn fail_next_commit(&self) {
        self.fail_next_commit.store(true, Ordering::SeqCst);
    }

    /// Test hook: the next checkpoint does all its work, then aborts its transaction instead of
    /// committing it.
    #[doc(hidden)]
    pub fn fail_next_checkpoint(&self) {
        self.fail_next_checkpoint.store(true, Ordering::SeqCst);
    }

    fn commit_checked(&self, base: Option<Root>, changes: ChangeSet) -> Result<Root, StoreError> {
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
        if changes.is_empty() {
            return Ok(current);
        }
        let record =
            borsh::to_vec(&Record::new(current, &changes)).map_err(|e| StoreError::Io {
                path: self.path.clone(),
                message: e.to_string(),
            })?;
        let sealed = sealed(&[&record]);
        let version = log.version + 1;
        let e = |e: redb::Error| db_error(&self.path, e);
        let txn = self.db.begin_write().map_err(|x| e(x.into()))?;
        {
            let mut table = txn.open_table(LOG).map_err(|x| e(x.into()))?;
            table
                .insert(version, sealed.as_slice())
                .map_err(|x| e(x.into()))?;
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
        log.version = version;
        log.log_records += 1;
        log.log_bytes += sealed.len() as u64;
        let threshold = self
            .options
            .checkpoint_bytes
            .unwrap_or(log.checkpoint_bytes.max(MIN_CHECKPOINT_BYTES));
        if log.log_bytes > threshold.max(log.retry_at_bytes)
            && self.write_checkpoint(&mut log).is_err()
        {
            // The commit is durable already: it succeeded. The failed checkpoint left the log as
            // it was; it is tried again once the log has grown by another threshold, so a
            // checkpoint that keeps failing does not cost a write of the whole state per commit.
            log.checkpoint_failures += 1;
            log.retry_at_bytes = log.log_bytes.saturating_add(threshold);
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
            txn.abort().map_err(|e| db_error(&self.path, e))?;
            return Err(StoreError::Backend {
                path: self.path.clone(),
                message: format!("injected failure before {what}"),
            });
        }
        txn.commit().map_err(|e| db_error(&self.path, e))
    }

    /// Write the current content as the checkpoint and drop the records it covers, in one
    /// transaction.
    fn write_checkpoint(&self, log: &mut LogState) -> Result<(), StoreError> {
        let content = self.memory.encode_content(&self.path)?;
        let root = self.memory.root()?;
        let sealed = sealed(&[&root.0, &content]);
        let e = |e: redb::Error| db_error(&self.path, e);
        let txn = self.db.begin_write().map_err(|x| e(x.into()))?;
        {
            let mut checkpoints = txn.open_table(CHECKPOINT).map_err(|x| e(x.into()))?;
            checkpoints.retain(|_, _| false).map_err(|x| e(x.into()))?;
            checkpoints
                .insert(log.version, sealed.as_slice())
                .map_err(|x| e(x.into()))?;
            let mut records = txn.open_table(LOG).map_err(|x| e(x.into()))?;
            records
                .retain_in(..=log.version, |_, _| false)
                .map_err(|x| e(x.into()))?;
            debug_assert_eq!(records.len().ok(), Some(0));
        }
        self.finish(txn, &self.fail_next_checkpoint, "checkpoint")?;
        log.checkpoint_version = Some(log.version);
        log.checkpoint_bytes = sealed.len() as u64;
        log.log_records = 0;
        log.log_bytes = 0;
        log.retry_at_bytes = 0;
        Ok(())
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
        self.commit_checked(None, changes)
    }

    fn commit_over(&self, base: Root, changes: ChangeSet) -> Result<Root, StoreError> {
        self.commit_checked(Some(base), changes)
    }
}
