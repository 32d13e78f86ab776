//! Storage commits: a call writes (or removes) distinct keys of a 1 M-key state and its session
//! is committed, on the store a devnet node runs (`node-lite/src/devnet/store.rs`: `WalStore`,
//! 257 versions kept revertible, a 32 MiB page cache; `GAS_BENCH_COMMIT_STORE=redb` runs the
//! previous node store instead, `RedbStore` with a 32 MiB page cache and 257 versions kept),
//! the call and the commit timed together, both in the thread's CPU time (the store works in
//! the committing thread; comparable with the yardstick) and in wall time (which adds the
//! fsync, and on a shared machine the neighbours' slices). Each kernel's gas is the call's,
//! which must succeed (a call out of gas writes nothing): the writes' gas, commit included,
//! against the time they take committed.
//!
//! `WalStore` writes its checkpoints in a thread of its own, off the commit path: before the
//! kernels, one checkpoint of the whole state is written in this thread and its CPU and wall
//! time printed, to price what the log's bytes cost when a checkpoint folds them in.
//!
//! Before the kernels run the state is built (`GAS_BENCH_COMMIT_STATE` keys, default
//! 1,000,000, in 100,000-key commits) and then committed over `GAS_BENCH_COMMIT_WARMUP` times
//! (default 256) with 1,000 random keys each. Every commit past the retained versions
//! (`GAS_BENCH_COMMIT_KEEP`, default 257, a node's) also prunes the oldest, as a node's does:
//! dropping a version frees the nodes its successor's commit replaced, so a commit pays the
//! pruning of an earlier commit of about its size in a steady state. The kernels run in an
//! order where the 1,000-key ones follow 1,000-key commits (so with `GAS_BENCH_COMMIT_KEEP=2`
//! they prune a commit of their own size); the smaller ones pay a larger one's pruning.
//! `GAS_BENCH_COMMIT_STATE=0` skips these kernels.

