//! The one wasmtime [`Engine`] of a runtime, configured for deterministic metering.
//!
//! - **Fuel**, never epochs: fuel counts operators, so the same call burns the same gas on every
//!   machine; epochs count wall-clock ticks.
//! - **NaN canonicalization**: float results are bit-identical across CPUs.
//! - Only the deterministic "lime1" feature set is enabled (see [`crate::validate`]): SIMD,
//!   relaxed SIMD, threads, multi-memory, memory64, GC, reference types, tail calls, exceptions and
//!   stack switching are off, so such modules are refused by wasmtime too, not only by our checks.
//! - A fixed `max_wasm_stack`: stack overflow happens at the same depth on every node.
//! - The **pooling allocator** with copy-on-write memory initialization: instantiating a contract
//!   reuses a pre-reserved slot instead of mapping fresh memory (see `benches/`).
//! - Reference types, GC and exceptions are not compiled into our wasmtime (its `gc` feature is
//!   off), so those proposals are unavailable, not merely disabled.
//! - No backtraces, unwind info or address maps: contracts get typed outcomes, not stack traces.
//! - **Address space per memory: the contract's limit, not 4 GiB.** wasmtime's default reserves
//!   4 GiB plus 32 MiB guards on each side for every linear memory, so that a 32-bit index can
//!   never leave the reservation and no load or store needs a bounds check. With the pooling
//!   allocator that is per slot, up front: 16 slots (`node-lite exec`) took 64 GiB of address
//!   space and failed under `ulimit -v 4000000` ("mmap failed to reserve"). A contract's memory
//!   can never grow past [`Limits::max_memory_bytes`](crate::Limits) (4 MiB by default), so the
//!   reservation is exactly that, with [`MEMORY_GUARD_BYTES`] of guard on each side: ≈ 16.1 MiB
//!   per slot (≈ 258 MiB for 16 slots, ≈ 16 GiB of address space, not memory, for a node's
//!   1,000). The price: the index of every memory access is compared with the (constant) bound,
//!   one compare and branch that the 4 GiB layout elides; the guard still covers constant
//!   offsets up to its size. Memories never move (the reservation is their maximum).

use crate::config::RuntimeConfig;
use crate::error::RuntimeError;
use std::hash::{Hash, Hasher};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig};

/// The guard region before and after each linear memory: a wasm page. An access whose constant
/// offset is below it needs only the index compared with the bound; larger offsets are checked
/// in full.
pub const MEMORY_GUARD_BYTES: u64 = 64 * 1024;

/// Bumped whenever the cache file layout or the meaning of a compiled artifact changes.
const ARTIFACT_FORMAT: &[u8] = b"sandbox-artifact-v1";

/// Build the engine for `config`.
///
/// # Errors
/// When wasmtime refuses the configuration (e.g. the pool cannot reserve its memory).
pub fn build_engine(config: &RuntimeConfig) -> Result<Engine, RuntimeError> {
    let limits = &config.limits;
    let mut c = Config::new();
    c.consume_fuel(true)
        .operator_cost(config.operator_costs.to_wasmtime())
        .cranelift_nan_canonicalization(true)
        .cranelift_opt_level(OptLevel::Speed)
        .max_wasm_stack(limits.max_wasm_stack_bytes)
        .wasm_simd(false)
        .wasm_relaxed_simd(false)
        .wasm_multi_memory(false)
        .wasm_memory64(false)
        .wasm_tail_call(false)
        .wasm_stack_switching(false)
        .wasm_wide_arithmetic(false)
        .wasm_custom_page_sizes(false)
        .wasm_extended_const(true)
        .wasm_bulk_memory(true)
        .wasm_backtrace_max_frames(None)
        .native_unwind_info(false)
        .generate_address_map(false)
        .memory_init_cow(true)
        .memory_reservation(limits.max_memory_bytes() as u64)
        .memory_guard_size(MEMORY_GUARD_BYTES)
        .memory_reservation_for_growth(0)
        .memory_may_move(false);
    if config.pooling {
        let mut pool = PoolingAllocationConfig::new();
        pool.total_core_instances(config.pooled_instances)
            .total_memories(config.pooled_instances)
            .total_tables(config.pooled_instances)
            .max_memories_per_module(1)
            .max_tables_per_module(limits.max_tables)
            .max_memory_size(limits.max_memory_bytes())
            .table_elements(limits.max_table_elements as usize)
            .linear_memory_keep_resident(config.memory_keep_resident_bytes)
            .table_keep_resident(1 << 16);
        c.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    Engine::new(&c).map_err(|e| RuntimeError::Engine(format!("{e:#}")))
}

/// A 32-byte fingerprint of everything a compiled artifact depends on: wasmtime's own
/// compatibility hash (version, target, compiler settings, fuel tunables, the operator cost
/// table), our format tag and the gas schedule's fingerprint
/// ([`RuntimeConfig::gas_schedule_fingerprint`]). Disk cache entries carry it; an entry with
/// another fingerprint is never loaded.
pub(crate) fn engine_fingerprint(engine: &Engine, gas_schedule: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Blake2Hasher(blake2b_simd::Params::new().hash_length(32).to_state());
    hasher.0.update(ARTIFACT_FORMAT);
    hasher.0.update(gas_schedule);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let mut out = [0u8; 32];
    out.copy_from_slice(hasher.0.finalize().as_bytes());
    out
}

/// Feeds `Hash` output into BLAKE2b, so the fingerprint is stable across processes and Rust
/// versions (unlike `DefaultHasher`).
struct Blake2Hasher(blake2b_simd::State);

impl Hasher for Blake2Hasher {
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest.as_bytes()[..8]);
        u64::from_le_bytes(first)
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}
