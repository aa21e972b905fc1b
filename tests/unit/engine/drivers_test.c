/*
 * Tests for src/engine/drivers.c: periods and their labels, the value migration matrix, cohort
 * retention, acquisition by source and period, attrition, holding and cost to serve, on order
 * books small enough to count by hand.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/drivers.h"
#include "util/timefmt.h"

#define assert_near(a, e, tol) assert_true(fabs((a) - (e)) <= (tol))
#define DAY                    CV_DAY_MS

static struct cv_order order(int64_t account, int32_t day, int64_t margin)
{
    return (struct cv_order){.account_id = account,
                             .at = day * DAY,
                             .amount = margin * 3,
                             .margin = margin,
                             .has_margin = true};
}

static int32_t civil(int y, int m, int d)
{
    return (int32_t)timefmt_days_from_civil(y, m, d);
}

static void customers(struct cv_data *d, int32_t as_of, struct value_result *r)
{
    struct value_options o;
    value_options_default(&o);
    o.as_of_day = as_of;
    struct kith_error err = {0};
    assert_int_equal(value_customers_build(d, &o, r, &err), 0);
}

static void periods_and_labels(void **state)
{
    (void)state;
    char buf[16];
    const int32_t day = civil(2024, 3, 15);
    drivers_period_label(drivers_period_of(day, DRIVERS_MONTH), DRIVERS_MONTH, buf, sizeof buf);
    assert_string_equal(buf, "2024-03");
    drivers_period_label(drivers_period_of(day, DRIVERS_QUARTER), DRIVERS_QUARTER, buf, sizeof buf);
    assert_string_equal(buf, "2024-Q1");
    drivers_period_label(drivers_period_of(day, DRIVERS_YEAR), DRIVERS_YEAR, buf, sizeof buf);
    assert_string_equal(buf, "2024");
    drivers_period_label(drivers_period_of(-1, DRIVERS_MONTH), DRIVERS_MONTH, buf, sizeof buf);
    assert_string_equal(buf, "1969-12");
    drivers_period_label(drivers_period_of(civil(2023, 12, 31), DRIVERS_QUARTER), DRIVERS_QUARTER,
                         buf, sizeof buf);
    assert_string_equal(buf, "2023-Q4");
    assert_int_equal(drivers_period_of(civil(2024, 1, 1), DRIVERS_MONTH) -
                         drivers_period_of(civil(2023, 12, 31), DRIVERS_MONTH),
                     1);
    enum drivers_period p;
    assert_true(drivers_period_parse("quarter", &p));
    assert_int_equal(p, DRIVERS_QUARTER);
    assert_false(drivers_period_parse("week", &p));
}

/*
 * Periods of 10 days up to day 100: "from" = days 81..90, "to" = days 91..100.
 * From margins: c1 10, c2 20, c3 30, c4 40, c5 50, c6 60 (six buyers): quintiles
 *   1 + floor(5 i / 6) for i = 0..5 = 1, 1, 2, 3, 4, 5.
 * To margins: c1 50, c2 40, c3 30, c4 20, c5 10, c7 60: c5 1, c4 1, c3 2, c2 3, c1 4, c7 5.
 * c8 bought only on day 50: tier 0 in both.
 *   c1 1->4 up, c2 1->3 up, c3 2->2, c4 3->1 down, c5 4->1 down, c6 5->0 down, c7 0->5 up,
 *   c8 0->0.
 */
