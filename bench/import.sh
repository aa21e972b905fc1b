#!/bin/sh
# bench/import.sh - how fast `kith import` loads interactions, against sqlite3's own CSV import.
#
# usage: bench/import.sh [KITH]          (make bench-import runs it as bench/import.sh build/kith)
#
# 1. Data: with KITH_BENCH_SOURCE=demo, `kith demo --contacts 20000` builds a database and every
#    importable table is exported from it. Its interactions are brought to exactly
#    KITH_BENCH_ROWS (default 1,000,000) first: seed 42 at 20000 contacts simulates 999,079, so
#    the earliest ones are copied with new ids (no external id, voiding nothing) to top it up,
#    or the latest dropped when there are more. With KITH_BENCH_SOURCE=generator,
#    bench/gen_interactions.py writes CSVs shaped like another CRM's export (references by
#    email, code and external id) with KITH_BENCH_ROWS interactions. The default, auto, uses
#    the demo when `kith demo` works and the generator otherwise.
# 2. A fresh database gets the other tables; a copy of it is used for each of KITH_BENCH_RUNS
#    (default 3) imports of the interactions file under /usr/bin/time: rows/s is rows over the
#    wall time of the whole `kith import` process. Best and median are printed.
# 3. The interactions are exported again (rows/s), and with demo data compared with the source.
# 4. Baseline: `sqlite3 db '.import --csv FILE interactions'` of the same file into a plain
#    table (no types, no constraints, no indexes, no checks), also best of the runs.
#    ratio = kith rows/s / baseline rows/s (above 1: kith is faster).
set -eu

KITH=${1:-build/kith}
SOURCE=${KITH_BENCH_SOURCE:-auto}
ROWS=${KITH_BENCH_ROWS:-1000000}
RUNS=${KITH_BENCH_RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kith-bench-import.XXXXXX")
trap 'rm -rf "$DIR"' EXIT INT TERM

for tool in sqlite3 python3 /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/import.sh: needs $tool" >&2; exit 2; }
done
[ -x "$KITH" ] || { echo "bench/import.sh: no kith binary at $KITH (run make build)" >&2; exit 2; }

DATA=$DIR/data
mkdir -p "$DATA"
TABLES="units teams users accounts contacts interaction_types"

# Brings the interactions of the demo database to exactly $ROWS (see step 1 above).
demo_rows() {
    have=$(sqlite3 "$DIR/demo.db" "SELECT count(*) FROM interactions")
    if [ "$have" -lt "$ROWS" ]; then
        echo "kith demo --contacts 20000 made $have interactions; copying $((ROWS - have)) of" \
             "them to make $ROWS" >&2
        sqlite3 "$DIR/demo.db" "INSERT INTO interactions (id, created_at, external_id,
              contact_id, user_id, type_id, occurred_at, channel, direction, rv, cost, outcome,
              notes, source, voids_id)
            SELECT id + (SELECT max(id) FROM interactions), created_at, NULL, contact_id,
              user_id, type_id, occurred_at, channel, direction, rv, cost, outcome, notes,
              source, NULL
            FROM interactions ORDER BY id LIMIT $((ROWS - have))"
    elif [ "$have" -gt "$ROWS" ]; then
        # Voids point back in time, so dropping the latest leaves every reference whole.
        sqlite3 "$DIR/demo.db" "DELETE FROM interactions WHERE id >
            (SELECT id FROM interactions ORDER BY id LIMIT 1 OFFSET $((ROWS - 1)))"
    fi
}

from_demo() {
    "$KITH" demo --db "$DIR/demo.db" --contacts 20000 >/dev/null 2>&1 || return 1
    demo_rows || return 1
    for t in $TABLES interactions; do
        "$KITH" export --db "$DIR/demo.db" "$t" --output "$DATA/$t.csv" || return 1
    done
}

case $SOURCE in
demo)
    from_demo || { echo "bench/import.sh: kith demo failed" >&2; exit 1; } ;;
generator)
    python3 "$HERE/gen_interactions.py" "$DATA" --interactions "$ROWS" ;;
