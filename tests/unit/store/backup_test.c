/*
 * backup_test.c - tests of src/store/backup.c: a backup of a database with rows restores into a
 * new path with every table equal; a backup is the snapshot of its start while another
 * connection writes; a damaged, foreign or newer source is refused with a clear message and
 * the target left untouched; a database in use is not replaced; an older backup is upgraded.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "demo/demo.h"
#include "store/store_int.h"
#include "support/testutil.h"

#define CONTACTS 300 /* about 2.7 MB: more than one step of the copy */

/* Also removes the rollback journal of the store's bulk mode. */
static void rm_db(const char *path)
{
    char side[4096];
    test_rm_db(path);
    snprintf(side, sizeof(side), "%s-journal", path);
    unlink(side);
}

static struct store *open_store(const char *path, int flags)
{
    struct store *s = NULL;
    struct kith_error err = {0};
    if (store_open(path, flags, &s, &err) != 0)
        fail_msg("opening %s: %s", path, err.msg);
    return s;
}

/* A demo database with a session, an API token and an audit entry too. */
static void make_db(const char *path)
{
    rm_db(path);
    struct store *s = open_store(path, STORE_CREATE);
    struct demo_options o = {.seed = 7, .contacts = CONTACTS};
    struct kith_error err = {0};
    if (demo_build(s, &o, NULL, &err) != 0)
        fail_msg("demo_build: %s", err.msg);
    int64_t id, now = store_now_ms();
    char hash[STORE_HASH_SIZE];
    memset(hash, 'a', STORE_HASH_SIZE - 1);
    hash[STORE_HASH_SIZE - 1] = '\0';
    assert_int_equal(store_session_create(s, 1, hash, hash, now, now + 60000, &id, &err), 0);
    hash[0] = 'b';
    assert_int_equal(store_token_create(s, 1, "backup test", hash, now, &id, &err), 0);
    struct store_audit_entry e = {.action = "test", .table_name = "users", .record_id = 1};
    assert_int_equal(store_audit_insert(s, &e, &id, &err), 0);
    store_close(s);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int64_t count_rows(const char *path, const char *table)
{
    sqlite3 *db;
    char sql[128];
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    int64_t n = query_int(db, sql);
    sqlite3_close(db);
    return n;
}

/* The same schema, the same user_version and the same rows in every table of a and b. */
static void assert_same_database(const char *a, const char *b)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(a, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    char *sql = sqlite3_mprintf("ATTACH %Q AS other", b);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(sql);
    assert_int_equal(query_int(db, "PRAGMA main.user_version"),
                     query_int(db, "PRAGMA other.user_version"));
    static const char schema_diff[] =
        "SELECT count(*) FROM (SELECT type, name, tbl_name, sql FROM %s.sqlite_schema EXCEPT "
        "SELECT type, name, tbl_name, sql FROM %s.sqlite_schema)";
    char buf[512];
    snprintf(buf, sizeof(buf), schema_diff, "main", "other");
    assert_int_equal(query_int(db, buf), 0);
    snprintf(buf, sizeof(buf), schema_diff, "other", "main");
    assert_int_equal(query_int(db, buf), 0);

    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name FROM main.sqlite_schema WHERE type = 'table'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    int tables = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        char *q = sqlite3_mprintf("SELECT (SELECT count(*) FROM main.\"%w\") -"
                                  " (SELECT count(*) FROM other.\"%w\")",
                                  t, t);
        if (query_int(db, q) != 0)
            fail_msg("%s has another number of rows in %s and %s", t, a, b);
        sqlite3_free(q);
        q = sqlite3_mprintf("SELECT count(*) FROM (SELECT * FROM main.\"%w\" EXCEPT"
                            " SELECT * FROM other.\"%w\")",
                            t, t);
        if (query_int(db, q) != 0)
            fail_msg("%s differs between %s and %s", t, a, b);
        sqlite3_free(q);
        tables++;
    }
    sqlite3_finalize(st);
    assert_true(tables >= (int)model_ntables);
    sqlite3_close(db);
}

