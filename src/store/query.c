/*
 * query.c - the store's generic queries for the API: a page of a list (filters, prefix search,
 * sort, keyset pagination) under a record-level scope; get, update and delete of one row; the
 * timeline of a contact. Identifiers in the SQL come only from model/table.h and the constant
 * scope paths below; every value is bound. docs/internals/access.md explains the scope paths.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

#define QUERY_SQL_MAX   16384
#define QUERY_MAX_BINDS 96

/* A statement under construction: SQL text from constants, and the values it binds in order. */
struct qbuf {
    char sql[QUERY_SQL_MAX];
    size_t len;
    struct store_value binds[QUERY_MAX_BINDS];
    int nbinds;
    char patterns[STORE_SEARCH_MAX_WORDS][2 * STORE_SEARCH_MAX_LEN + 2]; /* LIKE patterns */
};

static void q_add(struct qbuf *b, const char *text)
{
    size_t n = strlen(text);
    if (b->len + n + 1 > sizeof(b->sql))
        BUG("generated SQL longer than %zu bytes", sizeof(b->sql));
    memcpy(b->sql + b->len, text, n + 1);
    b->len += n;
}

static void q_bind(struct qbuf *b, const struct store_value *v)
{
    if (b->nbinds == QUERY_MAX_BINDS)
        BUG("more than %d values in one statement", QUERY_MAX_BINDS);
    b->binds[b->nbinds++] = *v;
    q_add(b, "?");
}

static void q_bind_int(struct qbuf *b, int64_t i)
{
    struct store_value v = {.kind = SV_INT, .i = i};
    q_bind(b, &v);
}

/* How the rows of a table reach the unit, team and owner that scope them (see store.h). */
struct scope_path {
    const char *table;
    const char *unit, *team, *owner; /* the row's own columns, or NULL */
    const char *via, *via_table;     /* or: the reference to the row that scopes it */
    const char *alt, *alt_table;     /* and, where via is NULL, this reference instead */
    bool detail; /* its unit may keep it private from the principal (store_scope.hide_private) */
};

static const struct scope_path scope_paths[] = {
    {"units", "id", NULL, NULL, NULL, NULL, NULL, NULL, false},
    {"teams", "unit_id", "id", NULL, NULL, NULL, NULL, NULL, false},
    {"users", "unit_id", "team_id", "id", NULL, NULL, NULL, NULL, false},
    {"accounts", "unit_id", "team_id", "owner_id", NULL, NULL, NULL, NULL, false},
    {"contacts", "unit_id", "team_id", "owner_id", NULL, NULL, NULL, NULL, true},
    {"interactions", NULL, NULL, NULL, "contact_id", "contacts", NULL, NULL, false},
    {"orders", NULL, NULL, NULL, "contact_id", "contacts", "account_id", "accounts", false},
    {"order_lines", NULL, NULL, NULL, "order_id", "orders", NULL, NULL, false},
    {"events", NULL, NULL, NULL, "contact_id", "contacts", "account_id", "accounts", false},
    {"deals", "unit_id", "team_id", "owner_id", NULL, NULL, NULL, NULL, true},
    {"deal_lines", NULL, NULL, NULL, "deal_id", "deals", NULL, NULL, false},
    {"deal_stage_changes", NULL, NULL, NULL, "deal_id", "deals", NULL, NULL, false},
    {"quotas", NULL, NULL, NULL, "user_id", "users", NULL, NULL, false},
    {"survey_responses", NULL, NULL, NULL, "contact_id", "contacts", NULL, NULL, false},
    {"survey_optins", NULL, NULL, NULL, "contact_id", "contacts", NULL, NULL, false},
    {"ratings", NULL, NULL, NULL, "contact_id", "contacts", NULL, NULL, false},
    {"ideas", NULL, NULL, NULL, "contact_id", "contacts", NULL, NULL, false},
    {"idea_votes", NULL, NULL, NULL, "contact_id", "contacts", NULL, NULL, false},
    {"consents", NULL, NULL, NULL, "contact_id", "contacts", NULL, NULL, false},
    {"dsrs", NULL, NULL, NULL, "contact_id", "contacts", NULL, NULL, false},
    {"corrections", NULL, NULL, NULL, "contact_id", "contacts", NULL, NULL, false},
};

static const struct scope_path *scope_path_of(const char *table)
{
    for (size_t i = 0; i < sizeof(scope_paths) / sizeof(scope_paths[0]); i++)
        if (strcmp(scope_paths[i].table, table) == 0)
            return &scope_paths[i];
    return NULL;
}

bool store_scope_is_empty(const struct store_scope *scope)
{
    return !scope->all && scope->unit_id <= 0 && scope->team_id <= 0 && scope->owner_id <= 0;
}

/* True if the scope restricts anything, i.e. its SQL condition is needed. */
static bool scope_restricts(const struct store_scope *scope)
{
    return scope && (!scope->all || scope->hide_private || scope->hide_unshared);
}

