/*
 * value.c - kith value fit|clv|dist|drivers|rfm|reap|xsell|referrals: customer value management
 * (DESIGN.md §6) from the command line. Reads the options, loads through store_cv_load(), runs
 * the engine (engine/value.h and friends) and prints a table or, with --json, the shapes of
 * io/value_json.h. The definitions are in docs/value.md.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "engine/basket.h"
#include "engine/dist.h"
#include "engine/drivers.h"
#include "engine/reap.h"
#include "engine/referral.h"
#include "engine/rfm.h"
#include "engine/value.h"
#include "io/value_json.h"
#include "io/value_summary.h"
#include "util/timefmt.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith value <subcommand> [options]\n\n"
    "Customer value management: value per customer, its distribution and drivers, RFM, REAP\n"
    "levers, cross-sell rules and referral value. A customer is an account with an order on or\n"
    "before the as-of day. Definitions: docs/value.md.\n\n"
    "subcommands:\n"
    "  fit        fit BG/NBD and Gamma-Gamma (from the orders, or --summary FILE)\n"
    "  clv        value per customer: to date, current, predicted, lifetime, P(alive)\n"
    "  dist       deciles, top-20% share, Lorenz curve and Gini, overall and by group\n"
    "  drivers    acquisition, cohort retention, attrition, holding, cost to serve, migration\n"
    "  rfm        recency/frequency/monetary quintiles and named segments\n"
    "  reap       the REAP lever of each customer, and the low-value list\n"
    "  xsell      association rules over order baskets, and offers per customer\n"
    "  referrals  the value of the customers each customer referred\n\n"
    "Every subcommand takes --db PATH, --json and --help ('kith value clv --help').\n";

/* ---- options ---------------------------------------------------------------------------- */

enum {
    O_DB = 1 << 0,
    O_JSON = 1 << 1,
    O_AS_OF = 1 << 2,
    O_SUMMARY = 1 << 3,
    O_UNIT = 1 << 4,
    O_MODEL = 1 << 5, /* --horizon --discount --margin --proxy-days --proxy-min --max-iter */
    O_LIMIT = 1 << 6,
    O_ACCOUNT = 1 << 7,
    O_MEASURE = 1 << 8,
    O_BY = 1 << 9,
    O_LORENZ = 1 << 10,
    O_PERIOD = 1 << 11, /* --period --window */
    O_NEW = 1 << 12,
    O_SEGMENT = 1 << 13,
    O_REAP = 1 << 14,   /* --lever --low-value --alive-min --cost-share */
    O_BASKET = 1 << 15, /* --min-support --min-confidence --min-lift --max-len --offers --rules */
    O_SECOND = 1 << 16,
    O_SORT = 1 << 17,
};

struct vopts {
    const char *sub;
    char cmd[32]; /* "value <sub>", for messages */
    const char *db;
    bool json;
    const char *as_of;
    const char *summary;
    double unit_days;
    int horizon;
    double discount;
    double margin;
    int proxy_days;
    long proxy_min;
    int max_iter;
    long limit; /* -1: the default for the output */
    bool has_account;
    int64_t account;
    enum value_measure measure;
    bool by_set;
    enum value_by by;
    long lorenz;
    enum drivers_period period;
    int window;
    int new_days;
    bool segment_set;
    enum rfm_segment segment;
    bool lever_set;
    enum reap_lever lever;
    bool low_value;
    struct reap_options reap;
    struct basket_options basket;
    long offers;
    long rules;
    double second;
    enum value_measure sort;
    char **args; /* positional arguments (drivers: the sections) */
    size_t nargs;
};

enum {
    OPT_DB = 256,
    OPT_JSON,
    OPT_AS_OF,
    OPT_SUMMARY,
    OPT_UNIT,
    OPT_HORIZON,
    OPT_DISCOUNT,
    OPT_MARGIN,
    OPT_PROXY_DAYS,
    OPT_PROXY_MIN,
    OPT_MAX_ITER,
    OPT_LIMIT,
    OPT_ACCOUNT,
    OPT_MEASURE,
    OPT_BY,
    OPT_LORENZ,
    OPT_PERIOD,
    OPT_WINDOW,
    OPT_NEW,
    OPT_SEGMENT,
    OPT_LEVER,
    OPT_LOW,
    OPT_ALIVE,
    OPT_COST,
    OPT_SUPPORT,
    OPT_CONFIDENCE,
    OPT_LIFT,
    OPT_MAX_LEN,
    OPT_OFFERS,
    OPT_RULES,
    OPT_SECOND,
    OPT_SORT,
    OPT_HELP,
};

static const struct option long_opts[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"json", no_argument, NULL, OPT_JSON},
    {"as-of", required_argument, NULL, OPT_AS_OF},
    {"summary", required_argument, NULL, OPT_SUMMARY},
    {"unit-days", required_argument, NULL, OPT_UNIT},
    {"horizon", required_argument, NULL, OPT_HORIZON},
    {"discount", required_argument, NULL, OPT_DISCOUNT},
    {"margin", required_argument, NULL, OPT_MARGIN},
    {"proxy-days", required_argument, NULL, OPT_PROXY_DAYS},
    {"proxy-min", required_argument, NULL, OPT_PROXY_MIN},
    {"max-iter", required_argument, NULL, OPT_MAX_ITER},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"account", required_argument, NULL, OPT_ACCOUNT},
    {"measure", required_argument, NULL, OPT_MEASURE},
    {"by", required_argument, NULL, OPT_BY},
    {"lorenz", required_argument, NULL, OPT_LORENZ},
    {"period", required_argument, NULL, OPT_PERIOD},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"new-days", required_argument, NULL, OPT_NEW},
    {"segment", required_argument, NULL, OPT_SEGMENT},
    {"lever", required_argument, NULL, OPT_LEVER},
    {"low-value", no_argument, NULL, OPT_LOW},
    {"alive-min", required_argument, NULL, OPT_ALIVE},
    {"cost-share", required_argument, NULL, OPT_COST},
    {"min-support", required_argument, NULL, OPT_SUPPORT},
    {"min-confidence", required_argument, NULL, OPT_CONFIDENCE},
    {"min-lift", required_argument, NULL, OPT_LIFT},
    {"max-len", required_argument, NULL, OPT_MAX_LEN},
    {"offers", required_argument, NULL, OPT_OFFERS},
    {"rules", required_argument, NULL, OPT_RULES},
    {"second-degree", required_argument, NULL, OPT_SECOND},
    {"sort", required_argument, NULL, OPT_SORT},
    {"help", no_argument, NULL, OPT_HELP},
    {0},
};

/* The option group of each option (which subcommands may take it). */
static unsigned option_group(int opt)
{
    switch (opt) {
    case OPT_DB:
        return O_DB;
    case OPT_JSON:
        return O_JSON;
    case OPT_AS_OF:
        return O_AS_OF;
    case OPT_SUMMARY:
        return O_SUMMARY;
    case OPT_UNIT:
        return O_UNIT;
    case OPT_HORIZON:
    case OPT_DISCOUNT:
    case OPT_MARGIN:
    case OPT_PROXY_DAYS:
    case OPT_PROXY_MIN:
    case OPT_MAX_ITER:
        return O_MODEL;
    case OPT_LIMIT:
        return O_LIMIT;
    case OPT_ACCOUNT:
        return O_ACCOUNT;
    case OPT_MEASURE:
        return O_MEASURE;
    case OPT_BY:
        return O_BY;
    case OPT_LORENZ:
        return O_LORENZ;
    case OPT_PERIOD:
    case OPT_WINDOW:
        return O_PERIOD;
    case OPT_NEW:
        return O_NEW;
    case OPT_SEGMENT:
        return O_SEGMENT;
    case OPT_LEVER:
    case OPT_LOW:
    case OPT_ALIVE:
    case OPT_COST:
        return O_REAP;
    case OPT_SUPPORT:
    case OPT_CONFIDENCE:
    case OPT_LIFT:
    case OPT_MAX_LEN:
    case OPT_OFFERS:
    case OPT_RULES:
        return O_BASKET;
    case OPT_SECOND:
        return O_SECOND;
    case OPT_SORT:
        return O_SORT;
    }
    return 0;
}

#define MODEL_OPTS                                                                                 \
    "  --as-of DATE         the as-of day (default: the day of the latest order)\n"                \
    "  --horizon MONTHS     prediction horizon in months (36)\n"                                   \
    "  --discount RATE      annual discount rate (0.10)\n"                                         \
    "  --margin RATIO       margin ratio for predictions and orders without a margin\n"            \
    "                       (default: sum of margins / sum of amounts of the orders)\n"            \
    "  --proxy-days N       customers younger than N days get a proxy value (90)\n"                \
    "  --proxy-min N        fewest valued customers a proxy group needs (5)\n"                     \
    "  --max-iter N         optimiser iterations before a fit gives up (1000)\n"
#define COMMON_OPTS                                                                                \
    "  --json               JSON instead of tables\n"                                              \
    "  --db PATH            the database (default: $KITH_DB, else ./kith.db)\n"

struct sub {
    const char *name;
    int (*fn)(const struct vopts *o);
    unsigned allowed;
    bool takes_args;
    const char *help;
};

/* ---- helpers ---------------------------------------------------------------------------- */

static int parse_double(const char *sub, const char *opt, const char *s, double lo, double hi,
                        double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return cmd_usage_error(sub, "--%s '%s' must be a number from %g to %g", opt, s, lo, hi);
    *out = v;
    return 0;
}

static int parse_long(const char *sub, const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return cmd_usage_error(sub, "--%s '%s' must be a whole number from %ld to %ld", opt, s, lo,
                               hi);
    *out = v;
    return 0;
}

static int parse_int(const char *sub, const char *opt, const char *s, long lo, long hi, int *out)
{
    long v;
    int rc = parse_long(sub, opt, s, lo, hi, &v);
    if (rc == 0)
        *out = (int)v;
    return rc;
}

