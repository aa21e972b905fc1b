/*
 * deals.h - win rate and pipeline over deals (docs/deals.md), on plain arrays: no I/O. The
 * analysis (analysis/deals.c) turns each deal (by product: each line of a deal) into a struct
 * deal_item that names its group and stage; these functions add the items up per group.
 */
#ifndef KITH_ENGINE_DEALS_H
#define KITH_ENGINE_DEALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/deal_data.h"

#define DEALS_WILSON_Z 1.959963984540054 /* the 97.5% normal quantile: a 95% interval */

struct deal_item {
    size_t group; /* < ngroups */
    size_t stage; /* < nstages */
    enum deal_outcome outcome;
    int64_t amount;     /* cents */
    double probability; /* 0..1 */
    bool has_closed;
    int64_t closed_at; /* Unix ms, when has_closed */
};

/* A close window [from, to); a bound not given is open. */
struct deals_window {
    bool has_from, has_to;
    int64_t from, to; /* Unix ms */
};

struct deals_winrate {
    int64_t won, lost;
    int64_t won_amount, lost_amount; /* cents */
    double rate;                     /* won / (won + lost); NaN when nothing closed */
    double lo, hi;                   /* Wilson 95% interval; NaN when nothing closed */
};

struct deals_pipe {
    int64_t count;
    int64_t amount;  /* cents */
    double weighted; /* cents: the sum of amount x probability */
};

/*
 * The Wilson score interval of k successes in n trials at z: [lo, hi] within [0, 1]. NaN both
 * when n is 0.
 */
void deals_wilson(int64_t k, int64_t n, double z, double *lo, double *hi);

/* Whether item it counts as closed in w: won or lost, closed in [from, to) (a closed item
 * without a close time counts only when w is unbounded). */
bool deals_closed_in(const struct deal_item *it, const struct deals_window *w);

/* Adds the closed items of it[0..n) in w into out[0..ngroups) (zeroed first) and fills rate and
 * interval. */
void deals_winrate(const struct deal_item *it, size_t n, const struct deals_window *w,
                   struct deals_winrate *out, size_t ngroups);

/* Adds the open items of it[0..n) into out[0..ngroups) and, when by_stage is not NULL, into
 * by_stage[group * nstages + stage] (all zeroed first). */
void deals_pipeline(const struct deal_item *it, size_t n, struct deals_pipe *out, size_t ngroups,
                    struct deals_pipe *by_stage, size_t nstages);

#endif
