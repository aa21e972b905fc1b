/*
 * v2t2_walk.c - V2T2 over the RV snapshot (engine/v2t2.h): the channel agent of each
 * interaction, every relationship's delivered tones per phase and agent, its zone from the
 * customer's point of view (over the snapshot's orders) and its discord. docs/v2t2.md.
 */
#include "engine/v2t2.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/par.h"

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

/* What the inner loop looks up, hoisted out of it: each type's phase (-1: none), each user's
 * partner flag and team. */
struct lookups {
    int8_t *phase;
    uint8_t *partner;
};

static int lookups_make(const struct rv_snapshot *s, const struct v2t2_catalog *cat,
                        struct lookups *l, struct kith_error *err)
{
    l->phase = alloc_array(s->ntypes ? s->ntypes : 1, sizeof(*l->phase));
    l->partner = alloc_array_zero(s->users.n ? s->users.n : 1, 1);
    if (!l->phase || !l->partner) {
        free(l->phase);
        free(l->partner);
        return kith_err(err, KITH_ENOMEM, "out of memory for the catalogue's phases");
    }
    for (size_t k = 0; k < s->ntypes; k++) {
        const int ph = s->types[k].phase;
        l->phase[k] = (int8_t)(ph >= 0 && ph < RV_NSTAGES ? ph : -1);
    }
    for (size_t u = 0; u < s->users.n; u++) {
        const int32_t unit = s->users.unit[u];
        l->partner[u] =
            cat->partner && unit >= 0 && (size_t)unit < s->units.n && cat->partner[unit];
    }
    return 0;
}

static void lookups_free(struct lookups *l)
{
    free(l->phase);
    free(l->partner);
}

/* The cells of customer k (its contacts in g); returns its counted interactions. The agent rule
 * is v2t2_agent_of()'s, with the contact's owner and team and the users' flags hoisted. */
static uint32_t customer_cells(const struct rv_snapshot *s, const struct v2t2_catalog *cat,
                               const struct lookups *l, const struct v2t2_window *w,
                               const struct by_customer *g, size_t k, struct v2t2_cells *cells)
{
    const bool bounded = w->from != RV_TIME_MIN || w->to != RV_TIME_MAX;
    uint32_t total = 0;
    memset(cells, 0, sizeof(*cells));
    for (uint32_t j = g->first[k]; j < g->first[k + 1]; j++) {
        const size_t c = g->list[j];
        const int32_t owner = s->owner[c], team = s->team[c];
        for (size_t i = rv_run_begin(s, c), e = rv_run_end(s, c); i < e; i++) {
            if (s->flags[i] & RV_EXCLUDED)
                continue;
            if (bounded && (s->t[i] < w->from || s->t[i] >= w->to))
                continue;
            const int16_t ty = s->type[i];
            if (ty < 0)
                continue;
            const int ph = l->phase[ty];
            if (ph < 0)
                continue;
            const int32_t u = s->rep[i];
            int a;
            if (u < 0)
                a = V2T2_AGENT_SELF;
            else if (l->partner[u])
                a = V2T2_AGENT_PARTNER;
            else if (u == owner)
                a = V2T2_AGENT_REP;
            else if (team >= 0 && s->users.team[u] == team)
                a = V2T2_AGENT_TEAM;
            else
                a = V2T2_AGENT_UNIT;
            struct v2t2_cell *cell = &cells->c[ph][a];
            cell->n++;
            cell->touch += cat->touch[ty];
            cell->tech += cat->tech[ty];
            total++;
        }
    }
    for (int ph = 0; total && ph < RV_NSTAGES; ph++)
        for (int a = 0; a < V2T2_NAGENTS; a++) {
            struct v2t2_cell *cell = &cells->c[ph][a];
            if (cell->n) {
                cell->touch /= cell->n;
                cell->tech /= cell->n;
            }
        }
    return total;
}

