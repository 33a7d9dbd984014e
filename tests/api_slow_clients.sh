#!/bin/bash
# api_slow_clients.sh - connection limits and deadlines (docs/api.md "Connection limits"):
# a request line, headers or body trickled a byte at a time is cut at its deadline (an idle
# timeout alone never fires: every byte restarts it); 1,100 half-sent requests, then 1,100
# idle kept-alive connections from one address (127.0.0.2) leave a well-behaved client
# (127.0.0.1) answered within 2 s every time; and when hostile clients from many addresses
# fill the server with idle connections, those are reclaimed fast enough for the same.
set -u
# shellcheck source=tests/support/api_test_lib.sh
. "$top_srcdir/tests/support/api_test_lib.sh"
command -v jq > /dev/null || { echo "SKIP: jq is needed"; exit 77; }

cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
api = {
  connections = { max = 1024; per_client = 64; header_timeout_ms = 2000;
                  body_timeout_ms = 3000; idle_timeout_ms = 15000; busy_idle_timeout_ms = 1000; };
};
CONF
start_daemon "$tmp/orderhub.conf"
loopback_aliases || { echo "SKIP: 127.0.0.2 is not usable as a source address"; exit 77; }

# ---- deadlines that trickling cannot stretch ----------------------------------------------
# trickled PART LIMIT: the server closes a connection trickling PART within LIMIT seconds.
trickled() {
    local s
    s=$("$PY" "$attack" trickle "$hostport" --part "$1" --every 0.3 --max 10) \
        || fail "trickle $1 did not run"
    awk -v s="$s" -v l="$2" 'BEGIN { exit !(s <= l) }' \
        || fail "a trickled $1 held its connection ${s} s (deadline: within $2 s)"
    echo "# trickled $1: closed after $s s"
}
trickled line 3.5
trickled headers 3.5
trickled body 4.5
ok "a request line, headers or body sent a byte every 0.3 s is cut at its deadline (2 s, 2 s, 3 s)"

# ---- floods from one address: the per-client limit and the deadlines --------------------
# flood MODE CONNS SOURCES WHAT: the well-behaved client is answered every time, within 2 s.
flood() {
    "$PY" "$attack" flood "$hostport" --mode "$1" --conns "$2" --sources "$3" --seconds 7 \
        --warmup 3 --rate 500 --probe-timeout 2 > "$tmp/flood.json" || fail "flood $1 did not run"
    echo "# $4: $(cat "$tmp/flood.json")"
    jq -e '.probe_failed == 0 and .probe_ok >= 5 and .probe_max_s < 2' "$tmp/flood.json" \
        > /dev/null || fail "$4: the well-behaved client was not answered within 2 s every time"
}
flood headers 1100 127.0.0.2 "1,100 half-sent requests from 127.0.0.2"
ok "1,100 half-sent requests from one address: /healthz from another answered within 2 s"
flood idle 1100 127.0.0.2 "1,100 idle kept-alive connections from 127.0.0.2"
ok "1,100 idle kept-alive connections from one address: /healthz from another answered within 2 s"
stop_daemon

# ---- many addresses fill the server with idle connections: reclaimed when nearly full -----
cat > "$tmp/small.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/small.db"; };
api = {
  connections = { max = 64; per_client = 16; idle_timeout_ms = 15000;
                  busy_idle_timeout_ms = 500; };
};
CONF
start_daemon "$tmp/small.conf"
flood idle 128 127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8,127.0.0.9 \
    "128 idle kept-alive connections from 8 addresses, 64 allowed"
ok "idle connections filling the server are reclaimed: /healthz answered within 2 s"
stop_daemon
echo "$pass passed, 0 failed"
