/*
 * value.c - the customer value analyses: the one parameter table of `kith value` and
 * /api/v1/value/..., and value_run(), which loads the caller's accounts, runs the engine and
 * fills a report (value.h). The JSON of a report is in value_report.c, its tables in
 * value_text.c; the definitions of the figures in docs/value.md.
 */
#include "analysis/value.h"

#include <math.h>
#include <string.h>

#include "io/value_json.h"
#include "util/alloc.h"

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
     .def = "90",
     .offset = OFF(proxy_days),
     .groups = G_MODEL,
     .help = "customers younger than N days get a proxy value"},
    {.name = "proxy_min",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 1000000,
     .def = "5",
     .offset = OFF(proxy_min),
     .groups = G_MODEL,
     .help = "fewest valued customers a proxy group needs"},
    {.name = "max_iter",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 1000000,
     .def = "1000",
     .offset = OFF(max_iter),
     .groups = G_MODEL,
     .help = "optimiser iterations before a fit gives up"},
    {.name = "unit_days",
     .type = PARAM_NUMBER,
     .lo = 1e-6,
     .hi = 36600,
     .def = "7",
     .offset = OFF(unit_days),
     .groups = G_FIT | G_CLV,
     .metavar = "DAYS",
     .help = "the models' time unit in days (7: weeks; with --summary, the file's unit)"},
    {.name = "summary",
     .type = PARAM_TEXT,
     .hi = 4096,
     .offset = OFF(summary),
     .groups = G_FIT | G_CLV,
     .metavar = "FILE",
     .cli_only = true,
     .help = "fit on a customer summary CSV instead of the orders ('-': standard input)"},
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
    {.name = "json",
     .type = PARAM_FLAG,
     .offset = OFF(json),
     .groups = G_ALL,
     .cli_only = true,
     .help = "JSON (the API's answer) instead of tables"},
    {.name = "db",
     .type = PARAM_TEXT,
     .hi = 4096,
     .offset = OFF(db),
     .groups = G_ALL,
     .metavar = "PATH",
     .cli_only = true,
     .help = "the database (default: $KITH_DB, else ./kith.db)"},
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
                   .summary = "value per customer, in margin: to date, current, predicted, "
                              "lifetime, P(alive); proxies for the young"},
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

static bool given(const struct value_params *p, const char *name)
{
    return param_given(&analysis_value, p, name);
}

/* The bits of the sections named in text (NULL: all); KITH_EINVAL naming the stranger. */
static int parse_sections(const char *text, unsigned *bits, struct kith_error *err)
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
    if (parse_sections(p->sections, &bits, err) < 0) {
        *field = "sections";
        return KITH_EINVAL;
    }
    return 0;
}

/* ---- loading ------------------------------------------------------------------------------ */

/* What load() computes beyond the customers. */
enum run_mode {
    RUN_CUSTOMERS, /* the customers' histories only */
    RUN_MODEL,     /* and the fitted models */
    RUN_PREDICT,   /* and every customer's predicted value */
};

static bool measure_needs_model(int m)
{
    return m == VALUE_LIFETIME || m == VALUE_PREDICTED;
}

static const unsigned parts_of[VALUE_NANALYSES] = {
    [VALUE_FIT] = STORE_CV_ORDERS,
    [VALUE_CLV] = STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_COSTS,
    [VALUE_DIST] = STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_COSTS,
    [VALUE_DRIVERS] = STORE_CV_ALL,
    [VALUE_RFM] = STORE_CV_ACCOUNTS | STORE_CV_ORDERS,
    [VALUE_REAP] = STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_LINES | STORE_CV_COSTS,
    [VALUE_XSELL] = STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_LINES,
    [VALUE_REFERRALS] = STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_COSTS | STORE_CV_REFERRALS,
};

