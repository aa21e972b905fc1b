/*
 * Tests for src/engine/dist.c: the Gini coefficient of known vectors, Lorenz points, decile
 * edges and sums, the top-20% share, group summaries and k-tile scores with ties, all computed
 * by hand in the comments.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/dist.h"

#define assert_near(a, e, tol) assert_true(fabs((a) - (e)) <= (tol))

static void gini_of_known_vectors(void **state)
{
    (void)state;
    struct dist_summary s;
    struct kith_error err = {0};
    /* {1,2,3,4}: sum (2i-n-1) v_i = -3 -2 +3 +12 = 10 over n*total = 40 -> 0.25 */
    const double a[] = {3, 1, 4, 2};
    assert_int_equal(dist_summarise(a, 4, 5, &s, &err), 0);
    assert_near(s.gini, 0.25, 1e-15);
    assert_near(s.total, 10, 1e-15);
    assert_near(s.mean, 2.5, 1e-15);
    /* one customer holds everything: (n-1)/n */
    const double b[] = {0, 0, 0, 10};
    assert_int_equal(dist_summarise(b, 4, 5, &s, &err), 0);
    assert_near(s.gini, 0.75, 1e-15);
    /* all equal: 0 */
    const double c[] = {7, 7, 7, 7, 7};
    assert_int_equal(dist_summarise(c, 5, 5, &s, &err), 0);
    assert_near(s.gini, 0, 1e-15);
    /* total 0: undefined */
    const double z[] = {0, 0};
    assert_int_equal(dist_summarise(z, 2, 5, &s, &err), 0);
    assert_true(isnan(s.gini));
    assert_true(isnan(s.top20_share));
}

static void lorenz_points_and_top20(void **state)
{
    (void)state;
    struct dist_summary s;
    struct kith_error err = {0};
    const double a[] = {4, 3, 2, 1};
    /* ascending 1,2,3,4 of 10: L(0)=0, L(.25)=.1, L(.5)=.3, L(.75)=.6, L(1)=1 */
    assert_int_equal(dist_summarise(a, 4, 5, &s, &err), 0);
    assert_int_equal(s.nlorenz, 5);
    const double want[] = {0, 0.1, 0.3, 0.6, 1};
    for (int k = 0; k < 5; k++)
        assert_near(s.lorenz[k], want[k], 1e-15);
    /* L(0.8) = 0.6 + 0.2 * 4/10 = 0.68: the top 20% (0.8 of the largest customer) hold 0.32 */
    assert_near(s.top20_share, 0.32, 1e-12);
    /* between points the curve is linear: 3 points at 0, .5, 1 */
    assert_int_equal(dist_summarise(a, 4, 3, &s, &err), 0);
    assert_near(s.lorenz[1], 0.3, 1e-15);
}

static void decile_edges(void **state)
{
    (void)state;
    struct dist_summary s;
    struct kith_error err = {0};
    double v[20];
    for (int i = 0; i < 20; i++)
        v[i] = i + 1; /* 1..20, total 210 */
    assert_int_equal(dist_summarise(v, 20, 21, &s, &err), 0);
    /* two customers per decile, the top first */
    assert_int_equal(s.deciles[0].n, 2);
    assert_near(s.deciles[0].min, 19, 0);
    assert_near(s.deciles[0].max, 20, 0);
    assert_near(s.deciles[0].sum, 39, 0);
    assert_near(s.deciles[0].share, 39.0 / 210, 1e-15);
    assert_near(s.deciles[9].min, 1, 0);
    assert_near(s.deciles[9].max, 2, 0);
    for (int d = 0; d + 1 < DIST_DECILES; d++)
        assert_true(s.deciles[d].min > s.deciles[d + 1].max);
    /* 4 customers: ranks floor((d-1)*4/10)..: deciles 3, 5, 8 and 10 hold one each */
    const double a[] = {10, 20, 30, 40};
    assert_int_equal(dist_summarise(a, 4, 5, &s, &err), 0);
    const size_t n[DIST_DECILES] = {0, 0, 1, 0, 1, 0, 0, 1, 0, 1};
    for (int d = 0; d < DIST_DECILES; d++)
        assert_int_equal(s.deciles[d].n, n[d]);
    assert_near(s.deciles[2].min, 40, 0);
    assert_near(s.deciles[9].max, 10, 0);
    assert_true(isnan(s.deciles[0].min));
}

