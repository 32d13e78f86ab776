//! The initial memory priced: each 64 KiB page a module declares past
//! `memory_initial_free_pages` (2, what `call_base` covers) costs `memory_initial_per_page`,
//! charged with the call's base before instantiation, whether or not the call touches it; at
//! the free pages nothing more, one past one page more, the deploy limit (64 pages) 62 pages;
//! a limit that cannot pay is refused with `OutOfGas` before the instance exists.

use integration_tests::*;
use runtime::config::DEFAULT_MAX_INITIAL_MEMORY_PAGES;
use runtime::gas::{initial_memory_price, module_load_price};
use runtime::{CallError, PriceTable};

/// A module of `pages` initial pages whose `f` returns at once and whose `touch` writes one
/// byte in every 4 KiB page of its memory.
fn module(pages: u64) -> Vec<u8> {
    wat(&format!(
        r#"(module
  (memory (export "memory") {pages})
  (func (export "f") (param i32) (result i32) (i32.const 0))
  (func (export "touch") (param i32) (result i32)
    (local $a i32)
    (loop $l
      (i32.store8 (local.get $a) (i32.const 1))
      (local.set $a (i32.add (local.get $a) (i32.const 4096)))
      (br_if $l (i32.lt_u (local.get $a) (i32.const {bytes}))))
    (i32.const 0)))"#,
        bytes = pages * 65_536
    ))
}

/// The gas of `f` of `module(pages)`, its load taken out (the modules differ in size by a
/// byte or two).
fn gas_of(pages: u64, function: &str) -> u64 {
    let code = module(pages);
    let (_, mut s) = session();
    let id = s.deploy(OWNER, &code, 0).expect("deploy");
    let r = s
        .call(ALICE, id, function, &[], GAS)
        .expect("no host error");
    assert!(r.is_success(), "{pages} pages: {r:?}");
    r.gas_spent - module_load_price(&PriceTable::default(), &code)
}

#[test]
fn the_pages_past_the_free_ones_are_charged_at_the_call_base() {
    let p = PriceTable::default();
    assert_eq!(
        (p.memory_initial_free_pages, p.memory_initial_per_page),
        (2, 340_000)
    );
    let one = gas_of(1, "f");
    assert_eq!(gas_of(2, "f"), one, "at the free pages: nothing more");
    assert_eq!(gas_of(3, "f"), one + p.memory_initial_per_page, "one past");
    let max = DEFAULT_MAX_INITIAL_MEMORY_PAGES;
    assert_eq!(
        gas_of(max, "f"),
        one + (max - 2) * p.memory_initial_per_page,
        "at the deploy limit"
    );
    assert_eq!(initial_memory_price(&p, max), 62 * 340_000);
    assert_eq!(initial_memory_price(&p, 0), 0);
}

#[test]
fn a_call_touching_every_page_of_its_initial_memory_pays_for_all_of_them() {
    // The case that took 1–1.6 ms for ≈ 63,500 gas: now at least the 62 pages' price.
    let max = DEFAULT_MAX_INITIAL_MEMORY_PAGES;
    let touched = gas_of(max, "touch");
    assert!(touched > initial_memory_price(&PriceTable::default(), max));
    assert!(
        touched > gas_of(max, "f"),
        "the writes cost their operators too"
    );
}

#[test]
fn a_limit_that_cannot_pay_the_initial_memory_is_out_of_gas_before_instantiation() {
    let p = PriceTable::default();
    let code = module(3);
    let (_, mut s) = session();
    let id = s.deploy(OWNER, &code, 0).expect("deploy");
    let base = p.call_base + module_load_price(&p, &code) + p.memory_initial_per_page;
    let r = s
        .call(ALICE, id, "f", &[], base - 1)
        .expect("no host error");
    assert_eq!(
        (r.result, r.gas_spent),
        (Err(CallError::OutOfGas), base - 1)
    );
    // The refused call paid the module's load before it was refused, and left the module warm
    // in the session: the next call's base is without it. The base paid, the entry's own fuel
    // (function entry and `i32.const`) is what is left.
    let warm_base = base - module_load_price(&p, &code);
    let r = s
        .call(ALICE, id, "f", &[], warm_base + 3)
        .expect("no host error");
    assert!(r.is_success(), "{r:?}");
    assert_eq!(r.gas_spent, warm_base + 3);
}
