//! Gas: the price table and the arithmetic of charging.
//!
//! Gas is wasmtime fuel, one to one: each wasm operator costs wasmtime's default fuel (1 for
//! most, 0 for `nop`, `drop` and block markers). Host functions are charged from the
//! [`PriceTable`] **before** they do their work, so a call that cannot pay stops with `OutOfGas`
//! without the work being done. The prices are first estimates, to be revised from the
//! `benches/` measurements (gas per µs per operation class).
//!
//! # Crypto prices
//!
//! The verifications are priced from their measured time at the rate of the **fastest metered
//! wasm**, so that no host query buys more time per gas than a contract's own code can: a tight
//! integer loop runs 12,005,006 gas in 1,098 µs, **10,900 gas/µs** (the yardstick; typical
//! contract code, with memory traffic and calls, buys more time per gas than that, so this is
//! the conservative end). Measured on the project's 2-core machine with
//! `cargo test --release -p integration-tests crypto::gas::measure -- --ignored --nocapture`:
//!
//! | operation | measured | price | gas/µs |
//! |---|---|---|---|
//! | ed25519 verify (`verify_strict`, 28-byte message) | 42.2 µs | 500,000 + 20/byte | 11,860 |
//! | ed25519, per message byte (SHA-512) | 1.64 ns | 20 | 12,200 |
//! | BLS12-381 verify (hash to G1, 2 pairings) | 2,456 µs | 30,000,000 + 8/byte | 12,200 |
//! | BLS, per message byte | 0.62 ns | 8 | 12,900 |
//! | PLONK verify (1 input, 1.3 KB verifier data) | 10,506 µs | 120,000,000 + … = 121.7 M | 11,580 |
//! | PLONK, per public input | 21.6 µs | 250,000 | 11,570 |
//! | PLONK, per verifier-data byte (decode, re-encode, transcript) | 93 ns | 1,100 | 11,830 |
//!
//! Every entry sits 6–18 % above the yardstick. For comparison, Rusk charges 10 M gas for a
//! PLONK verification and 1.75 M for a BLS one: at our yardstick 10 M gas is 0.9 ms of wasm for
//! a 10.5 ms verification, an 11× discount an attacker could fill a block with.

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
    /// An ed25519 signature verification (`ed25519_verify`). See [Crypto prices](self#crypto-prices).
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
            ed25519_verify_base: 500_000,
            ed25519_verify_per_byte: 20,
            bls_verify_base: 30_000_000,
            bls_verify_per_byte: 8,
            plonk_verify_base: 120_000_000,
            plonk_verify_per_public_input: 250_000,
            plonk_verify_per_byte: 1_100,
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
