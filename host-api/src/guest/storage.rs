//! The running contract's own key/value storage. There is no way to reach another contract's.
//!
//! Raw access ([`read_raw`], [`write_raw`], [`remove`]) takes bytes; the typed helpers
//! [`Item`] (one value under a fixed key) and [`Map`] (values under `prefix ‖ borsh(key)`) encode
//! with borsh. A stored value that no longer decodes aborts the call with a message naming the key.

use super::{env::abort, sys};
use crate::abi::STORAGE_ABSENT;
use crate::encoding::{BorshDeserialize, BorshSerialize, decode, encode};
use alloc::vec::Vec;
use core::marker::PhantomData;

/// First read tries a buffer this large; a larger value costs a second read.
const FIRST_READ_BYTES: usize = 256;

/// The value under `key`, if any.
pub fn read_raw(key: &[u8]) -> Option<Vec<u8>> {
    let mut buf: Vec<u8> = Vec::with_capacity(FIRST_READ_BYTES);
    loop {
        let cap = buf.capacity();
        // SAFETY: the host reads `key.len()` bytes of `key` and writes at most `cap` bytes into
        // `buf`'s spare capacity.
        let len = unsafe {
            sys::storage_read(key.as_ptr(), key.len() as u32, buf.as_mut_ptr(), cap as u32)
        };
        if len == STORAGE_ABSENT {
            return None;
        }
        let len = len as usize;
        if len <= cap {
            // SAFETY: the host initialised the first `len` bytes.
            unsafe { buf.set_len(len) };
            return Some(buf);
        }
        buf = Vec::with_capacity(len);
    }
}

/// Set the value under `key`.
pub fn write_raw(key: &[u8], value: &[u8]) {
    // SAFETY: the host reads exactly the given lengths.
    unsafe {
        sys::storage_write(
            key.as_ptr(),
            key.len() as u32,
            value.as_ptr(),
            value.len() as u32,
        )
    }
}

/// Remove the value under `key`; `true` if there was one.
pub fn remove(key: &[u8]) -> bool {
    // SAFETY: the host reads exactly `key.len()` bytes.
    unsafe { sys::storage_remove(key.as_ptr(), key.len() as u32) == 1 }
}

/// The decoded value under `key`, if any.
pub fn get<V: BorshDeserialize>(key: &[u8]) -> Option<V> {
    let bytes = read_raw(key)?;
    match decode(&bytes) {
        Ok(v) => Some(v),
        Err(_) => abort("stored value does not decode as the requested type"),
    }
}

/// Encode and store `value` under `key`.
pub fn set<V: BorshSerialize + ?Sized>(key: &[u8], value: &V) {
    write_raw(key, &encode(value));
}

/// One value under a fixed key.
pub struct Item<V> {
    key: &'static [u8],
    _value: PhantomData<fn() -> V>,
}

impl<V: BorshSerialize + BorshDeserialize> Item<V> {
    /// An item stored under `key`.
    pub const fn new(key: &'static [u8]) -> Self {
        Self {
            key,
            _value: PhantomData,
        }
    }
    /// The stored value, if any.
    pub fn get(&self) -> Option<V> {
        get(self.key)
    }
    /// Store a value.
    pub fn set(&self, value: &V) {
        set(self.key, value)
    }
    /// Remove the value; `true` if there was one.
    pub fn remove(&self) -> bool {
        remove(self.key)
    }
}

/// Values of type `V` under `prefix ‖ borsh(key)`.
pub struct Map<K, V> {
    prefix: &'static [u8],
    _types: PhantomData<fn() -> (K, V)>,
}

impl<K: BorshSerialize, V: BorshSerialize + BorshDeserialize> Map<K, V> {
    /// A map whose keys all start with `prefix`. Give each map of a contract its own prefix.
    pub const fn new(prefix: &'static [u8]) -> Self {
        Self {
            prefix,
            _types: PhantomData,
        }
    }
    fn key(&self, key: &K) -> Vec<u8> {
        let mut k = Vec::with_capacity(self.prefix.len() + 32);
        k.extend_from_slice(self.prefix);
        // Writing into a Vec cannot fail.
        let _ = key.serialize(&mut k);
        k
    }
    /// The value under `key`, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        get(&self.key(key))
    }
    /// Store a value under `key`.
    pub fn set(&self, key: &K, value: &V) {
        set(&self.key(key), value)
    }
    /// Remove the value under `key`; `true` if there was one.
    pub fn remove(&self, key: &K) -> bool {
        remove(&self.key(key))
    }
}
