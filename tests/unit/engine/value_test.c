/*
 * Tests for src/engine/value.c: value to date, current value, missing margins and cost to serve
 * on a hand-made order book; returns and credits (net values, sales as purchases); every customer
 * by the model and the proxy from own history where none gives a value; predictions shared by
 * equal histories against clv_value(); the whole chain on the CDNOW transactions against the
 * published BG/NBD estimates; groups and product holding.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/value.h"
#include "util/timefmt.h"

#ifndef KITH_SOURCE_DIR
#define KITH_SOURCE_DIR "."
#endif

#define assert_near(a, e, tol) assert_true(fabs((a) - (e)) <= (tol))
#define DAY                    CV_DAY_MS

static struct cv_order order(int64_t account, int day, int64_t amount, int64_t margin, bool has)
{
    return (struct cv_order){.account_id = account,
                             .at = day * DAY + 3600000,
                             .amount = amount,
                             .margin = margin,
                             .has_margin = has};
}

static struct cv_order kinded(int64_t account, int day, int64_t amount, int64_t margin, bool has,
                              enum cv_order_kind kind)
{
    struct cv_order o = order(account, day, amount, margin, has);
    o.kind = (uint8_t)kind;
    return o;
}

static void customers_from_orders(void **state)
{
    (void)state;
    struct cv_order orders[] = {
        order(10, 100, 1000, 300, true),    order(10, 100, 500, 0, false),
        order(10, 300, 2000, 800, true),    order(20, 350, 1000, 100, true),
        order(20, 400, 99999, 99999, true), /* after the as-of day: ignored */
    };
    struct cv_cost costs[] = {{.account_id = 10, .to_date = 500, .current = 200}};
    struct cv_data d = {.orders = orders, .norders = 5, .costs = costs, .ncosts = 1};
    struct value_options o;
    value_options_default(&o);
    o.as_of_day = 365;
    o.current_days = 100;
    struct value_result r;
    struct kith_error err = {0};
    assert_int_equal(value_customers_build(&d, &o, &r, &err), 0);
    assert_int_equal(r.n, 2);
    /* margin ratio: (300 + 800 + 100) / (1000 + 2000 + 1000) = 0.3, from the data */
    assert_near(r.model.margin_ratio, 0.3, 1e-15);
    assert_true(r.model.margin_from_data);
    const struct value_customer *a = &r.c[0];
    assert_int_equal(a->account_id, 10);
    assert_int_equal(a->orders, 3);
    assert_int_equal(a->first_day, 100);
    assert_int_equal(a->last_day, 300);
    /* 3.00 + 0.3 x 5.00 + 8.00 */
    assert_near(a->to_date, 12.5, 1e-12);
    assert_near(a->current, 8.0, 1e-12); /* only day 300 is within days 266..365 */
    assert_near(a->amount_to_date, 35.0, 1e-12);
    assert_near(a->rfm.x, 1, 0); /* the two orders of day 100 are one purchase */
    assert_near(a->rfm.t_x, 200.0 / 7, 1e-12);
    assert_near(a->rfm.T, 265.0 / 7, 1e-12);
    assert_near(a->rfm.zbar, 20.0, 1e-12);
    assert_near(a->cost_to_date, 5.0, 1e-12);
    assert_near(a->cost_current, 2.0, 1e-12);
    assert_near(value_of(a, VALUE_PROFIT), 7.5, 1e-12);
    assert_near(value_of(a, VALUE_PROFIT_CURRENT), 6.0, 1e-12);
    assert_true(isnan(a->p_alive)); /* not predicted yet */
    const struct value_customer *b = &r.c[1];
    assert_near(b->to_date, 1.0, 1e-12);
    assert_int_equal(b->orders, 1);
    assert_near(b->rfm.x, 0, 0);
    assert_near(b->cost_to_date, 0, 0);
    assert_int_equal(value_find(&r, 20), 1);
    assert_int_equal(value_find(&r, 15), CV_NO_INDEX);
    value_result_release(&r);

    /* a given ratio wins; without any margin the ratio is 1 (values are revenue) */
    o.margin_ratio = 0.5;
    assert_int_equal(value_customers_build(&d, &o, &r, &err), 0);
    assert_near(r.c[0].to_date, 3 + 2.5 + 8, 1e-12);
    value_result_release(&r);
    struct cv_order plain[] = {order(1, 10, 700, 0, false)};
    struct cv_data dp = {.orders = plain, .norders = 1};
    o.margin_ratio = -1;
    assert_int_equal(value_customers_build(&dp, &o, &r, &err), 0);
    assert_near(r.model.margin_ratio, 1, 0);
    assert_false(r.model.margin_from_data);
    assert_near(r.c[0].to_date, 7, 1e-12);
    value_result_release(&r);
}

