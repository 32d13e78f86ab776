use super::*;
use crate::chain::genesis_config::GenesisConfig;
use crate::chain::genesis_state::{GenesisState, build_genesis};
use crate::chain::keys::AccountKey;
use crate::chain::tx::{TX_INTRINSIC_GAS, TX_INTRINSIC_GAS_PER_BYTE, UnsignedTx};
use borsh::BorshDeserialize;
use genesis_types::stake::{Step, VoteHeader};
use runtime::{MemoryStore, Runtime};
use std::collections::BTreeMap;
use std::sync::Arc;

const HOSTILE: &[u8] = include_bytes!("../../../contracts/wasm/hostile.wasm");
const ATTACKER: &[u8] = include_bytes!("../../../contracts/wasm/attacker.wasm");
const FORBIDDEN: &[u8] = include_bytes!("../../../contracts/wasm/forbidden_import.wasm");

/// Gas of each hostile call: 50 M is an ordinary limit under which `memory_bomb` runs out of
/// gas (contracts/README.md).
const CALL_GAS: u64 = 50_000_000;
/// Gas of a deploy transaction of `code`: its price (by its shape), and `CALL_GAS` for the
/// transaction's intrinsic gas and an `init`.
fn deploy_limit(code: &[u8]) -> u64 {
    deploy_gas(code) + CALL_GAS
}

struct Chain {
    runtime: Runtime,
    store: Arc<MemoryStore>,
    config: GenesisConfig,
    genesis: GenesisState,
}

impl Chain {
    fn new() -> Self {
        let runtime = crate::chain::shared_test_runtime();
        let store = Arc::new(MemoryStore::new());
        let mut config = GenesisConfig::default_devnet().unwrap();
        // Room for the hostile block's two deploys (≈ 0.4 G and 0.5 G gas: compilation is
        // priced by the module's shape) beside its calls.
        config.block_gas_limit = 4_000_000_000;
        let genesis = build_genesis(&runtime, store.clone(), &config).unwrap();
        Chain {
            runtime,
            store,
            config,
            genesis,
        }
    }

    fn session(&self) -> Session {
        self.runtime
            .session(self.store.clone(), BlockInfo::default())
    }

    fn block(&self, height_after_genesis: u64, mode: ExecutionMode) -> BlockContext {
        BlockContext {
            chain_id: self.config.chain_id,
            height: self.genesis.height + height_after_genesis,
            timestamp_ms: 1_000 * height_after_genesis,
            block_gas_limit: self.config.block_gas_limit,
            mode,
            build_deadline: None,
        }
    }

    fn provisioner(&self, i: usize) -> crate::genesis::ProvisionerKey {
        self.config.provisioners[i].key()
    }

    /// Generator 0; voters 1 and 2; provisioner 3 missed its generator duty and equivocated.
    fn inputs(&self, round: u64) -> ProtocolInputs {
        let cheater = self.provisioner(3);
        let vote = |payload: u8| {
            VoteHeader {
                round,
                iteration: 0,
                step: Step::Validation,
                payload: [payload; 32],
            }
            .signed(|m| cheater.sign(m))
        };
        ProtocolInputs {
            generator: self.provisioner(0).public,
            voters: vec![
                (self.provisioner(1).public, 30),
                (self.provisioner(2).public, 20),
            ],
            absent_generators: vec![cheater.public],
            faults: vec![Equivocation {
                key: cheater.public,
                first: vote(1),
                second: vote(2),
            }],
            emission: self.config.block_emission,
        }
    }

    fn query<A: BorshSerialize, R: BorshDeserialize>(
        &self,
        s: &mut Session,
        contract: ContractId,
        function: &str,
        args: &A,
    ) -> R {
        let r = s
            .call_protocol(contract, function, &encode(args), PROTOCOL_CALL_GAS)
            .unwrap();
        borsh::from_slice(&r.result.unwrap()).unwrap()
    }

    fn balance(&self, s: &mut Session, who: Address) -> u128 {
        self.query(
            s,
            self.genesis.contracts.genesis.transfer,
            "balance_of",
            &who,
        )
    }
}

