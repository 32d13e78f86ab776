//! State: the cost of committing 1,000 dirty keys over states of 10 k, 100 k and 1 M keys — it
//! should grow with the keys changed, not the state, since a commit touches only the paths of
//! the keys it changes — on four stores in one run:
//!
//! - `redb`: the redb store (merkle nodes and storage in B-trees, two versions kept);
//! - `wal`: the write-ahead-log store (state and tree in memory, one durable log record per
//!   commit, checkpoints; `wal_checkpoint` times a checkpoint on its own);
//! - `memory`: the in-memory store, the same merkle work with no disk;
//! - `redb_table`: the **floor of a B-tree**, the same 1,000 writes into a plain redb table of
//!   the same size in one durable transaction (no merkle tree at all);
//!
//! and random reads from the 1 M-key redb state.
//!
//! Run: `cargo bench -p benches --bench state_commit` (building the 1 M-key redb state takes
//! about 30 s; set `STATE_BENCH_MAX_KEYS=100000` to skip it, `STATE_BENCH_MIN_KEYS=1000000` to
//! run only it, e.g. under a profiler; `STATE_BENCH_STORES=wal,memory` builds and measures only
//! the stores named).
//!
//! A B-tree write costs the pages it dirties: the 10 k-key state is small enough that 1,000
//! changed keys rewrite most of it, which makes it the cheap end of the comparison for the redb
//! store and the plain table alike (BENCHMARKS.md §4).

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use host_api::ContractId;
use runtime::merkle::MemoryTree;
use runtime::{ChangeSet, MemoryStore, RedbOptions, RedbStore, StateStore, WalStore};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

const DIRTY: u64 = 1_000;
const CONTRACT: ContractId = ContractId([7; 32]);
const BATCH: u64 = 100_000;

/// A 32-byte value that differs for every (key, round).
fn value(key: u64, round: u64) -> Vec<u8> {
    let mut v = [0u8; 32];
    v[..8].copy_from_slice(&key.to_le_bytes());
    v[8..16].copy_from_slice(&round.to_le_bytes());
    v.to_vec()
}

fn key(i: u64) -> Vec<u8> {
    i.to_be_bytes().to_vec()
}

fn changes(keys: impl Iterator<Item = u64>, round: u64) -> ChangeSet {
    let writes: BTreeMap<_, _> = keys.map(|k| (key(k), Some(value(k, round)))).collect();
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

/// Write `total` keys in batches through `write`, reporting progress on stderr.
fn fill_with(total: u64, mut write: impl FnMut(ChangeSet)) {
    let started = Instant::now();
    let mut done = 0;
    while done < total {
        let end = (done + BATCH).min(total);
        write(changes(done..end, 0));
        done = end;
    }
    eprintln!(
        "state_commit: built a {total}-key state in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Fill `store` with `total` keys.
fn fill(store: &dyn StateStore, total: u64) {
    fill_with(total, |changes| {
        store.commit(changes).expect("fill");
    });
}

/// Measure `commit` on 1,000 keys spread over `0..total`, new ones every iteration.
fn measure(
    group: &mut Group<'_>,
    name: &str,
    total: u64,
    round: &mut u64,
    mut commit: impl FnMut(ChangeSet),
) {
    group.bench_with_input(BenchmarkId::new(name, total), &total, |b, &total| {
        b.iter_batched(
            || {
                *round += 1;
                changes(dirty_keys(total, *round), *round)
            },
            &mut commit,
            BatchSize::PerIteration,
        )
    });
}

/// The value of environment variable `name` parsed as `T`, `default` when it is unset. A value
/// that does not parse stops the bench with a message naming it, rather than measuring
/// something other than what was asked.
fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number of keys")),
        Err(_) => default,
    }
}

fn sizes() -> Vec<u64> {
    let (min, max) = (
        env_or("STATE_BENCH_MIN_KEYS", 0),
        env_or("STATE_BENCH_MAX_KEYS", 1_000_000),
    );
    let sizes: Vec<u64> = [10_000, 100_000, 1_000_000]
        .into_iter()
        .filter(|&n| (min..=max).contains(&n))
        .collect();
    assert!(
        !sizes.is_empty(),
        "no state size between STATE_BENCH_MIN_KEYS={min} and STATE_BENCH_MAX_KEYS={max} \
         (the sizes are 10000, 100000 and 1000000)"
    );
    sizes
}

/// The stores named by `STATE_BENCH_STORES` (comma-separated), all of them when it is unset or
/// empty; an unknown name stops the bench with a message listing the known ones.
fn stores() -> Vec<&'static str> {
    const ALL: [&str; 4] = ["redb", "wal", "memory", "redb_table"];
    let asked = std::env::var("STATE_BENCH_STORES").unwrap_or_default();
    if asked.is_empty() {
        return ALL.to_vec();
    }
    asked
        .split(',')
        .map(|name| {
            ALL.into_iter().find(|s| *s == name).unwrap_or_else(|| {
                panic!("STATE_BENCH_STORES: unknown store {name:?} (known: {ALL:?})")
            })
        })
        .collect()
}

