/*
 * deals.h - the deal analyses (issue 12 item 3, docs/deals.md), written once for both doors:
 * `kith deals winrate|pipeline|conversion|forecast|quota` and GET /api/v1/deal-stats/<analysis>.
 * One parameter table (analysis_deals); deals_run() loads the caller's deals through the store's
 * deal loaders, adds them up per group with engine/deals.h and fills a struct deals_report;
 * deals_report_json() is the one JSON of a report, deals_report_text() the CLI's table.
 */
#ifndef KITH_ANALYSIS_DEALS_H
#define KITH_ANALYSIS_DEALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/param.h"
#include "engine/deals.h"
#include "model/deal_data.h"
#include "store/store.h"

/* The analyses, in the order of analysis_deals.defs; group bit = 1 << analysis. */
enum deals_analysis {
    DEALS_WINRATE,
    DEALS_PIPELINE,
    DEALS_CONVERSION,
    DEALS_FORECAST,
    DEALS_QUOTA,
    DEALS_NANALYSES
};

/* The groupings, in the order of the table's choices. */
enum deals_by {
    DEALS_BY_OWNER,
    DEALS_BY_MANAGER, /* every manager, over the deals of everyone below them and their own */
    DEALS_BY_TEAM,
    DEALS_BY_UNIT,
    DEALS_BY_SOURCE,
    DEALS_BY_PRODUCT,
    DEALS_BY_STAGE,
    DEALS_BY_PERIOD /* winrate: the period (--period) of the close */
};
extern const char *const deals_bys[];

enum deals_period { DEALS_MONTH, DEALS_QUARTER, DEALS_YEAR };
extern const char *const deals_periods[];

/* Filled by param_defaults(&analysis_deals, p); from and to count only when param_given(). */
struct deals_params {
    struct param_head head;
    int by;       /* enum deals_by */
    int period;   /* enum deals_period, with by period */
    int64_t from; /* Unix ms */
    int64_t to;
    const char *quarter; /* forecast: "2026Q4"; NULL: the quarter of now */
    double commit;       /* forecast: the probabilities of the categories */
    double best_case;
    /* the CLI's own */
    const char *db;
    bool json;
};

extern const struct analysis_family analysis_deals;

/* The def of analysis a. */
const struct analysis_def *deals_def(enum deals_analysis a);

/* The deals (and quotas) an analysis runs over, and the time it runs at. */
struct deals_scope {
    struct store *store;
    bool scoped;          /* false: every deal and quota (the CLI, an unscoped user) */
    const int64_t *deals; /* when scoped: the ids the caller may read, ascending */
    size_t ndeals;
    const int64_t *quotas; /* when scoped: the quota ids the caller may read, ascending */
    size_t nquotas;
    int64_t now; /* Unix ms: the default quarter of a forecast */
    /*
     * When not NULL: every deal (with users, stages and lines) as store_deals_load() read it
     * beforehand, shared and read only; winrate, pipeline and forecast run on it, keeping the
     * deals in scope, instead of loading them (conversion and quota still load their own). The
     * caller keeps it alive until the report is released.
     */
    const struct deal_data *shared;
};

/* A group: an owner, manager, team, unit, product or stage (id, name), a source (name) or a
 * period (name, id its code); id 0 and name NULL is "none" (no owner, no lines, ...). The name
 * points into the report's data. */
struct deals_key {
    int64_t id;
    const char *name;
};

struct deals_group {
    struct deals_key key;
    int64_t period_from, period_to; /* by period: the period's instants [from, to) */
    struct deals_winrate w;         /* winrate */
    struct deals_pipe p;            /* pipeline */
    struct deals_pipe *stage;       /* pipeline: d.nstages cells, into the report's array */
    struct deals_forecast f;        /* forecast */
    struct deals_conv_cell *conv;   /* conversion: d.nstages cells, into the report's array */
    struct deals_cycle won_cycle, lost_cycle; /* conversion */
};

/* quota: one user's quota for a period (by owner), or a manager's roll-up for a period. */
struct deals_quota_row {
    struct deals_key key;
    int64_t start, end;
    int64_t quota, won, won_amount;
    int64_t users;        /* the quotas (users) added up: 1 by owner */
    const char *currency; /* the quotas' currency; NULL when none or several */
    double attainment;    /* won_amount / quota; NaN when the quota is 0 */
};

/*
 * The result of one analysis; groups sorted by name (none last). total is over the deals, once
 * each (with by product, a deal with several products is in several groups; with by manager, a
 * deal is in the group of each manager above its owner). Owned by the caller, freed by
 * deals_report_release().
 */
struct deals_report {
    enum deals_analysis analysis;
    struct deals_params p;
    bool has_from, has_to;
    struct deal_data d; /* owned, or a copy of scope->shared's arrays when shared */
    bool shared;        /* d is scope->shared's: not freed */
    size_t *subset;     /* the indexes of the deals in scope in d.deals; NULL: all */
    size_t nsubset;
    struct deals_group *groups;
    size_t ngroups;
    struct deals_group total;
    struct deals_pipe *cells;           /* (ngroups + 1) x d.nstages: the groups', then total's */
    struct deals_conv_cell *conv_cells; /* (ngroups + 1) x d.nstages */
    char (*period_names)[32];           /* by period: the groups' names */
    struct deals_window quarter;        /* forecast: the quarter */
    char quarter_name[32];
    struct deals_categories categories;
    struct deals_quota_row *quota_rows; /* quota */
    size_t nquota_rows;
    struct deals_quota_row quota_total;
    struct deals_org org; /* by manager: the chains; its cycles are reported */
    bool has_org;
};

/*
 * Runs analysis a with p over scope into *out. Returns 0, or a negative KITH_E code with a
 * message in err and, when a parameter is at fault, its name in *param (else NULL); on failure
 * nothing is left to release.
 */
int deals_run(enum deals_analysis a, const struct deals_params *p, const struct deals_scope *scope,
              struct deals_report *out, struct kith_error *err, const char **param);

/* Frees what r owns and zeroes it; safe twice. */
void deals_report_release(struct deals_report *r);

/* The report as JSON: one shape for `kith deals --json` and the API. New reference; NULL when
 * out of memory. */
json_t *deals_report_json(const struct deals_report *r);

/* The report as the CLI's table. */
void deals_report_text(const struct deals_report *r, FILE *out);

#endif