/// Dev accounts signing with consecutive nonces.
#[derive(Default)]
struct Signers {
    nonces: BTreeMap<String, u64>,
}

impl Signers {
    fn sign(&mut self, seed: &str, gas_limit: u64, payload: Payload) -> Transaction {
        let key = AccountKey::from_seed(seed);
        let nonce = self.nonces.entry(seed.to_string()).or_default();
        let tx = UnsignedTx {
            chain_id: 7357,
            sender: key.public(),
            nonce: *nonce,
            gas_limit,
            gas_price: 3,
            payload,
        }
        .sign(&key);
        *nonce += 1;
        tx
    }
}

fn call(contract: ContractId, function: &str, args: Vec<u8>) -> Payload {
    Payload::Call {
        contract,
        function: function.to_string(),
        args,
    }
}

/// Deploy `hostile` and `attacker` with deploy transactions and commit.
fn deploy_test_contracts(chain: &Chain, signers: &mut Signers) -> (ContractId, ContractId) {
    let txs = [HOSTILE, ATTACKER].map(|code| {
        let payload = Payload::Deploy {
            code: code.to_vec(),
            init_args: None,
        };
        signers.sign("dev-0", deploy_limit(code), payload)
    });
    let mut s = chain.session();
    let block = chain.block(1, ExecutionMode::Validate);
    let quiet = ProtocolInputs {
        generator: chain.provisioner(0).public,
        voters: vec![],
        absent_generators: vec![],
        faults: vec![],
        emission: 0,
    };
    let out = execute_block(&mut s, &chain.genesis.contracts, &block, &txs, &quiet).unwrap();
    let ids: Vec<ContractId> = out
        .receipts
        .iter()
        .map(|r| {
            assert!(r.result.is_ok(), "{:?}", r.result);
            let tx = txs.iter().find(|t| t.hash() == r.hash).unwrap();
            let gas = tx.intrinsic_gas() + deploy_gas(r_code(r, &txs));
            assert_eq!(r.gas_spent, gas, "a deploy is charged by its shape");
            r.deployed.unwrap()
        })
        .collect();
    s.commit().unwrap();
    (ids[0], ids[1])
}

fn r_code<'a>(r: &TxReceipt, txs: &'a [Transaction]) -> &'a [u8] {
    let tx = txs.iter().find(|t| t.hash() == r.hash).unwrap();
    match &tx.body.payload {
        Payload::Deploy { code, .. } => code,
        _ => &[],
    }
}

