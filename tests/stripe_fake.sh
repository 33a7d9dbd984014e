#!/bin/bash
# stripe_fake.sh - orderhub-fake-stripe over curl: the four endpoints answer like Stripe
# (objects, the error object, HTTP codes), the payment method token decides the outcome,
# Idempotency-Key records replay like Stripe's, and the ledger counts logical charges.
set -u
: "${top_builddir:?}"
for tool in curl jq; do command -v "$tool" > /dev/null || exit 77; done
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
fail() { echo "FAIL: $*"; [ -f "$tmp/body" ] && cat "$tmp/body"; exit 1; }

"$top_builddir/contrib/fakes/stripe_fake/orderhub-fake-stripe" --port 0 --secret-key sk_test_fakekey1234 \
    --slow-ms 800 --flaky-failures 2 > "$tmp/fake" &
pids+=("$!")
for _ in $(seq 50); do grep -q listening "$tmp/fake" && break; sleep 0.1; done
url="http://$(sed -n 's/^listening on //p' "$tmp/fake")"
[ "$url" != "http://" ] || fail "the fake did not start"

# post PATH KEY [curl -d args...] -> HTTP status; body in $tmp/body, headers in $tmp/headers
post() {
    local path=$1 key=$2; shift 2
    local idem=()
    [ -n "$key" ] && idem=(-H "Idempotency-Key: $key")
    curl -sS -X POST -o "$tmp/body" -D "$tmp/headers" -w "%{http_code}" -H "Authorization: Bearer sk_test_fakekey1234" \
        "${idem[@]}" "$@" "$url$path"
}
create() { # KEY TOKEN [AMOUNT] [extra -d args]
    local key=$1 token=$2 amount=${3:-4999}; shift; shift; [ $# -gt 0 ] && shift
    post /v1/payment_intents "$key" -d amount="$amount" -d currency=usd -d payment_method="$token" \
        -d confirm=true -d capture_method=manual -d 'automatic_payment_methods[enabled]=true' \
        -d 'automatic_payment_methods[allow_redirects]=never' -d "metadata[order_id]=ord-$key" "$@"
}
body() { jq -e "$1" "$tmp/body" > /dev/null; }

code=$(curl -s -o "$tmp/body" -w '%{http_code}' -d amount=1 "$url/v1/payment_intents")
[ "$code" = 401 ] && body '.error.type == "invalid_request_error" and (.error.message | startswith("You did not provide an API key"))' \
    || fail "no key: $code"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer sk_test_wrongkey9876" -d amount=1 "$url/v1/payment_intents")
[ "$code" = 401 ] && body '.error.message == "Invalid API Key provided: sk_test_********9876"' || fail "wrong key: $code"
ok "401 without a key or with a wrong one (masked as Stripe does)"

[ "$(create k-visa pm_card_visa)" = 200 ] || fail "approve"
body '.object == "payment_intent" and .status == "requires_capture" and .amount == 4999 and
      .amount_capturable == 4999 and .currency == "usd" and .capture_method == "manual" and
      .metadata.order_id == "ord-k-visa" and (.latest_charge | startswith("ch_")) and
      (.id | test("^pi_[A-Za-z0-9]{24}$"))' || fail "approved PaymentIntent shape"
pi=$(jq -r .id "$tmp/body"); cp "$tmp/body" "$tmp/first"
grep -qi '^Idempotency-Key: k-visa' "$tmp/headers" || fail "Idempotency-Key not echoed"
ok "pm_card_visa: 200, PaymentIntent requires_capture with a latest_charge"

[ "$(create k-visa pm_card_visa)" = 200 ] || fail "replay status"
cmp -s "$tmp/body" "$tmp/first" || fail "replay is not the recorded answer"
grep -qi '^Idempotent-Replayed: true' "$tmp/headers" || fail "no Idempotent-Replayed header"
[ "$(create k-visa pm_card_visa 5000)" = 400 ] || fail "same key, other params"
body '.error.type == "idempotency_error" and (.error.message | contains("same parameters"))' || fail "idempotency_error"
[ "$(post /v1/refunds k-visa -d payment_intent="$pi")" = 400 ] || fail "same key, other endpoint"
body '.error.type == "idempotency_error" and (.error.message | contains("same endpoint"))' || fail "endpoint error"
ok "same key + same params replays the first answer; other params or endpoint: 400 idempotency_error"

[ "$(create k-dec pm_card_chargeDeclined)" = 402 ] || fail "decline status"
body '.error.type == "card_error" and .error.code == "card_declined" and .error.decline_code ==
      "generic_decline" and .error.message == "Your card was declined." and
      .error.payment_intent.status == "requires_payment_method" and
      .error.payment_intent.last_payment_error.decline_code == "generic_decline"' || fail "decline body"
[ "$(create k-nsf pm_card_chargeDeclinedInsufficientFunds)" = 402 ] || fail "nsf status"
body '.error.decline_code == "insufficient_funds" and .error.message == "Your card has insufficient funds."' || fail "nsf"
[ "$(create k-cvc pm_card_chargeDeclinedIncorrectCvc)" = 402 ] && body '.error.code == "incorrect_cvc"' || fail "cvc"
ok "declines: 402 card_error with Stripe's code, decline_code, message and the PaymentIntent"

[ "$(create k-3ds pm_card_threeDSecure2Required)" = 200 ] || fail "3ds"
body '.status == "requires_action" and .next_action.type == "redirect_to_url"' || fail "3ds body"
[ "$(create k-none pm_nosuch)" = 400 ] && body '.error.code == "resource_missing" and .error.param == "payment_method"' \
    || fail "unknown payment method"
[ "$(create k-unk pm_card_visa 4999 -d frobnicate=1)" = 400 ] && body '.error.param == "frobnicate"' || fail "unknown param"
[ "$(post /v1/payment_intents k-ret -d amount=100 -d currency=usd -d payment_method=pm_card_visa -d confirm=true)" = 400 ] \
    && body '.error.message | contains("return_url")' || fail "confirm without allow_redirects=never"
ok "3-D Secure: requires_action; unknown token or parameter, confirm needing a return_url: 400"

[ "$(create k-500 pm_fake_server_error)" = 500 ] && body '.error.type == "api_error"' || fail "500"
[ "$(create k-500 pm_fake_server_error)" = 500 ] || fail "500 replay"
grep -qi '^Idempotent-Replayed: true' "$tmp/headers" || fail "the recorded 500 is not replayed"
ok "pm_fake_server_error: a 500 recorded under its key and replayed, as Stripe does"

for i in 1 2; do
    [ "$(create k-flaky pm_fake_flaky)" = 500 ] || fail "flaky attempt $i"
    grep -qi '^Stripe-Should-Retry: true' "$tmp/headers" || fail "no Stripe-Should-Retry on attempt $i"
done
[ "$(create k-flaky pm_fake_flaky)" = 200 ] && body '.status == "requires_capture"' || fail "flaky third attempt"
ok "pm_fake_flaky: two unrecorded 500s (Stripe-Should-Retry: true), then approved under the same key"

[ "$(create k-bad pm_fake_malformed)" = 200 ] || fail "malformed status"
jq . "$tmp/body" > /dev/null 2>&1 && fail "malformed body parses"
start=$(date +%s%N)
create k-slow pm_fake_slow > "$tmp/slow_code" &
sleep 0.3
[ "$(create k-slow pm_fake_slow)" = 409 ] && body '.error.code == "idempotency_key_in_use"' || fail "concurrent same key"
wait $!
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(cat "$tmp/slow_code")" = 200 ] && [ $ms -ge 800 ] || fail "slow answer: $(cat "$tmp/slow_code") after $ms ms"
ok "pm_fake_malformed: a cut body; pm_fake_slow: answered after ${ms} ms, a concurrent retry gets 409"

[ "$(post "/v1/payment_intents/$pi/capture" cap-1 -d amount_to_capture=3000)" = 200 ] || fail "capture"
body '.status == "succeeded" and .amount_received == 3000 and .amount_capturable == 0' || fail "capture body"
[ "$(post "/v1/payment_intents/$pi/capture" cap-2)" = 400 ] || fail "capture twice"
body '.error.code == "payment_intent_unexpected_state" and .error.payment_intent.status == "succeeded"' || fail "state error"
[ "$(post "/v1/payment_intents/$pi/cancel" can-1)" = 400 ] && body '.error.code == "payment_intent_unexpected_state"' \
    || fail "cancel a captured intent"
[ "$(post /v1/payment_intents/pi_nosuch/capture cap-3)" = 404 ] && body '.error.code == "resource_missing"' || fail "404"
ok "capture (partial): succeeded; capture or cancel in the wrong state: 400 payment_intent_unexpected_state; 404"

create k-void pm_card_mastercard > /dev/null; pv=$(jq -r .id "$tmp/body")
[ "$(post "/v1/payment_intents/$pv/cancel" can-2 -d cancellation_reason=requested_by_customer)" = 200 ] || fail "cancel"
body '.status == "canceled" and .cancellation_reason == "requested_by_customer" and .canceled_at > 0' || fail "cancel body"
ok "cancel: canceled with its reason"

[ "$(post /v1/refunds ref-1 -d payment_intent="$pi" -d amount=1000 -d 'metadata[order_id]=ord-k-visa')" = 200 ] || fail "refund"
body '.object == "refund" and .status == "succeeded" and .amount == 1000 and .payment_intent == "'"$pi"'" and
      .metadata.order_id == "ord-k-visa" and (.id | startswith("re_"))' || fail "refund body"
[ "$(post /v1/refunds ref-2 -d payment_intent="$pi" -d amount=5000)" = 400 ] && body '.error.code == "amount_too_large"' || fail "too large"
[ "$(post /v1/refunds ref-3 -d payment_intent="$pi")" = 200 ] && body '.amount == 2000' || fail "refund the rest"
[ "$(post /v1/refunds ref-4 -d payment_intent="$pi")" = 400 ] && body '.error.code == "charge_already_refunded"' || fail "refund again"
[ "$(post /v1/refunds ref-5 -d payment_intent="$pv")" = 400 ] && body '.error.code == "charge_not_refundable"' || fail "refund canceled"
ok "refunds: partial, the rest, then charge_already_refunded; over the rest: amount_too_large"

curl -sS "$url/fake/ledger" > "$tmp/ledger"
# Approved authorizations: k-visa, k-flaky, k-slow, k-void (k-bad's answer was cut, but the
# charge happened: exactly why the ledger exists).
jq -e '[.charges[].idempotency_key] | sort == ["k-bad","k-flaky","k-slow","k-visa","k-void"]' "$tmp/ledger" > /dev/null \
    || fail "ledger charges: $(jq -c '[.charges[].idempotency_key]' "$tmp/ledger")"
jq -e --arg pi "$pi" '(.charges[] | select(.payment_intent == $pi) | .amount_captured == 3000 and .amount_refunded == 3000)
      and .counters.replays >= 2 and .counters.idempotency_conflicts == 2 and .counters.declines == 3
      and .counters.flaky_failures == 2 and (.refunds | length) == 2' "$tmp/ledger" > /dev/null \
    || fail "ledger: $(jq -c .counters "$tmp/ledger")"
curl -sS -X POST "$url/fake/reset" > /dev/null
curl -sS "$url/fake/ledger" | jq -e '.charges == [] and .counters.requests == 0' > /dev/null || fail "reset"
ok "the ledger lists one charge per approved authorization by key and intent, with counters; reset empties it"

echo "$pass passed, 0 failed"
