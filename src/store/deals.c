/*
 * deals.c - the store's loaders for the deal analyses (docs/deals.md): the stages, every user
 * with their manager, the names of teams and units, the deals in scope (their owner, team, unit
 * and source named from those dictionaries, each string stored once) and their lines by product;
 * on demand the deals' stage history and the quotas in scope. Read into the plain arrays of
 * model/deal_data.h. Read-only; the SQL has no values spliced in.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

#define DEALS_MAX_ROWS ((size_t)1 << 28) /* rows of one kind a load may hold */

/* An id and the name it has in deal_data.names (teams and units). */
struct named {
    int64_t id;
    const char *name;
};

struct load {
    struct deal_data *d;
    const int64_t *ids; /* ascending; NULL: every row */
    size_t nids;
    size_t cap, lcap, ncap;
    struct named *teams, *units; /* ascending id */
    size_t nteams, nunits, tcap, ucap;
    /* the sources seen so far: an open-addressing set of indexes into d->names, + 1 */
    size_t *src;
    size_t srcmask;
};

/* Keeps name (owned from now on) in d->names; returns it, or NULL when out of memory (name is
 * then freed). */
static const char *keep_name(struct load *l, char *name, struct kith_error *err)
{
    struct deal_data *d = l->d;
    if (store_grow((void **)&d->names, &l->ncap, d->nnames + 1, sizeof(*d->names), DEALS_MAX_ROWS,
                   "names", err) < 0) {
        free(name);
        return NULL;
    }
    d->names[d->nnames++] = name;
    return name;
}

static enum deal_outcome outcome_of(const char *t)
{
    if (t && strcmp(t, "won") == 0)
        return DEAL_WON;
    if (t && strcmp(t, "lost") == 0)
        return DEAL_LOST;
    return DEAL_OPEN;
}

/* The index of id in the ascending ids[0..n) (each stride bytes apart, id first), or n. */
static size_t find_id(const void *ids, size_t n, size_t stride, int64_t id)
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
    if (store_grow((void **)&d->stages, &l->cap, d->nstages + 1, sizeof(*d->stages), DEALS_MAX_ROWS,
                   "deal stages", err) < 0)
        return err->code;
    struct deal_stage_rec *s = &d->stages[d->nstages];
    bool fail = false;
    s->id = sqlite3_column_int64(st, 0);
    s->name = store_text_dup(st, 1, &fail);
    s->position = sqlite3_column_int64(st, 2);
    s->probability = sqlite3_column_double(st, 3);
    s->kind = outcome_of((const char *)sqlite3_column_text(st, 4));
    d->nstages++;
    return fail ? kith_err(err, KITH_ENOMEM, "out of memory loading deal stages") : 0;
}

static int user_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct deal_data *d = l->d;
    if (store_grow((void **)&d->users, &l->cap, d->nusers + 1, sizeof(*d->users), DEALS_MAX_ROWS,
                   "users", err) < 0)
        return err->code;
    struct deal_user_rec *u = &d->users[d->nusers];
    bool fail = false;
    u->id = sqlite3_column_int64(st, 0);
    u->name = store_text_dup(st, 1, &fail);
    u->manager_id = sqlite3_column_int64(st, 2);
    d->nusers++;
    return fail ? kith_err(err, KITH_ENOMEM, "out of memory loading users") : 0;
}

/* A row (id, name) of teams (ctx->teams) or units. */
static int named_row(struct load *l, struct named **arr, size_t *n, size_t *cap, sqlite3_stmt *st,
                     struct kith_error *err)
{
    if (store_grow((void **)arr, cap, *n + 1, sizeof(**arr), DEALS_MAX_ROWS, "teams and units",
                   err) < 0)
        return err->code;
    bool fail = false;
    char *name = store_text_dup(st, 1, &fail);
    if (fail)
        return kith_err(err, KITH_ENOMEM, "out of memory loading teams and units");
    (*arr)[*n].id = sqlite3_column_int64(st, 0);
    (*arr)[*n].name = name ? keep_name(l, name, err) : NULL;
    if (name && !(*arr)[*n].name)
        return err->code;
    (*n)++;
    return 0;
}

