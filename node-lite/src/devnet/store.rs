//! A node's durable store: the state (`WalStore`, one file per node, `state.wal`) and, in the
//! same file, the chain's records, each accepted block committed **atomically with its state**
//! (`RecordStore::commit_with_records`: the block's log record and its records in one durable
//! redb transaction).
//!
//! **Why `WalStore`.** The gas schedule prices a storage write's share of the commit (gas
//! schedule v7, `runtime::gas`) on the store the devnet runs on, and a block's gas must bound its
//! time. `WalStore` keeps the state and its merkle tree in memory and appends one log record per
//! commit, so a commit's cost grows with the keys it changes, not with the state: measured at
//! 1 M keys, ≈ 10.6 ms for 1,000 dirty keys (`cargo bench -p state --bench commit_latency`)
//! against ≈ 0.2–0.43 ms **per key** on `RedbStore`, whose B-trees' random writes grow with the
//! state (BENCHMARKS.md §4). Priced on `RedbStore`, a 2·10⁹-gas block would hold about 55
//! transfers. The price: the state must fit in memory (a few hundred bytes per key), and a
//! restart replays the log since the last checkpoint (written in the background).
//!
//! Records (keys are a one-byte kind, then big-endian numbers):
//! - `b` ‖ height → the block (borsh `consensus::Block`);
//! - `r` ‖ height → its receipts and gas (JSON of [`StoredReceipts`]);
//! - `l` ‖ height → its finality label (borsh `(hash, Label)`), written with the block and
//!   rewritten with the block whose acceptance changes it (see [`NodeStore::commit_block`]);
//! - `e` ‖ height → the stake contract's eligible set for the next round, read on the block's
//!   state (borsh `Vec<Eligible>`, stake keys; `eligibility.rs`);
//! - `v` ‖ round ‖ iteration ‖ step → this node's own signed message of that slot (borsh
//!   `consensus::Message`), written before it is sent (the consensus's `Persist`), and `w` →
//!   the slots of those kept, the rounds above the last final block (borsh
//!   `Vec<(round, iteration, step)>`): a new message writes itself and the slot list, not every
//!   kept message again (a candidate is most of a block). A key `v` alone is the earlier form
//!   (the whole list, borsh `Vec<(round, iteration, step, consensus::Message)>`), read once at
//!   open and rewritten in this one ([`NodeStore::load_votes`]);
//! - `t` ‖ transaction hash → where it was included: height (u64 BE) ‖ position (u32 BE),
//!   and `x` ‖ bucket ‖ height → those of a block not yet merged into the `t` records, one
//!   record per bucket of hashes (a block writes its lookups in one bucket's range of keys, not
//!   one random key each: [`super::tx_lookup`]);
//! - `h` ‖ block hash → its height (u64 BE).
//!
//! The last two are the lookups the chain index ([`super::index`]) uses for blocks that left
//! its in-memory window (the store is its [`BlockArchive`]).
//!
//! **Forks:** a revert goes back to a kept block's state root (`WalStore::revert_to_root`: the
//! state rebuilt from the checkpoint and the log, the later log records and the records written
//! since deleted in one durable transaction).
//!
//! **Bounded:** the store's checkpoints stay [`KEPT_VERSIONS`] versions behind the current one
//! (`WalOptions::keep_versions`), so a revert can reach every block the consensus retains, and
//! the log holds those versions besides the checkpoint threshold's; redb's page cache (the log's
//! and the records' pages; the state is in memory) is [`CACHE_BYTES`].
//!
//! **Crashes:** every write is one durable redb transaction, and a reopen replays the log to the
//! last one (see the state crate's README, "The crash story"; `tests/devnet_crash.rs`).

use super::executor::Executed;
use super::index::{BlockArchive, IndexedBlock};
use super::tx_lookup;
use crate::node_api::ReceiptView;
use consensus::{Block, Label, LabelChange, Message, Record};
use genesis_types::stake::{Eligible, Step};
use parking_lot::Mutex;
use runtime::{
    ChangeSet, RecordStore, RecordWrites, Root, StateStore, StoreError, WalOptions, WalStore,
};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

