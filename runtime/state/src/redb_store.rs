//! [`RedbStore`]: the persistent, merkle-committed [`StateStore`], on redb.
//!
//! # Tables
//!
//! | table | key | value |
//! |---|---|---|
//! | `meta` | `"format"` | `sandbox-state-redb-v3` |
//! | `code` | code hash (32) | the module's bytes (written once, never deleted) |
//! | `contracts` | contract id (32) | `owner (32) ‖ code hash (32)` |
//! | `storage` | contract id (32) ‖ key | value (the current state, for fast reads) |
//! | `merkle_nodes` | class (1) ‖ node locality (u64 BE) ‖ node hash (32) | reference count (LEB128) ‖ the node (immutable once written) |
//! | `roots` | version (u64) | `root (32) ‖ leaf count (u64 LE) ‖ root locality (u64 LE)` |
//! | `changed_keys` | version (u64) | the contract ids and storage keys its commit changed (`redb_store/revert.rs`) |
//!
//! Nodes are keyed by **where they sit in the tree**, not by hash alone (the hash only makes the
//! key unique): first a size class of the node's subtree (`⌊log2(leaves)⌋ / 3`), then its
//! locality (the first 8 bytes of its leftmost leaf key, see [`NodeRef`]). Both are functions of
//! the node's content, so a node keeps its key, and neither is hashed. The nodes of one class over
//! one key range are then contiguous, and the path to a changed key crosses each class once: a
//! commit creates, re-counts and (pruning) deletes nodes on about one page per class per changed
//! key, instead of one random page per node — the difference between a commit whose cost grows
//! with the size of the state and one that grows with the keys it changes (see
//! `benches/benches/state_commit.rs`). The record layout (children's localities and leaf counts,
//! value hashes derived from payloads) is in `redb_store/nodes.rs`. Format v1 keyed nodes by hash,
//! with their counts in a second table, and v2 by locality ‖ hash; a file of another format is
//! refused as [`StoreError::Corrupt`] before any of its tables is opened.
//!
//! The tree is the one of [`merkle`]: leaves for contract records and storage values, and its
//! leaf nodes carry the raw value (the record's bytes, the storage value) as payload.
//!
//! # Versions, snapshots, pruning
//!
//! A new database holds version 0, the empty state. Every non-empty [`apply`](StateStore::apply)
//! is **one redb write transaction** that writes the code, records and storage, the new merkle
//! nodes, and version `head + 1` with its root: all of it commits, or none of it does (the
//! transaction is dropped on any error, and redb recovers to the last commit after a crash).
//! The head is the last version in `roots`.
//!
//! Every version in `roots` is **retained**: it holds one reference to its root node, so its
//! whole tree stays readable. [`RedbStore::snapshot`] gives a read-only [`StateStore`] view of
//! a retained version whose reads walk *its* tree (a leaf's payload is the value), and its
//! proofs are against its root. Retained versions are dropped by
//! [`drop_snapshot`](RedbStore::drop_snapshot), by [`prune`](RedbStore::prune) (keep the last
//! `n`), or automatically after every apply with [`RedbOptions::keep_versions`]. Dropping a
//! version releases its root: reference counts go down along its tree and nodes that reach zero
//! are deleted, recursively — so a drop costs the nodes it frees (what changed between versions),
//! never a sweep of the whole state. A snapshot whose version was dropped answers
//! [`StoreError::UnknownSnapshot`] from then on.
//!
//! The head itself moves back with [`revert_to`](RedbStore::revert_to) (a node leaving the
//! losing side of a fork), which drops the versions after a retained one and restores the
//! current-state tables from its tree (`redb_store/revert.rs`). Before any of that,
//! [`root_after`](StateStore::root_after) prices a change set over the head or any retained
//! version in a read transaction, writing nothing (`redb_store/overlay.rs`).
//!
//! Nothing read from the file is trusted to decode: a bad record is [`StoreError::Corrupt`].
//! redb itself trusts a file that was closed cleanly; [`RedbOptions::check_integrity_on_open`]
//! makes it verify the whole file at open instead.