static int team_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    return named_row(l, &l->teams, &l->nteams, &l->tcap, st, err);
}

static int unit_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    return named_row(l, &l->units, &l->nunits, &l->ucap, st, err);
}

static const char *name_of(const struct named *arr, size_t n, int64_t id)
{
    size_t i = id ? find_id(arr, n, sizeof(*arr), id) : n;
    return i < n ? arr[i].name : NULL;
}

static uint64_t hash_text(const unsigned char *s, size_t len)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ s[i]) * 1099511628211u;
    return h;
}

/* The one copy of source text t (len bytes) in d->names, made on first sight. */
static const char *source_of(struct load *l, const char *t, size_t len, struct kith_error *err)
{
    struct deal_data *d = l->d;
    if (!l->src || d->nnames * 2 >= l->srcmask) { /* (re)build the set, twice as large */
        size_t size = l->src ? (l->srcmask + 1) * 2 : 64;
        size_t *set = alloc_array_zero(size, sizeof(*set));
        if (!set) {
            kith_err(err, KITH_ENOMEM, "out of memory loading deal sources");
            return NULL;
        }
        for (size_t i = 0; l->src && i <= l->srcmask; i++) {
            if (!l->src[i])
                continue;
            const char *n = d->names[l->src[i] - 1];
            size_t k = (size_t)hash_text((const unsigned char *)n, strlen(n)) & (size - 1);
            while (set[k])
                k = (k + 1) & (size - 1);
            set[k] = l->src[i];
        }
        free(l->src);
        l->src = set;
        l->srcmask = size - 1;
    }
    size_t k = (size_t)hash_text((const unsigned char *)t, len) & l->srcmask;
    for (; l->src[k]; k = (k + 1) & l->srcmask) {
        const char *n = d->names[l->src[k] - 1];
        if (strlen(n) == len && memcmp(n, t, len) == 0)
            return n;
    }
    char *copy = strndup(t, len);
    if (!copy) {
        kith_err(err, KITH_ENOMEM, "out of memory loading deal sources");
        return NULL;
    }
    if (!keep_name(l, copy, err))
        return NULL;
    l->src[k] = d->nnames;
    return copy;
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
    if (store_grow((void **)&d->deals, &l->cap, d->n + 1, sizeof(*d->deals), DEALS_MAX_ROWS,
                   "deals", err) < 0)
        return err->code;
    struct deal_rec *r = &d->deals[d->n];
    memset(r, 0, sizeof(*r));
    r->id = id;
    r->owner_id = sqlite3_column_int64(st, 1);
    r->team_id = sqlite3_column_int64(st, 2);
    r->unit_id = sqlite3_column_int64(st, 3);
    const char *src = (const char *)sqlite3_column_text(st, 4);
    if (src && *src && !(r->source = source_of(l, src, (size_t)sqlite3_column_bytes(st, 4), err)))
        return err->code;
    r->stage = k;
    const char *outcome = (const char *)sqlite3_column_text(st, 6);
    r->outcome = outcome ? outcome_of(outcome) : d->stages[k].kind;
    r->amount = sqlite3_column_int64(st, 7);
    r->probability = sqlite3_column_type(st, 8) == SQLITE_NULL ? d->stages[k].probability
                                                               : sqlite3_column_double(st, 8);
    r->has_closed = sqlite3_column_type(st, 9) != SQLITE_NULL;
    r->closed_at = sqlite3_column_int64(st, 9);
    r->created_at = sqlite3_column_int64(st, 10);
    r->has_expected = sqlite3_column_type(st, 11) != SQLITE_NULL;
    r->expected_close_at = sqlite3_column_int64(st, 11);
    size_t u =
        r->owner_id ? find_id(d->users, d->nusers, sizeof(*d->users), r->owner_id) : d->nusers;
    r->owner_user = u < d->nusers ? u : d->nusers;
    r->owner = u < d->nusers ? d->users[u].name : NULL;
    r->team = name_of(l->teams, l->nteams, r->team_id);
    r->unit = name_of(l->units, l->nunits, r->unit_id);
    r->account_id = sqlite3_column_int64(st, 12);
    r->contact_id = sqlite3_column_int64(st, 13);
    d->n++;
    return 0;
}

