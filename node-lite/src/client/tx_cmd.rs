//! `node-lite tx deploy|call|transfer|stake|unstake|renew`: build a transaction, sign it
//! (locally with `--key`, or on the node with `--dev-account`), submit it, print JSON
//! (`{"hash", …}`; with `--wait`, also its `status` once included, exit 1 if it failed).

use super::signer::{Gas, Sender, Signer, TxSettings};
use super::stake_calls;
use super::{ClientError, NODE_ENV, NodeClient, Outcome, default_node_url};
use crate::chain::block_exec::deploy_gas;
use crate::chain::tx::TX_INTRINSIC_GAS;
use crate::chain::{AccountKey, Payload};
use crate::node_api::TxStatus;
use crate::signature::read_signatures;
use clap::{Args, Subcommand};
use host_api::{Address, ContractId};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Gas left for `init` in a deploy's default gas limit.
pub const INIT_GAS_ALLOWANCE: u64 = 100_000_000;
/// Gas of a transfer without `--gas`: the intrinsic gas and the `transfer` contract's call.
pub const TRANSFER_GAS: u64 = TX_INTRINSIC_GAS + 1_000_000;

/// `--node`: which node.
#[derive(Debug, Clone, Args)]
pub struct NodeArg {
    /// The node's API (default `http://127.0.0.1:8545`).
    #[arg(long, value_name = "URL", env = NODE_ENV, global = true)]
    pub node: Option<String>,
}

impl NodeArg {
    /// A client of the chosen node.
    pub fn client(&self) -> NodeClient {
        NodeClient::new(self.node.clone().unwrap_or_else(default_node_url).as_str())
    }
}

/// Arguments of `tx`.
#[derive(Debug, Args)]
pub struct TxArgs {
    /// What to send.
    #[command(subcommand)]
    pub command: TxCommand,
    /// The node.
    #[command(flatten)]
    pub node: NodeArg,
    /// Sign locally with this ed25519 secret key (64 hex digits).
    #[arg(
        long,
        value_name = "HEX",
        global = true,
        conflicts_with = "dev_account"
    )]
    pub key: Option<String>,
    /// Let the node sign with its dev account N (`node-lite query dev-accounts`).
    #[arg(long, value_name = "N", global = true)]
    pub dev_account: Option<usize>,
    /// Gas limit (default: a call's dry-run estimate; fixed amounts for transfers, deploys and
    /// stakes).
    #[arg(long, value_name = "GAS", global = true)]
    pub gas: Option<u64>,
    /// Gas price (local keys; default 1).
    #[arg(
        long,
        value_name = "PRICE",
        global = true,
        conflicts_with = "dev_account"
    )]
    pub gas_price: Option<u64>,
    /// Nonce of the (first) transaction (local keys; default the account's next nonce).
    #[arg(long, value_name = "N", global = true, conflicts_with = "dev_account")]
    pub nonce: Option<u64>,
    /// Wait until the transaction is in a block and print its receipt.
    #[arg(long, global = true)]
    pub wait: bool,
    /// How long `--wait` waits.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, global = true)]
    pub timeout: u64,
}

/// A contract call's target and argument, as `tx call` and `query call` take them.
#[derive(Debug, Args)]
pub struct ContractCall {
    /// The contract's id (64 hex digits).
    pub contract: String,
    /// The entry point.
    #[arg(long = "fn", value_name = "NAME")]
    pub function: String,
    /// The argument: `0x…` borsh hex, or JSON encoded through the signatures of `--abi`.
    #[arg(long, value_name = "JSON|HEX", allow_hyphen_values = true)]
    pub args: Option<String>,
    /// The contract's module (`.wasm`), to encode JSON `--args` through its signatures.
    #[arg(long, value_name = "WASM")]
    pub abi: Option<PathBuf>,
}

impl ContractCall {
    /// The contract id's bytes.
    ///
    /// # Errors
    /// Not 64 hex digits.
    pub fn contract_id(&self) -> Result<ContractId, ClientError> {
        Ok(ContractId(bytes32("CONTRACT", &self.contract)?))
    }

    /// The argument's borsh bytes: hex as is, JSON through the signatures of `--abi`.
    ///
    /// # Errors
    /// An unreadable module, bad hex, or JSON that does not fit the signature.
    pub fn encoded_args(&self) -> Result<Vec<u8>, ClientError> {
        let module = self.abi.as_deref().map(read_module).transpose()?;
        encode_args(self.args.as_deref(), module.as_deref(), &self.function)
    }
}

