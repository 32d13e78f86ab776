//! A contract the runtime must refuse at deploy: it imports functions outside the allow-list.
//!
//! - `wasi_snapshot_preview1.fd_write`: a module other than `host_v1`;
//! - `host_v1.random`: the right module, but not a host function.
//!
//! Entry points (never runnable, since deploy fails): `write_stdout() -> i32` and
//! `random_number() -> i64`.
#![no_std]

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    fn fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32) -> i32;
}

#[link(wasm_import_module = "host_v1")]
unsafe extern "C" {
    fn random() -> i64;
}

/// Call WASI's `fd_write` (never allowed).
#[host_api::entry]
pub fn write_stdout() -> i32 {
    // SAFETY: never runs: a module importing `fd_write` is refused at deploy. Were it to run, an
    // empty iovec list (length 0) reads no memory.
    unsafe { fd_write(1, 0, 0, 0) }
}

/// Call `host_v1.random`, which the host does not provide.
#[host_api::entry]
pub fn random_number() -> i64 {
    // SAFETY: never runs: a module importing `random` is refused at deploy.
    unsafe { random() }
}
