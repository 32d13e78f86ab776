//! Reading a contract module from the command line: binary wasm as is, WAT text compiled, and
//! its `contract-signatures` section's warnings added to a command's output.

use crate::output::{CommandOutput, refused};
use crate::signature::Signatures;
use serde_json::Value;
use std::path::PathBuf;

/// Read a module file: binary wasm as is, WAT text compiled.
pub fn read_module(path: &PathBuf) -> Result<Vec<u8>, CommandOutput> {
    let bytes = std::fs::read(path).map_err(|e| {
        refused(
            "unreadable_file",
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(refused(
            "invalid_wasm",
            format!(
                "{} is empty ({} bytes): neither a wasm module nor WAT text",
                path.display(),
                bytes.len()
            ),
        ));
    }
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

/// Add the signature section's warnings (lines or a section ignored for being over a limit or
/// malformed) to a command's JSON output, as `"warnings"`; nothing when there are none.
pub fn add_signature_warnings(json: &mut Value, signatures: &Signatures) {
    if !signatures.warnings.is_empty() {
        json["warnings"] = signatures.warnings.iter().cloned().collect();
    }
}

/// A contract's label in traces: its file name without the extension.
pub fn contract_label(path: &std::path::Path) -> String {
    path.file_stem()
        .map_or_else(|| "contract".into(), |s| s.to_string_lossy().into_owned())
}
