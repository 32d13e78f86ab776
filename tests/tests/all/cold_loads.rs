//! Cold loads priced: the first frame of a session that runs a non-resident module pays
//! `load_price` of its bytecode's shape before the module is loaded, whether or not the node has it in
//! memory; later frames of the session running the same module (the same contract or another
//! with the same code, in the same call tree or a later one) do not pay it again; a frame that
//! cannot pay is refused before any load (runtime/src/load.rs has the session's warm bound). A
//! resident module (`RuntimeConfig::resident_code`, a chain's genesis contracts) loads for
//! free, stays in memory past the cache's bound, and costs the same after its memory entry is
//! dropped. And the host errors of loading are typed.

use host_api::ContractId;
use integration_tests::*;
use runtime::gas::module_load_price;
use runtime::{
    BlockInfo, CallError, ChangeSet, CodeHash, ContractRecord, HostError, MemoryStore, ModuleError,
    PriceTable, Receipt, Runtime, RuntimeConfig, StateStore,
};
use std::sync::Arc;

/// `twice`: calls `get` of the contract whose id is the input's first 32 bytes, then of the
/// one in the next 32, with all the gas left.
const TWICE: &str = r#"(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "call" (func $call (param i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 128) "get")
  (func (export "twice") (param i32) (result i32)
    (call $input_read (i32.const 0))
    (drop (call $call (i32.const 0) (i32.const 128) (i32.const 3) (i32.const 0) (i32.const 0) (i64.const 0)))
    (drop (call $call (i32.const 32) (i32.const 128) (i32.const 3) (i32.const 0) (i32.const 0) (i64.const 0)))
    (i32.const 0)))"#;

/// The callee: `get` returns at once.
const LEAF: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "get") (param i32) (result i32) (i32.const 0)))"#;

fn runtime_with(prices: PriceTable) -> Runtime {
    Runtime::new(RuntimeConfig {
        pooled_instances: 8,
        prices,
        ..RuntimeConfig::test()
    })
    .expect("runtime")
}

fn free_loads() -> PriceTable {
    PriceTable {
        load: runtime::gas::CompilePrices::ZERO,
        ..PriceTable::default()
    }
}

fn call_twice(rt: &Runtime, store: &Arc<MemoryStore>, a: ContractId, b: ContractId) -> Receipt {
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let twice = session.deploy(OWNER, &wat(TWICE), 7).expect("deploy twice");
    let input = [a.0, b.0].concat();
    session
        .call(ALICE, twice, "twice", &input, GAS)
        .expect("no host error")
}

#[test]
fn a_calls_first_load_is_priced_by_its_bytecode_shape() {
    let code = contract_wasm("counter");
    let p = PriceTable::default();
    let gas = |rt: &Runtime| {
        let (_, mut session) = session_on(rt);
        let id = session.deploy(OWNER, &code, 0).expect("deploy");
        session
            .call(ALICE, id, "get", &[], GAS)
            .expect("no host error")
            .gas_spent
    };
    let priced = gas(&runtime_with(PriceTable::default()));
    let free = gas(&runtime_with(free_loads()));
    assert_eq!(priced - free, module_load_price(&p, &code));
    let shape = runtime::shape::module_shape(&code).expect("parses");
    assert_eq!(
        module_load_price(&p, &code),
        runtime::gas::compile_price(&p.load, &shape)
    );
    assert_eq!(
        module_load_price(&p, &code),
        p.load.base
            + p.load.per_byte * shape.bytes
            + p.load.per_function * shape.functions
            + p.load.per_operator * shape.operators
            + p.load.per_type * shape.types
            + p.load.per_branch_unit * shape.branch_units
    );
}

