//! A fake `NodeApi`: it records every call (method and arguments, as text) and answers fixed
//! views, so tests check what the HTTP layer asked the node and what it made of the answer.
//!
//! What it decides itself, like a node would:
//! - `submit` decodes the transaction and checks its signature for [`CHAIN_ID`] (`BadRequest`
//!   when it does not decode, `Refused` when the signature fails), then answers its real hash;
//! - `block`: heights up to [`HEAD_HEIGHT`] and the hash [`BLOCK_HASH`] exist, others are
//!   `NotFound`; `tx_status`: [`INCLUDED_TX`] is included, [`PENDING_TX`] pending, others
//!   `NotFound`;
//! - `mine` is `NotAllowed` unless built [`FakeNode::manual`]; `set_online` knows
//!   [`PROVISIONERS`] provisioners;
//! - `tx_status` of a transaction `submit` accepted, or of [`DEV_TX`], is included with a
//!   receipt of that hash, failed when the transaction calls a function named `fail`;
//! - `storage` of the key `00` is absent; a dry run of the function `missing` fails;
//! - a call of `dry_run` on the function `explode` panics (a backend bug the server must
//!   survive).

use node_lite::chain::Transaction;
use node_lite::node_api::*;
use std::sync::Mutex;
use tokio::sync::broadcast;

/// The fake chain's id.
pub const CHAIN_ID: u64 = 7357;
/// The tip's height.
pub const HEAD_HEIGHT: u64 = 12;
/// The hash of the block at height 7.
pub const BLOCK_HASH: &str = "b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7";
/// An included transaction.
pub const INCLUDED_TX: &str = "1111111111111111111111111111111111111111111111111111111111111111";
/// A pending transaction.
pub const PENDING_TX: &str = "2222222222222222222222222222222222222222222222222222222222222222";
/// The hash `submit_dev` answers.
pub const DEV_TX: &str = "4444444444444444444444444444444444444444444444444444444444444444";
/// The transfer contract's id.
pub const TRANSFER: &str = "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a";
/// The stake contract's id.
pub const STAKE: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
/// Provisioners the fake runs.
pub const PROVISIONERS: usize = 4;
/// The next nonce of every account.
pub const NEXT_NONCE: u64 = 5;

/// See the [module docs](self).
pub struct FakeNode {
    calls: Mutex<Vec<String>>,
    submitted: Mutex<Vec<Transaction>>,
    events: broadcast::Sender<ChainEvent>,
    manual: bool,
}

impl FakeNode {
    /// A fake whose `mine` is not allowed (an instant-mode devnet).
    pub fn new() -> Self {
        FakeNode {
            calls: Mutex::new(Vec::new()),
            submitted: Mutex::new(Vec::new()),
            events: broadcast::channel(8).0,
            manual: false,
        }
    }

    /// A fake whose `mine` is allowed (`--manual`).
    pub fn manual() -> Self {
        FakeNode {
            manual: true,
            ..Self::new()
        }
    }

    /// The calls so far, as text.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    /// The transactions `submit` accepted.
    pub fn submitted(&self) -> Vec<Transaction> {
        self.submitted.lock().unwrap().clone()
    }

    /// Publish `event` to subscribers; how many received it.
    pub fn publish(&self, event: ChainEvent) -> usize {
        self.events.send(event).unwrap_or(0)
    }

    /// How many subscribers listen.
    pub fn subscribers(&self) -> usize {
        self.events.receiver_count()
    }

    fn record(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }
}

/// The block at `height` as the fake shows it.
pub fn block_at(height: u64) -> BlockView {
    BlockView {
        height,
        iteration: 0,
        hash: if height == 7 {
            BLOCK_HASH.into()
        } else {
            format!("{height:064x}")
        },
        prev_hash: format!("{:064x}", height.saturating_sub(1)),
        timestamp_ms: 1_700_000_000_000 + height * 1000,
        state_root: "ab".repeat(32),
        generator: "cd".repeat(96),
        gas_used: 21_000,
        transactions: vec![INCLUDED_TX.into()],
        label: "final".into(),
    }
}

