/*
 * quantile.c - type-7 quantiles with exact rational positions, and the percentile rank that
 * inverts them (mid-rank on ties). Used by the norms, the scorecards and the unit comparison.
 */
#include "engine/quantile.h"

#include <math.h>
#include <stdlib.h>

#include "util/banned.h"

void quantile_index(size_t n, uint64_t num, uint64_t den, size_t *lo, double *frac)
{
    uint64_t h = (uint64_t)(n - 1) * num;
    *lo = (size_t)(h / den);
    *frac = (double)(h % den) / (double)den;
}

double quantile_sorted_i64(const int64_t *sorted, size_t n, uint64_t num, uint64_t den)
{
    if (n == 0)
        return NAN;
    size_t lo;
    double f;
    quantile_index(n, num, den, &lo, &f);
    if (f == 0 || lo + 1 >= n)
        return (double)sorted[lo];
    return (double)sorted[lo] + f * (double)(sorted[lo + 1] - sorted[lo]);
}

double quantile_sorted(const double *sorted, size_t n, uint64_t num, uint64_t den)
{
    if (n == 0)
        return NAN;
    size_t lo;
    double f;
    quantile_index(n, num, den, &lo, &f);
    if (f == 0 || lo + 1 >= n)
        return sorted[lo];
    return sorted[lo] + f * (sorted[lo + 1] - sorted[lo]);
}

#define RANK_BODY                                                                                  \
    if (m == 0)                                                                                    \
        return NAN;                                                                                \
    if (v < q[0])                                                                                  \
        return 0;                                                                                  \
    if (v > q[m - 1])                                                                              \
        return 100;                                                                                \
    if (m == 1)                                                                                    \
        return 50;                                                                                 \
    size_t lo = 0, hi = m; /* first index with q >= v */                                           \
    while (lo < hi) {                                                                              \
        size_t mid = lo + (hi - lo) / 2;                                                           \
        if (q[mid] < v)                                                                            \
            lo = mid + 1;                                                                          \
        else                                                                                       \
            hi = mid;                                                                              \
    }                                                                                              \
    double span = (double)(m - 1);                                                                 \
    if (q[lo] == v) {                                                                              \
        size_t last = lo;                                                                          \
        while (last + 1 < m && q[last + 1] == v)                                                   \
            last++;                                                                                \
        return 100.0 * ((double)lo + (double)last) / 2.0 / span;                                   \
    }                                                                                              \
    double f = (v - q[lo - 1]) / ((double)q[lo] - (double)q[lo - 1]);                              \
    return 100.0 * ((double)(lo - 1) + f) / span;

double quantile_rank_f(const float *q, size_t m, double v)
{
    RANK_BODY
}

double quantile_rank(const double *q, size_t m, double v)
{
    RANK_BODY
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void quantile_sort_i64(int64_t *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_i64);
}

void quantile_sort(double *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_double);
}
