#!/bin/sh
# bench/http.sh - throughput and latency of kith serve over HTTP with wrk (make bench-http).
#
# usage: bench/http.sh [KITH]          (make bench-http runs it as bench/http.sh build/kith)
#
# A `kith demo --contacts 10000` database (KITH_BENCH_CONTACTS) is made in a temporary folder
# with an admin and a token, `kith serve` listens on a free loopback port, and wrk (Debian's)
# runs KITH_BENCH_SECONDS (default 20) s each, 2 threads, 64 connections (KITH_BENCH_THREADS,
# KITH_BENCH_CONNECTIONS), against: GET /healthz (the baseline: no database, no sign-in),
# GET /api/v1/contacts/{id} (by id), GET /api/v1/contacts (a first page of 50), the same list
# with Accept-Encoding: gzip, and POST /api/v1/interactions (a durable write). bench/http.lua
# prints requests/s and the p50 and p99 latency; ratio is requests/s over /healthz's.
# Extra arguments for kith serve come from KITH_BENCH_SERVE_ARGS (e.g. "--threads 8").
set -eu

KITH=${1:-build/kith}
CONTACTS=${KITH_BENCH_CONTACTS:-10000}
SECONDS_EACH=${KITH_BENCH_SECONDS:-20}
THREADS=${KITH_BENCH_THREADS:-2}
CONNS=${KITH_BENCH_CONNECTIONS:-64}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kith-bench-http.XXXXXX")
SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

command -v wrk >/dev/null || { echo "bench-http: wrk is missing (scripts/install-deps)" >&2; exit 1; }
DB=$DIR/demo.db
"$KITH" demo --contacts "$CONTACTS" --db "$DB" >/dev/null
echo 'correct horse battery staple' |
    "$KITH" user add bench@example.com --name Bench --role admin --password-stdin --db "$DB" >/dev/null
TOKEN=$("$KITH" user token bench@example.com --name bench --db "$DB" 2>/dev/null)

# shellcheck disable=SC2086 # KITH_BENCH_SERVE_ARGS is split on purpose
"$KITH" serve --db "$DB" --listen 127.0.0.1:0 ${KITH_BENCH_SERVE_ARGS:-} 2>"$DIR/serve.log" &
SERVER=$!
PORT=
for _ in $(seq 1 600); do # the first line names the port; the RV snapshot loads before it
    PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DIR/serve.log")
    [ -n "$PORT" ] && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$DIR/serve.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$PORT" ] || { echo "bench-http: kith serve did not start" >&2; exit 1; }
URL=http://127.0.0.1:$PORT

echo "bench-http: $CONTACTS contacts, wrk -t$THREADS -c$CONNS -d${SECONDS_EACH}s, $(nproc) CPUs," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-36s %10s %9s %9s %9s %7s\n' request req/s "p50 ms" "p99 ms" errors ratio
BASE=
run() { # NAME METHOD PATH [BODY] [GZIP]
    out=$(KITH_METHOD=$2 KITH_PATH=$3 KITH_BODY=${4:-} KITH_GZIP=${5:-} KITH_TOKEN=$TOKEN \
        wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_EACH}s" -s "$HERE/http.lua" "$URL" |
        sed -n 's/^RESULT //p')
    set -- "$1" $out
    rps=$2
    [ -z "$BASE" ] && BASE=$rps
    printf '%-36s %10s %9s %9s %9s %7.2f\n' "$1" "$rps" "$3" "$4" "$6" \
        "$(echo "$rps $BASE" | awk '{ print $1 / $2 }')"
}
run "GET /healthz" GET /healthz
run "GET /api/v1/contacts/{id}" GET /api/v1/contacts/4242
run "GET /api/v1/contacts" GET /api/v1/contacts
run "GET /api/v1/contacts (gzip)" GET /api/v1/contacts "" gzip
run "POST /api/v1/interactions" POST /api/v1/interactions \
    '{"contact_id": {i}, "type_id": 9, "occurred_at": "2026-06-29T12:00:00Z"}'
echo "bench-http: $(grep -c '"status":5' "$DIR/serve.log" || true) answers 5xx in the server's log"
