/*
 * value.c - GET /api/v1/value/{fit,clv,dist,drivers,rfm,reap,xsell,referrals}: the customer
 * value engine over HTTP (DESIGN.md §6). Query parameters are the options of `kith value <sub>`
 * in snake_case; answers are the objects `kith value <sub> --json` prints, built from the same
 * io/value_json.h encoders. Everything is computed over the accounts the caller may read
 * (api_scope() on accounts -> store_scope_account_ids() -> store_cv_load()); the models alone
 * are fitted on every customer (company_model()).
 * docs/api.md documents the routes; docs/internals/value.md the calling sequence.
 */
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "api/handlers.h"
#include "engine/basket.h"
#include "engine/dist.h"
#include "engine/drivers.h"
#include "engine/reap.h"
#include "engine/referral.h"
#include "engine/rfm.h"
#include "engine/value.h"
#include "io/value_json.h"
#include "util/timefmt.h"

#include "util/banned.h"

/* Lists stay bounded: a request never builds more than this many rows of a list. */
#define VALUE_LIMIT_DEFAULT 100
#define VALUE_LIMIT_MAX     10000
#define VALUE_OFFERS_MAX    100 /* offers per customer (the CLI allows 1000; the API bounds it) */

/* ---- parameters ------------------------------------------------------------------------- */

/* Parameter groups: which routes take which parameters (as the CLI's option groups). */
enum {
    P_AS_OF = 1 << 0,
    P_MODEL = 1 << 1, /* horizon discount margin proxy_days proxy_min max_iter */
    P_LIMIT = 1 << 2,
    P_ACCOUNT = 1 << 3,
    P_SORT = 1 << 4,
    P_MEASURE = 1 << 5,
    P_BY = 1 << 6,
    P_LORENZ = 1 << 7,
    P_PERIOD = 1 << 8, /* period window */
    P_SECTIONS = 1 << 9,
    P_NEW = 1 << 10,
    P_SEGMENT = 1 << 11,
    P_REAP = 1 << 12,   /* lever low_value alive_min cost_share */
    P_BASKET = 1 << 13, /* min_support min_confidence min_lift max_len rules offers */
    P_SECOND = 1 << 14,
};

static const struct {
    const char *name;
    unsigned group;
} param_names[] = {
    {"as_of", P_AS_OF},       {"horizon", P_MODEL},        {"discount", P_MODEL},
    {"margin", P_MODEL},      {"proxy_days", P_MODEL},     {"proxy_min", P_MODEL},
    {"max_iter", P_MODEL},    {"limit", P_LIMIT},          {"account", P_ACCOUNT},
    {"sort", P_SORT},         {"measure", P_MEASURE},      {"by", P_BY},
    {"lorenz", P_LORENZ},     {"period", P_PERIOD},        {"window", P_PERIOD},
    {"sections", P_SECTIONS}, {"new_days", P_NEW},         {"segment", P_SEGMENT},
    {"lever", P_REAP},        {"low_value", P_REAP},       {"alive_min", P_REAP},
    {"cost_share", P_REAP},   {"min_support", P_BASKET},   {"min_confidence", P_BASKET},
    {"min_lift", P_BASKET},   {"max_len", P_BASKET},       {"rules", P_BASKET},
    {"offers", P_BASKET},     {"second_degree", P_SECOND},
};
#define NPARAMS (sizeof(param_names) / sizeof(param_names[0]))

static const char *const driver_sections[] = {"acquisition", "cohorts", "attrition",
                                              "holding",     "cost",    "migration"};
#define NSECTIONS (sizeof(driver_sections) / sizeof(driver_sections[0]))

/* The options of one request, defaults as the CLI's. */
struct vparams {
    const char *sub;
    int32_t as_of_day; /* STORE_CV_AS_OF_LATEST unless as_of */
    int horizon;
    double discount;
    double margin;
    int proxy_days;
    long long proxy_min;
    int max_iter;
    size_t limit;
    bool has_account;
    int64_t account;
    enum value_measure sort;
    enum value_measure measure;
    bool by_set;
    enum value_by by;
    size_t lorenz;
    enum drivers_period period;
    int window;
    unsigned sections; /* bit k: driver_sections[k]; 0 = all */
    int new_days;
    bool segment_set;
    enum rfm_segment segment;
    bool lever_set;
    enum reap_lever lever;
    bool low_value;
    struct reap_options reap;
    struct basket_options basket;
    size_t offers;
    size_t rules;
    double second;
};

static void vparams_default(struct vparams *p, const char *sub)
{
    memset(p, 0, sizeof(*p));
    p->sub = sub;
    p->as_of_day = STORE_CV_AS_OF_LATEST;
    p->horizon = 36;
    p->discount = 0.10;
    p->margin = -1;
    p->proxy_days = 90;
    p->proxy_min = 5;
    p->max_iter = CLV_FIT_DEFAULT_MAX_ITER;
    p->limit = VALUE_LIMIT_DEFAULT;
    p->sort = VALUE_LIFETIME;
    p->measure = VALUE_LIFETIME;
    p->lorenz = 21;
    p->period = DRIVERS_QUARTER;
    p->window = 365;
    p->new_days = RFM_NEW_DAYS_DEFAULT;
    reap_options_default(&p->reap);
    basket_options_default(&p->basket);
    p->offers = 3;
    p->rules = VALUE_LIMIT_DEFAULT;
    p->second = 0.5;
}

/* The first query argument that this route does not take, or that is given twice. */
struct arg_check {
    unsigned allowed;
    unsigned seen[NPARAMS];
    const char *bad;
    bool twice;
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    (void)value;
    struct arg_check *c = cls;
    for (size_t i = 0; key && i < NPARAMS; i++) {
        if (strcmp(param_names[i].name, key) == 0 && (param_names[i].group & c->allowed)) {
            if (++c->seen[i] == 1)
                return MHD_YES;
            c->twice = true;
            break;
        }
    }
    c->bad = key ? key : "";
    return MHD_NO;
}