static int line_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct deal_data *d = l->d;
    size_t i = find_id(d->deals, d->n, sizeof(*d->deals), sqlite3_column_int64(st, 0));
    if (i == d->n)
        return 0; /* a deal out of scope */
    if (store_grow((void **)&d->lines, &l->lcap, d->nlines + 1, sizeof(*d->lines), DEALS_MAX_ROWS,
                   "deal lines", err) < 0)
        return err->code;
    struct deal_line_rec *x = &d->lines[d->nlines];
    bool fail = false;
    x->product_id = sqlite3_column_int64(st, 1);
    x->amount = sqlite3_column_int64(st, 2);
    x->product = store_text_dup(st, 3, &fail);
    if (!d->deals[i].nlines)
        d->deals[i].line0 = d->nlines; /* ordered by deal: its lines are contiguous */
    d->deals[i].nlines++;
    d->nlines++;
    return fail ? kith_err(err, KITH_ENOMEM, "out of memory loading deal lines") : 0;
}

static int rows(struct store *s, const char *sql, const char *what, store_stmt_fn fn,
                struct load *l, struct kith_error *err)
{
    l->cap = 0;
    return store_each_row(s, &(const struct store_rows){.sql = sql, .what = what}, fn, l, NULL,
                          err);
}

int store_deals_load(struct store *s, const int64_t *ids, size_t nids, struct deal_data *out,
                     struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    struct load l = {.d = out, .ids = ids, .nids = nids};
    int rc = rows(s,
                  "SELECT id, name, position, probability, kind FROM deal_stages"
                  " ORDER BY position, id",
                  "reading deal stages", stage_row, &l, err);
    if (rc == 0)
        rc = rows(s, "SELECT id, name, manager_id FROM users ORDER BY id", "reading users",
                  user_row, &l, err);
    l.ncap = 0;
    if (rc == 0)
        rc = rows(s, "SELECT id, name FROM teams ORDER BY id", "reading teams", team_row, &l, err);
    if (rc == 0)
        rc = rows(s, "SELECT id, name FROM units ORDER BY id", "reading units", unit_row, &l, err);
    if (rc == 0)
        rc = rows(s,
                  "SELECT id, owner_id, team_id, unit_id, source, stage_id, outcome, amount,"
                  " probability, closed_at, created_at, expected_close_at, account_id, contact_id"
                  " FROM deals ORDER BY id",
                  "reading deals", deal_row, &l, err);
    if (rc == 0 && out->n) {
        l.lcap = 0;
        rc = store_each_row(
            s,
            &(const struct store_rows){.sql = "SELECT l.deal_id, l.product_id, l.amount, p.name"
                                              " FROM deal_lines l LEFT JOIN products p"
                                              " ON p.id = l.product_id ORDER BY l.deal_id, l.id",
                                       .what = "reading deal lines"},
            line_row, &l, NULL, err);
    }
    free(l.teams);
    free(l.units);
    free(l.src);
    if (rc != 0) {
        deal_data_release(out);
        return rc < 0 ? rc : KITH_EDB;
    }
    return 0;
}

/* ---- stage history ------------------------------------------------------------------------ */

struct change_load {
    struct deal_data *d;
    size_t cap;
};

static size_t stage_index(const struct deal_data *d, int64_t id)
{
    for (size_t k = 0; k < d->nstages; k++)
        if (d->stages[k].id == id)
            return k;
    return DEAL_NO_STAGE;
}