static void print_json(json_t *j)
{
    if (!j) {
        fputs("null", stdout);
        return;
    }
    json_dumpf(j, stdout, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(j);
}

static void print_value_options(const struct value_options *o)
{
    printf("\"horizon_months\":%d,\"discount\":%g,\"proxy_days\":%d,\"proxy_min\":%zu",
           o->horizon_months, o->discount, o->proxy_days, o->proxy_min);
}

static const char *day_text(int32_t day, char *buf)
{
    return value_json_day(day, buf, 16);
}

/* "12,345.67" style is for people; this prints plain numbers, right-aligned, with cents. */
static void money_cell(double v, int width)
{
    if (isfinite(v))
        printf(" %*.2f", width, v);
    else
        printf(" %*s", width, "-");
}

static int fail_err(const struct kith_error *err)
{
    return cmd_fail(err);
}

/* Parses --as-of into a day, or STORE_CV_AS_OF_LATEST. */
static int as_of_day(const struct vopts *o, int32_t *day)
{
    *day = STORE_CV_AS_OF_LATEST;
    if (!o->as_of)
        return 0;
    struct kith_error err = {0};
    int64_t ms;
    if (timefmt_parse(o->as_of, strlen(o->as_of), &ms, &err) < 0)
        return cmd_usage_error(o->cmd, "--as-of: %s", err.msg);
    *day = cv_day(ms);
    return 0;
}

/* What every subcommand that reads the database works on. */
struct run {
    struct cv_data d;
    struct value_options vo;
    struct clv_fit_options fit;
    struct value_result r;
};

/*
 * Opens the store read-only, loads parts and builds the customers, with (predict) or without
 * the models. On failure prints why, leaves nothing to release and returns the exit code; a
 * fit that does not converge says so and prints no parameters.
 */
static int run_open(const struct vopts *o, unsigned parts, bool predict, struct run *x)
{
    memset(x, 0, sizeof(*x));
    int32_t day;
    int rc = as_of_day(o, &day);
    if (rc)
        return rc;
    struct store *s = cmd_open_store(o->db, STORE_READONLY);
    if (!s)
        return CMD_FAIL;
    struct kith_error err = {0};
    const struct store_cv_request req = {
        .parts = parts, .as_of_day = day, .current_days = 365, .accounts = NULL};
    rc = store_cv_load(s, &req, &x->d, &err);
    store_close(s);
    if (rc < 0)
        return fail_err(&err);
    if (x->d.ncurrencies > 1)
        fprintf(stderr,
                "kith value: warning: orders are in %zu currencies; values add them up as if "
                "they were one\n",
                x->d.ncurrencies);
    value_options_default(&x->vo);
    x->vo.as_of_day = x->d.as_of_day;
    x->vo.horizon_months = o->horizon;
    x->vo.discount = o->discount;
    x->vo.margin_ratio = o->margin;
    x->vo.proxy_days = o->proxy_days;
    x->vo.proxy_min = (size_t)o->proxy_min;
    x->vo.unit_days = o->unit_days;
    x->fit =
        (struct clv_fit_options){.max_iter = o->max_iter, .grad_tol = CLV_FIT_DEFAULT_GRAD_TOL};
    x->vo.fit = &x->fit;
    rc = predict ? value_compute(&x->d, &x->vo, &x->r, &err)
                 : value_customers_build(&x->d, &x->vo, &x->r, &err);
    if (rc < 0) {
        if (rc == KITH_ENOCONV)
            fprintf(stderr, "kith value %s: the model did not converge; no values predicted\n",
                    o->sub);
        cv_data_release(&x->d);
        return fail_err(&err);
    }
    return 0;
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

static void print_model_table(const struct value_model *m)
{
    printf("BG/NBD       r=%.6g alpha=%.6g a=%.6g b=%.6g  (log-likelihood %.4f, %d iterations)\n",
           m->bg.r, m->bg.alpha, m->bg.a, m->bg.b, m->bg_info.loglik, m->bg_info.iterations);
    printf("Gamma-Gamma  p=%.6g q=%.6g gamma=%.6g  (log-likelihood %.4f, %d iterations)\n", m->gg.p,
           m->gg.q, m->gg.gamma, m->gg_info.loglik, m->gg_info.iterations);
    printf("%zu customers, %zu repeat buyers\n", m->ncustomers, m->nrepeat);
}

/* Says where the margin ratio came from; warns when values are revenue for want of margins. */
static void print_margin(const struct vopts *o, const struct value_model *m)
{
    if (o->margin >= 0)
        printf("margin ratio %.4f (--margin)\n", m->margin_ratio);
    else if (m->margin_from_data)
        printf("margin ratio %.4f (sum of margins / sum of amounts of the orders)\n",
               m->margin_ratio);
    else
        printf("margin ratio 1: no order has a margin, so values are revenue (give --margin)\n");
}

/* ---- fit -------------------------------------------------------------------------------- */

/* Reads --summary FILE ('-': standard input); 0, or the exit code after saying what is wrong. */
static int read_summary(const struct vopts *o, struct value_summary_file *sf)
{
    FILE *f = strcmp(o->summary, "-") == 0 ? stdin : fopen(o->summary, "rb");
    if (!f) {
        fprintf(stderr, "kith: cannot open %s: %m\n", o->summary);
        return CMD_FAIL;
    }
    struct kith_error err = {0};
    int rc = value_summary_read(f, f == stdin ? "stdin" : o->summary, sf, &err);
    if (f != stdin)
        fclose(f);
    return rc < 0 ? fail_err(&err) : 0;
}

static int fit_summary_file(const struct vopts *o)
{
    struct value_summary_file sf;
    struct kith_error err = {0};
    int rc = read_summary(o, &sf);
    if (rc)
        return rc;
    struct clv_fit_options fit = {.max_iter = o->max_iter, .grad_tol = CLV_FIT_DEFAULT_GRAD_TOL};
    struct value_model m = {0};
    size_t nrepeat = 0;
    for (size_t i = 0; i < sf.n; i++)
        nrepeat += sf.cust[i].x > 0;
    rc = bgnbd_fit(sf.cust, sf.n, &fit, &m.bg, &m.bg_info, &err);
    if (rc == 0 && sf.has_monetary)
        rc = gg_fit(sf.cust, sf.n, &fit, &m.gg, &m.gg_info, &err);
    if (rc < 0) {
        if (rc == KITH_ENOCONV)
            fprintf(stderr, "kith value fit: %s: the fit did not converge; no parameters\n",
                    o->summary);
        value_summary_file_release(&sf);
        return fail_err(&err);
    }
    m.fitted = true;
    m.ncustomers = sf.n;
    m.nrepeat = nrepeat;
    m.margin_ratio = NAN;
    if (o->json) {
        json_t *j = value_json_model(&m);
        if (j && !sf.has_monetary) {
            json_object_set_new(j, "gamma_gamma", json_null());
        }
        print_json(j);
        putchar('\n');
    } else {
        printf("%s: %zu customers, %zu repeat buyers\n", o->summary, sf.n, nrepeat);
        printf("BG/NBD       r=%.7g alpha=%.7g a=%.7g b=%.7g  (log-likelihood %.6f, %d "
               "iterations)\n",
               m.bg.r, m.bg.alpha, m.bg.a, m.bg.b, m.bg_info.loglik, m.bg_info.iterations);
        if (sf.has_monetary)
            printf("Gamma-Gamma  p=%.7g q=%.7g gamma=%.7g  (log-likelihood %.6f, %d "
                   "iterations)\n",
                   m.gg.p, m.gg.q, m.gg.gamma, m.gg_info.loglik, m.gg_info.iterations);
        else
            printf("Gamma-Gamma  not fitted: the file has no monetary_value column\n");
    }
    value_summary_file_release(&sf);
    return CMD_OK;
}

static int sub_fit(const struct vopts *o)
{
    if (o->summary)
        return fit_summary_file(o);
    struct run x;
    struct kith_error err = {0};
    int rc = run_open(o, STORE_CV_ORDERS, false, &x);
    if (rc)
        return rc;
    if (value_fit(&x.r, &x.vo, &err) < 0) {
        if (err.code == KITH_ENOCONV)
            fprintf(stderr, "kith value fit: the fit did not converge; no parameters\n");
        rc = fail_err(&err);
        goto out_close;
    }
    char day[16];
    if (o->json) {
        printf("{\"as_of\":\"%s\",\"model\":", day_text(x.r.as_of_day, day));
        print_json(value_json_model(&x.r.model));
        printf("}\n");
    } else {
        printf("as of %s (time unit: weeks)\n", day_text(x.r.as_of_day, day));
        print_model_table(&x.r.model);
        print_margin(o, &x.r.model);
    }
    rc = CMD_OK;
out_close:
    run_close(&x);
    return rc;
}

/* ---- clv -------------------------------------------------------------------------------- */

static int clv_summary_file(const struct vopts *o)
{
    struct value_summary_file sf;
    struct kith_error err = {0};
    int rc = read_summary(o, &sf);
    if (rc)
        return rc;
    if (!sf.has_monetary) {
        value_summary_file_release(&sf);
        fprintf(stderr, "kith: %s: lifetime value needs a monetary_value (or zbar) column\n",
                o->summary);
        return CMD_FAIL;
    }
    struct clv_fit_options fit = {.max_iter = o->max_iter, .grad_tol = CLV_FIT_DEFAULT_GRAD_TOL};
    struct bgnbd_params bg;
    struct gg_params gg;
    rc = bgnbd_fit(sf.cust, sf.n, &fit, &bg, NULL, &err);
    if (rc == 0)
        rc = gg_fit(sf.cust, sf.n, &fit, &gg, NULL, &err);
    if (rc < 0) {
        if (rc == KITH_ENOCONV)
            fprintf(stderr, "kith value clv: %s: the fit did not converge; no values\n",
                    o->summary);
        value_summary_file_release(&sf);
        return fail_err(&err);
    }
    const double step = (365.25 / 12) / o->unit_days;
    const struct clv_horizon h = {.steps = o->horizon,
                                  .step = step,
                                  .discount = pow(1 + o->discount, 1.0 / 12) - 1,
                                  .margin = o->margin >= 0 ? o->margin : 1};
    size_t shown = o->limit < 0 ? (o->json ? sf.n : 20) : (size_t)o->limit;
    if (shown == 0 || shown > sf.n)
        shown = sf.n;
    double *pa = malloc(shown * sizeof(*pa)), *ey = malloc(shown * sizeof(*ey));
    double *v = malloc(shown * sizeof(*v));
    if (!pa || !ey || !v) {
        kith_err(&err, KITH_ENOMEM, "out of memory for %zu customers", shown);
        rc = KITH_ENOMEM;
    } else {
        rc = value_predict_summaries(&bg, &gg, sf.cust, shown, &h, pa, ey, v, &err);
    }
    if (rc < 0) {
        free(pa);
        free(ey);
        free(v);
        value_summary_file_release(&sf);
        return fail_err(&err);
    }
    if (o->json)
        printf("[");
    else
        printf("%-16s %6s %8s %9s %8s %12s\n", "id", "x", "P(alive)", "E[orders]", "E[spend]",
               "CLV");
    for (size_t i = 0; i < shown; i++) {
        const struct clv_customer *c = &sf.cust[i];
        const double es = gg_conditional_spend(&gg, c);
        if (o->json) {
            json_t *j = json_object();
            json_object_set_new(j, "id", json_string(sf.ids[i]));
            json_object_set_new(j, "x", json_real(c->x));
            json_object_set_new(j, "p_alive", isfinite(pa[i]) ? json_real(pa[i]) : json_null());
            json_object_set_new(j, "expected_orders",
                                isfinite(ey[i]) ? json_real(ey[i]) : json_null());
            json_object_set_new(j, "expected_spend", isfinite(es) ? json_real(es) : json_null());
            json_object_set_new(j, "clv", isfinite(v[i]) ? json_real(v[i]) : json_null());
            if (i)
                putchar(',');
            print_json(j);
        } else {
            printf("%-16.16s %6.0f %8.4f %9.4f", sf.ids[i], c->x, pa[i], ey[i]);
            money_cell(es, 8);
            money_cell(v[i], 12);
            putchar('\n');
        }
    }
    if (o->json)
        printf("]\n");
    else if (shown < sf.n)
        printf("(%zu of %zu customers; --limit 0 shows all)\n", shown, sf.n);
    free(pa);
    free(ey);
    free(v);
    value_summary_file_release(&sf);
    return CMD_OK;
}

static size_t rows_shown(const struct vopts *o, size_t n)
{
    size_t shown = o->limit < 0 ? (o->json ? n : 20) : (size_t)o->limit;
    return shown == 0 || shown > n ? n : shown;
}

static int find_account(const struct vopts *o, const struct value_result *r, size_t *i)
{
    *i = value_find(r, o->account);
    if (*i == CV_NO_INDEX) {
        fprintf(stderr,
                "kith value %s: account %lld is not a customer (no order on or before "
                "the as-of day)\n",
                o->sub, (long long)o->account);
        return CMD_FAIL;
    }
    return 0;
}

static void print_customer_detail(const struct cv_data *d, const struct value_result *r, size_t i)
{
    const struct value_customer *c = &r->c[i];
    const struct cv_account *a = c->account == CV_NO_INDEX ? NULL : &d->accounts[c->account];
    char d1[16], d2[16];
    printf("account %lld\n", (long long)c->account_id);
    if (a)
        printf("  industry %s, revenue band %s, source %s, unit %s\n",
               cv_label(&d->industries, a->industry), cv_label(&d->revenue_bands, a->revenue_band),
               cv_label(&d->sources, a->source), cv_label(&d->units, a->unit));
    printf("  orders %u, first %s, last %s (x=%g, t_x=%.2f, T=%.2f weeks)\n", c->orders,
           day_text(c->first_day, d1), day_text(c->last_day, d2), c->rfm.x, c->rfm.t_x, c->rfm.T);
    printf("  value to date %.2f, current (12 months) %.2f\n", c->to_date, c->current);
    printf("  predicted %.2f over %.1f years, lifetime %.2f%s%s%s\n", c->predicted,
           r->horizon_years, c->lifetime, c->proxy_reason ? " (proxy: " : "",
           c->proxy_reason ? value_proxy_reason_text((enum value_proxy_reason)c->proxy_reason) : "",
           c->proxy_reason ? ")" : "");
    if (c->proxy_reason)
        printf("  proxy basis: mean of the model-valued customers of its %s\n",
               value_basis_name((enum value_basis)c->basis));
    printf("  P(alive) %.4f, expected orders over the horizon %.3f\n", c->p_alive,
           c->expected_orders);
    printf("  cost to serve %.2f (current %.2f), profit %.2f (current %.2f)\n", c->cost_to_date,
           c->cost_current, c->to_date - c->cost_to_date, c->current - c->cost_current);
}

static int sub_clv(const struct vopts *o)
{
    if (o->summary)
        return clv_summary_file(o);
    struct run x;
    int rc = run_open(o, STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_COSTS, true, &x);
    if (rc)
        return rc;
    char day[16];
    if (o->has_account) {
        size_t i;
        if ((rc = find_account(o, &x.r, &i)) != 0)
            goto out_close;
        if (o->json) {
            print_json(value_json_customer(&x.d, &x.r, i));
            putchar('\n');
        } else {
            print_customer_detail(&x.d, &x.r, i);
        }
        goto out_close;
    }
    size_t *ix = value_order(&x.r, o->sort);
    if (!ix) {
        struct kith_error err;
        kith_err(&err, KITH_ENOMEM, "out of memory");
        rc = fail_err(&err);
        goto out_close;
    }
    size_t shown = rows_shown(o, x.r.n), proxies = 0;
    double total_lifetime = 0;
    for (size_t i = 0; i < x.r.n; i++) {
        proxies += x.r.c[i].proxy_reason != VALUE_PROXY_NO;
        total_lifetime += isfinite(x.r.c[i].lifetime) ? x.r.c[i].lifetime : 0;
    }
    if (o->json) {
        printf("{\"as_of\":\"%s\",", day_text(x.r.as_of_day, day));
        print_value_options(&x.vo);
        printf(",\"model\":");
        print_json(value_json_model(&x.r.model));
        printf(",\"customers_total\":%zu,\"proxies\":%zu,\"customers\":[", x.r.n, proxies);
        for (size_t k = 0; k < shown; k++) {
            if (k)
                putchar(',');
            print_json(value_json_customer(&x.d, &x.r, ix[k]));
        }
        printf("]}\n");
    } else {
        printf("as of %s, horizon %d months at %.1f%% a year; %zu customers (%zu proxies), "
               "lifetime value %.2f\n",
               day_text(x.r.as_of_day, day), x.vo.horizon_months, 100 * x.vo.discount, x.r.n,
               proxies, total_lifetime);
        print_model_table(&x.r.model);
        print_margin(o, &x.r.model);
        printf("\n%10s %12s %12s %12s %12s %8s %7s  %s\n", "account", "to date", "current",
               "predicted", "lifetime", "P(alive)", "orders", "basis");
        for (size_t k = 0; k < shown; k++) {
            const struct value_customer *c = &x.r.c[ix[k]];
            printf("%10lld", (long long)c->account_id);
            money_cell(c->to_date, 12);
            money_cell(c->current, 12);
            money_cell(c->predicted, 12);
            money_cell(c->lifetime, 12);
            printf(" %8.4f %7u  %s%s\n", c->p_alive, c->orders, c->proxy_reason ? "proxy:" : "",
                   value_basis_name((enum value_basis)c->basis));
        }
        if (shown < x.r.n)
            printf("(%zu of %zu customers by %s value; --limit 0 shows all)\n", shown, x.r.n,
                   value_measure_name(o->sort));
    }
    free(ix);
out_close:
    run_close(&x);
    return rc;
}

/* ---- dist ------------------------------------------------------------------------------- */

static void print_dist_table(const struct dist_summary *s, const char *measure)
{
    printf("%zu customers, %s value %.2f in all, mean %.2f\n", s->n, measure, s->total, s->mean);
    printf("Gini %.4f; the top 20%% hold %.1f%%\n", s->gini, 100 * s->top20_share);
    printf("\n%7s %9s %14s %8s %14s %14s\n", "decile", "customers", "value", "share", "from", "to");
    for (size_t k = 0; k < DIST_DECILES; k++) {
        const struct dist_decile *x = &s->deciles[k];
        printf("%7zu %9zu", k + 1, x->n);
        money_cell(x->sum, 14);
        printf(" %7.1f%%", 100 * x->share);
        money_cell(x->min, 14);
        money_cell(x->max, 14);
        putchar('\n');
    }
    printf("\nLorenz curve (share of customers, lowest first -> share of value)\n");
    for (size_t k = 0; k < s->nlorenz; k++)
        printf("  %5.1f%% -> %6.1f%%\n", 100.0 * (double)k / (double)(s->nlorenz - 1),
               100 * s->lorenz[k]);
}

static int dist_groups(const struct vopts *o, const struct cv_data *d, const struct value_result *r,
                       const double *v, enum value_by by, bool first)
{
    struct value_groups g;
    struct kith_error err = {0};
    if (value_groups_build(d, r, by, &g, &err) < 0)
        return fail_err(&err);
    struct dist_summary *s = malloc(g.n * sizeof(*s));
    int rc = 0;
    if (!s || dist_summarise_groups(v, g.code, r->n, g.n, (size_t)o->lorenz, s, &err) < 0) {
        if (!s)
            kith_err(&err, KITH_ENOMEM, "out of memory");
        rc = fail_err(&err);
        goto out_free;
    }
    double total = 0;
    for (size_t k = 0; k < g.n; k++)
        total += s[k].total;
    if (o->json) {
        printf("%s\"%s\":[", first ? "" : ",", value_by_name(by));
        bool any = false;
        for (size_t k = 0; k < g.n; k++) {
            if (s[k].n == 0)
                continue;
            json_t *j = value_json_dist(&s[k]);
            if (j)
                json_object_set_new(j, "group", json_string(g.names[k]));
            printf("%s", any ? "," : "");
            print_json(j);
            any = true;
        }
        printf("]");
    } else {
        printf("\nby %s\n%-40s %9s %14s %7s %14s %7s %7s\n", value_by_name(by), "group",
               "customers", "value", "share", "mean", "gini", "top 20%");
        for (size_t k = 0; k < g.n; k++) {
            if (s[k].n == 0)
                continue;
            printf("%-40.40s %9zu", g.names[k], s[k].n);
            money_cell(s[k].total, 14);
            printf(" %6.1f%%", total != 0 ? 100 * s[k].total / total : NAN);
            money_cell(s[k].mean, 14);
            printf(" %7.3f %6.1f%%\n", s[k].gini, 100 * s[k].top20_share);
        }
    }
out_free:
    free(s);
    value_groups_release(&g);
    return rc;
}

static int sub_dist(const struct vopts *o)
{
    struct run x;
    int rc = run_open(o, STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_COSTS,
                      measure_needs_model(o->measure), &x);
    if (rc)
        return rc;
    double *v = malloc((x.r.n ? x.r.n : 1) * sizeof(*v));
    struct dist_summary all;
    struct kith_error err = {0};
    if (!v) {
        kith_err(&err, KITH_ENOMEM, "out of memory");
        rc = fail_err(&err);
        goto out_close;
    }
    for (size_t i = 0; i < x.r.n; i++)
        v[i] = value_of(&x.r.c[i], o->measure);
    if (dist_summarise(v, x.r.n, (size_t)o->lorenz, &all, &err) < 0) {
        rc = fail_err(&err);
        goto out_v;
    }
    const enum value_by groups[] = {VALUE_BY_UNIT, VALUE_BY_SEGMENT, VALUE_BY_SOURCE};
    char day[16];
    if (o->json) {
        printf("{\"as_of\":\"%s\",\"measure\":\"%s\",\"overall\":", day_text(x.r.as_of_day, day),
               value_measure_name(o->measure));
        print_json(value_json_dist(&all));
        printf(",\"by\":{");
    } else {
        printf("as of %s, %s value\n", day_text(x.r.as_of_day, day),
               value_measure_name(o->measure));
        print_dist_table(&all, value_measure_name(o->measure));
    }
    bool first = true;
    for (size_t k = 0; k < 3 && rc == 0; k++) {
        if (o->by_set && o->by != groups[k])
            continue;
        rc = dist_groups(o, &x.d, &x.r, v, groups[k], first);
        first = false;
    }
    if (o->by_set && o->by != VALUE_BY_UNIT && o->by != VALUE_BY_SEGMENT &&
        o->by != VALUE_BY_SOURCE && o->by != VALUE_BY_NONE && rc == 0)
        rc = dist_groups(o, &x.d, &x.r, v, o->by, first);
    if (o->json)
        printf("}}\n");
out_v:
    free(v);
out_close:
    run_close(&x);
    return rc;
}

/* ---- drivers ---------------------------------------------------------------------------- */

static void print_acquisition(const struct cv_data *d, const struct drivers_acquisition *a)
{
    printf("\nacquisition by source (accounts created, customers won, conversion, value)\n");
    printf("%-28s %9s %9s %10s %14s %14s\n", "source", "accounts", "customers", "conversion",
           "value", "per customer");
    for (size_t k = 0; k < a->nsources; k++) {
        const struct drivers_acq_source *s = &a->sources[k];
        if (!s->accounts && !s->customers)
            continue;
        const char *name = k + 1 == a->nsources ? "(none)" : cv_label(&d->sources, (int32_t)k);
        printf("%-28.28s %9zu %9zu %9.1f%%", name, s->accounts, s->customers,
               s->accounts ? 100.0 * (double)s->customers / (double)s->accounts : NAN);
        money_cell(s->value, 14);
        money_cell(s->customers ? s->value / (double)s->customers : NAN, 14);
        putchar('\n');
    }
    printf("\nacquisition by %s and source\n%-9s %-28s %9s %9s %14s\n",
           drivers_period_name(a->period), "period", "source", "accounts", "customers", "value");
    for (size_t i = 0; i < a->nrows; i++) {
        const struct drivers_acq_row *row = &a->rows[i];
        char label[32];
        drivers_period_label(row->period, a->period, label, sizeof(label));
        const char *src = row->source == CV_NONE ? "(none)" : cv_label(&d->sources, row->source);
        printf("%-9s %-28.28s %9zu %9zu", label, src, row->accounts, row->customers);
        money_cell(row->value, 14);
        putchar('\n');
    }
}

static void print_cohorts(const struct drivers_cohorts *c)
{
    printf("\ncohort retention (share of each %s's new customers who ordered k %ss later)\n",
           drivers_period_name(c->period), drivers_period_name(c->period));
    printf("%-9s %9s", "cohort", "customers");
    size_t cols = c->n < 13 ? c->n : 13;
    for (size_t k = 0; k < cols; k++)
        printf(" %5zu", k);
    putchar('\n');
    for (size_t i = 0; i < c->n; i++) {
        if (!c->size[i])
            continue;
        char label[32];
        drivers_period_label(c->first + (int32_t)i, c->period, label, sizeof(label));
        printf("%-9s %9zu", label, c->size[i]);
        for (size_t k = 0; k < cols && i + k < c->n; k++)
            printf(" %4.0f%%", 100.0 * (double)c->active[i * c->n + k] / (double)c->size[i]);
        putchar('\n');
    }
}

static void print_attrition_row(const char *name, const struct drivers_attrition *a)
{
    printf("%-40.40s %9zu %10.1f %9.3f %9zu %9zu %7.1f%%\n", name, a->n, a->expected_lost,
           a->mean_p_alive, a->below_half, a->active_before,
           a->active_before ? 100.0 * (double)a->lapsed / (double)a->active_before : NAN);
}

static void print_cost_row(const char *name, const struct drivers_cost *c)
{
    printf("%-40.40s %9zu", name, c->n);
    money_cell(c->margin, 14);
    money_cell(c->cost, 14);
    money_cell(c->margin - c->cost, 14);
    printf(" %9zu", c->unprofitable);
    money_cell(c->margin_current - c->cost_current, 14);
    printf(" %9zu\n", c->unprofitable_current);
}

static bool section_on(const struct vopts *o, const char *name)
{
    if (o->nargs == 0)
        return true;
    for (size_t i = 0; i < o->nargs; i++)
        if (strcmp(o->args[i], name) == 0)
            return true;
    return false;
}

static const char *const driver_sections[] = {"acquisition", "cohorts", "attrition",
                                              "holding",     "cost",    "migration"};

/* The groups for attrition and cost: --by, else segment. */
static int drivers_grouped(const struct vopts *o, const struct cv_data *d,
                           const struct value_result *r, bool attrition, bool first)
{
    enum value_by by = o->by_set ? o->by : VALUE_BY_SEGMENT;
    struct value_groups g;
    struct kith_error err = {0};
    if (value_groups_build(d, r, by, &g, &err) < 0)
        return fail_err(&err);
    int rc = 0;
    struct drivers_attrition *at = NULL, all_at;
    struct drivers_cost *ct = NULL, all_ct;
    if (attrition) {
        at = malloc(g.n * sizeof(*at));
        if (!at || drivers_attrition_build(d, r, &g, o->window, at, &err) < 0 ||
            drivers_attrition_build(d, r, NULL, o->window, &all_at, &err) < 0) {
            if (!at)
                kith_err(&err, KITH_ENOMEM, "out of memory");
            rc = fail_err(&err);
            goto out_free;
        }
    } else {
        ct = malloc(g.n * sizeof(*ct));
        if (!ct) {
            kith_err(&err, KITH_ENOMEM, "out of memory");
            rc = fail_err(&err);
            goto out_free;
        }
        drivers_cost_build(r, &g, ct);
        drivers_cost_build(r, NULL, &all_ct);
    }
    if (o->json) {
        printf("%s\"%s\":{\"all\":", first ? "" : ",", attrition ? "attrition" : "cost");
        print_json(attrition ? value_json_attrition(&all_at) : value_json_cost(&all_ct));
        printf(",\"by\":\"%s\",\"groups\":[", value_by_name(by));
        bool any = false;
        for (size_t k = 0; k < g.n; k++) {
            if ((attrition ? at[k].n : ct[k].n) == 0)
                continue;
            json_t *j = attrition ? value_json_attrition(&at[k]) : value_json_cost(&ct[k]);
            if (j)
                json_object_set_new(j, "group", json_string(g.names[k]));
            printf("%s", any ? "," : "");
            print_json(j);
            any = true;
        }
        printf("]}");
    } else if (attrition) {
        printf("\nattrition by %s (expected lost = sum of 1 - P(alive); lapsed = ordered in the "
               "%d days before the last %d, not since)\n",
               value_by_name(by), o->window, o->window);
        printf("%-40s %9s %10s %9s %9s %9s %8s\n", "group", "customers", "exp. lost", "P(alive)",
               "P<0.5", "active", "lapsed");
        print_attrition_row("all", &all_at);
        for (size_t k = 0; k < g.n; k++)
            if (at[k].n)
                print_attrition_row(g.names[k], &at[k]);
    } else {
        printf("\ncost to serve (interaction cost) and profitability by %s\n", value_by_name(by));
        printf("%-40s %9s %14s %14s %14s %9s %14s %9s\n", "group", "customers", "margin", "cost",
               "profit", "unprof.", "profit 12m", "unprof.");
        print_cost_row("all", &all_ct);
        for (size_t k = 0; k < g.n; k++)
            if (ct[k].n)
                print_cost_row(g.names[k], &ct[k]);
    }
out_free:
    free(at);
    free(ct);
    value_groups_release(&g);
    return rc;
}

static void print_holding(const struct drivers_holding *h, enum value_measure m)
{
    printf("\nproduct holding: %.2f products and %.2f categories per customer on average\n",
           h->mean_products, h->mean_categories);
    printf("%9s %9s %16s\n", "products", "customers", "mean value");
    for (size_t b = 0; b < DRIVERS_HOLDING_BUCKETS; b++) {
        if (!h->customers[b])
            continue;
        printf("%8zu%s %9zu", b, b + 1 == DRIVERS_HOLDING_BUCKETS ? "+" : " ", h->customers[b]);
        money_cell(h->value[b] / (double)h->customers[b], 16);
        printf("  (%s)\n", value_measure_name(m));
    }
}

static void print_migration(const struct drivers_migration *m)
{
    char a[16], b[16], c[16], e[16];
    printf("\nvalue migration: tiers by margin quintile among the buyers of each period "
           "(0 = no order)\n  from %s..%s to %s..%s: %zu up, %zu down, %zu same\n",
           day_text(m->from_first, a), day_text(m->from_last, b), day_text(m->to_first, c),
           day_text(m->to_last, e), m->up, m->down, m->same);
    printf("%10s", "from\\to");
    for (size_t t = 0; t < DRIVERS_TIERS; t++)
        printf(" %8zu", t);
    putchar('\n');
    for (size_t f = 0; f < DRIVERS_TIERS; f++) {
        printf("%10zu", f);
        for (size_t t = 0; t < DRIVERS_TIERS; t++)
            printf(" %8zu", m->matrix[f][t]);
        putchar('\n');
    }
}

static int sub_drivers(const struct vopts *o)
{
    struct run x;
    bool need_model = measure_needs_model(o->measure) || section_on(o, "attrition");
    int rc = run_open(o, STORE_CV_ALL, need_model, &x);
    if (rc)
        return rc;
    struct kith_error err = {0};
    struct drivers_acquisition acq = {0};
    struct drivers_cohorts coh = {0};
    struct value_holdings hold = {0};
    struct drivers_migration mig;
    char day[16];
    bool first = true;
    if (o->json)
        printf("{\"as_of\":\"%s\",\"measure\":\"%s\"", day_text(x.r.as_of_day, day),
               value_measure_name(o->measure));
    else
        printf("as of %s; values are %s values\n", day_text(x.r.as_of_day, day),
               value_measure_name(o->measure));
    first = false;
    if (section_on(o, "acquisition")) {
        if (drivers_acquisition_build(&x.d, &x.r, o->period, o->measure, &acq, &err) < 0) {
            rc = fail_err(&err);
            goto out_all;
        }
        if (o->json) {
            printf(",\"acquisition\":");
            print_json(value_json_acquisition(&x.d, &acq));
        } else {
            print_acquisition(&x.d, &acq);
        }
    }
    if (section_on(o, "cohorts")) {
        if (drivers_cohorts_build(&x.d, &x.r, o->period, &coh, &err) < 0) {
            rc = fail_err(&err);
            goto out_all;
        }
        if (o->json) {
            printf(",\"cohorts\":");
            print_json(value_json_cohorts(&coh));
        } else {
            print_cohorts(&coh);
        }
    }
    if (section_on(o, "attrition") && (rc = drivers_grouped(o, &x.d, &x.r, true, first)) != 0)
        goto out_all;
    if (section_on(o, "holding")) {
        if (value_holdings_build(&x.d, &x.r, &hold, &err) < 0) {
            rc = fail_err(&err);
            goto out_all;
        }
        struct drivers_holding h;
        drivers_holding_build(&x.r, &hold, o->measure, &h);
        if (o->json) {
            printf(",\"holding\":");
            print_json(value_json_holding(&h));
        } else {
            print_holding(&h, o->measure);
        }
    }
    if (section_on(o, "cost") && (rc = drivers_grouped(o, &x.d, &x.r, false, first)) != 0)
        goto out_all;
    if (section_on(o, "migration")) {
        if (drivers_migration_build(&x.d, &x.r, o->window, &mig, NULL, NULL, &err) < 0) {
            rc = fail_err(&err);
            goto out_all;
        }
        if (o->json) {
            printf(",\"migration\":");
            print_json(value_json_migration(&mig));
        } else {
            print_migration(&mig);
        }
    }
    if (o->json)
        printf("}\n");
out_all:
    drivers_acquisition_release(&acq);
    drivers_cohorts_release(&coh);
    value_holdings_release(&hold);
    run_close(&x);
    return rc;
}

/* ---- rfm -------------------------------------------------------------------------------- */

static int sub_rfm(const struct vopts *o)
{
    struct run x;
    int rc = run_open(o, STORE_CV_ACCOUNTS | STORE_CV_ORDERS, false, &x);
    if (rc)
        return rc;
    struct kith_error err = {0};
    struct rfm_input *in = malloc((x.r.n ? x.r.n : 1) * sizeof(*in));
    struct rfm_score *sc = malloc((x.r.n ? x.r.n : 1) * sizeof(*sc));
    size_t *ix = value_order(&x.r, VALUE_TO_DATE);
    if (!in || !sc || !ix) {
        kith_err(&err, KITH_ENOMEM, "out of memory");
        rc = fail_err(&err);
        goto out_free;
    }
    rfm_inputs_from_values(&x.r, o->new_days, in);
    if (rfm_score_all(in, x.r.n, sc, &err) < 0) {
        rc = fail_err(&err);
        goto out_free;
    }
    size_t count[RFM_NSEGMENTS] = {0};
    double value[RFM_NSEGMENTS] = {0};
    for (size_t i = 0; i < x.r.n; i++) {
        count[sc[i].segment]++;
        value[sc[i].segment] += x.r.c[i].to_date;
    }
    char day[16];
    if (o->has_account) {
        size_t i;
        if ((rc = find_account(o, &x.r, &i)) != 0)
            goto out_free;
        if (o->json) {
            print_json(value_json_rfm(&x.r, i, &sc[i]));
            putchar('\n');
        } else {
            printf("account %lld: R %d, F %d, M %d: %s (%s)\n", (long long)x.r.c[i].account_id,
                   sc[i].r, sc[i].f, sc[i].m, rfm_segment_name((enum rfm_segment)sc[i].segment),
                   rfm_segment_rule((enum rfm_segment)sc[i].segment));
        }
        goto out_free;
    }
    /* the customer list: of one segment with --segment, by value to date */
    size_t m = 0;
    for (size_t k = 0; k < x.r.n; k++)
        if (!o->segment_set || sc[ix[k]].segment == o->segment)
            ix[m++] = ix[k];
    size_t shown = rows_shown(o, m);
    if (o->json) {
        printf("{\"as_of\":\"%s\",\"new_days\":%d,\"segments\":[", day_text(x.r.as_of_day, day),
               o->new_days);
        for (int s = 0; s < RFM_NSEGMENTS; s++) {
            json_t *j = json_object();
            json_object_set_new(j, "segment", json_string(rfm_segment_name((enum rfm_segment)s)));
            json_object_set_new(j, "rule", json_string(rfm_segment_rule((enum rfm_segment)s)));
            json_object_set_new(j, "customers", json_integer((json_int_t)count[s]));
            json_object_set_new(j, "value_to_date", json_real(round(value[s] * 100) / 100));
            printf("%s", s ? "," : "");
            print_json(j);
        }
        printf("],\"customers_total\":%zu,\"customers\":[", m);
        for (size_t k = 0; k < shown; k++) {
            printf("%s", k ? "," : "");
            print_json(value_json_rfm(&x.r, ix[k], &sc[ix[k]]));
        }
        printf("]}\n");
    } else {
        printf("as of %s: %zu customers\n\n%-20s %9s %14s  %s\n", day_text(x.r.as_of_day, day),
               x.r.n, "segment", "customers", "value to date", "rule (first match wins)");
        for (int s = 0; s < RFM_NSEGMENTS; s++) {
            printf("%-20s %9zu", rfm_segment_name((enum rfm_segment)s), count[s]);
            money_cell(value[s], 14);
            printf("  %s\n", rfm_segment_rule((enum rfm_segment)s));
        }
        printf("\n%10s %3s %3s %3s  %-20s %8s %7s %14s\n", "account", "R", "F", "M", "segment",
               "recency", "orders", "value to date");
        for (size_t k = 0; k < shown; k++) {
            size_t i = ix[k];
            printf("%10lld %3d %3d %3d  %-20s %7dd %7u", (long long)x.r.c[i].account_id, sc[i].r,
                   sc[i].f, sc[i].m, rfm_segment_name((enum rfm_segment)sc[i].segment),
                   x.r.as_of_day - x.r.c[i].last_day, x.r.c[i].orders);
            money_cell(x.r.c[i].to_date, 14);
            putchar('\n');
        }
        if (shown < m)
            printf("(%zu of %zu customers by value to date; --limit 0 shows all)\n", shown, m);
    }
out_free:
    free(in);
    free(sc);
    free(ix);
    run_close(&x);
    return rc;
}

/* ---- reap ------------------------------------------------------------------------------- */

static int sub_reap(const struct vopts *o)
{
    struct run x;
    int rc = run_open(o, STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_LINES | STORE_CV_COSTS,
                      true, &x);
    if (rc)
        return rc;
    struct kith_error err = {0};
    struct value_holdings h = {0};
    struct rfm_input *rin = malloc((x.r.n ? x.r.n : 1) * sizeof(*rin));
    struct rfm_score *sc = malloc((x.r.n ? x.r.n : 1) * sizeof(*sc));
    struct reap_input *in = malloc((x.r.n ? x.r.n : 1) * sizeof(*in));
    struct reap_tag *tag = malloc((x.r.n ? x.r.n : 1) * sizeof(*tag));
    size_t *ix = value_order(&x.r, VALUE_LIFETIME);
    double ref = 0;
    if (!rin || !sc || !in || !tag || !ix) {
        kith_err(&err, KITH_ENOMEM, "out of memory");
        rc = fail_err(&err);
        goto out_free;
    }
    rfm_inputs_from_values(&x.r, o->new_days, rin);
    if (rfm_score_all(rin, x.r.n, sc, &err) < 0 || value_holdings_build(&x.d, &x.r, &h, &err) < 0 ||
        reap_inputs_from_values(&x.r, sc, &h, in, &err) < 0 ||
        reap_holding_ref(in, x.r.n, &ref, &err) < 0) {
        rc = fail_err(&err);
        goto out_free;
    }
    size_t levers[REAP_NLEVERS] = {0}, lows[REAP_NLOW] = {0}, rules_n[REAP_NRULES] = {0};
    double lever_value[REAP_NLEVERS] = {0};
    for (size_t i = 0; i < x.r.n; i++) {
        tag[i] = reap_tag_one(&in[i], &o->reap, ref);
        levers[tag[i].lever]++;
        lever_value[tag[i].lever] += x.r.c[i].lifetime;
        lows[tag[i].low]++;
        rules_n[tag[i].rule]++;
    }
    char day[16], reason[512];
    if (o->has_account) {
        size_t i;
        if ((rc = find_account(o, &x.r, &i)) != 0)
            goto out_free;
        if (o->json) {
            print_json(value_json_reap(&x.r, i, &in[i], &tag[i], &o->reap, ref));
            putchar('\n');
        } else {
            reap_reason(&in[i], &tag[i], &o->reap, ref, reason, sizeof(reason));
            printf("account %lld: %s (rule %s): %s\n", (long long)x.r.c[i].account_id,
                   reap_lever_name((enum reap_lever)tag[i].lever),
                   reap_rule_name((enum reap_rule)tag[i].rule), reason);
            if (tag[i].low)
                printf("low value (%s: %s)\n  treatment: %s\n",
                       reap_low_name((enum reap_low)tag[i].low),
                       reap_low_rule((enum reap_low)tag[i].low),
                       reap_low_treatment((enum reap_low)tag[i].low));
        }
        goto out_free;
    }
    size_t m = 0;
    for (size_t k = 0; k < x.r.n; k++) {
        const struct reap_tag *t = &tag[ix[k]];
        if ((o->lever_set && t->lever != o->lever) || (o->low_value && t->low == REAP_LOW_NONE))
            continue;
        ix[m++] = ix[k];
    }
    size_t shown = rows_shown(o, m);
    if (o->json) {
        printf("{\"as_of\":\"%s\",\"holding_reference\":%g,\"levers\":[",
               day_text(x.r.as_of_day, day), ref);
        for (int l = 0; l < REAP_NLEVERS; l++)
            printf("%s{\"lever\":\"%s\",\"customers\":%zu,\"value_lifetime\":%.2f}", l ? "," : "",
                   reap_lever_name((enum reap_lever)l), levers[l], lever_value[l]);
        printf("],\"rules\":[");
        for (int u = 0; u < REAP_NRULES; u++) {
            json_t *j = json_object();
            json_object_set_new(j, "rule", json_string(reap_rule_name((enum reap_rule)u)));
            json_object_set_new(j, "text", json_string(reap_rule_text((enum reap_rule)u)));
            json_object_set_new(j, "customers", json_integer((json_int_t)rules_n[u]));
            printf("%s", u ? "," : "");
            print_json(j);
        }
        printf("],\"low_value_rules\":[");
        for (int u = 1; u < REAP_NLOW; u++) {
            json_t *j = json_object();
            json_object_set_new(j, "rule", json_string(reap_low_name((enum reap_low)u)));
            json_object_set_new(j, "why", json_string(reap_low_rule((enum reap_low)u)));
            json_object_set_new(j, "treatment", json_string(reap_low_treatment((enum reap_low)u)));
            json_object_set_new(j, "customers", json_integer((json_int_t)lows[u]));
            printf("%s", u > 1 ? "," : "");
            print_json(j);
        }
        printf("],\"customers_total\":%zu,\"customers\":[", m);
        for (size_t k = 0; k < shown; k++) {
            printf("%s", k ? "," : "");
            print_json(value_json_reap(&x.r, ix[k], &in[ix[k]], &tag[ix[k]], &o->reap, ref));
        }
        printf("]}\n");
    } else {
        printf("as of %s: %zu customers; best customers' median holding %.1f products\n\n",
               day_text(x.r.as_of_day, day), x.r.n, ref);
        printf("%-12s %9s %16s\n", "lever", "customers", "lifetime value");
        for (int l = 0; l < REAP_NLEVERS; l++) {
            printf("%-12s %9zu", reap_lever_name((enum reap_lever)l), levers[l]);
            money_cell(lever_value[l], 16);
            putchar('\n');
        }
        printf("\n%-18s %9s  %s\n", "rule", "customers", "(first match wins)");
        for (int u = 0; u < REAP_NRULES; u++)
            printf("%-18s %9zu  %s: %s\n", reap_rule_name((enum reap_rule)u), rules_n[u],
                   reap_lever_name(reap_rule_lever((enum reap_rule)u)),
                   reap_rule_text((enum reap_rule)u));
        printf("\nlow-value customers\n");
        for (int u = 1; u < REAP_NLOW; u++)
            printf("%-13s %7zu  %s\n%21s treatment: %s\n", reap_low_name((enum reap_low)u), lows[u],
                   reap_low_rule((enum reap_low)u), "", reap_low_treatment((enum reap_low)u));
        printf("\n%10s %-11s %-16s %-13s %14s  %s\n", "account", "lever", "rule", "low value",
               "lifetime", "reason");
        for (size_t k = 0; k < shown; k++) {
            size_t i = ix[k];
            reap_reason(&in[i], &tag[i], &o->reap, ref, reason, sizeof(reason));
            printf("%10lld %-11s %-16s %-13s", (long long)x.r.c[i].account_id,
                   reap_lever_name((enum reap_lever)tag[i].lever),
                   reap_rule_name((enum reap_rule)tag[i].rule),
                   tag[i].low ? reap_low_name((enum reap_low)tag[i].low) : "-");
            money_cell(x.r.c[i].lifetime, 14);
            printf("  %s\n", reason);
        }
        if (shown < m)
            printf("(%zu of %zu customers by lifetime value; --limit 0 shows all)\n", shown, m);
    }
out_free:
    free(rin);
    free(sc);
    free(in);
    free(tag);
    free(ix);
    value_holdings_release(&h);
    run_close(&x);
    return rc;
}

/* ---- xsell ------------------------------------------------------------------------------ */

static void print_rule_text(const struct cv_data *d, const struct basket_rule *ru)
{
    for (int a = 0; a < ru->nante; a++)
        printf("%s%s", a ? " + " : "", d->products[ru->antecedent[a]].sku);
    printf(" -> %s", d->products[ru->consequent].sku);
}

static int sub_xsell(const struct vopts *o)
{
    struct run x;
    int rc = run_open(o, STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_LINES, false, &x);
    if (rc)
        return rc;
    struct kith_error err = {0};
    struct basket_set bs = {0};
    struct basket_rules rules = {0};
    struct value_holdings h = {0};
    struct basket_offers offers = {0};
    if (basket_set_from_lines(&x.d, x.r.as_of_day, &bs, &err) < 0 ||
        basket_mine(&bs, x.d.nproducts, &o->basket, &rules, &err) < 0 ||
        value_holdings_build(&x.d, &x.r, &h, &err) < 0 ||
        basket_offers_build(&rules, &h, &x.d, (size_t)o->offers, &offers, &err) < 0) {
        rc = fail_err(&err);
        goto out_free;
    }
    /* offers of one account, or of the first customers that have any */
    size_t lo = 0, hi = offers.n;
    if (o->has_account) {
        size_t i;
        if ((rc = find_account(o, &x.r, &i)) != 0)
            goto out_free;
        while (lo < offers.n && offers.offers[lo].customer < i)
            lo++;
        hi = lo;
        while (hi < offers.n && offers.offers[hi].customer == i)
            hi++;
    }
    size_t nrules = o->rules < 0 ? (o->json ? rules.n : 20) : (size_t)o->rules;
    if (nrules == 0 || nrules > rules.n)
        nrules = rules.n;
    size_t customers_with = 0;
    for (size_t k = 0; k < offers.n; k++)
        customers_with += k == 0 || offers.offers[k].customer != offers.offers[k - 1].customer;
    size_t shown_customers = o->has_account ? 1 : rows_shown(o, customers_with);
    char day[16];
    if (o->json) {
        printf("{\"as_of\":\"%s\",\"baskets\":%zu,\"itemsets\":%zu,\"min_support\":%g,"
               "\"min_confidence\":%g,\"min_lift\":%g,\"max_len\":%d,\"rules_total\":%zu,"
               "\"rules\":[",
               day_text(x.r.as_of_day, day), rules.nbaskets, rules.nitemsets, o->basket.min_support,
               o->basket.min_confidence, o->basket.min_lift, o->basket.max_len, rules.n);
        for (size_t k = 0; k < nrules && !o->has_account; k++) {
            printf("%s", k ? "," : "");
            print_json(value_json_rule(&x.d, &rules.rules[k]));
        }
        printf("],\"customers_with_offers\":%zu,\"offers\":[", customers_with);
    } else {
        printf("as of %s: %zu baskets, %zu frequent itemsets, %zu rules (support >= %g, "
               "confidence >= %g, lift >= %g, at most %d items)\n",
               day_text(x.r.as_of_day, day), rules.nbaskets, rules.nitemsets, rules.n,
               o->basket.min_support, o->basket.min_confidence, o->basket.min_lift,
               o->basket.max_len);
        if (!o->has_account) {
            printf("\n%8s %10s %6s  %s\n", "support", "confidence", "lift", "rule");
            for (size_t k = 0; k < nrules; k++) {
                const struct basket_rule *ru = &rules.rules[k];
                printf("%7.2f%% %9.1f%% %6.2f  ", 100 * ru->support, 100 * ru->confidence,
                       ru->lift);
                print_rule_text(&x.d, ru);
                putchar('\n');
            }
            if (nrules < rules.n)
                printf("(%zu of %zu rules; --rules 0 shows all)\n", nrules, rules.n);
        }
        printf("\noffers (%zu customers have one)\n%10s %-10s %-16s %-40s  %s\n", customers_with,
               "account", "kind", "offer", "name", "because of the rule (confidence, lift)");
    }
    size_t seen = 0, printed = 0;
    for (size_t k = lo; k < hi; k++) {
        const struct basket_offer *of = &offers.offers[k];
        if (k == lo || of->customer != offers.offers[k - 1].customer)
            seen++;
        if (seen > shown_customers)
            break;
        if (o->json) {
            printf("%s", printed ? "," : "");
            print_json(value_json_offer(&x.d, &x.r, &rules, of));
        } else {
            const struct basket_rule *ru = &rules.rules[of->rule];
            printf("%10lld %-10s %-16.16s %-40.40s  ", (long long)x.r.c[of->customer].account_id,
                   basket_offer_kind_name((enum basket_offer_kind)of->kind),
                   x.d.products[of->product].sku, x.d.products[of->product].name);
            print_rule_text(&x.d, ru);
            printf(" (%.0f%%, %.2f)\n", 100 * ru->confidence, ru->lift);
        }
        printed++;
    }
    if (o->json)
        printf("]}\n");
    else if (!o->has_account && shown_customers < customers_with)
        printf("(offers of %zu of %zu customers; --limit 0 shows all)\n", shown_customers,
               customers_with);
out_free:
    basket_set_release(&bs);
    basket_rules_release(&rules);
    value_holdings_release(&h);
    basket_offers_release(&offers);
    run_close(&x);
    return rc;
}

/* ---- referrals -------------------------------------------------------------------------- */

static int sub_referrals(const struct vopts *o)
{
    struct run x;
    int rc = run_open(o, STORE_CV_ACCOUNTS | STORE_CV_ORDERS | STORE_CV_COSTS | STORE_CV_REFERRALS,
                      measure_needs_model(o->measure), &x);
    if (rc)
        return rc;
    struct kith_error err = {0};
    const size_t n = x.d.naccounts;
    int64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
    double *val = malloc((n ? n : 1) * sizeof(*val));
    struct referral_value *out = malloc((n ? n : 1) * sizeof(*out));
    size_t *ix = malloc((n ? n : 1) * sizeof(*ix));
    if (!ids || !val || !out || !ix) {
        kith_err(&err, KITH_ENOMEM, "out of memory");
        rc = fail_err(&err);
        goto out_free;
    }
    /* every account, customer or not: a referrer need not have bought itself */
    for (size_t i = 0; i < n; i++) {
        ids[i] = x.d.accounts[i].id;
        size_t c = value_find(&x.r, ids[i]);
        val[i] = c == CV_NO_INDEX ? 0 : value_of(&x.r.c[c], o->measure);
    }
    if (referral_values(x.d.referrals, x.d.nreferrals, ids, val, n, o->second, out, &err) < 0) {
        rc = fail_err(&err);
        goto out_free;
    }
    size_t m = 0;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        if (out[i].referred == 0)
            continue;
        if (o->has_account && ids[i] != o->account)
            continue;
        ix[m++] = i;
        total += out[i].value1;
    }
    for (size_t i = 0; i < n; i++)
        val[i] = out[i].total; /* val is free again: sort by referral value */
    if (!value_sort_desc(ix, m, val)) {
        kith_err(&err, KITH_ENOMEM, "out of memory");
        rc = fail_err(&err);
        goto out_free;
    }
    size_t shown = rows_shown(o, m);
    char day[16];
    if (o->json) {
        printf("{\"as_of\":\"%s\",\"measure\":\"%s\",\"second_degree_weight\":%g,"
               "\"referral_events\":%zu,\"referrers\":%zu,\"accounts\":[",
               day_text(x.r.as_of_day, day), value_measure_name(o->measure), o->second,
               x.d.nreferrals, m);
        for (size_t k = 0; k < shown; k++) {
            printf("%s", k ? "," : "");
            print_json(value_json_referral(ids[ix[k]], &out[ix[k]]));
        }
        printf("]}\n");
    } else {
        printf("as of %s: %zu referral events, %zu referring accounts; referred %s value %.2f "
               "(first degree), second degree weighted %g\n",
               day_text(x.r.as_of_day, day), x.d.nreferrals, m, value_measure_name(o->measure),
               total, o->second);
        printf("\n%10s %9s %14s %9s %14s %14s\n", "account", "referred", "value", "2nd deg.",
               "value", "referral value");
        for (size_t k = 0; k < shown; k++) {
            const struct referral_value *v = &out[ix[k]];
            printf("%10lld %9zu", (long long)ids[ix[k]], v->referred);
            money_cell(v->value1, 14);
            printf(" %9zu", v->referred2);
            money_cell(v->value2, 14);
            money_cell(v->total, 14);
            putchar('\n');
        }
        if (shown < m)
            printf("(%zu of %zu referring accounts; --limit 0 shows all)\n", shown, m);
    }
out_free:
    free(ids);
    free(val);
    free(out);
    free(ix);
    run_close(&x);
    return rc;
}

/* ---- dispatch --------------------------------------------------------------------------- */

static const struct sub subs[] = {
    {"fit", sub_fit, O_DB | O_JSON | O_AS_OF | O_SUMMARY | O_UNIT | O_MODEL, false,
     "usage: kith value fit [--summary FILE [--unit-days D]] [--as-of DATE] [--max-iter N]\n"
     "                      [--json] [--db PATH]\n\n"
     "Fits BG/NBD (number of future orders, P(alive)) and Gamma-Gamma (spend per order) by\n"
     "maximum likelihood on the orders up to the as-of day (customer = account, time unit =\n"
     "week), or on a customer summary CSV whose header names id, frequency, recency, T and\n"
     "monetary_value (or x, t_x, T, zbar). A fit that does not converge is an error: no\n"
     "parameters are printed.\n\n"
     "  --summary FILE       fit on this summary file ('-' for standard input)\n" MODEL_OPTS
         COMMON_OPTS},
    {"clv", sub_clv,
     O_DB | O_JSON | O_AS_OF | O_SUMMARY | O_UNIT | O_MODEL | O_LIMIT | O_ACCOUNT | O_SORT, false,
     "usage: kith value clv [--account ID] [--sort MEASURE] [--limit N] [model options]\n"
     "                      [--summary FILE [--unit-days D]] [--json] [--db PATH]\n\n"
     "Value per customer, in margin: to date, current (the 365 days up to the as-of day),\n"
     "predicted (discounted expected margin over the horizon from BG/NBD + Gamma-Gamma and\n"
     "the margin ratio), lifetime (to date + predicted), P(alive). Customers younger than\n"
     "--proxy-days, or whom the model cannot value, get a proxy: the mean predicted value of\n"
     "their industry x revenue band (docs/value.md). With --summary, the CLV of each row of\n"
     "the file (spend x --margin, 1 by default; times in units of --unit-days, 7).\n\n"
     "  --account ID         one customer in detail\n"
     "  --sort MEASURE       lifetime, predicted, to_date, current, profit (lifetime)\n"
     "  --limit N            customers shown (20; 0 for all; --json: all)\n" MODEL_OPTS
         COMMON_OPTS},
    {"dist", sub_dist, O_DB | O_JSON | O_AS_OF | O_MODEL | O_MEASURE | O_BY | O_LORENZ, false,
     "usage: kith value dist [--measure M] [--by unit|segment|source|industry] [--lorenz N]\n"
     "                       [model options] [--json] [--db PATH]\n\n"
     "How value is spread over the customers: deciles (1 = the top 10%) with their edges,\n"
     "the share of the top 20%, the Lorenz curve and the Gini coefficient; overall and by\n"
     "unit, segment (industry x revenue band) and source.\n\n"
     "  --measure M          lifetime, predicted, to_date, current, profit, profit_current\n"
     "                       (lifetime; to_date and current need no model)\n"
     "  --by G               only this grouping\n"
     "  --lorenz N           Lorenz points, 2..101 (21: every 5%)\n" MODEL_OPTS COMMON_OPTS},
    {"drivers", sub_drivers, O_DB | O_JSON | O_AS_OF | O_MODEL | O_MEASURE | O_BY | O_PERIOD, true,
     "usage: kith value drivers [SECTION...] [--period month|quarter|year] [--window DAYS]\n"
     "                          [--by G] [--measure M] [model options] [--json] [--db PATH]\n\n"
     "The drivers of value. Sections (all by default): acquisition (accounts and customers\n"
     "won per source and period, conversion, value brought), cohorts (retention matrix by\n"
     "period of first order), attrition (expected: sum of 1 - P(alive); observed: lapsed\n"
     "buyers), holding (distinct products per customer against value), cost (cost to serve =\n"
     "interaction cost on the account's contacts; profit = margin - cost to serve), migration\n"
     "(value tiers in the window before the last and in the last window).\n\n"
     "  --period P           month, quarter or year (quarter)\n"
     "  --window DAYS        attrition and migration window (365)\n"
     "  --by G               groups for attrition and cost: unit, segment, industry, source,\n"
     "                       none (segment)\n"
     "  --measure M          value of acquisition and holding (lifetime)\n" MODEL_OPTS COMMON_OPTS},
    {"rfm", sub_rfm, O_DB | O_JSON | O_AS_OF | O_LIMIT | O_ACCOUNT | O_NEW | O_SEGMENT, false,
     "usage: kith value rfm [--segment NAME] [--account ID] [--new-days N] [--limit N]\n"
     "                      [--as-of DATE] [--json] [--db PATH]\n\n"
     "Recency (days since the last order), frequency (orders) and monetary (margin to date)\n"
     "scores, each a quintile 1..5 (5 best; ties share the lowest score among them), and the\n"
     "named segments by the rules printed with the table (first match wins).\n\n"
     "  --segment NAME       list only this segment's customers\n"
     "  --new-days N         customers whose first order is this recent are 'new' (90)\n"
     "  --account ID         one customer\n"
     "  --limit N            customers listed (20; 0 for all)\n"
     "  --as-of DATE         the as-of day (default: the day of the latest order)\n" COMMON_OPTS},
    {"reap", sub_reap, O_DB | O_JSON | O_AS_OF | O_MODEL | O_LIMIT | O_ACCOUNT | O_NEW | O_REAP,
     false,
     "usage: kith value reap [--lever L] [--low-value] [--account ID] [--limit N]\n"
     "                       [--alive-min P] [--cost-share S] [model options] [--json]\n\n"
     "Tags every customer with one REAP lever - retain, efficiency, acquire (look-alikes of\n"
     "the best customers) or penetrate (cross-sell, up-sell) - by the first rule that holds,\n"
     "with the reason in words; and lists the low-value customers with the rule that put them\n"
     "there and the recommended treatment. The rules are printed with the table.\n\n"
     "  --lever L            list only this lever's customers\n"
     "  --low-value          list only low-value customers\n"
     "  --alive-min P        P(alive) below P is 'at risk' (0.5)\n"
     "  --cost-share S       cost to serve above S x margin is 'costly' (0.5)\n"
     "  --new-days N         the RFM 'new' window (90)\n"
     "  --account ID         one customer\n"
     "  --limit N            customers listed (20; 0 for all)\n" MODEL_OPTS COMMON_OPTS},
    {"xsell", sub_xsell, O_DB | O_JSON | O_AS_OF | O_LIMIT | O_ACCOUNT | O_BASKET, false,
     "usage: kith value xsell [--min-support S] [--min-confidence C] [--min-lift L]\n"
     "                        [--max-len N] [--rules N] [--offers N] [--account ID]\n"
     "                        [--limit N] [--as-of DATE] [--json] [--db PATH]\n\n"
     "Association rules over order baskets (one basket per order, FP-growth): 'who bought A\n"
     "(and B) also bought C' with support (share of baskets with all of them), confidence\n"
     "(share of A-baskets that hold C) and lift (confidence over C's own share). Then offers\n"
     "per customer: the consequents of the rules whose antecedent the customer holds and\n"
     "whose consequent it does not, best first, each with the rule that produced it; an\n"
     "up-sell when the customer holds a cheaper product of the same category.\n\n"
     "  --min-support S      (0.01)      --min-confidence C  (0.2)\n"
     "  --min-lift L         (1.0)       --max-len N         items in a rule, 2..5 (3)\n"
     "  --rules N            rules shown (20; 0 for all)\n"
     "  --offers N           offers per customer (3)\n"
     "  --account ID         the offers of one customer\n"
     "  --limit N            customers whose offers are shown (20; 0 for all)\n"
     "  --as-of DATE         the as-of day (default: the day of the latest order)\n" COMMON_OPTS},
    {"referrals", sub_referrals,
     O_DB | O_JSON | O_AS_OF | O_MODEL | O_LIMIT | O_ACCOUNT | O_MEASURE | O_SECOND, false,
     "usage: kith value referrals [--second-degree W] [--measure M] [--account ID]\n"
     "                            [--limit N] [model options] [--json] [--db PATH]\n\n"
     "Referral value: from the events of kind 'referral' (contact -> related contact, between\n"
     "their accounts), the value of the accounts each account referred; a referred account\n"
     "is credited to its first referrer only. Second degree: the accounts those referred,\n"
     "weighted by W.\n\n"
     "  --second-degree W    weight of the second degree, 0..1 (0.5; 0 for first degree only)\n"
     "  --measure M          the value counted (lifetime)\n"
     "  --account ID         one account\n"
     "  --limit N            accounts listed (20; 0 for all)\n" MODEL_OPTS COMMON_OPTS},
    {NULL, NULL, 0, false, NULL},
};

static const struct sub *find_sub(const char *name)
{
    for (const struct sub *s = subs; s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static void vopts_default(struct vopts *o, const char *sub)
{
    memset(o, 0, sizeof(*o));
    o->sub = sub;
    snprintf(o->cmd, sizeof(o->cmd), "value %s", sub);
    o->unit_days = 7;
    o->horizon = 36;
    o->discount = 0.10;
    o->margin = -1;
    o->proxy_days = 90;
    o->proxy_min = 5;
    o->max_iter = CLV_FIT_DEFAULT_MAX_ITER;
    o->limit = -1;
    o->measure = VALUE_LIFETIME;
    o->lorenz = 21;
    o->period = DRIVERS_QUARTER;
    o->window = 365;
    o->new_days = RFM_NEW_DAYS_DEFAULT;
    reap_options_default(&o->reap);
    basket_options_default(&o->basket);
    o->offers = 3;
    o->rules = -1;
    o->second = 0.5;
    o->sort = VALUE_LIFETIME;
}

/* Reads one option into o; returns 0, or the exit code of a usage error. */
static int set_option(struct vopts *o, int c, const char *arg)
{
    const char *s = o->cmd;
    long l;
    switch (c) {
    case OPT_DB:
        o->db = arg;
        return 0;
    case OPT_JSON:
        o->json = true;
        return 0;
    case OPT_AS_OF:
        o->as_of = arg;
        return 0;
    case OPT_SUMMARY:
        o->summary = arg;
        return 0;
    case OPT_UNIT:
        return parse_double(s, "unit-days", arg, 1e-6, 36600, &o->unit_days);
    case OPT_HORIZON:
        return parse_int(s, "horizon", arg, 1, 1200, &o->horizon);
    case OPT_DISCOUNT:
        return parse_double(s, "discount", arg, 0, 10, &o->discount);
    case OPT_MARGIN:
        return parse_double(s, "margin", arg, 0, 1, &o->margin);
    case OPT_PROXY_DAYS:
        return parse_int(s, "proxy-days", arg, 0, 36600, &o->proxy_days);
    case OPT_PROXY_MIN:
        return parse_long(s, "proxy-min", arg, 1, 1000000, &o->proxy_min);
    case OPT_MAX_ITER:
        return parse_int(s, "max-iter", arg, 1, 1000000, &o->max_iter);
    case OPT_LIMIT:
        return parse_long(s, "limit", arg, 0, 1000000000, &o->limit);
    case OPT_ACCOUNT:
        if (parse_long(s, "account", arg, 1, LONG_MAX, &l))
            return CMD_USAGE;
        o->has_account = true;
        o->account = l;
        return 0;
    case OPT_MEASURE:
        if (!value_measure_parse(arg, &o->measure))
            return cmd_usage_error(s,
                                   "--measure '%s': one of lifetime, predicted, "
                                   "to_date, current, profit, profit_current",
                                   arg);
        return 0;
    case OPT_SORT:
        if (!value_measure_parse(arg, &o->sort))
            return cmd_usage_error(s,
                                   "--sort '%s': one of lifetime, predicted, "
                                   "to_date, current, profit, profit_current",
                                   arg);
        return 0;
    case OPT_BY:
        if (!value_by_parse(arg, &o->by))
            return cmd_usage_error(s, "--by '%s': one of unit, segment, industry, source, none",
                                   arg);
        o->by_set = true;
        return 0;
    case OPT_LORENZ:
        return parse_long(s, "lorenz", arg, 2, DIST_LORENZ_MAX, &o->lorenz);
    case OPT_PERIOD:
        if (!drivers_period_parse(arg, &o->period))
            return cmd_usage_error(s, "--period '%s': month, quarter or year", arg);
        return 0;
    case OPT_WINDOW:
        return parse_int(s, "window", arg, 1, 36600, &o->window);
    case OPT_NEW:
        return parse_int(s, "new-days", arg, 0, 36600, &o->new_days);
    case OPT_SEGMENT:
        if (!rfm_segment_parse(arg, &o->segment))
            return cmd_usage_error(s, "--segment '%s' is not an RFM segment", arg);
        o->segment_set = true;
        return 0;
    case OPT_LEVER:
        if (!reap_lever_parse(arg, &o->lever))
            return cmd_usage_error(s, "--lever '%s': retain, efficiency, acquire or penetrate",
                                   arg);
        o->lever_set = true;
        return 0;
    case OPT_LOW:
        o->low_value = true;
        return 0;
    case OPT_ALIVE:
        return parse_double(s, "alive-min", arg, 0, 1, &o->reap.alive_min);
    case OPT_COST:
        return parse_double(s, "cost-share", arg, 0, 100, &o->reap.cost_share);
    case OPT_SUPPORT:
        return parse_double(s, "min-support", arg, 1e-9, 1, &o->basket.min_support);
    case OPT_CONFIDENCE:
        return parse_double(s, "min-confidence", arg, 0, 1, &o->basket.min_confidence);
    case OPT_LIFT:
        return parse_double(s, "min-lift", arg, 0, 1e9, &o->basket.min_lift);
    case OPT_MAX_LEN:
        return parse_int(s, "max-len", arg, 2, BASKET_MAX_LEN, &o->basket.max_len);
    case OPT_OFFERS:
        return parse_long(s, "offers", arg, 0, 1000, &o->offers);
    case OPT_RULES:
        return parse_long(s, "rules", arg, 0, 1000000000, &o->rules);
    case OPT_SECOND:
        return parse_double(s, "second-degree", arg, 0, 1, &o->second);
    }
    return cmd_usage_error(s, "unknown option");
}

static const char *option_name(int c)
{
    for (const struct option *op = long_opts; op->name; op++)
        if (op->val == c)
            return op->name;
    return "?";
}

int cmd_value(int argc, char **argv)
{
    if (argc < 2 || cmd_is_help(argv[1])) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CMD_USAGE : CMD_OK;
    }
    const struct sub *sub = find_sub(argv[1]);
    if (!sub)
        return cmd_usage_error("value", "'%s' is not a value subcommand", argv[1]);
    struct vopts o;
    vopts_default(&o, sub->name);
    /* getopt sees "fit --json ..." as its argv: the subcommand is its argv[0] */
    char **av = argv + 1;
    const int ac = argc - 1;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(ac, av, "h", long_opts, NULL)) != -1) {
        if (c == 'h' || c == OPT_HELP) {
            fputs(sub->help, stdout);
            return CMD_OK;
        }
        if (c == '?' || c == ':')
            return cmd_usage_error(o.cmd,
                                   "unknown option, or an option without its value: "
                                   "%s",
                                   av[optind - 1]);
        if (!(sub->allowed & option_group(c)))
            return cmd_usage_error(o.cmd, "option --%s does not apply to this subcommand",
                                   option_name(c));
        int rc = set_option(&o, c, optarg);
        if (rc)
            return rc;
    }
    o.args = av + optind;
    o.nargs = (size_t)(ac - optind);
    if (!sub->takes_args && o.nargs)
        return cmd_usage_error(o.cmd, "unexpected argument '%s'", o.args[0]);
    for (size_t i = 0; sub->takes_args && i < o.nargs; i++) {
        bool ok = false;
        for (size_t k = 0; k < sizeof(driver_sections) / sizeof(driver_sections[0]); k++)
            ok |= strcmp(o.args[i], driver_sections[k]) == 0;
        if (!ok)
            return cmd_usage_error(o.cmd,
                                   "'%s' is not a section (acquisition, cohorts, "
                                   "attrition, holding, cost, migration)",
                                   o.args[i]);
    }
    return sub->fn(&o);
}
