//! An in-process test harness for contract authors: deploy, call as any account, set the
//! block height and time, set storage directly, snapshot and revert, read events and receipts,
//! check gas, trace calls — no node, no files.
//!
//! ```
//! use runtime::testing::{Harness, account};
//!
//! let mut h = Harness::new();
//! // A contract written by hand in WAT: `answer` returns status 0 and no data.
//! let code = wat::parse_str(r#"(module
//!     (memory (export "memory") 1)
//!     (func (export "answer") (param i32) (result i32) i32.const 0))"#)?;
//! let id = h.deploy("answer", &code)?;
//! let receipt = h.call(id, "answer").caller(account("alice")).send()?;
//! assert!(receipt.is_success());
//! let snap = h.snapshot()?;
//! h.set_block_height(100);
//! h.revert(snap)?;
//! println!("{}", h.gas_report().table());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **Every call is atomic**: it runs in its own [`Session`] over the harness's in-memory state
//! and is committed at once when it succeeds; a failed call changes nothing but the gas report.
//! Snapshots are in memory ([`StateDump`]s); [`revert`](Harness::revert) restores one exactly
//! (same merkle root) and keeps it, so a test can revert to it again.
//!
//! Why a module of `runtime` rather than its own crate: the harness needs nothing the runtime
//! does not already build (a second crate would only re-export it), and contract crates already
//! name `runtime` as their test dependency (`node-lite contract new` writes it so). CosmWasm
//! ships the same as `cosmwasm_vm::testing`.
//!
//! **Balances** arrive with the `transfer` genesis contract. Until then,
//! [`set_balance`](Harness::set_balance) works through a [`BalanceHook`]: a contract and a
//! host-only entry point taking `(Address, u128)` that the harness calls as the protocol.

mod gas_report;
mod trace;

pub use gas_report::{GasCheck, GasDiff, GasKey, GasReport, GasSnapshotError, GasStats, Tolerance};
pub use trace::{label, render_trace, show_bytes};

use crate::blake2b_256;
use crate::config::RuntimeConfig;
use crate::error::{DeployError, HostError, RuntimeError, StoreError};
use crate::host::BlockInfo;
use crate::merkle::Root;
use crate::outcome::{CallError, Event, Receipt};
use crate::runtime::Runtime;
use crate::session::Session;
use crate::state::{ChangeSet, MemoryStore, StateStore};
use crate::{StateDump, VerifiedDump};
use borsh::{BorshDeserialize, BorshSerialize};
use host_api::{Address, ContractId};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The account that deploys unless told otherwise (the same as `node-lite`'s dev account).
pub const DEPLOYER: Address = Address([0xde; 32]);
/// The account that calls unless told otherwise.
pub const DEFAULT_CALLER: Address = Address([0xde; 32]);
/// The gas limit of a call unless told otherwise.
pub const DEFAULT_GAS_LIMIT: u64 = 50_000_000;

/// A deterministic test account named `name`: `blake2b-256("test-account-v1" ‖ name)`, the
/// same in every run and on every machine.
pub fn account(name: &str) -> Address {
    Address(blake2b_256(&[b"test-account-v1", name.as_bytes()]))
}

/// What went wrong in the harness. Contract failures are not errors: they are in the
/// [`Receipt`]; [`Call::ok`] turns a failed receipt into [`HarnessError::CallFailed`].
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The runtime could not be built.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The module was refused at deploy.
    #[error("deploy refused: {0}")]
    Deploy(#[from] DeployError),
    /// The host failed while running a call.
    #[error("host failure: {0}")]
    Host(#[from] HostError),
    /// The in-memory state failed (a bug, or an inconsistent snapshot).
    #[error("state: {0}")]
    Store(#[from] StoreError),
    /// A contract file could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// The OS error.
        message: String,
    },
    /// A call the test expected to succeed failed.
    #[error("{contract}::{function} failed: {error} ({gas_spent} gas)")]
    CallFailed {
        /// The contract's label.
        contract: String,
        /// The entry point.
        function: String,
        /// Why.
        error: CallError,
        /// Gas it spent.
        gas_spent: u64,
    },
    /// Return data or error data did not decode as the type asked for.
    #[error("cannot decode {what} as {ty}: {message}")]
    Decode {
        /// `return data` or `error data`.
        what: &'static str,
        /// The Rust type.
        ty: &'static str,
        /// The decoder's message.
        message: String,
    },
    /// Arguments could not be encoded.
    #[error("cannot encode arguments: {0}")]
    Encode(String),
    /// No snapshot with this id.
    #[error("no snapshot {0}")]
    UnknownSnapshot(usize),
    /// [`Harness::set_balance`] without a [`BalanceHook`].
    #[error(
        "no balance contract: balances arrive with the `transfer` genesis contract; until then \
         install a BalanceHook with Harness::set_balance_hook"
    )]
    NoBalanceHook,
}

