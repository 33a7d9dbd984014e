#!/bin/bash
# api_auth_limit.sh - the failed-authentication limit (docs/api.md "Authentication"):
# behind a trusted proxy every client is counted by the address the proxy forwarded (the
# rightmost X-Forwarded-For entry that is not a trusted proxy), so ten wrong tokens from
# one client do not lock out the admin behind the same proxy; X-Forwarded-For from a peer
# that is not a trusted proxy is ignored; a flood of failures from 300 other addresses
# (more than the table holds) does not unblock a blocked client; nor does a table full of
# blocked clients.
set -u
# shellcheck source=tests/support/api_test_lib.sh
. "$top_srcdir/tests/support/api_test_lib.sh"

export ADMIN_TOKEN="admin-api-token-0123456789abcdef"
export SHOP_TOKEN="shop-api-token-0123456789abcdef"
cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
api = {
  tokens = (
    { name = "ops";  role = "admin";      token = "env:ADMIN_TOKEN"; },
    { name = "shop"; role = "storefront"; token = "env:SHOP_TOKEN"; }
  );
  trusted_proxies = [ "127.0.0.1" ];
  failed_auth = { limit = 10; window_s = 60; block_s = 60; clients = 256; };
};
CONF
start_daemon "$tmp/orderhub.conf"
loopback_aliases || { echo "SKIP: 127.0.0.2 is not usable as a source address"; exit 77; }

# get TOKEN SOURCE [XFF]: GET /v1/orders from SOURCE (optionally with X-Forwarded-For);
# the status in $code.
get() {
    local xff=()
    [ $# -ge 3 ] && xff=(-H "X-Forwarded-For: $3")
    code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' --interface "$2" \
                -H "Authorization: Bearer $1" "${xff[@]}" "$base/v1/orders" 2>/dev/null) \
        || code=000
}
want() { [ "$code" = "$1" ] || fail "$2: status $code, expected $1"; }
# many WHAT: the lines "SOURCE TOKEN [XFF]" on stdin as requests, each answered 401.
many() {
    "$PY" "$attack" requests "$hostport" /v1/orders > "$tmp/statuses" || fail "$1: did not run"
    local bad
    bad=$(grep -cv '^401$' "$tmp/statuses")
    [ "$bad" = 0 ] || fail "$1: $bad answers not 401: $(sort "$tmp/statuses" | uniq -c | tr '\n' ' ')"
}
wrong() { echo "wrong-token-$RANDOM-0123456789abcdef"; }

# ---- behind the proxy (127.0.0.1, trusted): clients by their forwarded address ----------
for i in $(seq 10); do
    get "$(wrong)" 127.0.0.1 203.0.113.66
    want 401 "failure $i of 203.0.113.66 behind the proxy"
done
get "$ADMIN_TOKEN" 127.0.0.1 203.0.113.10
want 200 "the admin (203.0.113.10) behind the same proxy after another client's 10 failures"
get "$ADMIN_TOKEN" 127.0.0.1
want 200 "the proxy's own request (no X-Forwarded-For) after a forwarded client's failures"
get "$SHOP_TOKEN" 127.0.0.1 203.0.113.66
want 429 "the failing client (203.0.113.66), even with a right token"
# A client cannot pass for another by writing the header itself: the proxy appends the
# address it saw, and only that one (the rightmost untrusted) counts.
get "$SHOP_TOKEN" 127.0.0.1 "203.0.113.10, 203.0.113.66"
want 429 "the blocked client prefixing the admin's address to X-Forwarded-For"
get "$ADMIN_TOKEN" 127.0.0.1 "203.0.113.10, 127.0.0.1"
want 200 "the admin through two trusted proxies"
ok "behind a trusted proxy: 10 failures block only the forwarded client; the admin's token keeps working"

# ---- X-Forwarded-For from a peer that is not a trusted proxy: ignored ---------------------
for i in $(seq 10); do
    get "$(wrong)" 127.0.0.3 "198.51.100.$i"
    want 401 "failure $i from 127.0.0.3 with a forged X-Forwarded-For"
done
get "$ADMIN_TOKEN" 127.0.0.3 198.51.100.99
want 429 "127.0.0.3 after 10 failures, whatever address it claims"
get "$ADMIN_TOKEN" 127.0.0.4
want 200 "another address"
ok "X-Forwarded-For from an untrusted peer is ignored: the peer itself is blocked"

# ---- a flood of other failing clients does not unblock a blocked one ----------------------
for i in $(seq 10); do
    get "$(wrong)" 127.0.0.5
    want 401 "failure $i from 127.0.0.5"
done
get "$ADMIN_TOKEN" 127.0.0.5
want 429 "127.0.0.5 blocked"
# 300 distinct addresses (the table holds 256), one failure each, from real sockets.
n=300
for b in 1 2; do
    for c in $(seq 1 150); do echo "127.0.$b.$c $(wrong)"; done
done | many "the flood of $n failing addresses"
get "$ADMIN_TOKEN" 127.0.0.5
want 429 "127.0.0.5 after $n failures from other addresses (its block is not over)"
get "$ADMIN_TOKEN" 127.0.0.6
want 200 "the admin from an address that never failed, after the flood"
get "$ADMIN_TOKEN" 127.0.0.1 203.0.113.10
want 200 "the admin behind the proxy, after the flood"
ok "$n failures from other addresses leave 127.0.0.5 blocked; the admin still gets in"

stop_daemon

# ---- a table full of blocked clients: new ones are not tracked, none is unblocked ---------
sed -i 's/clients = 256;/clients = 16;/' "$tmp/orderhub.conf"
start_daemon "$tmp/orderhub.conf"
for c in $(seq 16); do
    for i in $(seq 10); do echo "127.0.0.1 $(wrong) 192.0.2.$c"; done
done | many "10 failures each from 16 clients behind the proxy"
for c in $(seq 17 40); do echo "127.0.0.1 $(wrong) 192.0.2.$c"; done \
    | many "failures of 24 more clients with the table full"
for c in 1 16; do
    get "$ADMIN_TOKEN" 127.0.0.1 "192.0.2.$c"
    want 429 "192.0.2.$c, blocked before the table filled up"
done
get "$ADMIN_TOKEN" 127.0.0.1 203.0.113.10
want 200 "the admin while the table is full of blocked clients"
grep -q "failed-authentication table full of blocked clients" "$log" \
    || fail "no warning about the full table"
ok "16 blocked clients fill a 16-entry table: later ones go untracked (logged), none is unblocked"

stop_daemon
echo "$pass passed, 0 failed"
