#!/bin/bash
# notify_channels.sh - the four notification channels through the REAL daemon against real
# local receivers: signed webhooks (per-seller endpoint and default), e-mail to a real SMTP
# server (aiosmtpd), Twilio-shaped SMS, Slack-style chat.  A receiver answering 500 twice and
# one refusing connections at first get the message once, same Orderhub-Delivery id; a
# receiver answering 410 dead-letters the action (orderhubctl dead-letters); --check-config
# refuses a template naming an unknown variable, with file:line.
set -u
: "${top_builddir:?}" "${top_srcdir:?}" "${PLUGIN_DIR:?}"
for tool in curl jq openssl; do command -v "$tool" > /dev/null || exit 77; done
# Debian's python3-aiosmtpd (contrib/scripts/install-deps.sh) lives beside /usr/bin/python3.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" -c 'import aiosmtpd' 2> /dev/null || { echo "python3-aiosmtpd missing"; exit 77; }

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
fail() { echo "FAIL: $*"; [ -f "$tmp/log" ] && tail -30 "$tmp/log"; exit 1; }
support="$top_srcdir/tests/support"
daemon="$top_builddir/core/orderhubd"

# start NAME CMD...: run CMD in the background, wait for "listening on HOST:PORT", set
# $addr to HOST:PORT.
start() {
    local name=$1; shift
    "$@" > "$tmp/$name.out" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do grep -q '^listening on' "$tmp/$name.out" && break; sleep 0.05; done
    addr=$(sed -n 's/^listening on //p' "$tmp/$name.out")
    [ -n "$addr" ] || { cat "$tmp/$name.out"; fail "$name did not start"; }
}
start remote "$top_builddir/contrib/fakes/orderhub-sandbox-remote" --port 0 --step-ms 100; remote=$addr
start http "$PY" "$support/notify_receiver.py" --log "$tmp/http.jsonl"; http=$addr
start flaky "$PY" "$support/notify_receiver.py" --log "$tmp/flaky.jsonl" --fail-first 2; flaky=$addr
start gone "$PY" "$support/notify_receiver.py" --log "$tmp/gone.jsonl" --status 410; gone=$addr
start late "$PY" "$support/notify_receiver.py" --log "$tmp/late.jsonl" --listen-after "$tmp/go"
late=$addr
mkdir "$tmp/mail"
start smtp "$PY" "$support/smtp_receiver.py" --dir "$tmp/mail"; smtp=$addr

export NC_SHOP="shop-token-0123456789abcdef" NC_SELLER="seller-token-0123456789abcdef"
export NC_ADMIN="admin-token-0123456789abcdef" NC_KEY="sk_test_notify"
export HOOK_SECRET="whsec_default_0123456789" TW_TOKEN="twilio_auth_token_0123456789abcdef"
export SLACK_URL="http://$http/services/T0001/B0001/slacksecret0123456789"
export LATE_URL="http://$late/services/T0001/B0002/latesecret0123456789"
seller_secret="whsec_seller_s4242_abcdef"
printf '{"s-4242": {"url": "http://%s/sellers/s-4242", "secret": "%s"}}\n' "$http" \
    "$seller_secret" > "$tmp/sellers.json"
