//! Executing a block: its transactions, each paid for and isolated, then the protocol's own calls.
//!
//! [`execute_block`] runs on a [`Session`] opened over the parent block's state and leaves it
//! **uncommitted**: the caller commits it when the block is accepted (or reads its root before
//! that, once the runtime offers roots before commit) and drops it when the block loses. After an
//! `Err` the session holds a partial block: drop it. The whole block runs in that one session,
//! so a non-resident module's load is paid by the first transaction that runs it and the later
//! ones run it warm (`runtime/src/load.rs`).
//!
//! # Per transaction
//!
//! 1. **Checks**: field bounds, chain id and signature, a gas limit of at least
//!    its [intrinsic gas](Transaction::intrinsic_gas) ([`TX_INTRINSIC_GAS`](super::tx::TX_INTRINSIC_GAS) + per byte, charged
//!    to every included transaction) within the gas the block has
//!    left, and the nonce (`nonces.nonce_of`). The gas a block has left falls by the gas each
//!    included transaction **spent**, not by its limit (as Ethereum counts it): a transaction
//!    fits while its limit is at most what is left, so the gas the block's transactions spend
//!    sums to at most the block gas limit — the bound on its execution time — while a
//!    generous limit no longer takes block space its transaction does not use.
//! 2. **Reserve the fee**: `transfer.reserve_fee(sender, gas_limit, gas_price)`, host-only: the
//!    maximum fee moves into escrow.
//! 3. **Use the nonce**: `nonces.use_nonce`, host-only.
//! 4. **Run the payload** as the sender with the gas limit less the intrinsic gas, in its own
//!    atomic frame
//!    (a runtime call: a failure drops every write of it). A transfer is `transfer.transfer`; a
//!    call is the call; a deploy is charged [`deploy_gas`] of its code (the runtime's price, by
//!    the module's shape, and the commit of its record), validated and deployed, then its `init`
//!    called with the gas left. A failure —
//!    panic, trap, out of gas, a contract error, a refused module — is kept, typed, in the
//!    [`TxReceipt`]; the transaction is included and pays for the gas it burned.
//! 5. **Settle the fee**: `transfer.settle_fee`, host-only: gas spent × price to the generator's
//!    owner, the rest of the escrow back to the sender.
//!
//! A transaction that fails a check or cannot pay its maximum fee (steps 1–2) changes nothing. A
//! block proposer ([`ExecutionMode::Propose`]) leaves it out and lists it in
//! [`BlockOutput::excluded`]; a validator ([`ExecutionMode::Validate`]) refuses the whole block
//! ([`BlockError::InvalidTransaction`]): a refused transaction is never included.
//!
//! **Known gap:** a deploy whose `init` fails keeps the deployed (uninitialised) contract: the
//! runtime has no savepoint to drop a deploy once recorded in a session. The receipt says so
//! (`deployed` is set, the result is the `init` failure). Until the runtime offers one, deploy
//! contracts whose `init` cannot be front-run, or initialise in a later call.
//!
//! # The protocol calls
//!
//! After the transactions, host-only and independent of them:
//! 1. the block's emission is minted to the stake contract and shared with `stake.reward`
//!    between the generator and the voters whose votes the block includes
//!    ([`split_reward`](super::rewards::split_reward): 80 % / 20 % by credits);
//! 2. `stake.missed` for the generators of the failed iterations the block reports;
//! 3. `stake.slash` for each equivocation proof the block carries (each outcome is reported:
//!    a proof already punished is refused by the contract, not by the block);
//! 4. no epoch transition call: the stake contract computes a key's weight from the epoch of the
//!    height it is asked about (`StakeInfo::weight_at`), so maturing, expiry and suspensions need
//!    no per-epoch call.

use super::genesis_state::ChainContracts;
use super::nonces::{NonceCallError, nonce_of, use_nonce};
use super::rewards::split_reward;
use super::tx::{Payload, Transaction, TxDecodeError, TxHash, TxSignatureError};
use crate::genesis::GENESIS_CALL_GAS;
use borsh::BorshSerialize;
use genesis_types::BlsPublicKey;
use genesis_types::stake::{Equivocation, StakeError, StakeInfo};
use genesis_types::transfer::{TransferError, fee};
use host_api::{Address, ContractId};
use runtime::{BlockInfo, CallError, DeployError, Event, HostError, Receipt, Session, StoreError};

