#!/bin/sh
# bench/import.sh - how fast `kith import` loads interactions, against sqlite3's own CSV import.
#
# usage: bench/import.sh [KITH]          (make bench-import runs it as bench/import.sh build/kith)
#
# 1. Data: with KITH_BENCH_SOURCE=demo, `kith demo --contacts 20000` builds a database and every
#    importable table is exported from it; with KITH_BENCH_SOURCE=generator,
#    bench/gen_interactions.py writes CSVs shaped like another CRM's export (references by
#    email, code and external id) with KITH_BENCH_ROWS interactions (default 1,000,000).
#    The default, auto, uses the demo when `kith demo` works and the generator otherwise.
# 2. A fresh database gets the other tables, then the interactions file is imported under
#    /usr/bin/time: rows/s is rows over the wall time of the whole `kith import` process.
# 3. The interactions are exported again (rows/s), and with demo data compared with the source.
# 4. Baseline: `sqlite3 db '.import --csv FILE interactions'` of the same file into a plain
#    table (no types, no constraints, no indexes, no checks). ratio = kith rows/s / baseline
#    rows/s (above 1: kith is faster).
set -eu

KITH=${1:-build/kith}
SOURCE=${KITH_BENCH_SOURCE:-auto}
ROWS=${KITH_BENCH_ROWS:-1000000}
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

from_demo() {
    "$KITH" demo --db "$DIR/demo.db" --contacts 20000 >/dev/null 2>&1 || return 1
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

DB=$DIR/bench.db
"$KITH" init --db "$DB" >/dev/null
for t in $TABLES; do
    [ -f "$DATA/$t.csv" ] && "$KITH" import --db "$DB" "$t" "$DATA/$t.csv" >/dev/null
done

# Prints "seconds max_rss_kib" of the command given.
timed() {
    /usr/bin/time -f "%e %M" -o "$DIR/time" "$@" >"$DIR/out" 2>"$DIR/err" || {
        cat "$DIR/err" >&2
        exit 1
    }
    cat "$DIR/time"
}

BYTES=$(wc -c <"$DATA/interactions.csv")
set -- $(timed "$KITH" import --db "$DB" interactions "$DATA/interactions.csv")
IMPORT_S=$1 IMPORT_RSS=$2
N=$(sed -n 's/^interactions: \([0-9]*\) rows imported.*/\1/p' "$DIR/out")
set -- $(timed "$KITH" export --db "$DB" interactions --output "$DIR/export.csv")
EXPORT_S=$1 EXPORT_RSS=$2
set -- $(timed sqlite3 "$DIR/plain.db" ".import --csv $DATA/interactions.csv interactions")
SQLITE_S=$1 SQLITE_RSS=$2

ROUND_TRIP="not checked (generated data is not in kith's export form)"
if [ "$SOURCE" = demo ]; then
    if cmp -s "$DATA/interactions.csv" "$DIR/export.csv"; then
        ROUND_TRIP="identical to the demo's export"
    else
        ROUND_TRIP="DIFFERENT from the demo's export"
    fi
fi

awk -v n="$N" -v bytes="$BYTES" -v src="$SOURCE" -v is="$IMPORT_S" -v ir="$IMPORT_RSS" \
    -v es="$EXPORT_S" -v er="$EXPORT_RSS" -v ss="$SQLITE_S" -v sr="$SQLITE_RSS" \
    -v rt="$ROUND_TRIP" 'BEGIN {
    # mawk reads ">" inside printf arguments as a redirection: compute first.
    rate = 0; base = 0; erate = 0; ratio = 0
    if (is > 0) rate = n / is
    if (ss > 0) base = n / ss
    if (es > 0) erate = n / es
    if (base > 0) ratio = rate / base
    printf "import benchmark: %d interactions, %.1f MiB of CSV (%s data)\n", n, bytes / 1048576, src
    printf "  kith import     %8.2f s  %9.0f rows/s  peak RSS %6.1f MiB\n", is, rate, ir / 1024
    printf "  kith export     %8.2f s  %9.0f rows/s  peak RSS %6.1f MiB\n", es, erate, er / 1024
    printf "  sqlite3 .import %8.2f s  %9.0f rows/s  peak RSS %6.1f MiB  (baseline)\n", ss, base, sr / 1024
    printf "  ratio kith import / sqlite3 .import: %.2f\n", ratio
    printf "  round trip: %s\n", rt
}'
