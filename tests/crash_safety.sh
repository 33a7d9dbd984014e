#!/bin/bash
# crash_safety.sh - nothing accepted is ever lost (docs/architecture.md §7).
#
# The real orderhubd on one SQLite file, the sandbox gateway and carrier as a separate
# process, several concurrent HTTP clients placing orders (some also acknowledge and pack
# them), and the daemon SIGKILLed at random moments and restarted on the same file.
# Clients record an order as accepted only when the API said so (201/200, or 409 "exists"
# on a retry whose first answer was lost).  Then, on the last daemon:
#   - every accepted order is in the store, its timeline starts with order.placed, seq
#     strictly increasing, no event of a one-time step applied twice;
#   - every acknowledge / pack answered 200 is in the store;
#   - no accepted order is left in awaiting_payment: the authorizations were resumed;
#   - the gateway booked exactly one authorization per order (idempotency keys absorbed the
#     re-sent requests), at most one capture, and no money for an order the store lacks;
#   - every accepted order's order.placed notification was delivered (at least once).
# Needs curl and jq (exit 77 without them).  Loopback only; bounded well under 2 minutes.
# Knobs: CRASH_CLIENTS, CRASH_ORDERS, CRASH_KILLS, CRASH_PAYMENT_DELAY_MS; CRASH_KEEP=1 keeps
# the work directory (database, daemon logs, ledger) for a post-mortem.
set -u
: "${top_builddir:?}" "${top_srcdir:?}" "${PLUGIN_DIR:?}"
command -v curl > /dev/null 2>&1 || { echo "SKIP: curl is not installed"; exit 77; }
command -v jq > /dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

daemon="$top_builddir/core/orderhubd"
remote_bin="$top_builddir/contrib/fakes/orderhub-sandbox-remote"
CLIENTS=${CRASH_CLIENTS:-4}       # concurrent clients; the odd ones also ack + pack
ORDERS=${CRASH_ORDERS:-40}        # orders per client
KILLS=${CRASH_KILLS:-5}           # SIGKILLs of the daemon while the clients run
RETRIES=30                        # attempts per request while the daemon is down (x 0.2 s)
LAG=4                             # ack+pack clients work on the order placed LAG orders ago

KEEP=${CRASH_KEEP:-}
LOG_LINES=30
# shellcheck source=tests/support/crash_lib.sh
. "$top_srcdir/tests/support/crash_lib.sh"
t0=$(now_ms)

# ---- the sandbox gateway and carrier --------------------------------------------------------
# Each payment answer leaves the gateway late: a kill then often falls between the booking
# and the daemon's settling of the action, so the resumed action re-sends the same key.  At
# 150 ms the "pay" queue (4 requests in flight) also backs up past lease_ms after a restart,
# so actions are claimed again while their own process still runs them: they must not run
# (or be settled) twice.  CRASH_PAYMENT_DELAY_MS=300 makes that the common case.
: > "$tmp/remote.out"
ORDERHUB_SANDBOX_PAYMENT_DELAY_MS=${CRASH_PAYMENT_DELAY_MS:-150} \
    "$remote_bin" --port 0 --step-ms 200 > "$tmp/remote.out" 2>&1 &
remote_pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/remote.out" && break; sleep 0.1; done
remote=$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9]*\)$/\1/p' "$tmp/remote.out")
[ -n "$remote" ] || fail "the sandbox remote did not start: $(cat "$tmp/remote.out")"

export ORDERHUB_PLUGIN_PATH="$PLUGIN_DIR"
export OH_CRASH_KEY="sk_sandbox_crash_safety"
export OH_CRASH_TOKEN="crash-safety-admin-token-0123456789"
auth=(-H "Authorization: Bearer $OH_CRASH_TOKEN")
cat > "$tmp/orderhub.conf" <<CONF
api = { tokens = ( { name = "crash"; role = "admin"; token = "env:OH_CRASH_TOKEN"; } ); };
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
engine = { lease_ms = 1000; backoff_base_ms = 50; backoff_max_ms = 500; track_poll_ms = 200; };
plugins = (
  { id = "pay";      module = "payment_sandbox";
    settings = { base_url = "http://$remote/sandbox/payments"; api_key = "env:OH_CRASH_KEY"; }; },
  { id = "carrier";  module = "carrier_sandbox"; settings = { base_url = "http://$remote/sandbox/carrier"; }; },
  { id = "timeline"; module = "notify_log";      settings = { path = "$tmp/notifications.jsonl"; }; }
);
routes = (
  { on = "order.placed";           chain = [ "pay" ]; },
  { on = "fulfillment.packed";     chain = [ "carrier" ]; },
  { on = "shipment.label_created"; chain = [ "pay" ]; },
  { on = "order.*";                chain = [ "timeline" ]; },
  { on = "shipment.*";             chain = [ "timeline" ]; }
);
CONF
if ! "$daemon" -t -c "$tmp/orderhub.conf" > "$tmp/check.out" 2>&1 &&
    grep -q "unknown.*'api'\|'api'.*unknown" "$tmp/check.out"; then
    sed -i '/^api = /d' "$tmp/orderhub.conf"   # a daemon from before API tokens
    auth=()
