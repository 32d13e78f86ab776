//! `node-lite demo`: a tour of the sandbox with the bundled contracts.
//!
//! Deploys `counter`, `token` and `hostile` (the committed builds in `contracts/wasm/`), makes
//! ordinary calls, then lets every hostile entry point loose and shows that each ends in its own
//! typed outcome with the gas it burned and storage untouched, that a module with a forbidden
//! import is refused at deploy, how the genesis contracts stake, draw a private committee and
//! slash an equivocation, and how long a counter increment takes in a fresh Store. The
//! state lives in a redb database in a temporary directory: the demo commits, shows the merkle
//! root, reopens the database as after a restart, and proves a storage value against the root.

mod genesis_tour;

use crate::call_input::DEV_ACCOUNT;
use borsh::to_vec;
use host_api::{Address, ContractId};
use runtime::merkle;
use runtime::{BlockInfo, Receipt, RedbStore, Runtime, RuntimeConfig, Session, StateStore};
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

/// The committed contract builds.
pub mod bundled {
    /// `contracts/counter`.
    pub const COUNTER: &[u8] = include_bytes!("../../../contracts/wasm/counter.wasm");
    /// `contracts/token`.
    pub const TOKEN: &[u8] = include_bytes!("../../../contracts/wasm/token.wasm");
    /// `contracts/hostile`.
    pub const HOSTILE: &[u8] = include_bytes!("../../../contracts/wasm/hostile.wasm");
    /// `contracts/forbidden_import`.
    pub const FORBIDDEN_IMPORT: &[u8] =
        include_bytes!("../../../contracts/wasm/forbidden_import.wasm");
}

const GAS: u64 = 50_000_000;
const BOB: Address = Address([0xb0; 32]);

type DemoResult = Result<(), Box<dyn std::error::Error>>;

fn outcome(r: &Receipt) -> String {
    match &r.result {
        Ok(_) => "success".to_string(),
        Err(e) => e.to_string(),
    }
}

