/*
 * value.c - the store's loaders for customer value management: accounts with their labels,
 * orders, order lines and products, interaction cost per account and referrals, read into the
 * plain arrays of model/value_data.h for the engine. Read-only; every value is bound.
 * The definitions (which interactions count as cost, who a referral credits) are in
 * docs/internals/value.md.
 */
#include "store/store_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

/*
 * Restriction: orders placed by, and costs of interactions with, a contact with a restriction in
 * force are left out of customer value (store_int.h, STORE_RESTRICTED_CONTACTS).
 */
#define NOT_RESTRICTED(col) "(" col " IS NULL OR " col " NOT IN (" STORE_RESTRICTED_CONTACTS "))"

/* Rows of one kind a load may hold: caps every growable array of the loader. */
#define CV_MAX_ROWS ((size_t)1 << 31)

#define CV_MAX_CURRENCIES 16

/* Runs sql (no parameters) and calls row for each row; errors say "reading <what>". */
static int cv_query(struct store *s, const char *sql, store_stmt_fn row, void *ctx,
                    const char *what, struct kith_error *err)
{
    char msg[80];
    snprintf(msg, sizeof(msg), "reading %s", what);
    return store_each_row(s, &(const struct store_rows){.sql = sql, .what = msg}, row, ctx, NULL,
                          err);
}

/* ---- the account filter ----------------------------------------------------------------- */

static bool in_filter(const struct store_cv_request *req, int64_t id)
{
    if (req->excluded) {
        size_t i = cv_lower_bound(req->excluded, req->nexcluded, sizeof(*req->excluded), 0, id);
        if (i < req->nexcluded && req->excluded[i] == id)
            return false;
    }
    if (!req->accounts)
        return true;
    size_t i = cv_lower_bound(req->accounts, req->naccounts, sizeof(*req->accounts), 0, id);
    return i < req->naccounts && req->accounts[i] == id;
}

/* ---- labels ----------------------------------------------------------------------------- */

static int label_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct cv_labels *l = ctx;
    if (l->n % 64 == 0) {
        if (l->n >= CV_MAX_ROWS)
            return kith_err(err, KITH_ERANGE, "too many distinct labels");
        char **p = alloc_array_grow(l->names, l->n + 64, sizeof(*p));
        if (!p)
            return kith_err(err, KITH_ENOMEM, "out of memory loading labels");
        l->names = p;
    }
    const char *text = (const char *)sqlite3_column_text(st, 0);
    if (!(l->names[l->n] = strdup(text ? text : "")))
        return kith_err(err, KITH_ENOMEM, "out of memory loading labels");
    l->n++;
    return 0;
}

/* The code of text among l's names (sorted bytewise), or CV_NONE. */
static int32_t label_code(const struct cv_labels *l, const unsigned char *text)
{
    if (!text || !*text)
        return CV_NONE;
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(l->names[mid], (const char *)text);
        if (c == 0)
            return (int32_t)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return CV_NONE;
}

/* Keeps only the names whose used[] entry is set; map[i] receives the new code of name i. */
static void labels_compact(struct cv_labels *l, const bool *used, int32_t *map)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (used[i]) {
            map[i] = (int32_t)k;
            l->names[k++] = l->names[i];
        } else {
            map[i] = CV_NONE;
            free(l->names[i]);
        }
    }
    l->n = k;
}

static int load_labels(struct store *s, const char *sql, struct cv_labels *l, const char *what,
                       struct kith_error *err)
{
    return cv_query(s, sql, label_row, l, what, err);
}

/* ---- accounts --------------------------------------------------------------------------- */

struct unit_code {
    int64_t id;
    int32_t code;
};

struct accounts_ctx {
    const struct store_cv_request *req;
    struct cv_data *d;
    size_t cap;
    struct unit_code *units;
    size_t nunits, units_cap;
};

