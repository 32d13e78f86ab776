//! What a local call takes from the command line: the default caller and gas, and `--args`
//! encoded through the contract's recorded signature.

use crate::json_borsh;
use crate::output::{CommandOutput, refused};
use crate::signature::{Signature, TypeExpr};
use host_api::Address;
use runtime::Runtime;
use serde_json::Value;

/// The account that deploys and, unless told otherwise, calls.
pub const DEV_ACCOUNT: Address = Address([0xde; 32]);
/// Gas limit when `--gas` is not given (a storage write of a new key costs about 65,000, its
/// commit included: runtime/src/gas.rs, "Storage commit"; 50 M leaves room for hundreds).
pub const DEFAULT_GAS: u64 = 50_000_000;

/// Encode `--args` for `function`.
pub fn encode_args(raw: Option<&str>, signature: Option<&Signature>) -> Result<Vec<u8>, String> {
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
        json_borsh::encode(ty, item, &mut out).map_err(|e| format!("argument `{label}`: {e}"))?;
    }
    Ok(out)
}

/// Check a call before it runs, so that a typo burns no gas and the error says what exists:
/// `function` must be one of the module's entry points (the refusal, `no_such_function`, lists
/// them in its message and as `error.entry_points`), and a function whose recorded signature
/// takes arguments needs `--args`.
pub fn check_call(
    runtime: &Runtime,
    code: &[u8],
    contract: &str,
    function: &str,
    args: Option<&str>,
    signature: Option<&Signature>,
) -> Result<(), CommandOutput> {
    let entry_points = runtime
        .validate(code)
        .map_err(|e| refused(e.kind(), &e))?
        .entry_points;
    if !entry_points.contains(function) {
        let list: Vec<&str> = entry_points.iter().map(String::as_str).collect();
        let mut out = refused(
            "no_such_function",
            format!(
                "{contract} has no entry point `{function}`; its entry points: {}",
                list.join(", ")
            ),
        );
        out.json["error"]["entry_points"] = list.into();
        return Err(out);
    }
    match signature {
        Some(sig) if args.is_none() && !sig.args.is_empty() => Err(refused(
            "invalid_args",
            format!(
                "`{}` takes {} argument(s) ({}): pass them with --args",
                sig.name,
                sig.args.len(),
                sig.text
            ),
        )),
        _ => Ok(()),
    }
}
