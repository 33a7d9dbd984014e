#!/bin/bash
# api.sh - the HTTP API (docs/api.md) over loopback against the real orderhubd and the sandbox
# remote, with curl and jq: health and metrics; placement (201, generated id, every class of
# invalid field, bad JSON, duplicate keys, nesting, 64 KiB, 409, 405, 403); Idempotency-Key
# (replay, conflict, bad key, scope per token, two at once); reads with the payment token
# masked; visibility (seller, storefront, support: 404, never 403); listing (filters, limit
# bounds, cursor paging, garbage cursor); every action (ack, pack, ship, cancel, payment
# after a decline, the returns flow to refunded, disputes) with its 400/403/404/409 answers;
# admin (plugins, a dead letter made and replayed, non-admin 404); and, in a second daemon,
# 401 answers and the failed-attempt limit (429).
set -u
: "${top_srcdir:?}"
# shellcheck source=tests/api_common.sh
. "$top_srcdir/tests/api_common.sh"
start_remote

# "deadpay" points at a port where nothing listens: EUR orders dead-letter its authorization
# after max_attempts = 2.
cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
engine = { track_poll_ms = 100; max_attempts = 2; backoff_base_ms = 10; backoff_max_ms = 50; };
api = {
  $TOKENS
};
plugins = (
  { id = "pay";     module = "payment_sandbox";
    settings = { base_url = "http://$remote/sandbox/payments"; api_key = "env:ORDERHUB_SANDBOX_KEY";
                 decline_over = 100000; decline_token = "tok_decline";
                 webhook_secret = "env:WH_SECRET"; }; },
  { id = "carrier"; module = "carrier_sandbox"; settings = { base_url = "http://$remote/sandbox/carrier"; }; },
  { id = "deadpay"; module = "payment_sandbox";
    settings = { base_url = "http://127.0.0.1:1/sandbox/payments"; api_key = "env:ORDERHUB_SANDBOX_KEY"; }; }
);
routes = (
  { on = "order.placed";           when = { currency = "USD"; }; chain = [ "pay" ]; },
  { on = "order.placed";           when = { currency = "EUR"; }; chain = [ "deadpay" ]; },
  { on = "order.acknowledged";     chain = [ "carrier" ]; },
  { on = "fulfillment.packed";     chain = [ "carrier" ]; },
  { on = "shipment.label_created"; chain = [ "pay" ]; },
  { on = "return.approved";        chain = [ "carrier" ]; },
  { on = "return.inspected";       chain = [ "pay" ]; },
  { on = "dispute.resolved";       chain = [ "pay" ]; }
);
CONF
start_daemon "$tmp/orderhub.conf" "$log"
t0=$(( $(date +%s) * 1000 - 1000 ))

A=$SA_TOKEN B=$SB_TOKEN S=$SHOP_TOKEN O=$OTHER_TOKEN D=$DESK_TOKEN X=$ADMIN_TOKEN

# ---- health, metrics, unknown paths ---------------------------------------------------------
call "" GET /healthz
want 200 "/healthz"
is '. == {"status": "ok"}' "/healthz"
call "" GET /nope
want 404 "a path outside /v1"
call "$X" GET /v1/nope
want 404 "an unknown /v1 path"
ok "/healthz answers {\"status\":\"ok\"} without a token; unknown paths 404"

# ---- placement -------------------------------------------------------------------------------
place "$S" api-a1 s-A
is '.id == "api-a1" and .state == "awaiting_payment" and (keys | sort) == ["id", "state"]' "201 body"
grep -qi '^Content-Type: application/json' "$tmp/hdr" || fail "no JSON content type"
place "$S" - s-A
is '(.id | test("^ord_[0-9a-f]{16}$")) and .state == "awaiting_payment"' "generated id"
gen_id=$(jq -r .id "$tmp/body")
call "$S" GET "/v1/orders/$gen_id"
want 200 "reading the generated id"
is ".id == \"$gen_id\" and .created_by == \"shop\"" "generated order readable"
post "$S" /v1/orders "$(order_json api-a1 s-A)"
want 409 "placing an existing id"
# The order may belong to someone else: its state is not revealed.
is '.state == null and (.error | test("exists"))' "409 names the conflict, not the state"
ok "POST /v1/orders: 201 {id, state}; an id is generated when absent; an existing id is 409 with its state"

# every class of invalid field: expected status, field name, the jq filter making it invalid
# (422: well-formed but impossible).
while IFS='|' read -r status field filter; do
    post "$S" /v1/orders "$(order_json api-bad s-A "$filter")"
    bad_field "$status" "$field" "invalid $field ($filter)"
done <<'CASES'
400|id|.id = "bad id!"
400|id|.id = "x123456789012345678901234567890123456789012345678901234567890123"
400|id|.id = 42
400|seller.id|.seller.id = "s A"
400|seller.id|.seller.id = ""
400|seller|del(.seller)
400|currency|.currency = "usd"
400|currency|.currency = "US"
400|currency|del(.currency)
400|items|.items = []
400|items|del(.items)
400|items[0]|.items[0] = 7
400|items[0].sku|.items[0].sku = ""
400|items[0].quantity|.items[0].quantity = 0
400|items[0].quantity|.items[0].quantity = 10001
400|items[1].unit_price|.items[1].unit_price = -1
400|items[0].unit_price|.items[0].unit_price = 14.5
400|items[0].unit_price|.items[0].unit_price = "1450"
422|total|.total = 3798
422|currency|.currency = "XXQ"
422|shipping_address.postal_code|.shipping_address.postal_code = "ABCDE"
400|total|.total = "3799"
400|payment.token|.payment.token = ""
400|payment.token|.payment = {}
400|shipping_address.country|.shipping_address.country = "usa"
400|shipping_address.country|.shipping_address.country = "us"
400|state|.state = "completed"
400|created_by|.created_by = "other-shop"
400|_engine|._engine = {}
400|acknowledged|.acknowledged = true
400|returns|.returns = {}
400|disputes|.disputes = {}
400|shipment|.shipment = {}
400|fulfillment|.fulfillment = {"parcels": []}
400|notes|.notes = "an unknown member"
CASES
call "$S" GET /v1/orders/api-bad
want 404 "an invalid order was stored"
ok "POST /v1/orders: 400 (malformed) or 422 (impossible) naming the field, 35 cases; nothing stored"

