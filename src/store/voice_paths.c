/*
 * voice_paths.c - the store's reads for the digital paths and do vs say (docs/voice.md): the
 * catalogue's codes, names and channels, which name the steps of a path. Read-only; the SQL has
 * no values spliced in.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define VOICE_MAX_TYPES ((size_t)1 << 15) /* int16 type indices in the RV snapshot */

struct types_load {
    struct store_voice_type *v;
    size_t n, cap;
};

static void copy_col(sqlite3_stmt *st, int col, char *buf, size_t size)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    snprintf(buf, size, "%s", t ? t : "");
}

static int type_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct types_load *l = ctx;
    if (store_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), VOICE_MAX_TYPES,
                   "interaction types", err) < 0)
        return err->code;
    struct store_voice_type *t = &l->v[l->n++];
    t->id = sqlite3_column_int64(st, 0);
    copy_col(st, 1, t->code, sizeof(t->code));
    copy_col(st, 2, t->name, sizeof(t->name));
    copy_col(st, 3, t->channel, sizeof(t->channel));
    return 0;
}

int store_voice_types(struct store *s, struct store_voice_type **out, size_t *n,
                      struct kith_error *err)
{
    struct types_load l = {0};
    int rc = store_each_row(
        s,
        &(const struct store_rows){.sql = "SELECT id, code, name, channel FROM interaction_types"
                                          " ORDER BY id",
                                   .what = "reading the catalogue"},
        type_row, &l, NULL, err);
    if (rc != 0) {
        free(l.v);
        *out = NULL;
        *n = 0;
        return rc < 0 ? rc : KITH_EDB;
    }
    *out = l.v;
    *n = l.n;
    return 0;
}