/* A 400 naming the parameter, its value and what it must be. */
static bool bad_param(struct api_response *res, const char *name, const char *v, const char *want)
{
    api_error(res, 400, "invalid", name, "%s '%.40s': %s", name, v, want);
    return false;
}

/* A number from lo to hi (finite; no blanks), when given. */
static bool q_number(const struct api_request *req, struct api_response *res, const char *name,
                     double lo, double hi, double *out)
{
    const char *v = api_query(req, name);
    if (!v)
        return true;
    char *end = NULL;
    double d = *v && *v != ' ' ? strtod(v, &end) : NAN;
    if (!end || end == v || *end || !(d >= lo && d <= hi)) {
        api_error(res, 400, "invalid", name, "%s '%.40s' must be a number from %g to %g", name, v,
                  lo, hi);
        return false;
    }
    *out = d;
    return true;
}

/* A whole number from lo to hi, when given. */
static bool q_whole(const struct api_request *req, struct api_response *res, const char *name,
                    long long lo, long long hi, long long *out)
{
    const char *v = api_query(req, name);
    if (!v)
        return true;
    char *end = NULL;
    errno = 0;
    long long n = (*v >= '0' && *v <= '9') || *v == '-' ? strtoll(v, &end, 10) : 0;
    if (!end || end == v || *end || errno || n < lo || n > hi) {
        api_error(res, 400, "invalid", name, "%s '%.40s' must be a whole number from %lld to %lld",
                  name, v, lo, hi);
        return false;
    }
    *out = n;
    return true;
}

static bool q_int(const struct api_request *req, struct api_response *res, const char *name, int lo,
                  int hi, int *out)
{
    long long v = *out;
    if (!q_whole(req, res, name, lo, hi, &v))
        return false;
    *out = (int)v;
    return true;
}

static bool q_size(const struct api_request *req, struct api_response *res, const char *name,
                   size_t lo, size_t hi, size_t *out)
{
    long long v = (long long)*out;
    if (!q_whole(req, res, name, (long long)lo, (long long)hi, &v))
        return false;
    *out = (size_t)v;
    return true;
}

static bool q_measure(const struct api_request *req, struct api_response *res, const char *name,
                      enum value_measure *out)
{
    const char *v = api_query(req, name);
    if (v && !value_measure_parse(v, out))
        return bad_param(res, name, v,
                         "one of lifetime, predicted, to_date, current, profit, profit_current");
    return true;
}

static bool q_sections(const struct api_request *req, struct api_response *res, unsigned *out)
{
    const char *v = api_query(req, "sections");
    if (!v)
        return true;
    *out = 0;
    for (const char *s = v;; s++) {
        size_t n = strcspn(s, ",");
        size_t k = 0;
        while (k < NSECTIONS &&
               !(strlen(driver_sections[k]) == n && strncmp(driver_sections[k], s, n) == 0))
            k++;
        if (k == NSECTIONS)
            return bad_param(res, "sections", v,
                             "a comma-separated list of acquisition, cohorts, attrition, holding, "
                             "cost, migration");
        *out |= 1u << k;
        s += n;
        if (!*s)
            break;
    }
    return true;
}

/*
 * Reads the query string into p for a route that takes the parameter groups allowed; false
 * with a 400 naming the parameter in res when one is unknown here, repeated or out of range.
 */
static bool parse_params(const struct api_request *req, unsigned allowed, struct vparams *p,
                         struct api_response *res)
{
    struct arg_check c = {.allowed = allowed};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, check_arg, &c);
    if (c.bad) {
        if (c.twice)
            api_error(res, 400, "invalid", c.bad, "%.60s is given twice", c.bad);
        else
            api_error(res, 400, "invalid", c.bad,
                      "/api/v1/value/%s takes no parameter '%.60s' (docs/api.md lists them)",
                      p->sub, c.bad);
        return false;
    }
    const char *v = api_query(req, "as_of");
    if (v) {
        struct kith_error err = {0};
        int64_t ms;
        if (timefmt_parse(v, strlen(v), &ms, &err) < 0) {
            api_error(res, 400, "invalid", "as_of", "as_of: %s", err.msg);
            return false;
        }
        p->as_of_day = cv_day(ms);
    }
    long long account = 0;
    if (!q_int(req, res, "horizon", 1, 1200, &p->horizon) ||
        !q_number(req, res, "discount", 0, 10, &p->discount) ||
        !q_number(req, res, "margin", 0, 1, &p->margin) ||
        !q_int(req, res, "proxy_days", 0, 36600, &p->proxy_days) ||
        !q_whole(req, res, "proxy_min", 1, 1000000, &p->proxy_min) ||
        !q_int(req, res, "max_iter", 1, 1000000, &p->max_iter) ||
        !q_size(req, res, "limit", 1, VALUE_LIMIT_MAX, &p->limit) ||
        !q_whole(req, res, "account", 1, INT64_MAX, &account) ||
        !q_measure(req, res, "sort", &p->sort) || !q_measure(req, res, "measure", &p->measure) ||
        !q_size(req, res, "lorenz", 2, DIST_LORENZ_MAX, &p->lorenz) ||
        !q_int(req, res, "window", 1, 36600, &p->window) || !q_sections(req, res, &p->sections) ||
        !q_int(req, res, "new_days", 0, 36600, &p->new_days) ||
        !q_number(req, res, "alive_min", 0, 1, &p->reap.alive_min) ||
        !q_number(req, res, "cost_share", 0, 100, &p->reap.cost_share) ||
        !q_number(req, res, "min_support", 1e-9, 1, &p->basket.min_support) ||
        !q_number(req, res, "min_confidence", 0, 1, &p->basket.min_confidence) ||
        !q_number(req, res, "min_lift", 0, 1e9, &p->basket.min_lift) ||
        !q_int(req, res, "max_len", 2, BASKET_MAX_LEN, &p->basket.max_len) ||
        !q_size(req, res, "rules", 1, VALUE_LIMIT_MAX, &p->rules) ||
        !q_size(req, res, "offers", 0, VALUE_OFFERS_MAX, &p->offers) ||
        !q_number(req, res, "second_degree", 0, 1, &p->second))
        return false;
    p->has_account = account > 0;
    p->account = account;
    if ((v = api_query(req, "by")) != NULL) {
        if (!value_by_parse(v, &p->by))
            return bad_param(res, "by", v, "one of unit, segment, industry, source, none");
        p->by_set = true;
    }
    if ((v = api_query(req, "period")) && !drivers_period_parse(v, &p->period))
        return bad_param(res, "period", v, "month, quarter or year");
    if ((v = api_query(req, "segment")) != NULL) {
        if (!rfm_segment_parse(v, &p->segment))
            return bad_param(res, "segment", v,
                             "not an RFM segment (GET /api/v1/value/rfm lists them)");
        p->segment_set = true;
    }
    if ((v = api_query(req, "lever")) != NULL) {
        if (!reap_lever_parse(v, &p->lever))
            return bad_param(res, "lever", v, "retain, efficiency, acquire or penetrate");
        p->lever_set = true;
    }
    if ((v = api_query(req, "low_value")) != NULL) {
        if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "1") && strcmp(v, "0"))
            return bad_param(res, "low_value", v, "true or false");
        p->low_value = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
    }
    return true;
}

