//! What a devnet block's commit costs a node's store, per transaction, piece by piece, and how
//! it grows with the store: `WalStore::commit_with_records` with the writes
//! `NodeStore::commit_block` (node-lite, `devnet/store.rs`) makes for a block of
//! [`TXS`] transactions, over a store already holding a number of transaction lookups.
//!
//! Three commits per block, one after the other, each timed on its own:
//! - `state`: the block's change set alone ([`TXS`] storage writes, one per transaction, as
//!   `counter.increment` makes), no record;
//! - `records`: a change set of one write with the block's height records (block, receipts,
//!   label, eligible set, block hash: one record each, sizes as the devnet's), no lookups;
//! - `lookups`: a change set of one write with the [`TXS`] transaction lookups (`t` ‖ hash →
//!   height ‖ index, random keys).
//!
//! - `bucketed`: the same lookups as node-lite's `devnet/tx_lookup.rs` writes them (one bucket
//!   of hashes as `t` records with that bucket's pending ones, the others as one pending record
//!   per bucket), after the `lookups` commit of another [`TXS`] (so the store grows by both).
//!
//! The difference between a piece and a one-write commit (`empty`, also timed) is that piece's
//! cost (wall time: the commit's sync included). Printed: the mean of each, in µs per transaction, at every store size.
//!
//! Run: `cargo bench -p state --bench block_commit`. `BLOCK_COMMIT_SIZES` (comma-separated
//! numbers of transaction lookups already stored, default `0,100000,400000`) and
//! `BLOCK_COMMIT_BLOCKS` (blocks timed per size, default 30) change the run, and
//! `BLOCK_COMMIT_BUCKET_BITS` the bucketed form's buckets (2^bits, default 5 as the devnet's).

