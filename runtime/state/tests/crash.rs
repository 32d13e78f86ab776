//! Crash consistency: a child process commits a stream of blocks — each commit a change set and
//! the record `"h" ‖ height (u64 BE) → root`, in one [`RecordStore::commit_with_records`] — and
//! prints each height once its commit has returned (is durable); the parent SIGKILLs it at a
//! random moment (seeded), reopens the store and checks:
//!
//! - the store opens;
//! - the last height's record holds the store's root, and that root is the one the stream gives
//!   at that height (recomputed here in a `MemoryStore`): state and records agree, and the state
//!   is exactly the stream's up to that height — nothing half-applied, nothing extra;
//! - every height the child reported is there (nothing durable lost), and at most one more (the
//!   commit in flight when it was killed);
//! - every earlier height's record holds that height's root.
//!
//! Runs come in chains of [`CHAIN`] on one file, each child continuing the stream where the last
//! one was killed, so kills land in a fresh file's creation, in commits over a reopened store and,
//! for the `WalStore` (a checkpoint after every commit), in background checkpoints (the summary
//! counts the kills that left one unsealed).
//!
//! A harness-less test (`harness = false`): `cargo test -p state --test crash` runs
//! [`DEFAULT_RUNS`] runs per store; `STATE_CRASH_RUNS=100 cargo test -p state --test crash`
//! runs 100 per store, `STATE_CRASH_SEED=n` picks the kill moments.

use host_api::ContractId;
use state::{
    ChangeSet, MemoryStore, RecordStore, RecordWrites, RedbStore, Root, StateStore, WalOptions,
    WalStore,
};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs per store in `cargo test` (CI); `STATE_CRASH_RUNS` sets another count.
const DEFAULT_RUNS: u64 = 20;
/// Runs on one file before the next chain starts a fresh one.
const CHAIN: u64 = 5;
/// The latest kill, in milliseconds after the child is started: long enough for it to open the
/// store and commit for a while, short enough for many runs.
const MAX_KILL_MS: u64 = 600;
/// The `WalStore`'s checkpoint threshold: any log starts a checkpoint, so one is under way most
/// of the time and kills land in them.
const WAL_CHECKPOINT_BYTES: u64 = 1;
/// The one contract whose storage the stream writes.
const CONTRACT: ContractId = ContractId([5; 32]);
/// The prefix of the height records.
const HEIGHT: &[u8] = b"h";

/// The stores under test.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Redb,
    Wal,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Redb => "redb",
            Kind::Wal => "wal",
        }
    }

    fn open(self, path: &Path) -> Box<dyn RecordStore> {
        match self {
            Kind::Redb => Box::new(RedbStore::open(path).expect("open redb store")),
            Kind::Wal => {
                let options = WalOptions {
                    checkpoint_bytes: Some(WAL_CHECKPOINT_BYTES),
                    ..WalOptions::default()
                };
                Box::new(WalStore::open_with(path, options).expect("open wal store"))
            }
        }
    }
}

/// SplitMix64: the seeded kill moments (no dependency for a few numbers).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The change set of `height`: 24 keys of 512 written, every 7th height deletes 3, and the
/// first deploys code and a contract record.
fn block(height: u64) -> ChangeSet {
    let mut changes = ChangeSet::default();
    let writes = changes.storage.entry(CONTRACT).or_default();
    for i in 0..24u64 {
        let key = (height * 37 + i * 101) % 512;
        writes.insert(
            key.to_be_bytes().to_vec(),
            Some(height.to_le_bytes().repeat(1 + (i % 3) as usize)),
        );
    }
    if height.is_multiple_of(7) {
        for i in 0..3u64 {
            writes.insert(((height + i * 5) % 512).to_be_bytes().to_vec(), None);
        }
    }
    if height == 1 {
        let code = b"the contract's code".to_vec();
        let hash = state::CodeHash(state::blake2b_256(&[&code]));
        changes.code.insert(hash, code.into());
        let record = state::ContractRecord {
            owner: host_api::Address([1; 32]),
            code_hash: hash.0,
        };
        changes.contracts.insert(CONTRACT, record);
    }
    changes
}

fn height_key(height: u64) -> Vec<u8> {
    [HEIGHT, &height.to_be_bytes()].concat()
}

/// The roots of the stream, height by height (`roots[0]` is the empty state's).
struct Stream {
    memory: MemoryStore,
    roots: Vec<Root>,
}

impl Stream {
    fn new() -> Self {
        Self {
            memory: MemoryStore::new(),
            roots: vec![Root::EMPTY],
        }
    }

    fn root(&mut self, height: u64) -> Root {
        while self.roots.len() as u64 <= height {
            let next = self.roots.len() as u64;
            let root = self.memory.commit(block(next)).expect("in-memory commit");
            self.roots.push(root);
        }
        self.roots[height as usize]
    }
}

/// The last height recorded in `store` (0 when none is).
fn last_height(store: &dyn RecordStore) -> u64 {
    match store.last_record(HEIGHT).expect("last record") {
        None => 0,
        Some((key, _)) => {
            let bytes: [u8; 8] = key[HEIGHT.len()..].try_into().expect("a height key");
            u64::from_be_bytes(bytes)
        }
    }
}