/* ---- loading, scoped -------------------------------------------------------------------- */

/* What every route works on (as the CLI's struct run). */
struct run {
    struct cv_data d;
    struct value_options vo;
    struct clv_fit_options fit;
    struct value_result r;
};

/* True when some loaded order is on or before the as-of day: there is a customer to value. */
static bool has_customer(const struct cv_data *d)
{
    for (size_t i = 0; i < d->norders; i++)
        if (cv_day(d->orders[i].at) <= d->as_of_day)
            return true;
    return false;
}

/*
 * The answer to a fit that did not converge. The optimiser's message is left out: it quotes the
 * parameters it stopped at, and a fit that did not converge has none to give.
 */
static void not_converged(struct api_response *res, const struct vparams *p, const char *none)
{
    api_error(res, 422, "not_converged", NULL,
              "the model did not converge on the customers in scope, so there are no %s: their "
              "orders may be too few or too alike to determine it (max_iter is %d); measures "
              "that need no model (to_date, current, profit) still answer",
              none, p->max_iter);
}

/* What run_open() computes beyond the customers. */
enum run_mode {
    RUN_CUSTOMERS, /* the customers' histories only */
    RUN_MODEL,     /* and the fitted models */
    RUN_PREDICT,   /* and every customer's predicted value */
};

/* vo as the CLI's for p, on the as-of day of d. */
static void run_options(const struct vparams *p, int32_t as_of_day, struct run *x)
{
    value_options_default(&x->vo);
    x->vo.as_of_day = as_of_day;
    x->vo.horizon_months = p->horizon;
    x->vo.discount = p->discount;
    x->vo.margin_ratio = p->margin;
    x->vo.proxy_days = p->proxy_days;
    x->vo.proxy_min = (size_t)p->proxy_min;
    x->fit =
        (struct clv_fit_options){.max_iter = p->max_iter, .grad_tol = CLV_FIT_DEFAULT_GRAD_TOL};
    x->vo.fit = &x->fit;
}

/*
 * The models fitted on every customer, for a caller who sees only some: an account then has the
 * same predicted value whoever asks, and a small scope (a partner's few dozen customers rarely
 * determine four BG/NBD parameters) is valued as well as a large one. The parameters describe
 * the whole customer base, not any customer. False with the answer in res on failure.
 */
static bool company_model(struct api_request *req, const struct vparams *p, struct value_model *m,
                          struct api_response *res)
{
    struct kith_error err = {0};
    struct run all;
    memset(&all, 0, sizeof(all));
    const struct store_cv_request cr = {
        .parts = STORE_CV_ORDERS, .as_of_day = p->as_of_day, .current_days = 365};
    if (store_cv_load(req->store, &cr, &all.d, &err) < 0) {
        api_error_from(res, &err);
        return false;
    }
    run_options(p, all.d.as_of_day, &all);
    int rc = value_customers_build(&all.d, &all.vo, &all.r, &err);
    if (rc == 0)
        rc = value_fit(&all.r, &all.vo, &err);
    if (rc == 0)
        *m = all.r.model;
    else if (rc == KITH_ENOCONV)
        not_converged(res, p, p->sub[0] == 'f' ? "parameters" : "values predicted");
    else
        api_error_from(res, &err);
    value_result_release(&all.r);
    cv_data_release(&all.d);
    return rc == 0;
}

/*
 * Loads parts over the accounts the caller may read and builds the customers, with the models
 * (mode) fitted on every customer (company_model()). False with the answer in res on failure
 * (nothing left to release): 422 "no_customers" when nobody in scope ordered by the as-of day,
 * 422 "not_converged" when a fit does not converge (never any parameter), 422 "invalid" for
 * data the engine refuses.
 */
