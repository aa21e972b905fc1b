/*
 * Tests for src/engine/v2t2*.c: the place, tone and discord maths against values worked out by
 * hand (in the comments), and the walks over a small snapshot: who the channel agent of each
 * interaction is, the delivered cells, the customer's zone from its orders, and the discord per
 * customer, with a mask, a window and a phase.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/v2t2.h"
#include "support/rvfixture.h"

#define assert_near(a, e) assert_true(fabs((double)(a) - (double)(e)) < 1e-6)

static const struct v2t2_tone_thresholds TH = {0.5, 0.5};

static void test_place(void **state)
{
    (void)state;
    /* the seed's customer: 32000 against 2500 = 12.8 >= 1; 0.0139 cars a month < 1 */
    struct v2t2_place p = v2t2_place(32000, 2500, 0.0139, 1, 1);
    assert_near(p.value_ratio, 12.8);
    assert_true(p.high_value);
    assert_false(p.high_volume);
    assert_int_equal(p.zone, V2T2_Q1);
    /* a ratio equal to its threshold is high; so is a volume equal to its */
    p = v2t2_place(50, 100, 1, 0.5, 1);
    assert_near(p.value_ratio, 0.5);
    assert_int_equal(p.zone, V2T2_Q2);
    p = v2t2_place(49, 100, 3, 0.5, 1);
    assert_int_equal(p.zone, V2T2_Q3);
    p = v2t2_place(49, 100, 0.99, 0.5, 1);
    assert_int_equal(p.zone, V2T2_Q4);
    /* no baseline: any amount is infinitely high, none is nothing */
    p = v2t2_place(10, 0, 0, 1, 1);
    assert_true(isinf(p.value_ratio) && p.high_value);
    p = v2t2_place(0, 0, 0, 1, 1);
    assert_near(p.value_ratio, 0);
    assert_int_equal(p.zone, V2T2_Q4);
    assert_int_equal(v2t2_zone_of(true, false), V2T2_Q1);
    assert_int_equal(v2t2_zone_of(true, true), V2T2_Q2);
    assert_int_equal(v2t2_zone_of(false, true), V2T2_Q3);
    assert_int_equal(v2t2_zone_of(false, false), V2T2_Q4);
}

static void test_tone_and_discord(void **state)
{
    (void)state;
    assert_int_equal(v2t2_tone_of(0.9, 0.1, &TH), V2T2_Q1);
    assert_int_equal(v2t2_tone_of(0.5, 0.5, &TH), V2T2_Q2);
    assert_int_equal(v2t2_tone_of(0.49, 0.5, &TH), V2T2_Q3);
    assert_int_equal(v2t2_tone_of(0.1, 0.2, &TH), V2T2_Q4);
    /* Q1 expects high touch, low tech: (0.2, 0.8) needs +0.3 touch, -0.3 tech: sqrt(0.18) */
    struct v2t2_discord d = v2t2_discord(V2T2_Q1, 0.2, 0.8, &TH);
    assert_near(d.touch, 0.3);
    assert_near(d.tech, -0.3);
    assert_near(d.distance, 0.4242640687);
    /* Q3 expects low touch, high tech: (0.7, 0.4) needs -0.2 touch, +0.1 tech: sqrt(0.05) */
    d = v2t2_discord(V2T2_Q3, 0.7, 0.4, &TH);
    assert_near(d.touch, -0.2);
    assert_near(d.tech, 0.1);
    assert_near(d.distance, 0.2236067977);
    /* the expected tone is in tune, whatever its distance from the corner */
    d = v2t2_discord(V2T2_Q2, 0.55, 0.95, &TH);
    assert_near(d.distance, 0);
    d = v2t2_discord(V2T2_Q4, 0.0, 0.49, &TH);
    assert_near(d.distance, 0);
    /* no zone, no discord */
    assert_true(isnan(v2t2_discord(V2T2_NONE, 0.1, 0.1, &TH).distance));
    bool ht, hk;
    v2t2_expects(V2T2_Q3, &ht, &hk);
    assert_false(ht);
    assert_true(hk);
}

