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
#include "api/kept.h"

#include "util/banned.h"

/* ---- the kept deals --------------------------------------------------------------------- */

/*
 * One load of every deal, kept until a write to what it is read from: deals, lines, stages,
 * users, teams, units, products (store_deal_changes(); api/kept.h).
 */
static void deals_free(void *v)
{
    struct deal_data *d = v;
    deal_data_release(d);
    free(d);
}

static struct kept_cache g_kept = KEPT_CACHE_VERSIONED(deals_free, 1, store_deal_changes);

static int deals_load(struct store *conn, void *ctx, void **value, struct kith_error *err)
{
    (void)ctx;
    struct deal_data *d = calloc(1, sizeof(*d));
    if (!d)
        return kith_err(err, KITH_ENOMEM, "out of memory keeping the deals");
    int rc = store_deals_load(conn, NULL, 0, d, err);
    if (rc < 0) {
        free(d);
        return rc;
    }
    *value = d;
    return 0;
}

/* ---- the routes --------------------------------------------------------------------------- */

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
    struct kept_item *kept = NULL;
    if (a != DEALS_CONVERSION && a != DEALS_QUOTA) {
        if (!(kept = kept_begin(&g_kept, req->store, NULL, 0, deals_load, NULL, &err))) {
            free(ids);
            free(qids);
            api_error_from(res, &err);
            return;
        }
        ds.shared = kept->value;
    }
    struct deals_report r;
    const char *param;
    int rc = deals_run(a, &p, &ds, &r, &err, &param);
    free(ids);
    free(qids);
    if (rc < 0) {
        kept_end(&g_kept, kept);
        if (param)
            api_error(res, 400, "invalid", param, "%s", err.msg);
        else
            api_error_from(res, &err);
        return;
    }
    json_t *body = deals_report_json(&r);
    deals_report_release(&r);
    kept_end(&g_kept, kept);
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