/*
 * How a list is planned. SQLite's planner guesses how many rows a condition matches (without
 * ANALYZE statistics it guesses badly, and a bound LIMIT changes its guess), and a wrong guess
 * costs 50 ms instead of 1 on 100,000 rows. So the store decides with bounded counts
 * (list_plan()) and writes the SQL so that SQLite follows the decision:
 *
 * - the scope of a row reached through another table (interactions through contacts) is tested
 *   with EXISTS, probing the scoping row of each candidate by its primary key, when many rows are
 *   in scope (a unit of thousands of contacts): the scan meets a match almost at once; or with
 *   IN, gathering the rows in scope first and driving from them through the reference's index,
 *   when few are (the contacts one user owns). A single row is always checked with EXISTS.
 * - when many rows match the whole condition, its terms are made unusable for indexes with a
 *   unary "+" so that SQLite walks the sort order and stops at the page's end; when few match,
 *   the sort key is written "+key" instead, so that SQLite finds them through the indexes of the
 *   conditions and sorts them.
 */
enum scope_form { SCOPE_EXISTS, SCOPE_IN };

struct plan {
    enum scope_form form;
    bool walk_sort_order; /* many rows match: conditions as "+col", scan in sort order */
};

#define PLAN_MANY_PER_ROW 50 /* "many" is at least this many matching rows per page row */
#define SCOPE_MAX_DEPTH   4

static void scope_sql(struct qbuf *b, const char *table, const char *qual,
                      const struct store_scope *sc, const struct plan *pl, int depth);

/* "+" before a column when the plan wants its conditions away from indexes. */
static void q_col(struct qbuf *b, const struct plan *pl, const char *qual, const char *col)
{
    if (pl->walk_sort_order)
        q_add(b, "+");
    if (qual) {
        q_add(b, qual);
        q_add(b, ".");
    }
    q_add(b, col);
}

/* "qual.ref" points at a row of target that is in scope. */
static void scope_via(struct qbuf *b, const char *qual, const char *ref, const char *target,
                      const struct store_scope *sc, const struct plan *pl, int depth)
{
    static const char *const aliases[SCOPE_MAX_DEPTH] = {"s1", "s2", "s3", "s4"};
    const struct plan inner = {pl->form, false}; /* inside the subquery, indexes are welcome */
    if (depth >= SCOPE_MAX_DEPTH)
        BUG("scope path of %s deeper than %d", target, SCOPE_MAX_DEPTH);
    const char *alias = aliases[depth];
    if (pl->form == SCOPE_EXISTS) {
        q_add(b, "EXISTS (SELECT 1 FROM ");
    } else {
        q_col(b, pl, qual, ref);
        q_add(b, " IN (SELECT ");
        q_add(b, alias);
        q_add(b, ".id FROM ");
    }
    q_add(b, target);
    q_add(b, " AS ");
    q_add(b, alias);
    q_add(b, " WHERE ");
    if (pl->form == SCOPE_EXISTS) {
        q_add(b, alias);
        q_add(b, ".id = ");
        q_add(b, qual);
        q_add(b, ".");
        q_add(b, ref);
        q_add(b, " AND ");
    }
    scope_sql(b, target, alias, sc, &inner, depth + 1);
    q_add(b, ")");
}

/*
 * " AND NOT <the row called qual lies in a unit that keeps its detail private>": an independent
 * unit (model_independent_unit_kinds) without shares_detail. Probed by the unit's primary key.
 */
static void private_sql(struct qbuf *b, const char *qual, const struct plan *pl)
{
    q_add(b, " AND NOT EXISTS (SELECT 1 FROM units AS pu WHERE pu.id = ");
    q_col(b, pl, qual, "unit_id");
    q_add(b, " AND coalesce(pu.shares_detail, 0) = 0 AND pu.kind IN (");
    for (size_t i = 0; model_independent_unit_kinds[i]; i++) {
        const char *k = model_independent_unit_kinds[i];
        q_add(b, i ? ", " : "");
        q_bind(b, &(const struct store_value){.kind = SV_TEXT, .s = k, .len = strlen(k)});
    }
    q_add(b, "))");
}

/*
 * " AND NOT <the contact called qual has withdrawn its consent to sharing with partners>": its
 * current (latest) record of purpose sharing is a withdrawal (sharing is recorded on channel
 * "any" only, model/consent.h). Probed through consents_contact_purpose_channel.
 */
static void unshared_sql(struct qbuf *b, const char *qual)
{
    q_add(b, " AND NOT EXISTS (SELECT 1 FROM consents_current AS cw WHERE cw.contact_id = ");
    q_add(b, qual);
    q_add(b, ".id AND cw.purpose = 'sharing' AND cw.channel = 'any'"
             " AND cw.state = 'withdrawn')");
}

