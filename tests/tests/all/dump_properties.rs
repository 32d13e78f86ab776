//! Property tests of whole-state dumps: dump → load keeps the root, through every way a dump
//! is loaded (a state file's JSON, a `MemoryStore`, a saved `MemoryStore` file, a redb store).

use host_api::{Address, ContractId};
use integration_tests::{runtime, wat};
use node_lite::dump_file;
use proptest::prelude::*;
use runtime::{CodeHash, ContractRecord, MemoryStore, RedbStore, StateDump, StateStore};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// Two valid contracts' code: dumps hold only code that deploy accepts.
fn modules() -> &'static [Vec<u8>; 2] {
    static MODULES: OnceLock<[Vec<u8>; 2]> = OnceLock::new();
    MODULES.get_or_init(|| {
        let module = |status: i32| {
            wat(&format!(
                r#"(module (memory (export "memory") 1)
                    (func (export "run") (param i32) (result i32) i32.const {status}))"#
            ))
        };
        [module(0), module(1)]
    })
}

type Entries = BTreeMap<Vec<u8>, Vec<u8>>;

/// Up to 4 contracts, each running one of the two modules, each with up to 8 storage entries.
fn dump() -> impl Strategy<Value = StateDump> {
    let entries = proptest::collection::btree_map(
        proptest::collection::vec(any::<u8>(), 0..40),
        proptest::collection::vec(any::<u8>(), 0..100),
        0..8,
    );
    proptest::collection::vec((any::<[u8; 32]>(), any::<bool>(), entries), 0..4).prop_map(
        |contracts: Vec<([u8; 32], bool, Entries)>| {
            let mut dump = StateDump::default();
            for (id, which, entries) in contracts {
                let code = &modules()[usize::from(which)];
                let hash = CodeHash::of(code);
                dump.code.insert(hash, Arc::from(&code[..]));
                let record = ContractRecord {
                    owner: Address([1; 32]),
                    code_hash: hash.0,
                };
                dump.contracts.insert(ContractId(id), record);
                if !entries.is_empty() {
                    dump.storage.insert(ContractId(id), entries);
                }
            }
            dump
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn dump_then_load_keeps_the_root(dump in dump()) {
        let root = dump.root();
        // A state file.
        let text = dump_file::to_json(&dump, &dump_file::Names::new());
        let (read, _) = dump_file::from_json(&text, runtime()).unwrap();
        prop_assert_eq!(read.root(), root);
        // A memory store, and its saved file.
        let verified = dump.clone().verify(runtime()).unwrap();
        let store = verified.to_memory_store().unwrap();
        prop_assert_eq!(store.root().unwrap(), root);
        prop_assert_eq!(&StateDump::of_memory(&store).unwrap(), &dump);
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("state.bin");
        store.save(&path).unwrap();
        prop_assert_eq!(MemoryStore::load(&path, runtime()).unwrap().root().unwrap(), root);
        // A redb store.
        let redb = RedbStore::open(tmp.path().join("state.redb")).unwrap();
        prop_assert_eq!(redb.commit(verified.to_change_set()).unwrap(), root);
        prop_assert_eq!(&redb.dump().unwrap(), &dump);
    }
}
