//! A node's index of its chain, as the API shows it: blocks by height and hash, transactions'
//! receipts, events, finality labels.
//!
//! **Bounded memory:** only the last [`INDEX_WINDOW`] blocks (the tip included), and among them
//! at most [`MAX_INDEX_RECEIPTS`] receipts (but always the last [`MIN_INDEX_BLOCKS`] blocks,
//! whose labels still change), are held in memory with their receipts and lookup maps; older
//! blocks are answered from a [`BlockArchive`] (the node's store, whose records hold every
//! block, its receipts, its label and the tx-hash and block-hash lookups). Without an archive
//! (tests), older blocks are gone. The receipt bound matters under load: 64 blocks of 600
//! transactions are ≈ 38,000 receipts per node, each with several hex strings.

use super::executor::Executed;
use crate::chain::block_exec::TxReceipt;
use crate::node_api::{BlockView, EventFilter, EventView, ReceiptView};
use consensus::{Block, Label, LabelChange};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Most events one `events` query returns.
pub const MAX_EVENTS_PER_QUERY: usize = 1_000;
/// Blocks an index keeps in memory (older ones are read from its archive).
pub const INDEX_WINDOW: usize = 64;
/// Receipts an index keeps in memory, over all its blocks (beyond [`MIN_INDEX_BLOCKS`]).
pub const MAX_INDEX_RECEIPTS: usize = 4_096;
/// Blocks an index keeps in memory whatever their receipts (the window permitting): the last
/// ones, whose finality labels change after they are accepted.
pub const MIN_INDEX_BLOCKS: usize = 4;

/// A label as the API spells it.
pub fn label_name(label: Label) -> &'static str {
    match label {
        Label::Accepted(_) => "accepted",
        Label::Attested(_) => "attested",
        Label::Confirmed => "confirmed",
        Label::Final => "final",
    }
}

/// Lowercase hex.
pub fn hex32(bytes: &[u8; 32]) -> String {
    hex::encode(bytes)
}

/// The API's view of a receipt.
pub fn receipt_view(r: &TxReceipt, height: u64) -> ReceiptView {
    let tx_hash = hex32(&r.hash.0);
    ReceiptView {
        hash: tx_hash.clone(),
        sender: hex32(&r.sender.0),
        nonce: r.nonce,
        gas_limit: r.gas_limit,
        gas_spent: r.gas_spent,
        fee_paid: r.fee_paid.to_string(),
        success: r.result.is_ok(),
        return_data: r.result.as_ref().ok().map(hex::encode),
        error: r.result.as_ref().err().map(|e| e.to_string()),
        deployed: r.deployed.map(|d| hex32(&d.0)),
        events: r
            .events
            .iter()
            .map(|e| EventView {
                height,
                tx_hash: tx_hash.clone(),
                contract: hex32(&e.contract.0),
                topic: e.topic.clone(),
                data: hex::encode(&e.data),
                reverted: e.reverted,
            })
            .collect(),
    }
}

/// One block of the index.
#[derive(Clone, Debug)]
pub struct IndexedBlock {
    /// The view.
    pub view: BlockView,
    /// Its receipts.
    pub receipts: Vec<ReceiptView>,
}

impl IndexedBlock {
    /// A block with its receipts and label.
    pub fn new(block: &Block, gas_used: u64, receipts: Vec<ReceiptView>, label: Label) -> Self {
        let h = block.header();
        let view = BlockView {
            height: h.height,
            iteration: h.iteration,
            hash: hex32(&block.hash()),
            prev_hash: hex32(&h.prev_hash),
            timestamp_ms: h.timestamp,
            state_root: hex32(&h.state_root),
            generator: hex::encode(h.generator.0),
            gas_used,
            transactions: receipts.iter().map(|r| r.hash.clone()).collect(),
            label: label_name(label).into(),
        };
        IndexedBlock { view, receipts }
    }
}

/// Where an included transaction is.
#[derive(Clone, Debug)]
pub struct TxLocation {
    /// Its block's height.
    pub height: u64,
    /// Its block's hash.
    pub block_hash: String,
    /// Its receipt.
    pub receipt: ReceiptView,
}

/// Blocks older than the index's window: read on demand (the node's store).
pub trait BlockArchive: Send + Sync {
    /// The block at `height` with its receipts and label.
    fn block(&self, height: u64) -> Option<IndexedBlock>;
    /// The height of the block whose hash is `hash`.
    fn height_of(&self, hash: &[u8; 32]) -> Option<u64>;
    /// The (height, position) of the included transaction `hash`.
    fn tx(&self, hash: &[u8; 32]) -> Option<(u64, usize)>;
}

/// A node's chain as the API sees it (see the [module docs](self)).
pub struct ChainIndex {
    /// The last blocks, contiguous, ending at the tip (never empty).
    blocks: VecDeque<IndexedBlock>,
    by_hash: HashMap<String, u64>,
    txs: HashMap<String, (u64, usize)>,
    /// Highest final height.
    pub finalized: u64,
    window: usize,
    /// Receipts held by `blocks`.
    receipts: usize,
    max_receipts: usize,
    archive: Option<Arc<dyn BlockArchive>>,
}

