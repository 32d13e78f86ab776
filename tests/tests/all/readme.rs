//! The README's runnable command blocks (fenced `sh`, not marked `no-test`) work when pasted as
//! written: run from the repository root with the `node-lite` of this build as `$B` (the block's
//! own `cargo build --release` line is the one step the harness does not repeat). Each command
//! must end with exit code 0, or the code its comment announces (`# exit 1: …`).

use integration_tests::repo_root;

/// One command of a block and the exit code it must end with.
fn expected_exit(line: &str) -> i32 {
    line.split_once("# exit ")
        .and_then(|(_, rest)| rest.chars().next()?.to_digit(10))
        .map_or(0, |d| d as i32)
}

/// A bash script running `commands` with `$B` = `node_lite`, checking every exit code.
fn checked_script(commands: &[String], node_lite: &str) -> String {
    let mut script = String::from("set -u\n");
    for (i, line) in commands.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("cargo build --release -p node-lite") {
            continue;
        }
        if trimmed.starts_with("B=") {
            script.push_str(&format!("B='{node_lite}'\n"));
            continue;
        }
        let want = expected_exit(line);
        script.push_str(&format!(
            "echo '>>> {n}' >&2\n{line}\nrc=$?\nif [ $rc -ne {want} ]; then echo \"README command {n} ended with exit $rc, expected {want}: {quoted}\" >&2; exit 100; fi\n",
            n = i + 1,
            quoted = trimmed.replace(['\'', '"'], "").replace('$', "\\$"),
        ));
    }
    script
}

#[test]
fn exit_codes_are_read_from_comments() {
    assert_eq!(
        expected_exit("$B exec x --gas 1     # exit 1: \"out_of_gas\""),
        1
    );
    assert_eq!(expected_exit("$B inspect x    # entry points"), 0);
    let script = checked_script(&["B=$PWD/x".into(), "false # exit 1".into()], "/bin/nl");
    assert!(script.contains("B='/bin/nl'"));
    assert!(script.contains("if [ $rc -ne 1 ]"));
}

#[test]
fn the_readme_blocks_run_as_written() {
    let root = repo_root();
    let markdown = std::fs::read_to_string(root.join("README.md")).unwrap();
    let commands = crate::tutorial::tutorial_commands(&markdown);
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("cargo build --release -p node-lite")),
        "the README builds node-lite before using it: {commands:?}"
    );
    assert!(commands.len() >= 8, "{commands:?}");
    let node_lite = crate::cli::node_lite();
    let script = checked_script(&commands, node_lite.to_str().unwrap());
    let (stdout, _) = crate::tutorial::run_bash("README commands", &script, |bash| {
        bash.current_dir(&root).env_remove("NODE_LITE_STATE");
    });
    // What the text around the block promises.
    assert!(stdout.contains("\"out_of_gas\""), "{stdout}");
    assert!(stdout.contains("\"decoded\": \"1000000\""), "{stdout}");
    assert!(stdout.contains("entry_points"), "{stdout}");
}
