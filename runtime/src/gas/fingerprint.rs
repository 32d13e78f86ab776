//! The gas schedule's version and fingerprint: what a chain's genesis pins.

use super::{OperatorCosts, PriceTable};

/// The version of the gas schedule: bumped whenever the meaning of a price or an operator
/// class changes (a new class, a price charged at another moment), so that two nodes whose
/// tables happen to hash alike under different rules still disagree.
///
/// v11: a non-resident module's load is paid once per session (the first frame that runs it;
/// the session keeps it warm within [`MAX_WARM_MODULES`](crate::MAX_WARM_MODULES) and
/// [`MAX_WARM_BYTECODE_BYTES`](crate::MAX_WARM_BYTECODE_BYTES), both hashed below) instead of
/// once per call tree.
pub const GAS_SCHEDULE_VERSION: u32 = 11;

/// The 32-byte fingerprint of a gas schedule: BLAKE2b-256 over the tag
/// `sandbox-gas-schedule`, [`GAS_SCHEDULE_VERSION`], every price of `prices`, every class
/// cost of `operators`, every limit of `limits` and the bounds of a session's warm modules, in
/// declaration order, as little-endian integers. Gas is consensus, and so are the limits (a
/// call that grows its memory to 5 MiB succeeds under one limit and stops with `MemoryLimit`
/// under another): a chain's genesis pins this value and a node whose schedule or limits
/// differ must refuse the chain. The engine fingerprint (the compiled-artifact cache key)
/// includes it.
pub fn gas_schedule_fingerprint(
    prices: &PriceTable,
    operators: &OperatorCosts,
    limits: &crate::config::Limits,
) -> [u8; 32] {
    // Destructured, so a new field cannot be left out of the fingerprint.
    let PriceTable {
        call_base,
        call_refused,
        call_refused_early,
        deploy: deploy_prices,
        load: load_prices,
        host_call_base,
        copy_per_byte,
        storage_read_base,
        storage_read_per_byte,
        storage_write_base,
        storage_write_per_byte,
        storage_remove_base,
        storage_commit_per_key,
        storage_commit_per_byte,
        emit_base,
        emit_per_byte,
        blake2b_base,
        blake2b_per_byte,
        debug_base,
        debug_per_byte,
        memory_grow_per_page,
        memory_initial_per_page,
        memory_initial_free_pages,
        ed25519_verify_base,
        ed25519_verify_per_byte,
        bls_verify_base,
        bls_verify_per_byte,
        plonk_verify_base,
        plonk_verify_per_public_input,
        plonk_verify_per_byte,
    } = prices;
    let OperatorCosts {
        integer,
        compare,
        bit_count,
        local,
        global,
        multiply,
        divide,
        float,
        float_div_sqrt,
        float_min_max,
        float_round,
        conversion,
        load,
        store,
        memory_size,
        memory_grow,
        call,
        call_indirect,
        ret,
        branch,
        if_else,
        br_table,
        select,
        loop_entry,
        bulk,
        bulk_per_byte,
    } = operators;
    let crate::config::Limits {
        max_module_bytes,
        max_initial_memory_pages,
        max_memory_pages,
        max_tables,
        max_table_elements,
        max_functions,
        max_locals_per_function,
        max_function_body_bytes,
        max_globals,
        max_data_segments,
        max_exports,
        max_types,
        max_function_type_arity,
        max_wasm_stack_bytes,
        max_call_depth,
        max_recorded_frames,
    } = limits;
    let mut state = blake2b_simd::Params::new().hash_length(32).to_state();
    state.update(b"sandbox-gas-schedule");
    state.update(&GAS_SCHEDULE_VERSION.to_le_bytes());
    for price in [
        call_base,
        call_refused,
        call_refused_early,
        host_call_base,
        copy_per_byte,
        storage_read_base,
        storage_read_per_byte,
        storage_write_base,
        storage_write_per_byte,
        storage_remove_base,
        storage_commit_per_key,
        storage_commit_per_byte,
        emit_base,
        emit_per_byte,
        blake2b_base,
        blake2b_per_byte,
        debug_base,
        debug_per_byte,
        memory_grow_per_page,
        memory_initial_per_page,
        memory_initial_free_pages,
        ed25519_verify_base,
        ed25519_verify_per_byte,
        bls_verify_base,
        bls_verify_per_byte,
        plonk_verify_base,
        plonk_verify_per_public_input,
        plonk_verify_per_byte,
    ] {
        state.update(&price.to_le_bytes());
    }
    for price in deploy_prices
        .fields()
        .into_iter()
        .chain(load_prices.fields())
    {
        state.update(&price.to_le_bytes());
    }
    state.update(&[
        *integer,
        *compare,
        *bit_count,
        *local,
        *global,
        *multiply,
        *divide,
        *float,
        *float_div_sqrt,
        *float_min_max,
        *float_round,
        *conversion,
        *load,
        *store,
        *memory_size,
        *memory_grow,
        *call,
        *call_indirect,
        *ret,
        *branch,
        *if_else,
        *br_table,
        *select,
        *loop_entry,
        *bulk,
        *bulk_per_byte,
    ]);
    for limit in [
        *max_module_bytes as u64,
        *max_initial_memory_pages,
        *max_memory_pages,
        u64::from(*max_tables),
        *max_table_elements,
        u64::from(*max_functions),
        u64::from(*max_locals_per_function),
        *max_function_body_bytes as u64,
        u64::from(*max_globals),
        u64::from(*max_data_segments),
        u64::from(*max_exports),
        u64::from(*max_types),
        u64::from(*max_function_type_arity),
        *max_wasm_stack_bytes as u64,
        *max_call_depth as u64,
        *max_recorded_frames as u64,
        // The warm set's bounds decide which loads are paid again (`load.rs`).
        crate::load::MAX_WARM_MODULES as u64,
        crate::load::MAX_WARM_BYTECODE_BYTES,
    ] {
        state.update(&limit.to_le_bytes());
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(state.finalize().as_bytes());
    out
}