impl std::fmt::Debug for ChainIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainIndex")
            .field("tip", &self.tip().view.height)
            .field("in_memory", &self.blocks.len())
            .field("finalized", &self.finalized)
            .finish()
    }
}

fn parse_hash(hash: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hash, &mut out).ok()?;
    Some(out)
}

impl ChainIndex {
    /// An index holding the genesis block, keeping [`INDEX_WINDOW`] blocks in memory.
    pub fn new(genesis: &Block) -> Self {
        Self::with_window(genesis, INDEX_WINDOW)
    }

    /// An index holding the genesis block, keeping `window` blocks (at least 1) in memory.
    pub fn with_window(genesis: &Block, window: usize) -> Self {
        Self::with_limits(genesis, window, MAX_INDEX_RECEIPTS)
    }

    /// An index holding the genesis block, keeping `window` blocks (at least 1) in memory, and
    /// among them at most `max_receipts` receipts beyond the last [`MIN_INDEX_BLOCKS`] blocks.
    pub fn with_limits(genesis: &Block, window: usize, max_receipts: usize) -> Self {
        let mut index = ChainIndex {
            blocks: VecDeque::new(),
            by_hash: HashMap::new(),
            txs: HashMap::new(),
            finalized: 0,
            window: window.max(1),
            receipts: 0,
            max_receipts,
            archive: None,
        };
        index.push(genesis, 0, Vec::new(), Label::Final);
        index
    }

    /// Where blocks that left the window are read from.
    pub fn set_archive(&mut self, archive: Arc<dyn BlockArchive>) {
        self.archive = Some(archive);
    }

    /// Blocks held in memory.
    pub fn in_memory(&self) -> usize {
        self.blocks.len()
    }

    /// Receipts held in memory.
    pub fn receipts_in_memory(&self) -> usize {
        self.receipts
    }

    fn first_height(&self) -> u64 {
        self.tip().view.height + 1 - self.blocks.len() as u64
    }

    fn forget(&mut self, block: &IndexedBlock) {
        self.receipts -= block.receipts.len();
        self.by_hash.remove(&block.view.hash);
        for r in &block.receipts {
            self.txs.remove(&r.hash);
        }
    }

    /// Appends a block with its receipts (dropping any above its height first).
    pub fn push(&mut self, block: &Block, gas_used: u64, receipts: Vec<ReceiptView>, label: Label) {
        self.push_indexed(IndexedBlock::new(block, gas_used, receipts, label));
    }

    fn push_indexed(&mut self, block: IndexedBlock) {
        let height = block.view.height;
        // A block replaces any at its height and above.
        while self.blocks.back().is_some_and(|b| b.view.height >= height) {
            if let Some(dropped) = self.blocks.pop_back() {
                self.forget(&dropped);
            }
        }
        if self
            .blocks
            .back()
            .is_some_and(|tip| tip.view.height + 1 != height)
        {
            // Not contiguous (the index is rebuilt from a later block).
            for dropped in std::mem::take(&mut self.blocks) {
                self.forget(&dropped);
            }
        }
        self.insert_back(block);
    }

    fn insert_back(&mut self, block: IndexedBlock) {
        let height = block.view.height;
        self.by_hash.insert(block.view.hash.clone(), height);
        for (i, r) in block.receipts.iter().enumerate() {
            self.txs.insert(r.hash.clone(), (height, i));
        }
        self.receipts += block.receipts.len();
        self.blocks.push_back(block);
        let min_blocks = MIN_INDEX_BLOCKS.min(self.window);
        while self.blocks.len() > self.window
            || (self.receipts > self.max_receipts && self.blocks.len() > min_blocks)
        {
            if let Some(old) = self.blocks.pop_front() {
                self.forget(&old);
            }
        }
    }

    /// Appends an executed block whose receipts' views are `receipts` ([`receipt_view`] of
    /// each of `executed`'s, made once for the store and the index).
    pub fn push_executed(
        &mut self,
        block: &Block,
        executed: &Executed,
        receipts: Vec<ReceiptView>,
        label: Label,
    ) {
        self.push(block, executed.output.gas_used, receipts, label);
    }

    /// Drops every block above `height`. When that empties the window, block `height` is
    /// reloaded from the archive (the tip is always in memory).
    pub fn revert(&mut self, height: u64) {
        while self
            .blocks
            .back()
            .is_some_and(|b| b.view.height > height && self.blocks.len() > 1)
        {
            if let Some(dropped) = self.blocks.pop_back() {
                self.forget(&dropped);
            }
        }
        if self.tip().view.height > height
            && let Some(block) = self.archive.as_ref().and_then(|a| a.block(height))
        {
            let dropped = std::mem::take(&mut self.blocks);
            for d in &dropped {
                self.forget(d);
            }
            self.insert_back(block);
        }
        self.finalized = self.finalized.min(self.tip().view.height);
    }

