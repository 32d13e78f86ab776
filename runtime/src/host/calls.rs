//! Cross-contract calls: `call`, `call_output_len`, `call_output_read`.
//!
//! The callee runs synchronously in its own Store (see `crate::call`). Its gas limit is what the
//! caller asks for (0 = everything left), capped by what the caller has left; what it spends is
//! then charged to the caller. A callee failure is an error **code** returned to the caller,
//! never a trap: the callee's writes are reverted, its events kept with `reverted`, and the
//! caller continues or gives up as it sees fit. The callee's output (return data, encoded
//! error, or message) is kept for `call_output_read` until the next `call`.

use super::{
    Ctx, HostResult, HostState, charge, fail, gas_left, limit, out_of_bounds, read_bytes,
    write_bytes,
};
use crate::call::run_frame;
use crate::gas::price;
use crate::outcome::{CallError, LimitKind};
use crate::store_data::CallState;
use host_api::abi::{
    self, CALL_DEPTH_EXCEEDED, CALL_FAILED, CALL_NO_SUCH_CONTRACT, CALL_NO_SUCH_FUNCTION,
    CALL_OUT_OF_GAS, CALL_REENTRANCY, IMPORT_MODULE, STATUS_ERROR, STATUS_INVALID_INPUT, STATUS_OK,
};
use host_api::limits::{MAX_ARGUMENT_BYTES, MAX_FUNCTION_NAME_BYTES};
use host_api::{Address, ContractId};
use wasmtime::Linker;

/// Define the call host functions.
pub(crate) fn link(l: &mut Linker<HostState>) -> wasmtime::Result<()> {
    let m = IMPORT_MODULE;
    l.func_wrap(m, abi::CALL.name, call_import)?;
    l.func_wrap(m, abi::CALL_OUTPUT_LEN.name, call_output_len)?;
    l.func_wrap(m, abi::CALL_OUTPUT_READ.name, call_output_read)?;
    Ok(())
}

/// `call(id, name, name_len, args, args_len, gas) -> status`: see the module documentation.
fn call_import(
    mut c: Ctx<'_>,
    id: i32,
    name: i32,
    name_len: i32,
    args: i32,
    args_len: i32,
    gas: i64,
) -> HostResult<i32> {
    call(&mut c, id, name, name_len, args, args_len, gas as u64)
}

/// `call_output_len() -> len`: the length of the last nested call's output.
fn call_output_len(mut c: Ctx<'_>) -> HostResult<i32> {
    let base = c.data().prices.host_call_base;
    charge(&mut c, base)?;
    Ok(c.data().call_output.len() as i32)
}

/// `call_output_read(dst)`: copy the last nested call's output to `dst`.
fn call_output_read(mut c: Ctx<'_>, dst: i32) -> HostResult<()> {
    let output = std::mem::take(&mut c.data_mut().call_output);
    let p = &c.data().prices;
    let gas = price(p.host_call_base, p.copy_per_byte, output.len());
    let done = charge(&mut c, gas).and_then(|()| write_bytes(&mut c, dst, &output));
    c.data_mut().call_output = output;
    done
}

#[allow(clippy::too_many_arguments)]
fn call(
    c: &mut Ctx<'_>,
    id_ptr: i32,
    name_ptr: i32,
    name_len: i32,
    args_ptr: i32,
    args_len: i32,
    requested_gas: u64,
) -> HostResult<i32> {
    let (name_len, args_len) = (name_len as u32 as usize, args_len as u32 as usize);
    limit(LimitKind::ArgumentSize, args_len, MAX_ARGUMENT_BYTES)?;
    if name_len > MAX_FUNCTION_NAME_BYTES {
        return Err(fail(CallError::AbiViolation(format!(
            "entry-point name of {name_len} bytes (limit {MAX_FUNCTION_NAME_BYTES})"
        ))));
    }
    let p = &c.data().prices;
    let (gas, refused_early) = (
        price(p.host_call_base, p.copy_per_byte, 32 + name_len + args_len),
        p.call_refused_early,
    );
    charge(c, gas)?;
    let id: [u8; 32] = read_bytes(c, id_ptr, 32)?
        .try_into()
        .map_err(|_| out_of_bounds())?;
    let callee = ContractId(id);
    let function = String::from_utf8(read_bytes(c, name_ptr, name_len)?).map_err(|_| {
        fail(CallError::AbiViolation(
            "entry-point name is not UTF-8".into(),
        ))
    })?;
    let args = read_bytes(c, args_ptr, args_len)?;
    c.data_mut().call_output.clear();

    let state = c.data();
    let max_depth = state.env.runtime.config.limits.max_call_depth;
    let refusal = if state.shared.stack.len() >= max_depth {
        Some(CALL_DEPTH_EXCEEDED)
    } else if state.shared.stack.contains(&callee) {
        Some(CALL_REENTRANCY)
    } else {
        None
    };
    if let Some(code) = refusal {
        // The refusal's own work (the checks, the output cleared; see gas.rs, "Nested calls").
        charge(c, refused_early)?;
        return Ok(code);
    }
    let left = gas_left(c)?;
    let gas_limit = if requested_gas == 0 {
        left
    } else {
        requested_gas.min(left)
    };

    let env = c.data().env.clone();
    let caller = Address::from(c.data().contract);
    let mut shared = CallState::take(&mut c.data_mut().shared);
    // The receipt records at most `max_recorded_frames` frames; a frame that starts past the
    // cap runs and is charged, and is only counted.
    let record = shared.recorded_frames < env.runtime.config.limits.max_recorded_frames;
    if record {
        shared.recorded_frames += 1;
    } else {
        shared.omitted_frames += 1;
    }
    let outcome = run_frame(
        &env,
        &mut shared,
        caller,
        callee,
        &function,
        &args,
        gas_limit,
    );
    let state = c.data_mut();
    state.shared = shared;
    let outcome =
        outcome.map_err(|e| wasmtime::Error::new(crate::store_data::HostTrap::Host(e)))?;
    if record {
        state.calls.push(outcome.trace);
        if let Some(ops) = &mut state.ops {
            ops.push(super::TraceOp::Call(state.calls.len() - 1));
        }
    }
    let (code, output) = match outcome.result {
        Ok(data) => (STATUS_OK, data),
        Err(CallError::Reverted(data)) => (STATUS_ERROR, data),
        Err(CallError::InvalidInput(message)) => (STATUS_INVALID_INPUT, message.into_bytes()),
        Err(CallError::OutOfGas) => (CALL_OUT_OF_GAS, Vec::new()),
        Err(CallError::NoSuchContract(_)) => (CALL_NO_SUCH_CONTRACT, Vec::new()),
        Err(CallError::NoSuchFunction(_)) => (CALL_NO_SUCH_FUNCTION, Vec::new()),
        Err(other) => (CALL_FAILED, other.to_string().into_bytes()),
    };
    state.call_output = output;
    // The callee's limit was capped by what the caller had left, so this always fits.
    charge(c, outcome.gas_spent)?;
    Ok(code)
}
