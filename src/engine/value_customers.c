/*
 * value_customers.c - step 1 of customer value: customers from orders, through the RFM summary
 * of their sales (engine/summary.h), with each one's net margin to date and in the current window
 * (returns and credits subtract; the margin ratio stands in where an order has no margin), its
 * returns and its cost to serve.
 */
#include "engine/value_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/summary.h"
#include "util/alloc.h"
#include "util/money.h"

#include "util/banned.h"

static double minor_per_unit(void)
{
    double s = 1;
    for (int i = 0; i < MONEY_DECIMALS; i++)
        s *= 10;
    return s;
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
    if ((rc = value_check_options(o, err)) < 0 || (rc = check_orders_sorted(d, err)) < 0)
        return rc;
    const double scale = minor_per_unit();
    const int32_t as_of = o->as_of_day;
    size_t m = 0;
    for (size_t i = 0; i < d->norders; i++)
        m += cv_day(d->orders[i].at) <= as_of && d->orders[i].kind == CV_SALE;
    if (m == 0)
        return kith_err(err, KITH_EINVAL,
                        "customer value: no sales on or before the as-of day (%zu orders in all)",
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
        if (day > as_of || od->kind != CV_SALE)
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
            .first_spend = sum.first_spend[r],
            .p_alive = NAN,
            .expected_orders = NAN,
            .predicted = NAN,
            .lifetime = NAN,
            .wallet = NAN,
            .share_of_wallet = NAN,
        };
        while (i < d->norders && d->orders[i].account_id < c->account_id)
            i++;
        double to_date = 0, current = 0, amount = 0, amount_current = 0, returned = 0;
        for (; i < d->norders && d->orders[i].account_id == c->account_id; i++) {
            const struct cv_order *od = &d->orders[i];
            int32_t day = cv_day(od->at);
            if (day > as_of)
                continue;
            double mg = order_margin(od, ratio);
            to_date += mg;
            amount += (double)od->amount;
            if (day > current_from) {
                current += mg;
                amount_current += (double)od->amount;
            }
            if (od->kind != CV_SALE) { /* money back: in the values, not a purchase */
                returned += mg;
                c->returns++;
                continue;
            }
            c->orders++;
            c->last_day = day;
        }
        c->to_date = to_date / scale;
        c->current = current / scale;
        c->amount_to_date = amount / scale;
        c->returned = returned / scale;
        c->amount_current = amount_current / scale;
        if (c->account != CV_NO_INDEX && d->accounts[c->account].wallet > 0) {
            c->wallet = (double)d->accounts[c->account].wallet / scale;
            c->share_of_wallet = value_wallet_share(c->amount_current, c->wallet, o->current_days);
        }
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