use host_api::ContractId;
use state::{ChangeSet, RecordStore, RecordWrites, Root, StateStore, WalOptions, WalStore};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Transactions per block (the devnet's ≈ 800 `counter.increment`).
const TXS: u64 = 800;
/// The contract the storage writes go to.
const CONTRACT: ContractId = ContractId([7; 32]);
/// Bytes of a block record (≈ 200 bytes a transaction).
const BLOCK_BYTES: usize = 200 * TXS as usize;
/// Bytes of a receipts record (JSON, ≈ 300 bytes a receipt).
const RECEIPTS_BYTES: usize = 300 * TXS as usize;

/// A 32-byte pseudo-random hash for `n` (a splitmix64 stream).
fn hash(n: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for chunk in out.chunks_mut(8) {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out
}

fn height_key(kind: u8, height: u64) -> Vec<u8> {
    [&[kind][..], &height.to_be_bytes()].concat()
}

/// The transaction lookups of block `height` (transactions numbered from `first`).
fn lookups(height: u64, first: u64, count: u64) -> RecordWrites {
    (0..count)
        .map(|i| {
            let key = [&[b't'][..], &hash(first + i)].concat();
            let at = [&height.to_be_bytes()[..], &(i as u32).to_be_bytes()].concat();
            (key, Some(at))
        })
        .collect()
}

/// Bits of a hash naming its bucket in the bucketed lookups (node-lite's `devnet/tx_lookup.rs`
/// uses 5): `BLOCK_COMMIT_BUCKET_BITS`, 5 by default, at most 8.
fn bucket_bits() -> u32 {
    env_or("BLOCK_COMMIT_BUCKET_BITS", "5")
        .parse::<u32>()
        .ok()
        .filter(|b| *b <= 8)
        .expect("BLOCK_COMMIT_BUCKET_BITS: a number up to 8")
}

fn pending_key(bucket: u8, height: u64) -> Vec<u8> {
    [&[b'x', bucket][..], &height.to_be_bytes()].concat()
}

/// The lookups of block `height` as node-lite's `devnet/tx_lookup.rs` writes them: the bucket
/// `height mod 2^bucket_bits` as `t` records, with the pending ones of that bucket (read from
/// `store`, then deleted); the other buckets as one pending record each.
fn bucketed_lookups(store: &WalStore, height: u64, first: u64, count: u64) -> RecordWrites {
    let bits = bucket_bits();
    let buckets = 1u64 << bits;
    let merged = (height % buckets) as u8;
    let mut records = RecordWrites::new();
    let mut pending = vec![Vec::new(); buckets as usize];
    for i in 0..count {
        let hash = hash(first + i);
        let at = [&height.to_be_bytes()[..], &(i as u32).to_be_bytes()].concat();
        let b = ((u16::from(hash[0]) << bits) >> 8) as u8;
        if b == merged {
            records.insert([&[b't'][..], &hash].concat(), Some(at));
        } else {
            pending[b as usize].extend_from_slice(&hash);
            pending[b as usize].extend_from_slice(&(i as u32).to_be_bytes());
        }
    }
    for (b, entries) in pending.into_iter().enumerate() {
        if !entries.is_empty() {
            records.insert(pending_key(b as u8, height), Some(entries));
        }
    }
    for h in height.saturating_sub(buckets).max(1)..height {
        let key = pending_key(merged, h);
        if let Some(bytes) = store.record(&key).expect("read") {
            for entry in bytes.chunks_exact(36) {
                let at = [&h.to_be_bytes()[..], &entry[32..]].concat();
                records.insert([&[b't'][..], &entry[..32]].concat(), Some(at));
            }
            records.insert(key, None);
        }
    }
    records
}

/// The height records of block `height`.
fn height_records(height: u64) -> RecordWrites {
    let mut records = RecordWrites::new();
    records.insert(height_key(b'b', height), Some(vec![1; BLOCK_BYTES]));
    records.insert(height_key(b'r', height), Some(vec![2; RECEIPTS_BYTES]));
    records.insert(height_key(b'l', height), Some(vec![3; 33]));
    records.insert(height_key(b'e', height), Some(vec![4; 4 * 40]));
    records.insert(
        [&[b'h'][..], &hash(u64::MAX - height)].concat(),
        Some(height.to_be_bytes().to_vec()),
    );
    records
}

/// `count` storage writes of round `round` (one 32-byte key a transaction, an 8-byte value).
fn writes(round: u64, count: u64) -> ChangeSet {
    let storage: BTreeMap<_, _> = (0..count)
        .map(|i| (hash(i).to_vec(), Some(round.to_le_bytes().to_vec())))
        .collect();
    let mut changes = ChangeSet::default();
    changes.storage.insert(CONTRACT, storage);
    changes
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn timed(
    store: &WalStore,
    root: &mut Root,
    changes: ChangeSet,
    records: &RecordWrites,
) -> Duration {
    let start = Instant::now();
    *root = store
        .commit_with_records(*root, changes, records)
        .expect("commit");
    start.elapsed()
}

fn per_tx(total: Duration, blocks: u64) -> f64 {
    total.as_secs_f64() * 1e6 / (blocks * TXS) as f64
}

fn main() {
    let sizes: Vec<u64> = env_or("BLOCK_COMMIT_SIZES", "0,100000,400000")
        .split(',')
        .map(|s| s.trim().parse().expect("BLOCK_COMMIT_SIZES: numbers"))
        .collect();
    let blocks: u64 = env_or("BLOCK_COMMIT_BLOCKS", "30")
        .parse()
        .expect("BLOCK_COMMIT_BLOCKS: a number");
    println!("µs per transaction (means over {blocks} blocks of {TXS}), by lookups stored:");
    println!(
        "{:>10} {:>8} {:>8} {:>8} {:>8} {:>8} | {:>8} {:>8} {:>8} {:>8} {:>8}",
        "stored",
        "empty",
        "state",
        "records",
        "lookups",
        "bucketed",
        "state-e",
        "recs-e",
        "look-e",
        "buck-e",
        "sum"
    );
    for size in sizes {
        let dir = tempfile::tempdir().expect("tempdir");
        let options = WalOptions {
            checkpoint_bytes: None,
            keep_versions: Some(257),
            cache_bytes: Some(16 << 20),
        };
        let store = WalStore::open_with(dir.path().join("state.wal"), options).expect("open");
        let mut root = store.root().expect("root");
        let mut height = 0u64;
        let mut next_tx = 0u64;
        while next_tx < size {
            let count = (size - next_tx).min(50_000);
            height += 1;
            timed(
                &store,
                &mut root,
                writes(height, 1),
                &lookups(height, next_tx, count),
            );
            next_tx += count;
        }
        // The bucketed lookups' steady state: every bucket with its pending records.
        for _ in 0..1u64 << bucket_bits() {
            height += 1;
            let records = bucketed_lookups(&store, height, next_tx, TXS);
            timed(&store, &mut root, writes(height, 1), &records);
            next_tx += TXS;
        }
        let mut sums = [Duration::ZERO; 5];
        for _ in 0..blocks {
            height += 1;
            sums[0] += timed(&store, &mut root, writes(height, 1), &RecordWrites::new());
            sums[1] += timed(&store, &mut root, writes(height, TXS), &RecordWrites::new());
            sums[2] += timed(
                &store,
                &mut root,
                writes(height + 1, 1),
                &height_records(height),
            );
            sums[3] += timed(
                &store,
                &mut root,
                writes(height + 2, 1),
                &lookups(height, next_tx, TXS),
            );
            next_tx += TXS;
            let start = Instant::now();
            let records = bucketed_lookups(&store, height, next_tx, TXS);
            root = store
                .commit_with_records(root, writes(height + 3, 1), &records)
                .expect("commit");
            sums[4] += start.elapsed();
            next_tx += TXS;
        }
        let [e, s, r, l, b] = sums.map(|d| per_tx(d, blocks));
        println!(
            "{size:>10} {e:>8.2} {s:>8.2} {r:>8.2} {l:>8.2} {b:>8.2} | {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
            s - e,
            r - e,
            l - e,
            b - e,
            s + r + l - 2.0 * e
        );
    }
}
