/*
 * snapshot_dict.c - dictionaries of short texts (industries, territories, sources, revenue bands):
 * an open-addressing hash from text to index, and the interning of a contact's attributes into
 * them, for the builder and the updates alike.
 */
#include "engine/snapshot_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

#define DICT_MAX 1000000 /* distinct values of one attribute */

static uint32_t hash_text(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

void snap_dict_release(struct rv_dict *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->names[i]);
    free(d->names);
    free(d->slots);
    memset(d, 0, sizeof(*d));
}

const char *rv_dict_name(const struct rv_dict *d, int32_t i)
{
    return i >= 0 && (size_t)i < d->n ? d->names[i] : NULL;
}

int32_t rv_dict_find(const struct rv_dict *d, const char *text)
{
    if (!d->cap || !text)
        return -1;
    size_t mask = d->cap - 1;
    for (size_t k = hash_text(text) & mask;; k = (k + 1) & mask) {
        uint32_t v = d->slots[k];
        if (!v)
            return -1;
        if (strcmp(d->names[v - 1], text) == 0)
            return (int32_t)(v - 1);
    }
}

int snap_dict_intern(struct rv_dict *d, const char *text, int32_t *out)
{
    *out = RV_NONE;
    if (!text || !*text)
        return 0;
    int32_t i = rv_dict_find(d, text);
    if (i >= 0) {
        *out = i;
        return 0;
    }
    if (d->n >= DICT_MAX)
        return KITH_ERANGE;
    if ((d->n + 1) * 2 > d->cap) { /* keep the table at most half full */
        size_t ncap = d->cap ? d->cap * 2 : 64;
        uint32_t *slots = alloc_array_zero(ncap, sizeof(*slots));
        if (!slots)
            return KITH_ENOMEM;
        for (size_t j = 0; j < d->n; j++) {
            size_t k = hash_text(d->names[j]) & (ncap - 1);
            while (slots[k])
                k = (k + 1) & (ncap - 1);
            slots[k] = (uint32_t)(j + 1);
        }
        char **names = alloc_array_grow(d->names, ncap / 2, sizeof(*names));
        if (!names) {
            free(slots);
            return KITH_ENOMEM;
        }
        free(d->slots);
        d->slots = slots;
        d->names = names;
        d->cap = ncap;
    }
    char *copy = snap_dup_text(text);
    if (!copy)
        return KITH_ENOMEM;
    d->names[d->n] = copy;
    size_t k = hash_text(text) & (d->cap - 1);
    while (d->slots[k])
        k = (k + 1) & (d->cap - 1);
    d->slots[k] = (uint32_t)(d->n + 1);
    *out = (int32_t)d->n++;
    return 0;
}

/* ---- contact attributes -----------------------------------------------------------------------
 */

int snap_encode_contact(struct rv_snapshot *s, const struct rv_contact_in *c, struct b_contact *d)
{
    int rc;
    memset(d, 0, sizeof(*d));
    d->id = c->id;
    d->account_id = c->account_id;
    d->owner_id = c->owner_id;
    d->unit_id = c->unit_id;
    d->team_id = c->team_id;
    if ((rc = snap_dict_intern(&s->industries, c->industry, &d->industry)) < 0 ||
        (rc = snap_dict_intern(&s->territories, c->territory, &d->territory)) < 0 ||
        (rc = snap_dict_intern(&s->sources, c->source, &d->source)) < 0 ||
        (rc = snap_dict_intern(&s->bands, c->revenue_band, &d->band)) < 0)
        return rc;
    d->community = snap_community_index(c->community_role);
    return 0;
}

int snap_dict_error(int rc, struct kith_error *err)
{
    if (rc == KITH_ERANGE)
        return kith_err(err, rc, "more than %d distinct values of one contact attribute", DICT_MAX);
    return snap_oom(err, "reading contacts");
}
