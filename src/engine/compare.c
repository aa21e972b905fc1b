/*
 * compare.c - RV distributions per unit and stage with k-suppression and optional differential
 * privacy (Laplace on count and sum, the exponential mechanism for percentiles). Only
 * aggregates are produced; the caller supplies the randomness.
 */
#include "engine/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/quantile.h"
#include "engine/rv.h"

#include "util/alloc.h"

#include "util/banned.h"

#define NSTATS             7 /* count, sum (mean), p10, p25, p50, p75, p90 */
#define NCELLS_PER_CONTACT 2 /* its stage's cell and its unit's "all stages" cell */

void compare_spec_init(struct compare_spec *spec, int64_t as_of_ms)
{
    memset(spec, 0, sizeof(*spec));
    spec->as_of_ms = as_of_ms;
    spec->k = COMPARE_K_DEFAULT;
    spec->clip_lo = COMPARE_CLIP_LO_DEFAULT;
    spec->clip_hi = COMPARE_CLIP_HI_DEFAULT;
    spec->own_unit = -1;
}

void compare_result_free(struct compare_result *r)
{
    if (!r)
        return;
    free(r->cells);
    free(r);
}

double compare_laplace(compare_uniform_fn uniform, void *ctx, double scale)
{
    for (;;) {
        double u = uniform(ctx) - 0.5; /* (-0.5, 0.5) */
        double a = 1 - 2 * fabs(u);
        if (a > 0)
            return (u < 0 ? scale : -scale) * log(a);
    }
}

double compare_dp_quantile(const double *sorted, size_t n, double lo, double hi, uint64_t num,
                           uint64_t den, double epsilon, compare_uniform_fn uniform, void *ctx)
{
    /* intervals [z_i, z_{i+1}] between the clipped values with the bounds at both ends; the
     * interval after i values has utility -|i - p n|, sensitivity 1 (Smith 2011) */
    double target = (double)num / (double)den * (double)n, maxlw = -INFINITY;
    double *lw = alloc_array(n + 1, sizeof(*lw));
    if (!lw)
        return NAN;
    for (size_t i = 0; i <= n; i++) {
        double a = i == 0 ? lo : fmin(fmax(sorted[i - 1], lo), hi);
        double b = i == n ? hi : fmin(fmax(sorted[i], lo), hi);
        lw[i] = b > a ? log(b - a) - epsilon / 2 * fabs((double)i - target) : -INFINITY;
        if (lw[i] > maxlw)
            maxlw = lw[i];
    }
    double total = 0;
    for (size_t i = 0; i <= n; i++)
        total += lw[i] = exp(lw[i] - maxlw);
    double pick = uniform(ctx) * total, res = hi;
    for (size_t i = 0; i <= n; i++) {
        if (pick < lw[i] || i == n) {
            double a = i == 0 ? lo : fmin(fmax(sorted[i - 1], lo), hi);
            double b = i == n ? hi : fmin(fmax(sorted[i], lo), hi);
            res = a + uniform(ctx) * (b - a);
            break;
        }
        pick -= lw[i];
    }
    free(lw);
    return res;
}

static void fill_exact(struct compare_cell *cell, double *v, size_t n)
{
    cell->n = (double)n;
    quantile_sort(v, n);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    cell->mean = n ? sum / (double)n : NAN;
    cell->p10 = quantile_sorted(v, n, 10, 100);
    cell->p25 = quantile_sorted(v, n, 25, 100);
    cell->p50 = quantile_sorted(v, n, 50, 100);
    cell->p75 = quantile_sorted(v, n, 75, 100);
    cell->p90 = quantile_sorted(v, n, 90, 100);
}

static void suppress(struct compare_cell *cell)
{
    cell->suppressed = true;
    cell->n = cell->mean = cell->p10 = cell->p25 = cell->p50 = cell->p75 = cell->p90 = NAN;
}

static void fill_noised(struct compare_cell *cell, double *v, size_t n,
                        const struct compare_spec *spec, double eps)
{
    cell->noised = true;
    /*
     * Fewer than k contacts: never shown, whatever the noise draws. The noisy threshold alone
     * shows a unit of one contact about once in 75 queries (Laplace tail at k + 3/eps); k is
     * a promise (docs/internals/rv.md, "Privacy policy"), so it holds on the exact count too.
     */
    if (n < (size_t)spec->k) {
        suppress(cell);
        return;
    }
    double noisy_n = (double)n + compare_laplace(spec->uniform, spec->uniform_ctx, 1 / eps);
    if (noisy_n < (double)spec->k + 3 / eps) {
        suppress(cell);
        return;
    }
    quantile_sort(v, n);
    double sum = 0, bound = fmax(fabs(spec->clip_lo), fabs(spec->clip_hi));
    for (size_t i = 0; i < n; i++)
        sum += fmin(fmax(v[i], spec->clip_lo), spec->clip_hi);
    sum += compare_laplace(spec->uniform, spec->uniform_ctx, bound / eps);
    cell->n = round(noisy_n);
    cell->mean = fmin(fmax(sum / fmax(noisy_n, 1), spec->clip_lo), spec->clip_hi);
    static const uint64_t pct[5] = {10, 25, 50, 75, 90};
    double q[5];
    for (int i = 0; i < 5; i++)
        q[i] = compare_dp_quantile(v, n, spec->clip_lo, spec->clip_hi, pct[i], 100, eps,
                                   spec->uniform, spec->uniform_ctx);
    /* released independently, they need not be ordered; sorting them is post-processing */
    quantile_sort(q, 5);
    cell->p10 = q[0];
    cell->p25 = q[1];
    cell->p50 = q[2];
    cell->p75 = q[3];
    cell->p90 = q[4];
}

