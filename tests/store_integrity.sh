#!/bin/bash
# store_integrity.sh - the real orderhubd on damaged, empty and foreign store files (D11):
#   - a missing file is created (logged); a healthy store answers /healthz 200, passes
#     POST /v1/store/check and 'orderhubctl check-store';
#   - a 0-byte file, a text file and another application's SQLite file are refused at
#     start with a message naming the file; --create-store initialises the 0-byte one only;
#   - a page zeroed on disk (dd, daemon stopped) is refused at start by quick_check; with
#     --skip-store-check the daemon starts (warning logged), and the read that hits the page
#     answers 503 "store: ...", then /healthz, the check endpoint and check-store fail;
#   - a snapshot whose bytes rotted on disk answers 500 "store: ..." with a log line
#     naming the order, never 404 "no such order";
#   - the writer hitting a persistent I/O error (the file size limit, RLIMIT_FSIZE) makes
#     /healthz 503 with the reason, and 200 again once a write commits.
#
# How the files are damaged: every damage is done with dd on a COPY of a database file,
# while no daemon has it open, and never through SQL - it stands for what a failing disk
# or a bad sector does to the file.  The tests never edit rows to make something happen.
set -u
: "${top_builddir:?}" "${top_srcdir:?}"
daemon="$top_builddir/core/orderhubd"
ctl="$top_builddir/tools/orderhubctl/orderhubctl"
sample="$top_srcdir/conf/sample-order.json"
command -v curl > /dev/null || { echo "SKIP: curl is needed"; exit 77; }
command -v jq > /dev/null || { echo "SKIP: jq is needed"; exit 77; }
command -v prlimit > /dev/null || { echo "SKIP: prlimit (util-linux) is needed"; exit 77; }
command -v python3 > /dev/null || { echo "SKIP: python3 is needed (a foreign SQLite file)"; exit 77; }

tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap 'cleanup 2>/dev/null' EXIT
log="$tmp/log"
fail() {
    echo "FAIL: $*"
    [ -f "$tmp/body" ] && { echo "--- last answer ($code):"; head -c 2000 "$tmp/body"; echo; }
    [ -f "$log" ] && { echo "--- daemon log:"; tail -20 "$log"; }
    exit 1
}
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }

export ADMIN_TOKEN="admin-api-token-0123456789abcdef"
export SHOP_TOKEN="shop-api-token-0123456789abcdef"

# conf DB: a configuration on store file DB (no plugins: nothing but the store matters).
conf() {
    cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store  = { path = "$1"; };
api = { tokens = (
  { name = "ops";  role = "admin";      token = "env:ADMIN_TOKEN"; },
  { name = "shop"; role = "storefront"; token = "env:SHOP_TOKEN"; }
); };
CONF
}
# call TOKEN METHOD PATH [CURL ARGS...]: status in $code, body in $tmp/body.
call() {
    local tok=$1 method=$2 path=$3
    shift 3
    local auth=()
    [ -n "$tok" ] && auth=(-H "Authorization: Bearer $tok")
    code=$(curl -sS --max-time 20 -o "$tmp/body" -w '%{http_code}' -X "$method" "${auth[@]}" \
                "$@" "$base$path" 2> /dev/null) || code=000
}
want() { [ "$code" = "$1" ] || fail "$2: status $code, expected $1"; }
is() { jq -e "$1" "$tmp/body" > /dev/null 2>&1 || fail "$2: body fails $1"; }
# place ID MARK: place the sample order with that id and buyer name MARK (a string found
# nowhere else in the file: it locates the order's record on disk).
place() {
    call "$SHOP_TOKEN" POST /v1/orders -H 'Content-Type: application/json' --data-binary \
        "$(jq -c --arg id "$1" --arg m "$2" '.id = $id | .buyer.name = $m' "$sample")"
    want 201 "placing $1"
}
# start [OPTIONS...]: start orderhubd on $tmp/orderhub.conf, wait for "API on", set $base.
start() {
    : > "$log"
    "$daemon" -c "$tmp/orderhub.conf" "$@" 2> "$log" &
    pid=$!
    for _ in $(seq 100); do grep -q "API on" "$log" && break; sleep 0.1; done
    local hostport
    hostport=$(sed -n 's/.*API on \([0-9.:]*\)).*/\1/p' "$log")
    [ -n "$hostport" ] || fail "orderhubd did not start"
    base="http://$hostport"
}
stop() {
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null
    pid=""
}
# refused WHAT PATTERN [OPTIONS...]: orderhubd exits 1 without serving, logging PATTERN.
refused() {
    local what=$1 pattern=$2
    shift 2
    : > "$log"
    timeout 30 "$daemon" -c "$tmp/orderhub.conf" "$@" 2> "$log"
    local rc=$?
    [ "$rc" -eq 1 ] || fail "$what: exit status $rc, expected 1 (refused)"
    ! grep -q "API on" "$log" || fail "$what: the daemon served"
    grep -q -- "$pattern" "$log" || fail "$what: no '$pattern' in the log"
}
# offset_of FILE TEXT: the byte offset of TEXT's only occurrence in FILE.
offset_of() {
    local hits
    hits=$(grep -obUa -- "$2" "$1" | cut -d: -f1)
    [ "$(echo "$hits" | wc -l)" -eq 1 ] && [ -n "$hits" ] || fail "'$2' is not once in $1"
    echo "$hits"
}

