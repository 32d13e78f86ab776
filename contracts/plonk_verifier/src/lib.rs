//! `plonk_verifier`: verifies PLONK proofs (dusk-plonk 0.22) with the host's `plonk_verify`.
//!
//! | entry point | behaviour |
//! |---|---|
//! | `verify(verifier_data: Vec<u8>, proof: Vec<u8>, public_inputs: Vec<[u8; 32]>) -> bool` | whether the proof verifies; a valid one is counted and announced with a `verified` event carrying the public inputs |
//! | `verified() -> u64` | how many valid proofs this contract has seen |
//!
//! A tampered proof, wrong public inputs or malformed bytes are simply `false` (nothing is
//! written). The verification costs what the price table says (`plonk_verify_*`: 120 M gas
//! plus 250 k per public input and 1,100 per byte of verifier data by default), charged before
//! it runs: give the call a gas limit that covers it.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec::Vec;
use host_api::guest::crypto::plonk_verify;
use host_api::guest::emit;
use host_api::guest::storage::Item;

const VERIFIED: Item<u64> = Item::new(b"verified");

/// Whether `proof` verifies against `verifier_data` and `public_inputs`.
#[host_api::entry]
pub fn verify(verifier_data: Vec<u8>, proof: Vec<u8>, public_inputs: Vec<[u8; 32]>) -> bool {
    if !plonk_verify(&verifier_data, &proof, &public_inputs) {
        return false;
    }
    VERIFIED.set(&VERIFIED.get().unwrap_or(0).saturating_add(1));
    emit("verified", &public_inputs);
    true
}

/// How many valid proofs this contract has verified.
#[host_api::entry]
pub fn verified() -> u64 {
    VERIFIED.get().unwrap_or(0)
}
