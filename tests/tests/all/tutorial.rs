//! `docs/tutorial.md` runs: its `sh` blocks (not those marked `no-test`), in order, in a fresh
//! directory, with the `node-lite` of this build on `PATH`. Needs the wasm toolchain (CI
//! installs it); without it the test is skipped with the reason printed.

use integration_tests::repo_root;
use std::process::Command;
use std::time::Instant;

/// The commands of the tutorial's runnable blocks.
pub(crate) fn tutorial_commands(markdown: &str) -> Vec<String> {
    fenced_commands(markdown, "sh")
}

/// The non-empty lines of every block fenced with exactly `info` (e.g. "sh" or "sh devnet").
pub(crate) fn fenced_commands(markdown: &str, info_wanted: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in markdown.lines() {
        let trimmed = line.trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            if in_block {
                in_block = false;
            } else {
                in_block = info.trim() == info_wanted;
            }
            continue;
        }
        if in_block && !trimmed.is_empty() {
            out.push(line.to_string());
        }
    }
    out
}

/// `None` when `node-lite contract build` has a toolchain (the same checks it makes), else
/// what is missing.
pub(crate) fn missing_toolchain() -> Option<String> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    if std::path::Path::new(&sysroot)
        .join("lib/rustlib/wasm32v1-none")
        .is_dir()
    {
        return None;
    }
    let linker = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|d| d.join("wasm-ld-14").is_file());
    let debian = std::path::Path::new("/usr/bin/rustc").is_file()
        && std::path::Path::new("/usr/lib/rustlib/src/rust/library/Cargo.lock").is_file();
    (!(linker && debian))
        .then(|| "no wasm32v1-none target, no Debian rustc-web + rust-web-src + lld-14".into())
}

/// Runs `script` with `bash -c` (set up by `configure`), requires success, and returns its
/// stdout and stderr; on failure both are printed, labelled `what`.
pub(crate) fn run_bash(
    what: &str,
    script: &str,
    configure: impl FnOnce(&mut Command),
) -> (String, String) {
    let mut bash = Command::new("bash");
    bash.arg("-c").arg(script);
    configure(&mut bash);
    let out = bash.output().expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({})\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    (stdout, stderr)
}

#[test]
fn the_tutorial_extracts_its_commands() {
    let md = "text\n```sh\na\nb\n```\n```sh no-test\nc\n```\n```text\nd\n```\n```sh\ne\n```\n";
    assert_eq!(tutorial_commands(md), ["a", "b", "e"]);
}

#[test]
fn the_tutorial_runs_end_to_end() {
    let markdown = std::fs::read_to_string(repo_root().join("docs/tutorial.md")).unwrap();
    let commands = tutorial_commands(&markdown);
    assert!(commands.len() >= 15, "{commands:?}");
    if let Some(missing) = missing_toolchain() {
        println!(
            "SKIPPED: the tutorial needs a wasm toolchain ({missing}): `rustup target add wasm32v1-none`, or `apt-get install -y rustc-web rust-web-src lld-14`"
        );
        return;
    }
    let bin_dir = crate::cli::node_lite().parent().unwrap().to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let script = format!("set -euo pipefail\n{}\n", commands.join("\n"));
    let start = Instant::now();
    let (stdout, stderr) = run_bash("tutorial", &script, |bash| {
        bash.current_dir(work.path()).env("PATH", path);
    });
    println!("tutorial ran in {:.1} s", start.elapsed().as_secs_f64());
    // What the text promises.
    assert!(
        stdout.contains("\"toolchain\""),
        "contract build reports its toolchain"
    );
    assert!(stdout.contains("\"status\": \"reverted\""));
    assert!(
        stdout.contains("\"decoded\": \"7\""),
        "total after revert is 7"
    );
    assert!(stdout.contains("gas snapshot check passed"));
    assert!(stderr.contains("hello::add ok"), "the trace tree on stderr");
    // The gas figure the tutorial shows is the one the run prints.
    let shown = markdown
        .lines()
        .find(|l| l.ends_with(" gas] hello::add ok"))
        .expect("the tutorial shows the trace's first line");
    assert!(
        stderr.lines().any(|l| l.trim() == shown.trim()),
        "the tutorial shows `{shown}`; the run printed:\n{stderr}"
    );
    assert!(
        stdout.contains("3 passed"),
        "the scaffolded tests ran: {stdout}"
    );
    let snap = std::fs::read_to_string(work.path().join("hello/gas.snap")).unwrap();
    assert!(snap.contains("hello::add calls=4"), "{snap}");
}
