//! The gas schedule's fingerprint: what a genesis file pins so that every node of a chain charges
//! the same gas for the same call.
//!
//! Today the schedule a node can name is the runtime's host-function [`PriceTable`]: the
//! fingerprint is `BLAKE2b-256("sandbox-gas-schedule-v1" ‖ every price as u64 LE, in the order
//! of the table's fields)`, written as 64 hex characters. The destructuring below lists every
//! field, so a price added to the table does not compile here until it is hashed too.
//!
//! Not covered yet: the per-operator costs of wasm code. They are wasmtime's default fuel today
//! (one per operator), fixed by the wasmtime version the workspace pins; when the runtime gets
//! its own operator costs and a fingerprint of its whole schedule, this function should hash
//! that instead (and the default genesis file's `gas_schedule` changes with it). The engine's
//! own fingerprint (`runtime::engine_fingerprint`) is not a substitute: it also hashes the
//! target and compiler settings, which differ between honest nodes on other machines.

use runtime::{PriceTable, blake2b_256};

/// Domain tag of the gas-schedule fingerprint.
pub const GAS_SCHEDULE_DOMAIN: &[u8] = b"sandbox-gas-schedule-v1";

/// The fingerprint of `prices`, as 64 lower-case hex characters.
pub fn gas_schedule_fingerprint(prices: &PriceTable) -> String {
    let PriceTable {
        call_base,
        host_call_base,
        copy_per_byte,
        storage_read_base,
        storage_read_per_byte,
        storage_write_base,
        storage_write_per_byte,
        storage_remove_base,
        emit_base,
        emit_per_byte,
        blake2b_base,
        blake2b_per_byte,
        debug_base,
        debug_per_byte,
        memory_grow_per_page,
        ed25519_verify_base,
        ed25519_verify_per_byte,
        bls_verify_base,
        bls_verify_per_byte,
        plonk_verify_base,
        plonk_verify_per_public_input,
        plonk_verify_per_byte,
    } = *prices;
    let prices = [
        call_base,
        host_call_base,
        copy_per_byte,
        storage_read_base,
        storage_read_per_byte,
        storage_write_base,
        storage_write_per_byte,
        storage_remove_base,
        emit_base,
        emit_per_byte,
        blake2b_base,
        blake2b_per_byte,
        debug_base,
        debug_per_byte,
        memory_grow_per_page,
        ed25519_verify_base,
        ed25519_verify_per_byte,
        bls_verify_base,
        bls_verify_per_byte,
        plonk_verify_base,
        plonk_verify_per_public_input,
        plonk_verify_per_byte,
    ];
    let bytes: Vec<u8> = prices.iter().flat_map(|p| p.to_le_bytes()).collect();
    hex::encode(blake2b_256(&[GAS_SCHEDULE_DOMAIN, &bytes]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_price_changes_the_fingerprint() {
        let base = PriceTable::default();
        let fingerprint = gas_schedule_fingerprint(&base);
        assert_eq!(fingerprint.len(), 64);
        assert_eq!(fingerprint, gas_schedule_fingerprint(&base.clone()));
        let mut first = base.clone();
        first.call_base += 1;
        let mut last = base.clone();
        last.plonk_verify_per_byte += 1;
        assert_ne!(gas_schedule_fingerprint(&first), fingerprint);
        assert_ne!(gas_schedule_fingerprint(&last), fingerprint);
    }
}
