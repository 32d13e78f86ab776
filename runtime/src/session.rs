//! [`Session`]: deploys and calls over a base state, committed atomically.
//!
//! Each call is atomic: it runs in a fresh wasmtime Store with its own journal frame (see
//! `call.rs`); success merges the frame into the session, failure drops it. [`Session::commit`]
//! writes the session's deploys and storage changes to the store in one [`ChangeSet`]; dropping a
//! session without committing discards them.
//!
//! A session pays each non-resident module's load once, at the first frame that runs it, and
//! keeps the module warm for its later call trees until it is dropped, within a bound (see
//! `load.rs`): gas depends on which calls ran before in the same session. A node runs one
//! session per block; a dry run or an estimate runs in a fresh one, so it prices the load.

use crate::call::{BaseRecords, Deployed, Env, run_frame};
use crate::error::{DeployError, HostError, StoreError};
use crate::host::BlockInfo;
use crate::journal::Journal;
use crate::load::Warm;
use crate::merkle::Root;
use crate::outcome::{GasInfo, Receipt};
use crate::runtime::Runtime;
use crate::state::{ChangeSet, ContractRecord, StateStore};
use crate::store_data::{CallState, HostState};
use crate::{CodeHash, contract_id};
use host_api::{Address, ContractId};
use std::sync::Arc;
use wasmtime::{Store, Trap};

/// An execution context over a base state.
pub struct Session {
    runtime: Runtime,
    base: Arc<dyn StateStore>,
    block: BlockInfo,
    journal: Journal,
    deployed: Arc<Deployed>,
    /// Contract records read from `base` (they never change once written).
    records: Arc<BaseRecords>,
    /// The root the session's writes are computed over: read when the session starts and
    /// moved by each commit (`None` if the store failed to answer; then the first commit
    /// reads it).
    base_root: Option<Root>,
    /// Record [`TraceOp`](crate::TraceOp)s in receipts (see [`set_trace`](Self::set_trace)).
    trace: bool,
    /// The modules this session paid to load, kept until it is dropped (see `load.rs`): a
    /// later call tree runs them without paying their load again.
    warm: Arc<Warm>,
}

impl Session {
    pub(crate) fn new(runtime: Runtime, base: Arc<dyn StateStore>, block: BlockInfo) -> Self {
        let base_root = base.root().ok();
        Self {
            base_root,
            runtime,
            base,
            block,
            journal: Journal::new(),
            deployed: Arc::default(),
            records: Arc::default(),
            trace: false,
            warm: Arc::default(),
        }
    }

    /// The block calls execute in.
    pub fn block(&self) -> BlockInfo {
        self.block
    }

    /// The prices this session charges (its runtime's).
    pub fn prices(&self) -> &crate::PriceTable {
        &self.runtime.inner.prices
    }

    /// Change the block calls execute in (height and timestamp seen by contracts).
    pub fn set_block(&mut self, block: BlockInfo) {
        self.block = block;
    }

    /// Turn tracing on or off for later calls. A traced call's receipt (and each frame of its
    /// call tree) lists what it did, in order: storage reads with the values found, writes,
    /// removes, events, debug prints and nested calls ([`TraceOp`](crate::TraceOp)). Off by
    /// default: an untraced call records nothing and pays nothing for it. Tracing never changes
    /// gas or results.
    pub fn set_trace(&mut self, on: bool) {
        self.trace = on;
    }

    fn env(&self) -> Arc<Env> {
        Arc::new(Env {
            runtime: self.runtime.inner.clone(),
            base: self.base.clone(),
            records: self.records.clone(),
            deployed: self.deployed.clone(),
            block: self.block,
            trace: self.trace,
            warm: self.warm.clone(),
            loaded: Default::default(),
        })
    }

    /// Validate, compile and deploy `bytecode` as `owner` with `nonce`; returns the new id
    /// (see [`contract_id`](crate::contract_id)). Nothing is recorded when it fails. Unmetered:
    /// for the host's own deploys (genesis) and tests; a deploy paid by a transaction goes
    /// through [`deploy_with_gas`](Self::deploy_with_gas).
    ///
    /// # Errors
    /// Why the module was refused, or that the id is taken.
    pub fn deploy(
        &mut self,
        owner: Address,
        bytecode: &[u8],
        nonce: u64,
    ) -> Result<ContractId, DeployError> {
        self.runtime.validate(bytecode)?;
        let hash = CodeHash::of(bytecode);
        let id = contract_id(&owner, &hash, nonce);
        if self.contract(&id)?.is_some() {
            return Err(DeployError::AlreadyDeployed(id));
        }
        let cache = &self.runtime.inner.cache;
        let compiled = cache
            .get(hash, || Ok(Arc::from(bytecode)))
            .map_err(|e| DeployError::Compile(Box::new(e)))?;
        self.probe_instantiation(id, &compiled)?;
        let deployed = Arc::make_mut(&mut self.deployed);
        deployed
            .code
            .entry(hash)
            .or_insert_with(|| Arc::from(bytecode));
        deployed.contracts.insert(
            id,
            ContractRecord {
                owner,
                code_hash: hash.0,
            },
        );
        Ok(id)
    }

