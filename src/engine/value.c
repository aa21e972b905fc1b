/*
 * value.c - value per customer: to date, current, predicted (BG/NBD + Gamma-Gamma with a margin
 * ratio, discounted) and lifetime, with segment-average proxies for thin histories; cost to
 * serve, groups and product holding. Pure computation over struct cv_data (value.h); the rules
 * in words are in docs/value.md, the design in docs/internals/value.md.
 */
#include "engine/value.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/summary.h"
#include "util/alloc.h"
#include "util/money.h"
#include "util/par.h"

#include "util/banned.h"

#define DAYS_PER_MONTH (365.25 / 12)

static double minor_per_unit(void)
{
    double s = 1;
    for (int i = 0; i < MONEY_DECIMALS; i++)
        s *= 10;
    return s;
}

void value_options_default(struct value_options *o)
{
    *o = (struct value_options){
        .as_of_day = 0,
        .current_days = 365,
        .unit_days = 7,
        .horizon_months = 36,
        .discount = 0.10,
        .margin_ratio = -1,
        .proxy_days = 90,
        .proxy_min = 5,
        .fit = NULL,
    };
}

static int check_options(const struct value_options *o, struct kith_error *err)
{
    if (o->current_days < 1 || o->current_days > 36600)
        return kith_err(err, KITH_EINVAL, "the current-value window of %d days must be 1..36600",
                        o->current_days);
    if (!(o->unit_days > 0 && isfinite(o->unit_days)))
        return kith_err(err, KITH_EINVAL, "the time unit of %g days must be positive",
                        o->unit_days);
    if (o->horizon_months < 1 || o->horizon_months > 1200)
        return kith_err(err, KITH_EINVAL, "the horizon of %d months must be 1..1200",
                        o->horizon_months);
    if (!(o->discount > -1 && o->discount < 100))
        return kith_err(err, KITH_EINVAL, "the annual discount rate %g must be above -1",
                        o->discount);
    if (o->margin_ratio > 1 || isnan(o->margin_ratio))
        return kith_err(err, KITH_EINVAL,
                        "the margin ratio %g must be a fraction between 0 and 1 (0.3 for 30%%)",
                        o->margin_ratio);
    if (o->proxy_days < 0)
        return kith_err(err, KITH_EINVAL, "the proxy age of %d days must not be negative",
                        o->proxy_days);
    return 0;
}

void value_result_release(struct value_result *r)
{
    if (!r)
        return;
    free(r->c);
    memset(r, 0, sizeof(*r));
}

size_t value_find(const struct value_result *r, int64_t account_id)
{
    size_t i = cv_lower_bound(r->c, r->n, sizeof(*r->c),
                              offsetof(struct value_customer, account_id), account_id);
    return i < r->n && r->c[i].account_id == account_id ? i : CV_NO_INDEX;
}

/* ---- step 1: customers from orders ------------------------------------------------------ */

static int check_orders_sorted(const struct cv_data *d, struct kith_error *err)
{
    for (size_t i = 1; i < d->norders; i++) {
        const struct cv_order *a = &d->orders[i - 1], *b = &d->orders[i];
        if (b->account_id < a->account_id || (b->account_id == a->account_id && b->at < a->at))
            return kith_err(err, KITH_EINVAL,
                            "customer value: orders must be sorted by account and time (order "
                            "at index %zu is out of place)",
                            i);
    }
    return 0;
}

/* The margin ratio: given, else sum margin / sum amount over orders with a margin, in [0, 1]. */
static void margin_ratio(const struct cv_data *d, const struct value_options *o,
                         struct value_model *m)
{
    if (o->margin_ratio >= 0) {
        m->margin_ratio = o->margin_ratio;
        m->margin_from_data = false;
        return;
    }
    double margin = 0, amount = 0;
    for (size_t i = 0; i < d->norders; i++) {
        const struct cv_order *od = &d->orders[i];
        if (od->has_margin && cv_day(od->at) <= o->as_of_day) {
            margin += (double)od->margin;
            amount += (double)od->amount;
        }
    }
    /* without any margin the values are revenue: ratio 1 (the CLI says so) */
    double ratio = amount > 0 ? margin / amount : 1;
    m->margin_ratio = ratio < 0 ? 0 : ratio > 1 ? 1 : ratio;
    m->margin_from_data = amount > 0;
}

