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
    let redb = store_file(&tmp.path().join("state.redb"), &dump, |path| {
        runtime::RedbStore::open(path).unwrap()
    });
    write("state_files", "state.redb", &[&[2u8][..], &redb].concat());
    let wal = store_file(&tmp.path().join("state.wal"), &dump, |path| {
        runtime::WalStore::open(path).unwrap()
    });
    write("state_files", "state.wal", &[&[4u8][..], &wal].concat());
    chain_seeds(&write);
    let names = format!("{{\"c\": \"{id}\"}}");
    write(
        "state_files",
        "names.json",
        &[&[3u8][..], names.as_bytes()].concat(),
    );
}

/// The bytes of a new store file at `path` (opened by `open`) holding `dump`'s state.
fn store_file<S: runtime::StateStore>(
    path: &std::path::Path,
    dump: &StateDump,
    open: impl FnOnce(&std::path::Path) -> S,
) -> Vec<u8> {
    {
        let store = open(path);
        let changes = dump
            .clone()
            .verify(integration_tests::runtime())
            .unwrap()
            .to_change_set();
        store.commit(changes).unwrap();
    }
    std::fs::read(path).unwrap()
}

/// Seeds of `chain_inputs`: one valid input of each kind (the first byte picks it).
fn chain_seeds(write: &impl Fn(&str, &str, &[u8])) {
    use node_lite::chain::keys::AccountKey;
    use node_lite::chain::{Payload, UnsignedTx};
    let key = AccountKey::from_seed("fuzz");
    let tx = |nonce, payload| {
        UnsignedTx {
            chain_id: 7357,
            sender: key.public(),
            nonce,
            gas_limit: 5_000_000,
            gas_price: 1,
            payload,
        }
        .sign(&key)
    };
    let transfer = tx(
        0,
        Payload::Transfer {
            to: host_api::Address([7; 32]),
            amount: 1_000,
        },
    );
    let call = tx(
        1,
        Payload::Call {
            contract: host_api::ContractId([9; 32]),
            function: "increment".into(),
            args: 5u64.to_le_bytes().to_vec(),
        },
    );
    let seed = |kind: u8, body: &[u8]| [&[kind][..], body].concat();
    write("chain_inputs", "tx-transfer", &seed(0, &transfer.encode()));
    write("chain_inputs", "tx-call", &seed(0, &call.encode()));
    let get_blocks = borsh::to_vec(&consensus::Message::GetBlocks { from: 7 }).unwrap();
    write("chain_inputs", "message-get-blocks", &seed(1, &get_blocks));
    let item = borsh::to_vec(&node_lite::devnet::executor::BlockItem::Tx(
        transfer.clone(),
    ))
    .unwrap();
    write("chain_inputs", "block-item", &seed(2, &item));
    // The pin as a placeholder, so the seed outlives price changes (see the target).
    let genesis =
        std::fs::read_to_string(repo_root().join("node-lite/src/chain/default-genesis.toml"))
            .unwrap();
    let pin = node_lite::chain::gas_schedule_fingerprint(&runtime::PriceTable::default());
    let genesis = genesis.replace(
        &pin,
        integration_tests::fuzz::chain::GAS_SCHEDULE_PLACEHOLDER,
    );
    write("chain_inputs", "genesis.toml", &seed(3, genesis.as_bytes()));
    let pool = borsh::to_vec(&vec![transfer.encode(), call.encode()]).unwrap();
    write("chain_inputs", "mempool.bin", &seed(4, &pool));
    let body = format!(
        r#"{{"tx": "{}"}}"#,
        transfer
            .encode()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    write("chain_inputs", "api-tx.json", &seed(5, body.as_bytes()));
    let call_body = r#"{"caller": null, "contract": "0909090909090909090909090909090909090909090909090909090909090909", "function": "get", "args": "", "gas_limit": 1000000}"#;
    write(
        "chain_inputs",
        "api-call.json",
        &seed(5, call_body.as_bytes()),
    );
}

/// The `chain_inputs` seeds are valid inputs of their kind (so the fuzzer starts from inputs
/// that get past the decoders, not from ones refused at the first byte).
#[test]
fn chain_seeds_decode() {
    let seed = |name: &str| std::fs::read(seeds_dir("chain_inputs").join(name)).unwrap();
    for tx in ["tx-transfer", "tx-call"] {
        let bytes = seed(tx);
        assert_eq!(bytes[0], 0);
        node_lite::chain::Transaction::decode(&bytes[1..]).unwrap();
    }
    let message = seed("message-get-blocks");
    borsh::from_slice::<consensus::Message>(&message[1..]).unwrap();
    let item = seed("block-item");
    node_lite::devnet::executor::decode_items(&[item[1..].to_vec()]).unwrap();
    let genesis = seed("genesis.toml");
    let prices = runtime::PriceTable::default();
    let text = std::str::from_utf8(&genesis[1..]).unwrap().replace(
        integration_tests::fuzz::chain::GAS_SCHEDULE_PLACEHOLDER,
        &node_lite::chain::gas_schedule_fingerprint(&prices),
    );
    node_lite::chain::GenesisConfig::parse(&text, &prices).unwrap();
    let pool = seed("mempool.bin");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(node_lite::devnet::pool_file::POOL_FILE),
        &pool[1..],
    )
    .unwrap();
    let (txs, undecodable) = node_lite::devnet::pool_file::take(dir.path()).unwrap();
    assert_eq!((txs.len(), undecodable), (2, 0));
}
