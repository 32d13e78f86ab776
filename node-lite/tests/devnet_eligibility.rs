//! The eligible set a node's consensus draws a round's committees from is the exact one (the
//! stake contract's answer on the state of the round's parent block) even for a node that
//! accepted the parent without executing it first: here a node catching up after being
//! offline, across a block that suspends a provisioner from the very next round
//! (`devnet/eligibility.rs`, "Where the sets come from").
//!
//! The genesis has 2-block epochs and `miss_limit = 1`: an offline provisioner drawn as a
//! generator is reported absent by the block of that round (a later iteration's), and is
//! suspended from the next epoch on. When that block is the last of its epoch, the round after
//! it is the first without the provisioner, and only that block's own state says so.

#[allow(dead_code)] // `provisioner` is for the other tests sharing the steps.
mod devnet_steps;
use devnet_steps::{drawn_from, mine, mine_to};
use node_lite::client::stake_calls;
use node_lite::devnet::{BlockMode, DevnetHandle, NodeConfig, spawn};
use node_lite::node_api::{BlockRef, NodeApi};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(120);

fn suspending_devnet(dir: &tempfile::TempDir) -> DevnetHandle {
    let toml = node_lite::chain::genesis_config::DEFAULT_GENESIS_TOML
        .replace("epoch_length = 100", "epoch_length = 2")
        .replace("miss_limit = 3", "miss_limit = 1");
    assert!(toml.contains("epoch_length = 2") && toml.contains("miss_limit = 1"));
    let path = dir.path().join("genesis.toml");
    std::fs::write(&path, toml).expect("write the genesis");
    spawn(
        NodeConfig::test()
            .with_block_mode(BlockMode::Manual)
            .with_genesis_file(path),
    )
    .expect("a devnet starts")
}

/// Whether block `height` reports `key` absent: it was the generator of one of the block's
/// earlier iterations.
fn reports_absent(devnet: &DevnetHandle, height: u64, key: &str) -> bool {
    let block = devnet.block(BlockRef::Height(height)).expect("a block");
    (0..block.iteration).any(|i| {
        devnet
            .committee(height, i, "proposal")
            .expect("a decided iteration")
            .members
            .iter()
            .any(|(k, _)| k == key)
    })
}

#[test]
fn a_node_catching_up_draws_the_round_after_a_suspending_block_from_the_exact_set() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let devnet = suspending_devnet(&dir);
    let key3 = hex::encode(stake_calls::key_from_seed("provisioner-3").public.0);
    mine_to(&devnet, 1);
    devnet.set_online(3, false).expect("node 3 exists");
    // Mine until a block `b` reports provisioner 3 absent and the round after it is drawn
    // without provisioner 3 while round `b` was drawn with it: `b` is the last block of its
    // epoch and its own state is the first to hold the suspension.
    let mut suspending = None;
    for _ in 0..120 {
        let tip = mine(&devnet);
        let b = tip - 1;
        if b >= 1
            && drawn_from(&devnet, b).contains(&key3)
            && !drawn_from(&devnet, tip).contains(&key3)
            && reports_absent(&devnet, b, &key3)
        {
            suspending = Some(b);
            break;
        }
    }
    let b = suspending.expect("a block suspending provisioner 3 at an epoch's end");
    // Node 3 comes back and catches up through block `b`: it accepts each block it receives
    // before executing it.
    devnet.set_online(3, true).expect("node 3 exists");
    let top = mine(&devnet);
    // `mine` waits for one node: every node, node 3 included, is to reach `top` (another node
    // may still be applying it).
    assert!(
        devnet.wait_until(WAIT, || (0..4).all(|i| devnet.node_tip(i) >= top)),
        "every node reached {top} (at {:?})",
        (0..4).map(|i| devnet.node_tip(i)).collect::<Vec<_>>()
    );
    for i in 0..4 {
        let (approximate, wrong) = devnet.node_approximate_sets(i).expect("a node");
        assert!(
            wrong.is_empty(),
            "node {i} drew rounds {wrong:?} from a set other than the exact one \
             (block {b} suspends provisioner 3 from round {}; {approximate} answers without \
             the exact set)",
            b + 1
        );
        assert_eq!(approximate, 0, "node {i} answered without the exact set");
        assert_eq!(devnet.node_failure(i), None);
    }
    for height in 1..=top {
        let hashes: Vec<_> = (0..4).map(|i| devnet.node_block_hash(i, height)).collect();
        assert!(
            hashes.iter().all(|h| *h == hashes[0]),
            "{height}: {hashes:?}"
        );
    }
}
