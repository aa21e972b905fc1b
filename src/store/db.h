/*
 * db.h - the store's statement-level database layer: one small API, shaped like the sqlite3_*
 * calls the store makes, over two drivers, so that the store's SQL is written once (issue 17,
 * docs/storage.md "PostgreSQL (in progress)"). db_sqlite.c passes each call through to SQLite;
 * db_pg.c runs it on PostgreSQL with libpq (named prepared statements, `?` placeholders turned
 * into `$n`, the SQLite spellings the store uses turned into PostgreSQL's: pg_dialect.h).
 *
 * Private to src/store/. Results: 0 (or DB_ROW / DB_DONE from db_step) on success, a negative
 * KITH_E* code on failure - KITH_ECONFLICT a unique key taken, KITH_EINVAL a missing referenced
 * row, a missing required value, a CHECK or a trigger's refusal, KITH_EDB anything else - with
 * the database's message in db_errmsg() until the next call on the connection.
 */
#ifndef KITH_STORE_DB_H
#define KITH_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "util/error.h"

enum db_kind { DB_SQLITE, DB_PG };

/* What db_step() found. */
enum { DB_DONE = 0, DB_ROW = 1 };

/* The type of a column's value in the current row. */
enum db_type { DB_NULL, DB_INTEGER, DB_FLOAT, DB_TEXT, DB_BLOB };

struct db;          /* a connection */
struct db_pg_stmt;  /* db_pg.c's half of a statement */
struct db_stmt_set; /* the statements kept per connection (db.c) */

/* A prepared statement: exactly one of lite and pg is set. Fields are the drivers' own. */
struct db_stmt {
    struct db *db;
    sqlite3_stmt *lite;
    struct db_pg_stmt *pg;
    bool kept; /* in the connection's cache: db_finalize() resets it instead */
};

struct db {
    enum db_kind kind;
    sqlite3 *lite; /* DB_SQLITE: the handle (not owned unless owns_lite) */
    bool owns_lite;
    struct db_pg *pg; /* DB_PG: db_pg.c's connection */
    struct db_stmt_set *kept;
    char errmsg[KITH_ERROR_MSG_MAX]; /* DB_PG: the last error */
};

/* Whether url names a PostgreSQL database (postgresql://... or postgres://...). */
bool db_url_is_pg(const char *url);

/*
 * A db over an open SQLite handle, which stays the caller's (db_close() leaves it open).
 * *out is the caller's; db_close() frees it.
 */
int db_wrap_sqlite(sqlite3 *handle, struct db **out, struct kith_error *err);

/*
 * Connects to the PostgreSQL database at url (libpq's connection URI): the session is set to
 * UTC, synchronous_commit=on and quiet notices. *out is the caller's; db_close() frees it.
 * KITH_EDB with libpq's message when it cannot connect.
 */
int db_open_pg(const char *url, struct db **out, struct kith_error *err);

/* Finalizes every kept statement and closes (a PostgreSQL connection; a wrapped SQLite handle
 * stays open). NULL is a no-op. */
void db_close(struct db *d);

static inline enum db_kind db_kind(const struct db *d)
{
    return d->kind;
}

/*
 * The statement for sql (SQLite's dialect: `?`/`?N` placeholders), from the connection's cache
 * of 32 kept by their text, prepared on first use; a fresh one when the kept one is in use. On
 * PostgreSQL, sql is translated (pg_dialect.h) and prepared under a name of its own. Every
 * statement got here goes back with db_finalize(). On failure *st is NULL.
 */
int db_prepare(struct db *d, const char *sql, struct db_stmt **st);

/* Gives st back: a kept statement is reset and its bindings cleared, another is freed. NULL is
 * a no-op. */
void db_finalize(struct db_stmt *st);

/* Bindings, 1-based as in SQLite (db_bind_int64 and db_bind_text are inline, below). Text and
 * blobs are copied. */
int db_bind_double(struct db_stmt *st, int i, double v);
int db_bind_blob(struct db_stmt *st, int i, const void *p, size_t len);
int db_bind_null(struct db_stmt *st, int i);
int db_bind_count(const struct db_stmt *st);

/* db_step(st) (inline, below) runs st on its first call after a bind or reset, then moves to the
 * next row: DB_ROW, DB_DONE or a negative code. */

/* Back to before the first db_step(); bindings stay. */
void db_reset(struct db_stmt *st);
void db_clear_bindings(struct db_stmt *st);

/*
 * Columns of the current row (0-based); db_column_int64, _double, _text (NULL for NULL) and
 * _bytes are inline, below. Text and blobs are valid until the next step or reset.
 */
int db_column_count(const struct db_stmt *st);
enum db_type db_column_type(struct db_stmt *st, int col);
const void *db_column_blob(struct db_stmt *st, int col);

/* Runs sql, one or more statements without parameters or rows (schema, transactions). */
int db_exec(struct db *d, const char *sql);

