/*
 * db_pg.c - db.h's PostgreSQL driver, on libpq (issue 17; docs/storage.md).
 *
 * Each statement is translated once (pg_dialect.h) and prepared under a name of its own
 * (PQprepare), and db.c keeps the 32 last used per connection, as the SQLite side keeps its
 * statements, so a query asked again costs one round trip (PQexecPrepared). Parameters travel as
 * text (blobs as binary), results as text: libpq hands back each value as the server prints it,
 * which reads into every type the store asks for (integers, floats, text; bytea decoded on
 * demand) without knowing each column's binary layout.
 *
 * A statement's rows come whole (one PGresult per execution) rather than one at a time
 * (PQsetSingleRowMode): in single-row mode the connection is busy until the last row is read,
 * and the store nests statements on one connection (a row of one query drives another). The
 * loaders of large tables (the RV snapshot) will want batches through a cursor when they are
 * ported; the whole-result path stays right for everything that reads a bounded number of rows.
 */
#include "store/db.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_dialect.h"
#include "util/secret.h"

#include "util/banned.h"

struct db_pg {
    PGconn *conn;
    uint64_t next_name; /* statements are named kith_<n> */
    int64_t changes;    /* rows the last command changed */
    int64_t last_id;    /* the id of the last INSERT ... RETURNING id */
};

struct db_pg_stmt {
    char name[32];
    int nparams;
    char **vals; /* owned copies; NULL is SQL NULL (as an unbound SQLite parameter) */
    int *lens;
    int *fmts; /* 0 text, 1 binary (blobs) */
    PGresult *res;
    bool executed;
    int row;               /* the current row of res */
    unsigned char **blobs; /* per column, decoded bytea of the current row */
    size_t *blob_lens;
    int ncols;
};

/* OIDs of the built-in types (pg_type.h; stable across releases). */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_OID = 26,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700,
};

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The error of res as db.h's code, its message kept on d. */
static int result_error(struct db *d, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    if (primary)
        snprintf(d->errmsg, sizeof(d->errmsg), "%s%s%s%s", primary, detail ? " (" : "",
                 detail ? detail : "", detail ? ")" : "");
    else
        snprintf(d->errmsg, sizeof(d->errmsg), "%s", PQerrorMessage(d->pg->conn));
    size_t n = strlen(d->errmsg);
    while (n && (d->errmsg[n - 1] == '\n' || d->errmsg[n - 1] == ' '))
        d->errmsg[--n] = '\0';
    if (!state)
        return KITH_EDB;
    if (strcmp(state, "23505") == 0) /* unique_violation */
        return KITH_ECONFLICT;
    if (strcmp(state, "23503") == 0 || strcmp(state, "23502") == 0 || /* foreign key, not null */
        strcmp(state, "23514") == 0 || strcmp(state, "P0001") == 0)   /* check, RAISE */
        return KITH_EINVAL;
    if (strcmp(state, "53100") == 0 || strcmp(state, "53200") == 0) /* disk full, out of memory */
        return KITH_EIO;
    return KITH_EDB;
}

int db_open_pg(const char *url, struct db **out, struct kith_error *err)
{
    *out = NULL;
    struct db *d = calloc(1, sizeof(*d));
    struct db_pg *pg = calloc(1, sizeof(*pg));
    if (!d || !pg) {
        free(d);
        free(pg);
        return kith_err(err, KITH_ENOMEM, "out of memory");
    }
    d->kind = DB_PG;
    d->pg = pg;
    pg->conn = PQconnectdb(url);
    if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK) {
        int rc = kith_err(err, KITH_EDB, "cannot connect to PostgreSQL: %s",
                          pg->conn ? PQerrorMessage(pg->conn) : "out of memory");
        size_t n = strlen(err->msg);
        while (n && err->msg[n - 1] == '\n')
            err->msg[--n] = '\0';
        db_close(d);
        return rc;
    }
    PQsetNoticeProcessor(pg->conn, ignore_notice, NULL);
    /*
     * Every session: times in UTC (kith stores Unix milliseconds and never relies on the
     * server's zone, but a partition's year is a UTC year), and a commit acknowledged only once
     * it is on disk, whatever the server's default (an acknowledged write survives a crash).
     */
    if (db_pg_exec(d, "SET TIME ZONE 'UTC'; SET synchronous_commit = on;"
                      " SET client_min_messages = warning") < 0) {
        int rc = kith_err(err, KITH_EDB, "setting up the PostgreSQL session: %s", d->errmsg);
        db_close(d);
        return rc;
    }
    *out = d;
    return 0;
}

