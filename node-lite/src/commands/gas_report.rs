//! `node-lite gas-report --script calls.toml`: run a script of calls in the in-process
//! harness, print gas per entry point (calls, min, avg, max), and write or check a gas
//! snapshot (`--snapshot gas.snap [--check --tolerance 2%]`).
//!
//! ```toml
//! [contracts]                    # name = module path (relative to the script)
//! counter = "counter.wasm"
//!
//! [[call]]
//! contract = "counter"
//! fn = "increment"
//! args = [5]                     # JSON-like, as `exec --args`; or "0x…" borsh hex
//! caller = "alice"               # optional: a test-account name or 64 hex digits
//! gas = 1_000_000                # optional (default 50,000,000)
//! repeat = 3                     # optional (default 1)
//! expect = "success"             # optional: "success" (default), "failure", or an error kind
//! ```
//!
//! Contracts are deployed in the order listed (by the dev account, nonces 0, 1, …); calls run
//! in order, each atomic. A call whose outcome differs from `expect` fails the run (exit 1).

use crate::call_input::encode_args;
use crate::signature::read_signatures;
use host_api::Address;
use runtime::Runtime;
use runtime::testing::{GasCheck, GasReport, Harness, HarnessError, Tolerance, account};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a gas report could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum GasScriptError {
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        message: String,
    },
    /// The script does not parse.
    #[error("bad script {path}: {message}")]
    Script {
        /// The script.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The snapshot does not parse.
    #[error("bad gas snapshot {path}: {message}")]
    Snapshot {
        /// The snapshot file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The harness failed (a module refused, a host failure).
    #[error("{0}")]
    Harness(#[from] HarnessError),
    /// A call ended otherwise than its `expect`.
    #[error("call #{index} {contract}::{function}: expected {expected}, got {actual}")]
    Unexpected {
        /// 1-based position in the script.
        index: usize,
        /// Its contract.
        contract: String,
        /// Its entry point.
        function: String,
        /// What the script expected.
        expected: String,
        /// What happened.
        actual: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    contracts: BTreeMap<String, String>,
    #[serde(default, rename = "call")]
    calls: Vec<ScriptCall>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptCall {
    contract: String,
    #[serde(rename = "fn")]
    function: String,
    args: Option<toml::Value>,
    caller: Option<String>,
    gas: Option<u64>,
    repeat: Option<u32>,
    expect: Option<String>,
}

/// What `gas-report` was asked to do.
#[derive(Clone, Debug)]
pub struct GasReportRequest {
    /// The script of calls.
    pub script: PathBuf,
    /// The snapshot file to write (or with `check`, to compare against).
    pub snapshot: Option<PathBuf>,
    /// Compare with the snapshot instead of writing it.
    pub check: bool,
    /// Allowed relative change when checking.
    pub tolerance: Tolerance,
}

/// The outcome of `gas-report`.
#[derive(Debug)]
pub struct GasReportOutput {
    /// The report of this run.
    pub report: GasReport,
    /// The comparison, with `--check`.
    pub check: Option<GasCheck>,
    /// The snapshot written, without `--check`.
    pub written: Option<PathBuf>,
}

fn io(path: &Path, e: impl std::fmt::Display) -> GasScriptError {
    GasScriptError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn parse_caller(text: &str) -> Address {
    text.parse().unwrap_or_else(|_| account(text))
}

fn outcome_name(receipt: &runtime::Receipt) -> String {
    match &receipt.result {
        Ok(_) => "success".into(),
        Err(e) => e.kind().into(),
    }
}

fn matches_expectation(expected: &str, actual: &str) -> bool {
    expected == actual || (expected == "failure" && actual != "success")
}

/// Run the script and return its gas report.
///
/// # Errors
/// See [`GasScriptError`].
pub fn run_script(path: &Path) -> Result<GasReport, GasScriptError> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    let bad = |message: String| GasScriptError::Script {
        path: path.display().to_string(),
        message,
    };
    let script: Script = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    // The CLI's runtime: the bundled genesis contracts resident, as on the devnet.
    let runtime =
        Runtime::new(crate::state_dir::cli_runtime_config()).map_err(HarnessError::from)?;
    let mut h = Harness::with_runtime(runtime);
    let mut deployed = BTreeMap::new();
    for (name, module) in &script.contracts {
        if name.contains("::") || name.chars().any(char::is_whitespace) {
            return Err(bad(format!(
                "contract name {name:?} may not contain `::` or spaces"
            )));
        }
        let file = base.join(module);
        let code = std::fs::read(&file).map_err(|e| io(&file, e))?;
        let id = h.deploy(name, &code)?;
        deployed.insert(name.clone(), (id, read_signatures(&code)));
    }
    for (i, call) in script.calls.iter().enumerate() {
        let (id, signatures) = deployed.get(&call.contract).ok_or_else(|| {
            bad(format!(
                "call #{}: no contract {:?} in [contracts]",
                i + 1,
                call.contract
            ))
        })?;
        let raw = match &call.args {
            None => None,
            Some(toml::Value::String(s)) if s.starts_with("0x") => Some(s.clone()),
            Some(v) => Some(serde_json::to_string(v).map_err(|e| bad(e.to_string()))?),
        };
        let args = encode_args(raw.as_deref(), signatures.get(&call.function))
            .map_err(|e| bad(format!("call #{} {}: {e}", i + 1, call.function)))?;
        let expected = call.expect.clone().unwrap_or_else(|| "success".into());
        for _ in 0..call.repeat.unwrap_or(1) {
            let mut c = h.call(*id, &call.function).raw_args(args.clone());
            if let Some(caller) = &call.caller {
                c = c.caller(parse_caller(caller));
            }
            if let Some(gas) = call.gas {
                c = c.gas(gas);
            }
            let receipt = c.send()?;
            let actual = outcome_name(&receipt);
            if !matches_expectation(&expected, &actual) {
                return Err(GasScriptError::Unexpected {
                    index: i + 1,
                    contract: call.contract.clone(),
                    function: call.function.clone(),
                    expected,
                    actual,
                });
            }
        }
    }
    Ok(h.gas_report().clone())
}

/// Run `gas-report`: the script, then write or check the snapshot.
///
/// # Errors
/// See [`GasScriptError`].
pub fn run(req: &GasReportRequest) -> Result<GasReportOutput, GasScriptError> {
    let report = run_script(&req.script)?;
    let mut out = GasReportOutput {
        report,
        check: None,
        written: None,
    };
    match (&req.snapshot, req.check) {
        (Some(path), true) => {
            let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
            let snapshot =
                GasReport::from_snapshot(&text).map_err(|e| GasScriptError::Snapshot {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
            out.check = Some(out.report.check(&snapshot, req.tolerance));
        }
        (Some(path), false) => {
            crate::state_dir::write_atomically(path, out.report.to_snapshot().as_bytes())
                .map_err(|e| io(path, e))?;
            out.written = Some(path.clone());
        }
        (None, true) => {
            return Err(GasScriptError::Snapshot {
                path: "-".into(),
                message: "--check needs --snapshot FILE to compare with".into(),
            });
        }
        (None, false) => {}
    }
    Ok(out)
}
