/*
 * watch_test.c - tests of src/store/watch.c: data_version moves for a connection when another
 * one commits and not for its own commits nor for reads, every commit of the process is
 * counted (reads are not), and the change mark follows inserts and deletes of the tables it
 * covers and updates of the columns the snapshot reads of the small ones.
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

static void exec_ok(struct store *s, const char *sql)
{
    assert_int_equal(sqlite3_exec(s->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static int64_t version_of(struct store *s)
{
    struct kith_error err = {0};
    int64_t v = -1;
    assert_int_equal(store_data_version(s, &v, &err), 0);
    return v;
}

static void data_version_moves_for_others_commits_only(void **state)
{
    (void)state;
    char path[512];
    struct kith_error err = {0};
    struct store *writer, *watcher;
    test_tmp_path(path, sizeof(path), "watch.db");
    remove(path);
    assert_int_equal(store_open(path, STORE_CREATE, &writer, &err), 0);
    assert_int_equal(store_open(path, STORE_READONLY, &watcher, &err), 0);

    int64_t w0 = version_of(watcher), own0 = version_of(writer);
    assert_int_equal(version_of(watcher), w0); /* reading changes nothing */
    uint64_t commits = store_commit_count();
    exec_ok(writer, "INSERT INTO units (created_at, name, kind) VALUES (1, 'North', 'region')");
    assert_true(store_commit_count() > commits);
    int64_t w1 = version_of(watcher);
    assert_true(w1 != w0);
    assert_int_equal(version_of(writer), own0); /* its own commit is not news to it */
    assert_int_equal(version_of(watcher), w1);

    /* a transaction that reads only is no commit anyone else sees */
    exec_ok(writer, "BEGIN; SELECT count(*) FROM units; COMMIT");
    assert_int_equal(version_of(watcher), w1);

    store_close(watcher);
    store_close(writer);
}

static void mark_follows_rows_and_catalogue_columns(void **state)
{
    (void)state;
    char path[512];
    struct kith_error err = {0};
    struct store *s;
    struct store_change_mark a, b;
    test_tmp_path(path, sizeof(path), "watch_mark.db");
    remove(path);
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    assert_int_equal(store_change_mark(s, 0, &a, &err), 0);
    for (int t = 0; t < STORE_MARK_NTABLES; t++) {
        assert_int_equal(a.count[t], 0);
        assert_int_equal(a.max_id[t], 0);
    }
    exec_ok(s, "INSERT INTO units (created_at, name, kind) VALUES (1, 'North', 'region'),"
               " (1, 'South', 'region')");
    assert_int_equal(store_change_mark(s, 0, &b, &err), 0);
    assert_int_equal(b.count[STORE_MARK_UNITS], 2);
    assert_int_equal(b.max_id[STORE_MARK_UNITS], 2);
    assert_int_equal(b.count[STORE_MARK_TEAMS], 0);
    exec_ok(s, "DELETE FROM units WHERE id = 1");
    assert_int_equal(store_change_mark(s, 0, &b, &err), 0);
    assert_int_equal(b.count[STORE_MARK_UNITS], 1);
    assert_int_equal(b.max_id[STORE_MARK_UNITS], 2);

    /* updates in place: of a column the snapshot reads, and of one it does not */
    exec_ok(s, "INSERT INTO users (created_at, email, name, role) VALUES (1, 'a@x', 'A', 'rep')");
    assert_int_equal(store_change_mark(s, 0, &a, &err), 0);
    exec_ok(s, "UPDATE users SET disabled = 1");
    assert_int_equal(store_change_mark(s, 0, &b, &err), 0);
    assert_true(b.catalogue_hash == a.catalogue_hash);
    exec_ok(s, "UPDATE users SET unit_id = 2");
    assert_int_equal(store_change_mark(s, 0, &b, &err), 0);
    assert_true(b.catalogue_hash != a.catalogue_hash);
    assert_int_equal(b.count[STORE_MARK_USERS], a.count[STORE_MARK_USERS]);

    /* reading it commits nothing */
    uint64_t commits = store_commit_count();
    assert_int_equal(store_change_mark(s, 0, &b, &err), 0);
    assert_true(store_commit_count() == commits);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(data_version_moves_for_others_commits_only),
        cmocka_unit_test(mark_follows_rows_and_catalogue_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
