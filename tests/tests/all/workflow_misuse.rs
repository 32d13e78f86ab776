//! The local state directory misused as a newcomer would: names that follow the state, no
//! silent creation, refusals that change nothing, two node-lites on one directory. Each test
//! checks the exit code, the channel (JSON on stdout, or clap on stderr) and that the message
//! names the problem.

use crate::workflow::{json, run, wasm};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// What a refused command must leave as it was: every retained version with its root (the
/// content), and the names file byte for byte. (redb rewrites its own header at every open,
/// so the database file's bytes are not compared.)
fn fingerprint(state: &str, cwd: &Path) -> (String, Option<Vec<u8>>) {
    let versions = json(&["state", "versions", "--state", state], cwd, 0);
    let names = std::fs::read(cwd.join(state).join("names.json")).ok();
    (versions.to_string(), names)
}

/// Run node-lite in `cwd` with one environment variable set.
fn run_with_env(args: &[&str], cwd: &Path, var: &str, value: &std::ffi::OsStr) -> Output {
    std::process::Command::new(crate::cli::node_lite())
        .args(args)
        .current_dir(cwd)
        .env(var, value)
        .output()
        .expect("node-lite runs")
}

fn error_kind(v: &serde_json::Value) -> &str {
    v["error"]["kind"].as_str().unwrap_or("")
}

#[test]
fn a_taken_name_is_refused_and_force_rebinds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let first = json(
        &["deploy", &wasm("counter"), "--state", "s", "--name", "c"],
        cwd,
        0,
    );
    let before = fingerprint("s", cwd);
    let out = json(
        &["deploy", &wasm("token"), "--state", "s", "--name", "c"],
        cwd,
        2,
    );
    assert_eq!(error_kind(&out), "name_taken");
    let message = out["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(first["contract"].as_str().unwrap()),
        "{message}"
    );
    assert!(message.contains("--force"), "{message}");
    assert_eq!(
        fingerprint("s", cwd),
        before,
        "a refused deploy changes nothing"
    );

    let second = json(
        &[
            "deploy",
            &wasm("token"),
            "--state",
            "s",
            "--name",
            "c",
            "--force",
        ],
        cwd,
        0,
    );
    assert_ne!(second["contract"], first["contract"]);
    // A missing entry point is refused before the call, naming the contract the name resolved to.
    let called = json(&["call", "c", "--fn", "nope", "--state", "s"], cwd, 2);
    assert_eq!(called["contract"], second["contract"]);
    assert_eq!(called["error"]["kind"], "no_such_function");
}

#[test]
fn a_name_follows_a_revert_to_the_contract_it_had() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let counter = json(
        &["deploy", &wasm("counter"), "--state", "s", "--name", "c"],
        cwd,
        0,
    );
    json(&["state", "snapshot", "--state", "s"], cwd, 0);
    json(
        &[
            "deploy",
            &wasm("token"),
            "--state",
            "s",
            "--name",
            "c",
            "--force",
        ],
        cwd,
        0,
    );
    json(&["state", "revert", "1", "--state", "s"], cwd, 0);
    let out = json(
        &[
            "call",
            "c",
            "--fn",
            "increment",
            "--args",
            "[2]",
            "--state",
            "s",
        ],
        cwd,
        0,
    );
    assert_eq!(out["contract"], counter["contract"]);
    assert_eq!(out["name"], "c");

    // A name whose only contract was reverted away says so.
    json(
        &["deploy", &wasm("bank"), "--state", "s", "--name", "b"],
        cwd,
        0,
    );
    json(&["state", "revert", "1", "--state", "s"], cwd, 0);
    let out = json(&["call", "b", "--fn", "x", "--state", "s"], cwd, 2);
    assert_eq!(error_kind(&out), "unknown_contract");
    let message = out["error"]["message"].as_str().unwrap();
    assert!(message.contains("not in this state"), "{message}");
    assert!(message.contains("names here: c"), "{message}");
}

