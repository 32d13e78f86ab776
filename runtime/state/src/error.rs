//! The one error type of the state: why a store could not read, write or find what was asked.

/// The state store failed (I/O, corruption). The session's uncommitted work is kept.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing the backing files failed.
    #[error("state I/O error at {path}: {message}")]
    Io {
        /// The file involved.
        path: String,
        /// The OS error.
        message: String,
    },
    /// The stored state does not decode.
    #[error("state file {path} is corrupt: {message}")]
    Corrupt {
        /// The file involved.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A state file whose content is inconsistent or holds code that may not be deployed:
    /// refused whole, nothing loaded.
    #[error("state file {path} is refused: {error}")]
    Refused {
        /// The file involved.
        path: String,
        /// What is wrong, naming the contract (boxed: the error stays small on every other
        /// path).
        error: Box<crate::DumpError>,
    },
    /// A contract's code is missing from the store.
    #[error("code {0} of a deployed contract is missing")]
    MissingCode(String),
    /// The database refused an operation for a reason that is neither I/O nor corruption (it
    /// is open in another process, a transaction failed).
    #[error("state database {path}: {message}")]
    Backend {
        /// The database file.
        path: String,
        /// What failed.
        message: String,
    },
    /// No retained snapshot has this version or root (never existed, or pruned).
    #[error("no retained snapshot {0}")]
    UnknownSnapshot(String),
    /// The current version cannot be dropped as a snapshot.
    #[error("version {0} is the current state and cannot be dropped")]
    CannotDropHead(u64),
    /// The state was committed to by someone else after these changes were computed over it.
    #[error("the state moved on: changes computed over root {base}, the root is now {current}")]
    BaseMoved {
        /// The root the changes were computed over.
        base: crate::merkle::Root,
        /// The root now.
        current: crate::merkle::Root,
    },
    /// A snapshot is read-only: it cannot apply changes.
    #[error("a snapshot is read-only")]
    ReadOnly,
    /// The head cannot go back to `version`: a later version, `missing`, has no record of the
    /// keys it changed (it was written by a build that kept none), so the current-state tables
    /// could not be restored.
    #[error(
        "cannot revert to version {version}: version {missing} has no record of the keys it changed"
    )]
    ChangedKeysMissing {
        /// The version asked for.
        version: u64,
        /// The later version without a record.
        missing: u64,
    },
    /// A [`WalStore`](crate::WalStore) cannot go back before its checkpoint: the log records
    /// of the versions before it were deleted when it was written.
    #[error("cannot revert to version {version}: the checkpoint is at version {checkpoint}")]
    RevertPastCheckpoint {
        /// The version asked for.
        version: u64,
        /// The checkpoint's version, the oldest one the store can return to.
        checkpoint: u64,
    },
}
