//! Gas metering: golden values, the price table, running out. The exact arithmetic is written
//! in wasmtime's unit operator costs (`unit_cost_session`); `gas_golden_values` also pins the
//! same entries under the default (measured) table.

use super::*;
use integration_tests::unit_cost_session;

#[test]
fn infinite_loop_runs_out_of_gas_and_spends_exactly_the_limit() {
    let (store, mut session, id) = harness();
    for limit in [52_001, 100_000, 1_000_000, 3_333_333] {
        let r = session
            .call(ALICE, id, "spin", &[], limit)
            .expect("no host error");
        assert_eq!(r.result, Err(CallError::OutOfGas));
        assert_eq!(r.gas_limit, limit);
        assert_eq!(r.gas_spent, limit);
    }
    session.commit().expect("commit");
    assert!(store.contract_storage(&id).is_empty());
}

/// A contract whose entry `f` costs exactly 2 fuel (1 on function entry + 1 for `i32.const`).
const MINIMAL: &str = r#"(module (memory (export "memory") 1)
    (func (export "f") (param i32) (result i32) i32.const 0))"#;

#[test]
fn gas_limit_below_at_and_just_above_the_call_base_price() {
    let base = PriceTable::default().call_base;
    assert_eq!(base, 52_000);
    let (_store, mut session) = unit_cost_session();
    let id = deploy(&mut session, &wat(MINIMAL));
    let run =
        |s: &mut Session, limit: u64| s.call(ALICE, id, "f", &[], limit).expect("no host error");

    for limit in [0, 1, base - 1] {
        let r = run(&mut session, limit);
        assert_eq!(
            (r.result, r.gas_spent),
            (Err(CallError::OutOfGas), limit),
            "limit {limit}"
        );
    }
    // Exactly the call base: no fuel at all for the entry point.
    let r = run(&mut session, base);
    assert_eq!((r.result, r.gas_spent), (Err(CallError::OutOfGas), base));
    // wasmtime's check on function entry needs strictly more fuel than the entry's 1.
    let r = run(&mut session, base + 1);
    assert_eq!(
        (r.result, r.gas_spent),
        (Err(CallError::OutOfGas), base + 1)
    );
    // The base plus the entry's 2 fuel: succeeds with nothing left.
    let r = run(&mut session, base + 2);
    assert_eq!((r.result, r.gas_spent), (Ok(vec![]), base + 2));
    let r = run(&mut session, base + 3);
    assert_eq!((r.result, r.gas_spent), (Ok(vec![]), base + 2));
    // The largest limit: fuel above i64::MAX is kept in wasmtime's reserve; the count is exact.
    let r = run(&mut session, u64::MAX);
    assert_eq!((r.result, r.gas_spent), (Ok(vec![]), base + 2));
}

#[test]
fn host_function_that_cannot_pay_is_out_of_gas_without_doing_its_work() {
    // storage_write of key "key" (3) and value "hello" (5) costs 5 000 + 4 × 8 into the
    // journal, plus the commit's share (a key new to the tree, 8 bytes); the wasm before it
    // costs 1 (entry) + 4 (consts) + 1 (call) = 6; after it 1 (i32.const).
    let code = wat(&format!(
        r#"(module {IMPORTS} (memory (export "memory") 1) (data (i32.const 0) "keyhello")
        (func (export "f") (param i32) (result i32)
          (call $storage_write (i32.const 0) (i32.const 3) (i32.const 3) (i32.const 5))
          (i32.const 0)))"#
    ));
    let (_store, mut session) = unit_cost_session();
    let id = deploy(&mut session, &code);
    let write = 5_032 + COMMIT_KEY + COMMIT_BYTE * 8;
    let exact = 52_000 + 6 + write + 1;
    let r = session
        .call(ALICE, id, "f", &[], exact)
        .expect("no host error");
    assert_eq!((r.result, r.gas_spent), (Ok(vec![]), exact));
    assert_eq!(session.storage(&id, b"key"), Ok(Some(b"hello".to_vec())));

    let id2 = session.deploy(OWNER, &code, 1).expect("deploy");
    // One gas short of the host price: refused before writing.
    let r = session
        .call(ALICE, id2, "f", &[], 52_000 + 6 + write - 1)
        .expect("no host error");
    assert_eq!(
        (r.result, r.gas_spent),
        (Err(CallError::OutOfGas), 52_000 + 6 + write - 1)
    );
    assert_eq!(session.storage(&id2, b"key"), Ok(None));
}

