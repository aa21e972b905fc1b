/*
 * rv.c - the Relationship Value family's parameter table and analyses (rv.h): every option of
 * `kith rv <analysis>` and every query parameter of /api/v1/rv/..., declared once with its
 * range, default and help; the dispatch to the run functions (rv_report.c) and the release of
 * their reports.
 */
#include "analysis/rv.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

_Static_assert(INDICATOR_MARGIN == 0 && INDICATOR_GROWTH == 1 && INDICATOR_CHURN == 2 &&
                   INDICATOR_WIN == 3 && INDICATOR_SHARE_OF_WALLET == 4,
               "outcomes[] follows enum indicator_outcome");
_Static_assert(INDICATOR_PER_ACCOUNT == 0 && INDICATOR_PER_CONTACT == 1,
               "pers[] follows enum indicator_per");

static const char *const statuses[] = {"behind", "ahead", "both", NULL};
static const char *const outcomes[] = {"margin", "growth", "churn", "win", "share_of_wallet", NULL};
static const char *const pers[] = {"account", "contact", NULL};
static const char *const populations[] = {"all", "customers", NULL};
static const char *const predictors[] = {"rv", "discord", NULL};
static const char *const phases[] = {"all", "acquisition", "closing", "retention", NULL};
_Static_assert(INDICATOR_RV == 0 && INDICATOR_DISCORD == 1,
               "predictors[] follows enum indicator_predictor");
_Static_assert(RV_STAGE_ACQUISITION == 0 && RV_STAGE_CLOSING == 1 && RV_STAGE_RETENTION == 2,
               "phases[] is 1 + enum rv_stage");

#define NORMS  (RV_CONTACT | RV_NORM | RV_EXCEPTIONS)
#define ALL    (NORMS | RV_REPS | RV_UNITS | RV_INDICATOR)
#define OFF(m) offsetof(struct rv_params, m)
#define DAYS   36600 /* a hundred years */

/*
 * The order is the order of --help. Where the CLI spelled an option otherwise before the table
 * (--max-age, --half-life, --window, --horizon), .cli keeps that spelling; --clip LO:HI stays
 * beside --clip-lo/--clip-hi. The defaults are the engine's (tests/unit/analysis/rv_test.c
 * checks them against NORM_*_DEFAULT, COMPARE_*_DEFAULT and INDICATOR_*_DEFAULT).
 */
