//! Compile time that gas bounds: modules that stress each dimension compile time scales with
//! (bytes of straight code, functions, locals, control nesting, `br_table` targets, globals,
//! data segments, types, the value stack, the bundled contracts), each deployed with
//! `Session::deploy_with_gas` (validation, compilation by the runtime's real engine, the
//! instantiation probe) and then loaded cold from the disk cache by a call, both timed
//! against the execution yardstick (a loop of `i64.add` on a local, as in `gas_classes`) in
//! the same run.
//!
//! Run: `cargo bench -p benches --bench deploy_classes` (`DEPLOY_BENCH_ROUNDS`, default 3: each
//! kernel's fastest round is kept; every round deploys a fresh copy, a new code hash, so
//! nothing is served from a cache; `DEPLOY_BENCH_FILTER=a,b` runs the kernels whose names
//! contain `a` or `b`; `DEPLOY_BENCH_PRICES=bytes` prices deploys and loads as gas schedule v6
//! did, by bytes and functions only). Times are the process's CPU time (compilation runs on
//! several threads: all of them count), so other processes' slices on a shared machine do not
//! count. Prints, per kernel: its shape, deploy gas, compile µs, time per gas against the
//! yardstick, the same for the cold load, and the worst ratios.

use host_api::Address;
use runtime::gas::CompilePrices;
use runtime::shape::{ModuleShape, module_shape};
use runtime::{BlockInfo, CallError, MemoryStore, Runtime, RuntimeConfig, Session};
use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

/// Gas of the yardstick's call (≈ 2 ms).
const YARDSTICK_GAS: u64 = 20_000_000;

fn cpu_time(clock: libc::clockid_t) -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec; both clocks used are supported on Linux.
    let rc = unsafe { libc::clock_gettime(clock, &mut t) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

fn process_cpu_time() -> Duration {
    cpu_time(libc::CLOCK_PROCESS_CPUTIME_ID)
}

/// A module exporting `run` and `memory` with the functions in `funcs` (WAT text) and the
/// module-level fields in `fields`.
fn module(fields: &str, funcs: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module (memory (export "memory") 1) {fields} {funcs}
          (func (export "run") (param i32) (result i32) (i32.const 0)))"#
    ))
    .expect("valid WAT")
}

fn repeat(n: usize, f: impl Fn(usize) -> String) -> String {
    (0..n).map(f).collect()
}

/// 256 mutable `i64` globals (module fields).
fn globals_256() -> String {
    repeat(256, |i| format!("(global (mut i64) (i64.const {i}))"))
}

/// 1,023 function types of up to 31 parameters and 31 results (module fields; with the entry
/// point's own type, 1,024).
fn types_1024() -> String {
    repeat(1_023, |i| {
        let params = " i32".repeat(i % 32);
        let results = " i64".repeat((i / 32) % 32);
        format!("(type (func (param{params}) (result{results})))")
    })
}

/// `depth` nested `open`…`end` around `inner`.
fn nested(depth: usize, open: &str, inner: &str) -> String {
    let mut s = String::new();
    for _ in 0..depth {
        s.push_str(open);
        s.push(' ');
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(" end");
    }
    s
}

