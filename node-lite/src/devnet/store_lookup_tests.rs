//! The store's transaction lookups (`tx_lookup.rs`): every included transaction is found at its
//! height and position, through the merges of its bucket, a reopen and a revert; a block writes
//! its lookups in one bucket's range (the others pending); a store of the earlier form (a `t`
//! record per transaction) still answers; a commit that fails writes none.

use super::tx_lookup::{BUCKETS, bucket, pending_key};
use super::*;
use crate::chain::TxHash;
use crate::chain::block_exec::{BlockOutput, ProtocolReport, TxReceipt};
use host_api::{Address, ContractId};

/// Transactions per test block: enough to fill several buckets.
const TXS: u32 = 6;

fn reopen(dir: &tempfile::TempDir) -> NodeStore {
    NodeStore::open(&dir.path().join(FILE_NAME)).unwrap()
}

/// The hash of transaction `i` of block `height` on fork `fork` (spread over the buckets).
fn tx_hash(fork: u8, height: u64, i: u32) -> [u8; 32] {
    let mut hash = [fork; 32];
    let n = height * u64::from(TXS) + u64::from(i);
    hash[0] = (n.wrapping_mul(157) % 256) as u8;
    hash[1..9].copy_from_slice(&height.to_be_bytes());
    hash[9..13].copy_from_slice(&i.to_be_bytes());
    hash
}

fn receipt(hash: [u8; 32]) -> TxReceipt {
    TxReceipt {
        hash: TxHash(hash),
        sender: Address([2; 32]),
        nonce: 0,
        gas_limit: 1,
        gas_spent: 1,
        fee_paid: 1,
        result: Ok(Vec::new()),
        deployed: None,
        events: Vec::new(),
    }
}

fn genesis() -> Block {
    Block::genesis(&consensus::Genesis {
        seed: genesis_types::Seed([0; 48]),
        state_root: [0; 32],
        timestamp: 0,
    })
}

fn child(parent: &Block, fork: u8) -> Block {
    let mut block = parent.clone();
    block.candidate.header.height += 1;
    block.candidate.header.prev_hash = parent.hash();
    block.candidate.header.timestamp = u64::from(fork);
    block
}

