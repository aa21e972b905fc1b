/*
 * Tests for src/engine/norm.c: a norm by team worked out by hand (rows, n, p10..p90 type 7,
 * positions and statuses), the histogram and the sorting paths agreeing on random data, filters,
 * event and profit subsets by their documented rules, the age cap, masks, keys and bad specs.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/norm.h"
#include "engine/rv.h"
#include "support/rvfixture.h"

#define assert_near(a, e) assert_true(fabs((double)(a) - (double)(e)) < 1e-9)

static const struct norm_row *row_of(const struct norm_result *r, const struct rv_snapshot *s,
                                     const char *label, uint32_t b)
{
    int32_t key;
    assert_int_equal(norm_key_from_text(s, r->spec.by, label, &key, NULL), 0);
    const struct norm_group *g = norm_group_of(r, key);
    assert_non_null(g);
    assert_true(b < g->nrows);
    return &r->rows[g->row_off + b];
}

static const struct norm_position *position_of(const struct norm_result *r,
                                               const struct rv_snapshot *s, int64_t cid)
{
    int32_t c = rv_snapshot_contact(s, cid);
    for (size_t i = 0; i < r->npositions; i++)
        if (r->positions[i].contact == c)
            return &r->positions[i];
    return NULL;
}

/*
 * Alpha: A1 visit day 0 (+2), demo day 8 (+8); A2 meeting day 0 (+5), complaint day 3 (-6);
 * A3 contract day 7 (+20). Beta: B1 visit day 14; B2 nothing. As of day 14, weekly rows:
 *   Alpha row 0 {2, 5, 20}, row 1 {2, -1, 20}, row 2 {10, -1} (A3 is only 7 days old)
 *   Beta  row 0 {2}
 */
static struct rv_snapshot *hand_snapshot(void)
{
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, "food");
    fx_contact(b, 2, 0, 10, 1, 100, "food");
    fx_contact(b, 3, 0, 10, 1, 100, "pharma");
    fx_contact(b, 4, 0, 20, 2, 200, "food");
    fx_contact(b, 5, 0, 20, 2, 200, "food");
    fx_begin(b);
    fx_add(b, fx_row(1, 1, 1, 0));
    fx_add(b, fx_row(2, 1, 3, 8));
    fx_add(b, fx_row(3, 2, 2, 0));
    fx_add(b, fx_row(4, 2, 5, 3));
    fx_add(b, fx_row(5, 3, 4, 7));
    fx_add(b, fx_row(6, 4, 1, 14));
    return fx_finish(b);
}

static void test_norm_by_team_by_hand(void **state)
{
    (void)state;
    struct rv_snapshot *s = hand_snapshot();
    struct norm_spec spec;
    norm_spec_init(&spec, NORM_TEAM, fx_ms(14));
    spec.min_n = 1;
    struct norm_result *r;
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r->ngroups, 2);
    const struct norm_group *alpha = &r->groups[0], *beta = &r->groups[1];
    assert_int_equal(alpha->members, 3);
    assert_int_equal(alpha->nrows, 3);
    assert_int_equal(beta->members, 1); /* B2 has no interaction: no member */
    assert_int_equal(beta->nrows, 1);

    const struct norm_row *w = row_of(r, s, "Alpha", 0);
    assert_int_equal(w->n, 3);
    assert_near(w->p10, 2.6); /* {2, 5, 20}: h = 0.2 */
    assert_near(w->p25, 3.5); /* h = 0.5 */
    assert_near(w->p50, 5);
    assert_near(w->p75, 12.5); /* h = 1.5 */
    assert_near(w->p90, 17);   /* h = 1.8 */
    w = row_of(r, s, "Alpha", 1);
    assert_int_equal(w->n, 3);
    assert_near(w->p10, -0.4); /* {-1, 2, 20} */
    assert_near(w->p50, 2);
    assert_near(w->p90, 16.4);
    w = row_of(r, s, "Alpha", 2);
    assert_int_equal(w->n, 2);
    assert_near(w->p10, 0.1); /* {-1, 10}: h = 0.1 */
    assert_near(w->p50, 4.5);
    assert_near(w->p90, 8.9);
    w = row_of(r, s, "#20", 0);
    assert_int_equal(w->n, 1);
    assert_near(w->p10, 2);
    assert_near(w->p90, 2);

    /* positions: each contact's RV at day 14 against the row of its age */
    const struct norm_position *p = position_of(r, s, 1);
    assert_non_null(p);
    assert_int_equal(p->row, 2);
    assert_int_equal(p->age_days, 14);
    assert_int_equal(p->rv, 10);
    assert_near(p->percentile, 100);
    assert_int_equal(p->status, NORM_AHEAD);
    p = position_of(r, s, 2);
    assert_int_equal(p->rv, -1);
    assert_near(p->percentile, 0);
    assert_int_equal(p->status, NORM_BEHIND);
    p = position_of(r, s, 3);
    assert_int_equal(p->row, 1);
    assert_int_equal(p->rv, 20);
    assert_int_equal(p->status, NORM_AHEAD);
    p = position_of(r, s, 4);
    assert_near(p->percentile, 50);
    assert_int_equal(p->status, NORM_NORMAL);
    assert_null(position_of(r, s, 5));
    assert_int_equal(r->npositions, 4);
    norm_result_free(r);

    /* the default min_n (5) gives no status for rows this small */
    norm_spec_init(&spec, NORM_TEAM, fx_ms(14));
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(position_of(r, s, 1)->status, NORM_UNKNOWN);
    norm_result_free(r);
    rv_snapshot_free(s);
}

