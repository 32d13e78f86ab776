//! The one canonical encoding: [borsh](https://borsh.io).
//!
//! Arguments, return values, contract errors, storage values written through the SDK and event
//! data are borsh-encoded. Why borsh:
//!
//! - **canonical**: one value has exactly one encoding (fixed-width little-endian integers,
//!   length-prefixed sequences, maps sorted by key), so equal states hash equally on every node;
//! - **no_std and small**: it builds for `wasm32v1-none` with `alloc` only and adds a few KiB to a
//!   contract;
//! - **strict decoding**: trailing bytes are an error, so a malformed argument is refused rather
//!   than half-read.
//!
//! rkyv (Piecrust) is zero-copy but its archived layout depends on feature flags and alignment;
//! SCALE and postcard use variable-length integers (smaller, slower, more ways to get it wrong).
//!
//! Several arguments are encoded as a borsh tuple, so one argument `T` is encoded as `T` itself.

pub use borsh::{BorshDeserialize, BorshSerialize, io};

use alloc::vec::Vec;

/// Encode a value.
pub fn encode<T: BorshSerialize + ?Sized>(value: &T) -> Vec<u8> {
    // Writing into a Vec cannot fail.
    borsh::to_vec(value).unwrap_or_default()
}

/// Decode a value, refusing trailing bytes.
///
/// # Errors
/// When the bytes are not exactly one encoded `T`.
pub fn decode<T: BorshDeserialize>(bytes: &[u8]) -> Result<T, io::Error> {
    borsh::from_slice(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_argument_tuple_is_the_value_itself() {
        assert_eq!(encode(&(7u64,)), encode(&7u64));
        assert_eq!(encode(&(1u8, 2u32)), [1, 2, 0, 0, 0]);
    }

    #[test]
    fn trailing_bytes_are_refused() {
        assert!(decode::<u32>(&[1, 0, 0, 0, 9]).is_err());
        assert_eq!(decode::<u32>(&[1, 0, 0, 0]).ok(), Some(1));
    }
}
