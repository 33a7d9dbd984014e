#!/bin/bash
# api_stock.sh - stock over HTTP (docs/api.md, "Stock") against the real orderhubd, with curl
# and jq, then with orderhubctl: who may (a seller on its own stock only, an admin naming the
# seller, every other role 403); a record set, read, adjusted, with its version checked
# (409 naming the current version) and its range (409 naming on_hand and reserved); every
# bad body and parameter 400 naming the field; bulk writes all or nothing (a conflict, a
# range error, a bad item, a repeated SKU, past 1000 items); listing by SKU, paged, low
# only; methods and paths; then orderhubctl stock set/adjust/show/import (CSV in several
# bulk requests, JSON lines, a bad line refused before anything is sent).
set -u
# shellcheck source=tests/api_common.sh
. "$top_srcdir/tests/api_common.sh"
ctl="$top_builddir/tools/orderhubctl/orderhubctl"

cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
api = {
  $TOKENS
};
CONF
start_daemon "$tmp/orderhub.conf" "$log"

A=$SA_TOKEN B=$SB_TOKEN S=$SHOP_TOKEN D=$DESK_TOKEN X=$ADMIN_TOKEN

# refused STATUS FIELD WHAT: bad_field, where FIELD "" is a null field.
refused() {
    if [ -n "$2" ]; then bad_field "$@"; return; fi
    want "$1" "$3"
    is '(.error | type) == "string" and .field == null' "$3: a null field"
}
# put TOKEN PATH JSON: PUT with a JSON body.
put() { call "$1" PUT "$2" -H 'Content-Type: application/json' --data-binary "$3"; }
# record SKU ON_HAND RESERVED LOW VERSION [SELLER]: the answer is that record.
record() {
    jq -e --arg sku "$1" --argjson on "$2" --argjson res "$3" --argjson low "$4" \
          --argjson v "$5" --arg s "${6:-s-A}" \
          '.seller_id == $s and .sku == $sku and .on_hand == $on and .reserved == $res and
           .available == ($on - $res) and .low_threshold == $low and .version == $v and
           (.updated_ms | type) == "number" and (keys | length) == 8' "$tmp/body" > /dev/null \
        || fail "record $1: expected on_hand $2, reserved $3, low $4, version $5"
}

# ---- who may ---------------------------------------------------------------------------------
for tok in "$S" "$D"; do
    call "$tok" GET /v1/stock
    want 403 "a storefront or support token listing stock"
    put "$tok" /v1/stock/MUG-1 '{"on_hand": 1}'
    want 403 "a storefront or support token setting stock"
done
call "$A" GET "/v1/stock?seller=s-B"
bad_field 403 seller "seller s-A listing seller s-B's stock"
put "$A" "/v1/stock/MUG-1?seller=s-B" '{"on_hand": 1}'
bad_field 403 seller "seller s-A setting seller s-B's stock"
post "$A" "/v1/stock?seller=s-B" '{"items": [{"sku": "MUG-1", "on_hand": 1}]}'
bad_field 403 seller "seller s-A loading seller s-B's stock"
post "$A" "/v1/stock/MUG-1/adjust?seller=s-B" '{"delta": 1}'
bad_field 403 seller "seller s-A adjusting seller s-B's stock"
call "$X" GET /v1/stock
bad_field 400 seller "an admin without a seller"
put "$X" /v1/stock/MUG-1 '{"on_hand": 1}'
bad_field 400 seller "an admin setting without a seller"
call "$X" GET "/v1/stock?seller=bad!id"
bad_field 400 seller "an admin naming a malformed seller"
call "$B" GET /v1/stock/MUG-1
want 404 "seller s-B reads a SKU it has no record of"
ok "storefront and support 403; a seller naming another seller 403 (field seller); an admin must name a valid seller (400)"

