/*
 * deal_data.c - frees the deals an analysis read (model/deal_data.h).
 */
#include "model/deal_data.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

void deal_data_release(struct deal_data *d)
{
    for (size_t i = 0; i < d->nstages; i++)
        free(d->stages[i].name);
    for (size_t i = 0; i < d->n; i++) {
        free(d->deals[i].owner);
        free(d->deals[i].team);
        free(d->deals[i].unit);
        free(d->deals[i].source);
    }
    for (size_t i = 0; i < d->nlines; i++)
        free(d->lines[i].product);
    free(d->stages);
    free(d->deals);
    free(d->lines);
    memset(d, 0, sizeof(*d));
}
