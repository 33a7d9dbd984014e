#!/bin/bash
# stock_flash.sh - a flash sale never oversells (docs/api.md "Stock", POST /v1/orders 409
# "insufficient stock"), against the real orderhubd over HTTP.
#
# Part 1: a seller's SKU set to 100 units through the API, then 1,000 placements of 1 unit
# each from 8 concurrent clients (each order with its own Idempotency-Key).  Exactly 100
# are answered 201 and 900 answered 409 "insufficient stock"; GET /v1/stock shows on_hand
# 100, reserved 100, available 0; the store holds exactly the 100 orders answered 201,
# each holding its 1 reserved unit.
#
# Part 2: the same shape (another seller, 100 units) with 8 x KILL_PER orders (320 by
# default: fewer than part 1 because each client retries one request at a time through
# the restarts; still more than three times the stock) and the daemon SIGKILLed twice
# while the clients place, restarted on the same SQLite file each time.  A client whose
# request got no answer (connection refused or reset, 503) sends it again with the same
# body and Idempotency-Key until it gets one.  Afterwards: every order has a final answer
# (201, or 409 "insufficient stock"); the orders the store lists for the seller (through
# the API) are exactly the distinct ids answered 201; reserved equals their number, never
# exceeds on_hand (100), and no more than 100 were accepted.
#
# Nothing here writes the database but the daemon.  Needs curl and jq (exit 77 without).
# Loopback only; every wait is bounded; about 20-40 s on 2 cores.  Knobs: FLASH_CLIENTS,
# FLASH_ORDERS (part 1, in total), FLASH_KILL_PER (part 2, per client); FLASH_KEEP=1 keeps
# the work directory.
set -u
: "${top_builddir:?}" "${top_srcdir:?}"
command -v curl > /dev/null 2>&1 || { echo "SKIP: curl is not installed"; exit 77; }
command -v jq > /dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

daemon="$top_builddir/core/orderhubd"
CLIENTS=${FLASH_CLIENTS:-8}
ORDERS=${FLASH_ORDERS:-1000}
KILL_PER=${FLASH_KILL_PER:-40}
STOCK=100
RETRIES=150                      # attempts per order while the daemon is down (x 0.1 s)
KEEP=${FLASH_KEEP:-}
LOG_LINES=30
# shellcheck source=tests/support/crash_lib.sh
. "$top_srcdir/tests/support/crash_lib.sh"
t0=$(now_ms)
[ $((ORDERS % CLIENTS)) -eq 0 ] || fail "FLASH_ORDERS must be a multiple of FLASH_CLIENTS"

export FLASH_ADMIN_TOKEN="flash-admin-token-0123456789abcdef"
export FLASH_SHOP_TOKEN="flash-shop-token-0123456789abcdef0"
cat > "$tmp/orderhub.conf" <<CONF
api = { tokens = (
  { name = "ops";  role = "admin";      token = "env:FLASH_ADMIN_TOKEN"; },
  { name = "shop"; role = "storefront"; token = "env:FLASH_SHOP_TOKEN"; } ); };
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
CONF
"$daemon" -t -c "$tmp/orderhub.conf" > "$tmp/check.out" 2>&1 || { cat "$tmp/check.out"; fail "config refused"; }

# No payment route: an accepted order stays in awaiting_payment, so its reservation is
# held to the end of the test (nothing releases or sells it).
order_tmpl='{"id":"%s","seller":{"id":"%s","email":"flash@example.test",
 "address":{"name":"Flash Goods","street1":"1 Sale Street","city":"Columbus",
            "region":"OH","postal_code":"43215","country":"US"}},
 "buyer":{"id":"b-flash","email":"buyer@example.test"},
 "items":[{"sku":"FLASH-1","quantity":1,"unit_price":1450}],
 "currency":"USD","total":1450,
 "shipping_address":{"name":"Ada","street1":"12 Analytical Row","city":"Springfield",
                     "region":"IL","postal_code":"62701","country":"US"},
 "payment":{"token":"tok_visa_4242"},"service_level":"standard"}'

