//! Deploy-time checks: a module is validated completely before anything is stored or compiled.
//!
//! The checks, in order: size; wasm validity under the allowed feature set ([`ALLOWED_FEATURES`]:
//! the "lime1" set — MVP, mutable globals, sign extension, saturating float-to-int, multi-value,
//! `memory.copy`/`memory.fill`, extended constants; no SIMD, threads, reference types, GC, tail
//! calls, exceptions, multi-memory or memory64); then the shape the ABI needs: exactly one
//! memory, defined, 32-bit, not shared, exported as `memory`, initial size capped; at most the
//! allowed tables and elements; imports only of [`host_api::abi::HOST_FUNCTIONS`] with their exact
//! signatures; every exported function an entry point `(i32) -> i32`; no start function (code
//! that would run at every instantiation outside any entry point); caps on functions, locals,
//! body sizes, globals, types, data segments and exports, which bound compile time.
//!
//! The same checks guard every other way code enters a store or the compiler: loading a state
//! file or a dump (through [`state::CodeValidator`], implemented here) and compiling code read
//! from a store (`call.rs`), so a store written by other means still never compiles a module
//! deploy would refuse.

use crate::config::Limits;
use crate::error::DeployError;
use crate::runtime::Runtime;
use host_api::abi::{self, HostFn, IMPORT_MODULE, MEMORY_EXPORT};
use std::collections::BTreeSet;
use wasmparser::{
    CompositeInnerType, ExternalKind, FuncType, Parser, Payload, TypeRef, ValType, Validator,
    WasmFeatures,
};

/// The wasm features a contract may use (wasm 1.0 and the "lime1" set: `host-api/ABI.md` §1).
pub(crate) const ALLOWED_FEATURES: WasmFeatures = WasmFeatures::LIME1;

/// What deploy learned about a valid module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleInfo {
    /// The names of its entry points, sorted.
    pub entry_points: BTreeSet<String>,
    /// The memory's initial size in pages.
    pub initial_memory_pages: u64,
}

fn too_many(what: &'static str, count: u64, max: u64) -> Result<(), DeployError> {
    if count > max {
        Err(DeployError::TooMany { what, count, max })
    } else {
        Ok(())
    }
}

fn invalid(e: wasmparser::BinaryReaderError) -> DeployError {
    DeployError::InvalidWasm(e.to_string())
}

