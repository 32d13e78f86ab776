//! A module's load is paid once per session: by the first frame that runs it, whatever its
//! tree's outcome, within the warm set's bounds.

use super::{MAX_WARM_BYTECODE_BYTES, MAX_WARM_MODULES};
use crate::gas::module_load_price;
use crate::{
    BlockInfo, CallError, CodeHash, MemoryStore, PriceTable, Runtime, RuntimeConfig, Session,
    StateStore,
};
use host_api::{Address, ContractId};
use std::sync::Arc;

const OWNER: Address = Address([1; 32]);
const ALICE: Address = Address([2; 32]);
const GAS: u64 = 1_000_000_000;

/// A module whose `get` returns at once and whose `boom` traps; `n` makes it distinct, and
/// `data` bytes of a data segment make it as large as a test needs.
fn leaf(n: u32, data: usize) -> Vec<u8> {
    let pages = data.div_ceil(65_536).max(1);
    let bytes = "\\00".repeat(data);
    wat::parse_str(format!(
        r#"(module
  (memory (export "memory") {pages})
  (global i32 (i32.const {n}))
  (data (i32.const 0) "{bytes}")
  (func (export "get") (param i32) (result i32) (i32.const 0))
  (func (export "boom") (param i32) (result i32) unreachable))"#
    ))
    .expect("valid wat")
}

struct Chain {
    runtime: Runtime,
    store: Arc<MemoryStore>,
}

impl Chain {
    /// A runtime (with `resident` modules) and a store holding `codes` deployed, committed.
    fn new(codes: &[Vec<u8>], resident: &[&Vec<u8>]) -> (Self, Vec<ContractId>) {
        let mut config = RuntimeConfig::test();
        config.resident_code = resident.iter().map(|c| CodeHash::of(c)).collect();
        let runtime = Runtime::new(config).expect("runtime");
        let store = Arc::new(MemoryStore::new());
        let mut s = runtime.session(store.clone(), BlockInfo::default());
        let ids = codes
            .iter()
            .enumerate()
            .map(|(i, code)| s.deploy(OWNER, code, i as u64).expect("deploy"))
            .collect();
        s.commit().expect("commit");
        (Self { runtime, store }, ids)
    }

    /// A new session: a block.
    fn session(&self) -> Session {
        let store: Arc<dyn StateStore> = self.store.clone();
        self.runtime.session(store, BlockInfo::default())
    }
}

/// The gas of one call tree of `function` of `id` in `s` with `limit`, and its result.
fn call(s: &mut Session, id: ContractId, function: &str, limit: u64) -> (u64, bool) {
    let r = s
        .call(ALICE, id, function, &[], limit)
        .expect("no host error");
    (r.gas_spent, r.result.is_ok())
}

fn price(code: &[u8]) -> u64 {
    module_load_price(&PriceTable::default(), code)
}

#[test]
fn a_sessions_second_call_tree_into_a_module_pays_no_load_another_session_pays_again() {
    let code = leaf(0, 0);
    let (chain, ids) = Chain::new(std::slice::from_ref(&code), &[]);
    let mut s = chain.session();
    let (cold, ok) = call(&mut s, ids[0], "get", GAS);
    assert!(ok);
    let (warm, ok) = call(&mut s, ids[0], "get", GAS);
    assert!(ok);
    assert!(price(&code) > 1_000_000, "a load costs millions");
    assert_eq!(cold - warm, price(&code), "the second tree pays no load");
    assert_eq!(call(&mut s, ids[0], "get", GAS).0, warm, "nor does a third");
    // A commit does not end the session: its modules stay warm.
    s.commit().expect("commit");
    assert_eq!(call(&mut s, ids[0], "get", GAS).0, warm);
    // Another session (the next block) pays the load again, once.
    let mut next = chain.session();
    assert_eq!(call(&mut next, ids[0], "get", GAS).0, cold);
    assert_eq!(call(&mut next, ids[0], "get", GAS).0, warm);
}

#[test]
fn a_resident_module_pays_no_load_in_any_tree() {
    let code = leaf(0, 0);
    let (chain, ids) = Chain::new(std::slice::from_ref(&code), &[&code]);
    let (plain, plain_ids) = Chain::new(std::slice::from_ref(&code), &[]);
    let mut warm_session = plain.session();
    call(&mut warm_session, plain_ids[0], "get", GAS);
    let warm = call(&mut warm_session, plain_ids[0], "get", GAS).0;
    for _ in 0..2 {
        let mut s = chain.session();
        assert_eq!(call(&mut s, ids[0], "get", GAS).0, warm, "first tree: free");
        assert_eq!(
            call(&mut s, ids[0], "get", GAS).0,
            warm,
            "second tree: free"
        );
    }
}