# admin METHOD PATH [CURL ARGS...]: as the admin, the body to $tmp/admin.body, the status
# printed (000: no daemon answered).
admin() {
    local m=$1 p=$2
    shift 2
    curl -s -o "$tmp/admin.body" -w '%{http_code}' --max-time 10 -X "$m" \
        -H "Authorization: Bearer $FLASH_ADMIN_TOKEN" "$@" \
        "http://127.0.0.1:$(cat "$tmp/port")$p" 2>/dev/null || true
}

set_stock() {  # SELLER: FLASH-1 set to $STOCK units
    [ "$(admin PUT "/v1/stock/FLASH-1?seller=$1" --data-binary "{\"on_hand\": $STOCK}")" = 200 ] &&
        jq -e ".on_hand == $STOCK and .reserved == 0" "$tmp/admin.body" > /dev/null ||
        fail "setting the stock of $1: $(cat "$tmp/admin.body")"
}

# client PART N SELLER COUNT: COUNT placements, one at a time; each order's final status
# to $tmp/PART/cN/answers ("ID STATUS TRIES"), its body to $tmp/PART/cN/ID.
client() {
    local part=$1 c=$2 seller=$3 count=$4 n id code tries
    local cdir="$tmp/$part/c$c"
    mkdir -p "$cdir"
    : > "$cdir/answers"
    for n in $(seq "$count"); do
        id="$part-$c-$n"
        # shellcheck disable=SC2059 # the template is the format
        printf "$order_tmpl" "$id" "$seller" > "$cdir/order.json"
        for tries in $(seq "$RETRIES"); do
            code=$(curl -s -o "$cdir/$id" -w '%{http_code}' --max-time 10 -X POST \
                -H 'Content-Type: application/json' -H "Authorization: Bearer $FLASH_SHOP_TOKEN" \
                -H "Idempotency-Key: flash-$id" --data-binary "@$cdir/order.json" \
                "http://127.0.0.1:$(cat "$tmp/port")/v1/orders" 2>/dev/null) || code=000
            case $code in
            000 | 503) sleep 0.1 ;;
            409)  # "being written": the same id in flight elsewhere; ask again shortly
                grep -q 'being written' "$cdir/$id" || break
                sleep 0.05 ;;
            *) break ;;
            esac
        done
        echo "$id $code $tries" >> "$cdir/answers"
    done
}

# orders_of SELLER OUT: the ids of the seller's orders the store lists (through the API,
# page after page), sorted, to OUT.
orders_of() {
    local cursor="" pages=0 code
    : > "$2.tmp"
    while [ "$pages" -lt 50 ]; do
        pages=$((pages + 1))
        code=$(admin GET "/v1/orders?seller=$1&limit=200${cursor:+&cursor=$(jq -rn --arg c "$cursor" '$c | @uri')}")
        [ "$code" = 200 ] || fail "listing the orders of $1: $code $(cat "$tmp/admin.body")"
        jq -r '.orders[].id' "$tmp/admin.body" >> "$2.tmp"
        cursor=$(jq -r '.next_cursor // empty' "$tmp/admin.body")
        [ -n "$cursor" ] || break
    done
    sort "$2.tmp" > "$2"
    [ "$(uniq -d "$2" | wc -l)" -eq 0 ] || fail "the listing of $1 names an order twice"
}

# bodies DIR STATUS: the bodies of the orders finally answered STATUS, one after another
# (jq reads them as a stream); the order PART-C-N's body is DIR/cC/PART-C-N.
bodies() {
    (cd "$1" && awk -v s="$2" '$2 == s { split($1, f, "-"); print "c" f[2] "/" $1 }' answers |
        xargs -r cat)
}

