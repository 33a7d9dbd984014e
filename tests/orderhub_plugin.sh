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
grep -q "newer_minor.so: built for SDK ABI 1.1, newer than this host's 1.0" "$tmp/out" \
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

echo "$pass passed, 0 failed"
