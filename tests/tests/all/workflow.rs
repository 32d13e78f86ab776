//! The contract-author CLI on the committed contracts: `deploy`/`call` on a state directory,
//! `state snapshot|revert|dump|load|versions`, `exec --trace`, `gas-report` with a snapshot
//! check that passes within tolerance and fails beyond it.

use integration_tests::repo_root;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(crate::cli::node_lite())
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("node-lite runs")
}

/// Run, require `code`, parse stdout as JSON.
pub(crate) fn json(args: &[&str], cwd: &Path, code: i32) -> Value {
    let out = run(args, cwd);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {stdout}"))
}

pub(crate) fn wasm(name: &str) -> String {
    repo_root()
        .join("contracts/wasm")
        .join(format!("{name}.wasm"))
        .display()
        .to_string()
}

fn total(state: &str, cwd: &Path) -> Value {
    json(&["call", "c", "--fn", "get", "--state", state], cwd, 0)["return"]["decoded"].clone()
}

#[test]
fn deploy_once_then_call_by_name_or_id_across_processes() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let d = json(
        &["deploy", &wasm("counter"), "--state", "st", "--name", "c"],
        cwd,
        0,
    );
    let id = d["contract"].as_str().unwrap().to_string();
    assert_eq!(d["state_version"], 1);
    let r = json(
        &[
            "call",
            "c",
            "--fn",
            "increment",
            "--args",
            "5",
            "--state",
            "st",
        ],
        cwd,
        0,
    );
    assert_eq!(r["return"]["decoded"], "5");
    assert_eq!(r["name"], "c");
    let r = json(
        &[
            "call",
            &id,
            "--fn",
            "increment",
            "--args",
            "[2]",
            "--state",
            "st",
        ],
        cwd,
        0,
    );
    assert_eq!(r["return"]["decoded"], "7");
    // Deploying the same code again needs another nonce.
    let again = json(&["deploy", &wasm("counter"), "--state", "st"], cwd, 2);
    assert_eq!(again["error"]["kind"], "already_deployed");
    let second = json(
        &["deploy", &wasm("counter"), "--state", "st", "--nonce", "1"],
        cwd,
        0,
    );
    assert_ne!(second["contract"], d["contract"]);
    // A failed call: exit 1, nothing changed.
    let r = json(
        &[
            "call",
            "c",
            "--fn",
            "increment",
            "--args",
            "\"18446744073709551615\"",
            "--state",
            "st",
        ],
        cwd,
        1,
    );
    assert_eq!(r["status"], "reverted");
    assert_eq!(total("st", cwd), "7");
    let unknown = json(&["call", "nope", "--fn", "get", "--state", "st"], cwd, 2);
    assert_eq!(unknown["error"]["kind"], "unknown_contract");
}

#[test]
fn call_and_exec_trace_storage_and_events() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    json(
        &["deploy", &wasm("counter"), "--state", "st", "--name", "c"],
        cwd,
        0,
    );
    let out = run(
        &[
            "call",
            "c",
            "--fn",
            "increment",
            "--args",
            "5",
            "--state",
            "st",
            "--trace",
        ],
        cwd,
    );
    let receipt: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(receipt["ops"][0]["op"], "read");
    assert_eq!(receipt["ops"][0]["key"], "0x636f756e74");
    assert!(
        receipt["ops"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["op"] == "write")
    );
    let tree = String::from_utf8_lossy(&out.stderr);
    assert!(
        tree.contains("c::increment ok") && tree.contains("write \"count\""),
        "{tree}"
    );
    let counter = wasm("counter");
    let out = run(
        &[
            "exec",
            &counter,
            "--fn",
            "increment",
            "--args",
            "1",
            "--trace",
        ],
        cwd,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("counter::increment ok"));
    let untraced = json(&["exec", &wasm("counter"), "--fn", "get"], cwd, 0);
    assert!(untraced.get("ops").is_none());
}

#[test]
fn snapshot_revert_dump_and_load() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    json(
        &["deploy", &wasm("counter"), "--state", "st", "--name", "c"],
        cwd,
        0,
    );
    json(
        &[
            "call",
            "c",
            "--fn",
            "increment",
            "--args",
            "5",
            "--state",
            "st",
        ],
        cwd,
        0,
    );
    let snap = json(&["state", "snapshot", "--state", "st"], cwd, 0);
    assert_eq!(snap["snapshot"], 1);
    json(
        &[
            "call",
            "c",
            "--fn",
            "increment",
            "--args",
            "10",
            "--state",
            "st",
        ],
        cwd,
        0,
    );
    assert_eq!(total("st", cwd), "15");
    let reverted = json(&["state", "revert", "1", "--state", "st"], cwd, 0);
    assert_eq!(reverted["state_root"], snap["state_root"]);
    assert_eq!(reverted["rebuilt"], false);
    assert_eq!(total("st", cwd), "5");
    let versions = json(&["state", "versions", "--state", "st"], cwd, 0);
    assert_eq!(versions["snapshots"], serde_json::json!([1]));
    assert!(versions["versions"].as_array().unwrap().len() >= 4);
    let missing = json(&["state", "revert", "9", "--state", "st"], cwd, 2);
    assert_eq!(missing["error"]["kind"], "unknown_snapshot");

    // Dump, load elsewhere: same root, names carried over.
    let dumped = json(
        &["state", "dump", "--state", "st", "--out", "d.json"],
        cwd,
        0,
    );
    let loaded = json(&["state", "load", "d.json", "--state", "other"], cwd, 0);
    assert_eq!(loaded["state_root"], dumped["state_root"]);
    assert_eq!(total("other", cwd), "5");
    // dump to stdout is the file itself.
    let inline = json(&["state", "dump", "--state", "st"], cwd, 0);
    assert_eq!(inline["format"], "node-lite-state-v1");

    // A damaged file is refused with a typed error and writes nothing.
    let text = std::fs::read_to_string(cwd.join("d.json")).unwrap();
    std::fs::write(
        cwd.join("bad.json"),
        text.replace("0500000000000000", "0600000000000000"),
    )
    .unwrap();
    let bad = json(&["state", "load", "bad.json", "--state", "other"], cwd, 2);
    assert_eq!(bad["error"]["kind"], "bad_state_file");
    assert!(
        bad["error"]["message"].as_str().unwrap().contains("root"),
        "{bad}"
    );
    std::fs::write(cwd.join("junk.json"), "not json").unwrap();
    json(&["state", "load", "junk.json", "--state", "other"], cwd, 2);
    assert_eq!(total("other", cwd), "5");
}

