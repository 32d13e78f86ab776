//! The ignored timing behind the non-crypto prices of `PriceTable::default()` (the crypto ones
//! are timed by `crypto::gas::measure_verification_costs`): every host-function class and the
//! call itself, measured through the runtime as a node runs it (`RuntimeConfig::default()`,
//! pooling, dev mode off), on the in-memory store and on redb, against the yardstick measured
//! in the same run — the fastest metered wasm, a tight integer loop.
//!
//! `cargo test --release -p integration-tests gas_prices::measure -- --ignored --nocapture`
//!
//! Each host function is timed as a loop of `n` calls inside one contract call, less the same
//! loop without the host call, divided by `n`; its gas is measured the same way from the
//! receipts, so it includes the few wasm operators that pass the arguments. A per-byte cost is
//! the difference between a large and a small size, divided by the bytes. For each class the
//! test prints the time, the gas, gas/µs, and the gas the time is worth at the yardstick.
//! Each figure is the fastest of 15 rounds; on a shared machine whole runs still move (by up to
//! ±40 % on the redb rows here), so the figures in `runtime/src/gas.rs` are medians of 5 runs.

use host_api::ContractId;
use host_api::limits::{
    MAX_DEBUG_MESSAGE_BYTES, MAX_EVENT_DATA_BYTES, MAX_RETURN_BYTES, MAX_VALUE_BYTES,
};
use integration_tests::{ALICE, OWNER, wat};
use runtime::config::DEFAULT_MAX_MEMORY_PAGES;
use runtime::{
    BlockInfo, ChangeSet, MemoryStore, PriceTable, Receipt, RedbStore, Runtime, RuntimeConfig,
    Session, StateStore,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

const GAS: u64 = u64::MAX / 4;

/// Every entry but `touch` runs `n` rounds of one host call. The argument is five
/// little-endian u32 words `n, a, b, start, spread` and a 32-byte contract id (for `call`), read
/// to address 0. Round `i` first stores the key counter of `start + i` (see `$key`) at 0x100, so
/// the key (at 0x100, `a` bytes long, zeros after the counter) is new every round. The value
/// area is 0x10000..0x20000 (64 KiB).
fn measuring_module() -> Vec<u8> {
    let entries = [
        ("noop", ""),
        ("height", "(drop (call $block_height))"),
        (
            "output",
            "(call $output_write (i32.const 0x10000) (call $a))",
        ),
        (
            "read",
            "(drop (call $storage_read (i32.const 0x100) (call $a) (i32.const 0x10000) (call $b)))",
        ),
        (
            "write",
            "(call $storage_write (i32.const 0x100) (call $a) (i32.const 0x10000) (call $b))",
        ),
        (
            "remove",
            "(drop (call $storage_remove (i32.const 0x100) (call $a)))",
        ),
        (
            "emit",
            "(call $emit (i32.const 0x400) (i32.const 1) (i32.const 0x10000) (call $a))",
        ),
        (
            "blake",
            "(call $blake2b_256 (i32.const 0x10000) (call $a) (i32.const 0x500))",
        ),
        ("debug", "(call $debug_print (i32.const 0x10000) (call $a))"),
        (
            "call",
            "(drop (call $call (i32.const 20) (i32.const 0x410) (i32.const 1) (i32.const 0) \
             (i32.const 0) (i64.const 0)))",
        ),
    ];
    let mut funcs = String::new();
    for (name, body) in entries {
        funcs.push_str(&format!(
            r#"(func (export "{name}") (param i32) (result i32) (local $i i32)
                 (call $input_read (i32.const 0))
                 (block $done (loop $l
                   (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 0))))
                   (i32.store (i32.const 0x100) (call $key (i32.add (local.get $i) (i32.load (i32.const 12)))))
                   {body}
                   (local.set $i (i32.add (local.get $i) (i32.const 1)))
                   (br $l)))
                 (i32.const 0))
            "#
        ));
    }
    wat(&format!(
        r#"(module
          (import "host_v1" "input_read" (func $input_read (param i32)))
          (import "host_v1" "output_write" (func $output_write (param i32 i32)))
          (import "host_v1" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
          (import "host_v1" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
          (import "host_v1" "storage_remove" (func $storage_remove (param i32 i32) (result i32)))
          (import "host_v1" "block_height" (func $block_height (result i64)))
          (import "host_v1" "emit" (func $emit (param i32 i32 i32 i32)))
          (import "host_v1" "blake2b_256" (func $blake2b_256 (param i32 i32 i32)))
          (import "host_v1" "debug_print" (func $debug_print (param i32 i32)))
          (import "host_v1" "call"
            (func $call (param i32 i32 i32 i32 i32 i64) (result i32)))
          (memory (export "memory") 2)
          (data (i32.const 0x400) "t")
          (data (i32.const 0x410) "f")
          (func $a (result i32) (i32.load (i32.const 4)))
          ;; The key counter of round value `x`: `x` itself, or with word 4 set, `x` spread
          ;; over the prefilled keys by a permutation of 0..1 000 000 (611 953 is prime to 10⁶).
          (func $key (param $x i32) (result i32)
            (if (result i32) (i32.load (i32.const 16))
              (then (i32.wrap_i64 (i64.rem_u
                (i64.mul (i64.extend_i32_u (local.get $x)) (i64.const 611953))
                (i64.const 1000000))))
              (else (local.get $x))))
          ;; Grow memory by `a` pages, then write one byte every 4 KiB above 0x20000.
          (func (export "touch") (param i32) (result i32) (local $p i32) (local $end i32)
            (call $input_read (i32.const 0))
            (drop (memory.grow (call $a)))
            (local.set $end (i32.mul (memory.size) (i32.const 65536)))
            (local.set $p (i32.const 0x20000))
            (block $done (loop $l
              (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
              (i32.store8 (local.get $p) (i32.const 1))
              (local.set $p (i32.add (local.get $p) (i32.const 4096)))
              (br $l)))
            (i32.const 0))
          (func $b (result i32) (i32.load (i32.const 8)))
          {funcs})"#
    ))
}

/// The trivial contract: `f` costs 2 gas (function entry, `i32.const`).
const TRIVIAL: &str = r#"(module (memory (export "memory") 1)
    (func (export "f") (param i32) (result i32) (i32.const 0)))"#;

