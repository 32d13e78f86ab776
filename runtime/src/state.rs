//! The state behind sessions: contract code, contract records and storage.
//!
//! [`StateStore`] is the interface every backend implements; sessions read through it and
//! commit a [`ChangeSet`] atomically. [`MemoryStore`] is the in-memory backend, which can also be
//! saved to and loaded from one file (how `node-lite exec --state DIR` keeps state between runs).
//! The persistent merkle-committed backend implements the same trait.

use crate::error::StoreError;
use crate::ids::{CodeHash, blake2b_256};
use borsh::{BorshDeserialize, BorshSerialize};
use host_api::{Address, ContractId};
use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// What the state knows about a deployed contract.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ContractRecord {
    /// Who deployed it.
    pub owner: Address,
    /// The hash of its code.
    pub code_hash: [u8; 32],
}

impl ContractRecord {
    /// The code hash as a typed value.
    pub fn code_hash(&self) -> CodeHash {
        CodeHash(self.code_hash)
    }
}

/// Storage changes of one contract: `None` removes the key.
pub type StorageChanges = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Everything a session commits, applied atomically. Ordered maps, so applying is deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// New code, by hash.
    pub code: BTreeMap<CodeHash, Arc<[u8]>>,
    /// New contracts.
    pub contracts: BTreeMap<ContractId, ContractRecord>,
    /// Storage changes, by contract.
    pub storage: BTreeMap<ContractId, StorageChanges>,
}

impl ChangeSet {
    /// `true` when there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.code.is_empty() && self.contracts.is_empty() && self.storage.is_empty()
    }
}

/// A backend of contract state.
///
/// Reads take `&self` so many sessions may read at once; [`apply`](Self::apply) is atomic: all of
/// a change set is visible afterwards, or none of it.
pub trait StateStore: Send + Sync {
    /// The record of a contract.
    ///
    /// # Errors
    /// When the backend fails.
    fn contract(&self, id: &ContractId) -> Result<Option<ContractRecord>, StoreError>;
    /// Code by hash.
    ///
    /// # Errors
    /// When the backend fails.
    fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError>;
    /// One storage value of one contract.
    ///
    /// # Errors
    /// When the backend fails.
    fn storage(&self, id: &ContractId, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Apply a change set atomically.
    ///
    /// # Errors
    /// When the backend fails; then nothing was applied.
    fn apply(&self, changes: ChangeSet) -> Result<(), StoreError>;
}

#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
struct MemoryState {
    code: BTreeMap<[u8; 32], Vec<u8>>,
    contracts: BTreeMap<[u8; 32], ContractRecord>,
    storage: BTreeMap<[u8; 32], BTreeMap<Vec<u8>, Vec<u8>>>,
}

/// An in-memory [`StateStore`], optionally saved to a file.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: RwLock<MemoryState>,
}

/// Magic and version at the start of a saved state file.
const STATE_FILE_MAGIC: &[u8; 8] = b"SBXSTAT1";

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every key/value of one contract, in key order.
    pub fn contract_storage(&self, id: &ContractId) -> BTreeMap<Vec<u8>, Vec<u8>> {
        self.state
            .read()
            .storage
            .get(&id.0)
            .cloned()
            .unwrap_or_default()
    }

    /// The ids of all deployed contracts, sorted.
    pub fn contracts(&self) -> Vec<ContractId> {
        self.state
            .read()
            .contracts
            .keys()
            .map(|k| ContractId(*k))
            .collect()
    }

    /// Write the whole state to `path` (atomically: a temporary file renamed over it).
    /// The file is `magic ‖ blake2b-256(body) ‖ body`, body = borsh of the state.
    ///
    /// # Errors
    /// On I/O failure.
    pub fn save(&self, path: &Path) -> Result<(), StoreError> {
        let body = borsh::to_vec(&*self.state.read()).map_err(|e| io_error(path, &e))?;
        let mut file = Vec::with_capacity(body.len() + 40);
        file.extend_from_slice(STATE_FILE_MAGIC);
        file.extend_from_slice(&blake2b_256(&[&body]));
        file.extend_from_slice(&body);
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, &file).map_err(|e| io_error(&tmp, &e))?;
        std::fs::rename(&tmp, path).map_err(|e| io_error(path, &e))
    }

    /// Load a state written by [`save`](Self::save); a missing file gives an empty store.
    ///
    /// # Errors
    /// On I/O failure, or when the file is not a state file, truncated or altered.
    pub fn load(path: &Path) -> Result<Self, StoreError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::new()),
            Err(e) => return Err(io_error(path, &e)),
        };
        let corrupt = |message: &str| StoreError::Corrupt {
            path: path.display().to_string(),
            message: message.to_string(),
        };
        if bytes.len() < 40 || &bytes[..8] != STATE_FILE_MAGIC {
            return Err(corrupt("not a state file (bad magic or too short)"));
        }
        let (sum, body) = bytes[8..].split_at(32);
        if blake2b_256(&[body]) != sum {
            return Err(corrupt("checksum mismatch (truncated or altered)"));
        }
        let state: MemoryState =
            borsh::from_slice(body).map_err(|e| corrupt(&format!("does not decode: {e}")))?;
        Ok(Self {
            state: RwLock::new(state),
        })
    }
}

