//! Types, signed messages and sortition math shared by the genesis contracts — `transfer`,
//! `stake`, `committee` — and by whoever drives them natively (the node, the tests).
//!
//! Everything here is plain data and pure functions: the contracts compile this crate to wasm,
//! the node and the tests compile the same source natively, so a committee computed by the node
//! and one computed by the contract agree bit for bit (the sortition's floating point is
//! IEEE-754 double arithmetic plus `libm`'s pure-Rust `exp`/`log1p`, identical on both sides).
//!
//! Encodings are borsh. Messages that get signed carry a domain tag (`sandbox-…-v1`) so that a
//! signature made for one purpose never verifies for another.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod committee;
pub mod keys;
pub mod sortition;
pub mod stake;
pub mod transfer;

pub use keys::{BlsPublicKey, BlsSignature, Seed};