static enum run_mode mode_of(const struct value_report *x)
{
    switch (x->analysis) {
    case VALUE_FIT:
        return RUN_MODEL;
    case VALUE_CLV:
    case VALUE_REAP:
        return RUN_PREDICT;
    case VALUE_DIST:
    case VALUE_REFERRALS:
        return measure_needs_model(x->p.measure) ? RUN_PREDICT : RUN_CUSTOMERS;
    case VALUE_DRIVERS:
        return measure_needs_model(x->p.measure) || (x->sections & (1u << VALUE_SEC_ATTRITION))
                   ? RUN_PREDICT
                   : RUN_CUSTOMERS;
    default:
        return RUN_CUSTOMERS;
    }
}

static int32_t as_of_day(const struct value_params *p)
{
    return given(p, "as_of") ? cv_day(p->as_of) : STORE_CV_AS_OF_LATEST;
}

/* The engine's options from p, on the as-of day of the loaded data. */
static void set_options(const struct value_params *p, int32_t day, struct value_options *vo,
                        struct clv_fit_options *fit)
{
    value_options_default(vo);
    vo->as_of_day = day;
    vo->current_days = VALUE_CURRENT_DAYS;
    vo->unit_days = p->unit_days;
    vo->horizon_months = (int)p->horizon;
    vo->discount = p->discount;
    vo->margin_ratio = given(p, "margin") ? p->margin : -1;
    vo->proxy_days = (int)p->proxy_days;
    vo->proxy_min = (size_t)p->proxy_min;
    *fit = (struct clv_fit_options){.max_iter = (int)p->max_iter,
                                    .grad_tol = CLV_FIT_DEFAULT_GRAD_TOL};
    vo->fit = fit;
}

/*
 * The error of a fit that did not converge. The optimiser's message is left out: it quotes the
 * parameters it stopped at, and a fit that did not converge has none to give.
 */
static int not_converged(struct value_report *x, const char *none, struct kith_error *err)
{
    x->failure = VALUE_FAILED_NOT_CONVERGED;
    return kith_err(err, KITH_ENOCONV,
                    "the model did not converge on the customers in scope, so there are no %s: "
                    "their orders may be too few or too alike to determine it (max_iter is %lld); "
                    "measures that need no model (to_date, current, profit) still answer",
                    none, (long long)x->p.max_iter);
}

/*
 * The models fitted on every customer, for a run over some accounts only: an account then has
 * the same predicted value whoever asks, and a small scope (a partner's few dozen customers
 * rarely determine four BG/NBD parameters) is valued as well as a large one.
 */
static int company_model(struct store *s, struct value_report *x, struct value_model *m,
                         struct kith_error *err)
{
    struct cv_data d;
    struct value_result r;
    struct value_options vo;
    struct clv_fit_options fit;
    const struct store_cv_request cr = {.parts = STORE_CV_ORDERS,
                                        .as_of_day = as_of_day(&x->p),
                                        .current_days = VALUE_CURRENT_DAYS};
    int rc = store_cv_load(s, &cr, &d, err);
    if (rc < 0)
        return rc;
    set_options(&x->p, d.as_of_day, &vo, &fit);
    rc = value_customers_build(&d, &vo, &r, err);
    if (rc == 0) {
        rc = value_fit(&r, &vo, err);
        if (rc == 0)
            *m = r.model;
        value_result_release(&r);
    }
    cv_data_release(&d);
    return rc;
}

/* True when some loaded order is on or before the as-of day: there is a customer to value. */
static bool has_customer(const struct cv_data *d)
{
    for (size_t i = 0; i < d->norders; i++)
        if (cv_day(d->orders[i].at) <= d->as_of_day)
            return true;
    return false;
}

