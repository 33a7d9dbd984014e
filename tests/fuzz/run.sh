#!/bin/bash
# run.sh SRC_TOP BUILD_FUZZ_DIR - `make fuzz`: stage seeds and dictionaries, replay the
# regression inputs, then fuzz every target for a bounded time (or number of runs) and
# fail on any finding: crash, sanitizer report, leak, timeout, or memory over the limit.
#
# Environment (empty means the default):
#   FUZZ_SECONDS  seconds per target (30)
#   FUZZ_RUNS     executions per target instead of a time (e.g. 10000000 for a long run)
#   FUZZ_JOBS     targets run at once (2)
#   FUZZ_ONLY     target names to run (default: every fuzz_* program in BUILD_FUZZ_DIR)
#   FUZZ_RSS_MB   memory limit of one target process, MB (2048): above it is a finding
#   FUZZ_TIMEOUT  seconds one input may take (10): longer is a finding
# Results: BUILD_FUZZ_DIR/work/TARGET.log (libFuzzer's output), crash inputs in
# BUILD_FUZZ_DIR/work/artifacts/, the grown corpus in BUILD_FUZZ_DIR/work/corpus/TARGET
# (kept between runs: the next run starts where this one stopped).
set -eu
[ $# -eq 2 ] || { echo "usage: $0 SRC_TOP BUILD_FUZZ_DIR" >&2; exit 2; }
src=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-30}
runs=${FUZZ_RUNS:-}
jobs=${FUZZ_JOBS:-2}
rss=${FUZZ_RSS_MB:-2048}
timeout=${FUZZ_TIMEOUT:-10}
work="$dir/work"
# Leaks of third-party code we cannot fix (each one explained in the file).
export LSAN_OPTIONS="suppressions=$here/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
mkdir -p "$work/artifacts" "$work/corpus"

if [ -n "${FUZZ_ONLY:-}" ]; then
    targets=$FUZZ_ONLY
else
    targets=$(cd "$dir" && ls fuzz_* | grep -E '^fuzz_[a-z_]+$' | grep -v '\.' || true)
fi
[ -n "$targets" ] || { echo "run.sh: no fuzz targets in $dir" >&2; exit 1; }

# shellcheck disable=SC2086
sh "$here/seeds.sh" "$src" "$work/staged" $targets

# libFuzzer flags of a target's .options file ([libfuzzer] key = value lines).
options_of() {
    [ -f "$1" ] || return 0
    sed -n '/^\[libfuzzer\]/,/^\[/{s/^\([a-z_]*\) *= *\(.*\)$/-\1=\2/p}' "$1" | tr '\n' ' '
}

one() { # TARGET: replay the regressions, then fuzz; prints one summary line
    t=$1
    bin="$dir/$t"
    log="$work/$t.log"
    opts=$(options_of "$work/staged/$t.options")
    common="-rss_limit_mb=$rss -malloc_limit_mb=$rss -timeout=$timeout"
    : > "$log"
    reg="$src/tests/fuzz/regressions/$t"
    if [ -d "$reg" ] && [ -n "$(ls "$reg")" ]; then
        # shellcheck disable=SC2086
        if ! "$bin" $common $opts "$reg"/* >> "$log" 2>&1; then
            echo "FAIL $t: a regression input fails again (see $log)"
            return 1
        fi
    fi
    mkdir -p "$work/corpus/$t"
    if [ -n "$runs" ]; then budget="-runs=$runs"; else budget="-max_total_time=$seconds"; fi
    # shellcheck disable=SC2086
    if ! "$bin" $budget $common $opts -print_final_stats=1 \
        -dict="$work/staged/$t.dict" -artifact_prefix="$work/artifacts/$t-" \
        "$work/corpus/$t" "$work/staged/${t}_seed_corpus" >> "$log" 2>&1; then
        echo "FAIL $t: finding (see $log):"
        grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -12 | sed 's/^/    /'
        return 1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
    echo "ok   $t: $execs executions, $rate exec/s, $cov"
}

# FUZZ_JOBS targets at a time, each in its own process writing its own result line.
for t in $targets; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n || true
    done
    rm -f "$work/$t.result"
    (one "$t" > "$work/$t.result" 2>&1 || true) &
done
wait
failed=0
for t in $targets; do
    cat "$work/$t.result"
    grep -q '^ok ' "$work/$t.result" || failed=$((failed + 1))
done
if [ "$failed" -gt 0 ]; then
    echo "fuzz: $failed target(s) with findings; inputs in $work/artifacts/"
    exit 1
fi
echo "fuzz: no findings"
