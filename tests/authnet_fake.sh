#!/bin/bash
# authnet_fake.sh - orderhub-fake-authnet answers like Authorize.Net's XML API, checked with
# curl: approval, decline, error, hold, HTTP 500, malformed body, slow answer, E00007 for
# wrong credentials, ErrorResponse for a body that is not XML, the duplicate window (same
# content -> error 11 naming the first transaction, no second charge), capture / void /
# refund with their "already done" and refusal codes, and the ledger.  Loopback only.
set -u
: "${top_builddir:?}"
command -v curl > /dev/null 2>&1 || { echo "SKIP: curl is not installed"; exit 77; }
command -v jq > /dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }
fake="$top_builddir/contrib/fakes/authnet_fake/orderhub-fake-authnet"
tmp=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
    rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
fail() { echo "FAIL: $*"; exit 1; }

"$fake" --port 0 --login L0gin --key 'K&y<16' > "$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/out" && break; sleep 0.1; done
addr=$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9]*\)$/\1/p' "$tmp/out")
[ -n "$addr" ] || fail "the fake did not start: $(cat "$tmp/out")"
url="http://$addr/xml/v1/request.api"

# req TYPE AMOUNT TOKEN_OR_CARD REFTRANS INVOICE REFID [WINDOW] [LOGIN]
req() {
    local pay="" ref="" order="" settings="" amount=""
    case "$1" in
    authOnlyTransaction) pay="<payment><opaqueData><dataDescriptor>COMMON.ACCEPT.INAPP.PAYMENT</dataDescriptor><dataValue>$3</dataValue></opaqueData></payment>" ;;
    refundTransaction) pay="<payment><creditCard><cardNumber>$3</cardNumber><expirationDate>XXXX</expirationDate></creditCard></payment>" ;;
    esac
    [ -n "$2" ] && amount="<amount>$2</amount>"
    [ -n "$4" ] && ref="<refTransId>$4</refTransId>"
    [ -n "$5" ] && order="<order><invoiceNumber>$5</invoiceNumber></order>"
    [ -n "${7:-}" ] && settings="<transactionSettings><setting><settingName>duplicateWindow</settingName><settingValue>$7</settingValue></setting></transactionSettings>"
    cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<createTransactionRequest xmlns="AnetApi/xml/v1/schema/AnetApiSchema.xsd"><merchantAuthentication><name>${8:-L0gin}</name><transactionKey>K&amp;y&lt;16</transactionKey></merchantAuthentication><refId>$6</refId><transactionRequest><transactionType>$1</transactionType>$amount$pay$ref$order$settings</transactionRequest></createTransactionRequest>
XML
}
# post FILE_OUT ARGS...: prints the HTTP status; strips the BOM into FILE_OUT.nobom
post() {
    local out=$1; shift
    req "$@" > "$tmp/req.xml"
    curl -s -o "$out" -w '%{http_code}' -H 'Content-Type: text/xml' --data-binary "@$tmp/req.xml" "$url"
    sed '1s/^\xEF\xBB\xBF//' "$out" > "$out.nobom"
}
x() { xmllint --xpath "string(//*[local-name()='$2'])" "$1.nobom" 2>/dev/null; }
# xt FILE NAME: NAME inside transactionResponse (its messages/message/code, say)
xt() { xmllint --xpath "string(//*[local-name()='transactionResponse']//*[local-name()='$2'])" "$1.nobom" 2>/dev/null; }
have_xmllint=1; command -v xmllint > /dev/null 2>&1 || have_xmllint=0
[ $have_xmllint = 1 ] || { echo "SKIP: xmllint (libxml2-utils) is not installed"; exit 77; }

# ---- authorizations by token and amount rule ----------------------------------------------
code=$(post "$tmp/a1" authOnlyTransaction 12.34 tok-4242 "" INV-1 ref-a1 28800)
[ "$code" = 200 ] || fail "approval: HTTP $code"
head -c3 "$tmp/a1" | od -An -tx1 | grep -q "ef bb bf" || fail "no BOM at the start of the answer"
[ "$(x "$tmp/a1" resultCode)" = Ok ] && [ "$(x "$tmp/a1" responseCode)" = 1 ] &&
    [ "$(x "$tmp/a1" refId)" = ref-a1 ] && [ -n "$(x "$tmp/a1" authCode)" ] &&
    [ "$(x "$tmp/a1" accountNumber)" = XXXX4242 ] || fail "approval: $(cat "$tmp/a1.nobom")"
tx1=$(x "$tmp/a1" transId)
[ "$tx1" -gt 0 ] 2>/dev/null || fail "approval without a transId"
ok "approval: resultCode Ok, responseCode 1, transId $tx1, refId echoed, BOM first"