/* Loads the parts of the analysis over the scope and builds the customers (and the models). */
static int load(const struct value_scope *scope, struct value_report *x, struct kith_error *err)
{
    const struct store_cv_request cr = {.parts = parts_of[x->analysis],
                                        .accounts = scope->accounts,
                                        .naccounts = scope->naccounts,
                                        .as_of_day = as_of_day(&x->p),
                                        .current_days = VALUE_CURRENT_DAYS};
    int rc = store_cv_load(scope->store, &cr, &x->d, err);
    if (rc < 0)
        return rc;
    if (!has_customer(&x->d)) {
        char iso[16], day[24] = "";
        const char *who = x->scoped ? "accounts you may read" : "accounts";
        x->failure = VALUE_FAILED_NO_CUSTOMERS;
        if (x->d.norders > 0) /* there are orders, all after the as-of day */
            snprintf(day, sizeof(day), " (%s)", value_json_day(x->d.as_of_day, iso, sizeof(iso)));
        return kith_err(err, KITH_ENOTFOUND,
                        "no customers to analyse: there are no orders on or before the as-of "
                        "day%s among the %s",
                        day, who);
    }
    set_options(&x->p, x->d.as_of_day, &x->vo, &x->fit);
    const enum run_mode mode = mode_of(x);
    const char *none = mode == RUN_MODEL ? "parameters" : "values predicted";
    struct value_model company;
    const bool shared = mode != RUN_CUSTOMERS && x->scoped;
    if (shared) {
        rc = company_model(scope->store, x, &company, err);
        if (rc < 0)
            return rc == KITH_ENOCONV ? not_converged(x, none, err) : rc;
        x->vo.margin_ratio = company.margin_ratio; /* to-date margins as everyone's */
    }
    rc = value_customers_build(&x->d, &x->vo, &x->r, err);
    if (rc == 0 && mode != RUN_CUSTOMERS) {
        if (shared)
            x->r.model = company;
        else
            rc = value_fit(&x->r, &x->vo, err);
    }
    if (rc == 0 && mode == RUN_PREDICT)
        rc = value_predict(&x->d, &x->r, &x->vo, err);
    return rc == KITH_ENOCONV ? not_converged(x, none, err) : rc;
}

/* ---- the analyses --------------------------------------------------------------------------- */

static int oom(struct kith_error *err)
{
    return kith_err(err, KITH_ENOMEM, "out of memory");
}

static size_t shown_of(const struct value_params *p, size_t n)
{
    return p->all || (size_t)p->limit > n ? n : (size_t)p->limit;
}

/* x->account = the index of p.account among the customers, or VALUE_FAILED_NO_ACCOUNT. */
static int find_account(struct value_report *x, struct kith_error *err)
{
    x->has_account = true;
    x->account = value_find(&x->r, x->p.account);
    if (x->account != CV_NO_INDEX)
        return 0;
    x->failure = VALUE_FAILED_NO_ACCOUNT;
    if (x->scoped)
        return kith_err(err, KITH_ENOTFOUND,
                        "account %lld is not a customer you may see (no order on or before the "
                        "as-of day, or not in your scope)",
                        (long long)x->p.account);
    return kith_err(err, KITH_ENOTFOUND,
                    "account %lld is not a customer (no order on or before the as-of day)",
                    (long long)x->p.account);
}

static int run_clv(struct value_report *x, struct kith_error *err)
{
    if (given(&x->p, "account"))
        return find_account(x, err);
    if (!(x->ix = value_order(&x->r, (enum value_measure)x->p.sort)))
        return oom(err);
    x->m = x->r.n;
    x->shown = shown_of(&x->p, x->m);
    for (size_t i = 0; i < x->r.n; i++) {
        x->proxies += x->r.c[i].proxy_reason != VALUE_PROXY_NO;
        x->total_lifetime += isfinite(x->r.c[i].lifetime) ? x->r.c[i].lifetime : 0;
    }
    return 0;
}

/* g->by's groups of x's customers; with dist, the distribution of x->v in each. */
static int grouping(struct value_report *x, struct value_grouping *g, enum value_by by, bool dist,
                    struct kith_error *err)
{
    g->by = by;
    int rc = value_groups_build(&x->d, &x->r, by, &g->g, err);
    if (rc < 0)
        return rc;
    if (!dist)
        return 0;
    if (!(g->dist = alloc_array(g->g.n, sizeof(*g->dist))))
        return oom(err);
    return dist_summarise_groups(x->v, g->g.code, x->r.n, g->g.n, (size_t)x->p.lorenz, g->dist,
                                 err);
}

