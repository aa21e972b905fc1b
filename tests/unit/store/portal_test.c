/*
 * portal_test.c - tests of src/store/portal.c: a contact's portal access (invited, found by its
 * email without case, revoked, revived), single-use links (kind, expiry, spent once, spent by a
 * revocation), portal sessions (live, expired, ended by a new password and by a revocation) and
 * their going with a deleted contact; the units holding a contact's data; a contact's rows of
 * a table in one statement (store_each_eq(), the export's reader); corrections going with
 * their contact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store_int.h"
#include "support/testutil.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "3333333333333333333333333333333333333333333333333333333333333333"
#define H4 "4444444444444444444444444444444444444444444444444444444444444444"
#define H5 "5555555555555555555555555555555555555555555555555555555555555555"

#define DAY (24LL * 3600 * 1000)

struct fixture {
    char path[512];
    struct store *s;
};

static int setup(void **state)
{
    static struct fixture f;
    struct kith_error err = {0};
    test_tmp_path(f.path, sizeof(f.path), "portal.db");
    assert_int_equal(store_open(f.path, STORE_CREATE, &f.s, &err), 0);
    assert_int_equal(
        sqlite3_exec(store_db(f.s),
                     "INSERT INTO accounts (id, created_at, name) VALUES (5, 0, 'Shop');"
                     "INSERT INTO contacts (id, created_at, account_id, first_name,"
                     " last_name, email) VALUES (1, 0, 5, 'Ann', 'Lee',"
                     " 'Ann@Example.org'), (2, 0, NULL, NULL, 'Bob', NULL);",
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

static int64_t count(struct fixture *f, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(store_query_int64(store_db(f->s), sql, &n, "count", NULL), 0);
    return n;
}

static void an_invitation_gives_access_found_by_email(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_portal_account a;
    int64_t tid = 0;
    assert_int_equal(store_portal_account_get(f->s, 1, &a, &err), KITH_ENOTFOUND);
    assert_int_equal(store_portal_token_create(f->s, 1, STORE_PORTAL_INVITATION, H1, 100,
                                               100 + 7 * DAY, 0, &tid, &err),
                     0);
    assert_true(tid > 0);
    assert_int_equal(store_portal_account_find_by_email(f->s, "ann@EXAMPLE.org", &a, &err), 0);
    assert_int_equal(a.contact_id, 1);
    assert_int_equal(a.account_id, 5);
    assert_string_equal(a.name, "Ann Lee");
    assert_string_equal(a.password_hash, "");
    assert_int_equal(a.revoked_at, 0);
    /* no contact, no access; a sign-in link needs access */
    assert_int_equal(
        store_portal_token_create(f->s, 9, STORE_PORTAL_INVITATION, H2, 100, 200, 0, NULL, &err),
        KITH_ENOTFOUND);
    assert_int_equal(
        store_portal_token_create(f->s, 2, STORE_PORTAL_SIGN_IN, H2, 100, 200, 0, NULL, &err),
        KITH_ENOTFOUND);
    assert_int_equal(count(f, "SELECT count(*) FROM portal_accounts"), 1);
}

static void a_link_is_spent_once_by_its_kind_before_it_expires(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    int64_t cid = 0;
    assert_int_equal(
        store_portal_token_create(f->s, 1, STORE_PORTAL_INVITATION, H1, 100, 1000, 0, NULL, &err),
        0);
    assert_int_equal(
        store_portal_token_create(f->s, 1, STORE_PORTAL_SIGN_IN, H2, 100, 1000, 0, NULL, &err), 0);
    /* the wrong kind, an unknown hash, an expired link */
    assert_int_equal(store_portal_token_use(f->s, STORE_PORTAL_SIGN_IN, H1, 500, &cid, &err),
                     KITH_ENOTFOUND);
    assert_int_equal(store_portal_token_use(f->s, STORE_PORTAL_SIGN_IN, H3, 500, &cid, &err),
                     KITH_ENOTFOUND);
    assert_int_equal(store_portal_token_use(f->s, STORE_PORTAL_SIGN_IN, H2, 1000, &cid, &err),
                     KITH_ENOTFOUND);
    assert_int_equal(store_portal_token_use(f->s, STORE_PORTAL_INVITATION, H1, 999, &cid, &err), 0);
    assert_int_equal(cid, 1);
    assert_int_equal(store_portal_token_use(f->s, STORE_PORTAL_INVITATION, H1, 999, &cid, &err),
                     KITH_ENOTFOUND);
}

