/*
 * Tests for src/engine/snapshot.c: building from parallel segments (unknown contacts, runs sorted
 * by time and id, voids within and across contacts, pending voids, clamping), scope masks,
 * and the property that folding interactions in one by one gives exactly what a full rebuild
 * gives, on random streams with voids, equal timestamps and out-of-order arrivals.
 */
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

static void test_segments_unknown_contacts_and_order(void **state)
{
    (void)state;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 5, 0, 10, 1, 100, "food");
    fx_contact(b, 3, 0, 20, 2, 200, "food");
    fx_contact(b, 3, 0, 20, 2, 200, "pharma"); /* a repeated id keeps its last row */
    assert_int_equal(rv_builder_begin_interactions(b, 2, NULL), 0);
    struct rv_interaction_in r = fx_row(4, 5, 1, 2);
    assert_int_equal(rv_builder_add_interaction(b, 1, &r, NULL), 0);
    r = fx_row(1, 5, 2, 1);
    assert_int_equal(rv_builder_add_interaction(b, 0, &r, NULL), 0);
    r = fx_row(2, 9, 1, 0); /* contact 9 is not known: added bare */
    assert_int_equal(rv_builder_add_interaction(b, 0, &r, NULL), 0);
    r = fx_row(3, 3, 99, 0); /* unknown type: counts its recorded RV, here none: 0 */
    assert_int_equal(rv_builder_add_interaction(b, 1, &r, NULL), 0);
    struct rv_snapshot *s = fx_finish(b);
    assert_int_equal(s->nc, 3);
    assert_int_equal(s->nlive, 4);
    int32_t c5 = rv_snapshot_contact(s, 5), c3 = rv_snapshot_contact(s, 3);
    int32_t c9 = rv_snapshot_contact(s, 9);
    assert_true(c5 >= 0 && c3 >= 0 && c9 >= 0);
    assert_int_equal(rv_snapshot_contact(s, 4), -1);
    assert_string_equal(rv_dict_name(&s->industries, s->industry[c3]), "pharma");
    assert_int_equal(s->team[c9], RV_NONE);
    /* contact 5's run: id 1 (day 1) before id 4 (day 2) although segment 1 came later */
    assert_int_equal(s->count[c5], 2);
    assert_int_equal(s->iid[s->start[c5]], 1);
    assert_int_equal(s->iid[s->start[c5] + 1], 4);
    assert_int_equal(s->rv_total[c5], 7);
    assert_int_equal(s->type[s->start[c3]], RV_NONE);
    assert_int_equal(s->rv_total[c3], 0);
    assert_int_equal(s->level[c3], 1);
    rv_snapshot_free(s);
}

static void test_voids_across_contacts_and_pending(void **state)
{
    (void)state;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_contact(b, 2, 0, 10, 1, 100, NULL);
    fx_begin(b);
    fx_add(b, fx_row(10, 1, 4, 0)); /* +20 trigger, voided from contact 2's correction */
    struct rv_interaction_in v = fx_row(11, 2, 1, 1);
    v.voids_id = 10;
    fx_add(b, v);
    struct rv_interaction_in p = fx_row(12, 2, 1, 2);
    p.voids_id = 500; /* not held (yet) */
    fx_add(b, p);
    struct rv_snapshot *s = fx_finish(b);
    int32_t c1 = rv_snapshot_contact(s, 1), c2 = rv_snapshot_contact(s, 2);
    assert_int_equal(s->rv_total[c1], 0);
    assert_int_equal(s->level[c1], 0);
    assert_int_equal(s->rv_total[c2], 0);
    assert_int_equal(s->npending, 1);
    assert_int_equal(s->pending[0], 500);
    /* interaction 500 arrives later: it is voided on arrival */
    struct rv_interaction_in late = fx_row(500, 1, 3, 3);
    struct rv_update up;
    assert_int_equal(rv_snapshot_add_interaction(s, &late, 0, &up, NULL), 0);
    assert_int_equal(up.after.rv, 0);
    assert_int_equal(s->npending, 0);
    /* a void from another contact, with the hint */
    struct rv_interaction_in k = fx_row(501, 1, 3, 4); /* +8 */
    assert_int_equal(rv_snapshot_add_interaction(s, &k, 0, &up, NULL), 0);
    assert_int_equal(s->rv_total[c1], 8);
    struct rv_interaction_in kv = fx_row(502, 2, 1, 5);
    kv.voids_id = 501;
    assert_int_equal(rv_snapshot_add_interaction(s, &kv, 1, &up, NULL), 0);
    assert_int_equal(up.voided_contact, c1);
    assert_int_equal(s->rv_total[c1], 0);
    /* the same id twice is refused */
    struct kith_error err = {0};
    assert_int_equal(rv_snapshot_add_interaction(s, &k, 0, &up, &err), KITH_ECONFLICT);
    rv_snapshot_free(s);
}

