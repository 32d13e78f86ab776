#!/usr/bin/env bash
# Run every fuzz target for N seconds each (default 60) and print, per target, the executions,
# exec/s and findings (crash, timeout or out-of-memory inputs written to artifacts/<target>/).
#
#   tests/fuzz/run-all.sh 600            # from the repository root
#   TARGETS="differential" tests/fuzz/run-all.sh 60
#   RUNS=1000000 tests/fuzz/run-all.sh 3600  # stop each target at 1 M executions (or 3600 s)
#   FUZZ_FLAGS="-entropic=0" tests/fuzz/run-all.sh 60  # more libFuzzer flags, passed as they are
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). The fuzz build uses nightly flags,
# which the stable toolchain accepts under RUSTC_BOOTSTRAP=1. Each input is limited to 1 s
# (-timeout=1) and 2 GiB (-rss_limit_mb=2048); a slower or larger one is a finding.
# `-O` builds in release without cargo-fuzz's global `-Cdebug-assertions`: Cargo.toml's
# profile turns debug assertions and overflow checks back on for every crate but wasmi (why:
# see there).
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
fuzz_dir="$root/tests/fuzz"
target_dir="${FUZZ_TARGET_DIR:-$root/target/fuzz}"
targets="${TARGETS:-validate_bytes validate_generated call_generated differential signature_codec state_files chain_inputs}"
runs_flag=()
if [ -n "${RUNS:-}" ]; then runs_flag=(-runs="$RUNS"); fi
export RUSTC_BOOTSTRAP=1

cd "$root"
# `cargo fuzz build` takes one target (or none: all of them).
for target in $targets; do
    cargo fuzz build -O --fuzz-dir "$fuzz_dir" -s none --target-dir "$target_dir" "$target" >/dev/null 2>&1 ||
        cargo fuzz build -O --fuzz-dir "$fuzz_dir" -s none --target-dir "$target_dir" "$target"
done

printf '%-20s %12s %10s %9s %9s\n' target executions exec/s seconds findings
total_findings=0
for target in $targets; do
    corpus="$fuzz_dir/corpus/$target"
    artifacts="$fuzz_dir/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    before=$(find "$artifacts" -type f | wc -l)
    started=$SECONDS
    log="$fuzz_dir/artifacts/$target.log"
    # libFuzzer exits non-zero on a finding; carry on with the next target.
    cargo fuzz run -O --fuzz-dir "$fuzz_dir" -s none --target-dir "$target_dir" "$target" \
        "$corpus" "$fuzz_dir/seeds/$target" -- \
        -max_total_time="$seconds" -timeout=1 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 "${runs_flag[@]}" ${FUZZ_FLAGS:-} >"$log" 2>&1 || true
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    after=$(find "$artifacts" -type f | wc -l)
    findings=$((after - before))
    total_findings=$((total_findings + findings))
    printf '%-20s %12s %10s %9s %9s\n' "$target" "${runs:-?}" "${rate:-?}" "$((SECONDS - started))" "$findings"
done
echo "logs: $fuzz_dir/artifacts/<target>.log; findings: $fuzz_dir/artifacts/<target>/"
[ "$total_findings" -eq 0 ]
