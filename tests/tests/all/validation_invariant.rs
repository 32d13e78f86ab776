//! Validation is an invariant, not a door: code that enters a store by any path other than a
//! deploy — a saved `MemoryStore` file, a state dump, a store written directly — passes the same
//! deploy validation and code-hash check, or is refused whole, naming the contract.

use host_api::{Address, ContractId};
use integration_tests::{ALICE, GAS, runtime, wat};
use runtime::{
    BlockInfo, ChangeSet, CodeHash, ContractRecord, DumpError, HostError, Limits, MemoryStore,
    StateDump, StateStore, StoreError,
};
use std::sync::Arc;

const VALID: &str = r#"(module (memory (export "memory") 1)
    (func (export "run") (param i32) (result i32) i32.const 0))"#;

/// The modules the issue lists that deploy refuses, each with a piece of the refusal's message.
fn refused_modules() -> Vec<(Vec<u8>, &'static str)> {
    let start = wat(r#"(module (memory (export "memory") 1) (func $s) (start $s)
        (func (export "run") (param i32) (result i32) i32.const 0))"#);
    let import = wat(
        r#"(module (import "env" "abort" (func)) (memory (export "memory") 1)
        (func (export "run") (param i32) (result i32) i32.const 0))"#,
    );
    // A valid module padded by a custom section to one byte past the size limit.
    let max = Limits::default().max_module_bytes;
    let mut oversized = wat(VALID);
    let payload = max + 1 - oversized.len() - 1 - 4; // id byte, 4-byte LEB128 size
    let size = u32::try_from(payload).unwrap();
    oversized.push(0);
    oversized.extend((0..4).map(|i| {
        let group = ((size >> (7 * i)) & 0x7f) as u8;
        if i < 3 { group | 0x80 } else { group }
    }));
    oversized.push(0); // an empty section name
    oversized.resize(max + 1, 0);
    vec![
        (start, "start functions"),
        (import, "forbidden import `env.abort`"),
        (oversized, "over the 1048576-byte limit"),
    ]
}

/// A change set deploying `code`, filed under `hash`, as contract `id`.
fn deploying(id: ContractId, hash: CodeHash, code: &[u8]) -> ChangeSet {
    let mut changes = ChangeSet::default();
    changes.code.insert(hash, Arc::from(code));
    let record = ContractRecord {
        owner: Address([1; 32]),
        code_hash: hash.0,
    };
    changes.contracts.insert(id, record);
    changes
}

#[test]
fn the_padded_module_is_exactly_one_byte_over_the_limit_and_valid_otherwise() {
    let (oversized, _) = refused_modules().pop().unwrap();
    assert_eq!(oversized.len(), Limits::default().max_module_bytes + 1);
    let limits = Limits {
        max_module_bytes: oversized.len(),
        ..Limits::default()
    };
    assert!(
        runtime::Runtime::new(runtime::RuntimeConfig {
            limits,
            ..runtime::RuntimeConfig::test()
        })
        .unwrap()
        .validate(&oversized)
        .is_ok()
    );
}

#[test]
fn a_saved_memory_store_with_refused_code_does_not_load() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("state.bin");
    let id = ContractId([9; 32]);
    for (code, expected) in refused_modules() {
        let store = MemoryStore::new();
        store
            .apply(deploying(id, CodeHash::of(&code), &code))
            .unwrap();
        store.save(&path).unwrap();
        match MemoryStore::load(&path, runtime()).map(drop) {
            Err(StoreError::Refused { error, .. }) => match *error {
                DumpError::CodeRefused {
                    contract, reason, ..
                } => {
                    assert_eq!(contract, id);
                    assert!(reason.contains(expected), "{reason}");
                }
                other => panic!("expected {expected:?} to be refused, got {other:?}"),
            },
            other => panic!("expected {expected:?} to be refused, got {other:?}"),
        }
    }
    // A wrong code hash: valid code filed under another hash.
    let store = MemoryStore::new();
    store
        .apply(deploying(id, CodeHash([0xab; 32]), &wat(VALID)))
        .unwrap();
    store.save(&path).unwrap();
    match MemoryStore::load(&path, runtime()).map(drop) {
        Err(StoreError::Refused { error, .. }) => assert!(
            matches!(*error, DumpError::CodeHashMismatch { contract, .. } if contract == id),
            "{error}"
        ),
        other => panic!("expected a hash mismatch, got {other:?}"),
    }
    // The same file with valid code loads.
    let store = MemoryStore::new();
    let code = wat(VALID);
    store
        .apply(deploying(id, CodeHash::of(&code), &code))
        .unwrap();
    store.save(&path).unwrap();
    let loaded = MemoryStore::load(&path, runtime()).unwrap();
    assert_eq!(loaded.root().unwrap(), store.root().unwrap());
}

#[test]
fn a_dump_with_refused_code_does_not_verify() {
    let id = ContractId([9; 32]);
    for (code, expected) in refused_modules() {
        let mut dump = StateDump::default();
        let hash = CodeHash::of(&code);
        dump.code.insert(hash, Arc::from(&code[..]));
        dump.contracts.insert(
            id,
            ContractRecord {
                owner: Address([1; 32]),
                code_hash: hash.0,
            },
        );
        match dump.verify(runtime()) {
            Err(DumpError::CodeRefused {
                contract, reason, ..
            }) => {
                assert_eq!(contract, id);
                assert!(reason.contains(expected), "{reason}");
            }
            other => panic!("expected {expected:?} to be refused, got {other:?}"),
        }
    }
}

/// A store written without a deploy (here a raw change set) never gets a refused module to the
/// compiler: the call fails as a host error naming the validation.
#[test]
fn stored_code_is_validated_again_before_it_is_compiled() {
    for (code, expected) in refused_modules() {
        let store = Arc::new(MemoryStore::new());
        let id = ContractId([9; 32]);
        store
            .apply(deploying(id, CodeHash::of(&code), &code))
            .unwrap();
        let mut session = runtime().session(store, BlockInfo::default());
        match session.call(ALICE, id, "run", &[], GAS) {
            Err(HostError::Module(e)) => {
                assert!(matches!(e, runtime::ModuleError::Invalid { .. }), "{e:?}");
                let message = e.to_string();
                assert!(message.contains("fails deploy validation"), "{message}");
                assert!(message.contains(expected), "{message}");
            }
            other => panic!("expected {expected:?} to be refused, got {other:?}"),
        }
    }
}
