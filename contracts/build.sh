#!/usr/bin/env bash
# Build every contract of this workspace to wasm, reproducibly, and copy the results to
# contracts/wasm/<name>.wasm (the committed artifacts).
#
#   contracts/build.sh          build (target dir: contracts/target) and update contracts/wasm/
#   contracts/build.sh --check  build from scratch in a temporary directory and compare with the
#                               committed contracts/wasm/*.wasm; exit 1 naming every difference
#
# The toolchain is Debian's (see /work/shared/TOOLCHAIN.md and contracts/README.md): rustc-web's
# /usr/bin/rustc with the std sources of rust-web-src (for -Zbuild-std) and wasm-ld-14 from lld-14.
# The bytes do not depend on where the checkout lives: the repository root and the cargo registry
# are remapped to fixed strings with --remap-path-prefix.
set -euo pipefail

# --- rustc wrapper mode --------------------------------------------------------------------------
# cargo runs this script as RUSTC_WRAPPER (`build.sh <rustc> <args>…`) with __CONTRACTS_REPO_ROOT
# set. Cargo hashes the absolute path of a path dependency outside the workspace (host-api, at
# ../host-api) into its `-C metadata`, and that hash flows into the metadata of every contract: it
# changes symbol hashes, which change the wasm `name` section and even the order of functions
# (rust-lang/cargo#13586, #7645). For crates whose source lies in this repository, the wrapper
# replaces cargo's `-C metadata` with one derived from the crate's path relative to the repository
# root, so the bytes no longer depend on where the checkout lives. Every other crate (core, alloc,
# borsh…) is passed through untouched: their metadata is already location-independent.
if [ -n "${__CONTRACTS_REPO_ROOT:-}" ]; then
    rustc=$1
    shift
    src=""
    for arg in "$@"; do
        case "$arg" in
            -*) ;;
            *.rs) src=$arg ;;
        esac
    done
    if [ -n "$src" ]; then
        case "$src" in /*) ;; *) src="$(pwd -P)/$src" ;; esac
        case "$src" in
            "$__CONTRACTS_REPO_ROOT"/*)
                stable="repo:${src#"$__CONTRACTS_REPO_ROOT"/}"
                args=()
                prev=""
                for arg in "$@"; do
                    if [ "$prev" = "-C" ] && [[ "$arg" == metadata=* ]]; then
                        arg="metadata=$stable"
                    elif [[ "$arg" == -Cmetadata=* ]]; then
                        arg="-Cmetadata=$stable"
                    fi
                    args+=("$arg")
                    prev=$arg
                done
                exec "$rustc" "${args[@]}"
                ;;
        esac
    fi
    exec "$rustc" "$@"
fi

# The toolchain the committed artifacts were built with. Another rustc may produce other bytes.
EXPECTED_RUSTC="rustc 1.96.0 (ac68faa20 2026-05-25) (built from a source tarball)"
RUSTC_BIN=/usr/bin/rustc
STD_SRC=/usr/lib/rustlib/src/rust/library
LINKER=wasm-ld-14
TARGET=wasm32v1-none
INSTALL_LINES='    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y rustc-web rust-web-src lld-14'

usage() {
    sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

check=0
case "${1:-}" in
    "") ;;
    --check) check=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
esac
if [ "$#" -gt 1 ]; then usage >&2; exit 2; fi

contracts_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo_root=$(dirname "$contracts_dir")
cargo_home=${CARGO_HOME:-$HOME/.cargo}
if [ -d "$cargo_home" ]; then cargo_home=$(cd "$cargo_home" && pwd -P); fi

# --- toolchain ---------------------------------------------------------------------------------
# cargo-web (/usr/bin/cargo, installed with rustc-web) matches the compiler's release; any other
# cargo (rustup's) also works.
if [ -x /usr/bin/cargo ]; then cargo_bin=/usr/bin/cargo; else cargo_bin=$(command -v cargo || true); fi
missing=()
[ -x "$RUSTC_BIN" ] || missing+=("$RUSTC_BIN (package rustc-web)")
[ -f "$STD_SRC/Cargo.lock" ] || missing+=("$STD_SRC (package rust-web-src)")
command -v "$LINKER" >/dev/null 2>&1 || missing+=("$LINKER (package lld-14)")
[ -n "$cargo_bin" ] || missing+=("cargo (package cargo-web)")
if [ "${#missing[@]}" -gt 0 ]; then
    {
        echo "error: the contract toolchain is missing:"
        printf '    %s\n' "${missing[@]}"
        echo "install it with:"
        echo "$INSTALL_LINES"
    } >&2
    exit 1
fi
for tool in sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool not found" >&2; exit 1; }
done

rustc_version=$("$RUSTC_BIN" --version)
echo "toolchain: $rustc_version, $("$cargo_bin" --version), $LINKER"
if [ "$rustc_version" != "$EXPECTED_RUSTC" ]; then
    echo "warning: the committed wasm was built with $EXPECTED_RUSTC; this rustc may produce other bytes" >&2
fi

# --- contracts ---------------------------------------------------------------------------------
# Every directory with a `cdylib` Cargo.toml is a contract crate (and a workspace member); its wasm
# is named after the package.
names=()
for manifest in "$contracts_dir"/*/Cargo.toml; do
    # Libraries shared by contracts (e.g. genesis-types) are not contracts: no wasm of their own.
    grep -q 'crate-type *= *\[ *"cdylib"' "$manifest" || continue
    name=$(sed -n 's/^name *= *"\([^"]*\)".*/\1/p' "$manifest" | head -n 1)
    [ -n "$name" ] || { echo "error: no package name in $manifest" >&2; exit 1; }
    names+=("$name")