int v2t2_walk(const struct rv_snapshot *s, const struct v2t2_catalog *cat,
              const struct v2t2_window *w, v2t2_customer_fn fn, void *ctx, struct kith_error *err)
{
    struct by_customer g;
    struct lookups l;
    int rc = group_contacts(s, w->mask, &g, err);
    if (rc < 0)
        return rc;
    if ((rc = lookups_make(s, cat, &l, err)) < 0) {
        free(g.first);
        free(g.list);
        return rc;
    }
    struct v2t2_cells cells;
    for (size_t k = 0; k < g.n && rc == 0; k++)
        if (g.first[k] != g.first[k + 1] && customer_cells(s, cat, &l, w, &g, k, &cells))
            rc = fn(ctx, k, &cells);
    lookups_free(&l);
    free(g.first);
    free(g.list);
    return rc;
}

/* ---- the customer's zone ---------------------------------------------------------------- */

/* The k-th smallest of v[0..n) (k < n); reorders v so that v[0..k) <= v[k] <= v[k+1..n).
 * Hoare's selection, O(n) on average. */
static double select_kth(double *v, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1;
    const ptrdiff_t kk = (ptrdiff_t)k;
    while (lo < hi) {
        const double pivot = v[lo + (hi - lo) / 2];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                const double x = v[i];
                v[i++] = v[j];
                v[j--] = x;
            }
        }
        /* v[lo..j] <= pivot <= v[i..hi], and every element between equals the pivot */
        if (kk <= j)
            hi = j;
        else if (kk >= i)
            lo = i;
        else
            break;
    }
    return v[kk];
}

/* The median of v[0..n) (reordered); NaN when n is 0. O(n) on average. */
static double median(double *v, size_t n)
{
    if (!n)
        return NAN;
    const double upper = select_kth(v, n, n / 2);
    if (n % 2)
        return upper;
    double lower = v[0]; /* the largest of v[0 .. n/2), all <= upper */
    for (size_t i = 1; i < n / 2; i++)
        lower = v[i] > lower ? v[i] : lower;
    return (lower + upper) / 2;
}

