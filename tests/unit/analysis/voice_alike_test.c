/*
 * Tests for src/analysis/voice_alike.c and the loader store_alike_load() (store/alike.c): over a
 * small database, a contact buys through its account (or, without one, through the orders naming
 * it), returns are not purchases, only shared intents of a granted and sharing opt-in count, the
 * RV windows and churn; the run keeps colleagues of the same account out, keeps to the caller's
 * scope, the people map keeps to the contacts who opted in, accounts compare with accounts, and
 * the parameters that cannot go together are refused naming themselves. The JSON of the people
 * map carries no id or email.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "analysis/voice.h"
#include "support/testutil.h"

#define DAY 86400000LL
#define T0  1767225600000LL /* 2026-01-01 */

/*
 * Accounts 1, 2, 4 (food, east) and 3 (metal, west); contacts 1 and 2 of account 1, 3 of 2, 4 of
 * 3, 5 of 4, 6 without an account; 7 (a last name beginning with a character of two bytes) and
 * 8 (no name) of account 1. Products 1..4 (A..D). Account 1 bought A, B on day 10; account
 * 2 A, B on day 5 and C on day 20; account 3 A on day 5; account 4 returned D (day 5) and bought B
 * (day 6); contact 6 bought D on day 30 (an order of account 3 naming it).
 */
static void small_database(const char *path)
{
    struct kith_error err = {0};
    struct store *s;
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    store_close(s);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    char sql[8192];
    snprintf(
        sql, sizeof(sql),
        "INSERT INTO accounts (id, created_at, name, industry, territory, employees) VALUES"
        " (1, 0, 'One', 'food', 'east', 100), (2, 0, 'Two', 'food', 'east', 120),"
        " (3, 0, 'Three', 'metal', 'west', NULL), (4, 0, 'Four', 'food', 'east', 90);"
        "INSERT INTO contacts (id, created_at, first_name, last_name, email, account_id) VALUES"
        " (1, 0, 'Ann', 'Able', 'ann@x.org', 1), (2, 0, 'Bob', 'Baker', 'bob@x.org', 1),"
        " (3, 0, 'Cid', 'Cole', 'cid@x.org', 2), (4, 0, 'Dee', 'Dunn', 'dee@x.org', 3),"
        " (5, 0, 'Eve', 'Eads', 'eve@x.org', 4), (6, 0, 'Fay', 'Ford', 'fay@x.org', NULL),"
        " (7, 0, 'Zoë', 'Ōta', NULL, 1), (8, 0, NULL, '', NULL, 1);"
        "INSERT INTO products (id, created_at, sku, name) VALUES (1, 0, 'A', 'Pump'),"
        " (2, 0, 'B', 'Valve'), (3, 0, 'C', 'Pipe'), (4, 0, 'D', 'Meter');"
        "INSERT INTO orders (id, created_at, account_id, contact_id, ordered_at, amount, kind)"
        " VALUES (1, 0, 1, NULL, %lld, 10000, 'sale'), (2, 0, 2, NULL, %lld, 10000, 'sale'),"
        " (3, 0, 2, NULL, %lld, 5000, 'sale'), (4, 0, 3, NULL, %lld, 8000, 'sale'),"
        " (5, 0, 4, NULL, %lld, -100, 'return'), (6, 0, 4, NULL, %lld, 9000, 'sale'),"
        " (7, 0, 3, 6, %lld, 7000, 'sale');"
        "INSERT INTO order_lines (created_at, order_id, product_id, quantity, amount) VALUES"
        " (0, 1, 1, 1, 5000), (0, 1, 2, 1, 5000), (0, 2, 1, 1, 5000), (0, 2, 2, 1, 5000),"
        " (0, 3, 3, 1, 5000), (0, 4, 1, 1, 8000), (0, 5, 4, 1, -100), (0, 6, 2, 1, 9000),"
        " (0, 7, 4, 1, 7000);"
        "INSERT INTO interaction_types (id, created_at, code, name, phase, level, channel, touch,"
        " tech, rv, cost) VALUES (1, 0, 't', 'T', 'retention', 1, 'phone', 0, 0, 5, 0);"
        "INSERT INTO interactions (created_at, contact_id, type_id, occurred_at) VALUES"
        " (0, 3, 1, %lld), (0, 3, 1, %lld), (0, 3, 1, %lld), (0, 5, 1, %lld);"
        "INSERT INTO events (created_at, kind, contact_id, occurred_at) VALUES"
        " (0, 'churn', 4, %lld);"
        "INSERT INTO surveys (id, created_at, name) VALUES (1, 0, 'Plans');"
        "INSERT INTO survey_optins (created_at, survey_id, contact_id, state, share, recorded_at)"
        " VALUES (0, 1, 3, 'granted', 1, 1), (0, 1, 4, 'granted', 0, 1),"
        " (0, 1, 5, 'granted', 1, 1), (0, 1, 5, 'withdrawn', 0, 2), (0, 1, 6, 'granted', 1, 1);"
        "INSERT INTO survey_responses (created_at, survey_id, contact_id, answered_at, intent,"
        " product_id, confidential, latest) VALUES (0, 1, 3, 1, 'buy D', 4, 0, 1),"
        " (0, 1, 4, 1, 'buy D', 4, 1, 1), (0, 1, 5, 1, 'buy D', 4, 0, 1),"
        " (0, 1, 6, 1, 'buy D', 4, 0, 0);"
        "INSERT INTO contact_findable (contact_id, findable, updated_at) VALUES"
        " (3, 1, 0), (4, 0, 0), (5, 1, 0);",
        T0 + 10 * DAY, T0 + 5 * DAY, T0 + 20 * DAY, T0 + 5 * DAY, T0 + 5 * DAY, T0 + 6 * DAY,
        T0 + 30 * DAY, T0 + 400 * DAY, T0 + 399 * DAY, T0 + 200 * DAY, T0 + 100 * DAY,
        T0 + 50 * DAY);
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s", msg);
    sqlite3_close(h);
}

