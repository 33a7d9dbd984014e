#!/bin/bash
# fake_carrier.sh - orderhub-fake-carrier answers in each carrier's documented shape, its
# journeys advance with time (and freeze with --clock), and latency, auth and error
# injection do what contrib/fakes/carrier_fake/README.md says.
set -u
: "${top_builddir:?}"
for tool in curl jq; do command -v "$tool" > /dev/null || exit 77; done
fake="$top_builddir/contrib/fakes/carrier_fake/orderhub-fake-carrier"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
fail() { echo "FAIL: $*"; exit 1; }
# xmllint (Debian libxml2-utils) when present; the XML checks fall back to grep otherwise.
wellformed() { if command -v xmllint > /dev/null; then xmllint --noout "$1"; else grep -q '^<?xml' "$1"; fi; }

# start NAME ARGS...: runs the fake on port 0, sets $base to its URL.
start() {
    local name=$1; shift
    "$fake" --port 0 "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
    pids+=("$!")
    for _ in $(seq 50); do grep -q listening "$tmp/$name.out" && break; sleep 0.1; done
    base="http://$(sed -n 's/^listening on //p' "$tmp/$name.out")"
    [ "$base" != "http://" ] || fail "$name did not start: $(cat "$tmp/$name.err")"
}

start live --step-ms 150
live=$base
B=(-H "Authorization: Bearer fake-token")

# ---- UPS ------------------------------------------------------------------------------
tok=$(curl -s -u "client-1:fake-secret" -d grant_type=client_credentials "$live/security/v1/oauth/token")
echo "$tok" | jq -e '.access_token == "fake-token" and .expires_in == "14399" and .status == "approved"
                     and .token_type == "Bearer" and .client_id == "client-1"' > /dev/null \
    || fail "UPS token: $tok"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "client-1:nope" -d grant_type=client_credentials "$live/security/v1/oauth/token")
[ "$code" = 401 ] || fail "UPS token with a wrong secret gave $code"
ok "UPS OAuth: token issued (expires_in a string), wrong secret 401"

ups() { curl -s "${B[@]}" -H "transId: t1" -H "transactionSrc: tests" "$live/api/track/v1/details/$1${2:-}"; }
n=1Z999AA10000000010
ups "$n" > "$tmp/ups1.json"
jq -e '.trackResponse.shipment[0].package[0] | .trackingNumber == "'$n'" and (.activity | length) == 1
       and .activity[0].status.type == "M" and .activity[0].status.statusCode == "003"' "$tmp/ups1.json" > /dev/null \
    || fail "UPS first look: $(cat "$tmp/ups1.json")"
sleep 2
ups "$n" > "$tmp/ups2.json"
jq -e '.trackResponse.shipment[0].package[0] as $p | ($p.activity | length) > 4
       and $p.activity[0].status.type == "D" and $p.activity[0].status.statusCode == "011"
       and $p.deliveryInformation.receivedBy != null and $p.currentStatus.type == "D"
       and ($p.activity | all(.date | test("^[0-9]{8}$"))) and ($p.activity | all(.time | test("^[0-9]{6}$")))
       and ($p.activity | all(.gmtOffset | test("^[-+][0-9]{2}:[0-9]{2}$")))
       and ($p.activity | all(.gmtTime | test("^[1-9][0-9]{0,5}$|^0$")))
       and ([$p.activity[] | .gmtDate + (.gmtTime | tonumber | tostring | ("00000" + .)[-6:])] as $t | $t == ($t | sort | reverse))' \
    "$tmp/ups2.json" > /dev/null || fail "UPS delivered journey: $(cat "$tmp/ups2.json")"
ok "UPS journey advances from label (M/003) to delivered (D/011) with a signer, newest first, YYYYMMDD/HHMMSS, unpadded gmtTime"
ups 1Z999AA1000000001 9 | jq -e '.trackResponse.shipment[0].warnings[0].code == "TW0001"' > /dev/null \
    || fail "UPS not found"
