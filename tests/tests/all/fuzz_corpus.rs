//! The fuzz smoke pass: every committed seed of every fuzz target (`tests/fuzz/seeds/<target>/`)
//! replayed through the target's own function (`integration_tests::fuzz`), so a broken harness
//! fails `cargo test` without an instrumented build. `write_seeds` (ignored) regenerates the
//! seeds.

use integration_tests::fuzz::TARGETS;
use integration_tests::{OWNER, repo_root, session, wat};
use runtime::{MemoryStore, StateDump};
use std::path::PathBuf;

fn seeds_dir(target: &str) -> PathBuf {
    repo_root().join("tests/fuzz/seeds").join(target)
}

#[test]
fn every_target_replays_its_committed_seeds() {
    for (target, run) in TARGETS {
        let mut seeds: Vec<_> = std::fs::read_dir(seeds_dir(target))
            .unwrap_or_else(|e| panic!("seeds of {target}: {e}"))
            .flatten()
            .map(|e| e.path())
            .collect();
        seeds.sort();
        assert!(seeds.len() >= 3, "{target} has {} seeds", seeds.len());
        for seed in seeds {
            let bytes = std::fs::read(&seed).unwrap();
            run(&bytes);
        }
    }
}

/// A small contract writing one storage entry: the seed of the module and state targets.
const CONTRACT: &str = r#"(module
    (import "host_v1" "storage_write" (func $write (param i32 i32 i32 i32)))
    (memory (export "memory") 1)
    (data (i32.const 0) "countvalue")
    (func (export "run") (param i32) (result i32)
        (call $write (i32.const 0) (i32.const 5) (i32.const 5) (i32.const 5))
        i32.const 0))"#;

/// Deterministic pseudo-random bytes (xorshift), for the generator targets' seeds.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

/// Regenerate `tests/fuzz/seeds/`: `cargo test -p integration-tests --test all
/// fuzz_corpus::write_seeds -- --ignored`.
#[test]
#[ignore = "writes the committed seed corpus"]
fn write_seeds() {
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = seeds_dir(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    let contract = wat(CONTRACT);
    write("validate_bytes", "contract.wasm", &contract);
    write(
        "validate_bytes",
        "start.wasm",
        &wat(r#"(module (memory (export "memory") 1) (func $s) (start $s)
            (func (export "run") (param i32) (result i32) i32.const 0))"#),
    );
    write(
        "validate_bytes",
        "forbidden_import.wasm",
        &wat(
            r#"(module (import "env" "abort" (func)) (memory (export "memory") 1)
            (func (export "run") (param i32) (result i32) i32.const 0))"#,
        ),
    );
    write("validate_bytes", "empty.wasm", b"\0asm\x01\0\0\0");
    for (i, len) in [64, 512, 2048].into_iter().enumerate() {
        let name = format!("noise-{len}");
        let i = i as u64;
        write("validate_generated", &name, &noise(11 + i, len));
        write("call_generated", &name, &noise(23 + i, len));
        write("differential", &name, &noise(37 + i, len));
    }
    let codec: [&[u8]; 5] = [
        b"get() -> u64\n\x05\0\0\0\0\0\0\0",
        b"transfer(to: Address, amount: u128) -> Result<(), String>\n\0",
        b"f(x: Vec<Option<(u8, bool)>>) -> [u16; 3]\n\x02\0\0\0\x01\x07\x01\0\x01\0\x02\0\x03\0",
        b"deep(x: Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<u8>>>>>>>>) -> [(); 1000000]\n",
        // Some(None): decoded to null and encoded back as None before the codec wrote it [null].
        b"f() -> Option<Option<u8>>\n\x01\x00",
    ];
    for (i, seed) in codec.iter().enumerate() {
        write("signature_codec", &format!("seed-{i}"), seed);
    }
    // State files: a store holding the contract, deployed and called once.
    let (store, mut s) = session();
    let id = s.deploy(OWNER, &contract, 0).unwrap();
    s.call(OWNER, id, "run", &[], 1_000_000).unwrap();
    s.commit().unwrap();
    let dump = StateDump::of_memory(&store).unwrap();
    let names = [("c".to_string(), id)].into();
    let json = node_lite::dump_file::to_json(&dump, &names);
    write(
        "state_files",
        "dump.json",
        &[&[0u8][..], json.as_bytes()].concat(),
    );
    let tmp = tempfile::tempdir().unwrap();
    let saved = tmp.path().join("state.bin");
    store.save(&saved).unwrap();
    assert!(MemoryStore::load(&saved, integration_tests::runtime()).is_ok());
    let saved = std::fs::read(&saved).unwrap();
    write(
        "state_files",
        "memory-store.bin",
        &[&[1u8][..], &saved].concat(),
    );
    let redb = tmp.path().join("state.redb");
    {
        let db = runtime::RedbStore::open(&redb).unwrap();
        use runtime::StateStore;
        db.commit(
            dump.clone()
                .verify(integration_tests::runtime())
                .unwrap()
                .to_change_set(),
        )
        .unwrap();
    }
    let redb = std::fs::read(&redb).unwrap();
    write("state_files", "state.redb", &[&[2u8][..], &redb].concat());
    let names = format!("{{\"c\": \"{id}\"}}");
    write(
        "state_files",
        "names.json",
        &[&[3u8][..], names.as_bytes()].concat(),
    );
}
