//! [`DevnetHandle`]: a running devnet as its users reach it (the `NodeApi` implementation, the
//! addresses, the dev accounts, shutdown).
//!
//! Queries answer from the **API node**: the lowest-index online node (node 0 unless a dev
//! control took it offline), from its committed state and chain index. Transactions enter that
//! node's mempool (checked against its tip) and are gossiped to the others.

use super::accounts::CachedAccounts;
use super::committees::Committees;
use super::config::BlockMode;
use super::index::hex32;
use super::node::NodeView;
use super::shared::Shared;
use super::transport::{NetMessage, Transport};
use crate::chain::accounts::balance_of;
use crate::chain::block_exec::deploy_gas;
use crate::chain::nonces::nonce_of;
use crate::chain::tx::TX_INTRINSIC_GAS;
use crate::chain::{AccountKey, MempoolRefusal, Payload, Transaction, UnsignedTx};
use crate::node_api::{
    AccountView, ApiError, BlockRef, BlockView, CallRequest, ChainEvent, ChainInfo, CommitteeView,
    DevAccount, DevPayload, DevTxRequest, DryRunView, EventFilter, EventView, HeadView, Hex32,
    NodeApi, ProvisionerView, ReceiptView, TxStatus, check_batch_len,
};
use genesis_types::BlsPublicKey;
use genesis_types::stake::StakeInfo;
use host_api::{Address, ContractId};
use parking_lot::Mutex;
use runtime::{BlockInfo, Session};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::Duration;

/// The stake contract's storage key of its sorted list of staked keys (`KEYS` in
/// `contracts/stake/src/lib.rs`, a borsh `Vec<BlsPublicKey>`).
pub const STAKE_KEYS_ITEM: &[u8] = b"keys";
/// How long `mine` waits for its block.
pub const MINE_TIMEOUT: Duration = Duration::from_secs(30);
/// Gas a dev transfer carries when the request names none: the intrinsic gas and a call.
pub const DEV_TRANSFER_GAS: u64 = TX_INTRINSIC_GAS + 1_000_000;
/// Gas a dev call carries when the request names none and its dry run fails.
pub const DEV_CALL_GAS: u64 = TX_INTRINSIC_GAS + 50_000_000;
/// Gas a dev deploy's `init` may spend when the request names no limit.
pub const DEV_INIT_GAS: u64 = 50_000_000;

/// A running devnet (see the [module docs](self)). Dropping it shuts it down.
pub struct DevnetHandle {
    pub(super) shared: std::sync::Arc<Shared>,
    pub(super) views: Vec<NodeView>,
    pub(super) threads: Mutex<Vec<JoinHandle<()>>>,
    pub(super) info: ChainInfo,
    pub(super) accounts: Vec<(AccountKey, u128)>,
    pub(super) provisioner_keys: Vec<(genesis_types::BlsPublicKey, Address)>,
    pub(super) epoch_length: u64,
    pub(super) committee_params: genesis_types::committee::CommitteeParams,
    pub(super) genesis_header: consensus::Header,
    pub(super) genesis_set: Vec<genesis_types::stake::Eligible>,
    pub(super) minimum_stake: u128,
    pub(super) api_address: SocketAddr,
    pub(super) data_dir: PathBuf,
    pub(super) _temp: Option<tempfile::TempDir>,
}

fn bad(what: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest(what.to_string())
}

fn parse32(what: &str, hex_str: &str) -> Result<[u8; 32], ApiError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_str, &mut out).map_err(|e| {
        bad(format!(
            "{what} `{hex_str}`: {e} (64 hex characters expected)"
        ))
    })?;
    Ok(out)
}

fn parse_hex(what: &str, hex_str: &str) -> Result<Vec<u8>, ApiError> {
    hex::decode(hex_str).map_err(|e| bad(format!("{what}: {e}")))
}

