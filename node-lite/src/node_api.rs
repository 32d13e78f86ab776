//! What a running devnet answers: the one interface between a node and the ways users reach it.
//!
//! The devnet ([`crate::devnet`], one process with N provisioners) implements [`NodeApi`]; the
//! HTTP API (`crate::api`) and the tests serve and drive it. Nothing here knows about HTTP,
//! threads or the consensus's internals: the views are plain data, serialisable as the JSON the
//! API returns (hashes, keys and bytes as lowercase hex, amounts as decimal strings because
//! JSON numbers lose precision past 2^53).
//!
//! Every method is cheap to call from any thread (`&self`, `Send + Sync`): an implementation
//! answers from its own locked state, never by waiting for a block.

use serde::{Deserialize, Serialize};

/// Lowercase hex of 32 bytes (block and transaction hashes, roots, addresses, contract ids).
pub type Hex32 = String;

/// The chain a devnet runs, as printed at start and served at `GET /chain`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainInfo {
    /// The chain id every transaction signs over.
    pub chain_id: u64,
    /// The genesis state's root.
    pub genesis_root: Hex32,
    /// How many provisioners the process runs.
    pub provisioners: usize,
    /// `"instant"`, `"manual"` or `"interval:<ms>"`.
    pub block_mode: String,
    /// The most gas a block's transactions may reserve together.
    pub block_gas_limit: u64,
    /// The gas schedule's fingerprint the genesis pins.
    pub gas_schedule: String,
    /// The genesis contracts (`transfer`, `stake`, `committee`, `nonces`) by name → id.
    pub contracts: Vec<(String, Hex32)>,
}

/// A prefunded development account (deterministic: the same on every start).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevAccount {
    /// Its index in the genesis file's account list.
    pub index: usize,
    /// Its address (the ed25519 public key).
    pub address: Hex32,
    /// Its secret key (devnet only: printed at start, as anvil does).
    pub secret_key: Hex32,
    /// Its balance at genesis (decimal).
    pub balance: String,
}

/// The chain's tip and how far it is final.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadView {
    /// The tip's height.
    pub height: u64,
    /// The tip's hash.
    pub hash: Hex32,
    /// The tip's post-state root.
    pub state_root: Hex32,
    /// The highest final block.
    pub finalized_height: u64,
    /// The tip's finality label: `accepted`, `attested`, `confirmed` or `final`.
    pub label: String,
}

/// Which block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockRef {
    /// By height on the current chain.
    Height(u64),
    /// By hash (hex).
    Hash(Hex32),
}

/// A block as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockView {
    /// Height.
    pub height: u64,
    /// Iteration at which it was decided.
    pub iteration: u8,
    /// Its hash.
    pub hash: Hex32,
    /// The previous block's hash.
    pub prev_hash: Hex32,
    /// Its timestamp (ms since the Unix epoch).
    pub timestamp_ms: u64,
    /// Post-state root.
    pub state_root: Hex32,
    /// The generator's BLS public key (hex).
    pub generator: String,
    /// Gas its transactions spent.
    pub gas_used: u64,
    /// Its transactions' hashes, in order.
    pub transactions: Vec<Hex32>,
    /// Its finality label (see [`HeadView::label`]).
    pub label: String,
}

/// Where a transaction is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TxStatus {
    /// In the mempool.
    Pending,
    /// In a block of the current chain.
    Included {
        /// The block's height.
        height: u64,
        /// The block's hash.
        block_hash: Hex32,
        /// What it did.
        receipt: Box<ReceiptView>,
    },
}

/// An included transaction's receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    /// The transaction's hash.
    pub hash: Hex32,
    /// Its sender.
    pub sender: Hex32,
    /// Its nonce.
    pub nonce: u64,
    /// Gas it could spend.
    pub gas_limit: u64,
    /// Gas it spent, failure or not.
    pub gas_spent: u64,
    /// Fee paid (decimal).
    pub fee_paid: String,
    /// `true` when the payload succeeded.
    pub success: bool,
    /// Return data (hex) on success.
    pub return_data: Option<String>,
    /// Why it failed (the typed error's message) on failure.
    pub error: Option<String>,
    /// The contract a deploy created.
    pub deployed: Option<Hex32>,
    /// Its events.
    pub events: Vec<EventView>,
}

/// An event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    /// The block it is in.
    pub height: u64,
    /// The transaction that emitted it.
    pub tx_hash: Hex32,
    /// The emitting contract.
    pub contract: Hex32,
    /// Topic.
    pub topic: String,
    /// Data (hex).
    pub data: String,
    /// `true` when the emitting call failed (the event did not take effect).
    pub reverted: bool,
}

