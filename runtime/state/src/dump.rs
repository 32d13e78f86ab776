//! [`StateDump`]: the whole content of a state — code, contract records, storage — as plain
//! ordered maps, to copy state between stores, snapshot it in memory, or write it to a file.
//!
//! A dump carries no merkle nodes: its [`root`](StateDump::root) is recomputed from the content
//! with the reference definition ([`merkle::root_of`]), so a dump written with its root can be
//! checked when it is read back, and loading it into any store gives that same root.
//!
//! Why not reuse a store's snapshots: a [`RedbStore`](crate::RedbStore) snapshot is read by key
//! only (merkle leaves hold hashed keys, so an old version cannot list its keys), and a
//! [`MemoryStore`] keeps one version. A dump lists everything, in a deterministic order.

use crate::admission::{CodeValidator, Content};
use crate::error::StoreError;
use crate::ids::CodeHash;
use crate::merkle::{self, Hash, LeafKey, Root};
use crate::store::{ChangeSet, ContractRecord, MemoryStore, StateStore};
use host_api::ContractId;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Storage of one contract: key → value.
pub type ContractStorage = BTreeMap<Vec<u8>, Vec<u8>>;

/// The content of a state. Ordered maps: iteration, and so any encoding, is deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateDump {
    /// Module bytes by code hash.
    pub code: BTreeMap<CodeHash, Arc<[u8]>>,
    /// Deployed contracts.
    pub contracts: BTreeMap<ContractId, ContractRecord>,
    /// Storage, by contract (contracts without storage are absent).
    pub storage: BTreeMap<ContractId, ContractStorage>,
}

/// Why a dump is not a consistent state, or holds code that may not be deployed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DumpError {
    /// A contract's module bytes do not hash to its code hash.
    #[error("contract {contract}: its code filed under {expected} hashes to {actual}")]
    CodeHashMismatch {
        /// The contract.
        contract: ContractId,
        /// The hash it is filed under.
        expected: CodeHash,
        /// The hash of the bytes.
        actual: CodeHash,
    },
    /// A contract's module is refused by the deploy validation.
    #[error("contract {contract}: code {code_hash} is refused: {reason}")]
    CodeRefused {
        /// The contract.
        contract: ContractId,
        /// Its code hash.
        code_hash: CodeHash,
        /// Why the validator refused it.
        reason: String,
    },
    /// A contract whose code is not in the dump.
    #[error("contract {contract} runs code {code_hash} that the dump does not hold")]
    MissingCode {
        /// The contract.
        contract: ContractId,
        /// Its code hash.
        code_hash: CodeHash,
    },
    /// Code that no contract runs (a store never holds any).
    #[error("code {0} is run by no contract")]
    UnusedCode(CodeHash),
    /// Storage of a contract that is not deployed.
    #[error("storage of contract {0}, which the dump does not deploy")]
    OrphanStorage(ContractId),
    /// The content does not have the root it claims.
    #[error("content has root {actual}, expected {expected}")]
    RootMismatch {
        /// The root recorded with the dump.
        expected: Root,
        /// The root of the content.
        actual: Root,
    },
}

/// A [`StateDump`] whose content passed [`StateDump::verify`]: the only kind of dump that can
/// become a change set or a store, so no dump reaches a store unchecked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedDump(StateDump);

impl std::ops::Deref for VerifiedDump {
    type Target = StateDump;

    fn deref(&self) -> &StateDump {
        &self.0
    }
}

impl StateDump {
    /// The content of a [`MemoryStore`].
    ///
    /// # Errors
    /// [`StoreError::MissingCode`] when a contract's code is missing (a broken store).
    pub fn of_memory(store: &MemoryStore) -> Result<Self, StoreError> {
        let mut dump = Self::default();
        for id in store.contracts() {
            let Some(record) = store.contract(&id)? else {
                continue;
            };
            let hash = record.code_hash();
            let code = store
                .code(&hash)?
                .ok_or_else(|| StoreError::MissingCode(hash.to_string()))?;
            dump.code.insert(hash, code);
            let storage = store.contract_storage(&id);
            if !storage.is_empty() {
                dump.storage.insert(id, storage);
            }
            dump.contracts.insert(id, record);
        }
        Ok(dump)
    }