mod export;
mod integrity;
mod nodes;
mod overlay;
mod records;
mod rehearsal;
mod revert;
mod snapshot;
#[cfg(test)]
mod tests;

pub use snapshot::Snapshot;

pub(crate) use rehearsal::{OpenTarget, open_rehearsed};

use nodes::{ReadNodes, WriteNodes};

use crate::error::StoreError;
use crate::ids::CodeHash;
use crate::merkle::{self, NodeRef, Proof, Root};
use crate::records::{RecordTables, RecordWrites};
use crate::store::{ChangeSet, ContractRecord, StateStore};
use borsh::BorshDeserialize;
use host_api::ContractId;
use redb::{
    Database, ReadOnlyTable, ReadTransaction, ReadableDatabase, ReadableTable,
    ReadableTableMetadata, Table, TableDefinition, TableHandle, WriteTransaction,
};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const CODE: TableDefinition<[u8; 32], &[u8]> = TableDefinition::new("code");
const CONTRACTS: TableDefinition<[u8; 32], &[u8]> = TableDefinition::new("contracts");
const STORAGE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("storage");
const NODES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("merkle_nodes");

const ROOTS: TableDefinition<u64, &[u8]> = TableDefinition::new("roots");

const FORMAT_KEY: &str = "format";
const FORMAT: &[u8] = b"sandbox-state-redb-v3";

/// How to open a [`RedbStore`].
#[derive(Clone, Debug, Default)]
pub struct RedbOptions {
    /// After every apply, keep only this many versions (the head included; 0 counts as 1).
    /// `None` keeps every version until [`RedbStore::prune`].
    pub keep_versions: Option<usize>,
    /// redb's page cache in bytes (redb's default, 1 GiB, when `None`).
    pub cache_bytes: Option<usize>,
    /// Verify the whole file when opening it (costs a read of the file), so a file damaged
    /// outside redb is reported as corrupt rather than trusted.
    pub check_integrity_on_open: bool,
}

/// A retained version of the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionInfo {
    /// Its number: 0 is the empty state, each apply adds one.
    pub version: u64,
    /// Its merkle root.
    pub root: Root,
    /// How many leaves its tree has (contract records plus storage entries).
    pub leaves: u64,
    /// Where its root node is stored (see [`NodeRef`]).
    pub root_loc: u64,
}

impl VersionInfo {
    fn encode(&self) -> [u8; 48] {
        let mut out = [0u8; 48];
        out[..32].copy_from_slice(&self.root.0);
        out[32..40].copy_from_slice(&self.leaves.to_le_bytes());
        out[40..].copy_from_slice(&self.root_loc.to_le_bytes());
        out
    }

    /// The root node's storage reference.
    pub(crate) fn root_ref(&self) -> NodeRef {
        NodeRef {
            hash: self.root.0,
            loc: self.root_loc,
            leaves: self.leaves,
        }
    }

    fn decode(version: u64, bytes: &[u8], path: &str) -> Result<Self, StoreError> {
        let bad = || corrupt(path, format!("version {version}: bad root record"));
        let root: [u8; 32] = bytes
            .get(..32)
            .ok_or_else(bad)?
            .try_into()
            .map_err(|_| bad())?;
        let word = |range: std::ops::Range<usize>| -> Result<u64, StoreError> {
            let b: [u8; 8] = bytes
                .get(range)
                .ok_or_else(bad)?
                .try_into()
                .map_err(|_| bad())?;
            Ok(u64::from_le_bytes(b))
        };
        if bytes.len() != 48 {
            return Err(bad());
        }
        Ok(Self {
            version,
            root: Root(root),
            leaves: word(32..40)?,
            root_loc: word(40..48)?,
        })
    }
}

/// What a [`prune`](RedbStore::prune) or [`drop_snapshot`](RedbStore::drop_snapshot) removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PruneStats {
    /// Versions dropped.
    pub versions_dropped: u64,
    /// Merkle nodes deleted (reachable from no retained version any more).
    pub nodes_deleted: u64,
}

