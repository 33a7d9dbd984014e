#!/bin/sh
# demo.sh - build orderhub and run the main job on the embedded default (SQLite, sandbox
# plugins): one sample order through its whole lifecycle, then its timeline.
#
# It starts the sandbox remote (a local fake gateway and carrier), starts orderhubd on a
# fresh SQLite file, places conf/sample-order.json through the HTTP API, plays the seller
# (acknowledge, pack), lets the carrier's scripted journey deliver it, and prints the
# order's timeline as the store journaled it.
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
wait_state() {
    for _ in $(seq 100); do
        state=$(get "/v1/orders/$order" | jq -r .state)
        [ "$state" = "$1" ] && return 0
        sleep 0.2
    done
    echo "order stuck in state $state (wanted $1)"; cat "$work/orderhubd.log"; cp -r "$work" /tmp/demo-fail; exit 1
}

say "$("$build/core/orderhubd" --version); sandbox remote on $remote; API on $api"
say "buyer places $order (2 mugs + coasters, USD 37.99)"
call "$DEMO_SHOP_TOKEN" POST /v1/orders "$(cat "$top/conf/sample-order.json")"
wait_state awaiting_shipment
say "seller acknowledges, then packs one parcel"
call "$DEMO_SELLER_TOKEN" POST "/v1/orders/$order/ack"
call "$DEMO_SELLER_TOKEN" POST "/v1/orders/$order/pack" '{"parcels":[{"weight_g":950,"length_mm":250,"width_mm":200,"height_mm":120}]}'
say "carrier picks up and delivers (sandbox journey, one scan every 0.4 s)"
wait_state completed

say "timeline of $order (from the SQLite journal)"
get "/v1/orders/$order/events" |
    jq -r '.events[] | [(.at_ms/1000 | strftime("%H:%M:%S")), .name, .data.state,
           ((.data.last_scan.text // .data.transaction_id // .data.tracking_number // .data.reason // "") | tostring)] | @tsv' |
    awk -F'\t' '{ printf "  %s  %-26s %-20s %s\n", $1, $2, $3, $4 }'
say "notifications written by notify_log: $(wc -l < "$work/notifications.jsonl")"