sid=AC0123456789abcdef0123456789abcdef
templates="$top_srcdir/conf/templates"
write_conf() { # write_conf FILE TEMPLATE_DIR
    cat > "$1" <<CONF
listen = "127.0.0.1:0";
store  = { driver = "sqlite"; path = "$tmp/orderhub.db"; };
engine = { track_poll_ms = 100; backoff_base_ms = 50; backoff_max_ms = 200; max_attempts = 6; };
api = { tokens = ( { name = "shop"; role = "storefront"; token = "env:NC_SHOP"; },
                  { name = "seller"; role = "seller:s-4242"; token = "env:NC_SELLER"; },
                  { name = "ops"; role = "admin"; token = "env:NC_ADMIN"; } ); };
plugins = (
  { id = "pay"; module = "payment_sandbox";
    settings = { base_url = "http://$remote/sandbox/payments"; api_key = "env:NC_KEY"; }; },
  { id = "carrier"; module = "carrier_sandbox"; settings = { base_url = "http://$remote/sandbox/carrier"; }; },
  { id = "hook"; module = "notify_webhook";
    settings = { url = "http://$http/hooks/default"; secret = "env:HOOK_SECRET";
                 sellers_file = "$tmp/sellers.json"; }; },
  { id = "hook-flaky"; module = "notify_webhook";
    settings = { url = "http://$flaky/hooks/flaky"; secret = "env:HOOK_SECRET"; }; },
  { id = "hook-gone"; module = "notify_webhook";
    settings = { url = "http://$gone/hooks/gone"; secret = "env:HOOK_SECRET"; }; },
  { id = "mail"; module = "notify_email";
    settings = { url = "smtp://$smtp"; from = "shop@acme-mugs.example"; from_name = "ACME Mugs";
                 to = "buyer"; template_dir = "$2"; }; },
  { id = "sms"; module = "notify_sms";
    settings = { base_url = "http://$http/twilio"; account_sid = "$sid"; auth_token = "env:TW_TOKEN";
                 from = "+15005550006"; to = "buyer"; template_dir = "$2"; }; },
  { id = "sms-seller"; module = "notify_sms";
    settings = { base_url = "http://$http/twilio"; account_sid = "$sid"; auth_token = "env:TW_TOKEN";
                 from = "+15005550006"; to = "seller"; template_dir = "$2"; }; },
  { id = "chat"; module = "notify_chat";
    settings = { webhook_url = "env:SLACK_URL"; template_dir = "$2"; }; },
  { id = "chat-late"; module = "notify_chat";
    settings = { webhook_url = "env:LATE_URL"; template_dir = "$2"; }; }
);
routes = (
  { on = "order.placed";       chain = [ "pay" ]; },
  { on = "fulfillment.packed"; chain = [ "carrier", "chat-late" ]; },
  { on = "order.*";            chain = [ "hook" ]; },
  { on = "order.confirmed";    chain = [ "hook-flaky", "mail", "sms-seller" ]; },
  { on = "order.acknowledged"; chain = [ "hook-gone" ]; },
  { on = "shipment.*";         chain = [ "hook", "chat" ]; },
  { on = "shipment.delivered"; chain = [ "mail", "sms" ]; }
);
CONF
}

# ---- --check-config: templates are validated at init ----------------------------------------
write_conf "$tmp/orderhub.conf" "$templates"
export ORDERHUB_PLUGIN_PATH="$PLUGIN_DIR"
"$daemon" --check-config -c "$tmp/orderhub.conf" > "$tmp/check.out" 2>&1 \
    || { cat "$tmp/check.out"; fail "the shipped templates are refused"; }
cp -r "$templates" "$tmp/bad-templates" && chmod -R u+w "$tmp/bad-templates"  # distcheck: read-only srcdir
printf 'Hello {{buyer.name}},\n\nYour order {{order.id}}\nships {{order.ship_date}}.\n' \
    > "$tmp/bad-templates/email/order.txt"
write_conf "$tmp/bad.conf" "$tmp/bad-templates"
"$daemon" --check-config -c "$tmp/bad.conf" > "$tmp/check.out" 2>&1 && fail "an unknown variable passed --check-config"
grep -q "bad-templates/email/order.txt:4: unknown variable {{order.ship_date}}" "$tmp/check.out" \
    || { cat "$tmp/check.out"; fail "the refusal does not name file:line and the variable"; }
printf 'Order {{order.id}\n' > "$tmp/bad-templates/email/order.txt"
printf ':x: {{event.name}} }} extra\n' > "$tmp/bad-templates/chat/order.txt"
"$daemon" --check-config -c "$tmp/bad.conf" > "$tmp/check.out" 2>&1 && fail "unbalanced braces passed"
grep -q "email/order.txt:1: unbalanced braces" "$tmp/check.out" || { cat "$tmp/check.out"; fail "unclosed {{"; }
grep -q "chat/order.txt:1: unbalanced braces" "$tmp/check.out" || { cat "$tmp/check.out"; fail "stray }}"; }
ok "--check-config: shipped templates pass; an unknown variable and unbalanced braces fail naming file:line"