post "$S" /v1/orders '{"id": "x", "items": [1,}'
want 400 "invalid JSON"
is '.error | test("JSON")' "invalid JSON message"
post "$S" /v1/orders '[1, 2]'
want 400 "a JSON array body"
call "$S" POST /v1/orders
want 400 "an empty body"
post "$S" /v1/orders '{"id": "dup-1", "id": "dup-2"}'
want 400 "duplicate keys"
is '.error | test("duplicate")' "duplicate keys message"
nest() { printf '%*s' "$1" '' | tr ' ' '['; printf '%*s' "$1" '' | tr ' ' ']'; }
# 64 levels parse (the order is then refused for its unknown member), 65 do not
post "$S" /v1/orders "$(order_json api-deep64 s-A ". + {notes: $(nest 63)}")"
case $code in 201) ;; 400) is '.field == "notes"' "nesting of 64 levels parses" ;; *) want 400 "64 levels" ;; esac
post "$S" /v1/orders "$(order_json api-deep65 s-A ". + {notes: $(nest 64)}")"
want 400 "nesting of 65 levels"
is '(.error | test("deeper than 64")) and .field == null' "nesting message"
ok "POST /v1/orders: 400 for invalid JSON, a non-object, no body, duplicate keys, nesting over 64 (64 passes)"

# a body of exactly 64 KiB passes (padded with JSON whitespace); one byte more is 413
order_json api-big s-A > "$tmp/big.json"
pad=$(( 65536 - $(stat -c %s "$tmp/big.json") ))
head -c "$pad" /dev/zero | tr '\0' ' ' >> "$tmp/big.json"
[ "$(stat -c %s "$tmp/big.json")" -eq 65536 ] || fail "padding"
call "$S" POST /v1/orders -H 'Content-Type: application/json' --data-binary @"$tmp/big.json"
want 201 "a body of exactly 64 KiB"
printf ' ' >> "$tmp/big.json"
call "$S" POST /v1/orders -H 'Content-Type: application/json' --data-binary @"$tmp/big.json"
want 413 "a body of 64 KiB + 1"
is '.error | type == "string"' "413 body"
head -c 200000 /dev/zero | tr '\0' ' ' > "$tmp/huge.json"
call "$S" POST /v1/orders -H 'Content-Type: application/json' --data-binary @"$tmp/huge.json"
want 413 "a body of 200 kB"
ok "POST /v1/orders: a body of 64 KiB is read, 64 KiB + 1 and more answer 413"

call "$S" PUT /v1/orders -H 'Content-Type: application/json' --data-binary "$(order_json api-put s-A)"
want 405 "PUT /v1/orders"
call "$S" DELETE /v1/orders/api-a1
want 405 "DELETE /v1/orders/{id}"
post "$A" /v1/orders "$(order_json api-by-seller s-A)"
want 403 "a seller token placing"
post "$D" /v1/orders "$(order_json api-by-support s-A)"
want 403 "a support token placing"
place "$X" api-by-admin s-B
ok "POST /v1/orders: 405 for PUT/DELETE, 403 for seller and support tokens, 201 for admin"

# ---- Idempotency-Key -------------------------------------------------------------------------
body1=$(order_json - s-idem)
post "$S" /v1/orders "$body1" -H 'Idempotency-Key: cart-8812-checkout'
want 201 "first keyed placement"
cp "$tmp/body" "$tmp/idem1"
idem_id=$(jq -r .id "$tmp/idem1")
post "$S" /v1/orders "$body1" -H 'Idempotency-Key: cart-8812-checkout'
want 201 "the same key and body again"
jq -e -n --slurpfile a "$tmp/idem1" --slurpfile b "$tmp/body" '$a == $b' > /dev/null \
    || fail "the same key answered another body: $(cat "$tmp/idem1") vs $(cat "$tmp/body")"
call "$X" GET '/v1/orders?seller=s-idem'
want 200 "listing s-idem"
is "(.orders | length) == 1 and .orders[0].id == \"$idem_id\"" "one order for one key"
call "$X" GET "/v1/orders/$idem_id/events"
is '[.events[] | select(.name == "order.placed")] | length == 1' "one order.placed in the ledger"
post "$S" /v1/orders "$(order_json - s-idem '.currency = "USD" | .items[0].quantity = 3 | del(.total)')" \
    -H 'Idempotency-Key: cart-8812-checkout'
want 409 "the same key with another body"
post "$S" /v1/orders "$body1" -H 'Idempotency-Key: cart 8812'
bad_field 400 Idempotency-Key "a key with a space"
post "$S" /v1/orders "$body1" -H "Idempotency-Key: $(printf 'k%.0s' $(seq 129))"
bad_field 400 Idempotency-Key "a key of 129 characters"
post "$S" /v1/orders "$(order_json - s-idem128)" -H "Idempotency-Key: $(printf 'k%.0s' $(seq 128))"
want 201 "a key of 128 characters"
post "$O" /v1/orders "$body1" -H 'Idempotency-Key: cart-8812-checkout'
want 201 "the same key from another storefront token"
is ".id != \"$idem_id\"" "another token's key is its own"
call "$X" GET '/v1/orders?seller=s-idem'
is '(.orders | length) == 2' "two orders, one per token"
ok "Idempotency-Key: same key+body answers the same (one order, one order.placed); another body 409; bad keys 400; scoped per token"

# two requests with one key at once: one order, both answers name it
body2=$(order_json - s-idem-race)
racers=()
for i in 1 2 3; do
    curl -sS --max-time 20 -o "$tmp/race$i" -w '%{http_code}' -X POST \
        -H "Authorization: Bearer $S" -H 'Idempotency-Key: race-key' \
        -H 'Content-Type: application/json' --data-binary "$body2" "$base/v1/orders" \
        > "$tmp/race$i.code" &
    racers+=($!)
