/*
 * rv.h - the Relationship Value analyses (DESIGN.md §4), written once for both doors: `kith rv
 * <analysis>` (src/cmd/rv.c) and GET /api/v1/rv/... (src/api/rv.c). One parameter table
 * (analysis_rv, rv.c) declares every option of every analysis; one run function per analysis
 * turns a snapshot, the caller's mask and the parameters into a report (rv_report.c); the
 * report is written as JSON by io/rv_json.h and as the CLI's text tables by rv_report_print()
 * (rv_text.c). docs/internals/rv.md, "The analyses".
 */
#ifndef KITH_ANALYSIS_RV_H
#define KITH_ANALYSIS_RV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/param.h"
#include "engine/compare.h"
#include "engine/indicator.h"
#include "engine/norm.h"
#include "engine/scorecard.h"
#include "engine/snapshot.h"
#include "store/store.h"
#include "util/error.h"

/* The analyses of the family: their bits in param_spec.groups. */
enum {
    RV_CONTACT = 1 << 0,
    RV_NORM = 1 << 1,
    RV_EXCEPTIONS = 1 << 2,
    RV_REPS = 1 << 3,
    RV_UNITS = 1 << 4,
    RV_INDICATOR = 1 << 5,
};

/* The choices of status, outcome, per and population, in the order of their tables. */
enum { RV_STATUS_BEHIND, RV_STATUS_AHEAD, RV_STATUS_BOTH };
enum { RV_POPULATION_ALL, RV_POPULATION_CUSTOMERS };

/*
 * The parameters of every RV analysis. param_defaults(&analysis_rv, p) fills the table's part;
 * text and list values point into argv or the request's query and must outlive the run.
 */
struct rv_params {
    struct param_head head;
    const char *by;          /* a norm_dim name, checked by the run */
    struct param_list where; /* FIELD=VALUE, ANDed */
    int64_t as_of;           /* Unix ms; not given: now */
    int64_t bucket_days, max_age_days, min_n, every;
    double half_life_days;
    int status; /* RV_STATUS_* */
    int64_t limit;
    const char *team;
    int64_t from, to; /* 0: unbounded */
    int64_t k;
    double epsilon, clip_lo, clip_hi;
    const char *clip; /* CLI: "LO:HI", both bounds at once */
    const char *unit; /* CLI: the unit shown exactly */
    int64_t cutoff, window_days, horizon_days;
    int outcome;    /* enum indicator_outcome */
    int per;        /* enum indicator_per */
    int population; /* RV_POPULATION_*; not given: the outcome's default */
    int predictor;  /* enum indicator_predictor */
    int phase;      /* discord: 0 every phase, else 1 + enum rv_stage */
    int64_t resamples, seed;
    int64_t threads;
    bool json;
    const char *db;
    /* not in the table: the door sets it (the CLI's <id|email>, the API's path) */
    int64_t contact_id;
};

extern const struct analysis_family analysis_rv;

/*
 * What an analysis runs over. The CLI loads the snapshot itself and passes no mask; the API
 * passes the server's snapshot (read-locked for as long as the report lives) and the mask of
 * the contacts the caller may read.
 */
struct rv_scope {
    const struct rv_snapshot *snap;
    const struct rv_mask *mask; /* the caller's contacts; NULL: every contact */
    struct store *store;        /* contact names are read here; NULL: reports carry none */
    unsigned nthreads;          /* 1..8, for the norm kernels */
    int64_t own_unit_id;        /* units without --unit: this unit is shown exactly (0: none) */
    /*
     * units: the privacy policy of the caller's role (the API: the signed-in user's; the CLI:
     * the admin role's), which bounds k and epsilon; NULL: rv_privacy_default's, the strictest.
     */
    const struct store_privacy_policy *policy;
    int64_t user_id; /* units: whose daily budget a noised query spends; 0: nobody's (the CLI) */
};

/*
 * Restriction (docs/portal.md, "Restriction"): the contacts with a restriction request in force
 * (store_restricted_contacts(), the one predicate) are left out of every analysis on the
 * snapshot, whatever the caller's scope. *out becomes mask (NULL: every contact) without them, or
 * stays empty (bits NULL: use mask as it is) when no contact is restricted or store is NULL;
 * the caller releases it with rv_mask_release(). rv_run() and v2t2_run() apply it.
 */
int rv_mask_unrestricted(const struct rv_snapshot *snap, const struct rv_mask *mask,
                         struct store *store, struct rv_mask *out, struct kith_error *err);

/* The policy applied without one: k 10, epsilon at most 1 and required, no budget. */
extern const struct store_privacy_policy rv_privacy_default;

/*
 * Why a run failed: err, and when a parameter's value is at fault (a --by that is no field, a
 * --team that does not exist), param names it as the table does ("where"); the message then
 * does not name it, so that each door can show it its way ("--where: ..." or field "where").
 * param NULL: the data or the machine failed (the CLI exits 1; the API maps err's code).
 */
struct rv_error {
    struct kith_error err;
    const char *param;
};

#define RV_CLIP_MAX      1e9 /* the bounds of clip_lo and clip_hi */
#define RV_POSITIONS_MAX 16  /* groups a contact is positioned in at once (subsets: events ...) */

