//! Gas: the price table, the operator cost table, the schedule's fingerprint and the
//! arithmetic of charging.
//!
//! Gas is wasmtime fuel, one to one. Each wasm operator costs its class's fuel from
//! [`OperatorCosts`] (handed to wasmtime 48's `Config::operator_cost`), plus 1 at every function
//! entry (wasmtime's own, not configurable: the cheapest call, an export returning a constant,
//! costs `call_base` + 3). The
//! default is the measured table ([`OperatorCosts::measured`], see
//! [Operator costs](#operator-costs)); wasmtime's own (1 per operator) is
//! [`OperatorCosts::wasmtime_default`].
//! Host functions are charged from the [`PriceTable`] **before** they do their work, so a call
//! that cannot pay stops with `OutOfGas` without the work being done (a read's or removal's
//! per-byte price for the value it found is charged once the value is fetched, before it is
//! copied). Both tables, with [`GAS_SCHEDULE_VERSION`], make the gas schedule, which is
//! consensus: [`gas_schedule_fingerprint`] is what a chain's genesis pins, and the engine
//! fingerprint (the compiled-artifact cache key) includes it.
//!
//! Every price is set from a measured time at the rate of the **fastest metered wasm**, so that
//! neither a call nor any host function buys more time per gas than a contract's own code can:
//! a tight integer loop (`SPIN`) runs 12,000,006 gas in about 1,100 µs, **10,800–11,000
//! gas/µs**. A host operation far cheaper in gas than its time would let an attacker fill a
//! block with work nobody paid for. That rate is within 1.3× of the `i64.add` loop the operator
//! costs are measured against (see [Operator costs](#operator-costs)). Under wasmtime's table
//! much wasm buys far more time per gas than the yardstick (floats, division, calls, nested
//! loops: up to thousands of times more), so a block's gas bounds its time only under the
//! measured table, the default.
//!
//! # Call and host-function prices
//!
//! Measured through the runtime as a node runs it (`RuntimeConfig::default()`: pooling, dev
//! mode off) over a redb state of 1 M keys, each host function as a loop of calls inside one
//! contract call less the same loop without it, the yardstick in the same run, with
//! `cargo test --release -p integration-tests gas_prices::measure -- --ignored --nocapture`
//! (the fastest of 15 rounds per figure; the median of 5 runs below, since single runs on the
//! project's shared 2-core machine move by up to ±40 % on the redb rows). Gas includes the few
//! wasm operators that pass the arguments:
//!
//! | operation | measured | gas | gas/µs |
//! |---|---|---|---|
//! | fresh call of a trivial contract (`call_base` 52,000: record read, Store, instance, receipt) | 3.57 µs | 52,002 | 14,570 |
//! | nested call of a trivial contract (`call`: 200 + 33 bytes, the callee's `call_base`) | 4.45 µs | 52,242 | 11,740 |
//! | host function at `host_call_base` 200: `block_height` / `output_write` of 0 bytes | 8 / 17 ns | 201 / 206 | 25,100 / 12,100 |
//! | copy across the boundary, per byte (`output_write` 64 KiB) | 0.019 ns | 1 | 52,400 |
//! | storage read of a random present key, 4-byte key, 8-byte value (`storage_read_base` 31,000) | 2.54 µs | 31,035 | 12,230 |
//! | storage read of an absent key | 2.45 µs | 31,023 | 12,690 |
//! | storage read, per byte of the value found | 0.047 ns | 2 | 42,700 |
//! | storage write into the journal, 4-byte key, 8-byte value (`storage_write_base` 5,000) | 0.41 µs | 5,059 | 12,460 |
//! | storage write, per byte | 0.027 ns | 4 | 149,300 |
//! | storage remove of a random present key (`storage_remove_base` 46,000: a lookup, a write) | 3.83 µs | 46,038 | 12,020 |
//! | emit, 1-byte topic, no data (`emit_base` 1,000) | 81 ns | 1,010 | 12,470 |
//! | emit, per byte | 0.025 ns | 2 | 79,700 |
//! | BLAKE2b-256 of nothing (`blake2b_base` 1,900) | 153 ns | 1,907 | 12,460 |
//! | BLAKE2b-256, per KiB (10/byte) | 0.857 µs | 10,240 | 11,950 |
//! | `debug_print` of nothing, dev mode off (`debug_base` 300) | 25 ns | 306 | 12,240 |
//! | `debug_print`, per byte (checked, copied, made UTF-8) | 0.34 ns | 8 | 23,400 |
//!
//! Each base sits 9–35 % above the yardstick (`block_height`, the cheapest function priced at
//! `host_call_base`, 2.3×); per-byte prices are whole gas, so they sit further above. The
//! rows of writes and removals are the journal's work; the commit's is priced apart (see
//! [Storage commit](#storage-commit)).
//!
//! # Storage commit
//!
//! A write into the journal is cheap (0.41 µs above); committing it is not. The commit of a
//! block hashes the merkle path of every key the block changed and makes the change set
//! durable: every byte of key and value is hashed into its leaf, encoded into the commit's log
//! record and written to disk. So `storage_write` and `storage_remove` also charge the commit's
//! share: [`PriceTable::storage_commit_per_key`] = 80,000 (60,000 before v10) for a key that no frame of the
//! running call tree has written or removed yet (a key written twice, or written then removed,
//! pays once; a frame that failed does not count; a key an earlier call of the session wrote
//! pays again, so a transaction's gas does not depend on the rest of its block), and
//! [`PriceTable::storage_commit_per_byte`] = 75 per byte of key and value at every write (any
//! write may be the one committed), per key byte of a removal. A removal of an absent key pays
//! like any other: the commit walks its path all the same. Both are charged before the journal
//! changes. A deploy pays the per-key share for its contract record ([`deploy_price`]).
//!
//! **Priced for the store the devnet runs**: `node-lite`'s devnet nodes commit to a `WalStore`
//! (`node-lite/src/devnet/store.rs`: the state and its tree in memory, one log record per
//! commit in redb, checkpoints in the background 257 versions behind the head, a 32 MiB page
//! cache), and the gas schedule is one for every node. Measured with the `storage commit`
//! kernels of `GAS_BENCH_SUMMARY_ONLY=1 GAS_BENCH_ROUNDS=3 cargo bench -p benches --bench
//! gas_classes` (a call writing or removing distinct random keys of a 1 M-key state, then the
//! session's commit, timed together in the thread's CPU time like the yardstick, and in wall
//! time; the node's options, 256 commits of 1,000 keys before the kernels; 2026-12-03, load
//! average ≈ 16 on the 2 cores, yardstick 6,592 gas/µs in that run), the fastest of 3 rounds:
//!
//! | kernel | CPU time | per key / byte | at the yardstick |
//! |---|---|---|---|
//! | write 1,000 keys, 32 B values | 9.13 ms | 8.2–12.5 µs a key (the call's loop and journal included) | 60,200 gas a key, all included |
//! | write 100 / 10 keys, 32 B values | 1.72 / 0.59 ms | ≈ 0.5–0.9 ms a commit + the keys | |
//! | write 1,000 keys, 4 KiB values | 24.4 ms | 3.75 ns a byte | 25 gas a byte |
//! | write 100 keys, 64 KiB values | 27.7 ms | 3.96 ns a byte | 26 gas a byte |
//! | remove 1,000 keys | 9.79 ms | 9.8 µs a removal | 64,500 gas a removal, all included |
//!
//! The per-key price is what makes the 1,000-key write run at the yardstick's time per gas with
//! the write's other prices (the journal's 5,000 + 4 a byte, the bytes' commit share, the
//! loop's operators) and 15 % margin (60,000); a removal's own prices (46,000 and its read)
//! leave it covered with that. The per-byte price was set on these small commits in v8 (the
//! larger byte cost with 15 % margin: 30); v9 raises it to 75 for large commits (below). What
//! the table leaves out, as costs per block, not per write:
//! - **the commit's fixed part**, ≈ 0.5–0.9 ms of CPU a commit whatever its size (the redb
//!   transaction and the root) and the fsync the wall time adds (≈ 2–3 ms here). A block pays
//!   it once; the block's time budget bounds it: at the devnet's 4·10⁹ gas a block (≈ 0.4–0.6 s
//!   at the yardstick), a commit of a few milliseconds is about 1 % of it. A call writing 10
//!   keys and committed alone runs at ≈ 3× the yardstick's time per gas, because of it.
//! - **the checkpoint**: a write of the whole state, built and written in a thread of its own
//!   at the lowest CPU priority, off the commit path, once the log since the last one outgrows
//!   the last checkpoint (≈ 48 MB at 1 M keys, 1.59 s of CPU: 33 ns a checkpoint byte in that
//!   run). Its CPU is about 33 ns per logged byte over time, not charged: it does not delay a
//!   block on a node with a core to spare (charged, it would be ≈ 220 gas a byte more).
//! - the wall time's fsync per byte (5–10 ns a byte in wall time here against 4 ns of CPU);
//!   the wall time is the CPU time's 1.7–2.5× on this loaded machine.
//!
//! With v8's prices (30 a byte), the same bench again (load average ≈ 16, yardstick 5,423
//! gas/µs), in CPU time: 1,000 keys with 32 B values 0.94× the yardstick's time per gas, with
//! 4 KiB values 0.78×, 100 keys with 64 KiB values 0.71×, 1,000 removals 0.61×, one key written
//! 10,000 times 0.16× (wall time 0.27–2.13×); a commit of 100 keys alone 1.64×, of 10 keys
//! 2.93× (the commit's fixed part, above). BENCHMARKS.md §6 has the table.
//!
//! **Large commits (gas schedule v9: `storage_commit_per_byte` 30 → 75).** A commit's CPU per
//! byte grows with its size: 2.5 ns a byte at 6.5 MB, 3.2 ns at 19.7 MB, 5.7 ns at 65 MB,
//! 8.8 ns at 196 MB (the commit's CPU, the call's subtracted; 2026-12-04, BENCHMARKS.md §6, "The
//! issue's cases on gas schedule v8": the page-cache copy of the log record, the hashing and the
//! page faults of fresh buffers run at memory speed once the bytes leave the caches). At 30 a
//! byte (≈ 35 a byte written, with the journal's 4 and the copy out of wasm memory) a commit
//! past ≈ 30 MB bought more than 1.5× the yardstick's time: 3,000 values of 64 KiB (196 MB in
//! one commit) ran at 2.88–3.73× over that day's runs, and a full 4·10⁹-gas block of large
//! writes (≈ 114 MB; a block's writes are one commit) would sit near 2.5×. At 75 a written byte
//! pays ≈ 80 gas, ≈ 6.5 ns at that day's yardstick (≈ 12.4 gas/ns): the 196 MB commit at
//! 8.8 ns a byte comes to ≈ 1.36× (a 10 % margin under 1.5×, for the worst size a call can
//! reach); a block can then carry at most ≈ 50 MB of writes, where a byte costs ≈ 5 ns
//! (≈ 0.8×). A small write (≈ 40 bytes of key and value) pays ≈ 1,800 gas more, against its
//! 60,000 per key. Under v9, the same bench (2026-12-04 16:32 UTC, load average 5.2–6.4,
//! yardstick 12,447 gas/µs; the call and its commit in CPU time): 3,000 values of 64 KiB 1.47×
//! (wall time 1.62×), 1,000 1.04×, 300 0.48×, 100 0.43×; 10,000 keys with 32 B values 0.84×.
//! A second run's yardstick was slowed by a neighbour (7,050 gas/µs; 3,000 values 0.79×); a
//! third, at load average ≈ 7.6 (16:57 UTC, yardstick 12,270 gas/µs), committed the 196 MB at
//! 11.3 ns a byte: 3,000 values 1.77× (wall 1.98×), 1,000 0.87×, 300 0.53×, 100 0.44×; 10,000
//! small keys 1.02×. So the largest commit a call can reach still misses 1.5× on a loaded
//! machine; a block's ≈ 50 MB stays under 1.1× in all three. BENCHMARKS.md §6 ("Gas schedule
//! v9") has the table.
//!
//! **Other stores.** `RedbStore` (the devnet's store before, and `node-lite --state`'s in a
//! state directory an earlier node-lite made, `state.redb`; new ones are on `WalStore`) commits
//! a key in ≈ 0.2–0.43 ms of CPU at 1 M keys (its B-trees' random writes, a version's
//! pruning), 20–45× what is priced: an operator who runs a node on it spends that per key
//! dirtied, so a block full of distinct writes takes 20–45× its time budget to commit, and the
//! node falls behind the consensus's step timeouts first — the operator's cost, not the
//! chain's. Priced for it (v7 of this schedule: 4,000,000 a key, 450 a byte), a 2·10⁹-gas
//! block held about 55 transfers. `MemoryStore` commits faster than `WalStore` (no disk).
//!
//! # Operator costs
//!
//! Measured with `GAS_BENCH_SUMMARY_ONLY=1 GAS_BENCH_ROUNDS=9 cargo bench -p benches --bench
//! gas_classes` (the default table) and the same with `GAS_BENCH_COSTS=wasmtime` (wasmtime's
//! table, the default before), one run after the other on the same binary, three times
//! (2026-12-03, load average 5–7 on the 2 cores: the bench times the thread's CPU time, so the
//! neighbours' slices do not count, their cache traffic and the shared core's other thread
//! do). Every kernel is a loop that runs 20 M gas until out of gas (0.4 M for 500 nested
//! loops), the fastest of 9 rounds. The yardstick is a loop of `i64.add` on a local, its 8
//! operators an iteration counted at 1 gas each whatever the table charges for them (so
//! pricing a branch or a comparison does not move it): 9,200–10,300 gas/µs in the quietest of
//! the three runs, the rate the host prices were measured at (`SPIN`). Each class costs what
//! its slowest kernel needs to run within 1.5× of that rate; the third run (the other two:
//! worst 1.06× and 1.34×):
//!
//! | class (cost) | slowest kernel | time per gas vs yardstick, wasmtime's table → measured |
//! |---|---|---|
//! | integer (2) | nested `i64.add`/`xor` with no locals between | 1.78× → 1.26× |
//! | compare (8) | `i64.gt_u` + `add` chain | 2.79× → 1.24× |
//! | bit count (10) | `popcnt`/`clz` chain | 4.46× → 1.16× |
//! | locals, globals (1) | `global.get`/`set` chain | 1.29× → 0.95× |
//! | multiply (9) | `i64.mul` chain | 2.83× → 0.99× |
//! | divide (60) | `i64.rem_u` chain by a divisor unknown to the compiler | 12.0× → 1.22× |
//! | float (53) | `f64.mul` chain | 14.0× → 1.03× |
//! | float div/sqrt (106) | `f64.sqrt` + `add` chain | 31.1× → 1.05× |
//! | float min/max (55) | `f64.min` chain | 13.9× → 1.00× |
//! | float rounding (75) | `f64.nearest` chain | 24.2× → 1.04× |
//! | conversion (59) | `f64` → `f32` → `f64` | 28.4× → 1.07× |
//! | load (50; 180 since v10, below) | dependent loads, random lines of 4 MiB | 5.17× → 1.29× |
//! | store (255) | stores to random lines of 4 MiB | 6.11× → 1.46× |
//! | `memory.size` (1), `memory.grow` (255) | `memory.grow 0` (a host call) | 63.2× → 1.24× |
//! | call (120), `call_indirect` (128) | recursion to depth 9,819 (90 % of the stack) | 16.7× → 1.32× |
//! | branch: `br`, `br_if` (8) | empty loop, `br` | 15.1× → 1.16× |
//! | `br_table` (12) | empty loop, `br_table` back edge | 8.4× → 1.37× |
//! | `if`, `else` (1), `select` (1) | `select` chain | 1.36× → 1.03× |
//! | loop entry (30) | 500 nested loops, `br` to the outermost | 5,442× → 1.29× |
//! | bulk (61) + 3 per byte (v9; 2 before) | `memory.fill` of 4 MiB | 1.57× → 1.32× (at 2 a byte) |
//!
//! Every one of the bench's 74 kernels of that day is within 1.5× of the yardstick under the
//! measured table in all three runs (the chase through written memory added since is not:
//! [Memory latency](#memory-latency-gas-schedule-v10)) (worst 1.46×, random stores); under wasmtime's table the worst is
//! 3,500–5,400× (500 nested loops). `bulk_per_byte` went from 2 to 3 in gas schedule v9: at 2,
//! `memory.fill` of 4 MiB (memory bandwidth, not work) ran at 1.38–1.65× the yardstick over
//! four runs on 2026-12-04 (BENCHMARKS.md §6, "The cases on gas schedule v8"); at 3 the
//! same time would be ≈ 0.92–1.10× (the kernel's gas is almost all per byte); measured under v9,
//! 1.32× and 1.39× (2026-12-04 16:32 and 16:57 UTC; BENCHMARKS.md §6, "Gas schedule v9"):
//! wasmtime adds a constant-length fill's cost to the fuel counter checked at the next loop
//! header, so the kernel's 20 M gas now runs 2 fills (3 before), and probably the first one's
//! page faults on the fresh initial memory (priced apart, outside the kernel's gas) weigh more
//! (not measured apart). Why the costs are what they are:
//! - a `br` or `br_if` may be a loop's back edge, and every loop header is a fuel check: an
//!   empty loop is one branch and its check (about a nanosecond), so every branch pays for one;
//!   `if` and `else` only jump forward and stay at 1;
//! - a comparison makes a flag into a value (compare, set, extend): three dependent
//!   instructions; an integer operator is one cycle, about 3 gas at the yardstick's rate, and a
//!   chain of them with one `local.get` each runs 2 gas a cycle, hence 2;
//! - a class priced for its slowest kernel overcharges the rest: calls of small functions run
//!   at 0.27× (3.7× more gas than their time), loads within 4 KiB at 0.48×, stores at 0.05×.
//!
//! The bundled contracts spend 1.3–6.0× the gas under this table they spent under wasmtime's
//! (mostly branches and comparisons; `tests/golden/bundled_contracts.gas` holds their gas,
//! BENCHMARKS.md §6 the table per entry point).
//!
//! # Memory latency (gas schedule v10)
//!
//! The load kernels above read memory the call never wrote, which maps the kernel's zero page:
//! every line hits the caches. A contract that first writes its memory and then chases
//! pointers through it (`i32.load chase, random lines of N MiB written first`: each load's
//! address is the previous load's value, so nothing overlaps) waits on the memory itself. On
//! this machine (2 cores of an AMD EPYC VM, 1 MiB of L2 a core, 32 MiB of L3 shared), with v9's
//! `load` at 50 (2026-12-04, load average ≈ 8–12; BENCHMARKS.md §6, "Memory latency and gas
//! schedule v10"): 4 MiB ≈ 16–22 ns a step (1.9–2.2× the yardstick), 8 MiB ≈ 80–103 ns, 16 MiB
//! (the memory limit then) ≈ 150–200 ns (10.6–11.1× measured; ≈ 33× per step at the
//! yardstick's quiet rate): past the TLB's reach every load is a nested page walk of the VM and
//! a cache miss. No operator cost can cover that: wasmtime's costs are one byte (≤ 255). So v10:
//! - **the memory limit is 64 pages (4 MiB)**, the initial memory's limit
//!   ([`crate::config::DEFAULT_MAX_MEMORY_PAGES`]; 256 pages before);
//! - **`load` costs 180** (50 before): a chase step (the load and its address arithmetic) is
//!   ≈ 205 gas, 0.8–1.27× the yardstick when the 4 MiB stay in the L3 cache (≈ 16–35 ns a
//!   step; 1.27× on a quiet machine, where every kernel of the bench was within 1.5×). **Not bounded:** when other work on the machine evicts them, the same chase waits on
//!   DRAM (70–130 ns a step in six runs of the day, 3.2–7.3×; ≈ 7× per step at the quiet
//!   rate). Covering that at 1.5× would take ≈ 1,000 gas a load. Loads within a few KiB run at
//!   ≈ 0.1× (each overcharged ≈ 10×);
//! - **`storage_commit_per_key` is 80,000** (60,000 before): commits of 100 and 1,000 small keys
//!   ran at 1.26–1.79× in v9's runs of the day (quiet and loaded).
//!
//! # Nested calls
//!
//! In the same runs (over an in-memory store): a nested call of a trivial entry point runs at
//! 1.09× the yardstick from the top frame and 1.26× from frame 15 (the callee at depth 16,
//! the limit). A refused call costs the `call` host function's price plus: no such contract
//! (-3) or entry point (-4), [`PriceTable::call_refused`] = 31,000 (the record lookup, priced
//! as a storage read on a node's store; 0.11–0.13× over memory); the depth limit (-5) or
//! reentrancy (-6), [`PriceTable::call_refused_early`] = 600 (1.22–1.28× → 1.03–1.04×). The
//! refusals are made before the callee's frame gets its stack, so a refused call no longer
//! maps a fresh stack segment.
//!
//! # Cold loads
//!
//! **Resident modules** load for free: the code hashes of
//! [`RuntimeConfig::resident_code`](crate::RuntimeConfig::resident_code), a chain's genesis
//! contracts (node-lite: `transfer`, `stake`, `committee`, `nonces`), which every node pins in
//! its memory cache from the start and never evicts. The set is consensus, like this table: it
//! comes from the genesis (whose root covers the code), never from a node's local
//! configuration, so every node charges the same gas. A node that drops a resident module from
//! memory anyway (a restart) loads it again at its own cost.
//!
//! **Every other module**: the first frame of a **session** that runs it pays [`load_price`] of
//! its bytecode's shape, before the module is loaded, whether or not the node has it in memory
//! (which modules a node keeps in memory is its own business; gas is consensus). The session
//! then keeps the module warm (an `Arc` of the compiled module, held until the session is
//! dropped), and every later frame of any call tree of the session runs it for free: a node
//! runs one session per block (node-lite: `devnet::executor::execute` runs a block's mints,
//! transactions and protocol calls in one session, `chain::block_exec`), so a module is paid
//! for once per block, by its first transaction in the block's order (v11; before, once per
//! call tree). A tree that traps, runs out of gas or reverts leaves its modules warm (the load
//! happened); a frame refused because it cannot pay the load loads nothing and warms nothing.
//! The warm set is bounded and consensus: at most [`MAX_WARM_MODULES`](crate::MAX_WARM_MODULES)
//! (32) modules and [`MAX_WARM_BYTECODE_BYTES`](crate::MAX_WARM_BYTECODE_BYTES) (4 MiB) of
//! their bytecode, decided by the order of the session's loads alone; a module past either
//! bound is held by its tree and paid by every tree that runs it (`load.rs` has the reasons for
//! the bounds). Gas still bounds time: a warm frame does no load (no store read, no disk entry,
//! no deserialization), only an `Arc` clone of the module, and its instantiation and the rest
//! of its work are what every frame pays through `call_base`, `memory_initial_per_page` and its
//! own prices, measured with the module in memory. A dry run (node-lite's `POST /call`, the
//! CLI's `exec` and estimates) runs in a fresh session, so it prices the load: an estimate is
//! at least what the same call spends anywhere in a block. It prices the
//! disk load of a compiled artifact by a node whose memory cache does not hold it: the code read
//! from the store, its shape counted, the disk entry read, checksummed, deserialized, its types
//! registered and linked (node-lite always runs with a disk cache). Compilation is paid once,
//! at deploy ([`deploy_price`]); a node that must compile again (its artifact missing or
//! refused, or a runtime without a disk cache) bears that time itself: the price does not cover
//! it. The load price is the deploy's formula (see below) with the load's own coefficients
//! ([`CompilePrices::load_default`]): `base` 2,000,000, `per_byte` 80, `per_function` 5,000,
//! `per_operator` 100, `per_type` 45,000, `per_branch_unit` 800 (a call site, a
//! `call_indirect`, a loop: what the artifact's relocations and trap tables grow with). A session
//! that loads a copy of token (not resident) pays ≈ 6.3 M gas once; one that calls `transfer`
//! pays none. Under these prices the `cold loads` kernels of
//! `GAS_BENCH_SUMMARY_ONLY=1 GAS_BENCH_ROUNDS=5 cargo bench -p benches --bench gas_classes` (a
//! contract calling distinct modules until out of gas, so each of its frames pays a load under
//! either rule; 2026-12-03 17:58 UTC, yardstick 11,587
//! gas/µs) run at 0.55× (tiny modules), 0.73× (token), 0.96× (stake) and 1.02× (2,000 small
//! functions); the `deploy_classes` loads (below) within 1.23×. Under v11 (each timed call in a
//! fresh session, so every load is paid; `GAS_BENCH_ROUNDS=3`, 2026-12-05 00:17 UTC, yardstick
//! 12,504 gas/µs): 0.49×, 0.63×, 0.83×, 0.77×; v10's bench in the next minutes: 0.50×, 0.63×,
//! 0.76×, 0.75×.
//!
//! # Deploy and cold loads
//!
//! Compile time is not proportional to bytes: 5,000 nested `loop`s (15 KB, priced 105 M gas
//! by bytes) took seconds to compile, and so do 10,000 `loop`s or `if`s in sequence in one
//! function; an empty function costs 65–90 µs, an `i64.add` of a constant up to 8 µs an operator
//! (Cranelift's rewrites), a function type ≈ 10 µs per parameter or result (its trampolines).
//! So a deploy pays [`compile_price`] of the module's [`ModuleShape`](crate::shape::ModuleShape)
//! — counted in one pass over the bytecode, before anything is validated or compiled — with
//! the coefficients of [`CompilePrices::deploy_default`]:
//!
//! | count | price | what it covers (the `deploy_classes` kernel slowest in it) |
//! |---|---|---|
//! | `base` | 35,000,000 | validation, the engine's per-module work, the instantiation probe (a 1.5 KB module: ≈ 2 ms) |
//! | per byte | 400 | parsing, data segments (a 60 KB data segment: 0.34×) |
//! | per function | 1,000,000 | Cranelift's per-function work (9,999 empty functions: 0.63×) |
//! | per local (parameters included) | 1,800 | zeroing them at entry (1,000 functions of 2,000 locals: 0.56×) |
//! | per operator | 75,000 | straight code (`i64.add` of a constant, 16,000 in one function: 1.10×) |
//! | per function type | 100,000, + 130,000 per parameter or result | trampolines (1,024 types: 0.92×) |
//! | per `br_table` target | 20,000 | jump tables (60,000 targets: 0.64×) |
//! | per branch unit | 60,000 | `loop`, `if`, `br_if`, `br_table`, `call_indirect`, `memory.grow`: 4 units; `br`, `else`, `call`, bulk memory: 1 |
//! | per branch unit², per function | 30 | register allocation over a function's blocks (10,000 `loop`s in one function: 0.69×, 5,000 nested: 0.71×) |
//!
//! The square is per function: 10,000 loops cost 52.7 G gas in one function (refused at any
//! block's gas: they compile for 3.4 s) and 5.3 G spread over 100 functions (0.27 s). No cap on
//! nesting is needed: depth itself costs nothing that the branches do not (1,000 nested `block`s
//! compile in 3 ms), and a function's branches are priced by their square whatever their
//! nesting. Measured with `DEPLOY_BENCH_ROUNDS=3 cargo bench -p benches --bench
//! deploy_classes` (each of 51 kernels deployed with `Session::deploy_with_gas` on a runtime
//! with a disk cache, the process's CPU time, since compilation runs on several threads, the
//! fastest of 3 rounds; then loaded cold from its disk entry by a call; 2026-12-03, the
//! yardstick, a loop of `i64.add`, at 10,791 gas/µs in that run): every kernel's compile time
//! per gas within 1.10× of the yardstick's (worst: 16,000 `i64.add`s of a constant in one
//! function), the bundled token 0.92× (719 M gas, 61 ms), stake 0.81× (1.78 G gas, 133 ms);
//! 5,000 nested loops 0.71× (14.0 G gas, 0.93 s). Every cold load within 1.23× (worst: a
//! `br_table` of 60,000 targets). Under the price by bytes (52,000 + 7,000 a byte; loads
//! 600,000 + 80 a byte + 3,200 a function), in the same session: deploys up to 129× (10,000
//! loops in sequence; 5,000 nested loops 100×, token 5.75×), cold loads up to 16× (1,024
//! types). BENCHMARKS.md §8 has the table.

