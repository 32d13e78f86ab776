//! The devnet's nodes share one execution of each block (`devnet/executions.rs`), and without
//! it each executes every block itself: either way every node ends at the same blocks and the
//! same state root, and balances move as the transactions say.

use node_lite::devnet::{BlockMode, DevnetHandle, NodeConfig, spawn};
use node_lite::node_api::{DevPayload, DevTxRequest, NodeApi, TxStatus};

const BLOCKS: u64 = 6;
const TRANSFERS_PER_BLOCK: u64 = 3;

/// Mines `BLOCKS` blocks of dev transfers from accounts 0, 2 and 3 to account 1 and checks every node
/// followed: the same hash and root at the tip, no node stopped, the payee paid.
fn mine_transfers(devnet: &DevnetHandle) {
    let to = devnet.dev_accounts()[1].address.clone();
    let before: u128 = devnet.account(&to).unwrap().balance.parse().unwrap();
    let mut hashes = Vec::new();
    let mut sent = 0u128;
    for _ in 0..BLOCKS {
        // One per block from account 0 (the dev signer takes the next nonce of the head's
        // state), the others from accounts 2 and 3.
        for from in [0, 2, 3].into_iter().take(TRANSFERS_PER_BLOCK as usize) {
            sent += 5;
            let hash = devnet
                .submit_dev(DevTxRequest {
                    account: from,
                    payload: DevPayload::Transfer {
                        to: to.clone(),
                        amount: "5".into(),
                    },
                    gas_limit: None,
                })
                .expect("a dev transfer");
            hashes.push(hash);
        }
        devnet.mine().expect("a block on request");
    }
    for hash in &hashes {
        assert!(
            matches!(devnet.tx_status(hash), Ok(TxStatus::Included { .. })),
            "{hash}"
        );
    }
    let after: u128 = devnet.account(&to).unwrap().balance.parse().unwrap();
    assert_eq!(after - before, sent);
    let tip = devnet.head().height;
    assert!(devnet.wait_until(std::time::Duration::from_secs(60), || {
        (0..devnet.nodes()).all(|i| devnet.node_tip(i) == tip)
    }));
    let head = devnet.node_head(0).expect("node 0's head");
    for i in 0..devnet.nodes() {
        assert_eq!(devnet.node_failure(i), None, "node {i}");
        let node = devnet.node_head(i).expect("a head");
        assert_eq!(
            (node.height, &node.hash, &node.state_root),
            (head.height, &head.hash, &head.state_root),
            "node {i}"
        );
    }
}

#[test]
fn the_nodes_share_one_execution_of_each_block() {
    let devnet =
        spawn(NodeConfig::test().with_block_mode(BlockMode::Manual)).expect("a devnet starts");
    mine_transfers(&devnet);
    let stats = devnet.execution_stats();
    // Each block was executed by one node (its generator's build, or a validator's if the
    // generator's came too late) and taken by the others: with 4 nodes, 3 takes for 1 make in
    // the ordinary case. Without sharing both counts stay 0 (the next test).
    assert!(stats.made >= BLOCKS, "{stats:?}");
    assert!(
        stats.taken >= 2 * stats.made,
        "most executions are taken, not made: {stats:?}"
    );
}

#[test]
fn without_sharing_every_node_executes_and_they_agree() {
    let devnet = spawn(
        NodeConfig::test()
            .with_block_mode(BlockMode::Manual)
            .with_shared_execution(false),
    )
    .expect("a devnet starts");
    mine_transfers(&devnet);
    assert_eq!(
        devnet.execution_stats(),
        node_lite::devnet::executions::ExecutionStats::default()
    );
}
