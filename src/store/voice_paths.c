/*
 * voice_paths.c - the store's reads for the digital paths and do vs say (docs/voice.md): the
 * catalogue's codes, names and channels, which name the steps of a path; the latest survey
 * answers with their opt-in's sharing and the lines of sales, which do vs say compares. Read-only;
 * the SQL has no values spliced in.
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

/* ---- do vs say ------------------------------------------------------------------------------ */

#define DOSAY_MAX_ROWS ((size_t)1 << 26)

struct dosay_load {
    struct store_dosay_data *d;
    const int64_t *ids;
    size_t nids, cap;
    bool fail;
};

static bool dosay_wanted(const struct dosay_load *l, int64_t contact)
{
    return !l->ids || store_ids_has(l->ids, l->nids, contact);
}

static int dosay_answer_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct dosay_load *l = ctx;
    if (!dosay_wanted(l, sqlite3_column_int64(st, 1)))
        return 0;
    if (store_grow((void **)&l->d->answers, &l->cap, l->d->n + 1, sizeof(*l->d->answers),
                   DOSAY_MAX_ROWS, "survey answers", err) < 0)
        return err->code;
    struct store_dosay_answer *a = &l->d->answers[l->d->n++];
    memset(a, 0, sizeof(*a));
    a->id = sqlite3_column_int64(st, 0);
    a->contact_id = sqlite3_column_int64(st, 1);
    a->survey_id = sqlite3_column_int64(st, 2);
    a->answered_at = sqlite3_column_int64(st, 3);
    a->nps = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 4);
    a->shared = sqlite3_column_int(st, 5) != 0;
    a->survey = store_text_dup(st, 6, &l->fail);
    a->answers = store_text_dup(st, 7, &l->fail);
    a->questions = store_text_dup(st, 8, &l->fail);
    return l->fail ? kith_err(err, KITH_ENOMEM, "out of memory loading survey answers") : 0;
}

static int dosay_line_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct dosay_load *l = ctx;
    if (store_grow((void **)&l->d->lines, &l->cap, l->d->nlines + 1, sizeof(*l->d->lines),
                   DOSAY_MAX_ROWS, "sale lines", err) < 0)
        return err->code;
    struct store_dosay_line *x = &l->d->lines[l->d->nlines++];
    x->contact_id = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 0);
    x->account_id = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 1);
    x->ordered_at = sqlite3_column_int64(st, 2);
    x->product_id = sqlite3_column_int64(st, 3);
    x->category = store_text_dup(st, 4, &l->fail);
    return l->fail ? kith_err(err, KITH_ENOMEM, "out of memory loading sale lines") : 0;
}

void store_dosay_release(struct store_dosay_data *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->answers[i].survey);
        free(d->answers[i].answers);
        free(d->answers[i].questions);
    }
    for (size_t i = 0; i < d->nlines; i++)
        free(d->lines[i].category);
    free(d->answers);
    free(d->lines);
    memset(d, 0, sizeof(*d));
}

int store_dosay_load(struct store *s, const int64_t *ids, size_t nids, int64_t as_of,
                     struct store_dosay_data *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    struct dosay_load l = {.d = out, .ids = ids, .nids = nids};
    const struct store_value bind[1] = {{.kind = SV_INT, .i = as_of}};
    int rc = store_each_row(
        s,
        &(const struct store_rows){
            .sql = "SELECT r.id, r.contact_id, r.survey_id, r.answered_at, r.nps,"
                   " (SELECT o.state = 'granted' AND coalesce(o.share, 0) FROM survey_optins o"
                   "  WHERE o.survey_id = r.survey_id AND o.contact_id = r.contact_id"
                   "  ORDER BY o.recorded_at DESC, o.id DESC LIMIT 1),"
                   " s.name, r.answers, s.questions"
                   " FROM survey_responses r JOIN surveys s ON s.id = r.survey_id"
                   " WHERE r.latest = 1 AND r.answered_at < ?1"
                   " ORDER BY r.contact_id, r.answered_at, r.id",
            .binds = bind,
            .nbinds = 1,
            .what = "reading survey answers"},
        dosay_answer_row, &l, NULL, err);
    l.cap = 0;
    if (rc == 0)
        rc = store_each_row(
            s,
            &(const struct store_rows){
                .sql = "SELECT o.contact_id, o.account_id, o.ordered_at, l.product_id, p.category"
                       " FROM orders o JOIN order_lines l ON l.order_id = o.id"
                       " JOIN products p ON p.id = l.product_id"
                       " WHERE coalesce(o.kind, CASE WHEN o.amount < 0 THEN 'return'"
                       " ELSE 'sale' END) = 'sale' AND o.ordered_at < ?1",
                .binds = bind,
                .nbinds = 1,
                .what = "reading sale lines"},
            dosay_line_row, &l, NULL, err);
    if (rc != 0) {
        store_dosay_release(out);
        return rc < 0 ? rc : KITH_EDB;
    }
    return 0;
}