# check_sale PART SELLER: the answers against the stock record and the store; sets
# $accepted (distinct ids answered 201) and $refused.
check_sale() {
    local part=$1 seller=$2 pdir="$tmp/$1"
    cat "$pdir"/c*/answers > "$pdir/answers"
    awk '$2 != 201 && $2 != 409 { print }' "$pdir/answers" > "$pdir/unanswered"
    [ -s "$pdir/unanswered" ] &&
        fail "$part: orders without a final answer (id status tries): $(head -5 "$pdir/unanswered")"
    # The id in each 201 body, not the one asked: the count is by distinct order id.
    awk '$2 == 201 { print $1 }' "$pdir/answers" | sort > "$pdir/asked201"
    bodies "$pdir" 201 | jq -r '.id' | sort -u > "$pdir/accepted"
    cmp -s "$pdir/asked201" "$pdir/accepted" ||
        fail "$part: the 201 bodies do not name the orders placed"
    accepted=$(wc -l < "$pdir/accepted")
    awk '$2 == 409 { print $1 }' "$pdir/answers" > "$pdir/refused"
    refused=$(wc -l < "$pdir/refused")
    local bad
    bad=$(bodies "$pdir" 409 | jq -c 'select((.error == "insufficient stock" and .short == [{"sku": "FLASH-1",
                "requested": 1, "available": 0}]) | not)' | head -3)
    [ -z "$bad" ] || fail "$part: a 409 that is not 'insufficient stock' of FLASH-1: $bad"

    [ "$(admin GET "/v1/stock/FLASH-1?seller=$seller")" = 200 ] ||
        fail "$part: reading the stock: $(cat "$tmp/admin.body")"
    cp "$tmp/admin.body" "$pdir/stock.json"
    reserved=$(jq .reserved "$pdir/stock.json")
    on_hand=$(jq .on_hand "$pdir/stock.json")
    jq -e ".available == .on_hand - .reserved and .reserved <= .on_hand" "$pdir/stock.json" \
        > /dev/null || fail "$part: an impossible record: $(cat "$pdir/stock.json")"

    orders_of "$seller" "$pdir/stored"
    stored=$(wc -l < "$pdir/stored")
    local extra missing
    extra=$(comm -13 "$pdir/accepted" "$pdir/stored" | head -5)
    missing=$(comm -23 "$pdir/accepted" "$pdir/stored" | head -5)
    [ -z "$extra$missing" ] ||
        fail "$part: the store's orders differ from the 201 answers: stored but not answered 201: ${extra:-none}; answered 201 but not stored: ${missing:-none}"
    # Each stored order holds its unit: awaiting payment, its one line reserved and tracked.
    bad=$(while read -r id; do
        [ "$(admin GET "/v1/orders/$id")" = 200 ] &&
            jq -e '.state == "awaiting_payment" and .inventory.state == "reserved" and
                   .inventory.lines == [{"sku": "FLASH-1", "qty": 1, "tracked": true}]' \
                "$tmp/admin.body" > /dev/null || echo "$id: $(head -c 300 "$tmp/admin.body")"
    done < "$pdir/stored" | head -3)
    [ -z "$bad" ] || fail "$part: a stored order that does not hold its unit: $bad"
}

# ---- part 1: 1,000 placements for 100 units, no kill -----------------------------------------
start_daemon
set_stock s-flash
ok "orderhubd up on 127.0.0.1:$(cat "$tmp/port"); s-flash's FLASH-1 set to $STOCK units"

t1=$(now_ms)
for c in $(seq "$CLIENTS"); do
    client flash "$c" s-flash $((ORDERS / CLIENTS)) &
    client_pids+=($!)
done
for p in "${client_pids[@]}"; do wait "$p"; done
client_pids=()
load_ms=$(($(now_ms) - t1))
check_sale flash s-flash
[ "$accepted" -eq "$STOCK" ] && [ "$refused" -eq $((ORDERS - STOCK)) ] ||
    fail "flash: $accepted answered 201 and $refused 409, expected $STOCK and $((ORDERS - STOCK))"
