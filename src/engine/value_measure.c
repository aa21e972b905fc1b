/*
 * value_measure.c - the measures of a customer (lifetime, predicted, to date, current, profit)
 * by name, and customers ordered by one of them, highest first.
 */
#include "engine/value_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

static const char *const measure_names[] = {
    [VALUE_LIFETIME] = "lifetime", [VALUE_PREDICTED] = "predicted",
    [VALUE_TO_DATE] = "to_date",   [VALUE_CURRENT] = "current",
    [VALUE_PROFIT] = "profit",     [VALUE_PROFIT_CURRENT] = "profit_current",
};

double value_of(const struct value_customer *c, enum value_measure m)
{
    switch (m) {
    case VALUE_LIFETIME:
        return c->lifetime;
    case VALUE_PREDICTED:
        return c->predicted;
    case VALUE_TO_DATE:
        return c->to_date;
    case VALUE_CURRENT:
        return c->current;
    case VALUE_PROFIT:
        return c->to_date - c->cost_to_date;
    case VALUE_PROFIT_CURRENT:
        return c->current - c->cost_current;
    }
    return NAN;
}

/* A value and whose it is, for sorting indices by value without a global context. */
struct keyed_index {
    double value;
    size_t index;
};

static int keyed_desc(const void *pa, const void *pb)
{
    const struct keyed_index *a = pa, *b = pb;
    bool fa = isfinite(a->value), fb = isfinite(b->value);
    if (fa != fb)
        return fa ? -1 : 1;
    if (fa && a->value != b->value)
        return a->value > b->value ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

bool value_sort_desc(size_t *ix, size_t n, const double *value)
{
    struct keyed_index *k = alloc_array(n, sizeof(*k));
    if (!k)
        return false;
    for (size_t i = 0; i < n; i++)
        k[i] = (struct keyed_index){value[ix[i]], ix[i]};
    qsort(k, n, sizeof(*k), keyed_desc);
    for (size_t i = 0; i < n; i++)
        ix[i] = k[i].index;
    free(k);
    return true;
}

size_t *value_order(const struct value_result *r, enum value_measure m)
{
    size_t *ix = alloc_array(r->n, sizeof(*ix));
    double *v = alloc_array(r->n, sizeof(*v));
    if (ix && v) {
        for (size_t i = 0; i < r->n; i++) {
            ix[i] = i;
            v[i] = value_of(&r->c[i], m);
        }
    }
    if (!ix || !v || !value_sort_desc(ix, r->n, v)) {
        free(ix);
        ix = NULL;
    }
    free(v);
    return ix;
}

const char *value_measure_name(enum value_measure m)
{
    return (size_t)m < sizeof(measure_names) / sizeof(measure_names[0]) ? measure_names[m] : "?";
}

bool value_measure_parse(const char *name, enum value_measure *m)
{
    for (size_t i = 0; i < sizeof(measure_names) / sizeof(measure_names[0]); i++) {
        if (strcmp(measure_names[i], name) == 0) {
            *m = (enum value_measure)i;
            return true;
        }
    }
    return false;
}
