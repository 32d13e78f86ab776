//! The consensus of the devnet: Dusk's Succinct Attestation (proposal → validation →
//! ratification per iteration, stake-weighted committees, a 2/3 quorum of credits) as a
//! deterministic state machine, with no I/O, no clock, no threads and no randomness inside.
//!
//! This crate must never depend on `runtime` or wasmtime: execution and eligibility reach it
//! through traits, so the devnet plugs in the runtime and the committee contract, and the
//! simulator plugs in fakes.

pub mod risk;
