/*
 * Tests for src/engine/community.c: each rule of docs/voice.md "Community roles" at its
 * threshold and one below, the order in which the rules apply, and the names of the roles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/community.h"

static enum community_role role(int64_t ideas, int64_t votes, int64_t reviews, int64_t referrals)
{
    const struct community_counts c = {ideas, votes, reviews, referrals};
    return community_role_of(&c);
}

static void nothing_is_none(void **state)
{
    (void)state;
    assert_int_equal(role(0, 0, 0, 0), COMMUNITY_NONE);
    assert_int_equal(role(-3, -1, -2, -4), COMMUNITY_NONE); /* negative counts count as 0 */
    assert_null(community_role_name(COMMUNITY_NONE));
    assert_string_equal(community_role_label(COMMUNITY_NONE), "none");
}

static void votes_alone_make_a_watcher(void **state)
{
    (void)state;
    assert_int_equal(role(0, COMMUNITY_WATCHER_MIN, 0, 0), COMMUNITY_WATCHER);
    assert_int_equal(role(0, COMMUNITY_WATCHER_MIN - 1, 0, 0), COMMUNITY_NONE);
    assert_int_equal(role(0, 500, 0, 0), COMMUNITY_WATCHER); /* voting never makes a doer */
}

static void one_contribution_makes_a_doer(void **state)
{
    (void)state;
    assert_int_equal(role(0, 0, COMMUNITY_DOER_MIN, 0), COMMUNITY_DOER); /* a review */
    assert_int_equal(role(1, 0, 0, 0), COMMUNITY_DOER);                  /* an idea */
    assert_int_equal(role(0, 0, 0, 1), COMMUNITY_DOER);                  /* a referral */
    assert_int_equal(role(0, 9, 40, 0), COMMUNITY_DOER); /* reviews alone never lead */
}

static void starting_things_twice_makes_a_leader(void **state)
{
    (void)state;
    assert_int_equal(role(COMMUNITY_LEADER_MIN, 0, 0, 0), COMMUNITY_LEADER);
    assert_int_equal(role(0, 0, 0, COMMUNITY_LEADER_MIN), COMMUNITY_LEADER);
    assert_int_equal(role(1, 0, 0, COMMUNITY_LEADER_MIN - 1), COMMUNITY_LEADER);
    assert_int_equal(role(COMMUNITY_LEADER_MIN - 1, 5, 5, 0), COMMUNITY_DOER);
}

static void names_round_trip(void **state)
{
    (void)state;
    for (int r = COMMUNITY_NONE; r < COMMUNITY_NROLES; r++)
        assert_int_equal(community_role_parse(community_role_label((enum community_role)r)), r);
    assert_string_equal(community_role_name(COMMUNITY_LEADER), "leader");
    assert_string_equal(community_role_name(COMMUNITY_DOER), "doer");
    assert_string_equal(community_role_name(COMMUNITY_WATCHER), "watcher");
    assert_int_equal(community_role_parse(NULL), COMMUNITY_NONE);
    assert_int_equal(community_role_parse("lurker"), -1);
}

static void window_is_a_year_of_days(void **state)
{
    (void)state;
    const int64_t now = 1780000000000;
    assert_int_equal(now - community_window_start(now), (int64_t)365 * 86400000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_is_none),
        cmocka_unit_test(votes_alone_make_a_watcher),
        cmocka_unit_test(one_contribution_makes_a_doer),
        cmocka_unit_test(starting_things_twice_makes_a_leader),
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(window_is_a_year_of_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