done
wait "${racers[@]}"
for i in 1 2 3; do
    [ "$(cat "$tmp/race$i.code")" = 201 ] || fail "concurrent keyed placement $i: $(cat "$tmp/race$i.code") $(cat "$tmp/race$i")"
done
call "$X" GET '/v1/orders?seller=s-idem-race'
is '(.orders | length) == 1' "concurrent keyed placements made one order"
# A request that lost the race answers the recorded answer: the one order's id, byte for byte.
race_id=$(jq -r '.orders[0].id' "$tmp/body")
for i in 1 2 3; do
    jq -e --arg id "$race_id" '.id == $id' "$tmp/race$i" > /dev/null \
        || fail "concurrent keyed placement $i answered id $(jq -r .id "$tmp/race$i"), the order is $race_id"
done
cmp -s "$tmp/race1" "$tmp/race2" && cmp -s "$tmp/race1" "$tmp/race3" \
    || fail "concurrent keyed placements answered different bodies"
ok "Idempotency-Key: three requests with one key at once make one order, all answered 201"

# ---- reads and visibility --------------------------------------------------------------------
wait_state api-a1 awaiting_shipment
call "$S" GET /v1/orders/api-a1
want 200 "the creator reads its order"
is '.id == "api-a1" and .state == "awaiting_shipment" and .created_by == "shop"
    and .payment.token == "***4242" and (.payment.transaction_id | startswith("sbx_"))
    and .payment.instance == "pay" and (has("_engine") | not) and .seller.id == "s-A"
    and .total == 3799 and (.items | length) == 2' "snapshot shape"
grep -q tok_visa "$tmp/body" && fail "the payment token shown unmasked"
call "$S" GET /v1/orders/api-a1/events
want 200 "events"
is '.order_id == "api-a1" and .events[0].name == "order.placed"
    and ([.events[].seq] == ([.events[].seq] | sort)) and (.events[0].at_ms | type) == "number"
    and ([.events[].name] | index("payment.authorized")) != null
    and (.events[0].data.state == "placed")' "events shape"
grep -q tok_visa "$tmp/body" && fail "the payment token in the events"
ok "GET /v1/orders/{id}: the snapshot, payment token masked, no _engine; /events oldest first"

call "$S" GET /v1/orders/no-such-order
want 404 "an unknown order"
cp "$tmp/body" "$tmp/absent"
call "$S" GET /v1/orders/no-such-order/events
want 404 "events of an unknown order"
call "$S" GET '/v1/orders/bad%20id'
want 404 "an id with a space"
for who in B O; do
    tok=${!who}
    call "$tok" GET /v1/orders/api-a1
    want 404 "$who reading api-a1"
    cmp -s "$tmp/body" "$tmp/absent" || fail "$who: the answer differs from an absent order's"
    call "$tok" GET /v1/orders/api-a1/events
    want 404 "$who reading api-a1's events"
    for act in ack pack ship cancel payment returns disputes returns/ret-1/approve \
               disputes/dis-1/resolve; do
        post "$tok" "/v1/orders/api-a1/$act" '{}'
        want 404 "$who: $act on an order it cannot see"
        cmp -s "$tmp/body" "$tmp/absent" || fail "$who: $act answer differs from an absent order's"
    done
done
call "$B" GET '/v1/orders?seller=s-A'
want 200 "seller B listing seller A"
is '.orders == [] and .next_cursor == null' "seller B sees none of seller A's"
call "$B" GET /v1/orders
is '[.orders[].seller_id] | all(. == "s-B")' "seller B lists its own only"
call "$O" GET /v1/orders
is '[.orders[].id] | index("api-a1") == null' "other-shop lists none of shop's"
call "$D" GET /v1/orders/api-a1
want 200 "support reads any order"
call "$D" GET /v1/orders/api-a1/events
want 200 "support reads any order's events"
call "$D" GET '/v1/orders?limit=200'
is '[.orders[].id] | (index("api-a1") != null and index("api-by-admin") != null)' "support lists all"
ok "visibility: another seller or storefront gets 404 (the absent order's answer) on read, events, every action; lists exclude; support sees all"

# ---- actions: ack, pack, ship, cancel --------------------------------------------------------
post "$S" /v1/orders/api-a1/ack ''
want 403 "a storefront acknowledging"
is '.error | type == "string"' "403 body"
post "$A" /v1/orders/api-a1/pack '{"parcels": [{"weight_g": 950}]}'
want 409 "pack before ack"
is '.state == "awaiting_shipment" and (.error | test("acknowledged"))' "409 body"
post "$A" /v1/orders/api-a1/frobnicate '{}'
want 404 "an unknown action"
post "$A" /v1/orders/api-a1/returns/ret-1/frobnicate '{}'
want 404 "an unknown return step"
call "$A" GET /v1/orders/api-a1/ack
want 404 "GET on an action"
call "$A" PUT /v1/orders/api-a1/ack
want 405 "PUT on an action"
call "$A" POST /v1/orders/api-a1/ack
want 200 "ack"
is '. == {"state": "awaiting_shipment"}' "ack answer"
call "$A" POST /v1/orders/api-a1/ack
want 409 "ack twice"
is '.state == "awaiting_shipment"' "ack twice: state"
while IFS='|' read -r field body; do
    post "$A" /v1/orders/api-a1/pack "$body"
    bad_field 400 "$field" "pack $body"
