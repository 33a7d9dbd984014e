#!/bin/bash
# stripe_daemon.sh - payment_stripe inside the real daemon against orderhub-fake-stripe on
# loopback: an approved order is authorized (awaiting_shipment) with one charge in the
# fake's ledger under the daemon's idempotency key; a decline ends in payment_failed with
# Stripe's message in the snapshot; 500s are retried under the same key until approved
# (still one charge); a cancelled order's authorization is voided (also when Stripe had
# canceled it already); Stripe-signed webhooks are applied once, badly signed ones get 401.
set -u
: "${top_builddir:?}" "${PLUGIN_DIR:?}"
for tool in curl jq openssl; do command -v "$tool" > /dev/null || exit 77; done
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
fail() { echo "FAIL: $*"; [ -f "$tmp/log" ] && grep -v " debug: " "$tmp/log" | tail -20; exit 1; }

export SD_KEY="sk_test_daemon_0123456789" SD_WHSEC="whsec_daemon_test_0123456789abcdef"
export SD_SHOP="shop-token-0123456789abcdef" SD_ADMIN="admin-token-0123456789abcdef"
"$top_builddir/contrib/fakes/stripe_fake/orderhub-fake-stripe" --port 0 --secret-key "$SD_KEY" \
    --flaky-failures 2 > "$tmp/fake" &
pids+=("$!")
for _ in $(seq 50); do grep -q listening "$tmp/fake" && break; sleep 0.1; done
fake="http://$(sed -n 's/^listening on //p' "$tmp/fake")"
[ "$fake" != "http://" ] || fail "the fake did not start"

cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store = { driver = "sqlite"; path = "$tmp/oh.db"; };
api = { tokens = ( { name = "shop"; role = "storefront"; token = "env:SD_SHOP"; },
                  { name = "admin"; role = "admin"; token = "env:SD_ADMIN"; } ); };
engine = { backoff_base_ms = 50; backoff_max_ms = 200; max_attempts = 5; };
plugins = (
  { id = "stripe"; module = "payment_stripe";
    settings = { base_url = "$fake"; secret_key = "env:SD_KEY"; webhook_secret = "env:SD_WHSEC"; }; }
);
routes = ( { on = "order.placed"; chain = [ "stripe" ]; },
           { on = "order.cancelled"; chain = [ "stripe" ]; } );
CONF
ORDERHUB_PLUGIN_PATH="$PLUGIN_DIR" "$top_builddir/core/orderhubd" -c "$tmp/orderhub.conf" 2> "$tmp/log" &
pids+=("$!")
for _ in $(seq 100); do grep -q "API on" "$tmp/log" && break; sleep 0.1; done
api="http://$(sed -n 's/.*API on \([0-9.:]*\)).*/\1/p' "$tmp/log")"
[ "$api" != "http://" ] || fail "orderhubd did not start"
grep -q "$SD_KEY" "$tmp/log" && fail "the secret key reached the log"

get() { curl -sS --max-time 10 -H "Authorization: Bearer $SD_ADMIN" "$api$1"; }
place() { # ID TOKEN
    local order
    order=$(printf '{"id":"%s","seller":{"id":"s-1"},"items":[{"sku":"A","quantity":1,"unit_price":4999}],
        "currency":"USD","payment":{"token":"%s"},"shipping_address":{"name":"A B",
        "street1":"1 Main St","city":"Springfield","region":"IL","postal_code":"62701","country":"US"}}' "$1" "$2")
    local code
    code=$(curl -sS -o "$tmp/out" -w '%{http_code}' -H "Authorization: Bearer $SD_SHOP" \
        -H 'Content-Type: application/json' --data "$order" "$api/v1/orders")
    [ "$code" = 201 ] || fail "placing $1 answered $code: $(cat "$tmp/out")"
}
wait_state() { # ID STATE
    local state=""
    for _ in $(seq 100); do
        state=$(get "/v1/orders/$1" | jq -r .state)
        [ "$state" = "$2" ] && return 0
        sleep 0.1
    done
    fail "$1 is $state, not $2: $(get "/v1/orders/$1")"
}
ledger() { curl -sS "$fake/fake/ledger"; }

