//! Target `state_files`: every kind of state file node-lite and the stores read.
//!
//! The first byte picks the kind, the rest is the file: a state dump (JSON), a saved
//! `MemoryStore`, a `RedbStore` database (`state.redb`), a `names.json`, a `WalStore` file
//! (`state.wal`: the devnet's and, in a new state directory, the CLI's). Each must give a typed error or load; what
//! loads must be consistent (a dump reads back to itself; a store answers its root and dumps).

use node_lite::dump_file;
use node_lite::state_dir::Bindings;
use runtime::{Limits, MemoryStore, RedbStore, StateDump, StateStore, WalStore};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A directory for the files of one process's runs (each run overwrites its file).
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temporary directory"))
        .path()
}

fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, bytes).expect("write the scratch file");
    path
}

/// Read `data[1..]` as the kind of state file `data[0]` picks.
pub fn run(data: &[u8]) {
    let Some((kind, body)) = data.split_first() else {
        return;
    };
    match kind % 5 {
        0 => dump_json(body),
        1 => memory_store(body),
        2 => redb(body),
        4 => wal(body),
        _ => {
            if let Ok(bindings) = Bindings::parse(&String::from_utf8_lossy(body)) {
                let again = Bindings::parse(&bindings.to_json()).expect("names written back parse");
                assert_eq!(
                    again.to_json(),
                    bindings.to_json(),
                    "names changed on a round trip"
                );
            }
        }
    }
}

fn dump_json(body: &[u8]) {
    let limits = Limits::default();
    let Ok((dump, names)) = dump_file::from_json(&String::from_utf8_lossy(body), &limits) else {
        return;
    };
    let again = dump_file::to_json(&dump, &names);
    let (read, read_names) =
        dump_file::from_json(&again, &limits).expect("a state file written back reads back");
    assert!(
        read == dump && read_names == names,
        "a state file changed on a round trip"
    );
}

fn memory_store(body: &[u8]) {
    let Ok(store) = MemoryStore::load(&file("state.bin", body), &Limits::default()) else {
        return;
    };
    let dump = StateDump::of_memory(&store).expect("a loaded store dumps");
    assert_eq!(store.root().expect("root"), dump.root());
}

fn redb(body: &[u8]) {
    let path = file("state.redb", body);
    let Ok(store) = RedbStore::open(&path) else {
        return;
    };
    if let Ok(dump) = store.dump()
        && let Ok(root) = store.root()
    {
        assert_eq!(root, dump.root(), "a redb file's root is not its content's");
    }
}

fn wal(body: &[u8]) {
    let path = file("state.wal", body);
    let Ok(store) = WalStore::open(&path) else {
        return;
    };
    if let Ok((_, dump)) = store.dump()
        && let Ok(root) = store.root()
    {
        assert_eq!(root, dump.root(), "a WAL file's root is not its content's");
    }
}