use host_api::{Address, ContractId};
use runtime::{
    BlockInfo, ChangeSet, RedbOptions, RedbStore, Runtime, RuntimeConfig, Session, StateStore,
    WalOptions, WalStore,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A devnet node's retained versions and page cache (`node-lite/src/devnet/store.rs`).
const KEPT_VERSIONS: usize = 257;
const CACHE_BYTES: usize = 32 << 20;

/// `store`'s input: `mode[4] ‖ count[4] ‖ seed[8] ‖ value_len[4] ‖ pad[4] ‖ keys[8]`. Mode 0
/// writes `count` values of `value_len` bytes under keys drawn from `0..keys` (8-byte little
/// endian, an LCG from `seed`); mode 1 removes `count` such keys; mode 2 writes key 0
/// `count` times. Each value starts with the walk's state, so every round writes new values.
const WRITER: &str = r#"(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "storage_write" (func $write (param i32 i32 i32 i32)))
  (import "host_v1" "storage_remove" (func $remove (param i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "store") (param i32) (result i32)
    (local $i i32) (local $x i64)
    (call $input_read (i32.const 0))
    (local.set $x (i64.load (i32.const 8)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 4))))
        (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005))
          (i64.const 1442695040888963407)))
        (i64.store (i32.const 64) (i64.rem_u (i64.shr_u (local.get $x) (i64.const 11))
          (i64.load (i32.const 24))))
        (if (i32.eq (i32.load (i32.const 0)) (i32.const 2))
          (then (i64.store (i32.const 64) (i64.const 0))))
        (i64.store (i32.const 1024) (local.get $x))
        (if (i32.eq (i32.load (i32.const 0)) (i32.const 1))
          (then (drop (call $remove (i32.const 64) (i32.const 8))))
          (else (call $write (i32.const 64) (i32.const 8) (i32.const 1024)
            (i32.load (i32.const 16)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.const 0)))"#;

/// One commit kernel: what the call does.
pub struct CommitKernel {
    pub name: String,
    mode: u32,
    count: u32,
    value_len: u32,
}

/// The commit kernels' store, runtime and writer contract.
pub struct Commits {
    runtime: Runtime,
    store: Arc<dyn StateStore>,
    writer: ContractId,
    keys: u64,
    round: u64,
    pub kernels: Vec<CommitKernel>,
    _dir: tempfile::TempDir,
}

fn env_or(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

/// `count` writes of `value`-byte values (or removals) under random keys of `0..keys`.
fn changes(writer: ContractId, keys: impl Iterator<Item = u64>, round: u64) -> ChangeSet {
    let writes: BTreeMap<_, _> = keys
        .map(|k| {
            let mut v = [0u8; 32];
            v[..8].copy_from_slice(&k.to_le_bytes());
            v[8..16].copy_from_slice(&round.to_le_bytes());
            (k.to_le_bytes().to_vec(), Some(v.to_vec()))
        })
        .collect();
    let mut changes = ChangeSet::default();
    changes.storage.insert(writer, writes);
    changes
}

/// The store of a devnet node holding `GAS_BENCH_COMMIT_STATE` keys of the writer contract, at
/// a node's number of retained versions; `None` when the variable is 0.
pub fn commit_kernels(config: &RuntimeConfig) -> Option<Commits> {
    let keys = env_or("GAS_BENCH_COMMIT_STATE", 1_000_000);
    if keys == 0 {
        return None;
    }
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
    let keep = env_or("GAS_BENCH_COMMIT_KEEP", KEPT_VERSIONS as u64);
    let redb = std::env::var("GAS_BENCH_COMMIT_STORE").is_ok_and(|s| s == "redb");
    let mut wal = None;
    let store: Arc<dyn StateStore> = if redb {
        let options = RedbOptions {
            keep_versions: Some(keep as usize),
            cache_bytes: Some(CACHE_BYTES),
            check_integrity_on_open: false,
        };
        Arc::new(RedbStore::open_with(dir.path().join("state.redb"), options).expect("redb"))
    } else {
        let options = WalOptions {
            checkpoint_bytes: None,
            keep_versions: Some(keep),
            cache_bytes: Some(CACHE_BYTES),
        };
        let store =
            Arc::new(WalStore::open_with(dir.path().join("state.wal"), options).expect("wal"));
        wal = Some(store.clone());
        store
    };
    let runtime = Runtime::new(config.clone()).expect("runtime");
    let mut session = runtime.session(store.clone(), BlockInfo::default());
    let code = wat::parse_str(WRITER).expect("valid WAT");
    let writer = session.deploy(Address([5; 32]), &code, 0).expect("writer");
    session.commit().expect("commit");
    let started = Instant::now();
    let mut done = 0;
    while done < keys {
        let end = (done + 100_000).min(keys);
        store.commit(changes(writer, done..end, 0)).expect("fill");
        done = end;
    }
    let warmup = env_or("GAS_BENCH_COMMIT_WARMUP", 256);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for round in 1..=warmup {
        let walk = (0..1_000).map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 11) % keys
        });
        store
            .commit(changes(writer, walk.collect::<Vec<_>>().into_iter(), round))
            .expect("warm-up commit");
    }
    eprintln!(
        "gas_classes: built a {keys}-key {} state and {warmup} commits of 1,000 keys over it in {:.1} s",
        if redb { "RedbStore" } else { "WalStore" },
        started.elapsed().as_secs_f64()
    );
    if let Some(wal) = &wal {
        wal.wait_for_checkpoint();
        let (started, cpu) = (Instant::now(), super::thread_cpu_time());
        wal.checkpoint().expect("checkpoint");
        let (cpu, wall) = (super::thread_cpu_time() - cpu, started.elapsed());
        let stats = wal.stats();
        println!(
            "gas_classes: a WalStore checkpoint of the {keys}-key state ({} bytes): {:.0} ms CPU, {:.0} ms wall, {:.1} ns CPU a checkpoint byte",
            stats.checkpoint_bytes,
            cpu.as_secs_f64() * 1e3,
            wall.as_secs_f64() * 1e3,
            cpu.as_secs_f64() * 1e9 / stats.checkpoint_bytes.max(1) as f64
        );
    }
    let kernel = |name: &str, mode, count, value_len| CommitKernel {
        name: name.to_string(),
        mode,
        count,
        value_len,
    };
    Some(Commits {
        runtime,
        store,
        writer,
        keys,
        round: warmup + 1,
        kernels: vec![
            kernel("write 1,000 distinct keys, 32 B values", 0, 1_000, 32),
            kernel("write 1,000 distinct keys, 4 KiB values", 0, 1_000, 4_096),
            kernel("write 100 distinct keys, 64 KiB values", 0, 100, 65_536),
            kernel("write 100 distinct keys, 32 B values", 0, 100, 32),
            kernel("write 10 distinct keys, 32 B values", 0, 10, 32),
            kernel("write one key 10,000 times, 32 B values", 2, 10_000, 32),
            kernel("remove 1,000 distinct keys", 1, 1_000, 0),
            // The issue's cases: 10,000 small keys, and 3,000 values of 64 KiB (last in a
            // round: it grows the state by ≈ 196 MB each time), with 300 and 1,000 between
            // 100 and 3,000 to show how a commit's time grows with its bytes.
            kernel("write 10,000 distinct keys, 32 B values", 0, 10_000, 32),
            kernel("write 300 distinct keys, 64 KiB values", 0, 300, 65_536),
            kernel("write 1,000 distinct keys, 64 KiB values", 0, 1_000, 65_536),
            kernel("write 3,000 distinct keys, 64 KiB values", 0, 3_000, 65_536),
        ],
        _dir: dir,
    })
}

impl Commits {
    /// Run kernel `i` once in a fresh session and commit it: its gas, the thread CPU time and
    /// the wall time of the call and the commit together, and the CPU time of the call alone.
    pub fn run(&mut self, i: usize) -> (u64, Duration, Duration, Duration) {
        let k = &self.kernels[i];
        self.round += 1;
        let mut arg = Vec::with_capacity(32);
        arg.extend_from_slice(&k.mode.to_le_bytes());
        arg.extend_from_slice(&k.count.to_le_bytes());
        arg.extend_from_slice(&self.round.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_le_bytes());
        arg.extend_from_slice(&k.value_len.to_le_bytes());
        arg.extend_from_slice(&[0; 4]);
        arg.extend_from_slice(&self.keys.to_le_bytes());
        let mut session: Session = self
            .runtime
            .session(self.store.clone(), BlockInfo::default());
        let (started, cpu) = (Instant::now(), super::thread_cpu_time());
        let r = session
            .call(Address([1; 32]), self.writer, "store", &arg, u64::MAX / 4)
            .expect("no host error");
        assert!(r.is_success(), "{}: {:?}", k.name, r.result);
        let call = super::thread_cpu_time() - cpu;
        session.commit().expect("commit");
        (
            r.gas_spent,
            super::thread_cpu_time() - cpu,
            started.elapsed(),
            call,
        )
    }
}