fi
"$daemon" -t -c "$tmp/orderhub.conf" > "$tmp/check.out" 2>&1 || { cat "$tmp/check.out"; fail "config refused"; }


# ---- the clients ---------------------------------------------------------------------------
# http METHOD PATH OUT [BODY_FILE]: prints the status, 000 when no daemon answered.
http() {
    local port
    port=$(cat "$tmp/port" 2>/dev/null)
    [ -n "$port" ] || { echo 000; return; }
    curl -s -o "$3" -w '%{http_code}' --max-time 5 -X "$1" -H 'Content-Type: application/json' "${auth[@]}" \
        ${4:+--data-binary "@$4"} "http://127.0.0.1:$port$2" 2>/dev/null || true
}

order_json() {  # $1 id, $2 client
    cat <<JSON
{"id":"$1","seller":{"id":"s-crash-$2","email":"seller$2@example.test",
 "address":{"name":"Crash Test Goods","street1":"1 Kill Street","city":"Columbus",
            "region":"OH","postal_code":"43215","country":"US"}},
 "buyer":{"id":"b-$2","email":"buyer$2@example.test"},
 "items":[{"sku":"MUG-RED","quantity":2,"unit_price":1450},{"sku":"LID","quantity":1,"unit_price":99}],
 "currency":"USD","total":2999,
 "shipping_address":{"name":"Ada","street1":"12 Analytical Row","city":"Springfield",
                     "region":"IL","postal_code":"62701","country":"US"},
 "payment":{"token":"tok_visa_4242"},"service_level":"standard"}
JSON
}

get_field() {  # $1 id, $2 jq filter: prints the value, or nothing while no daemon answers
    local out="$cdir/get"
    [ "$(http GET "/v1/orders/$1" "$out")" = 200 ] && jq -r "$2" "$out" 2>/dev/null
}

# seller_action ID ack|pack: 0 once the action is durable (200, or a retry finds it applied).
seller_action() {
    local id=$1 act=$2 out="$cdir/act" body="" code
    [ "$act" = pack ] && body="$tmp/parcels.json"
    for _ in $(seq "$RETRIES"); do
        code=$(http POST "/v1/orders/$id/$act" "$out" $body)
        case $code in
        200) return 0 ;;
        000 | 503) sleep 0.2 ;;
        409)  # refused: was an earlier attempt, whose answer was lost, applied?
            if [ "$act" = ack ]; then
                [ "$(get_field "$id" .acknowledged)" = true ] && { echo "$id" >> "$cdir/retried"; return 0; }
            else
                [ "$(get_field "$id" '.fulfillment.parcels | length')" = 1 ] &&
                    { echo "$id" >> "$cdir/retried"; return 0; }
            fi
            return 1 ;;
        *) echo "$act $id: HTTP $code $(cat "$out")" >> "$cdir/unexpected"; return 1 ;;
        esac
    done
    return 1
}

advance() {  # acknowledge, then pack, an accepted order once it is paid
    local id=$1 state=""
    for _ in $(seq 40); do
        state=$(get_field "$id" .state)
        [ "$state" = awaiting_shipment ] && break
        sleep 0.1
    done
    [ "$state" = awaiting_shipment ] || return 0
    seller_action "$id" ack || return 0
    echo "$id" >> "$cdir/acked"
    seller_action "$id" pack && echo "$id" >> "$cdir/packed"
}

