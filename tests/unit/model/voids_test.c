/*
 * voids_test.c - tests of src/model/voids.c: each rule of a void on its own, its code (which the
 * API turns into 404, 409 or 422) and its message (which both doors print after "voids_id: "),
 * and the order in which they are asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/voids.h"

/* Interaction 7 of contact 3, no void and not voided. */
static struct void_target plain(void)
{
    return (struct void_target){.id = 7, .found = true, .contact_id = 3};
}

static void refused(const struct void_target *t, int64_t void_id, int64_t contact, int code,
                    const char *want)
{
    struct kith_error err = {0};
    assert_int_equal(interaction_void_check(t, void_id, contact, &err), code);
    assert_int_equal(err.code, code);
    assert_string_equal(err.msg, want);
}

static void test_a_good_void(void **state)
{
    (void)state;
    struct void_target t = plain();
    struct kith_error err = {0};
    assert_int_equal(interaction_void_check(&t, 9, 3, &err), 0);
    assert_int_equal(interaction_void_check(&t, 0, 0, &err), 0); /* id and contact not known */
    t.voided_by = 9; /* the void itself, once it is in */
    assert_int_equal(interaction_void_check(&t, 9, 3, &err), 0);
}

static void test_each_rule(void **state)
{
    (void)state;
    struct void_target t = plain();
    refused(&t, 7, 3, KITH_EINVAL, "interaction 7 cannot void itself");
    t.voids_id = 7; /* in the store: a row that voids itself (an import's row without an id) */
    refused(&t, 0, 3, KITH_EINVAL, "interaction 7 cannot void itself");
    t = plain();
    t.found = false;
    refused(&t, 9, 3, KITH_ENOTFOUND, "no interaction with id 7");
    t = plain();
    t.voids_id = 5;
    refused(&t, 9, 3, KITH_ECONFLICT,
            "interaction 7 voids another one and cannot itself be voided");
    t = plain();
    t.voided_by = 8;
    refused(&t, 9, 3, KITH_ECONFLICT, "interaction 7 is already voided by 8");
    refused(&t, 0, 3, KITH_ECONFLICT, "interaction 7 is already voided by 8");
    t = plain();
    refused(&t, 9, 4, KITH_EINVAL,
            "interaction 7 is of contact 3, not 4: a void is of the contact of the interaction it"
            " voids");
}

static void test_the_first_rule_broken_is_told(void **state)
{
    (void)state;
    struct void_target t = {.id = 7, .found = false};
    refused(&t, 7, 4, KITH_EINVAL, "interaction 7 cannot void itself");
    t = (struct void_target){
        .id = 7, .found = true, .contact_id = 3, .voids_id = 5, .voided_by = 8};
    refused(&t, 9, 4, KITH_ECONFLICT,
            "interaction 7 voids another one and cannot itself be voided");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_good_void),
        cmocka_unit_test(test_each_rule),
        cmocka_unit_test(test_the_first_rule_broken_is_told),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