static void migration_matrix(void **state)
{
    (void)state;
    struct cv_order o[] = {
        order(1, 85, 10), order(1, 95, 50), order(2, 85, 20),  order(2, 95, 40), order(3, 85, 30),
        order(3, 95, 30), order(4, 85, 40), order(4, 95, 20),  order(5, 85, 50), order(5, 95, 10),
        order(6, 85, 60), order(7, 95, 60), order(8, 50, 999),
    };
    struct cv_data d = {.orders = o, .norders = sizeof(o) / sizeof(o[0])};
    struct value_result r;
    customers(&d, 100, &r);
    assert_int_equal(r.n, 8);
    struct drivers_migration m;
    uint8_t from[8], to[8];
    struct kith_error err = {0};
    assert_int_equal(drivers_migration_build(&d, &r, 10, &m, from, to, &err), 0);
    assert_int_equal(m.from_first, 81);
    assert_int_equal(m.from_last, 90);
    assert_int_equal(m.to_first, 91);
    assert_int_equal(m.to_last, 100);
    const uint8_t want_from[8] = {1, 1, 2, 3, 4, 5, 0, 0};
    const uint8_t want_to[8] = {4, 3, 2, 1, 1, 0, 5, 0};
    assert_memory_equal(from, want_from, 8);
    assert_memory_equal(to, want_to, 8);
    size_t want[DRIVERS_TIERS][DRIVERS_TIERS] = {{0}};
    want[1][4] = want[1][3] = want[2][2] = want[3][1] = want[4][1] = 1;
    want[5][0] = want[0][5] = want[0][0] = 1;
    assert_memory_equal(m.matrix, want, sizeof(want));
    assert_int_equal(m.up, 3);
    assert_int_equal(m.down, 3);
    assert_int_equal(m.same, 2);
    assert_int_equal(drivers_migration_build(&d, &r, 0, &m, NULL, NULL, &err), KITH_EINVAL);
    value_result_release(&r);
}

/*
 * Monthly cohorts up to 2024-04-30. A: first order 2024-01-10, again in February and April.
 * B: first 2024-02-01, again in April. C: first 2024-04-02.
 */
static void cohort_retention(void **state)
{
    (void)state;
    struct cv_order o[] = {
        order(1, civil(2024, 1, 10), 1), order(1, civil(2024, 1, 20), 1),
        order(1, civil(2024, 2, 5), 1),  order(1, civil(2024, 4, 1), 1),
        order(2, civil(2024, 2, 1), 1),  order(2, civil(2024, 4, 15), 1),
        order(3, civil(2024, 4, 2), 1),  order(3, civil(2024, 5, 2), 1), /* after as-of */
    };
    struct cv_data d = {.orders = o, .norders = 8};
    struct value_result r;
    customers(&d, civil(2024, 4, 30), &r);
    struct drivers_cohorts c;
    struct kith_error err = {0};
    assert_int_equal(drivers_cohorts_build(&d, &r, DRIVERS_MONTH, &c, &err), 0);
    assert_int_equal(c.n, 4);
    const size_t size[4] = {1, 1, 0, 1};
    assert_memory_equal(c.size, size, sizeof(size));
    /* row c, column k: customers of cohort c active k months later */
    const size_t active[16] = {1, 1, 0, 1, /* Jan: Jan, Feb, -, Apr */
                               1, 0, 1, 0, /* Feb: Feb, Apr */
                               0, 0, 0, 0, /* Mar */
                               1, 0, 0, 0};
    assert_memory_equal(c.active, active, sizeof(active));
    drivers_cohorts_release(&c);
    value_result_release(&r);
}

static void acquisition_by_source_and_period(void **state)
{
    (void)state;
    char *src[] = {"Partner", "Web"};
    struct cv_account acc[4] = {
        {.id = 1,
         .created_at = civil(2024, 1, 5) * DAY,
         .source = 1,
         .industry = CV_NONE,
         .revenue_band = CV_NONE,
         .unit = CV_NONE},
        {.id = 2,
         .created_at = civil(2024, 2, 5) * DAY,
         .source = 1,
         .industry = CV_NONE,
         .revenue_band = CV_NONE,
         .unit = CV_NONE},
        {.id = 3,
         .created_at = civil(2024, 5, 5) * DAY,
         .source = 0,
         .industry = CV_NONE,
         .revenue_band = CV_NONE,
         .unit = CV_NONE},
        {.id = 4,
         .created_at = civil(2024, 5, 6) * DAY,
         .source = CV_NONE,
         .industry = CV_NONE,
         .revenue_band = CV_NONE,
         .unit = CV_NONE},
    };
    struct cv_order o[] = {order(1, civil(2024, 3, 1), 500), order(3, civil(2024, 6, 1), 200)};
    struct cv_data d = {.accounts = acc, .naccounts = 4, .orders = o, .norders = 2};
    d.sources = (struct cv_labels){2, src};
    struct value_result r;
    customers(&d, civil(2024, 6, 30), &r);
    r.c[0].account = 0;
    r.c[1].account = 2;
    struct drivers_acquisition a;
    struct kith_error err = {0};
    assert_int_equal(drivers_acquisition_build(&d, &r, DRIVERS_QUARTER, VALUE_TO_DATE, &a, &err),
                     0);
    /* Q1: Web 2 accounts, 1 customer (5.00); Q2: (none) 1 account, Partner 1 account and 1
     * customer (2.00) */
    assert_int_equal(a.nrows, 3);
    char buf[16];
    drivers_period_label(a.rows[0].period, DRIVERS_QUARTER, buf, sizeof buf);
    assert_string_equal(buf, "2024-Q1");
    assert_int_equal(a.rows[0].source, 1);
    assert_int_equal(a.rows[0].accounts, 2);
    assert_int_equal(a.rows[0].customers, 1);
    assert_near(a.rows[0].value, 5.0, 1e-12);
    assert_int_equal(a.rows[1].source, CV_NONE);
    assert_int_equal(a.rows[1].accounts, 1);
    assert_int_equal(a.rows[2].source, 0);
    assert_int_equal(a.rows[2].customers, 1);
    assert_int_equal(a.nsources, 3);
    assert_int_equal(a.sources[1].accounts, 2);
    assert_int_equal(a.sources[1].customers, 1);
    assert_int_equal(a.sources[2].accounts, 1); /* (none) */
    drivers_acquisition_release(&a);
    value_result_release(&r);
}