/* The rows the last INSERT, UPDATE or DELETE changed. */
int64_t db_changes(struct db *d);

/*
 * The id of the last row inserted: SQLite's rowid; on PostgreSQL the id column of the last
 * INSERT ... RETURNING id (write RETURNING id and read the row: that works on both).
 */
int64_t db_last_insert_id(struct db *d);

/*
 * A write transaction, one writer at a time as SQLite's BEGIN IMMEDIATE: on PostgreSQL BEGIN and
 * a transaction-scoped advisory lock every kith connection to the database takes to write.
 */
int db_begin(struct db *d);
int db_commit(struct db *d);
void db_rollback(struct db *d); /* when a transaction is open; never fails usefully */

/* The database's message for the last failure on d. */
const char *db_errmsg(struct db *d);

/* kith_err(err, code, "<what>: <db_errmsg(d)>"); returns code. */
int db_err(struct db *d, int code, const char *what, struct kith_error *err);

/* ---- the drivers (db_sqlite.c, db_pg.c), for db.c ---- */
int db_sqlite_result(struct db *d, int rc); /* an SQLite result code as db.h's */
int db_pg_prepare(struct db *d, const char *sql, struct db_stmt *st);
void db_pg_stmt_free(struct db_stmt *st);
int db_pg_bind(struct db_stmt *st, int i, const char *val, size_t len, bool binary);
int db_pg_bind_count(const struct db_stmt *st);
int db_pg_step(struct db_stmt *st);
void db_pg_reset(struct db_stmt *st);
void db_pg_clear_bindings(struct db_stmt *st);
int db_pg_column_count(const struct db_stmt *st);
enum db_type db_pg_column_type(struct db_stmt *st, int col);
const char *db_pg_column_raw(struct db_stmt *st, int col, size_t *len); /* NULL for NULL */
const void *db_pg_column_blob(struct db_stmt *st, int col, size_t *len);
int db_pg_exec(struct db *d, const char *sql);
/* Runs SQL that is PostgreSQL's already (the schema of migrations_pg.c): no translation. */
int db_pg_exec_native(struct db *d, const char *sql);
int64_t db_pg_changes(struct db *d);
int64_t db_pg_last_insert_id(struct db *d);
void db_pg_close(struct db *d);

/*
 * The SQLite path is a pass-through the compiler inlines: the store's hot paths (token lookups,
 * inserts during imports) cost what the sqlite3_* calls cost, plus one predictable branch.
 */
/* SQLITE_OK without a call; anything else through db_sqlite_result(). */
static inline int db_lite_rc(struct db *d, int rc)
{
    return rc == SQLITE_OK ? 0 : db_sqlite_result(d, rc);
}

static inline int db_step_lite(struct db_stmt *st)
{
    int rc = sqlite3_step(st->lite);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return db_sqlite_result(st->db, rc);
}

static inline int db_step(struct db_stmt *st)
{
    return st->lite ? db_step_lite(st) : db_pg_step(st);
}

static inline int64_t db_column_int64(struct db_stmt *st, int col)
{
    if (st->lite)
        return sqlite3_column_int64(st->lite, col);
    size_t len;
    const char *v = db_pg_column_raw(st, col, &len);
    if (!v)
        return 0;
    if ((v[0] == 't' || v[0] == 'f') && v[1] == '\0') /* a boolean */
        return v[0] == 't';
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end == '.' || *end == 'e' || *end == 'E') /* a numeric or a float: SQLite truncates */
        return (int64_t)strtod(v, NULL);
    return n;
}

static inline double db_column_double(struct db_stmt *st, int col)
{
    if (st->lite)
        return sqlite3_column_double(st->lite, col);
    size_t len;
    const char *v = db_pg_column_raw(st, col, &len);
    return v ? strtod(v, NULL) : 0.0;
}

static inline const char *db_column_text(struct db_stmt *st, int col)
{
    if (st->lite)
        return (const char *)sqlite3_column_text(st->lite, col);
    size_t len;
    return db_pg_column_raw(st, col, &len);
}

static inline size_t db_column_bytes(struct db_stmt *st, int col)
{
    if (st->lite)
        return (size_t)sqlite3_column_bytes(st->lite, col);
    size_t len = 0;
    if (db_pg_column_type(st, col) == DB_BLOB)
        db_pg_column_blob(st, col, &len);
    else
        db_pg_column_raw(st, col, &len);
    return len;
}

static inline int db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
    if (st->lite)
        return db_lite_rc(st->db, sqlite3_bind_int64(st->lite, i, v));
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);
    return db_pg_bind(st, i, buf, (size_t)n, false);
}

static inline int db_bind_text(struct db_stmt *st, int i, const char *s, size_t len)
{
    if (st->lite)
        return db_lite_rc(st->db,
                          sqlite3_bind_text64(st->lite, i, s, len, SQLITE_TRANSIENT, SQLITE_UTF8));
    return db_pg_bind(st, i, s, len, false);
}

#endif