/// Sizes of the database, for reports and checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RedbStats {
    /// Retained versions.
    pub versions: u64,
    /// Stored merkle nodes, over all retained versions.
    pub nodes: u64,
    /// Current storage entries.
    pub storage_entries: u64,
    /// Deployed contracts.
    pub contracts: u64,
}

/// The persistent state store: see the [module documentation](self).
pub struct RedbStore {
    pub(crate) db: Arc<Database>,
    path: String,
    keep_versions: Option<usize>,
    fail_next_commit: AtomicBool,
}

impl fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedbStore")
            .field("path", &self.path)
            .field("keep_versions", &self.keep_versions)
            .finish_non_exhaustive()
    }
}

fn corrupt(path: &str, message: String) -> StoreError {
    StoreError::Corrupt {
        path: path.to_string(),
        message,
    }
}

/// A redb error as a [`StoreError`]: I/O, corruption, or anything else the database refused.
pub(crate) fn db_error(path: &str, e: impl Into<redb::Error>) -> StoreError {
    let path = path.to_string();
    match e.into() {
        redb::Error::Corrupted(message) => StoreError::Corrupt { path, message },
        // redb reports a file that is not one of its databases (bad magic) as invalid data.
        redb::Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => StoreError::Corrupt {
            path,
            message: e.to_string(),
        },
        redb::Error::Io(e) => StoreError::Io {
            path,
            message: e.to_string(),
        },
        redb::Error::PreviousIo => StoreError::Io {
            path,
            message: "an earlier I/O error left the database unusable: reopen it".into(),
        },
        other => StoreError::Backend {
            path,
            message: other.to_string(),
        },
    }
}

/// `contract ‖ key`, the key of the storage table.
fn storage_key(id: &ContractId, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + key.len());
    out.extend_from_slice(&id.0);
    out.extend_from_slice(key);
    out
}

fn decode_record(bytes: &[u8], path: &str) -> Result<ContractRecord, StoreError> {
    ContractRecord::try_from_slice(bytes)
        .map_err(|e| corrupt(path, format!("contract record does not decode: {e}")))
}

/// The last (head) version in `roots`.
fn head_of(
    roots: &impl ReadableTable<u64, &'static [u8]>,
    path: &str,
) -> Result<VersionInfo, StoreError> {
    let (version, info) = roots
        .last()
        .map_err(|e| db_error(path, e))?
        .ok_or_else(|| corrupt(path, "no version in the roots table".into()))?;
    VersionInfo::decode(version.value(), info.value(), path)
}

/// Every retained version, oldest first.
fn versions_of(
    roots: &impl ReadableTable<u64, &'static [u8]>,
    path: &str,
) -> Result<Vec<VersionInfo>, StoreError> {
    let mut out = Vec::new();
    for entry in roots.iter().map_err(|e| db_error(path, e))? {
        let (version, info) = entry.map_err(|e| db_error(path, e))?;
        out.push(VersionInfo::decode(version.value(), info.value(), path)?);
    }
    Ok(out)
}

fn version_of(
    roots: &impl ReadableTable<u64, &'static [u8]>,
    version: u64,
    path: &str,
) -> Result<Option<VersionInfo>, StoreError> {
    match roots.get(version).map_err(|e| db_error(path, e))? {
        Some(info) => VersionInfo::decode(version, info.value(), path).map(Some),
        None => Ok(None),
    }
}

/// Every table, open in one write transaction.
struct WriteTables<'t, 'p> {
    code: Table<'t, [u8; 32], &'static [u8]>,
    contracts: Table<'t, [u8; 32], &'static [u8]>,
    storage: Table<'t, &'static [u8], &'static [u8]>,
    roots: Table<'t, u64, &'static [u8]>,
    records: RecordTables<'t>,
    nodes: WriteNodes<'t, 'p>,
    /// The keys each retained version changed (see `redb_store/revert.rs`).
    changed_keys: Table<'t, u64, &'static [u8]>,
}

