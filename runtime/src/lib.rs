//! The metered wasmtime sandbox.
//!
//! A contract is deployed once (validated against the ABI and the [`Limits`], compiled, cached by
//! code hash) and then called any number of times. **Every call runs in a fresh wasmtime Store**:
//! a new instance of the contract, fuel set to the call's gas limit, memory and tables bounded by
//! a limiter, and host functions that reach only the running contract's own storage. Whatever the
//! contract does — loop forever, grow memory, recurse without end, trap, panic, return too much —
//! the host gets a [`Receipt`] with a typed [`CallError`] and the gas spent, and the call's
//! storage writes are dropped.
//!
//! ```
//! use runtime::{BlockInfo, MemoryStore, Runtime, RuntimeConfig};
//! use host_api::Address;
//! use std::sync::Arc;
//!
//! let runtime = Runtime::new(RuntimeConfig::test())?;
//! let store = Arc::new(MemoryStore::new());
//! let mut session = runtime.session(store.clone(), BlockInfo::default());
//!
//! // A contract written by hand in WAT: `answer` returns status 0 and no data.
//! let wat = r#"(module
//!     (memory (export "memory") 1)
//!     (func (export "answer") (param i32) (result i32) i32.const 0))"#;
//! let code = wat::parse_str(wat)?;
//! let id = session.deploy(Address([1; 32]), &code, 0)?;
//! let receipt = session.call(Address([2; 32]), id, "answer", &[], 10_000_000)?;
//! assert!(receipt.is_success());
//! assert!(receipt.gas_spent > 0);
//! session.commit()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Layout: [`config`] (every limit), [`gas`] (prices), [`shape`] (the counts compile time
//! is priced by), `validate` (deploy checks), `engine`
//! (the wasmtime configuration), `cache` (compiled modules in memory and on disk), `host` (the
//! host functions), `journal` (writes layered by frame), [`state`] (the store interface and the
//! in-memory store), `session` (deploy and call), `outcome` (receipts and errors).

pub mod config;
// The state lives in its own crate (`runtime/state`, no wasm in it). Users reach its items
// through the one `pub use` list below, and `merkle` (the proof checks) as a module.
pub use ::state::merkle;
use ::state::store as state;
pub mod gas;
pub mod shape;
pub mod testing;

mod cache;
mod call;
mod engine;
mod error;
mod host;
mod journal;
mod load;
mod outcome;
mod runtime;
mod session;
mod store_data;
mod validate;

pub use ::state::{ChangeSet, ContractRecord, MemoryStore, StateStore};
pub use ::state::{CodeHash, blake2b_256, contract_id};
pub use ::state::{CodeValidator, ContractStorage, DumpError, StateDump, VerifiedDump};
pub use ::state::{Proof, Root};
pub use ::state::{PruneStats, RedbOptions, RedbStats, RedbStore, Snapshot, VersionInfo};
pub use ::state::{RecordEntry, RecordStore, RecordWrites};
pub use ::state::{WalOptions, WalStats, WalStore};
pub use cache::{CacheStats, ModuleError};
pub use config::{Limits, ModuleCacheLimits, RuntimeConfig};
pub use error::{DeployError, HostError, RuntimeError, StoreError};
pub use gas::{GAS_SCHEDULE_VERSION, OperatorCosts, PriceTable, gas_schedule_fingerprint};
pub use host::BlockInfo;
pub use load::{MAX_WARM_BYTECODE_BYTES, MAX_WARM_MODULES};
pub use outcome::{CallError, CallTrace, Event, GasInfo, LimitKind, Receipt, TraceOp, TrapKind};
pub use runtime::Runtime;
pub use session::Session;
pub use validate::ModuleInfo;

/// The wasm features a contract may use, as wasmparser's type (for fuzzers and tests that
/// validate alongside the runtime). Only with the `test-utils` feature: wasmparser's types are
/// not part of the runtime's API.
#[cfg(feature = "test-utils")]
pub const ALLOWED_FEATURES: wasmparser::WasmFeatures = validate::ALLOWED_FEATURES;
