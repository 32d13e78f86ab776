//! Cross-contract calls: gas forwarding and charging, failures as error codes, rollback of a
//! failed callee, the reentrancy rule, the depth cap, the call tree in the receipt.

use host_api::abi::{
    CALL_DEPTH_EXCEEDED, CALL_FAILED, CALL_NO_SUCH_CONTRACT, CALL_NO_SUCH_FUNCTION,
    CALL_OUT_OF_GAS, CALL_REENTRANCY, STATUS_ERROR, STATUS_OK,
};
use host_api::{Address, ContractId};
use integration_tests::{ALICE, GAS, OWNER, call, session, wat};
use runtime::config::DEFAULT_MAX_CALL_DEPTH;
use runtime::{CallError, Session, TrapKind};

/// `forward` reads `id[32] ‖ gas[8] ‖ fn_len[4] ‖ fn ‖ payload`, calls `id.fn(payload)` with
/// `gas`, writes `after` = "after", and returns `status[4] ‖ callee output`.
/// `forward_then_fail` does the same and then returns status 1.
const PROXY: &str = r#"(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "output_write" (func $output_write (param i32 i32)))
  (import "host_v1" "call" (func $call (param i32 i32 i32 i32 i32 i64) (result i32)))
  (import "host_v1" "call_output_len" (func $out_len (result i32)))
  (import "host_v1" "call_output_read" (func $out_read (param i32)))
  (import "host_v1" "storage_write" (func $sw (param i32 i32 i32 i32)))
  (memory (export "memory") 4)
  (data (i32.const 0) "after")
  (func $forward (param $len i32) (result i32)
    (local $fnlen i32) (local $status i32) (local $olen i32) (local $payload i32)
    (call $input_read (i32.const 1024))
    (local.set $fnlen (i32.load (i32.const 1064)))
    (local.set $payload (i32.add (i32.const 1068) (local.get $fnlen)))
    (local.set $status
      (call $call (i32.const 1024) (i32.const 1068) (local.get $fnlen) (local.get $payload)
        (i32.sub (local.get $len) (i32.sub (local.get $payload) (i32.const 1024)))
        (i64.load (i32.const 1056))))
    (local.set $olen (call $out_len))
    (i32.store (i32.const 100000) (local.get $status))
    (call $out_read (i32.const 100004))
    (call $sw (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 5))
    (call $output_write (i32.const 100000) (i32.add (local.get $olen) (i32.const 4)))
    (i32.const 0))
  (func (export "forward") (param i32) (result i32) (call $forward (local.get 0)))
  (func (export "forward_then_fail") (param i32) (result i32)
    (drop (call $forward (local.get 0)))
    (i32.const 1)))"#;

