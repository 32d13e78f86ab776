//! The binary interface between a contract and the host.
//!
//! # Entry points
//! Every exported function of a contract is an entry point with the wasm signature
//! `(param i32) (result i32)`. The parameter is the length in bytes of the call's argument; the
//! contract copies the argument into its memory with [`INPUT_READ`]. The result is a status code:
//! [`STATUS_OK`], [`STATUS_ERROR`] or [`STATUS_INVALID_INPUT`]. Return data (the encoded value, the
//! encoded error, or an error message) is set with [`OUTPUT_WRITE`].
//!
//! # Host functions
//! All host functions are imported from the module [`IMPORT_MODULE`]. Pointers are `i32` offsets
//! into the contract's exported memory `memory`; lengths are `i32` read as unsigned. A pointer/length
//! pair that falls outside memory traps the call with an out-of-bounds error. Each host function
//! costs gas (a base price plus a price per byte, see the runtime's price table) before it runs.

/// The module every host function is imported from.
pub const IMPORT_MODULE: &str = "host_v1";

/// The name of the linear memory every contract must export.
pub const MEMORY_EXPORT: &str = "memory";

/// Entry point returned normally: the return data is the encoded return value; the call's storage
/// writes and events are kept.
pub const STATUS_OK: i32 = 0;
/// Entry point returned a contract-defined error: the return data is the encoded error; the call's
/// storage writes are dropped and its events marked reverted. Gas is still charged.
pub const STATUS_ERROR: i32 = 1;
/// The argument could not be decoded: the return data is a UTF-8 message; the call is reverted.
pub const STATUS_INVALID_INPUT: i32 = 2;

/// `storage_read` returns this when the key has no value.
pub const STORAGE_ABSENT: i32 = -1;

/// A wasm value type of a host-function signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValType {
    /// `i32`
    I32,
    /// `i64`
    I64,
}

/// The name and wasm signature of one host function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostFn {
    /// The import name inside [`IMPORT_MODULE`].
    pub name: &'static str,
    /// Parameter types, in order.
    pub params: &'static [ValType],
    /// Result types (zero or one).
    pub results: &'static [ValType],
}

use ValType::{I32, I64};

/// `input_read(dst: i32)`: copy the call's argument (its length is the entry point's parameter)
/// to `dst`.
pub const INPUT_READ: HostFn = HostFn {
    name: "input_read",
    params: &[I32],
    results: &[],
};
/// `output_write(src: i32, len: i32)`: set the call's return data (replaces earlier data).
/// At most [`crate::limits::MAX_RETURN_BYTES`].
pub const OUTPUT_WRITE: HostFn = HostFn {
    name: "output_write",
    params: &[I32, I32],
    results: &[],
};
/// `storage_read(key: i32, key_len: i32, dst: i32, dst_cap: i32) -> i32`: the value's length, or
/// [`STORAGE_ABSENT`]; copies `min(len, dst_cap)` bytes of it to `dst`.
pub const STORAGE_READ: HostFn = HostFn {
    name: "storage_read",
    params: &[I32, I32, I32, I32],
    results: &[I32],
};
/// `storage_write(key: i32, key_len: i32, val: i32, val_len: i32)`: set a value in this contract's
/// storage.
pub const STORAGE_WRITE: HostFn = HostFn {
    name: "storage_write",
    params: &[I32, I32, I32, I32],
    results: &[],
};
/// `storage_remove(key: i32, key_len: i32) -> i32`: remove a value; 1 if it existed, else 0.
pub const STORAGE_REMOVE: HostFn = HostFn {
    name: "storage_remove",
    params: &[I32, I32],
    results: &[I32],
};
/// `caller(dst: i32)`: write the 32-byte address of whoever called this entry point.
pub const CALLER: HostFn = HostFn {
    name: "caller",
    params: &[I32],
    results: &[],
};
/// `self_id(dst: i32)`: write this contract's 32-byte id.
pub const SELF_ID: HostFn = HostFn {
    name: "self_id",
    params: &[I32],
    results: &[],
};
/// `block_height() -> i64`: the height of the block being executed (supplied by the host).
pub const BLOCK_HEIGHT: HostFn = HostFn {
    name: "block_height",
    params: &[],
    results: &[I64],
};
/// `block_timestamp() -> i64`: the block's timestamp in milliseconds since the Unix epoch
/// (supplied by the host, never the wall clock).
pub const BLOCK_TIMESTAMP: HostFn = HostFn {
    name: "block_timestamp",
    params: &[],
    results: &[I64],
};
/// `emit(topic: i32, topic_len: i32, data: i32, data_len: i32)`: record an event.
pub const EMIT: HostFn = HostFn {
    name: "emit",
    params: &[I32, I32, I32, I32],
    results: &[],
};
/// `blake2b_256(src: i32, len: i32, dst: i32)`: write the 32-byte BLAKE2b-256 digest of the input.
pub const BLAKE2B_256: HostFn = HostFn {
    name: "blake2b_256",
    params: &[I32, I32, I32],
    results: &[],
};
/// `abort(msg: i32, msg_len: i32)`: stop the call with a panic carrying this UTF-8 message
/// (truncated to [`crate::limits::MAX_PANIC_MESSAGE_BYTES`]). Never returns.
pub const ABORT: HostFn = HostFn {
    name: "abort",
    params: &[I32, I32],
    results: &[],
};
/// `debug_print(msg: i32, msg_len: i32)`: a debug message, shown only in dev mode.
pub const DEBUG_PRINT: HostFn = HostFn {
    name: "debug_print",
    params: &[I32, I32],
    results: &[],
};
/// `gas_left() -> i64`: the gas this call has left.
pub const GAS_LEFT: HostFn = HostFn {
    name: "gas_left",
    params: &[],
    results: &[I64],
};

