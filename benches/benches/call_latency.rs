//! Isolated call latency: a counter increment through our runtime (fresh Store per call, warm
//! module, one storage read, one write, one event) against bare wasmtime instantiating and
//! calling the same module with stub imports, on the same engine, in the same run.
//!
//! Run: `cargo bench -p benches --bench call_latency`

use benches::{BareWasmtime, COUNTER};
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
    group.finish();
}

criterion_group!(benches, counter_increment);
criterion_main!(benches);
