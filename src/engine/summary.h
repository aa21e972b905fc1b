/*
 * Per-customer RFM summary (x, t_x, T, zbar) for the CLV models, built from raw transactions.
 * Pure computation: the caller reads the transactions; see docs/internals/clv.md.
 */
#ifndef KITH_ENGINE_SUMMARY_H
#define KITH_ENGINE_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "engine/clv.h"
#include "util/error.h"

/*
 * One row per customer whose first purchase is on or before the calibration end, in ascending
 * customer id. All arrays have n entries and belong to the struct; summary_release frees them.
 */
struct summary {
    size_t n;
    int64_t *customer_id;
    int32_t *first_day;        /* day number of the first purchase */
    struct clv_customer *cust; /* x, t_x, T, zbar in the requested time unit */
    double *first_spend;       /* the first purchase day's total (gg_expected_spend) */
};

/*
 * Builds the summary of n transactions given as parallel arrays (customer_id[i], day[i],
 * amount[i]), in any order. Day numbers are any consecutive integer day count (e.g. days since
 * 1970-01-01). Purchases by one customer on one day are merged into one transaction whose amount
 * is their sum. Then, counting only days up to and including cal_end_day:
 *   x    = number of purchase days after the first one,
 *   t_x  = (last purchase day - first purchase day) / unit_days   (0 when x == 0),
 *   T    = (cal_end_day - first purchase day) / unit_days,
 *   zbar = mean of the x repeat days' totals (0 when x == 0);
 * and first_spend = the first purchase day's total.
 * unit_days is the time unit in days (7 for weeks). Customers whose first purchase comes after
 * cal_end_day are left out. Values are not rounded.
 *
 * On success returns 0 and fills *out, which the caller releases with summary_release.
 * Returns KITH_EINVAL (no transactions, non-finite amount, bad unit, nobody bought by
 * cal_end_day) or KITH_ENOMEM; then *out holds nothing to release. The inputs are only read.
 * Allocates a sorted copy of the transactions (24 bytes each) for the duration of the call.
 */
int summary_build(const int64_t *customer_id, const int32_t *day, const double *amount, size_t n,
                  int32_t cal_end_day, double unit_days, struct summary *out,
                  struct kith_error *err);

/* Frees the arrays of s and zeroes it; safe on a zeroed struct and twice in a row. */
void summary_release(struct summary *s);

#endif /* KITH_ENGINE_SUMMARY_H */
