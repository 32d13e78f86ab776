//! Target `call_generated`: a whole call of a generated contract that imports host functions,
//! through the runtime.

use super::generate;
use crate::{ALICE, OWNER, session};
use arbitrary::Unstructured;
use runtime::{CallError, StateDump};

/// Gas for one fuzzed call: enough to reach every host function, small enough to stay far
/// under a second per input.
pub const CALL_GAS: u64 = 5_000_000;

/// Deploy a generated contract, commit, call `run` with generated arguments and commit again.
/// A finding (a panic): a host error from a contract that deployed, gas spent over the limit,
/// or a failed call that changed the state.
pub fn generated(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(module) = wasm_smith::Module::new(generate::contract(), &mut u) else {
        return;
    };
    let args: Vec<u8> = u.arbitrary().unwrap_or_default();
    let (store, mut s) = session();
    let Ok(id) = s.deploy(OWNER, &module.to_bytes(), 0) else {
        return; // refused with a typed error
    };
    s.commit().expect("committing a deploy");
    let before = StateDump::of_memory(&store).expect("dump");
    let receipt = match s.call(ALICE, id, "run", &args, CALL_GAS) {
        Ok(receipt) => receipt,
        Err(e) => panic!("host error calling a deployed contract: {e}"),
    };
    assert!(
        receipt.gas_spent <= CALL_GAS,
        "spent {} gas over the {CALL_GAS} limit",
        receipt.gas_spent
    );
    s.commit().expect("commit after a call");
    if let Err(error) = &receipt.result {
        let after = StateDump::of_memory(&store).expect("dump");
        assert!(
            before == after,
            "a call that failed ({error}) changed the state"
        );
        if matches!(error, CallError::OutOfGas) {
            assert_eq!(
                receipt.gas_spent, CALL_GAS,
                "out of gas spends the whole limit"
            );
        }
    }
}
