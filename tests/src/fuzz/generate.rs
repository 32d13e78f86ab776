//! `wasm-smith` configurations for contract-shaped modules: the "lime1" feature set deploy
//! allows, one exported memory, entry points `(i32) -> i32`.

use host_api::abi::{self, HOST_FUNCTIONS, IMPORT_MODULE};
use wasm_smith::Config;

/// The exports every generated contract has: the memory, and one entry point `run`.
const CONTRACT_EXPORTS: &str = r#"(module
    (memory (export "memory") 1 16)
    (func (export "run") (param i32) (result i32) i32.const 0))"#;

/// A module importing every host function of `host_v1` with its ABI signature: what a
/// generated contract may import.
fn host_imports() -> Vec<u8> {
    let ty = |v: &[abi::ValType]| {
        v.iter()
            .map(|t| match t {
                abi::ValType::I32 => "i32",
                abi::ValType::I64 => "i64",
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let imports: String = HOST_FUNCTIONS
        .iter()
        .map(|f| {
            format!(
                "(import \"{IMPORT_MODULE}\" \"{}\" (func (param {}) (result {})))\n",
                f.name,
                ty(f.params),
                ty(f.results)
            )
        })
        .collect();
    wat::parse_str(format!("(module {imports})")).unwrap_or_default()
}

/// Features and sizes shared by every configuration: the "lime1" set (no SIMD, threads,
/// reference types, GC, tail calls, exceptions, memory64), small modules.
fn lime1() -> Config {
    Config {
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        reference_types_enabled: false,
        gc_enabled: false,
        exceptions_enabled: false,
        tail_call_enabled: false,
        memory64_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        multi_value_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        extended_const_enabled: true,
        max_memories: 1,
        max_tables: 1,
        max_table_elements: 1_000,
        max_funcs: 30,
        max_instructions: 300,
        max_data_segments: 10,
        max_element_segments: 10,
        ..Config::default()
    }
}

/// Any module, mostly contract-shaped: bulk memory and start functions on, so that some are
/// refused for those.
pub fn any_module() -> Config {
    Config {
        available_imports: Some(host_imports()),
        bulk_memory_enabled: true,
        ..lime1()
    }
}

/// A contract that may import host functions, with the exports deploy requires and no start
/// function.
pub fn contract() -> Config {
    Config {
        available_imports: Some(host_imports()),
        exports: Some(wat::parse_str(CONTRACT_EXPORTS).unwrap_or_default()),
        allow_start_export: false,
        bulk_memory_enabled: false,
        memory_max_size_required: true,
        table_max_size_required: true,
        ..lime1()
    }
}

/// A contract without imports whose result is deterministic across engines: NaNs
/// canonicalized, memory bounded by its declared maximum.
pub fn pure_contract() -> Config {
    Config {
        available_imports: None,
        max_imports: 0,
        canonicalize_nans: true,
        ..contract()
    }
}
