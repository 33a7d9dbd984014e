#!/bin/sh
# test.sh - build and run the whole test suite (Check suites, daemon and SDK tests).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
"$top/contrib/scripts/build.sh" "$top/_build"
cd "$top/_build"
if make -j"$(nproc)" check > check.log 2>&1; then
    grep -E '^(PASS|SKIP|XFAIL)' check.log
    grep -h '%: Checks' tests/*.log || true
    grep -E '^# (TOTAL|PASS|FAIL|ERROR)' check.log
    pass=$(grep -c '^PASS' check.log)
    echo "$pass passed, 0 failed"
else
    grep -E '^(PASS|FAIL|ERROR|SKIP)' check.log
    for f in tests/*.log; do
        grep -qE '^(FAIL|ERROR)' "$f" 2>/dev/null && { echo "--- $f"; tail -40 "$f"; }
    done
    fail=$(grep -cE '^(FAIL|ERROR)' check.log)
    pass=$(grep -c '^PASS' check.log)
    echo "$pass passed, $fail failed"
    exit 1
fi
