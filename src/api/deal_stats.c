/*
 * deal_stats.c - GET /api/v1/deal-stats/{winrate,pipeline,conversion,forecast,quota}: the HTTP
 * door to the deal analyses (analysis/deals.h). The query string is read through the family's
 * table (api_analysis_params()), the analysis runs over the deals (and quotas) the caller may
 * read (api_scope() -> store_scope_ids() on deals and quotas) and the answer is
 * deals_report_json(), the object
 * `kith deals <analysis> --json` prints. The prefix is deal-stats, not deals, so that it never
 * meets /api/v1/deals/{id}. docs/api.md documents the routes.
 */
#include <pthread.h>
#include <stdlib.h>

#include "analysis/deals.h"
#include "api/access.h"
#include "api/analysis.h"
#include "api/handlers.h"

#include "util/banned.h"

/* ---- the kept deals --------------------------------------------------------------------- */

/* One load of every deal; freed when the cache has moved on and its last reader is done. */
struct kept {
    struct deal_data d;
    int readers;
    bool stale;
};

static struct {
    pthread_mutex_t mu; /* everything below, and the connection's use */
    struct store *conn; /* the cache's own read-only connection (kept for the process's life) */
    int64_t version;    /* its data_version when cur was read */
    struct kept *cur;
} g_kept = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void kept_free(struct kept *k)
{
    deal_data_release(&k->d);
    free(k);
}

/* The current deals for reading (read again first when the database changed), or NULL with err
 * set; every non-NULL answer is given back with kept_end(). */
static struct kept *kept_begin(struct store *s, struct kith_error *err)
{
    pthread_mutex_lock(&g_kept.mu);
    struct kept *k = NULL;
    int64_t version = 0;
    if (!g_kept.conn && store_open(store_path(s), STORE_READONLY, &g_kept.conn, err) < 0)
        goto out;
    if (store_data_version(g_kept.conn, &version, err) < 0)
        goto out;
    if (!g_kept.cur || version != g_kept.version) {
        struct kept *fresh = calloc(1, sizeof(*fresh));
        if (!fresh) {
            kith_err(err, KITH_ENOMEM, "out of memory keeping the deals");
            goto out;
        }
        if (store_deals_load(g_kept.conn, NULL, 0, &fresh->d, err) < 0) {
            free(fresh);
            goto out;
        }
        if (g_kept.cur) {
            if (g_kept.cur->readers)
                g_kept.cur->stale = true; /* its last reader frees it */
            else
                kept_free(g_kept.cur);
        }
        g_kept.cur = fresh;
        g_kept.version = version;
    }
    k = g_kept.cur;
    k->readers++;
out:
    pthread_mutex_unlock(&g_kept.mu);
    return k;
}

static void kept_end(struct kept *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&g_kept.mu);
    if (--k->readers == 0 && k->stale)
        kept_free(k);
    pthread_mutex_unlock(&g_kept.mu);
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
    struct kept *kept = NULL;
    if (a != DEALS_CONVERSION && a != DEALS_QUOTA) {
        if (!(kept = kept_begin(req->store, &err))) {
            free(ids);
            free(qids);
            api_error_from(res, &err);
            return;
        }
        ds.shared = &kept->d;
    }
    struct deals_report r;
    const char *param;
    int rc = deals_run(a, &p, &ds, &r, &err, &param);
    free(ids);
    free(qids);
    if (rc < 0) {
        kept_end(kept);
        if (param)
            api_error(res, 400, "invalid", param, "%s", err.msg);
        else
            api_error_from(res, &err);
        return;
    }
    json_t *body = deals_report_json(&r);
    deals_report_release(&r);
    kept_end(kept);
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
