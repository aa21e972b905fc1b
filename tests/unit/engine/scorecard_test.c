/*
 * Tests for src/engine/scorecard.c against a small company worked out by hand: RV created,
 * cost, RV per cost, counts, outcomes of the customers touched, team percentiles, the period,
 * the team filter, the visibility mask, and voided interactions.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/scorecard.h"
#include "support/rvfixture.h"

#define assert_near(a, e) assert_true(fabs((double)(a) - (double)(e)) < 1e-9)

static struct rv_interaction_in by(int64_t id, int64_t contact, int64_t type, double day,
                                   int64_t user)
{
    struct rv_interaction_in r = fx_row(id, contact, type, day);
    r.user_id = user;
    return r;
}

/*
 * Ann (100, Alpha): c1 visit (2, $1) day 0, c1 demo (8, $3) day 1, c2 meeting (5, $2) day 2.
 * Bob (200, Beta): c3 contract (20, $4) day 3; c3 complaint (-6) day 4, voided by Bob day 5.
 * Cy (300, Alpha): c1 visit (2, $1) day 5. Dee (400, Alpha) only a voided interaction.
 * Orders: account 1001 (c1, c2): $10 margin $1 day 1, $30 margin $5 day 20; 1002 (c3): $20
 * margin $3 day 5.
 */
static struct rv_snapshot *company(void)
{
    struct rv_builder *b = fx_builder();
    assert_int_equal(rv_builder_add_user(b, 300, "cy@example.com", "Cy", 10, 1, NULL), 0);
    assert_int_equal(rv_builder_add_user(b, 400, "dee@example.com", "Dee", 10, 1, NULL), 0);
    fx_contact(b, 1, 1001, 10, 1, 100, NULL);
    fx_contact(b, 2, 1001, 10, 1, 100, NULL);
    fx_contact(b, 3, 1002, 20, 2, 200, NULL);
    fx_begin(b);
    fx_add(b, by(1, 1, 1, 0, 100));
    fx_add(b, by(2, 1, 3, 1, 100));
    fx_add(b, by(3, 2, 2, 2, 100));
    fx_add(b, by(4, 3, 4, 3, 200));
    fx_add(b, by(5, 3, 5, 4, 200));
    struct rv_interaction_in v = by(6, 3, 1, 5, 200);
    v.voids_id = 5;
    fx_add(b, v);
    fx_add(b, by(7, 1, 1, 5, 300));
    struct rv_interaction_in d = by(8, 2, 3, 6, 400);
    fx_add(b, d);
    struct rv_interaction_in dv = by(9, 2, 1, 6, 400);
    dv.voids_id = 8;
    fx_add(b, dv);
    const struct rv_order_in orders[] = {
        {1001, 1, fx_ms(1), 1000, 100, false},
        {1001, 0, fx_ms(20), 3000, 500, false},
        {1002, 3, fx_ms(5), 2000, 300, false},
    };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(rv_builder_add_order(b, &orders[i], NULL), 0);
    return fx_finish(b);
}

static const struct scorecard_rep *rep(const struct scorecard_rep *rows, size_t n,
                                       const struct rv_snapshot *s, int64_t user_id)
{
    for (size_t i = 0; i < n; i++)
        if (s->users.id[rows[i].rep] == user_id)
            return &rows[i];
    return NULL;
}

static void test_scorecards_by_hand(void **state)
{
    (void)state;
    struct rv_snapshot *s = company();
    struct scorecard_spec spec = {.team = -1};
    struct scorecard_rep *rows;
    size_t n;
    assert_int_equal(scorecard_compute(s, &spec, &rows, &n, NULL), 0);
    assert_int_equal(n, 3); /* Dee's only interactions are voided */
    const struct scorecard_rep *ann = rep(rows, n, s, 100), *bob = rep(rows, n, s, 200),
                               *cy = rep(rows, n, s, 300);
    assert_non_null(ann);
    assert_int_equal(ann->rv, 15);
    assert_int_equal(ann->cost, 600);
    assert_near(ann->rv_per_cost, 2.5);
    assert_int_equal(ann->interactions, 3);
    assert_int_equal(ann->contacts, 2);
    assert_int_equal(ann->customers, 1);
    assert_int_equal(ann->orders, 2);
    assert_int_equal(ann->revenue, 4000);
    assert_int_equal(ann->margin, 600);
    assert_int_equal(bob->rv, 20); /* the voided complaint and its correction do not count */
    assert_int_equal(bob->cost, 400);
    assert_int_equal(bob->interactions, 1);
    assert_near(bob->rv_per_cost, 5);
    assert_int_equal(bob->orders, 1);
    assert_int_equal(bob->margin, 300);
    assert_int_equal(cy->rv, 2);
    assert_int_equal(cy->orders, 2); /* Cy touched account 1001 too: outcomes overlap */
    /* places in the team: Alpha {Cy 2, Ann 15}, Beta {Bob} */
    assert_int_equal(ann->team_size, 2);
    assert_near(ann->team_percentile, 100);
    assert_near(cy->team_percentile, 0);
    assert_near(bob->team_percentile, 50);
    assert_int_equal(bob->team_size, 1);
    assert_near(ann->team_percentile_per_cost, 100); /* 2.5 against Cy's 2 */
    free(rows);

    /* a period: from day 2 */
    spec.from_ms = fx_ms(2);
    assert_int_equal(scorecard_compute(s, &spec, &rows, &n, NULL), 0);
    ann = rep(rows, n, s, 100);
    assert_int_equal(ann->rv, 5);
    assert_int_equal(ann->cost, 200);
    assert_int_equal(ann->contacts, 1);
    assert_int_equal(ann->orders, 1); /* only the order of day 20 */
    assert_int_equal(ann->margin, 500);
    free(rows);

    /* one team; and a mask that hides contact 3 */
    spec.from_ms = 0;
    spec.team = 1; /* Beta's index */
    assert_int_equal(scorecard_compute(s, &spec, &rows, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(s->users.id[rows[0].rep], 200);
    free(rows);
    struct rv_mask m;
    assert_int_equal(rv_mask_scope(s, false, 0, 10, 0, &m, NULL), 0);
    spec.team = -1;
    spec.visible = &m;
    assert_int_equal(scorecard_compute(s, &spec, &rows, &n, NULL), 0);
    assert_null(rep(rows, n, s, 200));
    assert_int_equal(n, 2);
    free(rows);
    rv_mask_release(&m);
    rv_snapshot_free(s);
}

static void test_no_reps(void **state)
{
    (void)state;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_begin(b);
    fx_add(b, fx_row(1, 1, 1, 0)); /* no rep */
    struct rv_snapshot *s = fx_finish(b);
    struct scorecard_spec spec = {.team = -1};
    struct scorecard_rep *rows;
    size_t n = 9;
    assert_int_equal(scorecard_compute(s, &spec, &rows, &n, NULL), 0);
    assert_int_equal(n, 0);
    free(rows);
    rv_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scorecards_by_hand),
        cmocka_unit_test(test_no_reps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