//! # Memory growth
//!
//! A 64 KiB page grown with `memory.grow` and written costs about 29 µs (page faults, zeroing,
//! the reset after the call) for about 200 gas of wasm operators, ≈ 7 gas/µs: a call could grow
//! to the limit (16 MiB before v10, 4 MiB since), 7 ms of work, for a few thousand gas. wasmtime's fuel has no per-page
//! cost, so the runtime adds one: `memory_grow_per_page` = 340,000 gas (29 µs at the yardstick,
//! +7 %). The resource limiter counts the pages grown after instantiation (the initial memory
//! is priced apart, see below) and refuses, with `OutOfGas`, a growth that the call's whole gas
//! limit could not pay; the pages are charged when the call ends, so a call that grows and then
//! spends the rest on compute ends `OutOfGas` too.
//!
//! # Initial memory
//!
//! A contract's initial memory is a fresh one at every call: a page of it the call touches
//! costs what a grown page costs (page faults, zeroing, the reset after the call), whatever
//! the wasm does with it. `call_base` was measured with the bundled contracts, whose initial
//! memory is 2 pages (128 KiB, the bytes the pooling allocator resets by `memset`,
//! `DEFAULT_MEMORY_KEEP_RESIDENT_BYTES`): `memory_initial_free_pages` = 2 are included in it.
//! Every further page of the module's declared initial memory costs
//! `memory_initial_per_page`, charged with the call's base, before instantiation, whether or
//! not the call touches it (gas is known before the work): a frame that cannot pay is refused
//! with `OutOfGas` before the instance exists. Without it a callee that wrote one byte in each
//! 4 KiB page of a 64-page initial memory cost ≈ 63,500 gas a call and took 1–1.6 ms (≈ 80×
//! the yardstick). `memory_initial_per_page` = 340,000, the grown page's price, measured with
//! the `initial memory` kernels of
//! `GAS_BENCH_SUMMARY_ONLY=1 GAS_BENCH_ROUNDS=9 cargo bench -p benches --bench gas_classes`
//! (a contract calling, until out of gas, a callee that writes one byte in each 4 KiB page of
//! its initial memory; 2026-12-03, load average ≈ 12 on the 2 cores, yardstick 8,731 gas/µs in
//! that run): 2 pages (the free ones) 1.19× the yardstick's time per gas (the call's own
//! overhead), 16 pages 0.76×, 64 pages 0.77×. In the same run the cold-load kernels ran at
//! 1.04–1.24× (tiny modules 1.24×, token 1.15×, stake 1.04×, 2,000 functions 1.21×).
//!
//! # Crypto prices
//!
//! The verifications are priced the same way, measured with
//! `cargo test --release -p integration-tests crypto::gas::measure -- --ignored --nocapture`
//! against a yardstick of 10,900 gas/µs:
//!
//! | operation | measured | price | gas/µs |
//! |---|---|---|---|
//! | ed25519 verify (`verify_strict`, 28-byte message) | 42.2 µs | 500,000 + 20/byte | 11,860 |
//! | ed25519, per message byte (SHA-512) | 1.64 ns | 20 | 12,200 |
//! | BLS12-381 verify (hash to G1, 2 pairings) | 2,456 µs | 30,000,000 + 8/byte | 12,200 |
//! | BLS, per message byte | 0.62 ns | 8 | 12,900 |
//! | PLONK verify (1 input, 1.3 KB verifier data) | 10,506 µs | 120,000,000 + … = 121.7 M | 11,580 |
//! | PLONK, per public input | 21.6 µs | 250,000 | 11,570 |
//! | PLONK, per verifier-data byte (decode, re-encode, transcript) | 93 ns | 1,100 | 11,830 |
//!
//! Every entry sits 6–18 % above the yardstick. For comparison, Rusk charges 10 M gas for a
//! PLONK verification and 1.75 M for a BLS one: at our yardstick 10 M gas is 0.9 ms of wasm for
//! a 10.5 ms verification, an 11× discount an attacker could fill a block with.