static int unit_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct accounts_ctx *a = ctx;
    int rc = label_row(&a->d->units, st, err);
    if (rc < 0)
        return rc;
    if ((rc = store_grow((void **)&a->units, &a->units_cap, a->nunits + 1, sizeof(*a->units),
                         CV_MAX_ROWS, "units", err)) < 0)
        return rc;
    a->units[a->nunits].id = sqlite3_column_int64(st, 1);
    a->units[a->nunits].code = (int32_t)a->nunits;
    a->nunits++;
    return 0;
}

static int unit_code_cmp(const void *pa, const void *pb)
{
    const struct unit_code *a = pa, *b = pb;
    return (a->id > b->id) - (a->id < b->id);
}

static int32_t unit_code_of(const struct accounts_ctx *a, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return CV_NONE;
    struct unit_code key = {.id = sqlite3_column_int64(st, col)};
    const struct unit_code *u = bsearch(&key, a->units, a->nunits, sizeof(key), unit_code_cmp);
    return u ? u->code : CV_NONE;
}

/* Column col of st into d's string table at *off (left CV_NO_TEXT when NULL); -1: no room. */
static int text_of(struct cv_data *d, sqlite3_stmt *st, int col, uint32_t *off)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    if (!t)
        return 0;
    return cv_text_add(d, t, (size_t)sqlite3_column_bytes(st, col), off);
}

static int account_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct accounts_ctx *a = ctx;
    struct cv_data *d = a->d;
    int64_t id = sqlite3_column_int64(st, 0);
    if (!in_filter(a->req, id))
        return 0;
    int rc = store_grow((void **)&d->accounts, &a->cap, d->naccounts + 1, sizeof(*d->accounts),
                        CV_MAX_ROWS, "accounts", err);
    if (rc < 0)
        return rc;
    struct cv_account *ac = &d->accounts[d->naccounts];
    *ac = (struct cv_account){
        .id = id,
        .created_at = sqlite3_column_int64(st, 1),
        .industry = label_code(&d->industries, sqlite3_column_text(st, 2)),
        .revenue_band = label_code(&d->revenue_bands, sqlite3_column_text(st, 3)),
        .source = label_code(&d->sources, sqlite3_column_text(st, 4)),
        .unit = unit_code_of(a, st, 5),
        .name = CV_NO_TEXT,
        .external_id = CV_NO_TEXT,
        .wallet =
            sqlite3_column_type(st, 8) == SQLITE_NULL ? CV_NO_WALLET : sqlite3_column_int64(st, 8),
        .wallet_year = sqlite3_column_int(st, 9),
    };
    if (text_of(d, st, 6, &ac->name) < 0 || text_of(d, st, 7, &ac->external_id) < 0)
        return kith_err(err, KITH_ENOMEM, "out of memory (or over 4 GiB) for account names");
    d->naccounts++;
    return 0;
}

/* The k-th label code of an account: industry, revenue band, source, unit. */
static int32_t *account_code(struct cv_account *a, size_t k)
{
    switch (k) {
    case 0:
        return &a->industry;
    case 1:
        return &a->revenue_band;
    case 2:
        return &a->source;
    default:
        return &a->unit;
    }
}

/* A filtered load names only the labels its accounts use: no names of unseen accounts. */
static int compact_account_labels(struct cv_data *d, struct kith_error *err)
{
    struct cv_labels *labels[] = {&d->industries, &d->revenue_bands, &d->sources, &d->units};
    for (size_t k = 0; k < 4; k++) {
        struct cv_labels *l = labels[k];
        bool *used = alloc_array_zero(l->n + 1, sizeof(*used));
        int32_t *map = alloc_array(l->n + 1, sizeof(*map));
        if (!used || !map) {
            free(used);
            free(map);
            return kith_err(err, KITH_ENOMEM, "out of memory loading accounts");
        }
        for (size_t i = 0; i < d->naccounts; i++) {
            int32_t c = *account_code(&d->accounts[i], k);
            if (c != CV_NONE)
                used[c] = true;
        }
        labels_compact(l, used, map);
        for (size_t i = 0; i < d->naccounts; i++) {
            int32_t *c = account_code(&d->accounts[i], k);
            if (*c != CV_NONE)
                *c = map[*c];
        }
        free(used);
        free(map);
    }
    return 0;
}