static bool run_open(struct api_request *req, const struct vparams *p, unsigned parts,
                     enum run_mode mode, struct run *x, struct api_response *res)
{
    memset(x, 0, sizeof(*x));
    struct store_scope scope;
    if (api_scope(req->who, model_table("accounts"), false, &scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role may not read accounts");
        return false;
    }
    struct kith_error err = {0};
    int64_t *ids = NULL;
    size_t nids = 0;
    if (store_scope_account_ids(req->store, &scope, &ids, &nids, &err) < 0) {
        api_error_from(res, &err);
        return false;
    }
    const struct store_cv_request cr = {.parts = parts,
                                        .accounts = ids,
                                        .naccounts = nids,
                                        .as_of_day = p->as_of_day,
                                        .current_days = 365};
    int rc = store_cv_load(req->store, &cr, &x->d, &err);
    free(ids);
    if (rc < 0) {
        api_error_from(res, &err);
        return false;
    }
    if (!has_customer(&x->d)) {
        char day[16];
        api_error(res, 422, "no_customers", NULL,
                  "no customers to analyse: none of the %s has an order on or before %s",
                  scope.all ? "accounts" : "accounts you may read",
                  value_json_day(x->d.as_of_day, day, sizeof(day)));
        cv_data_release(&x->d);
        return false;
    }
    run_options(p, x->d.as_of_day, x);
    struct value_model company;
    const bool shared = mode != RUN_CUSTOMERS && !scope.all;
    if (shared) {
        if (!company_model(req, p, &company, res)) {
            cv_data_release(&x->d);
            return false;
        }
        x->vo.margin_ratio = company.margin_ratio; /* to-date margins as everyone's */
    }
    rc = value_customers_build(&x->d, &x->vo, &x->r, &err);
    if (rc == 0 && mode != RUN_CUSTOMERS) {
        if (shared)
            x->r.model = company;
        else
            rc = value_fit(&x->r, &x->vo, &err);
    }
    if (rc == 0 && mode == RUN_PREDICT)
        rc = value_predict(&x->d, &x->r, &x->vo, &err);
    if (rc < 0) {
        value_result_release(&x->r);
        cv_data_release(&x->d);
        if (rc == KITH_ENOCONV)
            not_converged(res, p, mode == RUN_MODEL ? "parameters" : "values predicted");
        else
            api_error_from(res, &err);
        return false;
    }
    return true;
}

static void run_close(struct run *x)
{
    value_result_release(&x->r);
    cv_data_release(&x->d);
}

static bool measure_needs_model(enum value_measure m)
{
    return m == VALUE_LIFETIME || m == VALUE_PREDICTED;
}

/* ---- JSON helpers ----------------------------------------------------------------------- */

/*
 * Adds v under key. v is always consumed (NULL means out of memory); false when anything failed.
 * put_if() does nothing but drop v once an earlier step failed, so builders can chain.
 */
static bool put(json_t *o, const char *key, json_t *v)
{
    if (!o || !v) {
        json_decref(v);
        return false;
    }
    return json_object_set_new(o, key, v) == 0;
}

static bool put_if(bool ok, json_t *o, const char *key, json_t *v)
{
    if (!ok) {
        json_decref(v);
        return false;
    }
    return put(o, key, v);
}

static bool append(json_t *a, json_t *v)
{
    if (!a || !v) {
        json_decref(v);
        return false;
    }
    return json_array_append_new(a, v) == 0;
}

/* Appends j with "group": name added; j is always consumed. */
static bool append_group(json_t *list, json_t *j, const char *name)
{
    if (!put(j, "group", json_string(name))) {
        json_decref(j);
        return false;
    }
    return append(list, j);
}

static json_t *day_string(int32_t day)
{
    char buf[16];
    return json_string(value_json_day(day, buf, sizeof(buf)));
}

/* Money as value_json prints it: rounded to the cent. */
static json_t *cents(double v)
{
    return isfinite(v) ? json_real(round(v * 100) / 100) : json_null();
}

/* Answers 200 with o, or 500 when building it ran out of memory (o is consumed either way). */
static void answer(struct api_response *res, json_t *o, bool ok)
{
    if (!ok || !o) {
        json_decref(o);
        api_error(res, 500, "internal", NULL, "out of memory building the answer");
        return;
    }
    api_json(res, 200, o);
}

static void answer_err(struct api_response *res, const struct kith_error *err)
{
    api_error_from(res, err);
}

static void answer_oom(struct api_response *res)
{
    api_error(res, 500, "internal", NULL, "out of memory");
}

/* The customer account_id among r's, or a 404: out of scope reads as "not a customer". */
static bool find_account(const struct vparams *p, const struct value_result *r, size_t *i,
                         struct api_response *res)
{
    *i = value_find(r, p->account);
    if (*i == CV_NO_INDEX) {
        api_error(res, 404, "not_found", "account",
                  "account %lld is not a customer you may see (no order on or before the as-of "
                  "day, or not in your scope)",
                  (long long)p->account);
        return false;
    }
    return true;
}

/* ---- ordering --------------------------------------------------------------------------- */

static size_t at_most(size_t limit, size_t n)
{
    return limit < n ? limit : n;
}

/* ---- fit -------------------------------------------------------------------------------- */

void api_value_fit(struct api_request *req, struct api_response *res)
{
    struct vparams p;
    vparams_default(&p, "fit");
    struct run x;
    if (!parse_params(req, P_AS_OF | P_MODEL, &p, res) ||
        !run_open(req, &p, STORE_CV_ORDERS, RUN_MODEL, &x, res))
        return;
    json_t *o = json_object();
    bool ok =
        put(o, "as_of", day_string(x.r.as_of_day)) && put(o, "model", value_json_model(&x.r.model));
    answer(res, o, ok);
    run_close(&x);
}

/* ---- clv -------------------------------------------------------------------------------- */

/* "horizon_months", "discount", "proxy_days", "proxy_min" of the CLI's list answers. */
static bool put_value_options(json_t *o, const struct value_options *vo)
{
    return put(o, "horizon_months", json_integer(vo->horizon_months)) &&
           put(o, "discount", json_real(vo->discount)) &&
           put(o, "proxy_days", json_integer(vo->proxy_days)) &&
           put(o, "proxy_min", json_integer((json_int_t)vo->proxy_min));
}

void api_value_clv(struct api_request *req, struct api_response *res)
{
    struct vparams p;
    vparams_default(&p, "clv");
    struct run x;
    if (!parse_params(req, P_AS_OF | P_MODEL | P_LIMIT | P_ACCOUNT | P_SORT, &p, res) ||
        !run_open(req, &p, STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_COSTS, RUN_PREDICT, &x,
                  res))
        return;
    size_t i;
    if (p.has_account) {
        if (find_account(&p, &x.r, &i, res)) {
            json_t *c = value_json_customer(&x.d, &x.r, i);
            answer(res, c, c != NULL);
        }
        run_close(&x);
        return;
    }
    size_t *ix = value_order(&x.r, p.sort);
    if (!ix) {
        answer_oom(res);
        run_close(&x);
        return;
    }
    size_t proxies = 0;
    for (i = 0; i < x.r.n; i++)
        proxies += x.r.c[i].proxy_reason != VALUE_PROXY_NO;
    json_t *o = json_object(), *list = json_array();
    bool ok = put(o, "as_of", day_string(x.r.as_of_day)) && put_value_options(o, &x.vo) &&
              put(o, "model", value_json_model(&x.r.model)) &&
              put(o, "customers_total", json_integer((json_int_t)x.r.n)) &&
              put(o, "proxies", json_integer((json_int_t)proxies));
    for (size_t k = 0; ok && k < at_most(p.limit, x.r.n); k++)
        ok = append(list, value_json_customer(&x.d, &x.r, ix[k]));
    ok = put_if(ok, o, "customers", list);
    answer(res, o, ok);
    free(ix);
    run_close(&x);
}

/* ---- dist ------------------------------------------------------------------------------- */

/* by[by_name] = [dist of each non-empty group, with "group"]. */
static int dist_groups(const struct vparams *p, const struct run *x, const double *v,
                       enum value_by by, json_t *out, struct kith_error *err)
{
    struct value_groups g;
    if (value_groups_build(&x->d, &x->r, by, &g, err) < 0)
        return err->code;
    struct dist_summary *s = malloc((g.n ? g.n : 1) * sizeof(*s));
    int rc = 0;
    if (!s) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory");
        goto out_free;
    }
    if ((rc = dist_summarise_groups(v, g.code, x->r.n, g.n, p->lorenz, s, err)) < 0)
        goto out_free;
    json_t *list = json_array();
    bool ok = list != NULL;
    for (size_t k = 0; ok && k < g.n; k++)
        if (s[k].n)
            ok = append_group(list, value_json_dist(&s[k]), g.names[k]);
    if (!put_if(ok, out, value_by_name(by), list))
        rc = kith_err(err, KITH_ENOMEM, "out of memory");
out_free:
    free(s);
    value_groups_release(&g);
    return rc;
}

