//! Throughput, finality and memory of the devnet under load: a measurement, not a test.
//!
//! ```text
//! cargo run --release -p node-lite --example devnet_bench [-- TXS MODE OFFLINE SIGNATURES]
//! ```
//!
//! Starts a 4-provisioner devnet (`MODE`: `instant` or `interval:MS`; `OFFLINE` provisioners
//! taken offline first, 0 by default; `SIGNATURES`: the consensus's `bls`, the default, or the
//! fast `fake` ones, to see what BLS costs), deploys `counter`, funds `min(TXS / 16, 4096)` fresh
//! accounts with the `fund` dev control, signs `TXS` `counter.increment(1)` calls (default
//! 20,000; nonce by nonce over the senders), submits them as fast as the mempool takes them (a
//! refusal for a full pool or a nonce too far ahead is retried after a millisecond) and prints:
//! - finalized transactions per second (from the first submission to the last of them final);
//! - blocks per second and transactions per block;
//! - block time (timestamps) and finality latency (a block's `Block` event to its `final`
//!   label event), mean and maximum;
//! - the process's CPU time (user + system, all threads) per finalized transaction: on a shared
//!   machine it moves less than wall-clock figures do;
//! - where the submission time went: signing (client side) and `submit` (decode, signature,
//!   balance and nonce reads, mempool, gossip), in wall-clock time and in the submitting
//!   thread's CPU time (`/proc/thread-self/stat`, 10 ms ticks);
//! - memory: the process's resident set (`VmRSS`) and its peak (`VmHWM`) from
//!   `/proc/self/status`, at the end and on every progress line.
//!
//! Up to [`PRESIGN_MAX`] transactions are signed before the clock starts; more (the memory runs,
//! e.g. `1000000`) are signed on the fly by the submitting thread, so the bench itself holds no
//! more than one transaction at a time and its signing time counts in the throughput. A progress
//! line is printed every [`PROGRESS_EVERY`] (`BENCH_TRACE=1` also prints every block).
//!
//! Each transaction carries the gas limit the CLI client would give it: the dry run's estimate
//! (`BENCH_GAS_LIMIT=N` sets another; a block holds as many as fit by the gas they spend).
//! `BENCH_EXECUTION=per-node` makes every node execute every block itself instead of sharing
//! one execution per process (`NodeConfig::with_shared_execution`), to compare the two.
//! `BENCH_SUBMIT_BATCH=N` submits the presigned transactions N at a time through
//! `NodeApi::submit_batch` (what `POST /txs` calls) instead of one `submit` each.
//! `BENCH_GENESIS=FILE` starts from another genesis (`node-lite devnet --print-genesis` writes
//! the default; e.g. another `block_gas_limit`).