/// Gas for each protocol call (fees, nonces, rewards, slashing): enough for the heaviest, a
/// slash verifying two BLS signatures (60 M gas). The protocol pays it; no transaction does.
pub const PROTOCOL_CALL_GAS: u64 = GENESIS_CALL_GAS;
/// The gas a deploy of `code` is charged under the default prices: the runtime's
/// [`module_deploy_price`](runtime::gas::module_deploy_price), by the module's shape (bytes,
/// functions, locals, operators, types, branches per function: validation and compilation at
/// the yardstick). The runtime charges it ([`Session::deploy_with_gas`]).
pub fn deploy_gas(code: &[u8]) -> u64 {
    runtime::gas::module_deploy_price(&runtime::PriceTable::default(), code)
}

/// Who executes the block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecutionMode {
    /// A generator building a candidate: a transaction that fails its checks is left out.
    Propose,
    /// A validator re-executing a candidate: a transaction that fails its checks refuses the
    /// block.
    Validate,
}

/// The block being executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockContext {
    /// The chain's id.
    pub chain_id: u64,
    /// The block's height.
    pub height: u64,
    /// Its timestamp (ms since the Unix epoch).
    pub timestamp_ms: u64,
    /// The most gas its transactions may reserve together.
    pub block_gas_limit: u64,
    /// Proposing or validating.
    pub mode: ExecutionMode,
    /// A proposer's build budget: once this instant has passed (and one transaction is in),
    /// it adds no more transactions; they wait for a later block
    /// ([`Exclusion::BuildBudgetSpent`]). A wall-clock bound on building a block, beside the
    /// gas bound, for code whose time per gas no price bounds (a pointer chase through memory
    /// evicted from a contended cache: BENCHMARKS.md §6), as Rusk's `generation_timeout`.
    /// Only the proposer reads a clock: validators execute the transactions the candidate
    /// lists, whatever time it took, so the outcome stays deterministic. `None`: no budget.
    pub build_deadline: Option<std::time::Instant>,
}

/// What the consensus tells the block's protocol calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolInputs {
    /// The block's generator: rewarded; its owner receives the fees.
    pub generator: BlsPublicKey,
    /// The voters whose votes the block includes, with their credits.
    pub voters: Vec<(BlsPublicKey, u32)>,
    /// Generators of the iterations that failed before this block's (they missed their duty).
    pub absent_generators: Vec<BlsPublicKey>,
    /// Equivocation proofs the block carries.
    pub faults: Vec<Equivocation>,
    /// New tokens the block creates, shared as rewards.
    pub emission: u128,
}

/// Why a transaction's payload failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxFailure {
    /// The call (or a deploy's `init`) failed.
    #[error(transparent)]
    Call(#[from] CallError),
    /// The module was refused at deploy.
    #[error("deploy refused: {0}")]
    Deploy(DeployError),
}

/// An included transaction's receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxReceipt {
    /// The transaction.
    pub hash: TxHash,
    /// Its sender.
    pub sender: Address,
    /// Its nonce.
    pub nonce: u64,
    /// The gas it could spend.
    pub gas_limit: u64,
    /// The gas it spent, failure or not.
    pub gas_spent: u64,
    /// What it paid: gas spent × gas price.
    pub fee_paid: u128,
    /// The return data, or why it failed.
    pub result: Result<Vec<u8>, TxFailure>,
    /// The contract it deployed (a deploy whose module was accepted).
    pub deployed: Option<ContractId>,
    /// Its events (marked `reverted` when it failed).
    pub events: Vec<Event>,
}

