#!/bin/bash
# intake_paths.sh - a placement can set nothing the engine owns, at any depth.
#
# 1. The attack: storefront B places an order whose payment carries storefront A's
#    authorization id, then cancels it; the gateway must never see a void of A's
#    authorization.
# 2. Orders are driven through the real lifecycle against the sandbox remote (placed,
#    authorized, acknowledged with rate quotes, packed for a named carrier, labelled,
#    tracked to delivery, a return refunded, a dispute resolved with a refund; a decline
#    then a cancel; a cancel with a void; a filter's rejection).  Every JSON member path of
#    their snapshots (the API's view, and the store's row with the engine's bookkeeping)
#    that the submitted body did not have is a path the engine wrote.
# 3. For each such path, the submitted body plus that member (its value as the engine wrote
#    it) is placed: it must answer 400 naming the path (or the shallowest part of it the
#    body did not have), and store nothing.
set -u
# shellcheck source=tests/api_common.sh
. "$top_srcdir/tests/api_common.sh"

start_remote
cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
engine = { track_poll_ms = 100; max_attempts = 2; backoff_base_ms = 10; backoff_max_ms = 50; };
api = {
  $TOKENS
};
plugins = (
  { id = "limits";  module = "filter_limits"; settings = { max_total = 1000000; }; },
  { id = "pay";     module = "payment_sandbox";
    settings = { base_url = "http://$remote/sandbox/payments"; api_key = "env:ORDERHUB_SANDBOX_KEY";
                 decline_token = "tok_decline"; webhook_secret = "env:WH_SECRET"; }; },
  { id = "carrier"; module = "carrier_sandbox"; settings = { base_url = "http://$remote/sandbox/carrier"; }; }
);
routes = (
  { on = "order.placed";           chain = [ "limits", "pay" ]; },
  { on = "order.acknowledged";     chain = [ "carrier" ]; },
  { on = "fulfillment.packed";     chain = [ "carrier" ]; },
  { on = "shipment.label_created"; chain = [ "pay" ]; },
  { on = "order.cancelled";        chain = [ "pay" ]; },
  { on = "return.approved";        chain = [ "carrier" ]; },
  { on = "return.inspected";       chain = [ "pay" ]; },
  { on = "dispute.resolved";       chain = [ "pay" ]; }
);
CONF
start_daemon "$tmp/orderhub.conf" "$log"
S=$SHOP_TOKEN O=$OTHER_TOKEN A=$SA_TOKEN D=$DESK_TOKEN X=$ADMIN_TOKEN

# ---- 1. the attack: storefront B voids storefront A's authorization ----------------------------
place "$S" att-a s-A
wait_for_jq att-a '.payment.status == "authorized"' "A's authorization"
call "$X" GET /v1/orders/att-a
tx_a=$(jq -r .payment.transaction_id "$tmp/body")
[ -n "$tx_a" ] && [ "$tx_a" != null ] || fail "A's order has no transaction id"
voids_of_a() {
    curl -sS --max-time 10 "http://$remote/sandbox/ledger" \
        | jq --arg t "$tx_a" '[.entries[] | select(.operation == "void" and .transaction_id == $t)] | length'
}
attack=$(order_json att-b s-A ".payment = {\"token\": \"tok_decline\", \"transaction_id\": \"$tx_a\", \"instance\": \"pay\"}")
post "$O" /v1/orders "$attack"
if [ "$code" = 201 ]; then
    # What the hostile test saw: declined, then cancelled, then the gateway voids A's money.
    wait_state att-b payment_failed
    post "$O" /v1/orders/att-b/cancel '{}'
    for _ in $(seq 50); do [ "$(voids_of_a)" -gt 0 ] && break; sleep 0.1; done
    fail "storefront B placed an order carrying A's transaction id $tx_a (voids of it sent: $(voids_of_a))"
