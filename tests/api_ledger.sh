#!/bin/bash
# api_ledger.sh - a seller's ledger over HTTP (docs/api.md, "Ledger") against the real
# orderhubd, with curl and jq: who may (a seller its own ledger only, an admin naming the
# seller, every other role 403), bad parameters 400 naming the field, an empty ledger, then
# the entries that real money writes - a capture at the label (sale), a partial dispute
# refund (dispute_loss), orders of two sellers and two currencies through the sandbox
# gateway - listed by period, currency and cursor, and summed per currency.  Nothing here
# writes the store file: the append-only triggers are tested in check_store_ledger.
set -u
# shellcheck source=tests/api_common.sh
. "$top_srcdir/tests/api_common.sh"

start_remote
cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
engine = { track_poll_ms = 100; };
api = {
  $TOKENS
};
plugins = (
  { id = "pay";     module = "payment_sandbox";
    settings = { base_url = "http://$remote/sandbox/payments"; api_key = "env:ORDERHUB_SANDBOX_KEY"; }; },
  { id = "carrier"; module = "carrier_sandbox"; settings = { base_url = "http://$remote/sandbox/carrier"; }; }
);
routes = (
  { on = "order.placed";           chain = [ "pay" ]; },
  { on = "fulfillment.packed";     chain = [ "carrier" ]; },
  { on = "shipment.label_created"; chain = [ "pay" ]; },
  { on = "dispute.resolved";       chain = [ "pay" ]; }
);
CONF
start_daemon "$tmp/orderhub.conf" "$log"

A=$SA_TOKEN B=$SB_TOKEN S=$SHOP_TOKEN D=$DESK_TOKEN X=$ADMIN_TOKEN

for tok in "$S" "$D"; do
    call "$tok" GET /v1/ledger
    want 403 "a storefront or support token reading a ledger"
    call "$tok" GET /v1/ledger/balance
    want 403 "a storefront or support token reading a balance"
done
call "$A" GET "/v1/ledger?seller=s-B"
bad_field 403 seller "seller s-A reading seller s-B's ledger"
call "$A" GET "/v1/ledger/balance?seller=s-B"
bad_field 403 seller "seller s-A reading seller s-B's balance"
call "$X" GET /v1/ledger
bad_field 400 seller "an admin without a seller"
call "$X" GET "/v1/ledger/balance?seller=no%20such"
bad_field 400 seller "an admin naming a malformed seller"
for p in "from=x from" "to=-1 to" "after=1.5 after" "limit=0 limit" "limit=201 limit" \
         "currency=EURO currency"; do
    call "$A" GET "/v1/ledger?${p% *}"
    bad_field 400 "${p#* }" "parameter ${p% *}"
done
call "$A" POST /v1/ledger
want 405 "POST /v1/ledger"
call "$A" GET /v1/ledger/other
want 404 "an unknown ledger path"
ok "who may read a ledger, and bad parameters"

call "$A" GET /v1/ledger
want 200 "an empty ledger"
is '.seller_id == "s-A" and .entries == [] and .next_after == null' "an empty ledger"
call "$X" GET "/v1/ledger/balance?seller=s-A"
want 200 "an empty balance"
is '.seller_id == "s-A" and .balances == []' "an empty balance"
ok "an empty ledger and balance"

