#!/bin/bash
# api_limits.sh - the limits of docs/api.md ("Limits") that bound what a caller can make
# orderhub store, each at the limit and one past it, over the real daemon: returns and
# disputes per order, a return's skus (the order's SKUs, distinct, at most one per item
# line), reason and note lengths, parcels' members, new payment methods; pack's carrier (a configured carrier
# instance, else 422 naming "carrier"); Idempotency-Key scoped under a 63-character token
# name without truncation; and a placement the store cannot write (a file size limit on
# the daemon, like a full disk) answered without a state.
set -u
# shellcheck source=tests/api_common.sh
. "$top_srcdir/tests/api_common.sh"

# The limits, as core/api/api_limits.h sets them.
RETURNS=20 DISPUTES=5 ITEMS=100 TEXT=500 RESUBMITS=10
LONG_NAME=$(printf 'shop-%058d' 0)    # a token name of 63 characters, the most allowed
[ "${#LONG_NAME}" -eq 63 ] || fail "test bug: token name of ${#LONG_NAME}"
export LONG_TOKEN="long-name-api-token-0123456789ab"

start_remote
cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
engine = { track_poll_ms = 100; max_attempts = 2; backoff_base_ms = 10; backoff_max_ms = 50; };
api = {
  tokens = (
    { name = "ops";        role = "admin";      token = "env:ADMIN_TOKEN"; },
    { name = "shop";       role = "storefront"; token = "env:SHOP_TOKEN"; },
    { name = "seller-a";   role = "seller:s-A"; token = "env:SA_TOKEN"; },
    { name = "$LONG_NAME"; role = "storefront"; token = "env:LONG_TOKEN"; }
  );
};
plugins = (
  { id = "pay";     module = "payment_sandbox";
    settings = { base_url = "http://$remote/sandbox/payments"; api_key = "env:ORDERHUB_SANDBOX_KEY";
                 decline_token = "tok_decline"; }; },
  { id = "carrier"; module = "carrier_sandbox"; settings = { base_url = "http://$remote/sandbox/carrier"; }; }
);
routes = (
  { on = "order.placed";           chain = [ "pay" ]; },
  { on = "fulfillment.packed";     chain = [ "carrier" ]; },
  { on = "shipment.label_created"; chain = [ "pay" ]; }
);
CONF
start_daemon "$tmp/orderhub.conf" "$log"
S=$SHOP_TOKEN A=$SA_TOKEN X=$ADMIN_TOKEN L=$LONG_TOKEN

# ---- Idempotency-Key under the longest token name ------------------------------------------
k127=$(printf 'K%.0s' $(seq 127))
body=$(jq -c 'del(.id) | .seller.id = "s-idem-long"' "$sample")
post "$L" /v1/orders "$body" -H "Idempotency-Key: ${k127}A"
want 201 "a 128-character key under a 63-character token name"
id_a=$(jq -r .id "$tmp/body")
post "$L" /v1/orders "$body" -H "Idempotency-Key: ${k127}B"
want 201 "a second 128-character key differing in its last character"
id_b=$(jq -r .id "$tmp/body")
[ "$id_a" != "$id_b" ] || fail "two keys differing in their last character answered one order ($id_a)"
post "$L" /v1/orders "$body" -H "Idempotency-Key: ${k127}A"
want 201 "the first key again"
is ".id == \"$id_a\"" "the first key replays its own order"
call "$X" GET '/v1/orders?seller=s-idem-long'
is '(.orders | length) == 2' "two keys, two orders"
post "$L" /v1/orders "$body" -H "Idempotency-Key: ${k127}AB"
bad_field 400 Idempotency-Key "a 129-character key"
ok "Idempotency-Key: 128-character keys under a 63-character token name stay distinct (two orders); 129 is 400"

# ---- an order delivered, to take returns and disputes ----------------------------------------
many='.items = [range(0; 100) | {"sku": "SKU-\(.)", "quantity": 1, "unit_price": 10}] | del(.total)'
place "$S" lim-1 s-A "$many"
place "$S" lim-2 s-A
wait_state lim-1 awaiting_shipment
wait_state lim-2 awaiting_shipment

