//! What makes `contract build` reproducible: the same source gives the same wasm bytes (and so
//! the same code hash) wherever the contract crate and its SDK live.
//!
//! Two things would otherwise carry the locations into the bytes:
//! - **paths in panic messages and debug info**: every root (the crate, each path dependency,
//!   cargo's registry and git checkouts) is remapped to a fixed name with
//!   `--remap-path-prefix`;
//! - **cargo's `-C metadata`**: for a path dependency outside the crate's workspace (the SDK's
//!   `host-api`), cargo hashes its absolute path into the metadata, which changes symbol hashes,
//!   and with them the order of functions and the bytes (rust-lang/cargo#13586). `node-lite`
//!   itself serves as cargo's `RUSTC_WRAPPER` for the build: for a crate whose source lies under
//!   one of the roots, it replaces the metadata with one derived from the root's label and the
//!   path inside it. Crates from the registry and the standard library keep cargo's metadata,
//!   which does not depend on where things live.
//!
//! `contracts/build.sh` does the same for the bundled contracts with a shell wrapper.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The variable that puts `node-lite` in rustc-wrapper mode: the roots as `LABEL=PATH` entries
/// separated by `0x1f`.
pub const WRAPPER_ROOTS_ENV: &str = "NODE_LITE_RUSTC_WRAPPER_ROOTS";

/// A directory whose crates get location-independent metadata and paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Root {
    /// The fixed name it stands for (`contract`, `dep-host-api`…).
    pub label: String,
    /// Its canonical path.
    pub path: PathBuf,
}

/// The roots of the crate at `dir` (canonical): the crate itself and the directory of every path
/// dependency declared in its `Cargo.toml` (`[dependencies]`, `[build-dependencies]`, and the
/// target-specific tables), each labelled after its directory name.
pub fn roots(dir: &Path, manifest: &toml::Table) -> Vec<Root> {
    let mut out = vec![Root {
        label: "contract".into(),
        path: dir.to_path_buf(),
    }];
    let mut tables: Vec<&toml::Table> = Vec::new();
    for key in ["dependencies", "build-dependencies"] {
        if let Some(t) = manifest.get(key).and_then(toml::Value::as_table) {
            tables.push(t);
        }
    }
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for target in targets.values().filter_map(toml::Value::as_table) {
            for key in ["dependencies", "build-dependencies"] {
                if let Some(t) = target.get(key).and_then(toml::Value::as_table) {
                    tables.push(t);
                }
            }
        }
    }
    let mut labels: BTreeMap<String, usize> = BTreeMap::new();
    for table in tables {
        for dep in table.values() {
            let Some(path) = dep.get("path").and_then(toml::Value::as_str) else {
                continue;
            };
            // A dependency that does not exist fails in cargo with a clear message.
            let Ok(path) = dir.join(path).canonicalize() else {
                continue;
            };
            if out.iter().any(|r| path.starts_with(&r.path)) {
                continue;
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "root".into());
            let n = labels.entry(name.clone()).or_default();
            *n += 1;
            let label = if *n == 1 {
                format!("dep-{name}")
            } else {
                format!("dep-{name}-{n}")
            };
            out.push(Root { label, path });
        }
    }
    out
}

/// The `--remap-path-prefix` flags for `roots` and cargo's home.
pub fn remap_flags(roots: &[Root], cargo_home: &Path) -> Vec<String> {
    let mut flags = vec![
        format!(
            "--remap-path-prefix={}/registry=/build/cargo/registry",
            cargo_home.display()
        ),
        format!(
            "--remap-path-prefix={}/git=/build/cargo/git",
            cargo_home.display()
        ),
    ];
    flags.extend(roots.iter().map(|r| {
        format!(
            "--remap-path-prefix={}=/build/{}",
            r.path.display(),
            r.label
        )
    }));
    flags
}

/// The value of [`WRAPPER_ROOTS_ENV`] for `roots`.
pub fn wrapper_env(roots: &[Root]) -> OsString {
    let mut value = OsString::new();
    for (i, r) in roots.iter().enumerate() {
        if i > 0 {
            value.push("\u{1f}");
        }
        value.push(&r.label);
        value.push("=");
        value.push(&r.path);
    }
    value
}

fn parse_wrapper_env(value: &str) -> Vec<Root> {
    value
        .split('\u{1f}')
        .filter_map(|entry| {
            let (label, path) = entry.split_once('=')?;
            Some(Root {
                label: label.into(),
                path: PathBuf::from(path),
            })
        })
        .collect()
}

/// rustc's arguments with cargo's `-C metadata` replaced when the crate's source (the one
/// positional `.rs` argument, relative to `cwd`) lies under one of `roots`.
pub fn rewrite_args(args: Vec<String>, roots: &[Root], cwd: &Path) -> Vec<String> {
    let source = args
        .iter()
        .find(|a| !a.starts_with('-') && a.ends_with(".rs"))
        .map(|a| cwd.join(a));
    let Some(source) = source else {
        return args;
    };
    // The longest matching root: a root nested in another is the more specific one.
    let Some((root, inside)) = roots
        .iter()
        .filter_map(|r| Some((r, source.strip_prefix(&r.path).ok()?)))
        .max_by_key(|(r, _)| r.path.components().count())
    else {
        return args;
    };
    let stable = format!("metadata={}:{}", root.label, inside.to_string_lossy());
    let mut out = Vec::with_capacity(args.len());
    let mut previous_was_c = false;
    for arg in args {
        let arg = if previous_was_c && arg.starts_with("metadata=") {
            stable.clone()
        } else if arg.starts_with("-Cmetadata=") {
            format!("-C{stable}")
        } else {
            arg
        };
        previous_was_c = arg == "-C";
        out.push(arg);
    }
    out
}

