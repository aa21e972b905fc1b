/*
 * watch.c - what a long-running process (kith serve) needs to notice writes made by others:
 * SQLite's data_version of a connection, a count of the commits made by this process, and a
 * cheap mark of the tables the RV snapshot reflects (store.h, "watching for writes";
 * docs/internals/rv.md, "Writes from other processes").
 */
#include "store/store_int.h"

#include <stdatomic.h>
#include <string.h>

#include "util/banned.h"

static atomic_uint_fast64_t g_commits;

int store_count_commit(void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&g_commits, 1);
    return 0; /* 0: let the commit go on */
}

uint64_t store_commit_count(void)
{
    return atomic_load(&g_commits);
}

static int read_int(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    *(int64_t *)ctx = sqlite3_column_int64(st, 0);
    return 0;
}

int store_data_version(struct store *s, int64_t *version, struct kith_error *err)
{
    struct store_rows q = {.sql = "PRAGMA data_version", .what = "reading the data version"};
    *version = 0;
    return store_each_row(s, &q, read_int, version, NULL, err);
}

/* The tables of enum store_mark_table, in that order. */
static const char mark_sql[] =
    "SELECT (SELECT count(*) FROM interactions), (SELECT coalesce(max(id), 0) FROM interactions),"
    " (SELECT count(*) FROM contacts), (SELECT coalesce(max(id), 0) FROM contacts),"
    " (SELECT count(*) FROM accounts), (SELECT coalesce(max(id), 0) FROM accounts),"
    " (SELECT count(*) FROM orders), (SELECT coalesce(max(id), 0) FROM orders),"
    " (SELECT count(*) FROM events), (SELECT coalesce(max(id), 0) FROM events),"
    " (SELECT count(*) FROM users), (SELECT coalesce(max(id), 0) FROM users),"
    " (SELECT count(*) FROM teams), (SELECT coalesce(max(id), 0) FROM teams),"
    " (SELECT count(*) FROM units), (SELECT coalesce(max(id), 0) FROM units),"
    " (SELECT count(*) FROM interaction_types), (SELECT coalesce(max(id), 0) FROM "
    "interaction_types)";

static int read_mark(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct store_change_mark *m = ctx;
    for (int t = 0; t < STORE_MARK_NTABLES; t++) {
        m->count[t] = sqlite3_column_int64(st, 2 * t);
        m->max_id[t] = sqlite3_column_int64(st, 2 * t + 1);
    }
    return 0;
}

int store_change_mark(struct store *s, struct store_change_mark *out, struct kith_error *err)
{
    _Static_assert(STORE_MARK_NTABLES == 9, "mark_sql names every table of store_mark_table");
    struct store_rows q = {.sql = mark_sql, .what = "reading the row counts"};
    memset(out, 0, sizeof(*out));
    return store_each_row(s, &q, read_mark, out, NULL, err);
}