# ---- one record: set, read, version, adjust, range ---------------------------------------------
put "$A" /v1/stock/MUG-1 '{"on_hand": 10, "low_threshold": 3}'
want 200 "setting MUG-1"
record MUG-1 10 0 3 1
call "$A" GET /v1/stock/MUG-1
want 200 "reading MUG-1"
record MUG-1 10 0 3 1
call "$A" GET "/v1/stock/MUG-1?seller=s-A"
want 200 "a seller naming itself"
put "$A" /v1/stock/MUG-1 '{"on_hand": 12, "version": 1}'
want 200 "setting MUG-1 at version 1"
record MUG-1 12 0 3 2
put "$A" /v1/stock/MUG-1 '{"on_hand": 99, "version": 1}'
bad_field 409 version "a stale version"
is '.version == 2 and .sku == "MUG-1" and (.error | test("version 2"))' "the conflict names the current version"
put "$A" /v1/stock/NEW-1 '{"on_hand": 1, "version": 4}'
bad_field 409 version "a version of a SKU without a record"
is '.version == null' "no record: no current version"
call "$A" GET /v1/stock/NEW-1
want 404 "nothing written by a conflict"
post "$A" /v1/stock/MUG-1/adjust '{"delta": -2}'
want 200 "adjusting MUG-1 by -2"
record MUG-1 10 0 3 3
post "$A" /v1/stock/MUG-1/adjust '{"delta": 5, "version": 3}'
want 200 "adjusting MUG-1 at version 3"
record MUG-1 15 0 3 4
post "$A" /v1/stock/MUG-1/adjust '{"delta": -16}'
bad_field 409 delta "adjusting below 0"
is '.on_hand == 15 and .reserved == 0 and .sku == "MUG-1"' "the range error names on_hand and reserved"
put "$A" /v1/stock/MUG-1 '{"on_hand": 15, "low_threshold": null}'
want 200 "clearing the threshold"
record MUG-1 15 0 null 5
put "$A" /v1/stock/MUG-1 '{"on_hand": 16}'
record MUG-1 16 0 null 6
post "$A" /v1/stock/ADJ-1/adjust '{"delta": 4}'
want 200 "adjusting a SKU without a record creates it"
record ADJ-1 4 0 null 1
put "$X" "/v1/stock/B-1?seller=s-B" '{"on_hand": 2}'
want 200 "an admin setting seller s-B's stock"
record B-1 2 0 null 1 s-B
call "$A" GET /v1/stock/B-1
want 404 "seller s-A does not see seller s-B's record"
ok "PUT sets (200, the record as written), GET reads, version checked (409 naming the current one), adjust, below 0 is 409 naming on_hand/reserved"

# ---- bad bodies and paths ------------------------------------------------------------------------
while IFS='|' read -r path field body; do
    if [ "${path%/adjust}" != "$path" ]; then post "$A" "$path" "$body"; else put "$A" "$path" "$body"; fi
    refused 400 "$field" "$path $body"