/// Every failure kind, each in its own transaction, with the kind its receipt must carry.
fn hostile_block(
    chain: &Chain,
    signers: &mut Signers,
    hostile: ContractId,
    attacker: ContractId,
) -> Vec<(Transaction, &'static str)> {
    let transfer = chain.genesis.contracts.genesis.transfer;
    let stake = chain.genesis.contracts.genesis.stake;
    let attacker_address = Address::from(attacker);
    let mint_args = encode(&(attacker_address, 1_000_000_000u128));
    let reward_args = encode(&vec![(chain.provisioner(0).public, 1_000_000_000u128)]);
    let mut txs = Vec::new();
    let mut add = |seed: &str, gas: u64, payload: Payload, kind: &'static str| {
        txs.push((signers.sign(seed, gas, payload), kind));
    };
    let h = |f: &str, args: Vec<u8>| call(hostile, f, args);
    add("dev-1", CALL_GAS, h("infinite_loop", vec![]), "out_of_gas");
    // 1 MiB at a time: the 4 MiB memory limit stops it before its gas runs out.
    add("dev-1", CALL_GAS, h("memory_bomb", vec![]), "memory_limit");
    add(
        "dev-1",
        CALL_GAS,
        h("recurse", encode(&u64::MAX)),
        "stack_overflow",
    );
    add("dev-2", CALL_GAS, h("unreachable", vec![]), "trap");
    add("dev-2", CALL_GAS, h("panic_with_message", vec![]), "panic");
    // Building 1 MiB byte by byte costs more than CALL_GAS under the measured operator
    // costs (a store costs 255): enough gas to reach the return-data limit.
    add(
        "dev-2",
        12 * CALL_GAS,
        h("huge_return", vec![]),
        "limit_exceeded",
    );
    add("dev-3", CALL_GAS, h("storage_spam", vec![]), "out_of_gas");
    add("dev-3", CALL_GAS, h("write_then_panic", vec![]), "panic");
    add("dev-3", CALL_GAS, h("write_then_error", vec![]), "reverted");
    add("dev-4", CALL_GAS, h("div", encode(&(1u32, 0u32))), "panic");
    add(
        "dev-4",
        CALL_GAS,
        h("no_such_entry", vec![]),
        "no_such_function",
    );
    add(
        "dev-4",
        CALL_GAS,
        h("recurse", vec![1, 2, 3]),
        "invalid_input",
    );
    let nowhere = ContractId([0xee; 32]);
    add(
        "dev-5",
        CALL_GAS,
        call(nowhere, "f", vec![]),
        "no_such_contract",
    );
    // Contracts trying the protocol's host-only entry points: the outer call succeeds and
    // reports the callee's refusal; nothing is minted or rewarded.
    let forward = |target: ContractId, f: &str, args: &[u8]| {
        call(
            attacker,
            "forward",
            encode(&(target, f.to_string(), args.to_vec())),
        )
    };
    add(
        "dev-5",
        CALL_GAS,
        forward(transfer, "mint", &mint_args),
        "ok",
    );
    add(
        "dev-5",
        CALL_GAS,
        forward(stake, "reward", &reward_args),
        "ok",
    );
    add(
        "dev-6",
        CALL_GAS,
        call(attacker, "survive", encode(&(hostile, 1_000_000u64))),
        "ok",
    );
    let too_much = Payload::Transfer {
        to: Address([1; 32]),
        amount: u128::MAX,
    };
    add("dev-6", CALL_GAS, too_much, "reverted");
    let forbidden = Payload::Deploy {
        code: FORBIDDEN.to_vec(),
        init_args: None,
    };
    add("dev-7", deploy_limit(FORBIDDEN), forbidden, "deploy");
    let starved = Payload::Deploy {
        code: HOSTILE.to_vec(),
        init_args: None,
    };
    // Its intrinsic gas (a throwaway signature of the same size tells it) and 1,000 more.
    let intrinsic = Signers::default()
        .sign("dev-7", 0, starved.clone())
        .intrinsic_gas();
    add("dev-7", intrinsic + 1_000, starved, "out_of_gas");
    // Deployed, then its `init` (which it does not have) fails.
    let no_init = Payload::Deploy {
        code: HOSTILE.to_vec(),
        init_args: Some(vec![]),
    };
    add("dev-8", deploy_limit(HOSTILE), no_init, "no_such_function");
    txs
}

fn kind(r: &TxReceipt) -> &'static str {
    match &r.result {
        Ok(_) => "ok",
        Err(TxFailure::Call(e)) => e.kind(),
        Err(TxFailure::Deploy(_)) => "deploy",
    }
}

/// What the protocol calls leave in the stake and transfer contracts.
#[derive(Debug, PartialEq, Eq)]
struct ProtocolState {
    stakes: Vec<Option<StakeInfo>>,
    liabilities: u128,
    stake_balance: u128,
    supply: u128,
}

fn protocol_state(chain: &Chain, s: &mut Session) -> ProtocolState {
    let g = chain.genesis.contracts.genesis;
    ProtocolState {
        stakes: (0..4)
            .map(|i| chain.query(s, g.stake, "stake_of", &chain.provisioner(i).public))
            .collect(),
        liabilities: chain.query(s, g.stake, "liabilities", &()),
        stake_balance: chain.balance(s, Address::from(g.stake)),
        supply: chain.query(s, g.transfer, "total_supply", &()),
    }
}

