#!/bin/sh
# demo.sh - build orderhub and run the main job on the embedded default (SQLite, sandbox
# plugins): one sample order through its whole lifecycle, then its timeline.
#
# It starts the sandbox remote (a local fake gateway and carrier), starts orderhubd on a
# fresh SQLite file, lets the seller set its stock, places conf/sample-order.json through
# the HTTP API (stock reserved), plays the seller (acknowledge, pack), lets the carrier's
# scripted journey deliver it (stock sold), has the buyer return the coasters (a partial
# refund, the coasters back in stock), cancels a second order (its stock released), and
# prints the order's timeline as the store journaled it and the seller's ledger.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/_build"
"$top/contrib/scripts/build.sh" "$build"

work=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

"$build/contrib/fakes/orderhub-sandbox-remote" --port 0 --step-ms 400 > "$work/remote.out" &
pids="$pids $!"
for _ in $(seq 50); do grep -q listening "$work/remote.out" && break; sleep 0.1; done
remote=$(sed -n 's/^listening on //p' "$work/remote.out")

cat > "$work/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "orderhub.db"; };
engine = { track_poll_ms = 300; };
api    = { tokens = (
  { name = "shop"; role = "storefront";    token = "env:DEMO_SHOP_TOKEN"; },
  { name = "acme"; role = "seller:s-4242"; token = "env:DEMO_SELLER_TOKEN"; } ); };
plugins = (
  { id = "limits";   module = "filter_limits";   settings = { max_total = 500000; }; },
  { id = "pay";      module = "payment_sandbox";
    settings = { base_url = "http://$remote/sandbox/payments"; api_key = "env:ORDERHUB_SANDBOX_KEY"; }; },
  { id = "carrier";  module = "carrier_sandbox"; settings = { base_url = "http://$remote/sandbox/carrier"; }; },
  { id = "timeline"; module = "notify_log";      settings = { path = "$work/notifications.jsonl"; }; }
);
routes = (
  { on = "order.placed";           chain = [ "limits", "pay" ]; },
  { on = "fulfillment.packed";     chain = [ "carrier" ]; },
  { on = "shipment.label_created"; chain = [ "pay" ]; },
  { on = "order.cancelled";        chain = [ "pay" ]; },
  { on = "return.approved";        chain = [ "carrier" ]; },
  { on = "return.inspected";       chain = [ "pay" ]; },
  { on = "order.*";                chain = [ "timeline" ]; },
  { on = "shipment.*";             chain = [ "timeline" ]; }
);
CONF

export ORDERHUB_PLUGIN_PATH="$build/plugins/.libs"
export ORDERHUB_SANDBOX_KEY="sk_sandbox_demo"
DEMO_SHOP_TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
DEMO_SELLER_TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export DEMO_SHOP_TOKEN DEMO_SELLER_TOKEN
"$build/core/orderhubd" -c "$work/orderhub.conf" 2> "$work/orderhubd.log" &
pids="$pids $!"
for _ in $(seq 50); do grep -q "API on" "$work/orderhubd.log" && break; sleep 0.1; done
api="http://$(sed -n 's/.*API on \([0-9.:]*\)).*/\1/p' "$work/orderhubd.log")"
order=$(jq -r .id "$top/conf/sample-order.json")

say() { printf '\n== %s\n' "$*"; }
# call TOKEN METHOD PATH [BODY]
call() { curl -sS -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
              ${4:+--data "$4"} "$api$3"; echo; }
get() { curl -sS -H "Authorization: Bearer $DEMO_SELLER_TOKEN" "$api$1"; }
# wait_for ID JQ-FILTER WHAT: poll the order until the filter holds.
wait_for() {
    for _ in $(seq 100); do
        get "/v1/orders/$1" > "$work/poll"
        jq -e "$2" "$work/poll" > /dev/null && return 0
        sleep 0.2
    done
    echo "order $1 never reached $3"; cat "$work/poll" "$work/orderhubd.log"; exit 1
}
wait_state() { wait_for "$order" ".state == \"$1\"" "$1"; }
stock() {
    get "/v1/stock?seller=s-4242" |
        jq -r '.stock[] | "  \(.sku)  on hand \(.on_hand), reserved \(.reserved), available \(.available)"'
}

