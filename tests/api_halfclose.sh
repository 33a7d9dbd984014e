#!/bin/bash
# api_halfclose.sh - a client that sends a whole placement and then half-closes its socket
# (shutdown(SHUT_WR): "nothing more from me") still gets its answer.  libmicrohttpd 0.9.75
# read the EOF while the connection was suspended for the engine and dropped it unanswered,
# although the order was stored (api.c, handle()).
set -u
# shellcheck source=tests/support/api_test_lib.sh
. "$top_srcdir/tests/support/api_test_lib.sh"
command -v jq > /dev/null || { echo "SKIP: jq is needed"; exit 77; }

export SHOP_TOKEN="shop-api-token-0123456789abcdef"
cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
api = { tokens = ( { name = "shop"; role = "storefront"; token = "env:SHOP_TOKEN"; } ); };
CONF
start_daemon "$tmp/orderhub.conf"

for i in 1 2 3; do
    jq --arg id "halfclose-$i" '.id = $id' "$top_srcdir/conf/sample-order.json" > "$tmp/order.json"
    "$PY" "$attack" halfclose "$hostport" "$SHOP_TOKEN" "$tmp/order.json" > "$tmp/answer" \
        || fail "placement $i then shutdown(SHUT_WR): no answer ($(cat "$tmp/answer"))"
    head -1 "$tmp/answer" | grep -q '^HTTP/1.1 201' || fail "placement $i: $(cat "$tmp/answer")"
    tail -1 "$tmp/answer" | jq -e --arg id "halfclose-$i" '.id == $id' > /dev/null \
        || fail "placement $i: body $(tail -1 "$tmp/answer")"
done
ok "three placements each followed by shutdown(SHUT_WR) are answered 201 with their id"

# The same id again, half-closed: the engine's refusal comes back too.
"$PY" "$attack" halfclose "$hostport" "$SHOP_TOKEN" "$tmp/order.json" > "$tmp/answer" \
    || fail "a repeated placement then shutdown(SHUT_WR): no answer"
head -1 "$tmp/answer" | grep -q '^HTTP/1.1 409' || fail "repeated placement: $(cat "$tmp/answer")"
ok "a repeated id, half-closed: 409 answered"

code=$(curl -sS --max-time 10 -o "$tmp/body" -w '%{http_code}' \
            -H "Authorization: Bearer $SHOP_TOKEN" "$base/v1/orders/halfclose-2")
[ "$code" = 200 ] || fail "reading a half-closed placement back: $code"
ok "the orders are stored"

stop_daemon
echo "$pass passed, 0 failed"
