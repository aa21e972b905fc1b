#!/bin/sh
# bench/value_kept.sh - GET /api/v1/value/clv and /dist answered from the kept figures at a
# million accounts, against the same answers computed on the request (the refit of every request
# before the figures were kept). make bench-value-kept; docs/BENCHMARKS.md, "Value: kept figures";
# docs/internals/value.md, "Kept figures".
#
# usage: bench/value_kept.sh [KITH]          (make bench-value-kept runs it as ... build/kith)
#
# 1. Data: bench/gen_value.py --no-lines with KITH_BENCH_VALUE_KEPT_ACCOUNTS accounts (default
#    1,000,000; a quarter never order, about 3.6 orders per account), accounts and orders
#    imported once into bench/out/ and reused. An admin with an API token is added.
# 2. `kith serve` on a free loopback port; its keeper computes the figures in the background.
#    The first answer is polled (503 computing until they are kept): "first figures" is the
#    time from start to the first 200, with the computation's own time from the server's log.
# 3. KITH_BENCH_VALUE_KEPT_REQUESTS (default 200) requests each of GET /api/v1/value/clv
#    (the first 100 customers by lifetime value) and GET /api/v1/value/dist (deciles, Lorenz and
#    the groups), each timed by the client from request sent to answer read on a kept
#    connection: median, p99, maximum, and the server's CPU per request (from /proc).
# 4. Baseline, the refit: the same two requests with ?as_of= the kept figures' as-of day, which
#    the kept figures do not cover, so the server loads the orders and fits the models for the
#    request as every request did before (KITH_BENCH_VALUE_KEPT_REFITS, default 2, each);
#    their answers must equal the kept ones (computed_at aside). ratio = refit median / kept
#    median (higher is better).
# 5. Restart: a second `kith serve` reads the kept figures back from the store; time to its
#    first answer (no computation).
set -eu

