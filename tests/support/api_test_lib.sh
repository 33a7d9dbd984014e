# api_test_lib.sh - sourced by the HTTP API tests: a scratch directory cleaned up on exit,
# fail/ok, and orderhubd started on a free loopback port.  Every wait is bounded.
# shellcheck shell=bash
: "${top_builddir:?}" "${top_srcdir:?}"
daemon="$top_builddir/core/orderhubd"
attack="$top_srcdir/tests/support/api_attack.py"
command -v curl > /dev/null || { echo "SKIP: curl is needed"; exit 77; }
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
command -v "$PY" > /dev/null || { echo "SKIP: python3 is needed"; exit 77; }

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap 'cleanup 2>/dev/null' EXIT
log="$tmp/log"
code=000
fail() {
    echo "FAIL: $*"
    [ -f "$tmp/body" ] && { echo "--- last answer ($code):"; head -c 2000 "$tmp/body"; echo; }
    [ -f "$log" ] && { echo "--- daemon log:"; tail -40 "$log"; }
    exit 1
}
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }

# wait_daemon LOG: wait for "API on HOST:PORT" in LOG, set $hostport and $base.
wait_daemon() {
    for _ in $(seq 100); do grep -q "API on" "$1" && break; sleep 0.1; done
    hostport=$(sed -n 's/.*API on \([0-9.:]*\)).*/\1/p' "$1")
    [ -n "$hostport" ] || { cat "$1"; fail "orderhubd did not start"; }
    base="http://$hostport"
}

# start_daemon CONF [LOG]: check the configuration, start orderhubd (its stderr to LOG,
# default $log), set $hostport and $base.
start_daemon() {
    local out=${2:-$log}
    "$daemon" -t -c "$1" > "$tmp/check.out" 2>&1 || { cat "$tmp/check.out"; fail "config refused"; }
    "$daemon" -c "$1" 2> "$out" &
    pids+=($!)
    wait_daemon "$out"
}

# stop_daemon: SIGTERM the last daemon started, and wait for it.
stop_daemon() {
    kill -TERM "${pids[-1]}" 2>/dev/null
    wait "${pids[-1]}" 2>/dev/null
}

# Whether this host routes all of 127.0.0.0/8 to lo (Linux does): some tests bind
# 127.0.0.2 and further addresses as the source of hostile clients.
loopback_aliases() {
    curl -sS --max-time 5 --interface 127.0.0.2 -o /dev/null "$base/healthz" 2> /dev/null
}
