/*
 * Tests for src/engine/reap.c: each lever rule and each low-value rule fires for the inputs it
 * describes and in its order (first match wins), a sweep over the input space leaves no
 * customer without a lever and reaches every rule, the holding reference, the reasons.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/reap.h"

static struct reap_options opts(void)
{
    struct reap_options o;
    reap_options_default(&o);
    return o;
}

static struct reap_input input(int tier, double p_alive, double margin, double cost,
                               uint32_t holding, enum rfm_segment seg)
{
    return (struct reap_input){.tier = (uint8_t)tier,
                               .rfm_segment = (uint8_t)seg,
                               .holding = holding,
                               .p_alive = p_alive,
                               .margin = margin,
                               .cost = cost};
}

static void lever_rules_in_order(void **state)
{
    (void)state;
    const struct reap_options o = opts();
    const double ref = 4;
    struct reap_input in;
    struct reap_tag t;

    /* unprofitable beats everything, even a valuable customer at risk */
    in = input(5, 0.1, 100, 150, 9, RFM_CANT_LOSE);
    t = reap_tag_one(&in, &o, ref);
    assert_int_equal(t.rule, REAP_RULE_UNPROFITABLE);
    assert_int_equal(t.lever, REAP_EFFICIENCY);
    assert_int_equal(t.low, REAP_LOW_UNPROFITABLE);

    in = input(5, 0.9, 100, 60, 9, RFM_CHAMPIONS); /* cost 60% of margin */
    t = reap_tag_one(&in, &o, ref);
    assert_int_equal(t.rule, REAP_RULE_COSTLY);
    assert_int_equal(t.lever, REAP_EFFICIENCY);
    assert_int_equal(t.low, REAP_LOW_NONE); /* tier 5: costly but not low value */

    in = input(4, 0.3, 100, 10, 2, RFM_HIBERNATING);
    t = reap_tag_one(&in, &o, ref);
    assert_int_equal(t.rule, REAP_RULE_VALUABLE_AT_RISK);
    assert_int_equal(t.lever, REAP_RETAIN);

    in = input(3, 0.9, 100, 10, 2, RFM_AT_RISK);
    t = reap_tag_one(&in, &o, ref);
    assert_int_equal(t.rule, REAP_RULE_RFM_AT_RISK);
    assert_int_equal(t.lever, REAP_RETAIN);

    in = input(5, 0.9, 100, 10, 4, RFM_CHAMPIONS);
    t = reap_tag_one(&in, &o, ref);
    assert_int_equal(t.rule, REAP_RULE_BEST);
    assert_int_equal(t.lever, REAP_ACQUIRE);

    in = input(5, 0.9, 100, 10, 3, RFM_CHAMPIONS);
    t = reap_tag_one(&in, &o, ref);
    assert_int_equal(t.rule, REAP_RULE_NARROW);
    assert_int_equal(t.lever, REAP_PENETRATE);

    in = input(2, 0.9, 100, 10, 6, RFM_LOYAL);
    t = reap_tag_one(&in, &o, ref);
    assert_int_equal(t.rule, REAP_RULE_BROAD);
    assert_int_equal(t.lever, REAP_PENETRATE);

    in = input(2, 0.2, 100, 10, 6, RFM_LOST);
    t = reap_tag_one(&in, &o, ref);
    assert_int_equal(t.rule, REAP_RULE_FADING);
    assert_int_equal(t.lever, REAP_EFFICIENCY);
}

static void low_value_rules(void **state)
{
    (void)state;
    const struct reap_options o = opts();
    struct reap_input in = input(2, 0.9, 100, 70, 1, RFM_LOYAL);
    assert_int_equal(reap_tag_one(&in, &o, 1).low, REAP_LOW_COSTLY);
    in = input(1, 0.2, 100, 10, 1, RFM_LOST);
    assert_int_equal(reap_tag_one(&in, &o, 1).low, REAP_LOW_LAPSED);
    in = input(1, 0.8, 100, 10, 1, RFM_PROMISING);
    assert_int_equal(reap_tag_one(&in, &o, 1).low, REAP_LOW_SMALL);
    in = input(3, 0.8, 100, 70, 1, RFM_LOYAL); /* costly but tier 3: not low value */
    assert_int_equal(reap_tag_one(&in, &o, 1).low, REAP_LOW_NONE);
    for (int l = 1; l < REAP_NLOW; l++) {
        assert_true(strlen(reap_low_name((enum reap_low)l)) > 0);
        assert_true(strlen(reap_low_rule((enum reap_low)l)) > 0);
        assert_true(strlen(reap_low_treatment((enum reap_low)l)) > 0);
    }
    assert_string_equal(reap_low_name(REAP_LOW_NONE), "");
}

/* Every point of a grid over the inputs gets one lever that matches its rule; every rule and
 * every low-value rule is reached somewhere. */
