/*
 * Tests for src/engine/quantile.c: type-7 quantiles and their inverse (the percentile rank)
 * against values worked out by hand, ties (mid-rank), the extremes and exact rational positions.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/quantile.h"

#define assert_near(a, e) assert_true(fabs((a) - (e)) < 1e-12)

static void test_type7_by_hand(void **state)
{
    (void)state;
    const int64_t x[] = {1, 2, 3, 4, 10};
    /* h = (n - 1) p = 4p: p10 -> 0.4: 1 + 0.4 * (2 - 1) */
    assert_near(quantile_sorted_i64(x, 5, 10, 100), 1.4);
    assert_near(quantile_sorted_i64(x, 5, 25, 100), 2.0);   /* h = 1 */
    assert_near(quantile_sorted_i64(x, 5, 50, 100), 3.0);   /* h = 2 */
    assert_near(quantile_sorted_i64(x, 5, 75, 100), 4.0);   /* h = 3 */
    assert_near(quantile_sorted_i64(x, 5, 90, 100), 7.6);   /* h = 3.6: 4 + 0.6 * 6 */
    assert_near(quantile_sorted_i64(x, 5, 0, 100), 1.0);    /* the minimum */
    assert_near(quantile_sorted_i64(x, 5, 100, 100), 10.0); /* the maximum */
    /* an even count: the median is the mean of the middle two */
    const double y[] = {-3, 1, 2, 8};
    assert_near(quantile_sorted(y, 4, 1, 2), 1.5);
    assert_near(quantile_sorted(y, 4, 10, 100), -3 + 0.3 * 4); /* h = 0.3 */
    /* one value: every quantile is it; none: NaN */
    assert_near(quantile_sorted_i64(x + 4, 1, 10, 100), 10.0);
    assert_true(isnan(quantile_sorted_i64(x, 0, 50, 100)));
}

static void test_positions_are_exact(void **state)
{
    (void)state;
    size_t lo;
    double f;
    /* 10 * 1/10 must be exactly 1 (in binary 0.1 * 10 is not always 1) */
    quantile_index(11, 10, 100, &lo, &f);
    assert_int_equal(lo, 1);
    assert_true(f == 0);
    quantile_index(4, 1, 3, &lo, &f); /* h = 3 * 1/3 = 1 */
    assert_int_equal(lo, 1);
    assert_true(f == 0);
    quantile_index(5, 90, 100, &lo, &f); /* h = 3.6 */
    assert_int_equal(lo, 3);
    assert_near(f, 0.6);
}

static void test_rank_inverts_quantiles(void **state)
{
    (void)state;
    /* points at p = 0, 25, 50, 75, 100 */
    const double q[] = {1, 2, 3, 4, 10};
    assert_near(quantile_rank(q, 5, 3), 50);
    assert_near(quantile_rank(q, 5, 2.5), 37.5);
    assert_near(quantile_rank(q, 5, 7), 87.5); /* 75 + (7 - 4) / (10 - 4) * 25 */
    assert_near(quantile_rank(q, 5, 0), 0);
    assert_near(quantile_rank(q, 5, 1), 0);
    assert_near(quantile_rank(q, 5, 11), 100);
    assert_near(quantile_rank(q, 5, 10), 100);
    /* ties: the middle of the flat part, which is the mid-rank 100 (below + (eq - 1)/2) / (n - 1)
     */
    const double t[] = {1, 2, 2, 2, 5};
    assert_near(quantile_rank(t, 5, 2), 50);
    const double all[] = {4, 4, 4};
    assert_near(quantile_rank(all, 3, 4), 50);
    assert_near(quantile_rank(all, 3, 3), 0);
    /* one point: below, at, above */
    assert_near(quantile_rank(q, 1, 0), 0);
    assert_near(quantile_rank(q, 1, 1), 50);
    assert_near(quantile_rank(q, 1, 2), 100);
    assert_true(isnan(quantile_rank(q, 0, 1)));
    /* the float variant agrees */
    const float qf[] = {1, 2, 3, 4, 10};
    assert_near(quantile_rank_f(qf, 5, 7), 87.5);
    /* a quantile's rank gives back its probability */
    const int64_t x[] = {-5, 0, 0, 3, 9, 12, 40};
    double pts[7];
    for (int i = 0; i < 7; i++)
        pts[i] = quantile_sorted_i64(x, 7, (uint64_t)i, 6);
    assert_near(quantile_rank(pts, 7, quantile_sorted_i64(x, 7, 2, 3)), 200.0 / 3);
}

static void test_sorting(void **state)
{
    (void)state;
    int64_t v[] = {5, -1, 3, 3, 0};
    quantile_sort_i64(v, 5);
    const int64_t want[] = {-1, 0, 3, 3, 5};
    for (int i = 0; i < 5; i++)
        assert_int_equal(v[i], want[i]);
    double d[] = {2.5, -1, 0};
    quantile_sort(d, 3);
    assert_true(d[0] == -1 && d[1] == 0 && d[2] == 2.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type7_by_hand),
        cmocka_unit_test(test_positions_are_exact),
        cmocka_unit_test(test_rank_inverts_quantiles),
        cmocka_unit_test(test_sorting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