static const struct param_spec specs[] = {
    {.name = "by",
     .type = PARAM_TEXT,
     .hi = 32,
     .def = "team",
     .offset = OFF(by),
     .groups = NORMS,
     .metavar = "FIELD",
     .help = "the grouping: team, rep, unit, industry, territory, source, revenue_band, stage,"
             " level, event, profit, community, all"},
    {.name = "where",
     .type = PARAM_LIST,
     .hi = NORM_MAX_FILTERS,
     .offset = OFF(where),
     .groups = NORMS,
     .metavar = "FIELD=VALUE",
     .help = "only contacts whose FIELD is VALUE (name, rep email, #id, none)"},
    {.name = "as_of",
     .type = PARAM_TIME,
     .offset = OFF(as_of),
     .groups = NORMS | RV_UNITS,
     .help = "the instant to look from, ISO 8601 (default: now)"},
    {.name = "bucket_days",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 3660,
     .def = "7",
     .offset = OFF(bucket_days),
     .groups = NORMS,
     .metavar = "DAYS",
     .help = "age bucket of the pattern and the norm"},
    {.name = "max_age_days",
     .cli = "max-age",
     .type = PARAM_INT,
     .lo = 0,
     .hi = DAYS,
     .def = "0",
     .offset = OFF(max_age_days),
     .groups = NORMS,
     .metavar = "DAYS",
     .help = "norm rows up to this age, 0: every age (older ones use the last)"},
    {.name = "min_n",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 1000000,
     .def = "5",
     .offset = OFF(min_n),
     .groups = RV_CONTACT | RV_EXCEPTIONS,
     .help = "norm rows with fewer members give no status"},
    {.name = "every",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 10000,
     .def = "1",
     .offset = OFF(every),
     .groups = RV_NORM,
     .metavar = "K",
     .help = "show every K-th row"},
    {.name = "half_life_days",
     .cli = "half-life",
     .type = PARAM_NUMBER,
     .lo = 0.001,
     .hi = DAYS,
     .def = "90",
     .offset = OFF(half_life_days),
     .groups = RV_CONTACT,
     .metavar = "DAYS",
     .help = "half-life of the strength view"},
    {.name = "status",
     .type = PARAM_CHOICE,
     .choices = statuses,
     .def = "both",
     .offset = OFF(status),
     .groups = RV_EXCEPTIONS,
     .help = "behind: below p10, ahead: above p90"},
    {.name = "limit",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 10000,
     .def = "50",
     .offset = OFF(limit),
     .groups = RV_EXCEPTIONS,
     .help = "at most N contacts, the most extreme first"},
    {.name = "team",
     .type = PARAM_TEXT,
     .offset = OFF(team),
     .groups = RV_REPS,
     .metavar = "NAME",
     .help = "only the reps of this team (a name or #id)"},
    {.name = "from",
     .type = PARAM_TIME,
     .offset = OFF(from),
     .groups = RV_REPS,
     .help = "interactions and orders from this instant on (default: all)"},
    {.name = "to",
     .type = PARAM_TIME,
     .offset = OFF(to),
     .groups = RV_REPS,
     .help = "interactions and orders before this instant (default: all)"},
    {.name = "k",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 1000000,
     .offset = OFF(k),
     .groups = RV_UNITS,
     .metavar = "K",
     .help = "groups of fewer contacts are suppressed (default and least: the privacy policy's)"},
    {.name = "epsilon",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 1000,
     .offset = OFF(epsilon),
     .groups = RV_UNITS,
     .metavar = "E",
     .help = "differential-privacy budget per contact, 0: no noise (bounded by the privacy"
             " policy, which gives the default)"},
    {.name = "clip_lo",
     .type = PARAM_NUMBER,
     .lo = -RV_CLIP_MAX,
     .hi = RV_CLIP_MAX,
     .def = "-1000",
     .offset = OFF(clip_lo),
     .groups = RV_UNITS,
     .metavar = "RV",
     .help = "the lower bound of RV that the noise assumes"},
    {.name = "clip_hi",
     .type = PARAM_NUMBER,
     .lo = -RV_CLIP_MAX,
     .hi = RV_CLIP_MAX,
     .def = "10000",
     .offset = OFF(clip_hi),
     .groups = RV_UNITS,
     .metavar = "RV",
     .help = "the upper bound of RV that the noise assumes"},
    {.name = "clip",
     .type = PARAM_TEXT,
     .hi = 64,
     .offset = OFF(clip),
     .groups = RV_UNITS,
     .metavar = "LO:HI",
     .help = "both bounds at once, e.g. -1000:10000",
     .cli_only = true},
    {.name = "unit",
     .type = PARAM_TEXT,
     .offset = OFF(unit),
     .groups = RV_UNITS,
     .metavar = "NAME",
     .help = "the unit shown exactly beside the others (the API: the caller's)",
     .cli_only = true},
    {.name = "cutoff",
     .type = PARAM_TIME,
     .offset = OFF(cutoff),
     .groups = RV_INDICATOR,
     .help = "the cut-off date",
     .required = true},
    {.name = "window_days",
     .cli = "window",
     .type = PARAM_INT,
     .lo = 1,
     .hi = DAYS,
     .offset = OFF(window_days),
     .groups = RV_INDICATOR,
     .metavar = "DAYS",
     .help = "RV gained in this many days up to the cut-off",
     .required = true},
    {.name = "horizon_days",
     .cli = "horizon",
     .type = PARAM_INT,
     .lo = 1,
     .hi = DAYS,
     .offset = OFF(horizon_days),
     .groups = RV_INDICATOR,
     .metavar = "DAYS",
     .help = "the outcome in this many days after the cut-off",
     .required = true},
    {.name = "outcome",
     .type = PARAM_CHOICE,
     .choices = outcomes,
     .offset = OFF(outcome),
     .groups = RV_INDICATOR,
     .help = "the outcome after the cut-off: order margin, revenue growth, churn, win (each "
             "deal closed in the horizon, won or lost), or share_of_wallet (revenue in the "
             "horizon over the account's wallet; per account)",
     .required = true},
    {.name = "per",
     .type = PARAM_CHOICE,
     .choices = pers,
     .def = "account",
     .offset = OFF(per),
     .groups = RV_INDICATOR,
     .help = "the entities studied"},
    {.name = "population",
     .type = PARAM_CHOICE,
     .choices = populations,
     .offset = OFF(population),
     .groups = RV_INDICATOR,
     .help = "customers: with an order by the cut-off (churn's default)"},
    {.name = "predictor",
     .type = PARAM_CHOICE,
     .choices = predictors,
     .def = "rv",
     .offset = OFF(predictor),
     .groups = RV_INDICATOR,
     .help = "x: the RV gained in the window, or the account's V2T2 discord over the window's"
             " interactions (per account; docs/v2t2.md)"},
    {.name = "phase",
     .type = PARAM_CHOICE,
     .choices = phases,
     .def = "closing",
     .offset = OFF(phase),
     .groups = RV_INDICATOR,
     .help = "the discord predictor: the discord in this lifecycle phase (all: every phase)"},
    {.name = "resamples",
     .type = PARAM_INT,
     .lo = 0,
     .hi = 10000,
     .def = "1000",
     .offset = OFF(resamples),
     .groups = RV_INDICATOR,
     .help = "bootstrap resamples of the 95% interval; 0: no interval"},
    {.name = "seed",
     .type = PARAM_INT,
     .lo = 0,
     .hi = 9007199254740991.0, /* 2^53 - 1: exact in every JSON reader */
     .def = "20240501",
     .offset = OFF(seed),
     .groups = RV_INDICATOR,
     .help = "seed of the bootstrap"},
    {.name = "threads",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 8,
     .def = "2",
     .offset = OFF(threads),
     .groups = ALL,
     .help = "threads for loading and the kernels",
     .cli_only = true},
    PARAM_SPEC_JSON(struct rv_params, ALL),
    PARAM_SPEC_DB(struct rv_params, ALL),
};