static void grouping_release(struct value_grouping *g)
{
    free(g->dist);
    free(g->attrition);
    free(g->cost);
    value_groups_release(&g->g);
    memset(g, 0, sizeof(*g));
}

static int run_dist(struct value_report *x, struct kith_error *err)
{
    if (!(x->v = alloc_array(x->r.n, sizeof(*x->v))))
        return oom(err);
    for (size_t i = 0; i < x->r.n; i++)
        x->v[i] = value_of(&x->r.c[i], (enum value_measure)x->p.measure);
    int rc = dist_summarise(x->v, x->r.n, (size_t)x->p.lorenz, &x->overall, err);
    /* unit, segment and source, or the one of by (none: no groups) */
    static const enum value_by order[] = {VALUE_BY_UNIT, VALUE_BY_SEGMENT, VALUE_BY_SOURCE,
                                          VALUE_BY_INDUSTRY};
    const bool by_given = given(&x->p, "by");
    for (size_t k = 0; rc == 0 && k < sizeof(order) / sizeof(order[0]); k++)
        if (by_given ? x->p.by == (int)order[k] : order[k] != VALUE_BY_INDUSTRY)
            rc = grouping(x, &x->by[x->nby++], order[k], true, err);
    return rc;
}

static int run_drivers(struct value_report *x, struct kith_error *err)
{
    const enum drivers_period period = (enum drivers_period)x->p.period;
    const enum value_measure measure = (enum value_measure)x->p.measure;
    const enum value_by by = given(&x->p, "by") ? (enum value_by)x->p.by : VALUE_BY_SEGMENT;
    const int window = (int)x->p.window;
    const unsigned s = x->sections;
    int rc = 0;
    if (s & (1u << VALUE_SEC_ACQUISITION))
        rc = drivers_acquisition_build(&x->d, &x->r, period, measure, &x->acq, err);
    if (rc == 0 && (s & (1u << VALUE_SEC_COHORTS)))
        rc = drivers_cohorts_build(&x->d, &x->r, period, &x->coh, err);
    if (rc == 0 && (s & (1u << VALUE_SEC_ATTRITION))) {
        struct value_grouping *g = &x->attrition;
        rc = grouping(x, g, by, false, err);
        if (rc == 0 && !(g->attrition = alloc_array(g->g.n, sizeof(*g->attrition))))
            rc = oom(err);
        if (rc == 0)
            rc = drivers_attrition_build(&x->d, &x->r, &g->g, window, g->attrition, err);
        if (rc == 0)
            rc = drivers_attrition_build(&x->d, &x->r, NULL, window, &g->all_attrition, err);
    }
    if (rc == 0 && (s & (1u << VALUE_SEC_HOLDING))) {
        rc = value_holdings_build(&x->d, &x->r, &x->hold, err);
        if (rc == 0)
            drivers_holding_build(&x->r, &x->hold, measure, &x->holding);
    }
    if (rc == 0 && (s & (1u << VALUE_SEC_COST))) {
        struct value_grouping *g = &x->cost;
        rc = grouping(x, g, by, false, err);
        if (rc == 0 && !(g->cost = alloc_array(g->g.n, sizeof(*g->cost))))
            rc = oom(err);
        if (rc == 0) {
            drivers_cost_build(&x->r, &g->g, g->cost);
            drivers_cost_build(&x->r, NULL, &g->all_cost);
        }
    }
    if (rc == 0 && (s & (1u << VALUE_SEC_MIGRATION)))
        rc = drivers_migration_build(&x->d, &x->r, window, &x->mig, NULL, NULL, err);
    return rc;
}