/* A condition on the row called qual of table that holds when it is in scope; "0" if none can. */
static void scope_sql(struct qbuf *b, const char *table, const char *qual,
                      const struct store_scope *sc, const struct plan *pl, int depth)
{
    const struct scope_path *p = scope_path_of(table);
    if (!p) {
        q_add(b, "0");
        return;
    }
    q_add(b, "(");
    if (p->via) {
        scope_via(b, qual, p->via, p->via_table, sc, pl, depth);
        if (p->alt) {
            q_add(b, " OR (");
            q_add(b, qual);
            q_add(b, ".");
            q_add(b, p->via);
            q_add(b, " IS NULL AND ");
            scope_via(b, qual, p->alt, p->alt_table, sc, pl, depth);
            q_add(b, ")");
        }
        if (sc->all) { /* every row but private ones: a row that hangs off nothing is in */
            q_add(b, " OR (");
            q_add(b, qual);
            q_add(b, ".");
            q_add(b, p->via);
            q_add(b, " IS NULL");
            if (p->alt) {
                q_add(b, " AND ");
                q_add(b, qual);
                q_add(b, ".");
                q_add(b, p->alt);
                q_add(b, " IS NULL");
            }
            q_add(b, ")");
        }
    } else if (sc->all) {
        q_add(b, "1");
    } else {
        const char *cols[3] = {p->unit, p->team, p->owner};
        const int64_t ids[3] = {sc->unit_id, sc->team_id, sc->owner_id};
        int n = 0;
        for (int i = 0; i < 3; i++) {
            if (!cols[i] || ids[i] <= 0)
                continue;
            q_add(b, n++ ? " OR " : "");
            q_col(b, pl, qual, cols[i]);
            q_add(b, " = ");
            q_bind_int(b, ids[i]);
        }
        if (n == 0)
            q_add(b, "0");
    }
    q_add(b, ")");
    if (p->detail && sc->hide_private)
        private_sql(b, qual, pl);
    if (sc->hide_unshared && strcmp(p->table, "contacts") == 0)
        unshared_sql(b, qual);
}

/* "SELECT <columns> FROM <t> WHERE 1" with secrets read as NULL. */
static void select_rows(struct qbuf *b, const struct table_def *t)
{
    q_add(b, "SELECT ");
    for (size_t i = 0; i < t->nfields; i++) {
        q_add(b, i ? ", " : "");
        q_add(b, t->fields[i].secret ? "NULL" : t->fields[i].name);
    }
    q_add(b, " FROM ");
    q_add(b, t->name);
    q_add(b, " WHERE 1");
}

/* " AND <scope>" unless everything is in scope. */
static void scope_and(struct qbuf *b, const struct table_def *t, const struct store_scope *sc,
                      const struct plan *pl)
{
    if (scope_restricts(sc)) {
        q_add(b, " AND ");
        scope_sql(b, t->name, t->name, sc, pl, 0);
    }
}

static int prepare_bound(struct store *s, struct qbuf *b, sqlite3_stmt **st, struct kith_error *err)
{
    if (store_stmt_get(s, b->sql, b->len, st) != SQLITE_OK)
        return kith_err(err, KITH_EDB, "preparing a query: %s", sqlite3_errmsg(s->db));
    for (int i = 0; i < b->nbinds; i++) {
        if (store_bind_value(*st, i + 1, &b->binds[i]) != SQLITE_OK) {
            kith_err(err, KITH_EDB, "binding a value: %s", sqlite3_errmsg(s->db));
            store_stmt_done(s, *st);
            *st = NULL;
            return KITH_EDB;
        }
    }
    return 0;
}

/* The rows of b as rows of t: each read into vals and given to fn. */
struct table_rows {
    const struct table_def *t;
    struct store_value *vals;
    store_row_fn fn;
    void *ctx;
};

static int table_row(void *arg, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct table_rows *r = arg;
    for (size_t i = 0; i < r->t->nfields; i++)
        store_column_value(st, (int)i, &r->vals[i]);
    return r->fn ? r->fn(r->ctx, r->vals) : 0;
}

/* Runs the query in b, calling fn (when non-NULL) with each row of t; *nrows as store_each_row. */
static int each_row(struct store *s, const struct table_def *t, const struct qbuf *b,
                    store_row_fn fn, void *ctx, size_t *nrows, struct kith_error *err)
{
    struct table_rows r = {t, alloc_array_zero(t->nfields, sizeof(*r.vals)), fn, ctx};
    if (!r.vals)
        return kith_err(err, KITH_ENOMEM, "out of memory reading %s", t->name);
    char what[80];
    snprintf(what, sizeof(what), "reading %s", t->name);
    const struct store_rows q = {
        .sql = b->sql, .binds = b->binds, .nbinds = b->nbinds, .what = what};
    int rc = store_each_row(s, &q, table_row, &r, nrows, err);
    free(r.vals);
    return rc;
}

