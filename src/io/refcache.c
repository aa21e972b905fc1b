/*
 * refcache.c - the id set and key map of refcache.h: linear probing, power-of-two capacity,
 * load at most 1/2, keys copied into large blocks so that adding allocates rarely.
 */
#include "io/refcache.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

#define BLOCK_SIZE (64 * 1024)

struct keymap_block {
    struct keymap_block *next;
    size_t used, cap;
    char data[];
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Eight bytes at a time (keys are short: emails, codes), then mixed into every bit. */
static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
        s += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, len);
    return mix(h ^ w);
}

void idset_init(struct idset *s)
{
    memset(s, 0, sizeof(*s));
}

void idset_release(struct idset *s)
{
    free(s->slots);
    memset(s, 0, sizeof(*s));
}

bool idset_has(const struct idset *s, int64_t id)
{
    if (!s->cap || id <= 0)
        return false;
    size_t mask = s->cap - 1;
    for (size_t i = mix((uint64_t)id) & mask;; i = (i + 1) & mask) {
        if (s->slots[i] == id)
            return true;
        if (s->slots[i] == 0)
            return false;
    }
}

static void idset_place(int64_t *slots, size_t cap, int64_t id)
{
    size_t mask = cap - 1;
    size_t i = mix((uint64_t)id) & mask;
    while (slots[i] != 0 && slots[i] != id)
        i = (i + 1) & mask;
    slots[i] = id;
}

int idset_add(struct idset *s, int64_t id, struct kith_error *err)
{
    if (id <= 0)
        BUG("idset_add(%lld)", (long long)id);
    if (s->n >= REFCACHE_MAX)
        return 0;
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        int64_t *slots = alloc_array_zero(cap, sizeof(*slots));
        if (!slots)
            return kith_err(err, KITH_ENOMEM, "out of memory caching ids");
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i])
                idset_place(slots, cap, s->slots[i]);
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    if (!idset_has(s, id)) {
        idset_place(s->slots, s->cap, id);
        s->n++;
    }
    return 0;
}

void keymap_init(struct keymap *m)
{
    memset(m, 0, sizeof(*m));
}

void keymap_release(struct keymap *m)
{
    free(m->slots);
    for (struct keymap_block *b = m->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    memset(m, 0, sizeof(*m));
}

static struct keymap_slot *find_slot(const struct keymap *m, uint64_t h, const char *key,
                                     size_t len)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct keymap_slot *e = &m->slots[i];
        if (e->id == 0 ||
            (e->hash == h && e->len == len && (len == 0 || memcmp(e->key, key, len) == 0)))
            return e;
    }
}

bool keymap_get(const struct keymap *m, const char *key, size_t len, int64_t *id)
{
    if (!m->cap)
        return false;
    struct keymap_slot *e = find_slot(m, hash_bytes(key, len), key, len);
    if (e->id == 0)
        return false;
    *id = e->id;
    return true;
}

void keymap_prefetch(const struct keymap *m, const char *key, size_t len)
{
    if (m->cap)
        __builtin_prefetch(&m->slots[hash_bytes(key, len) & (m->cap - 1)]);
}

static const char *copy_key(struct keymap *m, const char *key, size_t len)
{
    struct keymap_block *b = m->blocks;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > BLOCK_SIZE ? len + 1 : BLOCK_SIZE;
        b = malloc(sizeof(*b) + cap);
        if (!b)
            return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = m->blocks;
        m->blocks = b;
    }
    char *p = b->data + b->used;
    memcpy(p, key, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

int keymap_put(struct keymap *m, const char *key, size_t len, int64_t id, struct kith_error *err)
{
    if (id <= 0)
        BUG("keymap_put(%lld)", (long long)id);
    if (m->n >= REFCACHE_MAX)
        return 0;
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        struct keymap_slot *slots = alloc_array_zero(cap, sizeof(*slots));
        if (!slots)
            return kith_err(err, KITH_ENOMEM, "out of memory caching keys");
        struct keymap old = *m;
        m->slots = slots;
        m->cap = cap;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].id)
                *find_slot(m, old.slots[i].hash, old.slots[i].key, old.slots[i].len) = old.slots[i];
        free(old.slots);
    }
    uint64_t h = hash_bytes(key, len);
    struct keymap_slot *e = find_slot(m, h, key, len);
    if (e->id == 0) {
        const char *copy = copy_key(m, key, len);
        if (!copy)
            return kith_err(err, KITH_ENOMEM, "out of memory caching keys");
        e->hash = h;
        e->key = copy;
        e->len = len;
        m->n++;
    }
    e->id = id;
    return 0;
}