# ---- pack: the carrier must be a configured carrier instance -------------------------------------
call "$A" POST /v1/orders/lim-1/ack
want 200 "ack"
for c in pay nosuch; do
    post "$A" /v1/orders/lim-1/pack "{\"parcels\": [{\"weight_g\": 900}], \"carrier\": \"$c\"}"
    bad_field 422 carrier "pack with carrier \"$c\""
    is '.error | test("not a carrier instance")' "the carrier refusal says why"
done
post "$A" /v1/orders/lim-1/pack '{"parcels": [{"weight_g": 900}], "carrier": "no carrier"}'
bad_field 400 carrier "pack with a carrier that is no instance id"
post "$A" /v1/orders/lim-1/ship '{"parcels": [{"weight_g": 900}], "carrier": "pay"}'
bad_field 422 carrier "ship with carrier \"pay\""
post "$A" /v1/orders/lim-1/pack '{"parcels": [{"weight_g": 900, "colour": "red"}]}'
bad_field 400 "parcels[0].colour" "a parcel with an unknown member"
call "$X" GET /v1/orders/lim-1
is '.state == "awaiting_shipment" and (has("fulfillment") | not)' "refused packs changed nothing"
post "$A" /v1/orders/lim-1/pack '{"parcels": [{"weight_g": 900}], "carrier": "carrier"}'
want 200 "pack with the configured carrier"
wait_for_jq lim-1 '.state == "delivered" or .state == "completed"' "delivery"
ok "pack: carrier \"pay\" (a payment instance) and \"nosuch\" are 422 naming carrier, nothing changes; the configured carrier delivers"

# ---- free text: reason and note ----------------------------------------------------------------
at=$(printf 'é%.0s' $(seq $TEXT))     # characters, not bytes: 1000 bytes
over="${at}x"
post "$A" /v1/orders/lim-2/ack "{\"note\": \"$over\"}"
bad_field 400 note "a note of $((TEXT + 1)) characters"
post "$A" /v1/orders/lim-2/ack '{"note": {"a": 1}}'
bad_field 400 note "a note that is no string"
post "$A" /v1/orders/lim-2/ack "{\"note\": \"$at\"}"
want 200 "a note of $TEXT characters"
post "$S" /v1/orders/lim-2/cancel "{\"reason\": \"$over\"}"
bad_field 400 reason "a cancel reason of $((TEXT + 1)) characters"
post "$S" /v1/orders/lim-2/cancel '{"reason": ["a", "b"]}'
bad_field 400 reason "a cancel reason that is no string"
post "$S" /v1/orders/lim-2/cancel "{\"reason\": \"$at\"}"
want 200 "a cancel reason of $TEXT characters"
ok "reason and note: $TEXT characters pass, $((TEXT + 1)) or a non-string are 400 naming the field"

# ---- a return's skus ---------------------------------------------------------------------------
all_skus=$(jq -c -n '[range(0; 100) | "SKU-\(.)"]')
post "$S" /v1/orders/lim-1/returns "{\"skus\": $(jq -c '. + ["SKU-0"]' <<< "$all_skus")}"
bad_field 400 skus "$((ITEMS + 1)) skus"
post "$S" /v1/orders/lim-1/returns '{"skus": ["SKU-1", "SKU-2", "SKU-1"]}'
bad_field 400 "skus[2]" "a repeated sku"
post "$S" /v1/orders/lim-1/returns '{"skus": ["SKU-1", "MUG-BLUE-12OZ"]}'
bad_field 422 "skus[1]" "a sku of no item of the order"
post "$S" /v1/orders/lim-1/returns '{"skus": ["SKU-1", 7]}'
bad_field 400 "skus[1]" "a sku that is no string"
post "$S" /v1/orders/lim-1/returns '{"skus": []}'
bad_field 400 skus "no skus"
post "$S" /v1/orders/lim-1/returns '{"skus": "SKU-1"}'
bad_field 400 skus "skus that are no array"
post "$S" /v1/orders/lim-1/returns "{\"reason\": \"$over\"}"
bad_field 400 reason "a return reason of $((TEXT + 1)) characters"
call "$X" GET /v1/orders/lim-1
is 'has("returns") | not' "refused returns stored nothing"
post "$S" /v1/orders/lim-1/returns "{\"reason\": \"$at\", \"skus\": $all_skus}"
want 201 "a return naming all $ITEMS skus, reason of $TEXT characters"
ok "a return's skus: $ITEMS distinct SKUs of the order pass; $((ITEMS + 1)), a repeat, a foreign SKU, a non-string, none are refused naming the element"

