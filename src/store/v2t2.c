/*
 * v2t2.c - the store's loader for the V2T2 analyses (model/v2t2_data.h, docs/v2t2.md): the
 * catalogue's touch and tech weights, units, teams, users and the orders and deals that the
 * points of view place. Read-only; the SQL has no values spliced in.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

#define V2T2_MAX_ROWS ((size_t)1 << 28) /* rows of one kind a load may hold */

/* Appends room for one element to *arr (n used, *cap allocated). */
static void *grow(void **arr, size_t *cap, size_t n, size_t elem, const char *what,
                  struct kith_error *err)
{
    if (store_grow(arr, cap, n + 1, elem, V2T2_MAX_ROWS, what, err) < 0)
        return NULL;
    return (char *)*arr + n * elem;
}

struct load {
    struct v2t2_data *d;
    size_t cap;
};

static int type_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct v2t2_type_rec *r =
        grow((void **)&l->d->types, &l->cap, l->d->ntypes, sizeof(*r), "interaction types", err);
    if (!r)
        return err->code;
    r->id = sqlite3_column_int64(st, 0);
    r->touch = sqlite3_column_double(st, 1);
    r->tech = sqlite3_column_double(st, 2);
    l->d->ntypes++;
    return 0;
}

static int unit_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct v2t2_unit_rec *r =
        grow((void **)&l->d->units, &l->cap, l->d->nunits, sizeof(*r), "units", err);
    if (!r)
        return err->code;
    bool fail = false;
    r->id = sqlite3_column_int64(st, 0);
    r->parent_id = sqlite3_column_int64(st, 1);
    r->name = store_text_dup(st, 2, &fail);
    r->kind = store_text_dup(st, 3, &fail);
    l->d->nunits++;
    return fail ? kith_err(err, KITH_ENOMEM, "out of memory loading units") : 0;
}

static int team_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct v2t2_team_rec *r =
        grow((void **)&l->d->teams, &l->cap, l->d->nteams, sizeof(*r), "teams", err);
    if (!r)
        return err->code;
    bool fail = false;
    r->id = sqlite3_column_int64(st, 0);
    r->name = store_text_dup(st, 1, &fail);
    l->d->nteams++;
    return fail ? kith_err(err, KITH_ENOMEM, "out of memory loading teams") : 0;
}

static int user_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct v2t2_user_rec *r =
        grow((void **)&l->d->users, &l->cap, l->d->nusers, sizeof(*r), "users", err);
    if (!r)
        return err->code;
    bool fail = false;
    r->id = sqlite3_column_int64(st, 0);
    r->manager_id = sqlite3_column_int64(st, 1);
    r->team_id = sqlite3_column_int64(st, 2);
    r->unit_id = sqlite3_column_int64(st, 3);
    r->name = store_text_dup(st, 4, &fail);
    l->d->nusers++;
    return fail ? kith_err(err, KITH_ENOMEM, "out of memory loading users") : 0;
}

static int account_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct v2t2_account_rec *r =
        grow((void **)&l->d->accounts, &l->cap, l->d->naccounts, sizeof(*r), "accounts", err);
    if (!r)
        return err->code;
    r->id = sqlite3_column_int64(st, 0);
    r->unit_id = sqlite3_column_int64(st, 1);
    l->d->naccounts++;
    return 0;
}

/* The columns of v2t2_settings after unit_id, in the order of enum v2t2_setting. */
#define SETTING_COLUMNS                                                                            \
    "value_customer, value_rep, value_manager, value_unit, value_enterprise, volume,"              \
    " period_days, touch, tech"

static int settings_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct v2t2_settings *r =
        grow((void **)&l->d->settings, &l->cap, l->d->nsettings, sizeof(*r), "unit settings", err);
    if (!r)
        return err->code;
    v2t2_settings_defaults(r, sqlite3_column_int64(st, 0));
    for (int i = 0; i < V2T2_NSETTINGS; i++)
        if (sqlite3_column_type(st, 1 + i) != SQLITE_NULL) {
            r->v[i] = sqlite3_column_double(st, 1 + i);
            r->set[i] = true;
        }
    r->updated_at = sqlite3_column_int64(st, 1 + V2T2_NSETTINGS);
    r->updated_by = sqlite3_column_int64(st, 2 + V2T2_NSETTINGS);
    l->d->nsettings++;
    return 0;
}

static void subject_of(sqlite3_stmt *st, struct v2t2_subject *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->account_id = sqlite3_column_int64(st, 1);
    r->rep_id = sqlite3_column_int64(st, 2);
    r->team_id = sqlite3_column_int64(st, 3);
    r->unit_id = sqlite3_column_int64(st, 4);
    r->at = sqlite3_column_int64(st, 5);
    r->amount = sqlite3_column_int64(st, 6);
}

static int order_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct v2t2_subject *r =
        grow((void **)&l->d->orders, &l->cap, l->d->norders, sizeof(*r), "orders", err);
    if (!r)
        return err->code;
    subject_of(st, r);
    l->d->norders++;
    return 0;
}

static int deal_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct v2t2_subject *r =
        grow((void **)&l->d->deals, &l->cap, l->d->ndeals, sizeof(*r), "deals", err);
    if (!r)
        return err->code;
    subject_of(st, r);
    l->d->ndeals++;
    return 0;
}

