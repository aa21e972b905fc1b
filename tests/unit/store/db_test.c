/*
 * db_test.c - tests of src/store/db.h on its SQLite driver (db.c, db_sqlite.c): the calls pass
 * through with the store's error codes, the connection keeps statements by their text and hands
 * a fresh one to a nested use, and a wrapped handle stays its owner's. The same checks on
 * PostgreSQL are in pg_migrate_test.c (the_layer_on_postgresql).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store/db.h"

static struct db *open_memory(sqlite3 **h)
{
    assert_int_equal(sqlite3_open(":memory:", h), SQLITE_OK);
    sqlite3_extended_result_codes(*h, 1);
    struct db *d = NULL;
    struct kith_error err = {0};
    assert_int_equal(db_wrap_sqlite(*h, &d, &err), 0);
    assert_int_equal(db_kind(d), DB_SQLITE);
    assert_int_equal(db_exec(d, "PRAGMA foreign_keys=ON;"
                                "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                                "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, r REAL,"
                                " b BLOB, p INTEGER REFERENCES p(id), n TEXT NOT NULL DEFAULT '',"
                                " c INTEGER CHECK (c IS NULL OR c > 0))"),
                     0);
    return d;
}

static void binds_columns_and_ids(void **state)
{
    (void)state;
    sqlite3 *h;
    struct db *d = open_memory(&h);
    struct db_stmt *ins;
    assert_int_equal(db_prepare(d, "INSERT INTO t (k, r, b) VALUES (?, ?2, ?3) RETURNING id", &ins),
                     0);
    assert_int_equal(db_bind_count(ins), 3);
    const unsigned char blob[] = {0, 1, 2, 0xff, 0};
    assert_int_equal(db_bind_text(ins, 1, "it's ?", 6), 0);
    assert_int_equal(db_bind_double(ins, 2, 0.1), 0);
    assert_int_equal(db_bind_blob(ins, 3, blob, sizeof(blob)), 0);
    assert_int_equal(db_step(ins), DB_ROW);
    assert_int_equal(db_column_int64(ins, 0), 1);
    assert_int_equal(db_step(ins), DB_DONE);
    assert_int_equal(db_last_insert_id(d), 1);
    assert_int_equal(db_changes(d), 1);
    db_finalize(ins);

    struct db_stmt *st;
    assert_int_equal(db_prepare(d, "SELECT k, r, b, NULL, 7 FROM t", &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_column_count(st), 5);
    assert_string_equal(db_column_text(st, 0), "it's ?");
    assert_true(db_column_double(st, 1) == 0.1);
    assert_int_equal(db_column_type(st, 2), DB_BLOB);
    assert_int_equal(db_column_bytes(st, 2), sizeof(blob));
    assert_memory_equal(db_column_blob(st, 2), blob, sizeof(blob));
    assert_int_equal(db_column_type(st, 3), DB_NULL);
    assert_null(db_column_text(st, 3));
    assert_int_equal(db_column_type(st, 4), DB_INTEGER);
    assert_int_equal(db_step(st), DB_DONE);
    db_finalize(st);
    db_close(d);
    /* the handle is still its owner's */
    assert_int_equal(sqlite3_exec(h, "SELECT count(*) FROM t", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

static void errors_are_the_stores_codes(void **state)
{
    (void)state;
    sqlite3 *h;
    struct db *d = open_memory(&h);
    assert_int_equal(db_exec(d, "INSERT INTO t (k) VALUES ('a')"), 0);
    assert_int_equal(db_exec(d, "INSERT INTO t (k) VALUES ('a')"), KITH_ECONFLICT);
    assert_non_null(strstr(db_errmsg(d), "UNIQUE"));
    assert_int_equal(db_exec(d, "INSERT INTO t (id) VALUES (1)"), KITH_ECONFLICT);
    assert_int_equal(db_exec(d, "INSERT INTO t (k, p) VALUES ('b', 99)"), KITH_EINVAL);
    assert_int_equal(db_exec(d, "INSERT INTO t (k, n) VALUES ('c', NULL)"), KITH_EINVAL);
    assert_int_equal(db_exec(d, "INSERT INTO t (k, c) VALUES ('d', -1)"), KITH_EINVAL);
    assert_int_equal(db_exec(d, "SELECT * FROM no_such_table"), KITH_EDB);
    struct db_stmt *st;
    assert_int_equal(db_prepare(d, "SELECT nonsense FROM", &st), KITH_EDB);
    assert_null(st);
    struct kith_error err = {0};
    assert_int_equal(db_err(d, KITH_EDB, "reading", &err), KITH_EDB);
    assert_non_null(strstr(err.msg, "reading: "));
    db_close(d);
    sqlite3_close(h);
}

static void statements_are_kept_and_nested(void **state)
{
    (void)state;
    sqlite3 *h;
    struct db *d = open_memory(&h);
    assert_int_equal(db_exec(d, "INSERT INTO t (k) VALUES ('a'), ('b')"), 0);
    const char *q = "SELECT k FROM t WHERE k >= ? ORDER BY k";
    struct db_stmt *outer, *inner, *again;
    assert_int_equal(db_prepare(d, q, &outer), 0);
    assert_int_equal(db_bind_text(outer, 1, "a", 1), 0);
    assert_int_equal(db_step(outer), DB_ROW);
    /* the same text while the first is in use: another statement */
    assert_int_equal(db_prepare(d, q, &inner), 0);
    assert_ptr_not_equal(inner, outer);
    assert_int_equal(db_bind_text(inner, 1, "b", 1), 0);
    assert_int_equal(db_step(inner), DB_ROW);
    assert_string_equal(db_column_text(inner, 0), "b");
    db_finalize(inner);
    assert_string_equal(db_column_text(outer, 0), "a");
    assert_int_equal(db_step(outer), DB_ROW);
    assert_int_equal(db_step(outer), DB_DONE);
    db_finalize(outer);
    /* given back: the kept one comes back reset, its bindings cleared (NULL matches nothing) */
    assert_int_equal(db_prepare(d, q, &again), 0);
    assert_ptr_equal(again, outer);
    assert_int_equal(db_step(again), DB_DONE);
    db_finalize(again);
    /* transactions: a rollback leaves nothing */
    assert_int_equal(db_begin(d), 0);
    assert_int_equal(db_exec(d, "INSERT INTO t (k) VALUES ('gone')"), 0);
    db_rollback(d);
    assert_int_equal(db_begin(d), 0);
    assert_int_equal(db_exec(d, "INSERT INTO t (k) VALUES ('kept')"), 0);
    assert_int_equal(db_commit(d), 0);
    assert_int_equal(db_prepare(d, "SELECT count(*) FROM t", &outer), 0);
    assert_int_equal(db_step(outer), DB_ROW);
    assert_int_equal(db_column_int64(outer, 0), 3);
    db_finalize(outer);
    db_close(d);
    sqlite3_close(h);
}

static void urls(void **state)
{
    (void)state;
    assert_true(db_url_is_pg("postgresql://kith@127.0.0.1:5432/kith"));
    assert_true(db_url_is_pg("postgres://h/db"));
    assert_false(db_url_is_pg("kith.db"));
    assert_false(db_url_is_pg("/var/lib/postgresql://x"));
    assert_false(db_url_is_pg(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(binds_columns_and_ids),
        cmocka_unit_test(errors_are_the_stores_codes),
        cmocka_unit_test(statements_are_kept_and_nested),
        cmocka_unit_test(urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
