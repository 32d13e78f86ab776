//! Every deploy-time check of `runtime/src/validate.rs`, at its limit (accepted) and one past
//! (refused with the exact `DeployError`), plus the invariants of `Session::deploy`: ids are
//! unique per (owner, code, nonce) and a refused deploy records nothing.
//!
//! Limits are the `runtime::config::DEFAULT_*` constants. Where compiling a module at the
//! default limit would be slow in an unoptimized test build (10 000 functions take ~30 s to
//! compile with a debug-built Cranelift), the at-limit module is checked with
//! `Runtime::validate` (the exact deploy checks, without compiling) and the full deploy path is
//! exercised at a smaller custom limit.

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
    let receipt = session
        .call(ALICE, id, entry, &[], GAS)
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

// ---------------------------------------------------------------------------------------------
// Module size
// ---------------------------------------------------------------------------------------------

#[test]
fn module_size_at_default_limit_is_accepted_and_one_past_is_refused() {
    let base = conforming("");
    let at = padded_to(&base, DEFAULT_MAX_MODULE_BYTES);
    assert_eq!(at.len(), 1024 * 1024);
    accepted(&at);
    let past = padded_to(&base, DEFAULT_MAX_MODULE_BYTES + 1);
    assert_eq!(
        refused(&past),
        DeployError::TooLarge {
            size: DEFAULT_MAX_MODULE_BYTES + 1,
            max: DEFAULT_MAX_MODULE_BYTES
        }
    );
}

