//! A counter: one `u64` in storage that callers can increment, read and reset.
//!
//! Entry points:
//! - `increment(by: u64) -> Result<u64, CounterError>`: adds `by` (checked) and returns the new
//!   value; emits `incremented` with [`Incremented`]. Overflow is an error and changes nothing.
//! - `get() -> u64`: the current value (0 before the first increment).
//! - `reset() -> ()`: back to 0 (removes the stored value).
#![no_std]
#![forbid(unsafe_code)]

use borsh::{BorshDeserialize, BorshSerialize};
use host_api::guest::{emit, storage::Item};

/// The counter's value. Absent means 0.
const COUNT: Item<u64> = Item::new(b"count");

/// Why `increment` failed (borsh: a one-byte variant index).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterError {
    /// `value + by` does not fit in a `u64`. (index 0)
    Overflow,
}

/// Data of the `incremented` event.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Incremented {
    /// The amount added.
    pub by: u64,
    /// The value after the increment.
    pub value: u64,
}

/// Add `by` to the counter and return the new value.
#[host_api::entry]
pub fn increment(by: u64) -> Result<u64, CounterError> {
    let value = COUNT
        .get()
        .unwrap_or(0)
        .checked_add(by)
        .ok_or(CounterError::Overflow)?;
    COUNT.set(&value);
    emit("incremented", &Incremented { by, value });
    Ok(value)
}

/// The current value.
#[host_api::entry]
pub fn get() -> u64 {
    COUNT.get().unwrap_or(0)
}

/// Set the counter back to 0.
#[host_api::entry]
pub fn reset() {
    COUNT.remove();
}