static void test_filters_cap_and_masks(void **state)
{
    (void)state;
    struct rv_snapshot *s = hand_snapshot();
    struct norm_spec spec;
    norm_spec_init(&spec, NORM_ALL, fx_ms(14));
    spec.min_n = 1;
    assert_int_equal(norm_key_from_text(s, NORM_INDUSTRY, "food", &spec.filters[0].key, NULL), 0);
    spec.filters[0].dim = NORM_INDUSTRY;
    spec.nfilters = 1;
    struct norm_result *r;
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r->ngroups, 1);
    assert_int_equal(r->groups[0].members, 3); /* A1, A2, B1; A3 is pharma */
    assert_int_equal(r->rows[0].n, 3);         /* {2, 5, 2} */
    assert_near(r->rows[0].p50, 2);
    norm_result_free(r);

    /* two filters AND: food and team Beta */
    spec.filters[1].dim = NORM_TEAM;
    assert_int_equal(norm_key_from_text(s, NORM_TEAM, "beta", &spec.filters[1].key, NULL), 0);
    spec.nfilters = 2;
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r->groups[0].members, 1);
    norm_result_free(r);

    /* rows stop at the age cap; older contacts are placed in the last row */
    norm_spec_init(&spec, NORM_TEAM, fx_ms(14));
    spec.max_age_days = 7;
    spec.min_n = 1;
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r->groups[0].nrows, 2);
    assert_int_equal(position_of(r, s, 1)->row, 1);
    norm_result_free(r);

    /* population and visibility masks */
    struct rv_mask beta, alpha;
    assert_int_equal(rv_mask_scope(s, false, 0, 20, 0, &beta, NULL), 0);
    assert_int_equal(rv_mask_scope(s, false, 0, 10, 0, &alpha, NULL), 0);
    norm_spec_init(&spec, NORM_ALL, fx_ms(14));
    spec.visible = &beta;
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r->groups[0].members, 4); /* the norm of everyone ... */
    assert_int_equal(r->npositions, 1);        /* ... but only B1 is shown */
    norm_result_free(r);
    spec.visible = NULL;
    spec.population = &alpha;
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r->groups[0].members, 3);
    norm_result_free(r);
    rv_mask_release(&alpha);
    rv_mask_release(&beta);
    rv_snapshot_free(s);
}

/*
 * Profit (cents; a type's cost is 100 x its id): account 1001 = contacts 1, 2, margin 100,000;
 * account 1002 = contact 3, margin 500; account 1003 = contact 4, no order; contact 5 without an
 * account, margin 30,000. Costs: c1 400, c2 400, c3 200, c5 700. Profits 99,200, 300, 29,300:
 * p80 = 71,240 -> high 1001; p20 = 11,900 -> low 1002; contact 5 in between. The median RV of
 * high customers' contacts (10, 20) is 15, so contact 5 (RV 28) has potential, contact 3 (5) not.
 * Events by day 10: referral of contact 1; churn of account 1002 (contact 3); a repeat of
 * contact 4 after as_of does not count.
 */