static void empty_and_bad_input(void **state)
{
    (void)state;
    struct dist_summary s;
    struct kith_error err = {0};
    assert_int_equal(dist_summarise(NULL, 0, 5, &s, &err), 0);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.gini));
    const double bad[] = {1, NAN};
    assert_int_equal(dist_summarise(bad, 2, 5, &s, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "index 1"));
    const double ok[] = {1, 2};
    assert_int_equal(dist_summarise(ok, 2, 1, &s, &err), KITH_EINVAL);
    assert_int_equal(dist_summarise(ok, 2, DIST_LORENZ_MAX + 1, &s, &err), KITH_EINVAL);
}

static void groups_summarised_separately(void **state)
{
    (void)state;
    struct dist_summary s[2];
    struct kith_error err = {0};
    const double v[] = {1, 100, 2, 200, 3, 999};
    const int32_t g[] = {0, 1, 0, 1, 0, -1}; /* the last has no group */
    assert_int_equal(dist_summarise_groups(v, g, 6, 2, 5, s, &err), 0);
    assert_int_equal(s[0].n, 3);
    assert_near(s[0].total, 6, 0);
    assert_int_equal(s[1].n, 2);
    assert_near(s[1].total, 300, 0);
    /* {100, 200}: (-100 + 200) / (2 * 300) */
    assert_near(s[1].gini, 1.0 / 6, 1e-15);
    const int32_t bad[] = {0, 2, 0, 1, 0, 0};
    assert_int_equal(dist_summarise_groups(v, bad, 6, 2, 5, s, &err), KITH_EINVAL);
}

static void ktile_scores_with_ties(void **state)
{
    (void)state;
    struct kith_error err = {0};
    uint8_t sc[10];
    /* distinct: 1 + floor(5 i / 10) */
    const double d[] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    assert_int_equal(dist_ktile_scores(d, 10, 5, sc, &err), 0);
    const uint8_t want_d[] = {5, 5, 4, 4, 3, 3, 2, 2, 1, 1};
    assert_memory_equal(sc, want_d, 10);
    /* six tied at the bottom share score 1; 2 has 6 below: 1 + floor(30/10) = 4; 3: 1 +
     * floor(35/10) = 4; 4: 5; 5: 1 + floor(45/10) = 5 */
    const double t[] = {1, 1, 1, 1, 1, 1, 2, 3, 4, 5};
    assert_int_equal(dist_ktile_scores(t, 10, 5, sc, &err), 0);
    const uint8_t want_t[] = {1, 1, 1, 1, 1, 1, 4, 4, 5, 5};
    assert_memory_equal(sc, want_t, 10);
    /* ties at the top get the score of the lowest rank among them: 7 below of 10 -> 4 */
    const double top[] = {1, 2, 3, 4, 5, 6, 7, 9, 9, 9};
    assert_int_equal(dist_ktile_scores(top, 10, 5, sc, &err), 0);
    assert_int_equal(sc[7], 4);
    assert_int_equal(sc[8], 4);
    assert_int_equal(sc[9], 4);
    /* all equal: everyone scores 1 */
    const double same[] = {3, 3, 3};
    assert_int_equal(dist_ktile_scores(same, 3, 5, sc, &err), 0);
    assert_int_equal(sc[0] + sc[1] + sc[2], 3);
    assert_int_equal(dist_ktile_scores(same, 3, 1, sc, &err), KITH_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gini_of_known_vectors),
        cmocka_unit_test(lorenz_points_and_top20),
        cmocka_unit_test(decile_edges),
        cmocka_unit_test(empty_and_bad_input),
        cmocka_unit_test(groups_summarised_separately),
        cmocka_unit_test(ktile_scores_with_ties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
