/*
 * drivers.c - the drivers of customer value: acquisition by source and period, cohort retention,
 * attrition, product holding, cost to serve and profitability, value migration between tiers.
 * Each walks the orders (ascending by account and time) together with the customers (ascending
 * by account) once, or sorts once: O(n log n) at most. Definitions in docs/value.md.
 */
#include "engine/drivers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dist.h"

#include "util/alloc.h"
#include "util/money.h"

#include "util/banned.h"

/* ---- periods ---------------------------------------------------------------------------- */

/* Year and month (1..12) of a day number: H. Hinnant's civil_from_days. */
static void civil_from_days(int64_t z, int64_t *year, int *month)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (m <= 2);
    *month = m;
}

static const char *const period_names[] = {"month", "quarter", "year"};

bool drivers_period_parse(const char *name, enum drivers_period *p)
{
    for (int i = 0; i < 3; i++) {
        if (strcmp(period_names[i], name) == 0) {
            *p = (enum drivers_period)i;
            return true;
        }
    }
    return false;
}

const char *drivers_period_name(enum drivers_period p)
{
    return (unsigned)p < 3 ? period_names[p] : "?";
}

int32_t drivers_period_of(int32_t day, enum drivers_period p)
{
    int64_t y;
    int m;
    civil_from_days(day, &y, &m);
    switch (p) {
    case DRIVERS_MONTH:
        return (int32_t)(y * 12 + m - 1);
    case DRIVERS_QUARTER:
        return (int32_t)(y * 4 + (m - 1) / 3);
    case DRIVERS_YEAR:
        return (int32_t)y;
    }
    return 0;
}

