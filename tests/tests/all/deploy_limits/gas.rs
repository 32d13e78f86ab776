//! `Session::deploy_with_gas`: a deploy pays `module_deploy_price` — the formula of
//! `runtime/src/gas/compile.rs` over the module's shape (bytes, functions, locals, operators,
//! types, `br_table` targets, the square of each function's branch units) and the commit of the
//! new record (`storage_commit_per_key`) — before anything is validated or compiled; a limit one short of it is `OutOfGas`, records nothing and
//! compiles nothing.

use super::*;
use runtime::PriceTable;
use runtime::gas::{compile_price, module_deploy_price};
use runtime::shape::module_shape;

const TINY: &str = r#"(module (memory (export "memory") 1)
  (func (export "f") (param i32) (result i32) (i32.const 0)))"#;

/// A gas limit of 10⁹: a quarter of the devnet's default block (`node-lite`'s genesis:
/// 4,000,000,000).
const BLOCK_GAS: u64 = 1_000_000_000;

#[test]
fn a_deploy_costs_its_price_by_shape_and_one_gas_short_changes_nothing() {
    let code = wat(TINY);
    let prices = PriceTable::default();
    let price = module_deploy_price(&prices, &code);
    let d = prices.deploy;
    // 1 type of 2 values, 1 function, 1 local (its parameter), 2 operators, no branches.
    assert_eq!(
        price,
        d.base
            + d.per_byte * code.len() as u64
            + d.per_function
            + d.per_local
            + 2 * d.per_operator
            + d.per_type
            + 2 * d.per_type_value
            + prices.storage_commit_per_key
    );
    let rt = runtime_with(Limits::default());
    let store = Arc::new(MemoryStore::new());
    let mut s = rt.session(store.clone(), BlockInfo::default());
    let root = store.root().unwrap();

    let compiles = rt.cache_stats().compiles;
    let short = s.deploy_with_gas(OWNER, &code, 0, price - 1);
    assert!(
        matches!(short, Err(DeployError::OutOfGas { price: p, gas_limit }) if p == price && gas_limit == price - 1),
        "{short:?}"
    );
    assert!(s.changes().is_empty(), "nothing recorded");
    assert_eq!(rt.cache_stats().compiles, compiles, "nothing compiled");
    let id = contract_id(&OWNER, &CodeHash::of(&code), 0);
    assert_eq!(s.contract(&id).unwrap(), None);

    let (deployed, spent) = s
        .deploy_with_gas(OWNER, &code, 0, price)
        .expect("at the price");
    assert_eq!((deployed, spent), (id, price));
    assert_eq!(rt.cache_stats().compiles, compiles + 1);
    assert_eq!(store.root().unwrap(), root, "not committed yet");
}

#[test]
fn a_bad_module_is_refused_only_once_paid_for() {
    let bad = b"\0asm\x01\0\0\0garbage".to_vec();
    let prices = PriceTable::default();
    let price = module_deploy_price(&prices, &bad);
    assert_eq!(
        price,
        prices.deploy.base
            + prices.deploy.per_byte * bad.len() as u64
            + prices.storage_commit_per_key,
        "a module that does not parse is priced by its bytes (and its record's commit)"
    );
    let (_store, mut s) = session();
    assert!(matches!(
        s.deploy_with_gas(OWNER, &bad, 0, price - 1),
        Err(DeployError::OutOfGas { .. })
    ));
    assert!(matches!(
        s.deploy_with_gas(OWNER, &bad, 0, price),
        Err(DeployError::InvalidWasm(_))
    ));
}

/// A conforming module whose one extra function nests `depth` `open … end` blocks.
fn nested(open: &str, depth: usize) -> Vec<u8> {
    conforming(&format!(
        "(func {} {})",
        format!("{open} ").repeat(depth),
        "end ".repeat(depth)
    ))
}

/// 5,000 nested loops took seconds to compile at deploy and cost what 15 KB cost: now each
/// function's branches are priced by their square, so the module costs more than ten blocks'
/// gas and is refused, unpaid and uncompiled, at a block's limit; the same bytes as nested
/// `block`s (which compile in milliseconds) cost a fraction of it.
#[test]
fn five_thousand_nested_loops_are_priced_by_their_compile_time_and_refused_at_a_blocks_gas() {
    let prices = PriceTable::default();
    let loops = nested("loop", 5_000);
    let blocks = nested("block", 5_000);
    assert_eq!(loops.len(), blocks.len(), "the same bytes");
    let (loops_price, blocks_price) = (
        module_deploy_price(&prices, &loops),
        module_deploy_price(&prices, &blocks),
    );
    assert!(
        loops_price > 10 * BLOCK_GAS,
        "5,000 nested loops cost {loops_price}"
    );
    assert!(
        loops_price > 10 * blocks_price,
        "loops {loops_price}, blocks {blocks_price}"
    );
    // Quadratic in one function's branches: two functions of 2,500 loops cost about half.
    let halves = conforming(&format!(
        "(func {0} {1}) (func {0} {1})",
        "loop ".repeat(2_500),
        "end ".repeat(2_500)
    ));
    let halves_price = module_deploy_price(&prices, &halves);
    let pairs = |code: &[u8]| module_shape(code).unwrap().branch_unit_pairs;
    assert_eq!(pairs(&loops), 2 * pairs(&halves));
    assert!(halves_price < loops_price / 3 * 2, "{halves_price}");

    let rt = runtime_with(Limits::default());
    let mut s = rt.session(Arc::new(MemoryStore::new()), BlockInfo::default());
    let compiles = rt.cache_stats().compiles;
    let refused = s.deploy_with_gas(OWNER, &loops, 0, BLOCK_GAS);
    assert!(
        matches!(refused, Err(DeployError::OutOfGas { price, gas_limit: BLOCK_GAS }) if price == loops_price),
        "{refused:?}"
    );
    assert!(s.changes().is_empty(), "nothing recorded");
    assert_eq!(rt.cache_stats().compiles, compiles, "nothing compiled");
}

/// Each count of the shape moves the price: a module with one more of anything costs more.
#[test]
fn every_count_of_the_shape_is_priced() {
    let prices = PriceTable::default();
    let price = |code: &[u8]| {
        let shape = module_shape(code).unwrap();
        assert_eq!(
            module_deploy_price(&prices, code),
            compile_price(&prices.deploy, &shape) + prices.storage_commit_per_key
        );
        module_deploy_price(&prices, code)
    };
    let base = price(&conforming("(func)"));
    for (what, extra) in [
        ("a function", "(func) (func)"),
        ("a local", "(func (local i64))"),
        ("an operator", "(func nop)"),
        ("a type", "(type (func (param i64))) (func)"),
        (
            "a br_table target",
            "(func (block (br_table 0 0 (i32.const 0))))",
        ),
        ("a loop", "(func (loop))"),
    ] {
        assert!(price(&conforming(extra)) > base, "{what}");
    }
}
