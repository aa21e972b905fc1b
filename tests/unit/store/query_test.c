/*
 * query_test.c - tests of src/store/query.c: keyset pagination visits every row exactly once in
 * both directions and with NULL sort keys, filters and prefix search, scopes through contacts
 * and accounts, update, delete of referenced rows, and the contact timeline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store_int.h"
#include "support/testutil.h"

#define MAXF 32

struct row {
    const struct table_def *t;
    struct store_value v[MAXF];
};

static struct row row_of(const char *table)
{
    struct row r = {.t = model_table(table)};
    assert_non_null(r.t);
    return r;
}

static size_t idx(const struct table_def *t, const char *name)
{
    size_t i;
    if (!table_field(t, name, &i))
        fail_msg("%s has no field %s", t->name, name);
    return i;
}

static void put_int(struct row *r, const char *name, int64_t i)
{
    r->v[idx(r->t, name)] = (struct store_value){.kind = SV_INT, .i = i};
}

static void put_text(struct row *r, const char *name, const char *s)
{
    r->v[idx(r->t, name)] = (struct store_value){.kind = SV_TEXT, .s = s, .len = strlen(s)};
}

static int64_t insert(struct store *s, struct row *r)
{
    struct kith_error err = {0};
    int64_t id = 0;
    if (store_insert(s, r->t, r->v, &id, &err) < 0)
        fail_msg("insert into %s: %s", r->t->name, err.msg);
    return id;
}

static int64_t add_unit(struct store *s, const char *name)
{
    struct row r = row_of("units");
    put_text(&r, "name", name);
    put_text(&r, "kind", "business_unit");
    return insert(s, &r);
}

static int64_t add_team(struct store *s, const char *name, int64_t unit)
{
    struct row r = row_of("teams");
    put_text(&r, "name", name);
    put_text(&r, "kind", "virtual_account");
    put_int(&r, "unit_id", unit);
    return insert(s, &r);
}

static int64_t add_user(struct store *s, const char *email, int64_t unit)
{
    struct row r = row_of("users");
    put_text(&r, "email", email);
    put_text(&r, "name", email);
    put_text(&r, "role", "frontline");
    put_int(&r, "unit_id", unit);
    put_int(&r, "disabled", 0);
    return insert(s, &r);
}

static int64_t add_account(struct store *s, const char *name, int64_t unit)
{
    struct row r = row_of("accounts");
    put_text(&r, "name", name);
    if (unit)
        put_int(&r, "unit_id", unit);
    return insert(s, &r);
}

static int64_t add_contact(struct store *s, const char *first, const char *last, const char *email,
                           int64_t unit, int64_t team, int64_t owner)
{
    struct row r = row_of("contacts");
    if (first)
        put_text(&r, "first_name", first);
    put_text(&r, "last_name", last);
    if (email)
        put_text(&r, "email", email);
    if (unit)
        put_int(&r, "unit_id", unit);
    if (team)
        put_int(&r, "team_id", team);
    if (owner)
        put_int(&r, "owner_id", owner);
    return insert(s, &r);
}

static int64_t add_type(struct store *s)
{
    struct row r = row_of("interaction_types");
    put_text(&r, "code", "call");
    put_text(&r, "name", "Call");
    put_text(&r, "phase", "acquisition");
    put_int(&r, "level", 1);
    put_text(&r, "channel", "phone");
    r.v[idx(r.t, "touch")] = (struct store_value){.kind = SV_REAL, .r = 0.8};
    r.v[idx(r.t, "tech")] = (struct store_value){.kind = SV_REAL, .r = 0.2};
    put_int(&r, "rv", 5);
    put_int(&r, "cost", 1000);
    put_int(&r, "is_trigger", 0);
    put_int(&r, "is_voc", 0);
    return insert(s, &r);
}

static int64_t add_interaction(struct store *s, int64_t contact, int64_t type, int64_t at)
{
    struct row r = row_of("interactions");
    put_int(&r, "contact_id", contact);
    put_int(&r, "type_id", type);
    put_int(&r, "occurred_at", at);
    return insert(s, &r);
}

static int64_t add_order(struct store *s, int64_t account, int64_t contact, int64_t at)
{
    struct row r = row_of("orders");
    put_int(&r, "account_id", account);
    if (contact)
        put_int(&r, "contact_id", contact);
    put_int(&r, "ordered_at", at);
    put_int(&r, "amount", 12345);
    return insert(s, &r);
}

static int64_t add_event(struct store *s, int64_t contact, int64_t at)
{
    struct row r = row_of("events");
    put_text(&r, "kind", "repeat");
    put_int(&r, "contact_id", contact);
    put_int(&r, "occurred_at", at);
    return insert(s, &r);
}

static struct store *open_fresh(char *path, size_t size)
{
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(path, size, "query.db");
    if (store_open(path, STORE_CREATE, &s, &err) < 0)
        fail_msg("open: %s", err.msg);
    return s;
}

/* Collects the ids a list or get hands to its callback. */
struct ids {
    int64_t id[512];
    size_t n;
    struct store_value last_key;
    size_t key_field;
    char key_text[256];
};

