/*
 * Tests for src/engine/rfm.c: every score combination has exactly the segment the rule table
 * gives it (first match wins), every segment is reachable, quintile ties, and the inputs taken
 * from per-customer values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/rfm.h"

static void segment_rules_first_match(void **state)
{
    (void)state;
    assert_int_equal(rfm_segment_of(5, 5, 5, false), RFM_CHAMPIONS);
    assert_int_equal(rfm_segment_of(4, 4, 4, false), RFM_CHAMPIONS);
    assert_int_equal(rfm_segment_of(5, 5, 5, true), RFM_NEW);       /* new comes first */
    assert_int_equal(rfm_segment_of(4, 1, 1, true), RFM_PROMISING); /* new at R 4: promising */
    assert_int_equal(rfm_segment_of(3, 1, 1, true), RFM_ABOUT_TO_SLEEP);
    assert_int_equal(rfm_segment_of(3, 4, 1, false), RFM_LOYAL);
    assert_int_equal(rfm_segment_of(5, 4, 3, false), RFM_LOYAL);
    assert_int_equal(rfm_segment_of(1, 5, 5, false), RFM_CANT_LOSE);
    assert_int_equal(rfm_segment_of(2, 4, 4, false), RFM_CANT_LOSE);
    assert_int_equal(rfm_segment_of(1, 5, 3, false), RFM_AT_RISK);
    assert_int_equal(rfm_segment_of(2, 3, 1, false), RFM_AT_RISK);
    assert_int_equal(rfm_segment_of(4, 3, 5, false), RFM_POTENTIAL_LOYALIST);
    assert_int_equal(rfm_segment_of(5, 1, 5, false), RFM_PROMISING);
    assert_int_equal(rfm_segment_of(3, 2, 2, false), RFM_NEED_ATTENTION);
    assert_int_equal(rfm_segment_of(3, 1, 5, false), RFM_ABOUT_TO_SLEEP);
    assert_int_equal(rfm_segment_of(2, 2, 5, false), RFM_HIBERNATING);
    assert_int_equal(rfm_segment_of(1, 1, 1, false), RFM_LOST);
    assert_int_equal(rfm_segment_of(1, 2, 5, false), RFM_LOST);
}

static void every_combination_has_a_segment_and_every_segment_occurs(void **state)
{
    (void)state;
    bool seen[RFM_NSEGMENTS] = {false};
    for (int n = 0; n < 2; n++)
        for (int r = 1; r <= 5; r++)
            for (int f = 1; f <= 5; f++)
                for (int m = 1; m <= 5; m++) {
                    enum rfm_segment s = rfm_segment_of(r, f, m, n == 1);
                    assert_true(s >= 0 && s < RFM_NSEGMENTS);
                    if (n == 1 && r == 5)
                        assert_int_equal(s, RFM_NEW);
                    seen[s] = true;
                }
    for (int s = 0; s < RFM_NSEGMENTS; s++) {
        assert_true(seen[s]);
        enum rfm_segment back;
        assert_true(rfm_segment_parse(rfm_segment_name((enum rfm_segment)s), &back));
        assert_int_equal(back, s);
        assert_true(strlen(rfm_segment_rule((enum rfm_segment)s)) > 0);
    }
    enum rfm_segment x;
    assert_false(rfm_segment_parse("vip", &x));
}

static void quintile_scores_with_ties(void **state)
{
    (void)state;
    struct rfm_input in[10];
    struct rfm_score out[10];
    struct kith_error err = {0};
    /* recency 0..9 days (fewer is better), frequency with six ties at 1, monetary 10..100 */
    const uint32_t freq[10] = {1, 1, 1, 1, 1, 1, 2, 3, 4, 5};
    for (int i = 0; i < 10; i++)
        in[i] = (struct rfm_input){
            .recency_days = i, .frequency = freq[i], .monetary = 10.0 * (i + 1), .is_new = false};
    assert_int_equal(rfm_score_all(in, 10, out, &err), 0);
    const uint8_t r[10] = {5, 5, 4, 4, 3, 3, 2, 2, 1, 1};
    const uint8_t f[10] = {1, 1, 1, 1, 1, 1, 4, 4, 5, 5};
    const uint8_t m[10] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    for (int i = 0; i < 10; i++) {
        assert_int_equal(out[i].r, r[i]);
        assert_int_equal(out[i].f, f[i]);
        assert_int_equal(out[i].m, m[i]);
        assert_int_equal(out[i].segment, rfm_segment_of(r[i], f[i], m[i], false));
    }
    /* customer 0: R5 F1 -> promising; customer 9: R1 F5 M5 -> can't lose */
    assert_int_equal(out[0].segment, RFM_PROMISING);
    assert_int_equal(out[9].segment, RFM_CANT_LOSE);
}

