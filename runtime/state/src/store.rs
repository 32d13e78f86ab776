//! The state behind sessions: contract code, contract records and storage.
//!
//! [`StateStore`] is the interface every backend implements; sessions read through it and
//! commit a [`ChangeSet`] atomically. Every backend commits to its content with the same
//! merkle [`Root`] (see [`merkle`](crate::merkle)): contract records and storage, one leaf each.
//! [`MemoryStore`] is the in-memory backend, which can also be saved to and loaded from one file.
//! The persistent backends are [`RedbStore`](crate::RedbStore) (the state and its merkle nodes
//! in redb, retained versions read in place; what `node-lite --state DIR` uses) and
//! [`WalStore`](crate::WalStore) (a `MemoryStore` made durable by a write-ahead log in redb:
//! commits whose disk writes do not grow with the state).

use crate::admission::{CodeValidator, Content as Admitted};
use crate::error::StoreError;
use crate::ids::{CodeHash, blake2b_256};
use crate::merkle::{self, LeafUpdate, LeafValue, MemoryTree, Proof, Root};
use crate::records::{RecordEntry, RecordStore, RecordWrites, prefix_range};
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

    /// `owner ‖ code hash`: the borsh encoding, as the merkle tree commits to it.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.owner.0);
        out[32..].copy_from_slice(&self.code_hash);
        out
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

    /// The merkle leaf changes of this change set: one per contract record and one per storage
    /// write (code is committed through the records' code hashes). With `payloads`, each leaf
    /// keeps its raw value (the record's bytes, the storage value).
    pub fn leaf_updates(&self, payloads: bool) -> Vec<LeafUpdate> {
        let mut out = Vec::new();
        for (id, record) in &self.contracts {
            out.push(record_leaf(id, record, payloads));
        }
        for (id, writes) in &self.storage {
            for (key, value) in writes {
                out.push(storage_leaf(id, key, value.as_deref(), payloads));
            }
        }
        out
    }
}

/// The merkle leaf of `contract`'s record; with `payloads` it keeps the record's bytes.
fn record_leaf(contract: &ContractId, record: &ContractRecord, payloads: bool) -> LeafUpdate {
    let leaf = merkle::record_leaf_key(contract);
    let bytes = record.to_bytes();
    let value = LeafValue {
        hash: merkle::record_value_hash(&leaf, &bytes),
        payload: if payloads { bytes.to_vec() } else { Vec::new() },
    };
    (leaf, Some(value))
}

/// The merkle leaf of storage `key` of `contract` holding `value` (`None`: deleted); with
/// `payloads` it keeps the value.
fn storage_leaf(
    contract: &ContractId,
    key: &[u8],
    value: Option<&[u8]>,
    payloads: bool,
) -> LeafUpdate {
    let leaf = merkle::storage_leaf_key(contract, key);
    let value = value.map(|v| LeafValue {
        hash: merkle::storage_value_hash(&leaf, v),
        payload: if payloads { v.to_vec() } else { Vec::new() },
    });
    (leaf, value)
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
    /// The merkle root of the current content (records and storage; see
    /// [`merkle`](crate::merkle)). Equal content gives an equal root on every backend.
    ///
    /// # Errors
    /// When the backend fails.
    fn root(&self) -> Result<Root, StoreError>;
    /// [`apply`](Self::apply) and return the root of the result. Backends override it to read
    /// the root in the same atomic step; this default reads it afterwards.
    ///
    /// # Errors
    /// When the backend fails; then nothing was applied.
    fn commit(&self, changes: ChangeSet) -> Result<Root, StoreError> {
        self.apply(changes)?;
        self.root()
    }
    /// [`commit`](Self::commit) only if the current root is still `base` — the root the
    /// changes were computed over — checked in the same atomic step as the write. This is how a
    /// session refuses to overwrite what another session committed meanwhile.
    ///
    /// # Errors
    /// [`StoreError::BaseMoved`] when the root is no longer `base` (nothing written); when the
    /// backend fails.
    fn commit_over(&self, base: Root, changes: ChangeSet) -> Result<Root, StoreError>;
    /// The root [`commit_over`](Self::commit_over)`(base, changes)` would return, computed
    /// **without writing anything**: the store, its files and its root stay as they are, so a
    /// candidate block's post-state root can be published before the block is final, and the
    /// candidate later committed (the same changes through `commit_over`, which then returns
    /// this root) or simply dropped.
    ///
    /// `base` is the root the changes were computed over: the current root, or on a store that
    /// retains versions ([`RedbStore`](crate::RedbStore)) the root of any retained version, so
    /// a candidate over the parent of the head can still be priced. Costs what a commit's tree
    /// update costs, `O(changed keys × depth)`, with the new nodes held in memory (an overlay
    /// over the tree), never a copy of the state.
    ///
    /// # Errors
    /// [`StoreError::BaseMoved`] when `base` is not the current root (nor a retained version's);
    /// when the backend fails.
    fn root_after(&self, base: Root, changes: &ChangeSet) -> Result<Root, StoreError>;
}

