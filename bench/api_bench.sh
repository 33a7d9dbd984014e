#!/bin/sh
# api_bench.sh - order ingest over HTTP, durable, against its ceiling, in one go.  See
# bench/README.md.
#
#   bench/api_bench.sh [--orders N] [--warmup M] [--connections K] [--threads C]
#                      [--rounds R] [--routes none|chain] [--dir DIR] [--max-seconds T]
#                      [--build DIR] [--keep]
#
# Builds nothing: it runs the programs of an existing build tree (default $top/_build;
# `cd _build && make -j2` first).  Each round runs, in alternating order:
#   ceiling    bench/ingest_ceiling (bare libmicrohttpd + jansson, stores nothing), loaded by
#              bench/api_bench;
#   orderhubd  core/orderhubd on a fresh SQLite database in a temp directory on disk (WAL,
#              synchronous=FULL, the daemon's only mode), one storefront token passed
#              through the environment (token = "env:..."), no payment plugin; routes: none
#              (default) or a chain of three filter_limits on order.placed (--routes chain);
#              loaded by bench/api_bench with the same options.
# Then it prints both figures, the ratio orderhubd / ceiling and the machine load.
# Loopback only (127.0.0.1, port 0); every run is bounded; the servers are stopped and the
# temp directory removed on exit (--keep keeps the databases).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build"
orders=50000
warmup=5000
conns=64
threads=1
rounds=1
routes=none
base=${TMPDIR:-/tmp}
max_seconds=120
keep=0

usage() {
    if [ "$1" = 0 ]; then
        sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    else
        sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    fi
    exit "$1"
}
need() { [ $# -ge 2 ] || { echo "api_bench.sh: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
    case "$1" in
    --orders) need "$@"; orders=$2; shift 2 ;;
    --warmup) need "$@"; warmup=$2; shift 2 ;;
    --connections) need "$@"; conns=$2; shift 2 ;;
    --threads) need "$@"; threads=$2; shift 2 ;;
    --rounds) need "$@"; rounds=$2; shift 2 ;;
    --routes) need "$@"; routes=$2; shift 2 ;;
    --dir) need "$@"; base=$2; shift 2 ;;
    --max-seconds) need "$@"; max_seconds=$2; shift 2 ;;
    --build) need "$@"; build=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "api_bench.sh: unknown option $1" >&2; usage 2 ;;
    esac
done
case "$routes" in none|chain) ;; *) echo "api_bench.sh: --routes none or chain" >&2; exit 2 ;; esac
case "$rounds" in [1-9]|1[0-9]|20) ;; *) echo "api_bench.sh: --rounds 1 to 20" >&2; exit 2 ;; esac
for p in bench/api_bench bench/ingest_ceiling core/orderhubd; do
    if [ ! -x "$build/$p" ]; then
        echo "api_bench.sh: $build/$p is missing: build first (cd _build && make -j2)" >&2
        exit 2
    fi
done
# api_bench bounds itself by --max-seconds; this is the safety net around it.
guard=$(awk -v t="$max_seconds" 'BEGIN { printf "%d", t + 60 }')