/// Why a transaction was left out of a proposed block (or makes a block invalid).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Exclusion {
    /// A field over its bound.
    #[error(transparent)]
    Bounds(#[from] TxDecodeError),
    /// Another chain's, or a bad signature.
    #[error(transparent)]
    Signature(#[from] TxSignatureError),
    /// Sent as `Address::PROTOCOL`, which no account may be.
    #[error("the sender is the protocol's address")]
    ReservedSender,
    /// A gas limit below the transaction's [`intrinsic gas`](Transaction::intrinsic_gas).
    #[error("gas limit {gas_limit} below the {intrinsic} every transaction pays")]
    GasBelowIntrinsic {
        /// The transaction's.
        gas_limit: u64,
        /// [`Transaction::intrinsic_gas`].
        intrinsic: u64,
    },
    /// Its gas limit is over what the block has left.
    #[error("gas limit {gas_limit} over the {left} the block has left")]
    BlockGasExhausted {
        /// The transaction's.
        gas_limit: u64,
        /// The block's.
        left: u64,
    },
    /// Not the sender's next nonce.
    #[error("nonce {found}, expected {expected}")]
    Nonce {
        /// The sender's next nonce.
        expected: u64,
        /// The transaction's.
        found: u64,
    },
    /// The sender cannot pay the maximum fee.
    #[error("cannot reserve the fee: {0:?}")]
    Unpayable(TransferError),
    /// The proposer's build budget was spent ([`BlockContext::build_deadline`]): the
    /// transaction waits for a later block.
    #[error("the block's build budget is spent; it waits for a later block")]
    BuildBudgetSpent,
}

/// One slash's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlashOutcome {
    /// The equivocating key.
    pub key: BlsPublicKey,
    /// The amount burnt, or why the stake contract refused the proof.
    pub result: Result<u128, StakeError>,
}

/// What the protocol calls did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolReport {
    /// Who received the fees (the generator's owner).
    pub fee_beneficiary: Address,
    /// The rewards credited, by key.
    pub rewards: Vec<(BlsPublicKey, u128)>,
    /// The keys charged a missed duty.
    pub missed: Vec<BlsPublicKey>,
    /// Each fault's outcome, in the block's order.
    pub slashes: Vec<SlashOutcome>,
}

/// What executing a block produced (the state is in the session).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockOutput {
    /// The included transactions' receipts, in order.
    pub receipts: Vec<TxReceipt>,
    /// Transactions left out (proposing only), with why.
    pub excluded: Vec<(TxHash, Exclusion)>,
    /// The gas the included transactions spent.
    pub gas_used: u64,
    /// The protocol calls' results.
    pub protocol: ProtocolReport,
}