void api_value_dist(struct api_request *req, struct api_response *res)
{
    struct vparams p;
    vparams_default(&p, "dist");
    struct run x;
    if (!parse_params(req, P_AS_OF | P_MODEL | P_MEASURE | P_BY | P_LORENZ, &p, res) ||
        !run_open(req, &p, STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_COSTS,
                  measure_needs_model(p.measure) ? RUN_PREDICT : RUN_CUSTOMERS, &x, res))
        return;
    struct kith_error err = {0};
    double *v = malloc((x.r.n ? x.r.n : 1) * sizeof(*v));
    struct dist_summary all;
    if (!v) {
        answer_oom(res);
        run_close(&x);
        return;
    }
    for (size_t i = 0; i < x.r.n; i++)
        v[i] = value_of(&x.r.c[i], p.measure);
    json_t *o = NULL, *by = NULL;
    if (dist_summarise(v, x.r.n, p.lorenz, &all, &err) < 0) {
        answer_err(res, &err);
        goto out;
    }
    o = json_object();
    by = json_object();
    bool ok = put(o, "as_of", day_string(x.r.as_of_day)) &&
              put(o, "measure", json_string(value_measure_name(p.measure))) &&
              put(o, "overall", value_json_dist(&all)) && by;
    /* as the CLI: unit, segment and source, or the one of ?by= (none: no groups) */
    const enum value_by groups[] = {VALUE_BY_UNIT, VALUE_BY_SEGMENT, VALUE_BY_SOURCE,
                                    VALUE_BY_INDUSTRY};
    int rc = 0;
    for (size_t k = 0; ok && rc == 0 && k < sizeof(groups) / sizeof(groups[0]); k++) {
        bool on = p.by_set ? p.by == groups[k] : groups[k] != VALUE_BY_INDUSTRY;
        if (on)
            rc = dist_groups(&p, &x, v, groups[k], by, &err);
    }
    if (rc < 0) {
        answer_err(res, &err);
        json_decref(o);
        json_decref(by);
        goto out;
    }
    answer(res, o, put_if(ok, o, "by", by));
out:
    free(v);
    run_close(&x);
}

/* ---- drivers ---------------------------------------------------------------------------- */

static bool section_on(const struct vparams *p, const char *name)
{
    for (size_t k = 0; k < NSECTIONS; k++)
        if (strcmp(driver_sections[k], name) == 0)
            return p->sections == 0 || (p->sections & (1u << k));
    return false;
}

/* {"all": ..., "by": G, "groups": [... with "group"]} of attrition or cost; ?by=, else segment. */
static int drivers_grouped(const struct vparams *p, const struct run *x, bool attrition,
                           json_t **out, struct kith_error *err)
{
    enum value_by by = p->by_set ? p->by : VALUE_BY_SEGMENT;
    struct value_groups g;
    *out = NULL;
    if (value_groups_build(&x->d, &x->r, by, &g, err) < 0)
        return err->code;
    int rc = 0;
    struct drivers_attrition *at = NULL, all_at;
    struct drivers_cost *ct = NULL, all_ct;
    if (attrition) {
        if (!(at = malloc((g.n ? g.n : 1) * sizeof(*at)))) {
            rc = kith_err(err, KITH_ENOMEM, "out of memory");
            goto out_free;
        }
        if ((rc = drivers_attrition_build(&x->d, &x->r, &g, p->window, at, err)) < 0 ||
            (rc = drivers_attrition_build(&x->d, &x->r, NULL, p->window, &all_at, err)) < 0)
            goto out_free;
    } else {
        if (!(ct = malloc((g.n ? g.n : 1) * sizeof(*ct)))) {
            rc = kith_err(err, KITH_ENOMEM, "out of memory");
            goto out_free;
        }
        drivers_cost_build(&x->r, &g, ct);
        drivers_cost_build(&x->r, NULL, &all_ct);
    }
    json_t *o = json_object(), *list = json_array();
    bool ok = put(o, "all", attrition ? value_json_attrition(&all_at) : value_json_cost(&all_ct)) &&
              put(o, "by", json_string(value_by_name(by))) && list;
    for (size_t k = 0; ok && k < g.n; k++)
        if ((attrition ? at[k].n : ct[k].n) != 0)
            ok = append_group(list,
                              attrition ? value_json_attrition(&at[k]) : value_json_cost(&ct[k]),
                              g.names[k]);
    if (!put_if(ok, o, "groups", list)) {
        json_decref(o);
        rc = kith_err(err, KITH_ENOMEM, "out of memory");
    } else {
        *out = o;
    }
out_free:
    free(at);
    free(ct);
    value_groups_release(&g);
    return rc;
}

