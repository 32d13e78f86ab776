//! Gas that bounds time: one kernel per class of wasm operator, each a loop that runs until it
//! is out of gas, all in one run, reported as gas/µs and as time per gas against the yardstick
//! (the fastest metered code: a loop of `i64.add` on a local).
//!
//! Run: `cargo bench -p benches --bench gas_classes` (the summary table is printed first; then
//! criterion measures every kernel with its throughput in gas).
//! `GAS_BENCH_COSTS` picks the operator costs (see [`config`]; unset: the runtime's default),
//! `GAS_BENCH_MAX_MEMORY_PAGES` the memory limit, `GAS_BENCH_ROUNDS` (default 7) the summary's
//! rounds, `GAS_BENCH_SUMMARY_ONLY=1` skips criterion. Times are the measuring thread's CPU time, so other processes' slices on a
//! shared machine do not count (their cache traffic still does).
//!
//! The summary times every kernel once per round, round-robin, and keeps each kernel's fastest
//! round: on a shared machine a slow round measures the neighbours, and taking every kernel in
//! the same rounds keeps the ratios fair. Each call gets `gas` gas and must end `OutOfGas`
//! having spent all of it (checked), so gas/µs is `gas` over the call's time.
//!
//! Besides one kernel per class, the kernels a naive table misses: dependent chains of the
//! slowest operators, calls with many parameters and locals, recursion near the stack limit,
//! cache-hostile loads and stores over the whole initial memory, nested loops, empty loops, a
//! `memory.grow` of nothing and bulk operations of one byte (each a libcall); and nested calls
//! (at depth 2 and 16) and refused ones (-3, -4, -5, -6, and a callee stopped by a 65-byte
//! entry-point name) through copies of a relay contract;
//! calls of a callee touching every page of its initial memory (2, 16 and 64 pages); and cold
//! loads (a call touching many distinct modules not in memory, see `cold.rs`; summary only);
//! and storage commits (a call writing or removing distinct keys of a 1 M-key state on a
//! devnet node's store, committed, see `commit.rs`; summary only, CPU and wall time, and the
//! call's CPU time without its commit).

#[path = "gas_classes/cold.rs"]
mod cold;
#[path = "gas_classes/commit.rs"]
mod commit;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use host_api::Address;
use runtime::{BlockInfo, CallError, MemoryStore, OperatorCosts, Runtime, RuntimeConfig, Session};
use std::sync::Arc;
use std::time::Duration;

/// Gas of one call of a kernel (≈ 1 ms at the yardstick).
pub(crate) const GAS: u64 = 20_000_000;

/// The class kernels' initial memory, pages (4 MiB: the runtime's initial-memory limit).
const KERNEL_MEMORY_PAGES: u64 = 64;
/// The most pages a contract's memory may grow to (the runtime's default limit).
const MEMORY_LIMIT_PAGES: u64 = runtime::config::DEFAULT_MAX_MEMORY_PAGES;

/// Times each step of a chain kernel is repeated in the loop body, so the loop's own branch
/// and fuel check weigh little.
const UNROLL: usize = 16;

/// One kernel: a class, a name, the module, the gas of one call, the argument, the entry
/// point.
pub(crate) struct Kernel {
    class: &'static str,
    name: String,
    wat: String,
    gas: u64,
    arg: Vec<u8>,
    function: &'static str,
    /// Pages the kernel's `init` grows its memory by (their price is part of `gas`).
    grown_pages: u64,
}

/// The module of a kernel: `run` sets the common locals, runs `init`, then loops over `body`
/// (`UNROLL` copies of `step` unless `unroll` says otherwise) while `cond` holds (it always
/// does; it reads the chain's value so the compiler cannot drop the chain).
struct Shape<'a> {
    locals: &'a str,
    init: &'a str,
    step: &'a str,
    unroll: usize,
    cond: &'a str,
    /// Pages `run` grows its memory by before `init` (to reach the memory limit).
    grow: u64,
    /// The gas of one call.
    gas: u64,
}

impl Default for Shape<'_> {
    fn default() -> Self {
        Self {
            locals: "",
            init: "",
            step: "",
            unroll: UNROLL,
            cond: "(i64.ne (local.get $x) (i64.const 0x1234567))",
            grow: 0,
            gas: GAS,
        }
    }
}

