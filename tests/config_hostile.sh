#!/bin/bash
# config_hostile.sh - the real orderhubd against hostile configuration files: a FIFO named
# as a file: secret or an @include, a group of 40,000 unknown settings, a 10 MB string.
# Each must be refused quickly with a file:line error; a reload that meets a FIFO must not
# keep SIGTERM from stopping the daemon.  Every run is bounded by `timeout`.
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

# check CONF: `orderhubd -t` within 10 s (124 = it hung), output in $tmp/out, status in rc;
# elapsed in ms.
check() {
    local t0 t1
    t0=$(date +%s%N)
    timeout 10 "$daemon" -t -c "$1" > "$tmp/out" 2>&1
    rc=$?
    t1=$(date +%s%N)
    elapsed=$(( (t1 - t0) / 1000000 ))
}

# Refused (exit 1, not a timeout) within LIMIT_MS with PATTERN in the output.
expect_refused() {  # $1 conf, $2 pattern, $3 limit_ms, $4 what
    check "$1"
    [ "$rc" -ne 124 ] || fail "$4: --check-config hung (killed after 10 s)"
    [ "$rc" -eq 1 ] || { cat "$tmp/out"; fail "$4: exit status $rc, expected 1"; }
    grep -q -- "$2" "$tmp/out" || { cat "$tmp/out"; fail "$4: no '$2' in the output"; }
    [ "$elapsed" -lt "$3" ] || fail "$4: took $elapsed ms (limit $3 ms)"
}

mkfifo "$tmp/secret.fifo" || fail "mkfifo"

cat > "$tmp/fifo-secret.conf" <<'CONF'
listen = "127.0.0.1:0";
api = { tokens = (
  { name = "ops"; role = "admin";
    token = "file:secret.fifo"; }
); };
CONF
expect_refused "$tmp/fifo-secret.conf" \
    "fifo-secret.conf:4: API token 'ops': cannot read secret file $tmp/secret.fifo: it is a FIFO, not a regular file" \
    5000 "FIFO as a file: secret"
ok "a FIFO as a file: secret is refused at once with file:line"

printf 'listen = "127.0.0.1:0";\n\n@include "secret.fifo"\n' > "$tmp/fifo-include.conf"
expect_refused "$tmp/fifo-include.conf" \
    "fifo-include.conf:3: @include \"secret.fifo\": cannot read $tmp/secret.fifo: it is a FIFO" \
    5000 "FIFO as an @include"
ok "a FIFO as an @include is refused at once with file:line"

# 40,000 unknown settings in one group: took over a minute (libconfig's linear name
# lookup per new setting), now stopped by the per-group limit.
{
    echo 'listen = "127.0.0.1:0";'
    echo 'engine = {'
    for i in $(seq 40000); do echo "unknown_$i = 1;"; done
    echo '};'
} > "$tmp/many.conf"
expect_refused "$tmp/many.conf" "many.conf:259: more than 256 settings in one group" 5000 \
    "40,000 unknown settings"
ok "40,000 settings in one group are refused in $elapsed ms"

# A 10 MB string: over a minute in libconfig's scanner, now stopped by the size limit.
{
    printf 'listen = "127.0.0.1:0";\npid_file = "'
    head -c 10000000 /dev/zero | tr '\0' a
    printf '";\n'
} > "$tmp/bigstring.conf"
expect_refused "$tmp/bigstring.conf" "bigstring.conf: larger than 1048576 bytes" 5000 \
    "a 10 MB string"
ok "a 10 MB configuration is refused in $elapsed ms"

# A reload that meets the FIFO is refused, and SIGTERM still stops the daemon at once.
printf 'listen = "127.0.0.1:0";\n' > "$tmp/orderhub.conf"
"$daemon" -c "$tmp/orderhub.conf" 2> "$tmp/log" &
pid=$!; pids+=("$pid")
for _ in $(seq 100); do grep -q "started" "$tmp/log" && break; sleep 0.1; done
grep -q "started" "$tmp/log" || fail "daemon did not start"
printf 'listen = "127.0.0.1:0";\n@include "secret.fifo"\n' > "$tmp/orderhub.conf"
kill -HUP "$pid"
for _ in $(seq 100); do grep -q "reload refused" "$tmp/log" && break; sleep 0.1; done
grep -q "orderhub.conf:2: @include \"secret.fifo\": cannot read .*: it is a FIFO" "$tmp/log" \
    || fail "reload over a FIFO not refused with file:line"
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$pid" 2>/dev/null || fail "daemon did not stop on SIGTERM after a reload over a FIFO"
ok "a reload over a FIFO is refused and SIGTERM still stops the daemon"

echo "$pass passed, 0 failed"
