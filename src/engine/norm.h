/*
 * norm.h - RV norms (DESIGN.md §4): for the contacts of any aggregate or subset, at each age
 * bucket, the distribution of cumulative RV over the members old enough (n, p10, p25, p50, p75,
 * p90, type 7), and each contact's position in its subset at its age: a percentile and a status
 * (behind below p10, ahead above p90). Pure computation over a snapshot; docs/internals/rv.md.
 *
 * Age is counted in whole days from a contact's first counted interaction. Row b of a group holds
 * the members whose age at as_of is at least b * bucket_days, each with its cumulative RV at the
 * instant first + b * bucket_days. A contact is positioned with its RV at as_of against row
 * floor(age / bucket_days) of each group it belongs to, or, when that row has fewer than min_n
 * members (the oldest contacts of a group are few), the nearest younger row that has min_n.
 */
#ifndef KITH_ENGINE_NORM_H
#define KITH_ENGINE_NORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/snapshot.h"
#include "util/error.h"

/* What contacts are grouped by. Event and profit are subsets: a contact may be in several. */
enum norm_dim {
    NORM_ALL,       /* one group of everyone */
    NORM_TEAM,      /* the contact's team, else its account's */
    NORM_REP,       /* the contact's owner, else its account's */
    NORM_UNIT,      /* the contact's unit, else its account's */
    NORM_INDUSTRY,  /* the account's industry */
    NORM_TERRITORY, /* the account's territory */
    NORM_SOURCE,    /* the contact's source, else its account's */
    NORM_BAND,      /* the account's revenue band */
    NORM_STAGE,     /* lifecycle stage at as_of (from the level) */
    NORM_LEVEL,     /* relationship level at as_of */
    NORM_EVENT,     /* one subset per event kind: contacts with such an event by as_of */
    NORM_PROFIT,    /* high / low / potential, see below */
    NORM_COMMUNITY, /* leader / doer / watcher */
    NORM_NDIMS
};

/*
 * Profit subsets, for customers (accounts, or contacts without an account, with an order by
 * as_of): profit = order margin - cost of the counted interactions of its contacts, to as_of.
 * High: profit > 0 and at least the 80th percentile of customers' profit. Low: not high and
 * profit at most max(0, 20th percentile). Potential: a contact of a customer that is not high,
 * whose RV is at least the median RV of the contacts of high customers.
 */
enum { NORM_PROFIT_HIGH, NORM_PROFIT_LOW, NORM_PROFIT_POTENTIAL, NORM_NPROFIT };

/* "team", "rep", ...; and back (also "owner", "revenue_band", "community_role"). */
const char *norm_dim_name(enum norm_dim dim);
int norm_dim_from_name(const char *name, enum norm_dim *out, struct kith_error *err);

/*
 * Keys: the value of a contact in a dimension. -1 is "none" (no team, no event, ...); otherwise
 * an index into the snapshot's table or dictionary, a stage, a level, an event kind or a profit
 * subset. norm_key_from_text() reads "none", a name, an email (rep) or an id ("#12" or "12"
 * for team, rep and unit); KITH_ENOTFOUND says which values exist when there are few.
 */
int norm_key_from_text(const struct rv_snapshot *s, enum norm_dim dim, const char *text,
                       int32_t *key, struct kith_error *err);
/* The label of a key (name, email, ...) into buf; returns buf. */
const char *norm_key_label(const struct rv_snapshot *s, enum norm_dim dim, int32_t key, char *buf,
                           size_t size);
/*
 * The key of contact c in a dimension that is one of its attributes (team, rep, unit, industry,
 * territory, source, revenue_band, community): true and *key set. False for the others (all,
 * stage, level, event, profit), which depend on as_of or are subsets.
 */
bool norm_attribute_key(const struct rv_snapshot *s, enum norm_dim dim, size_t c, int32_t *key);

/* The id of the row a key stands for (team, rep, unit), else 0. */
int64_t norm_key_id(const struct rv_snapshot *s, enum norm_dim dim, int32_t key);

#define NORM_MAX_FILTERS    8
#define NORM_GRID_DEFAULT   21 /* quantiles kept per row for positions: every 5 points */
#define NORM_GRID_MAX       101
#define NORM_MIN_N_DEFAULT  5 /* rows with fewer members give no status */
#define NORM_BUCKET_DEFAULT 7

/* dim = key, ANDed with the other filters. */
struct norm_filter {
    enum norm_dim dim;
    int32_t key;
};

/*
 * Scratch memory that norm_compute() may keep between calls: its large per-contact and
 * per-interaction arrays are grown in it and left there, which spares the page faults of fresh
 * memory on every call (a large share of the time on a virtual machine). Zero it before the
 * first use; one computation at a time per workspace; norm_workspace_release() frees it.
 */
#define NORM_WS_SLOTS 16
struct norm_workspace {
    void *p[NORM_WS_SLOTS];
    size_t cap[NORM_WS_SLOTS];
};

void norm_workspace_release(struct norm_workspace *ws);

