//! Hostile `contract-signatures` sections: the code is a valid one-function contract, the
//! section is not. The tools (`inspect`, `exec`, `deploy`, `call`) finish at once, ignore what is
//! over a limit with a warning, and still deploy and call the contract.

use crate::cli::node_lite;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// A contract with one entry point `run` (status 0, no data) and `section` as its
/// `contract-signatures` custom section.
fn module_with_signatures(section: &str) -> Vec<u8> {
    let data: String = section.bytes().map(|b| format!("\\{b:02x}")).collect();
    wat::parse_str(format!(
        r#"(module (@custom "{}" "{data}") (memory (export "memory") 1)
             (func (export "run") (param i32) (result i32) i32.const 0))"#,
        host_api::abi::SIGNATURE_SECTION
    ))
    .expect("valid WAT")
}

fn write(dir: &Path, name: &str, section: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, module_with_signatures(section)).expect("write module");
    path
}

fn run(args: &[&std::ffi::OsStr]) -> (i32, Value) {
    let out = Command::new(node_lite())
        .args(args)
        .output()
        .expect("node-lite runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit code"), json)
}

/// `node-lite exec MODULE --fn run`.
fn exec_run(module: &Path) -> (i32, Value) {
    run(&[
        "exec".as_ref(),
        module.as_os_str(),
        "--fn".as_ref(),
        "run".as_ref(),
    ])
}

fn warnings(json: &Value) -> Vec<String> {
    json["warnings"]
        .as_array()
        .map(|w| {
            w.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_deeply_nested_signature_is_ignored_and_the_contract_still_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 20,000 levels of `Vec<` in one 100 KB line (it took 10.9 s and 990 MB to inspect, and
    // overflowed a debug build's stack, before the parser was bounded).
    let deep = format!(
        "run(x: {}u8{}) -> u64",
        "Vec<".repeat(20_000),
        ">".repeat(20_000)
    );
    let module = write(dir.path(), "deep.wasm", &deep);
    let (code, json) = run(&["inspect".as_ref(), module.as_os_str()]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["status"], "valid");
    assert_eq!(json["entry_points"][0]["name"], "run");
    assert_eq!(json["entry_points"][0]["signature"], Value::Null);
    let w = warnings(&json);
    assert!(
        w.len() == 1 && w[0].contains("over the limit of 4096 bytes"),
        "{w:?}"
    );

    // Short enough for the line cap, one level too deep for the nesting cap.
    let too_deep = format!("run(x: {}u8{}) -> u64", "Vec<".repeat(33), ">".repeat(33));
    let module = write(dir.path(), "too_deep.wasm", &too_deep);
    let (code, json) = exec_run(&module);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["status"], "success");
    assert!(
        warnings(&json)[0].contains("deeper than the limit of 32 levels"),
        "{json}"
    );

    // Through a state directory too: deploy and call print the same warning.
    let state = dir.path().join("state");
    let (code, json) = run(&[
        "deploy".as_ref(),
        module.as_os_str(),
        "--state".as_ref(),
        state.as_os_str(),
        "--name".as_ref(),
        "deep".as_ref(),
    ]);
    assert_eq!(code, 0, "{json}");
    assert!(warnings(&json)[0].contains("32 levels"), "{json}");
    let (code, json) = run(&[
        "call".as_ref(),
        "deep".as_ref(),
        "--fn".as_ref(),
        "run".as_ref(),
        "--state".as_ref(),
        state.as_os_str(),
    ]);
    assert_eq!(code, 0, "{json}");
    assert!(warnings(&json)[0].contains("32 levels"), "{json}");
}

#[test]
fn a_zero_sized_array_return_type_cannot_inflate_the_receipt() {
    let dir = tempfile::tempdir().expect("tempdir");
    // `[(); N]` takes no bytes: decoding looped N times (19.9 s and 2.2 GB for 5·10⁷; past
    // 5.6 GB for 10¹⁰) to print an empty return value.
    for n in ["50000000", "10000000000"] {
        let module = write(dir.path(), "zst.wasm", &format!("run() -> [(); {n}]"));
        let (code, json) = exec_run(&module);
        assert_eq!(code, 0, "{json}");
        assert_eq!(json["return"]["hex"], "0x");
        assert_eq!(json["return"].get("decoded"), None, "{json}");
        let why = json["return"]["decode_error"].as_str().unwrap_or_default();
        assert!(
            why.contains("would produce more than 1024 values"),
            "{json}"
        );
    }
    // A small one still decodes.
    let module = write(dir.path(), "small.wasm", "run() -> [(); 3]");
    let (code, json) = exec_run(&module);
    assert_eq!(code, 0, "{json}");
    assert_eq!(
        json["return"]["decoded"],
        serde_json::json!([null, null, null])
    );
}
