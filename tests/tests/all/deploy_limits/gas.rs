//! `Session::deploy_with_gas`: a deploy pays `deploy_base + deploy_per_byte × bytes` (and the
//! commit of its record, `storage_commit_per_key`) before anything is validated or compiled; a
//! limit one short of it is `OutOfGas` and records nothing.

use super::*;
use runtime::PriceTable;
use runtime::gas::deploy_price;

const TINY: &str = r#"(module (memory (export "memory") 1)
  (func (export "f") (param i32) (result i32) (i32.const 0)))"#;

#[test]
fn a_deploy_costs_its_price_by_size_and_one_gas_short_changes_nothing() {
    let code = wat(TINY);
    let prices = PriceTable::default();
    let price = deploy_price(&prices, code.len());
    // The base, the bytes, and the commit of the new record (one key).
    assert_eq!(price, 52_000 + 7_000 * code.len() as u64 + 60_000);
    let (store, mut s) = session();
    let root = store.root().unwrap();

    let short = s.deploy_with_gas(OWNER, &code, 0, price - 1);
    assert!(
        matches!(short, Err(DeployError::OutOfGas { price: p, gas_limit }) if p == price && gas_limit == price - 1),
        "{short:?}"
    );
    assert!(s.changes().is_empty(), "nothing recorded");
    let id = contract_id(&OWNER, &CodeHash::of(&code), 0);
    assert_eq!(s.contract(&id).unwrap(), None);

    let (deployed, spent) = s
        .deploy_with_gas(OWNER, &code, 0, price)
        .expect("at the price");
    assert_eq!((deployed, spent), (id, price));
    assert!(call(&mut s, id, "f", &[]).is_success());
    assert_eq!(store.root().unwrap(), root, "not committed yet");
}

#[test]
fn a_bad_module_is_refused_only_once_paid_for() {
    let bad = b"\0asm\x01\0\0\0garbage".to_vec();
    let price = deploy_price(&PriceTable::default(), bad.len());
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