static void sessions_live_until_expiry_and_a_new_password_ends_the_others(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_portal_session s;
    int64_t a = 0, b = 0, ended = -1;
    assert_int_equal(
        store_portal_token_create(f->s, 1, STORE_PORTAL_INVITATION, H1, 100, 1000, 0, NULL, &err),
        0);
    assert_int_equal(store_portal_session_create(f->s, 1, H2, H3, 100, 5000, &a, &err), 0);
    assert_int_equal(store_portal_session_create(f->s, 1, H3, H4, 100, 9000, &b, &err), 0);
    assert_int_equal(store_portal_session_find(f->s, H2, 4999, &s, &err), 0);
    assert_int_equal(s.id, a);
    assert_string_equal(s.csrf_hash, H3);
    assert_int_equal(store_portal_session_find(f->s, H2, 5000, &s, &err), KITH_ENOTFOUND);
    assert_int_equal(store_portal_session_touch(f->s, a, 200, 6000, &err), 0);
    assert_int_equal(store_portal_session_find(f->s, H2, 5500, &s, &err), 0);
    assert_int_equal(s.last_seen_at, 200);
    assert_int_equal(store_portal_set_password(f->s, 1, "$argon2id$x", 300, b, &ended, &err), 0);
    assert_int_equal(ended, 1);
    assert_int_equal(store_portal_session_get(f->s, a, &s, &err), KITH_ENOTFOUND);
    assert_int_equal(store_portal_session_find(f->s, H3, 300, &s, &err), 0);
    assert_int_equal(store_portal_session_delete(f->s, b, &err), 0);
    assert_int_equal(store_portal_session_delete(f->s, b, &err), KITH_ENOTFOUND);
}

static void revoking_ends_everything_and_an_invitation_revives_without_password(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_portal_account acct;
    struct store_portal_session s;
    int64_t cid = 0, ended = -1;
    assert_int_equal(
        store_portal_token_create(f->s, 1, STORE_PORTAL_INVITATION, H1, 100, 1000, 0, NULL, &err),
        0);
    assert_int_equal(store_portal_set_password(f->s, 1, "$argon2id$x", 100, 0, NULL, &err), 0);
    assert_int_equal(
        store_portal_token_create(f->s, 1, STORE_PORTAL_SIGN_IN, H2, 100, 1000, 0, NULL, &err), 0);
    assert_int_equal(store_portal_session_create(f->s, 1, H3, H3, 100, 5000, NULL, &err), 0);
    assert_int_equal(store_portal_session_create(f->s, 1, H4, H4, 100, 5000, NULL, &err), 0);
    assert_int_equal(store_portal_revoke(f->s, 1, 200, &ended, &err), 0);
    assert_int_equal(ended, 2);
    assert_int_equal(store_portal_revoke(f->s, 1, 200, &ended, &err), KITH_ENOTFOUND);
    assert_int_equal(store_portal_session_find(f->s, H3, 300, &s, &err), KITH_ENOTFOUND);
    assert_int_equal(store_portal_token_use(f->s, STORE_PORTAL_SIGN_IN, H2, 300, &cid, &err),
                     KITH_ENOTFOUND);
    assert_int_equal(store_portal_set_password(f->s, 1, "$argon2id$y", 300, 0, NULL, &err),
                     KITH_ENOTFOUND);
    assert_int_equal(store_portal_account_get(f->s, 1, &acct, &err), 0);
    assert_int_equal(acct.revoked_at, 200);
    assert_string_equal(acct.password_hash, "");
    /* revived by a new invitation: access holds again, the old password does not */
    assert_int_equal(
        store_portal_token_create(f->s, 1, STORE_PORTAL_INVITATION, H5, 400, 900, 0, NULL, &err),
        0);
    assert_int_equal(store_portal_account_get(f->s, 1, &acct, &err), 0);
    assert_int_equal(acct.revoked_at, 0);
    assert_string_equal(acct.password_hash, "");
    assert_int_equal(store_portal_token_use(f->s, STORE_PORTAL_INVITATION, H5, 500, &cid, &err), 0);
    assert_int_equal(cid, 1);
}