static int change_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct change_load *l = ctx;
    struct deal_data *d = l->d;
    size_t i = find_id(d->deals, d->n, sizeof(*d->deals), sqlite3_column_int64(st, 0));
    if (i == d->n)
        return 0; /* a deal out of scope */
    if (store_grow((void **)&d->changes, &l->cap, d->nchanges + 1, sizeof(*d->changes),
                   DEALS_MAX_ROWS, "deal stage changes", err) < 0)
        return err->code;
    struct deal_change_rec *c = &d->changes[d->nchanges];
    c->from = sqlite3_column_type(st, 1) == SQLITE_NULL
                  ? DEAL_NO_STAGE
                  : stage_index(d, sqlite3_column_int64(st, 1));
    c->to = stage_index(d, sqlite3_column_int64(st, 2));
    c->at = sqlite3_column_int64(st, 3);
    if (c->to == DEAL_NO_STAGE)
        return kith_err(err, KITH_EDB, "reading deal stage changes: deal %lld moved to no stage",
                        (long long)d->deals[i].id);
    if (!d->deals[i].nchanges)
        d->deals[i].change0 = d->nchanges; /* ordered by deal: its moves are contiguous */
    d->deals[i].nchanges++;
    d->nchanges++;
    return 0;
}

int store_deal_changes_load(struct store *s, struct deal_data *d, struct kith_error *err)
{
    struct change_load l = {.d = d};
    free(d->changes);
    d->changes = NULL;
    d->nchanges = 0;
    for (size_t i = 0; i < d->n; i++)
        d->deals[i].nchanges = d->deals[i].change0 = 0;
    if (!d->n)
        return 0;
    int rc = store_each_row(
        s,
        &(const struct store_rows){
            .sql = "SELECT deal_id, from_stage_id, to_stage_id, changed_at FROM deal_stage_changes"
                   " ORDER BY deal_id, changed_at, id",
            .what = "reading deal stage changes"},
        change_row, &l, NULL, err);
    return rc == 0 ? 0 : rc < 0 ? rc : KITH_EDB;
}

/* ---- quotas ------------------------------------------------------------------------------- */

struct quota_load {
    struct deal_data *d;
    const int64_t *ids;
    size_t nids, cap;
};

static int quota_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct quota_load *l = ctx;
    struct deal_data *d = l->d;
    int64_t id = sqlite3_column_int64(st, 0);
    if (l->ids && find_id(l->ids, l->nids, sizeof(int64_t), id) == l->nids)
        return 0;
    if (store_grow((void **)&d->quotas, &l->cap, d->nquotas + 1, sizeof(*d->quotas), DEALS_MAX_ROWS,
                   "quotas", err) < 0)
        return err->code;
    struct deal_quota_rec *q = &d->quotas[d->nquotas];
    bool fail = false;
    q->id = id;
    q->user_id = sqlite3_column_int64(st, 1);
    q->start = sqlite3_column_int64(st, 2);
    q->end = sqlite3_column_int64(st, 3);
    q->amount = sqlite3_column_int64(st, 4);
    q->currency = store_text_dup(st, 5, &fail);
    d->nquotas++;
    return fail ? kith_err(err, KITH_ENOMEM, "out of memory loading quotas") : 0;
}

int store_deal_quotas_load(struct store *s, const int64_t *ids, size_t nids, struct deal_data *d,
                           struct kith_error *err)
{
    struct quota_load l = {.d = d, .ids = ids, .nids = nids};
    int rc = store_each_row(
        s,
        &(const struct store_rows){.sql = "SELECT id, user_id, period_start, period_end, amount,"
                                          " currency FROM quotas ORDER BY id",
                                   .what = "reading quotas"},
        quota_row, &l, NULL, err);
    return rc == 0 ? 0 : rc < 0 ? rc : KITH_EDB;
}
