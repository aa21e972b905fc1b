/*
 * Cross-sell and up-sell from order baskets: frequent itemsets by FP-growth (Han, Pei & Yin
 * 2000), association rules "antecedent -> one product" with support, confidence and lift above
 * given minimums, and offers per customer from the rules whose antecedent the customer holds.
 * Pure computation; definitions in docs/value.md, "Cross-sell and up-sell", the algorithm in
 * docs/internals/value.md.
 */
#ifndef KITH_ENGINE_BASKET_H
#define KITH_ENGINE_BASKET_H

#include <stddef.h>
#include <stdint.h>

#include "engine/value.h"
#include "model/value_data.h"
#include "util/error.h"

#define BASKET_MAX_LEN 5 /* items in an itemset: an antecedent has at most 4 */

struct basket_options {
    double min_support;    /* share of baskets holding the whole rule, (0, 1] (0.01) */
    double min_confidence; /* P(consequent | antecedent), [0, 1] (0.2) */
    double min_lift;       /* confidence / support of the consequent, >= 0 (1.0) */
    int max_len;           /* items in a rule, antecedent and consequent, 2..5 (3) */
    size_t max_itemsets;   /* frequent itemsets at most before KITH_ERANGE (1,000,000) */
};

void basket_options_default(struct basket_options *o);

/* Baskets in compressed rows: basket b holds items[start[b] .. start[b+1]). Owned. */
struct basket_set {
    size_t n;
    size_t *start; /* n + 1 entries */
    int32_t *items;
};

/*
 * The baskets of d: one per order on or before as_of_day that has lines, its items the product
 * indexes of its lines (d->lines ascending by order, as the store loads them). Duplicates inside
 * a basket are kept here and ignored by basket_mine(). On success the caller owns *out.
 */
int basket_set_from_lines(const struct cv_data *d, int32_t as_of_day, struct basket_set *out,
                          struct kith_error *err);
void basket_set_release(struct basket_set *b);

struct basket_rule {
    int32_t antecedent[BASKET_MAX_LEN - 1]; /* item ids, ascending */
    uint8_t nante;
    int32_t consequent;
    uint64_t count;      /* baskets holding antecedent and consequent */
    uint64_t ante_count; /* baskets holding the antecedent */
    double support;      /* count / baskets */
    double confidence;   /* count / ante_count */
    double lift;         /* confidence / (baskets holding the consequent / baskets) */
};

/* Rules by lift, then confidence, then support, descending (ties by items). Owned. */
struct basket_rules {
    size_t n;
    struct basket_rule *rules;
    size_t nbaskets;  /* baskets mined */
    size_t nitemsets; /* frequent itemsets found (single items included) */
};

/*
 * Mines b (item ids in [0, nitems)) by FP-growth: every itemset of at most o->max_len items in
 * at least ceil(min_support x baskets) baskets, then every rule with one item as consequent
 * whose confidence and lift reach the minimums. KITH_EINVAL for bad options or an item out of
 * range, KITH_ERANGE beyond o->max_itemsets itemsets (raise --min-support), KITH_ENOMEM.
 * On success the caller owns *out (basket_rules_release).
 */
int basket_mine(const struct basket_set *b, size_t nitems, const struct basket_options *o,
                struct basket_rules *out, struct kith_error *err);
void basket_rules_release(struct basket_rules *r);

enum basket_offer_kind { BASKET_CROSS_SELL, BASKET_UP_SELL };

struct basket_offer {
    size_t customer; /* index into the holdings (the value_result's customers) */
    int32_t product; /* product index */
    uint32_t rule;   /* index into the rules that produced it */
    uint8_t kind;    /* enum basket_offer_kind */
};

/* Offers ascending by customer, best first within a customer. Owned. */
struct basket_offers {
    size_t n;
    struct basket_offer *offers;
};

/*
 * Up to per_customer offers for each customer of h: the consequents of the rules whose whole
 * antecedent the customer holds and whose consequent it does not, best rule first (confidence,
 * then lift), one offer per product. An offer is an up-sell when the customer holds a product
 * of the offered product's category and the offered list price is above the dearest of those,
 * else a cross-sell (d gives categories and prices). O(sum over customers of the rules indexed
 * by their products).
 */
int basket_offers_build(const struct basket_rules *rules, const struct value_holdings *h,
                        const struct cv_data *d, size_t per_customer, struct basket_offers *out,
                        struct kith_error *err);
void basket_offers_release(struct basket_offers *o);

const char *basket_offer_kind_name(enum basket_offer_kind k); /* "cross_sell", "up_sell" */

#endif /* KITH_ENGINE_BASKET_H */
