/*
 * value_test.c - tests of src/analysis/value.c: the table's choices are the engine's names in
 * the engine's order, the defaults are the engine's, each analysis has its bit and route, the
 * sections check names the stranger, and value_run() computes over exactly the accounts of its
 * scope and says which failure it met (no customers, an account outside the scope), and that
 * without repeat purchases the analyses that want the models degrade to the proxy with a warning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>
#include <sqlite3.h>

#include "analysis/value.h"
#include "support/testutil.h"

static const struct param_spec *spec(const char *name)
{
    for (size_t i = 0; i < analysis_value.nspecs; i++)
        if (strcmp(analysis_value.specs[i].name, name) == 0)
            return &analysis_value.specs[i];
    fail_msg("no parameter %s", name);
    return NULL;
}

static size_t nchoices(const struct param_spec *s)
{
    size_t n = 0;
    while (s->choices[n])
        n++;
    return n;
}

static void choices_are_the_engine_names(void **state)
{
    (void)state;
    const struct param_spec *m = spec("measure"), *so = spec("sort"), *by = spec("by");
    const struct param_spec *pe = spec("period"), *se = spec("segment"), *le = spec("lever");
    assert_int_equal(nchoices(m), VALUE_PROFIT_CURRENT + 1);
    for (int i = 0; m->choices[i]; i++) {
        assert_string_equal(m->choices[i], value_measure_name((enum value_measure)i));
        assert_string_equal(so->choices[i], value_measure_name((enum value_measure)i));
    }
    assert_int_equal(nchoices(by), VALUE_BY_SOURCE + 1);
    for (int i = 0; by->choices[i]; i++)
        assert_string_equal(by->choices[i], value_by_name((enum value_by)i));
    assert_int_equal(nchoices(pe), DRIVERS_YEAR + 1);
    for (int i = 0; pe->choices[i]; i++)
        assert_string_equal(pe->choices[i], drivers_period_name((enum drivers_period)i));
    assert_int_equal(nchoices(se), RFM_NSEGMENTS);
    for (int i = 0; se->choices[i]; i++)
        assert_string_equal(se->choices[i], rfm_segment_name((enum rfm_segment)i));
    assert_int_equal(nchoices(le), REAP_NLEVERS);
    for (int i = 0; le->choices[i]; i++)
        assert_string_equal(le->choices[i], reap_lever_name((enum reap_lever)i));
}

static void defaults_are_the_engine_defaults(void **state)
{
    (void)state;
    struct value_params p;
    param_defaults(&analysis_value, &p);
    struct value_options vo;
    value_options_default(&vo);
    struct reap_options ro;
    reap_options_default(&ro);
    struct basket_options bo;
    basket_options_default(&bo);
    assert_int_equal(p.horizon, vo.horizon_months);
    assert_true(p.discount == vo.discount);
    assert_int_equal(p.proxy_days, vo.proxy_days);
    assert_true(p.unit_days == vo.unit_days);
    assert_int_equal(VALUE_CURRENT_DAYS, vo.current_days);
    assert_int_equal(p.max_iter, CLV_FIT_DEFAULT_MAX_ITER);
    assert_int_equal(p.new_days, RFM_NEW_DAYS_DEFAULT);
    assert_true(p.alive_min == ro.alive_min && p.cost_share == ro.cost_share);
    assert_true(p.min_support == bo.min_support && p.min_confidence == bo.min_confidence);
    assert_true(p.min_lift == bo.min_lift);
    assert_int_equal(p.max_len, bo.max_len);
    assert_int_equal(p.measure, VALUE_LIFETIME);
    assert_int_equal(p.period, DRIVERS_QUARTER);
    assert_int_equal(p.lorenz, 21);
    assert_int_equal(p.window, 365);
    assert_int_equal(p.offers, 3);
    assert_true(p.second_degree == 0.5);
    assert_int_equal(p.limit, 100);
    assert_false(param_given(&analysis_value, &p, "margin"));
}

static void each_analysis_has_its_bit_and_route(void **state)
{
    (void)state;
    assert_int_equal(analysis_value.ndefs, VALUE_NANALYSES);
    for (int a = 0; a < VALUE_NANALYSES; a++) {
        const struct analysis_def *d = value_def((enum value_analysis)a);
        char route[64];
        snprintf(route, sizeof(route), "/api/v1/value/%s", d->name);
        assert_int_equal(d->group, (uint64_t)1 << a);
        assert_string_equal(d->route, route);
        assert_ptr_equal(analysis_find(&analysis_value, d->name), d);
    }
    /* the doors' own options never reach the API */
    assert_true(spec("db")->cli_only && spec("json")->cli_only && spec("summary")->cli_only);
    assert_true(spec("all")->cli_only);
    assert_false(spec("limit")->cli_only);
}

