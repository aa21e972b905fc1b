/*
 * Tests for src/engine/deals.c: the Wilson interval against published values, win rate per group
 * with a close window on a hand-made set, and the open pipeline with its weighted amounts and
 * stages.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/deals.h"

#define assert_near(a, e, tol) assert_true(fabs((a) - (e)) <= (tol))

static void wilson_matches_published_values(void **state)
{
    (void)state;
    double lo, hi;
    deals_wilson(8, 10, DEALS_WILSON_Z, &lo, &hi); /* 0.4902 .. 0.9433 */
    assert_near(lo, 0.4901625, 1e-6);
    assert_near(hi, 0.9433178, 1e-6);
    deals_wilson(0, 10, DEALS_WILSON_Z, &lo, &hi); /* never below 0 */
    assert_near(lo, 0.0, 1e-12);
    assert_near(hi, 0.2775328, 1e-6);
    deals_wilson(10, 10, DEALS_WILSON_Z, &lo, &hi);
    assert_near(lo, 0.7224672, 1e-6);
    assert_near(hi, 1.0, 1e-12);
    deals_wilson(0, 0, DEALS_WILSON_Z, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
}

/* Two groups; times in ms: 100, 200, 300; one closed deal without a close time. */
static const struct deal_item items[] = {
    {.group = 0, .outcome = DEAL_WON, .amount = 1000, .has_closed = true, .closed_at = 100},
    {.group = 0, .outcome = DEAL_WON, .amount = 500, .has_closed = true, .closed_at = 200},
    {.group = 0, .outcome = DEAL_LOST, .amount = 700, .has_closed = true, .closed_at = 300},
    {.group = 1, .outcome = DEAL_LOST, .amount = 300, .has_closed = true, .closed_at = 100},
    {.group = 1, .outcome = DEAL_WON, .amount = 900, .has_closed = false},
    {.group = 0, .stage = 1, .outcome = DEAL_OPEN, .amount = 2000, .probability = 0.25},
    {.group = 1, .stage = 0, .outcome = DEAL_OPEN, .amount = 1000, .probability = 0.1},
    {.group = 1, .stage = 1, .outcome = DEAL_OPEN, .amount = 400, .probability = 0.5},
};
#define NITEMS (sizeof(items) / sizeof(items[0]))

static void winrate_counts_closed_deals_per_group(void **state)
{
    (void)state;
    struct deals_winrate w[2];
    deals_winrate(items, NITEMS, &(struct deals_window){0}, w, 2);
    assert_int_equal(w[0].won, 2);
    assert_int_equal(w[0].lost, 1);
    assert_int_equal(w[0].won_amount, 1500);
    assert_int_equal(w[0].lost_amount, 700);
    assert_near(w[0].rate, 2.0 / 3.0, 1e-12);
    assert_int_equal(w[1].won, 1); /* no close time: counted without a window */
    assert_int_equal(w[1].lost, 1);
    assert_near(w[1].rate, 0.5, 1e-12);
    double lo, hi;
    deals_wilson(2, 3, DEALS_WILSON_Z, &lo, &hi);
    assert_near(w[0].lo, lo, 1e-15);
    assert_near(w[0].hi, hi, 1e-15);
}

static void winrate_window_is_half_open(void **state)
{
    (void)state;
    struct deals_winrate w[2];
    deals_winrate(items, NITEMS,
                  &(struct deals_window){.has_from = true, .from = 100, .has_to = true, .to = 300},
                  w, 2);
    assert_int_equal(w[0].won, 2); /* 100 and 200 in, 300 out */
    assert_int_equal(w[0].lost, 0);
    assert_near(w[0].rate, 1.0, 1e-12);
    assert_int_equal(w[1].won, 0); /* no close time: out of any window */
    assert_int_equal(w[1].lost, 1);
    assert_near(w[1].rate, 0.0, 1e-12);
    deals_winrate(items, NITEMS, &(struct deals_window){.has_from = true, .from = 250}, w, 2);
    assert_int_equal(w[0].won + w[0].lost, 1);
    assert_int_equal(w[1].won + w[1].lost, 0);
    assert_true(isnan(w[1].rate) && isnan(w[1].lo));
}

static void pipeline_adds_open_deals_and_weights_them(void **state)
{
    (void)state;
    struct deals_pipe p[2], s[4];
    deals_pipeline(items, NITEMS, p, 2, s, 2);
    assert_int_equal(p[0].count, 1);
    assert_int_equal(p[0].amount, 2000);
    assert_near(p[0].weighted, 500.0, 1e-9);
    assert_int_equal(p[1].count, 2);
    assert_int_equal(p[1].amount, 1400);
    assert_near(p[1].weighted, 100.0 + 200.0, 1e-9);
    assert_int_equal(s[0 * 2 + 0].count, 0);
    assert_int_equal(s[0 * 2 + 1].amount, 2000);
    assert_int_equal(s[1 * 2 + 0].amount, 1000);
    assert_near(s[1 * 2 + 1].weighted, 200.0, 1e-9);
    deals_pipeline(items, NITEMS, p, 2, NULL, 0); /* without stages */
    assert_int_equal(p[1].count, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wilson_matches_published_values),
        cmocka_unit_test(winrate_counts_closed_deals_per_group),
        cmocka_unit_test(winrate_window_is_half_open),
        cmocka_unit_test(pipeline_adds_open_deals_and_weights_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
