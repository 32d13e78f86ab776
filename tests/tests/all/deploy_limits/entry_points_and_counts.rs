//! Entry points, the start function, and the caps on counts.

use super::*;

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
