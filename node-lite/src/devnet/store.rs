//! A node's durable store: the state (`RedbStore`, one file per node) and, in the same file,
//! the chain's records, each accepted block committed **atomically with its state**
//! (`RecordStore::commit_with_records`).
//!
//! Records (keys are a one-byte kind, then big-endian numbers):
//! - `b` ‖ height → the block (borsh `consensus::Block`);
//! - `r` ‖ height → its receipts and gas (JSON of [`StoredReceipts`]);
//! - `l` ‖ height → its finality label (borsh `(hash, Label)`);
//! - `e` ‖ height → the stake contract's eligible set for the next round, read on the block's
//!   state (borsh `Vec<Eligible>`, stake keys; `eligibility.rs`);
//! - `v` → this node's own signed messages of the rounds above the last final block (borsh
//!   `Vec<(round, iteration, step, consensus::Message)>`), rewritten before each new one is sent
//!   (the consensus's `Persist`).

use super::executor::Executed;
use crate::node_api::ReceiptView;
use consensus::{Block, Label, LabelChange, Message, Record};
use genesis_types::stake::{Eligible, Step};
use parking_lot::Mutex;
use runtime::{RecordStore, RecordWrites, RedbStore, Root, StateStore, StoreError};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

/// Record kind: a block.
pub const BLOCK: u8 = b'b';
/// Record kind: a block's receipts.
pub const RECEIPTS: u8 = b'r';
/// Record kind: a block's label.
pub const LABEL: u8 = b'l';
/// Record kind: an own signed message.
pub const VOTE: u8 = b'v';
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

/// The key of a height record.
pub fn height_key(kind: u8, height: u64) -> Vec<u8> {
    let mut key = vec![kind];
    key.extend_from_slice(&height.to_be_bytes());
    key
}

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
    redb: Arc<RedbStore>,
    /// Why the node stopped following the chain, if it did.
    failure: Mutex<Option<String>>,
    /// Own signed messages of the rounds above the last final block.
    votes: Mutex<Vec<Record>>,
}

