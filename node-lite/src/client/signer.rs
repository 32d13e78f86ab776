//! Who signs a transaction the client sends, and how its nonce, gas and fee are chosen.
//!
//! - [`Signer::Local`]: a secret key given to the client (`--key`). The client asks the node
//!   for the chain id (`GET /chain`) and the sender's next nonce (`GET /accounts/{address}`,
//!   unless `--nonce`), builds the [`UnsignedTx`], signs it here (the key never leaves the
//!   machine) and submits the encoding (`POST /tx`). Several transactions of one command take
//!   consecutive nonces.
//! - [`Signer::Dev`]: a dev account of the devnet (`--dev-account N`): the node signs with
//!   its nonce and a gas price of 1 (`POST /dev/tx`).
//!
//! Gas: `--gas` when given; else each payload says how it is found ([`Gas`]): a fixed amount
//! (a deploy: the intrinsic gas, the deploy's price per byte and an allowance for `init`), or a
//! dry run of the call at the tip (`POST /call`; a failing dry run stops the command, since the
//! transaction would fail and still be charged), or — for a dev account — the node's own default.

use super::{ClientError, NodeClient};
use crate::chain::{AccountKey, Payload, UnsignedTx};
use crate::node_api::{CallRequest, DevPayload, DevTxRequest};
use serde_json::{Value, json};

/// The gas price of a locally signed transaction without `--gas-price`.
pub const DEFAULT_GAS_PRICE: u64 = 1;

/// Who signs.
pub enum Signer {
    /// A secret key held by the client.
    Local(Box<AccountKey>),
    /// A dev account of the node, by index.
    Dev(usize),
}

/// How a payload's gas limit is found when `--gas` is not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gas {
    /// This much.
    Fixed(u64),
    /// A dry run's estimate (a call); a dev account lets the node estimate.
    Estimate,
}

/// `--gas`, `--gas-price`, `--nonce`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxSettings {
    /// The gas limit of every transaction the command sends.
    pub gas: Option<u64>,
    /// The gas price (local keys only).
    pub gas_price: Option<u64>,
    /// The first nonce (local keys only).
    pub nonce: Option<u64>,
}

/// Sends transactions as one signer (see the [module docs](self)).
pub struct Sender<'a> {
    client: &'a NodeClient,
    signer: Signer,
    settings: TxSettings,
    chain_id: Option<u64>,
    next_nonce: Option<u64>,
}

fn hex32(bytes: &[u8; 32]) -> String {
    hex::encode(bytes)
}

impl<'a> Sender<'a> {
    /// A sender through `client`.
    pub fn new(client: &'a NodeClient, signer: Signer, settings: TxSettings) -> Self {
        Sender {
            client,
            signer,
            settings,
            chain_id: None,
            next_nonce: settings.nonce,
        }
    }

    /// The sender's address (a dev account's is asked of the node).
    ///
    /// # Errors
    /// A request that fails, or a dev account the node does not have.
    pub fn address(&self) -> Result<[u8; 32], ClientError> {
        match &self.signer {
            Signer::Local(key) => Ok(key.public()),
            Signer::Dev(index) => {
                let accounts = self.client.dev_accounts()?;
                let account = accounts.iter().find(|a| a.index == *index).ok_or_else(|| {
                    ClientError::Input(format!(
                        "the node has no dev account {index} (it has {})",
                        accounts.len()
                    ))
                })?;
                let bytes = hex::decode(&account.address)
                    .ok()
                    .and_then(|b| b.try_into().ok());
                bytes.ok_or_else(|| {
                    ClientError::Transport(format!(
                        "dev account {index}'s address is not 32 bytes of hex: {}",
                        account.address
                    ))
                })
            }
        }
    }

    fn gas_limit(&self, payload: &Payload, gas: Gas) -> Result<Option<u64>, ClientError> {
        if let Some(limit) = self.settings.gas {
            return Ok(Some(limit));
        }
        match (gas, &self.signer, payload) {
            (Gas::Fixed(limit), _, _) => Ok(Some(limit)),
            (Gas::Estimate, Signer::Dev(_), _) => Ok(None),
            (
                Gas::Estimate,
                Signer::Local(key),
                Payload::Call {
                    contract,
                    function,
                    args,
                },
            ) => {
                let dry = self.client.dry_run(&CallRequest {
                    caller: Some(hex32(&key.public())),
                    contract: hex32(&contract.0),
                    function: function.clone(),
                    args: hex::encode(args),
                    gas_limit: None,
                })?;
                if !dry.success {
                    return Err(ClientError::DryRun {
                        function: function.clone(),
                        error: dry.error.unwrap_or_else(|| "no reason given".into()),
                    });
                }
                Ok(Some(dry.gas_estimate))
            }
            (Gas::Estimate, Signer::Local(_), _) => Err(ClientError::Input(
                "only a call's gas can be estimated: pass --gas".into(),
            )),
        }
    }

    /// Sign (here or on the node) and submit `payload`. Returns what was sent:
    /// `{"hash", "sender", "nonce", "gas_limit", "gas_price"}` (a dev account's nonce and price
    /// are the node's: `null`).
    ///
    /// # Errors
    /// A request that fails or is refused.
    pub fn send(&mut self, payload: Payload, gas: Gas) -> Result<Value, ClientError> {
        let gas_limit = self.gas_limit(&payload, gas)?;
        match &self.signer {
            Signer::Dev(index) => {
                let request = DevTxRequest {
                    account: *index,
                    payload: dev_payload(&payload),
                    gas_limit,
                };
                let hash = self.client.submit_dev(&request)?;
                Ok(json!({
                    "hash": hash,
                    "dev_account": index,
                    "nonce": null,
                    "gas_limit": gas_limit,
                    "gas_price": null,
                }))
            }
            Signer::Local(key) => {
                let gas_limit = gas_limit.ok_or_else(|| {
                    ClientError::Input("no gas limit for a locally signed transaction".into())
                })?;
                let chain_id = match self.chain_id {
                    Some(id) => id,
                    None => {
                        let id = self.client.chain_info()?.chain_id;
                        self.chain_id = Some(id);
                        id
                    }
                };
                let nonce = match self.next_nonce {
                    Some(n) => n,
                    None => self.client.account(&hex32(&key.public()))?.nonce,
                };
                let gas_price = self.settings.gas_price.unwrap_or(DEFAULT_GAS_PRICE);
                let tx = UnsignedTx {
                    chain_id,
                    sender: key.public(),
                    nonce,
                    gas_limit,
                    gas_price,
                    payload,
                }
                .sign(key);
                let hash = self.client.submit(&tx.encode())?;
                self.next_nonce = Some(nonce + 1);
                Ok(json!({
                    "hash": hash,
                    "sender": hex32(&key.public()),
                    "nonce": nonce,
                    "gas_limit": gas_limit,
                    "gas_price": gas_price,
                }))
            }
        }
    }
}

/// A payload in the dev endpoint's JSON form.
pub fn dev_payload(payload: &Payload) -> DevPayload {
    match payload {
        Payload::Deploy { code, init_args } => DevPayload::Deploy {
            code: hex::encode(code),
            init_args: init_args.as_ref().map(hex::encode),
        },
        Payload::Call {
            contract,
            function,
            args,
        } => DevPayload::Call {
            contract: hex32(&contract.0),
            function: function.clone(),
            args: hex::encode(args),
        },
        Payload::Transfer { to, amount } => DevPayload::Transfer {
            to: hex32(&to.0),
            amount: amount.to_string(),
        },
    }
}
