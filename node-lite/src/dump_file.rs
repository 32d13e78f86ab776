//! The portable state file of `state dump` / `state load` and of `state snapshot`: JSON, every
//! byte string as hex, with the state's merkle root as its checksum.
//!
//! ```json
//! {
//!   "format": "node-lite-state-v1",
//!   "state_root": "<64 hex>",
//!   "code": { "<code hash>": "<module bytes>" },
//!   "contracts": { "<contract id>": { "owner": "<address>", "code_hash": "<code hash>" } },
//!   "storage": { "<contract id>": { "<key>": "<value>" } },
//!   "names": { "<name given at deploy>": "<contract id>" }
//! }
//! ```
//!
//! Reading a file checks everything before anything is written: the format tag, every hex
//! string, that every contract's code is there, hashes to its code hash and passes the deploy
//! validation (a [`CodeValidator`]: a state file is no side door for a module deploy refuses),
//! and that the content's merkle root is `state_root` (which catches any altered byte of a
//! record or a storage value). Any failure is a typed [`DumpFileError`], naming the contract
//! when its code is at fault; what reading returns is a [`VerifiedDump`].

use host_api::ContractId;
use runtime::{CodeHash, CodeValidator, ContractRecord, DumpError, Root, StateDump, VerifiedDump};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The format tag of a state file.
pub const FORMAT: &str = "node-lite-state-v1";

/// Why a state file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DumpFileError {
    /// The file cannot be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        message: String,
    },
    /// Not JSON of the expected shape.
    #[error("not a state file: {0}")]
    Json(String),
    /// Another format (or version).
    #[error("unknown state file format {0:?} (expected {FORMAT:?})")]
    Format(String),
    /// A field that should be hex (of a given length) is not.
    #[error("bad hex in {field}: {message}")]
    Hex {
        /// Where.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The content is inconsistent or does not have the root it claims.
    #[error("inconsistent state file: {0}")]
    Inconsistent(#[from] DumpError),
}

#[derive(Serialize, Deserialize)]
struct FileRecord {
    owner: String,
    code_hash: String,
}

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    state_root: String,
    code: BTreeMap<String, String>,
    contracts: BTreeMap<String, FileRecord>,
    storage: BTreeMap<String, BTreeMap<String, String>>,
    /// Names given with `deploy --name` (not part of the state or its root).
    #[serde(default)]
    names: BTreeMap<String, String>,
}

/// Names given at deploy: name → contract id.
pub type Names = BTreeMap<String, ContractId>;