client() {  # $1 client number, $2 1 = also ack and pack
    local c=$1 seller=$2 n id code tries queue=()
    cdir="$tmp/client$c"
    mkdir -p "$cdir"
    : > "$cdir/accepted"
    for n in $(seq "$ORDERS"); do
        [ "$(now_ms)" -lt "$deadline" ] || break
        id="crash-$c-$n"
        order_json "$id" "$c" > "$cdir/order.json"
        for tries in $(seq "$RETRIES"); do
            code=$(http POST /v1/orders "$cdir/body" "$cdir/order.json")
            case $code in
            200 | 201) echo "$id" >> "$cdir/accepted"; break ;;
            409)
                if grep -q exists "$cdir/body" && [ "$tries" -gt 1 ]; then
                    echo "$id" >> "$cdir/accepted"   # the lost answer's POST was durable
                    echo "$id" >> "$cdir/resubmitted"
                else
                    echo "place $id (try $tries): HTTP 409 $(cat "$cdir/body")" >> "$cdir/unexpected"
                fi
                break ;;
            000 | 503) [ "$code" = 000 ] && echo "$id" >> "$cdir/conn_errors"; sleep 0.2 ;;
            *) echo "place $id: HTTP $code $(cat "$cdir/body")" >> "$cdir/unexpected"; break ;;
            esac
        done
        if [ "$seller" = 1 ] && grep -qx "$id" "$cdir/accepted"; then
            queue+=("$id")
            if [ "${#queue[@]}" -gt "$LAG" ]; then
                advance "${queue[0]}"
                queue=("${queue[@]:1}")
            fi
        fi
        sleep 0.1
    done
    for id in "${queue[@]}"; do advance "$id"; done
}

echo '{"parcels":[{"weight_g":950,"length_mm":250,"width_mm":200,"height_mm":120}]}' > "$tmp/parcels.json"

start_daemon
ok "sandbox remote on $remote, orderhubd up on 127.0.0.1:$(cat "$tmp/port")"

deadline=$(($(now_ms) + 45000))   # clients place no new order after this
for c in $(seq "$CLIENTS"); do
    client "$c" $((c % 2)) &
    client_pids+=($!)
done

# ---- kill -9 at random moments, restart on the same SQLite file -----------------------------
kills=0
for _ in $(seq "$KILLS"); do
    ms=$((200 + RANDOM % 1301))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill -9 "$dpid" 2>/dev/null || fail "daemon died on its own before kill $((kills + 1))"
    wait "$dpid" 2>/dev/null
    kills=$((kills + 1))
    sleep 0.$((RANDOM % 3))   # sometimes down for a while: clients see refused connections
    start_daemon
done
running=0
for p in "${client_pids[@]}"; do kill -0 "$p" 2>/dev/null && running=$((running + 1)); done
ok "$kills SIGKILLs, $starts starts on one SQLite file ($running of $CLIENTS clients still running after the last kill)"

for p in "${client_pids[@]}"; do wait "$p"; done
client_pids=()
cat "$tmp"/client*/accepted > "$tmp/accepted"
cat "$tmp"/client*/acked > "$tmp/acked" 2>/dev/null || : > "$tmp/acked"
cat "$tmp"/client*/packed > "$tmp/packed" 2>/dev/null || : > "$tmp/packed"
accepted=$(wc -l < "$tmp/accepted")
resubmitted=$(cat "$tmp"/client*/resubmitted 2>/dev/null | wc -l)
retried=$(cat "$tmp"/client*/retried 2>/dev/null | wc -l)
conn_errors=$(cat "$tmp"/client*/conn_errors 2>/dev/null | wc -l)
if cat "$tmp"/client*/unexpected > "$tmp/unexpected" 2>/dev/null && [ -s "$tmp/unexpected" ]; then
    head -20 "$tmp/unexpected"
    fail "unexpected API answers (above)"
fi
[ "$accepted" -ge $((CLIENTS * ORDERS / 2)) ] || fail "only $accepted orders accepted"
[ "$(sort "$tmp/accepted" | uniq -d | wc -l)" -eq 0 ] || fail "an order id accepted twice"
ok "$accepted orders accepted ($resubmitted by a retry that found it stored), $(wc -l < "$tmp/acked") acknowledged, $(wc -l < "$tmp/packed") packed; $conn_errors refused connections retried"

