#!/bin/bash
# refund_requests.sh - each payment plugin builds a refund of part of an order (899 minor
# units of a 3799 one) with exactly that amount in its request, as orderhubd hands it
# (oh_payment_input.amount: the refund reserved, never the order's total).  Built with
# orderhub-plugin payment-request, as an integrator would.
set -u
: "${top_builddir:?}" "${PLUGIN_DIR:?}"
command -v jq > /dev/null || exit 77
tool="$top_builddir/sdk/orderhub-plugin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail() { echo "FAIL: $*"; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }

input() { # $1 transaction id
    jq -n --arg tx "$1" '{order_id: "ord-r1", payment_token: "tok_visa", transaction_id: $tx,
        idempotency_key: "ord-r1/return.inspected#1/pay/refund", amount: 899,
        currency: "USD", description: "a mug of the order"}' > "$tmp/in.json"
}
request() { # $1 plugin, settings...
    local plugin=$1
    shift
    "$tool" payment-request "$PLUGIN_DIR/payment_$plugin.so" refund "$tmp/in.json" "$@" \
        > "$tmp/out" 2> "$tmp/err" || fail "$plugin: $(cat "$tmp/err")"
}

input sbx_authorize_1
request sandbox --setting api_key=k
jq -e '.request.body | fromjson | .amount == 899 and .currency == "USD"
    and .operation == "refund"' "$tmp/out" > /dev/null || fail "sandbox: $(cat "$tmp/out")"
ok "sandbox: amount 899 in the JSON body"

input pi_3AbCdEf1234567890
request stripe --setting secret_key=sk_test_x
jq -e '.request.body | split("&") | index("amount=899") != null' "$tmp/out" > /dev/null \
    || fail "stripe: $(cat "$tmp/out")"
ok "stripe: amount=899 in the form (a partial refund, not the whole charge)"

input 60123456789:1111
request authorizenet --setting api_login_id=l --setting transaction_key=k
jq -r '.request.body' "$tmp/out" | grep -q '<amount>8.99</amount>' \
    || fail "authorizenet: $(cat "$tmp/out")"
ok "authorizenet: <amount>8.99</amount> in refundTransaction"
echo "$n passed"