/// A contract and host-only entry point, taking the borsh of `(Address, u128)`, that sets an
/// account's balance: how [`Harness::set_balance`] reaches balances (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceHook {
    /// The contract holding balances.
    pub contract: ContractId,
    /// Its host-only entry point setting one balance.
    pub function: String,
}

/// An id returned by [`Harness::snapshot`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SnapshotId(pub usize);

/// The shared runtime of [`Harness::new`]: one engine and instance pool per test process.
fn shared_runtime() -> Result<Runtime, HarnessError> {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    if let Some(r) = RUNTIME.get() {
        return Ok(r.clone());
    }
    let runtime = Runtime::new(RuntimeConfig::test())?;
    Ok(RUNTIME.get_or_init(|| runtime).clone())
}

/// An in-process sandbox for tests: see the [module docs](self).
pub struct Harness {
    runtime: Runtime,
    store: Arc<MemoryStore>,
    block: BlockInfo,
    trace: bool,
    gas_limit: u64,
    nonces: BTreeMap<Address, u64>,
    names: BTreeMap<ContractId, String>,
    snapshots: Vec<(VerifiedDump, BlockInfo)>,
    gas: GasReport,
    receipts: Vec<Receipt>,
    balances: Option<BalanceHook>,
}

impl Harness {
    /// A harness with an empty state at block height 1, time 0, on a runtime shared by the
    /// test process ([`RuntimeConfig::test`]: dev mode, debug prints kept).
    ///
    /// # Panics
    /// When wasmtime refuses the engine configuration (never with the default configuration);
    /// [`try_new`](Self::try_new) returns that as an error.
    pub fn new() -> Self {
        match Self::try_new() {
            Ok(h) => h,
            Err(e) => panic!("cannot build the test runtime: {e}"),
        }
    }

    /// [`new`](Self::new), returning a failure to build the runtime.
    ///
    /// # Errors
    /// [`HarnessError::Runtime`].
    pub fn try_new() -> Result<Self, HarnessError> {
        Ok(Self::with_runtime(shared_runtime()?))
    }

    /// A harness on `runtime` (e.g. with other limits or prices).
    pub fn with_runtime(runtime: Runtime) -> Self {
        Self {
            runtime,
            store: Arc::new(MemoryStore::new()),
            block: BlockInfo {
                height: 1,
                timestamp_ms: 0,
            },
            trace: false,
            gas_limit: DEFAULT_GAS_LIMIT,
            nonces: BTreeMap::new(),
            names: BTreeMap::new(),
            snapshots: Vec::new(),
            gas: GasReport::new(),
            receipts: Vec::new(),
            balances: None,
        }
    }

    fn session(&self) -> Session {
        let mut session = self.runtime.session(self.store.clone(), self.block);
        session.set_trace(self.trace);
        session
    }

    /// Deploy `code` as [`DEPLOYER`] with the next free nonce, naming it `name` in gas
    /// reports and traces.
    ///
    /// # Errors
    /// [`HarnessError::Deploy`] when the module is refused.
    pub fn deploy(&mut self, name: &str, code: &[u8]) -> Result<ContractId, HarnessError> {
        let nonce = self.nonces.get(&DEPLOYER).copied().unwrap_or(0);
        self.deploy_as(DEPLOYER, nonce, name, code)
    }

