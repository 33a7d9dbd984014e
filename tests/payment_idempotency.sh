#!/bin/bash
# payment_idempotency.sh - a crash between "the gateway received the charge" and "the
# daemon read the answer" never charges twice (docs/architecture.md §7, issue 6).
#
# The real orderhubd with payment_authorizenet against orderhub-fake-authnet, the fake slow
# to answer authorizations (2 s).  An order is placed; once the fake's ledger shows it has
# RECEIVED the authorization and has not answered yet, the daemon is SIGKILLed; it is
# restarted on the same database, re-claims the action when its lease expires, and re-sends
# the request with the same refId and content.  The fake, like Authorize.Net within the
# duplicateWindow the plugin sends, answers the replay with error 11 naming the first
# transaction, which the plugin reads as that transaction's approval.  Then:
#   - the order reaches awaiting_shipment, with the first transaction's id;
#   - the ledger holds exactly ONE authorization for the order's invoice, which got two
#     requests (one a duplicate), both under one refId, and no second charge anywhere.
set -u
: "${top_builddir:?}" "${PLUGIN_DIR:?}"
for tool in curl jq; do command -v "$tool" > /dev/null || { echo "SKIP: no $tool"; exit 77; }; done
[ -f "$PLUGIN_DIR/payment_authorizenet.so" ] || { echo "SKIP: payment_authorizenet not built"; exit 77; }
daemon="$top_builddir/core/orderhubd"
fake="$top_builddir/contrib/fakes/authnet_fake/orderhub-fake-authnet"
tmp=$(mktemp -d)
fake_pid="" dpid=""
cleanup() {
    [ -n "$dpid" ] && { kill -9 "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; }
    [ -n "$fake_pid" ] && { kill -TERM "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null; }
    if [ -n "${IDEM_KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
fail() {
    echo "FAIL: $*"
    for f in "$tmp"/daemon.*.log; do [ -f "$f" ] && { echo "--- $f"; tail -15 "$f"; }; done
    [ -n "${addr:-}" ] && { echo "--- ledger"; curl -s "http://$addr/fake/ledger"; echo; }
    exit 1
}

export IDEM_LOGIN="idem-login" IDEM_KEY="idem-key-0123456" IDEM_TOKEN="idem-admin-token-0123456789"
"$fake" --port 0 --login "$IDEM_LOGIN" --key "$IDEM_KEY" --auth-latency-ms 2000 > "$tmp/fake.out" 2>&1 &
fake_pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/fake.out" && break; sleep 0.1; done
addr=$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9]*\)$/\1/p' "$tmp/fake.out")
[ -n "$addr" ] || fail "the fake did not start: $(cat "$tmp/fake.out")"
ledger() { curl -s "http://$addr/fake/ledger"; }

cat > "$tmp/orderhub.conf" <<CONF
api = { tokens = ( { name = "admin"; role = "admin"; token = "env:IDEM_TOKEN"; } ); };
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
engine = { lease_ms = 1000; backoff_base_ms = 100; backoff_max_ms = 500; };
plugins = (
  { id = "anet"; module = "payment_authorizenet";
    settings = { base_url = "http://$addr/xml/v1/request.api";
                 api_login_id = "env:IDEM_LOGIN"; transaction_key = "env:IDEM_KEY"; }; }
);
routes = ( { on = "order.placed"; chain = [ "anet" ]; } );
CONF
export ORDERHUB_PLUGIN_PATH="$PLUGIN_DIR"
"$daemon" -t -c "$tmp/orderhub.conf" > "$tmp/check.out" 2>&1 || fail "config refused: $(cat "$tmp/check.out")"

starts=0
start_daemon() {
    starts=$((starts + 1))
    local log="$tmp/daemon.$starts.log" port=""
    "$daemon" -c "$tmp/orderhub.conf" 2> "$log" &
    dpid=$!
    for _ in $(seq 100); do
        port=$(sed -n 's/.*API on 127\.0\.0\.1:\([0-9]*\)).*/\1/p' "$log")
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || fail "daemon start $starts: no 'API on' line"
    api="http://127.0.0.1:$port"
}
auth=(-H "Authorization: Bearer $IDEM_TOKEN")

# ---- place the order, kill the daemon while the fake holds the authorization ---------------
start_daemon
order='{"id":"idem-1","seller":{"id":"s-1"},"items":[{"sku":"MUG","quantity":2,"unit_price":617}],
        "currency":"USD","total":1234,"payment":{"token":"eyJ0b2tlbiI6ImlkZW0ifQ-4242"},
        "shipping_address":{"name":"A B","street1":"1 Main St","city":"Springfield",
                            "region":"IL","postal_code":"62701","country":"US"}}'
code=$(curl -s -o "$tmp/out" -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/json' \
       --data "$order" "$api/v1/orders")
[ "$code" = 201 ] || fail "placement answered $code: $(cat "$tmp/out")"
ok "order idem-1 placed"

received=""
for _ in $(seq 100); do   # 5 s at most: the request leaves at once, the answer takes 2 s
    received=$(ledger | jq -c '[.transactions[] | select(.invoice == "idem-1")]')
    [ "$(jq 'length == 1 and .[0].requests == 1 and .[0].answers_sent == 0' <<< "$received")" = true ] && break
    received=""
    sleep 0.05
done
[ -n "$received" ] || fail "the fake never showed a received, unanswered authorization"
first_ref=$(jq -r '.[0].ref_ids[0]' <<< "$received")
first_tx=$(jq -r '.[0].trans_id' <<< "$received")
kill -9 "$dpid"; wait "$dpid" 2>/dev/null; dpid=""
[ "$(ledger | jq '[.transactions[] | select(.invoice == "idem-1")][0].answers_sent')" = 0 ] ||
    fail "the answer left before the kill: the crash window was missed"
ok "the fake received authorization $first_tx (refId $first_ref); daemon SIGKILLed before the answer"

# ---- restart on the same database; the action is re-claimed and re-sent ---------------------
start_daemon
state=""
for _ in $(seq 200); do   # 20 s at most: lease 1 s + the slow 2 s answer + backoff
    state=$(curl -s "${auth[@]}" "$api/v1/orders/idem-1" | jq -r .state 2>/dev/null)
    [ "$state" = awaiting_shipment ] && break
    sleep 0.1
done
[ "$state" = awaiting_shipment ] || fail "order idem-1 is '$state', not awaiting_shipment"
curl -s "${auth[@]}" "$api/v1/orders/idem-1" > "$tmp/order"
jq -e --arg tx "$first_tx:4242" '.payment.transaction_id == $tx' "$tmp/order" > /dev/null ||
    fail "order's transaction is not the first one: $(jq -c .payment "$tmp/order")"
ok "after the restart the order reached awaiting_shipment with transaction $first_tx:4242"

ledger > "$tmp/ledger"
jq -e '[.transactions[] | select(.type == "authOnlyTransaction")] | length == 1' "$tmp/ledger" > /dev/null ||
    fail "more than one authorization in the ledger: $(cat "$tmp/ledger")"
# The restarted daemon sends the authorization again; on a loaded machine it may send it
# more than once (a replay that reaches the fake while the original is still held there is
# answered "try again"), but every request after the first is a duplicate of that one
# charge, under the same refId.
jq -e --arg r "$first_ref" '.transactions[0] | .invoice == "idem-1" and .requests >= 2 and
    .duplicates == .requests - 1 and .ref_ids == [$r] and .amount == "12.34"' "$tmp/ledger" \
    > /dev/null || fail "ledger: $(cat "$tmp/ledger")"
[ "$(jq .requests "$tmp/ledger")" = "$(jq '.transactions[0].requests' "$tmp/ledger")" ] ||
    fail "the fake saw requests outside the one transaction: $(cat "$tmp/ledger")"
ok "ledger: ONE charge of 12.34 for idem-1; every replay (same refId) answered as a duplicate of it"
grep -qF "$IDEM_KEY" "$tmp"/daemon.*.log && fail "a daemon log names the transaction key"
ok "no daemon log line carries the transaction key"
echo "1..$pass"