# ---- the daemon, and one order's whole journey --------------------------------------------------
"$daemon" -c "$tmp/orderhub.conf" 2> "$tmp/log" &
pids+=($!)
for _ in $(seq 100); do grep -q "API on" "$tmp/log" && break; sleep 0.1; done
api="http://$(sed -n 's/.*API on \([0-9.:]*\)).*/\1/p' "$tmp/log")"
[ "$api" != "http://" ] || fail "orderhubd did not start"
as() { local tok=$1; shift; curl -sS --max-time 20 -H "Authorization: Bearer $tok" "$@"; }
sample="$top_srcdir/conf/sample-order.json"
# Buyer data that must be escaped in HTML, encoded in headers, normalised for SMS.
jq -c '.id = "nc-1" | .buyer.name = "Zoë <Lovelace> & Co" | .buyer.phone = "+1 (217) 555-0142"' \
    "$sample" > "$tmp/o1.json"
code=$(as "$NC_SHOP" -o "$tmp/out" -w '%{http_code}' --data @"$tmp/o1.json" "$api/v1/orders")
[ "$code" = 201 ] || fail "placing nc-1: $code $(cat "$tmp/out")"
# wait_for FILE JQ-SLURP-EXPR WHAT: poll a JSON-lines record file until EXPR holds.
wait_for() {
    for _ in $(seq 200); do
        [ -s "$1" ] && jq -s -e "$2" "$1" > /dev/null 2>&1 && return 0
        sleep 0.1
    done
    fail "$3 (records: $(cat "$1" 2> /dev/null | head -c 3000))"
}
state() { as "$NC_ADMIN" "$api/v1/orders/$1" | jq -r .state; }
for _ in $(seq 100); do [ "$(state nc-1)" = awaiting_shipment ] && break; sleep 0.1; done
as "$NC_SELLER" -X POST "$api/v1/orders/nc-1/ack" > /dev/null
as "$NC_SELLER" -X POST --data '{"parcels":[{"weight_g":950}]}' "$api/v1/orders/nc-1/pack" > "$tmp/out"
jq -e '.state == "awaiting_collection"' "$tmp/out" > /dev/null || fail "pack: $(cat "$tmp/out")"

# chat-late's receiver refuses connections until it sees "go": wait for the first failure.
for _ in $(seq 100); do grep -q "chat-late/notify attempt 1 failed" "$tmp/log" && break; sleep 0.05; done
grep -q "chat-late/notify attempt 1 failed" "$tmp/log" || fail "the refused chat delivery was not retried"
touch "$tmp/go"

# ---- webhooks: seller endpoint, signature, body ----------------------------------------------
wait_for "$tmp/http.jsonl" '[.[] | select(.path == "/sellers/s-4242" and .headers["Orderhub-Event"] == "shipment.delivered")] | length == 1' \
    "no shipment.delivered webhook at the seller's endpoint"