void api_value_drivers(struct api_request *req, struct api_response *res)
{
    struct vparams p;
    vparams_default(&p, "drivers");
    struct run x;
    if (!parse_params(req, P_AS_OF | P_MODEL | P_MEASURE | P_BY | P_PERIOD | P_SECTIONS, &p, res))
        return;
    bool need_model = measure_needs_model(p.measure) || section_on(&p, "attrition");
    if (!run_open(req, &p, STORE_CV_ALL, need_model ? RUN_PREDICT : RUN_CUSTOMERS, &x, res))
        return;
    struct kith_error err = {0};
    struct drivers_acquisition acq = {0};
    struct drivers_cohorts coh = {0};
    struct value_holdings hold = {0};
    struct drivers_migration mig;
    json_t *o = json_object(), *j = NULL;
    bool ok = put(o, "as_of", day_string(x.r.as_of_day)) &&
              put(o, "measure", json_string(value_measure_name(p.measure)));
    int rc = 0;
    if (ok && section_on(&p, "acquisition")) {
        if ((rc = drivers_acquisition_build(&x.d, &x.r, p.period, p.measure, &acq, &err)) < 0)
            goto out_all;
        ok = put(o, "acquisition", value_json_acquisition(&x.d, &acq));
    }
    if (ok && section_on(&p, "cohorts")) {
        if ((rc = drivers_cohorts_build(&x.d, &x.r, p.period, &coh, &err)) < 0)
            goto out_all;
        ok = put(o, "cohorts", value_json_cohorts(&coh));
    }
    if (ok && section_on(&p, "attrition")) {
        if ((rc = drivers_grouped(&p, &x, true, &j, &err)) < 0)
            goto out_all;
        ok = put(o, "attrition", j);
    }
    if (ok && section_on(&p, "holding")) {
        if ((rc = value_holdings_build(&x.d, &x.r, &hold, &err)) < 0)
            goto out_all;
        struct drivers_holding h;
        drivers_holding_build(&x.r, &hold, p.measure, &h);
        ok = put(o, "holding", value_json_holding(&h));
    }
    if (ok && section_on(&p, "cost")) {
        if ((rc = drivers_grouped(&p, &x, false, &j, &err)) < 0)
            goto out_all;
        ok = put(o, "cost", j);
    }
    if (ok && section_on(&p, "migration")) {
        if ((rc = drivers_migration_build(&x.d, &x.r, p.window, &mig, NULL, NULL, &err)) < 0)
            goto out_all;
        ok = put(o, "migration", value_json_migration(&mig));
    }
out_all:
    if (rc < 0) {
        json_decref(o);
        answer_err(res, &err);
    } else {
        answer(res, o, ok);
    }
    drivers_acquisition_release(&acq);
    drivers_cohorts_release(&coh);
    value_holdings_release(&hold);
    run_close(&x);
}

/* ---- rfm -------------------------------------------------------------------------------- */

void api_value_rfm(struct api_request *req, struct api_response *res)
{
    struct vparams p;
    vparams_default(&p, "rfm");
    struct run x;
    if (!parse_params(req, P_AS_OF | P_LIMIT | P_ACCOUNT | P_NEW | P_SEGMENT, &p, res) ||
        !run_open(req, &p, STORE_CV_ACCOUNTS | STORE_CV_ORDERS, RUN_CUSTOMERS, &x, res))
        return;
    struct kith_error err = {0};
    struct rfm_input *in = malloc((x.r.n ? x.r.n : 1) * sizeof(*in));
    struct rfm_score *sc = malloc((x.r.n ? x.r.n : 1) * sizeof(*sc));
    size_t *ix = value_order(&x.r, VALUE_TO_DATE);
    if (!in || !sc || !ix) {
        answer_oom(res);
        goto out_free;
    }
    rfm_inputs_from_values(&x.r, p.new_days, in);
    if (rfm_score_all(in, x.r.n, sc, &err) < 0) {
        answer_err(res, &err);
        goto out_free;
    }
    size_t i;
    if (p.has_account) {
        if (find_account(&p, &x.r, &i, res)) {
            json_t *j = value_json_rfm(&x.r, i, &sc[i]);
            answer(res, j, j != NULL);
        }
        goto out_free;
    }
    size_t count[RFM_NSEGMENTS] = {0};
    double value[RFM_NSEGMENTS] = {0};
    for (i = 0; i < x.r.n; i++) {
        count[sc[i].segment]++;
        value[sc[i].segment] += x.r.c[i].to_date;
    }
    size_t m = 0; /* of one segment with ?segment=, by value to date */
    for (size_t k = 0; k < x.r.n; k++)
        if (!p.segment_set || sc[ix[k]].segment == p.segment)
            ix[m++] = ix[k];
    json_t *o = json_object(), *segs = json_array(), *list = json_array();
    bool ok = put(o, "as_of", day_string(x.r.as_of_day)) &&
              put(o, "new_days", json_integer(p.new_days)) && segs && list;
    for (int s = 0; ok && s < RFM_NSEGMENTS; s++) {
        json_t *j = json_object();
        ok = put(j, "segment", json_string(rfm_segment_name((enum rfm_segment)s))) &&
             put(j, "rule", json_string(rfm_segment_rule((enum rfm_segment)s))) &&
             put(j, "customers", json_integer((json_int_t)count[s])) &&
             put(j, "value_to_date", json_real(round(value[s] * 100) / 100));
        ok = ok ? append(segs, j) : (json_decref(j), false);
    }
    ok = put_if(ok, o, "segments", segs);
    ok = ok && put(o, "customers_total", json_integer((json_int_t)m));
    for (size_t k = 0; ok && k < at_most(p.limit, m); k++)
        ok = append(list, value_json_rfm(&x.r, ix[k], &sc[ix[k]]));
    ok = put_if(ok, o, "customers", list);
    answer(res, o, ok);
out_free:
    free(in);
    free(sc);
    free(ix);
    run_close(&x);
}

