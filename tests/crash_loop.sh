#!/bin/bash
# crash_loop.sh - a daemon that keeps dying never dead-letters (or strands) work it never did.
#
# The real orderhubd on one SQLite file, the sandbox gateway as a separate process answering
# every authorization late (CRASH_LOOP_DELAY_MS after booking it), clients placing a few
# hundred orders with Idempotency-Key, and a crash loop: CRASH_LOOP_KILLS daemons, each
# SIGKILLed 1-3 s after it started - so kills land while authorizations wait in the "pay"
# queue and while they are in flight.  Then one last daemon runs until nothing moves.
# Asserted, for every order whose placement was acknowledged (2xx):
#   - it exists;
#   - it is settled (awaiting_shipment, payment_failed, cancelled, rejected) - nothing is
#     stranded in placed / awaiting_payment with no action left to move it;
#   - the dead-letter list holds no authorization that never reached the gateway (its order
#     has no booked key in the gateway's ledger): a lease that expired while the action
#     waited in a queue is not an attempt;
#   - the ledger holds at most one authorization per order (replays reuse the key).
# Prints: accepted / settled / stranded / dead-lettered / dead-lettered-never-sent.
# Needs curl and jq (exit 77 without them).  Loopback only; bounded (about 60 s).
# Knobs: CRASH_LOOP_ORDERS, CRASH_LOOP_KILLS, CRASH_LOOP_DELAY_MS; CRASH_LOOP_KEEP=1 keeps
# the work directory.
set -u
: "${top_builddir:?}" "${top_srcdir:?}" "${PLUGIN_DIR:?}"
command -v curl > /dev/null 2>&1 || { echo "SKIP: curl is not installed"; exit 77; }
command -v jq > /dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

daemon="$top_builddir/core/orderhubd"
remote_bin="$top_builddir/contrib/fakes/orderhub-sandbox-remote"
CLIENTS=6
ORDERS=${CRASH_LOOP_ORDERS:-300}     # in all, spread over the clients
KILLS=${CRASH_LOOP_KILLS:-12}        # short-lived daemons, each SIGKILLed
DELAY_MS=${CRASH_LOOP_DELAY_MS:-500} # the gateway's answer leaves this late
RETRIES=60                           # tries per placement while no daemon answers (x 0.1 s)

KEEP=${CRASH_LOOP_KEEP:-}
LOG_LINES=20
# shellcheck source=tests/support/crash_lib.sh
. "$top_srcdir/tests/support/crash_lib.sh"
t0=$(now_ms)

: > "$tmp/remote.out"
ORDERHUB_SANDBOX_PAYMENT_DELAY_MS=$DELAY_MS \
    "$remote_bin" --port 0 --step-ms 1000 > "$tmp/remote.out" 2>&1 &
remote_pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/remote.out" && break; sleep 0.1; done
remote=$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9]*\)$/\1/p' "$tmp/remote.out")
[ -n "$remote" ] || fail "the sandbox remote did not start: $(cat "$tmp/remote.out")"

export ORDERHUB_PLUGIN_PATH="$PLUGIN_DIR"
export OH_LOOP_KEY="sk_sandbox_crash_loop"
export OH_LOOP_TOKEN="crash-loop-admin-token-0123456789"
auth=(-H "Authorization: Bearer $OH_LOOP_TOKEN")
# The shortest lease the configuration allows, so the next daemon takes over within a second;
# max_attempts well below the number of kills, so counting an attempt per kill shows.  While
# the daemons crash, "pay" runs 1 request at a time (2 a second at 500 ms): a backlog builds
# up behind it however fast the machine places orders.  The last daemon gets 16.
write_conf() {  # $1 the pay queue's concurrency
    cat > "$tmp/orderhub.conf" <<CONF
api = { tokens = ( { name = "loop"; role = "admin"; token = "env:OH_LOOP_TOKEN"; } ); };
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
engine = { lease_ms = 1000; max_attempts = 5; backoff_base_ms = 50; backoff_max_ms = 300; };
plugins = (
  { id = "pay"; module = "payment_sandbox"; limits = { concurrency = $1; };
    settings = { base_url = "http://$remote/sandbox/payments"; api_key = "env:OH_LOOP_KEY"; }; }
);
routes = ( { on = "order.placed"; chain = [ "pay" ]; } );
CONF
}
write_conf 1
"$daemon" -t -c "$tmp/orderhub.conf" > "$tmp/check.out" 2>&1 || { cat "$tmp/check.out"; fail "config refused"; }