static void test_clamping(void **state)
{
    (void)state;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_begin(b);
    struct rv_interaction_in r = fx_row(1, 1, 1, 0);
    r.has_rv = true;
    r.rv = 1000000;
    fx_add(b, r);
    r = fx_row(2, 1, 1, 0);
    r.occurred_at = 4102444800000LL * 2; /* 2200-ish: beyond 2068 */
    fx_add(b, r);
    struct rv_snapshot *s = fx_finish(b);
    assert_int_equal(s->nclamped, 2);
    assert_int_equal(s->rv[0], INT16_MAX);
    assert_int_equal(s->t[1], RV_TIME_MAX);
    rv_snapshot_free(s);
}

static void test_masks(void **state)
{
    (void)state;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_contact(b, 2, 0, 20, 2, 200, NULL);
    fx_contact(b, 3, 0, 20, 1, 100, NULL);
    fx_begin(b);
    struct rv_snapshot *s = fx_finish(b);
    struct rv_mask m;
    assert_int_equal(rv_mask_scope(s, false, 0, 20, 0, &m, NULL), 0);
    assert_false(rv_mask_has(&m, 0));
    assert_true(rv_mask_has(&m, 1));
    assert_true(rv_mask_has(&m, 2));
    assert_false(rv_mask_has(&m, 3)); /* a later contact is out */
    rv_mask_release(&m);
    assert_int_equal(rv_mask_scope(s, false, 0, 0, 100, &m, NULL), 0);
    assert_true(rv_mask_has(&m, 0) && !rv_mask_has(&m, 1) && rv_mask_has(&m, 2));
    rv_mask_release(&m);
    assert_int_equal(rv_mask_scope(s, false, 0, 0, 0, &m, NULL), 0);
    assert_false(rv_mask_has(&m, 0) || rv_mask_has(&m, 1) || rv_mask_has(&m, 2));
    rv_mask_release(&m);
    assert_int_equal(rv_mask_scope(s, true, 0, 0, 0, &m, NULL), 0);
    assert_true(rv_mask_has(&m, 0) && rv_mask_has(&m, 1) && rv_mask_has(&m, 2));
    rv_mask_release(&m);
    assert_true(rv_mask_has(NULL, 12345));
    assert_true(rv_snapshot_bytes(s) > 0);
    rv_snapshot_free(s);
}

/* ---- the property: incremental == rebuild ---------------------------------------------------- */

static uint64_t prng = 1;
static uint32_t rnd(uint32_t n)
{
    prng = prng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((prng >> 33) % n);
}

#define NSTREAM 1500
#define NCONT   40

