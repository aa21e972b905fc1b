/*
 * Tests for src/store/value_kept.c and migration 23: the version of the value inputs moves with
 * writes to what the figures read (an order, an account, an inserted, updated or deleted
 * interaction, the newest one included) and not with others (a team); kept generations are read
 * back row for row (NaN as NULL), only complete ones are seen, and a new generation replaces the
 * older ones of its key. The deals' counter moves with deals, stages and units, not with orders
 * or interactions.
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
#include <sqlite3.h>

#include "store/store_int.h"
#include "support/testutil.h"

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
    test_tmp_path(path, size, "value_kept.db");
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    exec_sql(store_db(s),
             "INSERT INTO units (id, created_at, name, kind) VALUES (1, 0, 'U1', 'manufacturer');"
             "INSERT INTO accounts (id, created_at, name) VALUES (1, 0, 'Acme'), (2, 0, 'Beta');"
             "INSERT INTO contacts (id, created_at, account_id, last_name) VALUES (1, 0, 1, 'a');"
             "INSERT INTO interaction_types (id, created_at, code, name, phase, level,"
             " channel, touch, tech, rv, cost) VALUES"
             " (1, 0, 'call', 'Call', 'retention', 1, 'phone', 1, 0, 1, 1000);");
    return s;
}

static int64_t version(struct store *s)
{
    struct kith_error err = {0};
    int64_t v = -1;
    assert_int_equal(store_value_version(s, &v, &err), 0);
    return v;
}

static void version_moves_with_the_value_inputs_only(void **state)
{
    (void)state;
    char path[512];
    struct store *s = fixture(path, sizeof(path));
    sqlite3 *db = store_db(s);
    int64_t v = version(s);
    exec_sql(db, "INSERT INTO teams (id, created_at, name, kind, unit_id)"
                 " VALUES (1, 0, 'T', 'virtual_account', 1)");
    assert_int_equal(version(s), v); /* no value input */
    exec_sql(db, "INSERT INTO orders (id, created_at, account_id, ordered_at, amount)"
                 " VALUES (1, 0, 1, 86400000, 1000)");
    assert_true(version(s) > v);
    v = version(s);
    exec_sql(db, "UPDATE accounts SET name = 'Acme Ltd' WHERE id = 1");
    assert_true(version(s) > v);
    v = version(s);
    exec_sql(db, "INSERT INTO interactions (id, created_at, contact_id, type_id, occurred_at)"
                 " VALUES (7, 0, 1, 1, 0), (8, 0, 1, 1, 0)");
    assert_true(version(s) > v);
    v = version(s);
    exec_sql(db, "UPDATE interactions SET cost = 5 WHERE id = 7");
    assert_true(version(s) > v);
    v = version(s);
    exec_sql(db, "DELETE FROM interactions WHERE id = 8"); /* the newest: max(id) falls */
    assert_true(version(s) > v);
    v = version(s);
    exec_sql(db, "DELETE FROM interactions");
    assert_true(version(s) > v);
    store_close(s);
    test_rm_db(path);
}

static int64_t deal_version(struct store *s)
{
    struct kith_error err = {0};
    int64_t v = -1;
    assert_int_equal(store_deal_changes(s, &v, &err), 0);
    return v;
}

static void deal_version_moves_with_the_deals_inputs_only(void **state)
{
    (void)state;
    char path[512];
    struct store *s = fixture(path, sizeof(path));
    sqlite3 *db = store_db(s);
    int64_t v = deal_version(s);
    exec_sql(db, "INSERT INTO interactions (id, created_at, contact_id, type_id, occurred_at)"
                 " VALUES (7, 0, 1, 1, 0);"
                 "INSERT INTO orders (id, created_at, account_id, ordered_at, amount)"
                 " VALUES (1, 0, 1, 86400000, 1000)");
    assert_int_equal(deal_version(s), v); /* not what the kept deals are read from */
    exec_sql(db, "INSERT INTO deal_stages (id, created_at, name, position, probability, kind)"
                 " VALUES (100, 0, 'Kept test stage', 1, 0.5, 'open')");
    assert_true(deal_version(s) > v);
    v = deal_version(s);
    exec_sql(db, "INSERT INTO deals (id, created_at, account_id, stage_id, amount)"
                 " VALUES (1, 0, 1, 100, 500)");
    assert_true(deal_version(s) > v);
    v = deal_version(s);
    exec_sql(db, "UPDATE deals SET amount = 600 WHERE id = 1");
    assert_true(deal_version(s) > v);
    v = deal_version(s);
    exec_sql(db, "UPDATE units SET name = 'U2' WHERE id = 1");
    assert_true(deal_version(s) > v);
    store_close(s);
    test_rm_db(path);
}

