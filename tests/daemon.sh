#!/bin/bash
# daemon.sh - the real orderhubd: --version, --check-config exit codes, foreground start,
# SIGHUP reload refused then accepted, SIGTERM stop, --daemon with a locked pid file, and
# no secret in any log line.
set -u
: "${top_builddir:?}" "${PLUGIN_DIR:?}" "${TEST_PLUGIN_DIR:?}"
daemon="$top_builddir/core/orderhubd"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/log" ] && { echo "--- daemon log:"; cat "$tmp/log"; }; exit 1; }
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }

export ORDERHUB_PLUGIN_PATH="$PLUGIN_DIR:$TEST_PLUGIN_DIR"
export OH_SECRET="hunter2-SECRET-never-logged"

# Wait until FILE contains PATTERN (up to 10 s).
wait_for() {
    for _ in $(seq 100); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}

good_conf() {  # $1: greeting, written to $tmp/orderhub.conf
    cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
plugins = (
  { id = "f"; module = "test_filter"; settings = { greeting = "$1"; secret = "env:OH_SECRET"; }; },
  { id = "pay"; module = "payment_sandbox"; settings = { api_key = "env:OH_SECRET"; }; }
);
routes = ( { on = "order.placed"; chain = [ "f", "pay" ]; } );
CONF
}

"$daemon" --version | grep -Eq '^orderhubd [0-9.]+ \(plugin SDK ABI 1\.[0-9]+\)$' \
    || fail "--version output"
ok "--version prints version and ABI"

good_conf one
"$daemon" -t -c "$tmp/orderhub.conf" > "$tmp/out" 2>&1 || { cat "$tmp/out"; fail "valid config refused"; }
grep -q "configuration OK (2 plugin instances, 1 routes)" "$tmp/out" || fail "check-config summary"
ok "--check-config accepts a valid file"

"$daemon" -t -v -c "$tmp/orderhub.conf" > "$tmp/out" 2>&1 || fail "check-config -v"
grep -q '"api_key": "\*\*\*"' "$tmp/out" || fail "api_key not redacted in -v output"
! grep -q "$OH_SECRET" "$tmp/out" || fail "secret printed by --check-config -v"
ok "--check-config -v redacts secrets"

printf 'plugins = ( { id = "x"; module = "nope"; } );\nsla = { ship_by_hours = 0; };\n' > "$tmp/bad.conf"
"$daemon" -t -c "$tmp/bad.conf" > "$tmp/out" 2>&1
[ $? -eq 1 ] || fail "--check-config on a bad file must exit 1"
[ "$(grep -c '^error: .*bad.conf:[0-9]*: ' "$tmp/out")" -eq 2 ] || { cat "$tmp/out"; fail "both errors with file:line"; }
ok "--check-config prints every error with file:line and exits 1"

# A URL setting (OH_SETTING_HTTP_URL) is judged by the host, at the value's own line.
printf 'plugins = (\n  { id = "pay"; module = "payment_sandbox";\n    settings = { api_key = "env:OH_SECRET";\n      base_url = "ftp://gw.example/pay"; }; }\n);\n' > "$tmp/url.conf"
"$daemon" -t -c "$tmp/url.conf" > "$tmp/out" 2>&1
[ $? -eq 1 ] || fail "--check-config with an ftp:// base_url must exit 1"
grep -q "url.conf:4: instance 'pay': setting 'base_url': must be an http:// or https:// URL" \
    "$tmp/out" || { cat "$tmp/out"; fail "URL refusal without file:line"; }
sed -i 's|ftp://gw.example/pay|https://gw example/pay|' "$tmp/url.conf"
"$daemon" -t -c "$tmp/url.conf" > "$tmp/out" 2>&1
[ $? -eq 1 ] || fail "a URL with a blank must be refused"
ok "a plugin's URL setting is checked by the host with file:line (scheme, blanks)"

"$daemon" --no-such-option > /dev/null 2>&1
[ $? -eq 2 ] || fail "usage error must exit 2"
ok "usage errors exit 2"

