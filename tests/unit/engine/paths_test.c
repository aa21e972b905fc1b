/*
 * Tests for src/engine/paths.c: a hand-made case whose paths are read off by eye, and a seeded
 * random population (voids, returns, orders of an account without a contact, churn events, a
 * service type) whose common paths, counts, conversion and median durations are computed again
 * here by brute force, without a prefix tree, and compared with the engine's.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/paths.h"
#include "support/rvfixture.h"

/* The fixture's six types as steps: visit, meeting -> 0; demo -> 1; contract -> 2; complaint,
 * order -> 3 (snapshot type indices follow the ids 1..6). */
static const int16_t step_of_type[6] = {0, 0, 1, 2, 3, 3};

static struct paths_spec spec_of(enum paths_outcome o, int L, int64_t support, const uint8_t *svc)
{
    return (struct paths_spec){.outcome = o,
                               .step_of_type = step_of_type,
                               .nsteps = 4,
                               .service = svc,
                               .max_length = L,
                               .min_support = support};
}

static int32_t find_path(const struct paths_result *r, const int16_t *steps, int n)
{
    for (size_t i = 0; i < r->nnodes; i++) {
        if (r->nodes[i].depth != n)
            continue;
        int32_t k = (int32_t)i;
        int d = n - 1;
        while (k >= 0 && d >= 0 && r->nodes[k].step == steps[d]) {
            k = r->nodes[k].parent;
            d--;
        }
        if (k < 0 && d < 0)
            return (int32_t)i;
    }
    return -1;
}

/*
 * c1: visit d0, meeting d1 (collapsed), demo d2, order d5 -> path [0, 1], 5 days.
 * c2: visit d0, demo d3, order d4 -> [0, 1], 4 days.
 * c3: visit d0, contract d1, complaint d2 (no order) -> [0, 2, 3], stopped.
 * c4: demo d0 voided by a visit d1 (both excluded) -> no path.
 * A return for c3 at d1 does not count as a purchase.
 */
static void hand_made(void **state)
{
    (void)state;
    struct rv_builder *b = fx_builder();
    for (int64_t c = 1; c <= 4; c++)
        fx_contact(b, c, 0, 10, 1, 100, NULL);
    fx_begin(b);
    fx_add(b, fx_row(1, 1, 1, 0));
    fx_add(b, fx_row(2, 1, 2, 1));
    fx_add(b, fx_row(3, 1, 3, 2));
    fx_add(b, fx_row(4, 2, 1, 0));
    fx_add(b, fx_row(5, 2, 3, 3));
    fx_add(b, fx_row(6, 3, 1, 0));
    fx_add(b, fx_row(7, 3, 4, 1));
    fx_add(b, fx_row(8, 3, 5, 2));
    fx_add(b, fx_row(9, 4, 3, 0));
    struct rv_interaction_in v = fx_row(10, 4, 1, 1);
    v.voids_id = 9;
    fx_add(b, v);
    const struct rv_order_in orders[] = {
        {0, 1, fx_ms(5), 1000, 100, false},
        {0, 2, fx_ms(4), 1000, 100, false},
        {0, 3, fx_ms(1), -500, -50, true},
    };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(rv_builder_add_order(b, &orders[i], NULL), 0);
    struct rv_snapshot *s = fx_finish(b);
    struct paths_spec spec = spec_of(PATHS_PURCHASE, 5, 1, NULL);
    struct paths_result r;
    struct kith_error err = {0};
    assert_int_equal(paths_compute(s, &spec, &r, &err), 0);
    assert_int_equal(r.contacts, 3);
    assert_int_equal(r.converted, 2);
    assert_true(fabs(r.median_days - 4.5) < 1e-9);
    const int16_t ab[] = {0, 1}, acd[] = {0, 2, 3}, a[] = {0};
    int32_t n_ab = find_path(&r, ab, 2), n_acd = find_path(&r, acd, 3), n_a = find_path(&r, a, 1);
    assert_true(n_ab >= 0 && n_acd >= 0 && n_a >= 0);
    assert_int_equal(r.nodes[n_a].contacts, 3);
    assert_int_equal(r.nodes[n_a].converted, 2);
    assert_int_equal(r.nodes[n_ab].here, 2);
    assert_int_equal(r.nodes[n_ab].contacts, 2);
    assert_true(fabs(r.nodes[n_ab].median_days - 4.5) < 1e-9);
    assert_int_equal(r.nodes[n_acd].stopped, 1);
    assert_int_equal(r.npaths, 1);
    assert_int_equal(r.paths[0], n_ab);
    paths_result_release(&r);

    /* cut at one step: both converters end at [0] */
    spec.max_length = 1;
    assert_int_equal(paths_compute(s, &spec, &r, &err), 0);
    assert_int_equal(r.nnodes, 1);
    assert_int_equal(r.nodes[0].here, 2);
    assert_int_equal(r.nodes[0].stopped, 1);
    paths_result_release(&r);

    /* support 3: [0] alone is frequent, no path reaches the outcome 3 times */
    spec.max_length = 5;
    spec.min_support = 3;
    assert_int_equal(paths_compute(s, &spec, &r, &err), 0);
    assert_int_equal(r.nnodes, 1);
    assert_int_equal(r.npaths, 0);
    paths_result_release(&r);

    /* a contact's own path keeps every step and counts the collapsed ones */
    struct paths_contact pc;
    assert_int_equal(paths_contact_compute(s, &spec, (size_t)rv_snapshot_contact(s, 1), &pc, &err),
                     0);
    assert_true(pc.reached);
    assert_int_equal(pc.n, 2);
    assert_int_equal(pc.steps[0].count, 2);
    assert_int_equal(s->iid[pc.steps[1].slot], 3);
    paths_contact_release(&pc);
    rv_snapshot_free(s);
}