/// A callee with one entry point per behaviour.
const TARGET: &str = r#"(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "output_write" (func $output_write (param i32 i32)))
  (import "host_v1" "storage_write" (func $sw (param i32 i32 i32 i32)))
  (import "host_v1" "emit" (func $emit (param i32 i32 i32 i32)))
  (import "host_v1" "abort" (func $abort (param i32 i32)))
  (import "host_v1" "caller" (func $caller (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "k")
  (data (i32.const 8) "v")
  (data (i32.const 16) "no")
  (data (i32.const 24) "boom")
  (data (i32.const 32) "touched")
  (func (export "echo") (param $len i32) (result i32)
    (call $input_read (i32.const 1024))
    (call $output_write (i32.const 1024) (local.get $len))
    (i32.const 0))
  (func (export "who") (param i32) (result i32)
    (call $caller (i32.const 1024))
    (call $output_write (i32.const 1024) (i32.const 32))
    (i32.const 0))
  (func (export "write") (param i32) (result i32)
    (call $sw (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 1))
    (call $emit (i32.const 32) (i32.const 7) (i32.const 0) (i32.const 1))
    (i32.const 0))
  (func (export "fail") (param i32) (result i32)
    (call $sw (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 1))
    (call $emit (i32.const 32) (i32.const 7) (i32.const 0) (i32.const 1))
    (call $output_write (i32.const 16) (i32.const 2))
    (i32.const 1))
  (func (export "panic") (param i32) (result i32)
    (call $sw (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 1))
    (call $abort (i32.const 24) (i32.const 4))
    (i32.const 0))
  (func (export "trap") (param i32) (result i32) unreachable)
  (func (export "burn") (param i32) (result i32) (loop $l (br $l)) (i32.const 0)))"#;

fn request(target: ContractId, gas: u64, function: &str, payload: &[u8]) -> Vec<u8> {
    let mut r = target.0.to_vec();
    r.extend_from_slice(&gas.to_le_bytes());
    r.extend_from_slice(&(function.len() as u32).to_le_bytes());
    r.extend_from_slice(function.as_bytes());
    r.extend_from_slice(payload);
    r
}

/// Split a proxy's output into the callee status and the callee output.
fn reply(output: &[u8]) -> (i32, Vec<u8>) {
    let status = i32::from_le_bytes(output[..4].try_into().expect("4 bytes"));
    (status, output[4..].to_vec())
}

fn setup() -> (Session, ContractId, ContractId) {
    let (_, mut s) = session();
    let proxy = s.deploy(OWNER, &wat(PROXY), 0).expect("proxy");
    let target = s.deploy(OWNER, &wat(TARGET), 0).expect("target");
    (s, proxy, target)
}

fn forward(
    s: &mut Session,
    proxy: ContractId,
    target: ContractId,
    f: &str,
    gas: u64,
) -> (i32, Vec<u8>, runtime::Receipt) {
    let r = call(s, proxy, "forward", &request(target, gas, f, b"hi"));
    let (status, out) = reply(r.result.as_ref().expect("proxy succeeds"));
    (status, out, r)
}

#[test]
fn a_successful_call_returns_its_output_and_is_charged_to_the_caller() {
    let (mut s, proxy, target) = setup();
    let (status, out, r) = forward(&mut s, proxy, target, "echo", 0);
    assert_eq!((status, out.as_slice()), (STATUS_OK, &b"hi"[..]));
    assert_eq!(r.calls.len(), 1);
    let trace = &r.calls[0];
    assert_eq!(
        (trace.contract, trace.function.as_str(), trace.error.clone()),
        (target, "echo", None)
    );
    assert_eq!(
        trace.caller,
        Address::from(proxy),
        "the callee sees the calling contract"
    );
    assert!(
        trace.gas_spent > 52_000,
        "the callee pays its own call base"
    );
    assert!(
        r.gas_spent > trace.gas_spent + 52_000,
        "the caller is charged the callee's gas"
    );
    // gas 0 = everything the caller had left.
    assert!(trace.gas_limit > GAS - r.gas_spent);
    let (_, who, _) = forward(&mut s, proxy, target, "who", 0);
    assert_eq!(who, proxy.0.to_vec());
}

#[test]
fn a_callee_error_is_a_code_its_writes_revert_and_the_caller_continues() {
    let (mut s, proxy, target) = setup();
    let (status, out, r) = forward(&mut s, proxy, target, "fail", 0);
    assert_eq!((status, out.as_slice()), (STATUS_ERROR, &b"no"[..]));
    assert_eq!(
        s.storage(&target, b"k").unwrap(),
        None,
        "callee's write reverted"
    );
    assert_eq!(
        s.storage(&proxy, b"after").unwrap(),
        Some(b"after".to_vec()),
        "caller went on"
    );
    assert_eq!(r.events.len(), 1);
    assert!(
        r.events[0].reverted,
        "the callee's event is kept, marked reverted"
    );
    assert_eq!(r.calls[0].error.as_deref(), Some("reverted"));
}

#[test]
fn a_successful_callee_write_is_kept_unless_the_caller_fails() {
    let (mut s, proxy, target) = setup();
    let (status, _, r) = forward(&mut s, proxy, target, "write", 0);
    assert_eq!(status, STATUS_OK);
    assert!(!r.events[0].reverted);
    assert_eq!(s.storage(&target, b"k").unwrap(), Some(b"v".to_vec()));

    let (mut s, proxy, target) = setup();
    let r = call(
        &mut s,
        proxy,
        "forward_then_fail",
        &request(target, 0, "write", b""),
    );
    assert!(matches!(r.result, Err(CallError::Reverted(_))));
    assert_eq!(
        s.storage(&target, b"k").unwrap(),
        None,
        "reverted with its caller"
    );
    assert_eq!(s.storage(&proxy, b"after").unwrap(), None);
    assert!(r.events.iter().all(|e| e.reverted));
}

#[test]
fn callee_panics_traps_and_missing_targets_are_codes() {
    let (mut s, proxy, target) = setup();
    let (status, out, _) = forward(&mut s, proxy, target, "panic", 0);
    assert_eq!(status, CALL_FAILED);
    assert!(String::from_utf8_lossy(&out).contains("boom"));
    assert_eq!(s.storage(&target, b"k").unwrap(), None);
    let (status, _, r) = forward(&mut s, proxy, target, "trap", 0);
    assert_eq!(status, CALL_FAILED);
    assert_eq!(
        r.calls[0].error.as_deref(),
        Some(CallError::Trap(TrapKind::Unreachable).kind())
    );
    let (status, _, _) = forward(&mut s, proxy, target, "nope", 0);
    assert_eq!(status, CALL_NO_SUCH_FUNCTION);
    let (status, _, _) = forward(&mut s, proxy, ContractId([9; 32]), "echo", 0);
    assert_eq!(status, CALL_NO_SUCH_CONTRACT);
}

#[test]
fn a_callee_out_of_gas_costs_the_caller_exactly_the_limit_it_forwarded() {
    let (mut s, proxy, target) = setup();
    let (status, _, r) = forward(&mut s, proxy, target, "burn", 20_000);
    assert_eq!(status, CALL_OUT_OF_GAS);
    assert_eq!(
        (r.calls[0].gas_limit, r.calls[0].gas_spent),
        (20_000, 20_000)
    );
    assert!(r.is_success(), "the caller caught it and continued");
    assert_eq!(
        s.storage(&proxy, b"after").unwrap(),
        Some(b"after".to_vec())
    );

    // Asking for more than is left is capped: the callee burns all of it and the caller, with
    // nothing left for its own write, runs out of gas too. (The limit also pays the proxy's 2
    // initial pages past the free ones; its load was paid by the session's first call, which
    // left it warm.)
    let p = runtime::PriceTable::default();
    let limit = 1_000_000 + runtime::gas::initial_memory_price(&p, 4);
    let r = s
        .call(
            ALICE,
            proxy,
            "forward",
            &request(target, u64::MAX, "burn", b""),
            limit,
        )
        .unwrap();
    assert_eq!(r.result, Err(CallError::OutOfGas));
    assert_eq!(r.gas_spent, limit);
    assert!(r.calls[0].gas_limit < 1_000_000);
}

#[test]
fn reentrancy_is_refused_with_a_code() {
    let (mut s, a, _) = setup();
    let b = s.deploy(OWNER, &wat(PROXY), 1).expect("second proxy");
    // A → B → A.echo: the innermost call is refused; B reports the code to A.
    let back_to_a = request(a, 0, "forward", &request(a, 0, "echo", b""));
    let r = call(&mut s, a, "forward", &request(b, 0, "forward", &back_to_a));
    let (status_b, out_b) = reply(r.result.as_ref().unwrap());
    assert_eq!(status_b, STATUS_OK);
    let (status_a_again, _) = reply(&out_b);
    assert_eq!(status_a_again, CALL_REENTRANCY);
    // A contract calling itself directly is the same case.
    let r = call(&mut s, a, "forward", &request(a, 0, "echo", b""));
    assert_eq!(reply(r.result.as_ref().unwrap()).0, CALL_REENTRANCY);
}

/// A chain of `len` distinct proxies, the last one calling `target.echo`.
fn chain(len: usize) -> (Session, ContractId, Vec<u8>) {
    let (_, mut s) = session();
    let target = s.deploy(OWNER, &wat(TARGET), 0).expect("target");
    let proxies: Vec<ContractId> = (0..len as u64)
        .map(|n| s.deploy(OWNER, &wat(PROXY), n).expect("proxy"))
        .collect();
    let mut payload = request(target, 0, "echo", b"deep");
    for p in proxies[1..].iter().rev() {
        payload = request(*p, 0, "forward", &payload);
    }
    (s, proxies[0], payload)
}

/// Unwrap `levels` proxy replies and return the innermost status and output.
fn innermost(mut output: Vec<u8>, levels: usize) -> (i32, Vec<u8>) {
    let mut status = STATUS_OK;
    for _ in 0..levels {
        (status, output) = reply(&output);
        if status != STATUS_OK {
            break;
        }
    }
    (status, output)
}

/// Gas for a call down a whole chain: each of its 16 frames writes a key of its own, and each
/// such write pays its share of the commit (`storage_commit_per_key`).
const CHAIN_GAS: u64 = 200_000_000;

/// `forward` of the chain's first proxy with [`CHAIN_GAS`].
fn call_chain(s: &mut Session, first: ContractId, payload: &[u8]) -> runtime::Receipt {
    s.call(ALICE, first, "forward", payload, CHAIN_GAS)
        .expect("no host error")
}

#[test]
fn call_depth_is_capped_at_the_limit() {
    // DEFAULT_MAX_CALL_DEPTH frames: the top-level proxy, depth − 2 more proxies, the target.
    let proxies = DEFAULT_MAX_CALL_DEPTH - 1;
    let (mut s, first, payload) = chain(proxies);
    let r = call_chain(&mut s, first, &payload);
    assert_eq!(
        innermost(r.result.clone().unwrap(), proxies),
        (STATUS_OK, b"deep".to_vec())
    );
    let mut depth = 1;
    let mut level = &r.calls;
    while let Some(t) = level.first() {
        depth += 1;
        level = &t.calls;
    }
    assert_eq!(
        depth, DEFAULT_MAX_CALL_DEPTH,
        "the receipt's call tree has every frame"
    );

    // One more frame is refused at the innermost call.
    let (mut s, first, payload) = chain(proxies + 1);
    let r = call_chain(&mut s, first, &payload);
    assert_eq!(
        innermost(r.result.unwrap(), proxies + 1).0,
        CALL_DEPTH_EXCEEDED
    );
}

#[test]
fn deep_chains_run_on_a_small_thread_stack() {
    // The frames grow onto fresh stack segments when the thread's stack is short: a 256 KiB
    // thread stack still runs the deepest chain without overflowing.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let proxies = DEFAULT_MAX_CALL_DEPTH - 1;
            let (mut s, first, payload) = chain(proxies);
            let r = call_chain(&mut s, first, &payload);
            innermost(r.result.unwrap(), proxies)
        })
        .expect("spawn");
    assert_eq!(
        handle.join().expect("no stack overflow"),
        (STATUS_OK, b"deep".to_vec())
    );
}