    /// [`deploy`](Self::deploy), metered: charges
    /// [`module_deploy_price`](crate::gas::module_deploy_price) of the module's shape (counted
    /// in one pass over the bytecode: bytes, functions, locals, operators, types, `br_table`
    /// targets, branches per function) before validating or compiling anything, and returns
    /// the new id with the gas spent. A limit below the price refuses the deploy with
    /// [`DeployError::OutOfGas`] and changes nothing (nothing is compiled). A deploy refused
    /// after it was paid for (the module invalid, the id taken) spent the price: the caller
    /// charges it.
    ///
    /// # Errors
    /// As [`deploy`](Self::deploy), and [`DeployError::OutOfGas`].
    pub fn deploy_with_gas(
        &mut self,
        owner: Address,
        bytecode: &[u8],
        nonce: u64,
        gas_limit: u64,
    ) -> Result<(ContractId, u64), DeployError> {
        let price = crate::gas::module_deploy_price(&self.runtime.inner.prices, bytecode);
        if price > gas_limit {
            return Err(DeployError::OutOfGas { price, gas_limit });
        }
        self.deploy(owner, bytecode, nonce).map(|id| (id, price))
    }

    /// Instantiate a freshly compiled contract once, calling nothing, so that a module whose
    /// data or element segments do not fit its memory or table is refused at deploy rather than
    /// failing every call.
    fn probe_instantiation(
        &self,
        id: ContractId,
        compiled: &crate::cache::CompiledContract,
    ) -> Result<(), DeployError> {
        let limits = &self.runtime.inner.config.limits;
        let shared = CallState::new(Journal::new());
        let state = HostState::new(self.env(), shared, id, Address::default(), Vec::new(), 0, 0);
        let mut store = Store::new(&self.runtime.inner.engine, state);
        store.limiter(|s| &mut s.limiter);
        // No contract code runs (start functions are refused), but wasmtime may meter the copy
        // of data segments it cannot map copy-on-write: enough fuel for any module's data.
        let fuel = 4 * limits.max_module_bytes as u64;
        store
            .set_fuel(fuel)
            .map_err(|e| DeployError::Instantiation(format!("{e:#}")))?;
        compiled
            .pre
            .instantiate(&mut store)
            .map(|_| ())
            .map_err(|e| {
                let message = match e.downcast_ref::<Trap>() {
                    Some(trap) => trap.to_string(),
                    None => format!("{e:#}"),
                };
                DeployError::Instantiation(message)
            })
    }

    /// The record of a contract, deployed in this session or before.
    ///
    /// # Errors
    /// When the store fails.
    pub fn contract(&self, id: &ContractId) -> Result<Option<ContractRecord>, StoreError> {
        match self.deployed.contracts.get(id) {
            Some(r) => Ok(Some(r.clone())),
            None => self.records.get(self.base.as_ref(), id),
        }
    }

    /// A contract's storage value as this session sees it.
    ///
    /// # Errors
    /// When the store fails.
    pub fn storage(&self, id: &ContractId, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.journal.read(id, key) {
            Some(v) => Ok(v.map(<[u8]>::to_vec)),
            None => self.base.storage(id, key),
        }
    }

    /// Call `function` of `contract` as `caller` with the encoded `args`, spending at most
    /// `gas_limit`. The receipt says what happened; a failed call changed nothing but the gas.
    /// [`call_with_gas`](Self::call_with_gas) also reports the gas of a call that ends in a
    /// host error.
    ///
    /// # Errors
    /// Only host failures (the store failed, a module could not be loaded, the instance pool is
    /// exhausted); every contract failure is a [`CallError`](crate::CallError) in the receipt.
    /// [`HostError::ReservedCaller`] when `caller` is [`Address::PROTOCOL`]: host-only entry
    /// points are reached through [`call_protocol`](Self::call_protocol) alone.
    pub fn call(
        &mut self,
        caller: Address,
        contract: ContractId,
        function: &str,
        args: &[u8],
        gas_limit: u64,
    ) -> Result<Receipt, HostError> {
        self.call_with_gas(caller, contract, function, args, gas_limit)
            .0
    }

    /// [`call`](Self::call), with the gas it spent whatever the outcome: on a host error, the
    /// gas of what ran before the host failed (the frames that ran, up to the failure), which
    /// the caller charges like a receipt's.
    pub fn call_with_gas(
        &mut self,
        caller: Address,
        contract: ContractId,
        function: &str,
        args: &[u8],
        gas_limit: u64,
    ) -> (Result<Receipt, HostError>, GasInfo) {
        if caller == Address::PROTOCOL {
            let gas = GasInfo {
                gas_limit,
                gas_spent: 0,
            };
            return (Err(HostError::ReservedCaller), gas);
        }
        self.call_as(caller, contract, function, args, gas_limit)
    }