/// `tx` subcommands.
#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Move native tokens.
    Transfer {
        /// The payee's address (64 hex digits).
        #[arg(long, value_name = "HEX")]
        to: String,
        /// The amount.
        #[arg(long)]
        amount: u128,
    },
    /// Call a contract's entry point.
    Call(ContractCall),
    /// Deploy a module (`.wasm` or WAT), optionally calling `init`.
    Deploy {
        /// The module.
        contract: PathBuf,
        /// `init`'s argument (`0x…` hex, or JSON through the module's signature of `init`).
        #[arg(long, value_name = "JSON|HEX", allow_hyphen_values = true)]
        init_args: Option<String>,
    },
    /// Stake for a provisioner key: approve the stake contract, then stake (two transactions).
    Stake {
        /// The provisioner key's seed (as in a genesis file): it signs the proof of possession.
        #[arg(long, value_name = "SEED")]
        provisioner_seed: String,
        /// The amount.
        #[arg(long)]
        amount: u128,
    },
    /// Unlock stake (maturing, not yet eligible or expired).
    Unstake {
        /// The provisioner.
        #[command(flatten)]
        provisioner: ProvisionerArg,
        /// The amount.
        #[arg(long)]
        amount: u128,
    },
    /// Keep a provisioner's stake eligible (extend or restart its window).
    Renew {
        /// The provisioner.
        #[command(flatten)]
        provisioner: ProvisionerArg,
    },
}

/// A provisioner key: its public key, or the seed it derives from.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct ProvisionerArg {
    /// The provisioner's BLS public key (hex).
    #[arg(long, value_name = "HEX")]
    pub provisioner: Option<String>,
    /// The provisioner key's seed (as in a genesis file).
    #[arg(long, value_name = "SEED")]
    pub provisioner_seed: Option<String>,
}

impl ProvisionerArg {
    fn public_key(&self) -> Result<genesis_types::BlsPublicKey, ClientError> {
        match (&self.provisioner, &self.provisioner_seed) {
            (Some(hex_key), _) => stake_calls::public_key(hex_key),
            (None, Some(seed)) => Ok(stake_calls::key_from_seed(seed).public),
            (None, None) => Err(ClientError::Input(
                "give --provisioner HEX or --provisioner-seed SEED".into(),
            )),
        }
    }
}

fn input(message: impl Into<String>) -> ClientError {
    ClientError::Input(message.into())
}

fn bytes32(field: &str, text: &str) -> Result<[u8; 32], ClientError> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    let bytes = hex::decode(digits).map_err(|e| input(format!("{field} is not hex: {e}")))?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| input(format!("{field} must be 32 bytes, got {}", b.len())))
}

fn read_module(path: &Path) -> Result<Vec<u8>, ClientError> {
    crate::module_file::read_module(&path.to_path_buf()).map_err(|out| {
        let message = out.json["error"]["message"]
            .as_str()
            .unwrap_or("unreadable module");
        input(message.to_string())
    })
}

/// Encode `args` for `function`: hex as is, JSON through the signatures of `module`.
fn encode_args(
    args: Option<&str>,
    module: Option<&[u8]>,
    function: &str,
) -> Result<Vec<u8>, ClientError> {
    let is_json = args.is_some_and(|a| !a.trim().starts_with("0x"));
    let signatures = module.map(read_signatures);
    if is_json && module.is_none() {
        return Err(input(
            "JSON --args needs --abi WASM (the contract's module, for its signatures); \
             or pass the borsh bytes as 0x<hex>",
        ));
    }
    let signature = signatures.as_ref().and_then(|s| s.get(function));
    crate::call_input::encode_args(args, signature).map_err(input)
}

fn signer(args: &TxArgs) -> Result<Signer, ClientError> {
    match (&args.key, args.dev_account) {
        (Some(key), None) => {
            let key = AccountKey::from_secret(bytes32("--key", key)?);
            Ok(Signer::Local(Box::new(key)))
        }
        (None, Some(index)) => Ok(Signer::Dev(index)),
        _ => Err(input(
            "give --key HEX (sign here) or --dev-account N (the node signs)",
        )),
    }
}

