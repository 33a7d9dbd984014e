#!/bin/bash
# orderhubctl.sh - the command-line client against a real orderhubd and the sandbox remote:
# --help on every verb, usage errors, submit (idempotent) + show + timeline, the sandbox
# journey (ack, pack, carrier scans) to completed, a refused action (pack before ack), list
# filters and paging, roles (seller, storefront, support, admin), returns and disputes, a
# declined payment replaced, admin verbs, check-config, --json through jq, a wrong token
# (401), a dead daemon (exit 3), and no token in any output.
set -u
: "${top_builddir:?}" "${top_srcdir:?}" "${PLUGIN_DIR:?}"
ctl="$top_builddir/tools/orderhubctl/orderhubctl"
daemon="$top_builddir/core/orderhubd"
remote_bin="$top_builddir/contrib/fakes/orderhub-sandbox-remote"
sample="$top_srcdir/conf/sample-order.json"
command -v jq > /dev/null || { echo "SKIP: jq is needed"; exit 77; }

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap 'cleanup 2>/dev/null' EXIT
fail() {
    echo "FAIL: $*"
    for f in out err; do [ -s "$tmp/$f" ] && { echo "--- $f:"; cat "$tmp/$f"; }; done
    [ -f "$tmp/log" ] && { echo "--- daemon log:"; tail -40 "$tmp/log"; }
    exit 1
}
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }

# run EXPECTED_STATUS ARGS...: orderhubctl with stdout in $tmp/out, stderr in $tmp/err.
run() {
    local want=$1; shift
    "$ctl" --timeout 20 "$@" > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    cat "$tmp/out" "$tmp/err" >> "$tmp/all-output"
    [ "$rc" -eq "$want" ] || fail "orderhubctl $* exited $rc, expected $want"
}
has() { grep -q -- "$2" "$tmp/$1" || fail "$1 lacks '$2'"; }

export SHOP_TOKEN="shop-ctl-token-0123456789abcdef"
export ACME_TOKEN="acme-ctl-token-0123456789abcdef"
export DESK_TOKEN="desk-ctl-token-0123456789abcdef"
export ADMIN_TOKEN="admin-ctl-token-0123456789abcdef"
export ORDERHUB_SANDBOX_KEY="sk_sandbox_ctl"
export ORDERHUB_PLUGIN_PATH="$PLUGIN_DIR"
unset ORDERHUB_URL ORDERHUB_TOKEN
S=(--token "$SHOP_TOKEN")
printf '%s\n' "$ACME_TOKEN" > "$tmp/acme.token"
A=(--token-file "$tmp/acme.token")
D=(--token "$DESK_TOKEN")

# ---- without a daemon ----------------------------------------------------------------------
verbs=(submit show timeline list ack pack ship cancel payment return "return request"
       "return approve" "return reject" "return received" "return exchange" "return inspected"
       dispute "dispute open" "dispute resolve" dead-letters replay plugins check-config)
for v in "${verbs[@]}"; do
    # shellcheck disable=SC2086 # "return approve" is two words on purpose
    run 0 $v --help
    head -1 "$tmp/out" | grep -q "^usage: orderhubctl ${v%% *}" || fail "$v --help: no usage line first"
done
run 0 --help
head -1 "$tmp/out" | grep -q "^usage: orderhubctl " || fail "--help: no usage line first"
has out "check-config"
ok "--help on every verb (${#verbs[@]}) and on the program exits 0"

run 2
run 2 bogus
has err "unknown verb 'bogus'"
run 2 show
has err "missing argument"
run 2 show a b
run 2 show --bogus x
has err "unknown option '--bogus'"
run 2 list --limit 0
run 2 list --since yesterday
run 2 pack x --parcel 1x2
has err "WEIGHT_G"
run 2 return inspected o r
has err "outcome"
run 2 dispute resolve o d --resolution maybe
run 2 return sideways o
run 2 submit --idempotency-key '' "$sample"
run 2 --url ftp://127.0.0.1/ list
run 2 --token a --token-file "$tmp/acme.token" list
run 2 --token-file "$tmp/no-such-file" list
run 2 --timeout 0 list
printf '{"id": "x",\n  "items": [1,}\n' > "$tmp/bad.json"
run 2 submit "$tmp/bad.json"
has err "bad.json:2:"
ok "usage errors exit 2 with a message"

run 3 --url http://127.0.0.1:1 list
has err "cannot connect to http://127.0.0.1:1"
grep -Eq "orderhubd (is not running on this host|runs on this host)" "$tmp/err" \
    || fail "the message does not say whether orderhubd runs"
ok "no daemon at the URL: exit 3, the URL named, whether orderhubd runs said"

