//! A node's index of its chain, as the API shows it: blocks by height and hash, transactions'
//! receipts, events, finality labels.
//!
//! **Compact, rendered on demand:** a block executed here is held as its header's fields and its
//! execution's receipts ([`BlockOutput`], an `Arc` the process's nodes share when they share
//! the execution: `executions.rs`), with two lookup maps of 32-byte keys (block hash → height,
//! transaction hash → height and position). The API's views ([`BlockView`], [`ReceiptView`],
//! [`EventView`]: hex strings) are made when the API asks, of what it asks: every node indexes
//! every block, but the API reads one node's index, and few receipts are ever read. A block read
//! back from the archive is held as the archive renders it ([`IndexedBlock`]).
//!
//! **Bounded memory:** only the last [`INDEX_WINDOW`] blocks (the tip included), and among them
//! at most [`MAX_INDEX_RECEIPTS`] receipts (but always the last [`MIN_INDEX_BLOCKS`] blocks,
//! whose labels still change), are held in memory with their receipts and lookup maps; older
//! blocks are answered from a [`BlockArchive`] (the node's store, whose records hold every
//! block, its receipts, its label and the tx-hash and block-hash lookups). Without an archive
//! (tests), older blocks are gone.

use super::render::{BlockHead, event_view, is_hex32, parse_hash};
pub use super::render::{hex32, label_name, receipt_view};
use crate::chain::BlockOutput;
use crate::node_api::{BlockView, EventFilter, EventView, HeadView, ReceiptView};
use consensus::{Block, Label, LabelChange};
use runtime::Event;
use std::borrow::Cow;
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

/// One block of the index, rendered.
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
        let hashes = receipts.iter().map(|r| r.hash.clone()).collect();
        let view = BlockHead::of(block, gas_used).view(hashes, label_name(label));
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

/// What the index holds of a block's contents.
enum Body {
    /// Executed by this node (or by another of the process, shared): rendered on demand.
    Executed {
        head: BlockHead,
        output: Arc<BlockOutput>,
    },
    /// Rendered already: read from the archive, or pushed as views. Its view's label is not
    /// read (the entry's is).
    Rendered(IndexedBlock),
}

/// One block in the index's memory.
struct Entry {
    height: u64,
    label: Cow<'static, str>,
    body: Body,
}

impl Entry {
    fn receipts_len(&self) -> usize {
        match &self.body {
            Body::Executed { output, .. } => output.receipts.len(),
            Body::Rendered(b) => b.receipts.len(),
        }
    }

    /// The block's hash, when it is one (a rendered view's may not parse).
    fn hash_bytes(&self) -> Option<[u8; 32]> {
        match &self.body {
            Body::Executed { head, .. } => Some(head.hash),
            Body::Rendered(b) => parse_hash(&b.view.hash),
        }
    }

    /// Whether the block's hash, in hex, is `hash`.
    fn hash_is(&self, hash: &str) -> bool {
        match &self.body {
            Body::Executed { head, .. } => is_hex32(hash, &head.hash),
            Body::Rendered(b) => b.view.hash == hash,
        }
    }

    fn hash_hex(&self) -> String {
        match &self.body {
            Body::Executed { head, .. } => hex32(&head.hash),
            Body::Rendered(b) => b.view.hash.clone(),
        }
    }

    /// Calls `f` with each transaction's hash (those that parse) and position.
    fn for_each_tx(&self, mut f: impl FnMut([u8; 32], usize)) {
        match &self.body {
            Body::Executed { output, .. } => {
                for (i, r) in output.receipts.iter().enumerate() {
                    f(r.hash.0, i);
                }
            }
            Body::Rendered(b) => {
                for (i, r) in b.receipts.iter().enumerate() {
                    if let Some(hash) = parse_hash(&r.hash) {
                        f(hash, i);
                    }
                }
            }
        }
    }

    /// The receipt at `i` if its hash is `hash`.
    fn receipt(&self, i: usize, hash: &str) -> Option<ReceiptView> {
        match &self.body {
            Body::Executed { output, .. } => {
                let r = output.receipts.get(i)?;
                is_hex32(hash, &r.hash.0).then(|| receipt_view(r, self.height))
            }
            Body::Rendered(b) => b.receipts.get(i).filter(|r| r.hash == hash).cloned(),
        }
    }

