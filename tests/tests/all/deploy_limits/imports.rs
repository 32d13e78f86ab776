//! Imports: the host-api allow-list, exact signatures.

use super::*;

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
