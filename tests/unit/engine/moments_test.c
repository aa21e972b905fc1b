/*
 * Tests for src/engine/moments.c: the Benjamini-Hochberg adjustment and the bins worked out by
 * hand, and a planted study on a small snapshot whose effect, interval, counts, churn effect
 * and population mask are computed by hand below.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/moments.h"
#include "support/rvfixture.h"

#define assert_near(a, e, tol) assert_true(fabs((double)(a) - (double)(e)) < (tol))

static void test_bh_by_hand(void **state)
{
    (void)state;
    /* sorted 0.01, 0.03, 0.04, 0.20: p n / rank = 0.04, 0.06, 0.0533, 0.20, then the running
     * minimum from the largest */
    const double p[] = {0.01, 0.04, 0.03, 0.20};
    double q[4];
    assert_int_equal(moments_bh(p, 4, q, NULL), 0);
    assert_near(q[0], 0.04, 1e-12);
    assert_near(q[1], 0.16 / 3, 1e-12);
    assert_near(q[2], 0.16 / 3, 1e-12);
    assert_near(q[3], 0.20, 1e-12);
}

static void test_bins(void **state)
{
    (void)state;
    assert_int_equal(moments_rv_bin(-1), 0);
    assert_int_equal(moments_rv_bin(0), 1);
    assert_int_equal(moments_rv_bin(9), 1);
    assert_int_equal(moments_rv_bin(10), 2);
    assert_int_equal(moments_rv_bin(499), MOMENTS_RV_BINS - 2);
    assert_int_equal(moments_rv_bin(500), MOMENTS_RV_BINS - 1);
    assert_int_equal(moments_tenure_bin(89), 0);
    assert_int_equal(moments_tenure_bin(90), 1);
    assert_int_equal(moments_tenure_bin(730), 3);
    assert_int_equal(moments_active_bin(1), 0);
    assert_int_equal(moments_active_bin(12), 11);
    assert_int_equal(moments_active_bin(13), 12);
    assert_int_equal(moments_active_bin(25), MOMENTS_ACTIVE_BINS - 1);
    assert_int_equal(moments_active_bin(1000), MOMENTS_ACTIVE_BINS - 1);
}

/*
 * One period, days [0, 30), and its window [30, 90). Contacts 1..40 (account = id, unit 1):
 * 1..20 have a visit (type 1, RV 2) on day 5 and a demo (type 3) on day 10: their first demo is
 * in the period (treated); 21..40 two visits, days 5 and 10 (controls). After the period
 * contact i gets (i % 4) + 3 visits when treated, (i % 4) + 1 when not: outcome RV 8, 10, 12, 6
 * (mean 9) against 4, 6, 8, 2 (mean 5). Contacts 1..10 give notice on day 50. Contact 41 had
 * its demo before the period (day -5): neither treated nor control.
 */
static struct rv_snapshot *planted(void)
{
    struct rv_builder *b = fx_builder();
    for (int c = 1; c <= 41; c++)
        fx_contact(b, c, c, 10, 1, 100, NULL);
    fx_begin(b);
    int64_t id = 1;
    for (int c = 1; c <= 40; c++) {
        const bool treated = c <= 20;
        fx_add(b, fx_row(id++, c, 1, 5));
        fx_add(b, fx_row(id++, c, treated ? 3 : 1, 10));
        const int after = c % 4 + (treated ? 3 : 1);
        for (int k = 0; k < after; k++)
            fx_add(b, fx_row(id++, c, 1, 35 + k));
        if (c <= 10) {
            struct rv_event_in e = {0, c, "churn", fx_ms(50)};
            assert_int_equal(rv_builder_add_event(b, &e, NULL), 0);
        }
    }
    fx_add(b, fx_row(id++, 41, 3, -5));
    fx_add(b, fx_row(id++, 41, 1, 5));
    fx_add(b, fx_row(id++, 41, 1, 10));
    return fx_finish(b);
}

static const struct moments_effect *find(const struct moments_result *r, int64_t type_id,
                                         const struct rv_snapshot *s)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->effects[i].is_type && s->types[r->effects[i].index].id == type_id)
            return &r->effects[i];
    fail_msg("type %lld not in the result", (long long)type_id);
    return NULL;
}

static void spec_for(struct moments_spec *spec, enum moments_outcome o)
{
    moments_spec_init(spec, o);
    spec->period_days = 30;
    spec->window_days = 60;
    spec->from = rv_time_from_ms(fx_ms(0));
    spec->as_of = rv_time_from_ms(fx_ms(90));
    spec->min_treated = 5;
}