/// One contract's storage in memory: a hash map, so a commit's random keys cost a lookup each
/// rather than a walk down an ordered tree whose nodes are scattered over a large heap. Never
/// iterated where order matters: [`MemoryState`]'s encoder writes each map sorted by key (the
/// same bytes as an ordered map), the tree sorts its updates, and listings sort.
type StorageMap = std::collections::HashMap<Vec<u8>, Vec<u8>, foldhash::fast::RandomState>;

#[derive(Clone, Debug, Default, PartialEq, Eq, BorshDeserialize)]
struct MemoryState {
    code: BTreeMap<[u8; 32], Vec<u8>>,
    contracts: BTreeMap<[u8; 32], ContractRecord>,
    storage: BTreeMap<[u8; 32], StorageMap>,
}

impl MemoryState {
    /// The view of the content that a load checks.
    fn content(&self) -> Admitted<'_> {
        Admitted {
            code: self
                .code
                .iter()
                .map(|(h, c)| (CodeHash(*h), c.as_slice()))
                .collect(),
            contracts: self
                .contracts
                .iter()
                .map(|(id, r)| (ContractId(*id), r.code_hash()))
                .collect(),
            storage: self.storage.keys().map(|id| ContractId(*id)).collect(),
        }
    }
}

/// The borsh encoding of the ordered maps: each storage map's entries sorted by key. Written
/// by hand rather than by borsh's hash-map encoder (the same bytes), which sorts with a stable
/// sort that follows every key to the heap: here the first 16 bytes of each key are compared
/// inline and the rest only on a tie, which makes a checkpoint of a large state several times
/// faster.
impl BorshSerialize for MemoryState {
    fn serialize<W: std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        self.code.serialize(writer)?;
        self.contracts.serialize(writer)?;
        borsh_len(self.storage.len())?.serialize(writer)?;
        for (id, map) in &self.storage {
            id.serialize(writer)?;
            let mut entries: Vec<([u8; 16], &Vec<u8>, &Vec<u8>)> = map
                .iter()
                .map(|(k, v)| {
                    let mut head = [0u8; 16];
                    let n = k.len().min(16);
                    head[..n].copy_from_slice(&k[..n]);
                    (head, k, v)
                })
                .collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
            borsh_len(entries.len())?.serialize(writer)?;
            for (_, key, value) in entries {
                key.serialize(writer)?;
                value.serialize(writer)?;
            }
        }
        Ok(())
    }
}

