/*
 * deals_flow.c - how deals move (engine/deals.h, docs/deals.md): stage-to-stage conversion and
 * days in stage from the deals' stage history, the sales cycle from creation to close, quota
 * attainment per owner and period, and the management chains the analyses roll up through.
 * Pure: it reads the arrays it is given.
 */
#include "engine/deals.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/quantile.h"
#include "util/alloc.h"

#include "util/banned.h"

/* A duration filed under a cell (group x stage, or group x outcome). */
struct span {
    size_t cell;
    int64_t ms;
};

static int span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    if (x->cell != y->cell)
        return x->cell < y->cell ? -1 : 1;
    return (x->ms > y->ms) - (x->ms < y->ms);
}

struct spans {
    struct span *v;
    size_t n, cap;
};

static int span_add(struct spans *s, size_t cell, int64_t ms)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        struct span *v = alloc_array_grow(s->v, cap, sizeof(*v));
        if (!v)
            return KITH_ENOMEM;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (struct span){cell, ms};
    return 0;
}

/*
 * Sorts s and calls back once per cell with its sorted durations: the median (type 7) and mean
 * in days through *median and *mean. ms is reused as scratch.
 */
static void span_stats(struct spans *s, int64_t *ms,
                       void (*put)(void *ctx, size_t cell, size_t n, double median, double mean),
                       void *ctx)
{
    qsort(s->v, s->n, sizeof(*s->v), span_cmp);
    for (size_t i = 0; i < s->n;) {
        size_t j = i;
        double sum = 0;
        while (j < s->n && s->v[j].cell == s->v[i].cell) {
            ms[j - i] = s->v[j].ms;
            sum += (double)s->v[j].ms;
            j++;
        }
        const size_t k = j - i;
        put(ctx, s->v[i].cell, k, quantile_sorted_i64(ms, k, 1, 2) / DEALS_DAY_MS,
            sum / (double)k / DEALS_DAY_MS);
        i = j;
    }
}

static void put_stay(void *ctx, size_t cell, size_t n, double median, double mean)
{
    (void)mean;
    struct deals_conv_cell *c = &((struct deals_conv_cell *)ctx)[cell];
    c->stays = (int64_t)n;
    c->median_days = median;
}

static void put_cycle(void *ctx, size_t cell, size_t n, double median, double mean)
{
    struct deals_cycle **out = ctx; /* won, lost */
    struct deals_cycle *c = &out[cell % 2][cell / 2];
    c->n = (int64_t)n;
    c->median_days = median;
    c->mean_days = mean;
}

/* The history of one deal, counted into the cells of group g. */
static void count_history(const struct deal_data *d, const struct deal_rec *x,
                          struct deals_conv_cell *cells, size_t *first, int64_t *maxpos,
                          bool *won_after)
{
    const struct deal_change_rec *c = &d->changes[x->change0];
    const size_t m = x->nchanges;
    /* maxpos[k]: the highest position of a stage that is not lost entered at k or later;
     * won_after[k]: a won stage entered at k or later */
    for (size_t k = m; k-- > 0;) {
        const struct deal_stage_rec *s = &d->stages[c[k].to];
        const int64_t pos = s->kind == DEAL_LOST ? INT64_MIN : s->position;
        maxpos[k] = k + 1 < m && maxpos[k + 1] > pos ? maxpos[k + 1] : pos;
        won_after[k] = s->kind == DEAL_WON || (k + 1 < m && won_after[k + 1]);
    }
    for (size_t s = 0; s < d->nstages; s++)
        first[s] = DEALS_NONE;
    for (size_t k = 0; k < m; k++)
        if (first[c[k].to] == DEALS_NONE)
            first[c[k].to] = k;
    for (size_t s = 0; s < d->nstages; s++) {
        const size_t k = first[s];
        if (k == DEALS_NONE || d->stages[s].kind != DEAL_OPEN)
            continue;
        cells[s].reached++;
        cells[s].advanced += k + 1 < m && maxpos[k + 1] > d->stages[s].position;
        cells[s].won += k + 1 < m && won_after[k + 1];
    }
}