static void attrition_holding_cost(void **state)
{
    (void)state;
    /* windows of 30 days up to day 100: before = 41..70, last = 71..100 */
    struct cv_order o[] = {
        order(1, 50, 10), order(1, 80, 10), /* active before and since */
        order(2, 60, 10),                   /* lapsed */
        order(3, 90, 10),                   /* new in the last window only */
    };
    struct cv_cost costs[] = {{.account_id = 2, .to_date = 5000, .current = 100}};
    struct cv_data d = {.orders = o, .norders = 4, .costs = costs, .ncosts = 1};
    struct value_result r;
    customers(&d, 100, &r);
    r.c[0].p_alive = 0.9;
    r.c[1].p_alive = 0.3;
    r.c[2].p_alive = NAN;
    struct drivers_attrition at;
    struct kith_error err = {0};
    assert_int_equal(drivers_attrition_build(&d, &r, NULL, 30, &at, &err), 0);
    assert_int_equal(at.n, 3);
    assert_near(at.expected_lost, 0.1 + 0.7, 1e-12);
    assert_near(at.mean_p_alive, 0.6, 1e-12);
    assert_int_equal(at.below_half, 1);
    assert_int_equal(at.active_before, 2);
    assert_int_equal(at.lapsed, 1);

    struct value_groups g = {.n = 2, .code = (int32_t[]){0, 1, 1}};
    struct drivers_attrition by[2];
    assert_int_equal(drivers_attrition_build(&d, &r, &g, 30, by, &err), 0);
    assert_int_equal(by[0].n, 1);
    assert_int_equal(by[1].n, 2);
    assert_int_equal(by[1].lapsed, 1);

    struct drivers_cost cost[2];
    drivers_cost_build(&r, &g, cost);
    /* customer 2: margin 0.10 to date, cost 50.00: unprofitable */
    assert_int_equal(cost[1].unprofitable, 1);
    assert_near(cost[1].cost, 50.0, 1e-12);
    assert_near(cost[1].margin, 0.2, 1e-12);
    assert_int_equal(cost[0].unprofitable, 0);

    size_t start[4] = {0, 3, 3, 4};
    int32_t items[4] = {0, 1, 2, 1};
    uint32_t cats[3] = {2, 0, 1};
    struct value_holdings h = {.n = 3, .start = start, .items = items, .categories = cats};
    struct drivers_holding hd;
    drivers_holding_build(&r, &h, VALUE_TO_DATE, &hd);
    assert_int_equal(hd.customers[0], 1);
    assert_int_equal(hd.customers[1], 1);
    assert_int_equal(hd.customers[3], 1);
    assert_near(hd.value[3], 0.2, 1e-12);
    assert_near(hd.mean_products, 4.0 / 3, 1e-12);
    assert_near(hd.mean_categories, 1.0, 1e-12);
    value_result_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(periods_and_labels),
        cmocka_unit_test(migration_matrix),
        cmocka_unit_test(cohort_retention),
        cmocka_unit_test(acquisition_by_source_and_period),
        cmocka_unit_test(attrition_holding_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