/// `call(contract: i32, fn_name: i32, fn_len: i32, args: i32, args_len: i32, gas_limit: i64) -> i32`:
/// call another contract synchronously (the 32-byte id at `contract`). The callee runs in its own
/// Store with at most `gas_limit` gas (capped by what the caller has left; 0 means "all of it");
/// what it spends is charged to the caller. Returns the callee's status ([`STATUS_OK`],
/// [`STATUS_ERROR`], [`STATUS_INVALID_INPUT`]) or one of the `CALL_*` failure codes; the
/// callee's return data (or error data, or message) is then readable with [`CALL_OUTPUT_READ`].
/// A failed callee's writes are reverted; the caller continues either way.
pub const CALL: HostFn = HostFn {
    name: "call",
    params: &[I32, I32, I32, I32, I32, I64],
    results: &[I32],
};
/// `call_output_len() -> i32`: length of the last `call`'s output.
pub const CALL_OUTPUT_LEN: HostFn = HostFn {
    name: "call_output_len",
    params: &[],
    results: &[I32],
};
/// `call_output_read(dst: i32)`: copy the last `call`'s output to `dst`.
pub const CALL_OUTPUT_READ: HostFn = HostFn {
    name: "call_output_read",
    params: &[I32],
    results: &[],
};
/// `ed25519_verify(pk: i32, msg: i32, msg_len: i32, sig: i32) -> i32`: 1 if the 64-byte signature
/// at `sig` is valid for the message under the 32-byte public key at `pk`, else 0.
pub const ED25519_VERIFY: HostFn = HostFn {
    name: "ed25519_verify",
    params: &[I32, I32, I32, I32],
    results: &[I32],
};
/// `bls_verify(pk: i32, msg: i32, msg_len: i32, sig: i32) -> i32`: 1 if the 48-byte compressed
/// BLS12-381 G1 signature at `sig` is valid for the message under the 96-byte compressed G2
/// public key at `pk`, else 0 (malformed points included).
pub const BLS_VERIFY: HostFn = HostFn {
    name: "bls_verify",
    params: &[I32, I32, I32, I32],
    results: &[I32],
};
/// `plonk_verify(vd: i32, vd_len: i32, proof: i32, proof_len: i32, pi: i32, pi_len: i32) -> i32`:
/// 1 if the PLONK proof verifies against the verifier data and the public inputs (concatenated
/// 32-byte BLS12-381 scalars), else 0 (malformed inputs included).
pub const PLONK_VERIFY: HostFn = HostFn {
    name: "plonk_verify",
    params: &[I32, I32, I32, I32, I32, I32],
    results: &[I32],
};

/// `call` failure: the callee panicked or trapped.
pub const CALL_FAILED: i32 = -1;
/// `call` failure: the callee ran out of gas.
pub const CALL_OUT_OF_GAS: i32 = -2;
/// `call` failure: no contract with that id.
pub const CALL_NO_SUCH_CONTRACT: i32 = -3;
/// `call` failure: the callee has no such entry point.
pub const CALL_NO_SUCH_FUNCTION: i32 = -4;
/// `call` failure: the call depth limit was reached.
pub const CALL_DEPTH_EXCEEDED: i32 = -5;
/// `call` failure: the callee is already on the call stack (reentrancy is refused).
pub const CALL_REENTRANCY: i32 = -6;

/// Every host function a contract may import. Anything else is refused at deploy.
pub const HOST_FUNCTIONS: &[HostFn] = &[
    INPUT_READ,
    OUTPUT_WRITE,
    STORAGE_READ,
    STORAGE_WRITE,
    STORAGE_REMOVE,
    CALLER,
    SELF_ID,
    BLOCK_HEIGHT,
    BLOCK_TIMESTAMP,
    EMIT,
    BLAKE2B_256,
    ABORT,
    DEBUG_PRINT,
    GAS_LEFT,
    CALL,
    CALL_OUTPUT_LEN,
    CALL_OUTPUT_READ,
    ED25519_VERIFY,
    BLS_VERIFY,
    PLONK_VERIFY,
];

/// The host function of that name, if there is one.
pub fn host_fn(name: &str) -> Option<&'static HostFn> {
    HOST_FUNCTIONS.iter().find(|f| f.name == name)
}

/// The custom section in which `#[entry]` records each entry point's Rust signature, one per line
/// (`name(arg: Type, …) -> Ret`). Tools use it to encode JSON arguments; the host ignores it.
pub const SIGNATURE_SECTION: &str = "contract-signatures";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_function_names_are_unique() {
        for (i, a) in HOST_FUNCTIONS.iter().enumerate() {
            for b in &HOST_FUNCTIONS[i + 1..] {
                assert_ne!(a.name, b.name);
            }
        }
        assert_eq!(host_fn("storage_read"), Some(&STORAGE_READ));
        assert_eq!(host_fn("fd_write"), None);
    }
}
