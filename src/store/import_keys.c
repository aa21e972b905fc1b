/*
 * import_keys.c - what kith import asks of the store beyond rows and natural keys: the rows whose
 * column holds a value (a reference by any key the user names, which need not be unique), and
 * the distinct values of a column (the nearest ones for "did you mean"). The column is always a
 * field of the table's description (model/tables.c), never text from outside.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* The field called column of t, or a bug: SQL is only ever built from the model's names. */
static const struct field_def *model_column(const struct table_def *t, const char *column)
{
    const struct field_def *f = table_field(t, column, NULL);
    if (!f || f->secret)
        BUG("%s is not a readable column of %s", column, t->name);
    return f;
}

struct ids_ctx {
    int64_t *ids;
    size_t cap, n;
};

static int collect_id(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct ids_ctx *c = ctx;
    if (c->n < c->cap)
        c->ids[c->n] = sqlite3_column_int64(st, 0);
    c->n++;
    return 0;
}

int store_find_ids(struct store *s, const struct table_def *t, const char *column,
                   const struct store_value *key, int64_t *ids, size_t cap, size_t *n,
                   struct kith_error *err)
{
    const struct field_def *f = model_column(t, column);
    char sql[SQL_MAX];
    /*
     * Text compares exactly, but the condition also names NOCASE so that a column indexed only
     * case-insensitively (users.name, products.name) is still found by its index.
     */
    if (f->type == FT_TEXT)
        snprintf(sql, sizeof(sql),
                 "SELECT id FROM %s WHERE %s = ?1 COLLATE NOCASE AND %s = ?1 ORDER BY id LIMIT ?2",
                 t->name, column, column);
    else
        snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE %s = ?1 ORDER BY id LIMIT ?2", t->name,
                 column);
    struct store_value binds[2] = {*key, {.kind = SV_INT, .i = (int64_t)cap + 1}};
    struct ids_ctx c = {ids, cap, 0};
    int rc =
        store_each_row(s,
                       &(const struct store_rows){
                           .sql = sql, .binds = binds, .nbinds = 2, .what = "looking up a key"},
                       collect_id, &c, NULL, err);
    *n = c.n;
    return rc;
}

struct text_ctx {
    store_text_fn fn;
    void *ctx;
};

static int each_text(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct text_ctx *c = ctx;
    const char *text = (const char *)sqlite3_column_text(st, 0);
    if (!text)
        return 0;
    return c->fn(c->ctx, text, (size_t)sqlite3_column_bytes(st, 0));
}

int store_distinct_text(struct store *s, const struct table_def *t, const char *column,
                        size_t limit, store_text_fn fn, void *ctx, struct kith_error *err)
{
    model_column(t, column);
    char sql[SQL_MAX];
    snprintf(sql, sizeof(sql), "SELECT DISTINCT %s FROM %s WHERE %s IS NOT NULL LIMIT ?1", column,
             t->name, column);
    struct store_value bind = {.kind = SV_INT, .i = (int64_t)limit};
    struct text_ctx c = {fn, ctx};
    return store_each_row(
        s,
        &(const struct store_rows){.sql = sql, .binds = &bind, .nbinds = 1, .what = "reading keys"},
        each_text, &c, NULL, err);
}
