//! Blocks per second of an instant devnet with BLS signatures and with the fake ones: a
//! measurement, not a test.
//!
//! ```text
//! cargo run --release -p node-lite --example devnet_signatures [-- TRANSFERS]
//! ```
//!
//! For each scheme: a 4-provisioner instant devnet (`NodeConfig::default()`, quiet, port 0),
//! then `TRANSFERS` dev transfers (default 40), each submitted once the previous one is final
//! (each makes two blocks: its own and the empty one that finalizes it). Prints blocks per
//! second (wall clock, from the first submission to the last transfer final) and the mean time
//! from submission to finality.

use node_lite::devnet::{BlockMode, NodeConfig, Signatures, spawn};
use node_lite::node_api::{DevPayload, DevTxRequest, NodeApi, TxStatus};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(120);

fn run(signatures: Signatures, transfers: usize) {
    let devnet = spawn(
        NodeConfig::default()
            .with_quiet(true)
            .with_port(0)
            .with_block_mode(BlockMode::Instant)
            .with_signatures(signatures),
    )
    .expect("a devnet starts");
    let to = devnet.dev_accounts()[1].address.clone();
    let start = Instant::now();
    let first = devnet.head().height;
    let mut latency = Duration::ZERO;
    for _ in 0..transfers {
        let sent = Instant::now();
        let hash = devnet
            .submit_dev(DevTxRequest {
                account: 0,
                payload: DevPayload::Transfer {
                    to: to.clone(),
                    amount: "1".into(),
                },
                gas_limit: None,
            })
            .expect("a transfer");
        let mut height = 0;
        let done = devnet.wait_until(WAIT, || {
            if let Ok(TxStatus::Included { height: h, .. }) = devnet.tx_status(&hash) {
                height = h;
            }
            height > 0 && devnet.head().finalized_height >= height
        });
        assert!(done, "{hash} not final within {WAIT:?}");
        latency += sent.elapsed();
    }
    let elapsed = start.elapsed();
    let blocks = devnet.head().height - first;
    println!(
        "{:<4}  {transfers} transfers  {blocks} blocks in {:.2} s  {:.2} blocks/s  submission to final: mean {:.0} ms",
        signatures.label(),
        elapsed.as_secs_f64(),
        blocks as f64 / elapsed.as_secs_f64(),
        latency.as_secs_f64() * 1_000.0 / transfers as f64
    );
}

fn main() {
    let transfers: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(40);
    println!("devnet_signatures: 4 provisioners, instant blocks");
    run(Signatures::Fake, transfers);
    run(Signatures::Bls, transfers);
}
