//! The module cache on disk: a deploy compiles once and writes `<code hash>.cwasm`; a fresh
//! runtime over the same directory loads the entry instead of compiling; a damaged, truncated,
//! foreign or garbage entry is rejected, recompiled and rewritten, and the call still succeeds.

use host_api::ContractId;
use integration_tests::*;
use runtime::{
    BlockInfo, CacheStats, CodeHash, MemoryStore, Runtime, RuntimeConfig, RuntimeError, blake2b_256,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A counter: `inc` adds 1 to the little-endian u32 under key `n` and returns it.
const COUNTER: &str = r#"(module
  (import "host_v1" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "host_v1" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "host_v1" "output_write" (func $output_write (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "n")
  (func (export "inc") (param i32) (result i32)
    (drop (call $storage_read (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 4)))
    (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const 1)))
    (call $storage_write (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 4))
    (call $output_write (i32.const 16) (i32.const 4))
    (i32.const 0)))"#;

/// Another module (another code hash).
const OTHER: &str = r#"(module (memory (export "memory") 1)
  (func (export "other") (param i32) (result i32) i32.const 0))"#;

/// Size of the entry header: magic 8 ‖ fingerprint 32 ‖ code hash 32 ‖ checksum 32 ‖ length 8.
const HEADER_BYTES: usize = 8 + 32 + 32 + 32 + 8;

fn cached_runtime(dir: &Path) -> Runtime {
    Runtime::new(RuntimeConfig {
        pooled_instances: 8,
        ..RuntimeConfig::test().with_cache_dir(dir)
    })
    .expect("runtime")
}

fn entry_path(dir: &Path, code: &[u8]) -> PathBuf {
    dir.join(format!("{}.cwasm", CodeHash::of(code)))
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn stats(memory_hits: u64, disk_hits: u64, disk_rejected: u64, compiles: u64) -> CacheStats {
    CacheStats {
        memory_hits,
        disk_hits,
        disk_rejected,
        compiles,
        ..CacheStats::default()
    }
}

/// Call `inc` with `rt` over `store`, commit, and return the counter value.
fn inc(rt: &Runtime, store: &Arc<MemoryStore>, id: ContractId) -> u32 {
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let receipt = session
        .call(ALICE, id, "inc", &[], GAS)
        .expect("no host error");
    let out = receipt.result.expect("inc succeeds");
    session.commit().expect("commit");
    u32::from_le_bytes(out.try_into().expect("4 bytes"))
}

/// A cache dir holding a valid entry for COUNTER, and a store where it is deployed with the
/// counter at 1.
fn deployed(dir: &Path) -> (Arc<MemoryStore>, ContractId, Vec<u8>) {
    let code = wat(COUNTER);
    let rt = cached_runtime(dir);
    let store = Arc::new(MemoryStore::new());
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let id = session.deploy(OWNER, &code, 0).expect("deploy");
    session.commit().expect("commit");
    assert_eq!(rt.cache_stats().counters(), stats(0, 0, 0, 1));
    assert_eq!(inc(&rt, &store, id), 1);
    (store, id, code)
}

#[test]
fn deploy_compiles_once_and_writes_a_verified_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let code = wat(COUNTER);
    let hash = CodeHash::of(&code);
    let rt = cached_runtime(dir.path());
    assert_eq!(rt.cache_stats().counters(), CacheStats::default());
    let store = Arc::new(MemoryStore::new());
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let id = session.deploy(OWNER, &code, 0).expect("deploy");
    assert_eq!(rt.cache_stats().counters(), stats(0, 0, 0, 1));
    // Exactly one file, under its final name (no temporary file left behind).
    assert_eq!(file_names(dir.path()), vec![format!("{hash}.cwasm")]);

    // The documented layout: magic ‖ engine fingerprint ‖ code hash ‖ blake2b-256(artifact) ‖
    // artifact length (u64 LE) ‖ artifact.
    let bytes = std::fs::read(entry_path(dir.path(), &code)).expect("entry");
    assert!(bytes.len() > HEADER_BYTES);
    let artifact = &bytes[HEADER_BYTES..];
    assert_eq!(&bytes[..8], b"SBXCWSM1");
    assert_eq!(bytes[8..40], rt.engine_fingerprint());
    assert_eq!(bytes[40..72], hash.0);
    assert_eq!(bytes[72..104], blake2b_256(&[artifact]));
    assert_eq!(bytes[104..112], (artifact.len() as u64).to_le_bytes());

    // Calls and a second deploy of the same code are served from memory.
    assert_eq!(
        session
            .call(ALICE, id, "inc", &[], GAS)
            .expect("call")
            .result,
        Ok(1u32.to_le_bytes().to_vec())
    );
    let again = session.deploy(OWNER, &code, 1).expect("deploy again");
    assert_eq!(
        session
            .call(ALICE, again, "inc", &[], GAS)
            .expect("call")
            .result,
        Ok(1u32.to_le_bytes().to_vec())
    );
    // The first call and the second deploy (which looks the compiled module up again); the
    // second call runs the module the session keeps warm (`runtime/src/load.rs`): no lookup.
    assert_eq!(rt.cache_stats().counters(), stats(2, 0, 0, 1));
    assert_eq!(file_names(dir.path()).len(), 1);
}

