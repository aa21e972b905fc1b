#!/bin/sh
# bench/value.sh - how long `kith value` takes on a large order book, against the time SQLite
# needs only to group the same orders by account.
#
# usage: bench/value.sh [KITH]          (make bench-value runs it as bench/value.sh build/kith)
#
# 1. Data: bench/gen_value.py writes KITH_BENCH_ACCOUNTS accounts (default 1,000,000; a quarter
#    never order), their orders (about 3.6 per account) and order lines over three years.
#    `kith import` loads them into a fresh database (not timed).
# 2. Each subcommand runs once under /usr/bin/time; the wall time of the whole process counts
#    (opening, loading through the store, the models, printing the first rows). The CPU time
#    (user + system) is printed too: on a shared machine it varies much less than wall time.
# 3. Baseline: `sqlite3 db "SELECT account_id, count(*), sum(amount), min(ordered_at),
#    max(ordered_at) FROM orders GROUP BY account_id"`, the least any per-customer figure costs.
#    ratio = kith seconds / baseline seconds (lower is better).
set -eu

KITH=${1:-build/kith}
ACCOUNTS=${KITH_BENCH_ACCOUNTS:-1000000}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kith-bench-value.XXXXXX")
trap 'rm -rf "$DIR"' EXIT INT TERM

for tool in sqlite3 python3 /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/value.sh: needs $tool" >&2; exit 2; }
done
[ -x "$KITH" ] || { echo "bench/value.sh: no kith binary at $KITH (run make build)" >&2; exit 2; }

python3 "$HERE/gen_value.py" "$DIR" --accounts "$ACCOUNTS"
DB=$DIR/value.db
"$KITH" init --db "$DB" >/dev/null
for t in accounts products orders order_lines; do
    "$KITH" import --db "$DB" "$t" "$DIR/$t.csv" >/dev/null
done
orders=$(sqlite3 "$DB" "SELECT count(*) FROM orders")
customers=$(sqlite3 "$DB" "SELECT count(DISTINCT account_id) FROM orders")

seconds() { # command... -> "wall cpu" seconds of one run
    /usr/bin/time -f "%e %U %S" -o "$DIR/time" "$@" >/dev/null 2>"$DIR/err" || {
        cat "$DIR/err" >&2
        exit 1
    }
    awk '{printf "%.2f %.2f", $1, $2 + $3}' "$DIR/time"
}

base=$(seconds sqlite3 "$DB" "SELECT account_id, count(*), sum(amount), min(ordered_at),
    max(ordered_at) FROM orders GROUP BY account_id")
echo "kith value on $ACCOUNTS accounts, $customers customers, $orders orders"
echo "baseline (SQLite GROUP BY account over the orders): $base s (wall, cpu)"
printf '%-24s %8s %8s %7s\n' "command" "wall s" "cpu s" "ratio"
for cmd in "fit" "clv --limit 20" "dist" "rfm" "reap" "xsell" "referrals" "drivers"; do
    # shellcheck disable=SC2086 # the subcommand's words are meant to split
    s=$(seconds "$KITH" value $cmd --db "$DB")
    printf '%-24s ' "value $cmd"
    echo "$s $base" | awk '{printf "%8.2f %8.2f %7.1f\n", $1, $2, $1 / $3}'
done