static bool field_is_scalar(const struct field_def *f)
{
    return !f->secret && f->type != FT_JSON;
}

/* Appends " AND (f1 LIKE ? ESCAPE '\' OR ...)" for each word of q->search. */
static int search_sql(struct qbuf *b, const struct table_def *t, const struct store_query *q,
                      const struct plan *pl, struct kith_error *err)
{
    const char *p = q->search;
    if (!p || !*p)
        return 0;
    if (strlen(p) > STORE_SEARCH_MAX_LEN)
        return kith_err(err, KITH_EINVAL, "the search text is longer than %d bytes",
                        STORE_SEARCH_MAX_LEN);
    if (q->nsearch == 0)
        return kith_err(err, KITH_EINVAL, "%s cannot be searched", t->name);
    int words = 0;
    for (;;) {
        p += strspn(p, " \t");
        size_t n = strcspn(p, " \t");
        if (n == 0)
            break;
        if (words == STORE_SEARCH_MAX_WORDS)
            return kith_err(err, KITH_EINVAL, "search for at most %d words",
                            STORE_SEARCH_MAX_WORDS);
        char *pat = b->patterns[words++];
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (p[i] == '%' || p[i] == '_' || p[i] == '\\')
                pat[k++] = '\\';
            pat[k++] = p[i];
        }
        pat[k++] = '%';
        pat[k] = '\0';
        struct store_value v = {.kind = SV_TEXT, .s = pat, .len = k};
        q_add(b, " AND (");
        for (size_t f = 0; f < q->nsearch; f++) {
            q_add(b, f ? " OR " : "");
            q_col(b, pl, NULL, t->fields[q->search_fields[f]].name);
            q_add(b, " LIKE ");
            q_bind(b, &v);
            q_add(b, " ESCAPE '\\'");
        }
        q_add(b, ")");
        p += n;
    }
    return 0;
}

/* Appends the keyset condition of q: the rows after (after_key, after_id) in q's order. */
static void keyset_sql(struct qbuf *b, const struct table_def *t, const struct store_query *q)
{
    const char *c = t->fields[q->sort_field].name;
    if (!q->after)
        return;
    if (q->sort_field == 0) {
        q_add(b, q->descending ? " AND id < " : " AND id > ");
        q_bind_int(b, q->after_id);
        return;
    }
    bool null_key = q->after_key.kind == SV_NULL;
    if (!q->descending && null_key) { /* NULLs come first: the rest of them, then the others */
        q_add(b, " AND (");
        q_add(b, c);
        q_add(b, " IS NOT NULL OR id > ");
        q_bind_int(b, q->after_id);
        q_add(b, ")");
    } else if (q->descending && null_key) { /* NULLs come last: only the rest of them */
        q_add(b, " AND ");
        q_add(b, c);
        q_add(b, " IS NULL AND id < ");
        q_bind_int(b, q->after_id);
    } else {
        q_add(b, q->descending ? " AND ((" : " AND (");
        q_add(b, c);
        q_add(b, q->descending ? ", id) < (" : ", id) > (");
        q_bind(b, &q->after_key);
        q_add(b, ", ");
        q_bind_int(b, q->after_id);
        q_add(b, ")");
        if (q->descending) {
            q_add(b, " OR ");
            q_add(b, c);
            q_add(b, " IS NULL)");
        }
    }
}

/* Appends ORDER BY (sort key, id); "+key" keeps SQLite from reading the order off an index. */
static void order_sql(struct qbuf *b, const struct table_def *t, const struct store_query *q,
                      const struct plan *pl)
{
    const char *dir = q->descending ? " DESC" : "";
    const char *plus = pl->walk_sort_order ? "" : "+";
    q_add(b, " ORDER BY ");
    if (q->sort_field != 0) {
        q_add(b, plus);
        q_add(b, t->fields[q->sort_field].name);
        q_add(b, dir);
        q_add(b, ", ");
    }
    q_add(b, plus);
    q_add(b, "id");
    q_add(b, dir);
}

static const char *const op_sql[] = {[STORE_EQ] = " = ", [STORE_GE] = " >= ", [STORE_LE] = " <= "};

static int check_query(const struct table_def *t, const struct store_query *q,
                       struct kith_error *err)
{
    if (q->limit < 1 || q->limit > STORE_LIST_MAX)
        return kith_err(err, KITH_EINVAL, "a page holds 1 to %d rows", STORE_LIST_MAX);
    if (q->nfilters > STORE_QUERY_MAX_FILTERS || q->nsearch > STORE_QUERY_MAX_SEARCH)
        BUG("store_query over its limits");
    if (q->sort_field >= t->nfields || !field_is_scalar(&t->fields[q->sort_field]))
        return kith_err(err, KITH_EINVAL, "%s cannot be sorted by that field", t->name);
    for (size_t i = 0; i < q->nfilters; i++) {
        const struct store_filter *f = &q->filters[i];
        if (f->field >= t->nfields || !field_is_scalar(&t->fields[f->field]) || f->op > STORE_LE)
            return kith_err(err, KITH_EINVAL, "%s cannot be filtered by that field", t->name);
    }
    for (size_t i = 0; i < q->nsearch; i++)
        if (q->search_fields[i] >= t->nfields || !field_is_scalar(&t->fields[q->search_fields[i]]))
            BUG("search field %zu of %s is not a text column", q->search_fields[i], t->name);
    return 0;
}