#[test]
fn a_fresh_runtime_loads_the_entry_from_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, id, code) = deployed(dir.path());
    let written = std::fs::read(entry_path(dir.path(), &code)).expect("entry");

    let rt = cached_runtime(dir.path());
    assert_eq!(
        inc(&rt, &store, id),
        2,
        "state carried over by the shared store"
    );
    assert_eq!(rt.cache_stats().counters(), stats(0, 1, 0, 0));
    assert_eq!(inc(&rt, &store, id), 3);
    assert_eq!(rt.cache_stats().counters(), stats(1, 1, 0, 0));
    // Forget the in-memory copy: the disk entry is loaded again.
    rt.clear_memory_cache();
    assert_eq!(inc(&rt, &store, id), 4);
    assert_eq!(rt.cache_stats().counters(), stats(1, 2, 0, 0));
    // A disk hit does not rewrite the entry.
    assert_eq!(
        std::fs::read(entry_path(dir.path(), &code)).expect("entry"),
        written
    );
}

#[test]
fn without_a_cache_dir_nothing_is_written_and_a_fresh_runtime_compiles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = RuntimeConfig {
        pooled_instances: 8,
        ..RuntimeConfig::test()
    };
    assert_eq!(config.cache_dir, None);
    let code = wat(COUNTER);
    let store = Arc::new(MemoryStore::new());
    let rt = Runtime::new(config.clone()).expect("runtime");
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let id = session.deploy(OWNER, &code, 0).expect("deploy");
    session.commit().expect("commit");
    assert_eq!(inc(&rt, &store, id), 1);
    assert_eq!(rt.cache_stats().counters(), stats(1, 0, 0, 1));
    let fresh = Runtime::new(config).expect("runtime");
    assert_eq!(inc(&fresh, &store, id), 2);
    assert_eq!(fresh.cache_stats().counters(), stats(0, 0, 0, 1));
    assert!(file_names(dir.path()).is_empty());
}