/* ---- reap ------------------------------------------------------------------------------- */

/* The levers, rules and low-value rules with their counts, as the CLI prints them. */
static bool reap_tables(json_t *o, const size_t *levers, const double *lever_value,
                        const size_t *rules_n, const size_t *lows)
{
    json_t *lv = json_array(), *ru = json_array(), *lo = json_array();
    bool ok = lv && ru && lo;
    for (int l = 0; ok && l < REAP_NLEVERS; l++) {
        json_t *j = json_object();
        ok = put(j, "lever", json_string(reap_lever_name((enum reap_lever)l))) &&
             put(j, "customers", json_integer((json_int_t)levers[l])) &&
             put(j, "value_lifetime", cents(lever_value[l]));
        ok = ok ? append(lv, j) : (json_decref(j), false);
    }
    for (int u = 0; ok && u < REAP_NRULES; u++) {
        json_t *j = json_object();
        ok = put(j, "rule", json_string(reap_rule_name((enum reap_rule)u))) &&
             put(j, "text", json_string(reap_rule_text((enum reap_rule)u))) &&
             put(j, "customers", json_integer((json_int_t)rules_n[u]));
        ok = ok ? append(ru, j) : (json_decref(j), false);
    }
    for (int u = 1; ok && u < REAP_NLOW; u++) {
        json_t *j = json_object();
        ok = put(j, "rule", json_string(reap_low_name((enum reap_low)u))) &&
             put(j, "why", json_string(reap_low_rule((enum reap_low)u))) &&
             put(j, "treatment", json_string(reap_low_treatment((enum reap_low)u))) &&
             put(j, "customers", json_integer((json_int_t)lows[u]));
        ok = ok ? append(lo, j) : (json_decref(j), false);
    }
    ok = put_if(ok, o, "levers", lv);
    ok = put_if(ok, o, "rules", ru);
    return put_if(ok, o, "low_value_rules", lo);
}

void api_value_reap(struct api_request *req, struct api_response *res)
{
    struct vparams p;
    vparams_default(&p, "reap");
    struct run x;
    if (!parse_params(req, P_AS_OF | P_MODEL | P_LIMIT | P_ACCOUNT | P_NEW | P_REAP, &p, res) ||
        !run_open(req, &p, STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_LINES | STORE_CV_COSTS,
                  RUN_PREDICT, &x, res))
        return;
    struct kith_error err = {0};
    struct value_holdings h = {0};
    const size_t n = x.r.n ? x.r.n : 1;
    struct rfm_input *rin = malloc(n * sizeof(*rin));
    struct rfm_score *sc = malloc(n * sizeof(*sc));
    struct reap_input *in = malloc(n * sizeof(*in));
    struct reap_tag *tag = malloc(n * sizeof(*tag));
    size_t *ix = value_order(&x.r, VALUE_LIFETIME);
    double ref = 0;
    if (!rin || !sc || !in || !tag || !ix) {
        answer_oom(res);
        goto out_free;
    }
    rfm_inputs_from_values(&x.r, p.new_days, rin);
    if (rfm_score_all(rin, x.r.n, sc, &err) < 0 || value_holdings_build(&x.d, &x.r, &h, &err) < 0 ||
        reap_inputs_from_values(&x.r, sc, &h, in, &err) < 0 ||
        reap_holding_ref(in, x.r.n, &ref, &err) < 0) {
        answer_err(res, &err);
        goto out_free;
    }
    size_t levers[REAP_NLEVERS] = {0}, lows[REAP_NLOW] = {0}, rules_n[REAP_NRULES] = {0};
    double lever_value[REAP_NLEVERS] = {0};
    for (size_t i = 0; i < x.r.n; i++) {
        tag[i] = reap_tag_one(&in[i], &p.reap, ref);
        levers[tag[i].lever]++;
        lever_value[tag[i].lever] += x.r.c[i].lifetime;
        lows[tag[i].low]++;
        rules_n[tag[i].rule]++;
    }
    size_t i;
    if (p.has_account) {
        if (find_account(&p, &x.r, &i, res)) {
            json_t *j = value_json_reap(&x.r, i, &in[i], &tag[i], &p.reap, ref);
            answer(res, j, j != NULL);
        }
        goto out_free;
    }
    size_t m = 0;
    for (size_t k = 0; k < x.r.n; k++) {
        const struct reap_tag *t = &tag[ix[k]];
        if ((p.lever_set && t->lever != p.lever) || (p.low_value && t->low == REAP_LOW_NONE))
            continue;
        ix[m++] = ix[k];
    }
    json_t *o = json_object(), *list = json_array();
    bool ok = put(o, "as_of", day_string(x.r.as_of_day)) &&
              put(o, "holding_reference", json_real(ref)) &&
              reap_tables(o, levers, lever_value, rules_n, lows) &&
              put(o, "customers_total", json_integer((json_int_t)m)) && list;
    for (size_t k = 0; ok && k < at_most(p.limit, m); k++)
        ok = append(list, value_json_reap(&x.r, ix[k], &in[ix[k]], &tag[ix[k]], &p.reap, ref));
    ok = put_if(ok, o, "customers", list);
    answer(res, o, ok);
out_free:
    free(rin);
    free(sc);
    free(in);
    free(tag);
    free(ix);
    value_holdings_release(&h);
    run_close(&x);
}

/* ---- xsell ------------------------------------------------------------------------------ */