#[test]
fn gas_left_reports_the_remaining_gas_and_decreases() {
    let (_store, mut session, id) = unit_cost_harness();
    let r = call(&mut session, id, "gas2", &[]);
    let out = r.result.clone().expect("ok");
    let first = i64::from_le_bytes(out[..8].try_into().unwrap()) as u64;
    let second = i64::from_le_bytes(out[8..].try_into().unwrap()) as u64;
    // Before the first reading: call base 52 000, function entry 1, `i32.const` 1, `call` 1, and
    // gas_left's own price 200.
    assert_eq!(first, GAS - 52_000 - 3 - 200);
    // Between the readings: `i64.store` 1, `i32.const` 1, `call` 1, and the price 200.
    assert_eq!(first - second, 203);
    // After: `i64.store` 1, 2 × `i32.const` + `call` 3, output_write 200 + 16 bytes,
    // `i32.const` 1.
    assert_eq!(r.gas_spent, GAS - second + 1 + 3 + 216 + 1);
    assert_eq!(r.gas_spent, 52_627);
}

#[test]
fn the_same_call_in_two_fresh_sessions_spends_the_same_gas() {
    let run = || {
        let (_store, mut session, id) = harness();
        let receipts = vec![
            call(&mut session, id, "set", &set_arg(b"key", &[7; 300])),
            call(&mut session, id, "get", &get_arg(1000, b"key")),
            call(&mut session, id, "emit_sized", &words(&[10, 100, 17])),
            call(&mut session, id, "hash", &[1; 999]),
            call(&mut session, id, "within", &[]),
            session
                .call(ALICE, id, "spin", &[], 77_777)
                .expect("no host error"),
            call(&mut session, id, "grow", &words(&[0, 300])),
        ];
        (id, receipts)
    };
    let (id_a, a) = run();
    let (id_b, b) = run();
    assert_eq!(id_a, id_b);
    for (x, y) in a.iter().zip(&b) {
        assert!(x.gas_spent > 52_000);
        assert_eq!(x.gas_spent, y.gas_spent, "{}", x.function);
        assert_eq!(x, y);
    }
}

