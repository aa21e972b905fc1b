/*
 * Tests for src/analysis/deals.c and deals_report.c: the table's routes and bits, a run over a
 * small database by product (a deal in two products, a deal without lines in "none"), the
 * total over deals, a scope of some deals and of none, and a window whose end is not after its
 * start; by manager over a three-level chain, by period, quota attainment rolled up, and the
 * parameters only a combination can refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>
#include <sqlite3.h>

#include "analysis/deals.h"
#include "support/testutil.h"

static void table_names_routes_and_bits(void **state)
{
    (void)state;
    assert_int_equal(analysis_deals.ndefs, DEALS_NANALYSES);
    for (int a = 0; a < DEALS_NANALYSES; a++) {
        const struct analysis_def *d = deals_def((enum deals_analysis)a);
        char route[64];
        snprintf(route, sizeof(route), "/api/v1/deal-stats/%s", d->name);
        assert_int_equal(d->group, (uint64_t)1 << a);
        assert_string_equal(d->route, route);
        assert_ptr_equal(analysis_find(&analysis_deals, d->name), d);
    }
}

/*
 * Deal 1 won (Jan 2024) in products A 300 and B 700; deal 2 lost, no lines, 500; deal 3 open in
 * Proposal (0.5) with A 1000; deal 4 open in Closing with its own probability 0.2, no lines, 400.
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
        "INSERT INTO accounts (id, created_at, name) VALUES (1, 0, 'a');"
        "INSERT INTO products (id, created_at, sku, name) VALUES (1, 0, 'A', 'Alpha'),"
        " (2, 0, 'B', 'Beta');"
        "INSERT INTO deals (id, created_at, account_id, stage_id, amount, closed_at, probability)"
        " VALUES (1, 0, 1, (SELECT id FROM deal_stages WHERE name = 'Won'), 100000, 1704067200000,"
        " NULL),"
        " (2, 0, 1, (SELECT id FROM deal_stages WHERE name = 'Lost'), 50000, 1706745600000, NULL),"
        " (3, 0, 1, (SELECT id FROM deal_stages WHERE name = 'Proposal'), 100000, NULL, NULL),"
        " (4, 0, 1, (SELECT id FROM deal_stages WHERE name = 'Closing'), 40000, NULL, 0.2);"
        "INSERT INTO deal_lines (created_at, deal_id, product_id, quantity, amount) VALUES"
        " (0, 1, 1, 1, 30000), (0, 1, 2, 1, 70000), (0, 3, 1, 2, 100000);";
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

static struct store *open_small(void)
{
    char path[512];
    test_tmp_path(path, sizeof(path), "deals.db");
    small_database(path);
    struct store *s;
    struct kith_error err = {0};
    assert_int_equal(store_open(path, STORE_READONLY, &s, &err), 0);
    return s;
}

static void by_product_counts_each_line(void **state)
{
    (void)state;
    struct store *s = open_small();
    struct deals_params p;
    param_defaults(&analysis_deals, &p);
    p.by = DEALS_BY_PRODUCT;
    struct deals_report r;
    struct kith_error err = {0};
    const char *param;
    const struct deals_scope all = {.store = s};

    assert_int_equal(deals_run(DEALS_WINRATE, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.ngroups, 3); /* Alpha, Beta, none (deal 2) */
    assert_string_equal(r.groups[0].key.name, "Alpha");
    assert_int_equal(r.groups[0].w.won, 1);
    assert_int_equal(r.groups[0].w.won_amount, 30000);
    assert_string_equal(r.groups[1].key.name, "Beta");
    assert_int_equal(r.groups[1].w.won_amount, 70000);
    assert_null(r.groups[2].key.name);
    assert_int_equal(r.groups[2].w.lost, 1);
    assert_int_equal(r.total.w.won, 1); /* the deals, once each */
    assert_int_equal(r.total.w.lost, 1);
    assert_int_equal(r.total.w.won_amount, 100000);
    assert_true(fabs(r.total.w.rate - 0.5) < 1e-12);
    deals_report_release(&r);

    assert_int_equal(deals_run(DEALS_PIPELINE, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.ngroups, 2); /* Alpha (deal 3), none (deal 4) */
    assert_int_equal(r.groups[0].p.count, 1);
    assert_int_equal(r.groups[0].p.amount, 100000);
    assert_true(fabs(r.groups[0].p.weighted - 50000) < 1e-6);
    assert_true(fabs(r.groups[1].p.weighted - 8000) < 1e-6); /* the deal's own 0.2 */
    assert_int_equal(r.total.p.count, 2);
    json_t *j = deals_report_json(&r);
    assert_non_null(j);
    json_t *total = json_object_get(j, "total");
    assert_string_equal(json_string_value(json_object_get(total, "weighted_amount")), "580.00");
    assert_int_equal(json_array_size(json_object_get(total, "stages")), 2);
    json_decref(j);
    deals_report_release(&r);
    store_close(s);
}