    /// Call a **host-only** entry point: `caller()` is [`Address::PROTOCOL`] inside the
    /// contract, which no application call can be. For the node's own calls into the genesis
    /// contracts (minting, fees, rewards, slashing); metered and atomic like any call.
    ///
    /// # Errors
    /// As [`call`](Self::call).
    pub fn call_protocol(
        &mut self,
        contract: ContractId,
        function: &str,
        args: &[u8],
        gas_limit: u64,
    ) -> Result<Receipt, HostError> {
        self.call_protocol_with_gas(contract, function, args, gas_limit)
            .0
    }

    /// [`call_protocol`](Self::call_protocol), with the gas it spent whatever the outcome (see
    /// [`call_with_gas`](Self::call_with_gas)).
    pub fn call_protocol_with_gas(
        &mut self,
        contract: ContractId,
        function: &str,
        args: &[u8],
        gas_limit: u64,
    ) -> (Result<Receipt, HostError>, GasInfo) {
        self.call_as(Address::PROTOCOL, contract, function, args, gas_limit)
    }

    fn call_as(
        &mut self,
        caller: Address,
        contract: ContractId,
        function: &str,
        args: &[u8],
        gas_limit: u64,
    ) -> (Result<Receipt, HostError>, GasInfo) {
        let env = self.env();
        let journal = std::mem::replace(&mut self.journal, Journal::new());
        let mut shared = CallState::new(journal);
        let outcome = run_frame(
            &env,
            &mut shared,
            caller,
            contract,
            function,
            args,
            gas_limit,
        );
        self.journal = shared.journal;
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(e) => {
                let gas = GasInfo {
                    gas_limit,
                    gas_spent: shared.host_error_gas,
                };
                return (Err(e), gas);
            }
        };
        let gas = GasInfo {
            gas_limit,
            gas_spent: outcome.gas_spent,
        };
        let receipt = Receipt {
            contract,
            function: function.to_string(),
            caller,
            gas_limit,
            gas_spent: outcome.gas_spent,
            result: outcome.result,
            events: shared.events,
            debug: shared.debug,
            calls: outcome.trace.calls,
            omitted_calls: shared.omitted_frames,
            ops: outcome.trace.ops,
        };
        (Ok(receipt), gas)
    }

    /// The merkle root of the state this session executes over: the store's root when the
    /// session started, or the root its last commit returned (its uncommitted writes are not
    /// in it).
    ///
    /// # Errors
    /// When the store fails.
    pub fn base_root(&self) -> Result<Root, StoreError> {
        match self.base_root {
            Some(root) => Ok(root),
            None => self.base.root(),
        }
    }

    /// What [`commit`](Self::commit) would write now: the session's deploys (code and
    /// records) and its storage writes and removes, as one [`ChangeSet`]. The session keeps
    /// them: a node executes a candidate block, reads these changes and their root
    /// ([`pending_root`](Self::pending_root)) to publish, and later commits the session, or
    /// the changes themselves with [`StateStore::commit_over`] over the same base, or drops
    /// them.
    pub fn changes(&self) -> ChangeSet {
        ChangeSet {
            code: self.deployed.code.clone(),
            contracts: self.deployed.contracts.clone(),
            storage: self.journal.session_writes().clone(),
        }
    }

    /// The merkle root [`commit`](Self::commit) would return now, computed without writing
    /// anything: [`StateStore::root_after`] of [`changes`](Self::changes) over the
    /// [base root](Self::base_root). The store is left as it was; committing the session
    /// later (over the same base) returns this root.
    ///
    /// # Errors
    /// [`StoreError::BaseMoved`] when the base root is gone from the store (another session
    /// committed over it, and the store retains no version with it); when the store fails.
    pub fn pending_root(&self) -> Result<Root, StoreError> {
        self.base.root_after(self.base_root()?, &self.changes())
    }

    /// Write the session's deploys and storage changes to the store, atomically, and return
    /// the store's new merkle root. A session with nothing to write returns the current root.
    /// The session stays usable: later calls run over the committed state.
    ///
    /// Sessions are optimistic: many may execute over the same store at once, and the first to
    /// commit wins. A session whose [base root](Self::base_root) is no longer the store's root
    /// (another session committed meanwhile) is refused with [`StoreError::BaseMoved`] rather
    /// than overwrite what it never read; run its calls again in a new session.
    ///
    /// # Errors
    /// When the store fails or the base moved; then nothing was written and the session is
    /// unchanged. A read-only store (a [`Snapshot`](crate::Snapshot)) answers
    /// [`StoreError::ReadOnly`].
    pub fn commit(&mut self) -> Result<Root, StoreError> {
        let changes = ChangeSet {
            code: self.deployed.code.clone(),
            contracts: self.deployed.contracts.clone(),
            storage: self.journal.take_session_writes(),
        };
        if changes.is_empty() {
            return self.base.root();
        }
        let base = self.base_root()?;
        let root = match self.base.commit_over(base, changes.clone()) {
            Ok(root) => root,
            Err(e) => {
                // Put the writes back so the caller may retry.
                for (id, writes) in changes.storage {
                    for (key, value) in writes {
                        self.journal.write(id, key, value);
                    }
                }
                return Err(e);
            }
        };
        self.deployed = Arc::default();
        self.base_root = Some(root);
        Ok(root)
    }
}
