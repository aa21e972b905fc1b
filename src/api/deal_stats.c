/*
 * deal_stats.c - GET /api/v1/deal-stats/{winrate,pipeline,conversion,forecast,quota}: the HTTP
 * door to the deal analyses (analysis/deals.h). The query string is read through the family's
 * table (api_analysis_params()), the analysis runs over the deals (and quotas) the caller may
 * read (api_scope() -> store_scope_ids() on deals and quotas) and the answer is
 * deals_report_json(), the object
 * `kith deals <analysis> --json` prints. The prefix is deal-stats, not deals, so that it never
 * meets /api/v1/deals/{id}. docs/api.md documents the routes.
 */
#include <stdlib.h>

#include "analysis/deals.h"
#include "api/access.h"
#include "api/analysis.h"
#include "api/handlers.h"

#include "util/banned.h"

static void deal_stats_route(struct api_request *req, struct api_response *res,
                             enum deals_analysis a)
{
    struct deals_params p;
    struct kith_error err = {0};
    if (!api_analysis_params(req, res, &analysis_deals, deals_def(a), &p))
        return;
    const struct table_def *deals = model_table("deals");
    struct store_scope scope;
    if (api_scope(req->who, deals, false, &scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role may not read deals");
        return;
    }
    struct deals_scope ds = {.store = req->store, .scoped = !scope.all, .now = store_now_ms()};
    int64_t *ids = NULL, *qids = NULL;
    if (ds.scoped) {
        const struct table_def *quotas = model_table("quotas");
        struct store_scope qscope;
        if (store_scope_ids(req->store, deals, &scope, &ids, &ds.ndeals, &err) < 0 ||
            (a == DEALS_QUOTA &&
             (api_scope(req->who, quotas, false, &qscope) < 0
                  ? (ds.nquotas = 0, false)
                  : store_scope_ids(req->store, quotas, &qscope, &qids, &ds.nquotas, &err) < 0))) {
            free(ids);
            api_error_from(res, &err);
            return;
        }
        ds.deals = ids;
        ds.quotas = qids;
    }
    struct deals_report r;
    const char *param;
    int rc = deals_run(a, &p, &ds, &r, &err, &param);
    free(ids);
    free(qids);
    if (rc < 0) {
        if (param)
            api_error(res, 400, "invalid", param, "%s", err.msg);
        else
            api_error_from(res, &err);
        return;
    }
    json_t *body = deals_report_json(&r);
    deals_report_release(&r);
    if (!body) {
        api_error(res, 500, "internal", NULL, "out of memory building the answer");
        return;
    }
    api_json(res, 200, body);
}

void api_deal_stats_winrate(struct api_request *req, struct api_response *res)
{
    deal_stats_route(req, res, DEALS_WINRATE);
}

void api_deal_stats_pipeline(struct api_request *req, struct api_response *res)
{
    deal_stats_route(req, res, DEALS_PIPELINE);
}

void api_deal_stats_conversion(struct api_request *req, struct api_response *res)
{
    deal_stats_route(req, res, DEALS_CONVERSION);
}

void api_deal_stats_forecast(struct api_request *req, struct api_response *res)
{
    deal_stats_route(req, res, DEALS_FORECAST);
}

void api_deal_stats_quota(struct api_request *req, struct api_response *res)
{
    deal_stats_route(req, res, DEALS_QUOTA);
}