# ---- the sandbox remote and the daemon -------------------------------------------------------
"$remote_bin" --port 0 --step-ms 150 > "$tmp/remote.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q listening "$tmp/remote.out" && break; sleep 0.1; done
remote=$(sed -n 's/^listening on //p' "$tmp/remote.out")
[ -n "$remote" ] || fail "sandbox remote did not start"

cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
engine = { track_poll_ms = 200; };
api = {
  tokens = (
    { name = "shop"; role = "storefront";    token = "env:SHOP_TOKEN"; },
    { name = "acme"; role = "seller:s-4242"; token = "env:ACME_TOKEN"; },
    { name = "desk"; role = "support";       token = "env:DESK_TOKEN"; },
    { name = "ops";  role = "admin";         token = "env:ADMIN_TOKEN"; }
  );
};
plugins = (
  { id = "limits";  module = "filter_limits";   settings = { max_total = 500000; }; },
  { id = "pay";     module = "payment_sandbox";
    settings = { base_url = "http://$remote/sandbox/payments"; api_key = "env:ORDERHUB_SANDBOX_KEY"; }; },
  { id = "carrier"; module = "carrier_sandbox"; settings = { base_url = "http://$remote/sandbox/carrier"; }; }
);
routes = (
  { on = "order.placed";           chain = [ "limits", "pay" ]; },
  { on = "fulfillment.packed";     chain = [ "carrier" ]; },
  { on = "shipment.label_created"; chain = [ "pay" ]; }
);
CONF

run 0 check-config -c "$tmp/orderhub.conf"
has out "configuration OK"
printf 'plugins = ( { id = "x"; module = "nope"; } );\n' > "$tmp/bad.conf"
run 1 check-config -c "$tmp/bad.conf"
ok "check-config runs orderhubd --check-config and passes its status through"

"$daemon" -c "$tmp/orderhub.conf" 2> "$tmp/log" &
dpid=$!
pids+=("$dpid")
for _ in $(seq 100); do grep -q "API on" "$tmp/log" && break; sleep 0.1; done
hostport=$(sed -n 's/.*API on \([0-9.:]*\)).*/\1/p' "$tmp/log")
[ -n "$hostport" ] || fail "daemon did not start"
export ORDERHUB_URL="http://$hostport"

# wait_state ID STATE: poll the order (as admin) until it is in STATE (up to 20 s).
wait_state() {
    local st=""
    for _ in $(seq 200); do
        st=$("$ctl" --token "$ADMIN_TOKEN" --json show "$1" 2>/dev/null | jq -r .state)
        [ "$st" = "$2" ] && return 0
        sleep 0.1
    done
    fail "order $1 stuck in state '$st' (wanted $2)"
}

# ---- auth --------------------------------------------------------------------------------
run 1 --token "wrong-token-0123456789abcdef" list
has err "^orderhubctl: 401 Unauthorized: "
run 1 list
has err "401 Unauthorized"
has err "no token given"
ok "a wrong or missing token exits 1 with 401"

# ---- submit, show, refused action, the journey, timeline -----------------------------------
order=$(jq -r .id "$sample")
run 0 "${S[@]}" submit --idempotency-key "ctl-cart-1" "$sample"
[ "$(cat "$tmp/out")" = "$order awaiting_payment" ] || fail "submit output"
run 0 "${S[@]}" --json submit --idempotency-key "ctl-cart-1" "$sample"
jq -e --arg id "$order" '.id == $id and .state == "awaiting_payment"' "$tmp/out" > /dev/null \
    || fail "the same idempotency key did not return the first answer"
run 1 "${S[@]}" submit "$sample"
has err "^orderhubctl: 409 Conflict: "
ok "submit prints id and state; the same idempotency key answers the same; a second placement is 409"

wait_state "$order" awaiting_shipment
run 0 "${A[@]}" show "$order"
has out "^Order: *$order"
has out "^State: *awaiting_shipment"
has out "^Seller: *s-4242"
has out "^Buyer: *Ada Lovelace"
has out "^Total: *37.99 USD"
has out "MUG-BLUE-12OZ *2 *14.50 *29.00"
has out "COASTER-4PK *1 *8.99 *8.99"
! grep -q tok_visa "$tmp/out" || fail "show printed the payment token"
ok "show: a readable summary with the total in major units"

run 1 "${A[@]}" pack "$order" --parcel 950x250x200x120
has err "^orderhubctl: 409 Conflict: 'pack' is not allowed"
has err "not acknowledged"
ok "a refused action (pack before ack) exits 1 with the server's message"

run 1 "${S[@]}" ack "$order"
has err "403 Forbidden"
ok "an action the role may not take exits 1 with 403"

