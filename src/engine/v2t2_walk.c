/*
 * v2t2_walk.c - V2T2 over the RV snapshot (engine/v2t2.h): the channel agent of each
 * interaction, every relationship's delivered tones per phase and agent, its zone from the
 * customer's point of view (over the snapshot's orders) and its discord. docs/v2t2.md.
 */
#include "engine/v2t2.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

int v2t2_agent_of(const struct rv_snapshot *s, const struct v2t2_catalog *cat, size_t c, size_t i)
{
    const int32_t u = s->rep[i];
    if (u < 0 || (size_t)u >= s->users.n)
        return V2T2_AGENT_SELF;
    const int32_t unit = s->users.unit[u];
    if (cat->partner && unit >= 0 && (size_t)unit < s->units.n && cat->partner[unit])
        return V2T2_AGENT_PARTNER;
    if (u == s->owner[c])
        return V2T2_AGENT_REP;
    if (s->users.team[u] >= 0 && s->users.team[u] == s->team[c])
        return V2T2_AGENT_TEAM;
    return V2T2_AGENT_UNIT;
}

/* Customers -> their contacts in w's mask (CSR): contacts of customer k are
 * list[first[k] .. first[k + 1]). */
struct by_customer {
    size_t n;
    uint32_t *first, *list;
};

static int group_contacts(const struct rv_snapshot *s, const struct rv_mask *mask,
                          struct by_customer *g, struct kith_error *err)
{
    g->n = s->nacct + s->nc;
    g->first = alloc_array_zero(g->n + 1, sizeof(*g->first));
    g->list = alloc_array(s->nc ? s->nc : 1, sizeof(*g->list));
    if (!g->first || !g->list) {
        free(g->first);
        free(g->list);
        return kith_err(err, KITH_ENOMEM, "out of memory grouping %zu contacts by customer", s->nc);
    }
    for (size_t c = 0; c < s->nc; c++)
        if (rv_mask_has(mask, c))
            g->first[rv_customer_of_contact(s, c) + 1]++;
    for (size_t k = 0; k < g->n; k++)
        g->first[k + 1] += g->first[k];
    for (size_t c = 0; c < s->nc; c++)
        if (rv_mask_has(mask, c))
            g->list[g->first[rv_customer_of_contact(s, c)]++] = (uint32_t)c;
    for (size_t k = g->n; k > 0; k--) /* the fill moved each start to the next's */
        g->first[k] = g->first[k - 1];
    g->first[0] = 0;
    return 0;
}

int v2t2_walk(const struct rv_snapshot *s, const struct v2t2_catalog *cat,
              const struct v2t2_window *w, v2t2_customer_fn fn, void *ctx, struct kith_error *err)
{
    struct by_customer g;
    int rc = group_contacts(s, w->mask, &g, err);
    if (rc < 0)
        return rc;
    struct v2t2_cells cells;
    for (size_t k = 0; k < g.n && rc == 0; k++) {
        if (g.first[k] == g.first[k + 1])
            continue;
        memset(&cells, 0, sizeof(cells));
        uint32_t total = 0;
        for (uint32_t j = g.first[k]; j < g.first[k + 1]; j++) {
            const size_t c = g.list[j];
            for (size_t i = rv_run_begin(s, c), e = rv_run_end(s, c); i < e; i++) {
                if (!rv_counts(s, i) || s->t[i] < w->from || s->t[i] >= w->to)
                    continue;
                const int16_t ty = s->type[i];
                if (ty < 0 || (size_t)ty >= s->ntypes)
                    continue;
                const int ph = s->types[ty].phase;
                if (ph < 0 || ph >= RV_NSTAGES)
                    continue;
                struct v2t2_cell *cell = &cells.c[ph][v2t2_agent_of(s, cat, c, i)];
                cell->n++;
                cell->touch += cat->touch[ty];
                cell->tech += cat->tech[ty];
                total++;
            }
        }
        if (!total)
            continue;
        for (int ph = 0; ph < RV_NSTAGES; ph++)
            for (int a = 0; a < V2T2_NAGENTS; a++) {
                struct v2t2_cell *cell = &cells.c[ph][a];
                if (cell->n) {
                    cell->touch /= cell->n;
                    cell->tech /= cell->n;
                }
            }
        rc = fn(ctx, k, &cells);
    }
    free(g.first);
    free(g.list);
    return rc;
}

