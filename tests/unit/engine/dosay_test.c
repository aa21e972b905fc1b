/*
 * Tests for src/engine/dosay.c: each rule at and around its threshold (NPS 9 and 6, RV 0, one
 * sale, a churn), the behaviour after an answer on a small snapshot (voids, returns, an account's
 * sale and churn, the window's ends), and an intent met by a product, a category, an account's
 * sale, or missed by a day.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/dosay.h"
#include "support/rvfixture.h"

static void nps_rules_at_thresholds(void **state)
{
    (void)state;
    struct dosay_behaviour b = {.rv = -1, .sales = 0, .churned = RV_TIME_MAX};
    assert_int_equal(dosay_nps_rules(9, &b), 1u << DOSAY_PROMOTER_FALLING);
    assert_int_equal(dosay_nps_rules(8, &b), 0);
    b.rv = 0;
    assert_int_equal(dosay_nps_rules(10, &b), 0);
    b.churned = 100;
    assert_int_equal(dosay_nps_rules(10, &b), 1u << DOSAY_PROMOTER_CHURNED);
    b.churned = RV_TIME_MAX;
    b.sales = 1;
    assert_int_equal(dosay_nps_rules(6, &b), 1u << DOSAY_DETRACTOR_BUYING);
    assert_int_equal(dosay_nps_rules(7, &b), 0);
    assert_int_equal(dosay_nps_rules(0, &b), 1u << DOSAY_DETRACTOR_BUYING);
    assert_int_equal(dosay_nps_rules(-1, &b), 0); /* no NPS */
    b.sales = 0;
    assert_int_equal(dosay_nps_rules(3, &b), 0);
    b.rv = -5;
    b.churned = 7;
    assert_int_equal(dosay_nps_rules(9, &b),
                     (1u << DOSAY_PROMOTER_FALLING) | (1u << DOSAY_PROMOTER_CHURNED));
}

/* c1 (account 1001): visit d1 (+2), complaint d3 (-6), demo d5 voided d6; c2 (1001), c3 (1002).
 * Orders: c1 sale d2, c1 return d4, account 1001 sale naming no contact d7, c2 sale d8.
 * Churn: account 1001 (no contact) d9. */
static struct rv_snapshot *small(void)
{
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 1001, 10, 1, 100, NULL);
    fx_contact(b, 2, 1001, 10, 1, 100, NULL);
    fx_contact(b, 3, 1002, 10, 1, 100, NULL);
    fx_begin(b);
    fx_add(b, fx_row(1, 1, 1, 1));
    fx_add(b, fx_row(2, 1, 5, 3));
    fx_add(b, fx_row(3, 1, 3, 5));
    struct rv_interaction_in v = fx_row(4, 1, 1, 6);
    v.voids_id = 3;
    fx_add(b, v);
    const struct rv_order_in orders[] = {
        {1001, 1, fx_ms(2), 100, 10, false},
        {1001, 1, fx_ms(4), -100, -10, true},
        {1001, 0, fx_ms(7), 100, 10, false},
        {1001, 2, fx_ms(8), 100, 10, false},
    };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(rv_builder_add_order(b, &orders[i], NULL), 0);
    const struct rv_event_in e = {0, 1001, "churn", fx_ms(9)};
    assert_int_equal(rv_builder_add_event(b, &e, NULL), 0);
    return fx_finish(b);
}

static void behaviour_after_an_answer(void **state)
{
    (void)state;
    struct rv_snapshot *s = small();
    const size_t c1 = (size_t)rv_snapshot_contact(s, 1), c3 = (size_t)rv_snapshot_contact(s, 3);
    struct dosay_behaviour b;
    struct dosay_index ix;
    assert_int_equal(dosay_index_build(s, &ix, NULL), 0);
    dosay_behaviour_of(s, &ix, c1, rv_time_from_ms(fx_ms(0)), rv_time_from_ms(fx_ms(10)), &b);
    assert_int_equal(b.rv, 2 - 6); /* the voided demo and its void do not count */
    assert_int_equal(b.interactions, 2);
    assert_int_equal(b.sales, 2); /* its sale and its account's; not the return */
    assert_int_equal(b.churned, rv_time_from_ms(fx_ms(9)));
    /* (after, as_of]: an interaction at `after` is not after it; one at as_of is */
    dosay_behaviour_of(s, &ix, c1, rv_time_from_ms(fx_ms(1)), rv_time_from_ms(fx_ms(3)), &b);
    assert_int_equal(b.rv, -6);
    assert_int_equal(b.sales, 1);
    assert_int_equal(b.churned, RV_TIME_MAX);
    dosay_behaviour_of(s, &ix, c3, rv_time_from_ms(fx_ms(0)), rv_time_from_ms(fx_ms(10)), &b);
    assert_int_equal(b.rv, 0);
    assert_int_equal(b.sales, 0);
    assert_int_equal(b.churned, RV_TIME_MAX);
    dosay_index_release(&ix);
    rv_snapshot_free(s);
}

static void intents_met_and_missed(void **state)
{
    (void)state;
    const struct dosay_line lines[] = {
        {1, 1001, fx_ms(10), 7, "pumps"},
        {0, 1001, fx_ms(20), 8, "valves"},
        {2, 1001, fx_ms(5), 9, "seals"},
    };
    struct dosay_intent in = {1, 1001, fx_ms(0), fx_ms(10), 7, NULL};
    assert_true(dosay_intent_met(&in, lines, 3)); /* on its due day */
    in.due = fx_ms(9.99);
    assert_false(dosay_intent_met(&in, lines, 3)); /* a little too late */
    in = (struct dosay_intent){1, 1001, fx_ms(11), fx_ms(30), 0, "valves"};
    assert_true(dosay_intent_met(&in, lines, 3)); /* the account's sale, by category */
    in.account_id = 0;
    assert_false(dosay_intent_met(&in, lines, 3)); /* a contact without that account */
    in = (struct dosay_intent){1, 1001, fx_ms(0), fx_ms(30), 0, "seals"};
    assert_false(dosay_intent_met(&in, lines, 3)); /* another contact's sale */
    in = (struct dosay_intent){1, 1001, fx_ms(11), fx_ms(30), 7, NULL};
    assert_false(dosay_intent_met(&in, lines, 3)); /* bought before it was said */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nps_rules_at_thresholds),
        cmocka_unit_test(behaviour_after_an_answer),
        cmocka_unit_test(intents_met_and_missed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
