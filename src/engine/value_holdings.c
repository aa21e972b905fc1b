/*
 * value_holdings.c - product holding: the distinct products each customer has bought by the
 * as-of day, and how many distinct categories they fall in.
 */
#include "engine/value_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

void value_holdings_release(struct value_holdings *h)
{
    if (!h)
        return;
    free(h->start);
    free(h->items);
    free(h->categories);
    memset(h, 0, sizeof(*h));
}

struct held {
    size_t customer;
    int32_t product;
};

static int held_cmp(const void *pa, const void *pb)
{
    const struct held *a = pa, *b = pb;
    if (a->customer != b->customer)
        return a->customer < b->customer ? -1 : 1;
    return (a->product > b->product) - (a->product < b->product);
}

static int int32_cmp(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

int value_holdings_build(const struct cv_data *d, const struct value_result *r,
                         struct value_holdings *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    struct held *pairs = alloc_array(d->nlines, sizeof(*pairs));
    out->start = alloc_array_zero(r->n + 1, sizeof(*out->start));
    out->categories = alloc_array_zero(r->n, sizeof(*out->categories));
    if (!pairs || !out->start || !out->categories)
        goto out_nomem;
    size_t m = 0;
    for (size_t i = 0; i < d->nlines; i++) {
        const struct cv_line *l = &d->lines[i];
        if (cv_day(l->at) > r->as_of_day || l->product < 0 || (size_t)l->product >= d->nproducts)
            continue;
        size_t c = value_find(r, l->account_id);
        if (c != CV_NO_INDEX)
            pairs[m++] = (struct held){c, l->product};
    }
    qsort(pairs, m, sizeof(*pairs), held_cmp);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (i == 0 || held_cmp(&pairs[i], &pairs[i - 1]) != 0)
            pairs[u++] = pairs[i];
    out->items = alloc_array(u, sizeof(*out->items));
    if (!out->items)
        goto out_nomem;
    out->n = r->n;
    for (size_t i = 0; i < u; i++) {
        out->items[i] = pairs[i].product;
        out->start[pairs[i].customer + 1]++;
    }
    for (size_t i = 0; i < r->n; i++)
        out->start[i + 1] += out->start[i];
    /* distinct categories: sort each customer's categories (a few) and count the runs */
    int32_t *cats = pairs ? (int32_t *)(void *)pairs : NULL; /* reuse: u <= nlines */
    for (size_t i = 0; i < r->n; i++) {
        size_t a = out->start[i], b = out->start[i + 1], nc = 0;
        for (size_t j = a; j < b; j++) {
            int32_t cat = d->products[out->items[j]].category;
            if (cat != CV_NONE)
                cats[nc++] = cat;
        }
        qsort(cats, nc, sizeof(*cats), int32_cmp);
        for (size_t j = 0; j < nc; j++)
            out->categories[i] += j == 0 || cats[j] != cats[j - 1];
    }
    free(pairs);
    return 0;

out_nomem:
    free(pairs);
    value_holdings_release(out);
    return kith_err(err, KITH_ENOMEM, "out of memory counting product holdings");
}