done <<'CASES'
parcels[0].weight_g|{"parcels": [{"weight_g": 0}]}
parcels[0].weight_g|{"parcels": [{"length_mm": 10}]}
parcels[0].weight_g|{"parcels": [{"weight_g": "950"}]}
parcels[1].length_mm|{"parcels": [{"weight_g": 1}, {"weight_g": 1, "length_mm": -1}]}
parcels[0].height_mm|{"parcels": [{"weight_g": 1, "height_mm": 1000001}]}
parcels|{"parcels": "950"}
parcels|{"parcels": [{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1},{"weight_g":1}]}
CASES
post "$A" /v1/orders/api-a1/pack '{"parcels": ['
want 400 "pack with invalid JSON"
post "$A" /v1/orders/api-a1/pack '[]'
want 400 "pack with a non-object body"
post "$A" /v1/orders/api-a1/pack '{"parcels": [{"weight_g": 950, "length_mm": 250, "width_mm": 200, "height_mm": 120}]}'
want 200 "pack"
is '. == {"state": "awaiting_collection"}' "pack answer"
ok "ack (seller), pack with parcels: 403 wrong role, 409 with state, 404 unknown action, 405, 400 naming parcels[i].field"

wait_state api-a1 completed
call "$A" GET /v1/orders/api-a1
is '.acknowledged == true and .fulfillment.parcels[0].weight_g == 950
    and .shipment.carrier == "carrier" and (.shipment.tracking_number | startswith("SBX"))
    and .shipment.status == "delivered" and (.shipment.last_scan.text | type) == "string"' \
    "snapshot after delivery"
post "$S" /v1/orders/api-a1/cancel '{}'
want 409 "cancel after delivery"
is '.state == "completed"' "cancel after delivery: state"
ok "the sandbox journey delivers; the snapshot has acknowledged, fulfillment, shipment; cancel then is 409"

call "$A" GET /v1/orders/api-a1
is '.shipment.documents == [{"name": "label", "mime_type": "application/zpl", "bytes": (.shipment.documents[0].bytes)}]
    and .shipment.documents[0].bytes > 0' "the snapshot lists the label document"
call "$A" GET /v1/orders/api-a1/documents/label
want 200 "label download"
grep -qi '^Content-Type: application/zpl' "$tmp/hdr" || fail "label MIME type"
grep -qi '^Content-Disposition: attachment' "$tmp/hdr" || fail "label not an attachment"
grep -q "^^XA.*$(jq -r .shipment.tracking_number < <(curl -sS -H "Authorization: Bearer $A" "$base/v1/orders/api-a1"))" \
    "$tmp/body" || fail "label content does not carry the tracking number"
call "$B" GET /v1/orders/api-a1/documents/label
want 404 "seller B downloads seller A's label"
call "$A" GET /v1/orders/api-a1/documents/customs
want 404 "a document that was not made"
call "$A" GET "/v1/orders/api-a1/documents/..%2Fetc"
want 404 "a document name that is no id"
ok "the label is stored with the shipment and downloadable by those who see the order only"

# Rate shopping: quotes at acknowledgement, the cheapest service meeting the order's level
# is the label's (sandbox tariff for 1 kg: economy 600, ground/standard 899, express 1899).
place "$S" api-rate-std s-A
place "$S" api-rate-exp s-A '.service_level = "express"'
for id in api-rate-std api-rate-exp; do
    wait_state "$id" awaiting_shipment
    call "$A" POST "/v1/orders/$id/ack"
    want 200 "ack $id"
done
wait_for_jq api-rate-std '.quotes.carrier.chosen.service == "ground"' "standard order's quote"
wait_for_jq api-rate-exp '.quotes.carrier.chosen.service == "express"' "express order's quote"
call "$A" GET /v1/orders/api-rate-std
is '(.quotes.carrier.rates | length) == 3 and .quotes.carrier.requested_level == "standard"
    and .quotes.carrier.chosen == {"service": "ground", "service_level": "standard",
                                   "amount": 899, "currency": "USD"}' "standard quote"
for id in api-rate-std api-rate-exp; do
    post "$A" "/v1/orders/$id/pack" '{"parcels": [{"weight_g": 500}]}'
    want 200 "pack $id"
done
wait_for_jq api-rate-std '.shipment.service == "ground"' "standard label service"
wait_for_jq api-rate-exp '.shipment.service == "express"' "express label service"
ok "rate shopping: quotes kept per carrier; the cheapest service meeting the level is the label's"

# International: the label carries a customs declaration built from the items.
place "$S" api-intl s-A '.shipping_address = {"name": "Grace Hopper", "street1": "1 Rideau St",
    "city": "Ottawa", "region": "ON", "postal_code": "K1N 8S7", "country": "CA"}
    | .items[0] += {"hs_code": "6912.00", "origin_country": "CN", "weight_g": 350}'
post "$S" /v1/orders "$(order_json api-bad-hs s-A '.items[0].hs_code = "69-12"')"
bad_field 400 "items[0].hs_code" "an HS code with a dash"
post "$S" /v1/orders "$(order_json api-bad-origin s-A '.items[0].origin_country = "XX"')"
bad_field 400 "items[0].origin_country" "an unknown origin country"
wait_state api-intl awaiting_shipment
call "$A" POST /v1/orders/api-intl/ack
post "$A" /v1/orders/api-intl/pack '{"parcels": [{"weight_g": 900}], "service_level": "express"}'
want 200 "pack international"
wait_for_jq api-intl '.shipment.tracking_number != null' "international label"
call "$A" GET /v1/orders/api-intl
is '[.shipment.documents[].name] == ["label", "customs"] and .fulfillment.service_level == "express"' \
    "international documents"
call "$A" GET /v1/orders/api-intl/documents/customs
want 200 "customs download"
grep -q "CN23" "$tmp/body" || fail "customs document: $(head -c 300 "$tmp/body")"
grep -q "6912.00" "$tmp/body" || fail "customs document lacks the item's HS code"
ok "an international label carries the customs declaration (HS code, origin), stored and served"

# Scripted journeys through the public API alone: a marker in the order id or the ship-to
# name picks the sandbox carrier's journey (plugins/carrier/sandbox/README.md).
place "$S" api-journey-exception s-A
place "$S" api-j2 s-A '.shipping_address.name = "Ann journey-returned-to-sender"'
for id in api-journey-exception api-j2; do
    wait_state "$id" awaiting_shipment
    call "$A" POST "/v1/orders/$id/ack"
    want 200 "ack $id"
    post "$A" "/v1/orders/$id/pack" '{"parcels": [{"weight_g": 400}]}'
    want 200 "pack $id"
