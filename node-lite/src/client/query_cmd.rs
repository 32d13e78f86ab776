//! `node-lite query …`: read the chain through the API and print its JSON answer.

use super::http::encode_component as enc;
use super::tx_cmd::{ContractCall, NodeArg};
use super::{ClientError, NodeClient, Outcome};
use clap::{Args, Subcommand};
use serde_json::json;

/// Arguments of `query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// What to read.
    #[command(subcommand)]
    pub command: QueryCommand,
    /// The node.
    #[command(flatten)]
    pub node: NodeArg,
}

/// `query` subcommands.
#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// The tip and the highest final block.
    Head,
    /// The chain's constants: chain id, genesis root, block mode, genesis contracts.
    Chain,
    /// A block by height or hash.
    Block {
        /// A height (decimal) or a hash (64 hex digits).
        id: String,
    },
    /// A transaction's status and receipt.
    Tx {
        /// Its hash.
        hash: String,
    },
    /// An account's balance and next nonce.
    Account {
        /// Its address (64 hex digits).
        address: String,
    },
    /// A contract's storage value (hex; null when absent).
    Storage {
        /// The contract's id.
        contract: String,
        /// The key (hex).
        key: String,
    },
    /// A read-only call at the tip, with a gas estimate (never committed).
    Call {
        /// The contract, entry point and argument.
        #[command(flatten)]
        call: ContractCall,
        /// The caller (default: the zero address).
        #[arg(long, value_name = "HEX")]
        caller: Option<String>,
    },
    /// Provisioners with their stakes and eligibility windows.
    Provisioners,
    /// A step's committee, as far as revealed.
    Committee {
        /// The round (height).
        round: u64,
        /// The iteration.
        iteration: u8,
        /// `proposal`, `validation` or `ratification`.
        step: String,
    },
    /// Events, oldest first.
    Events {
        /// Only this contract's.
        #[arg(long, value_name = "HEX")]
        contract: Option<String>,
        /// Only this topic.
        #[arg(long)]
        topic: Option<String>,
        /// From this height.
        #[arg(long = "from", value_name = "HEIGHT")]
        from_height: Option<u64>,
        /// To this height.
        #[arg(long = "to", value_name = "HEIGHT")]
        to_height: Option<u64>,
        /// At most this many (default 100, at most 1000).
        #[arg(long)]
        limit: Option<usize>,
    },
    /// The devnet's prefunded accounts (with their secret keys).
    DevAccounts,
}

/// The query string of `GET /events`.
fn events_query(pairs: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", enc(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn dry_run(
    client: &NodeClient,
    call: &ContractCall,
    caller: Option<&str>,
) -> Result<serde_json::Value, ClientError> {
    let body = json!({
        "caller": caller,
        "contract": call.contract,
        "function": call.function,
        "args": hex::encode(call.encoded_args()?),
        "gas_limit": null,
    });
    client.post_json("/call", &body)
}

/// Run `query …`.
///
/// # Errors
/// See [`ClientError`].
pub fn run(args: &QueryArgs) -> Result<Outcome, ClientError> {
    let client = args.node.client();
    let json = match &args.command {
        QueryCommand::Head => client.get("/head")?,
        QueryCommand::Chain => client.get("/chain")?,
        QueryCommand::Block { id } => client.get(&format!("/blocks/{}", enc(id)))?,
        QueryCommand::Tx { hash } => client.get(&format!("/tx/{}", enc(hash)))?,
        QueryCommand::Account { address } => client.get(&format!("/accounts/{}", enc(address)))?,
        QueryCommand::Storage { contract, key } => client.get(&format!(
            "/contracts/{}/storage/{}",
            enc(contract),
            enc(key)
        ))?,
        QueryCommand::Call { call, caller } => dry_run(&client, call, caller.as_deref())?,
        QueryCommand::Provisioners => client.get("/provisioners")?,
        QueryCommand::Committee {
            round,
            iteration,
            step,
        } => client.get(&format!("/committee/{round}/{iteration}/{}", enc(step)))?,
        QueryCommand::Events {
            contract,
            topic,
            from_height,
            to_height,
            limit,
        } => client.get(&format!(
            "/events{}",
            events_query(&[
                ("contract", contract.clone()),
                ("topic", topic.clone()),
                ("from_height", from_height.map(|h| h.to_string())),
                ("to_height", to_height.map(|h| h.to_string())),
                ("limit", limit.map(|l| l.to_string())),
            ])
        ))?,
        QueryCommand::DevAccounts => client.get("/dev/accounts")?,
    };
    Ok(Outcome::ok(json))
}