#[test]
fn a_block_of_hostile_transactions_leaves_the_protocol_calls_as_an_empty_block_does() {
    let chain = Chain::new();
    let mut signers = Signers::default();
    let (hostile, attacker) = deploy_test_contracts(&chain, &mut signers);
    let txs = hostile_block(&chain, &mut signers, hostile, attacker);
    let block = chain.block(2, ExecutionMode::Propose);
    let inputs = chain.inputs(block.height);
    let contracts = &chain.genesis.contracts;
    let only_txs: Vec<Transaction> = txs.iter().map(|(t, _)| t.clone()).collect();

    let mut empty = chain.session();
    let quiet = execute_block(&mut empty, contracts, &block, &[], &inputs).unwrap();
    let mut busy = chain.session();
    let beneficiary = quiet.protocol.fee_beneficiary;
    let before = chain.balance(&mut busy, beneficiary);
    let out = execute_block(&mut busy, contracts, &block, &only_txs, &inputs).unwrap();

    // Every hostile transaction is included, charged, and carries its typed failure.
    assert!(out.excluded.is_empty(), "{:?}", out.excluded);
    assert_eq!(out.receipts.len(), txs.len());
    for (receipt, (tx, expected)) in out.receipts.iter().zip(&txs) {
        assert_eq!(receipt.hash, tx.hash());
        assert_eq!(kind(receipt), *expected, "{:?}", receipt.result);
        assert!(receipt.gas_spent > 0, "{expected}: {receipt:?}");
        assert_eq!(receipt.fee_paid, fee(receipt.gas_spent, tx.body.gas_price));
        if *expected == "out_of_gas" {
            assert_eq!(receipt.gas_spent, tx.body.gas_limit);
        }
    }
    let fees: u128 = out.receipts.iter().map(|r| r.fee_paid).sum();
    assert_eq!(chain.balance(&mut busy, beneficiary), before + fees);
    assert_eq!(
        out.gas_used,
        out.receipts.iter().map(|r| r.gas_spent).sum::<u64>()
    );
    for seed in ["dev-1", "dev-5", "dev-8"] {
        let who = AccountKey::from_seed(seed).address();
        let escrow: u128 = chain.query(&mut busy, contracts.genesis.transfer, "escrow_of", &who);
        assert_eq!(escrow, 0, "every reservation settled");
    }
    // The hostile writes were all dropped.
    assert_eq!(busy.storage(&hostile, b"touched").unwrap(), None);

    // The protocol calls did exactly what they do in an empty block.
    assert_eq!(out.protocol, quiet.protocol);
    assert_eq!(
        protocol_state(&chain, &mut busy),
        protocol_state(&chain, &mut empty)
    );
    let state = protocol_state(&chain, &mut busy);
    let generator = state.stakes[0].unwrap();
    assert_eq!(generator.reward, 800_000, "80 % of the emission");
    assert_eq!(state.stakes[1].unwrap().reward, 120_000);
    assert_eq!(state.stakes[2].unwrap().reward, 80_000);
    assert_eq!(state.stakes[3].unwrap().missed, 1);
    assert_eq!(
        out.protocol.slashes[0].result,
        Ok(100_000),
        "10 % of 1,000,000"
    );
    assert_eq!(state.stakes[3].unwrap().slashed, 100_000);

    // The same block on the same state gives the same receipts.
    let mut again = chain.session();
    let repeated = execute_block(&mut again, contracts, &block, &only_txs, &inputs).unwrap();
    assert_eq!(repeated, out);
}

