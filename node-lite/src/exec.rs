//! `node-lite exec`: deploy a contract into a local sandbox, call one entry point, print a JSON
//! receipt.
//!
//! Without `--state` every run starts from an empty in-memory state. With `--state DIR` the
//! state (code, contracts, storage, merkle tree and retained versions) lives in the redb
//! database `DIR/state.redb`, committed after every call, and compiled modules are cached in
//! `DIR/cache/`: running `exec` twice on the same contract calls the same deployed instance (its
//! id is derived from the deployer, the code hash and nonce 0). The receipt carries the state
//! root after the call (`state_root`) and, with `--state`, its version.

use crate::codec;
use crate::signature::{Signature, Signatures, TypeExpr, read_signatures};
use crate::state_dir::{StateDir, cli_runtime_config};
use host_api::{Address, ContractId};
use runtime::testing::render_trace;
use runtime::{
    BlockInfo, CallError, CodeHash, DeployError, MemoryStore, Receipt, Runtime, StateStore,
    TraceOp, contract_id,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The state database inside `--state DIR`.
pub const STATE_DB: &str = "state.redb";
/// Versions `exec --state` retains (older ones are pruned after each call).
pub const RETAINED_VERSIONS: usize = 16;

/// The account that deploys and, unless told otherwise, calls.
pub const DEV_ACCOUNT: Address = Address([0xde; 32]);
/// Gas limit when `--gas` is not given.
pub const DEFAULT_GAS: u64 = 10_000_000;

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
    /// `ops` in the JSON receipt, and the tree as text in [`ExecOutput::trace`].
    pub trace: bool,
}

/// How `exec` ended: the JSON to print and the process exit code.
#[derive(Debug)]
pub struct ExecOutput {
    /// The receipt or error, as JSON.
    pub json: Value,
    /// 0 success; 1 the call failed; 2 bad input (module refused, unreadable file, bad args);
    /// 3 host failure (state store, instantiation).
    pub exit_code: i32,
    /// With `--trace`: the call tree as text (printed on stderr, so stdout stays JSON).
    pub trace: Option<String>,
}

/// Exit code 2: the input was refused.
pub(crate) fn refused(kind: &str, message: impl std::fmt::Display) -> ExecOutput {
    ExecOutput {
        json: json!({ "status": "refused", "error": { "kind": kind, "message": message.to_string() } }),
        exit_code: 2,
        trace: None,
    }
}

/// A state directory's error as output: its kind, its exit code (2 bad input, 3 host).
pub(crate) fn dir_failure(e: crate::state_dir::StateDirError) -> ExecOutput {
    let mut out = if e.exit_code() == 2 {
        refused(e.kind(), &e)
    } else {
        host_failure(&e)
    };
    out.json["error"]["kind"] = e.kind().into();
    out
}

/// Exit code 3: the host failed.
pub(crate) fn host_failure(message: impl std::fmt::Display) -> ExecOutput {
    ExecOutput {
        json: json!({ "status": "host_error", "error": { "kind": "host_error", "message": message.to_string() } }),
        exit_code: 3,
        trace: None,
    }
}