static double order_margin(const struct cv_order *od, double ratio)
{
    return od->has_margin ? (double)od->margin : ratio * (double)od->amount;
}

/* Fills the cost fields from d->costs (ascending account) by a merge. */
static void attach_costs(const struct cv_data *d, struct value_result *r, double scale)
{
    size_t j = 0;
    for (size_t i = 0; i < r->n; i++) {
        struct value_customer *c = &r->c[i];
        while (j < d->ncosts && d->costs[j].account_id < c->account_id)
            j++;
        if (j < d->ncosts && d->costs[j].account_id == c->account_id) {
            c->cost_to_date = (double)d->costs[j].to_date / scale;
            c->cost_current = (double)d->costs[j].current / scale;
        }
    }
}

int value_customers_build(const struct cv_data *d, const struct value_options *o,
                          struct value_result *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    int rc;
    if ((rc = check_options(o, err)) < 0 || (rc = check_orders_sorted(d, err)) < 0)
        return rc;
    const double scale = minor_per_unit();
    const int32_t as_of = o->as_of_day;
    size_t m = 0;
    for (size_t i = 0; i < d->norders; i++)
        m += cv_day(d->orders[i].at) <= as_of;
    if (m == 0)
        return kith_err(err, KITH_EINVAL,
                        "customer value: no orders on or before the as-of day (%zu orders in all)",
                        d->norders);

    int64_t *ids = alloc_array(m, sizeof(*ids));
    int32_t *days = alloc_array(m, sizeof(*days));
    double *amounts = alloc_array(m, sizeof(*amounts));
    struct summary sum = {0};
    if (!ids || !days || !amounts) {
        rc = kith_err(err, KITH_ENOMEM, "customer value: out of memory for %zu orders", m);
        goto out_free;
    }
    size_t k = 0;
    for (size_t i = 0; i < d->norders; i++) {
        const struct cv_order *od = &d->orders[i];
        int32_t day = cv_day(od->at);
        if (day > as_of)
            continue;
        ids[k] = od->account_id;
        days[k] = day;
        amounts[k] = (double)od->amount / scale;
        k++;
    }
    if ((rc = summary_build(ids, days, amounts, m, as_of, o->unit_days, &sum, err)) < 0)
        goto out_free;

    out->c = alloc_array_zero(sum.n, sizeof(*out->c));
    if (!out->c) {
        rc = kith_err(err, KITH_ENOMEM, "customer value: out of memory for %zu customers", sum.n);
        goto out_free;
    }
    out->n = sum.n;
    out->as_of_day = as_of;
    out->current_days = o->current_days;
    out->horizon_years = o->horizon_months / 12.0;
    margin_ratio(d, o, &out->model);
    const double ratio = out->model.margin_ratio;
    const int32_t current_from = as_of - o->current_days; /* exclusive */

    /* Orders and the summary are both ascending by account: walk them together. */
    size_t i = 0;
    for (size_t r = 0; r < sum.n; r++) {
        struct value_customer *c = &out->c[r];
        *c = (struct value_customer){
            .account_id = sum.customer_id[r],
            .account = cv_account_index(d, sum.customer_id[r]),
            .first_day = sum.first_day[r],
            .last_day = sum.first_day[r],
            .rfm = sum.cust[r],
            .p_alive = NAN,
            .expected_orders = NAN,
            .predicted = NAN,
            .lifetime = NAN,
        };
        while (i < d->norders && d->orders[i].account_id < c->account_id)
            i++;
        double to_date = 0, current = 0, amount = 0;
        for (; i < d->norders && d->orders[i].account_id == c->account_id; i++) {
            const struct cv_order *od = &d->orders[i];
            int32_t day = cv_day(od->at);
            if (day > as_of)
                continue;
            double mg = order_margin(od, ratio);
            to_date += mg;
            amount += (double)od->amount;
            if (day > current_from)
                current += mg;
            c->orders++;
            c->last_day = day;
        }
        c->to_date = to_date / scale;
        c->current = current / scale;
        c->amount_to_date = amount / scale;
    }
    attach_costs(d, out, scale);
    rc = 0;

out_free:
    summary_release(&sum);
    free(ids);
    free(days);
    free(amounts);
    if (rc < 0)
        value_result_release(out);
    return rc;
}

