/*
 * Tests for src/engine/value.c: value to date, current value, missing margins and cost to serve
 * on a hand-made order book; the proxy rule (segment, industry, everyone); predictions shared by
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
    assert_non_null(strstr(err.msg, "no orders"));
    o.horizon_months = 0;
    assert_int_equal(value_customers_build(&d, &o, &r, &err), KITH_EINVAL);
}

/* The CDNOW estimates (docs/internals/clv.md): used as a fitted model for the rules below. */
static const struct bgnbd_params bg_ref = {0.2425945, 4.4136019, 0.7929199, 2.4258881};
static const struct gg_params gg_ref = {6.2488, 3.7446, 15.4477};

static void proxy_rule(void **state)
{
    (void)state;
    /* industries 0 and 1, bands 0 and 1; account 8 has no industry */
    struct cv_account acc[8];
    const int32_t ind[8] = {0, 0, 0, 0, 0, 1, 1, CV_NONE};
    const int32_t band[8] = {0, 0, 0, 1, 1, 0, 0, 0};
    for (int i = 0; i < 8; i++)
        acc[i] = (struct cv_account){.id = i + 1,
                                     .industry = ind[i],
                                     .revenue_band = band[i],
                                     .source = CV_NONE,
                                     .unit = CV_NONE};
    struct cv_data d = {.accounts = acc, .naccounts = 8};
    /* customers 3, 5 and 7 first bought 10 days ago: young */
    struct value_customer c[8];
    const double x[8] = {1, 4, 0, 2, 0, 6, 0, 3};
    for (int i = 0; i < 8; i++) {
        bool young = i == 2 || i == 4 || i == 6;
        c[i] = (struct value_customer){
            .account_id = i + 1,
            .account = (size_t)i,
            .first_day = young ? 990 : 700,
            .last_day = 990,
            .rfm = {.x = x[i],
                    .t_x = x[i] > 0 ? 30 : 0,
                    .T = young ? 10.0 / 7 : 300.0 / 7,
                    .zbar = x[i] > 0 ? 40 : 0},
            .to_date = 100,
        };
    }
    struct value_result r = {.n = 8, .c = c, .as_of_day = 1000};
    r.model = (struct value_model){.bg = bg_ref, .gg = gg_ref, .fitted = true, .margin_ratio = 0.5};
    struct value_options o;
    value_options_default(&o);
    o.as_of_day = 1000;
    o.proxy_min = 2;
    struct kith_error err = {0};
    assert_int_equal(value_predict(&d, &r, &o, &err), 0);
    for (int i = 0; i < 8; i++)
        assert_true(isfinite(c[i].predicted) && isfinite(c[i].p_alive));
    const double v1 = c[0].predicted, v2 = c[1].predicted, v4 = c[3].predicted, v6 = c[5].predicted,
                 v8 = c[7].predicted;
    assert_int_equal(c[0].basis, VALUE_BASIS_MODEL);
    /* 3: its segment (0, 0) has customers 1 and 2 valued: their mean */
    assert_int_equal(c[2].proxy_reason, VALUE_PROXY_YOUNG);
    assert_int_equal(c[2].basis, VALUE_BASIS_SEGMENT);
    assert_near(c[2].predicted, (v1 + v2) / 2, 1e-9);
    assert_near(c[2].lifetime, 100 + (v1 + v2) / 2, 1e-9);
    /* 5: segment (0, 1) has one valued customer (4), below proxy_min: industry 0 = 1, 2, 4 */
    assert_int_equal(c[4].basis, VALUE_BASIS_INDUSTRY);
    assert_near(c[4].predicted, (v1 + v2 + v4) / 3, 1e-9);
    /* 7: industry 1 has one valued customer (6): everybody valued */
    assert_int_equal(c[6].basis, VALUE_BASIS_ALL);
    assert_near(c[6].predicted, (v1 + v2 + v4 + v6 + v8) / 5, 1e-9);

    /* a model that cannot value one-time buyers (q <= 1): they get proxies too */
    struct value_customer one[2] = {
        {.account_id = 1, .account = 0, .first_day = 700, .rfm = {.x = 0, .T = 40}},
        {.account_id = 2,
         .account = 1,
         .first_day = 700,
         .rfm = {.x = 2, .t_x = 20, .T = 40, .zbar = 30}},
    };
    struct value_result r2 = {.n = 2, .c = one, .as_of_day = 1000};
    r2.model =
        (struct value_model){.bg = bg_ref, .gg = {6, 0.9, 15}, .fitted = true, .margin_ratio = 1};
    o.proxy_min = 1;
    assert_int_equal(value_predict(&d, &r2, &o, &err), 0);
    assert_int_equal(one[0].proxy_reason, VALUE_PROXY_UNDEFINED);
    assert_int_equal(one[0].basis, VALUE_BASIS_SEGMENT);
    assert_near(one[0].predicted, one[1].predicted, 1e-9);

    r2.model.fitted = false;
    assert_int_equal(value_predict(&d, &r2, &o, &err), KITH_EINVAL);
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
    assert_int_equal(value_predict_summaries(&bg_ref, &gg_ref, c, N, &h, pa, ey, v, &err), 0);
    for (int i = 0; i < N; i++) {
        double want;
        assert_int_equal(clv_value(&bg_ref, &gg_ref, &c[i], &h, &want, &err), 0);
        assert_near(v[i], want, 1e-12 * fabs(want) + 1e-15);
        assert_near(pa[i], bgnbd_p_alive(&bg_ref, &c[i]), 0);
        assert_near(ey[i], bgnbd_conditional_expected(&bg_ref, &c[i], 24 * 4.35), 0);
    }
    struct clv_horizon bad = h;
    bad.margin = 2;
    assert_int_equal(value_predict_summaries(&bg_ref, &gg_ref, c, N, &bad, pa, ey, v, &err),
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
    o.proxy_days = 0; /* everybody by the model */
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
        double want;
        assert_int_equal(clv_value(&r.model.bg, &r.model.gg, &c->rfm,
                                   &(struct clv_horizon){.steps = 36,
                                                         .step = 365.25 / 12 / 7,
                                                         .discount = pow(1.1, 1.0 / 12) - 1,
                                                         .margin = 1},
                                   &want, &err),
                         0);
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
        cmocka_unit_test(proxy_rule),
        cmocka_unit_test(shared_histories_match_clv_value),
        cmocka_unit_test(cdnow_end_to_end),
        cmocka_unit_test(groups_and_holdings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
