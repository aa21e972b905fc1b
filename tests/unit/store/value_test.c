/*
 * Tests for src/store/value.c: the customer value loaders on a small database written in SQL -
 * labels and their codes, orders with and without margin, lines with product indexes, cost to
 * serve (type cost when none is recorded, voided and voiding interactions left out, the two
 * windows), referrals between accounts, the account filter and the as-of default; returns and
 * credits (migration 8's rules through store_insert, their kinds, sales' lines only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store_int.h"
#include "support/testutil.h"

#define D(day) ((int64_t)(day)*CV_DAY_MS + 1000)

static void exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

static struct store *fixture(char *path, size_t size)
{
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(path, size, "value.db");
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    sqlite3 *db = store_db(s);
    char sql[4096];
    exec_sql(db, "INSERT INTO units (id, created_at, name, kind) VALUES"
                 " (1, 0, 'U1', 'manufacturer'), (2, 0, 'Alpha', 'partner');"
                 "INSERT INTO accounts (id, created_at, name, industry, revenue_band, source,"
                 " unit_id) VALUES"
                 " (1, 5, 'Acme', 'Metals', 'big', 'Web', 2),"
                 " (2, 6, 'Beta', 'Mining', NULL, '', NULL),"
                 " (3, 7, 'Gamma', 'Metals', 'small', 'Partner', 1);"
                 "INSERT INTO contacts (id, created_at, account_id, last_name) VALUES"
                 " (1, 0, 1, 'a'), (2, 0, 1, 'b'), (3, 0, 2, 'c'), (4, 0, NULL, 'd'),"
                 " (5, 0, 3, 'e');"
                 "INSERT INTO interaction_types (id, created_at, code, name, phase, level,"
                 " channel, touch, tech, rv, cost) VALUES"
                 " (1, 0, 'call', 'Call', 'retention', 1, 'phone', 1, 0, 1, 1000),"
                 " (2, 0, 'visit', 'Visit', 'retention', 1, 'visit', 1, 0, 3, 5000);"
                 "INSERT INTO products (id, created_at, sku, name, category, price) VALUES"
                 " (1, 0, 'P1', 'One', 'Drives', 1000), (2, 0, 'P2', 'Two', NULL, 50);");
    snprintf(sql, sizeof sql,
             "INSERT INTO interactions (id, created_at, contact_id, type_id, occurred_at, cost,"
             " voids_id) VALUES"
             " (1, 0, 1, 1, %lld, NULL, NULL)," /* type cost 1000 */
             " (2, 0, 2, 2, %lld, 7000, NULL)," /* current */
             " (3, 0, 1, 2, %lld, 5000, NULL)," /* voided by 4 */
             " (4, 0, 1, 2, %lld, -5000, 3),"   /* the void */
             " (5, 0, 3, 1, %lld, 1000, NULL)," /* after the as-of day */
             " (6, 0, 4, 1, %lld, 1000, NULL)," /* a contact without account */
             " (7, 0, 5, 1, %lld, 300, NULL);",
             (long long)D(10), (long long)D(95), (long long)D(50), (long long)D(60),
             (long long)D(200), (long long)D(20), (long long)D(99));
    exec_sql(db, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO orders (id, created_at, account_id, ordered_at, amount, margin,"
             " currency) VALUES"
             " (1, 0, 1, %lld, 10000, 3000, 'USD'), (2, 0, 1, %lld, 5000, NULL, 'EUR'),"
             " (3, 0, 3, %lld, 700, 100, 'USD'), (4, 0, 2, %lld, 100, 10, NULL);"
             "INSERT INTO order_lines (id, created_at, order_id, product_id, quantity, amount)"
             " VALUES (1, 0, 1, 1, 1, 5000), (2, 0, 1, 2, 1, 5000), (3, 0, 3, 1, 1, 700);"
             "INSERT INTO events (id, created_at, kind, contact_id, account_id, occurred_at,"
             " related_contact_id) VALUES"
             " (1, 0, 'referral', 1, NULL, %lld, 5)," /* account 1 refers account 3 */
             " (2, 0, 'referral', NULL, 2, %lld, 1)," /* account 2 refers account 1 */
             " (3, 0, 'referral', 1, NULL, %lld, 4)," /* the referred has no account */
             " (4, 0, 'repeat', 1, NULL, %lld, 5);",
             (long long)D(20), (long long)D(40), (long long)D(30), (long long)D(100),
             (long long)D(5), (long long)D(6), (long long)D(7), (long long)D(8));
    exec_sql(db, sql);
    return s;
}