/// Misuse of `call` by the caller: each entry passes one bad pointer or length.
const MISUSE: &str = r#"(module
  (import "host_v1" "call" (func $call (param i32 i32 i32 i32 i32 i64) (result i32)))
  (import "host_v1" "call_output_read" (func $out_read (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "\ff\fe")
  (func (export "oob_call_id") (param i32) (result i32)
    (call $call (i32.const 65520) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0) (i64.const 0)))
  (func (export "oob_call_name") (param i32) (result i32)
    (call $call (i32.const 0) (i32.const 65535) (i32.const 2) (i32.const 0) (i32.const 0) (i64.const 0)))
  (func (export "oob_call_args") (param i32) (result i32)
    (call $call (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 65000) (i32.const 1000) (i64.const 0)))
  (func (export "oob_call_output_read") (param i32) (result i32)
    (drop (call $call (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0) (i64.const 0)))
    (call $out_read (i32.const 70000))
    (i32.const 0))
  (func (export "name_not_utf8") (param i32) (result i32)
    (call $call (i32.const 0) (i32.const 100) (i32.const 2) (i32.const 0) (i32.const 0) (i64.const 0)))
  (func (export "name_too_long") (param i32) (result i32)
    (call $call (i32.const 0) (i32.const 0) (i32.const 65) (i32.const 0) (i32.const 0) (i64.const 0)))
  (func (export "args_too_long") (param i32) (result i32)
    (call $call (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 65537) (i64.const 0))))"#;

