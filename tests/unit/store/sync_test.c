/*
 * sync_test.c - tests of the server's write path in src/store: the group commit of
 * store_sync() (STORE_GROUP_SYNC connections in several threads), the writer mutex of
 * store_begin/store_commit/store_rollback, and the statement cache (stmt_cache.c) under a nested
 * query of the same SQL.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store_int.h"
#include "support/testutil.h"

#define THREADS 8
#define WRITES  50

static char g_path[512];

static int setup(void **state)
{
    (void)state;
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(g_path, sizeof(g_path), "sync.db");
    assert_int_equal(store_open(g_path, STORE_CREATE, &s, &err), 0);
    assert_int_equal(sqlite3_exec(store_db(s), "CREATE TABLE t (x INTEGER)", NULL, NULL, NULL),
                     SQLITE_OK);
    store_close(s);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rm_db(g_path);
    return 0;
}

static void *writer(void *arg)
{
    intptr_t failures = 0;
    struct kith_error err = {0};
    struct store *s;
    (void)arg;
    if (store_open(g_path, STORE_GROUP_SYNC, &s, &err) < 0)
        return (void *)(intptr_t)WRITES;
    for (int i = 0; i < WRITES; i++) {
        if (store_begin(s, &err) < 0 ||
            sqlite3_exec(store_db(s), "INSERT INTO t VALUES (1)", NULL, NULL, NULL) != SQLITE_OK ||
            store_commit(s, &err) < 0 || store_sync(s, &err) < 0)
            failures++;
        if (i % 10 == 9) { /* a rolled-back transaction gives the writer lock back too */
            if (store_begin(s, &err) < 0)
                failures++;
            store_rollback(s);
        }
    }
    store_close(s);
    return (void *)failures;
}

static void concurrent_writers_all_commit_and_sync(void **state)
{
    (void)state;
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, writer, NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        void *failures;
        pthread_join(th[i], &failures);
        assert_int_equal((intptr_t)failures, 0);
    }
    struct kith_error err = {0};
    struct store *s;
    assert_int_equal(store_open(g_path, STORE_READONLY, &s, &err), 0);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM t", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), THREADS * WRITES);
    sqlite3_finalize(st);
    store_close(s);
}

static void sync_without_writes_or_group_is_a_no_op(void **state)
{
    (void)state;
    struct kith_error err = {0};
    struct store *s;
    assert_int_equal(store_open(g_path, 0, &s, &err), 0);
    assert_int_equal(store_sync(s, &err), 0); /* not a group-sync connection */
    store_close(s);
    assert_int_equal(store_open(g_path, STORE_GROUP_SYNC, &s, &err), 0);
    assert_int_equal(store_sync(s, &err), 0);
    assert_int_equal(store_sync(s, &err), 0);
    store_close(s);
}

struct nested {
    struct store *s;
    int depth, rows;
};

static int nested_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct nested *n = ctx;
    (void)st;
    n->rows++;
    if (n->depth++ > 0)
        return 0;
    /* the same SQL while its kept statement is being stepped: a fresh statement */
    const struct store_rows q = {.sql = "SELECT x FROM t LIMIT 2", .what = "nested"};
    return store_each_row(n->s, &q, nested_row, n, NULL, err);
}

static void a_kept_statement_is_not_handed_out_twice(void **state)
{
    (void)state;
    struct kith_error err = {0};
    struct nested n = {0};
    assert_int_equal(store_open(g_path, 0, &n.s, &err), 0);
    const struct store_rows q = {.sql = "SELECT x FROM t LIMIT 2", .what = "outer"};
    assert_int_equal(store_each_row(n.s, &q, nested_row, &n, NULL, &err), 0);
    assert_int_equal(n.rows, 4); /* 2 outer + 2 inner on the first outer row */
    n.rows = 0;
    n.depth = 0;
    assert_int_equal(store_each_row(n.s, &q, nested_row, &n, NULL, &err), 0); /* kept, reset */
    assert_int_equal(n.rows, 4);
    store_close(n.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_writers_all_commit_and_sync),
        cmocka_unit_test(sync_without_writes_or_group_is_a_no_op),
        cmocka_unit_test(a_kept_statement_is_not_handed_out_twice),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