static struct rv_snapshot *profit_snapshot(void)
{
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 1001, 10, 1, 100, NULL);
    fx_contact(b, 2, 1001, 10, 1, 100, NULL);
    fx_contact(b, 3, 1002, 10, 1, 100, NULL);
    fx_contact(b, 4, 1003, 20, 2, 200, NULL);
    fx_contact(b, 5, 0, 20, 2, 200, NULL);
    fx_begin(b);
    fx_add(b, fx_row(1, 1, 1, 0));
    fx_add(b, fx_row(2, 1, 3, 5));
    fx_add(b, fx_row(3, 2, 4, 1));
    fx_add(b, fx_row(4, 3, 2, 2));
    fx_add(b, fx_row(5, 4, 1, 3));
    fx_add(b, fx_row(6, 5, 4, 1));
    fx_add(b, fx_row(7, 5, 3, 2));
    const struct rv_order_in orders[] = {
        {1001, 0, fx_ms(4), 500000, 100000, false},
        {1002, 3, fx_ms(4), 2000, 500, false},
        {0, 5, fx_ms(4), 90000, 30000, false},
        {1003, 4, fx_ms(30), 90000, 90000, false}, /* after as_of */
    };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(rv_builder_add_order(b, &orders[i], NULL), 0);
    const struct rv_event_in events[] = {
        {1, 0, "referral", fx_ms(1)},
        {0, 1002, "churn", fx_ms(3)},
        {4, 1003, "repeat", fx_ms(100)},
    };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(rv_builder_add_event(b, &events[i], NULL), 0);
    struct rv_event_in bad = {1, 0, "party", fx_ms(1)};
    struct kith_error err = {0};
    assert_int_equal(rv_builder_add_event(b, &bad, &err), KITH_EINVAL);
    return fx_finish(b);
}

static uint32_t members_of(const struct norm_result *r, const struct rv_snapshot *s,
                           const char *label)
{
    int32_t key;
    assert_int_equal(norm_key_from_text(s, r->spec.by, label, &key, NULL), 0);
    const struct norm_group *g = norm_group_of(r, key);
    return g ? g->members : 0;
}

static void test_profit_subsets(void **state)
{
    (void)state;
    struct rv_snapshot *s = profit_snapshot();
    struct norm_spec spec;
    norm_spec_init(&spec, NORM_PROFIT, fx_ms(10));
    struct norm_result *r;
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    assert_near(r->profit_high_cut, 71240);
    assert_near(r->profit_low_cut, 11900);
    assert_near(r->potential_rv, 15);
    assert_int_equal(members_of(r, s, "high"), 2);
    assert_int_equal(members_of(r, s, "low"), 1);
    assert_int_equal(members_of(r, s, "potential"), 1);
    assert_int_equal(members_of(r, s, "none"), 1); /* contact 4: no order by day 10 */
    assert_int_equal(r->profit_mask[rv_snapshot_contact(s, 5)], 1u << NORM_PROFIT_POTENTIAL);
    assert_int_equal(r->profit_mask[rv_snapshot_contact(s, 3)], 1u << NORM_PROFIT_LOW);
    norm_result_free(r);
    rv_snapshot_free(s);
}

static void test_event_subsets(void **state)
{
    (void)state;
    struct rv_snapshot *s = profit_snapshot();
    struct norm_spec spec;
    norm_spec_init(&spec, NORM_EVENT, fx_ms(10));
    struct norm_result *r;
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(members_of(r, s, "referral"), 1);
    assert_int_equal(members_of(r, s, "churn"), 1); /* an account's event reaches its contacts */
    assert_int_equal(members_of(r, s, "repeat"), 0);
    assert_int_equal(members_of(r, s, "none"), 3);
    norm_result_free(r);
    /* a subset as a filter */
    norm_spec_init(&spec, NORM_ALL, fx_ms(10));
    spec.filters[0].dim = NORM_EVENT;
    assert_int_equal(norm_key_from_text(s, NORM_EVENT, "churn", &spec.filters[0].key, NULL), 0);
    spec.nfilters = 1;
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r->groups[0].members, 1);
    norm_result_free(r);
    /* stage and level groupings come from the triggers: c1, c4 no trigger (level 1,
     * acquisition); c3 a level-1 trigger (level 2, closing); c2, c5 a level-2 trigger (3) */
    norm_spec_init(&spec, NORM_STAGE, fx_ms(10));
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(members_of(r, s, "acquisition"), 2);
    assert_int_equal(members_of(r, s, "closing"), 1);
    assert_int_equal(members_of(r, s, "retention"), 2);
    norm_result_free(r);
    norm_spec_init(&spec, NORM_LEVEL, fx_ms(10));
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(members_of(r, s, "1"), 2);
    assert_int_equal(members_of(r, s, "3"), 2);
    norm_result_free(r);
    rv_snapshot_free(s);
}