mod compile;
mod fingerprint;
mod operators;
pub use compile::{
    CompilePrices, compile_price, deploy_price, load_price, module_deploy_price, module_load_price,
};
pub use fingerprint::{GAS_SCHEDULE_VERSION, gas_schedule_fingerprint};
pub use operators::OperatorCosts;

/// Gas prices of the call itself and of each host function: a base price per call plus a price
/// per byte moved or hashed. `Copy`: each contract instance's Store holds its own copy, read
/// by the host functions without reaching through the runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceTable {
    /// Charged once per call before the contract is instantiated, a nested call's included
    /// (covers reading the contract's record, the fresh Store, instantiation, the receipt).
    pub call_base: u64,
    /// A call refused after looking its callee up: no such contract (-3) or no such entry
    /// point (-4) (the contract's record read from the store, like `storage_read_base`, and
    /// its module found). Charged, up to the frame's limit, in place of `call_base`.
    pub call_refused: u64,
    /// A nested call refused before its callee is looked up: the depth limit (-5) or
    /// reentrancy (-6). Charged on top of the `call` host function's own price.
    pub call_refused_early: u64,
    /// A deploy: validation and compilation, priced by the module's shape (see
    /// [`deploy_price`] and [Deploy and cold loads](self#deploy-and-cold-loads)).
    pub deploy: CompilePrices,
    /// The first load of a module in a session (or, past the session's warm bound, in a call
    /// tree), priced by the same formula over the same
    /// shape (see [`load_price`] and [Cold loads](self#cold-loads)).
    pub load: CompilePrices,
    /// Charged by each host function without a price of its own (`input_read`, `output_write`,
    /// `caller`, `self_id`, `block_*`, `gas_left`, `abort`, `call`, `call_output_*`).
    pub host_call_base: u64,
    /// Per byte copied across the boundary (argument, return data, caller/self ids).
    pub copy_per_byte: u64,
    /// A storage read (one lookup in the store).
    pub storage_read_base: u64,
    /// Per byte of the key and of the value found (all of it, however much the contract copies;
    /// also charged by a removal for the value it fetched).
    pub storage_read_per_byte: u64,
    /// A storage write into the journal.
    pub storage_write_base: u64,
    /// Per byte of key and value written into the journal.
    pub storage_write_per_byte: u64,
    /// A storage removal (a lookup, to tell whether the key existed, and a journal write); plus
    /// `storage_write_per_byte` per key byte and `storage_read_per_byte` per byte of the value.
    pub storage_remove_base: u64,
    /// The commit's work for one key: charged by a write or removal of a key that no frame of
    /// the running call tree has written or removed yet (its merkle path hashed and written,
    /// its row and change record in the store). See [Storage commit](self#storage-commit).
    pub storage_commit_per_key: u64,
    /// The commit's work per byte of key and value a write leaves for the store (per key byte
    /// of a removal): charged at every write, since any write may be the one committed. See
    /// [Storage commit](self#storage-commit).
    pub storage_commit_per_byte: u64,
    /// An event.
    pub emit_base: u64,
    /// Per byte of topic and data of an event.
    pub emit_per_byte: u64,
    /// A BLAKE2b-256 hash.
    pub blake2b_base: u64,
    /// Per byte hashed.
    pub blake2b_per_byte: u64,
    /// A debug print (charged whether or not dev mode keeps it).
    pub debug_base: u64,
    /// Per byte of debug message.
    pub debug_per_byte: u64,
    /// Per 64 KiB page a contract grows its memory by (`memory.grow`, after instantiation).
    /// Charged when the call ends; a growth the whole gas limit could not pay stops the call
    /// with `OutOfGas` before it happens. See [Memory growth](self#memory-growth).
    pub memory_grow_per_page: u64,
    /// Per 64 KiB page of a contract's initial memory past
    /// [`memory_initial_free_pages`](Self::memory_initial_free_pages), charged with the call's
    /// base, before the contract is instantiated. See [Initial memory](self#initial-memory).
    pub memory_initial_per_page: u64,
    /// The pages of a contract's initial memory that [`call_base`](Self::call_base) covers
    /// (the memory `call_base` was measured with). See [Initial memory](self#initial-memory).
    pub memory_initial_free_pages: u64,
    /// An ed25519 signature verification (`ed25519_verify`). See [Crypto prices](self#crypto-prices).
    pub ed25519_verify_base: u64,
    /// Per byte of the message an ed25519 signature is verified against (hashed with SHA-512).
    pub ed25519_verify_per_byte: u64,
    /// A BLS12-381 signature verification (`bls_verify`: hash to G1, two pairings).
    pub bls_verify_base: u64,
    /// Per byte of the message a BLS signature is verified against (hashed to G1).
    pub bls_verify_per_byte: u64,
    /// A PLONK proof verification (`plonk_verify`), whatever the circuit's size.
    pub plonk_verify_base: u64,
    /// Per public input (32-byte word, a started word counting as one) of a PLONK verification.
    pub plonk_verify_per_public_input: u64,
    /// Per byte of PLONK verifier data (decoded, its transcript label hashed).
    pub plonk_verify_per_byte: u64,
}

