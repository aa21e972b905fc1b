#!/bin/sh
# bench/deal_import.sh - how fast `kith import deals` loads another CRM's opportunities, against
# SQLite doing the same load alone (issue 12, item 8).
#
# usage: bench/deal_import.sh [KITH]     (make bench-deal-import runs it as ... build/kith)
#
# 1. Data: bench/gen_deal_export.py writes an export in the shape of tests/api/crm_export.py:
#    KITH_BENCH_DEALS (default 1,000,000) opportunities naming their agent, product, account and
#    stage by name, over 10,000 agents, 50,000 accounts and 40 products.
# 2. A fresh database gets the users, accounts and products (kith import); for each of
#    KITH_BENCH_RUNS (default 3) runs a copy of it gets the deals with one `kith import deals`
#    of mappings only (agent by name, account by name, stage by name, a line per deal for its
#    product, dates, amount, --set currency=USD), timed as the whole process under
#    /usr/bin/time. rows/s = deals / wall seconds; best and median are printed.
# 3. Baseline: the same load done by SQLite alone on another copy (sqlite3 CLI, journal and
#    sync off, no checks): `.import --csv` into a staging table, then one INSERT ... SELECT
#    joining the names to ids into deals (its trigger writes the first stage changes) and one
#    into deal_lines. ratio = kith rows/s / SQLite rows/s (above 1: kith is faster).
set -eu

