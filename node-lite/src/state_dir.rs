//! A local state directory (`--state DIR`), shared by `exec`, `deploy`, `call` and `state`:
//!
//! | path | holds |
//! |---|---|
//! | `DIR/state.redb` | the state: code, contracts, storage, merkle tree, the last 16 versions |
//! | `DIR/cache/` | compiled modules |
//! | `DIR/names.json` | names given with `deploy --name`, so `call NAME` works |
//! | `DIR/snapshots/N.json` | snapshots taken by `state snapshot` (state dump files) |

use crate::exec::{RETAINED_VERSIONS, STATE_DB};
use host_api::ContractId;
use runtime::{RedbOptions, RedbStore, Runtime, RuntimeConfig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// Neither a 64-hex-digit contract id nor a deployed name.
    #[error(
        "no contract named {0:?} in this state (give a name used with `deploy --name`, or the 64-hex-digit id)"
    )]
    UnknownContract(String),
}

/// Wrap an I/O error with its path.
pub fn io_error(path: &Path, e: impl std::fmt::Display) -> StateDirError {
    StateDirError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// How the state database is opened: the last [`RETAINED_VERSIONS`] versions retained.
pub fn state_options() -> RedbOptions {
    RedbOptions {
        keep_versions: Some(RETAINED_VERSIONS),
        // A CLI run touches little: a small page cache starts faster than redb's 1 GiB default.
        cache_bytes: Some(64 << 20),
        ..RedbOptions::default()
    }
}

/// An open state directory.
pub struct StateDir {
    /// The directory.
    pub dir: PathBuf,
    /// Its state database.
    pub store: Arc<RedbStore>,
}

impl StateDir {
    /// Open (creating it when missing) the state directory `dir`.
    ///
    /// # Errors
    /// When the directory cannot be created or the database opened.
    pub fn open(dir: &Path) -> Result<Self, StateDirError> {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        let store = Arc::new(RedbStore::open_with(dir.join(STATE_DB), state_options())?);
        Ok(Self {
            dir: dir.to_path_buf(),
            store,
        })
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

    /// Names given at deploy, name → id.
    ///
    /// # Errors
    /// When `names.json` exists but cannot be read or parsed.
    pub fn names(&self) -> Result<BTreeMap<String, ContractId>, StateDirError> {
        let path = self.names_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(io_error(&path, e)),
        };
        parse_names(&text, &path)
    }

    /// Record `name` for `id` (replacing an earlier contract of that name).
    ///
    /// # Errors
    /// When `names.json` cannot be read or written.
    pub fn set_name(&self, name: &str, id: ContractId) -> Result<(), StateDirError> {
        let mut names = self.names()?;
        names.insert(name.to_string(), id);
        let raw: BTreeMap<&String, String> =
            names.iter().map(|(n, id)| (n, id.to_string())).collect();
        let text =
            serde_json::to_string_pretty(&raw).map_err(|e| io_error(&self.names_path(), e))?;
        write_atomically(&self.names_path(), text.as_bytes())
    }

    /// A contract by name or by id (64 hex digits).
    ///
    /// # Errors
    /// [`StateDirError::UnknownContract`] when it is neither.
    pub fn resolve(&self, name_or_id: &str) -> Result<ContractId, StateDirError> {
        if let Some(id) = self.names()?.get(name_or_id) {
            return Ok(*id);
        }
        name_or_id
            .parse()
            .map_err(|_| StateDirError::UnknownContract(name_or_id.to_string()))
    }

    /// Contract id → name, for labels.
    ///
    /// # Errors
    /// When `names.json` cannot be read.
    pub fn labels(&self) -> Result<BTreeMap<ContractId, String>, StateDirError> {
        Ok(self.names()?.into_iter().map(|(n, id)| (id, n)).collect())
    }
}

/// Parse the text of a `names.json` (name → 64-hex-digit id); `path` names it in errors.
///
/// # Errors
/// [`StateDirError::BadNames`] when it is not a JSON object of names to ids.
pub fn parse_names(text: &str, path: &Path) -> Result<BTreeMap<String, ContractId>, StateDirError> {
    let bad = |message: String| StateDirError::BadNames {
        path: path.display().to_string(),
        message,
    };
    let raw: BTreeMap<String, String> =
        serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    raw.into_iter()
        .map(|(name, id)| {
            let id = id.parse().map_err(|e| bad(format!("{name}: {e}")))?;
            Ok((name, id))
        })
        .collect()
}

/// The runtime configuration of one-shot CLI runs.
pub fn cli_runtime_config() -> RuntimeConfig {
    RuntimeConfig {
        pooled_instances: 16,
        ..RuntimeConfig::default()
    }
    .with_dev_mode(true)
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