static int load_accounts(struct store *s, const struct store_cv_request *req, struct cv_data *d,
                         struct kith_error *err)
{
    struct accounts_ctx a = {.req = req, .d = d};
    int rc;
    if ((rc = load_labels(s,
                          "SELECT DISTINCT industry FROM accounts"
                          " WHERE industry IS NOT NULL AND industry <> '' ORDER BY 1",
                          &d->industries, "industries", err)) < 0 ||
        (rc = load_labels(s,
                          "SELECT DISTINCT revenue_band FROM accounts"
                          " WHERE revenue_band IS NOT NULL AND revenue_band <> '' ORDER BY 1",
                          &d->revenue_bands, "revenue bands", err)) < 0 ||
        (rc = load_labels(s,
                          "SELECT DISTINCT source FROM accounts"
                          " WHERE source IS NOT NULL AND source <> '' ORDER BY 1",
                          &d->sources, "sources", err)) < 0)
        return rc;
    /* unit names are unique (schema), so sorting by name gives distinct sorted labels */
    if ((rc = cv_query(s, "SELECT name, id FROM units ORDER BY name", unit_row, &a, "units", err)) <
        0)
        goto out_free;
    if (a.nunits)
        qsort(a.units, a.nunits, sizeof(*a.units), unit_code_cmp);
    rc = cv_query(
        s,
        "SELECT id, created_at, industry, revenue_band, source, unit_id, name, external_id,"
        " wallet, wallet_year FROM accounts"
        " ORDER BY id",
        account_row, &a, "accounts", err);
    if (rc == 0 && req->accounts)
        rc = compact_account_labels(d, err);
out_free:
    free(a.units);
    return rc;
}

/* ---- orders ----------------------------------------------------------------------------- */

struct orders_ctx {
    const struct store_cv_request *req;
    struct cv_data *d;
    size_t cap;
    char currencies[CV_MAX_CURRENCIES][8];
};

static void note_currency(struct orders_ctx *o, const unsigned char *code)
{
    if (!code || !*code || strlen((const char *)code) >= sizeof(o->currencies[0]))
        return;
    size_t n = o->d->ncurrencies < CV_MAX_CURRENCIES ? o->d->ncurrencies : CV_MAX_CURRENCIES;
    for (size_t i = 0; i < n; i++)
        if (strcmp(o->currencies[i], (const char *)code) == 0)
            return;
    if (n < CV_MAX_CURRENCIES)
        memcpy(o->currencies[n], code, strlen((const char *)code) + 1);
    o->d->ncurrencies++;
}

static int order_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct orders_ctx *o = ctx;
    struct cv_data *d = o->d;
    int64_t account = sqlite3_column_int64(st, 0);
    if (!in_filter(o->req, account))
        return 0;
    int rc = store_grow((void **)&d->orders, &o->cap, d->norders + 1, sizeof(*d->orders),
                        CV_MAX_ROWS, "orders", err);
    if (rc < 0)
        return rc;
    bool has_margin = sqlite3_column_type(st, 3) != SQLITE_NULL;
    d->orders[d->norders++] = (struct cv_order){
        .account_id = account,
        .at = sqlite3_column_int64(st, 1),
        .amount = sqlite3_column_int64(st, 2),
        .margin = has_margin ? sqlite3_column_int64(st, 3) : 0,
        .has_margin = has_margin,
        .kind = (uint8_t)sqlite3_column_int(st, 5),
    };
    note_currency(o, sqlite3_column_text(st, 4));
    return 0;
}