fn row(out: &mut dyn Write, what: &str, r: &Receipt, note: &str) -> std::io::Result<()> {
    writeln!(
        out,
        "  {what:<34} {:>10}  {:<44} {note}",
        r.gas_spent,
        truncate(&outcome(r), 44)
    )
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

fn call(
    s: &mut Session,
    id: ContractId,
    f: &str,
    args: &[u8],
) -> Result<Receipt, runtime::HostError> {
    s.call(DEV_ACCOUNT, id, f, args, GAS)
}

/// Run the demo, writing to `out`.
///
/// # Errors
/// When writing fails or the runtime cannot be built (a bug or an unusable machine).
pub fn run(out: &mut dyn Write) -> DemoResult {
    let runtime = Runtime::new(
        RuntimeConfig::default()
            .with_dev_mode(true)
            .with_resident_code(crate::chain::resident_code()),
    )?;
    let dir = tempfile::tempdir()?;
    let db_path = dir.path().join("state.redb");
    let store = Arc::new(RedbStore::open(&db_path)?);
    let mut s = runtime.session(
        store.clone(),
        BlockInfo {
            height: 1,
            timestamp_ms: 0,
        },
    );

    writeln!(
        out,
        "== deploy (validate + compile, then cached by code hash)"
    )?;
    let mut deploy = |name: &str,
                      code: &[u8],
                      s: &mut Session|
     -> Result<ContractId, Box<dyn std::error::Error>> {
        let t = Instant::now();
        let id = s.deploy(DEV_ACCOUNT, code, 0)?;
        writeln!(
            out,
            "  {name:<10} {:>6} bytes  {:>7.1} ms  id {id}",
            code.len(),
            t.elapsed().as_secs_f64() * 1e3
        )?;
        Ok(id)
    };
    let counter = deploy("counter", bundled::COUNTER, &mut s)?;
    let token = deploy("token", bundled::TOKEN, &mut s)?;
    let hostile = deploy("hostile", bundled::HOSTILE, &mut s)?;
    match s.deploy(DEV_ACCOUNT, bundled::FORBIDDEN_IMPORT, 0) {
        Ok(_) => writeln!(out, "  forbidden_import: unexpectedly accepted")?,
        Err(e) => writeln!(out, "  forbidden_import refused: {e}")?,
    }

    writeln!(
        out,
        "\n== calls                                   gas spent  outcome"
    )?;
    for by in [5u64, 7] {
        let r = call(&mut s, counter, "increment", &to_vec(&by)?)?;
        let value = r
            .result
            .as_ref()
            .ok()
            .and_then(|b| borsh::from_slice::<u64>(b).ok());
        row(
            out,
            &format!("counter.increment({by})"),
            &r,
            &format!("-> {value:?}"),
        )?;
    }
    let r = call(&mut s, counter, "increment", &[1, 2, 3])?;
    row(out, "counter.increment(<3 bad bytes>)", &r, "")?;
    let r = call(&mut s, token, "init", &to_vec(&1_000_000u128)?)?;
    row(out, "token.init(1000000)", &r, "")?;
    let r = call(&mut s, token, "transfer", &to_vec(&(BOB, 250u128))?)?;
    row(
        out,
        "token.transfer(bob, 250)",
        &r,
        &format!("{} event(s)", r.events.len()),
    )?;
    let r = call(&mut s, token, "transfer", &to_vec(&(BOB, 10_000_000u128))?)?;
    row(
        out,
        "token.transfer(bob, 10000000)",
        &r,
        "contract error, reverted",
    )?;
    let r = call(&mut s, token, "balance_of", &to_vec(&BOB)?)?;
    let value = r
        .result
        .as_ref()
        .ok()
        .and_then(|b| borsh::from_slice::<u128>(b).ok());
    row(out, "token.balance_of(bob)", &r, &format!("-> {value:?}"))?;

    writeln!(
        out,
        "\n== hostile contract (each failure contained, reverted, typed)"
    )?;
    let hostile_calls: [(&str, Vec<u8>); 9] = [
        ("infinite_loop", vec![]),
        ("memory_bomb", vec![]),
        ("recurse", to_vec(&u64::MAX)?),
        ("unreachable", vec![]),
        ("panic_with_message", vec![]),
        ("huge_return", vec![]),
        ("storage_spam", vec![]),
        ("write_then_panic", vec![]),
        ("div", to_vec(&(1u32, 0u32))?),
    ];
    for (f, args) in hostile_calls {
        let r = call(&mut s, hostile, f, &args)?;
        let touched = s.storage(&hostile, b"touched")?.is_some();
        row(
            out,
            &format!("hostile.{f}"),
            &r,
            if touched {
                "STORAGE CHANGED"
            } else {
                "storage unchanged"
            },
        )?;
    }
    let r = call(&mut s, hostile, "no_such_entry", &[])?;
    row(out, "hostile.no_such_entry", &r, "")?;

    writeln!(
        out,
        "\n== genesis: transfer, stake and committee (the protocol's rules, as contracts)"
    )?;
    genesis_tour::run(out, &mut s, DEV_ACCOUNT)?;

    writeln!(
        out,
        "\n== latency: counter.increment in a fresh Store per call (module warm)"
    )?;
    let n = 2_000u32;
    let args = to_vec(&1u64)?;
    let t = Instant::now();
    for _ in 0..n {
        let r = call(&mut s, counter, "increment", &args)?;
        if !r.is_success() {
            return Err(format!("increment failed: {:?}", r.result).into());
        }
    }
    let per_call = t.elapsed().as_secs_f64() * 1e6 / f64::from(n);
    writeln!(
        out,
        "  {n} calls, {per_call:.2} µs per call (see benches/ for the measured comparison)"
    )?;

    writeln!(
        out,
        "\n== persistent state (redb + blake2b sparse merkle tree)"
    )?;
    let t = Instant::now();
    let root = s.commit()?;
    let head = store.head()?;
    writeln!(
        out,
        "  committed in {:.1} ms: version {}, {} leaves, root {root}",
        t.elapsed().as_secs_f64() * 1e3,
        head.version,
        head.leaves
    )?;
    drop(s);
    drop(store);
    let store = Arc::new(RedbStore::open(&db_path)?);
    let reopened = store.root()?;
    writeln!(
        out,
        "  reopened: root {} ({})",
        reopened,
        if reopened == root {
            "same"
        } else {
            "DIFFERENT"
        }
    )?;
    let count = store.storage(&counter, b"count")?;
    let proof = store.prove(&counter, b"count")?;
    let valid = merkle::verify(&root, &counter, b"count", count.as_deref(), &proof);
    writeln!(
        out,
        "  proof of counter's `count` = {:?}: {} siblings, verifies without the store: {valid}",
        count
            .as_deref()
            .and_then(|b| borsh::from_slice::<u64>(b).ok()),
        proof.siblings.len()
    )?;
    Ok(())
}