# ---- let the last daemon finish the resumed work ---------------------------------------------
api="http://127.0.0.1:$(cat "$tmp/port")"
mkdir -p "$tmp/final"
snapshot_all() {  # every accepted order and its timeline into $tmp/final
    while read -r id; do
        curl -s --max-time 5 "${auth[@]}" -o "$tmp/final/$id.order" -w '%{http_code}\n' "$api/v1/orders/$id" \
            > "$tmp/final/$id.code" 2>/dev/null
        curl -s --max-time 5 "${auth[@]}" -o "$tmp/final/$id.events" "$api/v1/orders/$id/events" 2>/dev/null
    done < "$tmp/accepted"
}
# Until no accepted order awaits its authorization and every packed order is captured (a
# state never goes back to awaiting_payment, a capture is never undone: settled orders are
# not asked again), or 60 s.
settled=0
waiting=$(cat "$tmp/accepted")
shipping=$(cat "$tmp/packed")
idle_start=$(now_ms)
while [ "$(now_ms)" -lt $((idle_start + 60000)) ]; do
    still=""
    for id in $waiting; do
        state=$(curl -s --max-time 5 "${auth[@]}" "$api/v1/orders/$id" 2>/dev/null | jq -r .state 2>/dev/null)
        [ -n "$state" ] && [ "$state" != awaiting_payment ] || still="$still $id"
    done
    waiting=$still
    still=""
    for id in $shipping; do
        curl -s --max-time 5 "${auth[@]}" "$api/v1/orders/$id/events" 2>/dev/null |
            jq -e '[.events[].name] | index("payment.captured")' > /dev/null 2>&1 || still="$still $id"
    done
    shipping=$still
    [ -z "$waiting" ] && [ -z "$shipping" ] && { settled=1; break; }
    sleep 0.5
done
idle_s=$((($(now_ms) - idle_start) / 1000))
kill -0 "$dpid" 2>/dev/null || fail "the last daemon died"
snapshot_all

# (a) every accepted order exists, with a sane timeline
bad=0
while read -r id; do
    code=$(cat "$tmp/final/$id.code")
    if [ "$code" != 200 ]; then
        echo "  lost: $id (GET answered $code)"; bad=$((bad + 1)); continue
    fi
    jq -e '.events as $e | ($e | length) > 0 and $e[0].name == "order.placed"
           and ([range(1; $e | length) | $e[.].seq > $e[. - 1].seq] | all)
           and ([$e[] | select(.name == "order.placed")] | length) == 1
           and ([$e[] | select(.name == "payment.authorized")] | length) <= 1
           and ([$e[] | select(.name == "payment.captured")] | length) <= 1' \
        "$tmp/final/$id.events" > /dev/null 2>&1 ||
        { echo "  bad timeline: $id: $(jq -c '[.events[] | [.seq, .name]]' "$tmp/final/$id.events" 2>&1)"; bad=$((bad + 1)); }
done < "$tmp/accepted"
[ "$bad" -eq 0 ] || fail "$bad of $accepted accepted orders lost or with a broken timeline"
ok "every accepted order is stored; timelines start with order.placed, seq strictly increasing, no step applied twice"

while read -r id; do
    [ "$(jq -r .acknowledged "$tmp/final/$id.order")" = true ] &&
        jq -e '[.events[].name] | index("order.acknowledged")' "$tmp/final/$id.events" > /dev/null ||
        { echo "  acknowledge lost: $id"; bad=$((bad + 1)); }
done < "$tmp/acked"
while read -r id; do
    jq -e '.fulfillment.parcels | length == 1' "$tmp/final/$id.order" > /dev/null &&
        jq -e '[.events[].name] | index("fulfillment.packed")' "$tmp/final/$id.events" > /dev/null ||
        { echo "  pack lost: $id"; bad=$((bad + 1)); }
done < "$tmp/packed"
[ "$bad" -eq 0 ] || fail "$bad acknowledged or packed orders lost that step ($retried found applied by a retry)"
ok "every acknowledge and pack answered 200 is stored ($retried confirmed by a retry)"

# (b) nothing stuck in awaiting_payment: the authorize actions were resumed after the kills
stuck=$(while read -r id; do jq -r 'select(.state != "awaiting_shipment" and .state != "awaiting_collection"
          and .state != "in_transit" and .state != "delivered" and .state != "completed")
          | "\(.id) \(.state)"' "$tmp/final/$id.order"; done < "$tmp/accepted")
