/*
 * value_run.c - value_run(): one customer value analysis over the caller's accounts. Loads the
 * parts it needs through store_cv_load(), builds the customers (and the models, fitted on every
 * customer when the scope is partial), runs the engine and fills a struct value_report (value.h).
 * The calling sequence is in docs/internals/value.md.
 */
#include "analysis/value.h"

#include <math.h>
#include <string.h>

#include "io/value_json.h"
#include "util/alloc.h"

#include "util/banned.h"

static bool given(const struct value_params *p, const char *name)
{
    return param_given(&analysis_value, p, name);
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
    [VALUE_CHECK] = STORE_CV_ORDERS,
};

static enum run_mode mode_of(const struct value_report *x)
{
    switch (x->analysis) {
    case VALUE_FIT:
    case VALUE_CHECK:
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
    *fit = (struct clv_fit_options){.max_iter = (int)p->max_iter,
                                    .grad_tol = CLV_FIT_DEFAULT_GRAD_TOL};
    vo->fit = fit;
}

/* Repeat buyers among r's customers: those with an order on a second day (x > 0). */
static size_t repeat_buyers(const struct value_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->c[i].rfm.x > 0;
    return n;
}

/*
 * True when a fit's error means the data cannot determine the models (it did not converge, or
 * there is nothing to fit, such as no repeat buyer), rather than a failure of the run.
 */
static bool cannot_fit(int rc)
{
    return rc == KITH_ENOCONV || rc == KITH_EINVAL;
}

/*
 * Why the models could not be fitted, into x->model_reason. The optimiser's message is left
 * out: it quotes the parameters it stopped at, and a fit that did not converge has none to give.
 */
static void set_model_reason(struct value_report *x, size_t nrepeat)
{
    if (nrepeat == 0)
        snprintf(x->model_reason, sizeof(x->model_reason),
                 "no customer has ordered on two different days by the as-of day, and lifetime "
                 "value needs repeat purchases to fit its model");
    else
        snprintf(x->model_reason, sizeof(x->model_reason),
                 "the lifetime value model did not converge on the customers' orders: they may "
                 "be too few or too alike to determine it (max_iter is %lld)",
                 (long long)x->p.max_iter);
}

/* The error of `fit` when the models cannot be fitted: it has nothing else to show. */
static int not_converged(struct value_report *x, size_t nrepeat, struct kith_error *err)
{
    x->failure = VALUE_FAILED_NOT_CONVERGED;
    set_model_reason(x, nrepeat);
    return kith_err(err, KITH_ENOCONV,
                    "%s, so there are no parameters; measures that need no model (to_date, "
                    "current, profit) still answer",
                    x->model_reason);
}

/*
 * The models could not be fitted: every customer gets the documented proxy from its own history
 * (docs/value.md, "Proxy values"); P(alive) and expected orders are unknown. The report says so
 * (no_model, model_reason) and the run goes on.
 */
static void predict_without_model(struct value_report *x, size_t ncustomers, size_t nrepeat)
{
    x->no_model = true;
    set_model_reason(x, nrepeat);
    struct value_model *m = &x->r.model;
    m->fitted = false;
    m->bg = (struct bgnbd_params){0};
    m->gg = (struct gg_params){0};
    m->bg_info = m->gg_info = (struct clv_fit_info){0};
    m->ncustomers = ncustomers;
    m->nrepeat = nrepeat;
    value_predict_without_model(&x->r, &x->vo);
}

const char *value_report_warning(const struct value_report *r, char *buf, size_t size)
{
    if (!r->no_model) {
        snprintf(buf, size, "%s", "");
        return buf;
    }
    snprintf(buf, size,
             "%s; predicted values are the proxy from each customer's own history (its net value "
             "to date as a yearly rate, basis history), P(alive) and expected orders are unknown",
             r->model_reason);
    return buf;
}

/*
 * The models fitted on every customer, for a run over some accounts only: an account then has
 * the same predicted value whoever asks, and a small scope (a partner's few dozen customers
 * rarely determine four BG/NBD parameters) is valued as well as a large one.
 */
static int company_model(struct store *s, struct value_report *x, struct value_model *m,
                         int *fit_rc, struct kith_error *err)
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
    vo.as_of_day = x->vo.as_of_day; /* check: the calibration's end, as for the scope's own */
    rc = value_customers_build(&d, &vo, &r, err);
    if (rc == 0) {
        *fit_rc = value_fit(&r, &vo, err);
        *m = r.model; /* the margin ratio also when the fit failed */
        m->ncustomers = r.n;
        m->nrepeat = repeat_buyers(&r);
        if (*fit_rc == 0)
            rc = value_diag(x, &r, err);
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
    if (x->analysis == VALUE_CHECK && (rc = value_check_prepare(x, err)) < 0)
        return rc;
    const enum run_mode mode = mode_of(x);
    struct value_model company;
    int fit_rc = 0;
    const bool shared = mode != RUN_CUSTOMERS && x->scoped;
    if (shared) {
        rc = company_model(scope->store, x, &company, &fit_rc, err);
        if (rc < 0)
            return rc;
        x->vo.margin_ratio = company.margin_ratio; /* to-date margins as everyone's */
    }
    rc = value_customers_build(&x->d, &x->vo, &x->r, err);
    if (rc < 0 || mode == RUN_CUSTOMERS)
        return rc;
    size_t ncustomers = x->r.n, nrepeat;
    if (shared) {
        x->r.model = company;
        ncustomers = company.ncustomers;
        nrepeat = company.nrepeat;
    } else {
        fit_rc = value_fit(&x->r, &x->vo, err);
        nrepeat = repeat_buyers(&x->r);
        if (fit_rc == 0 && (rc = value_diag(x, &x->r, err)) < 0)
            return rc;
    }
    if (fit_rc < 0 && !cannot_fit(fit_rc))
        return fit_rc;
    if (fit_rc < 0 && mode == RUN_MODEL)
        return not_converged(x, nrepeat, err);
    if (fit_rc < 0) {
        predict_without_model(x, ncustomers, nrepeat);
        return 0;
    }
    return mode == RUN_PREDICT ? value_predict(&x->r, &x->vo, err) : 0;
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

/*
 * x->account = the index of p.account among the customers. An id that names no account (in
 * scope) is VALUE_FAILED_NO_ACCOUNT, an account without an order by the as-of day
 * VALUE_FAILED_NOT_CUSTOMER; both KITH_ENOTFOUND. A scoped caller cannot tell an account outside
 * its scope from one that does not exist.
 */
static int find_account(struct value_report *x, struct kith_error *err)
{
    x->has_account = true;
    x->account = value_find(&x->r, x->p.account);
    if (x->account != CV_NO_INDEX)
        return 0;
    const long long id = (long long)x->p.account;
    if (cv_account_index(&x->d, x->p.account) == CV_NO_INDEX) {
        x->failure = VALUE_FAILED_NO_ACCOUNT;
        return kith_err(err, KITH_ENOTFOUND, "no such account: %lld%s", id,
                        x->scoped ? " (or not one you may see)" : "");
    }
    x->failure = VALUE_FAILED_NOT_CUSTOMER;
    return kith_err(err, KITH_ENOTFOUND,
                    "account %lld is not a customer: it has no order on or before the as-of day",
                    id);
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
    if (rc == 0)
        rc = value_wallet_dist_build(&x->r, NULL, 0, &x->wallet, err);
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
        if (rc == 0 && x->no_model) /* no P(alive): the expected figures are unknown, not 0 */
            for (size_t k = 0; k <= g->g.n; k++)
                (k < g->g.n ? &g->attrition[k] : &g->all_attrition)->expected_lost = NAN;
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

/*
 * run_rfm() after the scores: the account, or the segments and the list. order: the customers
 * by value to date (copied), or NULL to sort them here.
 */
static int rfm_select(struct value_report *x, const size_t *order, struct kith_error *err)
{
    if (given(&x->p, "account"))
        return find_account(x, err);
    for (size_t i = 0; i < x->r.n; i++) {
        x->seg_count[x->sc[i].segment]++;
        x->seg_value[x->sc[i].segment] += x->r.c[i].to_date;
    }
    if (order && (x->ix = alloc_array(x->r.n ? x->r.n : 1, sizeof(*x->ix))))
        memcpy(x->ix, order, x->r.n * sizeof(*x->ix));
    else if (!order)
        x->ix = value_order(&x->r, VALUE_TO_DATE);
    if (!x->ix)
        return oom(err);
    const bool one = given(&x->p, "segment"); /* the list: of one segment, by value to date */
    for (size_t k = 0; k < x->r.n; k++)
        if (!one || x->sc[x->ix[k]].segment == x->p.segment)
            x->ix[x->m++] = x->ix[k];
    x->shown = shown_of(&x->p, x->m);
    return 0;
}

static int run_rfm(struct value_report *x, struct kith_error *err)
{
    int rc = rfm_scores(x, err);
    return rc < 0 ? rc : rfm_select(x, NULL, err);
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

static int run(enum value_analysis a, const struct value_params *p, const struct value_scope *scope,
               bool select, struct value_report *out, struct kith_error *err);

/* The rules and every customer's offers (what value_xsell_view() selects from). */
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
    return 0;
}

/* The offers of one account, or of the first customers that have any, and the rules shown. */
static int xsell_select(struct value_report *x, struct kith_error *err)
{
    const struct basket_offer *of = x->offers.offers;
    x->lo = 0;
    x->hi = x->offers.n;
    if (given(&x->p, "account")) {
        int rc = find_account(x, err);
        if (rc < 0)
            return rc;
        size_t hi = x->offers.n; /* offers ascend by customer: the first of the account's */
        while (x->lo < hi) {
            const size_t mid = x->lo + (hi - x->lo) / 2;
            if (of[mid].customer < x->account)
                x->lo = mid + 1;
            else
                hi = mid;
        }
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

void value_xsell_key(const struct value_params *p, struct value_xsell_key *k)
{
    memset(k, 0, sizeof(*k));
    k->as_of_day = given(p, "as_of") ? cv_day(p->as_of) : INT64_MIN;
    k->min_support = p->min_support;
    k->min_confidence = p->min_confidence;
    k->min_lift = p->min_lift;
    k->max_len = p->max_len;
    k->offers = p->offers;
}

int value_xsell_mine(const struct value_params *p, const struct value_scope *scope,
                     struct value_report *out, struct kith_error *err)
{
    int rc = run(VALUE_XSELL, p, scope, false, out, err);
    if (rc == 0) { /* what the answers never read again: kept reports hold less */
        basket_set_release(&out->bs);
        value_holdings_release(&out->hold);
    }
    return rc;
}

int value_xsell_view(const struct value_report *mined, const struct value_params *p,
                     struct value_report *view, struct kith_error *err)
{
    *view = *mined;
    view->p = *p;
    view->has_account = false;
    view->account = CV_NO_INDEX;
    view->failure = VALUE_FAILED_NOT;
    int rc = xsell_select(view, err);
    if (rc < 0 && !view->failure)
        view->failure = VALUE_FAILED_OTHER;
    return rc;
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

/* value_run(); select false: xsell stops before choosing what to show (value_xsell_mine()). */
static int run(enum value_analysis a, const struct value_params *p, const struct value_scope *scope,
               bool select, struct value_report *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->analysis = a;
    out->p = *p;
    out->scoped = scope->accounts != NULL;
    out->account = CV_NO_INDEX;
    out->computed_at = store_now_ms();
    int rc = value_sections_parse(a == VALUE_DRIVERS ? p->sections : NULL, &out->sections, err);
    if (rc == 0) /* before the load: a write between the two makes the figures stale, not wrong */
        rc = store_value_version(scope->store, &out->data_version, err);
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
            if (rc == 0 && select)
                rc = xsell_select(out, err);
            break;
        case VALUE_REFERRALS:
            rc = run_referrals(out, err);
            break;
        case VALUE_CHECK:
            rc = value_check_run(out, err);
            break;
        default:
            BUG("no value analysis %d", (int)a);
        }
    }
    if (rc == 0)
        value_window_warnings(out);
    if (rc < 0) {
        enum value_failure why = out->failure ? out->failure : VALUE_FAILED_OTHER;
        value_report_release(out);
        out->failure = why;
    }
    return rc;
}

int value_run(enum value_analysis a, const struct value_params *p, const struct value_scope *scope,
              struct value_report *out, struct kith_error *err)
{
    return run(a, p, scope, true, out, err);
}

/* ---- views of the kept figures -------------------------------------------------------------- */

/*
 * y->d: the kept accounts in scope (ascending, as the scope), sharing the kept labels and names.
 * The label lists are every account's, but no answer of clv or dist shows a label that none of
 * its customers has (dist leaves empty groups out), and the accounts themselves are those in
 * scope, so an account outside it is "no such account" as in a fresh run.
 */
static int kept_accounts(const struct value_kept *k, const struct value_scope *scope,
                         struct value_report *y, struct kith_error *err)
{
    const struct cv_data *all = &k->x.d;
    y->d = *all;
    y->d.accounts = NULL;
    y->d.naccounts = 0;
    if (scope->naccounts &&
        !(y->d.accounts = y->view_accounts = alloc_array(scope->naccounts, sizeof(*all->accounts))))
        return oom(err);
    for (size_t j = 0; j < scope->naccounts; j++) {
        const size_t i = cv_account_index(all, scope->accounts[j]);
        if (i != CV_NO_INDEX)
            y->view_accounts[y->d.naccounts++] = all->accounts[i];
    }
    return 0;
}

/* The customers of k whose account is in scope (both ascending), re-indexed into y->d. */
static int kept_subset(const struct value_kept *k, const struct value_scope *scope,
                       struct value_report *y, struct kith_error *err)
{
    const struct value_result *all = &k->x.r;
    y->r = *all;
    y->r.c = NULL;
    y->r.n = 0;
    const size_t cap = scope->naccounts < all->n ? scope->naccounts : all->n;
    if (cap && !(y->r.c = y->view_customers = alloc_array(cap, sizeof(*y->r.c))))
        return oom(err);
    for (size_t i = 0, j = 0; i < all->n && j < scope->naccounts;) {
        if (all->c[i].account_id < scope->accounts[j]) {
            i++;
        } else if (all->c[i].account_id > scope->accounts[j]) {
            j++;
        } else {
            struct value_customer *c = &y->r.c[y->r.n++];
            *c = all->c[i++];
            c->account = cv_account_index(&y->d, c->account_id);
            j++;
        }
    }
    return 0;
}

static int kept_view(const struct value_kept *k, const struct value_scope *scope,
                     struct value_report *y, struct kith_error *err)
{
    const struct value_report *x = &k->x;
    y->vo = x->vo;
    y->fit = x->fit;
    y->vo.fit = &y->fit;
    y->computed_at = k->computed_at;
    y->data_version = k->data_version;
    int rc;
    y->kept = true;
    if (!y->scoped) {
        y->d = x->d;
        y->r = x->r;
    } else if ((rc = kept_accounts(k, scope, y, err)) < 0 ||
               (rc = kept_subset(k, scope, y, err)) < 0) {
        return rc;
    }
    if (y->r.n == 0) {
        y->failure = VALUE_FAILED_NO_CUSTOMERS;
        return kith_err(err, KITH_ENOTFOUND,
                        "no customers to analyse: there are no orders on or before the as-of "
                        "day among the %s",
                        y->scoped ? "accounts you may read" : "accounts");
    }
    if (mode_of(y) != RUN_CUSTOMERS) { /* what the fit said, as value_run() would */
        y->no_model = x->no_model;
        memcpy(y->model_reason, x->model_reason, sizeof(y->model_reason));
        y->has_diag = x->has_diag;
        y->bg_diag = x->bg_diag;
        y->gg_diag = x->gg_diag;
        memcpy(y->warnings, x->warnings, sizeof(y->warnings));
        y->nwarnings = x->nwarnings;
    }
    if (y->analysis == VALUE_FIT) /* the company's models, whoever asks */
        return y->no_model ? not_converged(y, x->r.model.nrepeat, err) : 0;
    if (y->analysis == VALUE_DIST)
        return run_dist(y, err);
    if (y->analysis == VALUE_RFM) { /* every customer's scores kept for the default new_days */
        if (y->scoped || !k->sc || y->p.new_days != k->rfm_new_days)
            return run_rfm(y, err);
        y->rin = k->rin;
        y->sc = k->sc;
        y->rfm_kept = true;
        return rfm_select(y, k->order[VALUE_TO_DATE], err);
    }
    if (y->scoped || given(&y->p, "account"))
        return run_clv(y, err);
    y->ix = k->order[y->p.sort]; /* every customer, already ordered */
    y->ix_kept = true;
    y->m = y->r.n;
    y->shown = shown_of(&y->p, y->m);
    y->proxies = x->proxies;
    y->total_lifetime = x->total_lifetime;
    return 0;
}

int value_kept_view(const struct value_kept *k, enum value_analysis a, const struct value_params *p,
                    const struct value_scope *scope, struct value_report *out,
                    struct kith_error *err)
{
    if ((a != VALUE_FIT && a != VALUE_CLV && a != VALUE_DIST && a != VALUE_RFM) ||
        !value_kept_covers(p))
        BUG("value_kept_view: analysis %d or parameters the kept figures do not cover", (int)a);
    memset(out, 0, sizeof(*out));
    out->analysis = a;
    out->p = *p;
    out->scoped = scope->accounts != NULL;
    out->account = CV_NO_INDEX;
    int rc = kept_view(k, scope, out, err);
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
        rc = gg_fit_rule(sf->cust, sf->n, &out->fit, &m->gg, &m->gg_info, &m->gg_excluded, err);
    if (rc == KITH_ENOCONV) {
        out->failure = VALUE_FAILED_NOT_CONVERGED;
        rc = kith_err(err, KITH_ENOCONV, "%s: the fit did not converge; no %s (max_iter is %lld)",
                      name, a == VALUE_FIT ? "parameters" : "values", (long long)p->max_iter);
    }
    if (rc < 0)
        goto out_fail;
    if (rc == 0)
        rc = bgnbd_fit_diag(&m->bg, sf->cust, sf->n, &out->bg_diag, err);
    if (rc == 0 && sf->has_monetary)
        rc = gg_fit_diag(&m->gg, sf->cust, sf->n, &out->gg_diag, err);
    if (rc < 0)
        goto out_fail;
    out->has_diag = true;
    value_diag_warnings(out);
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
        rc = value_predict_summaries(&m->bg, &m->gg, sf->cust, NULL, out->shown, &h, out->pa,
                                     out->ey, out->sv, err);
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
    if (r->kept) { /* a view: d and r (and maybe ix) belong to the kept figures */
        free(r->view_accounts);
        free(r->view_customers);
        r->d = (struct cv_data){0};
        r->r = (struct value_result){0};
        if (r->ix_kept)
            r->ix = NULL;
        if (r->rfm_kept) {
            r->rin = NULL;
            r->sc = NULL;
        }
    }
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