    /// The block's view (its transactions' hashes listed).
    fn view(&self) -> BlockView {
        match &self.body {
            Body::Executed { head, output } => {
                let hashes = output.receipts.iter().map(|r| hex32(&r.hash.0)).collect();
                head.view(hashes, &self.label)
            }
            Body::Rendered(b) => BlockView {
                label: self.label.to_string(),
                ..b.view.clone()
            },
        }
    }

    /// The block with its receipts, rendered.
    fn render(&self) -> IndexedBlock {
        match &self.body {
            Body::Executed { output, .. } => IndexedBlock {
                view: self.view(),
                receipts: output
                    .receipts
                    .iter()
                    .map(|r| receipt_view(r, self.height))
                    .collect(),
            },
            Body::Rendered(b) => IndexedBlock {
                view: self.view(),
                receipts: b.receipts.clone(),
            },
        }
    }

    /// Appends to `out` the events matching `filter` (`contract`: the filter's contract as
    /// bytes, `None` inside when it is not lowercase hex), at most `limit` in all.
    fn events(
        &self,
        filter: &EventFilter,
        contract: Option<Option<[u8; 32]>>,
        limit: usize,
        out: &mut Vec<EventView>,
    ) {
        match &self.body {
            Body::Executed { output, .. } => {
                let wanted = |e: &&Event| {
                    contract.is_none_or(|c| c.is_some_and(|c| c == e.contract.0))
                        && filter.topic.as_ref().is_none_or(|t| *t == e.topic)
                };
                for r in &output.receipts {
                    if out.len() >= limit {
                        return;
                    }
                    let mut matching = r.events.iter().filter(wanted).peekable();
                    if matching.peek().is_none() {
                        continue;
                    }
                    let tx_hash = hex32(&r.hash.0);
                    let left = limit - out.len();
                    out.extend(
                        matching
                            .take(left)
                            .map(|e| event_view(e, self.height, &tx_hash)),
                    );
                }
            }
            Body::Rendered(b) => events_of(b, filter, limit, out),
        }
    }
}

/// Appends to `out` the events of a rendered block matching `filter`, at most `limit` in all.
fn events_of(block: &IndexedBlock, filter: &EventFilter, limit: usize, out: &mut Vec<EventView>) {
    let left = limit.saturating_sub(out.len());
    out.extend(
        block
            .receipts
            .iter()
            .flat_map(|r| r.events.iter())
            .filter(|e| filter.contract.as_ref().is_none_or(|c| *c == e.contract))
            .filter(|e| filter.topic.as_ref().is_none_or(|t| *t == e.topic))
            .take(left)
            .cloned(),
    );
}