/// When [`WRAPPER_ROOTS_ENV`] is set, run as cargo's `RUSTC_WRAPPER` (`node-lite RUSTC ARGS…`):
/// run rustc with [`rewrite_args`] and return its exit code. `None` otherwise: the caller goes
/// on as the CLI.
pub fn run_as_rustc_wrapper() -> Option<i32> {
    let roots = std::env::var(WRAPPER_ROOTS_ENV).ok()?;
    let roots = parse_wrapper_env(&roots);
    let mut args = std::env::args().skip(1);
    let Some(rustc) = args.next() else {
        eprintln!("node-lite: {WRAPPER_ROOTS_ENV} is set but no rustc was passed");
        return Some(2);
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let args = rewrite_args(args.collect(), &roots, &cwd);
    match std::process::Command::new(&rustc).args(&args).status() {
        Ok(status) => Some(status.code().unwrap_or(1)),
        Err(e) => {
            eprintln!("node-lite: cannot run {rustc}: {e}");
            Some(1)
        }
    }
}

/// Whether the build-std copy of `core` for `target` is already in `target_dir` (else the first
/// build compiles the standard library, which takes a while).
pub fn has_built_std(target_dir: &Path, target: &str) -> bool {
    let deps = target_dir.join(target).join("release").join("deps");
    std::fs::read_dir(deps).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("libcore-") && name.ends_with(".rlib")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots_at(dir: &str, sdk: &str) -> Vec<Root> {
        vec![
            Root {
                label: "contract".into(),
                path: dir.into(),
            },
            Root {
                label: "dep-host-api".into(),
                path: sdk.into(),
            },
        ]
    }

    fn args(source: &str, metadata: &str) -> Vec<String> {
        [
            "--crate-name",
            "host_api",
            "--edition=2024",
            source,
            "-C",
            metadata,
            "-C",
            "extra-filename=-abc",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn metadata_depends_on_the_path_inside_the_root_only() {
        let a = rewrite_args(
            args("src/lib.rs", "metadata=1111"),
            &roots_at("/a/hello", "/a/sdk/host-api"),
            Path::new("/a/sdk/host-api"),
        );
        let b = rewrite_args(
            args("src/lib.rs", "metadata=2222"),
            &roots_at("/b/x/hello", "/b/elsewhere/host-api"),
            Path::new("/b/elsewhere/host-api"),
        );
        assert_eq!(a, b);
        // An absolute source path (cargo passes one for crates outside the workspace).
        let c = rewrite_args(
            args("/c/host-api/src/lib.rs", "metadata=3333"),
            &roots_at("/c/hello", "/c/host-api"),
            Path::new("/tmp"),
        );
        assert_eq!(c[5], "metadata=dep-host-api:src/lib.rs");
        assert!(a.contains(&"metadata=dep-host-api:src/lib.rs".to_string()));
        // Other flags are untouched.
        assert!(a.contains(&"extra-filename=-abc".to_string()));
    }

    #[test]
    fn crates_outside_the_roots_keep_their_metadata() {
        let original = args("/home/u/.cargo/registry/borsh/src/lib.rs", "metadata=9999");
        let out = rewrite_args(
            original.clone(),
            &roots_at("/a/hello", "/a/sdk/host-api"),
            Path::new("/"),
        );
        assert_eq!(out, original);
        let joined = vec!["x.rs".to_string(), "-Cmetadata=77".to_string()];
        let out = rewrite_args(joined, &roots_at("/w", "/s"), Path::new("/w"));
        assert_eq!(out[1], "-Cmetadata=contract:x.rs");
    }

    #[test]
    fn the_wrapper_variable_round_trips() {
        let roots = roots_at("/a b/hello", "/c=d/host-api");
        let env = wrapper_env(&roots);
        assert_eq!(parse_wrapper_env(&env.to_string_lossy()), roots);
    }

    #[test]
    fn path_dependencies_are_roots_once() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().canonicalize().unwrap();
        for d in ["hello/src", "sdk/host-api/macros", "other/host-api"] {
            std::fs::create_dir_all(base.join(d)).unwrap();
        }
        let manifest: toml::Table = toml::from_str(
            r#"
            [dependencies]
            host-api = { path = "../sdk/host-api" }
            macros = { path = "../sdk/host-api/macros" }
            twin = { path = "../other/host-api" }
            borsh = "1"
            missing = { path = "../nowhere" }
            "#,
        )
        .unwrap();
        let roots = roots(&base.join("hello"), &manifest);
        let labels: Vec<_> = roots.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["contract", "dep-host-api", "dep-host-api-2"]);
        assert_eq!(roots[1].path, base.join("sdk/host-api"));
    }
}