run 0 "${A[@]}" ack "$order"
[ "$(cat "$tmp/out")" = "$order awaiting_shipment" ] || fail "ack output"
run 0 "${A[@]}" pack "$order" --parcel 950x250x200x120
[ "$(cat "$tmp/out")" = "$order awaiting_collection" ] || fail "pack output"
wait_state "$order" completed
run 0 "${A[@]}" show "$order"
has out "^State: *completed"
has out "^Tracking: *SBX"
has out "^Last scan: *Delivered"
has out "^Parcels: *950 g, 250x200x120 mm"
ok "ack and pack; the sandbox journey takes the order to completed; show has the tracking"

run 0 "${S[@]}" timeline "$order"
has out "^TIME *EVENT *STATE *DETAIL"
for ev in order.placed payment.authorized order.acknowledged fulfillment.packed \
          shipment.label_created payment.captured shipment.in_transit shipment.delivered \
          order.completed; do
    grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} +$ev " "$tmp/out" \
        || fail "timeline lacks $ev"
done
grep -Eq "payment.authorized +awaiting_shipment +sbx_" "$tmp/out" || fail "transaction id detail"
grep -Eq "shipment.label_created +awaiting_collection +SBX" "$tmp/out" || fail "tracking detail"
grep -Eq "shipment.delivered +delivered +Delivered, front door" "$tmp/out" || fail "scan detail"
run 0 "${S[@]}" --json timeline "$order"
jq -e --arg id "$order" '.order_id == $id and (.events | length) >= 10
    and .events[-1].name == "order.completed"' "$tmp/out" > /dev/null || fail "timeline --json"
ok "timeline: a table with local time, the expected events, states and details; --json parses"

# ---- more orders: list filters and paging ----------------------------------------------------
for i in 1 2 3; do
    seller=s-4242 currency=USD
    [ "$i" -eq 3 ] && seller=s-other currency=JPY
    jq --arg id "ord-ctl-$i" --arg s "$seller" --arg c "$currency" \
        '.id = $id | .seller.id = $s | .currency = $c' "$sample" > "$tmp/order-$i.json"
    run 0 "${S[@]}" submit "$tmp/order-$i.json"
done
for i in 1 2 3; do wait_state "ord-ctl-$i" awaiting_shipment; done
run 0 --token "$ADMIN_TOKEN" list
for id in "$order" ord-ctl-1 ord-ctl-2 ord-ctl-3; do has out "^$id "; done
has out "^ID *STATE *SELLER *UPDATED"
run 0 --token "$ADMIN_TOKEN" list --seller s-other
has out "^ord-ctl-3 .* s-other "
[ "$(grep -c '^ord-' "$tmp/out")" -eq 1 ] || fail "--seller filter"
run 0 --token "$ADMIN_TOKEN" list --state completed
has out "^$order *completed"
! grep -q "^ord-ctl" "$tmp/out" || fail "--state filter"
run 0 --token "$ADMIN_TOKEN" list --since 2999-01-01T00:00:00Z
has out "^no orders"
run 0 --token "$ADMIN_TOKEN" list --since "$(date -u -d "-1 hour" +%Y-%m-%dT%H:%M:%SZ)"
[ "$(grep -c '^ord-' "$tmp/out")" -eq 4 ] || fail "--since today (ISO 8601)"
run 0 --token "$ADMIN_TOKEN" list --since "$(( $(date +%s) * 1000 + 3600000 ))"
has out "^no orders"
run 0 --token "$ADMIN_TOKEN" list --limit 1
[ "$(grep -c '^ord-' "$tmp/out")" -eq 1 ] || fail "--limit 1"
has err "more orders: --all, or --cursor "
run 0 --token "$ADMIN_TOKEN" --json list --limit 1
jq -e '(.orders | length) == 1 and (.next_cursor | type) == "string"' "$tmp/out" > /dev/null \
    || fail "list --json --limit 1"
cursor=$(jq -r .next_cursor "$tmp/out")
run 0 --token "$ADMIN_TOKEN" list --limit 1 --cursor "$cursor"
[ "$(grep -c '^ord-' "$tmp/out")" -eq 1 ] || fail "--cursor"
run 0 --token "$ADMIN_TOKEN" list --limit 1 --all
[ "$(grep -c '^ord-' "$tmp/out")" -eq 4 ] || fail "--all did not follow next_cursor"
run 0 --token "$ADMIN_TOKEN" --json list --limit 2 --all
jq -e '(.orders | map(.id) | unique | length) == 4 and .next_cursor == null' "$tmp/out" \
    > /dev/null || fail "list --all --json"
run 0 --token "$ADMIN_TOKEN" show ord-ctl-3
has out "^Total: *3799 JPY"
has out "MUG-BLUE-12OZ *2 *1450 *2900"
ok "list: --seller, --state, --since (ISO 8601 and Unix ms), --limit, --cursor, --all; --json parses; JPY has no decimals"

