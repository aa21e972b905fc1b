/*
 * alike.c - the store's side of "someone like me" (docs/voice.md "Someone like me"): the loader
 * of every contact or account with its attributes as codes, its sales and their lines, the
 * products it said it intends to buy in survey answers it shares, its RV in the two windows and
 * its churn, into model/alike_data.h; and the portal's "findable" opt-in (contact_findable,
 * migration 15). Read-only but for the opt-in; the SQL has no values spliced in.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

#define ALIKE_MAX_ROWS ((size_t)1 << 30) /* rows of one kind a load may hold */

struct load {
    struct alike_data *d;
    size_t cap;
    bool fail;
};

static uint16_t code(sqlite3_stmt *st, int col)
{
    const int64_t v = sqlite3_column_int64(st, col);
    return (uint16_t)(v <= 0 ? 0 : v > UINT16_MAX ? UINT16_MAX : v);
}

static char *dup_or(const char *s, bool *fail)
{
    char *p = strdup(s ? s : "");
    *fail |= !p;
    return p;
}

/* The bytes of the first UTF-8 character of s (non-empty; the store holds valid UTF-8). */
static int utf8_first(const char *s)
{
    const unsigned char c = (unsigned char)s[0];
    const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    for (int i = 1; i < n; i++)
        if (!s[i])
            return i;
    return n;
}

/*
 * Contacts: id, account, 6 codes, employees, first name, last name, account name, industry,
 * territory, findable. Accounts: id, id, 6 codes, employees, name, NULL, name, industry,
 * territory, 0.
 */
static int entity_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct alike_data *d = l->d;
    if (store_grow((void **)&d->entities, &l->cap, d->n + 1, sizeof(*d->entities), ALIKE_MAX_ROWS,
                   "contacts to compare", err) < 0)
        return err->code;
    struct alike_entity *e = &d->entities[d->n++];
    memset(e, 0, sizeof(*e));
    e->id = sqlite3_column_int64(st, 0);
    e->group = sqlite3_column_int64(st, 1);
    for (int a = 0; a < ALIKE_NATTRS; a++)
        e->attr[a] = code(st, 2 + a);
    e->employees = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 8);
    const char *first = (const char *)sqlite3_column_text(st, 9);
    const char *last = (const char *)sqlite3_column_text(st, 10);
    char buf[512];
    if (d->kind == ALIKE_CONTACTS) {
        const bool hf = first && *first, hl = last && *last;
        snprintf(buf, sizeof(buf), "%s%s%s", hf ? first : "", hf && hl ? " " : "", hl ? last : "");
        e->name = dup_or(buf, &l->fail);
        /* what a customer may see of another: "First L.", else what there is of it */
        if (hf || hl)
            snprintf(buf, sizeof(buf), "%s%s%.*s%s", hf ? first : "", hf && hl ? " " : "",
                     hl ? utf8_first(last) : 0, hl ? last : "", hl ? "." : "");
        else
            snprintf(buf, sizeof(buf), "a customer");
        e->short_name = dup_or(buf, &l->fail);
    } else {
        e->name = dup_or(first, &l->fail);
        e->short_name = dup_or(first, &l->fail);
    }
    e->industry = store_text_dup(st, 12, &l->fail);
    e->territory = store_text_dup(st, 13, &l->fail);
    e->findable = sqlite3_column_int64(st, 14) != 0;
    return l->fail ? kith_err(err, KITH_ENOMEM, "out of memory loading the contacts to compare")
                   : 0;
}

static int product_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct alike_data *d = l->d;
    if (store_grow((void **)&d->products, &l->cap, d->nproducts + 1, sizeof(*d->products),
                   ALIKE_MAX_ROWS, "products", err) < 0)
        return err->code;
    struct alike_product *p = &d->products[d->nproducts++];
    p->id = sqlite3_column_int64(st, 0);
    p->sku = dup_or((const char *)sqlite3_column_text(st, 1), &l->fail);
    p->name = dup_or((const char *)sqlite3_column_text(st, 2), &l->fail);
    return l->fail ? kith_err(err, KITH_ENOMEM, "out of memory loading products") : 0;
}