static void sections_are_checked(void **state)
{
    (void)state;
    struct value_params p;
    struct kith_error err = {0};
    const char *field = NULL;
    param_defaults(&analysis_value, &p);
    assert_int_equal(value_params_check(&p, &field, &err), 0);
    p.sections = "cost,migration";
    assert_int_equal(value_params_check(&p, &field, &err), 0);
    p.sections = "cost,weather";
    assert_int_equal(value_params_check(&p, &field, &err), KITH_EINVAL);
    assert_string_equal(field, "sections");
    assert_non_null(strstr(err.msg, "'weather' is not a section"));
}

/*
 * Four accounts, created (imported) on 2024-10-27, after their orders; 1 and 2 ordered twice, 3
 * once, 4 never; orders in 2024. Account 2 has an external id.
 */
static void small_database(const char *path)
{
    struct kith_error err = {0};
    struct store *s;
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    store_close(s);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    const char *sql =
        "INSERT INTO accounts (id, created_at, name, industry, external_id) VALUES"
        " (1, 1730000000000, 'a', 'Music', NULL), (2, 1730000000000, 'b', 'Books', 'B-2'),"
        " (3, 1730000000000, 'c', 'Music', NULL), (4, 1730000000000, 'd', NULL, NULL);"
        "INSERT INTO orders (created_at, account_id, ordered_at, amount, margin) VALUES"
        " (0, 1, 1704067200000, 10000, 3000), (0, 1, 1711929600000, 5000, 1500),"
        " (0, 2, 1706745600000, 20000, 6000), (0, 2, 1717200000000, 8000, 2400),"
        " (0, 3, 1709251200000, 7000, 2100);";
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

static void runs_over_its_scope(void **state)
{
    (void)state;
    char path[512];
    test_tmp_path(path, sizeof(path), "value.db");
    small_database(path);
    struct store *s;
    struct kith_error err = {0};
    assert_int_equal(store_open(path, STORE_READONLY, &s, &err), 0);
    struct value_params p;
    param_defaults(&analysis_value, &p);
    struct value_report x;

    const struct value_scope everyone = {.store = s};
    assert_int_equal(value_run(VALUE_RFM, &p, &everyone, &x, &err), 0);
    assert_int_equal(x.r.n, 3);
    assert_int_equal(x.m, 3);
    assert_false(x.scoped);
    json_t *j = value_report_json(&x);
    assert_int_equal(json_integer_value(json_object_get(j, "customers_total")), 3);
    json_decref(j);
    value_report_release(&x);

    const int64_t two[] = {1, 3};
    const struct value_scope some = {.store = s, .accounts = two, .naccounts = 2};
    assert_int_equal(value_run(VALUE_RFM, &p, &some, &x, &err), 0);
    assert_int_equal(x.r.n, 2);
    assert_true(x.scoped);
    assert_int_equal(x.r.c[0].account_id, 1);
    assert_int_equal(x.r.c[1].account_id, 3);
    value_report_release(&x);

    /* account 2 is a customer, but not in this scope: as if it did not exist */
    const struct param_spec *acc = param_find(&analysis_value, 1 << VALUE_RFM, "account", false);
    assert_int_equal(param_set(&analysis_value, acc, &p, "2", "account", &err), 0);
    assert_int_equal(value_run(VALUE_RFM, &p, &some, &x, &err), KITH_ENOTFOUND);
    assert_int_equal(x.failure, VALUE_FAILED_NO_ACCOUNT);
    assert_string_equal(err.msg, "no such account: 2 (or not one you may see)");
    assert_int_equal(value_run(VALUE_RFM, &p, &everyone, &x, &err), 0);
    assert_true(x.has_account);
    assert_int_equal(x.r.c[x.account].account_id, 2);
    /* the row names the account; the values are margin (the orders carry margins) */
    j = value_report_json(&x);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "b");
    assert_string_equal(json_string_value(json_object_get(j, "external_id")), "B-2");
    assert_string_equal(json_string_value(json_object_get(j, "value_kind")), "margin");
    json_decref(j);
    value_report_release(&x);

    /* an id that names no account, and an account without orders: two different answers */
    param_defaults(&analysis_value, &p);
    assert_int_equal(param_set(&analysis_value, acc, &p, "99", "account", &err), 0);
    assert_int_equal(value_run(VALUE_RFM, &p, &everyone, &x, &err), KITH_ENOTFOUND);
    assert_int_equal(x.failure, VALUE_FAILED_NO_ACCOUNT);
    assert_string_equal(err.msg, "no such account: 99");
    value_report_release(&x);
    param_defaults(&analysis_value, &p);
    assert_int_equal(param_set(&analysis_value, acc, &p, "4", "account", &err), 0);
    assert_int_equal(value_run(VALUE_RFM, &p, &everyone, &x, &err), KITH_ENOTFOUND);
    assert_int_equal(x.failure, VALUE_FAILED_NOT_CUSTOMER);
    assert_non_null(strstr(err.msg, "account 4 is not a customer"));
    value_report_release(&x);

    /*
     * Acquisition counts an account on the earlier of created_at and its first order: imported
     * accounts (created after their orders) are acquired when they first ordered, and the
     * conversion is known. Account 4, a prospect created after the as-of day, does not count.
     */
    param_defaults(&analysis_value, &p);
    if (value_run(VALUE_DRIVERS, &p, &everyone, &x, &err) < 0)
        fail_msg("%s", err.msg);
    size_t accounts = 0, customers = 0;
    for (size_t k = 0; k < x.acq.nsources; k++) {
        accounts += x.acq.sources[k].accounts;
        customers += x.acq.sources[k].customers;
    }
    assert_int_equal(accounts, 3);
    assert_int_equal(customers, 3);
    j = value_report_json(&x);
    json_t *src =
        json_array_get(json_object_get(json_object_get(j, "acquisition"), "by_source"), 0);
    assert_true(json_real_value(json_object_get(src, "conversion")) == 1.0);
    json_decref(j);
    value_report_release(&x);

    const int64_t none[] = {0};
    const struct value_scope nobody = {.store = s, .accounts = none, .naccounts = 0};
    param_defaults(&analysis_value, &p);
    assert_int_equal(value_run(VALUE_DIST, &p, &nobody, &x, &err), KITH_ENOTFOUND);
    assert_int_equal(x.failure, VALUE_FAILED_NO_CUSTOMERS);
    assert_non_null(strstr(err.msg, "no customers to analyse"));
    assert_non_null(strstr(err.msg, "accounts you may read"));
    value_report_release(&x); /* safe after a failure */

    store_close(s);
    test_rm_db(path);
}

