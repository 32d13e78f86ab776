//! The contract SDK (feature `guest`).
//!
//! ```ignore
//! #![no_std]
//! use host_api::guest::storage::Item;
//!
//! const COUNT: Item<u64> = Item::new(b"count");
//!
//! #[host_api::entry]
//! fn increment(by: u64) -> u64 {
//!     let next = COUNT.get().unwrap_or(0).saturating_add(by);
//!     COUNT.set(&next);
//!     next
//! }
//! ```
//!
//! `#[entry]` keeps the function as written (so it can be called from Rust) and adds an export of
//! the same name with the ABI's entry-point signature. The export reads the argument, decodes it
//! as a borsh tuple of the parameters (a malformed argument returns
//! [`STATUS_INVALID_INPUT`](crate::abi::STATUS_INVALID_INPUT) with a message), calls the function and
//! encodes its result: a `Result`'s `Ok` as [`STATUS_OK`](crate::abi::STATUS_OK), its `Err` as
//! [`STATUS_ERROR`](crate::abi::STATUS_ERROR) (the host reverts the call's writes); any other return
//! type is always `STATUS_OK`.
//!
//! On wasm targets this module also provides the contract's panic handler (the panic message
//! becomes the call's `Panic` outcome) and a bump allocator (a contract instance lives for one
//! call, so memory is never reused across calls and freeing is needless). Off wasm, the host
//! functions panic: test contracts through the runtime.

pub mod calls;
pub mod crypto;
pub mod env;
pub mod events;
pub mod storage;
mod sys;

#[cfg(target_arch = "wasm32")]
mod allocator;
#[cfg(target_arch = "wasm32")]
mod panic;

#[doc(hidden)]
pub mod __private;

pub use env::{
    abort, blake2b_256, block_height, block_timestamp, caller, debug, gas_left, self_id,
};
pub use events::{emit, emit_raw};

/// Format and print a debug message (shown only in dev mode; costs gas either way).
#[macro_export]
macro_rules! debug {
    ($($arg:tt)*) => {
        $crate::guest::debug(&$crate::__alloc::format!($($arg)*))
    };
}
