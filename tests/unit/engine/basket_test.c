/*
 * Tests for src/engine/basket.c: support, confidence and lift of a tiny basket set computed by
 * hand, FP-growth against brute-force counting on random baskets, the itemset cap, options,
 * baskets from order lines, and offers (cross-sell and up-sell) per customer.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/basket.h"

#define assert_near(a, e) assert_true(fabs((a) - (e)) <= 1e-12)

/* Builds a basket set from baskets written as strings of item letters ("AB", "ABC"). */
static void make_set(const char *const *b, size_t n, struct basket_set *s, size_t *start,
                     int32_t *items)
{
    size_t k = 0;
    start[0] = 0;
    for (size_t i = 0; i < n; i++) {
        for (const char *p = b[i]; *p; p++)
            items[k++] = *p - 'A';
        start[i + 1] = k;
    }
    *s = (struct basket_set){.n = n, .start = start, .items = items};
}

static const struct basket_rule *find_rule(const struct basket_rules *r, const char *ante,
                                           char cons)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct basket_rule *x = &r->rules[i];
        if (x->consequent != cons - 'A' || x->nante != strlen(ante))
            continue;
        bool same = true;
        for (int a = 0; a < x->nante; a++)
            same &= x->antecedent[a] == ante[a] - 'A';
        if (same)
            return x;
    }
    return NULL;
}

/*
 * Six baskets: AB, ABC, AC, BC, AB, D. Supports: A 4, B 4, C 3, D 1, AB 3, AC 2, BC 2, ABC 1.
 * With min support 0.3 (2 baskets): A, B, C, AB, AC, BC are frequent, ABC and D are not.
 *   A -> B: confidence 3/4, lift (3/4) / (4/6) = 1.125, support 1/2
 *   C -> A: confidence 2/3, lift (2/3) / (4/6) = 1
 *   A -> C: confidence 2/4, lift (1/2) / (3/6) = 1
 */
static void tiny_basket_by_hand(void **state)
{
    (void)state;
    const char *const b[] = {"AB", "ABC", "AC", "BC", "AB", "D"};
    size_t start[7];
    int32_t items[16];
    struct basket_set s;
    make_set(b, 6, &s, start, items);
    struct basket_options o;
    basket_options_default(&o);
    o.min_support = 0.3;
    o.min_confidence = 0.5;
    o.min_lift = 1.0;
    struct basket_rules r;
    struct kith_error err = {0};
    assert_int_equal(basket_mine(&s, 4, &o, &r, &err), 0);
    assert_int_equal(r.nbaskets, 6);
    assert_int_equal(r.nitemsets, 6);
    assert_int_equal(r.n, 6); /* A<->B, A<->C, B<->C: all six reach confidence .5, lift 1 */
    const struct basket_rule *ab = find_rule(&r, "A", 'B');
    assert_non_null(ab);
    assert_near(ab->support, 0.5);
    assert_near(ab->confidence, 0.75);
    assert_near(ab->lift, 1.125);
    assert_int_equal(ab->count, 3);
    assert_int_equal(ab->ante_count, 4);
    const struct basket_rule *ca = find_rule(&r, "C", 'A');
    assert_near(ca->confidence, 2.0 / 3);
    assert_near(ca->lift, 1.0); /* exactly at the minimum: kept */
    const struct basket_rule *ac = find_rule(&r, "A", 'C');
    assert_near(ac->confidence, 0.5);
    assert_near(ac->lift, 1.0);
    /* order: lift, then confidence, then count, then items */
    assert_ptr_equal(&r.rules[0], ab);
    assert_ptr_equal(&r.rules[1], find_rule(&r, "B", 'A'));
    assert_ptr_equal(&r.rules[2], ca);
    assert_ptr_equal(&r.rules[3], find_rule(&r, "C", 'B'));
    assert_ptr_equal(&r.rules[4], ac);
    basket_rules_release(&r);

    /* support 1/6: ABC is frequent; AB -> C has confidence 1/3 and lift 2/3 */
    o.min_support = 0.1;
    o.min_confidence = 0;
    o.min_lift = 0;
    assert_int_equal(basket_mine(&s, 4, &o, &r, &err), 0);
    const struct basket_rule *abc = find_rule(&r, "AB", 'C');
    assert_non_null(abc);
    assert_near(abc->confidence, 1.0 / 3);
    assert_near(abc->lift, 2.0 / 3);
    assert_near(abc->support, 1.0 / 6);
    basket_rules_release(&r);

    /* rules of two items at most */
    o.max_len = 2;
    assert_int_equal(basket_mine(&s, 4, &o, &r, &err), 0);
    assert_null(find_rule(&r, "AB", 'C'));
    assert_non_null(find_rule(&r, "A", 'B'));
    basket_rules_release(&r);
}

