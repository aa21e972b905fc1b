/*
 * deals.c - the store's loader for the deal analyses (docs/deals.md): the stages, the deals in
 * scope with the names of their owner, team and unit, and their lines by product, read into the
 * plain arrays of model/deal_data.h. Read-only; the SQL has no values spliced in.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

#define DEALS_MAX_ROWS ((size_t)1 << 28) /* rows of one kind a load may hold */

struct load {
    struct deal_data *d;
    const int64_t *ids; /* ascending; NULL: every deal */
    size_t nids;
    size_t cap, lcap;
};

static int grow(void **arr, size_t *cap, size_t need, size_t elem, const char *what,
                struct kith_error *err)
{
    if (need <= *cap)
        return 0;
    if (need > DEALS_MAX_ROWS)
        return kith_err(err, KITH_ERANGE, "too many %s to analyse (more than %zu)", what,
                        DEALS_MAX_ROWS);
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

/* A copy of column col's text, or NULL for NULL or ''; *fail set when out of memory. */
static char *text_dup(sqlite3_stmt *st, int col, bool *fail)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    if (!t || !*t)
        return NULL;
    char *c = strdup(t);
    if (!c)
        *fail = true;
    return c;
}

static enum deal_outcome outcome_of(const char *t)
{
    if (t && strcmp(t, "won") == 0)
        return DEAL_WON;
    if (t && strcmp(t, "lost") == 0)
        return DEAL_LOST;
    return DEAL_OPEN;
}

/* The index of id in the ascending ids[0..n), or n. */
static size_t find_id(const int64_t *ids, size_t n, size_t stride, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t v = *(const int64_t *)((const char *)ids + mid * stride);
        if (v < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && *(const int64_t *)((const char *)ids + lo * stride) == id ? lo : n;
}

static int stage_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct deal_data *d = l->d;
    if (grow((void **)&d->stages, &l->cap, d->nstages + 1, sizeof(*d->stages), "deal stages", err) <
        0)
        return err->code;
    struct deal_stage_rec *s = &d->stages[d->nstages];
    bool fail = false;
    s->id = sqlite3_column_int64(st, 0);
    s->name = text_dup(st, 1, &fail);
    s->position = sqlite3_column_int64(st, 2);
    s->probability = sqlite3_column_double(st, 3);
    s->kind = outcome_of((const char *)sqlite3_column_text(st, 4));
    d->nstages++;
    return fail ? kith_err(err, KITH_ENOMEM, "out of memory loading deal stages") : 0;
}

static int deal_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct deal_data *d = l->d;
    int64_t id = sqlite3_column_int64(st, 0);
    if (l->ids && find_id(l->ids, l->nids, sizeof(int64_t), id) == l->nids)
        return 0;
    int64_t stage_id = sqlite3_column_int64(st, 5);
    /* stages are sorted by position: a linear search, but there are few of them */
    size_t k = 0;
    while (k < d->nstages && d->stages[k].id != stage_id)
        k++;
    if (k == d->nstages)
        return kith_err(err, KITH_EDB, "reading deals: deal %lld has no stage %lld", (long long)id,
                        (long long)stage_id);
    if (grow((void **)&d->deals, &l->cap, d->n + 1, sizeof(*d->deals), "deals", err) < 0)
        return err->code;
    struct deal_rec *r = &d->deals[d->n];
    memset(r, 0, sizeof(*r));
    bool fail = false;
    r->id = id;
    r->owner_id = sqlite3_column_int64(st, 1);
    r->team_id = sqlite3_column_int64(st, 2);
    r->unit_id = sqlite3_column_int64(st, 3);
    r->source = text_dup(st, 4, &fail);
    r->stage = k;
    const char *outcome = (const char *)sqlite3_column_text(st, 6);
    r->outcome = outcome ? outcome_of(outcome) : d->stages[k].kind;
    r->amount = sqlite3_column_int64(st, 7);
    r->probability = sqlite3_column_type(st, 8) == SQLITE_NULL ? d->stages[k].probability
                                                               : sqlite3_column_double(st, 8);
    r->has_closed = sqlite3_column_type(st, 9) != SQLITE_NULL;
    r->closed_at = sqlite3_column_int64(st, 9);
    r->owner = text_dup(st, 10, &fail);
    r->team = text_dup(st, 11, &fail);
    r->unit = text_dup(st, 12, &fail);
    r->account_id = sqlite3_column_int64(st, 13);
    r->contact_id = sqlite3_column_int64(st, 14);
    d->n++;
    return fail ? kith_err(err, KITH_ENOMEM, "out of memory loading deals") : 0;
}

static int line_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct deal_data *d = l->d;
    size_t i = find_id(&d->deals[0].id, d->n, sizeof(*d->deals), sqlite3_column_int64(st, 0));
    if (i == d->n)
        return 0; /* a deal out of scope */
    if (grow((void **)&d->lines, &l->lcap, d->nlines + 1, sizeof(*d->lines), "deal lines", err) < 0)
        return err->code;
    struct deal_line_rec *x = &d->lines[d->nlines];
    bool fail = false;
    x->product_id = sqlite3_column_int64(st, 1);
    x->amount = sqlite3_column_int64(st, 2);
    x->product = text_dup(st, 3, &fail);
    if (!d->deals[i].nlines)
        d->deals[i].line0 = d->nlines; /* ordered by deal: its lines are contiguous */
    d->deals[i].nlines++;
    d->nlines++;
    return fail ? kith_err(err, KITH_ENOMEM, "out of memory loading deal lines") : 0;
}

int store_deals_load(struct store *s, const int64_t *ids, size_t nids, struct deal_data *out,
                     struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    struct load l = {.d = out, .ids = ids, .nids = nids};
    int rc =
        store_each_row(s,
                       &(const struct store_rows){
                           .sql = "SELECT id, name, position, probability, kind FROM deal_stages"
                                  " ORDER BY position, id",
                           .what = "reading deal stages"},
                       stage_row, &l, NULL, err);
    l.cap = 0;
    if (rc == 0)
        rc = store_each_row(
            s,
            &(const struct store_rows){
                .sql = "SELECT d.id, d.owner_id, d.team_id, d.unit_id, d.source, d.stage_id,"
                       " d.outcome, d.amount, d.probability, d.closed_at,"
                       " u.name, t.name, n.name, d.account_id, d.contact_id"
                       " FROM deals d LEFT JOIN users u ON u.id = d.owner_id"
                       " LEFT JOIN teams t ON t.id = d.team_id"
                       " LEFT JOIN units n ON n.id = d.unit_id ORDER BY d.id",
                .what = "reading deals"},
            deal_row, &l, NULL, err);
    if (rc == 0 && out->n)
        rc = store_each_row(
            s,
            &(const struct store_rows){.sql = "SELECT l.deal_id, l.product_id, l.amount, p.name"
                                              " FROM deal_lines l LEFT JOIN products p"
                                              " ON p.id = l.product_id ORDER BY l.deal_id, l.id",
                                       .what = "reading deal lines"},
            line_row, &l, NULL, err);
    if (rc != 0) {
        deal_data_release(out);
        return rc < 0 ? rc : KITH_EDB;
    }
    return 0;
}