static void bad_order_books(void **state)
{
    (void)state;
    struct value_options o;
    value_options_default(&o);
    o.as_of_day = 365;
    struct value_result r;
    struct kith_error err = {0};
    struct cv_order unsorted[] = {order(2, 10, 1, 1, true), order(1, 10, 1, 1, true)};
    struct cv_data d = {.orders = unsorted, .norders = 2};
    assert_int_equal(value_customers_build(&d, &o, &r, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "sorted"));
    struct cv_order late[] = {order(1, 400, 1, 1, true)};
    d = (struct cv_data){.orders = late, .norders = 1};
    assert_int_equal(value_customers_build(&d, &o, &r, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "no sales"));
    struct cv_order only_returns[] = {kinded(1, 10, -100, 0, false, CV_RETURN)};
    d = (struct cv_data){.orders = only_returns, .norders = 1};
    assert_int_equal(value_customers_build(&d, &o, &r, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "no sales"));
    o.horizon_months = 0;
    assert_int_equal(value_customers_build(&d, &o, &r, &err), KITH_EINVAL);
}

/* Returns and credits: in the values (net), not purchases; an account of returns only is none. */
static void returns_are_net_and_not_purchases(void **state)
{
    (void)state;
    struct cv_order orders[] = {
        kinded(10, 100, 1000, 300, true, CV_SALE),    kinded(10, 200, 2000, 800, true, CV_SALE),
        kinded(10, 210, -500, -150, true, CV_RETURN), kinded(10, 300, -100, 0, false, CV_CREDIT),
        kinded(20, 50, -300, 0, false, CV_RETURN),    kinded(30, 100, 500, 0, false, CV_SALE),
        kinded(30, 120, -800, 0, false, CV_RETURN),
    };
    struct cv_data d = {.orders = orders, .norders = 7};
    struct value_options o;
    value_options_default(&o);
    o.as_of_day = 365;
    o.current_days = 100;
    struct value_result r;
    struct kith_error err = {0};
    assert_int_equal(value_customers_build(&d, &o, &r, &err), 0);
    assert_int_equal(r.n, 2); /* account 20 has returned, never bought: no customer */
    /* ratio over the orders with a margin, returns included: (3 + 8 - 1.5) / (10 + 20 - 5) */
    const double ratio = 950.0 / 2500.0;
    assert_near(r.model.margin_ratio, ratio, 1e-15);
    const struct value_customer *a = &r.c[0];
    assert_int_equal(a->account_id, 10);
    assert_int_equal(a->orders, 2);  /* sales */
    assert_int_equal(a->returns, 2); /* the return and the credit */
    assert_int_equal(a->first_day, 100);
    assert_int_equal(a->last_day, 200); /* the last sale, not the credit of day 300 */
    assert_near(a->rfm.x, 1, 0);
    assert_near(a->rfm.t_x, 100.0 / 7, 1e-12);
    assert_near(a->rfm.zbar, 20.0, 1e-12); /* the repeat sale alone */
    assert_near(a->first_spend, 10.0, 1e-12);
    assert_near(a->to_date, 3 + 8 - 1.5 - ratio * 1, 1e-12);
    assert_near(a->returned, -1.5 - ratio * 1, 1e-12);
    assert_near(a->current, -ratio * 1, 1e-12); /* only the credit is within days 266..365 */
    assert_near(a->amount_to_date, 10 + 20 - 5 - 1, 1e-12);
    const struct value_customer *b = &r.c[1];
    assert_int_equal(b->account_id, 30);
    assert_near(b->to_date, ratio * (5 - 8), 1e-12);
    assert_int_equal(b->orders, 1);
    assert_int_equal(b->returns, 1);
    /* a customer whose net history is negative is never valued above zero by the proxy */
    assert_near(value_proxy(b, 365, &o), 0, 0);
    value_result_release(&r);
}

