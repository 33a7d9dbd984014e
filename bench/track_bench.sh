#!/bin/bash
# track_bench.sh - tracking throughput of orderhubd against the fake carrier, beside the
# bare curl-multi ceiling, in one go.  See bench/README.md ("Tracking").
#
#   bench/track_bench.sh [--shipments N] [--seconds S] [--latency-ms L] [--concurrency C]
#                        [--cache-orders K] [--build DIR] [--keep]
#
# 1. orderhub-fake-carrier on loopback with L ms added to every answer (default 50).
# 2. bench/track_seed fills a fresh database with N UPS shipments in transit (default
#    100,000), every tracking poll due now.
# 3. orderhubd runs on it with the real carrier_ups plugin (OAuth2 token fetched by the
#    daemon) limited to C requests in flight (default 256), engine.cache_orders K
#    (default 1024 per worker: the memory bound); for S seconds (default 15,
#    after 3 s of warm-up) it reports polls settled per second (from /metrics: one per
#    shipment polled, parsed and written back with its next poll), the fake's requests per
#    second and most requests in flight, and the daemon's RSS (now and peak).
# 4. bench/track_ceiling, the same fake and concurrency with no daemon: the ceiling.
# Prints both, the ratio, and the machine load.  Loopback only; everything is stopped and
# the temp directory removed on exit (--keep keeps it).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build"
shipments=100000
seconds=15
latency=50
concurrency=256
cache=1024
keep=0
while [ $# -gt 0 ]; do
    case $1 in
    --shipments) shipments=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --latency-ms) latency=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --cache-orders) cache=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "track_bench: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
for tool in curl jq; do
    command -v $tool > /dev/null || { echo "track_bench: $tool is needed" >&2; exit 2; }
done
fake_bin="$build/contrib/fakes/carrier_fake/orderhub-fake-carrier"
for f in "$fake_bin" "$build/bench/track_seed" "$build/bench/track_ceiling" \
    "$build/core/orderhubd" "$build/plugins/.libs/carrier_ups.so"; do
    [ -x "$f" ] || [ -f "$f" ] || { echo "track_bench: $f missing: cd _build && make -j2" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/track_bench.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
    wait 2> /dev/null || true
    [ $keep = 1 ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

export TB_TOKEN="bench-token-0123456789" TB_SECRET="bench-secret-0123456789" TB_USER="bench"
export TB_ADMIN="bench-admin-0123456789abcdef"
"$fake_bin" --port 0 --latency-ms "$latency" --step-ms 86400000 --token "$TB_TOKEN" \
    --client-secret "$TB_SECRET" > "$tmp/fake.out" &
pids+=("$!")
for _ in $(seq 50); do grep -q listening "$tmp/fake.out" && break; sleep 0.1; done
fake="http://$(sed -n 's/^listening on //p' "$tmp/fake.out")"

echo "seeding $shipments UPS shipments in transit ..."
"$build/bench/track_seed" --db "$tmp/oh.db" --shipments "$shipments" --carrier ups \
    --prefix 1Z999AA1 --digits 10

cat > "$tmp/orderhub.conf" <<CONF
listen = "127.0.0.1:0";
store = { driver = "sqlite"; path = "$tmp/oh.db"; };
log = { level = "info"; };
api = { tokens = ( { name = "admin"; role = "admin"; token = "env:TB_ADMIN"; } ); };
engine = { track_poll_ms = 86400000; cache_orders = $cache; };
plugins = (
  { id = "ups"; module = "carrier_ups";
    settings = { base_url = "$fake"; client_id = "env:TB_USER"; client_secret = "env:TB_SECRET"; };
    limits = { concurrency = $concurrency; timeout_ms = 30000; }; }
);
CONF
ORDERHUB_PLUGIN_PATH="$build/plugins/.libs" "$build/core/orderhubd" -c "$tmp/orderhub.conf" \
    2> "$tmp/daemon.log" &
daemon=$!
pids+=("$daemon")
for _ in $(seq 100); do grep -q "API on" "$tmp/daemon.log" && break; sleep 0.1; done
api="http://$(sed -n 's/.*API on \([0-9.:]*\)).*/\1/p' "$tmp/daemon.log")"

polls() {
    curl -s "$api/metrics" | awk 'index($1, "orderhub_outbound_attempts_total{instance=\"ups\"") == 1 {s += $2}
                                  END {print s + 0}'
}
fake_requests() { curl -s "$fake/fake/stats" | jq '.endpoints.ups_track'; }
rss_kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$daemon/status"; }

sleep 3 # warm-up: the OAuth token, the first claims, connections
p0=$(polls) r0=$(fake_requests) t0=$(date +%s.%N)
rss_max=0
for _ in $(seq "$seconds"); do
    sleep 1
    r=$(rss_kb VmRSS)
    [ "$r" -gt "$rss_max" ] && rss_max=$r
done
p1=$(polls) r1=$(fake_requests) t1=$(date +%s.%N)
stats=$(curl -s "$fake/fake/stats")
hwm=$(rss_kb VmHWM)
load=$(cut -d' ' -f1-3 /proc/loadavg)
active=$(curl -s -H "Authorization: Bearer $TB_ADMIN" "$api/metrics" |
    awk 'index($1, "orderhub_orders{state=\"in_transit\"}") == 1 {print $2}')
kill "$daemon"
wait "$daemon" 2> /dev/null || true
curl -s -X POST "$fake/fake/reset" > /dev/null

echo "ceiling: bench/track_ceiling --concurrency $concurrency --seconds $seconds ..."
"$build/bench/track_ceiling" --url "$fake" --concurrency "$concurrency" --seconds "$seconds" \
    --token "$TB_TOKEN" > "$tmp/ceiling.out" || true
ceiling=$(sed -n 's/^RESULT rps=\([0-9.]*\).*/\1/p' "$tmp/ceiling.out")
ceiling_p99=$(sed -n 's/^RESULT.* p99_ms=\([0-9.]*\).*/\1/p' "$tmp/ceiling.out")

awk -v p0="$p0" -v p1="$p1" -v r0="$r0" -v r1="$r1" -v t0="$t0" -v t1="$t1" \
    -v c="$ceiling" -v cp99="$ceiling_p99" -v rss="$rss_max" -v hwm="$hwm" -v n="$shipments" \
    -v act="${active:-?}" -v inflight="$(echo "$stats" | jq .max_in_flight)" -v load="$load" \
    -v lat="$latency" -v conc="$concurrency" 'BEGIN {
    dt = t1 - t0; polls = (p1 - p0) / dt; reqs = (r1 - r0) / dt
    printf "\ntracking, UPS JSON via the fake carrier (+%d ms per answer), %d in flight allowed\n", lat, conc
    printf "  orderhubd   %8.0f polls/s settled   %8.0f requests/s at the fake   max in flight %s\n", polls, reqs, inflight
    printf "              RSS %.1f MiB (peak %.1f MiB) with %d active shipments (%s still in transit at the end)\n", rss / 1024, hwm / 1024, n, act
    printf "  ceiling     %8.0f requests/s (bare curl multi, p99 %s ms)\n", c, cp99
    if (c > 0) printf "  ratio       %.0f%% of the ceiling\n", 100 * reqs / c
    printf "  load        %s\n", load
}'
