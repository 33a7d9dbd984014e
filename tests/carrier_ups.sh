#!/bin/bash
# carrier_ups.sh - the requests carrier_ups builds, seen through `orderhub-plugin
# track-request / label-request / rate-request`: URLs and API versions, headers, secrets
# redacted, the idempotency key in transId, unit conversions, the commercial invoice, and
# the refusals of shipments it cannot label.  (Answers are covered by carrier_fixtures.sh.)
set -u
: "${top_builddir:?}" "${top_srcdir:?}" "${PLUGIN_DIR:?}"
tool="$top_builddir/sdk/orderhub-plugin"
fx="$top_srcdir/plugins/carrier/ups/fixtures"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -f "$PLUGIN_DIR/carrier_ups.so" ] || { echo "skip: carrier_ups not built"; exit 77; }
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
fail() { echo "FAIL: $*"; [ -f "$tmp/out" ] && cat "$tmp/out"; exit 1; }
export UPS_TEST_ID=test-client-id UPS_TEST_SECRET='s3cr3t+/=value'
creds=(--setting client_id=env:UPS_TEST_ID --setting client_secret=env:UPS_TEST_SECRET)
acct=(--setting account_number=A1B2C3)
run() { "$tool" -P "$PLUGIN_DIR" "$@" > "$tmp/out" 2> "$tmp/err"; }
# jq on the request body (a JSON string inside the printed request)
body() { jq -e ".request.body | fromjson | $1" "$tmp/out" > /dev/null; }
req() { jq -e "$1" "$tmp/out" > /dev/null; }
basic=$(printf '%s' "test-client-id:s3cr3t+/=value" | base64 -w0)

run track-request carrier_ups '1Z A1/B2' "${creds[@]}" "${acct[@]}" || fail "track-request"
req '.auth_request.method == "POST" and .auth_request.url == "https://onlinetools.ups.com/security/v1/oauth/token"' \
    || fail "token URL"
req '.auth_request.body == "grant_type=client_credentials"' || fail "token body"
req '[.auth_request.headers[] | select(.name == "Authorization")][0].value == "***"' \
    || fail "basic auth not redacted"
req '[.auth_request.headers[] | select(.name == "x-merchant-id")][0].value == "A1B2C3"' \
    || fail "x-merchant-id"
req '.request.url == "https://onlinetools.ups.com/api/track/v1/details/1Z%20A1%2FB2?locale=en_US&returnSignature=false"' \
    || fail "track URL"
req '[.request.headers[] | select(.name == "Authorization")][0].value == "***"' || fail "bearer"
req '[.request.headers[] | select(.name == "transId")][0].value | test("^[0-9a-z]{1,32}$")' \
    || fail "transId"
req '[.request.headers[] | select(.name == "transactionSrc")][0].value == "orderhub"' \
    || fail "transactionSrc"
grep -qF -e 's3cr3t' -e "$basic" -e ACCESS-TOKEN "$tmp/out" && fail "a secret was printed"
ok "auth step and track request: token URL, basic auth and bearer redacted, number encoded"

run track-request carrier_ups 1ZA 1ZB "${creds[@]}"
[ $? -eq 1 ] && grep -q "at most 1 numbers" "$tmp/err" || fail "max_batch 1"
run track-request carrier_ups 1ZA "${creds[@]}" --setting base_url=https://wwwcie.ups.com/
[ $? -eq 1 ] && grep -q "without a trailing '/'" "$tmp/err" || fail "trailing slash"
run track-request carrier_ups 1ZA "${creds[@]}" --setting label_format=PDF
[ $? -eq 1 ] && grep -q "label_format must be ZPL or GIF" "$tmp/err" || fail "label_format"
ok "one number per request; base_url and label_format checked at init"

run label-request carrier_ups "$fx/label-intl.shipment" "${creds[@]}" "${acct[@]}" \
    --setting base_url=https://wwwcie.ups.com || fail "label-request intl: $(cat "$tmp/err")"
req '.request.method == "POST" and .request.url == "https://wwwcie.ups.com/api/shipments/v2409/ship"' \
    || fail "ship URL"
