//! The bounded memory cache: at its bound every module stays, past it the least recently used
//! one is evicted (by count and by bytes of compiled code); an evicted module runs again
//! (reloaded, and charged exactly as before: gas never depends on what a node has in memory);
//! a pinned module is never evicted; a module larger than the whole bound is not kept.

use host_api::ContractId;
use integration_tests::*;
use runtime::{BlockInfo, CacheStats, CodeHash, MemoryStore, ModuleCacheLimits, Runtime};
use runtime::{Receipt, RuntimeConfig, Session};
use std::sync::Arc;

/// A distinct module for each `n` (another code hash): `get` returns `n` as 4 bytes.
fn module(n: u32) -> Vec<u8> {
    wat(&format!(
        r#"(module
  (import "host_v1" "output_write" (func $output_write (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\{:02x}\{:02x}\{:02x}\{:02x}")
  (func (export "get") (param i32) (result i32)
    (call $output_write (i32.const 0) (i32.const 4))
    (i32.const 0)))"#,
        n & 0xff,
        (n >> 8) & 0xff,
        (n >> 16) & 0xff,
        n >> 24
    ))
}

fn bounded(max_modules: usize, max_bytes: usize) -> Runtime {
    Runtime::new(RuntimeConfig {
        pooled_instances: 8,
        module_cache: ModuleCacheLimits {
            max_bytes,
            max_modules,
        },
        ..RuntimeConfig::test()
    })
    .expect("runtime")
}

fn get(session: &mut Session, id: ContractId) -> Receipt {
    session
        .call(ALICE, id, "get", &[], GAS)
        .expect("no host error")
}

/// Deploy `module(n)` for each `n`, committed; the ids.
fn deploy_all(rt: &Runtime, store: &Arc<MemoryStore>, ns: &[u32]) -> Vec<ContractId> {
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let ids = ns
        .iter()
        .map(|&n| session.deploy(OWNER, &module(n), 0).expect("deploy"))
        .collect();
    session.commit().expect("commit");
    ids
}

fn assert_returns(receipt: &Receipt, n: u32) {
    assert_eq!(receipt.result, Ok(n.to_le_bytes().to_vec()));
}

#[test]
fn at_the_module_bound_nothing_is_evicted_and_past_it_the_least_recently_used_goes() {
    let rt = bounded(2, usize::MAX);
    let store = Arc::new(MemoryStore::new());
    let ids = deploy_all(&rt, &store, &[1, 2]);
    let stats = rt.cache_stats();
    assert_eq!(
        (stats.in_memory_modules, stats.evictions),
        (2, 0),
        "at the bound"
    );
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let first = get(&mut session, ids[0]); // 1 is now the most recently used
    assert_returns(&first, 1);
    let gas_of_2 = get(&mut session, ids[1]).gas_spent;
    // In a new session (the first keeps 1 warm and would not look it up again).
    let mut session = rt.session(store.clone(), BlockInfo::default());
    get(&mut session, ids[0]); // 2 is the least recently used again
    assert_eq!(rt.cache_stats().memory_hits, 3);
    assert_eq!(rt.cache_stats().compiles, 2);

    // One past the bound: module 2 goes, 1 and 3 stay.
    let third = deploy_all(&rt, &store, &[3])[0];
    let stats = rt.cache_stats();
    assert_eq!((stats.in_memory_modules, stats.evictions), (2, 1));
    let mut session = rt.session(store.clone(), BlockInfo::default());
    assert_returns(&get(&mut session, ids[0]), 1);
    assert_returns(&get(&mut session, third), 3);
    assert_eq!(rt.cache_stats().compiles, 3, "1 and 3 were still in memory");

    // The evicted module runs again: compiled again (no disk cache), same result, same gas.
    let again = get(&mut session, ids[1]);
    assert_returns(&again, 2);
    assert_eq!(
        again.gas_spent, gas_of_2,
        "gas does not depend on the cache"
    );
    let stats = rt.cache_stats();
    assert_eq!((stats.compiles, stats.evictions), (4, 2));
    assert_eq!(stats.in_memory_modules, 2);
}

#[test]
fn the_byte_bound_holds_and_an_evicted_module_is_reloaded_from_disk() {
    // The compiled size of two modules, measured on an unbounded runtime.
    let probe = bounded(usize::MAX, usize::MAX);
    deploy_all(&probe, &Arc::new(MemoryStore::new()), &[10, 11]);
    let two = probe.cache_stats().in_memory_bytes as usize;
    assert!(two > 0);

    let dir = tempfile::tempdir().expect("tempdir");
    let rt = Runtime::new(RuntimeConfig {
        pooled_instances: 8,
        module_cache: ModuleCacheLimits {
            max_bytes: two,
            max_modules: usize::MAX,
        },
        ..RuntimeConfig::test().with_cache_dir(dir.path())
    })
    .expect("runtime");
    let store = Arc::new(MemoryStore::new());
    let ids = deploy_all(&rt, &store, &[10, 11]);
    let stats = rt.cache_stats();
    assert_eq!(stats.in_memory_bytes as usize, two, "exactly at the bound");
    assert_eq!((stats.in_memory_modules, stats.evictions), (2, 0));
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let gas_of_10 = get(&mut session, ids[0]).gas_spent;

    deploy_all(&rt, &store, &[12]);
    let stats = rt.cache_stats();
    assert_eq!((stats.in_memory_modules, stats.evictions), (2, 1));
    assert!(stats.in_memory_bytes as usize <= two);
    // 11 was the least recently used: reloaded from its disk entry, not compiled.
    let mut session = rt.session(store.clone(), BlockInfo::default());
    assert_returns(&get(&mut session, ids[1]), 11);
    assert_eq!(rt.cache_stats().disk_hits, 1);
    assert_eq!(rt.cache_stats().compiles, 3);
    // And 10, evicted by that reload, too; its gas is what it was.
    let again = get(&mut session, ids[0]);
    assert_returns(&again, 10);
    assert_eq!(again.gas_spent, gas_of_10);
    assert_eq!(rt.cache_stats().disk_hits, 2);
    assert_eq!(rt.cache_stats().evictions, 3);
}

#[test]
fn a_pinned_module_is_never_evicted() {
    let rt = bounded(2, usize::MAX);
    let store = Arc::new(MemoryStore::new());
    let pinned = module(20);
    rt.pin_module(CodeHash::of(&pinned));
    let id = deploy_all(&rt, &store, &[20])[0];
    // Past the bound again and again: each new module evicts the unpinned one before it,
    // although the pinned module is the least recently used.
    let others = deploy_all(&rt, &store, &[21, 22, 23]);
    let stats = rt.cache_stats();
    assert_eq!(stats.evictions, 2, "21 and 22 went, 20 stayed");
    assert_eq!(
        stats.in_memory_modules, 2,
        "the pinned module and the newest"
    );
    let mut session = rt.session(store.clone(), BlockInfo::default());
    assert_returns(&get(&mut session, id), 20);
    assert_returns(&get(&mut session, others[0]), 21);
    // A new session: the first keeps 20 warm, which would skip the memory cache.
    let mut session = rt.session(store.clone(), BlockInfo::default());
    assert_returns(&get(&mut session, id), 20);
    let stats = rt.cache_stats();
    assert_eq!(stats.compiles, 5, "only 21 was compiled again");
    assert_eq!(stats.evictions, 3, "23 made room for 21");
    assert_eq!(stats.memory_hits, 2, "the pinned module, both times");
}

#[test]
fn a_module_larger_than_the_whole_bound_runs_but_is_not_kept() {
    let rt = bounded(usize::MAX, 1);
    let store = Arc::new(MemoryStore::new());
    let id = deploy_all(&rt, &store, &[30])[0];
    assert_eq!(
        rt.cache_stats(),
        CacheStats {
            compiles: 1,
            evictions: 1,
            ..CacheStats::default()
        }
    );
    let mut session = rt.session(store.clone(), BlockInfo::default());
    assert_returns(&get(&mut session, id), 30);
    let stats = rt.cache_stats();
    assert_eq!((stats.compiles, stats.in_memory_bytes), (2, 0));
}

#[test]
fn the_default_bound_is_bytes_and_modules() {
    let limits = RuntimeConfig::default().module_cache;
    assert_eq!(limits, ModuleCacheLimits::default());
    assert_eq!(
        limits.max_bytes,
        runtime::config::DEFAULT_MODULE_CACHE_BYTES
    );
    assert_eq!(
        limits.max_modules,
        runtime::config::DEFAULT_MODULE_CACHE_MODULES
    );
}
