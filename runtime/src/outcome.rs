//! What a call produced: a [`Receipt`] with gas spent, events and a typed result.
//!
//! A receipt is returned for every call, failures included: the contract's failures are values
//! ([`CallError`]), never host errors. A failed call leaves storage exactly as it was, keeps its
//! events marked `reverted`, and still reports (and charges) the gas it burned.

use host_api::{Address, ContractId};
use std::fmt;

/// One event recorded by a contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The contract that emitted it.
    pub contract: ContractId,
    /// Its topic (UTF-8).
    pub topic: String,
    /// Its data (borsh-encoded when emitted through the SDK).
    pub data: Vec<u8>,
    /// `true` when the call that emitted it failed: the event did not take effect.
    pub reverted: bool,
}

/// One frame of a call tree: a contract called by the top-level call or by another contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallTrace {
    /// The contract called.
    pub contract: ContractId,
    /// The entry point called.
    pub function: String,
    /// Who called it (an account, or the calling contract).
    pub caller: Address,
    /// The gas limit the frame ran with.
    pub gas_limit: u64,
    /// The gas it spent (its nested calls included).
    pub gas_spent: u64,
    /// `None` on success, else the [`CallError::kind`] of its failure.
    pub error: Option<String>,
    /// The calls it made, in order.
    pub calls: Vec<CallTrace>,
    /// What it did, in order: storage reads and writes, events, debug prints, nested calls.
    /// Empty unless tracing is on ([`Session::set_trace`](crate::Session::set_trace)).
    pub ops: Vec<TraceOp>,
}

/// One step of a traced call frame, in the order it happened. Recorded only when tracing is on
/// ([`Session::set_trace`](crate::Session::set_trace)), so ordinary calls pay nothing for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceOp {
    /// `storage_read` of `key`: the value found, `None` when absent.
    Read {
        /// The storage key.
        key: Vec<u8>,
        /// The whole value (the contract may have copied less of it).
        value: Option<Vec<u8>>,
    },
    /// `storage_write` of `key`.
    Write {
        /// The storage key.
        key: Vec<u8>,
        /// The value written.
        value: Vec<u8>,
    },
    /// `storage_remove` of `key`.
    Remove {
        /// The storage key.
        key: Vec<u8>,
        /// Whether the key was present.
        existed: bool,
    },
    /// `emit`: the index of the event in the receipt's [`events`](Receipt::events).
    Event(usize),
    /// `debug_print`, kept here even when the runtime is not in dev mode.
    Debug(String),
    /// A nested `call`: the index of its frame in this frame's `calls`.
    Call(usize),
}

/// The receipt of one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The contract called.
    pub contract: ContractId,
    /// The entry point called.
    pub function: String,
    /// Who called.
    pub caller: Address,
    /// The gas limit the call ran with.
    pub gas_limit: u64,
    /// The gas it spent, failure or not (`gas_limit` when it ran out).
    pub gas_spent: u64,
    /// The return data, or why the call failed.
    pub result: Result<Vec<u8>, CallError>,
    /// Events in emission order (all `reverted` when the call failed).
    pub events: Vec<Event>,
    /// Debug prints, in order (empty unless the runtime is in dev mode).
    pub debug: Vec<String>,
    /// The nested calls the contract made, each with its own nested calls: the call tree. At
    /// most [`Limits::max_recorded_frames`](crate::Limits) frames in all, the first to start.
    pub calls: Vec<CallTrace>,
    /// Nested frames that ran (and were charged) but are not in [`calls`](Self::calls):
    /// those that started once the cap on recorded frames was reached.
    pub omitted_calls: u64,
    /// What the top-level frame did, in order (see [`TraceOp`]); empty unless tracing is on.
    pub ops: Vec<TraceOp>,
}

impl Receipt {
    /// `true` when the call succeeded.
    pub fn is_success(&self) -> bool {
        self.result.is_ok()
    }
}

/// The gas of a call, whatever its outcome (CosmWasm's `(Result, GasInfo)` shape): a call
/// that ends in a host error still reports what it spent before the host failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GasInfo {
    /// The gas limit the call ran with.
    pub gas_limit: u64,
    /// The gas it spent: the receipt's `gas_spent`, or on a host error the gas of what ran
    /// before the failure (0 when nothing did).
    pub gas_spent: u64,
}

