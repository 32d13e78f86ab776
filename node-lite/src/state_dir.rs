//! A local state directory (`--state DIR`), shared by `exec`, `deploy`, `call` and `state`:
//!
//! | path | holds |
//! |---|---|
//! | `DIR/state.wal` | the state (`WalStore`, as a devnet node's; see [`store`]): code, contracts, storage, merkle tree, at least the last 16 versions |
//! | `DIR/cache/` | compiled modules |
//! | `DIR/names.json` | names given with `deploy --name`, so `call NAME` works (see [`names`]) |
//! | `DIR/snapshots/N.json` | snapshots taken by `state snapshot` (state dump files) |
//! | `DIR/.lock` | held by the node-lite using the directory (see [`lock`]) |
//!
//! A directory an earlier node-lite made holds `DIR/state.redb` (`RedbStore`) instead: it is
//! opened as before, on that store (see [`store`]). A directory holding both files is refused.
//!
//! Only `deploy`, `exec --state` and `state load` create a state directory; every other command
//! refuses a missing, empty or foreign directory, saying what it found.

pub mod lock;
pub mod names;
pub mod store;

pub use lock::{DEFAULT_LOCK_WAIT, DirLock, LOCK_FILE, LOCK_WAIT_ENV, configured_wait};
pub use names::{Bindings, MAX_NAME_BYTES, invalid_name};
pub use store::{LEGACY_STATE_FILE, LocalStore, RETAINED_VERSIONS, STATE_FILE, StoreKind};

use host_api::ContractId;
use runtime::{Runtime, RuntimeConfig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why a state directory could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateDirError {
    /// A file or directory could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        message: String,
    },
    /// The state database failed.
    #[error(transparent)]
    Store(#[from] runtime::StoreError),
    /// The runtime could not be built.
    #[error(transparent)]
    Runtime(#[from] runtime::RuntimeError),
    /// `names.json` does not parse.
    #[error("{path} is not a name file: {message}")]
    BadNames {
        /// The file.
        path: String,
        /// The parser's message.
        message: String,
    },
    /// Neither a 64-hex-digit contract id nor a name that resolves in this state.
    #[error("{0}")]
    UnknownContract(String),
    /// The directory holds no state, and this command does not create one.
    #[error(
        "no state at {path}: found {found}. `node-lite deploy FILE --state {path}` or `node-lite state load FILE --state {path}` creates one"
    )]
    NoState {
        /// The directory.
        path: String,
        /// What is there instead.
        found: &'static str,
    },
    /// A file where a state directory was expected.
    #[error("{path} is a file, not a state directory")]
    NotADirectory {
        /// The path.
        path: String,
    },
    /// The state file is empty: not a store (a failed copy, a truncated file).
    #[error(
        "{path} is empty (0 bytes), not a state database: remove it, or restore it from a dump with `node-lite state load`"
    )]
    EmptyDatabase {
        /// The database file.
        path: String,
    },
    /// The directory holds both `state.wal` and an earlier node-lite's `state.redb`: which one
    /// is the state is not for this command to guess.
    #[error(
        "{path} holds both state.wal and state.redb (an earlier node-lite's state): move the one that is not this directory's state elsewhere (`node-lite state dump --state DIR` reads either, alone in its directory)"
    )]
    TwoStores {
        /// The directory.
        path: String,
    },
    /// Another node-lite holds the directory.
    #[error("{path} is in use by another node-lite{} (waited {} ms)", .holder.map(|p| format!(" (pid {p})")).unwrap_or_default(), .waited.as_millis())]
    Busy {
        /// The directory.
        path: String,
        /// The holder's pid, if it could be read.
        holder: Option<u32>,
        /// How long this command waited.
        waited: Duration,
    },
    /// `deploy --name` of a name bound to another contract, without `--force`.
    #[error(
        "the name {name:?} already points at contract {current}; pass --force to bind it to the new contract"
    )]
    NameTaken {
        /// The name.
        name: String,
        /// The contract it points at.
        current: ContractId,
    },
    /// `deploy --name` with a name that cannot be one.
    #[error("invalid name: {0}")]
    InvalidName(String),
    /// An environment variable node-lite reads has a bad value.
    #[error("{name}={value:?}: expected {expected}")]
    BadEnv {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
}

