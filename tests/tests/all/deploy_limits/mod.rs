//! Every deploy-time check of `runtime/src/validate.rs`, at its limit (accepted) and one past
//! (refused with the exact `DeployError`), plus the invariants of `Session::deploy`: ids are
//! unique per (owner, code, nonce) and a refused deploy records nothing.
//!
//! Limits are the `runtime::config::DEFAULT_*` constants. Where compiling a module at the
//! default limit would be slow in an unoptimized test build (10 000 functions take ~30 s to
//! compile with a debug-built Cranelift), the at-limit module is checked with
//! `Runtime::validate` (the exact deploy checks, without compiling) and the full deploy path is
//! exercised at a smaller custom limit.

mod bytes;
mod entry_points_and_counts;
mod gas;
mod ids;
mod imports;
mod memory_and_tables;

use host_api::ContractId;
use host_api::abi::{HOST_FUNCTIONS, ValType};
use integration_tests::*;
use runtime::config::{
    DEFAULT_MAX_DATA_SEGMENTS, DEFAULT_MAX_EXPORTS, DEFAULT_MAX_FUNCTION_BODY_BYTES,
    DEFAULT_MAX_FUNCTION_TYPE_ARITY, DEFAULT_MAX_FUNCTIONS, DEFAULT_MAX_GLOBALS,
    DEFAULT_MAX_INITIAL_MEMORY_PAGES, DEFAULT_MAX_LOCALS_PER_FUNCTION, DEFAULT_MAX_MODULE_BYTES,
    DEFAULT_MAX_TABLE_ELEMENTS, DEFAULT_MAX_TABLES, DEFAULT_MAX_TYPES,
};
use runtime::{
    BlockInfo, CodeHash, DeployError, Limits, MemoryStore, Runtime, RuntimeConfig, StateStore,
    contract_id,
};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The one entry point every conforming test module has: `f` returns status 0.
const ENTRY: &str = r#"(func (export "f") (param i32) (result i32) i32.const 0)"#;
/// The one memory every conforming test module has.
const MEMORY: &str = r#"(memory (export "memory") 1)"#;

/// A module from its fields.
fn module(fields: &str) -> Vec<u8> {
    wat(&format!("(module {fields})"))
}

/// A conforming module (memory + entry `f`) with extra fields.
fn conforming(extra: &str) -> Vec<u8> {
    module(&format!("{MEMORY} {ENTRY} {extra}"))
}

/// A conforming module with an import (imports must come first in WAT).
fn importing(import: &str) -> Vec<u8> {
    module(&format!("{import} {MEMORY} {ENTRY}"))
}

/// A runtime with custom limits (small pool: it only runs a few calls).
fn runtime_with(limits: Limits) -> Runtime {
    Runtime::new(RuntimeConfig {
        limits,
        pooled_instances: 8,
        ..RuntimeConfig::test()
    })
    .expect("runtime")
}

/// Deploy with `rt` in a fresh store, require success, call `entry` and require status 0.
fn accepted_by(rt: &Runtime, code: &[u8], entry: &str) -> ContractId {
    let store = Arc::new(MemoryStore::new());
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let id = session
        .deploy(OWNER, code, 0)
        .unwrap_or_else(|e| panic!("deploy refused: {e:?}"));
    assert_eq!(id, contract_id(&OWNER, &CodeHash::of(code), 0));
    // Enough for any well-behaved call, plus the module's first load (84.5 M gas for a module
    // of the 1 MiB limit: more than `GAS` alone).
    let load = runtime::gas::module_load_price(&rt.config().prices, code);
    let receipt = session
        .call(ALICE, id, entry, &[], GAS + load)
        .expect("no host error");
    assert_eq!(
        receipt.result,
        Ok(Vec::new()),
        "calling `{entry}` of an accepted module"
    );
    session.commit().expect("commit");
    assert_eq!(store.contracts(), vec![id]);
    id
}

/// [`accepted_by`] the shared test runtime, calling `f`.
fn accepted(code: &[u8]) -> ContractId {
    accepted_by(runtime(), code, "f")
}

/// Deploy with `rt` in a fresh store, require refusal, and check that the refusal left
/// nothing behind: no record in the session, nothing in the store after commit.
fn refused_by(rt: &Runtime, code: &[u8]) -> DeployError {
    let store = Arc::new(MemoryStore::new());
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let err = session
        .deploy(OWNER, code, 0)
        .expect_err("deploy must be refused");
    let id = contract_id(&OWNER, &CodeHash::of(code), 0);
    assert_eq!(
        session.contract(&id),
        Ok(None),
        "refused deploy recorded a contract"
    );
    session.commit().expect("commit");
    assert!(
        store.contracts().is_empty(),
        "refused deploy reached the store"
    );
    assert_eq!(
        store.code(&CodeHash::of(code)),
        Ok(None),
        "refused code reached the store"
    );
    // And `validate` alone gives the same answer (deploy checks nothing else first).
    assert_eq!(
        rt.validate(code).expect_err("validate must refuse too"),
        err
    );
    err
}

/// [`refused_by`] the shared test runtime.
fn refused(code: &[u8]) -> DeployError {
    refused_by(runtime(), code)
}

/// Assert `err` is `InvalidWasm` whose message starts with wasmparser's `reason` (the
/// message ends with the byte offset, which depends on the WAT encoder, so it is not compared).
#[track_caller]
fn assert_invalid(err: DeployError, reason: &str) {
    match &err {
        DeployError::InvalidWasm(msg) => {
            assert!(
                msg.starts_with(reason),
                "expected InvalidWasm({reason:?}…), got {msg:?}"
            );
            assert!(
                msg.ends_with(')') && msg.contains("(at offset 0x"),
                "{msg:?}"
            );
        }
        other => panic!("expected InvalidWasm({reason:?}…), got {other:?}"),
    }
}

fn too_many(what: &'static str, count: u64, max: u64) -> DeployError {
    DeployError::TooMany { what, count, max }
}

fn leb128_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

fn leb128(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// `base` followed by a custom section `pad` sized so the module is exactly `total` bytes.
fn padded_to(base: &[u8], total: usize) -> Vec<u8> {
    const NAME: &[u8] = b"pad";
    let room = total
        .checked_sub(base.len())
        .expect("base larger than target");
    for size_len in 1..=5 {
        // section = id (1) + LEB(content size) + content; content = LEB(name len) + name + payload
        let Some(content) = room.checked_sub(1 + size_len) else {
            continue;
        };
        if leb128_len(content) != size_len || content < 1 + NAME.len() {
            continue;
        }
        let mut out = base.to_vec();
        out.push(0);
        leb128(content, &mut out);
        leb128(NAME.len(), &mut out);
        out.extend_from_slice(NAME);
        out.resize(total, 0xab);
        assert_eq!(out.len(), total);
        return out;
    }
    panic!("cannot pad {} bytes to {total}", base.len());
}