jq -c 'select(.path | startswith("/sellers/") or startswith("/hooks/"))' "$tmp/http.jsonl" > "$tmp/hooks.jsonl"
n=0
while IFS= read -r rec; do
    n=$((n + 1))
    body=$(jq -r .body <<< "$rec")
    sig=$(jq -r '.headers["Orderhub-Signature"]' <<< "$rec")
    t=${sig#t=}; t=${t%%,*}; v1=${sig##*v1=}
    want=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$seller_secret" | sed 's/^.*= //')
    [ "$v1" = "$want" ] || fail "webhook $n: signature does not verify with the seller's secret"
    now=$(date +%s)
    [ $((now - t)) -lt 300 ] && [ $((t - now)) -lt 300 ] || fail "webhook $n: timestamp $t not now"
    jq -e --argjson r "$rec" '.id == $r.headers["Orderhub-Delivery"] and .event == $r.headers["Orderhub-Event"]
        and .order.id == "nc-1" and (.order.payment | has("token") | not) and (.order | has("_engine") | not)
        and (.occurred_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")) and (.data | type == "object")' \
        <<< "$body" > /dev/null || fail "webhook $n body: $body"
    [ "$(jq -r .path <<< "$rec")" = /sellers/s-4242 ] || fail "webhook $n went to $(jq -r .path <<< "$rec"), not the seller's URL"
done < "$tmp/hooks.jsonl"
[ "$n" -ge 6 ] || fail "only $n webhooks"
jq -s -e '[.[] | .headers["Orderhub-Event"]] | (index("order.confirmed") != null) and (index("shipment.label_created") != null)
    and (index("shipment.delivered") != null) and (index("order.acknowledged") != null)' "$tmp/hooks.jsonl" > /dev/null \
    || fail "webhook events: $(jq -r '.headers["Orderhub-Event"]' "$tmp/hooks.jsonl" | tr '\n' ' ')"
jq -s -e '[.[] | .headers["Orderhub-Delivery"]] | length == (unique | length)' "$tmp/hooks.jsonl" > /dev/null \
    || fail "a webhook was delivered twice"
delivered=$(jq -r 'select(.headers["Orderhub-Event"] == "shipment.delivered") | .body' "$tmp/hooks.jsonl")
jq -e '.data.tracking_number == .order.shipment.tracking_number and .data.status == "delivered"
       and .order.buyer.name == "Zoë <Lovelace> & Co"' <<< "$delivered" > /dev/null \
    || fail "delivered webhook: $delivered"
ok "webhooks: $n deliveries to the seller's own URL, each signed with its secret (openssl verifies), id = Orderhub-Delivery, no card token"

# ---- e-mail: the real SMTP server's copy -------------------------------------------------------
for _ in $(seq 100); do [ "$(ls "$tmp/mail" | grep -c '\.eml$')" -ge 2 ] && break; sleep 0.1; done
"$PY" - "$tmp/mail" <<'PY' || fail "e-mail check failed"
import email, email.policy, glob, json, os, re, sys
d = sys.argv[1]
msgs = {}
for path in sorted(glob.glob(os.path.join(d, "*.eml"))):
    raw = open(path, "rb").read()
    env = json.load(open(path[:-4] + ".json"))
    m = email.message_from_bytes(raw, policy=email.policy.default)
    msgs[m["X-Orderhub-Event"]] = (raw, env, m)
assert set(msgs) == {"order.confirmed", "shipment.delivered"}, sorted(msgs)
raw, env, m = msgs["shipment.delivered"]
def check(cond, what):
    if not cond:
        sys.exit("e-mail: " + what)
check(b"\n" not in raw.replace(b"\r\n", b""), "a bare LF: lines must end CRLF")
check(env["rcpt_tos"] == ["ada@example.test"] and env["mail_from"] == "shop@acme-mugs.example",
      "envelope %r" % env)
head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # headers are pure ASCII
check(re.search(r"^Subject: =\?UTF-8\?B\?", head, re.M), "non-ASCII subject not RFC 2047")
check(str(m["Subject"]) == "Delivered: your order nc-1, Zoë <Lovelace> & Co", "subject %r" % str(m["Subject"]))
check(m["To"].addresses[0].addr_spec == "ada@example.test" and m["To"].addresses[0].display_name == "Zoë <Lovelace> & Co",
      "To %r" % str(m["To"]))
check(m["From"].addresses[0].addr_spec == "shop@acme-mugs.example", "From")
check(re.fullmatch(r"<[0-9a-f]{32}\.orderhub@acme-mugs\.example>", m["Message-ID"]), "Message-ID %r" % m["Message-ID"])
check(m["Date"] is not None and m["Date"].datetime is not None, "Date")
check(m["X-Orderhub-Delivery"] == "nc-1/shipment.delivered#1/mail/notify", "delivery id %r" % m["X-Orderhub-Delivery"])
check(m.get_content_type() == "multipart/alternative", "type %s" % m.get_content_type())
parts = {p.get_content_type(): p.get_content() for p in m.iter_parts()}
check(set(parts) == {"text/plain", "text/html"}, "parts %r" % list(parts))
text, html = parts["text/plain"], parts["text/html"]
for s in ("Hello Zoë <Lovelace> & Co,", "Your order nc-1 was delivered.", "Tracking number: SBX", "Signed by: J. DOE",
          "2 x MUG-BLUE-12OZ, 1 x COASTER-4PK", "Springfield"):
    check(s in text, "text part lacks %r:\n%s" % (s, text))
check("Hello Zoë &lt;Lovelace&gt; &amp; Co," in html and "<Lovelace>" not in html, "HTML part not escaped:\n" + html)
check("<b>nc-1</b>" in html, "HTML part lacks the order id")
raw, env, m = msgs["order.confirmed"]
check(str(m["Subject"]) == "Your order nc-1 is awaiting_shipment", "confirmed subject %r" % str(m["Subject"]))
print("mail ok")
PY
ok "e-mail: one message per event at a real SMTP server: CRLF, RFC 2047 subject and name, Message-ID, text + escaped HTML parts with the order's data"

# ---- SMS and chat -------------------------------------------------------------------------------
wait_for "$tmp/http.jsonl" '[.[] | select(.path | endswith("/Messages.json"))] | length == 1' "no SMS"
jq -c 'select(.path | endswith("/Messages.json"))' "$tmp/http.jsonl" > "$tmp/sms.json"
jq -e --arg p "/twilio/2010-04-01/Accounts/$sid/Messages.json" \
    --arg auth "Basic $(printf '%s:%s' "$sid" "$TW_TOKEN" | base64 -w0)" \
    '.path == $p and .headers.Authorization == $auth and .status == 201
     and (.headers["Content-Type"] | startswith("application/x-www-form-urlencoded"))' "$tmp/sms.json" > /dev/null \
    || fail "SMS request: $(cat "$tmp/sms.json")"
form=$(jq -r .body "$tmp/sms.json")
"$PY" -c 'import sys, urllib.parse as u; f = dict(u.parse_qsl(sys.argv[1], strict_parsing=True))
assert f["To"] == "+12175550142" and f["From"] == "+15005550006", f
assert "order nc-1 was delivered" in f["Body"] and "SBX" in f["Body"], f' "$form" || fail "SMS form: $form"
wait_for "$tmp/http.jsonl" '[.[] | select(.path | startswith("/services/T0001/B0001/")) | .body | fromjson | .text
    | select(test("shipment.delivered"))] | length == 1' "no chat message for shipment.delivered"
jq -r 'select(.path | startswith("/services/")) | .body | fromjson | .text' "$tmp/http.jsonl" > "$tmp/chat.txt"
grep -q ':truck: \*shipment.delivered\* - order nc-1: carrier SBX[0-9]* is delivered' "$tmp/chat.txt" \
    || fail "chat text: $(cat "$tmp/chat.txt")"
ok "SMS: Twilio-shaped form POST with basic auth, E.164 number from the order; chat: Slack-style {\"text\"} per shipment event"

# ---- retries: 500 twice, refused connections ----------------------------------------------------
wait_for "$tmp/flaky.jsonl" 'length == 3' "the flaky receiver did not get 3 attempts"
jq -s -e 'map(.status) == [500, 500, 200] and (map(.headers["Orderhub-Delivery"]) | unique | length == 1)
          and (map(.body | fromjson | .id) | unique | length == 1)' "$tmp/flaky.jsonl" > /dev/null \
    || fail "flaky receiver records: $(cat "$tmp/flaky.jsonl")"
wait_for "$tmp/late.jsonl" 'length >= 1' "the chat receiver that came up late got nothing"
sleep 0.5
jq -s -e 'length == 1 and .[0].status == 200 and (.[0].body | fromjson | .text | test("fulfillment.packed"))' \
    "$tmp/late.jsonl" > /dev/null || fail "late receiver: $(cat "$tmp/late.jsonl")"
ok "500 twice, then accepted: 3 attempts, one Orderhub-Delivery id; refused connections: retried, arrives once"

# ---- 4xx: dead letter ------------------------------------------------------------------------------
wait_for "$tmp/gone.jsonl" 'length == 1' "the 410 receiver got no request"
ctl="$top_builddir/tools/orderhubctl/orderhubctl"
for _ in $(seq 50); do
    ORDERHUB_URL="$api" ORDERHUB_TOKEN="$NC_ADMIN" "$ctl" --json dead-letters > "$tmp/dead.json" 2> "$tmp/dead.err"
    jq -e '.dead_letters | map(select(.instance == "hook-gone")) | length == 1' "$tmp/dead.json" > /dev/null 2>&1 && break
    sleep 0.1
done
jq -e '.dead_letters | map(select(.instance == "hook-gone")) | .[0] | .order_id == "nc-1"
       and .operation == "notify" and .attempts == 1 and (.last_error | test("410"))' "$tmp/dead.json" > /dev/null \
    || fail "dead letters: $(cat "$tmp/dead.json" "$tmp/dead.err")"
jq -e '.dead_letters | map(select(.instance != "hook-gone")) | length == 0' "$tmp/dead.json" > /dev/null \
    || fail "other channels dead-lettered: $(cat "$tmp/dead.json")"
# The seller has no phone: sms-seller has nothing to send (OH_STOP), which is done, not dead.
grep -q "sms-seller has nothing to send for order.confirmed" "$tmp/log" \
    || fail "sms-seller's OH_STOP not reported as nothing to send"
sleep 0.5
[ "$(wc -l < "$tmp/gone.jsonl")" = 1 ] || fail "a 410 was retried"
ORDERHUB_URL="$api" ORDERHUB_TOKEN="$NC_ADMIN" "$ctl" dead-letters > "$tmp/dead.txt" 2>&1
grep -q "hook-gone" "$tmp/dead.txt" || fail "orderhubctl dead-letters table: $(cat "$tmp/dead.txt")"
ok "HTTP 410: no retry, the action is in orderhubctl dead-letters with the status"

# ---- another seller: the default endpoint and secret ---------------------------------------
jq -c '.id = "nc-2" | .seller.id = "s-other"' "$sample" > "$tmp/o2.json"
code=$(as "$NC_SHOP" -o "$tmp/out" -w '%{http_code}' --data @"$tmp/o2.json" "$api/v1/orders")
[ "$code" = 201 ] || fail "placing nc-2: $code $(cat "$tmp/out")"
wait_for "$tmp/http.jsonl" '[.[] | select(.path == "/hooks/default" and .headers["Orderhub-Event"] == "order.confirmed")] | length == 1' \
    "no webhook at the default URL for a seller outside sellers_file"
rec=$(jq -c 'select(.path == "/hooks/default" and .headers["Orderhub-Event"] == "order.confirmed")' "$tmp/http.jsonl")
body=$(jq -r .body <<< "$rec"); sig=$(jq -r '.headers["Orderhub-Signature"]' <<< "$rec")
t=${sig#t=}; t=${t%%,*}
want=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$HOOK_SECRET" | sed 's/^.*= //')
[ "${sig##*v1=}" = "$want" ] || fail "default endpoint signature"
jq -e '.order.id == "nc-2" and .order.seller.id == "s-other"' <<< "$body" > /dev/null || fail "nc-2 body: $body"
ok "a seller outside sellers_file: the default URL, signed with the default secret"

if grep -E "slacksecret|latesecret|$TW_TOKEN|$seller_secret|$HOOK_SECRET" "$tmp/log" > /dev/null; then
    fail "a secret in the daemon's log"
fi
ok "no webhook URL, token or signing secret in the daemon's log"
echo "$pass passed, 0 failed"
