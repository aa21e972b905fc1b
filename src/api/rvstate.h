/*
 * rvstate.h - the server's Relationship Value state: one RV snapshot in memory (engine/snapshot.h)
 * kept up to date as interactions and contacts are written through the API, the team norm that
 * live exceptions are judged against, and the hand-off of those exceptions to the live stream
 * (rv_stream.c). docs/internals/rv.md, "In the server".
 *
 * Readers (the /api/v1/rv handlers) bracket their use of the snapshot with rvstate_read_begin()
 * and rvstate_read_end(): a read-write lock, so that many compute at once and an update waits
 * for them. Writers are the resource handlers, after their transaction committed: interactions
 * and contacts are folded in incrementally; any other change that the snapshot reflects (orders,
 * events, users, teams, units, the catalogue, a deleted contact) asks for a reload, which a
 * background thread does without stopping readers, replaying what was written meanwhile.
 * The same thread reads SQLite's data_version every 500 ms and reloads within 2 s of a commit
 * by another process (kith import, kith user): docs/internals/rv.md, "Writes from other
 * processes".
 */
#ifndef KITH_API_RVSTATE_H
#define KITH_API_RVSTATE_H

#include <stdint.h>

#include "api/resource.h"
#include "engine/norm.h"
#include "engine/snapshot.h"
#include "store/store.h"
#include "util/error.h"

/* What rvstate_start() loaded, for the server's start-up line. */
struct rvstate_info {
    size_t contacts, interactions;
    double seconds;
};

/*
 * Loads the snapshot from db_path, computes the live norm and starts the background thread.
 * The norm is recomputed every KITH_RV_NORM_SECONDS (default 300) and after each reload; reloads
 * that the server's own writes ask for are at least KITH_RV_RELOAD_SECONDS apart (default 10);
 * one that another process's write asks for starts at the next check, within 500 ms. Returns 0
 * or a negative KITH_E code.
 */
int rvstate_start(const char *db_path, struct rvstate_info *info, struct kith_error *err);

/* Stops the background thread and frees the state. */
void rvstate_stop(void);

/*
 * The snapshot and the live norm (by team, over every contact, computed at some recent time) for
 * reading; NULL when the state is not running. Every begin is paired with an end.
 */
const struct rv_snapshot *rvstate_read_begin(const struct norm_result **live_norm);
void rvstate_read_end(void);

/*
 * Hooks for writers, called after the write committed, on the writer's connection. Failures are
 * logged and turn into a reload: a write is never refused because the snapshot lags.
 */
void rvstate_interaction_written(struct store *s, int64_t id);
void rvstate_contact_written(struct store *s, int64_t id);
void rvstate_account_written(struct store *s, int64_t id);
/*
 * The same for the n interactions rows[0..n) just written, of one contact and none voiding
 * another (a device's batch), as the writer has them (not read back): applied under one lock,
 * the contact's standing against the norm judged once before and once after. Rows of another
 * kind are read and applied one by one.
 */
void rvstate_interactions_added(struct store *s, const struct store_interaction_row *rows,
                                size_t n);

/* Something else the snapshot reflects changed: reload it soon. why names it for the log. */
void rvstate_changed(const char *why);

/* The same as `committed` hooks of the API resources (resource.h) that the snapshot reflects. */
void rvstate_on_interaction(struct api_request *req, int64_t id, enum resource_change change);
void rvstate_on_contact(struct api_request *req, int64_t id, enum resource_change change);
void rvstate_on_account(struct api_request *req, int64_t id, enum resource_change change);
/* The catalogue (interaction types) changed: reloads the snapshot and returns once it has. */
void rvstate_on_catalogue(struct api_request *req, int64_t id, enum resource_change change);
/*
 * Reloads the snapshot at once and returns when it has: for rare changes the answer should
 * only follow once RV reflects them (the catalogue, a device's readings deleted).
 */
void rvstate_reload_now(void);
/* orders, events, users, teams, units: a reload within KITH_RV_RELOAD_SECONDS */
void rvstate_on_other(struct api_request *req, int64_t id, enum resource_change change);

#endif