static int collect(void *ctx, const struct store_value *vals)
{
    struct ids *c = ctx;
    assert_true(c->n < 512);
    c->id[c->n++] = vals[0].i;
    c->last_key = vals[c->key_field];
    if (c->last_key.kind == SV_TEXT) {
        assert_true(c->last_key.len < sizeof(c->key_text));
        memcpy(c->key_text, c->last_key.s, c->last_key.len);
        c->key_text[c->last_key.len] = '\0';
        c->last_key.s = c->key_text;
    }
    return 0;
}

static void list_ids(struct store *s, const struct table_def *t, const struct store_query *q,
                     const struct store_scope *sc, struct ids *out)
{
    struct kith_error err = {0};
    out->n = 0;
    out->key_field = q->sort_field;
    if (store_list(s, t, q, sc, collect, out, &err) < 0)
        fail_msg("list %s: %s", t->name, err.msg);
}

/* Walks t page by page in q's order; every row must come exactly once, in order. */
static size_t walk(struct store *s, const struct table_def *t, struct store_query q, size_t page,
                   int64_t *seen, size_t nseen_max)
{
    const struct store_scope all = {.all = true};
    size_t total = 0;
    struct ids got;
    q.limit = page;
    q.after = false;
    for (;;) {
        list_ids(s, t, &q, &all, &got);
        for (size_t i = 0; i < got.n; i++) {
            assert_true(total < nseen_max);
            for (size_t j = 0; j < total; j++)
                if (seen[j] == got.id[i])
                    fail_msg("row %lld came twice", (long long)got.id[i]);
            seen[total++] = got.id[i];
        }
        if (got.n < page)
            return total;
        q.after = true;
        q.after_id = got.id[got.n - 1];
        q.after_key = got.last_key;
    }
}

static void keyset_pagination_visits_every_row_once(void **state)
{
    (void)state;
    char path[512];
    struct store *s = open_fresh(path, sizeof(path));
    const struct table_def *t = model_table("contacts");
    int64_t unit = add_unit(s, "North");
    static const char *const last[] = {"Smith", "Jones", "Brown", "smith", "Åberg"};
    char email[64];
    for (int i = 0; i < 97; i++) {
        snprintf(email, sizeof(email), "p%d@example.com", i);
        /* every third contact without a first name: NULL sort keys in the middle */
        add_contact(s, i % 3 ? "Ann" : NULL, last[i % 5], i % 4 ? email : NULL, unit, 0, 0);
    }
    int64_t seen[128];
    struct store_query q = {.sort_field = 0};
    assert_int_equal(walk(s, t, q, 10, seen, 128), 97);
    for (int i = 1; i < 97; i++)
        assert_true(seen[i] > seen[i - 1]);
    q.descending = true;
    assert_int_equal(walk(s, t, q, 7, seen, 128), 97);
    for (int i = 1; i < 97; i++)
        assert_true(seen[i] < seen[i - 1]);
    static const char *const keys[] = {"first_name", "last_name", "email", "created_at"};
    for (size_t k = 0; k < 4; k++) {
        q.sort_field = idx(t, keys[k]);
        for (int d = 0; d < 2; d++) {
            q.descending = d;
            assert_int_equal(walk(s, t, q, 6, seen, 128), 97);
            assert_int_equal(walk(s, t, q, 1, seen, 128), 97);
            assert_int_equal(walk(s, t, q, 200, seen, 128), 97);
        }
    }
    store_close(s);
    test_rm_db(path);
}