/* The CDNOW estimates (docs/internals/clv.md): used as a fitted model for the rules below. */
static const struct bgnbd_params bg_ref = {0.2425945, 4.4136019, 0.7929199, 2.4258881};
static const struct gg_params gg_ref = {6.2488, 3.7446, 15.4477};

/* The horizon value_predict() uses for o, for an independent check. */
static struct clv_horizon horizon_of(const struct value_options *o, double margin)
{
    return (struct clv_horizon){.steps = o->horizon_months,
                                .step = 365.25 / 12 / o->unit_days,
                                .discount = pow(1 + o->discount, 1.0 / 12) - 1,
                                .margin = margin};
}

/* Every customer by the model, the young and one-order ones included; proxies where it has none. */
static void every_customer_by_the_model(void **state)
{
    (void)state;
    /* 3 and 4 first bought 10 days ago, with one order; 4 spent nothing known */
    struct value_customer c[4] = {
        {.account_id = 1,
         .account = CV_NO_INDEX,
         .first_day = 700,
         .rfm = {.x = 3, .t_x = 30, .T = 300.0 / 7, .zbar = 40},
         .first_spend = 25,
         .to_date = 100},
        {.account_id = 2,
         .account = CV_NO_INDEX,
         .first_day = 700,
         .rfm = {.x = 0, .T = 300.0 / 7},
         .first_spend = 80,
         .to_date = 80},
        {.account_id = 3,
         .account = CV_NO_INDEX,
         .first_day = 990,
         .rfm = {.x = 0, .T = 10.0 / 7},
         .first_spend = 50,
         .to_date = 50},
        {.account_id = 4,
         .account = CV_NO_INDEX,
         .first_day = 990,
         .rfm = {.x = 0, .T = 10.0 / 7},
         .first_spend = 0,
         .to_date = -20},
    };
    struct value_result r = {.n = 4, .c = c, .as_of_day = 1000};
    r.model = (struct value_model){.bg = bg_ref, .gg = gg_ref, .fitted = true, .margin_ratio = 0.5};
    struct value_options o;
    value_options_default(&o);
    o.as_of_day = 1000;
    struct kith_error err = {0};
    assert_int_equal(value_predict(&r, &o, &err), 0);
    const struct clv_horizon h = horizon_of(&o, 0.5);
    const double p = gg_ref.p, q = gg_ref.q, g = gg_ref.gamma;
    /* the expected spend: the population mean p g / (q - 1) shrunk toward the customer's own */
    const double spend[4] = {p * (g + 3 * 40) / (p * 3 + q - 1), p * (g + 80) / (p + q - 1),
                             p * (g + 50) / (p + q - 1), p * g / (q - 1)};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(c[i].basis, VALUE_BASIS_MODEL);
        assert_int_equal(c[i].proxy_reason, VALUE_PROXY_NO);
        double orders;
        assert_int_equal(clv_discounted_orders(&bg_ref, &c[i].rfm, &h, &orders, &err), 0);
        const double want = 0.5 * spend[i] * orders;
        assert_near(c[i].predicted, want, 1e-12 * want);
        assert_near(c[i].lifetime, c[i].to_date + want, 1e-9);
        assert_near(c[i].p_alive, bgnbd_p_alive(&bg_ref, &c[i].rfm), 0);
    }
    /* the shrinkage weight p k / (p k + q - 1): the first purchase moves a newcomer's spend */
    assert_true(c[2].predicted > c[3].predicted);

    /* a spend model without a population mean (q <= 1): a customer without spend evidence has
     * no model value and gets the proxy from its own history, 0 when its net value is negative */
    r.model.gg = (struct gg_params){6, 0.9, 15};
    c[3].to_date = 30;
    assert_int_equal(value_predict(&r, &o, &err), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(c[i].basis, VALUE_BASIS_MODEL); /* p k + q > 1 with k >= 1 */
    assert_int_equal(c[3].proxy_reason, VALUE_PROXY_UNDEFINED);
    assert_int_equal(c[3].basis, VALUE_BASIS_HISTORY);
    double years = 0, f = 1;
    for (int k = 1; k <= 36; k++)
        years += (f /= pow(1.10, 1.0 / 12)) / 12;
    const double proxy = 30.0 / 365 * 365.25 * years; /* 11 days old: spread over 365 */
    assert_near(c[3].predicted, proxy, 1e-12 * proxy);
    assert_near(c[3].lifetime, 30 + proxy, 1e-9);
    c[3].to_date = -20;
    assert_int_equal(value_predict(&r, &o, &err), 0);
    assert_near(c[3].predicted, 0, 0);

    /* no model at all: everyone by the proxy, P(alive) unknown */
    value_predict_without_model(&r, &o);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(c[i].proxy_reason, VALUE_PROXY_NO_MODEL);
        assert_near(c[i].predicted, value_proxy(&c[i], 1000, &o), 0);
        assert_true(c[i].predicted >= 0 && isnan(c[i].p_alive));
    }
    /* customer 1, 301 days old, spread over 365 days; 2 likewise */
    assert_near(c[0].predicted, 100.0 / 365 * 365.25 * years, 1e-9);
    r.model.fitted = false;
    assert_int_equal(value_predict(&r, &o, &err), KITH_EINVAL);
}

