//! Module size, malformed bytes and refused wasm features.

use super::*;

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