/* Support of the itemset mask over the baskets (each basket a bit mask of up to 16 items). */
static unsigned brute_support(const uint32_t *masks, size_t n, uint32_t set)
{
    unsigned c = 0;
    for (size_t i = 0; i < n; i++)
        c += (masks[i] & set) == set;
    return c;
}

static void fp_growth_matches_brute_force(void **state)
{
    (void)state;
    enum { NB = 400, NI = 12 };
    size_t start[NB + 1];
    int32_t items[NB * 8];
    uint32_t masks[NB];
    srand(12345);
    size_t k = 0;
    start[0] = 0;
    for (size_t b = 0; b < NB; b++) {
        masks[b] = 0;
        size_t len = 1 + (size_t)(rand() % 6);
        for (size_t j = 0; j < len; j++) {
            int32_t it = (int32_t)(rand() % NI);
            if (it < 4 && rand() % 2)
                it = (int32_t)(rand() % 4); /* make small items frequent together */
            items[k++] = it;                /* duplicates inside a basket are allowed */
            masks[b] |= 1u << it;
        }
        start[b + 1] = k;
    }
    struct basket_set s = {.n = NB, .start = start, .items = items};
    struct basket_options o;
    basket_options_default(&o);
    o.min_support = 0.03;
    o.min_confidence = 0.1;
    o.min_lift = 0;
    o.max_len = 3;
    struct basket_rules r;
    struct kith_error err = {0};
    assert_int_equal(basket_mine(&s, NI, &o, &r, &err), 0);
    const unsigned minsup = 12; /* ceil(0.03 * 400) */

    /* every itemset of 1..3 items: frequent ones counted; every rule recomputed */
    size_t frequent = 0, rules = 0;
    for (uint32_t set = 1; set < (1u << NI); set++) {
        int bits = __builtin_popcount(set);
        if (bits > 3)
            continue;
        unsigned sup = brute_support(masks, NB, set);
        if (sup < minsup)
            continue;
        frequent++;
        if (bits < 2)
            continue;
        for (int c = 0; c < NI; c++) {
            if (!(set & (1u << c)))
                continue;
            uint32_t ante = set & ~(1u << c);
            double conf = (double)sup / brute_support(masks, NB, ante);
            double lift = conf * NB / brute_support(masks, NB, 1u << c);
            if (conf < o.min_confidence)
                continue;
            rules++;
            bool found = false;
            for (size_t i = 0; i < r.n && !found; i++) {
                const struct basket_rule *x = &r.rules[i];
                uint32_t xa = 0;
                for (int a = 0; a < x->nante; a++)
                    xa |= 1u << x->antecedent[a];
                if (xa == ante && x->consequent == c) {
                    found = true;
                    assert_int_equal(x->count, sup);
                    assert_true(fabs(x->confidence - conf) < 1e-12);
                    assert_true(fabs(x->lift - lift) < 1e-9);
                }
            }
            assert_true(found);
        }
    }
    assert_int_equal(r.nitemsets, frequent);
    assert_int_equal(r.n, rules);
    for (size_t i = 1; i < r.n; i++)
        assert_true(r.rules[i - 1].lift >= r.rules[i].lift);
    basket_rules_release(&r);

    /* the cap */
    o.max_itemsets = 5;
    assert_int_equal(basket_mine(&s, NI, &o, &r, &err), KITH_ERANGE);
    assert_non_null(strstr(err.msg, "minimum support"));
}

static void bad_options_and_items(void **state)
{
    (void)state;
    const char *const b[] = {"AB"};
    size_t start[2];
    int32_t items[2];
    struct basket_set s;
    make_set(b, 1, &s, start, items);
    struct basket_options o;
    struct basket_rules r;
    struct kith_error err = {0};
    basket_options_default(&o);
    o.min_support = 0;
    assert_int_equal(basket_mine(&s, 2, &o, &r, &err), KITH_EINVAL);
    basket_options_default(&o);
    o.max_len = 6;
    assert_int_equal(basket_mine(&s, 2, &o, &r, &err), KITH_EINVAL);
    basket_options_default(&o);
    o.min_confidence = 1.5;
    assert_int_equal(basket_mine(&s, 2, &o, &r, &err), KITH_EINVAL);
    basket_options_default(&o);
    assert_int_equal(basket_mine(&s, 1, &o, &r, &err), KITH_EINVAL); /* item B out of range */
    struct basket_set empty = {0};
    size_t zero = 0;
    empty.start = &zero;
    assert_int_equal(basket_mine(&empty, 2, &o, &r, &err), 0);
    assert_int_equal(r.n, 0);
    basket_rules_release(&r);
}

