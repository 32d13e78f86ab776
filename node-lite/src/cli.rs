//! Command-line arguments (clap), converted into library requests.

use crate::call_input::{DEFAULT_GAS, DEV_ACCOUNT};
use crate::commands::exec::ExecRequest;
use crate::commands::gas_report::GasReportRequest;
use crate::commands::local::{CallRequest, DeployRequest};
use crate::commands::state::StateRequest;
use clap::{Parser, Subcommand};
use host_api::Address;
use runtime::BlockInfo;
use runtime::testing::Tolerance;
use std::path::PathBuf;

/// The environment variable read when `--state` is not given.
pub const STATE_ENV: &str = "NODE_LITE_STATE";

/// What every `--help` says about output and exit codes.
pub const OUTPUT_CONVENTION: &str = "\
Output: commands print one JSON document on stdout (errors too, as {\"status\", \"error\": {\"kind\", \"message\"}}); \
traces, progress and human messages go to stderr. `gas-report` and `security` print text tables (`security --json` for JSON).

Exit codes (the same for every command):
  0  success
  1  the call ran and failed (trap, panic, out of gas, revert), or a check failed
  2  bad input: a refused module, an unreadable or malformed file, bad arguments
  3  host failure: the state store, the disk, a state directory in use";

/// A WebAssembly contract sandbox with a light proof-of-stake devnet.
#[derive(Debug, Parser)]
#[command(name = "node-lite", version, about, after_long_help = OUTPUT_CONVENTION)]
pub struct Cli {
    /// Print JSON on one line instead of indented.
    #[arg(long, global = true)]
    pub compact: bool,
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
    /// Write a contract: scaffold a crate, build it to wasm.
    #[command(subcommand)]
    Contract(ContractCommand),
    /// Deploy a contract into a local state directory (once; then `call` it by name or id).
    Deploy(DeployArgs),
    /// Call a contract deployed in a local state directory; prints a JSON receipt (exit codes
    /// as `exec`).
    Call(CallArgs),
    /// Snapshot, revert, dump, load and list versions of a local state directory.
    State(StateArgs),
    /// Run a script of calls in the in-process harness and report gas per entry point (calls,
    /// min, avg, max); write a gas snapshot, or check one with a tolerance (exit 1 beyond it).
    GasReport(GasReportArgs),
    /// The Byzantine-stake risk model: exact odds, per step, iteration and round, that Byzantine
    /// stake breaks safety (supermajority alone, equivocation) or liveness, and the expected
    /// rounds until a first success.
    ///
    /// Exit code: 0 printed, 2 a parameter out of bounds.
    Security(SecurityArgs),
    /// Print a shell completion script (`node-lite completions bash > ~/.local/share/bash-completion/completions/node-lite`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// A light proof-of-stake network of N provisioners in this process: prefunded dev
    /// accounts, one line per block, Ctrl-C to stop.
    Devnet(crate::commands::devnet::DevnetArgs),
    /// Send a transaction to a running devnet (`deploy`, `call`, `transfer`, `stake`,
    /// `unstake`, `renew`), signed here with `--key` or by the node with `--dev-account`;
    /// prints JSON.
    ///
    /// Exit code: 0 sent (and succeeded, with `--wait`), 1 refused by the node or failed, 2 bad
    /// input, 3 the node could not be reached.
    Tx(crate::client::tx_cmd::TxArgs),
    /// Read a running devnet: head, chain, block, tx, account, storage, call (dry run),
    /// provisioners, committee, events, dev-accounts; prints JSON (exit codes as `tx`).
    Query(crate::client::query_cmd::QueryArgs),
}

/// `contract` subcommands.
#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Scaffold a contract crate `NAME` (entry points, harness tests, a gas script, build
    /// config).
    New {
        /// The crate name (lower case, digits, `-`, `_`).
        name: String,
        /// Create it in this directory.
        #[arg(long, value_name = "DIR", default_value = ".")]
        path: PathBuf,
        /// A checkout of this repository to take `host-api` and `runtime` from (default: the
        /// one around the new crate or the current directory, else the one node-lite was built
        /// from).
        #[arg(long, value_name = "PATH")]
        sdk: Option<PathBuf>,
    },
    /// Build a contract crate to `target/wasm32v1-none/release/NAME.wasm`: with the rustup
    /// target when installed, else Debian's rustc-web + rust-web-src + lld-14. The bytes (and
    /// the code hash) do not depend on where the crate or its SDK live.
    Build {
        /// The crate directory.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Cargo's target directory (default: DIR/target). Crates that share one compile the
        /// wasm standard library once.
        #[arg(long, value_name = "PATH")]
        target_dir: Option<PathBuf>,
    },
}