static int load_orders(struct store *s, const struct store_cv_request *req, struct cv_data *d,
                       struct kith_error *err)
{
    struct orders_ctx o = {.req = req, .d = d};
    return cv_query(s,
                    "SELECT account_id, ordered_at, amount, margin, currency,"
                    " CASE coalesce(kind, CASE WHEN amount < 0 THEN 'return' ELSE 'sale' END)"
                    " WHEN 'return' THEN 1 WHEN 'credit' THEN 2 ELSE 0 END FROM orders"
                    " WHERE coalesce(contact_id, 0) NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN
                    " AND " NOT_RESTRICTED("contact_id") " ORDER BY account_id, ordered_at, id",
                    order_row, &o, "orders", err);
}

/* ---- products and order lines ----------------------------------------------------------- */

struct products_ctx {
    struct cv_data *d;
    size_t cap;
};

static int product_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct products_ctx *p = ctx;
    struct cv_data *d = p->d;
    int rc = store_grow((void **)&d->products, &p->cap, d->nproducts + 1, sizeof(*d->products),
                        CV_MAX_ROWS, "products", err);
    if (rc < 0)
        return rc;
    const char *sku = (const char *)sqlite3_column_text(st, 1);
    const char *name = (const char *)sqlite3_column_text(st, 2);
    struct cv_product *pr = &d->products[d->nproducts];
    *pr = (struct cv_product){
        .id = sqlite3_column_int64(st, 0),
        .category = label_code(&d->categories, sqlite3_column_text(st, 3)),
        .price = sqlite3_column_int64(st, 4),
        .sku = strdup(sku ? sku : ""),
        .name = strdup(name ? name : ""),
    };
    d->nproducts++; /* counted before the check so that release frees what was made */
    if (!pr->sku || !pr->name)
        return kith_err(err, KITH_ENOMEM, "out of memory loading products");
    return 0;
}

static size_t product_index(const struct cv_data *d, int64_t id)
{
    size_t i = cv_lower_bound(d->products, d->nproducts, sizeof(*d->products),
                              offsetof(struct cv_product, id), id);
    return i < d->nproducts && d->products[i].id == id ? i : CV_NO_INDEX;
}

struct lines_ctx {
    const struct store_cv_request *req;
    struct cv_data *d;
    size_t cap;
};

static int line_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct lines_ctx *l = ctx;
    struct cv_data *d = l->d;
    int64_t account = sqlite3_column_int64(st, 1);
    if (!in_filter(l->req, account))
        return 0;
    size_t product = product_index(d, sqlite3_column_int64(st, 3));
    if (product == CV_NO_INDEX)
        return 0; /* cannot happen with foreign keys on; a line without its product is skipped */
    int rc = store_grow((void **)&d->lines, &l->cap, d->nlines + 1, sizeof(*d->lines), CV_MAX_ROWS,
                        "order lines", err);
    if (rc < 0)
        return rc;
    d->lines[d->nlines++] = (struct cv_line){
        .order_id = sqlite3_column_int64(st, 0),
        .account_id = account,
        .at = sqlite3_column_int64(st, 2),
        .product = (int32_t)product,
    };
    return 0;
}

static int load_lines(struct store *s, const struct store_cv_request *req, struct cv_data *d,
                      struct kith_error *err)
{
    int rc = load_labels(s,
                         "SELECT DISTINCT category FROM products"
                         " WHERE category IS NOT NULL AND category <> '' ORDER BY 1",
                         &d->categories, "product categories", err);
    if (rc < 0)
        return rc;
    struct products_ctx p = {.d = d};
    if ((rc = cv_query(s, "SELECT id, sku, name, category, price FROM products ORDER BY id",
                       product_row, &p, "products", err)) < 0)
        return rc;
    if (d->nproducts > INT32_MAX)
        return kith_err(err, KITH_ERANGE, "too many products to analyse (%zu)", d->nproducts);
    struct lines_ctx l = {.req = req, .d = d};
    return cv_query(s,
                    "SELECT ol.order_id, o.account_id, o.ordered_at, ol.product_id"
                    " FROM order_lines ol JOIN orders o ON o.id = ol.order_id"
                    " WHERE coalesce(o.kind, 'sale') = 'sale'" /* baskets and holding: sales */
                    " AND coalesce(o.contact_id, 0) NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN
                    " AND " NOT_RESTRICTED("o.contact_id") " ORDER BY ol.order_id, ol.id",
                    line_row, &l, "order lines", err);
}

