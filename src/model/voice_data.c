/*
 * voice_data.c - the survey data of an analysis (model/voice_data.h): the answers' columns,
 * interning the values the answers are grouped by, and freeing it all.
 */
#include "model/voice_data.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

#define VOICE_NAMES_MAX ((size_t)1 << 30) /* distinct values of one dimension */

/* FNV-1a of the text, or a mix of the id. */
static uint64_t hash_of(int64_t id, const char *name, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    if (id) {
        h ^= (uint64_t)id;
        h *= 0x9E3779B97F4A7C15ULL;
        return h ^ (h >> 29);
    }
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)name[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static bool same(const struct voice_names *v, uint32_t i, int64_t id, const char *name, size_t len)
{
    if (v->id[i] != id)
        return false;
    if (id)
        return true;
    const char *s = v->name[i];
    if (!s || !name)
        return !s && !name;
    return strlen(s) == len && memcmp(s, name, len) == 0;
}

static bool rehash(struct voice_names *v, size_t nslots)
{
    uint32_t *slots = calloc(nslots, sizeof(*slots));
    if (!slots)
        return false;
    for (size_t i = 0; i < v->n; i++) {
        const char *s = v->name[i];
        size_t h = (size_t)hash_of(v->id[i], s, s ? strlen(s) : 0) & (nslots - 1);
        while (slots[h])
            h = (h + 1) & (nslots - 1);
        slots[h] = (uint32_t)i + 1;
    }
    free(v->slots);
    v->slots = slots;
    v->nslots = nslots;
    return true;
}

int32_t voice_names_intern(struct voice_names *v, int64_t id, const char *name, size_t len)
{
    if (!id && !name)
        return -1;
    size_t h = 0; /* where the lookup ended: the empty slot the value goes to */
    if (v->nslots) {
        h = (size_t)hash_of(id, name, len) & (v->nslots - 1);
        for (; v->slots[h]; h = (h + 1) & (v->nslots - 1))
            if (same(v, v->slots[h] - 1, id, name, len))
                return (int32_t)(v->slots[h] - 1);
    }
    if (v->n >= VOICE_NAMES_MAX)
        return -1;
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        int64_t *ids = alloc_array_grow(v->id, cap, sizeof(*ids));
        if (!ids)
            return -1;
        v->id = ids;
        char **names = alloc_array_grow(v->name, cap, sizeof(*names));
        if (!names)
            return -1;
        v->name = names;
        v->cap = cap;
    }
    char *copy = NULL;
    if (name) {
        if (!(copy = malloc(len + 1)))
            return -1;
        memcpy(copy, name, len);
        copy[len] = '\0';
    }
    v->id[v->n] = id;
    v->name[v->n] = copy;
    v->n++;
    if (v->n * 2 > v->nslots) { /* at most half full: rehash places the new value too */
        if (!rehash(v, v->nslots ? v->nslots * 2 : 64)) {
            free(copy);
            v->n--;
            return -1;
        }
    } else {
        v->slots[h] = (uint32_t)v->n;
    }
    return (int32_t)(v->n - 1);
}

/* Grows column *p of n items of size bytes to cap items. */
static bool grow(void *p, size_t cap, size_t size)
{
    void *q = alloc_array_grow(*(void **)p, cap, size);
    if (!q)
        return false;
    *(void **)p = q;
    return true;
}

bool voice_answers_reserve(struct voice_data *d, size_t n)
{
    if (n <= d->cap)
        return true;
    size_t cap = d->cap ? d->cap : 1024;
    while (cap < n)
        cap *= 2;
    struct voice_answers *a = &d->a;
    bool ok = grow(&a->contact_id, cap, sizeof(int64_t)) &&
              grow(&a->survey_id, cap, sizeof(int64_t)) &&
              grow(&a->answered_at, cap, sizeof(int64_t)) && grow(&a->nps, cap, 1) &&
              grow(&a->csat, cap, 1);
    for (int k = 0; k < VOICE_NDIMS && ok; k++)
        ok = grow(&a->key[k], cap, sizeof(int32_t));
    if (ok)
        d->cap = cap;
    return ok;
}

static void names_release(struct voice_names *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->name[i]);
    free(v->id);
    free(v->name);
    free(v->slots);
    memset(v, 0, sizeof(*v));
}

void voice_data_release(struct voice_data *d)
{
    for (size_t i = 0; i < d->nsurveys; i++) {
        free(d->surveys[i].name);
        free(d->surveys[i].channel);
        free(d->surveys[i].touchpoint);
    }
    for (size_t i = 0; i < d->nrv; i++)
        free(d->rv[i].channel);
    for (int k = 0; k < VOICE_NDIMS; k++) {
        names_release(&d->names[k]);
        free(d->a.key[k]);
    }
    free(d->a.contact_id);
    free(d->a.survey_id);
    free(d->a.answered_at);
    free(d->a.nps);
    free(d->a.csat);
    free(d->surveys);
    free(d->rv);
    memset(d, 0, sizeof(*d));
}
