//! Out-of-bounds pointers, memory growth and tables.

use super::*;

#[test]
fn out_of_bounds_pointer_to_any_host_function_traps() {
    let entries = [
        "oob_input_read",
        "oob_output_write",
        "oob_output_write_negative",
        "oob_storage_read_key",
        "oob_storage_read_dst",
        "oob_storage_write_key",
        "oob_storage_write_value",
        "oob_storage_remove",
        "oob_caller",
        "oob_self_id",
        "oob_emit_topic",
        "oob_emit_data",
        "oob_blake2b_256_src",
        "oob_blake2b_256_dst",
        "oob_abort",
        "oob_debug_print",
    ];
    // Every host function taking a pointer is covered here (the others take none), except the
    // cross-contract and crypto functions, whose own files (`calls.rs`, `crypto.rs`) cover them.
    let covered_elsewhere = [
        "call",
        "call_output_read",
        "ed25519_verify",
        "bls_verify",
        "plonk_verify",
    ];
    let with_pointer: Vec<&str> = HOST_FUNCTIONS
        .iter()
        .filter(|f| !f.params.is_empty() && !covered_elsewhere.contains(&f.name))
        .map(|f| f.name)
        .collect();
    for name in &with_pointer {
        assert!(
            entries
                .iter()
                .any(|e| e.starts_with(&format!("oob_{name}"))),
            "{name} not covered"
        );
    }
    let (_store, mut session, id) = harness();
    for entry in entries {
        // input_read needs a non-empty argument to write anything.
        let r = call(&mut session, id, entry, b"xy");
        assert_eq!(
            r.result,
            Err(CallError::Trap(TrapKind::MemoryOutOfBounds)),
            "{entry}"
        );
        assert!(
            r.gas_spent > 52_000 && r.gas_spent < GAS,
            "{entry}: {}",
            r.gas_spent
        );
        assert_eq!(
            session.storage(&id, b"key"),
            Ok(None),
            "{entry}: write not rolled back"
        );
    }
}

#[test]
fn pointers_at_the_end_of_memory() {
    let (_store, mut session, id) = harness();
    // 32 bytes ending exactly at the end of memory: fine.
    assert_eq!(
        call(&mut session, id, "caller_at_end", &[]).result,
        Ok(vec![])
    );
    // Zero bytes at the end of memory: fine; one past the end: out of bounds.
    assert_eq!(
        call(&mut session, id, "empty_output_at_end", &[]).result,
        Ok(vec![])
    );
    assert_eq!(
        call(&mut session, id, "empty_output_past_end", &[]).result,
        Err(CallError::Trap(TrapKind::MemoryOutOfBounds))
    );
}

#[test]
fn memory_grows_to_exactly_the_limit_and_one_page_more_is_memory_limit() {
    assert_eq!(DEFAULT_MAX_MEMORY_PAGES, 64);
    let (_store, mut session, id) = harness();
    // Growing 60 pages costs 60 × 340,000 gas: these calls get enough for the whole limit.
    let call = |s: &mut Session, id, f: &str, args: &[u8]| {
        s.call(ALICE, id, f, args, MEMORY_GAS)
            .expect("no host error")
    };
    let max = DEFAULT_MAX_MEMORY_PAGES as u32;
    // The harness starts at 4 pages. Grow by max-4 at once: memory.grow returns the old size.
    let r = call(&mut session, id, "grow", &words(&[0, max - 4]));
    assert_eq!(i32_output(&r), 4);
    // In two steps, the second one landing exactly on the limit, then a zero grow at the limit.
    assert_eq!(
        i32_output(&call(&mut session, id, "grow", &words(&[20, max - 24]))),
        24
    );
    assert_eq!(
        i32_output(&call(&mut session, id, "grow", &words(&[max - 4, 0]))),
        64
    );

    let page = WASM_PAGE_BYTES as u64;
    let limit_bytes = DEFAULT_MAX_MEMORY_PAGES * page;
    let r = call(&mut session, id, "grow", &words(&[0, max - 3]));
    assert_eq!(
        r.result,
        Err(CallError::MemoryLimit {
            requested_bytes: 65 * page,
            limit_bytes
        })
    );
    let r = call(&mut session, id, "grow", &words(&[max - 4, 1]));
    assert_eq!(
        r.result,
        Err(CallError::MemoryLimit {
            requested_bytes: 65 * page,
            limit_bytes
        })
    );
    // Each call starts from a fresh instance: the grown memory did not persist.
    assert_eq!(
        i32_output(&call(&mut session, id, "grow", &words(&[0, 0]))),
        4
    );
}

