/*
 * Tests for src/engine/alike.c ("someone like me", docs/voice.md): a constructed case whose
 * nearest neighbour and its next purchases are known, each part of the similarity against its
 * definition, ties going to the lower id, a subject with no purchases, the instant "at" hiding
 * later purchases, the visible mask and the subject's own group, and the hold-out evaluation on
 * a case where the neighbours predict what popularity does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "engine/alike.h"

#define DAY 86400000LL

/* A small world built by hand: up to 16 entities, 8 products. */
struct world {
    struct alike_data d;
    struct alike_entity e[16];
    struct alike_product p[8];
    struct alike_buy b[128];
    struct alike_order o[128];
    struct alike_intent t[32];
    struct alike_index ix;
};

static void init(struct world *w, size_t n)
{
    memset(w, 0, sizeof(*w));
    for (size_t i = 0; i < n; i++)
        w->e[i] = (struct alike_entity){.id = (int64_t)(i + 1) * 10, .employees = -1};
    for (size_t p = 0; p < 8; p++)
        w->p[p] = (struct alike_product){.id = (int64_t)p + 100};
    w->d = (struct alike_data){.entities = w->e,
                               .n = n,
                               .products = w->p,
                               .nproducts = 8,
                               .buys = w->b,
                               .orders = w->o,
                               .intents = w->t};
}

/* Entity i bought the products listed (terminated by -1) in one sale of amount on day. */
static void sale(struct world *w, uint32_t i, int64_t day, int64_t amount, const int *products)
{
    for (const int *p = products; *p >= 0; p++)
        w->b[w->d.nbuys++] = (struct alike_buy){i, (uint32_t)*p, day * DAY};
    w->o[w->d.norders++] = (struct alike_order){i, day * DAY, amount};
}

static void build(struct world *w)
{
    struct kith_error err = {0};
    assert_int_equal(alike_index_build(&w->d, &w->ix, &err), 0);
}

static struct alike_result query(struct world *w, size_t subject, size_t k, int64_t at)
{
    struct kith_error err = {0};
    struct alike_result r;
    const struct alike_query q = {.subject = subject, .k = k, .at = at};
    assert_int_equal(alike_query(&w->ix, &q, &r, &err), 0);
    return r;
}

/*
 * Subject 0 holds A and B in industry 1. Entity 1 holds A and B in industry 1 too, then bought C
 * (its next); entity 2 holds A only; entity 3 shares nothing; entity 4 holds A and B but in
 * another industry. The nearest is 1, then 2 (same industry, half the products), then 4.
 */
static void the_nearest_is_known(void **state)
{
    (void)state;
    static struct world w;
    init(&w, 5);
    for (int i = 0; i < 5; i++)
        w.e[i].attr[0] = 1;
    w.e[4].attr[0] = 2;
    sale(&w, 0, 10, 10000, (const int[]){0, 1, -1});
    sale(&w, 1, 5, 10000, (const int[]){0, 1, -1});
    sale(&w, 1, 20, 5000, (const int[]){2, -1});
    sale(&w, 2, 5, 10000, (const int[]){0, -1});
    sale(&w, 3, 5, 10000, (const int[]){5, -1});
    sale(&w, 4, 5, 10000, (const int[]){0, 1, -1});
    sale(&w, 4, 30, 5000, (const int[]){3, -1});
    build(&w);
    struct alike_result r = query(&w, 0, 3, ALIKE_LIVE);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.nb[0].entity, 1);
    assert_int_equal(r.nb[1].entity, 2);
    assert_int_equal(r.nb[2].entity, 4);
    /* entity 1: same industry (1 of 1 known), A and B of A, B, C: cosine 2 / sqrt(2 * 3) */
    assert_true(fabs(r.nb[0].attr - 1.0) < 1e-12);
    assert_true(fabs(r.nb[0].buy - 2.0 / sqrt(6.0)) < 1e-12);
    const double s1 = log10(1 + 100.0), c1 = log10(1 + 150.0);
    assert_true(fabs(r.nb[0].spend - (1 - fabs(s1 - c1) / 3)) < 1e-6);
    assert_true(fabs(r.nb[0].similarity - (ALIKE_W_ATTR * 1 + ALIKE_W_BUY * 2 / sqrt(6.0) +
                                           ALIKE_W_SPEND * r.nb[0].spend)) < 1e-9);
    assert_int_equal(r.nb[0].shared, 2);
    assert_int_equal(r.nb[0].nnext, 1);
    assert_int_equal(r.nb[0].next[0].product, 2);
    assert_int_equal(r.nb[0].next[0].at, 20 * DAY);
    /* entity 2 bought nothing the subject lacks: no next */
    assert_int_equal(r.nb[1].nnext, 0);
    assert_true(fabs(r.nb[1].buy - 1.0 / sqrt(2.0)) < 1e-12);
    assert_true(r.nb[2].attr == 0.0);
    /* recommended: C (from 1, the more similar) before D (from 4) */
    assert_int_equal(r.ntop, 2);
    assert_int_equal(r.top[0].product, 2);
    assert_int_equal(r.top[1].product, 3);
    assert_true(fabs(r.top[0].score - r.nb[0].similarity) < 1e-12);
    assert_int_equal(r.subject_products, 2);
    assert_int_equal(r.subject_spend, 10000);
    alike_index_release(&w.ix);
}