/* ---- the customer's zone ---------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (sorted in place); NaN when n is 0. */
static double median(double *v, size_t n)
{
    if (!n)
        return NAN;
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct order_ref {
    int32_t t;
    uint32_t o;
};

static int cmp_order(const void *a, const void *b)
{
    const struct order_ref *x = a, *y = b;
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    return (x->o > y->o) - (x->o < y->o);
}

int v2t2_customer_zones(const struct rv_snapshot *s, const struct v2t2_zone_spec *spec,
                        struct v2t2_place **zones, struct kith_error *err)
{
    const size_t ncust = s->nacct + s->nc;
    *zones = NULL;
    if (!(spec->period_days > 0))
        return kith_err(err, KITH_EINVAL, "the period must be positive days");
    struct v2t2_place *z = alloc_array_zero(ncust ? ncust : 1, sizeof(*z));
    uint32_t *first = alloc_array_zero(ncust + 1, sizeof(*first));
    struct order_ref *refs = alloc_array(s->norders ? s->norders : 1, sizeof(*refs));
    double *amounts = alloc_array(s->norders ? s->norders : 1, sizeof(*amounts));
    int rc = 0;
    if (!z || !first || !refs || !amounts) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory placing %zu customers", ncust);
        goto out;
    }
    /* the orders that count, by customer (counting sort), and the span they cover */
    size_t n = 0;
    int32_t lo = RV_TIME_MAX, hi = RV_TIME_MIN;
    for (size_t o = 0; o < s->norders; o++) {
        const size_t k = rv_customer_of_order(s, o);
        if (k == SIZE_MAX || s->o_t[o] >= spec->as_of)
            continue;
        first[k + 1]++;
        amounts[n++] = (double)s->o_amount[o];
        lo = s->o_t[o] < lo ? s->o_t[o] : lo;
        hi = s->o_t[o] > hi ? s->o_t[o] : hi;
    }
    for (size_t k = 0; k < ncust; k++)
        first[k + 1] += first[k];
    for (size_t o = 0; o < s->norders; o++) {
        const size_t k = rv_customer_of_order(s, o);
        if (k == SIZE_MAX || s->o_t[o] >= spec->as_of)
            continue;
        refs[first[k]++] = (struct order_ref){s->o_t[o], (uint32_t)o};
    }
    for (size_t k = ncust; k > 0; k--)
        first[k] = first[k - 1];
    first[0] = 0;
    const double everyone = median(amounts, n); /* the usual order of any customer */
    const int32_t end = spec->as_of != RV_TIME_MAX ? spec->as_of : hi;
    double periods = n ? ((double)end - (double)lo) / (spec->period_days * RV_DAY) : 1;
    if (!(periods >= 1))
        periods = 1;
    for (size_t k = 0; k < ncust; k++) {
        const uint32_t m = first[k + 1] - first[k];
        if (!m)
            continue;
        struct order_ref *r = refs + first[k];
        qsort(r, m, sizeof(*r), cmp_order);
        for (uint32_t j = 0; j + 1 < m; j++)
            amounts[j] = (double)s->o_amount[r[j].o];
        const double base = m > 1 ? median(amounts, m - 1) : everyone;
        z[k] = v2t2_place((double)s->o_amount[r[m - 1].o], base, m / periods, spec->value_threshold,
                          spec->volume_threshold);
    }
out:
    free(first);
    free(refs);
    free(amounts);
    if (rc < 0)
        free(z);
    else
        *zones = z;
    return rc;
}

/* ---- discord per customer ---------------------------------------------------------------- */

struct discord_ctx {
    const struct v2t2_place *zones;
    const struct v2t2_tone_thresholds *th;
    int phase;
    double *out;
};

static int discord_one(void *ctx, size_t k, const struct v2t2_cells *cells)
{
    struct discord_ctx *x = ctx;
    x->out[k] = v2t2_relationship_discord(x->zones[k].zone, cells, x->phase, x->th);
    return 0;
}

int v2t2_customer_discord(const struct rv_snapshot *s, const struct v2t2_catalog *cat,
                          const struct v2t2_window *w, const struct v2t2_zone_spec *zspec,
                          const struct v2t2_tone_thresholds *th, int phase, double **out,
                          struct kith_error *err)
{
    const size_t ncust = s->nacct + s->nc;
    *out = NULL;
    struct v2t2_place *zones;
    int rc = v2t2_customer_zones(s, zspec, &zones, err);
    if (rc < 0)
        return rc;
    double *d = alloc_array(ncust ? ncust : 1, sizeof(*d));
    if (!d) {
        free(zones);
        return kith_err(err, KITH_ENOMEM, "out of memory for %zu customers' discord", ncust);
    }
    for (size_t k = 0; k < ncust; k++)
        d[k] = NAN;
    struct discord_ctx x = {zones, th, phase, d};
    rc = v2t2_walk(s, cat, w, discord_one, &x, err);
    free(zones);
    if (rc < 0) {
        free(d);
        return rc;
    }
    *out = d;
    return 0;
}
