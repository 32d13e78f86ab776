//! `node-lite contract new` and `node-lite contract build`: scaffold a contract crate and build
//! it to wasm.
//!
//! **The SDK.** A new crate depends on `host-api` (feature `guest`) and, for its tests, on
//! `runtime` (the harness), by path to a checkout of this repository: the one given with
//! `--sdk`, else the one containing the target directory, else the one containing the current
//! directory, else the one `node-lite` was built from.
//!
//! **The toolchain.** `build` uses the rustup target `wasm32v1-none` when it is installed,
//! else Debian's recipe (`rustc-web`, `rust-web-src`, `lld-14`: `-Zbuild-std=core,alloc` with
//! `wasm-ld-14`, as `contracts/build.sh` does), and otherwise says exactly what to install.

mod reproducible;
mod template;

pub use reproducible::run_as_rustc_wrapper;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasm target contracts are built for.
pub const TARGET: &str = "wasm32v1-none";

/// Why a contract command failed.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    /// Not a valid crate name.
    #[error(
        "{0:?} is not a crate name: use lower-case letters, digits, `-` and `_`, starting with a letter"
    )]
    BadName(String),
    /// The crate directory exists already.
    #[error("{0} exists already")]
    Exists(String),
    /// No checkout of this repository to take the SDK from.
    #[error(
        "cannot find the SDK (a checkout of this repository, with host-api/ and runtime/): pass --sdk PATH"
    )]
    NoSdk,
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        message: String,
    },
    /// No `Cargo.toml` with a package name.
    #[error("{0}: not a contract crate (no Cargo.toml with [package] name)")]
    NotACrate(String),
    /// No wasm toolchain.
    #[error("{0}")]
    NoToolchain(String),
    /// cargo failed.
    #[error("cargo build failed ({0}); see its output above")]
    BuildFailed(String),
}

fn io(path: &Path, e: impl std::fmt::Display) -> ContractError {
    ContractError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.len() <= 64
}

/// `true` when `dir` is a checkout of this repository.
fn is_sdk(dir: &Path) -> bool {
    dir.join("host-api/Cargo.toml").is_file() && dir.join("runtime/Cargo.toml").is_file()
}

/// The SDK checkout to use (see the module docs).
fn find_sdk(explicit: Option<&Path>, near: &Path) -> Result<PathBuf, ContractError> {
    if let Some(dir) = explicit {
        return if is_sdk(dir) {
            dir.canonicalize().map_err(|e| io(dir, e))
        } else {
            Err(ContractError::NoSdk)
        };
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf);
    let candidates = near
        .ancestors()
        .chain(cwd.ancestors())
        .map(Path::to_path_buf)
        .chain(built_from);
    for dir in candidates {
        if is_sdk(&dir) {
            return dir.canonicalize().map_err(|e| io(&dir, e));
        }
    }
    Err(ContractError::NoSdk)
}

/// Run `contract new NAME [--path DIR] [--sdk PATH]`: write the crate to `DIR/NAME`.
///
/// # Errors
/// See [`ContractError`].
pub fn new(name: &str, parent: &Path, sdk: Option<&Path>) -> Result<Value, ContractError> {
    if !valid_name(name) {
        return Err(ContractError::BadName(name.to_string()));
    }
    let dir = parent.join(name);
    if dir.exists() {
        return Err(ContractError::Exists(dir.display().to_string()));
    }
    let absolute_parent = std::path::absolute(parent).map_err(|e| io(parent, e))?;
    let sdk = find_sdk(sdk, &absolute_parent)?;
    let sdk_text = sdk.display().to_string();
    let files: [(&str, &str); 6] = [
        ("Cargo.toml", template::CARGO_TOML),
        (".cargo/config.toml", template::CARGO_CONFIG),
        (".gitignore", template::GITIGNORE),
        ("src/lib.rs", template::LIB_RS),
        ("tests/contract.rs", template::TEST_RS),
        ("calls.toml", template::CALLS_TOML),
    ];
    for (file, text) in files {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&path, template::fill(text, name, &sdk_text)).map_err(|e| io(&path, e))?;
    }
    // The SDK's lock file: the contract's tests then resolve exactly the versions the node was
    // built with, and reuse its compiled dependencies.
    let lock = sdk.join("Cargo.lock");
    if lock.is_file() {
        let to = dir.join("Cargo.lock");
        std::fs::copy(&lock, &to).map_err(|e| io(&to, e))?;
    }
    Ok(json!({
        "status": "created",
        "crate": dir.display().to_string(),
        "sdk": sdk_text,
        "files": files.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
        "next": format!("cd {} && node-lite contract build && cargo test", dir.display()),
    }))
}