/* RFM scores of every customer into x->rin, x->sc. */
static int rfm_scores(struct value_report *x, struct kith_error *err)
{
    x->rin = alloc_array(x->r.n, sizeof(*x->rin));
    x->sc = alloc_array(x->r.n, sizeof(*x->sc));
    if (!x->rin || !x->sc)
        return oom(err);
    rfm_inputs_from_values(&x->r, (int)x->p.new_days, x->rin);
    return rfm_score_all(x->rin, x->r.n, x->sc, err);
}

static int run_rfm(struct value_report *x, struct kith_error *err)
{
    int rc = rfm_scores(x, err);
    if (rc < 0)
        return rc;
    if (given(&x->p, "account"))
        return find_account(x, err);
    for (size_t i = 0; i < x->r.n; i++) {
        x->seg_count[x->sc[i].segment]++;
        x->seg_value[x->sc[i].segment] += x->r.c[i].to_date;
    }
    if (!(x->ix = value_order(&x->r, VALUE_TO_DATE)))
        return oom(err);
    const bool one = given(&x->p, "segment"); /* the list: of one segment, by value to date */
    for (size_t k = 0; k < x->r.n; k++)
        if (!one || x->sc[x->ix[k]].segment == x->p.segment)
            x->ix[x->m++] = x->ix[k];
    x->shown = shown_of(&x->p, x->m);
    return 0;
}

static int run_reap(struct value_report *x, struct kith_error *err)
{
    reap_options_default(&x->reap);
    x->reap.alive_min = x->p.alive_min;
    x->reap.cost_share = x->p.cost_share;
    int rc = rfm_scores(x, err);
    if (rc == 0)
        rc = value_holdings_build(&x->d, &x->r, &x->hold, err);
    if (rc == 0 && (!(x->rein = alloc_array(x->r.n, sizeof(*x->rein))) ||
                    !(x->tag = alloc_array(x->r.n, sizeof(*x->tag)))))
        rc = oom(err);
    if (rc == 0)
        rc = reap_inputs_from_values(&x->r, x->sc, &x->hold, x->rein, err);
    if (rc == 0)
        rc = reap_holding_ref(x->rein, x->r.n, &x->holding_ref, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < x->r.n; i++) {
        const struct reap_tag t = x->tag[i] = reap_tag_one(&x->rein[i], &x->reap, x->holding_ref);
        x->levers[t.lever]++;
        x->lever_value[t.lever] += x->r.c[i].lifetime;
        x->lows[t.low]++;
        x->rule_count[t.rule]++;
    }
    if (given(&x->p, "account"))
        return find_account(x, err);
    if (!(x->ix = value_order(&x->r, VALUE_LIFETIME)))
        return oom(err);
    const bool lever = given(&x->p, "lever");
    for (size_t k = 0; k < x->r.n; k++) {
        const struct reap_tag *t = &x->tag[x->ix[k]];
        if ((lever && t->lever != x->p.lever) || (x->p.low_value && t->low == REAP_LOW_NONE))
            continue;
        x->ix[x->m++] = x->ix[k];
    }
    x->shown = shown_of(&x->p, x->m);
    return 0;
}

