//! Calling other contracts.
//!
//! ```ignore
//! match calls::call::<_, u128>(token, "balance_of", &(owner,), 0) {
//!     Ok(balance) => { /* … */ }
//!     Err(CallFailure::Reverted(bytes)) => { /* the callee's encoded error */ }
//!     Err(failure) => { /* out of gas, panic, no such contract, depth, reentrancy… */ }
//! }
//! ```
//!
//! The callee runs with at most `gas_limit` gas (0: all the caller has left); what it spends is
//! charged to the caller. A failed callee's writes are reverted; the caller keeps running.

use super::sys;
use crate::ContractId;
use crate::abi::{
    CALL_DEPTH_EXCEEDED, CALL_FAILED, CALL_NO_SUCH_CONTRACT, CALL_NO_SUCH_FUNCTION,
    CALL_OUT_OF_GAS, CALL_REENTRANCY, STATUS_ERROR, STATUS_INVALID_INPUT, STATUS_OK,
};
use crate::encoding::{BorshDeserialize, BorshSerialize, decode, encode};
use alloc::string::String;
use alloc::vec::Vec;

/// Why a call to another contract did not return a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallFailure {
    /// The callee returned its own error; these are its encoded bytes.
    Reverted(Vec<u8>),
    /// The callee refused the argument (its message).
    InvalidInput(String),
    /// The callee ran out of gas.
    OutOfGas,
    /// The callee panicked or trapped (the host's description).
    Failed(String),
    /// No contract with that id.
    NoSuchContract,
    /// The callee has no such entry point.
    NoSuchFunction,
    /// The call depth limit was reached.
    DepthExceeded,
    /// The callee is already on the call stack: reentrancy is refused.
    Reentrancy,
    /// The callee's return value did not decode as the expected type.
    BadReturn,
    /// A status the ABI does not define.
    Unknown(i32),
}

/// Call `function` of `contract` with raw argument bytes; the status and the raw output.
pub fn call_raw(
    contract: ContractId,
    function: &str,
    args: &[u8],
    gas_limit: u64,
) -> (i32, Vec<u8>) {
    // SAFETY: the host reads exactly 32 bytes of the id and the given lengths of the name and
    // the arguments.
    let status = unsafe {
        sys::call(
            contract.0.as_ptr(),
            function.as_ptr(),
            function.len() as u32,
            args.as_ptr(),
            args.len() as u32,
            gas_limit,
        )
    };
    // SAFETY: no memory is passed.
    let len = unsafe { sys::call_output_len() } as usize;
    let mut output = Vec::with_capacity(len);
    if len > 0 {
        // SAFETY: the host writes exactly `len` bytes, the length it just reported.
        unsafe {
            sys::call_output_read(output.as_mut_ptr());
            output.set_len(len);
        }
    }
    (status, output)
}

/// Call `function` of `contract` with `args` (a borsh tuple of its parameters, or a single
/// value for one parameter) and decode its return value.
///
/// # Errors
/// Every way the callee can fail, as a [`CallFailure`].
pub fn call<A: BorshSerialize + ?Sized, R: BorshDeserialize>(
    contract: ContractId,
    function: &str,
    args: &A,
    gas_limit: u64,
) -> Result<R, CallFailure> {
    let (status, output) = call_raw(contract, function, &encode(args), gas_limit);
    match status {
        STATUS_OK => decode(&output).map_err(|_| CallFailure::BadReturn),
        STATUS_ERROR => Err(CallFailure::Reverted(output)),
        STATUS_INVALID_INPUT => Err(CallFailure::InvalidInput(
            String::from_utf8_lossy(&output).into_owned(),
        )),
        CALL_FAILED => Err(CallFailure::Failed(
            String::from_utf8_lossy(&output).into_owned(),
        )),
        CALL_OUT_OF_GAS => Err(CallFailure::OutOfGas),
        CALL_NO_SUCH_CONTRACT => Err(CallFailure::NoSuchContract),
        CALL_NO_SUCH_FUNCTION => Err(CallFailure::NoSuchFunction),
        CALL_DEPTH_EXCEEDED => Err(CallFailure::DepthExceeded),
        CALL_REENTRANCY => Err(CallFailure::Reentrancy),
        other => Err(CallFailure::Unknown(other)),
    }
}