static const struct {
    const char *sql, *what;
    store_stmt_fn fn;
} reads[] = {
    {"SELECT id, touch, tech FROM interaction_types ORDER BY id", "reading the catalogue",
     type_row},
    {"SELECT id, parent_id, name, kind FROM units ORDER BY id", "reading units", unit_row},
    {"SELECT id, name FROM teams ORDER BY id", "reading teams", team_row},
    {"SELECT id, manager_id, team_id, unit_id, name FROM users ORDER BY id", "reading users",
     user_row},
    {"SELECT unit_id, " SETTING_COLUMNS ", updated_at, coalesce(updated_by, 0)"
     " FROM v2t2_settings ORDER BY unit_id",
     "reading the units' V2T2 settings", settings_row},
    {"SELECT id, unit_id FROM accounts WHERE unit_id IS NOT NULL ORDER BY id",
     "reading the accounts' units", account_row},
    {"SELECT o.id, o.account_id, r.id, coalesce(r.team_id, a.team_id),"
     " coalesce(r.unit_id, a.unit_id), o.ordered_at, o.amount"
     " FROM orders o JOIN accounts a ON a.id = o.account_id"
     " LEFT JOIN contacts c ON c.id = o.contact_id"
     " LEFT JOIN users r ON r.id = coalesce(o.user_id, c.owner_id, a.owner_id)"
     " WHERE coalesce(o.kind, 'sale') = 'sale' ORDER BY o.id",
     "reading orders", order_row},
    {"SELECT d.id, d.account_id, r.id, coalesce(d.team_id, r.team_id, a.team_id),"
     " coalesce(d.unit_id, r.unit_id, a.unit_id),"
     " coalesce(d.closed_at, d.engaged_at, d.created_at), d.amount"
     " FROM deals d JOIN accounts a ON a.id = d.account_id"
     " JOIN deal_stages g ON g.id = d.stage_id"
     " LEFT JOIN users r ON r.id = coalesce(d.owner_id, a.owner_id)"
     " WHERE d.amount IS NOT NULL AND coalesce(d.outcome, g.kind) <> 'lost'"
     " ORDER BY d.id",
     "reading deals", deal_row},
};

int store_v2t2_load(struct store *s, bool subjects, struct v2t2_data *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    int rc = 0;
    const size_t n = sizeof(reads) / sizeof(reads[0]) - (subjects ? 0 : 2); /* orders, deals last */
    for (size_t i = 0; i < n && rc == 0; i++) {
        /* the accounts' units only matter to the units' settings: none, no need */
        if (reads[i].fn == account_row && !out->nsettings)
            continue;
        struct load l = {.d = out};
        rc = store_each_row(s,
                            &(const struct store_rows){.sql = reads[i].sql, .what = reads[i].what},
                            reads[i].fn, &l, NULL, err);
    }
    if (rc != 0) {
        v2t2_data_release(out);
        return rc < 0 ? rc : KITH_EDB;
    }
    return 0;
}

int store_v2t2_account_name(struct store *s, int64_t id, char *buf, size_t size,
                            struct kith_error *err)
{
    sqlite3_stmt *st;
    if (size)
        buf[0] = '\0';
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM accounts WHERE id = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return store_db_err(err, s->db, "reading an account's name");
    sqlite3_bind_int64(st, 1, id);
    int rc = 0, step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(st, 0);
        int w = snprintf(buf, size, "%s", n ? n : "");
        if (w < 0 || (size_t)w >= size)
            rc = kith_err(err, KITH_ERANGE, "the name of account %lld is longer than %zu bytes",
                          (long long)id, size ? size - 1 : 0);
    } else if (step == SQLITE_DONE) {
        rc = kith_err(err, KITH_ENOTFOUND, "no account %lld", (long long)id);
    } else {
        rc = store_db_err(err, s->db, "reading an account's name");
    }
    sqlite3_finalize(st);
    return rc;
}

int store_v2t2_settings_set(struct store *s, const struct v2t2_settings *in, int64_t now_ms,
                            const char **field, struct kith_error *err)
{
    *field = NULL;
    if (in->unit_id <= 0)
        return kith_err(err, KITH_EINVAL, "V2T2 settings belong to a unit");
    int rc = v2t2_settings_check(in, field, err);
    if (rc < 0)
        return rc;
    bool any = false;
    for (int i = 0; i < V2T2_NSETTINGS; i++)
        any |= in->set[i];
    static const char upsert[] =
        "INSERT INTO v2t2_settings (unit_id, created_at, " SETTING_COLUMNS
        ", updated_at, updated_by) VALUES (?1, ?11, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        " ON CONFLICT (unit_id) DO UPDATE SET value_customer = ?2, value_rep = ?3,"
        " value_manager = ?4, value_unit = ?5, value_enterprise = ?6, volume = ?7,"
        " period_days = ?8, touch = ?9, tech = ?10, updated_at = ?11, updated_by = ?12";
    /* a unit back on every default keeps no row */
    static const char drop[] = "DELETE FROM v2t2_settings WHERE unit_id = ?1";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, any ? upsert : drop, -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, s->db, "writing a unit's V2T2 settings");
    sqlite3_bind_int64(st, 1, in->unit_id);
    if (any) {
        for (int i = 0; i < V2T2_NSETTINGS; i++) {
            if (in->set[i])
                sqlite3_bind_double(st, 2 + i, in->v[i]);
            else
                sqlite3_bind_null(st, 2 + i);
        }
        sqlite3_bind_int64(st, 11, now_ms);
        if (in->updated_by > 0)
            sqlite3_bind_int64(st, 12, in->updated_by);
        else
            sqlite3_bind_null(st, 12);
    }
    rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_db_err(err, s->db, "writing a unit's V2T2 settings");
    sqlite3_finalize(st);
    return rc;
}
