#!/bin/bash
# orderhub_plugin.sh - the SDK test kit: `info` by module name and by path, the same
# refusals as the daemon's loader, exit codes 0 / 1 / 2.
set -u
: "${top_builddir:?}" "${PLUGIN_DIR:?}" "${TEST_PLUGIN_DIR:?}"
tool="$top_builddir/sdk/orderhub-plugin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset ORDERHUB_PLUGIN_PATH
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
fail() { echo "FAIL: $*"; [ -f "$tmp/out" ] && cat "$tmp/out"; exit 1; }

"$tool" --plugin-path "$PLUGIN_DIR" info payment_sandbox > "$tmp/out" 2>&1 || fail "info by name"
grep -q '"kind": "payment"' "$tmp/out" || fail "kind missing"
grep -q '"major": 1' "$tmp/out" || fail "abi missing"
grep -q '"refund_parse"' "$tmp/out" || fail "operations missing"
grep -q '"name": "api_key"' "$tmp/out" || fail "settings missing"
grep -A6 '"name": "api_key"' "$tmp/out" | grep -q '"sensitive": true' || fail "api_key not sensitive"
ok "info NAME prints the descriptor as JSON"

ORDERHUB_PLUGIN_PATH="$PLUGIN_DIR" "$tool" info "$PLUGIN_DIR/carrier_sandbox.so" > "$tmp/out" 2>&1 \
    || fail "info by path"
grep -q '"max_batch": 50' "$tmp/out" || fail "carrier max_batch missing"
ok "info PATH works and shows carrier max_batch"

ORDERHUB_PLUGIN_PATH="$PLUGIN_DIR" "$tool" info notify_log > "$tmp/out" 2>&1 || fail "env path"
ok "ORDERHUB_PLUGIN_PATH is searched"

"$tool" info "$TEST_PLUGIN_DIR/newer_minor.so" > "$tmp/out" 2>&1
[ $? -eq 1 ] || fail "newer minor must exit 1"
grep -q "newer_minor.so: built for SDK ABI 1.3, newer than this host's 1.2" "$tmp/out" \
    || fail "refusal reason"
ok "a refused plugin exits 1 with the loader's reason"

"$tool" --plugin-path /nonexistent info nothing_here > "$tmp/out" 2>&1
[ $? -eq 1 ] || fail "missing module must exit 1"
grep -q "nothing_here.so: no such file in the plugin path (/nonexistent" "$tmp/out" || fail "missing reason"
ok "a missing module exits 1 naming the searched path"

"$tool" frobnicate x > "$tmp/out" 2>&1
[ $? -eq 2 ] || fail "unknown verb must exit 2"
"$tool" info > "$tmp/out" 2>&1
[ $? -eq 2 ] || fail "missing argument must exit 2"
"$tool" --help | grep -q "^Usage: orderhub-plugin" || fail "--help"
ok "usage errors exit 2; --help prints usage"

fx="$top_srcdir/plugins/carrier/sandbox/fixtures/track-delivered.json"
"$tool" -P "$PLUGIN_DIR" track-parse payment_sandbox "$fx" > "$tmp/out" 2>&1
[ $? -eq 1 ] || fail "track-parse of a payment plugin must exit 1"
grep -q "payment_sandbox is a payment plugin, not a carrier" "$tmp/out" || fail "kind reason"
"$tool" -P "$PLUGIN_DIR" track-parse carrier_sandbox "$fx" --setting nope=1 > "$tmp/out" 2>&1
[ $? -eq 1 ] || fail "unknown setting must exit 1"
grep -q "carrier_sandbox declares no such setting" "$tmp/out" || fail "unknown setting reason"
"$tool" -P "$PLUGIN_DIR" track-parse carrier_sandbox "$fx" --setting base_url=ftp://x > "$tmp/out" 2>&1
[ $? -eq 1 ] || fail "a URL setting the host refuses must exit 1"
grep -q "setting 'base_url': must be an http:// or https:// URL" "$tmp/out" || fail "URL reason"
"$tool" -P "$PLUGIN_DIR" track-parse carrier_sandbox "$fx" --setting journey=nope > "$tmp/out" 2>&1
[ $? -eq 1 ] || fail "a setting init refuses must exit 1"
grep -q "carrier_sandbox: init refused: journey must be" "$tmp/out" || fail "init reason"
"$tool" -P "$PLUGIN_DIR" track-parse carrier_sandbox "$fx" --status 42 > "$tmp/out" 2>&1
[ $? -eq 2 ] || fail "a bad --status must exit 2"
"$tool" -P "$PLUGIN_DIR" track-parse carrier_sandbox > "$tmp/out" 2>&1
[ $? -eq 2 ] || fail "a missing file argument must exit 2"
ok "track-parse refuses other kinds, unknown settings, values init refuses, bad usage"