say "$("$build/core/orderhubd" --version); sandbox remote on $remote; API on $api"
say "seller s-4242 sets its stock"
call "$DEMO_SELLER_TOKEN" POST /v1/stock \
    '{"items":[{"sku":"MUG-BLUE-12OZ","on_hand":10},{"sku":"COASTER-4PK","on_hand":5}]}' > /dev/null
stock
say "buyer places $order (2 mugs + coasters, USD 37.99): its lines are reserved"
call "$DEMO_SHOP_TOKEN" POST /v1/orders "$(cat "$top/conf/sample-order.json")"
wait_state awaiting_shipment
stock
say "seller acknowledges, then packs one parcel"
call "$DEMO_SELLER_TOKEN" POST "/v1/orders/$order/ack"
call "$DEMO_SELLER_TOKEN" POST "/v1/orders/$order/pack" '{"parcels":[{"weight_g":950,"length_mm":250,"width_mm":200,"height_mm":120}]}'
say "carrier picks up and delivers (sandbox journey, one scan every 0.4 s): the stock is sold"
wait_state completed
stock

say "buyer returns the coasters (USD 8.99); the seller approves, receives and inspects them"
rid=$(call "$DEMO_SHOP_TOKEN" POST "/v1/orders/$order/returns" \
          '{"reason":"coasters arrived scratched","skus":["COASTER-4PK"]}' | jq -r .return_id)
call "$DEMO_SELLER_TOKEN" POST "/v1/orders/$order/returns/$rid/approve"
wait_for "$order" ".returns[\"$rid\"].state == \"label_issued\"" "a return label"
call "$DEMO_SELLER_TOKEN" POST "/v1/orders/$order/returns/$rid/received"
call "$DEMO_SELLER_TOKEN" POST "/v1/orders/$order/returns/$rid/inspected" '{"outcome":"refund","resellable":true}'
wait_for "$order" ".returns[\"$rid\"].state == \"refunded\"" "the refund"
get "/v1/orders/$order" | jq -r '.payment | "  payment \(.status): captured \(.captured_total), refunded \(.refunded_total)"'
stock

second=ord-demo-1002
say "buyer places $second, then cancels it: its reservation is released"
call "$DEMO_SHOP_TOKEN" POST /v1/orders "$(jq -c ".id = \"$second\"" "$top/conf/sample-order.json")"
wait_for "$second" '.state == "awaiting_shipment"' awaiting_shipment
stock
call "$DEMO_SHOP_TOKEN" POST "/v1/orders/$second/cancel" '{"reason":"changed my mind"}'
wait_for "$second" '.payment.status == "voided"' "the void"
stock

say "timeline of $order (from the SQLite journal)"
get "/v1/orders/$order/events" |
    jq -r '.events[] | [(.at_ms/1000 | strftime("%H:%M:%S")), .name, .data.state,
           ((.data.last_scan.text // .data.transaction_id // .data.tracking_number // .data.reason // "") | tostring)] | @tsv' |
    awk -F'\t' '{ printf "  %s  %-26s %-20s %s\n", $1, $2, $3, $4 }'
say "ledger of seller s-4242"
get /v1/ledger | jq -r '.entries[] | "  \(.order_id)  \(.kind | . + "            " | .[0:12]) \(.currency) \(.amount)  (\(.event))"'
get /v1/ledger/balance | jq -r '.balances[] | "  balance \(.currency) \(.balance) over \(.entries) entries"'
say "notifications written by notify_log: $(wc -l < "$work/notifications.jsonl")"