# ---- a healthy store -------------------------------------------------------------------------
db="$tmp/orderhub.db"
conf "$db"
start
grep -q "store $db does not exist: creating a new database" "$log" || fail "creation not logged"
grep -q "store $db: integrity check passed in" "$log" || fail "start check not logged"
call "" GET /healthz
want 200 "/healthz on a healthy store"
is '. == {"status": "ok"}' "/healthz body"
call "$ADMIN_TOKEN" POST /v1/store/check
want 200 "store check"
is '.status == "ok" and (.took_ms | type) == "number"' "store check body"
call "$SHOP_TOKEN" POST /v1/store/check
want 404 "store check by a storefront token"
"$ctl" --url "$base" --token "$ADMIN_TOKEN" check-store > "$tmp/out" 2>&1 \
    || { cat "$tmp/out"; fail "check-store on a healthy store"; }
grep -q "^store OK: integrity check passed in [0-9]* ms$" "$tmp/out" || fail "check-store output"
ok "a missing file is created (logged); /healthz 200, /v1/store/check and check-store pass"

# Orders whose records the damage below will hit: each one's buyer name marks its record.
for i in $(seq 1 40); do place "ord-$i" "MARK-$(printf %04d "$i")-MARK"; done
stop
[ ! -s "$db-wal" ] || fail "the WAL was not checkpointed at stop: the damage would miss it"
cp "$db" "$tmp/good.db"
ok "40 orders written; stopped (everything checkpointed into the main file)"

# ---- files that are not an orderhub store -----------------------------------------------------
: > "$tmp/empty.db"
conf "$tmp/empty.db"
refused "0-byte file" "$tmp/empty.db: the file exists but is empty"
grep -q -- "--create-store" "$log" || fail "the refusal does not say how to initialise it"
[ ! -s "$tmp/empty.db" ] || fail "the refused 0-byte file was written to"
start --create-store
call "" GET /healthz
want 200 "/healthz after --create-store"
stop
ok "a 0-byte file is refused (naming the file); --create-store initialises it"

printf 'order,state\nord-1,placed\n' > "$tmp/orders.csv"
conf "$tmp/orders.csv"
refused "text file" "$tmp/orders.csv: not an orderhub database: not an SQLite file" --create-store
[ "$(cat "$tmp/orders.csv")" = "$(printf 'order,state\nord-1,placed')" ] || fail "text file changed"
ok "a text file is refused, even with --create-store, and left as it was"

python3 -c 'import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
d.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
d.execute("INSERT INTO customers (name) VALUES (?)", ("Ada",))
d.commit()' "$tmp/foreign.db" || fail "python3 could not write a foreign SQLite file"
conf "$tmp/foreign.db"
refused "foreign SQLite file" "$tmp/foreign.db: not an orderhub database: an SQLite file" \
    --create-store
python3 -c 'import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
names = [r[0] for r in d.execute("SELECT name FROM sqlite_master")]
sys.exit(0 if names == ["customers"] else 1)' "$tmp/foreign.db" || fail "foreign file changed"
ok "another application's SQLite file is refused, even with --create-store, and left as it was"

# ---- a damaged page ----------------------------------------------------------------------------
# Zero the 4 KiB page holding ord-7's record, as a dead sector would.
cp "$tmp/good.db" "$tmp/page.db"
page=$(( $(offset_of "$tmp/page.db" "MARK-0007-MARK") / 4096 ))
[ "$page" -ge 1 ] || fail "ord-7 is on the header page"
dd if=/dev/zero of="$tmp/page.db" bs=4096 seek="$page" count=1 conv=notrunc status=none
conf "$tmp/page.db"
refused "damaged page" "$tmp/page.db: integrity check failed (PRAGMA quick_check): "
ok "a database with a zeroed page is refused at start, naming the file and the problems"

