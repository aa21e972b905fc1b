/*
 * privacy_test.c - tests of src/store/privacy.c: the default policy per role, setting one
 * (and refusing values out of range), the noise key made once and kept, and the budget's
 * ledger (a repeated query is free, a new one is charged, one past the budget refused, days and
 * users apart).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store_int.h"
#include "support/testutil.h"

static struct store *open_db(const char *name)
{
    char path[512];
    struct kith_error err = {0};
    struct store *s;
    test_tmp_path(path, sizeof(path), name);
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    assert_int_equal(sqlite3_exec(store_db(s),
                                  "INSERT INTO users (id, created_at, email, name, role) VALUES"
                                  " (1, 0, 'a@x', 'A', 'partner'), (2, 0, 'b@x', 'B', 'partner')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    return s;
}

static void defaults_and_changes(void **state)
{
    (void)state;
    struct store *s = open_db("privacy-policy.db");
    struct kith_error err = {0};
    struct store_privacy_policy p[16];
    size_t n = 0;
    assert_int_equal(store_privacy_policy_list(s, p, 16, &n, &err), 0);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++) {
        bool exact = strcmp(p[i].role, "admin") == 0 || strcmp(p[i].role, "executive") == 0 ||
                     strcmp(p[i].role, "analyst") == 0;
        assert_int_equal(p[i].min_k, 10);
        assert_int_equal(p[i].require_noise, !exact);
        assert_true(exact ? p[i].daily_budget == STORE_PRIVACY_NO_LIMIT
                          : p[i].daily_budget == 10 && p[i].max_epsilon == 1);
        assert_int_equal(p[i].updated_at, 0);
    }
    struct store_privacy_policy q;
    assert_int_equal(store_privacy_policy_get(s, "partner", &q, &err), 0);
    q.min_k = 25;
    q.daily_budget = STORE_PRIVACY_NO_LIMIT;
    q.updated_by = 2;
    assert_int_equal(store_privacy_policy_set(s, &q, &err), 0);
    assert_int_equal(store_privacy_policy_get(s, "partner", &q, &err), 0);
    assert_int_equal(q.min_k, 25);
    assert_true(q.daily_budget == STORE_PRIVACY_NO_LIMIT);
    assert_int_equal(q.updated_by, 2);
    assert_true(q.updated_at > 0);
    q.min_k = 0;
    assert_int_equal(store_privacy_policy_set(s, &q, &err), KITH_EINVAL);
    q.min_k = 10;
    q.max_epsilon = 0;
    assert_int_equal(store_privacy_policy_set(s, &q, &err), KITH_EINVAL);
    assert_int_equal(store_privacy_policy_get(s, "wizard", &q, &err), KITH_ENOTFOUND);
    store_close(s);
}

static void key_is_made_once(void **state)
{
    (void)state;
    struct store *s = open_db("privacy-key.db");
    struct kith_error err = {0};
    uint8_t a[STORE_PRIVACY_KEY_BYTES], b[STORE_PRIVACY_KEY_BYTES], zero[STORE_PRIVACY_KEY_BYTES];
    memset(zero, 0, sizeof(zero));
    assert_int_equal(store_privacy_key(s, a, &err), 0);
    assert_int_equal(store_privacy_key(s, b, &err), 0);
    assert_memory_equal(a, b, sizeof(a));
    assert_memory_not_equal(a, zero, sizeof(a));
    store_close(s);
}

static void budget_ledger(void **state)
{
    (void)state;
    struct store *s = open_db("privacy-spend.db");
    struct kith_error err = {0};
    struct store_privacy_spent r;
    uint8_t q1[STORE_PRIVACY_QUERY_BYTES] = {1}, q2[STORE_PRIVACY_QUERY_BYTES] = {2},
            q3[STORE_PRIVACY_QUERY_BYTES] = {3};
    assert_int_equal(store_privacy_spend(s, 1, 100, q1, 1, 2, &r, &err), 0);
    assert_true(r.charged && !r.refused && r.spent == 1);
    assert_int_equal(store_privacy_spend(s, 1, 100, q1, 1, 2, &r, &err), 0);
    assert_true(!r.charged && !r.refused && r.spent == 1); /* the same query: free */
    assert_int_equal(store_privacy_spend(s, 1, 100, q2, 1, 2, &r, &err), 0);
    assert_true(r.charged && r.spent == 2);
    assert_int_equal(store_privacy_spend(s, 1, 100, q3, 0.5, 2, &r, &err), 0);
    assert_true(r.refused && !r.charged && r.spent == 2);
    assert_int_equal(store_privacy_spend(s, 1, 101, q3, 0.5, 2, &r, &err), 0); /* next day */
    assert_true(r.charged && r.spent == 0.5);
    assert_int_equal(store_privacy_spend(s, 2, 100, q3, 0.5, 2, &r, &err), 0); /* another user */
    assert_true(r.charged && r.spent == 0.5);
    for (int i = 0; i < 10; i++) { /* ten of 0.1 fit a budget of 1 */
        uint8_t q[STORE_PRIVACY_QUERY_BYTES] = {9, (uint8_t)i};
        assert_int_equal(store_privacy_spend(s, 2, 200, q, 0.1, 1, &r, &err), 0);
        assert_true(r.charged);
    }
    assert_int_equal(store_privacy_spend(s, 1, 100, q3, 0, 2, &r, &err), KITH_EINVAL);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_and_changes),
        cmocka_unit_test(key_is_made_once),
        cmocka_unit_test(budget_ledger),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
