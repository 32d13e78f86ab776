//! Who is calling, where we are, and the few host services that are not storage or events.

use super::sys;
use crate::{Address, ContractId};

/// The address that called the running entry point: an account for a top-level call, a
/// contract for a cross-contract call.
pub fn caller() -> Address {
    let mut out = [0u8; 32];
    // SAFETY: the host writes exactly 32 bytes to a 32-byte buffer.
    unsafe { sys::caller(out.as_mut_ptr()) };
    Address(out)
}

/// The running contract's id.
pub fn self_id() -> ContractId {
    let mut out = [0u8; 32];
    // SAFETY: the host writes exactly 32 bytes to a 32-byte buffer.
    unsafe { sys::self_id(out.as_mut_ptr()) };
    ContractId(out)
}

/// The height of the block being executed.
pub fn block_height() -> u64 {
    // SAFETY: no memory is passed.
    unsafe { sys::block_height() as u64 }
}

/// The block's timestamp, in milliseconds since the Unix epoch, as the host supplies it.
pub fn block_timestamp() -> u64 {
    // SAFETY: no memory is passed.
    unsafe { sys::block_timestamp() as u64 }
}

/// The gas this call has left.
pub fn gas_left() -> u64 {
    // SAFETY: no memory is passed.
    unsafe { sys::gas_left() as u64 }
}

/// The 32-byte BLAKE2b-256 digest of `data`, computed by the host.
pub fn blake2b_256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // SAFETY: the host reads `data.len()` bytes from `data` and writes 32 bytes to `out`.
    unsafe { sys::blake2b_256(data.as_ptr(), data.len() as u32, out.as_mut_ptr()) };
    out
}

/// Stop the call with a panic outcome carrying `message`. The call's writes are reverted.
pub fn abort(message: &str) -> ! {
    // SAFETY: the host reads `message.len()` bytes from `message`.
    unsafe { sys::abort(message.as_ptr(), message.len() as u32) }
}

/// Print a debug message (shown only in dev mode; costs gas either way).
pub fn debug(message: &str) {
    // SAFETY: the host reads `message.len()` bytes from `message`.
    unsafe { sys::debug_print(message.as_ptr(), message.len() as u32) }
}
