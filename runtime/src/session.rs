//! [`Session`]: deploys and calls over a base state, committed atomically.
//!
//! Each call is atomic: it runs in a fresh wasmtime Store with its own journal frame; success
//! merges the frame into the session, failure drops it. [`Session::commit`] writes the session's
//! deploys and storage changes to the store in one [`ChangeSet`]; dropping a session without
//! committing discards them.

use crate::cache::CompiledContract;
use crate::error::{DeployError, HostError, StoreError};
use crate::host::{BlockInfo, HostState, HostTrap, Limiter};
use crate::ids::{CodeHash, contract_id};
use crate::journal::Journal;
use crate::outcome::{CallError, LimitKind, Receipt, TrapKind};
use crate::runtime::Runtime;
use crate::state::{ChangeSet, ContractRecord, StateStore};
use host_api::abi::{MEMORY_EXPORT, STATUS_ERROR, STATUS_INVALID_INPUT, STATUS_OK};
use host_api::limits::MAX_ARGUMENT_BYTES;
use host_api::{Address, ContractId};
use std::collections::BTreeMap;
use std::sync::Arc;
use wasmtime::{Store, Trap};

/// An execution context over a base state.
pub struct Session {
    runtime: Runtime,
    base: Arc<dyn StateStore>,
    block: BlockInfo,
    journal: Journal,
    code: BTreeMap<CodeHash, Arc<[u8]>>,
    contracts: BTreeMap<ContractId, ContractRecord>,
}

impl Session {
    pub(crate) fn new(runtime: Runtime, base: Arc<dyn StateStore>, block: BlockInfo) -> Self {
        Self {
            runtime,
            base,
            block,
            journal: Journal::new(),
            code: BTreeMap::new(),
            contracts: BTreeMap::new(),
        }
    }

    /// The block calls execute in.
    pub fn block(&self) -> BlockInfo {
        self.block
    }

    /// Change the block calls execute in (height and timestamp seen by contracts).
    pub fn set_block(&mut self, block: BlockInfo) {
        self.block = block;
    }

