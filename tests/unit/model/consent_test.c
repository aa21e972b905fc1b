/*
 * consent_test.c - tests of src/model/consent.c: which purpose and channel pairs may be
 * recorded, the defaults with nothing recorded, and the least permissive rule over every pair of
 * states.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "model/consent.h"

static void test_pairs(void **state)
{
    (void)state;
    struct kith_error err = {0};
    assert_int_equal(consent_check("marketing", "sms", "granted", &err), 0);
    assert_int_equal(consent_check("surveys", "any", "withdrawn", &err), 0);
    assert_int_equal(consent_check("analytics", "any", "withdrawn", &err), 0);
    assert_int_equal(consent_check("analytics", "email", "withdrawn", &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "channel: analytics concerns no channel"));
    assert_int_equal(consent_check("sharing", "post", "granted", &err), KITH_EINVAL);
    assert_int_equal(consent_check("spam", "sms", "granted", &err), KITH_EINVAL);
    assert_int_equal(strncmp(err.msg, "purpose:", 8), 0);
    assert_int_equal(consent_check("marketing", "fax", "granted", &err), KITH_EINVAL);
    assert_int_equal(strncmp(err.msg, "channel:", 8), 0);
    assert_int_equal(consent_check("marketing", "sms", "maybe", &err), KITH_EINVAL);
    assert_int_equal(strncmp(err.msg, "state:", 6), 0);
    assert_int_equal(consent_check(NULL, NULL, NULL, &err), KITH_EINVAL);
}

static void test_defaults(void **state)
{
    (void)state;
    /* legitimate interest: allowed until withdrawn; the others need a grant */
    assert_true(consent_state_allows(CONSENT_NONE, "analytics"));
    assert_false(consent_state_allows(CONSENT_WITHDRAWN, "analytics"));
    for (const char *const *p = consent_purposes; *p; p++) {
        assert_true(consent_state_allows(CONSENT_GRANTED, *p));
        assert_false(consent_state_allows(CONSENT_WITHDRAWN, *p));
        if (strcmp(*p, "analytics") != 0)
            assert_false(consent_state_allows(CONSENT_NONE, *p));
    }
}

static void test_least_permissive(void **state)
{
    (void)state;
    const enum consent_state all[] = {CONSENT_NONE, CONSENT_GRANTED, CONSENT_WITHDRAWN};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            enum consent_state got = consent_fold(all[a], all[b]);
            enum consent_state want =
                (all[a] == CONSENT_WITHDRAWN || all[b] == CONSENT_WITHDRAWN) ? CONSENT_WITHDRAWN
                : (all[a] == CONSENT_GRANTED || all[b] == CONSENT_GRANTED)   ? CONSENT_GRANTED
                                                                             : CONSENT_NONE;
            assert_int_equal(got, want);
            assert_int_equal(consent_fold(all[b], all[a]), got); /* symmetric */
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_least_permissive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