impl MemoryState {
    /// Apply `changes` to the maps (code is written once, never replaced; a contract whose
    /// storage becomes empty loses its map). Cannot fail.
    fn apply(&mut self, changes: ChangeSet) {
        for (hash, code) in changes.code {
            self.code.entry(hash.0).or_insert_with(|| code.to_vec());
        }
        for (id, record) in changes.contracts {
            self.contracts.insert(id.0, record);
        }
        for (id, writes) in changes.storage {
            let map = self.storage.entry(id.0).or_default();
            for (key, value) in writes {
                match value {
                    Some(v) => map.insert(key, v),
                    None => map.remove(&key),
                };
            }
            if map.is_empty() {
                self.storage.remove(&id.0);
            }
        }
    }
}

/// A state's content without its merkle tree: what a [`WalStore`](crate::WalStore) checkpoint
/// is built from off the commit path (the last checkpoint decoded, the log applied, encoded
/// again), at no cost to the store's own state and tree. Encodes exactly as
/// [`MemoryStore::encode_content_into`] does for the same content.
#[derive(Default)]
pub(crate) struct Content(MemoryState);

impl Content {
    /// The content encoded by [`encode_into`](Self::encode_into); `path` names their source in
    /// errors.
    pub(crate) fn decode(bytes: &[u8], path: &str) -> Result<Self, StoreError> {
        borsh::from_slice(bytes)
            .map(Self)
            .map_err(|e| StoreError::Corrupt {
                path: path.to_string(),
                message: format!("does not decode: {e}"),
            })
    }

    /// Apply `changes`, as a commit applies them to a store's maps.
    pub(crate) fn apply(&mut self, changes: ChangeSet) {
        self.0.apply(changes);
    }

    /// Append the encoding to `out`; `path` names the destination in errors.
    pub(crate) fn encode_into(&self, out: &mut Vec<u8>, path: &str) -> Result<(), StoreError> {
        self.0.serialize(out).map_err(|e| StoreError::Io {
            path: path.to_string(),
            message: e.to_string(),
        })
    }
}

/// A collection's length as borsh writes it before the entries of an encoder written by hand:
/// a `u32`, or an error past `u32::MAX` entries (as borsh's own encoders).
pub(crate) fn borsh_len(n: usize) -> std::io::Result<u32> {
    u32::try_from(n).map_err(|_| std::io::ErrorKind::InvalidData.into())
}

