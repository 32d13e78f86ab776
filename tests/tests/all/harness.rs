//! `runtime::testing`: the in-process harness contract authors test with.

use host_api::{Address, ContractId};
use integration_tests::{contract_wasm, wat};
use runtime::testing::{
    BalanceHook, Harness, HarnessError, account, assert_gas, decode_error, decode_return,
};
use runtime::{CallError, TraceOp};

fn counter(h: &mut Harness) -> ContractId {
    h.deploy("counter", &contract_wasm("counter"))
        .expect("deploy")
}

#[test]
fn deploy_call_and_decode() {
    let mut h = Harness::new();
    let id = counter(&mut h);
    assert_eq!(h.call(id, "increment").args(&5u64).ok::<u64>().unwrap(), 5);
    assert_eq!(h.call(id, "get").ok::<u64>().unwrap(), 5);
    let r = h.call(id, "increment").args(&u64::MAX).send().unwrap();
    assert_eq!(decode_error::<u8>(&r), Some(0), "CounterError::Overflow");
    // A failed call changed nothing.
    assert_eq!(h.call(id, "get").ok::<u64>().unwrap(), 5);
    let err = h
        .call(id, "increment")
        .args(&u64::MAX)
        .ok::<u64>()
        .unwrap_err();
    assert!(matches!(err, HarnessError::CallFailed { ref contract, .. } if contract == "counter"));
    assert_eq!(h.name_of(&id), Some("counter"));
}

#[test]
fn the_same_code_deploys_twice_with_increasing_nonces() {
    let mut h = Harness::new();
    let a = counter(&mut h);
    let b = counter(&mut h);
    assert_ne!(a, b);
    h.call(a, "increment").args(&1u64).send().unwrap();
    assert_eq!(h.call(b, "get").ok::<u64>().unwrap(), 0, "separate storage");
}

#[test]
fn calls_as_any_account() {
    let mut h = Harness::new();
    let token = h.deploy("token", &contract_wasm("token")).unwrap();
    let (alice, bob) = (account("alice"), account("bob"));
    assert_eq!(account("alice"), alice, "deterministic");
    h.call(token, "init")
        .args(&1_000u128)
        .caller(alice)
        .ok::<()>()
        .unwrap();
    h.call(token, "transfer")
        .args(&(bob, 300u128))
        .caller(alice)
        .ok::<()>()
        .unwrap();
    let balance = |h: &mut Harness, who: Address| {
        h.call(token, "balance_of").args(&who).ok::<u128>().unwrap()
    };
    assert_eq!((balance(&mut h, alice), balance(&mut h, bob)), (700, 300));
    // Bob cannot spend more than he has; the event of the failed call is not "in effect".
    let r = h
        .call(token, "transfer")
        .args(&(alice, 301u128))
        .caller(bob)
        .send()
        .unwrap();
    assert!(!r.is_success());
    let transfers = h.events().filter(|e| e.topic == "transfer").count();
    assert_eq!(transfers, 2, "init and one transfer");
}

#[test]
fn block_height_and_time_are_set_by_the_test() {
    // `now` returns block_height * 1000 + block_timestamp.
    let code = wat(r#"(module
        (import "host_v1" "block_height" (func $h (result i64)))
        (import "host_v1" "block_timestamp" (func $t (result i64)))
        (import "host_v1" "output_write" (func $out (param i32 i32)))
        (memory (export "memory") 1)
        (func (export "now") (param i32) (result i32)
            (i64.store (i32.const 0) (i64.add (i64.mul (call $h) (i64.const 1000)) (call $t)))
            (call $out (i32.const 0) (i32.const 8))
            i32.const 0))"#);
    let mut h = Harness::new();
    let id = h.deploy("clock", &code).unwrap();
    assert_eq!(h.call(id, "now").ok::<u64>().unwrap(), 1_000);
    h.set_block_height(7);
    h.set_block_time(42);
    assert_eq!(h.call(id, "now").ok::<u64>().unwrap(), 7_042);
    h.advance_blocks(3, 10);
    assert_eq!(h.call(id, "now").ok::<u64>().unwrap(), 10_072);
}