/// Why a block could not be executed. Drop the session.
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// A validator met a transaction that must not be in a block.
    #[error("transaction {index} ({hash}): {reason}")]
    InvalidTransaction {
        /// Its position.
        index: usize,
        /// Its hash.
        hash: TxHash,
        /// Why.
        reason: Exclusion,
    },
    /// The generator has no stake record.
    #[error("the generator {0:?} has no stake")]
    UnknownGenerator(BlsPublicKey),
    /// A protocol call that must succeed failed (inputs the stake contract refuses, a broken
    /// genesis contract).
    #[error("protocol call {function}: {error}")]
    Protocol {
        /// The entry point.
        function: &'static str,
        /// Its outcome.
        error: String,
    },
    /// The runtime or the store failed.
    #[error(transparent)]
    Host(#[from] HostError),
    /// The store failed during a deploy.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Execute `txs` and the protocol calls of the block `block` on `s` (see the [module
/// docs](self)); `s` is left uncommitted.
///
/// # Errors
/// See [`BlockError`].
pub fn execute_block(
    s: &mut Session,
    contracts: &ChainContracts,
    block: &BlockContext,
    txs: &[Transaction],
    protocol: &ProtocolInputs,
) -> Result<BlockOutput, BlockError> {
    execute_block_with(s, contracts, block, txs, protocol, &|_| false)
}

/// [`execute_block`], skipping the signature check of the transactions `verified` says this
/// node has already checked for this chain (those in its mempool: the pool checks each
/// signature on the way in). A transaction's hash covers its signature, so the outcome is the
/// one a check would give: the same block executes to the same root either way.
///
/// # Errors
/// See [`BlockError`].
pub fn execute_block_with(
    s: &mut Session,
    contracts: &ChainContracts,
    block: &BlockContext,
    txs: &[Transaction],
    protocol: &ProtocolInputs,
    verified: &dyn Fn(&TxHash) -> bool,
) -> Result<BlockOutput, BlockError> {
    let hashes: Vec<TxHash> = txs.iter().map(Transaction::hash).collect();
    execute_block_hashed(s, contracts, block, txs, &hashes, protocol, verified)
}

/// [`execute_block_with`] for a caller that already hashed the transactions: `hashes[i]` must
/// be `txs[i].hash()` (a node hashes a block's transactions once, to look them up in its pool;
/// the hash names the receipt and decides whether the signature check is skipped, so it is
/// crate-private).
///
/// # Panics
/// If `hashes` and `txs` differ in length.
///
/// # Errors
/// See [`BlockError`].
pub(crate) fn execute_block_hashed(
    s: &mut Session,
    contracts: &ChainContracts,
    block: &BlockContext,
    txs: &[Transaction],
    hashes: &[TxHash],
    protocol: &ProtocolInputs,
    verified: &dyn Fn(&TxHash) -> bool,
) -> Result<BlockOutput, BlockError> {
    assert_eq!(txs.len(), hashes.len(), "one hash per transaction");
    debug_assert!(txs.iter().zip(hashes).all(|(tx, h)| tx.hash() == *h));
    s.set_block(BlockInfo {
        height: block.height,
        timestamp_ms: block.timestamp_ms,
    });
    let mut exec = Executor {
        s,
        contracts,
        block,
        verified,
    };
    let generator: Option<StakeInfo> =
        exec.protocol_query(contracts.genesis.stake, "stake_of", &protocol.generator)?;
    let beneficiary = generator
        .ok_or(BlockError::UnknownGenerator(protocol.generator))?
        .owner;
    let mut output = BlockOutput {
        receipts: Vec::with_capacity(txs.len()),
        excluded: Vec::new(),
        gas_used: 0,
        protocol: ProtocolReport {
            fee_beneficiary: beneficiary,
            rewards: Vec::new(),
            missed: Vec::new(),
            slashes: Vec::new(),
        },
    };
    let mut gas_left = block.block_gas_limit;
    for (index, (tx, &hash)) in txs.iter().zip(hashes).enumerate() {
        if block.mode == ExecutionMode::Propose
            && !output.receipts.is_empty()
            && block
                .build_deadline
                .is_some_and(|deadline| std::time::Instant::now() >= deadline)
        {
            output.excluded.extend(
                hashes[index..]
                    .iter()
                    .map(|hash| (*hash, Exclusion::BuildBudgetSpent)),
            );
            break;
        }
        match exec.transaction(tx, hash, gas_left, beneficiary)? {
            Ok(receipt) => {
                // At most its limit, which was at most `gas_left`.
                gas_left -= receipt.gas_spent.min(gas_left);
                output.gas_used += receipt.gas_spent;
                output.receipts.push(receipt);
            }
            Err(reason) => match block.mode {
                ExecutionMode::Propose => output.excluded.push((hash, reason)),
                ExecutionMode::Validate => {
                    return Err(BlockError::InvalidTransaction {
                        index,
                        hash,
                        reason,
                    });
                }
            },
        }
    }
    output.protocol = exec.protocol_calls(protocol, beneficiary)?;
    Ok(output)
}

struct Executor<'a> {
    s: &'a mut Session,
    contracts: &'a ChainContracts,
    block: &'a BlockContext,
    verified: &'a dyn Fn(&TxHash) -> bool,
}

fn encode<T: BorshSerialize + ?Sized>(value: &T) -> Vec<u8> {
    // Writing into a Vec cannot fail.
    borsh::to_vec(value).unwrap_or_default()
}

fn refused(function: &'static str, error: impl ToString) -> BlockError {
    BlockError::Protocol {
        function,
        error: error.to_string(),
    }
}