#[test]
fn call_misuse_is_typed() {
    let (_, mut s) = session();
    let id = s.deploy(OWNER, &wat(MISUSE), 0).expect("deploy");
    for f in [
        "oob_call_id",
        "oob_call_name",
        "oob_call_args",
        "oob_call_output_read",
    ] {
        let r = call(&mut s, id, f, &[]);
        assert_eq!(
            r.result,
            Err(CallError::Trap(TrapKind::MemoryOutOfBounds)),
            "{f}"
        );
    }
    for f in ["name_not_utf8", "name_too_long"] {
        let r = call(&mut s, id, f, &[]);
        assert!(
            matches!(r.result, Err(CallError::AbiViolation(_))),
            "{f}: {:?}",
            r.result
        );
    }
    let r = call(&mut s, id, "args_too_long", &[]);
    assert!(
        matches!(
            r.result,
            Err(CallError::LimitExceeded {
                kind: runtime::LimitKind::ArgumentSize,
                ..
            })
        ),
        "{:?}",
        r.result
    );
}

#[test]
fn only_call_protocol_calls_as_the_protocol_address() {
    let (mut s, proxy, target) = setup();
    // The host's own call: the contract sees the protocol address.
    let r = s
        .call_protocol(target, "who", &[], GAS)
        .expect("no host error");
    assert_eq!(
        r.result.as_deref().expect("who succeeds"),
        Address::PROTOCOL.0.as_slice()
    );
    assert_eq!(r.caller, Address::PROTOCOL);
    // An ordinary call naming it is refused before anything runs.
    let refused = s.call(Address::PROTOCOL, target, "who", &[], GAS);
    assert!(matches!(refused, Err(runtime::HostError::ReservedCaller)));
    // A contract called by the protocol calls on as itself, never as the protocol.
    let r = s
        .call_protocol(proxy, "forward", &request(target, 0, "who", b""), GAS)
        .expect("no host error");
    let (status, out) = reply(r.result.as_ref().expect("proxy succeeds"));
    assert_eq!(status, 0);
    assert_eq!(out, Address::from(proxy).0.to_vec());
}