static char db_path[512];

static struct store *open_small(void)
{
    test_tmp_path(db_path, sizeof(db_path), "alike.db");
    small_database(db_path);
    struct store *s;
    struct kith_error err = {0};
    assert_int_equal(store_open(db_path, STORE_READONLY, &s, &err), 0);
    return s;
}

static struct voice_params params(const char *name, const char *value, int64_t k)
{
    struct voice_params p;
    struct kith_error err = {0};
    char kbuf[16];
    param_defaults(&analysis_voice, &p);
    const uint64_t g = voice_def(VOICE_ALIKE)->group;
    if (name)
        assert_int_equal(param_set(&analysis_voice, param_find(&analysis_voice, g, name, false), &p,
                                   value, name, &err),
                         0);
    snprintf(kbuf, sizeof(kbuf), "%lld", (long long)k);
    assert_int_equal(
        param_set(&analysis_voice, param_find(&analysis_voice, g, "k", false), &p, kbuf, "k", &err),
        0);
    return p;
}

static int64_t id_of(const struct voice_report *r, size_t i)
{
    return r->alike.model->d.entities[r->alike.res.nb[i].entity].id;
}

static void the_loader_reads_what_counts(void **state)
{
    (void)state;
    struct store *s = open_small();
    struct alike_data d;
    struct kith_error err = {0};
    assert_int_equal(store_alike_load(s, ALIKE_CONTACTS, &d, &err), 0);
    assert_int_equal(d.n, 8);
    assert_int_equal(d.nproducts, 4);
    /* contacts 1, 2: 2 lines each; 3: 3; 4: 2 (A, and D of the order naming 6); 5: B only (the
     * return is no purchase); 6: D through the order naming it */
    size_t lines[8] = {0};
    for (size_t i = 0; i < d.nbuys; i++)
        lines[d.buys[i].entity]++;
    const size_t want[8] = {2, 2, 3, 2, 1, 1, 2, 2};
    for (int i = 0; i < 8; i++)
        assert_int_equal(lines[i], want[i]);
    /* only contact 3's intent is shared by a granted opt-in */
    assert_int_equal(d.nintents, 1);
    assert_int_equal(d.entities[d.intents[0].entity].id, 3);
    assert_int_equal(d.products[d.intents[0].product].id, 4);
    /* RV windows end at the latest interaction (day 400): contact 3 has 10 recent, 5 before */
    assert_int_equal(d.as_of, T0 + 400 * DAY);
    assert_int_equal(d.entities[2].rv_recent, 10);
    assert_int_equal(d.entities[2].rv_before, 5);
    assert_int_equal(d.entities[4].rv_recent, 0);
    assert_int_equal(d.entities[4].rv_before, 5); /* day 100: in (day 40, day 220] */
    assert_true(d.entities[3].churned);
    assert_false(d.entities[2].churned);
    assert_true(d.entities[2].findable);
    assert_false(d.entities[3].findable);
    assert_false(d.entities[0].findable); /* never chose */
    assert_string_equal(d.entities[0].short_name, "Ann A.");
    assert_string_equal(d.entities[6].short_name, "Zoë Ō."); /* a whole character */
    assert_string_equal(d.entities[7].short_name, "a customer");
    assert_string_equal(d.entities[7].name, "");
    assert_string_equal(d.entities[0].industry, "food");
    assert_int_equal(d.entities[0].group, 1);
    assert_int_equal(d.entities[5].group, 0);
    /* equal codes for equal values, 0 for unknown */
    assert_int_equal(d.entities[0].attr[0], d.entities[2].attr[0]);
    assert_true(d.entities[0].attr[0] != d.entities[3].attr[0]);
    assert_int_equal(d.entities[5].attr[0], 0);
    alike_data_release(&d);
    assert_int_equal(store_alike_load(s, ALIKE_ACCOUNTS, &d, &err), 0);
    assert_int_equal(d.n, 4);
    assert_int_equal(d.nintents, 1); /* contact 3's, for account 2 */
    assert_int_equal(d.entities[d.intents[0].entity].id, 2);
    alike_data_release(&d);
    store_close(s);
}