/* Two candidates alike in every way tie: the lower id goes first, whatever their order. */
static void ties_go_to_the_lower_id(void **state)
{
    (void)state;
    static struct world w;
    init(&w, 4);
    sale(&w, 0, 1, 100, (const int[]){0, -1});
    sale(&w, 3, 1, 100, (const int[]){0, -1});
    sale(&w, 1, 1, 100, (const int[]){0, -1});
    sale(&w, 2, 1, 100, (const int[]){0, -1});
    build(&w);
    struct alike_result r = query(&w, 0, 2, ALIKE_LIVE);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.nb[0].entity, 1);
    assert_int_equal(r.nb[1].entity, 2);
    assert_true(r.nb[0].similarity == r.nb[1].similarity);
    r = query(&w, 3, 3, ALIKE_LIVE);
    assert_int_equal(r.nb[0].entity, 0);
    assert_int_equal(r.nb[1].entity, 1);
    assert_int_equal(r.nb[2].entity, 2);
    alike_index_release(&w.ix);
}

/*
 * A subject without purchases is compared by its attributes and spend alone; what its
 * neighbours bought next is everything they bought, in the order they first bought it.
 */
static void a_subject_without_purchases(void **state)
{
    (void)state;
    static struct world w;
    init(&w, 3);
    w.e[0].attr[1] = 7;
    w.e[0].employees = 100;
    w.e[1].attr[1] = 7;
    w.e[1].employees = 100;
    w.e[2].attr[1] = 8;
    w.e[2].employees = 100;
    sale(&w, 1, 3, 500, (const int[]){4, -1});
    sale(&w, 1, 9, 500, (const int[]){2, 4, -1});
    sale(&w, 2, 1, 500, (const int[]){1, -1});
    build(&w);
    struct alike_result r = query(&w, 0, 5, ALIKE_LIVE);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.nb[0].entity, 1);
    assert_true(r.nb[0].attr == 1.0); /* territory and size */
    assert_true(r.nb[1].attr == 0.5); /* size only */
    assert_true(r.nb[0].buy == 0.0);
    assert_int_equal(r.nb[0].shared, 0);
    assert_int_equal(r.nb[0].nnext, 2); /* E at day 3, then C at day 9 (E once) */
    assert_int_equal(r.nb[0].next[0].product, 4);
    assert_int_equal(r.nb[0].next[1].product, 2);
    assert_int_equal(r.subject_products, 0);
    assert_int_equal(r.subject_spend, 0);
    alike_index_release(&w.ix);
}