req '[.request.headers[] | select(.name == "transId")][0].value == "lbl-ORD-20260302-0057-1"' \
    || fail "idempotency key not in transId"
s='.ShipmentRequest.Shipment'
body "$s.Shipper.ShipperNumber == \"A1B2C3\" and $s.PaymentInformation.ShipmentCharge[0].BillShipper.AccountNumber == \"A1B2C3\"" \
    || fail "account number"
body "$s.Service.Code == \"65\"" || fail "express US->CA must be 65 Worldwide Saver"
body "$s.Package[0].PackageWeight == {\"UnitOfMeasurement\":{\"Code\":\"LBS\"},\"Weight\":\"4.5\"}" \
    || fail "2000 g must be 4.5 LBS (rounded up)"
body "$s.Package[0].Dimensions.Length == \"11.9\" and $s.Package[0].Dimensions.Height == \"6\"" \
    || fail "300 mm -> 11.9 IN, 150 mm -> 6 IN"
body "$s.Shipper.Phone.Number == \"4105550142\" and $s.ShipTo.Address.City == \"Montréal\"" \
    || fail "parties"
f="$s.ShipmentServiceOptions.InternationalForms"
body "$f.FormType == \"01\" and $f.ReasonForExport == \"SALE\" and $f.CurrencyCode == \"USD\" and $f.InvoiceNumber == \"ORD-20260302-0057\" and ($f.InvoiceDate | test(\"^[0-9]{8}$\"))" \
    || fail "invoice header"
body "$f.Contacts.SoldTo.Name == \"Claire Tremblay\"" || fail "SoldTo"
body "[$f.Product[].Unit.Value] == [\"15.00\", \"29.99\"] and [$f.Product[].CommodityCode] == [\"090210\", \"691200\"]" \
    || fail "products: unit value = line value / quantity, HS code digits"
body "$s.InvoiceLineTotal == {\"CurrencyCode\":\"USD\",\"MonetaryValue\":\"75\"}" \
    || fail "US->CA InvoiceLineTotal (74.99 rounded up)"
body '.ShipmentRequest.LabelSpecification == {"LabelImageFormat":{"Code":"ZPL"},"LabelStockSize":{"Height":"6","Width":"4"}}' \
    || fail "ZPL 4x6"
ok "label request: v2409 ship, transId = idempotency key, units, commercial invoice"

run label-request carrier_ups "$fx/shipment.json" "${creds[@]}" "${acct[@]}" \
    --setting label_format=gif || fail "label-request domestic"
body "$s.Service.Code == \"03\" and ($s.ShipmentServiceOptions == null) and ($s.InvoiceLineTotal == null)" \
    || fail "domestic standard: Ground, no forms"
body "$s.ShipTo.Address.AddressLine == [\"2750 Peachtree Rd NE\", \"Apt 12B\"]" || fail "street2"
body '.ShipmentRequest.LabelSpecification.LabelImageFormat.Code == "GIF"' || fail "GIF"
ok "domestic label: Ground, no customs forms, GIF when asked"

jq '.parcels += [{"weight_g": 500}]' "$fx/shipment.json" > "$tmp/two.json"
run label-request carrier_ups "$tmp/two.json" "${creds[@]}" "${acct[@]}"
[ $? -eq 1 ] && grep -q "one label per parcel" "$tmp/err" || fail "two parcels"
run label-request carrier_ups "$fx/shipment.json" "${creds[@]}"
[ $? -eq 1 ] && grep -q "account_number is needed" "$tmp/err" || fail "no account"
jq '.parcels[0].weight_g = 0' "$fx/shipment.json" > "$tmp/zero.json"
run label-request carrier_ups "$tmp/zero.json" "${creds[@]}" "${acct[@]}"
[ $? -eq 1 ] && grep -q "parcel 1: weight must be" "$tmp/err" || fail "zero weight"
jq 'del(.ship_from)' "$fx/shipment.json" > "$tmp/nofrom.json"
run label-request carrier_ups "$tmp/nofrom.json" "${creds[@]}" "${acct[@]}"
[ $? -eq 1 ] && grep -q "no origin address" "$tmp/err" || fail "no origin"
run label-request carrier_ups "$tmp/nofrom.json" "${creds[@]}" "${acct[@]}" \
    --setting shipper_company="Dock 9 Fulfilment" --setting shipper_street1="9 Pier Rd" \
    --setting shipper_city=Newark --setting shipper_region=NJ \
    --setting shipper_postal_code=07114 --setting shipper_country=US || fail "shipper settings"