/// A wasm trap other than the ones with their own [`CallError`] variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapKind {
    /// `unreachable` executed.
    Unreachable,
    /// A memory access (by wasm or a host function's pointer) outside memory.
    MemoryOutOfBounds,
    /// A table access outside the table.
    TableOutOfBounds,
    /// `call_indirect` to an empty table slot.
    IndirectCallToNull,
    /// `call_indirect` with the wrong signature.
    BadSignature,
    /// Integer overflow (`i32.div_s` of MIN by -1).
    IntegerOverflow,
    /// Integer division by zero.
    IntegerDivisionByZero,
    /// Float to integer conversion of NaN or out of range.
    BadConversionToInteger,
    /// Any other trap (should not happen with the features we allow).
    Other,
}

/// Which ABI limit a call went past.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    /// Return data over [`host_api::limits::MAX_RETURN_BYTES`].
    ReturnData,
    /// Storage key over [`host_api::limits::MAX_KEY_BYTES`].
    KeySize,
    /// Storage value over [`host_api::limits::MAX_VALUE_BYTES`].
    ValueSize,
    /// Event topic over [`host_api::limits::MAX_TOPIC_BYTES`].
    TopicSize,
    /// Event data over [`host_api::limits::MAX_EVENT_DATA_BYTES`].
    EventDataSize,
    /// More than [`host_api::limits::MAX_EVENTS_PER_CALL`] events.
    EventCount,
    /// Argument over [`host_api::limits::MAX_ARGUMENT_BYTES`].
    ArgumentSize,
    /// Table growth past the table limit.
    TableElements,
    /// An input of a crypto host function (signed message, PLONK verifier data, proof or
    /// public inputs) over its cap (see `ABI.md` §3).
    CryptoInput,
}

/// Why a call failed. Every variant reverts the call's writes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The contract returned its own error (`Err` from an entry point); the data is the encoded
    /// error value.
    #[error("contract returned an error ({} bytes)", .0.len())]
    Reverted(Vec<u8>),
    /// The contract could not decode the argument; the message is the contract's.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The call ran out of gas.
    #[error("out of gas")]
    OutOfGas,
    /// The contract panicked (or called `abort`) with this message.
    #[error("contract panicked: {0}")]
    Panic(String),
    /// The contract trapped.
    #[error("trap: {0:?}")]
    Trap(TrapKind),
    /// The native stack limit was reached (unbounded recursion).
    #[error("stack overflow")]
    StackOverflow,
    /// Memory growth past the limit.
    #[error("memory limit: {requested_bytes} bytes requested, limit {limit_bytes}")]
    MemoryLimit {
        /// The size the contract tried to grow to.
        requested_bytes: u64,
        /// The limit.
        limit_bytes: u64,
    },
    /// An ABI size limit was exceeded.
    #[error("limit exceeded: {kind:?} ({size} > {max})")]
    LimitExceeded {
        /// Which limit.
        kind: LimitKind,
        /// The size attempted.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The host function was misused (e.g. an event topic that is not UTF-8).
    #[error("ABI violation: {0}")]
    AbiViolation(String),
    /// The entry point returned a status code the ABI does not define.
    #[error("entry point returned unknown status {0}")]
    BadStatus(i32),
    /// No contract with that id.
    #[error("no contract {0}")]
    NoSuchContract(ContractId),
    /// The contract has no entry point of that name.
    #[error("no entry point `{0}`")]
    NoSuchFunction(String),
}

impl CallError {
    /// A short stable name of the variant, for JSON output and reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Reverted(_) => "reverted",
            Self::InvalidInput(_) => "invalid_input",
            Self::OutOfGas => "out_of_gas",
            Self::Panic(_) => "panic",
            Self::Trap(_) => "trap",
            Self::StackOverflow => "stack_overflow",
            Self::MemoryLimit { .. } => "memory_limit",
            Self::LimitExceeded { .. } => "limit_exceeded",
            Self::AbiViolation(_) => "abi_violation",
            Self::BadStatus(_) => "bad_status",
            Self::NoSuchContract(_) => "no_such_contract",
            Self::NoSuchFunction(_) => "no_such_function",
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
