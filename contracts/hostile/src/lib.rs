//! A contract that misbehaves on purpose, one way per entry point, to test the sandbox.
//!
//! | entry point | what it does | expected outcome |
//! |---|---|---|
//! | `infinite_loop()` | loops forever | out of gas |
//! | `memory_bomb()` | grows memory 1 MiB at a time, untouched | memory limit |
//! | `alloc_bomb()` | allocates and fills 1 MiB chunks forever | out of gas, or memory limit with a large gas limit |
//! | `recurse(depth: u64) -> u64` | non-tail recursion `depth` deep, no shadow-stack use | stack overflow for large `depth` (e.g. `u64::MAX`) |
//! | `unreachable()` | executes the wasm `unreachable` instruction | trap |
//! | `panic_with_message()` | panics with `hostile contract panicked on purpose` | panic |
//! | `huge_return() -> Vec<u8>` | returns 1 MiB (over the 64 KiB return limit) | return-data limit |
//! | `storage_spam()` | writes distinct keys forever | out of gas (or a storage limit) |
//! | `write_then_panic()` | writes `touched` = 1u8, then panics | panic, write rolled back |
//! | `write_then_error() -> Result<(), u8>` | writes `touched` = 1u8, then returns `Err(7)` | error, write rolled back |
//! | `ok_write()` | writes `touched` = 1u8 | ok, write kept |
//! | `div(a: u32, b: u32) -> u32` | `a / b` | panic `attempt to divide by zero` when `b == 0` |
//!
//! `touched` is the raw key `b"touched"`; its value is the single byte `1` (= borsh of `1u8`).
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use core::hint::black_box;
use host_api::guest::storage::{set, write_raw};

/// The key the rollback entry points write.
const TOUCHED: &[u8] = b"touched";
/// The panic message of `panic_with_message`.
pub const PANIC_MESSAGE: &str = "hostile contract panicked on purpose";

/// Loop forever; only gas metering stops it.
#[host_api::entry]
pub fn infinite_loop() {
    let mut i: u64 = 0;
    loop {
        i = black_box(i.wrapping_add(1));
    }
}

/// Grow memory until the runtime's limit stops the call.
#[host_api::entry]
pub fn memory_bomb() {
    // Grow memory 1 MiB at a time without touching it: only the memory limit can stop this.
    #[cfg(target_arch = "wasm32")]
    loop {
        black_box(core::arch::wasm32::memory_grow(0, 16));
    }
    #[cfg(not(target_arch = "wasm32"))]
    panic!("memory.grow exists only on wasm32");
}

/// Allocate and fill 1 MiB buffers forever: burns gas on the fill, then hits the memory limit.
#[host_api::entry]
pub fn alloc_bomb() {
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    loop {
        chunks.push(black_box(vec![0xA5u8; 1 << 20]));
        black_box(&mut chunks);
    }
}

#[host_api::entry]
pub fn recurse(depth: u64) -> u64 {
    dive(depth, 0x9E37_79B9_7F4A_7C15)
}

/// Non-tail recursion whose result is combined after the call with a non-associative operation,
/// so LLVM can neither eliminate the tail call nor turn it into a loop with an accumulator.
/// Everything stays in wasm locals (no address is taken): each level uses the engine's native
/// stack, not the shadow stack in linear memory, so the native stack limit is what is hit.
#[inline(never)]
fn dive(depth: u64, salt: u64) -> u64 {
    if depth == 0 {
        return salt;
    }
    let a = salt.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ depth;
    let b = a.rotate_left(17);
    let below = dive(depth - 1, b);
    below.rotate_left((a & 63) as u32) ^ b
}

/// Execute the wasm `unreachable` instruction (a trap, not a Rust panic).
#[host_api::entry]
pub fn unreachable() {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    panic!("the wasm `unreachable` instruction exists only on wasm32");
}

/// Panic with [`PANIC_MESSAGE`].
#[host_api::entry]
pub fn panic_with_message() {
    panic!("hostile contract panicked on purpose");
}

/// Return 1 MiB of bytes, far over the host's return-data limit.
#[host_api::entry]
pub fn huge_return() -> Vec<u8> {
    vec![0xABu8; 1 << 20]
}

/// Write distinct keys forever.
#[host_api::entry]
pub fn storage_spam() {
    let mut key = *b"spam/\0\0\0\0\0\0\0\0";
    let mut i: u64 = 0;
    loop {
        key[5..].copy_from_slice(&i.to_le_bytes());
        write_raw(&key, &[1]);
        i = i.wrapping_add(1);
    }
}

/// Write `touched` = 1u8, then panic: the write must be rolled back.
#[host_api::entry]
pub fn write_then_panic() {
    set(TOUCHED, &1u8);
    panic!("write_then_panic: panicking after a write");
}

/// Write `touched` = 1u8, then return `Err(7)`: the write must be rolled back.
#[host_api::entry]
pub fn write_then_error() -> Result<(), u8> {
    set(TOUCHED, &1u8);
    Err(7)
}

/// Write `touched` = 1u8 and return normally: the write must be kept.
#[host_api::entry]
pub fn ok_write() {
    set(TOUCHED, &1u8);
}

/// `a / b`: dividing by zero is a Rust panic (`attempt to divide by zero`), not a wasm trap.
#[host_api::entry]
pub fn div(a: u32, b: u32) -> u32 {
    a / b
}