/// The ways an entry can be damaged, each applied to a valid entry of COUNTER.
fn damages(valid: &[u8], foreign: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut flipped_middle = valid.to_vec();
    flipped_middle[valid.len() / 2] ^= 0x01;
    let mut flipped_last = valid.to_vec();
    *flipped_last.last_mut().expect("non-empty") ^= 0x80;
    let mut flipped_fingerprint = valid.to_vec();
    flipped_fingerprint[20] ^= 0x01;
    let mut flipped_hash = valid.to_vec();
    flipped_hash[50] ^= 0x01;
    let mut wrong_length = valid.to_vec();
    wrong_length[104] ^= 0x01;
    let mut extended = valid.to_vec();
    extended.extend_from_slice(&[0; 16]);
    let garbage: Vec<u8> = (0..valid.len()).map(|i| (i * 131 % 251) as u8).collect();
    vec![
        ("one bit flipped in the middle", flipped_middle),
        ("one bit flipped in the last byte", flipped_last),
        ("fingerprint altered", flipped_fingerprint),
        ("code hash altered", flipped_hash),
        ("length field altered", wrong_length),
        ("truncated to half", valid[..valid.len() / 2].to_vec()),
        ("truncated by one byte", valid[..valid.len() - 1].to_vec()),
        (
            "truncated inside the header",
            valid[..HEADER_BYTES - 1].to_vec(),
        ),
        ("header only", valid[..HEADER_BYTES].to_vec()),
        ("trailing bytes", extended),
        ("empty", Vec::new()),
        ("the entry of another code hash", foreign.to_vec()),
        ("garbage", garbage),
    ]
}

#[test]
fn damaged_entries_are_rejected_recompiled_and_rewritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, id, code) = deployed(dir.path());
    let path = entry_path(dir.path(), &code);
    let valid = std::fs::read(&path).expect("entry");

    // A valid entry of another module, written into the same directory by a deploy.
    let other = wat(OTHER);
    {
        let rt = cached_runtime(dir.path());
        let mut session = rt.session(Arc::new(MemoryStore::new()), BlockInfo::default());
        session.deploy(OWNER, &other, 0).expect("deploy other");
    }
    let foreign = std::fs::read(entry_path(dir.path(), &other)).expect("other entry");
    assert_ne!(foreign, valid);

    let mut expected = 1;
    for (what, damaged) in damages(&valid, &foreign) {
        std::fs::write(&path, &damaged).expect("damage the entry");
        let rt = cached_runtime(dir.path());
        expected += 1;
        assert_eq!(
            inc(&rt, &store, id),
            expected,
            "{what}: the call still succeeds"
        );
        assert_eq!(
            rt.cache_stats().counters(),
            stats(0, 0, 1, 1),
            "{what}: rejected and recompiled"
        );
        // Rewritten: a valid entry again (the same bytes: compilation is deterministic).
        assert_eq!(
            std::fs::read(&path).expect("entry"),
            valid,
            "{what}: rewritten"
        );
        let next = cached_runtime(dir.path());
        expected += 1;
        assert_eq!(inc(&next, &store, id), expected, "{what}");
        assert_eq!(
            next.cache_stats().counters(),
            stats(0, 1, 0, 0),
            "{what}: a disk hit after the rewrite"
        );
    }
    let mut names = vec![
        format!("{}.cwasm", CodeHash::of(&code)),
        format!("{}.cwasm", CodeHash::of(&other)),
    ];
    names.sort();
    assert_eq!(file_names(dir.path()), names);
}

#[test]
fn damage_is_detected_by_the_same_runtime_after_clearing_its_memory_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, id, code) = deployed(dir.path());
    let path = entry_path(dir.path(), &code);
    let valid = std::fs::read(&path).expect("entry");

    let rt = cached_runtime(dir.path());
    assert_eq!(inc(&rt, &store, id), 2);
    assert_eq!(rt.cache_stats().counters(), stats(0, 1, 0, 0));
    let mut flipped = valid.clone();
    flipped[valid.len() / 2] ^= 0xff;
    std::fs::write(&path, &flipped).expect("damage");
    // Still in memory: the damage is not even looked at.
    assert_eq!(inc(&rt, &store, id), 3);
    assert_eq!(rt.cache_stats().counters(), stats(1, 1, 0, 0));
    rt.clear_memory_cache();
    assert_eq!(inc(&rt, &store, id), 4);
    assert_eq!(rt.cache_stats().counters(), stats(1, 1, 1, 1));
    assert_eq!(std::fs::read(&path).expect("entry"), valid);
    rt.clear_memory_cache();
    assert_eq!(inc(&rt, &store, id), 5);
    assert_eq!(rt.cache_stats().counters(), stats(1, 2, 1, 1));
}

