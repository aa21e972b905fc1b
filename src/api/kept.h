/*
 * kept.h - what the server keeps in memory between requests and reads again when the database
 * changed: the deals of /api/v1/deal-stats (deal_stats.c), the mined cross-sell rules of
 * /api/v1/value/xsell (value.c). docs/internals/value.md, "The kept rules".
 *
 * A cache reads through a connection of its own that never writes and checks SQLite's
 * `PRAGMA data_version` on it at each kept_begin(): any commit by another connection (this
 * server's handlers, kith import) moves it, and every kept value is then dropped and loaded
 * again on demand. A cache made with KEPT_CACHE_VERSIONED() checks a version of its own
 * instead (xsell: store_value_changes(), the deals: store_deal_changes(); only writes to their
 * inputs move them). A value is
 * read-only for its readers; one dropped while read is freed by its last reader (kept_end()).
 * Loading happens under the cache's lock: two requests for the same value load it once, the second
 * waits for the first.
 */
#ifndef KITH_API_KEPT_H
#define KITH_API_KEPT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/error.h"

#define KEPT_MAX_SLOTS 8 /* values per cache at most; the least recently used goes first */

/*
 * Makes the value for key on conn (the cache's own connection: read-only) into *value, owned by
 * the cache from then on. ctx is kept_begin()'s. Returns 0 or a negative KITH_E code with err.
 */
typedef int (*kept_load_fn)(struct store *conn, void *ctx, void **value, struct kith_error *err);
typedef void (*kept_free_fn)(void *value);

/*
 * The version of what a cache's values are made of, read on the cache's connection: values are
 * dropped when it moves. NULL: store_data_version(), which moves with every commit.
 */
typedef int (*kept_version_fn)(struct store *conn, int64_t *version, struct kith_error *err);

/* One kept value (the cache's; a reader uses value only). */
struct kept_item {
    void *value;
    unsigned char *key;
    size_t keylen;
    int readers;
    bool stale;    /* dropped from the cache: its last reader frees it */
    uint64_t used; /* the cache's tick when last begun */
};

/* A cache: a static object initialised with KEPT_CACHE(); lives for the process. */
struct kept_cache {
    pthread_mutex_t mu; /* everything below, and the use of conn */
    kept_free_fn free_value;
    kept_version_fn version_of; /* NULL: store_data_version() */
    size_t nslots;              /* 1 .. KEPT_MAX_SLOTS */
    struct store *conn;         /* opened on first use, kept for the process's life */
    int64_t version;            /* conn's data_version when the kept values were read */
    uint64_t tick;
    struct kept_item *slot[KEPT_MAX_SLOTS];
};

#define KEPT_CACHE(free_fn, n)                                                                     \
    {                                                                                              \
        .mu = PTHREAD_MUTEX_INITIALIZER, .free_value = (free_fn), .nslots = (n)                    \
    }
/* A cache whose values are dropped when version_fn's version moves (not at every commit). */
#define KEPT_CACHE_VERSIONED(free_fn, n, version_fn)                                               \
    {                                                                                              \
        .mu = PTHREAD_MUTEX_INITIALIZER, .free_value = (free_fn), .version_of = (version_fn),      \
        .nslots = (n)                                                                              \
    }

/*
 * The value kept under key (keylen bytes, copied and compared byte for byte; keylen 0 for a
 * cache of one value) for reading: loaded first with load(conn, ctx) when none is kept or
 * the data_version of the cache's connection moved since it was. s names the database (the
 * cache opens its own connection to store_path(s) once). NULL with err set on failure; every
 * non-NULL answer is given back with kept_end().
 */
struct kept_item *kept_begin(struct kept_cache *c, struct store *s, const void *key, size_t keylen,
                             kept_load_fn load, void *ctx, struct kith_error *err);

/* Gives back what kept_begin() gave; NULL is allowed. */
void kept_end(struct kept_cache *c, struct kept_item *it);

#endif