/* ---- step 2: the models ----------------------------------------------------------------- */

int value_fit(struct value_result *r, const struct value_options *o, struct kith_error *err)
{
    struct value_model *m = &r->model;
    m->fitted = false;
    struct clv_customer *c = alloc_array(r->n, sizeof(*c));
    if (!c)
        return kith_err(err, KITH_ENOMEM, "customer value: out of memory for %zu customers", r->n);
    /* Gamma-Gamma needs a positive mean spend: repeat buyers whose repeat orders sum to zero
     * or less (credits) are left out of its fit; the model then cannot value them (proxy). */
    size_t ngg = 0, nrepeat = 0;
    for (size_t i = 0; i < r->n; i++) {
        c[i] = r->c[i].rfm;
        nrepeat += c[i].x > 0;
    }
    struct bgnbd_params bg;
    struct gg_params gg;
    struct clv_fit_info bg_info = {0}, gg_info = {0};
    int rc = bgnbd_fit(c, r->n, o->fit, &bg, &bg_info, err);
    m->bg_info = bg_info;
    if (rc < 0) {
        kith_err_prefix(err, "fitting BG/NBD on %zu customers", r->n);
        goto out_free;
    }
    for (size_t i = 0; i < r->n; i++)
        if (r->c[i].rfm.x > 0 && r->c[i].rfm.zbar > 0)
            c[ngg++] = r->c[i].rfm;
    if (ngg == 0) {
        rc = kith_err(err, KITH_EINVAL,
                      "fitting Gamma-Gamma: no customer has repeat orders (with a positive "
                      "amount) on or before the as-of day, so spend per order cannot be modelled");
        goto out_free;
    }
    rc = gg_fit(c, ngg, o->fit, &gg, &gg_info, err);
    m->gg_info = gg_info;
    if (rc < 0) {
        kith_err_prefix(err, "fitting Gamma-Gamma on %zu repeat buyers", ngg);
        goto out_free;
    }
    m->bg = bg;
    m->gg = gg;
    m->ncustomers = r->n;
    m->nrepeat = nrepeat;
    m->fitted = true;
out_free:
    free(c);
    return rc;
}

/* ---- step 3: predictions and proxies ---------------------------------------------------- */

struct keyed {
    uint64_t key;
    double value;
};

static int keyed_cmp(const void *pa, const void *pb)
{
    const struct keyed *a = pa, *b = pb;
    return (a->key > b->key) - (a->key < b->key);
}

/* Group means: keys ascending and distinct, with the mean and count of their values. */
struct means {
    size_t n;
    uint64_t *key;
    double *mean;
    size_t *count;
};

static void means_release(struct means *m)
{
    free(m->key);
    free(m->mean);
    free(m->count);
    memset(m, 0, sizeof(*m));
}

/* Sorts kv[0..n) and reduces it to group means. */
static int means_build(struct keyed *kv, size_t n, struct means *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    qsort(kv, n, sizeof(*kv), keyed_cmp);
    size_t groups = 0;
    for (size_t i = 0; i < n; i++)
        groups += i == 0 || kv[i].key != kv[i - 1].key;
    out->key = alloc_array(groups, sizeof(*out->key));
    out->mean = alloc_array(groups, sizeof(*out->mean));
    out->count = alloc_array(groups, sizeof(*out->count));
    if (!out->key || !out->mean || !out->count) {
        means_release(out);
        return kith_err(err, KITH_ENOMEM, "customer value: out of memory for proxy groups");
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double s = 0;
        while (j < n && kv[j].key == kv[i].key)
            s += kv[j++].value;
        out->key[out->n] = kv[i].key;
        out->count[out->n] = j - i;
        out->mean[out->n] = s / (double)(j - i);
        out->n++;
        i = j;
    }
    return 0;
}

static bool means_find(const struct means *m, uint64_t key, size_t min, double *mean)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->key[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < m->n && m->key[lo] == key && m->count[lo] >= min) {
        *mean = m->mean[lo];
        return true;
    }
    return false;
}

