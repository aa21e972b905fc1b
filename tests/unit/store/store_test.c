/*
 * store_test.c - tests of src/store: migrations (new, older, newer databases), the agreement of
 * the SQL schema with model/table.h, pragmas, and the generic row path (one row and many).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store_int.h"
#include "support/testutil.h"

static int64_t pragma_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static const char *pragma_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

static void new_database_gets_latest_schema_and_pragmas(void **state)
{
    (void)state;
    char path[512], buf[64];
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(path, sizeof(path), "new.db");
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
    sqlite3 *db = store_db(s);
    assert_int_equal(pragma_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_string_equal(pragma_text(db, "PRAGMA journal_mode", buf, sizeof(buf)), "wal");
    assert_int_equal(pragma_int(db, "PRAGMA synchronous"), 2); /* FULL */
    assert_int_equal(pragma_int(db, "PRAGMA foreign_keys"), 1);
    assert_true(pragma_int(db, "PRAGMA busy_timeout") > 0);
    store_close(s);
    test_rm_db(path);
}

static void missing_file_without_create_is_not_found(void **state)
{
    (void)state;
    char path[512];
    struct kith_error err = {0};
    struct store *s = (struct store *)1;
    test_tmp_path(path, sizeof(path), "missing.db");
    assert_int_equal(store_open(path, 0, &s, &err), KITH_ENOTFOUND);
    assert_null(s);
    assert_non_null(strstr(err.msg, "kith init"));
}

/*
 * Every field of every table is a column of the same name at the same position; a reference is
 * a foreign key to the table it names and a required field is NOT NULL.
 */
static void schema_matches_model(void **state)
{
    (void)state;
    char path[512];
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(path, sizeof(path), "schema.db");
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    for (size_t t = 0; t < model_ntables; t++) {
        const struct table_def *td = model_tables[t];
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(store_db(s),
                                            "SELECT name, \"notnull\" FROM pragma_table_info(?) "
                                            "ORDER BY cid",
                                            -1, &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(st, 1, td->name, -1, SQLITE_STATIC);
        size_t i = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            assert_true(i < td->nfields);
            const char *col = (const char *)sqlite3_column_text(st, 0);
            if (strcmp(col, td->fields[i].name) != 0)
                fail_msg("%s column %zu is %s in SQL but %s in the model", td->name, i, col,
                         td->fields[i].name);
            if (td->fields[i].required && td->fields[i].type != FT_ID && !sqlite3_column_int(st, 1))
                fail_msg("%s.%s is required but may be NULL in SQL", td->name, col);
            i++;
        }
        sqlite3_finalize(st);
        if (i != td->nfields)
            fail_msg("%s has %zu columns in SQL but %zu in the model", td->name, i, td->nfields);
        /* references point at earlier tables (or the table itself) */
        for (size_t f = 0; f < td->nfields; f++) {
            if (td->fields[f].type != FT_REF)
                continue;
            const struct table_def *ref = model_table(td->fields[f].ref_table);
            assert_non_null(ref);
            size_t r = 0;
            while (model_tables[r] != ref)
                r++;
            assert_true(r <= t);
            sqlite3_stmt *fk;
            assert_int_equal(sqlite3_prepare_v2(store_db(s),
                                                "SELECT 1 FROM pragma_foreign_key_list(?) WHERE "
                                                "\"from\" = ? AND \"table\" = ?",
                                                -1, &fk, NULL),
                             SQLITE_OK);
            sqlite3_bind_text(fk, 1, td->name, -1, SQLITE_STATIC);
            sqlite3_bind_text(fk, 2, td->fields[f].name, -1, SQLITE_STATIC);
            sqlite3_bind_text(fk, 3, ref->name, -1, SQLITE_STATIC);
            if (sqlite3_step(fk) != SQLITE_ROW)
                fail_msg("%s.%s is no foreign key to %s", td->name, td->fields[f].name, ref->name);
            sqlite3_finalize(fk);
        }
    }
    store_close(s);
    test_rm_db(path);
}

static void older_database_is_upgraded_in_place(void **state)
{
    (void)state;
    char path[512];
    struct kith_error err = {0};
    sqlite3 *db;
    test_tmp_path(path, sizeof(path), "old.db");
    /* a version-1 database with one unit in it */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(store_migrate(db, 1, &err), 0);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO units (id, created_at, name, kind)"
                                  " VALUES (7, 0, 'Acme', 'manufacturer')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(pragma_int(db, "PRAGMA user_version"), 1);
    assert_int_equal(pragma_int(db, "SELECT count(*) FROM sqlite_schema WHERE name='consents'"), 0);
    sqlite3_close(db);

    struct store *s;
    assert_int_equal(store_open(path, 0, &s, &err), 0);
    assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
    assert_int_equal(
        pragma_int(store_db(s), "SELECT count(*) FROM sqlite_schema WHERE name='consents'"), 1);
    assert_int_equal(
        pragma_int(store_db(s), "SELECT count(*) FROM units WHERE id=7 AND name='Acme'"), 1);
    store_close(s);
    test_rm_db(path);
}