done <<'BAD'
/v1/stock/MUG-1||{"on_hand": 1
/v1/stock/MUG-1||[1]
/v1/stock/MUG-1||{"on_hand": 1, "on_hand": 2}
/v1/stock/MUG-1|on_hand|{}
/v1/stock/MUG-1|on_hand|{"on_hand": -1}
/v1/stock/MUG-1|on_hand|{"on_hand": 1000000001}
/v1/stock/MUG-1|on_hand|{"on_hand": "5"}
/v1/stock/MUG-1|on_hand|{"on_hand": 1.5}
/v1/stock/MUG-1|onhand|{"onhand": 5}
/v1/stock/MUG-1|delta|{"on_hand": 1, "delta": 1}
/v1/stock/MUG-1|version|{"on_hand": 1, "version": 0}
/v1/stock/MUG-1|version|{"on_hand": 1, "version": "1"}
/v1/stock/MUG-1|low_threshold|{"on_hand": 1, "low_threshold": -1}
/v1/stock/MUG-1|sku|{"on_hand": 1, "sku": "MUG-1"}
/v1/stock/MUG-1/adjust|delta|{}
/v1/stock/MUG-1/adjust|delta|{"delta": -1000000001}
/v1/stock/MUG-1/adjust|on_hand|{"on_hand": 3}
/v1/stock/MUG-1/adjust||
BAD
long=$(printf 'S%064d' 0)
put "$A" "/v1/stock/$long" '{"on_hand": 1}'
bad_field 400 sku "a 65-byte SKU"
put "$A" "/v1/stock/A%01B" '{"on_hand": 1}'
bad_field 400 sku "a SKU with a control character"
call "$A" GET /v1/stock/MUG-1
record MUG-1 16 0 null 6
call "$A" DELETE /v1/stock/MUG-1
want 405 "DELETE a record"
call "$A" GET /v1/stock/MUG-1/adjust
want 405 "GET .../adjust"
call "$A" PUT /v1/stock
want 405 "PUT /v1/stock"
call "$A" POST /v1/stock/MUG-1/sideways
want 404 "an unknown stock path"
head -c 70000 /dev/zero | tr '\0' 'x' > "$tmp/big"
call "$A" PUT /v1/stock/MUG-1 --data-binary @"$tmp/big"
want 413 "a body over 64 KiB"
ok "bad JSON, wrong types, ranges, unknown members, SKUs: 400 naming the field; nothing written; 405, 404, 413"

# A PUT suspends until the store has written, like a POST: a client that half-closed
# after its request still gets the answer.
"$PY" - "$hostport" "$A" > "$tmp/half" 2>&1 <<'PY'
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
body = b'{"on_hand": 21}'
s = socket.create_connection((host, int(port)), timeout=10)
s.sendall(b"PUT /v1/stock/HALF-1 HTTP/1.1\r\nHost: orderhub\r\nAuthorization: Bearer "
          + sys.argv[2].encode() + b"\r\nContent-Length: " + str(len(body)).encode()
          + b"\r\n\r\n" + body)
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.decode(errors="replace"))
PY
head -1 "$tmp/half" | grep -q '^HTTP/1.1 200' || { cat "$tmp/half"; fail "a half-closed PUT was not answered"; }
call "$A" GET /v1/stock/HALF-1
record HALF-1 21 0 null 1
ok "a half-closed PUT is answered"

# ---- bulk --------------------------------------------------------------------------------------
post "$A" /v1/stock '{"items": [{"sku": "BULK-1", "on_hand": 5, "low_threshold": 2},
                                 {"sku": "ADJ-1", "delta": 3},
                                 {"sku": "MUG-1", "on_hand": 1, "version": 99}]}'
bad_field 409 'items[2].version' "a bulk write with a stale version"
is '.version == 6 and .sku == "MUG-1"' "the bulk conflict names the record and its version"
call "$A" GET /v1/stock/BULK-1
want 404 "nothing of a refused bulk write (a new record)"
call "$A" GET /v1/stock/ADJ-1
record ADJ-1 4 0 null 1
post "$A" /v1/stock '{"items": [{"sku": "BULK-1", "on_hand": 5}, {"sku": "ADJ-1", "delta": -5}]}'
bad_field 409 'items[1].delta' "a bulk write going below 0"
is '.on_hand == 4 and .reserved == 0' "the bulk range error names on_hand and reserved"
call "$A" GET /v1/stock/BULK-1
want 404 "nothing of a bulk write refused for its range"
while IFS='|' read -r field body; do
    post "$A" /v1/stock "$body"
    refused 400 "$field" "bulk $body"