static int32_t industry_of(const struct cv_data *d, const struct value_customer *c)
{
    return c->account == CV_NO_INDEX ? CV_NONE : d->accounts[c->account].industry;
}

static int32_t band_of(const struct cv_data *d, const struct value_customer *c)
{
    return c->account == CV_NO_INDEX ? CV_NONE : d->accounts[c->account].revenue_band;
}

/* (industry, band) as one key; CV_NONE is a value of its own. */
static uint64_t segment_key(int32_t industry, int32_t band)
{
    return ((uint64_t)(uint32_t)(industry + 1) << 32) | (uint32_t)(band + 1);
}

static int apply_proxies(const struct cv_data *d, struct value_result *r,
                         const struct value_options *o, struct kith_error *err)
{
    size_t nvalued = 0, nproxy = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->c[i].proxy_reason == VALUE_PROXY_NO)
            nvalued++;
        else
            nproxy++;
    }
    if (nproxy == 0)
        return 0;
    struct keyed *kv = alloc_array(nvalued, sizeof(*kv));
    if (!kv)
        return kith_err(err, KITH_ENOMEM, "customer value: out of memory for proxies");
    struct means seg = {0}, ind = {0};
    double all = 0;
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct value_customer *c = &r->c[i];
        if (c->proxy_reason != VALUE_PROXY_NO)
            continue;
        kv[k++] = (struct keyed){segment_key(industry_of(d, c), band_of(d, c)), c->predicted};
        all += c->predicted;
    }
    int rc = means_build(kv, nvalued, &seg, err);
    if (rc == 0) {
        for (size_t i = 0; i < nvalued; i++)
            kv[i].key >>= 32; /* the industry part */
        rc = means_build(kv, nvalued, &ind, err);
    }
    if (rc < 0)
        goto out_free;
    for (size_t i = 0; i < r->n; i++) {
        struct value_customer *c = &r->c[i];
        if (c->proxy_reason == VALUE_PROXY_NO)
            continue;
        int32_t industry = industry_of(d, c);
        double mean;
        if (means_find(&seg, segment_key(industry, band_of(d, c)), o->proxy_min, &mean)) {
            c->basis = VALUE_BASIS_SEGMENT;
        } else if (means_find(&ind, (uint64_t)(uint32_t)(industry + 1), o->proxy_min, &mean)) {
            c->basis = VALUE_BASIS_INDUSTRY;
        } else if (nvalued > 0) {
            c->basis = VALUE_BASIS_ALL;
            mean = all / (double)nvalued;
        } else {
            c->basis = VALUE_BASIS_NONE;
            mean = 0;
        }
        c->predicted = mean;
        c->lifetime = c->to_date + mean;
    }
out_free:
    means_release(&seg);
    means_release(&ind);
    free(kv);
    return rc;
}

struct history {
    double x, t_x, T;
    size_t i;
};

static int history_cmp(const void *pa, const void *pb)
{
    const struct history *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->t_x != b->t_x)
        return a->t_x < b->t_x ? -1 : 1;
    if (a->T != b->T)
        return a->T < b->T ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* One thread's share of the distinct histories: runs [first, last) of hs (run starts in at). */
struct predict_job {
    const struct bgnbd_params *bg;
    const struct gg_params *gg;
    const struct clv_customer *c;
    const struct clv_horizon *h;
    const struct history *hs;
    const size_t *at; /* nruns + 1 run starts */
    size_t first, last;
    double *p_alive, *expected, *value;
};

static void *predict_runs(void *arg)
{
    const struct predict_job *j = arg;
    const double horizon = j->h->steps * j->h->step;
    for (size_t r = j->first; r < j->last; r++) {
        const struct clv_customer *rep = &j->c[j->hs[j->at[r]].i];
        const double pa = bgnbd_p_alive(j->bg, rep);
        const double ey = bgnbd_conditional_expected(j->bg, rep, horizon);
        double disc;
        if (clv_discounted_orders(j->bg, rep, j->h, &disc, NULL) < 0)
            disc = NAN;
        for (size_t k = j->at[r]; k < j->at[r + 1]; k++) {
            const size_t i = j->hs[k].i;
            const double spend = gg_conditional_spend(j->gg, &j->c[i]);
            j->p_alive[i] = pa;
            j->expected[i] = ey;
            j->value[i] = isfinite(spend) && isfinite(disc) ? j->h->margin * spend * disc : NAN;
        }
    }
    return NULL;
}

