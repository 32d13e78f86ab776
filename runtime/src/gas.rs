//! Gas: the price table and the arithmetic of charging.
//!
//! Gas is wasmtime fuel, one to one: each wasm operator costs wasmtime's default fuel (1 for
//! most, 0 for `nop`, `drop` and block markers). Host functions are charged from the
//! [`PriceTable`] **before** they do their work, so a call that cannot pay stops with `OutOfGas`
//! without the work being done (a read's or removal's per-byte price for the value it found is
//! charged once the value is fetched, before it is copied).
//!
//! Every price is set from a measured time at the rate of the **fastest metered wasm**, so that
//! neither a call nor any host function buys more time per gas than a contract's own code can:
//! a tight integer loop runs 12,000,006 gas in about 1,100 µs, **10,800–11,000 gas/µs** (the
//! yardstick; typical contract code, with memory traffic and calls, buys more time per gas than
//! that, so this is the conservative end). A host operation far cheaper in gas than its time
//! would let an attacker fill a block with work nobody paid for.
//!
//! # Call and host-function prices
//!
//! Measured through the runtime as a node runs it (`RuntimeConfig::default()`: pooling, dev
//! mode off) over a redb state of 1 M keys, each host function as a loop of calls inside one
//! contract call less the same loop without it, the yardstick in the same run, with
//! `cargo test --release -p integration-tests gas_prices::measure -- --ignored --nocapture`
//! (the fastest of 15 rounds per figure; the median of 5 runs below, since single runs on the
//! project's shared 2-core machine move by up to ±40 % on the redb rows). Gas includes the few
//! wasm operators that pass the arguments:
//!
//! | operation | measured | gas | gas/µs |
//! |---|---|---|---|
//! | fresh call of a trivial contract (`call_base` 52,000: record read, Store, instance, receipt) | 3.57 µs | 52,002 | 14,570 |
//! | nested call of a trivial contract (`call`: 200 + 33 bytes, the callee's `call_base`) | 4.45 µs | 52,242 | 11,740 |
//! | host function at `host_call_base` 200: `block_height` / `output_write` of 0 bytes | 8 / 17 ns | 201 / 206 | 25,100 / 12,100 |
//! | copy across the boundary, per byte (`output_write` 64 KiB) | 0.019 ns | 1 | 52,400 |
//! | storage read of a random present key, 4-byte key, 8-byte value (`storage_read_base` 31,000) | 2.54 µs | 31,035 | 12,230 |
//! | storage read of an absent key | 2.45 µs | 31,023 | 12,690 |
//! | storage read, per byte of the value found | 0.047 ns | 2 | 42,700 |
//! | storage write into the journal, 4-byte key, 8-byte value (`storage_write_base` 5,000) | 0.41 µs | 5,059 | 12,460 |
//! | storage write, per byte | 0.027 ns | 4 | 149,300 |
//! | storage remove of a random present key (`storage_remove_base` 46,000: a lookup, a write) | 3.83 µs | 46,038 | 12,020 |
//! | emit, 1-byte topic, no data (`emit_base` 1,000) | 81 ns | 1,010 | 12,470 |
//! | emit, per byte | 0.025 ns | 2 | 79,700 |
//! | BLAKE2b-256 of nothing (`blake2b_base` 1,900) | 153 ns | 1,907 | 12,460 |
//! | BLAKE2b-256, per KiB (10/byte) | 0.857 µs | 10,240 | 11,950 |
//! | `debug_print` of nothing, dev mode off (`debug_base` 300) | 25 ns | 306 | 12,240 |
//! | `debug_print`, per byte (checked, copied, made UTF-8) | 0.34 ns | 8 | 23,400 |
//!
//! Each base sits 9–35 % above the yardstick (`block_height`, the cheapest function priced at
//! `host_call_base`, 2.3×); per-byte prices are whole gas, so they sit further above. Not
//! covered yet (see BENCHMARKS.md §5): committing a session, which costs the merkle paths of
//! the keys it changed (`benches/state_commit`) and is not charged per write.
//!
//! # Memory growth
//!
//! A 64 KiB page grown with `memory.grow` and written costs about 29 µs (page faults, zeroing,
//! the reset after the call) for about 200 gas of wasm operators, ≈ 7 gas/µs: a call could grow
//! to the 16 MiB limit, 7 ms of work, for a few thousand gas. wasmtime's fuel has no per-page
//! cost, so the runtime adds one: `memory_grow_per_page` = 340,000 gas (29 µs at the yardstick,
//! +7 %). The resource limiter counts the pages grown after instantiation (the initial memory
//! is part of `call_base`) and refuses, with `OutOfGas`, a growth that the call's whole gas
//! limit could not pay; the pages are charged when the call ends, so a call that grows and then
//! spends the rest on compute ends `OutOfGas` too.
//!
//! # Crypto prices
//!
//! The verifications are priced the same way, measured with
//! `cargo test --release -p integration-tests crypto::gas::measure -- --ignored --nocapture`
//! against a yardstick of 10,900 gas/µs:
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
    /// Charged once per call before the contract is instantiated, a nested call's included
    /// (covers reading the contract's record, the fresh Store, instantiation, the receipt).
    pub call_base: u64,
    /// Charged by each host function without a price of its own (`input_read`, `output_write`,
    /// `caller`, `self_id`, `block_*`, `gas_left`, `abort`, `call`, `call_output_*`).
    pub host_call_base: u64,
    /// Per byte copied across the boundary (argument, return data, caller/self ids).
    pub copy_per_byte: u64,
    /// A storage read (one lookup in the store).
    pub storage_read_base: u64,
    /// Per byte of the key and of the value found (all of it, however much the contract copies;
    /// also charged by a removal for the value it fetched).
    pub storage_read_per_byte: u64,
    /// A storage write.
    pub storage_write_base: u64,
    /// Per byte of key and value written.
    pub storage_write_per_byte: u64,
    /// A storage removal (a lookup, to tell whether the key existed, and a journal write); plus
    /// `storage_write_per_byte` per key byte and `storage_read_per_byte` per byte of the value.
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
    /// Per 64 KiB page a contract grows its memory by (`memory.grow`, after instantiation).
    /// Charged when the call ends; a growth the whole gas limit could not pay stops the call
    /// with `OutOfGas` before it happens. See [Memory growth](self#memory-growth).
    pub memory_grow_per_page: u64,
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
            call_base: 52_000,
            host_call_base: 200,
            copy_per_byte: 1,
            storage_read_base: 31_000,
            storage_read_per_byte: 2,
            storage_write_base: 5_000,
            storage_write_per_byte: 4,
            storage_remove_base: 46_000,
            emit_base: 1_000,
            emit_per_byte: 2,
            blake2b_base: 1_900,
            blake2b_per_byte: 10,
            debug_base: 300,
            debug_per_byte: 8,
            memory_grow_per_page: 340_000,
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
