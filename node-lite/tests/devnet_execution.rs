//! The devnet's nodes share one execution of each block (`devnet/executions.rs`), and without
//! it each executes every block itself: either way every node ends at the same blocks and the
//! same state root, and balances move as the transactions say. A block pays a module's load
//! once, at the first transaction that runs it, and the nodes that execute it agree.

use node_lite::devnet::{BlockMode, DevnetHandle, NodeConfig, spawn};
use node_lite::node_api::{CallRequest, DevPayload, DevTxRequest, NodeApi, ReceiptView, TxStatus};

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

const COUNTER: &[u8] = include_bytes!("../../contracts/wasm/counter.wasm");

/// The receipt and block height of an included transaction.
fn included(devnet: &DevnetHandle, hash: &str) -> (ReceiptView, u64) {
    match devnet.tx_status(hash) {
        Ok(TxStatus::Included {
            receipt, height, ..
        }) => (*receipt, height),
        other => panic!("{hash}: {other:?}"),
    }
}

/// Submits `counter.increment(1)` from dev account `from` with the dry run's estimate.
fn increment(devnet: &DevnetHandle, counter: &str, from: usize) -> String {
    devnet
        .submit_dev(DevTxRequest {
            account: from,
            payload: DevPayload::Call {
                contract: counter.to_string(),
                function: "increment".into(),
                args: hex::encode(borsh::to_vec(&1u64).unwrap()),
            },
            gas_limit: None,
        })
        .expect("a dev call")
}

#[test]
fn a_block_pays_a_modules_load_once_and_every_node_agrees() {
    let devnet = spawn(
        NodeConfig::test()
            .with_block_mode(BlockMode::Manual)
            .with_shared_execution(false),
    )
    .expect("a devnet starts");
    let deploy = devnet
        .submit_dev(DevTxRequest {
            account: 0,
            payload: DevPayload::Deploy {
                code: hex::encode(COUNTER),
                init_args: None,
            },
            gas_limit: None,
        })
        .expect("a deploy");
    devnet.mine().expect("a block");
    let counter = included(&devnet, &deploy)
        .0
        .deployed
        .expect("a contract id");
    // The counter's key written once, so that every later increment does the same work.
    let first = increment(&devnet, &counter, 3);
    devnet.mine().expect("a block");
    assert!(included(&devnet, &first).0.success);

    // A dry run runs in a session of its own: it pays the load.
    let dry = devnet
        .dry_run(CallRequest {
            caller: None,
            contract: counter.clone(),
            function: "increment".into(),
            args: hex::encode(borsh::to_vec(&1u64).unwrap()),
            gas_limit: None,
        })
        .expect("a dry run");
    let intrinsic = dry.gas_estimate - dry.gas_spent - dry.gas_spent / 5;

    let hashes = [
        increment(&devnet, &counter, 1),
        increment(&devnet, &counter, 2),
    ];
    let height = devnet.mine().expect("a block");
    let block = devnet
        .block(node_lite::node_api::BlockRef::Height(height))
        .expect("the block mined");
    let mut in_order: Vec<_> = hashes.iter().map(|h| included(&devnet, h)).collect();
    assert!(
        in_order.iter().all(|(r, h)| r.success && *h == height),
        "one block"
    );
    in_order.sort_by_key(|(r, _)| block.transactions.iter().position(|t| *t == r.hash));
    let (cold, warm) = (in_order[0].0.gas_spent, in_order[1].0.gas_spent);
    let load = runtime::gas::module_load_price(&runtime::PriceTable::default(), COUNTER);
    assert_eq!(cold - warm, load, "the second transaction pays no load");
    assert_eq!(
        cold,
        intrinsic + dry.gas_spent,
        "the first pays what the dry run did"
    );
    assert!(
        dry.gas_estimate >= cold,
        "an estimate covers a call anywhere in a block"
    );

    // Every node executed the block itself and reached the same root.
    assert!(devnet.wait_until(std::time::Duration::from_secs(60), || {
        (0..devnet.nodes()).all(|i| devnet.node_tip(i) == height)
    }));
    for i in 0..devnet.nodes() {
        assert_eq!(devnet.node_failure(i), None, "node {i}");
        let node = devnet.node_head(i).expect("a head");
        assert_eq!(
            (node.height, &node.hash, &node.state_root),
            (height, &block.hash, &block.state_root),
            "node {i}"
        );
    }
}
