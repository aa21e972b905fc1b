/*
 * value_int.h - what the files of the customer-value engine share and nobody else sees: the
 * check of the options, a customer's segment (industry, revenue band) as one key, inline because
 * it is read once per customer; the proxy with its horizon factor computed once. The public
 * interface is value.h; the design: docs/internals/value.md.
 *
 *   value.c           options and results, value_compute() running the steps
 *   value_customers.c step 1: customers from orders (values to date and current, cost to serve)
 *   value_model.c     steps 2 and 3: the BG/NBD and Gamma-Gamma fits, predictions per customer
 *   value_proxy.c     proxies from the customer's own history where no model gives a value
 *   value_measure.c   the measures of a customer and orders by them
 *   value_groups.c    groups of customers: unit, segment, industry, source
 *   value_holdings.c  product holding: the products and categories each customer has bought
 */
#ifndef KITH_ENGINE_VALUE_INT_H
#define KITH_ENGINE_VALUE_INT_H

#include <stdint.h>

#include "engine/value.h"

/* The options' ranges, for every step that takes them (value.c). */
int value_check_options(const struct value_options *o, struct kith_error *err);

/* ---- segments (proxies and groups) ------------------------------------------------------------
 */

struct keyed {
    uint64_t key;
    double value;
};

static inline int keyed_cmp(const void *pa, const void *pb)
{
    const struct keyed *a = pa, *b = pb;
    return (a->key > b->key) - (a->key < b->key);
}

static inline int32_t industry_of(const struct cv_data *d, const struct value_customer *c)
{
    return c->account == CV_NO_INDEX ? CV_NONE : d->accounts[c->account].industry;
}

static inline int32_t band_of(const struct cv_data *d, const struct value_customer *c)
{
    return c->account == CV_NO_INDEX ? CV_NONE : d->accounts[c->account].revenue_band;
}

/* (industry, band) as one key; CV_NONE is a value of its own. */
static inline uint64_t segment_key(int32_t industry, int32_t band)
{
    return ((uint64_t)(uint32_t)(industry + 1) << 32) | (uint32_t)(band + 1);
}

/* ---- proxies (value_proxy.c) ------------------------------------------------------------------
 */

/* The discounted years of o's horizon: the sum over its months k of 1/12 / (1 + d)^k. */
double value_discounted_years(const struct value_options *o);

/* value_proxy() with the discounted years given. */
double value_proxy_with(const struct value_customer *c, int32_t as_of_day,
                        const struct value_options *o, double years);

#endif
