/*
 * voice.c - the store's loader for the analyses of the customer's voice (docs/voice.md): the
 * latest survey answers with the names of what they are grouped by, the surveys with the opt-ins
 * of the contacts read, and the RV of their interactions per channel, read into the plain arrays
 * of model/voice_data.h. Read-only; the SQL has no values spliced in.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "model/table.h"
#include "util/alloc.h"

#include "util/banned.h"

#define VOICE_MAX_ROWS ((size_t)1 << 28) /* rows of one kind a load may hold */

struct load {
    struct voice_data *d;
    const int64_t *ids; /* ascending; NULL: every contact */
    size_t nids;
    size_t cap;
    bool fail; /* out of memory copying text */
};

static bool wanted(const struct load *l, int64_t contact)
{
    return !l->ids || store_ids_has(l->ids, l->nids, contact);
}

static bool independent(const char *kind)
{
    for (const char *const *k = model_independent_unit_kinds; kind && *k; k++)
        if (strcmp(*k, kind) == 0)
            return true;
    return false;
}

static int64_t int_or(sqlite3_stmt *st, int col, int64_t none)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? none : sqlite3_column_int64(st, col);
}

/*
 * The index of an answer's value of dimension dim: by its id (column id_col, 0 or NULL: none)
 * named by name_col, or, with id_col -1, by the text of name_col (NULL: none). -1: none, and
 * *fail set when out of memory.
 */
static int32_t intern(struct voice_data *d, enum voice_dim dim, sqlite3_stmt *st, int id_col,
                      int name_col, bool *fail)
{
    const int64_t id = id_col >= 0 ? int_or(st, id_col, 0) : 0;
    const char *name = (const char *)sqlite3_column_text(st, name_col);
    const size_t len = name ? (size_t)sqlite3_column_bytes(st, name_col) : 0;
    if (id_col >= 0 ? id == 0 : !name)
        return -1;
    int32_t k = voice_names_intern(&d->names[dim], id, name, len);
    if (k < 0)
        *fail = true;
    return k;
}

static int answer_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct voice_data *d = l->d;
    if (!wanted(l, sqlite3_column_int64(st, 1)))
        return 0;
    if (d->n >= VOICE_MAX_ROWS)
        return kith_err(err, KITH_ERANGE, "more than %zu survey answers", VOICE_MAX_ROWS);
    if (!voice_answers_reserve(d, d->n + 1))
        return kith_err(err, KITH_ENOMEM, "out of memory loading survey answers");
    struct voice_answers *a = &d->a;
    const size_t i = d->n++;
    const int64_t nps = int_or(st, 4, -1), csat = int_or(st, 5, 0);
    a->contact_id[i] = sqlite3_column_int64(st, 1);
    a->survey_id[i] = sqlite3_column_int64(st, 2);
    a->answered_at[i] = sqlite3_column_int64(st, 3);
    a->nps[i] = (int8_t)(nps >= 0 && nps <= 10 ? nps : -1); /* what the store holds, checked */
    a->csat[i] = (int8_t)(csat >= 1 && csat <= 5 ? csat : 0);
    a->key[VOICE_DIM_CHANNEL][i] = intern(d, VOICE_DIM_CHANNEL, st, -1, 6, &l->fail);
    a->key[VOICE_DIM_TOUCHPOINT][i] = intern(d, VOICE_DIM_TOUCHPOINT, st, -1, 7, &l->fail);
    a->key[VOICE_DIM_TYPE][i] = intern(d, VOICE_DIM_TYPE, st, 8, 9, &l->fail);
    a->key[VOICE_DIM_UNIT][i] = intern(d, VOICE_DIM_UNIT, st, 10, 11, &l->fail);
    a->key[VOICE_DIM_PARTNER][i] = -1;
    if (independent((const char *)sqlite3_column_text(st, 12)))
        a->key[VOICE_DIM_PARTNER][i] = intern(d, VOICE_DIM_PARTNER, st, 10, 11, &l->fail);
    else if (independent((const char *)sqlite3_column_text(st, 15)))
        a->key[VOICE_DIM_PARTNER][i] = intern(d, VOICE_DIM_PARTNER, st, 13, 14, &l->fail);
    a->key[VOICE_DIM_PRODUCT][i] = intern(d, VOICE_DIM_PRODUCT, st, 16, 17, &l->fail);
    return l->fail ? kith_err(err, KITH_ENOMEM, "out of memory loading survey answers") : 0;
}

