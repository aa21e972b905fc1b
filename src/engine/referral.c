/*
 * referral.c - the value an account brought in by referring others: each referred account is
 * credited once, to its first referrer, which makes the referral graph a forest (cycles aside);
 * first degree sums the children, second degree the grandchildren (referral.h).
 */
#include "engine/referral.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

static int edge_cmp(const void *pa, const void *pb)
{
    const struct cv_referral *a = pa, *b = pb;
    if (a->referred != b->referred)
        return a->referred < b->referred ? -1 : 1;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return (a->referrer > b->referrer) - (a->referrer < b->referrer);
}

static size_t index_of(const int64_t *ids, size_t n, int64_t id)
{
    size_t i = cv_lower_bound(ids, n, sizeof(*ids), 0, id);
    return i < n && ids[i] == id ? i : CV_NO_INDEX;
}

/* The credited referrer of account id (edges sorted and reduced to one per referred), or -1. */
static int64_t referrer_of(const struct cv_referral *e, size_t ne, int64_t id)
{
    size_t i = cv_lower_bound(e, ne, sizeof(*e), offsetof(struct cv_referral, referred), id);
    return i < ne && e[i].referred == id ? e[i].referrer : -1;
}

int referral_values(const struct cv_referral *e, size_t ne, const int64_t *ids, const double *value,
                    size_t n, double second_weight, struct referral_value *out,
                    struct kith_error *err)
{
    if (!(second_weight >= 0 && second_weight <= 1))
        return kith_err(err, KITH_EINVAL, "referrals: second-degree weight %g must be in [0, 1]",
                        second_weight);
    for (size_t i = 1; i < n; i++)
        if (ids[i] <= ids[i - 1])
            return kith_err(err, KITH_EINVAL,
                            "referrals: account ids must be ascending (index %zu)", i);
    memset(out, 0, n * sizeof(*out));
    struct cv_referral *kept = alloc_array(ne, sizeof(*kept));
    if (!kept)
        return kith_err(err, KITH_ENOMEM, "referrals: out of memory for %zu referrals", ne);
    size_t m = 0;
    for (size_t i = 0; i < ne; i++)
        if (e[i].referrer != e[i].referred)
            kept[m++] = e[i];
    qsort(kept, m, sizeof(*kept), edge_cmp);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (i == 0 || kept[i].referred != kept[i - 1].referred)
            kept[k++] = kept[i]; /* the first referrer of each referred account */

    for (size_t i = 0; i < k; i++) {
        size_t p = index_of(ids, n, kept[i].referrer);
        if (p == CV_NO_INDEX)
            continue;
        size_t r = index_of(ids, n, kept[i].referred);
        double v = r == CV_NO_INDEX || !isfinite(value[r]) ? 0 : value[r];
        out[p].referred++;
        out[p].value1 += v;
    }
    if (second_weight > 0) {
        for (size_t i = 0; i < k; i++) {
            size_t p = index_of(ids, n, kept[i].referrer);
            size_t r = index_of(ids, n, kept[i].referred);
            if (p == CV_NO_INDEX || r == CV_NO_INDEX)
                continue;
            out[p].referred2 += out[r].referred;
            out[p].value2 += out[r].value1;
            /* a two-cycle (p referred r, r referred p): p is not its own grandchild */
            if (referrer_of(kept, k, ids[p]) == ids[r]) {
                out[p].referred2--;
                out[p].value2 -= isfinite(value[p]) ? value[p] : 0;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        out[i].total = out[i].value1 + second_weight * out[i].value2;
    free(kept);
    return 0;
}