static void sweep_covers_every_rule(void **state)
{
    (void)state;
    const struct reap_options o = opts();
    bool rule_seen[REAP_NRULES] = {false}, low_seen[REAP_NLOW] = {false};
    const double alive[] = {0.05, 0.49, 0.5, 0.95};
    const double cost[] = {0, 30, 50, 70, 100, 130};
    const uint32_t hold[] = {0, 3, 4, 10};
    const enum rfm_segment segs[] = {RFM_CHAMPIONS, RFM_AT_RISK, RFM_CANT_LOSE, RFM_LOST};
    for (int tier = 1; tier <= 5; tier++)
        for (size_t a = 0; a < 4; a++)
            for (size_t c = 0; c < 6; c++)
                for (size_t h = 0; h < 4; h++)
                    for (size_t s = 0; s < 4; s++) {
                        struct reap_input in =
                            input(tier, alive[a], 100, cost[c], hold[h], segs[s]);
                        struct reap_tag t = reap_tag_one(&in, &o, 4);
                        assert_true(t.lever < REAP_NLEVERS);
                        assert_true(t.rule < REAP_NRULES);
                        assert_int_equal(t.lever, reap_rule_lever((enum reap_rule)t.rule));
                        rule_seen[t.rule] = true;
                        low_seen[t.low] = true;
                        char buf[512];
                        assert_true(reap_reason(&in, &t, &o, 4, buf, sizeof(buf)) > 0);
                        assert_null(strchr(buf, '?'));
                    }
    for (int r = 0; r < REAP_NRULES; r++)
        assert_true(rule_seen[r]);
    for (int l = 0; l < REAP_NLOW; l++)
        assert_true(low_seen[l]);
}

static void holding_reference_is_median_of_tier5(void **state)
{
    (void)state;
    struct kith_error err = {0};
    double ref;
    struct reap_input in[5] = {
        input(5, 1, 1, 0, 2, RFM_CHAMPIONS), input(5, 1, 1, 0, 9, RFM_CHAMPIONS),
        input(5, 1, 1, 0, 4, RFM_CHAMPIONS), input(1, 1, 1, 0, 100, RFM_LOST),
        input(5, 1, 1, 0, 6, RFM_CHAMPIONS),
    };
    assert_int_equal(reap_holding_ref(in, 5, &ref, &err), 0);
    assert_true(ref == 5); /* {2, 4, 6, 9}: (4 + 6) / 2 */
    assert_int_equal(reap_holding_ref(in, 3, &ref, &err), 0);
    assert_true(ref == 4); /* {2, 9, 4} */
    assert_int_equal(reap_holding_ref(in + 3, 1, &ref, &err), 0);
    assert_true(ref == 0); /* nobody in tier 5 */
}

static void reasons_carry_the_numbers(void **state)
{
    (void)state;
    const struct reap_options o = opts();
    char buf[512];
    struct reap_input in = input(5, 0.9, 200, 130, 9, RFM_CHAMPIONS);
    struct reap_tag t = reap_tag_one(&in, &o, 4);
    reap_reason(&in, &t, &o, 4, buf, sizeof(buf));
    assert_non_null(strstr(buf, "130.00"));
    assert_non_null(strstr(buf, "65%"));
    in = input(4, 0.31, 200, 10, 9, RFM_CHAMPIONS);
    t = reap_tag_one(&in, &o, 4);
    reap_reason(&in, &t, &o, 4, buf, sizeof(buf));
    assert_non_null(strstr(buf, "0.31"));
    assert_non_null(strstr(buf, "tier 4"));
}

static void inputs_need_lifetime_values(void **state)
{
    (void)state;
    struct kith_error err = {0};
    struct value_customer c[2] = {{.account_id = 1, .lifetime = 10, .p_alive = 0.5},
                                  {.account_id = 2, .lifetime = NAN}};
    struct value_result r = {.n = 2, .c = c};
    struct rfm_score sc[2] = {{5, 5, 5, RFM_CHAMPIONS}, {1, 1, 1, RFM_LOST}};
    struct reap_input in[2];
    assert_int_equal(reap_inputs_from_values(&r, sc, NULL, in, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "account 2"));
    c[1].lifetime = 20;
    assert_int_equal(reap_inputs_from_values(&r, sc, NULL, in, &err), 0);
    /* two customers: 10 has nobody below (tier 1), 20 has one of two below: 1 + 5/2 = 3 */
    assert_int_equal(in[0].tier, 1);
    assert_int_equal(in[1].tier, 3);
    assert_int_equal(in[1].rfm_segment, RFM_LOST);
    assert_int_equal(in[0].holding, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lever_rules_in_order),
        cmocka_unit_test(low_value_rules),
        cmocka_unit_test(sweep_covers_every_rule),
        cmocka_unit_test(holding_reference_is_median_of_tier5),
        cmocka_unit_test(reasons_carry_the_numbers),
        cmocka_unit_test(inputs_need_lifetime_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