impl Default for PriceTable {
    fn default() -> Self {
        Self {
            call_base: 52_000,
            call_refused: 31_000,
            call_refused_early: 600,
            deploy: CompilePrices::deploy_default(),
            load: CompilePrices::load_default(),
            host_call_base: 200,
            copy_per_byte: 1,
            storage_read_base: 31_000,
            storage_read_per_byte: 2,
            storage_write_base: 5_000,
            storage_write_per_byte: 4,
            storage_remove_base: 46_000,
            storage_commit_per_key: DEFAULT_STORAGE_COMMIT_PER_KEY,
            storage_commit_per_byte: DEFAULT_STORAGE_COMMIT_PER_BYTE,
            emit_base: 1_000,
            emit_per_byte: 2,
            blake2b_base: 1_900,
            blake2b_per_byte: 10,
            debug_base: 300,
            debug_per_byte: 8,
            memory_grow_per_page: 340_000,
            memory_initial_per_page: DEFAULT_MEMORY_INITIAL_PER_PAGE,
            memory_initial_free_pages: DEFAULT_MEMORY_INITIAL_FREE_PAGES,
            ed25519_verify_base: 500_000,
            ed25519_verify_per_byte: 20,
            bls_verify_base: 30_000_000,
            bls_verify_per_byte: 8,
            plonk_verify_base: 120_000_000,
            plonk_verify_per_public_input: 250_000,
            plonk_verify_per_byte: 1_100,
        }
    }
}