static int32_t floor_div(int32_t a, int32_t b)
{
    int32_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void drivers_period_label(int32_t period, enum drivers_period p, char *buf, size_t size)
{
    switch (p) {
    case DRIVERS_MONTH:
        snprintf(buf, size, "%04d-%02d", floor_div(period, 12),
                 period - floor_div(period, 12) * 12 + 1);
        return;
    case DRIVERS_QUARTER:
        snprintf(buf, size, "%04d-Q%d", floor_div(period, 4),
                 period - floor_div(period, 4) * 4 + 1);
        return;
    case DRIVERS_YEAR:
        snprintf(buf, size, "%04d", period);
        return;
    }
    snprintf(buf, size, "?");
}

/* The orders of account id: advances *pos past smaller accounts, returns the end of its run. */
static size_t orders_of(const struct cv_data *d, int64_t id, size_t *pos)
{
    while (*pos < d->norders && d->orders[*pos].account_id < id)
        (*pos)++;
    size_t end = *pos;
    while (end < d->norders && d->orders[end].account_id == id)
        end++;
    return end;
}

static int32_t source_of(const struct cv_data *d, size_t account)
{
    return account == CV_NO_INDEX ? CV_NONE : d->accounts[account].source;
}

/* ---- acquisition ------------------------------------------------------------------------ */

struct acq_entry {
    int32_t period;
    int32_t source;
    bool customer;
    double value;
};

static int acq_cmp(const void *pa, const void *pb)
{
    const struct acq_entry *a = pa, *b = pb;
    if (a->period != b->period)
        return a->period < b->period ? -1 : 1;
    return (a->source > b->source) - (a->source < b->source);
}

void drivers_acquisition_release(struct drivers_acquisition *a)
{
    if (!a)
        return;
    free(a->rows);
    free(a->sources);
    memset(a, 0, sizeof(*a));
}

int drivers_acquisition_build(const struct cv_data *d, const struct value_result *r,
                              enum drivers_period p, enum value_measure m,
                              struct drivers_acquisition *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->period = p;
    size_t total = d->naccounts + r->n;
    struct acq_entry *e = alloc_array(total, sizeof(*e));
    /* each account's customer-since day (its first order), INT32_MAX for a prospect */
    int32_t *since = alloc_array(d->naccounts ? d->naccounts : 1, sizeof(*since));
    out->nsources = d->sources.n + 1;
    out->sources = alloc_array_zero(out->nsources, sizeof(*out->sources));
    if (!e || !since || !out->sources)
        goto out_nomem;
    for (size_t i = 0; i < d->naccounts; i++)
        since[i] = INT32_MAX;
    for (size_t i = 0; i < r->n; i++)
        if (r->c[i].account != CV_NO_INDEX)
            since[r->c[i].account] = r->c[i].first_day;
    size_t k = 0;
    const size_t none = out->nsources - 1;
    for (size_t i = 0; i < d->naccounts; i++) {
        const struct cv_account *a = &d->accounts[i];
        /*
         * An account existed by its first order whatever its created_at says (imported data are
         * created at the import), so it counts as acquired on the earlier of the two days.
         */
        int32_t day = cv_day(a->created_at);
        if (since[i] < day)
            day = since[i];
        if (day > r->as_of_day)
            continue;
        e[k++] = (struct acq_entry){drivers_period_of(day, p), a->source, false, 0};
        out->sources[a->source == CV_NONE ? none : (size_t)a->source].accounts++;
    }
    for (size_t i = 0; i < r->n; i++) {
        const struct value_customer *c = &r->c[i];
        int32_t src = source_of(d, c->account);
        double v = value_of(c, m);
        if (!isfinite(v))
            v = 0;
        e[k++] = (struct acq_entry){drivers_period_of(c->first_day, p), src, true, v};
        struct drivers_acq_source *s = &out->sources[src == CV_NONE ? none : (size_t)src];
        s->customers++;
        s->value += v;
    }
    free(since);
    since = NULL;
    qsort(e, k, sizeof(*e), acq_cmp);
    size_t rows = 0;
    for (size_t i = 0; i < k; i++)
        rows += i == 0 || acq_cmp(&e[i], &e[i - 1]) != 0;
    out->rows = alloc_array_zero(rows, sizeof(*out->rows));
    if (!out->rows)
        goto out_nomem;
    for (size_t i = 0; i < k; i++) {
        if (i == 0 || acq_cmp(&e[i], &e[i - 1]) != 0)
            out->rows[out->nrows++] =
                (struct drivers_acq_row){.period = e[i].period, .source = e[i].source};
        struct drivers_acq_row *row = &out->rows[out->nrows - 1];
        if (e[i].customer) {
            row->customers++;
            row->value += e[i].value;
        } else {
            row->accounts++;
        }
    }
    free(e);
    return 0;

out_nomem:
    free(e);
    free(since);
    drivers_acquisition_release(out);
    return kith_err(err, KITH_ENOMEM, "acquisition: out of memory");
}

/* ---- cohorts ---------------------------------------------------------------------------- */

void drivers_cohorts_release(struct drivers_cohorts *c)
{
    if (!c)
        return;
    free(c->size);
    free(c->active);
    memset(c, 0, sizeof(*c));
}

int drivers_cohorts_build(const struct cv_data *d, const struct value_result *r,
                          enum drivers_period p, struct drivers_cohorts *out,
                          struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->period = p;
    if (r->n == 0)
        return 0;
    int32_t min_day = r->c[0].first_day;
    for (size_t i = 1; i < r->n; i++)
        if (r->c[i].first_day < min_day)
            min_day = r->c[i].first_day;
    const int32_t first = drivers_period_of(min_day, p);
    const int32_t last = drivers_period_of(r->as_of_day, p);
    const int64_t n = (int64_t)last - first + 1;
    if (n < 1 || n > DRIVERS_MAX_PERIODS)
        return kith_err(err, KITH_ERANGE,
                        "cohorts: %lld %ss from the first order to the as-of day; at most %d "
                        "(choose a longer period)",
                        (long long)n, drivers_period_name(p), DRIVERS_MAX_PERIODS);
    out->first = first;
    out->n = (size_t)n;
    out->size = alloc_array_zero(out->n, sizeof(*out->size));
    out->active = alloc_array_zero(out->n * out->n, sizeof(*out->active));
    if (!out->size || !out->active) {
        drivers_cohorts_release(out);
        return kith_err(err, KITH_ENOMEM, "cohorts: out of memory");
    }
    size_t pos = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct value_customer *c = &r->c[i];
        const size_t cohort = (size_t)(drivers_period_of(c->first_day, p) - first);
        out->size[cohort]++;
        size_t end = orders_of(d, c->account_id, &pos);
        int32_t seen = INT32_MIN;
        for (; pos < end; pos++) {
            int32_t day = cv_day(d->orders[pos].at);
            if (day > r->as_of_day || d->orders[pos].kind != CV_SALE) /* active: bought */
                continue;
            int32_t q = drivers_period_of(day, p);
            if (q == seen)
                continue;
            seen = q;
            out->active[cohort * out->n + (size_t)(q - first) - cohort]++;
        }
    }
    return 0;
}

