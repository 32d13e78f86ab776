//! The raw imports. Every signature here must match `crate::abi`; the runtime checks the same
//! table at deploy, so a mismatch is refused before it can run.

#[cfg(target_family = "wasm")]
#[link(wasm_import_module = "host_v1")]
unsafe extern "C" {
    pub fn input_read(dst: *mut u8);
    pub fn output_write(src: *const u8, len: u32);
    pub fn storage_read(key: *const u8, key_len: u32, dst: *mut u8, dst_cap: u32) -> i32;
    pub fn storage_write(key: *const u8, key_len: u32, val: *const u8, val_len: u32);
    pub fn storage_remove(key: *const u8, key_len: u32) -> i32;
    pub fn caller(dst: *mut u8);
    pub fn self_id(dst: *mut u8);
    pub fn block_height() -> i64;
    pub fn block_timestamp() -> i64;
    pub fn emit(topic: *const u8, topic_len: u32, data: *const u8, data_len: u32);
    pub fn blake2b_256(src: *const u8, len: u32, dst: *mut u8);
    pub fn abort(msg: *const u8, msg_len: u32) -> !;
    pub fn debug_print(msg: *const u8, msg_len: u32);
    pub fn gas_left() -> i64;
    pub fn call(
        contract: *const u8,
        name: *const u8,
        name_len: u32,
        args: *const u8,
        args_len: u32,
        gas_limit: u64,
    ) -> i32;
    pub fn call_output_len() -> i32;
    pub fn call_output_read(dst: *mut u8);
    pub fn ed25519_verify(pk: *const u8, msg: *const u8, msg_len: u32, sig: *const u8) -> i32;
    pub fn bls_verify(pk: *const u8, msg: *const u8, msg_len: u32, sig: *const u8) -> i32;
    pub fn plonk_verify(
        vd: *const u8,
        vd_len: u32,
        proof: *const u8,
        proof_len: u32,
        pi: *const u8,
        pi_len: u32,
    ) -> i32;
}

/// Off wasm there is no host: every import panics with the same explanation.
#[cfg(not(target_family = "wasm"))]
#[allow(clippy::missing_safety_doc, missing_docs)]
mod native {
    const NO_HOST: &str =
        "host functions exist only inside the sandbox: run the contract through the runtime";
    pub unsafe fn input_read(_: *mut u8) {
        panic!("{NO_HOST}")
    }
    pub unsafe fn output_write(_: *const u8, _: u32) {
        panic!("{NO_HOST}")
    }
    pub unsafe fn storage_read(_: *const u8, _: u32, _: *mut u8, _: u32) -> i32 {
        panic!("{NO_HOST}")
    }
    pub unsafe fn storage_write(_: *const u8, _: u32, _: *const u8, _: u32) {
        panic!("{NO_HOST}")
    }
    pub unsafe fn storage_remove(_: *const u8, _: u32) -> i32 {
        panic!("{NO_HOST}")
    }
    pub unsafe fn caller(_: *mut u8) {
        panic!("{NO_HOST}")
    }
    pub unsafe fn self_id(_: *mut u8) {
        panic!("{NO_HOST}")
    }
    pub unsafe fn block_height() -> i64 {
        panic!("{NO_HOST}")
    }
    pub unsafe fn block_timestamp() -> i64 {
        panic!("{NO_HOST}")
    }
    pub unsafe fn emit(_: *const u8, _: u32, _: *const u8, _: u32) {
        panic!("{NO_HOST}")
    }
    pub unsafe fn blake2b_256(_: *const u8, _: u32, _: *mut u8) {
        panic!("{NO_HOST}")
    }
    pub unsafe fn abort(_: *const u8, _: u32) -> ! {
        panic!("{NO_HOST}")
    }
    pub unsafe fn debug_print(_: *const u8, _: u32) {
        panic!("{NO_HOST}")
    }
    pub unsafe fn gas_left() -> i64 {
        panic!("{NO_HOST}")
    }
    pub unsafe fn call(_: *const u8, _: *const u8, _: u32, _: *const u8, _: u32, _: u64) -> i32 {
        panic!("{NO_HOST}")
    }
    pub unsafe fn call_output_len() -> i32 {
        panic!("{NO_HOST}")
    }
    pub unsafe fn call_output_read(_: *mut u8) {
        panic!("{NO_HOST}")
    }
    pub unsafe fn ed25519_verify(_: *const u8, _: *const u8, _: u32, _: *const u8) -> i32 {
        panic!("{NO_HOST}")
    }
    pub unsafe fn bls_verify(_: *const u8, _: *const u8, _: u32, _: *const u8) -> i32 {
        panic!("{NO_HOST}")
    }
    pub unsafe fn plonk_verify(
        _: *const u8,
        _: u32,
        _: *const u8,
        _: u32,
        _: *const u8,
        _: u32,
    ) -> i32 {
        panic!("{NO_HOST}")
    }
}
#[cfg(not(target_family = "wasm"))]
pub use native::*;
