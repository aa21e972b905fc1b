/*
 * rows.c - store_each_row, the one prepare/bind/step loop of the store (store_int.h). A query
 * that reads rows goes through it so that binding, stepping and their errors are written once.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

static int bind_all(sqlite3_stmt *st, const struct store_value *binds, int nbinds)
{
    int nparams = sqlite3_bind_parameter_count(st);
    for (int i = 0; i < nbinds && i < nparams; i++) {
        int rc = store_bind_value(st, i + 1, &binds[i]);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

int store_each_row(struct store *s, const struct store_rows *q, store_stmt_fn fn, void *ctx,
                   size_t *nrows, struct kith_error *err)
{
    size_t n = 0;
    if (nrows)
        *nrows = 0;
    sqlite3_stmt *st = q->st;
    if (!st && store_stmt_get(s, q->sql, strlen(q->sql), &st) != SQLITE_OK)
        return kith_err(err, KITH_EDB, "%s: %s", q->what, sqlite3_errmsg(s->db));
    int rc = 0;
    if (bind_all(st, q->binds, q->nbinds) != SQLITE_OK) {
        rc = kith_err(err, KITH_EDB, "%s: %s", q->what, sqlite3_errmsg(s->db));
        goto out_release;
    }
    for (;;) {
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = kith_err(err, KITH_EDB, "%s: %s", q->what, sqlite3_errmsg(s->db));
            break;
        }
        n++;
        if ((rc = fn(ctx, st, err)) != 0)
            break;
    }
out_release:
    if (q->st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    } else {
        store_stmt_done(s, st);
    }
    if (nrows)
        *nrows = n;
    return rc;
}

int store_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t max, const char *what,
               struct kith_error *err)
{
    if (need <= *cap)
        return 0;
    if (need > max)
        return kith_err(err, KITH_ERANGE, "too many %s to analyse (more than %zu)", what, max);
    size_t ncap = *cap ? *cap * 2 : 256;
    while (ncap < need)
        ncap *= 2;
    void *p = alloc_array_grow(*arr, ncap, elem);
    if (!p)
        return kith_err(err, KITH_ENOMEM, "out of memory loading %zu %s", need, what);
    *arr = p;
    *cap = ncap;
    return 0;
}

char *store_text_dup(sqlite3_stmt *st, int col, bool *fail)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    if (!t || !*t)
        return NULL;
    char *c = strdup(t);
    if (!c)
        *fail = true;
    return c;
}
