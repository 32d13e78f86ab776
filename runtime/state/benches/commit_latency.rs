//! `WalStore` commit latency, as a distribution: 5,000 commits of 1,000 dirty keys each over a
//! 1 M-key state, every commit timed on its own, printing the median, p99 and max (and the
//! checkpoints that fell in the window). A mean hides what this measures: a commit that also
//! writes a checkpoint of the whole state stalls one block, and a node's consensus step has a
//! timeout of a few hundred milliseconds.
//!
//! Run: `cargo bench -p state --bench commit_latency` (≈ 1 min to build the 1 M-key state and
//! write its first checkpoint, then ≈ 1 min of commits). `LATENCY_KEYS` and `LATENCY_COMMITS`
//! change the state size and the number of commits (e.g. `LATENCY_KEYS=10000
//! LATENCY_COMMITS=500` for a quick look). `LATENCY_CHECKPOINT_BYTES` sets the store's checkpoint
//! threshold ([`WalOptions::checkpoint_bytes`]; by default the last checkpoint's size): e.g.
//! `LATENCY_CHECKPOINT_BYTES=1000000000000` writes no checkpoint in the window, the control run
//! that shows what the machine's own noise does to the distribution.
//!
//! Not criterion: criterion reports a typical iteration time; here the tail is the result. The
//! key sets are those of `benches/benches/state_commit.rs` (1,000 keys spread over the state by
//! an LCG walk, new values every commit), so the two benches measure the same commits.

use host_api::ContractId;
use state::{ChangeSet, StateStore, WalOptions, WalStore};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Keys written per commit.
const DIRTY: u64 = 1_000;
/// The one contract whose storage holds every key.
const CONTRACT: ContractId = ContractId([7; 32]);
/// Keys per commit while the state is built.
const FILL_BATCH: u64 = 100_000;

/// A 32-byte value that differs for every (key, round).
fn value(key: u64, round: u64) -> Vec<u8> {
    let mut v = [0u8; 32];
    v[..8].copy_from_slice(&key.to_le_bytes());
    v[8..16].copy_from_slice(&round.to_le_bytes());
    v.to_vec()
}

fn changes(keys: impl Iterator<Item = u64>, round: u64) -> ChangeSet {
    let writes: BTreeMap<_, _> = keys
        .map(|k| (k.to_be_bytes().to_vec(), Some(value(k, round))))
        .collect();
    let mut changes = ChangeSet::default();
    changes.storage.insert(CONTRACT, writes);
    changes
}

/// `DIRTY` keys spread over `0..total`, different every round (a cheap LCG walk).
fn dirty_keys(total: u64, round: u64) -> impl Iterator<Item = u64> {
    let mut x = round.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..DIRTY).map(move |_| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 11) % total
    })
}

/// The value of environment variable `name` parsed as a number, `default` when it is unset; a
/// value that does not parse stops the bench with a message naming it.
fn env_or(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

/// The `q`-quantile of `sorted` (nearest rank).
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    // `cargo bench` passes `--bench`; a filter or `--list` from a workspace-wide run asks for
    // nothing this bench would answer quickly.
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let total = env_or("LATENCY_KEYS", 1_000_000);
    let commits = env_or("LATENCY_COMMITS", 5_000);
    assert!(
        total > 0 && commits > 0,
        "LATENCY_KEYS and LATENCY_COMMITS must be positive"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let options = WalOptions {
        checkpoint_bytes: std::env::var("LATENCY_CHECKPOINT_BYTES")
            .is_ok()
            .then(|| env_or("LATENCY_CHECKPOINT_BYTES", 0)),
        ..WalOptions::default()
    };
    let store = WalStore::open_with(dir.path().join("state.wal"), options).expect("open");
    let started = Instant::now();
    let mut done = 0;
    while done < total {
        let end = (done + FILL_BATCH).min(total);
        store.commit(changes(done..end, 0)).expect("fill");
        done = end;
    }
    // Start the window from a fresh checkpoint, as a store that has run for a while would be:
    // the next one comes after a checkpoint's worth of log.
    store.checkpoint().expect("checkpoint");
    let before = store.stats();
    eprintln!(
        "commit_latency: built a {total}-key state and its checkpoint in {:.1} s: {before:?}",
        started.elapsed().as_secs_f64()
    );
    let mut times = Vec::with_capacity(commits as usize);
    let mut checkpoints = 0;
    let mut last_checkpoint = before.checkpoint_version;
    let window = Instant::now();
    for round in 1..=commits {
        let changes = changes(dirty_keys(total, round), round);
        let t = Instant::now();
        store.commit(changes).expect("commit");
        times.push(t.elapsed());
        let now = store.stats().checkpoint_version;
        if now != last_checkpoint {
            checkpoints += 1;
            last_checkpoint = now;
        }
    }
    let window = window.elapsed();
    let after = store.stats();
    let slowest: Vec<(usize, f64)> = {
        let mut indexed: Vec<(usize, Duration)> = times.iter().copied().enumerate().collect();
        indexed.sort_by_key(|&(_, d)| std::cmp::Reverse(d));
        indexed
            .iter()
            .take(8)
            .map(|&(i, d)| (i + 1, ms(d)))
            .collect()
    };
    times.sort();
    let median = quantile(&times, 0.5);
    let p99 = quantile(&times, 0.99);
    let max = *times.last().expect("at least one commit");
    let mean = window / commits as u32;
    eprintln!("commit_latency: {after:?} after");
    eprintln!("commit_latency: slowest commits (index, ms): {slowest:.1?}");
    println!(
        "commit_latency: {commits} commits of {DIRTY} keys over {total} keys: \
         median {:.2} ms, p99 {:.2} ms ({:.2}x median), max {:.2} ms ({:.2}x median), \
         mean {:.2} ms; {checkpoints} checkpoints written in the window",
        ms(median),
        ms(p99),
        ms(p99) / ms(median),
        ms(max),
        ms(max) / ms(median),
        ms(mean),
    );
}