/* Appends the scope, filters, search and keyset of q as " AND ..." conditions. */
static int conditions_sql(struct qbuf *b, const struct table_def *t, const struct store_query *q,
                          const struct store_scope *scope, const struct plan *pl, bool keyset,
                          struct kith_error *err)
{
    scope_and(b, t, scope, pl);
    for (size_t i = 0; i < q->nfilters; i++) {
        q_add(b, " AND ");
        q_col(b, pl, NULL, t->fields[q->filters[i].field].name);
        q_add(b, op_sql[q->filters[i].op]);
        q_bind(b, &q->filters[i].value);
    }
    int rc = search_sql(b, t, q, pl, err);
    if (rc == 0 && keyset)
        keyset_sql(b, t, q);
    return rc;
}

/* Runs "SELECT count(*) FROM (<b> LIMIT max)"; max on any failure (the plan is only a guess). */
static int64_t count_upto(struct store *s, struct qbuf *b, int64_t max)
{
    sqlite3_stmt *st;
    int64_t n = max;
    q_add(b, " LIMIT ");
    q_bind_int(b, max);
    q_add(b, ")");
    if (prepare_bound(s, b, &st, NULL) == 0) {
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        store_stmt_done(s, st);
    }
    return n;
}

/* True if an index of t starts with the sort field in its collation: the order is free. */
static bool sort_is_indexed(struct store *s, const struct table_def *t, size_t field)
{
    const char *coll = NULL;
    sqlite3_stmt *st;
    bool found = false;
    if (field == 0)
        return true;
    if (sqlite3_table_column_metadata(s->db, "main", t->name, t->fields[field].name, NULL, &coll,
                                      NULL, NULL, NULL) != SQLITE_OK)
        coll = "BINARY";
    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM pragma_index_list(?1) AS il,"
                           " pragma_index_xinfo(il.name) AS ii WHERE ii.seqno = 0"
                           " AND ii.name = ?2 AND ii.coll = ?3 COLLATE NOCASE AND il.partial = 0",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->fields[field].name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, coll ? coll : "BINARY", -1, SQLITE_TRANSIENT);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/*
 * Decides how to run q (see struct plan) with at most two bounded counts: how many scoping rows
 * are in scope (up to PLAN_MANY_PER_ROW per page row), and how many of the next PLAN_MANY_PER_ROW
 * rows per page row in sort order match: if a page's worth do, walking the sort order fills the
 * page within that many rows.
 */
static int list_plan(struct store *s, const struct table_def *t, const struct store_query *q,
                     const struct store_scope *sc, struct plan *pl, struct kith_error *err)
{
    const struct scope_path *p = scope_path_of(t->name);
    int64_t many = (int64_t)q->limit * PLAN_MANY_PER_ROW;
    bool scoped = !sc->all && !store_scope_is_empty(sc);
    *pl = (struct plan){SCOPE_EXISTS, true};
    if (!scoped && q->nfilters == 0 && !(q->search && *q->search))
        return 0; /* nothing to find: walk the sort order */
    struct qbuf *b = calloc(1, sizeof(*b));
    if (!b)
        return kith_err(err, KITH_ENOMEM, "out of memory listing %s", t->name);
    if (scoped && p && p->via) {
        q_add(b, "SELECT count(*) FROM (SELECT 1 FROM ");
        q_add(b, p->via_table);
        q_add(b, " AS s0 WHERE ");
        scope_sql(b, p->via_table, "s0", sc, &(struct plan){SCOPE_EXISTS, false}, 0);
        pl->form = count_upto(s, b, many) >= many ? SCOPE_EXISTS : SCOPE_IN;
        memset(b, 0, sizeof(*b));
    }
    int rc = 0;
    pl->walk_sort_order = sort_is_indexed(s, t, q->sort_field);
    if (pl->walk_sort_order) {
        const struct plan probe = {pl->form, false};
        q_add(b, "SELECT count(*) FROM (SELECT 1 FROM (SELECT * FROM ");
        q_add(b, t->name);
        q_add(b, " WHERE 1");
        keyset_sql(b, t, q);
        order_sql(b, t, q, pl);
        q_add(b, " LIMIT ");
        q_bind_int(b, many);
        q_add(b, ") AS ");
        q_add(b, t->name);
        q_add(b, " WHERE 1");
        rc = conditions_sql(b, t, q, sc, &probe, false, err);
        if (rc == 0)
            pl->walk_sort_order = count_upto(s, b, (int64_t)q->limit) >= (int64_t)q->limit;
    }
    free(b);
    return rc;
}