body "$s.Shipper.Name == \"Dock 9 Fulfilment\" and $s.ShipFrom.Address.PostalCode == \"07114\"" \
    || fail "origin from settings"
ok "label refusals: several parcels, no account, no weight, no origin; shipper_* fallback"

jq '.idempotency_key = "order/ORD-20260302-0042/label/attempt-0001-of-a-long-key"' \
    "$fx/shipment.json" > "$tmp/long.json"
run label-request carrier_ups "$tmp/long.json" "${creds[@]}" "${acct[@]}" || fail "long key"
t1=$(jq -r '[.request.headers[] | select(.name == "transId")][0].value' "$tmp/out")
run label-request carrier_ups "$tmp/long.json" "${creds[@]}" "${acct[@]}" || fail "long key 2"
t2=$(jq -r '[.request.headers[] | select(.name == "transId")][0].value' "$tmp/out")
[[ "$t1" =~ ^[0-9a-f]{32}$ ]] && [ "$t1" = "$t2" ] || fail "long key: transId $t1 / $t2"
ok "an idempotency key over 32 characters becomes a stable 32-hex transId"

run rate-request carrier_ups "$fx/shipment.json" "${creds[@]}" "${acct[@]}" || fail "rate-request"
req '.request.url == "https://onlinetools.ups.com/api/rating/v2409/Shop"' || fail "rate URL"
r='.RateRequest.Shipment'
body "($r.Service == null) and $r.PaymentDetails.ShipmentCharge[0].Type == \"01\" and $r.Package[0].PackagingType.Code == \"02\" and $r.NumOfPieces == \"1\"" \
    || fail "Shop body"
body "$r.Package[0].PackageWeight.Weight == \"3\" and $r.Package[0].Dimensions.Length == \"12.1\"" \
    || fail "1360 g -> 3 LBS, 305 mm -> 12.1 IN"
run rate-request carrier_ups "$fx/rate-japan.shipment" "${creds[@]}" "${acct[@]}" || fail "japan"
body "$r.Package[0].PackageWeight == {\"UnitOfMeasurement\":{\"Code\":\"KGS\"},\"Weight\":\"0.9\"}" \
    || fail "850 g -> 0.9 KGS"
body "$r.Package[0].Dimensions == {\"UnitOfMeasurement\":{\"Code\":\"CM\"},\"Length\":\"25\",\"Width\":\"18\",\"Height\":\"9\"}" \
    || fail "metric dimensions"
ok "rate request: v2409 Shop without Service, LBS/IN from the US, KGS/CM elsewhere"

jq '.ship_to.zip = "30305"' "$fx/shipment.json" > "$tmp/typo.json"
run rate-request carrier_ups "$tmp/typo.json" "${creds[@]}" "${acct[@]}"
[ $? -eq 1 ] && grep -q 'ship_to: unknown member "zip"' "$tmp/err" || fail "typo"
jq '.parcels[0].weight_g = "1360"' "$fx/shipment.json" > "$tmp/type.json"
run rate-request carrier_ups "$tmp/type.json" "${creds[@]}" "${acct[@]}"
[ $? -eq 1 ] && grep -q '"weight_g" must be an integer' "$tmp/err" || fail "type"
run rate-request carrier_fedex "$fx/shipment.json" --setting client_id=id --setting client_secret=s
[ $? -eq 1 ] && grep -q "carrier_fedex makes no rate quotes" "$tmp/err" || fail "no rates"
ok "SHIPMENT.json: unknown members and wrong types refused; plugins without rates refused"

echo "$pass passed, 0 failed"
