#!/bin/bash
# api_stock_short.sh - a placement short of stock over HTTP (docs/api.md): 409 {"error":
# "insufficient stock", "short": [...]} naming every short SKU, nothing stored; with an
# Idempotency-Key the same request is answered the same 409 again (byte for byte), another
# body under that key is the key's conflict.  Stock is short here through the inventory
# group alone: untracked SKUs refused, except for one seller that keeps them unlimited.
set -u
: "${top_srcdir:?}"
# shellcheck source=tests/api_common.sh
. "$top_srcdir/tests/api_common.sh"
start_remote

cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
api = {
  $TOKENS
};
inventory = { untracked = "refuse"; sellers = ( { id = "s-open"; untracked = "unlimited"; } ); };
plugins = (
  { id = "pay"; module = "payment_sandbox";
    settings = { base_url = "http://$remote/sandbox/payments"; api_key = "env:ORDERHUB_SANDBOX_KEY"; }; }
);
routes = ( { on = "order.placed"; chain = [ "pay" ]; } );
CONF
start_daemon "$tmp/orderhub.conf" "$log"

S=$SHOP_TOKEN X=$ADMIN_TOKEN

post "$S" /v1/orders "$(order_json stock-1 s-A)"
want 409 "a placement of SKUs without stock"
is '.error == "insufficient stock" and .short == [
      {"sku": "MUG-BLUE-12OZ", "requested": 2, "available": 0},
      {"sku": "COASTER-4PK", "requested": 1, "available": 0}]' "409 names every short SKU"
call "$X" GET /v1/orders/stock-1
want 404 "a refused placement stores nothing"
ok "POST /v1/orders short of stock: 409 {error, short: [{sku, requested, available}]}; no order"

body=$(order_json stock-2 s-A)
post "$S" /v1/orders "$body" -H 'Idempotency-Key: cart-short-1'
want 409 "a keyed placement short of stock"
cp "$tmp/body" "$tmp/short1"
post "$S" /v1/orders "$body" -H 'Idempotency-Key: cart-short-1'
want 409 "the same key and body again"
cmp -s "$tmp/short1" "$tmp/body" || fail "the replay differs: $(cat "$tmp/short1") vs $(cat "$tmp/body")"
post "$S" /v1/orders "$(order_json stock-2 s-open)" -H 'Idempotency-Key: cart-short-1'
want 409 "the same key with another body"
is '.error | test("another body")' "the key's conflict, not a placement"
call "$X" GET /v1/orders/stock-2
want 404 "nothing stored under the key"
ok "Idempotency-Key on a refusal for stock: the same 409 replayed byte for byte; another body 409 conflict"

post "$S" /v1/orders "$(order_json stock-3 s-open)"
want 201 "a seller whose untracked SKUs are unlimited"
ok "inventory.sellers: a seller's own untracked setting wins"

echo "$pass passed, 0 failed"
