/*
 * Tests for src/engine/voice.c: which scores count as promoters, passives and detractors, NPS
 * and its interval against the multinomial variance computed here from first principles (the
 * mean and variance of the per-answer values +1 / 0 / -1), CSAT against the Wilson bounds of
 * the share satisfied, and what a tally without answers shows.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/deals.h"
#include "engine/voice.h"

#define assert_near(a, e, tol) assert_true(fabs((a) - (e)) <= (tol))

static void scores_fall_into_their_classes(void **state)
{
    (void)state;
    struct voice_tally t = {0};
    for (int s = 0; s <= 10; s++)
        voice_tally_add(&t, s, 0);
    assert_int_equal(t.nps_n, 11);
    assert_int_equal(t.detractors, 7); /* 0..6 */
    assert_int_equal(t.passives, 2);   /* 7, 8 */
    assert_int_equal(t.promoters, 2);  /* 9, 10 */
    assert_int_equal(t.csat_n, 0);
    voice_tally_add(&t, -1, 3); /* no NPS: a CSAT answer only */
    voice_tally_add(&t, 11, 4); /* out of range: not an NPS answer */
    voice_tally_add(&t, -1, 6); /* out of range: not a CSAT answer */
    assert_int_equal(t.nps_n, 11);
    assert_int_equal(t.csat_n, 2);
    assert_int_equal(t.satisfied, 1);
    assert_int_equal(t.csat_sum, 7);
}

/* NPS and its interval from the answers' values v = +1 (promoter), 0, -1 (detractor). */
static void nps_is_the_mean_of_plus_minus_one(void **state)
{
    (void)state;
    const int scores[] = {10, 9, 9, 8, 7, 6, 3, 10, 0, 9, 5, 8, 9};
    const size_t n = sizeof(scores) / sizeof(scores[0]);
    struct voice_tally t = {0};
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++) {
        voice_tally_add(&t, scores[i], 0);
        const double v = scores[i] >= 9 ? 1 : scores[i] >= 7 ? 0 : -1;
        sum += v;
        sum2 += v * v;
    }
    const double mean = sum / (double)n, var = (sum2 / (double)n - mean * mean) / (double)n;
    struct voice_figures f;
    voice_figures_of(&t, VOICE_Z, &f);
    assert_near(f.nps, 100 * mean, 1e-9);
    assert_near(f.nps_lo, 100 * (mean - VOICE_Z * sqrt(var)), 1e-9);
    assert_near(f.nps_hi, 100 * (mean + VOICE_Z * sqrt(var)), 1e-9);
    assert_true(isnan(f.csat) && isnan(f.csat_lo) && isnan(f.csat_mean));
}

static void nps_interval_stays_within_bounds(void **state)
{
    (void)state;
    struct voice_tally t = {0};
    voice_tally_add(&t, 10, 0);
    voice_tally_add(&t, 10, 0);
    voice_tally_add(&t, 6, 0); /* wide interval near +100 */
    struct voice_figures f;
    voice_figures_of(&t, VOICE_Z, &f);
    assert_true(f.nps_hi <= 100 && f.nps_lo >= -100);
    assert_true(f.nps_lo < f.nps && f.nps < f.nps_hi);
    struct voice_tally all = {.nps_n = 4, .promoters = 4};
    voice_figures_of(&all, VOICE_Z, &f);
    assert_near(f.nps, 100, 1e-12); /* no spread: the interval is the point */
    assert_near(f.nps_lo, 100, 1e-12);
    assert_near(f.nps_hi, 100, 1e-12);
}

static void csat_is_the_share_satisfied_with_wilson(void **state)
{
    (void)state;
    const int scores[] = {5, 4, 3, 2, 5, 1, 4, 4};
    struct voice_tally t = {0};
    int satisfied = 0, sum = 0;
    for (size_t i = 0; i < 8; i++) {
        voice_tally_add(&t, -1, scores[i]);
        satisfied += scores[i] >= 4;
        sum += scores[i];
    }
    struct voice_figures f;
    voice_figures_of(&t, VOICE_Z, &f);
    double lo, hi;
    deals_wilson(satisfied, 8, VOICE_Z, &lo, &hi);
    assert_near(f.csat, 100.0 * satisfied / 8, 1e-9);
    assert_near(f.csat_lo, 100 * lo, 1e-9);
    assert_near(f.csat_hi, 100 * hi, 1e-9);
    assert_near(f.csat_mean, sum / 8.0, 1e-12);
    assert_true(isnan(f.nps) && isnan(f.nps_lo) && isnan(f.nps_hi));
}

static void merge_adds_the_counts(void **state)
{
    (void)state;
    struct voice_tally a = {0}, b = {0}, both = {0};
    const int n1[] = {10, 2, 7}, c1[] = {5, 0, 3}, n2[] = {-1, 9}, c2[] = {1, 4};
    for (size_t i = 0; i < 3; i++) {
        voice_tally_add(&a, n1[i], c1[i]);
        voice_tally_add(&both, n1[i], c1[i]);
    }
    for (size_t i = 0; i < 2; i++) {
        voice_tally_add(&b, n2[i], c2[i]);
        voice_tally_add(&both, n2[i], c2[i]);
    }
    voice_tally_merge(&a, &b);
    assert_memory_equal(&a, &both, sizeof(a));
}

/* The tally of a histogram is that of its answers one by one. */
static void hist_tallies_as_the_answers(void **state)
{
    (void)state;
    struct voice_hist h = {{0}, {0}};
    struct voice_tally one = {0}, of_hist;
    for (int i = 0; i < 200; i++) {
        const int nps = (i * 7) % 13 - 1, csat = (i * 5) % 7; /* some out of range: none */
        voice_tally_add(&one, nps, csat);
        if (nps >= 0 && nps <= 10)
            h.nps[nps]++;
        if (csat >= 1 && csat <= 5)
            h.csat[csat - 1]++;
    }
    voice_tally_of_hist(&h, &of_hist);
    assert_memory_equal(&one, &of_hist, sizeof(one));
    assert_true(one.nps_n > 0 && one.promoters > 0 && one.csat_n > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scores_fall_into_their_classes),
        cmocka_unit_test(nps_is_the_mean_of_plus_minus_one),
        cmocka_unit_test(nps_interval_stays_within_bounds),
        cmocka_unit_test(csat_is_the_share_satisfied_with_wilson),
        cmocka_unit_test(merge_adds_the_counts),
        cmocka_unit_test(hist_tallies_as_the_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