#[test]
fn module_size_at_custom_limit_is_accepted_and_one_past_is_refused() {
    const N: usize = 300;
    let rt = runtime_with(Limits {
        max_module_bytes: N,
        ..Default::default()
    });
    let base = conforming("");
    accepted_by(&rt, &padded_to(&base, N), "f");
    assert_eq!(
        refused_by(&rt, &padded_to(&base, N + 1)),
        DeployError::TooLarge {
            size: N + 1,
            max: N
        }
    );
    // The size check comes first: even garbage of N+1 bytes is "too large", not "invalid".
    assert_eq!(
        refused_by(&rt, &vec![0xff; N + 1]),
        DeployError::TooLarge {
            size: N + 1,
            max: N
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Invalid bytes and forbidden features
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_bytes_are_invalid_wasm() {
    assert_eq!(
        refused(&[]),
        DeployError::InvalidWasm("unexpected end-of-file (at offset 0x0)".into())
    );
}

#[test]
fn garbage_bytes_are_invalid_wasm() {
    assert_invalid(
        refused(b"garbage! not a wasm module"),
        "magic header not detected",
    );
    // The right magic but a wrong version.
    assert_invalid(refused(b"\0asm\x02\0\0\0"), "unknown binary version");
}

#[test]
fn truncated_valid_module_is_invalid_wasm() {
    let code = conforming("");
    accepted(&code);
    // Cut inside the code section (the last one).
    for cut in [1, 3, 5] {
        assert_invalid(refused(&code[..code.len() - cut]), "unexpected end-of-file");
    }
    // Cut inside the header.
    for len in 0..8 {
        assert_invalid(refused(&code[..len]), "unexpected end-of-file");
    }
    // Every strict prefix is refused: mid-section cuts are invalid wasm; a cut that happens to
    // fall on a section boundary is a well-formed but incomplete module, refused for its shape.
    let mut invalid = 0;
    for len in 0..code.len() {
        match refused(&code[..len]) {
            DeployError::InvalidWasm(_) => invalid += 1,
            DeployError::NoMemory | DeployError::MemoryNotExported | DeployError::NoEntryPoints => {
            }
            other => panic!("prefix of {len} bytes: unexpected {other:?}"),
        }
    }
    assert!(
        invalid > code.len() / 2,
        "{invalid} of {} prefixes invalid",
        code.len()
    );
}

#[test]
fn simd_is_refused() {
    let code = conforming("(func (result i32) v128.const i64x2 0 0 i32x4.extract_lane 0)");
    assert_invalid(refused(&code), "SIMD support is not enabled");
}

#[test]
fn shared_memory_is_refused() {
    let code = module(&format!(r#"(memory (export "memory") 1 1 shared) {ENTRY}"#));
    assert_invalid(
        refused(&code),
        "threads must be enabled for shared memories",
    );
}

#[test]
fn atomics_are_refused() {
    let code = conforming("(func (result i32) i32.const 0 i32.atomic.load)");
    assert_invalid(refused(&code), "threads support is not enabled");
}

#[test]
fn multi_memory_is_refused() {
    // wasmparser refuses a second memory before our own `TooManyMemories` check can see it.
    let code = conforming("(memory 1)");
    assert_invalid(refused(&code), "multiple memories");
}

#[test]
fn memory64_is_refused() {
    let code = module(&format!(r#"(memory (export "memory") i64 1) {ENTRY}"#));
    assert_invalid(
        refused(&code),
        "memory64 must be enabled for 64-bit memories",
    );
}

#[test]
fn custom_page_size_is_refused() {
    let code = module(&format!(
        r#"(memory (export "memory") 1 (pagesize 1)) {ENTRY}"#
    ));
    assert_invalid(
        refused(&code),
        "the custom page sizes proposal must be enabled to customize a memory's page size",
    );
}

#[test]
fn reference_types_are_refused() {
    assert_invalid(
        refused(&conforming("(func (param externref))")),
        "reference types support is not enabled",
    );
    // `table.grow` (and every other table instruction with a reference operand) is a
    // reference-types instruction, so a table can never grow at run time.
    assert_invalid(
        refused(&conforming(
            "(table 1 funcref) (func ref.null func i32.const 1 table.grow 0 drop)",
        )),
        "reference types support is not enabled",
    );
}

#[test]
fn tail_calls_are_refused() {
    let code = conforming("(func $t (param i32) (result i32) local.get 0 return_call $t)");
    assert_invalid(refused(&code), "tail calls support is not enabled");
}

#[test]
fn passive_data_segments_are_refused() {
    // lime1 has `memory.copy`/`memory.fill` but not the rest of bulk memory.
    assert_invalid(
        refused(&conforming(r#"(data "x")"#)),
        "passive data segments require the bulk-memory proposal",
    );
    accepted(&conforming(
        "(func i32.const 0 i32.const 8 i32.const 4 memory.copy i32.const 0 i32.const 1 i32.const 4 memory.fill)",
    ));
}

// ---------------------------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------------------------

#[test]
fn module_without_memory_is_refused() {
    assert_eq!(refused(&module(ENTRY)), DeployError::NoMemory);
}

#[test]
fn imported_memory_is_refused() {
    let code = module(&format!(r#"(import "env" "memory" (memory 1)) {ENTRY}"#));
    assert_eq!(
        refused(&code),
        DeployError::ImportedMemory {
            module: "env".into(),
            name: "memory".into()
        }
    );
    // Even from the host module, and even when re-exported as `memory`.
    let code = module(&format!(
        r#"(import "host_v1" "memory" (memory 1)) (export "memory" (memory 0)) {ENTRY}"#
    ));
    assert_eq!(
        refused(&code),
        DeployError::ImportedMemory {
            module: "host_v1".into(),
            name: "memory".into()
        }
    );
}

#[test]
fn memory_not_exported_as_memory_is_refused() {
    assert_eq!(
        refused(&module(&format!("(memory 1) {ENTRY}"))),
        DeployError::MemoryNotExported
    );
    assert_eq!(
        refused(&module(&format!(r#"(memory (export "mem") 1) {ENTRY}"#))),
        DeployError::MemoryNotExported
    );
    // A global named `memory` is not the memory.
    assert_eq!(
        refused(&module(&format!(
            r#"(memory 1) (global (export "memory") i32 (i32.const 0)) {ENTRY}"#
        ))),
        DeployError::MemoryNotExported
    );
    // Exported under two names, one of them `memory`: fine.
    accepted(&module(&format!(
        r#"(memory (export "memory") (export "mem") 1) {ENTRY}"#
    )));
}

#[test]
fn initial_memory_pages_at_limit_are_accepted_and_one_past_refused() {
    assert_eq!(DEFAULT_MAX_INITIAL_MEMORY_PAGES, 64);
    let at = module(&format!(
        r#"(memory (export "memory") {DEFAULT_MAX_INITIAL_MEMORY_PAGES}) {ENTRY}"#
    ));
    assert_eq!(
        runtime().validate(&at).expect("valid").initial_memory_pages,
        64
    );
    accepted(&at);
    let past = module(&format!(
        r#"(memory (export "memory") {}) {ENTRY}"#,
        DEFAULT_MAX_INITIAL_MEMORY_PAGES + 1
    ));
    assert_eq!(
        refused(&past),
        DeployError::InitialMemoryTooLarge {
            pages: 65,
            max: DEFAULT_MAX_INITIAL_MEMORY_PAGES
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

#[test]
fn table_elements_at_limit_are_accepted_and_one_past_refused() {
    assert_eq!(DEFAULT_MAX_TABLE_ELEMENTS, 4096);
    accepted(&conforming(&format!(
        "(table {DEFAULT_MAX_TABLE_ELEMENTS} funcref)"
    )));
    assert_eq!(
        refused(&conforming(&format!(
            "(table {} funcref)",
            DEFAULT_MAX_TABLE_ELEMENTS + 1
        ))),
        DeployError::Table("a table starts with 4097 elements, limit 4096".into())
    );
}

#[test]
fn table_count_at_limit_is_accepted_and_one_past_refused() {
    assert_eq!(DEFAULT_MAX_TABLES, 1);
    // A table used by call_indirect, at the default limit of one table.
    let one = module(&format!(
        r#"{MEMORY}
        (type $t (func (result i32)))
        (table 1 funcref)
        (elem (i32.const 0) $zero)
        (func $zero (result i32) i32.const 0)
        (func (export "f") (param i32) (result i32) i32.const 0 call_indirect (type $t))"#
    ));
    accepted(&one);
    // Two tables need reference types, which wasmparser refuses before our count check.
    assert_invalid(
        refused(&conforming("(table 1 funcref) (table 1 funcref)")),
        "multiple tables",
    );

    // Our own count check, reachable with a lower limit: 0 tables allowed.
    let rt = runtime_with(Limits {
        max_tables: 0,
        ..Default::default()
    });
    accepted_by(&rt, &conforming(""), "f");
    assert_eq!(
        refused_by(&rt, &conforming("(table 0 funcref)")),
        DeployError::Table("1 tables, limit 0".into())
    );
}

#[test]
fn imported_table_is_refused() {
    let code = importing(r#"(import "env" "table" (table 1 funcref))"#);
    assert_eq!(
        refused(&code),
        DeployError::ForbiddenImport {
            module: "env".into(),
            name: "table".into()
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Imports
// ---------------------------------------------------------------------------------------------

fn wat_type(t: &ValType) -> &'static str {
    match t {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
    }
}

fn wat_signature(params: &[ValType], results: &[ValType]) -> String {
    let p: Vec<_> = params.iter().map(wat_type).collect();
    let r: Vec<_> = results.iter().map(wat_type).collect();
    format!("(param {}) (result {})", p.join(" "), r.join(" "))
}

/// The `(a, b) -> (c)` form `DeployError::ImportSignature` uses.
fn text_signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |v: &[ValType]| v.iter().map(wat_type).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(params), list(results))
}

#[test]
fn every_host_function_with_its_exact_signature_is_accepted() {
    assert_eq!(HOST_FUNCTIONS.len(), 20);
    let imports: String = HOST_FUNCTIONS
        .iter()
        .map(|f| {
            format!(
                r#"(import "host_v1" "{}" (func {}))"#,
                f.name,
                wat_signature(f.params, f.results)
            )
        })
        .collect();
    // Imports come first in a module, so the entry `f` is function 14.
    accepted(&module(&format!("{imports} {MEMORY} {ENTRY}")));
}

#[test]
fn import_from_an_unknown_module_is_forbidden() {
    let code = importing(
        r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#,
    );
    assert_eq!(
        refused(&code),
        DeployError::ForbiddenImport {
            module: "wasi_snapshot_preview1".into(),
            name: "fd_write".into()
        }
    );
    // A real host function name, with its exact signature, but from another module.
    let code = importing(r#"(import "env" "gas_left" (func (result i64)))"#);
    assert_eq!(
        refused(&code),
        DeployError::ForbiddenImport {
            module: "env".into(),
            name: "gas_left".into()
        }
    );
}

#[test]
fn unknown_name_in_host_module_is_forbidden() {
    let code =
        importing(r#"(import "host_v1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#);
    assert_eq!(
        refused(&code),
        DeployError::ForbiddenImport {
            module: "host_v1".into(),
            name: "fd_write".into()
        }
    );
    // Names are case-sensitive.
    let code = importing(r#"(import "host_v1" "Gas_Left" (func (result i64)))"#);
    assert_eq!(
        refused(&code),
        DeployError::ForbiddenImport {
            module: "host_v1".into(),
            name: "Gas_Left".into()
        }
    );
}

#[test]
fn host_function_with_wrong_signature_is_refused() {
    assert_eq!(
        refused(&importing(
            r#"(import "host_v1" "gas_left" (func (result i32)))"#
        )),
        DeployError::ImportSignature {
            name: "gas_left".into(),
            expected: "() -> (i64)".into(),
            found: "() -> (i32)".into(),
        }
    );
    assert_eq!(
        refused(&importing(
            r#"(import "host_v1" "storage_read" (func (param i32 i32 i32 i32)))"#
        )),
        DeployError::ImportSignature {
            name: "storage_read".into(),
            expected: "(i32, i32, i32, i32) -> (i32)".into(),
            found: "(i32, i32, i32, i32) -> ()".into(),
        }
    );
    // Every host function, with one parameter too many, is refused by name.
    for f in HOST_FUNCTIONS {
        let mut params = f.params.to_vec();
        params.push(ValType::I32);
        let code = importing(&format!(
            r#"(import "host_v1" "{}" (func {}))"#,
            f.name,
            wat_signature(&params, f.results)
        ));
        match refused(&code) {
            DeployError::ImportSignature {
                name,
                expected,
                found,
            } => {
                assert_eq!(name, f.name);
                assert_eq!(expected, text_signature(f.params, f.results));
                assert_eq!(found, text_signature(&params, f.results));
            }
            other => panic!("{}: expected ImportSignature, got {other:?}", f.name),
        }
    }
}

#[test]
fn imported_global_is_forbidden() {
    let code = importing(r#"(import "host_v1" "gas" (global i64))"#);
    assert_eq!(
        refused(&code),
        DeployError::ForbiddenImport {
            module: "host_v1".into(),
            name: "gas".into()
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Entry points and start function
// ---------------------------------------------------------------------------------------------

#[test]
fn exported_function_with_wrong_signature_is_refused() {
    let cases = [
        ("(param i64) (result i32) i32.const 0", "(i64) -> (i32)"),
        ("(param i32) (result i64) i64.const 0", "(i32) -> (i64)"),
        ("(param i32)", "(i32) -> ()"),
        ("(result i32) i32.const 0", "() -> (i32)"),
        ("", "() -> ()"),
        (
            "(param i32 i32) (result i32) i32.const 0",
            "(i32, i32) -> (i32)",
        ),
        (
            "(param i32) (result i32 i32) i32.const 0 i32.const 0",
            "(i32) -> (i32, i32)",
        ),
    ];
    for (sig, found) in cases {
        // Next to a valid entry point: one bad export refuses the module.
        let code = conforming(&format!(r#"(func (export "g") {sig})"#));
        assert_eq!(
            refused(&code),
            DeployError::EntrySignature {
                name: "g".into(),
                found: found.into()
            },
            "{sig}"
        );
    }
}

#[test]
fn module_without_exported_function_is_refused() {
    // A function exists but is not exported.
    let code = module(&format!(
        "{MEMORY} (func (param i32) (result i32) i32.const 0)"
    ));
    assert_eq!(refused(&code), DeployError::NoEntryPoints);
    assert_eq!(refused(&module(MEMORY)), DeployError::NoEntryPoints);
}

#[test]
fn start_function_is_refused() {
    let code = conforming("(func $init) (start $init)");
    assert_eq!(refused(&code), DeployError::StartFunction);
}

// ---------------------------------------------------------------------------------------------
// Counts
// ---------------------------------------------------------------------------------------------

/// A module with `imports` host imports and `defined` defined functions in total (the entry
/// `f` included).
fn functions_module(imports: usize, defined: usize) -> Vec<u8> {
    let imported = [
        r#"(import "host_v1" "gas_left" (func (result i64)))"#,
        r#"(import "host_v1" "block_height" (func (result i64)))"#,
    ];
    assert!(imports <= imported.len());
    let filler = "(func)".repeat(defined - 1);
    module(&format!(
        "{} {MEMORY} {ENTRY} {filler}",
        imported[..imports].concat()
    ))
}

#[test]
fn functions_at_default_limit_are_accepted_and_one_past_refused() {
    assert_eq!(DEFAULT_MAX_FUNCTIONS, 10_000);
    let max = DEFAULT_MAX_FUNCTIONS as usize;
    // Imported functions count: 2 imports + 9 998 defined = the limit.
    let at = functions_module(2, max - 2);
    assert_eq!(
        runtime()
            .validate(&at)
            .expect("at the limit")
            .entry_points
            .len(),
        1
    );
    assert_eq!(
        refused(&functions_module(2, max - 1)),
        too_many("functions", 10_001, u64::from(DEFAULT_MAX_FUNCTIONS))
    );
    assert_eq!(
        refused(&functions_module(0, max + 1)),
        too_many("functions", 10_001, u64::from(DEFAULT_MAX_FUNCTIONS))
    );
}

#[test]
fn functions_at_custom_limit_deploy_and_one_past_refused() {
    let rt = runtime_with(Limits {
        max_functions: 40,
        ..Default::default()
    });
    accepted_by(&rt, &functions_module(2, 38), "f");
    accepted_by(&rt, &functions_module(0, 40), "f");
    assert_eq!(
        refused_by(&rt, &functions_module(2, 39)),
        too_many("functions", 41, 40)
    );
    assert_eq!(
        refused_by(&rt, &functions_module(0, 41)),
        too_many("functions", 41, 40)
    );
}

#[test]
fn locals_per_function_at_limit_are_accepted_and_one_past_refused() {
    let max = DEFAULT_MAX_LOCALS_PER_FUNCTION as usize;
    assert_eq!(max, 2_000);
    // The entry's parameter counts: 1 param + 1 999 locals = the limit.
    let entry = |locals: usize| {
        module(&format!(
            r#"{MEMORY} (func (export "f") (param i32) (result i32) (local {}) i32.const 0)"#,
            "i32 ".repeat(locals)
        ))
    };
    accepted(&entry(max - 1));
    assert_eq!(
        refused(&entry(max)),
        too_many("locals in one function", 2_001, 2_000)
    );
    // A function without parameters, with locals of mixed types, not the first function.
    let other = |locals: usize| {
        conforming(&format!(
            "(func (local {}) (local {}))",
            "i64 ".repeat(locals / 2),
            "f32 ".repeat(locals - locals / 2)
        ))
    };
    accepted(&other(max));
    assert_eq!(
        refused(&other(max + 1)),
        too_many("locals in one function", 2_001, 2_000)
    );
}

#[test]
fn function_body_bytes_at_limit_are_accepted_and_one_past_refused() {
    let max = DEFAULT_MAX_FUNCTION_BODY_BYTES;
    assert_eq!(max, 128 * 1024);
    // Body = locals vector (1 byte: 0 entries) + `nop`×n (1 byte each) + `i32.const 0` (2 bytes)
    // + `end` (1 byte) = n + 4 bytes. One import before it, so the function's index is 1.
    let entry = |body_bytes: usize| {
        module(&format!(
            r#"(import "host_v1" "gas_left" (func (result i64))) {MEMORY}
            (func (export "f") (param i32) (result i32) {} i32.const 0)"#,
            "nop ".repeat(body_bytes - 4)
        ))
    };
    accepted(&entry(max));
    assert_eq!(
        refused(&entry(max + 1)),
        DeployError::FunctionTooLarge {
            index: 1,
            bytes: max + 1,
            max
        }
    );
}

#[test]
fn globals_at_limit_are_accepted_and_one_past_refused() {
    assert_eq!(DEFAULT_MAX_GLOBALS, 256);
    let globals = |n: u32| {
        conforming(
            &"(global (mut i32) (i32.const 7)) (global i64 (i64.const 1))".repeat(n as usize / 2),
        )
    };
    accepted(&globals(DEFAULT_MAX_GLOBALS));
    assert_eq!(
        refused(&globals(DEFAULT_MAX_GLOBALS + 2)),
        too_many("globals", 258, 256)
    );
    let one_past = conforming(&format!(
        "{} (global i32 (i32.const 0))",
        "(global i32 (i32.const 0))".repeat(256)
    ));
    assert_eq!(refused(&one_past), too_many("globals", 257, 256));
}

#[test]
fn data_segments_at_limit_are_accepted_and_one_past_refused() {
    assert_eq!(DEFAULT_MAX_DATA_SEGMENTS, 1_024);
    let data = |n: u32| {
        let segments: String = (0..n)
            .map(|i| format!(r#"(data (i32.const {}) "ab")"#, i * 2))
            .collect();
        conforming(&segments)
    };
    accepted(&data(DEFAULT_MAX_DATA_SEGMENTS));
    assert_eq!(
        refused(&data(DEFAULT_MAX_DATA_SEGMENTS + 1)),
        too_many("data segments", 1_025, 1_024)
    );
}

#[test]
fn exports_at_limit_are_accepted_and_one_past_refused() {
    assert_eq!(DEFAULT_MAX_EXPORTS, 256);
    // `memory` plus n-1 names for the one entry function.
    let exports = |n: u32| {
        let names: String = (1..n)
            .map(|i| format!(r#"(export "f{i}" (func $f))"#))
            .collect();
        module(&format!(
            r#"{MEMORY} (func $f (export "f") (param i32) (result i32) i32.const 0) {names}"#
        ))
    };
    let at = exports(DEFAULT_MAX_EXPORTS - 1);
    assert_eq!(
        runtime().validate(&at).expect("valid").entry_points.len(),
        255
    );
    accepted_by(runtime(), &at, "f254");
    assert_eq!(
        refused(&exports(DEFAULT_MAX_EXPORTS)),
        too_many("exports", 257, 256)
    );
}

#[test]
fn types_at_limit_are_accepted_and_one_past_refused() {
    assert_eq!(DEFAULT_MAX_TYPES, 1_024);
    // The entry's type, declared explicitly, plus n-1 explicit (distinct-index) types.
    let types = |n: u32| {
        module(&format!(
            r#"(type $entry (func (param i32) (result i32))) {}
            {MEMORY} (func (export "f") (type $entry) i32.const 0)"#,
            "(type (func))".repeat(n as usize - 1)
        ))
    };
    accepted(&types(DEFAULT_MAX_TYPES));
    assert_eq!(
        refused(&types(DEFAULT_MAX_TYPES + 1)),
        too_many("types", 1_025, 1_024)
    );
}

#[test]
fn function_type_arity_at_limit_is_accepted_and_one_past_refused() {
    let max = DEFAULT_MAX_FUNCTION_TYPE_ARITY as usize;
    assert_eq!(max, 32);
    let what = "parameters or results in a function type";
    let params = |n: usize| conforming(&format!("(type (func (param {})))", "i32 ".repeat(n)));
    let results = |n: usize| conforming(&format!("(type (func (result {})))", "i64 ".repeat(n)));
    accepted(&params(max));
    accepted(&results(max));
    assert_eq!(refused(&params(max + 1)), too_many(what, 33, 32));
    assert_eq!(refused(&results(max + 1)), too_many(what, 33, 32));
    // A function actually using 32 parameters and 32 results (multi-value) deploys and runs.
    let used = conforming(&format!(
        "(func $wide (param {p}) (result {r}) {body}) (func (export \"g\") (param i32) (result i32) {args} call $wide {drops} i32.const 0)",
        p = "i32 ".repeat(max),
        r = "i32 ".repeat(max),
        body = (0..max)
            .map(|i| format!("local.get {i} "))
            .collect::<String>(),
        args = "i32.const 1 ".repeat(max),
        drops = "drop ".repeat(max),
    ));
    accepted_by(runtime(), &used, "g");
}

// ---------------------------------------------------------------------------------------------
// Ids and the effect of a refused deploy
// ---------------------------------------------------------------------------------------------

#[test]
fn same_module_same_nonce_is_already_deployed_another_nonce_is_a_new_id() {
    let code = conforming("");
    let hash = CodeHash::of(&code);
    let (store, mut session) = session();
    let first = session.deploy(OWNER, &code, 0).expect("first deploy");
    assert_eq!(first, contract_id(&OWNER, &hash, 0));
    assert_eq!(
        session.deploy(OWNER, &code, 0),
        Err(DeployError::AlreadyDeployed(first))
    );

    let second = session.deploy(OWNER, &code, 1).expect("another nonce");
    assert_eq!(second, contract_id(&OWNER, &hash, 1));
    assert_ne!(second, first);
    // Another owner with the same nonce gets yet another id.
    let third = session.deploy(BOB, &code, 0).expect("another owner");
    assert_eq!(third, contract_id(&BOB, &hash, 0));
    assert!(third != first && third != second);

    for id in [first, second, third] {
        assert_eq!(call(&mut session, id, "f", &[]).result, Ok(Vec::new()));
    }
    session.commit().expect("commit");
    let mut expected = vec![first, second, third];
    expected.sort();
    assert_eq!(store.contracts(), expected);
    assert_eq!(
        store
            .contract(&third)
            .expect("store")
            .expect("record")
            .owner,
        BOB
    );

    // After the commit, a new session over the same store sees the id as taken.
    let mut again = runtime().session(store.clone(), BlockInfo::default());
    assert_eq!(
        again.deploy(OWNER, &code, 0),
        Err(DeployError::AlreadyDeployed(first))
    );
    assert_eq!(
        again.deploy(OWNER, &code, 1),
        Err(DeployError::AlreadyDeployed(second))
    );
    let fourth = again.deploy(OWNER, &code, 2).expect("fresh nonce");
    assert_eq!(fourth, contract_id(&OWNER, &hash, 2));
}

#[test]
fn refused_deploy_leaves_session_and_store_unchanged() {
    let good = conforming("");
    let bad = conforming("(func $s) (start $s)");
    let (store, mut session) = session();
    let id = deploy(&mut session, &good);
    assert_eq!(
        session.deploy(OWNER, &bad, 0),
        Err(DeployError::StartFunction)
    );
    assert_eq!(
        session.deploy(OWNER, b"\0asm", 0).map_err(|e| e.kind()),
        Err("invalid_wasm")
    );
    let bad_id = contract_id(&OWNER, &CodeHash::of(&bad), 0);
    assert_eq!(session.contract(&bad_id), Ok(None));
    // An AlreadyDeployed refusal does not disturb the existing record.
    assert_eq!(
        session.deploy(OWNER, &good, 0),
        Err(DeployError::AlreadyDeployed(id))
    );
    session.commit().expect("commit");
    assert_eq!(store.contracts(), vec![id]);
    assert_eq!(store.code(&CodeHash::of(&bad)), Ok(None));
    assert_eq!(
        store.code(&CodeHash::of(&good)).expect("store").as_deref(),
        Some(&good[..])
    );
    assert_eq!(
        store.contract(&id),
        Ok(Some(runtime::ContractRecord {
            owner: OWNER,
            code_hash: CodeHash::of(&good).0
        }))
    );

    // Only refusals: the commit writes nothing at all.
    let store = Arc::new(MemoryStore::new());
    let mut session = runtime().session(store.clone(), BlockInfo::default());
    for code in [
        bad.clone(),
        Vec::new(),
        module(ENTRY),
        padded_to(&good, DEFAULT_MAX_MODULE_BYTES + 1),
    ] {
        assert!(session.deploy(OWNER, &code, 0).is_err());
    }
    session.commit().expect("commit");
    assert!(store.contracts().is_empty());
}

/// A data segment that does not fit the memory passes validation (its offset is only checked
/// when instantiating) but could never be called: deploy instantiates once and refuses it.
#[test]
fn data_segment_outside_memory_is_refused_at_deploy() {
    let fits = conforming(r#"(data (i32.const 65532) "abcd")"#);
    accepted(&fits);
    let past = conforming(r#"(data (i32.const 65533) "abcd")"#);
    assert!(
        runtime().validate(&past).is_ok(),
        "validation alone cannot see it"
    );
    let store = Arc::new(MemoryStore::new());
    let mut session = runtime().session(store.clone(), BlockInfo::default());
    let err = session.deploy(OWNER, &past, 0).expect_err("refused");
    match &err {
        DeployError::Instantiation(msg) => assert!(msg.contains("out of bounds"), "{msg}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), "instantiation_failed");
    session.commit().expect("commit");
    assert!(store.contracts().is_empty());
}