/// Where the wasm toolchain pieces are looked for (a parameter so tests can point elsewhere).
#[derive(Clone, Debug)]
pub struct ToolchainPaths {
    /// rustup's (or the default) `rustc`.
    pub rustc: PathBuf,
    /// Debian's `rustc` (package `rustc-web`).
    pub debian_rustc: PathBuf,
    /// Debian's std sources (package `rust-web-src`).
    pub debian_std_src: PathBuf,
    /// The wasm linker of the Debian recipe (package `lld-14`), looked up on `PATH`.
    pub linker: String,
    /// The `node-lite` binary, cargo's `RUSTC_WRAPPER` for the build (see
    /// [`run_as_rustc_wrapper`]).
    pub rustc_wrapper: PathBuf,
}

impl Default for ToolchainPaths {
    fn default() -> Self {
        Self {
            rustc: PathBuf::from("rustc"),
            debian_rustc: PathBuf::from("/usr/bin/rustc"),
            debian_std_src: PathBuf::from("/usr/lib/rustlib/src/rust/library"),
            linker: "wasm-ld-14".into(),
            rustc_wrapper: std::env::current_exe().unwrap_or_else(|_| "node-lite".into()),
        }
    }
}

/// The toolchain `build` will use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Toolchain {
    /// `rustc` has the `wasm32v1-none` target installed (rustup).
    Rustup,
    /// Debian's rustc-web, rust-web-src and lld-14.
    Debian,
}

