/*
 * migrations_test.c - tests of src/store/migrations.c beyond store_test.c's upgrade checks:
 * migration 4 rebuilds interactions with a partial unique index on external_id, keeping every
 * row, every other index and the uniqueness of the ids that are set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store_int.h"
#include "support/testutil.h"

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The names of interactions' indexes and whether each is unique and partial, one string. */
static void index_list(sqlite3 *db, char *out, size_t cap)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name, \"unique\", partial FROM"
                                        " pragma_index_list('interactions') ORDER BY name",
                                        -1, &st, NULL),
                     SQLITE_OK);
    size_t o = 0;
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW && o < cap)
        o += (size_t)snprintf(out + o, cap - o, "%s%s%s ", sqlite3_column_text(st, 0),
                              sqlite3_column_int(st, 1) ? "/u" : "",
                              sqlite3_column_int(st, 2) ? "/p" : "");
    sqlite3_finalize(st);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

static void migration_4_keeps_rows_indexes_and_unique_external_ids(void **state)
{
    (void)state;
    char path[512], list[1024];
    struct kith_error err = {0};
    sqlite3 *db;
    test_tmp_path(path, sizeof(path), "mig4.db");
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(store_migrate(db, 3, &err), 0);
    exec_ok(db, "INSERT INTO units (id, created_at, name, kind) VALUES (1, 0, 'U', 'dealer');"
                "INSERT INTO contacts (id, created_at, last_name) VALUES (1, 0, 'C');"
                "INSERT INTO interaction_types (id, created_at, code, name, phase, level,"
                " channel, touch, tech, rv, cost) VALUES (1, 0, 'call', 'Call', 'closing', 1,"
                " 'phone', 0.5, 0.5, 1, 100);"
                "INSERT INTO interactions (id, created_at, external_id, contact_id, type_id,"
                " occurred_at, notes, voids_id) VALUES"
                " (1, 5, 'X-1', 1, 1, 100, 'first', NULL),"
                " (2, 6, NULL, 1, 1, 200, NULL, NULL),"
                " (3, 7, NULL, 1, 1, 300, 'voids 1', 1);");
    char before[1024];
    index_list(db, before, sizeof(before));
    sqlite3_close(db);

    struct store *s;
    assert_int_equal(store_open(path, 0, &s, &err), 0);
    assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
    db = store_db(s);
    assert_int_equal(query_int(db, "SELECT count(*) FROM interactions"), 3);
    assert_int_equal(query_int(db, "SELECT count(*) FROM interactions WHERE id = 1 AND"
                                   " external_id = 'X-1' AND notes = 'first' AND created_at = 5"),
                     1);
    assert_int_equal(query_int(db, "SELECT voids_id FROM interactions WHERE id = 3"), 1);
    /* the same indexes, the column constraint become a partial index */
    index_list(db, list, sizeof(list));
    assert_non_null(strstr(before, "sqlite_autoindex_interactions_1/u "));
    assert_string_equal(list, "interactions_contact_time interactions_external_id/u/p"
                              " interactions_time interactions_type interactions_user_time"
                              " interactions_voids/u/p ");
    assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    /* a set external id stays unique, any number may be unset */
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO interactions (created_at, external_id, contact_id,"
                                  " type_id, occurred_at) VALUES (0, 'X-1', 1, 1, 0)",
                                  NULL, NULL, NULL),
                     SQLITE_CONSTRAINT_UNIQUE);
    exec_ok(db, "INSERT INTO interactions (created_at, contact_id, type_id, occurred_at)"
                " VALUES (0, 1, 1, 0), (0, 1, 1, 0)");
    assert_int_equal(query_int(db, "SELECT count(*) FROM interactions"), 5);
    store_close(s);
    test_rm_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migration_4_keeps_rows_indexes_and_unique_external_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