ok "$ORDERS placements from $CLIENTS clients in $load_ms ms: $accepted answered 201, $refused 409 insufficient stock (short FLASH-1, available 0)"
[ "$on_hand" -eq "$STOCK" ] && [ "$reserved" -eq "$STOCK" ] &&
    jq -e '.available == 0' "$tmp/flash/stock.json" > /dev/null ||
    fail "flash: the record is $(cat "$tmp/flash/stock.json"), expected on_hand $STOCK, reserved $STOCK, available 0"
ok "GET /v1/stock/FLASH-1: on_hand $on_hand, reserved $reserved, available 0"
ok "the store lists exactly the $stored orders answered 201, each awaiting payment with 1 unit of FLASH-1 reserved"

# ---- part 2: the same under SIGKILLs ---------------------------------------------------------
set_stock s-kill
t1=$(now_ms)
for c in $(seq "$CLIENTS"); do
    client kill "$c" s-kill "$KILL_PER" &
    client_pids+=($!)
done
# Kill twice while the stock is being reserved (answers coming back, units left), so
# that placements in flight at the kill were reserving.
kills=0
for at in 30 75; do
    for _ in $(seq 300); do
        [ "$(cat "$tmp"/kill/c*/answers 2>/dev/null | wc -l)" -ge "$at" ] && break
        sleep 0.05
    done
    done_now=$(cat "$tmp"/kill/c*/answers 2>/dev/null | wc -l)
    kill -9 "$dpid" 2>/dev/null || fail "the daemon died on its own before kill $((kills + 1))"
    wait "$dpid" 2>/dev/null
    kills=$((kills + 1))
    echo "# kill $kills after $done_now answers"
    sleep 0.$((2 + RANDOM % 4))   # down a while: clients see refused connections
    start_daemon
done
for p in "${client_pids[@]}"; do wait "$p"; done
client_pids=()
load_ms=$(($(now_ms) - t1))
total=$((CLIENTS * KILL_PER))
check_sale kill s-kill
retried=$(awk '$3 > 1' "$tmp/kill/answers" | wc -l)
retried201=$(awk '$3 > 1 && $2 == 201' "$tmp/kill/answers" | wc -l)
ok "$total placements from $CLIENTS clients, $kills SIGKILLs, $starts daemon starts in $load_ms ms: every order answered ($accepted 201, $refused 409; $retried sent again after no answer, $retried201 of them answered 201)"
[ "$accepted" -le "$STOCK" ] || fail "kill: $accepted orders accepted for $STOCK units"
[ "$reserved" -eq "$stored" ] && [ "$reserved" -le "$on_hand" ] && [ "$on_hand" -eq "$STOCK" ] ||
    fail "kill: reserved $reserved, on_hand $on_hand for $stored stored orders"
ok "after the kills: $stored orders stored = $accepted distinct ids answered 201 = reserved $reserved <= on_hand $on_hand"
# Every refusal saw the stock gone, so nothing of the 100 may be left unsold.
[ "$accepted" -eq "$STOCK" ] ||
    fail "kill: only $accepted accepted, yet $refused refused for want of stock"
ok "all $STOCK units sold, none twice"

kill -TERM "$dpid"
for _ in $(seq 150); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$dpid" 2>/dev/null && fail "the last daemon did not stop within 15 s of SIGTERM"
wait "$dpid"; rc=$?
dpid=""
[ "$rc" -eq 0 ] || fail "the last daemon exited with status $rc on SIGTERM"
ok "the last daemon stops on SIGTERM with status 0"
echo "summary: part 1 $ORDERS placements, part 2 $total placements and $kills kills, $(( ($(now_ms) - t0) / 1000 )) s"
echo "$pass passed, 0 failed"
