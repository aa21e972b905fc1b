#!/bin/sh
# bench/deals.sh - the deal analyses over HTTP on a large pipeline (make bench-deals), against
# the same figures computed by one SQLite query.
#
# usage: bench/deals.sh [KITH]          (make bench-deals runs it as bench/deals.sh build/kith)
#
# 1. Data: bench/gen_deals.py fills bench/out/deals-1m.db once (KITH_BENCH_DEALS deals, default
#    1,000,000, and KITH_BENCH_OWNERS owners, default 10,000, under managers and directors);
#    later runs reuse it. An admin with an API token is added.
# 2. `kith serve` on a free loopback port. The first GET /api/v1/deal-stats/pipeline reads every
#    deal into the server (timed apart: "first request"); then KITH_BENCH_RUNS (default 7)
#    requests each of pipeline by owner, pipeline by manager and the forecast of 2026Q2, timed
#    by curl (time_total: request sent to answer read, the JSON included); the median, minimum
#    and maximum are printed, with the server's CPU time per request (user + system, from
#    /proc: on a shared machine it varies much less than wall time) and the answer's size.
# 3. Baseline: one SQLite query giving the same figures as pipeline by owner (open deals per
#    owner and stage: count, amount, amount x probability), run in Python's sqlite3 on the same
#    file, median of 3 after one warm-up; the script checks that both give the same counts and
#    amounts per owner. ratio = kith / SQLite (lower is better).
set -eu

KITH=${1:-build/kith}
DEALS=${KITH_BENCH_DEALS:-1000000}
OWNERS=${KITH_BENCH_OWNERS:-10000}
RUNS=${KITH_BENCH_RUNS:-7}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/out
DB=$OUT/deals-$DEALS-$OWNERS.db
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kith-bench-deals.XXXXXX")
SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

for tool in curl /usr/bin/python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench-deals: needs $tool" >&2; exit 2; }
done
[ -x "$KITH" ] || { echo "bench-deals: no kith binary at $KITH (run make build)" >&2; exit 2; }
mkdir -p "$OUT"
if [ ! -f "$DB" ]; then
    "$KITH" init --db "$DB.tmp" >/dev/null
    /usr/bin/python3 "$HERE/gen_deals.py" "$DB.tmp" --deals "$DEALS" --owners "$OWNERS"
    echo 'correct horse battery staple' |
        "$KITH" user add bench@example.com --name Bench --role admin --password-stdin \
            --db "$DB.tmp" >/dev/null
    mv "$DB.tmp" "$DB"
fi
TOKEN=$("$KITH" user token bench@example.com --name "bench $$" --db "$DB" 2>/dev/null)

"$KITH" serve --db "$DB" --listen 127.0.0.1:0 2>"$DIR/serve.log" &
SERVER=$!
PORT=
for _ in $(seq 1 600); do
    PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DIR/serve.log")
    [ -n "$PORT" ] && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$DIR/serve.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$PORT" ] || { echo "bench-deals: kith serve did not start" >&2; exit 1; }
URL=http://127.0.0.1:$PORT

get() { # PATH OUTFILE -> seconds
    curl -sS -o "$2" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$URL$1"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "bench-deals: $DEALS deals, $OWNERS owners, $(nproc) CPUs, load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
first=$(get "/api/v1/deal-stats/pipeline" "$DIR/first.json")
printf '%-44s %9s\n' "first request (reads every deal)" "$(echo "$first" | awk '{ printf "%.0f ms", $1 * 1000 }')"
printf '%-44s %9s %9s %9s %12s %6s\n' request "median" "min" "max" "server CPU" "answer"
cpu_ticks() { # the server's user + system CPU so far, in clock ticks
    awk '{ print $14 + $15 }' "/proc/$SERVER/stat"
}
HZ=$(getconf CLK_TCK)
timed() { # NAME PATH OUTFILE
    : >"$DIR/times"
    c0=$(cpu_ticks)
    for _ in $(seq 1 "$RUNS"); do
        get "$2" "$3" >>"$DIR/times"
        echo >>"$DIR/times"
    done
    c1=$(cpu_ticks)
    med=$(median <"$DIR/times")
    printf '%-44s %6.0f ms %6.0f ms %6.0f ms %9.0f ms %6s\n' "$1" "$(echo "$med * 1000" | bc -l)" \
        "$(sort -n "$DIR/times" | head -1 | awk '{ print $1 * 1000 }')" \
        "$(sort -n "$DIR/times" | tail -1 | awk '{ print $1 * 1000 }')" \
        "$(echo "($c1 - $c0) * 1000 / $HZ / $RUNS" | bc -l)" "$(wc -c <"$3" | awk '{ printf "%.1f MB", $1 / 1e6 }')"
}
timed "GET /api/v1/deal-stats/pipeline (by owner)" "/api/v1/deal-stats/pipeline" "$DIR/owner.json"
KITH_MS=$(median <"$DIR/times")
timed "GET .../pipeline?by=manager" "/api/v1/deal-stats/pipeline?by=manager" "$DIR/manager.json"
timed "GET .../forecast?quarter=2026Q2" "/api/v1/deal-stats/forecast?quarter=2026Q2" "$DIR/fc.json"
timed "GET .../winrate?by=period&period=month" "/api/v1/deal-stats/winrate?by=period" "$DIR/wr.json"

/usr/bin/python3 - "$DB" "$DIR/owner.json" "$KITH_MS" <<'PY'
import json, sqlite3, statistics, sys, time
from decimal import Decimal
db, answer, kith_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
q = ("SELECT d.owner_id, d.stage_id, count(*), sum(coalesce(d.amount, 0)),"
     " sum(coalesce(d.amount, 0) * coalesce(d.probability, s.probability))"
     " FROM deals d JOIN deal_stages s ON s.id = d.stage_id"
     " WHERE coalesce(d.outcome, s.kind) = 'open' GROUP BY d.owner_id, d.stage_id")
h = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
h.execute(q).fetchall()
times = []
for _ in range(3):
    t = time.perf_counter()
    rows = h.execute(q).fetchall()
    times.append(time.perf_counter() - t)
base = statistics.median(times)
per = {}
for owner, _, n, amount, weighted in rows:
    g = per.setdefault(owner, [0, 0, 0.0])
    g[0] += n
    g[1] += amount
    g[2] += weighted
got = {g["key"]["id"]: g for g in json.load(open(answer))["groups"]}
assert set(got) == set(per), "kith and SQLite disagree on the owners"
for owner, (n, amount, weighted) in per.items():
    g = got[owner]
    assert g["count"] == n and int(Decimal(g["amount"]) * 100) == amount, owner
    assert abs(int(Decimal(g["weighted_amount"]) * 100) - weighted) <= 1, owner
print(f"{'baseline: one SQLite query (owner x stage)':44s} {base * 1000:6.0f} ms"
      f"   ({len(rows)} rows; kith's figures agree)")
print(f"ratio kith / SQLite (pipeline by owner): {kith_s / base:.2f}")
PY