#[test]
fn refused_transactions_are_left_out_by_a_proposer_and_refuse_the_block_for_a_validator() {
    let chain = Chain::new();
    let mut signers = Signers::default();
    let contracts = &chain.genesis.contracts;
    // Over any transfer's intrinsic gas.
    const TX_GAS: u64 = 40_000_000;
    let to = Payload::Transfer {
        to: Address([1; 32]),
        amount: 5,
    };
    let good = signers.sign("dev-1", TX_GAS, to.clone());
    let replay = good.clone();
    let mut forged = signers.sign("dev-2", TX_GAS, to.clone());
    forged.signature[0] ^= 1;
    let poor = signers.sign("nobody", TX_GAS, to.clone());
    let ahead = {
        signers.nonces.insert("dev-3".into(), 5);
        signers.sign("dev-3", TX_GAS, to.clone())
    };
    let greedy = signers.sign("dev-4", chain.config.block_gas_limit, to);
    let txs = vec![good.clone(), replay, forged, poor, ahead, greedy];
    let block = chain.block(1, ExecutionMode::Propose);
    let inputs = chain.inputs(block.height);
    let mut s = chain.session();
    let out = execute_block(&mut s, contracts, &block, &txs, &inputs).unwrap();
    assert_eq!(out.receipts.len(), 1);
    assert_eq!(out.receipts[0].hash, good.hash());
    let reasons: Vec<&Exclusion> = out.excluded.iter().map(|(_, r)| r).collect();
    assert_eq!(
        reasons,
        vec![
            &Exclusion::Nonce {
                expected: 1,
                found: 0
            },
            &Exclusion::Signature(TxSignatureError::BadSignature),
            &Exclusion::Unpayable(TransferError::InsufficientBalance),
            &Exclusion::Nonce {
                expected: 0,
                found: 5
            },
            &Exclusion::BlockGasExhausted {
                gas_limit: chain.config.block_gas_limit,
                // What the included transfer spent, not its limit.
                left: chain.config.block_gas_limit - out.receipts[0].gas_spent
            },
        ]
    );
    // The excluded transactions changed nothing: the unpayable sender holds no escrow, and the
    // only nonce used is the included one's.
    let nobody = AccountKey::from_seed("nobody").address();
    let escrow: u128 = chain.query(&mut s, contracts.genesis.transfer, "escrow_of", &nobody);
    assert_eq!(escrow, 0);
    let next = |s: &mut Session, seed: &str| {
        nonce_of(s, contracts.nonces, &AccountKey::from_seed(seed).address()).unwrap()
    };
    assert_eq!(next(&mut s, "dev-1"), 1);
    assert_eq!(next(&mut s, "dev-2"), 0);

    let validate = chain.block(1, ExecutionMode::Validate);
    let mut v = chain.session();
    let err = execute_block(&mut v, contracts, &validate, &txs, &inputs).unwrap_err();
    assert!(
        matches!(err, BlockError::InvalidTransaction { index: 1, .. }),
        "{err}"
    );
}

/// A block's gas left falls by what each transaction spent, not by its limit: transactions whose
/// limits sum far past the block gas limit fit as long as each limit is within what is left, and
/// what they spend stays within the block gas limit. A validator counts the same way.
#[test]
fn a_block_fills_by_the_gas_its_transactions_spend_not_their_limits() {
    let mut chain = Chain::new();
    // Room for two limits of 40 M, and for many transfers of ≈ 3 M spent each.
    const TX_GAS: u64 = 40_000_000;
    chain.config.block_gas_limit = 100_000_000;
    let mut signers = Signers::default();
    let contracts = &chain.genesis.contracts;
    let to = Payload::Transfer {
        to: Address([1; 32]),
        amount: 5,
    };
    let txs: Vec<Transaction> = (0..40)
        .map(|_| signers.sign("dev-1", TX_GAS, to.clone()))
        .collect();
    let block = chain.block(1, ExecutionMode::Propose);
    let inputs = chain.inputs(block.height);
    let mut s = chain.session();
    let out = execute_block(&mut s, contracts, &block, &txs, &inputs).unwrap();
    let spent: u64 = out.receipts.iter().map(|r| r.gas_spent).sum();
    let included = out.receipts.len();
    // Counted by limits, two would fit.
    assert!(included > 2, "{included} included");
    assert!(spent <= chain.config.block_gas_limit);
    assert_eq!(out.gas_used, spent);
    // The first one left out did not fit in what the included ones left.
    let left = chain.config.block_gas_limit - spent;
    assert!(left < TX_GAS);
    assert_eq!(
        out.excluded.first().map(|(_, r)| r),
        Some(&Exclusion::BlockGasExhausted {
            gas_limit: TX_GAS,
            left
        })
    );
    // A validator executing exactly the included ones accepts them.
    let mut validator = chain.session();
    let block = chain.block(1, ExecutionMode::Validate);
    let same = execute_block(&mut validator, contracts, &block, &txs[..included], &inputs).unwrap();
    assert_eq!(same.receipts, out.receipts);
    // One more than fits refuses the validator's block.
    let mut validator = chain.session();
    assert!(matches!(
        execute_block(
            &mut validator,
            contracts,
            &block,
            &txs[..included + 1],
            &inputs
        ),
        Err(BlockError::InvalidTransaction { index, .. }) if index == included
    ));
}

