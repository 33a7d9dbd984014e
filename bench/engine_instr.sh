#!/bin/bash
# engine_instr.sh BUILD_DIR [BUILD_DIR...] - instructions per durable placement, counted by
# valgrind's callgrind in bench/engine_bench, for one or more builds (the first is the
# reference).  Instruction counts do not depend on what else the machine is doing, so two
# builds compare on a shared or busy machine where CPU seconds would not.
#
# Each build runs engine_bench twice under callgrind, with N and 2N measured orders (same
# warm-up); the difference divided by N is the cost of one order, start-up and shutdown
# cancelled out.  Printed per build and configuration: instructions per order, and the
# ratio to the first build.  A (3 filters on order.placed) needs plugins/filter_limits.la
# in the build; B (no plugins) always runs.
#
# Environment: ORDERS (N, default 2000), WARMUP (200), CONFIGS (default "B A").
# Needs valgrind.  Takes about a minute per build and configuration.
set -u
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [BUILD_DIR...]" >&2; exit 2; }
command -v valgrind > /dev/null || { echo "engine_instr: valgrind is needed" >&2; exit 2; }
n=${ORDERS:-2000}
warmup=${WARMUP:-200}
configs=${CONFIGS:-B A}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# instructions BUILD CONFIG ORDERS: callgrind's total for one engine_bench run.
instructions() {
    local out="$tmp/cg.out" log="$tmp/cg.log"
    rm -f "$out"
    PLUGIN_DIR="$1/plugins/.libs" valgrind --tool=callgrind --callgrind-out-file="$out" \
        "$1/bench/engine_bench" --configs "$2" --orders "$3" --warmup "$warmup" \
        --inflight 64 > "$log" 2>&1 || { tail -5 "$log" >&2; return 1; }
    grep -q 'failed=0 ' "$log" || { grep RESULT "$log" >&2; return 1; }
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$log"
}

printf '%-8s %-40s %16s %8s\n' config build "instr/order" ratio
for c in $configs; do
    ref=""
    for b in "$@"; do
        b=$(cd "$b" && pwd)
        if [ "$c" = A ] && [ ! -e "$b/plugins/.libs/filter_limits.so" ]; then
            printf '%-8s %-40s %16s\n' "$c" "$b" "(no filter_limits.so)"
            continue
        fi
        one=$(instructions "$b" "$c" "$n") || { echo "engine_instr: $b $c failed" >&2; exit 1; }
        two=$(instructions "$b" "$c" $((2 * n))) || { echo "engine_instr: $b $c failed" >&2; exit 1; }
        per=$(( (two - one) / n ))
        [ -n "$ref" ] || ref=$per
        printf '%-8s %-40s %16d %8s\n' "$c" "$b" "$per" \
            "$(awk -v a="$per" -v r="$ref" 'BEGIN { printf "%.3f", a / r }')"
        echo "RESULT config=$c build=$b instructions_per_order=$per ratio=$(awk -v a="$per" -v r="$ref" 'BEGIN { printf "%.4f", a / r }')"
    done
done