/// Add `status` (and a deploy's `contract`) to `sent` once included; whether it succeeded.
fn await_receipt(
    client: &NodeClient,
    sent: &mut Value,
    timeout: Duration,
) -> Result<bool, ClientError> {
    let hash = sent["hash"].as_str().unwrap_or_default().to_string();
    let status = client.wait_included(&hash, timeout)?;
    let success = match &status {
        TxStatus::Included { receipt, .. } => {
            if let Some(id) = &receipt.deployed {
                sent["contract"] = json!(id);
            }
            receipt.success
        }
        TxStatus::Pending => false,
    };
    sent["status"] = serde_json::to_value(&status).unwrap_or(Value::Null);
    Ok(success)
}

/// Run `tx …`.
///
/// # Errors
/// See [`ClientError`].
pub fn run(args: &TxArgs) -> Result<Outcome, ClientError> {
    let client = args.node.client();
    let settings = TxSettings {
        gas: args.gas,
        gas_price: args.gas_price,
        nonce: args.nonce,
    };
    let mut sender = Sender::new(&client, signer(args)?, settings);
    let timeout = Duration::from_secs(args.timeout);
    let finish = |mut sent: Vec<Value>, extra: Option<(&str, Value)>| {
        let mut ok = true;
        if args.wait {
            for s in &mut sent {
                ok &= await_receipt(&client, s, timeout)?;
            }
        }
        let json = match (sent.len(), extra) {
            (1, None) => sent.remove(0),
            (_, extra) => {
                let mut object = json!({ "transactions": sent });
                if let Some((k, v)) = extra {
                    object[k] = v;
                }
                object
            }
        };
        Ok(Outcome {
            json,
            code: if ok { 0 } else { 1 },
        })
    };
    match &args.command {
        TxCommand::Transfer { to, amount } => {
            let payload = Payload::Transfer {
                to: Address(bytes32("--to", to)?),
                amount: *amount,
            };
            let gas = if args.dev_account.is_some() {
                Gas::Estimate
            } else {
                Gas::Fixed(TRANSFER_GAS)
            };
            finish(vec![sender.send(payload, gas)?], None)
        }
        TxCommand::Call(call) => {
            let payload = Payload::Call {
                contract: call.contract_id()?,
                function: call.function.clone(),
                args: call.encoded_args()?,
            };
            finish(vec![sender.send(payload, Gas::Estimate)?], None)
        }
        TxCommand::Deploy {
            contract,
            init_args,
        } => {
            let code = read_module(contract)?;
            let init_args = init_args
                .as_deref()
                .map(|a| encode_args(Some(a), Some(&code), "init"))
                .transpose()?;
            let work = deploy_gas(&code)
                + if init_args.is_some() {
                    INIT_GAS_ALLOWANCE
                } else {
                    0
                };
            let payload = Payload::Deploy { code, init_args };
            let gas = payload.intrinsic_gas() + work;
            finish(vec![sender.send(payload, Gas::Fixed(gas))?], None)
        }
        TxCommand::Stake {
            provisioner_seed,
            amount,
        } => {
            let info = client.chain_info()?;
            let transfer = stake_calls::genesis_contract(&info, "transfer")?;
            let stake = stake_calls::genesis_contract(&info, "stake")?;
            let key = stake_calls::key_from_seed(provisioner_seed);
            let owner = Address(sender.address()?);
            let mut sent = Vec::new();
            for (payload, gas) in stake_calls::stake(transfer, stake, &key, owner, *amount)? {
                sent.push(sender.send(payload, gas)?);
            }
            let provisioner = json!(hex::encode(key.public.0));
            finish(sent, Some(("provisioner", provisioner)))
        }
        TxCommand::Unstake {
            provisioner,
            amount,
        } => {
            let stake = stake_calls::genesis_contract(&client.chain_info()?, "stake")?;
            let payload = stake_calls::unstake(stake, provisioner.public_key()?, *amount)?;
            finish(vec![sender.send(payload, Gas::Estimate)?], None)
        }
        TxCommand::Renew { provisioner } => {
            let stake = stake_calls::genesis_contract(&client.chain_info()?, "stake")?;
            let payload = stake_calls::renew(stake, provisioner.public_key()?)?;
            finish(vec![sender.send(payload, Gas::Estimate)?], None)
        }
    }
}