/* Threads for n distinct histories: one per 20,000, at most the online CPUs and PAR_MAX. */
static size_t predict_threads(size_t runs)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t t = runs / 20000 + 1;
    if (cpus > 0 && t > (size_t)cpus)
        t = (size_t)cpus;
    return t > PAR_MAX ? PAR_MAX : t;
}

int value_predict_summaries(const struct bgnbd_params *bg, const struct gg_params *gg,
                            const struct clv_customer *c, size_t n, const struct clv_horizon *h,
                            double *p_alive, double *expected, double *value,
                            struct kith_error *err)
{
    if (n == 0)
        return 0;
    struct clv_customer probe = {0};
    double unused;
    int rc = clv_discounted_orders(bg, &probe, h, &unused, err); /* checks bg and h */
    if (rc < 0)
        return rc;
    if (!(h->margin >= 0 && h->margin <= 1))
        return kith_err(err, KITH_EINVAL, "CLV: margin %g must be a fraction between 0 and 1",
                        h->margin);
    struct history *hs = alloc_array(n, sizeof(*hs));
    size_t *at = alloc_array(n + 1, sizeof(*at));
    if (!hs || !at) {
        free(hs);
        free(at);
        return kith_err(err, KITH_ENOMEM, "CLV: out of memory for %zu customers", n);
    }
    for (size_t i = 0; i < n; i++)
        hs[i] = (struct history){c[i].x, c[i].t_x, c[i].T, i};
    qsort(hs, n, sizeof(*hs), history_cmp);
    size_t runs = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || hs[i].x != hs[i - 1].x || hs[i].t_x != hs[i - 1].t_x ||
            hs[i].T != hs[i - 1].T)
            at[runs++] = i;
    at[runs] = n;

    /* the series dominate: distinct histories are shared out among threads (no shared writes:
     * each customer belongs to one run) */
    struct predict_job jobs[PAR_MAX];
    const size_t nt = predict_threads(runs);
    for (size_t t = 0; t < nt; t++)
        jobs[t] = (struct predict_job){.bg = bg,
                                       .gg = gg,
                                       .c = c,
                                       .h = h,
                                       .hs = hs,
                                       .at = at,
                                       .first = runs * t / nt,
                                       .last = runs * (t + 1) / nt,
                                       .p_alive = p_alive,
                                       .expected = expected,
                                       .value = value};
    par_run((unsigned)nt, predict_runs, jobs, sizeof(jobs[0]));
    free(hs);
    free(at);
    return 0;
}

int value_predict(const struct cv_data *d, struct value_result *r, const struct value_options *o,
                  struct kith_error *err)
{
    int rc = check_options(o, err);
    if (rc < 0)
        return rc;
    const struct value_model *m = &r->model;
    if (!m->fitted)
        return kith_err(err, KITH_EINVAL, "customer value: the models are not fitted");
    const struct clv_horizon h = {
        .steps = o->horizon_months,
        .step = DAYS_PER_MONTH / o->unit_days,
        .discount = pow(1 + o->discount, 1.0 / 12) - 1,
        .margin = m->margin_ratio,
    };
    const size_t n = r->n;
    struct clv_customer *c = alloc_array(n, sizeof(*c));
    double *pa = alloc_array(n, sizeof(*pa));
    double *ey = alloc_array(n, sizeof(*ey));
    double *v = alloc_array(n, sizeof(*v));
    if (!c || !pa || !ey || !v) {
        rc = kith_err(err, KITH_ENOMEM, "customer value: out of memory for %zu customers", n);
        goto out_free;
    }
    for (size_t i = 0; i < n; i++)
        c[i] = r->c[i].rfm;
    if ((rc = value_predict_summaries(&m->bg, &m->gg, c, n, &h, pa, ey, v, err)) < 0)
        goto out_free;
    for (size_t i = 0; i < n; i++) {
        struct value_customer *vc = &r->c[i];
        vc->p_alive = pa[i];
        vc->expected_orders = ey[i];
        vc->basis = VALUE_BASIS_MODEL;
        vc->proxy_reason = VALUE_PROXY_NO;
        vc->predicted = vc->lifetime = NAN;
        if (r->as_of_day - vc->first_day < o->proxy_days) {
            vc->proxy_reason = VALUE_PROXY_YOUNG;
        } else if (!isfinite(v[i])) {
            vc->proxy_reason = VALUE_PROXY_UNDEFINED;
        } else {
            vc->predicted = v[i];
            vc->lifetime = vc->to_date + v[i];
        }
    }
    rc = apply_proxies(d, r, o, err);
out_free:
    free(c);
    free(pa);
    free(ey);
    free(v);
    return rc;
}