/*
 * Types 1..6 (fixture; phases acq, acq, closing, closing, retention, retention) with
 * touch {0.9, 0.8, 0.3, 0.6, 0.1, 0.2} and tech {0.1, 0.2, 0.9, 0.7, 0.8, 0.4}.
 * Units 1 North, 2 South, 3 Dealer (a partner). Teams 10 (unit 1), 20 (unit 2).
 * Users 100 Ann (10, 1), 200 Bob (20, 2), 300 Cy (10, 1), 400 Dee (no team, 1), 500 Pat (none, 3).
 * Contacts: c1, c2 of account 1001 (team 10, unit 1, owner Ann); c3 of 1002 (20, 2, Bob);
 * c4 without an account (10, 1, Ann).
 *   1 c1 Ann  type 1 day 0  -> acquisition, rep      (0.9, 0.1)
 *   2 c1 Cy   type 3 day 1  -> closing, team         (0.3, 0.9)
 *   3 c2 Ann  type 4 day 2  -> closing, rep          (0.6, 0.7)
 *   4 c2 -    type 5 day 3  -> retention, self       (0.1, 0.8)
 *   5 c2 Pat  type 2 day 4  -> acquisition, partner  (0.8, 0.2)
 *   6 c1 Dee  type 6 day 5  -> retention, unit       (0.2, 0.4)
 *   7 c1 Ann  type 3 day 6, voided by 8 (day 7): neither counts
 *   9 c3 Bob  type 4 day 1  -> closing, rep          (0.6, 0.7)
 *  10 c4 -    type 3 day 2  -> closing, self         (0.3, 0.9)
 * Orders: 1001 1000 day 0, 1000 day 10, 5000 day 20; 1002 2000 day 5.
 */
static const float TOUCH[] = {0.9f, 0.8f, 0.3f, 0.6f, 0.1f, 0.2f};
static const float TECH[] = {0.1f, 0.2f, 0.9f, 0.7f, 0.8f, 0.4f};
static const uint8_t PARTNER[] = {0, 0, 1};
static const struct v2t2_catalog CAT = {TOUCH, TECH, PARTNER};

static struct rv_interaction_in row(int64_t id, int64_t contact, int64_t type, double day,
                                    int64_t user)
{
    struct rv_interaction_in r = fx_row(id, contact, type, day);
    r.user_id = user;
    return r;
}

static struct rv_snapshot *network(void)
{
    struct rv_builder *b = NULL;
    assert_int_equal(rv_builder_new(&b, NULL), 0);
    fx_types(b);
    assert_int_equal(rv_builder_add_unit(b, 1, "North", NULL), 0);
    assert_int_equal(rv_builder_add_unit(b, 2, "South", NULL), 0);
    assert_int_equal(rv_builder_add_unit(b, 3, "Dealer", NULL), 0);
    assert_int_equal(rv_builder_add_team(b, 10, "Alpha", 1, NULL), 0);
    assert_int_equal(rv_builder_add_team(b, 20, "Beta", 2, NULL), 0);
    assert_int_equal(rv_builder_add_user(b, 100, "ann@example.com", "Ann", 10, 1, NULL), 0);
    assert_int_equal(rv_builder_add_user(b, 200, "bob@example.com", "Bob", 20, 2, NULL), 0);
    assert_int_equal(rv_builder_add_user(b, 300, "cy@example.com", "Cy", 10, 1, NULL), 0);
    assert_int_equal(rv_builder_add_user(b, 400, "dee@example.com", "Dee", 0, 1, NULL), 0);
    assert_int_equal(rv_builder_add_user(b, 500, "pat@example.com", "Pat", 0, 3, NULL), 0);
    fx_contact(b, 1, 1001, 10, 1, 100, NULL);
    fx_contact(b, 2, 1001, 10, 1, 100, NULL);
    fx_contact(b, 3, 1002, 20, 2, 200, NULL);
    fx_contact(b, 4, 0, 10, 1, 100, NULL);
    fx_begin(b);
    fx_add(b, row(1, 1, 1, 0, 100));
    fx_add(b, row(2, 1, 3, 1, 300));
    fx_add(b, row(3, 2, 4, 2, 100));
    fx_add(b, row(4, 2, 5, 3, 0));
    fx_add(b, row(5, 2, 2, 4, 500));
    fx_add(b, row(6, 1, 6, 5, 400));
    fx_add(b, row(7, 1, 3, 6, 100));
    struct rv_interaction_in v = row(8, 1, 1, 7, 100);
    v.voids_id = 7;
    fx_add(b, v);
    fx_add(b, row(9, 3, 4, 1, 200));
    fx_add(b, row(10, 4, 3, 2, 0));
    const struct rv_order_in orders[] = {
        {1001, 1, fx_ms(0), 1000, 0, false},
        {1001, 2, fx_ms(10), 1000, 0, false},
        {1001, 0, fx_ms(20), 5000, 0, false},
        {1002, 3, fx_ms(5), 2000, 0, false},
    };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(rv_builder_add_order(b, &orders[i], NULL), 0);
    return fx_finish(b);
}