order_json() {  # $1 id
    cat <<JSON
{"id":"$1","seller":{"id":"s-loop","email":"seller@example.test",
 "address":{"name":"Loop Goods","street1":"1 Kill Street","city":"Columbus",
            "region":"OH","postal_code":"43215","country":"US"}},
 "buyer":{"id":"b-loop","email":"buyer@example.test"},
 "items":[{"sku":"MUG-RED","quantity":2,"unit_price":1450},{"sku":"LID","quantity":1,"unit_price":99}],
 "currency":"USD","total":2999,
 "shipping_address":{"name":"Ada","street1":"12 Analytical Row","city":"Springfield",
                     "region":"IL","postal_code":"62701","country":"US"},
 "payment":{"token":"tok_visa_4242"},"service_level":"standard"}
JSON
}

# client C: places its share; an order counts as accepted only on a 2xx (a retry with the
# same Idempotency-Key answers from the record when the first answer was lost).
client() {
    local c=$1 n id code port dir="$tmp/client$1"
    mkdir -p "$dir"
    : > "$dir/accepted"
    for n in $(seq "$c" "$CLIENTS" "$ORDERS"); do
        id="loop-$n"
        order_json "$id" > "$dir/order.json"
        for _ in $(seq "$RETRIES"); do
            port=$(cat "$tmp/port" 2>/dev/null)
            code=$(curl -s -o "$dir/body" -w '%{http_code}' --max-time 5 -X POST \
                -H 'Content-Type: application/json' -H "Idempotency-Key: place-$id" "${auth[@]}" \
                --data-binary "@$dir/order.json" "http://127.0.0.1:$port/v1/orders" 2>/dev/null)
            case $code in
            2??) echo "$id" >> "$dir/accepted"; break ;;
            000 | 503) sleep 0.1 ;;
            *) echo "place $id: HTTP $code $(cat "$dir/body")" >> "$dir/unexpected"; break ;;
            esac
        done
    done
}

start_daemon
for c in $(seq "$CLIENTS"); do
    client "$c" &
    client_pids+=($!)
done

# ---- the crash loop: each daemon lives 1-3 s ------------------------------------------------
for k in $(seq "$KILLS"); do
    ms=$((1000 + RANDOM % 2001))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill -0 "$dpid" 2>/dev/null || fail "daemon $starts died on its own"
    kill -9 "$dpid" 2>/dev/null
    wait "$dpid" 2>/dev/null
    [ "$k" -lt "$KILLS" ] || write_conf 16   # the last daemon drains the backlog
    start_daemon
done
ok "$KILLS SIGKILLs, daemons living 1-3 s each; $starts starts on one SQLite file ($((($(now_ms) - t0) / 1000)) s)"

for p in "${client_pids[@]}"; do wait "$p"; done
client_pids=()
if cat "$tmp"/client*/unexpected > "$tmp/unexpected" 2>/dev/null && [ -s "$tmp/unexpected" ]; then
    head -10 "$tmp/unexpected"
    fail "unexpected API answers (above)"
fi
cat "$tmp"/client*/accepted | sort > "$tmp/accepted"
accepted=$(wc -l < "$tmp/accepted")
[ "$accepted" -ge $((ORDERS * 9 / 10)) ] || fail "only $accepted of $ORDERS placements acknowledged"
ok "$accepted of $ORDERS placements acknowledged ($((($(now_ms) - t0) / 1000)) s)"

# ---- the last daemon runs until nothing moves (or 30 s) ---------------------------------------
api="http://127.0.0.1:$(cat "$tmp/port")"
count_state() {  # orders in state $1 (listing pages of 200)
    local cursor="" total=0 page
    for _ in $(seq 20); do
        page=$(curl -s --max-time 5 "${auth[@]}" \
            "$api/v1/orders?state=$1&limit=200${cursor:+&cursor=$(jq -rn --arg c "$cursor" '$c|@uri')}")
        total=$((total + $(echo "$page" | jq '.orders | length')))
        cursor=$(echo "$page" | jq -r '.next_cursor // empty')
        [ -n "$cursor" ] || break
    done
    echo "$total"
}
# Done when none waits, or when the number waiting has not moved for 4 s (retries back off
# 300 ms at most: an order whose count stays put has nothing left to move it).
quiet_start=$(now_ms)
last="" same=0
while [ "$(now_ms)" -lt $((quiet_start + 30000)) ]; do
    waiting=$(($(count_state awaiting_payment) + $(count_state placed)))
    [ "$waiting" = 0 ] && break
    if [ "$waiting" = "$last" ]; then same=$((same + 1)); else same=0; fi
    [ "$same" -ge 8 ] && break
    last=$waiting
    sleep 0.5