work=$(mktemp -d "$base/api_bench.XXXXXX")
pids=""
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    for p in $pids; do
        kill "$p" 2>/dev/null || true
    done
    for p in $pids; do
        wait "$p" 2>/dev/null || true
    done
    if [ "$keep" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

API_BENCH_TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export API_BENCH_TOKEN
export ORDERHUB_PLUGIN_PATH="$build/plugins/.libs"

# wait_api LOGFILE PID: the "API on HOST:PORT" line, or fail after 10 s.
wait_api() {
    for _ in $(seq 100); do
        addr=$(sed -n 's/.*API on \([0-9.]*:[0-9]*\).*/\1/p' "$1" | head -n 1)
        [ -n "$addr" ] && { echo "$addr"; return 0; }
        kill -0 "$2" 2>/dev/null || break
        sleep 0.1
    done
    echo "api_bench.sh: the server did not start; its log:" >&2
    cat "$1" >&2
    return 1
}

# stop PID: SIGTERM, wait up to 30 s, then SIGKILL.
stop() {
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 300); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    pids=$(echo "$pids" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}

failed=0
bench_args="--orders $orders --warmup $warmup --connections $conns --threads $threads"
bench_args="$bench_args --max-seconds $max_seconds"

# run_load LABEL ADDR PID ROUND
run_load() {
    # shellcheck disable=SC2086
    if ! timeout "$guard" "$build/bench/api_bench" --url "http://$2/v1/orders" \
            --server-pid "$3" --label "$1" $bench_args > "$work/$1.$4.out" 2>&1; then
        failed=1
    fi
    sed 's/^/  /' "$work/$1.$4.out"
    grep '^RESULT ' "$work/$1.$4.out" | sed "s/^RESULT /RESULT round=$4 /" >> "$work/results"
}

run_ceiling() {
    "$build/bench/ingest_ceiling" --listen 127.0.0.1:0 --max-seconds "$((guard + 60))" \
        2> "$work/ceiling.$1.log" &
    pid=$!
    pids="$pids $pid"
    addr=$(wait_api "$work/ceiling.$1.log" "$pid")
    echo "[ceiling] bench/ingest_ceiling on $addr (pid $pid), round $1"
    run_load ceiling "$addr" "$pid" "$1"
    stop "$pid"
    sed 's/^/  /' "$work/ceiling.$1.log" | tail -n 1
}

run_daemon() {
    dir="$work/hub$1"
    mkdir "$dir"
    {
        echo 'listen = "127.0.0.1:0";'
        echo 'store  = { driver = "sqlite"; path = "orderhub.db"; };'
        echo 'api    = { tokens = ( { name = "bench"; role = "storefront"; token = "env:API_BENCH_TOKEN"; } ); };'
        if [ "$routes" = chain ]; then
            echo 'plugins = ('
            echo '  { id = "limit_total"; module = "filter_limits"; settings = { max_total = 500000; }; },'
            echo '  { id = "limit_items"; module = "filter_limits"; settings = { max_items = 20; }; },'
            echo '  { id = "limit_both";  module = "filter_limits"; settings = { max_total = 1000000; max_items = 50; }; } );'
            echo 'routes = ( { on = "order.placed"; chain = [ "limit_total", "limit_items", "limit_both" ]; } );'
        fi
    } > "$dir/orderhub.conf"
    "$build/core/orderhubd" -c "$dir/orderhub.conf" 2> "$dir/orderhubd.log" &
    pid=$!
    pids="$pids $pid"
    addr=$(wait_api "$dir/orderhubd.log" "$pid")
    echo "[orderhubd] core/orderhubd on $addr (pid $pid), round $1: SQLite WAL synchronous=FULL" \
         "in $dir, routes: $routes, no payment plugin"
    run_load orderhubd "$addr" "$pid" "$1"
    stop "$pid"
    if command -v sqlite3 > /dev/null 2>&1; then
        n=$(sqlite3 "$dir/orderhub.db" 'SELECT count(*) FROM orders' 2>/dev/null || echo '?')
        ok=$(sed -n 's/^RESULT .* ok=\([0-9]*\) .*/\1/p' "$work/orderhubd.$1.out")
        echo "  durable: $n orders in the store after the daemon stopped (warm-up $warmup +" \
             "measured ${ok:-?} answered 201)"
    fi
    grep -E ' (ERROR|WARN|error|warning)' "$dir/orderhubd.log" | head -n 5 | sed 's/^/  log: /' || true
    [ "$keep" = 1 ] || rm -f "$dir"/orderhub.db*
}

echo "api_bench.sh: $orders orders (+$warmup warm-up) per run, $conns connection(s)," \
     "$threads client thread(s), $rounds round(s), routes $routes, temp dir $work"
echo "load before: $(uptime)"
r=1
while [ "$r" -le "$rounds" ]; do
    if [ $((r % 2)) = 1 ]; then run_ceiling "$r"; run_daemon "$r"; else run_daemon "$r"; run_ceiling "$r"; fi
    r=$((r + 1))
done
echo "load after:  $(uptime)"

# ---- summary: medians over the rounds -------------------------------------------------------
awk -v rounds="$rounds" '
function val(key,   i, kv) {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) return kv[2] }
    return ""
}
function median(a, n,   i, j, t, b) {
    for (i = 1; i <= n; i++) b[i] = a[i]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
    return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}
/^RESULT / {
    l = val("label"); r = val("round")
    rate[l, r] = val("orders_per_s"); p99[l, r] = val("p99_ms")
    srv[l, r] = val("server_us"); cli[l, r] = val("client_us"); oth[l, r] = val("other_cores")
}
END {
    printf "summary over %d round(s) (medians; best = least disturbed by other load):\n", rounds
    for (k = 0; k < 2; k++) {
        l = k ? "orderhubd" : "ceiling"; n = 0; best = 0
        for (r = 1; r <= rounds; r++) if ((l, r) in rate) {
            n++; x[n] = rate[l, r]; y[n] = p99[l, r]; s[n] = srv[l, r]; c[n] = cli[l, r]; o[n] = oth[l, r]
            if (rate[l, r] > best) best = rate[l, r]
        }
        if (n == 0) continue
        med[l] = median(x, n)
        printf "  %-9s orders/s %.0f (best %.0f), p99 %.2f ms, server CPU %.1f us/order, client CPU %.1f us/order, other load %.2f cores\n", \
            l, med[l], best, median(y, n), median(s, n), median(c, n), median(o, n)
    }
    n = 0
    printf "  orderhubd/ceiling per round:"
    for (r = 1; r <= rounds; r++) if (("ceiling", r) in rate && ("orderhubd", r) in rate && rate["ceiling", r] > 0) {
        n++; q[n] = rate["orderhubd", r] / rate["ceiling", r]; printf " %.3f", q[n]
    }
    printf "\n"
    if (n == 0) exit
    ratio = median(q, n)
    printf "ratio: orderhubd reaches %.1f%% of the ceiling (median of the paired rounds)\n", ratio * 100
    printf "aim: >= 30000 orders/s: %s (%.0f); >= 40%% of the ceiling: %s (%.1f%%)\n", \
        (med["orderhubd"] >= 30000 ? "met" : "NOT met"), med["orderhubd"], \
        (ratio >= 0.40 ? "met" : "NOT met"), ratio * 100
    printf "RESULT ceiling_orders_per_s=%.0f orderhubd_orders_per_s=%.0f ratio=%.3f\n", \
        med["ceiling"], med["orderhubd"], ratio
}' "$work/results"
exit "$failed"
