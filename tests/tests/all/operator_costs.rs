//! The operator cost table is what a call is charged: the same module costs wasmtime's default
//! fuel under `OperatorCosts::wasmtime_default()` and the measured class costs under
//! `OperatorCosts::measured()`.

use integration_tests::{ALICE, OWNER, wat};
use runtime::{BlockInfo, MemoryStore, OperatorCosts, Runtime, RuntimeConfig};
use std::sync::Arc;

/// One `f64.sqrt` of a constant, dropped; then `i32.const 0`.
const SQRT: &str = r#"(module (memory (export "memory") 1)
  (func (export "f") (param i32) (result i32)
    (drop (f64.sqrt (f64.const 2)))
    (i32.const 0)))"#;

fn gas_of(costs: OperatorCosts) -> u64 {
    let rt = Runtime::new(RuntimeConfig {
        operator_costs: costs,
        pooled_instances: 4,
        ..RuntimeConfig::test()
    })
    .expect("runtime");
    let mut s = rt.session(Arc::new(MemoryStore::new()), BlockInfo::default());
    let id = s.deploy(OWNER, &wat(SQRT), 0).expect("deploy");
    let r = s.call(ALICE, id, "f", &[], 10_000_000).expect("call");
    assert!(r.is_success(), "{:?}", r.result);
    r.gas_spent
}

#[test]
fn a_call_is_charged_from_the_configured_operator_costs() {
    let prices = runtime::PriceTable::default();
    // The call's base and the module's first load in the call tree.
    let base = prices.call_base + runtime::gas::module_load_price(&prices, &wat(SQRT));
    // Function entry 1 (wasmtime's, not configurable), f64.const 1, f64.sqrt 1, drop 0, i32.const 1.
    assert_eq!(gas_of(OperatorCosts::wasmtime_default()), base + 4);
    let m = OperatorCosts::measured();
    let expected = 1 + u64::from(m.float) + u64::from(m.float_div_sqrt) + u64::from(m.integer);
    assert_eq!(gas_of(m), base + expected);
}
