/*
 * db.c - what both drivers of db.h share: the statements kept per connection (keyed by their
 * SQL text, as stmt_cache.c does for the SQLite-only code) and the calls that are not inline.
 */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define DB_KEPT_SLOTS 32

struct db_slot {
    char *sql; /* owned; NULL for an empty slot */
    size_t len;
    uint64_t hash;
    struct db_stmt *st;
    bool busy; /* handed out and not yet given back */
};

struct db_stmt_set {
    struct db_slot slot[DB_KEPT_SLOTS];
    unsigned next_victim;
};

bool db_url_is_pg(const char *url)
{
    return url && (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0);
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static void stmt_free(struct db_stmt *st)
{
    if (!st)
        return;
    if (st->lite)
        sqlite3_finalize(st->lite);
    else
        db_pg_stmt_free(st);
    free(st);
}

static int stmt_new(struct db *d, const char *sql, size_t len, bool persistent,
                    struct db_stmt **out)
{
    *out = NULL;
    struct db_stmt *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(d->errmsg, sizeof(d->errmsg), "out of memory");
        return KITH_ENOMEM;
    }
    st->db = d;
    int rc;
    if (d->kind == DB_SQLITE) {
        rc = db_sqlite_result(d, sqlite3_prepare_v3(d->lite, sql, (int)len,
                                                    persistent ? SQLITE_PREPARE_PERSISTENT : 0,
                                                    &st->lite, NULL));
        if (rc == 0 && !st->lite) { /* only a comment or spaces */
            snprintf(d->errmsg, sizeof(d->errmsg), "no statement in the SQL");
            rc = KITH_EDB;
        }
    } else {
        rc = db_pg_prepare(d, sql, st);
    }
    if (rc < 0) {
        stmt_free(st);
        return rc;
    }
    *out = st;
    return 0;
}

int db_prepare(struct db *d, const char *sql, struct db_stmt **st)
{
    *st = NULL;
    size_t len = strlen(sql);
    if (!d->kept)
        d->kept = calloc(1, sizeof(*d->kept));
    struct db_stmt_set *c = d->kept;
    struct db_slot *free_slot = NULL;
    uint64_t h = fnv1a(sql, len);
    if (c) {
        for (int i = 0; i < DB_KEPT_SLOTS; i++) {
            struct db_slot *e = &c->slot[i];
            if (e->sql && e->hash == h && e->len == len && memcmp(e->sql, sql, len) == 0) {
                if (e->busy) /* asked again while in use (a nested query): a fresh one */
                    break;
                e->busy = true;
                *st = e->st;
                return 0;
            }
            if (!e->sql && !free_slot)
                free_slot = e;
        }
        if (!free_slot) { /* evict one that is not in use */
            for (int k = 0; k < DB_KEPT_SLOTS && !free_slot; k++) {
                struct db_slot *e = &c->slot[(c->next_victim + (unsigned)k) % DB_KEPT_SLOTS];
                if (!e->busy)
                    free_slot = e;
            }
            c->next_victim = (c->next_victim + 1) % DB_KEPT_SLOTS;
            if (free_slot) {
                stmt_free(free_slot->st);
                free(free_slot->sql);
                memset(free_slot, 0, sizeof(*free_slot));
            }
        }
    }
    int rc = stmt_new(d, sql, len, free_slot != NULL, st);
    if (rc < 0 || !free_slot)
        return rc;
    free_slot->sql = malloc(len + 1);
    if (!free_slot->sql) /* not kept: db_finalize() frees it */
        return 0;
    memcpy(free_slot->sql, sql, len + 1);
    free_slot->len = len;
    free_slot->hash = h;
    free_slot->st = *st;
    free_slot->busy = true;
    (*st)->kept = true;
    return 0;
}

void db_finalize(struct db_stmt *st)
{
    if (!st)
        return;
    if (!st->kept) {
        stmt_free(st);
        return;
    }
    db_reset(st);
    db_clear_bindings(st);
    struct db_stmt_set *c = st->db->kept;
    for (int i = 0; i < DB_KEPT_SLOTS; i++)
        if (c->slot[i].st == st) {
            c->slot[i].busy = false;
            return;
        }
    BUG("a kept statement is not in its connection's cache");
}

static void kept_free(struct db *d)
{
    struct db_stmt_set *c = d->kept;
    if (!c)
        return;
    for (int i = 0; i < DB_KEPT_SLOTS; i++) {
        /* one still handed out is a caller's leak; it goes with the connection all the same */
        stmt_free(c->slot[i].st);
        free(c->slot[i].sql);
    }
    free(c);
    d->kept = NULL;
}