impl StateDirError {
    /// The error's kind, as the JSON output names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Io { .. } | Self::Store(_) | Self::Runtime(_) => "host_error",
            Self::BadNames { .. } => "bad_names_file",
            Self::UnknownContract(_) => "unknown_contract",
            Self::NoState { .. } => "no_state",
            Self::NotADirectory { .. } => "not_a_state_dir",
            Self::EmptyDatabase { .. } => "empty_state_db",
            Self::TwoStores { .. } => "two_state_files",
            Self::Busy { .. } => "state_busy",
            Self::NameTaken { .. } => "name_taken",
            Self::InvalidName(_) => "invalid_name",
            Self::BadEnv { .. } => "bad_env",
        }
    }

    /// The exit code: 2 for bad input (what the user gave or pointed at), 3 when the host
    /// failed or the directory is busy.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Io { .. } | Self::Store(_) | Self::Runtime(_) | Self::Busy { .. } => 3,
            _ => 2,
        }
    }
}

/// Wrap an I/O error with its path.
pub fn io_error(path: &Path, e: impl std::fmt::Display) -> StateDirError {
    StateDirError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// What is at a state directory's path.
enum Found {
    Nothing,
    File,
    EmptyDir,
    DirWithoutState,
    EmptyDatabase(StoreKind),
    TwoStores,
    State(StoreKind),
}

/// The size of `path`, `None` when it does not exist.
fn size_of(path: &Path) -> Result<Option<u64>, StateDirError> {
    match std::fs::metadata(path) {
        Ok(m) => Ok(Some(m.len())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(path, e)),
    }
}

fn look(dir: &Path) -> Result<Found, StateDirError> {
    let meta = match std::fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(io_error(dir, e)),
    };
    if !meta.is_dir() {
        return Ok(Found::File);
    }
    let wal = size_of(&dir.join(STATE_FILE))?;
    let redb = size_of(&dir.join(LEGACY_STATE_FILE))?;
    let (kind, size) = match (wal, redb) {
        (Some(_), Some(_)) => return Ok(Found::TwoStores),
        (Some(size), None) => (StoreKind::Wal, size),
        (None, Some(size)) => (StoreKind::Redb, size),
        (None, None) => {
            let mut entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, e))?;
            return Ok(if entries.next().is_none() {
                Found::EmptyDir
            } else {
                Found::DirWithoutState
            });
        }
    };
    Ok(if size == 0 {
        Found::EmptyDatabase(kind)
    } else {
        Found::State(kind)
    })
}

/// An open state directory, locked for this process until dropped.
pub struct StateDir {
    /// The directory.
    pub dir: PathBuf,
    /// Its state store.
    pub store: LocalStore,
    /// Whether this command created the directory.
    pub created: bool,
    /// Declared after `store`: dropped after it, and before the lock is released.
    _finish: store::FinishCheckpoint,
    lock: DirLock,
}

impl StateDir {
    /// Open the existing state directory `dir`; refuse anything else, saying what is there.
    ///
    /// # Errors
    /// [`StateDirError::NoState`], [`StateDirError::NotADirectory`],
    /// [`StateDirError::EmptyDatabase`]; [`StateDirError::Busy`] when another node-lite holds
    /// it past the wait; when the database cannot be opened.
    pub fn open(dir: &Path) -> Result<Self, StateDirError> {
        let path = dir.display().to_string();
        match look(dir)? {
            Found::State(kind) => Self::open_at(dir, false, kind),
            Found::Nothing => Err(StateDirError::NoState {
                path,
                found: "nothing there",
            }),
            Found::EmptyDir => Err(StateDirError::NoState {
                path,
                found: "an empty directory",
            }),
            Found::DirWithoutState => Err(StateDirError::NoState {
                path,
                found: "a directory without state.wal",
            }),
            Found::File => Err(StateDirError::NotADirectory { path }),
            Found::EmptyDatabase(kind) => Err(StateDirError::EmptyDatabase {
                path: dir.join(kind.file_name()).display().to_string(),
            }),
            Found::TwoStores => Err(StateDirError::TwoStores { path }),
        }
    }

