//! The contract ABI, shared by the host (`runtime`) and the guest (contracts).
//!
//! This crate is the single source of truth for what crosses the wasm boundary:
//!
//! - [`abi`]: the import module name, every host function's name and signature, the entry-point
//!   signature and the status codes an entry point returns;
//! - [`limits`]: the sizes both sides must agree on (keys, values, arguments, events…);
//! - [`Address`] and [`ContractId`]: the 32-byte identities the host hands to contracts;
//! - [`encoding`]: the one canonical encoding of arguments, return values, storage values and
//!   event data (borsh, see the module docs for why).
//!
//! With the feature `guest` it is also the contract SDK ([`guest`]): the `#[entry]` macro, typed
//! storage, events, hashing, caller and block information. `host-api/ABI.md` describes the same
//! ABI precisely enough to hand-write a conforming module in WAT.
//!
//! The crate is `no_std` and depends on nothing heavy, so it compiles for `wasm32v1-none`.
#![no_std]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;
#[doc(hidden)]
pub extern crate alloc as __alloc;

pub mod abi;
pub mod encoding;
mod ids;
pub mod limits;

#[cfg(feature = "guest")]
pub mod guest;

pub use ids::{Address, ContractId, IdParseError};

/// The `#[entry]` attribute: turns `fn name(args…) -> T` or `-> Result<T, E>` into a wasm export.
///
/// See [`guest`] for what the generated export does.
#[cfg(feature = "guest")]
pub use host_api_macros::entry;
