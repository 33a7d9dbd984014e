#!/bin/bash
# webhooks.sh - POST /v1/webhooks/{instance} against the real daemon: nothing is stored
# unless the plugin's signature verifies; a verified event moves its order once.
set -u
: "${top_builddir:?}" "${PLUGIN_DIR:?}"
for tool in curl jq openssl; do command -v "$tool" > /dev/null || exit 77; done
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
fail() { echo "FAIL: $*"; [ -f "$tmp/log" ] && tail -20 "$tmp/log"; exit 1; }

"$top_builddir/contrib/fakes/orderhub-sandbox-remote" --port 0 --step-ms 100000 > "$tmp/remote" &
pids+=("$!")
for _ in $(seq 50); do grep -q listening "$tmp/remote" && break; sleep 0.1; done
remote=$(sed -n 's/^listening on //p' "$tmp/remote")
export WH_SECRET="whsec_test_0123456789abcdef" WH_SHOP="shop-token-0123456789abcdef"
export WH_KEY="sk_test_webhooks_key"
cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
api = { tokens = ( { name = "shop"; role = "storefront"; token = "env:WH_SHOP"; } ); };
plugins = (
  { id = "pay"; module = "payment_sandbox";
    settings = { base_url = "http://$remote/sandbox/payments"; api_key = "env:WH_KEY";
                 webhook_secret = "env:WH_SECRET"; }; },
  { id = "carrier"; module = "carrier_sandbox"; settings = { base_url = "http://$remote/sandbox/carrier"; }; },
  { id = "log"; module = "notify_log"; settings = { path = "$tmp/notifications.jsonl"; }; }
);
routes = ( { on = "order.placed"; chain = [ "pay" ]; } );
CONF
ORDERHUB_PLUGIN_PATH="$PLUGIN_DIR" "$top_builddir/core/orderhubd" -c "$tmp/orderhub.conf" 2> "$tmp/log" &
pids+=("$!")
for _ in $(seq 50); do grep -q "API on" "$tmp/log" && break; sleep 0.1; done
api="http://$(sed -n 's/.*API on \([0-9.:]*\)).*/\1/p' "$tmp/log")"

order='{"id":"wh-1","seller":{"id":"s-1"},"items":[{"sku":"A","quantity":1,"unit_price":500}],
        "currency":"USD","payment":{"token":"tok_visa"},
        "shipping_address":{"name":"A B","street1":"1 Main St","city":"Springfield",
                            "region":"IL","postal_code":"62701","country":"US"}}'
code=$(curl -s -o "$tmp/out" -w '%{http_code}' -H "Authorization: Bearer $WH_SHOP" \
       -H 'Content-Type: application/json' --data "$order" "$api/v1/orders")
[ "$code" = 201 ] || fail "placement answered $code: $(cat "$tmp/out")"
for _ in $(seq 100); do
    state=$(curl -s -H "Authorization: Bearer $WH_SHOP" "$api/v1/orders/wh-1" | jq -r .state)
    [ "$state" = awaiting_shipment ] && break; sleep 0.1
done
[ "$state" = awaiting_shipment ] || fail "order not authorized ($state)"
events() { curl -s -H "Authorization: Bearer $WH_SHOP" "$api/v1/orders/wh-1/events" | jq '.events | length'; }
before=$(events)

# post BODY [TIMESTAMP [SECRET]] -> HTTP status, answer in $tmp/out
post() {
    local t=${2:-$(date +%s)} secret=${3:-$WH_SECRET}
    local sig
    sig=$(printf '%s.%s' "$t" "$1" | openssl dgst -sha256 -hmac "$secret" | sed 's/^.*= //')
    curl -s -o "$tmp/out" -w '%{http_code}' -H "Sandbox-Signature: t=$t,v1=$sig" \
         -H 'Content-Type: application/json' --data "$1" "$api/v1/webhooks/${4:-pay}"
}
event='{"id":"evt_1","type":"payment.captured","order_id":"wh-1","transaction_id":"sbx_x","amount":500,"currency":"USD","status":"captured"}'

[ "$(post "$event" "" "wrong-secret")" = 401 ] || fail "bad signature not refused: $(cat "$tmp/out")"
[ "$(post "$event" $(( $(date +%s) - 3600 )))" = 401 ] || fail "stale timestamp not refused"
grep -q "outside" "$tmp/out" || fail "stale reason: $(cat "$tmp/out")"
code=$(curl -s -o "$tmp/out" -w '%{http_code}' --data "$event" "$api/v1/webhooks/pay")
[ "$code" = 401 ] || fail "unsigned webhook answered $code"
[ "$(events)" = "$before" ] || fail "a refused webhook changed the order"
ok "unsigned, badly signed and stale webhooks get 401 and store nothing"

[ "$(post "$event")" = 200 ] || fail "valid webhook: $(cat "$tmp/out")"
jq -e '.status == "applied"' "$tmp/out" > /dev/null || fail "not applied: $(cat "$tmp/out")"
[ "$(events)" = $((before + 1)) ] || fail "payment.captured not journaled"
ok "a verified webhook journals payment.captured"

[ "$(post "$event")" = 200 ] || fail "redelivery: $(cat "$tmp/out")"
jq -e '.status == "ignored"' "$tmp/out" > /dev/null || fail "redelivery applied twice"
other='{"id":"evt_2","type":"payment.captured","order_id":"wh-1","transaction_id":"sbx_x","amount":500,"currency":"USD","status":"captured"}'
[ "$(post "$other")" = 200 ] && jq -e '.status == "ignored"' "$tmp/out" > /dev/null \
    || fail "a second capture report applied: $(cat "$tmp/out")"
[ "$(events)" = $((before + 1)) ] || fail "a repeat changed the journal"
ok "a redelivered event and a repeated capture are acknowledged and ignored"

orphan='{"id":"evt_3","type":"payment.captured","transaction_id":"x","status":"captured"}'
[ "$(post "$orphan")" = 202 ] || fail "event without an order: $(cat "$tmp/out")"
[ "$(post "$event" "" "" nosuch)" = 404 ] || fail "unknown instance"
[ "$(post "$event" "" "" log)" = 404 ] || fail "an instance without webhooks"
# carrier_sandbox takes tracking webhooks, but this one has no webhook_secret: refused (501
# while the daemon does not handle carrier webhooks yet, then 401 from webhook_verify).
code=$(post "$event" "" "" carrier)
[ "$code" = 401 ] || [ "$code" = 501 ] || fail "a carrier without webhook_secret: $code"
ok "no order: 202 ignored; unknown instance or one without webhooks: 404; unconfigured carrier refused"

echo "$pass passed, 0 failed"
