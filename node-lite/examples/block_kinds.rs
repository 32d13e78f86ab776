//! How long one full block takes to execute on the devnet's path, by what fills it: a
//! measurement, not a test (BENCHMARKS.md §6, "A block of pointer chases on the devnet").
//!
//! ```text
//! CARGO_INCREMENTAL=0 cargo run --release -p node-lite --example block_kinds [-- ROUNDS]
//! ```
//!
//! Builds the default genesis in memory (block gas limit 4 × 10⁹), deploys `counter` and the
//! slow-block contract (`tests/data/chase.wat`), then executes, each round, one block of each
//! kind with `devnet::executor::execute` (what a validator's `Execute` runs: the transactions,
//! the protocol calls, the pending root and the next eligible set; signatures taken as checked
//! by the pool, as on the devnet), over the same state, uncommitted:
//! - `spin`: 10 transactions of 400 M gas, each a loop of `i64.add` until out of gas (the
//!   gas yardstick's code);
//! - `counter`: 470 `counter.increment` calls of 8.5 M gas limit (the block is full by its gas
//!   limits; its gas spent is less);
//! - `chase`: 10 transactions of 400 M gas, each writing a pointer chain through the 4 MiB a
//!   contract may have and chasing it until out of gas (issue 17's worst case).
//!
//! Prints, per kind, the gas the block spent, its time (fastest, median and slowest of the
//! rounds, after one round of warm-up) and gas/µs at the median, and each kind's median time
//! per gas against the others'. The kinds alternate within each round, so that load moves them
//! alike. Default 5 rounds.

use node_lite::chain::genesis_state::build_genesis;
use node_lite::chain::tx::{Payload, TX_INTRINSIC_GAS, Transaction, UnsignedTx};
use node_lite::chain::{
    AccountKey, ExecutionMode, GenesisConfig, ProtocolInputs, TxHash, resident_code,
};
use node_lite::devnet::executor::{ChainParams, execute};
use runtime::{BlockInfo, MemoryStore, Runtime, RuntimeConfig, StateStore};
use std::sync::Arc;
use std::time::{Duration, Instant};

const COUNTER: &[u8] = include_bytes!("../../contracts/wasm/counter.wasm");
const CHASE_WAT: &str = include_str!("../tests/data/chase.wat");

