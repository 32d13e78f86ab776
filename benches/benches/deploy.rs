//! Deploy: validate + compile a ~100 KiB contract (a new code hash every iteration), deploy
//! the same code again served from the disk cache (memory cache cleared), and from the memory
//! cache. A deploy also runs the instantiation probe, in all three.
//!
//! Run: `cargo bench -p benches --bench deploy`

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use host_api::Address;
use runtime::{BlockInfo, MemoryStore, Runtime, RuntimeConfig};
use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

/// A valid contract of about 100 KiB: 1,200 functions of integer arithmetic, an entry point
/// that calls a few of them, and a data segment carrying `salt` (so every salt is new code).
fn big_contract(salt: u64) -> Vec<u8> {
    let mut wat = String::from("(module (memory (export \"memory\") 1)\n");
    for f in 0..1_200 {
        write!(
            wat,
            "(func $f{f} (param $x i32) (result i32) (local.get $x)"
        )
        .unwrap();
        for k in 0..12 {
            write!(
                wat,
                " (i32.const {}) (i32.add) (i32.const {}) (i32.mul)",
                f * 31 + k,
                k + 3
            )
            .unwrap();
        }
        wat.push_str(")\n");
    }
    wat.push_str("(func (export \"run\") (param i32) (result i32) (drop (call $f0 (call $f1 (local.get 0)))) (i32.const 0))\n");
    write!(wat, "(data (i32.const 0) \"{salt:016x}\"))").unwrap();
    wat::parse_str(&wat).expect("valid WAT")
}

fn deploy(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime =
        Runtime::new(RuntimeConfig::default().with_cache_dir(dir.path())).expect("runtime");
    let store = Arc::new(MemoryStore::new());
    let mut session = runtime.session(store, BlockInfo::default());
    let owner = Address([1; 32]);
    let code = big_contract(0);
    eprintln!("deploy: the contract is {} bytes", code.len());
    let mut nonce = 0u64;

    let mut group = c.benchmark_group("deploy_100k_contract");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let mut salt = 1u64;
    group.bench_function("validate_compile", |b| {
        b.iter_batched(
            || {
                salt += 1;
                big_contract(salt)
            },
            |code| {
                nonce += 1;
                session.deploy(owner, &code, nonce).expect("deploy")
            },
            BatchSize::PerIteration,
        )
    });
    // Put `code` in the disk cache once.
    session.deploy(owner, &code, 0).expect("deploy");
    group.bench_function("from_disk_cache", |b| {
        b.iter(|| {
            runtime.clear_memory_cache();
            nonce += 1;
            session.deploy(owner, &code, nonce).expect("deploy")
        })
    });
    group.bench_function("from_memory_cache", |b| {
        b.iter(|| {
            nonce += 1;
            session.deploy(owner, &code, nonce).expect("deploy")
        })
    });
    group.finish();
    let stats = runtime.cache_stats();
    assert!(stats.disk_hits > 0 && stats.memory_hits > 0, "{stats:?}");
}

criterion_group!(benches, deploy);
criterion_main!(benches);
