/*
 * voice.c - GET /api/v1/voice/{surveys,nps,promise,community,moments,alike,paths,dosay}: the HTTP
 * door to the analyses of the customer's voice (analysis/voice.h). The query string is read
 * through the family's table (api_analysis_params()), the analysis runs over the contacts the
 * caller may read (api_scope() -> store_scope_ids() on contacts) under the privacy policy of the
 * caller's role, and the answer is voice_report_json(), the object `kith voice <analysis> --json`
 * prints; moments, paths and dosay run over the server's RV snapshot (read-locked for the run),
 * masked to those contacts. Answers themselves stay confidential: only these aggregates are shown
 * (src/api/surveys.c). docs/api.md documents the routes.
 */
#include <stdlib.h>

#include "analysis/voice.h"
#include "api/access.h"
#include "api/alike_kept.h"
#include "api/analysis.h"
#include "api/handlers.h"
#include "api/rvstate.h"

#include "util/banned.h"

/* The contacts ids[0..n) as a mask over snap (those it does not hold stay out). */
static int mask_of(const struct rv_snapshot *snap, const int64_t *ids, size_t n,
                   struct rv_mask *mask)
{
    mask->n = snap->nc;
    mask->bits = calloc(mask->n ? mask->n : 1, 1);
    if (!mask->bits)
        return KITH_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int32_t c = rv_snapshot_contact(snap, ids[i]);
        if (c >= 0)
            mask->bits[c] = 1;
    }
    return 0;
}

/* The ids of table the caller may read into *ids (NULL: all); false when the answer is sent. */
static bool scope_ids(struct api_request *req, struct api_response *res, const char *table,
                      bool *scoped, int64_t **ids, size_t *n)
{
    struct kith_error err = {0};
    const struct table_def *t = model_table(table);
    struct store_scope scope;
    *ids = NULL;
    *n = 0;
    if (api_scope(req->who, t, false, &scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role may not read %s", table);
        return false;
    }
    *scoped = !scope.all || scope.hide_private;
    if (*scoped && store_scope_ids(req->store, t, &scope, ids, n, &err) < 0) {
        api_error_from(res, &err);
        return false;
    }
    return true;
}

/* Answers a failed run: 400/404 naming the parameter at fault, else from err. */
static void run_failed(struct api_response *res, int rc, const char *param,
                       const struct kith_error *err)
{
    if (param)
        api_error(res, rc == KITH_ENOTFOUND ? 404 : 400,
                  rc == KITH_ENOTFOUND ? "not_found" : "invalid", param, "%s", err->msg);
    else
        api_error_from(res, err);
}

/* Runs `voice alike` over the kept model with scope vs and answers with its JSON. */
void api_voice_alike_answer(struct api_request *req, struct api_response *res,
                            const struct voice_params *p, struct voice_scope *vs)
{
    struct kith_error err = {0};
    const enum alike_kind kind =
        param_given(&analysis_voice, p, "contact") ? ALIKE_CONTACTS : ALIKE_ACCOUNTS;
    struct kept_item *kept = alike_kept_begin(req->store, kind, &err);
    if (!kept) {
        api_error_from(res, &err);
        return;
    }
    vs->models[kind] = kept->value;
    struct voice_report r;
    const char *param;
    int rc = voice_run(VOICE_ALIKE, p, vs, &r, &err, &param);
    json_t *body = rc < 0 ? NULL : voice_report_json(&r); /* the report reads the kept model */
    if (rc == 0)
        voice_report_release(&r);
    alike_kept_end(kept);
    if (rc < 0)
        run_failed(res, rc, param, &err);
    else if (!body)
        api_error(res, 500, "internal", NULL, "out of memory building the answer");
    else
        api_json(res, 200, body);
}

void api_voice_alike(struct api_request *req, struct api_response *res)
{
    struct voice_params p;
    if (!api_analysis_params(req, res, &analysis_voice, voice_def(VOICE_ALIKE), &p))
        return;
    struct voice_scope vs = {.store = req->store, .role = api_role_name(req->who->role)};
    int64_t *contacts = NULL, *accounts = NULL;
    if (scope_ids(req, res, "contacts", &vs.scoped, &contacts, &vs.ncontacts) &&
        (!param_given(&analysis_voice, &p, "account") ||
         scope_ids(req, res, "accounts", &vs.accounts_scoped, &accounts, &vs.naccounts))) {
        vs.contacts = contacts;
        vs.accounts = accounts;
        api_voice_alike_answer(req, res, &p, &vs);
    }
    free(contacts);
    free(accounts);
}

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
    const bool snap = voice_needs_snapshot(a);
    struct rv_mask mask = {0};
    if (snap) {
        const struct norm_result *live;
        vs.snap = rvstate_read_begin(&live);
        if (!vs.snap) {
            rvstate_read_end();
            free(ids);
            api_error(res, 503, "unavailable", NULL,
                      "the Relationship Value engine is not running");
            return;
        }
        if (vs.scoped && mask_of(vs.snap, ids, vs.ncontacts, &mask) < 0) {
            rvstate_read_end();
            free(ids);
            api_error(res, 500, "internal", NULL, "out of memory");
            return;
        }
        if (vs.scoped)
            vs.mask = &mask;
    }
    struct voice_report r;
    const char *param;
    int rc = voice_run(a, &p, &vs, &r, &err, &param);
    if (snap)
        rvstate_read_end();
    rv_mask_release(&mask);
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

void api_voice_ratings(struct api_request *req, struct api_response *res)
{
    voice_route(req, res, VOICE_RATINGS);
}

void api_voice_ideas(struct api_request *req, struct api_response *res)
{
    voice_route(req, res, VOICE_IDEAS);
}

void api_voice_moments(struct api_request *req, struct api_response *res)
{
    voice_route(req, res, VOICE_MOMENTS);
}

void api_voice_paths(struct api_request *req, struct api_response *res)
{
    voice_route(req, res, VOICE_PATHS);
}

void api_voice_dosay(struct api_request *req, struct api_response *res)
{
    voice_route(req, res, VOICE_DOSAY);
}
