/*
 * voice.c - GET /api/v1/voice/{surveys,nps,promise,community,paths,dosay}: the HTTP door to the
 * analyses of the customer's voice (analysis/voice.h). The query string is read through the
 * family's table (api_analysis_params()), the analysis runs over the contacts the caller may read
 * (api_scope()
 * -> store_scope_ids() on contacts) under the privacy policy of the caller's role, and the
 * answer is voice_report_json(), the object `kith voice <analysis> --json` prints. Answers
 * themselves stay confidential: only these aggregates are shown (src/api/surveys.c).
 * docs/api.md documents the routes.
 */
#include <stdlib.h>

#include "analysis/voice.h"
#include "api/access.h"
#include "api/analysis.h"
#include "api/handlers.h"
#include "api/rvstate.h"

#include "util/banned.h"

static void voice_route(struct api_request *req, struct api_response *res, enum voice_analysis a)
{
    struct voice_params p;
    struct kith_error err = {0};
    if (!api_analysis_params(req, res, &analysis_voice, voice_def(a), &p))
        return;
    const struct table_def *contacts = model_table("contacts");
    struct store_scope scope;
    if (api_scope(req->who, contacts, false, &scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role may not read contacts");
        return;
    }
    struct voice_scope vs = {.store = req->store,
                             .scoped = !scope.all || scope.hide_private,
                             .role = api_role_name(req->who->role)};
    int64_t *ids = NULL;
    if (vs.scoped) {
        if (store_scope_ids(req->store, contacts, &scope, &ids, &vs.ncontacts, &err) < 0) {
            api_error_from(res, &err);
            return;
        }
        vs.contacts = ids;
    }
    struct voice_report r;
    const char *param;
    if (voice_needs_snapshot(a)) {
        const struct norm_result *live;
        vs.snap = rvstate_read_begin(&live);
        if (!vs.snap) {
            rvstate_read_end();
            free(ids);
            api_error(res, 503, "unavailable", NULL,
                      "the Relationship Value engine is not running");
            return;
        }
    }
    int rc = voice_run(a, &p, &vs, &r, &err, &param);
    if (vs.snap)
        rvstate_read_end();
    free(ids);
    if (rc < 0) {
        if (param)
            api_error(res, rc == KITH_ENOTFOUND ? 404 : 400,
                      rc == KITH_ENOTFOUND ? "not_found" : "invalid", param, "%s", err.msg);
        else
            api_error_from(res, &err);
        return;
    }
    json_t *body = voice_report_json(&r);
    voice_report_release(&r);
    if (!body) {
        api_error(res, 500, "internal", NULL, "out of memory building the answer");
        return;
    }
    api_json(res, 200, body);
}

void api_voice_surveys(struct api_request *req, struct api_response *res)
{
    voice_route(req, res, VOICE_SURVEYS);
}

void api_voice_nps(struct api_request *req, struct api_response *res)
{
    voice_route(req, res, VOICE_NPS);
}

void api_voice_promise(struct api_request *req, struct api_response *res)
{
    voice_route(req, res, VOICE_PROMISE);
}

void api_voice_community(struct api_request *req, struct api_response *res)
{
    voice_route(req, res, VOICE_COMMUNITY);
}

void api_voice_paths(struct api_request *req, struct api_response *res)
{
    voice_route(req, res, VOICE_PATHS);
}

void api_voice_dosay(struct api_request *req, struct api_response *res)
{
    voice_route(req, res, VOICE_DOSAY);
}
