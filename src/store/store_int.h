/*
 * store_int.h - internals of the SQLite backend, shared by sqlite.c, migrations.c and the
 * store's unit tests. Nothing outside src/store/ and tests/unit/store/ includes it.
 */
#ifndef KITH_STORE_STORE_INT_H
#define KITH_STORE_STORE_INT_H

#include <sqlite3.h>

#include "store/store.h"

#define SQL_MAX 4096

struct table_stmts {
    sqlite3_stmt *insert;
    sqlite3_stmt *insert_rows; /* INSERT of insert_rows_n rows at once (store_insert_rows) */
    size_t insert_rows_n;
    sqlite3_stmt *scan;
    sqlite3_stmt *exists;
    sqlite3_stmt *count;
    sqlite3_stmt *find[TABLE_MAX_NATURAL_KEYS];
};

struct stmt_cache;
struct db;

struct store {
    sqlite3 *db;
    int version;
    struct table_stmts *stmts; /* one per model_tables[] entry */
    sqlite3_stmt *void_target; /* store_void_target() */
    struct stmt_cache *cache;  /* statements by SQL text (stmt_cache.c), made on first use */
    bool writing;              /* between store_begin() and its commit or rollback */
    bool group_sync;           /* STORE_GROUP_SYNC: synchronous=NORMAL, store_sync() */
    int64_t synced_changes;    /* sqlite3_total_changes() at the last store_sync() */
    /*
     * The same connection through db.h (store code ported to it: users.c, signing_keys.c): on
     * SQLite it wraps db; on PostgreSQL it is the connection, and db is NULL (pg_open.c).
     */
    struct db *conn;
    bool pg;
    char *url; /* PostgreSQL: the URL it was opened with (store_path) */
};

/* Opens the PostgreSQL store at url (store_open() for a postgresql:// path; pg_open.c). */
int store_open_pg(const char *url, int flags, struct store **out, struct kith_error *err);
void store_close_pg(struct store *s);

/* The SQL of migration version (1-based) on PostgreSQL, malloc'd (migrations_pg.c). */
int store_pg_migration_sql(int version, char **out, struct kith_error *err);

/* store_find_id() on db.h (users.c), for PostgreSQL. */
int store_find_id_db(struct store *s, const struct table_def *t, const char *column,
                     const char *key, int64_t *id_out, struct kith_error *err);

/* The schema version of a PostgreSQL database (0 when it has none). */
int store_pg_schema_version(struct db *d, int *version, struct kith_error *err);

/* Moves each identity of a PostgreSQL database past its table's largest id (after rows were
 * written with their ids given); db.h's code, the message in db_errmsg(d). */
int store_pg_resync_identities(struct db *d);

/* store_scan() on db.h (scan_db.c), for PostgreSQL. */
int store_scan_db(struct store *s, const struct table_def *t, store_row_fn fn, void *ctx,
                  struct kith_error *err);

/* Brings a PostgreSQL database to target in one transaction (store_migrate's twin). */
int store_pg_migrate(struct db *d, int target, struct kith_error *err);

/*
 * The prepared statement for sql (len bytes, no NUL needed) from s's cache, prepared and kept
 * on first use; a fresh statement when the kept one is in use or the cache cannot keep it. An
 * SQLite result code. Every statement got here is given back with store_stmt_done(), which
 * resets a kept one (bindings cleared) and finalizes the others.
 */
int store_stmt_get(struct store *s, const char *sql, size_t len, sqlite3_stmt **st);
void store_stmt_done(struct store *s, sqlite3_stmt *st);

/* Finalizes every kept statement (store_close). */
void store_stmt_cache_free(struct store *s);

/* The commit hook store_open() sets on every connection (watch.c, store_commit_count). */
int store_count_commit(void *ctx);

/* KITH_EDB "<what>: <SQLite's message>" in err; returns KITH_EDB. */
int store_db_err(struct kith_error *err, sqlite3 *db, const char *what);

/* Runs sql (no rows, no values); 0 or KITH_EDB with SQLite's message. */
int store_exec(sqlite3 *db, const char *sql, struct kith_error *err);

