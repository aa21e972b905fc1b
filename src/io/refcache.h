/*
 * refcache.h - what an import already knows about referenced rows: a set of ids known to
 * exist and a map from natural-key text to id, both open-addressing hash tables.
 *
 * They only cache what the store said (the store stays the truth), so each is capped at
 * REFCACHE_MAX entries: past that, adding is a no-op and lookups fall through to the store.
 */
#ifndef KITH_IO_REFCACHE_H
#define KITH_IO_REFCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define REFCACHE_MAX (1u << 21)

/* A set of positive ids. Zero-initialise (or idset_init), idset_release when done. */
struct idset {
    int64_t *slots; /* 0 = empty */
    size_t cap, n;
};

void idset_init(struct idset *s);
void idset_release(struct idset *s);
bool idset_has(const struct idset *s, int64_t id);
/* Adds id (> 0). KITH_ENOMEM when the table cannot grow; a full set ignores the id. */
int idset_add(struct idset *s, int64_t id, struct kith_error *err);

struct keymap_slot {
    uint64_t hash;
    int64_t id; /* 0 = empty */
    const char *key;
    size_t len;
};

struct keymap_block;

/* A map from key text to a positive id; the map keeps its own copy of each key. */
struct keymap {
    struct keymap_slot *slots;
    size_t cap, n;
    struct keymap_block *blocks; /* copies of the keys */
};

void keymap_init(struct keymap *m);
void keymap_release(struct keymap *m);
/* True and *id when key (len bytes) is in the map. */
bool keymap_get(const struct keymap *m, const char *key, size_t len, int64_t *id);
/*
 * Asks the CPU to fetch the slot where key would be, ahead of a keymap_get(): the maps of a
 * large import are bigger than the caches, and a lookup that waits for memory costs more than
 * the rest of it.
 */
void keymap_prefetch(const struct keymap *m, const char *key, size_t len);
/* Adds or replaces key -> id (> 0). KITH_ENOMEM when it cannot grow; a full map ignores it. */
int keymap_put(struct keymap *m, const char *key, size_t len, int64_t id, struct kith_error *err);

#endif