/// The default [`PriceTable::storage_commit_per_key`]: see [Storage commit](self#storage-commit).
pub const DEFAULT_STORAGE_COMMIT_PER_KEY: u64 = 80_000;
/// The default [`PriceTable::storage_commit_per_byte`]: see [Storage commit](self#storage-commit).
pub const DEFAULT_STORAGE_COMMIT_PER_BYTE: u64 = 75;

/// The default [`PriceTable::memory_initial_per_page`]: see [Initial memory](self#initial-memory).
pub const DEFAULT_MEMORY_INITIAL_PER_PAGE: u64 = 340_000;
/// The default [`PriceTable::memory_initial_free_pages`]: see [Initial memory](self#initial-memory).
pub const DEFAULT_MEMORY_INITIAL_FREE_PAGES: u64 = 2;

/// The price of a contract's initial memory of `pages` 64 KiB pages under `prices`: each page
/// past [`PriceTable::memory_initial_free_pages`] at [`PriceTable::memory_initial_per_page`],
/// charged with the call's base before instantiation (see [Initial memory](self#initial-memory)).
pub fn initial_memory_price(prices: &PriceTable, pages: u64) -> u64 {
    pages
        .saturating_sub(prices.memory_initial_free_pages)
        .saturating_mul(prices.memory_initial_per_page)
}