fn parse_amount(amount: &str) -> Result<u128, ApiError> {
    amount
        .parse()
        .map_err(|_| bad(format!("amount `{amount}` is not a decimal integer")))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

impl DevnetHandle {
    /// Where the HTTP API listens (the port of the configuration; 0 until a server binds one).
    pub fn api_address(&self) -> SocketAddr {
        self.api_address
    }

    /// The data directory.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// Sends `message` to every other node as if node `from` had broadcast it: a test's way to
    /// make a provisioner misbehave (e.g. sign two conflicting votes). Not served over HTTP.
    pub fn inject(&self, from: usize, message: consensus::Message) {
        self.shared
            .transport
            .broadcast(from, NetMessage::Consensus(std::sync::Arc::new(message)));
    }

    /// The API node's stored block at `height` (1 and above), as the consensus holds it.
    pub fn consensus_block(&self, height: u64) -> Option<consensus::Block> {
        self.api_view().store.block(height).ok().flatten()
    }

    /// The consensus's signature scheme.
    pub fn signatures(&self) -> super::keys::Signatures {
        self.shared.keys.scheme
    }

    /// How many executions of candidates the nodes made, and how many they took from another
    /// node of this process (`executions.rs`; both 0 when sharing is off).
    pub fn execution_stats(&self) -> super::executions::ExecutionStats {
        self.shared.executions.stats()
    }

    /// How many nodes run.
    pub fn nodes(&self) -> usize {
        self.views.len()
    }

    /// The dev accounts' keys (to sign transactions in tests and tools).
    pub fn dev_key(&self, index: usize) -> Option<&AccountKey> {
        self.accounts.get(index).map(|(k, _)| k)
    }

    /// Node `i`'s tip height.
    pub fn node_tip(&self, i: usize) -> u64 {
        self.shared.tip(i)
    }

    /// Node `i`'s head (height, hash, label, finalized height).
    pub fn node_head(&self, i: usize) -> Option<HeadView> {
        self.views.get(i).map(|v| v.chain.read().head())
    }

    /// Why node `i` stopped following the chain, if it did.
    pub fn node_failure(&self, i: usize) -> Option<String> {
        self.views.get(i).and_then(|v| v.store.failure())
    }

    /// Node `i`'s consensus eligibility answers given without the exact set: how many, and the
    /// rounds among them whose answer differs from the exact set (`eligibility.rs`).
    pub fn node_approximate_sets(&self, i: usize) -> Option<(usize, Vec<u64>)> {
        let e = &self.views.get(i)?.eligibility;
        let wrong = e
            .wrong_answers()
            .into_iter()
            .map(|(round, _)| round)
            .collect();
        Some((e.approximate_answers(), wrong))
    }

    /// Node `i`'s block at `height` (its hash), to compare nodes.
    pub fn node_block_hash(&self, i: usize, height: u64) -> Option<String> {
        let view = self.views.get(i)?;
        let chain = view.chain.read();
        chain.view_by_height(height).map(|b| b.hash)
    }

    /// Waits until `done()` holds, re-checking at every block any node accepts and every
    /// finality label that changes; at most `timeout`.
    pub fn wait_until(&self, timeout: Duration, done: impl FnMut() -> bool) -> bool {
        self.shared.wait_until(timeout, done)
    }

    /// Stops every node and joins their threads; with a data directory, saves the transactions
    /// still waiting for the next start ([`super::pool_file`]).
    pub fn shutdown(&self) {
        self.shared.shutdown_all();
        let threads = std::mem::take(&mut *self.threads.lock());
        if threads.is_empty() {
            return; // already shut down
        }
        for t in threads {
            let _ = t.join();
        }
        if self._temp.is_none() {
            let mut waiting: std::collections::BTreeMap<_, Transaction> = Default::default();
            for view in &self.views {
                for tx in view.mempool.lock().transactions() {
                    waiting.insert((tx.sender(), tx.body.nonce, tx.hash()), tx);
                }
            }
            let waiting: Vec<Transaction> = waiting.into_values().collect();
            if let Err(e) = super::pool_file::save(&self.data_dir, &waiting) {
                eprintln!("devnet: the waiting transactions were not saved: {e}");
            }
        }
    }

    /// Submits again the transactions a clean shutdown saved: `(accepted, dropped)`, where
    /// dropped ones no longer pass the pool's checks (included meanwhile, stale nonce, unpayable)
    /// or did not decode.
    ///
    /// # Errors
    /// The saved file is unreadable or malformed (it is left in place).
    pub(super) fn restore_pool(&self) -> Result<(usize, usize), super::pool_file::PoolFileError> {
        let (txs, undecodable) = super::pool_file::take(&self.data_dir)?;
        if txs.is_empty() {
            return Ok((0, undecodable));
        }
        // Straight into every node's pool (each checks against its own tip), rather than through
        // gossip: the next block, whoever proposes it, finds them.
        let mut accepted = vec![false; txs.len()];
        for index in 0..self.views.len() {
            for (result, ok) in self.insert_at(index, &txs).iter().zip(accepted.iter_mut()) {
                *ok |= result.is_ok();
            }
        }
        let accepted = accepted.iter().filter(|ok| **ok).count();
        if self.shared.mode == BlockMode::Instant {
            self.shared.want_next();
        }
        Ok((accepted, txs.len() - accepted + undecodable))
    }

    fn api_index(&self) -> usize {
        (0..self.views.len())
            .find(|i| self.shared.transport.is_online(*i))
            .unwrap_or(0)
    }

    fn api_view(&self) -> &NodeView {
        &self.views[self.api_index()]
    }

    fn session(&self) -> Session {
        self.session_of(self.api_index())
    }

    /// A read-only session at node `index`'s tip.
    fn session_of(&self, index: usize) -> Session {
        let view = &self.views[index];
        let (height, timestamp_ms) = view.chain.read().tip_time();
        self.shared.params.runtime.session(
            view.store.state(),
            BlockInfo {
                height: height + self.shared.params.height_offset,
                timestamp_ms,
            },
        )
    }

    /// Inserts `txs` into node `index`'s mempool, each checked against that node's tip.
    fn insert_at(
        &self,
        index: usize,
        txs: &[Transaction],
    ) -> Vec<Result<crate::chain::TxHash, MempoolRefusal>> {
        // Only reads: the height and time of the session do not matter, and a session is opened
        // only if the node's cache misses an account.
        let open = || {
            self.shared
                .params
                .runtime
                .session(self.views[index].store.state(), BlockInfo::default())
        };
        let mut cache = self.views[index].accounts.lock();
        let mut view = CachedAccounts::new(&mut cache, &open, self.shared.params.contracts);
        let mut pool = self.views[index].mempool.lock();
        txs.iter()
            .map(|tx| pool.insert(tx.clone(), &mut view))
            .collect()
    }

    /// Adds a transaction to the API node's mempool and gossips it.
    fn add(&self, tx: Transaction) -> Result<String, MempoolRefusal> {
        self.add_all(vec![tx])
            .pop()
            .expect("one result per transaction")
    }

    /// Adds transactions to the API node's mempool, in order (one lock of the pool for all),
    /// and gossips the accepted ones together: one result per transaction.
    fn add_all(&self, txs: Vec<Transaction>) -> Vec<Result<String, MempoolRefusal>> {
        let index = self.api_index();
        let results = self.insert_at(index, &txs);
        let accepted: Vec<_> = txs
            .into_iter()
            .zip(&results)
            .filter(|(_, r)| r.is_ok())
            .map(|(tx, _)| std::sync::Arc::new(tx))
            .collect();
        if !accepted.is_empty() {
            // Sent now if the node is idle, else with the others accepted meanwhile
            // (`outbox.rs`).
            self.shared.outboxes[index].add(&self.shared.transport, accepted);
            if self.shared.mode == BlockMode::Instant {
                self.shared.want_next();
            }
        }
        results
            .into_iter()
            .map(|r| r.map(|hash| hex32(&hash.0)))
            .collect()
    }

    fn dev_payload(&self, payload: &DevPayload) -> Result<(Payload, Option<u64>), ApiError> {
        Ok(match payload {
            DevPayload::Deploy { code, init_args } => {
                let code = parse_hex("code", code)?;
                let init_args = init_args
                    .as_deref()
                    .map(|a| parse_hex("init_args", a))
                    .transpose()?;
                let work = deploy_gas(&code) + if init_args.is_some() { DEV_INIT_GAS } else { 0 };
                let payload = Payload::Deploy { code, init_args };
                let gas = payload.intrinsic_gas() + work;
                (payload, Some(gas))
            }
            DevPayload::Call {
                contract,
                function,
                args,
            } => {
                let contract = ContractId(parse32("contract", contract)?);
                let args = parse_hex("args", args)?;
                (
                    Payload::Call {
                        contract,
                        function: function.clone(),
                        args,
                    },
                    None,
                )
            }
            DevPayload::Transfer { to, amount } => (
                Payload::Transfer {
                    to: Address(parse32("to", to)?),
                    amount: parse_amount(amount)?,
                },
                Some(DEV_TRANSFER_GAS),
            ),
        })
    }
}

impl Drop for DevnetHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl NodeApi for DevnetHandle {
    fn chain_info(&self) -> ChainInfo {
        self.info.clone()
    }

    fn dev_accounts(&self) -> Vec<DevAccount> {
        self.accounts
            .iter()
            .enumerate()
            .map(|(index, (key, balance))| DevAccount {
                index,
                address: hex32(&key.public()),
                secret_key: hex32(&key.secret()),
                balance: balance.to_string(),
            })
            .collect()
    }

    fn submit(&self, tx: &[u8]) -> Result<Hex32, ApiError> {
        let tx = Transaction::decode(tx).map_err(|e| bad(format!("transaction: {e}")))?;
        self.add(tx).map_err(|e| ApiError::Refused(e.to_string()))
    }

    fn submit_batch(&self, txs: &[Vec<u8>]) -> Result<Vec<Result<Hex32, ApiError>>, ApiError> {
        check_batch_len(txs.len())?;
        let decoded: Vec<Result<Transaction, ApiError>> = txs
            .iter()
            .map(|tx| Transaction::decode(tx).map_err(|e| bad(format!("transaction: {e}"))))
            .collect();
        let mut added = self
            .add_all(
                decoded
                    .iter()
                    .filter_map(|d| d.as_ref().ok())
                    .cloned()
                    .collect(),
            )
            .into_iter();
        Ok(decoded
            .into_iter()
            .map(|d| {
                d.and_then(|_| {
                    added
                        .next()
                        .expect("one result per decoded transaction")
                        .map_err(|e| ApiError::Refused(e.to_string()))
                })
            })
            .collect())
    }

    fn submit_dev(&self, request: DevTxRequest) -> Result<Hex32, ApiError> {
        let key = self
            .dev_key(request.account)
            .ok_or_else(|| ApiError::NotFound(format!("dev account {}", request.account)))?
            .clone();
        let (payload, default_gas) = self.dev_payload(&request.payload)?;
        let gas_limit = match (request.gas_limit, default_gas, &request.payload) {
            (Some(g), ..) => g,
            (None, Some(g), _) => g,
            (
                None,
                None,
                DevPayload::Call {
                    contract,
                    function,
                    args,
                },
            ) => self
                .dry_run(CallRequest {
                    caller: Some(hex32(&key.public())),
                    contract: contract.clone(),
                    function: function.clone(),
                    args: args.clone(),
                    gas_limit: None,
                })
                .ok()
                .filter(|d| d.success)
                .map_or(DEV_CALL_GAS, |d| d.gas_estimate),
            (None, None, _) => DEV_CALL_GAS,
        };
        let sender = key.address();
        let mut session = self.session();
        let mut nonce = nonce_of(&mut session, self.shared.params.contracts.nonces, &sender)
            .map_err(internal)?;
        loop {
            let tx = UnsignedTx {
                chain_id: self.info.chain_id,
                sender: key.public(),
                nonce,
                gas_limit,
                gas_price: 1,
                payload: payload.clone(),
            }
            .sign(&key);
            match self.add(tx) {
                Ok(hash) => return Ok(hash),
                // The account's earlier dev transactions wait in the pool: take the next nonce.
                Err(MempoolRefusal::NonceTaken { .. }) => nonce += 1,
                Err(e) => return Err(ApiError::Refused(e.to_string())),
            }
        }
    }

    fn tx_status(&self, hash: &str) -> Result<TxStatus, ApiError> {
        let bytes = parse32("transaction hash", hash)?;
        let view = self.api_view();
        let included = || {
            view.chain.read().tx(hash).map(|found| TxStatus::Included {
                height: found.height,
                block_hash: found.block_hash,
                receipt: Box::new(found.receipt),
            })
        };
        if let Some(status) = included() {
            return Ok(status);
        }
        if view.mempool.lock().contains(&crate::chain::TxHash(bytes)) {
            return Ok(TxStatus::Pending);
        }
        // A node indexes a block's transactions before it drops them from its pool: one that
        // left the pool since the first look is in the index now.
        included().ok_or_else(|| ApiError::NotFound(format!("transaction {hash}")))
    }

    fn head(&self) -> HeadView {
        self.api_view().chain.read().head()
    }

    fn block(&self, which: BlockRef) -> Result<BlockView, ApiError> {
        let chain = self.api_view().chain.read();
        let found = match &which {
            BlockRef::Height(h) => chain.view_by_height(*h),
            BlockRef::Hash(hash) => {
                parse32("block hash", hash)?;
                chain.view_by_hash(hash)
            }
        };
        found.ok_or_else(|| ApiError::NotFound(format!("block {which:?}")))
    }

    fn account(&self, address: &str) -> Result<AccountView, ApiError> {
        let account = Address(parse32("address", address)?);
        let mut session = self.session();
        let contracts = self.shared.params.contracts;
        let balance = balance_of(&mut session, &contracts, &account).map_err(internal)?;
        let nonce = nonce_of(&mut session, contracts.nonces, &account).map_err(internal)?;
        Ok(AccountView {
            address: address.to_lowercase(),
            balance: balance.to_string(),
            nonce,
        })
    }

    fn storage(&self, contract: &str, key_hex: &str) -> Result<Option<String>, ApiError> {
        let id = ContractId(parse32("contract", contract)?);
        let key = parse_hex("key", key_hex)?;
        let session = self.session();
        if session.contract(&id).map_err(internal)?.is_none() {
            return Err(ApiError::NotFound(format!("contract {contract}")));
        }
        Ok(session
            .storage(&id, &key)
            .map_err(internal)?
            .map(hex::encode))
    }

    fn dry_run(&self, request: CallRequest) -> Result<DryRunView, ApiError> {
        let contract = ContractId(parse32("contract", &request.contract)?);
        let caller = match &request.caller {
            Some(c) => Address(parse32("caller", c)?),
            None => Address([0; 32]),
        };
        let args = parse_hex("args", &request.args)?;
        let gas_limit = request
            .gas_limit
            .unwrap_or(self.shared.params.block_gas_limit);
        let mut session = self.session();
        if session.contract(&contract).map_err(internal)?.is_none() {
            return Err(ApiError::NotFound(format!("contract {}", request.contract)));
        }
        let r = session
            .call(caller, contract, &request.function, &args, gas_limit)
            .map_err(internal)?;
        // What every transaction pays, by the size of this one's payload.
        let intrinsic = Payload::Call {
            contract,
            function: request.function.clone(),
            args,
        }
        .intrinsic_gas();
        Ok(DryRunView {
            success: r.result.is_ok(),
            return_data: r.result.as_ref().ok().map(hex::encode),
            error: r.result.as_ref().err().map(|e| e.to_string()),
            gas_spent: r.gas_spent,
            // 20 % over the call's gas, plus what every transaction pays.
            gas_estimate: intrinsic + r.gas_spent + r.gas_spent / 5,
        })
    }

    fn provisioners(&self) -> Result<Vec<ProvisionerView>, ApiError> {
        let mut session = self.session();
        let stake = self.shared.params.contracts.genesis.stake;
        let epoch_length = self.epoch_length.max(1);
        let offset = self.shared.params.height_offset;
        let height = session.block().height;
        // Every key with a record: the stake contract's sorted `keys` item.
        let keys: Vec<BlsPublicKey> = match session.storage(&stake, STAKE_KEYS_ITEM) {
            Ok(Some(bytes)) => borsh::from_slice(&bytes).map_err(internal)?,
            Ok(None) => Vec::new(),
            Err(e) => return Err(internal(e)),
        };
        let epoch = height.saturating_add(1) / epoch_length;
        // Contract heights → the API's (consensus) heights.
        let api_height = |e: u64| e.saturating_mul(epoch_length).saturating_sub(offset);
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let args = borsh::to_vec(&key).unwrap_or_default();
            let r = session
                .call_protocol(stake, "stake_of", &args, 10_000_000)
                .map_err(internal)?;
            let bytes = r.result.map_err(internal)?;
            let info: Option<StakeInfo> = borsh::from_slice(&bytes).map_err(internal)?;
            let Some(info) = info else { continue };
            let weight = info.weight_at(epoch, self.minimum_stake);
            let running = self.provisioner_keys.iter().position(|(k, _)| *k == key);
            out.push(ProvisionerView {
                key: hex::encode(key.0),
                owner: hex32(&info.owner.0),
                stake: info.locked.to_string(),
                maturing: info.maturing.to_string(),
                eligible_from: api_height(info.eligible_from),
                expires_at: api_height(info.expires_at),
                eligible: weight > 0,
                weight: weight.to_string(),
                reward: info.reward.to_string(),
                missed: info.missed,
                suspended: info.suspended(epoch),
                slashed: info.slashed.to_string(),
                online: running
                    .filter(|i| *i < self.views.len())
                    .map(|i| self.shared.transport.is_online(i)),
            });
        }
        Ok(out)
    }

    fn committee(&self, round: u64, iteration: u8, step: &str) -> Result<CommitteeView, ApiError> {
        Committees {
            store: &self.api_view().store,
            keys: &self.shared.keys,
            params: self.committee_params,
            genesis: &self.genesis_header,
            genesis_set: &self.genesis_set,
        }
        .committee(round, iteration, step)
    }

    fn events(&self, filter: EventFilter) -> Result<Vec<EventView>, ApiError> {
        if let Some(c) = &filter.contract {
            parse32("contract", c)?;
        }
        Ok(self.api_view().chain.read().events(&filter))
    }

    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<ChainEvent> {
        self.shared.subscribe()
    }

    fn mine(&self) -> Result<u64, ApiError> {
        if self.shared.mode != BlockMode::Manual {
            return Err(ApiError::NotAllowed(format!(
                "mine needs a --manual devnet; this one is {}",
                self.info.block_mode
            )));
        }
        // Every transaction submitted before this call goes into the block: each node first
        // checks what was gossiped to it, so the proposer (any node) has it in its pool.
        if !self.shared.sync_gossip(MINE_TIMEOUT) {
            return Err(ApiError::Internal(format!(
                "the nodes did not check their gossiped transactions within {} s",
                MINE_TIMEOUT.as_secs()
            )));
        }
        let target = self.shared.want_next();
        let index = self.api_index();
        if self
            .shared
            .wait_until(MINE_TIMEOUT, || self.shared.tip(index) >= target)
        {
            Ok(target)
        } else {
            Err(ApiError::Internal(format!(
                "block {target} not accepted within {} s (are enough provisioners online?)",
                MINE_TIMEOUT.as_secs()
            )))
        }
    }

    fn set_next_timestamp(&self, timestamp_ms: u64) -> Result<(), ApiError> {
        let tip = self.head();
        let tip_ts = self.block(BlockRef::Height(tip.height))?.timestamp_ms;
        let earliest = tip_ts + self.shared.mode.min_block_time();
        if timestamp_ms < earliest {
            return Err(bad(format!(
                "timestamp {timestamp_ms} before {earliest} (the tip's plus the minimum block time)"
            )));
        }
        self.shared.clock.jump_to(timestamp_ms);
        *self.shared.next_timestamp.lock() = Some(timestamp_ms);
        self.shared.wake_all();
        Ok(())
    }

    fn fund(&self, address: &str, amount: &str) -> Result<(), ApiError> {
        let to = Address(parse32("address", address)?);
        let amount = parse_amount(amount)?;
        self.shared.queue_mint(to, amount);
        if self.shared.mode == BlockMode::Instant {
            self.shared.want_next();
        }
        Ok(())
    }

    fn set_online(&self, index: usize, online: bool) -> Result<(), ApiError> {
        // A node going offline first gossips what its pool accepted (it could not afterwards).
        if let Some(outbox) = self.shared.outboxes.get(index).filter(|_| !online) {
            outbox.flush(&self.shared.transport);
        }
        if !self.shared.transport.set_online(index, online) {
            return Err(ApiError::NotFound(format!(
                "provisioner {index} (this devnet runs {})",
                self.views.len()
            )));
        }
        self.shared.update_clock();
        self.shared.wake_all();
        Ok(())
    }
}

/// A receipt, by transaction hash, from a status (tests).
pub fn receipt_of(status: &TxStatus) -> Option<&ReceiptView> {
    match status {
        TxStatus::Included { receipt, .. } => Some(receipt),
        TxStatus::Pending => None,
    }
}
