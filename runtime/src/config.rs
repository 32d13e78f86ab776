//! Every limit and price of the sandbox, in one place.
//!
//! Each limit is a named `DEFAULT_*` constant with its unit in its name, and a field of
//! [`Limits`] so that an embedder (or a test) can tune it. Limits of the ABI itself (key, value,
//! argument and return sizes) live in [`host_api::limits`] because contracts must agree with them.

use crate::CodeHash;
use crate::gas::{OperatorCosts, PriceTable, gas_schedule_fingerprint};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Largest module accepted at deploy, in bytes.
pub const DEFAULT_MAX_MODULE_BYTES: usize = 1024 * 1024;
/// Most initial pages (64 KiB each) the module's memory may declare.
pub const DEFAULT_MAX_INITIAL_MEMORY_PAGES: u64 = 64;
/// Most pages a contract's memory may grow to during a call (4 MiB, the initial memory's limit
/// too): past it, a pointer chase waits on the memory for longer than any load price covers
/// (gas schedule v10; `gas.rs`, "Memory latency"). 256 (16 MiB) before.
pub const DEFAULT_MAX_MEMORY_PAGES: u64 = 64;
/// Most tables a module may define (imports of tables are refused).
pub const DEFAULT_MAX_TABLES: u32 = 1;
/// Most elements a table may have, initially and after growth.
pub const DEFAULT_MAX_TABLE_ELEMENTS: u64 = 4096;
/// Most functions (defined and imported) in a module.
pub const DEFAULT_MAX_FUNCTIONS: u32 = 10_000;
/// Most locals (parameters included) in one function.
pub const DEFAULT_MAX_LOCALS_PER_FUNCTION: u32 = 2_000;
/// Largest body of one function, in bytes.
pub const DEFAULT_MAX_FUNCTION_BODY_BYTES: usize = 128 * 1024;
/// Most globals (defined and imported) in a module.
pub const DEFAULT_MAX_GLOBALS: u32 = 256;
/// Most data segments in a module.
pub const DEFAULT_MAX_DATA_SEGMENTS: u32 = 1_024;
/// Most exports of a module.
pub const DEFAULT_MAX_EXPORTS: u32 = 256;
/// Most function types in a module.
pub const DEFAULT_MAX_TYPES: u32 = 1_024;
/// Most parameters or results of one function type.
pub const DEFAULT_MAX_FUNCTION_TYPE_ARITY: u32 = 32;
/// The native stack a call may use, in bytes. Fixed, so stack overflow happens at the same depth
/// on every node running the same build.
pub const DEFAULT_MAX_WASM_STACK_BYTES: usize = 512 * 1024;
/// Most frames of one call tree, the top-level call included (a contract calling a contract
/// calling… stops here with `CALL_DEPTH_EXCEEDED`).
pub const DEFAULT_MAX_CALL_DEPTH: usize = 16;
/// Most frames of one call tree a receipt records ([`Receipt::calls`](crate::Receipt), nested
/// calls of every depth together); the frames past it still run and are charged, and are
/// counted in [`Receipt::omitted_calls`](crate::Receipt). Bounds the receipt a call can make
/// the host build: refused nested calls cost little gas each, and without a cap 100 M gas bought
/// 411,308 recorded frames (128 MB of JSON).
pub const DEFAULT_MAX_RECORDED_FRAMES: usize = 1_024;
/// Instances the pooling allocator keeps slots for (live at once, across all sessions).
pub const DEFAULT_POOLED_INSTANCES: u32 = 1_000;
/// Bytes at the start of a pooled memory reset by `memset` (instead of `madvise`) when an
/// instance is freed; the rest goes back to the kernel. Measured with
/// `cargo bench -p benches --bench call_latency` (counter increment, 2-page memory): 0 → 11.1 µs,
/// 128 KiB → 3.3 µs; 1 MiB on a 17-page memory cost 16.9 µs. Contracts built by
/// `contracts/build.sh` use a 64 KiB shadow stack so their whole memory fits in this range.
pub const DEFAULT_MEMORY_KEEP_RESIDENT_BYTES: usize = 128 * 1024;
/// Most bytes of compiled code the in-memory module cache keeps (least recently used out
/// first; the disk cache keeps everything). The bundled contracts compile to 100–400 KiB each,
/// so this holds several hundred contracts.
pub const DEFAULT_MODULE_CACHE_BYTES: usize = 256 * 1024 * 1024;
/// Most modules the in-memory module cache keeps, however small.
pub const DEFAULT_MODULE_CACHE_MODULES: usize = 4_096;

