//! Cold loads: a contract calls many distinct contracts (distinct modules) whose compiled code
//! is not in memory, one after the other, until out of gas. Each kernel runs on a runtime of
//! its own with a disk cache (as a node runs: `node-lite` always has one), whose memory cache
//! is cleared before every timed call, so that every module the call touches, the caller's
//! included, is read from the store, loaded from its disk entry (read, checksum,
//! deserialize) and linked inside the call. The callee is called at a missing entry point: the
//! refusal (-4) comes after the load, and costs little.

use super::{Deployed, GAS, Kernel};
use host_api::{Address, ContractId};
use runtime::{BlockInfo, MemoryStore, Runtime, RuntimeConfig, Session};
use std::sync::Arc;

/// `fan`: its input is a list of contract ids; calls `nope` of each in turn, round and round,
/// with all the gas left, until out of gas.
const FAN: &str = r#"(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "call" (func $call (param i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 0) "nope")
  (func (export "fan") (param $len i32) (result i32)
    (local $i i32)
    (call $input_read (i32.const 64))
    (loop $l
      (drop (call $call (i32.add (i32.const 64) (local.get $i)) (i32.const 0) (i32.const 4)
        (i32.const 0) (i32.const 0) (i64.const 0)))
      (local.set $i (i32.rem_u (i32.add (local.get $i) (i32.const 32)) (local.get $len)))
      (br $l))
    (i32.const 0)))"#;

/// `code` made distinct (another code hash) by a custom section holding `n`.
fn distinct(code: &[u8], n: u64) -> Vec<u8> {
    let mut out = code.to_vec();
    out.extend_from_slice(&[0, 10, 1, b'n']);
    out.extend_from_slice(&n.to_le_bytes());
    out
}

/// A module of `functions` small functions (each a few integer operators on its parameter).
fn many_functions(functions: usize) -> Vec<u8> {
    let bodies: String = (0..functions)
        .map(|i| {
            format!(
                "(func (param i64) (result i64) (i64.xor (i64.add (local.get 0) (i64.const {i})) (i64.mul (local.get 0) (i64.const {}))))",
                i * 7 + 3
            )
        })
        .collect();
    wat::parse_str(format!(
        r#"(module (memory (export "memory") 1) {bodies}
          (func (export "get") (param i32) (result i32) (i32.const 0)))"#
    ))
    .expect("valid WAT")
}

/// A runtime with a disk cache, a store holding `copies` distinct copies of `code` and the fan
/// contract, and the kernel calling them (`gas` per call).
pub struct Cold {
    pub runtime: Runtime,
    store: Arc<MemoryStore>,
    pub kernel: Deployed,
    _dir: tempfile::TempDir,
}

fn cold(config: &RuntimeConfig, name: &str, code: &[u8], copies: u64, gas: u64) -> Cold {
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = Runtime::new(config.clone().with_cache_dir(dir.path())).expect("runtime");
    let store = Arc::new(MemoryStore::new());
    let mut session = runtime.session(store.clone(), BlockInfo::default());
    let owner = Address([3; 32]);
    let ids: Vec<ContractId> = (0..copies)
        .map(|n| {
            session
                .deploy(owner, &distinct(code, n), 0)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        })
        .collect();
    let fan = session
        .deploy(owner, &wat::parse_str(FAN).expect("valid WAT"), 0)
        .expect("fan");
    session.commit().expect("commit");
    let arg: Vec<u8> = ids.iter().flat_map(|id| id.0).collect();
    let kernel = Deployed {
        kernel: Kernel {
            class: "cold loads",
            name: format!("{name}, {} B each, from disk", code.len() + 12),
            wat: String::new(),
            gas,
            arg,
            function: "fan",
            grown_pages: 0,
        },
        id: fan,
        extra_gas: 0,
    };
    Cold {
        runtime,
        store,
        kernel,
        _dir: dir,
    }
}

impl Cold {
    /// A fresh session for one timed call: a session keeps the modules it loaded warm (free for
    /// its later calls, `runtime/src/load.rs`), so each round runs in a new one and pays every
    /// load again, as the first call of a block does.
    pub fn session(&self) -> Session {
        self.runtime
            .session(self.store.clone(), BlockInfo::default())
    }
}

/// The cold-load kernels: tiny modules (the base price), the bundled token and stake
/// contracts, and a module of 2,000 small functions.
pub fn cold_kernels(config: &RuntimeConfig) -> Vec<Cold> {
    let tiny = wat::parse_str(
        r#"(module (memory (export "memory") 1)
          (func (export "get") (param i32) (result i32) (i32.const 0)))"#,
    )
    .expect("valid WAT");
    let token: &[u8] = include_bytes!("../../../contracts/wasm/token.wasm");
    let stake: &[u8] = include_bytes!("../../../contracts/wasm/stake.wasm");
    let p = &config.prices;
    // Enough copies that a call runs out of gas before it has loaded them all.
    let copies = |code: &[u8], gas: u64| gas / runtime::gas::module_load_price(p, code) + 2;
    let functions = many_functions(2_000);
    vec![
        cold(config, "tiny modules", &tiny, copies(&tiny, GAS), GAS),
        cold(config, "copies of token", token, copies(token, GAS), GAS),
        cold(config, "copies of stake", stake, copies(stake, GAS), GAS),
        cold(
            config,
            "2,000 small functions",
            &functions,
            copies(&functions, 5 * GAS),
            5 * GAS,
        ),
    ]
}