done <<'BAD'
items|{}
items|{"items": []}
items|{"items": {"sku": "A", "on_hand": 1}}
things|{"items": [{"sku": "A", "on_hand": 1}], "things": 1}
items[0]|{"items": [1]}
items[0].sku|{"items": [{"on_hand": 1}]}
items[0].sku|{"items": [{"sku": "", "on_hand": 1}]}
items[0].sku|{"items": [{"sku": 7, "on_hand": 1}]}
items[1].on_hand|{"items": [{"sku": "A", "on_hand": 1}, {"sku": "B"}]}
items[1].on_hand|{"items": [{"sku": "A", "on_hand": 1}, {"sku": "B", "on_hand": -3}]}
items[1].delta|{"items": [{"sku": "A", "on_hand": 1}, {"sku": "B", "on_hand": 1, "delta": 2}]}
items[2].sku|{"items": [{"sku": "A", "on_hand": 1}, {"sku": "B", "on_hand": 1}, {"sku": "A", "on_hand": 2}]}
items[0].colour|{"items": [{"sku": "A", "on_hand": 1, "colour": "red"}]}
BAD
jq -cn '{items: [range(1001) | {sku: "K\(.)", on_hand: 1}]}' > "$tmp/over"
call "$A" POST /v1/stock --data-binary @"$tmp/over"
bad_field 400 items "1001 items"
jq -cn '{items: [range(1000) | {sku: "K\(.)", on_hand: ., low_threshold: 10}]}' > "$tmp/max"
call "$A" POST /v1/stock --data-binary @"$tmp/max"
want 200 "1000 items"
is '(.items | length) == 1000 and .items[999].sku == "K999" and .items[999].on_hand == 999 and
    .items[0].version == 1 and .items[0].seller_id == "s-A"' "the bulk answer is every record as written"
post "$A" /v1/stock '{"items": [{"sku": "BULK-1", "on_hand": 5, "low_threshold": 2},
                                 {"sku": "ADJ-1", "delta": 3, "version": 1}]}'
want 200 "a bulk write"
is '.items[0].sku == "BULK-1" and .items[0].on_hand == 5 and .items[1].on_hand == 7 and
    .items[1].version == 2' "bulk: set and delta as written"
ok "bulk: all or nothing (a stale version, a range error: 409 naming items[i]; nothing written), 400 per item, 1000 items and not 1001"

# ---- listing -------------------------------------------------------------------------------------
call "$A" GET "/v1/stock?limit=200"
want 200 "listing"
is '.seller_id == "s-A" and (.stock | length) == 200 and .stock[0].sku == "ADJ-1" and
    .next_after == .stock[199].sku and ([.stock[].sku] == ([.stock[].sku] | sort))' "the first page, by SKU"
n=0 after=""
while :; do
    call "$A" GET "/v1/stock?limit=150${after:+&after=$after}"
    want 200 "a page after '$after'"
    n=$((n + $(jq '.stock | length' "$tmp/body")))
    after=$(jq -r '.next_after // empty' "$tmp/body")
    [ -n "$after" ] || break
done
[ "$n" -eq 1004 ] || fail "paging listed $n records, expected 1004 (1000 K*, ADJ-1, BULK-1, HALF-1, MUG-1)"
call "$A" GET "/v1/stock?low=1"
want 200 "listing the low ones"
is '[.stock[].sku] == ["K0", "K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K9"] and .next_after == null' \
   "low=1: available below the threshold"
call "$X" GET "/v1/stock?seller=s-B"
is '[.stock[].sku] == ["B-1"]' "an admin lists seller s-B"
call "$B" GET /v1/stock
is '[.stock[].sku] == ["B-1"]' "seller s-B lists its own only"
for q in limit=0 limit=201 limit=x low=2 "after=$long"; do
    call "$A" GET "/v1/stock?$q"
    want 400 "listing with $q"
done
ok "GET /v1/stock: by SKU, paged with next_after, low=1, per seller; bad limit/low/after 400"

# ---- orderhubctl ---------------------------------------------------------------------------------
export ORDERHUB_URL=$base
unset ORDERHUB_TOKEN
run() {
    local want=$1; shift
    "$ctl" --timeout 20 "$@" > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || { cat "$tmp/out" "$tmp/err"; fail "orderhubctl $* exited $rc, expected $want"; }
}
has() { grep -q -- "$2" "$tmp/$1" || { cat "$tmp/$1"; fail "$1 lacks '$2'"; }; }
for v in "" set adjust show import; do
    # shellcheck disable=SC2086 # no sub-verb: "stock --help"
    run 0 stock $v --help
    head -1 "$tmp/out" | grep -q "^usage: orderhubctl stock" || fail "stock $v --help: no usage line"