int store_list(struct store *s, const struct table_def *t, const struct store_query *q,
               const struct store_scope *scope, store_row_fn fn, void *ctx, struct kith_error *err)
{
    struct plan pl;
    int rc = check_query(t, q, err);
    if (rc < 0 || (rc = list_plan(s, t, q, scope, &pl, err)) < 0)
        return rc;
    struct qbuf *b = calloc(1, sizeof(*b));
    if (!b)
        return kith_err(err, KITH_ENOMEM, "out of memory listing %s", t->name);
    select_rows(b, t);
    if ((rc = conditions_sql(b, t, q, scope, &pl, true, err)) < 0)
        goto out_free;
    order_sql(b, t, q, &pl);
    q_add(b, " LIMIT ");
    q_bind_int(b, (int64_t)q->limit);
    rc = each_row(s, t, b, fn, ctx, NULL, err);
out_free:
    free(b);
    return rc;
}

int store_each_eq(struct store *s, const struct table_def *t, size_t field, int64_t value,
                  store_row_fn fn, void *ctx, struct kith_error *err)
{
    if (field >= t->nfields)
        BUG("%s has no field %zu", t->name, field);
    struct qbuf *b = calloc(1, sizeof(*b));
    if (!b)
        return kith_err(err, KITH_ENOMEM, "out of memory reading %s", t->name);
    select_rows(b, t);
    q_add(b, " AND ");
    q_add(b, t->fields[field].name);
    q_add(b, " = ");
    q_bind_int(b, value);
    q_add(b, " ORDER BY id");
    int rc = each_row(s, t, b, fn, ctx, NULL, err);
    free(b);
    return rc;
}

int store_get(struct store *s, const struct table_def *t, int64_t id,
              const struct store_scope *scope, store_row_fn fn, void *ctx, struct kith_error *err)
{
    struct qbuf *b = calloc(1, sizeof(*b));
    if (!b)
        return kith_err(err, KITH_ENOMEM, "out of memory reading %s", t->name);
    select_rows(b, t);
    scope_and(b, t, scope, &(const struct plan){SCOPE_EXISTS, false});
    q_add(b, " AND id = ");
    q_bind_int(b, id);
    size_t n = 0;
    int rc = each_row(s, t, b, fn, ctx, &n, err);
    free(b);
    if (rc == 0 && n == 0)
        rc = kith_err(err, KITH_ENOTFOUND, "no %s %lld", t->singular, (long long)id);
    return rc;
}

/* The integer value of field name of a row of t (0 when null, not an integer or no field). */
static int64_t row_int(const struct table_def *t, const struct store_value *vals, const char *name)
{
    size_t i;
    if (!name || !table_field(t, name, &i) || vals[i].kind != SV_INT)
        return 0;
    return vals[i].i;
}

int store_row_in_scope(struct store *s, const struct table_def *t, const struct store_value *vals,
                       const struct store_scope *scope, struct kith_error *err)
{
    const struct scope_path *p = scope_path_of(t->name);
    if (!scope_restricts(scope))
        return 0;
    if (!p)
        return kith_err(err, KITH_ENOTFOUND, "no %s in scope", t->singular);
    if (p->via) {
        int64_t via = row_int(t, vals, p->via), alt = row_int(t, vals, p->alt);
        if (via > 0)
            return store_get(s, model_table(p->via_table), via, scope, NULL, NULL, err);
        if (alt > 0)
            return store_get(s, model_table(p->alt_table), alt, scope, NULL, NULL, err);
        return scope->all ? 0 : kith_err(err, KITH_ENOTFOUND, "no %s in scope", t->singular);
    }
    bool in = scope->all;
    const char *cols[3] = {p->unit, p->team, p->owner};
    const int64_t ids[3] = {scope->unit_id, scope->team_id, scope->owner_id};
    for (int i = 0; i < 3 && !in; i++) /* a new row's id is null: it matches no "id" column */
        if (cols[i] && ids[i] > 0)
            in = row_int(t, vals, cols[i]) == ids[i];
    if (in && p->detail && scope->hide_private) {
        /* the unit must be readable with the same exclusion: ask the store about its contacts */
        struct qbuf *b = calloc(1, sizeof(*b));
        if (!b)
            return kith_err(err, KITH_ENOMEM, "out of memory reading %s", t->name);
        sqlite3_stmt *st;
        q_add(b, "SELECT 1 FROM (SELECT ");
        q_bind_int(b, row_int(t, vals, p->unit));
        q_add(b, " AS unit_id) AS r WHERE 1");
        private_sql(b, "r", &(const struct plan){SCOPE_EXISTS, false});
        int rc = prepare_bound(s, b, &st, err);
        free(b);
        if (rc < 0)
            return rc;
        rc = sqlite3_step(st);
        store_stmt_done(s, st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return kith_err(err, KITH_EDB, "checking the unit of a %s: %s", t->singular,
                            sqlite3_errmsg(s->db));
        in = rc == SQLITE_ROW;
    }
    if (in && scope->hide_unshared && strcmp(t->name, "contacts") == 0 &&
        row_int(t, vals, "id") > 0) {
        /* an existing contact: in scope as its row read through the same condition */
        return store_get(s, t, row_int(t, vals, "id"), scope, NULL, NULL, err);
    }
    return in ? 0 : kith_err(err, KITH_ENOTFOUND, "no %s in scope", t->singular);
}

/* Ids read one per row, in an array that doubles. */
struct id_list {
    const struct table_def *t;
    int64_t *ids;
    size_t n, cap;
};

static int add_id(void *arg, sqlite3_stmt *st, struct kith_error *err)
{
    struct id_list *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        int64_t *grown = alloc_array_grow(l->ids, cap, sizeof(*grown));
        if (!grown)
            return kith_err(err, KITH_ENOMEM, "out of memory listing %s", l->t->name);
        l->ids = grown;
        l->cap = cap;
    }
    l->ids[l->n++] = sqlite3_column_int64(st, 0);
    return 0;
}