    /// Check the content and the code it holds: every contract's code is present, hashes to
    /// its code hash and is accepted by `validator` (the deploy checks); no code without a
    /// contract; storage belongs to deployed contracts (see
    /// [`CodeValidator`](crate::CodeValidator)).
    ///
    /// # Errors
    /// The first inconsistency or refused module, naming the contract.
    pub fn verify(self, validator: &dyn CodeValidator) -> Result<VerifiedDump, DumpError> {
        self.content().check(validator)?;
        Ok(VerifiedDump(self))
    }

    /// The view of the content that [`Content::check`] reads.
    fn content(&self) -> Content<'_> {
        Content {
            code: self.code.iter().map(|(h, c)| (*h, &c[..])).collect(),
            contracts: self
                .contracts
                .iter()
                .map(|(id, r)| (*id, r.code_hash()))
                .collect(),
            storage: self.storage.keys().copied().collect(),
        }
    }

    /// The merkle root of the content: the root of any store holding exactly this state.
    pub fn root(&self) -> Root {
        let mut leaves = BTreeMap::<LeafKey, Hash>::new();
        for (id, record) in &self.contracts {
            let leaf = merkle::record_leaf_key(id);
            leaves.insert(leaf, merkle::record_value_hash(&leaf, &record.to_bytes()));
        }
        for (id, entries) in &self.storage {
            for (key, value) in entries {
                let leaf = merkle::storage_leaf_key(id, key);
                leaves.insert(leaf, merkle::storage_value_hash(&leaf, value));
            }
        }
        merkle::root_of(&leaves)
    }

    /// Number of storage entries over all contracts.
    pub fn storage_entries(&self) -> usize {
        self.storage.values().map(BTreeMap::len).sum()
    }
}

impl VerifiedDump {
    /// The dump.
    pub fn into_dump(self) -> StateDump {
        self.0
    }

    /// The changes that turn a store holding `current` into one holding `self`, or `None`
    /// when that is impossible: a change set cannot remove a contract, so `current` must not
    /// deploy anything `self` does not (with the same record).
    pub fn changes_from(&self, current: &StateDump) -> Option<ChangeSet> {
        let mut changes = ChangeSet::default();
        for (id, record) in &current.contracts {
            if self.0.contracts.get(id) != Some(record) {
                return None;
            }
        }
        for (id, record) in &self.0.contracts {
            if !current.contracts.contains_key(id) {
                changes.contracts.insert(*id, record.clone());
                let hash = record.code_hash();
                if let Some(code) = self.0.code.get(&hash) {
                    changes.code.insert(hash, code.clone());
                }
            }
        }
        let empty = ContractStorage::new();
        let ids = self.0.storage.keys().chain(current.storage.keys());
        for id in ids.collect::<std::collections::BTreeSet<_>>() {
            let want = self.0.storage.get(id).unwrap_or(&empty);
            let have = current.storage.get(id).unwrap_or(&empty);
            let mut writes = crate::store::StorageChanges::new();
            for (key, value) in want {
                if have.get(key) != Some(value) {
                    writes.insert(key.clone(), Some(value.clone()));
                }
            }
            for key in have.keys().filter(|k| !want.contains_key(*k)) {
                writes.insert(key.clone(), None);
            }
            if !writes.is_empty() {
                changes.storage.insert(*id, writes);
            }
        }
        Some(changes)
    }

    /// The whole content as one change set (for an empty store).
    pub fn to_change_set(&self) -> ChangeSet {
        self.changes_from(&StateDump::default()).unwrap_or_default()
    }

