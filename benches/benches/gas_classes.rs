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

#[path = "gas_classes/calls.rs"]
mod calls;
#[path = "gas_classes/classes.rs"]
mod classes;
#[path = "gas_classes/cold.rs"]
mod cold;
#[path = "gas_classes/commit.rs"]
mod commit;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
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
    /// loads"; every timed call runs in a fresh session, so it pays it; the module is in memory here, the `cold loads` kernels time real loads) and
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
    let store = Arc::new(MemoryStore::new());
    let mut session = runtime.session(store.clone(), BlockInfo::default());
    let owner = Address([1; 32]);
    let mut deployed: Vec<Deployed> = classes::kernels()
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
    deployed.extend(calls::nested_call_kernels(&mut session));
    deployed.extend(calls::initial_memory_kernels(&mut session));
    for k in &mut deployed {
        if k.kernel.name.starts_with("recursion") {
            let depth = max_depth(&mut session, k.id);
            let arg = depth / 10 * 9;
            k.kernel.arg = arg.to_le_bytes().to_vec();
            k.kernel.name = format!("recursion to depth {arg} (max {depth})");
        }
    }

    // Every timed call runs in a fresh session over the committed kernels: a session keeps the
    // modules it loaded warm (`runtime/src/load.rs`), and each call is given its module's load
    // price (`extra_gas`), which only a session's first call into the module pays.
    session.commit().expect("commit the kernels");
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
            let mut fresh = runtime.session(store.clone(), BlockInfo::default());
            *best = (*best).min(call(&mut fresh, k));
        }
        for (c, best) in colds.iter_mut().zip(&mut best[deployed.len()..]) {
            c.runtime.clear_memory_cache();
            *best = (*best).min(call(&mut c.session(), &c.kernel));
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
        // A fresh session each iteration (made outside the timing), as in the summary.
        group.bench_function(&k.kernel.name, |b| {
            b.iter_batched(
                || runtime.session(store.clone(), BlockInfo::default()),
                |mut fresh| call(&mut fresh, k),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, gas_classes);
criterion_main!(benches);