/// Which events (all fields optional; heights inclusive).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    /// Only this contract's.
    pub contract: Option<Hex32>,
    /// Only this topic.
    pub topic: Option<String>,
    /// From this height.
    pub from_height: Option<u64>,
    /// To this height.
    pub to_height: Option<u64>,
    /// At most this many (an implementation caps it).
    pub limit: Option<usize>,
}

/// An account's balance and next nonce, at the tip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// Its address.
    pub address: Hex32,
    /// Balance (decimal).
    pub balance: String,
    /// The nonce its next transaction must carry.
    pub nonce: u64,
}

/// A read-only call at the tip, never committed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRequest {
    /// The caller (defaults to a zero address).
    pub caller: Option<Hex32>,
    /// The contract.
    pub contract: Hex32,
    /// The entry point.
    pub function: String,
    /// Its argument, borsh-encoded (hex).
    pub args: String,
    /// Gas limit (defaults to the block gas limit).
    pub gas_limit: Option<u64>,
}

/// What a dry run did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRunView {
    /// `true` when it succeeded.
    pub success: bool,
    /// Return data (hex) on success.
    pub return_data: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Gas spent by the call.
    pub gas_spent: u64,
    /// A gas limit a transaction making this call should carry (call + the transaction's
    /// intrinsic gas, with a margin).
    pub gas_estimate: u64,
}

/// A provisioner, as the stake contract holds it at the tip: every key with a stake record
/// (genesis provisioners and stakes made since).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionerView {
    /// Its BLS public key (hex).
    pub key: String,
    /// Its owner's address.
    pub owner: Hex32,
    /// Locked stake (decimal).
    pub stake: String,
    /// A top-up still maturing (decimal).
    pub maturing: String,
    /// First height of its eligibility window.
    pub eligible_from: u64,
    /// Height at which the window expires unless renewed.
    pub expires_at: u64,
    /// Eligible at the next height: the consensus draws it into the next round's committees.
    pub eligible: bool,
    /// Its weight at the next height (0 when not eligible), decimal.
    pub weight: String,
    /// Rewards earned and not withdrawn (decimal).
    pub reward: String,
    /// Missed duties in a row (absent as generator) since its last reward or suspension.
    pub missed: u32,
    /// Suspended at the next height (after `miss_limit` missed duties in a row).
    pub suspended: bool,
    /// Burnt by slashing, in total (decimal).
    pub slashed: String,
    /// Running in this process and online (`false` when taken offline by a dev control);
    /// `null` for a key no node of this process holds.
    pub online: Option<bool>,
}

/// The committee of one step of a decided round, from the attestations the chain holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeView {
    /// Round (height).
    pub round: u64,
    /// Iteration.
    pub iteration: u8,
    /// `proposal`, `validation` or `ratification`.
    pub step: String,
    /// Credits in the committee (private mode: the expected credits).
    pub total_credits: u32,
    /// Members with their credits: the generator (proposal); in public mode the whole committee;
    /// in private mode the members revealed by the votes the chain's attestation of that step
    /// holds (keys hex, sorted).
    pub members: Vec<(String, u32)>,
    /// The eligible set the round was drawn from (key hex, weight decimal; sorted by key).
    pub provisioners: Vec<(String, String)>,
}

/// A transaction a dev account signs on the node (`POST /dev/tx`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevTxRequest {
    /// Index of the dev account that signs (see [`DevAccount::index`]).
    pub account: usize,
    /// What to do (nonce and fee are filled in by the node: its next nonce, gas price 1).
    pub payload: DevPayload,
    /// Gas limit (defaults to a call's estimate or the intrinsic gas for a transfer).
    pub gas_limit: Option<u64>,
}

/// A dev transaction's payload, in JSON-friendly form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DevPayload {
    /// Deploy a module (hex), optionally calling `init` with borsh args (hex).
    Deploy {
        /// Wasm bytes (hex).
        code: String,
        /// `init`'s argument (hex), if any.
        init_args: Option<String>,
    },
    /// Call an entry point with borsh args (hex).
    Call {
        /// The contract.
        contract: Hex32,
        /// The entry point.
        function: String,
        /// Its argument (hex).
        args: String,
    },
    /// Move native tokens.
    Transfer {
        /// The payee.
        to: Hex32,
        /// Amount (decimal).
        amount: String,
    },
}

/// Something that happened on the chain, pushed to subscribers (the API's SSE stream).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChainEvent {
    /// A block joined the chain.
    Block(BlockView),
    /// A block's finality label changed.
    Label {
        /// Its height.
        height: u64,
        /// Its hash.
        hash: Hex32,
        /// The new label.
        label: String,
    },
    /// A contract event in a new block.
    Event(EventView),
}

