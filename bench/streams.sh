#!/bin/sh
# bench/streams.sh - devices' readings ingested durably through POST /api/v1/streams against
# SQLite inserting the same rows directly (make bench-streams; issue 16 item 8).
#
# usage: bench/streams.sh [BUILD]          (make bench-streams runs it as bench/streams.sh build)
#
# A `kith demo --contacts 2000` database (KITH_BENCH_CONTACTS) gets KITH_BENCH_CLIENTS (default 4)
# devices registered through the store (bench-streams setup), `kith serve` listens on a free
# loopback port with the per-device rate lifted (KITH_DEVICE_RATE), and bench-streams post runs
# one client per device, each on its own keep-alive connection, posting batches of
# KITH_BENCH_BATCH (default 500) readings for KITH_BENCH_SECONDS (default 20) s; every answer
# must be 200 with the whole batch accepted, and the rows are counted in the database once the
# server has stopped. The baseline inserts as many readings into a copy of the same database
# with SQLite alone, the same rows and batch size, WAL and synchronous=FULL (each commit durable).
# The ratio is kith's readings/s over SQLite's. CPU is the server's (all its threads) and the
# baseline's, user + system: on a shared machine wall time also counts others' use of the cores.
set -eu

BUILD=${1:-build}
KITH=$BUILD/kith
BENCH=$BUILD/bench-streams
CONTACTS=${KITH_BENCH_CONTACTS:-2000}
CLIENTS=${KITH_BENCH_CLIENTS:-4}
BATCH=${KITH_BENCH_BATCH:-500}
SECONDS_RUN=${KITH_BENCH_SECONDS:-20}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kith-bench-streams.XXXXXX")
SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

DB=$DIR/demo.db
"$KITH" demo --contacts "$CONTACTS" --db "$DB" >/dev/null
cp "$DB" "$DIR/direct.db"
"$BENCH" setup "$DB" "$CLIENTS" >"$DIR/tokens"
"$BENCH" setup "$DIR/direct.db" 1 >/dev/null
BEFORE=$(sqlite3 "$DB" "SELECT count(*) FROM interactions")

KITH_DEVICE_RATE=10000000 KITH_DEVICE_BURST=10000000 \
    "$KITH" serve --db "$DB" --listen 127.0.0.1:0 2>"$DIR/serve.log" &
SERVER=$!
PORT=
for _ in $(seq 1 600); do # the first line names the port; the RV snapshot loads before it
    PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DIR/serve.log")
    [ -n "$PORT" ] && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$DIR/serve.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$PORT" ] || { echo "bench-streams: kith serve did not start" >&2; exit 1; }

echo "bench-streams: $CONTACTS contacts, $CLIENTS clients (one device each), batches of $BATCH," \
    "${SECONDS_RUN}s, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # user + system, in clock ticks
TICKS0=$(cpu_ticks "$SERVER")
set -- $("$BENCH" post "$PORT" "$DIR/tokens" "$SECONDS_RUN" "$BATCH" | sed -n 's/^RESULT //p')
TICKS1=$(cpu_ticks "$SERVER")
[ $# -eq 4 ] || { echo "bench-streams: the clients failed" >&2; exit 1; }
KITH_READINGS=$1 KITH_SECS=$2 KITH_RATE=$3 REQUESTS=$4
kill "$SERVER" && wait "$SERVER" || true
SERVER=
STORED=$(($(sqlite3 "$DB" "SELECT count(*) FROM interactions") - BEFORE))
LINKED=$(sqlite3 "$DB" "SELECT count(*) FROM device_readings")
[ "$STORED" -eq "$KITH_READINGS" ] && [ "$LINKED" -eq "$KITH_READINGS" ] || {
    echo "bench-streams: $KITH_READINGS readings acknowledged but $STORED stored" >&2
    exit 1
}
ERRORS=$(grep -c '"status":[45]' "$DIR/serve.log" || true)

set -- $("$BENCH" direct "$DIR/direct.db" "$KITH_READINGS" "$BATCH" | sed -n 's/^RESULT //p')
SQL_SECS=$2 SQL_RATE=$3 SQL_CPU=$4
KITH_CPU=$(echo "$TICKS1 $TICKS0 $(getconf CLK_TCK)" | awk '{ printf "%.3f", ($1 - $2) / $3 }')
us_per() { echo "$1 $2" | awk '{ printf "%.1f", $1 * 1e6 / $2 }'; }

printf '%-44s %10s %8s %11s %8s %10s\n' "" readings seconds readings/s "CPU s" "CPU us/r"
printf '%-44s %10s %8s %11s %8s %10s\n' "POST /api/v1/streams ($REQUESTS batches)" \
    "$KITH_READINGS" "$KITH_SECS" "$KITH_RATE" "$KITH_CPU" "$(us_per "$KITH_CPU" "$KITH_READINGS")"
printf '%-44s %10s %8s %11s %8s %10s\n' "SQLite alone (same rows, same batches)" \
    "$KITH_READINGS" "$SQL_SECS" "$SQL_RATE" "$SQL_CPU" "$(us_per "$SQL_CPU" "$KITH_READINGS")"
echo "ratio kith / SQLite: $(echo "$KITH_RATE $SQL_RATE" | awk '{ printf "%.2f", $1 / $2 }');" \
    "all $STORED acknowledged readings are in the database; $ERRORS answers 4xx/5xx"
