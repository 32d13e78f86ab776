//! Throughput and finality of the devnet under load: a measurement, not a test.
//!
//! ```text
//! cargo run --release -p node-lite --example devnet_bench [-- TXS MODE OFFLINE]
//! ```
//!
//! Starts a 4-provisioner devnet (`MODE`: `instant` or `interval:MS`; `OFFLINE` provisioners
//! taken offline first, 0 by default), deploys `counter`, funds `TXS / 16` fresh accounts with
//! the `fund` dev control, signs `TXS` `counter.increment(1)` calls (default 20,000), submits
//! them as fast as the mempool takes them (a refusal for a full pool or a nonce too far ahead
//! is retried after a millisecond) and prints:
//! - finalized transactions per second (from the first submission to the last of them final);
//! - blocks per second and transactions per block;
//! - block time (timestamps) and finality latency (a block's `Block` event to its `final`
//!   label event), mean and maximum;
//! - where the submission time went: signing (client side) and `submit` (decode, signature,
//!   balance and nonce reads, mempool, gossip).

use node_lite::chain::tx::{Payload, TX_INTRINSIC_GAS, UnsignedTx};
use node_lite::chain::{AccountKey, Transaction};
use node_lite::devnet::{BlockMode, NodeConfig, spawn};
use node_lite::node_api::{ApiError, ChainEvent, DevPayload, DevTxRequest, NodeApi, TxStatus};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const COUNTER: &[u8] = include_bytes!("../../contracts/wasm/counter.wasm");
const WAIT: Duration = Duration::from_secs(600);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let txs: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let mode = match args.get(1).map(String::as_str) {
        Some(m) if m.starts_with("interval:") => {
            BlockMode::Interval(m["interval:".len()..].parse().expect("interval:MS"))
        }
        _ => BlockMode::Instant,
    };
    let offline: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(0);
    let devnet = spawn(
        NodeConfig::default()
            .with_quiet(true)
            .with_port(0)
            .with_block_mode(mode),
    )
    .expect("a devnet starts");
    println!(
        "devnet_bench: {txs} counter.increment transactions, 4 provisioners, {} blocks, {offline} offline",
        mode.label()
    );
    for i in 0..offline {
        devnet.set_online(3 - i, false).expect("a provisioner");
    }
    let chain_id = devnet.chain_info().chain_id;
    let wait_tx = |hash: &str| {
        let ok = devnet.wait_until(WAIT, || {
            matches!(devnet.tx_status(hash), Ok(TxStatus::Included { .. }))
        });
        assert!(ok, "{hash} not included");
        match devnet.tx_status(hash) {
            Ok(TxStatus::Included { receipt, .. }) => receipt,
            other => panic!("{other:?}"),
        }
    };
    let deploy = devnet
        .submit_dev(DevTxRequest {
            account: 0,
            payload: DevPayload::Deploy {
                code: hex::encode(COUNTER),
                init_args: None,
            },
            gas_limit: None,
        })
        .expect("deploy");
    let counter = wait_tx(&deploy).deployed.expect("a contract");
    eprintln!("counter deployed: {counter}");
    let counter_id = host_api::ContractId(hex::decode(&counter).unwrap().try_into().unwrap());
    let senders: Vec<AccountKey> = (0..txs.div_ceil(16))
        .map(|i| AccountKey::from_seed(&format!("bench-{i}")))
        .collect();
    for s in &senders {
        devnet
            .fund(&hex::encode(s.public()), "1000000000000000")
            .expect("fund");
    }
    if mode == BlockMode::Instant {
        // A block makes the mints.
        let hash = devnet
            .submit_dev(DevTxRequest {
                account: 1,
                payload: DevPayload::Transfer {
                    to: hex::encode(senders[0].public()),
                    amount: "1".into(),
                },
                gas_limit: None,
            })
            .expect("a transfer");
        wait_tx(&hash);
    }
    let last = hex::encode(senders[senders.len() - 1].public());
    assert!(devnet.wait_until(WAIT, || {
        devnet
            .account(&last)
            .map(|a| a.balance != "0")
            .unwrap_or(false)
    }));
    eprintln!("{} senders funded", senders.len());
    let gas_limit = TX_INTRINSIC_GAS + 2_000_000;
    let args = borsh::to_vec(&1u64).unwrap();
    let sign_start = Instant::now();
    let mut signed: Vec<Transaction> = Vec::with_capacity(txs);
    for nonce in 0..16u64 {
        for s in &senders {
            if signed.len() == txs {
                break;
            }
            signed.push(
                UnsignedTx {
                    chain_id,
                    sender: s.public(),
                    nonce,
                    gas_limit,
                    gas_price: 1,
                    payload: Payload::Call {
                        contract: counter_id,
                        function: "increment".into(),
                        args: args.clone(),
                    },
                }
                .sign(s),
            );
        }
    }
    let signing = sign_start.elapsed();
    let encoded: Vec<Vec<u8>> = signed.iter().map(|t| t.encode()).collect();
    let wanted: std::collections::HashSet<String> =
        signed.iter().map(|t| hex::encode(t.hash().0)).collect();
    let mut events = devnet.subscribe();
    let start = Instant::now();
    let watcher = std::thread::spawn(move || {
        let mut accepted_at: HashMap<u64, (Instant, u64, usize)> = HashMap::new();
        let mut latencies = Vec::new();
        let mut included = 0usize;
        let mut final_txs = 0usize;
        let mut blocks = 0u64;
        let mut first_ts = None;
        let mut last_ts = 0;
        loop {
            match events.blocking_recv() {
                Ok(ChainEvent::Block(b)) => {
                    let ours = b
                        .transactions
                        .iter()
                        .filter(|h| wanted.contains(*h))
                        .count();
                    if ours > 0 || included > 0 {
                        blocks += 1;
                        first_ts.get_or_insert(b.timestamp_ms);
                        last_ts = b.timestamp_ms;
                    }
                    included += ours;
                    if std::env::var_os("BENCH_TRACE").is_some() {
                        eprintln!(
                            "block {} {} txs ({ours} ours) {}",
                            b.height,
                            b.transactions.len(),
                            b.label
                        );
                    }
                    accepted_at.insert(b.height, (Instant::now(), b.timestamp_ms, ours));
                }
                Ok(ChainEvent::Label { height, label, .. }) if label == "final" => {
                    if let Some((at, _, ours)) = accepted_at.remove(&height) {
                        latencies.push(at.elapsed());
                        final_txs += ours;
                        if final_txs >= wanted.len() {
                            let block_time = (last_ts - first_ts.unwrap_or(last_ts)) as f64
                                / (blocks.max(2) - 1) as f64;
                            return (Instant::now(), blocks, latencies, block_time);
                        }
                    }
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    panic!("the bench lost {n} events")
                }
                Err(e) => panic!("{e}"),
            }
        }
    });
    let mut submitting = Duration::ZERO;
    let mut retries = 0u64;
    for bytes in &encoded {
        loop {
            let t = Instant::now();
            let r = devnet.submit(bytes);
            submitting += t.elapsed();
            match r {
                Ok(_) => break,
                Err(ApiError::Refused(m)) if m.contains("full") || m.contains("ahead") => {
                    retries += 1;
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(e) => panic!("refused: {e}"),
            }
        }
    }
    eprintln!("submitted in {:.2} s", start.elapsed().as_secs_f64());
    let (done, blocks, latencies, block_time) = watcher.join().expect("the watcher");
    let elapsed = done - start;
    let mean = latencies.iter().sum::<Duration>() / latencies.len().max(1) as u32;
    let max = latencies.iter().max().copied().unwrap_or_default();
    println!(
        "finalized {txs} tx in {:.2} s: {:.0} finalized tx/s",
        elapsed.as_secs_f64(),
        txs as f64 / elapsed.as_secs_f64()
    );
    println!(
        "blocks {blocks}: {:.2} blocks/s, {:.0} tx/block, block time (timestamps) {block_time:.0} ms",
        blocks as f64 / elapsed.as_secs_f64(),
        txs as f64 / blocks.max(1) as f64
    );
    println!(
        "finality latency (accepted -> final): mean {} ms, max {} ms",
        mean.as_millis(),
        max.as_millis()
    );
    println!(
        "client signing {:.1} µs/tx; submit {:.1} µs/tx ({retries} retries on a full pool)",
        signing.as_secs_f64() * 1e6 / txs as f64,
        submitting.as_secs_f64() * 1e6 / txs as f64
    );
    devnet.shutdown();
}