/* Runs sql, which yields one integer, into *out; KITH_EDB saying what failed otherwise. */
int store_query_int64(sqlite3 *db, const char *sql, int64_t *out, const char *what,
                      struct kith_error *err);

/* store_migrations[i] takes version i to i + 1. */
extern const char *const store_migrations[];
extern const int store_nmigrations;

/*
 * Brings db from its user_version to target (<= store_nmigrations) in one transaction.
 * Refuses a database newer than this binary with KITH_EVERSION naming both versions.
 */
int store_migrate(sqlite3 *db, int target, struct kith_error *err);

/*
 * The version check of store_open() and the migrations (SQLite and PostgreSQL), also for a
 * database read another way (store_restore()): a version newer than this binary's migrations is
 * KITH_EVERSION naming path ("the database" when NULL) and both versions.
 */
int store_check_version(const char *path, int version, struct kith_error *err);

/* Binds v to parameter col (1-based) of st; an SQLite result code. */
int store_bind_value(sqlite3_stmt *st, int col, const struct store_value *v);

/* Reads column col of the current row of st into v (text valid until the next step). */
void store_column_value(sqlite3_stmt *st, int col, struct store_value *v);

/*
 * Maps the failure of a write to a row of t: a taken unique key is KITH_ECONFLICT, a missing
 * referenced row KITH_EINVAL, a missing required value KITH_EINVAL (each naming the column),
 * anything else KITH_EDB with what and SQLite's message.
 */
int store_write_error(struct store *s, const struct table_def *t, const char *what,
                      struct kith_error *err);

/* One row of a query (store_each_row): 0 to go on, anything else stops and is returned. */
typedef int (*store_stmt_fn)(void *ctx, sqlite3_stmt *st, struct kith_error *err);

/* A query for store_each_row: either SQL text or a statement the caller keeps. */
struct store_rows {
    const char *sql;                 /* prepared for the call and finalized after, or */
    sqlite3_stmt *st;                /* a cached statement: reset and unbound after, not freed */
    const struct store_value *binds; /* bound to ?1..?nbinds; those past the statement's */
    int nbinds;                      /* highest parameter are left out, so queries can share */
    const char *what;                /* starts every error message: "reading the audit log" */
};

/*
 * The store's one loop over the rows of a query: binds q->binds, steps to the end and calls
 * fn(ctx, st, err) with each row; fn's nonzero return stops the loop and is returned. Failing
 * to prepare, bind or step is KITH_EDB "<what>: <SQLite's message>". *nrows (when non-NULL)
 * gets the rows fn saw. Every statement it prepares is finalized on every path.
 */
int store_each_row(struct store *s, const struct store_rows *q, store_stmt_fn fn, void *ctx,
                   size_t *nrows, struct kith_error *err);

/*
 * The loaders' growth rule: *arr (*cap elements of size elem) grows by doubling, from 256, to
 * hold at least need elements; more than max is KITH_ERANGE "too many <what> to analyse (more
 * than max)", no memory KITH_ENOMEM. *arr and *cap change only on success.
 */
int store_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t max, const char *what,
               struct kith_error *err);

/* A malloc'd copy of column col's text (the caller frees it), or NULL for NULL or ''; *fail is
 * set when the copy could not be made. */
char *store_text_dup(sqlite3_stmt *st, int col, bool *fail);

/*
 * Restriction (docs/portal.md, "Restriction"), the one predicate in SQL: the contacts with a
 * restriction request in force (model/dsr.h, dsr_restricts()). Loaders of analytics leave out
 * the rows of these contacts: `contact_id NOT IN (" STORE_RESTRICTED_CONTACTS ")`.
 */
#define STORE_RESTRICTED_CONTACTS                                                                  \
    "SELECT contact_id FROM dsrs WHERE kind = 'restriction'"                                       \
    " AND status IN ('open', 'extended', 'completed')"

/* How long a connection waits for another's lock (sqlite3_busy_timeout) before SQLITE_BUSY. */
#define STORE_BUSY_TIMEOUT_MS 5000

/* The raw handle, for tests. */
sqlite3 *store_db(struct store *s);

#endif
