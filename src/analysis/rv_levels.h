/*
 * rv_levels.h - one truth for a contact's relationship level and lifecycle stage. The RV engine
 * derives them from the contact's interactions (engine/rv.h: 1 + the highest level of a counted
 * trigger, the stage that level's phase); the contacts table keeps a copy so that lists,
 * filters and exports show the same values as the contact's RV page. Whoever holds a snapshot
 * writes the copy through these functions: `kith import` and `kith demo` after they commit,
 * `kith serve` after each load and after each interaction it applies. docs/internals/rv.md,
 * "Level and stage", says what moves them.
 */
#ifndef KITH_ANALYSIS_RV_LEVELS_H
#define KITH_ANALYSIS_RV_LEVELS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/snapshot.h"
#include "store/store.h"

/*
 * The level and stage snapshot s gives contact index c (counting every interaction it holds)
 * into *out (the stage points to a static name).
 */
void rv_levels_of(const struct rv_snapshot *s, size_t c, struct store_contact_level *out);

/*
 * Stores the level and stage of every contact of s (writing only those that differ) in one
 * transaction; *changed (when non-NULL) gets the number of contacts whose stored values moved.
 */
int rv_levels_store_all(struct store *st, const struct rv_snapshot *s, size_t *changed,
                        struct kith_error *err);

/*
 * Loads the snapshot of st (nthreads readers) and stores every contact's level and stage: what
 * a command that wrote interactions, contacts or the catalogue does after its commit.
 */
int rv_levels_refresh(struct store *st, unsigned nthreads, size_t *changed, struct kith_error *err);

#endif