/* Before "at" only: later purchases neither make a neighbour nor count as its next. */
static void at_hides_the_future(void **state)
{
    (void)state;
    static struct world w;
    init(&w, 3);
    sale(&w, 0, 1, 100, (const int[]){0, -1});
    sale(&w, 1, 1, 100, (const int[]){1, -1});
    sale(&w, 1, 50, 100, (const int[]){0, 3, -1}); /* would make 1 the nearest, later */
    sale(&w, 2, 1, 100, (const int[]){0, -1});
    sale(&w, 2, 5, 100, (const int[]){6, -1});
    build(&w);
    struct alike_result r = query(&w, 0, 1, 10 * DAY);
    assert_int_equal(r.nb[0].entity, 2);
    r = query(&w, 0, 2, ALIKE_LIVE);
    assert_int_equal(r.nb[0].entity, 2); /* cosine 1 / sqrt(3) for 1, 1 / sqrt(2) for 2 */
    r = query(&w, 0, 2, 3 * DAY);
    assert_int_equal(r.nb[0].entity, 2);
    assert_int_equal(r.nb[0].nnext, 0); /* its day-5 purchase is after the instant */
    alike_index_release(&w.ix);
}

/* The visible mask and the subject's group keep candidates out; intents count when shared. */
static void visibility_groups_and_intent(void **state)
{
    (void)state;
    static struct world w;
    init(&w, 4);
    w.e[0].group = 1;
    w.e[1].group = 1; /* a colleague of the subject */
    w.t[w.d.nintents++] = (struct alike_intent){0, 5};
    w.t[w.d.nintents++] = (struct alike_intent){0, 6};
    w.t[w.d.nintents++] = (struct alike_intent){3, 6};
    w.t[w.d.nintents++] = (struct alike_intent){3, 6}; /* twice: once */
    build(&w);
    struct kith_error err = {0};
    struct alike_result r;
    struct alike_query q = {.subject = 0, .k = 3, .at = ALIKE_LIVE, .other_groups = true};
    assert_int_equal(alike_query(&w.ix, &q, &r, &err), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.nb[0].entity, 3);
    assert_true(fabs(r.nb[0].intent - 0.5) < 1e-12); /* {F} of {F, G} */
    const uint8_t visible[4] = {1, 1, 1, 0};
    q.visible = visible;
    q.other_groups = false;
    assert_int_equal(alike_query(&w.ix, &q, &r, &err), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.nb[0].entity, 1);
    assert_int_equal(r.nb[1].entity, 2);
    q.k = 0;
    assert_int_equal(alike_query(&w.ix, &q, &r, &err), KITH_EINVAL);
    q.k = 1;
    q.subject = 4;
    assert_int_equal(alike_query(&w.ix, &q, &r, &err), KITH_EINVAL);
    alike_index_release(&w.ix);
}

/*
 * Evaluation: entities 0..5 first buy A and B; those that then bought C (a niche product) all
 * held B; D is the most popular overall. Subject 6 holds B then buys C in its last sale: the
 * neighbours recommend C (a hit), the baseline D, A, ... (C is only third most popular): both
 * outcomes are counted as defined.
 */
static void the_hold_out_evaluation(void **state)
{
    (void)state;
    static struct world w;
    init(&w, 10);
    for (uint32_t i = 0; i < 3; i++) {
        sale(&w, i, 1, 100, (const int[]){1, -1});
        sale(&w, i, 2, 100, (const int[]){2, -1});
    }
    for (uint32_t i = 3; i < 9; i++)
        sale(&w, i, 1, 100, (const int[]){3, 4, 5, 6, 7, 0, -1});
    sale(&w, 9, 3, 100, (const int[]){1, -1});
    sale(&w, 9, 4, 100, (const int[]){2, -1}); /* held out: C */
    build(&w);
    struct alike_eval ev;
    struct kith_error err = {0};
    assert_int_equal(alike_evaluate(&w.ix, 3, &ev, &err), 0);
    assert_int_equal(ev.customers, 10);
    assert_int_equal(ev.repeats, 0);
    assert_int_equal(ev.evaluated, 10);
    /* subject 9: neighbours 0, 1, 2 bought C next: a hit; the popular D..H and A: no hit */
    struct alike_result r = query(&w, 9, 3, 4 * DAY);
    assert_int_equal(r.top[0].product, 2);
    assert_int_equal(ev.hits, 1);
    assert_int_equal(ev.popular_hits, 0); /* A, D, E, F, G: C is less popular */
    assert_int_equal(ev.with_history, 4); /* 0, 1, 2 and 9 had a sale before their last */
    /* entities 0..2 at their last sale: the other two hold only B, and 9 B; nobody had C yet,
     * so no hit for them; 9 is the only hit among those with history */
    assert_int_equal(ev.history_hits, 1);
    alike_index_release(&w.ix);
}