impl<'t, 'p> WriteTables<'t, 'p> {
    fn open(txn: &'t WriteTransaction, path: &'p str) -> Result<Self, StoreError> {
        let e = |e: redb::TableError| db_error(path, e);
        Ok(Self {
            code: txn.open_table(CODE).map_err(e)?,
            contracts: txn.open_table(CONTRACTS).map_err(e)?,
            storage: txn.open_table(STORAGE).map_err(e)?,
            roots: txn.open_table(ROOTS).map_err(e)?,
            records: RecordTables::open(txn, path)?,
            nodes: WriteNodes {
                nodes: txn.open_table(NODES).map_err(e)?,
                path,
            },
            changed_keys: txn.open_table(revert::CHANGED_KEYS).map_err(e)?,
        })
    }

    fn path(&self) -> &'p str {
        self.nodes.path
    }

    /// Write `changes` and the new version; returns it.
    fn apply(&mut self, changes: &ChangeSet) -> Result<VersionInfo, StoreError> {
        let path = self.path();
        let e = |e: redb::StorageError| db_error(path, e);
        let head = head_of(&self.roots, path)?;
        for (hash, code) in &changes.code {
            if self.code.get(hash.0).map_err(e)?.is_none() {
                self.code.insert(hash.0, &code[..]).map_err(e)?;
            }
        }
        for (id, record) in &changes.contracts {
            self.contracts
                .insert(id.0, record.to_bytes().as_slice())
                .map_err(e)?;
        }
        for (id, writes) in &changes.storage {
            for (key, value) in writes {
                let key = storage_key(id, key);
                match value {
                    Some(v) => self.storage.insert(key.as_slice(), v.as_slice()),
                    None => self.storage.remove(key.as_slice()),
                }
                .map_err(e)?;
            }
        }
        let (root, stats) =
            merkle::update(&mut self.nodes, head.root_ref(), changes.leaf_updates(true))?;
        // The root's leaf count is summed up the tree; the added and removed keys must agree.
        let counted = (head.leaves + stats.leaves_added).checked_sub(stats.leaves_removed);
        if counted != Some(root.leaves) {
            return Err(corrupt(
                path,
                format!(
                    "version {}: {} leaves under the new root, {counted:?} counted",
                    head.version + 1,
                    root.leaves
                ),
            ));
        }
        let next = VersionInfo {
            version: head.version + 1,
            root: Root(root.hash),
            leaves: root.leaves,
            root_loc: root.loc,
        };
        self.roots
            .insert(next.version, next.encode().as_slice())
            .map_err(e)?;
        self.record_changed_keys(next.version, changes)?;
        Ok(next)
    }

    /// Drop one retained version that is not the head.
    fn drop_version(&mut self, version: u64) -> Result<PruneStats, StoreError> {
        let path = self.path();
        let head = head_of(&self.roots, path)?;
        if version == head.version {
            return Err(StoreError::CannotDropHead(version));
        }
        let Some(info) = version_of(&self.roots, version, path)? else {
            return Err(StoreError::UnknownSnapshot(format!("version {version}")));
        };
        self.roots.remove(version).map_err(|e| db_error(path, e))?;
        self.forget_changed_keys_up_to_oldest()?;
        Ok(PruneStats {
            versions_dropped: 1,
            nodes_deleted: merkle::release(&mut self.nodes, info.root_ref())?,
        })
    }

    /// Keep the last `keep` versions (at least the head).
    fn prune(&mut self, keep: usize) -> Result<PruneStats, StoreError> {
        let versions = versions_of(&self.roots, self.path())?;
        let drop = versions.len().saturating_sub(keep.max(1));
        let mut stats = PruneStats::default();
        for info in &versions[..drop] {
            let one = self.drop_version(info.version)?;
            stats.versions_dropped += one.versions_dropped;
            stats.nodes_deleted += one.nodes_deleted;
        }
        Ok(stats)
    }
}

/// Check the file's format in `txn` is `FORMAT`, writing it when the file is new; returns `true`
/// when it is.
fn check_format(txn: &WriteTransaction, path: &str) -> Result<bool, StoreError> {
    check_format_of(txn, path, FORMAT)
}

