//! Where a block's execution time goes, per transaction: a measurement, not a test.
//!
//! ```text
//! cargo run --release -p node-lite --example block_execution [-- TXS_PER_BLOCK BLOCKS]
//! ```
//!
//! Builds the default genesis in memory, deploys `counter`, then executes blocks of signed
//! `counter.increment` calls from the ten dev accounts with `chain::block_exec::execute_block`
//! (proposer mode), each block in a fresh session over the same state, and prints, per
//! transaction (median over the blocks), in the same run:
//! - the signature checks alone (`Transaction::verify`);
//! - the payloads alone: the same calls made directly on a session, no fee or nonce;
//! - the whole block: checks, nonce, fee reserved and settled, payload, protocol calls;
//! - the commit of the block's writes to the in-memory store;
//!
//! and the whole block's cost as a ratio of the bare calls'. Defaults: 2,000 transactions per
//! block, 5 blocks.

use node_lite::chain::block_exec::{BlockContext, ExecutionMode, ProtocolInputs, execute_block};
use node_lite::chain::genesis_state::build_genesis;
use node_lite::chain::tx::{Payload, Transaction, UnsignedTx};
use node_lite::chain::{AccountKey, GenesisConfig};
use runtime::{BlockInfo, MemoryStore, Runtime, RuntimeConfig, StateStore};
use std::sync::Arc;
use std::time::{Duration, Instant};

const COUNTER: &[u8] = include_bytes!("../../contracts/wasm/counter.wasm");

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn per_tx(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let txs_per_block: usize = args.next().map_or(Ok(2_000), |a| a.parse())?;
    let blocks: usize = args.next().map_or(Ok(5), |a| a.parse())?;

    let runtime = Runtime::new(RuntimeConfig::default())?;
    let store = Arc::new(MemoryStore::new());
    let config = GenesisConfig::default_devnet()?;
    let genesis = build_genesis(&runtime, store.clone(), &config)?;
    let mut setup = runtime.session(store.clone(), BlockInfo::default());
    let counter = setup.deploy(host_api::Address([1; 32]), COUNTER, 0)?;
    setup.commit()?;

    let dev: Vec<AccountKey> = config.dev_accounts().into_iter().map(|(k, _)| k).collect();
    let txs: Vec<Transaction> = (0..txs_per_block)
        .map(|i| {
            let key = &dev[i % dev.len()];
            UnsignedTx {
                chain_id: config.chain_id,
                sender: key.public(),
                nonce: (i / dev.len()) as u64,
                gas_limit: 1_000_000,
                gas_price: 1,
                payload: Payload::Call {
                    contract: counter,
                    function: "increment".into(),
                    args: borsh::to_vec(&1u64).unwrap_or_default(),
                },
            }
            .sign(key)
        })
        .collect();
    let block = BlockContext {
        chain_id: config.chain_id,
        height: genesis.height + 1,
        timestamp_ms: 1_000,
        block_gas_limit: u64::MAX,
        mode: ExecutionMode::Propose,
        build_deadline: None,
    };
    let inputs = ProtocolInputs {
        generator: config.provisioners[0].key().public,
        voters: (1..4)
            .map(|i| (config.provisioners[i].key().public, 20))
            .collect(),
        absent_generators: vec![],
        faults: vec![],
        emission: 1_000,
    };

    let (mut verify, mut bare, mut full, mut commit) = (vec![], vec![], vec![], vec![]);
    for _ in 0..blocks {
        let t = Instant::now();
        for tx in &txs {
            tx.verify(config.chain_id)?;
        }
        verify.push(t.elapsed());

        let mut s = runtime.session(store.clone(), BlockInfo::default());
        let t = Instant::now();
        for tx in &txs {
            if let Payload::Call {
                contract,
                function,
                args,
            } = &tx.body.payload
            {
                let r = s.call(tx.sender(), *contract, function, args, 1_000_000)?;
                assert!(r.is_success(), "{:?}", r.result);
            }
        }
        bare.push(t.elapsed());
        drop(s);

        // The block over a fresh copy of the state, so each run starts from the same nonces.
        let copy: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        copy.commit(store_snapshot(&store)?)?;
        let mut s = runtime.session(copy, BlockInfo::default());
        let t = Instant::now();
        let out = execute_block(&mut s, &genesis.contracts, &block, &txs, &inputs)?;
        full.push(t.elapsed());
        assert_eq!(out.receipts.len(), txs.len(), "{:?}", out.excluded.first());
        assert!(out.receipts.iter().all(|r| r.result.is_ok()));
        let t = Instant::now();
        s.commit()?;
        commit.push(t.elapsed());
    }
    let n = txs.len();
    let (verify, bare, full, commit) = (median(verify), median(bare), median(full), median(commit));
    println!("{n} transactions per block, median of {blocks} blocks, µs per transaction:");
    println!("  signature check        {:>8.2}", per_tx(verify, n));
    println!("  bare call (no fees)    {:>8.2}", per_tx(bare, n));
    println!(
        "  whole block            {:>8.2}   ({:.1}x the bare call)",
        per_tx(full, n),
        full.as_secs_f64() / bare.as_secs_f64()
    );
    println!("  commit                 {:>8.2}", per_tx(commit, n));
    println!(
        "  => {:.0} transactions per second executed and committed on one core",
        n as f64 / (full + commit).as_secs_f64()
    );
    Ok(())
}

/// Everything in `store` as one change set, to start each block from the same state.
fn store_snapshot(store: &MemoryStore) -> Result<runtime::ChangeSet, Box<dyn std::error::Error>> {
    let mut changes = runtime::ChangeSet::default();
    for id in store.contracts() {
        let record = store
            .contract(&id)?
            .ok_or("a listed contract has a record")?;
        let code = store
            .code(&record.code_hash())?
            .ok_or("a contract's code is stored")?;
        changes.code.insert(record.code_hash(), code);
        changes.contracts.insert(id, record);
        let storage = store.contract_storage(&id);
        changes
            .storage
            .insert(id, storage.into_iter().map(|(k, v)| (k, Some(v))).collect());
    }
    Ok(changes)
}