static struct rv_snapshot *build_all(const struct rv_interaction_in *rows, size_t n, size_t nseg)
{
    struct rv_builder *b = fx_builder();
    for (int c = 1; c <= NCONT; c++)
        fx_contact(b, c, 1000 + c % 5, c % 3 ? 10 : 20, 1 + c % 2, c % 2 ? 100 : 200, NULL);
    assert_int_equal(rv_builder_begin_interactions(b, (unsigned)nseg, NULL), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(rv_builder_add_interaction(b, (unsigned)(i * nseg / n), &rows[i], NULL),
                         0);
    return fx_finish(b);
}

/*
 * The same, begun early: contacts are added while the interactions are (half the rows, then the
 * contacts, then the rest; a contact id above INT32_MAX exercises the by-id path's fallback).
 */
static struct rv_snapshot *build_early(const struct rv_interaction_in *rows, size_t n, size_t nseg)
{
    struct rv_builder *b = fx_builder();
    assert_int_equal(rv_builder_begin_early(b, (unsigned)nseg, NULL), 0);
    for (size_t i = 0; i < n / 2; i++)
        assert_int_equal(rv_builder_add_interaction(b, (unsigned)(i * nseg / n), &rows[i], NULL),
                         0);
    for (int c = 1; c <= NCONT; c++)
        fx_contact(b, c, 1000 + c % 5, c % 3 ? 10 : 20, 1 + c % 2, c % 2 ? 100 : 200, NULL);
    for (size_t i = n / 2; i < n; i++)
        assert_int_equal(rv_builder_add_interaction(b, (unsigned)(i * nseg / n), &rows[i], NULL),
                         0);
    return fx_finish(b);
}

static void assert_same_contacts(const struct rv_snapshot *a, const struct rv_snapshot *b)
{
    assert_int_equal(a->nc, b->nc);
    assert_int_equal(a->nlive, b->nlive);
    for (size_t c = 0; c < a->nc; c++) {
        int32_t d = rv_snapshot_contact(b, a->cid[c]);
        assert_true(d >= 0);
        assert_int_equal(a->rv_total[c], b->rv_total[d]);
        assert_int_equal(a->first[c], b->first[d]);
        assert_int_equal(a->last[c], b->last[d]);
        assert_int_equal(a->ncounted[c], b->ncounted[d]);
        assert_int_equal(a->level[c], b->level[d]);
        assert_int_equal(a->count[c], b->count[d]);
        /* the runs are equal slot by slot */
        for (uint32_t k = 0; k < a->count[c]; k++) {
            size_t i = a->start[c] + k, j = b->start[d] + k;
            assert_int_equal(a->iid[i], b->iid[j]);
            assert_int_equal(a->t[i], b->t[j]);
            assert_int_equal(a->flags[i], b->flags[j]);
        }
    }
}

static void assert_same_norms(const struct rv_snapshot *a, const struct rv_snapshot *b,
                              int64_t as_of)
{
    struct norm_spec spec;
    norm_spec_init(&spec, NORM_TEAM, as_of);
    spec.bucket_days = 3;
    struct norm_result *ra, *rb;
    assert_int_equal(norm_compute(a, &spec, &ra, NULL), 0);
    assert_int_equal(norm_compute(b, &spec, &rb, NULL), 0);
    assert_int_equal(ra->ngroups, rb->ngroups);
    assert_int_equal(ra->nrows, rb->nrows);
    for (size_t i = 0; i < ra->nrows; i++) {
        assert_int_equal(ra->rows[i].n, rb->rows[i].n);
        if (ra->rows[i].n)
            assert_true(ra->rows[i].p50 == rb->rows[i].p50 && ra->rows[i].p10 == rb->rows[i].p10 &&
                        ra->rows[i].p90 == rb->rows[i].p90);
    }
    /* each contact's incremental position equals the batch one */
    for (size_t k = 0; k < ra->npositions; k++) {
        const struct norm_position *p = &ra->positions[k];
        struct norm_position q[4];
        size_t n;
        norm_position_of(ra, a, (size_t)p->contact, 0, q, 4, &n);
        assert_int_equal(n, 1);
        assert_int_equal(q[0].row, p->row);
        assert_int_equal(q[0].rv, p->rv);
        assert_true(q[0].percentile == p->percentile);
        assert_int_equal(q[0].status, p->status);
    }
    norm_result_free(ra);
    norm_result_free(rb);
}

static void run_property(uint64_t seed)
{
    prng = seed;
    struct rv_interaction_in *rows = calloc(NSTREAM, sizeof(*rows));
    int64_t *vc = calloc(NSTREAM, sizeof(*vc)); /* contact of the voided row, for the hint */
    size_t n = 0;
    for (size_t i = 0; i < NSTREAM; i++) {
        /* some contacts unknown to the builder, a few with ids beyond 32 bits */
        int64_t contact = rnd(100) == 0 ? (int64_t)INT32_MAX + 1 + rnd(2) : 1 + rnd(NCONT + 5);
        /* coarse days so that equal timestamps are common; arrival order is not time order */
        double day = (double)rnd(60);
        struct rv_interaction_in r = fx_row((int64_t)i + 1, contact, 1 + rnd(6), day);
        if (rnd(4) == 0) {
            r.has_rv = true;
            r.rv = (int64_t)rnd(40) - 20;
        }
        if (i > 0 && rnd(10) == 0) {
            /* void an earlier row, usually of the same contact, sometimes of another */
            size_t target = rnd((uint32_t)i);
            r.voids_id = rows[target].id;
            if (rnd(3))
                r.contact_id = rows[target].contact_id;
            vc[n] = rows[target].contact_id;
        }
        if (rnd(50) == 0) {
            r.voids_id = 100000 + rnd(20); /* a void of something never held */
            vc[n] = 0;
        }
        rows[n++] = r;
    }
    /* the reference: everything through the builder, in two segments */
    struct rv_snapshot *full = build_all(rows, n, 2);
    /* begun early, with the contacts read while the interactions are: the same snapshot */
    for (size_t nseg = 1; nseg <= 3; nseg++) {
        struct rv_snapshot *early = build_early(rows, n, nseg);
        assert_same_contacts(full, early);
        assert_same_contacts(early, full);
        rv_snapshot_free(early);
    }
    /* incremental: a prefix through the builder, the rest one at a time in shuffled order, so
     * that a void may even arrive before the row it voids (it waits as a pending void) */
    size_t k0 = n / 3;
    struct rv_snapshot *inc = build_all(rows, k0, 1);
    size_t *order = malloc((n - k0) * sizeof(*order));
    for (size_t i = 0; i < n - k0; i++)
        order[i] = k0 + i;
    for (size_t i = n - k0; i > 1; i--) {
        size_t j = rnd((uint32_t)i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    for (size_t i = 0; i < n - k0; i++) {
        const struct rv_interaction_in *r = &rows[order[i]];
        int64_t hint = r->voids_id && vc[order[i]] != r->contact_id ? vc[order[i]] : 0;
        struct rv_update up;
        struct kith_error err = {0};
        int rc = rv_snapshot_add_interaction(inc, r, hint, &up, &err);
        if (rc != 0)
            fail_msg("add %lld: %s", (long long)r->id, err.msg);
        struct rv_contact_state st;
        rv_contact_state_at(inc, (size_t)up.contact, RV_TIME_MAX, &st);
        assert_int_equal(st.rv, up.after.rv);
        assert_int_equal(st.level, up.after.level);
    }
    assert_same_contacts(full, inc);
    assert_same_contacts(inc, full);
    assert_same_norms(full, inc, fx_ms(61));
    assert_same_norms(full, inc, fx_ms(30));
    /* and after compaction */
    assert_int_equal(rv_snapshot_compact(inc, NULL), 0);
    assert_int_equal(inc->nholes, 0);
    assert_same_contacts(full, inc);
    free(order);
    free(rows);
    free(vc);
    rv_snapshot_free(full);
    rv_snapshot_free(inc);
}

static void test_incremental_equals_rebuild(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 20; seed++)
        run_property(seed);
}

/* Upserting a contact moves it between groups; a new contact gets attributes. */
/*
 * A device's readings: thousands of interactions appended in time order to one contact, many at
 * the same instant. Each is folded in from the state before (not the whole run) and must leave
 * what rv_contact_state_at() computes from the run; a repeated id is found among equal times.
 */
static void test_appended_readings_keep_the_state(void **state)
{
    (void)state;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, NULL);
    fx_begin(b);
    struct rv_snapshot *s = fx_finish(b);
    struct rv_update up;
    struct kith_error err = {0};
    int64_t want = 0;
    for (int64_t i = 1; i <= 3000; i++) {
        /* types 1 and 3 (no trigger), four to an instant; a trigger (type 4) every 1000 */
        int64_t type = i % 1000 == 0 ? 4 : (i % 2 ? 1 : 3);
        struct rv_interaction_in r = fx_row(i, 1, type, (double)(i / 4) / 24.0);
        assert_int_equal(rv_snapshot_add_interaction(s, &r, 0, &up, &err), 0);
        struct rv_contact_state st;
        rv_contact_state_at(s, (size_t)up.contact, RV_TIME_MAX, &st);
        assert_int_equal(up.after.rv, st.rv);
        assert_int_equal(up.after.ncounted, st.ncounted);
        assert_int_equal(up.after.first, st.first);
        assert_int_equal(up.after.last, st.last);
        assert_int_equal(up.after.level, st.level);
        want += st.rv - up.before.rv;
    }
    int32_t c = rv_snapshot_contact(s, 1);
    assert_int_equal(s->ncounted[c], 3000);
    assert_int_equal(s->rv_total[c], want);
    /* each id again, first, middle and last of a group at one instant: a duplicate */
    for (int64_t i = 1; i <= 3000; i += 997) {
        struct rv_interaction_in r = fx_row(i, 1, 1, (double)(i / 4) / 24.0);
        assert_int_equal(rv_snapshot_add_interaction(s, &r, 0, &up, &err), KITH_ECONFLICT);
    }
    /* a new id at a time already held is no duplicate */
    struct rv_interaction_in r = fx_row(5000, 1, 1, (double)(8 / 4) / 24.0);
    assert_int_equal(rv_snapshot_add_interaction(s, &r, 0, &up, &err), 0);
    assert_int_equal(s->ncounted[c], 3001);
    rv_snapshot_free(s);
}

static void test_upsert_contact(void **state)
{
    (void)state;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 0, 10, 1, 100, "food");
    fx_begin(b);
    fx_add(b, fx_row(1, 1, 1, 0));
    struct rv_snapshot *s = fx_finish(b);
    struct rv_contact_in c = {.id = 1, .team_id = 20, .industry = "pharma", .account_id = 77};
    assert_int_equal(rv_snapshot_upsert_contact(s, &c, NULL), 0);
    assert_int_equal(s->team[0], 1);
    assert_string_equal(rv_dict_name(&s->industries, s->industry[0]), "pharma");
    assert_int_equal(s->account_id[s->account[0]], 77);
    c.id = 2;
    c.account_id = 5; /* a new account before the existing one: indices renumbered */
    assert_int_equal(rv_snapshot_upsert_contact(s, &c, NULL), 0);
    assert_int_equal(s->nc, 2);
    assert_int_equal(s->account_id[s->account[0]], 77);
    assert_int_equal(s->account_id[s->account[1]], 5);
    assert_int_equal(s->rv_total[0], 2);
    rv_snapshot_free(s);
}

