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

int store_deal_changes(struct store *s, int64_t *version, struct kith_error *err)
{
    struct store_rows q = {.sql = "SELECT changes FROM deal_inputs WHERE id = 1",
                           .what = "reading the version of the deals"};
    *version = 0;
    return store_each_row(s, &q, read_int, version, NULL, err);
}

/* The tables of enum store_mark_table, in that order. */
static const char mark_sql[] =
    "SELECT (SELECT count(*) FROM interactions WHERE id > ?1),"
    " (SELECT coalesce(max(id), 0) FROM interactions),"
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

/* The columns of the small tables that the snapshot reads (snapshot.c, read_rows). */
static const char *const catalogue_sql[] = {
    "SELECT id, rv, cost, level, phase, is_trigger, is_voc FROM interaction_types ORDER BY id",
    "SELECT id, name FROM units ORDER BY id",
    "SELECT id, name, unit_id FROM teams ORDER BY id",
    "SELECT id, email, name, team_id, unit_id FROM users ORDER BY id",
};

#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME  1099511628211ULL

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * FNV_PRIME;
    return h;
}

/* Folds every column of the row (its type, then its text form) into the hash. */
static int hash_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    uint64_t *h = ctx;
    for (int c = 0; c < sqlite3_column_count(st); c++) {
        unsigned char type = (unsigned char)sqlite3_column_type(st, c);
        *h = fnv(*h, &type, 1);
        if (type != SQLITE_NULL) {
            const unsigned char *text = sqlite3_column_text(st, c);
            *h = fnv(*h, text, (size_t)sqlite3_column_bytes(st, c) + 1); /* its NUL too */
        }
    }
    return 0;
}

int store_change_mark(struct store *s, int64_t interactions_after, struct store_change_mark *out,
                      struct kith_error *err)
{
    _Static_assert(STORE_MARK_NTABLES == 9, "mark_sql names every table of store_mark_table");
    const struct store_value after = {.kind = SV_INT, .i = interactions_after};
    struct store_rows q = {
        .sql = mark_sql, .binds = &after, .nbinds = 1, .what = "reading the row counts"};
    memset(out, 0, sizeof(*out));
    int rc = store_each_row(s, &q, read_mark, out, NULL, err);
    out->catalogue_hash = FNV_OFFSET;
    for (size_t i = 0; rc == 0 && i < sizeof(catalogue_sql) / sizeof(catalogue_sql[0]); i++) {
        struct store_rows c = {.sql = catalogue_sql[i], .what = "reading the catalogue"};
        rc = store_each_row(s, &c, hash_row, &out->catalogue_hash, NULL, err);
    }
    return rc;
}

int store_read_begin(struct store *s, struct kith_error *err)
{
    return store_exec(s->db, "BEGIN", err);
}

void store_read_end(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

struct id_list {
    int64_t *ids;
    size_t cap, n;
};

static int read_id(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct id_list *l = ctx;
    if (l->n < l->cap)
        l->ids[l->n] = sqlite3_column_int64(st, 0);
    l->n++;
    return 0;
}

int store_ids_between(struct store *s, const struct table_def *t, int64_t after, int64_t upto,
                      int64_t *ids, size_t cap, size_t *n, struct kith_error *err)
{
    const char *sql;
    if (strcmp(t->name, "interactions") == 0)
        sql = "SELECT id FROM interactions WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT ?3";
    else if (strcmp(t->name, "contacts") == 0)
        sql = "SELECT id FROM contacts WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT ?3";
    else
        BUG("store_ids_between(%s)", t->name);
    const struct store_value b[3] = {{.kind = SV_INT, .i = after},
                                     {.kind = SV_INT, .i = upto},
                                     {.kind = SV_INT, .i = (int64_t)cap + 1}};
    struct id_list l = {ids, cap, 0};
    struct store_rows q = {.sql = sql, .binds = b, .nbinds = 3, .what = "reading new rows"};
    int rc = store_each_row(s, &q, read_id, &l, NULL, err);
    *n = l.n;
    return rc;
}
