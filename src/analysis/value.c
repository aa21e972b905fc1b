/*
 * value.c - the one parameter table of the customer value analyses (`kith value` and
 * /api/v1/value/...) and the checks the table cannot express. value_run.c runs the analyses,
 * value_report.c writes a report as JSON, value_text.c as the CLI's tables; docs/value.md
 * defines the figures.
 */
#include "analysis/value.h"

#include <string.h>

#include "util/banned.h"

/* ---- the table -------------------------------------------------------------------------- */

enum {
    G_FIT = 1 << VALUE_FIT,
    G_CLV = 1 << VALUE_CLV,
    G_DIST = 1 << VALUE_DIST,
    G_DRIVERS = 1 << VALUE_DRIVERS,
    G_RFM = 1 << VALUE_RFM,
    G_REAP = 1 << VALUE_REAP,
    G_XSELL = 1 << VALUE_XSELL,
    G_REFERRALS = 1 << VALUE_REFERRALS,
    G_CHECK = 1 << VALUE_CHECK,
    G_ALL = (1 << VALUE_NANALYSES) - 1,
    G_MODEL = G_FIT | G_CLV | G_DIST | G_DRIVERS | G_REAP | G_REFERRALS, /* they may fit */
    G_LIST = G_CLV | G_RFM | G_REAP | G_XSELL | G_REFERRALS,             /* they list rows */
    G_ACCOUNT = G_CLV | G_RFM | G_REAP | G_XSELL | G_REFERRALS,
};

const char *const value_sections[VALUE_NSECTIONS] = {"acquisition", "cohorts", "attrition",
                                                     "holding",     "cost",    "migration"};

/* In the order of the engine's enums (tests/unit/analysis/value_test.c checks it). */
static const char *const measures[] = {"lifetime", "predicted",      "to_date", "current",
                                       "profit",   "profit_current", NULL};
static const char *const bys[] = {"none", "unit", "segment", "industry", "source", NULL};
static const char *const periods[] = {"month", "quarter", "year", NULL};
static const char *const segments[] = {
    "new",       "champions",      "loyal",          "cant_lose",   "at_risk", "potential_loyalist",
    "promising", "need_attention", "about_to_sleep", "hibernating", "lost",    NULL};
static const char *const levers[] = {"retain", "efficiency", "acquire", "penetrate", NULL};

#define MAX_ACCOUNT_ID 9007199254740991.0 /* 2^53 - 1: exact in a double and in JSON */
#define LIST_MAX       10000              /* rows of a list at most, unless --all */