/// The bounds of the in-memory module cache (see `cache.rs`). Which modules are in memory
/// never changes gas: a session pays for every distinct non-resident module it loads (see
/// [`RuntimeConfig::resident_code`] and `load.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModuleCacheLimits {
    /// See [`DEFAULT_MODULE_CACHE_BYTES`].
    pub max_bytes: usize,
    /// See [`DEFAULT_MODULE_CACHE_MODULES`].
    pub max_modules: usize,
}

impl Default for ModuleCacheLimits {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MODULE_CACHE_BYTES,
            max_modules: DEFAULT_MODULE_CACHE_MODULES,
        }
    }
}

/// The size and shape limits applied at deploy and during calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// See [`DEFAULT_MAX_MODULE_BYTES`].
    pub max_module_bytes: usize,
    /// See [`DEFAULT_MAX_INITIAL_MEMORY_PAGES`].
    pub max_initial_memory_pages: u64,
    /// See [`DEFAULT_MAX_MEMORY_PAGES`].
    pub max_memory_pages: u64,
    /// See [`DEFAULT_MAX_TABLES`].
    pub max_tables: u32,
    /// See [`DEFAULT_MAX_TABLE_ELEMENTS`].
    pub max_table_elements: u64,
    /// See [`DEFAULT_MAX_FUNCTIONS`].
    pub max_functions: u32,
    /// See [`DEFAULT_MAX_LOCALS_PER_FUNCTION`].
    pub max_locals_per_function: u32,
    /// See [`DEFAULT_MAX_FUNCTION_BODY_BYTES`].
    pub max_function_body_bytes: usize,
    /// See [`DEFAULT_MAX_GLOBALS`].
    pub max_globals: u32,
    /// See [`DEFAULT_MAX_DATA_SEGMENTS`].
    pub max_data_segments: u32,
    /// See [`DEFAULT_MAX_EXPORTS`].
    pub max_exports: u32,
    /// See [`DEFAULT_MAX_TYPES`].
    pub max_types: u32,
    /// See [`DEFAULT_MAX_FUNCTION_TYPE_ARITY`].
    pub max_function_type_arity: u32,
    /// See [`DEFAULT_MAX_WASM_STACK_BYTES`].
    pub max_wasm_stack_bytes: usize,
    /// See [`DEFAULT_MAX_CALL_DEPTH`].
    pub max_call_depth: usize,
    /// See [`DEFAULT_MAX_RECORDED_FRAMES`].
    pub max_recorded_frames: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_module_bytes: DEFAULT_MAX_MODULE_BYTES,
            max_initial_memory_pages: DEFAULT_MAX_INITIAL_MEMORY_PAGES,
            max_memory_pages: DEFAULT_MAX_MEMORY_PAGES,
            max_tables: DEFAULT_MAX_TABLES,
            max_table_elements: DEFAULT_MAX_TABLE_ELEMENTS,
            max_functions: DEFAULT_MAX_FUNCTIONS,
            max_locals_per_function: DEFAULT_MAX_LOCALS_PER_FUNCTION,
            max_function_body_bytes: DEFAULT_MAX_FUNCTION_BODY_BYTES,
            max_globals: DEFAULT_MAX_GLOBALS,
            max_data_segments: DEFAULT_MAX_DATA_SEGMENTS,
            max_exports: DEFAULT_MAX_EXPORTS,
            max_types: DEFAULT_MAX_TYPES,
            max_function_type_arity: DEFAULT_MAX_FUNCTION_TYPE_ARITY,
            max_wasm_stack_bytes: DEFAULT_MAX_WASM_STACK_BYTES,
            max_call_depth: DEFAULT_MAX_CALL_DEPTH,
            max_recorded_frames: DEFAULT_MAX_RECORDED_FRAMES,
        }
    }
}

