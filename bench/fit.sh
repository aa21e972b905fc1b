#!/bin/sh
# bench/fit.sh - kith's BG/NBD and Gamma-Gamma fits and association rules (bench/fit.c) against
# the same likelihoods fitted with scipy (bench/fit_scipy.py), on the same 1,000,000 customers
# drawn with the CDNOW parameters. Prints both and the ratios (scipy seconds / kith seconds).
#
# usage: bench/fit.sh [BUILD_DIR]        (make bench-value runs it with build/)
set -eu
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$HERE/out"
CSV=$HERE/out/fit-1m.csv
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT INT TERM

"$BUILD/bench-fit" --csv "$CSV" | tee "$OUT"
python3 "$HERE/fit_scipy.py" "$CSV" | tee -a "$OUT"
echo "machine: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores;" \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
    /kith BG\/NBD:/ { kb = $3 } /kith Gamma-Gamma:/ { kg = $3 }
    /^scipy BG\/NBD:/ { sb = $3 } /^scipy Gamma-Gamma:/ { sg = $3 }
    END {
        if (kb > 0 && sb > 0) printf "  ratio scipy / kith, BG/NBD: %.1f\n", sb / kb
        if (kg > 0 && sg > 0) printf "  ratio scipy / kith, Gamma-Gamma: %.1f\n", sg / kg
    }' "$OUT"