/// The yardstick: 10⁶ rounds of integer arithmetic, 12,000,006 gas of wasm (export `f`; also
/// the yardstick of `crypto::gas`).
pub(crate) const SPIN: &str = r#"(module (memory (export "memory") 1)
    (func (export "f") (param i32) (result i32) (local $i i32) (local $x i32)
      (local.set $i (i32.const 1000000))
      (loop $l
        (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 31)) (local.get $i)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br_if $l (local.get $i)))
      (i32.and (local.get $x) (i32.const 0))))"#;

/// Keys prefilled in the store: `SMALL_KEYS` 4-byte keys (`u32` LE) with 8-byte values, and
/// `BIG_KEYS` 5-byte keys (`u32` LE ‖ 0) with values of `MAX_VALUE_BYTES`.
const SMALL_KEYS: u32 = 1_000_000;
const BIG_KEYS: u32 = 64;

fn prefill(store: &dyn StateStore, id: ContractId) {
    let commit = |writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>| {
        let mut changes = ChangeSet::default();
        changes.storage.insert(id, writes);
        store.commit(changes).expect("prefill");
    };
    for batch in 0..SMALL_KEYS.div_ceil(100_000) {
        let keys = batch * 100_000..((batch + 1) * 100_000).min(SMALL_KEYS);
        commit(
            keys.map(|i| (i.to_le_bytes().to_vec(), Some(vec![7u8; 8])))
                .collect(),
        );
    }
    commit(
        (0..BIG_KEYS)
            .map(|i| {
                let mut key = i.to_le_bytes().to_vec();
                key.push(0);
                (key, Some(vec![9u8; MAX_VALUE_BYTES]))
            })
            .collect(),
    );
}

