//! `node-lite state snapshot|revert|dump|load|versions --state DIR`.
//!
//! - `snapshot` writes the current state to `DIR/snapshots/N.json` (a [state file](crate::dump_file))
//!   and prints `N`, anvil-style;
//! - `revert N` makes the content of snapshot `N` the current state again, as a **new
//!   version** (history is kept: the versions in between stay readable until pruned); the new
//!   head's root equals the snapshot's root, which is checked;
//! - `dump [--out FILE]` writes the current state as a state file (stdout by default);
//! - `load FILE` makes the file's content the current state, like `revert`;
//! - `versions` lists the retained versions (at least the last 16) and the snapshots; a
//!   version's `leaves` is `null` where the store does not know it without loading that
//!   version (`state.wal`: every version but the current one).
//!
//! Why snapshots are files rather than a pointer to a retained version: the merkle tree of an
//! old version stores hashed keys only, so an old version can be read key by key but not
//! listed, and making it the head again needs its list of keys. A snapshot file has them (and
//! survives pruning). A revert that must *remove* a contract (deployed after the snapshot) cannot
//! be a change set; then the database is rebuilt from the snapshot instead (`"rebuilt": true`:
//! its version history restarts at 1).

use crate::dump_file;
use crate::output::{CommandOutput, dir_failure};
use crate::state_dir::{LocalStore, StateDir, StoreKind, cli_runtime_config, io_error};
use runtime::VerifiedDump;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A `state` subcommand.
#[derive(Clone, Debug)]
pub enum StateRequest {
    /// Save the current state as a numbered snapshot.
    Snapshot,
    /// Make snapshot `N` the current state.
    Revert(u64),
    /// Write the current state to a file, or stdout.
    Dump(Option<PathBuf>),
    /// Make a state file's content the current state.
    Load(PathBuf),
    /// List retained versions and snapshots.
    Versions,
}

fn output(json: Value, exit_code: i32) -> CommandOutput {
    CommandOutput {
        json,
        exit_code,
        trace: None,
    }
}

fn failure(kind: &str, e: impl std::fmt::Display, exit_code: i32) -> CommandOutput {
    let status = if exit_code == 2 {
        "refused"
    } else {
        "host_error"
    };
    output(
        json!({ "status": status, "error": { "kind": kind, "message": e.to_string() } }),
        exit_code,
    )
}

fn host(e: impl std::fmt::Display) -> CommandOutput {
    failure("host_error", e, 3)
}

/// Run a `state` subcommand on `dir`. `dump` without `--out` returns the state file itself as
/// the JSON to print.
pub fn run(dir: &Path, req: &StateRequest) -> CommandOutput {
    run_inner(dir, req).unwrap_or_else(|out| out)
}

fn snapshots_dir(dir: &Path) -> PathBuf {
    dir.join("snapshots")
}

/// Snapshot numbers present, ascending.
fn snapshot_ids(dir: &Path) -> Vec<u64> {
    let mut ids: Vec<u64> = std::fs::read_dir(snapshots_dir(dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".json")?.parse().ok()
        })
        .collect();
    ids.sort_unstable();
    ids
}

/// Read and check a state file, its code with the deploy validation of CLI runs.
fn read_state_file(path: &Path) -> Result<(VerifiedDump, dump_file::Names), CommandOutput> {
    dump_file::read(path, &cli_runtime_config().limits).map_err(|e| failure("bad_state_file", e, 2))
}