/* The whole file, to check that a refused restore left it as it was; the caller frees it. */
static char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    char *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void assert_file_equals(const char *path, const char *want, size_t want_size)
{
    size_t size;
    char *got = slurp(path, &size);
    assert_int_equal(size, want_size);
    assert_memory_equal(got, want, size);
    free(got);
}

/* No "<path>.tmp-*" was left beside path. */
static void assert_no_temp_beside(const char *path)
{
    char pattern[4200];
    glob_t g;
    snprintf(pattern, sizeof(pattern), "%s.tmp-*", path);
    assert_int_equal(glob(pattern, 0, NULL, &g), GLOB_NOMATCH);
    globfree(&g);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

struct progress_seen {
    unsigned calls;
    uint64_t done, total;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct progress_seen *p = ctx;
    assert_true(done <= total);
    assert_true(done >= p->done);
    p->calls++;
    p->done = done;
    p->total = total;
}

static void backup_then_restore_keeps_every_table(void **state)
{
    (void)state;
    char db[512], bk[512], restored[512], side[600];
    make_db(test_tmp_path(db, sizeof(db), "orig.db"));
    test_tmp_path(bk, sizeof(bk), "backup.db");
    test_tmp_path(restored, sizeof(restored), "restored.db");

    struct store *s = open_store(db, STORE_READONLY);
    struct kith_error err = {0};
    struct progress_seen seen = {0};
    if (store_backup(s, bk, on_progress, &seen, &err) != 0)
        fail_msg("store_backup: %s", err.msg);
    store_close(s);
    assert_true(seen.calls >= 2);
    assert_true(seen.total > 2u << 20);
    assert_int_equal(seen.done, seen.total);

    /* One self-contained file, readable by its owner only, intact. */
    struct stat st;
    assert_int_equal(stat(bk, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(side, sizeof(side), "%s-wal", bk);
    assert_false(exists(side));
    assert_no_temp_beside(bk);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open_v2(bk, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
    sqlite3_finalize(q);
    sqlite3_close(raw);
    assert_same_database(db, bk);
    assert_int_equal(count_rows(bk, "contacts"), CONTACTS);
    assert_int_equal(count_rows(bk, "sessions"), 1);

    seen = (struct progress_seen){0};
    if (store_restore(bk, restored, on_progress, &seen, &err) != 0)
        fail_msg("store_restore: %s", err.msg);
    assert_true(seen.calls >= 1);
    assert_int_equal(seen.done, seen.total);
    assert_same_database(db, restored);
    assert_no_temp_beside(restored);
    /* Restored as kith runs a database: WAL mode, at the latest schema. */
    s = open_store(restored, STORE_READONLY);
    char mode[16];
    assert_int_equal(sqlite3_prepare_v2(store_db(s), "PRAGMA journal_mode", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    snprintf(mode, sizeof(mode), "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    assert_string_equal(mode, "wal");
    store_close(s);
    rm_db(db);
    rm_db(bk);
    rm_db(restored);
}

/* Writes one unit on another connection between two steps of the copy. */
struct writer {
    struct store *other;
    unsigned writes;
};

static void write_during_copy(void *ctx, uint64_t done, uint64_t total)
{
    struct writer *w = ctx;
    /* A few: were the copy restarted by each write, more would never let it finish. */
    if (done == total || w->writes == 3)
        return;
    char name[64];
    int n = snprintf(name, sizeof(name), "written during the backup %u", w->writes);
    const struct table_def *t = model_table("units");
    struct store_value vals[16] = {0};
    assert_true(t->nfields <= 16);
    for (size_t i = 0; i < t->nfields; i++) {
        if (strcmp(t->fields[i].name, "name") == 0)
            vals[i] = (struct store_value){.kind = SV_TEXT, .s = name, .len = (size_t)n};
        else if (strcmp(t->fields[i].name, "kind") == 0)
            vals[i] = (struct store_value){.kind = SV_TEXT, .s = "dealer", .len = 6};
    }
    struct kith_error err = {0};
    /* A write acknowledged while the backup holds its snapshot: the writer is not blocked. */
    if (store_insert(w->other, t, vals, NULL, &err) != 0)
        fail_msg("insert during the backup: %s", err.msg);
    w->writes++;
}

static void backup_is_the_snapshot_of_its_start(void **state)
{
    (void)state;
    char db[512], bk[512];
    make_db(test_tmp_path(db, sizeof(db), "busy.db"));
    test_tmp_path(bk, sizeof(bk), "busy-backup.db");
    int64_t units = count_rows(db, "units");

    struct store *s = open_store(db, STORE_READONLY);
    struct writer w = {.other = open_store(db, 0)};
    struct kith_error err = {0};
    if (store_backup(s, bk, write_during_copy, &w, &err) != 0)
        fail_msg("store_backup: %s", err.msg);
    store_close(w.other);
    store_close(s);
    assert_true(w.writes >= 1);
    assert_int_equal(count_rows(db, "units"), units + w.writes);
    assert_int_equal(count_rows(bk, "units"), units);
    assert_int_equal(count_rows(bk, "contacts"), CONTACTS);
    rm_db(db);
    rm_db(bk);
}

static void backup_refuses_the_database_itself_and_a_missing_directory(void **state)
{
    (void)state;
    char db[512], bad[600];
    make_db(test_tmp_path(db, sizeof(db), "self.db"));
    size_t size;
    char *before = slurp(db, &size);
    struct store *s = open_store(db, STORE_READONLY);
    struct kith_error err = {0};
    assert_int_equal(store_backup(s, db, NULL, NULL, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "the database itself"));
    snprintf(bad, sizeof(bad), "%s.nodir/backup.db", db);
    assert_int_equal(store_backup(s, bad, NULL, NULL, &err), KITH_EIO);
    assert_non_null(strstr(err.msg, "temporary file"));
    store_close(s);
    assert_file_equals(db, before, size);
    free(before);
    rm_db(db);
}

/* Zeroes the root page of table in the closed database at path. */
static void zero_root_page(const char *path, const char *table)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    int64_t page_size = query_int(db, "PRAGMA page_size");
    char *sql = sqlite3_mprintf("SELECT rootpage FROM sqlite_schema WHERE name = %Q", table);
    int64_t root = query_int(db, sql);
    sqlite3_free(sql);
    sqlite3_close(db);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, (long)((root - 1) * page_size), SEEK_SET), 0);
    char *zeros = calloc(1, (size_t)page_size);
    assert_non_null(zeros);
    assert_int_equal(fwrite(zeros, 1, (size_t)page_size, f), (size_t)page_size);
    free(zeros);
    assert_int_equal(fclose(f), 0);
}

static void set_user_version(const char *path, int version)
{
    sqlite3 *db;
    char sql[64];
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void copy_file(const char *from, const char *to)
{
    size_t size;
    char *buf = slurp(from, &size);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
    free(buf);
}

static void bad_sources_are_refused_and_the_target_untouched(void **state)
{
    (void)state;
    char target[512], good[512], src[512], want[64];
    make_db(test_tmp_path(good, sizeof(good), "good.db"));
    test_tmp_path(target, sizeof(target), "target.db");
    copy_file(good, target);
    size_t size;
    char *before = slurp(target, &size);
    struct kith_error err = {0};

    /* not a database at all */
    FILE *f = fopen(test_tmp_path(src, sizeof(src), "text.db"), "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database\n", f);
    fclose(f);
    assert_int_equal(store_restore(src, target, NULL, NULL, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "not a kith database"));
    assert_non_null(strstr(err.msg, src));
    rm_db(src);

    /* an SQLite database without kith's schema */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(test_tmp_path(src, sizeof(src), "other.db"), &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(store_restore(src, target, NULL, NULL, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "not a kith database"));
    rm_db(src);

    /* a damaged kith database */
    copy_file(good, test_tmp_path(src, sizeof(src), "damaged.db"));
    zero_root_page(src, "contacts");
    assert_int_equal(store_restore(src, target, NULL, NULL, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "is damaged"));
    assert_non_null(strstr(err.msg, src));
    rm_db(src);

    /* a kith database of a newer schema */
    copy_file(good, test_tmp_path(src, sizeof(src), "newer.db"));
    set_user_version(src, STORE_SCHEMA_VERSION + 1);
    assert_int_equal(store_restore(src, target, NULL, NULL, &err), KITH_EVERSION);
    snprintf(want, sizeof(want), "schema version %d", STORE_SCHEMA_VERSION + 1);
    assert_non_null(strstr(err.msg, want));
    snprintf(want, sizeof(want), "versions up to %d", STORE_SCHEMA_VERSION);
    assert_non_null(strstr(err.msg, want));
    rm_db(src);

    /* a missing file */
    test_tmp_path(src, sizeof(src), "missing.db");
    assert_int_equal(store_restore(src, target, NULL, NULL, &err), KITH_ENOTFOUND);

    assert_file_equals(target, before, size);
    assert_no_temp_beside(target);
    /* ... and still a good database */
    assert_same_database(good, target);
    free(before);
    rm_db(good);
    rm_db(target);
}

static void a_database_in_use_is_not_replaced(void **state)
{
    (void)state;
    char db[512], bk[512];
    make_db(test_tmp_path(bk, sizeof(bk), "in-use-backup.db"));
    test_tmp_path(db, sizeof(db), "in-use.db");
    struct store *s = open_store(db, STORE_CREATE); /* an empty kith database, open */
    struct kith_error err = {0};
    assert_int_equal(store_restore(bk, db, NULL, NULL, &err), KITH_ECONFLICT);
    assert_non_null(strstr(err.msg, "in use"));
    assert_int_equal(count_rows(db, "contacts"), 0);
    assert_no_temp_beside(db);
    store_close(s);
    /* once closed it is replaced, keeping its permissions */
    assert_int_equal(chmod(db, 0640), 0);
    if (store_restore(bk, db, NULL, NULL, &err) != 0)
        fail_msg("store_restore: %s", err.msg);
    assert_same_database(bk, db);
    struct stat st;
    assert_int_equal(stat(db, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    /* and the source itself is never the target */
    assert_int_equal(store_restore(db, db, NULL, NULL, &err), KITH_EINVAL);
    rm_db(db);
    rm_db(bk);
}

static void an_older_backup_is_upgraded(void **state)
{
    (void)state;
    char old[512], db[512];
    sqlite3 *raw;
    struct kith_error err = {0};
    assert_int_equal(sqlite3_open(test_tmp_path(old, sizeof(old), "v1.db"), &raw), SQLITE_OK);
    assert_int_equal(store_migrate(raw, 1, &err), 0);
    sqlite3_close(raw);
    test_tmp_path(db, sizeof(db), "upgraded.db");
    if (store_restore(old, db, NULL, NULL, &err) != 0)
        fail_msg("store_restore: %s", err.msg);
    struct store *s = open_store(db, STORE_READONLY);
    assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
    store_close(s);
    /* the source is left at its version */
    assert_int_equal(sqlite3_open_v2(old, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(query_int(raw, "PRAGMA user_version"), 1);
    sqlite3_close(raw);
    rm_db(old);
    rm_db(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backup_then_restore_keeps_every_table),
        cmocka_unit_test(backup_is_the_snapshot_of_its_start),
        cmocka_unit_test(backup_refuses_the_database_itself_and_a_missing_directory),
        cmocka_unit_test(bad_sources_are_refused_and_the_target_untouched),
        cmocka_unit_test(a_database_in_use_is_not_replaced),
        cmocka_unit_test(an_older_backup_is_upgraded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