static void test_planted_rv(void **state)
{
    (void)state;
    struct rv_snapshot *s = planted();
    struct moments_spec spec;
    spec_for(&spec, MOMENTS_RV);
    struct moments_result r;
    assert_int_equal(moments_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r.periods, 1);
    assert_int_equal(r.contacts, 41);
    const struct moments_effect *e = find(&r, 3, s);
    assert_int_equal(e->treated, 20);
    assert_int_equal(e->matched, 20);
    assert_int_equal(e->controls, 20);
    assert_near(e->mean_treated, 9, 1e-9);
    assert_near(e->mean_controls, 5, 1e-9);
    assert_near(e->effect, 4, 1e-9);
    /* pooled variance (100 + 100) / 38; Var(ATT) = var (20 + 20^2 / 20) / 20^2 */
    const double se = sqrt(200.0 / 38 * 40) / 20;
    assert_near(e->se, se, 1e-9);
    assert_near(e->lo, 4 - 1.959963984540054 * se, 1e-6);
    assert_true(e->tested && e->moment);
    assert_true(e->adj_lo > 0 && e->adj_lo <= e->lo);
    assert_true(r.effects[0].moment); /* moments come first */
    /* everyone had a visit first in the period: no controls, nothing matched */
    const struct moments_effect *v = find(&r, 1, s);
    assert_int_equal(v->matched, 0);
    assert_false(v->tested);
    moments_result_release(&r);

    /* churn: half the treated give notice in the window, none of the controls */
    spec_for(&spec, MOMENTS_CHURN);
    assert_int_equal(moments_compute(s, &spec, &r, NULL), 0);
    e = find(&r, 3, s);
    assert_near(e->effect, 0.5, 1e-9);
    assert_true(e->moment);
    moments_result_release(&r);
    rv_snapshot_free(s);
}

static bool from_six(void *ctx, const struct rv_snapshot *s, size_t c)
{
    (void)ctx;
    return s->cid[c] >= 6;
}

static void test_population_and_errors(void **state)
{
    (void)state;
    struct rv_snapshot *s = planted();
    struct rv_mask m;
    assert_int_equal(rv_mask_from_pred(s, from_six, NULL, &m, NULL), 0);
    struct moments_spec spec;
    spec_for(&spec, MOMENTS_RV);
    spec.population = &m;
    struct moments_result r;
    assert_int_equal(moments_compute(s, &spec, &r, NULL), 0);
    const struct moments_effect *e = find(&r, 3, s);
    /* contacts 6..20 treated: outcome visits (i % 4) + 3 over i = 6..20 */
    double sum = 0;
    for (int i = 6; i <= 20; i++)
        sum += 2 * (i % 4 + 3);
    assert_int_equal(e->treated, 15);
    assert_near(e->mean_treated, sum / 15, 1e-9);
    assert_near(e->mean_controls, 5, 1e-9);
    moments_result_release(&r);
    rv_mask_release(&m);

    /* a window that leaves no period, a bad alpha, NPS without the types' values */
    struct kith_error err = {0};
    spec_for(&spec, MOMENTS_RV);
    spec.window_days = 90;
    assert_int_equal(moments_compute(s, &spec, &r, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "fits"));
    spec_for(&spec, MOMENTS_RV);
    spec.alpha = 1;
    assert_int_equal(moments_compute(s, &spec, &r, &err), KITH_EINVAL);
    spec_for(&spec, MOMENTS_NPS);
    assert_int_equal(moments_compute(s, &spec, &r, &err), KITH_EINVAL);
    rv_snapshot_free(s);
}

/* NPS: the answers' values per type; contacts without an answer in the window are left out. */
static void test_nps_outcome(void **state)
{
    (void)state;
    struct rv_snapshot *s = planted();
    int8_t nps[16];
    for (size_t k = 0; k < s->ntypes; k++)
        nps[k] = MOMENTS_NPS_NONE;
    nps[rv_snapshot_type(s, 1)] = 100; /* a "visit" counts as a promoter's answer here */
    struct moments_spec spec;
    spec_for(&spec, MOMENTS_NPS);
    spec.type_nps = nps;
    struct moments_result r;
    assert_int_equal(moments_compute(s, &spec, &r, NULL), 0);
    const struct moments_effect *e = find(&r, 3, s);
    /* every contact answers 100 after the period: no difference, no variance */
    assert_near(e->effect, 0, 1e-12);
    assert_false(e->moment);
    /* contact 41 has no answer after the period */
    assert_int_equal(r.contacts, 40);
    moments_result_release(&r);
    rv_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bh_by_hand),  cmocka_unit_test(test_bins),
        cmocka_unit_test(test_planted_rv),  cmocka_unit_test(test_population_and_errors),
        cmocka_unit_test(test_nps_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