code=$(curl -s -o "$tmp/e.json" -w '%{http_code}' "${B[@]}" "$live/api/track/v1/details/12345")
[ "$code" = 400 ] && jq -e '.response.errors[0].code == "TV1002"' "$tmp/e.json" > /dev/null || fail "UPS invalid: $code"
code=$(curl -s -o "$tmp/e.json" -w '%{http_code}' "$live/api/track/v1/details/$n")
[ "$code" = 401 ] && jq -e '.response.errors[0].code == "250002"' "$tmp/e.json" > /dev/null || fail "UPS no token: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer other" "$live/api/track/v1/details/$n")
[ "$code" = 401 ] || fail "UPS wrong token: $code"
ok "UPS not found = TW0001 warning in a 200, invalid = 400 TV1002, no/wrong token = 401 250002"

# ---- FedEx ----------------------------------------------------------------------------
tok=$(curl -s -d 'grant_type=client_credentials&client_id=c&client_secret=fake-secret' "$live/oauth/token")
echo "$tok" | jq -e '.access_token == "fake-token" and .token_type == "bearer" and .expires_in == 3599' > /dev/null \
    || fail "FedEx token: $tok"
fx_body='{"includeDetailedScans":true,"trackingInfo":[{"trackingNumberInfo":{"trackingNumber":"794600000015"}},{"trackingNumberInfo":{"trackingNumber":"794600000019"}},{"trackingNumberInfo":{"trackingNumber":"79A"}}]}'
curl -s "${B[@]}" -H 'Content-Type: application/json' -d "$fx_body" "$live/track/v1/trackingnumbers" > /dev/null
sleep 2
curl -s "${B[@]}" -H 'Content-Type: application/json' -d "$fx_body" "$live/track/v1/trackingnumbers" > "$tmp/fx.json"
jq -e '.output.completeTrackResults as $r | ($r | length) == 3
       and $r[0].trackResults[0].latestStatusDetail.code == "DE"
       and ($r[0].trackResults[0].scanEvents | map(.eventType)) as $t | $t[0] == "DE" and $t[-1] == "OC"
       and ($r[0].trackResults[0].scanEvents | all(.date | test("T[0-9:]{8}[-+][0-9]{2}:[0-9]{2}$")))
       and $r[1].trackResults[0].error.code == "TRACKING.TRACKINGNUMBER.NOTFOUND"
       and $r[2].trackResults[0].error.code == "TRACKING.TRACKINGNUMBER.INVALID"' "$tmp/fx.json" > /dev/null \
    || fail "FedEx batch: $(head -c 2000 "$tmp/fx.json")"
code=$(curl -s -o "$tmp/e.json" -w '%{http_code}' "${B[@]}" -d '{"trackingInfo":[]}' "$live/track/v1/trackingnumbers")
[ "$code" = 400 ] && jq -e '.errors[0].code == "TRACKING.TRACKINGNUMBER.EMPTY" and .transactionId != null' "$tmp/e.json" > /dev/null \
    || fail "FedEx empty: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -d "$fx_body" "$live/track/v1/trackingnumbers")
[ "$code" = 401 ] || fail "FedEx no token: $code"
ok "FedEx OAuth + batch: damaged journey ends DE, offsets kept, NOTFOUND/INVALID inside the 200, empty 400, no token 401"

# ---- DHL ------------------------------------------------------------------------------
curl -s -H "DHL-API-Key: fake-token" "$live/track/shipments?trackingNumber=JD0146000000000018&fake_scans=99" > "$tmp/dhl.json"
jq -e '.shipments[0] | .id == "JD0146000000000018" and .status.statusCode == "pre-transit"
       and (.events | length) == 1 and (.events[0].timestamp | test("[-+][0-9]{2}:[0-9]{2}$"))' "$tmp/dhl.json" > /dev/null \
    || fail "DHL: $(cat "$tmp/dhl.json")"
code=$(curl -s -o "$tmp/e.json" -w '%{http_code}' -H "DHL-API-Key: fake-token" "$live/track/shipments?trackingNumber=1234567899")
[ "$code" = 404 ] && jq -e '.title == "No result found" and .status == 404' "$tmp/e.json" > /dev/null || fail "DHL 404: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$live/track/shipments?trackingNumber=1234567890")
[ "$code" = 401 ] || fail "DHL no key: $code"
ok "DHL unified: shipments[].events[] with offsets, 404 problem document, 401 without DHL-API-Key"