/// The gas limit of a `spin` or `chase` transaction: ten fill the default block.
const HEAVY_GAS: u64 = 400_000_000;
/// The gas limit of a `counter.increment` call: the call spends ≈ 5.3 M (most of it the
/// module's load, which a contract outside the genesis set pays at each transaction).
const COUNTER_GAS: u64 = TX_INTRINSIC_GAS + 6_000_000;

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args().nth(1).map_or(Ok(5), |a| a.parse())?;
    if rounds == 0 {
        return Err("at least one round".into());
    }
    // The devnet's runtime: the genesis contracts resident (their loads free, as on the chain).
    let runtime = Runtime::new(RuntimeConfig::default().with_resident_code(resident_code()))?;
    let store = Arc::new(MemoryStore::new());
    let config = GenesisConfig::default_devnet()?;
    let genesis = build_genesis(&runtime, store.clone(), &config)?;
    let mut setup = runtime.session(store.clone(), BlockInfo::default());
    let counter = setup.deploy(host_api::Address([1; 32]), COUNTER, 0)?;
    let chase = setup.deploy(host_api::Address([1; 32]), &wat::parse_str(CHASE_WAT)?, 0)?;
    setup.commit()?;
    let params = ChainParams {
        runtime: runtime.clone(),
        contracts: genesis.contracts,
        chain_id: config.chain_id,
        block_gas_limit: config.block_gas_limit,
        emission: config.block_emission,
        height_offset: genesis.height,
        // The whole block, however long it takes (what the step timeouts must cover).
        build_budget: None,
    };

    let dev: Vec<AccountKey> = config.dev_accounts().into_iter().map(|(k, _)| k).collect();
    let sign = |i: usize, contract, function: &str, args: Vec<u8>, gas_limit| {
        let key = &dev[i % dev.len()];
        UnsignedTx {
            chain_id: config.chain_id,
            sender: key.public(),
            nonce: (i / dev.len()) as u64,
            gas_limit,
            gas_price: 1,
            payload: Payload::Call {
                contract,
                function: function.into(),
                args,
            },
        }
        .sign(key)
    };
    let heavy = (config.block_gas_limit / HEAVY_GAS) as usize;
    let until_out_of_gas = u32::MAX.to_le_bytes().to_vec();
    let kinds: Vec<(&str, Vec<Transaction>)> = vec![
        (
            "spin",
            (0..heavy)
                .map(|i| sign(i, chase, "spin", until_out_of_gas.clone(), HEAVY_GAS))
                .collect(),
        ),
        (
            "counter",
            (0..(config.block_gas_limit / COUNTER_GAS) as usize)
                .map(|i| {
                    let args = borsh::to_vec(&1u64).unwrap_or_default();
                    sign(i, counter, "increment", args, COUNTER_GAS)
                })
                .collect(),
        ),
        (
            "chase",
            (0..heavy)
                .map(|i| sign(i, chase, "chase", until_out_of_gas.clone(), HEAVY_GAS))
                .collect(),
        ),
    ];
    let inputs = ProtocolInputs {
        generator: config.provisioners[0].key().public,
        voters: (1..4)
            .map(|i| (config.provisioners[i].key().public, 20))
            .collect(),
        absent_generators: vec![],
        faults: vec![],
        emission: 0,
    };
    let state: Arc<dyn StateStore> = store;
    // (time, gas spent, receipts, the first failure)
    type Run = (Duration, u64, usize, Option<String>);
    let run = |txs: &[Transaction]| -> Result<Run, Box<dyn std::error::Error>> {
        let hashes: Vec<TxHash> = txs.iter().map(Transaction::hash).collect();
        let t = Instant::now();
        let executed = execute(
            &params,
            state.clone(),
            1,
            1_000,
            inputs.clone(),
            &[],
            txs,
            &hashes,
            ExecutionMode::Validate,
            &|_| true,
        )?;
        let elapsed = t.elapsed();
        let receipts = &executed.output.receipts;
        let failure = receipts
            .iter()
            .find_map(|r| r.result.as_ref().err())
            .map(|e| format!("{e:?}"));
        Ok((elapsed, executed.output.gas_used, receipts.len(), failure))
    };

    println!(
        "block_kinds: {rounds} rounds after one of warm-up, block gas limit {}, load average {}",
        config.block_gas_limit,
        load_average()
    );
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); kinds.len()];
    let mut gas = vec![0u64; kinds.len()];
    for round in 0..=rounds {
        for (k, (name, txs)) in kinds.iter().enumerate() {
            let (elapsed, used, included, failure) =
                run(txs).map_err(|e| format!("a block of {name}: {e}"))?;
            if included != txs.len() {
                return Err(format!("{name}: {included} of {} included", txs.len()).into());
            }
            // `spin` and `chase` run until out of gas; `counter` must succeed.
            let expected = *name != "counter";
            if failure.is_some() != expected {
                return Err(format!("{name}: a receipt's outcome: {failure:?}").into());
            }
            if round > 0 {
                times[k].push(elapsed);
                gas[k] = used;
            }
        }
    }
    println!(
        "| block of | transactions | gas | fastest ms | median ms | slowest ms | gas/µs (median) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let medians: Vec<Duration> = times.iter().cloned().map(median).collect();
    for (k, (name, txs)) in kinds.iter().enumerate() {
        let fastest = times[k].iter().min().copied().unwrap_or_default();
        let slowest = times[k].iter().max().copied().unwrap_or_default();
        println!(
            "| {name} | {} | {} | {:.1} | {:.1} | {:.1} | {:.0} |",
            txs.len(),
            gas[k],
            fastest.as_secs_f64() * 1e3,
            medians[k].as_secs_f64() * 1e3,
            slowest.as_secs_f64() * 1e3,
            gas[k] as f64 / (medians[k].as_secs_f64() * 1e6)
        );
    }
    println!("time per gas, median against median:");
    for (a, (name_a, _)) in kinds.iter().enumerate() {
        for (b, (name_b, _)) in kinds.iter().enumerate().skip(a + 1) {
            let per_gas = |k: usize| medians[k].as_secs_f64() / gas[k] as f64;
            println!(
                "  {name_a} / {name_b}: {:.2}x   ({name_b} / {name_a}: {:.2}x)",
                per_gas(a) / per_gas(b),
                per_gas(b) / per_gas(a)
            );
        }
    }
    println!("load average at the end {}", load_average());
    Ok(())
}
