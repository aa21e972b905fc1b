/*
 * v2t2.c - GET /api/v1/v2t2/{zones,tones,discord,scenario}: the HTTP door to the V2T2 analyses
 * (analysis/v2t2.h). The query string is read through the family's table
 * (api_analysis_params()); the answer is v2t2_report_json(), the object
 * `kith v2t2 <analysis> --json` prints. docs/api.md and docs/v2t2.md document the routes.
 *
 * Scope, as for the Relationship Value routes: tones and discord are computed over the contacts
 * the caller may read (api_scope() of contacts; a partner sees its own relationships only); a
 * subject of zones (an order, a deal, an account) outside the caller's scope is "not found", a
 * unit's market is another unit's only for a caller who reads everything, and the places of
 * others' aggregates (the manager's team, another unit, the enterprise) are shown to a scoped
 * caller only over at least min_k subjects of the privacy policy of its role, as in the
 * confidential comparison of units.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/v2t2.h"
#include "api/access.h"
#include "api/analysis.h"
#include "api/handlers.h"
#include "api/rvstate.h"
#include "model/table.h"

#include "util/banned.h"

#define V2T2_DEFAULT_K 10 /* a role without a privacy policy row: the comparison's default */

/* The mask of the caller's contacts over snap (NULL bits: every contact). */
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

/* The subject of zones, when it is one row: visible to the caller, else 404 naming it. */
static bool subject_visible(struct api_request *req, struct api_response *res,
                            const struct v2t2_params *p)
{
    const char *table = p->order ? "orders" : p->deal ? "deals" : p->account ? "accounts" : NULL;
    if (!table)
        return true;
    const int64_t id = p->order ? p->order : p->deal ? p->deal : p->account;
    const char *param = p->order ? "order" : p->deal ? "deal" : "account";
    struct store_scope scope;
    struct kith_error err = {0};
    if (api_scope(req->who, model_table(table), false, &scope) < 0 ||
        store_get(req->store, model_table(table), id, &scope, NULL, NULL, &err) < 0) {
        api_error(res, 404, "not_found", param, "no such %s", param);
        return false;
    }
    return true;
}

static void v2t2_route(struct api_request *req, struct api_response *res, enum v2t2_analysis a)
{
    struct v2t2_params p;
    struct kith_error err = {0};
    if (!api_analysis_params(req, res, &analysis_v2t2, v2t2_def(a), &p))
        return;
    struct store_scope scope;
    if (api_scope(req->who, model_table("contacts"), false, &scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role (%s) may not read contacts",
                  api_role_name(req->who->role));
        return;
    }
    struct v2t2_scope vs = {.store = req->store,
                            .scoped = !scope.all,
                            .own_unit_id = req->who->unit_id,
                            .min_k = V2T2_DEFAULT_K};
    struct store_privacy_policy policy;
    if (store_privacy_policy_get(req->store, api_role_name(req->who->role), &policy, &err) == 0)
        vs.min_k = policy.min_k;
    if (a == V2T2_ZONES && !subject_visible(req, res, &p))
        return;
    const bool walk = a == V2T2_TONES || a == V2T2_DISCORD;
    const bool masked = walk && (!scope.all || scope.hide_private);
    int64_t *ids = NULL;
    size_t n = 0;
    if (masked &&
        store_scope_ids(req->store, model_table("contacts"), &scope, &ids, &n, &err) < 0) {
        api_error_from(res, &err);
        return;
    }
    struct rv_mask mask = {0};
    if (walk) {
        const struct norm_result *live;
        vs.snap = rvstate_read_begin(&live);
        if (!vs.snap) {
            rvstate_read_end();
            free(ids);
            api_error(res, 503, "unavailable", NULL,
                      "the Relationship Value engine is not running");
            return;
        }
        if (masked) {
            if (mask_of(vs.snap, ids, n, &mask) < 0) {
                rvstate_read_end();
                free(ids);
                api_error(res, 500, "internal", NULL, "out of memory");
                return;
            }
            vs.mask = &mask;
        }
    }
    free(ids);
    struct v2t2_report r;
    const char *param;
    int rc = v2t2_run(a, &p, &vs, &r, &err, &param);
    if (walk)
        rvstate_read_end();
    rv_mask_release(&mask);
    if (rc == KITH_ENOTFOUND) { /* a subject that is not there, or not the caller's */
        api_error(res, 404, "not_found", param, "%s%s%s", param ? param : "", param ? ": " : "",
                  err.msg);
        return;
    }
    if (rc < 0) {
        api_analysis_fail(res, param, &err);
        return;
    }
    json_t *body = v2t2_report_json(&r);
    v2t2_report_release(&r);
    if (!body) {
        api_error(res, 500, "internal", NULL, "out of memory building the answer");
        return;
    }
    api_json(res, 200, body);
}

void api_v2t2_zones(struct api_request *req, struct api_response *res)
{
    v2t2_route(req, res, V2T2_ZONES);
}

void api_v2t2_tones(struct api_request *req, struct api_response *res)
{
    v2t2_route(req, res, V2T2_TONES);
}

void api_v2t2_discord(struct api_request *req, struct api_response *res)
{
    v2t2_route(req, res, V2T2_DISCORD);
}

void api_v2t2_scenario(struct api_request *req, struct api_response *res)
{
    v2t2_route(req, res, V2T2_SCENARIO);
}