/// Check the file's format in `txn` is `expected` (its `meta` table's `"format"`), writing it
/// when the file is new (no table at all); returns `true` when it is. A file of another format,
/// or with tables but no format, is [`StoreError::Corrupt`].
pub(crate) fn check_format_of(
    txn: &WriteTransaction,
    path: &str,
    expected: &[u8],
) -> Result<bool, StoreError> {
    let e = |e: redb::StorageError| db_error(path, e);
    let mut meta = txn.open_table(META).map_err(|e| db_error(path, e))?;
    let format = meta.get(FORMAT_KEY).map_err(e)?.map(|f| f.value().to_vec());
    match format {
        Some(f) if f == expected => Ok(false),
        Some(f) => Err(corrupt(
            path,
            format!(
                "unknown state format {:?} (this build reads {:?})",
                String::from_utf8_lossy(&f),
                String::from_utf8_lossy(expected)
            ),
        )),
        None => {
            let others = txn
                .list_tables()
                .map_err(e)?
                .filter(|t| t.name() != META.name())
                .count()
                + txn.list_multimap_tables().map_err(e)?.count();
            if others > 0 || meta.len().map_err(e)? > 0 {
                return Err(corrupt(path, "state tables without a format".into()));
            }
            meta.insert(FORMAT_KEY, expected).map_err(e)?;
            Ok(true)
        }
    }
}

