//! What a local call takes from the command line: the default caller and gas, and `--args`
//! encoded through the contract's recorded signature.

use crate::json_borsh;
use crate::signature::{Signature, TypeExpr};
use host_api::Address;
use serde_json::Value;

/// The account that deploys and, unless told otherwise, calls.
pub const DEV_ACCOUNT: Address = Address([0xde; 32]);
/// Gas limit when `--gas` is not given.
pub const DEFAULT_GAS: u64 = 10_000_000;

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