    /// A new in-memory store holding this content.
    ///
    /// # Errors
    /// When the store fails.
    pub fn to_memory_store(&self) -> Result<MemoryStore, StoreError> {
        let store = MemoryStore::new();
        store.commit(self.to_change_set())?;
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admission::TestValidator;
    use crate::ids::contract_id;
    use host_api::Address;

    fn sample() -> StateDump {
        let code: Arc<[u8]> = Arc::from(&b"\0asm fake"[..]);
        let hash = CodeHash::of(&code);
        let id = contract_id(&Address([1; 32]), &hash, 0);
        let mut dump = StateDump::default();
        dump.code.insert(hash, code);
        dump.contracts.insert(
            id,
            ContractRecord {
                owner: Address([1; 32]),
                code_hash: hash.0,
            },
        );
        dump.storage
            .entry(id)
            .or_default()
            .insert(b"k".to_vec(), b"v".to_vec());
        dump
    }

    fn verified(dump: StateDump) -> VerifiedDump {
        dump.verify(&TestValidator).unwrap()
    }

    #[test]
    fn a_store_loaded_from_a_dump_has_the_dump_root_and_dumps_back_equal() {
        let dump = sample();
        let store = verified(dump.clone()).to_memory_store().unwrap();
        assert_eq!(store.root().unwrap(), dump.root());
        assert_eq!(StateDump::of_memory(&store).unwrap(), dump);
        assert_eq!(StateDump::default().root(), Root::EMPTY);
    }

    #[test]
    fn changes_from_turns_one_state_into_another() {
        let old = sample();
        let mut new = old.clone();
        let id = *new.contracts.keys().next().unwrap();
        let entries = new.storage.get_mut(&id).unwrap();
        entries.remove(&b"k"[..]);
        entries.insert(b"other".to_vec(), b"1".to_vec());
        let store = verified(old.clone()).to_memory_store().unwrap();
        let new = verified(new);
        store.commit(new.changes_from(&old).unwrap()).unwrap();
        assert_eq!(store.root().unwrap(), new.root());
        // Going back to the empty state would remove a contract: impossible as a change set.
        assert!(verified(StateDump::default()).changes_from(&old).is_none());
    }

    #[test]
    fn verify_names_the_inconsistency_and_the_contract() {
        let id = *sample().contracts.keys().next().unwrap();
        let mut dump = sample();
        let hash = *dump.code.keys().next().unwrap();
        dump.code.insert(hash, Arc::from(&b"tampered"[..]));
        assert!(matches!(
            dump.verify(&TestValidator),
            Err(DumpError::CodeHashMismatch { contract, .. }) if contract == id
        ));
        let mut dump = sample();
        dump.code.clear();
        assert!(matches!(
            dump.verify(&TestValidator),
            Err(DumpError::MissingCode { contract, .. }) if contract == id
        ));
        let mut dump = sample();
        dump.contracts.clear();
        dump.code.clear();
        assert!(matches!(
            dump.verify(&TestValidator),
            Err(DumpError::OrphanStorage(c)) if c == id
        ));
        let mut dump = sample();
        dump.contracts.clear();
        dump.storage.clear();
        assert!(matches!(
            dump.verify(&TestValidator),
            Err(DumpError::UnusedCode(h)) if h == hash
        ));
    }

    #[test]
    fn verify_refuses_code_the_validator_refuses_naming_the_contract() {
        let mut dump = sample();
        let code: Arc<[u8]> = Arc::from(&b"refused module"[..]);
        let hash = CodeHash::of(&code);
        let bad = contract_id(&Address([2; 32]), &hash, 0);
        dump.code.insert(hash, code);
        dump.contracts.insert(
            bad,
            ContractRecord {
                owner: Address([2; 32]),
                code_hash: hash.0,
            },
        );
        match dump.verify(&TestValidator) {
            Err(DumpError::CodeRefused {
                contract,
                code_hash,
                reason,
            }) => {
                assert_eq!((contract, code_hash), (bad, hash));
                assert!(reason.contains("test validator"), "{reason}");
            }
            other => panic!("expected CodeRefused, got {other:?}"),
        }
    }
}
