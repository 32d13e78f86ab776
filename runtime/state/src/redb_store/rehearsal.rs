//! Opening a database file so that a file the open refuses is left exactly as it was.
//!
//! redb writes to a file while it opens it: the header's recovery flag, the repair of a file
//! that was not closed cleanly, a commit, the allocator state when it closes. A damaged file
//! refused after those writes — by redb, by a panic inside redb, or by the store's own checks —
//! would no longer be the file the user gave (the `state_files` fuzz target found one: a release
//! build changed the file, then refused it). So an existing, non-empty file is first opened in
//! **rehearsal**: the store's whole open (redb's open and repair, the format check, the
//! store's reads, the commit) through [`Rehearsal`], a backend that reads the file and keeps
//! every write in memory. Only when the rehearsal succeeds is the file opened for real — the
//! same steps on the same bytes — and written. A sound file that a crash (kill -9) left
//! unrepaired rehearses its repair in memory, then is repaired for real, as before.
//!
//! The price: an open of an existing file runs twice (for the WAL store, the log replay too);
//! the rehearsal's memory is the pages the open writes (the header, a repair's allocator state,
//! one small commit), not the file.
//!
//! Both runs are under [`contain_redb_panic`]: redb answers some damaged files with a panic.

use super::corrupt;
use crate::error::StoreError;
use redb::backends::FileBackend;
use redb::{BackendError, Builder, Database, StorageBackend};
use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io;
use std::ops::Bound;
use std::sync::Mutex;

/// Serializes [`contain_redb_panic`]'s swaps of the process's panic hook.
static PANIC_HOOK_SWAP: Mutex<()> = Mutex::new(());

/// Runs `open` — opening a database file that something other than this process may have
/// written — and turns a panic inside redb into [`StoreError::Corrupt`] naming the file. redb 4
/// answers some damaged files with a panic (an `unreachable!` in its b-tree code while it reads
/// the allocator state, found by the `state_files` fuzz target) instead of an error; a damaged
/// file is bad input, and the process reading it must survive it. The database being opened is
/// dropped with the panic, so no half-open handle is left behind.
///
/// While `open` runs, a panic on this thread does not reach the process's panic hook (which
/// would print a backtrace-like "panicked at" message to a user who only gave a damaged file,
/// or abort, as a fuzzer's hook does); panics of other threads still do.
pub(crate) fn contain_redb_panic<T>(
    path: &str,
    open: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    use std::panic::{self, AssertUnwindSafe};
    let _swap = PANIC_HOOK_SWAP
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let opener = std::thread::current().id();
    let previous = std::sync::Arc::new(panic::take_hook());
    let forward = previous.clone();
    panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != opener {
            forward(info);
        }
    }));
    let result = panic::catch_unwind(AssertUnwindSafe(open));
    drop(panic::take_hook()); // this function's hook, and with it its clone of `previous`
    match std::sync::Arc::try_unwrap(previous) {
        Ok(hook) => panic::set_hook(hook),
        // Another thread was inside the hook at that instant: keep forwarding to it.
        Err(shared) => panic::set_hook(Box::new(move |info| shared(info))),
    }
    result.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        Err(corrupt(
            path,
            format!("the database is damaged: redb failed reading it ({what})"),
        ))
    })
}

/// Where one run of a store's open puts its database: the file itself, or a [`Rehearsal`]
/// of it.
pub(crate) struct OpenTarget<'p> {
    path: &'p str,
    rehearsal: bool,
}

impl OpenTarget<'_> {
    /// `builder`'s database at this target (created when the file is new). A rehearsal also
    /// runs redb's integrity check (every page's checksum, the allocator state rebuilt rather
    /// than trusted): redb reports a damaged file as corrupt there, where a plain open may
    /// panic on it — and a panic while a write transaction unwinds can be a second panic, which
    /// aborts a build with debug assertions (the fuzz build) whatever catches the first.
    ///
    /// # Errors
    /// What redb answers, as a [`StoreError`].
    pub(crate) fn create(&self, mut builder: Builder) -> Result<Database, StoreError> {
        let db_error = |e: redb::DatabaseError| super::db_error(self.path, e);
        if self.rehearsal {
            let backend = Rehearsal::open(self.path).map_err(|e| super::db_error(self.path, e))?;
            builder.set_check_integrity_on_open(true);
            builder
                .create_with_backend(backend)
                .map_err(|e| match db_error(e) {
                    StoreError::Corrupt { path, message } => corrupt(
                        &path,
                        format!(
                            "the database is damaged: redb's integrity check failed ({message})"
                        ),
                    ),
                    other => other,
                })
        } else {
            builder.create(self.path).map_err(db_error)
        }
    }
}

