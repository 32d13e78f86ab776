//! The nested-call kernels (a relay calling a leaf, a missing entry point, a 65-byte name, at
//! depth) and the initial-memory kernels (a callee touching every page of its initial memory).

use super::{Deployed, GAS, Kernel, config};
use host_api::Address;
use runtime::Session;

/// A contract that forwards a call down a chain of its copies, then calls one target in a loop
/// until out of gas. `relay`'s argument: `mode[4] ‖ hops[4] ‖ id × (hops + 1)`: while `hops`
/// is not 0 it calls `relay` of the first id with the rest (one frame deeper); then it calls
/// `leaf` (mode 0), the missing `nope` (mode 1) or `long` (mode 2) of the last id, with all
/// the gas left, again and again. `leaf` returns at once; `long` calls an entry point of a
/// 65-byte name (one byte over `MAX_FUNCTION_NAME_BYTES`), which stops it with
/// `AbiViolation`, so its caller sees -1.
const RELAY: &str = r#"(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "call" (func $call (param i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "relay")
  (data (i32.const 8) "leaf")
  (data (i32.const 16) "nope")
  (data (i32.const 24) "long")
  (data (i32.const 32) "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
  (func (export "leaf") (param i32) (result i32) (i32.const 0))
  (func (export "long") (param i32) (result i32)
    (drop (call $call (i32.const 1032) (i32.const 32) (i32.const 65) (i32.const 0)
      (i32.const 0) (i64.const 0)))
    (i32.const 0))
  (func (export "relay") (param $len i32) (result i32)
    (local $name i32)
    (call $input_read (i32.const 1024))
    (if (i32.load (i32.const 1028))
      (then
        (i32.store (i32.const 4096) (i32.load (i32.const 1024)))
        (i32.store (i32.const 4100) (i32.sub (i32.load (i32.const 1028)) (i32.const 1)))
        (memory.copy (i32.const 4104) (i32.const 1064) (i32.sub (local.get $len) (i32.const 40)))
        (drop (call $call (i32.const 1032) (i32.const 0) (i32.const 5)
          (i32.const 4096) (i32.sub (local.get $len) (i32.const 32)) (i64.const 0)))
        (return (i32.const 0))))
    (local.set $name (i32.add (i32.const 8) (i32.shl (i32.load (i32.const 1024)) (i32.const 3))))
    (loop $l
      (drop (call $call (i32.const 1032) (local.get $name) (i32.const 4) (i32.const 0)
        (i32.const 0) (i64.const 0)))
      (br $l))
    (i32.const 0)))"#;

/// The nested-call kernels: 16 copies of [`RELAY`] deployed, and the calls that run a nested
/// call at depth 1 and at the deepest frame there is (16), and each refused call: no such
/// contract (-3), no such entry point (-4), the depth limit (-5), reentrancy (-6).
pub(crate) fn nested_call_kernels(session: &mut Session) -> Vec<Deployed> {
    let code = wat::parse_str(RELAY).expect("valid WAT");
    let relays: Vec<host_api::ContractId> = (0..16)
        .map(|nonce| {
            session
                .deploy(Address([2; 32]), &code, nonce)
                .expect("relay")
        })
        .collect();
    let arg = |mode: u32, ids: &[host_api::ContractId]| {
        let mut a = mode.to_le_bytes().to_vec();
        a.extend_from_slice(&(ids.len() as u32 - 1).to_le_bytes());
        for id in ids {
            a.extend_from_slice(&id.0);
        }
        a
    };
    let missing = host_api::ContractId([0; 32]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("nested call of `leaf`, depth 2", arg(0, &relays[1..2])),
        (
            "nested call of `leaf`, depth 16 (the limit)",
            arg(0, &relays[1..16]),
        ),
        ("refused: no such contract (-3)", arg(0, &[missing])),
        ("refused: no such entry point (-4)", arg(1, &relays[1..2])),
        (
            "refused: depth limit (-5), at depth 16",
            arg(0, &[&relays[1..16], &relays[..1]].concat()),
        ),
        ("refused: reentrancy (-6)", arg(0, &relays[..1])),
        (
            "callee stopped by a 65-byte entry-point name",
            arg(2, &relays[1..2]),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, arg)| Deployed {
            kernel: Kernel {
                class: "nested calls",
                name: name.to_string(),
                wat: RELAY.to_string(),
                gas: GAS,
                arg,
                function: "relay",
                grown_pages: 0,
            },
            id: relays[0],
            extra_gas: runtime::gas::module_load_price(&config().prices, &code),
        })
        .collect()
}

/// `repeat`: calls `touch` of the contract whose id is its input, again and again, with all
/// the gas left.
const REPEAT: &str = r#"(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "call" (func $call (param i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "touch")
  (func (export "repeat") (param i32) (result i32)
    (call $input_read (i32.const 64))
    (loop $l
      (drop (call $call (i32.const 64) (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 0)
        (i64.const 0)))
      (br $l))
    (i32.const 0)))"#;

/// The initial-memory kernels: a contract calling, again and again, `touch` of a callee whose
/// initial memory is `pages` pages and which writes one byte in each 4 KiB page of it (the
/// worst a call can make of its initial memory): 2 pages (what `call_base` covers), 16 and
/// 64 (the deploy limit).
pub(crate) fn initial_memory_kernels(session: &mut Session) -> Vec<Deployed> {
    let repeat_code = wat::parse_str(REPEAT).expect("valid WAT");
    let repeat = session
        .deploy(Address([4; 32]), &repeat_code, 0)
        .expect("repeat");
    [2u64, 16, 64]
        .into_iter()
        .map(|pages| {
            let callee = format!(
                r#"(module
  (memory (export "memory") {pages})
  (func (export "touch") (param i32) (result i32)
    (local $a i32)
    (loop $l
      (i32.store8 (local.get $a) (i32.const 1))
      (local.set $a (i32.add (local.get $a) (i32.const 4096)))
      (br_if $l (i32.lt_u (local.get $a) (i32.const {}))))
    (i32.const 0)))"#,
                pages * 65_536
            );
            let code = wat::parse_str(&callee).expect("valid WAT");
            let id = session
                .deploy(Address([4; 32]), &code, pages)
                .expect("callee");
            Deployed {
                kernel: Kernel {
                    class: "initial memory",
                    name: format!("calls touching every 4 KiB page of {pages} initial pages"),
                    wat: REPEAT.to_string(),
                    gas: 5 * GAS,
                    arg: id.0.to_vec(),
                    function: "repeat",
                    grown_pages: 0,
                },
                id: repeat,
                extra_gas: runtime::gas::module_load_price(&config().prices, &repeat_code)
                    + runtime::gas::module_load_price(&config().prices, &code),
            }
        })
        .collect()
}
