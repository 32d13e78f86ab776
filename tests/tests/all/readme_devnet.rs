//! The README's devnet block (fenced `sh devnet`) works when pasted as written: the test starts
//! `node-lite devnet --instant` on a free port, then runs the block's lines one by one from the
//! repository root with `$B` = this build's `node-lite` and `NODE_LITE_NODE` pointing at the
//! devnet (the block's users get the default port instead). The block's two placeholders are
//! filled as a reader would: `<address>` with dev account 1's address, `<hash>` with the hash the
//! transfer printed. Every line must exit 0.

use integration_tests::repo_root;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A devnet child process, killed when the test ends (passing or not).
struct Devnet {
    child: Child,
    api: String,
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `node-lite devnet --instant` on a free port and waits for its API line. Its output
/// keeps being drained afterwards, so the per-block lines never fill the pipe.
fn start_devnet() -> Devnet {
    let mut child = Command::new(crate::cli::node_lite())
        .args(["devnet", "--instant", "--port", "0", "--signatures", "fake"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node-lite devnet starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (api_tx, api_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut api_tx = Some(api_tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("API").map(str::trim)
                && let Some(tx) = api_tx.take()
            {
                let _ = tx.send(url.to_string());
            }
        }
    });
    let mut devnet = Devnet {
        child,
        api: String::new(),
    };
    devnet.api = api_rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the devnet prints its API address within 120 s");
    assert!(
        devnet.api.starts_with("http://127.0.0.1:"),
        "{}",
        devnet.api
    );
    devnet
}

/// Runs one README line under bash; its stdout, or a failure naming the line.
fn run_line(line: &str, devnet: &Devnet) -> String {
    let out = Command::new("bash")
        .arg("-c")
        .arg(line)
        .current_dir(repo_root())
        .env("B", crate::cli::node_lite())
        .env("NODE_LITE_NODE", &devnet.api)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "README devnet line failed ({}): {line}\n--- stdout\n{stdout}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn json(stdout: &str, line: &str) -> Value {
    serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("`{line}` printed no JSON ({e}): {stdout}"))
}

#[test]
fn the_readme_devnet_block_runs_against_a_devnet() {
    let markdown = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let lines = crate::tutorial::fenced_commands(&markdown, "sh devnet");
    assert!(
        lines.iter().any(|l| l.contains("tx transfer")) && lines.len() >= 4,
        "the README has a devnet block with a transfer: {lines:?}"
    );
    let devnet = start_devnet();
    let mut address: Option<String> = None;
    let mut hash: Option<String> = None;
    let mut ran = Vec::new();
    for line in &lines {
        if line.trim().starts_with("B=") {
            continue; // `$B` is this build's binary
        }
        let mut line = line.clone();
        if line.contains("<address>") {
            let address = address
                .as_ref()
                .expect("dev accounts listed before <address>");
            line = line.replace("<address>", address);
        }
        if line.contains("<hash>") {
            let hash = hash.as_ref().expect("a transaction sent before <hash>");
            line = line.replace("<hash>", hash);
        }
        let stdout = run_line(&line, &devnet);
        let value = json(&stdout, &line);
        if line.contains("query dev-accounts") {
            let accounts = value.as_array().expect("dev accounts are a list");
            assert!(accounts.len() >= 2, "{stdout}");
            address = accounts[1]["address"].as_str().map(str::to_string);
        } else if line.contains("tx transfer") {
            assert_eq!(value["status"]["receipt"]["success"], true, "{stdout}");
            hash = value["hash"].as_str().map(str::to_string);
        } else if line.contains("tx deploy") {
            assert!(value["contract"].is_string(), "{stdout}");
            assert_eq!(value["status"]["receipt"]["success"], true, "{stdout}");
        } else if line.contains("query tx") {
            assert_eq!(
                value["receipt"]["hash"].as_str(),
                hash.as_deref(),
                "{stdout}"
            );
        }
        ran.push(line);
    }
    for wanted in ["query dev-accounts", "tx transfer", "tx deploy", "query tx"] {
        assert!(
            ran.iter().any(|l| l.contains(wanted)),
            "the block ran `{wanted}`: {ran:?}"
        );
    }
}
