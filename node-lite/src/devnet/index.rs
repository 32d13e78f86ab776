//! A node's index of its chain, as the API shows it: blocks by height and hash, transactions'
//! receipts, events, finality labels. Rebuilt from the blocks (kept in memory; the store's
//! records hold the blocks themselves).

use super::executor::Executed;
use crate::chain::block_exec::TxReceipt;
use crate::node_api::{BlockView, EventFilter, EventView, ReceiptView};
use consensus::{Block, Label};
use std::collections::HashMap;

/// Most events one `events` query returns.
pub const MAX_EVENTS_PER_QUERY: usize = 1_000;

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

/// A node's chain as the API sees it.
#[derive(Debug, Default)]
pub struct ChainIndex {
    /// Blocks by height (index 0 = genesis).
    pub blocks: Vec<IndexedBlock>,
    by_hash: HashMap<String, u64>,
    txs: HashMap<String, (u64, usize)>,
    /// Highest final height.
    pub finalized: u64,
}

impl ChainIndex {
    /// An index holding the genesis block.
    pub fn new(genesis: &Block) -> Self {
        let mut index = ChainIndex::default();
        index.push(genesis, 0, Vec::new(), Label::Final);
        index
    }

    /// Appends a block with its receipts.
    pub fn push(&mut self, block: &Block, gas_used: u64, receipts: Vec<ReceiptView>, label: Label) {
        let h = block.header();
        let hash = hex32(&block.hash());
        let view = BlockView {
            height: h.height,
            iteration: h.iteration,
            hash: hash.clone(),
            prev_hash: hex32(&h.prev_hash),
            timestamp_ms: h.timestamp,
            state_root: hex32(&h.state_root),
            generator: hex::encode(h.generator.0),
            gas_used,
            transactions: receipts.iter().map(|r| r.hash.clone()).collect(),
            label: label_name(label).into(),
        };
        self.blocks.truncate(h.height as usize);
        self.by_hash.insert(hash, h.height);
        for (i, r) in receipts.iter().enumerate() {
            self.txs.insert(r.hash.clone(), (h.height, i));
        }
        self.blocks.push(IndexedBlock { view, receipts });
    }

    /// Appends an executed block.
    pub fn push_executed(&mut self, block: &Block, executed: &Executed, label: Label) {
        let height = block.header().height;
        let receipts = executed
            .receipts()
            .iter()
            .map(|r| receipt_view(r, height))
            .collect();
        self.push(block, executed.output.gas_used, receipts, label);
    }

    /// Drops every block above `height`.
    pub fn revert(&mut self, height: u64) {
        for dropped in self
            .blocks
            .drain((height as usize + 1).min(self.blocks.len())..)
        {
            self.by_hash.remove(&dropped.view.hash);
            for r in &dropped.receipts {
                self.txs.remove(&r.hash);
            }
        }
    }

    /// Sets a block's label; returns whether it changed.
    pub fn set_label(&mut self, height: u64, hash: &str, label: Label) -> bool {
        let name = label_name(label);
        let Some(b) = self.blocks.get_mut(height as usize) else {
            return false;
        };
        if b.view.hash != hash || b.view.label == name {
            return false;
        }
        b.view.label = name.into();
        if label == Label::Final {
            self.finalized = self.finalized.max(height);
        }
        true
    }

    /// The tip.
    pub fn tip(&self) -> &IndexedBlock {
        // Never empty: built with the genesis block, and reverts keep it.
        self.blocks.last().expect("the index holds genesis")
    }

    /// A block by height.
    pub fn by_height(&self, height: u64) -> Option<&IndexedBlock> {
        self.blocks.get(usize::try_from(height).ok()?)
    }

    /// A block by hash.
    pub fn by_hash(&self, hash: &str) -> Option<&IndexedBlock> {
        self.by_hash.get(hash).and_then(|h| self.by_height(*h))
    }

    /// An included transaction: its block and receipt.
    pub fn tx(&self, hash: &str) -> Option<(&IndexedBlock, &ReceiptView)> {
        let (height, i) = self.txs.get(hash)?;
        let block = self.by_height(*height)?;
        Some((block, block.receipts.get(*i)?))
    }

    /// Events matching `filter`, oldest first, at most [`MAX_EVENTS_PER_QUERY`].
    pub fn events(&self, filter: &EventFilter) -> Vec<EventView> {
        let limit = filter
            .limit
            .unwrap_or(MAX_EVENTS_PER_QUERY)
            .min(MAX_EVENTS_PER_QUERY);
        let from = filter.from_height.unwrap_or(0);
        let to = filter.to_height.unwrap_or(u64::MAX);
        self.blocks
            .iter()
            .filter(|b| (from..=to).contains(&b.view.height))
            .flat_map(|b| b.receipts.iter().flat_map(|r| r.events.iter()))
            .filter(|e| filter.contract.as_ref().is_none_or(|c| *c == e.contract))
            .filter(|e| filter.topic.as_ref().is_none_or(|t| *t == e.topic))
            .take(limit)
            .cloned()
            .collect()
    }
}