#[test]
fn a_deleted_entry_is_recompiled_without_counting_a_rejection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, id, code) = deployed(dir.path());
    let path = entry_path(dir.path(), &code);
    std::fs::remove_file(&path).expect("remove");
    let rt = cached_runtime(dir.path());
    assert_eq!(inc(&rt, &store, id), 2);
    assert_eq!(rt.cache_stats().counters(), stats(0, 0, 0, 1));
    assert!(path.exists(), "rewritten");
    let next = cached_runtime(dir.path());
    assert_eq!(inc(&next, &store, id), 3);
    assert_eq!(next.cache_stats().counters(), stats(0, 1, 0, 0));
}

#[test]
fn the_cache_dir_is_created_and_an_unusable_one_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let nested = dir.path().join("a/b/cache");
    let rt = cached_runtime(&nested);
    assert!(nested.is_dir());
    assert_eq!(rt.config().cache_dir.as_deref(), Some(nested.as_path()));

    // A regular file where the directory should be.
    let file = dir.path().join("file");
    std::fs::write(&file, b"x").expect("write");
    let err = Runtime::new(RuntimeConfig {
        pooled_instances: 8,
        ..RuntimeConfig::test().with_cache_dir(&file)
    })
    .err()
    .expect("a file is not a directory");
    match err {
        RuntimeError::CacheDir { path, message } => {
            assert_eq!(path, file.display().to_string());
            assert!(!message.is_empty());
        }
        other => panic!("expected CacheDir, got {other:?}"),
    }
}

#[test]
fn an_entry_that_cannot_be_written_is_counted_and_the_cache_works_from_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let rt = cached_runtime(&cache);
    std::fs::remove_dir(&cache).expect("remove the cache dir under the runtime");
    let code = wat(COUNTER);
    let store = Arc::new(MemoryStore::new());
    let mut session = rt.session(store.clone(), BlockInfo::default());
    let id = session
        .deploy(OWNER, &code, 0)
        .expect("deploy succeeds without a disk cache");
    session.commit().expect("commit");
    assert_eq!(
        rt.cache_stats().counters(),
        CacheStats {
            compiles: 1,
            disk_write_failures: 1,
            ..CacheStats::default()
        }
    );
    assert_eq!(inc(&rt, &store, id), 1);
    assert_eq!(rt.cache_stats().counters().memory_hits, 1);
    assert!(!cache.exists());
}

#[test]
fn an_entry_compiled_under_another_gas_schedule_is_rejected_and_recompiled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, id, _) = deployed(dir.path());
    // Same wasmtime, same settings, other operator costs: the engine fingerprint differs.
    let other = Runtime::new(RuntimeConfig {
        pooled_instances: 8,
        operator_costs: runtime::OperatorCosts::wasmtime_default(),
        ..RuntimeConfig::test().with_cache_dir(dir.path())
    })
    .expect("runtime");
    assert_ne!(
        other.gas_schedule_fingerprint(),
        cached_runtime(dir.path()).gas_schedule_fingerprint()
    );
    assert_eq!(inc(&other, &store, id), 2);
    assert_eq!(other.cache_stats().counters(), stats(0, 0, 1, 1));
    // Only a price differs: the compiled code would be the same, the key still differs.
    let mut prices = runtime::PriceTable::default();
    prices.emit_per_byte += 1;
    let repriced = Runtime::new(RuntimeConfig {
        pooled_instances: 8,
        prices,
        ..RuntimeConfig::test().with_cache_dir(dir.path())
    })
    .expect("runtime");
    assert_eq!(inc(&repriced, &store, id), 3);
    assert_eq!(repriced.cache_stats().counters(), stats(0, 0, 1, 1));
}