impl Executor<'_> {
    /// A host-only call whose receipt the caller inspects.
    fn protocol_call<T: BorshSerialize + ?Sized>(
        &mut self,
        contract: ContractId,
        function: &'static str,
        args: &T,
    ) -> Result<Receipt, BlockError> {
        Ok(self
            .s
            .call_protocol(contract, function, &encode(args), PROTOCOL_CALL_GAS)?)
    }

    /// A host-only call that must succeed, its return value decoded.
    fn protocol_query<T: BorshSerialize + ?Sized, R: borsh::BorshDeserialize>(
        &mut self,
        contract: ContractId,
        function: &'static str,
        args: &T,
    ) -> Result<R, BlockError> {
        let r = self.protocol_call(contract, function, args)?;
        let bytes = r.result.map_err(|e| refused(function, e))?;
        borsh::from_slice(&bytes).map_err(|e| refused(function, e))
    }

    /// One transaction (`hash` is its [`Transaction::hash`]): its receipt, or why it cannot be
    /// included (nothing changed then).
    fn transaction(
        &mut self,
        tx: &Transaction,
        hash: TxHash,
        gas_left: u64,
        beneficiary: Address,
    ) -> Result<Result<TxReceipt, Exclusion>, BlockError> {
        if let Err(reason) = self.check(tx, &hash, gas_left) {
            return Ok(Err(reason));
        }
        let body = &tx.body;
        let sender = tx.sender();
        let transfer = self.contracts.genesis.transfer;
        let next = nonce_of(self.s, self.contracts.nonces, &sender).map_err(nonce_error)?;
        if next != body.nonce {
            return Ok(Err(Exclusion::Nonce {
                expected: next,
                found: body.nonce,
            }));
        }
        let reserve = (sender, body.gas_limit, body.gas_price);
        let r = self.protocol_call(transfer, "reserve_fee", &reserve)?;
        match r.result {
            Ok(_) => {}
            Err(CallError::Reverted(bytes)) => {
                let e = borsh::from_slice(&bytes).map_err(|e| refused("reserve_fee", e))?;
                return Ok(Err(Exclusion::Unpayable(e)));
            }
            Err(e) => return Err(refused("reserve_fee", e)),
        }
        use_nonce(self.s, self.contracts.nonces, &sender, body.nonce).map_err(nonce_error)?;
        let mut receipt = self.payload(tx, hash)?;
        receipt.gas_spent = receipt.gas_spent.min(body.gas_limit);
        let settle = (
            sender,
            body.gas_limit,
            receipt.gas_spent,
            body.gas_price,
            beneficiary,
        );
        let r = self.protocol_call(transfer, "settle_fee", &settle)?;
        r.result.map_err(|e| refused("settle_fee", e))?;
        receipt.fee_paid = fee(receipt.gas_spent, body.gas_price);
        Ok(Ok(receipt))
    }

    fn check(&self, tx: &Transaction, hash: &TxHash, gas_left: u64) -> Result<(), Exclusion> {
        tx.check_bounds()?;
        if tx.body.chain_id != self.block.chain_id || !(self.verified)(hash) {
            tx.verify(self.block.chain_id)?;
        }
        if tx.sender() == Address::PROTOCOL {
            return Err(Exclusion::ReservedSender);
        }
        let gas_limit = tx.body.gas_limit;
        let intrinsic = tx.intrinsic_gas();
        if gas_limit < intrinsic {
            return Err(Exclusion::GasBelowIntrinsic {
                gas_limit,
                intrinsic,
            });
        }
        if gas_limit > gas_left {
            return Err(Exclusion::BlockGasExhausted {
                gas_limit,
                left: gas_left,
            });
        }
        Ok(())
    }

    /// Run the payload as the sender; the receipt's fee is filled in by the caller.
    fn payload(&mut self, tx: &Transaction, hash: TxHash) -> Result<TxReceipt, BlockError> {
        let body = &tx.body;
        let sender = tx.sender();
        // `check` made sure the limit covers the intrinsic gas.
        let intrinsic = tx.intrinsic_gas();
        let gas_limit = body.gas_limit - intrinsic;
        let mut receipt = TxReceipt {
            hash,
            sender,
            nonce: body.nonce,
            gas_limit: body.gas_limit,
            gas_spent: 0,
            fee_paid: 0,
            result: Ok(Vec::new()),
            deployed: None,
            events: Vec::new(),
        };
        let call = match &body.payload {
            Payload::Transfer { to, amount } => self.s.call(
                sender,
                self.contracts.genesis.transfer,
                "transfer",
                &encode(&(*to, *amount)),
                gas_limit,
            )?,
            Payload::Call {
                contract,
                function,
                args,
            } => self.s.call(sender, *contract, function, args, gas_limit)?,
            Payload::Deploy { code, init_args } => {
                // The runtime's price, charged before it validates or compiles anything; a
                // module it then refuses has spent it.
                let gas = runtime::gas::module_deploy_price(self.s.prices(), code);
                receipt.gas_spent = intrinsic + gas;
                let id = match self.s.deploy_with_gas(sender, code, body.nonce, gas_limit) {
                    Ok((id, _)) => id,
                    Err(DeployError::OutOfGas { .. }) => {
                        receipt.gas_spent = body.gas_limit;
                        receipt.result = Err(CallError::OutOfGas.into());
                        return Ok(receipt);
                    }
                    Err(DeployError::Store(e)) => return Err(e.into()),
                    Err(e) => {
                        receipt.result = Err(TxFailure::Deploy(e));
                        return Ok(receipt);
                    }
                };
                receipt.deployed = Some(id);
                let Some(args) = init_args else {
                    receipt.result = Ok(id.0.to_vec());
                    return Ok(receipt);
                };
                let init = self.s.call(sender, id, "init", args, gas_limit - gas)?;
                receipt.gas_spent += init.gas_spent;
                receipt.events = init.events;
                receipt.result = init.result.map(|_| id.0.to_vec()).map_err(Into::into);
                return Ok(receipt);
            }
        };
        receipt.gas_spent = intrinsic + call.gas_spent;
        receipt.events = call.events;
        receipt.result = call.result.map_err(Into::into);
        Ok(receipt)
    }

    fn protocol_calls(
        &mut self,
        inputs: &ProtocolInputs,
        beneficiary: Address,
    ) -> Result<ProtocolReport, BlockError> {
        let genesis = self.contracts.genesis;
        let rewards = split_reward(inputs.emission, inputs.generator, &inputs.voters);
        if inputs.emission > 0 {
            let mint = (Address::from(genesis.stake), inputs.emission);
            let r = self.protocol_call(genesis.transfer, "mint", &mint)?;
            r.result.map_err(|e| refused("mint", e))?;
        }
        if !rewards.is_empty() {
            let r = self.protocol_call(genesis.stake, "reward", &rewards)?;
            r.result.map_err(|e| refused("reward", stake_error(e)))?;
        }
        if !inputs.absent_generators.is_empty() {
            let r = self.protocol_call(genesis.stake, "missed", &inputs.absent_generators)?;
            r.result.map_err(|e| refused("missed", stake_error(e)))?;
        }
        let mut slashes = Vec::with_capacity(inputs.faults.len());
        for proof in &inputs.faults {
            let r = self.protocol_call(genesis.stake, "slash", proof)?;
            let result = match r.result {
                Ok(bytes) => Ok(borsh::from_slice(&bytes).map_err(|e| refused("slash", e))?),
                Err(CallError::Reverted(bytes)) => {
                    Err(borsh::from_slice(&bytes).map_err(|e| refused("slash", e))?)
                }
                Err(e) => return Err(refused("slash", e)),
            };
            slashes.push(SlashOutcome {
                key: proof.key,
                result,
            });
        }
        Ok(ProtocolReport {
            fee_beneficiary: beneficiary,
            rewards,
            missed: inputs.absent_generators.clone(),
            slashes,
        })
    }
}

fn nonce_error(e: NonceCallError) -> BlockError {
    match e {
        NonceCallError::Host(e) => BlockError::Host(e),
        e => refused("use_nonce", e),
    }
}

/// A stake call's failure, with the contract's error decoded when it is one.
fn stake_error(e: CallError) -> String {
    match &e {
        CallError::Reverted(bytes) => match borsh::from_slice::<StakeError>(bytes) {
            Ok(stake) => format!("{stake:?}"),
            Err(_) => e.to_string(),
        },
        _ => e.to_string(),
    }
}

#[cfg(test)]
#[path = "block_exec_tests.rs"]
mod tests;
