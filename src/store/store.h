/*
 * store.h - the only door to persistence. Nothing above this header writes SQL.
 *
 * The SQLite backend lives in sqlite.c and migrations.c; its internals stay in store_int.h.
 * Rows travel as arrays of struct store_value in the field order of their model/table.h
 * description, so import, export and the API share one generic path. Durability: WAL with
 * synchronous=FULL, so a write acknowledged by store_commit() survives power loss.
 */
#ifndef KITH_STORE_STORE_H
#define KITH_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/table.h"
#include "util/error.h"

/* The schema version this binary creates and understands. */
#define STORE_SCHEMA_VERSION 2

struct store;

enum store_open_flags {
    STORE_CREATE = 1 << 0,   /* create the file when missing */
    STORE_READONLY = 1 << 1, /* open for reading only; no migration */
};

/*
 * Opens (and with STORE_CREATE creates) the database at path, applies the pragmas and brings
 * its schema to STORE_SCHEMA_VERSION in one transaction. A database of a newer schema is refused
 * with KITH_EVERSION. On success *out is owned by the caller: release it with store_close().
 */
int store_open(const char *path, int flags, struct store **out, struct kith_error *err);

/* Checkpoints the WAL and closes. NULL is a no-op. */
void store_close(struct store *s);

/* The schema version of the open database. */
int store_schema_version(struct store *s);

/* Transactions. store_begin() starts an IMMEDIATE transaction (the writer lock is taken now). */
int store_begin(struct store *s, struct kith_error *err);
int store_commit(struct store *s, struct kith_error *err);
/* Rolls back the open transaction, if any; never fails in a way the caller can act on. */
void store_rollback(struct store *s);

enum store_value_kind { SV_NULL = 0, SV_INT, SV_REAL, SV_TEXT };

/* One column value. For SV_TEXT, s points to len bytes owned by whoever filled the value. */
struct store_value {
    enum store_value_kind kind;
    int64_t i;
    double r;
    const char *s;
    size_t len;
};

/*
 * Inserts one row of t. vals has t->nfields entries in field order; an SV_NULL id lets the
 * store assign one, an SV_NULL created_at becomes now. *id_out (when non-NULL) receives the id.
 * A taken unique key is KITH_ECONFLICT, a missing referenced row KITH_EINVAL; the message
 * names the column.
 */
int store_insert(struct store *s, const struct table_def *t, const struct store_value *vals,
                 int64_t *id_out, struct kith_error *err);

/*
 * Calls fn for each row of t in id order with t->nfields values (text valid during the call).
 * Secret fields come as SV_NULL. fn returns 0 to go on, anything else to stop; that value is
 * then returned.
 */
typedef int (*store_row_fn)(void *ctx, const struct store_value *vals);
int store_scan(struct store *s, const struct table_def *t, store_row_fn fn, void *ctx,
               struct kith_error *err);

/*
 * Finds the id of the row of t whose unique column equals the text key. KITH_ENOTFOUND if none.
 * column must be one of t's natural keys.
 */
int store_find_id(struct store *s, const struct table_def *t, const char *column, const char *key,
                  int64_t *id_out, struct kith_error *err);

/* True if t has a row with this id. */
bool store_row_exists(struct store *s, const struct table_def *t, int64_t id);

/* Number of rows of t into *n. */
int store_count(struct store *s, const struct table_def *t, int64_t *n, struct kith_error *err);

/* Size of the database in bytes (pages in use, main file). */
int store_size(struct store *s, int64_t *bytes, struct kith_error *err);

/* Copies the WAL into the main file and truncates it (on shutdown). */
int store_checkpoint(struct store *s, struct kith_error *err);

/* ---- sign-in (sessions.c) ---- */

/* Number of sessions whose expires_at is after now_ms. */
int store_count_open_sessions(struct store *s, int64_t now_ms, int64_t *n, struct kith_error *err);

/* Unix milliseconds now (the clock the store stamps created_at with). */
int64_t store_now_ms(void);

#endif