    /// Deploy the `.wasm` file at `path` (see [`deploy`](Self::deploy)).
    ///
    /// # Errors
    /// [`HarnessError::Read`] when the file cannot be read; as [`deploy`](Self::deploy).
    pub fn deploy_file(
        &mut self,
        name: &str,
        path: impl AsRef<Path>,
    ) -> Result<ContractId, HarnessError> {
        let path = path.as_ref();
        let code = std::fs::read(path).map_err(|e| HarnessError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        self.deploy(name, &code)
    }

    /// Deploy `code` as `owner` with `nonce` (the id is
    /// [`contract_id`](crate::contract_id)`(owner, code hash, nonce)`).
    ///
    /// # Errors
    /// [`HarnessError::Deploy`] when the module is refused or the id is taken.
    pub fn deploy_as(
        &mut self,
        owner: Address,
        nonce: u64,
        name: &str,
        code: &[u8],
    ) -> Result<ContractId, HarnessError> {
        let mut session = self.session();
        let id = session.deploy(owner, code, nonce)?;
        session.commit()?;
        let next = self.nonces.entry(owner).or_insert(0);
        *next = (*next).max(nonce + 1);
        self.names.insert(id, name.to_string());
        Ok(id)
    }

    /// Start a call of `function` of `contract`; set arguments, caller and gas on the returned
    /// [`Call`], then [`send`](Call::send) it.
    pub fn call(&mut self, contract: ContractId, function: &str) -> Call<'_> {
        Call {
            caller: DEFAULT_CALLER,
            gas_limit: self.gas_limit,
            harness: self,
            contract,
            function: function.to_string(),
            args: Ok(Vec::new()),
        }
    }

    fn run(
        &mut self,
        caller: Option<Address>,
        contract: ContractId,
        function: &str,
        args: &[u8],
        gas_limit: u64,
    ) -> Result<Receipt, HarnessError> {
        let mut session = self.session();
        let receipt = match caller {
            Some(caller) => session.call(caller, contract, function, args, gas_limit)?,
            None => session.call_protocol(contract, function, args, gas_limit)?,
        };
        session.commit()?;
        self.gas
            .record(&label(&self.names, &contract), function, receipt.gas_spent);
        self.receipts.push(receipt.clone());
        Ok(receipt)
    }

    /// Call a host-only entry point as the protocol ([`Session::call_protocol`]).
    ///
    /// # Errors
    /// Host failures only.
    pub fn call_protocol(
        &mut self,
        contract: ContractId,
        function: &str,
        args: &[u8],
    ) -> Result<Receipt, HarnessError> {
        let gas = self.gas_limit;
        self.run(None, contract, function, args, gas)
    }

    /// The gas limit of later calls that do not set one.
    pub fn set_default_gas_limit(&mut self, gas: u64) {
        self.gas_limit = gas;
    }

    /// Record [`TraceOp`](crate::TraceOp)s in later receipts (see [`trace`](Self::trace)).
    pub fn set_trace(&mut self, on: bool) {
        self.trace = on;
    }

    /// A receipt's call tree as text, contracts labelled by their deploy names.
    pub fn trace(&self, receipt: &Receipt) -> String {
        render_trace(receipt, &self.names)
    }

    /// The block calls execute in.
    pub fn block(&self) -> BlockInfo {
        self.block
    }

    /// Set the block height seen by later calls.
    pub fn set_block_height(&mut self, height: u64) {
        self.block.height = height;
    }

    /// Set the block time (ms since the Unix epoch) seen by later calls.
    pub fn set_block_time(&mut self, timestamp_ms: u64) {
        self.block.timestamp_ms = timestamp_ms;
    }

    /// Move `blocks` blocks forward, each `ms_per_block` later than the one before.
    pub fn advance_blocks(&mut self, blocks: u64, ms_per_block: u64) {
        self.block.height = self.block.height.saturating_add(blocks);
        let ms = blocks.saturating_mul(ms_per_block);
        self.block.timestamp_ms = self.block.timestamp_ms.saturating_add(ms);
    }

    /// A storage value of a contract.
    ///
    /// # Errors
    /// Only if the in-memory store fails (a bug).
    pub fn storage(
        &self,
        contract: ContractId,
        key: &[u8],
    ) -> Result<Option<Vec<u8>>, HarnessError> {
        Ok(self.store.storage(&contract, key)?)
    }

