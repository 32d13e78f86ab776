//! Determinism: a seeded sequence of 1,200 random calls across counter, token and bank
//! (successes, reverts, out-of-gas, cross-contract calls) gives the same roots, gas and outcomes
//! in two fresh runtimes — one in memory, one on disk that is shut down and reopened halfway.

use borsh::to_vec;
use host_api::{Address, ContractId};
use integration_tests::contract_wasm;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use runtime::merkle::Root;
use runtime::{
    BlockInfo, MemoryStore, RedbStore, Runtime, RuntimeConfig, Session, StateStore, WalOptions,
    WalStore,
};
use std::sync::Arc;

const CALLS: usize = 1_200;
const CALLS_PER_BLOCK: usize = 40;
const ACCOUNTS: [Address; 4] = [
    Address([0x11; 32]),
    Address([0x22; 32]),
    Address([0x33; 32]),
    Address([0x44; 32]),
];

/// One call of the sequence.
#[derive(Clone, Debug)]
struct Op {
    caller: Address,
    target: Target,
    function: &'static str,
    args: Vec<u8>,
    gas_limit: u64,
}

#[derive(Clone, Copy, Debug)]
enum Target {
    Counter,
    Token,
    Bank,
}

#[derive(Clone, Copy)]
struct Ids {
    counter: ContractId,
    token: ContractId,
    bank: ContractId,
}

impl Ids {
    fn of(&self, t: Target) -> ContractId {
        match t {
            Target::Counter => self.counter,
            Target::Token => self.token,
            Target::Bank => self.bank,
        }
    }
}

/// The random calls, from `seed`. Amounts are drawn so that some calls fail (insufficient
/// balance, overflow) and gas limits so that some run out of gas part-way.
fn sequence(seed: u64, ids: Ids) -> Vec<Op> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut pick = |n: u64| rng.next_u64() % n;
    (0..CALLS)
        .map(|_| {
            let caller = ACCOUNTS[pick(4) as usize];
            let other = ACCOUNTS[pick(4) as usize];
            let amount = u128::from(pick(2_000));
            let gas_limit = if pick(10) == 0 {
                52_000 + pick(60_000)
            } else {
                10_000_000
            };
            let (target, function, args) = match pick(7) {
                0 => (
                    Target::Counter,
                    "increment",
                    to_vec(&pick(1 << 20)).unwrap(),
                ),
                1 => (
                    Target::Counter,
                    "increment",
                    to_vec(&(u64::MAX - pick(3))).unwrap(),
                ),
                2 => (Target::Token, "transfer", to_vec(&(other, amount)).unwrap()),
                3 => (
                    Target::Token,
                    "approve",
                    to_vec(&(Address::from(ids.bank), amount * 3)).unwrap(),
                ),
                4 => (
                    Target::Bank,
                    "deposit",
                    to_vec(&(ids.token, amount)).unwrap(),
                ),
                5 => (
                    Target::Bank,
                    "withdraw",
                    to_vec(&(ids.token, amount / 2)).unwrap(),
                ),
                _ => (Target::Counter, "reset", Vec::new()),
            };
            Op {
                caller,
                target,
                function,
                args,
                gas_limit,
            }
        })
        .collect()
}

/// What a run observed: the root after every block, and every call's gas and success.
#[derive(Debug, Default, PartialEq, Eq)]
struct Trace {
    roots: Vec<Root>,
    calls: Vec<(u64, bool, usize)>,
}

fn block(n: usize) -> BlockInfo {
    BlockInfo {
        height: n as u64 + 1,
        timestamp_ms: 1_700_000_000_000 + n as u64 * 2_000,
    }
}

/// Deploy the three contracts and fund the accounts; returns their ids and the root.
fn genesis(runtime: &Runtime, store: Arc<dyn StateStore>, trace: &mut Trace) -> Ids {
    let mut s = runtime.session(store, block(0));
    let owner = ACCOUNTS[0];
    let counter = s.deploy(owner, &contract_wasm("counter"), 0).unwrap();
    let token = s.deploy(owner, &contract_wasm("token"), 1).unwrap();
    let bank = s.deploy(owner, &contract_wasm("bank"), 2).unwrap();
    let ok = |s: &mut Session, who, id, f, args: Vec<u8>| {
        let r = s.call(who, id, f, &args, 10_000_000).unwrap();
        assert!(r.is_success(), "{f}: {r:?}");
    };
    ok(
        &mut s,
        owner,
        token,
        "init",
        to_vec(&1_000_000u128).unwrap(),
    );
    for to in &ACCOUNTS[1..] {
        ok(
            &mut s,
            owner,
            token,
            "transfer",
            to_vec(&(*to, 100_000u128)).unwrap(),
        );
    }
    trace.roots.push(s.commit().unwrap());
    Ids {
        counter,
        token,
        bank,
    }
}