#[test]
fn a_corrupt_name_file_refuses_deploy_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    json(&["deploy", &wasm("counter"), "--state", "s"], cwd, 0);
    std::fs::write(cwd.join("s/names.json"), "{broken").unwrap();
    let before = fingerprint("s", cwd);
    let out = json(
        &["deploy", &wasm("token"), "--state", "s", "--name", "t"],
        cwd,
        2,
    );
    assert_eq!(error_kind(&out), "bad_names_file");
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("names.json")
    );
    assert_eq!(fingerprint("s", cwd), before);
    // The same file is bad input for every command that reads it.
    let out = json(&["state", "dump", "--state", "s"], cwd, 2);
    assert_eq!(error_kind(&out), "bad_names_file");
}

#[test]
fn names_are_checked_at_the_length_limit_and_one_past() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let longest = "n".repeat(64);
    json(
        &[
            "deploy",
            &wasm("counter"),
            "--state",
            "s",
            "--name",
            &longest,
        ],
        cwd,
        0,
    );
    let out = json(
        &[
            "deploy",
            &wasm("token"),
            "--state",
            "s2",
            "--name",
            &"n".repeat(65),
        ],
        cwd,
        2,
    );
    assert_eq!(error_kind(&out), "invalid_name");
    assert!(
        !cwd.join("s2").exists(),
        "a refused first deploy creates nothing"
    );
}

#[test]
fn only_deploy_exec_and_load_create_a_state_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let out = json(&["call", "c", "--fn", "get", "--state", "typo"], cwd, 2);
    assert_eq!(error_kind(&out), "no_state");
    let message = out["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("typo") && message.contains("nothing there"),
        "{message}"
    );
    assert!(message.contains("node-lite deploy"), "{message}");
    assert!(!cwd.join("typo").exists());

    let out = json(&["state", "versions", "--state", "typo"], cwd, 2);
    assert_eq!(error_kind(&out), "no_state");
    assert!(!cwd.join("typo").exists());

    std::fs::create_dir(cwd.join("empty")).unwrap();
    let out = json(&["state", "versions", "--state", "empty"], cwd, 2);
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("an empty directory")
    );

    std::fs::write(cwd.join("file"), b"x").unwrap();
    let out = json(&["state", "versions", "--state", "file"], cwd, 2);
    assert_eq!(error_kind(&out), "not_a_state_dir");
    let out = json(&["deploy", &wasm("counter"), "--state", "file"], cwd, 2);
    assert_eq!(error_kind(&out), "not_a_state_dir");

    std::fs::create_dir(cwd.join("zero")).unwrap();
    std::fs::write(cwd.join("zero/state.redb"), b"").unwrap();
    let out = json(&["call", "c", "--fn", "get", "--state", "zero"], cwd, 2);
    assert_eq!(error_kind(&out), "empty_state_db");
    let out = json(&["deploy", &wasm("counter"), "--state", "zero"], cwd, 2);
    assert_eq!(error_kind(&out), "empty_state_db");

    // `state` with neither --state nor NODE_LITE_STATE: clap's usage on stderr.
    let out = run(&["state", "versions"], cwd);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--state") && stderr.contains("Usage"),
        "{stderr}"
    );
}

#[test]
fn node_lite_state_stands_for_state() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let out = run_with_env(
        &["deploy", &wasm("counter"), "--name", "c"],
        cwd,
        "NODE_LITE_STATE",
        cwd.join("envstate").as_os_str(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(cwd.join("envstate/state.wal").exists());
}

/// `call c --fn get --state s`.
const CALL_GET: &[&str] = &["call", "c", "--fn", "get", "--state", "s"];

/// Hold `DIR/.lock` as another node-lite would.
fn hold_lock(dir: &Path, pid: &str) -> std::fs::File {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(dir.join(".lock"))
        .unwrap();
    file.lock().unwrap();
    file.write_all(pid.as_bytes()).unwrap();
    file
}

#[test]
fn a_busy_state_directory_is_waited_for_then_refused_naming_the_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    json(
        &["deploy", &wasm("counter"), "--state", "s", "--name", "c"],
        cwd,
        0,
    );
    let held = hold_lock(&cwd.join("s"), "4242");
    let out = run_with_env(CALL_GET, cwd, "NODE_LITE_LOCK_WAIT_MS", "300".as_ref());
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("waiting for another node-lite (pid 4242)"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(error_kind(&json), "state_busy");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in use by another node-lite (pid 4242)")
    );

    // Released while the second command waits: it goes on.
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(held);
    });
    let out = run_with_env(CALL_GET, cwd, "NODE_LITE_LOCK_WAIT_MS", "20000".as_ref());
    release.join().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let out = run_with_env(CALL_GET, cwd, "NODE_LITE_LOCK_WAIT_MS", "soon".as_ref());
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(error_kind(&json), "bad_env");
}