static void loads_everything(void **state)
{
    (void)state;
    char path[512];
    struct store *s = fixture(path, sizeof path);
    struct kith_error err = {0};
    struct cv_data d;
    struct store_cv_request req = {.parts = STORE_CV_ALL, .as_of_day = 100, .current_days = 30};
    assert_int_equal(store_cv_load(s, &req, &d, &err), 0);
    assert_int_equal(d.as_of_day, 100);
    assert_int_equal(d.naccounts, 3);
    assert_int_equal(d.industries.n, 2);
    assert_string_equal(d.industries.names[0], "Metals");
    assert_int_equal(d.sources.n, 2); /* '' is no source */
    assert_string_equal(d.units.names[0], "Alpha");
    assert_string_equal(cv_label(&d.units, d.accounts[0].unit), "Alpha");
    assert_string_equal(cv_label(&d.units, d.accounts[2].unit), "U1");
    assert_int_equal(d.accounts[1].revenue_band, CV_NONE);
    assert_int_equal(d.accounts[1].source, CV_NONE);
    assert_string_equal(cv_label(&d.revenue_bands, d.accounts[2].revenue_band), "small");
    assert_int_equal(cv_account_index(&d, 3), 2);
    assert_int_equal(cv_account_index(&d, 4), CV_NO_INDEX);

    assert_int_equal(d.norders, 4);
    assert_int_equal(d.orders[0].account_id, 1);
    assert_true(d.orders[0].has_margin);
    assert_false(d.orders[1].has_margin);
    assert_int_equal(d.orders[2].account_id, 2);
    assert_int_equal(d.ncurrencies, 2);

    assert_int_equal(d.nproducts, 2);
    assert_int_equal(d.categories.n, 1);
    assert_int_equal(d.products[1].category, CV_NONE);
    assert_string_equal(d.products[0].sku, "P1");
    assert_int_equal(d.nlines, 3);
    assert_int_equal(d.lines[1].product, 1);
    assert_int_equal(d.lines[2].account_id, 3);
    assert_int_equal(d.lines[2].at, D(30));

    /* account 1: 1000 (type cost) + 7000; the void pair and later rows left out */
    assert_int_equal(d.ncosts, 2);
    assert_int_equal(d.costs[0].account_id, 1);
    assert_int_equal(d.costs[0].to_date, 8000);
    assert_int_equal(d.costs[0].current, 7000); /* days 71..100 */
    assert_int_equal(d.costs[1].account_id, 3);
    assert_int_equal(d.costs[1].to_date, 300);
    assert_int_equal(d.costs[1].current, 300);

    assert_int_equal(d.nreferrals, 2);
    assert_int_equal(d.referrals[0].referrer, 1);
    assert_int_equal(d.referrals[0].referred, 3);
    assert_int_equal(d.referrals[1].referrer, 2);
    assert_int_equal(d.referrals[1].referred, 1);
    cv_data_release(&d);
    cv_data_release(&d);

    /* the latest order's day by default */
    req.as_of_day = STORE_CV_AS_OF_LATEST;
    req.parts = STORE_CV_ORDERS;
    assert_int_equal(store_cv_load(s, &req, &d, &err), 0);
    assert_int_equal(d.as_of_day, 100);
    assert_null(d.accounts);
    cv_data_release(&d);
    store_close(s);
    test_rm_db(path);
}

static void account_filter(void **state)
{
    (void)state;
    char path[512];
    struct store *s = fixture(path, sizeof path);
    struct kith_error err = {0};
    struct cv_data d;
    const int64_t visible[] = {1, 3};
    struct store_cv_request req = {.parts = STORE_CV_ALL,
                                   .accounts = visible,
                                   .naccounts = 2,
                                   .as_of_day = 100,
                                   .current_days = 30};
    assert_int_equal(store_cv_load(s, &req, &d, &err), 0);
    assert_int_equal(d.naccounts, 2);
    assert_int_equal(d.industries.n, 1); /* Mining belongs to the hidden account */
    assert_string_equal(cv_label(&d.industries, d.accounts[1].industry), "Metals");
    assert_int_equal(d.units.n, 2);
    assert_string_equal(cv_label(&d.units, d.accounts[0].unit), "Alpha");
    assert_int_equal(d.norders, 3);
    for (size_t i = 0; i < d.norders; i++)
        assert_true(d.orders[i].account_id != 2);
    assert_int_equal(d.ncosts, 2);
    assert_int_equal(d.nreferrals, 1); /* account 2's referral is not visible */
    assert_int_equal(d.referrals[0].referrer, 1);
    cv_data_release(&d);

    const int64_t unsorted[] = {3, 1};
    req.accounts = unsorted;
    assert_int_equal(store_cv_load(s, &req, &d, &err), KITH_EINVAL);
    req.accounts = visible;
    req.current_days = 0;
    assert_int_equal(store_cv_load(s, &req, &d, &err), KITH_EINVAL);
    store_close(s);
    test_rm_db(path);
}

static void empty_database(void **state)
{
    (void)state;
    char path[512];
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(path, sizeof path, "empty.db");
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    int64_t at;
    bool found = true;
    assert_int_equal(store_cv_latest_order(s, &at, &found, &err), 0);
    assert_false(found);
    struct cv_data d;
    struct store_cv_request req = {
        .parts = STORE_CV_ALL, .as_of_day = STORE_CV_AS_OF_LATEST, .current_days = 365};
    assert_int_equal(store_cv_load(s, &req, &d, &err), 0);
    assert_int_equal(d.naccounts + d.norders + d.nlines + d.ncosts + d.nreferrals, 0);
    cv_data_release(&d);
    store_close(s);
    test_rm_db(path);
}