/*
 * One customer per segment, from order histories as the value engine sees them: 25 customers,
 * five recencies x five order counts (each held by five customers, so the scores are exactly
 * 1..5), monetary a Latin square. Every one-order customer with R 3-5 ordered within the 90-day
 * new window: before "new" was limited to R 5 it took them all, and no customer was "promising"
 * or "about_to_sleep".
 */
static void a_book_with_one_customer_per_segment(void **state)
{
    (void)state;
    enum { N = 25, AS_OF = 1000 };
    const int32_t recency[5] = {400, 200, 60, 30, 10}; /* R 1..5 */
    struct value_customer c[N];
    for (int r = 1; r <= 5; r++)
        for (int f = 1; f <= 5; f++) {
            const int i = (r - 1) * 5 + (f - 1);
            const int32_t last = AS_OF - recency[r - 1];
            c[i] = (struct value_customer){
                .account_id = i + 1,
                .first_day = f == 1 ? last : AS_OF - 500, /* repeat buyers are old customers */
                .last_day = last,
                .orders = (uint32_t)f,
                .to_date = 100.0 * ((r - 1 + f - 1) % 5 + 1),
            };
        }
    struct value_result res = {.n = N, .c = c, .as_of_day = AS_OF};
    struct rfm_input in[N];
    struct rfm_score out[N];
    struct kith_error err = {0};
    rfm_inputs_from_values(&res, 90, in);
    assert_int_equal(rfm_score_all(in, N, out, &err), 0);
    size_t count[RFM_NSEGMENTS] = {0};
    for (int i = 0; i < N; i++) {
        assert_int_equal(out[i].r, i / 5 + 1);
        assert_int_equal(out[i].f, i % 5 + 1);
        count[out[i].segment]++;
    }
    for (int s = 0; s < RFM_NSEGMENTS; s++) {
        if (count[s] == 0)
            fail_msg("no customer is %s", rfm_segment_name((enum rfm_segment)s));
    }
    /* (R, F) -> segment: the one-order customers of the new window */
    assert_int_equal(out[4 * 5 + 0].segment, RFM_NEW);            /* R 5, F 1 */
    assert_int_equal(out[3 * 5 + 0].segment, RFM_PROMISING);      /* R 4, F 1, new */
    assert_int_equal(out[2 * 5 + 0].segment, RFM_ABOUT_TO_SLEEP); /* R 3, F 1, new */
}

static void inputs_from_values(void **state)
{
    (void)state;
    struct value_customer c[2] = {
        {.account_id = 1, .first_day = 100, .last_day = 150, .orders = 3, .to_date = 12.5},
        {.account_id = 2, .first_day = 190, .last_day = 190, .orders = 1, .to_date = 4},
    };
    struct value_result r = {.n = 2, .c = c, .as_of_day = 200};
    struct rfm_input in[2];
    rfm_inputs_from_values(&r, 90, in);
    assert_int_equal(in[0].recency_days, 50);
    assert_int_equal(in[0].frequency, 3);
    assert_true(in[0].monetary == 12.5);
    assert_false(in[0].is_new); /* first order 100 days ago */
    assert_int_equal(in[1].recency_days, 10);
    assert_true(in[1].is_new);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(segment_rules_first_match),
        cmocka_unit_test(every_combination_has_a_segment_and_every_segment_occurs),
        cmocka_unit_test(quintile_scores_with_ties),
        cmocka_unit_test(a_book_with_one_customer_per_segment),
        cmocka_unit_test(inputs_from_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
