//! Opt-in tracing through `Session::set_trace`: reads, writes and removes per frame, and
//! nothing recorded (or charged) when it is off.

use integration_tests::{ALICE, GAS, contract_wasm, deploy, session};
use runtime::TraceOp;

#[test]
fn traced_and_untraced_calls_spend_the_same_gas_and_differ_only_in_ops() {
    let (_store, mut s) = session();
    let id = deploy(&mut s, &contract_wasm("counter"));
    let plain = s
        .call(ALICE, id, "increment", &7u64.to_le_bytes(), GAS)
        .unwrap();
    s.set_trace(true);
    let traced = s.call(ALICE, id, "reset", &[], GAS).unwrap();
    assert!(plain.ops.is_empty());
    assert_eq!(
        traced.ops,
        vec![TraceOp::Remove {
            key: b"count".to_vec(),
            existed: true
        }]
    );
    s.set_trace(false);
    let again = s.call(ALICE, id, "reset", &[], GAS).unwrap();
    assert!(again.ops.is_empty());
}

#[test]
fn a_failed_frame_keeps_its_trace() {
    let (_store, mut s) = session();
    let id = deploy(&mut s, &contract_wasm("hostile"));
    s.set_trace(true);
    let r = s.call(ALICE, id, "write_then_panic", &[], GAS).unwrap();
    assert!(!r.is_success());
    assert!(matches!(&r.ops[..], [TraceOp::Write { key, .. }, ..] if key == b"touched"));
    assert_eq!(
        s.storage(&id, b"touched").unwrap(),
        None,
        "the write was rolled back"
    );
}
