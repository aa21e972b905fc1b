/*
 * dist.c - how value is spread over customers: deciles, top-20% share, Lorenz curve, Gini, per
 * group too, and k-tile scores with ties. Everything works on one ascending sort of the values.
 * Pure computation (dist.h); the definitions in words are in docs/value.md.
 */
#include "engine/dist.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

static int double_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static int check_values(const double *v, size_t n, struct kith_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return kith_err(err, KITH_EINVAL, "distribution: value at index %zu is not finite", i);
    return 0;
}

/* L(p) from the ascending values, given the prefix sum of the first i of them. */
static double lorenz_at(const double *asc, size_t n, double total, double p, size_t *i,
                        double *prefix)
{
    double pos = p * (double)n;
    size_t whole = (size_t)floor(pos);
    if (whole > n)
        whole = n;
    while (*i < whole)
        *prefix += asc[(*i)++];
    double frac = pos - (double)whole;
    double part = whole < n ? frac * asc[whole] : 0;
    return (*prefix + part) / total;
}

/* Fills out from asc[0..n), ascending. */
static void summarise_sorted(const double *asc, size_t n, size_t nlorenz, struct dist_summary *out)
{
    memset(out, 0, sizeof(*out));
    out->n = n;
    out->nlorenz = nlorenz;
    double total = 0, weighted = 0;
    for (size_t i = 0; i < n; i++) {
        total += asc[i];
        weighted += (2.0 * (double)(i + 1) - (double)n - 1.0) * asc[i];
    }
    out->total = total;
    out->mean = n ? total / (double)n : NAN;
    out->gini = n && total > 0 ? weighted / ((double)n * total) : NAN;

    for (size_t d = 0; d < DIST_DECILES; d++) {
        size_t lo = d * n / DIST_DECILES, hi = (d + 1) * n / DIST_DECILES; /* ranks, descending */
        struct dist_decile *dec = &out->deciles[d];
        dec->n = hi - lo;
        dec->min = dec->max = NAN;
        for (size_t j = n - hi; j < n - lo; j++)
            dec->sum += asc[j];
        if (dec->n) {
            dec->min = asc[n - hi];
            dec->max = asc[n - lo - 1];
        }
        dec->share = total != 0 ? dec->sum / total : NAN;
    }

    size_t i = 0;
    double prefix = 0;
    for (size_t k = 0; k < nlorenz; k++) {
        double p = (double)k / (double)(nlorenz - 1);
        out->lorenz[k] = total != 0 ? lorenz_at(asc, n, total, p, &i, &prefix) : NAN;
    }
    i = 0;
    prefix = 0;
    out->top20_share = total != 0 ? 1 - lorenz_at(asc, n, total, 0.8, &i, &prefix) : NAN;
}

static int check_nlorenz(size_t nlorenz, struct kith_error *err)
{
    if (nlorenz < 2 || nlorenz > DIST_LORENZ_MAX)
        return kith_err(err, KITH_EINVAL, "distribution: %zu Lorenz points; 2 to %d allowed",
                        nlorenz, DIST_LORENZ_MAX);
    return 0;
}

int dist_summarise(const double *v, size_t n, size_t nlorenz, struct dist_summary *out,
                   struct kith_error *err)
{
    int rc;
    if ((rc = check_nlorenz(nlorenz, err)) < 0 || (rc = check_values(v, n, err)) < 0)
        return rc;
    double *asc = alloc_array(n, sizeof(*asc));
    if (!asc)
        return kith_err(err, KITH_ENOMEM, "distribution: out of memory for %zu values", n);
    if (n)
        memcpy(asc, v, n * sizeof(*asc));
    qsort(asc, n, sizeof(*asc), double_cmp);
    summarise_sorted(asc, n, nlorenz, out);
    free(asc);
    return 0;
}

struct grouped {
    int32_t group;
    double value;
};

static int grouped_cmp(const void *pa, const void *pb)
{
    const struct grouped *a = pa, *b = pb;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    return (a->value > b->value) - (a->value < b->value);
}

int dist_summarise_groups(const double *v, const int32_t *group, size_t n, size_t ngroups,
                          size_t nlorenz, struct dist_summary *out, struct kith_error *err)
{
    int rc;
    if ((rc = check_nlorenz(nlorenz, err)) < 0 || (rc = check_values(v, n, err)) < 0)
        return rc;
    for (size_t g = 0; g < ngroups; g++)
        summarise_sorted(NULL, 0, nlorenz, &out[g]);
    struct grouped *pairs = alloc_array(n, sizeof(*pairs));
    double *asc = alloc_array(n, sizeof(*asc));
    if (!pairs || !asc) {
        free(pairs);
        free(asc);
        return kith_err(err, KITH_ENOMEM, "distribution: out of memory for %zu values", n);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (group[i] < 0)
            continue;
        if ((size_t)group[i] >= ngroups) {
            free(pairs);
            free(asc);
            return kith_err(err, KITH_EINVAL,
                            "distribution: group %d at index %zu is not below %zu groups", group[i],
                            i, ngroups);
        }
        pairs[m++] = (struct grouped){group[i], v[i]};
    }
    qsort(pairs, m, sizeof(*pairs), grouped_cmp);
    for (size_t i = 0; i < m; i++)
        asc[i] = pairs[i].value;
    for (size_t start = 0; start < m;) {
        size_t end = start + 1;
        while (end < m && pairs[end].group == pairs[start].group)
            end++;
        summarise_sorted(asc + start, end - start, nlorenz, &out[pairs[start].group]);
        start = end;
    }
    free(pairs);
    free(asc);
    return 0;
}

struct ranked {
    double value;
    size_t index;
};

static int ranked_cmp(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

int dist_ktile_scores(const double *v, size_t n, int k, uint8_t *score, struct kith_error *err)
{
    if (k < 2 || k > 100)
        return kith_err(err, KITH_EINVAL, "scores: %d groups; 2 to 100 allowed", k);
    int rc = check_values(v, n, err);
    if (rc < 0)
        return rc;
    if (n == 0)
        return 0;
    struct ranked *r = alloc_array(n, sizeof(*r));
    if (!r)
        return kith_err(err, KITH_ENOMEM, "scores: out of memory for %zu values", n);
    for (size_t i = 0; i < n; i++)
        r[i] = (struct ranked){v[i], i};
    qsort(r, n, sizeof(*r), ranked_cmp);
    for (size_t start = 0; start < n;) {
        size_t end = start + 1;
        while (end < n && r[end].value == r[start].value)
            end++;
        /* start values are below this run: the run's lowest rank */
        uint8_t s = (uint8_t)(1 + (uint64_t)k * start / n);
        for (size_t j = start; j < end; j++)
            score[r[j].index] = s;
        start = end;
    }
    free(r);
    return 0;
}
