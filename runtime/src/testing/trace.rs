//! [`render_trace`]: a receipt's call tree as indented text, with gas per frame, storage
//! reads and writes, events and debug prints in the order they happened.
//!
//! ```text
//! [14210 gas] counter::increment ok
//! ├─ read "count" → absent
//! ├─ write "count" = 0x0500000000000000
//! ├─ event incremented 0x05000000000000000500000000000000
//! └─ debug "incremented by 5"
//! ```
//!
//! Frames show their storage and debug steps only when the call was traced
//! ([`Session::set_trace`](crate::Session::set_trace)); the call tree, gas and events are always
//! there.

use crate::outcome::{CallTrace, Event, Receipt, TraceOp};
use host_api::ContractId;
use std::collections::BTreeMap;

/// Bytes of a key or value shown before `…`.
const SHOWN_BYTES: usize = 48;

/// A byte string for people: printable ASCII as a quoted string, anything else as `0x…` hex,
/// and a printable prefix of at least 3 bytes followed by binary as `"prefix" ‖ 0x…` (storage
/// keys are often `b"balance/" ‖ address`). Truncated after 48 bytes.
pub fn show_bytes(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(SHOWN_BYTES)];
    let more = if bytes.len() > SHOWN_BYTES {
        format!("… ({} bytes)", bytes.len())
    } else {
        String::new()
    };
    let printable = shown
        .iter()
        .take_while(|b| b.is_ascii_graphic() || **b == b' ')
        .count();
    let hex = |b: &[u8]| -> String { b.iter().map(|b| format!("{b:02x}")).collect() };
    let text = |b: &[u8]| format!("{:?}", String::from_utf8_lossy(b));
    if !shown.is_empty() && printable == shown.len() {
        format!("{}{more}", text(shown))
    } else if printable >= 3 {
        let (head, tail) = shown.split_at(printable);
        format!("{} ‖ 0x{}{more}", text(head), hex(tail))
    } else {
        format!("0x{}{more}", hex(shown))
    }
}

/// A contract's label: its name in `names`, else the first 8 hex digits of its id.
pub fn label(names: &BTreeMap<ContractId, String>, id: &ContractId) -> String {
    names
        .get(id)
        .cloned()
        .unwrap_or_else(|| id.to_string().chars().take(8).collect())
}

/// The receipt's call tree as text (see the [module docs](self)); `names` labels contracts.
pub fn render_trace(receipt: &Receipt, names: &BTreeMap<ContractId, String>) -> String {
    let root = CallTrace {
        contract: receipt.contract,
        function: receipt.function.clone(),
        caller: receipt.caller,
        gas_limit: receipt.gas_limit,
        gas_spent: receipt.gas_spent,
        error: receipt.result.as_ref().err().map(|e| e.to_string()),
        calls: receipt.calls.clone(),
        ops: receipt.ops.clone(),
    };
    let mut out = String::new();
    frame(&mut out, &root, &receipt.events, names, "", "");
    out
}

fn frame(
    out: &mut String,
    f: &CallTrace,
    events: &[Event],
    names: &BTreeMap<ContractId, String>,
    head: &str,
    indent: &str,
) {
    let status = match &f.error {
        None => "ok".to_string(),
        Some(e) => format!("FAILED: {e}"),
    };
    out.push_str(&format!(
        "{head}[{} gas] {}::{} {status}\n",
        f.gas_spent,
        label(names, &f.contract),
        f.function
    ));
    // Untraced frames still show their nested calls.
    let ops: Vec<TraceOp> = if f.ops.is_empty() {
        (0..f.calls.len()).map(TraceOp::Call).collect()
    } else {
        f.ops.clone()
    };
    for (i, op) in ops.iter().enumerate() {
        let last = i + 1 == ops.len();
        let (branch, cont) = if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        let line = match op {
            TraceOp::Read { key, value } => match value {
                Some(v) => format!("read {} → {}", show_bytes(key), show_bytes(v)),
                None => format!("read {} → absent", show_bytes(key)),
            },
            TraceOp::Write { key, value } => {
                format!("write {} = {}", show_bytes(key), show_bytes(value))
            }
            TraceOp::Remove { key, existed } => {
                let what = if *existed { "" } else { " (was absent)" };
                format!("remove {}{what}", show_bytes(key))
            }
            TraceOp::Event(index) => match events.get(*index) {
                Some(e) => {
                    let reverted = if e.reverted { " (reverted)" } else { "" };
                    format!("event {} {}{reverted}", e.topic, show_bytes(&e.data))
                }
                None => format!("event #{index}"),
            },
            TraceOp::Debug(text) => format!("debug {text:?}"),
            TraceOp::Call(index) => {
                if let Some(child) = f.calls.get(*index) {
                    let child_indent = format!("{indent}{cont}");
                    frame(
                        out,
                        child,
                        events,
                        names,
                        &format!("{indent}{branch}"),
                        &child_indent,
                    );
                    continue;
                }
                format!("call #{index}")
            }
        };
        out.push_str(&format!("{indent}{branch}{line}\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use host_api::Address;

    #[test]
    fn renders_a_nested_tree() {
        let inner = CallTrace {
            contract: ContractId([2; 32]),
            function: "transfer".into(),
            caller: Address([1; 32]),
            gas_limit: 100,
            gas_spent: 40,
            error: Some("reverted".into()),
            calls: vec![],
            ops: vec![TraceOp::Remove {
                key: b"k".to_vec(),
                existed: false,
            }],
        };
        let receipt = Receipt {
            contract: ContractId([1; 32]),
            function: "deposit".into(),
            caller: Address([9; 32]),
            gas_limit: 1_000,
            gas_spent: 500,
            result: Ok(vec![]),
            events: vec![Event {
                contract: ContractId([1; 32]),
                topic: "deposited".into(),
                data: vec![1, 2],
                reverted: false,
            }],
            debug: vec![],
            calls: vec![inner],
            omitted_calls: 0,
            ops: vec![
                TraceOp::Read {
                    key: b"balance".to_vec(),
                    value: None,
                },
                TraceOp::Call(0),
                TraceOp::Event(0),
                TraceOp::Debug("done".into()),
            ],
        };
        let mut names = BTreeMap::new();
        names.insert(ContractId([1; 32]), "bank".to_string());
        let text = render_trace(&receipt, &names);
        let expected = "[500 gas] bank::deposit ok
├─ read \"balance\" → absent
├─ [40 gas] 02020202::transfer FAILED: reverted
│  └─ remove \"k\" (was absent)
├─ event deposited 0x0102
└─ debug \"done\"
";
        assert_eq!(text, expected);
    }
}