/// The kernels: a name and a module.
fn kernels() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |name: &str, code: Vec<u8>| out.push((name.to_string(), code));
    let token: &[u8] = include_bytes!("../../contracts/wasm/token.wasm");
    let stake: &[u8] = include_bytes!("../../contracts/wasm/stake.wasm");
    add("token (bundled)", token.to_vec());
    add("stake (bundled)", stake.to_vec());
    let step = "(local.set 0 (i64.add (local.get 0) (i64.const 7)))";
    add(
        "straight i64.add, 4 functions of 10,000 steps",
        module(
            "",
            &repeat(4, |_| {
                format!("(func (param i64) {} )", step.repeat(10_000))
            }),
        ),
    );
    for (functions, steps) in [(1, 16_000), (4, 4_000), (16, 1_000)] {
        add(
            &format!("straight i64.add of a constant, {functions} × {steps} steps"),
            module(
                "",
                &repeat(functions, |_| {
                    format!("(func (param i64) {} )", step.repeat(steps))
                }),
            ),
        );
    }
    add(
        "straight i64.add of a local, 1 × 16,000 steps",
        module(
            "",
            &format!(
                "(func (param i64 i64) {} )",
                "(local.set 0 (i64.add (local.get 0) (local.get 1)))".repeat(16_000)
            ),
        ),
    );
    add(
        "straight i64.add of a local, 16 × 1,000 steps",
        module(
            "",
            &repeat(16, |_| {
                format!(
                    "(func (param i64 i64) {} )",
                    "(local.set 0 (i64.add (local.get 0) (local.get 1)))".repeat(1_000)
                )
            }),
        ),
    );
    for (what, local, step) in [
        (
            "f64.add of a constant",
            "f64",
            "(local.set 0 (f64.add (local.get 0) (f64.const 1.5)))",
        ),
        ("f64.sqrt", "f64", "(local.set 0 (f64.sqrt (local.get 0)))"),
        (
            "i64.div_s by a constant",
            "i64",
            "(local.set 0 (i64.div_s (local.get 0) (i64.const 7)))",
        ),
        (
            "i64.rem_u by a local",
            "i64",
            "(local.set 0 (i64.rem_u (local.get 0) (local.get 1)))",
        ),
        (
            "i64.load + i64.store",
            "i64",
            "(i64.store offset=8 (i32.wrap_i64 (local.get 1)) (i64.load (i32.wrap_i64 (local.get 0))))",
        ),
        ("i32.const + drop", "i64", "(drop (i32.const 7))"),
        (
            "call_indirect",
            "i64",
            "(drop (call_indirect (type $u) (local.get 0) (i32.const 0)))",
        ),
        (
            "memory.fill",
            "i64",
            "(memory.fill (i32.const 0) (i32.const 0) (i32.const 8))",
        ),
        (
            "memory.grow + memory.size",
            "i64",
            "(drop (memory.grow (memory.size)))",
        ),
        (
            "global.set of a global",
            "i64",
            "(global.set $g (global.get $g))",
        ),
        (
            "select",
            "i64",
            "(local.set 0 (select (local.get 0) (local.get 1) (i32.wrap_i64 (local.get 0))))",
        ),
        (
            "f64.nearest + f32.demote",
            "f64",
            "(local.set 0 (f64.promote_f32 (f32.demote_f64 (f64.nearest (local.get 0)))))",
        ),
    ] {
        add(
            &format!("straight {what}, 4 × 2,000 steps"),
            module(
                "(type $u (func (param i64) (result i64))) (table 1 funcref) (elem (i32.const 0) $id) (global $g (mut i64) (i64.const 0))",
                &(repeat(4, |_| {
                    format!("(func (param {local} {local}) {} )", step.repeat(2_000))
                }) + "(func $id (param i64) (result i64) (local.get 0))"),
            ),
        );
    }
    add(
        "1,000 ifs in sequence over 100 live locals",
        module(
            "",
            &format!(
                "(func (param i32) {} {} (local.set 1 (i64.add (local.get 1) (local.get 100))))",
                "(local i64)".repeat(100),
                repeat(1_000, |i| format!(
                    "(if (local.get 0) (then (local.set {} (i64.const {i}))))",
                    i % 100 + 1
                ))
            ),
        ),
    );
    add(
        "1,024 types of 32 parameters and 32 results",
        module(
            &repeat(1_023, |i| {
                let params = " i32".repeat(31) + if i % 2 == 0 { " i32" } else { " i64" };
                let results = " i64".repeat(31) + if i % 4 < 2 { " i32" } else { " i64" };
                let last = if i / 4 % 2 == 0 { " f32" } else { " f64" };
                let params = params.replacen(" i32", last, (i / 8) % 32);
                format!("(type (func (param{params}) (result{results})))")
            }),
            "",
        ),
    );
    add(
        "1,200 arithmetic functions (the deploy bench's)",
        module(
            "",
            &repeat(1_200, |f| {
                let body: String = (0..12)
                    .map(|k| {
                        format!(
                            " (i32.const {}) (i32.add) (i32.const {}) (i32.mul)",
                            f * 31 + k,
                            k + 3
                        )
                    })
                    .collect();
                format!("(func (param $x i32) (result i32) (local.get $x){body})")
            }),
        ),
    );
    add(
        "9,999 empty functions",
        module("", &repeat(9_999, |_| "(func)".to_string())),
    );
    add(
        "1,000 functions of 1,999 unused i64 locals",
        module(
            "",
            &repeat(1_000, |_| {
                format!("(func (param i64) {})", "(local i64)".repeat(1_999))
            }),
        ),
    );
    add(
        "50 functions summing 1,999 i64 locals",
        module(
            "",
            &repeat(50, |_| {
                let locals = "(local i64)".repeat(1_999);
                let sum: String = (1..2_000)
                    .map(|i| format!("(local.set 0 (i64.add (local.get 0) (local.get {i})))"))
                    .collect();
                format!("(func (param i64) {locals} {sum})")
            }),
        ),
    );
    for depth in [250, 500, 1_000, 2_000, 5_000] {
        add(
            &format!("{depth} nested loops"),
            module("", &format!("(func {})", nested(depth, "loop", "nop"))),
        );
    }
    add(
        "1,000 nested loops, br to the outermost",
        module(
            "",
            &format!("(func {})", nested(1_000, "loop", &format!("br {}", 999))),
        ),
    );
    add(
        "500 nested loops, 100 i64 locals",
        module(
            "",
            &format!(
                "(func {} {})",
                "(local i64)".repeat(100),
                nested(500, "loop", "nop")
            ),
        ),
    );
    add(
        "1,000 nested blocks",
        module("", &format!("(func {})", nested(1_000, "block", "nop"))),
    );
    add(
        "1,000 nested ifs",
        module(
            "",
            &format!(
                "(func (param i32) {})",
                nested(1_000, "local.get 0 if", "nop")
            ),
        ),
    );
    add(
        "10,000 loops in sequence",
        module("", &format!("(func {})", "loop nop end ".repeat(10_000))),
    );
    for n in [2_500, 5_000] {
        add(
            &format!("{n} loops in sequence"),
            module("", &format!("(func {})", "loop nop end ".repeat(n))),
        );
    }
    add(
        "10,000 loops in sequence over 100 functions",
        module(
            "",
            &repeat(100, |_| format!("(func {})", "loop nop end ".repeat(100))),
        ),
    );
    add(
        "10,000 blocks with a br_if in sequence",
        module(
            "",
            &format!(
                "(func (param i32) {})",
                "block local.get 0 br_if 0 end ".repeat(10_000)
            ),
        ),
    );
    add(
        "10,000 ifs in sequence",
        module(
            "",
            &format!(
                "(func (param i32) {})",
                "local.get 0 if nop end ".repeat(10_000)
            ),
        ),
    );
    add(
        "2,500 empty functions",
        module("", &repeat(2_500, |_| "(func)".to_string())),
    );
    add("256 globals", module(&globals_256(), ""));
    add("1,024 types", module(&types_1024(), ""));
    add(
        "br_table of 60,000 targets",
        module(
            "",
            &format!(
                "(func (param i32) (block (br_table {} (local.get 0))))",
                "0 ".repeat(60_000)
            ),
        ),
    );
    add(
        "br_table of 30,000 targets over 100 nested blocks",
        module(
            "",
            &format!(
                "(func (param i32) {})",
                nested(
                    100,
                    "block",
                    &format!(
                        "local.get 0 br_table {}",
                        repeat(30_000, |i| format!("{} ", i % 100))
                    )
                )
            ),
        ),
    );
    add(
        "value stack 10,000 deep",
        module(
            "",
            &format!(
                "(func (result i64) {} {})",
                "i64.const 1 ".repeat(10_000),
                "i64.add ".repeat(9_999)
            ),
        ),
    );
    add(
        "10,000 direct calls",
        module(
            "",
            &format!("(func $f) (func {})", "call $f ".repeat(10_000)),
        ),
    );
    add(
        "256 globals, 1,024 types",
        module(&(globals_256() + &types_1024()), ""),
    );
    add(
        "1,024 data segments",
        module(
            "",
            &repeat(1_024, |i| {
                format!("(data (i32.const {}) \"abcdefgh\")", i * 8)
            }),
        ),
    );
    add(
        "table of 4,096 elements",
        module(
            &format!(
                "(table 4096 funcref) (elem (i32.const 0) {})",
                "$f ".repeat(4_096)
            ),
            "(func $f)",
        ),
    );
    add(
        "60 KB data segment",
        module(
            "",
            &format!("(data (i32.const 0) \"{}\")", "x".repeat(60_000)),
        ),
    );
    out
}