done
wait_for_jq api-journey-exception '.shipment.status == "exception" and .state == "in_transit"' \
    "exception journey"
wait_for_jq api-j2 '.shipment.status == "returned_to_sender"' "returned_to_sender journey"
call "$X" GET /v1/orders/api-j2/events
is '[.events[].name] | index("shipment.attempt_failed") != null
    and index("shipment.returned_to_sender") != null' "returned journey events"
ok "journeys by marker: order id -> exception (state kept in_transit), ship-to name -> returned_to_sender"

place "$S" api-a2 s-A
place "$S" api-a3 s-A
place "$S" api-a4 s-A
place "$S" api-a5 s-A
for id in api-a2 api-a3 api-a4 api-a5; do wait_state "$id" awaiting_shipment; done
call "$A" POST /v1/orders/api-a2/ack
want 200 "ack api-a2"
post "$A" /v1/orders/api-a2/ship '{"parcels": [{"weight_g": 100}]}'
want 200 "ship"
is '.state == "awaiting_collection"' "ship answer"
post "$A" /v1/orders/api-a2/ship '{"parcels": [{"weight_g": 100}]}'
want 409 "ship twice"
post "$S" /v1/orders/api-a3/cancel '{"reason": "changed my mind"}'
want 200 "storefront cancel"
is '. == {"state": "cancelled"}' "cancel answer"
post "$S" /v1/orders/api-a3/cancel '{}'
want 409 "cancel twice"
is '.state == "cancelled"' "cancel twice: state"
post "$A" /v1/orders/api-a4/cancel '{}'
want 200 "seller cancel"
post "$D" /v1/orders/api-a5/cancel '{}'
want 200 "support cancel"
call "$D" POST /v1/orders/api-a5/ack
want 403 "support acknowledging"
call "$X" GET /v1/orders/api-a3
is '.state == "cancelled" and .cancellation.reason == "changed my mind"' "cancellation in the snapshot"
ok "ship (as pack), cancel by storefront, seller and support; 409 on a second cancel or ship"

# ---- payment after a decline -----------------------------------------------------------------
place "$S" api-d1 s-A '.payment.token = "tok_decline"'
place "$S" api-d2 s-A '.items[0].quantity = 100 | del(.total)'
wait_state api-d1 payment_failed
wait_state api-d2 payment_failed
post "$A" /v1/orders/api-d1/payment '{"token": "tok_visa_4242"}'
want 403 "a seller replacing the payment method"
post "$S" /v1/orders/api-d1/payment '{}'
bad_field 400 token "payment without a token"
post "$S" /v1/orders/api-d1/payment '{"token": ""}'
bad_field 400 token "payment with an empty token"
post "$S" /v1/orders/api-d1/payment '{"token": "tok_visa_4242"}'
want 200 "payment after a decline (by token)"
is '. == {"state": "awaiting_payment"}' "payment answer"
wait_state api-d1 awaiting_shipment
call "$S" GET /v1/orders/api-d1
is '.payment.token == "***4242" and (.payment.transaction_id | startswith("sbx_"))' "new method used"
post "$S" /v1/orders/api-d1/payment '{"token": "tok_visa_4242"}'
want 409 "payment when nothing was declined"
is '.state == "awaiting_shipment"' "payment 409 state"
post "$S" /v1/orders/api-d2/payment '{"token": "tok_visa_9999"}'
want 200 "payment after a decline (by amount)"
is '.state == "awaiting_payment"' "payment answer (amount)"
wait_for_jq api-d2 '.state == "payment_failed" and .payment.token == "***9999"' "declined again"
call "$S" GET /v1/orders/api-d2/events
is '[.events[] | select(.name == "payment.failed")] | length == 2' "two payment.failed"
ok "payment: 403 seller, 400 token; a decline by token then a good token is authorized; a decline by amount fails again (two payment.failed)"

# ---- returns ---------------------------------------------------------------------------------
post "$S" /v1/orders/api-d1/returns '{"reason": "early"}'
want 409 "a return before delivery"
post "$A" /v1/orders/api-a1/returns '{"reason": "chipped"}'
want 403 "a seller requesting a return"
post "$S" /v1/orders/api-a1/returns '{"reason": "chipped mug", "skus": ["MUG-BLUE-12OZ"]}'
want 201 "return request"
is '.state == "completed" and (.return_id | test("^ret-[0-9a-f]{8}$")) and (keys | sort) == ["return_id", "state"]' "return answer"
rid=$(jq -r .return_id "$tmp/body")
call "$S" POST "/v1/orders/api-a1/returns/$rid/approve"
want 403 "a storefront approving a return"
call "$A" POST /v1/orders/api-a1/returns/ret-nope/approve
want 409 "approving an unknown return"
is '.state == "completed"' "unknown return: state"
call "$A" POST "/v1/orders/api-a1/returns/$rid/received"
want 409 "received before approval"
call "$A" POST "/v1/orders/api-a1/returns/$rid/approve"
want 200 "return approve"
is '. == {"state": "completed"}' "approve answer"
wait_for_jq api-a1 ".returns[\"$rid\"].state == \"label_issued\"" "the return label"
call "$A" GET /v1/orders/api-a1
is ".returns[\"$rid\"] | .return_id == \"$rid\" and .reason == \"chipped mug\"
    and .skus == [\"MUG-BLUE-12OZ\"] and (.tracking_number | startswith(\"SBX\"))" "return in the snapshot"
post "$A" "/v1/orders/api-a1/returns/$rid/inspected" '{"outcome": "refund"}'
want 409 "inspected before received"
call "$A" POST "/v1/orders/api-a1/returns/$rid/received"
want 200 "return received"
post "$A" "/v1/orders/api-a1/returns/$rid/inspected" '{"outcome": "maybe"}'
bad_field 400 outcome "inspected with a bad outcome"
call "$A" POST "/v1/orders/api-a1/returns/$rid/inspected"
bad_field 400 outcome "inspected without an outcome"
post "$A" "/v1/orders/api-a1/returns/$rid/inspected" '{"outcome": "refund"}'
want 200 "return inspected"
wait_for_jq api-a1 ".returns[\"$rid\"].state == \"refunded\"" "the refund"
call "$A" GET /v1/orders/api-a1/events
is '[.events[].name] | (index("return.requested") != null and index("return.approved") != null
    and index("return.label_created") != null and index("return.received") != null
    and index("return.inspected") != null and index("return.refunded") != null
    and index("payment.refunded") != null)' "return events"
