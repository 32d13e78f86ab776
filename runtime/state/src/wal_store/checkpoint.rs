//! Checkpoints of a [`WalStore`](super::WalStore), written off the commit path.
//!
//! # Why in the background, and from the log
//!
//! A checkpoint writes the whole state: at 1 M keys ≈ 48 MB, ≈ 300 ms to encode and write.
//! Written inside the commit that crossed the threshold, holding the log lock, it stalled that
//! commit ≈ 40× a median commit, about once per 1,000 commits — where a node's consensus steps
//! time out after a few hundred milliseconds. It is now written by a thread of its own while
//! commits continue, **from an immutable version: the last checkpoint and the log records after
//! it**, both durable in the file and never changed by later commits. The thread decodes the
//! last checkpoint's content (maps only, no merkle tree), applies the records up to the target
//! version to it, encodes the result as the store's own state would encode, and writes it. It
//! never reads the live state, so it takes no lock a commit takes: no copy of the state under a
//! lock (a clone of 1 M entries costs tens of milliseconds), no persistent data structure
//! slowing every commit's map updates. Its price is CPU and transient memory off the commit path
//! (a decoded copy of the content while it runs).
//!
//! # Why in chunks, each durable by itself
//!
//! redb has one writer at a time: one 48 MB value written in one transaction would hold every
//! commit behind it for the copy and the fsync of 48 MB. The content is written in
//! [`CHECKPOINT_CHUNK_BYTES`] chunks, each in a short **durable** transaction of its own (its own
//! fsync, in the checkpoint's thread). Each such step takes the commit lock and hands it back
//! fairly (`unlock_fair`), so steps and commits alternate and a commit waits for one step at
//! most: without it the thread took redb's writer lock back step after step, and one commit
//! waited 1.5 s for all of them (measured). Then one small durable **seal** transaction writes
//! the checkpoint's head (its root, length, chunk count and the checksum of all of it) in place
//! of the previous one's. Last, more steps delete the previous checkpoint's chunks and the log
//! records the new one covers, a few per step: deleted in the seal, they made it hold commits
//! back for 125–240 ms (measured at 1 M keys).
//!
//! Why each step syncs its own writes: the steps were once committed with
//! [`Durability::None`](redb::Durability::None), to spare the checkpoint an fsync per chunk. But
//! redb keeps the pages of such a commit in its write buffer, in memory, not in the file, and the
//! next durable commit writes and syncs all of them: the block commit that followed a run of
//! chunks (the steps run back to back while the commit thread is busy elsewhere: 20–40 chunks,
//! 5–10 MB) paid for them, 50–105 ms in redb's commit against 8–10 ms for a median one (traced,
//! 2026-12-03, at 1 M keys). Now a commit waits at most for one step's 256 KiB and fsync.
//!
//! # Why the build runs at the lowest priority
//!
//! Building the content (applying the log to the retained maps, sorting and encoding 1 M
//! entries, hashing 48 MB) takes about a second of CPU at 1 M keys, seconds of wall time on a
//! loaded machine. The process's threads share one scheduling group, so at the commit thread's
//! priority the build took half of the CPU the commits could have had: traced with each
//! commit's run-queue wait (`/proc/thread-self/schedstat`), commits made during a build waited
//! 70–100 ms for a CPU, against a median of 18 ms, and those hundreds of commits per checkpoint
//! made the p99. The build runs in a thread of its own at nice 19 ([`build_at_low_priority`]):
//! it takes the CPU the commits leave. The writing thread keeps its priority, as it holds the
//! commit lock while it writes. The price: on a busy machine a checkpoint takes longer, and the
//! log it covers grows meanwhile (replayed at the next open if it is not done).
//!
//! # Crashes
//!
//! Until the seal commits, the file's checkpoint is the previous one and the log holds every
//! record since it: a crash (or a failed or cancelled checkpoint) at any point loses nothing.
//! Chunks without a seal are left behind, and deleted when the store is next opened ([`tidy`]).
//! After the seal, the new checkpoint is complete and checked (length, checksum, and at open its
//! root against the tree rebuilt from it); records it covers are deleted only after the seal is
//! durable, and those a crash leaves are not replayed (replay starts after the checkpoint) and
//! are deleted at the next open.

