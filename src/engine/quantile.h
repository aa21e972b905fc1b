/*
 * quantile.h - the percentile method of the RV engine: Hyndman & Fan's type 7 (linear
 * interpolation between order statistics; R's and NumPy's default), and its inverse, the
 * percentile rank of a value. Probabilities are rationals num/den so that the order statistic
 * chosen never depends on rounding (0.1 * 10 is not always 1 in binary). docs/internals/rv.md.
 *
 * For sorted x[0..n): h = (n - 1) * num / den, Q = x[floor(h)] + frac(h) * (x[floor(h) + 1] -
 * x[floor(h)]). So p = 0 is the minimum, p = 1 the maximum, and for n = 1 every quantile is x[0].
 */
#ifndef KITH_ENGINE_QUANTILE_H
#define KITH_ENGINE_QUANTILE_H

#include <stddef.h>
#include <stdint.h>

/* Splits h = (n - 1) * num / den (n >= 1, 0 <= num <= den, den >= 1) into *lo and *frac. */
void quantile_index(size_t n, uint64_t num, uint64_t den, size_t *lo, double *frac);

/* Type-7 quantile num/den of sorted[0..n); NaN when n == 0. */
double quantile_sorted_i64(const int64_t *sorted, size_t n, uint64_t num, uint64_t den);
double quantile_sorted(const double *sorted, size_t n, uint64_t num, uint64_t den);

/*
 * The percentile (0..100) of v against m points q[0..m), non-decreasing, that are the type-7
 * quantiles at probabilities i / (m - 1): the inverse of the piecewise-linear curve through
 * them. Where the curve is flat at v (ties) the middle of the flat part is taken; below q[0] it
 * is 0, above q[m-1] 100. With m = 1 it is 0, 50 or 100; NaN for m == 0. When q holds all the
 * sorted values this is the exact mid-rank: 100 * (below + (equal - 1) / 2) / (n - 1).
 */
double quantile_rank_f(const float *q, size_t m, double v);
double quantile_rank(const double *q, size_t m, double v);

/* Sorts v[0..n) ascending (for the callers' convenience; qsort underneath). */
void quantile_sort_i64(int64_t *v, size_t n);
void quantile_sort(double *v, size_t n);

#endif