fn module(shape: &Shape) -> String {
    let body = shape.step.repeat(shape.unroll);
    let p64: String = (0..32).map(|_| " i64").collect();
    let many_locals: String = (0..1_000).map(|_| "(local i64)").collect();
    let touch_all: String = (1..=1_000)
        .map(|i| format!("(local.set 0 (i64.add (local.get 0) (local.get {i})))"))
        .collect();
    format!(
        r#"(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "block_height" (func $block_height (result i64)))
  (import "host_v1" "blake2b_256" (func $blake2b_256 (param i32 i32 i32)))
  (type $unary (func (param i64) (result i64)))
  (memory (export "memory") {KERNEL_MEMORY_PAGES})
  (global $g (mut i64) (i64.const 1))
  (table 2 funcref)
  (elem (i32.const 0) $id $id)
  (func $id (param i64) (result i64) (i64.add (local.get 0) (i64.const 1)))
  (func $p32 (param{p64}) (result i64) (local.get 0))
  (func $l1000 (param i64) (result i64) {many_locals}
    (if (i64.eq (local.get 0) (i64.const 0x1234567)) (then {touch_all}))
    (i64.add (local.get 0) (i64.const 1)))
  (func $rec (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (i32.add (call $rec (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
      (else (i32.const 0))))
  (func (export "run") (param $len i32) (result i32)
    (local $n i32) (local $m i32) (local $p i32) (local $q i32)
    (local $x i64) (local $y i64) (local $z i64) (local $d i64)
    (local $f f64) (local $h f64) (local $k f64) (local $s f32) (local $t f32) {locals}
    (call $input_read (i32.const 0))
    ;; Runtime values the compiler cannot fold: n = the argument (0 unless a depth), y = d = 3
    ;; (n >> 31 | 3: 3 for every argument the bench passes, unknown to the compiler).
    (local.set $n (i32.load (i32.const 0)))
    (local.set $m (i32.or (i32.shr_u (local.get $n) (i32.const 31)) (i32.const 3)))
    (local.set $y (i64.extend_i32_u (local.get $m)))
    (local.set $d (local.get $y))
    (local.set $x (i64.const 0x4000000000000001))
    (local.set $p (i32.const 0x40000000))
    (local.set $f (f64.const 1.5))
    (local.set $h (f64.convert_i64_u (local.get $y)))
    (local.set $k (f64.add (f64.const 1) (f64.div (f64.const 1e-9) (local.get $h))))
    (local.set $s (f32.const 1.5))
    (local.set $t (f32.convert_i64_u (local.get $y)))
    {grow}
    {init}
    (loop $l {body} (br_if $l {cond}))
    (i32.const 0)))"#,
        locals = shape.locals,
        init = shape.init,
        cond = shape.cond,
        grow = match shape.grow {
            0 => String::new(),
            pages => format!("(drop (memory.grow (i32.const {pages})))"),
        },
    )
}

/// The pointer of a random walk over the 64-byte lines of the 4 MiB initial memory: a
/// full-period LCG on the line index (multiplier ≡ 1 mod 4, odd increment 193).
const NEXT_LINE: &str = "(i32.and (i32.add (i32.mul (local.get $p) (i32.const 1103515245)) (i32.const 12352)) (i32.const 0x3FFFC0))";

fn kernels() -> Vec<Kernel> {
    let mut out = Vec::new();
    let mut add = |class: &'static str, name: &str, shape: Shape| {
        out.push(Kernel {
            class,
            name: name.to_string(),
            wat: module(&shape),
            gas: shape.gas,
            arg: Vec::new(),
            function: "run",
            grown_pages: shape.grow,
        })
    };
    let f_cond = "(f64.ne (local.get $f) (f64.const -7))";
    let s_cond = "(f32.ne (local.get $s) (f32.const -7))";
    let p_cond = "(i32.ne (local.get $p) (i32.const 7))";

    // The yardstick, as a user writes it: one add and the loop's compare and branch.
    add(
        "yardstick",
        "i64.add loop",
        Shape {
            step: "(local.set $x (i64.add (local.get $x) (i64.const 1)))",
            unroll: 1,
            ..Shape::default()
        },
    );
    // Straight-line integer code: a dependent chain of `i64.add`, the loop's branch and fuel
    // check once per 16 adds.
    add(
        "integer",
        "i64.add chain (straight line)",
        Shape {
            step: "(local.set $x (i64.add (local.get $x) (local.get $y)))",
            ..Shape::default()
        },
    );
    // The densest integer chain: nested operators with one operand each, no `local.set`
    // between them (2 gas per dependent operator).
    add(
        "integer",
        "nested i64.add/xor, no locals between",
        Shape {
            step: "(local.set $x (i64.xor (i64.add (i64.xor (i64.add (i64.xor (i64.add (i64.xor (i64.add (local.get $x) (local.get $y)) (local.get $d)) (local.get $y)) (local.get $d)) (local.get $y)) (local.get $d)) (local.get $y)) (local.get $d)))",
            ..Shape::default()
        },
    );
    // The yardstick the host prices were first measured against (`gas_prices::SPIN`).
    add(
        "integer",
        "SPIN: x = x * 31 + i; i -= 1",
        Shape {
            step: "(local.set $q (i32.add (i32.mul (local.get $q) (i32.const 31)) (local.get $p))) (local.set $p (i32.sub (local.get $p) (i32.const 1)))",
            unroll: 1,
            cond: "(local.get $p)",
            ..Shape::default()
        },
    );
    add(
        "integer",
        "i64.add/xor chain",
        Shape {
            step: "(local.set $x (i64.xor (i64.add (local.get $x) (local.get $y)) (local.get $x)))",
            ..Shape::default()
        },
    );
    add(
        "integer",
        "i64.xor/rotl chain",
        Shape {
            step: "(local.set $x (i64.xor (i64.rotl (local.get $x) (i64.const 7)) (local.get $y)))",
            ..Shape::default()
        },
    );
    add(
        "integer",
        "i64.gt_u + add chain",
        Shape {
            step: "(local.set $x (i64.add (local.get $x) (i64.extend_i32_u (i64.gt_u (local.get $x) (local.get $y)))))",
            ..Shape::default()
        },
    );
    add(
        "integer",
        "i64.popcnt/clz chain",
        Shape {
            step: "(local.set $x (i64.add (i64.clz (i64.popcnt (local.get $x))) (local.get $y)))",
            ..Shape::default()
        },
    );
    add(
        "integer",
        "i32.add/sub/and chain",
        Shape {
            step: "(local.set $p (i32.sub (i32.and (i32.add (local.get $p) (local.get $m)) (i32.const 0x7fffffff)) (local.get $n)))",
            cond: p_cond,
            ..Shape::default()
        },
    );
    add(
        "locals/globals",
        "global.get/set chain",
        Shape {
            step: "(global.set $g (i64.xor (global.get $g) (i64.add (global.get $g) (local.get $y))))",
            cond: "(i64.ne (global.get $g) (i64.const 7))",
            ..Shape::default()
        },
    );
    add(
        "locals/globals",
        "local.tee chain",
        Shape {
            step: "(local.set $x (i64.xor (local.tee $z (local.get $x)) (i64.add (local.tee $z (local.get $z)) (local.get $y))))",
            ..Shape::default()
        },
    );
    {
        // 200 locals live across the loop (spilled): each step reads one, writes the next.
        let locals: String = (0..200).map(|i| format!("(local $v{i} i64)")).collect();
        // Each step reads two locals written in the previous pass: all 200 are live at the
        // loop header.
        let step: String = (0..200)
            .map(|i| {
                format!(
                    "(local.set $v{i} (i64.add (local.get $v{i}) (local.get $v{})))",
                    (i + 1) % 200
                )
            })
            .collect();
        add(
            "locals/globals",
            "200 live locals",
            Shape {
                locals: &locals,
                step: &step,
                unroll: 1,
                cond: "(i64.ne (local.get $v0) (i64.const 7))",
                ..Shape::default()
            },
        );
    }
    add(
        "multiply",
        "i64.mul chain (squaring)",
        Shape {
            step: "(local.set $x (i64.mul (local.get $x) (local.get $x)))",
            ..Shape::default()
        },
    );
    add(
        "multiply",
        "i32.mul chain (squaring)",
        Shape {
            step: "(local.set $p (i32.mul (local.get $p) (local.get $p)))",
            cond: p_cond,
            ..Shape::default()
        },
    );
    let big = "(i64.const 0x4000000000000000)";
    add(
        "div/rem",
        "i64.div_u chain",
        Shape {
            step: &format!(
                "(local.set $x (i64.or (i64.div_u (local.get $x) (local.get $d)) {big}))"
            ),
            ..Shape::default()
        },
    );
    add(
        "div/rem",
        "i64.div_s + rem_s chain",
        Shape {
            step: &format!(
                "(local.set $x (i64.or (i64.add (i64.div_s (local.get $x) (local.get $d)) (i64.rem_s (local.get $x) (local.get $d))) {big}))"
            ),
            ..Shape::default()
        },
    );
    add(
        "div/rem",
        "i64.rem_u chain",
        Shape {
            step: &format!(
                "(local.set $x (i64.or (i64.rem_u (local.get $x) (local.get $d)) {big}))"
            ),
            ..Shape::default()
        },
    );
    add(
        "div/rem",
        "i32.div_u chain",
        Shape {
            step: "(local.set $p (i32.or (i32.div_u (local.get $p) (local.get $m)) (i32.const 0x40000000)))",
            cond: p_cond,
            ..Shape::default()
        },
    );
    add(
        "div/rem",
        "i32.rem_s chain",
        Shape {
            step: "(local.set $p (i32.or (i32.rem_s (local.get $p) (local.get $m)) (i32.const 0x40000000)))",
            cond: p_cond,
            ..Shape::default()
        },
    );
    for (name, step) in [
        (
            "f64.add chain",
            "(local.set $f (f64.add (local.get $f) (local.get $h)))",
        ),
        (
            "f64.mul chain",
            "(local.set $f (f64.mul (local.get $f) (local.get $k)))",
        ),
        (
            "f64.lt + select chain",
            "(local.set $f (select (local.get $h) (local.get $f) (f64.lt (local.get $f) (local.get $h))))",
        ),
        (
            "f64.abs/neg chain",
            "(local.set $f (f64.neg (f64.abs (local.get $f))))",
        ),
    ] {
        add(
            "float add/mul/cmp",
            name,
            Shape {
                step,
                cond: f_cond,
                ..Shape::default()
            },
        );
    }
    for (name, step) in [
        (
            "f64.div chain",
            "(local.set $f (f64.div (local.get $f) (local.get $k)))",
        ),
        (
            "f64.sqrt + add chain",
            "(local.set $f (f64.add (f64.sqrt (local.get $f)) (local.get $h)))",
        ),
        ("f64.sqrt chain", "(local.set $f (f64.sqrt (local.get $f)))"),
        (
            "f64.min chain",
            "(local.set $f (f64.min (local.get $f) (local.get $h)))",
        ),
        (
            "f64.max chain",
            "(local.set $f (f64.max (local.get $f) (local.get $h)))",
        ),
        (
            "f64.nearest chain",
            "(local.set $f (f64.nearest (local.get $f)))",
        ),
        ("f64.ceil chain", "(local.set $f (f64.ceil (local.get $f)))"),
        (
            "f64.floor chain",
            "(local.set $f (f64.floor (local.get $f)))",
        ),
        (
            "f64.trunc chain",
            "(local.set $f (f64.trunc (local.get $f)))",
        ),
    ] {
        add(
            "float div/sqrt/round",
            name,
            Shape {
                step,
                cond: f_cond,
                ..Shape::default()
            },
        );
    }
    for (name, step) in [
        (
            "f32.sqrt + add chain",
            "(local.set $s (f32.add (f32.sqrt (local.get $s)) (local.get $t)))",
        ),
        (
            "f32.div chain",
            "(local.set $s (f32.div (local.get $s) (local.get $t)))",
        ),
    ] {
        add(
            "float div/sqrt/round",
            name,
            Shape {
                step,
                cond: s_cond,
                ..Shape::default()
            },
        );
    }
    for (name, step, cond) in [
        (
            "i64 -> f64 -> i64 (trapping)",
            "(local.set $x (i64.trunc_f64_s (f64.convert_i64_s (local.get $x))))",
            None,
        ),
        (
            "u64 -> f64 -> u64 (saturating)",
            "(local.set $x (i64.add (i64.trunc_sat_f64_u (f64.convert_i64_u (local.get $x))) (local.get $y)))",
            None,
        ),
        (
            "f64 -> f32 -> f64",
            "(local.set $f (f64.promote_f32 (f32.demote_f64 (local.get $f))))",
            Some(f_cond),
        ),
        (
            "i64 wrap/extend",
            "(local.set $x (i64.extend_i32_s (i32.wrap_i64 (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 5))))))",
            None,
        ),
        (
            "reinterpret + f64.add",
            "(local.set $x (i64.xor (i64.reinterpret_f64 (f64.add (f64.reinterpret_i64 (local.get $x)) (local.get $h))) (local.get $x)))",
            None,
        ),
    ] {
        add(
            "conversions",
            name,
            Shape {
                step,
                cond: cond.unwrap_or(Shape::default().cond),
                ..Shape::default()
            },
        );
    }
    add(
        "loads/stores",
        "i64.load chain, 4 KiB",
        Shape {
            init: "(local.set $p (i32.const 0))",
            step: "(local.set $p (i32.and (i32.add (i32.wrap_i64 (i64.load (local.get $p))) (i32.add (local.get $p) (i32.const 8))) (i32.const 0xFF8)))",
            cond: p_cond,
            ..Shape::default()
        },
    );
    add(
        "loads/stores",
        "i64.store, 4 KiB",
        Shape {
            init: "(local.set $p (i32.const 0))",
            step: "(i64.store (local.get $p) (local.get $x)) (local.set $p (i32.and (i32.add (local.get $p) (i32.const 8)) (i32.const 0xFF8)))",
            cond: p_cond,
            ..Shape::default()
        },
    );
    add(
        "loads/stores",
        "i32.load chase, random lines of 4 MiB",
        Shape {
            init: "(local.set $p (i32.const 0))",
            step: &format!("(local.set $p (i32.add (i32.load (local.get $p)) {NEXT_LINE}))"),
            cond: p_cond,
            ..Shape::default()
        },
    );
    // The chase over memory the call has written first (each page its own frame, so the walk
    // misses the caches and the TLB; the chase above reads the zero page its untouched memory
    // maps), at the initial memory's 4 MiB and grown up to the most a contract may have
    // (`max_memory_pages`). 10 times the gas, so the walk visits each line many times,
    // not only once after the fill's page faults.
    // (Larger memories, for a runtime configured with a higher limit: gas schedule v9's was
    // 16 MiB, where this chase ran at 10.6–11.1×; `gas.rs`, "Memory latency".)
    let sizes = [(4u64, "0x3FFFC0"), (8, "0x7FFFC0"), (16, "0xFFFFC0")];
    for (mib, mask) in sizes
        .into_iter()
        .filter(|(mib, _)| mib * 16 <= MEMORY_LIMIT_PAGES)
    {
        let pages = mib * 16;
        let next_line = NEXT_LINE.replace("0x3FFFC0", mask);
        let limit = if pages == MEMORY_LIMIT_PAGES {
            ", the memory limit"
        } else {
            ""
        };
        let grown = if pages > KERNEL_MEMORY_PAGES {
            ", grown"
        } else {
            ""
        };
        add(
            "loads/stores",
            &format!("i32.load chase, random lines of {mib} MiB written first{grown}{limit}"),
            Shape {
                init: &format!(
                    "(memory.fill (i32.const 0) (i32.const 0) (i32.const {})) (local.set $p (i32.const 0))",
                    mib << 20
                ),
                step: &format!("(local.set $p (i32.add (i32.load (local.get $p)) {next_line}))"),
                cond: p_cond,
                grow: pages - KERNEL_MEMORY_PAGES,
                gas: 10 * GAS,
                ..Shape::default()
            },
        );
    }
    add(
        "loads/stores",
        "i64.store, random lines of 4 MiB",
        Shape {
            init: "(local.set $p (i32.const 0))",
            step: &format!("(local.set $p {NEXT_LINE}) (i64.store (local.get $p) (local.get $x))"),
            cond: p_cond,
            ..Shape::default()
        },
    );
    add(
        "loads/stores",
        "i64.load + store, random lines of 4 MiB",
        Shape {
            init: "(local.set $p (i32.const 0))",
            step: &format!(
                "(local.set $p {NEXT_LINE}) (i64.store (local.get $p) (i64.add (i64.load (local.get $p)) (local.get $y)))"
            ),
            cond: p_cond,
            ..Shape::default()
        },
    );
    add(
        "loads/stores",
        "i64.load, 4160-byte stride over 4 MiB",
        Shape {
            init: "(local.set $p (i32.const 0))",
            step: "(local.set $x (i64.add (local.get $x) (i64.load (local.get $p)))) (local.set $p (i32.and (i32.add (local.get $p) (i32.const 4160)) (i32.const 0x3FFFF8)))",
            ..Shape::default()
        },
    );
    add(
        "memory.size/grow",
        "memory.size chain",
        Shape {
            step: "(local.set $p (i32.add (local.get $p) (memory.size)))",
            cond: p_cond,
            ..Shape::default()
        },
    );
    add(
        "memory.size/grow",
        "memory.grow 0",
        Shape {
            step: "(local.set $p (i32.add (local.get $p) (memory.grow (local.get $n))))",
            cond: p_cond,
            ..Shape::default()
        },
    );
    add(
        "calls",
        "call, 1 param",
        Shape {
            step: "(local.set $x (call $id (local.get $x)))",
            ..Shape::default()
        },
    );
    add(
        "calls",
        "call_indirect, 1 param",
        Shape {
            step: "(local.set $x (call_indirect (type $unary) (local.get $x) (local.get $n)))",
            ..Shape::default()
        },
    );
    {
        let args: String = (0..32).map(|_| "(local.get $x)").collect();
        add(
            "calls",
            "call, 32 params",
            Shape {
                step: &format!("(local.set $x (i64.add (call $p32 {args}) (local.get $y)))"),
                ..Shape::default()
            },
        );
    }
    add(
        "calls",
        "call, callee with 1,000 locals",
        Shape {
            step: "(local.set $x (call $l1000 (local.get $x)))",
            ..Shape::default()
        },
    );
    add(
        "host",
        "block_height",
        Shape {
            step: "(local.set $x (i64.add (local.get $x) (call $block_height)))",
            ..Shape::default()
        },
    );
    add(
        "host",
        "blake2b_256 of 1 KiB",
        Shape {
            step: "(call $blake2b_256 (i32.const 0x1000) (i32.const 1024) (i32.const 0x800))",
            unroll: 1,
            cond: "(i32.ne (i32.load (i32.const 0x800)) (i32.const 7))",
            ..Shape::default()
        },
    );
    add(
        "control",
        "select chain",
        Shape {
            step: "(local.set $x (select (i64.add (local.get $x) (local.get $y)) (i64.xor (local.get $x) (local.get $y)) (i32.wrap_i64 (local.get $x))))",
            ..Shape::default()
        },
    );
    add(
        "control",
        "br_table, random of 4",
        Shape {
            step: &format!(
                "(local.set $p {NEXT_LINE})
                 (block $b3 (block $b2 (block $b1 (block $b0
                   (br_table $b0 $b1 $b2 $b3 (i32.and (i32.shr_u (local.get $p) (i32.const 12)) (i32.const 3))))
                   (local.set $x (i64.add (local.get $x) (i64.const 1))) (br $b3))
                   (local.set $x (i64.add (local.get $x) (i64.const 2))) (br $b3))
                   (local.set $x (i64.add (local.get $x) (i64.const 3))) (br $b3))"
            ),
            ..Shape::default()
        },
    );
    add(
        "control",
        "br_if, random",
        Shape {
            step: &format!(
                "(local.set $p {NEXT_LINE})
                 (block $b (br_if $b (i32.and (local.get $p) (i32.const 0x1000)))
                   (local.set $x (i64.add (local.get $x) (local.get $y))))"
            ),
            ..Shape::default()
        },
    );
    add(
        "loop headers",
        "empty loop",
        Shape {
            step: "",
            unroll: 0,
            cond: "(i32.const 1)",
            ..Shape::default()
        },
    );
    add(
        "loop headers",
        "empty loop, br",
        Shape {
            step: "(loop $e (br $e))",
            unroll: 1,
            ..Shape::default()
        },
    );
    add(
        "loop headers",
        "empty loop, br_table",
        Shape {
            step: "(loop $e (br_table $e $e (local.get $n)))",
            unroll: 1,
            ..Shape::default()
        },
    );
    add(
        "control",
        "if/else, random",
        Shape {
            step: &format!(
                "(local.set $p {NEXT_LINE})
                 (if (i32.and (local.get $p) (i32.const 0x1000))
                   (then (local.set $x (i64.add (local.get $x) (local.get $y))))
                   (else (local.set $x (i64.xor (local.get $x) (local.get $y)))))"
            ),
            ..Shape::default()
        },
    );
    // The loop headers' price decides how much gas a pass of nested loops costs: under a
    // table that charges no loop entry (wasmtime's) a pass of 5,000 loops costs 1 gas, so the
    // deep kernels get less gas there (else one call runs for seconds).
    let free_loops = config().operator_costs.loop_entry == 0;
    for depth in [10usize, 500, 5_000] {
        let open = "(loop ".repeat(depth);
        let close = ")".repeat(depth);
        out.push(Kernel {
            class: "loop headers",
            name: format!("{depth} nested loops, br to the outermost"),
            wat: module(&Shape {
                step: &format!("{open}(br {}){close}", depth - 1),
                unroll: 1,
                ..Shape::default()
            }),
            gas: if free_loops && depth > 100 {
                GAS / 50 / (depth as u64 / 500)
            } else {
                GAS
            },
            arg: Vec::new(),
            function: "run",
            grown_pages: 0,
        });
    }
    let mut add = |name: &str, step: &str, unroll: usize| {
        out.push(Kernel {
            class: "bulk memory",
            name: name.to_string(),
            wat: module(&Shape {
                init: "(local.set $p (i32.const 0))",
                step,
                unroll,
                cond: p_cond,
                ..Shape::default()
            }),
            gas: GAS,
            arg: Vec::new(),
            function: "run",
            grown_pages: 0,
        })
    };
    add(
        "memory.fill 4 MiB",
        "(memory.fill (i32.const 0) (local.get $p) (i32.const 0x400000))",
        1,
    );
    add(
        "memory.copy 2 MiB",
        "(memory.copy (i32.const 0) (i32.const 0x200000) (i32.const 0x200000))",
        1,
    );
    add(
        "memory.fill 1 byte (dynamic length)",
        "(memory.fill (local.get $p) (local.get $m) (i32.sub (local.get $m) (i32.const 2)))",
        UNROLL,
    );
    add(
        "memory.copy 0 bytes (dynamic length)",
        "(memory.copy (local.get $p) (i32.const 64) (local.get $n))",
        UNROLL,
    );
    add(
        "memory.copy 256 B (dynamic length)",
        "(memory.copy (i32.const 0x1000) (i32.const 0x2000) (i32.shl (local.get $m) (i32.const 7)))",
        UNROLL,
    );
    // Recursion to 90 % of the depth the native stack allows (the argument is the depth).
    out.push(Kernel {
        class: "calls",
        name: "recursion near the stack limit".to_string(),
        wat: module(&Shape {
            step: "(local.set $p (i32.add (local.get $p) (call $rec (local.get $n))))",
            unroll: 1,
            cond: p_cond,
            ..Shape::default()
        }),
        gas: GAS,
        arg: Vec::new(),
        function: "run",
        grown_pages: 0,
    });
    out
}

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
fn nested_call_kernels(session: &mut Session) -> Vec<Deployed> {
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
fn initial_memory_kernels(session: &mut Session) -> Vec<Deployed> {
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

/// The runtime's configuration, with `GAS_BENCH_PRICES` overriding storage prices
/// (`storage_commit_per_key=…,storage_commit_per_byte=…`, also `storage_write_base`,
/// `storage_write_per_byte`, `storage_remove_base`) and `GAS_BENCH_COSTS` choosing the operator costs: a
/// comma-separated list of `wasmtime` (wasmtime's default table, the runtime's default before
/// the measured one),
/// `measured` ([`OperatorCosts::measured`]) and `class=cost` overrides (the field names of
/// [`OperatorCosts`]), applied in order: for trying a table without rebuilding.
fn config() -> RuntimeConfig {
    let mut config = RuntimeConfig::default();
    // `GAS_BENCH_MAX_MEMORY_PAGES` sets the memory limit (its slot size in the pool), to compare
    // the kernels under another limit.
    if let Ok(pages) = std::env::var("GAS_BENCH_MAX_MEMORY_PAGES") {
        config.limits.max_memory_pages = pages.parse().expect("a page count");
    }
    if let Ok(spec) = std::env::var("GAS_BENCH_PRICES") {
        let p = &mut config.prices;
        for item in spec.split(',').filter(|i| !i.is_empty()) {
            let (name, price) = item.split_once('=').expect("price=gas");
            let price: u64 = price.trim().parse().expect("a price in gas");
            let field = match name.trim() {
                "storage_write_base" => &mut p.storage_write_base,
                "storage_write_per_byte" => &mut p.storage_write_per_byte,
                "storage_remove_base" => &mut p.storage_remove_base,
                "storage_commit_per_key" => &mut p.storage_commit_per_key,
                "storage_commit_per_byte" => &mut p.storage_commit_per_byte,
                other => panic!("GAS_BENCH_PRICES: no price {other} here"),
            };
            *field = price;
        }
    }
    let Ok(spec) = std::env::var("GAS_BENCH_COSTS") else {
        return config;
    };
    let c = &mut config.operator_costs;
    for item in spec.split(',').filter(|i| !i.is_empty()) {
        match item.trim() {
            "wasmtime" => *c = OperatorCosts::wasmtime_default(),
            "measured" => *c = OperatorCosts::measured(),
            _ => {}
        }
        if !item.contains('=') {
            continue;
        }
        let (name, cost) = item.split_once('=').expect("class=cost");
        let cost: u8 = cost.trim().parse().expect("a cost of 0..=255");
        let field = match name.trim() {
            "integer" => &mut c.integer,
            "compare" => &mut c.compare,
            "bit_count" => &mut c.bit_count,
            "local" => &mut c.local,
            "global" => &mut c.global,
            "multiply" => &mut c.multiply,
            "divide" => &mut c.divide,
            "float" => &mut c.float,
            "float_div_sqrt" => &mut c.float_div_sqrt,
            "float_min_max" => &mut c.float_min_max,
            "float_round" => &mut c.float_round,
            "conversion" => &mut c.conversion,
            "load" => &mut c.load,
            "store" => &mut c.store,
            "memory_size" => &mut c.memory_size,
            "memory_grow" => &mut c.memory_grow,
            "call" => &mut c.call,
            "call_indirect" => &mut c.call_indirect,
            "ret" => &mut c.ret,
            "branch" => &mut c.branch,
            "if_else" => &mut c.if_else,
            "br_table" => &mut c.br_table,
            "select" => &mut c.select,
            "loop_entry" => &mut c.loop_entry,
            "bulk" => &mut c.bulk,
            "bulk_per_byte" => &mut c.bulk_per_byte,
            other => panic!("no operator class {other}"),
        };
        *field = cost;
    }
    config
}

/// A deployed kernel.
pub(crate) struct Deployed {
    kernel: Kernel,
    id: host_api::ContractId,
    /// Gas given on top of the kernel's for what the call is charged before the kernel runs:
    /// the first load of each module of its call tree (by the module's shape, `gas.rs` "Cold
    /// loads"; the module is in memory here, the `cold loads` kernels time real loads) and
    /// the module's initial memory past the free pages (the class kernels' modules declare 64
    /// pages). Left out of its gas/µs, so the kernel is measured on its own work (a load
    /// price larger than the kernel's gas, 5,000 nested loops', would otherwise end the call
    /// before it ran).
    extra_gas: u64,
}

/// The CPU time the calling thread has used: unlike wall time, it does not count the slices
/// other processes hold the core for (the machine is shared).
fn thread_cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID is supported on Linux.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Run one call of kernel `k` until it is out of gas; the thread CPU time it took.
fn call(session: &mut Session, k: &Deployed) -> Duration {
    let t = thread_cpu_time();
    let r = session
        .call(
            Address([1; 32]),
            k.id,
            k.kernel.function,
            &k.kernel.arg,
            k.kernel.gas + k.extra_gas,
        )
        .expect("no host error");
    let elapsed = thread_cpu_time() - t;
    assert_eq!(
        r.result,
        Err(CallError::OutOfGas),
        "{} must run until out of gas",
        k.kernel.name
    );
    assert_eq!(r.gas_spent, k.kernel.gas + k.extra_gas, "{}", k.kernel.name);
    elapsed
}

/// The deepest recursion of `$rec` that does not overflow the stack, by bisection.
fn max_depth(session: &mut Session, id: host_api::ContractId) -> u32 {
    let (mut ok, mut bad) = (1u32, 1_000_000u32);
    while bad - ok > 1 {
        let mid = ok + (bad - ok) / 2;
        let r = session
            .call(
                Address([1; 32]),
                id,
                "run",
                &mid.to_le_bytes(),
                2_000_000_000,
            )
            .expect("no host error");
        match r.result {
            Err(CallError::StackOverflow) => bad = mid,
            _ => ok = mid,
        }
    }
    ok
}

fn gas_classes(c: &mut Criterion) {
    let runtime = Runtime::new(config()).expect("runtime");
    let mut session = runtime.session(Arc::new(MemoryStore::new()), BlockInfo::default());
    let owner = Address([1; 32]);
    let mut deployed: Vec<Deployed> = kernels()
        .into_iter()
        .map(|kernel| {
            let code = wat::parse_str(&kernel.wat).expect("valid WAT");
            let id = session
                .deploy(owner, &code, 0)
                .unwrap_or_else(|e| panic!("{}: {e}", kernel.name));
            let pages = runtime
                .validate(&code)
                .expect("valid kernel")
                .initial_memory_pages;
            let prices = &runtime.config().prices;
            let extra_gas = runtime::gas::initial_memory_price(prices, pages)
                + runtime::gas::module_load_price(prices, &code);
            // The growth's price is the kernel's own: it pays for the grown pages' faults and
            // reset, which the kernel's time includes.
            let mut kernel = kernel;
            kernel.gas += kernel.grown_pages * prices.memory_grow_per_page;
            Deployed {
                kernel,
                id,
                extra_gas,
            }
        })
        .collect();
    deployed.extend(nested_call_kernels(&mut session));
    deployed.extend(initial_memory_kernels(&mut session));
    for k in &mut deployed {
        if k.kernel.name.starts_with("recursion") {
            let depth = max_depth(&mut session, k.id);
            let arg = depth / 10 * 9;
            k.kernel.arg = arg.to_le_bytes().to_vec();
            k.kernel.name = format!("recursion to depth {arg} (max {depth})");
        }
    }

    let rounds: usize = std::env::var("GAS_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let mut colds = cold::cold_kernels(&config());
    let mut commits = commit::commit_kernels(&config());
    let commit_count = commits.as_ref().map_or(0, |c| c.kernels.len());
    let mut best = vec![Duration::MAX; deployed.len() + colds.len()];
    // Each commit kernel's gas (the same every round) and its fastest round, in CPU and wall
    // time, and the fastest call without its commit (CPU).
    let mut commit_best = vec![(0u64, Duration::MAX, Duration::MAX, Duration::MAX); commit_count];
    for _ in 0..rounds {
        for (k, best) in deployed.iter().zip(&mut best) {
            *best = (*best).min(call(&mut session, k));
        }
        for (c, best) in colds.iter_mut().zip(&mut best[deployed.len()..]) {
            c.runtime.clear_memory_cache();
            *best = (*best).min(call(&mut c.session, &c.kernel));
        }
        if let Some(commits) = &mut commits {
            for (i, best) in commit_best.iter_mut().enumerate() {
                let (gas, cpu, wall, call) = commits.run(i);
                *best = (gas, best.1.min(cpu), best.2.min(wall), best.3.min(call));
            }
        }
    }
    let all: Vec<&Deployed> = deployed
        .iter()
        .chain(colds.iter().map(|c| &c.kernel))
        .collect();
    let rate = |i: usize| all[i].kernel.gas as f64 / (best[i].as_secs_f64() * 1e6);
    // The yardstick's rate counts its 8 operators an iteration at 1 gas each, whatever the
    // table under test charges for them: it is the rate the host prices were measured at, and
    // pricing a branch or a comparison higher must not move it.
    let costs = &config().operator_costs;
    let yardstick_gas_per_iteration = 3 * u64::from(costs.local)
        + 3 * u64::from(costs.integer)
        + u64::from(costs.compare)
        + u64::from(costs.branch);
    let yardstick = rate(0) * 8.0 / yardstick_gas_per_iteration as f64;
    let fastest = (0..all.len()).map(rate).fold(0.0, f64::max);
    println!(
        "\ngas_classes: fastest of {rounds} rounds per kernel; time per gas relative to the yardstick ({} at {yardstick:.0} gas/µs, its operators counted at 1 gas each)\n",
        deployed[0].kernel.name
    );
    println!("| class | kernel | gas | µs | gas/µs | time per gas vs yardstick |");
    println!("|---|---|---|---|---|---|");
    let mut worst = (0.0f64, 0usize);
    for (i, k) in all.iter().enumerate() {
        let ratio = yardstick / rate(i);
        if ratio > worst.0 {
            worst = (ratio, i);
        }
        println!(
            "| {} | {} | {} | {:.0} | {:.0} | {ratio:.2}× |",
            k.kernel.class,
            k.kernel.name,
            k.kernel.gas,
            best[i].as_secs_f64() * 1e6,
            rate(i)
        );
    }
    let mut worst_name = all[worst.1].kernel.name.clone();
    if let Some(commits) = &commits {
        for (k, (gas, cpu, wall, call)) in commits.kernels.iter().zip(&commit_best) {
            println!(
                "| storage commit (CPU time, the call alone) | {}, not committed | {gas} | {:.0} | | |",
                k.name,
                call.as_secs_f64() * 1e6,
            );
            for (clock, time) in [("CPU", cpu), ("wall", wall)] {
                let rate = *gas as f64 / (time.as_secs_f64() * 1e6);
                let ratio = yardstick / rate;
                if clock == "CPU" && ratio > worst.0 {
                    worst.0 = ratio;
                    worst_name = k.name.clone();
                }
                println!(
                    "| storage commit ({clock} time) | {}, committed | {gas} | {:.0} | {rate:.0} | {ratio:.2}× |",
                    k.name,
                    time.as_secs_f64() * 1e6,
                );
            }
        }
    }
    println!(
        "\nworst: {worst_name} at {:.2}× the yardstick's time per gas; the fastest kernel runs {fastest:.0} gas/µs ({:.2}× the yardstick's rate)\n",
        worst.0,
        fastest / yardstick
    );

    if std::env::var_os("GAS_BENCH_SUMMARY_ONLY").is_some() {
        return;
    }
    let mut group = c.benchmark_group("gas_classes");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(1));
    for k in &deployed {
        group.throughput(Throughput::Elements(k.kernel.gas));
        group.bench_function(&k.kernel.name, |b| b.iter(|| call(&mut session, k)));
    }
    group.finish();
}

criterion_group!(benches, gas_classes);
criterion_main!(benches);