#[test]
fn a_resident_module_loads_for_free_and_the_others_still_pay() {
    let (counter, leaf) = (contract_wasm("counter"), wat(LEAF));
    let resident = Runtime::new(RuntimeConfig {
        pooled_instances: 8,
        ..RuntimeConfig::test().with_resident_code([CodeHash::of(&counter)])
    })
    .expect("runtime");
    assert!(resident.is_resident(&CodeHash::of(&counter)));
    assert!(!resident.is_resident(&CodeHash::of(&leaf)));
    let free = runtime_with(free_loads());
    let gas = |rt: &Runtime, code: &[u8], f: &str| {
        let (_, mut session) = session_on(rt);
        let id = session.deploy(OWNER, code, 0).expect("deploy");
        let r = session.call(ALICE, id, f, &[], GAS).expect("no host error");
        assert!(r.is_success(), "{r:?}");
        r.gas_spent
    };
    assert_eq!(
        gas(&resident, &counter, "get"),
        gas(&free, &counter, "get"),
        "the resident module pays no load"
    );
    let load = module_load_price(&PriceTable::default(), &leaf);
    assert_eq!(
        gas(&resident, &leaf, "get"),
        gas(&free, &leaf, "get") + load,
        "a module outside the set pays its load"
    );
}

#[test]
fn a_resident_module_stays_in_memory_and_costs_the_same_once_dropped_from_it() {
    let counter = contract_wasm("counter");
    let rt = Runtime::new(RuntimeConfig {
        pooled_instances: 8,
        module_cache: runtime::ModuleCacheLimits {
            max_modules: 1,
            max_bytes: usize::MAX,
        },
        ..RuntimeConfig::test().with_resident_code([CodeHash::of(&counter)])
    })
    .expect("runtime");
    let store = Arc::new(MemoryStore::new());
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let id = session.deploy(OWNER, &counter, 0).expect("deploy");
    // Past the bound of one module, twice: the resident module is pinned, the others go.
    for nonce in 1..=2 {
        let leaf = wat(&LEAF.replace("(i32.const 0)))", &format!("(i32.const {nonce})))")));
        session.deploy(OWNER, &leaf, nonce).expect("deploy a leaf");
    }
    session.commit().expect("commit");
    let stats = rt.cache_stats();
    assert_eq!(stats.evictions, 2, "each leaf went");
    assert_eq!(stats.in_memory_modules, 1, "the resident module stayed");
    let get = |rt: &Runtime| {
        let mut session = rt.session(store.clone(), BlockInfo::default());
        session
            .call(ALICE, id, "get", &[], GAS)
            .expect("no host error")
    };
    let hits = rt.cache_stats().memory_hits;
    let warm = get(&rt);
    assert!(warm.is_success(), "{warm:?}");
    assert_eq!(rt.cache_stats().memory_hits, hits + 1, "still in memory");
    // Its memory entry dropped (a restarted node): loaded again, and charged the same.
    rt.clear_memory_cache();
    let cold = get(&rt);
    assert_eq!(
        rt.cache_stats().compiles,
        4,
        "compiled again (no disk cache)"
    );
    assert_eq!(cold.gas_spent, warm.gas_spent);
}

fn session_on(rt: &Runtime) -> (Arc<MemoryStore>, runtime::Session) {
    let store = Arc::new(MemoryStore::new());
    (store.clone(), rt.session(store, BlockInfo::default()))
}

#[test]
fn a_tree_pays_for_each_module_once() {
    let rt = runtime_with(PriceTable::default());
    let store = Arc::new(MemoryStore::new());
    let leaf = wat(LEAF);
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let a = session.deploy(OWNER, &leaf, 0).expect("deploy");
    let b = session
        .deploy(OWNER, &leaf, 1)
        .expect("deploy the same code again");
    session.commit().expect("commit");
    let load = module_load_price(&rt.config().prices, &leaf);
    for (what, second) in [("the same contract", a), ("the same code", b)] {
        let r = call_twice(&rt, &store, a, second);
        assert!(r.is_success(), "{what}: {r:?}");
        assert_eq!(r.calls.len(), 2);
        assert_eq!(
            r.calls[0].gas_spent - r.calls[1].gas_spent,
            load,
            "{what}: only the first frame pays the load"
        );
    }
    // Each `call_twice` runs in a session of its own: both pay the same.
    let (first, again) = (call_twice(&rt, &store, a, b), call_twice(&rt, &store, a, b));
    assert_eq!(first.gas_spent, again.gas_spent);
    assert_eq!(first.calls[0].gas_spent, again.calls[0].gas_spent);
}

