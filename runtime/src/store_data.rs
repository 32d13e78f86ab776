//! The data of a contract instance's wasmtime Store, in one module the execution modules
//! share: [`HostState`] (who runs, what the frame produced), the [`CallState`] a call tree
//! moves from frame to frame, the [`Limiter`] of memory and table growth, and [`HostTrap`],
//! the error a host function stops a call with. The module cache names `HostState` (its
//! linker and pre-instantiated modules are typed by it) without reaching the host functions.

use crate::call::Env;
use crate::error::HostError;
use crate::gas::PriceTable;
use crate::journal::Journal;
use crate::outcome::{CallError, CallTrace, Event, LimitKind, TraceOp};
use host_api::limits::WASM_PAGE_BYTES;
use host_api::{Address, ContractId};
use std::sync::Arc;
use wasmtime::{Memory, ResourceLimiter};

/// Why a host function (or the limiter) stopped the call. Carried through wasmtime as the
/// trap's error and turned back into a [`CallError`] (or a host error) by the caller.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HostTrap {
    #[error("contract failure: {0}")]
    Contract(CallError),
    #[error("host failure: {0}")]
    Host(HostError),
}

impl From<CallError> for HostTrap {
    fn from(e: CallError) -> Self {
        Self::Contract(e)
    }
}

/// The mutable state one top-level call shares with all its nested frames (the immutable part
/// is [`Env`]), moved from frame to frame. Named apart from [`CallTrace`] (one frame's record)
/// and [`Receipt::calls`](crate::Receipt) (the recorded call tree), which it is neither.
#[derive(Debug)]
pub(crate) struct CallState {
    pub journal: Journal,
    pub events: Vec<Event>,
    pub debug: Vec<String>,
    /// The contracts of the frames currently running, outermost first.
    pub stack: Vec<ContractId>,
    /// Nested frames recorded in the call tree so far (at most
    /// [`Limits::max_recorded_frames`](crate::Limits)).
    pub recorded_frames: usize,
    /// Nested frames run but not recorded: they started once the cap was reached (so none of
    /// a recorded frame's ancestors is ever left out).
    pub omitted_frames: u64,
    /// The gas spent by the frame that last ended in a host error (its failed nested frame's
    /// included), for its caller's account: a host error still reports the gas it used.
    pub host_error_gas: u64,
}

impl CallState {
    /// The tree state of a new top-level call over the session's `journal`.
    pub fn new(journal: Journal) -> Self {
        Self {
            journal,
            events: Vec::new(),
            debug: Vec::new(),
            stack: Vec::new(),
            recorded_frames: 0,
            omitted_frames: 0,
            host_error_gas: 0,
        }
    }

    /// Move the tree state out of `slot` (into a frame's Store), leaving an empty one there
    /// until it is moved back.
    pub fn take(slot: &mut Self) -> Self {
        std::mem::replace(slot, Self::new(Journal::new()))
    }
}

/// The data of one contract instance's Store: who is running, the shared call tree, what it
/// produced.
pub(crate) struct HostState {
    pub env: Arc<Env>,
    /// The runtime's prices, copied in: a host function reads the fields it charges.
    pub prices: PriceTable,
    pub shared: CallState,
    pub contract: ContractId,
    pub caller: Address,
    pub input: Vec<u8>,
    pub output: Vec<u8>,
    /// The output of the last nested `call`.
    pub call_output: Vec<u8>,
    /// Traces of the nested calls this frame made.
    pub calls: Vec<CallTrace>,
    /// What this frame did, when tracing is on (`None` otherwise: nothing is recorded).
    pub ops: Option<Vec<TraceOp>>,
    pub memory: Option<Memory>,
    pub limiter: Limiter,
    /// Fuel given beyond the gas limit so that an overdraft is visible (see `call.rs`).
    pub fuel_reserve: u64,
}

impl HostState {
    /// The data of a frame running `contract` for `caller` with `input`, over the shared
    /// state of its call tree: limits from the runtime's configuration, trace steps recorded
    /// when the environment asks for them, `fuel_reserve` fuel given beyond the gas limit
    /// (see `call.rs`), and growth of at most `payable_pages` memory pages paid for.
    pub fn new(
        env: Arc<Env>,
        shared: CallState,
        contract: ContractId,
        caller: Address,
        input: Vec<u8>,
        fuel_reserve: u64,
        payable_pages: u64,
    ) -> Self {
        let limits = &env.runtime.config.limits;
        let limiter = Limiter {
            payable_pages,
            ..Limiter::new(
                limits.max_memory_bytes(),
                limits.max_table_elements as usize,
            )
        };
        Self {
            ops: env.trace.then(Vec::new),
            prices: *env.runtime.prices,
            env,
            shared,
            contract,
            caller,
            input,
            output: Vec::new(),
            call_output: Vec::new(),
            calls: Vec::new(),
            memory: None,
            limiter,
            fuel_reserve,
        }
    }
}

/// Bounds memory and table growth; growth past a limit stops the call with a typed error
/// (instead of `memory.grow` returning -1), so the outcome is the same on every node. Also
/// counts the memory pages grown once `metering` is on (after instantiation) for their price
/// (see `gas.rs`, "Memory growth").
pub(crate) struct Limiter {
    pub max_memory_bytes: usize,
    pub max_table_elements: usize,
    /// Count growth from now on (off while the instance is created: the initial memory is
    /// part of the call's base price).
    pub metering: bool,
    /// Pages grown while metering.
    pub grown_pages: u64,
    /// The most pages the call's gas could pay for; growing past it is `OutOfGas`.
    pub payable_pages: u64,
}

impl Limiter {
    /// A limiter for these bounds, not metering growth yet and able to pay for none.
    pub fn new(max_memory_bytes: usize, max_table_elements: usize) -> Self {
        Limiter {
            max_memory_bytes,
            max_table_elements,
            metering: false,
            grown_pages: 0,
            payable_pages: 0,
        }
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_memory_bytes {
            return Err(wasmtime::Error::new(HostTrap::Contract(
                CallError::MemoryLimit {
                    requested_bytes: desired as u64,
                    limit_bytes: self.max_memory_bytes as u64,
                },
            )));
        }
        if maximum.is_some_and(|max| desired > max) {
            // Past the module's own declared maximum: plain wasm failure (-1), nothing grown.
            return Ok(false);
        }
        if self.metering {
            let pages = desired.saturating_sub(current).div_ceil(WASM_PAGE_BYTES) as u64;
            self.grown_pages = self.grown_pages.saturating_add(pages);
            if self.grown_pages > self.payable_pages {
                return Err(wasmtime::Error::new(HostTrap::Contract(
                    CallError::OutOfGas,
                )));
            }
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_table_elements {
            return Err(wasmtime::Error::new(HostTrap::Contract(
                CallError::LimitExceeded {
                    kind: LimitKind::TableElements,
                    size: desired as u64,
                    max: self.max_table_elements as u64,
                },
            )));
        }
        Ok(true)
    }
}