/// A proposer whose build budget is spent adds no more transactions (after the first): they wait
/// for a later block. A validator is not timed: it executes what the candidate lists.
#[test]
fn a_proposer_past_its_build_budget_leaves_the_rest_for_a_later_block() {
    let chain = Chain::new();
    let mut signers = Signers::default();
    let contracts = &chain.genesis.contracts;
    let to = Payload::Transfer {
        to: Address([1; 32]),
        amount: 5,
    };
    let txs: Vec<Transaction> = (0..5)
        .map(|_| signers.sign("dev-1", 40_000_000, to.clone()))
        .collect();
    let inputs = chain.inputs(1);
    let run = |mode, deadline| {
        let block = BlockContext {
            build_deadline: deadline,
            ..chain.block(1, mode)
        };
        let mut s = chain.session();
        execute_block(&mut s, contracts, &block, &txs, &inputs).unwrap()
    };
    let now = std::time::Instant::now();
    // Spent before the build starts: the first transaction only.
    let out = run(ExecutionMode::Propose, Some(now));
    assert_eq!(out.receipts.len(), 1);
    let waiting: Vec<_> = out.excluded.iter().map(|(h, r)| (*h, r.clone())).collect();
    let expected: Vec<_> = txs[1..]
        .iter()
        .map(|tx| (tx.hash(), Exclusion::BuildBudgetSpent))
        .collect();
    assert_eq!(waiting, expected);
    // A budget not spent, or none: every one.
    let later = now + std::time::Duration::from_secs(3_600);
    assert_eq!(run(ExecutionMode::Propose, Some(later)).receipts.len(), 5);
    assert_eq!(run(ExecutionMode::Propose, None).receipts.len(), 5);
    // A validator ignores it.
    assert_eq!(run(ExecutionMode::Validate, Some(now)).receipts.len(), 5);
}

#[test]
fn an_unknown_generator_refuses_the_block() {
    let chain = Chain::new();
    let block = chain.block(1, ExecutionMode::Propose);
    let mut inputs = chain.inputs(block.height);
    inputs.generator = crate::chain::keys::provisioner_key("stranger").public;
    let mut s = chain.session();
    let err = execute_block(&mut s, &chain.genesis.contracts, &block, &[], &inputs).unwrap_err();
    assert!(matches!(err, BlockError::UnknownGenerator(_)), "{err}");
}

#[test]
fn mempool_to_block_to_state_and_back() {
    use crate::chain::accounts::SessionAccounts;
    use crate::chain::mempool::{Mempool, MempoolConfig, MempoolRefusal};
    let chain = Chain::new();
    let contracts = chain.genesis.contracts;
    let mut pool = Mempool::new(MempoolConfig::new(
        chain.config.chain_id,
        chain.config.block_gas_limit,
    ));
    let mut signers = Signers::default();
    let to = Payload::Transfer {
        to: Address([1; 32]),
        amount: 5,
    };
    let first = signers.sign("dev-1", 40_000_000, to.clone());
    let second = signers.sign("dev-1", 40_000_000, to.clone());
    let poor = signers.sign("nobody", 40_000_000, to);
    let mut head = chain.session();
    let mut view = SessionAccounts {
        session: &mut head,
        contracts,
    };
    pool.insert(second.clone(), &mut view).unwrap();
    pool.insert(first.clone(), &mut view).unwrap();
    assert!(matches!(
        pool.insert(poor, &mut view),
        Err(MempoolRefusal::Unpayable { balance: 0, .. })
    ));
    let txs = pool
        .take_block(chain.config.block_gas_limit, &mut view)
        .unwrap();
    assert_eq!(txs, vec![first.clone(), second]);

    let block = chain.block(1, ExecutionMode::Validate);
    let out = execute_block(
        &mut head,
        &contracts,
        &block,
        &txs,
        &chain.inputs(block.height),
    )
    .unwrap();
    assert!(
        out.receipts.iter().all(|r| r.result.is_ok()),
        "{:?}",
        out.receipts
    );
    head.commit().unwrap();
    // The state moved: a replay of an included transaction is refused as stale.
    let mut view = SessionAccounts {
        session: &mut head,
        contracts,
    };
    assert_eq!(
        pool.insert(first, &mut view),
        Err(MempoolRefusal::StaleNonce { nonce: 0, next: 2 })
    );
    assert_eq!(chain.balance(&mut head, Address([1; 32])), 10);
}