# ship ID SELLER_TOKEN: acknowledge and pack a paid order, and wait until it is captured.
ship() {
    wait_state "$1" awaiting_shipment
    post "$2" "/v1/orders/$1/ack" ''
    want 200 "ack $1"
    post "$2" "/v1/orders/$1/pack" '{"parcels": [{"weight_g": 950}]}'
    want 200 "pack $1"
    wait_for_jq "$1" '.payment.status == "captured" or .payment.captured_total > 0' "capture of $1"
}
place "$S" led-1 s-A
place "$S" led-2 s-B
place "$S" led-3 s-A '.currency = "EUR"'
ship led-1 "$A"
ship led-2 "$B"
ship led-3 "$A"
post "$S" /v1/orders/led-1/disputes '{"reason": "one mug chipped"}'
want 201 "dispute on led-1"
did=$(jq -r .dispute_id "$tmp/body")
post "$D" "/v1/orders/led-1/disputes/$did/resolve" '{"resolution": "refund", "amount": 899}'
want 200 "dispute refund of 899"
wait_for_jq led-1 '.payment.refunded_total == 899' "the dispute refund"
total=$(jq .total "$sample")
call "$A" GET /v1/ledger
want 200 "the ledger"
is "[.entries[] | [.order_id, .kind, .amount, .currency]] ==
    [[\"led-1\", \"sale\", $total, \"USD\"], [\"led-3\", \"sale\", $total, \"EUR\"],
     [\"led-1\", \"dispute_loss\", -899, \"USD\"]] and
    .entries[0].event == \"payment.captured\" and .entries[2].cause == \"dispute\" and
    (.entries[0] | keys | length) == 9" "s-A's own entries, as the money moved"
cp "$tmp/body" "$tmp/ledger.json"
t1=$(jq '.entries[1].at_ms' "$tmp/ledger.json")
t2=$(jq '.entries[2].at_ms' "$tmp/ledger.json")
call "$A" GET "/v1/ledger?from=$t1&to=$((t2 + 1))"
is '[.entries[] | .order_id] == ["led-3", "led-1"]' "from <= at_ms < to"
call "$A" GET "/v1/ledger?currency=EUR"
is "[.entries[] | .amount] == [$total]" "one currency"
call "$A" GET "/v1/ledger?limit=2"
is '(.entries | length) == 2 and (.next_after | type) == "number"' "a full page"
after=$(jq -r .next_after "$tmp/body")
call "$A" GET "/v1/ledger?limit=2&after=$after"
is '[.entries[] | .kind] == ["dispute_loss"] and .next_after == null' "the next page"
call "$A" GET /v1/ledger/balance
want 200 "the balance"
is ".balances == [{\"currency\": \"EUR\", \"balance\": $total, \"entries\": 1},
                  {\"currency\": \"USD\", \"balance\": $((total - 899)), \"entries\": 2}]" \
   "s-A's balance: what each order kept"
call "$X" GET "/v1/ledger/balance?seller=s-B"
is ".balances == [{\"currency\": \"USD\", \"balance\": $total, \"entries\": 1}]" "an admin reads s-B's"
ok "entries from real captures and a partial dispute refund, by period, currency and cursor; balances per currency"

ctl="$top_builddir/tools/orderhubctl/orderhubctl"
export ORDERHUB_URL=$base
run() {
    local want=$1; shift
    "$ctl" --timeout 20 "$@" > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || { cat "$tmp/out" "$tmp/err"; fail "orderhubctl $* exited $rc, expected $want"; }
}
run 0 ledger --help
head -1 "$tmp/out" | grep -q "^usage: orderhubctl ledger" || fail "ledger --help: no usage line"
run 2 --token "$A" ledger --month 1970-13
run 2 --token "$A" ledger --month 70-01
month=$(date -u +%Y-%m)
run 0 --token "$A" ledger --month "$month" --csv
{
    echo "id,at_ms,order_id,event,kind,cause,currency,amount"
    jq -r '.entries[] | [.id, .at_ms, .order_id, .event, .kind, .cause, .currency, .amount] | @csv' \
        "$tmp/ledger.json" | tr -d '"'
} > "$tmp/want.csv"
diff -u "$tmp/want.csv" "$tmp/out" || fail "ledger --month $month --csv"
run 0 --token "$X" ledger --seller s-B --month 1970-02 --csv
[ "$(cat "$tmp/out")" = "id,at_ms,order_id,event,kind,cause,currency,amount" ] \
    || fail "an empty month: the header only"
run 0 --token "$A" ledger
grep -q "^ID " "$tmp/out" && [ "$(grep -c ' led-[13] ' "$tmp/out")" -eq 3 ] \
    || { cat "$tmp/out"; fail "ledger: the table"; }
run 1 --token "$A" ledger --seller s-B
ok "orderhubctl ledger: the table, a month's statement as CSV, bad months, another seller refused"

stop_daemon
echo "1..$pass"
