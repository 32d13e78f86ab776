//! `node-lite contract build` gives the same bytes wherever the crate and its SDK live: one
//! contract scaffolded twice, against this checkout and against a copy of it elsewhere, in
//! directories of different depths, builds to one code hash. Needs the wasm toolchain (CI
//! installs it); without it the test is skipped with the reason printed.

use integration_tests::repo_root;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn node_lite(args: &[&str], dir: &Path) -> (Value, String) {
    let out = Command::new(crate::cli::node_lite())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("node-lite runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "node-lite {args:?} failed ({})\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    (
        serde_json::from_str(&stdout).expect("JSON on stdout"),
        stderr,
    )
}

/// Copies the repository's tracked files (the SDK: `host-api/`, `runtime/` and the workspace
/// around them) to `to`.
fn copy_checkout(to: &Path) {
    let root = repo_root();
    let out = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(&root)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git ls-files failed");
    for file in out.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let file = String::from_utf8_lossy(file).into_owned();
        let from = root.join(&file);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let dest = to.join(&file);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&from, &dest).unwrap();
    }
}

#[test]
fn a_contract_builds_to_one_code_hash_from_two_locations() {
    if let Some(missing) = crate::tutorial::missing_toolchain() {
        println!("SKIPPED: contract build needs a wasm toolchain ({missing})");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let first_parent = work.path().join("a");
    let second_parent = work.path().join("b/deeper/still");
    let sdk_copy = work.path().join("elsewhere/sdk");
    for d in [&first_parent, &second_parent, &sdk_copy] {
        std::fs::create_dir_all(d).unwrap();
    }
    copy_checkout(&sdk_copy);
    let root = repo_root();
    let places = [
        (&first_parent, root.to_str().unwrap()),
        (&second_parent, sdk_copy.to_str().unwrap()),
    ];
    // One target directory: the wasm standard library is compiled once; host-api and the
    // contract are compiled again for each location (cargo keys them by path).
    let target = work.path().join("target");
    let mut hashes = Vec::new();
    for (i, (parent, sdk)) in places.iter().enumerate() {
        node_lite(&["contract", "new", "hello", "--sdk", sdk], parent);
        let crate_dir = parent.join("hello");
        let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
        assert!(manifest.contains(&format!("{sdk}/host-api")), "{manifest}");
        let (built, stderr) = node_lite(
            &[
                "contract",
                "build",
                "--target-dir",
                target.to_str().unwrap(),
            ],
            &crate_dir,
        );
        assert_eq!(built["status"], "built", "{built}");
        if built["toolchain"] == "debian" {
            assert_eq!(
                stderr.contains("first build: compiling core/alloc for wasm"),
                i == 0,
                "the first-build line appears before the first build only:\n{stderr}"
            );
        }
        println!("{}: code hash {}", crate_dir.display(), built["code_hash"]);
        hashes.push(built["code_hash"].as_str().unwrap().to_string());
    }
    assert_eq!(
        hashes[0], hashes[1],
        "the same source built from two locations"
    );
}
