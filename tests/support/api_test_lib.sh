# api_test_lib.sh - sourced by the API connection and authentication tests: a scratch
# directory, fail/ok, and starting orderhubd on a free loopback port.
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
fail() {
    echo "FAIL: $*"
    [ -f "$log" ] && { echo "--- daemon log:"; tail -30 "$log"; }
    exit 1
}
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }

# start_daemon CONF: start orderhubd, set $hostport and $base from "API on HOST:PORT".
start_daemon() {
    "$daemon" -c "$1" 2> "$log" &
    pids+=($!)
    for _ in $(seq 100); do grep -q "API on" "$log" && break; sleep 0.1; done
    hostport=$(sed -n 's/.*API on \([0-9.:]*\)).*/\1/p' "$log")
    [ -n "$hostport" ] || fail "orderhubd did not start"
    base="http://$hostport"
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
