/*
 * value.c - GET /api/v1/value/{fit,clv,dist,drivers,rfm,reap,xsell,referrals,check}: the HTTP
 * door to the customer value analyses (analysis/value.h). The query string is read through the
 * family's table (api_analysis_params()), the analysis runs over the accounts the caller may read
 * (api_scope() -> store_scope_account_ids()) and the answer is value_report_json(), the object
 * `kith value <analysis> --json` prints. docs/api.md documents the routes.
 */
#include <stdlib.h>

#include "analysis/value.h"
#include "api/access.h"
#include "api/analysis.h"
#include "api/handlers.h"

#include "util/banned.h"

/* Answers a failed run: each failure its own status and code, never a model parameter. */
static void answer_failure(struct api_response *res, const struct value_report *x,
                           const struct kith_error *err)
{
    switch (x->failure) {
    case VALUE_FAILED_NO_CUSTOMERS:
        api_error(res, 422, "no_customers", NULL, "%s", err->msg);
        break;
    case VALUE_FAILED_NOT_CONVERGED:
        api_error(res, 422, "not_converged", NULL, "%s", err->msg);
        break;
    case VALUE_FAILED_NO_ACCOUNT:
        api_error(res, 404, "not_found", "account", "%s", err->msg);
        break;
    case VALUE_FAILED_NOT_CUSTOMER:
        api_error(res, 404, "not_customer", "account", "%s", err->msg);
        break;
    default:
        api_error_from(res, err);
        break;
    }
}

static void value_route(struct api_request *req, struct api_response *res, enum value_analysis a)
{
    struct value_params p;
    struct kith_error err = {0};
    const char *field;
    if (!api_analysis_params(req, res, &analysis_value, value_def(a), &p))
        return;
    if (value_params_check(&p, &field, &err) < 0) {
        api_error(res, 400, "invalid", field, "%s", err.msg);
        return;
    }
    struct store_scope scope;
    if (api_scope(req->who, model_table("accounts"), false, &scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role may not read accounts");
        return;
    }
    struct value_scope vs = {.store = req->store};
    int64_t *ids = NULL;
    if (!scope.all) {
        if (store_scope_account_ids(req->store, &scope, &ids, &vs.naccounts, &err) < 0) {
            api_error_from(res, &err);
            return;
        }
        vs.accounts = ids;
    }
    struct value_report x;
    int rc = value_run(a, &p, &vs, &x, &err);
    free(ids);
    if (rc < 0) {
        answer_failure(res, &x, &err);
        return;
    }
    json_t *body = value_report_json(&x);
    value_report_release(&x);
    if (!body) {
        api_error(res, 500, "internal", NULL, "out of memory building the answer");
        return;
    }
    api_json(res, 200, body);
}

void api_value_fit(struct api_request *req, struct api_response *res)
{
    value_route(req, res, VALUE_FIT);
}

void api_value_clv(struct api_request *req, struct api_response *res)
{
    value_route(req, res, VALUE_CLV);
}

void api_value_dist(struct api_request *req, struct api_response *res)
{
    value_route(req, res, VALUE_DIST);
}

void api_value_drivers(struct api_request *req, struct api_response *res)
{
    value_route(req, res, VALUE_DRIVERS);
}

void api_value_rfm(struct api_request *req, struct api_response *res)
{
    value_route(req, res, VALUE_RFM);
}

void api_value_reap(struct api_request *req, struct api_response *res)
{
    value_route(req, res, VALUE_REAP);
}

void api_value_xsell(struct api_request *req, struct api_response *res)
{
    value_route(req, res, VALUE_XSELL);
}

void api_value_referrals(struct api_request *req, struct api_response *res)
{
    value_route(req, res, VALUE_REFERRALS);
}

void api_value_check(struct api_request *req, struct api_response *res)
{
    value_route(req, res, VALUE_CHECK);
}