done
sleep 1   # a settlement in flight lands
quiet_s=$((($(now_ms) - quiet_start) / 1000))
kill -0 "$dpid" 2>/dev/null || fail "the last daemon died"

# ---- the audit --------------------------------------------------------------------------------
list_all() {  # every order as "id state", pages of 200
    local cursor="" page
    for _ in $(seq 20); do
        page=$(curl -s --max-time 5 "${auth[@]}" \
            "$api/v1/orders?limit=200${cursor:+&cursor=$(jq -rn --arg c "$cursor" '$c|@uri')}")
        echo "$page" | jq -r '.orders[] | "\(.id) \(.state)"'
        cursor=$(echo "$page" | jq -r '.next_cursor // empty')
        [ -n "$cursor" ] || break
    done
}
list_all | sort > "$tmp/stored"
lost=$(cut -d' ' -f1 "$tmp/stored" | comm -13 - "$tmp/accepted" | wc -l)
join "$tmp/accepted" "$tmp/stored" > "$tmp/states"
settled=$(grep -c -E ' (awaiting_shipment|payment_failed|cancelled|rejected)$' "$tmp/states")
grep -v -E ' (awaiting_shipment|payment_failed|cancelled|rejected)$' "$tmp/states" > "$tmp/stranded"
stranded=$(wc -l < "$tmp/stranded")
curl -s --max-time 5 "${auth[@]}" "$api/v1/dead-letters" > "$tmp/dead.json"
curl -s --max-time 5 "http://$remote/sandbox/ledger" > "$tmp/ledger.json"
jq -e '.dead_letters | type == "array"' "$tmp/dead.json" > /dev/null || fail "no dead-letter list: $(head -c 300 "$tmp/dead.json")"
jq -e '.entries | type == "array"' "$tmp/ledger.json" > /dev/null || fail "no ledger from the sandbox remote"
jq -r '.entries[] | select(.operation == "authorize") | .order_id' "$tmp/ledger.json" | sort > "$tmp/authorized"
dead=$(jq '.dead_letters | length' "$tmp/dead.json")
jq -r '.dead_letters[] | select(.operation == "authorize") | .order_id' "$tmp/dead.json" | sort -u > "$tmp/dead_auth"
never_sent=$(comm -23 "$tmp/dead_auth" "$tmp/authorized" | wc -l)
dup=$(uniq -d "$tmp/authorized" | wc -l)
echo "# crash loop: accepted=$accepted settled=$settled stranded=$stranded lost=$lost dead_lettered=$dead dead_never_sent=$never_sent ledger_dup_auth=$dup (quiet after ${quiet_s} s)"

[ "$lost" -eq 0 ] || fail "$lost acknowledged orders are not stored"
ok "every acknowledged order is stored"
[ "$never_sent" -eq 0 ] ||
    fail "$never_sent authorizations dead-lettered that never reached the gateway (of $dead dead letters): $(comm -23 "$tmp/dead_auth" "$tmp/authorized" | head -5 | tr '\n' ' ')
  e.g. $(jq -c '.dead_letters[0]' "$tmp/dead.json")"
ok "no dead letter for an authorization that never left ($dead dead letters in all)"
[ "$stranded" -eq 0 ] || fail "$stranded of $accepted orders stranded $quiet_s s after the loop: $(head -5 "$tmp/stranded" | tr '\n' ' ')"
ok "all $accepted orders settled"
[ "$dup" -eq 0 ] || fail "$dup orders authorized more than once at the gateway (distinct keys)"
replays=$(jq '[.entries[] | select(.requests > 1) | .requests - 1] | add // 0' "$tmp/ledger.json")
ok "ledger: at most one authorization per order; $replays replayed requests absorbed by their keys"

kill -TERM "$dpid"
for _ in $(seq 150); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$dpid" 2>/dev/null && fail "the last daemon did not stop within 15 s of SIGTERM"
wait "$dpid"; rc=$?
dpid=""
[ "$rc" -eq 0 ] || { tail -20 "$tmp/daemon.$starts.log"; fail "the last daemon exited with status $rc on SIGTERM"; }
ok "the last daemon stops on SIGTERM with status 0"
echo "summary: $accepted accepted, $settled settled, $stranded stranded, $dead dead-lettered ($never_sent never sent), $KILLS kills, $(( ($(now_ms) - t0) / 1000 )) s"
echo "$pass passed, 0 failed"
