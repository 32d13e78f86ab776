//! How long a restart's open takes: a `RedbStore` and a `WalStore` holding N keys are closed and
//! opened again, three times each, and every open is timed (the root is checked after each).
//! An open of an existing file first rehearses itself in memory with redb's integrity check
//! (`redb_store/rehearsal.rs`), so it reads the whole file once more than redb's own open: this
//! measures what that costs a node that restarts.
//!
//! Run: `cargo bench -p state --bench reopen` (`REOPEN_KEYS`, default 1,000,000; about a minute
//! to build the state). Not criterion: each open is one measurement of seconds.

use host_api::ContractId;
use state::{ChangeSet, RedbStore, StateStore, WalStore};
use std::collections::BTreeMap;
use std::time::Instant;

/// The one contract whose storage holds every key.
const CONTRACT: ContractId = ContractId([7; 32]);
/// Keys per commit while the state is built.
const FILL_BATCH: u64 = 100_000;
/// Opens timed per store.
const OPENS: usize = 3;

/// A batch of keys `range`, each with a 32-byte value.
fn batch(range: std::ops::Range<u64>) -> ChangeSet {
    let writes: BTreeMap<_, _> = range
        .map(|k| {
            let mut v = [0u8; 32];
            v[..8].copy_from_slice(&k.to_le_bytes());
            (k.to_be_bytes().to_vec(), Some(v.to_vec()))
        })
        .collect();
    let mut changes = ChangeSet::default();
    changes.storage.insert(CONTRACT, writes);
    changes
}

/// Fill `store` with `total` keys; the root it ends at.
fn fill(store: &dyn StateStore, total: u64) -> state::Root {
    let mut done = 0;
    while done < total {
        let end = (done + FILL_BATCH).min(total);
        store.commit(batch(done..end)).expect("fill");
        done = end;
    }
    store.root().expect("root")
}

/// Open with `open` `OPENS` times, checking the root, and print each time.
fn time_opens<S: StateStore>(
    name: &str,
    file: &std::path::Path,
    root: state::Root,
    open: impl Fn() -> S,
) {
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    for i in 0..OPENS {
        let started = Instant::now();
        let store = open();
        let elapsed = started.elapsed();
        assert_eq!(
            store.root().expect("root"),
            root,
            "{name} reopened at another root"
        );
        println!(
            "reopen: {name} open {} of {OPENS}: {:.3} s ({:.1} MiB file)",
            i + 1,
            elapsed.as_secs_f64(),
            size as f64 / (1024.0 * 1024.0)
        );
    }
}

fn main() {
    let keys: u64 = match std::env::var("REOPEN_KEYS") {
        Ok(v) => v.parse().expect("REOPEN_KEYS is a number of keys"),
        Err(_) => 1_000_000,
    };
    let dir = tempfile::tempdir().expect("temporary directory");

    let redb_path = dir.path().join("state.redb");
    let root = {
        let store = RedbStore::open(&redb_path).expect("create redb");
        fill(&store, keys)
    };
    time_opens("RedbStore", &redb_path, root, || {
        RedbStore::open(&redb_path).expect("reopen redb")
    });

    let wal_path = dir.path().join("state.wal");
    let root = {
        let store = WalStore::open(&wal_path).expect("create wal");
        let root = fill(&store, keys);
        store.checkpoint().expect("checkpoint");
        root
    };
    time_opens("WalStore", &wal_path, root, || {
        WalStore::open(&wal_path).expect("reopen wal")
    });
}