start --skip-store-check
grep -q "integrity check at start disabled (--skip-store-check)" "$log" \
    || fail "skipping the check is not logged as a warning"
call "$ADMIN_TOKEN" GET /v1/orders/ord-7
want 503 "reading an order on the damaged page"
is '.error | startswith("store: reading order ord-7: ")' "read error body"
grep -q "store: reading order ord-7: " "$log" || fail "no log line naming ord-7"
call "" GET /healthz
want 503 "/healthz after a read hit the damaged page"
is '.status == "unavailable" and (.error | startswith("store: integrity check failed: "))' \
    "/healthz reason"
call "$ADMIN_TOKEN" POST /v1/store/check
want 503 "store check on a damaged file"
is '.status == "failed" and (.error | startswith("store: integrity check failed: "))' \
    "store check body on a damaged file"
"$ctl" --url "$base" --token "$ADMIN_TOKEN" check-store > "$tmp/out" 2>&1
[ $? -eq 1 ] || { cat "$tmp/out"; fail "check-store on a damaged file must exit 1"; }
grep -q "integrity check failed" "$tmp/out" || fail "check-store does not print the problems"
stop
ok "--skip-store-check starts (warning); a read of the damaged page is a 503 store error, then /healthz, the check and check-store fail"

# ---- a rotten snapshot -------------------------------------------------------------------------
# One byte of ord-9's snapshot text flips on disk: the opening quote of its buyer's name
# becomes '#'.  The record keeps its length and header, so SQLite's structure is intact
# and quick_check passes (it has no checksums of row contents): only the JSON is broken.
cp "$tmp/good.db" "$tmp/rot.db"
at=$(( $(offset_of "$tmp/rot.db" "MARK-0009-MARK") - 1 ))
[ "$(dd if="$tmp/rot.db" bs=1 skip="$at" count=1 status=none)" = '"' ] || fail "no quote at $at"
printf '#' | dd of="$tmp/rot.db" bs=1 seek="$at" count=1 conv=notrunc status=none
conf "$tmp/rot.db"
start
call "$ADMIN_TOKEN" GET /v1/orders/ord-9
want 500 "reading an order whose snapshot rotted"
is '.error == "store: order ord-9: the stored snapshot is not JSON"' "rotten snapshot body"
grep -q "error: store: order ord-9: the stored snapshot is not JSON" "$log" \
    || fail "no log line naming ord-9"
call "$ADMIN_TOKEN" POST /v1/orders/ord-9/cancel
[ "$code" != 404 ] || fail "an action on the rotten order answered 404"
is '.error | startswith("store: order ord-9: the stored snapshot is not JSON")' "action on it"
call "$ADMIN_TOKEN" GET /v1/orders/ord-10
want 200 "a sound order next to it"
stop
ok "a rotten snapshot answers 500 'store: ...' (read) and 503 (action), logged with the order id, never 404"

# ---- the writer's persistent error --------------------------------------------------------------
# RLIMIT_FSIZE (soft, so it can be raised again) stops the WAL from growing: write()
# fails with EFBIG, as on a full disk; SIGXFSZ is ignored so the failure reaches SQLite.
cp "$tmp/good.db" "$tmp/full.db"
conf "$tmp/full.db"
: > "$log"
bash -c 'trap "" XFSZ; ulimit -S -f 400; exec "$@"' sh "$daemon" -c "$tmp/orderhub.conf" \
    2> "$log" &
pid=$!
for _ in $(seq 100); do grep -q "API on" "$log" && break; sleep 0.1; done
base="http://$(sed -n 's/.*API on \([0-9.:]*\)).*/\1/p' "$log")"
failed=""
for i in $(seq 100 600); do
    call "$SHOP_TOKEN" POST /v1/orders -H 'Content-Type: application/json' --data-binary \
        "$(jq -c --arg id "ord-$i" '.id = $id' "$sample")"
    [ "$code" = 201 ] || { failed=$i; break; }
done
[ -n "$failed" ] || fail "no write failed under a 400 KiB file size limit"
call "" GET /healthz
want 503 "/healthz after the writer failed"
is '.status == "unavailable" and (.error | startswith("store: the writer failed: ")) and
    (.error | test("I/O error"))' "/healthz reason after the writer failed"
prlimit --pid "$pid" --fsize=unlimited: || fail "cannot raise the file size limit again"
place "ord-after" "AFTER"
call "" GET /healthz
want 200 "/healthz once a write committed again"
stop
ok "a persistent write error (file size limit at order $failed) makes /healthz 503 with the reason; 200 once writes commit again"

echo "1..$pass"
