//! Target `differential`: the same generated module (no imports) on our runtime and on wasmi.
//!
//! Both run `run(arg_len)` in a fresh instance. The outcomes must agree: the same status code,
//! or a trap of the same class. Running out of fuel or stack is inconclusive (the engines
//! count fuel and frames differently) and skipped.

use super::generate;
use crate::{ALICE, OWNER, session};
use arbitrary::Unstructured;
use host_api::abi::{STATUS_ERROR, STATUS_INVALID_INPUT, STATUS_OK};
use runtime::{CallError, TrapKind};

/// Gas for our side; wasmi gets the same amount of its own fuel.
pub const DIFF_GAS: u64 = 1_000_000;

/// How a call ended, comparably across engines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The entry point returned this status.
    Returned(i32),
    /// The call trapped.
    Trap(TrapKind),
    /// Out of fuel or stack: not comparable.
    Inconclusive,
}

/// Run the module built from `data` on both engines and compare.
pub fn run(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(module) = wasm_smith::Module::new(generate::pure_contract(), &mut u) else {
        return;
    };
    let arg_len = u.int_in_range(0..=64u8).unwrap_or(0);
    let code = module.to_bytes();
    let Some(ours) = ours(&code, usize::from(arg_len)) else {
        return; // refused at deploy
    };
    let theirs = wasmi_outcome(&code, i32::from(arg_len));
    if ours == Outcome::Inconclusive || theirs == Outcome::Inconclusive {
        return;
    }
    assert_eq!(ours, theirs, "our runtime and wasmi disagree");
}

/// Our outcome, or `None` when deploy refuses the module.
fn ours(code: &[u8], arg_len: usize) -> Option<Outcome> {
    let (_, mut s) = session();
    let id = s.deploy(OWNER, code, 0).ok()?;
    let receipt = s
        .call(ALICE, id, "run", &vec![0; arg_len], DIFF_GAS)
        .expect("no host error calling a deployed contract");
    Some(match receipt.result {
        Ok(_) => Outcome::Returned(STATUS_OK),
        Err(CallError::Reverted(_)) => Outcome::Returned(STATUS_ERROR),
        Err(CallError::InvalidInput(_)) => Outcome::Returned(STATUS_INVALID_INPUT),
        Err(CallError::BadStatus(status)) => Outcome::Returned(status),
        Err(CallError::Trap(kind)) => Outcome::Trap(kind),
        Err(CallError::OutOfGas | CallError::StackOverflow | CallError::MemoryLimit { .. }) => {
            Outcome::Inconclusive
        }
        Err(other) => panic!("a module without imports ended with {other:?}"),
    })
}

/// wasmi's outcome for the same call.
fn wasmi_outcome(code: &[u8], arg_len: i32) -> Outcome {
    let mut config = wasmi::Config::default();
    config.consume_fuel(true);
    let engine = wasmi::Engine::new(&config);
    let module = wasmi::Module::new(&engine, code).expect("wasmi compiles what we deployed");
    let mut store = wasmi::Store::new(&engine, ());
    store.set_fuel(DIFF_GAS).expect("fuel is on");
    let linker = wasmi::Linker::<()>::new(&engine);
    let instance = match linker.instantiate_and_start(&mut store, &module) {
        Ok(instance) => instance,
        Err(e) => return trap_outcome(&e),
    };
    let run = instance
        .get_typed_func::<i32, i32>(&store, "run")
        .expect("the module exports run");
    match run.call(&mut store, arg_len) {
        Ok(status) => Outcome::Returned(status),
        Err(e) => trap_outcome(&e),
    }
}

fn trap_outcome(e: &wasmi::Error) -> Outcome {
    use wasmi::TrapCode;
    let Some(code) = e.as_trap_code() else {
        panic!("wasmi failed without a trap: {e}");
    };
    Outcome::Trap(match code {
        TrapCode::UnreachableCodeReached => TrapKind::Unreachable,
        TrapCode::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        TrapCode::TableOutOfBounds => TrapKind::TableOutOfBounds,
        TrapCode::IndirectCallToNull => TrapKind::IndirectCallToNull,
        TrapCode::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
        TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
        TrapCode::BadConversionToInteger => TrapKind::BadConversionToInteger,
        TrapCode::BadSignature => TrapKind::BadSignature,
        TrapCode::StackOverflow
        | TrapCode::OutOfFuel
        | TrapCode::GrowthOperationLimited
        | TrapCode::OutOfSystemMemory => {
            return Outcome::Inconclusive;
        }
    })
}