/*
 * Four accounts with one order each, but account 1 ordered twice on its day (one purchase, as
 * the models count): no repeat purchases, so the models cannot be fitted.
 */
static void one_order_each(const char *path)
{
    struct kith_error err = {0};
    struct store *s;
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    store_close(s);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    const char *sql =
        "INSERT INTO accounts (id, created_at, name, industry) VALUES"
        " (1, 0, 'a', 'Music'), (2, 0, 'b', 'Books'), (3, 0, 'c', 'Music'), (4, 0, 'd', 'Books');"
        "INSERT INTO orders (created_at, account_id, ordered_at, amount, margin) VALUES"
        " (0, 1, 1704067200000, 10000, 3000), (0, 1, 1704070800000, 1000, 300),"
        " (0, 2, 1706745600000, 20000, 6000), (0, 3, 1709251200000, 7000, 2100),"
        " (0, 4, 1717200000000, 8000, 2400);";
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

/* Without repeat purchases the analyses that want predictions degrade, with the reason. */
static void degrades_without_a_model(void **state)
{
    (void)state;
    char path[512];
    test_tmp_path(path, sizeof(path), "value-one-order.db");
    one_order_each(path);
    struct store *s;
    struct kith_error err = {0};
    assert_int_equal(store_open(path, STORE_READONLY, &s, &err), 0);
    struct value_params p;
    param_defaults(&analysis_value, &p);
    struct value_report x;
    const struct value_scope everyone = {.store = s};

    /* clv: every customer has the proxy from its own history */
    assert_int_equal(value_run(VALUE_CLV, &p, &everyone, &x, &err), 0);
    assert_true(x.no_model);
    assert_false(x.r.model.fitted);
    assert_int_equal(x.r.model.nrepeat, 0);
    assert_non_null(strstr(x.model_reason, "repeat purchases"));
    assert_int_equal(x.r.n, 4);
    assert_int_equal(x.proxies, 4);
    for (size_t i = 0; i < x.r.n; i++) {
        const struct value_customer *c = &x.r.c[i];
        assert_int_equal(c->basis, VALUE_BASIS_HISTORY);
        assert_int_equal(c->proxy_reason, VALUE_PROXY_NO_MODEL);
        /* net value to date over at least a year, as a yearly rate, over 36 discounted months */
        double age = (double)(x.r.as_of_day - c->first_day + 1), years = 0, f = 1;
        for (int k = 1; k <= 36; k++)
            years += (f /= pow(1.10, 1.0 / 12)) / 12;
        const double want = c->to_date / (age > 365 ? age : 365) * 365.25 * years;
        assert_true(fabs(c->predicted - want) <= 1e-9 * want);
        assert_true(fabs(c->lifetime - (c->to_date + want)) <= 1e-9 * c->lifetime);
        assert_true(isnan(c->p_alive) && isnan(c->expected_orders));
    }
    assert_int_equal(x.r.c[x.ix[0]].account_id, 2); /* by lifetime: 60.00 to date first */
    assert_int_equal(x.r.c[0].orders, 2);           /* account 1: two orders, one day */
    assert_true(x.r.c[0].to_date == 33);
    json_t *j = value_report_json(&x);
    json_t *w = json_array_get(json_object_get(j, "warnings"), 0);
    assert_string_equal(json_string_value(json_object_get(w, "code")), "model_not_fitted");
    assert_non_null(strstr(json_string_value(json_object_get(w, "message")), "value to date"));
    json_t *m = json_object_get(j, "model");
    assert_true(json_is_false(json_object_get(m, "fitted")));
    assert_string_equal(json_string_value(json_object_get(m, "reason")), x.model_reason);
    assert_true(json_is_null(json_object_get(json_object_get(m, "bgnbd"), "r")));
    json_decref(j);
    value_report_release(&x);

    /* the same over a scope: the company's models cannot be fitted either */
    const int64_t two[] = {1, 3};
    const struct value_scope some = {.store = s, .accounts = two, .naccounts = 2};
    assert_int_equal(value_run(VALUE_REAP, &p, &some, &x, &err), 0);
    assert_true(x.no_model);
    assert_int_equal(x.r.model.ncustomers, 4);
    assert_int_equal(x.r.n, 2);
    value_report_release(&x);

    /* the analyses that want predictions answer; dist and drivers by default measure */
    const enum value_analysis all[] = {VALUE_DIST, VALUE_DRIVERS, VALUE_REAP, VALUE_REFERRALS};
    for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
        assert_int_equal(value_run(all[k], &p, &everyone, &x, &err), 0);
        assert_true(x.no_model);
        value_report_release(&x);
    }
    /* a measure without a model does not try one, so there is nothing to warn about */
    p.measure = VALUE_TO_DATE;
    assert_int_equal(value_run(VALUE_DIST, &p, &everyone, &x, &err), 0);
    assert_false(x.no_model);
    j = value_report_json(&x);
    assert_null(json_object_get(j, "warnings"));
    json_decref(j);
    value_report_release(&x);
    assert_int_equal(value_run(VALUE_RFM, &p, &everyone, &x, &err), 0);
    assert_false(x.no_model);
    value_report_release(&x);

    /* fit has nothing but the parameters to show: it still fails, with the reason */
    assert_int_equal(value_run(VALUE_FIT, &p, &everyone, &x, &err), KITH_ENOCONV);
    assert_int_equal(x.failure, VALUE_FAILED_NOT_CONVERGED);
    assert_non_null(strstr(err.msg, "repeat purchases"));

    store_close(s);
    test_rm_db(path);
}

