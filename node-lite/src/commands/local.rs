//! `node-lite deploy` and `node-lite call`: deploy once into a local state directory, then
//! call the deployed contract by id or name, as many times as wanted, across processes.
//!
//! Both print JSON on stdout and use `exec`'s exit codes (0 success, 1 the call failed, 2 the
//! input was refused, 3 host failure). Every command is one session committed to
//! `DIR/state.wal` (one new version), so a failed call leaves the state as it was.

use crate::call_input::{check_call, encode_args};
use crate::module_file::{add_signature_warnings, read_module};
use crate::output::{CommandOutput, dir_failure, host_failure, refused};
use crate::receipt_json::receipt_json;
use crate::signature::read_signatures;
use crate::state_dir::{StateDir, invalid_name};
use host_api::Address;
use runtime::testing::render_trace;
use runtime::{BlockInfo, CodeHash, DeployError};
use serde_json::{Value, json};
use std::path::PathBuf;

/// What `deploy` was asked to do.
#[derive(Clone, Debug)]
pub struct DeployRequest {
    /// The module (`.wasm` or WAT).
    pub contract: PathBuf,
    /// The state directory.
    pub state: PathBuf,
    /// The deployer (part of the id).
    pub owner: Address,
    /// The deployer's nonce (part of the id): deploy the same code again with another nonce.
    pub nonce: u64,
    /// A name to call it by (recorded in `DIR/names.json`).
    pub name: Option<String>,
    /// Bind `name` even if it points at another contract.
    pub force: bool,
}

/// What `call` was asked to do.
#[derive(Clone, Debug)]
pub struct CallRequest {
    /// The contract: a name given at deploy, or its 64-hex-digit id.
    pub contract: String,
    /// The state directory.
    pub state: PathBuf,
    /// The entry point.
    pub function: String,
    /// `0x…` borsh hex, or JSON encoded through the recorded signature.
    pub args: Option<String>,
    /// Gas limit.
    pub gas: u64,
    /// Caller.
    pub caller: Address,
    /// Block seen by the contract.
    pub block: BlockInfo,
    /// Trace the call (see `exec --trace`).
    pub trace: bool,
}

/// Run `deploy`.
pub fn deploy(req: &DeployRequest) -> CommandOutput {
    deploy_inner(req).unwrap_or_else(|out| out)
}

fn deploy_inner(req: &DeployRequest) -> Result<CommandOutput, CommandOutput> {
    if let Some(why) = req.name.as_deref().and_then(invalid_name) {
        return Err(refused("invalid_name", why));
    }
    let code = read_module(&req.contract)?;
    let dir = StateDir::open_or_create(&req.state).map_err(dir_failure)?;
    match deploy_in(&dir, req, &code) {
        Ok(out) => Ok(out),
        Err(out) => {
            dir.remove_if_created();
            Err(out)
        }
    }
}

/// Deploy, bind the name, commit: the name is bound before the commit and put back if the
/// commit fails, so that a name and its contract appear together (see
/// [`state_dir::names`](crate::state_dir::names)). Nothing is written before every check passed.
fn deploy_in(
    dir: &StateDir,
    req: &DeployRequest,
    code: &[u8],
) -> Result<CommandOutput, CommandOutput> {
    // A broken names.json is refused before anything is written.
    dir.bindings().map_err(dir_failure)?;
    let runtime = dir.runtime().map_err(dir_failure)?;
    let store = dir.store.clone();
    let mut session = runtime.session(store.state(), BlockInfo::default());
    let id = match session.deploy(req.owner, code, req.nonce) {
        Ok(id) => id,
        Err(DeployError::Store(e)) => return Err(host_failure(e)),
        Err(e) => return Err(refused(e.kind(), e)),
    };
    let names_before = match &req.name {
        Some(name) => Some(dir.bind_name(name, id, req.force).map_err(dir_failure)?),
        None => None,
    };
    let root = match session.commit() {
        Ok(root) => root,
        Err(e) => {
            if let Some(before) = names_before {
                // The commit's error is the one to report; a failed restore leaves a name
                // pointing at a contract the state does not have, which is never resolved.
                let _ = dir.restore_names(before);
            }
            return Err(host_failure(e));
        }
    };
    let version = store.head().map_err(host_failure)?.0;
    let signatures = read_signatures(code);
    let mut report = json!({
        "status": "deployed",
        "contract": id.to_string(),
        "name": req.name,
        "owner": req.owner.to_string(),
        "nonce": req.nonce,
        "code_hash": CodeHash::of(code).to_string(),
        "entry_points": signatures.values().map(|s| s.text.clone()).collect::<Vec<_>>(),
        "state_root": root.to_string(),
        "state_version": version,
    });
    add_signature_warnings(&mut report, &signatures);
    Ok(CommandOutput::ok(report))
}

/// Run `call`.
pub fn call(req: &CallRequest) -> CommandOutput {
    call_inner(req).unwrap_or_else(|out| out)
}

fn call_inner(req: &CallRequest) -> Result<CommandOutput, CommandOutput> {
    let dir = StateDir::open(&req.state).map_err(dir_failure)?;
    let id = dir.resolve(&req.contract).map_err(dir_failure)?;
    let labels = dir.labels().map_err(dir_failure)?;
    let runtime = dir.runtime().map_err(dir_failure)?;
    let Some(record) = dir.store.contract(&id).map_err(host_failure)? else {
        return Err(refused(
            "no_such_contract",
            format!("no contract {id} in {}", req.state.display()),
        ));
    };
    let code = dir
        .store
        .code(&record.code_hash())
        .map_err(host_failure)?
        .ok_or_else(|| host_failure(format!("code of {id} is missing")))?;
    let signatures = read_signatures(&code);
    let signature = signatures.get(&req.function);
    check_call(
        &runtime,
        &code,
        &req.contract,
        &req.function,
        req.args.as_deref(),
        signature,
    )
    .map_err(|mut out| {
        out.json["contract"] = id.to_string().into();
        out
    })?;
    let args =
        encode_args(req.args.as_deref(), signature).map_err(|e| refused("invalid_args", e))?;
    let store = dir.store.clone();
    let mut session = runtime.session(store.state(), req.block);
    session.set_trace(req.trace);
    let receipt = session
        .call(req.caller, id, &req.function, &args, req.gas)
        .map_err(host_failure)?;
    let root = session.commit().map_err(host_failure)?;
    let mut json = receipt_json(&receipt, signature);
    json["state_root"] = Value::String(root.to_string());
    json["state_version"] = store.head().map_err(host_failure)?.0.into();
    if let Some(name) = labels.get(&id) {
        json["name"] = Value::String(name.clone());
    }
    add_signature_warnings(&mut json, &signatures);
    Ok(CommandOutput {
        exit_code: if receipt.is_success() { 0 } else { 1 },
        json,
        trace: req.trace.then(|| render_trace(&receipt, &labels)),
    })
}
