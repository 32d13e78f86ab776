//! The store's tests: the receipts' stored form, and the own messages' records (a message
//! persisted is found after a reopen; the ones a final block passes are dropped; a revert and
//! the earlier one-record form keep them).

use super::*;
use crate::chain::TxHash;
use crate::chain::block_exec::TxReceipt;
use host_api::{Address, ContractId};

/// The borrowed form `commit_block` writes is byte for byte the JSON of
/// [`StoredReceipts`], and reads back as it.
#[test]
fn borrowed_receipts_write_the_stored_json() {
    let receipt = TxReceipt {
        hash: TxHash([1; 32]),
        sender: Address([2; 32]),
        nonce: 3,
        gas_limit: 4,
        gas_spent: 5,
        fee_paid: 6,
        result: Ok(vec![7, 8]),
        deployed: Some(ContractId([9; 32])),
        events: vec![runtime::Event {
            contract: ContractId([10; 32]),
            topic: "t".into(),
            data: vec![11],
            reverted: false,
        }],
    };
    let views = vec![super::super::index::receipt_view(&receipt, 12); 2];
    let owned = StoredReceipts {
        gas_used: 13,
        receipts: views.clone(),
    };
    let borrowed = StoredReceiptsRef {
        gas_used: 13,
        receipts: &views,
    };
    let bytes = serde_json::to_vec(&borrowed).unwrap();
    assert_eq!(bytes, serde_json::to_vec(&owned).unwrap());
    let back: StoredReceipts = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(back.gas_used, 13);
    assert_eq!(back.receipts, views);
}

fn vote(round: u64, iteration: u8, step: Step, from: u64) -> Record {
    // The store keeps messages opaque: any message stands for a vote here.
    Record {
        slot: (round, iteration, step),
        message: Arc::new(Message::GetBlocks { from }),
    }
}

fn reopen(dir: &tempfile::TempDir) -> NodeStore {
    NodeStore::open(&dir.path().join(FILE_NAME)).unwrap()
}

fn final_label(height: u64) -> LabelChange {
    LabelChange {
        height,
        hash: [height as u8; 32],
        label: Label::Final,
    }
}

/// The rule: an own message is durable when `persist_record` returns, so a restart finds
/// every one (a later message of the same slot replacing the earlier), in order.
#[test]
fn own_messages_persisted_are_found_after_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let sent = [
        vote(1, 0, Step::Proposal, 10),
        vote(1, 0, Step::Validation, 11),
        vote(1, 1, Step::Validation, 12),
        vote(2, 0, Step::Ratification, 13),
    ];
    {
        let store = reopen(&dir);
        assert!(store.load_votes().unwrap().is_empty());
        for r in &sent {
            store.persist_record(r);
        }
        store.persist_record(&vote(1, 1, Step::Validation, 14));
        assert_eq!(store.failure(), None);
    }
    let store = reopen(&dir);
    let found = store.load_votes().unwrap();
    let expected = [
        sent[0].clone(),
        sent[1].clone(),
        sent[3].clone(),
        vote(1, 1, Step::Validation, 14),
    ];
    assert_eq!(found, expected);
    // Each message has a record of its own, besides the slot list.
    assert!(store.wal.record(&slot_key(sent[3].slot)).unwrap().is_some());
}

/// Past the bound: a final block drops the own messages of its round and below (their
/// records too), and keeps the later ones.
#[test]
fn a_final_label_drops_the_own_messages_it_passes() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = reopen(&dir);
        for round in 1..=4 {
            store.persist_record(&vote(round, 0, Step::Validation, round));
        }
        store.persist_label(&final_label(2));
    }
    let store = reopen(&dir);
    let rounds: Vec<u64> = store
        .load_votes()
        .unwrap()
        .iter()
        .map(|r| r.slot.0)
        .collect();
    assert_eq!(rounds, [3, 4]);
    for round in 1..=2 {
        let key = slot_key((round, 0, Step::Validation));
        assert_eq!(store.wal.record(&key).unwrap(), None, "round {round}");
    }
    // A message persisted after the label is kept with the others.
    store.persist_record(&vote(5, 0, Step::Proposal, 5));
    drop(store);
    assert_eq!(reopen(&dir).load_votes().unwrap().len(), 3);
}

/// A revert takes the records back to the version it keeps, own messages written since
/// included: they were sent, so the revert writes them again.
#[test]
fn a_revert_keeps_the_own_messages_sent_since() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = reopen(&dir);
        let write = |value: u8| {
            let mut changes = ChangeSet::default();
            changes
                .storage
                .entry(ContractId([1; 32]))
                .or_default()
                .insert(vec![1], Some(vec![value]));
            store.state().commit(changes).unwrap()
        };
        let kept = write(1);
        store.persist_record(&vote(2, 0, Step::Validation, 2));
        write(2);
        store.persist_record(&vote(3, 0, Step::Validation, 3));
        store.revert_to(&hex::encode(kept.0), 1).unwrap();
        assert_eq!(store.root(), Some(kept.0));
    }
    let rounds: Vec<u64> = reopen(&dir)
        .load_votes()
        .unwrap()
        .iter()
        .map(|r| r.slot.0)
        .collect();
    assert_eq!(rounds, [2, 3]);
}

