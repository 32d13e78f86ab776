//! Gas: the price table and the arithmetic of charging.
//!
//! Gas is wasmtime fuel, one to one: each wasm operator costs wasmtime's default fuel (1 for
//! most, 0 for `nop`, `drop` and block markers). Host functions are charged from the
//! [`PriceTable`] **before** they do their work, so a call that cannot pay stops with `OutOfGas`
//! without the work being done. The prices are first estimates, to be revised from the
//! `benches/` measurements (gas per µs per operation class).

/// Gas prices of the call itself and of each host function: a base price per call plus a price
/// per byte moved or hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceTable {
    /// Charged once per call before the contract is instantiated (covers the fresh Store).
    pub call_base: u64,
    /// Charged by every host function call.
    pub host_call_base: u64,
    /// Per byte copied across the boundary (argument, return data, caller/self ids).
    pub copy_per_byte: u64,
    /// A storage read.
    pub storage_read_base: u64,
    /// Per byte of key and value read.
    pub storage_read_per_byte: u64,
    /// A storage write.
    pub storage_write_base: u64,
    /// Per byte of key and value written.
    pub storage_write_per_byte: u64,
    /// A storage removal.
    pub storage_remove_base: u64,
    /// An event.
    pub emit_base: u64,
    /// Per byte of topic and data of an event.
    pub emit_per_byte: u64,
    /// A BLAKE2b-256 hash.
    pub blake2b_base: u64,
    /// Per byte hashed.
    pub blake2b_per_byte: u64,
    /// A debug print (charged whether or not dev mode keeps it).
    pub debug_base: u64,
    /// Per byte of debug message.
    pub debug_per_byte: u64,
    /// An ed25519 signature verification (`ed25519_verify`).
    pub ed25519_verify_base: u64,
    /// Per byte of the message an ed25519 signature is verified against (hashed with SHA-512).
    pub ed25519_verify_per_byte: u64,
    /// A BLS12-381 signature verification (`bls_verify`: hash to G1, two pairings).
    pub bls_verify_base: u64,
    /// Per byte of the message a BLS signature is verified against (hashed to G1).
    pub bls_verify_per_byte: u64,
    /// A PLONK proof verification (`plonk_verify`), whatever the circuit's size.
    pub plonk_verify_base: u64,
    /// Per public input (32-byte word, a started word counting as one) of a PLONK verification.
    pub plonk_verify_per_public_input: u64,
    /// Per byte of PLONK verifier data (decoded, its transcript label hashed).
    pub plonk_verify_per_byte: u64,
}

impl Default for PriceTable {
    fn default() -> Self {
        Self {
            call_base: 5_000,
            host_call_base: 50,
            copy_per_byte: 1,
            storage_read_base: 1_000,
            storage_read_per_byte: 2,
            storage_write_base: 2_500,
            storage_write_per_byte: 4,
            storage_remove_base: 2_000,
            emit_base: 500,
            emit_per_byte: 2,
            blake2b_base: 200,
            blake2b_per_byte: 2,
            debug_base: 200,
            debug_per_byte: 1,
            ed25519_verify_base: 0,
            ed25519_verify_per_byte: 0,
            bls_verify_base: 0,
            bls_verify_per_byte: 0,
            plonk_verify_base: 0,
            plonk_verify_per_public_input: 0,
            plonk_verify_per_byte: 0,
        }
    }
}

/// `base + per_byte × bytes`, saturating: an absurd size costs all the gas there is.
pub fn price(base: u64, per_byte: u64, bytes: usize) -> u64 {
    base.saturating_add(per_byte.saturating_mul(bytes as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_saturates() {
        assert_eq!(price(10, 2, 5), 20);
        assert_eq!(price(1, u64::MAX, 2), u64::MAX);
    }
}
