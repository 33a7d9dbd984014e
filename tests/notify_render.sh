#!/bin/bash
# notify_render.sh - the notifiers offline through `orderhub-plugin notify-render` (the
# daemon's own loader, settings check, init and host table): what each builds from one
# event, secrets redacted; hostile order data (CR/LF in a name) stays out of mail headers;
# settings and sellers files refused with a reason; every template variable documented.
set -u
: "${top_builddir:?}" "${top_srcdir:?}" "${PLUGIN_DIR:?}"
for tool in jq openssl; do command -v "$tool" > /dev/null || exit 77; done
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
fail() { echo "FAIL: $*"; exit 1; }
tool="$top_builddir/sdk/orderhub-plugin"
T="$top_srcdir/conf/templates"
ev="$top_srcdir/plugins/notifier/common/examples/shipment.delivered.json"
# render PLUGIN EVENT [SETTINGS...]: stdout in $tmp/out, stderr in $tmp/err; sets $rc.
render() {
    local p=$1 e=$2; shift 2
    local args=()
    for s in "$@"; do args+=(--setting "$s"); done
    "$tool" notify-render "$PLUGIN_DIR/$p.so" "$e" "${args[@]}" > "$tmp/out" 2> "$tmp/err"
    rc=$?
}
mail=(url=smtp://127.0.0.1:2525 from=shop@acme-mugs.example "from_name=ACME Mugs"
      template_dir="$T" username=mailer "password=p@ss:w/rd")

# ---- every variable documented ---------------------------------------------------------------
sed -n 's/^ *{"\([a-z_]*\.[a-z_]*\)", .*/\1/p' "$top_srcdir/plugins/notifier/common/nt_vars.c" > "$tmp/vars"
[ "$(wc -l < "$tmp/vars")" -ge 40 ] || fail "could not read the variable list"
while read -r v; do
    grep -q "{{$v}}" "$top_srcdir/plugins/notifier/common/README.md" || fail "{{$v}} not in plugins/notifier/common/README.md"
done < "$tmp/vars"
ok "all $(wc -l < "$tmp/vars") template variables are documented"

# ---- e-mail --------------------------------------------------------------------------------------
render notify_email "$ev" "${mail[@]}"
[ "$rc" = 0 ] || fail "email render: $(cat "$tmp/err")"
jq -e '.request.url == "smtp://***@127.0.0.1:2525" and .request.mail_rcpt == ["<ada@example.test>"]' \
    "$tmp/out" > /dev/null || fail "email request: $(cat "$tmp/out")"
grep -q 'p@ss' "$tmp/out" && fail "the SMTP password is shown"
jq -r .request.body "$tmp/out" > "$tmp/msg"
# Header lines within RFC 5322's 78 characters, quoted-printable lines within 76 (+ CR).
awk '/^\r$/ { body = 1 } { if (length($0) > (body ? 77 : 79)) exit 1 }' "$tmp/msg" \
    || fail "a line too long: $(awk '{ if (length($0) > 77) print }' "$tmp/msg")"
ok "email: envelope from the order, credentials in the URL redacted, lines within 76 characters"

# CR/LF in order data (the API refuses it; a snapshot from elsewhere may not) and a template
# line starting with a dot.
jq '.order.buyer.name = "Eve\r\nBcc: evil@example.test" | .order.id = "o\r\nX-Evil: 1"' "$ev" > "$tmp/evil.json"
cp -r "$T" "$tmp/t" && chmod -R u+w "$tmp/t"  # distcheck: read-only srcdir
printf '.hidden line\nHello {{buyer.name}}\n' > "$tmp/t/email/shipment.delivered.txt"
render notify_email "$tmp/evil.json" "${mail[@]/#template_dir=*/template_dir=$tmp/t}"
[ "$rc" = 0 ] || fail "evil render: $(cat "$tmp/err")"
jq -r .request.body "$tmp/out" > "$tmp/evil.eml"
"$PY" - "$tmp/evil.eml" <<'PY' || fail "header injection"
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
head = raw.split(b"\r\n\r\n", 1)[0]
assert b"\nBcc:" not in head and b"\nX-Evil:" not in head, head
m = email.message_from_bytes(raw, policy=email.policy.default)
assert m["Bcc"] is None and m["X-Evil"] is None
assert m["To"].addresses[0].addr_spec == "ada@example.test"
text = [p for p in m.iter_parts() if p.get_content_type() == "text/plain"][0]
assert text.get_content().replace("\r\n", "\n").startswith(".hidden line\n"), text.get_content()
assert b"\r\n=2Ehidden line" in raw, "a leading dot is not encoded"
PY
ok "email: CR/LF in order data cannot add a header; a leading dot is encoded (=2E)"