static void filters_and_prefix_search(void **state)
{
    (void)state;
    char path[512];
    struct store *s = open_fresh(path, sizeof(path));
    const struct table_def *t = model_table("contacts");
    const struct store_scope all = {.all = true};
    int64_t unit = add_unit(s, "North");
    int64_t a = add_contact(s, "John", "Smith", "john@example.com", unit, 0, 0);
    int64_t b = add_contact(s, "Joanna", "Smithers", "jo@acme.test", unit, 0, 0);
    int64_t c = add_contact(s, "Pete", "Johnson", "pete_j@example.com", 0, 0, 0);
    int64_t d = add_contact(s, "100%", "Sure", NULL, 0, 0, 0);
    struct ids got;
    struct store_query q = {
        .limit = 50,
        .nsearch = 3,
        .search_fields = {idx(t, "first_name"), idx(t, "last_name"), idx(t, "email")}};
    q.search = "jo";
    list_ids(s, t, &q, &all, &got);
    assert_int_equal(got.n, 3); /* John, Joanna (jo@), Johnson */
    q.search = "JO smi";        /* every word must match; case-insensitive */
    list_ids(s, t, &q, &all, &got);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.id[0], a);
    assert_int_equal(got.id[1], b);
    q.search = "pete_"; /* _ is not a wildcard */
    list_ids(s, t, &q, &all, &got);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.id[0], c);
    q.search = "peteXj";
    list_ids(s, t, &q, &all, &got);
    assert_int_equal(got.n, 0);
    q.search = "100%";
    list_ids(s, t, &q, &all, &got);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.id[0], d);
    q.search = "%"; /* % is not a wildcard either: no name starts with it */
    list_ids(s, t, &q, &all, &got);
    assert_int_equal(got.n, 0);

    q.search = NULL;
    q.nfilters = 1;
    q.filters[0] = (struct store_filter){idx(t, "unit_id"), STORE_EQ, {.kind = SV_INT, .i = unit}};
    list_ids(s, t, &q, &all, &got);
    assert_int_equal(got.n, 2);
    q.filters[0] = (struct store_filter){
        idx(t, "email"), STORE_EQ, {.kind = SV_TEXT, .s = "JOHN@example.com", .len = 16}};
    list_ids(s, t, &q, &all, &got); /* emails compare without case */
    assert_int_equal(got.n, 1);
    q.filters[0] = (struct store_filter){idx(t, "id"), STORE_GE, {.kind = SV_INT, .i = b}};
    q.filters[1] = (struct store_filter){idx(t, "id"), STORE_LE, {.kind = SV_INT, .i = c}};
    q.nfilters = 2;
    list_ids(s, t, &q, &all, &got);
    assert_int_equal(got.n, 2);

    struct kith_error err = {0};
    q.nfilters = 0;
    q.sort_field = idx(t, "custom");
    assert_int_equal(store_list(s, t, &q, &all, collect, &got, &err), KITH_EINVAL);
    store_close(s);
    test_rm_db(path);
}