static void a_contact_and_its_neighbours(void **state)
{
    (void)state;
    struct store *s = open_small();
    struct voice_report r;
    struct kith_error err = {0};
    const char *param;
    const struct voice_scope all = {.store = s, .role = "admin"};
    struct voice_params p = params("contact", "1", 10);
    assert_int_equal(voice_run(VOICE_ALIKE, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.alike.res.n, 4); /* 3, 4, 5, 6: never 2, of its own account */
    assert_int_equal(id_of(&r, 0), 3);  /* same industry, territory, size band and products */
    for (size_t i = 0; i < r.alike.res.n; i++)
        assert_true(id_of(&r, i) != 2 && id_of(&r, i) != 1);
    assert_int_equal(r.alike.res.nb[0].nnext, 1);
    assert_int_equal(r.alike.model->d.products[r.alike.res.nb[0].next[0].product].id, 3);
    assert_int_equal(r.alike.model->d.products[r.alike.res.top[0].product].id, 3);
    json_t *j = voice_report_json(&r);
    assert_non_null(j);
    json_t *n0 = json_array_get(json_object_get(j, "neighbours"), 0);
    assert_int_equal(json_integer_value(json_object_get(n0, "id")), 3);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(n0, "relationship"), "trend")), "up");
    assert_string_equal(json_string_value(json_object_get(j, "of")), "contacts");
    json_decref(j);
    voice_report_release(&r);
    store_close(s);
}

