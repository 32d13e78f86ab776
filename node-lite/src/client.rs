//! The command-line client of a running devnet: `node-lite tx …` signs and submits
//! transactions, `node-lite query …` reads the chain, both through the HTTP API
//! ([`crate::api`], `docs/api.md`) and both printing JSON.
//!
//! | module | concept |
//! |---|---|
//! | [`http`] | [`NodeClient`]: a blocking HTTP client of the API, errors typed |
//! | [`signer`] | who signs: a local secret key (nonce from the node, signed here) or a dev account (signed by the node) |
//! | [`stake_calls`] | the genesis `stake` contract's calls: approve + stake, unstake, renew, with a provisioner key |
//! | [`tx_cmd`] | `node-lite tx deploy\|call\|transfer\|stake\|unstake\|renew` |
//! | [`query_cmd`] | `node-lite query head\|chain\|block\|tx\|account\|storage\|call\|provisioners\|committee\|events\|dev-accounts` |
//!
//! The node is `--node URL`, else `$NODE_LITE_NODE`, else `http://127.0.0.1:<DEFAULT_PORT>`.
//!
//! Exit codes: 0 done, 1 the node refused the request (its JSON error is printed) or a
//! transaction awaited with `--wait` failed, 2 bad input, 3 the node could not be reached or
//! answered something that is not the API.

pub mod http;
pub mod query_cmd;
pub mod signer;
pub mod stake_calls;
pub mod tx_cmd;

pub use http::NodeClient;

use serde_json::Value;

/// The environment variable read when `--node` is not given.
pub const NODE_ENV: &str = "NODE_LITE_NODE";
/// The environment variable read when `--key` is not given.
pub const KEY_ENV: &str = "NODE_LITE_KEY";

/// The node's URL when neither `--node` nor [`NODE_ENV`] names one.
pub fn default_node_url() -> String {
    format!("http://127.0.0.1:{}", crate::api::DEFAULT_PORT)
}

/// Why a client command failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The node answered with an error (its status and JSON body).
    #[error("the node answered {status}: {error}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The error's kind (`bad_request`, `refused`, …).
        error: String,
        /// The node's message.
        message: String,
    },
    /// The node could not be reached, or answered something that is not the API.
    #[error("{0}")]
    Transport(String),
    /// Bad input on the command line (a key that is not hex, an unreadable file, …).
    #[error("{0}")]
    Input(String),
    /// The dry run that estimates a call's gas failed: the transaction would fail too.
    #[error("the dry run of `{function}` failed: {error} (pass --gas to send it anyway)")]
    DryRun {
        /// The entry point.
        function: String,
        /// Why it failed.
        error: String,
    },
}

impl ClientError {
    /// The process exit code (see the [module docs](self)).
    pub fn exit_code(&self) -> i32 {
        match self {
            ClientError::Api { .. } | ClientError::DryRun { .. } => 1,
            ClientError::Input(_) => 2,
            ClientError::Transport(_) => 3,
        }
    }
}

/// What a command printed and its exit code.
#[derive(Debug)]
pub struct Outcome {
    /// The JSON printed on stdout.
    pub json: Value,
    /// The exit code.
    pub code: i32,
}

impl Outcome {
    /// Success: print `json`, exit 0.
    pub fn ok(json: Value) -> Self {
        Outcome { json, code: 0 }
    }
}

/// Print a command's result and return its exit code: the JSON on stdout; a node's error as
/// its JSON (with the status) on stdout; other failures on stderr.
pub fn finish(result: Result<Outcome, ClientError>, style: crate::output::JsonStyle) -> i32 {
    let (json, code) = match result {
        Ok(out) => (out.json, out.code),
        Err(ClientError::Api {
            status,
            error,
            message,
        }) => (
            serde_json::json!({ "status": status, "error": error, "message": message }),
            1,
        ),
        Err(e) => {
            eprintln!("error: {e}");
            return e.exit_code();
        }
    };
    crate::output::print_json(&json, style);
    code
}