    /// Write a storage value of a contract directly (`None` removes it), as if the contract had
    /// written it: no gas, no call, no event.
    ///
    /// # Errors
    /// Only if the in-memory store fails (a bug).
    pub fn set_storage(
        &mut self,
        contract: ContractId,
        key: &[u8],
        value: Option<&[u8]>,
    ) -> Result<(), HarnessError> {
        let mut changes = ChangeSet::default();
        changes
            .storage
            .entry(contract)
            .or_default()
            .insert(key.to_vec(), value.map(<[u8]>::to_vec));
        self.store.commit(changes)?;
        Ok(())
    }

    /// Install the contract through which [`set_balance`](Self::set_balance) sets balances.
    pub fn set_balance_hook(&mut self, hook: BalanceHook) {
        self.balances = Some(hook);
    }

    /// Set `account`'s balance to `amount` through the [`BalanceHook`] (a protocol call).
    ///
    /// # Errors
    /// [`HarnessError::NoBalanceHook`] without a hook; [`HarnessError::CallFailed`] when the
    /// hook's call fails.
    pub fn set_balance(&mut self, account: Address, amount: u128) -> Result<Receipt, HarnessError> {
        let hook = self.balances.clone().ok_or(HarnessError::NoBalanceHook)?;
        let args =
            borsh::to_vec(&(account, amount)).map_err(|e| HarnessError::Encode(e.to_string()))?;
        let receipt = self.call_protocol(hook.contract, &hook.function, &args)?;
        self.require_success(receipt)
    }

    fn require_success(&self, receipt: Receipt) -> Result<Receipt, HarnessError> {
        match &receipt.result {
            Ok(_) => Ok(receipt),
            Err(e) => Err(HarnessError::CallFailed {
                contract: label(&self.names, &receipt.contract),
                function: receipt.function.clone(),
                error: e.clone(),
                gas_spent: receipt.gas_spent,
            }),
        }
    }

    /// The merkle root of the current state.
    ///
    /// # Errors
    /// Only if the in-memory store fails (a bug).
    pub fn root(&self) -> Result<Root, HarnessError> {
        Ok(self.store.root()?)
    }

    /// Remember the current state and block; returns the id to [`revert`](Self::revert) to.
    ///
    /// # Errors
    /// Only if the in-memory store fails (a bug).
    pub fn snapshot(&mut self) -> Result<SnapshotId, HarnessError> {
        let dump = StateDump::of_memory(&self.store)?
            .verify(&self.runtime)
            .map_err(|error| StoreError::Refused {
                path: "<harness snapshot>".into(),
                error: Box::new(error),
            })?;
        self.snapshots.push((dump, self.block));
        Ok(SnapshotId(self.snapshots.len() - 1))
    }

    /// Go back to snapshot `id`: state and block exactly as they were (receipts and the gas
    /// report are kept). The snapshot stays available.
    ///
    /// # Errors
    /// [`HarnessError::UnknownSnapshot`].
    pub fn revert(&mut self, id: SnapshotId) -> Result<(), HarnessError> {
        let (dump, block) = self
            .snapshots
            .get(id.0)
            .ok_or(HarnessError::UnknownSnapshot(id.0))?;
        self.store = Arc::new(dump.to_memory_store()?);
        self.block = *block;
        Ok(())
    }

    /// The whole current state.
    ///
    /// # Errors
    /// Only if the in-memory store fails (a bug).
    pub fn dump(&self) -> Result<StateDump, HarnessError> {
        Ok(StateDump::of_memory(&self.store)?)
    }

    /// Every receipt so far, in call order.
    pub fn receipts(&self) -> &[Receipt] {
        &self.receipts
    }

    /// The last receipt.
    pub fn last_receipt(&self) -> Option<&Receipt> {
        self.receipts.last()
    }

    /// Every event that took effect (not reverted) so far, in order.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.receipts
            .iter()
            .flat_map(|r| r.events.iter())
            .filter(|e| !e.reverted)
    }

    /// Gas per entry point over every call so far.
    pub fn gas_report(&self) -> &GasReport {
        &self.gas
    }

    /// The name a contract was deployed with.
    pub fn name_of(&self, contract: &ContractId) -> Option<&str> {
        self.names.get(contract).map(String::as_str)
    }
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