/// `code` made distinct (another code hash) by a custom section holding `n`.
fn distinct(code: &[u8], n: u64) -> Vec<u8> {
    let mut out = code.to_vec();
    out.extend_from_slice(&[0, 10, 1, b'n']);
    out.extend_from_slice(&n.to_le_bytes());
    out
}

/// The yardstick of `gas_classes`: a loop of `i64.add` on a local, 8 operators an iteration.
const YARDSTICK: &str = r#"(module (memory (export "memory") 1)
  (func (export "run") (param i32) (result i32) (local $x i64)
    (local.set $x (i64.const 0x4000000000000001))
    (loop $l
      (local.set $x (i64.add (local.get $x) (i64.const 1)))
      (br_if $l (i64.ne (local.get $x) (i64.const 0x1234567))))
    (i32.const 0)))"#;

/// The yardstick's rate, in gas/µs counting its 8 operators an iteration at 1 gas each (as
/// `gas_classes` does): one call's rate, from its thread CPU time.
fn yardstick_once(runtime: &Runtime, session: &mut Session, id: host_api::ContractId) -> f64 {
    let t = cpu_time(libc::CLOCK_THREAD_CPUTIME_ID);
    let r = session
        .call(Address([1; 32]), id, "run", &[], YARDSTICK_GAS)
        .expect("no host error");
    let elapsed = cpu_time(libc::CLOCK_THREAD_CPUTIME_ID) - t;
    assert_eq!(r.result, Err(CallError::OutOfGas));
    let c = &runtime.config().operator_costs;
    let per_iteration = 3 * u64::from(c.local)
        + 3 * u64::from(c.integer)
        + u64::from(c.compare)
        + u64::from(c.branch);
    YARDSTICK_GAS as f64 / elapsed.as_secs_f64() / 1e6 * 8.0 / per_iteration as f64
}