fn io_error(path: &Path, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl StateStore for MemoryStore {
    fn contract(&self, id: &ContractId) -> Result<Option<ContractRecord>, StoreError> {
        Ok(self.state.read().contracts.get(&id.0).cloned())
    }

    fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError> {
        Ok(self
            .state
            .read()
            .code
            .get(&hash.0)
            .map(|c| Arc::from(c.as_slice())))
    }

    fn storage(&self, id: &ContractId, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .state
            .read()
            .storage
            .get(&id.0)
            .and_then(|m| m.get(key))
            .cloned())
    }

    fn apply(&self, changes: ChangeSet) -> Result<(), StoreError> {
        let mut state = self.state.write();
        for (hash, code) in changes.code {
            state.code.entry(hash.0).or_insert_with(|| code.to_vec());
        }
        for (id, record) in changes.contracts {
            state.contracts.insert(id.0, record);
        }
        for (id, writes) in changes.storage {
            let map = state.storage.entry(id.0).or_default();
            for (key, value) in writes {
                match value {
                    Some(v) => map.insert(key, v),
                    None => map.remove(&key),
                };
            }
            if map.is_empty() {
                state.storage.remove(&id.0);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> MemoryStore {
        let store = MemoryStore::new();
        let mut changes = ChangeSet::default();
        let id = ContractId([7; 32]);
        changes.contracts.insert(
            id,
            ContractRecord {
                owner: Address([1; 32]),
                code_hash: [2; 32],
            },
        );
        changes
            .code
            .insert(CodeHash([2; 32]), Arc::from(&b"code"[..]));
        changes
            .storage
            .entry(id)
            .or_default()
            .insert(b"k".to_vec(), Some(b"v".to_vec()));
        store.apply(changes).unwrap();
        store
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.bin");
        let store = sample();
        store.save(&path).unwrap();
        let loaded = MemoryStore::load(&path).unwrap();
        assert_eq!(*loaded.state.read(), *store.state.read());
        assert_eq!(
            loaded.storage(&ContractId([7; 32]), b"k").unwrap(),
            Some(b"v".to_vec())
        );
    }

    #[test]
    fn altered_or_truncated_state_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.bin");
        sample().save(&path).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            MemoryStore::load(&path),
            Err(StoreError::Corrupt { .. })
        ));
        std::fs::write(&path, &bytes[..20]).unwrap();
        assert!(matches!(
            MemoryStore::load(&path),
            Err(StoreError::Corrupt { .. })
        ));
    }

    #[test]
    fn removing_a_key_applies() {
        let store = sample();
        let id = ContractId([7; 32]);
        let mut changes = ChangeSet::default();
        changes
            .storage
            .entry(id)
            .or_default()
            .insert(b"k".to_vec(), None);
        store.apply(changes).unwrap();
        assert_eq!(store.storage(&id, b"k").unwrap(), None);
        assert!(store.contract_storage(&id).is_empty());
    }
}