post "$tmp/d" authOnlyTransaction 10.00 fake-decline "" INV-2 ref-d 28800 > /dev/null
[ "$(x "$tmp/d" resultCode)" = Error ] && [ "$(x "$tmp/d" code)" = E00027 ] &&
    [ "$(x "$tmp/d" responseCode)" = 2 ] && [ "$(x "$tmp/d" errorCode)" = 2 ] &&
    [ "$(x "$tmp/d" errorText)" = "This transaction has been declined." ] || fail "decline: $(cat "$tmp/d.nobom")"
ok "decline by token: E00027, responseCode 2, error 2"
post "$tmp/d2" authOnlyTransaction 10.02 tok-1111 "" INV-2b ref-d2 28800 > /dev/null
[ "$(x "$tmp/d2" responseCode)" = 2 ] || fail "decline by amount .02"
ok "decline by amount (cents 02)"
post "$tmp/e" authOnlyTransaction 10.03 tok-1111 "" INV-3 ref-e 28800 > /dev/null
[ "$(x "$tmp/e" responseCode)" = 3 ] && [ "$(x "$tmp/e" errorCode)" = 19 ] &&
    [ "$(x "$tmp/e" transId)" = 0 ] || fail "error: $(cat "$tmp/e.nobom")"
ok "processing error: responseCode 3, error 19, transId 0"
post "$tmp/h" authOnlyTransaction 10.00 fake-hold "" INV-4 ref-h 28800 > /dev/null
[ "$(x "$tmp/h" resultCode)" = Ok ] && [ "$(x "$tmp/h" responseCode)" = 4 ] &&
    [ "$(xt "$tmp/h" code)" = 252 ] || fail "hold: $(cat "$tmp/h.nobom")"
ok "held for review: responseCode 4"
code=$(post "$tmp/f" authOnlyTransaction 10.05 tok-1111 "" INV-5 ref-f 28800)
[ "$code" = 500 ] || fail "500 rule: HTTP $code"
ok "HTTP 500 by amount (cents 05)"
post "$tmp/m" authOnlyTransaction 10.00 fake-malformed "" INV-6 ref-m 28800 > /dev/null
xmllint --noout "$tmp/m.nobom" 2> /dev/null && fail "malformed rule gave well-formed XML"
ok "malformed body (cut in half)"
t0=$(date +%s%3N)
post "$tmp/s" authOnlyTransaction 10.00 fake-slow-700 "" INV-7 ref-s 28800 > /dev/null
t1=$(date +%s%3N)
[ $((t1 - t0)) -ge 650 ] && [ "$(x "$tmp/s" responseCode)" = 1 ] || fail "slow: $((t1 - t0)) ms"
ok "slow answer: $((t1 - t0)) ms, then approved"