#[test]
fn revert_to_before_a_deploy_rebuilds_the_state() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    json(
        &["deploy", &wasm("counter"), "--state", "st", "--name", "c"],
        cwd,
        0,
    );
    let snap = json(&["state", "snapshot", "--state", "st"], cwd, 0);
    json(
        &["deploy", &wasm("token"), "--state", "st", "--name", "t"],
        cwd,
        0,
    );
    let reverted = json(&["state", "revert", "1", "--state", "st"], cwd, 0);
    assert_eq!(reverted["rebuilt"], true);
    assert_eq!(reverted["state_root"], snap["state_root"]);
    let gone = json(
        &["call", "t", "--fn", "total_supply", "--state", "st"],
        cwd,
        2,
    );
    // The name follows the state: its contract is gone, and the error says so.
    assert_eq!(gone["error"]["kind"], "unknown_contract");
    let message = gone["error"]["message"].as_str().unwrap();
    assert!(message.contains("not in this state"), "{message}");
    assert_eq!(total("st", cwd), "0");
}

fn write_script(dir: &Path) -> PathBuf {
    let script = dir.join("calls.toml");
    let text = format!(
        r#"[contracts]
counter = "{counter}"
token = "{token}"

[[call]]
contract = "counter"
fn = "increment"
args = [5]
repeat = 3

[[call]]
contract = "counter"
fn = "increment"
args = ["18446744073709551615"]
expect = "reverted"

[[call]]
contract = "token"
fn = "init"
args = ["1000"]
caller = "alice"

[[call]]
contract = "token"
fn = "transfer"
args = ["0101010101010101010101010101010101010101010101010101010101010101", "10"]
caller = "alice"
"#,
        counter = wasm("counter"),
        token = wasm("token")
    );
    std::fs::write(&script, text).unwrap();
    script
}

#[test]
fn gas_report_writes_a_snapshot_and_checks_it_with_a_tolerance() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let script = write_script(cwd);
    let script = script.to_str().unwrap();
    let out = run(
        &["gas-report", "--script", script, "--snapshot", "gas.snap"],
        cwd,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("| counter  | increment |     4 |"),
        "{table}"
    );
    let snap = std::fs::read_to_string(cwd.join("gas.snap")).unwrap();
    assert!(snap.contains("token::transfer calls=1"), "{snap}");

    let check = |tolerance: &str| {
        run(
            &[
                "gas-report",
                "--script",
                script,
                "--snapshot",
                "gas.snap",
                "--check",
                "--tolerance",
                tolerance,
            ],
            cwd,
        )
    };
    let same = check("0%");
    assert_eq!(same.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&same.stdout).contains("check passed"));

    // Pretend transfer used to cost 3 % less: beyond 2 %, within 5 %.
    let transfer = snap
        .lines()
        .find(|l| l.starts_with("token::transfer"))
        .unwrap();
    let gas: u64 = transfer
        .split("avg=")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let cheaper = gas * 97 / 100;
    let moved = snap.replace(
        transfer,
        &format!("token::transfer calls=1 min={cheaper} avg={cheaper} max={cheaper}"),
    );
    std::fs::write(cwd.join("gas.snap"), moved).unwrap();
    let fail = check("2%");
    let text = String::from_utf8_lossy(&fail.stdout);
    assert_eq!(fail.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("FAIL token::transfer: avg {cheaper} -> {gas}")),
        "{text}"
    );
    assert!(text.contains("check FAILED"), "{text}");
    assert_eq!(check("5%").status.code(), Some(0));

    // A bad script is exit 2 with the reason.
    std::fs::write(
        cwd.join("bad.toml"),
        "[contracts]\n[[call]]\ncontract = \"x\"\nfn = \"f\"\n",
    )
    .unwrap();
    let bad = run(&["gas-report", "--script", "bad.toml"], cwd);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no contract \"x\""));
}

#[test]
fn a_script_call_that_misses_its_expectation_fails_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let script = cwd.join("s.toml");
    std::fs::write(
        &script,
        format!(
            "[contracts]\nc = \"{}\"\n[[call]]\ncontract = \"c\"\nfn = \"increment\"\nargs = [1]\nexpect = \"failure\"\n",
            wasm("counter")
        ),
    )
    .unwrap();
    let out = run(&["gas-report", "--script", script.to_str().unwrap()], cwd);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected failure, got success"));
}