/// Why a request was refused. Each maps to one HTTP status (see `crate::api`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", content = "message", rename_all = "snake_case")]
pub enum ApiError {
    /// Malformed input: bad hex, a transaction that does not decode, an unknown field value
    /// (400).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The mempool refused the transaction: signature, nonce, balance, size, gas limit (422).
    #[error("transaction refused: {0}")]
    Refused(String),
    /// No such block, transaction, account index or contract (404).
    #[error("not found: {0}")]
    NotFound(String),
    /// A dev control that this devnet's mode does not allow, e.g. `mine` without `--manual`
    /// (409).
    #[error("not allowed: {0}")]
    NotAllowed(String),
    /// The node failed (500); the node keeps running.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Most transactions one [`NodeApi::submit_batch`] takes.
pub const MAX_SUBMIT_BATCH: usize = 1_024;

/// `BadRequest` for a batch of more than [`MAX_SUBMIT_BATCH`] transactions.
///
/// # Errors
/// Over the limit.
pub fn check_batch_len(len: usize) -> Result<(), ApiError> {
    if len > MAX_SUBMIT_BATCH {
        return Err(ApiError::BadRequest(format!(
            "{len} transactions, over the {MAX_SUBMIT_BATCH}-transaction limit of a batch"
        )));
    }
    Ok(())
}

/// What a running devnet answers. See the [module docs](self).
pub trait NodeApi: Send + Sync + 'static {
    /// The chain's constants.
    fn chain_info(&self) -> ChainInfo;
    /// The prefunded dev accounts.
    fn dev_accounts(&self) -> Vec<DevAccount>;
    /// Decode, check and add a signed transaction (borsh bytes) to the mempool.
    fn submit(&self, tx: &[u8]) -> Result<Hex32, ApiError>;
    /// [`submit`](Self::submit) each of `txs`, in order: one answer per transaction, what
    /// `submit` answers for it (a refused or undecodable one does not stop the others). At most
    /// [`MAX_SUBMIT_BATCH`] transactions.
    ///
    /// # Errors
    /// `BadRequest` for more than [`MAX_SUBMIT_BATCH`] (none is submitted then).
    fn submit_batch(&self, txs: &[Vec<u8>]) -> Result<Vec<Result<Hex32, ApiError>>, ApiError> {
        check_batch_len(txs.len())?;
        Ok(txs.iter().map(|tx| self.submit(tx)).collect())
    }
    /// Build, sign with a dev account and submit a transaction.
    fn submit_dev(&self, request: DevTxRequest) -> Result<Hex32, ApiError>;
    /// Where a transaction is (`NotFound` when the node never saw it).
    fn tx_status(&self, hash: &str) -> Result<TxStatus, ApiError>;
    /// The tip.
    fn head(&self) -> HeadView;
    /// A block.
    fn block(&self, which: BlockRef) -> Result<BlockView, ApiError>;
    /// An account at the tip.
    fn account(&self, address: &str) -> Result<AccountView, ApiError>;
    /// A contract's storage value at the tip (hex), `None` when absent.
    fn storage(&self, contract: &str, key_hex: &str) -> Result<Option<String>, ApiError>;
    /// A read-only call at the tip.
    fn dry_run(&self, request: CallRequest) -> Result<DryRunView, ApiError>;
    /// The provisioners at the tip.
    fn provisioners(&self) -> Result<Vec<ProvisionerView>, ApiError>;
    /// A step's committee, as far as revealed.
    fn committee(&self, round: u64, iteration: u8, step: &str) -> Result<CommitteeView, ApiError>;
    /// Events matching `filter`, oldest first.
    fn events(&self, filter: EventFilter) -> Result<Vec<EventView>, ApiError>;
    /// A stream of what happens next (a slow subscriber loses the oldest items, never blocks
    /// the node).
    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<ChainEvent>;

    /// Dev control: produce a block now (`--manual` devnets; `NotAllowed` otherwise). Returns
    /// the new block's height once it is accepted.
    fn mine(&self) -> Result<u64, ApiError>;
    /// Dev control: the next block's timestamp.
    fn set_next_timestamp(&self, timestamp_ms: u64) -> Result<(), ApiError>;
    /// Dev control: mint `amount` (decimal) to `address` (a protocol call in the next block).
    fn fund(&self, address: &str, amount: &str) -> Result<(), ApiError>;
    /// Dev control: take provisioner `index` offline (`false`) or back (`true`).
    fn set_online(&self, index: usize, online: bool) -> Result<(), ApiError>;
}