done
run 0 --token "$A" stock set CTL-1 7 --low 2
has out '^on_hand  *7$'
has out '^low_threshold  *2$'
has out '^version  *1$'
run 0 --token "$A" stock adjust CTL-1 -- -3
has out '^on_hand  *4$'
has out '^available  *4$'
run 1 --token "$A" stock set CTL-1 9 --version 1
has err '409'
has err 'version 2'
run 0 --token "$A" stock show CTL-1
has out '^version  *2$'
run 1 --token "$A" stock show NOPE-1
has err '404'
run 0 --token "$A" --json stock show CTL-1
jq -e '.sku == "CTL-1" and .on_hand == 4' "$tmp/out" > /dev/null || fail "stock show --json"
run 0 --token "$A" stock show --low-only
has out '^SKU  *ON_HAND'
has out '^K9 '
grep -q '^CTL-1 ' "$tmp/out" && fail "CTL-1 (4 available, threshold 2) is not low"
run 0 --token "$A" --json stock show
jq -e '(.stock | length) == 1005' "$tmp/out" > /dev/null || fail "stock show follows every page"
run 1 --token "$A" stock show --seller s-B
has err '403'
run 1 --token "$X" stock show
has err 'seller'
run 0 --token "$X" stock show --seller s-B
has out '^B-1 '
run 2 --token "$A" stock set CTL-1 -5
run 2 --token "$A" stock set CTL-1 many
run 2 --token "$A" stock bogus
ok "orderhubctl stock set/adjust/show: records printed, 409 on a stale version, 403 on another seller, usage errors"

{ echo "sku,on_hand,low_threshold"; for i in $(seq 2500); do echo "IMP-$i,$i,"; done; echo "IMP-X,5,6"; } \
    > "$tmp/stock.csv"
run 0 --token "$A" stock import "$tmp/stock.csv"
has out '^2501 records written in 3 requests$'
call "$A" GET /v1/stock/IMP-2500
record IMP-2500 2500 0 null 1
call "$A" GET /v1/stock/IMP-X
record IMP-X 5 0 6 1
printf '{"sku": "JL-1", "on_hand": 3}\n\n{"sku": "JL-2", "on_hand": 4, "low_threshold": 1}\n' > "$tmp/stock.jsonl"
run 0 --token "$X" stock import --seller s-B "$tmp/stock.jsonl"
has out '^2 records written in 1 request$'
call "$B" GET /v1/stock/JL-2
record JL-2 4 0 1 1 s-B
printf '\xef\xbb\xbfSKU,On_Hand\r\nBOM-1,3\r\n' > "$tmp/excel.csv"
run 0 --token "$A" stock import "$tmp/excel.csv"
has out '^1 record written in 1 request$'
call "$A" GET /v1/stock/BOM-1
record BOM-1 3 0 null 1
while IFS='|' read -r line content; do
    printf '%b' "$content" > "$tmp/bad.in"
    run 2 --token "$A" stock import "$tmp/bad.in"
    has err "bad.in:$line:"
    has err 'nothing was sent'
done <<'BAD'
3|sku,on_hand\nNEW-A,1\nNEW-B,x\n
3|sku,on_hand\nNEW-A,1\nNEW-B,1,2\n
1|sku,qty\nNEW-A,1\n
4|sku,on_hand\nNEW-A,1\n\nNEW-A,2\n
2|{"sku": "NEW-A", "on_hand": 1}\n{"sku": "NEW-B", "on_hand": -1}\n
2|{"sku": "NEW-A", "on_hand": 1}\n{"sku": "NEW-B", "on_hand": 1, "colour": 1}\n
2|{"sku": "NEW-A", "on_hand": 1}\nnot json\n
BAD
call "$A" GET /v1/stock/NEW-A
want 404 "a file with a bad line sends nothing"
run 1 --token "$X" stock import "$tmp/stock.jsonl"
has err 'seller'
run 2 --token "$A" stock import "$tmp/nonexistent"
ok "orderhubctl stock import: CSV in bulk requests of at most 1000, JSON lines, a bad line reported by number with nothing sent"

stop_daemon
echo "1..$pass"