fn commit_dirty_keys(c: &mut Criterion) {
    let mut group = c.benchmark_group("commit_1000_dirty_keys");
    let mut round = 0;
    group.throughput(Throughput::Elements(DIRTY));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    let mut reads = None;
    let stores = stores();
    let wants = |store: &str| stores.contains(&store);
    for total in sizes() {
        if wants("redb") {
            reads = Some(bench_redb(&mut group, total, &mut round));
        }
        if wants("wal") {
            bench_wal(&mut group, total, &mut round);
        }
        if wants("memory") {
            bench_memory(&mut group, total, &mut round);
        }
        if wants("redb_table") {
            bench_redb_table(&mut group, total, &mut round);
        }
    }
    group.finish();

    // Random point reads from the largest state.
    if let Some((_dir, redb, total)) = reads {
        let mut group = c.benchmark_group("read_1000_random_keys");
        group.throughput(Throughput::Elements(DIRTY));
        group.sample_size(20);
        let mut round = 0;
        group.bench_with_input(BenchmarkId::new("redb", total), &total, |b, &total| {
            b.iter(|| {
                round += 1;
                for k in dirty_keys(total, round) {
                    black_box(redb.storage(&CONTRACT, &key(k)).expect("read"));
                }
            })
        });
        group.finish();
    }
}

type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// A redb store of `total` keys keeping two versions, its commits measured; returned (with its
/// directory) for the read benchmark.
fn bench_redb(
    group: &mut Group<'_>,
    total: u64,
    round: &mut u64,
) -> (tempfile::TempDir, RedbStore, u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    // Keep two versions: every commit also drops the version before last, as a node that
    // retains a short history would.
    let options = RedbOptions {
        keep_versions: Some(2),
        ..RedbOptions::default()
    };
    let redb = RedbStore::open_with(dir.path().join("state.redb"), options).expect("open");
    fill(&redb, total);
    measure(group, "redb", total, round, |changes| {
        redb.commit(changes).expect("commit");
    });
    (dir, redb, total)
}