use super::{CHECKPOINT, CHECKSUM_LEN, LOG, LogState, Record, corrupt, unseal};
use crate::error::StoreError;
use crate::ids::blake2b_256;
use crate::merkle::Root;
use crate::redb_store::db_error;
use crate::store::Content;
use borsh::BorshDeserialize;
use parking_lot::{Mutex, MutexGuard};
use redb::{
    Database, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

#[cfg(test)]
mod tests;

/// The content of checkpoints: (version, chunk index) → bytes.
pub(super) const CHUNKS: TableDefinition<(u64, u32), &[u8]> =
    TableDefinition::new("checkpoint_chunks");

/// Bytes of content per checkpoint chunk. Each chunk is written between two commits, in a
/// durable transaction of its own, and a commit may wait for one: 256 KiB is about five times
/// what a commit of 1,000 keys writes itself (≈ 49 KB), so the wait is mostly the step's fsync.
/// 184 chunks at 1 M keys.
pub const CHECKPOINT_CHUNK_BYTES: usize = 256 << 10;

/// Bytes of a checkpoint's head: checksum ‖ root (32) ‖ content length (u64 LE) ‖ chunks (u32 LE).
const HEAD_LEN: usize = CHECKSUM_LEN + 32 + 8 + 4;

/// The sealed head of a checkpoint of `content` with `root`: its checksum covers the head after
/// it and the content.
fn head(root: Root, content: &[u8], chunks: u32) -> Vec<u8> {
    let mut out = vec![0u8; CHECKSUM_LEN];
    out.extend_from_slice(&root.0);
    out.extend_from_slice(&(content.len() as u64).to_le_bytes());
    out.extend_from_slice(&chunks.to_le_bytes());
    let sum = blake2b_256(&[&out[CHECKSUM_LEN..], content]);
    out[..CHECKSUM_LEN].copy_from_slice(&sum);
    out
}

/// A checkpoint read back and checked against its head.
pub(super) struct Loaded {
    pub(super) version: u64,
    pub(super) root: Root,
    pub(super) content: Vec<u8>,
    /// Bytes of head and content, as [`WalStats::checkpoint_bytes`](super::WalStats) reports.
    pub(super) bytes: u64,
}

/// The file's checkpoint, if it has one: its head, then its chunks in order, checked (every
/// chunk present, the length and the checksum). A mismatch is [`StoreError::Corrupt`] naming
/// the checkpoint.
pub(super) fn read_checkpoint(
    txn: &ReadTransaction,
    path: &str,
) -> Result<Option<Loaded>, StoreError> {
    let e = |e: redb::StorageError| db_error(path, e);
    let heads = txn.open_table(CHECKPOINT).map_err(|e| db_error(path, e))?;
    let Some((version, value)) = heads.last().map_err(e)? else {
        return Ok(None);
    };
    let version = version.value();
    let bad = |what: String| corrupt(path, format!("checkpoint {version}: {what}"));
    let value = value.value();
    if value.len() != HEAD_LEN {
        return Err(bad(format!("a head of {} bytes", value.len())));
    }
    let root: [u8; 32] = value[CHECKSUM_LEN..CHECKSUM_LEN + 32]
        .try_into()
        .map_err(|_| bad("too short".into()))?;
    let word = |at: usize, n: usize| {
        let mut bytes = [0u8; 8];
        bytes[..n].copy_from_slice(&value[at..at + n]);
        u64::from_le_bytes(bytes)
    };
    let (len, chunks) = (word(CHECKSUM_LEN + 32, 8), word(CHECKSUM_LEN + 40, 4));
    let table = txn.open_table(CHUNKS).map_err(|e| db_error(path, e))?;
    let mut content = Vec::with_capacity(usize::try_from(len).unwrap_or(0).min(1 << 32));
    for index in 0..chunks {
        let index = u32::try_from(index).map_err(|_| bad("too many chunks".into()))?;
        let chunk = table
            .get((version, index))
            .map_err(e)?
            .ok_or_else(|| bad(format!("chunk {index} of {chunks} is missing")))?;
        content.extend_from_slice(chunk.value());
    }
    if content.len() as u64 != len {
        return Err(bad(format!(
            "{} bytes of content, {len} expected",
            content.len()
        )));
    }
    if blake2b_256(&[&value[CHECKSUM_LEN..], &content]) != value[..CHECKSUM_LEN] {
        return Err(bad("checksum mismatch".into()));
    }
    Ok(Some(Loaded {
        version,
        root: Root(root),
        bytes: (HEAD_LEN + content.len()) as u64,
        content,
    }))
}

/// The version of the file's sealed checkpoint, if it has one (its head only is read).
fn checkpoint_version(txn: &ReadTransaction, path: &str) -> Result<Option<u64>, StoreError> {
    let heads = txn.open_table(CHECKPOINT).map_err(|e| db_error(path, e))?;
    let last = heads.last().map_err(|e| db_error(path, e))?;
    Ok(last.map(|(version, _)| version.value()))
}

/// Deletions per [`Job::step`] after a seal: few enough that a step frees a few megabytes at
/// most while a commit may be waiting for it.
const DELETES_PER_STEP: usize = 16;

/// At open, delete what an interrupted checkpoint left: chunks that belong to no sealed
/// checkpoint (interrupted before its seal: crash, failure, cancel), and after a seal, the
/// previous checkpoint's chunks and the log records the checkpoint covers that were not deleted
/// yet.
pub(super) fn tidy(txn: &WriteTransaction, path: &str) -> Result<(), StoreError> {
    remove_unsealed_chunks(txn, path)?;
    let e = |e: redb::StorageError| db_error(path, e);
    let sealed = {
        let heads = txn.open_table(CHECKPOINT).map_err(|e| db_error(path, e))?;
        let last = heads.last().map_err(e)?;
        last.map(|(version, _)| version.value())
    };
    if let Some(version) = sealed {
        let mut records = txn.open_table(LOG).map_err(|e| db_error(path, e))?;
        records.retain_in(..=version, |_, _| false).map_err(e)?;
        let mut undo = txn
            .open_table(crate::records::RECORD_UNDO)
            .map_err(|e| db_error(path, e))?;
        crate::records::forget_undo_through(&mut undo, version, path)?;
    }
    Ok(())
}

/// Delete the chunks that belong to no sealed checkpoint.
fn remove_unsealed_chunks(txn: &WriteTransaction, path: &str) -> Result<(), StoreError> {
    let e = |e: redb::StorageError| db_error(path, e);
    let sealed = {
        let heads = txn.open_table(CHECKPOINT).map_err(|e| db_error(path, e))?;
        let last = heads.last().map_err(e)?;
        last.map(|(version, value)| (version.value(), chunk_count(value.value())))
    };
    let mut chunks = txn.open_table(CHUNKS).map_err(|e| db_error(path, e))?;
    chunks
        .retain(|(version, index), _| matches!(sealed, Some((v, n)) if v == version && index < n))
        .map_err(e)
}

/// The chunk count of a sealed head (0 when the head is malformed: then no chunk is kept, and
/// opening reports the head itself).
fn chunk_count(head: &[u8]) -> u32 {
    head.get(CHECKSUM_LEN + 40..HEAD_LEN)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

/// What a checkpoint run ended with.
pub(super) enum Outcome {
    /// The checkpoint of `version` is sealed; it covered `records` log records of `record_bytes`.
    Written {
        version: u64,
        bytes: u64,
        records: u64,
        record_bytes: u64,
    },
    /// Stopped before its seal because the store is being dropped: nothing changed.
    Cancelled,
}

/// The checkpoint being written in the background, if any, and what steers it.
#[derive(Default)]
pub(super) struct Background {
    /// The thread of the checkpoint running or last run.
    pub(super) thread: Mutex<Option<JoinHandle<()>>>,
    /// Set when the store is dropped: a running checkpoint stops before its next write.
    pub(super) cancel: Arc<AtomicBool>,
    /// Test hook: held, it stops a checkpoint after its encoding, before its first write.
    pub(super) gate: Arc<Mutex<()>>,
    /// What the last sealed checkpoint was built from, kept for the next one.
    pub(super) retained: Arc<Mutex<Option<Retained>>>,
}

/// The decoded content of the file's sealed checkpoint and the buffer it was encoded into,
/// kept between checkpoints. The next checkpoint applies the log to it and encodes into the
/// same buffer: no decode of the last checkpoint, and no burst of fresh memory (≈ 150 MB of
/// small allocations freed and allocated again at 1 M keys, and the 48 MB encoding). Measured:
/// on a machine whose free memory is a thin layer over a full page cache, those bursts made
/// the kernel reclaim pages right when a commit needed some, stalling it 0.5–2 s in whatever
/// took memory (its in-memory update, or redb's write even on tmpfs). The price is memory: a
/// second copy of the content's maps and its encoding stay resident.
pub(super) struct Retained {
    /// The checkpoint's version: the content is used only by a checkpoint over this one.
    version: u64,
    content: Content,
    body: Vec<u8>,
}

/// A checkpoint's content built in memory, ready to write: what [`Job::build`] gives.
struct Built {
    /// The version of the checkpoint it was built over (0: none).
    base: u64,
    /// The log records applied over it, and their bytes.
    records: u64,
    record_bytes: u64,
    content: Content,
    /// The content's encoding: what the chunks hold.
    body: Vec<u8>,
    /// The sealed head of `body`.
    sealed_head: Vec<u8>,
}

/// Run `build` in a thread of its own at the lowest CPU priority (nice 19, Linux; elsewhere at
/// the caller's), and wait for it. Building a checkpoint's content takes about a second of CPU
/// at 1 M keys; at the commit thread's priority it took half of the CPU a commit could have had
/// — the process's threads share one scheduling group — so the commits during a build waited
/// in the run queue (measured: 70–100 ms per commit during builds against 18 ms outside, on a
/// loaded 2-core machine). Only the build: the thread that writes the chunks keeps its normal
/// priority, since it holds the commit lock while it writes, and a low-priority holder would
/// make a commit wait for the CPU it gave away (an unprivileged thread cannot raise its
/// priority back).
fn build_at_low_priority<T: Send>(build: impl FnOnce() -> T + Send) -> T {
    let mut slot = Some(build);
    let built = std::thread::scope(|scope| {
        let slot = &mut slot;
        let thread = std::thread::Builder::new()
            .name("wal-checkpoint-build".into())
            .spawn_scoped(scope, move || {
                lower_this_threads_priority();
                slot.take().map(|build| build())
            })
            .ok()?;
        // A panic in the build is a bug: carried on to the checkpoint's thread.
        thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    match (built, slot) {
        (Some(built), _) => built,
        // No thread to be had: built here, at this thread's priority.
        (None, Some(build)) => build(),
        (None, None) => unreachable!("a spawned build returns its result"),
    }
}

/// Set the calling thread's nice value to 19, the lowest priority, where the OS has per-thread
/// priorities (Linux). Best effort: a refusal leaves it as it was, which costs only latency.
#[cfg(target_os = "linux")]
fn lower_this_threads_priority() {
    // SAFETY: `gettid` has no preconditions; `setpriority` on the calling thread's own id only
    // changes that thread's nice value, and raising it needs no privilege.
    unsafe {
        let tid = libc::gettid();
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
    }
}

/// Without per-thread priorities: nothing to do.
#[cfg(not(target_os = "linux"))]
fn lower_this_threads_priority() {}

/// One checkpoint to write: the file's state at `version`, whose root is `root`.
pub(super) struct Job {
    pub(super) db: Arc<Database>,
    /// The commit lock: each write of the checkpoint takes it, so it runs between two commits.
    pub(super) log: Arc<Mutex<LogState>>,
    pub(super) path: String,
    pub(super) version: u64,
    pub(super) root: Root,
    pub(super) fail: Arc<AtomicBool>,
    pub(super) cancel: Arc<AtomicBool>,
    pub(super) gate: Arc<Mutex<()>>,
    pub(super) retained: Arc<Mutex<Option<Retained>>>,
}

impl Job {
    fn db_error(&self, e: impl Into<redb::Error>) -> StoreError {
        db_error(&self.path, e)
    }

    /// Write the checkpoint: build its content from the last checkpoint and the log, write the
    /// chunks, seal. Takes no lock of the store: commits continue meanwhile.
    ///
    /// `background`: build the content in a thread of the lowest CPU priority
    /// ([`build_at_low_priority`]), for a checkpoint that competes with commits.
    pub(super) fn write(&self, background: bool) -> Result<Outcome, StoreError> {
        let path = self.path.as_str();
        let retained = self.retained.lock().take();
        let built = if background {
            build_at_low_priority(|| self.build(retained))
        } else {
            self.build(retained)
        };
        let Built {
            base,
            records,
            record_bytes,
            content,
            body,
            sealed_head,
        } = built?;
        let chunks: Vec<&[u8]> = body.chunks(CHECKPOINT_CHUNK_BYTES).collect();
        let count = u32::try_from(chunks.len())
            .map_err(|_| corrupt(path, "a checkpoint of more than u32::MAX chunks".into()))?;
        drop(self.gate.lock());
        for (index, chunk) in (0u32..).zip(chunks) {
            if self.cancel.load(Ordering::SeqCst) {
                return Ok(Outcome::Cancelled);
            }
            self.step(|txn| {
                txn.open_table(CHUNKS)
                    .map_err(|e| self.db_error(e))?
                    .insert((self.version, index), chunk)
                    .map_err(|e| self.db_error(e))?;
                Ok(())
            })?;
        }
        if self.cancel.load(Ordering::SeqCst) {
            return Ok(Outcome::Cancelled);
        }
        self.seal(base, &sealed_head)?;
        let bytes = (sealed_head.len() + body.len()) as u64;
        *self.retained.lock() = Some(Retained {
            version: self.version,
            content,
            body,
        });
        self.remove_what_it_covers(count)?;
        Ok(Outcome::Written {
            version: self.version,
            bytes,
            records,
            record_bytes,
        })
    }

    /// The checkpoint's content and its encoding, built from `retained` (or the file's last
    /// checkpoint) and the log up to the job's version: CPU and memory work only, no write.
    fn build(&self, retained: Option<Retained>) -> Result<Built, StoreError> {
        let path = self.path.as_str();
        let e = |e: redb::StorageError| db_error(path, e);
        // The read transaction lives only while the bytes are copied out: a reader pins the
        // pages every later commit frees, and decoding and applying take seconds at 1 M keys.
        let (base, last, logged) = {
            let txn = self.db.begin_read().map_err(|e| self.db_error(e))?;
            let base = checkpoint_version(&txn, path)?;
            let last = match &retained {
                Some(kept) if Some(kept.version) == base => None,
                _ => read_checkpoint(&txn, path)?,
            };
            let base = base.unwrap_or(0);
            let log = txn.open_table(LOG).map_err(|e| self.db_error(e))?;
            let logged = log
                .range(base + 1..=self.version)
                .map_err(e)?
                .map(|entry| entry.map(|(v, bytes)| (v.value(), bytes.value().to_vec())))
                .collect::<Result<Vec<_>, _>>()
                .map_err(e)?;
            (base, last, logged)
        };
        let (mut content, mut body) = match (last, retained) {
            (Some(last), kept) => (
                Content::decode(&last.content, path)?,
                kept.map(|k| k.body).unwrap_or_default(),
            ),
            (None, Some(kept)) if kept.version == base => (kept.content, kept.body),
            (None, _) => (Content::default(), Vec::new()),
        };
        let (mut records, mut record_bytes) = (0u64, 0u64);
        for (version, bytes) in logged {
            let bad = |what: String| corrupt(path, format!("log record {version}: {what}"));
            if version != base + records + 1 {
                return Err(bad(format!("expected version {}", base + records + 1)));
            }
            let sealed = unseal(&bytes).ok_or_else(|| bad("checksum mismatch".into()))?;
            let record =
                Record::try_from_slice(sealed).map_err(|e| bad(format!("does not decode: {e}")))?;
            content.apply(record.into_changes());
            records += 1;
            record_bytes += bytes.len() as u64;
        }
        if base + records != self.version {
            return Err(corrupt(
                path,
                format!(
                    "the log ends at version {} before version {}",
                    base + records,
                    self.version
                ),
            ));
        }
        body.clear();
        content.encode_into(&mut body, path)?;
        let count = u32::try_from(body.len().div_ceil(CHECKPOINT_CHUNK_BYTES))
            .map_err(|_| corrupt(path, "a checkpoint of more than u32::MAX chunks".into()))?;
        let sealed_head = head(self.root, &body, count);
        Ok(Built {
            base,
            records,
            record_bytes,
            content,
            body,
            sealed_head,
        })
    }

    /// One short durable write transaction between two commits: it takes the commit lock (so a
    /// commit waits for one step at most), commits with its own fsync, and hands the lock
    /// straight to a commit waiting for it. Durable by itself, not by the next commit: redb
    /// keeps the pages of a commit without durability in its write buffer, in memory, and the
    /// next durable commit writes and syncs them all — the commit that followed a run of chunks
    /// paid for megabytes of them (see the module documentation).
    fn step(
        &self,
        write: impl FnOnce(&WriteTransaction) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let turn = self.log.lock();
        let txn = self.db.begin_write().map_err(|e| self.db_error(e))?;
        write(&txn)?;
        txn.commit().map_err(|e| self.db_error(e))?;
        MutexGuard::unlock_fair(turn);
        Ok(())
    }

    /// The durable transaction that makes the written chunks the checkpoint: its head replaces
    /// the previous checkpoint's (which must still be `base`'s). Small, so the commit it holds
    /// back waits for one fsync.
    fn seal(&self, base: u64, sealed_head: &[u8]) -> Result<(), StoreError> {
        let path = self.path.as_str();
        let e = |e: redb::StorageError| db_error(path, e);
        let turn = self.log.lock();
        let txn = self.db.begin_write().map_err(|e| self.db_error(e))?;
        {
            let mut heads = txn.open_table(CHECKPOINT).map_err(|e| self.db_error(e))?;
            let last = heads.last().map_err(e)?.map(|(v, _)| v.value());
            if last.unwrap_or(0) != base {
                return Err(StoreError::Backend {
                    path: path.to_string(),
                    message: format!(
                        "checkpoint {}: the file's checkpoint moved from {base} to {last:?}",
                        self.version
                    ),
                });
            }
            heads.retain(|_, _| false).map_err(e)?;
            heads.insert(self.version, sealed_head).map_err(e)?;
        }
        if self.fail.swap(false, Ordering::SeqCst) {
            txn.abort().map_err(|e| self.db_error(e))?;
            return Err(StoreError::Backend {
                path: path.to_string(),
                message: "injected failure before checkpoint".into(),
            });
        }
        txn.commit().map_err(|e| self.db_error(e))?;
        MutexGuard::unlock_fair(turn);
        Ok(())
    }

    /// After the seal: delete the chunks of other checkpoints and the log records this one
    /// covers, [`DELETES_PER_STEP`] per [`step`](Self::step). A crash half-way leaves some of
    /// them, which the next open deletes ([`tidy`]).
    fn remove_what_it_covers(&self, count: u32) -> Result<(), StoreError> {
        let path = self.path.as_str();
        let e = |e: redb::StorageError| db_error(path, e);
        let version = self.version;
        loop {
            let mut left = false;
            self.step(|txn| {
                let mut chunks = txn.open_table(CHUNKS).map_err(|e| self.db_error(e))?;
                let stale: Vec<(u64, u32)> = chunks
                    .iter()
                    .map_err(e)?
                    .map(|entry| entry.map(|(k, _)| k.value()))
                    .filter(|k| !matches!(k, Ok((v, i)) if *v == version && *i < count))
                    .take(DELETES_PER_STEP)
                    .collect::<Result<_, _>>()
                    .map_err(e)?;
                for key in &stale {
                    chunks.remove(key).map_err(e)?;
                }
                let mut records = txn.open_table(LOG).map_err(|e| self.db_error(e))?;
                let covered: Vec<u64> = records
                    .range(..=version)
                    .map_err(e)?
                    .take(DELETES_PER_STEP)
                    .map(|entry| entry.map(|(k, _)| k.value()))
                    .collect::<Result<_, _>>()
                    .map_err(e)?;
                for key in &covered {
                    records.remove(key).map_err(e)?;
                }
                left = stale.len() == DELETES_PER_STEP || covered.len() == DELETES_PER_STEP;
                Ok(())
            })?;
            if !left {
                // The records' undo entries a revert can no longer reach (small: one per
                // record write).
                return self.step(|txn| {
                    let mut undo = txn
                        .open_table(crate::records::RECORD_UNDO)
                        .map_err(|e| self.db_error(e))?;
                    crate::records::forget_undo_through(&mut undo, version, path)
                });
            }
        }
    }

    /// Record in `log` how the run ended. A failure of a background run (`retry_after`: its
    /// threshold) is counted and the next try waits for another threshold of log; an explicit
    /// run's failure is its caller's to report.
    pub(super) fn finish(
        log: &mut LogState,
        result: Result<Outcome, StoreError>,
        retry_after: Option<u64>,
    ) -> Result<(), StoreError> {
        log.checkpoint_running = false;
        match result {
            Ok(Outcome::Written {
                version,
                bytes,
                records,
                record_bytes,
            }) => {
                log.stats.checkpoint_version = Some(version);
                log.stats.checkpoint_bytes = bytes;
                log.checkpointed(version);
                log.stats.log_records = log.stats.log_records.saturating_sub(records);
                log.stats.log_bytes = log.stats.log_bytes.saturating_sub(record_bytes);
                log.retry_at_bytes = 0;
                Ok(())
            }
            Ok(Outcome::Cancelled) => Ok(()),
            Err(e) => {
                if let Some(threshold) = retry_after {
                    log.stats.checkpoint_failures += 1;
                    log.retry_at_bytes = log.stats.log_bytes.saturating_add(threshold);
                }
                Err(e)
            }
        }
    }
}