void api_value_xsell(struct api_request *req, struct api_response *res)
{
    struct vparams p;
    vparams_default(&p, "xsell");
    struct run x;
    if (!parse_params(req, P_AS_OF | P_LIMIT | P_ACCOUNT | P_BASKET, &p, res) ||
        !run_open(req, &p, STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_LINES, RUN_CUSTOMERS, &x,
                  res))
        return;
    struct kith_error err = {0};
    struct basket_set bs = {0};
    struct basket_rules rules = {0};
    struct value_holdings h = {0};
    struct basket_offers offers = {0};
    if (basket_set_from_lines(&x.d, x.r.as_of_day, &bs, &err) < 0 ||
        basket_mine(&bs, x.d.nproducts, &p.basket, &rules, &err) < 0 ||
        value_holdings_build(&x.d, &x.r, &h, &err) < 0 ||
        basket_offers_build(&rules, &h, &x.d, p.offers, &offers, &err) < 0) {
        answer_err(res, &err);
        goto out_free;
    }
    /* offers of one account, or of the first customers that have any */
    size_t lo = 0, hi = offers.n;
    if (p.has_account) {
        size_t i;
        if (!find_account(&p, &x.r, &i, res))
            goto out_free;
        while (lo < offers.n && offers.offers[lo].customer < i)
            lo++;
        hi = lo;
        while (hi < offers.n && offers.offers[hi].customer == i)
            hi++;
    }
    size_t customers_with = 0;
    for (size_t k = 0; k < offers.n; k++)
        customers_with += k == 0 || offers.offers[k].customer != offers.offers[k - 1].customer;
    const size_t nrules = p.has_account ? 0 : at_most(p.rules, rules.n);
    const size_t shown_customers = p.has_account ? 1 : at_most(p.limit, customers_with);
    json_t *o = json_object(), *rl = json_array(), *ol = json_array();
    bool ok = put(o, "as_of", day_string(x.r.as_of_day)) &&
              put(o, "baskets", json_integer((json_int_t)rules.nbaskets)) &&
              put(o, "itemsets", json_integer((json_int_t)rules.nitemsets)) &&
              put(o, "min_support", json_real(p.basket.min_support)) &&
              put(o, "min_confidence", json_real(p.basket.min_confidence)) &&
              put(o, "min_lift", json_real(p.basket.min_lift)) &&
              put(o, "max_len", json_integer(p.basket.max_len)) &&
              put(o, "rules_total", json_integer((json_int_t)rules.n)) && rl && ol;
    for (size_t k = 0; ok && k < nrules; k++)
        ok = append(rl, value_json_rule(&x.d, &rules.rules[k]));
    ok = put_if(ok, o, "rules", rl);
    ok = ok && put(o, "customers_with_offers", json_integer((json_int_t)customers_with));
    size_t seen = 0;
    for (size_t k = lo; ok && k < hi; k++) {
        const struct basket_offer *of = &offers.offers[k];
        if (k == lo || of->customer != offers.offers[k - 1].customer)
            seen++;
        if (seen > shown_customers)
            break;
        ok = append(ol, value_json_offer(&x.d, &x.r, &rules, of));
    }
    ok = put_if(ok, o, "offers", ol);
    answer(res, o, ok);
out_free:
    basket_set_release(&bs);
    basket_rules_release(&rules);
    value_holdings_release(&h);
    basket_offers_release(&offers);
    run_close(&x);
}

/* ---- referrals -------------------------------------------------------------------------- */

void api_value_referrals(struct api_request *req, struct api_response *res)
{
    struct vparams p;
    vparams_default(&p, "referrals");
    struct run x;
    if (!parse_params(req, P_AS_OF | P_MODEL | P_LIMIT | P_ACCOUNT | P_MEASURE | P_SECOND, &p,
                      res) ||
        !run_open(req, &p,
                  STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_COSTS | STORE_CV_REFERRALS,
                  measure_needs_model(p.measure) ? RUN_PREDICT : RUN_CUSTOMERS, &x, res))
        return;
    struct kith_error err = {0};
    const size_t n = x.d.naccounts;
    int64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
    double *val = malloc((n ? n : 1) * sizeof(*val));
    struct referral_value *out = malloc((n ? n : 1) * sizeof(*out));
    size_t *ix = malloc((n ? n : 1) * sizeof(*ix));
    if (!ids || !val || !out || !ix) {
        answer_oom(res);
        goto out_free;
    }
    /* every visible account, customer or not: a referrer need not have bought itself */
    for (size_t i = 0; i < n; i++) {
        ids[i] = x.d.accounts[i].id;
        size_t c = value_find(&x.r, ids[i]);
        val[i] = c == CV_NO_INDEX ? 0 : value_of(&x.r.c[c], p.measure);
    }
    if (referral_values(x.d.referrals, x.d.nreferrals, ids, val, n, p.second, out, &err) < 0) {
        answer_err(res, &err);
        goto out_free;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (out[i].referred != 0 && (!p.has_account || ids[i] == p.account))
            ix[m++] = i;
    for (size_t i = 0; i < n; i++)
        val[i] = out[i].total; /* val is free again: sort by referral value */
    if (!value_sort_desc(ix, m, val)) {
        answer_oom(res);
        goto out_free;
    }
    json_t *o = json_object(), *list = json_array();
    bool ok = put(o, "as_of", day_string(x.r.as_of_day)) &&
              put(o, "measure", json_string(value_measure_name(p.measure))) &&
              put(o, "second_degree_weight", json_real(p.second)) &&
              put(o, "referral_events", json_integer((json_int_t)x.d.nreferrals)) &&
              put(o, "referrers", json_integer((json_int_t)m)) && list;
    for (size_t k = 0; ok && k < at_most(p.limit, m); k++)
        ok = append(list, value_json_referral(ids[ix[k]], &out[ix[k]]));
    ok = put_if(ok, o, "accounts", list);
    answer(res, o, ok);
out_free:
    free(ids);
    free(val);
    free(out);
    free(ix);
    run_close(&x);
}