static int run_xsell(struct value_report *x, struct kith_error *err)
{
    basket_options_default(&x->basket);
    x->basket.min_support = x->p.min_support;
    x->basket.min_confidence = x->p.min_confidence;
    x->basket.min_lift = x->p.min_lift;
    x->basket.max_len = (int)x->p.max_len;
    int rc = basket_set_from_lines(&x->d, x->r.as_of_day, &x->bs, err);
    if (rc == 0)
        rc = basket_mine(&x->bs, x->d.nproducts, &x->basket, &x->rules, err);
    if (rc == 0)
        rc = value_holdings_build(&x->d, &x->r, &x->hold, err);
    if (rc == 0)
        rc = basket_offers_build(&x->rules, &x->hold, &x->d, (size_t)x->p.offers, &x->offers, err);
    if (rc < 0)
        return rc;
    const struct basket_offer *of = x->offers.offers;
    for (size_t k = 0; k < x->offers.n; k++)
        x->customers_with += k == 0 || of[k].customer != of[k - 1].customer;
    /* the offers of one account, or of the first customers that have any */
    x->lo = 0;
    x->hi = x->offers.n;
    if (given(&x->p, "account")) {
        if ((rc = find_account(x, err)) < 0)
            return rc;
        while (x->lo < x->offers.n && of[x->lo].customer < x->account)
            x->lo++;
        x->hi = x->lo;
        while (x->hi < x->offers.n && of[x->hi].customer == x->account)
            x->hi++;
        x->shown = 1;
        return 0;
    }
    x->nrules = x->p.all || (size_t)x->p.rules > x->rules.n ? x->rules.n : (size_t)x->p.rules;
    x->shown = shown_of(&x->p, x->customers_with);
    size_t seen = 0;
    for (size_t k = 0; k < x->offers.n; k++) {
        seen += k == 0 || of[k].customer != of[k - 1].customer;
        if (seen > x->shown) {
            x->hi = k;
            break;
        }
    }
    return 0;
}

static int run_referrals(struct value_report *x, struct kith_error *err)
{
    const size_t n = x->d.naccounts;
    double *val = alloc_array(n, sizeof(*val));
    x->ids = alloc_array(n, sizeof(*x->ids));
    x->refs = alloc_array(n, sizeof(*x->refs));
    x->ix = alloc_array(n, sizeof(*x->ix));
    int rc = 0;
    if (!val || !x->ids || !x->refs || !x->ix) {
        rc = oom(err);
        goto out_free;
    }
    /* every account in scope, customer or not: a referrer need not have bought itself */
    for (size_t i = 0; i < n; i++) {
        x->ids[i] = x->d.accounts[i].id;
        size_t c = value_find(&x->r, x->ids[i]);
        val[i] = c == CV_NO_INDEX ? 0 : value_of(&x->r.c[c], (enum value_measure)x->p.measure);
    }
    rc = referral_values(x->d.referrals, x->d.nreferrals, x->ids, val, n, x->p.second_degree,
                         x->refs, err);
    if (rc < 0)
        goto out_free;
    const bool one = given(&x->p, "account");
    for (size_t i = 0; i < n; i++) {
        if (x->refs[i].referred == 0 || (one && x->ids[i] != x->p.account))
            continue;
        x->ix[x->m++] = i;
        x->referred_total += x->refs[i].value1;
    }
    for (size_t i = 0; i < n; i++)
        val[i] = x->refs[i].total; /* by referral value */
    if (!value_sort_desc(x->ix, x->m, val))
        rc = oom(err);
    x->shown = shown_of(&x->p, x->m);
out_free:
    free(val);
    return rc;
}

int value_run(enum value_analysis a, const struct value_params *p, const struct value_scope *scope,
              struct value_report *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->analysis = a;
    out->p = *p;
    out->scoped = scope->accounts != NULL;
    out->account = CV_NO_INDEX;
    int rc = parse_sections(a == VALUE_DRIVERS ? p->sections : NULL, &out->sections, err);
    if (rc == 0)
        rc = load(scope, out, err);
    if (rc == 0) {
        switch (a) {
        case VALUE_FIT:
            break;
        case VALUE_CLV:
            rc = run_clv(out, err);
            break;
        case VALUE_DIST:
            rc = run_dist(out, err);
            break;
        case VALUE_DRIVERS:
            rc = run_drivers(out, err);
            break;
        case VALUE_RFM:
            rc = run_rfm(out, err);
            break;
        case VALUE_REAP:
            rc = run_reap(out, err);
            break;
        case VALUE_XSELL:
            rc = run_xsell(out, err);
            break;
        case VALUE_REFERRALS:
            rc = run_referrals(out, err);
            break;
        default:
            BUG("no value analysis %d", (int)a);
        }
    }
    if (rc < 0) {
        enum value_failure why = out->failure ? out->failure : VALUE_FAILED_OTHER;
        value_report_release(out);
        out->failure = why;
    }
    return rc;
}