struct seen {
    size_t n;
    size_t customer[8];
    struct v2t2_cells cells[8];
};

static int collect(void *ctx, size_t k, const struct v2t2_cells *cells)
{
    struct seen *s = ctx;
    assert_true(s->n < 8);
    s->customer[s->n] = k;
    s->cells[s->n++] = *cells;
    return 0;
}

static void cell_is(const struct v2t2_cell *c, uint32_t n, double touch, double tech)
{
    assert_int_equal(c->n, n);
    assert_near(c->touch, touch);
    assert_near(c->tech, tech);
}

static void test_walk_cells_and_agents(void **state)
{
    (void)state;
    struct rv_snapshot *s = network();
    const struct v2t2_window all = {RV_TIME_MIN, RV_TIME_MAX, NULL};
    struct seen seen = {0};
    assert_int_equal(v2t2_walk(s, &CAT, &all, collect, &seen, NULL), 0);
    /* accounts 1001, 1002 are customers 0 and 1; c4 (index 3) is customer nacct + 3 */
    assert_int_equal(s->nacct, 2);
    assert_int_equal(seen.n, 3);
    assert_int_equal(seen.customer[0], 0);
    assert_int_equal(seen.customer[1], 1);
    assert_int_equal(seen.customer[2], 2 + 3);
    const struct v2t2_cells *a = &seen.cells[0];
    cell_is(&a->c[RV_STAGE_ACQUISITION][V2T2_AGENT_REP], 1, 0.9, 0.1);
    cell_is(&a->c[RV_STAGE_ACQUISITION][V2T2_AGENT_PARTNER], 1, 0.8, 0.2);
    cell_is(&a->c[RV_STAGE_CLOSING][V2T2_AGENT_TEAM], 1, 0.3, 0.9);
    cell_is(&a->c[RV_STAGE_CLOSING][V2T2_AGENT_REP], 1, 0.6, 0.7); /* 7 and 8 void each other */
    cell_is(&a->c[RV_STAGE_RETENTION][V2T2_AGENT_SELF], 1, 0.1, 0.8);
    cell_is(&a->c[RV_STAGE_RETENTION][V2T2_AGENT_UNIT], 1, 0.2, 0.4);
    uint32_t total = 0;
    for (int ph = 0; ph < RV_NSTAGES; ph++)
        for (int g = 0; g < V2T2_NAGENTS; g++)
            total += a->c[ph][g].n;
    assert_int_equal(total, 6);
    cell_is(&seen.cells[1].c[RV_STAGE_CLOSING][V2T2_AGENT_REP], 1, 0.6, 0.7);
    cell_is(&seen.cells[2].c[RV_STAGE_CLOSING][V2T2_AGENT_SELF], 1, 0.3, 0.9);
    /* a window from day 3 keeps c2's self-service and partner and c1's unit interaction */
    const struct v2t2_window late = {rv_time_from_ms(fx_ms(3)), RV_TIME_MAX, NULL};
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(v2t2_walk(s, &CAT, &late, collect, &seen, NULL), 0);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.cells[0].c[RV_STAGE_ACQUISITION][V2T2_AGENT_REP].n, 0);
    cell_is(&seen.cells[0].c[RV_STAGE_ACQUISITION][V2T2_AGENT_PARTNER], 1, 0.8, 0.2);
    rv_snapshot_free(s);
}