/* ---- cost to serve ---------------------------------------------------------------------- */

/*
 * Cost to serve is summed in C over one sequential scan of interactions: a GROUP BY account in
 * SQL joins every interaction to its contact and sorts millions of rows through a temporary
 * b-tree (20 s for 5 million interactions against 2 s this way). Contacts, voided ids and type
 * costs are small next to interactions and are looked up by binary search.
 */
struct id_pair {
    int64_t id, value;
};

static const struct id_pair *pair_find(const struct id_pair *p, size_t n, int64_t id)
{
    size_t i = cv_lower_bound(p, n, sizeof(*p), offsetof(struct id_pair, id), id);
    return i < n && p[i].id == id ? &p[i] : NULL;
}

struct pairs_ctx {
    const struct store_cv_request *req; /* filter on the value column when set */
    struct id_pair *p;
    size_t n, cap;
};

static int pair_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct pairs_ctx *c = ctx;
    int64_t value = sqlite3_column_int64(st, 1);
    if (c->req && !in_filter(c->req, value))
        return 0;
    int rc = store_grow((void **)&c->p, &c->cap, c->n + 1, sizeof(*c->p), CV_MAX_ROWS, "rows", err);
    if (rc < 0)
        return rc;
    c->p[c->n++] = (struct id_pair){sqlite3_column_int64(st, 0), value};
    return 0;
}

struct cost_scan {
    const struct id_pair *contacts; /* contact id -> account id, ascending */
    size_t ncontacts;
    int64_t slot_base; /* when ids are dense: slot[id - slot_base] is the contact's index + 1 */
    uint32_t *slot;
    size_t nslots;
    const struct id_pair *voided; /* voided interaction ids (value unused), ascending */
    size_t nvoided, next_voided;  /* the scan is in id order: a merge, not a search */
    const struct id_pair *types;  /* type id -> cost, ascending */
    size_t ntypes;
    int64_t end, start; /* the windows: [.., end) and [start, end) */
    int64_t *to_date, *current;
    bool *seen;
};

static int cost_scan_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct cost_scan *c = ctx;
    const int64_t id = sqlite3_column_int64(st, 0), at = sqlite3_column_int64(st, 2);
    while (c->next_voided < c->nvoided && c->voided[c->next_voided].id < id)
        c->next_voided++;
    if (at >= c->end || (c->next_voided < c->nvoided && c->voided[c->next_voided].id == id))
        return 0;
    const int64_t contact_id = sqlite3_column_int64(st, 1);
    size_t k;
    if (c->slot) {
        uint64_t off = (uint64_t)(contact_id - c->slot_base);
        if (contact_id < c->slot_base || off >= c->nslots || c->slot[off] == 0)
            return 0;
        k = c->slot[off] - 1;
    } else {
        const struct id_pair *contact = pair_find(c->contacts, c->ncontacts, contact_id);
        if (!contact)
            return 0;
        k = (size_t)(contact - c->contacts);
    }
    int64_t cost;
    if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
        cost = sqlite3_column_int64(st, 3);
    } else {
        const struct id_pair *t = pair_find(c->types, c->ntypes, sqlite3_column_int64(st, 4));
        cost = t ? t->value : 0;
    }
    c->to_date[k] += cost;
    if (at >= c->start)
        c->current[k] += cost;
    c->seen[k] = true;
    return 0;
}

struct account_cost {
    int64_t account, to_date, current;
};

