/*
 * Tests for src/engine/referral.c: first- and second-degree sums on a small referral forest
 * computed by hand, the first-referrer rule, self-referrals, two-cycles, referred accounts
 * outside the set and bad arguments.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/referral.h"

#define assert_near(a, e) assert_true(fabs((a) - (e)) <= 1e-9)

/*
 *        1 (A)
 *       /     \
 *    2 (B)    3 (C)         8 (X) also refers 2, but later: 2 stays A's
 *    /   \      \
 *  4 (D) 5 (E)  6 (F)       9 refers itself (ignored)
 *   |
 *  7 (G)
 */
static const struct cv_referral edges[] = {
    {8, 2, 500}, /* later than A's referral of B: no credit */
    {1, 2, 100}, {1, 3, 110}, {2, 4, 200}, {2, 5, 210}, {3, 6, 220}, {4, 7, 300}, {9, 9, 50},
};
static const int64_t ids[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static const double values[] = {0, 10, 20, 30, 40, 50, 60, 0, 0};

static void two_degrees_by_hand(void **state)
{
    (void)state;
    struct referral_value out[9];
    struct kith_error err = {0};
    assert_int_equal(referral_values(edges, 8, ids, values, 9, 0.5, out, &err), 0);
    /* A: first degree B + C = 30; second degree D + E + F = 120; 30 + 0.5 * 120 = 90 */
    assert_int_equal(out[0].referred, 2);
    assert_near(out[0].value1, 30);
    assert_int_equal(out[0].referred2, 3);
    assert_near(out[0].value2, 120);
    assert_near(out[0].total, 90);
    /* B: D + E = 70; second degree G = 60; 100 */
    assert_int_equal(out[1].referred, 2);
    assert_near(out[1].value1, 70);
    assert_near(out[1].value2, 60);
    assert_near(out[1].total, 100);
    /* D: G = 60, nothing below */
    assert_near(out[3].total, 60);
    /* X referred B after A did: nothing; 9's self-referral: nothing */
    assert_int_equal(out[7].referred, 0);
    assert_near(out[7].total, 0);
    assert_int_equal(out[8].referred, 0);
    /* first degree only */
    assert_int_equal(referral_values(edges, 8, ids, values, 9, 0, out, &err), 0);
    assert_near(out[0].total, 30);
    assert_int_equal(out[0].referred2, 0);
}

static void two_cycle_is_not_its_own_grandchild(void **state)
{
    (void)state;
    /* 1 refers 2 at t=1; 2 refers 1 at t=2 (1 was referred by nobody earlier) */
    const struct cv_referral e[] = {{1, 2, 1}, {2, 1, 2}};
    const int64_t id[] = {1, 2};
    const double v[] = {100, 7};
    struct referral_value out[2];
    struct kith_error err = {0};
    assert_int_equal(referral_values(e, 2, id, v, 2, 1, out, &err), 0);
    assert_near(out[0].value1, 7);
    assert_int_equal(out[0].referred2, 0);
    assert_near(out[0].value2, 0);
    assert_near(out[1].value1, 100);
    assert_near(out[1].value2, 0);
}

static void referred_outside_the_set_counts_zero(void **state)
{
    (void)state;
    const struct cv_referral e[] = {{1, 42, 1}, {1, 2, 2}};
    const int64_t id[] = {1, 2};
    const double v[] = {5, 8};
    struct referral_value out[2];
    struct kith_error err = {0};
    assert_int_equal(referral_values(e, 2, id, v, 2, 0.5, out, &err), 0);
    assert_int_equal(out[0].referred, 2);
    assert_near(out[0].value1, 8);
}

static void bad_arguments(void **state)
{
    (void)state;
    struct referral_value out[2];
    struct kith_error err = {0};
    const int64_t unsorted[] = {2, 1};
    const double v[] = {0, 0};
    assert_int_equal(referral_values(NULL, 0, unsorted, v, 2, 0.5, out, &err), KITH_EINVAL);
    const int64_t id[] = {1, 2};
    assert_int_equal(referral_values(NULL, 0, id, v, 2, 1.5, out, &err), KITH_EINVAL);
    assert_int_equal(referral_values(NULL, 0, id, v, 2, NAN, out, &err), KITH_EINVAL);
    assert_int_equal(referral_values(NULL, 0, id, v, 2, 0.5, out, &err), 0);
    assert_int_equal(out[1].referred, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_degrees_by_hand),
        cmocka_unit_test(two_cycle_is_not_its_own_grandchild),
        cmocka_unit_test(referred_outside_the_set_counts_zero),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