    /// Sets a block's label; returns whether it changed (a block below the window: whether the
    /// archive holds that block with another label; the caller rewrites the stored one).
    pub fn set_label(&mut self, height: u64, hash: &str, label: Label) -> bool {
        let changed = self
            .label_of(height, hash)
            .is_some_and(|l| l != label_name(label));
        if changed {
            self.apply_label_change(height, hash, label);
        }
        changed
    }

    /// Which of `changes` (in order, each after the ones before it) would change a block's
    /// label, as [`Self::set_label`] would answer. Asked before a store commit that writes
    /// them (`NodeStore::commit_block`): a block below the window is answered from the
    /// archive, the node's store, which after that commit holds the new labels already.
    pub fn label_changes(&self, changes: &[LabelChange]) -> Vec<bool> {
        changes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let hash = hex32(&c.hash);
                let Some(stored) = self.label_of(c.height, &hash) else {
                    return false;
                };
                let before = changes[..i]
                    .iter()
                    .rev()
                    .find(|e| (e.height, e.hash) == (c.height, c.hash))
                    .map_or(stored.as_str(), |e| label_name(e.label));
                before != label_name(c.label)
            })
            .collect()
    }

    /// Applies a label change [`Self::label_changes`] found (the caller's store has it): the
    /// block's label in the window, and [`Self::finalized`].
    pub fn apply_label_change(&mut self, height: u64, hash: &str, label: Label) {
        if let Some(index) = height.checked_sub(self.first_height())
            && let Some(b) = self
                .blocks
                .get_mut(usize::try_from(index).unwrap_or(usize::MAX))
            && b.view.hash == hash
        {
            b.view.label = label_name(label).into();
        }
        if label == Label::Final {
            self.finalized = self.finalized.max(height);
        }
    }

    /// The label of the block `hash` at `height`, if this index or its archive holds it.
    fn label_of(&self, height: u64, hash: &str) -> Option<String> {
        if height < self.first_height() {
            let block = self.archive.as_ref()?.block(height)?;
            (block.view.hash == hash).then_some(block.view.label)
        } else {
            let block = self.in_window(height)?;
            (block.view.hash == hash).then(|| block.view.label.clone())
        }
    }

    /// The tip.
    pub fn tip(&self) -> &IndexedBlock {
        // Never empty: built with the genesis block, and reverts keep the tip.
        self.blocks.back().expect("the index holds its tip")
    }

    fn in_window(&self, height: u64) -> Option<&IndexedBlock> {
        let index = height.checked_sub(self.first_height())?;
        self.blocks.get(usize::try_from(index).ok()?)
    }

    /// A block by height.
    pub fn by_height(&self, height: u64) -> Option<IndexedBlock> {
        if height > self.tip().view.height {
            return None;
        }
        match self.in_window(height) {
            Some(b) => Some(b.clone()),
            None => self.archive.as_ref()?.block(height),
        }
    }

    /// A block by hash.
    pub fn by_hash(&self, hash: &str) -> Option<IndexedBlock> {
        if let Some(h) = self.by_hash.get(hash) {
            return self.by_height(*h);
        }
        let height = self.archive.as_ref()?.height_of(&parse_hash(hash)?)?;
        self.by_height(height).filter(|b| b.view.hash == hash)
    }

    /// An included transaction: its block and receipt.
    pub fn tx(&self, hash: &str) -> Option<TxLocation> {
        let (height, i) = match self.txs.get(hash) {
            Some(found) => *found,
            None => self.archive.as_ref()?.tx(&parse_hash(hash)?)?,
        };
        let block = self.by_height(height)?;
        let receipt = block.receipts.get(i).filter(|r| r.hash == hash)?.clone();
        Some(TxLocation {
            height,
            block_hash: block.view.hash,
            receipt,
        })
    }

    /// Events matching `filter`, oldest first, at most [`MAX_EVENTS_PER_QUERY`].
    pub fn events(&self, filter: &EventFilter) -> Vec<EventView> {
        let limit = filter
            .limit
            .unwrap_or(MAX_EVENTS_PER_QUERY)
            .min(MAX_EVENTS_PER_QUERY);
        let from = filter.from_height.unwrap_or(0);
        let to = filter
            .to_height
            .unwrap_or(u64::MAX)
            .min(self.tip().view.height);
        let mut out = Vec::new();
        let mut height = from;
        while height <= to && out.len() < limit {
            let block = match self.in_window(height) {
                Some(b) => std::borrow::Cow::Borrowed(b),
                None => match self.archive.as_ref().and_then(|a| a.block(height)) {
                    Some(b) => std::borrow::Cow::Owned(b),
                    None => {
                        // Nothing older is known: go on from the window.
                        height = height.max(self.first_height()).max(height + 1);
                        continue;
                    }
                },
            };
            out.extend(
                block
                    .receipts
                    .iter()
                    .flat_map(|r| r.events.iter())
                    .filter(|e| filter.contract.as_ref().is_none_or(|c| *c == e.contract))
                    .filter(|e| filter.topic.as_ref().is_none_or(|t| *t == e.topic))
                    .take(limit - out.len())
                    .cloned(),
            );
            height += 1;
        }
        out
    }
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
