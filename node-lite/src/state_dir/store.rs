//! The store of a state directory: `WalStore` in `DIR/state.wal`, the devnet's store, on which
//! the gas schedule prices a write's share of the commit (`runtime::gas`, "Storage commit");
//! or, in a directory an earlier node-lite made, `RedbStore` in `DIR/state.redb`, opened as
//! before (a slower commit than its gas pays for: `state dump` then `state load` into a new
//! directory moves its state onto `WalStore`).
//!
//! `WalStore` holds the state in memory: every command loads it (the last checkpoint and the
//! log after it), so a command's start grows with the state — a local state is small.

use host_api::ContractId;
use runtime::{
    ChangeSet, CodeHash, ContractRecord, RedbOptions, RedbStore, Root, StateDump, StateStore,
    StoreError, WalOptions, WalStore,
};
use std::path::Path;
use std::sync::Arc;

/// The state file of a directory.
pub const STATE_FILE: &str = "state.wal";
/// The state file of a directory an earlier node-lite made (on `RedbStore`).
pub const LEGACY_STATE_FILE: &str = "state.redb";
/// Versions a state directory retains (at least; older ones are dropped after a commit).
pub const RETAINED_VERSIONS: usize = 16;

/// Which store a directory holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// `state.wal`.
    Wal,
    /// `state.redb`, made by an earlier node-lite.
    Redb,
}

impl StoreKind {
    /// The state file's name.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Wal => STATE_FILE,
            Self::Redb => LEGACY_STATE_FILE,
        }
    }
}

/// How the `RedbStore` of an earlier directory is opened: the last [`RETAINED_VERSIONS`]
/// versions retained, a small page cache (a CLI run touches little).
pub fn redb_options() -> RedbOptions {
    RedbOptions {
        keep_versions: Some(RETAINED_VERSIONS),
        cache_bytes: Some(64 << 20),
        ..RedbOptions::default()
    }
}

/// How `state.wal` is opened: checkpoints kept [`RETAINED_VERSIONS`] versions behind the
/// current one, a small page cache (the state itself is in memory).
pub fn wal_options() -> WalOptions {
    WalOptions {
        checkpoint_bytes: None,
        keep_versions: Some(RETAINED_VERSIONS as u64),
        cache_bytes: Some(16 << 20),
    }
}

/// Waits, when dropped, for the checkpoint `WalStore` may be writing in the background: a
/// command's process ends right after its commit, and dropping the store stops a checkpoint
/// under way, so without the wait a state directory would never get a checkpoint and every
/// command would replay a log that grows with each one.
pub struct FinishCheckpoint(Option<Arc<WalStore>>);

impl FinishCheckpoint {
    /// The waiter of `store` (nothing to wait for on `RedbStore`).
    pub fn of(store: &LocalStore) -> Self {
        match store {
            LocalStore::Wal(s) => Self(Some(s.clone())),
            LocalStore::Redb(_) => Self(None),
        }
    }
}

impl Drop for FinishCheckpoint {
    fn drop(&mut self) {
        if let Some(store) = &self.0 {
            store.wait_for_checkpoint();
        }
    }
}

/// One retained version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version {
    /// Its number: 0 is the empty state, each commit that changes something adds one.
    pub version: u64,
    /// Its merkle root.
    pub root: Root,
    /// Leaves of its tree (contract records and storage entries), where the store knows them
    /// without loading the version: every version on `RedbStore`, the current one on
    /// `WalStore`.
    pub leaves: Option<u64>,
}

/// A state directory's store (see the [module docs](self)).
#[derive(Clone)]
pub enum LocalStore {
    /// `state.wal`.
    Wal(Arc<WalStore>),
    /// `state.redb` of an earlier node-lite.
    Redb(Arc<RedbStore>),
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LocalStore({:?})", self.kind())
    }
}

impl LocalStore {
    /// Open (or create, when the file is missing) the store of `kind` at `path`.
    ///
    /// # Errors
    /// When the file cannot be opened (damaged, not a store, an I/O error).
    pub fn open(kind: StoreKind, path: &Path) -> Result<Self, StoreError> {
        Ok(match kind {
            StoreKind::Wal => Self::Wal(Arc::new(WalStore::open_with(path, wal_options())?)),
            StoreKind::Redb => Self::Redb(Arc::new(RedbStore::open_with(path, redb_options())?)),
        })
    }

    /// Which store this is.
    pub fn kind(&self) -> StoreKind {
        match self {
            Self::Wal(_) => StoreKind::Wal,
            Self::Redb(_) => StoreKind::Redb,
        }
    }

    /// The store, for sessions.
    pub fn state(&self) -> Arc<dyn StateStore> {
        match self {
            Self::Wal(s) => s.clone(),
            Self::Redb(s) => s.clone(),
        }
    }

    /// The current version and its root.
    ///
    /// # Errors
    /// When the store fails.
    pub fn head(&self) -> Result<(u64, Root), StoreError> {
        match self {
            Self::Wal(s) => Ok((s.stats().version, s.root()?)),
            Self::Redb(s) => s.head().map(|h| (h.version, h.root)),
        }
    }

    /// Every retained version, oldest first (the last is the current one).
    ///
    /// # Errors
    /// When the store fails.
    pub fn versions(&self) -> Result<Vec<Version>, StoreError> {
        match self {
            Self::Wal(s) => {
                let (current, dump) = s.dump()?;
                let leaves = (dump.contracts.len() + dump.storage_entries()) as u64;
                Ok(s.versions()
                    .into_iter()
                    .map(|(version, root)| Version {
                        version,
                        root,
                        leaves: (version == current).then_some(leaves),
                    })
                    .collect())
            }
            Self::Redb(s) => Ok(s
                .versions()?
                .into_iter()
                .map(|v| Version {
                    version: v.version,
                    root: v.root,
                    leaves: Some(v.leaves),
                })
                .collect()),
        }
    }

    /// The current content.
    ///
    /// # Errors
    /// When the store fails.
    pub fn dump(&self) -> Result<StateDump, StoreError> {
        match self {
            Self::Wal(s) => s.dump().map(|(_, dump)| dump),
            Self::Redb(s) => s.dump(),
        }
    }

    /// A contract's record.
    ///
    /// # Errors
    /// When the store fails.
    pub fn contract(&self, id: &ContractId) -> Result<Option<ContractRecord>, StoreError> {
        self.state().contract(id)
    }

    /// Code by hash.
    ///
    /// # Errors
    /// When the store fails.
    pub fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError> {
        self.state().code(hash)
    }

    /// Commit `changes`; the new root.
    ///
    /// # Errors
    /// When the store fails; then nothing was written.
    pub fn commit(&self, changes: ChangeSet) -> Result<Root, StoreError> {
        self.state().commit(changes)
    }
}