fn run_inner(dir_path: &Path, req: &StateRequest) -> Result<CommandOutput, CommandOutput> {
    // A file to load is read and checked before the directory is opened or created: a
    // refused file leaves it byte for byte as it was.
    let loaded = match req {
        StateRequest::Load(path) => Some(read_state_file(path)?),
        _ => None,
    };
    // Only `load` puts a state where there was none.
    let dir = match req {
        StateRequest::Load(_) => StateDir::open_or_create(dir_path),
        _ => StateDir::open(dir_path),
    }
    .map_err(dir_failure)?;
    match req {
        StateRequest::Snapshot => {
            let dump = dir.store.dump().map_err(host)?;
            let names = dir.names().map_err(dir_failure)?;
            let (head_version, head_root) = dir.store.head().map_err(host)?;
            let id = snapshot_ids(dir_path).last().map_or(1, |n| n + 1);
            let snaps = snapshots_dir(dir_path);
            std::fs::create_dir_all(&snaps).map_err(|e| host(io_error(&snaps, e)))?;
            let file = snaps.join(format!("{id}.json"));
            dump_file::write(&file, &dump, &names).map_err(host)?;
            Ok(output(
                json!({
                    "status": "snapshot",
                    "snapshot": id,
                    "file": file.display().to_string(),
                    "state_root": head_root.to_string(),
                    "state_version": head_version,
                }),
                0,
            ))
        }
        StateRequest::Revert(id) => {
            let file = snapshots_dir(dir_path).join(format!("{id}.json"));
            if !file.exists() {
                let known = snapshot_ids(dir_path);
                return Err(failure(
                    "unknown_snapshot",
                    format!(
                        "no snapshot {id} in {} (snapshots: {known:?})",
                        dir_path.display()
                    ),
                    2,
                ));
            }
            let (dump, names) = read_state_file(&file)?;
            let mut out = replace_state(dir, &dump, &names)?;
            out.json["status"] = "reverted".into();
            out.json["snapshot"] = (*id).into();
            Ok(out)
        }
        StateRequest::Dump(path) => {
            let dump = dir.store.dump().map_err(host)?;
            let names = dir.names().map_err(dir_failure)?;
            match path {
                Some(path) => {
                    dump_file::write(path, &dump, &names).map_err(host)?;
                    Ok(output(
                        json!({
                            "status": "dumped",
                            "file": path.display().to_string(),
                            "state_root": dump.root().to_string(),
                            "contracts": dump.contracts.len(),
                            "storage_entries": dump.storage_entries(),
                        }),
                        0,
                    ))
                }
                None => {
                    let text = dump_file::to_json(&dump, &names);
                    let json = serde_json::from_str(&text).map_err(host)?;
                    Ok(output(json, 0))
                }
            }
        }
        StateRequest::Load(path) => {
            let (dump, names) = loaded.ok_or_else(|| host("the state file was not read"))?;
            let mut out = replace_state(dir, &dump, &names)?;
            out.json["status"] = "loaded".into();
            out.json["file"] = path.display().to_string().into();
            Ok(out)
        }
        StateRequest::Versions => {
            let versions = dir.store.versions().map_err(host)?;
            Ok(output(
                json!({
                    "versions": versions.iter().map(|v| json!({
                        "version": v.version,
                        "state_root": v.root.to_string(),
                        "leaves": v.leaves,
                    })).collect::<Vec<_>>(),
                    "head": versions.last().map(|v| v.version),
                    "snapshots": snapshot_ids(dir_path),
                }),
                0,
            ))
        }
    }
}

/// Make `dump` the current state of `dir`: a new version when a change set can express it,
/// else a rebuilt database. Checks the resulting root, then records `names`.
fn replace_state(
    dir: StateDir,
    dump: &VerifiedDump,
    names: &dump_file::Names,
) -> Result<CommandOutput, CommandOutput> {
    dir.bind_names(names).map_err(dir_failure)?;
    let current = dir.store.dump().map_err(host)?;
    let (root, version, rebuilt) = match dump.changes_from(&current) {
        Some(changes) if changes.is_empty() => {
            let (version, root) = dir.store.head().map_err(host)?;
            (root, version, false)
        }
        Some(changes) => {
            let root = dir.store.commit(changes).map_err(host)?;
            (root, dir.store.head().map_err(host)?.0, false)
        }
        None => {
            let path = dir.dir.clone();
            let kind = dir.store.kind();
            // The database closes, the directory stays locked while it is replaced.
            let _lock = dir.into_lock();
            let (root, version) = rebuild(&path, kind, dump)?;
            (root, version, true)
        }
    };
    if root != dump.root() {
        return Err(host(format!(
            "the state has root {root} after the change, expected {}",
            dump.root()
        )));
    }
    Ok(output(
        json!({
            "state_root": root.to_string(),
            "state_version": version,
            "rebuilt": rebuilt,
        }),
        0,
    ))
}