/// A call being prepared: see [`Harness::call`].
pub struct Call<'h> {
    harness: &'h mut Harness,
    contract: ContractId,
    function: String,
    args: Result<Vec<u8>, String>,
    caller: Address,
    gas_limit: u64,
}

impl Call<'_> {
    /// The arguments, borsh-encoded (several arguments: a tuple, `&(a, b)`).
    pub fn args<T: BorshSerialize + ?Sized>(mut self, args: &T) -> Self {
        self.args = borsh::to_vec(args).map_err(|e| e.to_string());
        self
    }

    /// The argument bytes as they are.
    pub fn raw_args(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.args = Ok(bytes.into());
        self
    }

    /// Call as `caller` (default [`DEFAULT_CALLER`]).
    pub fn caller(mut self, caller: Address) -> Self {
        self.caller = caller;
        self
    }

    /// With this gas limit (default [`DEFAULT_GAS_LIMIT`], or the harness's default).
    pub fn gas(mut self, gas_limit: u64) -> Self {
        self.gas_limit = gas_limit;
        self
    }

    /// Run the call; the receipt says whether it succeeded.
    ///
    /// # Errors
    /// Host failures and unencodable arguments only: a failed call is a receipt.
    pub fn send(self) -> Result<Receipt, HarnessError> {
        let args = self.args.map_err(HarnessError::Encode)?;
        self.harness.run(
            Some(self.caller),
            self.contract,
            &self.function,
            &args,
            self.gas_limit,
        )
    }

    /// Run the call, require success and decode the return value.
    ///
    /// # Errors
    /// [`HarnessError::CallFailed`] when the call failed, [`HarnessError::Decode`] when the
    /// return data is not a `T`.
    pub fn ok<T: BorshDeserialize>(self) -> Result<T, HarnessError> {
        let args = self.args.map_err(HarnessError::Encode)?;
        let h = self.harness;
        let receipt = h.run(
            Some(self.caller),
            self.contract,
            &self.function,
            &args,
            self.gas_limit,
        )?;
        let receipt = h.require_success(receipt)?;
        decode_return(&receipt)
    }
}

/// Decode a successful receipt's return data as `T`.
///
/// # Errors
/// [`HarnessError::CallFailed`] when the call failed (labelled by a short id),
/// [`HarnessError::Decode`] when the data is not a `T`.
pub fn decode_return<T: BorshDeserialize>(receipt: &Receipt) -> Result<T, HarnessError> {
    match &receipt.result {
        Ok(bytes) => borsh::from_slice(bytes).map_err(|e| HarnessError::Decode {
            what: "return data",
            ty: std::any::type_name::<T>(),
            message: e.to_string(),
        }),
        Err(e) => Err(HarnessError::CallFailed {
            contract: label(&BTreeMap::new(), &receipt.contract),
            function: receipt.function.clone(),
            error: e.clone(),
            gas_spent: receipt.gas_spent,
        }),
    }
}

/// Decode the error a contract returned (`Err(e)` of its entry point) as `E`; `None` when the
/// call did not end with [`CallError::Reverted`] or the data is not an `E`.
pub fn decode_error<E: BorshDeserialize>(receipt: &Receipt) -> Option<E> {
    match &receipt.result {
        Err(CallError::Reverted(bytes)) => borsh::from_slice(bytes).ok(),
        _ => None,
    }
}

/// Assert that a receipt spent `expected` gas within `tolerance_percent` percent.
///
/// # Panics
/// When it did not, with both figures in the message.
#[track_caller]
pub fn assert_gas(receipt: &Receipt, expected: u64, tolerance_percent: f64) {
    let allowed = expected as f64 * tolerance_percent / 100.0;
    let actual = receipt.gas_spent;
    assert!(
        (actual as f64 - expected as f64).abs() <= allowed,
        "{}: spent {actual} gas, expected {expected} ± {tolerance_percent}%",
        receipt.function
    );
}
