/*
 * value_kept.h - the server's keeper of the customer value figures (analysis/value.h, "kept
 * figures"; docs/internals/value.md, "Kept figures"). One background thread keeps the newest
 * figures in memory: at start it reads those the store holds (written by this server before a
 * restart, or by another server), and whenever the version of the value inputs moves (it looks
 * every KITH_VALUE_POLL_SECONDS, 1 by default, and when a request finds the figures stale) it
 * computes them again, puts them in place of the old ones and saves them in the store. Requests
 * for /api/v1/value/clv and /dist answer from them (api/value.c).
 */
#ifndef KITH_API_VALUE_KEPT_H
#define KITH_API_VALUE_KEPT_H

#include <stdbool.h>

#include "analysis/value.h"
#include "store/store.h"
#include "util/error.h"

/* Starts the keeper's thread on the database at db_path (copied). */
int value_keeper_start(const char *db_path, struct kith_error *err);

/* Stops the thread (waits for a computation under way) and frees the figures. Safe twice. */
void value_keeper_stop(void);

/* What value_keeper_begin() found. */
enum value_keeper_state {
    VALUE_KEEPER_OFF,       /* no keeper (not started), or the last computation failed on
                               these data: compute the answer on the request */
    VALUE_KEEPER_COMPUTING, /* none kept yet, the first is being computed: 503, retry later */
    VALUE_KEEPER_KEPT,      /* figures in *k */
};

/*
 * The kept figures for a request on s (the request's connection, to read the version of the
 * value inputs): KEPT with *k (read-only; give it back with value_keeper_end()) and *stale when
 * the version has moved since (a refresh is then under way). While the last computation was
 * quick (below KITH_VALUE_WAIT_MS, 2000 by default) a stale request waits for the refresh, so a
 * small database answers its own writes; at scale it never waits. With none kept yet the
 * request waits up to 10 s for the first, then COMPUTING.
 */
enum value_keeper_state value_keeper_begin(struct store *s, const struct value_kept **k,
                                           bool *stale);
void value_keeper_end(const struct value_kept *k);

/*
 * A memo of finished answers per kept figures (for the unscoped dist, whose distributions over
 * every customer cost a sort each): the body kept under key (at most 64 bytes), or NULL; a
 * malloc'd copy the caller frees. put copies body. value_keeper_dist_key() is the key of a dist
 * request's parameters (those value_kept_covers() leaves free).
 */
void value_keeper_dist_key(const struct value_params *p, char *buf, size_t size);
char *value_keeper_memo_get(const struct value_kept *k, const char *key);
void value_keeper_memo_put(const struct value_kept *k, const char *key, const char *body);

/* The seconds a stale view is still answered quickly: also for /metrics and tests. */
#define VALUE_KEEPER_FIRST_WAIT_S 10

#endif