/// Arguments of `deploy`.
#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// The module: a `.wasm` file or WAT text.
    pub contract: PathBuf,
    /// The state directory (created when missing).
    #[arg(long, value_name = "DIR", env = STATE_ENV)]
    pub state: PathBuf,
    /// A name to call it by (at most 64 bytes).
    #[arg(long)]
    pub name: Option<String>,
    /// Bind `--name` even if it already points at another contract.
    #[arg(long, requires = "name")]
    pub force: bool,
    /// The deployer's address (64 hex digits); defaults to the dev account.
    #[arg(long, value_name = "HEX")]
    pub owner: Option<Address>,
    /// The deployer's nonce: the same code deploys again under another id with another nonce.
    #[arg(long, default_value_t = 0)]
    pub nonce: u64,
}

/// Arguments of `call`.
#[derive(Debug, clap::Args)]
pub struct CallArgs {
    /// The contract: the name given at deploy, or its id (64 hex digits).
    pub contract: String,
    /// The state directory (made by `deploy` or `state load`).
    #[arg(long, value_name = "DIR", env = STATE_ENV)]
    pub state: PathBuf,
    /// The entry point to call.
    #[arg(long = "fn", value_name = "NAME")]
    pub function: String,
    /// The argument, as for `exec`.
    #[arg(long, value_name = "JSON|HEX", allow_hyphen_values = true)]
    pub args: Option<String>,
    /// Gas limit of the call.
    #[arg(long, default_value_t = DEFAULT_GAS)]
    pub gas: u64,
    /// The caller's address (64 hex digits); defaults to the dev account.
    #[arg(long, value_name = "HEX")]
    pub caller: Option<Address>,
    /// Block height seen by the contract.
    #[arg(long, default_value_t = 1)]
    pub height: u64,
    /// Block timestamp seen by the contract, in milliseconds since the Unix epoch.
    #[arg(long, default_value_t = 0)]
    pub timestamp: u64,
    /// Trace the call (as `exec --trace`).
    #[arg(long)]
    pub trace: bool,
}

/// Arguments of `state`.
#[derive(Debug, clap::Args)]
pub struct StateArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: StateCommand,
    /// The state directory (only `load` creates one).
    #[arg(long, value_name = "DIR", global = true, env = STATE_ENV)]
    pub state: Option<PathBuf>,
}

/// `state` subcommands.
#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// Save the current state as snapshot N (`DIR/snapshots/N.json`); prints N.
    Snapshot,
    /// Make snapshot N the current state again (a new version; its root is checked).
    Revert {
        /// The snapshot number `snapshot` printed.
        id: u64,
    },
    /// Write the current state as a portable JSON file (stdout without --out).
    Dump {
        /// The file to write.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Make the content of a dump file the current state (checked before anything is written).
    Load {
        /// The file written by `state dump`.
        file: PathBuf,
    },
    /// List the retained versions and the snapshots.
    Versions,
}