/// Read a module file: binary wasm as is, WAT text compiled.
pub(crate) fn read_module(path: &PathBuf) -> Result<Vec<u8>, ExecOutput> {
    let bytes = std::fs::read(path).map_err(|e| {
        refused(
            "unreadable_file",
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    if std::str::from_utf8(&bytes).is_ok() {
        return wat::parse_bytes(&bytes)
            .map(|c| c.into_owned())
            .map_err(|e| refused("invalid_wat", format!("{}: {e}", path.display())));
    }
    Err(refused(
        "invalid_wasm",
        format!(
            "{} is neither a wasm module (no \\0asm header) nor WAT text",
            path.display()
        ),
    ))
}

/// Encode `--args` for `function`.
pub(crate) fn encode_args(
    raw: Option<&str>,
    signature: Option<&Signature>,
) -> Result<Vec<u8>, String> {
    let Some(raw) = raw.map(str::trim) else {
        return Ok(Vec::new());
    };
    if let Some(hex_text) = raw.strip_prefix("0x") {
        return hex::decode(hex_text).map_err(|e| format!("--args is not valid hex: {e}"));
    }
    let value: Value =
        serde_json::from_str(raw).map_err(|e| format!("--args is neither 0x-hex nor JSON: {e}"))?;
    let Some(sig) = signature else {
        return Err(
            "this contract records no signature for the function: pass --args 0x<borsh hex>".into(),
        );
    };
    let types: Vec<TypeExpr> = sig.args.iter().map(|(_, t)| t.clone()).collect();
    // Always a JSON array with one element per argument; a function of one argument also
    // takes that argument bare when it is not an array (`5` for `[5]`).
    let items = match value {
        Value::Array(items) => items,
        v if types.len() == 1 => vec![v],
        v => {
            return Err(format!(
                "expected a JSON array of {} arguments, got {v}",
                types.len()
            ));
        }
    };
    if items.len() != types.len() {
        return Err(format!(
            "`{}` takes {} argument(s) ({}), got {}",
            sig.name,
            types.len(),
            sig.text,
            items.len()
        ));
    }
    let mut out = Vec::new();
    for ((label, ty), item) in sig.args.iter().zip(&items) {
        codec::encode(ty, item, &mut out).map_err(|e| format!("argument `{label}`: {e}"))?;
    }
    Ok(out)
}

/// The receipt as JSON, decoding return data and errors through the signature when possible.
pub fn receipt_json(receipt: &Receipt, signature: Option<&Signature>) -> Value {
    let (ok_type, err_type) = match signature.map(|s| &s.ret) {
        Some(TypeExpr::Result(ok, err)) => (Some((**ok).clone()), Some((**err).clone())),
        Some(other) => (Some(other.clone()), None),
        None => (None, None),
    };
    let data = |bytes: &[u8], ty: Option<&TypeExpr>| {
        let mut v = json!({ "hex": format!("0x{}", hex::encode(bytes)) });
        match ty.map(|t| codec::decode(t, bytes)) {
            Some(Ok(decoded)) => v["decoded"] = decoded,
            // A contract's own type: the hex is all there is to show.
            Some(Err(codec::DecodeError::Unknown(_))) | None => {}
            Some(Err(e)) => v["decode_error"] = Value::String(e.to_string()),
        }
        v
    };
    let mut out = json!({
        "status": match &receipt.result { Ok(_) => "success", Err(e) => e.kind() },
        "contract": receipt.contract.to_string(),
        "function": receipt.function,
        "caller": receipt.caller.to_string(),
        "gas_limit": receipt.gas_limit,
        "gas_spent": receipt.gas_spent,
        "events": receipt.events.iter().map(|e| json!({
            "contract": e.contract.to_string(),
            "topic": e.topic,
            "data": format!("0x{}", hex::encode(&e.data)),
            "reverted": e.reverted,
        })).collect::<Vec<_>>(),
        "debug": receipt.debug,
        "calls": receipt.calls.iter().map(trace_json).collect::<Vec<_>>(),
    });
    if receipt.omitted_calls > 0 {
        out["omitted_calls"] = json!(receipt.omitted_calls);
    }
    if !receipt.ops.is_empty() {
        out["ops"] = ops_json(&receipt.ops);
    }
    match &receipt.result {
        Ok(bytes) => out["return"] = data(bytes, ok_type.as_ref()),
        Err(e) => {
            let mut error = json!({ "kind": e.kind(), "message": e.to_string() });
            if let CallError::Reverted(bytes) = e {
                error["data"] = data(bytes, err_type.as_ref());
            }
            out["error"] = error;
        }
    }
    out
}

/// A traced frame's steps as JSON.
fn ops_json(ops: &[TraceOp]) -> Value {
    let hex = |b: &[u8]| format!("0x{}", hex::encode(b));
    ops.iter()
        .map(|op| match op {
            TraceOp::Read { key, value } => {
                json!({ "op": "read", "key": hex(key), "value": value.as_deref().map(hex) })
            }
            TraceOp::Write { key, value } => {
                json!({ "op": "write", "key": hex(key), "value": hex(value) })
            }
            TraceOp::Remove { key, existed } => {
                json!({ "op": "remove", "key": hex(key), "existed": existed })
            }
            TraceOp::Event(index) => json!({ "op": "event", "index": index }),
            TraceOp::Debug(text) => json!({ "op": "debug", "text": text }),
            TraceOp::Call(index) => json!({ "op": "call", "index": index }),
        })
        .collect()
}

/// One frame of the call tree as JSON.
fn trace_json(t: &runtime::CallTrace) -> Value {
    let mut frame = json!({
        "contract": t.contract.to_string(),
        "function": t.function,
        "caller": t.caller.to_string(),
        "gas_limit": t.gas_limit,
        "gas_spent": t.gas_spent,
        "error": t.error,
        "calls": t.calls.iter().map(trace_json).collect::<Vec<_>>(),
    });
    if !t.ops.is_empty() {
        frame["ops"] = ops_json(&t.ops);
    }
    frame
}

/// Add the signature section's warnings (lines or a section ignored for being over a limit or
/// malformed) to a command's JSON output, as `"warnings"`; nothing when there are none.
pub(crate) fn add_signature_warnings(json: &mut Value, signatures: &Signatures) {
    if !signatures.warnings.is_empty() {
        json["warnings"] = signatures.warnings.iter().cloned().collect();
    }
}

/// A contract's label in traces: its file name without the extension.
pub(crate) fn contract_label(path: &std::path::Path) -> String {
    path.file_stem()
        .map_or_else(|| "contract".into(), |s| s.to_string_lossy().into_owned())
}

/// Run `exec`.
pub fn run(req: &ExecRequest) -> ExecOutput {
    match run_inner(req) {
        Ok(out) | Err(out) => out,
    }
}

fn run_inner(req: &ExecRequest) -> Result<ExecOutput, ExecOutput> {
    let code = read_module(&req.contract)?;
    let signatures = read_signatures(&code);
    let signature = signatures.get(&req.function);
    let args =
        encode_args(req.args.as_deref(), signature).map_err(|e| refused("invalid_args", e))?;

    // With --state, the directory is created when missing and locked for this run.
    let dir = match &req.state {
        Some(path) => Some(StateDir::open_or_create(path).map_err(dir_failure)?),
        None => None,
    };
    let runtime = match &dir {
        Some(dir) => dir.runtime().map_err(dir_failure)?,
        None => Runtime::new(cli_runtime_config()).map_err(host_failure)?,
    };
    let redb = dir.as_ref().map(|d| d.store.clone());
    let store: Arc<dyn StateStore> = match &redb {
        Some(db) => db.clone(),
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
    if let Some(db) = &redb {
        json["state_version"] = db.head().map_err(host_failure)?.version.into();
    }
    let trace = req.trace.then(|| {
        let mut names = BTreeMap::new();
        names.insert(id, contract_label(&req.contract));
        render_trace(&receipt, &names)
    });
    Ok(ExecOutput {
        exit_code: if receipt.is_success() { 0 } else { 1 },
        json,
        trace,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtime::CallTrace;

    #[test]
    fn receipt_json_shows_the_call_tree_and_decodes_errors() {
        let inner = CallTrace {
            contract: ContractId([2; 32]),
            function: "transfer".into(),
            caller: Address([1; 32]),
            gas_limit: 100,
            gas_spent: 40,
            error: Some("reverted".into()),
            calls: vec![],
            ops: vec![],
        };
        let receipt = Receipt {
            contract: ContractId([1; 32]),
            function: "deposit".into(),
            caller: DEV_ACCOUNT,
            gas_limit: 1_000,
            gas_spent: 500,
            result: Err(CallError::Reverted(vec![2])),
            events: vec![],
            debug: vec!["hello".into()],
            calls: vec![inner],
            omitted_calls: 3,
            ops: vec![],
        };
        let sig = crate::signature::parse_line("deposit(amount: u64) -> Result<(), u8>").ok();
        let json = receipt_json(&receipt, sig.as_ref());
        assert_eq!(json["status"], "reverted");
        assert_eq!(json["error"]["data"]["decoded"], 2);
        assert_eq!(json["omitted_calls"], 3);
        assert_eq!(json["calls"][0]["function"], "transfer");
        assert_eq!(json["calls"][0]["error"], "reverted");
        assert_eq!(json["calls"][0]["gas_spent"], 40);
        assert_eq!(json["debug"][0], "hello");
    }
}
