/*
 * pg_migrate_test.c - every migration on a real PostgreSQL (src/store/migrations_pg.c): a
 * database brought up one version at a time, with rows written at an early version, reaches the
 * same schema as one migrated in one go, and the rows are carried (migration 8 gives an old order
 * its kind). Needs $KITH_PG_URL: ctest runs it as store_pg_migrate_on_postgresql under
 * scripts/pg-scratch, which starts a throwaway server; without the variable each test skips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/db.h"
#include "store/store_int.h"

static struct db *connect_schema(const char *schema)
{
    const char *url = getenv("KITH_PG_URL");
    struct db *d = NULL;
    struct kith_error err = {0};
    if (db_open_pg(url, &d, &err) < 0)
        fail_msg("%s", err.msg);
    /* citext in public, where every schema of the test sees it (as one kith database would) */
    char sql[320];
    snprintf(sql, sizeof(sql),
             "CREATE EXTENSION IF NOT EXISTS citext SCHEMA public;"
             " DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s; SET search_path = %s, public",
             schema, schema, schema);
    if (db_exec(d, sql) < 0)
        fail_msg("%s", db_errmsg(d));
    return d;
}

static void exec_ok(struct db *d, const char *sql)
{
    if (db_exec(d, sql) < 0)
        fail_msg("%s: %s", sql, db_errmsg(d));
}

static int64_t query_int(struct db *d, const char *sql)
{
    struct db_stmt *st;
    if (db_prepare(d, sql, &st) < 0)
        fail_msg("%s: %s", sql, db_errmsg(d));
    assert_int_equal(db_step(st), DB_ROW);
    int64_t v = db_column_int64(st, 0);
    db_finalize(st);
    return v;
}

/* The columns of every table and view of schema, one string (name.column:type, in order). */
static char *catalog(struct db *d, const char *schema)
{
    struct db_stmt *st;
    assert_int_equal(db_prepare(d,
                                "SELECT table_name || '.' || column_name || ':' || udt_name ||"
                                " ':' || is_nullable FROM information_schema.columns"
                                " WHERE table_schema = ? ORDER BY table_name, ordinal_position",
                                &st),
                     0);
    assert_int_equal(db_bind_text(st, 1, schema, strlen(schema)), 0);
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(1, cap);
    assert_non_null(out);
    while (db_step(st) == DB_ROW) {
        const char *t = db_column_text(st, 0);
        size_t n = strlen(t);
        if (len + n + 2 > cap) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        memcpy(out + len, t, n);
        len += n;
        out[len++] = '\n';
        out[len] = '\0';
    }
    db_finalize(st);
    return out;
}

static void skip_without_server(void)
{
    const char *url = getenv("KITH_PG_URL");
    if (!url || !*url) {
        print_message("KITH_PG_URL is not set: run under scripts/pg-scratch (ctest does:"
                      " store_pg_migrate_on_postgresql)\n");
        skip();
    }
}

static void every_step_and_at_once_agree(void **state)
{
    (void)state;
    skip_without_server();
    struct kith_error err = {0};
    struct db *steps = connect_schema("kith_steps");
    for (int v = 1; v <= store_nmigrations; v++) {
        if (store_pg_migrate(steps, v, &err) < 0)
            fail_msg("to version %d: %s", v, err.msg);
        int got = -1;
        assert_int_equal(store_pg_schema_version(steps, &got, &err), 0);
        assert_int_equal(got, v);
        /* rows of older schemas, which later migrations rewrite */
        if (v == 7) /* orders from before kinds existed (migration 8 gives them one) */
            exec_ok(steps, "INSERT INTO accounts (id, created_at, name) VALUES (1, 0, 'A');"
                           "INSERT INTO contacts (id, created_at, last_name) VALUES (1, 0, 'C');"
                           "INSERT INTO orders (id, created_at, account_id, ordered_at, amount)"
                           " VALUES (1, 0, 1, 0, -40), (2, 0, 1, 0, 10)");
        if (v == 12) /* an idea status outside the list (migration 13 makes it new) */
            exec_ok(steps, "INSERT INTO ideas (id, created_at, title, status)"
                           " VALUES (1, 0, 'x', 'weird'), (2, 0, 'y', 'planned')");
        if (v == 19) /* a request of an earlier spelling (migration 20 maps it) */
            exec_ok(steps, "INSERT INTO dsrs (id, created_at, contact_id, kind, status,"
                           " received_at, due_at) VALUES (1, 0, 1, 'access', 'in_progress', 0, 0),"
                           " (2, 0, 1, 'erasure', 'done', 0, 0)");
        if (v == 20) /* a catalogue (migration 21 adds the telemetry types above 9000) */
            exec_ok(steps,
                    "INSERT INTO interaction_types (id, created_at, code, name, phase,"
                    " level, channel, touch, tech, rv, cost)"
                    " VALUES (5, 0, 'call', 'Call', 'acquisition', 1, 'phone', 1, 0, 10, 5)");
    }
    assert_int_equal(query_int(steps, "SELECT count(*) FROM orders WHERE kind = 'return'"), 1);
    assert_int_equal(query_int(steps, "SELECT count(*) FROM orders WHERE kind = 'sale'"), 1);
    assert_int_equal(query_int(steps, "SELECT count(*) FROM ideas WHERE id = 1 AND status = 'new'"),
                     1);
    assert_int_equal(
        query_int(steps, "SELECT count(*) FROM ideas WHERE id = 2 AND status = 'planned'"), 1);
    assert_int_equal(query_int(steps, "SELECT count(*) FROM dsrs WHERE (id, status) IN"
                                      " ((1, 'open'), (2, 'completed'))"),
                     2);
    assert_int_equal(query_int(steps, "SELECT sum(id) FROM interaction_types"
                                      " WHERE code LIKE 'device.%' AND touch = 0 AND tech = 1"),
                     9001 + 9002 + 9003);
    /* the identity goes on past the ids the migration gave */
    assert_int_equal(query_int(steps, "INSERT INTO interaction_types (created_at, code, name,"
                                      " phase, level, channel, touch, tech, rv, cost) VALUES"
                                      " (0, 'mail', 'Mail', 'acquisition', 1, 'email', 1, 0, 1, 1)"
                                      " RETURNING id"),
                     9004);
    /* at the current version, migrating again changes nothing */
    int64_t objects = query_int(steps, "SELECT count(*) FROM pg_class");
    assert_int_equal(store_pg_migrate(steps, store_nmigrations, &err), 0);
    assert_int_equal(query_int(steps, "SELECT count(*) FROM pg_class"), objects);

    struct db *once = connect_schema("kith_once");
    if (store_pg_migrate(once, store_nmigrations, &err) < 0)
        fail_msg("at once: %s", err.msg);
    char *a = catalog(steps, "kith_steps"), *b = catalog(once, "kith_once");
    assert_true(strlen(a) > 1000);
    assert_string_equal(a, b);
    free(a);
    free(b);
    exec_ok(once, "DROP SCHEMA kith_once CASCADE; DROP SCHEMA kith_steps CASCADE");
    db_close(steps);
    db_close(once);
}

