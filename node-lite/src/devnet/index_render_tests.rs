//! The index renders on demand what it rendered at push time before: every view of a block
//! with events (two contracts, two topics), a failed transaction (its event reverted) and a
//! deploy is compared, field for field and as JSON, with the views the earlier code made (kept
//! below, verbatim, as the reference).

use super::*;
use crate::chain::block_exec::{TxFailure, TxReceipt};
use crate::chain::{BlockOutput, TxHash};
use crate::devnet::render::{block_view, event_views};
use consensus::Genesis;
use genesis_types::Seed;
use host_api::{Address, ContractId};
use runtime::CallError;

/// The earlier `receipt_view`, rendered at push time on every node.
fn old_receipt_view(r: &TxReceipt, height: u64) -> ReceiptView {
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

/// The earlier `IndexedBlock::new`'s view.
fn old_block_view(
    block: &Block,
    gas_used: u64,
    receipts: &[ReceiptView],
    label: Label,
) -> BlockView {
    let h = block.header();
    BlockView {
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
    }
}

/// The earlier `events` over one block's views.
fn old_events(receipts: &[ReceiptView], filter: &EventFilter) -> Vec<EventView> {
    let limit = filter.limit.unwrap_or(MAX_EVENTS_PER_QUERY);
    receipts
        .iter()
        .flat_map(|r| r.events.iter())
        .filter(|e| filter.contract.as_ref().is_none_or(|c| *c == e.contract))
        .filter(|e| filter.topic.as_ref().is_none_or(|t| *t == e.topic))
        .take(limit)
        .cloned()
        .collect()
}

fn event(contract: u8, topic: &str, data: &[u8], reverted: bool) -> runtime::Event {
    runtime::Event {
        contract: ContractId([contract; 32]),
        topic: topic.into(),
        data: data.to_vec(),
        reverted,
    }
}

/// A call with events from two contracts, a failed call whose event was reverted, a deploy.
fn receipts() -> Vec<TxReceipt> {
    let base = TxReceipt {
        hash: TxHash([0xa1; 32]),
        sender: Address([0x5e; 32]),
        nonce: 7,
        gas_limit: 1_000_000,
        gas_spent: 123_456,
        fee_paid: u128::MAX - 1,
        result: Ok(vec![0xde, 0xad]),
        deployed: None,
        events: vec![
            event(0xc1, "transfer", &[1, 2, 3], false),
            event(0xc2, "mint", &[], false),
            event(0xc1, "mint", &[4], false),
        ],
    };
    let failed = TxReceipt {
        hash: TxHash([0xb2; 32]),
        nonce: 8,
        result: Err(TxFailure::Call(CallError::Panic("no way".into()))),
        events: vec![event(0xc1, "transfer", &[9], true)],
        ..base.clone()
    };
    let deploy = TxReceipt {
        hash: TxHash([0xc3; 32]),
        nonce: 9,
        result: Ok(Vec::new()),
        deployed: Some(ContractId([0xd4; 32])),
        events: Vec::new(),
        ..base.clone()
    };
    vec![base, failed, deploy]
}

/// Genesis and block 1 (iteration 2, a generator key of its own) executed to `receipts`.
fn block_and_execution() -> (Block, Block, Arc<BlockOutput>) {
    let genesis = Block::genesis(&Genesis {
        seed: Seed([7; 48]),
        state_root: [1; 32],
        timestamp: 0,
    });
    let mut block = genesis.clone();
    block.candidate.header.height = 1;
    block.candidate.header.iteration = 2;
    block.candidate.header.prev_hash = genesis.hash();
    block.candidate.header.timestamp = 1_234;
    block.candidate.header.state_root = [0x57; 32];
    block.candidate.header.generator.0 = [0x9e; 96];
    let mut output = crate::devnet::executor::tests::empty_output();
    output.receipts = receipts();
    output.gas_used = 3 * 123_456;
    (genesis, block, Arc::new(output))
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("views serialize")
}

#[test]
fn views_rendered_on_demand_are_the_ones_rendered_at_push_time() {
    let (genesis, block, output) = block_and_execution();
    let label = Label::Attested(1);
    let old_receipts: Vec<ReceiptView> = output
        .receipts
        .iter()
        .map(|r| old_receipt_view(r, 1))
        .collect();
    let gas = output.gas_used;
    let old_view = old_block_view(&block, gas, &old_receipts, label);
    assert!(old_receipts[1].error.is_some() && old_receipts[2].deployed.is_some());

    let mut index = ChainIndex::new(&genesis);
    index.push_executed(&block, &output, label);
    let hash = hex32(&block.hash());

    // The block, by height and by hash, with and without its receipts; the tip; the head.
    let rendered = index.by_height(1).expect("in memory");
    assert_eq!(json(&rendered.view), json(&old_view));
    assert_eq!(json(&rendered.receipts), json(&old_receipts));
    assert_eq!(rendered.view, old_view);
    assert_eq!(rendered.receipts, old_receipts);
    assert_eq!(
        index.by_hash(&hash).expect("by hash").receipts,
        old_receipts
    );
    assert_eq!(index.view_by_height(1), Some(old_view.clone()));
    assert_eq!(index.view_by_hash(&hash), Some(old_view.clone()));
    assert_eq!(index.tip().view, old_view);
    assert_eq!(index.tip_time(), (1, 1_234));
    let head = index.head();
    assert_eq!(
        (head.height, &head.hash, &head.state_root, &head.label),
        (1, &old_view.hash, &old_view.state_root, &old_view.label)
    );
    // Another spelling of the hash is not this block's (as before: the index spells hashes
    // in lowercase).
    assert!(index.view_by_hash(&hash.to_uppercase()).is_none());
    assert!(index.by_hash(&hash.to_uppercase()).is_none());

    // Each transaction.
    for old in &old_receipts {
        let found = index.tx(&old.hash).expect("included");
        assert_eq!((found.height, &found.block_hash), (1, &old_view.hash));
        assert_eq!(json(&found.receipt), json(old));
        assert!(index.tx(&old.hash.to_uppercase()).is_none());
    }

    // Events, with every filter.
    let c1 = hex32(&[0xc1; 32]);
    let filters = [
        EventFilter::default(),
        EventFilter {
            contract: Some(c1.clone()),
            ..EventFilter::default()
        },
        EventFilter {
            contract: Some(c1.to_uppercase()),
            ..EventFilter::default()
        },
        EventFilter {
            topic: Some("mint".into()),
            ..EventFilter::default()
        },
        EventFilter {
            contract: Some(c1),
            topic: Some("transfer".into()),
            ..EventFilter::default()
        },
        EventFilter {
            limit: Some(2),
            ..EventFilter::default()
        },
        EventFilter {
            from_height: Some(1),
            to_height: Some(1),
            limit: Some(4),
            ..EventFilter::default()
        },
    ];
    for filter in &filters {
        let old = old_events(&old_receipts, filter);
        assert_eq!(json(&index.events(filter)), json(&old), "{filter:?}");
    }
    assert_eq!(index.events(&filters[0]).len(), 4);
    assert_eq!(index.events(&filters[2]).len(), 0);

    // What the event stream sends: the block and its events.
    assert_eq!(block_view(&block, &output, label), old_view);
    let all: Vec<EventView> = old_receipts.iter().flat_map(|r| r.events.clone()).collect();
    assert_eq!(json(&event_views(&output.receipts, 1)), json(&all));

    // A label change shows in every view.
    assert!(index.set_label(1, &hash, Label::Final));
    let final_view = BlockView {
        label: "final".into(),
        ..old_view
    };
    assert_eq!(index.view_by_height(1), Some(final_view.clone()));
    assert_eq!(index.by_height(1).expect("in memory").view, final_view);
    assert_eq!(index.head().label, "final");
}