static void scopes_reach_through_contacts_and_accounts(void **state)
{
    (void)state;
    char path[512];
    struct store *s = open_fresh(path, sizeof(path));
    struct kith_error err = {0};
    const struct table_def *contacts = model_table("contacts");
    const struct table_def *inter = model_table("interactions");
    const struct table_def *orders = model_table("orders");
    int64_t north = add_unit(s, "North"), south = add_unit(s, "South");
    int64_t team = add_team(s, "Key accounts", north);
    int64_t ann = add_user(s, "ann@example.com", north);
    int64_t bob = add_user(s, "bob@example.com", south);
    int64_t c_own = add_contact(s, "A", "Own", NULL, south, 0, ann);
    int64_t c_team = add_contact(s, "B", "Team", NULL, south, team, bob);
    int64_t c_unit = add_contact(s, "C", "Unit", NULL, north, 0, bob);
    int64_t c_out = add_contact(s, "D", "Out", NULL, south, 0, bob);
    int64_t type = add_type(s);
    int64_t i_own = add_interaction(s, c_own, type, 1000);
    int64_t i_out = add_interaction(s, c_out, type, 1000);
    int64_t acc_north = add_account(s, "Acme", north), acc_south = add_account(s, "Zed", south);
    int64_t o_by_account = add_order(s, acc_north, 0, 5);
    int64_t o_by_contact = add_order(s, acc_north, c_out, 5); /* the contact decides */
    int64_t o_south = add_order(s, acc_south, 0, 5);

    struct store_query q = {.limit = 50};
    struct ids got;
    struct store_scope frontline_write = {.team_id = team, .owner_id = ann};
    list_ids(s, contacts, &q, &frontline_write, &got);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.id[0], c_own);
    assert_int_equal(got.id[1], c_team);
    struct store_scope unit_scope = {.unit_id = north};
    list_ids(s, contacts, &q, &unit_scope, &got);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.id[0], c_unit);

    assert_int_equal(store_get(s, inter, i_own, &frontline_write, NULL, NULL, &err), 0);
    assert_int_equal(store_get(s, inter, i_out, &frontline_write, NULL, NULL, &err),
                     KITH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no interaction"));

    list_ids(s, orders, &q, &unit_scope, &got);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.id[0], o_by_account);
    struct store_scope south_scope = {.unit_id = south};
    list_ids(s, orders, &q, &south_scope, &got);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.id[0], o_by_contact);
    assert_int_equal(got.id[1], o_south);

    struct store_scope none = {.all = false};
    assert_true(store_scope_is_empty(&none));
    list_ids(s, contacts, &q, &none, &got);
    assert_int_equal(got.n, 0);
    /* catalogue tables have no scope path: only "all" reaches them */
    list_ids(s, model_table("interaction_types"), &q, &unit_scope, &got);
    assert_int_equal(got.n, 0);
    /* a user owns their own row */
    struct store_scope self = {.owner_id = bob};
    list_ids(s, model_table("users"), &q, &self, &got);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.id[0], bob);
    store_close(s);
    test_rm_db(path);
}

/* Lists pick EXISTS or IN by how much is in scope; both must give the same rows. */
/* A partner unit without shares_detail hides its contacts (and what hangs off them) from a
 * scope with hide_private, even with all; with shares_detail it does not. */
static void private_units_hide_their_contacts(void **state)
{
    (void)state;
    char path[512];
    struct store *s = open_fresh(path, sizeof(path));
    struct kith_error err = {0};
    const struct table_def *units = model_table("units"), *contacts = model_table("contacts");
    const struct table_def *inter = model_table("interactions"), *events = model_table("events");
    int64_t north = add_unit(s, "North");
    struct row r = row_of("units");
    put_text(&r, "name", "Dealer");
    put_text(&r, "kind", "dealer");
    int64_t dealer = insert(s, &r);
    int64_t c_north = add_contact(s, "A", "North", NULL, north, 0, 0);
    int64_t c_dealer = add_contact(s, "B", "Dealer", NULL, dealer, 0, 0);
    int64_t type = add_type(s);
    int64_t i_dealer = add_interaction(s, c_dealer, type, 1000);
    struct row e = row_of("events"); /* hangs off nothing: every "all" sees it */
    put_text(&e, "kind", "create");
    put_int(&e, "occurred_at", 5);
    int64_t orphan = insert(s, &e);

    struct store_query q = {.limit = 50};
    struct ids got;
    struct store_scope exec = {.all = true, .hide_private = true};
    list_ids(s, contacts, &q, &exec, &got);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.id[0], c_north);
    assert_int_equal(store_get(s, inter, i_dealer, &exec, NULL, NULL, &err), KITH_ENOTFOUND);
    assert_int_equal(store_get(s, events, orphan, &exec, NULL, NULL, &err), 0);

    /* a row not yet written is judged the same way */
    struct row c = row_of("contacts");
    put_text(&c, "last_name", "New");
    put_int(&c, "unit_id", dealer);
    assert_int_equal(store_row_in_scope(s, contacts, c.v, &exec, &err), KITH_ENOTFOUND);
    struct store_scope partner = {.unit_id = dealer};
    assert_int_equal(store_row_in_scope(s, contacts, c.v, &partner, &err), 0);
    struct row i = row_of("interactions");
    put_int(&i, "contact_id", c_north);
    assert_int_equal(store_row_in_scope(s, inter, i.v, &partner, &err), KITH_ENOTFOUND);
    assert_int_equal(store_row_in_scope(s, inter, i.v, &exec, &err), 0);

    /* the unit shares its detail: nothing is hidden */
    struct row u = row_of("units");
    bool set[MAXF] = {false};
    size_t f = idx(units, "shares_detail");
    u.v[f] = (struct store_value){.kind = SV_INT, .i = 1};
    set[f] = true;
    assert_int_equal(store_update(s, units, dealer, u.v, set, &err), 0);
    list_ids(s, contacts, &q, &exec, &got);
    assert_int_equal(got.n, 2);
    assert_int_equal(store_get(s, inter, i_dealer, &exec, NULL, NULL, &err), 0);
    store_close(s);
}

