/*
 * voids.h - the rules of a void (an interaction whose voids_id names the interaction it takes
 * back), checked in one place for both doors that write interactions: POST
 * /api/v1/interactions/{id}/void (api/interactions.c) and kith import (io/import_write.c). The
 * rules need the voided interaction's row: each door reads it with store_void_target() in the
 * state it writes into, and asks interaction_void_check(). docs/import-export.md lists the rules.
 *
 * Messages say what is wrong but not where, as validate.h's do: the API answers "voids_id: <why>",
 * the import "<file>:<line>:<column>: voids_id: <why>".
 */
#ifndef KITH_MODEL_VOIDS_H
#define KITH_MODEL_VOIDS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

/* What the rules need to know of the interaction a void names. */
struct void_target {
    int64_t id;         /* the voids_id of the void */
    bool found;         /* there is such an interaction (for the API: one the caller may see) */
    int64_t contact_id; /* its contact */
    int64_t voids_id;   /* the interaction it voids itself; 0 when it voids none */
    int64_t voided_by;  /* the interaction that voids it already; 0 when none */
};

/*
 * Checks that the interaction void_id (0 when its id is not known yet) of contact contact_id
 * (0 when not known) may void target: not itself (KITH_EINVAL), an interaction that exists
 * (KITH_ENOTFOUND), is no void itself (KITH_ECONFLICT), is not voided by another interaction
 * yet (KITH_ECONFLICT) and belongs to the same contact (KITH_EINVAL). Returns 0 or that code
 * with the reason in err.
 */
int interaction_void_check(const struct void_target *target, int64_t void_id, int64_t contact_id,
                           struct kith_error *err);

#endif
