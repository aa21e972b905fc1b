/*
 * community.h - keeps the community's derived fields in line after an API write
 * (analysis/voice_community.h): the committed hook of ratings, ideas, idea votes and events.
 */
#ifndef KITH_API_COMMUNITY_H
#define KITH_API_COMMUNITY_H

#include "api/resource.h"

/*
 * After a write of row id of table (ratings, ideas, idea_votes, events) committed: derives again
 * the community role of the row's contact (on create and update, whose contact_id cannot move)
 * or of every contact (delete, and an event's update, which may move its contact). A failure is
 * logged; the write stands and the next refresh mends the role. A role that moved has the RV
 * snapshot, which groups norms by role, reloaded soon (rvstate_changed()).
 */
void api_community_changed(struct api_request *req, const char *table, int64_t id,
                           enum resource_change change);

#endif