static void broad_and_narrow_scopes_agree(void **state)
{
    (void)state;
    char path[512];
    struct store *s = open_fresh(path, sizeof(path));
    const struct table_def *inter = model_table("interactions");
    const struct table_def *events = model_table("events");
    int64_t north = add_unit(s, "North"), south = add_unit(s, "South");
    int64_t ann = add_user(s, "ann@example.com", north);
    int64_t type = add_type(s);
    int64_t acc = add_account(s, "Acme", south);
    int64_t want_broad = 0, want_narrow = 0, want_south = 0;
    assert_int_equal(store_begin(s, NULL), 0);
    for (int i = 0; i < 1500; i++) {
        bool mine = i % 100 == 0;
        int64_t c = add_contact(s, NULL, "X", NULL, i % 3 ? north : south, 0, mine ? ann : 0);
        if (i % 5)
            continue;
        add_interaction(s, c, type, i);
        add_event(s, c, i);
        want_broad += i % 3 != 0;
        want_narrow += mine;
        want_south += i % 3 == 0;
    }
    struct row r = row_of("events"); /* an event of an account only: scoped by the account */
    put_text(&r, "kind", "churn");
    put_int(&r, "account_id", acc);
    put_int(&r, "occurred_at", 1);
    insert(s, &r);
    assert_int_equal(store_commit(s, NULL), 0);
    struct store_scope broad = {.unit_id = north}, narrow = {.owner_id = ann};
    struct store_scope south_scope = {.unit_id = south};
    struct ids got;
    struct store_query q = {.limit = 500};
    list_ids(s, inter, &q, &broad, &got); /* 1000 contacts in scope: EXISTS */
    assert_int_equal(got.n, want_broad);
    list_ids(s, inter, &q, &narrow, &got); /* 15 contacts in scope: IN */
    assert_int_equal(got.n, want_narrow);
    list_ids(s, events, &q, &south_scope, &got);
    assert_int_equal(got.n, want_south + 1);
    list_ids(s, events, &q, &narrow, &got);
    assert_int_equal(got.n, want_narrow);
    store_close(s);
    test_rm_db(path);
}