/* ---- --summary ------------------------------------------------------------------------------ */

int value_run_summary(enum value_analysis a, const struct value_params *p, FILE *in,
                      const char *name, struct value_report *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->analysis = a;
    out->p = *p;
    out->from_summary = true;
    out->summary_name = name;
    out->account = CV_NO_INDEX;
    struct value_summary_file *sf = &out->sf;
    struct value_model *m = &out->r.model;
    int rc = value_summary_read(in, name, sf, err);
    if (rc < 0)
        goto out_fail;
    if (a == VALUE_CLV && !sf->has_monetary) {
        rc = kith_err(err, KITH_EINVAL,
                      "%s: lifetime value needs a monetary_value (or zbar) column", name);
        goto out_fail;
    }
    out->fit = (struct clv_fit_options){.max_iter = (int)p->max_iter,
                                        .grad_tol = CLV_FIT_DEFAULT_GRAD_TOL};
    rc = bgnbd_fit(sf->cust, sf->n, &out->fit, &m->bg, &m->bg_info, err);
    if (rc == 0 && sf->has_monetary)
        rc = gg_fit(sf->cust, sf->n, &out->fit, &m->gg, &m->gg_info, err);
    if (rc == KITH_ENOCONV) {
        out->failure = VALUE_FAILED_NOT_CONVERGED;
        rc = kith_err(err, KITH_ENOCONV, "%s: the fit did not converge; no %s (max_iter is %lld)",
                      name, a == VALUE_FIT ? "parameters" : "values", (long long)p->max_iter);
    }
    if (rc < 0)
        goto out_fail;
    m->fitted = true;
    m->ncustomers = sf->n;
    for (size_t i = 0; i < sf->n; i++)
        m->nrepeat += sf->cust[i].x > 0;
    m->margin_ratio = NAN;
    if (a == VALUE_FIT)
        return 0;
    out->m = sf->n;
    out->shown = shown_of(p, sf->n);
    const struct clv_horizon h = {.steps = (int)p->horizon,
                                  .step = (365.25 / 12) / p->unit_days,
                                  .discount = pow(1 + p->discount, 1.0 / 12) - 1,
                                  .margin = given(p, "margin") ? p->margin : 1};
    out->pa = alloc_array(out->shown, sizeof(*out->pa));
    out->ey = alloc_array(out->shown, sizeof(*out->ey));
    out->sv = alloc_array(out->shown, sizeof(*out->sv));
    if (!out->pa || !out->ey || !out->sv)
        rc = kith_err(err, KITH_ENOMEM, "out of memory for %zu customers", out->shown);
    else
        rc = value_predict_summaries(&m->bg, &m->gg, sf->cust, out->shown, &h, out->pa, out->ey,
                                     out->sv, err);
    if (rc == 0)
        return 0;
out_fail:;
    enum value_failure why = out->failure ? out->failure : VALUE_FAILED_OTHER;
    value_report_release(out);
    out->failure = why;
    return rc;
}

void value_report_release(struct value_report *r)
{
    for (size_t k = 0; k < r->nby; k++)
        grouping_release(&r->by[k]);
    grouping_release(&r->attrition);
    grouping_release(&r->cost);
    free(r->ix);
    free(r->v);
    drivers_acquisition_release(&r->acq);
    drivers_cohorts_release(&r->coh);
    value_holdings_release(&r->hold);
    free(r->rin);
    free(r->sc);
    free(r->rein);
    free(r->tag);
    basket_set_release(&r->bs);
    basket_rules_release(&r->rules);
    basket_offers_release(&r->offers);
    free(r->ids);
    free(r->refs);
    value_summary_file_release(&r->sf);
    free(r->pa);
    free(r->ey);
    free(r->sv);
    value_result_release(&r->r);
    cv_data_release(&r->d);
    memset(r, 0, sizeof(*r));
}
