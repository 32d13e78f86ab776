//! Running one call frame: the top-level call of a session and every nested `call` of a contract.
//!
//! A frame is a fresh wasmtime Store holding a new instance of the callee. What a call tree
//! shares — the journal, the events, the debug lines, the contracts on the stack — is a
//! [`CallState`] *moved* into the frame's Store data for the duration of the frame and moved back
//! afterwards, so a nested call simply moves it on into its own Store. A frame's writes go to its
//! own journal frame: success merges them into the parent, failure drops them and marks the
//! frame's events `reverted`.
//!
//! **Reentrancy rule:** a contract already on the call stack cannot be called again (A → B → A is
//! refused with `CALL_REENTRANCY`); the caller gets an error code and decides what to do.
//! **Depth:** at most [`Limits::max_call_depth`](crate::Limits) frames, the top-level call
//! included. **Native stack:** every frame runs with at least
//! [`Limits::max_wasm_stack_bytes`](crate::Limits) of wasm stack plus a margin for host frames,
//! growing onto a fresh stack segment when the current thread's stack is short (`stacker`), so a
//! deep chain of calls can never overflow the host's stack.

use crate::CodeHash;
use crate::cache::CompiledContract;
use crate::error::{HostError, StoreError};
use crate::gas::initial_memory_price;
use crate::host::BlockInfo;
use crate::load::{Load, Loaded, Warm};
use crate::outcome::{CallError, CallTrace, LimitKind, TrapKind};
use crate::runtime::RuntimeInner;
use crate::state::{ContractRecord, StateStore};
use crate::store_data::{CallState, HostState, HostTrap};
use host_api::abi::{MEMORY_EXPORT, STATUS_ERROR, STATUS_INVALID_INPUT, STATUS_OK};
use host_api::limits::MAX_ARGUMENT_BYTES;
use host_api::{Address, ContractId};
use parking_lot::Mutex;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use wasmtime::{Store, Trap};

/// Host stack kept free beyond the wasm stack for host frames between nested Stores.
const HOST_STACK_MARGIN_BYTES: usize = 256 * 1024;

/// Contracts deployed in a session but not committed yet.
#[derive(Clone, Debug, Default)]
pub(crate) struct Deployed {
    pub code: BTreeMap<CodeHash, Arc<[u8]>>,
    pub contracts: BTreeMap<ContractId, ContractRecord>,
}

/// Most contract records a session keeps read from its store ([`BaseRecords`]).
pub(crate) const MAX_CACHED_RECORDS: usize = 4_096;

/// Contract records a session has read from its store, so a block's thousands of calls to the
/// same few contracts read each record once instead of opening a store read per call. A record
/// never changes once written (contracts are only added), so what was read stays true for the
/// session; absent contracts are not cached (a commit of the session may add them). At most
/// [`MAX_CACHED_RECORDS`]; past it the cache starts again empty.
#[derive(Debug, Default)]
pub(crate) struct BaseRecords(Mutex<HashMap<ContractId, ContractRecord>>);

impl BaseRecords {
    /// `id`'s record: cached, else read from `base` (and cached when present).
    pub fn get(
        &self,
        base: &dyn StateStore,
        id: &ContractId,
    ) -> Result<Option<ContractRecord>, StoreError> {
        if let Some(r) = self.0.lock().get(id) {
            return Ok(Some(r.clone()));
        }
        let record = base.contract(id)?;
        if let Some(r) = &record {
            let mut cache = self.0.lock();
            if cache.len() >= MAX_CACHED_RECORDS {
                cache.clear();
            }
            cache.insert(*id, r.clone());
        }
        Ok(record)
    }

    /// How many records are cached.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.0.lock().len()
    }
}

/// What every frame of one top-level call reads: the runtime, the state, the session's deploys
/// and warm modules.
pub(crate) struct Env {
    pub runtime: Arc<RuntimeInner>,
    pub base: Arc<dyn StateStore>,
    /// The session's cache of the store's contract records.
    pub records: Arc<BaseRecords>,
    pub deployed: Arc<Deployed>,
    pub block: BlockInfo,
    /// Record every frame's [`TraceOp`](crate::outcome::TraceOp)s.
    pub trace: bool,
    /// The modules the session has paid to load and keeps warm (see `load.rs`).
    pub warm: Arc<Warm>,
    /// The modules this call tree holds for itself: resident ones, and those the session's
    /// warm set had no room for (see `load.rs`).
    pub loaded: Loaded,
}

impl Env {
    /// The record of a contract: deployed in this session, or in the store.
    pub fn contract(&self, id: &ContractId) -> Result<Option<ContractRecord>, StoreError> {
        match self.deployed.contracts.get(id) {
            Some(r) => Ok(Some(r.clone())),
            None => self.records.get(self.base.as_ref(), id),
        }
    }
}

/// How a frame ended.
pub(crate) struct FrameOutcome {
    pub result: Result<Vec<u8>, CallError>,
    pub gas_spent: u64,
    pub trace: CallTrace,
}