int v2t2_customer_zones(const struct rv_snapshot *s, const struct v2t2_zone_spec *spec,
                        struct v2t2_place **zones, struct kith_error *err)
{
    const size_t ncust = s->nacct + s->nc;
    *zones = NULL;
    if (!spec->cfg || !spec->cfg->set)
        return kith_err(err, KITH_EINVAL, "no thresholds to place the customers by");
    struct v2t2_place *z = alloc_array_zero(ncust ? ncust : 1, sizeof(*z));
    uint32_t *first = alloc_array_zero(ncust + 1, sizeof(*first));
    uint32_t *refs = alloc_array(s->norders ? s->norders : 1, sizeof(*refs));
    double *amounts = alloc_array(s->norders ? s->norders : 1, sizeof(*amounts));
    int rc = 0;
    if (!z || !first || !refs || !amounts) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory placing %zu customers", ncust);
        goto out;
    }
    /* the orders that count, by customer (counting sort), and the span they cover */
    size_t n = 0;
    int32_t lo = RV_TIME_MAX, hi = RV_TIME_MIN;
    /* a purchase is a sale: returns and credits (a negative amount) are not subjects */
    for (size_t o = 0; o < s->norders; o++) {
        const size_t k = rv_customer_of_order(s, o);
        if (k == SIZE_MAX || s->o_t[o] >= spec->as_of || s->o_amount[o] < 0)
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
        if (k == SIZE_MAX || s->o_t[o] >= spec->as_of || s->o_amount[o] < 0)
            continue;
        refs[first[k]++] = (uint32_t)o; /* in order of o: ties in time go to the later o */
    }
    for (size_t k = ncust; k > 0; k--)
        first[k] = first[k - 1];
    first[0] = 0;
    const double everyone = median(amounts, n); /* the usual order of any customer */
    const int32_t end = spec->as_of != RV_TIME_MAX ? spec->as_of : hi;
    const double span = n ? (double)end - (double)lo : 0;
    for (size_t k = 0; k < ncust; k++) {
        const uint32_t m = first[k + 1] - first[k];
        if (!m)
            continue;
        const struct v2t2_thresholds *th = v2t2_config_of(spec->cfg, k);
        if (!(th->period_days > 0)) {
            rc = kith_err(err, KITH_EINVAL, "the period must be positive days");
            goto out;
        }
        double periods = span / (th->period_days * RV_DAY);
        if (!(periods >= 1))
            periods = 1;
        const uint32_t *r = refs + first[k];
        uint32_t last = 0; /* the latest: by time, then by position */
        for (uint32_t j = 1; j < m; j++)
            if (s->o_t[r[j]] >= s->o_t[r[last]])
                last = j;
        size_t e = 0;
        for (uint32_t j = 0; j < m; j++)
            if (j != last)
                amounts[e++] = (double)s->o_amount[r[j]];
        const double base = e ? median(amounts, e) : everyone;
        z[k] = v2t2_place((double)s->o_amount[r[last]], base, m / periods,
                          th->value[V2T2_POV_CUSTOMER], th->volume);
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

struct discord_job {
    const struct rv_snapshot *s;
    const struct v2t2_catalog *cat;
    const struct lookups *l;
    const struct v2t2_window *w;
    const struct by_customer *g;
    const struct v2t2_place *zones;
    const struct v2t2_config *cfg;
    int phase;
    size_t from, to; /* customers */
    double *out;
};

static void *discord_range(void *arg)
{
    const struct discord_job *j = arg;
    struct v2t2_cells cells;
    for (size_t k = j->from; k < j->to; k++) {
        if (j->g->first[k] == j->g->first[k + 1] || j->zones[k].zone == V2T2_NONE ||
            !customer_cells(j->s, j->cat, j->l, j->w, j->g, k, &cells))
            continue;
        j->out[k] = v2t2_relationship_discord(j->zones[k].zone, &cells, j->phase,
                                              &v2t2_config_of(j->cfg, k)->tone);
    }
    return NULL;
}

int v2t2_customer_discord(const struct rv_snapshot *s, const struct v2t2_catalog *cat,
                          const struct v2t2_window *w, const struct v2t2_zone_spec *zspec,
                          int phase, unsigned nthreads, double **out, struct kith_error *err)
{
    const size_t ncust = s->nacct + s->nc;
    *out = NULL;
    if (nthreads < 1 || nthreads > PAR_MAX)
        return kith_err(err, KITH_EINVAL, "threads must be 1..%d", PAR_MAX);
    struct v2t2_place *zones;
    int rc = v2t2_customer_zones(s, zspec, &zones, err);
    if (rc < 0)
        return rc;
    struct by_customer g;
    struct lookups l;
    double *d = alloc_array(ncust ? ncust : 1, sizeof(*d));
    if (!d) {
        free(zones);
        return kith_err(err, KITH_ENOMEM, "out of memory for %zu customers' discord", ncust);
    }
    for (size_t k = 0; k < ncust; k++)
        d[k] = NAN;
    if ((rc = group_contacts(s, w->mask, &g, err)) < 0) {
        free(zones);
        free(d);
        return rc;
    }
    if ((rc = lookups_make(s, cat, &l, err)) < 0)
        goto out;
    /* ranges of about equal numbers of contacts */
    struct discord_job jobs[PAR_MAX];
    const size_t per = (g.first[g.n] + nthreads - 1) / nthreads;
    size_t k = 0;
    for (unsigned t = 0; t < nthreads; t++) {
        const size_t from = k;
        while (k < g.n && (t + 1 == nthreads || g.first[k] < per * (t + 1)))
            k++;
        jobs[t] = (struct discord_job){s, cat, &l, w, &g, zones, zspec->cfg, phase, from, k, d};
    }
    jobs[nthreads - 1].to = g.n;
    par_run(nthreads, discord_range, jobs, sizeof(jobs[0]));
    lookups_free(&l);
out:
    free(zones);
    free(g.first);
    free(g.list);
    if (rc < 0) {
        free(d);
        return rc;
    }
    *out = d;
    return 0;
}
