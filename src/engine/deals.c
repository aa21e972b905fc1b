/*
 * deals.c - win rate with its Wilson interval, and the open pipeline, per group (engine/deals.h,
 * docs/deals.md). Pure: it adds up the items it is given.
 */
#include "engine/deals.h"

#include <math.h>
#include <string.h>

#include "util/banned.h"

void deals_wilson(int64_t k, int64_t n, double z, double *lo, double *hi)
{
    if (n <= 0) {
        *lo = *hi = NAN;
        return;
    }
    const double nn = (double)n, p = (double)k / nn, z2 = z * z;
    const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
    const double half = z / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *lo = fmax(0.0, centre - half);
    *hi = fmin(1.0, centre + half);
}

static void winrate_finish(struct deals_winrate *w);

bool deals_closed_in(const struct deal_item *it, const struct deals_window *w)
{
    if (it->outcome == DEAL_OPEN)
        return false;
    if (!w->has_from && !w->has_to)
        return true;
    if (!it->has_closed)
        return false;
    return (!w->has_from || it->closed_at >= w->from) && (!w->has_to || it->closed_at < w->to);
}

void deals_winrate(const struct deal_item *it, size_t n, const struct deals_window *w,
                   struct deals_winrate *out, size_t ngroups)
{
    memset(out, 0, ngroups * sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        if (!deals_closed_in(&it[i], w))
            continue;
        struct deals_winrate *g = &out[it[i].group];
        if (it[i].outcome == DEAL_WON) {
            g->won++;
            g->won_amount += it[i].amount;
        } else {
            g->lost++;
            g->lost_amount += it[i].amount;
        }
    }
    for (size_t k = 0; k < ngroups; k++)
        winrate_finish(&out[k]);
}

void deals_pipeline(const struct deal_item *it, size_t n, struct deals_pipe *out, size_t ngroups,
                    struct deals_pipe *by_stage, size_t nstages)
{
    memset(out, 0, ngroups * sizeof(*out));
    if (by_stage)
        memset(by_stage, 0, ngroups * nstages * sizeof(*by_stage));
    for (size_t i = 0; i < n; i++) {
        if (it[i].outcome != DEAL_OPEN)
            continue;
        const double weighted = (double)it[i].amount * it[i].probability;
        struct deals_pipe *g = &out[it[i].group];
        g->count++;
        g->amount += it[i].amount;
        g->weighted += weighted;
        if (by_stage) {
            struct deals_pipe *s = &by_stage[it[i].group * nstages + it[i].stage];
            s->count++;
            s->amount += it[i].amount;
            s->weighted += weighted;
        }
    }
}

bool deals_in_window(int64_t t, const struct deals_window *w)
{
    return (!w->has_from || t >= w->from) && (!w->has_to || t < w->to);
}

static void pipe_add(struct deals_pipe *p, int64_t amount, double weighted)
{
    p->count++;
    p->amount += amount;
    p->weighted += weighted;
}

void deals_forecast(const struct deal_item *it, size_t n, const struct deals_window *q,
                    const struct deals_categories *c, struct deals_forecast *out, size_t ngroups)
{
    memset(out, 0, ngroups * sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        struct deals_forecast *g = &out[it[i].group];
        if (it[i].outcome == DEAL_WON && it[i].has_closed && deals_in_window(it[i].closed_at, q)) {
            g->won++;
            g->won_amount += it[i].amount;
            continue;
        }
        if (it[i].outcome != DEAL_OPEN || !it[i].has_expected ||
            !deals_in_window(it[i].expected_at, q))
            continue;
        const double p = it[i].probability, weighted = (double)it[i].amount * p;
        pipe_add(&g->expected, it[i].amount, weighted);
        pipe_add(p >= c->commit      ? &g->commit
                 : p >= c->best_case ? &g->best_case
                                     : &g->pipeline,
                 it[i].amount, weighted);
    }
}

static void winrate_finish(struct deals_winrate *w)
{
    const int64_t closed = w->won + w->lost;
    w->rate = closed ? (double)w->won / (double)closed : NAN;
    deals_wilson(w->won, closed, DEALS_WILSON_Z, &w->lo, &w->hi);
}

void deals_winrate_fold(const struct deals_winrate *g, size_t n, struct deals_winrate *total)
{
    memset(total, 0, sizeof(*total));
    for (size_t k = 0; k < n; k++) {
        total->won += g[k].won;
        total->lost += g[k].lost;
        total->won_amount += g[k].won_amount;
        total->lost_amount += g[k].lost_amount;
    }
    winrate_finish(total);
}

static void pipe_sum(struct deals_pipe *to, const struct deals_pipe *from)
{
    to->count += from->count;
    to->amount += from->amount;
    to->weighted += from->weighted;
}

void deals_pipeline_fold(const struct deals_pipe *g, size_t n, const struct deals_pipe *cells,
                         size_t nstages, struct deals_pipe *total, struct deals_pipe *total_cells)
{
    memset(total, 0, sizeof(*total));
    if (total_cells)
        memset(total_cells, 0, nstages * sizeof(*total_cells));
    for (size_t k = 0; k < n; k++) {
        pipe_sum(total, &g[k]);
        for (size_t s = 0; cells && total_cells && s < nstages; s++)
            pipe_sum(&total_cells[s], &cells[k * nstages + s]);
    }
}

void deals_forecast_fold(const struct deals_forecast *g, size_t n, struct deals_forecast *total)
{
    memset(total, 0, sizeof(*total));
    for (size_t k = 0; k < n; k++) {
        pipe_sum(&total->expected, &g[k].expected);
        pipe_sum(&total->commit, &g[k].commit);
        pipe_sum(&total->best_case, &g[k].best_case);
        pipe_sum(&total->pipeline, &g[k].pipeline);
        total->won += g[k].won;
        total->won_amount += g[k].won_amount;
    }
}
