/*
 * alike_kept.h - the models of "someone like me" (analysis/voice_alike.h) kept between requests
 * of GET /api/v1/voice/alike and GET /portal/api/alike: one per kind (contacts, accounts), built
 * on first use and again after the database changed (api/kept.h).
 */
#ifndef KITH_API_ALIKE_KEPT_H
#define KITH_API_ALIKE_KEPT_H

#include "analysis/voice.h"
#include "api/api.h"
#include "api/kept.h"

/*
 * The kept model of kind for s (loaded first when none is kept or the database moved), to give
 * back with alike_kept_end(); NULL with err on failure. The model is (struct voice_alike_model
 * *)item->value, read-only.
 */
struct kept_item *alike_kept_begin(struct store *s, enum alike_kind kind, struct kith_error *err);
void alike_kept_end(struct kept_item *it);

/*
 * Runs `voice alike` with p over vs (its models filled from the kept ones here) and answers with
 * voice_report_json(), or the error naming the parameter at fault (voice.c; the staff route and
 * the portal's people map, portal_alike.c).
 */
void api_voice_alike_answer(struct api_request *req, struct api_response *res,
                            const struct voice_params *p, struct voice_scope *vs);

#endif