/// Record kind: a block.
pub const BLOCK: u8 = b'b';
/// Record kind: a block's receipts.
pub const RECEIPTS: u8 = b'r';
/// Record kind: a block's label.
pub const LABEL: u8 = b'l';
/// Record kind: an own signed message (`v` ‖ round ‖ iteration ‖ step; `v` alone: the
/// earlier form, every kept message in one record).
pub const VOTE: u8 = b'v';
/// Record kind: the slots of the own signed messages kept (one key, `w`).
pub const VOTE_SLOTS: u8 = b'w';
/// Record kind: a transaction's height and position.
pub const TX: u8 = b't';
/// Record kind: a block hash's height.
pub const HASH: u8 = b'h';

/// State versions a node's store keeps revertible behind the current one: the consensus's
/// default retained blocks (a revert goes back at most to its last final block, which it
/// retains) and one more.
pub const KEPT_VERSIONS: usize = 257;
/// redb's page cache per node, bytes (redb's default is 1 GiB, per node).
pub const CACHE_BYTES: usize = 16 << 20;
/// The store's file name in a node's directory.
pub const FILE_NAME: &str = "state.wal";
/// The file an earlier node (on `RedbStore`) kept its store in: a data directory holding it is
/// refused (`spawn.rs`), not silently started over.
pub const OLD_FILE_NAME: &str = "state.redb";
/// Record kind: the eligible set of the round after a block.
pub const ELIGIBLE: u8 = b'e';

/// A block's receipts as stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredReceipts {
    /// Gas the block's transactions spent.
    pub gas_used: u64,
    /// The receipts.
    pub receipts: Vec<ReceiptView>,
}

/// [`StoredReceipts`] borrowed: the same JSON, written from receipts the caller also indexes.
#[derive(Serialize)]
struct StoredReceiptsRef<'a> {
    gas_used: u64,
    receipts: &'a [ReceiptView],
}

/// The key of a height record.
pub fn height_key(kind: u8, height: u64) -> Vec<u8> {
    let mut key = vec![kind];
    key.extend_from_slice(&height.to_be_bytes());
    key
}

/// The key of a hash record (`TX` or `HASH`).
pub fn hash_key(kind: u8, hash: &[u8; 32]) -> Vec<u8> {
    let mut key = Vec::with_capacity(33);
    key.push(kind);
    key.extend_from_slice(hash);
    key
}

fn parse_hex32(hex_str: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_str, &mut out).ok()?;
    Some(out)
}

/// A stored block: the block, its receipts and its label (if one was recorded for it).
pub type StoredBlock = (Block, StoredReceipts, Option<Label>);

/// The key of an own message's record.
pub fn slot_key(slot: (u64, u8, Step)) -> Vec<u8> {
    let mut key = height_key(VOTE, slot.0);
    key.extend_from_slice(&[slot.1, slot.2 as u8]);
    key
}

/// A kept slot as the slot list stores it.
type StoredSlot = (u64, u8, u8);

fn step_of(byte: u8) -> Option<Step> {
    [Step::Proposal, Step::Validation, Step::Ratification]
        .into_iter()
        .find(|s| *s as u8 == byte)
}

fn encode<T: borsh::BorshSerialize>(value: &T) -> Vec<u8> {
    // Writing into a Vec cannot fail.
    borsh::to_vec(value).unwrap_or_default()
}

/// A node's store (see the [module docs](self)).
pub struct NodeStore {
    wal: Arc<WalStore>,
    /// Why the node stopped following the chain, if it did.
    failure: Mutex<Option<String>>,
    /// Own signed messages of the rounds above the last final block.
    votes: Mutex<Vec<Record>>,
}