int value_compute(const struct cv_data *d, const struct value_options *o, struct value_result *out,
                  struct kith_error *err)
{
    int rc = value_customers_build(d, o, out, err);
    if (rc < 0)
        return rc;
    if ((rc = value_fit(out, o, err)) < 0 || (rc = value_predict(d, out, o, err)) < 0)
        value_result_release(out);
    return rc;
}

const char *value_basis_name(enum value_basis b)
{
    switch (b) {
    case VALUE_BASIS_MODEL:
        return "model";
    case VALUE_BASIS_SEGMENT:
        return "segment";
    case VALUE_BASIS_INDUSTRY:
        return "industry";
    case VALUE_BASIS_ALL:
        return "all";
    case VALUE_BASIS_NONE:
        return "none";
    }
    return "?";
}

const char *value_proxy_reason_text(enum value_proxy_reason r)
{
    switch (r) {
    case VALUE_PROXY_NO:
        return "";
    case VALUE_PROXY_YOUNG:
        return "first order too recent for the model";
    case VALUE_PROXY_UNDEFINED:
        return "the model gives no value for this history";
    }
    return "?";
}

/* ---- measures --------------------------------------------------------------------------- */

static const char *const measure_names[] = {
    [VALUE_LIFETIME] = "lifetime", [VALUE_PREDICTED] = "predicted",
    [VALUE_TO_DATE] = "to_date",   [VALUE_CURRENT] = "current",
    [VALUE_PROFIT] = "profit",     [VALUE_PROFIT_CURRENT] = "profit_current",
};

double value_of(const struct value_customer *c, enum value_measure m)
{
    switch (m) {
    case VALUE_LIFETIME:
        return c->lifetime;
    case VALUE_PREDICTED:
        return c->predicted;
    case VALUE_TO_DATE:
        return c->to_date;
    case VALUE_CURRENT:
        return c->current;
    case VALUE_PROFIT:
        return c->to_date - c->cost_to_date;
    case VALUE_PROFIT_CURRENT:
        return c->current - c->cost_current;
    }
    return NAN;
}

/* A value and whose it is, for sorting indices by value without a global context. */
struct keyed_index {
    double value;
    size_t index;
};