    /// Validate, compile and deploy `bytecode` as `owner` with `nonce`; returns the new id
    /// (see [`contract_id`](crate::contract_id)). Nothing is recorded when it fails.
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
            .map_err(DeployError::Compile)?;
        self.probe_instantiation(id, &compiled)?;
        self.code.entry(hash).or_insert_with(|| Arc::from(bytecode));
        self.contracts.insert(
            id,
            ContractRecord {
                owner,
                code_hash: hash.0,
            },
        );
        Ok(id)
    }

    /// The record of a contract, deployed in this session or before.
    ///
    /// # Errors
    /// When the store fails.
    pub fn contract(&self, id: &ContractId) -> Result<Option<ContractRecord>, StoreError> {
        match self.contracts.get(id) {
            Some(r) => Ok(Some(r.clone())),
            None => self.base.contract(id),
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

    fn compiled(&self, record: &ContractRecord) -> Result<Arc<CompiledContract>, HostError> {
        let hash = record.code_hash();
        self.runtime
            .inner
            .cache
            .get(hash, || {
                let code = match self.code.get(&hash) {
                    Some(c) => Some(c.clone()),
                    None => self.base.code(&hash).map_err(|e| e.to_string())?,
                };
                code.ok_or_else(|| StoreError::MissingCode(hash.to_string()).to_string())
            })
            .map_err(HostError::Module)
    }

    /// Call `function` of `contract` as `caller` with the encoded `args`, spending at most
    /// `gas_limit`. The receipt says what happened; a failed call changed nothing but the gas.
    ///
    /// # Errors
    /// Only host failures (the store failed, a module could not be loaded, the instance pool is
    /// exhausted); every contract failure is a [`CallError`] in the receipt.
    pub fn call(
        &mut self,
        caller: Address,
        contract: ContractId,
        function: &str,
        args: &[u8],
        gas_limit: u64,
    ) -> Result<Receipt, HostError> {
        let mut receipt = Receipt {
            contract,
            function: function.to_string(),
            caller,
            gas_limit,
            gas_spent: 0,
            result: Ok(Vec::new()),
            events: Vec::new(),
            debug: Vec::new(),
        };
        let fail = |mut r: Receipt, e: CallError| {
            r.result = Err(e);
            Ok(r)
        };
        let Some(record) = self.contract(&contract)? else {
            return fail(receipt, CallError::NoSuchContract(contract));
        };
        let compiled = self.compiled(&record)?;
        if !compiled.entry_points.contains(function) {
            return fail(receipt, CallError::NoSuchFunction(function.to_string()));
        }
        if args.len() > MAX_ARGUMENT_BYTES {
            let (size, max) = (args.len() as u64, MAX_ARGUMENT_BYTES as u64);
            return fail(
                receipt,
                CallError::LimitExceeded {
                    kind: LimitKind::ArgumentSize,
                    size,
                    max,
                },
            );
        }
        let inner = &self.runtime.inner;
        let call_base = inner.prices.call_base;
        if gas_limit < call_base {
            receipt.gas_spent = gas_limit;
            return fail(receipt, CallError::OutOfGas);
        }

        self.journal.push_frame();
        let journal = std::mem::take(&mut self.journal);
        let state = self.host_state(contract, caller, args.to_vec(), journal);
        let limits = &inner.config.limits;
        // wasmtime checks fuel only at function entries and loop headers, so straight-line code
        // can run past the fuel it was given, and the overdraft would read as "0 left". The
        // store therefore gets `fuel_reserve` more than the call may spend, at least the longest
        // straight-line run there can be (one function body); spending past the real limit is
        // then visible and reported as `OutOfGas`. Host functions charge against the real limit.
        let available = gas_limit - call_base;
        let reserve = fuel_reserve(limits);
        let mut store = Store::new(&inner.engine, state);
        store.data_mut().fuel_reserve = reserve;
        store.limiter(|s| &mut s.limiter);
        let fuel = available.saturating_add(reserve);
        let run = run_entry(&mut store, &compiled, function, args.len(), fuel);
        let fuel_left = store.get_fuel().unwrap_or(0);
        let mut state = store.into_data();
        self.journal = std::mem::take(&mut state.journal);
        let consumed = fuel.saturating_sub(fuel_left);
        receipt.gas_spent = call_base + consumed.min(available);
        receipt.debug = state.debug;
        receipt.events = state.events;

        let result = match run {
            Ok(_) if consumed > available => Err(CallError::OutOfGas),
            Ok(STATUS_OK) => Ok(state.output),
            Ok(STATUS_ERROR) => Err(CallError::Reverted(state.output)),
            Ok(STATUS_INVALID_INPUT) => Err(CallError::InvalidInput(
                String::from_utf8_lossy(&state.output).into_owned(),
            )),
            Ok(status) => Err(CallError::BadStatus(status)),
            Err(e) => match classify(e) {
                Ok(call_error) => Err(call_error),
                Err(host_error) => {
                    self.journal.revert_frame();
                    return Err(host_error);
                }
            },
        };
        if result.is_ok() {
            self.journal.commit_frame();
        } else {
            self.journal.revert_frame();
            for event in &mut receipt.events {
                event.reverted = true;
            }
        }
        if matches!(result, Err(CallError::OutOfGas)) {
            receipt.gas_spent = gas_limit;
        }
        receipt.result = result;
        Ok(receipt)
    }

    /// The data of a new Store for `contract`.
    fn host_state(
        &self,
        contract: ContractId,
        caller: Address,
        input: Vec<u8>,
        journal: Journal,
    ) -> HostState {
        let inner = &self.runtime.inner;
        let limits = &inner.config.limits;
        HostState {
            contract,
            caller,
            block: self.block,
            input,
            output: Vec::new(),
            events: Vec::new(),
            debug: Vec::new(),
            journal,
            base: self.base.clone(),
            prices: inner.prices.clone(),
            dev_mode: inner.config.dev_mode,
            memory: None,
            fuel_reserve: 0,
            limiter: Limiter {
                max_memory_bytes: limits.max_memory_bytes(),
                max_table_elements: limits.max_table_elements as usize,
            },
        }
    }

    /// Instantiate a freshly compiled contract once, calling nothing, so that a module whose
    /// data or element segments do not fit its memory or table is refused at deploy rather than
    /// failing every call.
    fn probe_instantiation(
        &self,
        id: ContractId,
        compiled: &CompiledContract,
    ) -> Result<(), DeployError> {
        let state = self.host_state(id, Address::default(), Vec::new(), Journal::new());
        let mut store = Store::new(&self.runtime.inner.engine, state);
        store.limiter(|s| &mut s.limiter);
        // No contract code runs (start functions are refused), but wasmtime may meter the copy
        // of data segments it cannot map copy-on-write: enough fuel for any module's data.
        let fuel = 4 * self.runtime.inner.config.limits.max_module_bytes as u64;
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

    /// Write the session's deploys and storage changes to the store, atomically.
    ///
    /// # Errors
    /// When the store fails; then nothing was written and the session is unchanged.
    pub fn commit(&mut self) -> Result<(), StoreError> {
        let changes = ChangeSet {
            code: self.code.clone(),
            contracts: self.contracts.clone(),
            storage: self.journal.take_session_writes(),
        };
        if let Err(e) = self.base.apply(changes.clone()) {
            // Put the writes back so the caller may retry.
            for (id, writes) in changes.storage {
                for (key, value) in writes {
                    self.journal.write(id, key, value);
                }
            }
            return Err(e);
        }
        self.code.clear();
        self.contracts.clear();
        Ok(())
    }
}

/// Fuel beyond the gas limit that makes an overdraft visible: the longest run of wasm without a
/// fuel check is one function body, and each operator takes at least one byte of it.
fn fuel_reserve(limits: &crate::config::Limits) -> u64 {
    limits.max_function_body_bytes as u64 + 1
}

/// Instantiate the contract in `store` and run `function`.
fn run_entry(
    store: &mut Store<HostState>,
    compiled: &CompiledContract,
    function: &str,
    arg_len: usize,
    fuel: u64,
) -> wasmtime::Result<i32> {
    store.set_fuel(fuel)?;
    let instance = compiled.pre.instantiate(&mut *store)?;
    let memory = instance.get_memory(&mut *store, MEMORY_EXPORT);
    store.data_mut().memory = memory;
    let func = instance.get_typed_func::<i32, i32>(&mut *store, function)?;
    func.call(&mut *store, arg_len as i32)
}

/// Turn a failed run into the contract's [`CallError`], or a host error that is not the
/// contract's fault.
fn classify(error: wasmtime::Error) -> Result<CallError, HostError> {
    if let Some(trap) = error.downcast_ref::<HostTrap>() {
        return match trap {
            HostTrap::Contract(e) => Ok(e.clone()),
            HostTrap::Store(e) => Err(HostError::Store(e.clone())),
        };
    }
    if let Some(trap) = error.downcast_ref::<Trap>() {
        return Ok(match trap {
            Trap::OutOfFuel => CallError::OutOfGas,
            Trap::StackOverflow => CallError::StackOverflow,
            Trap::UnreachableCodeReached => CallError::Trap(TrapKind::Unreachable),
            Trap::MemoryOutOfBounds => CallError::Trap(TrapKind::MemoryOutOfBounds),
            Trap::TableOutOfBounds => CallError::Trap(TrapKind::TableOutOfBounds),
            Trap::IndirectCallToNull => CallError::Trap(TrapKind::IndirectCallToNull),
            Trap::BadSignature => CallError::Trap(TrapKind::BadSignature),
            Trap::IntegerOverflow => CallError::Trap(TrapKind::IntegerOverflow),
            Trap::IntegerDivisionByZero => CallError::Trap(TrapKind::IntegerDivisionByZero),
            Trap::BadConversionToInteger => CallError::Trap(TrapKind::BadConversionToInteger),
            _ => CallError::Trap(TrapKind::Other),
        });
    }
    Err(HostError::Instantiate(format!("{error:#}")))
}