void db_pg_close(struct db *d)
{
    if (d->pg) {
        PQfinish(d->pg->conn);
        free(d->pg);
        d->pg = NULL;
    }
}

int db_pg_exec(struct db *d, const char *sql)
{
    char *pgsql = NULL;
    struct kith_error err = {0};
    int rc = pg_translate_query(sql, &pgsql, NULL, &err);
    if (rc < 0) {
        snprintf(d->errmsg, sizeof(d->errmsg), "%s", err.msg);
        return rc;
    }
    PGresult *res = PQexec(d->pg->conn, pgsql);
    free(pgsql);
    ExecStatusType status = PQresultStatus(res);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        d->pg->changes = strtoll(PQcmdTuples(res), NULL, 10);
        rc = 0;
    } else {
        rc = result_error(d, res);
    }
    PQclear(res);
    return rc;
}

int db_pg_exec_native(struct db *d, const char *sql)
{
    PGresult *res = PQexec(d->pg->conn, sql);
    ExecStatusType status = PQresultStatus(res);
    int rc = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? 0 : result_error(d, res);
    PQclear(res);
    return rc;
}

int64_t db_pg_changes(struct db *d)
{
    return d->pg->changes;
}

int64_t db_pg_last_insert_id(struct db *d)
{
    return d->pg->last_id;
}

int db_pg_prepare(struct db *d, const char *sql, struct db_stmt *st)
{
    struct kith_error err = {0};
    char *pgsql = NULL;
    int nparams = 0;
    int rc = pg_translate_query(sql, &pgsql, &nparams, &err);
    if (rc < 0) {
        snprintf(d->errmsg, sizeof(d->errmsg), "%s", err.msg);
        return rc;
    }
    struct db_pg_stmt *p = calloc(1, sizeof(*p));
    if (!p || (nparams && (!(p->vals = calloc((size_t)nparams, sizeof(*p->vals))) ||
                           !(p->lens = calloc((size_t)nparams, sizeof(*p->lens))) ||
                           !(p->fmts = calloc((size_t)nparams, sizeof(*p->fmts)))))) {
        free(pgsql);
        if (p) {
            free(p->vals);
            free(p->lens);
            free(p);
        }
        snprintf(d->errmsg, sizeof(d->errmsg), "out of memory");
        return KITH_ENOMEM;
    }
    p->nparams = nparams;
    snprintf(p->name, sizeof(p->name), "kith_%llu", (unsigned long long)++d->pg->next_name);
    st->pg = p;
    PGresult *res = PQprepare(d->pg->conn, p->name, pgsql, nparams, NULL);
    free(pgsql);
    rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : result_error(d, res);
    PQclear(res);
    if (rc < 0)
        p->name[0] = '\0'; /* nothing to deallocate */
    return rc;
}

static void drop_row_cache(struct db_pg_stmt *p)
{
    if (p->blobs)
        for (int c = 0; c < p->ncols; c++) {
            PQfreemem(p->blobs[c]);
            p->blobs[c] = NULL;
        }
}

void db_pg_reset(struct db_stmt *st)
{
    struct db_pg_stmt *p = st->pg;
    drop_row_cache(p);
    PQclear(p->res);
    p->res = NULL;
    p->executed = false;
    p->row = -1;
}

void db_pg_clear_bindings(struct db_stmt *st)
{
    struct db_pg_stmt *p = st->pg;
    for (int i = 0; i < p->nparams; i++) {
        if (p->vals[i]) /* a bound value may be a secret (the signing key) */
            secret_wipe(p->vals[i], (size_t)p->lens[i]);
        free(p->vals[i]);
        p->vals[i] = NULL;
        p->lens[i] = 0;
        p->fmts[i] = 0;
    }
}

void db_pg_stmt_free(struct db_stmt *st)
{
    struct db_pg_stmt *p = st->pg;
    if (!p)
        return;
    db_pg_reset(st);
    db_pg_clear_bindings(st);
    if (p->name[0]) {
        /* in an aborted transaction this fails: the name is never used again either way */
        char sql[64];
        snprintf(sql, sizeof(sql), "DEALLOCATE %s", p->name);
        PQclear(PQexec(st->db->pg->conn, sql));
    }
    free(p->vals);
    free(p->lens);
    free(p->fmts);
    free(p->blobs);
    free(p->blob_lens);
    free(p);
    st->pg = NULL;
}