#define OFF(m) offsetof(struct value_params, m)
static const struct param_spec specs[] = {
    {.name = "as_of",
     .type = PARAM_TIME,
     .offset = OFF(as_of),
     .groups = G_ALL,
     .help = "the as-of day (default: the day of the latest order)"},
    {.name = "horizon",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 1200,
     .def = "36",
     .offset = OFF(horizon),
     .groups = G_MODEL,
     .metavar = "MONTHS",
     .help = "prediction horizon in months"},
    {.name = "discount",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 10,
     .def = "0.10",
     .offset = OFF(discount),
     .groups = G_MODEL,
     .metavar = "RATE",
     .help = "annual discount rate"},
    {.name = "margin",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 1,
     .offset = OFF(margin),
     .groups = G_MODEL,
     .metavar = "RATIO",
     .help = "margin ratio for predictions and for orders without a margin (default: sum of "
             "margins / sum of amounts of the orders)"},
    {.name = "proxy_days",
     .type = PARAM_INT,
     .lo = 0,
     .hi = 36600,
     .def = "365",
     .offset = OFF(proxy_days),
     .groups = G_MODEL,
     .help = "where no model gives a value, the proxy spreads a customer's net value to date "
             "over at least N days"},
    {.name = "max_iter",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 1000000,
     .def = "1000",
     .offset = OFF(max_iter),
     .groups = G_MODEL | G_CHECK,
     .help = "optimiser iterations before a fit gives up"},
    {.name = "unit_days",
     .type = PARAM_NUMBER,
     .lo = 1e-6,
     .hi = 36600,
     .def = "7",
     .offset = OFF(unit_days),
     .groups = G_FIT | G_CLV | G_CHECK,
     .metavar = "DAYS",
     .help = "the models' time unit in days (7: weeks)"},
    {.name = "summary",
     .type = PARAM_TEXT,
     .hi = 4096,
     .offset = OFF(summary),
     .groups = G_FIT | G_CLV,
     .metavar = "FILE",
     .cli_only = true,
     .help = "a customer summary CSV, in units of --unit-days, instead of the orders ('-': "
             "standard input)"},
    {.name = "limit",
     .type = PARAM_INT,
     .lo = 1,
     .hi = LIST_MAX,
     .def = "100",
     .offset = OFF(limit),
     .groups = G_LIST,
     .help = "rows listed (customers; xsell: customers with offers; referrals: accounts)"},
    {.name = "all",
     .type = PARAM_FLAG,
     .offset = OFF(all),
     .groups = G_LIST,
     .cli_only = true,
     .help = "list every row instead of --limit (xsell: and every rule)"},
    {.name = "account",
     .type = PARAM_INT,
     .lo = 1,
     .hi = MAX_ACCOUNT_ID,
     .offset = OFF(account),
     .groups = G_ACCOUNT,
     .metavar = "ID",
     .help = "one account only"},
    {.name = "sort",
     .type = PARAM_CHOICE,
     .choices = measures,
     .def = "lifetime",
     .offset = OFF(sort),
     .groups = G_CLV,
     .metavar = "MEASURE",
     .help = "the value the customers are listed by"},
    {.name = "measure",
     .type = PARAM_CHOICE,
     .choices = measures,
     .def = "lifetime",
     .offset = OFF(measure),
     .groups = G_DIST | G_DRIVERS | G_REFERRALS,
     .metavar = "MEASURE",
     .help = "the value measured (to_date, current and the profits need no model)"},
    {.name = "by",
     .type = PARAM_CHOICE,
     .choices = bys,
     .offset = OFF(by),
     .groups = G_DIST | G_DRIVERS,
     .metavar = "GROUP",
     .help = "the grouping (dist: only this one, default unit, segment and source; drivers: "
             "of attrition and cost, default segment)"},
    {.name = "lorenz",
     .type = PARAM_INT,
     .lo = 2,
     .hi = DIST_LORENZ_MAX,
     .def = "21",
     .offset = OFF(lorenz),
     .groups = G_DIST,
     .help = "points of the Lorenz curve (21: every 5%)"},
    {.name = "period",
     .type = PARAM_CHOICE,
     .choices = periods,
     .def = "quarter",
     .offset = OFF(period),
     .groups = G_DRIVERS,
     .help = "period of acquisition and cohorts"},
    {.name = "window",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 36600,
     .def = "365",
     .offset = OFF(window),
     .groups = G_DRIVERS,
     .metavar = "DAYS",
     .help = "attrition and migration window"},
    {.name = "sections",
     .type = PARAM_TEXT,
     .hi = 80,
     .offset = OFF(sections),
     .groups = G_DRIVERS,
     .metavar = "LIST",
     .help = "comma-separated sections: acquisition, cohorts, attrition, holding, cost, "
             "migration (default: all; the CLI also takes them as arguments)"},
    {.name = "new_days",
     .type = PARAM_INT,
     .lo = 0,
     .hi = 36600,
     .def = "90",
     .offset = OFF(new_days),
     .groups = G_RFM | G_REAP,
     .help = "customers whose first order is this recent are RFM 'new'"},
    {.name = "segment",
     .type = PARAM_CHOICE,
     .choices = segments,
     .offset = OFF(segment),
     .groups = G_RFM,
     .metavar = "NAME",
     .help = "list only this RFM segment's customers"},
    {.name = "lever",
     .type = PARAM_CHOICE,
     .choices = levers,
     .offset = OFF(lever),
     .groups = G_REAP,
     .help = "list only this lever's customers"},
    {.name = "low_value",
     .type = PARAM_FLAG,
     .offset = OFF(low_value),
     .groups = G_REAP,
     .help = "list only the low-value customers"},
    {.name = "alive_min",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 1,
     .def = "0.5",
     .offset = OFF(alive_min),
     .groups = G_REAP,
     .metavar = "P",
     .help = "P(alive) below P is 'at risk'"},
    {.name = "cost_share",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 100,
     .def = "0.5",
     .offset = OFF(cost_share),
     .groups = G_REAP,
     .metavar = "S",
     .help = "cost to serve above S x margin is 'costly'"},
    {.name = "min_support",
     .type = PARAM_NUMBER,
     .lo = 1e-9,
     .hi = 1,
     .def = "0.01",
     .offset = OFF(min_support),
     .groups = G_XSELL,
     .help = "least share of baskets holding a whole rule"},
    {.name = "min_confidence",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 1,
     .def = "0.2",
     .offset = OFF(min_confidence),
     .groups = G_XSELL,
     .help = "least share of the antecedent's baskets that hold the consequent"},
    {.name = "min_lift",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 1e9,
     .def = "1.0",
     .offset = OFF(min_lift),
     .groups = G_XSELL,
     .help = "least confidence over the consequent's own share"},
    {.name = "max_len",
     .type = PARAM_INT,
     .lo = 2,
     .hi = BASKET_MAX_LEN,
     .def = "3",
     .offset = OFF(max_len),
     .groups = G_XSELL,
     .help = "items in a rule at most"},
    {.name = "rules",
     .type = PARAM_INT,
     .lo = 1,
     .hi = LIST_MAX,
     .def = "100",
     .offset = OFF(rules),
     .groups = G_XSELL,
     .help = "rules listed"},
    {.name = "offers",
     .type = PARAM_INT,
     .lo = 0,
     .hi = 100,
     .def = "3",
     .offset = OFF(offers),
     .groups = G_XSELL,
     .help = "offers per customer"},
    {.name = "second_degree",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 1,
     .def = "0.5",
     .offset = OFF(second_degree),
     .groups = G_REFERRALS,
     .metavar = "W",
     .help = "weight of the second degree (0: first degree only)"},
    {.name = "holdout_from",
     .type = PARAM_TIME,
     .offset = OFF(holdout_from),
     .groups = G_CHECK,
     .required = true,
     .metavar = "DATE",
     .help = "the first day of the holdout: the models are fitted on the orders before it and "
             "checked on the orders from it to the as-of day"},
    PARAM_SPEC_JSON(struct value_params, G_ALL),
    PARAM_SPEC_DB(struct value_params, G_ALL),
};