static int check_spec(const struct compare_spec *spec, struct kith_error *err)
{
    if (spec->k < 1)
        return kith_err(err, KITH_EINVAL, "k must be at least 1");
    if (spec->epsilon < 0 || !isfinite(spec->epsilon))
        return kith_err(err, KITH_EINVAL, "epsilon must be a positive number (or 0 for none)");
    if (spec->epsilon > 0 && !spec->uniform)
        return kith_err(err, KITH_EINVAL, "noise needs a random source");
    if (!(spec->clip_lo < spec->clip_hi) || !isfinite(spec->clip_lo) || !isfinite(spec->clip_hi))
        return kith_err(err, KITH_EINVAL, "the RV clip range must be finite with low < high");
    return 0;
}

int compare_units(const struct rv_snapshot *s, const struct compare_spec *spec,
                  struct compare_result **out, struct kith_error *err)
{
    *out = NULL;
    int rc = check_spec(spec, err);
    if (rc < 0)
        return rc;
    size_t nu = s->units.n + 1, ncells = nu * (RV_NSTAGES + 1);
    struct compare_result *r = calloc(1, sizeof(*r));
    struct rv_contact_state *st = alloc_array(s->nc, sizeof(*st));
    uint32_t *count = alloc_array_zero(ncells + 1, sizeof(*count));
    double *vals = NULL;
    uint32_t *fill = NULL;
    rc = KITH_ENOMEM;
    if (!r || !st || !count || !(r->cells = alloc_array_zero(ncells, sizeof(*r->cells))))
        goto out_free;
    r->k = spec->k;
    r->epsilon = spec->epsilon;
    r->epsilon_per_statistic = spec->epsilon / (NSTATS * NCELLS_PER_CONTACT);
    r->threshold = spec->epsilon > 0 ? spec->k + 3 / r->epsilon_per_statistic : spec->k;
    r->clip_lo = spec->clip_lo;
    r->clip_hi = spec->clip_hi;
    r->ncells = ncells;
    if ((rc = rv_compute(s, spec->as_of_ms, NULL, 1, st, err)) < 0)
        goto out_free;
    rc = KITH_ENOMEM;
    /* cell of (unit u, stage g): u' = unit + 1, g' = stage + 1 (0 = all stages) */
    for (size_t c = 0; c < s->nc; c++) {
        if (!st[c].ncounted)
            continue;
        size_t u = (size_t)(s->unit[c] + 1);
        count[u * (RV_NSTAGES + 1)]++;
        count[u * (RV_NSTAGES + 1) + (size_t)st[c].stage + 1]++;
    }
    uint32_t total = 0;
    for (size_t i = 0; i < ncells; i++) {
        uint32_t k = count[i];
        count[i] = total;
        total += k;
    }
    count[ncells] = total;
    vals = alloc_array(total, sizeof(*vals));
    fill = alloc_array_zero(ncells, sizeof(*fill));
    if (!vals || !fill)
        goto out_free;
    for (size_t c = 0; c < s->nc; c++) {
        if (!st[c].ncounted)
            continue;
        size_t u = (size_t)(s->unit[c] + 1);
        size_t a = u * (RV_NSTAGES + 1), b = a + (size_t)st[c].stage + 1;
        vals[count[a] + fill[a]++] = (double)st[c].rv;
        vals[count[b] + fill[b]++] = (double)st[c].rv;
    }
    if (spec->epsilon > 0 && spec->members) {
        /* sorted per cell, so that the members do not depend on the order of the contacts */
        for (size_t i = 0; i < ncells; i++)
            quantile_sort(vals + count[i], count[i + 1] - count[i]);
        struct compare_members m = {.ncells = ncells, .offset = count, .sorted = vals};
        if ((rc = spec->members(spec->members_ctx, &m, err)) < 0)
            goto out_free;
        rc = KITH_ENOMEM;
    }
    double eps = r->epsilon_per_statistic;
    for (size_t i = 0; i < ncells; i++) {
        struct compare_cell *cell = &r->cells[i];
        size_t n = count[i + 1] - count[i];
        cell->unit = (int32_t)(i / (RV_NSTAGES + 1)) - 1;
        cell->stage = (int)(i % (RV_NSTAGES + 1)) - 1;
        cell->own = spec->own_unit >= 0 && cell->unit == spec->own_unit;
        double *v = vals + count[i];
        if (cell->own)
            fill_exact(cell, v, n);
        else if (spec->epsilon > 0)
            fill_noised(cell, v, n, spec, eps);
        else if (n < spec->k)
            suppress(cell);
        else
            fill_exact(cell, v, n);
    }
    *out = r;
    r = NULL;
    rc = 0;
out_free:
    if (rc == KITH_ENOMEM)
        kith_err(err, rc, "out of memory comparing units");
    compare_result_free(r);
    free(st);
    free(count);
    free(vals);
    free(fill);
    return rc;
}