static void shared_histories_match_clv_value(void **state)
{
    (void)state;
    enum { N = 300 };
    struct clv_customer c[N];
    srand(7);
    for (int i = 0; i < N; i++) {
        /* few distinct histories, many spends: the sharing must not mix spends up */
        double x = rand() % 4, T = 20 + rand() % 3;
        c[i] = (struct clv_customer){.x = x,
                                     .t_x = x > 0 ? 10 + rand() % 2 : 0,
                                     .T = T,
                                     .zbar = x > 0 ? 5 + rand() % 50 : 0};
    }
    const struct clv_horizon h = {.steps = 24, .step = 4.35, .discount = 0.008, .margin = 0.4};
    double pa[N], ey[N], v[N];
    struct kith_error err = {0};
    assert_int_equal(value_predict_summaries(&bg_ref, &gg_ref, c, NULL, N, &h, pa, ey, v, &err), 0);
    for (int i = 0; i < N; i++) {
        double want;
        assert_int_equal(clv_value(&bg_ref, &gg_ref, &c[i], &h, &want, &err), 0);
        assert_near(v[i], want, 1e-12 * fabs(want) + 1e-15);
        assert_near(pa[i], bgnbd_p_alive(&bg_ref, &c[i]), 0);
        assert_near(ey[i], bgnbd_conditional_expected(&bg_ref, &c[i], 24 * 4.35), 0);
    }
    struct clv_horizon bad = h;
    bad.margin = 2;
    assert_int_equal(value_predict_summaries(&bg_ref, &gg_ref, c, NULL, N, &bad, pa, ey, v, &err),
                     KITH_EINVAL);
}

/* ---- CDNOW end to end ------------------------------------------------------------------- */

static int32_t days_from_civil(int y, int m, int d)
{
    return (int32_t)timefmt_days_from_civil(y, m, d);
}

static int order_cmp(const void *pa, const void *pb)
{
    const struct cv_order *a = pa, *b = pb;
    if (a->account_id != b->account_id)
        return a->account_id < b->account_id ? -1 : 1;
    return (a->at > b->at) - (a->at < b->at);
}

