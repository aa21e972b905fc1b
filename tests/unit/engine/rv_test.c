/*
 * Tests for src/engine/rv.c against hand-computed expectations: cumulative RV at a time, levels
 * from triggers (a voided trigger does not count), stages from the level's phase, the half-life
 * strength, patterns by age, and the edge cases: no interactions, all-negative RV, equal times.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/rv.h"
#include "support/rvfixture.h"

static size_t contact(const struct rv_snapshot *s, int64_t id)
{
    int32_t c = rv_snapshot_contact(s, id);
    assert_true(c >= 0);
    return (size_t)c;
}

static void state(const struct rv_snapshot *s, int64_t id, double day, struct rv_contact_state *st)
{
    rv_contact_state_at(s, contact(s, id), rv_time_from_ms(fx_ms(day)), st);
}

static void test_times_round_trip(void **state_)
{
    (void)state_;
    assert_int_equal(rv_time_from_ms(RV_EPOCH_S * 1000), 0);
    assert_int_equal(rv_time_from_ms(RV_EPOCH_S * 1000 + 1999), 1);
    /* before 1970: floor, not truncation */
    assert_int_equal(rv_time_from_ms(-1), -1 - (int32_t)RV_EPOCH_S);
    assert_true(rv_time_to_ms(rv_time_from_ms(fx_ms(3))) == fx_ms(3));
    /* out of range clamps */
    assert_int_equal(rv_time_from_ms(INT64_MAX / 2), RV_TIME_MAX);
    assert_int_equal(rv_time_from_ms(-INT64_MAX / 2), RV_TIME_MIN);
}

static void test_contact_without_interactions(void **state_)
{
    (void)state_;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_begin(b);
    struct rv_snapshot *s = fx_finish(b);
    struct rv_contact_state st;
    state(s, 1, 100, &st);
    assert_int_equal(st.rv, 0);
    assert_int_equal(st.ncounted, 0);
    assert_int_equal(st.level, 0);
    assert_int_equal(st.stage, RV_STAGE_NONE);
    assert_int_equal(st.first, RV_TIME_MAX);
    assert_true(rv_strength(s, 0, fx_ms(100), 30) == 0);
    int64_t v[4];
    size_t n = 99;
    assert_int_equal(rv_pattern(s, 0, fx_ms(100), 7, v, 4, &n, NULL), 0);
    assert_int_equal(n, 0);
    /* the stored state agrees */
    assert_int_equal(s->rv_total[0], 0);
    assert_int_equal(s->level[0], 0);
    rv_snapshot_free(s);
}

static void test_cumulative_rv_at_times(void **state_)
{
    (void)state_;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_begin(b);
    fx_add(b, fx_row(11, 1, 1, 0));  /* +2 */
    fx_add(b, fx_row(12, 1, 3, 10)); /* +8 */
    fx_add(b, fx_row(13, 1, 5, 20)); /* -6 */
    struct rv_interaction_in r = fx_row(14, 1, 1, 30);
    r.has_rv = true; /* recorded RV wins over the type's */
    r.rv = 7;
    fx_add(b, r);
    struct rv_snapshot *s = fx_finish(b);
    struct rv_contact_state st;
    state(s, 1, -1, &st);
    assert_int_equal(st.rv, 0);
    state(s, 1, 0, &st); /* at the instant itself: included */
    assert_int_equal(st.rv, 2);
    state(s, 1, 15, &st);
    assert_int_equal(st.rv, 10);
    state(s, 1, 25, &st);
    assert_int_equal(st.rv, 4);
    state(s, 1, 1000, &st);
    assert_int_equal(st.rv, 11);
    assert_int_equal(st.ncounted, 4);
    assert_int_equal(st.first, rv_time_from_ms(fx_ms(0)));
    assert_int_equal(st.last, rv_time_from_ms(fx_ms(30)));
    assert_int_equal(s->rv_total[0], 11);
    /* the cost: recorded when given, else the type's (cents) */
    assert_int_equal(s->cost[0], 100);
    assert_int_equal(s->cost[1], 300);
    rv_snapshot_free(s);
}

