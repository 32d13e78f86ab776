//! Isolated call latency: a counter increment through our runtime (fresh Store per call, warm
//! module, one storage read, one write, one event) against bare wasmtime instantiating and
//! calling the same module with stub imports, on the same engine, and the wasmi interpreter
//! (fuel on) doing the same, in the same run.
//!
//! Also the overhead of one cross-contract call (a proxy forwarding the increment).
//!
//! Run: `cargo bench -p benches --bench call_latency`

use benches::{BareWasmtime, COUNTER, Wasmi};
use criterion::{Criterion, criterion_group, criterion_main};
use host_api::Address;
use runtime::{BlockInfo, MemoryStore, Runtime, RuntimeConfig};
use std::hint::black_box;
use std::sync::Arc;

fn counter_increment(c: &mut Criterion) {
    let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime");
    let store = Arc::new(MemoryStore::new());
    let mut session = runtime.session(store, BlockInfo::default());
    let owner = Address([1; 32]);
    let id = session.deploy(owner, COUNTER, 0).expect("deploy");
    let args = borsh::to_vec(&1u64).expect("encode");
    let bare = BareWasmtime::new(runtime.engine(), COUNTER);
    let wasmi = Wasmi::new(COUNTER);

    let mut group = c.benchmark_group("counter_increment");
    group.bench_function("runtime_fresh_store", |b| {
        b.iter(|| {
            let r = session
                .call(owner, id, "increment", black_box(&args), 10_000_000)
                .expect("call");
            assert!(r.is_success());
            r
        })
    });
    group.bench_function("bare_wasmtime_fresh_store", |b| {
        b.iter(|| {
            // The stub input_read writes nothing, so the contract decodes zero bytes of its
            // 8-byte argument buffer as 0: same code path, same work.
            let status = bare.call("increment", black_box(8));
            assert_eq!(status, 0);
            status
        })
    });
    group.bench_function("wasmi_fresh_store", |b| {
        b.iter(|| {
            let status = wasmi.call("increment", black_box(8));
            assert_eq!(status, 0);
            status
        })
    });
    group.finish();
}

/// Forwards its argument (`counter id (32) ‖ increment's 8-byte argument`) to
/// `counter.increment` through the `call` host function, with all its gas, and returns the
/// callee's status as its own.
const PROXY: &str = r#"(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "call" (func $call (param i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "increment")
  (func (export "forward") (param $len i32) (result i32)
    (call $input_read (i32.const 0))
    (call $call (i32.const 0) (i32.const 1024) (i32.const 9) (i32.const 32)
      (i32.sub (local.get $len) (i32.const 32)) (i64.const 0))))"#;

/// The cost of one cross-contract call: `counter.increment` called directly, against the same
/// increment reached through a proxy contract (a second fresh Store, the `call` host function,
/// gas forwarding, the nested frame's journal merge).
fn cross_contract_call(c: &mut Criterion) {
    let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime");
    let store = Arc::new(MemoryStore::new());
    let mut session = runtime.session(store, BlockInfo::default());
    let owner = Address([1; 32]);
    let counter = session.deploy(owner, COUNTER, 0).expect("deploy counter");
    let proxy_code = wat::parse_str(PROXY).expect("proxy WAT");
    let proxy = session.deploy(owner, &proxy_code, 0).expect("deploy proxy");
    let args = borsh::to_vec(&1u64).expect("encode");
    let mut forwarded = counter.0.to_vec();
    forwarded.extend_from_slice(&args);

    let mut group = c.benchmark_group("cross_contract_call");
    group.bench_function("direct_increment", |b| {
        b.iter(|| {
            let r = session
                .call(owner, counter, "increment", black_box(&args), 10_000_000)
                .expect("call");
            assert!(r.is_success());
            r
        })
    });
    group.bench_function("increment_through_proxy", |b| {
        b.iter(|| {
            let r = session
                .call(owner, proxy, "forward", black_box(&forwarded), 10_000_000)
                .expect("call");
            assert!(r.is_success() && r.calls.len() == 1, "{r:?}");
            r
        })
    });
    group.finish();
}

criterion_group!(benches, counter_increment, cross_contract_call);
criterion_main!(benches);