place st-ok pm_card_visa
place st-declined pm_card_chargeDeclinedInsufficientFunds
place st-flaky pm_fake_flaky
wait_state st-ok awaiting_shipment
get /v1/orders/st-ok > "$tmp/order"
pi_ok=$(jq -r .payment.transaction_id "$tmp/order")
[[ $pi_ok == pi_* ]] || fail "no PaymentIntent id in the snapshot: $(cat "$tmp/order")"
ledger | jq -e --arg pi "$pi_ok" '[.charges[] | select(.order_id == "st-ok")] |
    length == 1 and .[0].payment_intent == $pi and .[0].amount == 4999 and .[0].currency == "usd"
    and .[0].status == "requires_capture" and (.[0].idempotency_key | startswith("st-ok/order.placed#1/stripe/authorize"))' \
    > /dev/null || fail "ledger for st-ok: $(ledger | jq -c '.charges')"
ok "approved: awaiting_shipment, the PaymentIntent in the snapshot, one manual-capture charge under the daemon's key"

wait_state st-declined payment_failed
get /v1/orders/st-declined > "$tmp/order"
jq -e '.payment.message == "Your card has insufficient funds." and .payment.decline_code ==
       "insufficient_funds" and .payment.code == "card_declined"' "$tmp/order" > /dev/null \
    || fail "decline not in the snapshot: $(jq -c .payment "$tmp/order")"
ledger | jq -e '[.charges[] | select(.order_id == "st-declined")] == [] and .counters.declines == 1' > /dev/null \
    || fail "a declined order was charged"
ok "declined: payment_failed with Stripe's code, decline_code and message in the snapshot; no charge"

wait_state st-flaky awaiting_shipment
ledger > "$tmp/ledger"
jq -e '.counters.flaky_failures == 2 and ([.charges[] | select(.order_id == "st-flaky")] | length) == 1
       and ([.payment_intents[] | select(.order_id == "st-flaky")] | length) == 1' "$tmp/ledger" > /dev/null \
    || fail "flaky: $(jq -c '.counters' "$tmp/ledger")"
grep -q "st-flaky: stripe/authorize attempt 1 failed, retrying" "$tmp/log" || fail "no retry logged"
ok "two 500s retried under the same Idempotency-Key, then authorized: exactly one charge"

# ---- webhooks ------------------------------------------------------------------------
events() { get "/v1/orders/$1/events" | jq '.events | length'; }
# hook BODY [TIMESTAMP [SECRET]] -> HTTP status, answer in $tmp/out
hook() {
    local t=${2:-$(date +%s)} secret=${3:-$SD_WHSEC} sig
    sig=$(printf '%s.%s' "$t" "$1" | openssl dgst -sha256 -hmac "$secret" | sed 's/^.*= //')
    curl -sS -o "$tmp/out" -w '%{http_code}' -H "Stripe-Signature: t=$t,v1=$sig" \
         -H 'Content-Type: application/json; charset=utf-8' --data "$1" "$api/v1/webhooks/stripe"
}
event() { # EVT_ID TYPE ORDER PI STATUS
    printf '{"id":"%s","object":"event","api_version":"2024-06-20","created":%s,"data":{"object":{"id":"%s","object":"payment_intent","amount":4999,"amount_capturable":0,"amount_received":4999,"capture_method":"manual","currency":"usd","latest_charge":"ch_x","metadata":{"order_id":"%s"},"status":"%s"}},"livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"%s"}' \
        "$1" "$(date +%s)" "$4" "$3" "$5" "$2"
}
pi_flaky=$(get /v1/orders/st-flaky | jq -r .payment.transaction_id)
body=$(event evt_1 payment_intent.succeeded st-flaky "$pi_flaky" succeeded)
before=$(events st-flaky)
[ "$(hook "$body" "" whsec_wrong)" = 401 ] || fail "bad signature: $(cat "$tmp/out")"
[ "$(hook "$body" $(( $(date +%s) - 600 )))" = 401 ] && grep -q outside "$tmp/out" || fail "stale: $(cat "$tmp/out")"
code=$(curl -sS -o "$tmp/out" -w '%{http_code}' --data "$body" "$api/v1/webhooks/stripe")
[ "$code" = 401 ] && grep -q "no Stripe-Signature header" "$tmp/out" || fail "unsigned: $code $(cat "$tmp/out")"
[ "$(events st-flaky)" = "$before" ] || fail "a refused webhook changed the order"
ok "badly signed, stale and unsigned Stripe webhooks: 401, nothing stored"

