/*
 * v2t2_settings.c - GET and PUT /api/v1/v2t2/settings: the V2T2 thresholds and baselines of the
 * units (docs/v2t2.md, "Settings"). Anyone reads the settings of the units in their read scope
 * (api_scope() of units: every role reads every unit today, docs/internals/access.md); an
 * administrator changes one unit's (PUT ?unit=, a JSON object of settings, null for the
 * default). The list of settings and the check of a value are the model's; the JSON and the
 * reading of the body are the analysis layer's (analysis/v2t2_settings.c), shared with
 * `kith v2t2 settings`. A change is audited in its transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/v2t2.h"
#include "api/access.h"
#include "api/audit.h"
#include "api/handlers.h"
#include "model/table.h"

#include "util/banned.h"

/* Whether the caller may read unit id. */
static bool unit_visible(struct api_request *req, const struct store_scope *scope, int64_t id)
{
    struct kith_error err = {0};
    return scope->all ||
           store_get(req->store, model_table("units"), id, scope, NULL, NULL, &err) == 0;
}

/* The unit named by ?unit= (a name or #id), visible to the caller; NULL after answering 404
 * (or 422 when required and not given: *missing). */
static const struct v2t2_unit_rec *unit_of(struct api_request *req, struct api_response *res,
                                           const struct v2t2_data *d,
                                           const struct store_scope *scope)
{
    const char *text = api_query(req, "unit");
    const struct v2t2_unit_rec *u = text ? v2t2_unit_named(d, text) : NULL;
    if (!u || !unit_visible(req, scope, u->id)) {
        api_error(res, 404, "not_found", "unit", "no such unit");
        return NULL;
    }
    return u;
}

static bool load(struct api_request *req, struct api_response *res, struct v2t2_data *d,
                 struct store_scope *scope)
{
    struct kith_error err = {0};
    if (api_scope(req->who, model_table("units"), false, scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role (%s) may not read units",
                  api_role_name(req->who->role));
        return false;
    }
    if (store_v2t2_load(req->store, false, d, &err) < 0) {
        api_error_from(res, &err);
        return false;
    }
    return true;
}

void api_get_v2t2_settings(struct api_request *req, struct api_response *res)
{
    struct v2t2_data d;
    struct store_scope scope;
    if (!load(req, res, &d, &scope))
        return;
    json_t *o = NULL;
    if (api_query(req, "unit")) {
        const struct v2t2_unit_rec *u = unit_of(req, res, &d, &scope);
        if (!u)
            goto out;
        struct v2t2_settings st;
        v2t2_settings_of(&d, u->id, &st);
        o = v2t2_settings_json(&st, u->name);
    } else {
        bool *visible = calloc(d.nunits ? d.nunits : 1, sizeof(*visible));
        if (visible) {
            for (size_t i = 0; i < d.nunits; i++)
                visible[i] = unit_visible(req, &scope, d.units[i].id);
            o = v2t2_settings_list_json(&d, visible);
        }
        free(visible);
    }
    if (o)
        api_json(res, 200, o);
    else
        api_error(res, 500, "internal", NULL, "out of memory writing the settings");
out:
    v2t2_data_release(&d);
}

void api_put_v2t2_settings(struct api_request *req, struct api_response *res)
{
    struct v2t2_data d;
    struct store_scope scope;
    struct kith_error err = {0};
    if (!api_query(req, "unit")) {
        api_error(res, 422, "invalid", "unit",
                  "'unit' is required: the unit whose settings change"
                  " (?unit=NAME or ?unit=%%23ID)");
        return;
    }
    if (!load(req, res, &d, &scope))
        return;
    const struct v2t2_unit_rec *u = unit_of(req, res, &d, &scope);
    if (!u)
        goto out;
    struct v2t2_settings before, after;
    v2t2_settings_of(&d, u->id, &before);
    after = before;
    const char *field;
    if (v2t2_settings_apply_json(&after, req->body, &field, &err) < 0) {
        if (field)
            api_error(res, 422, "invalid", field, "'%.64s' %s", field, err.msg);
        else
            api_error(res, 422, "invalid", NULL, "%s", err.msg);
        goto out;
    }
    after.updated_by = req->who->user_id;
    char detail[512];
    v2t2_settings_change(&before, &after, u->name, detail, sizeof(detail));
    if (store_begin(req->store, &err) < 0)
        goto out_error;
    if (store_v2t2_settings_set(req->store, &after, store_now_ms(), &field, &err) < 0) {
        store_rollback(req->store);
        if (field) {
            api_error(res, 422, "invalid", field, "'%s' %s", field, err.msg);
            goto out;
        }
        goto out_error;
    }
    api_audit(req, "update", "v2t2_settings", u->id, detail);
    if (store_commit(req->store, &err) < 0) {
        store_rollback(req->store);
        goto out_error;
    }
    /* answer what is stored now */
    const int64_t id = u->id;
    v2t2_data_release(&d);
    if (store_v2t2_load(req->store, false, &d, &err) < 0) {
        api_error_from(res, &err);
        return;
    }
    struct v2t2_settings st;
    v2t2_settings_of(&d, id, &st);
    const struct v2t2_unit_rec *now = v2t2_data_unit(&d, id);
    json_t *o = v2t2_settings_json(&st, now ? now->name : NULL);
    if (o)
        api_json(res, 200, o);
    else
        api_error(res, 500, "internal", NULL, "out of memory writing the settings");
    goto out;
out_error:
    api_error_from(res, &err);
out:
    v2t2_data_release(&d);
}