#[test]
fn a_frame_that_cannot_pay_the_load_is_refused_before_loading() {
    let code = contract_wasm("counter");
    let store = Arc::new(MemoryStore::new());
    let id = {
        let rt = runtime_with(PriceTable::default());
        let mut session = rt.session(store.clone(), BlockInfo::default());
        let id = session.deploy(OWNER, &code, 0).expect("deploy");
        session.commit().expect("commit");
        id
    };
    // A fresh runtime: nothing in memory, no disk cache.
    let rt = runtime_with(PriceTable::default());
    let p = PriceTable::default();
    let load = module_load_price(&p, &code);
    let mut session = rt.session(store.clone(), BlockInfo::default());
    for limit in [0, 1, load - 1] {
        let r = session
            .call(ALICE, id, "get", &[], limit)
            .expect("no host error");
        assert_eq!(r.result, Err(CallError::OutOfGas), "limit {limit}");
        assert_eq!(r.gas_spent, limit);
        assert_eq!(
            rt.cache_stats().misses(),
            0,
            "limit {limit}: nothing loaded"
        );
    }
    // At the price the module is loaded, and the call is then short of its base.
    let r = session
        .call(ALICE, id, "get", &[], load)
        .expect("no host error");
    assert_eq!((r.result, r.gas_spent), (Err(CallError::OutOfGas), load));
    assert_eq!(rt.cache_stats().compiles, 1);
    // The load was paid: the module is warm in the session, the next call pays no load.
    let r = session
        .call(ALICE, id, "get", &[], GAS)
        .expect("no host error");
    assert!(r.is_success());
    assert!(
        r.gas_spent > p.call_base && r.gas_spent < load,
        "{}",
        r.gas_spent
    );
    assert_eq!(rt.cache_stats().compiles, 1);
    let mut fresh = rt.session(store.clone(), BlockInfo::default());
    let cold = fresh
        .call(ALICE, id, "get", &[], GAS)
        .expect("no host error");
    assert_eq!(
        cold.gas_spent,
        r.gas_spent + load,
        "a fresh session pays it"
    );
}

#[test]
fn a_record_whose_code_is_missing_is_a_typed_host_error() {
    let store = Arc::new(MemoryStore::new());
    let hash = CodeHash::of(b"not stored");
    let id = ContractId([5; 32]);
    let mut changes = ChangeSet::default();
    changes.contracts.insert(
        id,
        ContractRecord {
            owner: OWNER,
            code_hash: hash.0,
        },
    );
    store.apply(changes).expect("apply");
    let rt = runtime_with(PriceTable::default());
    let mut session = rt.session(store, BlockInfo::default());
    assert_eq!(
        session.call(ALICE, id, "get", &[], GAS),
        Err(HostError::Module(ModuleError::MissingCode(hash)))
    );
}

#[test]
fn an_exhausted_instance_pool_is_its_own_host_error() {
    let leaf = wat(LEAF);
    for (pool, nested_ok) in [(2, true), (1, false)] {
        let rt = Runtime::new(RuntimeConfig {
            pooled_instances: pool,
            ..RuntimeConfig::test()
        })
        .expect("runtime");
        let store = Arc::new(MemoryStore::new());
        let mut session = rt.session(store.clone(), BlockInfo::default());
        let a = session.deploy(OWNER, &leaf, 0).expect("deploy");
        session.commit().expect("commit");
        let mut session = rt.session(store.clone(), BlockInfo::default());
        let twice = session.deploy(OWNER, &wat(TWICE), 7).expect("deploy twice");
        let input = [a.0, a.0].concat();
        match (session.call(ALICE, twice, "twice", &input, GAS), nested_ok) {
            (Ok(r), true) => assert!(r.is_success(), "{r:?}"),
            (Err(HostError::PoolExhausted(message)), false) => {
                assert!(message.contains("concurrent limit"), "{message}")
            }
            (other, _) => panic!("pool of {pool}: {other:?}"),
        }
    }
}