ok "returns: request 201 {state, return_id}; approve; the return label; received; inspected refund -> refunded; 403/409/400"

# ---- disputes --------------------------------------------------------------------------------
post "$A" /v1/orders/api-a1/disputes '{"reason": "late"}'
want 403 "a seller opening a dispute"
post "$S" /v1/orders/api-a1/disputes '{"reason": "late"}'
want 201 "dispute open"
is '.state == "completed" and (.dispute_id | test("^dis-[0-9a-f]{8}$"))' "dispute answer"
did=$(jq -r .dispute_id "$tmp/body")
post "$A" "/v1/orders/api-a1/disputes/$did/resolve" '{"resolution": "reject"}'
want 403 "a seller resolving"
post "$S" "/v1/orders/api-a1/disputes/$did/resolve" '{"resolution": "reject"}'
want 403 "a storefront resolving"
post "$D" "/v1/orders/api-a1/disputes/$did/resolve" '{"resolution": "maybe"}'
bad_field 400 resolution "a bad resolution"
post "$D" "/v1/orders/api-a1/disputes/$did/resolve" '{"resolution": "reject"}'
want 200 "support resolves"
is '. == {"state": "completed"}' "resolve answer"
post "$D" "/v1/orders/api-a1/disputes/$did/resolve" '{"resolution": "reject"}'
want 409 "resolving twice"
call "$D" GET /v1/orders/api-a1
is ".disputes[\"$did\"] | .dispute_id == \"$did\" and .state == \"resolved\" and .reason == \"late\"
    and .resolution == \"reject\"" "dispute in the snapshot"
post "$S" /v1/orders/api-d2/disputes '{"reason": "x"}'
want 409 "a dispute on an unpaid order"
is '.state == "payment_failed"' "dispute 409 state"
ok "disputes: open 201 {state, dispute_id} (storefront); resolve by support only (403 seller/storefront), 400, 409"

# ---- refunds bounded by what was paid ---------------------------------------------------------
# api-a1 ($37.99: two mugs at 14.50, a coaster at 8.99) had its mugs returned and refunded.
call "$D" GET /v1/orders/api-a1
is '.payment | .captured_total == 3799 and .refunded_total == 2900
    and .status == "partially_refunded"' "the mugs' return refunded their lines only"
post "$S" /v1/orders/api-a1/disputes '{"reason": "coaster chipped"}'
want 201 "a second dispute"
did2=$(jq -r .dispute_id "$tmp/body")
post "$D" "/v1/orders/api-a1/disputes/$did2/resolve" '{"resolution": "refund", "amount": 0}'
bad_field 400 amount "a zero amount"
post "$D" "/v1/orders/api-a1/disputes/$did2/resolve" '{"resolution": "reject", "amount": 100}'
bad_field 400 amount "an amount with a reject"
post "$D" "/v1/orders/api-a1/disputes/$did2/resolve" '{"resolution": "refund", "amount": 3799}'
want 409 "a refund beyond what remains"
is '.refundable == 899 and .state == "completed" and (.error | test("899"))' "409 names the refundable"
post "$D" "/v1/orders/api-a1/disputes/$did2/resolve" '{"resolution": "refund"}'
want 200 "the rest refunded"
wait_for_jq api-a1 '.payment.status == "refunded" and .payment.refunded_total == 3799' "all refunded"
ok "refunds: a return gives back its lines; a dispute's amount beyond what remains 409 {refundable}; the rest by default"

# ---- listing ---------------------------------------------------------------------------------
for i in 1 2 3 4 5 6 7; do place "$O" "api-p$i" s-page; done
for i in 1 2 3 4 5 6 7; do wait_state "api-p$i" awaiting_shipment; done
cursor="" seen=()
pages=0
while :; do
    call "$X" GET "/v1/orders?seller=s-page&limit=3${cursor:+&cursor=$cursor}"
    want 200 "listing page $pages"
    is '(.orders | length) <= 3 and ([.orders[] | [.updated_ms, .id]] == ([.orders[] | [.updated_ms, .id]] | sort | reverse))
        and (.orders | all(.seller_id == "s-page" and .state == "awaiting_shipment" and (.updated_ms | type) == "number"))' \
        "page order and shape"
    mapfile -t ids < <(jq -r '.orders[].id' "$tmp/body")
    seen+=("${ids[@]}")
    pages=$((pages + 1))
    cursor=$(jq -r '.next_cursor // empty' "$tmp/body")
    [ -z "$cursor" ] && break
    [ "$pages" -lt 10 ] || fail "paging does not end"
    cursor=$(jq -rn --arg c "$cursor" '$c | @uri')
done
[ "$pages" -eq 3 ] || fail "7 orders by 3 took $pages pages"
[ "${#seen[@]}" -eq 7 ] || fail "paging returned ${#seen[@]} rows for 7 orders"
[ "$(printf '%s\n' "${seen[@]}" | sort -u | wc -l)" -eq 7 ] || fail "paging repeated an order"
ok "listing: cursor paging over 7 orders by 3 returns each once, newest first, next_cursor null at the end"

call "$X" GET '/v1/orders?state=payment_failed'
is '(.orders | length) >= 1 and (.orders | all(.state == "payment_failed"))
    and ([.orders[].id] | index("api-d2") != null)' "state filter"
