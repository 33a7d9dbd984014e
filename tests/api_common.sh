# api_common.sh - sourced by the HTTP API tests (api.sh, intake_paths.sh, api_limits.sh): on top of tests/support/api_test_lib.sh, tokens of every role, the
# sandbox remote, and curl/jq helpers.  Loopback only; every wait is bounded.
# shellcheck shell=bash
: "${top_builddir:?}" "${top_srcdir:?}" "${PLUGIN_DIR:?}"
remote_bin="$top_builddir/contrib/fakes/orderhub-sandbox-remote"
sample="$top_srcdir/conf/sample-order.json"
command -v jq > /dev/null || { echo "SKIP: jq is needed"; exit 77; }

# shellcheck source=tests/support/api_test_lib.sh
. "$top_srcdir/tests/support/api_test_lib.sh"

export ADMIN_TOKEN="admin-api-token-0123456789abcdef"
export DESK_TOKEN="desk-api-token-0123456789abcdef"
export SHOP_TOKEN="shop-api-token-0123456789abcdef"
export OTHER_TOKEN="other-shop-api-token-0123456789ab"
export SA_TOKEN="seller-a-api-token-0123456789abcd"
export SB_TOKEN="seller-b-api-token-0123456789abcd"
export ORDERHUB_SANDBOX_KEY="sk_sandbox_api"
export WH_SECRET="whsec_api_0123456789abcdef"
export ORDERHUB_PLUGIN_PATH="$PLUGIN_DIR"
TOKENS='tokens = (
    { name = "ops";        role = "admin";      token = "env:ADMIN_TOKEN"; },
    { name = "desk";       role = "support";    token = "env:DESK_TOKEN"; },
    { name = "shop";       role = "storefront"; token = "env:SHOP_TOKEN"; },
    { name = "other-shop"; role = "storefront"; token = "env:OTHER_TOKEN"; },
    { name = "seller-a";   role = "seller:s-A"; token = "env:SA_TOKEN"; },
    { name = "seller-b";   role = "seller:s-B"; token = "env:SB_TOKEN"; }
  );'

# call TOKEN METHOD PATH [CURL ARGS...]: the status in $code, the body in $tmp/body, the
# headers in $tmp/hdr.  TOKEN "" sends no Authorization header.
call() {
    local tok=$1 method=$2 path=$3
    shift 3
    local auth=()
    [ -n "$tok" ] && auth=(-H "Authorization: Bearer $tok")
    code=$(curl -sS --max-time 20 -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' \
                -X "$method" "${auth[@]}" "$@" "$base$path" 2> "$tmp/curl.err") || code=000
}
# post TOKEN PATH JSON [CURL ARGS...]
post() {
    local tok=$1 path=$2 data=$3
    shift 3
    call "$tok" POST "$path" -H 'Content-Type: application/json' --data-binary "$data" "$@"
}
want() { [ "$code" = "$1" ] || fail "$2: status $code, expected $1"; }
is() { jq -e "$1" "$tmp/body" > /dev/null 2>&1 || fail "$2: body fails $1"; }
# bad_field STATUS FIELD WHAT: an error answer naming FIELD.
bad_field() {
    want "$1" "$3"
    jq -e --arg f "$2" '(.error | type) == "string" and .field == $f' "$tmp/body" > /dev/null \
        || fail "$3: error body does not name field '$2'"
}
# order_json ID SELLER [JQ FILTER]: the sample order with that id ("-": none) and seller.
order_json() {
    # shellcheck disable=SC2016 # jq variables, not shell ones
    local f='.seller.id = $s | (if $id == "-" then del(.id) else .id = $id end)'
    [ $# -ge 3 ] && f="$f | $3"
    jq -c --arg id "$1" --arg s "$2" "$f" "$sample"
}
# place TOKEN ID SELLER [JQ FILTER]: place the order; 201 expected.
place() {
    post "$1" /v1/orders "$(order_json "$2" "$3" "${4:-.}")"
    want 201 "placing $2"
}
# wait_for_jq ID EXPR WHAT: poll the order (as admin) until EXPR holds (up to 20 s).
wait_for_jq() {
    for _ in $(seq 200); do
        curl -sS --max-time 20 -H "Authorization: Bearer $ADMIN_TOKEN" "$base/v1/orders/$1" \
            > "$tmp/poll" 2>/dev/null
        jq -e "$2" "$tmp/poll" > /dev/null 2>&1 && return 0
        sleep 0.1
    done
    cp "$tmp/poll" "$tmp/body"
    fail "$3: order $1 never satisfied $2"
}
wait_state() { wait_for_jq "$1" ".state == \"$2\"" "waiting for $2"; }
# start_remote: the sandbox remote (payments, carrier) on a free loopback port -> $remote.
start_remote() {
    "$remote_bin" --port 0 --step-ms 100 > "$tmp/remote.out" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do grep -q listening "$tmp/remote.out" && break; sleep 0.1; done
    remote=$(sed -n 's/^listening on //p' "$tmp/remote.out")
    [ -n "$remote" ] || fail "sandbox remote did not start"
}