static void a_deleted_contact_takes_its_access_along(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    assert_int_equal(
        store_portal_token_create(f->s, 1, STORE_PORTAL_INVITATION, H1, 100, 1000, 0, NULL, &err),
        0);
    assert_int_equal(store_portal_session_create(f->s, 1, H2, H3, 100, 5000, NULL, &err), 0);
    assert_int_equal(
        sqlite3_exec(store_db(f->s), "DELETE FROM contacts WHERE id = 1", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(count(f, "SELECT (SELECT count(*) FROM portal_accounts)"
                              " + (SELECT count(*) FROM portal_tokens)"
                              " + (SELECT count(*) FROM portal_sessions)"),
                     0);
}

struct held {
    int64_t unit[8];
    unsigned why[8];
    size_t n;
};

static int add_held(void *ctx, const struct store_holder *h)
{
    struct held *x = ctx;
    assert_true(x->n < 8);
    x->unit[x->n] = h->unit_id;
    x->why[x->n++] = h->why;
    return 0;
}

static void holders_are_the_record_account_and_recording_units(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    /* contact 1 in unit 10; its account 5 in unit 20; interactions by users of units 20 and 30,
     * and one by a user without a unit; contact 2's interaction by a user of unit 40 */
    assert_int_equal(
        sqlite3_exec(
            store_db(f->s),
            "INSERT INTO units (id, created_at, name, kind) VALUES (10, 0, 'Own', 'business_unit'),"
            " (20, 0, 'Acc', 'business_unit'), (30, 0, 'Dealer', 'dealer'),"
            " (40, 0, 'Other', 'partner');"
            "UPDATE contacts SET unit_id = 10 WHERE id = 1;"
            "UPDATE accounts SET unit_id = 20 WHERE id = 5;"
            "INSERT INTO users (id, created_at, email, name, role, unit_id) VALUES"
            " (1, 0, 'a@x.org', 'A', 'frontline', 20), (2, 0, 'b@x.org', 'B', 'partner', 30),"
            " (3, 0, 'c@x.org', 'C', 'admin', NULL), (4, 0, 'd@x.org', 'D', 'partner', 40);"
            "INSERT INTO interaction_types (id, created_at, code, name, phase, level, channel,"
            " touch, tech, rv, cost) VALUES (1, 0, 'c', 'Call', 'acquisition', 1, 'phone', 0.5,"
            " 0.5, 1, 0);"
            "INSERT INTO interactions (created_at, contact_id, user_id, type_id, occurred_at)"
            " VALUES (0, 1, 1, 1, 0), (0, 1, 2, 1, 0), (0, 1, 2, 1, 0), (0, 1, 3, 1, 0),"
            " (0, 2, 4, 1, 0);",
            NULL, NULL, NULL),
        SQLITE_OK);
    struct held h = {0};
    assert_int_equal(store_portal_holders(f->s, 1, add_held, &h, &err), 0);
    assert_int_equal(h.n, 3);
    assert_int_equal(h.unit[0], 10);
    assert_int_equal(h.why[0], STORE_HOLDS_RECORD);
    assert_int_equal(h.unit[1], 20);
    assert_int_equal(h.why[1], STORE_HOLDS_ACCOUNT | STORE_HOLDS_INTERACTIONS);
    assert_int_equal(h.unit[2], 30);
    assert_int_equal(h.why[2], STORE_HOLDS_INTERACTIONS);
    /* contact 2: no unit, no account; its one interaction's unit */
    struct held h2 = {0};
    assert_int_equal(store_portal_holders(f->s, 2, add_held, &h2, &err), 0);
    assert_int_equal(h2.n, 1);
    assert_int_equal(h2.unit[0], 40);
}

struct ids {
    int64_t v[16];
    size_t n;
};

static int add_id(void *ctx, const struct store_value *vals)
{
    struct ids *x = ctx;
    assert_true(x->n < 16);
    x->v[x->n++] = vals[0].i;
    return 0;
}

static void each_eq_reads_every_row_in_id_order_and_corrections_go_with_the_contact(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    assert_int_equal(
        sqlite3_exec(store_db(f->s),
                     "INSERT INTO corrections (id, created_at, contact_id, field, value, status)"
                     " VALUES (7, 0, 1, 'phone', '1', 'pending'), (3, 0, 2, 'phone', '2',"
                     " 'pending'), (5, 0, 1, 'title', NULL, 'rejected'),"
                     " (9, 0, 1, 'email', 'a@b.org', 'accepted');",
                     NULL, NULL, NULL),
        SQLITE_OK);
    const struct table_def *t = model_table("corrections");
    size_t field;
    assert_non_null(table_field(t, "contact_id", &field));
    struct ids x = {0};
    assert_int_equal(store_each_eq(f->s, t, field, 1, add_id, &x, &err), 0);
    assert_int_equal(x.n, 3);
    assert_int_equal(x.v[0], 5);
    assert_int_equal(x.v[1], 7);
    assert_int_equal(x.v[2], 9);
    struct ids none = {0};
    assert_int_equal(store_each_eq(f->s, t, field, 99, add_id, &none, &err), 0);
    assert_int_equal(none.n, 0);
    assert_int_equal(
        sqlite3_exec(store_db(f->s), "DELETE FROM contacts WHERE id = 1", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM corrections"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(an_invitation_gives_access_found_by_email, setup, teardown),
        cmocka_unit_test_setup_teardown(a_link_is_spent_once_by_its_kind_before_it_expires, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            sessions_live_until_expiry_and_a_new_password_ends_the_others, setup, teardown),
        cmocka_unit_test_setup_teardown(
            revoking_ends_everything_and_an_invitation_revives_without_password, setup, teardown),
        cmocka_unit_test_setup_teardown(a_deleted_contact_takes_its_access_along, setup, teardown),
        cmocka_unit_test_setup_teardown(holders_are_the_record_account_and_recording_units, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            each_eq_reads_every_row_in_id_order_and_corrections_go_with_the_contact, setup,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
