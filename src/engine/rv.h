/*
 * rv.h - Relationship Value of contacts (DESIGN.md §4, seed 001): cumulative RV at any time, the
 * half-life "current strength", the relationship level from trigger interactions, the lifecycle
 * stage from the level's phase, and a contact's pattern (cumulative RV by relationship age).
 * Pure functions over a snapshot (engine/snapshot.h); rules in docs/internals/rv.md.
 *
 * The rules, in short: an interaction counts unless it is voided or voids another. RV at t is
 * the sum of the RV of counted interactions at or before t. The level is 1 + the highest level of
 * a counted trigger at or before t (1 without one), capped at the catalogue's top level, and 0
 * when nothing counts; the stage is the phase of that level.
 */
#ifndef KITH_ENGINE_RV_H
#define KITH_ENGINE_RV_H

#include <stddef.h>
#include <stdint.h>

#include "engine/snapshot.h"
#include "util/error.h"

/* The state of contact c counting its interactions at or before at (snapshot time). */
void rv_contact_state_at(const struct rv_snapshot *s, size_t c, int32_t at,
                         struct rv_contact_state *out);

/* The level that a highest counted trigger level gives (see above); stage of a level. */
int rv_level_from_trigger(const struct rv_snapshot *s, int max_trigger_level);
int rv_level_stage(const struct rv_snapshot *s, int level);

/*
 * The state of every contact at as_of_ms (Unix ms) into out[0..s->nc); contacts outside mask
 * (NULL: none is outside) get the empty state. nthreads (1..8) splits the contacts.
 * out is the caller's. Returns 0: it cannot fail (a thread that cannot start leaves its share
 * to the calling thread); err is kept for the callers' uniform error handling.
 */
int rv_compute(const struct rv_snapshot *s, int64_t as_of_ms, const struct rv_mask *mask,
               unsigned nthreads, struct rv_contact_state *out, struct kith_error *err);

/*
 * "Current strength" of contact c at as_of_ms: sum of rv_i * 2^(-(as_of - t_i) / half_life)
 * over counted interactions at or before as_of. half_life_days > 0.
 */
double rv_strength(const struct rv_snapshot *s, size_t c, int64_t as_of_ms, double half_life_days);

/*
 * Contact c's pattern: values[b] = cumulative RV at first + b * bucket_days days, for the ages
 * b * bucket_days <= age at as_of (b = 0 is the first interaction's instant). Writes at most cap
 * values and sets *n to the number of buckets the contact has (0 without counted interactions),
 * which may exceed cap. values is the caller's. KITH_EINVAL for bucket_days < 1.
 */
int rv_pattern(const struct rv_snapshot *s, size_t c, int64_t as_of_ms, int bucket_days,
               int64_t *values, size_t cap, size_t *n, struct kith_error *err);

#endif
