//! `compute`: pure computation with no host calls but the argument and the result, for the
//! metered-compute benchmarks (`benches/benches/compute.rs`). The kernels live in
//! `kernels.rs`, the same source the benchmark runs natively.
//!
//! | entry point | work |
//! |---|---|
//! | `fib_iter(n: u64) -> u64` | `n` Fibonacci steps modulo 2^64 |
//! | `fib_rec(n: u32) -> u64` | naive recursive Fibonacci |
//! | `blake2b(rounds: u32) -> [u8; 32]` | BLAKE2b-256 of a 1 KiB buffer, `rounds` times, in wasm |
//! | `transfers(n: u32) -> u32` | `n` balance transfers between 64 in-memory accounts |
#![no_std]
#![forbid(unsafe_code)]

mod kernels;

/// `n` Fibonacci steps.
#[host_api::entry]
pub fn fib_iter(n: u64) -> u64 {
    kernels::fib_iter(n)
}

/// Recursive Fibonacci.
#[host_api::entry]
pub fn fib_rec(n: u32) -> u64 {
    kernels::fib_rec(n)
}

/// BLAKE2b-256 of a 1 KiB buffer, `rounds` times, computed in wasm.
#[host_api::entry]
pub fn blake2b(rounds: u32) -> [u8; 32] {
    kernels::blake2b_rounds(rounds)
}

/// `n` in-memory transfers; how many succeeded.
#[host_api::entry]
pub fn transfers(n: u32) -> u32 {
    kernels::transfers(n)
}