/// A write-ahead-log store of `total` keys with its default checkpoints, its commits measured:
/// each appends one durable log record; a commit that takes the log past the checkpoint
/// threshold also starts a checkpoint of the whole state in the background (about once per
/// state's worth of log), which the commits measured after it run alongside.
///
/// Whether a checkpoint falls inside the measured window depends on where the log stands, so
/// the checkpoint is also timed on its own (`wal_checkpoint`, written in the caller's thread as
/// the background one writes it: the last checkpoint decoded, the log applied, the whole state
/// encoded and written), and the log's sizes are printed:
/// a checkpoint's share of a commit is its time × one record's bytes ÷ the checkpoint's bytes.
/// Last, the time to reopen the store (a restart) is printed.
fn bench_wal(group: &mut Group<'_>, total: u64, round: &mut u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let wal = WalStore::open(dir.path().join("state.wal")).expect("open");
    fill(&wal, total);
    let before = wal.stats();
    measure(group, "wal", total, round, |changes| {
        wal.commit(changes).expect("commit");
    });
    let after = wal.stats();
    eprintln!("state_commit: wal over {total} keys: {before:?} before, {after:?} after");
    // A checkpoint at the current version has nothing to do: each one timed follows a commit
    // (not timed), and builds the state from the last checkpoint and that commit's record.
    group.bench_with_input(
        BenchmarkId::new("wal_checkpoint", total),
        &total,
        |b, &total| {
            b.iter_batched(
                || {
                    *round += 1;
                    wal.commit(changes(dirty_keys(total, *round), *round))
                        .expect("commit");
                    wal.wait_for_checkpoint();
                },
                |()| wal.checkpoint().expect("checkpoint"),
                BatchSize::PerIteration,
            )
        },
    );
    let stats = wal.stats();
    eprintln!(
        "state_commit: wal checkpoint over {total} keys: {} bytes",
        stats.checkpoint_bytes
    );
    // A restart: 100 more commits in the log, then the store reopened (checkpoint loaded, tree
    // rebuilt, log replayed). Seconds at 1 M keys, so timed once rather than sampled.
    for _ in 0..100 {
        *round += 1;
        wal.commit(changes(dirty_keys(total, *round), *round))
            .expect("commit");
    }
    let root = wal.root().expect("root");
    drop(wal);
    let started = Instant::now();
    let reopened = WalStore::open(dir.path().join("state.wal")).expect("reopen");
    let took = started.elapsed();
    assert_eq!(reopened.root().expect("root"), root);
    eprintln!(
        "state_commit: wal reopen over {total} keys: {:.2} s ({:?})",
        took.as_secs_f64(),
        reopened.stats()
    );
}

/// An in-memory store of `total` keys, its commits measured; then the merkle work of one such
/// commit is counted (not timed): the nodes it writes, one BLAKE2b each.
fn bench_memory(group: &mut Group<'_>, total: u64, round: &mut u64) {
    let memory = MemoryStore::new();
    fill(&memory, total);
    measure(group, "memory", total, round, |changes| {
        memory.commit(changes).expect("commit");
    });
    drop(memory);
    let mut tree = MemoryTree::new();
    tree.update(changes(0..total, 0).leaf_updates(false));
    let stats = tree.update(changes(dirty_keys(total, 1), 1).leaf_updates(false));
    eprintln!(
        "state_commit: a {DIRTY}-key commit over {total} keys writes {} merkle nodes",
        stats.nodes_created
    );
}

/// The storage engine's floor: a plain redb table keyed like the store's `storage` table
/// (contract ‖ key → value), `total` entries, and the same 1,000 writes per durable commit.
fn bench_redb_table(group: &mut Group<'_>, total: u64, round: &mut u64) {
    const TABLE: redb::TableDefinition<&[u8], &[u8]> = redb::TableDefinition::new("storage");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = redb::Database::create(dir.path().join("plain.redb")).expect("create");
    let write = |changes: ChangeSet| {
        let txn = db.begin_write().expect("begin");
        {
            let mut table = txn.open_table(TABLE).expect("table");
            for (id, writes) in &changes.storage {
                for (k, v) in writes {
                    let mut key = id.0.to_vec();
                    key.extend_from_slice(k);
                    let v = v.as_deref().expect("only writes");
                    table.insert(key.as_slice(), v).expect("insert");
                }
            }
        }
        txn.commit().expect("commit");
    };
    fill_with(total, write);
    measure(group, "redb_table", total, round, write);
}

criterion_group!(benches, commit_dirty_keys);
criterion_main!(benches);