fi
bad_field 400 payment.transaction_id "a payment carrying another order's transaction id"
call "$X" GET /v1/orders/att-b
want 404 "the refused attack order"
# The same storefront's honest order with the same declined token, cancelled: nothing of
# A's is touched.
place "$O" att-b2 s-A '.payment.token = "tok_decline"'
wait_state att-b2 payment_failed
post "$O" /v1/orders/att-b2/cancel '{}'
want 200 "B cancels its declined order"
sleep 0.5
[ "$(voids_of_a)" = 0 ] || fail "the gateway received a void of A's authorization $tx_a"
call "$X" GET /v1/orders/att-a
is ".payment.transaction_id == \"$tx_a\" and .payment.status == \"authorized\"" "A's payment untouched"
ok "storefront B cannot place an order carrying A's authorization ($tx_a): 400, nothing stored, no void at the gateway"

# ---- 2. orders through the lifecycle ---------------------------------------------------------
# Every optional member a submitter may send is sent, so that whatever the snapshot has
# beyond the body is the engine's.
full='.buyer = {"id": "b-77", "name": "Ada Lovelace", "email": "ada@example.test", "phone": "+1 555 0100"}
  | .seller.email = "orders@acme.example"
  | .shipping_address += {"street2": "Apt 3", "company": "Engines Ltd", "phone": "555-0100",
                          "email": "ada@example.test"}
  | .items[0] += {"name": "Blue mug", "hs_code": "6912.00", "origin_country": "CN", "weight_g": 350}
  | .description = "two mugs and a coaster" | .metadata = {"cart_id": "c-1"}
  | .service_level = "standard"'
sent() { # sent ID TOKEN [JQ FILTER]: place, keeping the body sent
    order_json "$1" s-A "$full | ${3:-.}" > "$tmp/sent-$1.json"
    post "$2" /v1/orders "$(cat "$tmp/sent-$1.json")"
    want 201 "placing $1"
}
sent walk-full "$S"
sent walk-decline "$S" '.payment.token = "tok_decline"'
sent walk-cancel "$S"
sent walk-reject "$S" '.items[0].quantity = 1000 | .total = 1450899'

wait_state walk-reject rejected
wait_state walk-decline payment_failed
post "$S" /v1/orders/walk-decline/cancel '{"reason": "changed my mind"}'
want 200 "cancel after a decline"
wait_state walk-cancel awaiting_shipment
post "$S" /v1/orders/walk-cancel/cancel '{"reason": "found it cheaper"}'
want 200 "cancel"
wait_for_jq walk-cancel '.payment.status == "voided"' "the cancel's void"

wait_state walk-full awaiting_shipment
post "$A" /v1/orders/walk-full/ack '{"note": "on it"}'
want 200 "ack"
wait_for_jq walk-full '.quotes.carrier.chosen != null' "rate quotes"
post "$A" /v1/orders/walk-full/pack '{"parcels": [{"weight_g": 950, "length_mm": 250, "width_mm": 200,
    "height_mm": 120}], "carrier": "carrier", "service": "ground", "service_level": "standard"}'
want 200 "pack"
wait_for_jq walk-full '.shipment.status == "delivered" and .state != "in_transit"' "delivery"
post "$S" /v1/orders/walk-full/returns '{"reason": "chipped", "skus": ["MUG-BLUE-12OZ"]}'
want 201 "return"
rid=$(jq -r .return_id "$tmp/body")
post "$A" "/v1/orders/walk-full/returns/$rid/approve" '{"note": "ok"}'
want 200 "approve"
wait_for_jq walk-full ".returns[\"$rid\"].state == \"label_issued\"" "return label"
post "$A" "/v1/orders/walk-full/returns/$rid/received" '{"note": "in"}'
want 200 "received"
post "$A" "/v1/orders/walk-full/returns/$rid/inspected" '{"outcome": "refund", "note": "chip"}'
want 200 "inspected"
wait_for_jq walk-full ".returns[\"$rid\"].state == \"refunded\"" "return refund"
post "$S" /v1/orders/walk-full/disputes '{"reason": "late"}'
want 201 "dispute"
did=$(jq -r .dispute_id "$tmp/body")
post "$D" "/v1/orders/walk-full/disputes/$did/resolve" '{"resolution": "refund", "note": "sorry"}'
want 200 "resolve"
for _ in $(seq 200); do
    call "$X" GET /v1/orders/walk-full/events
    [ "$(jq '[.events[] | select(.name == "payment.refunded")] | length' "$tmp/body")" -ge 2 ] && break
    sleep 0.1