fn signature_text(params: &[ValType], results: &[ValType]) -> String {
    let list = |v: &[ValType]| {
        v.iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("({}) -> ({})", list(params), list(results))
}

fn abi_signature_text(f: &HostFn) -> String {
    let map = |v: &[abi::ValType]| -> Vec<ValType> {
        v.iter()
            .map(|t| match t {
                abi::ValType::I32 => ValType::I32,
                abi::ValType::I64 => ValType::I64,
            })
            .collect()
    };
    signature_text(&map(f.params), &map(f.results))
}

/// The deploy checks under these limits, for code that enters a store from a file (a state
/// dump, a saved [`MemoryStore`](crate::MemoryStore)): the same checks as a deploy.
impl state::CodeValidator for Limits {
    fn validate_code(&self, code: &[u8]) -> Result<(), String> {
        validate(code, self).map(drop).map_err(|e| e.to_string())
    }
}

/// The deploy checks under the runtime's limits (see the [`Limits`] implementation).
impl state::CodeValidator for Runtime {
    fn validate_code(&self, code: &[u8]) -> Result<(), String> {
        self.inner.config.limits.validate_code(code)
    }
}

/// Check a module against the ABI and the limits.
///
/// # Errors
/// The first problem found, as a [`DeployError`] naming it.
pub fn validate(bytes: &[u8], limits: &Limits) -> Result<ModuleInfo, DeployError> {
    if bytes.len() > limits.max_module_bytes {
        return Err(DeployError::TooLarge {
            size: bytes.len(),
            max: limits.max_module_bytes,
        });
    }
    Validator::new_with_features(ALLOWED_FEATURES)
        .validate_all(bytes)
        .map_err(invalid)?;

    let mut types: Vec<FuncType> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new(); // type index of every function, imports first
    let mut imported_funcs = 0u32;
    let mut globals = 0u64;
    let mut tables = 0u64;
    let mut memories = 0u32;
    let mut initial_memory_pages = 0u64;
    let mut memory_exported = false;
    let mut entry_points = BTreeSet::new();
    let mut code_index = 0u32;

    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            Payload::TypeSection(reader) => {
                too_many(
                    "types",
                    u64::from(reader.count()),
                    u64::from(limits.max_types),
                )?;
                for group in reader {
                    for sub in group.map_err(invalid)?.into_types() {
                        if let CompositeInnerType::Func(ft) = sub.composite_type.inner {
                            let arity = ft.params().len().max(ft.results().len()) as u64;
                            too_many(
                                "parameters or results in a function type",
                                arity,
                                u64::from(limits.max_function_type_arity),
                            )?;
                            types.push(ft);
                        } else {
                            return Err(DeployError::InvalidWasm("non-function type".into()));
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(invalid)?;
                    let forbidden = || DeployError::ForbiddenImport {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                    };
                    match import.ty {
                        TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                            if import.module != IMPORT_MODULE {
                                return Err(forbidden());
                            }
                            let host = abi::host_fn(import.name).ok_or_else(forbidden)?;
                            let ft = types.get(ty as usize).ok_or_else(|| {
                                DeployError::InvalidWasm(format!("type index {ty} out of range"))
                            })?;
                            let expected = abi_signature_text(host);
                            let found = signature_text(ft.params(), ft.results());
                            if expected != found {
                                return Err(DeployError::ImportSignature {
                                    name: import.name.to_string(),
                                    expected,
                                    found,
                                });
                            }
                            func_types.push(ty);
                            imported_funcs += 1;
                        }
                        TypeRef::Memory(_) => {
                            return Err(DeployError::ImportedMemory {
                                module: import.module.to_string(),
                                name: import.name.to_string(),
                            });
                        }
                        TypeRef::Table(_) | TypeRef::Global(_) | TypeRef::Tag(_) => {
                            return Err(forbidden());
                        }
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                let total = u64::from(imported_funcs) + u64::from(reader.count());
                too_many("functions", total, u64::from(limits.max_functions))?;
                for ty in reader {
                    func_types.push(ty.map_err(invalid)?);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table.map_err(invalid)?;
                    tables += 1;
                    if table.ty.initial > limits.max_table_elements {
                        return Err(DeployError::Table(format!(
                            "a table starts with {} elements, limit {}",
                            table.ty.initial, limits.max_table_elements
                        )));
                    }
                }
                if tables > u64::from(limits.max_tables) {
                    return Err(DeployError::Table(format!(
                        "{tables} tables, limit {}",
                        limits.max_tables
                    )));
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory.map_err(invalid)?;
                    memories += 1;
                    if memory.memory64 || memory.shared || memory.page_size_log2.is_some() {
                        return Err(DeployError::UnsupportedMemory);
                    }
                    if memory.initial > limits.max_initial_memory_pages {
                        return Err(DeployError::InitialMemoryTooLarge {
                            pages: memory.initial,
                            max: limits.max_initial_memory_pages,
                        });
                    }
                    initial_memory_pages = memory.initial;
                }
            }
            Payload::GlobalSection(reader) => {
                globals += u64::from(reader.count());
                too_many("globals", globals, u64::from(limits.max_globals))?;
            }
            Payload::ExportSection(reader) => {
                too_many(
                    "exports",
                    u64::from(reader.count()),
                    u64::from(limits.max_exports),
                )?;
                for export in reader {
                    let export = export.map_err(invalid)?;
                    match export.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => {
                            let ft = func_types
                                .get(export.index as usize)
                                .and_then(|ty| types.get(*ty as usize))
                                .ok_or_else(|| {
                                    DeployError::InvalidWasm("export of an unknown function".into())
                                })?;
                            if ft.params() != [ValType::I32] || ft.results() != [ValType::I32] {
                                return Err(DeployError::EntrySignature {
                                    name: export.name.to_string(),
                                    found: signature_text(ft.params(), ft.results()),
                                });
                            }
                            entry_points.insert(export.name.to_string());
                        }
                        ExternalKind::Memory if export.name == MEMORY_EXPORT => {
                            memory_exported = true;
                        }
                        _ => {}
                    }
                }
            }
            Payload::StartSection { .. } => return Err(DeployError::StartFunction),
            Payload::DataSection(reader) => {
                too_many(
                    "data segments",
                    u64::from(reader.count()),
                    u64::from(limits.max_data_segments),
                )?;
            }
            Payload::CodeSectionEntry(body) => {
                let index = imported_funcs + code_index;
                code_index += 1;
                let size = body.range().len();
                if size > limits.max_function_body_bytes {
                    return Err(DeployError::FunctionTooLarge {
                        index,
                        bytes: size,
                        max: limits.max_function_body_bytes,
                    });
                }
                let params = func_types
                    .get(index as usize)
                    .and_then(|ty| types.get(*ty as usize))
                    .map_or(0, |ft| ft.params().len() as u64);
                let mut locals = params;
                for local in body.get_locals_reader().map_err(invalid)? {
                    let (count, _) = local.map_err(invalid)?;
                    locals = locals.saturating_add(u64::from(count));
                }
                too_many(
                    "locals in one function",
                    locals,
                    u64::from(limits.max_locals_per_function),
                )?;
            }
            _ => {}
        }
    }

    match memories {
        0 => return Err(DeployError::NoMemory),
        1 => {}
        n => return Err(DeployError::TooManyMemories(n)),
    }
    if !memory_exported {
        return Err(DeployError::MemoryNotExported);
    }
    if entry_points.is_empty() {
        return Err(DeployError::NoEntryPoints);
    }
    Ok(ModuleInfo {
        entry_points,
        initial_memory_pages,
    })
}
