#!/bin/sh
# demo.sh - build orderhub and run the main job on the embedded default configuration:
# check conf/orderhub.conf, start orderhubd with the sandbox plugins, reload it, stop it.
#
# Today the daemon loads, validates and initialises its plugin instances and routes; the
# lifecycle engine that moves a sample order through them arrives with the next release,
# and this script will then print that order's timeline.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/_build"
"$top/contrib/scripts/build.sh" "$build"

export ORDERHUB_PLUGIN_PATH="$build/plugins/.libs"
export ORDERHUB_SANDBOX_KEY="sk_sandbox_demo_key"
daemon="$build/core/orderhubd"
conf="$top/conf/orderhub.conf"

echo "== $("$daemon" --version)"
echo "== orderhubd --check-config -v -c conf/orderhub.conf"
"$daemon" --check-config -v -c "$conf"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "== starting orderhubd in the foreground"
"$daemon" -c "$conf" 2> "$log" &
pid=$!
for _ in $(seq 50); do grep -q started "$log" && break; sleep 0.1; done
echo "== SIGHUP: reload"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q "generation 2" "$log" && break; sleep 0.1; done
echo "== SIGTERM: stop"
kill -TERM "$pid"
wait "$pid"
cat "$log"