static void scope_people_map_and_accounts(void **state)
{
    (void)state;
    struct store *s = open_small();
    struct voice_report r;
    struct kith_error err = {0};
    const char *param;
    /* a scope of contacts 1, 3 and 4: no one else shows, and 5 is no subject */
    const int64_t mine[] = {1, 3, 4};
    const struct voice_scope scoped = {
        .store = s, .role = "manager", .scoped = true, .contacts = mine, .ncontacts = 3};
    struct voice_params p = params("contact", "1", 10);
    assert_int_equal(voice_run(VOICE_ALIKE, &p, &scoped, &r, &err, &param), 0);
    assert_int_equal(r.alike.res.n, 2);
    for (size_t i = 0; i < r.alike.res.n; i++)
        assert_true(id_of(&r, i) == 3 || id_of(&r, i) == 4);
    voice_report_release(&r);
    p = params("contact", "5", 10);
    assert_int_equal(voice_run(VOICE_ALIKE, &p, &scoped, &r, &err, &param), KITH_ENOTFOUND);
    assert_string_equal(param, "contact");
    /* the people map: only 3 and 5 opted in to be found */
    const struct voice_scope map = {.store = s, .role = "customer", .people_map = true};
    p = params("contact", "1", 10);
    assert_int_equal(voice_run(VOICE_ALIKE, &p, &map, &r, &err, &param), 0);
    assert_int_equal(r.alike.res.n, 2);
    assert_int_equal(id_of(&r, 0), 3);
    assert_int_equal(id_of(&r, 1), 5);
    json_t *j = voice_report_json(&r);
    char *text = json_dumps(j, 0);
    assert_null(strstr(text, "\"id\""));
    assert_null(strstr(text, "@x.org"));
    assert_null(strstr(text, "Cole"));
    assert_non_null(strstr(text, "Cid C."));
    assert_false(json_is_true(json_object_get(j, "findable")));
    free(text);
    json_decref(j);
    voice_report_release(&r);
    /* accounts compare with accounts */
    const struct voice_scope all = {.store = s, .role = "admin"};
    p = params("account", "1", 3);
    assert_int_equal(voice_run(VOICE_ALIKE, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.alike.kind, ALIKE_ACCOUNTS);
    assert_int_equal(r.alike.res.n, 3);
    assert_int_equal(id_of(&r, 0), 2);
    voice_report_release(&r);
    store_close(s);
}

static void refusals_name_the_parameter(void **state)
{
    (void)state;
    struct store *s = open_small();
    struct voice_report r;
    struct kith_error err = {0};
    const char *param;
    const struct voice_scope all = {.store = s, .role = "admin"};
    struct voice_params p = params(NULL, NULL, 10);
    assert_int_equal(voice_run(VOICE_ALIKE, &p, &all, &r, &err, &param), KITH_EINVAL);
    assert_string_equal(param, "contact");
    p = params("contact", "1", 10);
    struct kith_error e2 = {0};
    assert_int_equal(
        param_set(&analysis_voice,
                  param_find(&analysis_voice, voice_def(VOICE_ALIKE)->group, "account", false), &p,
                  "2", "account", &e2),
        0);
    assert_int_equal(voice_run(VOICE_ALIKE, &p, &all, &r, &err, &param), KITH_EINVAL);
    assert_string_equal(param, "account");
    p = params("contact", "1", 10);
    p.evaluate = true;
    assert_int_equal(voice_run(VOICE_ALIKE, &p, &all, &r, &err, &param), KITH_EINVAL);
    assert_string_equal(param, "evaluate");
    p = params("contact", "99", 10);
    assert_int_equal(voice_run(VOICE_ALIKE, &p, &all, &r, &err, &param), KITH_ENOTFOUND);
    assert_string_equal(param, "contact");
    /* the evaluation: accounts 1..4 have sales; 2's last brought C, 3's (the order naming 6) D */
    p = params(NULL, NULL, 3);
    p.evaluate = true;
    assert_int_equal(voice_run(VOICE_ALIKE, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.alike.ev.customers, 4);
    assert_int_equal(r.alike.ev.evaluated, 4); /* every last sale brought a new product */
    voice_report_release(&r);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_loader_reads_what_counts),
        cmocka_unit_test(a_contact_and_its_neighbours),
        cmocka_unit_test(scope_people_map_and_accounts),
        cmocka_unit_test(refusals_name_the_parameter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