static size_t product_index(const struct alike_data *d, int64_t id)
{
    size_t lo = 0, hi = d->nproducts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->products[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->nproducts && d->products[lo].id == id ? lo : SIZE_MAX;
}

/* entity id, product id, ordered_at */
static int buy_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct alike_data *d = l->d;
    const size_t e = alike_data_find(d, sqlite3_column_int64(st, 0)),
                 p = product_index(d, sqlite3_column_int64(st, 1));
    if (e == SIZE_MAX || p == SIZE_MAX)
        return 0;
    if (store_grow((void **)&d->buys, &l->cap, d->nbuys + 1, sizeof(*d->buys), ALIKE_MAX_ROWS,
                   "order lines", err) < 0)
        return err->code;
    d->buys[d->nbuys++] = (struct alike_buy){(uint32_t)e, (uint32_t)p, sqlite3_column_int64(st, 2)};
    return 0;
}

/* entity id, ordered_at, amount */
static int order_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct alike_data *d = l->d;
    const size_t e = alike_data_find(d, sqlite3_column_int64(st, 0));
    if (e == SIZE_MAX)
        return 0;
    if (store_grow((void **)&d->orders, &l->cap, d->norders + 1, sizeof(*d->orders), ALIKE_MAX_ROWS,
                   "orders", err) < 0)
        return err->code;
    d->orders[d->norders++] =
        (struct alike_order){(uint32_t)e, sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2)};
    return 0;
}

/* entity id, product id */
static int intent_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct load *l = ctx;
    struct alike_data *d = l->d;
    const size_t e = alike_data_find(d, sqlite3_column_int64(st, 0)),
                 p = product_index(d, sqlite3_column_int64(st, 1));
    if (e == SIZE_MAX || p == SIZE_MAX)
        return 0;
    if (store_grow((void **)&d->intents, &l->cap, d->nintents + 1, sizeof(*d->intents),
                   ALIKE_MAX_ROWS, "stated intents", err) < 0)
        return err->code;
    d->intents[d->nintents++] = (struct alike_intent){(uint32_t)e, (uint32_t)p};
    return 0;
}

/* entity id, RV recent, RV before */
static int rv_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct load *l = ctx;
    const size_t e = alike_data_find(l->d, sqlite3_column_int64(st, 0));
    if (e != SIZE_MAX) {
        l->d->entities[e].rv_recent += sqlite3_column_int64(st, 1);
        l->d->entities[e].rv_before += sqlite3_column_int64(st, 2);
    }
    return 0;
}

static int churn_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct load *l = ctx;
    const size_t e = alike_data_find(l->d, sqlite3_column_int64(st, 0));
    if (e != SIZE_MAX)
        l->d->entities[e].churned = true;
    return 0;
}

static int as_of_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct load *l = ctx;
    l->d->as_of = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 0);
    return 0;
}

/*
 * A code for a column: 0 for NULL (or ''), else the rank of its value among the distinct values
 * (dense_rank over the column): equal values, equal codes.
 */
static const char contacts_sql[] =
    "SELECT c.id, coalesce(c.account_id, 0),"
    " CASE WHEN coalesce(a.industry, '') = '' THEN 0"
    "  ELSE dense_rank() OVER (ORDER BY a.industry) END,"
    " CASE WHEN coalesce(a.territory, '') = '' THEN 0"
    "  ELSE dense_rank() OVER (ORDER BY a.territory) END,"
    " CASE WHEN coalesce(a.revenue_band, '') = '' THEN 0"
    "  ELSE dense_rank() OVER (ORDER BY a.revenue_band) END,"
    " CASE WHEN coalesce(c.unit_id, a.unit_id) IS NULL THEN 0"
    "  ELSE dense_rank() OVER (ORDER BY coalesce(c.unit_id, a.unit_id)) END,"
    " CASE WHEN coalesce(c.buying_role, '') = '' THEN 0"
    "  ELSE dense_rank() OVER (ORDER BY c.buying_role) END,"
    " CASE WHEN coalesce(c.source, '') = '' THEN 0"
    "  ELSE dense_rank() OVER (ORDER BY c.source) END,"
    " a.employees, c.first_name, c.last_name, a.name, a.industry, a.territory,"
    " coalesce(f.findable, 0)"
    " FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id"
    " LEFT JOIN contact_findable f ON f.contact_id = c.id ORDER BY c.id";