/// An in-memory [`StateStore`], optionally saved to a file.
///
/// It keeps the merkle tree of its current content in memory as a [`MemoryTree`] (linked nodes
/// without payloads, rewritten in place along the changed paths by every apply); only the
/// current root is retained. A loaded file rebuilds it.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    data: MemoryState,
    tree: MemoryTree,
    /// The caller's records ([`RecordStore`]): in memory only, never saved.
    records: BTreeMap<Vec<u8>, Vec<u8>>,
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
            .data
            .storage
            .get(&id.0)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }

    /// The ids of all deployed contracts, sorted.
    pub fn contracts(&self) -> Vec<ContractId> {
        self.state
            .read()
            .data
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
        // magic ‖ checksum (filled once the body is written after it) ‖ body
        let mut file = STATE_FILE_MAGIC.to_vec();
        file.extend_from_slice(&[0; 32]);
        self.encode_content_into(&mut file, &path.display().to_string())?;
        let sum = blake2b_256(&[&file[40..]]);
        file[8..40].copy_from_slice(&sum);
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, &file).map_err(|e| io_error(&tmp, &e))?;
        std::fs::rename(&tmp, path).map_err(|e| io_error(path, &e))
    }

    /// Load a state written by [`save`](Self::save); a missing file gives an empty store.
    /// The content is checked as a dump's is ([`CodeValidator`]): every contract's code is
    /// present, hashes to its code hash and passes `validator` (the deploy checks).
    ///
    /// # Errors
    /// On I/O failure; [`StoreError::Corrupt`] when the file is not a state file, truncated or
    /// altered; [`StoreError::Refused`] naming the contract whose code is wrong or refused.
    pub fn load(path: &Path, validator: &dyn CodeValidator) -> Result<Self, StoreError> {
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
        let store = Self::decode_content(body, &path.display().to_string())?;
        store
            .state
            .read()
            .data
            .content()
            .check(validator)
            .map_err(|error| StoreError::Refused {
                path: path.display().to_string(),
                error: Box::new(error),
            })?;
        Ok(store)
    }

    /// Append the content (code, records, storage) to `out`: what [`save`](Self::save) writes
    /// after its header, and a [`WalStore`](crate::WalStore) checkpoint holds. `path` names the
    /// destination in errors.
    pub(crate) fn encode_content_into(
        &self,
        out: &mut Vec<u8>,
        path: &str,
    ) -> Result<(), StoreError> {
        self.state
            .read()
            .data
            .serialize(out)
            .map_err(|e| StoreError::Io {
                path: path.to_string(),
                message: e.to_string(),
            })
    }

    /// A store holding the content `bytes` written by [`encode_content_into`](Self::encode_content_into),
    /// its tree rebuilt; `path` names their source in errors.
    pub(crate) fn decode_content(bytes: &[u8], path: &str) -> Result<Self, StoreError> {
        let state: MemoryState = borsh::from_slice(bytes).map_err(|e| StoreError::Corrupt {
            path: path.to_string(),
            message: format!("does not decode: {e}"),
        })?;
        Ok(Self::from_state(state))
    }

    /// Take the content and tree of `other`, dropping this store's, in one step under the
    /// write lock (readers see the one or the other): how a [`WalStore`](crate::WalStore)
    /// returns to an older version rebuilt from its log.
    pub(crate) fn replace_with(&self, other: MemoryStore) {
        *self.state.write() = other.state.into_inner();
    }

    /// A store holding `data`, its tree built from scratch (one leaf per record and per
    /// storage entry, computed from the maps as they are).
    fn from_state(data: MemoryState) -> Self {
        let records = data
            .contracts
            .iter()
            .map(|(id, r)| record_leaf(&ContractId(*id), r, false));
        let storage = data.storage.iter().flat_map(|(id, map)| {
            let id = ContractId(*id);
            map.iter()
                .map(move |(k, v)| storage_leaf(&id, k, Some(v), false))
        });
        let mut tree = MemoryTree::new();
        tree.update(records.chain(storage).collect());
        Self {
            state: RwLock::new(Inner {
                data,
                tree,
                records: BTreeMap::new(),
            }),
        }
    }

    /// The proof of storage `key` of `contract` (present or absent) under the current root;
    /// check it with [`merkle::verify`].
    ///
    /// # Errors
    /// None: the in-memory tree cannot fail. The `Result` keeps the signature of
    /// [`RedbStore::prove`](crate::RedbStore::prove), so callers can use any store.
    pub fn prove(&self, contract: &ContractId, key: &[u8]) -> Result<Proof, StoreError> {
        let leaf = merkle::storage_leaf_key(contract, key);
        Ok(self.state.read().tree.prove(&leaf))
    }

    /// How many merkle nodes the in-memory tree holds (exactly those of the current root).
    pub fn merkle_nodes(&self) -> usize {
        self.state.read().tree.node_count()
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
        Ok(self.state.read().data.contracts.get(&id.0).cloned())
    }

    fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError> {
        Ok(self
            .state
            .read()
            .data
            .code
            .get(&hash.0)
            .map(|c| Arc::from(c.as_slice())))
    }

    fn storage(&self, id: &ContractId, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .state
            .read()
            .data
            .storage
            .get(&id.0)
            .and_then(|m| m.get(key))
            .cloned())
    }

    fn apply(&self, changes: ChangeSet) -> Result<(), StoreError> {
        self.commit(changes).map(|_| ())
    }

    fn root(&self) -> Result<Root, StoreError> {
        Ok(self.state.read().tree.root())
    }

    fn commit(&self, changes: ChangeSet) -> Result<Root, StoreError> {
        self.commit_locked(None, changes, &RecordWrites::new())
    }

    fn commit_over(&self, base: Root, changes: ChangeSet) -> Result<Root, StoreError> {
        self.commit_locked(Some(base), changes, &RecordWrites::new())
    }

    /// Walks the changed paths of the in-memory tree under a read lock (see
    /// [`MemoryTree::root_after`]).
    fn root_after(&self, base: Root, changes: &ChangeSet) -> Result<Root, StoreError> {
        let inner = self.state.read();
        let current = inner.tree.root();
        if base != current {
            return Err(StoreError::BaseMoved { base, current });
        }
        Ok(inner.tree.root_after(changes.leaf_updates(false)))
    }
}

