/*
 * privacy.c - GET and PATCH /api/v1/privacy: administrators read and change the privacy policy
 * of the comparison of units (per role: min_k, max_epsilon, require_noise, daily_budget). The
 * policy is applied by rv_units_run() for every door; `kith privacy` is the command line's
 * door. A change is audited in its transaction. docs/internals/rv.md, "Privacy policy".
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/rv_privacy.h"
#include "api/audit.h"
#include "api/handlers.h"

#include "util/banned.h"

#define PRIVACY_ROLES_MAX 16

void api_get_privacy(struct api_request *req, struct api_response *res)
{
    struct store_privacy_policy pol[PRIVACY_ROLES_MAX];
    size_t n = 0;
    struct kith_error err = {0};
    if (store_privacy_policy_list(req->store, pol, PRIVACY_ROLES_MAX, &n, &err) < 0) {
        api_error_from(res, &err);
        return;
    }
    json_t *o = rv_privacy_policies_json(pol, n);
    if (!o) {
        api_error(res, 500, "internal", NULL, "out of memory writing the policy");
        return;
    }
    api_json(res, 200, o);
}

/* A number of the body into *out, within [lo, hi]; false with a 422 naming it otherwise. */
static bool body_number(struct api_response *res, json_t *v, const char *name, double lo, double hi,
                        bool integer, double *out)
{
    if (!json_is_number(v) || (integer && !json_is_integer(v)) ||
        !(json_number_value(v) >= lo && json_number_value(v) <= hi)) {
        api_error(res, 422, "invalid", name, "'%s' must be %s from %g to %g", name,
                  integer ? "a whole number" : "a number", lo, hi);
        return false;
    }
    *out = json_number_value(v);
    return true;
}

void api_patch_privacy(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    json_t *body = req->body;
    if (!json_is_object(body)) {
        api_error(res, 422, "invalid", NULL,
                  "the body must be a JSON object: {\"role\", \"min_k\", \"max_epsilon\","
                  " \"require_noise\", \"daily_budget\"}");
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "role") != 0 && strcmp(key, "min_k") != 0 &&
            strcmp(key, "max_epsilon") != 0 && strcmp(key, "require_noise") != 0 &&
            strcmp(key, "daily_budget") != 0) {
            api_error(res, 422, "invalid", key, "'%.64s' is not a field of a privacy policy", key);
            return;
        }
    }
    json_t *role = json_object_get(body, "role");
    if (!json_is_string(role)) {
        api_error(res, 422, "invalid", "role", "'role' is required: the role whose policy changes");
        return;
    }
    struct store_privacy_policy p, before;
    int rc = store_privacy_policy_get(req->store, json_string_value(role), &before, &err);
    if (rc == KITH_ENOTFOUND) {
        api_error(res, 422, "invalid", "role",
                  "'role' must be admin, executive, analyst, manager, frontline or partner");
        return;
    }
    if (rc < 0) {
        api_error_from(res, &err);
        return;
    }
    p = before;
    double d;
    if ((v = json_object_get(body, "min_k"))) {
        if (!body_number(res, v, "min_k", 1, RV_PRIVACY_MIN_K_MAX, true, &d))
            return;
        p.min_k = (int64_t)d;
    }
    if ((v = json_object_get(body, "max_epsilon"))) {
        if (!body_number(res, v, "max_epsilon", 0, RV_PRIVACY_EPSILON_MAX, false, &p.max_epsilon))
            return;
    }
    if ((v = json_object_get(body, "require_noise"))) {
        if (!json_is_boolean(v)) {
            api_error(res, 422, "invalid", "require_noise",
                      "'require_noise' must be true or false");
            return;
        }
        p.require_noise = json_is_true(v);
    }
    if ((v = json_object_get(body, "daily_budget"))) {
        if (json_is_null(v))
            p.daily_budget = STORE_PRIVACY_NO_LIMIT;
        else if (!body_number(res, v, "daily_budget", 0, RV_PRIVACY_BUDGET_MAX, false,
                              &p.daily_budget))
            return;
    }
    const char *field;
    if (rv_privacy_policy_check(&p, &field, &err) < 0) {
        api_error(res, 422, "invalid", field, "'%s' %s", field, err.msg);
        return;
    }
    p.updated_by = req->who->user_id;
    /* the audit entry says what changed; a policy holds no personal data */
    char detail[256];
    rv_privacy_policy_change(&before, &p, detail, sizeof(detail));
    if (store_begin(req->store, &err) < 0)
        goto out_error;
    if (store_privacy_policy_set(req->store, &p, &err) < 0)
        goto out_rollback;
    api_audit(req, "update", "privacy_policy", 0, detail);
    if (store_commit(req->store, &err) < 0)
        goto out_rollback;
    if (store_privacy_policy_get(req->store, p.role, &p, &err) < 0)
        goto out_error;
    json_t *o = rv_privacy_policy_json(&p);
    if (o)
        api_json(res, 200, o);
    else
        api_error(res, 500, "internal", NULL, "out of memory writing the policy");
    return;
out_rollback:
    store_rollback(req->store);
out_error:
    api_error_from(res, &err);
}
