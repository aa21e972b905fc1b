/*
 * sqlite.c - the SQLite backend behind store.h: opening a database (pragmas, migrations, a hot
 * journal), transactions with the in-process writer queue and the group fsync, and the table
 * statements (insert, scan, find). Bulk loading is in bulk.c, list queries and scopes in query.c.
 *
 * SQL is built here only from the static table descriptions of model/table.h (never from data);
 * every value is bound to a prepared statement. Statements are prepared once per table and
 * cached on the store, so bulk paths (import, demo) cost one sqlite3_step per row.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db.h"
#include "util/alloc.h"

#include "util/banned.h"

sqlite3 *store_db(struct store *s)
{
    return s->db;
}

const char *store_path(struct store *s)
{
    if (s->pg)
        return s->url;
    const char *p = sqlite3_db_filename(s->db, "main");
    return p ? p : "";
}

int64_t store_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int store_db_err(struct kith_error *err, sqlite3 *db, const char *what)
{
    return kith_err(err, KITH_EDB, "%s: %s", what, sqlite3_errmsg(db));
}

int store_exec(sqlite3 *db, const char *sql, struct kith_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        kith_err(err, KITH_EDB, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return KITH_EDB;
    }
    return 0;
}

static int user_version(sqlite3 *db, int *v, struct kith_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, db, "reading the schema version");
    int rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_db_err(err, db, "reading the schema version");
}

/* Brings db to target in one transaction (store_migrate). */
static int migrate_in_transaction(sqlite3 *db, int target, struct kith_error *err)
{
    int v, rc;
    if (target > store_nmigrations)
        BUG("migration target %d beyond the last migration %d", target, store_nmigrations);
    if ((rc = store_exec(db, "BEGIN IMMEDIATE", err)) < 0)
        return rc;
    if ((rc = user_version(db, &v, err)) < 0)
        goto out_rollback;
    if ((rc = store_check_version(NULL, v, err)) < 0)
        goto out_rollback;
    for (; v < target; v++) {
        if ((rc = store_exec(db, store_migrations[v], err)) < 0) {
            kith_err_prefix(err, "migration to schema version %d", v + 1);
            goto out_rollback;
        }
    }
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
    if ((rc = store_exec(db, sql, err)) < 0)
        goto out_rollback;
    return store_exec(db, "COMMIT", err);

out_rollback:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int store_migrate(sqlite3 *db, int target, struct kith_error *err)
{
    /*
     * Foreign keys are off while migrations run, as SQLite prescribes for schema changes (it
     * cannot switch them inside the transaction): dropping a table that is rebuilt (migration
     * 4) would otherwise first delete its rows one at a time, updating every index. Migrations
     * keep references valid by construction: they copy rows as they are.
     */
    sqlite3_stmt *st;
    bool fk = false;
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_keys", -1, &st, NULL) == SQLITE_OK) {
        fk = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if (fk)
        sqlite3_exec(db, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL);
    int rc = migrate_in_transaction(db, target, err);
    if (fk)
        sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    return rc;
}

/* Whether db's file has a hot journal that this read-only connection cannot roll back. */
static bool has_hot_journal(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return false;
    bool hot =
        sqlite3_step(st) != SQLITE_ROW && sqlite3_extended_errcode(db) == SQLITE_READONLY_ROLLBACK;
    sqlite3_finalize(st);
    return hot;
}

/*
 * A process killed inside a write transaction in rollback-journal mode (an import that had the
 * database to itself: store_bulk_begin) leaves a hot journal, and only a connection that may
 * write can roll it back. So that read-only commands (export, stats, rv) work after such a
 * crash, they open the file for writing once, and SQLite's first read rolls the journal back:
 * the file returns to its last committed state, as it would when the next writer opened it.
 */
static int roll_back_hot_journal(const char *path, struct kith_error *err)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        rc = sqlite3_exec(db, "PRAGMA user_version", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK)
        rc = kith_err(err, KITH_EDB,
                      "cannot open database %s: a write that was interrupted left a journal to"
                      " roll back, which needs write access to the file and its directory (%s)",
                      path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return rc;
}

/*
 * SQLite's memory statistics take one process-wide mutex on every allocation, which the server's
 * worker threads then queue on; kith reads none of them. Set before SQLite's first use.
 */
static void sqlite_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, int flags, struct store **out, struct kith_error *err)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    pthread_once(&configured, sqlite_configure);
    *out = NULL;
    if (store_path_is_pg(path))
        return store_open_pg(path, flags, out, err);
    int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if ((flags & STORE_CREATE) && !(flags & STORE_READONLY))
        oflags |= SQLITE_OPEN_CREATE;
    oflags |= SQLITE_OPEN_NOMUTEX;

    struct store *s = calloc(1, sizeof(*s));
    if (!s)
        return kith_err(err, KITH_ENOMEM, "out of memory opening %s", path);
    s->stmts = alloc_array_zero(model_ntables, sizeof(*s->stmts));
    if (!s->stmts) {
        free(s);
        return kith_err(err, KITH_ENOMEM, "out of memory opening %s", path);
    }
    int rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
    if (rc == SQLITE_OK && (flags & STORE_READONLY) && has_hot_journal(s->db)) {
        sqlite3_close(s->db);
        s->db = NULL;
        if ((rc = roll_back_hot_journal(path, err)) < 0)
            goto out_close;
        rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
    }
    if (rc != SQLITE_OK) {
        if (rc == SQLITE_CANTOPEN && !(flags & STORE_CREATE))
            rc = kith_err(err, KITH_ENOTFOUND,
                          "cannot open database %s: no such file (run 'kith init' first)", path);
        else
            rc = kith_err(err, KITH_EDB, "cannot open database %s: %s", path,
                          s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        goto out_close;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    sqlite3_commit_hook(s->db, store_count_commit, NULL);
    if (!(flags & STORE_READONLY)) {
        if ((rc = store_exec(s->db, "PRAGMA journal_mode=WAL", err)) < 0)
            goto out_prefix;
    }
    s->group_sync = (flags & STORE_GROUP_SYNC) && !(flags & STORE_READONLY);
    /*
     * secure_delete on every connection (some builds of SQLite have it by default, not all): a
     * row rewritten or deleted leaves zeros, not its old bytes, so that a contact's values that
     * were once written elsewhere in the file are not left behind when it is erased
     * (store_contact_erase(); docs/portal.md, "Erasure").
     */
    if ((rc = store_exec(s->db,
                         s->group_sync ? "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                                         " PRAGMA secure_delete=ON"
                                       : "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                                         " PRAGMA secure_delete=ON",
                         err)) < 0)
        goto out_prefix;
    if ((rc = user_version(s->db, &s->version, err)) < 0)
        goto out_prefix;
    if (s->version > store_nmigrations) {
        rc = kith_err(err, KITH_EVERSION,
                      "database %s has schema version %d but this kith knows versions up to %d;"
                      " use a newer kith",
                      path, s->version, store_nmigrations);
        goto out_close;
    }
    if (s->version < STORE_SCHEMA_VERSION) {
        if (flags & STORE_READONLY) {
            rc = kith_err(err, KITH_EVERSION,
                          "database %s has schema version %d; open it for writing once to"
                          " upgrade it to version %d",
                          path, s->version, STORE_SCHEMA_VERSION);
            goto out_close;
        }
        if ((rc = store_migrate(s->db, STORE_SCHEMA_VERSION, err)) < 0)
            goto out_prefix;
        s->version = STORE_SCHEMA_VERSION;
    }
    if ((rc = db_wrap_sqlite(s->db, &s->conn, err)) < 0)
        goto out_close;
    *out = s;
    return 0;

out_prefix:
    kith_err_prefix(err, "opening %s", path);
out_close:
    store_close(s);
    return rc;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    if (s->pg) {
        store_close_pg(s);
        return;
    }
    db_close(s->conn); /* its kept statements; the handle stays for the lines below */
    if (s->stmts) {
        for (size_t i = 0; i < model_ntables; i++) {
            struct table_stmts *ts = &s->stmts[i];
            sqlite3_finalize(ts->insert);
            sqlite3_finalize(ts->insert_rows);
            sqlite3_finalize(ts->scan);
            sqlite3_finalize(ts->exists);
            sqlite3_finalize(ts->count);
            for (int k = 0; k < TABLE_MAX_NATURAL_KEYS; k++)
                sqlite3_finalize(ts->find[k]);
        }
        free(s->stmts);
    }
    sqlite3_finalize(s->void_target);
    store_stmt_cache_free(s);
    if (s->db) /* a transaction left open is rolled back and the writer lock given back */
        store_rollback(s);
    sqlite3_close(s->db);
    free(s);
}

int store_schema_version(struct store *s)
{
    return s->version;
}

/*
 * One writer at a time within the process: the server's worker threads each have a connection,
 * and a connection that finds SQLite's write lock taken sleeps in the busy handler for 1 to
 * 100 ms before it looks again, whereas a thread queued on this mutex starts the moment the
 * writer before it commits. Other processes (kith import beside kith serve) still meet SQLite's
 * lock and its busy timeout.
 */
static pthread_mutex_t g_writer = PTHREAD_MUTEX_INITIALIZER;

static void writer_release(struct store *s)
{
    if (s->writing) {
        s->writing = false;
        pthread_mutex_unlock(&g_writer);
    }
}

int store_begin(struct store *s, struct kith_error *err)
{
    if (s->pg) {
        int rc = db_begin(s->conn);
        s->writing = rc == 0;
        return rc < 0 ? db_err(s->conn, rc, "starting a transaction", err) : 0;
    }
    if (s->writing) /* SQLite refuses a transaction within a transaction: say so */
        return store_exec(s->db, "BEGIN IMMEDIATE", err);
    pthread_mutex_lock(&g_writer);
    s->writing = true;
    int rc = store_exec(s->db, "BEGIN IMMEDIATE", err);
    if (rc < 0)
        writer_release(s);
    return rc;
}

int store_commit(struct store *s, struct kith_error *err)
{
    if (s->pg) {
        int rc = db_commit(s->conn);
        s->writing = false;
        return rc < 0 ? db_err(s->conn, rc, "committing", err) : 0;
    }
    int rc = store_exec(s->db, "COMMIT", err);
    if (rc < 0 && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); /* never left holding the lock */
    writer_release(s);
    return rc;
}

void store_rollback(struct store *s)
{
    if (s->pg) {
        if (s->writing)
            db_rollback(s->conn);
        s->writing = false;
        return;
    }
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    writer_release(s);
}

/*
 * Group commit: the syncs are numbered as they start; a caller whose writes are done needs a sync
 * that starts after now, numbered started + 1 or later. The first caller to find no sync running
 * starts one and covers everyone who arrived before it; the others wait for it.
 */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t done_cv;
    uint64_t started; /* syncs started so far */
    uint64_t done;    /* the number of the last sync that finished */
    bool running;
    int last_rc; /* SQLite result of that sync */
} g_sync = {.mu = PTHREAD_MUTEX_INITIALIZER, .done_cv = PTHREAD_COND_INITIALIZER};