static const struct analysis_def defs[] = {
    [VALUE_FIT] = {.name = "fit",
                   .group = G_FIT,
                   .route = "/api/v1/value/fit",
                   .summary = "fit BG/NBD and Gamma-Gamma by maximum likelihood on the orders up "
                              "to the as-of day (or on --summary FILE)"},
    [VALUE_CLV] = {.name = "clv",
                   .group = G_CLV,
                   .route = "/api/v1/value/clv",
                   .summary = "value per customer, in margin: to date (net of returns), current, "
                              "predicted, lifetime, P(alive)"},
    [VALUE_DIST] = {.name = "dist",
                    .group = G_DIST,
                    .route = "/api/v1/value/dist",
                    .summary = "deciles, top-20% share, Lorenz curve and Gini, overall and by "
                               "group"},
    [VALUE_DRIVERS] = {.name = "drivers",
                       .group = G_DRIVERS,
                       .route = "/api/v1/value/drivers",
                       .args = "[SECTION...]",
                       .summary = "acquisition, cohort retention, attrition, product holding, "
                                  "cost to serve, value migration"},
    [VALUE_RFM] = {.name = "rfm",
                   .group = G_RFM,
                   .route = "/api/v1/value/rfm",
                   .summary = "recency/frequency/monetary quintiles and named segments"},
    [VALUE_REAP] = {.name = "reap",
                    .group = G_REAP,
                    .route = "/api/v1/value/reap",
                    .summary = "the REAP lever of each customer (retain, efficiency, acquire, "
                               "penetrate), and the low-value list"},
    [VALUE_XSELL] = {.name = "xsell",
                     .group = G_XSELL,
                     .route = "/api/v1/value/xsell",
                     .summary = "association rules over order baskets, and offers per customer"},
    [VALUE_REFERRALS] = {.name = "referrals",
                         .group = G_REFERRALS,
                         .route = "/api/v1/value/referrals",
                         .summary = "the value of the customers each account referred"},
    [VALUE_CHECK] = {.name = "check",
                     .group = G_CHECK,
                     .route = "/api/v1/value/check",
                     .summary = "holdout check of the models: fit before --holdout-from, then "
                                "predicted against actual repeat purchases per frequency"},
};

const struct analysis_family analysis_value = {"value", specs, sizeof(specs) / sizeof(specs[0]),
                                               defs, sizeof(defs) / sizeof(defs[0])};

const struct analysis_def *value_def(enum value_analysis a)
{
    if ((unsigned)a >= VALUE_NANALYSES)
        BUG("no value analysis %d", (int)a);
    return &defs[a];
}

/* ---- parameters beyond the table ---------------------------------------------------------- */

int value_sections_parse(const char *text, unsigned *bits, struct kith_error *err)
{
    *bits = 0;
    if (!text) {
        *bits = (1u << VALUE_NSECTIONS) - 1;
        return 0;
    }
    for (const char *s = text;; s++) {
        size_t n = strcspn(s, ",");
        size_t k = 0;
        while (k < VALUE_NSECTIONS &&
               !(strlen(value_sections[k]) == n && strncmp(value_sections[k], s, n) == 0))
            k++;
        if (k == VALUE_NSECTIONS)
            return kith_err(err, KITH_EINVAL,
                            "'%.*s' is not a section (acquisition, cohorts, attrition, holding, "
                            "cost, migration)",
                            (int)(n < 40 ? n : 40), s);
        *bits |= 1u << k;
        s += n;
        if (!*s)
            break;
    }
    return 0;
}

int value_params_check(const struct value_params *p, const char **field, struct kith_error *err)
{
    unsigned bits;
    *field = NULL;
    if (value_sections_parse(p->sections, &bits, err) < 0) {
        *field = "sections";
        return KITH_EINVAL;
    }
    if (param_given(&analysis_value, p, "holdout_from") &&
        param_given(&analysis_value, p, "as_of") && cv_day(p->holdout_from) > cv_day(p->as_of)) {
        *field = "holdout_from";
        return kith_err(err, KITH_EINVAL,
                        "holdout_from is after as_of: the holdout (from holdout_from to as_of) "
                        "would be empty");
    }
    return 0;
}