void db_close(struct db *d)
{
    if (!d)
        return;
    kept_free(d);
    if (d->kind == DB_SQLITE) {
        if (d->owns_lite)
            sqlite3_close(d->lite);
    } else {
        db_pg_close(d);
    }
    free(d);
}

int db_bind_double(struct db_stmt *st, int i, double v)
{
    if (st->lite)
        return db_sqlite_result(st->db, sqlite3_bind_double(st->lite, i, v));
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%.17g", v);
    return db_pg_bind(st, i, buf, (size_t)n, false);
}

int db_bind_blob(struct db_stmt *st, int i, const void *p, size_t len)
{
    if (st->lite)
        return db_sqlite_result(st->db, sqlite3_bind_blob64(st->lite, i, p, len, SQLITE_TRANSIENT));
    return db_pg_bind(st, i, p, len, true);
}

int db_bind_null(struct db_stmt *st, int i)
{
    if (st->lite)
        return db_sqlite_result(st->db, sqlite3_bind_null(st->lite, i));
    return db_pg_bind(st, i, NULL, 0, false);
}

int db_bind_count(const struct db_stmt *st)
{
    return st->lite ? sqlite3_bind_parameter_count(st->lite) : db_pg_bind_count(st);
}

void db_reset(struct db_stmt *st)
{
    if (st->lite)
        sqlite3_reset(st->lite);
    else
        db_pg_reset(st);
}

void db_clear_bindings(struct db_stmt *st)
{
    if (st->lite)
        sqlite3_clear_bindings(st->lite);
    else
        db_pg_clear_bindings(st);
}

int db_column_count(const struct db_stmt *st)
{
    return st->lite ? sqlite3_column_count(st->lite) : db_pg_column_count(st);
}

enum db_type db_column_type(struct db_stmt *st, int col)
{
    if (!st->lite)
        return db_pg_column_type(st, col);
    switch (sqlite3_column_type(st->lite, col)) {
    case SQLITE_INTEGER:
        return DB_INTEGER;
    case SQLITE_FLOAT:
        return DB_FLOAT;
    case SQLITE_TEXT:
        return DB_TEXT;
    case SQLITE_BLOB:
        return DB_BLOB;
    default:
        return DB_NULL;
    }
}

const void *db_column_blob(struct db_stmt *st, int col)
{
    if (st->lite)
        return sqlite3_column_blob(st->lite, col);
    size_t len;
    return db_pg_column_blob(st, col, &len);
}

int db_exec(struct db *d, const char *sql)
{
    if (d->kind == DB_PG)
        return db_pg_exec(d, sql);
    return db_sqlite_result(d, sqlite3_exec(d->lite, sql, NULL, NULL, NULL));
}

int64_t db_changes(struct db *d)
{
    return d->kind == DB_SQLITE ? sqlite3_changes64(d->lite) : db_pg_changes(d);
}

int64_t db_last_insert_id(struct db *d)
{
    return d->kind == DB_SQLITE ? sqlite3_last_insert_rowid(d->lite) : db_pg_last_insert_id(d);
}

/* The advisory lock key every kith writer on a PostgreSQL database takes ("kith" in ASCII). */
#define DB_PG_WRITER_LOCK "1802070120"

int db_begin(struct db *d)
{
    if (d->kind == DB_SQLITE)
        return db_exec(d, "BEGIN IMMEDIATE");
    int rc = db_exec(d, "BEGIN; SELECT pg_advisory_xact_lock(" DB_PG_WRITER_LOCK ")");
    if (rc < 0)
        db_rollback(d);
    return rc;
}

int db_commit(struct db *d)
{
    int rc = db_exec(d, "COMMIT");
    if (rc < 0)
        db_rollback(d); /* never left holding the lock */
    return rc;
}

void db_rollback(struct db *d)
{
    if (d->kind == DB_SQLITE) {
        if (!sqlite3_get_autocommit(d->lite))
            sqlite3_exec(d->lite, "ROLLBACK", NULL, NULL, NULL);
        return;
    }
    char keep[sizeof(d->errmsg)];
    memcpy(keep, d->errmsg, sizeof(keep)); /* the message of the failure that led here stays */
    db_pg_exec(d, "ROLLBACK");
    memcpy(d->errmsg, keep, sizeof(keep));
}

const char *db_errmsg(struct db *d)
{
    return d->kind == DB_SQLITE ? sqlite3_errmsg(d->lite) : d->errmsg;
}

int db_err(struct db *d, int code, const char *what, struct kith_error *err)
{
    return kith_err(err, code, "%s: %s", what, db_errmsg(d));
}