int store_scope_ids(struct store *s, const struct table_def *t, const struct store_scope *scope,
                    int64_t **ids, size_t *n, struct kith_error *err)
{
    *ids = NULL;
    *n = 0;
    struct qbuf *b = calloc(1, sizeof(*b));
    if (!b)
        return kith_err(err, KITH_ENOMEM, "out of memory listing %s", t->name);
    q_add(b, "SELECT id FROM ");
    q_add(b, t->name);
    q_add(b, " WHERE 1");
    scope_and(b, t, scope, &(const struct plan){SCOPE_EXISTS, false});
    q_add(b, " ORDER BY id");
    char what[80];
    snprintf(what, sizeof(what), "listing %s", t->name);
    struct id_list l = {.t = t};
    const struct store_rows q = {
        .sql = b->sql, .binds = b->binds, .nbinds = b->nbinds, .what = what};
    int rc = store_each_row(s, &q, add_id, &l, NULL, err);
    free(b);
    if (rc < 0) {
        free(l.ids);
        return rc;
    }
    *ids = l.ids;
    *n = l.n;
    return 0;
}

/* Runs a statement that returns no rows; KITH_ENOTFOUND when it changed none. */
static int run_change(struct store *s, const struct table_def *t, struct qbuf *b, int64_t id,
                      const char *what, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare_bound(s, b, &st, err);
    if (rc < 0)
        return rc;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_write_error(s, t, what, err);
    else if (sqlite3_changes(s->db) == 0)
        rc = kith_err(err, KITH_ENOTFOUND, "no %s %lld", t->singular, (long long)id);
    store_stmt_done(s, st);
    return rc;
}

int store_update(struct store *s, const struct table_def *t, int64_t id,
                 const struct store_value *vals, const bool *set, struct kith_error *err)
{
    struct qbuf *b = calloc(1, sizeof(*b));
    if (!b)
        return kith_err(err, KITH_ENOMEM, "out of memory updating %s", t->name);
    q_add(b, "UPDATE ");
    q_add(b, t->name);
    q_add(b, " SET id = id");
    for (size_t i = 0; i < t->nfields; i++) {
        const char *name = t->fields[i].name;
        if (!set[i] || t->fields[i].type == FT_ID || strcmp(name, "created_at") == 0)
            continue;
        q_add(b, ", ");
        q_add(b, name);
        q_add(b, " = ");
        q_bind(b, &vals[i]);
    }
    q_add(b, " WHERE id = ");
    q_bind_int(b, id);
    int rc = run_change(s, t, b, id, "updating a row", err);
    free(b);
    return rc;
}

/* Appends to msg the "table.column" of every reference to row id of t that some row still uses. */
static int find_referrers(struct store *s, const struct table_def *t, int64_t id, char *msg,
                          size_t size, struct kith_error *err)
{
    size_t used = 0;
    for (size_t k = 0; k < model_ntables; k++) {
        const struct table_def *rt = model_tables[k];
        for (size_t f = 0; f < rt->nfields; f++) {
            const struct field_def *fd = &rt->fields[f];
            if (fd->type != FT_REF || strcmp(fd->ref_table, t->name) != 0)
                continue;
            char sql[256];
            snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE %s = ? AND id <> ? LIMIT 1",
                     rt->name, fd->name);
            sqlite3_stmt *st;
            if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
                return kith_err(err, KITH_EDB, "looking for references: %s", sqlite3_errmsg(s->db));
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int64(st, 2, rt == t ? id : 0);
            int step = sqlite3_step(st);
            sqlite3_finalize(st);
            if (step == SQLITE_ROW && used + 80 < size)
                used += (size_t)snprintf(msg + used, size - used, "%s%s.%s", used ? ", " : "",
                                         rt->name, fd->name);
            else if (step != SQLITE_DONE && step != SQLITE_ROW)
                return kith_err(err, KITH_EDB, "looking for references: %s", sqlite3_errmsg(s->db));
        }
    }
    return 0;
}