/// Golden gas values: each entry of this module, called with an empty argument (except
/// `input8`, called with 8 bytes), spends exactly the listed gas. The numbers are derived from
/// `PriceTable::default()` and, on `unit_cost_session`, wasmtime 48's default fuel costs (`wasmtime_environ::tunables::
/// default_operator_cost`): 1 per operator, 0 for `nop`, `drop`, `block`, `loop`, `else`,
/// `end`, `return` and `unreachable`, **plus 1 on every wasm function entry** (wasmtime starts
/// each function's count at 1 so that even an empty function costs something). Host functions
/// are not wasm functions: they cost their `call` operator (1) plus their price.
/// A change of prices or of metering changes these numbers and fails the test.
const GOLDEN: &str = r#"
  (memory (export "memory") 1)
  (data (i32.const 0) "keyhello0123456789")
  (func $inner (result i32) (i32.const 0))
  ;; entry 1 + i32.const 1
  (func (export "minimal") (param i32) (result i32) (i32.const 0))
  ;; entry 1 + 2 × i32.const (nop, drop: 0)
  (func (export "nops") (param i32) (result i32) nop nop nop i32.const 7 drop nop i32.const 0)
  ;; entry 1 + local.get, i32.const, i32.mul, i32.const, i32.and (5)
  (func (export "arith") (param i32) (result i32)
    local.get 0 i32.const 3 i32.mul i32.const 0 i32.and)
  ;; entry 1 + block 0 + i32.const 1 + br 1 + end 0
  (func (export "block_br") (param i32) (result i32) block (result i32) i32.const 0 br 0 end)
  ;; entry 1 + local.get 1 + if 1 + (else branch taken: else 0) i32.const 1 + end 0
  (func (export "if_else") (param i32) (result i32)
    local.get 0 if (result i32) i32.const 1 else i32.const 0 end)
  ;; entry 1 + i32.const, local.set (2) + loop 0 + 10 × (local.get, i32.const, i32.sub,
  ;; local.tee, br_if = 5) + end 0 + i32.const 1
  (func (export "loop10") (param i32) (result i32) (local $i i32)
    i32.const 10 local.set $i
    loop $l
      local.get $i i32.const 1 i32.sub local.tee $i br_if $l
    end
    i32.const 0)
  ;; entry 1 + call 1 + $inner's entry 1 + $inner's i32.const 1
  (func (export "call_wasm") (param i32) (result i32) call $inner)
  ;; entry 1 + 4 ops (const, const, call, const) + output_write 200 + 1 × 5 bytes
  (func (export "output5") (param i32) (result i32)
    (call $output_write (i32.const 3) (i32.const 5)) (i32.const 0))
  ;; entry 1 + 3 ops (const, call, const) + input_read 200 + 1 × 8 bytes of argument
  (func (export "input8") (param i32) (result i32)
    (call $input_read (i32.const 100)) (i32.const 0))
  ;; entry 1 + 3 ops (const, call, const) + caller 200 + 1 × 32 bytes
  (func (export "caller") (param i32) (result i32)
    (call $caller (i32.const 100)) (i32.const 0))
  ;; entry 1 + 2 ops (call, drop 0, const) + block_height 200
  (func (export "height") (param i32) (result i32) (drop (call $block_height)) (i32.const 0))
  ;; entry 1 + 6 ops (4 consts, call, const) + storage_write 5 000 + 4 × (3 + 5) bytes
  (func (export "write8") (param i32) (result i32)
    (call $storage_write (i32.const 0) (i32.const 3) (i32.const 3) (i32.const 5)) (i32.const 0))
  ;; entry 1 + 6 ops (4 consts, call, drop 0, const) + storage_read 31 000 + 2 × 3 key bytes
  ;; (key "012", never written, so no value bytes)
  (func (export "read_absent") (param i32) (result i32)
    (drop (call $storage_read (i32.const 8) (i32.const 3) (i32.const 100) (i32.const 16)))
    (i32.const 0))
  ;; entry 1 + write (5 ops + 5 000 + 4 × 8) + read (5 ops + 31 000 + 2 × 3 key bytes
  ;; + 2 × 5 value bytes found) + const 1
  (func (export "write_read") (param i32) (result i32)
    (call $storage_write (i32.const 0) (i32.const 3) (i32.const 3) (i32.const 5))
    (drop (call $storage_read (i32.const 0) (i32.const 3) (i32.const 100) (i32.const 16)))
    (i32.const 0))
  ;; entry 1 + 4 ops (2 consts, call, drop 0, const) + storage_remove 46 000 + 4 × 3 key bytes
  ;; + 2 × 5 bytes of the value it found ("hello", written by `write8` and `write_read`)
  (func (export "remove") (param i32) (result i32)
    (drop (call $storage_remove (i32.const 0) (i32.const 3))) (i32.const 0))
  ;; entry 1 + 6 ops (4 consts, call, const) + emit 1 000 + 2 × (1 + 4) bytes
  (func (export "emit") (param i32) (result i32)
    (call $emit (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 4)) (i32.const 0))
  ;; entry 1 + 5 ops (3 consts, call, const) + blake2b 1 900 + 10 × 10 bytes
  (func (export "blake10") (param i32) (result i32)
    (call $blake2b_256 (i32.const 8) (i32.const 10) (i32.const 100)) (i32.const 0))
  ;; entry 1 + 4 ops (2 consts, call, const) + debug_print 300 + 8 × 5 bytes
  (func (export "debug5") (param i32) (result i32)
    (call $debug_print (i32.const 3) (i32.const 5)) (i32.const 0))
  ;; entry 1 + 3 consts + memory.fill 1 + 1 per byte × 100 (wasmtime charges bulk memory
  ;; operations per unit) + const 1
  (func (export "fill100") (param i32) (result i32)
    (memory.fill (i32.const 100) (i32.const 7) (i32.const 100)) (i32.const 0))
  ;; entry 1 + 3 consts + memory.copy 1 + 1 per byte × 40 + const 1
  (func (export "copy40") (param i32) (result i32)
    (memory.copy (i32.const 200) (i32.const 0) (i32.const 40)) (i32.const 0))
"#;

/// The commit's share of a write (gas.rs, "Storage commit"): once per key a call tree writes
/// or removes, and per byte written.
const COMMIT_KEY: u64 = 80_000;
const COMMIT_BYTE: u64 = 75;

/// (entry, gas spent) = call_base 52 000 + function entry 1 + operators + host prices.
const GOLDEN_GAS: &[(&str, u64)] = &[
    ("minimal", 52_000 + 1 + 1),             // 52 002
    ("nops", 52_000 + 1 + 2),                // 52 003
    ("arith", 52_000 + 1 + 5),               // 52 006
    ("block_br", 52_000 + 1 + 2),            // 52 003
    ("if_else", 52_000 + 1 + 3),             // 52 004
    ("loop10", 52_000 + 1 + 2 + 10 * 5 + 1), // 52 054
    ("call_wasm", 52_000 + 1 + 1 + 1 + 1),   // 52 004
    ("output5", 52_000 + 1 + 4 + 200 + 5),   // 52 210
    ("input8", 52_000 + 1 + 3 + 200 + 8),    // 52 212
    ("caller", 52_000 + 1 + 3 + 200 + 32),   // 52 236
    ("height", 52_000 + 1 + 2 + 200),        // 52 203
    (
        "write8",
        52_000 + 1 + 6 + 5_000 + (4 + COMMIT_BYTE) * 8 + COMMIT_KEY,
    ),
    ("read_absent", 52_000 + 1 + 6 + 31_000 + 2 * 3), // 83 013
    (
        "write_read",
        52_000 + 1 + 5 + 5_000 + (4 + COMMIT_BYTE) * 8 + COMMIT_KEY + 5 + 31_000 + 6 + 10 + 1,
    ),
    (
        "remove",
        52_000 + 1 + 4 + 46_000 + (4 + COMMIT_BYTE) * 3 + COMMIT_KEY + 2 * 5,
    ),
    ("emit", 52_000 + 1 + 6 + 1_000 + 2 * 5),      // 53 017
    ("blake10", 52_000 + 1 + 5 + 1_900 + 10 * 10), // 54 006
    ("debug5", 52_000 + 1 + 4 + 300 + 8 * 5),      // 52 345
    ("fill100", 52_000 + 1 + 3 + 1 + 100 + 1),     // 52 106
    ("copy40", 52_000 + 1 + 3 + 1 + 40 + 1),       // 52 046
];