impl RedbStore {
    /// Open the database at `path`, creating it (holding version 0, the empty state) when the
    /// file does not exist or is empty.
    ///
    /// # Errors
    /// [`StoreError::Io`] when the file cannot be read or written, [`StoreError::Corrupt`] when
    /// it is not a state database or is damaged, [`StoreError::Backend`] when redb refuses it
    /// (e.g. it is open elsewhere).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, RedbOptions::default())
    }

    /// [`open`](Self::open) with options.
    ///
    /// # Errors
    /// As [`open`](Self::open).
    pub fn open_with(path: impl AsRef<Path>, options: RedbOptions) -> Result<Self, StoreError> {
        let path = path.as_ref().display().to_string();
        // A file refused is left as it was: see `redb_store/rehearsal.rs`.
        open_rehearsed(&path, |target| {
            Self::open_file(path.clone(), options.clone(), &target)
        })
    }

    /// One run of [`open_with`](Self::open_with), at `target`.
    fn open_file(
        path: String,
        options: RedbOptions,
        target: &OpenTarget<'_>,
    ) -> Result<Self, StoreError> {
        let mut builder = Database::builder();
        if let Some(bytes) = options.cache_bytes {
            builder.set_cache_size(bytes);
        }
        builder.set_check_integrity_on_open(options.check_integrity_on_open);
        let db = target.create(builder)?;
        let txn = db.begin_write().map_err(|e| db_error(&path, e))?;
        // The format first, before any other table is opened with this format's types: a file
        // of another format or program is refused (the transaction is dropped, nothing written).
        let new = check_format(&txn, &path)?;
        {
            let mut t = WriteTables::open(&txn, &path)?;
            if new {
                let empty = VersionInfo {
                    version: 0,
                    root: Root::EMPTY,
                    leaves: 0,
                    root_loc: 0,
                };
                t.roots
                    .insert(0, empty.encode().as_slice())
                    .map_err(|e| db_error(&path, e))?;
            } else {
                head_of(&t.roots, &path)?;
            }
        }
        txn.commit().map_err(|e| db_error(&path, e))?;
        Ok(Self {
            db: Arc::new(db),
            path,
            keep_versions: options.keep_versions,
            fail_next_commit: AtomicBool::new(false),
        })
    }

    /// The database file.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn read(&self) -> Result<ReadTransaction, StoreError> {
        self.db.begin_read().map_err(|e| db_error(&self.path, e))
    }

    fn read_table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &self,
        txn: &ReadTransaction,
        table: TableDefinition<K, V>,
    ) -> Result<ReadOnlyTable<K, V>, StoreError> {
        txn.open_table(table).map_err(|e| db_error(&self.path, e))
    }

    /// The current version.
    ///
    /// # Errors
    /// When the database fails.
    pub fn head(&self) -> Result<VersionInfo, StoreError> {
        let txn = self.read()?;
        head_of(&self.read_table(&txn, ROOTS)?, &self.path)
    }

    /// Every retained version, oldest first (the last is the head).
    ///
    /// # Errors
    /// When the database fails.
    pub fn versions(&self) -> Result<Vec<VersionInfo>, StoreError> {
        let txn = self.read()?;
        versions_of(&self.read_table(&txn, ROOTS)?, &self.path)
    }

    /// A read-only view of retained `version`.
    ///
    /// # Errors
    /// [`StoreError::UnknownSnapshot`] when it is not retained.
    pub fn snapshot(&self, version: u64) -> Result<Snapshot, StoreError> {
        let txn = self.read()?;
        let info = version_of(&self.read_table(&txn, ROOTS)?, version, &self.path)?
            .ok_or_else(|| StoreError::UnknownSnapshot(format!("version {version}")))?;
        Ok(self.snapshot_of(info))
    }

    /// A read-only view of the latest retained version whose root is `root`.
    ///
    /// # Errors
    /// [`StoreError::UnknownSnapshot`] when no retained version has it.
    pub fn snapshot_at(&self, root: Root) -> Result<Snapshot, StoreError> {
        let info = self
            .versions()?
            .into_iter()
            .rev()
            .find(|v| v.root == root)
            .ok_or_else(|| StoreError::UnknownSnapshot(format!("root {root}")))?;
        Ok(self.snapshot_of(info))
    }

    fn snapshot_of(&self, info: VersionInfo) -> Snapshot {
        Snapshot {
            db: self.db.clone(),
            path: self.path.clone(),
            version: info.version,
            root: info.root_ref(),
        }
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&mut WriteTables<'_, '_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let txn = self.db.begin_write().map_err(|e| db_error(&self.path, e))?;
        let out = f(&mut WriteTables::open(&txn, &self.path)?)?;
        if self.fail_next_commit.swap(false, Ordering::SeqCst) {
            txn.abort().map_err(|e| db_error(&self.path, e))?;
            return Err(StoreError::Backend {
                path: self.path.clone(),
                message: "injected failure before commit".into(),
            });
        }
        txn.commit().map_err(|e| db_error(&self.path, e))?;
        Ok(out)
    }

    /// Drop retained `version` (not the head) and the nodes only it reached.
    ///
    /// # Errors
    /// [`StoreError::UnknownSnapshot`] when it is not retained, [`StoreError::CannotDropHead`]
    /// for the head.
    pub fn drop_snapshot(&self, version: u64) -> Result<PruneStats, StoreError> {
        self.write(|t| t.drop_version(version))
    }

    /// Keep only the last `keep_last` versions (the head always stays) and delete the nodes no
    /// retained version reaches.
    ///
    /// # Errors
    /// When the database fails; then nothing was dropped.
    pub fn prune(&self, keep_last: usize) -> Result<PruneStats, StoreError> {
        self.write(|t| t.prune(keep_last))
    }

    /// The proof of storage `key` of `contract` (present or absent) under the current root;
    /// check it with [`merkle::verify`].
    ///
    /// # Errors
    /// When the database fails or is corrupt.
    pub fn prove(&self, contract: &ContractId, key: &[u8]) -> Result<Proof, StoreError> {
        let txn = self.read()?;
        let head = head_of(&self.read_table(&txn, ROOTS)?, &self.path)?;
        let leaf = merkle::storage_leaf_key(contract, key);
        merkle::prove(&ReadNodes::open(&txn, &self.path)?, head.root_ref(), &leaf)
    }

    /// The proof of `contract`'s record (present or absent) under the current root; check it
    /// with [`merkle::verify_record`].
    ///
    /// # Errors
    /// When the database fails or is corrupt.
    pub fn prove_record(&self, contract: &ContractId) -> Result<Proof, StoreError> {
        let txn = self.read()?;
        let head = head_of(&self.read_table(&txn, ROOTS)?, &self.path)?;
        let leaf = merkle::record_leaf_key(contract);
        merkle::prove(&ReadNodes::open(&txn, &self.path)?, head.root_ref(), &leaf)
    }

    /// Table sizes.
    ///
    /// # Errors
    /// When the database fails.
    pub fn stats(&self) -> Result<RedbStats, StoreError> {
        let txn = self.read()?;
        let e = |e: redb::StorageError| db_error(&self.path, e);
        Ok(RedbStats {
            versions: self.read_table(&txn, ROOTS)?.len().map_err(e)?,
            nodes: self.read_table(&txn, NODES)?.len().map_err(e)?,
            storage_entries: self.read_table(&txn, STORAGE)?.len().map_err(e)?,
            contracts: self.read_table(&txn, CONTRACTS)?.len().map_err(e)?,
        })
    }

    /// Test hook: the next write transaction does all its work, then is aborted instead of
    /// committed and reports [`StoreError::Backend`], as a crash before the commit would.
    #[cfg(any(test, feature = "test-utils"))]
    pub fn fail_next_commit(&self) {
        self.fail_next_commit.store(true, Ordering::SeqCst);
    }
}

