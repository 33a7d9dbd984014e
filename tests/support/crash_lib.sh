# crash_lib.sh - sourced by the tests that SIGKILL orderhubd under load (crash_safety.sh,
# crash_loop.sh): a scratch directory, killing what they started (clients, the daemon and
# their children; the remote gets SIGTERM so its ledger is flushed), fail with the daemons'
# warnings, ok, a millisecond clock, and starting $daemon on $tmp/orderhub.conf.  Before sourcing, set KEEP (non-empty keeps the
# scratch directory for a post-mortem) and LOG_LINES (warnings shown on failure).
# shellcheck shell=bash
tmp=$(mktemp -d)
remote_pid=""
dpid=""
client_pids=()
stop_pid() {  # SIGKILL one process we started, and the children it started (curl)
    local kids
    kids=$(ps -o pid= --ppid "$1" 2>/dev/null)
    # shellcheck disable=SC2086 # one word per pid
    kill -9 "$1" $kids 2>/dev/null
    wait "$1" 2>/dev/null
}
cleanup() {
    for p in "${client_pids[@]}"; do stop_pid "$p"; done
    [ -n "$dpid" ] && stop_pid "$dpid"
    [ -n "$remote_pid" ] && { kill -TERM "$remote_pid" 2>/dev/null; wait "$remote_pid" 2>/dev/null; }
    if [ -n "${KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
    echo "FAIL: $*"
    echo "--- warnings and errors of the ${starts:-0} daemon starts (first ${LOG_LINES:-20}):"
    grep -h -E ' (warn|error): ' "$tmp"/daemon.*.log 2>/dev/null | head -"${LOG_LINES:-20}"
    exit 1
}
pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
now_ms() { date +%s%3N; }

# start_daemon: start $daemon on $tmp/orderhub.conf (the Nth start logs to
# $tmp/daemon.N.log, its pid in $dpid) and publish its API port in $tmp/port, replaced
# atomically so that clients never read half a number.
starts=0
start_daemon() {
    starts=$((starts + 1))
    local log="$tmp/daemon.$starts.log" port=""
    : > "$log"
    "$daemon" -c "$tmp/orderhub.conf" 2> "$log" &
    dpid=$!
    for _ in $(seq 200); do
        port=$(sed -n 's/.*API on 127\.0\.0\.1:\([0-9]*\)).*/\1/p' "$log")
        [ -n "$port" ] && break
        kill -0 "$dpid" 2>/dev/null || break
        sleep 0.05
    done
    [ -n "$port" ] || fail "daemon start $starts: no 'API on' line"
    echo "$port" > "$tmp/port.new" && mv -f "$tmp/port.new" "$tmp/port"
}