struct norm_spec {
    enum norm_dim by;
    struct norm_filter filters[NORM_MAX_FILTERS];
    size_t nfilters;
    int64_t as_of_ms;
    int bucket_days;   /* >= 1 */
    int max_age_days;  /* 0: every age; else rows stop at this age, older contacts use the last */
    unsigned grid;     /* 2..NORM_GRID_MAX quantiles kept per row for positions */
    unsigned min_n;    /* a row with fewer members gives status NORM_UNKNOWN */
    unsigned nthreads; /* 1..8 */
    size_t hist_cells; /* largest histogram per group; beyond it rows are sorted (tests) */
    const struct rv_mask *population; /* contacts that make the norm; NULL: all */
    const struct rv_mask *visible;    /* contacts whose positions are reported; NULL: all */
    /* optional output, s->nc entries (caller-owned): every contact's state at as_of, as
     * rv_compute() gives it, from the same pass over the interactions */
    struct rv_contact_state *states;
    struct norm_workspace *workspace; /* optional: scratch kept between calls (see above) */
};

/* A spec with the defaults: weekly buckets, every age, grid 21, min_n 5, one thread. */
void norm_spec_init(struct norm_spec *spec, enum norm_dim by, int64_t as_of_ms);

/* One age bucket of one group. Percentiles are NaN when n == 0. */
struct norm_row {
    uint32_t n;
    double p10, p25, p50, p75, p90;
    uint32_t grid_off; /* the row's quantile points: result->grid[grid_off .. + grid_n) */
    uint32_t grid_n;   /* min(n, spec.grid) points at probabilities i / (grid_n - 1) */
};

struct norm_group {
    int32_t key;
    uint32_t members; /* contacts of the group with a counted interaction by as_of */
    uint32_t nrows;   /* rows 0 .. nrows - 1: ages 0, bucket_days, ... */
    size_t row_off;   /* first row in result->rows */
    bool exact;       /* computed from a histogram (true) or sorted values (false): same result */
};

enum norm_status {
    NORM_UNKNOWN = 0, /* fewer than min_n members in the row */
    NORM_BEHIND = 1,  /* RV below p10 */
    NORM_NORMAL = 2,
    NORM_AHEAD = 3, /* RV above p90 */
};
const char *norm_status_name(int status); /* "unknown", "behind", "normal", "ahead" */

/* A contact's place in one of its groups. */
struct norm_position {
    int32_t contact; /* snapshot contact index */
    int32_t group;   /* index into result->groups */
    uint32_t row;    /* the age bucket compared with (see the top of this file) */
    int32_t age_days;
    int64_t rv;       /* cumulative RV at as_of */
    float percentile; /* 0..100, see quantile_rank_f() */
    int8_t status;    /* enum norm_status */
};

/* Everything norm_compute() returns; one allocation owner: norm_result_free(). */
struct norm_result {
    struct norm_spec spec; /* a copy; its masks are not owned and may be gone */
    size_t ngroups;
    struct norm_group *groups; /* by key, "none" (-1) first */
    size_t nrows;
    struct norm_row *rows;
    size_t ngrid;
    float *grid;
    size_t npositions;
    struct norm_position *positions; /* visible members, by contact then group */
    /* state the positions of later updates need (norm_position_of) */
    size_t nc;              /* contacts in the snapshot at compute time */
    uint16_t *event_mask;   /* per contact: bit k = an event of kind k by as_of */
    uint8_t *profit_mask;   /* per contact: bit k = in profit subset k */
    double profit_high_cut; /* the 80th percentile of customers' profit (cents) */
    double profit_low_cut;  /* max(0, 20th percentile) */
    double potential_rv;    /* median RV of contacts of high customers */
    int32_t *group_of_key;  /* key + 1 -> group index or -1; nkeys entries */
    size_t nkeys;
};

/*
 * Computes the norm of spec over s. On success *out is the caller's (norm_result_free()).
 * KITH_EINVAL for a bad spec (the message says which field), KITH_ENOMEM.
 */
int norm_compute(const struct rv_snapshot *s, const struct norm_spec *spec,
                 struct norm_result **out, struct kith_error *err);

void norm_result_free(struct norm_result *r);

/* The group of a key in r, or NULL. */
const struct norm_group *norm_group_of(const struct norm_result *r, int32_t key);

/* Percentile and status of value v in row `row` of group g (the batch and update rule). */
void norm_classify(const struct norm_result *r, const struct norm_group *g, uint32_t row, int64_t v,
                   float *percentile, int8_t *status);

/*
 * The exceptions among r's positions: status behind or ahead (or only `status` when it is one
 * of them), most extreme first: ordered by how far the RV lies outside [p10, p90], measured in
 * units of the row's p90 - p10 (at least 1), ties by contact. *out (the caller's, free()) gets
 * indices into r->positions, *n their number.
 */
int norm_exceptions(const struct norm_result *r, int status, size_t **out, size_t *n,
                    struct kith_error *err);

/*
 * The positions of contact c now (after rv_snapshot_add_interaction(), say) against r, computed
 * earlier: its state at r's as_of (or at as_of_ms when not 0), its groups and filters by the
 * same rules (event and profit subsets as of r's computation; a contact newer than r has none),
 * and the row of its age (the last row when it is older than the group's oldest). Writes up to
 * max positions, *n their number (0 when the contact is outside the norm). O(run + log grid).
 */
void norm_position_of(const struct norm_result *r, const struct rv_snapshot *s, size_t c,
                      int64_t as_of_ms, struct norm_position *out, size_t max, size_t *n);

#endif