/* ---- attrition -------------------------------------------------------------------------- */

int drivers_attrition_build(const struct cv_data *d, const struct value_result *r,
                            const struct value_groups *g, int window_days,
                            struct drivers_attrition *out, struct kith_error *err)
{
    if (window_days < 1)
        return kith_err(err, KITH_EINVAL, "attrition: a window of %d days", window_days);
    const size_t ngroups = g ? g->n : 1;
    memset(out, 0, ngroups * sizeof(*out));
    size_t *alive_n = alloc_array_zero(ngroups, sizeof(*alive_n));
    if (!alive_n)
        return kith_err(err, KITH_ENOMEM, "attrition: out of memory");
    const int32_t last_from = r->as_of_day - window_days; /* exclusive bounds */
    const int32_t before_from = last_from - window_days;
    size_t pos = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct value_customer *c = &r->c[i];
        struct drivers_attrition *a = &out[g ? (size_t)g->code[i] : 0];
        a->n++;
        if (isfinite(c->p_alive)) {
            a->expected_lost += 1 - c->p_alive;
            a->mean_p_alive += c->p_alive;
            a->below_half += c->p_alive < 0.5;
            alive_n[g ? (size_t)g->code[i] : 0]++;
        }
        bool before = false, recent = false;
        size_t end = orders_of(d, c->account_id, &pos);
        for (; pos < end; pos++) {
            int32_t day = cv_day(d->orders[pos].at);
            if (day > r->as_of_day || d->orders[pos].kind != CV_SALE) /* active: bought */
                continue;
            before |= day > before_from && day <= last_from;
            recent |= day > last_from;
        }
        a->active_before += before;
        a->lapsed += before && !recent;
    }
    for (size_t k = 0; k < ngroups; k++)
        out[k].mean_p_alive = alive_n[k] ? out[k].mean_p_alive / (double)alive_n[k] : NAN;
    free(alive_n);
    return 0;
}

/* ---- holding and cost to serve ---------------------------------------------------------- */

void drivers_holding_build(const struct value_result *r, const struct value_holdings *h,
                           enum value_measure m, struct drivers_holding *out)
{
    memset(out, 0, sizeof(*out));
    double products = 0, categories = 0;
    for (size_t i = 0; i < r->n && i < h->n; i++) {
        uint32_t held = value_holding_count(h, i);
        size_t b = held < DRIVERS_HOLDING_BUCKETS - 1 ? held : DRIVERS_HOLDING_BUCKETS - 1;
        double v = value_of(&r->c[i], m);
        out->customers[b]++;
        out->value[b] += isfinite(v) ? v : 0;
        products += held;
        categories += h->categories[i];
        out->n++;
    }
    out->mean_products = out->n ? products / (double)out->n : NAN;
    out->mean_categories = out->n ? categories / (double)out->n : NAN;
}

void drivers_cost_build(const struct value_result *r, const struct value_groups *g,
                        struct drivers_cost *out)
{
    memset(out, 0, (g ? g->n : 1) * sizeof(*out));
    for (size_t i = 0; i < r->n; i++) {
        const struct value_customer *c = &r->c[i];
        struct drivers_cost *a = &out[g ? (size_t)g->code[i] : 0];
        a->n++;
        a->margin += c->to_date;
        a->cost += c->cost_to_date;
        a->unprofitable += c->to_date - c->cost_to_date < 0;
        a->margin_current += c->current;
        a->cost_current += c->cost_current;
        a->unprofitable_current += c->current - c->cost_current < 0;
    }
}

/* ---- migration -------------------------------------------------------------------------- */