/// The child: continue the stream from the store's last height, forever (until killed).
fn child(kind: Kind, path: &Path) {
    let store = kind.open(path);
    let mut stream = Stream::new();
    let mut height = last_height(&*store);
    let mut root = store.root().expect("root");
    assert_eq!(root, stream.root(height), "reopened at height {height}");
    let mut out = std::io::stdout().lock();
    loop {
        height += 1;
        let expected = stream.root(height);
        let records: RecordWrites = [(height_key(height), Some(expected.0.to_vec()))].into();
        root = store
            .commit_with_records(root, block(height), &records)
            .expect("commit");
        assert_eq!(root, expected, "height {height}");
        // One write per line: the parent reads whole lines only.
        writeln!(out, "committed {height}").expect("stdout");
        out.flush().expect("stdout");
    }
}

/// What one run found.
struct RunReport {
    reported: u64,
    found: u64,
    /// The kill left a checkpoint's chunks without its seal (a `WalStore` killed mid-checkpoint).
    unsealed_checkpoint: bool,
}

/// Whether the `WalStore` file at `path` holds chunks of a checkpoint that was never sealed,
/// read with redb directly before the store's own open removes them.
fn has_unsealed_checkpoint(path: &Path) -> bool {
    use redb::{ReadableDatabase, ReadableTable, TableDefinition};
    const HEADS: TableDefinition<u64, &[u8]> = TableDefinition::new("checkpoint");
    const CHUNKS: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("checkpoint_chunks");
    let db = redb::Database::create(path).expect("open the file with redb");
    let txn = db.begin_read().expect("read");
    let (Ok(heads), Ok(chunks)) = (txn.open_table(HEADS), txn.open_table(CHUNKS)) else {
        return false; // killed before its tables were created
    };
    let sealed = heads.last().expect("heads").map(|(v, _)| v.value());
    chunks
        .iter()
        .expect("chunks")
        .any(|entry| Some(entry.expect("chunk").0.value().0) != sealed)
}

/// Start a child on `path` (at height `last`), kill it after `delay`, reopen and check;
/// `stream` holds the roots.
fn run(kind: Kind, path: &Path, last: u64, delay: Duration, stream: &mut Stream) -> RunReport {
    let mut child = Command::new(std::env::current_exe().expect("own executable"))
        .env("STATE_CRASH_CHILD", kind.name())
        .env("STATE_CRASH_PATH", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the child");
    std::thread::sleep(delay);
    child.kill().expect("SIGKILL the child");
    let output = child.wait_with_output().expect("wait for the child");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "{}: the child failed before it was killed:\n{stderr}",
        kind.name()
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let reported = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("committed ")?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    let unsealed_checkpoint = matches!(kind, Kind::Wal) && has_unsealed_checkpoint(path);
    let store = kind.open(path);
    let found = last_height(&*store);
    let root = store.root().expect("root");
    let name = kind.name();
    assert_eq!(
        root,
        stream.root(found),
        "{name}: the root is not height {found}'s"
    );
    if found > 0 {
        let record = store.record(&height_key(found)).expect("record");
        assert_eq!(record, Some(root.0.to_vec()), "{name}: record {found}");
    }
    let durable = reported.max(last);
    assert!(
        found >= durable,
        "{name}: height {durable} was committed, the store is at {found}"
    );
    assert!(
        found <= durable + 1,
        "{name}: height {found} found, {durable} committed: more than the one in flight"
    );
    for height in 1..found {
        let record = store.record(&height_key(height)).expect("record");
        assert_eq!(
            record,
            Some(stream.root(height).0.to_vec()),
            "{name}: record {height}"
        );
    }
    RunReport {
        reported,
        found,
        unsealed_checkpoint,
    }
}

fn parent() {
    let runs: u64 = match std::env::var("STATE_CRASH_RUNS") {
        Ok(v) => v.parse().expect("STATE_CRASH_RUNS: a number of runs"),
        Err(_) => DEFAULT_RUNS,
    };
    let seed: u64 = match std::env::var("STATE_CRASH_SEED") {
        Ok(v) => v.parse().expect("STATE_CRASH_SEED: a number"),
        Err(_) => 12,
    };
    for kind in [Kind::Redb, Kind::Wal] {
        let mut rng = Rng(seed);
        let (mut in_flight, mut commits, mut empty, mut mid_checkpoint) = (0, 0, 0, 0);
        let mut dir = tempfile::tempdir().expect("tempdir");
        let mut stream = Stream::new();
        let mut last = 0;
        for run_index in 0..runs {
            if run_index.is_multiple_of(CHAIN) {
                dir = tempfile::tempdir().expect("tempdir");
                stream = Stream::new();
                last = 0;
            }
            let path = dir.path().join("state.db");
            let delay = Duration::from_micros(rng.next() % (MAX_KILL_MS * 1_000));
            let report = run(kind, &path, last, delay, &mut stream);
            commits += report.found - last;
            in_flight += u64::from(report.found > report.reported && report.found > last);
            empty += u64::from(report.found == last);
            mid_checkpoint += u64::from(report.unsealed_checkpoint);
            last = report.found;
        }
        println!(
            "crash {}: {runs} runs (seed {seed}), {commits} commits survived the kills, \
             {in_flight} kills found the commit in flight durable, {empty} kills came before \
             any commit of their run, {mid_checkpoint} kills left a checkpoint unsealed",
            kind.name()
        );
    }
}

fn main() {
    match std::env::var("STATE_CRASH_CHILD") {
        Ok(kind) => {
            let kind = match kind.as_str() {
                "redb" => Kind::Redb,
                "wal" => Kind::Wal,
                other => panic!("unknown store {other:?}"),
            };
            let path = std::env::var("STATE_CRASH_PATH").expect("STATE_CRASH_PATH");
            child(kind, Path::new(&path));
        }
        Err(_) => parent(),
    }
}
