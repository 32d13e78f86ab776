//! A block that takes longer to execute than a step timeout slows the chain and never stalls it
//! (issue 17's open case: BENCHMARKS.md §6, "A block of pointer chases on the devnet").
//!
//! The slowest code per gas is a pointer chase through the 4 MiB a contract may write: bound by
//! memory latency, it runs 3–7× the gas yardstick's time per gas when the shared L3 is
//! contended, which no per-operator price covers. The chain's answer is the consensus's step
//! timeouts: a step that times out makes its iteration fail, the next iteration's timeout is
//! longer (`timeout_increase` per timeout this round, up to `max_step_timeout`), and a step
//! that succeeded slowly raises the base of the rounds after it (`Timeouts`).
//!
//! Here the devnet's clock counts execution (`NodeConfig::with_execution_counted`: by default
//! it stands still while a node executes, which would hide the slow block from the timeouts),
//! the genesis's step timeouts are short (25 ms to start with, far below a block of chases), and
//! blocks are filled with chase transactions.

use consensus::DEFAULT_MAX_ITERATIONS;
use node_lite::chain::tx::TX_INTRINSIC_GAS;
use node_lite::devnet::{DevnetHandle, NodeConfig, spawn};
use node_lite::node_api::{BlockRef, DevPayload, DevTxRequest, NodeApi, TxStatus};
use std::time::{Duration, Instant};

/// Generous: a debug build on a shared 2-core machine.
const WAIT: Duration = Duration::from_secs(120);

/// The chase (and yardstick) contract.
const CHASE_WAT: &str = include_str!("data/chase.wat");

/// Chase transactions submitted, one per dev account: two blocks of them.
const CHASES: usize = 4;
/// Steps of one chase: 213 gas each, ≈ 426 M gas a transaction.
const STEPS: u32 = 2_000_000;
/// A chase transaction's gas limit: the steps, the chain's writing (≈ 20 M) and the memory's
/// growth (63 pages at 340,000 gas).
const CHASE_GAS: u64 = TX_INTRINSIC_GAS + 490_000_000;
/// Two chases a block: ≈ 0.98 · 10⁹ gas, ≈ 100 ms of execution even when the caches hold the
/// chain (≈ 10 gas/ns), ≈ 0.75 s when they do not (≈ 1.3 gas/ns, BENCHMARKS.md §6).
const BLOCK_GAS_LIMIT: u64 = 2 * CHASE_GAS;

/// The genesis's step timeouts: (min, initial, max, increase), ms. The minimum is well below a
/// block of chases at its fastest (the timeouts' base is 3× the average successful duration,
/// clamped to the minimum: a few ms for the empty blocks before); the increase makes a few
/// failed iterations cover the block's execution on a loaded machine.
const TIMEOUTS: (u64, u64, u64, u64) = (25, 25, 4_000, 250);

/// The default genesis with short step timeouts and room for two chases a block.
fn slow_block_genesis(
    dir: &tempfile::TempDir,
    timeouts: (u64, u64, u64, u64),
) -> std::path::PathBuf {
    let (min, initial, max, increase) = timeouts;
    let toml = node_lite::chain::genesis_config::DEFAULT_GENESIS_TOML
        .replace(
            "block_gas_limit = 4_000_000_000",
            &format!("block_gas_limit = {BLOCK_GAS_LIMIT}"),
        )
        .replace(
            "min_step_timeout_ms = 250",
            &format!("min_step_timeout_ms = {min}"),
        )
        .replace(
            "initial_step_timeout_ms = 1_000",
            &format!("initial_step_timeout_ms = {initial}"),
        )
        .replace(
            "max_step_timeout_ms = 4_000",
            &format!("max_step_timeout_ms = {max}"),
        )
        .replace(
            "timeout_increase_ms = 250",
            &format!("timeout_increase_ms = {increase}"),
        );
    assert!(
        toml.contains(&format!("min_step_timeout_ms = {min}\n"))
            && toml.contains(&format!("timeout_increase_ms = {increase}\n"))
            && toml.contains(&format!("block_gas_limit = {BLOCK_GAS_LIMIT}\n")),
        "the genesis changed: {toml}"
    );
    let path = dir.path().join("genesis.toml");
    std::fs::write(&path, toml).expect("write the genesis");
    path
}

fn submit(devnet: &DevnetHandle, account: usize, payload: DevPayload, gas: Option<u64>) -> String {
    devnet
        .submit_dev(DevTxRequest {
            account,
            payload,
            gas_limit: gas,
        })
        .expect("a transaction is accepted")
}

/// Waits until `hash` is included; its height and receipt's success.
fn included(devnet: &DevnetHandle, hash: &str) -> (u64, bool, Option<String>) {
    let mut status = TxStatus::Pending;
    let done = devnet.wait_until(WAIT, || {
        status = devnet.tx_status(hash).expect("a known transaction");
        matches!(status, TxStatus::Included { .. })
    });
    assert!(done, "{hash} not included within {WAIT:?}: {status:?}");
    match status {
        TxStatus::Included {
            height, receipt, ..
        } => (height, receipt.success, receipt.error.clone()),
        TxStatus::Pending => unreachable!("checked"),
    }
}