#[test]
fn a_tree_that_fails_leaves_its_module_warm() {
    let code = leaf(0, 0);
    let (chain, ids) = Chain::new(std::slice::from_ref(&code), &[]);
    let mut reference = chain.session();
    let cold = call(&mut reference, ids[0], "get", GAS).0;
    let warm = call(&mut reference, ids[0], "get", GAS).0;
    assert_eq!(cold - warm, price(&code));

    // A trap: its tree reverts, the load stays paid and the module warm.
    let mut s = chain.session();
    let (_, ok) = call(&mut s, ids[0], "boom", GAS);
    assert!(!ok);
    assert_eq!(call(&mut s, ids[0], "get", GAS).0, warm);

    // Out of gas after the load was paid (the limit is the load's price: the call's base
    // cannot be paid).
    let mut s = chain.session();
    let r = s
        .call(ALICE, ids[0], "get", &[], price(&code))
        .expect("no host error");
    assert_eq!(r.result, Err(CallError::OutOfGas));
    assert_eq!(call(&mut s, ids[0], "get", GAS).0, warm);

    // An entry point that does not exist: refused after the load.
    let mut s = chain.session();
    assert!(!call(&mut s, ids[0], "missing", GAS).1);
    assert_eq!(call(&mut s, ids[0], "get", GAS).0, warm);
}

#[test]
fn an_unaffordable_load_loads_nothing_and_warms_nothing() {
    let code = leaf(0, 0);
    let (chain, ids) = Chain::new(std::slice::from_ref(&code), &[]);
    let mut reference = chain.session();
    let cold = call(&mut reference, ids[0], "get", GAS).0;

    let mut s = chain.session();
    let limit = price(&code) - 1;
    let r = s
        .call(ALICE, ids[0], "get", &[], limit)
        .expect("no host error");
    assert_eq!(r.result, Err(CallError::OutOfGas));
    assert_eq!(r.gas_spent, limit);
    assert_eq!(
        call(&mut s, ids[0], "get", GAS).0,
        cold,
        "the next tree pays"
    );
}

#[test]
fn the_session_keeps_max_warm_modules_and_pays_the_next_one_per_tree() {
    let codes: Vec<Vec<u8>> = (0..=MAX_WARM_MODULES as u32).map(|n| leaf(n, 0)).collect();
    let (chain, ids) = Chain::new(&codes, &[]);
    let mut s = chain.session();
    let cold: Vec<u64> = ids
        .iter()
        .map(|id| call(&mut s, *id, "get", GAS).0)
        .collect();
    // The first MAX_WARM_MODULES are warm: a second tree pays no load.
    for (i, id) in ids.iter().enumerate().take(MAX_WARM_MODULES) {
        let warm = call(&mut s, *id, "get", GAS).0;
        assert_eq!(cold[i] - warm, price(&codes[i]), "module {i} is warm");
    }
    // One past the bound: held by its tree alone, paid by every tree.
    let last = MAX_WARM_MODULES;
    for _ in 0..2 {
        assert_eq!(
            call(&mut s, ids[last], "get", GAS).0,
            cold[last],
            "paid again"
        );
    }
    // In another session with the same order, the same gas: the bound depends on the order
    // of loads alone.
    let mut again = chain.session();
    let cold_again: Vec<u64> = ids
        .iter()
        .map(|id| call(&mut again, *id, "get", GAS).0)
        .collect();
    assert_eq!(cold_again, cold);
}

#[test]
fn the_session_keeps_at_most_max_warm_bytecode_bytes() {
    // Four modules of 1,000,000 bytes of data fit the byte bound; a fifth does not.
    let big: Vec<Vec<u8>> = (0..5).map(|n| leaf(n, 1_000_000)).collect();
    let fit = big[..4].iter().map(|c| c.len() as u64).sum::<u64>();
    assert!(fit <= MAX_WARM_BYTECODE_BYTES);
    assert!(fit + big[4].len() as u64 > MAX_WARM_BYTECODE_BYTES);
    let small = leaf(99, 0);
    let mut codes = big.clone();
    codes.push(small.clone());
    let (chain, ids) = Chain::new(&codes, &[]);
    let mut s = chain.session();
    let cold: Vec<u64> = ids
        .iter()
        .map(|id| call(&mut s, *id, "get", GAS).0)
        .collect();
    for i in 0..4 {
        let warm = call(&mut s, ids[i], "get", GAS).0;
        assert_eq!(cold[i] - warm, price(&codes[i]), "big module {i} is warm");
    }
    assert_eq!(
        call(&mut s, ids[4], "get", GAS).0,
        cold[4],
        "the fifth: per tree"
    );
    // The small module still had room (count and bytes).
    let warm_small = call(&mut s, ids[5], "get", GAS).0;
    assert_eq!(cold[5] - warm_small, price(&small));
}

#[test]
fn a_module_evicted_from_memory_stays_warm_in_its_session() {
    let code = leaf(0, 0);
    let (chain, ids) = Chain::new(std::slice::from_ref(&code), &[]);
    let mut s = chain.session();
    let cold = call(&mut s, ids[0], "get", GAS).0;
    let compiles = chain.runtime.cache_stats().compiles;
    // The node drops its memory cache: the session still holds the module.
    chain.runtime.clear_memory_cache();
    assert_eq!(call(&mut s, ids[0], "get", GAS).0, cold - price(&code));
    assert_eq!(
        chain.runtime.cache_stats().compiles,
        compiles,
        "not loaded again"
    );
    // A new session loads it again (compiled: no disk cache here) and pays.
    let mut next = chain.session();
    assert_eq!(call(&mut next, ids[0], "get", GAS).0, cold);
    assert_eq!(chain.runtime.cache_stats().compiles, compiles + 1);
}
