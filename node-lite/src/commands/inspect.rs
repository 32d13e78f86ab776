//! `node-lite inspect`: validate a module and list its entry points.

use crate::module_file::{add_signature_warnings, read_module};
use crate::signature::read_signatures;
use runtime::{CodeHash, Runtime, RuntimeConfig};
use serde_json::{Value, json};
use std::path::Path;

/// The JSON report and exit code (0 valid, 2 refused or unreadable).
pub fn run(path: &Path) -> (Value, i32) {
    let code = match read_module(&path.to_path_buf()) {
        Ok(c) => c,
        Err(out) => return (out.json, out.exit_code),
    };
    // Validation only: no instance pool needed.
    let config = RuntimeConfig {
        pooling: false,
        ..RuntimeConfig::default()
    };
    let runtime = match Runtime::new(config) {
        Ok(r) => r,
        Err(e) => return (json!({ "status": "host_error", "error": e.to_string() }), 3),
    };
    let signatures = read_signatures(&code);
    let mut report = json!({
        "file": path.display().to_string(),
        "size_bytes": code.len(),
        "code_hash": CodeHash::of(&code).to_string(),
    });
    add_signature_warnings(&mut report, &signatures);
    match runtime.validate(&code) {
        Ok(info) => {
            report["status"] = "valid".into();
            report["initial_memory_pages"] = info.initial_memory_pages.into();
            report["entry_points"] = info
                .entry_points
                .iter()
                .map(|name| {
                    json!({
                        "name": name,
                        "signature": signatures.get(name).map(|s| Value::String(s.text.clone())),
                    })
                })
                .collect();
            (report, 0)
        }
        Err(e) => {
            report["status"] = "refused".into();
            report["error"] = json!({ "kind": e.kind(), "message": e.to_string() });
            (report, 2)
        }
    }
}
