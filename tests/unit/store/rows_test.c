/*
 * rows_test.c - tests of src/store/rows.c: store_each_row binds, visits every row, stops on the
 * callback's word, reports SQLite's failures with the caller's words, and leaves a cached
 * statement reset and unbound.
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

struct seen {
    int64_t sum;
    int rows;
    int stop_at; /* return 7 from this row (1-based); 0: never */
};

static int add_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct seen *s = ctx;
    s->sum += sqlite3_column_int64(st, 0);
    s->rows++;
    return s->rows == s->stop_at ? 7 : 0;
}

static int fail_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)ctx;
    (void)st;
    return kith_err(err, KITH_ENOMEM, "out of memory in the callback");
}

static struct store *open_store(const char *name)
{
    char path[512];
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(path, sizeof(path), name);
    remove(path);
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    return s;
}

static void visits_rows_with_binds(void **state)
{
    (void)state;
    struct store *s = open_store("rows.db");
    struct kith_error err = {0};
    const struct store_value binds[] = {{.kind = SV_INT, .i = 2},
                                        {.kind = SV_INT, .i = 5},
                                        {.kind = SV_INT, .i = 99}}; /* the third: no ?3 */
    const struct store_rows q = {
        .sql = "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 10)"
               " SELECT v FROM n WHERE v BETWEEN ?1 AND ?2",
        .binds = binds,
        .nbinds = 3,
        .what = "counting"};
    struct seen seen = {0};
    size_t n = 0;
    assert_int_equal(store_each_row(s, &q, add_row, &seen, &n, &err), 0);
    assert_int_equal(seen.sum, 2 + 3 + 4 + 5);
    assert_int_equal(n, 4);
    /* the callback's nonzero return stops the loop and comes back */
    seen = (struct seen){.stop_at = 2};
    assert_int_equal(store_each_row(s, &q, add_row, &seen, &n, &err), 7);
    assert_int_equal(seen.sum, 2 + 3);
    assert_int_equal(n, 2);
    /* and so does its error, with its message */
    assert_int_equal(store_each_row(s, &q, fail_row, NULL, NULL, &err), KITH_ENOMEM);
    assert_string_equal(err.msg, "out of memory in the callback");
    store_close(s);
}

static void reports_sqlite_failures(void **state)
{
    (void)state;
    struct store *s = open_store("rows-fail.db");
    struct kith_error err = {0};
    struct seen seen = {0};
    const struct store_rows bad = {.sql = "SELECT x FROM nowhere", .what = "reading nowhere"};
    assert_int_equal(store_each_row(s, &bad, add_row, &seen, NULL, &err), KITH_EDB);
    assert_non_null(strstr(err.msg, "reading nowhere: no such table: nowhere"));
    /* a failure while stepping: abs() of the smallest integer overflows */
    const struct store_value big = {.kind = SV_INT, .i = INT64_MIN};
    const struct store_rows step = {
        .sql = "SELECT 1 UNION ALL SELECT abs(?1)", .binds = &big, .nbinds = 1, .what = "abs"};
    size_t n = 9;
    assert_int_equal(store_each_row(s, &step, add_row, &seen, &n, &err), KITH_EDB);
    assert_non_null(strstr(err.msg, "abs: integer overflow"));
    assert_int_equal(n, 1);
    store_close(s);
}

static void cached_statement_is_reset(void **state)
{
    (void)state;
    struct store *s = open_store("rows-cached.db");
    struct kith_error err = {0};
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(store_db(s), "SELECT ?1 UNION ALL SELECT 10", -1, &st, NULL), SQLITE_OK);
    const struct store_value one = {.kind = SV_INT, .i = 1};
    struct seen seen = {.stop_at = 1};
    assert_int_equal(
        store_each_row(s,
                       &(struct store_rows){.st = st, .binds = &one, .nbinds = 1, .what = "cached"},
                       add_row, &seen, NULL, &err),
        7);
    /* stopped half way, then reset and unbound: a second run starts over, ?1 NULL */
    seen = (struct seen){0};
    assert_int_equal(store_each_row(s, &(struct store_rows){.st = st, .what = "cached"}, add_row,
                                    &seen, NULL, &err),
                     0);
    assert_int_equal(seen.rows, 2);
    assert_int_equal(seen.sum, 10);
    sqlite3_finalize(st);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(visits_rows_with_binds),
        cmocka_unit_test(reports_sqlite_failures),
        cmocka_unit_test(cached_statement_is_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