use node_lite::chain::tx::{Payload, TX_INTRINSIC_GAS, UnsignedTx};
use node_lite::chain::{AccountKey, Transaction};
use node_lite::devnet::{BlockMode, NodeConfig, Signatures, spawn};
use node_lite::node_api::{
    ApiError, CallRequest, ChainEvent, DevPayload, DevTxRequest, NodeApi, TxStatus,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const COUNTER: &[u8] = include_bytes!("../../contracts/wasm/counter.wasm");
const WAIT: Duration = Duration::from_secs(600);
/// Most transactions signed before the measurement starts.
const PRESIGN_MAX: usize = 200_000;
/// Most sending accounts (each sends `TXS / senders` transactions, nonce by nonce).
const MAX_SENDERS: usize = 4_096;
/// How often a progress line is printed.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// `VmRSS` and `VmHWM` of this process, in MiB.
fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// User + system CPU time of this process (every thread), from `/proc/self/stat` (clock ticks
/// of 1/100 s, Linux's `USER_HZ`).
fn cpu_time() -> Duration {
    stat_cpu_time("/proc/self/stat")
}

/// User + system CPU time of the calling thread (`/proc/thread-self/stat`).
fn thread_cpu_time() -> Duration {
    stat_cpu_time("/proc/thread-self/stat")
}

/// User + system CPU time from a `stat` file of `/proc`.
fn stat_cpu_time(path: &str) -> Duration {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are the 14th and 15th fields: 12 and 13 after the state (field 3).
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

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
    let signatures = match args.get(3).map(String::as_str) {
        Some("fake") => Signatures::Fake,
        None | Some("bls") => Signatures::Bls,
        Some(other) => panic!("SIGNATURES is bls or fake, not {other}"),
    };
    let trace = std::env::var_os("BENCH_TRACE").is_some();
    let per_node = std::env::var("BENCH_EXECUTION").is_ok_and(|v| v == "per-node");
    let mut config = NodeConfig::default()
        .with_quiet(true)
        .with_port(0)
        .with_block_mode(mode)
        .with_signatures(signatures)
        .with_shared_execution(!per_node);
    if let Some(genesis) = std::env::var_os("BENCH_GENESIS") {
        config = config.with_genesis_file(genesis);
    }
    let devnet = spawn(config).expect("a devnet starts");
    println!(
        "devnet_bench: {txs} counter.increment transactions, 4 provisioners, {} blocks, {offline} offline, {signatures:?} signatures, {} execution",
        mode.label(),
        if per_node { "per-node" } else { "shared" }
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
    let senders: Vec<AccountKey> = (0..txs.div_ceil(16).clamp(1, MAX_SENDERS))
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
    let args = borsh::to_vec(&1u64).unwrap();
    // The limit the CLI client would put: the dry run's estimate (`BENCH_GAS_LIMIT` overrides).
    let estimate = devnet
        .dry_run(CallRequest {
            caller: Some(hex::encode(senders[0].public())),
            contract: counter.clone(),
            function: "increment".into(),
            args: hex::encode(&args),
            gas_limit: None,
        })
        .expect("a dry run");
    let gas_limit = match std::env::var("BENCH_GAS_LIMIT") {
        Ok(limit) => limit.parse().expect("BENCH_GAS_LIMIT: a number"),
        Err(_) => estimate.gas_estimate,
    };
    let block_gas_limit = devnet.chain_info().block_gas_limit;
    eprintln!(
        "gas: {} spent by the dry run, limit {gas_limit} a transaction (intrinsic \
         {TX_INTRINSIC_GAS}), block gas limit {block_gas_limit}: {} a block counted by limits \
         (blocks fill by the gas spent)",
        estimate.gas_spent,
        block_gas_limit / gas_limit.max(1)
    );
    // The i-th transaction: nonce i / senders of sender i % senders.
    let sign = |i: usize| -> Transaction {
        let s = &senders[i % senders.len()];
        UnsignedTx {
            chain_id,
            sender: s.public(),
            nonce: (i / senders.len()) as u64,
            gas_limit,
            gas_price: 1,
            payload: Payload::Call {
                contract: counter_id,
                function: "increment".into(),
                args: args.clone(),
            },
        }
        .sign(s)
    };
    let presign = txs <= PRESIGN_MAX;
    let sign_start = Instant::now();
    let encoded: Vec<Vec<u8>> = if presign {
        (0..txs).map(|i| sign(i).encode()).collect()
    } else {
        Vec::new()
    };
    let mut signing = sign_start.elapsed();
    let final_count = Arc::new(AtomicUsize::new(0));
    let mut events = devnet.subscribe();
    let (rss_start, _) = rss_mib();
    let cpu_start = cpu_time();
    let start = Instant::now();
    let watcher = {
        let final_count = final_count.clone();
        std::thread::spawn(move || {
            // Blocks accepted and not final yet: height → (when, transactions).
            let mut accepted_at: HashMap<u64, (Instant, usize)> = HashMap::new();
            let mut latency_sum = Duration::ZERO;
            let mut latency_max = Duration::ZERO;
            let mut latencies = 0u32;
            let mut included = 0usize;
            let mut final_txs = 0usize;
            let mut blocks = 0u64;
            let mut first_ts = None;
            let mut last_ts = 0;
            let mut last_progress = (Instant::now(), 0usize);
            loop {
                match events.blocking_recv() {
                    Ok(ChainEvent::Block(b)) => {
                        // Every transaction after the start is the bench's.
                        let ours = b.transactions.len();
                        if ours > 0 || included > 0 {
                            blocks += 1;
                            first_ts.get_or_insert(b.timestamp_ms);
                            last_ts = b.timestamp_ms;
                        }
                        included += ours;
                        if trace {
                            eprintln!("block {} {ours} txs {}", b.height, b.label);
                        }
                        accepted_at.insert(b.height, (Instant::now(), ours));
                    }
                    Ok(ChainEvent::Label { height, label, .. }) if label == "final" => {
                        if let Some((at, ours)) = accepted_at.remove(&height) {
                            let latency = at.elapsed();
                            latency_sum += latency;
                            latency_max = latency_max.max(latency);
                            latencies += 1;
                            final_txs += ours;
                            final_count.store(final_txs, Ordering::Relaxed);
                            if last_progress.0.elapsed() >= PROGRESS_EVERY {
                                let (rss, hwm) = rss_mib();
                                let rate = (final_txs - last_progress.1) as f64
                                    / last_progress.0.elapsed().as_secs_f64();
                                eprintln!(
                                    "progress: {final_txs} final, {rate:.0} tx/s over the last \
                                     interval, height {height}, VmRSS {rss:.0} MiB, VmHWM {hwm:.0} MiB"
                                );
                                last_progress = (Instant::now(), final_txs);
                            }
                            if final_txs >= txs {
                                let block_time = (last_ts - first_ts.unwrap_or(last_ts)) as f64
                                    / (blocks.max(2) - 1) as f64;
                                let mean = latency_sum / latencies.max(1);
                                return (Instant::now(), blocks, mean, latency_max, block_time);
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
        })
    };
    let mut submitting = Duration::ZERO;
    let thread_cpu_start = thread_cpu_time();
    let mut retries = 0u64;
    let mut last_hash = String::new();
    let batch = std::env::var("BENCH_SUBMIT_BATCH")
        .ok()
        .map(|n| n.parse::<usize>().expect("BENCH_SUBMIT_BATCH: a number"))
        .filter(|n| *n > 1);
    if let Some(n) = batch {
        assert!(presign, "BENCH_SUBMIT_BATCH needs TXS <= {PRESIGN_MAX}");
        for chunk in encoded.chunks(n) {
            let mut pending: Vec<Vec<u8>> = chunk.to_vec();
            loop {
                let t = Instant::now();
                let results = devnet
                    .submit_batch(&pending)
                    .expect("a batch under the limit");
                submitting += t.elapsed();
                let mut again = Vec::new();
                for (bytes, r) in pending.into_iter().zip(results) {
                    match r {
                        Ok(hash) => last_hash = hash,
                        Err(ApiError::Refused(m)) if m.contains("full") || m.contains("ahead") => {
                            again.push(bytes)
                        }
                        Err(e) => panic!("refused: {e}"),
                    }
                }
                if again.is_empty() {
                    break;
                }
                retries += again.len() as u64;
                std::thread::sleep(Duration::from_millis(1));
                pending = again;
            }
        }
    }
    for i in 0..if batch.is_some() { 0 } else { txs } {
        let fresh;
        let bytes = if let Some(pre) = encoded.get(i) {
            pre
        } else {
            let t = Instant::now();
            fresh = sign(i).encode();
            signing += t.elapsed();
            &fresh
        };
        loop {
            let t = Instant::now();
            let r = devnet.submit(bytes);
            submitting += t.elapsed();
            match r {
                Ok(hash) => {
                    last_hash = hash;
                    break;
                }
                Err(ApiError::Refused(m)) if m.contains("full") || m.contains("ahead") => {
                    retries += 1;
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(e) => panic!("refused: {e}"),
            }
        }
    }
    // The submitting thread's CPU (inline signing included when not presigned): on a shared
    // machine the wall-clock `submit` figure grows with the load, this does not.
    let submit_cpu = thread_cpu_time().saturating_sub(thread_cpu_start);
    eprintln!("submitted in {:.2} s", start.elapsed().as_secs_f64());
    let (done, blocks, mean, max, block_time) = watcher.join().expect("the watcher");
    let elapsed = done - start;
    let cpu = cpu_time().saturating_sub(cpu_start);
    // The transactions measured must be the calls they claim to be, not out-of-gas failures.
    let last = wait_tx(&last_hash);
    assert!(
        last.success,
        "the last transaction failed ({:?}, {} gas of {}): the figures would measure failures",
        last.error, last.gas_spent, last.gas_limit
    );
    eprintln!(
        "the last transaction succeeded: {} gas spent of its {} limit",
        last.gas_spent, last.gas_limit
    );
    let (rss, hwm) = rss_mib();
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
        "process CPU {:.1} s: {:.0} µs per finalized tx ({:.2} cores busy on average)",
        cpu.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / txs as f64,
        cpu.as_secs_f64() / elapsed.as_secs_f64()
    );
    println!(
        "client signing {:.1} µs/tx ({}); submit {:.1} µs/tx ({retries} retries on a full pool), \
         the submitting thread's CPU {:.1} µs/tx",
        signing.as_secs_f64() * 1e6 / txs as f64,
        if presign {
            "before the start"
        } else {
            "inline, counted"
        },
        submitting.as_secs_f64() * 1e6 / txs as f64,
        submit_cpu.as_secs_f64() * 1e6 / txs as f64
    );
    println!(
        "memory: VmRSS {rss:.0} MiB at the end ({rss_start:.0} MiB at the start), peak VmHWM {hwm:.0} MiB"
    );
    devnet.shutdown();
}