static void test_all_negative_rv(void **state_)
{
    (void)state_;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_begin(b);
    for (int i = 0; i < 4; i++)
        fx_add(b, fx_row(20 + i, 1, 5, 7.0 * i)); /* -6 weekly */
    struct rv_snapshot *s = fx_finish(b);
    struct rv_contact_state st;
    state(s, 1, 100, &st);
    assert_int_equal(st.rv, -24);
    assert_int_equal(st.level, 1); /* interactions but no trigger: the first level */
    assert_int_equal(st.stage, RV_STAGE_ACQUISITION);
    int64_t v[8];
    size_t n;
    /* days 0, 7, 14, 21 (and 28 at as_of day 28): -6, -12, -18, -24, -24 */
    assert_int_equal(rv_pattern(s, 0, fx_ms(28), 7, v, 8, &n, NULL), 0);
    assert_int_equal(n, 5);
    const int64_t want[] = {-6, -12, -18, -24, -24};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(v[i], want[i]);
    /* a smaller cap still reports the full count */
    assert_int_equal(rv_pattern(s, 0, fx_ms(28), 7, v, 2, &n, NULL), 0);
    assert_int_equal(n, 5);
    assert_int_equal(rv_pattern(s, 0, fx_ms(28), 0, v, 2, &n, NULL), KITH_EINVAL);
    rv_snapshot_free(s);
}

static void test_levels_and_stages(void **state_)
{
    (void)state_;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_contact(b, 2, 0, 10, 1, 100, NULL);
    fx_begin(b);
    fx_add(b, fx_row(1, 1, 1, 0));
    fx_add(b, fx_row(2, 1, 2, 5));  /* trigger level 1 -> level 2 */
    fx_add(b, fx_row(3, 1, 4, 10)); /* trigger level 2 -> level 3 */
    fx_add(b, fx_row(4, 1, 6, 20)); /* trigger level 3: the top, stays 3 */
    /* contact 2 skips: a level-2 trigger first puts it at 3 at once */
    fx_add(b, fx_row(5, 2, 4, 0));
    struct rv_snapshot *s = fx_finish(b);
    assert_int_equal(s->nlevels, 3);
    assert_int_equal(s->level_phase[1], RV_STAGE_ACQUISITION);
    assert_int_equal(s->level_phase[2], RV_STAGE_CLOSING);
    assert_int_equal(s->level_phase[3], RV_STAGE_RETENTION);
    struct rv_contact_state st;
    state(s, 1, 1, &st);
    assert_int_equal(st.level, 1);
    assert_int_equal(st.stage, RV_STAGE_ACQUISITION);
    state(s, 1, 5, &st);
    assert_int_equal(st.level, 2);
    assert_int_equal(st.stage, RV_STAGE_CLOSING);
    state(s, 1, 12, &st);
    assert_int_equal(st.level, 3);
    assert_int_equal(st.stage, RV_STAGE_RETENTION);
    state(s, 1, 30, &st);
    assert_int_equal(st.level, 3);
    state(s, 2, 0, &st);
    assert_int_equal(st.level, 3);
    assert_string_equal(rv_stage_name(st.stage), "retention");
    assert_int_equal(rv_stage_from_name("closing"), RV_STAGE_CLOSING);
    assert_int_equal(rv_stage_from_name("nonsense"), RV_STAGE_NONE);
    rv_snapshot_free(s);
}

static void test_voided_trigger_does_not_count(void **state_)
{
    (void)state_;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_begin(b);
    fx_add(b, fx_row(1, 1, 1, 0)); /* +2 */
    fx_add(b, fx_row(2, 1, 4, 3)); /* contract trigger, +20 ... */
    struct rv_interaction_in v = fx_row(3, 1, 1, 4);
    v.voids_id = 2; /* ... voided by a correction the next day */
    fx_add(b, v);
    fx_add(b, fx_row(4, 1, 3, 6)); /* +8 */
    struct rv_snapshot *s = fx_finish(b);
    struct rv_contact_state st;
    state(s, 1, 10, &st);
    assert_int_equal(st.rv, 10); /* 2 + 8: the voided and the voiding both out */
    assert_int_equal(st.ncounted, 2);
    assert_int_equal(st.level, 1); /* the voided trigger moves nothing */
    /* even before the correction's own time: a voided interaction never counted */
    state(s, 1, 3.5, &st);
    assert_int_equal(st.rv, 2);
    assert_int_equal(st.level, 1);
    assert_int_equal(s->flags[1], RV_VOIDED);
    assert_int_equal(s->flags[2], RV_VOIDING);
    rv_snapshot_free(s);
}