impl RecordStore for MemoryStore {
    fn commit_with_records(
        &self,
        base: Root,
        changes: ChangeSet,
        records: &RecordWrites,
    ) -> Result<Root, StoreError> {
        self.commit_locked(Some(base), changes, records)
    }

    fn record(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.state.read().records.get(key).cloned())
    }

    fn last_record(&self, prefix: &[u8]) -> Result<Option<RecordEntry>, StoreError> {
        let inner = self.state.read();
        let (start, end) = prefix_range(prefix);
        let mut range = inner
            .records
            .range::<[u8], _>((start, end.as_ref().map(Vec::as_slice)));
        Ok(range.next_back().map(|(k, v)| (k.clone(), v.clone())))
    }
}

impl MemoryStore {
    /// Commit under the write lock, first checking the root is `base` when one is given, and
    /// write `records` in the same step.
    fn commit_locked(
        &self,
        base: Option<Root>,
        changes: ChangeSet,
        records: &RecordWrites,
    ) -> Result<Root, StoreError> {
        let mut inner = self.state.write();
        let inner = &mut *inner;
        let current = inner.tree.root();
        if let Some(base) = base
            && base != current
        {
            return Err(StoreError::BaseMoved { base, current });
        }
        // Nothing below can fail: the tree's update cannot, nor can the maps'.
        inner.tree.update(changes.leaf_updates(false));
        inner.data.apply(changes);
        for (key, value) in records {
            match value {
                Some(v) => inner.records.insert(key.clone(), v.clone()),
                None => inner.records.remove(key),
            };
        }
        Ok(inner.tree.root())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admission::TestValidator;
    use crate::dump::DumpError;

    fn sample() -> MemoryStore {
        let store = MemoryStore::new();
        let mut changes = ChangeSet::default();
        let id = ContractId([7; 32]);
        changes.contracts.insert(
            id,
            ContractRecord {
                owner: Address([1; 32]),
                code_hash: CodeHash::of(b"code").0,
            },
        );
        changes
            .code
            .insert(CodeHash::of(b"code"), Arc::from(&b"code"[..]));
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
        let loaded = MemoryStore::load(&path, &TestValidator).unwrap();
        assert_eq!(loaded.state.read().data, store.state.read().data);
        assert_eq!(loaded.root().unwrap(), store.root().unwrap());
        assert_ne!(loaded.root().unwrap(), Root::EMPTY);
        assert_eq!(
            loaded.storage(&ContractId([7; 32]), b"k").unwrap(),
            Some(b"v".to_vec())
        );
    }

    /// The content encodes as it did when storage maps were ordered maps: entries sorted by key,
    /// whatever order the hash maps hold them in, so saved files and WAL checkpoints keep their
    /// bytes (and a file from before loads).
    #[test]
    fn content_encoding_is_the_ordered_maps_encoding() {
        let store = MemoryStore::new();
        let id = ContractId([7; 32]);
        let mut changes = ChangeSet::default();
        // Short keys, keys that are prefixes of others, keys equal in their first 16 bytes.
        let mut keys: Vec<Vec<u8>> = (0u32..200)
            .map(|i| (i * 7919 % 200).to_be_bytes().to_vec())
            .collect();
        for i in 0u8..40 {
            let mut long = b"a shared prefix over 16 bytes/".to_vec();
            long.extend(std::iter::repeat_n(i % 7, usize::from(i % 5)));
            long.push(i);
            keys.push(long);
            keys.push(vec![b'a'; usize::from(i % 20)]);
            keys.push([vec![b'a'; usize::from(i % 20)], vec![0]].concat());
        }
        keys.sort();
        keys.dedup();
        let writes = keys.iter().map(|k| (k.clone(), Some(k.repeat(2))));
        changes.storage.insert(id, writes.collect());
        store.apply(changes).unwrap();
        let ordered: BTreeMap<[u8; 32], BTreeMap<Vec<u8>, Vec<u8>>> = [(
            id.0,
            keys.iter().map(|k| (k.clone(), k.repeat(2))).collect(),
        )]
        .into();
        let expected = borsh::to_vec(&(
            BTreeMap::<[u8; 32], Vec<u8>>::new(),
            BTreeMap::<[u8; 32], ContractRecord>::new(),
            ordered,
        ))
        .unwrap();
        let mut encoded = vec![];
        store.encode_content_into(&mut encoded, "test").unwrap();
        assert_eq!(encoded, expected);
        let decoded = MemoryStore::decode_content(&expected, "test").unwrap();
        assert_eq!(decoded.root().unwrap(), store.root().unwrap());
        assert_eq!(decoded.contract_storage(&id).len(), keys.len());
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
            MemoryStore::load(&path, &TestValidator),
            Err(StoreError::Corrupt { .. })
        ));
        std::fs::write(&path, &bytes[..20]).unwrap();
        assert!(matches!(
            MemoryStore::load(&path, &TestValidator),
            Err(StoreError::Corrupt { .. })
        ));
    }

    /// A saved store holding `code` under `filed_under` for contract 7.
    fn saved_with_code(path: &Path, filed_under: CodeHash, code: &[u8]) {
        let store = MemoryStore::new();
        let mut changes = ChangeSet::default();
        let record = ContractRecord {
            owner: Address([1; 32]),
            code_hash: filed_under.0,
        };
        changes.contracts.insert(ContractId([7; 32]), record);
        changes.code.insert(filed_under, Arc::from(code));
        store.apply(changes).unwrap();
        store.save(path).unwrap();
    }

    #[test]
    fn load_refuses_a_wrong_code_hash_or_refused_code_naming_the_contract() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.bin");
        saved_with_code(&path, CodeHash([2; 32]), b"code");
        match MemoryStore::load(&path, &TestValidator) {
            Err(StoreError::Refused { error, .. }) => assert!(
                matches!(*error, DumpError::CodeHashMismatch { contract, .. } if contract == ContractId([7; 32]))
            ),
            other => panic!("expected a hash mismatch, got {other:?}"),
        }
        saved_with_code(&path, CodeHash::of(b"refused"), b"refused");
        match MemoryStore::load(&path, &TestValidator) {
            Err(StoreError::Refused { error, .. }) => assert!(
                matches!(*error, DumpError::CodeRefused { contract, .. } if contract == ContractId([7; 32]))
            ),
            other => panic!("expected refused code, got {other:?}"),
        }
        saved_with_code(&path, CodeHash::of(b"accepted"), b"accepted");
        assert!(MemoryStore::load(&path, &TestValidator).is_ok());
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
        let before = store.root().unwrap();
        store.apply(changes).unwrap();
        assert_eq!(store.storage(&id, b"k").unwrap(), None);
        assert!(store.contract_storage(&id).is_empty());
        let after = store.root().unwrap();
        assert_ne!(after, before);
        // Only the record is left.
        let record = store.contract(&id).unwrap().unwrap();
        let leaf = merkle::record_leaf_key(&id);
        let only = merkle::leaf_hash(&leaf, &merkle::record_value_hash(&leaf, &record.to_bytes()));
        assert_eq!(after, Root(only));
        assert_eq!(store.merkle_nodes(), 1);
        let proof = store.prove(&id, b"k").unwrap();
        assert!(merkle::verify(&after, &id, b"k", None, &proof));
    }
}