auto)
    if from_demo; then
        SOURCE=demo
    else
        echo "kith demo is not available; using bench/gen_interactions.py" >&2
        SOURCE=generator
        rm -f "$DATA"/*.csv
        python3 "$HERE/gen_interactions.py" "$DATA" --interactions "$ROWS"
    fi ;;
*)
    echo "bench/import.sh: KITH_BENCH_SOURCE is demo, generator or auto" >&2; exit 2 ;;
esac

BASE=$DIR/base.db
"$KITH" init --db "$BASE" >/dev/null
for t in $TABLES; do
    [ -f "$DATA/$t.csv" ] && "$KITH" import --db "$BASE" "$t" "$DATA/$t.csv" >/dev/null
done

# Prints "seconds max_rss_kib" of the command given.
timed() {
    /usr/bin/time -f "%e %M" -o "$DIR/time" "$@" >"$DIR/out" 2>"$DIR/err" || {
        cat "$DIR/err" >&2
        exit 1
    }
    cat "$DIR/time"
}

# "best median max_rss" of the seconds and RSS lines given on standard input.
summary() {
    sort -n | awk '{ s[NR] = $1; if ($2 > rss) rss = $2 }
        END { m = (NR % 2) ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2
              print s[1], m, rss }'
}

BYTES=$(wc -c <"$DATA/interactions.csv")
DB=$DIR/bench.db
: >"$DIR/imports"
: >"$DIR/baselines"
i=0
while [ "$i" -lt "$RUNS" ]; do
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal" "$DIR/plain.db"
    cp "$BASE" "$DB"
    timed "$KITH" import --db "$DB" interactions "$DATA/interactions.csv" >>"$DIR/imports"
    N=$(sed -n 's/^interactions: \([0-9]*\) rows imported.*/\1/p' "$DIR/out")
    timed sqlite3 "$DIR/plain.db" ".import --csv $DATA/interactions.csv interactions" \
        >>"$DIR/baselines"
    i=$((i + 1))
done
set -- $(summary <"$DIR/imports")
IMPORT_BEST=$1 IMPORT_MEDIAN=$2 IMPORT_RSS=$3
set -- $(summary <"$DIR/baselines")
SQLITE_BEST=$1 SQLITE_MEDIAN=$2 SQLITE_RSS=$3
set -- $(timed "$KITH" export --db "$DB" interactions --output "$DIR/export.csv")
EXPORT_S=$1 EXPORT_RSS=$2

ROUND_TRIP="not checked (generated data is not in kith's export form)"
if [ "$SOURCE" = demo ]; then
    if cmp -s "$DATA/interactions.csv" "$DIR/export.csv"; then
        ROUND_TRIP="identical to the demo's export"
    else
        ROUND_TRIP="DIFFERENT from the demo's export"
    fi
fi

CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
echo "machine: ${CPU:-unknown CPU}, $(nproc) cores, ${MEM:-? GiB} RAM; load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"
awk -v n="$N" -v bytes="$BYTES" -v src="$SOURCE" -v runs="$RUNS" -v ib="$IMPORT_BEST" \
    -v im="$IMPORT_MEDIAN" -v ir="$IMPORT_RSS" -v es="$EXPORT_S" -v er="$EXPORT_RSS" \
    -v sb="$SQLITE_BEST" -v sm="$SQLITE_MEDIAN" -v sr="$SQLITE_RSS" -v rt="$ROUND_TRIP" 'BEGIN {
    # mawk reads ">" inside printf arguments as a redirection: compute first.
    best = 0; median = 0; erate = 0; base = 0; basem = 0; ratio = 0
    if (ib > 0) best = n / ib
    if (im > 0) median = n / im
    if (es > 0) erate = n / es
    if (sb > 0) base = n / sb
    if (sm > 0) basem = n / sm
    if (base > 0) ratio = best / base
    printf "import benchmark: %d interactions, %.1f MiB of CSV (%s data), %d runs\n", n, bytes / 1048576, src, runs
    printf "  kith import     best %6.2f s %9.0f rows/s, median %6.2f s %9.0f rows/s, peak RSS %6.1f MiB\n", ib, best, im, median, ir / 1024
    printf "  kith export          %6.2f s %9.0f rows/s,                               peak RSS %6.1f MiB\n", es, erate, er / 1024
    printf "  sqlite3 .import best %6.2f s %9.0f rows/s, median %6.2f s %9.0f rows/s, peak RSS %6.1f MiB (baseline)\n", sb, base, sm, basem, sr / 1024
    printf "  ratio kith import / sqlite3 .import (best): %.2f\n", ratio
    printf "  round trip: %s\n", rt
}'