[ "$settled" = 1 ] && [ -z "$stuck" ] ||
    fail "orders not settled $idle_s s after the load
  not paid (awaiting_payment = the authorization was never resumed):
$(echo "${stuck:-none}" | head -20 | sed 's/^/    /')
  packed but never captured (label or capture never resumed):${shipping:- none}"
ok "every accepted order is paid ($idle_s s after the load), every packed order captured"

# (c) the gateway's ledger: exactly one authorization per order, replays absorbed
curl -s --max-time 5 "http://$remote/sandbox/ledger" > "$tmp/ledger.json" 2>/dev/null
jq -e '.entries | type == "array"' "$tmp/ledger.json" > /dev/null || fail "no ledger from the sandbox remote"
jq -r '.entries[] | select(.operation == "authorize") | .order_id' "$tmp/ledger.json" | sort > "$tmp/authorized"
dup=$(uniq -d "$tmp/authorized")
[ -z "$dup" ] || fail "orders authorized more than once (distinct keys): $(echo $dup | head -c 300)"
missing=$(sort "$tmp/accepted" | comm -23 - "$tmp/authorized")
[ -z "$missing" ] || fail "paid orders without a booked authorization: $(echo $missing | head -c 300)"
dupcap=$(jq -r '.entries[] | select(.operation == "capture") | .order_id' "$tmp/ledger.json" | sort | uniq -d)
[ -z "$dupcap" ] || fail "orders captured more than once: $(echo $dupcap | head -c 300)"
captured=$(jq '[.entries[] | select(.operation == "capture")] | length' "$tmp/ledger.json")
[ "$captured" -ge "$(wc -l < "$tmp/packed")" ] || fail "$captured captures for $(wc -l < "$tmp/packed") packed orders"
# Money booked for an order that is not in the store would be an order lost after the charge.
orphans=0
for id in $(jq -r '.entries[].order_id' "$tmp/ledger.json" | sort -u); do
    [ "$(curl -s --max-time 5 "${auth[@]}" -o /dev/null -w '%{http_code}' "$api/v1/orders/$id")" = 200 ] ||
        { echo "  charged but not stored: $id"; orphans=$((orphans + 1)); }
done
[ "$orphans" -eq 0 ] || fail "$orphans orders charged at the gateway are not in the store"
replays=$(jq '[.entries[] | select(.requests > 1) | .requests - 1] | add // 0' "$tmp/ledger.json")
replayed_keys=$(jq '[.entries[] | select(.requests > 1)] | length' "$tmp/ledger.json")
booked=$(jq '.entries | length' "$tmp/ledger.json")
ok "ledger: $booked keys booked, one authorization per order, $captured captures (none twice), no charge without an order; $replays replayed requests on $replayed_keys keys absorbed"

# notifications: at-least-once, deduplicable by dedupe_id
jq -R -r 'fromjson? // empty | select(.event == "order.placed") | .order_id' "$tmp/notifications.jsonl" \
    2>/dev/null | sort -u > "$tmp/notified"
unnotified=$(sort "$tmp/accepted" | comm -23 - "$tmp/notified")
[ -z "$unnotified" ] || fail "order.placed never notified for: $(echo $unnotified | head -c 300)"
lines=$(wc -l < "$tmp/notifications.jsonl")
dupnotes=$(jq -R -r 'fromjson? // empty | .dedupe_id' "$tmp/notifications.jsonl" | sort | uniq -d | wc -l)
ok "every accepted order's order.placed was notified ($lines lines, $dupnotes dedupe ids delivered more than once)"

# The last daemon, which resumed everything, also stops cleanly (sanitizer builds report here).
kill -TERM "$dpid"
for _ in $(seq 150); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$dpid" 2>/dev/null && fail "the last daemon did not stop within 15 s of SIGTERM"
wait "$dpid"; rc=$?
dpid=""
[ "$rc" -eq 0 ] || { tail -30 "$tmp/daemon.$starts.log"; fail "the last daemon exited with status $rc on SIGTERM"; }
ok "the last daemon stops on SIGTERM with status 0"

echo "summary: $accepted orders accepted across $CLIENTS clients, $kills kills, $replays replays absorbed by idempotency keys, $resubmitted re-submissions answered 409 exists, $(( ($(now_ms) - t0) / 1000 )) s"
echo "$pass passed, 0 failed"