/// Encode a dump (and the names of its contracts) as the JSON text of a state file.
pub fn to_json(dump: &StateDump, names: &Names) -> String {
    let file = File {
        format: FORMAT.into(),
        state_root: dump.root().to_string(),
        code: dump
            .code
            .iter()
            .map(|(h, c)| (h.to_string(), hex::encode(c)))
            .collect(),
        contracts: dump
            .contracts
            .iter()
            .map(|(id, r)| {
                let record = FileRecord {
                    owner: r.owner.to_string(),
                    code_hash: hex::encode(r.code_hash),
                };
                (id.to_string(), record)
            })
            .collect(),
        storage: dump
            .storage
            .iter()
            .map(|(id, m)| {
                let entries = m.iter().map(|(k, v)| (hex::encode(k), hex::encode(v)));
                (id.to_string(), entries.collect())
            })
            .collect(),
        names: names
            .iter()
            .map(|(n, id)| (n.clone(), id.to_string()))
            .collect(),
    };
    // Serializing plain maps of strings cannot fail.
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

fn bytes(field: &str, text: &str) -> Result<Vec<u8>, DumpFileError> {
    hex::decode(text).map_err(|e| DumpFileError::Hex {
        field: field.to_string(),
        message: e.to_string(),
    })
}

fn array32(field: &str, text: &str) -> Result<[u8; 32], DumpFileError> {
    bytes(field, text)?
        .try_into()
        .map_err(|v: Vec<u8>| DumpFileError::Hex {
            field: field.to_string(),
            message: format!("expected 32 bytes, got {}", v.len()),
        })
}

/// Decode and check the JSON text of a state file, its code with `validator` (the deploy
/// checks, e.g. the runtime's [`Limits`](runtime::Limits)).
///
/// # Errors
/// See [`DumpFileError`].
pub fn from_json(
    text: &str,
    validator: &dyn CodeValidator,
) -> Result<(VerifiedDump, Names), DumpFileError> {
    let file: File = serde_json::from_str(text).map_err(|e| DumpFileError::Json(e.to_string()))?;
    if file.format != FORMAT {
        return Err(DumpFileError::Format(file.format));
    }
    let mut dump = StateDump::default();
    for (hash, code) in &file.code {
        let hash = CodeHash(array32("code hash", hash)?);
        let code: Arc<[u8]> = Arc::from(bytes(&format!("code {hash}"), code)?);
        dump.code.insert(hash, code);
    }
    for (id, record) in &file.contracts {
        let field = format!("contract {id}");
        let id = host_api::ContractId(array32(&field, id)?);
        let record = ContractRecord {
            owner: host_api::Address(array32(&format!("{field} owner"), &record.owner)?),
            code_hash: array32(&format!("{field} code_hash"), &record.code_hash)?,
        };
        dump.contracts.insert(id, record);
    }
    for (id, entries) in &file.storage {
        let field = format!("storage of {id}");
        let id = host_api::ContractId(array32(&field, id)?);
        let map = dump.storage.entry(id).or_default();
        for (key, value) in entries {
            map.insert(bytes(&field, key)?, bytes(&field, value)?);
        }
    }
    let dump = dump.verify(validator)?;
    let expected = Root(array32("state_root", &file.state_root)?);
    let actual = dump.root();
    if actual != expected {
        return Err(DumpError::RootMismatch { expected, actual }.into());
    }
    let mut names = Names::new();
    for (name, id) in &file.names {
        names.insert(
            name.clone(),
            ContractId(array32(&format!("name {name}"), id)?),
        );
    }
    Ok((dump, names))
}

/// Read and check a state file (see [`from_json`]).
///
/// # Errors
/// See [`DumpFileError`].
pub fn read(
    path: &Path,
    validator: &dyn CodeValidator,
) -> Result<(VerifiedDump, Names), DumpFileError> {
    let text = std::fs::read_to_string(path).map_err(|e| DumpFileError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    from_json(&text, validator)
}

/// Write a state file.
///
/// # Errors
/// When the file cannot be written.
pub fn write(path: &Path, dump: &StateDump, names: &Names) -> Result<(), DumpFileError> {
    crate::state_dir::write_atomically(path, to_json(dump, names).as_bytes()).map_err(|e| {
        DumpFileError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use host_api::Address;
    use runtime::Limits;

    /// A valid one-function contract.
    const VALID: &str = r#"(module (memory (export "memory") 1)
        (func (export "run") (param i32) (result i32) i32.const 0))"#;

    fn with_code(code: &[u8]) -> StateDump {
        let code: Arc<[u8]> = Arc::from(code);
        let hash = CodeHash::of(&code);
        let id = ContractId([7; 32]);
        let mut dump = StateDump::default();
        dump.code.insert(hash, code);
        dump.contracts.insert(
            id,
            ContractRecord {
                owner: Address([1; 32]),
                code_hash: hash.0,
            },
        );
        dump.storage
            .entry(id)
            .or_default()
            .insert(b"count".to_vec(), vec![5, 0, 0, 0, 0, 0, 0, 0]);
        dump
    }

    fn sample() -> StateDump {
        with_code(&wat::parse_str(VALID).unwrap())
    }

    fn read_back(dump: &StateDump) -> Result<(VerifiedDump, Names), DumpFileError> {
        from_json(&to_json(dump, &Names::new()), &Limits::default())
    }

    #[test]
    fn round_trips() {
        let dump = sample();
        let mut names = Names::new();
        names.insert("c".into(), ContractId([7; 32]));
        let (read, read_names) = from_json(&to_json(&dump, &names), &Limits::default()).unwrap();
        assert_eq!((read.into_dump(), read_names), (dump, names));
    }

    #[test]
    fn refuses_bad_files_with_typed_errors() {
        let good = to_json(&sample(), &Names::new());
        let from_json = |text: &str| from_json(text, &Limits::default());
        assert!(matches!(from_json("{"), Err(DumpFileError::Json(_))));
        let other = good.replace(FORMAT, "something-else");
        assert!(matches!(from_json(&other), Err(DumpFileError::Format(_))));
        // An altered storage value: the root no longer matches.
        let altered = good.replace("0500000000000000", "0600000000000000");
        assert!(matches!(
            from_json(&altered),
            Err(DumpFileError::Inconsistent(DumpError::RootMismatch { .. }))
        ));
        // Altered code: its hash no longer matches.
        let altered = good.replace("0061736d01000000", "0061736d02000000");
        assert!(matches!(
            from_json(&altered),
            Err(DumpFileError::Inconsistent(
                DumpError::CodeHashMismatch { contract, .. }
            )) if contract == ContractId([7; 32])
        ));
        let bad_hex = good.replace("0500000000000000", "zz");
        assert!(matches!(
            from_json(&bad_hex),
            Err(DumpFileError::Hex { .. })
        ));
    }

    /// The issue's modules that deploy refuses are refused in a state file too, naming the
    /// contract, with the deploy error's message.
    #[test]
    fn refuses_code_that_deploy_refuses_naming_the_contract() {
        let start = r#"(module (memory (export "memory") 1)
            (func $s) (start $s)
            (func (export "run") (param i32) (result i32) i32.const 0))"#;
        let import = r#"(module (import "env" "abort" (func))
            (memory (export "memory") 1)
            (func (export "run") (param i32) (result i32) i32.const 0))"#;
        let mut oversized = wat::parse_str(VALID).unwrap();
        // A custom section pads the module one byte past the limit.
        let pad = Limits::default().max_module_bytes + 1 - oversized.len() - 1 - 4 - 1;
        oversized.push(0); // custom section id
        oversized.extend_from_slice(&leb128_4(u32::try_from(pad + 1).unwrap()));
        oversized.push(0); // empty name
        oversized.resize(oversized.len() + pad, 0);
        assert_eq!(oversized.len(), Limits::default().max_module_bytes + 1);
        for (code, expected) in [
            (wat::parse_str(start).unwrap(), "start functions"),
            (
                wat::parse_str(import).unwrap(),
                "forbidden import `env.abort`",
            ),
            (oversized, "over the 1048576-byte limit"),
        ] {
            match read_back(&with_code(&code)) {
                Err(DumpFileError::Inconsistent(DumpError::CodeRefused {
                    contract,
                    reason,
                    ..
                })) => {
                    assert_eq!(contract, ContractId([7; 32]));
                    assert!(reason.contains(expected), "{reason}");
                }
                other => panic!("expected refused code ({expected}), got {other:?}"),
            }
        }
    }

    /// `n` as a 4-byte (padded) LEB128.
    fn leb128_4(n: u32) -> [u8; 4] {
        [
            (n & 0x7f) as u8 | 0x80,
            ((n >> 7) & 0x7f) as u8 | 0x80,
            ((n >> 14) & 0x7f) as u8 | 0x80,
            ((n >> 21) & 0x7f) as u8,
        ]
    }
}