/* ---- a random population, checked by brute force ------------------------------------------ */

#define NC    400
#define MAXI  12
#define NACCT 130

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t draw(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

struct row {
    int64_t id, type;
    int64_t secs; /* seconds from day 0 */
    bool excluded;
};

struct person {
    struct row rows[MAXI];
    int n;
    int64_t account; /* 1..NACCT */
};

static struct person people[NC + 1];

struct outcome_row {
    int64_t contact, account, secs;
    bool is_return;
};

/* The expected sequence of contact c, cut at L; *reached, *days, *more. */
static int expected_seq(int c, const int64_t *at, int64_t sslot_id, int L, int16_t *seq,
                        bool *reached, int64_t *dur)
{
    const struct person *p = &people[c];
    /* rows are generated in (time, id) order */
    int n = 0;
    int64_t first = -1;
    *reached = at[c] != INT64_MAX;
    for (int i = 0; i < p->n; i++) {
        const struct row *r = &p->rows[i];
        if (r->excluded)
            continue;
        if (*reached) {
            if (sslot_id ? r->id == sslot_id : r->secs >= at[c])
                break;
        }
        int16_t st = step_of_type[r->type - 1];
        if (n && seq[n - 1] == st)
            continue;
        if (n == L)
            break;
        if (first < 0)
            first = r->secs;
        seq[n++] = st;
    }
    *dur = *reached && n ? at[c] - first : 0;
    return n;
}

static int cmp64(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void check_population(enum paths_outcome kind)
{
    rng = 0x9e3779b97f4a7c15ULL + (uint64_t)kind;
    struct rv_builder *b = fx_builder();
    for (int c = 1; c <= NC; c++) {
        people[c].account = 1 + draw(NACCT);
        fx_contact(b, c, people[c].account, 10, 1, 100, NULL);
    }
    fx_begin(b);
    int64_t id = 1;
    for (int c = 1; c <= NC; c++) {
        struct person *p = &people[c];
        p->n = (int)draw(MAXI + 1);
        int64_t t = (int64_t)draw(5) * 86400;
        for (int i = 0; i < p->n; i++) {
            t += 3600 * (1 + (int64_t)draw(200));
            /* few types so that paths repeat */
            p->rows[i] = (struct row){id++, 1 + (int64_t)draw(6), t, false};
        }
        /* now and then void an earlier row by a later one */
        if (p->n >= 3 && draw(5) == 0) {
            int victim = (int)draw((uint32_t)p->n - 1);
            p->rows[p->n - 1].excluded = true;
            p->rows[victim].excluded = true;
        }
        for (int i = 0; i < p->n; i++) {
            struct rv_interaction_in in = fx_row(p->rows[i].id, c, p->rows[i].type, 0);
            in.occurred_at = FX_DAY0_MS + p->rows[i].secs * 1000;
            if (i == p->n - 1 && p->rows[i].excluded) {
                for (int k = 0; k < p->n - 1; k++)
                    if (p->rows[k].excluded)
                        in.voids_id = p->rows[k].id;
            }
            fx_add(b, in);
        }
    }
    /* outcomes: orders (some returns, some naming only the account) or churn events */
    static struct outcome_row outs[3 * NC];
    size_t nouts = 0;
    for (int c = 1; c <= NC; c++) {
        if (draw(3) == 0)
            outs[nouts++] =
                (struct outcome_row){c, people[c].account, (int64_t)draw(60) * 86400, draw(4) == 0};
    }
    for (int a = 1; a <= NACCT; a += 9)
        outs[nouts++] = (struct outcome_row){0, a, (int64_t)draw(60) * 86400, false};
    for (size_t i = 0; i < nouts; i++) {
        if (kind == PATHS_PURCHASE) {
            struct rv_order_in o = {outs[i].account,
                                    outs[i].contact,
                                    FX_DAY0_MS + outs[i].secs * 1000,
                                    outs[i].is_return ? -100 : 100,
                                    0,
                                    outs[i].is_return};
            assert_int_equal(rv_builder_add_order(b, &o, NULL), 0);
        } else if (kind == PATHS_CHURN && !outs[i].is_return) {
            struct rv_event_in e = {outs[i].contact, outs[i].account, "churn",
                                    FX_DAY0_MS + outs[i].secs * 1000};
            assert_int_equal(rv_builder_add_event(b, &e, NULL), 0);
        }
    }
    struct rv_snapshot *s = fx_finish(b);

    /* the expected outcome of each contact */
    static int64_t at[NC + 1], sid[NC + 1];
    for (int c = 1; c <= NC; c++) {
        at[c] = INT64_MAX;
        sid[c] = 0;
        if (kind == PATHS_SERVICE) { /* the first counted complaint (type 5) */
            for (int i = 0; i < people[c].n && !sid[c]; i++)
                if (!people[c].rows[i].excluded && people[c].rows[i].type == 5) {
                    at[c] = people[c].rows[i].secs;
                    sid[c] = people[c].rows[i].id;
                }
            continue;
        }
        for (size_t i = 0; i < nouts; i++) {
            if (outs[i].is_return)
                continue;
            bool mine = outs[i].contact == c ||
                        (outs[i].contact == 0 && outs[i].account == people[c].account);
            if (mine && outs[i].secs < at[c])
                at[c] = outs[i].secs;
        }
    }
    uint8_t svc[6] = {0, 0, 0, 0, 1, 0};
    for (int L = 1; L <= 4; L++) {
        for (int64_t support = 1; support <= 8; support *= 2) {
            struct paths_spec spec = spec_of(kind, L, support, svc);
            struct paths_result r;
            struct kith_error err = {0};
            assert_int_equal(paths_compute(s, &spec, &r, &err), 0);
            static int16_t seqs[NC + 1][PATHS_MAX_LENGTH];
            static int lens[NC + 1];
            static bool reached[NC + 1];
            static int64_t durs[NC + 1];
            int64_t contacts = 0, converted = 0, without = 0;
            for (int c = 1; c <= NC; c++) {
                lens[c] = expected_seq(c, at, sid[c], L, seqs[c], &reached[c], &durs[c]);
                contacts += lens[c] > 0;
                converted += lens[c] > 0 && reached[c];
                without += lens[c] == 0 && reached[c];
            }
            assert_int_equal(r.contacts, contacts);
            assert_int_equal(r.converted, converted);
            assert_int_equal(r.without_path, without);
            /* every distinct prefix of every sequence: count it by brute force */
            size_t frequent = 0, paths = 0;
            for (int c = 1; c <= NC; c++) {
                for (int d = 1; d <= lens[c]; d++) {
                    /* count each prefix once: at its first contact */
                    bool seen = false;
                    for (int e = 1; e < c && !seen; e++)
                        seen = lens[e] >= d && memcmp(seqs[e], seqs[c], (size_t)d * 2) == 0;
                    if (seen)
                        continue;
                    int64_t through = 0, conv = 0, here = 0, stopped = 0, hd[NC];
                    size_t nh = 0;
                    for (int e = 1; e <= NC; e++) {
                        if (lens[e] < d || memcmp(seqs[e], seqs[c], (size_t)d * 2) != 0)
                            continue;
                        through++;
                        conv += reached[e];
                        if (lens[e] == d) {
                            here += reached[e];
                            stopped += !reached[e];
                            if (reached[e])
                                hd[nh++] = durs[e];
                        }
                    }
                    int32_t k = find_path(&r, seqs[c], d);
                    if (through < support) {
                        assert_int_equal(k, -1);
                        continue;
                    }
                    frequent++;
                    assert_true(k >= 0);
                    assert_int_equal(r.nodes[k].contacts, through);
                    assert_int_equal(r.nodes[k].converted, conv);
                    assert_int_equal(r.nodes[k].here, here);
                    assert_int_equal(r.nodes[k].stopped, stopped);
                    if (nh) {
                        qsort(hd, nh, sizeof(hd[0]), cmp64);
                        double med = (double)(hd[(nh - 1) / 2] + hd[nh / 2]) / 2.0 / 86400.0;
                        assert_true(fabs(r.nodes[k].median_days - med) < 1e-9);
                    } else {
                        assert_true(isnan(r.nodes[k].median_days));
                    }
                    paths += here >= support;
                }
            }
            assert_int_equal(r.nnodes, frequent);
            assert_int_equal(r.npaths, paths);
            for (size_t i = 0; i < r.nnodes; i++) /* a parent comes before its children */
                assert_true(r.nodes[i].parent < (int32_t)i);
            for (size_t i = 1; i < r.npaths; i++)
                assert_true(r.nodes[r.paths[i - 1]].here >= r.nodes[r.paths[i]].here);
            paths_result_release(&r);
        }
    }
    rv_snapshot_free(s);
}

static void random_purchase(void **state)
{
    (void)state;
    check_population(PATHS_PURCHASE);
}

static void random_churn(void **state)
{
    (void)state;
    check_population(PATHS_CHURN);
}

static void random_service(void **state)
{
    (void)state;
    check_population(PATHS_SERVICE);
}

static void bad_spec(void **state)
{
    (void)state;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_begin(b);
    struct rv_snapshot *s = fx_finish(b);
    struct paths_result r;
    struct kith_error err = {0};
    struct paths_spec spec = spec_of(PATHS_PURCHASE, 0, 1, NULL);
    assert_int_equal(paths_compute(s, &spec, &r, &err), KITH_EINVAL);
    spec = spec_of(PATHS_PURCHASE, PATHS_MAX_LENGTH + 1, 1, NULL);
    assert_int_equal(paths_compute(s, &spec, &r, &err), KITH_EINVAL);
    spec = spec_of(PATHS_PURCHASE, 3, 0, NULL);
    assert_int_equal(paths_compute(s, &spec, &r, &err), KITH_EINVAL);
    spec = spec_of(PATHS_SERVICE, 3, 1, NULL);
    assert_int_equal(paths_compute(s, &spec, &r, &err), KITH_EINVAL);
    rv_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_made),    cmocka_unit_test(random_purchase),
        cmocka_unit_test(random_churn), cmocka_unit_test(random_service),
        cmocka_unit_test(bad_spec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
