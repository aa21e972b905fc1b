/*
 * alike_data.c - freeing and searching the inputs of "someone like me" (alike_data.h).
 */
#include "model/alike_data.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

void alike_data_release(struct alike_data *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->entities[i].name);
        free(d->entities[i].short_name);
        free(d->entities[i].industry);
        free(d->entities[i].territory);
    }
    for (size_t i = 0; i < d->nproducts; i++) {
        free(d->products[i].sku);
        free(d->products[i].name);
    }
    free(d->entities);
    free(d->products);
    free(d->buys);
    free(d->orders);
    free(d->intents);
    memset(d, 0, sizeof(*d));
}

size_t alike_data_find(const struct alike_data *d, int64_t id)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->entities[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->n && d->entities[lo].id == id ? lo : SIZE_MAX;
}
