//! `node-lite` as users run it: the real binary, its JSON receipts and exit codes.

use integration_tests::repo_root;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `node-lite` binary, built once by cargo for this test run.
pub(crate) fn node_lite() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let status = Command::new(env!("CARGO"))
                .args(["build", "-q", "-p", "node-lite"])
                .current_dir(repo_root())
                .status()
                .expect("cargo runs");
            assert!(status.success(), "node-lite builds");
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| repo_root().join("target"), PathBuf::from);
            target.join("debug/node-lite")
        })
        .clone()
}

fn exec(contract: &Path, extra: &[&str]) -> (i32, Value) {
    let out = Command::new(node_lite())
        .arg("exec")
        .arg(contract)
        .args(extra)
        .output()
        .expect("node-lite runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit code"), json)
}

fn wasm(name: &str) -> PathBuf {
    repo_root()
        .join("contracts/wasm")
        .join(format!("{name}.wasm"))
}

/// The pooling allocator reserves each slot's memory limit (4 MiB and guards), not wasmtime's
/// default 4 GiB per memory: `exec` runs within 4 GB of address space (`engine.rs`).
#[test]
fn exec_runs_under_a_4_gb_address_space_limit() {
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v 4000000 && exec "$0" "$@""#)
        .arg(node_lite())
        .arg("exec")
        .arg(wasm("counter"))
        .args(["--fn", "increment", "--args", "[5]"])
        .output()
        .expect("sh runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_str(&stdout).expect("a JSON receipt");
    assert_eq!(json["status"], "success");
    assert_eq!(json["return"]["decoded"], "5");
}

#[test]
fn exec_success_prints_a_decoded_receipt() {
    let (code, json) = exec(&wasm("counter"), &["--fn", "increment", "--args", "[5]"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["status"], "success");
    assert_eq!(json["return"]["decoded"], "5");
    assert_eq!(json["return"]["hex"], "0x0500000000000000");
    assert_eq!(json["events"][0]["topic"], "incremented");
    assert!(json["gas_spent"].as_u64().unwrap() > 0);
}

#[test]
fn exec_accepts_hex_arguments_and_a_bare_single_argument() {
    let (code, json) = exec(
        &wasm("counter"),
        &["--fn", "increment", "--args", "0x0700000000000000"],
    );
    assert_eq!((code, json["return"]["decoded"].clone()), (0, "7".into()));
    let (code, json) = exec(&wasm("counter"), &["--fn", "increment", "--args", "9"]);
    assert_eq!((code, json["return"]["decoded"].clone()), (0, "9".into()));
}

#[test]
fn exec_failures_exit_non_zero_with_the_typed_error() {
    let (code, json) = exec(
        &wasm("hostile"),
        &["--fn", "infinite_loop", "--gas", "100000"],
    );
    assert_eq!(code, 1);
    assert_eq!(json["status"], "out_of_gas");
    assert_eq!(json["gas_spent"], 100_000);

    let (code, json) = exec(&wasm("hostile"), &["--fn", "panic_with_message"]);
    assert_eq!(code, 1);
    assert_eq!(json["error"]["kind"], "panic");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("on purpose")
    );

    let (code, json) = exec(
        &wasm("token"),
        &[
            "--fn",
            "transfer",
            "--args",
            &format!("[\"{}\", 5]", "bb".repeat(32)),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(json["status"], "reverted");
    assert_eq!(
        json["error"]["data"]["hex"], "0x00",
        "TokenError::InsufficientBalance"
    );

    // A missing entry point is refused before the call (no gas), listing the entry points.
    let (code, json) = exec(&wasm("counter"), &["--fn", "nope"]);
    assert_eq!((code, json["status"].clone()), (2, "refused".into()));
    assert_eq!(json["error"]["kind"], "no_such_function");
    let listed = json["error"]["entry_points"].as_array().unwrap();
    assert!(listed.iter().any(|e| e == "increment"), "{json}");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("increment"),
        "{json}"
    );

    // A function whose signature takes arguments needs --args (nothing runs without them).
    let (code, json) = exec(&wasm("counter"), &["--fn", "increment"]);
    assert_eq!(
        (code, json["error"]["kind"].clone()),
        (2, "invalid_args".into())
    );
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--args"),
        "{json}"
    );
}

#[test]
fn exec_refuses_bad_modules_and_arguments_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.wasm");
    std::fs::write(&garbage, [0x00, 0x61, 0x73, 0x6d, 0xff, 0xff, 0x00]).unwrap();
    let (code, json) = exec(&garbage, &["--fn", "x"]);
    assert_eq!(
        (code, json["error"]["kind"].clone()),
        (2, "invalid_wasm".into()),
        "{json}"
    );

    let random = dir.path().join("random.bin");
    std::fs::write(
        &random,
        (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let (code, json) = exec(&random, &["--fn", "x"]);
    assert_eq!(
        (code, json["status"].clone()),
        (2, "refused".into()),
        "{json}"
    );

    let (code, json) = exec(&dir.path().join("missing.wasm"), &["--fn", "x"]);
    assert_eq!(
        (code, json["error"]["kind"].clone()),
        (2, "unreadable_file".into())
    );

    let (code, json) = exec(&wasm("forbidden_import"), &["--fn", "write_stdout"]);
    assert_eq!(
        (code, json["error"]["kind"].clone()),
        (2, "forbidden_import".into())
    );

    let (code, json) = exec(
        &wasm("counter"),
        &["--fn", "increment", "--args", "[\"x\"]"],
    );
    assert_eq!(
        (code, json["error"]["kind"].clone()),
        (2, "invalid_args".into())
    );
    let (code, json) = exec(&wasm("counter"), &["--fn", "increment", "--args", "0xzz"]);
    assert_eq!(
        (code, json["error"]["kind"].clone()),
        (2, "invalid_args".into())
    );
}

#[test]
fn exec_accepts_wat_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.wat");
    std::fs::copy(repo_root().join("host-api/examples/counter.wat"), &path).unwrap();
    let (code, json) = exec(
        &path,
        &["--fn", "increment", "--args", "0x0200000000000000"],
    );
    assert_eq!(
        (code, json["return"]["hex"].clone()),
        (0, "0x0200000000000000".into()),
        "{json}"
    );
}

#[test]
fn exec_state_dir_keeps_storage_between_runs() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--state", state];
        all.extend_from_slice(args);
        exec(&wasm("counter"), &all)
    };
    let (_, first) = run(&["--fn", "increment", "--args", "[2]"]);
    assert_eq!(first["deployed"], true);
    let (_, second) = run(&["--fn", "increment", "--args", "[3]"]);
    assert_eq!(second["deployed"], false);
    assert_eq!(second["return"]["decoded"], "5");
    // A failed call changes nothing.
    let (code, _) = run(&["--fn", "increment", "--args", "[\"18446744073709551615\"]"]);
    assert_eq!(code, 1);
    let (_, get) = run(&["--fn", "get"]);
    assert_eq!(get["return"]["decoded"], "5");
    assert!(
        dir.path().join("cache").read_dir().unwrap().count() >= 1,
        "compiled module cached"
    );

    // Every receipt carries the root; a failed call left it where it was.
    assert_eq!(get["state_root"].as_str().unwrap().len(), 64, "{get}");
    let (_, again) = run(&["--fn", "get"]);
    assert_eq!(again["state_root"], get["state_root"]);
    assert_eq!(again["state_version"], get["state_version"]);

    // A corrupted state file is a clear error, not a crash.
    std::fs::write(dir.path().join("state.wal"), b"not a state file").unwrap();
    let (code, json) = run(&["--fn", "get"]);
    assert_eq!(code, 3);
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("corrupt"),
        "{json}"
    );
}