static int account_cost_cmp(const void *pa, const void *pb)
{
    const struct account_cost *a = pa, *b = pb;
    return (a->account > b->account) - (a->account < b->account);
}

/* Sums the contacts' costs per account into d->costs. */
static int fold_costs(const struct cost_scan *c, struct cv_data *d, struct kith_error *err)
{
    size_t m = 0;
    for (size_t k = 0; k < c->ncontacts; k++)
        m += c->seen[k];
    struct account_cost *ac = alloc_array(m, sizeof(*ac));
    if (!ac)
        return kith_err(err, KITH_ENOMEM, "out of memory summing costs");
    size_t j = 0;
    for (size_t k = 0; k < c->ncontacts; k++)
        if (c->seen[k])
            ac[j++] = (struct account_cost){c->contacts[k].value, c->to_date[k], c->current[k]};
    qsort(ac, m, sizeof(*ac), account_cost_cmp);
    size_t accounts = 0;
    for (size_t i = 0; i < m; i++)
        accounts += i == 0 || ac[i].account != ac[i - 1].account;
    d->costs = alloc_array_zero(accounts, sizeof(*d->costs));
    if (!d->costs) {
        free(ac);
        return kith_err(err, KITH_ENOMEM, "out of memory summing costs");
    }
    for (size_t i = 0; i < m; i++) {
        if (i == 0 || ac[i].account != ac[i - 1].account)
            d->costs[d->ncosts++].account_id = ac[i].account;
        struct cv_cost *cc = &d->costs[d->ncosts - 1];
        cc->to_date += ac[i].to_date;
        cc->current += ac[i].current;
    }
    free(ac);
    return 0;
}

/*
 * An interaction's cost is its recorded cost, else its type's. A voided interaction and the
 * interaction that voids it (which carries the negated cost) both drop out, so a correction
 * leaves no trace in either window.
 */
static int load_costs(struct store *s, const struct store_cv_request *req, struct cv_data *d,
                      struct kith_error *err)
{
    struct pairs_ctx contacts = {.req = req}, voided = {0}, types = {0};
    struct cost_scan c = {
        .end = ((int64_t)d->as_of_day + 1) * CV_DAY_MS,
        .start = ((int64_t)d->as_of_day + 1 - d->current_days) * CV_DAY_MS,
    };
    int rc;
    if ((rc = cv_query(s,
                       "SELECT id, account_id FROM contacts WHERE account_id IS NOT NULL"
                       " AND id NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN " ORDER BY id",
                       pair_row, &contacts, "contacts", err)) < 0 ||
        (rc = cv_query(s,
                       "SELECT voids_id, 0 FROM interactions WHERE voids_id IS NOT NULL"
                       " ORDER BY voids_id",
                       pair_row, &voided, "voided interactions", err)) < 0 ||
        (rc = cv_query(s, "SELECT id, cost FROM interaction_types ORDER BY id", pair_row, &types,
                       "interaction types", err)) < 0)
        goto out_free;
    c.contacts = contacts.p;
    c.ncontacts = contacts.n;
    c.voided = voided.p;
    c.nvoided = voided.n;
    c.types = types.p;
    c.ntypes = types.n;
    c.to_date = alloc_array_zero(contacts.n + 1, sizeof(*c.to_date));
    c.current = alloc_array_zero(contacts.n + 1, sizeof(*c.current));
    c.seen = alloc_array_zero(contacts.n + 1, sizeof(*c.seen));
    if (!c.to_date || !c.current || !c.seen) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory for the costs of %zu contacts", contacts.n);
        goto out_free;
    }
    /* dense ids (the usual case) are looked up by offset; sparse ones by binary search */
    if (contacts.n > 0 && contacts.n < UINT32_MAX) {
        int64_t lo = contacts.p[0].id, hi = contacts.p[contacts.n - 1].id;
        uint64_t span = (uint64_t)(hi - lo) + 1;
        if (span <= 4 * (uint64_t)contacts.n + 4096 &&
            (c.slot = alloc_array_zero(span, sizeof(*c.slot)))) {
            c.slot_base = lo;
            c.nslots = (size_t)span;
            for (size_t k = 0; k < contacts.n; k++)
                c.slot[contacts.p[k].id - lo] = (uint32_t)(k + 1);
        }
    }
    /* rowid order: one sequential pass; the voiding rows (voids_id set) are left out here */
    if ((rc = cv_query(s,
                       "SELECT id, contact_id, occurred_at, cost, type_id FROM interactions"
                       " WHERE voids_id IS NULL AND " NOT_RESTRICTED("contact_id") " ORDER BY id",
                       cost_scan_row, &c, "interaction costs", err)) < 0)
        goto out_free;
    rc = fold_costs(&c, d, err);