/// Commits the child of `parent` (fork `fork`) with [`TXS`] transactions; returns it and the
/// root its commit made.
fn commit(store: &NodeStore, parent: &Block, fork: u8) -> (Block, Root) {
    let block = child(parent, fork);
    let height = block.header().height;
    let mut changes = ChangeSet::default();
    changes
        .storage
        .entry(ContractId([1; 32]))
        .or_default()
        .insert(height.to_be_bytes().to_vec(), Some(vec![fork]));
    let receipts = (0..TXS)
        .map(|i| receipt(tx_hash(fork, height, i)))
        .collect();
    let executed = Executed {
        base_root: store.wal.root().unwrap(),
        changes: Arc::new(changes),
        items: Default::default(),
        output: Arc::new(BlockOutput {
            receipts,
            excluded: Vec::new(),
            gas_used: 0,
            protocol: ProtocolReport {
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
    };
    let root = store
        .commit_block(&block, &executed, &[], Label::Attested(1), &[])
        .unwrap();
    (block, root)
}

/// Every transaction of blocks `heights` of fork `fork` is found where it was included.
fn assert_found(store: &NodeStore, fork: u8, heights: std::ops::RangeInclusive<u64>) {
    for h in heights {
        for i in 0..TXS {
            let found = BlockArchive::tx(store, &tx_hash(fork, h, i));
            assert_eq!(found, Some((h, i as usize)), "fork {fork} block {h} tx {i}");
        }
    }
}

/// Commits, reopens and a revert: the lookups answer as a `t` record per transaction did;
/// a block's recent lookups wait in their bucket's pending record, and every one is merged
/// into a `t` record within [`BUCKETS`] blocks.
#[test]
fn lookups_answer_through_merges_a_reopen_and_a_revert() {
    let dir = tempfile::tempdir().unwrap();
    let tip = 3 * BUCKETS + 5;
    let mut roots = vec![Root::EMPTY];
    {
        let store = reopen(&dir);
        let mut parent = genesis();
        for h in 1..=tip {
            let (block, root) = commit(&store, &parent, 0);
            roots.push(root);
            parent = block;
            if h % 16 == 0 {
                assert_found(&store, 0, 1..=h);
            }
        }
        assert_found(&store, 0, 1..=tip);
        assert_eq!(BlockArchive::tx(&store, &[0xab; 32]), None);
        // The layout: the tip's lookups outside its merged bucket are pending, not `t`
        // records; every lookup of a block `BUCKETS` back or more is a `t` record, and no
        // pending record older than that is left.
        let mut pending = 0;
        for i in 0..TXS {
            let hash = tx_hash(0, tip, i);
            let t = store.wal.record(&hash_key(TX, &hash)).unwrap();
            if u64::from(bucket(&hash)) == tip % BUCKETS {
                assert!(t.is_some());
            } else {
                assert!(t.is_none());
                pending += 1;
            }
        }
        assert!(pending > 0, "the test's hashes spread over the buckets");
        for h in 1..=tip - BUCKETS {
            for i in 0..TXS {
                let t = store.wal.record(&hash_key(TX, &tx_hash(0, h, i))).unwrap();
                assert!(t.is_some(), "block {h} tx {i} merged");
            }
            for b in 0..BUCKETS {
                let key = pending_key(b as u8, h);
                assert_eq!(
                    store.wal.record(&key).unwrap(),
                    None,
                    "block {h} bucket {b}"
                );
            }
        }
    }
    let store = reopen(&dir);
    assert_found(&store, 0, 1..=tip);
    // Back to a block a few below the tip (across a merge of some bucket), then another fork.
    let kept = tip - 10;
    store
        .revert_to(&hex::encode(roots[kept as usize].0), kept)
        .unwrap();
    assert_found(&store, 0, 1..=kept);
    for h in kept + 1..=tip {
        for i in 0..TXS {
            assert_eq!(BlockArchive::tx(&store, &tx_hash(0, h, i)), None);
        }
    }
    let mut parent = store.block(kept).unwrap().unwrap();
    for _ in 0..BUCKETS + 3 {
        parent = commit(&store, &parent, 1).0;
    }
    let new_tip = parent.header().height;
    drop(store);
    let store = reopen(&dir);
    assert_found(&store, 0, 1..=kept);
    assert_found(&store, 1, kept + 1..=new_tip);
    for h in kept + 1..=tip {
        assert_eq!(BlockArchive::tx(&store, &tx_hash(0, h, 0)), None);
    }
}

/// A store whose lookups are all `t` records (as every one was before pending records) answers
/// them, and the blocks committed over it write and answer the new form.
#[test]
fn a_store_of_the_earlier_form_answers_its_lookups() {
    let dir = tempfile::tempdir().unwrap();
    let store = reopen(&dir);
    let earlier: Vec<[u8; 32]> = (0..40u8).map(|i| [i.wrapping_mul(7); 32]).collect();
    let mut records = RecordWrites::new();
    for (i, hash) in earlier.iter().enumerate() {
        let mut at = 9u64.to_be_bytes().to_vec();
        at.extend_from_slice(&(i as u32).to_be_bytes());
        records.insert(hash_key(TX, hash), Some(at));
    }
    store.write_records(&records).unwrap();
    let mut parent = genesis();
    for _ in 0..BUCKETS / 2 {
        parent = commit(&store, &parent, 0).0;
    }
    let tip = parent.header().height;
    for (i, hash) in earlier.iter().enumerate() {
        assert_eq!(BlockArchive::tx(&store, hash), Some((9, i)));
    }
    assert_found(&store, 0, 1..=tip);
}

/// A commit that fails (here its base moved) writes none of its lookups, merges nothing, and
/// leaves every earlier lookup as it was.
#[test]
fn a_failed_commit_writes_no_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let store = reopen(&dir);
    let mut parent = genesis();
    for _ in 0..BUCKETS + 2 {
        parent = commit(&store, &parent, 0).0;
    }
    let tip = parent.header().height;
    let block = child(&parent, 0);
    let mut executed = super::tests::executed_over(&store, 9);
    executed.base_root = Root([9; 32]);
    let before = store.wal.last_record(&[]).unwrap();
    let err = store
        .commit_block(&block, &executed, &[], Label::Attested(1), &[])
        .unwrap_err();
    assert!(matches!(err, StoreError::BaseMoved { .. }), "{err}");
    assert_eq!(store.wal.last_record(&[]).unwrap(), before);
    assert_found(&store, 0, 1..=tip);
    assert_eq!(store.stored_tip().unwrap(), tip);
}