# ---- returns and disputes per order --------------------------------------------------------------
for i in $(seq 2 $RETURNS); do
    post "$S" /v1/orders/lim-1/returns "{\"reason\": \"r$i\", \"skus\": [\"SKU-$i\"]}"
    want 201 "return $i of $RETURNS"
done
post "$S" /v1/orders/lim-1/returns '{"reason": "one more", "skus": ["SKU-1"]}'
want 409 "return $((RETURNS + 1))"
is "(.error | test(\"$RETURNS returns\")) and (.state == \"delivered\" or .state == \"completed\")" "the returns limit answer"
for i in $(seq $DISPUTES); do
    post "$S" /v1/orders/lim-1/disputes "{\"reason\": \"d$i\"}"
    want 201 "dispute $i of $DISPUTES"
done
post "$S" /v1/orders/lim-1/disputes '{"reason": "one more"}'
want 409 "dispute $((DISPUTES + 1))"
is "(.error | test(\"$DISPUTES disputes\")) and (.state == \"delivered\" or .state == \"completed\")" "the disputes limit answer"
call "$X" GET /v1/orders/lim-1
is "(.returns | length) == $RETURNS and (.disputes | length) == $DISPUTES" "counts in the snapshot"
ok "per order: $RETURNS returns and $DISPUTES disputes pass, one more of each is 409 with the state"

# ---- new payment methods after declines ------------------------------------------------------
place "$S" lim-3 s-A '.payment.token = "tok_decline"'
wait_state lim-3 payment_failed
for i in $(seq $RESUBMITS); do
    post "$S" /v1/orders/lim-3/payment '{"token": "tok_decline"}'
    want 200 "new payment method $i of $RESUBMITS"
    wait_state lim-3 payment_failed
done
post "$S" /v1/orders/lim-3/payment '{"token": "tok_visa_4242"}'
want 409 "new payment method $((RESUBMITS + 1))"
is "(.error | test(\"$RESUBMITS times\")) and .state == \"payment_failed\"" "the resubmission limit answer"
ok "payment: $RESUBMITS new payment methods after declines pass, one more is 409 with the state"

kill -TERM "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null

# ---- a placement the store cannot write ------------------------------------------------------------
# The daemon's files may not grow past 200 KiB (RLIMIT_FSIZE; SIGXFSZ ignored so writes
# fail with EFBIG instead of killing it): a few placements fill the write-ahead log, then
# a commit fails as on a full disk.  The log goes through a pipe, outside the limit.
log="$tmp/log-full"
cat > "$tmp/full.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/full.db"; };
api = {
  $TOKENS
};
CONF
( trap '' XFSZ; ulimit -f 200 && exec "$daemon" -c "$tmp/full.conf" ) 2> >(cat > "$log") &
pids+=($!)
wait_daemon "$log"
stored=0
for i in $(seq 100); do
    post "$S" /v1/orders "$(order_json "full-$i" s-full '.description = ("x" * 500)')"
    [ "$code" = 201 ] || break
    stored=$i
done
want 503 "a placement the store could not write (after $stored stored)"
failed="full-$((stored + 1))"
is '(.error | test("not accepted")) and (has("state") | not)' "the answer to an order that was not stored"
call "$S" GET "/v1/orders/$failed"
want 404 "the order that was not accepted"
ok "a placement the store cannot write ($failed): 503 saying it was not accepted, no state; the order does not exist"

echo "$pass passed, 0 failed"