static int keyed_desc(const void *pa, const void *pb)
{
    const struct keyed_index *a = pa, *b = pb;
    bool fa = isfinite(a->value), fb = isfinite(b->value);
    if (fa != fb)
        return fa ? -1 : 1;
    if (fa && a->value != b->value)
        return a->value > b->value ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

bool value_sort_desc(size_t *ix, size_t n, const double *value)
{
    struct keyed_index *k = alloc_array(n, sizeof(*k));
    if (!k)
        return false;
    for (size_t i = 0; i < n; i++)
        k[i] = (struct keyed_index){value[ix[i]], ix[i]};
    qsort(k, n, sizeof(*k), keyed_desc);
    for (size_t i = 0; i < n; i++)
        ix[i] = k[i].index;
    free(k);
    return true;
}

size_t *value_order(const struct value_result *r, enum value_measure m)
{
    size_t *ix = alloc_array(r->n, sizeof(*ix));
    double *v = alloc_array(r->n, sizeof(*v));
    if (ix && v) {
        for (size_t i = 0; i < r->n; i++) {
            ix[i] = i;
            v[i] = value_of(&r->c[i], m);
        }
    }
    if (!ix || !v || !value_sort_desc(ix, r->n, v)) {
        free(ix);
        ix = NULL;
    }
    free(v);
    return ix;
}

const char *value_measure_name(enum value_measure m)
{
    return (size_t)m < sizeof(measure_names) / sizeof(measure_names[0]) ? measure_names[m] : "?";
}

bool value_measure_parse(const char *name, enum value_measure *m)
{
    for (size_t i = 0; i < sizeof(measure_names) / sizeof(measure_names[0]); i++) {
        if (strcmp(measure_names[i], name) == 0) {
            *m = (enum value_measure)i;
            return true;
        }
    }
    return false;
}

/* ---- groups ----------------------------------------------------------------------------- */

static const char *const by_names[] = {
    [VALUE_BY_NONE] = "none",         [VALUE_BY_UNIT] = "unit",     [VALUE_BY_SEGMENT] = "segment",
    [VALUE_BY_INDUSTRY] = "industry", [VALUE_BY_SOURCE] = "source",
};

const char *value_by_name(enum value_by by)
{
    return (size_t)by < sizeof(by_names) / sizeof(by_names[0]) ? by_names[by] : "?";
}

bool value_by_parse(const char *name, enum value_by *by)
{
    for (size_t i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++) {
        if (strcmp(by_names[i], name) == 0) {
            *by = (enum value_by)i;
            return true;
        }
    }
    return false;
}

void value_groups_release(struct value_groups *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++)
        free(g->names[i]);
    free(g->names);
    free(g->code);
    memset(g, 0, sizeof(*g));
}

static const struct cv_labels *labels_of(const struct cv_data *d, enum value_by by)
{
    switch (by) {
    case VALUE_BY_UNIT:
        return &d->units;
    case VALUE_BY_INDUSTRY:
        return &d->industries;
    case VALUE_BY_SOURCE:
        return &d->sources;
    default:
        return NULL;
    }
}

static int32_t attribute_of(const struct cv_data *d, const struct value_customer *c,
                            enum value_by by)
{
    if (c->account == CV_NO_INDEX)
        return CV_NONE;
    const struct cv_account *a = &d->accounts[c->account];
    switch (by) {
    case VALUE_BY_UNIT:
        return a->unit;
    case VALUE_BY_INDUSTRY:
        return a->industry;
    case VALUE_BY_SOURCE:
        return a->source;
    default:
        return CV_NONE;
    }
}

static char *label_or_none(const struct cv_labels *l, int32_t code)
{
    return strdup(code == CV_NONE ? "(none)" : cv_label(l, code));
}

/* Segments: the (industry, band) combinations that occur, in key order. */
static int segment_groups(const struct cv_data *d, const struct value_result *r,
                          struct value_groups *g, struct kith_error *err)
{
    struct keyed *kv = alloc_array(r->n, sizeof(*kv));
    if (!kv)
        return kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
    for (size_t i = 0; i < r->n; i++)
        kv[i] =
            (struct keyed){segment_key(industry_of(d, &r->c[i]), band_of(d, &r->c[i])), (double)i};
    qsort(kv, r->n, sizeof(*kv), keyed_cmp);
    size_t groups = 0;
    for (size_t i = 0; i < r->n; i++)
        groups += i == 0 || kv[i].key != kv[i - 1].key;
    g->names = alloc_array_zero(groups, sizeof(*g->names));
    if (!g->names) {
        free(kv);
        return kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
    }
    for (size_t i = 0; i < r->n; i++) {
        if (i == 0 || kv[i].key != kv[i - 1].key) {
            int32_t ind = (int32_t)(kv[i].key >> 32) - 1;
            int32_t band = (int32_t)(uint32_t)(kv[i].key & 0xffffffffu) - 1;
            char buf[512];
            snprintf(buf, sizeof(buf), "%s / %s",
                     ind == CV_NONE ? "(none)" : cv_label(&d->industries, ind),
                     band == CV_NONE ? "(none)" : cv_label(&d->revenue_bands, band));
            if (!(g->names[g->n++] = strdup(buf))) {
                free(kv);
                return kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
            }
        }
        g->code[(size_t)kv[i].value] = (int32_t)(g->n - 1);
    }
    free(kv);
    return 0;
}