static void scope_and_window(void **state)
{
    (void)state;
    struct store *s = open_small();
    struct deals_params p;
    param_defaults(&analysis_deals, &p);
    struct deals_report r;
    struct kith_error err = {0};
    const char *param;

    const struct deals_scope none = {.store = s, .scoped = true}; /* no deal, not every deal */
    assert_int_equal(deals_run(DEALS_PIPELINE, &p, &none, &r, &err, &param), 0);
    assert_int_equal(r.ngroups, 0);
    assert_int_equal(r.total.p.count, 0);
    deals_report_release(&r);

    const int64_t some[] = {2, 3};
    const struct deals_scope two = {.store = s, .scoped = true, .deals = some, .ndeals = 2};
    assert_int_equal(deals_run(DEALS_WINRATE, &p, &two, &r, &err, &param), 0);
    assert_int_equal(r.total.w.won, 0);
    assert_int_equal(r.total.w.lost, 1);
    deals_report_release(&r);

    const struct deals_scope all = {.store = s};
    const struct param_spec *from = param_find(&analysis_deals, 1u << DEALS_WINRATE, "from", false);
    const struct param_spec *to = param_find(&analysis_deals, 1u << DEALS_WINRATE, "to", false);
    assert_int_equal(param_set(&analysis_deals, from, &p, "2024-01-15", "from", &err), 0);
    assert_int_equal(deals_run(DEALS_WINRATE, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.total.w.won, 0); /* won on Jan 1 is before the window */
    assert_int_equal(r.total.w.lost, 1);
    deals_report_release(&r);
    assert_int_equal(param_set(&analysis_deals, to, &p, "2024-01-15", "to", &err), 0);
    assert_int_equal(deals_run(DEALS_WINRATE, &p, &all, &r, &err, &param), KITH_EINVAL);
    assert_string_equal(param, "to");
    store_close(s);
}

/* Users 1 <- 2 <- 3 (3 reports to 2, 2 to 1); deal 1 won by 3 (Jan 2024), deal 2 lost by 2
 * (Feb 2024), deal 3 won by 1 (Feb 2024); a quota of 3 and one of 2 for Q1 2024. */
static struct store *open_org(void)
{
    char path[512];
    test_tmp_path(path, sizeof(path), "deals-org.db");
    struct kith_error err = {0};
    struct store *s;
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    store_close(s);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    const char *sql =
        "INSERT INTO users (id, created_at, email, name, role, manager_id) VALUES"
        " (1, 0, 'a@x.io', 'Ann', 'manager', NULL), (2, 0, 'b@x.io', 'Bob', 'manager', 1),"
        " (3, 0, 'c@x.io', 'Cy', 'frontline', 2);"
        "INSERT INTO accounts (id, created_at, name) VALUES (1, 0, 'a');"
        "INSERT INTO deals (id, created_at, account_id, owner_id, stage_id, amount, closed_at)"
        " VALUES (1, 0, 1, 3, (SELECT id FROM deal_stages WHERE name = 'Won'), 1000, "
        "1704153600000),"
        " (2, 0, 1, 2, (SELECT id FROM deal_stages WHERE name = 'Lost'), 500, 1706832000000),"
        " (3, 0, 1, 1, (SELECT id FROM deal_stages WHERE name = 'Won'), 200, 1706832000000);"
        "INSERT INTO quotas (created_at, user_id, period_start, period_end, amount) VALUES"
        " (0, 3, 1704067200000, 1711929600000, 4000), (0, 2, 1704067200000, 1711929600000, 1000);";
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(store_open(path, STORE_READONLY, &s, &err), 0);
    return s;
}

static void manager_period_and_quota(void **state)
{
    (void)state;
    struct store *s = open_org();
    struct deals_params p;
    param_defaults(&analysis_deals, &p);
    struct deals_report r;
    struct kith_error err = {0};
    const char *param;
    const struct deals_scope all = {.store = s};

    p.by = DEALS_BY_MANAGER;
    assert_int_equal(deals_run(DEALS_WINRATE, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.ngroups, 2); /* Ann (all three deals), Bob (his and Cy's) */
    assert_string_equal(r.groups[0].key.name, "Ann");
    assert_int_equal(r.groups[0].w.won, 2);
    assert_int_equal(r.groups[0].w.lost, 1);
    assert_int_equal(r.groups[0].w.won_amount, 1200);
    assert_string_equal(r.groups[1].key.name, "Bob");
    assert_int_equal(r.groups[1].w.won_amount, 1000);
    assert_int_equal(r.org.ncycles, 0);
    deals_report_release(&r);

    assert_int_equal(deals_run(DEALS_QUOTA, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.nquota_rows, 2);
    assert_string_equal(r.quota_rows[0].key.name, "Ann"); /* Bob's and Cy's quotas */
    assert_int_equal(r.quota_rows[0].quota, 5000);
    assert_int_equal(r.quota_rows[0].won_amount, 1000); /* Ann's own deal is no quota's */
    assert_true(fabs(r.quota_rows[0].attainment - 0.2) < 1e-12);
    assert_int_equal(r.quota_rows[1].users, 2);
    assert_int_equal(r.quota_total.quota, 5000);
    deals_report_release(&r);

    p.by = DEALS_BY_OWNER;
    assert_int_equal(deals_run(DEALS_QUOTA, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.nquota_rows, 2);
    assert_string_equal(r.quota_rows[1].key.name, "Cy");
    assert_true(fabs(r.quota_rows[1].attainment - 0.25) < 1e-12);
    assert_int_equal(r.quota_rows[0].won, 0); /* Bob lost his */
    deals_report_release(&r);

    p.by = DEALS_BY_PERIOD;
    p.period = DEALS_MONTH;
    assert_int_equal(deals_run(DEALS_WINRATE, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.ngroups, 2);
    assert_string_equal(r.groups[0].key.name, "2024-01");
    assert_int_equal(r.groups[0].period_from, 1704067200000);
    assert_int_equal(r.groups[0].period_to, 1706745600000);
    assert_string_equal(r.groups[1].key.name, "2024-02");
    assert_int_equal(r.groups[1].w.won, 1);
    assert_int_equal(r.groups[1].w.lost, 1);
    deals_report_release(&r);
    store_close(s);
}

static void combinations_are_refused_by_name(void **state)
{
    (void)state;
    struct store *s = open_org();
    struct deals_params p;
    param_defaults(&analysis_deals, &p);
    struct deals_report r;
    struct kith_error err = {0};
    const char *param;
    const struct deals_scope all = {.store = s};
    p.by = DEALS_BY_TEAM;
    assert_int_equal(deals_run(DEALS_QUOTA, &p, &all, &r, &err, &param), KITH_EINVAL);
    assert_string_equal(param, "by");
    p.by = DEALS_BY_PERIOD;
    assert_int_equal(deals_run(DEALS_PIPELINE, &p, &all, &r, &err, &param), KITH_EINVAL);
    assert_string_equal(param, "by");
    p.by = DEALS_BY_OWNER;
    p.quarter = "2026Q0";
    assert_int_equal(deals_run(DEALS_FORECAST, &p, &all, &r, &err, &param), KITH_EINVAL);
    assert_string_equal(param, "quarter");
    p.quarter = "2026-q2";
    assert_int_equal(deals_run(DEALS_FORECAST, &p, &all, &r, &err, &param), 0);
    assert_string_equal(r.quarter_name, "2026Q2");
    assert_int_equal(r.quarter.from, 1775001600000); /* 2026-04-01 */
    deals_report_release(&r);
    p.quarter = NULL;
    const struct deals_scope now = {.store = s, .now = 1790000000000}; /* 2026-09-21 */
    assert_int_equal(deals_run(DEALS_FORECAST, &p, &now, &r, &err, &param), 0);
    assert_string_equal(r.quarter_name, "2026Q3");
    deals_report_release(&r);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_names_routes_and_bits),
        cmocka_unit_test(by_product_counts_each_line),
        cmocka_unit_test(scope_and_window),
        cmocka_unit_test(manager_period_and_quota),
        cmocka_unit_test(combinations_are_refused_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
