//! Gas on every path: a call that ends in a host error (here a store that fails a read)
//! reports the gas it spent before the failure (`Session::call_with_gas`), a failed nested
//! frame's included, instead of losing it.

use host_api::ContractId;
use integration_tests::*;
use runtime::gas::module_load_price;
use runtime::merkle::Root;
use runtime::{
    BlockInfo, ChangeSet, CodeHash, ContractRecord, GasInfo, HostError, MemoryStore, PriceTable,
    StateStore, StoreError,
};
use std::sync::Arc;

/// A store that fails every read of the key `boom`.
struct FailingStore(MemoryStore);

impl StateStore for FailingStore {
    fn contract(&self, id: &ContractId) -> Result<Option<ContractRecord>, StoreError> {
        self.0.contract(id)
    }
    fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError> {
        self.0.code(hash)
    }
    fn storage(&self, id: &ContractId, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        if key == b"boom" {
            return Err(StoreError::Io {
                path: "test".into(),
                message: "the disk is gone".into(),
            });
        }
        self.0.storage(id, key)
    }
    fn apply(&self, changes: ChangeSet) -> Result<(), StoreError> {
        self.0.apply(changes)
    }
    fn root(&self) -> Result<Root, StoreError> {
        self.0.root()
    }
    fn commit_over(&self, base: Root, changes: ChangeSet) -> Result<Root, StoreError> {
        self.0.commit_over(base, changes)
    }
    fn root_after(&self, base: Root, changes: &ChangeSet) -> Result<Root, StoreError> {
        self.0.root_after(base, changes)
    }
}

/// `read`: reads the key of the input (`fine` or `boom`), then returns. `relay`: calls `read`
/// of the contract whose id is its input's first 32 bytes with the rest as its input.
const READER: &str = r#"(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "host_v1" "call" (func $call (param i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 256) "read")
  (func (export "read") (param $len i32) (result i32)
    (call $input_read (i32.const 0))
    (drop (call $storage_read (i32.const 0) (local.get $len) (i32.const 64) (i32.const 8)))
    (i32.const 0))
  (func (export "relay") (param $len i32) (result i32)
    (call $input_read (i32.const 0))
    (drop (call $call (i32.const 0) (i32.const 256) (i32.const 4)
      (i32.const 32) (i32.sub (local.get $len) (i32.const 32)) (i64.const 0)))
    (i32.const 0)))"#;

#[test]
fn a_host_error_reports_the_gas_spent_before_it() {
    let store = Arc::new(FailingStore(MemoryStore::new()));
    let code = wat(READER);
    let mut session = runtime().session(store.clone(), BlockInfo::default());
    let id = session.deploy(OWNER, &code, 0).expect("deploy");
    let other = session.deploy(OWNER, &code, 1).expect("deploy a copy");
    let p = PriceTable::default();

    // The session's first call pays the module's load and leaves it warm: the calls compared
    // below pay none.
    let (cold, _) = session.call_with_gas(ALICE, id, "read", b"fine", GAS);
    let cold = cold.expect("a healthy read");
    let (ok, ok_gas) = session.call_with_gas(ALICE, id, "read", b"fine", GAS);
    let ok = ok.expect("a healthy read");
    assert!(ok.is_success());
    assert_eq!(ok_gas.gas_spent, ok.gas_spent);
    assert_eq!(cold.gas_spent - ok.gas_spent, module_load_price(&p, &code));

    let (failed, gas) = session.call_with_gas(ALICE, id, "read", b"boom", GAS);
    assert!(matches!(
        failed,
        Err(HostError::Store(StoreError::Io { .. }))
    ));
    assert_eq!(gas.gas_limit, GAS);
    // The call's base, the read's price (charged before the store was asked): everything but
    // the operators after the read, which never ran.
    let floor = p.call_base + p.storage_read_base;
    assert!(gas.gas_spent > floor, "{gas:?} vs {floor}");
    assert!(gas.gas_spent <= ok.gas_spent, "{gas:?} vs {}", ok.gas_spent);
    assert!(
        ok.gas_spent - gas.gas_spent < 100,
        "{gas:?} vs {}",
        ok.gas_spent
    );

    // Nested (into a copy: a contract cannot call itself): the failed frame's gas is its
    // caller's, with the caller's own work.
    let relay_args = |key: &[u8]| [&other.0[..], key].concat();
    let (nested_ok, nested_ok_gas) =
        session.call_with_gas(ALICE, id, "relay", &relay_args(b"fine"), GAS);
    assert!(nested_ok.expect("healthy").is_success());
    let (nested, nested_gas) = session.call_with_gas(ALICE, id, "relay", &relay_args(b"boom"), GAS);
    assert!(matches!(nested, Err(HostError::Store(_))), "{nested:?}");
    // The same work as the healthy relay but the callee's last operators and the
    // relay's own after the call.
    assert!(nested_gas.gas_spent > gas.gas_spent + p.call_base);
    assert!(nested_gas.gas_spent <= nested_ok_gas.gas_spent);
    assert!(nested_ok_gas.gas_spent - nested_gas.gas_spent < 200);
    // `call` reports the same error.
    assert_eq!(
        session.call(ALICE, id, "read", b"boom", GAS),
        Err(failed.unwrap_err())
    );
}

#[test]
fn a_host_error_before_anything_ran_reports_no_gas() {
    let store = Arc::new(MemoryStore::new());
    let id = ContractId([6; 32]);
    let hash = CodeHash::of(b"missing");
    let mut changes = ChangeSet::default();
    let record = ContractRecord {
        owner: OWNER,
        code_hash: hash.0,
    };
    changes.contracts.insert(id, record);
    store.apply(changes).expect("apply");
    let mut session = runtime().session(store, BlockInfo::default());
    let (result, gas) = session.call_with_gas(ALICE, id, "read", &[], GAS);
    assert!(matches!(result, Err(HostError::Module(_))), "{result:?}");
    assert_eq!(
        gas,
        GasInfo {
            gas_limit: GAS,
            gas_spent: 0
        }
    );
    let (reserved, gas) = session.call_with_gas(host_api::Address::PROTOCOL, id, "read", &[], GAS);
    assert_eq!(reserved, Err(HostError::ReservedCaller));
    assert_eq!(gas.gas_spent, 0);
}