    /// Open the state directory `dir`, creating it (and its database) when missing: for the
    /// commands that put a state there (`deploy`, `exec --state`, `state load`).
    ///
    /// # Errors
    /// As [`open`](Self::open), but a missing directory or database is created.
    pub fn open_or_create(dir: &Path) -> Result<Self, StateDirError> {
        match look(dir)? {
            Found::Nothing => {
                std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
                Self::open_at(dir, true, StoreKind::Wal)
            }
            Found::EmptyDir | Found::DirWithoutState => Self::open_at(dir, false, StoreKind::Wal),
            Found::State(kind) => Self::open_at(dir, false, kind),
            Found::File | Found::EmptyDatabase(_) | Found::TwoStores => Self::open(dir),
        }
    }

    fn open_at(dir: &Path, created: bool, kind: StoreKind) -> Result<Self, StateDirError> {
        let lock = lock::lock(dir, configured_wait()?)?;
        let store = LocalStore::open(kind, &dir.join(kind.file_name()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            _finish: store::FinishCheckpoint::of(&store),
            store,
            created,
            lock,
        })
    }

    /// Close the database but keep the directory locked (to replace the database file).
    pub fn into_lock(self) -> DirLock {
        self.lock
    }

    /// Remove a directory this command created (after a refusal, so a failed first deploy
    /// leaves nothing behind); does nothing for a directory that existed.
    pub fn remove_if_created(self) {
        if self.created {
            let dir = self.dir.clone();
            drop(self);
            // Best effort: the command already failed for a reason it reports.
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    /// A runtime for CLI runs in this directory: dev mode (debug prints kept), compiled
    /// modules cached in `DIR/cache`, a small instance pool.
    ///
    /// # Errors
    /// When the runtime cannot be built.
    pub fn runtime(&self) -> Result<Runtime, StateDirError> {
        Ok(Runtime::new(
            cli_runtime_config().with_cache_dir(self.dir.join("cache")),
        )?)
    }

    fn names_path(&self) -> PathBuf {
        self.dir.join("names.json")
    }

    /// The raw content of `names.json` (`None`: no file).
    fn names_bytes(&self) -> Result<Option<Vec<u8>>, StateDirError> {
        let path = self.names_path();
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&path, e)),
        }
    }

    /// Every name's bindings, as `names.json` holds them.
    ///
    /// # Errors
    /// When `names.json` exists but cannot be read or parsed.
    pub fn bindings(&self) -> Result<Bindings, StateDirError> {
        let Some(bytes) = self.names_bytes()? else {
            return Ok(Bindings::default());
        };
        let bad = |message: String| StateDirError::BadNames {
            path: self.names_path().display().to_string(),
            message,
        };
        let text = String::from_utf8(bytes).map_err(|e| bad(e.to_string()))?;
        Bindings::parse(&text).map_err(bad)
    }

    /// Names that resolve in the current state, name → id (see [`names`]).
    ///
    /// # Errors
    /// When `names.json` cannot be read or parsed, or the store fails.
    pub fn names(&self) -> Result<BTreeMap<String, ContractId>, StateDirError> {
        let store = &self.store;
        self.bindings()?
            .resolve(|id| Ok(store.contract(id)?.is_some()))
    }

    /// Bind `name` to `id` (a contract about to be committed): refused when the name resolves
    /// to another contract and `force` is not set. Returns what `names.json` held before, for
    /// [`restore_names`](Self::restore_names) should the commit fail.
    ///
    /// # Errors
    /// [`StateDirError::NameTaken`], [`StateDirError::InvalidName`]; when `names.json` cannot
    /// be read, parsed or written.
    pub fn bind_name(
        &self,
        name: &str,
        id: ContractId,
        force: bool,
    ) -> Result<Option<Vec<u8>>, StateDirError> {
        if let Some(why) = invalid_name(name) {
            return Err(StateDirError::InvalidName(why));
        }
        let before = self.names_bytes()?;
        let mut bindings = self.bindings()?;
        if let Some(current) = self.names()?.get(name)
            && *current != id
            && !force
        {
            return Err(StateDirError::NameTaken {
                name: name.to_string(),
                current: *current,
            });
        }
        bindings.bind(name, id);
        write_atomically(&self.names_path(), bindings.to_json().as_bytes())?;
        Ok(before)
    }

    /// Put back what [`bind_name`](Self::bind_name) found.
    ///
    /// # Errors
    /// When the file cannot be written or removed.
    pub fn restore_names(&self, before: Option<Vec<u8>>) -> Result<(), StateDirError> {
        let path = self.names_path();
        match before {
            Some(bytes) => write_atomically(&path, &bytes),
            None => std::fs::remove_file(&path).map_err(|e| io_error(&path, e)),
        }
    }

    /// Bind every name of a state file to its contract (the file's state is about to become
    /// the current one), forcing: the file says what the names were.
    ///
    /// # Errors
    /// When `names.json` cannot be read, parsed or written.
    pub fn bind_names(&self, names: &BTreeMap<String, ContractId>) -> Result<(), StateDirError> {
        if names.is_empty() {
            return Ok(());
        }
        let mut bindings = self.bindings()?;
        for (name, id) in names {
            bindings.bind(name, *id);
        }
        write_atomically(&self.names_path(), bindings.to_json().as_bytes())
    }

    /// A contract by name or by id (64 hex digits).
    ///
    /// # Errors
    /// [`StateDirError::UnknownContract`] when it is neither, naming the known names, or the
    /// contract a name pointed at before a revert.
    pub fn resolve(&self, name_or_id: &str) -> Result<ContractId, StateDirError> {
        let names = self.names()?;
        if let Some(id) = names.get(name_or_id) {
            return Ok(*id);
        }
        if let Ok(id) = name_or_id.parse() {
            return Ok(id);
        }
        let bindings = self.bindings()?;
        let gone = bindings
            .resolve(|_| Ok::<_, StateDirError>(true))?
            .remove(name_or_id);
        let known = if names.is_empty() {
            "no contract has a name here".to_string()
        } else {
            format!(
                "names here: {}",
                names.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        Err(StateDirError::UnknownContract(match gone {
            Some(id) => format!(
                "the name {name_or_id:?} pointed at contract {id}, which is not in this state (a revert or load removed it); {known}"
            ),
            None => format!(
                "no contract named {name_or_id:?} in this state ({known}; give a name used with `deploy --name`, or the 64-hex-digit id)"
            ),
        }))
    }

    /// Contract id → name, for labels.
    ///
    /// # Errors
    /// When `names.json` cannot be read.
    pub fn labels(&self) -> Result<BTreeMap<ContractId, String>, StateDirError> {
        Ok(self.names()?.into_iter().map(|(n, id)| (id, n)).collect())
    }
}

/// The runtime configuration of one-shot CLI runs: the devnet's resident modules (the bundled
/// genesis contracts, `chain::resident_code`), so a call charges the gas the devnet charges.
pub fn cli_runtime_config() -> RuntimeConfig {
    RuntimeConfig {
        pooled_instances: 16,
        ..RuntimeConfig::default()
    }
    .with_dev_mode(true)
    .with_resident_code(crate::chain::resident_code())
}

/// Write `bytes` to `path` through a temporary file renamed over it.
///
/// # Errors
/// When writing or renaming fails.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StateDirError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| io_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_error(path, e))
}

#[cfg(test)]
mod tests;
