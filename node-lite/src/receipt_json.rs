//! A call's receipt as JSON: return data and errors decoded through the contract's recorded
//! signature when possible, events, debug prints and the call tree.

use crate::json_borsh;
use crate::signature::{Signature, TypeExpr};
use runtime::{CallError, Receipt, TraceOp};
use serde_json::{Value, json};

/// The receipt as JSON, decoding return data and errors through the signature when possible.
pub fn receipt_json(receipt: &Receipt, signature: Option<&Signature>) -> Value {
    let (ok_type, err_type) = match signature.map(|s| &s.ret) {
        Some(TypeExpr::Result(ok, err)) => (Some((**ok).clone()), Some((**err).clone())),
        Some(other) => (Some(other.clone()), None),
        None => (None, None),
    };
    let data = |bytes: &[u8], ty: Option<&TypeExpr>| {
        let mut v = json!({ "hex": format!("0x{}", hex::encode(bytes)) });
        match ty.map(|t| json_borsh::decode(t, bytes)) {
            Some(Ok(decoded)) => v["decoded"] = decoded,
            // A contract's own type: the hex is all there is to show.
            Some(Err(json_borsh::DecodeError::Unknown(_))) | None => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call_input::DEV_ACCOUNT;
    use host_api::{Address, ContractId};
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