/// Run `function` of `contract` as `caller` in a fresh Store, with at most `gas_limit` gas.
///
/// # Errors
/// Only host failures; contract failures are in the outcome.
pub(crate) fn run_frame(
    env: &Arc<Env>,
    shared: &mut CallState,
    caller: Address,
    contract: ContractId,
    function: &str,
    args: &[u8],
    gas_limit: u64,
) -> Result<FrameOutcome, HostError> {
    let trace = CallTrace {
        contract,
        function: function.to_string(),
        caller,
        gas_limit,
        gas_spent: 0,
        error: None,
        calls: Vec::new(),
        ops: Vec::new(),
    };
    // Refusals first, with only the host margin of stack: they run no wasm, so they need no
    // fresh segment of the frame's full size (which `stacker` would map, and unmap, for every
    // one of them).
    let limits = &env.runtime.config.limits;
    let red_zone = limits.max_wasm_stack_bytes + HOST_STACK_MARGIN_BYTES;
    type Lookup = Result<Result<(Arc<CompiledContract>, u64), (CallError, u64)>, HostError>;
    let looked_up = stacker::maybe_grow(HOST_STACK_MARGIN_BYTES, 2 * red_zone, || -> Lookup {
        let refused_gas = env.runtime.prices.call_refused;
        let Some(record) = env.contract(&contract)? else {
            return Ok(Err((CallError::NoSuchContract(contract), refused_gas)));
        };
        Ok(match env.load(&record, gas_limit)? {
            Load::Unaffordable(price) => Err((CallError::OutOfGas, price)),
            Load::Ready(compiled, load_gas) => match compiled.entry_points.contains(function) {
                true => Ok((compiled, load_gas)),
                false => Err((
                    CallError::NoSuchFunction(function.to_string()),
                    refused_gas.saturating_add(load_gas),
                )),
            },
        })
    });
    let (compiled, load_gas) = match looked_up {
        Err(host) => return Err(host),
        Ok(Err((e, gas))) => return Ok(refused(trace, e, gas.min(gas_limit))),
        Ok(Ok(found)) => found,
    };
    if args.len() > MAX_ARGUMENT_BYTES {
        let (size, max) = (args.len() as u64, MAX_ARGUMENT_BYTES as u64);
        let e = CallError::LimitExceeded {
            kind: LimitKind::ArgumentSize,
            size,
            max,
        };
        return Ok(refused(trace, e, 0));
    }
    stacker::maybe_grow(red_zone, 2 * red_zone, || {
        run_frame_on_stack(env, shared, trace, &compiled, args, gas_limit, load_gas)
    })
}

/// A frame that ended before it ran, with `e`, having spent `gas_spent`.
fn refused(mut trace: CallTrace, e: CallError, gas_spent: u64) -> FrameOutcome {
    trace.error = Some(e.kind().to_string());
    trace.gas_spent = gas_spent;
    FrameOutcome {
        result: Err(e),
        gas_spent,
        trace,
    }
}

