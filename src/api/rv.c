/*
 * rv.c - GET /api/v1/rv/...: the Relationship Value analyses (analysis/rv.h) over HTTP, on the
 * snapshot the server keeps (rvstate.h). A thin door: the query is read through the family's
 * table (api/analysis.h), the analysis runs over the caller's contacts, and the report is
 * written by io/rv_json.h, as `kith rv ... --json` writes it.
 *
 * Scope: everything is computed over the contacts the caller may read (api_scope() of contacts:
 * the store's rule, a contact's own unit, team and owner): the norms are those of the caller's
 * peers within that set, positions and exceptions name only those contacts, scorecards count only
 * interactions with them. The comparison of units is the exception by design: it covers every
 * unit, but only as aggregates, suppressed below k members and noised as the privacy policy of
 * the caller's role requires (k, epsilon and a daily budget: GET /api/v1/privacy), with the
 * caller's own unit exact beside the others.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/rv.h"
#include "api/access.h"
#include "api/analysis.h"
#include "api/handlers.h"
#include "api/rvstate.h"
#include "io/rv_json.h"
#include "model/table.h"

#include "util/banned.h"

#define RV_API_THREADS 1 /* per request: the server has other requests to serve */

/*
 * What a handler works on: the snapshot (read-locked until rv_end()) and the mask of the
 * contacts the caller may read (mask_ptr NULL: all).
 */
struct rv_ctx {
    const struct rv_snapshot *snap;
    const struct norm_result *live;
    struct rv_mask mask;
    const struct rv_mask *mask_ptr;
    struct store_scope scope;
};

/*
 * The ids of the caller's contacts are read before the lock, mapped to indices under it. An
 * analysis that names contacts (names true) runs over the contacts the caller may see; the
 * aggregates of a caller who reads every contact but an independent unit's private ones
 * (store_scope.hide_private) still count those (docs/internals/access.md).
 */
static bool rv_begin(struct api_request *req, struct api_response *res, struct rv_ctx *x,
                     bool names)
{
    memset(x, 0, sizeof(*x));
    struct kith_error err = {0};
    if (api_scope(req->who, model_table("contacts"), false, &x->scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role (%s) may not read contacts",
                  api_role_name(req->who->role));
        return false;
    }
    int64_t *ids = NULL;
    size_t n = 0;
    bool masked = !x->scope.all || (names && x->scope.hide_private);
    if (masked &&
        store_scope_ids(req->store, model_table("contacts"), &x->scope, &ids, &n, &err) < 0) {
        api_error_from(res, &err);
        return false;
    }
    x->snap = rvstate_read_begin(&x->live);
    if (!x->snap) {
        rvstate_read_end();
        free(ids);
        api_error(res, 503, "unavailable", NULL, "the Relationship Value engine is not running");
        return false;
    }
    if (masked) {
        x->mask.n = x->snap->nc;
        x->mask.bits = calloc(x->mask.n ? x->mask.n : 1, 1);
        if (!x->mask.bits) {
            rvstate_read_end();
            free(ids);
            api_error(res, 500, "internal", NULL, "out of memory");
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            int32_t c = rv_snapshot_contact(x->snap, ids[i]);
            if (c >= 0)
                x->mask.bits[c] = 1;
        }
        x->mask_ptr = &x->mask;
    }
    free(ids);
    return true;
}

static void rv_end(struct rv_ctx *x)
{
    rvstate_read_end();
    rv_mask_release(&x->mask);
}

/* Runs analysis def with p over the caller's contacts and answers its report. */
static void run(struct api_request *req, struct api_response *res, const struct analysis_def *def,
                const struct rv_params *p)
{
    struct rv_ctx x;
    if (!rv_begin(req, res, &x, strcmp(def->name, "exceptions") == 0))
        return;
    /* whoever does not see every contact sees their own unit exactly, the others as aggregates */
    struct rv_scope src = {.snap = x.snap,
                           .mask = x.mask_ptr,
                           .store = req->store,
                           .nthreads = RV_API_THREADS,
                           .own_unit_id = x.scope.all ? 0 : req->who->unit_id};
    struct rv_report r = {0};
    struct rv_error err = {0};
    /* the comparison of units is bounded by the privacy policy of the caller's role */
    struct store_privacy_policy policy;
    if (def->group == RV_UNITS) {
        if (store_privacy_policy_get(req->store, api_role_name(req->who->role), &policy,
                                     &err.err) == 0)
            src.policy = &policy;
        else if (err.err.code != KITH_ENOTFOUND) { /* a role without a row: the strictest */
            api_error_from(res, &err.err);
            rv_end(&x);
            return;
        }
        src.user_id = req->who->user_id;
    }
    if (rv_run(def, &src, p, &r, &err) < 0) {
        api_analysis_fail(res, err.param, &err.err);
    } else {
        json_t *j = rv_report_json(&r); /* under the lock: labels come from the snapshot */
        if (j)
            api_json(res, 200, j);
        else
            api_error(res, 500, "internal", NULL, "out of memory writing the answer");
    }
    rv_report_release(&r);
    rv_end(&x);
}

/* The analyses without a path parameter: their query is all they take. */
static void serve(struct api_request *req, struct api_response *res, const char *name)
{
    const struct analysis_def *def = analysis_find(&analysis_rv, name);
    struct rv_params p = {0};
    if (api_analysis_params(req, res, &analysis_rv, def, &p))
        run(req, res, def, &p);
}

void api_rv_contact(struct api_request *req, struct api_response *res)
{
    const struct analysis_def *def = analysis_find(&analysis_rv, "contact");
    struct rv_params p = {0};
    struct store_scope scope;
    struct kith_error err = {0};
    if (!api_param_id(req, 0, &p.contact_id, res) ||
        !api_analysis_params(req, res, &analysis_rv, def, &p))
        return;
    /* a contact outside the caller's scope is "not found", as on /api/v1/contacts/{id} */
    if (api_scope(req->who, model_table("contacts"), false, &scope) < 0 ||
        store_get(req->store, model_table("contacts"), p.contact_id, &scope, NULL, NULL, &err) <
            0) {
        api_error(res, 404, "not_found", NULL, "no contact %lld", (long long)p.contact_id);
        return;
    }
    run(req, res, def, &p);
}

void api_rv_norm(struct api_request *req, struct api_response *res)
{
    serve(req, res, "norm");
}

void api_rv_exceptions(struct api_request *req, struct api_response *res)
{
    serve(req, res, "exceptions");
}

void api_rv_reps(struct api_request *req, struct api_response *res)
{
    serve(req, res, "reps");
}

void api_rv_units(struct api_request *req, struct api_response *res)
{
    serve(req, res, "units");
}

void api_rv_indicator(struct api_request *req, struct api_response *res)
{
    serve(req, res, "indicator");
}