/* One set of thresholds for every customer: value_customer 1, volume 1, a period of 10 days. */
static const struct v2t2_thresholds TH1 = {
    .value = {[V2T2_POV_CUSTOMER] = 1}, .volume = 1, .period_days = 10, .tone = {0.5, 0.5}};
static const struct v2t2_config CFG1 = {&TH1, NULL};
static const struct v2t2_zone_spec ZSPEC = {&CFG1, RV_TIME_MAX};

static void test_customer_zones(void **state)
{
    (void)state;
    struct rv_snapshot *s = network();
    struct v2t2_place *z = NULL;
    assert_int_equal(v2t2_customer_zones(s, &ZSPEC, &z, NULL), 0);
    /* span day 0..20 = 2 periods of 10 days. 1001: latest 5000 against the median of
     * {1000, 1000} = 5; 3 orders / 2 = 1.5 per period: Q2 */
    assert_near(z[0].amount, 5000);
    assert_near(z[0].baseline, 1000);
    assert_near(z[0].value_ratio, 5);
    assert_near(z[0].per_period, 1.5);
    assert_int_equal(z[0].zone, V2T2_Q2);
    /* 1002: its only order, 2000, against the median of every order {1000, 1000, 2000, 5000}
     * = 1500; 1 / 2 = 0.5 per period: Q1 */
    assert_near(z[1].baseline, 1500);
    assert_near(z[1].value_ratio, 2000.0 / 1500.0);
    assert_near(z[1].per_period, 0.5);
    assert_int_equal(z[1].zone, V2T2_Q1);
    /* c4 has no order */
    assert_int_equal(z[2 + 3].zone, V2T2_NONE);
    free(z);
    /* as of day 15: 1001's latest is 1000 on day 10 against {1000}: 1 (high, at the
     * threshold); span 0..15 = 1.5 periods, 2 / 1.5 = 1.33: Q2. 1002: 2000 against the median
     * of {1000, 1000, 2000} = 1000; 1 / 1.5: Q1 */
    struct v2t2_zone_spec early = ZSPEC;
    early.as_of = rv_time_from_ms(fx_ms(15));
    assert_int_equal(v2t2_customer_zones(s, &early, &z, NULL), 0);
    assert_near(z[0].value_ratio, 1);
    assert_near(z[0].per_period, 2 / 1.5);
    assert_int_equal(z[0].zone, V2T2_Q2);
    assert_near(z[1].value_ratio, 2);
    assert_near(z[1].per_period, 1 / 1.5);
    assert_int_equal(z[1].zone, V2T2_Q1);
    free(z);
    rv_snapshot_free(s);
}