out_free:
    free(contacts.p);
    free(voided.p);
    free(types.p);
    free(c.to_date);
    free(c.current);
    free(c.seen);
    free(c.slot);
    return rc;
}

/* ---- referrals -------------------------------------------------------------------------- */

struct referrals_ctx {
    const struct store_cv_request *req;
    struct cv_data *d;
    size_t cap;
};

static int referral_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct referrals_ctx *r = ctx;
    struct cv_data *d = r->d;
    if (sqlite3_column_type(st, 0) == SQLITE_NULL || sqlite3_column_type(st, 1) == SQLITE_NULL)
        return 0;
    int64_t referrer = sqlite3_column_int64(st, 0);
    if (!in_filter(r->req, referrer))
        return 0;
    int rc = store_grow((void **)&d->referrals, &r->cap, d->nreferrals + 1, sizeof(*d->referrals),
                        CV_MAX_ROWS, "referrals", err);
    if (rc < 0)
        return rc;
    d->referrals[d->nreferrals++] = (struct cv_referral){
        .referrer = referrer,
        .referred = sqlite3_column_int64(st, 1),
        .at = sqlite3_column_int64(st, 2),
    };
    return 0;
}

/* The referrer's account is its contact's account, else the event's own account. */
static int load_referrals(struct store *s, const struct store_cv_request *req, struct cv_data *d,
                          struct kith_error *err)
{
    struct referrals_ctx r = {.req = req, .d = d};
    return cv_query(s,
                    "SELECT coalesce(rc.account_id, e.account_id), dc.account_id, e.occurred_at"
                    " FROM events e"
                    " LEFT JOIN contacts rc ON rc.id = e.contact_id"
                    " JOIN contacts dc ON dc.id = e.related_contact_id"
                    " WHERE e.kind = 'referral' AND e.related_contact_id IS NOT NULL"
                    " AND coalesce(e.contact_id, 0) NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN
                    " AND e.related_contact_id NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN
                    " ORDER BY e.occurred_at, e.id",
                    referral_row, &r, "referral events", err);
}

/* ---- consent ---------------------------------------------------------------------------- */

/*
 * The accounts left out of the figures (docs/portal.md "Consent"): those with contacts, every
 * one of which withdrew its consent to analytics. Ascending, malloc'd into *ids (NULL and 0 when
 * there is none).
 */
static int excluded_accounts(struct store *s, int64_t **ids, size_t *n, struct kith_error *err)
{
    struct pairs_ctx p = {0};
    bool any = false;
    *ids = NULL;
    *n = 0;
    int rc = store_consent_any_withdrawn(s, CONSENT_ANALYTICS, &any, err);
    if (rc < 0 || !any)
        return rc;
    rc = cv_query(s,
                  "SELECT a.id, 0 FROM accounts a"
                  " WHERE EXISTS (SELECT 1 FROM contacts c WHERE c.account_id = a.id)"
                  " AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.account_id = a.id"
                  " AND c.id NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN ") ORDER BY a.id",
                  pair_row, &p, "accounts without consent to analytics", err);
    if (rc < 0 || p.n == 0) {
        free(p.p);
        return rc;
    }
    int64_t *out = alloc_array_zero(p.n, sizeof(*out));
    if (!out) {
        free(p.p);
        return kith_err(err, KITH_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < p.n; i++)
        out[i] = p.p[i].id;
    free(p.p);
    *ids = out;
    *n = p.n;
    return 0;
}

