//! Command-line arguments (clap), converted into library requests.

use crate::exec::{DEFAULT_GAS, DEV_ACCOUNT, ExecRequest};
use clap::{Parser, Subcommand};
use host_api::Address;
use runtime::BlockInfo;
use std::path::PathBuf;

/// A WebAssembly contract sandbox with a light proof-of-stake devnet.
#[derive(Debug, Parser)]
#[command(name = "node-lite", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Deploy a contract into a local sandbox, call one entry point, print a JSON receipt.
    ///
    /// Exit code: 0 success, 1 the call failed (the receipt says how), 2 bad input (module
    /// refused, unreadable file, bad arguments), 3 host failure.
    Exec(ExecArgs),
    /// Validate a module and list its entry points and their signatures, as JSON.
    Inspect {
        /// The module (`.wasm`, or WAT text).
        contract: PathBuf,
    },
    /// A guided tour of the sandbox with the bundled contracts: calls, typed failures, timing.
    Demo,
}

/// Arguments of `exec`.
#[derive(Debug, clap::Args)]
pub struct ExecArgs {
    /// The module: a `.wasm` file or WAT text.
    pub contract: PathBuf,
    /// The entry point to call.
    #[arg(long = "fn", value_name = "NAME")]
    pub function: String,
    /// The argument: `0x…` borsh bytes in hex, or JSON (an array with one element per argument,
    /// or the single argument bare), encoded through the signature the contract records.
    #[arg(long, value_name = "JSON|HEX")]
    pub args: Option<String>,
    /// Gas limit of the call.
    #[arg(long, default_value_t = DEFAULT_GAS)]
    pub gas: u64,
    /// Keep state (contracts, storage, compiled modules) in this directory between runs.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// The caller's address (64 hex digits); defaults to the dev account.
    #[arg(long, value_name = "HEX")]
    pub caller: Option<Address>,
    /// Block height seen by the contract.
    #[arg(long, default_value_t = 1)]
    pub height: u64,
    /// Block timestamp seen by the contract, in milliseconds since the Unix epoch.
    #[arg(long, default_value_t = 0)]
    pub timestamp: u64,
}

impl From<ExecArgs> for ExecRequest {
    fn from(a: ExecArgs) -> Self {
        ExecRequest {
            contract: a.contract,
            function: a.function,
            args: a.args,
            gas: a.gas,
            state: a.state,
            caller: a.caller.unwrap_or(DEV_ACCOUNT),
            block: BlockInfo {
                height: a.height,
                timestamp_ms: a.timestamp,
            },
        }
    }
}