# ---- credentials and bodies the API cannot read -------------------------------------------
post "$tmp/au" authOnlyTransaction 10.00 tok-1111 "" INV-8 ref-au 28800 WrongLogin > /dev/null
[ "$(x "$tmp/au" code)" = E00007 ] && [ -z "$(x "$tmp/au" transactionResponse)" ] || fail "E00007: $(cat "$tmp/au.nobom")"
ok "wrong credentials: E00007 without a transactionResponse"
curl -s -o "$tmp/bad" --data-binary 'not xml' "$url"
sed '1s/^\xEF\xBB\xBF//' "$tmp/bad" > "$tmp/bad.nobom"
[ "$(xmllint --xpath "local-name(/*)" "$tmp/bad.nobom" 2>/dev/null)" = ErrorResponse ] &&
    [ "$(x "$tmp/bad" code)" = E00003 ] || fail "not XML: $(cat "$tmp/bad.nobom")"
ok "a body that is not XML: ErrorResponse E00003"

# ---- the duplicate window -----------------------------------------------------------------
post "$tmp/dup" authOnlyTransaction 12.34 tok-4242 "" INV-1 ref-a1 28800 > /dev/null
[ "$(x "$tmp/dup" responseCode)" = 3 ] && [ "$(x "$tmp/dup" errorCode)" = 11 ] &&
    [ "$(x "$tmp/dup" transId)" = "$tx1" ] && [ "$(x "$tmp/dup" authCode)" = "$(x "$tmp/a1" authCode)" ] ||
    fail "duplicate: $(cat "$tmp/dup.nobom")"
ok "same content again: error 11 naming transId $tx1 and its authCode"
post "$tmp/dd" authOnlyTransaction 10.00 fake-decline "" INV-2 ref-d 28800 > /dev/null
[ "$(x "$tmp/dd" errorCode)" = 11 ] && [ -z "$(x "$tmp/dd" authCode)" ] || fail "duplicate of a decline"
ok "duplicate of a decline: error 11, no authCode"
post "$tmp/nd" authOnlyTransaction 12.34 tok-4242 "" INV-1 ref-nd > /dev/null
[ "$(x "$tmp/nd" errorCode)" = 11 ] && [ "$(x "$tmp/nd" transId)" = 0 ] || fail "duplicate without window: $(cat "$tmp/nd.nobom")"
ok "duplicate without duplicateWindow in the request: error 11 without details"
post "$tmp/w0" authOnlyTransaction 12.34 tok-4242 "" INV-1 ref-w0 0 > /dev/null
[ "$(x "$tmp/w0" responseCode)" = 1 ] && [ "$(x "$tmp/w0" transId)" != "$tx1" ] || fail "window 0"
ok "duplicateWindow 0: the same content is a new charge"
post "$tmp/other" authOnlyTransaction 12.34 tok-4242 "" INV-9 ref-o 28800 > /dev/null
[ "$(x "$tmp/other" responseCode)" = 1 ] || fail "another invoice is not a duplicate"
ok "another invoiceNumber: not a duplicate"

# ---- capture, void, refund ----------------------------------------------------------------
post "$tmp/c" priorAuthCaptureTransaction 12.34 "" "$tx1" "" ref-c > /dev/null
[ "$(x "$tmp/c" responseCode)" = 1 ] && [ "$(x "$tmp/c" transId)" = "$tx1" ] &&
    [ "$(x "$tmp/c" refTransID)" = "$tx1" ] || fail "capture: $(cat "$tmp/c.nobom")"
post "$tmp/c2" priorAuthCaptureTransaction 12.34 "" "$tx1" "" ref-c > /dev/null
[ "$(x "$tmp/c2" responseCode)" = 1 ] && [ "$(xt "$tmp/c2" code)" = 311 ] || fail "capture again: $(cat "$tmp/c2.nobom")"
ok "capture, then again: responseCode 1 with 311 already captured"
post "$tmp/c3" priorAuthCaptureTransaction 1.00 "" 999 "" ref-c3 > /dev/null
[ "$(x "$tmp/c3" errorCode)" = 16 ] || fail "capture of nothing"
ok "capture of an unknown transaction: error 16"
post "$tmp/r1" refundTransaction 2.00 9999 "$tx1" INV-1 ref-r1 28800 > /dev/null
[ "$(x "$tmp/r1" errorCode)" = 6 ] || fail "refund with the wrong card: $(cat "$tmp/r1.nobom")"
post "$tmp/r2" refundTransaction 2.00 4242 "$tx1" INV-1 ref-r2 28800 > /dev/null
[ "$(x "$tmp/r2" responseCode)" = 1 ] && [ "$(x "$tmp/r2" refTransID)" = "$tx1" ] || fail "refund: $(cat "$tmp/r2.nobom")"
post "$tmp/r3" refundTransaction 20.00 4242 "$tx1" INV-1 ref-r3 28800 > /dev/null
[ "$(x "$tmp/r3" errorCode)" = 55 ] || fail "refund over the charge: $(cat "$tmp/r3.nobom")"
ok "refund: wrong last four digits error 6, partial refund approved, over the charge error 55"
tx2=$(x "$tmp/other" transId)
post "$tmp/r4" refundTransaction 1.00 4242 "$tx2" INV-9 ref-r4 28800 > /dev/null
[ "$(x "$tmp/r4" errorCode)" = 54 ] || fail "refund of an uncaptured authorization"
post "$tmp/v" voidTransaction "" "" "$tx2" "" ref-v > /dev/null
post "$tmp/v2" voidTransaction "" "" "$tx2" "" ref-v > /dev/null
[ "$(x "$tmp/v" responseCode)" = 1 ] && [ "$(xt "$tmp/v2" code)" = 310 ] || fail "void: $(cat "$tmp/v2.nobom")"
ok "uncaptured: refund error 54; void, then again 310 already voided"

# ---- the ledger -----------------------------------------------------------------------------
curl -s "http://$addr/fake/ledger" > "$tmp/ledger"
jq -e --arg t "$tx1" '.transactions[] | select(.trans_id == ($t|tonumber)) |
    .requests == 5 and .duplicates == 2 and .captures == 2 and .status == "capturedPendingSettlement"
    and (.ref_ids | index("ref-a1") != null) and .answers_sent == 5' "$tmp/ledger" > /dev/null ||
    fail "ledger row of $tx1: $(jq -c --arg t "$tx1" '.transactions[]|select(.trans_id==($t|tonumber))' "$tmp/ledger")"
[ "$(jq '[.transactions[] | select(.invoice == "INV-1" and .type == "authOnlyTransaction")] | length' "$tmp/ledger")" = 2 ] ||
    fail "INV-1 should hold two authorizations (the first, and the window-0 one)"
jq -e '[.transactions[] | select(.type == "refundTransaction")] | length == 1' "$tmp/ledger" > /dev/null || fail "one refund"
ok "ledger: requests, duplicates, captures, answers sent, refIds per transaction"
curl -s -X POST "http://$addr/fake/reset" > /dev/null
[ "$(curl -s "http://$addr/fake/ledger" | jq '.transactions | length')" = 0 ] || fail "reset"
ok "reset empties the ledger"
echo "1..$pass"