static int survey_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct voice_data *d = l->d;
    if (store_grow((void **)&d->surveys, &l->cap, d->nsurveys + 1, sizeof(*d->surveys),
                   VOICE_MAX_ROWS, "surveys", err) < 0)
        return err->code;
    struct voice_survey *s = &d->surveys[d->nsurveys++];
    memset(s, 0, sizeof(*s));
    s->id = sqlite3_column_int64(st, 0);
    s->name = store_text_dup(st, 1, &l->fail);
    s->channel = store_text_dup(st, 2, &l->fail);
    s->touchpoint = store_text_dup(st, 3, &l->fail);
    return l->fail ? kith_err(err, KITH_ENOMEM, "out of memory loading surveys") : 0;
}

static struct voice_survey *survey_of(struct voice_data *d, int64_t id)
{
    size_t lo = 0, hi = d->nsurveys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->surveys[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->nsurveys && d->surveys[lo].id == id ? &d->surveys[lo] : NULL;
}

/* survey_id, contact_id, state, share of each contact's latest opt-in */
static int optin_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct load *l = ctx;
    struct voice_survey *s = survey_of(l->d, sqlite3_column_int64(st, 0));
    if (!s || !wanted(l, sqlite3_column_int64(st, 1)))
        return 0;
    const char *state = (const char *)sqlite3_column_text(st, 2);
    if (state && strcmp(state, "granted") == 0) {
        s->opted_in++;
        s->sharing += sqlite3_column_int64(st, 3) != 0;
    } else {
        s->withdrawn++;
    }
    return 0;
}

/* survey_id, contact_id of each replaced answer in the period */
static int update_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct load *l = ctx;
    struct voice_survey *s = survey_of(l->d, sqlite3_column_int64(st, 0));
    if (s && wanted(l, sqlite3_column_int64(st, 1)))
        s->updates++;
    return 0;
}

static int rv_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct voice_data *d = l->d;
    if (!wanted(l, sqlite3_column_int64(st, 0)))
        return 0;
    if (store_grow((void **)&d->rv, &l->cap, d->nrv + 1, sizeof(*d->rv), VOICE_MAX_ROWS,
                   "channel RV rows", err) < 0)
        return err->code;
    struct voice_channel_rv *r = &d->rv[d->nrv++];
    r->contact_id = sqlite3_column_int64(st, 0);
    r->channel = store_text_dup(st, 1, &l->fail);
    r->rv = sqlite3_column_int64(st, 2);
    r->interactions = sqlite3_column_int64(st, 3);
    return l->fail ? kith_err(err, KITH_ENOMEM, "out of memory loading channel RV") : 0;
}

int store_voice_load(struct store *s, const int64_t *ids, size_t nids, int64_t from, int64_t to,
                     bool with_rv, struct voice_data *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    struct load l = {.d = out, .ids = ids, .nids = nids};
    const struct store_value period[2] = {{.kind = SV_INT, .i = from}, {.kind = SV_INT, .i = to}};
    int rc = store_each_row(
        s,
        &(const struct store_rows){
            .sql = "SELECT r.id, r.contact_id, r.survey_id, r.answered_at, r.nps, r.csat,"
                   " coalesce(r.channel, s.channel), coalesce(r.touchpoint, s.touchpoint),"
                   " coalesce(r.type_id, s.type_id), it.name, un.id, un.name, un.kind,"
                   " pu.id, pu.name, pu.kind, coalesce(r.product_id, s.product_id), p.name"
                   " FROM survey_responses r JOIN surveys s ON s.id = r.survey_id"
                   " JOIN contacts c ON c.id = r.contact_id"
                   " LEFT JOIN accounts a ON a.id = c.account_id"
                   " LEFT JOIN units un ON un.id = coalesce(c.unit_id, a.unit_id)"
                   " LEFT JOIN units pu ON pu.id = un.parent_id"
                   " LEFT JOIN interaction_types it ON it.id = coalesce(r.type_id, s.type_id)"
                   " LEFT JOIN products p ON p.id = coalesce(r.product_id, s.product_id)"
                   " WHERE r.latest = 1 AND r.answered_at >= ?1 AND r.answered_at < ?2"
                   " AND r.contact_id NOT IN (" STORE_RESTRICTED_CONTACTS ")"
                   " ORDER BY r.contact_id, r.id",
            .binds = period,
            .nbinds = 2,
            .what = "reading survey answers"},
        answer_row, &l, NULL, err);
    l.cap = 0;
    if (rc == 0)
        rc = store_each_row(
            s,
            &(const struct store_rows){.sql = "SELECT id, name, channel, touchpoint FROM surveys"
                                              " ORDER BY id",
                                       .what = "reading surveys"},
            survey_row, &l, NULL, err);
    if (rc == 0)
        rc = store_each_row(
            s,
            &(const struct store_rows){
                .sql = "SELECT o.survey_id, o.contact_id, o.state, o.share FROM survey_optins o"
                       " WHERE o.id = (SELECT o2.id FROM survey_optins o2"
                       " WHERE o2.survey_id = o.survey_id AND o2.contact_id = o.contact_id"
                       " ORDER BY o2.recorded_at DESC, o2.id DESC LIMIT 1)",
                .what = "reading survey opt-ins"},
            optin_row, &l, NULL, err);
    if (rc == 0)
        rc = store_each_row(
            s,
            &(const struct store_rows){.sql = "SELECT survey_id, contact_id FROM survey_responses"
                                              " WHERE latest = 0 AND answered_at >= ?1"
                                              " AND answered_at < ?2",
                                       .binds = period,
                                       .nbinds = 2,
                                       .what = "reading survey answers"},
            update_row, &l, NULL, err);
    l.cap = 0;
    if (rc == 0 && with_rv)
        rc = store_each_row(
            s,
            &(const struct store_rows){
                .sql = "SELECT i.contact_id, coalesce(i.channel, t.channel),"
                       " sum(coalesce(i.rv, t.rv, 0)),"
                       " sum(CASE WHEN i.voids_id IS NULL THEN 1 ELSE -1 END)"
                       " FROM interactions i LEFT JOIN interaction_types t ON t.id = i.type_id"
                       " WHERE i.occurred_at >= ?1 AND i.occurred_at < ?2"
                       " AND i.contact_id NOT IN (" STORE_RESTRICTED_CONTACTS ")"
                       " GROUP BY i.contact_id, 2 ORDER BY i.contact_id, 2",
                .binds = period,
                .nbinds = 2,
                .what = "reading the RV of interactions per channel"},
            rv_row, &l, NULL, err);
    if (rc != 0) {
        voice_data_release(out);
        return rc < 0 ? rc : KITH_EDB;
    }
    return 0;
}

