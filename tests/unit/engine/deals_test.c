/*
 * Tests for src/engine/deals.c and deals_flow.c: the Wilson interval against published values,
 * win rate per group with a close window on a hand-made set, the open pipeline with its weighted
 * amounts and stages, the forecast's categories, conversion and days in stage from a hand-made
 * history, the sales cycle, management chains with a cycle, and quota attainment.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

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

static void forecast_splits_by_probability_and_quarter(void **state)
{
    (void)state;
    const struct deal_item it[] = {
        {.group = 0,
         .outcome = DEAL_OPEN,
         .amount = 1000,
         .probability = 0.7,
         .has_expected = true,
         .expected_at = 100},
        {.group = 0,
         .outcome = DEAL_OPEN,
         .amount = 2000,
         .probability = 0.4,
         .has_expected = true,
         .expected_at = 199},
        {.group = 0,
         .outcome = DEAL_OPEN,
         .amount = 4000,
         .probability = 0.39,
         .has_expected = true,
         .expected_at = 150},
        {.group = 0,
         .outcome = DEAL_OPEN,
         .amount = 8000,
         .probability = 0.9,
         .has_expected = true,
         .expected_at = 200}, /* after the quarter */
        {.group = 0, .outcome = DEAL_OPEN, .amount = 8000, .probability = 0.9}, /* no date */
        {.group = 1, .outcome = DEAL_WON, .amount = 300, .has_closed = true, .closed_at = 120},
        {.group = 1, .outcome = DEAL_WON, .amount = 300, .has_closed = true, .closed_at = 99},
        {.group = 1, .outcome = DEAL_LOST, .amount = 300, .has_closed = true, .closed_at = 120},
    };
    const struct deals_window q = {true, true, 100, 200};
    const struct deals_categories c = {0.7, 0.4};
    struct deals_forecast f[2];
    deals_forecast(it, sizeof(it) / sizeof(it[0]), &q, &c, f, 2);
    assert_int_equal(f[0].expected.count, 3);
    assert_int_equal(f[0].expected.amount, 7000);
    assert_near(f[0].expected.weighted, 700 + 800 + 1560, 1e-9);
    assert_int_equal(f[0].commit.amount, 1000); /* >= 0.7 */
    assert_int_equal(f[0].best_case.amount, 2000);
    assert_int_equal(f[0].pipeline.amount, 4000);
    assert_int_equal(f[1].won, 1);
    assert_int_equal(f[1].won_amount, 300);
    assert_int_equal(f[1].expected.count, 0);
}

/*
 * Stages: 0 A (1), 1 B (2), 2 C (3) open; 3 Won (4); 4 Lost (5). Deal 0: A@0 B@10d C@12d Won@15d
 * (created 0, closed 15d); deal 1: A@0 B@4d A@5d Lost@9d (created 0, closed 9d); deal 2: B@0 C@2d
 * B@3d C@5d (open, created 0); deal 3: C (created 100d: outside the window).
 */
static void conversion_follows_each_history(void **state)
{
    (void)state;
    const int64_t d = 86400000;
    struct deal_stage_rec stages[] = {{1, "A", 1, 0.1, DEAL_OPEN},
                                      {2, "B", 2, 0.3, DEAL_OPEN},
                                      {3, "C", 3, 0.6, DEAL_OPEN},
                                      {4, "Won", 4, 1, DEAL_WON},
                                      {5, "Lost", 5, 0, DEAL_LOST}};
    struct deal_change_rec ch[] = {
        {DEAL_NO_STAGE, 0, 0},       {0, 1, 10 * d}, {1, 2, 12 * d}, {2, 3, 15 * d}, /* deal 0 */
        {DEAL_NO_STAGE, 0, 0},       {0, 1, 4 * d},  {1, 0, 5 * d},  {0, 4, 9 * d},  /* deal 1 */
        {DEAL_NO_STAGE, 1, 0},       {1, 2, 2 * d},  {2, 1, 3 * d},  {1, 2, 5 * d},  /* deal 2 */
        {DEAL_NO_STAGE, 2, 100 * d},                                                 /* deal 3 */
    };
    struct deal_rec deals[] = {
        {.id = 1,
         .stage = 3,
         .outcome = DEAL_WON,
         .has_closed = true,
         .closed_at = 15 * d,
         .change0 = 0,
         .nchanges = 4},
        {.id = 2,
         .stage = 4,
         .outcome = DEAL_LOST,
         .has_closed = true,
         .closed_at = 9 * d,
         .change0 = 4,
         .nchanges = 4},
        {.id = 3, .stage = 2, .outcome = DEAL_OPEN, .change0 = 8, .nchanges = 4},
        {.id = 4,
         .stage = 2,
         .outcome = DEAL_OPEN,
         .created_at = 100 * d,
         .change0 = 12,
         .nchanges = 1},
    };
    const struct deal_data data = {
        .stages = stages, .nstages = 5, .deals = deals, .n = 4, .changes = ch, .nchanges = 13};
    struct deal_item it[4];
    for (size_t i = 0; i < 4; i++)
        it[i] = (struct deal_item){.group = 0,
                                   .deal = i,
                                   .outcome = deals[i].outcome,
                                   .has_closed = deals[i].has_closed,
                                   .closed_at = deals[i].closed_at,
                                   .created_at = deals[i].created_at};
    const struct deals_window created = {false, true, 0, 50 * d}, closed = {0};
    struct deals_conv_cell cells[5];
    struct deals_cycle won, lost;
    struct kith_error err = {0};
    assert_int_equal(deals_conversion(it, 4, &data, &created, &closed, cells, &won, &lost, 1, &err),
                     0);
    /* A: deals 0, 1; both go on to B (higher); only deal 0 wins */
    assert_int_equal(cells[0].reached, 2);
    assert_int_equal(cells[0].advanced, 2);
    assert_int_equal(cells[0].won, 1);
    /* A's stays: 10 d (deal 0), 4 d and 4 d (deal 1: A@0-4, A@5-9) */
    assert_int_equal(cells[0].stays, 3);
    assert_near(cells[0].median_days, 4, 1e-9);
    /* B: deals 0, 1, 2; 0 and 2 go on to C, 1 falls back to A and is lost */
    assert_int_equal(cells[1].reached, 3);
    assert_int_equal(cells[1].advanced, 2);
    assert_int_equal(cells[1].won, 1);
    /* C: deals 0 and 2 (deal 3 was created outside the window); 2 goes back to B and returns to
     * C only, which is no later stage */
    assert_int_equal(cells[2].reached, 2);
    assert_int_equal(cells[2].advanced, 1);
    assert_int_equal(cells[2].stays, 2); /* 3 d (deal 0), 1 d (deal 2); its last C is open */
    assert_near(cells[2].median_days, 2, 1e-9);
    assert_int_equal(cells[3].reached, 0); /* won and lost stages are not counted */
    assert_int_equal(won.n, 1);
    assert_near(won.median_days, 15, 1e-9);
    assert_int_equal(lost.n, 1);
    assert_near(lost.mean_days, 9, 1e-9);
}