int db_pg_bind(struct db_stmt *st, int i, const char *val, size_t len, bool binary)
{
    struct db_pg_stmt *p = st->pg;
    if (i < 1 || i > p->nparams) {
        snprintf(st->db->errmsg, sizeof(st->db->errmsg), "column index out of range");
        return KITH_EDB;
    }
    if (len > (size_t)INT32_MAX) {
        snprintf(st->db->errmsg, sizeof(st->db->errmsg), "value too large");
        return KITH_ERANGE;
    }
    char *copy = NULL;
    if (val) {
        if (!(copy = malloc(len + 1))) {
            snprintf(st->db->errmsg, sizeof(st->db->errmsg), "out of memory");
            return KITH_ENOMEM;
        }
        memcpy(copy, val, len);
        copy[len] = '\0';
    }
    if (p->vals[i - 1])
        secret_wipe(p->vals[i - 1], (size_t)p->lens[i - 1]);
    free(p->vals[i - 1]);
    p->vals[i - 1] = copy;
    p->lens[i - 1] = (int)len;
    p->fmts[i - 1] = binary ? 1 : 0;
    return 0;
}

int db_pg_bind_count(const struct db_stmt *st)
{
    return st->pg->nparams;
}

int db_pg_step(struct db_stmt *st)
{
    struct db_pg_stmt *p = st->pg;
    struct db *d = st->db;
    if (!p->executed) {
        p->res = PQexecPrepared(d->pg->conn, p->name, p->nparams, (const char *const *)p->vals,
                                p->lens, p->fmts, 0);
        ExecStatusType status = PQresultStatus(p->res);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            int rc = result_error(d, p->res);
            PQclear(p->res);
            p->res = NULL;
            return rc;
        }
        p->executed = true;
        p->row = -1;
        d->pg->changes = strtoll(PQcmdTuples(p->res), NULL, 10);
        const char *cmd = PQcmdStatus(p->res);
        int idcol = PQfnumber(p->res, "id");
        if (cmd && strncmp(cmd, "INSERT", 6) == 0 && idcol >= 0 && PQntuples(p->res) > 0)
            d->pg->last_id = strtoll(PQgetvalue(p->res, 0, idcol), NULL, 10);
        int ncols = PQnfields(p->res);
        if (ncols > p->ncols) {
            unsigned char **b = realloc(p->blobs, (size_t)ncols * sizeof(*b));
            if (b)
                p->blobs = b;
            size_t *bl = realloc(p->blob_lens, (size_t)ncols * sizeof(*bl));
            if (bl)
                p->blob_lens = bl;
            if (!b || !bl) {
                snprintf(d->errmsg, sizeof(d->errmsg), "out of memory");
                return KITH_ENOMEM;
            }
            for (int c = p->ncols; c < ncols; c++)
                p->blobs[c] = NULL;
            p->ncols = ncols;
        }
    }
    drop_row_cache(p);
    if (p->row + 1 < PQntuples(p->res)) {
        p->row++;
        return DB_ROW;
    }
    p->row = PQntuples(p->res);
    return DB_DONE;
}

static bool has_value(const struct db_pg_stmt *p, int col)
{
    return p->res && p->row >= 0 && p->row < PQntuples(p->res) && col >= 0 &&
           col < PQnfields(p->res) && !PQgetisnull(p->res, p->row, col);
}

int db_pg_column_count(const struct db_stmt *st)
{
    return st->pg->res ? PQnfields(st->pg->res) : 0;
}

enum db_type db_pg_column_type(struct db_stmt *st, int col)
{
    struct db_pg_stmt *p = st->pg;
    if (!has_value(p, col))
        return DB_NULL;
    switch (PQftype(p->res, col)) {
    case OID_BOOL:
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
        return DB_INTEGER;
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC:
        return DB_FLOAT;
    case OID_BYTEA:
        return DB_BLOB;
    default:
        return DB_TEXT;
    }
}

const char *db_pg_column_raw(struct db_stmt *st, int col, size_t *len)
{
    struct db_pg_stmt *p = st->pg;
    *len = 0;
    if (!has_value(p, col))
        return NULL;
    *len = (size_t)PQgetlength(p->res, p->row, col);
    return PQgetvalue(p->res, p->row, col);
}

const void *db_pg_column_blob(struct db_stmt *st, int col, size_t *len)
{
    struct db_pg_stmt *p = st->pg;
    *len = 0;
    if (!has_value(p, col))
        return NULL;
    if (PQftype(p->res, col) != OID_BYTEA) { /* SQLite gives a text's bytes as a blob */
        *len = (size_t)PQgetlength(p->res, p->row, col);
        return PQgetvalue(p->res, p->row, col);
    }
    if (!p->blobs[col])
        p->blobs[col] = PQunescapeBytea((const unsigned char *)PQgetvalue(p->res, p->row, col),
                                        &p->blob_lens[col]);
    if (!p->blobs[col])
        return NULL;
    *len = p->blob_lens[col];
    return p->blobs[col];
}