/* ---- one survey's answers, for its per-question figures ------------------------------------ */

struct survey_answers {
    struct load l; /* ids only */
    char *questions;
    bool found, fail;
    store_answer_fn fn;
    void *ctx;
};

static int questions_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct survey_answers *a = ctx;
    a->found = true;
    a->questions = store_text_dup(st, 0, &a->fail);
    return 0;
}

int store_survey_questions(struct store *s, int64_t survey, char **out, struct kith_error *err)
{
    *out = NULL;
    struct survey_answers a = {0};
    const struct store_value bind = {.kind = SV_INT, .i = survey};
    int rc = store_each_row(
        s,
        &(const struct store_rows){.sql = "SELECT questions FROM surveys WHERE id = ?1",
                                   .binds = &bind,
                                   .nbinds = 1,
                                   .what = "reading the survey's questions"},
        questions_row, &a, NULL, err);
    if (rc == 0 && a.fail)
        rc = kith_err(err, KITH_ENOMEM, "out of memory reading the survey's questions");
    if (rc == 0 && !a.found)
        rc = kith_err(err, KITH_ENOTFOUND, "there is no survey %lld", (long long)survey);
    if (rc != 0) {
        free(a.questions);
        return rc;
    }
    *out = a.questions;
    return 0;
}

static int survey_answer_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct survey_answers *a = ctx;
    const int64_t contact = sqlite3_column_int64(st, 0);
    const char *text = (const char *)sqlite3_column_text(st, 1);
    if (!text || !wanted(&a->l, contact))
        return 0;
    return a->fn(a->ctx, contact, text, (size_t)sqlite3_column_bytes(st, 1));
}

int store_voice_survey_answers(struct store *s, int64_t survey, const int64_t *ids, size_t nids,
                               int64_t from, int64_t to, store_answer_fn fn, void *ctx,
                               struct kith_error *err)
{
    struct survey_answers a = {.l = {.ids = ids, .nids = nids}, .fn = fn, .ctx = ctx};
    const struct store_value binds[3] = {
        {.kind = SV_INT, .i = survey}, {.kind = SV_INT, .i = from}, {.kind = SV_INT, .i = to}};
    return store_each_row(
        s,
        &(const struct store_rows){.sql = "SELECT contact_id, answers FROM survey_responses"
                                          " WHERE survey_id = ?1 AND latest = 1"
                                          " AND answered_at >= ?2 AND answered_at < ?3"
                                          " ORDER BY contact_id, id",
                                   .binds = binds,
                                   .nbinds = 3,
                                   .what = "reading the survey's answers"},
        survey_answer_row, &a, NULL, err);
}