/* Random data: the histogram path and the sorting path agree row by row. */
static void test_histogram_and_sort_agree(void **state)
{
    (void)state;
    struct rv_builder *b = fx_builder();
    for (int c = 1; c <= 300; c++)
        fx_contact(b, c, 0, c % 3 ? 10 : 20, 1, 100, NULL);
    fx_begin(b);
    uint64_t x = 7;
    for (int64_t id = 1; id <= 6000; id++) {
        x = x * 6364136223846793005ULL + 1;
        struct rv_interaction_in r =
            fx_row(id, 1 + (int64_t)((x >> 33) % 300), 1 + (int64_t)((x >> 20) % 6),
                   (double)((x >> 40) % 200) + (double)((x >> 12) % 24) / 24);
        if ((x >> 50) % 7 == 0) {
            r.has_rv = true;
            r.rv = (int64_t)((x >> 8) % 61) - 30;
        }
        fx_add(b, r);
    }
    struct rv_snapshot *s = fx_finish(b);
    struct norm_spec spec;
    struct norm_result *h, *q;
    norm_spec_init(&spec, NORM_TEAM, fx_ms(200));
    spec.bucket_days = 5;
    spec.grid = 11;
    assert_int_equal(norm_compute(s, &spec, &h, NULL), 0);
    spec.hist_cells = 1; /* no histogram fits: every group sorts */
    spec.nthreads = 2;
    assert_int_equal(norm_compute(s, &spec, &q, NULL), 0);
    assert_true(h->groups[0].exact && !q->groups[0].exact);
    assert_int_equal(h->nrows, q->nrows);
    for (size_t i = 0; i < h->nrows; i++) {
        assert_int_equal(h->rows[i].n, q->rows[i].n);
        assert_near(h->rows[i].p10, q->rows[i].p10);
        assert_near(h->rows[i].p25, q->rows[i].p25);
        assert_near(h->rows[i].p50, q->rows[i].p50);
        assert_near(h->rows[i].p75, q->rows[i].p75);
        assert_near(h->rows[i].p90, q->rows[i].p90);
    }
    assert_int_equal(h->ngrid, q->ngrid);
    assert_memory_equal(h->grid, q->grid, h->ngrid * sizeof(float));
    assert_int_equal(h->npositions, q->npositions);
    for (size_t i = 0; i < h->npositions; i++) {
        assert_int_equal(h->positions[i].status, q->positions[i].status);
        assert_true(h->positions[i].percentile == q->positions[i].percentile);
    }
    /* a workspace kept between calls changes nothing */
    struct norm_workspace ws = {0};
    spec.hist_cells = 0;
    spec.workspace = &ws;
    for (int k = 0; k < 2; k++) {
        struct norm_result *again;
        assert_int_equal(norm_compute(s, &spec, &again, NULL), 0);
        assert_int_equal(again->nrows, h->nrows);
        for (size_t i = 0; i < h->nrows; i++)
            assert_true(again->rows[i].n == h->rows[i].n && again->rows[i].p50 == h->rows[i].p50);
        assert_int_equal(again->npositions, h->npositions);
        norm_result_free(again);
    }
    norm_workspace_release(&ws);
    /* and a brute-force check of one row: team Alpha at 30 days */
    int32_t key;
    assert_int_equal(norm_key_from_text(s, NORM_TEAM, "Alpha", &key, NULL), 0);
    const struct norm_group *g = norm_group_of(h, key);
    int64_t vals[300];
    size_t n = 0;
    for (size_t c = 0; c < s->nc; c++) {
        if (s->team[c] != key || !s->ncounted[c])
            continue;
        int64_t pat[64];
        size_t np;
        assert_int_equal(rv_pattern(s, c, fx_ms(200), 5, pat, 64, &np, NULL), 0);
        if (np > 6)
            vals[n++] = pat[6];
    }
    const struct norm_row *row = &h->rows[g->row_off + 6];
    assert_int_equal(row->n, n);
    int64_t sorted[300];
    memcpy(sorted, vals, n * sizeof(*vals));
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            int64_t t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    double hh = (double)(n - 1) * 0.25;
    size_t lo = (size_t)hh;
    assert_near(row->p25,
                (double)sorted[lo] + (hh - (double)lo) * (double)(sorted[lo + 1] - sorted[lo]));
    norm_result_free(h);
    norm_result_free(q);
    rv_snapshot_free(s);
}

