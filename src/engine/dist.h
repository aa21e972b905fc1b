/*
 * Distribution of value over customers: deciles, the share of the top 20%, Lorenz curve points,
 * the Gini coefficient, overall and per group; and k-tile scores with ties (RFM quintiles, value
 * tiers). Pure computation: arrays in, numbers out. Definitions: docs/value.md, "Distribution".
 */
#ifndef KITH_ENGINE_DIST_H
#define KITH_ENGINE_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define DIST_DECILES    10
#define DIST_LORENZ_MAX 101 /* Lorenz points at most (every 1%) */

/* Customers of ranks [floor((d-1) n / 10), floor(d n / 10)) in descending value: decile d. */
struct dist_decile {
    size_t n;
    double sum;   /* value of its customers */
    double share; /* sum / total (NaN when total is 0) */
    double min;   /* the decile's lower edge: its smallest value (NaN when n == 0) */
    double max;   /* its largest value (NaN when n == 0) */
};

struct dist_summary {
    size_t n;
    double total, mean;
    /*
     * Gini = sum_i (2i - n - 1) v_(i) / (n total), v ascending, i = 1..n: 0 when all are equal,
     * (n-1)/n when one customer holds everything. NaN when total <= 0 (undefined); with
     * negative values it can exceed 1.
     */
    double gini;
    /* 1 - L(0.8): the share of the total held by the top 20% of customers (fractional at the
     * boundary, read off the Lorenz curve). NaN when total is 0. */
    double top20_share;
    struct dist_decile deciles[DIST_DECILES]; /* deciles[0] is the top 10% */
    /*
     * Lorenz curve L(p) at p = k / (nlorenz - 1), k = 0 .. nlorenz-1: the share of the total held
     * by the lowest fraction p of customers, linear between customers (L(i/n) = sum of the i
     * smallest / total). All NaN when total is 0.
     */
    size_t nlorenz;
    double lorenz[DIST_LORENZ_MAX];
};

/*
 * Summarises v[0..n) (only read; n may be 0: then every figure is 0 or NaN). nlorenz is the
 * number of Lorenz points, 2..DIST_LORENZ_MAX. KITH_EINVAL for a value that is not finite or a
 * bad nlorenz, KITH_ENOMEM. Allocates a sorted copy for the call. O(n log n).
 */
int dist_summarise(const double *v, size_t n, size_t nlorenz, struct dist_summary *out,
                   struct kith_error *err);

/*
 * The same per group: group[i] in [0, ngroups) or negative (no group: counted only in the
 * overall summary). out has ngroups entries. One sort of (group, value) pairs: O(n log n).
 */
int dist_summarise_groups(const double *v, const int32_t *group, size_t n, size_t ngroups,
                          size_t nlorenz, struct dist_summary *out, struct kith_error *err);

/*
 * k-tile scores 1..k with ties: score[i] = 1 + floor(k * (number of values below v[i]) / n).
 * Equal values get equal scores, that of the lowest rank among them (as SQL's percent_rank), so
 * groups can be uneven and a score can be missing (when many values are equal). k is 2..100.
 * KITH_EINVAL for a value that is not finite. O(n log n); allocates for the call.
 */
int dist_ktile_scores(const double *v, size_t n, int k, uint8_t *score, struct kith_error *err);

#endif /* KITH_ENGINE_DIST_H */