impl Limits {
    /// The memory limit in bytes.
    pub fn max_memory_bytes(&self) -> usize {
        (self.max_memory_pages as usize).saturating_mul(host_api::limits::WASM_PAGE_BYTES)
    }
}

/// Everything a [`Runtime`](crate::Runtime) is built from.
#[derive(Clone, Debug)]
pub struct RuntimeConfig {
    /// Deploy and call limits.
    pub limits: Limits,
    /// Gas prices of the call and host functions.
    pub prices: PriceTable,
    /// Fuel cost of each class of wasm operator.
    pub operator_costs: OperatorCosts,
    /// Where compiled modules are cached on disk; `None` keeps them in memory only (then a
    /// module evicted from memory is compiled again when next called).
    pub cache_dir: Option<PathBuf>,
    /// The bounds of the in-memory module cache.
    pub module_cache: ModuleCacheLimits,
    /// The **resident** modules (code hashes): pinned in the memory cache for the runtime's
    /// life, and loaded for free by a call (every other module pays
    /// [`load_price`](crate::gas::load_price) at its first frame in a session; see `gas.rs`,
    /// "Cold loads"). Gas depends on this set, so it is consensus: an embedder sets it from
    /// its chain's genesis (node-lite: the code of the genesis contracts, which the genesis
    /// root covers), never from a node's local choice. Empty by default.
    pub resident_code: BTreeSet<CodeHash>,
    /// Keep the contracts' debug prints in receipts. Off on a node; on for local testing.
    pub dev_mode: bool,
    /// Use wasmtime's pooling allocator (fast instantiation; reserves virtual memory up front).
    pub pooling: bool,
    /// See [`DEFAULT_POOLED_INSTANCES`].
    pub pooled_instances: u32,
    /// See [`DEFAULT_MEMORY_KEEP_RESIDENT_BYTES`].
    pub memory_keep_resident_bytes: usize,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            prices: PriceTable::default(),
            operator_costs: OperatorCosts::default(),
            cache_dir: None,
            module_cache: ModuleCacheLimits::default(),
            resident_code: BTreeSet::new(),
            dev_mode: false,
            pooling: true,
            pooled_instances: DEFAULT_POOLED_INSTANCES,
            memory_keep_resident_bytes: DEFAULT_MEMORY_KEEP_RESIDENT_BYTES,
        }
    }
}

impl RuntimeConfig {
    /// The configuration for tests: dev mode on, a small pool, no disk cache.
    pub fn test() -> Self {
        Self {
            dev_mode: true,
            pooled_instances: 64,
            ..Self::default()
        }
    }

    /// The fingerprint of this configuration's gas schedule (prices, operator costs and
    /// limits): what a chain's genesis pins. See [`gas_schedule_fingerprint`].
    pub fn gas_schedule_fingerprint(&self) -> [u8; 32] {
        gas_schedule_fingerprint(&self.prices, &self.operator_costs, &self.limits)
    }

    /// Set the disk cache directory.
    pub fn with_cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Make the modules of `code_hashes` resident (see [`RuntimeConfig::resident_code`]).
    pub fn with_resident_code(mut self, code_hashes: impl IntoIterator<Item = CodeHash>) -> Self {
        self.resident_code.extend(code_hashes);
        self
    }

    /// Set dev mode (debug prints kept in receipts).
    pub fn with_dev_mode(mut self, on: bool) -> Self {
        self.dev_mode = on;
        self
    }
}