/// `base + per_byte × bytes`, saturating: an absurd size costs all the gas there is.
pub fn price(base: u64, per_byte: u64, bytes: usize) -> u64 {
    base.saturating_add(per_byte.saturating_mul(bytes as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_fingerprint_covers_every_price_and_cost() {
        let (prices, costs) = (PriceTable::default(), OperatorCosts::default());
        let limits = crate::config::Limits::default();
        let base = gas_schedule_fingerprint(&prices, &costs, &limits);
        assert_eq!(base, gas_schedule_fingerprint(&prices, &costs, &limits));
        let mut p = prices;
        p.plonk_verify_per_byte += 1;
        assert_ne!(gas_schedule_fingerprint(&p, &costs, &limits), base);
        let mut c = costs.clone();
        c.bulk_per_byte += 1;
        assert_ne!(gas_schedule_fingerprint(&prices, &c, &limits), base);
        assert_ne!(
            gas_schedule_fingerprint(&prices, &OperatorCosts::wasmtime_default(), &limits),
            base
        );
        // The first and the last limit, and the memory limit.
        for change in [
            |l: &mut crate::config::Limits| l.max_module_bytes += 1,
            |l: &mut crate::config::Limits| l.max_memory_pages += 1,
            |l: &mut crate::config::Limits| l.max_recorded_frames += 1,
        ] {
            let mut l = limits.clone();
            change(&mut l);
            assert_ne!(gas_schedule_fingerprint(&prices, &costs, &l), base);
        }
        assert_eq!(OperatorCosts::default(), OperatorCosts::measured());
    }

    #[test]
    fn the_wasmtime_default_table_is_wasmtimes() {
        let ours = OperatorCosts::wasmtime_default().to_wasmtime();
        let theirs = wasmtime::OperatorCost::new();
        // Identical but for `else`, which the `branch` class prices like `if`.
        let mut expected = theirs.clone();
        expected.Else = 1;
        assert_eq!(ours, expected);
    }

    #[test]
    fn the_measured_table_prices_each_class() {
        let t = OperatorCosts::measured().to_wasmtime();
        assert_eq!(
            (t.I64Add, t.LocalGet, t.Nop, t.Drop, t.End),
            (2, 1, 0, 0, 0)
        );
        assert_eq!((t.I64LtU, t.I32Eqz, t.BrIf, t.Br, t.If), (8, 8, 8, 8, 1));
        assert_eq!(
            (t.F64Sqrt, t.F32Div, t.I64RemS, t.I64Popcnt),
            (106, 106, 60, 10)
        );
        assert_eq!(
            (t.I32Store8, t.F64Load, t.Call, t.Loop, t.BrTable),
            (255, 180, 120, 30, 12)
        );
        assert_eq!(t.variable.memory_fill_per_byte, 3);
    }

    #[test]
    fn price_saturates() {
        assert_eq!(price(10, 2, 5), 20);
        assert_eq!(price(1, u64::MAX, 2), u64::MAX);
    }
}