static void cdnow_end_to_end(void **state)
{
    (void)state;
    char path[1024], line[256];
    const char *dir = getenv("KITH_SHARED_DATA");
    if (dir && *dir)
        snprintf(path, sizeof path, "%s/cdnow/cdnowElog.csv", dir);
    else
        snprintf(path, sizeof path, "%s/../shared/data/cdnow/cdnowElog.csv", KITH_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (set KITH_SHARED_DATA)", path);
    struct cv_order *orders = malloc(8000 * sizeof(*orders));
    size_t n = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f) && n < 8000) {
        long master, sample, date, cds;
        double sales;
        if (sscanf(line, "%ld,%ld,%ld,%ld,%lf", &master, &sample, &date, &cds, &sales) != 5)
            continue;
        int32_t day =
            days_from_civil((int)(date / 10000), (int)(date / 100 % 100), (int)(date % 100));
        orders[n++] = order(sample, day, (int64_t)llround(sales * 100), 0, false);
    }
    fclose(f);
    assert_int_equal(n, 6919);
    qsort(orders, n, sizeof(*orders), order_cmp);
    struct cv_data d = {.orders = orders, .norders = n};
    struct value_options o;
    value_options_default(&o);
    o.as_of_day = days_from_civil(1997, 9, 30);
    struct value_result r;
    struct kith_error err = {0};
    assert_int_equal(value_compute(&d, &o, &r, &err), 0);
    assert_int_equal(r.n, 2357);
    assert_true(r.model.fitted);
    /* BG/NBD on the unrounded summary (docs/internals/clv.md) */
    assert_near(r.model.bg.r, 0.2425945, 2e-6);
    assert_near(r.model.bg.alpha, 4.4136020, 2e-5);
    assert_near(r.model.bg.a, 0.7929220, 2e-5);
    assert_near(r.model.bg.b, 2.4259068, 5e-5);
    assert_int_equal(r.model.nrepeat, 946);
    /* Gamma-Gamma on unrounded mean spends: within 0.1% of the published cent-rounded fit */
    assert_near(r.model.gg.p, 6.2488, 6.2488e-3);
    assert_near(r.model.gg.q, 3.7446, 3.7446e-3);
    assert_near(r.model.gg.gamma, 15.4477, 15.4477e-3);
    assert_near(r.model.margin_ratio, 1, 0); /* no margins: revenue */
    /* every customer valued by the model, lifetime = to date + predicted */
    for (size_t i = 0; i < r.n; i++) {
        const struct value_customer *c = &r.c[i];
        assert_int_equal(c->basis, VALUE_BASIS_MODEL);
        assert_near(c->lifetime, c->to_date + c->predicted, 1e-9);
        double want, norders;
        const struct clv_horizon h = {
            .steps = 36, .step = 365.25 / 12 / 7, .discount = pow(1.1, 1.0 / 12) - 1, .margin = 1};
        assert_int_equal(clv_value(&r.model.bg, &r.model.gg, &c->rfm, &h, &want, &err), 0);
        if (c->rfm.x > 0) { /* a repeat buyer: the paper's expected spend */
            assert_near(c->predicted, want, 1e-9 * want + 1e-12);
            continue;
        }
        /* a one-order customer: its first purchase is its spend evidence (none when $0) */
        const struct gg_params *g = &r.model.gg;
        const double k = c->first_spend > 0 ? 1 : 0;
        assert_int_equal(clv_discounted_orders(&r.model.bg, &c->rfm, &h, &norders, &err), 0);
        want = g->p * (g->gamma + k * c->first_spend) / (g->p * k + g->q - 1) * norders;
        assert_near(c->predicted, want, 1e-9 * want + 1e-12);
    }
    /* customer 1 (x=2, t_x=30.43, T=38.86): E[Y(39)] = 1.226 published; here 36 months */
    assert_int_equal(r.c[0].account_id, 1);
    assert_near(r.c[0].rfm.x, 2, 0);
    assert_true(r.c[0].expected_orders > 1.226);
    value_result_release(&r);
    free(orders);
}

