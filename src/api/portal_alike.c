/*
 * portal_alike.c - the portal's people map (docs/voice.md "The people map"): GET
 * /portal/api/alike, the contacts most like the signed-in contact among those who opted in to
 * be found, as a summary a customer may see (the analysis `voice alike`, its people-map view),
 * and PUT /portal/api/findable, the contact's own opt-in to be found. Like every portal route,
 * the contact comes from the session: no identifier in the request names a record.
 */
#include "api/access.h"
#include "api/alike_kept.h"
#include "api/audit.h"
#include "api/auth.h"
#include "api/portal.h"

#include <stdio.h>

#include "util/banned.h"

void api_portal_get_alike(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct voice_params p;
    char id[32];
    param_defaults(&analysis_voice, &p);
    snprintf(id, sizeof(id), "%lld", (long long)req->who->contact_id);
    if (param_set(&analysis_voice,
                  param_find(&analysis_voice, voice_def(VOICE_ALIKE)->group, "contact", false), &p,
                  id, "contact", &err) < 0) {
        auth_internal_error(res, &err);
        return;
    }
    struct voice_scope vs = {.store = req->store, .role = "customer", .people_map = true};
    api_voice_alike_answer(req, res, &p, &vs);
}

void api_portal_put_findable(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    json_t *v = req->body ? json_object_get(req->body, "findable") : NULL;
    if (!json_is_object(req->body) || !json_is_boolean(v) || json_object_size(req->body) != 1) {
        api_error(res, 422, "invalid", "findable",
                  "send {\"findable\": true} to be found by other customers, false not to be");
        return;
    }
    const bool on = json_is_true(v);
    const int64_t cid = req->who->contact_id;
    if (store_begin(req->store, &err) < 0 ||
        store_findable_set(req->store, cid, on, store_now_ms(), &err) < 0) {
        store_rollback(req->store);
        auth_internal_error(res, &err);
        return;
    }
    api_audit(req, "portal_findable", "contacts", cid, on ? "findable" : "not findable");
    if (store_commit(req->store, &err) < 0) {
        store_rollback(req->store);
        auth_internal_error(res, &err);
        return;
    }
    api_json(res, 200, json_pack("{s:b}", "findable", on));
}