KITH=${1:-build/kith}
ACCOUNTS=${KITH_BENCH_VALUE_KEPT_ACCOUNTS:-1000000}
REQUESTS=${KITH_BENCH_VALUE_KEPT_REQUESTS:-200}
REFITS=${KITH_BENCH_VALUE_KEPT_REFITS:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/out
DB=$OUT/value-kept-$ACCOUNTS.db
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kith-bench-value-kept.XXXXXX")
SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

for tool in sqlite3 /usr/bin/python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/value_kept.sh: needs $tool" >&2; exit 2; }
done
[ -x "$KITH" ] || { echo "bench/value_kept.sh: no kith binary at $KITH (run make build)" >&2; exit 2; }
mkdir -p "$OUT"
if [ ! -f "$DB" ]; then
    t0=$(date +%s)
    /usr/bin/python3 "$HERE/gen_value.py" "$DIR/csv" --accounts "$ACCOUNTS" --no-lines
    "$KITH" init --db "$DB.tmp" >/dev/null
    for t in accounts orders; do
        "$KITH" import --db "$DB.tmp" "$t" "$DIR/csv/$t.csv" >/dev/null
    done
    rm -rf "$DIR/csv"
    echo 'correct horse battery staple' |
        "$KITH" user add bench@example.com --name Bench --role admin --password-stdin \
            --db "$DB.tmp" >/dev/null
    mv "$DB.tmp" "$DB"
    echo "bench value-kept: data generated and imported in $(($(date +%s) - t0)) s (cached in $DB)"
fi
# figures kept by an earlier run are dropped: the first figures are computed here
sqlite3 "$DB" "DELETE FROM value_kept_customers; DELETE FROM value_kept;"
TOKEN=$("$KITH" user token bench@example.com --name "bench $$" --db "$DB" 2>/dev/null)
orders=$(sqlite3 "$DB" "SELECT count(*) FROM orders")
customers=$(sqlite3 "$DB" "SELECT count(DISTINCT account_id) FROM orders")

serve() { # -> SERVER, PORT
    "$KITH" serve --db "$DB" --listen 127.0.0.1:0 2>"$DIR/serve.log" &
    SERVER=$!
    PORT=
    for _ in $(seq 1 600); do
        PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DIR/serve.log")
        [ -n "$PORT" ] && break
        kill -0 "$SERVER" 2>/dev/null || { cat "$DIR/serve.log" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$PORT" ] || { echo "bench/value_kept.sh: kith serve did not start" >&2; exit 1; }
}

echo "bench value-kept: $ACCOUNTS accounts, $customers customers, $orders orders; $(nproc) CPUs," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
cat >"$DIR/bench.py" <<'PY'
import http.client, json, os, sqlite3, statistics, sys, time
db, port, token, server, nreq, refits, t0, phase = sys.argv[1:9]
nreq, refits, t0 = int(nreq), int(refits), float(t0)
hz = os.sysconf("SC_CLK_TCK")

def cpu():
    with open(f"/proc/{server}/stat") as f:
        st = f.read().rsplit(")", 1)[1].split()
    return (int(st[11]) + int(st[12])) / hz  # utime, stime

def rss():
    with open(f"/proc/{server}/status") as f:
        return next(int(ln.split()[1]) for ln in f if ln.startswith("VmRSS:")) / 1024

conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=3600)

def get(path):
    t = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    r = conn.getresponse()
    body = r.read()
    return time.perf_counter() - t, r.status, body

while True:  # 503 computing until the first figures are kept
    dt, status, body = get("/api/v1/value/clv")
    if status == 200:
        break
    assert status == 503, body[:300]
first = time.monotonic() - t0
kept = json.loads(body)
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
gen, = con.execute("SELECT max(gen) FROM value_kept WHERE complete = 1").fetchone() or (None,)
rows = con.execute("SELECT count(*) FROM value_kept_customers WHERE gen = ?", (gen,)).fetchone()[0]
con.close()
if phase == "restart":
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    at, = con.execute("SELECT computed_at FROM value_kept WHERE gen = ?", (gen,)).fetchone()
    con.close()
    t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at // 1000)) + ".%03dZ" % (at % 1000)
    assert kept["computed_at"] == t and kept["stale"] is False, (kept["computed_at"], t)
    print(f"{'restart: first answer, figures read back':44s} {first:9.1f} s from start"
          f" ({rows} kept rows; computed_at {kept['computed_at']} unchanged; server RSS"
          f" {rss():.0f} MiB)")
    sys.exit(0)
print(f"{'first figures (start to first 200)':44s} {first:9.1f} s   ({kept['customers_total']}"
      f" customers, {rows} rows kept; server RSS {rss():.0f} MiB)")

def measure(path):
    times = []
    get(path)  # the one that may fill the memo
    c0 = cpu()
    for _ in range(nreq):
        dt, status, body = get(path)
        assert status == 200, body[:300]
        times.append(dt)
    c1 = cpu()
    times.sort()
    return (statistics.median(times), times[min(len(times) - 1, int(0.99 * len(times)))],
            times[-1], (c1 - c0) / nreq, json.loads(body))

def same(a, b):
    a, b = dict(a), dict(b)
    for k in ("computed_at",):
        a.pop(k), b.pop(k)
    return a == b

ratios, worst = [], 0
for route in ("clv", "dist"):
    med, p99, mx, c, answer = measure(f"/api/v1/value/{route}")
    worst = max(worst, p99)
    print(f"{'GET /api/v1/value/' + route + ', kept':44s} {med * 1000:9.2f} ms median,"
          f" {p99 * 1000:.2f} ms p99, {mx * 1000:.2f} ms max over {nreq};"
          f" server CPU {c * 1000:.2f} ms per request")
    base = []
    for _ in range(refits):
        dt, status, body = get(f"/api/v1/value/{route}?as_of={answer['as_of']}")
        assert status == 200, body[:300]
        base.append(dt)
        assert same(json.loads(body), answer), f"{route}: the refit and the kept answer differ"
    bmed = statistics.median(base)
    ratios.append(bmed / med)
    print(f"{'GET /api/v1/value/' + route + ', refit (?as_of=)':44s} {bmed * 1000:9.0f} ms median"
          f" of {len(base)} (answers equal the kept one)")
    print(f"ratio refit / kept ({route}, median): {bmed / med:,.0f}x")
print(f"target p99 <= 50 ms: {'met' if worst <= 0.05 else 'NOT met'} (worst p99 {worst * 1000:.2f} ms)")
PY
now() { /usr/bin/python3 -c 'import time; print(time.monotonic())'; }
T0=$(now)
serve
/usr/bin/python3 "$DIR/bench.py" "$DB" "$PORT" "$TOKEN" "$SERVER" "$REQUESTS" "$REFITS" "$T0" first
kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
SERVER=
T0=$(now)
serve
/usr/bin/python3 "$DIR/bench.py" "$DB" "$PORT" "$TOKEN" "$SERVER" "$REQUESTS" "$REFITS" "$T0" restart