/// Replace the directory's state file (of `kind`) by a new one holding `dump` (built aside,
/// then renamed over).
fn rebuild(
    dir: &Path,
    kind: StoreKind,
    dump: &VerifiedDump,
) -> Result<(runtime::Root, u64), CommandOutput> {
    let fresh = dir.join(format!("{}.new", kind.file_name()));
    if fresh.exists() {
        std::fs::remove_file(&fresh).map_err(|e| host(io_error(&fresh, e)))?;
    }
    {
        let store = LocalStore::open(kind, &fresh).map_err(host)?;
        store.commit(dump.to_change_set()).map_err(host)?;
    }
    let target = dir.join(kind.file_name());
    std::fs::rename(&fresh, &target).map_err(|e| host(io_error(&target, e)))?;
    let store = LocalStore::open(kind, &target).map_err(host)?;
    let (version, root) = store.head().map_err(host)?;
    Ok((root, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump_file::Names;
    use host_api::{Address, ContractId};
    use runtime::{CodeHash, ContractRecord, StateDump};
    use std::sync::Arc;

    const VALID: &str = r#"(module (memory (export "memory") 1)
        (func (export "run") (param i32) (result i32) i32.const 0))"#;

    /// A state file deploying `code` as contract `id`, named `name`.
    fn state_file(path: &Path, id: u8, code: &[u8], name: &str) {
        let code: Arc<[u8]> = Arc::from(code);
        let hash = CodeHash::of(&code);
        let mut dump = StateDump::default();
        dump.code.insert(hash, code);
        let record = ContractRecord {
            owner: Address([1; 32]),
            code_hash: hash.0,
        };
        dump.contracts.insert(ContractId([id; 32]), record);
        let names: Names = [(name.to_string(), ContractId([id; 32]))].into();
        dump_file::write(path, &dump, &names).unwrap();
    }

    /// Every file of the state directory, with its bytes.
    fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_file())
            .map(|e| (e.path(), std::fs::read(e.path()).unwrap()))
            .collect();
        out.sort();
        out
    }

    /// `state load` of a file holding a module deploy refuses (a start function, an import
    /// outside `host_v1`, a wrong code hash) is refused naming the contract, and the state
    /// directory is byte for byte what it was.
    #[test]
    fn a_refused_module_refuses_the_whole_file_and_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("st");
        let good = tmp.path().join("good.json");
        state_file(&good, 7, &wat::parse_str(VALID).unwrap(), "good");
        let out = run(&dir, &StateRequest::Load(good));
        assert_eq!(out.exit_code, 0, "{}", out.json);
        let before = files(&dir);
        assert!(before.iter().any(|(p, _)| p.ends_with("names.json")));

        let start = r#"(module (memory (export "memory") 1) (func $s) (start $s)
            (func (export "run") (param i32) (result i32) i32.const 0))"#;
        let import = r#"(module (import "env" "abort" (func)) (memory (export "memory") 1)
            (func (export "run") (param i32) (result i32) i32.const 0))"#;
        let bad = tmp.path().join("bad.json");
        for (wat_text, expected) in [(start, "start functions"), (import, "env.abort")] {
            state_file(&bad, 9, &wat::parse_str(wat_text).unwrap(), "bad");
            let out = run(&dir, &StateRequest::Load(bad.clone()));
            assert_eq!(out.exit_code, 2, "{}", out.json);
            let message = out.json["error"]["message"].as_str().unwrap();
            assert!(
                message.contains(&ContractId([9; 32]).to_string()),
                "{message}"
            );
            assert!(message.contains(expected), "{message}");
            assert_eq!(files(&dir), before);
        }
        // A wrong code hash: the module is filed under another hash.
        let text = std::fs::read_to_string(&bad).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let hash = json["code"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap()
            .clone();
        let forged = text.replace(&hash, &"ab".repeat(32));
        std::fs::write(&bad, forged).unwrap();
        let out = run(&dir, &StateRequest::Load(bad));
        assert_eq!(out.exit_code, 2, "{}", out.json);
        let message = out.json["error"]["message"].as_str().unwrap();
        assert!(message.contains("hashes to"), "{message}");
        assert_eq!(files(&dir), before);
    }
}