static void test_customer_discord(void **state)
{
    (void)state;
    struct rv_snapshot *s = network();
    const struct v2t2_window all = {RV_TIME_MIN, RV_TIME_MAX, NULL};
    double *d = NULL;
    /*
     * 1001 is in Q2 (high touch, high tech). Its cells' distances: acq rep (0.9, 0.1) 0.4,
     * acq partner (0.8, 0.2) 0.3, closing team (0.3, 0.9) 0.2, closing rep (0.6, 0.7) 0,
     * retention self (0.1, 0.8) 0.4, retention unit (0.2, 0.4) sqrt(0.3^2 + 0.1^2).
     */
    const double unit = sqrt(0.09 + 0.01);
    assert_int_equal(v2t2_customer_discord(s, &CAT, &all, &ZSPEC, -1, 1, &d, NULL), 0);
    assert_near(d[0], (0.4 + 0.3 + 0.2 + 0 + 0.4 + unit) / 6);
    /* 1002 in Q1 (high touch, low tech): closing rep (0.6, 0.7) is 0.2 too technical */
    assert_near(d[1], 0.2);
    assert_true(isnan(d[2 + 3])); /* no zone */
    free(d);
    assert_int_equal(v2t2_customer_discord(s, &CAT, &all, &ZSPEC, RV_STAGE_CLOSING, 1, &d, NULL),
                     0);
    assert_near(d[0], (0.2 + 0) / 2);
    free(d);
    /* without c2 (a mask): c1's acq rep, closing team, retention unit */
    uint8_t bits[4] = {1, 0, 1, 1};
    const struct rv_mask mask = {4, bits};
    const struct v2t2_window masked = {RV_TIME_MIN, RV_TIME_MAX, &mask};
    assert_int_equal(v2t2_customer_discord(s, &CAT, &masked, &ZSPEC, -1, 1, &d, NULL), 0);
    assert_near(d[0], (0.4 + 0.2 + unit) / 3);
    free(d);
    /* threads split the customers: the same answers on 1, 2 and 3 threads */
    for (unsigned th = 2; th <= 3; th++) {
        double *p = NULL;
        assert_int_equal(v2t2_customer_discord(s, &CAT, &all, &ZSPEC, -1, 1, &d, NULL), 0);
        assert_int_equal(v2t2_customer_discord(s, &CAT, &all, &ZSPEC, -1, th, &p, NULL), 0);
        for (size_t k = 0; k < s->nacct + s->nc; k++)
            assert_true((isnan(d[k]) && isnan(p[k])) || d[k] == p[k]);
        free(d);
        free(p);
    }
    rv_snapshot_free(s);
}

/*
 * Two units with their own thresholds (docs/v2t2.md, "Settings"): 1001 and c4 are North's
 * (set 1), 1002 South's (set 2), the contacts of accounts nobody's (set 0). A relationship's
 * zone and discord follow its own unit's thresholds, and a change of one unit's leaves the
 * other unit's relationships as they were.
 */
static void test_thresholds_per_unit(void **state)
{
    (void)state;
    struct rv_snapshot *s = network();
    const size_t ncust = s->nacct + s->nc;
    assert_int_equal(ncust, 6);
    struct v2t2_thresholds set[3] = {TH1, TH1, TH1};
    const uint32_t of[6] = {1, 2, 0, 0, 0, 1};
    const struct v2t2_config cfg = {set, of};
    const struct v2t2_zone_spec zs = {&cfg, RV_TIME_MAX};
    assert_ptr_equal(v2t2_config_of(&cfg, 1), &set[2]);
    assert_ptr_equal(v2t2_config_of(&CFG1, 4), &TH1);
    struct v2t2_place *z = NULL;
    /* the same thresholds everywhere: as with one set (1001 Q2, 1002 Q1) */
    assert_int_equal(v2t2_customer_zones(s, &zs, &z, NULL), 0);
    assert_int_equal(z[0].zone, V2T2_Q2);
    assert_int_equal(z[1].zone, V2T2_Q1);
    free(z);
    /* South asks twice the usual order for high value: 1002's 2000 / 1500 = 1.33 is low now
     * (Q4); North's 1001 (5 x its usual) stays Q2 */
    set[2].value[V2T2_POV_CUSTOMER] = 2;
    assert_int_equal(v2t2_customer_zones(s, &zs, &z, NULL), 0);
    assert_int_equal(z[0].zone, V2T2_Q2);
    assert_near(z[1].value_threshold, 2);
    assert_false(z[1].high_value);
    assert_int_equal(z[1].zone, V2T2_Q4);
    free(z);
    /* South counts in periods of 40 days: the span of 20 days is less than one period, so
     * 1002's one order is 1 per period, high volume (Q3); 1001 keeps 1.5 per period (Q2) */
    set[2].period_days = 40;
    assert_int_equal(v2t2_customer_zones(s, &zs, &z, NULL), 0);
    assert_near(z[1].per_period, 1);
    assert_int_equal(z[1].zone, V2T2_Q3);
    assert_near(z[0].per_period, 1.5);
    assert_int_equal(z[0].zone, V2T2_Q2);
    free(z);
    set[2] = TH1;
    /* North's touch threshold goes up to 0.95: 1001 (Q2 expects high touch, high tech) now
     * lacks touch in every cell; 1002 (South) keeps its discord of 0.2 */
    const struct v2t2_window all = {RV_TIME_MIN, RV_TIME_MAX, NULL};
    double *d = NULL;
    set[1].tone.touch = 0.95;
    assert_int_equal(v2t2_customer_discord(s, &CAT, &all, &zs, -1, 1, &d, NULL), 0);
    const double want =
        (hypot(0.05, 0.4) + hypot(0.15, 0.3) + 0.65 + 0.35 + 0.85 + hypot(0.75, 0.1)) / 6;
    assert_near(d[0], want);
    assert_near(d[1], 0.2);
    free(d);
    /* and South's tech threshold down to 0.75: 1002's closing rep (0.6, 0.7), which Q1 wants
     * low in tech, is in tune; 1001 is unchanged */
    set[2].tone.tech = 0.75;
    assert_int_equal(v2t2_customer_discord(s, &CAT, &all, &zs, -1, 2, &d, NULL), 0);
    assert_near(d[0], want);
    assert_near(d[1], 0);
    free(d);
    rv_snapshot_free(s);
}