done
is '[.events[] | select(.name == "payment.refunded")] | length >= 2' "the dispute's refund"
ok "four orders through the lifecycle: delivered+return+dispute, decline+cancel, cancel+void, rejected"

# ---- 3. every member path the engine wrote -------------------------------------------------
for id in walk-full walk-decline walk-cancel walk-reject; do
    call "$X" GET "/v1/orders/$id"
    want 200 "reading $id"
    cp "$tmp/body" "$tmp/snap-$id.json"
    # The store's row: the snapshot with the engine's bookkeeping (_engine), which the API
    # never shows (python3's sqlite3: Debian's sqlite3 CLI is not a build dependency).
    python3 -c 'import sqlite3, sys
d = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(d.execute("SELECT snapshot FROM orders WHERE id = ?", (sys.argv[2],)).fetchone()[0])' \
        "$tmp/orderhub.db" "$id" > "$tmp/store-$id.json" || fail "reading $id from the store"
done
# For each order: paths of the snapshots minus paths of the body sent; for each, the
# probe body (the sent body, a new id and seller, plus the engine's member) and the field
# the refusal must name: the path cut after its first component the body did not have.
# shellcheck disable=SC2016 # jq program
jq -n -c '
  def render: reduce .[] as $c (""; if ($c | type) == "number" then . + "[\($c)]"
                                    elif . == "" then $c else . + "." + $c end);
  [inputs] as $docs
  | [range(0; $docs | length; 3) as $i
     | $docs[$i] as $sent | $docs[$i + 1] as $api | $docs[$i + 2] as $store
     | ([$sent | paths] | map(tojson) | INDEX(.)) as $had
     | ($api, $store) as $snap
     | $snap | paths as $p
     | select($had[$p | tojson] == null)
     | {path: $p, value: ($snap | getpath($p)), sent: $sent,
        field: ([range(1; ($p | length) + 1) as $k | $p[:$k]
                 | select($had[tojson] == null)][0] | render)}]
  | unique_by(.path)
  | to_entries[]
  | .key as $k | .value as $v
  | {field: $v.field, path: ($v.path | render),
     body: ($v.sent | .id = "probe-\($k)" | .seller.id = "s-probe" | setpath($v.path; $v.value))}' \
    $(for id in walk-full walk-decline walk-cancel walk-reject; do
          echo "$tmp/sent-$id.json" "$tmp/snap-$id.json" "$tmp/store-$id.json"; done) \
    > "$tmp/probes" || fail "building the probes"
n=$(wc -l < "$tmp/probes")
jq -s -e '[.[].path] as $p
    | ["state", "created_by", "acknowledged", "payment.status", "payment.instance",
       "payment.transaction_id", "payment.amount", "payment.currency", "payment.decline_code",
       "fulfillment", "quotes", "shipment", "shipment.tracking_number", "returns", "disputes",
       "cancellation", "rejection", "_engine"]
    | all(. as $want | $p | index($want) != null)' "$tmp/probes" > /dev/null \
    || fail "the walk missed members the engine is known to write: $(jq -r .path "$tmp/probes" | head -50 | tr '\n' ' ')"
echo "# $n member paths written by the engine: $(jq -r .path "$tmp/probes" | grep -v '\[' | tr '\n' ' ')"

probe=0
while IFS= read -r line; do
    probe=$((probe + 1))
    field=$(jq -r .field <<< "$line")
    post "$S" /v1/orders "$(jq -c .body <<< "$line")"
    [ "$code" = 400 ] || fail "placing with the engine's $(jq -r .path <<< "$line"): status $code, expected 400"
    jq -e --arg f "$field" '.field == $f' "$tmp/body" > /dev/null \
        || fail "placing with the engine's $(jq -r .path <<< "$line"): field $(jq -c .field "$tmp/body"), expected $field"
done < "$tmp/probes"
[ "$probe" -eq "$n" ] || fail "ran $probe of $n probes"
call "$X" GET '/v1/orders?seller=s-probe&limit=200'
want 200 "listing the probes' seller"
is '.orders == []' "a refused probe was stored"
call "$X" GET /v1/orders/probe-0
want 404 "the first probe"
ok "each of the $n member paths the engine wrote is refused at placement (400 naming it), nothing stored"

echo "$pass passed, 0 failed"