fn run_frame_on_stack(
    env: &Arc<Env>,
    shared: &mut CallState,
    mut trace: CallTrace,
    compiled: &CompiledContract,
    args: &[u8],
    gas_limit: u64,
    load_gas: u64,
) -> Result<FrameOutcome, HostError> {
    let (contract, caller) = (trace.contract, trace.caller);
    let function = trace.function.clone();
    let runtime = &env.runtime;
    // The module's first load in this tree (see `load.rs`) and its initial memory past the
    // pages `call_base` covers (see gas.rs, "Initial memory") are paid like the call's base.
    let initial_memory = initial_memory_price(&runtime.prices, compiled.initial_pages);
    let call_base = runtime
        .prices
        .call_base
        .saturating_add(load_gas)
        .saturating_add(initial_memory);
    if gas_limit < call_base {
        return Ok(refused(trace, CallError::OutOfGas, gas_limit));
    }

    // wasmtime checks fuel only at function entries and loop headers, so straight-line code
    // can run past the fuel it was given, and the overdraft would read as "0 left". The Store
    // therefore gets `reserve` more than the call may spend, at least the longest straight-line
    // run there can be (one function body); spending past the real limit is then visible and
    // reported as `OutOfGas`. Host functions charge against the real limit.
    let limits = &runtime.config.limits;
    let available = gas_limit - call_base;
    let reserve = limits.max_function_body_bytes as u64 + 1;
    let fuel = available.saturating_add(reserve);

    shared.journal.push_frame();
    shared.stack.push(contract);
    let first_event = shared.events.len();
    let payable_pages = available / runtime.prices.memory_grow_per_page.max(1);
    let state = HostState::new(
        env.clone(),
        CallState::take(shared),
        contract,
        caller,
        args.to_vec(),
        reserve,
        payable_pages,
    );
    let mut store = Store::new(&runtime.engine, state);
    store.limiter(|s| &mut s.limiter);
    let run = run_entry(&mut store, compiled, &function, args.len(), fuel);
    let fuel_left = store.get_fuel().unwrap_or(0);
    let state = store.into_data();
    *shared = state.shared;
    shared.stack.pop();
    trace.calls = state.calls;
    trace.ops = state.ops.unwrap_or_default();
    // Memory pages grown during the call are charged now (see gas.rs, "Memory growth").
    let growth = state
        .limiter
        .grown_pages
        .saturating_mul(runtime.prices.memory_grow_per_page);
    let consumed = fuel.saturating_sub(fuel_left).saturating_add(growth);

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
                shared.journal.revert_frame();
                // What ran before the host failed: this frame's own work, and the nested
                // frame that failed if the failure came from one (0 otherwise: none ran).
                let spent = call_base
                    .saturating_add(consumed.min(available))
                    .saturating_add(std::mem::take(&mut shared.host_error_gas));
                shared.host_error_gas = spent.min(gas_limit);
                return Err(host_error);
            }
        },
    };
    let gas_spent = match result {
        Err(CallError::OutOfGas) => gas_limit,
        _ => call_base + consumed.min(available),
    };
    if result.is_ok() {
        shared.journal.commit_frame();
    } else {
        shared.journal.revert_frame();
        for event in &mut shared.events[first_event..] {
            event.reverted = true;
        }
    }
    trace.gas_spent = gas_spent;
    trace.error = result.as_ref().err().map(|e| e.kind().to_string());
    Ok(FrameOutcome {
        result,
        gas_spent,
        trace,
    })
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
    store.data_mut().limiter.metering = true;
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
            HostTrap::Host(e) => Err(e.clone()),
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
    if error
        .chain()
        .any(|e| e.is::<wasmtime::PoolConcurrencyLimitError>())
    {
        return Err(HostError::PoolExhausted(format!("{error:#}")));
    }
    Err(HostError::Instantiate(format!("{error:#}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::Root;
    use crate::state::{ChangeSet, MemoryStore};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A memory store that counts its contract-record reads.
    #[derive(Default)]
    struct Counting {
        inner: MemoryStore,
        reads: AtomicUsize,
    }

    impl StateStore for Counting {
        fn contract(&self, id: &ContractId) -> Result<Option<ContractRecord>, StoreError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.inner.contract(id)
        }
        fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError> {
            self.inner.code(hash)
        }
        fn storage(&self, id: &ContractId, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
            self.inner.storage(id, key)
        }
        fn apply(&self, changes: ChangeSet) -> Result<(), StoreError> {
            self.inner.apply(changes)
        }
        fn root(&self) -> Result<Root, StoreError> {
            self.inner.root()
        }
        fn commit_over(&self, base: Root, changes: ChangeSet) -> Result<Root, StoreError> {
            self.inner.commit_over(base, changes)
        }
        fn root_after(&self, base: Root, changes: &ChangeSet) -> Result<Root, StoreError> {
            self.inner.root_after(base, changes)
        }
    }

    fn id(i: usize) -> ContractId {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&(i as u64).to_be_bytes());
        ContractId(bytes)
    }

    /// A store holding contracts `0..n`.
    fn store_with(n: usize) -> Counting {
        let store = Counting::default();
        let mut changes = ChangeSet::default();
        for i in 0..n {
            let record = ContractRecord {
                owner: Address([1; 32]),
                code_hash: [2; 32],
            };
            changes.contracts.insert(id(i), record);
        }
        store.apply(changes).unwrap();
        store
    }

    #[test]
    fn a_record_is_read_from_the_store_once_an_absent_one_every_time() {
        let store = store_with(1);
        let records = BaseRecords::default();
        for _ in 0..3 {
            assert!(records.get(&store, &id(0)).unwrap().is_some());
        }
        assert_eq!(store.reads.load(Ordering::SeqCst), 1);
        for _ in 0..3 {
            assert!(records.get(&store, &id(1)).unwrap().is_none());
        }
        assert_eq!(store.reads.load(Ordering::SeqCst), 4, "absent: not cached");
        assert_eq!(records.len(), 1);
    }

    #[test]
    fn the_cache_holds_at_most_its_limit_then_starts_again() {
        let store = store_with(MAX_CACHED_RECORDS + 1);
        let records = BaseRecords::default();
        for i in 0..MAX_CACHED_RECORDS {
            records.get(&store, &id(i)).unwrap();
        }
        assert_eq!(records.len(), MAX_CACHED_RECORDS, "at the limit");
        // All cached: no more reads.
        let reads = store.reads.load(Ordering::SeqCst);
        records.get(&store, &id(0)).unwrap();
        assert_eq!(store.reads.load(Ordering::SeqCst), reads);
        // Past it: emptied, then the new one cached.
        let past = records.get(&store, &id(MAX_CACHED_RECORDS)).unwrap();
        assert!(past.is_some());
        assert_eq!(records.len(), 1, "past the limit the cache starts again");
        records.get(&store, &id(0)).unwrap();
        assert_eq!(store.reads.load(Ordering::SeqCst), reads + 2, "read again");
    }
}
