//! `node-lite exec`: deploy a contract into a local sandbox, call one entry point, print a JSON
//! receipt.
//!
//! Without `--state` every run starts from an empty in-memory state. With `--state DIR` the
//! state (code, contracts, storage, merkle tree and retained versions) lives in `DIR/state.wal`
//! (see [`crate::state_dir`]), committed after every call, and compiled modules are cached in
//! `DIR/cache/`: running `exec` twice on the same contract calls the same deployed instance (its
//! id is derived from the deployer, the code hash and nonce 0). The receipt carries the state
//! root after the call (`state_root`) and, with `--state`, its version.

use crate::call_input::{DEV_ACCOUNT, check_call, encode_args};
use crate::module_file::{add_signature_warnings, contract_label, read_module};
use crate::output::{CommandOutput, dir_failure, host_failure, refused};
use crate::receipt_json::receipt_json;
use crate::signature::read_signatures;
use crate::state_dir::{StateDir, cli_runtime_config};
use host_api::{Address, ContractId};
use runtime::testing::render_trace;
use runtime::{BlockInfo, CodeHash, DeployError, MemoryStore, Runtime, StateStore, contract_id};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What `exec` was asked to do.
#[derive(Clone, Debug)]
pub struct ExecRequest {
    /// The module: a `.wasm` file, or WAT text (a file starting with `(`).
    pub contract: PathBuf,
    /// The entry point.
    pub function: String,
    /// `0x…` hex bytes, or JSON encoded through the contract's recorded signature.
    pub args: Option<String>,
    /// Gas limit.
    pub gas: u64,
    /// State directory, if state persists between runs.
    pub state: Option<PathBuf>,
    /// Caller address.
    pub caller: Address,
    /// Block height and timestamp seen by the contract.
    pub block: BlockInfo,
    /// Record the call's trace (storage reads and writes, events, debug prints per frame):
    /// `ops` in the JSON receipt, and the tree as text in [`CommandOutput::trace`].
    pub trace: bool,
}

/// Run `exec`.
pub fn run(req: &ExecRequest) -> CommandOutput {
    match run_inner(req) {
        Ok(out) | Err(out) => out,
    }
}

fn run_inner(req: &ExecRequest) -> Result<CommandOutput, CommandOutput> {
    let code = read_module(&req.contract)?;
    let signatures = read_signatures(&code);
    let signature = signatures.get(&req.function);

    // With --state, the directory is created when missing and locked for this run.
    let dir = match &req.state {
        Some(path) => Some(StateDir::open_or_create(path).map_err(dir_failure)?),
        None => None,
    };
    let runtime = match &dir {
        Some(dir) => dir.runtime().map_err(dir_failure)?,
        None => Runtime::new(cli_runtime_config()).map_err(host_failure)?,
    };
    let label = contract_label(&req.contract);
    check_call(
        &runtime,
        &code,
        &label,
        &req.function,
        req.args.as_deref(),
        signature,
    )?;
    let args =
        encode_args(req.args.as_deref(), signature).map_err(|e| refused("invalid_args", e))?;
    let local = dir.as_ref().map(|d| d.store.clone());
    let store: Arc<dyn StateStore> = match &local {
        Some(db) => db.state(),
        None => Arc::new(MemoryStore::new()),
    };
    let mut session = runtime.session(store.clone(), req.block);
    session.set_trace(req.trace);

    let id: ContractId = contract_id(&DEV_ACCOUNT, &CodeHash::of(&code), 0);
    let existing = session.contract(&id).map_err(host_failure)?;
    if existing.is_none() {
        match session.deploy(DEV_ACCOUNT, &code, 0) {
            Ok(_) => {}
            Err(DeployError::Store(e)) => return Err(host_failure(e)),
            Err(e) => return Err(refused(e.kind(), e)),
        }
    }
    let receipt = session
        .call(req.caller, id, &req.function, &args, req.gas)
        .map_err(host_failure)?;
    let root = session.commit().map_err(host_failure)?;
    let mut json = receipt_json(&receipt, signature);
    json["deployed"] = Value::Bool(existing.is_none());
    add_signature_warnings(&mut json, &signatures);
    json["state_root"] = Value::String(root.to_string());
    if let Some(db) = &local {
        json["state_version"] = db.head().map_err(host_failure)?.0.into();
    }
    let trace = req.trace.then(|| {
        let mut names = BTreeMap::new();
        names.insert(id, contract_label(&req.contract));
        render_trace(&receipt, &names)
    });
    Ok(CommandOutput {
        exit_code: if receipt.is_success() { 0 } else { 1 },
        json,
        trace,
    })
}