# ---- USPS -----------------------------------------------------------------------------
usps() {
    curl -sG "$live/ShippingAPI.dll" --data-urlencode API=TrackV2 --data-urlencode "XML=<TrackFieldRequest USERID=\"$1\"><Revision>1</Revision><ClientIp>127.0.0.1</ClientIp><SourceId>tests</SourceId>$2</TrackFieldRequest>"
}
usps fake-token '<TrackID ID="9400100000000000000010"/><TrackID ID="9400100000000000000019"/>' > /dev/null
sleep 2
usps fake-token '<TrackID ID="9400100000000000000010"/><TrackID ID="9400100000000000000019"/>' > "$tmp/usps.xml"
wellformed "$tmp/usps.xml" || fail "USPS XML not well-formed"
grep -q '<TrackInfo ID="9400100000000000000010"><Class>Priority Mail&lt;SUP&gt;&amp;#174;&lt;/SUP&gt;</Class>' "$tmp/usps.xml" || fail "USPS Class"
[ "$(grep -o '<TrackSummary>' "$tmp/usps.xml" | wc -l)" = 1 ] || fail "USPS: one TrackSummary"
grep -q '<TrackSummary><EventTime>[0-9]\{1,2\}:[0-9][0-9] [ap]m</EventTime><EventDate>[A-Z][a-z]* [0-9]\{1,2\}, 20[0-9][0-9]</EventDate><Event>Delivered, Left with Individual</Event>' "$tmp/usps.xml" \
    || fail "USPS summary: $(cat "$tmp/usps.xml")"
grep -q '<EventTime/><EventDate>[^<]*</EventDate><Event>Pre-Shipment Info Sent to USPS, USPS Awaiting Item</Event><EventCity/>' "$tmp/usps.xml" || fail "USPS MA"
grep -q '<TrackInfo ID="9400100000000000000019"><Error><Number>-2147219302</Number>' "$tmp/usps.xml" || fail "USPS not found"
usps wrong '<TrackID ID="9400100000000000000010"/>' > "$tmp/usps-auth.xml"
grep -q '^<Error><Number>80040B1A</Number>' "$tmp/usps-auth.xml" || fail "USPS auth: $(cat "$tmp/usps-auth.xml")"
ids=$(for i in $(seq 26); do printf '<TrackID ID="94001000000000000000%02d"/>' "$i"; done)
usps fake-token "$ids" | grep -q '^<Error><Number>-2147218040</Number>' || fail "USPS 26 ids"
ok "USPS TrackV2: well-formed, one TrackSummary + TrackDetail, local 'January 6, 2016'/'9:10 am', empty MA time, per-number and root errors, 25 ids max"

# ---- Canada Post ----------------------------------------------------------------------
cp() { curl -s -u "user:${2:-fake-token}" -H 'Accept: application/vnd.cpc.track-v2+xml' -o "$tmp/cp.xml" -w '%{http_code}' "$live/vis/track/pin/$1/detail"; }
cp 7023210000000016 > /dev/null
sleep 2
[ "$(cp 7023210000000016)" = 200 ] || fail "CP status"
wellformed "$tmp/cp.xml" || fail "CP XML not well-formed"
grep -q '<tracking-detail xmlns="http://www.canadapost.ca/ws/track-v2"><pin>7023210000000016</pin>' "$tmp/cp.xml" || fail "CP root"
grep -q '<significant-events><occurrence><event-identifier>0173</event-identifier><event-date>20[0-9-]*</event-date><event-time>[0-9:]\{8\}</event-time><event-time-zone>[A-Z]*</event-time-zone>' "$tmp/cp.xml" \
    || fail "CP address journey: $(cat "$tmp/cp.xml")"
[ "$(cp 7023210000000019)" = 404 ] && grep -q '<code>004</code><description>No Pin History</description>' "$tmp/cp.xml" || fail "CP 004"
[ "$(cp 7023210000000016 wrong)" = 401 ] && grep -q '<code>E002</code>' "$tmp/cp.xml" || fail "CP auth"
ok "Canada Post: track-v2 namespace, zero-padded identifiers, address journey ends 0173, 404/004, 401/E002"

