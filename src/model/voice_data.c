/*
 * voice_data.c - freeing the survey data of an analysis (model/voice_data.h).
 */
#include "model/voice_data.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

void voice_data_release(struct voice_data *d)
{
    for (size_t i = 0; i < d->n; i++) {
        struct voice_answer *a = &d->answers[i];
        free(a->channel);
        free(a->touchpoint);
        free(a->type);
        free(a->unit);
        free(a->partner);
        free(a->product);
    }
    for (size_t i = 0; i < d->nsurveys; i++) {
        free(d->surveys[i].name);
        free(d->surveys[i].channel);
        free(d->surveys[i].touchpoint);
    }
    for (size_t i = 0; i < d->nrv; i++)
        free(d->rv[i].channel);
    free(d->answers);
    free(d->surveys);
    free(d->rv);
    memset(d, 0, sizeof(*d));
}