[ "$(hook "$body")" = 200 ] && jq -e '.status == "applied"' "$tmp/out" > /dev/null || fail "succeeded: $(cat "$tmp/out")"
get /v1/orders/st-flaky | jq -e '.payment.status == "captured"' > /dev/null || fail "not captured"
[ "$(events st-flaky)" = $((before + 1)) ] || fail "payment.captured not journaled once"
[ "$(hook "$body")" = 200 ] && jq -e '.status == "ignored"' "$tmp/out" > /dev/null || fail "redelivery: $(cat "$tmp/out")"
[ "$(events st-flaky)" = $((before + 1)) ] || fail "a redelivered event changed the journal"
ok "payment_intent.succeeded, signed: applied once (payment.captured); its redelivery ignored"

# Cancel st-ok: the daemon voids its authorization through the plugin.
code=$(curl -sS -o "$tmp/out" -w '%{http_code}' -X POST -H "Authorization: Bearer $SD_ADMIN" \
    -H 'Content-Type: application/json' --data '{"reason":"changed my mind"}' "$api/v1/orders/st-ok/cancel")
[ "$code" = 200 ] || fail "cancel: $code $(cat "$tmp/out")"
for _ in $(seq 100); do
    [ "$(get /v1/orders/st-ok | jq -r .payment.status)" = voided ] && break; sleep 0.1
done
get /v1/orders/st-ok | jq -e '.state == "cancelled" and .payment.status == "voided"' > /dev/null \
    || fail "st-ok not voided: $(get /v1/orders/st-ok | jq -c '{state, payment}')"
ledger | jq -e --arg pi "$pi_ok" '.payment_intents[] | select(.id == $pi) | .status == "canceled"' > /dev/null \
    || fail "the fake's PaymentIntent is not canceled"
body=$(event evt_2 payment_intent.canceled st-ok "$pi_ok" canceled)
[ "$(hook "$body")" = 200 ] && jq -e '.status == "ignored"' "$tmp/out" > /dev/null \
    || fail "canceled webhook after the void: $(cat "$tmp/out")"
ok "cancelled order: authorization voided at Stripe (payment.voided); the later payment_intent.canceled is ignored"

# Stripe cancels on its own (the Dashboard, 7 days uncaptured): the void finds it canceled.
place st-expired pm_card_visa
wait_state st-expired awaiting_shipment
pi_exp=$(get /v1/orders/st-expired | jq -r .payment.transaction_id)
curl -sS -o /dev/null -X POST -H "Authorization: Bearer $SD_KEY" -H "Idempotency-Key: dashboard-1" \
    "$fake/v1/payment_intents/$pi_exp/cancel" -d cancellation_reason=abandoned
body=$(event evt_3 payment_intent.canceled st-expired "$pi_exp" canceled)
[ "$(hook "$body")" = 200 ] && jq -e '.status == "ignored"' "$tmp/out" > /dev/null \
    || fail "canceled webhook for an order still awaiting shipment: $(cat "$tmp/out")"
curl -sS -o /dev/null -X POST -H "Authorization: Bearer $SD_ADMIN" "$api/v1/orders/st-expired/cancel"
for _ in $(seq 100); do
    [ "$(get /v1/orders/st-expired | jq -r .payment.status)" = voided ] && break; sleep 0.1
done
get /v1/orders/st-expired | jq -e '.state == "cancelled" and .payment.status == "voided"' > /dev/null \
    || fail "st-expired: $(get /v1/orders/st-expired | jq -c '{state, payment}')"
ok "an intent Stripe canceled itself: the order's void reads payment_intent_unexpected_state as canceled"

ledger | jq -e '(.charges | length) == 3 and .counters.idempotency_conflicts == 0' > /dev/null \
    || fail "ledger: $(ledger | jq -c '{n: (.charges | length), counters}')"
grep -q "$SD_KEY" "$tmp/log" && fail "the secret key reached the log"
ok "three authorizations, three charges, no idempotency conflict; the secret key never logged"
echo "$pass passed, 0 failed"