/* A server started on a database without contacts: the first contacts and accounts arrive by
 * update (the sanitizer build catches an account array smaller than its recorded capacity). */
static void test_upsert_into_an_empty_snapshot(void **state)
{
    (void)state;
    struct rv_builder *b = fx_builder();
    fx_begin(b);
    struct rv_snapshot *s = fx_finish(b);
    assert_int_equal(s->nc, 0);
    for (int64_t id = 1; id <= 40; id++) {
        struct rv_contact_in c = {.id = id, .account_id = 100 - id}; /* each before the last */
        assert_int_equal(rv_snapshot_upsert_contact(s, &c, NULL), 0);
    }
    assert_int_equal(s->nc, 40);
    assert_int_equal(s->nacct, 40);
    for (size_t c = 0; c < s->nc; c++)
        assert_int_equal(s->account_id[s->account[c]], 100 - s->cid[c]);
    rv_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segments_unknown_contacts_and_order),
        cmocka_unit_test(test_voids_across_contacts_and_pending),
        cmocka_unit_test(test_clamping),
        cmocka_unit_test(test_masks),
        cmocka_unit_test(test_incremental_equals_rebuild),
        cmocka_unit_test(test_appended_readings_keep_the_state),
        cmocka_unit_test(test_upsert_contact),
        cmocka_unit_test(test_upsert_into_an_empty_snapshot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
