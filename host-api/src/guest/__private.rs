//! What `#[entry]` expands to. Not a public API.

use super::sys;
use crate::abi::{STATUS_ERROR, STATUS_INVALID_INPUT, STATUS_OK};
use crate::encoding::{BorshDeserialize, BorshSerialize, decode, encode};
use alloc::format;
use alloc::vec::Vec;

/// Read and decode the argument of entry point `name`; on failure, set the message as return
/// data and hand back the status the export must return.
pub fn read_args<A: BorshDeserialize>(name: &str, arg_len: i32) -> Result<A, i32> {
    let len = arg_len as u32 as usize;
    let mut buf: Vec<u8> = Vec::with_capacity(len);
    if len > 0 {
        // SAFETY: the host writes exactly `len` bytes (the length it passed us) into `buf`.
        unsafe {
            sys::input_read(buf.as_mut_ptr());
            buf.set_len(len);
        }
    }
    decode::<A>(&buf).map_err(|e| {
        write_output(format!("invalid argument for `{name}`: {e}").as_bytes());
        STATUS_INVALID_INPUT
    })
}

fn write_output(bytes: &[u8]) {
    if !bytes.is_empty() {
        // SAFETY: the host reads exactly `bytes.len()` bytes.
        unsafe { sys::output_write(bytes.as_ptr(), bytes.len() as u32) }
    }
}

/// Encode an entry point's `Result`.
pub fn finish_result<T: BorshSerialize, E: BorshSerialize>(result: Result<T, E>) -> i32 {
    match result {
        Ok(v) => {
            write_output(&encode(&v));
            STATUS_OK
        }
        Err(e) => {
            write_output(&encode(&e));
            STATUS_ERROR
        }
    }
}

/// Encode an entry point's plain return value.
pub fn finish_value<T: BorshSerialize>(value: T) -> i32 {
    write_output(&encode(&value));
    STATUS_OK
}