call "$X" GET "/v1/orders?since=$(( $(date +%s) * 1000 + 3600000 ))"
is '.orders == [] and .next_cursor == null' "since in the future"
call "$X" GET "/v1/orders?since=$t0&limit=200"
is '[.orders[].id] | index("api-a1") != null' "since the start"
call "$X" GET "/v1/orders?since=$t0&limit=200"
is "(.orders | all(.updated_ms >= $t0))" "since bound"
call "$A" GET /v1/orders
is '(.orders | length) >= 1 and (.orders | all(.seller_id == "s-A"))' "seller lists its own"
call "$O" GET '/v1/orders?limit=200'
is '(.orders | length) == 8 and (.orders | all(.id | test("^(api-p|ord_)")))' "other-shop lists its own"
call "$X" GET '/v1/orders?limit=1'
is '(.orders | length) == 1 and (.next_cursor | type) == "string"' "limit 1"
call "$X" GET '/v1/orders?limit=200'
want 200 "limit 200"
for q in limit=0 limit=201 limit=abc limit=-1 'limit=5x'; do
    call "$X" GET "/v1/orders?$q"
    bad_field 400 limit "$q"
done
for q in since=abc since=-1 'since=1.5'; do
    call "$X" GET "/v1/orders?$q"
    bad_field 400 since "$q"
done
for q in cursor=garbage 'cursor=123%3A' 'cursor=%3Aapi-p1' 'cursor=01%3Aapi-p1'; do
    call "$X" GET "/v1/orders?$q"
    bad_field 400 cursor "$q"
done
call "$X" GET '/v1/orders?seller=bad%20seller'
bad_field 400 seller "a bad seller filter"
call "$X" GET '/v1/orders?state=no_such_state'
is '.orders == []' "an unknown state filters everything out"
ok "listing: seller/state/since filters, limit 1..200 (0, 201, abc: 400), bad since/cursor/seller 400"

# Paid orders carry their ship-by deadline (72 h away here: none is late yet).
call "$X" GET '/v1/orders?sort=ship_by&limit=200'
is '(.orders | length) >= 1 and (.orders | all(.ship_by_ms | type == "number"))
    and ([.orders[].ship_by_ms] == ([.orders[].ship_by_ms] | sort))' "sorted by deadline"
call "$X" GET '/v1/orders?late=1&sort=ship_by'
is '.orders == [] and .next_cursor == null' "nothing late yet"
call "$X" GET '/v1/orders?late=0&sort=updated&limit=1'
want 200 "late=0, sort=updated"
for q in late=yes late=2 sort=deadline 'sort='; do
    call "$X" GET "/v1/orders?$q"
    bad_field 400 "${q%%=*}" "$q"
done
ok "listing: sort=ship_by (earliest deadline first), late=1, bad late/sort 400"

# ---- admin -----------------------------------------------------------------------------------
call "$X" GET /v1/plugins
want 200 "plugins"
is '(.plugins | length) == 3 and (.plugins | map(.id) | sort) == ["carrier", "deadpay", "pay"]
    and (.plugins | all((.abi | type) == "string" and (.abi | test("^1\\.[0-9]+$"))
                        and (.version | type) == "string"))
    and (.plugins[] | select(.id == "pay") | .module == "payment_sandbox" and .kind == "payment")
    and (.plugins[] | select(.id == "carrier") | .kind == "carrier")' "plugins shape"
ok "GET /v1/plugins lists the instances with module, kind, version and abi (a string)"

place "$S" api-e1 s-A '.currency = "EUR"'
for _ in $(seq 200); do
    call "$X" GET /v1/dead-letters
    jq -e '.dead_letters | any(.order_id == "api-e1")' "$tmp/body" > /dev/null 2>&1 && break
    sleep 0.1
done
want 200 "dead letters"
is '.dead_letters[] | select(.order_id == "api-e1") | (.id | type) == "number"
    and .instance == "deadpay" and .operation == "authorize" and .attempts == 2
    and (.last_error | length) > 0' "the dead letter"
dl=$(jq -r '.dead_letters[] | select(.order_id == "api-e1") | .id' "$tmp/body")
[ "$(grep -c 'api-e1: deadpay/authorize gave up after 2' "$log")" -eq 1 ] || fail "first death not logged"
call "$X" POST "/v1/dead-letters/$dl/replay"
want 200 "replay"
is ". == {\"id\": $dl, \"status\": \"pending\"}" "replay answer"
for _ in $(seq 200); do
    [ "$(grep -c 'api-e1: deadpay/authorize gave up after 2' "$log")" -ge 2 ] && break
    sleep 0.1
done
[ "$(grep -c 'api-e1: deadpay/authorize gave up after 2' "$log")" -eq 2 ] || fail "the replayed action did not die again after 2 attempts"
[ "$(grep -c 'api-e1: deadpay/authorize attempt 1 failed, retrying' "$log")" -eq 2 ] || fail "attempts not reset by the replay"
call "$X" GET /v1/dead-letters
is ".dead_letters[] | select(.id == $dl) | .attempts == 2 and .order_id == \"api-e1\"" "dead again"
call "$X" GET /v1/orders/api-e1
is '.state == "awaiting_payment"' "the order waits"
for id in 999999 0 -1 abc "$dl/x"; do
    call "$X" POST "/v1/dead-letters/$id/replay"
    want 404 "replay of '$id'"
done
call "$X" GET "/v1/dead-letters/$dl/replay"
want 404 "GET on replay"
call "$X" POST /v1/plugins
want 404 "POST /v1/plugins"
for who in D S O A; do
    tok=${!who}
    call "$tok" GET /v1/dead-letters
    want 404 "$who: dead letters"
    call "$tok" GET /v1/plugins
    want 404 "$who: plugins"
    call "$tok" POST "/v1/dead-letters/$dl/replay"
    want 404 "$who: replay"
done
ok "dead letters: integer ids; replay 200 {id, status: pending} resets attempts and it dies again after 2; 404 for others and for non-admin tokens"

