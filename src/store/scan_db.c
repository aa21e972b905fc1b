/*
 * scan_db.c - store_scan() on db.h, for PostgreSQL (issue 17; docs/storage.md): kith export's
 * read path. The rows come in id order a page at a time (WHERE id > last ORDER BY id LIMIT n),
 * so a table of millions of rows never sits whole in one result, and each value is given with
 * the kind SQLite would give it: BIGINT as an integer, DOUBLE PRECISION as a real (PostgreSQL
 * prints the shortest text that reads back to the same double), text and bytea as text, NULL as
 * NULL. Secret fields are read as NULL, as on SQLite.
 */
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "store/store_int.h"
#include "util/alloc.h"
#include "util/buf.h"

#include "util/banned.h"

/* Rows per page. */
#define SCAN_PAGE 5000

static void column_value(struct db_stmt *st, int col, struct store_value *v)
{
    memset(v, 0, sizeof(*v));
    switch (db_column_type(st, col)) {
    case DB_INTEGER:
        v->kind = SV_INT;
        v->i = db_column_int64(st, col);
        break;
    case DB_FLOAT:
        v->kind = SV_REAL;
        v->r = db_column_double(st, col);
        break;
    case DB_BLOB:
        v->kind = SV_TEXT;
        v->s = db_column_blob(st, col);
        v->len = db_column_bytes(st, col);
        break;
    case DB_TEXT:
        v->kind = SV_TEXT;
        v->s = db_column_text(st, col);
        v->len = db_column_bytes(st, col);
        break;
    default:
        v->kind = SV_NULL;
    }
}

int store_scan_db(struct store *s, const struct table_def *t, store_row_fn fn, void *ctx,
                  struct kith_error *err)
{
    int id_col = -1;
    for (size_t i = 0; i < t->nfields && id_col < 0; i++)
        if (strcmp(t->fields[i].name, "id") == 0)
            id_col = (int)i;
    if (id_col < 0)
        BUG("%s has no id to scan it by", t->name);
    char sql[SQL_MAX];
    size_t pos = 0;
    /* t's names are a table description's constants */
    pos += (size_t)snprintf(sql + pos, sizeof(sql) - pos, "SELECT ");
    for (size_t i = 0; i < t->nfields && pos < sizeof(sql); i++)
        pos += (size_t)snprintf(sql + pos, sizeof(sql) - pos, "%s%s", i ? ", " : "",
                                t->fields[i].secret ? "NULL" : t->fields[i].name);
    if (pos < sizeof(sql))
        pos += (size_t)snprintf(sql + pos, sizeof(sql) - pos,
                                " FROM %s WHERE id > ?1 ORDER BY id LIMIT %d", t->name, SCAN_PAGE);
    if (pos >= sizeof(sql))
        BUG("the scan of %s does not fit in %d bytes", t->name, SQL_MAX);
    struct store_value *vals = alloc_array_zero(t->nfields, sizeof(*vals));
    if (!vals)
        return kith_err(err, KITH_ENOMEM, "out of memory scanning %s", t->name);
    struct db_stmt *st;
    int rc = db_prepare(s->conn, sql, &st);
    if (rc < 0) {
        free(vals);
        return db_err(s->conn, rc, "reading rows", err);
    }
    /* the pages of one snapshot, unless the caller's transaction is open already */
    bool own = !s->writing;
    if (own && (rc = db_pg_exec_native(s->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ")) < 0) {
        db_finalize(st);
        free(vals);
        return db_err(s->conn, rc, "reading rows", err);
    }
    int64_t last = INT64_MIN;
    for (;;) {
        if ((rc = db_bind_int64(st, 1, last)) < 0)
            break;
        int n = 0;
        while ((rc = db_step(st)) == DB_ROW) {
            for (size_t i = 0; i < t->nfields; i++)
                column_value(st, (int)i, &vals[i]);
            last = db_column_int64(st, id_col);
            n++;
            if ((rc = fn(ctx, vals)) != 0)
                goto out;
        }
        db_reset(st);
        if (rc < 0 || n < SCAN_PAGE)
            break;
    }
    if (rc < 0)
        rc = db_err(s->conn, rc, "reading rows", err);
out:
    db_finalize(st);
    if (own)
        db_pg_exec_native(s->conn, "COMMIT"); /* read only: nothing to lose */
    free(vals);
    return rc;
}