run 0 "${A[@]}" list
[ "$(grep -c '^ord-' "$tmp/out")" -eq 3 ] || fail "a seller token lists its own orders only"
! grep -q "ord-ctl-3" "$tmp/out" || fail "a seller saw another seller's order"
run 1 "${A[@]}" show ord-ctl-3
has err "404 Not Found"
ok "a seller token lists and sees its own orders only (another's answers 404)"

# ---- cancel, payment after a decline, returns, disputes ------------------------------------
run 0 "${S[@]}" cancel ord-ctl-2
[ "$(cat "$tmp/out")" = "ord-ctl-2 cancelled" ] || fail "cancel output"
jq '.id = "ord-ctl-decl" | .payment.token = "tok_decline"' "$sample" > "$tmp/decl.json"
run 0 "${S[@]}" submit "$tmp/decl.json"
wait_state ord-ctl-decl payment_failed
run 0 "${S[@]}" timeline ord-ctl-decl
has out "payment.failed"
run 0 "${S[@]}" payment ord-ctl-decl tok_visa_4242
wait_state ord-ctl-decl awaiting_shipment
ok "cancel; a declined payment replaced with payment ID TOKEN"

run 0 "${S[@]}" return request "$order" --reason "chipped mug" --sku MUG-BLUE-12OZ
has out "^$order completed"
rid=$(sed -n 's/^return_id //p' "$tmp/out")
[ -n "$rid" ] || fail "no return id printed"
run 0 "${A[@]}" return approve "$order" "$rid"
run 0 "${A[@]}" show "$order"
has out "^Return: *$rid approved"
run 0 "${S[@]}" --json dispute open "$order" --reason "late"
did=$(jq -r .dispute_id "$tmp/out")
{ [ -n "$did" ] && [ "$did" != null ]; } || fail "no dispute id"
run 1 "${S[@]}" dispute resolve "$order" "$did" --resolution reject
has err "403 Forbidden"
run 0 "${D[@]}" dispute resolve "$order" "$did" --resolution reject
run 0 "${S[@]}" timeline "$order"
has out "return.requested .*chipped mug"
has out "dispute.resolved"
ok "return request/approve (seller), dispute open (storefront) and resolve (support only)"

# ---- admin ----------------------------------------------------------------------------------
run 0 --token "$ADMIN_TOKEN" plugins
has out "^ID *MODULE *KIND *VERSION *ABI"
has out "^pay *payment_sandbox *payment *[0-9.]* *1\.[0-9]"
has out "^carrier *carrier_sandbox *carrier"
run 0 --token "$ADMIN_TOKEN" --json plugins
jq -e '.plugins | length == 3' "$tmp/out" > /dev/null || fail "plugins --json"
run 0 --token "$ADMIN_TOKEN" dead-letters
grep -Eq "^(no dead letters|ID +ORDER +INSTANCE)" "$tmp/out" || fail "dead-letters output"
run 0 --token "$ADMIN_TOKEN" --json dead-letters
jq -e '.dead_letters | type == "array"' "$tmp/out" > /dev/null || fail "dead-letters --json"
run 1 --token "$ADMIN_TOKEN" replay 999999
has err "404 Not Found"
run 1 "${S[@]}" plugins
has err "404 Not Found"
ok "plugins and dead-letters tables (admin); replay of an unknown id and a non-admin token are refused"

# ---- JSON output of the other verbs, verbose, no token anywhere ------------------------------
run 0 "${A[@]}" --json show "$order"
jq -e --arg id "$order" '.id == $id and .state == "completed"' "$tmp/out" > /dev/null \
    || fail "show --json"
run 0 "${A[@]}" --json ack ord-ctl-1
jq -e '.state == "awaiting_shipment"' "$tmp/out" > /dev/null || fail "ack --json"
ok "--json output parses with jq (submit, show, timeline, list, ack, dispute, admin)"

run 0 "${A[@]}" --verbose show "$order"
has err "^orderhubctl: > GET http://$hostport/v1/orders/$order$"
has err "^orderhubctl: < 200 OK"
run 1 --verbose --token "$ADMIN_TOKEN" replay 424242
has err "> POST http://$hostport/v1/dead-letters/424242/replay"
has err "< 404 Not Found"
for t in "$SHOP_TOKEN" "$ACME_TOKEN" "$DESK_TOKEN" "$ADMIN_TOKEN"; do
    ! grep -qF -- "$t" "$tmp/all-output" || fail "a token was printed"
done
ok "--verbose prints method, URL and status; no token in any output of this test"

# ---- the daemon stops: exit 3 --------------------------------------------------------------
kill -TERM "$dpid"
wait "$dpid"
run 3 "${A[@]}" show "$order"
has err "cannot connect to $ORDERHUB_URL"
grep -Eq "orderhubd (is not running on this host|runs on this host)" "$tmp/err" \
    || fail "the message does not say whether orderhubd runs"
ok "a dead daemon's URL exits 3 naming the URL"

echo "$pass passed, 0 failed"
