/*
 * kept.c - values kept between requests, read again when the database changed (kept.h).
 */
#include "api/kept.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

static void item_free(struct kept_cache *c, struct kept_item *it)
{
    c->free_value(it->value);
    free(it->key);
    free(it);
}

/* Takes it out of the cache: freed now, or by its last reader. Under c->mu. */
static void drop(struct kept_cache *c, size_t k)
{
    struct kept_item *it = c->slot[k];
    c->slot[k] = NULL;
    if (!it)
        return;
    if (it->readers)
        it->stale = true;
    else
        item_free(c, it);
}

/* The slot for a new value: an empty one, else the least recently used one emptied. */
static size_t free_slot(struct kept_cache *c)
{
    size_t lru = 0;
    for (size_t k = 0; k < c->nslots; k++) {
        if (!c->slot[k])
            return k;
        if (c->slot[k]->used < c->slot[lru]->used)
            lru = k;
    }
    drop(c, lru);
    return lru;
}

static struct kept_item *load_item(struct kept_cache *c, const void *key, size_t keylen,
                                   kept_load_fn load, void *ctx, struct kith_error *err)
{
    struct kept_item *it = calloc(1, sizeof(*it));
    if (!it || (keylen && !(it->key = malloc(keylen)))) {
        free(it);
        kith_err(err, KITH_ENOMEM, "out of memory keeping an answer");
        return NULL;
    }
    if (keylen)
        memcpy(it->key, key, keylen);
    it->keylen = keylen;
    if (load(c->conn, ctx, &it->value, err) < 0) {
        free(it->key);
        free(it);
        return NULL;
    }
    return it;
}

struct kept_item *kept_begin(struct kept_cache *c, struct store *s, const void *key, size_t keylen,
                             kept_load_fn load, void *ctx, struct kith_error *err)
{
    if (c->nslots == 0 || c->nslots > KEPT_MAX_SLOTS)
        BUG("kept_begin: a cache of %zu slots", c->nslots);
    pthread_mutex_lock(&c->mu);
    struct kept_item *it = NULL;
    int64_t version = 0;
    if (!c->conn && store_open(store_path(s), STORE_READONLY, &c->conn, err) < 0)
        goto out;
    if ((c->version_of ? c->version_of(c->conn, &version, err)
                       : store_data_version(c->conn, &version, err)) < 0)
        goto out;
    if (version != c->version) { /* the database changed: nothing kept holds */
        for (size_t k = 0; k < c->nslots; k++)
            drop(c, k);
        c->version = version;
    }
    for (size_t k = 0; k < c->nslots && !it; k++)
        if (c->slot[k] && c->slot[k]->keylen == keylen &&
            (keylen == 0 || memcmp(c->slot[k]->key, key, keylen) == 0))
            it = c->slot[k];
    if (!it) {
        if (!(it = load_item(c, key, keylen, load, ctx, err)))
            goto out;
        c->slot[free_slot(c)] = it;
    }
    it->used = ++c->tick;
    it->readers++;
out:
    pthread_mutex_unlock(&c->mu);
    return it;
}

void kept_end(struct kept_cache *c, struct kept_item *it)
{
    if (!it)
        return;
    pthread_mutex_lock(&c->mu);
    if (--it->readers == 0 && it->stale)
        item_free(c, it);
    pthread_mutex_unlock(&c->mu);
}
