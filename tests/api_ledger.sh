#!/bin/bash
# api_ledger.sh - a seller's ledger over HTTP (docs/api.md, "Ledger") against the real
# orderhubd, with curl and jq: who may (a seller its own ledger only, an admin naming the
# seller, every other role 403), bad parameters 400 naming the field, an empty ledger, then
# entries written into the store file (sqlite3, when installed) listed by period, currency
# and cursor, and summed per currency.
set -u
# shellcheck source=tests/api_common.sh
. "$top_srcdir/tests/api_common.sh"

cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
api = {
  $TOKENS
};
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

if ! command -v sqlite3 > /dev/null; then
    echo "# sqlite3 not installed: entries not checked"
    stop_daemon
    echo "1..$pass"
    exit 0
fi
sqlite3 -cmd ".timeout 5000" "$tmp/orderhub.db" <<'SQL' || fail "writing entries"
INSERT INTO ledger (seller_id, currency, order_id, event, kind, cause, amount, at_ms) VALUES
  ('s-A', 'USD', 'o-1', 'payment.captured', 'sale', '', 3799, 1000),
  ('s-A', 'USD', 'o-1', 'return.inspected', 'refund', 'return', -899, 2000),
  ('s-B', 'USD', 'o-2', 'payment.captured', 'sale', '', 500, 2500),
  ('s-A', 'EUR', 'o-3', 'payment.captured', 'sale', '', 1200, 3000);
SQL
for sql in "UPDATE ledger SET amount = 0" "DELETE FROM ledger"; do
    sqlite3 -cmd ".timeout 5000" "$tmp/orderhub.db" "$sql" 2> "$tmp/sql.err" \
        && fail "$sql: the ledger is append-only"
    grep -q "append-only" "$tmp/sql.err" || fail "$sql: $(cat "$tmp/sql.err")"
done
call "$A" GET /v1/ledger
want 200 "the ledger"
is '[.entries[] | .order_id] == ["o-1", "o-1", "o-3"] and .entries[1].kind == "refund" and
    .entries[1].amount == -899 and .entries[1].cause == "return" and
    .entries[1].event == "return.inspected" and (.entries[0] | keys | length) == 9' \
   "s-A's own entries"
call "$A" GET "/v1/ledger?from=1500&to=3000"
is '[.entries[] | .amount] == [-899]' "from <= at_ms < to"
call "$A" GET "/v1/ledger?currency=EUR"
is '[.entries[] | .amount] == [1200]' "one currency"
call "$A" GET "/v1/ledger?limit=2"
is '(.entries | length) == 2 and (.next_after | type) == "number"' "a full page"
after=$(jq -r .next_after "$tmp/body")
call "$A" GET "/v1/ledger?limit=2&after=$after"
is '[.entries[] | .order_id] == ["o-3"] and .next_after == null' "the next page"
call "$A" GET /v1/ledger/balance
want 200 "the balance"
is '.balances == [{"currency": "EUR", "balance": 1200, "entries": 1},
                  {"currency": "USD", "balance": 2900, "entries": 2}]' "s-A's balance"
call "$X" GET "/v1/ledger/balance?seller=s-B"
is '.balances == [{"currency": "USD", "balance": 500, "entries": 1}]' "an admin reads s-B's"
ok "entries by period, currency and cursor; balances per currency"

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
run 0 --token "$A" ledger --month 1970-01 --csv
printf '%s\n' "id,at_ms,order_id,event,kind,cause,currency,amount" \
    "1,1000,o-1,payment.captured,sale,,USD,3799" \
    "2,2000,o-1,return.inspected,refund,return,USD,-899" \
    "4,3000,o-3,payment.captured,sale,,EUR,1200" > "$tmp/want.csv"
diff -u "$tmp/want.csv" "$tmp/out" || fail "ledger --month 1970-01 --csv"
run 0 --token "$X" ledger --seller s-B --month 1970-02 --csv
[ "$(cat "$tmp/out")" = "id,at_ms,order_id,event,kind,cause,currency,amount" ] \
    || fail "an empty month: the header only"
run 0 --token "$A" ledger
grep -q "^ID " "$tmp/out" && [ "$(grep -c ' o-[13] ' "$tmp/out")" -eq 3 ] \
    || { cat "$tmp/out"; fail "ledger: the table"; }
run 1 --token "$A" ledger --seller s-B
ok "orderhubctl ledger: the table, a month's statement as CSV, bad months, another seller refused"

stop_daemon
echo "1..$pass"