#[test]
fn inspect_lists_entry_points_with_signatures() {
    let out = Command::new(node_lite())
        .arg("inspect")
        .arg(wasm("token"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], "valid");
    let names: Vec<&str> = json["entry_points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"transfer") && names.contains(&"balance_of"),
        "{names:?}"
    );
    let transfer = json["entry_points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "transfer")
        .unwrap();
    assert_eq!(
        transfer["signature"],
        "transfer(to: Address, amount: u128) -> Result<(), TokenError>"
    );
}

#[test]
fn demo_runs_and_shows_a_persistent_root_and_a_valid_proof() {
    let out = Command::new(node_lite()).arg("demo").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("forbidden_import refused"), "{text}");
    assert!(!text.contains("STORAGE CHANGED"), "{text}");
    assert!(text.contains("(same)"), "root survives reopening: {text}");
    assert!(text.contains("verifies without the store: true"), "{text}");
    // The genesis section: stake matures, a private committee is drawn, the protocol's entry
    // point refuses an application, an equivocation burns 10 % of a 4,000 stake.
    assert!(
        text.contains("eligible in epoch 0: 0; in epoch 1: 4, total stake 10000"),
        "{text}"
    );
    assert!(text.contains("a valid result needs 43 of 64"), "{text}");
    assert!(
        text.contains("refused with ProtocolOnly, nothing changed"),
        "{text}"
    );
    assert!(
        text.contains("slashed 400 (burnt: supply 10000 -> 9600), its stake is now 3600"),
        "{text}"
    );
}

fn security(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(node_lite())
        .arg("security")
        .args(args)
        .output()
        .expect("node-lite runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn security_prints_the_risk_model_as_json_and_as_a_table() {
    let (code, stdout, stderr) = security(&[
        "--byzantine",
        "0.3",
        "--committee",
        "64",
        "--mode",
        "public",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("JSON");
    let step = json["events"]["equivocation"]["per_step"]["value"]
        .as_f64()
        .unwrap();
    // 2B + H >= 86 in a 64-credit committee at F = 0.3: about one step in four.
    assert!((0.25..0.27).contains(&step), "{step}");
    assert_eq!(json["quorums"]["supermajority"], 43);
    assert_eq!(json["quorums"]["majority"], 33);

    let (code, table, _) = security(&["--byzantine", "0.1", "--target", "1e-9"]);
    assert_eq!(code, 0);
    assert!(table.contains("mode private"), "{table}");
    assert!(table.contains("smallest committee"), "{table}");
}

#[test]
fn security_refuses_out_of_range_parameters_naming_them() {
    let (code, _, stderr) = security(&["--byzantine", "1.5"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("Byzantine stake share"), "{stderr}");
    let (code, _, stderr) = security(&["--committee", "10001"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("1 to 10000 credits"), "{stderr}");
    let (code, _, stderr) = security(&["--provisioners", "10", "--committee", "64"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("needs at least"), "{stderr}");
}

/// A reader that goes away (`node-lite … | head`) ends the process quietly by SIGPIPE, as
/// other Unix tools end, instead of a panic on "failed printing to stdout".
#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_the_process_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let mut child = Command::new(node_lite())
        .arg("inspect")
        .arg(wasm("token"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node-lite runs");
    // Close the read end before the child writes: its first write finds no reader.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("node-lite ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.signal(),
        Some(libc_sigpipe()),
        "{:?}: {stderr}",
        out.status
    );
}

/// SIGPIPE's number on Linux and the BSDs.
#[cfg(unix)]
fn libc_sigpipe() -> i32 {
    13
}
