//! Memory and tables.

use super::*;

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