/// A store of the earlier form (every own message in the one record `v`) is read, rewritten
/// in the per-slot form at once, and found again after another reopen.
#[test]
fn the_earlier_one_record_form_is_read_and_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let sent = [
        vote(7, 0, Step::Proposal, 1),
        vote(7, 0, Step::Validation, 2),
    ];
    {
        let store = reopen(&dir);
        let list: Vec<(u64, u8, u8, Message)> = sent
            .iter()
            .map(|r| (r.slot.0, r.slot.1, r.slot.2 as u8, (*r.message).clone()))
            .collect();
        let mut records = RecordWrites::new();
        records.insert(vec![VOTE], Some(encode(&list)));
        store.write_records(&records).unwrap();
    }
    {
        let store = reopen(&dir);
        assert_eq!(store.load_votes().unwrap(), sent);
        assert_eq!(store.wal.record(&[VOTE]).unwrap(), None);
    }
    assert_eq!(reopen(&dir).load_votes().unwrap(), sent);
}

pub(super) fn executed_over(store: &NodeStore, value: u8) -> Executed {
    let mut changes = ChangeSet::default();
    changes
        .storage
        .entry(ContractId([1; 32]))
        .or_default()
        .insert(vec![1], Some(vec![value]));
    Executed {
        base_root: store.wal.root().unwrap(),
        changes: Arc::new(changes),
        items: Default::default(),
        output: Arc::new(crate::chain::block_exec::BlockOutput {
            receipts: Vec::new(),
            excluded: Vec::new(),
            gas_used: 0,
            protocol: crate::chain::block_exec::ProtocolReport {
                fee_beneficiary: Address([0; 32]),
                rewards: Vec::new(),
                missed: Vec::new(),
                slashes: Vec::new(),
            },
        }),
        mints: Vec::new(),
        root: [0; 32],
        next_eligible: Vec::new(),
        stored_receipts: Default::default(),
    }
}

/// A block is committed with the label changes its acceptance made (the parent's `Confirmed`
/// then `Final`, as the consensus lists them): a reopen finds the parent final and the own
/// messages of its round dropped, with no transaction of their own.
#[test]
fn a_block_commits_the_label_changes_it_made_and_their_vote_drops() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = Block::genesis(&consensus::Genesis {
        seed: genesis_types::Seed([0; 48]),
        state_root: [0; 32],
        timestamp: 0,
    });
    let child = |parent: &Block| {
        let mut block = parent.clone();
        block.candidate.header.height += 1;
        block.candidate.header.prev_hash = parent.hash();
        block
    };
    let b1 = child(&genesis);
    let b2 = child(&b1);
    {
        let store = reopen(&dir);
        store.persist_record(&vote(1, 0, Step::Validation, 1));
        let e1 = executed_over(&store, 1);
        store
            .commit_block(&b1, &e1, &[], Label::Attested(1), &[])
            .unwrap();
        store.persist_record(&vote(2, 0, Step::Validation, 2));
        let changes = [
            LabelChange {
                height: 2,
                hash: b2.hash(),
                label: Label::Attested(1),
            },
            LabelChange {
                height: 1,
                hash: b1.hash(),
                label: Label::Confirmed,
            },
            LabelChange {
                height: 1,
                hash: b1.hash(),
                label: Label::Final,
            },
        ];
        let e2 = executed_over(&store, 2);
        store
            .commit_block(&b2, &e2, &[], Label::Attested(1), &changes)
            .unwrap();
    }
    let store = reopen(&dir);
    assert_eq!(
        store.stored_block(1).unwrap().unwrap().2,
        Some(Label::Final)
    );
    assert_eq!(
        store.stored_block(2).unwrap().unwrap().2,
        Some(Label::Attested(1))
    );
    let rounds: Vec<u64> = store
        .load_votes()
        .unwrap()
        .iter()
        .map(|r| r.slot.0)
        .collect();
    assert_eq!(rounds, [2]);
    assert_eq!(
        store
            .wal
            .record(&slot_key((1, 0, Step::Validation)))
            .unwrap(),
        None
    );
}

/// The nodes that commit one execution write one encoding of its receipts: the first node's
/// (here a second store given no views still writes the first one's), read back as the views.
#[test]
fn one_encoding_of_the_receipts_serves_every_node_committing_an_execution() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let stores = [reopen(&dirs[0]), reopen(&dirs[1])];
    let genesis = Block::genesis(&consensus::Genesis {
        seed: genesis_types::Seed([0; 48]),
        state_root: [0; 32],
        timestamp: 0,
    });
    let mut block = genesis.clone();
    block.candidate.header.height = 1;
    block.candidate.header.prev_hash = genesis.hash();
    let executed = executed_over(&stores[0], 1);
    let mut receipt = crate::devnet::index::receipt_view(
        &TxReceipt {
            hash: TxHash([1; 32]),
            sender: Address([2; 32]),
            nonce: 3,
            gas_limit: 4,
            gas_spent: 5,
            fee_paid: 6,
            result: Ok(vec![7]),
            deployed: None,
            events: Vec::new(),
        },
        1,
    );
    let views = vec![receipt.clone(), {
        receipt.nonce = 4;
        receipt
    }];
    let first = stores[0]
        .commit_block(&block, &executed, &views, Label::Attested(1), &[])
        .unwrap();
    let second = stores[1]
        .commit_block(&block, &executed.clone(), &[], Label::Attested(1), &[])
        .unwrap();
    assert_eq!(first, second);
    let [a, b] = [&stores[0], &stores[1]].map(|s| s.wal.record(&height_key(RECEIPTS, 1)).unwrap());
    assert_eq!(a, b);
    let (_, receipts, _) = stores[1].stored_block(1).unwrap().unwrap();
    assert_eq!(receipts.receipts, views);
}