int deals_conversion(const struct deal_item *it, size_t n, const struct deal_data *d,
                     const struct deals_window *created, const struct deals_window *closed,
                     struct deals_conv_cell *cells, struct deals_cycle *won,
                     struct deals_cycle *lost, size_t ngroups, struct kith_error *err)
{
    const size_t ns = d->nstages;
    memset(cells, 0, ngroups * ns * sizeof(*cells));
    memset(won, 0, ngroups * sizeof(*won));
    memset(lost, 0, ngroups * sizeof(*lost));
    for (size_t g = 0; g < ngroups * ns; g++)
        cells[g].median_days = NAN;
    for (size_t g = 0; g < ngroups; g++)
        won[g].median_days = won[g].mean_days = lost[g].median_days = lost[g].mean_days = NAN;
    size_t longest = 0;
    for (size_t i = 0; i < d->n; i++)
        longest = d->deals[i].nchanges > longest ? d->deals[i].nchanges : longest;
    struct spans stays = {0}, cycles = {0};
    size_t *first = alloc_array_grow(NULL, ns ? ns : 1, sizeof(*first));
    int64_t *maxpos = alloc_array_grow(NULL, longest ? longest : 1, sizeof(*maxpos));
    bool *won_after = alloc_array_grow(NULL, longest ? longest : 1, sizeof(*won_after));
    int rc = first && maxpos && won_after ? 0 : KITH_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct deal_rec *x = &d->deals[it[i].deal];
        struct deals_conv_cell *g = &cells[it[i].group * ns];
        if (deals_in_window(x->created_at, created)) {
            count_history(d, x, g, first, maxpos, won_after);
            const struct deal_change_rec *c = &d->changes[x->change0];
            for (size_t k = 0; rc == 0 && k + 1 < x->nchanges; k++)
                if (d->stages[c[k].to].kind == DEAL_OPEN)
                    rc = span_add(&stays, it[i].group * ns + c[k].to, c[k + 1].at - c[k].at);
        }
        if (rc == 0 && deals_closed_in(&it[i], closed) && it[i].has_closed &&
            it[i].closed_at >= it[i].created_at)
            rc = span_add(&cycles, it[i].group * 2 + (it[i].outcome == DEAL_LOST),
                          it[i].closed_at - it[i].created_at);
    }
    int64_t *scratch = NULL;
    if (rc == 0) {
        const size_t most = stays.n > cycles.n ? stays.n : cycles.n;
        scratch = alloc_array_grow(NULL, most ? most : 1, sizeof(*scratch));
        rc = scratch ? 0 : KITH_ENOMEM;
    }
    if (rc == 0) {
        struct deals_cycle *both[2] = {won, lost};
        span_stats(&stays, scratch, put_stay, cells);
        span_stats(&cycles, scratch, put_cycle, both);
    }
    free(scratch);
    free(stays.v);
    free(cycles.v);
    free(first);
    free(maxpos);
    free(won_after);
    return rc ? kith_err(err, rc, "out of memory following %zu deals' stages", d->n) : 0;
}

/* ---- management chains -------------------------------------------------------------------- */

void deals_org_release(struct deals_org *org)
{
    free(org->above0);
    free(org->above);
    free(org->manages);
    free(org->cycle0);
    free(org->cycle);
    memset(org, 0, sizeof(*org));
}

/* The cycles of the manager graph (each user has at most one manager): colour 1 marks the
 * current walk, 2 a user whose chain is known. */
static int find_cycles(const size_t *manager, size_t n, struct deals_org *org)
{
    unsigned char *colour = alloc_array_zero(n ? n : 1, 1);
    size_t ncyc = 0, nmem = 0;
    org->cycle0 = alloc_array_grow(NULL, n + 1, sizeof(*org->cycle0));
    org->cycle = alloc_array_grow(NULL, n ? n : 1, sizeof(*org->cycle));
    if (!colour || !org->cycle0 || !org->cycle) {
        free(colour);
        return KITH_ENOMEM;
    }
    org->cycle0[0] = 0;
    for (size_t u = 0; u < n; u++) {
        size_t v = u;
        while (v != DEALS_NONE && !colour[v]) {
            colour[v] = 1;
            v = manager[v];
        }
        if (v != DEALS_NONE && colour[v] == 1) { /* a new cycle through v */
            size_t lo = v, w = v;
            do {
                lo = w < lo ? w : lo;
                w = manager[w];
            } while (w != v);
            w = lo;
            do {
                org->cycle[nmem++] = w;
                w = manager[w];
            } while (w != lo);
            org->cycle0[++ncyc] = nmem;
        }
        for (v = u; v != DEALS_NONE && colour[v] == 1; v = manager[v])
            colour[v] = 2;
    }
    org->ncycles = ncyc;
    free(colour);
    return 0;
}