/*
 * The live question starts from the lists of buyers of the subject's products and scans the
 * others only when one of them could still enter; an instant just before the end of time takes
 * the plain scan of everyone. On random worlds both give the same neighbours, parts and picks.
 */
static uint64_t xorshift(uint64_t *r)
{
    *r ^= *r << 13;
    *r ^= *r >> 7;
    *r ^= *r << 17;
    return *r;
}

static void the_lists_of_buyers_change_nothing(void **state)
{
    (void)state;
    static struct world w;
    uint64_t r = 88172645463325252ULL;
#define NEXT() xorshift(&r)
    for (int round = 0; round < 40; round++) {
        init(&w, 16);
        for (uint32_t i = 0; i < 16; i++) {
            w.e[i].attr[0] = (uint16_t)(NEXT() % 3);
            w.e[i].attr[1] = (uint16_t)(NEXT() % 2);
            w.e[i].employees = NEXT() % 3 ? (int64_t)(NEXT() % 500) : -1;
            w.e[i].group = (int64_t)(i / 3);
            for (uint64_t s = 0, ns = NEXT() % 4; s < ns; s++) {
                int prods[4] = {-1, -1, -1, -1};
                for (uint64_t p = 0, np = 1 + NEXT() % 2; p < np; p++)
                    prods[p] = (int)(NEXT() % 8);
                sale(&w, i, (int64_t)(NEXT() % 50), 100 + (int64_t)(NEXT() % 10000), prods);
            }
            if (NEXT() % 4 == 0)
                w.t[w.d.nintents++] = (struct alike_intent){i, (uint32_t)(NEXT() % 8)};
        }
        build(&w);
        for (size_t s = 0; s < 16; s++)
            for (size_t k = 1; k <= 15; k += 7) {
                struct kith_error err = {0};
                struct alike_result a, b;
                struct alike_query q = {
                    .subject = s, .k = k, .at = ALIKE_LIVE, .other_groups = round % 2};
                assert_int_equal(alike_query(&w.ix, &q, &a, &err), 0);
                q.at = INT64_MAX - 1;
                assert_int_equal(alike_query(&w.ix, &q, &b, &err), 0);
                assert_int_equal(a.n, b.n);
                for (size_t i = 0; i < a.n; i++) {
                    assert_int_equal(a.nb[i].entity, b.nb[i].entity);
                    assert_true(a.nb[i].similarity == b.nb[i].similarity);
                    assert_int_equal(a.nb[i].shared, b.nb[i].shared);
                    assert_int_equal(a.nb[i].nnext, b.nb[i].nnext);
                }
                assert_int_equal(a.ntop, b.ntop);
                for (size_t i = 0; i < a.ntop; i++)
                    assert_int_equal(a.top[i].product, b.top[i].product);
            }
        alike_index_release(&w.ix);
    }
#undef NEXT
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_nearest_is_known),
        cmocka_unit_test(ties_go_to_the_lower_id),
        cmocka_unit_test(a_subject_without_purchases),
        cmocka_unit_test(at_hides_the_future),
        cmocka_unit_test(visibility_groups_and_intent),
        cmocka_unit_test(the_hold_out_evaluation),
        cmocka_unit_test(the_lists_of_buyers_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