/// Arguments of `security`.
#[derive(Debug, clap::Args)]
pub struct SecurityArgs {
    /// The Byzantine share of the stake, in [0, 1).
    #[arg(long, value_name = "F", default_value_t = 0.3)]
    pub byzantine: f64,
    /// The (expected) credits of a validation or ratification committee.
    #[arg(long, value_name = "C", default_value_t = 64)]
    pub committee: u32,
    /// Private (VRF, the default) or public (deterministic) sortition.
    #[arg(long, value_enum, default_value_t = SortitionMode::Private)]
    pub mode: SortitionMode,
    /// Equal-stake provisioners.
    #[arg(long, value_name = "N", default_value_t = consensus::risk::DEFAULT_PROVISIONERS)]
    pub provisioners: u64,
    /// Lots each provisioner holds (public committees exclude two generators with all their
    /// lots, so few provisioners of many lots differ from many of one).
    #[arg(long, value_name = "L", default_value_t = 1)]
    pub lots: u64,
    /// Most iterations per round.
    #[arg(long, value_name = "K", default_value_t = consensus::risk::DEFAULT_ITERATIONS)]
    pub iterations: u32,
    /// Also find the smallest committee whose per-round safety risk is at most this.
    #[arg(long, value_name = "RISK")]
    pub target: Option<f64>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The sortition mode of `security --mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SortitionMode {
    /// Each provisioner learns its credits from its own VRF and reveals them with its vote.
    Private,
    /// Committees are drawn deterministically from the seed, known to all in advance.
    Public,
}

impl From<&SecurityArgs> for crate::commands::security::SecurityRequest {
    fn from(a: &SecurityArgs) -> Self {
        let mode = match a.mode {
            SortitionMode::Private => consensus::risk::Mode::Private,
            SortitionMode::Public => consensus::risk::Mode::Public,
        };
        crate::commands::security::SecurityRequest {
            params: consensus::risk::RiskParams::new(a.byzantine, a.committee, mode)
                .with_provisioners(a.provisioners)
                .with_lots(a.lots)
                .with_iterations(a.iterations),
            target: a.target,
        }
    }
}

/// Arguments of `gas-report`.
#[derive(Debug, clap::Args)]
pub struct GasReportArgs {
    /// The script of calls (TOML: `[contracts]` and `[[call]]`s).
    #[arg(long, value_name = "FILE")]
    pub script: PathBuf,
    /// The gas snapshot: written, or compared with under `--check`.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Compare with the snapshot instead of writing it; exit 1 when gas moved beyond the
    /// tolerance.
    #[arg(long, requires = "snapshot")]
    pub check: bool,
    /// Allowed relative change under `--check`, in percent: `2%` or a bare `2` both mean 2 %
    /// (`0.02` means 0.02 %).
    #[arg(long, default_value = "0%")]
    pub tolerance: Tolerance,
}

impl From<DeployArgs> for DeployRequest {
    fn from(a: DeployArgs) -> Self {
        DeployRequest {
            contract: a.contract,
            state: a.state,
            owner: a.owner.unwrap_or(DEV_ACCOUNT),
            nonce: a.nonce,
            name: a.name,
            force: a.force,
        }
    }
}

impl From<CallArgs> for CallRequest {
    fn from(a: CallArgs) -> Self {
        CallRequest {
            contract: a.contract,
            state: a.state,
            function: a.function,
            args: a.args,
            gas: a.gas,
            caller: a.caller.unwrap_or(DEV_ACCOUNT),
            block: BlockInfo {
                height: a.height,
                timestamp_ms: a.timestamp,
            },
            trace: a.trace,
        }
    }
}

impl From<StateCommand> for StateRequest {
    fn from(c: StateCommand) -> Self {
        match c {
            StateCommand::Snapshot => StateRequest::Snapshot,
            StateCommand::Revert { id } => StateRequest::Revert(id),
            StateCommand::Dump { out } => StateRequest::Dump(out),
            StateCommand::Load { file } => StateRequest::Load(file),
            StateCommand::Versions => StateRequest::Versions,
        }
    }
}

impl From<GasReportArgs> for GasReportRequest {
    fn from(a: GasReportArgs) -> Self {
        GasReportRequest {
            script: a.script,
            snapshot: a.snapshot,
            check: a.check,
            tolerance: a.tolerance,
        }
    }
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
    #[arg(long, value_name = "JSON|HEX", allow_hyphen_values = true)]
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
    /// Trace the call: storage reads and writes, events, debug prints and nested calls per
    /// frame (`ops` in the JSON receipt; the call tree as text on stderr).
    #[arg(long)]
    pub trace: bool,
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
            trace: a.trace,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        let cli =
            Cli::try_parse_from(["node-lite", "state", "revert", "3", "--state", "d"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::State(StateArgs {
                command: StateCommand::Revert { id: 3 },
                state: Some(_)
            })
        ));
        let cli = Cli::try_parse_from([
            "node-lite",
            "gas-report",
            "--script",
            "s.toml",
            "--snapshot",
            "g",
            "--check",
            "--tolerance",
            "2%",
        ])
        .unwrap();
        let Command::GasReport(args) = cli.command else {
            panic!("gas-report")
        };
        assert_eq!(args.tolerance.percent, 2.0);
        assert!(
            Cli::try_parse_from(["node-lite", "gas-report", "--script", "s", "--check"]).is_err()
        );
    }

    /// `--build-budget-ms`: 500 by default, 0 for none.
    #[test]
    fn the_devnet_build_budget_converts_into_the_config() {
        let budget = |args: &[&str]| {
            let cli = Cli::try_parse_from(args).unwrap();
            let Command::Devnet(args) = cli.command else {
                panic!("devnet")
            };
            crate::devnet::NodeConfig::from(&args).build_budget
        };
        assert_eq!(
            budget(&["node-lite", "devnet"]),
            Some(std::time::Duration::from_millis(500))
        );
        assert_eq!(
            budget(&["node-lite", "devnet", "--build-budget-ms", "40"]),
            Some(std::time::Duration::from_millis(40))
        );
        assert_eq!(
            budget(&["node-lite", "devnet", "--build-budget-ms", "0"]),
            None
        );
        assert!(Cli::try_parse_from(["node-lite", "devnet", "--build-budget-ms", "-1"]).is_err());
    }
}