/* Orders without margins: the values are revenue, and the answer says so; --margin makes them
 * margin. */
static void says_revenue_without_margins(void **state)
{
    (void)state;
    char path[512];
    test_tmp_path(path, sizeof(path), "value-revenue.db");
    struct kith_error err = {0};
    struct store *s;
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    store_close(s);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    const char *sql = "INSERT INTO accounts (id, created_at, name) VALUES (1, 0, 'a'), (2, 0, 'b');"
                      "INSERT INTO orders (created_at, account_id, ordered_at, amount) VALUES"
                      " (0, 1, 1704067200000, 10000), (0, 1, 1711929600000, 5000),"
                      " (0, 2, 1706745600000, 20000);";
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(store_open(path, STORE_READONLY, &s, &err), 0);
    struct value_params p;
    param_defaults(&analysis_value, &p);
    struct value_report x;
    const struct value_scope everyone = {.store = s};
    assert_int_equal(value_run(VALUE_RFM, &p, &everyone, &x, &err), 0);
    assert_string_equal(value_report_kind(&x), "revenue");
    json_t *j = value_report_json(&x);
    assert_string_equal(json_string_value(json_object_get(j, "value_kind")), "revenue");
    json_decref(j);
    value_report_release(&x);
    /* rfm takes no --margin; dist does */
    const struct param_spec *m = param_find(&analysis_value, 1 << VALUE_DIST, "margin", false);
    assert_non_null(m);
    assert_int_equal(param_set(&analysis_value, m, &p, "0.3", "margin", &err), 0);
    assert_int_equal(value_run(VALUE_DIST, &p, &everyone, &x, &err), 0);
    assert_string_equal(value_report_kind(&x), "margin");
    value_report_release(&x);
    store_close(s);
    test_rm_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(choices_are_the_engine_names),
        cmocka_unit_test(defaults_are_the_engine_defaults),
        cmocka_unit_test(each_analysis_has_its_bit_and_route),
        cmocka_unit_test(sections_are_checked),
        cmocka_unit_test(runs_over_its_scope),
        cmocka_unit_test(degrades_without_a_model),
        cmocka_unit_test(says_revenue_without_margins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