# ---- frozen clock: the same bytes every time, whole journeys ---------------------------
start frozen --clock 2024-05-01T12:00:00Z
a=$(curl -s "${B[@]}" "$base/api/track/v1/details/1Z999AA10000000010")
sleep 0.3
b=$(curl -s "${B[@]}" "$base/api/track/v1/details/1Z999AA10000000010")
[ "$a" = "$b" ] || fail "--clock output differs"
echo "$a" | jq -e '.trackResponse.shipment[0].package[0].activity[0] | .status.type == "D" and (.gmtDate | . <= "20240501")' > /dev/null \
    || fail "--clock: $a"
c=$(curl -s "${B[@]}" -H "X-Fake-Scans: 3" "$base/api/track/v1/details/1Z999AA10000000010")
echo "$c" | jq -e '.trackResponse.shipment[0].package[0].activity | length == 3 and .[0].status.code == "AR"' > /dev/null \
    || fail "X-Fake-Scans: $c"
ok "--clock: identical output, whole journey in the past of the clock; X-Fake-Scans cuts it"

# ---- latency, injection, stats ---------------------------------------------------------
t=$(curl -s -o /dev/null -w '%{time_total}' "${B[@]}" -H "X-Fake-Latency-Ms: 300" "$live/api/track/v1/details/$n")
awk -v t="$t" 'BEGIN { exit !(t >= 0.29 && t < 2) }' || fail "latency 300 ms took $t s"
start slow --latency-ms 200
t=$(curl -s -o /dev/null -w '%{time_total}' "${B[@]}" "$base/api/track/v1/details/$n")
awk -v t="$t" 'BEGIN { exit !(t >= 0.19 && t < 2) }' || fail "--latency-ms 200 took $t s"
# 20 requests at once, each 200 ms, on a 2-thread server: they overlap (no thread parked).
t0=$(date +%s%N)
cpids=()
for i in $(seq 20); do curl -s -o /dev/null "${B[@]}" "$base/api/track/v1/details/$n" & cpids+=("$!"); done
wait "${cpids[@]}" # not a bare wait: the fakes are children too
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 1500 ] || fail "20 concurrent 200 ms requests took $ms ms (serialised?)"
curl -s "$base/fake/stats" | jq -e '.max_in_flight >= 10 and .endpoints.ups_track == 21' > /dev/null \
    || fail "stats: $(curl -s "$base/fake/stats")"
ok "latency applied ($t s for --latency-ms 200, X-Fake-Latency-Ms 300), 20 concurrent in $ms ms, /fake/stats counts in flight"

h=$(curl -s -D - -o "$tmp/e.json" "${B[@]}" -H "X-Fake-Status: 429" "$live/api/track/v1/details/$n")
echo "$h" | grep -q '^HTTP/1.1 429' && echo "$h" | grep -qi '^Retry-After: 1' || fail "X-Fake-Status 429: $h"
jq -e '.response.errors[0].code' "$tmp/e.json" > /dev/null || fail "429 body not UPS-shaped"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "DHL-API-Key: fake-token" "$live/track/shipments?trackingNumber=1234567890&fake_status=503")
[ "$code" = 503 ] || fail "fake_status=503 gave $code"
curl -s "${B[@]}" -H "X-Fake-Malformed: 1" "$live/api/track/v1/details/$n" | jq . > /dev/null 2>&1 \
    && fail "X-Fake-Malformed gave valid JSON"
start flaky --error-rate 0.5 --seed 7
errs=0
for i in $(seq 40); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "${B[@]}" "$base/api/track/v1/details/$n")" = 503 ] && errs=$((errs + 1))
done
[ "$errs" -ge 8 ] && [ "$errs" -le 32 ] || fail "--error-rate 0.5 gave $errs/40 503s"
curl -s "$base/fake/stats" | jq -e ".injected_errors == $errs" > /dev/null || fail "injected count"
ok "X-Fake-Status 429 (+Retry-After) and fake_status=503 in the carrier's error shape, X-Fake-Malformed truncates, --error-rate 0.5 gave $errs/40"

echo "1..$pass"