/* db.h on PostgreSQL: binds, NULLs, blobs, a unique key taken, a trigger's refusal, nesting. */
static void the_layer_on_postgresql(void **state)
{
    (void)state;
    skip_without_server();
    struct kith_error err = {0};
    struct db *d = connect_schema("kith_layer");
    exec_ok(d, "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
               " k TEXT UNIQUE, r DOUBLE PRECISION, b BYTEA)");
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
    db_finalize(ins); /* kept: the same text gives the same statement back, reset */
    struct db_stmt *again;
    assert_int_equal(
        db_prepare(d, "INSERT INTO t (k, r, b) VALUES (?, ?2, ?3) RETURNING id", &again), 0);
    assert_ptr_equal(again, ins);
    assert_int_equal(db_bind_text(again, 1, "it's ?", 6), 0);
    assert_int_equal(db_step(again), KITH_ECONFLICT);
    assert_non_null(strstr(db_errmsg(d), "already exists"));
    db_finalize(again);

    struct db_stmt *outer, *inner;
    assert_int_equal(db_prepare(d, "SELECT k, r, b, NULL, 7 FROM t", &outer), 0);
    assert_int_equal(db_step(outer), DB_ROW);
    assert_string_equal(db_column_text(outer, 0), "it's ?");
    assert_true(db_column_double(outer, 1) == 0.1);
    assert_int_equal(db_column_type(outer, 2), DB_BLOB);
    assert_int_equal(db_column_bytes(outer, 2), sizeof(blob));
    assert_memory_equal(db_column_blob(outer, 2), blob, sizeof(blob));
    assert_int_equal(db_column_type(outer, 3), DB_NULL);
    assert_null(db_column_text(outer, 3));
    assert_int_equal(db_column_type(outer, 4), DB_INTEGER);
    /* a statement inside another's rows: both have their results */
    assert_int_equal(db_prepare(d, "SELECT count(*) FROM t WHERE k = ?", &inner), 0);
    assert_int_equal(db_bind_text(inner, 1, "it's ?", 6), 0);
    assert_int_equal(db_step(inner), DB_ROW);
    assert_int_equal(db_column_int64(inner, 0), 1);
    db_finalize(inner);
    assert_int_equal(db_step(outer), DB_DONE);
    db_finalize(outer);

    /* a transaction rolled back leaves nothing; a missing table is KITH_EDB with the message */
    assert_int_equal(db_begin(d), 0);
    exec_ok(d, "INSERT INTO t (k) VALUES ('gone')");
    db_rollback(d);
    assert_int_equal(query_int(d, "SELECT count(*) FROM t"), 1);
    assert_int_equal(db_prepare(d, "SELECT * FROM no_such_table", &outer), KITH_EDB);
    assert_non_null(strstr(db_errmsg(d), "no_such_table"));
    exec_ok(d, "DROP SCHEMA kith_layer CASCADE");
    (void)err;
    db_close(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_step_and_at_once_agree),
        cmocka_unit_test(the_layer_on_postgresql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
