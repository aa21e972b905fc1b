/*
 * Tests for src/engine/compare.c: cells per unit and stage, suppression of groups smaller than
 * k, the own unit's exact view, and the noise with a deterministic random source: Laplace draws
 * of the right scale, the exponential-mechanism quantile, reproducibility, the stated budget.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/compare.h"
#include "support/rvfixture.h"

#define assert_near(a, e) assert_true(fabs((double)(a) - (double)(e)) < 1e-9)

/* A deterministic uniform source on [0, 1) for the tests (the CLI uses libsodium). */
static double lcg_uniform(void *ctx)
{
    uint64_t *x = ctx;
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*x >> 11) * 0x1.0p-53;
}

/*
 * North (unit 1): twelve contacts, contact i with i visits (RV 2 i), no trigger: acquisition.
 * South (unit 2): three contacts, each a contract (RV 20, retention). Contact 99: no unit.
 */
static struct rv_snapshot *units(void)
{
    struct rv_builder *b = fx_builder();
    for (int c = 1; c <= 12; c++)
        fx_contact(b, c, 0, 10, 1, 100, NULL);
    for (int c = 21; c <= 23; c++)
        fx_contact(b, c, 0, 20, 2, 200, NULL);
    fx_contact(b, 99, 0, 0, 0, 0, NULL);
    fx_begin(b);
    int64_t id = 1;
    for (int c = 1; c <= 12; c++)
        for (int k = 0; k < c; k++)
            fx_add(b, fx_row(id++, c, 1, k));
    for (int c = 21; c <= 23; c++)
        fx_add(b, fx_row(id++, c, 4, 1));
    fx_add(b, fx_row(id++, 99, 1, 1));
    return fx_finish(b);
}

static const struct compare_cell *cell(const struct compare_result *r, int32_t unit, int stage)
{
    for (size_t i = 0; i < r->ncells; i++)
        if (r->cells[i].unit == unit && r->cells[i].stage == stage)
            return &r->cells[i];
    return NULL;
}

static void test_suppression_and_own_view(void **state)
{
    (void)state;
    struct rv_snapshot *s = units();
    struct compare_spec spec;
    compare_spec_init(&spec, fx_ms(30));
    struct compare_result *r;
    assert_int_equal(compare_units(s, &spec, &r, NULL), 0);
    assert_int_equal(r->k, 10);
    assert_true(r->epsilon == 0);
    assert_int_equal(r->ncells, 3 * 4); /* (none, North, South) x (all, three stages) */
    const struct compare_cell *north = cell(r, 0, -1);
    assert_false(north->suppressed);
    assert_near(north->n, 12);
    /* RV 2, 4, ..., 24: mean 13, p10 = 2 + 1.1 * 2, p50 = 13, p90 = 2 + 9.9 * 2 */
    assert_near(north->mean, 13);
    assert_near(north->p10, 4.2);
    assert_near(north->p50, 13);
    assert_near(north->p90, 21.8);
    assert_false(cell(r, 0, 0)->suppressed); /* all twelve are in acquisition */
    assert_true(cell(r, 0, 2)->suppressed);  /* nobody in retention: 0 < k */
    const struct compare_cell *south = cell(r, 1, -1);
    assert_true(south->suppressed); /* 3 < k: nothing shown, not even the count */
    assert_true(isnan(south->n) && isnan(south->mean) && isnan(south->p50));
    assert_true(cell(r, -1, -1)->suppressed);
    compare_result_free(r);

    /* South's own view: its exact figures beside North's (others stay suppressed if small) */
    spec.own_unit = 1;
    assert_int_equal(compare_units(s, &spec, &r, NULL), 0);
    south = cell(r, 1, -1);
    assert_true(south->own);
    assert_false(south->suppressed);
    assert_near(south->n, 3);
    assert_near(south->p50, 20);
    assert_false(cell(r, 0, -1)->own);
    assert_near(cell(r, 0, -1)->n, 12);
    compare_result_free(r);

    /* k = 2: South appears for everyone */
    spec.own_unit = -1;
    spec.k = 2;
    assert_int_equal(compare_units(s, &spec, &r, NULL), 0);
    assert_false(cell(r, 1, -1)->suppressed);
    assert_true(cell(r, -1, -1)->suppressed); /* the contact without a unit: 1 < 2 */
    compare_result_free(r);
    rv_snapshot_free(s);
}

