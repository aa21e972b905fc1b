#!/bin/sh
# bench/xsell.sh - one account's cross-sell offers over HTTP on a million order lines
# (make bench-value runs it after bench/value.sh; docs/BENCHMARKS.md, "Value: cross-sell
# offers for one account"), against the engine mining the rules for each answer.
#
# usage: bench/xsell.sh [KITH]          (make bench-value runs it as bench/xsell.sh build/kith)
#
# 1. Data: bench/gen_value.py with KITH_BENCH_XSELL_ACCOUNTS accounts (default 154,000: about
#    1,000,000 order lines, the count is printed), imported once into bench/out/ and reused.
#    An admin with an API token is added.
# 2. `kith serve` on a free loopback port. The first GET /api/v1/value/xsell?account=ID loads
#    the orders and lines, mines the rules and every customer's offers (timed apart: "first
#    request"). Then one request for each of KITH_BENCH_XSELL_REQUESTS (default 200) customers
#    spread over the ids, each timed by the client from request sent to answer read on a kept
#    connection: median, p99 and maximum, with the server's CPU per request (from /proc).
# 3. Check: for 3 of those accounts the answer equals `kith value xsell --account ID --json`.
# 4. Baseline: the engine mining each time, as the CLI does: `kith value xsell --account ID
#    --json` for KITH_BENCH_XSELL_CLI_RUNS (default and least 3) of the accounts (whole process: open,
#    load, mine, answer), median. ratio = baseline / kept median (higher is better).
set -eu

KITH=${1:-build/kith}
ACCOUNTS=${KITH_BENCH_XSELL_ACCOUNTS:-154000}
REQUESTS=${KITH_BENCH_XSELL_REQUESTS:-200}
CLI_RUNS=${KITH_BENCH_XSELL_CLI_RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/out
DB=$OUT/xsell-$ACCOUNTS.db
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kith-bench-xsell.XXXXXX")
SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

for tool in sqlite3 /usr/bin/python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/xsell.sh: needs $tool" >&2; exit 2; }
done
[ -x "$KITH" ] || { echo "bench/xsell.sh: no kith binary at $KITH (run make build)" >&2; exit 2; }
mkdir -p "$OUT"
if [ ! -f "$DB" ]; then
    /usr/bin/python3 "$HERE/gen_value.py" "$DIR/csv" --accounts "$ACCOUNTS"
    "$KITH" init --db "$DB.tmp" >/dev/null
    for t in accounts products orders order_lines; do
        "$KITH" import --db "$DB.tmp" "$t" "$DIR/csv/$t.csv" >/dev/null
    done
    rm -rf "$DIR/csv"
    echo 'correct horse battery staple' |
        "$KITH" user add bench@example.com --name Bench --role admin --password-stdin \
            --db "$DB.tmp" >/dev/null
    mv "$DB.tmp" "$DB"
fi
TOKEN=$("$KITH" user token bench@example.com --name "bench $$" --db "$DB" 2>/dev/null)
lines=$(sqlite3 "$DB" "SELECT count(*) FROM order_lines")
orders=$(sqlite3 "$DB" "SELECT count(*) FROM orders")
customers=$(sqlite3 "$DB" "SELECT count(DISTINCT account_id) FROM orders")

"$KITH" serve --db "$DB" --listen 127.0.0.1:0 2>"$DIR/serve.log" &
SERVER=$!
PORT=
for _ in $(seq 1 600); do
    PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DIR/serve.log")
    [ -n "$PORT" ] && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$DIR/serve.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$PORT" ] || { echo "bench/xsell.sh: kith serve did not start" >&2; exit 1; }

echo "bench xsell: $lines order lines, $orders orders, $customers customers; $(nproc) CPUs," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$KITH" "$DB" "$PORT" "$TOKEN" "$SERVER" "$REQUESTS" "$CLI_RUNS" <<'PY'
import http.client, json, os, resource, sqlite3, statistics, subprocess, sys, time
kith, db, port, token, server, nreq, cli_runs = sys.argv[1:8]
nreq, cli_runs = int(nreq), int(cli_runs)
ids = [r[0] for r in sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
    "SELECT DISTINCT account_id FROM orders ORDER BY account_id")]
pick = [ids[(2 * k + 1) * len(ids) // (2 * nreq)] for k in range(nreq)]
hz = os.sysconf("SC_CLK_TCK")

def cpu():
    with open(f"/proc/{server}/stat") as f:
        st = f.read().rsplit(")", 1)[1].split()
    return (int(st[11]) + int(st[12])) / hz  # utime, stime

conn = http.client.HTTPConnection("127.0.0.1", int(port))

def get(aid):
    t = time.perf_counter()
    conn.request("GET", f"/api/v1/value/xsell?account={aid}",
                 headers={"Authorization": f"Bearer {token}"})
    r = conn.getresponse()
    body = r.read()
    dt = time.perf_counter() - t
    assert r.status == 200, body[:300]
    return dt, json.loads(body)

def rss():
    with open(f"/proc/{server}/status") as f:
        return next(int(ln.split()[1]) for ln in f if ln.startswith("VmRSS:")) / 1024

r0, c0 = rss(), cpu()
first, _ = get(pick[0])
print(f"{'first request (load, mine, every offer)':44s} {first * 1000:9.0f} ms"
      f"   (server CPU {(cpu() - c0) * 1000:.0f} ms; server RSS {r0:.0f} -> {rss():.0f} MiB)")
times, answers, with_offers = [], {}, 0
c0 = cpu()
for aid in pick:
    dt, j = get(aid)
    times.append(dt)
    answers[aid] = j
    with_offers += bool(j["offers"])
c1 = cpu()
times.sort()
med = statistics.median(times)
p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
print(f"{'one account offers, kept rules':44s} {med * 1000:9.2f} ms median, {p99 * 1000:.2f} ms"
      f" p99, {times[-1] * 1000:.2f} ms max over {len(pick)} accounts ({with_offers} with offers);"
      f" server CPU {(c1 - c0) / len(pick) * 1000:.2f} ms per request")
j0 = answers[pick[0]]
print(f"  ({j0['baskets']} baskets, {j0['itemsets']} itemsets, {j0['rules_total']} rules,"
      f" {j0['customers_with_offers']} customers with offers)")
base = []
u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
for aid in pick[:max(3, cli_runs)]:
    t = time.perf_counter()
    p = subprocess.run([kith, "value", "xsell", "--account", str(aid), "--json", "--db", db],
                       capture_output=True, text=True, check=True)
    base.append(time.perf_counter() - t)
    assert json.loads(p.stdout) == answers[aid], f"the CLI and the server disagree on {aid}"
u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
bcpu = (u1.ru_utime + u1.ru_stime - u0.ru_utime - u0.ru_stime) / len(base)
bmed = statistics.median(base)
print(f"{'baseline: kith value xsell --account (mines)':44s} {bmed * 1000:9.0f} ms median of"
      f" {len(base)}, CPU {bcpu * 1000:.0f} ms mean (answers equal the server's)")
print(f"ratio mining each time / kept rules (median): {bmed / med:,.0f}x;"
      f" target <= 50 ms: {'met' if p99 <= 0.05 else 'NOT met'} (p99)")
PY