#[test]
fn gas_golden_values() {
    assert_eq!(
        PriceTable::default(),
        PriceTable {
            call_base: 52_000,
            host_call_base: 200,
            copy_per_byte: 1,
            storage_read_base: 31_000,
            storage_read_per_byte: 2,
            storage_write_base: 5_000,
            storage_write_per_byte: 4,
            storage_remove_base: 46_000,
            storage_commit_per_key: COMMIT_KEY,
            storage_commit_per_byte: COMMIT_BYTE,
            emit_base: 1_000,
            emit_per_byte: 2,
            blake2b_base: 1_900,
            blake2b_per_byte: 10,
            debug_base: 300,
            debug_per_byte: 8,
            // The crypto prices are pinned by `crypto.rs`.
            ..PriceTable::default()
        }
    );
    let code = wat(&format!("(module {IMPORTS} {GOLDEN})"));
    let spent_in = |(_store, mut session): (Arc<MemoryStore>, Session)| {
        let id = deploy(&mut session, &code);
        let mut spent = Vec::new();
        for (entry, _) in GOLDEN_GAS {
            let arg: &[u8] = if *entry == "input8" { &[9; 8] } else { &[] };
            let r = call(&mut session, id, entry, arg);
            assert!(r.is_success(), "{entry}: {:?}", r.result);
            spent.push((*entry, r.gas_spent));
        }
        spent
    };
    assert_eq!(spent_in(unit_cost_session()), GOLDEN_GAS.to_vec());
    // The same entries under the default, measured table (integer and constants 2, `call` 120,
    // `br`/`br_if` 8, `if` 1, multiply 9, bulk 61 + 3 per byte…; see gas.rs).
    // The default runtime also charges the module's load, once per session: the first entry
    // called pays it, the others run the module warm.
    let load = runtime::gas::module_load_price(&PriceTable::default(), &code);
    let measured: Vec<(&str, u64)> = spent_in(session())
        .into_iter()
        .enumerate()
        .map(|(i, (entry, gas))| (entry, if i == 0 { gas - load } else { gas }))
        .collect();
    assert_eq!(
        measured,
        [
            ("minimal", 52_003),
            ("nops", 52_005),
            ("arith", 52_017),
            ("block_br", 52_011),
            ("if_else", 52_005),
            ("loop10", 52_176),
            ("call_wasm", 52_124),
            ("output5", 52_332),
            ("input8", 52_333),
            ("caller", 52_357),
            ("height", 52_323),
            ("write8", 137_763),
            ("read_absent", 83_137),
            ("write_read", 168_907),
            ("remove", 178_374),
            ("emit", 53_141),
            ("blake10", 54_129),
            ("debug5", 52_467),
            ("fill100", 52_370),
            ("copy40", 52_190),
        ]
    );
    // Two of them derived: `minimal` is entry 1 + `i32.const` 2; `loop10` is entry 1 +
    // (const 2, local.set 1) + loop entry 30 + 10 × (local.get 1, const 2, sub 2, tee 1,
    // br_if 8) + const 2.
    assert_eq!(measured[0].1, 52_000 + 1 + 2);
    assert_eq!(measured[5].1, 52_000 + 1 + 3 + 30 + 10 * 14 + 2);
    // The sums, written out.
    let totals: Vec<u64> = GOLDEN_GAS.iter().map(|(_, g)| *g).collect();
    assert_eq!(
        totals,
        [
            52_002, 52_003, 52_006, 52_003, 52_004, 52_054, 52_004, 52_210, 52_212, 52_236, 52_203,
            137_639, 83_013, 168_660, 178_252, 53_017, 54_006, 52_345, 52_106, 52_046
        ]
    );
}