impl NodeStore {
    /// Opens (or creates) the store at `path`.
    ///
    /// # Errors
    /// When the store cannot open it (a damaged file, another process has it, an I/O error).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let options = WalOptions {
            checkpoint_bytes: None,
            keep_versions: Some(KEPT_VERSIONS as u64),
            cache_bytes: Some(CACHE_BYTES),
        };
        Ok(NodeStore {
            wal: Arc::new(WalStore::open_with(path, options)?),
            failure: Mutex::new(None),
            votes: Mutex::new(Vec::new()),
        })
    }

    /// The state, for sessions.
    pub fn state(&self) -> Arc<dyn StateStore> {
        self.wal.clone()
    }

    /// The state's root (`None` if the store fails).
    pub fn root(&self) -> Option<[u8; 32]> {
        self.wal.root().ok().map(|r| r.0)
    }

    /// Whether the store holds no state yet.
    pub fn is_empty(&self) -> bool {
        self.wal.root().map(|r| r == Root::EMPTY).unwrap_or(false)
    }

    /// Records the node stopped following the chain (the first reason is kept).
    pub fn fail(&self, why: String) {
        self.failure.lock().get_or_insert(why);
    }

    /// Why the node stopped, if it did.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().clone()
    }

    /// Commits an accepted block's state with its block, receipts and first label records, and
    /// the label changes its acceptance makes (`changes`: the consensus's `Labels` output that
    /// follows the `Accept`, e.g. the parent's `Confirmed` and `Final`), in one transaction.
    ///
    /// The block's label is written here, not by [`Self::persist_label`]: the chain index takes
    /// the new block with this label, so the consensus's `Labels` output for it changes nothing
    /// there and is not persisted; without this record a restart found the tip unlabelled, took
    /// it for unconfirmable, and finality never passed it again. The other changes are written
    /// here too rather than in a transaction each after it: a restart then finds the block and
    /// the labels it made together (before, a crash between the two found the block with the
    /// labels below it older, as a crash before the block does). A `Final` change also drops
    /// the own messages of its round and below (`persist_label`'s rule).
    ///
    /// `views` are the receipts' views (the API's), written as the receipts record unless a
    /// node committed this execution already: its encoding is shared
    /// ([`Executed::stored_receipts`]).
    ///
    /// Returns the root this node's store computed for the block's state (the caller checks it
    /// against the block's: the execution may have been another node's, `executions.rs`).
    ///
    /// # Errors
    /// The store's.
    pub fn commit_block(
        &self,
        block: &Block,
        executed: &Executed,
        views: &[ReceiptView],
        label: Label,
        changes: &[LabelChange],
    ) -> Result<Root, StoreError> {
        let height = block.header().height;
        // The same bytes on every node that commits this execution: encoded once.
        let receipts = executed.stored_receipts.get_or_init(|| {
            let receipts = StoredReceiptsRef {
                gas_used: executed.output.gas_used,
                receipts: views,
            };
            serde_json::to_vec(&receipts).unwrap_or_default()
        });
        let mut records = RecordWrites::new();
        records.insert(height_key(BLOCK, height), Some(encode(block)));
        records.insert(
            height_key(LABEL, height),
            Some(encode(&(block.hash(), label))),
        );
        records.insert(height_key(RECEIPTS, height), Some(receipts.clone()));
        records.insert(
            height_key(ELIGIBLE, height),
            Some(encode(&executed.next_eligible)),
        );
        records.insert(
            hash_key(HASH, &block.hash()),
            Some(height.to_be_bytes().to_vec()),
        );
        tx_lookup::block_records(
            height,
            executed.receipts().iter().map(|r| &r.hash.0),
            |key| self.wal.record(key),
            |what| self.corrupt(&format!("{what} at block {height}")),
            &mut records,
        )?;
        for change in changes {
            self.label_records(change, &mut records);
        }
        let root = self.wal.commit_with_records(
            executed.base_root,
            ChangeSet::clone(&executed.changes),
            &records,
        )?;
        Ok(root)
    }

    fn write_records(&self, records: &RecordWrites) -> Result<(), StoreError> {
        let base = self.wal.root()?;
        self.wal
            .commit_with_records(base, Default::default(), records)?;
        Ok(())
    }

    /// The slot list of `votes`.
    fn slots_record(votes: &[Record], records: &mut RecordWrites) {
        let slots: Vec<StoredSlot> = votes
            .iter()
            .map(|r| (r.slot.0, r.slot.1, r.slot.2 as u8))
            .collect();
        records.insert(vec![VOTE_SLOTS], Some(encode(&slots)));
    }

    /// A label change's record; a `Final` one also drops the own messages of its round and
    /// below (a round at or under a final block is never voted in again).
    fn label_records(&self, change: &LabelChange, records: &mut RecordWrites) {
        if change.label == Label::Final {
            let mut votes = self.votes.lock();
            if votes.iter().any(|r| r.slot.0 <= change.height) {
                for r in votes.iter().filter(|r| r.slot.0 <= change.height) {
                    records.insert(slot_key(r.slot), None);
                }
                votes.retain(|r| r.slot.0 > change.height);
                Self::slots_record(&votes, records);
            }
        }
        records.insert(
            height_key(LABEL, change.height),
            Some(encode(&(change.hash, change.label))),
        );
    }

    /// Writes an own signed message before it is sent: its record and the slot list, in one
    /// durable transaction (a restart must find it, or the node could sign another message for
    /// the same slot). A message for a slot already kept replaces it (as the consensus's
    /// `Persisted` does on a restart: the later one of a slot wins).
    pub fn persist_record(&self, record: &Record) {
        let mut votes = self.votes.lock();
        votes.retain(|r| r.slot != record.slot);
        votes.push(record.clone());
        let mut records = RecordWrites::new();
        records.insert(slot_key(record.slot), Some(encode(record.message.as_ref())));
        Self::slots_record(&votes, &mut records);
        if let Err(e) = self.write_records(&records) {
            self.fail(format!("persisting a vote: {e}"));
        }
    }

    /// Writes a label change (a final block drops the own messages of its round and below) in
    /// a transaction of its own: for a change that did not come with a block
    /// ([`Self::commit_block`] writes those).
    pub fn persist_label(&self, change: &LabelChange) {
        let mut records = RecordWrites::new();
        self.label_records(change, &mut records);
        if let Err(e) = self.write_records(&records) {
            self.fail(format!("persisting a label: {e}"));
        }
    }

    /// Moves the state back to `root_hex` (block `height`'s) and drops the records above it.
    ///
    /// # Errors
    /// The store's, or a root that does not parse.
    pub fn revert_to(&self, root_hex: &str, height: u64) -> Result<(), StoreError> {
        let mut root = [0u8; 32];
        hex::decode_to_slice(root_hex, &mut root)
            .map_err(|e| self.corrupt(&format!("root {root_hex}: {e}")))?;
        self.wal.revert_to_root(Root(root))?;
        let mut records = RecordWrites::new();
        let mut h = height + 1;
        while let Some(bytes) = self.wal.record(&height_key(BLOCK, h))? {
            let block: Block = borsh::from_slice(&bytes)
                .map_err(|_| self.corrupt(&format!("block record {h}")))?;
            records.insert(hash_key(HASH, &block.hash()), None);
            if let Some(receipts) = self.receipts(h)? {
                for r in &receipts.receipts {
                    if let Some(hash) = parse_hex32(&r.hash) {
                        records.insert(hash_key(TX, &hash), None);
                    }
                }
            }
            for kind in [BLOCK, RECEIPTS, LABEL, ELIGIBLE] {
                records.insert(height_key(kind, h), None);
            }
            tx_lookup::drop_block(h, &mut records);
            h += 1;
        }
        // The revert took the records back, own messages written since `height` included: they
        // were sent, so they are written again (a restart must still find them).
        let votes = self.votes.lock();
        for r in votes.iter() {
            records.insert(slot_key(r.slot), Some(encode(r.message.as_ref())));
        }
        Self::slots_record(&votes, &mut records);
        self.write_records(&records)
    }

    fn receipts(&self, height: u64) -> Result<Option<StoredReceipts>, StoreError> {
        match self.wal.record(&height_key(RECEIPTS, height))? {
            Some(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|_| self.corrupt(&format!("receipts record {height}"))),
            None => Ok(None),
        }
    }

    /// The eligible set stored with block `height` (for round `height + 1`; stake keys), if
    /// any.
    ///
    /// # Errors
    /// The store's, or a record that does not decode.
    pub fn eligible_after(&self, height: u64) -> Result<Option<Vec<Eligible>>, StoreError> {
        match self.wal.record(&height_key(ELIGIBLE, height))? {
            None => Ok(None),
            Some(bytes) => borsh::from_slice(&bytes)
                .map(Some)
                .map_err(|_| self.corrupt(&format!("eligible-set record {height}"))),
        }
    }

    /// The stored block at `height` (1 and above), if any.
    ///
    /// # Errors
    /// The store's, or a record that does not decode.
    pub fn block(&self, height: u64) -> Result<Option<Block>, StoreError> {
        match self.wal.record(&height_key(BLOCK, height))? {
            None => Ok(None),
            Some(bytes) => borsh::from_slice(&bytes)
                .map(Some)
                .map_err(|_| self.corrupt(&format!("block record {height}"))),
        }
    }

    /// The stored block at `height` with its receipts and label (`None` above the tip).
    ///
    /// # Errors
    /// The store's, or a record that does not decode.
    pub fn stored_block(&self, height: u64) -> Result<Option<StoredBlock>, StoreError> {
        let corrupt = |what: &str| self.corrupt(&format!("{what} record {height}"));
        let Some(bytes) = self.wal.record(&height_key(BLOCK, height))? else {
            return Ok(None);
        };
        let block: Block = borsh::from_slice(&bytes).map_err(|_| corrupt("block"))?;
        let receipts = self.receipts(height)?.ok_or_else(|| corrupt("receipts"))?;
        let label = match self.wal.record(&height_key(LABEL, height))? {
            Some(b) => {
                let (hash, label): ([u8; 32], Label) =
                    borsh::from_slice(&b).map_err(|_| corrupt("label"))?;
                (hash == block.hash()).then_some(label)
            }
            None => None,
        };
        Ok(Some((block, receipts, label)))
    }

    /// The height of the highest stored block (0: none above genesis).
    ///
    /// # Errors
    /// The store's, or a key that is not a height record's.
    pub fn stored_tip(&self) -> Result<u64, StoreError> {
        match self.wal.last_record(&[BLOCK])? {
            None => Ok(0),
            Some((key, _)) => {
                let bytes: [u8; 8] = key
                    .get(1..9)
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| self.corrupt("block record key"))?;
                Ok(u64::from_be_bytes(bytes))
            }
        }
    }

    /// Visits the stored chain from height 1 on, in order (a restart), one block at a time:
    /// `each(height, block, receipts, label)`. Receipts are decoded only for the last `recent`
    /// blocks (`None` below them); the others are only checked to be there.
    ///
    /// # Errors
    /// The store's, a record that does not decode, or `each`'s.
    pub fn load_chain<E: From<StoreError>>(
        &self,
        recent: u64,
        mut each: impl FnMut(Block, Option<StoredReceipts>, Option<Label>) -> Result<(), E>,
    ) -> Result<(), E> {
        let tip = self.stored_tip()?;
        let corrupt = |what: &str, h: u64| self.corrupt(&format!("{what} record {h}"));
        for h in 1..=tip {
            if h + recent > tip {
                let (block, receipts, label) =
                    self.stored_block(h)?.ok_or_else(|| corrupt("block", h))?;
                each(block, Some(receipts), label)?;
                continue;
            }
            let bytes = self
                .wal
                .record(&height_key(BLOCK, h))?
                .ok_or_else(|| corrupt("block", h))?;
            let block: Block = borsh::from_slice(&bytes).map_err(|_| corrupt("block", h))?;
            if self.wal.record(&height_key(RECEIPTS, h))?.is_none() {
                return Err(corrupt("receipts", h).into());
            }
            let label = match self.wal.record(&height_key(LABEL, h))? {
                Some(b) => {
                    let (hash, label): ([u8; 32], Label) =
                        borsh::from_slice(&b).map_err(|_| corrupt("label", h))?;
                    (hash == block.hash()).then_some(label)
                }
                None => None,
            };
            each(block, None, label)?;
        }
        Ok(())
    }

    /// This node's own signed messages kept for a restart. A store of the earlier form (one
    /// record `v` holding them all) is rewritten in this one first, in one transaction.
    ///
    /// # Errors
    /// The store's, or a record that does not decode.
    pub fn load_votes(&self) -> Result<Vec<Record>, StoreError> {
        let bad = |what: &str| self.corrupt(&format!("own messages: {what}"));
        let mut out = Vec::new();
        if let Some(bytes) = self.wal.record(&[VOTE_SLOTS])? {
            let slots: Vec<StoredSlot> = borsh::from_slice(&bytes).map_err(|_| bad("slots"))?;
            for (round, iteration, step) in slots {
                let slot = (round, iteration, step_of(step).ok_or_else(|| bad("step"))?);
                let bytes = self.wal.record(&slot_key(slot))?;
                let message: Message = bytes
                    .and_then(|b| borsh::from_slice(&b).ok())
                    .ok_or_else(|| bad(&format!("message of slot {slot:?}")))?;
                out.push(Record {
                    slot,
                    message: Arc::new(message),
                });
            }
        }
        let legacy = self.wal.record(&[VOTE])?;
        if let Some(bytes) = &legacy {
            let slots: Vec<(u64, u8, u8, Message)> =
                borsh::from_slice(bytes).map_err(|_| bad("list"))?;
            for (round, iteration, step, message) in slots {
                let slot = (round, iteration, step_of(step).ok_or_else(|| bad("step"))?);
                out.retain(|r| r.slot != slot);
                out.push(Record {
                    slot,
                    message: Arc::new(message),
                });
            }
        }
        *self.votes.lock() = out.clone();
        if legacy.is_some() {
            let mut records = RecordWrites::new();
            records.insert(vec![VOTE], None);
            for r in &out {
                records.insert(slot_key(r.slot), Some(encode(r.message.as_ref())));
            }
            Self::slots_record(&out, &mut records);
            self.write_records(&records)?;
        }
        Ok(out)
    }

    fn corrupt(&self, what: &str) -> StoreError {
        StoreError::Corrupt {
            path: self.wal.path().to_string(),
            message: what.to_string(),
        }
    }
}

impl BlockArchive for NodeStore {
    fn block(&self, height: u64) -> Option<IndexedBlock> {
        let (block, receipts, label) = self.stored_block(height).ok()??;
        // A stored block without a label record was never labelled past its first.
        let label = label.unwrap_or(Label::Accepted(u16::MAX));
        Some(IndexedBlock::new(
            &block,
            receipts.gas_used,
            receipts.receipts,
            label,
        ))
    }

    fn height_of(&self, hash: &[u8; 32]) -> Option<u64> {
        let bytes = self.wal.record(&hash_key(HASH, hash)).ok()??;
        Some(u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?))
    }

    fn tx(&self, hash: &[u8; 32]) -> Option<(u64, usize)> {
        let tip = self.stored_tip().ok()?;
        tx_lookup::find(
            hash,
            tip,
            |key| self.wal.record(key),
            |what| self.corrupt(what),
        )
        .ok()?
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "store_lookup_tests.rs"]
mod lookup_tests;