static void test_equal_timestamps(void **state_)
{
    (void)state_;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_begin(b);
    /* added out of order, three at one instant: the run is ordered by (time, id) */
    fx_add(b, fx_row(9, 1, 3, 7));
    fx_add(b, fx_row(7, 1, 1, 7));
    fx_add(b, fx_row(8, 1, 2, 7));
    fx_add(b, fx_row(3, 1, 1, 0));
    struct rv_snapshot *s = fx_finish(b);
    assert_int_equal(s->iid[0], 3);
    assert_int_equal(s->iid[1], 7);
    assert_int_equal(s->iid[2], 8);
    assert_int_equal(s->iid[3], 9);
    struct rv_contact_state st;
    state(s, 1, 7, &st); /* all three at day 7 are in */
    assert_int_equal(st.rv, 2 + 2 + 5 + 8);
    assert_int_equal(st.level, 2);
    int64_t v[4];
    size_t n;
    assert_int_equal(rv_pattern(s, 0, fx_ms(7), 7, v, 4, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0], 2);
    assert_int_equal(v[1], 17);
    rv_snapshot_free(s);
}

static void test_strength_half_life(void **state_)
{
    (void)state_;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_begin(b);
    fx_add(b, fx_row(1, 1, 4, 0));  /* 20 */
    fx_add(b, fx_row(2, 1, 3, 30)); /* 8 */
    struct rv_snapshot *s = fx_finish(b);
    /* at day 60 with a 30-day half-life: 20/4 + 8/2 = 9 */
    assert_true(fabs(rv_strength(s, 0, fx_ms(60), 30) - 9) < 1e-9);
    /* at day 30: 20/2 + 8 = 18; interactions after as_of do not count */
    assert_true(fabs(rv_strength(s, 0, fx_ms(30), 30) - 18) < 1e-9);
    assert_true(fabs(rv_strength(s, 0, fx_ms(10), 30) - 20 * pow(2, -10.0 / 30)) < 1e-9);
    rv_snapshot_free(s);
}

static void test_compute_all_matches_each(void **state_)
{
    (void)state_;
    struct rv_builder *b = fx_builder();
    for (int c = 1; c <= 50; c++)
        fx_contact(b, c, 0, c % 2 ? 10 : 20, 1, 100, NULL);
    fx_begin(b);
    int64_t id = 1;
    for (int c = 1; c <= 50; c++)
        for (int k = 0; k < c % 7; k++)
            fx_add(b, fx_row(id++, c, 1 + (c + k) % 6, c + 3 * k));
    struct rv_snapshot *s = fx_finish(b);
    struct rv_contact_state out[50];
    struct rv_mask m = {0};
    assert_int_equal(rv_compute(s, fx_ms(40), NULL, 2, out, NULL), 0);
    for (size_t c = 0; c < s->nc; c++) {
        struct rv_contact_state st;
        rv_contact_state_at(s, c, rv_time_from_ms(fx_ms(40)), &st);
        assert_int_equal(st.rv, out[c].rv);
        assert_int_equal(st.first, out[c].first);
        assert_int_equal(st.last, out[c].last);
        assert_int_equal(st.ncounted, out[c].ncounted);
        assert_int_equal(st.level, out[c].level);
        assert_int_equal(st.stage, out[c].stage);
    }
    /* a mask leaves the others empty */
    assert_int_equal(rv_mask_scope(s, false, 0, 20, 0, &m, NULL), 0);
    assert_int_equal(rv_compute(s, fx_ms(40), &m, 1, out, NULL), 0);
    for (size_t c = 0; c < s->nc; c++) {
        if (s->cid[c] % 2)
            assert_int_equal(out[c].ncounted, 0);
    }
    rv_mask_release(&m);
    rv_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times_round_trip),
        cmocka_unit_test(test_contact_without_interactions),
        cmocka_unit_test(test_cumulative_rv_at_times),
        cmocka_unit_test(test_all_negative_rv),
        cmocka_unit_test(test_levels_and_stages),
        cmocka_unit_test(test_voided_trigger_does_not_count),
        cmocka_unit_test(test_equal_timestamps),
        cmocka_unit_test(test_strength_half_life),
        cmocka_unit_test(test_compute_all_matches_each),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