/// The one event the fake knows.
pub fn event() -> EventView {
    EventView {
        height: 7,
        tx_hash: INCLUDED_TX.into(),
        contract: TRANSFER.into(),
        topic: "transfer".into(),
        data: "0102".into(),
        reverted: false,
    }
}

/// The receipt of [`INCLUDED_TX`].
pub fn receipt() -> ReceiptView {
    ReceiptView {
        hash: INCLUDED_TX.into(),
        sender: "aa".repeat(32),
        nonce: 0,
        gas_limit: 1_000_000,
        gas_spent: 708_000,
        fee_paid: "708000".into(),
        success: true,
        return_data: Some(String::new()),
        error: None,
        deployed: None,
        events: vec![event()],
    }
}

fn included(hash: &str, nonce: u64, success: bool) -> TxStatus {
    TxStatus::Included {
        height: HEAD_HEIGHT,
        block_hash: block_at(HEAD_HEIGHT).hash,
        receipt: Box::new(ReceiptView {
            hash: hash.into(),
            nonce,
            success,
            error: (!success).then(|| "the call failed".into()),
            events: Vec::new(),
            ..receipt()
        }),
    }
}

impl NodeApi for FakeNode {
    fn chain_info(&self) -> ChainInfo {
        self.record("chain_info".into());
        ChainInfo {
            chain_id: CHAIN_ID,
            genesis_root: "00".repeat(32),
            provisioners: PROVISIONERS,
            block_mode: if self.manual { "manual" } else { "instant" }.into(),
            block_gas_limit: 2_000_000_000,
            gas_schedule: "9d".repeat(32),
            contracts: vec![
                ("transfer".into(), TRANSFER.into()),
                ("stake".into(), STAKE.into()),
            ],
        }
    }

    fn dev_accounts(&self) -> Vec<DevAccount> {
        self.record("dev_accounts".into());
        vec![DevAccount {
            index: 0,
            address: "aa".repeat(32),
            secret_key: "01".repeat(32),
            balance: "1000000000000".into(),
        }]
    }

    fn submit(&self, tx: &[u8]) -> Result<Hex32, ApiError> {
        self.record(format!("submit {} bytes", tx.len()));
        let tx = Transaction::decode(tx).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        tx.verify(CHAIN_ID)
            .map_err(|e| ApiError::Refused(e.to_string()))?;
        let hash = tx.hash().to_string();
        self.submitted.lock().unwrap().push(tx);
        Ok(hash)
    }

    fn submit_dev(&self, request: DevTxRequest) -> Result<Hex32, ApiError> {
        self.record(format!(
            "submit_dev {}",
            serde_json::to_string(&request).unwrap()
        ));
        if request.account > 0 {
            return Err(ApiError::NotFound(format!(
                "dev account {} (there is 1)",
                request.account
            )));
        }
        Ok(DEV_TX.into())
    }

    fn tx_status(&self, hash: &str) -> Result<TxStatus, ApiError> {
        self.record(format!("tx_status {hash}"));
        let submitted = self.submitted.lock().unwrap().clone();
        if let Some(tx) = submitted.iter().find(|t| t.hash().to_string() == hash) {
            let fails = matches!(&tx.body.payload,
                node_lite::chain::Payload::Call { function, .. } if function == "fail");
            return Ok(included(hash, tx.body.nonce, !fails));
        }
        match hash {
            DEV_TX => Ok(included(DEV_TX, 0, true)),
            INCLUDED_TX => Ok(TxStatus::Included {
                height: 7,
                block_hash: BLOCK_HASH.into(),
                receipt: Box::new(receipt()),
            }),
            PENDING_TX => Ok(TxStatus::Pending),
            _ => Err(ApiError::NotFound(format!("transaction {hash}"))),
        }
    }

    fn head(&self) -> HeadView {
        self.record("head".into());
        HeadView {
            height: HEAD_HEIGHT,
            hash: block_at(HEAD_HEIGHT).hash,
            state_root: "ab".repeat(32),
            finalized_height: HEAD_HEIGHT - 2,
            label: "accepted".into(),
        }
    }