static void failed_migration_leaves_database_unchanged(void **state)
{
    (void)state;
    char path[512];
    struct kith_error err = {0};
    sqlite3 *db;
    test_tmp_path(path, sizeof(path), "clash.db");
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(store_migrate(db, 1, &err), 0);
    /* a table in the way of migration 2 makes it fail half-way */
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE ratings (x)", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(store_migrate(db, 2, &err), KITH_EDB);
    assert_non_null(strstr(err.msg, "schema version 2"));
    assert_int_equal(pragma_int(db, "PRAGMA user_version"), 1);
    assert_int_equal(pragma_int(db, "SELECT count(*) FROM sqlite_schema WHERE name='surveys'"), 0);
    sqlite3_close(db);
    test_rm_db(path);
}

static void newer_database_is_refused_naming_both_versions(void **state)
{
    (void)state;
    char path[512], want[64];
    struct kith_error err = {0};
    sqlite3 *db;
    test_tmp_path(path, sizeof(path), "newer.db");
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct store *s = NULL;
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), KITH_EVERSION);
    assert_null(s);
    assert_non_null(strstr(err.msg, "version 99"));
    snprintf(want, sizeof(want), "up to %d", STORE_SCHEMA_VERSION);
    assert_non_null(strstr(err.msg, want));
    /* untouched */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(pragma_int(db, "PRAGMA user_version"), 99);
    sqlite3_close(db);
    test_rm_db(path);
}

static struct store_value v_int(int64_t i)
{
    return (struct store_value){.kind = SV_INT, .i = i};
}

static struct store_value v_text(const char *s)
{
    return (struct store_value){.kind = SV_TEXT, .s = s, .len = strlen(s)};
}

static int count_rows(void *ctx, const struct store_value *vals)
{
    (void)vals;
    (*(int *)ctx)++;
    return 0;
}

static void insert_find_scan_and_constraints(void **state)
{
    (void)state;
    char path[512];
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(path, sizeof(path), "rows.db");
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    const struct table_def *units = model_table("units");
    assert_non_null(units);
    struct store_value row[7] = {{0}}; /* every field of units */
    row[3] = v_text("Acme Manufacturing");
    row[4] = v_text("manufacturer");
    int64_t id = 0, found = 0, n = 0;
    assert_int_equal(store_insert(s, units, row, &id, &err), 0);
    assert_true(id > 0);
    assert_int_equal(store_find_id(s, units, "name", "Acme Manufacturing", &found, &err), 0);
    assert_int_equal(found, id);
    assert_int_equal(store_find_id(s, units, "name", "Nobody", &found, &err), KITH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "Nobody"));
    assert_true(store_row_exists(s, units, id));
    assert_false(store_row_exists(s, units, id + 100));

    /* duplicate name */
    assert_int_equal(store_insert(s, units, row, NULL, &err), KITH_ECONFLICT);
    assert_non_null(strstr(err.msg, "units.name"));
    /* missing parent */
    row[3] = v_text("Orphan");
    row[5] = v_int(id + 100);
    assert_int_equal(store_insert(s, units, row, NULL, &err), KITH_EINVAL);
    /* missing required name */
    row[3] = (struct store_value){0};
    row[5] = (struct store_value){0};
    assert_int_equal(store_insert(s, units, row, NULL, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "units.name"));

    assert_int_equal(store_count(s, units, &n, &err), 0);
    assert_int_equal(n, 1);
    int seen = 0;
    assert_int_equal(store_scan(s, units, count_rows, &seen, &err), 0);
    assert_int_equal(seen, 1);

    /* a rolled-back transaction leaves nothing */
    assert_int_equal(store_begin(s, &err), 0);
    row[3] = v_text("Temporary");
    assert_int_equal(store_insert(s, units, row, NULL, &err), 0);
    store_rollback(s);
    assert_int_equal(store_count(s, units, &n, &err), 0);
    assert_int_equal(n, 1);
    store_close(s);
    test_rm_db(path);
}

struct scan_probe {
    int seen;
    size_t secret;
    bool secret_shown;
};

static int stop_at_first(void *ctx, const struct store_value *vals)
{
    struct scan_probe *p = ctx;
    p->seen++;
    p->secret_shown |= vals[p->secret].kind != SV_NULL;
    return 42;
}

