/*
 * interactions.h - the interaction write path of the API for other resources: a survey answer
 * is also an interaction (src/api/surveys.c), recorded exactly as POST /api/v1/interactions
 * records one (the type's rv, cost and channel as defaults, the caller as user, source "api",
 * the caller's write scope through the contact).
 */
#ifndef KITH_API_INTERACTIONS_H
#define KITH_API_INTERACTIONS_H

#include "api/resource.h"

/*
 * Inside the caller's transaction: inserts row (a row of interactions the caller filled) as
 * POST /api/v1/interactions would (resource_insert_in()). 0 with the id in *id, or a negative
 * KITH_E code with the answer in res. After committing, the caller tells the RV engine:
 * rvstate_on_interaction(req, *id, RESOURCE_CREATED).
 */
int api_interaction_insert(struct api_request *req, struct resource_row *row, int64_t *id,
                           struct api_response *res);

#endif