static void test_keys_and_bad_specs(void **state)
{
    (void)state;
    struct rv_snapshot *s = hand_snapshot();
    enum norm_dim d;
    struct kith_error err = {0};
    assert_int_equal(norm_dim_from_name("owner", &d, NULL), 0);
    assert_int_equal(d, NORM_REP);
    assert_int_equal(norm_dim_from_name("revenue_band", &d, NULL), 0);
    assert_int_equal(norm_dim_from_name("colour", &d, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "territory"));
    int32_t key;
    assert_int_equal(norm_key_from_text(s, NORM_REP, "bob@example.com", &key, NULL), 0);
    char buf[64];
    assert_string_equal(norm_key_label(s, NORM_REP, key, buf, sizeof(buf)), "Bob");
    assert_int_equal(norm_key_id(s, NORM_REP, key), 200);
    assert_int_equal(norm_key_from_text(s, NORM_TEAM, "none", &key, NULL), 0);
    assert_int_equal(key, -1);
    assert_int_equal(norm_key_from_text(s, NORM_TEAM, "Gamma", &key, &err), KITH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "Alpha, Beta"));
    assert_int_equal(norm_key_from_text(s, NORM_TEAM, "#99", &key, &err), KITH_ENOTFOUND);
    assert_string_equal(norm_status_name(NORM_BEHIND), "behind");
    struct norm_spec spec;
    struct norm_result *r = NULL;
    norm_spec_init(&spec, NORM_TEAM, fx_ms(14));
    spec.bucket_days = 0;
    assert_int_equal(norm_compute(s, &spec, &r, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "bucket"));
    spec.bucket_days = 7;
    spec.grid = 1;
    assert_int_equal(norm_compute(s, &spec, &r, &err), KITH_EINVAL);
    spec.grid = 21;
    spec.nfilters = 1;
    spec.filters[0].dim = NORM_ALL;
    assert_int_equal(norm_compute(s, &spec, &r, &err), KITH_EINVAL);
    assert_null(r);
    /* a snapshot with nothing in it gives an empty norm */
    struct rv_builder *b = fx_builder();
    fx_begin(b);
    struct rv_snapshot *empty = fx_finish(b);
    norm_spec_init(&spec, NORM_TEAM, fx_ms(14));
    assert_int_equal(norm_compute(empty, &spec, &r, NULL), 0);
    assert_int_equal(r->ngroups, 0);
    assert_int_equal(r->npositions, 0);
    norm_result_free(r);
    rv_snapshot_free(empty);
    rv_snapshot_free(s);
}

/* After an update, norm_position_of places the contact against the norm computed before. */
static void test_position_after_update(void **state)
{
    (void)state;
    struct rv_snapshot *s = hand_snapshot();
    struct norm_spec spec;
    norm_spec_init(&spec, NORM_TEAM, fx_ms(14));
    spec.min_n = 1;
    struct norm_result *r;
    assert_int_equal(norm_compute(s, &spec, &r, NULL), 0);
    /* A2 (-1, behind) gets a contract (+20) at day 14: 19, above Alpha row 2's p90 (8.9) */
    struct rv_interaction_in in = fx_row(100, 2, 4, 14);
    struct rv_update up;
    assert_int_equal(rv_snapshot_add_interaction(s, &in, 0, &up, NULL), 0);
    assert_int_equal(up.before.rv, -1);
    assert_int_equal(up.after.rv, 19);
    assert_int_equal(up.after.level, 3);
    struct norm_position p[4];
    size_t n;
    norm_position_of(r, s, (size_t)up.contact, 0, p, 4, &n);
    assert_int_equal(n, 1);
    assert_int_equal(p[0].row, 2);
    assert_int_equal(p[0].rv, 19);
    assert_int_equal(p[0].status, NORM_AHEAD);
    /* a new contact without attributes falls in the "(none)" team, absent from this norm */
    in = fx_row(101, 77, 1, 14);
    assert_int_equal(rv_snapshot_add_interaction(s, &in, 0, &up, NULL), 0);
    assert_true(up.new_contact);
    norm_position_of(r, s, (size_t)up.contact, 0, p, 4, &n);
    assert_int_equal(n, 0);
    norm_result_free(r);
    rv_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_norm_by_team_by_hand),
        cmocka_unit_test(test_filters_cap_and_masks),
        cmocka_unit_test(test_profit_subsets),
        cmocka_unit_test(test_event_subsets),
        cmocka_unit_test(test_histogram_and_sort_agree),
        cmocka_unit_test(test_keys_and_bad_specs),
        cmocka_unit_test(test_position_after_update),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
