//! Cryptographic host queries: ed25519, BLS12-381 and PLONK verification.
//!
//! Not implemented yet: `link` defines the imports so that modules importing them deploy, and
//! each traps with an ABI violation until implemented.

use super::{Ctx, HostState, fail};
use crate::outcome::CallError;
use host_api::abi::{self, IMPORT_MODULE};
use wasmtime::Linker;

/// Define the crypto host functions.
pub(crate) fn link(l: &mut Linker<HostState>) -> wasmtime::Result<()> {
    let m = IMPORT_MODULE;
    let todo = |name: &str| fail(CallError::AbiViolation(format!("{name} is not implemented yet")));
    l.func_wrap(m, abi::ED25519_VERIFY.name, move |_: Ctx<'_>, _: i32, _: i32, _: i32, _: i32| -> wasmtime::Result<i32> {
        Err(todo("ed25519_verify"))
    })?;
    l.func_wrap(m, abi::BLS_VERIFY.name, move |_: Ctx<'_>, _: i32, _: i32, _: i32, _: i32| -> wasmtime::Result<i32> {
        Err(todo("bls_verify"))
    })?;
    l.func_wrap(
        m,
        abi::PLONK_VERIFY.name,
        move |_: Ctx<'_>, _: i32, _: i32, _: i32, _: i32, _: i32, _: i32| -> wasmtime::Result<i32> {
            Err(todo("plonk_verify"))
        },
    )?;
    Ok(())
}