done
[ "${#names[@]}" -gt 0 ] || { echo "error: no contract crates in $contracts_dir" >&2; exit 1; }

# --- build -------------------------------------------------------------------------------------
if [ "$check" = 1 ]; then
    target_dir=$(mktemp -d "${TMPDIR:-/tmp}/contracts-check.XXXXXX")
    trap 'rm -rf "$target_dir"' EXIT
    locked=(--locked)
else
    target_dir="$contracts_dir/target"
    locked=()
fi

remaps=(
    "--remap-path-prefix=$repo_root=/build/repo"
    "--remap-path-prefix=$cargo_home/registry=/build/cargo/registry"
    "--remap-path-prefix=$cargo_home/git=/build/cargo/git"
    # A 64 KiB shadow stack instead of rustc's 1 MiB: contracts keep little on it, and a small
    # memory is cheaper to instantiate and reset (see benches/).
    "-Clink-arg=-zstack-size=65536"
)
# CARGO_ENCODED_RUSTFLAGS (flags separated by 0x1f) survives spaces in paths and overrides every
# other rustflags source, so a developer's RUSTFLAGS or .cargo/config cannot change the bytes.
encoded_rustflags=$(IFS=$'\x1f'; printf '%s' "${remaps[*]}")

echo "building ${names[*]} -> $target_dir"
start=$SECONDS
(
    cd "$contracts_dir"
    unset RUSTFLAGS RUSTC_WORKSPACE_WRAPPER CARGO_BUILD_TARGET CARGO_BUILD_RUSTC_WRAPPER
    export RUSTC="$RUSTC_BIN" RUSTC_BOOTSTRAP=1 CARGO_INCREMENTAL=0
    export RUSTC_WRAPPER="$contracts_dir/build.sh" __CONTRACTS_REPO_ROOT="$repo_root"
    export CARGO_TARGET_WASM32V1_NONE_LINKER="$LINKER"
    export CARGO_ENCODED_RUSTFLAGS="$encoded_rustflags"
    export CARGO_TARGET_DIR="$target_dir"
    "$cargo_bin" build --release --target "$TARGET" -Zbuild-std=core,alloc \
        --workspace "${locked[@]}" --quiet
)
echo "built in $((SECONDS - start)) s"

out_dir="$target_dir/$TARGET/release"
sha() { sha256sum "$1" | cut -d' ' -f1; }

if [ "$check" = 0 ]; then
    mkdir -p "$contracts_dir/wasm"
    for name in "${names[@]}"; do
        src="$out_dir/${name//-/_}.wasm"
        dst="$contracts_dir/wasm/$name.wasm"
        cp "$src" "$dst.tmp" && mv "$dst.tmp" "$dst"
        printf '%-18s %7d bytes  sha256 %s\n' "$name" "$(wc -c <"$dst")" "$(sha "$dst")"
    done
    for committed in "$contracts_dir"/wasm/*.wasm; do
        [ -e "$committed" ] || continue
        base=$(basename "$committed" .wasm)
        if [[ ! " ${names[*]} " =~ \ $base\  ]]; then
            echo "warning: contracts/wasm/$base.wasm has no contract crate (remove it?)" >&2
        fi
    done
    exit 0
fi

# --- check -------------------------------------------------------------------------------------
failed=()
for name in "${names[@]}"; do
    built="$out_dir/${name//-/_}.wasm"
    committed="$contracts_dir/wasm/$name.wasm"
    if [ ! -f "$committed" ]; then
        echo "MISSING $name: contracts/wasm/$name.wasm is not committed (built sha256 $(sha "$built"))"
        failed+=("$name")
    elif cmp -s "$built" "$committed"; then
        printf 'ok      %-18s sha256 %s\n' "$name" "$(sha "$built")"
    else
        echo "DIFFERS $name"
        echo "        committed sha256 $(sha "$committed") ($(wc -c <"$committed") bytes)"
        echo "        built     sha256 $(sha "$built") ($(wc -c <"$built") bytes)"
        failed+=("$name")
    fi
done
for committed in "$contracts_dir"/wasm/*.wasm; do
    [ -e "$committed" ] || continue
    base=$(basename "$committed" .wasm)
    if [[ ! " ${names[*]} " =~ \ $base\  ]]; then
        echo "STALE   $base: contracts/wasm/$base.wasm has no contract crate"
        failed+=("$base")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "error: committed wasm out of date: ${failed[*]} (run contracts/build.sh and commit contracts/wasm/)" >&2
    exit 1
fi
echo "all ${#names[@]} contracts match the committed wasm"