render notify_email "$ev" url=smtp://user:pw@127.0.0.1 from=a@b.test template_dir="$T"
[ "$rc" = 1 ] && grep -q "must not carry credentials" "$tmp/err" || fail "userinfo url: $(cat "$tmp/err")"
jq '.order.buyer |= del(.email)' "$ev" > "$tmp/noaddr.json"
render notify_email "$tmp/noaddr.json" "${mail[@]}"
[ "$rc" = 0 ] && jq -e '.request == null and (.stop | test("no buyer e-mail"))' "$tmp/out" > /dev/null \
    || fail "no address: $(cat "$tmp/out" "$tmp/err")"
ok "email: credentials in the URL refused; no buyer address: nothing to send (OH_STOP)"

# Without `to` the audience is the one the host names (the event's role here); `to` wins.
jq '.role = "seller"' "$ev" > "$tmp/seller.json"
render notify_email "$tmp/seller.json" "${mail[@]}"
jq -e '.request.mail_rcpt == ["<orders@acme-mugs.example>"]' "$tmp/out" > /dev/null \
    || fail "email to the seller role: $(cat "$tmp/out" "$tmp/err")"
render notify_email "$tmp/seller.json" "${mail[@]}" to=buyer
jq -e '.request.mail_rcpt == ["<ada@example.test>"]' "$tmp/out" > /dev/null \
    || fail "to = buyer did not win over the seller role: $(cat "$tmp/out" "$tmp/err")"
jq '.role = "operator"' "$ev" > "$tmp/operator.json"
render notify_email "$tmp/operator.json" "${mail[@]}"
[ "$rc" = 0 ] && jq -e '.request == null and (.stop | test("no operator e-mail"))' "$tmp/out" > /dev/null \
    || fail "operator without to: $(cat "$tmp/out" "$tmp/err")"
render notify_email "$tmp/operator.json" "${mail[@]}" to=ops@acme-mugs.example
jq -e '.request.mail_rcpt == ["<ops@acme-mugs.example>"]' "$tmp/out" > /dev/null \
    || fail "operator with a fixed to: $(cat "$tmp/out" "$tmp/err")"
ok "email: without to, the host's role picks the address (buyer, seller; operator: nothing); to wins"

# ---- SMS -----------------------------------------------------------------------------------------
sms=(account_sid=AC0123456789abcdef0123456789abcdef auth_token=tw_secret_token_42 from=+15005550006
     template_dir="$T")
render notify_sms "$ev" "${sms[@]}"
[ "$rc" = 0 ] || fail "sms: $(cat "$tmp/err")"
jq -e '.request.url == "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
       and (.request.headers[] | select(.name == "Authorization") | .value) == "***"
       and (.request.body | startswith("To=%2B12175550142&From=%2B15005550006&Body="))' "$tmp/out" > /dev/null \
    || fail "sms request: $(cat "$tmp/out")"
grep -q tw_secret_token_42 "$tmp/out" && fail "the auth token is shown"
jq '.order.buyer.phone = "0217 555 0142"' "$ev" > "$tmp/badphone.json"
render notify_sms "$tmp/badphone.json" "${sms[@]}"
[ "$rc" = 1 ] && grep -q "not in E.164 form" "$tmp/err" || fail "non-E.164: $(cat "$tmp/err")"
render notify_sms "$ev" account_sid=AC123 auth_token=x from=+15005550006 template_dir="$T"
[ "$rc" = 1 ] && grep -q "account_sid must be AC" "$tmp/err" || fail "bad sid: $(cat "$tmp/err")"
ok "sms: Twilio URL and form, basic auth redacted, phone normalised to E.164; bad numbers and SIDs refused"
jq '.role = "seller" | .order.seller.address.phone = "+1 614 555 0100"' "$ev" > "$tmp/sms-seller.json"
render notify_sms "$tmp/sms-seller.json" "${sms[@]}"
jq -e '.request.body | startswith("To=%2B16145550100&")' "$tmp/out" > /dev/null \
    || fail "sms to the seller role: $(cat "$tmp/out" "$tmp/err")"