static void org_walks_chains_once_and_finds_cycles(void **state)
{
    (void)state;
    /* 0 is the top; 1, 2 report to 0; 3 to 1; 4 and 5 manage each other; 6 reports to 4 */
    const size_t mgr[] = {DEALS_NONE, 0, 0, 1, 5, 4, 4};
    struct deals_org org;
    struct kith_error err = {0};
    assert_int_equal(deals_org_build(mgr, 7, &org, &err), 0);
    assert_int_equal(org.above0[4] - org.above0[3], 2); /* 3: 1, 0 */
    assert_int_equal(org.above[org.above0[3]], 1);
    assert_int_equal(org.above[org.above0[3] + 1], 0);
    assert_int_equal(org.above0[1] - org.above0[0], 0);
    assert_int_equal(org.above0[7] - org.above0[6], 2); /* 6: 4, 5, and not 4 again */
    assert_int_equal(org.above0[5] - org.above0[4], 1); /* 4: 5 */
    assert_true(org.manages[0] && org.manages[1] && org.manages[4] && org.manages[5]);
    assert_false(org.manages[2] || org.manages[3] || org.manages[6]);
    assert_int_equal(org.ncycles, 1);
    assert_int_equal(org.cycle0[1], 2);
    assert_int_equal(org.cycle[0], 4);
    assert_int_equal(org.cycle[1], 5);
    deals_org_release(&org);
    const size_t self[] = {0}; /* a user who is their own manager */
    assert_int_equal(deals_org_build(self, 1, &org, &err), 0);
    assert_int_equal(org.ncycles, 1);
    assert_int_equal(org.above0[1], 0);
    deals_org_release(&org);
}

static void quota_counts_the_owners_wins_in_the_period(void **state)
{
    (void)state;
    const struct deal_item it[] = {
        {.group = 0, .outcome = DEAL_WON, .amount = 100, .has_closed = true, .closed_at = 10},
        {.group = 0, .outcome = DEAL_WON, .amount = 200, .has_closed = true, .closed_at = 20},
        {.group = 0, .outcome = DEAL_LOST, .amount = 400, .has_closed = true, .closed_at = 15},
        {.group = 1, .outcome = DEAL_WON, .amount = 800, .has_closed = true, .closed_at = 15},
        {.group = 0, .outcome = DEAL_OPEN, .amount = 1600},
    };
    struct deals_quota_won q[] = {{.owner = 0, .start = 10, .end = 20},
                                  {.owner = 1, .start = 0, .end = 100},
                                  {.owner = 2, .start = 0, .end = 100},
                                  {.owner = DEALS_NONE, .start = 0, .end = 100}};
    struct kith_error err = {0};
    assert_int_equal(deals_quota_attainment(it, 5, 3, q, 4, &err), 0);
    assert_int_equal(q[0].won, 1); /* 20 is the end: out */
    assert_int_equal(q[0].won_amount, 100);
    assert_int_equal(q[1].won_amount, 800);
    assert_int_equal(q[2].won, 0);
    assert_int_equal(q[3].won, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wilson_matches_published_values),
        cmocka_unit_test(winrate_counts_closed_deals_per_group),
        cmocka_unit_test(winrate_window_is_half_open),
        cmocka_unit_test(pipeline_adds_open_deals_and_weights_them),
        cmocka_unit_test(forecast_splits_by_probability_and_quarter),
        cmocka_unit_test(conversion_follows_each_history),
        cmocka_unit_test(org_walks_chains_once_and_finds_cycles),
        cmocka_unit_test(quota_counts_the_owners_wins_in_the_period),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