#[test]
fn storage_set_directly_is_seen_by_the_contract() {
    let mut h = Harness::new();
    let id = counter(&mut h);
    h.set_storage(id, b"count", Some(&41u64.to_le_bytes()))
        .unwrap();
    assert_eq!(h.call(id, "increment").args(&1u64).ok::<u64>().unwrap(), 42);
    assert_eq!(
        h.storage(id, b"count").unwrap(),
        Some(42u64.to_le_bytes().to_vec())
    );
    h.set_storage(id, b"count", None).unwrap();
    assert_eq!(h.call(id, "get").ok::<u64>().unwrap(), 0);
}

#[test]
fn snapshot_and_revert_restore_state_and_block_exactly() {
    let mut h = Harness::new();
    let id = counter(&mut h);
    h.call(id, "increment").args(&10u64).send().unwrap();
    let root = h.root().unwrap();
    let snap = h.snapshot().unwrap();
    h.call(id, "increment").args(&5u64).send().unwrap();
    h.set_block_height(99);
    let later = h.deploy("later", &contract_wasm("counter")).unwrap();
    h.revert(snap).unwrap();
    assert_eq!(h.root().unwrap(), root);
    assert_eq!(h.block().height, 1);
    assert_eq!(h.call(id, "get").ok::<u64>().unwrap(), 10);
    let r = h.call(later, "get").send().unwrap();
    assert!(matches!(r.result, Err(CallError::NoSuchContract(_))));
    // The snapshot stays: revert to it again after more changes.
    h.call(id, "reset").send().unwrap();
    h.revert(snap).unwrap();
    assert_eq!(h.call(id, "get").ok::<u64>().unwrap(), 10);
    assert!(matches!(
        h.revert(runtime::testing::SnapshotId(9)),
        Err(HarnessError::UnknownSnapshot(9))
    ));
}

#[test]
fn gas_is_reported_per_function_and_asserted() {
    let mut h = Harness::new();
    let id = counter(&mut h);
    let first = h.call(id, "increment").args(&1u64).send().unwrap();
    h.call(id, "increment").args(&1u64).send().unwrap();
    h.call(id, "get").send().unwrap();
    let stats = h.gas_report().get("counter", "increment").unwrap();
    assert_eq!(stats.calls, 2);
    assert!(stats.min <= stats.avg() && stats.avg() <= stats.max);
    assert_eq!(h.gas_report().get("counter", "get").unwrap().calls, 1);
    assert_gas(&first, first.gas_spent, 0.0);
    let table = h.gas_report().table();
    assert!(
        table.contains("increment") && table.contains("| calls |"),
        "{table}"
    );
    let caught = std::panic::catch_unwind(|| assert_gas(&first, first.gas_spent * 2, 10.0));
    assert!(caught.is_err());
}

#[test]
fn traces_show_storage_events_debug_and_nested_calls() {
    let mut h = Harness::new();
    let id = counter(&mut h);
    h.call(id, "increment").args(&5u64).send().unwrap();
    let before = h.snapshot().unwrap();
    let plain = h.call(id, "increment").args(&5u64).send().unwrap();
    assert!(plain.ops.is_empty(), "untraced calls record nothing");
    h.revert(before).unwrap();
    h.set_trace(true);
    let r = h.call(id, "increment").args(&5u64).send().unwrap();
    assert_eq!(r.gas_spent, plain.gas_spent, "tracing does not change gas");
    assert!(
        matches!(&r.ops[0], TraceOp::Read { key, value: Some(v) } if key == b"count" && v == &5u64.to_le_bytes())
    );
    assert!(r.ops.iter().any(|op| matches!(op, TraceOp::Write { key, value } if key == b"count" && value == &10u64.to_le_bytes())));
    assert!(r.ops.iter().any(|op| matches!(op, TraceOp::Event(0))));
    let text = h.trace(&r);
    assert!(
        text.starts_with(&format!("[{} gas] counter::increment ok", r.gas_spent)),
        "{text}"
    );
    assert!(
        text.contains("read \"count\" → 0x0500000000000000"),
        "{text}"
    );
    assert!(text.contains("event incremented"), "{text}");
}