/* Tiers of one period: 0 for customers without an order in it, else the buyers' quintile. */
static int period_tiers(const double *margin, const bool *bought, size_t n, uint8_t *tier,
                        struct kith_error *err)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += bought[i];
    double *v = alloc_array_zero(m, sizeof(*v));
    uint8_t *s = alloc_array(m, sizeof(*s));
    if (!v || !s) {
        free(v);
        free(s);
        return kith_err(err, KITH_ENOMEM, "migration: out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (bought[i])
            v[k++] = margin[i];
    int rc = dist_ktile_scores(v, m, 5, s, err);
    k = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        tier[i] = bought[i] ? s[k++] : 0;
    free(v);
    free(s);
    return rc;
}

/* Minor units per currency unit (wallets are in currency units, orders in minor units). */
static double minor_per_unit(void)
{
    double s = 1;
    for (int i = 0; i < MONEY_DECIMALS; i++)
        s *= 10;
    return s;
}

/* The share-of-wallet movement from each customer's net revenue (minor units) in the two
 * periods: revenue[i] "from", revenue[n + i] "to". */
static void wallet_move(const struct value_result *r, const double *revenue, int period_days,
                        struct drivers_wallet_move *w)
{
    const double scale = minor_per_unit();
    const size_t n = r->n;
    double from_sum = 0, to_sum = 0, rev_from = 0, rev_to = 0, wallets = 0;
    *w = (struct drivers_wallet_move){0};
    for (size_t i = 0; i < n; i++) {
        const double wallet = r->c[i].wallet;
        const double a = revenue[i] / scale, b = revenue[n + i] / scale;
        const double sa = value_wallet_share(a, wallet, period_days);
        const double sb = value_wallet_share(b, wallet, period_days);
        if (isnan(sa) || isnan(sb)) {
            w->without++;
            continue;
        }
        w->with++;
        w->up += sb > sa;
        w->down += sb < sa;
        w->same += sb == sa;
        from_sum += sa;
        to_sum += sb;
        rev_from += a;
        rev_to += b;
        wallets += wallet;
    }
    w->from_mean = w->with ? from_sum / (double)w->with : NAN;
    w->to_mean = w->with ? to_sum / (double)w->with : NAN;
    w->from_share = w->with ? value_wallet_share(rev_from, wallets, period_days) : NAN;
    w->to_share = w->with ? value_wallet_share(rev_to, wallets, period_days) : NAN;
}

int drivers_migration_build(const struct cv_data *d, const struct value_result *r, int period_days,
                            struct drivers_migration *out, uint8_t *from_tier, uint8_t *to_tier,
                            struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    if (period_days < 1)
        return kith_err(err, KITH_EINVAL, "migration: a period of %d days", period_days);
    out->to_last = r->as_of_day;
    out->to_first = r->as_of_day - period_days + 1;
    out->from_last = out->to_first - 1;
    out->from_first = out->from_last - period_days + 1;
    const size_t n = r->n;
    double *margin = alloc_array(n, 2 * sizeof(*margin));
    double *revenue = alloc_array_zero(n, 2 * sizeof(*revenue));
    bool *bought = alloc_array_zero(n, 2 * sizeof(*bought));
    uint8_t *tier = alloc_array(n, 2 * sizeof(*tier));
    int rc = 0;
    if (!margin || !revenue || !bought || !tier) {
        rc = kith_err(err, KITH_ENOMEM, "migration: out of memory for %zu customers", n);
        goto out_free;
    }
    const double ratio = r->model.margin_ratio;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        margin[i] = margin[n + i] = 0;
        size_t end = orders_of(d, r->c[i].account_id, &pos);
        for (; pos < end; pos++) {
            const struct cv_order *od = &d->orders[pos];
            int32_t day = cv_day(od->at);
            double mg = od->has_margin ? (double)od->margin : ratio * (double)od->amount;
            const bool sale = od->kind == CV_SALE; /* net margin, but bought means a sale */
            if (day >= out->from_first && day <= out->from_last) {
                margin[i] += mg;
                revenue[i] += (double)od->amount;
                bought[i] |= sale;
            } else if (day >= out->to_first && day <= out->to_last) {
                margin[n + i] += mg;
                revenue[n + i] += (double)od->amount;
                bought[n + i] |= sale;
            }
        }
    }
    if ((rc = period_tiers(margin, bought, n, tier, err)) < 0 ||
        (rc = period_tiers(margin + n, bought + n, n, tier + n, err)) < 0)
        goto out_free;
    for (size_t i = 0; i < n; i++) {
        uint8_t a = tier[i], b = tier[n + i];
        out->matrix[a][b]++;
        out->up += b > a;
        out->down += b < a;
        out->same += b == a;
        if (from_tier)
            from_tier[i] = a;
        if (to_tier)
            to_tier[i] = b;
    }
    wallet_move(r, revenue, period_days, &out->wallet);
out_free:
    free(margin);
    free(revenue);
    free(bought);
    free(tier);
    return rc;
}
