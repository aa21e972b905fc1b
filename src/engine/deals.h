/*
 * deals.h - win rate, pipeline, forecast, stage conversion, sales cycle and quota attainment
 * over deals (docs/deals.md), and the management chains they roll up through, on plain arrays:
 * no I/O. The analysis (analysis/deals.c) turns each deal (by product: each line of a deal; by
 * manager: the deal once for each manager above its owner) into a struct deal_item that names
 * its group and stage; these functions add the items up per group.
 */
#ifndef KITH_ENGINE_DEALS_H
#define KITH_ENGINE_DEALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/deal_data.h"
#include "util/error.h"

#define DEALS_WILSON_Z 1.959963984540054 /* the 97.5% normal quantile: a 95% interval */

#define DEALS_NONE   ((size_t)-1)
#define DEALS_DAY_MS 86400000.0

struct deal_item {
    size_t group; /* < ngroups */
    size_t deal;  /* index in deal_data.deals */
    size_t stage; /* < nstages */
    enum deal_outcome outcome;
    int64_t amount;     /* cents */
    double probability; /* 0..1 */
    bool has_closed;
    int64_t closed_at; /* Unix ms, when has_closed */
    int64_t created_at;
    bool has_expected;
    int64_t expected_at; /* expected close, when has_expected */
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

/* The sums of g[0..n) into *total, with its rate and interval (when each item is in one
 * group, the figures of all the items). */
void deals_winrate_fold(const struct deals_winrate *g, size_t n, struct deals_winrate *total);

/* The sums of g[0..n) and of their stage cells (cells[group * nstages + stage], when not NULL)
 * into *total and total_cells. */
void deals_pipeline_fold(const struct deals_pipe *g, size_t n, const struct deals_pipe *cells,
                         size_t nstages, struct deals_pipe *total, struct deals_pipe *total_cells);

/* Whether instant t lies in w. */
bool deals_in_window(int64_t t, const struct deals_window *w);

/* ---- forecast ----------------------------------------------------------------------------- */

/* The probabilities that split the open deals of a forecast into categories. */
struct deals_categories {
    double commit;    /* probability >= commit: commit */
    double best_case; /* best_case <= probability < commit: best case; below: pipeline */
};

struct deals_forecast {
    struct deals_pipe expected; /* open, expected to close in the period */
    struct deals_pipe commit, best_case, pipeline;
    int64_t won, won_amount; /* won, closed in the period */
};

/* Adds up the forecast of period q (both bounds given) per group into out[0..ngroups). */
void deals_forecast(const struct deal_item *it, size_t n, const struct deals_window *q,
                    const struct deals_categories *c, struct deals_forecast *out, size_t ngroups);

/* The sums of g[0..n) into *total. */
void deals_forecast_fold(const struct deals_forecast *g, size_t n, struct deals_forecast *total);

/* ---- conversion and sales cycle ----------------------------------------------------------- */

/* One stage of one group. */
struct deals_conv_cell {
    int64_t reached;    /* deals whose history enters the stage */
    int64_t advanced;   /* of those, entering afterwards a later (higher) stage that is not lost */
    int64_t won;        /* of those, entering afterwards a won stage */
    int64_t stays;      /* completed stays in the stage (entered, then left) */
    double median_days; /* of those stays; NaN when none */
};

struct deals_cycle {
    int64_t n;
    double median_days, mean_days; /* creation to close; NaN when n is 0 */
};

/*
 * Over the items whose deal was created in `created`: reached, advanced, won and completed stays
 * of the open stages, from each deal's history in d (store_deal_changes_load()), into
 * cells[group * d->nstages + stage]; over the items closed in `closed` (deals_closed_in()) with
 * a close time not before their creation: the sales cycle of the won and of the lost ones per
 * group. All zeroed first. Returns 0 or KITH_ENOMEM.
 */
int deals_conversion(const struct deal_item *it, size_t n, const struct deal_data *d,
                     const struct deals_window *created, const struct deals_window *closed,
                     struct deals_conv_cell *cells, struct deals_cycle *won,
                     struct deals_cycle *lost, size_t ngroups, struct kith_error *err);

/* ---- management chains -------------------------------------------------------------------- */

#define DEALS_ORG_MAX ((size_t)1 << 26) /* entries of all chains together */

/*
 * Who is above whom: for user u (index into the caller's users), above[above0[u] ..
 * above0[u + 1]) are the managers over u, nearest first, each once: the walk up the chain stops
 * where it meets a user it has already passed, so a cycle is walked once round. manages[u] is
 * true when someone's manager is u. The cycles found are listed in cycle[cycle0[c] ..
 * cycle0[c + 1]), c < ncycles, each from its lowest index, following the managers. Owned by the
 * caller; deals_org_release() frees it.
 */
struct deals_org {
    size_t n;
    size_t *above0, *above;
    bool *manages;
    size_t *cycle0, *cycle;
    size_t ncycles;
};

/* manager[u] is the index of u's manager or DEALS_NONE. Returns 0, KITH_ENOMEM, or KITH_ERANGE
 * when the chains hold more than DEALS_ORG_MAX entries. */
int deals_org_build(const size_t *manager, size_t n, struct deals_org *org, struct kith_error *err);
void deals_org_release(struct deals_org *org);

/* ---- quotas ------------------------------------------------------------------------------- */

struct deals_quota_won {
    size_t owner;            /* the group of the items that are this quota's user's deals */
    int64_t start, end;      /* the period [start, end) */
    int64_t won, won_amount; /* out: the owner's won items closed in the period */
};

/*
 * For each quota q[0..nq): the items of group q.owner that are won and closed in its period.
 * Items are grouped by owner (ngroups owners). Returns 0 or KITH_ENOMEM.
 */
int deals_quota_attainment(const struct deal_item *it, size_t n, size_t ngroups,
                           struct deals_quota_won *q, size_t nq, struct kith_error *err);

#endif
