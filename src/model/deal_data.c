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
    for (size_t i = 0; i < d->nnames; i++)
        free(d->names[i]);
    free(d->names);
    for (size_t i = 0; i < d->nlines; i++)
        free(d->lines[i].product);
    for (size_t i = 0; i < d->nusers; i++)
        free(d->users[i].name);
    for (size_t i = 0; i < d->nquotas; i++)
        free(d->quotas[i].currency);
    free(d->users);
    free(d->changes);
    free(d->quotas);
    free(d->stages);
    free(d->deals);
    free(d->lines);
    memset(d, 0, sizeof(*d));
}