    fn block(&self, which: BlockRef) -> Result<BlockView, ApiError> {
        self.record(format!("block {which:?}"));
        match which {
            BlockRef::Height(h) if h <= HEAD_HEIGHT => Ok(block_at(h)),
            BlockRef::Hash(h) if h == BLOCK_HASH => Ok(block_at(7)),
            other => Err(ApiError::NotFound(format!("block {other:?}"))),
        }
    }

    fn account(&self, address: &str) -> Result<AccountView, ApiError> {
        self.record(format!("account {address}"));
        Ok(AccountView {
            address: address.into(),
            balance: "340282366920938463463374607431768211455".into(),
            nonce: NEXT_NONCE,
        })
    }

    fn storage(&self, contract: &str, key_hex: &str) -> Result<Option<String>, ApiError> {
        self.record(format!("storage {contract} {key_hex}"));
        Ok((key_hex != "00").then(|| "beef".into()))
    }

    fn dry_run(&self, request: CallRequest) -> Result<DryRunView, ApiError> {
        self.record(format!(
            "dry_run {}",
            serde_json::to_string(&request).unwrap()
        ));
        if request.function == "explode" {
            panic!("the fake backend panics on `explode`");
        }
        if request.function == "missing" {
            return Ok(DryRunView {
                success: false,
                return_data: None,
                error: Some("no entry point `missing`".into()),
                gas_spent: 52_000,
                gas_estimate: 800_000,
            });
        }
        Ok(DryRunView {
            success: true,
            return_data: Some("2a".into()),
            error: None,
            gas_spent: 1_000,
            gas_estimate: 2_000_000,
        })
    }

    fn provisioners(&self) -> Result<Vec<ProvisionerView>, ApiError> {
        self.record("provisioners".into());
        Ok((0..2)
            .map(|i| ProvisionerView {
                key: format!("{i:0192x}"),
                owner: format!("{i:064x}"),
                stake: "1000000".into(),
                maturing: "0".into(),
                eligible_from: 0,
                expires_at: 1000,
                eligible: true,
                weight: "1000000".into(),
                reward: "0".into(),
                missed: 0,
                suspended: false,
                slashed: "0".into(),
                online: Some(i == 0),
            })
            .collect())
    }

    fn committee(&self, round: u64, iteration: u8, step: &str) -> Result<CommitteeView, ApiError> {
        self.record(format!("committee {round} {iteration} {step}"));
        Ok(CommitteeView {
            round,
            iteration,
            step: step.into(),
            total_credits: 64,
            members: vec![(format!("{:0192x}", 1), 40)],
            provisioners: vec![(format!("{:0192x}", 1), "1000000".into())],
        })
    }

    fn events(&self, filter: EventFilter) -> Result<Vec<EventView>, ApiError> {
        self.record(format!(
            "events {}",
            serde_json::to_string(&filter).unwrap()
        ));
        Ok(vec![event()])
    }

    fn subscribe(&self) -> broadcast::Receiver<ChainEvent> {
        self.record("subscribe".into());
        self.events.subscribe()
    }

    fn mine(&self) -> Result<u64, ApiError> {
        self.record("mine".into());
        if self.manual {
            Ok(HEAD_HEIGHT + 1)
        } else {
            Err(ApiError::NotAllowed(
                "mine needs a --manual devnet, this one is instant".into(),
            ))
        }
    }

    fn set_next_timestamp(&self, timestamp_ms: u64) -> Result<(), ApiError> {
        self.record(format!("set_next_timestamp {timestamp_ms}"));
        Ok(())
    }

    fn fund(&self, address: &str, amount: &str) -> Result<(), ApiError> {
        self.record(format!("fund {address} {amount}"));
        Ok(())
    }

    fn set_online(&self, index: usize, online: bool) -> Result<(), ApiError> {
        self.record(format!("set_online {index} {online}"));
        if index >= PROVISIONERS {
            return Err(ApiError::NotFound(format!(
                "provisioner {index} (there are {PROVISIONERS})"
            )));
        }
        Ok(())
    }
}