impl NodeStore {
    /// Opens (or creates) the store at `path`.
    ///
    /// # Errors
    /// When redb cannot open it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(NodeStore {
            redb: Arc::new(RedbStore::open(path)?),
            failure: Mutex::new(None),
            votes: Mutex::new(Vec::new()),
        })
    }

    /// The state, for sessions.
    pub fn state(&self) -> Arc<dyn StateStore> {
        self.redb.clone()
    }

    /// The state's root (`None` if the store fails).
    pub fn root(&self) -> Option<[u8; 32]> {
        self.redb.root().ok().map(|r| r.0)
    }

    /// Whether the store holds no state yet.
    pub fn is_empty(&self) -> bool {
        self.redb.root().map(|r| r == Root::EMPTY).unwrap_or(false)
    }

    /// Records the node stopped following the chain (the first reason is kept).
    pub fn fail(&self, why: String) {
        self.failure.lock().get_or_insert(why);
    }

    /// Why the node stopped, if it did.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().clone()
    }

    /// Commits an accepted block's state with its block and receipts records.
    ///
    /// # Errors
    /// The store's.
    pub fn commit_block(&self, block: &Block, executed: &Executed) -> Result<(), StoreError> {
        let height = block.header().height;
        let receipts = StoredReceipts {
            gas_used: executed.output.gas_used,
            receipts: executed
                .receipts()
                .iter()
                .map(|r| super::index::receipt_view(r, height))
                .collect(),
        };
        let mut records = RecordWrites::new();
        records.insert(height_key(BLOCK, height), Some(encode(block)));
        records.insert(
            height_key(RECEIPTS, height),
            Some(serde_json::to_vec(&receipts).unwrap_or_default()),
        );
        records.insert(
            height_key(ELIGIBLE, height),
            Some(encode(&executed.next_eligible)),
        );
        let base = executed.session.base_root()?;
        self.redb
            .commit_with_records(base, executed.session.changes(), &records)?;
        Ok(())
    }

    fn write_records(&self, records: &RecordWrites) -> Result<(), StoreError> {
        let base = self.redb.root()?;
        self.redb
            .commit_with_records(base, Default::default(), records)?;
        Ok(())
    }

    fn votes_record(&self, records: &mut RecordWrites) {
        let votes = self.votes.lock();
        let slots: Vec<(u64, u8, u8, &Message)> = votes
            .iter()
            .map(|r| (r.slot.0, r.slot.1, r.slot.2 as u8, r.message.as_ref()))
            .collect();
        records.insert(vec![VOTE], Some(encode(&slots)));
    }

    /// Writes an own signed message (with the others kept) before it is sent.
    pub fn persist_record(&self, record: &Record) {
        self.votes.lock().push(record.clone());
        let mut records = RecordWrites::new();
        self.votes_record(&mut records);
        if let Err(e) = self.write_records(&records) {
            self.fail(format!("persisting a vote: {e}"));
        }
    }

    /// Writes a label change (a final block drops the own messages of its round and below).
    pub fn persist_label(&self, change: &LabelChange) {
        let mut records = RecordWrites::new();
        if change.label == Label::Final {
            self.votes.lock().retain(|r| r.slot.0 > change.height);
            self.votes_record(&mut records);
        }
        records.insert(
            height_key(LABEL, change.height),
            Some(encode(&(change.hash, change.label))),
        );
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
        self.redb.revert_to_root(Root(root))?;
        let mut records = RecordWrites::new();
        let mut h = height + 1;
        while self.redb.record(&height_key(BLOCK, h))?.is_some() {
            for kind in [BLOCK, RECEIPTS, LABEL, ELIGIBLE] {
                records.insert(height_key(kind, h), None);
            }
            h += 1;
        }
        self.write_records(&records)
    }

    /// The eligible set stored with block `height` (for round `height + 1`; stake keys), if
    /// any.
    ///
    /// # Errors
    /// The store's, or a record that does not decode.
    pub fn eligible_after(&self, height: u64) -> Result<Option<Vec<Eligible>>, StoreError> {
        match self.redb.record(&height_key(ELIGIBLE, height))? {
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
        match self.redb.record(&height_key(BLOCK, height))? {
            None => Ok(None),
            Some(bytes) => borsh::from_slice(&bytes)
                .map(Some)
                .map_err(|_| self.corrupt(&format!("block record {height}"))),
        }
    }

    /// The stored chain from height 1 on, with receipts and labels (a restart).
    ///
    /// # Errors
    /// The store's, or a record that does not decode.
    pub fn load_chain(&self) -> Result<Vec<(Block, StoredReceipts, Option<Label>)>, StoreError> {
        let mut out = Vec::new();
        let corrupt = |what: &str, h: u64| self.corrupt(&format!("{what} record {h}"));
        for h in 1.. {
            let Some(bytes) = self.redb.record(&height_key(BLOCK, h))? else {
                break;
            };
            let block: Block = borsh::from_slice(&bytes).map_err(|_| corrupt("block", h))?;
            let receipts = match self.redb.record(&height_key(RECEIPTS, h))? {
                Some(b) => serde_json::from_slice(&b).map_err(|_| corrupt("receipts", h))?,
                None => return Err(corrupt("receipts", h)),
            };
            let label = match self.redb.record(&height_key(LABEL, h))? {
                Some(b) => {
                    let (hash, label): ([u8; 32], Label) =
                        borsh::from_slice(&b).map_err(|_| corrupt("label", h))?;
                    (hash == block.hash()).then_some(label)
                }
                None => None,
            };
            out.push((block, receipts, label));
        }
        Ok(out)
    }

    /// This node's own signed messages kept for a restart.
    ///
    /// # Errors
    /// The store's, or a record that does not decode.
    pub fn load_votes(&self) -> Result<Vec<Record>, StoreError> {
        let Some(bytes) = self.redb.record(&[VOTE])? else {
            return Ok(Vec::new());
        };
        let slots: Vec<(u64, u8, u8, Message)> =
            borsh::from_slice(&bytes).map_err(|_| self.corrupt("votes record"))?;
        let mut out = Vec::with_capacity(slots.len());
        for (round, iteration, step, message) in slots {
            let step = step_of(step).ok_or_else(|| self.corrupt("votes record"))?;
            out.push(Record {
                slot: (round, iteration, step),
                message: Arc::new(message),
            });
        }
        *self.votes.lock() = out.clone();
        Ok(out)
    }

    fn corrupt(&self, what: &str) -> StoreError {
        StoreError::Corrupt {
            path: self.redb.path().to_string(),
            message: what.to_string(),
        }
    }
}