/// The exact installation advice when no toolchain is there.
pub fn install_advice(missing: &[String]) -> String {
    format!(
        "no wasm toolchain: the rustup target {TARGET} is not installed, and the Debian recipe \
         is incomplete (missing: {}).\ninstall one of:\n    rustup target add {TARGET}\nor \
         (Debian/Ubuntu, no network but the package mirror needed):\n    apt-get update && \
         DEBIAN_FRONTEND=noninteractive apt-get install -y rustc-web rust-web-src lld-14",
        missing.join(", ")
    )
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Find the toolchain to build with.
///
/// # Errors
/// [`ContractError::NoToolchain`] with [`install_advice`].
pub fn detect_toolchain(paths: &ToolchainPaths) -> Result<Toolchain, ContractError> {
    let sysroot = Command::new(&paths.rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if let Some(root) = sysroot
        && root.join("lib/rustlib").join(TARGET).is_dir()
    {
        return Ok(Toolchain::Rustup);
    }
    let mut missing = Vec::new();
    if !paths.debian_rustc.is_file() {
        missing.push(format!(
            "{} (package rustc-web)",
            paths.debian_rustc.display()
        ));
    }
    if !paths.debian_std_src.join("Cargo.lock").is_file() {
        missing.push(format!(
            "{} (package rust-web-src)",
            paths.debian_std_src.display()
        ));
    }
    if !on_path(&paths.linker) {
        missing.push(format!("{} (package lld-14)", paths.linker));
    }
    if missing.is_empty() {
        Ok(Toolchain::Debian)
    } else {
        Err(ContractError::NoToolchain(install_advice(&missing)))
    }
}

/// The manifest `dir/Cargo.toml` and its package name.
fn read_manifest(dir: &Path) -> Result<(toml::Table, String), ContractError> {
    let manifest = dir.join("Cargo.toml");
    let not_a_crate = || ContractError::NotACrate(dir.display().to_string());
    let text = std::fs::read_to_string(&manifest).map_err(|_| not_a_crate())?;
    let value: toml::Table = toml::from_str(&text).map_err(|_| not_a_crate())?;
    let name = value
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .map(str::to_string)
        .ok_or_else(not_a_crate)?;
    Ok((value, name))
}

/// Run `contract build [DIR] [--target-dir PATH]`: build the crate to
/// `TARGET_DIR/wasm32v1-none/release/NAME.wasm` (default target dir: `DIR/target`; cargo's
/// output goes to stderr). The bytes do not depend on where the crate or its SDK live (see
/// [`reproducible`]).
///
/// # Errors
/// See [`ContractError`].
pub fn build(
    dir: &Path,
    target_dir: Option<&Path>,
    paths: &ToolchainPaths,
) -> Result<Value, ContractError> {
    let dir = dir.canonicalize().map_err(|e| io(dir, e))?;
    let (manifest, name) = read_manifest(&dir)?;
    let toolchain = detect_toolchain(paths)?;
    let target_dir = match target_dir {
        Some(t) => std::path::absolute(t).map_err(|e| io(t, e))?,
        None => dir.join("target"),
    };
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    let cargo_home = cargo_home.canonicalize().unwrap_or(cargo_home);
    let roots = reproducible::roots(&dir, &manifest);
    // CARGO_ENCODED_RUSTFLAGS (0x1f-separated) overrides every other source of flags, so a
    // developer's RUSTFLAGS or .cargo/config cannot change the bytes. A 64 KiB shadow stack, as
    // contracts/build.sh.
    let mut flags = reproducible::remap_flags(&roots, &cargo_home);
    flags.push("-Clink-arg=-zstack-size=65536".to_string());
    let flags = flags.join("\u{1f}");
    if toolchain == Toolchain::Debian && !reproducible::has_built_std(&target_dir, TARGET) {
        eprintln!(
            "first build: compiling core/alloc for wasm, ~40 s (later builds into {} reuse them)",
            target_dir.display()
        );
    }
    let mut cmd;
    match toolchain {
        Toolchain::Rustup => {
            cmd = Command::new("cargo");
            cmd.args(["build", "--release", "--target", TARGET]);
        }
        Toolchain::Debian => {
            let cargo = if Path::new("/usr/bin/cargo").is_file() {
                "/usr/bin/cargo"
            } else {
                "cargo"
            };
            cmd = Command::new(cargo);
            cmd.args([
                "build",
                "--release",
                "--target",
                TARGET,
                "-Zbuild-std=core,alloc",
            ])
            .env("RUSTC", &paths.debian_rustc)
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_WASM32V1_NONE_LINKER", &paths.linker);
        }
    }
    cmd.current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("CARGO_ENCODED_RUSTFLAGS", flags)
        .env("CARGO_INCREMENTAL", "0")
        .env("RUSTC_WRAPPER", &paths.rustc_wrapper)
        .env(
            reproducible::WRAPPER_ROOTS_ENV,
            reproducible::wrapper_env(&roots),
        )
        .env_remove("RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CARGO_BUILD_TARGET");
    // cargo's progress goes to our stderr; stdout stays the JSON result.
    let status = cmd
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| ContractError::BuildFailed(e.to_string()))?;
    if !status.success() {
        return Err(ContractError::BuildFailed(status.to_string()));
    }
    let wasm = target_dir
        .join(TARGET)
        .join("release")
        .join(format!("{}.wasm", name.replace('-', "_")));
    let bytes = std::fs::read(&wasm).map_err(|e| io(&wasm, e))?;
    Ok(json!({
        "status": "built",
        "wasm": wasm.display().to_string(),
        "size_bytes": bytes.len(),
        "code_hash": runtime::CodeHash::of(&bytes).to_string(),
        "toolchain": match toolchain { Toolchain::Rustup => "rustup", Toolchain::Debian => "debian" },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(valid_name("hello"));
        assert!(valid_name("my-token_2"));
        assert!(!valid_name("Hello"));
        assert!(!valid_name("2x"));
        assert!(!valid_name("../x"));
        assert!(!valid_name(""));
    }

    #[test]
    fn no_toolchain_names_exactly_what_to_install() {
        let paths = ToolchainPaths {
            rustc: PathBuf::from("/nonexistent/rustc"),
            debian_rustc: PathBuf::from("/nonexistent/usr/bin/rustc"),
            debian_std_src: PathBuf::from("/nonexistent/library"),
            linker: "no-such-wasm-ld".into(),
            rustc_wrapper: PathBuf::from("node-lite"),
        };
        let message = detect_toolchain(&paths).unwrap_err().to_string();
        assert!(
            message.contains("rustup target add wasm32v1-none"),
            "{message}"
        );
        assert!(
            message.contains(
                "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y rustc-web rust-web-src lld-14"
            ),
            "{message}"
        );
        assert!(message.contains("package lld-14") && message.contains("package rustc-web"));
    }

    #[test]
    fn new_writes_a_crate_and_refuses_to_overwrite() {
        let tmp = tempfile::tempdir().unwrap();
        let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let out = new("my-contract", tmp.path(), Some(sdk)).unwrap();
        assert_eq!(out["status"], "created");
        let dir = tmp.path().join("my-contract");
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("name = \"my-contract\""));
        assert!(manifest.contains("/host-api\", features = [\"guest\"]"));
        let test = std::fs::read_to_string(dir.join("tests/contract.rs")).unwrap();
        assert!(test.contains("release/my_contract.wasm"));
        assert_eq!(read_manifest(&dir).unwrap().1, "my-contract");
        assert!(matches!(
            new("my-contract", tmp.path(), Some(sdk)),
            Err(ContractError::Exists(_))
        ));
        assert!(matches!(
            new("x", tmp.path(), Some(tmp.path())),
            Err(ContractError::NoSdk)
        ));
    }
}