int store_delete(struct store *s, const struct table_def *t, int64_t id, struct kith_error *err)
{
    char refs[300] = "";
    int rc = find_referrers(s, t, id, refs, sizeof(refs), err);
    if (rc < 0)
        return rc;
    if (refs[0])
        return kith_err(err, KITH_ECONFLICT, "%s %lld is still referred to by %s", t->singular,
                        (long long)id, refs);
    struct qbuf *b = calloc(1, sizeof(*b));
    if (!b)
        return kith_err(err, KITH_ENOMEM, "out of memory deleting from %s", t->name);
    q_add(b, "DELETE FROM ");
    q_add(b, t->name);
    q_add(b, " WHERE id = ");
    q_bind_int(b, id);
    rc = run_change(s, t, b, id, "deleting a row", err);
    free(b);
    if (rc == KITH_EINVAL) /* a reference the check above did not see (a race) */
        rc = kith_err(err, KITH_ECONFLICT, "%s %lld is still referred to by other records",
                      t->singular, (long long)id);
    return rc;
}

/* The tables of a timeline in the order of store_timeline_pos.kind. */
static const char *const timeline_tables[] = {"interactions", "orders", "events"};

struct timeline_row {
    const struct table_def *t;
    const struct store_timeline_pos *pos;
    store_timeline_fn fn;
    void *ctx;
};

static int timeline_row(void *ctx, const struct store_value *vals)
{
    struct timeline_row *r = ctx;
    return r->fn(r->ctx, r->t, r->pos, vals);
}

/* One entry of a timeline query (kind, id, at): its row read from its own table. */
struct timeline_visit {
    struct store *s;
    store_timeline_fn fn;
    void *ctx;
};

static int timeline_entry(void *arg, sqlite3_stmt *st, struct kith_error *err)
{
    struct timeline_visit *v = arg;
    struct store_timeline_pos pos = {.kind = sqlite3_column_int(st, 0),
                                     .id = sqlite3_column_int64(st, 1),
                                     .at = sqlite3_column_int64(st, 2)};
    if (pos.kind < 0 || pos.kind > 2)
        BUG("timeline kind %d", pos.kind);
    struct timeline_row r = {model_table(timeline_tables[pos.kind]), &pos, v->fn, v->ctx};
    const struct store_scope all = {.all = true};
    return store_get(v->s, r.t, pos.id, &all, timeline_row, &r, err);
}

int store_timeline(struct store *s, int64_t contact_id, const struct store_timeline_pos *after,
                   size_t limit, store_timeline_fn fn, void *ctx, struct kith_error *err)
{
    if (limit < 1 || limit > STORE_LIST_MAX)
        return kith_err(err, KITH_EINVAL, "a page holds 1 to %d rows", STORE_LIST_MAX);
    struct qbuf *b = calloc(1, sizeof(*b));
    if (!b)
        return kith_err(err, KITH_ENOMEM, "out of memory reading a timeline");
    q_add(b, "SELECT kind, id, at FROM (SELECT 0 AS kind, id, occurred_at AS at FROM interactions"
             " WHERE contact_id = ?1 UNION ALL SELECT 1, id, ordered_at FROM orders"
             " WHERE contact_id = ?1 UNION ALL SELECT 2, id, occurred_at FROM events"
             " WHERE contact_id = ?1)");
    b->binds[b->nbinds++] = (struct store_value){.kind = SV_INT, .i = contact_id};
    if (after) {
        q_add(b, " WHERE (at, kind, id) < (?2, ?3, ?4)");
        b->binds[b->nbinds++] = (struct store_value){.kind = SV_INT, .i = after->at};
        b->binds[b->nbinds++] = (struct store_value){.kind = SV_INT, .i = after->kind};
        b->binds[b->nbinds++] = (struct store_value){.kind = SV_INT, .i = after->id};
    }
    q_add(b, " ORDER BY at DESC, kind DESC, id DESC LIMIT ");
    q_bind_int(b, (int64_t)limit);
    struct timeline_visit v = {s, fn, ctx};
    const struct store_rows q = {
        .sql = b->sql, .binds = b->binds, .nbinds = b->nbinds, .what = "reading a timeline"};
    int rc = store_each_row(s, &q, timeline_entry, &v, NULL, err);
    free(b);
    return rc;
}