/// µs per run of `f`: the fastest of 15 rounds of `per_round` runs (the machine is shared, so
/// slower rounds measure the neighbours; every figure, the yardstick's too, is taken this way).
fn time_us(per_round: usize, mut f: impl FnMut()) -> f64 {
    f();
    (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_round {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / per_round as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn arg(words: [u32; 5], callee: ContractId) -> Vec<u8> {
    let mut out: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    out.extend_from_slice(&callee.0);
    out
}

/// The runtime and the ids of the measuring, trivial and yardstick contracts on one store.
struct Bench {
    runtime: Runtime,
    store: Arc<dyn StateStore>,
    ids: [ContractId; 3],
}

impl Bench {
    fn new(runtime: &Runtime, store: Arc<dyn StateStore>) -> Self {
        let mut s = runtime.session(store.clone(), BlockInfo::default());
        let ids = [measuring_module(), wat(TRIVIAL), wat(SPIN)]
            .map(|code| s.deploy(OWNER, &code, 0).expect("deploy"));
        s.commit().expect("commit deploys");
        prefill(&*store, ids[0]);
        Self {
            runtime: runtime.clone(),
            store,
            ids,
        }
    }

    fn session(&self) -> Session {
        self.runtime
            .session(self.store.clone(), BlockInfo::default())
    }

    /// µs and gas of one host-call round of `entry` (less the empty loop), `n` rounds a call.
    fn per_round(&self, entry: &str, n: u32, a: u32, b: u32, keys: Keys) -> (f64, f64) {
        let callee = self.ids[1];
        let mut s = self.session();
        let mut start = 0u32;
        let spread = u32::from(matches!(keys, Keys::Fresh));
        let mut run = |entry: &str| -> Receipt {
            match keys {
                Keys::Same => {}
                Keys::Fresh => start = start.wrapping_add(n),
                Keys::NewSession => s = self.session(),
            }
            let r = s
                .call(
                    ALICE,
                    self.ids[0],
                    entry,
                    &arg([n, a, b, start, spread], callee),
                    GAS,
                )
                .expect("no host error");
            assert!(r.is_success(), "{entry}: {:?}", r.result);
            r
        };
        let gas = run(entry).gas_spent;
        let empty_gas = run("noop").gas_spent;
        let per_call = if n > 200 { 3 } else { 20 };
        let us = time_us(per_call, || {
            run(entry);
        });
        let empty = time_us(per_call, || {
            run("noop");
        });
        let n = f64::from(n);
        ((us - empty) / n, (gas as f64 - empty_gas as f64) / n)
    }
}

/// Which keys the calls of a measurement see.
#[derive(Clone, Copy)]
enum Keys {
    /// The same keys every call (in one session).
    Same,
    /// New keys every call (`start` moves by `n`), none seen by the session before, spread
    /// over the prefilled keys at random (so consecutive rounds share no path in the store).
    Fresh,
    /// The same keys, each call in a new session (so none is in the session's journal).
    NewSession,
}

struct Report {
    yardstick: f64,
}

impl Report {
    fn row(&self, what: &str, us: f64, gas: f64, price: u64) {
        println!(
            "{what:<56} {us:>9.3} µs  gas {gas:>9.0}  {:>6.0} gas/µs  price {price:>7}  worth {:>8.0}",
            gas / us,
            us * self.yardstick
        );
    }

    /// A per-byte cost: `us` and `gas` for `bytes` bytes, shown per byte.
    fn per_byte(&self, what: &str, us: f64, bytes: usize, price: u64) {
        let ns = us * 1e3 / bytes as f64;
        println!(
            "{what:<56} {ns:>9.4} ns/B  price {price:>3}/B  {:>6.0} gas/µs  worth {:>6.2}/B",
            price as f64 * 1e3 / ns,
            ns * self.yardstick / 1e3
        );
    }
}

#[test]
#[ignore = "timing for the price table: run with --release --ignored --nocapture"]
fn measure_host_costs() {
    let p = PriceTable::default();
    let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    println!(
        "(`worth`: the gas the measured time is worth at the yardstick; a price should be above)"
    );
    // One store at a time, each dropped before the next is built.
    for name in ["memory", "redb"] {
        let store: Arc<dyn StateStore> = match name {
            "memory" => Arc::new(MemoryStore::new()),
            _ => Arc::new(RedbStore::open(dir.path().join("state.redb")).expect("redb")),
        };
        let bench = Bench::new(&runtime, store);
        println!("--- {name} store ({SMALL_KEYS} keys of 8 bytes, {BIG_KEYS} of 64 KiB) ---");
        // The yardstick, measured again for each store: the wasm's own gas (the call base left
        // out) over the whole call's time.
        let mut s = bench.session();
        let spin = |s: &mut Session| s.call(ALICE, bench.ids[2], "f", &[], GAS).expect("spin");
        let spin_gas = spin(&mut s).gas_spent - p.call_base;
        let us = time_us(5, || assert!(spin(&mut s).is_success()));
        let yardstick = spin_gas as f64 / us;
        println!(
            "yardstick: plain wasm loop, {spin_gas} gas in {us:.1} µs = {yardstick:.0} gas/µs"
        );
        let report = Report { yardstick };
        let mut s = bench.session();
        let trivial = bench.ids[1];
        let r = s.call(ALICE, trivial, "f", &[], GAS).expect("call");
        let us = time_us(2_000, || {
            assert!(
                s.call(ALICE, trivial, "f", &[], GAS)
                    .expect("call")
                    .is_success()
            );
        });
        report.row(
            "call_base: a fresh call of a trivial contract",
            us,
            r.gas_spent as f64,
            p.call_base,
        );
        let (us, gas) = bench.per_round("call", 1_000, 0, 0, Keys::Same);
        report.row(
            "nested call of a trivial contract (host call + callee)",
            us,
            gas,
            p.host_call_base + 33 + p.call_base + 2,
        );
        let (us, gas) = bench.per_round("height", 10_000, 0, 0, Keys::Same);
        report.row("host_call_base: block_height", us, gas, p.host_call_base);
        let (big, _) = bench.per_round("output", 200, MAX_RETURN_BYTES as u32, 0, Keys::Same);
        let (small, small_gas) = bench.per_round("output", 200, 0, 0, Keys::Same);
        report.row("output_write, 0 bytes", small, small_gas, p.host_call_base);
        report.per_byte(
            "copy per byte: output_write 64 KiB − 0 B",
            big - small,
            MAX_RETURN_BYTES,
            p.copy_per_byte,
        );

        // Storage: distinct keys every round, never seen by the session (so every read goes
        // to the store).
        let (us, gas) = bench.per_round("read", 1_000, 4, 8, Keys::Fresh);
        report.row(
            "storage read: 4-byte key, 8-byte value",
            us,
            gas,
            p.storage_read_base,
        );
        let (same, gas) = bench.per_round("read", 1_000, 4, 8, Keys::Same);
        report.row(
            "storage read: 4-byte key, 8-byte value (same keys)",
            same,
            gas,
            p.storage_read_base,
        );
        let (us_absent, gas) = bench.per_round("read", 1_000, 6, 8, Keys::Fresh);
        report.row(
            "storage read: absent 6-byte key",
            us_absent,
            gas,
            p.storage_read_base,
        );
        // Big values: the same 64 keys (reads change nothing).
        let (big, big_gas) =
            bench.per_round("read", BIG_KEYS, 5, MAX_VALUE_BYTES as u32, Keys::Same);
        let (big0, big0_gas) = bench.per_round("read", BIG_KEYS, 5, 0, Keys::Same);
        report.row(
            "storage read: 64 KiB value, all copied",
            big,
            big_gas,
            p.storage_read_base + p.storage_read_per_byte * (5 + MAX_VALUE_BYTES as u64),
        );
        report.row(
            "storage read: 64 KiB value, none copied (cap 0, charged)",
            big0,
            big0_gas,
            p.storage_read_base + p.storage_read_per_byte * (5 + MAX_VALUE_BYTES as u64),
        );
        report.per_byte(
            "storage read per value byte (64 KiB − 8-byte value)",
            big - same,
            MAX_VALUE_BYTES - 8,
            p.storage_read_per_byte,
        );

        // Writes (into the session's journal; the commit is timed by the state_commit bench).
        let (us, gas) = bench.per_round("write", 1_000, 4, 8, Keys::Fresh);
        report.row(
            "storage write: 4-byte key, 8-byte value",
            us,
            gas,
            p.storage_write_base,
        );
        let (big, big_gas) = bench.per_round("write", 64, 4, MAX_VALUE_BYTES as u32, Keys::Same);
        report.row(
            "storage write: 4-byte key, 64 KiB value",
            big,
            big_gas,
            p.storage_write_base + p.storage_write_per_byte * (4 + MAX_VALUE_BYTES as u64),
        );
        report.per_byte(
            "storage write per byte (64 KiB − 8-byte value)",
            big - us,
            MAX_VALUE_BYTES - 8,
            p.storage_write_per_byte,
        );
        let (us, gas) = bench.per_round("remove", 1_000, 4, 0, Keys::Fresh);
        report.row(
            "storage remove: present 4-byte key (8-byte value)",
            us,
            gas,
            p.storage_remove_base,
        );
        let (us, gas) = bench.per_round("remove", BIG_KEYS, 5, 0, Keys::NewSession);
        report.row(
            "storage remove: present 5-byte key (64 KiB value)",
            us,
            gas,
            p.storage_remove_base
                + p.storage_write_per_byte * 5
                + p.storage_read_per_byte * MAX_VALUE_BYTES as u64,
        );

        if name == "redb" {
            continue;
        }
        // Store-independent classes: once.
        let grown = (DEFAULT_MAX_MEMORY_PAGES - 2) as u32;
        let (big, big_gas) = bench.per_round("touch", 1, grown, 0, Keys::Same);
        let (none, none_gas) = bench.per_round("touch", 1, 0, 0, Keys::Same);
        report.row(
            "memory: a 64 KiB page grown and written every 4 KiB",
            (big - none) / f64::from(grown),
            (big_gas - none_gas) / f64::from(grown),
            0,
        );
        let (small, gas) = bench.per_round("emit", 1_000, 0, 0, Keys::Same);
        report.row("emit: 1-byte topic, no data", small, gas, p.emit_base);
        let (big, big_gas) =
            bench.per_round("emit", 500, MAX_EVENT_DATA_BYTES as u32, 0, Keys::Same);
        report.row(
            "emit: 1-byte topic, 16 KiB data",
            big,
            big_gas,
            p.emit_base + p.emit_per_byte * (1 + MAX_EVENT_DATA_BYTES as u64),
        );
        report.per_byte(
            "emit per byte (16 KiB − no data)",
            big - small,
            MAX_EVENT_DATA_BYTES,
            p.emit_per_byte,
        );
        let (small, gas) = bench.per_round("blake", 10_000, 0, 0, Keys::Same);
        report.row("blake2b: empty input", small, gas, p.blake2b_base);
        let (kib, kib_gas) = bench.per_round("blake", 2_000, 1024, 0, Keys::Same);
        report.row(
            "blake2b: 1 KiB",
            kib,
            kib_gas,
            p.blake2b_base + p.blake2b_per_byte * 1024,
        );
        let (big, _) = bench.per_round("blake", 100, MAX_VALUE_BYTES as u32, 0, Keys::Same);
        report.row(
            "blake2b per KiB (64 KiB − empty, / 64)",
            (big - small) / 64.0,
            (p.blake2b_per_byte * 1024) as f64,
            p.blake2b_per_byte * 1024,
        );
        let (small, gas) = bench.per_round("debug", 1_000, 0, 0, Keys::Same);
        report.row(
            "debug_print (dev mode off): empty",
            small,
            gas,
            p.debug_base,
        );
        let (big, _) = bench.per_round(
            "debug",
            1_000,
            MAX_DEBUG_MESSAGE_BYTES as u32,
            0,
            Keys::Same,
        );
        report.per_byte(
            "debug_print per byte (4 KiB − empty)",
            big - small,
            MAX_DEBUG_MESSAGE_BYTES,
            p.debug_per_byte,
        );
    }
}