# Foreground run, reloads, stop.
"$daemon" -c "$tmp/orderhub.conf" -l debug 2> "$tmp/log" &
pid=$!; pids+=("$pid")
wait_for "$tmp/log" "started" || fail "daemon did not start"
grep -q "instance 'pay': payment_sandbox" "$tmp/log" || fail "loaded instances not logged"
ok "foreground start logs the loaded plugins"

cp "$tmp/orderhub.conf" "$tmp/good.copy"
printf 'plugins = ( { id = "f"; module = "test_filter"; settings = { greeting = "x"; fail_init = true; }; } );\n' > "$tmp/orderhub.conf"
kill -HUP "$pid"
wait_for "$tmp/log" "reload refused: keeping configuration generation 1" || fail "bad reload not refused"
grep -q "init failed: asked to fail" "$tmp/log" || fail "reason of the refused reload not logged"
kill -0 "$pid" || fail "daemon died on a bad reload"
ok "SIGHUP with a bad file keeps generation 1 running"

good_conf two
kill -HUP "$pid"
wait_for "$tmp/log" "configuration reloaded: generation 2" || fail "good reload not applied"
ok "SIGHUP with a good file installs generation 2"

kill -TERM "$pid"
wait "$pid"; rc=$?
[ $rc -eq 0 ] || fail "SIGTERM exit status $rc"
grep -q "stopped" "$tmp/log" || fail "no stop line"
! grep -q "$OH_SECRET" "$tmp/log" || fail "secret in the log"
ok "SIGTERM stops cleanly; no secret in the log"

# Background run with a pid file.
"$daemon" -c "$tmp/orderhub.conf" --daemon --pid-file "$tmp/orderhubd.pid" || fail "--daemon start"
for _ in $(seq 50); do [ -s "$tmp/orderhubd.pid" ] && break; sleep 0.1; done
dpid=$(cat "$tmp/orderhubd.pid" 2>/dev/null) || fail "no pid file"
pids+=("$dpid")
kill -0 "$dpid" || fail "daemonized process not running"
"$daemon" -c "$tmp/orderhub.conf" --pid-file "$tmp/orderhubd.pid" 2> "$tmp/second"
[ $? -eq 1 ] || fail "second daemon on the same pid file must refuse"
grep -q "already runs (pid $dpid)" "$tmp/second" || { cat "$tmp/second"; fail "refusal names the pid"; }
ok "--daemon writes a locked pid file; a second instance refuses"

kill -TERM "$dpid"
for _ in $(seq 50); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$dpid" 2>/dev/null || fail "daemon did not stop on SIGTERM"
[ ! -e "$tmp/orderhubd.pid" ] || fail "pid file left behind"
ok "SIGTERM stops the daemon and removes its pid file"

# Relative paths survive the daemon's chdir("/"); the parent's exit status is the daemon's.
(cd "$tmp" && "$daemon" -d -c orderhub.conf -p rel.pid) || fail "--daemon with relative paths"
for _ in $(seq 50); do [ -s "$tmp/rel.pid" ] && break; sleep 0.1; done
rpid=$(cat "$tmp/rel.pid" 2>/dev/null) || fail "no relative pid file"
pids+=("$rpid")
kill -0 "$rpid" || fail "daemon with a relative config died"
kill -TERM "$rpid"
for _ in $(seq 50); do kill -0 "$rpid" 2>/dev/null || break; sleep 0.1; done
ok "--daemon resolves a relative config and pid file before detaching"

printf 'plugins = ( { id = "f"; module = "test_filter"; settings = { greeting = "x"; fail_init = true; }; } );\n' > "$tmp/initfail.conf"
"$daemon" -d -c "$tmp/initfail.conf" 2> "$tmp/out"
[ $? -eq 1 ] || fail "--daemon whose plugins fail to init must exit 1"
grep -q "failed to start" "$tmp/out" || fail "no failure message from the parent"
ok "--daemon exits 1 when the daemon fails to start"

echo "$pass passed, 0 failed"