/// Run `open` (a store's whole open) on `path`: rehearsed first, when the file exists and is
/// not empty, and for real only when the rehearsal succeeded. Both runs are under
/// [`contain_redb_panic`]. See the [module documentation](self).
///
/// # Errors
/// The rehearsal's error (the file untouched), else the real open's.
pub(crate) fn open_rehearsed<T>(
    path: &str,
    open: impl Fn(OpenTarget<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let existing = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
    if existing {
        contain_redb_panic(path, || {
            open(OpenTarget {
                path,
                rehearsal: true,
            })
            .map(drop)
        })?;
    }
    contain_redb_panic(path, || {
        open(OpenTarget {
            path,
            rehearsal: false,
        })
    })
}

/// Bytes are kept in memory in blocks of this size.
const BLOCK: u64 = 4096;

/// The part of a read or write of `len` bytes at `offset` that falls in one block.
struct Span {
    /// The block's index (its first byte is at `block * BLOCK`).
    block: u64,
    /// Where the part starts in the block.
    within: usize,
    /// Where the part starts in the file.
    at: u64,
    /// Where the part lies in the caller's buffer.
    bytes: std::ops::Range<usize>,
}

/// The block-sized parts of `len` bytes at `offset`, in order.
fn spans(offset: u64, len: usize) -> impl Iterator<Item = Span> {
    let mut done = 0usize;
    std::iter::from_fn(move || {
        if done >= len {
            return None;
        }
        let at = offset + done as u64;
        let within = (at % BLOCK) as usize;
        let n = (BLOCK as usize - within).min(len - done);
        let span = Span {
            block: at / BLOCK,
            within,
            at,
            bytes: done..done + n,
        };
        done += n;
        Some(span)
    })
}

/// A redb backend over a file that reads the file and keeps every write in memory: the file
/// is never written (it is opened for writing only because redb's exclusive lock needs a
/// writable handle). Locks are the file's own, so a file open in another process is refused as
/// it would be by a real open.
#[derive(Debug)]
pub(crate) struct Rehearsal {
    file: FileBackend,
    written: Mutex<Written>,
}

/// What a rehearsal wrote.
#[derive(Debug)]
struct Written {
    /// The length redb sees.
    len: u64,
    /// The file's bytes below this offset show through where no block was written; above it
    /// (past the file's end, or cut off by a shrink) the bytes are zeros.
    file_visible: u64,
    /// Written blocks, by index: each holds the whole block as redb would now read it.
    blocks: BTreeMap<u64, Box<[u8]>>,
}

fn out_of_range(offset: u64, len: usize, size: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("{len} bytes at {offset} are past the end ({size} bytes)"),
    )
}

impl Rehearsal {
    /// A rehearsal of the file at `path`.
    fn open(path: &str) -> io::Result<Self> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        let len = file.metadata()?.len();
        let file = FileBackend::new(file).map_err(io::Error::other)?;
        Ok(Self {
            file,
            written: Mutex::new(Written {
                len,
                file_visible: len,
                blocks: BTreeMap::new(),
            }),
        })
    }

    fn written(&self) -> std::sync::MutexGuard<'_, Written> {
        self.written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Read `out.len()` bytes at `offset` as the rehearsal sees them, from `w`.
    fn read_in(&self, w: &Written, offset: u64, out: &mut [u8]) -> io::Result<()> {
        for span in spans(offset, out.len()) {
            let part = &mut out[span.bytes.clone()];
            if let Some(block) = w.blocks.get(&span.block) {
                part.copy_from_slice(&block[span.within..span.within + part.len()]);
            } else {
                // From the file below `file_visible`, zeros above it.
                let from_file = w
                    .file_visible
                    .saturating_sub(span.at)
                    .min(part.len() as u64) as usize;
                if from_file > 0 {
                    self.file.read(span.at, &mut part[..from_file])?;
                }
                part[from_file..].fill(0);
            }
        }
        Ok(())
    }
}

impl StorageBackend for Rehearsal {
    fn len(&self) -> Result<u64, io::Error> {
        Ok(self.written().len)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), io::Error> {
        let w = self.written();
        if offset
            .checked_add(out.len() as u64)
            .is_none_or(|end| end > w.len)
        {
            return Err(out_of_range(offset, out.len(), w.len));
        }
        self.read_in(&w, offset, out)
    }

    fn set_len(&self, len: u64) -> Result<(), io::Error> {
        let mut w = self.written();
        if len < w.len {
            w.file_visible = w.file_visible.min(len);
            let first_gone = len.div_ceil(BLOCK);
            w.blocks.split_off(&first_gone);
            // The block the new end falls in keeps only the bytes below it.
            if !len.is_multiple_of(BLOCK)
                && let Some(block) = w.blocks.get_mut(&(len / BLOCK))
            {
                block[(len % BLOCK) as usize..].fill(0);
            }
        }
        w.len = len;
        Ok(())
    }

    fn sync_data(&self) -> Result<(), io::Error> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), io::Error> {
        let mut w = self.written();
        let end = offset
            .checked_add(data.len() as u64)
            .ok_or_else(|| out_of_range(offset, data.len(), w.len))?;
        for span in spans(offset, data.len()) {
            if !w.blocks.contains_key(&span.block) {
                let mut block = vec![0u8; BLOCK as usize].into_boxed_slice();
                self.read_in(&w, span.block * BLOCK, &mut block)?;
                w.blocks.insert(span.block, block);
            }
            if let Some(block) = w.blocks.get_mut(&span.block) {
                let part = &data[span.bytes.clone()];
                block[span.within..span.within + part.len()].copy_from_slice(part);
            }
        }
        w.len = w.len.max(end);
        Ok(())
    }

    fn close(&self) -> Result<(), io::Error> {
        self.file.close()
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.file.try_lock_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.file.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.file.lock_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.file.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.file.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.file.query_lock_range(start, end)
    }
}

#[cfg(test)]
mod tests;