static void update_and_delete(void **state)
{
    (void)state;
    char path[512];
    struct store *s = open_fresh(path, sizeof(path));
    struct kith_error err = {0};
    const struct table_def *t = model_table("contacts");
    int64_t a = add_contact(s, "A", "One", "a@example.com", 0, 0, 0);
    int64_t b = add_contact(s, "B", "Two", "b@example.com", 0, 0, 0);
    struct store_value vals[MAXF] = {{0}};
    bool set[MAXF] = {false};
    size_t email = idx(t, "email"), last = idx(t, "last_name");
    vals[email] = (struct store_value){.kind = SV_TEXT, .s = "A@EXAMPLE.COM", .len = 13};
    set[email] = true;
    assert_int_equal(store_update(s, t, b, vals, set, &err), KITH_ECONFLICT);
    assert_non_null(strstr(err.msg, "contacts.email"));
    vals[email].s = "new@example.com";
    vals[email].len = 15;
    vals[last] = (struct store_value){.kind = SV_NULL};
    set[last] = true;
    assert_int_equal(store_update(s, t, b, vals, set, &err), KITH_EINVAL); /* NOT NULL */
    set[last] = false;
    assert_int_equal(store_update(s, t, b, vals, set, &err), 0);
    assert_int_equal(store_update(s, t, 999, vals, set, &err), KITH_ENOTFOUND);

    int64_t type = add_type(s);
    add_interaction(s, a, type, 1);
    assert_int_equal(store_delete(s, t, a, &err), KITH_ECONFLICT);
    assert_non_null(strstr(err.msg, "interactions.contact_id"));
    assert_int_equal(store_delete(s, model_table("interaction_types"), type, &err), KITH_ECONFLICT);
    assert_int_equal(store_delete(s, t, b, &err), 0);
    assert_false(store_row_exists(s, t, b));
    assert_int_equal(store_delete(s, t, b, &err), KITH_ENOTFOUND);
    /* a unit that is its own parent is not kept alive by itself */
    int64_t u = add_unit(s, "Loop");
    assert_int_equal(sqlite3_exec(store_db(s), "UPDATE units SET parent_id = id", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(store_delete(s, model_table("units"), u, &err), 0);
    store_close(s);
    test_rm_db(path);
}

static void interactions_are_voided_once(void **state)
{
    (void)state;
    char path[512];
    struct store *s = open_fresh(path, sizeof(path));
    struct kith_error err = {0};
    int64_t c = add_contact(s, "A", "One", NULL, 0, 0, 0);
    int64_t type = add_type(s);
    int64_t i = add_interaction(s, c, type, 1);
    struct row r = row_of("interactions");
    put_int(&r, "contact_id", c);
    put_int(&r, "type_id", type);
    put_int(&r, "occurred_at", 2);
    put_int(&r, "voids_id", i);
    insert(s, &r);
    assert_int_equal(store_insert(s, r.t, r.v, NULL, &err), KITH_ECONFLICT);
    store_close(s);
    test_rm_db(path);
}

struct timeline {
    char kinds[64];
    int64_t at[64];
    size_t n;
    struct store_timeline_pos last;
};

static int timeline_item(void *ctx, const struct table_def *t, const struct store_timeline_pos *pos,
                         const struct store_value *vals)
{
    struct timeline *tl = ctx;
    assert_int_equal(vals[0].i, pos->id);
    tl->kinds[tl->n] = t->name[0];
    tl->at[tl->n++] = pos->at;
    tl->last = *pos;
    return 0;
}

static void timeline_is_newest_first_and_pages(void **state)
{
    (void)state;
    char path[512];
    struct store *s = open_fresh(path, sizeof(path));
    struct kith_error err = {0};
    int64_t c = add_contact(s, "A", "One", NULL, 0, 0, 0);
    int64_t other = add_contact(s, "B", "Two", NULL, 0, 0, 0);
    int64_t acc = add_account(s, "Acme", 0);
    int64_t type = add_type(s);
    add_interaction(s, c, type, 100);
    add_interaction(s, c, type, 300);
    add_interaction(s, other, type, 250);
    add_order(s, acc, c, 200);
    add_order(s, acc, 0, 400);
    add_event(s, c, 300);
    add_event(s, c, 50);
    struct timeline tl = {.n = 0};
    assert_int_equal(store_timeline(s, c, NULL, 100, timeline_item, &tl, &err), 0);
    assert_int_equal(tl.n, 5);
    tl.kinds[tl.n] = '\0';
    assert_string_equal(tl.kinds, "eioie"); /* at 300 the event sorts before the interaction */
    int64_t want[] = {300, 300, 200, 100, 50};
    for (int i = 0; i < 5; i++)
        assert_int_equal(tl.at[i], want[i]);

    struct timeline page = {.n = 0};
    struct store_timeline_pos after;
    size_t total = 0;
    assert_int_equal(store_timeline(s, c, NULL, 2, timeline_item, &page, &err), 0);
    while (page.n > 0) {
        total += page.n;
        after = page.last;
        page.n = 0;
        assert_int_equal(store_timeline(s, c, &after, 2, timeline_item, &page, &err), 0);
    }
    assert_int_equal(total, 5);
    store_close(s);
    test_rm_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keyset_pagination_visits_every_row_once),
        cmocka_unit_test(filters_and_prefix_search),
        cmocka_unit_test(scopes_reach_through_contacts_and_accounts),
        cmocka_unit_test(private_units_hide_their_contacts),
        cmocka_unit_test(broad_and_narrow_scopes_agree),
        cmocka_unit_test(update_and_delete),
        cmocka_unit_test(interactions_are_voided_once),
        cmocka_unit_test(timeline_is_newest_first_and_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