render notify_sms "$tmp/sms-seller.json" "${sms[@]}" to=buyer
jq -e '.request.body | startswith("To=%2B12175550142&")' "$tmp/out" > /dev/null \
    || fail "sms: to = buyer did not win: $(cat "$tmp/out" "$tmp/err")"
render notify_sms "$tmp/operator.json" "${sms[@]}"
[ "$rc" = 0 ] && jq -e '.request == null and (.stop | test("no operator phone"))' "$tmp/out" > /dev/null \
    || fail "sms operator without to: $(cat "$tmp/out" "$tmp/err")"
ok "sms: without to, the host's role picks the phone (operator: nothing to send); to wins"

# ---- chat ----------------------------------------------------------------------------------------
render notify_chat "$ev" webhook_url=https://hooks.example.test/services/T0/B0/chatsecret42 template_dir="$T"
[ "$rc" = 0 ] || fail "chat: $(cat "$tmp/err")"
grep -q chatsecret42 "$tmp/out" && fail "the chat webhook URL is shown"
jq '.event = "order.confirmed"' "$ev" > "$tmp/confirmed.json"
render notify_chat "$tmp/confirmed.json" webhook_url=https://hooks.example.test/services/x template_dir="$T"
jq -e '.request.body | fromjson | .text | test("for Zoë &lt;Lovelace&gt; &amp; Co:")' "$tmp/out" > /dev/null \
    || fail "chat escaping: $(cat "$tmp/out")"
ok "chat: webhook URL redacted; order data escaped for Slack (&lt; &gt; &amp;)"
mkdir -p "$tmp/ct/chat" && printf 'for {{recipient.role}}\n' > "$tmp/ct/chat/default.txt"
render notify_chat "$tmp/seller.json" webhook_url=https://hooks.example.test/services/x template_dir="$tmp/ct"
jq -e '.request.body | fromjson | .text == "for seller"' "$tmp/out" > /dev/null \
    || fail "chat role from the host: $(cat "$tmp/out" "$tmp/err")"
render notify_chat "$tmp/seller.json" webhook_url=https://hooks.example.test/services/x template_dir="$tmp/ct" audience=operator
jq -e '.request.body | fromjson | .text == "for operator"' "$tmp/out" > /dev/null \
    || fail "chat audience setting did not win: $(cat "$tmp/out" "$tmp/err")"
ok "chat: {{recipient.role}} is the host's role unless audience is set"

# ---- webhook -------------------------------------------------------------------------------------
render notify_webhook "$ev" url=https://example.test/hook secret=whsec_render_1
[ "$rc" = 0 ] || fail "webhook: $(cat "$tmp/err")"
body=$(jq -r .request.body "$tmp/out")
sig=$(jq -r '.request.headers[] | select(.name == "Orderhub-Signature") | .value' "$tmp/out")
t=${sig#t=}; t=${t%%,*}
want=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac whsec_render_1 | sed 's/^.*= //')
[ "${sig##*v1=}" = "$want" ] || fail "signature $sig"
jq -e '.id == "ord-demo-1001/shipment.delivered#1/mail/notify" and .occurred_at == "2026-03-02T14:30:00.250Z"
       and (.order.payment | has("token") | not) and .data.proof.signed_by == "J. DOE"' <<< "$body" > /dev/null \
    || fail "webhook body: $body"
printf '{"s-4242": {"url": "ftp://x", "secret": "k"}}' > "$tmp/sellers.json"
render notify_webhook "$ev" url=https://example.test/hook secret=k sellers_file="$tmp/sellers.json"
[ "$rc" = 1 ] && grep -q 'seller "s-4242": url must be http' "$tmp/err" || fail "bad sellers_file: $(cat "$tmp/err")"
printf '{"s-4242": {"url": "https://seller.test/h", "secret": "k2"}, "s-4242": {}}' > "$tmp/sellers.json"
render notify_webhook "$ev" url=https://example.test/hook secret=k sellers_file="$tmp/sellers.json"
[ "$rc" = 1 ] || fail "a seller listed twice was accepted"
printf '{"s-4242": {"url": "https://seller.test/h", "secret": "k2"}}' > "$tmp/sellers.json"
render notify_webhook "$ev" url=https://example.test/hook secret=k sellers_file="$tmp/sellers.json"
jq -e '.request.url == "https://seller.test/h"' "$tmp/out" > /dev/null || fail "seller URL: $(cat "$tmp/out")"
ok "webhook: signature verifies with openssl, body without the card token; sellers_file checked at init"
echo "$pass passed, 0 failed"
