/*
 * scorecard.c - rep scorecards: one pass over the interactions for RV, cost and counts, one over
 * customers (accounts and their contacts) for the outcomes, then percentiles within each team.
 */
#include "engine/scorecard.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/quantile.h"

#include "util/alloc.h"

#include "util/banned.h"

static bool in_period(const struct scorecard_spec *spec, int32_t t)
{
    return (!spec->from_ms || t >= rv_time_from_ms(spec->from_ms)) &&
           (!spec->to_ms || t < rv_time_from_ms(spec->to_ms));
}

/* Contacts grouped by customer: accounts first, then each contact without an account. */
static int customers(const struct rv_snapshot *s, uint32_t **off_out, uint32_t **list_out)
{
    size_t nent = s->nacct + s->nc;
    uint32_t *off = alloc_array_zero(nent + 1, sizeof(*off));
    uint32_t *list = alloc_array(s->nc, sizeof(*list));
    if (!off || !list) {
        free(off);
        free(list);
        return KITH_ENOMEM;
    }
    for (size_t c = 0; c < s->nc; c++)
        off[rv_customer_of_contact(s, c) + 1]++;
    for (size_t e = 0; e < nent; e++)
        off[e + 1] += off[e];
    uint32_t *fill = alloc_array_zero(nent + 1, sizeof(*fill));
    if (!fill) {
        free(off);
        free(list);
        return KITH_ENOMEM;
    }
    for (size_t c = 0; c < s->nc; c++) {
        size_t e = rv_customer_of_contact(s, c);
        list[off[e] + fill[e]++] = (uint32_t)c;
    }
    free(fill);
    *off_out = off;
    *list_out = list;
    return 0;
}

/* The percentile of each rep's value among the reps of its team, by vals[] (NaN: left out). */
static int team_percentiles(struct scorecard_rep *rows, size_t n, const double *vals, size_t nteams,
                            bool per_cost)
{
    double *buf = alloc_array(n, sizeof(*buf));
    if (!buf)
        return KITH_ENOMEM;
    for (size_t t = 0; t <= nteams; t++) { /* t == nteams: reps without a team */
        int32_t team = t == nteams ? -1 : (int32_t)t;
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (rows[i].team == team && !isnan(vals[i]))
                buf[m++] = vals[i];
        if (!m)
            continue;
        quantile_sort(buf, m);
        for (size_t i = 0; i < n; i++) {
            if (rows[i].team != team)
                continue;
            float p = isnan(vals[i]) ? NAN : (float)quantile_rank(buf, m, vals[i]);
            if (per_cost) {
                rows[i].team_percentile_per_cost = p;
            } else {
                rows[i].team_percentile = p;
                rows[i].team_size = (uint32_t)m;
            }
        }
    }
    free(buf);
    return 0;
}

int scorecard_compute(const struct rv_snapshot *s, const struct scorecard_spec *spec,
                      struct scorecard_rep **out, size_t *n, struct kith_error *err)
{
    *out = NULL;
    *n = 0;
    size_t nu = s->users.n, nent = s->nacct + s->nc;
    struct scorecard_rep *all = alloc_array_zero(nu, sizeof(*all));
    int64_t *stamp_c = alloc_array(nu, sizeof(*stamp_c));
    int64_t *stamp_e = alloc_array(nu, sizeof(*stamp_e));
    uint32_t *eorders = alloc_array_zero(nent, sizeof(*eorders));
    int64_t *erevenue = alloc_array_zero(nent, sizeof(*erevenue));
    int64_t *emargin = alloc_array_zero(nent, sizeof(*emargin));
    uint32_t *off = NULL, *list = NULL;
    double *vals = NULL;
    int rc = KITH_ENOMEM;
    if (!all || !stamp_c || !stamp_e || !eorders || !erevenue || !emargin ||
        customers(s, &off, &list) < 0)
        goto out_free;
    for (size_t u = 0; u < nu; u++) {
        all[u].rep = (int32_t)u;
        all[u].team = s->users.team[u];
        stamp_c[u] = stamp_e[u] = -1;
    }
    for (size_t o = 0; o < s->norders; o++) {
        size_t e = rv_customer_of_order(s, o);
        if (!in_period(spec, s->o_t[o]) || e == SIZE_MAX)
            continue;
        eorders[e]++;
        erevenue[e] += s->o_amount[o];
        emargin[e] += s->o_margin[o];
    }
    /* customer by customer, so that one stamp per rep tells whether it was counted already */
    for (size_t e = 0; e < nent; e++) {
        for (uint32_t k = off[e]; k < off[e + 1]; k++) {
            size_t c = list[k];
            if (!rv_mask_has(spec->visible, c))
                continue;
            for (size_t i = rv_run_begin(s, c); i < rv_run_end(s, c); i++) {
                int32_t r = s->rep[i];
                if (r < 0 || !rv_counts(s, i) || !in_period(spec, s->t[i]))
                    continue;
                struct scorecard_rep *row = &all[r];
                row->rv += s->rv[i];
                row->cost += s->cost[i];
                row->interactions++;
                if (stamp_c[r] != (int64_t)c) {
                    stamp_c[r] = (int64_t)c;
                    row->contacts++;
                }
                if (stamp_e[r] != (int64_t)e) {
                    stamp_e[r] = (int64_t)e;
                    row->customers++;
                    row->orders += eorders[e];
                    row->revenue += erevenue[e];
                    row->margin += emargin[e];
                }
            }
        }
    }
    size_t m = 0;
    for (size_t u = 0; u < nu; u++) {
        if (!all[u].interactions || (spec->team >= 0 && all[u].team != spec->team))
            continue;
        all[u].rv_per_cost = all[u].cost ? (double)all[u].rv / ((double)all[u].cost / 100.0) : NAN;
        all[m++] = all[u];
    }
    /* percentiles among the reps of each team that are listed */
    if (!(vals = alloc_array_zero(m, sizeof(*vals))))
        goto out_free;
    for (size_t i = 0; i < m; i++)
        vals[i] = (double)all[i].rv;
    if (team_percentiles(all, m, vals, s->teams.n, false) < 0)
        goto out_free;
    for (size_t i = 0; i < m; i++)
        vals[i] = all[i].rv_per_cost;
    if (team_percentiles(all, m, vals, s->teams.n, true) < 0)
        goto out_free;
    *out = all;
    *n = m;
    all = NULL;
    rc = 0;
out_free:
    if (rc < 0)
        kith_err(err, rc, "out of memory computing scorecards");
    free(all);
    free(stamp_c);
    free(stamp_e);
    free(eorders);
    free(erevenue);
    free(emargin);
    free(off);
    free(list);
    free(vals);
    return rc;
}
