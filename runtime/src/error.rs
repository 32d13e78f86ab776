//! Host-side errors: why a module was refused, why the store failed.
//!
//! Contract failures are not here: they are [`CallError`](crate::CallError) values inside a
//! receipt. These are the errors of the layer around the contract.

use crate::cache::ModuleError;
use host_api::ContractId;

pub use state::StoreError;

/// Why a module was refused at deploy. Nothing is stored when this is returned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeployError {
    /// The module is larger than the limit.
    #[error("module is {size} bytes, over the {max}-byte limit")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The bytes are not a valid wasm module of the allowed feature set.
    #[error("invalid wasm: {0}")]
    InvalidWasm(String),
    /// The module defines no memory.
    #[error("the module defines no memory; exactly one is required")]
    NoMemory,
    /// The module defines more than one memory.
    #[error("the module defines {0} memories; exactly one is allowed")]
    TooManyMemories(u32),
    /// The module imports a memory instead of defining one.
    #[error("memories cannot be imported (`{module}.{name}`)")]
    ImportedMemory {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// The memory is shared or 64-bit.
    #[error("the memory must be a plain 32-bit, non-shared memory")]
    UnsupportedMemory,
    /// The memory's initial size is over the limit.
    #[error("the memory starts at {pages} pages, over the limit of {max}")]
    InitialMemoryTooLarge {
        /// Initial pages.
        pages: u64,
        /// The limit.
        max: u64,
    },
    /// The memory is not exported as `memory`.
    #[error("the memory must be exported as `memory`")]
    MemoryNotExported,
    /// A table is too large, imported, or there are too many.
    #[error("table limit: {0}")]
    Table(String),
    /// An import outside the host-api allow-list.
    #[error(
        "forbidden import `{module}.{name}`: only the host functions of `host_v1` may be imported"
    )]
    ForbiddenImport {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// An allowed host function imported with the wrong signature.
    #[error("import `host_v1.{name}` has signature {found}, expected {expected}")]
    ImportSignature {
        /// The host function.
        name: String,
        /// What the ABI says.
        expected: String,
        /// What the module declares.
        found: String,
    },
    /// An exported function whose signature is not `(i32) -> i32`.
    #[error("export `{name}` has signature {found}; entry points must be (i32) -> i32")]
    EntrySignature {
        /// The export.
        name: String,
        /// What the module declares.
        found: String,
    },
    /// The module has no entry point at all.
    #[error("the module exports no function: a contract needs at least one entry point")]
    NoEntryPoints,
    /// A start function (code that would run at every instantiation, unmetered by the ABI).
    #[error("start functions are not allowed")]
    StartFunction,
    /// A count over its limit (functions, globals, data segments, exports, locals…).
    #[error("too many {what}: {count}, limit {max}")]
    TooMany {
        /// What was counted.
        what: &'static str,
        /// How many.
        count: u64,
        /// The limit.
        max: u64,
    },
    /// A function body over the size limit.
    #[error("function {index} has a {bytes}-byte body, over the {max}-byte limit")]
    FunctionTooLarge {
        /// The function index.
        index: u32,
        /// Body size.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// The module passed validation but could not be compiled and linked (wasmtime refused
    /// it, or the store failed while it was being cached): which step, for which code hash,
    /// with wasmtime's message. Boxed: it keeps `DeployError` small.
    #[error("the module cannot be compiled: {0}")]
    Compile(Box<ModuleError>),
    /// The module compiled but cannot be instantiated (a data or element segment outside its
    /// memory or table), so no call could ever run.
    #[error("the module cannot be instantiated: {0}")]
    Instantiation(String),
    /// A contract with this id already exists.
    #[error("contract {0} already exists")]
    AlreadyDeployed(ContractId),
    /// The gas limit does not cover the deploy's price
    /// ([`deploy_price`](crate::gas::deploy_price)); nothing was validated or compiled.
    #[error("deploying costs {price} gas, over the limit of {gas_limit}")]
    OutOfGas {
        /// The deploy's price.
        price: u64,
        /// The limit it was given.
        gas_limit: u64,
    },
    /// The state store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DeployError {
    /// A short stable name of the variant, for JSON output and reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::InvalidWasm(_) => "invalid_wasm",
            Self::NoMemory => "no_memory",
            Self::TooManyMemories(_) => "too_many_memories",
            Self::ImportedMemory { .. } => "imported_memory",
            Self::UnsupportedMemory => "unsupported_memory",
            Self::InitialMemoryTooLarge { .. } => "initial_memory_too_large",
            Self::MemoryNotExported => "memory_not_exported",
            Self::Table(_) => "table_limit",
            Self::ForbiddenImport { .. } => "forbidden_import",
            Self::ImportSignature { .. } => "import_signature",
            Self::EntrySignature { .. } => "entry_signature",
            Self::NoEntryPoints => "no_entry_points",
            Self::StartFunction => "start_function",
            Self::TooMany { .. } => "too_many",
            Self::FunctionTooLarge { .. } => "function_too_large",
            Self::Compile(_) => "compile_failed",
            Self::Instantiation(_) => "instantiation_failed",
            Self::AlreadyDeployed(_) => "already_deployed",
            Self::OutOfGas { .. } => "out_of_gas",
            Self::Store(_) => "store_error",
        }
    }
}

/// Errors of building a runtime.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// wasmtime refused the engine configuration.
    #[error("engine configuration refused: {0}")]
    Engine(String),
    /// The cache directory could not be created.
    #[error("cannot create module cache directory {path}: {message}")]
    CacheDir {
        /// The directory.
        path: String,
        /// The OS error.
        message: String,
    },
}

/// A failure of the host while running a call: not the contract's fault, so not a receipt.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// The state store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A deployed contract's module could not be loaded or compiled.
    #[error("cannot load contract module: {0}")]
    Module(#[from] ModuleError),
    /// The instance pool is exhausted: more instances live at once than
    /// [`RuntimeConfig::pooled_instances`](crate::RuntimeConfig) (wasmtime's message).
    #[error("instance pool exhausted: {0}")]
    PoolExhausted(String),
    /// The instance could not be created or run for another reason.
    #[error("cannot instantiate contract: {0}")]
    Instantiate(String),
    /// An ordinary call named [`Address::PROTOCOL`](host_api::Address::PROTOCOL) as its caller:
    /// only [`Session::call_protocol`](crate::Session::call_protocol) may.
    #[error("the protocol address is reserved for host-only calls")]
    ReservedCaller,
}