/* The rows of the test generations: row i of n. */
static void fill(void *ctx, size_t i, struct store_vk_row *row)
{
    const double base = *(const double *)ctx;
    row->account_id = (int64_t)(10 * i + 1);
    for (int k = 0; k < STORE_VK_NCOLS; k++)
        row->v[k] = k == STORE_VK_P_ALIVE && i % 3 == 0 ? NAN : base + (double)i / 7 + k;
}

struct seen {
    size_t n;
    double base;
    bool ok;
};

static int check_row(void *ctx, const struct store_vk_row *row, struct kith_error *err)
{
    (void)err;
    struct seen *s = ctx;
    struct store_vk_row want;
    fill(&s->base, s->n++, &want);
    s->ok = s->ok && row->account_id == want.account_id;
    for (int k = 0; k < STORE_VK_NCOLS; k++)
        s->ok = s->ok && (isnan(want.v[k]) ? isnan(row->v[k]) : row->v[k] == want.v[k]);
    return 0;
}

static int64_t count(struct store *s, const char *sql)
{
    struct kith_error err = {0};
    int64_t n = -1;
    assert_int_equal(store_query_int64(store_db(s), sql, &n, "count", &err), 0);
    return n;
}

static void generations_round_trip_and_replace(void **state)
{
    (void)state;
    char path[512];
    struct store *s = fixture(path, sizeof(path));
    struct kith_error err = {0};
    struct store_vk_head h;
    bool found = true;
    assert_int_equal(store_vk_latest(s, "k", &h, &found, &err), 0);
    assert_false(found);
    const size_t n = 45000; /* more than one write batch */
    double base = 0.25;
    char blob[] = "head one";
    struct store_vk_head w = {
        .layout = 3, .data_version = 11, .computed_at = 123, .head = blob, .headlen = sizeof(blob)};
    snprintf(w.key, sizeof(w.key), "k");
    assert_int_equal(store_vk_save(s, &w, n, fill, &base, &err), 0);
    /* a half-written generation of the same key is never the newest */
    exec_sql(store_db(s), "INSERT INTO value_kept (key, layout, data_version, computed_at,"
                          " complete, head) VALUES ('k', 3, 99, 9, 0, x'00')");
    assert_int_equal(store_vk_latest(s, "k", &h, &found, &err), 0);
    assert_true(found);
    assert_int_equal(h.gen, w.gen);
    assert_int_equal(h.data_version, 11);
    assert_int_equal(h.computed_at, 123);
    assert_int_equal(h.layout, 3);
    assert_int_equal(h.headlen, sizeof(blob));
    assert_memory_equal(h.head, blob, sizeof(blob));
    free(h.head);
    struct seen seen = {.base = base, .ok = true};
    assert_int_equal(store_vk_rows(s, w.gen, check_row, &seen, &err), 0);
    assert_int_equal(seen.n, n);
    assert_true(seen.ok);
    /* a second generation replaces the first (and the half-written one before it) */
    base = 2.5;
    struct store_vk_head w2 = w;
    w2.data_version = 12;
    assert_int_equal(store_vk_save(s, &w2, 10, fill, &base, &err), 0);
    assert_true(w2.gen > w.gen);
    assert_int_equal(count(s, "SELECT count(*) FROM value_kept"), 1);
    assert_int_equal(count(s, "SELECT count(*) FROM value_kept_customers"), 10);
    assert_int_equal(store_vk_latest(s, "k", &h, &found, &err), 0);
    assert_int_equal(h.gen, w2.gen);
    assert_int_equal(h.data_version, 12);
    free(h.head);
    /* another key is another set of figures */
    assert_int_equal(store_vk_latest(s, "other", &h, &found, &err), 0);
    assert_false(found);
    store_close(s);
    test_rm_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version_moves_with_the_value_inputs_only),
        cmocka_unit_test(generations_round_trip_and_replace),
        cmocka_unit_test(deal_version_moves_with_the_deals_inputs_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
