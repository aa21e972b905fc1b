/*
 * value.c - GET /api/v1/value/{fit,clv,dist,drivers,rfm,reap,xsell,referrals,check}: the HTTP
 * door to the customer value analyses (analysis/value.h). The query string is read through the
 * family's table (api_analysis_params()), the analysis runs over the accounts the caller may read
 * (api_scope() -> store_scope_account_ids()) and the answer is value_report_json(), the object
 * `kith value <analysis> --json` prints. docs/api.md documents the routes.
 *
 * xsell keeps what it mined (the rules and every customer's offers) between requests, per scope
 * and mining parameters, until the database changes (api/kept.h): a request then only picks
 * its account's offers or the first rows. docs/internals/value.md, "The kept rules".
 *
 * fit, clv, dist and rfm with the default model parameters answer from the figures the server
 * keeps per
 * version of the value inputs (api/value_kept.h): a view over the caller's accounts, saying when
 * the figures were computed and whether the data have moved since. docs/internals/value.md,
 * "Kept figures".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/value.h"
#include "api/access.h"
#include "api/analysis.h"
#include "api/handlers.h"
#include "api/kept.h"
#include "api/value_kept.h"

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

/* ---- the kept xsell reports ------------------------------------------------------------------ */

#define XSELL_KEPT 4 /* scopes and parameter sets kept at once */

static void xsell_free(void *v)
{
    struct value_report *x = v;
    value_report_release(x);
    free(x);
}

/* kept until a write to what xsell reads: orders, lines, accounts, products, consents, ... */
static struct kept_cache g_xsell =
    KEPT_CACHE_VERSIONED(xsell_free, XSELL_KEPT, store_value_changes);

/* What xsell_load() mines, and why it failed. */
struct xsell_ctx {
    const struct value_params *p;
    const struct value_scope *scope;
    enum value_failure failure;
};

static int xsell_load(struct store *conn, void *ctx, void **value, struct kith_error *err)
{
    struct xsell_ctx *c = ctx;
    struct value_report *x = malloc(sizeof(*x));
    if (!x)
        return kith_err(err, KITH_ENOMEM, "out of memory keeping the cross-sell rules");
    struct value_scope vs = *c->scope;
    vs.store = conn;
    int rc = value_xsell_mine(c->p, &vs, x, err);
    if (rc < 0) {
        c->failure = x->failure;
        free(x);
        return rc;
    }
    *value = x;
    return 0;
}

/*
 * The key of a mined report: the mining parameters, whether the scope is partial, and its
 * account ids. Owned by the caller (free()); NULL when out of memory.
 */
static unsigned char *xsell_key(const struct value_params *p, const struct value_scope *vs,
                                size_t *len)
{
    struct value_xsell_key k;
    value_xsell_key(p, &k);
    const int64_t scoped = vs->accounts != NULL;
    const size_t nids = scoped ? vs->naccounts : 0;
    *len = sizeof(k) + sizeof(scoped) + nids * sizeof(int64_t);
    unsigned char *key = malloc(*len);
    if (!key)
        return NULL;
    memcpy(key, &k, sizeof(k));
    memcpy(key + sizeof(k), &scoped, sizeof(scoped));
    if (nids)
        memcpy(key + sizeof(k) + sizeof(scoped), vs->accounts, nids * sizeof(int64_t));
    return key;
}

/*
 * xsell over scope from the kept report (mined first when the database changed or this scope
 * and parameters are new): 0 with *view (shares the kept report: answer it before
 * kept_end(*item)), or a negative code with err and *failure.
 */
static int xsell_kept(struct api_request *req, const struct value_params *p,
                      const struct value_scope *vs, struct kept_item **item,
                      struct value_report *view, enum value_failure *failure,
                      struct kith_error *err)
{
    size_t len;
    unsigned char *key = xsell_key(p, vs, &len);
    if (!key) {
        *failure = VALUE_FAILED_OTHER;
        return kith_err(err, KITH_ENOMEM, "out of memory");
    }
    struct xsell_ctx ctx = {.p = p, .scope = vs, .failure = VALUE_FAILED_OTHER};
    *item = kept_begin(&g_xsell, req->store, key, len, xsell_load, &ctx, err);
    free(key);
    if (!*item) {
        *failure = ctx.failure ? ctx.failure : VALUE_FAILED_OTHER;
        return err->code ? err->code : KITH_ENOMEM;
    }
    int rc = value_xsell_view((*item)->value, p, view, err);
    if (rc < 0) {
        *failure = view->failure;
        kept_end(&g_xsell, *item);
        *item = NULL;
    }
    return rc;
}