static void scan_stops_when_asked_and_hides_secrets(void **state)
{
    (void)state;
    char path[512];
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(path, sizeof(path), "secret.db");
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    const struct table_def *users = model_table("users");
    size_t pw = 0;
    assert_non_null(table_field(users, "password_hash", &pw));
    struct store_value row[16] = {{0}};
    assert_true(users->nfields <= 16);
    size_t i;
    table_field(users, "email", &i);
    row[i] = v_text("a@example.com");
    table_field(users, "name", &i);
    row[i] = v_text("A");
    table_field(users, "role", &i);
    row[i] = v_text("admin");
    row[pw] = v_text("$argon2id$secret");
    table_field(users, "disabled", &i);
    row[i] = v_int(0);
    assert_int_equal(store_insert(s, users, row, NULL, &err), 0);
    row[0] = (struct store_value){0};
    table_field(users, "email", &i);
    row[i] = v_text("b@example.com");
    assert_int_equal(store_insert(s, users, row, NULL, &err), 0);
    struct scan_probe probe = {.secret = pw};
    assert_int_equal(store_scan(s, users, stop_at_first, &probe, &err), 42);
    assert_int_equal(probe.seen, 1);
    assert_false(probe.secret_shown);
    store_close(s);
    test_rm_db(path);
}

/* Many rows a statement; a failing statement is undone whole and says how far it got. */
static void insert_rows_in_groups_stops_at_a_failing_group(void **state)
{
    (void)state;
    char path[512];
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(path, sizeof(path), "rows_many.db");
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    const struct table_def *units = model_table("units");
    enum { N = 150 };
    static char names[2 * N][16];
    static struct store_value rows[2 * N][6];
    const struct store_value *ptrs[2 * N];
    for (size_t i = 0; i < 2 * N; i++) {
        snprintf(names[i], sizeof(names[i]), "U%zu", i);
        memset(rows[i], 0, sizeof(rows[i]));
        rows[i][3] = v_text(names[i]);
        rows[i][4] = v_text("dealer");
        ptrs[i] = rows[i];
    }
    size_t done = 0;
    assert_int_equal(store_insert_rows(s, units, ptrs, N, &done, &err), 0);
    assert_int_equal(done, N);
    int64_t n = 0, id = 0;
    assert_int_equal(store_count(s, units, &n, &err), 0);
    assert_int_equal(n, N);
    /* ids in order, created_at set */
    assert_int_equal(store_find_id(s, units, "name", "U149", &id, &err), 0);
    assert_int_equal(id, N);
    /* the second group holds a taken name: the first group stays, the rest does not */
    rows[N + 70][3] = v_text("U10");
    assert_int_equal(store_insert_rows(s, units, &ptrs[N], N, &done, &err), KITH_ECONFLICT);
    assert_non_null(strstr(err.msg, "units.name"));
    assert_true(done > 0 && done <= 70);
    assert_int_equal(store_count(s, units, &n, &err), 0);
    assert_int_equal(n, N + (int64_t)done);
    store_close(s);
    test_rm_db(path);
}

/*
 * A process killed inside a write transaction in rollback-journal mode (as kith import loads
 * when it has the database to itself) leaves a hot journal; a read-only open rolls it back
 * instead of failing with "attempt to write a readonly database" (tests/api/test_crash.py).
 */
static void read_only_open_rolls_back_a_hot_journal(void **state)
{
    (void)state;
    char path[512], journal[600], buf[64];
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(path, sizeof(path), "hot.db");
    snprintf(journal, sizeof(journal), "%s-journal", path);
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    store_close(s);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* A small cache spills pages into the file before the commit that never comes. */
        sqlite3 *db;
        int bad = sqlite3_open(path, &db) != SQLITE_OK ||
                  sqlite3_exec(db,
                               "PRAGMA journal_mode=DELETE; PRAGMA cache_size=10; BEGIN;"
                               " CREATE TABLE spill (x);"
                               " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n"
                               " WHERE i < 2000) INSERT INTO spill SELECT randomblob(1000) FROM n",
                               NULL, NULL, NULL) != SQLITE_OK;
        _exit(bad ? 1 : 0); /* no COMMIT, no close: a crash as far as the file can tell */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(access(journal, F_OK), 0);
    assert_int_equal(store_open(path, STORE_READONLY, &s, &err), 0);
    assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
    sqlite3 *db = store_db(s);
    assert_int_equal(pragma_int(db, "SELECT count(*) FROM sqlite_schema WHERE name='spill'"), 0);
    assert_string_equal(pragma_text(db, "PRAGMA integrity_check", buf, sizeof(buf)), "ok");
    store_close(s);
    test_rm_db(path);
    unlink(journal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_database_gets_latest_schema_and_pragmas),
        cmocka_unit_test(missing_file_without_create_is_not_found),
        cmocka_unit_test(schema_matches_model),
        cmocka_unit_test(older_database_is_upgraded_in_place),
        cmocka_unit_test(failed_migration_leaves_database_unchanged),
        cmocka_unit_test(newer_database_is_refused_naming_both_versions),
        cmocka_unit_test(insert_find_scan_and_constraints),
        cmocka_unit_test(scan_stops_when_asked_and_hides_secrets),
        cmocka_unit_test(insert_rows_in_groups_stops_at_a_failing_group),
        cmocka_unit_test(read_only_open_rolls_back_a_hot_journal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