static size_t table_index(const struct table_def *t, const char *name)
{
    size_t i = 0;
    assert_non_null(table_field(t, name, &i));
    return i;
}

/* An order through the store's door (every door's rules): kind NULL or text, reverses 0: none. */
static int put_order(struct store *s, int64_t id, int64_t account, int64_t amount, const char *kind,
                     int64_t reverses, struct kith_error *err)
{
    const struct table_def *t = model_table("orders");
    struct store_value v[32] = {{0}};
    assert_true(t->nfields <= 32);
    v[table_index(t, "id")] = (struct store_value){.kind = SV_INT, .i = id};
    v[table_index(t, "account_id")] = (struct store_value){.kind = SV_INT, .i = account};
    v[table_index(t, "ordered_at")] = (struct store_value){.kind = SV_INT, .i = D(10 + id)};
    v[table_index(t, "amount")] = (struct store_value){.kind = SV_INT, .i = amount};
    if (kind)
        v[table_index(t, "kind")] =
            (struct store_value){.kind = SV_TEXT, .s = kind, .len = strlen(kind)};
    if (reverses)
        v[table_index(t, "reverses_id")] = (struct store_value){.kind = SV_INT, .i = reverses};
    return store_insert(s, t, v, NULL, err);
}

static void expect_refusal(int rc, const struct kith_error *err, const char *msg)
{
    assert_int_equal(rc, KITH_EINVAL);
    if (!strstr(err->msg, msg))
        fail_msg("message \"%s\" lacks \"%s\"", err->msg, msg);
}

/* Returns and credits: the kind's default, the sign and reversal rules, what the loader reads. */
static void returns_and_their_rules(void **state)
{
    (void)state;
    char path[512];
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(path, sizeof path, "returns.db");
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    exec_sql(store_db(s), "INSERT INTO accounts (id, created_at, name) VALUES (1, 0, 'a'),"
                          " (2, 0, 'b');"
                          "INSERT INTO products (id, created_at, sku, name) VALUES"
                          " (1, 0, 'P1', 'One');");
    assert_int_equal(put_order(s, 1, 1, 5000, NULL, 0, &err), 0);     /* a sale by default */
    assert_int_equal(put_order(s, 2, 1, -2000, NULL, 1, &err), 0);    /* negative: a return */
    assert_int_equal(put_order(s, 3, 1, -500, "credit", 0, &err), 0); /* a credit */
    assert_int_equal(put_order(s, 4, 2, 700, "sale", 0, &err), 0);    /* another account's */
    expect_refusal(put_order(s, 5, 1, -100, "sale", 0, &err), &err, "amount: a sale cannot");
    expect_refusal(put_order(s, 5, 1, 100, "return", 0, &err), &err, "amount: a return or");
    expect_refusal(put_order(s, 5, 1, 100, NULL, 1, &err), &err, "reverses_id: only a return");
    expect_refusal(put_order(s, 5, 2, -100, NULL, 1, &err), &err, "another account");
    expect_refusal(put_order(s, 5, 1, -100, NULL, 2, &err), &err, "is not a sale");
    /* a sale that a return reverses stays a sale of its account */
    const struct table_def *t = model_table("orders");
    struct store_value v[32] = {{0}};
    bool set[32] = {false};
    const size_t acc = table_index(t, "account_id");
    v[acc] = (struct store_value){.kind = SV_INT, .i = 2};
    set[acc] = true;
    expect_refusal(store_update(s, t, 1, v, set, &err), &err, "stays a sale");
    exec_sql(store_db(s), "INSERT INTO order_lines (id, created_at, order_id, product_id,"
                          " quantity, amount) VALUES (1, 0, 1, 1, 1, 5000),"
                          " (2, 0, 2, 1, -1, -2000);");

    struct cv_data d;
    struct store_cv_request req = {
        .parts = STORE_CV_ALL, .as_of_day = STORE_CV_AS_OF_LATEST, .current_days = 365};
    assert_int_equal(store_cv_load(s, &req, &d, &err), 0);
    assert_int_equal(d.norders, 4);
    assert_int_equal(d.orders[0].kind, CV_SALE);
    assert_int_equal(d.orders[1].kind, CV_RETURN);
    assert_int_equal(d.orders[2].kind, CV_CREDIT);
    assert_int_equal(d.orders[3].kind, CV_SALE);
    assert_int_equal(d.nlines, 1); /* the return's line is no purchase */
    assert_int_equal(d.lines[0].order_id, 1);
    cv_data_release(&d);
    store_close(s);
    test_rm_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_everything),
        cmocka_unit_test(account_filter),
        cmocka_unit_test(empty_database),
        cmocka_unit_test(returns_and_their_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