#[test]
fn memory_grow_past_the_declared_maximum_is_minus_one_and_past_the_limit_is_memory_limit() {
    // A memory declaring its own maximum of 3 pages.
    let code = wat(&format!(
        r#"(module {IMPORTS} (memory (export "memory") 1 3)
        (func (export "g") (param i32) (result i32)
          (call $input_read (i32.const 0))
          (i32.store (i32.const 0) (memory.grow (i32.load (i32.const 0))))
          (call $output_write (i32.const 0) (i32.const 4)) (i32.const 0)))"#
    ));
    let (_store, mut session) = session();
    let id = deploy(&mut session, &code);
    let grow = |s: &mut Session, pages: u32| {
        s.call(ALICE, id, "g", &pages.to_le_bytes(), MEMORY_GAS)
            .expect("no host error")
    };
    let page = WASM_PAGE_BYTES as u64;
    let limit_bytes = DEFAULT_MAX_MEMORY_PAGES * page;
    assert_eq!(i32_output(&grow(&mut session, 2)), 1);
    // Past the module's own maximum but within the runtime limit: plain wasm failure (-1).
    assert_eq!(i32_output(&grow(&mut session, 3)), -1);
    assert_eq!(i32_output(&grow(&mut session, 63)), -1);
    // Past the runtime limit: the limiter stops the call, whatever the declared maximum.
    for pages in [64u32, 65_535, u32::MAX] {
        assert_eq!(
            grow(&mut session, pages).result,
            Err(CallError::MemoryLimit {
                requested_bytes: (1 + u64::from(pages)) * page,
                limit_bytes
            }),
            "grow by {pages}"
        );
    }
}

// table.grow past DEFAULT_MAX_TABLE_ELEMENTS cannot be tested: `table.grow` is a
// reference-types instruction, which the lime1 feature set refuses at deploy (see
// `deploy_limits::reference_types_are_refused`), and there is no other way for a contract to
// grow a table. The limiter's `LimitKind::TableElements` path is unreachable from a contract.
#[test]
fn table_grow_is_refused_at_deploy() {
    let code = wat(r#"(module (memory (export "memory") 1) (table 1 funcref)
        (func (export "f") (param i32) (result i32)
          (drop (table.grow 0 (ref.null func) (i32.const 5000))) (i32.const 0)))"#);
    let (_store, mut session) = session();
    match session.deploy(OWNER, &code, 0) {
        Err(runtime::DeployError::InvalidWasm(msg)) => {
            assert!(
                msg.starts_with("reference types support is not enabled"),
                "{msg}"
            )
        }
        other => panic!("expected InvalidWasm, got {other:?}"),
    }
}

/// Enough gas to grow to the memory limit (64 pages at `memory_grow_per_page` each).
const MEMORY_GAS: u64 = 100_000_000;

#[test]
fn each_page_grown_costs_its_price() {
    let (_store, mut session, id) = harness();
    let per_page = PriceTable::default().memory_grow_per_page;
    // The session's first call pays the module's load; the two compared run it warm.
    call(&mut session, id, "grow", &words(&[0, 0]));
    let none = call(&mut session, id, "grow", &words(&[0, 0]));
    let ten = call(&mut session, id, "grow", &words(&[0, 10]));
    assert_eq!(i32_output(&ten), 4);
    assert_eq!(ten.gas_spent - none.gas_spent, 10 * per_page);
}

#[test]
fn growth_the_gas_limit_cannot_pay_stops_the_call_before_it_happens() {
    let (_store, mut session, id) = harness();
    let prices = PriceTable::default();
    let per_page = prices.memory_grow_per_page;
    // Room for exactly 5 pages after the call base and its initial memory (the few operators
    // of the call fit in the slack of less than one page). The module's load is paid by the
    // session's first call, which leaves it warm for the two below.
    let code = harness_code();
    let pages = runtime()
        .validate(&code)
        .expect("valid")
        .initial_memory_pages;
    call(&mut session, id, "grow", &words(&[0, 0]));
    let base = prices.call_base + runtime::gas::initial_memory_price(&prices, pages);
    let gas = base + 5 * per_page + per_page / 2;
    let grow = |s: &mut Session, pages: u32| {
        s.call(ALICE, id, "grow", &words(&[0, pages]), gas)
            .expect("no host error")
    };
    let at_limit = grow(&mut session, 5);
    assert_eq!(i32_output(&at_limit), 4);
    assert!(at_limit.gas_spent >= base + 5 * per_page);
    let past = grow(&mut session, 6);
    assert_eq!(past.result, Err(CallError::OutOfGas));
    assert_eq!(past.gas_spent, gas);
}
