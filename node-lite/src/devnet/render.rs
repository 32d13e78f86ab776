//! The API's views of a chain's blocks, receipts and events ([`BlockView`], [`ReceiptView`],
//! [`EventView`]: hex strings), rendered from what execution made (the block's header and its
//! [`TxReceipt`]s). The chain index (`index.rs`) keeps the latter and renders on demand; the
//! store records the receipts' views; the event stream sends the views of each block once.

use crate::chain::BlockOutput;
use crate::chain::block_exec::TxReceipt;
use crate::node_api::{BlockView, EventView, ReceiptView};
use consensus::{Block, Label};
use genesis_types::BlsPublicKey;
use runtime::Event;

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

/// Whether `s` is `bytes` in lowercase hex ([`hex32`]), without allocating.
pub fn is_hex32(s: &str, bytes: &[u8; 32]) -> bool {
    let mut buf = [0u8; 64];
    // The buffer is exactly twice the input: encoding cannot fail.
    hex::encode_to_slice(bytes, &mut buf).is_ok() && s.as_bytes() == buf
}

/// The bytes of `hash` if it is lowercase hex of 32 bytes, as the index spells hashes (the API
/// answers nothing for another spelling of a hash).
pub fn parse_hash(hash: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hash, &mut out).ok()?;
    is_hex32(hash, &out).then_some(out)
}

/// The API's view of an event of the transaction `tx_hash` (hex) in block `height`.
pub fn event_view(e: &Event, height: u64, tx_hash: &str) -> EventView {
    EventView {
        height,
        tx_hash: tx_hash.to_string(),
        contract: hex32(&e.contract.0),
        topic: e.topic.clone(),
        data: hex::encode(&e.data),
        reverted: e.reverted,
    }
}

/// The API's view of a receipt.
pub fn receipt_view(r: &TxReceipt, height: u64) -> ReceiptView {
    let tx_hash = hex32(&r.hash.0);
    ReceiptView {
        events: r
            .events
            .iter()
            .map(|e| event_view(e, height, &tx_hash))
            .collect(),
        hash: tx_hash,
        sender: hex32(&r.sender.0),
        nonce: r.nonce,
        gas_limit: r.gas_limit,
        gas_spent: r.gas_spent,
        fee_paid: r.fee_paid.to_string(),
        success: r.result.is_ok(),
        return_data: r.result.as_ref().ok().map(hex::encode),
        error: r.result.as_ref().err().map(|e| e.to_string()),
        deployed: r.deployed.map(|d| hex32(&d.0)),
    }
}

/// The API's views of the events of `receipts` (block `height`), in order.
pub fn event_views(receipts: &[TxReceipt], height: u64) -> Vec<EventView> {
    let mut out = Vec::new();
    for r in receipts.iter().filter(|r| !r.events.is_empty()) {
        let tx_hash = hex32(&r.hash.0);
        out.extend(r.events.iter().map(|e| event_view(e, height, &tx_hash)));
    }
    out
}

/// A block's header fields the API shows, as bytes.
#[derive(Clone, Debug)]
pub struct BlockHead {
    /// Height.
    pub height: u64,
    /// Iteration at which it was decided.
    pub iteration: u8,
    /// Its hash.
    pub hash: [u8; 32],
    /// The previous block's hash.
    pub prev_hash: [u8; 32],
    /// Its timestamp (ms).
    pub timestamp_ms: u64,
    /// Post-state root.
    pub state_root: [u8; 32],
    /// The generator's key.
    pub generator: BlsPublicKey,
    /// Gas its transactions spent.
    pub gas_used: u64,
}

impl BlockHead {
    /// `block`'s, whose transactions spent `gas_used`.
    pub fn of(block: &Block, gas_used: u64) -> Self {
        let h = block.header();
        BlockHead {
            height: h.height,
            iteration: h.iteration,
            hash: block.hash(),
            prev_hash: h.prev_hash,
            timestamp_ms: h.timestamp,
            state_root: h.state_root,
            generator: h.generator,
            gas_used,
        }
    }

    /// The API's view of the block, with its transactions' hashes (hex) and label.
    pub fn view(&self, transactions: Vec<String>, label: &str) -> BlockView {
        BlockView {
            height: self.height,
            iteration: self.iteration,
            hash: hex32(&self.hash),
            prev_hash: hex32(&self.prev_hash),
            timestamp_ms: self.timestamp_ms,
            state_root: hex32(&self.state_root),
            generator: hex::encode(self.generator.0),
            gas_used: self.gas_used,
            transactions,
            label: label.into(),
        }
    }
}

/// The API's view of an executed block labelled `label`.
pub fn block_view(block: &Block, output: &BlockOutput, label: Label) -> BlockView {
    let hashes = output.receipts.iter().map(|r| hex32(&r.hash.0));
    BlockHead::of(block, output.gas_used).view(hashes.collect(), label_name(label))
}