#[test]
fn a_negative_argument_is_a_value_not_an_option() {
    let dir = tempfile::tempdir().unwrap();
    let counter = wasm("counter");
    // `--args -5` reaches the codec (no clap tip about `-- -5`), which names the range.
    let v = json(
        &["exec", &counter, "--fn", "increment", "--args", "-5"],
        dir.path(),
        2,
    );
    let message = v["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains("-5 is out of range for u64"), "{message}");
    // A JSON number past 2^64 is shown as the integer typed, not as a float.
    let v = json(
        &[
            "exec",
            &counter,
            "--fn",
            "increment",
            "--args",
            "18446744073709551616",
        ],
        dir.path(),
        2,
    );
    let message = v["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("18446744073709551616 is out of range for u64"),
        "{message}"
    );
}

#[test]
fn an_empty_module_file_is_named_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.wasm"), b"").unwrap();
    std::fs::write(dir.path().join("blank.wat"), b" \n\t\n").unwrap();
    for (file, size) in [("empty.wasm", 0), ("blank.wat", 4)] {
        let v = json(&["exec", file, "--fn", "run"], dir.path(), 2);
        assert_eq!(error_kind(&v), "invalid_wasm", "{v}");
        let message = v["error"]["message"].as_str().unwrap_or("");
        assert!(
            message.contains(&format!("{file} is empty ({size} bytes)")),
            "{message}"
        );
    }
}

/// A damaged `state.redb` that a release build used to write to before refusing it (the fuzz
/// seed `state_files/redb-double-panic`) is named corrupt and left byte for byte as it was.
#[test]
fn a_damaged_state_database_is_refused_unchanged() {
    assert_damaged_state_is_refused(
        "redb-double-panic",
        &[
            &["state", "versions", "--state", "s"],
            &["state", "dump", "--state", "s"],
        ],
    );
}

/// A damaged `state.redb` on which redb itself panics (the fuzz seed
/// `state_files/redb-allocator-panic`) is named corrupt, with no panic message on stderr.
#[test]
fn a_damaged_state_database_is_named_corrupt_without_a_panic() {
    assert_damaged_state_is_refused(
        "redb-allocator-panic",
        &[&["state", "versions", "--state", "s"]],
    );
}

/// Puts the `state_files` fuzz seed `seed` (its first byte picks the file kind; the rest is
/// the file) as `s/state.redb`, then runs each of `commands` over it: each exits 3 naming the
/// file corrupt and damaged, prints no panic, and leaves the file byte for byte as it was.
fn assert_damaged_state_is_refused(seed: &str, commands: &[&[&str]]) {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let seed = integration_tests::repo_root()
        .join("tests/fuzz/seeds/state_files")
        .join(seed);
    let bytes = std::fs::read(seed).unwrap();
    std::fs::create_dir(cwd.join("s")).unwrap();
    std::fs::write(cwd.join("s/state.redb"), &bytes[1..]).unwrap();
    for args in commands {
        let out = run(args, cwd);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stdout.contains("state.redb is corrupt") && stdout.contains("damaged"),
            "{stdout}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            std::fs::read(cwd.join("s/state.redb")).unwrap() == bytes[1..],
            "{args:?} changed the file"
        );
    }
}
