//! Events: a short topic and borsh-encoded data, recorded in the call's receipt.

use super::sys;
use crate::encoding::{BorshSerialize, encode};

/// Record an event with borsh-encoded `data`.
pub fn emit<T: BorshSerialize + ?Sized>(topic: &str, data: &T) {
    emit_raw(topic, &encode(data));
}

/// Record an event with raw bytes as data.
pub fn emit_raw(topic: &str, data: &[u8]) {
    // SAFETY: the host reads exactly the given lengths from both slices.
    unsafe {
        sys::emit(
            topic.as_ptr(),
            topic.len() as u32,
            data.as_ptr(),
            data.len() as u32,
        )
    }
}