/// A callee exporting entry points whose names are exactly 64 and 65 bytes long.
fn long_names() -> (String, String, String) {
    let at_cap = "n".repeat(host_api::limits::MAX_FUNCTION_NAME_BYTES);
    let past_cap = "n".repeat(host_api::limits::MAX_FUNCTION_NAME_BYTES + 1);
    let wat = format!(
        r#"(module (memory (export "memory") 1)
          (func (export "{at_cap}") (param i32) (result i32) (i32.const 0))
          (func (export "{past_cap}") (param i32) (result i32) (i32.const 0)))"#
    );
    (at_cap, past_cap, wat)
}

#[test]
fn call_accepts_a_64_byte_entry_point_name_and_refuses_65() {
    let (mut s, proxy, _) = setup();
    let (at_cap, past_cap, callee) = long_names();
    let callee = s.deploy(OWNER, &wat(&callee), 0).expect("deploy");
    let (status, _, _) = forward(&mut s, proxy, callee, &at_cap, 0);
    assert_eq!(status, STATUS_OK);
    let r = call(
        &mut s,
        proxy,
        "forward",
        &request(callee, 0, &past_cap, b"hi"),
    );
    match r.result {
        Err(CallError::AbiViolation(message)) => {
            assert!(message.contains("65 bytes"), "{message}")
        }
        other => panic!("a 65-byte name must be refused: {other:?}"),
    }
    // The top-level call is not bound by `call`'s cap: the entry point itself is valid.
    assert!(call(&mut s, callee, &past_cap, &[]).is_success());
}