# ---- webhooks (tests/webhooks.sh has the signature cases) ------------------------------------
# hook INSTANCE BODY: POST a webhook signed the sandbox's way (HMAC-SHA256 of "T.BODY").
hook() {
    local t sig
    t=$(date +%s)
    sig=$(printf '%s.%s' "$t" "$2" | openssl dgst -sha256 -hmac "$WH_SECRET" | sed 's/^.*= //')
    call "" POST "/v1/webhooks/$1" -H "Sandbox-Signature: t=$t,v1=$sig" \
        -H 'Content-Type: application/json' --data-binary "$2"
}
if command -v openssl > /dev/null; then
    ev='{"id":"evt_api_1","type":"payment.captured","order_id":"api-d1","transaction_id":"sbx_x","amount":3799,"currency":"USD","status":"captured"}'
    call "" GET /v1/webhooks/pay
    want 405 "GET on a webhook"
    call "" POST /v1/webhooks/pay -H 'Content-Type: application/json' --data-binary "$ev"
    want 401 "an unsigned webhook"
    hook nosuch "$ev"
    want 404 "a webhook for an unknown instance"
    # carrier_sandbox takes tracking webhooks; this instance has no webhook_secret.
    hook carrier "$ev"
    want 401 "a carrier without webhook_secret"
    hook pay "${ev/api-d1/no-such-order}"
    want 404 "a webhook for an unknown order"
    hook pay '{"id":"evt_api_0","type":"payment.captured","status":"captured"}'
    want 202 "a webhook naming no order"
    is '.status == "ignored"' "no order: ignored"
    hook pay "$ev"
    want 200 "a verified webhook"
    is '.status == "applied" and .state == "awaiting_shipment"' "webhook applied"
    hook pay "$ev"
    want 200 "a redelivered webhook"
    is '.status == "ignored" and (.reason | type) == "string"' "redelivery ignored"
    ok "POST /v1/webhooks/{instance}: 405, 401 unsigned, 404 unknown instance/order, unconfigured carrier refused, 202 no order, 200 applied then ignored"
fi

# ---- metrics ---------------------------------------------------------------------------------
call "" GET /metrics
want 200 "/metrics"
grep -qi '^Content-Type: text/plain' "$tmp/hdr" || fail "metrics content type"
grep -Eq '^orderhub_orders\{state="completed"\} [0-9]+$' "$tmp/body" || fail "orderhub_orders line"
grep -Eq '^orderhub_orders\{state="awaiting_shipment"\} [1-9][0-9]*$' "$tmp/body" || fail "orders by state"
grep -Eq '^orderhub_http_requests_total\{class="2xx"\} [1-9][0-9]*$' "$tmp/body" || fail "2xx count"
grep -Eq '^orderhub_http_requests_total\{class="4xx"\} [1-9][0-9]*$' "$tmp/body" || fail "4xx count"
grep -Eq '^orderhub_actions\{status="dead"\} [1-9][0-9]*$' "$tmp/body" || fail "dead actions"
grep -Eq '^orderhub_http_request_seconds_bucket\{le="\+Inf"\} [0-9]+$' "$tmp/body" || fail "histogram"
grep -q '^# TYPE orderhub_http_requests_total counter$' "$tmp/body" || fail "TYPE line"
grep -Eq '^orderhub_outbound_attempts_total\{instance="deadpay",result="dead"\} [1-9][0-9]*$' "$tmp/body" \
    || fail "dead-lettered attempts of deadpay not counted"
grep -Eq '^orderhub_outbound_attempts_total\{instance="pay",result="ok"\} [1-9][0-9]*$' "$tmp/body" \
    || fail "successful attempts of pay not counted"
grep -q '^orderhub_sla_events_total{kind="breach"} ' "$tmp/body" || fail "SLA breaches line"
ok "/metrics: Prometheus text with orderhub_orders, orderhub_http_requests_total, actions and latency"

kill -TERM "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null

# ---- authentication and the failed-attempt limit: a daemon of its own -------------------------
log="$tmp/log2"
cat > "$tmp/auth.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/auth.db"; };
api = {
  $TOKENS
};
CONF
start_daemon "$tmp/auth.conf" "$log"
call "" GET /v1/orders
want 401 "no token"
grep -qi '^WWW-Authenticate: Bearer' "$tmp/hdr" || fail "no WWW-Authenticate on 401"
is '.error | type == "string"' "401 body"
call "wrong-token-0123456789abcdef" GET /v1/orders
want 401 "a wrong token"
grep -qi '^WWW-Authenticate: Bearer' "$tmp/hdr" || fail "no WWW-Authenticate on a wrong token"
call "" GET /v1/orders -H 'Authorization: Bearer '
want 401 "Bearer with an empty token"
grep -qi '^WWW-Authenticate: Bearer' "$tmp/hdr" || fail "no WWW-Authenticate on an empty token"
call "" GET /v1/orders -H "Authorization: Basic $(printf 'ops:%s' "$ADMIN_TOKEN" | base64 -w0)"
want 401 "Basic authentication"
call "${ADMIN_TOKEN}x" GET /v1/orders
want 401 "a token with one character more"
call "$X" GET /v1/orders
want 200 "the right token after 5 failures"
ok "401 with WWW-Authenticate: Bearer for no token, a wrong one, an empty Bearer, Basic, a longer one"

for i in 6 7 8 9 10; do
    call "wrong-token-$i-0123456789abcdef" GET /v1/plugins
    want 401 "failure $i"
done
call "$X" GET /v1/orders
want 429 "the right token after 10 failures"
is '.error | type == "string"' "429 body"
call "$X" POST /v1/orders -H 'Content-Type: application/json' --data-binary "$(order_json api-late s-A)"
want 429 "placing after 10 failures"
call "" GET /healthz
want 200 "/healthz while blocked"
if curl -sS --max-time 5 --interface 127.0.0.2 -o /dev/null "$base/healthz" 2>/dev/null; then
    call "$X" GET /v1/orders --interface 127.0.0.2
    want 200 "another loopback address is not blocked"
fi
ok "10 failures from one address: 429 afterwards even with a right token; /healthz and other addresses unaffected"

echo "$pass passed, 0 failed"