/* kith rv contact / GET /api/v1/rv/contacts/{id}. */
struct rv_contact_report {
    const struct rv_snapshot *snap; /* borrowed: write the report while the snapshot lives */
    int64_t id;
    size_t c;   /* its snapshot index */
    char *name; /* "First Last" from the store (owned), or NULL */
    int64_t as_of_ms;
    double half_life_days;
    int bucket_days;
    struct rv_contact_state state;
    double strength;
    int64_t age_days; /* at as_of; -1 without a counted interaction */
    size_t excluded;  /* interactions to as_of that do not count (voided, voiding) */
    int64_t *pattern; /* cumulative RV at ages 0, bucket_days, ... (owned), npattern values */
    size_t npattern;
    struct norm_result *norm; /* the norm of its groups (owned) */
    struct norm_position positions[RV_POSITIONS_MAX];
    size_t npositions;
};

/* kith rv norm / GET /api/v1/rv/norm. */
struct rv_norm_report {
    const struct rv_snapshot *snap; /* borrowed */
    struct norm_result *norm;       /* owned */
    unsigned every;                 /* rows shown: every `every`-th */
};

/* kith rv exceptions / GET /api/v1/rv/exceptions. */
struct rv_exceptions_report {
    const struct rv_snapshot *snap; /* borrowed */
    struct norm_result *norm;       /* owned */
    size_t *idx;                    /* owned: indices into norm->positions, most extreme first */
    size_t count;                   /* every exception */
    size_t shown;                   /* the first min(count, limit) are shown */
    char **names;                   /* owned, shown entries: the contacts' names, NULL where none */
};

/* kith rv reps / GET /api/v1/rv/reps. */
struct rv_reps_report {
    const struct rv_snapshot *snap; /* borrowed */
    int32_t team;                   /* the team asked for, -1: every team */
    struct scorecard_rep *rows;     /* owned */
    size_t n;
};

/* How the privacy policy bounded a comparison of units, and what it cost. */
struct rv_units_privacy {
    struct store_privacy_policy policy; /* the policy applied */
    int64_t k_requested;                /* 0: k not given */
    double epsilon_requested;           /* NAN: epsilon not given */
    bool k_raised;                      /* k asked below the policy's min_k, raised to it */
    bool epsilon_lowered;               /* epsilon asked above max_epsilon, lowered to it */
    bool budgeted;                      /* a noised query of a user with a daily budget */
    bool charged;                       /* new today: its epsilon was spent */
    int64_t day;                        /* of the budget: days since 1970-01-01, UTC */
    double spent, left;                 /* epsilon spent on the day and left, after this query */
};

/* kith rv units / GET /api/v1/rv/units: aggregates only, never a contact. */
struct rv_units_report {
    const struct rv_snapshot *snap; /* borrowed */
    int64_t as_of_ms;
    struct compare_result *cmp; /* owned */
    struct rv_units_privacy privacy;
};

/* kith rv indicator / GET /api/v1/rv/indicator. */
struct rv_indicator_report {
    struct indicator_spec spec; /* as run; spec.population is cleared (the mask is the caller's) */
    int phase;                  /* discord: the phase (enum rv_stage), -1 for every phase */
    struct indicator_result result;
};

/* The report of any analysis of the family: the one of def->group is filled. */
struct rv_report {
    const struct analysis_def *def;
    union {
        struct rv_contact_report contact;
        struct rv_norm_report norm;
        struct rv_exceptions_report exceptions;
        struct rv_reps_report reps;
        struct rv_units_report units;
        struct rv_indicator_report indicator;
    } u;
};

/*
 * The run functions. Each reads p (after param_defaults() and the door's parsing), runs the
 * engine over src and fills *out, which the caller releases with rv_report_release() whatever
 * the result (a failed run leaves nothing to free, but releasing is always safe). Returns 0,
 * or a negative KITH_E code with err filled (err->param when a parameter is at fault).
 */
int rv_contact_run(const struct rv_scope *src, const struct rv_params *p,
                   struct rv_contact_report *out, struct rv_error *err);
int rv_norm_run(const struct rv_scope *src, const struct rv_params *p, struct rv_norm_report *out,
                struct rv_error *err);
int rv_exceptions_run(const struct rv_scope *src, const struct rv_params *p,
                      struct rv_exceptions_report *out, struct rv_error *err);
int rv_reps_run(const struct rv_scope *src, const struct rv_params *p, struct rv_reps_report *out,
                struct rv_error *err);
int rv_units_run(const struct rv_scope *src, const struct rv_params *p, struct rv_units_report *out,
                 struct rv_error *err);
int rv_indicator_run(const struct rv_scope *src, const struct rv_params *p,
                     struct rv_indicator_report *out, struct rv_error *err);

/* Runs analysis def (one of analysis_rv.defs) into out->u; the same contract as above. */
int rv_run(const struct analysis_def *def, const struct rv_scope *src, const struct rv_params *p,
           struct rv_report *out, struct rv_error *err);

/* Frees what out owns and zeroes it; the snapshot it borrowed stays. */
void rv_report_release(struct rv_report *r);

/*
 * The one JSON of a report (analysis/rv_json.c), what `kith rv <analysis> --json` prints and the
 * API answers; written while the report's snapshot lives. A new reference (json_decref), or NULL
 * when out of memory. Shapes: docs/internals/rv.md.
 */
json_t *rv_report_json(const struct rv_report *r);

/*
 * The norm spec of p's by, where, as_of, bucket_days, max_age_days and min_n over src: the
 * population and the visible contacts are src's mask. The one reader of `where`.
 */
int rv_norm_spec(const struct rv_scope *src, const struct rv_params *p, struct norm_spec *spec,
                 struct rv_error *err);

/* The CLI's text tables of a report (rv_text.c) to out. Returns 0, or KITH_EIO. */
int rv_report_print(const struct rv_report *r, FILE *out, struct kith_error *err);

#endif