struct Measured {
    name: String,
    shape: ModuleShape,
    deploy_gas: u64,
    deploy: Duration,
    load_gas: u64,
    load: Duration,
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let rounds: u64 = std::env::var("DEPLOY_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = RuntimeConfig::default().with_cache_dir(dir.path());
    if std::env::var("DEPLOY_BENCH_PRICES").as_deref() == Ok("bytes") {
        // The prices before deploys were priced by shape (gas schedule v6): deploys by bytes,
        // loads by bytes and functions.
        config.prices.deploy = CompilePrices {
            base: 52_000,
            per_byte: 7_000,
            ..CompilePrices::ZERO
        };
        config.prices.load = CompilePrices {
            base: 600_000,
            per_byte: 80,
            per_function: 3_200,
            ..CompilePrices::ZERO
        };
    }
    let runtime = Runtime::new(config).expect("runtime");
    let mut session = runtime.session(Arc::new(MemoryStore::new()), BlockInfo::default());
    let owner = Address([1; 32]);
    let yardstick = session
        .deploy(owner, &wat::parse_str(YARDSTICK).expect("WAT"), 0)
        .expect("yardstick");
    let kernels = kernels();
    // `DEPLOY_BENCH_FILTER`: a comma-separated list of substrings of the kernels to run.
    let filter: Vec<String> = std::env::var("DEPLOY_BENCH_FILTER")
        .unwrap_or_default()
        .split(',')
        .map(str::to_string)
        .collect();
    let mut best: Vec<Option<Measured>> = kernels.iter().map(|_| None).collect();
    let mut rate = 0.0f64;
    let mut nonce = 1;
    for round in 0..rounds {
        rate = rate.max(yardstick_once(&runtime, &mut session, yardstick));
        for ((name, code), best) in kernels.iter().zip(&mut best) {
            if !filter.iter().any(|f| name.contains(f.as_str())) {
                continue;
            }
            let code = distinct(code, round);
            nonce += 1;
            let t = process_cpu_time();
            let (id, deploy_gas) = session
                .deploy_with_gas(owner, &code, nonce, u64::MAX)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let deploy = process_cpu_time() - t;
            // The cold load: the compiled module from its disk entry, by a call refused at a
            // missing entry point (after the load).
            runtime.clear_memory_cache();
            let t = process_cpu_time();
            let r = session
                .call(owner, id, "nope", &[], 1_000_000_000_000)
                .expect("no host error");
            let load = process_cpu_time() - t;
            assert!(
                matches!(r.result, Err(CallError::NoSuchFunction(_))),
                "{name}"
            );
            let m = Measured {
                name: name.clone(),
                shape: module_shape(&code).expect("parses"),
                deploy_gas,
                deploy,
                load_gas: r.gas_spent,
                load,
            };
            match best {
                Some(b) => {
                    b.deploy = b.deploy.min(m.deploy);
                    b.load = b.load.min(m.load);
                }
                None => *best = Some(m),
            }
        }
        rate = rate.max(yardstick_once(&runtime, &mut session, yardstick));
    }
    let ratio = |gas: u64, time: Duration| time.as_secs_f64() * 1e6 * rate / gas as f64;
    let mut table = String::new();
    writeln!(
        table,
        "\ndeploy_classes: fastest of {rounds} rounds; yardstick {rate:.0} gas/µs (its fastest call)\n"
    )
    .unwrap();
    writeln!(table, "| kernel | bytes | functions | locals | operators | types (values) | br_table targets | branch units (Σ per function²) | deploy gas | compile µs | vs yardstick | load gas | load µs | vs yardstick |").unwrap();
    writeln!(
        table,
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    .unwrap();
    let mut worst = [(0.0f64, String::new()), (0.0, String::new())];
    for m in best.iter().flatten() {
        let (d, l) = (ratio(m.deploy_gas, m.deploy), ratio(m.load_gas, m.load));
        for (w, r) in worst.iter_mut().zip([d, l]) {
            if r > w.0 {
                *w = (r, m.name.clone());
            }
        }
        let s = &m.shape;
        writeln!(
            table,
            "| {} | {} | {} | {} | {} | {} ({}) | {} | {} ({}) | {} | {:.0} | {d:.2}× | {} | {:.0} | {l:.2}× |",
            m.name,
            s.bytes,
            s.functions,
            s.locals,
            s.operators,
            s.types,
            s.type_values,
            s.br_table_targets,
            s.branch_units,
            s.branch_unit_pairs,
            m.deploy_gas,
            m.deploy.as_secs_f64() * 1e6,
            m.load_gas,
            m.load.as_secs_f64() * 1e6,
        )
        .unwrap();
    }
    writeln!(
        table,
        "\nworst deploy: {} at {:.2}× the yardstick's time per gas (the goal: 1.5×); worst cold load: {} at {:.2}×",
        worst[0].1, worst[0].0, worst[1].1, worst[1].0
    )
    .unwrap();
    println!("{table}");
}
