//! Helpers shared by the integration tests (`tests/all`).

pub mod fuzz;

use host_api::{Address, ContractId};
use runtime::{BlockInfo, MemoryStore, Receipt, Runtime, RuntimeConfig, Session};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// The account that deploys in tests.
pub const OWNER: Address = Address([0x0a; 32]);
/// The account that calls in tests.
pub const ALICE: Address = Address([0xa1; 32]);
/// Another account.
pub const BOB: Address = Address([0xb0; 32]);
/// A gas limit large enough for any well-behaved test call.
pub const GAS: u64 = 50_000_000;

/// One runtime shared by the tests of this binary (one engine, one instance pool).
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new(RuntimeConfig::test()).expect("runtime"))
}

/// A runtime charging wasmtime's own operator table (1 per operator,
/// `OperatorCosts::wasmtime_default()`) instead of the default measured one, and nothing for
/// loading a module (`load` zero) nor for its initial memory (`memory_initial_per_page` 0): for
/// the tests whose exact gas arithmetic is about the host prices and the metering rules,
/// written out in unit operator costs. The default table, the load price and the initial
/// memory's have their own golden values and tests (`cold_loads.rs`, `initial_memory.rs`).
pub fn unit_cost_runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Runtime::new(RuntimeConfig {
            operator_costs: runtime::OperatorCosts::wasmtime_default(),
            prices: runtime::PriceTable {
                load: runtime::gas::CompilePrices::ZERO,
                memory_initial_per_page: 0,
                ..runtime::PriceTable::default()
            },
            ..RuntimeConfig::test()
        })
        .expect("runtime")
    })
}

/// A fresh in-memory store and a session over it on [`unit_cost_runtime`].
pub fn unit_cost_session() -> (Arc<MemoryStore>, Session) {
    let store = Arc::new(MemoryStore::new());
    let session = unit_cost_runtime().session(
        store.clone(),
        BlockInfo {
            height: 7,
            timestamp_ms: 1_000,
        },
    );
    (store, session)
}

/// A fresh in-memory store and a session over it.
pub fn session() -> (Arc<MemoryStore>, Session) {
    let store = Arc::new(MemoryStore::new());
    let session = runtime().session(
        store.clone(),
        BlockInfo {
            height: 7,
            timestamp_ms: 1_000,
        },
    );
    (store, session)
}

/// Compile WAT text to wasm bytes.
pub fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("valid WAT")
}

/// The committed wasm of a contract under `contracts/wasm/`.
pub fn contract_wasm(name: &str) -> Vec<u8> {
    let path = repo_root()
        .join("contracts/wasm")
        .join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("parent")
        .to_path_buf()
}

/// Deploy `code` as [`OWNER`] with nonce 0.
pub fn deploy(session: &mut Session, code: &[u8]) -> ContractId {
    session.deploy(OWNER, code, 0).expect("deploy")
}

/// Call as [`ALICE`] with [`GAS`].
pub fn call(session: &mut Session, id: ContractId, function: &str, args: &[u8]) -> Receipt {
    session
        .call(ALICE, id, function, args, GAS)
        .expect("no host error")
}