"$tool" -P "$PLUGIN_DIR" track-parse carrier_sandbox "$fx" --status 503 \
    --setting base_url=http://127.0.0.1:1 > "$tmp/out" 2>&1
[ $? -eq 1 ] || fail "a 503 answer must be rejected"
grep -q "transient: the daemon retries later" "$tmp/out" || fail "503 not called transient"
ok "track-parse --status passes the HTTP status to the plugin"

"$tool" -P "$PLUGIN_DIR" track-request carrier_sandbox SBX1 'A B' \
    --setting base_url=http://user:secret@127.0.0.1:8781/sandbox/carrier > "$tmp/out" 2>&1 \
    || fail "track-request"
jq -e '.request.method == "GET" and (.request.url | test("numbers=SBX1,A%20B$"))' "$tmp/out" \
    > /dev/null || fail "track-request URL"
grep -q secret "$tmp/out" && fail "URL userinfo printed"
ok "track-request prints the request with numbers encoded and userinfo redacted"

if [ -f "$PLUGIN_DIR/carrier_usps.so" ]; then
    "$tool" -P "$PLUGIN_DIR" track-request carrier_usps 9400100000000000000000 \
        --setting user_id=ME123 --setting 'password=s3cr&t<"x' > "$tmp/out" 2>&1 \
        || fail "track-request carrier_usps"
    grep -q "TrackV2" "$tmp/out" || fail "USPS request not printed"
    grep -Eq "ME123|s3cr" "$tmp/out" && fail "a USPS credential printed: $(cat "$tmp/out")"
    ok "secrets in a query string are redacted raw, URL-encoded and XML-escaped"
fi

# The test kit links libohhost (loader, settings, host services) and nothing of the daemon:
# no store, engine, executor, runtime or API code, no SQLite, libmicrohttpd or libcurl.
# Three looks, since the linker drops unused archive members and --as-needed drops unused
# libraries: the link line automake wrote, the libraries the binary needs, its symbols.
bin="$tool"
head -c 4 "$bin" | grep -q ELF || bin="$top_builddir/sdk/.libs/orderhub-plugin"
grep -E '^sdk_orderhub_plugin_(LDADD|DEPENDENCIES) *=' "$top_builddir/Makefile" > "$tmp/out" \
    || fail "no link line for orderhub-plugin in $top_builddir/Makefile"
grep -q libohhost.la "$tmp/out" || fail "orderhub-plugin does not link libohhost"
grep -q libohcore "$tmp/out" && fail "orderhub-plugin links libohcore"
ldd "$bin" > "$tmp/out" 2>&1 || fail "ldd $bin"
grep -Eq 'libsqlite3|libmicrohttpd|libcurl' "$tmp/out" && fail "orderhub-plugin needs the daemon's libraries"
nm --defined-only "$bin" | awk '{print $3}' \
    | grep -E '^(store_|st_|eng_|es_|hub_|ex_|exq_|ext_|rt_|api_|cfg_|router_|lc_)' > "$tmp/out"
[ -s "$tmp/out" ] && fail "orderhub-plugin carries daemon code: $(head -5 "$tmp/out" | tr '\n' ' ')"
ok "orderhub-plugin links libohhost only: no daemon code, no SQLite, libmicrohttpd or libcurl"

echo "$pass passed, 0 failed"