KITH=${1:-build/kith}
ROWS=${KITH_BENCH_DEALS:-1000000}
RUNS=${KITH_BENCH_RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kith-bench-deals.XXXXXX")
trap 'rm -rf "$DIR"' EXIT INT TERM

for tool in sqlite3 python3 /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/deal_import.sh: needs $tool" >&2; exit 2; }
done
[ -x "$KITH" ] || { echo "bench/deal_import.sh: no kith binary at $KITH (run make build)" >&2; exit 2; }

DATA=$DIR/data
python3 "$HERE/gen_deal_export.py" "$DATA" --deals "$ROWS"

BASE=$DIR/base.db
"$KITH" init --db "$BASE" >/dev/null
"$KITH" import --db "$BASE" users "$DATA/users.csv" >/dev/null
"$KITH" import --db "$BASE" accounts "$DATA/accounts.csv" >/dev/null
"$KITH" import --db "$BASE" products "$DATA/products.csv" --map product=sku --map product=name \
    --map series=category --map sales_price=price >/dev/null

cat >"$DIR/baseline.sql" <<EOF
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
PRAGMA foreign_keys=OFF;
.import --csv $DATA/deals.csv staging
BEGIN;
INSERT INTO deals (id, created_at, external_id, account_id, owner_id, stage_id, amount, currency,
                   engaged_at, closed_at)
  SELECT s.rowid, CAST(strftime('%s', 'now') AS INTEGER) * 1000, s.opportunity_id, a.id, u.id,
         st.id, CAST(nullif(s.close_value, '') AS INTEGER) * 100, 'USD',
         unixepoch(nullif(s.engage_date, '')) * 1000, unixepoch(nullif(s.close_date, '')) * 1000
  FROM staging s JOIN accounts a ON a.name = s.account JOIN users u ON u.name = s.sales_agent
  JOIN deal_stages st ON st.name = s.deal_stage AND st.unit_id IS NULL;
INSERT INTO deal_lines (created_at, deal_id, product_id, quantity, amount)
  SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000, s.rowid, p.id, 1,
         coalesce(CAST(nullif(s.close_value, '') AS INTEGER) * 100, 0)
  FROM staging s JOIN products p ON p.name = s.product;
DROP TABLE staging;
COMMIT;
SELECT count(*) FROM deals;
EOF

# Prints "seconds max_rss_kib cpu_seconds" of the command given.
timed() {
    /usr/bin/time -f "%e %M %U %S" -o "$DIR/time" "$@" >"$DIR/out" 2>"$DIR/err" || {
        cat "$DIR/err" >&2
        exit 1
    }
    awk '{ print $1, $2, $3 + $4 }' "$DIR/time"
}

# "best median max_rss least_cpu" of the lines of timed() given on standard input.
summary() {
    sort -n | awk '{ s[NR] = $1; if ($2 > rss) rss = $2; if (NR == 1 || $3 < cpu) cpu = $3 }
        END { m = (NR % 2) ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2
              print s[1], m, rss, cpu }'
}

DB=$DIR/bench.db
: >"$DIR/imports"
: >"$DIR/baselines"
i=0
while [ "$i" -lt "$RUNS" ]; do
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal" "$DIR/plain.db"
    cp "$BASE" "$DB"
    cp "$BASE" "$DIR/plain.db"
    timed "$KITH" import --db "$DB" deals "$DATA/deals.csv" \
        --map opportunity_id=external_id --map sales_agent=owner_name \
        --map product=product_name --map account=account_name --map deal_stage=stage_name \
        --map engage_date=engaged_at --map close_date=closed_at --map close_value=amount \
        --set currency=USD >>"$DIR/imports"
    N=$(sed -n 's/^deals: \([0-9]*\) rows imported.*/\1/p' "$DIR/out")
    timed sqlite3 "$DIR/plain.db" <"$DIR/baseline.sql" >>"$DIR/baselines"
    M=$(tail -1 "$DIR/out")
    [ "$M" = "$N" ] || { echo "bench/deal_import.sh: SQLite loaded $M deals, kith $N" >&2; exit 1; }
    i=$((i + 1))
done
LINES=$(sqlite3 "$DB" "SELECT count(*) FROM deal_lines")
set -- $(summary <"$DIR/imports")
IMPORT_BEST=$1 IMPORT_MEDIAN=$2 IMPORT_RSS=$3 IMPORT_CPU=$4
set -- $(summary <"$DIR/baselines")
SQLITE_BEST=$1 SQLITE_MEDIAN=$2 SQLITE_RSS=$3 SQLITE_CPU=$4

CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
echo "machine: ${CPU:-unknown CPU}, $(nproc) cores, ${MEM:-? GiB} RAM; load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"
awk -v n="$N" -v lines="$LINES" -v runs="$RUNS" -v ib="$IMPORT_BEST" -v im="$IMPORT_MEDIAN" \
    -v ir="$IMPORT_RSS" -v sb="$SQLITE_BEST" -v sm="$SQLITE_MEDIAN" -v sr="$SQLITE_RSS" \
    -v ic="$IMPORT_CPU" -v sc="$SQLITE_CPU" 'BEGIN {
    best = 0; median = 0; base = 0; basem = 0; ratio = 0
    if (ib > 0) best = n / ib
    if (im > 0) median = n / im
    if (sb > 0) base = n / sb
    if (sm > 0) basem = n / sm
    if (base > 0) ratio = best / base
    printf "deal import benchmark: %d deals (%d lines, one stage change each), %d runs\n", n, lines, runs
    printf "  kith import deals best %6.2f s %9.0f rows/s, median %6.2f s %9.0f rows/s, peak RSS %6.1f MiB\n", ib, best, im, median, ir / 1024
    printf "  SQLite alone      best %6.2f s %9.0f rows/s, median %6.2f s %9.0f rows/s, peak RSS %6.1f MiB (baseline)\n", sb, base, sm, basem, sr / 1024
    printf "  ratio kith / SQLite alone (best): %.2f\n", ratio
    # CPU seconds (user + system, least of the runs): what a busy machine does not hide.
    icr = 0; scr = 0
    if (ic > 0) icr = n / ic
    if (sc > 0) scr = n / sc
    printf "  CPU: kith %.2f s (%.0f rows per CPU-second), SQLite alone %.2f s (%.0f)\n", ic, icr, sc, scr
    met = "NOT met"
    if (best >= 200000) met = "met"
    printf "  target: at least 200000 rows/s: %s\n", met
}'