static const struct analysis_def defs[] = {
    {.name = "contact",
     .group = RV_CONTACT,
     .route = "/api/v1/rv/contacts/{id}",
     .args = "<id|email>",
     .summary = "one contact: RV, strength, level, stage, pattern and position in its norm"},
    {.name = "norm",
     .group = RV_NORM,
     .route = "/api/v1/rv/norm",
     .summary = "the norm of a grouping: n, p10, p25, p50, p75, p90 of cumulative RV by age"},
    {.name = "exceptions",
     .group = RV_EXCEPTIONS,
     .route = "/api/v1/rv/exceptions",
     .summary = "contacts below p10 or above p90 of their norm, the most extreme first"},
    {.name = "reps",
     .group = RV_REPS,
     .route = "/api/v1/rv/reps",
     .summary = "rep scorecards: RV created, cost, RV per cost, outcomes, place in the team"},
    {.name = "units",
     .group = RV_UNITS,
     .route = "/api/v1/rv/units",
     .summary =
         "confidential comparison of units by stage (suppressed and noised by the privacy policy)"},
    {.name = "indicator",
     .group = RV_INDICATOR,
     .route = "/api/v1/rv/indicator",
     .summary = "RV gained (or V2T2 discord) before a cut-off against margin, growth, churn, "
                "deals won or share of wallet after it"},
};

const struct analysis_family analysis_rv = {"rv", specs, sizeof(specs) / sizeof(specs[0]), defs,
                                            sizeof(defs) / sizeof(defs[0])};

int rv_mask_unrestricted(const struct rv_snapshot *snap, const struct rv_mask *mask,
                         struct store *store, struct rv_mask *out, struct kith_error *err)
{
    int64_t *ids = NULL;
    size_t n = 0;
    memset(out, 0, sizeof(*out));
    if (!store || !snap)
        return 0;
    int rc = store_restricted_contacts(store, &ids, &n, err);
    if (rc < 0 || n == 0)
        return rc;
    size_t nc = snap->nc;
    out->n = nc;
    out->bits = malloc(nc ? nc : 1);
    if (!out->bits) {
        free(ids);
        return kith_err(err, KITH_ENOMEM, "out of memory leaving restricted contacts out");
    }
    for (size_t c = 0; c < nc; c++)
        out->bits[c] = rv_mask_has(mask, c);
    for (size_t i = 0; i < n; i++) {
        int32_t c = rv_snapshot_contact(snap, ids[i]);
        if (c >= 0)
            out->bits[c] = 0;
    }
    free(ids);
    return 0;
}

static int run_group(const struct analysis_def *def, const struct rv_scope *src,
                     const struct rv_params *p, struct rv_report *out, struct rv_error *err)
{
    switch (def->group) {
    case RV_CONTACT:
        return rv_contact_run(src, p, &out->u.contact, err);
    case RV_NORM:
        return rv_norm_run(src, p, &out->u.norm, err);
    case RV_EXCEPTIONS:
        return rv_exceptions_run(src, p, &out->u.exceptions, err);
    case RV_REPS:
        return rv_reps_run(src, p, &out->u.reps, err);
    case RV_UNITS:
        return rv_units_run(src, p, &out->u.units, err);
    case RV_INDICATOR:
        return rv_indicator_run(src, p, &out->u.indicator, err);
    }
    BUG("rv has no analysis of group %llu", (unsigned long long)def->group);
}

int rv_run(const struct analysis_def *def, const struct rv_scope *src, const struct rv_params *p,
           struct rv_report *out, struct rv_error *err)
{
    memset(out, 0, sizeof(*out));
    out->def = def;
    err->param = NULL;
    struct rv_mask unrestricted;
    int rc = rv_mask_unrestricted(src->snap, src->mask, src->store, &unrestricted, &err->err);
    if (rc < 0)
        return rc;
    struct rv_scope eff = *src;
    if (unrestricted.bits)
        eff.mask = &unrestricted;
    rc = run_group(def, &eff, p, out, err);
    rv_mask_release(&unrestricted);
    return rc;
}

void rv_report_release(struct rv_report *r)
{
    if (!r->def)
        return;
    switch (r->def->group) {
    case RV_CONTACT:
        free(r->u.contact.name);
        free(r->u.contact.pattern);
        norm_result_free(r->u.contact.norm);
        break;
    case RV_NORM:
        norm_result_free(r->u.norm.norm);
        break;
    case RV_EXCEPTIONS:
        for (size_t i = 0; r->u.exceptions.names && i < r->u.exceptions.shown; i++)
            free(r->u.exceptions.names[i]);
        free(r->u.exceptions.names);
        free(r->u.exceptions.idx);
        norm_result_free(r->u.exceptions.norm);
        break;
    case RV_REPS:
        free(r->u.reps.rows);
        break;
    case RV_UNITS:
        compare_result_free(r->u.units.cmp);
        break;
    }
    memset(r, 0, sizeof(*r));
}