/* fsync of the WAL file (any connection's handle on it syncs the same file). */
static int wal_fsync(struct store *s)
{
    sqlite3_file *wal = NULL;
    int rc = sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
    if (rc != SQLITE_OK)
        return rc;
    if (!wal || !wal->pMethods) /* no WAL open: every commit went to the database file */
        return SQLITE_OK;
    return wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
}

int store_sync(struct store *s, struct kith_error *err)
{
    if (!s->group_sync)
        return 0;
    int64_t changes = sqlite3_total_changes64(s->db);
    if (changes == s->synced_changes)
        return 0;
    pthread_mutex_lock(&g_sync.mu);
    uint64_t need = g_sync.started + 1;
    int rc = SQLITE_OK;
    while (g_sync.done < need) {
        if (g_sync.running) {
            pthread_cond_wait(&g_sync.done_cv, &g_sync.mu);
            continue;
        }
        g_sync.running = true;
        uint64_t mine = ++g_sync.started;
        pthread_mutex_unlock(&g_sync.mu);
        int frc = wal_fsync(s);
        pthread_mutex_lock(&g_sync.mu);
        g_sync.running = false;
        g_sync.done = mine;
        g_sync.last_rc = frc;
        pthread_cond_broadcast(&g_sync.done_cv);
    }
    rc = g_sync.last_rc;
    pthread_mutex_unlock(&g_sync.mu);
    if (rc != SQLITE_OK)
        return kith_err(err, KITH_EIO, "making the change durable (fsync of the WAL): %s",
                        sqlite3_errstr(rc));
    s->synced_changes = changes;
    return 0;
}