#[test]
fn nested_traces_show_every_frame() {
    let mut h = Harness::new();
    h.set_trace(true);
    let token = h.deploy("token", &contract_wasm("token")).unwrap();
    let bank = h.deploy("bank", &contract_wasm("bank")).unwrap();
    let alice = account("alice");
    h.call(token, "init")
        .args(&1_000u128)
        .caller(alice)
        .ok::<()>()
        .unwrap();
    h.call(token, "approve")
        .args(&(Address::from(bank), 500u128))
        .caller(alice)
        .ok::<()>()
        .unwrap();
    let r = h
        .call(bank, "deposit")
        .args(&(token, 200u128))
        .caller(alice)
        .send()
        .unwrap();
    assert!(r.is_success(), "{:?}", r.result);
    assert_eq!(r.calls.len(), 1);
    let inner = &r.calls[0];
    assert_eq!(inner.function, "transfer_from");
    assert!(
        inner
            .ops
            .iter()
            .any(|op| matches!(op, TraceOp::Write { .. }))
    );
    assert!(r.ops.contains(&TraceOp::Call(0)));
    let text = h.trace(&r);
    assert!(text.contains("bank::deposit ok"), "{text}");
    assert!(
        text.contains("─ [") && text.contains("token::transfer_from ok"),
        "{text}"
    );
}

#[test]
fn debug_prints_appear_in_the_trace() {
    let code = wat(r#"(module
        (import "host_v1" "debug_print" (func $d (param i32 i32)))
        (memory (export "memory") 1)
        (data (i32.const 0) "hello from wasm")
        (func (export "hi") (param i32) (result i32)
            (call $d (i32.const 0) (i32.const 15))
            i32.const 0))"#);
    let mut h = Harness::new();
    h.set_trace(true);
    let id = h.deploy("greeter", &code).unwrap();
    let r = h.call(id, "hi").send().unwrap();
    assert_eq!(r.ops, vec![TraceOp::Debug("hello from wasm".into())]);
    assert!(h.trace(&r).contains("debug \"hello from wasm\""));
}

#[test]
fn balances_go_through_the_hook() {
    let mut h = Harness::new();
    assert!(matches!(
        h.set_balance(account("alice"), 5),
        Err(HarnessError::NoBalanceHook)
    ));
    // A stand-in for the future `transfer` contract: stores its argument under "bal".
    let code = wat(r#"(module
        (import "host_v1" "input_read" (func $in (param i32)))
        (import "host_v1" "storage_write" (func $w (param i32 i32 i32 i32)))
        (memory (export "memory") 1)
        (data (i32.const 0) "bal")
        (func (export "set_balance") (param $len i32) (result i32)
            (call $in (i32.const 16))
            (call $w (i32.const 0) (i32.const 3) (i32.const 16) (local.get $len))
            i32.const 0))"#);
    let bank = h.deploy("balances", &code).unwrap();
    h.set_balance_hook(BalanceHook {
        contract: bank,
        function: "set_balance".into(),
    });
    let r = h.set_balance(account("alice"), 5).unwrap();
    assert_eq!(r.caller, Address::PROTOCOL);
    let stored = h.storage(bank, b"bal").unwrap().unwrap();
    assert_eq!(stored, borsh::to_vec(&(account("alice"), 5u128)).unwrap());
}

#[test]
fn decode_helpers_report_type_mismatches() {
    let mut h = Harness::new();
    let id = counter(&mut h);
    let r = h.call(id, "get").send().unwrap();
    assert_eq!(decode_return::<u64>(&r).unwrap(), 0);
    assert!(matches!(
        decode_return::<u128>(&r),
        Err(HarnessError::Decode { .. })
    ));
    assert_eq!(decode_error::<u8>(&r), None);
}