/* ---- the entry point -------------------------------------------------------------------- */

static int latest_order_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    int64_t *at = ctx;
    if (sqlite3_column_type(st, 0) != SQLITE_NULL)
        *at = sqlite3_column_int64(st, 0);
    return 0;
}

int store_cv_latest_order(struct store *s, int64_t *at, bool *found, struct kith_error *err)
{
    int64_t v = INT64_MIN;
    int rc = cv_query(s, "SELECT max(ordered_at) FROM orders", latest_order_row, &v,
                      "the latest order", err);
    if (rc < 0)
        return rc;
    *found = v != INT64_MIN;
    *at = *found ? v : 0;
    return 0;
}

int store_cv_load(struct store *s, const struct store_cv_request *req, struct cv_data *out,
                  struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 1; req->accounts && i < req->naccounts; i++)
        if (req->accounts[i] <= req->accounts[i - 1])
            return kith_err(err, KITH_EINVAL,
                            "customer value: the account ids to load must be ascending and "
                            "distinct (index %zu)",
                            i);
    if (req->current_days < 1 || req->current_days > 36600)
        return kith_err(err, KITH_EINVAL,
                        "customer value: the current window of %d days must be 1..36600",
                        req->current_days);
    int rc;
    out->current_days = req->current_days;
    if (req->as_of_day == STORE_CV_AS_OF_LATEST) {
        int64_t at;
        bool found;
        if ((rc = store_cv_latest_order(s, &at, &found, err)) < 0)
            return rc;
        out->as_of_day = cv_day(found ? at : store_now_ms());
    } else {
        out->as_of_day = req->as_of_day;
    }
    /* one read transaction, unless the caller has one: every part sees the same state */
    bool own_txn = sqlite3_get_autocommit(s->db) != 0;
    if (own_txn && sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return kith_err(err, KITH_EDB, "starting a read: %s", sqlite3_errmsg(s->db));
    struct store_cv_request own = *req;
    int64_t *excluded = NULL;
    rc = excluded_accounts(s, &excluded, &own.nexcluded, err);
    own.excluded = excluded;
    req = &own;
    if (rc == 0 && (req->parts & STORE_CV_ACCOUNTS))
        rc = load_accounts(s, req, out, err);
    if (rc == 0 && (req->parts & STORE_CV_ORDERS))
        rc = load_orders(s, req, out, err);
    if (rc == 0 && (req->parts & STORE_CV_LINES))
        rc = load_lines(s, req, out, err);
    if (rc == 0 && (req->parts & STORE_CV_COSTS))
        rc = load_costs(s, req, out, err);
    if (rc == 0 && (req->parts & STORE_CV_REFERRALS))
        rc = load_referrals(s, req, out, err);
    free(excluded);
    if (own_txn)
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc < 0)
        cv_data_release(out);
    return rc;
}

int store_scope_account_ids(struct store *s, const struct store_scope *scope, int64_t **ids,
                            size_t *n, struct kith_error *err)
{
    *ids = NULL;
    *n = 0;
    if (scope->all)
        return 0; /* NULL: the loader's "every account", without listing them */
    /* query.c owns the scope SQL: the accounts are exactly those store_list() shows */
    int rc = store_scope_ids(s, model_table("accounts"), scope, ids, n, err);
    if (rc < 0)
        return rc;
    if (!*ids && !(*ids = malloc(sizeof(**ids))))
        return kith_err(err, KITH_ENOMEM, "out of memory listing the accounts in scope");
    return 0;
}
