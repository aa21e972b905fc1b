#!/bin/sh
# bench/scale.sh - the API tier scaled out: one `kith serve` against two on the same database
# behind Debian's haproxy with docs/deploy/haproxy.cfg (issue 17, item 6; docs/deploy/scale.md).
#
# usage: bench/scale.sh [KITH]     (make bench-scale runs it as ... build/kith)
#
# A `kith demo --contacts 10000` database (as bench/http.sh), an admin's API token, then for each
# of GET by id, GET list and POST interaction: wrk (bench/http.lua, KITH_BENCH_THREADS=2 threads,
# KITH_BENCH_CONNECTIONS=64 connections, KITH_BENCH_SECONDS=20 s) against one server, then
# against haproxy in front of two. ratio = two behind haproxy / one (above 1: the second server
# adds throughput). On one machine the servers, haproxy and wrk share its cores: the ratio then
# shows what the balancer costs, not what a second machine would add.
set -eu

KITH=${1:-build/kith}
CONTACTS=${KITH_BENCH_CONTACTS:-10000}
SECONDS_EACH=${KITH_BENCH_SECONDS:-20}
THREADS=${KITH_BENCH_THREADS:-2}
CONNS=${KITH_BENCH_CONNECTIONS:-64}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kith-bench-scale.XXXXXX")
PIDS=
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

for tool in wrk haproxy; do
    command -v $tool >/dev/null || { echo "bench-scale: $tool is missing (scripts/install-deps)" >&2; exit 1; }
done
DB=$DIR/demo.db
"$KITH" demo --contacts "$CONTACTS" --db "$DB" >/dev/null
echo 'correct horse battery staple' |
    "$KITH" user add bench@example.com --name Bench --role admin --password-stdin --db "$DB" >/dev/null
TOKEN=$("$KITH" user token bench@example.com --name bench --db "$DB" 2>/dev/null)

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server LOG: a kith serve on a free port; sets PORT.
start_server() {
    : >"$1"
    "$KITH" serve --db "$DB" --listen 127.0.0.1:0 --trusted-proxy 127.0.0.1 >/dev/null 2>"$1" &
    PIDS="$PIDS $!"
    for _ in $(seq 1 600); do # the first line names the port
        PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1")
        [ -n "$PORT" ] && return 0
        sleep 0.1
    done
    echo "bench-scale: kith serve did not start" >&2
    exit 1
}

start_server "$DIR/s1.log"
P1=$PORT
start_server "$DIR/s2.log"
P2=$PORT
LB=$(free_port)
sed -e "s/bind 127.0.0.1:8080/bind 127.0.0.1:$LB/" -e "s/127.0.0.1:8081/127.0.0.1:$P1/" \
    -e "s/127.0.0.1:8082/127.0.0.1:$P2/" "$HERE/../docs/deploy/haproxy.cfg" >"$DIR/haproxy.cfg"
haproxy -db -f "$DIR/haproxy.cfg" >/dev/null 2>"$DIR/haproxy.log" &
PIDS="$PIDS $!"
python3 - "$LB" <<'PY' || { cat "$DIR/haproxy.log" >&2; exit 1; }
import sys, time, urllib.request
for _ in range(100):
    try:
        if urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1).status == 200:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit("bench-scale: haproxy did not come up")
PY

echo "bench-scale: $CONTACTS contacts, wrk -t$THREADS -c$CONNS -d${SECONDS_EACH}s, $(nproc) CPUs," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %-22s %10s %9s %9s %7s\n' request target req/s "p50 ms" "p99 ms" ratio
# run NAME METHOD PATH BODY: one server, then two behind haproxy
run() {
    one=
    for target in "one server:$P1" "two behind haproxy:$LB"; do
        label=${target%:*}
        port=${target##*:}
        out=$(KITH_METHOD=$2 KITH_PATH=$3 KITH_BODY=$4 KITH_TOKEN=$TOKEN \
            wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_EACH}s" -s "$HERE/http.lua" \
            "http://127.0.0.1:$port" | sed -n 's/^RESULT //p')
        set -- "$1" "$2" "$3" "$4" $out
        [ -z "$one" ] && one=$5
        printf '%-28s %-22s %10s %9s %9s %7.2f\n' "$1" "$label" "$5" "$6" "$7" \
            "$(echo "$5 $one" | awk '{ print $1 / $2 }')"
    done
}
run "GET /api/v1/contacts/{id}" GET /api/v1/contacts/4242 ""
run "GET /api/v1/contacts" GET /api/v1/contacts ""
run "POST /api/v1/interactions" POST /api/v1/interactions \
    '{"contact_id": {i}, "type_id": 9, "occurred_at": "2026-06-29T12:00:00Z"}'
echo "bench-scale: $(cat "$DIR"/s1.log "$DIR"/s2.log | grep -c '"status":5' || true) answers 5xx," \
    "$(cat "$DIR"/s1.log "$DIR"/s2.log | grep -c 'RV snapshot reloaded' || true) snapshot reloads"
