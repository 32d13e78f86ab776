//! The files `node-lite contract new` writes. `{name}` is the crate name, `{crate}` its Rust
//! identifier (`-` → `_`), `{sdk}` the repository holding `host-api/` and `runtime/`.

/// `Cargo.toml`.
pub const CARGO_TOML: &str = r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

# A workspace of its own, also when created inside another one.
[workspace]

[lib]
crate-type = ["cdylib"]

[dependencies]
# The contract SDK: #[entry], typed storage, events, caller, block info (no_std).
host-api = { path = "{sdk}/host-api", features = ["guest"] }
borsh = { version = "1", default-features = false, features = ["derive"] }

[dev-dependencies]
# The in-process test harness (`runtime::testing`), for the tests in tests/ (host only).
runtime = { path = "{sdk}/runtime" }

# As contracts/Cargo.toml: small, deterministic wasm.
[profile.release]
panic = "abort"
opt-level = "z"
lto = true
codegen-units = 1
strip = "symbols"
debug = false
incremental = false
"#;

/// `.cargo/config.toml`: host builds (the tests) share the SDK repository's target directory,
/// so the harness reuses the runtime the node was built with instead of compiling wasmtime
/// again (minutes). `node-lite contract build` puts the wasm in this crate's own `target/`.
pub const CARGO_CONFIG: &str = r#"[build]
target-dir = "{sdk}/target"
"#;

/// `.gitignore`.
pub const GITIGNORE: &str = "/target\n";

/// `src/lib.rs`.
pub const LIB_RS: &str = r#"//! `{name}`: a contract that keeps a running total and each caller's share of it.
//!
//! Entry points (their signatures are recorded in the wasm, so `node-lite` encodes JSON
//! arguments for you):
//! - `add(amount: u64) -> Result<u64, Error>`: adds to the total and to the caller's share,
//!   returns the new total, emits `added`; an overflow is an error and changes nothing;
//! - `total() -> u64`;
//! - `share(who: Address) -> u64`.
#![no_std]
#![forbid(unsafe_code)]

use borsh::{BorshDeserialize, BorshSerialize};
use host_api::Address;
use host_api::guest::storage::{Item, Map};
use host_api::guest::{caller, emit};

const TOTAL: Item<u64> = Item::new(b"total");
const SHARES: Map<Address, u64> = Map::new(b"share/");

/// Why a call failed (borsh: one byte).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The total or a share would not fit in a `u64`.
    Overflow,
}

/// Data of the `added` event.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Added {
    /// Who added.
    pub who: Address,
    /// How much.
    pub amount: u64,
    /// The total afterwards.
    pub total: u64,
}

/// Add `amount` to the total and to the caller's share; returns the new total.
#[host_api::entry]
pub fn add(amount: u64) -> Result<u64, Error> {
    let who = caller();
    let total = TOTAL.get().unwrap_or(0).checked_add(amount).ok_or(Error::Overflow)?;
    let share = SHARES.get(&who).unwrap_or(0).checked_add(amount).ok_or(Error::Overflow)?;
    TOTAL.set(&total);
    SHARES.set(&who, &share);
    host_api::debug!("add {amount}: total {total}");
    emit("added", &Added { who, amount, total });
    Ok(total)
}

/// The total so far.
#[host_api::entry]
pub fn total() -> u64 {
    TOTAL.get().unwrap_or(0)
}

/// What `who` has added so far.
#[host_api::entry]
pub fn share(who: Address) -> u64 {
    SHARES.get(&who).unwrap_or(0)
}
"#;

/// `tests/contract.rs`.
pub const TEST_RS: &str = r#"//! Tests of `{name}` in the in-process harness (`runtime::testing`): no node, every call
//! atomic. Build the wasm first: `node-lite contract build` (then `cargo test`).

use host_api::Address;
use runtime::testing::{Harness, account, decode_error};

/// The wasm built by `node-lite contract build`.
fn wasm() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/target/wasm32v1-none/release/{crate}.wasm");
    std::fs::read(path)
        .unwrap_or_else(|e| panic!("{path}: {e}: build it first with `node-lite contract build`"))
}

#[test]
fn add_keeps_a_total_and_a_share_per_caller() {
    let mut h = Harness::new();
    let id = h.deploy("{name}", &wasm()).unwrap();
    let (alice, bob) = (account("alice"), account("bob"));
    assert_eq!(h.call(id, "add").args(&5u64).caller(alice).ok::<u64>().unwrap(), 5);
    assert_eq!(h.call(id, "add").args(&7u64).caller(bob).ok::<u64>().unwrap(), 12);
    assert_eq!(h.call(id, "total").ok::<u64>().unwrap(), 12);
    assert_eq!(h.call(id, "share").args(&alice).ok::<u64>().unwrap(), 5);
    assert_eq!(h.events().filter(|e| e.topic == "added").count(), 2);
}

#[test]
fn an_overflow_is_an_error_and_changes_nothing() {
    let mut h = Harness::new();
    let id = h.deploy("{name}", &wasm()).unwrap();
    h.call(id, "add").args(&1u64).send().unwrap();
    let receipt = h.call(id, "add").args(&u64::MAX).send().unwrap();
    assert_eq!(decode_error::<u8>(&receipt), Some(0), "Error::Overflow");
    assert_eq!(h.call(id, "total").ok::<u64>().unwrap(), 1);
}

#[test]
fn snapshot_revert_trace_and_gas() {
    let mut h = Harness::new();
    let id = h.deploy("{name}", &wasm()).unwrap();
    let before = h.snapshot().unwrap();
    h.set_trace(true);
    let receipt = h.call(id, "add").args(&3u64).send().unwrap();
    println!("{}", h.trace(&receipt));
    assert!(h.trace(&receipt).contains("write \"total\""));
    h.revert(before).unwrap();
    assert_eq!(h.call(id, "share").args(&Address([0xde; 32])).ok::<u64>().unwrap(), 0);
    // A call pays the module's first load (host-api/ABI.md §2), then its own work.
    let load = runtime::gas::module_load_price(&runtime::PriceTable::default(), &wasm());
    let add = h.gas_report().get("{name}", "add").unwrap();
    // Its two writes of new keys each pay their share of the commit.
    let commits = 2 * runtime::PriceTable::default().storage_commit_per_key;
    assert!(add.max < load + commits + 400_000, "add costs {} gas, {load} of it the load", add.max);
    println!("{}", h.gas_report().table());
}
"#;

/// `calls.toml`: a gas-report script (`node-lite gas-report --script calls.toml`).
pub const CALLS_TOML: &str = r#"# A script of calls for `node-lite gas-report --script calls.toml`.
[contracts]
{name} = "target/wasm32v1-none/release/{crate}.wasm"

[[call]]
contract = "{name}"
fn = "add"
args = [5]
caller = "alice"
repeat = 3

[[call]]
contract = "{name}"
fn = "add"
args = ["18446744073709551615"]
expect = "reverted"

[[call]]
contract = "{name}"
fn = "total"
"#;

/// Fill a template.
pub fn fill(template: &str, name: &str, sdk: &str) -> String {
    template
        .replace("{name}", name)
        .replace("{crate}", &name.replace('-', "_"))
        .replace("{sdk}", sdk)
}
