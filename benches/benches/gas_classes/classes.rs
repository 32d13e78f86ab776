//! The class kernels: one module per operator class (a loop of a step until out of gas), the
//! chases through memory, the loop headers, the bulk-memory operators and the host calls.

use super::{GAS, KERNEL_MEMORY_PAGES, Kernel, MEMORY_LIMIT_PAGES, UNROLL, config};

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

pub(crate) fn kernels() -> Vec<Kernel> {
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
