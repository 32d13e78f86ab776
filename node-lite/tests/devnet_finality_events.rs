//! Every block's `final` label event arrives, also for a block that became final after it left
//! the nodes' in-memory index. Instant blocks, one provisioner of four offline: a round whose
//! generator is the offline one is decided at a later iteration, and such a block becomes final
//! only some blocks later. The index here keeps two blocks in memory, so those blocks are final
//! below its window, where it reads labels from the node's store — which commits a block's
//! label changes with the block that makes them. (Under load the same happens with the default
//! bounds: 4,096 receipts keep only the last 7 blocks of 513 transactions.)
//!
//! The events also go only forward: no label for a height after its `final` (each node takes a
//! block's labels in turn, and one behind another used to announce `confirmed` after `final`).
//!
//! Waits are on the event stream, each with a timeout (no sleeps).

use node_lite::devnet::{DevnetHandle, NodeConfig, spawn};
use node_lite::node_api::{
    BlockRef, ChainEvent, DevPayload, DevTxRequest, Hex32, NodeApi, TxStatus,
};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::Receiver;

/// Consecutive heights whose `final` event the test waits for.
const HEIGHTS: u64 = 40;
/// The whole run's bound (a failed iteration waits for its step timeouts).
const WAIT: Duration = Duration::from_secs(120);

fn transfer(devnet: &DevnetHandle, to: &str) -> Hex32 {
    devnet
        .submit_dev(DevTxRequest {
            account: 0,
            payload: DevPayload::Transfer {
                to: to.to_string(),
                amount: "1".into(),
            },
            gas_limit: None,
        })
        .expect("a dev transfer is accepted")
}

/// The next event, or `None` past `deadline`.
fn next_event(
    runtime: &tokio::runtime::Runtime,
    stream: &mut Receiver<ChainEvent>,
    deadline: Instant,
) -> Option<ChainEvent> {
    let left = deadline.checked_duration_since(Instant::now())?;
    match runtime.block_on(async { tokio::time::timeout(left, stream.recv()).await }) {
        Ok(Ok(event)) => Some(event),
        Ok(Err(e)) => panic!("the event stream: {e}"),
        Err(_) => None,
    }
}

#[test]
fn with_one_of_four_offline_every_height_announces_its_final_label() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let devnet = spawn(NodeConfig::test().with_index_memory(2, 0)).expect("a devnet starts");
    devnet.set_online(3, false).expect("node 3 exists");
    let to = devnet.dev_accounts()[1].address.clone();
    let mut stream = devnet.subscribe();
    let deadline = Instant::now() + WAIT;
    // Each block accepted: its hash, and the tip when its `final` event came.
    let mut blocks: BTreeMap<u64, (String, Option<u64>)> = BTreeMap::new();
    let mut first = None;
    let mut tip = 0;
    let mut waiting = transfer(&devnet, &to);
    let all_final = |blocks: &BTreeMap<u64, _>, first: Option<u64>| {
        first.is_some_and(|f| {
            (f..f + HEIGHTS).all(|h| {
                blocks
                    .get(&h)
                    .is_some_and(|(_, at): &(_, Option<u64>)| at.is_some())
            })
        })
    };
    while !all_final(&blocks, first) {
        let Some(event) = next_event(&runtime, &mut stream, deadline) else {
            let missing: Vec<u64> = blocks
                .iter()
                .filter(|(_, (_, at))| at.is_none())
                .map(|(h, _)| *h)
                .collect();
            panic!(
                "no `final` event within {WAIT:?} for heights {missing:?} (first {first:?}, tip \
                 {tip}, the index's finalized height {})",
                devnet.head().finalized_height
            );
        };
        match event {
            ChainEvent::Block(b) => {
                tip = tip.max(b.height);
                let f = *first.get_or_insert(b.height);
                blocks.insert(b.height, (b.hash, None));
                // The next transfer once the last is in (a dev transfer takes the account's
                // next nonce), until the last height waited for: the instant devnet makes
                // blocks while one waits, and then until every block with one is final.
                if b.transactions.contains(&waiting) && b.height < f + HEIGHTS - 1 {
                    // The event comes from the first node to take the block; the dev account's
                    // nonce is read from the API's node.
                    let included = devnet.wait_until(WAIT, || {
                        matches!(devnet.tx_status(&waiting), Ok(TxStatus::Included { .. }))
                    });
                    assert!(included, "{waiting} not included at the API's node");
                    waiting = transfer(&devnet, &to);
                }
            }
            ChainEvent::Label {
                height,
                hash,
                label,
            } => {
                if let Some((known, at)) = blocks.get_mut(&height) {
                    // Labels only go forward, each announced once: nothing after `final`.
                    assert_eq!(*at, None, "height {height}: `{label}` after `final`");
                    if label == "final" {
                        assert_eq!(*known, hash, "height {height}: final is another block");
                        *at = Some(tip);
                    }
                }
            }
            _ => {}
        }
    }
    let first = first.expect("checked");
    // The run went through the case: a block final below the index's two in-memory blocks
    // (decided after a failed iteration, with the offline generator).
    let late: Vec<u64> = (first..first + HEIGHTS)
        .filter(|h| blocks[h].1.is_some_and(|at| at >= h + 2))
        .collect();
    assert!(
        !late.is_empty(),
        "no block became final two or more blocks after it: the run did not test the case"
    );
    // The API agrees with the events: each of those blocks reads final (the API's node may
    // take a label after another node announced it).
    let read_final = |h: u64| {
        devnet
            .block(BlockRef::Height(h))
            .is_ok_and(|b| b.label == "final" && b.hash == blocks[&h].0)
    };
    // The head's finalized height is raised just after the store commits the labels a block
    // read finds: wait for both.
    let api_final = devnet.wait_until(WAIT, || {
        (first..first + HEIGHTS).all(read_final)
            && devnet.head().finalized_height >= first + HEIGHTS - 1
    });
    let not_final: Vec<u64> = (first..first + HEIGHTS)
        .filter(|h| !read_final(*h))
        .collect();
    let finalized_height = devnet.head().finalized_height;
    assert!(
        api_final,
        "the API does not read final at {not_final:?}, or its finalized height {finalized_height} \
         is below {}",
        first + HEIGHTS - 1
    );
    // Read from the API's node's store, which has every block now (it reads them final).
    let decided_later = (first..first + HEIGHTS).any(|h| {
        devnet
            .consensus_block(h)
            .is_some_and(|b| b.header().iteration > 0)
    });
    assert!(
        decided_later,
        "no block was decided after a failed iteration"
    );
    for i in 0..3 {
        assert_eq!(devnet.node_failure(i), None, "node {i}");
    }
}