int deals_org_build(const size_t *manager, size_t n, struct deals_org *org, struct kith_error *err)
{
    memset(org, 0, sizeof(*org));
    org->n = n;
    org->above0 = alloc_array_grow(NULL, n + 1, sizeof(*org->above0));
    org->manages = alloc_array_zero(n ? n : 1, sizeof(*org->manages));
    size_t *mark = alloc_array_zero(n ? n : 1, sizeof(*mark));
    size_t cap = n ? n : 1, len = 0;
    org->above = alloc_array_grow(NULL, cap, sizeof(*org->above));
    int rc = org->above0 && org->manages && mark && org->above ? 0 : KITH_ENOMEM;
    for (size_t u = 0; rc == 0 && u < n; u++) {
        if (manager[u] != DEALS_NONE)
            org->manages[manager[u]] = true;
        org->above0[u] = len;
        mark[u] = u + 1;
        for (size_t v = manager[u]; v != DEALS_NONE && mark[v] != u + 1; v = manager[v]) {
            mark[v] = u + 1;
            if (len == cap) {
                if (cap >= DEALS_ORG_MAX) {
                    rc = KITH_ERANGE;
                    break;
                }
                size_t *p = alloc_array_grow(org->above, cap * 2, sizeof(*p));
                if (!p) {
                    rc = KITH_ENOMEM;
                    break;
                }
                org->above = p;
                cap *= 2;
            }
            org->above[len++] = v;
        }
    }
    if (rc == 0) {
        org->above0[n] = len;
        rc = find_cycles(manager, n, org);
    }
    free(mark);
    if (rc) {
        deals_org_release(org);
        return rc == KITH_ERANGE
                   ? kith_err(err, rc,
                              "the management chains of %zu users are too long to follow"
                              " (more than %zu links in all)",
                              n, DEALS_ORG_MAX)
                   : kith_err(err, rc, "out of memory following the managers of %zu users", n);
    }
    return 0;
}

/* ---- quotas ------------------------------------------------------------------------------- */

int deals_quota_attainment(const struct deal_item *it, size_t n, size_t ngroups,
                           struct deals_quota_won *q, size_t nq, struct kith_error *err)
{
    /* the won items by group (a counting sort of their indexes) */
    size_t *start = alloc_array_zero(ngroups + 1, sizeof(*start));
    size_t *order = alloc_array_grow(NULL, n ? n : 1, sizeof(*order));
    if (!start || !order) {
        free(start);
        free(order);
        return kith_err(err, KITH_ENOMEM, "out of memory adding up won deals for %zu quotas", nq);
    }
    for (size_t i = 0; i < n; i++)
        if (it[i].outcome == DEAL_WON && it[i].has_closed)
            start[it[i].group + 1]++;
    for (size_t g = 0; g < ngroups; g++)
        start[g + 1] += start[g];
    for (size_t i = 0; i < n; i++)
        if (it[i].outcome == DEAL_WON && it[i].has_closed)
            order[start[it[i].group]++] = i;
    for (size_t g = ngroups; g > 0; g--) /* back to the starts */
        start[g] = start[g - 1];
    start[0] = 0;
    for (size_t k = 0; k < nq; k++) {
        q[k].won = q[k].won_amount = 0;
        if (q[k].owner >= ngroups)
            continue;
        const struct deals_window w = {true, true, q[k].start, q[k].end};
        for (size_t j = start[q[k].owner]; j < start[q[k].owner + 1]; j++) {
            const struct deal_item *x = &it[order[j]];
            if (deals_in_window(x->closed_at, &w)) {
                q[k].won++;
                q[k].won_amount += x->amount;
            }
        }
    }
    free(start);
    free(order);
    return 0;
}
