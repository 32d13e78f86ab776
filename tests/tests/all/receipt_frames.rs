//! A receipt's call tree is bounded: at most `Limits::max_recorded_frames` nested frames are
//! recorded, the first to start; the rest run and are charged exactly as before, and are
//! counted in `Receipt::omitted_calls`.

use host_api::ContractId;
use integration_tests::{ALICE, GAS, OWNER, wat};
use runtime::config::DEFAULT_MAX_RECORDED_FRAMES;
use runtime::{BlockInfo, Limits, MemoryStore, Receipt, Runtime, RuntimeConfig};
use std::sync::Arc;

/// `spray(n)`: `n` nested calls of `leaf` of the contract whose id is at offset 64 (written by
/// the test through the argument: `n[4] ‖ id[32]`), or of a missing contract when the id is
/// all zeros. `leaf` returns 0.
const SPRAY: &str = r#"(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "call" (func $call (param i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "leaf")
  (func (export "spray") (param $len i32) (result i32)
    (local $n i32)
    (call $input_read (i32.const 60))
    (local.set $n (i32.load (i32.const 60)))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (drop (call $call (i32.const 64) (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 0)
          (i64.const 0)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (i32.const 0))
  (func (export "leaf") (param i32) (result i32) (i32.const 0)))"#;

fn spray(runtime: &Runtime, calls: u32, target: Option<()>) -> Receipt {
    let mut s = runtime.session(Arc::new(MemoryStore::new()), BlockInfo::default());
    let sprayer = s.deploy(OWNER, &wat(SPRAY), 0).expect("deploy");
    let leaf = s.deploy(OWNER, &wat(SPRAY), 1).expect("deploy");
    let id = match target {
        Some(()) => leaf,
        None => ContractId([0; 32]),
    };
    let mut args = calls.to_le_bytes().to_vec();
    args.extend_from_slice(&id.0);
    let r = s.call(ALICE, sprayer, "spray", &args, GAS).expect("host");
    assert!(r.is_success(), "{:?}", r.result);
    r
}

fn runtime_with_cap(cap: usize) -> Runtime {
    Runtime::new(RuntimeConfig {
        limits: Limits {
            max_recorded_frames: cap,
            ..Limits::default()
        },
        pooled_instances: 4,
        ..RuntimeConfig::test()
    })
    .expect("runtime")
}

#[test]
fn frames_past_the_cap_run_and_are_counted_not_recorded() {
    let small = runtime_with_cap(4);
    let large = runtime_with_cap(100);
    // At the cap: every frame recorded.
    let at = spray(&small, 4, Some(()));
    assert_eq!((at.calls.len(), at.omitted_calls), (4, 0));
    // Past it: the first four recorded, the fifth counted; the gas is the same as with room
    // for all of them.
    let past = spray(&small, 5, Some(()));
    assert_eq!((past.calls.len(), past.omitted_calls), (4, 1));
    let all = spray(&large, 5, Some(()));
    assert_eq!((all.calls.len(), all.omitted_calls), (5, 0));
    assert_eq!(past.gas_spent, all.gas_spent);
    assert_eq!(past.calls[..], all.calls[..4]);
}

#[test]
fn refused_calls_count_against_the_default_cap() {
    // Calls of a missing contract (-3) were the cheapest way to grow a receipt.
    let runtime = integration_tests::runtime();
    let at = spray(runtime, DEFAULT_MAX_RECORDED_FRAMES as u32, None);
    assert_eq!(
        (at.calls.len(), at.omitted_calls),
        (DEFAULT_MAX_RECORDED_FRAMES, 0)
    );
    assert!(
        at.calls
            .iter()
            .all(|c| c.error.as_deref() == Some("no_such_contract"))
    );
    let past = spray(runtime, DEFAULT_MAX_RECORDED_FRAMES as u32 + 1, None);
    assert_eq!(
        (past.calls.len(), past.omitted_calls),
        (DEFAULT_MAX_RECORDED_FRAMES, 1)
    );
}