static void test_noise(void **state)
{
    (void)state;
    struct rv_snapshot *s = units();
    struct compare_spec spec;
    uint64_t seed = 42;
    compare_spec_init(&spec, fx_ms(30));
    spec.epsilon = 14;
    spec.uniform = lcg_uniform;
    spec.uniform_ctx = &seed;
    spec.k = 5;
    struct compare_result *a, *b, *c;
    assert_int_equal(compare_units(s, &spec, &a, NULL), 0);
    assert_near(a->epsilon, 14);
    assert_near(a->epsilon_per_statistic, 1); /* 7 statistics in 2 cells per contact */
    assert_near(a->threshold, 5 + 3);         /* k + 3 / epsilon_per_statistic */
    assert_false(cell(a, 0, -1)->suppressed); /* North: 12 + Laplace(1) */
    seed = 42;
    assert_int_equal(compare_units(s, &spec, &b, NULL), 0);
    seed = 43;
    assert_int_equal(compare_units(s, &spec, &c, NULL), 0);
    bool differ = false;
    for (size_t i = 0; i < a->ncells; i++) {
        const struct compare_cell *x = &a->cells[i], *y = &b->cells[i];
        assert_true(x->noised);
        assert_int_equal(x->suppressed, y->suppressed); /* the same seed: the same answer */
        if (!x->suppressed) {
            assert_near(x->n, y->n);
            assert_near(x->p50, y->p50);
            assert_true(x->n == round(x->n) && x->n >= a->threshold - 0.5);
            assert_true(x->p10 <= x->p25 && x->p25 <= x->p50 && x->p50 <= x->p75 &&
                        x->p75 <= x->p90);
            assert_true(x->p10 >= spec.clip_lo && x->p90 <= spec.clip_hi);
            assert_true(x->mean >= spec.clip_lo && x->mean <= spec.clip_hi);
        }
        if (x->suppressed != c->cells[i].suppressed ||
            (!x->suppressed && (x->n != c->cells[i].n || x->p50 != c->cells[i].p50)))
            differ = true;
    }
    assert_true(differ); /* another seed: other noise */
    compare_result_free(a);
    compare_result_free(b);
    compare_result_free(c);
    /* the own unit is never noised */
    spec.own_unit = 0;
    assert_int_equal(compare_units(s, &spec, &a, NULL), 0);
    assert_false(cell(a, 0, -1)->noised);
    assert_near(cell(a, 0, -1)->n, 12);
    compare_result_free(a);
    /* bad specs */
    struct kith_error err = {0};
    spec.uniform = NULL;
    assert_int_equal(compare_units(s, &spec, &a, &err), KITH_EINVAL);
    spec.uniform = lcg_uniform;
    spec.epsilon = -1;
    assert_int_equal(compare_units(s, &spec, &a, &err), KITH_EINVAL);
    spec.epsilon = 1;
    spec.clip_lo = 5;
    spec.clip_hi = 5;
    assert_int_equal(compare_units(s, &spec, &a, &err), KITH_EINVAL);
    rv_snapshot_free(s);
}

/* A source whose Laplace draws are all large and positive. */
static double high_uniform(void *ctx)
{
    (void)ctx;
    return 0.999999;
}

/* Fewer than k members: suppressed whatever the noise draws (the noisy count alone would show
 * South's three contacts through a draw of +13). */
static void test_noise_never_shows_fewer_than_k(void **state)
{
    (void)state;
    struct rv_snapshot *s = units();
    struct compare_spec spec;
    compare_spec_init(&spec, fx_ms(30));
    spec.epsilon = 14; /* 1 per statistic: threshold k + 3 */
    spec.uniform = high_uniform;
    spec.k = 5;
    struct compare_result *r;
    assert_int_equal(compare_units(s, &spec, &r, NULL), 0);
    assert_true(cell(r, 1, -1)->noised);
    assert_true(cell(r, 1, -1)->suppressed);  /* South: 3 < k */
    assert_false(cell(r, 0, -1)->suppressed); /* North: 12 */
    compare_result_free(r);
    rv_snapshot_free(s);
}

static void test_mechanisms(void **state)
{
    (void)state;
    uint64_t seed = 7;
    /* Laplace(0, b): mean 0, mean |x| = b */
    double sum = 0, abs_sum = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) {
        double x = compare_laplace(lcg_uniform, &seed, 3.0);
        sum += x;
        abs_sum += fabs(x);
    }
    assert_true(fabs(sum / n) < 0.05);
    assert_true(fabs(abs_sum / n - 3.0) < 0.05);
    /* the exponential mechanism with a large budget lands next to the true quantile */
    double v[101];
    for (int i = 0; i <= 100; i++)
        v[i] = i;
    for (int k = 0; k < 20; k++) {
        double q = compare_dp_quantile(v, 101, -1000, 1000, 1, 2, 50, lcg_uniform, &seed);
        assert_true(q >= 48 && q <= 52);
    }
    /* with no data it still answers inside the bounds */
    double q = compare_dp_quantile(v, 0, -10, 10, 1, 2, 1, lcg_uniform, &seed);
    assert_true(q >= -10 && q <= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suppression_and_own_view),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_noise_never_shows_fewer_than_k),
        cmocka_unit_test(test_mechanisms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