int value_groups_build(const struct cv_data *d, const struct value_result *r, enum value_by by,
                       struct value_groups *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->code = alloc_array(r->n, sizeof(*out->code));
    if (!out->code)
        return kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
    int rc = 0;
    if (by == VALUE_BY_SEGMENT) {
        rc = segment_groups(d, r, out, err);
    } else if (by == VALUE_BY_NONE) {
        out->names = malloc(sizeof(*out->names));
        if (out->names && (out->names[0] = strdup("all")))
            out->n = 1;
        else
            rc = kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
        for (size_t i = 0; rc == 0 && i < r->n; i++)
            out->code[i] = 0;
    } else {
        const struct cv_labels *l = labels_of(d, by);
        out->names = alloc_array_zero(l->n + 1, sizeof(*out->names));
        if (!out->names) {
            rc = kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
        } else {
            for (size_t k = 0; k <= l->n && rc == 0; k++) {
                if (!(out->names[k] = label_or_none(l, k < l->n ? (int32_t)k : CV_NONE)))
                    rc = kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
                out->n = k + 1;
            }
        }
        for (size_t i = 0; rc == 0 && i < r->n; i++) {
            int32_t a = attribute_of(d, &r->c[i], by);
            out->code[i] = a == CV_NONE ? (int32_t)l->n : a;
        }
    }
    if (rc < 0)
        value_groups_release(out);
    return rc;
}

/* ---- product holding -------------------------------------------------------------------- */

void value_holdings_release(struct value_holdings *h)
{
    if (!h)
        return;
    free(h->start);
    free(h->items);
    free(h->categories);
    memset(h, 0, sizeof(*h));
}

struct held {
    size_t customer;
    int32_t product;
};

static int held_cmp(const void *pa, const void *pb)
{
    const struct held *a = pa, *b = pb;
    if (a->customer != b->customer)
        return a->customer < b->customer ? -1 : 1;
    return (a->product > b->product) - (a->product < b->product);
}

static int int32_cmp(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

int value_holdings_build(const struct cv_data *d, const struct value_result *r,
                         struct value_holdings *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    struct held *pairs = alloc_array(d->nlines, sizeof(*pairs));
    out->start = alloc_array_zero(r->n + 1, sizeof(*out->start));
    out->categories = alloc_array_zero(r->n, sizeof(*out->categories));
    if (!pairs || !out->start || !out->categories)
        goto out_nomem;
    size_t m = 0;
    for (size_t i = 0; i < d->nlines; i++) {
        const struct cv_line *l = &d->lines[i];
        if (cv_day(l->at) > r->as_of_day || l->product < 0 || (size_t)l->product >= d->nproducts)
            continue;
        size_t c = value_find(r, l->account_id);
        if (c != CV_NO_INDEX)
            pairs[m++] = (struct held){c, l->product};
    }
    qsort(pairs, m, sizeof(*pairs), held_cmp);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (i == 0 || held_cmp(&pairs[i], &pairs[i - 1]) != 0)
            pairs[u++] = pairs[i];
    out->items = alloc_array(u, sizeof(*out->items));
    if (!out->items)
        goto out_nomem;
    out->n = r->n;
    for (size_t i = 0; i < u; i++) {
        out->items[i] = pairs[i].product;
        out->start[pairs[i].customer + 1]++;
    }
    for (size_t i = 0; i < r->n; i++)
        out->start[i + 1] += out->start[i];
    /* distinct categories: sort each customer's categories (a few) and count the runs */
    int32_t *cats = pairs ? (int32_t *)(void *)pairs : NULL; /* reuse: u <= nlines */
    for (size_t i = 0; i < r->n; i++) {
        size_t a = out->start[i], b = out->start[i + 1], nc = 0;
        for (size_t j = a; j < b; j++) {
            int32_t cat = d->products[out->items[j]].category;
            if (cat != CV_NONE)
                cats[nc++] = cat;
        }
        qsort(cats, nc, sizeof(*cats), int32_cmp);
        for (size_t j = 0; j < nc; j++)
            out->categories[i] += j == 0 || cats[j] != cats[j - 1];
    }
    free(pairs);
    return 0;

out_nomem:
    free(pairs);
    value_holdings_release(out);
    return kith_err(err, KITH_ENOMEM, "out of memory counting product holdings");
}