/* ---- fit, clv, dist and rfm from the kept figures -------------------------------------------- */

/* body (consumed) with "stale" set as the request found the figures. */
static json_t *with_stale(json_t *body, bool stale)
{
    if (body && json_object_set_new(body, "stale", json_boolean(stale)) < 0) {
        json_decref(body);
        return NULL;
    }
    return body;
}

/*
 * fit, clv, dist or rfm (with parameters the kept figures cover) from the keeper: true when
 * answered,
 * false when the request must compute its own answer (no keeper, or the figures could not be
 * computed on these data: value_run() then says why).
 */
static bool kept_route(struct api_request *req, struct api_response *res, enum value_analysis a,
                       const struct value_params *p, const struct value_scope *vs)
{
    const struct value_kept *k;
    bool stale;
    switch (value_keeper_begin(req->store, &k, &stale)) {
    case VALUE_KEEPER_OFF:
        return false;
    case VALUE_KEEPER_COMPUTING:
        snprintf(res->extra_header[0][0], sizeof(res->extra_header[0][0]), "Retry-After");
        snprintf(res->extra_header[0][1], sizeof(res->extra_header[0][1]), "%d",
                 VALUE_KEEPER_FIRST_WAIT_S);
        api_error(res, 503, "computing", NULL,
                  "the customer value figures are being computed for the first time; retry in "
                  "%d s",
                  VALUE_KEEPER_FIRST_WAIT_S);
        return true;
    case VALUE_KEEPER_KEPT:
        break;
    }
    /* every customer's distributions: one sort each, so kept as answered the first time */
    char key[64] = "";
    const bool memo = a == VALUE_DIST && !vs->accounts;
    if (memo) {
        value_keeper_dist_key(p, key, sizeof(key));
        char *text = value_keeper_memo_get(k, key);
        if (text) {
            json_t *body = with_stale(json_loads(text, 0, NULL), stale);
            free(text);
            value_keeper_end(k);
            if (body)
                api_json(res, 200, body);
            else
                api_error(res, 500, "internal", NULL, "out of memory building the answer");
            return true;
        }
    }
    struct value_report x;
    struct kith_error err = {0};
    if (value_kept_view(k, a, p, vs, &x, &err) < 0) {
        value_keeper_end(k);
        answer_failure(res, &x, &err);
        return true;
    }
    json_t *body = value_report_json(&x);
    value_report_release(&x);
    if (memo && body) {
        char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(17));
        if (text)
            value_keeper_memo_put(k, key, text);
        free(text);
    }
    value_keeper_end(k);
    body = with_stale(body, stale);
    if (!body)
        api_error(res, 500, "internal", NULL, "out of memory building the answer");
    else
        api_json(res, 200, body);
    return true;
}

/* ---- the routes --------------------------------------------------------------------------- */

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
    if ((a == VALUE_FIT || a == VALUE_CLV || a == VALUE_DIST || a == VALUE_RFM) &&
        value_kept_covers(&p) && kept_route(req, res, a, &p, &vs)) {
        free(ids);
        return;
    }
    struct value_report x;
    struct kept_item *kept = NULL;
    int rc;
    if (a == VALUE_XSELL) {
        enum value_failure why = VALUE_FAILED_NOT;
        rc = xsell_kept(req, &p, &vs, &kept, &x, &why, &err);
        if (rc < 0)
            x = (struct value_report){.failure = why};
    } else {
        rc = value_run(a, &p, &vs, &x, &err);
    }
    free(ids);
    if (rc < 0) {
        answer_failure(res, &x, &err);
        return;
    }
    json_t *body = value_report_json(&x);
    if (kept)
        kept_end(&g_xsell, kept); /* x shared its arrays */
    else
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