/* ---- groups and holdings ---------------------------------------------------------------- */

static void groups_and_holdings(void **state)
{
    (void)state;
    char *ind_names[] = {"Metals", "Mining"};
    char *band_names[] = {"big", "small"};
    char *src_names[] = {"Web"};
    struct cv_account acc[3] = {
        {.id = 1, .industry = 0, .revenue_band = 1, .source = 0, .unit = CV_NONE},
        {.id = 2, .industry = 1, .revenue_band = 0, .source = CV_NONE, .unit = CV_NONE},
        {.id = 3, .industry = 0, .revenue_band = 1, .source = 0, .unit = CV_NONE},
    };
    struct cv_product prod[3] = {
        {.id = 1, .category = 0}, {.id = 2, .category = 0}, {.id = 3, .category = 1}};
    struct cv_line lines[] = {
        {.order_id = 1, .account_id = 1, .at = 5 * DAY, .product = 0},
        {.order_id = 1, .account_id = 1, .at = 5 * DAY, .product = 2},
        {.order_id = 2, .account_id = 1, .at = 6 * DAY, .product = 0},
        {.order_id = 3, .account_id = 3, .at = 7 * DAY, .product = 1},
        {.order_id = 4, .account_id = 3, .at = 99 * DAY, .product = 2}, /* after the as-of */
    };
    struct cv_data d = {.accounts = acc,
                        .naccounts = 3,
                        .products = prod,
                        .nproducts = 3,
                        .lines = lines,
                        .nlines = 5};
    d.industries = (struct cv_labels){2, ind_names};
    d.revenue_bands = (struct cv_labels){2, band_names};
    d.sources = (struct cv_labels){1, src_names};
    struct value_customer c[3] = {{.account_id = 1, .account = 0},
                                  {.account_id = 2, .account = 1},
                                  {.account_id = 3, .account = 2}};
    struct value_result r = {.n = 3, .c = c, .as_of_day = 50};
    struct value_groups g;
    struct kith_error err = {0};
    assert_int_equal(value_groups_build(&d, &r, VALUE_BY_SEGMENT, &g, &err), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.code[0], g.code[2]);
    assert_string_equal(g.names[g.code[0]], "Metals / small");
    assert_string_equal(g.names[g.code[1]], "Mining / big");
    value_groups_release(&g);
    assert_int_equal(value_groups_build(&d, &r, VALUE_BY_SOURCE, &g, &err), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.names[g.code[1]], "(none)");
    assert_string_equal(g.names[g.code[0]], "Web");
    value_groups_release(&g);

    struct value_holdings h;
    assert_int_equal(value_holdings_build(&d, &r, &h, &err), 0);
    assert_int_equal(value_holding_count(&h, 0), 2); /* products 0 and 2, 0 twice */
    assert_int_equal(h.categories[0], 2);
    assert_int_equal(value_holding_count(&h, 1), 0);
    assert_int_equal(value_holding_count(&h, 2), 1); /* the later line is after the as-of day */
    assert_int_equal(h.items[h.start[2]], 1);
    value_holdings_release(&h);

    enum value_measure m;
    assert_true(value_measure_parse("to_date", &m));
    assert_int_equal(m, VALUE_TO_DATE);
    assert_false(value_measure_parse("revenue", &m));
    enum value_by by;
    assert_true(value_by_parse("unit", &by));
    assert_false(value_by_parse("region", &by));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(customers_from_orders),
        cmocka_unit_test(bad_order_books),
        cmocka_unit_test(returns_are_net_and_not_purchases),
        cmocka_unit_test(every_customer_by_the_model),
        cmocka_unit_test(shared_histories_match_clv_value),
        cmocka_unit_test(cdnow_end_to_end),
        cmocka_unit_test(groups_and_holdings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