static void baskets_from_order_lines(void **state)
{
    (void)state;
    const int64_t day = CV_DAY_MS;
    struct cv_line lines[] = {
        {.order_id = 1, .account_id = 9, .at = 10 * day, .product = 0},
        {.order_id = 1, .account_id = 9, .at = 10 * day, .product = 1},
        {.order_id = 2, .account_id = 9, .at = 30 * day, .product = 2}, /* after the as-of day */
        {.order_id = 3, .account_id = 8, .at = 12 * day, .product = 1},
    };
    struct cv_data d = {.lines = lines, .nlines = 4};
    struct basket_set s;
    struct kith_error err = {0};
    assert_int_equal(basket_set_from_lines(&d, 20, &s, &err), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.start[1], 2);
    assert_int_equal(s.start[2], 3);
    assert_int_equal(s.items[2], 1);
    basket_set_release(&s);
    lines[3].order_id = 0; /* out of order */
    assert_int_equal(basket_set_from_lines(&d, 20, &s, &err), KITH_EINVAL);
}

static void offers_per_customer(void **state)
{
    (void)state;
    /* products: 0 A (cat 0, 100), 1 B (cat 1, 50), 2 C (cat 0, 300), 3 D (cat 1, 10) */
    struct cv_product products[4] = {
        {.id = 1, .price = 100, .category = 0, .sku = "A", .name = "A"},
        {.id = 2, .price = 50, .category = 1, .sku = "B", .name = "B"},
        {.id = 3, .price = 300, .category = 0, .sku = "C", .name = "C"},
        {.id = 4, .price = 10, .category = 1, .sku = "D", .name = "D"},
    };
    struct cv_data d = {.products = products, .nproducts = 4};
    struct basket_rule rules[3] = {
        {.antecedent = {1}, .nante = 1, .consequent = 2, .confidence = 0.9, .lift = 2},
        {.antecedent = {0}, .nante = 1, .consequent = 2, .confidence = 0.5, .lift = 3},
        {.antecedent = {0, 1}, .nante = 2, .consequent = 3, .confidence = 0.7, .lift = 1.5},
    };
    struct basket_rules r = {.n = 3, .rules = rules};
    /* customer 0 holds A, B; customer 1 holds B; customer 2 holds C (nothing applies) */
    size_t start[4] = {0, 2, 3, 4};
    int32_t items[4] = {0, 1, 1, 2};
    uint32_t cats[3] = {2, 1, 1};
    struct value_holdings h = {.n = 3, .start = start, .items = items, .categories = cats};
    struct basket_offers of;
    struct kith_error err = {0};
    assert_int_equal(basket_offers_build(&r, &h, &d, 5, &of, &err), 0);
    assert_int_equal(of.n, 3);
    /* customer 0: C (best rule: confidence .9 from B), then D (.7); C is an up-sell (A of
     * category 0 at 100 held, C at 300); D is a cross-sell (B of category 1 at 50 is dearer) */
    assert_int_equal(of.offers[0].customer, 0);
    assert_int_equal(of.offers[0].product, 2);
    assert_int_equal(of.offers[0].rule, 0);
    assert_int_equal(of.offers[0].kind, BASKET_UP_SELL);
    assert_int_equal(of.offers[1].product, 3);
    assert_int_equal(of.offers[1].rule, 2);
    assert_int_equal(of.offers[1].kind, BASKET_CROSS_SELL);
    /* customer 1: C through rule 0, a cross-sell (no category-0 product held) */
    assert_int_equal(of.offers[2].customer, 1);
    assert_int_equal(of.offers[2].product, 2);
    assert_int_equal(of.offers[2].kind, BASKET_CROSS_SELL);
    basket_offers_release(&of);
    /* one offer per customer at most */
    assert_int_equal(basket_offers_build(&r, &h, &d, 1, &of, &err), 0);
    assert_int_equal(of.n, 2);
    basket_offers_release(&of);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiny_basket_by_hand),   cmocka_unit_test(fp_growth_matches_brute_force),
        cmocka_unit_test(bad_options_and_items), cmocka_unit_test(baskets_from_order_lines),
        cmocka_unit_test(offers_per_customer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