/// A node's chain as the API sees it (see the [module docs](self)).
pub struct ChainIndex {
    /// The last blocks, contiguous, ending at the tip (never empty).
    blocks: VecDeque<Entry>,
    by_hash: HashMap<[u8; 32], u64>,
    txs: HashMap<[u8; 32], (u64, usize)>,
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
            .field("tip", &self.tip_height())
            .field("in_memory", &self.blocks.len())
            .field("finalized", &self.finalized)
            .finish()
    }
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
        self.tip_height() + 1 - self.blocks.len() as u64
    }

    fn forget(&mut self, entry: &Entry) {
        self.receipts -= entry.receipts_len();
        if let Some(hash) = entry.hash_bytes() {
            self.by_hash.remove(&hash);
        }
        entry.for_each_tx(|hash, _| {
            self.txs.remove(&hash);
        });
    }

    /// Appends a block with its receipts' views (dropping any above its height first).
    pub fn push(&mut self, block: &Block, gas_used: u64, receipts: Vec<ReceiptView>, label: Label) {
        let rendered = IndexedBlock::new(block, gas_used, receipts, label);
        self.push_entry(Entry {
            height: rendered.view.height,
            label: Cow::Borrowed(label_name(label)),
            body: Body::Rendered(rendered),
        });
    }

    /// Appends an executed block (dropping any above its height first): its receipts as the
    /// execution made them, shared, rendered when the API asks.
    pub fn push_executed(&mut self, block: &Block, output: &Arc<BlockOutput>, label: Label) {
        let head = BlockHead::of(block, output.gas_used);
        self.push_entry(Entry {
            height: head.height,
            label: Cow::Borrowed(label_name(label)),
            body: Body::Executed {
                head,
                output: output.clone(),
            },
        });
    }

    fn push_entry(&mut self, entry: Entry) {
        let height = entry.height;
        // A block replaces any at its height and above.
        while self.blocks.back().is_some_and(|b| b.height >= height) {
            if let Some(dropped) = self.blocks.pop_back() {
                self.forget(&dropped);
            }
        }
        if self
            .blocks
            .back()
            .is_some_and(|tip| tip.height + 1 != height)
        {
            // Not contiguous (the index is rebuilt from a later block).
            for dropped in std::mem::take(&mut self.blocks) {
                self.forget(&dropped);
            }
        }
        self.insert_back(entry);
    }

    fn insert_back(&mut self, entry: Entry) {
        let height = entry.height;
        if let Some(hash) = entry.hash_bytes() {
            self.by_hash.insert(hash, height);
        }
        self.txs.reserve(entry.receipts_len());
        entry.for_each_tx(|hash, i| {
            self.txs.insert(hash, (height, i));
        });
        self.receipts += entry.receipts_len();
        self.blocks.push_back(entry);
        let min_blocks = MIN_INDEX_BLOCKS.min(self.window);
        while self.blocks.len() > self.window
            || (self.receipts > self.max_receipts && self.blocks.len() > min_blocks)
        {
            if let Some(old) = self.blocks.pop_front() {
                self.forget(&old);
            }
        }
    }

    /// Drops every block above `height`. When that empties the window, block `height` is
    /// reloaded from the archive (the tip is always in memory).
    pub fn revert(&mut self, height: u64) {
        while self
            .blocks
            .back()
            .is_some_and(|b| b.height > height && self.blocks.len() > 1)
        {
            if let Some(dropped) = self.blocks.pop_back() {
                self.forget(&dropped);
            }
        }
        if self.tip_height() > height
            && let Some(block) = self.archive.as_ref().and_then(|a| a.block(height))
        {
            let dropped = std::mem::take(&mut self.blocks);
            for d in &dropped {
                self.forget(d);
            }
            self.insert_back(Entry {
                height: block.view.height,
                label: Cow::Owned(block.view.label.clone()),
                body: Body::Rendered(block),
            });
        }
        self.finalized = self.finalized.min(self.tip_height());
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
                    .map_or(&*stored, |e| label_name(e.label));
                before != label_name(c.label)
            })
            .collect()
    }

    /// Applies a label change [`Self::label_changes`] found (the caller's store has it): the
    /// block's label in the window, and [`Self::finalized`].
    pub fn apply_label_change(&mut self, height: u64, hash: &str, label: Label) {
        if let Some(b) = self.in_window_mut(height)
            && b.hash_is(hash)
        {
            b.label = Cow::Borrowed(label_name(label));
        }
        if label == Label::Final {
            self.finalized = self.finalized.max(height);
        }
    }

    /// The label of the block `hash` at `height`, if this index or its archive holds it.
    fn label_of(&self, height: u64, hash: &str) -> Option<Cow<'static, str>> {
        if height < self.first_height() {
            let block = self.archive.as_ref()?.block(height)?;
            (block.view.hash == hash).then_some(Cow::Owned(block.view.label))
        } else {
            let block = self.in_window(height)?;
            block.hash_is(hash).then(|| block.label.clone())
        }
    }

    fn tip_entry(&self) -> &Entry {
        // Never empty: built with the genesis block, and reverts keep the tip.
        self.blocks.back().expect("the index holds its tip")
    }

    /// The tip's height.
    pub fn tip_height(&self) -> u64 {
        self.tip_entry().height
    }

    /// The tip's height and timestamp (ms).
    pub fn tip_time(&self) -> (u64, u64) {
        let tip = self.tip_entry();
        let timestamp = match &tip.body {
            Body::Executed { head, .. } => head.timestamp_ms,
            Body::Rendered(b) => b.view.timestamp_ms,
        };
        (tip.height, timestamp)
    }

    /// The head as the API shows it: the tip's height, hash, state root and label, and the
    /// finalized height.
    pub fn head(&self) -> HeadView {
        let tip = self.tip_entry();
        let state_root = match &tip.body {
            Body::Executed { head, .. } => hex32(&head.state_root),
            Body::Rendered(b) => b.view.state_root.clone(),
        };
        HeadView {
            height: tip.height,
            hash: tip.hash_hex(),
            state_root,
            finalized_height: self.finalized,
            label: tip.label.to_string(),
        }
    }

    /// The tip, rendered.
    pub fn tip(&self) -> IndexedBlock {
        self.tip_entry().render()
    }

    fn in_window(&self, height: u64) -> Option<&Entry> {
        let index = height.checked_sub(self.first_height())?;
        self.blocks.get(usize::try_from(index).ok()?)
    }

    fn in_window_mut(&mut self, height: u64) -> Option<&mut Entry> {
        let index = height.checked_sub(self.first_height())?;
        self.blocks.get_mut(usize::try_from(index).ok()?)
    }

    /// A block by height, with its receipts.
    pub fn by_height(&self, height: u64) -> Option<IndexedBlock> {
        if height > self.tip_height() {
            return None;
        }
        match self.in_window(height) {
            Some(b) => Some(b.render()),
            None => self.archive.as_ref()?.block(height),
        }
    }

    /// A block's view by height (its receipts not rendered when in memory).
    pub fn view_by_height(&self, height: u64) -> Option<BlockView> {
        if height > self.tip_height() {
            return None;
        }
        match self.in_window(height) {
            Some(b) => Some(b.view()),
            None => Some(self.archive.as_ref()?.block(height)?.view),
        }
    }

    /// The height of the block `hash` (lowercase hex), in memory or in the archive.
    fn height_of(&self, hash: &str) -> Option<u64> {
        let bytes = parse_hash(hash)?;
        match self.by_hash.get(&bytes) {
            Some(h) => Some(*h),
            None => self.archive.as_ref()?.height_of(&bytes),
        }
    }

    /// A block by hash, with its receipts.
    pub fn by_hash(&self, hash: &str) -> Option<IndexedBlock> {
        self.by_height(self.height_of(hash)?)
            .filter(|b| b.view.hash == hash)
    }

    /// A block's view by hash (its receipts not rendered when in memory).
    pub fn view_by_hash(&self, hash: &str) -> Option<BlockView> {
        self.view_by_height(self.height_of(hash)?)
            .filter(|b| b.hash == hash)
    }

    /// An included transaction: its block and receipt.
    pub fn tx(&self, hash: &str) -> Option<TxLocation> {
        let bytes = parse_hash(hash)?;
        let (height, i) = match self.txs.get(&bytes) {
            Some(found) => *found,
            None => self.archive.as_ref()?.tx(&bytes)?,
        };
        if height > self.tip_height() {
            return None;
        }
        let (block_hash, receipt) = match self.in_window(height) {
            Some(b) => (b.hash_hex(), b.receipt(i, hash)?),
            None => {
                let block = self.archive.as_ref()?.block(height)?;
                let receipt = block.receipts.get(i).filter(|r| r.hash == hash)?.clone();
                (block.view.hash, receipt)
            }
        };
        Some(TxLocation {
            height,
            block_hash,
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
        let to = filter.to_height.unwrap_or(u64::MAX).min(self.tip_height());
        let contract = filter.contract.as_deref().map(parse_hash);
        let mut out = Vec::new();
        let mut height = from;
        while height <= to && out.len() < limit {
            match self.in_window(height) {
                Some(b) => b.events(filter, contract, limit, &mut out),
                None => match self.archive.as_ref().and_then(|a| a.block(height)) {
                    Some(b) => events_of(&b, filter, limit, &mut out),
                    None => {
                        // Nothing older is known: go on from the window.
                        height = height.max(self.first_height()).max(height + 1);
                        continue;
                    }
                },
            }
            height += 1;
        }
        out
    }
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "index_render_tests.rs"]
mod render_tests;