#[test]
fn blocks_slower_than_the_step_timeouts_slow_the_chain_but_never_stall_it() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let genesis = slow_block_genesis(&dir, TIMEOUTS);
    let devnet = spawn(
        NodeConfig::test()
            .with_genesis_file(genesis)
            .with_execution_counted(true),
    )
    .expect("a devnet starts");
    let code = wat::parse_str(CHASE_WAT).expect("the chase contract assembles");
    let deploy = submit(
        &devnet,
        0,
        DevPayload::Deploy {
            code: hex::encode(code),
            init_args: None,
        },
        None,
    );
    let (_, ok, error) = included(&devnet, &deploy);
    assert!(ok, "the deploy failed: {error:?}");
    let contract = match devnet.tx_status(&deploy).expect("known") {
        TxStatus::Included { receipt, .. } => receipt.deployed.clone().expect("a contract id"),
        TxStatus::Pending => unreachable!("included"),
    };

    let started = Instant::now();
    let hashes: Vec<String> = (0..CHASES)
        .map(|account| {
            submit(
                &devnet,
                account,
                DevPayload::Call {
                    contract: contract.clone(),
                    function: "chase".into(),
                    args: hex::encode(STEPS.to_le_bytes()),
                },
                Some(CHASE_GAS),
            )
        })
        .collect();
    // (a) Every chase is included, and succeeds: its gas covered its steps.
    let mut heights = Vec::new();
    for hash in &hashes {
        let (height, ok, error) = included(&devnet, hash);
        assert!(ok, "chase {hash} failed: {error:?}");
        heights.push(height);
    }
    heights.sort_unstable();
    heights.dedup();
    let included_in = started.elapsed();
    // The blocks after them keep coming and being finalized: a transfer submitted now is
    // included above them, and everything up to it becomes final.
    let to = devnet.dev_accounts()[9].address.clone();
    let transfer = submit(
        &devnet,
        9,
        DevPayload::Transfer {
            to,
            amount: "1".into(),
        },
        None,
    );
    let (after, ok, _) = included(&devnet, &transfer);
    assert!(ok);
    let last_chase = *heights.last().expect("chases");
    assert!(after > last_chase, "{after} after {heights:?}");
    assert!(
        devnet.wait_until(WAIT, || devnet.head().finalized_height >= after),
        "finality stalled at {} below {after}: {:?}",
        devnet.head().finalized_height,
        devnet.head()
    );
    let blocks: Vec<_> = (1..=after)
        .map(|h| devnet.block(BlockRef::Height(h)).expect("a block"))
        .collect();
    let chase_blocks: Vec<_> = blocks
        .iter()
        .filter(|b| heights.contains(&b.height))
        .collect();
    for b in &blocks {
        assert_eq!(b.label, "final", "block {} is not final: {b:?}", b.height);
    }
    // No conflicting blocks: every node holds the same block at every height.
    assert!(
        devnet.wait_until(WAIT, || (0..devnet.nodes())
            .all(|i| devnet.node_tip(i) >= after)),
        "a node is behind {after}"
    );
    for h in 1..=after {
        let hashes: Vec<_> = (0..devnet.nodes())
            .map(|i| devnet.node_block_hash(i, h))
            .collect();
        assert!(
            hashes.iter().all(|x| x.is_some() && *x == hashes[0]),
            "height {h}: {hashes:?}"
        );
    }
    for i in 0..devnet.nodes() {
        assert_eq!(devnet.node_failure(i), None);
    }
    // (height, iteration, gas, ms since its parent by the devnet clock, which counts execution)
    let iterations: Vec<(u64, u8, u64, u64)> = chase_blocks
        .iter()
        .map(|b| {
            let parent = blocks.iter().find(|p| p.height + 1 == b.height);
            let ms = parent.map_or(0, |p| b.timestamp_ms.saturating_sub(p.timestamp_ms));
            (b.height, b.iteration, b.gas_used, ms)
        })
        .collect();
    // (b) The execution did exceed the step timeouts: a block of chases was decided only after
    // a failed iteration ...
    assert!(
        chase_blocks.iter().any(|b| b.iteration > 0),
        "every block of chases was decided at its first iteration (height, iteration, gas, ms): \
         {iterations:?}: the slow execution never met a timeout, the test shows nothing"
    );
    // ... and the timeouts grew to cover it before the last iteration, which has no step
    // timeout (open consensus: a block decided there would not show that they did).
    assert!(
        chase_blocks
            .iter()
            .all(|b| b.iteration + 1 < DEFAULT_MAX_ITERATIONS),
        "a block of chases reached open consensus: {iterations:?}"
    );
    eprintln!(
        "chases included in {included_in:?}; blocks of chases (height, iteration, gas, ms): \
         {iterations:?}; finalized through {after}"
    );
    devnet.shutdown();
}
