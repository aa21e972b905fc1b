/*
 * voids.c - the rules of a void (voids.h): what the interaction it names must be, for the API's
 * void route and for kith import alike, so that a void one door refuses the other refuses with
 * the same reason.
 */
#include "model/voids.h"

#include "util/banned.h"

int interaction_void_check(const struct void_target *target, int64_t void_id, int64_t contact_id,
                           struct kith_error *err)
{
    long long id = (long long)target->id;
    /*
     * The voided interaction is there before its void (the API's order): never the void itself,
     * whether its id says so or, once it is in, its row (an import's row without an id).
     */
    if ((void_id > 0 && void_id == target->id) || (target->found && target->voids_id == target->id))
        return kith_err(err, KITH_EINVAL, "interaction %lld cannot void itself", id);
    if (!target->found)
        return kith_err(err, KITH_ENOTFOUND, "no interaction with id %lld", id);
    /* A void is taken back by nothing: a correction of a correction is a new interaction. */
    if (target->voids_id > 0)
        return kith_err(err, KITH_ECONFLICT,
                        "interaction %lld voids another one and cannot itself be voided", id);
    /* One void per interaction (the schema's unique index on voids_id says so too). */
    if (target->voided_by > 0 && target->voided_by != void_id)
        return kith_err(err, KITH_ECONFLICT, "interaction %lld is already voided by %lld", id,
                        (long long)target->voided_by);
    if (contact_id > 0 && contact_id != target->contact_id)
        return kith_err(err, KITH_EINVAL,
                        "interaction %lld is of contact %lld, not %lld: a void is of the contact"
                        " of the interaction it voids",
                        id, (long long)target->contact_id, (long long)contact_id);
    return 0;
}