static const char accounts_sql[] =
    "SELECT a.id, a.id,"
    " CASE WHEN coalesce(a.industry, '') = '' THEN 0"
    "  ELSE dense_rank() OVER (ORDER BY a.industry) END,"
    " CASE WHEN coalesce(a.territory, '') = '' THEN 0"
    "  ELSE dense_rank() OVER (ORDER BY a.territory) END,"
    " CASE WHEN coalesce(a.revenue_band, '') = '' THEN 0"
    "  ELSE dense_rank() OVER (ORDER BY a.revenue_band) END,"
    " CASE WHEN a.unit_id IS NULL THEN 0 ELSE dense_rank() OVER (ORDER BY a.unit_id) END,"
    " CASE WHEN coalesce(a.source, '') = '' THEN 0"
    "  ELSE dense_rank() OVER (ORDER BY a.source) END,"
    " CASE WHEN a.parent_id IS NULL THEN 0 ELSE dense_rank() OVER (ORDER BY a.parent_id) END,"
    " a.employees, a.name, NULL, NULL, a.industry, a.territory, 0"
    " FROM accounts a ORDER BY a.id";

/* A sale: of kind sale, or without a kind and not negative (model/tables.c). */
#define SALE "coalesce(o.kind, CASE WHEN o.amount < 0 THEN 'return' ELSE 'sale' END) = 'sale'"

/* A contact buys through its account; one without an account, through the orders naming it. */
static const char contact_buys_sql[] =
    "SELECT c.id, l.product_id, o.ordered_at FROM contacts c JOIN orders o"
    " ON o.account_id = c.account_id JOIN order_lines l ON l.order_id = o.id WHERE " SALE
    " UNION ALL SELECT o.contact_id, l.product_id, o.ordered_at FROM orders o"
    " JOIN contacts c ON c.id = o.contact_id AND c.account_id IS NULL"
    " JOIN order_lines l ON l.order_id = o.id WHERE " SALE;
static const char contact_orders_sql[] =
    "SELECT c.id, o.ordered_at, o.amount FROM contacts c JOIN orders o"
    " ON o.account_id = c.account_id WHERE " SALE
    " UNION ALL SELECT o.contact_id, o.ordered_at, o.amount FROM orders o"
    " JOIN contacts c ON c.id = o.contact_id AND c.account_id IS NULL WHERE " SALE;
static const char account_buys_sql[] =
    "SELECT o.account_id, l.product_id, o.ordered_at FROM orders o"
    " JOIN order_lines l ON l.order_id = o.id WHERE " SALE;
static const char account_orders_sql[] =
    "SELECT o.account_id, o.ordered_at, o.amount FROM orders o WHERE " SALE;

/*
 * Stated intent: the product of each latest answer with an intent answered true, when the
 * answer is not confidential and the contact's latest opt-in to that survey still grants and
 * shares (docs/voice.md: only answers a contact shares are seen one by one).
 */
#define SHARED_INTENT                                                                              \
    " FROM survey_responses r JOIN contacts c ON c.id = r.contact_id"                              \
    " WHERE r.latest = 1 AND coalesce(r.confidential, 0) = 0 AND r.product_id IS NOT NULL"         \
    " AND coalesce(r.intent, '') <> ''"                                                            \
    " AND (SELECT o.state = 'granted' AND o.share = 1 FROM survey_optins o"                        \
    " WHERE o.survey_id = r.survey_id AND o.contact_id = r.contact_id"                             \
    " ORDER BY o.recorded_at DESC, o.id DESC LIMIT 1)"
static const char contact_intents_sql[] = "SELECT r.contact_id, r.product_id" SHARED_INTENT;
static const char account_intents_sql[] =
    "SELECT c.account_id, r.product_id" SHARED_INTENT " AND c.account_id IS NOT NULL";

/* RV of the two windows: ?1 the end, ?2 the start of the recent one, ?3 of the one before. */
#define RV_SUMS                                                                                    \
    " sum(CASE WHEN i.occurred_at > ?2 THEN coalesce(i.rv, t.rv, 0) ELSE 0 END),"                  \
    " sum(CASE WHEN i.occurred_at <= ?2 THEN coalesce(i.rv, t.rv, 0) ELSE 0 END)"                  \
    " FROM interactions i LEFT JOIN interaction_types t ON t.id = i.type_id"
static const char contact_rv_sql[] =
    "SELECT i.contact_id," RV_SUMS " WHERE i.occurred_at <= ?1 AND i.occurred_at > ?3"
    " GROUP BY i.contact_id";
static const char account_rv_sql[] =
    "SELECT c.account_id," RV_SUMS " JOIN contacts c ON c.id = i.contact_id"
    " WHERE i.occurred_at <= ?1 AND i.occurred_at > ?3 AND c.account_id IS NOT NULL"
    " GROUP BY c.account_id";
static const char contact_churn_sql[] =
    "SELECT DISTINCT contact_id FROM events WHERE kind = 'churn' AND contact_id IS NOT NULL";
