/*
 * Turns raw transactions into the per-customer summary (x, t_x, T, zbar) that the BG/NBD and
 * Gamma-Gamma models take: sort by (customer, day), merge same-day purchases, count repeat days
 * up to the calibration end. Pure computation; definitions in summary.h and docs/internals/clv.md.
 */
#include "engine/summary.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

struct txn {
    int64_t id;
    int32_t day;
    double amount;
};

static int txn_cmp(const void *pa, const void *pb)
{
    const struct txn *a = pa, *b = pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return 0;
}

static bool txn_ordered(const struct txn *a, const struct txn *b)
{
    return a->id < b->id || (a->id == b->id && a->day <= b->day);
}

void summary_release(struct summary *s)
{
    if (!s)
        return;
    free(s->customer_id);
    free(s->first_day);
    free(s->cust);
    free(s->first_spend);
    memset(s, 0, sizeof *s);
}

/* Fills one row from the customer's transactions t[0..len), sorted by day. */
static void summarise_customer(const struct txn *t, size_t len, int32_t cal_end_day,
                               double unit_days, struct clv_customer *row, double *first_spend)
{
    const int32_t first = t[0].day;
    int32_t last = first;
    double repeat_sum = 0;
    size_t x = 0;
    size_t i = 0;
    double first_sum = 0;
    while (i < len && t[i].day == first)
        first_sum += t[i++].amount;
    while (i < len && t[i].day <= cal_end_day) {
        const int32_t d = t[i].day;
        while (i < len && t[i].day == d)
            repeat_sum += t[i++].amount;
        x++;
        last = d;
    }
    row->x = (double)x;
    /* int64 differences: day numbers may span the whole int32 range */
    row->t_x = (double)((int64_t)last - first) / unit_days;
    row->T = (double)((int64_t)cal_end_day - first) / unit_days;
    row->zbar = x > 0 ? repeat_sum / (double)x : 0;
    *first_spend = first_sum;
}

int summary_build(const int64_t *customer_id, const int32_t *day, const double *amount, size_t n,
                  int32_t cal_end_day, double unit_days, struct summary *out,
                  struct kith_error *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || !customer_id || !day || !amount)
        return kith_err(err, KITH_EINVAL, "summary: no transactions");
    if (!(unit_days > 0 && isfinite(unit_days)))
        return kith_err(err, KITH_EINVAL, "summary: time unit of %g days must be positive",
                        unit_days);
    if (n > SIZE_MAX / sizeof(struct txn))
        return kith_err(err, KITH_ENOMEM, "summary: %zu transactions are too many", n);

    struct txn *t = alloc_array(n, sizeof *t);
    if (!t)
        return kith_err(err, KITH_ENOMEM, "summary: out of memory for %zu transactions", n);
    int rc = 0;
    bool sorted = true;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(amount[i])) {
            rc = kith_err(err, KITH_EINVAL,
                          "summary: transaction at index %zu (customer %lld, day %ld) has a "
                          "non-finite amount",
                          i, (long long)customer_id[i], (long)day[i]);
            goto out_free_txns;
        }
        t[i] = (struct txn){.id = customer_id[i], .day = day[i], .amount = amount[i]};
        if (i > 0 && !txn_ordered(&t[i - 1], &t[i]))
            sorted = false;
    }
    if (!sorted)
        qsort(t, n, sizeof *t, txn_cmp);

    /* Count the customers who had bought by the calibration end: one row each. */
    size_t rows = 0;
    for (size_t i = 0; i < n; i++)
        if ((i == 0 || t[i].id != t[i - 1].id) && t[i].day <= cal_end_day)
            rows++;
    if (rows == 0) {
        rc = kith_err(err, KITH_EINVAL,
                      "summary: no customer made a purchase on or before the calibration end "
                      "(day %ld)",
                      (long)cal_end_day);
        goto out_free_txns;
    }

    out->customer_id = alloc_array(rows, sizeof *out->customer_id);
    out->first_day = alloc_array(rows, sizeof *out->first_day);
    out->cust = alloc_array(rows, sizeof *out->cust);
    out->first_spend = alloc_array(rows, sizeof *out->first_spend);
    if (!out->customer_id || !out->first_day || !out->cust || !out->first_spend) {
        rc = kith_err(err, KITH_ENOMEM, "summary: out of memory for %zu customers", rows);
        goto out_release;
    }

    size_t r = 0;
    for (size_t i = 0; i < n;) {
        size_t end = i + 1;
        while (end < n && t[end].id == t[i].id)
            end++;
        if (t[i].day <= cal_end_day) {
            out->customer_id[r] = t[i].id;
            out->first_day[r] = t[i].day;
            summarise_customer(&t[i], end - i, cal_end_day, unit_days, &out->cust[r],
                               &out->first_spend[r]);
            r++;
        }
        i = end;
    }
    out->n = rows;
    free(t);
    return 0;

out_release:
    summary_release(out);
out_free_txns:
    free(t);
    return rc;
}
