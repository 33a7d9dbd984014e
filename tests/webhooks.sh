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
export WH_KEY="sk_test_webhooks_key" WH_SELLER="seller-token-0123456789abcdef"
cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
api = { tokens = ( { name = "shop"; role = "storefront"; token = "env:WH_SHOP"; },
                  { name = "seller"; role = "seller:s-1"; token = "env:WH_SELLER"; } ); };
plugins = (
  { id = "pay"; module = "payment_sandbox";
    settings = { base_url = "http://$remote/sandbox/payments"; api_key = "env:WH_KEY";
                 webhook_secret = "env:WH_SECRET"; }; },
  { id = "carrier"; module = "carrier_sandbox"; settings = { base_url = "http://$remote/sandbox/carrier"; }; },
  { id = "track"; module = "carrier_sandbox";
    settings = { base_url = "http://$remote/sandbox/carrier"; webhook_secret = "env:WH_SECRET"; }; },
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
# carrier_sandbox takes tracking webhooks, but this one has no webhook_secret: refused.
[ "$(post "$event" "" "" carrier)" = 401 ] || fail "a carrier without webhook_secret"
ok "no order: 202 ignored; unknown instance or one without webhooks: 404; unconfigured carrier refused"

# ---- carrier webhooks: the label's number finds the order ------------------------------
seller() { curl -s -H "Authorization: Bearer $WH_SELLER" "$@"; }
seller -X POST "$api/v1/orders/wh-1/ack" > /dev/null
seller -X POST -H 'Content-Type: application/json' \
    --data '{"parcels":[{"weight_g":300}],"carrier":"track"}' "$api/v1/orders/wh-1/pack" > "$tmp/out"
jq -e '.state == "awaiting_collection"' "$tmp/out" > /dev/null || fail "pack: $(cat "$tmp/out")"
for _ in $(seq 100); do
    number=$(seller "$api/v1/orders/wh-1" | jq -r '.shipment.tracking_number // empty')
    [ -n "$number" ] && break; sleep 0.1
done
[ -n "$number" ] || fail "no label from the carrier named when packing"
seller "$api/v1/orders/wh-1" | jq -e '.shipment.carrier == "track"' > /dev/null \
    || fail "the label is not the named carrier's"
before=$(events)
scan() { printf '{"id":"whk_%s","number":"%s","events":[{"code":"%s","text":"%s","time":"%s","city":"Springfield","region":"IL","country":"US"}]}' "$@"; }
# Two scans in one delivery (the parcel was picked up, then went out for delivery between
# two calls): the order passes through both statuses, each journaled, oldest first.
two_scans='{"code":"OD","text":"Out for delivery","time":"2026-03-02T12:00:00.000-06:00","city":"Springfield","region":"IL","country":"US"},
           {"code":"PU","text":"Picked up","time":"2026-03-02T08:00:00.000-06:00","city":"Chicago","region":"IL","country":"US"}'
body="{\"id\":\"whk_1\",\"number\":\"$number\",\"events\":[$two_scans]}"
[ "$(post "$body" "" wrong-secret track)" = 401 ] || fail "badly signed carrier webhook"
[ "$(events)" = "$before" ] || fail "a refused carrier webhook changed the order"
[ "$(post "$body" "" "" track)" = 200 ] || fail "carrier webhook: $(cat "$tmp/out")"
jq -e --arg n "$number" '.status == "done" and .results == [{"number": $n, "order_id": "wh-1",
    "result": "applied"}]' "$tmp/out" > /dev/null || fail "carrier webhook answer: $(cat "$tmp/out")"
seller "$api/v1/orders/wh-1" > "$tmp/order"
jq -e '.state == "in_transit" and .shipment.status == "out_for_delivery"
       and .shipment.last_scan.code == "OD" and .shipment.last_scan.location.region == "IL"' \
    "$tmp/order" > /dev/null || fail "order after the webhook: $(cat "$tmp/order")"
n_after=$(events)
[ "$(post "$body" "" "" track)" = 200 ] || fail "redelivered carrier webhook"
[ "$(events)" = "$n_after" ] || fail "a redelivered scan was journaled again"
curl -s -H "Authorization: Bearer $WH_SHOP" "$api/v1/orders/wh-1/events" > "$tmp/events"
jq -e '[.events[].name | select(startswith("shipment."))] ==
       ["shipment.label_created", "shipment.in_transit", "shipment.out_for_delivery"]' \
    "$tmp/events" > /dev/null || fail "statuses passed between two answers: $(cat "$tmp/events")"
ok "a signed carrier webhook moves the order its number belongs to, once, through every status its scans passed; bad signatures store nothing"

body=$(scan 2 "$number" DL "Delivered" "2026-03-02T15:30:00.000-06:00")
[ "$(post "$body" "" "" track)" = 200 ] || fail "delivered webhook: $(cat "$tmp/out")"
seller "$api/v1/orders/wh-1" | jq -e '.shipment.status == "delivered" and
    (.state == "delivered" or .state == "completed")' > /dev/null || fail "not delivered by webhook"
unknown=$(scan 3 SBX999999 OD "Out for delivery" "2026-03-02T12:00:00Z")
[ "$(post "$unknown" "" "" track)" = 200 ] || fail "unknown number: $(cat "$tmp/out")"
jq -e '.results[0].result == "unknown"' "$tmp/out" > /dev/null || fail "unknown number: $(cat "$tmp/out")"
[ "$(post '{"number":' "" "" track)" = 400 ] || fail "malformed carrier webhook: $(cat "$tmp/out")"
ok "delivered by webhook; an unknown number is reported, a malformed body is 400"

echo "$pass passed, 0 failed"