static const char account_churn_sql[] =
    "SELECT DISTINCT coalesce(e.account_id, c.account_id) FROM events e"
    " LEFT JOIN contacts c ON c.id = e.contact_id WHERE e.kind = 'churn'"
    " AND coalesce(e.account_id, c.account_id) IS NOT NULL";

static int rows(struct store *s, struct load *l, const char *sql, const struct store_value *binds,
                int nbinds, const char *what, store_stmt_fn fn, struct kith_error *err)
{
    l->cap = 0;
    return store_each_row(
        s, &(const struct store_rows){.sql = sql, .binds = binds, .nbinds = nbinds, .what = what},
        fn, l, NULL, err);
}

int store_alike_load(struct store *s, enum alike_kind kind, struct alike_data *out,
                     struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->kind = kind;
    struct load l = {.d = out};
    const bool c = kind == ALIKE_CONTACTS;
    bool own_txn = sqlite3_get_autocommit(s->db) != 0;
    if (own_txn && sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return kith_err(err, KITH_EDB, "starting a read: %s", sqlite3_errmsg(s->db));
    int rc = rows(s, &l, c ? contacts_sql : accounts_sql, NULL, 0,
                  "reading the contacts to compare", entity_row, err);
    if (rc == 0)
        rc = rows(s, &l, "SELECT id, sku, name FROM products ORDER BY id", NULL, 0,
                  "reading products", product_row, err);
    if (rc == 0)
        rc = rows(s, &l, c ? contact_buys_sql : account_buys_sql, NULL, 0, "reading order lines",
                  buy_row, err);
    if (rc == 0)
        rc = rows(s, &l, c ? contact_orders_sql : account_orders_sql, NULL, 0, "reading orders",
                  order_row, err);
    if (rc == 0)
        rc = rows(s, &l, c ? contact_intents_sql : account_intents_sql, NULL, 0,
                  "reading stated intents", intent_row, err);
    if (rc == 0)
        rc = rows(s, &l, "SELECT max(occurred_at) FROM interactions", NULL, 0,
                  "reading interactions", as_of_row, err);
    if (rc == 0 && out->as_of) {
        const struct store_value w[3] = {
            {.kind = SV_INT, .i = out->as_of},
            {.kind = SV_INT, .i = out->as_of - ALIKE_RV_WINDOW_MS},
            {.kind = SV_INT, .i = out->as_of - 2 * ALIKE_RV_WINDOW_MS}};
        rc = rows(s, &l, c ? contact_rv_sql : account_rv_sql, w, 3, "reading RV", rv_row, err);
    }
    if (rc == 0)
        rc = rows(s, &l, c ? contact_churn_sql : account_churn_sql, NULL, 0, "reading churn",
                  churn_row, err);
    if (own_txn)
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != 0) {
        alike_data_release(out);
        return rc < 0 ? rc : KITH_EDB;
    }
    return 0;
}

/* ---- the portal's opt-in to be found ---- */

static int int_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    *(int64_t *)ctx = sqlite3_column_int64(st, 0);
    return 0;
}

int store_findable_get(struct store *s, int64_t contact_id, bool *findable, struct kith_error *err)
{
    int64_t v = 0;
    const struct store_value id = {.kind = SV_INT, .i = contact_id};
    int rc =
        store_each_row(s,
                       &(const struct store_rows){.sql = "SELECT findable FROM contact_findable"
                                                         " WHERE contact_id = ?1",
                                                  .binds = &id,
                                                  .nbinds = 1,
                                                  .what = "reading the opt-in to be found"},
                       int_row, &v, NULL, err);
    *findable = v != 0;
    return rc;
}

int store_findable_set(struct store *s, int64_t contact_id, bool findable, int64_t now_ms,
                       struct kith_error *err)
{
    const struct store_value v[3] = {{.kind = SV_INT, .i = contact_id},
                                     {.kind = SV_INT, .i = findable},
                                     {.kind = SV_INT, .i = now_ms}};
    return store_each_row(s,
                          &(const struct store_rows){
                              .sql =
                                  "INSERT INTO contact_findable (contact_id, findable, updated_at)"
                                  " VALUES (?1, ?2, ?3) ON CONFLICT(contact_id) DO UPDATE SET"
                                  " findable = excluded.findable, updated_at = excluded.updated_at",
                              .binds = v,
                              .nbinds = 3,
                              .what = "recording the opt-in to be found"},
                          NULL, NULL, NULL, err);
}
