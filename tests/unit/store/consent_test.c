/*
 * consent_test.c - tests of src/store/consent.c: the latest record of a (purpose, channel) by
 * recorded_at and then id, the least permissive fold of the channel's and "any"'s records,
 * consent_allows() with and without records, the bulk check, the receipts and the signing key,
 * and the append-only triggers of migration 15.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store_int.h"
#include "support/testutil.h"

struct fixture {
    char path[512];
    struct store *s;
};

static int setup(void **state)
{
    static struct fixture f;
    struct kith_error err = {0};
    test_tmp_path(f.path, sizeof(f.path), "consent.db");
    assert_int_equal(store_open(f.path, STORE_CREATE, &f.s, &err), 0);
    assert_int_equal(sqlite3_exec(store_db(f.s),
                                  "INSERT INTO contacts (id, created_at, last_name) VALUES"
                                  " (1, 0, 'Lee'), (2, 0, 'Ng');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    test_rm_db(f->path);
    return 0;
}

static void add(struct store *s, int64_t contact, const char *purpose, const char *channel,
                const char *state, int64_t at)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO consents (created_at, contact_id, purpose, channel, state, recorded_at)"
             " VALUES (0, %lld, '%s', '%s', '%s', %lld)",
             (long long)contact, purpose, channel, state, (long long)at);
    assert_int_equal(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
}

static enum consent_state state_of(struct store *s, int64_t contact, const char *purpose,
                                   const char *channel)
{
    struct kith_error err = {0};
    enum consent_state st;
    assert_int_equal(store_consent_state(s, contact, purpose, channel, &st, &err), 0);
    return st;
}

static bool allows(struct store *s, int64_t contact, const char *purpose, const char *channel)
{
    struct kith_error err = {0};
    bool ok;
    assert_int_equal(consent_allows(s, contact, purpose, channel, &ok, &err), 0);
    return ok;
}

static void the_latest_record_and_the_least_permissive_rule(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s;
    assert_int_equal(state_of(s, 1, "marketing", "sms"), CONSENT_NONE);
    assert_false(allows(s, 1, "marketing", "sms"));
    assert_true(allows(s, 1, "analytics", "any")); /* legitimate interest */
    add(s, 1, "marketing", "sms", "granted", 100);
    assert_int_equal(state_of(s, 1, "marketing", "sms"), CONSENT_GRANTED);
    assert_int_equal(state_of(s, 1, "marketing", "email"), CONSENT_NONE);
    /* a withdrawal on any outweighs the grant on sms, even an older one */
    add(s, 1, "marketing", "any", "withdrawn", 50);
    assert_int_equal(state_of(s, 1, "marketing", "sms"), CONSENT_WITHDRAWN);
    assert_false(allows(s, 1, "marketing", "sms"));
    /* the same time: the later row (by id) is the latest */
    add(s, 1, "marketing", "any", "granted", 50);
    assert_int_equal(state_of(s, 1, "marketing", "sms"), CONSENT_GRANTED);
    assert_int_equal(state_of(s, 1, "marketing", "post"), CONSENT_GRANTED);
    add(s, 1, "marketing", "sms", "withdrawn", 200);
    assert_int_equal(state_of(s, 1, "marketing", "sms"), CONSENT_WITHDRAWN);
    assert_int_equal(state_of(s, 1, "marketing", "email"), CONSENT_GRANTED);
    /* another purpose and another contact are apart */
    assert_int_equal(state_of(s, 1, "surveys", "email"), CONSENT_NONE);
    assert_int_equal(state_of(s, 2, "marketing", "email"), CONSENT_NONE);

    struct store_consent_latest rows[STORE_CONSENT_PAIRS_MAX];
    size_t n = 0;
    struct kith_error err = {0};
    assert_int_equal(store_consent_latest(s, 1, rows, STORE_CONSENT_PAIRS_MAX, &n, &err), 0);
    assert_int_equal(n, 2); /* (marketing, any), (marketing, sms) */
    assert_int_equal(store_consent_fold(rows, n, "marketing", "sms"), CONSENT_WITHDRAWN);
    assert_int_equal(store_consent_fold(rows, n, "marketing", "feed"), CONSENT_GRANTED);
    assert_int_equal(store_consent_state(s, 1, "spam", "sms", &(enum consent_state){0}, &err),
                     KITH_EINVAL);
}

static void the_bulk_check_and_the_analytics_list(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s;
    struct kith_error err = {0};
    bool any = true;
    assert_int_equal(store_consent_any_withdrawn(s, "analytics", &any, &err), 0);
    assert_false(any);
    add(s, 2, "analytics", "any", "withdrawn", 10);
    assert_int_equal(store_consent_any_withdrawn(s, "analytics", &any, &err), 0);
    assert_true(any);
    assert_false(allows(s, 2, "analytics", "any"));
    int64_t n = -1;
    assert_int_equal(
        store_query_int64(
            store_db(s),
            "SELECT count(*) FROM contacts WHERE id NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN, &n,
            "counting", &err),
        0);
    assert_int_equal(n, 1);
    add(s, 2, "analytics", "any", "granted", 20); /* the objection lifted */
    assert_int_equal(store_consent_any_withdrawn(s, "analytics", &any, &err), 0);
    assert_false(any);
}

static void records_and_receipts_are_append_only(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s;
    struct kith_error err = {0};
    add(s, 1, "surveys", "email", "granted", 1);
    char *msg = NULL;
    assert_int_not_equal(
        sqlite3_exec(store_db(s), "UPDATE consents SET state = 'withdrawn'", NULL, NULL, &msg),
        SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    assert_int_not_equal(sqlite3_exec(store_db(s), "DELETE FROM consents", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_equal(store_consent_receipt_insert(s, "r-1", 1, "a.b.c", 5, &err), 0);
    assert_int_equal(store_consent_receipt_insert(s, "r-1", 1, "a.b.c", 5, &err), KITH_EDB);
    int64_t owner = 0;
    char *jws = NULL;
    assert_int_equal(store_consent_receipt_get(s, "r-1", &owner, &jws, &err), 0);
    assert_int_equal(owner, 1);
    assert_string_equal(jws, "a.b.c");
    free(jws);
    assert_int_equal(store_consent_receipt_get(s, "r-2", &owner, &jws, &err), KITH_ENOTFOUND);
    assert_null(jws);
    assert_int_not_equal(
        sqlite3_exec(store_db(s), "DELETE FROM consent_receipts", NULL, NULL, NULL), SQLITE_OK);
}

static void the_first_signing_key_stays(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s;
    struct kith_error err = {0};
    unsigned char pk[STORE_SIGN_PK], sk[STORE_SIGN_SK], a[STORE_SIGN_PK], b[STORE_SIGN_SK];
    assert_int_equal(store_signing_key_get(s, pk, sk, &err), KITH_ENOTFOUND);
    memset(a, 1, sizeof(a));
    memset(b, 2, sizeof(b));
    assert_int_equal(store_signing_key_put(s, a, b, 1, &err), 0);
    memset(a, 3, sizeof(a));
    assert_int_equal(store_signing_key_put(s, a, b, 2, &err), 0);
    assert_int_equal(store_signing_key_get(s, pk, NULL, &err), 0);
    assert_int_equal(pk[0], 1);
    assert_int_equal(store_signing_key_get(s, pk, sk, &err), 0);
    assert_int_equal(sk[63], 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_latest_record_and_the_least_permissive_rule, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_bulk_check_and_the_analytics_list, setup, teardown),
        cmocka_unit_test_setup_teardown(records_and_receipts_are_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(the_first_signing_key_stays, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