static int cmp_dbl(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double sorted_median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_dbl);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Medians over many orders with repeated amounts, against a sort: account 1 has 100 earlier
 * orders and a latest one; account 2 has one order, placed against the median of all 102. */
static void test_zone_medians_against_a_sort(void **state)
{
    (void)state;
    for (int round = 0; round < 2; round++) {
        struct rv_builder *b = fx_builder();
        fx_contact(b, 1, 1, 10, 1, 100, NULL);
        fx_contact(b, 2, 2, 10, 1, 100, NULL);
        fx_begin(b);
        uint64_t x = 12345 + (uint64_t)round;
        double earlier[100], all[102];
        const size_t nearlier = 100 - (size_t)round; /* even, then odd */
        size_t nall = 0;
        for (size_t i = 0; i < nearlier; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            const int64_t amount = 100 * (int64_t)((x >> 33) % 50); /* many ties */
            const struct rv_order_in o = {1, 1, fx_ms((double)i), amount, 0, false};
            assert_int_equal(rv_builder_add_order(b, &o, NULL), 0);
            earlier[i] = (double)amount;
            all[nall++] = (double)amount;
        }
        const struct rv_order_in latest = {1, 1, fx_ms(200), 7777, 0, false};
        const struct rv_order_in only = {2, 2, fx_ms(150), 3333, 0, false};
        assert_int_equal(rv_builder_add_order(b, &latest, NULL), 0);
        assert_int_equal(rv_builder_add_order(b, &only, NULL), 0);
        all[nall++] = 7777;
        all[nall++] = 3333;
        struct rv_snapshot *s = fx_finish(b);
        struct v2t2_place *z = NULL;
        assert_int_equal(v2t2_customer_zones(s, &ZSPEC, &z, NULL), 0);
        assert_near(z[0].amount, 7777);
        assert_near(z[0].baseline, sorted_median(earlier, nearlier));
        assert_near(z[1].baseline, sorted_median(all, nall));
        free(z);
        rv_snapshot_free(s);
    }
}

static void test_names(void **state)
{
    (void)state;
    for (int p = 0; p < V2T2_NPOVS; p++)
        assert_int_equal(v2t2_pov_from_name(v2t2_pov_name(p)), p);
    for (int a = 0; a < V2T2_NAGENTS; a++)
        assert_int_equal(v2t2_agent_from_name(v2t2_agent_name(a)), a);
    assert_int_equal(v2t2_pov_from_name("dealer"), -1);
    assert_string_equal(v2t2_zone_name(V2T2_Q3), "Q3");
    assert_null(v2t2_zone_name(V2T2_NONE));
    assert_string_equal(v2t2_tone_name(V2T2_Q1), "high touch, low tech");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place),
        cmocka_unit_test(test_tone_and_discord),
        cmocka_unit_test(test_walk_cells_and_agents),
        cmocka_unit_test(test_customer_zones),
        cmocka_unit_test(test_customer_discord),
        cmocka_unit_test(test_thresholds_per_unit),
        cmocka_unit_test(test_zone_medians_against_a_sort),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