impl StateStore for RedbStore {
    fn contract(&self, id: &ContractId) -> Result<Option<ContractRecord>, StoreError> {
        let txn = self.read()?;
        let table = self.read_table(&txn, CONTRACTS)?;
        match table.get(id.0).map_err(|e| db_error(&self.path, e))? {
            Some(bytes) => decode_record(bytes.value(), &self.path).map(Some),
            None => Ok(None),
        }
    }

    fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError> {
        let txn = self.read()?;
        let table = self.read_table(&txn, CODE)?;
        let code = table.get(hash.0).map_err(|e| db_error(&self.path, e))?;
        Ok(code.map(|c| Arc::from(c.value())))
    }

    fn storage(&self, id: &ContractId, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.read()?;
        let table = self.read_table(&txn, STORAGE)?;
        let value = table
            .get(storage_key(id, key).as_slice())
            .map_err(|e| db_error(&self.path, e))?;
        Ok(value.map(|v| v.value().to_vec()))
    }

    fn apply(&self, changes: ChangeSet) -> Result<(), StoreError> {
        self.commit(changes).map(|_| ())
    }

    fn root(&self) -> Result<Root, StoreError> {
        Ok(self.head()?.root)
    }

    fn commit(&self, changes: ChangeSet) -> Result<Root, StoreError> {
        self.commit_checked(None, changes, &RecordWrites::new())
    }

    fn commit_over(&self, base: Root, changes: ChangeSet) -> Result<Root, StoreError> {
        self.commit_checked(Some(base), changes, &RecordWrites::new())
    }

    /// Over the head or any retained version (see `redb_store/overlay.rs`).
    fn root_after(&self, base: Root, changes: &ChangeSet) -> Result<Root, StoreError> {
        self.root_after_retained(base, changes)
    }
}

impl RedbStore {
    /// One write transaction: check the head is `base` when one is given, apply, prune, write
    /// `records`.
    fn commit_checked(
        &self,
        base: Option<Root>,
        changes: ChangeSet,
        records: &RecordWrites,
    ) -> Result<Root, StoreError> {
        if changes.is_empty() && records.is_empty() {
            // Nothing to write, so nothing to conflict with: no transaction, no fsync.
            return self.root();
        }
        let keep = self.keep_versions;
        self.write(|t| {
            let head = head_of(&t.roots, t.path())?;
            if let Some(base) = base
                && base != head.root
            {
                return Err(StoreError::BaseMoved {
                    base,
                    current: head.root,
                });
            }
            let path = t.path();
            crate::records::write_records(&mut t.records, head.version + 1, records, path)?;
            if changes.is_empty() {
                return Ok(head.root);
            }
            let next = t.apply(&changes)?;
            if let Some(keep) = keep {
                t.prune(keep)?;
            }
            Ok(next.root)
        })
    }
}
