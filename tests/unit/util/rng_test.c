/*
 * rng_test.c - tests of src/util/rng.c: the same seed gives the same stream, streams and seeds
 * differ, every helper stays in its range and has about the right mean.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/rng.h"

static void init(struct rng *r, uint64_t seed, uint64_t stream)
{
    struct kith_error err = {0};
    if (rng_init_stream(r, seed, stream, &err) != 0)
        fail_msg("rng_init_stream: %s", err.msg);
}

static void test_same_seed_same_stream(void **state)
{
    (void)state;
    struct rng a, b, c, d;
    init(&a, 42, 0);
    init(&b, 42, 0);
    init(&c, 43, 0);
    init(&d, 42, 1);
    int same_c = 0, same_d = 0;
    for (int i = 0; i < 1000; i++) {
        double x = rng_uniform(&a);
        assert_true(x == rng_uniform(&b));
        same_c += x == rng_uniform(&c);
        same_d += x == rng_uniform(&d);
    }
    assert_true(same_c < 5);
    assert_true(same_d < 5);
    rng_release(&a);
    rng_release(&b);
    rng_release(&c);
    rng_release(&d);
    rng_release(&a); /* released twice is a no-op */
}

static void test_known_values(void **state)
{
    (void)state;
    /* splitmix64's published first output for state 0. */
    uint64_t st = 0;
    assert_true(rng_splitmix64(&st) == 0xe220a8397b1dcdafULL);
}

static void test_ranges_and_means(void **state)
{
    (void)state;
    struct rng r;
    init(&r, 1, 0);
    const int n = 20000;
    double su = 0, sn = 0, se = 0, sg = 0, sb = 0, sp = 0;
    for (int i = 0; i < n; i++) {
        double u = rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        assert_true(rng_uniform_pos(&r) > 0.0);
        uint32_t k = rng_below(&r, 7);
        assert_true(k < 7);
        double x = rng_range(&r, -2.0, 3.0);
        assert_true(x >= -2.0 && x < 3.0);
        double b = rng_beta(&r, 0.7, 3.5);
        assert_true(b >= 0.0 && b <= 1.0);
        su += u;
        sn += rng_normal(&r, 5.0, 2.0);
        se += rng_exponential(&r, 3.0);
        sg += rng_gamma(&r, 2.0, 1.5);
        sb += b;
        sp += rng_poisson(&r, 4.0);
        assert_true(rng_lognormal(&r, 0.0, 1.0) > 0.0);
    }
    assert_true(fabs(su / n - 0.5) < 0.02);
    assert_true(fabs(sn / n - 5.0) < 0.1);
    assert_true(fabs(se / n - 3.0) < 0.15);
    assert_true(fabs(sg / n - 3.0) < 0.15);
    assert_true(fabs(sb / n - 0.7 / 4.2) < 0.01);
    assert_true(fabs(sp / n - 4.0) < 0.1);
    assert_false(rng_bernoulli(&r, 0.0));
    assert_true(rng_bernoulli(&r, 1.0));
    assert_int_equal(rng_poisson(&r, 0.0), 0);
    rng_release(&r);
}

static void test_choice_multinomial_shuffle(void **state)
{
    (void)state;
    struct rng r;
    init(&r, 9, 0);
    const double w[] = {0.0, 1.0, 3.0, 0.0};
    int hits[4] = {0};
    for (int i = 0; i < 8000; i++)
        hits[rng_choice(&r, w, 4)]++;
    assert_int_equal(hits[0], 0);
    assert_int_equal(hits[3], 0);
    assert_in_range(hits[2], 5700, 6300);
    const double zero[] = {0.0, 0.0};
    assert_int_equal(rng_choice(&r, zero, 2), 0);

    unsigned counts[4];
    rng_multinomial(&r, w, 4, 1000, counts);
    assert_int_equal(counts[0] + counts[1] + counts[2] + counts[3], 1000);
    assert_int_equal(counts[0], 0);

    int a[50], sum = 0;
    for (int i = 0; i < 50; i++)
        a[i] = i;
    rng_shuffle(&r, a, 50, sizeof(a[0]));
    int moved = 0;
    for (int i = 0; i < 50; i++) {
        sum += a[i];
        moved += a[i] != i;
    }
    assert_int_equal(sum, 49 * 50 / 2);
    assert_true(moved > 25);
    rng_release(&r);
}

static void test_quantiles(void **state)
{
    (void)state;
    /* The median of Exponential(1) = Gamma(1, 1) is ln 2; Beta(1, 1) is uniform. */
    assert_true(fabs(rng_gamma_quantile(0.5, 1.0, 1.0) - log(2.0)) < 1e-6);
    assert_true(fabs(rng_beta_quantile(0.25, 1.0, 1.0) - 0.25) < 1e-6);
    assert_true(fabs(rng_normal_cdf(0.0) - 0.5) < 1e-12);
    /* Out of range and extreme probabilities are clamped, never a crash or NaN. */
    assert_true(rng_gamma_quantile(0.0, 0.9, 1.0 / 12.0) > 0.0);
    assert_true(isfinite(rng_gamma_quantile(1.0, 0.9, 1.0 / 12.0)));
    double b = rng_beta_quantile(NAN, 0.7, 3.5);
    assert_true(b >= 0.0 && b <= 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_stream),
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_ranges_and_means),
        cmocka_unit_test(test_choice_multinomial_shuffle),
        cmocka_unit_test(test_quantiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