/// Run blocks `blocks` of `ops` over `store`, committing after each block.
fn run_blocks(
    runtime: &Runtime,
    store: Arc<dyn StateStore>,
    ids: Ids,
    ops: &[Op],
    blocks: std::ops::Range<usize>,
    trace: &mut Trace,
) {
    for b in blocks {
        let mut s = runtime.session(store.clone(), block(b + 1));
        for op in &ops[b * CALLS_PER_BLOCK..(b + 1) * CALLS_PER_BLOCK] {
            let r = s
                .call(
                    op.caller,
                    ids.of(op.target),
                    op.function,
                    &op.args,
                    op.gas_limit,
                )
                .expect("no host error");
            trace
                .calls
                .push((r.gas_spent, r.is_success(), r.events.len()));
        }
        trace.roots.push(s.commit().unwrap());
    }
}

fn fresh_runtime() -> Runtime {
    Runtime::new(RuntimeConfig::test()).expect("runtime")
}

#[test]
fn a_thousand_random_calls_give_the_same_roots_in_memory_on_disk_and_across_a_restart() {
    const SEED: u64 = 0x5eed_2026;
    let blocks = CALLS / CALLS_PER_BLOCK;

    // Run A: one runtime, in memory.
    let mut a = Trace::default();
    let rt = fresh_runtime();
    let memory = Arc::new(MemoryStore::new());
    let ids = genesis(&rt, memory.clone(), &mut a);
    let ops = sequence(SEED, ids);
    run_blocks(&rt, memory, ids, &ops, 0..blocks, &mut a);
    drop(rt);

    // Run B: another runtime, on disk; everything is dropped halfway and reopened.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let mut b = Trace::default();
    {
        let rt = fresh_runtime();
        let disk = Arc::new(RedbStore::open(&path).unwrap());
        let ids_b = genesis(&rt, disk.clone(), &mut b);
        assert_eq!(ids_b.token, ids.token);
        run_blocks(&rt, disk, ids, &ops, 0..blocks / 2, &mut b);
    }
    let rt = fresh_runtime();
    let disk = Arc::new(RedbStore::open(&path).unwrap());
    assert_eq!(disk.root().unwrap(), *b.roots.last().unwrap());
    run_blocks(&rt, disk.clone(), ids, &ops, blocks / 2..blocks, &mut b);
    disk.check_integrity().unwrap();

    // Run W: the write-ahead-log store, dropped halfway and reopened; checkpoints every few
    // blocks, so the reopen loads a checkpoint and replays the log after it.
    let path = dir.path().join("state.wal");
    let options = WalOptions {
        checkpoint_bytes: Some(8_000),
        ..WalOptions::default()
    };
    let mut w = Trace::default();
    {
        let rt = fresh_runtime();
        let wal = Arc::new(WalStore::open_with(&path, options.clone()).unwrap());
        genesis(&rt, wal.clone(), &mut w);
        run_blocks(&rt, wal, ids, &ops, 0..blocks / 2, &mut w);
    }
    let rt = fresh_runtime();
    let wal = Arc::new(WalStore::open_with(&path, options).unwrap());
    assert_eq!(wal.root().unwrap(), *w.roots.last().unwrap());
    let stats = wal.stats();
    assert!(
        stats.checkpoint_version.is_some() && stats.log_records > 0,
        "reopened from a checkpoint and a log: {stats:?}"
    );
    run_blocks(&rt, wal, ids, &ops, blocks / 2..blocks, &mut w);

    assert_eq!(a.calls.len(), CALLS);
    assert_eq!(a, b);
    assert_eq!(a, w);
    // The sequence exercised what it should: successes and failures, out-of-gas among them.
    let failed = a.calls.iter().filter(|c| !c.1).count();
    assert!(
        failed > CALLS / 10 && failed < CALLS * 9 / 10,
        "{failed} failed"
    );
    let distinct: std::collections::BTreeSet<_> = a.roots.iter().collect();
    assert!(
        distinct.len() > blocks / 2,
        "the state moved: {}",
        distinct.len()
    );

    // A different seed is a different history.
    let mut c = Trace::default();
    let rt = fresh_runtime();
    let memory = Arc::new(MemoryStore::new());
    genesis(&rt, memory.clone(), &mut c);
    run_blocks(
        &rt,
        memory,
        ids,
        &sequence(SEED + 1, ids),
        0..blocks,
        &mut c,
    );
    assert_ne!(a.roots.last(), c.roots.last());
}