/// The gas of the work a transaction makes the node do around its payload, measured: the
/// four protocol calls (`nonce_of`, `reserve_fee`, `use_nonce`, `settle_fee`, by their own
/// gas on the genesis state, the fee calls' first use of an escrow included) and the runtime's
/// measured price of the ed25519 check; and per byte, the check's hashing, the transaction's
/// hash and its decoding.
#[test]
fn the_intrinsic_gas_covers_the_nodes_work_around_the_payload() {
    let chain = Chain::new();
    let mut s = chain.session();
    let c = chain.genesis.contracts;
    let sender = AccountKey::from_seed("dev-0").address();
    let beneficiary = AccountKey::from_seed("dev-1").address();
    let (gas_limit, gas_price) = (10_000_000u64, 1u64);
    let mut gas = |contract: ContractId, function: &str, args: Vec<u8>| {
        let r = s
            .call_protocol(contract, function, &args, PROTOCOL_CALL_GAS)
            .unwrap();
        assert!(r.is_success(), "{function}: {:?}", r.result);
        r.gas_spent
    };
    let nonce = [sender.0.to_vec(), 0u64.to_le_bytes().to_vec()].concat();
    let calls = [
        gas(c.nonces, "nonce_of", sender.0.to_vec()),
        gas(
            c.genesis.transfer,
            "reserve_fee",
            encode(&(sender, gas_limit, gas_price)),
        ),
        gas(c.nonces, "use_nonce", nonce),
        gas(
            c.genesis.transfer,
            "settle_fee",
            encode(&(sender, gas_limit, gas_limit / 2, gas_price, beneficiary)),
        ),
    ];
    let p = runtime::PriceTable::default();
    let measured = calls.iter().sum::<u64>() + p.ed25519_verify_base;
    println!("protocol calls {calls:?}, with the signature check {measured}");
    assert!(
        (measured..=measured + measured / 4).contains(&TX_INTRINSIC_GAS),
        "{TX_INTRINSIC_GAS} should be the measured {measured} with at most 25 % margin"
    );
    assert_eq!(
        TX_INTRINSIC_GAS_PER_BYTE,
        p.ed25519_verify_per_byte + p.blake2b_per_byte + p.copy_per_byte
    );
    // A transaction pays both, by its size: the smallest (a transfer) and one past it.
    let mut signers = Signers::default();
    let transfer = signers.sign(
        "dev-2",
        gas_limit,
        Payload::Transfer {
            to: beneficiary,
            amount: 1,
        },
    );
    let len = transfer.encoded_len() as u64;
    assert_eq!(
        transfer.intrinsic_gas(),
        TX_INTRINSIC_GAS + TX_INTRINSIC_GAS_PER_BYTE * len
    );
    let bigger = signers.sign("dev-2", gas_limit, call(c.nonces, "x", vec![0; 1_000]));
    assert_eq!(
        bigger.intrinsic_gas() - transfer.intrinsic_gas(),
        TX_INTRINSIC_GAS_PER_BYTE * (bigger.encoded_len() as u64 - len)
    );
}