static struct table_stmts *stmts_for(struct store *s, const struct table_def *t)
{
    for (size_t i = 0; i < model_ntables; i++)
        if (model_tables[i] == t)
            return &s->stmts[i];
    BUG("table %s is not in model_tables", t->name);
}

/* Appends text to buf (of SQL_MAX bytes) at *pos; the SQL is built from constants only. */
static void sql_add(char *buf, size_t *pos, const char *text)
{
    size_t n = strlen(text);
    if (*pos + n + 1 > SQL_MAX)
        BUG("generated SQL longer than %d bytes", SQL_MAX);
    memcpy(buf + *pos, text, n + 1);
    *pos += n;
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct kith_error *err)
{
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return store_db_err(err, s->db, "preparing a statement");
    return 0;
}

int store_bind_value(sqlite3_stmt *st, int col, const struct store_value *v)
{
    switch (v->kind) {
    case SV_NULL:
        return sqlite3_bind_null(st, col);
    case SV_INT:
        return sqlite3_bind_int64(st, col, v->i);
    case SV_REAL:
        return sqlite3_bind_double(st, col, v->r);
    case SV_TEXT:
        return sqlite3_bind_text64(st, col, v->s, v->len, SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    return SQLITE_MISUSE;
}

/* "UNIQUE constraint failed: contacts.email" -> "contacts.email" */
static const char *constraint_column(sqlite3 *db)
{
    const char *m = sqlite3_errmsg(db);
    const char *c = strstr(m, "failed: ");
    return c ? c + 8 : m;
}

int store_write_error(struct store *s, const struct table_def *t, const char *what,
                      struct kith_error *err)
{
    int ext = sqlite3_extended_errcode(s->db);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return kith_err(err, KITH_ECONFLICT, "duplicate key: %s already has a row with this value",
                        constraint_column(s->db));
    if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
        return kith_err(err, KITH_EINVAL, "a referenced %s row does not exist", t->singular);
    if (ext == SQLITE_CONSTRAINT_NOTNULL)
        return kith_err(err, KITH_EINVAL, "missing required value: %s", constraint_column(s->db));
    if (ext == SQLITE_CONSTRAINT_TRIGGER) /* a rule of a trigger: "field: why" (migrations.c) */
        return kith_err(err, KITH_EINVAL, "%s", sqlite3_errmsg(s->db));
    if (ext == SQLITE_CONSTRAINT_CHECK) /* a named rule of the schema (quota periods) */
        return kith_err(err, KITH_EINVAL, "the %s breaks the rule %s", t->singular,
                        constraint_column(s->db));
    return store_db_err(err, s->db, what);
}

/* "INSERT INTO t (f1, ..., fn) VALUES (?, ...)" with nrows rows of parameters, into *st. */
static int prepare_insert(struct store *s, const struct table_def *t, size_t nrows,
                          sqlite3_stmt **st, struct kith_error *err)
{
    /* Longer than SQL_MAX for many rows: sized here, from constants only. */
    size_t cap = 64 + strlen(t->name) + nrows * (4 + 3 * t->nfields);
    for (size_t i = 0; i < t->nfields; i++)
        cap += strlen(t->fields[i].name) + 2;
    char *sql = malloc(cap);
    if (!sql)
        return kith_err(err, KITH_ENOMEM, "out of memory preparing an insert");
    size_t pos = (size_t)snprintf(sql, cap, "INSERT INTO %s (", t->name);
    for (size_t i = 0; i < t->nfields; i++)
        pos += (size_t)snprintf(sql + pos, cap - pos, "%s%s", i ? ", " : "", t->fields[i].name);
    pos += (size_t)snprintf(sql + pos, cap - pos, ") VALUES ");
    for (size_t r = 0; r < nrows; r++) {
        pos += (size_t)snprintf(sql + pos, cap - pos, "%s(?", r ? "," : "");
        for (size_t i = 1; i < t->nfields; i++)
            pos += (size_t)snprintf(sql + pos, cap - pos, ",?");
        pos += (size_t)snprintf(sql + pos, cap - pos, ")");
    }
    if (pos >= cap)
        BUG("insert statement of %s longer than computed", t->name);
    int rc = prepare(s, sql, st, err);
    free(sql);
    return rc;
}

/*
 * Binds one row's values to parameters first.. of st. An SV_NULL created_at becomes now,
 * read into *now_ms (0 until then) once: bulk loads insert millions of rows.
 */
static int bind_row(sqlite3_stmt *st, int first, const struct table_def *t,
                    const struct store_value *vals, int64_t *now_ms, bool copy_text)
{
    for (size_t i = 0; i < t->nfields; i++) {
        const struct store_value *v = &vals[i];
        int col = first + (int)i, rc;
        if (v->kind == SV_NULL && strcmp(t->fields[i].name, "created_at") == 0)
            rc = sqlite3_bind_int64(st, col, *now_ms ? *now_ms : (*now_ms = store_now_ms()));
        else if (v->kind == SV_TEXT && !copy_text)
            rc = sqlite3_bind_text64(st, col, v->s, v->len, SQLITE_STATIC, SQLITE_UTF8);
        else
            rc = store_bind_value(st, col, v);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

int store_insert(struct store *s, const struct table_def *t, const struct store_value *vals,
                 int64_t *id_out, struct kith_error *err)
{
    struct table_stmts *ts = stmts_for(s, t);
    int rc;
    if (!ts->insert && (rc = prepare_insert(s, t, 1, &ts->insert, err)) < 0)
        return rc;
    /*
     * Every parameter is bound again on each call, so the bindings are not cleared after the
     * step; text is copied (SQLITE_TRANSIENT) because the statement outlives the caller's data.
     */
    sqlite3_stmt *st = ts->insert;
    int64_t now_ms = 0;
    if (bind_row(st, 1, t, vals, &now_ms, true) != SQLITE_OK) {
        rc = store_db_err(err, s->db, "binding a value");
        goto out_reset;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        if (id_out)
            *id_out = sqlite3_last_insert_rowid(s->db);
        rc = 0;
    } else {
        rc = store_write_error(s, t, "inserting a row", err);
    }
out_reset:
    sqlite3_reset(st);
    return rc;
}

/* Rows per statement of store_insert_rows: more saves little, and SQLite caps parameters. */
#define INSERT_ROWS_MAX 64

int store_insert_rows(struct store *s, const struct table_def *t,
                      const struct store_value *const *rows, size_t n, size_t *done,
                      struct kith_error *err)
{
    struct table_stmts *ts = stmts_for(s, t);
    int rc;
    *done = 0;
    if (!ts->insert_rows) {
        int params = sqlite3_limit(s->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
        size_t per = (size_t)params / t->nfields;
        ts->insert_rows_n = per < INSERT_ROWS_MAX ? per : INSERT_ROWS_MAX;
        if (ts->insert_rows_n > 1 &&
            (rc = prepare_insert(s, t, ts->insert_rows_n, &ts->insert_rows, err)) < 0)
            return rc;
    }
    int64_t now_ms = 0;
    /*
     * Text is bound without a copy (SQLITE_STATIC): it is only read by the step below, and
     * every parameter is bound again before the statement runs next.
     */
    while (ts->insert_rows && n - *done >= ts->insert_rows_n) {
        sqlite3_stmt *st = ts->insert_rows;
        for (size_t r = 0; r < ts->insert_rows_n; r++) {
            if (bind_row(st, 1 + (int)(r * t->nfields), t, rows[*done + r], &now_ms, false) !=
                SQLITE_OK) {
                rc = store_db_err(err, s->db, "binding a value");
                sqlite3_reset(st);
                return rc;
            }
        }
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? 0 : store_write_error(s, t, "inserting rows", err);
        sqlite3_reset(st);
        if (rc < 0)
            return rc;
        *done += ts->insert_rows_n;
    }
    for (; *done < n; ++*done)
        if ((rc = store_insert(s, t, rows[*done], NULL, err)) < 0)
            return rc;
    return 0;
}

void store_column_value(sqlite3_stmt *st, int col, struct store_value *v)
{
    memset(v, 0, sizeof(*v));
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER:
        v->kind = SV_INT;
        v->i = sqlite3_column_int64(st, col);
        break;
    case SQLITE_FLOAT:
        v->kind = SV_REAL;
        v->r = sqlite3_column_double(st, col);
        break;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
        v->kind = SV_TEXT;
        v->s = (const char *)sqlite3_column_text(st, col);
        v->len = (size_t)sqlite3_column_bytes(st, col);
        break;
    default:
        v->kind = SV_NULL;
    }
}

/* A scan's rows, each read into vals and given to fn. */
struct scan_rows {
    const struct table_def *t;
    struct store_value *vals;
    store_row_fn fn;
    void *ctx;
};

static int scan_row(void *arg, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct scan_rows *r = arg;
    for (size_t i = 0; i < r->t->nfields; i++)
        store_column_value(st, (int)i, &r->vals[i]);
    return r->fn(r->ctx, r->vals);
}

int store_scan(struct store *s, const struct table_def *t, store_row_fn fn, void *ctx,
               struct kith_error *err)
{
    if (s->pg)
        return store_scan_db(s, t, fn, ctx, err);
    struct table_stmts *ts = stmts_for(s, t);
    int rc;
    if (!ts->scan) {
        char sql[SQL_MAX];
        size_t pos = 0;
        sql_add(sql, &pos, "SELECT ");
        for (size_t i = 0; i < t->nfields; i++) {
            sql_add(sql, &pos, i ? ", " : "");
            sql_add(sql, &pos, t->fields[i].secret ? "NULL" : t->fields[i].name);
        }
        sql_add(sql, &pos, " FROM ");
        sql_add(sql, &pos, t->name);
        sql_add(sql, &pos, " ORDER BY id");
        if ((rc = prepare(s, sql, &ts->scan, err)) < 0)
            return rc;
    }
    struct scan_rows r = {t, alloc_array_zero(t->nfields, sizeof(*r.vals)), fn, ctx};
    if (!r.vals)
        return kith_err(err, KITH_ENOMEM, "out of memory scanning %s", t->name);
    rc = store_each_row(s, &(const struct store_rows){.st = ts->scan, .what = "reading rows"},
                        scan_row, &r, NULL, err);
    free(r.vals);
    return rc;
}

int store_find_id(struct store *s, const struct table_def *t, const char *column, const char *key,
                  int64_t *id_out, struct kith_error *err)
{
    struct table_stmts *ts = stmts_for(s, t);
    int k = 0, rc;
    while (k < TABLE_MAX_NATURAL_KEYS && t->natural_keys[k] && strcmp(t->natural_keys[k], column))
        k++;
    if (k == TABLE_MAX_NATURAL_KEYS || !t->natural_keys[k])
        BUG("%s is not a natural key of %s", column, t->name);
    if (s->pg)
        return store_find_id_db(s, t, column, key, id_out, err);
    if (!ts->find[k]) {
        char sql[SQL_MAX];
        size_t pos = 0;
        sql_add(sql, &pos, "SELECT id FROM ");
        sql_add(sql, &pos, t->name);
        sql_add(sql, &pos, " WHERE ");
        sql_add(sql, &pos, column);
        sql_add(sql, &pos, " = ? ORDER BY id LIMIT 1");
        if ((rc = prepare(s, sql, &ts->find[k], err)) < 0)
            return rc;
    }
    sqlite3_stmt *st = ts->find[k];
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id_out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = kith_err(err, KITH_ENOTFOUND, "no %s with %s '%s'", t->singular, column, key);
    } else {
        rc = store_db_err(err, s->db, "looking up a key");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

bool store_row_exists(struct store *s, const struct table_def *t, int64_t id)
{
    struct table_stmts *ts = stmts_for(s, t);
    if (!ts->exists) {
        char sql[SQL_MAX];
        size_t pos = 0;
        sql_add(sql, &pos, "SELECT 1 FROM ");
        sql_add(sql, &pos, t->name);
        sql_add(sql, &pos, " WHERE id = ?");
        if (prepare(s, sql, &ts->exists, NULL) < 0)
            return false;
    }
    sqlite3_bind_int64(ts->exists, 1, id);
    bool found = sqlite3_step(ts->exists) == SQLITE_ROW;
    sqlite3_reset(ts->exists);
    return found;
}

int store_void_target(struct store *s, int64_t id, struct void_target *out, struct kith_error *err)
{
    int rc;
    *out = (struct void_target){.id = id};
    /*
     * One row, whether the interaction is there or not (an import may hold its void before it):
     * the subquery is served by the unique index on voids_id, which a bulk load keeps.
     */
    if (!s->void_target &&
        (rc = prepare(s,
                      "SELECT i.id IS NOT NULL, coalesce(i.contact_id, 0), coalesce(i.voids_id, 0),"
                      " coalesce((SELECT v.id FROM interactions v WHERE v.voids_id = ?1), 0)"
                      " FROM (SELECT 1) LEFT JOIN interactions i ON i.id = ?1",
                      &s->void_target, err)) < 0)
        return rc;
    sqlite3_stmt *st = s->void_target;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    rc = 0;
    if (step == SQLITE_ROW) {
        out->found = sqlite3_column_int(st, 0) != 0;
        out->contact_id = sqlite3_column_int64(st, 1);
        out->voids_id = sqlite3_column_int64(st, 2);
        out->voided_by = sqlite3_column_int64(st, 3);
    } else {
        rc = store_db_err(err, s->db, "reading a voided interaction");
    }
    sqlite3_reset(st);
    return rc;
}

/* Runs sql, which yields one integer, into *out; KITH_EDB saying what failed otherwise. */
int store_query_int64(sqlite3 *db, const char *sql, int64_t *out, const char *what,
                      struct kith_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, db, what);
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : store_db_err(err, db, what);
    if (rc == 0)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

int store_max_id(struct store *s, const struct table_def *t, int64_t *id, struct kith_error *err)
{
    char sql[SQL_MAX];
    size_t pos = 0;
    sql_add(sql, &pos, "SELECT coalesce(max(id), 0) FROM ");
    sql_add(sql, &pos, t->name);
    return store_query_int64(s->db, sql, id, "reading the largest id", err);
}

int store_count(struct store *s, const struct table_def *t, int64_t *n, struct kith_error *err)
{
    struct table_stmts *ts = stmts_for(s, t);
    int rc;
    if (!ts->count) {
        char sql[SQL_MAX];
        size_t pos = 0;
        sql_add(sql, &pos, "SELECT count(*) FROM ");
        sql_add(sql, &pos, t->name);
        if ((rc = prepare(s, sql, &ts->count, err)) < 0)
            return rc;
    }
    rc = sqlite3_step(ts->count);
    if (rc == SQLITE_ROW) {
        *n = sqlite3_column_int64(ts->count, 0);
        rc = 0;
    } else {
        rc = store_db_err(err, s->db, "counting rows");
    }
    sqlite3_reset(ts->count);
    return rc;
}

int store_size(struct store *s, int64_t *bytes, struct kith_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT page_count * page_size FROM pragma_page_count(),"
                           " pragma_page_size()",
                           -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, s->db, "reading the database size");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *bytes = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        rc = store_db_err(err, s->db, "reading the database size");
    }
    sqlite3_finalize(st);
    return rc;
}

int store_checkpoint(struct store *s, struct kith_error *err)
{
    if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
        return store_db_err(err, s->db, "checkpointing the WAL");
    return 0;
}
